/*
 * sim_queue_heap.c - the event queue as a cache-aligned d-ary min-heap.
 *
 * Built when SIM_QUEUE_HEAP is defined (the ladder queue is the default;
 * bench/README.md compares them).  Keys (time, seq) sit in their own
 * array, compared as one 128-bit integer, with the event pointers in a
 * parallel array; each pending event records its index, so cancel and
 * reschedule are O(log n) without search.  The arity is SIM_HEAP_ARITY.
 */
#include "sim_queue_priv.h"

#ifdef SIM_QUEUE_HEAP

#include <stdlib.h>
#include <string.h>

#ifndef SIM_HEAP_ARITY
#define SIM_HEAP_ARITY 4
#endif
#if SIM_HEAP_ARITY < 2
#error "SIM_HEAP_ARITY must be at least 2"
#endif
#define D SIM_HEAP_ARITY

const char *sim_queue_name(void)
{
#define STR2(x) #x
#define STR(x) STR2(x)
	return "heap" STR(SIM_HEAP_ARITY);
}

/* (time, seq) as one 128-bit integer: one compare, no branch on ties. */
static inline unsigned __int128 k128(struct sim_qkey k)
{
	return ((unsigned __int128)k.time << 64) | k.seq;
}

static inline void place(struct sim_queue *q, uint32_t i, struct sim_qkey k,
			 struct sim_event *ev)
{
	q->key[i] = k;
	q->ev[i] = ev;
	ev->slot = i + 1;
}

static void sift_up(struct sim_queue *q, uint32_t i, struct sim_qkey k,
		    struct sim_event *ev)
{
	unsigned __int128 kv = k128(k);
	while (i > 0) {
		uint32_t parent = (i - 1) / D;
		if (k128(q->key[parent]) <= kv)
			break;
		place(q, i, q->key[parent], q->ev[parent]);
		i = parent;
	}
	place(q, i, k, ev);
}

static void sift_down(struct sim_queue *q, uint32_t n, uint32_t i,
		      struct sim_qkey k, struct sim_event *ev)
{
	const struct sim_qkey *key = q->key;
	unsigned __int128 kv = k128(k);
	for (;;) {
		uint64_t first = (uint64_t)i * D + 1;
		if (first >= n)
			break;
		/* Start loading the grandchildren now, so that the next
		 * level's cache miss overlaps this level's compares. */
		for (uint32_t g = 0; g < D; g++) {
			uint64_t gc = (first + g) * D + 1;
			if (gc < n)
				__builtin_prefetch(&key[gc]);
		}
		uint32_t best = (uint32_t)first;
		unsigned __int128 bk = k128(key[best]);
		uint32_t last = first + D <= n ? (uint32_t)first + D : n;
		for (uint32_t c = best + 1; c < last; c++) {
			unsigned __int128 ck = k128(key[c]);
			if (ck < bk) {
				bk = ck;
				best = c;
			}
		}
		if (kv <= bk)
			break;
		place(q, i, key[best], q->ev[best]);
		i = best;
	}
	place(q, i, k, ev);
}

/* Put (k, ev) at index i, which was just vacated or rekeyed. */
static void restore(struct sim_queue *q, uint32_t i, struct sim_qkey k,
		    struct sim_event *ev)
{
	if (i > 0 && k128(k) < k128(q->key[(i - 1) / D]))
		sift_up(q, i, k, ev);
	else
		sift_down(q, q->len, i, k, ev);
}

/*
 * One cache-aligned allocation holds the key array, then the event array.
 * The root key sits D-1 entries into its array so that the D children of
 * every node (indices D*i+1 .. D*i+D) start on a 64-byte boundary: with
 * 16-byte keys and D = 4, each sift level reads exactly one cache line.
 */
#define QALIGN 64
static enum sn_err grow(struct sim_queue *q)
{
	uint32_t cap = q->cap ? q->cap * 2 : 64;
	if (cap < q->cap || cap > UINT32_MAX / 2) /* 2^31 pending: refuse */
		return SN_ENOMEM;
	size_t key_bytes = ((size_t)cap + D) * sizeof(struct sim_qkey);
	key_bytes = (key_bytes + QALIGN - 1) / QALIGN * QALIGN;
	size_t bytes = key_bytes + (size_t)cap * sizeof(struct sim_event *);
	bytes = (bytes + QALIGN - 1) / QALIGN * QALIGN;
	char *mem = aligned_alloc(QALIGN, bytes);
	if (mem == NULL)
		return SN_ENOMEM;
	struct sim_qkey *key = (struct sim_qkey *)mem + (D - 1);
	struct sim_event **ev = (struct sim_event **)(mem + key_bytes);
	if (q->len) {
		memcpy(key, q->key, (size_t)q->len * sizeof *key);
		memcpy(ev, q->ev, (size_t)q->len * sizeof *ev);
	}
	free(q->mem);
	q->mem = mem;
	q->key = key;
	q->ev = ev;
	q->cap = cap;
	return SN_OK;
}

enum sn_err sq_init(struct sim_queue *q)
{
	memset(q, 0, sizeof *q);
	return grow(q);
}

void sq_fini(struct sim_queue *q)
{
	for (uint32_t i = 0; i < q->len; i++)
		q->ev[i]->slot = 0;
	free(q->mem);
	memset(q, 0, sizeof *q);
}

enum sn_err sq_insert(struct sim_queue *q, struct sim_event *ev)
{
	if (q->len == q->cap) {
		enum sn_err err = grow(q);
		if (err != SN_OK)
			return err;
	}
	struct sim_qkey k = { ev->time, ev->seq };
	sift_up(q, q->len++, k, ev);
	return SN_OK;
}

void sq_remove(struct sim_queue *q, struct sim_event *ev)
{
	uint32_t i = ev->slot - 1;
	ev->slot = 0;
	uint32_t n = --q->len;
	if (i != n)
		restore(q, i, q->key[n], q->ev[n]);
}

void sq_moved(struct sim_queue *q, struct sim_event *ev)
{
	struct sim_qkey k = { ev->time, ev->seq };
	restore(q, ev->slot - 1, k, ev);
}

struct sim_event *sq_first(struct sim_queue *q)
{
	return q->len ? q->ev[0] : NULL;
}

void sq_pop_first(struct sim_queue *q)
{
	q->ev[0]->slot = 0;
	uint32_t n = --q->len;
	if (n > 0)
		sift_down(q, n, 0, q->key[n], q->ev[n]);
}

#endif /* SIM_QUEUE_HEAP */
