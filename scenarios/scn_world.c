/*
 * scn_world.c - build and run a scenario (scn_world.h); its reports are
 * in scn_results.c.
 */
#include "scn_world.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "scn_world_priv.h"

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

void scn_fault_close(struct scn_fault_run *fr)
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
	scn_fault_close(fr);
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
