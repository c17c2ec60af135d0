/*
 * ip_world.c - the end-to-end tests' small world (ip_world.h).
 */
#include "ip_world.h"

#include <check.h>
#include <stdlib.h>

#include "suites.h"

struct world *world_new(void)
{
	struct world *w = calloc(1, sizeof *w);
	ck_assert_ptr_nonnull(w);
	ck_assert_int_eq(sim_init(&w->sim, 42), SN_OK);
	ck_assert_int_eq(ip_net_create(&w->sim, &w->net), SN_OK);
	return w;
}

int add_bus(struct world *w, enum bus_width width, enum bus_speed speed)
{
	static const char *const names[MAXB] = { "busA", "busB", "busC",
						 "busD" };
	struct bus_config bc = { .name = names[w->nbus], .width = width,
				 .electrical = BUS_SE, .speed = speed,
				 .length_mm = 3000 };
	ck_assert_int_eq(bus_create(&w->sim, &bc, &w->bus[w->nbus]), SN_OK);
	ck_assert_int_eq(bus_check_attach(&w->chk[w->nbus], w->bus[w->nbus]),
			 SN_OK);
	return w->nbus++;
}

struct ip_host *add_host(struct world *w, const char *name, int forwarding,
			 sim_time_t input_cost)
{
	struct ip_host_config hc = { .name = name, .forwarding = forwarding,
				     .input_cost = input_cost };
	ck_assert_int_eq(ip_host_create(w->net, &hc, &w->host[w->nhost]),
			 SN_OK);
	return w->host[w->nhost++];
}

uint32_t addr(const char *s)
{
	uint32_t a;
	ck_assert_int_eq(ip_addr_parse(s, &a), SN_OK);
	return a;
}

/* An interface: an adapter of `profile` at `id` on bus `b`. */
int add_if(struct world *w, struct ip_host *h, int b, const char *profile,
	   int id, const char *ip, uint8_t plen, uint32_t mtu, uint32_t slots)
{
	struct adapter_config ac = { .profile = profile, .scsi_id = id,
				     .pos_mm = (uint32_t)(id * 150),
				     .rx_slots = slots, .busy_retries = -1,
				     .error_retries = -1 };
	ck_assert_int_lt(w->nad, MAXA);
	ck_assert_int_eq(adapter_create(w->bus[b], &ac, &w->ad[w->nad]),
			 SN_OK);
	struct ip_netif_config nc = { .name = "scsi", .ad = w->ad[w->nad],
				      .bus = (uint32_t)b, .addr = addr(ip),
				      .plen = plen, .mtu = mtu };
	w->nad++;
	int ifx = -1;
	ck_assert_int_eq(ip_host_add_netif(h, &nc, &ifx), SN_OK);
	return ifx;
}

void world_free(struct world *w)
{
	/* the ledger balances and nothing is left on its way */
	ck_assert_int_eq(ip_net_check(w->net), 0);
	ck_assert_uint_eq(ip_net_in_flight(w->net), 0);
	for (int b = 0; b < w->nbus; b++) {
		bus_trace_flush(w->bus[b]);
		if (!w->expect_findings)
			ck_assert_uint_eq(bus_check_total(w->chk[b]), 0);
		bus_check_detach(w->chk[b]);
	}
	for (int i = 0; i < w->nhost; i++)
		ip_host_destroy(w->host[i]);
	for (int i = 0; i < w->nad; i++)
		adapter_destroy(w->ad[i]);
	for (int b = 0; b < w->nbus; b++)
		bus_destroy(w->bus[b]);
	ip_net_destroy(w->net);
	ck_assert_sim_clean(&w->sim);
	sim_fini(&w->sim);
	free(w);
}
