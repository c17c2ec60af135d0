/*
 * scn.h - scenarios: what a scenario file describes, as plain structs,
 * and the two steps that use it.
 *
 *   1. scn_load() reads a JSON file (cJSON) and validates all of it
 *      before anything is built: unknown keys, wrong types, values out of
 *      range, references to buses or hosts that do not exist.  Every
 *      problem found is reported (not only the first) with the file, the
 *      JSON path and the reason, e.g.
 *        two.json: hosts[1].adapters[0].id: 9 is out of range 0..7 on the
 *        narrow bus "row1"
 *      Defaults come from one table (scn_defaults in scn_load.c, printed
 *      by `scsinet defaults`).  No cJSON type leaves scenarios/.
 *   2. scn_build() builds the model from the structs through the same
 *      public calls a test uses (bus_create, adapter_create,
 *      ip_host_create, ...), and scn_world_run() runs it.
 *
 * Ownership: a struct scn owns every string and array in it; scn_free()
 * releases them.  A struct scn_world owns the model it built.
 */
#ifndef SCN_H
#define SCN_H

#include <stdint.h>
#include <stdio.h>

#include "bus_timing.h"
#include "sim.h"

#define SCN_NAME_MAX 32         /* a name's bytes with its NUL */
#define SCN_MAX_BUSES 256
#define SCN_MAX_HOSTS 1024
#define SCN_MAX_ADAPTERS 8      /* per host (IP_MAX_NETIFS) */
#define SCN_MAX_ROUTES 64       /* per host */
#define SCN_MAX_TRAFFIC 1024
#define SCN_MAX_WORKERS 256

/* The seed and duration ranges, for the CLI options that set them too.
 * 2^53: the largest integer below which a JSON number (a double) holds
 * every integer exactly. */
#define SCN_SEED_MAX (UINT64_C(1) << 53)
#define SCN_DURATION_MIN (1 * SIM_US)
#define SCN_DURATION_MAX (100000 * SIM_S)

struct scn_bus {
	char name[SCN_NAME_MAX];
	enum bus_width width;
	enum bus_speed speed;
	enum bus_electrical electrical;
	uint32_t length_mm;
};

struct scn_adapter {
	int bus;                   /* index into scn.buses */
	int id;
	char profile[16];
	uint32_t addr;
	uint8_t plen;
	uint32_t mtu;
	uint32_t rx_slots;
	uint32_t pos_mm;           /* where on the cable; default spread */
	sim_time_t arp_cache_time, arp_neg_time; /* 0: ip_host.h's */
	int target_disconnect;     /* no slot: disconnect, not BUSY */
};

struct scn_route {
	uint32_t prefix;
	uint8_t plen;
	uint32_t via;              /* 0: directly attached (needs adapter) */
	int adapter;               /* -1: found from via */
};

struct scn_host {
	char name[SCN_NAME_MAX];
	int forwarding;            /* default: more than one adapter */
	sim_time_t input_cost;
	struct scn_adapter adapters[SCN_MAX_ADAPTERS];
	int nadapters;
	struct scn_route routes[SCN_MAX_ROUTES];
	int nroutes;
};

enum scn_traffic_kind { SCN_PING, SCN_UDP, SCN_TRACEROUTE, SCN_WORKDIST };

struct scn_traffic {
	enum scn_traffic_kind kind;
	char label[SCN_NAME_MAX];  /* "ping-A-Y"; generated if absent */
	int from;                  /* host index (master for workdist) */
	int to;                    /* host index */
	uint32_t to_addr;          /* 0: the destination host's first */
	sim_time_t start, stop;    /* stop 0: the scenario's end */
	uint32_t count;
	sim_time_t interval;
	uint32_t size;
	sim_time_t timeout;
	/* udp */
	uint32_t rate;             /* datagrams per second; 0 = saturation */
	uint32_t window;
	uint16_t port;
	/* traceroute */
	uint32_t max_hops, probes;
	/* workdist */
	int workers[SCN_MAX_WORKERS];
	int nworkers;
	uint32_t units, result_size;
	sim_time_t compute;
};

enum scn_fault_kind { SCN_FAULT_BUS_RESET, SCN_FAULT_HOST_DOWN,
		      SCN_FAULT_CABLE_PULL, SCN_FAULT_PARITY };

/* A fault at `at`: a bus reset (by `host`'s adapter on `bus`), a host
 * powered off until `until` (0: for good), a cable pulled from `host`'s
 * adapter on `bus` until `until`, a parity error in the `byte`-th byte
 * `host`'s adapter on `bus` drives from `at` on. */
struct scn_fault {
	enum scn_fault_kind kind;
	char label[SCN_NAME_MAX];
	int bus, host, adapter;
	sim_time_t at, until;
	uint32_t byte;             /* parity: the nth byte host drives */
};

#define SCN_MAX_FAULTS 256

struct scn {
	char file[256];            /* where it came from (messages) */
	char name[64];
	char description[1024];
	uint64_t seed;
	sim_time_t duration;
	int auto_routes;           /* compute shortest-path routes */
	struct scn_bus *buses;
	int nbuses;
	struct scn_host *hosts;
	int nhosts;
	struct scn_traffic *traffic;
	int ntraffic;
	struct scn_fault *faults;
	int nfaults;
	int check;                 /* attach the protocol checker */
};

/* Where load errors go: one line each, "FILE: PATH: REASON". */
struct scn_errors {
	FILE *out;
	int count;
	int max;                   /* stop reporting after this many */
};

/* Load and validate `path`; `sets` are KEY=VALUE overrides by JSON path
 * ("duration=10s", "hosts[2].adapters[0].mtu=576"), applied to the JSON
 * before validation.  Returns 0, or the number of errors reported (the
 * scenario is then unusable, *out is NULL). */
int scn_load(const char *path, const char *const *sets, int nsets,
	     struct scn_errors *errs, struct scn **out);

/* The same from `len` bytes of JSON text already in memory (a fuzzer, a
 * test); `name` stands for the file in messages and gives the default
 * scenario name.  The text need not end with a NUL. */
int scn_load_text(const char *name, const char *text, size_t len,
		  const char *const *sets, int nsets, struct scn_errors *errs,
		  struct scn **out);
void scn_free(struct scn *s);

/* The defaults table, one "key = value  (source)" line each. */
void scn_print_defaults(FILE *out);

/* Is `name` a name (the scenario's, a bus's, a host's, a traffic or
 * fault label): 1 to 31 ASCII letters, digits, '.', '_' or '-', the first
 * a letter or a digit?  0, or -1 with the reason in `why` ("holds ' '";
 * `why` may be NULL).  See scn_load.c for why names are this narrow. */
int scn_name_check(const char *name, char *why, size_t len);

/* Is `text` free text (a description, a comment): UTF-8 with no control
 * character?  0, or -1 with the reason in `why` (may be NULL). */
int scn_text_check(const char *text, char *why, size_t len);

/* Automatic routing ("routing": "auto"), the one computation the loader
 * (which refuses routes that cannot be installed) and the builder (which
 * installs them) share: from host h, breadth first over buses through
 * the forwarding hosts, ties to lower bus, host and adapter indices.
 * dist[b] is how many buses away bus b is (-1: unreachable, 0: h is on
 * it) and via[b] the first gateway's address on h's own bus (0 where
 * dist[b] <= 0).  dist, via and queue (scratch) hold s->nbuses each.
 * Every adapter's bus must be a valid index. */
void scn_auto_hops(const struct scn *s, int h, int *dist, uint32_t *via,
		   int *queue);

#endif
