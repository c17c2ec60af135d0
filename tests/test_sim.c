/*
 * test_sim.c - the event engine: ordering, cancel and reschedule in every
 * position, the reentrancy rules of sim.h (one test per rule), run_until
 * boundaries, stop, a randomized comparison with a reference queue, and the
 * allocation counters.
 */
#include <stdio.h>
#include <string.h>

#include "suites.h"

/* The misuse tests abort on purpose; keep the assertion text out of the
 * test log (the test itself checks for SIGABRT). */
static void quiet_stderr(void)
{
	if (freopen("/dev/null", "w", stderr) == NULL)
		return;
}

/* A world of numbered events that log (id, time) when they run and may
 * perform one scripted action on another event. */
enum action { NONE, RESCHED_SELF, CANCEL_SELF, CANCEL_OTHER, SCHED_OTHER_NOW,
	      MOVE_OTHER, STOP };

struct tev {
	struct sim_event ev;
	struct world *w;
	int id;
	enum action act;
	int other;            /* target of CANCEL_OTHER / SCHED_* / MOVE_* */
	sim_time_t arg;       /* delay for RESCHED_SELF / MOVE_OTHER */
	int repeats;          /* RESCHED_SELF: how many more times */
	int cancel_result;
};

#define MAXEV 256
struct world {
	struct sim sim;
	struct tev ev[MAXEV];
	int log_id[4096];
	sim_time_t log_t[4096];
	int nlog;
};

static void fire(struct sim *sim, struct sim_event *e, void *arg)
{
	struct tev *t = arg;
	struct world *w = t->w;
	ck_assert_ptr_eq(&t->ev, e);
	ck_assert(!sim_event_pending(e));            /* rule 1 */
	ck_assert_uint_eq(sim_now(sim), sim_event_time(e));
	ck_assert_int_lt(w->nlog, 4096);
	w->log_id[w->nlog] = t->id;
	w->log_t[w->nlog++] = sim_now(sim);
	struct sim_event *other = &w->ev[t->other].ev;
	switch (t->act) {
	case NONE:
		break;
	case RESCHED_SELF:
		if (t->repeats-- > 0)
			sim_schedule_in(sim, e, t->arg);
		break;
	case CANCEL_SELF:
		t->cancel_result = sim_cancel(sim, e);
		break;
	case CANCEL_OTHER:
		t->cancel_result = sim_cancel(sim, other);
		break;
	case SCHED_OTHER_NOW:
		sim_schedule_in(sim, other, 0);
		break;
	case MOVE_OTHER:
		sim_schedule_in(sim, other, t->arg);
		break;
	case STOP:
		sim_stop(sim);
		break;
	}
}

static struct world *world_new(void)
{
	struct world *w = calloc(1, sizeof *w);
	ck_assert_ptr_nonnull(w);
	ck_assert_int_eq(sim_init(&w->sim, 1), SN_OK);
	for (int i = 0; i < MAXEV; i++) {
		w->ev[i].w = w;
		w->ev[i].id = i;
		sim_event_init(&w->ev[i].ev, fire, &w->ev[i], "test");
	}
	return w;
}

static void world_free(struct world *w)
{
	ck_assert_sim_clean(&w->sim);
	sim_fini(&w->sim);
	free(w);
}

static void at(struct world *w, int id, sim_time_t t)
{
	ck_assert_int_eq(sim_schedule_at(&w->sim, &w->ev[id].ev, t), SN_OK);
}

static void expect_log(struct world *w, const int *ids, int n)
{
	ck_assert_int_eq(w->nlog, n);
	for (int i = 0; i < n; i++)
		ck_assert_msg(w->log_id[i] == ids[i],
			      "position %d: ran %d, expected %d", i,
			      w->log_id[i], ids[i]);
}

START_TEST(runs_in_time_order)
{
	struct world *w = world_new();
	at(w, 0, 50);
	at(w, 1, 10);
	at(w, 2, 30);
	at(w, 3, 20);
	at(w, 4, 40);
	ck_assert_uint_eq(sim_pending_count(&w->sim), 5);
	ck_assert_uint_eq(sim_next_time(&w->sim), 10);
	ck_assert_int_eq(sim_run(&w->sim), SIM_RUN_EMPTY);
	expect_log(w, (int[]){ 1, 3, 2, 4, 0 }, 5);
	ck_assert_uint_eq(sim_now(&w->sim), 50);
	ck_assert_uint_eq(sim_events_run(&w->sim), 5);
	ck_assert_uint_eq(sim_next_time(&w->sim), SIM_TIME_MAX);
	world_free(w);
}
END_TEST

START_TEST(equal_times_are_fifo)
{
	struct world *w = world_new();
	/* 200 events at 3 distinct times, scheduled interleaved */
	for (int i = 0; i < 200; i++)
		at(w, i, (sim_time_t)(i % 3) * 100);
	sim_run(&w->sim);
	int want[200], k = 0;
	for (int t = 0; t < 3; t++)
		for (int i = 0; i < 200; i++)
			if (i % 3 == t)
				want[k++] = i;
	expect_log(w, want, 200);
	world_free(w);
}
END_TEST

/* Cancel the event at each position of queues of every size 1..40; the
 * others run in order and the cancelled one never runs. */
START_TEST(cancel_in_every_position)
{
	for (int n = 1; n <= 40; n++) {
		for (int victim = 0; victim < n; victim++) {
			struct world *w = world_new();
			for (int i = 0; i < n; i++) /* reverse times: a real heap */
				at(w, i, (sim_time_t)(n - i) * 10);
			ck_assert_int_eq(sim_cancel(&w->sim, &w->ev[victim].ev), 1);
			ck_assert(!sim_event_pending(&w->ev[victim].ev));
			ck_assert_int_eq(sim_cancel(&w->sim, &w->ev[victim].ev), 0);
			sim_run(&w->sim);
			int want[64], k = 0;
			for (int i = n - 1; i >= 0; i--)
				if (i != victim)
					want[k++] = i;
			expect_log(w, want, k);
			world_free(w);
		}
	}
}
END_TEST

/* Move each event of a queue earlier, later and to an equal time. */
START_TEST(reschedule_in_every_position)
{
	const int n = 30;
	for (int mover = 0; mover < n; mover++) {
		for (int mode = 0; mode < 3; mode++) {
			struct world *w = world_new();
			for (int i = 0; i < n; i++)
				at(w, i, (sim_time_t)(i + 1) * 10);
			/* earliest, latest, or the time of event 10 (equal) */
			sim_time_t t = mode == 0 ? 1 : mode == 1 ? 1000 : 110;
			at(w, mover, t);
			ck_assert_uint_eq(sim_pending_count(&w->sim), (uint32_t)n);
			sim_run(&w->sim);
			/* expected: sort by (time, scheduling order) */
			sim_time_t tm[64];
			int want[64], k = 0;
			for (int i = 0; i < n; i++)
				tm[i] = (sim_time_t)(i + 1) * 10;
			tm[mover] = t;
			for (int i = 0; i < n; i++)
				if (i != mover)
					want[k++] = i;
			int pos = k; /* mover was scheduled last: after ties */
			while (pos > 0 && tm[want[pos - 1]] > t)
				pos--;
			memmove(&want[pos + 1], &want[pos],
				(size_t)(k - pos) * sizeof want[0]);
			want[pos] = mover;
			k++;
			expect_log(w, want, k);
			world_free(w);
		}
	}
}
END_TEST

/* Rule 1: a running event is idle and may schedule itself again. */
START_TEST(rule1_periodic_self_reschedule)
{
	struct world *w = world_new();
	w->ev[0].act = RESCHED_SELF;
	w->ev[0].arg = 7;
	w->ev[0].repeats = 4;
	at(w, 0, 3);
	at(w, 1, 20);
	sim_run(&w->sim);
	expect_log(w, (int[]){ 0, 0, 0, 1, 0, 0 }, 6);
	const sim_time_t want_t[] = { 3, 10, 17, 20, 24, 31 };
	for (int i = 0; i < 6; i++)
		ck_assert_uint_eq(w->log_t[i], want_t[i]);
	world_free(w);
}
END_TEST

/* Rule 2: cancel itself (no-op), and cancel another pending event. */
START_TEST(rule2_cancel_from_callback)
{
	struct world *w = world_new();
	w->ev[0].act = CANCEL_SELF;
	w->ev[1].act = CANCEL_OTHER;
	w->ev[1].other = 2;
	w->ev[3].act = CANCEL_OTHER; /* 4 already ran: idle, no-op */
	w->ev[3].other = 4;
	at(w, 0, 1);
	at(w, 1, 2);
	at(w, 2, 3);
	at(w, 4, 4);
	at(w, 3, 5);
	sim_run(&w->sim);
	expect_log(w, (int[]){ 0, 1, 4, 3 }, 4);
	ck_assert_int_eq(w->ev[0].cancel_result, 0);
	ck_assert_int_eq(w->ev[1].cancel_result, 1);
	ck_assert_int_eq(w->ev[3].cancel_result, 0);
	world_free(w);
}
END_TEST

/* Rule 2 also for an event due at the same instant as the canceller. */
START_TEST(rule2_cancel_same_time_event)
{
	struct world *w = world_new();
	w->ev[0].act = CANCEL_OTHER;
	w->ev[0].other = 1;
	at(w, 0, 5);
	at(w, 1, 5);
	at(w, 2, 5);
	sim_run(&w->sim);
	expect_log(w, (int[]){ 0, 2 }, 2);
	world_free(w);
}
END_TEST

/* Rule 3: moving a pending event from a callback, earlier and later. */
START_TEST(rule3_move_other_from_callback)
{
	struct world *w = world_new();
	w->ev[0].act = MOVE_OTHER; /* moves 1 from t=100 to now+5 = 15 */
	w->ev[0].other = 1;
	w->ev[0].arg = 5;
	w->ev[2].act = MOVE_OTHER; /* moves 3 from t=30 to now+100 = 120 */
	w->ev[2].other = 3;
	w->ev[2].arg = 100;
	at(w, 0, 10);
	at(w, 1, 100);
	at(w, 2, 20);
	at(w, 3, 30);
	at(w, 4, 50);
	sim_run(&w->sim);
	expect_log(w, (int[]){ 0, 1, 2, 4, 3 }, 5);
	ck_assert_uint_eq(w->log_t[1], 15);
	ck_assert_uint_eq(w->log_t[4], 120);
	world_free(w);
}
END_TEST

/* Rule 4: an event scheduled at `now` from a callback runs after the
 * current one and after those already pending at now. */
START_TEST(rule4_now_events_run_after_pending_peers)
{
	struct world *w = world_new();
	w->ev[0].act = SCHED_OTHER_NOW;
	w->ev[0].other = 5;
	w->ev[5].act = SCHED_OTHER_NOW; /* chain: 5 schedules 6 at now */
	w->ev[5].other = 6;
	at(w, 0, 10);
	at(w, 1, 10);
	at(w, 2, 10);
	at(w, 3, 11);
	sim_run(&w->sim);
	expect_log(w, (int[]){ 0, 1, 2, 5, 6, 3 }, 6);
	for (int i = 0; i < 5; i++)
		ck_assert_uint_eq(w->log_t[i], 10);
	world_free(w);
}
END_TEST

START_TEST(rule4_now_event_within_run_until_now)
{
	struct world *w = world_new();
	w->ev[0].act = SCHED_OTHER_NOW;
	w->ev[0].other = 1;
	at(w, 0, 10);
	ck_assert_int_eq(sim_run_until(&w->sim, 10), SIM_RUN_REACHED);
	expect_log(w, (int[]){ 0, 1 }, 2);
	world_free(w);
}
END_TEST

/* Rule 5: stop returns after the callback; the clock stays; pending
 * events stay pending and a later run carries on. */
START_TEST(rule5_stop_and_resume)
{
	struct world *w = world_new();
	w->ev[1].act = STOP;
	at(w, 0, 10);
	at(w, 1, 20);
	at(w, 2, 20);
	at(w, 3, 30);
	ck_assert_int_eq(sim_run_until(&w->sim, 100), SIM_RUN_STOPPED);
	ck_assert_uint_eq(sim_now(&w->sim), 20);
	ck_assert_uint_eq(sim_pending_count(&w->sim), 2);
	expect_log(w, (int[]){ 0, 1 }, 2);
	w->ev[1].act = NONE;
	ck_assert_int_eq(sim_run(&w->sim), SIM_RUN_EMPTY);
	expect_log(w, (int[]){ 0, 1, 2, 3 }, 4);
	/* stop also ends sim_run */
	w->ev[0].act = STOP;
	at(w, 0, 40);
	at(w, 1, 50);
	ck_assert_int_eq(sim_run(&w->sim), SIM_RUN_STOPPED);
	ck_assert_uint_eq(sim_now(&w->sim), 40);
	ck_assert_int_eq(sim_run(&w->sim), SIM_RUN_EMPTY);
	world_free(w);
}
END_TEST

/* Rule 6: running the engine from inside a callback is refused. */
static void nested_run(struct sim *sim, struct sim_event *e, void *arg)
{
	(void)e;
	(void)arg;
	sim_run(sim);
}

START_TEST(rule6_nested_run_aborts)
{
	struct sim sim;
	struct sim_event e;
	quiet_stderr();
	sim_init(&sim, 1);
	sim_event_init(&e, nested_run, NULL, "nested");
	sim_schedule_in(&sim, &e, 1);
	sim_run(&sim); /* asserts: the test expects SIGABRT */
}
END_TEST

/* Rule 7: scheduling in the past is refused. */
START_TEST(rule7_past_aborts)
{
	quiet_stderr();
	struct world *w = world_new();
	at(w, 0, 100);
	sim_run(&w->sim);
	at(w, 1, 99); /* asserts: the test expects SIGABRT */
}
END_TEST

START_TEST(run_until_boundaries)
{
	struct world *w = world_new();
	at(w, 0, 100);
	at(w, 1, 101);
	ck_assert_int_eq(sim_run_until(&w->sim, 99), SIM_RUN_REACHED);
	ck_assert_int_eq(w->nlog, 0);
	ck_assert_uint_eq(sim_now(&w->sim), 99);
	ck_assert_int_eq(sim_run_until(&w->sim, 100), SIM_RUN_REACHED);
	expect_log(w, (int[]){ 0 }, 1);   /* due exactly at t: runs */
	ck_assert_uint_eq(sim_now(&w->sim), 100);
	ck_assert_int_eq(sim_run_until(&w->sim, 100), SIM_RUN_REACHED);
	ck_assert_int_eq(w->nlog, 1);     /* idempotent */
	ck_assert_int_eq(sim_run_until(&w->sim, 5000), SIM_RUN_REACHED);
	expect_log(w, (int[]){ 0, 1 }, 2);
	ck_assert_uint_eq(sim_now(&w->sim), 5000); /* clock advances to t */
	/* delays are relative to the advanced clock */
	ck_assert_int_eq(sim_schedule_in(&w->sim, &w->ev[2].ev, 1), SN_OK);
	ck_assert_uint_eq(sim_event_time(&w->ev[2].ev), 5001);
	ck_assert_int_eq(sim_run_until(&w->sim, SIM_TIME_MAX), SIM_RUN_REACHED);
	ck_assert_uint_eq(sim_now(&w->sim), SIM_TIME_MAX);
	world_free(w);
}
END_TEST

START_TEST(step_one_at_a_time)
{
	struct world *w = world_new();
	ck_assert_int_eq(sim_step(&w->sim), 0);
	at(w, 0, 5);
	at(w, 1, 2);
	ck_assert_int_eq(sim_step(&w->sim), 1);
	ck_assert_uint_eq(sim_now(&w->sim), 2);
	expect_log(w, (int[]){ 1 }, 1);
	ck_assert_int_eq(sim_step(&w->sim), 1);
	ck_assert_uint_eq(sim_now(&w->sim), 5);
	ck_assert_int_eq(sim_step(&w->sim), 0);
	ck_assert_uint_eq(sim_now(&w->sim), 5);
	world_free(w);
}
END_TEST

START_TEST(fini_with_pending_events_leaves_them_idle)
{
	struct sim sim;
	struct sim_event e[3];
	ck_assert_int_eq(sim_init(&sim, 3), SN_OK);
	for (int i = 0; i < 3; i++) {
		sim_event_init(&e[i], nested_run, NULL, "x");
		sim_schedule_in(&sim, &e[i], (sim_time_t)i);
	}
	sim_fini(&sim);
	for (int i = 0; i < 3; i++)
		ck_assert(!sim_event_pending(&e[i]));
}
END_TEST

/*
 * Randomized comparison with a reference: an array scanned linearly for
 * the minimum (time, seq).  Random schedule, reschedule, cancel and step
 * operations on a pool of events with few distinct times (many ties);
 * after each step the engine must have run exactly the reference's
 * earliest event at the reference's time.
 */
struct ref_ev {
	struct sim_event ev;
	int pending;
	sim_time_t time;
	uint64_t seq;
	int ran;
};

static void ref_fire(struct sim *sim, struct sim_event *e, void *arg)
{
	(void)sim;
	(void)e;
	((struct ref_ev *)arg)->ran++;
}

START_TEST(randomized_against_reference)
{
	enum { POOL = 160 };
	static struct ref_ev pool[POOL];
	struct sim sim;
	struct sim_rng rng;
	ck_assert_int_eq(sim_init(&sim, 77), SN_OK);
	sim_rng_stream(&sim, &rng, "queue-fuzz");
	for (int i = 0; i < POOL; i++) {
		memset(&pool[i], 0, sizeof pool[i]);
		sim_event_init(&pool[i].ev, ref_fire, &pool[i], "fuzz");
	}
	uint64_t seq = 0, steps = 0;
	long ops = test_quick() ? 100000 : 3000000;
	for (long op = 0; op < ops; op++) {
		uint64_t r = sim_rng_below(&rng, 100);
		struct ref_ev *x = &pool[sim_rng_below(&rng, POOL)];
		if (r < 45) { /* schedule or move, often onto an equal time */
			sim_time_t d = sim_rng_below(&rng, 8) * 1000;
			ck_assert_int_eq(sim_schedule_in(&sim, &x->ev, d), SN_OK);
			x->pending = 1;
			x->time = sim_now(&sim) + d;
			x->seq = seq++;
		} else if (r < 60) {
			ck_assert_int_eq(sim_cancel(&sim, &x->ev), x->pending);
			x->pending = 0;
		} else { /* step: compare with the reference minimum */
			struct ref_ev *best = NULL;
			uint32_t npend = 0;
			for (int i = 0; i < POOL; i++) {
				struct ref_ev *c = &pool[i];
				if (!c->pending)
					continue;
				npend++;
				if (!best || c->time < best->time ||
				    (c->time == best->time && c->seq < best->seq))
					best = c;
			}
			ck_assert_uint_eq(sim_pending_count(&sim), npend);
			if (!best) {
				ck_assert_int_eq(sim_step(&sim), 0);
				continue;
			}
			int before = best->ran;
			ck_assert_int_eq(sim_step(&sim), 1);
			ck_assert_int_eq(best->ran, before + 1);
			ck_assert_uint_eq(sim_now(&sim), best->time);
			best->pending = 0;
			steps++;
		}
	}
	ck_assert_uint_eq(sim_events_run(&sim), steps);
	while (sim_step(&sim))
		;
	sim_fini(&sim);
}
END_TEST

/*
 * The same comparison at the scales a SCSI model mixes: delays from 0 ps
 * through deskew (45 ns) and settle times to selection time-outs (250 ms)
 * and beyond, a pool large enough that queue buckets overflow and split
 * repeatedly, and occasional times at the very end of the clock.  The
 * reference is an array kept sorted by (time, seq).
 */
struct mref {
	sim_time_t time;
	uint64_t seq;
	uint32_t id;
};

static int mref_cmp(const struct mref *a, sim_time_t t, uint64_t seq)
{
	if (a->time != t)
		return a->time < t ? -1 : 1;
	return a->seq < seq ? -1 : a->seq > seq ? 1 : 0;
}

static uint32_t mref_find(const struct mref *r, uint32_t n, sim_time_t t,
			  uint64_t seq)
{
	uint32_t lo = 0, hi = n;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (mref_cmp(&r[mid], t, seq) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static sim_time_t multiscale_delay(struct sim_rng *rng, sim_time_t now)
{
	switch (sim_rng_below(rng, 10)) {
	case 0:
		return 0;
	case 1:
		return sim_rng_below(rng, 1000);               /* ps */
	case 2:
	case 3:
		return sim_rng_below(rng, 5) * 45 * SIM_NS;    /* ties */
	case 4:
	case 5:
		return sim_rng_below(rng, 10 * SIM_US);
	case 6:
		return 250 * SIM_MS + sim_rng_below(rng, 2);
	case 7:
		return sim_rng_below(rng, 3 * SIM_S);
	case 8:
		/* the end of the clock, now and then exactly */
		return sim_rng_below(rng, 4) == 0
			       ? SIM_TIME_MAX - now
			       : (SIM_TIME_MAX - now) / 2 +
					 sim_rng_below(rng, 1000);
	default:
		return sim_rng_below(rng, 400 * SIM_NS);
	}
}

START_TEST(randomized_multiscale_against_reference)
{
	enum { POOL = 4000 };
	struct ref_ev *pool = calloc(POOL, sizeof *pool);
	struct mref *ref = calloc(POOL, sizeof *ref);
	ck_assert(pool && ref);
	uint32_t nref = 0;
	struct sim sim;
	struct sim_rng rng;
	ck_assert_int_eq(sim_init(&sim, 78), SN_OK);
	sim_rng_stream(&sim, &rng, "queue-fuzz-multiscale");
	for (int i = 0; i < POOL; i++)
		sim_event_init(&pool[i].ev, ref_fire, &pool[i], "fuzz");
	uint64_t seq = 0;
	long ops = test_quick() ? 60000 : 1500000;
	for (long op = 0; op < ops; op++) {
		uint64_t r = sim_rng_below(&rng, 100);
		uint32_t id = (uint32_t)sim_rng_below(&rng, POOL);
		struct ref_ev *x = &pool[id];
		if (r < 50 || (r < 70 && nref < 50)) {
			sim_time_t d = multiscale_delay(&rng, sim_now(&sim));
			if (x->pending) { /* drop the old reference entry */
				uint32_t at = mref_find(ref, nref, x->time, x->seq);
				memmove(&ref[at], &ref[at + 1],
					(nref - at - 1) * sizeof *ref);
				nref--;
			}
			ck_assert_int_eq(sim_schedule_in(&sim, &x->ev, d), SN_OK);
			x->pending = 1;
			x->time = sim_now(&sim) + d;
			x->seq = seq++;
			uint32_t at = mref_find(ref, nref, x->time, x->seq);
			memmove(&ref[at + 1], &ref[at], (nref - at) * sizeof *ref);
			ref[at] = (struct mref){ x->time, x->seq, id };
			nref++;
		} else if (r < 65) {
			ck_assert_int_eq(sim_cancel(&sim, &x->ev), x->pending);
			if (x->pending) {
				uint32_t at = mref_find(ref, nref, x->time, x->seq);
				ck_assert_uint_eq(ref[at].id, id);
				memmove(&ref[at], &ref[at + 1],
					(nref - at - 1) * sizeof *ref);
				nref--;
				x->pending = 0;
			}
		} else {
			ck_assert_uint_eq(sim_pending_count(&sim), nref);
			if (nref == 0) {
				ck_assert_int_eq(sim_step(&sim), 0);
				continue;
			}
			ck_assert_uint_eq(sim_next_time(&sim), ref[0].time);
			struct ref_ev *want = &pool[ref[0].id];
			int before = want->ran;
			ck_assert_int_eq(sim_step(&sim), 1);
			ck_assert_msg(want->ran == before + 1,
				      "op %ld: wrong event ran", op);
			ck_assert_uint_eq(sim_now(&sim), ref[0].time);
			want->pending = 0;
			memmove(&ref[0], &ref[1], (nref - 1) * sizeof *ref);
			nref--;
		}
	}
	/* drain: the rest comes out in reference order */
	for (uint32_t i = 0; i < nref; i++) {
		struct ref_ev *want = &pool[ref[i].id];
		int before = want->ran;
		ck_assert_int_eq(sim_step(&sim), 1);
		ck_assert_int_eq(want->ran, before + 1);
	}
	ck_assert_int_eq(sim_step(&sim), 0);
	sim_fini(&sim);
	free(pool);
	free(ref);
}
END_TEST

START_TEST(allocation_counters)
{
	struct sim sim;
	ck_assert_int_eq(sim_init(&sim, 1), SN_OK);
	const struct sim_alloc_stats *st = sim_alloc_stats(&sim);
	char *a = sim_alloc(&sim, 100);
	long double *b = sim_calloc(&sim, 4, sizeof *b);
	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_nonnull(b);
	ck_assert_uint_eq((uintptr_t)b % _Alignof(max_align_t), 0);
	for (int i = 0; i < 4; i++)
		ck_assert(b[i] == 0);
	ck_assert_uint_eq(st->live_allocs, 2);
	ck_assert_uint_eq(st->live_bytes, 100 + 4 * sizeof *b);
	memset(a, 'x', 100);
	a = sim_realloc(&sim, a, 1000);
	ck_assert_ptr_nonnull(a);
	ck_assert_int_eq(a[99], 'x');
	ck_assert_uint_eq(st->live_allocs, 2);
	ck_assert_uint_eq(st->live_bytes, 1000 + 4 * sizeof *b);
	ck_assert_uint_eq(st->peak_bytes, 1000 + 4 * sizeof *b);
	sim_free(&sim, a);
	sim_free(&sim, b);
	sim_free(&sim, NULL);
	ck_assert_uint_eq(st->total_allocs, 2);
	ck_assert_uint_eq(st->peak_bytes, 1000 + 4 * sizeof *b);
	ck_assert_ptr_null(sim_calloc(&sim, SIZE_MAX / 2, 4)); /* overflow */
	ck_assert_ptr_null(sim_alloc(&sim, SIZE_MAX));
	ck_assert_sim_clean(&sim);
	sim_fini(&sim);
}
END_TEST

/* Several engines in one process do not share anything. */
START_TEST(engines_are_independent)
{
	struct world *a = world_new(), *b = world_new();
	at(a, 0, 10);
	at(b, 0, 20);
	at(b, 1, 5);
	sim_run(&a->sim);
	ck_assert_uint_eq(sim_now(&a->sim), 10);
	ck_assert_uint_eq(sim_pending_count(&b->sim), 2);
	ck_assert_uint_eq(sim_now(&b->sim), 0);
	sim_run(&b->sim);
	expect_log(b, (int[]){ 1, 0 }, 2);
	world_free(a);
	world_free(b);
}
END_TEST

Suite *sim_suite(void)
{
	Suite *s = suite_create("sim");
	TCase *order = tcase_create("order");
	tcase_add_test(order, runs_in_time_order);
	tcase_add_test(order, equal_times_are_fifo);
	tcase_add_test(order, cancel_in_every_position);
	tcase_add_test(order, reschedule_in_every_position);
	tcase_add_test(order, run_until_boundaries);
	tcase_add_test(order, step_one_at_a_time);
	tcase_add_test(order, fini_with_pending_events_leaves_them_idle);
	tcase_add_test(order, engines_are_independent);
	suite_add_tcase(s, order);

	TCase *re = tcase_create("reentrancy");
	tcase_add_test(re, rule1_periodic_self_reschedule);
	tcase_add_test(re, rule2_cancel_from_callback);
	tcase_add_test(re, rule2_cancel_same_time_event);
	tcase_add_test(re, rule3_move_other_from_callback);
	tcase_add_test(re, rule4_now_events_run_after_pending_peers);
	tcase_add_test(re, rule4_now_event_within_run_until_now);
	tcase_add_test(re, rule5_stop_and_resume);
	suite_add_tcase(s, re);

	/* Assertion tests need a forked child; skip them under CK_FORK=no
	 * (valgrind) where an abort would end the whole run, and under
	 * NDEBUG where the asserts are compiled out. */
#ifndef NDEBUG
	const char *fork_env = getenv("CK_FORK");
	if (fork_env == NULL || strcmp(fork_env, "no") != 0) {
		TCase *abuse = tcase_create("misuse");
		tcase_add_test_raise_signal(abuse, rule6_nested_run_aborts, 6);
		tcase_add_test_raise_signal(abuse, rule7_past_aborts, 6);
		suite_add_tcase(s, abuse);
	}
#endif

	TCase *fuzz = tcase_create("randomized");
	tcase_add_test(fuzz, randomized_against_reference);
	tcase_add_test(fuzz, randomized_multiscale_against_reference);
	tcase_set_timeout(fuzz, 120);
	suite_add_tcase(s, fuzz);

	TCase *mem = tcase_create("alloc");
	tcase_add_test(mem, allocation_counters);
	suite_add_tcase(s, mem);
	return s;
}
