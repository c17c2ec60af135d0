/*
 * scn_world_priv.h - what the world's builder (scn_world.c) and its
 * reports (scn_results.c) share; nothing outside scenarios/ includes it.
 */
#ifndef SCN_WORLD_PRIV_H
#define SCN_WORLD_PRIV_H

#include "adapter.h"
#include "bus_check.h"
#include "ip_apps.h"
#include "ip_host.h"
#include "ip_net.h"
#include "scn_world.h"

struct scn_app {
	const struct scn_traffic *t;
	struct ip_ping *ping;
	struct ip_traceroute *trace;
	struct ip_udp_sink *sink;
	struct ip_udp_flow *flow;
	struct ip_workdist *work;
};

/* A scheduled fault and what happened while it lasted. */
struct scn_fault_run {
	struct scn_world *w;
	const struct scn_fault *f;
	struct sim_event start_ev, end_ev;
	int started, ended;
	uint64_t drops_at_start[IP_DROP_COUNT];
	uint64_t drops_during[IP_DROP_COUNT];
	uint64_t delivered_at_start, delivered_during;
};

/* Checker findings listed per bus in results.json. */
#define SCN_FINDINGS_KEPT 20

struct scn_world {
	const struct scn *s;
	struct sim sim;
	struct ip_net *net;
	struct bus **bus;
	struct bus_check **chk;
	struct ip_host **host;
	struct adapter **ad;       /* [host * SCN_MAX_ADAPTERS + k] */
	struct scn_app *app;
	int napps;
	struct scn_fault_run *fault;
};

/* A fault's accounting ends (at its end, or at the end of the run). */
void scn_fault_close(struct scn_fault_run *fr);

#endif
