/*
 * scn_results.c - what a run measured: results.json, the summary on the
 * terminal, the verdict (scn_world_ok) and the liveness check behind it
 * (scn_world.h).
 */
#include <cjson/cJSON.h>
#include <string.h>

#include "ip_wire.h"
#include "scn_world_priv.h"

/* --- results ------------------------------------------------------------------------ */

static double us(sim_time_t t)
{
	return (double)t / (double)SIM_US;
}

static cJSON *latency_json(const struct ip_app_latency *l)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "samples", (double)l->n);
	cJSON_AddNumberToObject(o, "min_us", us(l->min));
	cJSON_AddNumberToObject(o, "avg_us", us(l->avg));
	cJSON_AddNumberToObject(o, "p50_us", us(l->p50));
	cJSON_AddNumberToObject(o, "p90_us", us(l->p90));
	cJSON_AddNumberToObject(o, "p99_us", us(l->p99));
	cJSON_AddNumberToObject(o, "max_us", us(l->max));
	return o;
}

static const char *kind_name(enum scn_traffic_kind k)
{
	switch (k) {
	case SCN_PING: return "ping";
	case SCN_UDP: return "udp";
	case SCN_TRACEROUTE: return "traceroute";
	case SCN_WORKDIST: return "workdist";
	}
	return "?";
}

static cJSON *drops_json(const uint64_t *drops);

static cJSON *app_json(struct scn_world *w, struct scn_app *a)
{
	const struct scn *s = w->s;
	const struct scn_traffic *t = a->t;
	char buf[16];
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "label", t->label);
	cJSON_AddStringToObject(o, "type", kind_name(t->kind));
	cJSON_AddStringToObject(o, "from", s->hosts[t->from].name);
	if (t->to >= 0)
		cJSON_AddStringToObject(o, "to", s->hosts[t->to].name);
	if (a->ping) {
		const struct ip_ping_results *r = ip_ping_results(a->ping);
		cJSON_AddNumberToObject(o, "sent", r->sent);
		cJSON_AddNumberToObject(o, "received", r->received);
		cJSON_AddNumberToObject(o, "lost", r->lost);
		cJSON_AddNumberToObject(o, "late", r->late);
		cJSON_AddNumberToObject(o, "duplicates", r->duplicates);
		cJSON_AddNumberToObject(o, "icmp_errors", r->errors);
		cJSON_AddItemToObject(o, "rtt", latency_json(&r->rtt));
		const uint64_t *d = ip_net_sender_drops(
			w->net, ip_host_index(w->host[t->from]), IP_PROTO_ICMP,
			(uint16_t)(0x5300 + (int)(a - w->app)));
		cJSON_AddItemToObject(o, "requests_dropped", drops_json(d));
		cJSON_AddBoolToObject(o, "done", r->done);
	}
	if (a->trace) {
		const struct ip_traceroute_results *r =
			ip_traceroute_results(a->trace);
		cJSON_AddBoolToObject(o, "reached", r->reached);
		cJSON *hops = cJSON_AddArrayToObject(o, "hops");
		for (uint32_t i = 0; i < r->nhops; i++) {
			cJSON *h = cJSON_CreateObject();
			cJSON_AddNumberToObject(h, "ttl", r->hops[i].ttl);
			cJSON_AddStringToObject(
				h, "addr",
				r->hops[i].addr ? ip_addr_str(r->hops[i].addr, buf)
						: "*");
			cJSON *rtts = cJSON_AddArrayToObject(h, "rtt_us");
			for (uint32_t k = 0; k < r->probes; k++) {
				const struct ip_traceroute_probe *p =
					&r->hops[i].probe[k];
				cJSON_AddItemToArray(
					rtts, p->from ? cJSON_CreateNumber(us(p->rtt))
						      : cJSON_CreateNull());
			}
			cJSON_AddItemToArray(hops, h);
		}
	}
	if (a->flow) {
		const struct ip_udp_flow_results *r =
			ip_udp_flow_results(a->flow);
		cJSON_AddNumberToObject(o, "sent", (double)r->sent);
		cJSON_AddNumberToObject(o, "received", (double)r->received);
		cJSON_AddNumberToObject(o, "lost", (double)r->lost);
		cJSON_AddNumberToObject(o, "duplicates", (double)r->duplicates);
		cJSON_AddNumberToObject(o, "reordered", (double)r->reordered);
		cJSON_AddNumberToObject(o, "bytes_received",
					(double)r->bytes_received);
		cJSON_AddNumberToObject(o, "goodput_bytes_per_s", r->goodput);
		const uint64_t *d = ip_net_sender_drops(
			w->net, ip_host_index(w->host[t->from]), IP_PROTO_UDP,
			ip_udp_flow_port(a->flow));
		cJSON_AddItemToObject(o, "dropped", drops_json(d));
		cJSON_AddItemToObject(o, "latency", latency_json(&r->latency));
		cJSON_AddBoolToObject(o, "done", r->done);
	}
	if (a->work) {
		const struct ip_workdist_results *r =
			ip_workdist_results(a->work);
		cJSON_AddNumberToObject(o, "units_sent", r->units_sent);
		cJSON_AddNumberToObject(o, "units_done", r->units_done);
		cJSON_AddNumberToObject(o, "units_lost", r->units_lost);
		cJSON_AddNumberToObject(o, "makespan_us", us(r->makespan));
		cJSON *ws = cJSON_AddArrayToObject(o, "workers");
		for (uint32_t i = 0; i < r->nworkers; i++) {
			cJSON *x = cJSON_CreateObject();
			cJSON_AddStringToObject(
				x, "host", s->hosts[t->workers[i]].name);
			cJSON_AddNumberToObject(x, "units_done",
						r->workers[i].units_done);
			cJSON_AddNumberToObject(x, "busy_us",
						us(r->workers[i].busy));
			cJSON_AddItemToArray(ws, x);
		}
		cJSON_AddBoolToObject(o, "done", r->done);
	}
	return o;
}

static const char *const phase_names[BUS_PH_COUNT_] = {
	[BUS_PH_DATA_OUT] = "data_out", [BUS_PH_DATA_IN] = "data_in",
	[BUS_PH_COMMAND] = "command", [BUS_PH_STATUS] = "status",
	[BUS_PH_RESERVED_4] = "reserved4", [BUS_PH_RESERVED_5] = "reserved5",
	[BUS_PH_MSG_OUT] = "message_out", [BUS_PH_MSG_IN] = "message_in",
	[BUS_PH_BUS_FREE] = "idle", [BUS_PH_ARBITRATION] = "arbitration",
	[BUS_PH_SELECTION] = "selection", [BUS_PH_RESELECTION] = "reselection",
	[BUS_PH_RESET] = "reset",
};

/*
 * Which injected fault caused checker finding v on bus b, if one did (its
 * index), or -1: the model's own violation.  A parity fault makes its
 * adapter drive a byte with bad parity, so the checker's parity finding
 * on that bus, at or after the fault, with that adapter's SCSI ID as a
 * party, is the fault's.  A bus reset cuts whatever was on the bus short
 * at once; a finding within the reset hold of a reset fault on the bus is
 * its.  (Switching a host off or pulling its cable only stops it
 * answering in this model: nothing on the lines to attribute.)
 */
static int finding_fault(const struct scn_world *w, int b,
			 const struct bus_check_violation *v)
{
	const struct scn *s = w->s;
	for (int i = 0; i < s->nfaults; i++) {
		const struct scn_fault *f = &s->faults[i];
		if (f->bus != b || !w->fault[i].started || v->time < f->at)
			continue;
		if (f->kind == SCN_FAULT_PARITY && v->rule == BUS_CHECK_PARITY) {
			int id = s->hosts[f->host].adapters[f->adapter].id;
			for (uint32_t k = 0; k < v->nports; k++)
				if (v->port[k].scsi_id == id)
					return i;
		}
		if (f->kind == SCN_FAULT_BUS_RESET &&
		    v->time <= f->at + BUS_RESET_HOLD_TIME + BUS_CLEAR_DELAY)
			return i;
	}
	return -1;
}

/* The findings on bus b the model itself made (not an injected fault's):
 * what makes a run fail.  Counted over the stored findings; the rest
 * (past BUS_CHECK_KEEP) count as the model's, to be safe. */
static uint64_t model_findings(const struct scn_world *w, int b)
{
	size_t n = bus_check_count(w->chk[b]);
	uint64_t model = bus_check_total(w->chk[b]) - n;
	for (size_t i = 0; i < n; i++)
		if (finding_fault(w, b, bus_check_get(w->chk[b], i)) < 0)
			model++;
	return model;
}

static cJSON *bus_json(struct scn_world *w, int b)
{
	const struct scn *s = w->s;
	sim_time_t now = sim_now(&w->sim);
	sim_time_t ph[BUS_PH_COUNT_];
	bus_phase_times(w->bus[b], now, ph);
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "name", s->buses[b].name);
	cJSON_AddStringToObject(o, "width", bus_width_name(s->buses[b].width));
	cJSON_AddStringToObject(o, "speed", bus_speed_name(s->buses[b].speed));
	cJSON *u = cJSON_AddObjectToObject(o, "utilisation");
	for (int p = 0; p < BUS_PH_COUNT_; p++)
		if (p != BUS_PH_RESERVED_4 && p != BUS_PH_RESERVED_5)
			cJSON_AddNumberToObject(u, phase_names[p],
						now ? (double)ph[p] / (double)now
						    : 0.0);
	uint64_t sel = 0, selto = 0, won = 0, lost = 0, data = 0;
	for (int h = 0; h < s->nhosts; h++)
		for (int k = 0; k < s->hosts[h].nadapters; k++) {
			if (s->hosts[h].adapters[k].bus != b)
				continue;
			const struct bus_dev_stats *d = bus_dev_stats(
				adapter_bus_dev(w->ad[h * SCN_MAX_ADAPTERS + k]));
			sel += d->selections;
			selto += d->sel_timeouts;
			won += d->arb_won;
			lost += d->arb_lost;
			data += d->data_bytes;
		}
	cJSON_AddNumberToObject(o, "selections", (double)sel);
	cJSON_AddNumberToObject(o, "selection_timeouts", (double)selto);
	cJSON_AddNumberToObject(o, "arbitrations_won", (double)won);
	cJSON_AddNumberToObject(o, "arbitrations_lost", (double)lost);
	cJSON_AddNumberToObject(o, "data_bytes", (double)data / 2);
	if (s->check) {
		cJSON_AddNumberToObject(o, "checker_violations",
					(double)bus_check_total(w->chk[b]));
		cJSON_AddNumberToObject(o, "checker_model_violations",
					(double)model_findings(w, b));
		/* the first findings, each with its time, rule and words */
		cJSON *f = cJSON_AddArrayToObject(o, "checker_findings");
		size_t n = bus_check_count(w->chk[b]);
		for (size_t i = 0; i < n && i < SCN_FINDINGS_KEPT; i++) {
			const struct bus_check_violation *v =
				bus_check_get(w->chk[b], i);
			cJSON *e = cJSON_CreateObject();
			cJSON_AddNumberToObject(e, "time_s",
						(double)v->time / (double)SIM_S);
			cJSON_AddStringToObject(e, "rule",
						bus_check_rule_name(v->rule));
			cJSON_AddStringToObject(e, "text", v->text);
			int fi = finding_fault(w, b, v);
			if (fi >= 0)
				cJSON_AddStringToObject(e, "fault",
							s->faults[fi].label);
			cJSON_AddItemToArray(f, e);
		}
	}
	return o;
}

static cJSON *drops_json(const uint64_t *drops)
{
	cJSON *o = cJSON_CreateObject();
	for (int r = 0; drops != NULL && r < IP_DROP_COUNT; r++)
		if (drops[r])
			cJSON_AddNumberToObject(o, ip_drop_name(r),
						(double)drops[r]);
	return o;
}

static cJSON *host_json(struct scn_world *w, int h)
{
	const struct scn *s = w->s;
	const struct ip_host_stats *hs = ip_host_stats(w->host[h]);
	char buf[16];
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "name", s->hosts[h].name);
	cJSON_AddBoolToObject(o, "forwarding", s->hosts[h].forwarding);
	cJSON_AddNumberToObject(o, "sent", (double)hs->sent);
	cJSON_AddNumberToObject(o, "delivered", (double)hs->delivered);
	cJSON_AddNumberToObject(o, "forwarded", (double)hs->forwarded);
	cJSON_AddNumberToObject(o, "fragments_sent", (double)hs->fragments_sent);
	cJSON_AddNumberToObject(o, "reassembled", (double)hs->reassembled);
	cJSON_AddItemToObject(o, "dropped", drops_json(hs->drops));
	cJSON *ifs = cJSON_AddArrayToObject(o, "interfaces");
	for (int k = 0; k < s->hosts[h].nadapters; k++) {
		const struct scn_adapter *a = &s->hosts[h].adapters[k];
		const struct ip_netif_stats *ns =
			ip_host_netif_stats(w->host[h], k);
		struct adapter *ad = w->ad[h * SCN_MAX_ADAPTERS + k];
		const struct adapter_stats *as = adapter_stats(ad);
		cJSON *x = cJSON_CreateObject();
		cJSON_AddStringToObject(x, "bus", s->buses[a->bus].name);
		cJSON_AddNumberToObject(x, "scsi_id", a->id);
		cJSON_AddStringToObject(x, "profile", a->profile);
		cJSON_AddStringToObject(x, "addr", ip_addr_str(a->addr, buf));
		cJSON_AddNumberToObject(x, "mtu", a->mtu);
		cJSON_AddNumberToObject(x, "tx_datagrams",
					(double)ns->tx_datagrams);
		cJSON_AddNumberToObject(x, "rx_datagrams",
					(double)ns->rx_datagrams);
		cJSON_AddNumberToObject(x, "tx_bytes", (double)ns->tx_bytes);
		cJSON_AddNumberToObject(x, "rx_bytes", (double)ns->rx_bytes);
		cJSON_AddNumberToObject(x, "arp_requests",
					(double)ns->arp_requests);
		cJSON_AddNumberToObject(x, "arp_absent_ids",
					(double)ns->arp_absent_ids);
		cJSON_AddNumberToObject(x, "arp_failures",
					(double)ns->arp_failures);
		cJSON_AddNumberToObject(x, "busy_retries",
					(double)as->busy_retries);
		cJSON_AddNumberToObject(x, "error_retries",
					(double)as->error_retries);
		cJSON_AddNumberToObject(x, "busy_answered",
					(double)as->rx_busy_sent);
		double t = (double)sim_now(&w->sim);
		cJSON_AddNumberToObject(x, "host_bus_share",
					t ? (double)as->host_io_time / t : 0);
		cJSON_AddItemToArray(ifs, x);
	}
	return o;
}

/* --- liveness: nothing wedges, and a wedge is never called success ---------- */

/* Datagrams in flight at the end older than this are counted apart:
 * every transfer and retry the model makes is over well within it
 * (BUS_STUCK_LIMIT), so they are waiting on something that may never
 * come (a queue behind a starved ID, a resolution, a stuck device). */
#define SCN_IN_FLIGHT_OLD BUS_STUCK_LIMIT

/* What is stuck at the end of the run: a bus held without a BUS FREE
 * for more than BUS_STUCK_LIMIT, or an adapter with a command and
 * nothing running for it (adapter_stalled).  Calls fn for each. */
static int for_each_stuck(struct scn_world *w,
			  void (*fn)(struct scn_world *w, int bus, int host,
				     int k, enum bus_phase ph,
				     sim_time_t since, void *arg),
			  void *arg)
{
	const struct scn *s = w->s;
	sim_time_t now = sim_now(&w->sim);
	int n = 0;
	for (int b = 0; b < s->nbuses; b++) {
		enum bus_phase ph;
		sim_time_t held = bus_held_for(w->bus[b], now, &ph);
		if (held > BUS_STUCK_LIMIT) {
			n++;
			if (fn)
				fn(w, b, -1, -1, ph, now - held, arg);
		}
	}
	for (int h = 0; h < s->nhosts; h++)
		for (int k = 0; k < s->hosts[h].nadapters; k++) {
			sim_time_t since;
			if (!adapter_stalled(w->ad[h * SCN_MAX_ADAPTERS + k],
					     now, &since))
				continue;
			n++;
			if (fn)
				fn(w, s->hosts[h].adapters[k].bus, h, k,
				   BUS_PH_BUS_FREE, since, arg);
		}
	return n;
}

static void stuck_json(struct scn_world *w, int bus, int host, int k,
		       enum bus_phase ph, sim_time_t since, void *arg)
{
	(void)k;
	cJSON *x = cJSON_CreateObject();
	cJSON_AddStringToObject(x, "bus", w->s->buses[bus].name);
	if (host >= 0) {
		cJSON_AddStringToObject(x, "host", w->s->hosts[host].name);
		cJSON_AddStringToObject(x, "what", "a command waits and the "
						   "adapter does nothing");
	} else {
		cJSON_AddStringToObject(x, "phase", phase_names[ph]);
		cJSON_AddStringToObject(x, "what", "held without a BUS FREE");
	}
	cJSON_AddNumberToObject(x, "since_s", (double)since / (double)SIM_S);
	cJSON_AddItemToArray(arg, x);
}

static void liveness_json(struct scn_world *w, cJSON *root)
{
	sim_time_t now = sim_now(&w->sim), oldest;
	cJSON *l = cJSON_AddObjectToObject(root, "liveness");
	cJSON *st = cJSON_AddArrayToObject(l, "stuck");
	for_each_stuck(w, stuck_json, st);
	uint64_t old = ip_net_in_flight_ages(
		w->net, now > SCN_IN_FLIGHT_OLD ? now - SCN_IN_FLIGHT_OLD : 0,
		&oldest);
	cJSON_AddNumberToObject(l, "in_flight", (double)ip_net_in_flight(w->net));
	cJSON_AddNumberToObject(l, "in_flight_older_than_1s", (double)old);
	cJSON_AddNumberToObject(l, "in_flight_oldest_age_s",
				oldest == SIM_TIME_MAX
					? 0.0
					: (double)(now - oldest) / (double)SIM_S);
}

static void stuck_line(struct scn_world *w, int bus, int host, int k,
		       enum bus_phase ph, sim_time_t since, void *arg)
{
	(void)k;
	FILE *out = arg;
	char ts[40];
	sim_time_format_fixed(since, SIM_S, 9, ts, sizeof ts);
	if (host >= 0)
		fprintf(out, "  STUCK: host %s on bus %s: a command waits since "
			     "%s s and its adapter does nothing\n",
			w->s->hosts[host].name, w->s->buses[bus].name, ts);
	else
		fprintf(out, "  STUCK: bus %s held in %s since %s s without a "
			     "BUS FREE\n",
			w->s->buses[bus].name, bus_phase_name(ph), ts);
}

int scn_world_results_json(struct scn_world *w, FILE *out)
{
	const struct scn *s = w->s;
	cJSON *root = cJSON_CreateObject();
	char buf[32];
	cJSON_AddStringToObject(root, "scenario", s->name);
	cJSON_AddNumberToObject(root, "seed", (double)s->seed);
	sim_time_format(sim_now(&w->sim), buf, sizeof buf);
	cJSON_AddStringToObject(root, "simulated", buf);
	cJSON *tr = cJSON_AddArrayToObject(root, "traffic");
	for (int i = 0; i < w->napps; i++)
		cJSON_AddItemToArray(tr, app_json(w, &w->app[i]));
	cJSON *buses = cJSON_AddArrayToObject(root, "buses");
	for (int b = 0; b < s->nbuses; b++)
		cJSON_AddItemToArray(buses, bus_json(w, b));
	cJSON *hosts = cJSON_AddArrayToObject(root, "hosts");
	for (int h = 0; h < s->nhosts; h++)
		cJSON_AddItemToArray(hosts, host_json(w, h));
	cJSON *faults = cJSON_AddArrayToObject(root, "faults");
	for (int i = 0; i < s->nfaults; i++) {
		struct scn_fault_run *fr = &w->fault[i];
		const struct scn_fault *f = fr->f;
		static const char *const kinds[] = { "bus_reset", "host_down",
						     "cable_pull", "parity" };
		cJSON *x = cJSON_CreateObject();
		cJSON_AddStringToObject(x, "label", f->label);
		cJSON_AddStringToObject(x, "type", kinds[f->kind]);
		if (f->host >= 0)
			cJSON_AddStringToObject(x, "host", s->hosts[f->host].name);
		if (f->bus >= 0)
			cJSON_AddStringToObject(x, "bus", s->buses[f->bus].name);
		sim_time_format(f->at, buf, sizeof buf);
		cJSON_AddStringToObject(x, "at", buf);
		if (f->until) {
			sim_time_format(f->until, buf, sizeof buf);
			cJSON_AddStringToObject(x, "until", buf);
		}
		cJSON_AddBoolToObject(x, "happened", fr->started);
		if (fr->started && !fr->ended)
			scn_fault_close(fr); /* to the end of the run */
		cJSON *d = cJSON_AddObjectToObject(x, "while_it_lasted");
		cJSON_AddNumberToObject(d, "delivered",
					(double)fr->delivered_during);
		cJSON_AddItemToObject(d, "dropped", drops_json(fr->drops_during));
		cJSON_AddItemToArray(faults, x);
	}
	const struct ip_net_stats *ns = ip_net_stats(w->net);
	cJSON *c = cJSON_AddObjectToObject(root, "conservation");
	cJSON_AddNumberToObject(c, "sent", (double)ns->sent);
	cJSON_AddNumberToObject(c, "delivered", (double)ns->delivered);
	cJSON_AddNumberToObject(c, "dropped", (double)ns->dropped);
	cJSON_AddNumberToObject(c, "in_flight",
				(double)ip_net_in_flight(w->net));
	cJSON_AddItemToObject(c, "dropped_by_reason", drops_json(ns->drops));
	cJSON_AddBoolToObject(c, "balanced", ip_net_check(w->net) == 0);
	liveness_json(w, root);
	char *text = cJSON_Print(root);
	cJSON_Delete(root);
	if (text == NULL)
		return -1;
	int rc = fputs(text, out) < 0 || fputc('\n', out) == EOF ? -1 : 0;
	cJSON_free(text);
	return rc;
}

int scn_world_ok(struct scn_world *w)
{
	if (ip_net_check(w->net) != 0)
		return 0;
	if (for_each_stuck(w, NULL, NULL) != 0)
		return 0;
	for (int b = 0; w->s->check && b < w->s->nbuses; b++)
		if (model_findings(w, b) != 0)
			return 0;
	return 1;
}

void scn_world_summary(struct scn_world *w, FILE *out)
{
	const struct scn *s = w->s;
	char buf[32];
	sim_time_format(sim_now(&w->sim), buf, sizeof buf);
	fprintf(out, "scenario %s: %d buses, %d hosts, %s simulated, seed %llu\n",
		s->name, s->nbuses, s->nhosts, buf,
		(unsigned long long)s->seed);
	for (int i = 0; i < w->napps; i++) {
		struct scn_app *a = &w->app[i];
		const struct scn_traffic *t = a->t;
		fprintf(out, "  %-16s %-10s %s -> %s: ", t->label,
			kind_name(t->kind), s->hosts[t->from].name,
			t->to >= 0 ? s->hosts[t->to].name : "workers");
		if (a->ping) {
			const struct ip_ping_results *r = ip_ping_results(a->ping);
			fprintf(out, "%u/%u answered, rtt min/avg/max "
				     "%.3f/%.3f/%.3f ms\n",
				r->received, r->sent, us(r->rtt.min) / 1e3,
				us(r->rtt.avg) / 1e3, us(r->rtt.max) / 1e3);
		} else if (a->flow) {
			const struct ip_udp_flow_results *r =
				ip_udp_flow_results(a->flow);
			fprintf(out, "%llu/%llu received, %.3f MB/s, latency "
				     "p50 %.3f ms\n",
				(unsigned long long)r->received,
				(unsigned long long)r->sent, r->goodput / 1e6,
				us(r->latency.p50) / 1e3);
		} else if (a->trace) {
			const struct ip_traceroute_results *r =
				ip_traceroute_results(a->trace);
			fprintf(out, "%u hops, %s\n", r->nhops,
				r->reached ? "reached" : "not reached");
		} else if (a->work) {
			const struct ip_workdist_results *r =
				ip_workdist_results(a->work);
			fprintf(out, "%u/%u units, makespan %.3f s\n",
				r->units_done, r->units_sent,
				us(r->makespan) / 1e6);
		}
	}
	const struct ip_net_stats *ns = ip_net_stats(w->net);
	fprintf(out, "  datagrams: %llu sent = %llu delivered + %llu dropped + "
		     "%llu in flight (%s)\n",
		(unsigned long long)ns->sent,
		(unsigned long long)ns->delivered,
		(unsigned long long)ns->dropped,
		(unsigned long long)ip_net_in_flight(w->net),
		ip_net_check(w->net) == 0 ? "balanced" : "NOT BALANCED");
	for (int r = 0; r < IP_DROP_COUNT; r++)
		if (ns->drops[r])
			fprintf(out, "    dropped %-24s %llu\n", ip_drop_name(r),
				(unsigned long long)ns->drops[r]);
	sim_time_t now = sim_now(&w->sim), oldest;
	uint64_t old = ip_net_in_flight_ages(
		w->net, now > SCN_IN_FLIGHT_OLD ? now - SCN_IN_FLIGHT_OLD : 0,
		&oldest);
	if (old > 0) {
		char age[40];
		sim_time_format_fixed(now - oldest, SIM_S, 3, age, sizeof age);
		fprintf(out, "    in flight for over 1 s: %llu (the oldest "
			     "for %s s)\n",
			(unsigned long long)old, age);
	}
	for_each_stuck(w, stuck_line, out);
	for (int b = 0; b < s->nbuses; b++) {
		sim_time_t ph[BUS_PH_COUNT_];
		bus_phase_times(w->bus[b], sim_now(&w->sim), ph);
		double t = (double)sim_now(&w->sim);
		fprintf(out, "  bus %-10s busy %5.1f%% (data %5.1f%%)%s\n",
			s->buses[b].name,
			t ? 100.0 * (1.0 - (double)ph[BUS_PH_BUS_FREE] / t) : 0,
			t ? 100.0 * (double)(ph[BUS_PH_DATA_OUT] +
					     ph[BUS_PH_DATA_IN]) / t
			  : 0,
			!s->check || !bus_check_total(w->chk[b]) ? ""
			: model_findings(w, b) ? "  PROTOCOL VIOLATIONS"
					       : "  findings of injected faults");
		size_t n = s->check ? bus_check_count(w->chk[b]) : 0;
		for (size_t i = 0; i < n && i < 3; i++) {
			const struct bus_check_violation *v =
				bus_check_get(w->chk[b], i);
			char ts[40];
			sim_time_format_fixed(v->time, SIM_S, 9, ts, sizeof ts);
			int fi = finding_fault(w, b, v);
			fprintf(out, "    %s s  %s%s%s%s\n", ts, v->text,
				fi >= 0 ? " [injected: " : "",
				fi >= 0 ? s->faults[fi].label : "",
				fi >= 0 ? "]" : "");
		}
		if (n > 3)
			fprintf(out, "    ... %llu in all (results.json lists "
				     "the first %d)\n",
				(unsigned long long)bus_check_total(w->chk[b]),
				SCN_FINDINGS_KEPT);
	}
}
