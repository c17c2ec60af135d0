/*
 * scn_world.c - build, run and report a scenario (scn_world.h).
 */
#include "scn_world.h"

#include <cjson/cJSON.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "adapter.h"
#include "bus_check.h"
#include "ip_apps.h"
#include "ip_host.h"
#include "ip_wire.h"

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

static void why_set(char *why, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void why_set(char *why, size_t len, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, len, fmt, ap);
	va_end(ap);
}

struct sim *scn_world_sim(struct scn_world *w)
{
	return &w->sim;
}

int scn_world_bus_count(const struct scn_world *w)
{
	return w->s->nbuses;
}

struct bus *scn_world_bus(struct scn_world *w, int i)
{
	return i >= 0 && i < w->s->nbuses ? w->bus[i] : NULL;
}

struct bus_check *scn_world_checker(struct scn_world *w, int i)
{
	return i >= 0 && i < w->s->nbuses && w->chk ? w->chk[i] : NULL;
}

static uint32_t mask_of(uint8_t plen)
{
	return plen ? 0xffffffffu << (32 - plen) : 0;
}

/* --- routes: the shortest paths through forwarding hosts ------------------- */

/* For host h: to each subnet it is not on, the first gateway on a path
 * with the fewest buses (scn_auto_hops, which the loader shares to
 * refuse what cannot be installed). */
static enum sn_err auto_routes(struct scn_world *w, int h, char *why,
			       size_t whylen)
{
	const struct scn *s = w->s;
	int nb = s->nbuses;
	int *dist = malloc((size_t)nb * sizeof *dist);
	uint32_t *via = malloc((size_t)nb * sizeof *via);
	int *queue = malloc((size_t)nb * sizeof *queue);
	if (!dist || !via || !queue) {
		free(dist);
		free(via);
		free(queue);
		return SN_ENOMEM;
	}
	scn_auto_hops(s, h, dist, via, queue);
	enum sn_err err = SN_OK;
	/* a route to each subnet on each reachable bus */
	for (int g = 0; g < s->nhosts && err == SN_OK; g++) {
		for (int k = 0; k < s->hosts[g].nadapters && err == SN_OK;
		     k++) {
			const struct scn_adapter *a = &s->hosts[g].adapters[k];
			if (dist[a->bus] <= 0)
				continue; /* unreachable, or on our bus */
			uint32_t prefix = a->addr & mask_of(a->plen);
			err = ip_host_add_route(w->host[h], prefix, a->plen,
						via[a->bus], -1,
						(uint32_t)dist[a->bus]);
			if (err == SN_EEXIST)
				err = SN_OK; /* another adapter's subnet */
			if (err != SN_OK)
				why_set(why, whylen,
					"hosts[%d]: automatic route to the "
					"subnet of hosts[%d].adapters[%d]: %s",
					h, g, k, sn_strerror(err));
		}
	}
	free(dist);
	free(via);
	free(queue);
	return err;
}

/* --- traffic ------------------------------------------------------------------ */

static uint32_t host_addr(const struct scn *s, int h)
{
	return s->hosts[h].adapters[0].addr;
}

static enum sn_err start_app(struct scn_world *w, struct scn_app *a,
			     char *why, size_t whylen, int index)
{
	const struct scn *s = w->s;
	const struct scn_traffic *t = a->t;
	uint32_t dst = t->to >= 0 ? (t->to_addr ? t->to_addr
						: host_addr(s, t->to))
				  : 0;
	enum sn_err err = SN_OK;
	switch (t->kind) {
	case SCN_PING: {
		struct ip_ping_config c = {
			.dst = dst, .count = t->count, .interval = t->interval,
			.size = t->size, .timeout = t->timeout,
			.id = (uint16_t)(0x5300 + index), .start = t->start,
		};
		err = ip_ping_create(w->host[t->from], &c, &a->ping);
		break;
	}
	case SCN_TRACEROUTE: {
		struct ip_traceroute_config c = {
			.dst = dst, .max_hops = t->max_hops,
			.probes = t->probes, .timeout = t->timeout,
			.start = t->start,
		};
		err = ip_traceroute_create(w->host[t->from], &c, &a->trace);
		break;
	}
	case SCN_UDP: {
		/* flows to the same host and port share its sink */
		struct ip_udp_sink *sink = NULL;
		for (int k = 0; k < index && sink == NULL; k++)
			if (w->app[k].sink && w->app[k].t->to == t->to &&
			    w->app[k].t->port == t->port)
				sink = w->app[k].sink;
		if (sink == NULL) {
			err = ip_udp_sink_create(w->host[t->to], t->port,
						 &a->sink);
			if (err != SN_OK)
				break;
			sink = a->sink;
		}
		struct ip_udp_flow_config c = {
			.dst = dst, .dport = t->port, .sink = sink,
			.size = t->size, .rate = t->rate, .window = t->window,
			.count = t->count, .stop = t->stop,
			.timeout = t->timeout, .start = t->start,
		};
		err = ip_udp_flow_create(w->host[t->from], &c, &a->flow);
		break;
	}
	case SCN_WORKDIST: {
		struct ip_host *workers[SCN_MAX_WORKERS];
		for (int i = 0; i < t->nworkers; i++)
			workers[i] = w->host[t->workers[i]];
		struct ip_workdist_config c = {
			.master = w->host[t->from], .workers = workers,
			.nworkers = (uint32_t)t->nworkers, .units = t->units,
			.unit_size = t->size, .compute = t->compute,
			.result_size = t->result_size, .port = t->port,
			.unit_timeout = t->timeout, .start = t->start,
		};
		err = ip_workdist_create(&c, &a->work);
		break;
	}
	}
	if (err != SN_OK)
		why_set(why, whylen, "traffic[%d] (%s): cannot start: %s",
			index, t->label, sn_strerror(err));
	return err;
}

/* --- faults -------------------------------------------------------------------- */

static struct adapter *fault_adapter(struct scn_world *w,
				     const struct scn_fault *f)
{
	return w->ad[f->host * SCN_MAX_ADAPTERS + f->adapter];
}

static void fault_snapshot(struct scn_fault_run *fr)
{
	const struct ip_net_stats *ns = ip_net_stats(fr->w->net);
	memcpy(fr->drops_at_start, ns->drops, sizeof fr->drops_at_start);
	fr->delivered_at_start = ns->delivered;
}

static void fault_close(struct scn_fault_run *fr)
{
	const struct ip_net_stats *ns = ip_net_stats(fr->w->net);
	for (int r = 0; r < IP_DROP_COUNT; r++)
		fr->drops_during[r] = ns->drops[r] - fr->drops_at_start[r];
	fr->delivered_during = ns->delivered - fr->delivered_at_start;
	fr->ended = 1;
}

static void fault_start(struct sim *sim, struct sim_event *ev, void *arg)
{
	(void)sim;
	(void)ev;
	struct scn_fault_run *fr = arg;
	const struct scn_fault *f = fr->f;
	fr->started = 1;
	fault_snapshot(fr);
	switch (f->kind) {
	case SCN_FAULT_BUS_RESET:
		adapter_reset_bus(fault_adapter(fr->w, f));
		break;
	case SCN_FAULT_HOST_DOWN:
		ip_host_set_up(fr->w->host[f->host], 0);
		break;
	case SCN_FAULT_CABLE_PULL:
		adapter_attach(fault_adapter(fr->w, f), 0);
		break;
	case SCN_FAULT_PARITY:
		bus_dev_inject_parity_error(
			adapter_bus_dev(fault_adapter(fr->w, f)), f->byte);
		break;
	}
}

static void fault_end(struct sim *sim, struct sim_event *ev, void *arg)
{
	(void)sim;
	(void)ev;
	struct scn_fault_run *fr = arg;
	const struct scn_fault *f = fr->f;
	if (f->kind == SCN_FAULT_HOST_DOWN)
		ip_host_set_up(fr->w->host[f->host], 1);
	else if (f->kind == SCN_FAULT_CABLE_PULL)
		adapter_attach(fault_adapter(fr->w, f), 1);
	fault_close(fr);
}

static enum sn_err schedule_faults(struct scn_world *w)
{
	const struct scn *s = w->s;
	if (s->nfaults == 0)
		return SN_OK;
	w->fault = calloc((size_t)s->nfaults, sizeof *w->fault);
	if (w->fault == NULL)
		return SN_ENOMEM;
	for (int i = 0; i < s->nfaults; i++) {
		struct scn_fault_run *fr = &w->fault[i];
		fr->w = w;
		fr->f = &s->faults[i];
		sim_event_init(&fr->start_ev, fault_start, fr, "fault.start");
		sim_event_init(&fr->end_ev, fault_end, fr, "fault.end");
		enum sn_err err = sim_schedule_at(&w->sim, &fr->start_ev,
						  fr->f->at);
		if (err == SN_OK && fr->f->until)
			err = sim_schedule_at(&w->sim, &fr->end_ev,
					      fr->f->until);
		if (err != SN_OK)
			return err;
	}
	return SN_OK;
}

/* --- build ---------------------------------------------------------------------- */

enum sn_err scn_world_build(const struct scn *s, struct scn_world **out,
			    char *why, size_t whylen)
{
	struct scn_world *w = calloc(1, sizeof *w);
	if (w == NULL)
		return SN_ENOMEM;
	w->s = s;
	*out = NULL;
	enum sn_err err = sim_init(&w->sim, s->seed);
	if (err == SN_OK)
		err = ip_net_create(&w->sim, &w->net);
	w->bus = calloc((size_t)s->nbuses, sizeof *w->bus);
	w->chk = calloc((size_t)s->nbuses, sizeof *w->chk);
	w->host = calloc((size_t)s->nhosts, sizeof *w->host);
	w->ad = calloc((size_t)s->nhosts * SCN_MAX_ADAPTERS, sizeof *w->ad);
	w->app = calloc((size_t)s->ntraffic + 1, sizeof *w->app);
	if (!w->bus || !w->chk || !w->host || !w->ad || !w->app)
		err = SN_ENOMEM;
	for (int b = 0; b < s->nbuses && err == SN_OK; b++) {
		const struct scn_bus *sb = &s->buses[b];
		struct bus_config bc = { .name = sb->name, .width = sb->width,
					 .electrical = sb->electrical,
					 .speed = sb->speed,
					 .length_mm = sb->length_mm };
		err = bus_create(&w->sim, &bc, &w->bus[b]);
		if (err == SN_OK && s->check)
			err = bus_check_attach(&w->chk[b], w->bus[b]);
		if (err != SN_OK)
			why_set(why, whylen, "buses[%d]: %s", b,
				sn_strerror(err));
	}
	/* adapters spread evenly along their cable unless placed */
	int *on_bus = calloc((size_t)s->nbuses + 1, sizeof *on_bus);
	int *seen = calloc((size_t)s->nbuses + 1, sizeof *seen);
	if (!on_bus || !seen)
		err = SN_ENOMEM;
	for (int h = 0; h < s->nhosts && err == SN_OK; h++)
		for (int k = 0; k < s->hosts[h].nadapters; k++)
			on_bus[s->hosts[h].adapters[k].bus]++;
	for (int h = 0; h < s->nhosts && err == SN_OK; h++) {
		const struct scn_host *sh = &s->hosts[h];
		struct ip_host_config hc = { .name = sh->name,
					     .forwarding = sh->forwarding,
					     .input_cost = sh->input_cost };
		err = ip_host_create(w->net, &hc, &w->host[h]);
		for (int k = 0; k < sh->nadapters && err == SN_OK; k++) {
			const struct scn_adapter *a = &sh->adapters[k];
			uint32_t len = s->buses[a->bus].length_mm;
			int n = on_bus[a->bus], i = seen[a->bus]++;
			uint32_t pos = a->pos_mm != UINT32_MAX
					       ? a->pos_mm
					       : n > 1 ? (uint32_t)((uint64_t)len *
								    (uint64_t)i /
								    (uint64_t)(n - 1))
						       : 0;
			struct adapter_config ac = {
				.profile = a->profile, .name = sh->name,
				.scsi_id = a->id, .pos_mm = pos,
				.rx_slots = a->rx_slots, .busy_retries = -1,
				.target_disconnect = a->target_disconnect,
				.error_retries = -1,
			};
			struct adapter **slot =
				&w->ad[h * SCN_MAX_ADAPTERS + k];
			err = adapter_create(w->bus[a->bus], &ac, slot);
			if (err == SN_OK) {
				struct ip_netif_config nc = {
					.name = s->buses[a->bus].name,
					.ad = *slot, .bus = (uint32_t)a->bus,
					.addr = a->addr, .plen = a->plen,
					.mtu = a->mtu,
					.arp_cache_time = a->arp_cache_time,
					.arp_neg_time = a->arp_neg_time,
				};
				err = ip_host_add_netif(w->host[h], &nc, NULL);
			}
			if (err != SN_OK)
				why_set(why, whylen,
					"hosts[%d].adapters[%d]: %s", h, k,
					sn_strerror(err));
		}
	}
	free(on_bus);
	free(seen);
	for (int h = 0; h < s->nhosts && err == SN_OK; h++) {
		const struct scn_host *sh = &s->hosts[h];
		for (int r = 0; r < sh->nroutes && err == SN_OK; r++) {
			const struct scn_route *rt = &sh->routes[r];
			err = ip_host_add_route(w->host[h], rt->prefix, rt->plen,
						rt->via, -1, 0);
			if (err != SN_OK)
				why_set(why, whylen,
					"hosts[%d].routes[%d]: %s", h, r,
					err == SN_EINVAL
						? "no interface of the host "
						  "reaches its 'via' address"
						: sn_strerror(err));
		}
		if (err == SN_OK && s->auto_routes)
			err = auto_routes(w, h, why, whylen);
	}
	for (int i = 0; i < s->ntraffic && err == SN_OK; i++) {
		w->app[i].t = &s->traffic[i];
		w->napps = i + 1;
		err = start_app(w, &w->app[i], why, whylen, i);
	}
	if (err == SN_OK && (err = schedule_faults(w)) != SN_OK)
		why_set(why, whylen, "faults: %s", sn_strerror(err));
	if (err != SN_OK) {
		scn_world_destroy(w);
		return err;
	}
	*out = w;
	return SN_OK;
}

void scn_world_destroy(struct scn_world *w)
{
	if (w == NULL)
		return;
	const struct scn *s = w->s;
	for (int i = 0; i < w->napps; i++) {
		struct scn_app *a = &w->app[i];
		ip_ping_destroy(a->ping);
		ip_traceroute_destroy(a->trace);
		ip_udp_flow_destroy(a->flow);
		ip_workdist_destroy(a->work);
	}
	for (int i = 0; i < w->napps; i++) /* after every flow of theirs */
		ip_udp_sink_destroy(w->app[i].sink);
	for (int i = 0; w->fault && i < s->nfaults; i++) {
		sim_cancel(&w->sim, &w->fault[i].start_ev);
		sim_cancel(&w->sim, &w->fault[i].end_ev);
	}
	free(w->fault);
	for (int b = 0; w->chk && b < s->nbuses; b++)
		bus_check_detach(w->chk[b]);
	for (int h = 0; w->host && h < s->nhosts; h++)
		ip_host_destroy(w->host[h]);
	for (int i = 0; w->ad && i < s->nhosts * SCN_MAX_ADAPTERS; i++)
		adapter_destroy(w->ad[i]);
	for (int b = 0; w->bus && b < s->nbuses; b++)
		bus_destroy(w->bus[b]);
	ip_net_destroy(w->net);
	sim_fini(&w->sim);
	free(w->bus);
	free(w->chk);
	free(w->host);
	free(w->ad);
	free(w->app);
	free(w);
}

void scn_world_run(struct scn_world *w, sim_time_t until,
		   void (*progress)(sim_time_t, sim_time_t, void *),
		   void *arg)
{
	sim_time_t step = until / 100 ? until / 100 : 1;
	while (sim_now(&w->sim) < until) {
		sim_time_t next = sim_now(&w->sim) + step;
		if (next > until)
			next = until;
		sim_run_until(&w->sim, next);
		if (progress)
			progress(sim_now(&w->sim), until, arg);
	}
	for (int b = 0; b < w->s->nbuses; b++)
		bus_trace_flush(w->bus[b]);
}

uint32_t scn_world_ping_rtt(struct scn_world *w, int i, uint32_t seq,
			    sim_time_t *rtt)
{
	if (i < 0 || i >= w->napps || w->app[i].ping == NULL)
		return 0;
	if (rtt)
		*rtt = seq >= 1 && seq <= w->app[i].t->count
			       ? ip_ping_rtt(w->app[i].ping, seq)
			       : 0;
	return w->app[i].t->count;
}

const struct scn *scn_world_scenario(const struct scn_world *w)
{
	return w->s;
}

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
			fault_close(fr); /* to the end of the run */
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
	for (int b = 0; w->s->check && b < w->s->nbuses; b++)
		if (bus_check_total(w->chk[b]) != 0)
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
			s->check && bus_check_total(w->chk[b])
				? "  PROTOCOL VIOLATIONS"
				: "");
		size_t n = s->check ? bus_check_count(w->chk[b]) : 0;
		for (size_t i = 0; i < n && i < 3; i++) {
			const struct bus_check_violation *v =
				bus_check_get(w->chk[b], i);
			char ts[40];
			sim_time_format_fixed(v->time, SIM_S, 9, ts, sizeof ts);
			fprintf(out, "    %s s  %s\n", ts, v->text);
		}
		if (n > 3)
			fprintf(out, "    ... %llu in all (results.json lists "
				     "the first %d)\n",
				(unsigned long long)bus_check_total(w->chk[b]),
				SCN_FINDINGS_KEPT);
	}
}
