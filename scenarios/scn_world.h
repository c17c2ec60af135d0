/*
 * scn_world.h - a scenario built into a running model (scn.h, step 2):
 * buses, adapters, hosts and their interfaces, routes (given, or the
 * shortest paths through forwarding hosts), and the traffic applications,
 * all through the same public calls a test would use.
 *
 * Ownership: the world owns everything it built; scn_world_destroy()
 * frees it.  The struct scn must outlive the world.
 */
#ifndef SCN_WORLD_H
#define SCN_WORLD_H

#include "bus.h"
#include "bus_check.h"
#include "scn.h"

struct scn_world;

/* Build.  On failure *why gets a sentence naming the scenario element
 * (e.g. "hosts[3].routes[0]: no interface reaches 10.0.9.1").  Errors:
 * SN_EINVAL (the scenario cannot be built as written), SN_ENOMEM. */
enum sn_err scn_world_build(const struct scn *s, struct scn_world **out,
			    char *why, size_t whylen);
void scn_world_destroy(struct scn_world *w);

struct sim *scn_world_sim(struct scn_world *w);
int scn_world_bus_count(const struct scn_world *w);
struct bus *scn_world_bus(struct scn_world *w, int i);
/* Bus i's protocol checker: NULL unless the scenario has check on. */
struct bus_check *scn_world_checker(struct scn_world *w, int i);

/* The ping traffic item i, if it is one: the number of requests, and
 * request seq's RTT (0 if it was not answered in time) by *rtt for seq in
 * 1..count; 0 if item i is no ping. */
uint32_t scn_world_ping_rtt(struct scn_world *w, int i, uint32_t seq,
			    sim_time_t *rtt);
const struct scn *scn_world_scenario(const struct scn_world *w);

/* Run until `until` (absolute simulated time), calling progress (may be
 * NULL) now and then with the time reached. */
void scn_world_run(struct scn_world *w, sim_time_t until,
		   void (*progress)(sim_time_t now, sim_time_t until,
				    void *arg),
		   void *arg);

/* results.json: everything the run measured, byte-identical for the same
 * scenario and seed.  Returns 0, or -1 if writing failed. */
int scn_world_results_json(struct scn_world *w, FILE *out);
/* A readable summary for the terminal. */
void scn_world_summary(struct scn_world *w, FILE *out);
/* The datagram ledger balanced (ip_net_check) and the checker (if on)
 * found nothing: 1; else 0. */
int scn_world_ok(struct scn_world *w);

#endif
