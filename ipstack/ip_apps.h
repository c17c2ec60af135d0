/*
 * ip_apps.h - the traffic applications a scenario schedules on hosts:
 * ping (ICMP echo, RFC 792), a classic UDP traceroute (Van Jacobson's,
 * RFC 792 time exceeded and port unreachable), a measured UDP flow with
 * its sink, and a master/worker work distribution over UDP in the manner
 * of a PVM cluster.
 *
 * Every application is an object with the same life cycle:
 *
 *     ip_X_create(host, &config, &obj)   validate, open its sockets, and
 *                                        schedule its start at
 *                                        config.start (absolute time)
 *     ...the simulation runs...
 *     ip_X_results(obj)                  what happened so far
 *     ip_X_destroy(obj)                  cancel every event, close every
 *                                        socket, free everything
 *
 * Results are taken from the simulation only: a time is sim_now() when a
 * datagram was handed to the stack or when the stack handed one up (after
 * the receiving host's input cost), never a formula.  Nothing here draws
 * random numbers, so an application is as deterministic as the world it
 * runs in.
 *
 * Latency figures (struct ip_app_latency) are over the samples taken so
 * far: min, max, the mean (sum / n, truncated to a picosecond), and
 * nearest-rank percentiles: the P-th percentile of n sorted samples
 * x[1] <= ... <= x[n] is x[ceil(P * n / 100)], an actual sample, never an
 * interpolation (so p50 of 1, 2, 3, 4 is 2, and p99 of fewer than 100
 * samples is the maximum).  All zero while n is 0.  ip_ping_results and
 * ip_udp_flow_results take a non-const object because they sort the
 * samples on demand (only when new ones came since the last call).
 *
 * Config validation: SN_EINVAL for a missing or malformed value (a
 * NULL pointer, address 0, a size the protocol cannot carry), SN_ERANGE
 * for a well-formed value out of its range, SN_EEXIST when an ICMP
 * identifier or UDP port is taken, SN_ENOMEM.  Each config field says
 * which it gives.  A start in the past (before sim_now) is SN_ERANGE, and
 * so is any duration (interval, timeout, compute time) longer than
 * IP_APP_MAX_DURATION, which keeps every timer inside the clock's range
 * (about 213 days) for any run shorter than half a year.
 *
 * Ownership: configs are copied (the workdist's worker array too);
 * results point into their object and live until its destroy.  Objects
 * must be destroyed before their hosts.
 */
#ifndef IP_APPS_H
#define IP_APPS_H

#include <stdint.h>

#include "ip_host.h"

#define IP_APP_MAX_DURATION (30 * 24 * 3600 * SIM_S) /* 30 days */

/* Defaults and their sources. */
#define IP_PING_INTERVAL (1 * SIM_S)   /* ping(8): one a second */
#define IP_PING_TIMEOUT (10 * SIM_S)   /* iputils ping's MAXWAIT, 10 s */
#define IP_TRACEROUTE_MAX_HOPS 30      /* traceroute(8): -m 30 */
#define IP_TRACEROUTE_PROBES 3         /* traceroute(8): -q 3 */
#define IP_TRACEROUTE_TIMEOUT (5 * SIM_S) /* traceroute(8): -w 5 */
#define IP_TRACEROUTE_PORT 33434       /* traceroute(8): -p 33434 */
#define IP_TRACEROUTE_MAX_PROBES 10    /* traceroute(8) caps -q at 10 */
#define IP_TRACEROUTE_DATA 12          /* LBL traceroute's 40-byte probe:
					* 20 IP + 8 UDP + 12 data */
#define IP_UDP_FLOW_TIMEOUT (1 * SIM_S)
#define IP_UDP_FLOW_HDR 16             /* sequence number + send time */
#define IP_WORKDIST_TIMEOUT (10 * SIM_S)
#define IP_WORKDIST_HDR 8              /* unit number + dispatch serial */
#define IP_UDP_MAX_DATA 65507          /* 65535 - 20 IP - 8 UDP */

/* Latency statistics (see the top of this file for the definitions). */
struct ip_app_latency {
	uint64_t n;                /* samples */
	sim_time_t min, avg, max;
	sim_time_t p50, p90, p99;  /* nearest rank */
};

/* --- ping ------------------------------------------------------------------ */

struct ip_ping_config {
	uint32_t dst;              /* SN_EINVAL if 0 */
	uint32_t count;            /* requests, 1..65535 (seq = 1..count),
				    * else SN_ERANGE */
	sim_time_t interval;       /* between requests; 0 = IP_PING_INTERVAL */
	uint32_t size;             /* echo data bytes, 0..65507 (SN_ERANGE);
				    * ping(8)'s usual is 56 */
	sim_time_t timeout;        /* a request unanswered this long after
				    * it was sent is lost; 0 =
				    * IP_PING_TIMEOUT */
	uint16_t id;               /* ICMP identifier; SN_EEXIST if another
				    * listener on the host has it */
	sim_time_t start;          /* absolute time of the first request */
};

struct ip_ping_results {
	uint32_t sent;
	uint32_t received;         /* requests answered within the timeout */
	uint32_t lost;             /* requests whose timeout passed first */
	uint32_t duplicates;       /* further replies to an answered one */
	uint32_t late;             /* replies after their request was lost
				    * (the request stays lost) */
	uint32_t errors;           /* ICMP errors about our requests */
	uint8_t last_error_type, last_error_code;
	uint32_t last_error_from;
	struct ip_app_latency rtt; /* over the requests received */
	int done;                  /* every request answered or lost */
	sim_time_t done_at;        /* when the last of them was decided */
};

struct ip_ping;

enum sn_err ip_ping_create(struct ip_host *h, const struct ip_ping_config *c,
			   struct ip_ping **out);
void ip_ping_destroy(struct ip_ping *p);
const struct ip_ping_results *ip_ping_results(struct ip_ping *p);
/* The RTT of request `seq` (1..count), or 0 if it was not answered in
 * time. */
sim_time_t ip_ping_rtt(const struct ip_ping *p, uint32_t seq);

/* --- traceroute ---------------------------------------------------------- */

struct ip_traceroute_config {
	uint32_t dst;              /* SN_EINVAL if 0 */
	uint32_t max_hops;         /* 1..255 (SN_ERANGE); 0 =
				    * IP_TRACEROUTE_MAX_HOPS */
	uint32_t probes;           /* per hop, 1..IP_TRACEROUTE_MAX_PROBES
				    * (SN_ERANGE); 0 = IP_TRACEROUTE_PROBES */
	sim_time_t timeout;        /* per probe; 0 = IP_TRACEROUTE_TIMEOUT */
	uint16_t base_port;        /* 0 = IP_TRACEROUTE_PORT; SN_ERANGE if
				    * base_port + max_hops * probes > 65535 */
	sim_time_t start;
};

enum ip_traceroute_status {
	IP_TR_NOT_SENT,            /* the trace ended before this probe */
	IP_TR_WAITING,             /* sent, nothing yet */
	IP_TR_TIMEOUT,             /* '*': nothing within the timeout */
	IP_TR_TIME_EXCEEDED,       /* a router on the way answered */
	IP_TR_REACHED,             /* port unreachable: the destination */
	IP_TR_UNREACH,             /* another destination unreachable
				    * (traceroute's !N !H !P ...) */
};

struct ip_traceroute_probe {
	uint8_t status;            /* enum ip_traceroute_status */
	uint8_t type, code;        /* of the ICMP answer */
	uint16_t port;             /* the UDP destination port it went to */
	uint32_t from;             /* who answered; 0 if nobody */
	sim_time_t rtt;            /* answer time - send time; 0 if none */
};

struct ip_traceroute_hop {
	uint32_t ttl;
	uint32_t addr;             /* the first responder; 0 if none */
	struct ip_traceroute_probe probe[IP_TRACEROUTE_MAX_PROBES];
};

struct ip_traceroute_results {
	uint32_t nhops;            /* hops tried (entries in hops) */
	uint32_t probes;           /* per hop */
	uint32_t sent, answered, timeouts;
	uint32_t late;             /* answers to a probe already timed out */
	int reached;               /* port unreachable came back */
	int done;
	sim_time_t done_at;
	const struct ip_traceroute_hop *hops; /* hops[0] is TTL 1 */
};

struct ip_traceroute;

/* The trace probes hop after hop, one probe at a time: probe k (1..probes)
 * of hop h has TTL h and goes to UDP port base_port + (h-1) * probes + k,
 * so the port quoted in an ICMP error names the probe (the first goes to
 * base_port + 1, as in LBL traceroute).  An answer or a timeout sends the
 * next probe at once.  The trace ends after the hop in which any probe
 * got a destination unreachable (port unreachable: reached), or after
 * max_hops. */
enum sn_err ip_traceroute_create(struct ip_host *h,
				 const struct ip_traceroute_config *c,
				 struct ip_traceroute **out);
void ip_traceroute_destroy(struct ip_traceroute *t);
const struct ip_traceroute_results *ip_traceroute_results(
	const struct ip_traceroute *t);

/* --- UDP flow and sink ----------------------------------------------------
 *
 * A sink is a UDP port on the receiving host.  A flow is a sender on
 * another (or the same) host registered with a sink: every datagram
 * carries in its first 16 bytes a sequence number (8 bytes, big-endian,
 * from 0) and its send time in picoseconds (8 bytes); the sink finds the
 * flow by the datagram's source address and port and reports the
 * reception to it, so the flow's results hold both ends.  That report is
 * simulation bookkeeping, not a packet: the window below is released by
 * what the sink really received, without acknowledgements on the wire.
 *
 * Modes:
 *   rate > 0   one datagram every 1/rate s (the k-th at start + k s/rate,
 *              exactly), whatever happens to them.
 *   rate = 0   saturation: at most `window` datagrams outstanding (sent,
 *              neither received nor timed out); a reception or a timeout
 *              releases a slot and the next datagram leaves at once.  The
 *              stack gives no send-buffer feedback, so this is how
 *              saturation is defined: with window 1 it measures
 *              one-datagram-at-a-time goodput (each datagram waits for the
 *              previous one to reach the sink), with a larger window the
 *              pipeline the adapters and the receiver allow.
 * The flow is done when it has sent everything (count reached, or stop
 * passed) and each datagram is received or has timed out.
 */

struct ip_udp_sink;

struct ip_udp_sink_results {
	uint64_t datagrams, bytes; /* every datagram the port took */
	uint64_t unknown;          /* from no registered flow, or shorter
				    * than IP_UDP_FLOW_HDR */
	uint32_t flows;            /* flows registered now */
};

/* Errors: SN_EINVAL (port 0), SN_EEXIST (port taken), SN_ENOMEM. */
enum sn_err ip_udp_sink_create(struct ip_host *h, uint16_t port,
			       struct ip_udp_sink **out);
/* Flows still registered lose their sink (their later datagrams find a
 * closed port); destroying the flows first is the usual order. */
void ip_udp_sink_destroy(struct ip_udp_sink *k);
const struct ip_udp_sink_results *ip_udp_sink_results(
	const struct ip_udp_sink *k);

struct ip_udp_flow_config {
	uint32_t dst;              /* SN_EINVAL if 0 or not an address of
				    * the sink's host */
	uint16_t dport;            /* SN_EINVAL unless the sink's port */
	struct ip_udp_sink *sink;  /* SN_EINVAL if NULL */
	uint32_t size;             /* UDP payload bytes: SN_EINVAL below
				    * IP_UDP_FLOW_HDR, SN_ERANGE above
				    * IP_UDP_MAX_DATA */
	uint32_t rate;             /* datagrams per second; 0 = saturation;
				    * SN_ERANGE above 1e7 (the send times
				    * are computed exactly in 64 bits) */
	uint32_t window;           /* saturation: 0 = 1 */
	uint32_t count;            /* datagrams; 0 = until stop (SN_EINVAL
				    * for a saturated flow to its own host,
				    * which would never let time pass) */
	sim_time_t stop;           /* absolute: nothing is sent at or after
				    * it; 0 = none.  SN_EINVAL if count
				    * and stop are both 0, SN_ERANGE if
				    * stop <= start */
	sim_time_t timeout;        /* a datagram not received this long
				    * after it was sent is counted timed
				    * out; 0 = IP_UDP_FLOW_TIMEOUT */
	sim_time_t start;
};

struct ip_udp_flow_results {
	uint64_t sent;
	uint64_t received;         /* distinct datagrams that reached the
				    * sink, late ones included */
	uint64_t lost;             /* sent - received */
	uint64_t duplicates;       /* further copies of a received one */
	uint64_t reordered;        /* first copies arriving after a datagram
				    * sent later */
	uint64_t timeouts;         /* datagrams whose timeout passed first */
	uint64_t late;             /* ... that arrived after all */
	uint64_t errors;           /* ICMP errors about its datagrams */
	uint8_t last_error_type, last_error_code;
	uint32_t last_error_from;
	uint64_t bytes_sent, bytes_received; /* payload, first copies */
	sim_time_t first_send, last_rx;
	double goodput;            /* bytes_received / (last_rx -
				    * first_send), in bytes per second; 0
				    * until something arrived */
	struct ip_app_latency latency; /* one way: reception - send time */
	int done;
	sim_time_t done_at;
};

struct ip_udp_flow;

/* The flow sends from an ephemeral port of h. */
enum sn_err ip_udp_flow_create(struct ip_host *h,
			       const struct ip_udp_flow_config *c,
			       struct ip_udp_flow **out);
void ip_udp_flow_destroy(struct ip_udp_flow *f);
const struct ip_udp_flow_results *ip_udp_flow_results(struct ip_udp_flow *f);
/* The ephemeral UDP port the flow sends from. */
uint16_t ip_udp_flow_port(const struct ip_udp_flow *f);

/* --- work distribution -------------------------------------------------------
 *
 * A master hands work units to workers over UDP, as a PVM master does
 * with pvm_send to its slaves: each idle worker gets one unit (unit_size
 * bytes; the IP layer fragments what its MTU cannot carry), computes for
 * `compute` simulated time, and answers with result_size bytes; the
 * master then gives that worker the next unit.  A unit whose result has
 * not come back unit_timeout after it was sent is counted lost (no
 * retry) and the worker gets the next one; a result arriving later is
 * counted late and ignored.  A worker busy with an earlier unit queues
 * the next one.
 *
 * Both ends belong to this one object: the master's socket is an
 * ephemeral port on the master host, each worker listens on `port` of
 * its host and is addressed by its host's first interface's address.
 */

struct ip_workdist_config {
	struct ip_host *master;    /* SN_EINVAL if NULL */
	struct ip_host *const *workers; /* nworkers hosts; SN_EINVAL if
					 * NULL or one is NULL, SN_EEXIST if
					 * one appears twice */
	uint32_t nworkers;         /* 1..1024, else SN_ERANGE */
	uint32_t units;            /* at least 1, else SN_ERANGE */
	uint32_t unit_size;        /* bytes to a worker: SN_ERANGE below
				    * IP_WORKDIST_HDR, SN_EINVAL above
				    * IP_UDP_MAX_DATA */
	sim_time_t compute;        /* per unit, at the worker */
	uint32_t result_size;      /* bytes back: as unit_size */
	uint16_t port;             /* the workers'; SN_EINVAL if 0 */
	sim_time_t unit_timeout;   /* 0 = IP_WORKDIST_TIMEOUT */
	sim_time_t start;
};

struct ip_workdist_worker {
	uint32_t addr;             /* where its units go */
	uint32_t units_done;       /* results the master took */
	uint32_t units_lost;       /* timed out at the master */
	uint32_t units_computed;   /* at the worker (late ones included) */
	sim_time_t busy;           /* time spent computing */
	uint64_t bytes_in, bytes_out; /* the worker's UDP payload bytes */
};

struct ip_workdist_results {
	uint32_t units_sent, units_done, units_lost, late_results;
	sim_time_t first_send, last_result;
	sim_time_t makespan;       /* last_result - first_send; 0 if no
				    * result came */
	uint64_t bytes_sent;       /* payload bytes, master and workers */
	uint64_t bytes_received;   /* payload bytes taken by the sockets */
	int done;                  /* every unit returned or lost */
	sim_time_t done_at;
	uint32_t nworkers;
	const struct ip_workdist_worker *workers;
};

struct ip_workdist;

enum sn_err ip_workdist_create(const struct ip_workdist_config *c,
			       struct ip_workdist **out);
void ip_workdist_destroy(struct ip_workdist *w);
const struct ip_workdist_results *ip_workdist_results(
	const struct ip_workdist *w);

#endif
