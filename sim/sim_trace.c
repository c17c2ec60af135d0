/* sim_trace.c - subscriber list and source names of the trace hub. */
#include "sim.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

enum sn_err sim_trace_source_add(struct sim *sim, const char *name,
				 sim_trace_source_t *id)
{
	struct sim_trace_hub *hub = &sim->trace;
	if (hub->source_count == hub->source_cap) {
		uint32_t cap = hub->source_cap ? hub->source_cap * 2 : 16;
		char **names = realloc(hub->source_names,
				       (size_t)cap * sizeof *names);
		if (names == NULL)
			return SN_ENOMEM;
		hub->source_names = names;
		hub->source_cap = cap;
	}
	size_t len = strlen(name ? name : "");
	char *copy = malloc(len + 1);
	if (copy == NULL)
		return SN_ENOMEM;
	memcpy(copy, name ? name : "", len + 1);
	hub->source_names[hub->source_count] = copy;
	*id = hub->source_count++;
	return SN_OK;
}

const char *sim_trace_source_name(const struct sim *sim,
				  sim_trace_source_t id)
{
	if (id >= sim->trace.source_count)
		return NULL;
	return sim->trace.source_names[id];
}

uint32_t sim_trace_source_count(const struct sim *sim)
{
	return sim->trace.source_count;
}

static void recompute_mask(struct sim_trace_hub *hub)
{
	uint64_t m = 0;
	for (struct sim_trace_sub *s = hub->subs; s; s = s->next)
		m |= s->mask;
	hub->mask = m;
}

void sim_trace_subscribe(struct sim *sim, struct sim_trace_sub *sub,
			 uint64_t mask, sim_trace_fn fn, void *arg)
{
	assert(fn != NULL);
	sub->fn = fn;
	sub->arg = arg;
	sub->mask = mask & SIM_TR_MASK_ALL;
	sub->next = NULL;
	struct sim_trace_sub **tail = &sim->trace.subs;
	while (*tail) {
		assert(*tail != sub && "subscribed twice");
		tail = &(*tail)->next;
	}
	*tail = sub;
	recompute_mask(&sim->trace);
}

void sim_trace_unsubscribe(struct sim *sim, struct sim_trace_sub *sub)
{
	for (struct sim_trace_sub **p = &sim->trace.subs; *p; p = &(*p)->next) {
		if (*p == sub) {
			*p = sub->next;
			sub->next = NULL;
			break;
		}
	}
	recompute_mask(&sim->trace);
}

void sim_trace_deliver_(struct sim_trace_hub *hub,
			const struct sim_trace_record *rec)
{
	uint64_t bit = SIM_TR_MASK(rec->kind);
	for (struct sim_trace_sub *s = hub->subs; s; s = s->next)
		if (s->mask & bit)
			s->fn(rec, s->arg);
}
