/*
 * sim.h - the deterministic discrete-event engine every scsinet model runs on.
 *
 * A struct sim owns the clock (integer picoseconds), the pending-event
 * queue, the master seed for RNG streams, allocation counters and the trace
 * hub.  There is no global state: a process may hold any number of sims.
 *
 * EVENTS are caller-owned structs, usually embedded in the object that uses
 * them (a bus port's settle timer, a driver's time-out).  The engine never
 * allocates per event.  An event is either idle or pending; a pending event
 * is in the queue exactly once.
 *
 * ORDER is total and deterministic: events run by increasing time, and
 * events with equal times run in the order they were (last) scheduled.
 * Nothing depends on addresses, hashing or wall-clock time.
 *
 * REENTRANCY RULES (each is tested in tests/test_sim.c):
 *  1. When an event's callback runs, the event is already idle and
 *     sim_now() equals its time.  The callback may schedule it again (a
 *     periodic timer does) at any time >= now.
 *  2. A callback may cancel any event, pending or not, including itself
 *     (a no-op for an idle event).  A cancelled event never runs.
 *  3. A callback may schedule or reschedule any other event.  Scheduling a
 *     pending event moves it: it keeps no trace of its old slot and counts
 *     as newly scheduled for the FIFO order.
 *  4. An event scheduled at the current time from a callback runs after the
 *     current callback returns, and after every event already pending at
 *     that time (FIFO among equal times).  sim_run_until(t) runs it too when
 *     now <= t.
 *  5. sim_stop() from a callback makes the running sim_run()/sim_run_until()
 *     return once that callback returns; the clock stays at that event's
 *     time and pending events stay pending.  A later run goes on from there.
 *  6. A callback must not call sim_run(), sim_run_until(), sim_step() or
 *     sim_fini() on its own sim (asserted).
 *  7. Scheduling in the past (t < now) is a programming error (asserted):
 *     delays are unsigned, and absolute times come from now plus a delay.
 *
 * ALLOCATION: model code allocates through sim_alloc()/sim_free() so that
 * tests can assert that nothing is left alive at teardown.
 */
#ifndef SIM_H
#define SIM_H

#include <stddef.h>
#include <stdint.h>

#include "sim_rng.h"
#include "sim_time.h"
#include "sim_trace.h"
#include "sn_error.h"

struct sim;
struct sim_event;

/* Event callback.  `ev` is the event that fired (idle now), `arg` the
 * argument given to sim_event_init(). */
typedef void (*sim_event_fn)(struct sim *sim, struct sim_event *ev, void *arg);

/* Queue selection (see sim_queue_priv.h); every object file that embeds
 * struct sim or struct sim_event must be built with the same choice. */
#if !defined(SIM_QUEUE_HEAP) && !defined(SIM_QUEUE_LADDER)
#define SIM_QUEUE_LADDER 1
#endif
#if defined(SIM_QUEUE_HEAP) && defined(SIM_QUEUE_LADDER)
#error "choose one of SIM_QUEUE_HEAP and SIM_QUEUE_LADDER"
#endif

struct sim_lq_list;

/* Caller-owned event.  Initialise with sim_event_init(); the fields are
 * private to the engine except through the accessors below. */
struct sim_event {
	sim_event_fn fn;
	void *arg;
	const char *name;   /* static string, for traces and debugging */
	sim_time_t time;    /* when pending: due time; else last due time */
	uint64_t seq;       /* insertion sequence: FIFO order at equal times */
#ifdef SIM_QUEUE_HEAP
	uint32_t slot;      /* heap index + 1 while pending, 0 when idle */
#else
	struct sim_event *next, *prev; /* links in its ladder list */
	struct sim_lq_list *list;      /* that list; NULL when idle */
	uint32_t rung;                 /* which rung (or top/bottom) */
#endif
};

#ifdef SIM_QUEUE_HEAP
/* The heap's ordering key: due time, then insertion sequence.  Keys live in
 * their own array, apart from the event pointers, so that sifting compares
 * contiguous 16-byte keys and never reads the events. */
struct sim_qkey {
	sim_time_t time;
	uint64_t seq;
};
struct sim_queue {
	struct sim_qkey *key;     /* implicit d-ary min-heap: keys ... */
	struct sim_event **ev;    /* ... and, at the same index, events */
	void *mem;                /* one allocation behind both arrays */
	uint32_t len, cap;
};
#else
#define SIM_LQ_MAX_RUNGS 8
/* A doubly-linked list of events: a rung bucket, the top or the bottom.
 * tmin/tmax bound the times appended since the list was last empty
 * (cancellation can only make them loose, never wrong). */
struct sim_lq_list {
	struct sim_event *head, *tail;
	uint32_t n;
	sim_time_t tmin, tmax;
};
struct sim_lq_rung {
	struct sim_lq_list *bucket;
	uint32_t nb, cap;         /* buckets in use, allocated */
	uint32_t cur;             /* first bucket not yet handed down */
	sim_time_t start, width;  /* bucket k covers start + k*width ... */
	sim_time_t cur_start;     /* start of bucket cur (saturating) */
	uint64_t n;               /* events in this rung */
};
struct sim_queue {
	struct sim_lq_list top;       /* unsorted, times >= top_start */
	sim_time_t top_start;
	struct sim_lq_rung rung[SIM_LQ_MAX_RUNGS]; /* 0 is the coarsest */
	uint32_t nrungs;
	struct sim_lq_list bottom;    /* sorted by (time, seq) */
	uint32_t count;               /* pending events in all */
};
#endif

struct sim_alloc_stats {
	uint64_t live_allocs;   /* allocations not yet freed */
	uint64_t live_bytes;    /* bytes in them */
	uint64_t peak_bytes;    /* high-water mark of live_bytes */
	uint64_t total_allocs;  /* allocations ever made */
};

/* The engine.  Embed or allocate it; fields are private. */
struct sim {
	sim_time_t now;
	uint64_t seq;             /* next insertion sequence number */
	struct sim_queue q;
	int stop_requested;
	int running;              /* inside sim_run*()/sim_step() */
	uint64_t events_run;
	uint64_t seed;
	struct sim_trace_hub trace;
	struct sim_alloc_stats alloc;
	sim_trace_source_t self_source;
};

/* Initialise an engine at time 0 with master seed `seed`.  The engine's own
 * queue memory is not counted in the allocation statistics.
 * Returns SN_OK or SN_ENOMEM. */
enum sn_err sim_init(struct sim *sim, uint64_t seed);

/* Release the engine's memory.  Pending events are dropped (they belong to
 * their owners); subscribers are detached.  Model objects must be freed by
 * their owners first if they used sim_alloc(). */
void sim_fini(struct sim *sim);

static inline sim_time_t sim_now(const struct sim *sim) { return sim->now; }
static inline uint64_t sim_seed(const struct sim *sim) { return sim->seed; }
static inline uint32_t sim_pending_count(const struct sim *sim)
{
#ifdef SIM_QUEUE_HEAP
	return sim->q.len;
#else
	return sim->q.count;
#endif
}
static inline uint64_t sim_events_run(const struct sim *sim)
{
	return sim->events_run;
}
/* Due time of the earliest pending event, or SIM_TIME_MAX if none. */
sim_time_t sim_next_time(struct sim *sim);

/* The queue this library was built with, e.g. "ladder" or "heap4". */
const char *sim_queue_name(void);

/* Prepare an idle event.  `name` must outlive the event (a literal). */
void sim_event_init(struct sim_event *ev, sim_event_fn fn, void *arg,
		    const char *name);

static inline int sim_event_pending(const struct sim_event *ev)
{
#ifdef SIM_QUEUE_HEAP
	return ev->slot != 0;
#else
	return ev->list != NULL;
#endif
}
/* Due time if pending; otherwise the time it last ran or was due. */
static inline sim_time_t sim_event_time(const struct sim_event *ev)
{
	return ev->time;
}

/* Schedule `ev` at absolute time t >= now (moving it if already pending).
 * Returns SN_OK, or SN_ENOMEM if the queue could not grow (the event is
 * then left as it was). */
enum sn_err sim_schedule_at(struct sim *sim, struct sim_event *ev,
			    sim_time_t t);
/* Schedule `ev` at now + delay (asserts that the sum does not overflow). */
enum sn_err sim_schedule_in(struct sim *sim, struct sim_event *ev,
			    sim_time_t delay);
/* Remove `ev` from the queue.  Returns 1 if it was pending, 0 if idle. */
int sim_cancel(struct sim *sim, struct sim_event *ev);

/* Run the earliest pending event.  Returns 1 if one ran, 0 if none was
 * pending. */
int sim_step(struct sim *sim);

enum sim_run_result {
	SIM_RUN_REACHED,  /* sim_run_until: every event <= t ran; now == t */
	SIM_RUN_EMPTY,    /* sim_run: no event left */
	SIM_RUN_STOPPED,  /* sim_stop() was called by a callback */
};
/* Run every event due at or before t, then set the clock to t (t >= now). */
enum sim_run_result sim_run_until(struct sim *sim, sim_time_t t);
/* Run until no event is pending, or until stopped. */
enum sim_run_result sim_run(struct sim *sim);
/* From a callback: return from the running sim_run*() after it. */
void sim_stop(struct sim *sim);

/* Counted allocation for model objects.  sim_alloc returns NULL on
 * failure; sim_free(sim, NULL) is a no-op.  Memory is aligned for any
 * object (max_align_t). */
void *sim_alloc(struct sim *sim, size_t size);
void *sim_calloc(struct sim *sim, size_t count, size_t size);
void *sim_realloc(struct sim *sim, void *p, size_t size);
void sim_free(struct sim *sim, void *p);
static inline const struct sim_alloc_stats *sim_alloc_stats(
	const struct sim *sim)
{
	return &sim->alloc;
}

/* Emit a trace record stamped with `time` (<= now: records of a source
 * must come in time order).  One predictable branch when nobody
 * subscribes to `kind`. */
static inline void sim_trace_emit_at(struct sim *sim, sim_time_t time,
				     sim_trace_source_t source, unsigned kind,
				     uint16_t flags, const void *data,
				     uint32_t len)
{
	if (__builtin_expect(sim_trace_wants(&sim->trace, kind), 0)) {
		struct sim_trace_record rec = {
			.time = time, .source = source,
			.kind = (uint16_t)kind, .flags = flags,
			.len = len, .data = data,
		};
		sim_trace_deliver_(&sim->trace, &rec);
	}
}

/* Emit a trace record stamped with the current time. */
static inline void sim_trace_emit(struct sim *sim, sim_trace_source_t source,
				  unsigned kind, uint16_t flags,
				  const void *data, uint32_t len)
{
	sim_trace_emit_at(sim, sim->now, source, kind, flags, data, len);
}

/* Initialise `rng` as the stream called `name` of this sim's seed. */
static inline void sim_rng_stream(const struct sim *sim, struct sim_rng *rng,
				  const char *name)
{
	sim_rng_init(rng, sim->seed, name);
}

#endif
