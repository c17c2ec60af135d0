/*
 * ip_route.c - longest-prefix match over a small sorted table
 * (RFC 1812 section 5.2.4.3).
 *
 * Two arrays: the routes in insertion order (what ip_rtable_at shows),
 * and a lookup index sorted by preference (len descending, metric
 * ascending, insertion order).  Each index entry carries its own prefix
 * and mask, so a lookup walks one contiguous array and stops at the first
 * entry that matches: by the sort order, that entry is the answer.
 */
#include "ip_route.h"

#include <assert.h>
#include <string.h>

struct rt_index {
	uint32_t prefix;
	uint32_t mask;
	uint32_t metric;
	uint8_t len;
	size_t route;      /* position in routes[], i.e. insertion order */
};

struct ip_rtable {
	struct sim *sim;
	struct ip_route *routes;   /* insertion order */
	struct rt_index *index;    /* preference order */
	size_t n, cap;
};

/* The netmask of a prefix length.  A shift by 32 is undefined in C, so
 * the default route's empty mask is a case of its own. */
static uint32_t mask_of(uint8_t len)
{
	return len == 0 ? 0 : UINT32_MAX << (32 - len);
}

enum sn_err ip_rtable_create(struct sim *sim, struct ip_rtable **out)
{
	struct ip_rtable *t = sim_calloc(sim, 1, sizeof *t);
	if (t == NULL)
		return SN_ENOMEM;
	t->sim = sim;
	*out = t;
	return SN_OK;
}

void ip_rtable_destroy(struct ip_rtable *t)
{
	if (t == NULL)
		return;
	sim_free(t->sim, t->routes);
	sim_free(t->sim, t->index);
	sim_free(t->sim, t);
}

static int same_route(const struct ip_route *a, const struct ip_route *b)
{
	return a->prefix == b->prefix && a->len == b->len &&
	       a->metric == b->metric && a->ifindex == b->ifindex &&
	       a->gateway == b->gateway;
}

/* Make room for one more route in both arrays.  Each array is grown on
 * its own; if the second fails the first is merely larger than needed,
 * and the table's contents are unchanged. */
static enum sn_err grow(struct ip_rtable *t)
{
	if (t->n < t->cap)
		return SN_OK;
	size_t cap = t->cap ? t->cap * 2 : 8;
	struct ip_route *routes =
		sim_realloc(t->sim, t->routes, cap * sizeof *routes);
	if (routes == NULL)
		return SN_ENOMEM;
	t->routes = routes;
	struct rt_index *index =
		sim_realloc(t->sim, t->index, cap * sizeof *index);
	if (index == NULL)
		return SN_ENOMEM;
	t->index = index;
	t->cap = cap;
	return SN_OK;
}

/* Does `a` come before `b` in preference order?  Insertion order breaks
 * the last tie: a newly added route goes after every equal one. */
static int preferred(const struct rt_index *a, const struct rt_index *b)
{
	if (a->len != b->len)
		return a->len > b->len;
	if (a->metric != b->metric)
		return a->metric < b->metric;
	return a->route < b->route;
}

/* Where a new index entry goes: after every entry preferred to it.
 * Binary search, since the index is sorted by preferred(). */
static size_t index_slot(const struct ip_rtable *t, const struct rt_index *e)
{
	size_t lo = 0, hi = t->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (preferred(&t->index[mid], e))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

enum sn_err ip_rtable_add(struct ip_rtable *t, const struct ip_route *r)
{
	assert(t != NULL && r != NULL);
	if (r->len > 32)
		return SN_ERANGE;
	uint32_t mask = mask_of(r->len);
	if ((r->prefix & ~mask) != 0)
		return SN_EINVAL;
	for (size_t i = 0; i < t->n; i++)
		if (same_route(&t->routes[i], r))
			return SN_EEXIST;
	if (grow(t) != SN_OK)
		return SN_ENOMEM;

	struct rt_index e = { .prefix = r->prefix, .mask = mask,
			      .metric = r->metric, .len = r->len,
			      .route = t->n };
	size_t at = index_slot(t, &e);
	memmove(&t->index[at + 1], &t->index[at],
		(t->n - at) * sizeof t->index[0]);
	t->index[at] = e;
	t->routes[t->n++] = *r;
	return SN_OK;
}

const struct ip_route *ip_rtable_lookup(const struct ip_rtable *t,
					uint32_t dst)
{
	for (size_t i = 0; i < t->n; i++) {
		const struct rt_index *e = &t->index[i];
		if ((dst & e->mask) == e->prefix)
			return &t->routes[e->route];
	}
	return NULL;
}

size_t ip_rtable_count(const struct ip_rtable *t)
{
	return t->n;
}

const struct ip_route *ip_rtable_at(const struct ip_rtable *t, size_t i)
{
	return i < t->n ? &t->routes[i] : NULL;
}
