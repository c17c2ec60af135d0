/*
 * ip_route.h - a host's IPv4 routing table: longest-prefix match
 * (RFC 1812 section 5.2.4.3, as RFC 1519 introduced it for CIDR), with
 * the next hop chosen as RFC 1122 section 3.3.1 describes: a destination
 * on an attached network is sent to directly, any other to a gateway.
 *
 * Addresses are host-order uint32_t: 10.0.0.1 is 0x0A000001.  A route
 * matches `dst` when the top `len` bits of dst equal those of `prefix`.
 *
 * Choosing among matches (so that every lookup has one answer, the same
 * in every run):
 *   1. the longest prefix wins (a /32 host route beats a /24 network,
 *      which beats the default route 0.0.0.0/0);
 *   2. among equally long prefixes, the lowest metric;
 *   3. then the route added first.
 *
 * Lookups cost one pass over the table, stopping at the first match:
 * the table keeps an index sorted by exactly that order (len descending,
 * metric, insertion), so the first route that matches is the answer.
 * For the tens to thousands of routes a simulated host has, this is a
 * few compares per route and no pointer chasing; adding a route costs a
 * shift of that index.
 *
 * Ownership: the table copies every route given to ip_rtable_add().
 * Pointers returned by ip_rtable_lookup() and ip_rtable_at() point into
 * the table and stay valid until the next ip_rtable_add() or
 * ip_rtable_destroy().
 */
#ifndef IP_ROUTE_H
#define IP_ROUTE_H

#include <stddef.h>
#include <stdint.h>

#include "sim.h"
#include "sn_error.h"

struct ip_route {
	uint32_t prefix;   /* network, host order; no bits set past len */
	uint8_t len;       /* prefix length, 0..32 (0: the default route) */
	uint32_t gateway;  /* next hop; 0 = directly attached: send to dst */
	int ifindex;       /* the interface to send on (the caller's index) */
	uint32_t metric;   /* lower is preferred among equal prefixes */
};

struct ip_rtable;

/* Create an empty table whose memory comes from `sim`.
 * Returns SN_OK and *out, or SN_ENOMEM. */
enum sn_err ip_rtable_create(struct sim *sim, struct ip_rtable **out);

/* Free the table and every route in it.  NULL is a no-op. */
void ip_rtable_destroy(struct ip_rtable *t);

/* Add a copy of *r.  Returns:
 *   SN_OK
 *   SN_ERANGE  r->len > 32
 *   SN_EINVAL  r->prefix has a bit set beyond its first r->len bits
 *              (10.1.2.3/8 is refused: write 10.0.0.0/8; the table does
 *              not silently mask, so a typo in a scenario is reported)
 *   SN_EEXIST  a route with the same prefix, len, metric, ifindex and
 *              gateway is already there
 *   SN_ENOMEM  the table could not grow (the table is unchanged)
 * Routes that differ only in gateway or ifindex may coexist; lookups then
 * pick by metric, then by which was added first. */
enum sn_err ip_rtable_add(struct ip_rtable *t, const struct ip_route *r);

/* The best route to `dst` (rules above), or NULL when none matches (a
 * table with a default route always matches). */
const struct ip_route *ip_rtable_lookup(const struct ip_rtable *t,
					uint32_t dst);

/* Number of routes, and route i (0 <= i < count) in insertion order;
 * ip_rtable_at returns NULL when i is out of range. */
size_t ip_rtable_count(const struct ip_rtable *t);
const struct ip_route *ip_rtable_at(const struct ip_rtable *t, size_t i);

#endif
