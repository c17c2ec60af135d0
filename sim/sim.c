/*
 * sim.c - clock, scheduling API and run loop of the discrete-event engine.
 *
 * The pending events live in the queue behind sim_queue_priv.h; this file
 * owns the clock, the insertion sequence that makes equal times FIFO, the
 * run loop and the counted allocator.
 */
#include "sim.h"

#include <assert.h>
#include <stdalign.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "sim_queue_priv.h"

enum sn_err sim_init(struct sim *sim, uint64_t seed)
{
	memset(sim, 0, sizeof *sim);
	sim->seed = seed;
	enum sn_err err = sq_init(&sim->q);
	if (err != SN_OK)
		return err;
	err = sim_trace_source_add(sim, "sim", &sim->self_source);
	if (err != SN_OK)
		sq_fini(&sim->q);
	return err;
}

void sim_fini(struct sim *sim)
{
	assert(!sim->running);
	sq_fini(&sim->q);
	for (uint32_t i = 0; i < sim->trace.source_count; i++)
		free(sim->trace.source_names[i]);
	free(sim->trace.source_names);
	memset(sim, 0, sizeof *sim);
}

sim_time_t sim_next_time(struct sim *sim)
{
	struct sim_event *first = sq_first(&sim->q);
	return first ? first->time : SIM_TIME_MAX;
}

void sim_event_init(struct sim_event *ev, sim_event_fn fn, void *arg,
		    const char *name)
{
	assert(fn != NULL);
	ev->fn = fn;
	ev->arg = arg;
	ev->name = name ? name : "event";
	ev->time = 0;
	ev->seq = 0;
#ifdef SIM_QUEUE_HEAP
	ev->slot = 0;
#else
	ev->next = ev->prev = NULL;
	ev->list = NULL;
	ev->rung = 0;
#endif
}

enum sn_err sim_schedule_at(struct sim *sim, struct sim_event *ev,
			    sim_time_t t)
{
	assert(ev->fn != NULL && "event not initialised");
	assert(t >= sim->now && "scheduling in the past");
	if (sim_event_pending(ev)) {
		ev->time = t;
		ev->seq = sim->seq++;
		sq_moved(&sim->q, ev);
		return SN_OK;
	}
	sim_time_t old_time = ev->time;
	ev->time = t;
	ev->seq = sim->seq++;
	enum sn_err err = sq_insert(&sim->q, ev);
	if (err != SN_OK)
		ev->time = old_time;
	return err;
}

enum sn_err sim_schedule_in(struct sim *sim, struct sim_event *ev,
			    sim_time_t delay)
{
	assert(delay <= SIM_TIME_MAX - sim->now && "time overflow");
	return sim_schedule_at(sim, ev, sim->now + delay);
}

int sim_cancel(struct sim *sim, struct sim_event *ev)
{
	if (!sim_event_pending(ev))
		return 0;
	sq_remove(&sim->q, ev);
	return 1;
}

/* Take the earliest event off the queue, advance the clock and run it.
 * The caller has checked that `ev` is sq_first(). */
static inline void run_event(struct sim *sim, struct sim_event *ev)
{
	sq_pop_first(&sim->q);
	sim->now = ev->time;
	sim->events_run++;
	sim_trace_emit(sim, sim->self_source, SIM_TR_EVENT, 0, ev->name,
		       (uint32_t)strlen(ev->name) + 1);
	ev->fn(sim, ev, ev->arg);
}

int sim_step(struct sim *sim)
{
	assert(!sim->running && "sim_step from inside a callback");
	struct sim_event *ev = sq_first(&sim->q);
	if (ev == NULL)
		return 0;
	sim->running = 1;
	run_event(sim, ev);
	sim->running = 0;
	return 1;
}

enum sim_run_result sim_run_until(struct sim *sim, sim_time_t t)
{
	assert(!sim->running && "sim_run_until from inside a callback");
	assert(t >= sim->now && "running to a time in the past");
	sim->running = 1;
	sim->stop_requested = 0;
	struct sim_event *ev;
	while ((ev = sq_first(&sim->q)) != NULL && ev->time <= t) {
		run_event(sim, ev);
		if (sim->stop_requested) {
			sim->stop_requested = 0;
			sim->running = 0;
			return SIM_RUN_STOPPED;
		}
	}
	sim->now = t;
	sim->running = 0;
	return SIM_RUN_REACHED;
}

enum sim_run_result sim_run(struct sim *sim)
{
	assert(!sim->running && "sim_run from inside a callback");
	sim->running = 1;
	sim->stop_requested = 0;
	struct sim_event *ev;
	while ((ev = sq_first(&sim->q)) != NULL) {
		run_event(sim, ev);
		if (sim->stop_requested) {
			sim->stop_requested = 0;
			sim->running = 0;
			return SIM_RUN_STOPPED;
		}
	}
	sim->running = 0;
	return SIM_RUN_EMPTY;
}

void sim_stop(struct sim *sim)
{
	sim->stop_requested = 1;
}

/* Counted allocations carry a header holding their size, padded so that
 * the user pointer keeps max_align_t alignment. */
union alloc_hdr {
	size_t size;
	max_align_t align;
};

void *sim_alloc(struct sim *sim, size_t size)
{
	if (size > SIZE_MAX - sizeof(union alloc_hdr))
		return NULL;
	union alloc_hdr *h = malloc(sizeof *h + size);
	if (h == NULL)
		return NULL;
	h->size = size;
	sim->alloc.live_allocs++;
	sim->alloc.total_allocs++;
	sim->alloc.live_bytes += size;
	if (sim->alloc.live_bytes > sim->alloc.peak_bytes)
		sim->alloc.peak_bytes = sim->alloc.live_bytes;
	return h + 1;
}

void *sim_calloc(struct sim *sim, size_t count, size_t size)
{
	if (size != 0 && count > SIZE_MAX / size)
		return NULL;
	void *p = sim_alloc(sim, count * size);
	if (p != NULL)
		memset(p, 0, count * size);
	return p;
}

void *sim_realloc(struct sim *sim, void *p, size_t size)
{
	if (p == NULL)
		return sim_alloc(sim, size);
	if (size > SIZE_MAX - sizeof(union alloc_hdr))
		return NULL;
	union alloc_hdr *h = (union alloc_hdr *)p - 1;
	size_t old = h->size;
	union alloc_hdr *nh = realloc(h, sizeof *nh + size);
	if (nh == NULL)
		return NULL;
	nh->size = size;
	sim->alloc.live_bytes = sim->alloc.live_bytes - old + size;
	if (sim->alloc.live_bytes > sim->alloc.peak_bytes)
		sim->alloc.peak_bytes = sim->alloc.live_bytes;
	return nh + 1;
}

void sim_free(struct sim *sim, void *p)
{
	if (p == NULL)
		return;
	union alloc_hdr *h = (union alloc_hdr *)p - 1;
	assert(sim->alloc.live_allocs > 0);
	sim->alloc.live_allocs--;
	sim->alloc.live_bytes -= h->size;
	free(h);
}
