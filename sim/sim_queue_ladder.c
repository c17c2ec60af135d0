/*
 * sim_queue_ladder.c - the event queue as a ladder queue (the default).
 *
 * After W. T. Tang, R. S. M. Goh and I. L.-J. Thng, "Ladder Queue: An O(1)
 * Priority Queue Structure for Large-Scale Discrete Event Simulation",
 * ACM TOMACS 15(3), 2005.  Three tiers:
 *
 *   top     an unsorted list of far-future events (time >= top_start);
 *   rungs   up to SIM_LQ_MAX_RUNGS arrays of time buckets, each bucket an
 *           unsorted list; rung 0 is the coarsest, each further rung
 *           refines one bucket of the rung above;
 *   bottom  a short list sorted by (time, seq), from which events leave.
 *
 * An event is touched O(1) times on average: appended to a list when
 * scheduled, moved down a few tiers, and taken from the bottom's head.
 * When the bottom runs dry the lowest rung's next non-empty bucket comes
 * down: split into a new rung if it holds more than LQ_THRES events, else
 * sorted into the bottom.  When the rungs run dry, the top becomes rung 0
 * with a bucket width fitted to its events.
 *
 * FIFO among equal times.  Every list keeps events with equal times in
 * insertion order: scheduling appends (and a new event has the largest
 * sequence number), and moving a list into buckets or into the bottom
 * preserves relative order.  So a stable sort by time alone yields
 * (time, seq) order, and inserting into the bottom only compares times.
 *
 * Each list also keeps the bounds of the times appended to it, so a bucket
 * whose events all share one time (common: models quantise time to their
 * clocks) goes to the bottom as it is, without being split or sorted.
 *
 * Cancel is O(1): each event knows its list and its rung.  Bucket arrays
 * are only reallocated while their rung is empty, so no event ever points
 * into freed memory.  Arithmetic on bucket boundaries saturates at
 * SIM_TIME_MAX.
 */
#include "sim_queue_priv.h"

#ifndef SIM_QUEUE_HEAP

#include <assert.h>
#include <stdlib.h>
#include <string.h>

/* A bucket with more events than this is split into a new rung rather
 * than sorted (the paper's THRES; bench/README.md has the measurement). */
#ifndef LQ_THRES
#define LQ_THRES 50
#endif
#define RUNG_TOP (SIM_LQ_MAX_RUNGS)
#define RUNG_BOTTOM (SIM_LQ_MAX_RUNGS + 1)

const char *sim_queue_name(void)
{
	return "ladder";
}

/* a + k * w, saturating at SIM_TIME_MAX. */
static inline sim_time_t sat_axw(sim_time_t a, uint64_t k, sim_time_t w)
{
	unsigned __int128 v = (unsigned __int128)a + (unsigned __int128)k * w;
	return v > SIM_TIME_MAX ? SIM_TIME_MAX : (sim_time_t)v;
}

static inline void list_append(struct sim_lq_list *l, struct sim_event *ev,
			       uint32_t rung)
{
	sim_time_t t = ev->time;
	if (l->n == 0) {
		l->tmin = l->tmax = t;
	} else {
		if (t < l->tmin)
			l->tmin = t;
		if (t > l->tmax)
			l->tmax = t;
	}
	ev->next = NULL;
	ev->prev = l->tail;
	if (l->tail)
		l->tail->next = ev;
	else
		l->head = ev;
	l->tail = ev;
	l->n++;
	ev->list = l;
	ev->rung = rung;
}

static inline void list_unlink(struct sim_lq_list *l, struct sim_event *ev)
{
	if (ev->prev)
		ev->prev->next = ev->next;
	else
		l->head = ev->next;
	if (ev->next)
		ev->next->prev = ev->prev;
	else
		l->tail = ev->prev;
	l->n--;
}

/* Start time of the first bucket of `r` not yet handed down (kept in the
 * rung: inserts compare against it for every rung they pass). */
static inline sim_time_t rung_cur_start(const struct sim_lq_rung *r)
{
	return r->cur_start;
}

/* Hand bucket cur down: the rung now starts one bucket later. */
static inline void rung_advance(struct sim_lq_rung *r)
{
	r->cur++;
	r->cur_start = sat_axw(r->start, r->cur, r->width);
}

static struct sim_lq_rung *rung_open(struct sim_queue *q, sim_time_t start,
				     sim_time_t width, uint64_t nb);
static void list_to_rung(struct sim_queue *q, struct sim_lq_list *l,
			 struct sim_lq_rung *r);

/*
 * A bottom that has grown past LQ_THRES through direct inserts (a coarse
 * rung above, e.g. because a few far-future time-outs stretched rung 0's
 * buckets) becomes a new lowest rung covering every time that can still
 * arrive below the rung above: [head time, that rung's current start).
 * Returns 1 if it did.
 */
static int bottom_to_rung(struct sim_queue *q)
{
	if (q->nrungs >= SIM_LQ_MAX_RUNGS)
		return 0;
	sim_time_t lo = q->bottom.head->time;
	sim_time_t hi = q->nrungs ? rung_cur_start(&q->rung[q->nrungs - 1])
				  : q->top_start;
	assert(lo < hi);
	sim_time_t span = hi - lo;
	sim_time_t width = span / q->bottom.n + (span % q->bottom.n != 0);
	uint64_t nb = span / width + (span % width != 0);
	struct sim_lq_rung *r = rung_open(q, lo, width, nb);
	if (r == NULL)
		return 0;
	list_to_rung(q, &q->bottom, r);
	return 1;
}

/* Sorted insert; `ev` has the largest seq, so it goes after equal times.
 * Scans from the tail: new events are usually the latest. */
static void bottom_insert(struct sim_queue *q, struct sim_event *ev)
{
	struct sim_lq_list *l = &q->bottom;
	struct sim_event *p = l->tail;
	while (p != NULL && p->time > ev->time)
		p = p->prev;
	ev->list = l;
	ev->rung = RUNG_BOTTOM;
	ev->prev = p;
	ev->next = p ? p->next : l->head;
	if (ev->next)
		ev->next->prev = ev;
	else
		l->tail = ev;
	if (p)
		p->next = ev;
	else
		l->head = ev;
	l->n++;
}

enum sn_err sq_init(struct sim_queue *q)
{
	memset(q, 0, sizeof *q);
	return SN_OK;
}

static void idle_all(struct sim_lq_list *l)
{
	for (struct sim_event *e = l->head; e; e = e->next)
		e->list = NULL;
}

void sq_fini(struct sim_queue *q)
{
	idle_all(&q->top);
	idle_all(&q->bottom);
	for (uint32_t i = 0; i < SIM_LQ_MAX_RUNGS; i++) {
		struct sim_lq_rung *r = &q->rung[i];
		if (i < q->nrungs)
			for (uint32_t k = 0; k < r->nb; k++)
				idle_all(&r->bucket[k]);
		free(r->bucket);
	}
	memset(q, 0, sizeof *q);
}

enum sn_err sq_insert(struct sim_queue *q, struct sim_event *ev)
{
	sim_time_t t = ev->time;
	q->count++;
	if (t >= q->top_start) {
		list_append(&q->top, ev, RUNG_TOP);
		return SN_OK;
	}
	for (int pass = 0; pass < 2; pass++) {
		for (uint32_t i = 0; i < q->nrungs; i++) {
			struct sim_lq_rung *r = &q->rung[i];
			if (t >= rung_cur_start(r)) {
				uint64_t k = (t - r->start) / r->width;
				assert(k < r->nb);
				list_append(&r->bucket[k], ev, i);
				r->n++;
				return SN_OK;
			}
		}
		/* once: a long bottom becomes a rung, then look again */
		if (pass > 0 || q->bottom.n < LQ_THRES || !bottom_to_rung(q))
			break;
	}
	bottom_insert(q, ev);
	return SN_OK;
}

void sq_remove(struct sim_queue *q, struct sim_event *ev)
{
	list_unlink(ev->list, ev);
	if (ev->rung < SIM_LQ_MAX_RUNGS)
		q->rung[ev->rung].n--;
	ev->list = NULL;
	q->count--;
}

void sq_moved(struct sim_queue *q, struct sim_event *ev)
{
	sq_remove(q, ev);
	sq_insert(q, ev); /* cannot fail: lists need no memory */
}

/* Stable merge sort of a NULL-terminated chain of n events by time. */
static struct sim_event *msort(struct sim_event *h, uint32_t n)
{
	if (n <= 1) {
		if (h)
			h->next = NULL;
		return h;
	}
	uint32_t half = n / 2;
	struct sim_event *m = h;
	for (uint32_t i = 1; i < half; i++)
		m = m->next;
	struct sim_event *right = m->next;
	m->next = NULL;
	struct sim_event *a = msort(h, half), *b = msort(right, n - half);
	struct sim_event head = { 0 }, *tail = &head;
	while (a && b) {
		if (b->time < a->time) { /* ties take a: stable */
			tail->next = b;
			b = b->next;
		} else {
			tail->next = a;
			a = a->next;
		}
		tail = tail->next;
	}
	tail->next = a ? a : b;
	return head.next;
}

/*
 * Sort list `l` into the (empty) bottom.  Lists are often sorted already:
 * always when `one_time` says every event has the same time (a bucket one
 * picosecond wide), and often otherwise, since events are usually
 * scheduled in time order.  So one pass relabels the events and checks
 * the order, and only an unsorted list is merge-sorted.
 */
static void list_to_bottom(struct sim_queue *q, struct sim_lq_list *l,
			   int one_time)
{
	assert(q->bottom.n == 0);
	struct sim_event *h = l->head, *prev = NULL;
	int sorted = 1;
	for (struct sim_event *e = h; e; e = e->next) {
		e->list = &q->bottom;
		e->rung = RUNG_BOTTOM;
		if (!one_time && prev && e->time < prev->time)
			sorted = 0;
		prev = e;
	}
	if (!sorted) {
		h = msort(h, l->n);
		prev = NULL;
		for (struct sim_event *e = h; e; e = e->next) {
			e->prev = prev;
			prev = e;
		}
	}
	q->bottom.head = h;
	q->bottom.tail = prev;
	q->bottom.n = l->n;
	l->head = l->tail = NULL;
	l->n = 0;
}

/* Make the next rung cover [start, start + nb * width) with nb buckets. */
static struct sim_lq_rung *rung_open(struct sim_queue *q, sim_time_t start,
				     sim_time_t width, uint64_t nb)
{
	assert(q->nrungs < SIM_LQ_MAX_RUNGS && width >= 1);
	if (nb > UINT32_MAX)
		return NULL;
	struct sim_lq_rung *r = &q->rung[q->nrungs];
	assert(r->n == 0);
	if (r->cap < nb) {
		/* safe: an unused rung holds no events */
		struct sim_lq_list *b = realloc(r->bucket, nb * sizeof *b);
		if (b == NULL)
			return NULL;
		r->bucket = b;
		r->cap = (uint32_t)nb;
	}
	memset(r->bucket, 0, nb * sizeof *r->bucket);
	r->nb = (uint32_t)nb;
	r->cur = 0;
	r->cur_start = start;
	r->start = start;
	r->width = width;
	r->n = 0;
	q->nrungs++;
	return r;
}

/* Distribute list `l` (times within the new rung's range) into rung `r`. */
static void list_to_rung(struct sim_queue *q, struct sim_lq_list *l,
			 struct sim_lq_rung *r)
{
	uint32_t idx = (uint32_t)(r - q->rung);
	struct sim_event *e = l->head;
	while (e) {
		struct sim_event *next = e->next;
		uint64_t k = (e->time - r->start) / r->width;
		assert(k < r->nb);
		list_append(&r->bucket[k], e, idx);
		r->n++;
		e = next;
	}
	l->head = l->tail = NULL;
	l->n = 0;
}

/* The top becomes rung 0, about one event per bucket. */
static void top_to_rung(struct sim_queue *q)
{
	sim_time_t span = q->top.tmax - q->top.tmin;
	sim_time_t width = span / q->top.n;
	if (width == 0)
		width = 1;
	uint64_t nb = span / width + 1;
	struct sim_lq_rung *r = rung_open(q, q->top.tmin, width, nb);
	if (r == NULL) {
		/* out of memory: sort everything into the bottom instead */
		q->top_start = q->top.tmax == SIM_TIME_MAX ? SIM_TIME_MAX
							   : q->top.tmax + 1;
		list_to_bottom(q, &q->top, 0);
		return;
	}
	q->top_start = sat_axw(r->start, r->nb, r->width);
	list_to_rung(q, &q->top, r);
}

/* Refill the bottom from the rungs (and the top); returns its head. */
static struct sim_event *refill(struct sim_queue *q)
{
	while (q->bottom.head == NULL) {
		if (q->nrungs == 0) {
			if (q->top.n == 0)
				return NULL;
			top_to_rung(q);
			continue;
		}
		struct sim_lq_rung *r = &q->rung[q->nrungs - 1];
		if (r->n == 0) {
			q->nrungs--;
			continue;
		}
		while (r->bucket[r->cur].n == 0)
			r->cur++;
		r->cur_start = sat_axw(r->start, r->cur, r->width);
		struct sim_lq_list *b = &r->bucket[r->cur];
		sim_time_t bstart = rung_cur_start(r);
		rung_advance(r);
		r->n -= b->n;
		/* One time only (a 1 ps bucket, or equal times): it is in
		 * FIFO order already, and splitting it would gain nothing. */
		int one_time = r->width == 1 || b->tmin == b->tmax;
		if (!one_time && b->n > LQ_THRES &&
		    q->nrungs < SIM_LQ_MAX_RUNGS) {
			sim_time_t width = (r->width + b->n - 1) / b->n;
			uint64_t nb = (r->width + width - 1) / width;
			struct sim_lq_rung *child =
				rung_open(q, bstart, width, nb);
			if (child != NULL) {
				list_to_rung(q, b, child);
				continue;
			}
		}
		list_to_bottom(q, b, one_time);
	}
	return q->bottom.head;
}

struct sim_event *sq_first(struct sim_queue *q)
{
	return q->bottom.head ? q->bottom.head : refill(q);
}

void sq_pop_first(struct sim_queue *q)
{
	struct sim_event *ev = q->bottom.head;
	q->bottom.head = ev->next;
	if (ev->next)
		ev->next->prev = NULL;
	else
		q->bottom.tail = NULL;
	q->bottom.n--;
	ev->list = NULL;
	q->count--;
}

#endif /* !SIM_QUEUE_HEAP */
