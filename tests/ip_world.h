/*
 * ip_world.h - a small world of buses, adapters and IP hosts for the
 * end-to-end tests (test_ipstack.c, test_apps.c): built by hand through
 * the public calls, every bus under the protocol checker, and torn down
 * with the checks every such test ends with (the ledger balanced, nothing
 * in flight, no checker finding, no event or allocation left).
 */
#ifndef IP_WORLD_H
#define IP_WORLD_H

#include "bus_check.h"
#include "ip_host.h"

#define MAXB 4
#define MAXA 16

struct world {
	struct sim sim;
	struct ip_net *net;
	struct bus *bus[MAXB];
	struct bus_check *chk[MAXB];
	int nbus;
	struct adapter *ad[MAXA];
	int nad;
	struct ip_host *host[MAXA];
	int nhost;
	int expect_findings;  /* a test with a rogue device: the checker's
			       * findings are its own business */
};

struct world *world_new(void);
/* A bus of `width` and `speed`, 3 m long; its index. */
int add_bus(struct world *w, enum bus_width width, enum bus_speed speed);
struct ip_host *add_host(struct world *w, const char *name, int forwarding,
			 sim_time_t input_cost);
/* "10.0.0.1" in host order (the test fails on a malformed one). */
uint32_t addr(const char *s);
/* An interface: an adapter of `profile` at `id` on bus `b`; its index. */
int add_if(struct world *w, struct ip_host *h, int b, const char *profile,
	   int id, const char *ip, uint8_t plen, uint32_t mtu, uint32_t slots);
void world_free(struct world *w);

#endif
