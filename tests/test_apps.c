/*
 * test_apps.c - the traffic applications (ipstack/ip_apps.h) on small
 * worlds down to the bus lines: ping on AHA-1522 and PCI Fast-Wide
 * buses (answered, and all lost when the destination is absent and its
 * address does not resolve), traceroute through two gateways, UDP flows
 * at a fixed rate and saturated with a window, the PVM-style work
 * distribution, config validation, and determinism.  Every world runs
 * under the protocol checker and ends with the datagram ledger balanced,
 * nothing in flight and nothing left allocated or scheduled.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bus_check.h"
#include "ip_apps.h"
#include "ip_host.h"
#include "ip_wire.h"
#include "ip_world.h"
#include "suites.h"

/* Figures observed, printed when SCSINET_TEST_VERBOSE=1 (for the
 * comments that justify the bounds asserted). */
static int verbose(void)
{
	const char *v = getenv("SCSINET_TEST_VERBOSE");
	return v != NULL && v[0] == '1';
}

static double us(sim_time_t t)
{
	return (double)t / (double)SIM_US;
}

static void print_lat(const char *what, const struct ip_app_latency *l)
{
	if (verbose())
		printf("%s: n=%llu min=%.3fus avg=%.3fus p50=%.3fus "
		       "p90=%.3fus p99=%.3fus max=%.3fus\n",
		       what, (unsigned long long)l->n, us(l->min), us(l->avg),
		       us(l->p50), us(l->p90), us(l->p99), us(l->max));
}

static void assert_lat_ordered(const struct ip_app_latency *l)
{
	ck_assert_uint_gt(l->n, 0);
	ck_assert_uint_gt(l->min, 0);
	ck_assert_uint_le(l->min, l->p50);
	ck_assert_uint_le(l->p50, l->p90);
	ck_assert_uint_le(l->p90, l->p99);
	ck_assert_uint_le(l->p99, l->max);
	ck_assert_uint_le(l->min, l->avg);
	ck_assert_uint_le(l->avg, l->max);
}

/* Two hosts, 10.0.0.7 (ID 7) and 10.0.0.6 (ID 6), on one bus of
 * `profile`; static address entries unless `resolve`. */
static struct world *two_hosts(const char *profile, int resolve,
			       struct ip_host **a, struct ip_host **b)
{
	struct world *w = world_new();
	int wide = strcmp(profile, "pci-fw") == 0;
	int bus = add_bus(w, wide ? BUS_WIDE : BUS_NARROW,
			  wide ? BUS_SPEED_FAST : BUS_SPEED_SCSI2);
	*a = add_host(w, "a", 0, 0);
	*b = add_host(w, "b", 0, 0);
	add_if(w, *a, bus, profile, 7, "10.0.0.7", 24, 65535, 4);
	add_if(w, *b, bus, profile, 6, "10.0.0.6", 24, 65535, 4);
	if (!resolve) {
		ck_assert_int_eq(ip_host_add_arp(*a, 0, addr("10.0.0.6"), 6),
				 SN_OK);
		ck_assert_int_eq(ip_host_add_arp(*b, 0, addr("10.0.0.7"), 7),
				 SN_OK);
	}
	return w;
}

/* --- ping ----------------------------------------------------------------------- */

static struct ip_ping_results run_ping(const char *profile)
{
	struct ip_host *a, *b;
	struct world *w = two_hosts(profile, 0, &a, &b);
	struct ip_ping_config pc = { .dst = addr("10.0.0.6"), .count = 5,
				     .interval = 100 * SIM_MS, .size = 56,
				     .timeout = 1 * SIM_S, .id = 7,
				     .start = 10 * SIM_MS };
	struct ip_ping *p = NULL;
	ck_assert_int_eq(ip_ping_create(a, &pc, &p), SN_OK);
	sim_run_until(&w->sim, 2 * SIM_S);
	struct ip_ping_results r = *ip_ping_results(p);
	ck_assert_int_eq(r.done, 1);
	ck_assert_uint_eq(r.sent, 5);
	ck_assert_uint_eq(r.received, 5);
	ck_assert_uint_eq(r.lost, 0);
	ck_assert_uint_eq(r.duplicates, 0);
	ck_assert_uint_eq(r.late, 0);
	ck_assert_uint_eq(r.errors, 0);
	ck_assert_uint_eq(r.rtt.n, 5);
	assert_lat_ordered(&r.rtt);
	/* decided when the fifth reply came: its send time plus its RTT */
	ck_assert_uint_eq(r.done_at, pc.start + 4 * pc.interval +
					     ip_ping_rtt(p, 5));
	/* the first contact's negotiation makes the first the slowest */
	ck_assert_uint_eq(r.rtt.max, ip_ping_rtt(p, 1));
	/* each host's stack saw its own request/reply pairs only */
	ck_assert_uint_eq(ip_host_stats(a)->sent, 5);
	ck_assert_uint_eq(ip_host_stats(b)->sent, 5);
	print_lat(profile, &r.rtt);
	ip_ping_destroy(p);
	world_free(w);
	return r;
}

/* Five 56-byte pings on one idle bus, addresses known.  An RTT is two
 * SEND MESSAGE commands of 84 bytes (20 IP + 8 ICMP + 56) plus each
 * host's 20 us input cost.  On the AHA-1522 the driver runs every phase
 * through the chip's registers over ISA (1140 ns a byte access, 780 ns a
 * word of REP OUTSW/INSW), with 5 us of CPU per driver step and 10 us of
 * interrupt latency, so a command is a few hundred microseconds:
 * observed 650.4 us for requests 2-5 and 892.1 us for the first, which
 * also carries the SDTR negotiation of each host's first contact.
 * Asserted: 0.3 to 2 ms; below, the ISA programmed-I/O cost would be
 * missing from the model, above, an idle bus would be retrying or
 * queueing.  On the PCI bus-master the same exchange is DMA and one
 * completion interrupt per command: observed 114.4 us (120.7 us the
 * first), asserted 40 us (the two input costs) to 300 us, and at least
 * 4 times faster than the AHA-1522. */
START_TEST(ping_one_bus_answered)
{
	struct ip_ping_results isa = run_ping("aha1522");
	ck_assert_uint_gt(isa.rtt.min, 300 * SIM_US);
	ck_assert_uint_lt(isa.rtt.max, 2 * SIM_MS);
	struct ip_ping_results pci = run_ping("pci-fw");
	ck_assert_uint_gt(pci.rtt.min, 40 * SIM_US);
	ck_assert_uint_lt(pci.rtt.max, 300 * SIM_US);
	ck_assert_uint_lt(4 * pci.rtt.max, isa.rtt.min);
}
END_TEST

/* Real address resolution: the first request waits while 10.0.0.7 asks
 * IDs 0-5 (absent: a 250 ms selection time-out each) before ID 6
 * answers, so its RTT is over 1.5 s and the four others are a few ms.
 * The percentiles are nearest-rank: of 5 sorted samples p50 is the 3rd,
 * p90 and p99 the 5th (the first request's RTT). */
START_TEST(ping_with_resolution_percentiles)
{
	struct ip_host *a, *b;
	struct world *w = two_hosts("aha1522", 1, &a, &b);
	struct ip_ping_config pc = { .dst = addr("10.0.0.6"), .count = 5,
				     .interval = 2 * SIM_S, .size = 56,
				     .timeout = 3 * SIM_S, .id = 1 };
	struct ip_ping *p = NULL;
	ck_assert_int_eq(ip_ping_create(a, &pc, &p), SN_OK);
	sim_run_until(&w->sim, 12 * SIM_S);
	const struct ip_ping_results *r = ip_ping_results(p);
	ck_assert_int_eq(r->done, 1);
	ck_assert_uint_eq(r->received, 5);
	ck_assert_uint_eq(ip_host_netif_stats(a, 0)->arp_absent_ids, 6);
	sim_time_t v[5];
	for (uint32_t s = 1; s <= 5; s++)
		v[s - 1] = ip_ping_rtt(p, s);
	ck_assert_uint_gt(v[0], 6 * 250 * SIM_MS);
	for (int i = 1; i < 5; i++)
		ck_assert_uint_lt(v[i], 5 * SIM_MS);
	/* sort the five by hand: the definition, checked independently */
	for (int i = 0; i < 5; i++)
		for (int j = i + 1; j < 5; j++)
			if (v[j] < v[i]) {
				sim_time_t t = v[i];
				v[i] = v[j];
				v[j] = t;
			}
	ck_assert_uint_eq(r->rtt.min, v[0]);
	ck_assert_uint_eq(r->rtt.p50, v[2]);
	ck_assert_uint_eq(r->rtt.p90, v[4]);
	ck_assert_uint_eq(r->rtt.p99, v[4]);
	ck_assert_uint_eq(r->rtt.max, v[4]);
	ck_assert_uint_eq(r->rtt.avg, (v[0] + v[1] + v[2] + v[3] + v[4]) / 5);
	print_lat("aha1522 with resolution", &r->rtt);
	ip_ping_destroy(p);
	world_free(w);
}
END_TEST

/* Nobody has 10.0.0.5: the first request waits for resolution, which
 * fails after its three rounds; the requests queued meanwhile are
 * dropped with it, the later ones at once (negative cache).  All five
 * are lost, each decided by its own time-out. */
START_TEST(ping_absent_host_all_lost)
{
	struct ip_host *a, *b;
	struct world *w = two_hosts("aha1522", 1, &a, &b);
	struct ip_ping_config pc = { .dst = addr("10.0.0.5"), .count = 5,
				     .interval = 1 * SIM_S, .size = 56,
				     .timeout = 1 * SIM_S, .id = 3,
				     .start = 1 * SIM_MS };
	struct ip_ping *p = NULL;
	ck_assert_int_eq(ip_ping_create(a, &pc, &p), SN_OK);
	sim_run_until(&w->sim, 30 * SIM_S);
	const struct ip_ping_results *r = ip_ping_results(p);
	ck_assert_int_eq(r->done, 1);
	ck_assert_uint_eq(r->sent, 5);
	ck_assert_uint_eq(r->received, 0);
	ck_assert_uint_eq(r->lost, 5);
	ck_assert_uint_eq(r->rtt.n, 0);
	ck_assert_uint_eq(r->rtt.max, 0);
	/* the last request's time-out decided it */
	ck_assert_uint_eq(r->done_at, pc.start + 4 * pc.interval + pc.timeout);
	ck_assert_uint_eq(ip_host_netif_stats(a, 0)->arp_failures, 1);
	ck_assert_uint_eq(ip_net_stats(w->net)->drops[IP_DROP_RESOLUTION], 5);
	ip_ping_destroy(p);
	world_free(w);
}
END_TEST

/* --- traceroute ---------------------------------------------------------------- */

/* h1 -- busA (AHA-1522) -- g1 -- busB (PCI Fast-Wide) -- g2 -- busC
 * (AHA-1522) -- h2, static address entries. */
struct chain {
	struct world *w;
	struct ip_host *h1, *g1, *g2, *h2;
};

static struct chain chain_new(void)
{
	struct chain c;
	struct world *w = c.w = world_new();
	int ba = add_bus(w, BUS_NARROW, BUS_SPEED_SCSI2);
	int bb = add_bus(w, BUS_WIDE, BUS_SPEED_FAST);
	int bc = add_bus(w, BUS_NARROW, BUS_SPEED_SCSI2);
	c.h1 = add_host(w, "h1", 0, 0);
	c.g1 = add_host(w, "g1", 1, 0);
	c.g2 = add_host(w, "g2", 1, 0);
	c.h2 = add_host(w, "h2", 0, 0);
	add_if(w, c.h1, ba, "aha1522", 7, "10.1.0.7", 24, 65535, 4);
	add_if(w, c.g1, ba, "aha1522", 6, "10.1.0.6", 24, 65535, 4);
	add_if(w, c.g1, bb, "pci-fw", 15, "10.2.0.15", 24, 65535, 4);
	add_if(w, c.g2, bb, "pci-fw", 14, "10.2.0.14", 24, 65535, 4);
	add_if(w, c.g2, bc, "aha1522", 7, "10.3.0.7", 24, 65535, 4);
	add_if(w, c.h2, bc, "aha1522", 6, "10.3.0.6", 24, 65535, 4);
	ck_assert_int_eq(ip_host_add_route(c.h1, 0, 0, addr("10.1.0.6"), -1,
					   0),
			 SN_OK);
	ck_assert_int_eq(ip_host_add_route(c.g1, addr("10.3.0.0"), 24,
					   addr("10.2.0.14"), -1, 0),
			 SN_OK);
	ck_assert_int_eq(ip_host_add_route(c.g2, addr("10.1.0.0"), 24,
					   addr("10.2.0.15"), -1, 0),
			 SN_OK);
	ck_assert_int_eq(ip_host_add_route(c.h2, 0, 0, addr("10.3.0.7"), -1,
					   0),
			 SN_OK);
	ck_assert_int_eq(ip_host_add_arp(c.h1, 0, addr("10.1.0.6"), 6), SN_OK);
	ck_assert_int_eq(ip_host_add_arp(c.g1, 0, addr("10.1.0.7"), 7), SN_OK);
	ck_assert_int_eq(ip_host_add_arp(c.g1, 1, addr("10.2.0.14"), 14),
			 SN_OK);
	ck_assert_int_eq(ip_host_add_arp(c.g2, 0, addr("10.2.0.15"), 15),
			 SN_OK);
	ck_assert_int_eq(ip_host_add_arp(c.g2, 1, addr("10.3.0.6"), 6), SN_OK);
	ck_assert_int_eq(ip_host_add_arp(c.h2, 0, addr("10.3.0.7"), 7), SN_OK);
	return c;
}

/* Hop 1 is g1, answering from its busA address (the address of the
 * interface its error leaves by); hop 2 is g2 from its busB address; hop
 * 3 is h2 itself, whose port unreachable ends the trace.  Each probe is
 * answered, and a farther hop's quickest probe is slower than a nearer
 * hop's (compared by the quickest: the first probe over each pair of
 * hosts also carries their SDTR negotiation).  Observed: 608.5, 706.0
 * and 1301.0 us (836.7, 712.3, 1542.7 for the first probes): the PCI
 * hop adds two quick commands, busC two more AHA-1522 ones. */
START_TEST(traceroute_two_gateways)
{
	struct chain c = chain_new();
	struct ip_traceroute_config tc = { .dst = addr("10.3.0.6"),
					   .start = 5 * SIM_MS };
	struct ip_traceroute *t = NULL;
	ck_assert_int_eq(ip_traceroute_create(c.h1, &tc, &t), SN_OK);
	sim_run_until(&c.w->sim, 2 * SIM_S);
	const struct ip_traceroute_results *r = ip_traceroute_results(t);
	ck_assert_int_eq(r->done, 1);
	ck_assert_int_eq(r->reached, 1);
	ck_assert_uint_eq(r->nhops, 3);
	ck_assert_uint_eq(r->probes, 3);
	ck_assert_uint_eq(r->sent, 9);
	ck_assert_uint_eq(r->answered, 9);
	ck_assert_uint_eq(r->timeouts, 0);
	static const char *const who[3] = { "10.1.0.6", "10.2.0.14",
					    "10.3.0.6" };
	sim_time_t prev_min = 0;
	for (uint32_t h = 0; h < 3; h++) {
		const struct ip_traceroute_hop *hp = &r->hops[h];
		ck_assert_uint_eq(hp->ttl, h + 1);
		ck_assert_uint_eq(hp->addr, addr(who[h]));
		sim_time_t lo = SIM_TIME_MAX, hi = 0;
		for (uint32_t k = 0; k < 3; k++) {
			const struct ip_traceroute_probe *pr = &hp->probe[k];
			ck_assert_uint_eq(pr->status, h < 2
							      ? IP_TR_TIME_EXCEEDED
							      : IP_TR_REACHED);
			ck_assert_uint_eq(pr->from, addr(who[h]));
			ck_assert_uint_eq(pr->port,
					  IP_TRACEROUTE_PORT + h * 3 + k + 1);
			ck_assert_uint_gt(pr->rtt, 0);
			lo = pr->rtt < lo ? pr->rtt : lo;
			hi = pr->rtt > hi ? pr->rtt : hi;
			if (verbose())
				printf("hop %u probe %u: %.3f us\n", h + 1,
				       k + 1, us(pr->rtt));
		}
		ck_assert_uint_gt(lo, prev_min);
		prev_min = lo;
		(void)hi;
	}
	ck_assert_uint_eq(r->hops[2].probe[2].type, ICMP_DEST_UNREACH);
	ck_assert_uint_eq(r->hops[2].probe[2].code, ICMP_UNREACH_PORT);
	ck_assert_uint_eq(ip_net_stats(c.w->net)->drops[IP_DROP_TTL], 6);
	ck_assert_uint_eq(ip_net_stats(c.w->net)->drops[IP_DROP_NO_PORT], 3);
	ip_traceroute_destroy(t);
	world_free(c.w);
}
END_TEST

/* A destination on busC that nobody has: g2 cannot resolve it and sends
 * no error, so hops 3 and 4 are all '*'; the trace stops at max_hops,
 * not reached. */
START_TEST(traceroute_stars)
{
	struct chain c = chain_new();
	struct ip_traceroute_config tc = { .dst = addr("10.3.0.99"),
					   .max_hops = 4, .probes = 2,
					   .timeout = 1 * SIM_S };
	struct ip_traceroute *t = NULL;
	ck_assert_int_eq(ip_traceroute_create(c.h1, &tc, &t), SN_OK);
	sim_run_until(&c.w->sim, 30 * SIM_S);
	const struct ip_traceroute_results *r = ip_traceroute_results(t);
	ck_assert_int_eq(r->done, 1);
	ck_assert_int_eq(r->reached, 0);
	ck_assert_uint_eq(r->nhops, 4);
	ck_assert_uint_eq(r->sent, 8);
	ck_assert_uint_eq(r->answered, 4);
	ck_assert_uint_eq(r->timeouts, 4);
	ck_assert_uint_eq(r->hops[0].addr, addr("10.1.0.6"));
	ck_assert_uint_eq(r->hops[1].addr, addr("10.2.0.14"));
	for (int h = 2; h < 4; h++) {
		ck_assert_uint_eq(r->hops[h].addr, 0);
		for (int k = 0; k < 2; k++) {
			ck_assert_uint_eq(r->hops[h].probe[k].status,
					  IP_TR_TIMEOUT);
			ck_assert_uint_eq(r->hops[h].probe[k].rtt, 0);
		}
	}
	/* four seconds of '*' after two quick hops */
	ck_assert_uint_ge(r->done_at, 4 * SIM_S);
	ck_assert_uint_lt(r->done_at, 5 * SIM_S);
	ip_traceroute_destroy(t);
	world_free(c.w);
}
END_TEST

/* --- UDP flows ------------------------------------------------------------------- */

/* 100 datagrams of 512 bytes at 100 per second on the AHA-1522 bus, far
 * below its capacity: all arrive, in order, and each takes about what
 * one command takes on an idle bus. */
START_TEST(udp_flow_fixed_rate)
{
	struct ip_host *a, *b;
	struct world *w = two_hosts("aha1522", 0, &a, &b);
	struct ip_udp_sink *k = NULL;
	ck_assert_int_eq(ip_udp_sink_create(b, 5001, &k), SN_OK);
	struct ip_udp_flow_config fc = { .dst = addr("10.0.0.6"),
					 .dport = 5001, .sink = k,
					 .size = 512, .rate = 100,
					 .count = 100, .start = 1 * SIM_MS };
	struct ip_udp_flow *f = NULL;
	ck_assert_int_eq(ip_udp_flow_create(a, &fc, &f), SN_OK);
	sim_run_until(&w->sim, 3 * SIM_S);
	const struct ip_udp_flow_results *r = ip_udp_flow_results(f);
	ck_assert_int_eq(r->done, 1);
	ck_assert_uint_eq(r->sent, 100);
	ck_assert_uint_eq(r->received, 100);
	ck_assert_uint_eq(r->lost, 0);
	ck_assert_uint_eq(r->duplicates, 0);
	ck_assert_uint_eq(r->reordered, 0);
	ck_assert_uint_eq(r->timeouts, 0);
	ck_assert_uint_eq(r->bytes_sent, 51200);
	ck_assert_uint_eq(r->bytes_received, 51200);
	ck_assert_uint_eq(r->first_send, 1 * SIM_MS);
	assert_lat_ordered(&r->latency);
	/* one command on an idle bus: no queueing, so one-way latency is
	 * well under the 10 ms spacing, and more than the receiver's 20 us
	 * input cost */
	ck_assert_uint_gt(r->latency.min, 20 * SIM_US);
	ck_assert_uint_lt(r->latency.max, 10 * SIM_MS);
	/* the last datagram left at 1 ms + 99 x 10 ms and arrived
	 * latency later; goodput is the payload over that span */
	sim_time_t last_send = 1 * SIM_MS + 99 * 10 * SIM_MS;
	ck_assert_uint_ge(r->last_rx, last_send + r->latency.min);
	ck_assert_uint_le(r->last_rx, last_send + r->latency.max);
	double span = (double)(r->last_rx - r->first_send) / (double)SIM_S;
	ck_assert_double_eq_tol(r->goodput, 51200.0 / span, 1e-6);
	const struct ip_udp_sink_results *ks = ip_udp_sink_results(k);
	ck_assert_uint_eq(ks->datagrams, 100);
	ck_assert_uint_eq(ks->unknown, 0);
	ck_assert_uint_eq(ks->flows, 1);
	print_lat("aha1522 512B at 100/s one-way", &r->latency);
	ip_udp_flow_destroy(f);
	ck_assert_uint_eq(ip_udp_sink_results(k)->flows, 0);
	ip_udp_sink_destroy(k);
	world_free(w);
}
END_TEST

static struct ip_udp_flow_results run_saturated(uint32_t window)
{
	/* fewer under valgrind and the sanitizers: the steady state is
	 * the same from the second datagram on */
	uint32_t count = test_quick() ? 40 : 200;
	struct ip_host *a, *b;
	struct world *w = two_hosts("pci-fw", 0, &a, &b);
	struct ip_udp_sink *k = NULL;
	ck_assert_int_eq(ip_udp_sink_create(b, 9, &k), SN_OK);
	struct ip_udp_flow_config fc = { .dst = addr("10.0.0.6"), .dport = 9,
					 .sink = k, .size = 8192,
					 .rate = 0, .window = window,
					 .count = count };
	struct ip_udp_flow *f = NULL;
	ck_assert_int_eq(ip_udp_flow_create(a, &fc, &f), SN_OK);
	sim_run_until(&w->sim, 2 * SIM_S);
	struct ip_udp_flow_results r = *ip_udp_flow_results(f);
	ck_assert_int_eq(r.done, 1);
	ck_assert_uint_eq(r.sent, count);
	ck_assert_uint_eq(r.received, count);
	ck_assert_uint_eq(r.lost, 0);
	ck_assert_uint_eq(r.timeouts, 0);
	assert_lat_ordered(&r.latency);
	if (verbose())
		printf("pci-fw 8192B window %u: goodput %.0f B/s, done at "
		       "%.3f us\n",
		       window, r.goodput, us(r.done_at));
	print_lat("  one-way", &r.latency);
	ip_udp_flow_destroy(f);
	ip_udp_sink_destroy(k);
	world_free(w);
	return r;
}

/* Saturation on the PCI Fast-Wide bus with 8192-byte datagrams.  The
 * ceiling: every payload byte crosses the 16-bit, 100 ns bus at 20 MB/s
 * with 28 header bytes more per datagram, so goodput is below 20e6 x
 * 8192 / 8220.  What one command costs besides its data phase comes from
 * adapter_stream (README): 65535-byte datagrams at 19.80 MB/s are 3309.8
 * us each against 3276.8 us of data, so about 33 us (selection, CDB,
 * status, the command block and the completion interrupt).  With a
 * window of 4 the sender's adapter always has the next command queued,
 * so a datagram costs 411 us + 33 us and goodput should be 8192 / 444 us
 * = 18.45 MB/s (observed 18.47); asserted 18.0 to 19.0 MB/s.  With a
 * window of 1 the next datagram leaves only when the sink has taken the
 * previous one, its 20 us input cost included, so the cycle is exactly
 * the one-way latency (observed 464.1 us, 17.65 MB/s): goodput = size /
 * latency.  One-way latency with a window of 4 includes queueing behind
 * the three others (observed 1773.7 us, 3.8 times). */
START_TEST(udp_flow_saturated_window)
{
	struct ip_udp_flow_results w4 = run_saturated(4);
	struct ip_udp_flow_results w1 = run_saturated(1);
	ck_assert_double_lt(w4.goodput, 20e6 * 8192.0 / 8220.0);
	ck_assert_double_gt(w4.goodput, 18.0e6);
	ck_assert_double_lt(w4.goodput, 19.0e6);
	ck_assert_double_lt(w1.goodput, w4.goodput);
	double cycle = (double)w1.latency.p50 / (double)SIM_S;
	ck_assert_double_eq_tol(w1.goodput, 8192.0 / cycle,
				0.005 * w1.goodput);
	ck_assert_uint_gt(w4.latency.p50, 3 * w1.latency.p50);
	ck_assert_uint_eq(w1.reordered + w4.reordered, 0);
}
END_TEST

/* Window mode with a sink that is not there (nobody on the port): each
 * datagram is answered by port unreachable and times out, releasing its
 * slot; all are lost, and the errors are counted. */
START_TEST(udp_flow_window_timeouts)
{
	struct ip_host *a, *b;
	struct world *w = two_hosts("pci-fw", 0, &a, &b);
	struct ip_udp_sink *k = NULL;
	ck_assert_int_eq(ip_udp_sink_create(b, 9, &k), SN_OK);
	struct ip_udp_flow_config fc = { .dst = addr("10.0.0.6"), .dport = 9,
					 .sink = k, .size = 100,
					 .window = 2, .count = 6,
					 .timeout = 100 * SIM_MS };
	struct ip_udp_flow *f = NULL;
	ck_assert_int_eq(ip_udp_flow_create(a, &fc, &f), SN_OK);
	ip_udp_sink_destroy(k); /* the flow loses its sink: port closed */
	sim_run_until(&w->sim, 1 * SIM_S);
	const struct ip_udp_flow_results *r = ip_udp_flow_results(f);
	ck_assert_int_eq(r->done, 1);
	ck_assert_uint_eq(r->sent, 6);
	ck_assert_uint_eq(r->received, 0);
	ck_assert_uint_eq(r->lost, 6);
	ck_assert_uint_eq(r->timeouts, 6);
	ck_assert_uint_eq(r->errors, 6);
	ck_assert_uint_eq(r->last_error_type, ICMP_DEST_UNREACH);
	ck_assert_uint_eq(r->last_error_code, ICMP_UNREACH_PORT);
	ck_assert_uint_eq(r->latency.n, 0);
	ck_assert_double_eq(r->goodput, 0);
	/* two at a time, each pair released by its time-out: three rounds */
	ck_assert_uint_ge(r->done_at, 3 * fc.timeout);
	ck_assert_uint_lt(r->done_at, 3 * fc.timeout + 10 * SIM_MS);
	ip_udp_flow_destroy(f);
	world_free(w);
}
END_TEST

/* --- work distribution ------------------------------------------------------------- */

struct cluster {
	struct world *w;
	struct ip_host *master, *workers[3];
};

/* A master at ID 7 and three workers at IDs 6, 5, 4 on one bus. */
static struct cluster cluster_new(const char *profile, uint32_t mtu)
{
	struct cluster c;
	struct world *w = c.w = world_new();
	int wide = strcmp(profile, "pci-fw") == 0;
	int bus = add_bus(w, wide ? BUS_WIDE : BUS_NARROW,
			  wide ? BUS_SPEED_FAST : BUS_SPEED_SCSI2);
	static const char *const names[3] = { "w6", "w5", "w4" };
	static const char *const ips[3] = { "10.0.0.6", "10.0.0.5",
					    "10.0.0.4" };
	c.master = add_host(w, "master", 0, 0);
	add_if(w, c.master, bus, profile, 7, "10.0.0.7", 24, mtu, 4);
	for (int i = 0; i < 3; i++) {
		c.workers[i] = add_host(w, names[i], 0, 0);
		add_if(w, c.workers[i], bus, profile, 6 - i, ips[i], 24, mtu,
		       4);
		ck_assert_int_eq(ip_host_add_arp(c.master, 0, addr(ips[i]),
						 (uint8_t)(6 - i)),
				 SN_OK);
		ck_assert_int_eq(ip_host_add_arp(c.workers[i], 0,
						 addr("10.0.0.7"), 7),
				 SN_OK);
	}
	return c;
}

/* Twelve 4000-byte units, 20 ms of computing each, 1000-byte results,
 * three workers on the AHA-1522 bus: each does four, so the makespan is
 * at least four computations.  On top of them, each round a worker waits
 * for its unit (4028 bytes through ISA programmed I/O at the 2.37 MB/s
 * this card moves: 1.7 ms with the command overhead) and its result
 * (1028 bytes), and in the first round the third worker's unit queues
 * behind two others: observed 96.8 ms, 4.2 ms a round; asserted below
 * 4 x (compute + 10 ms). */
START_TEST(workdist_three_workers)
{
	struct cluster c = cluster_new("aha1522", 65535);
	struct ip_workdist_config wc = {
		.master = c.master, .workers = c.workers, .nworkers = 3,
		.units = 12, .unit_size = 4000, .compute = 20 * SIM_MS,
		.result_size = 1000, .port = 7000, .start = 1 * SIM_MS };
	struct ip_workdist *d = NULL;
	ck_assert_int_eq(ip_workdist_create(&wc, &d), SN_OK);
	sim_run_until(&c.w->sim, 2 * SIM_S);
	const struct ip_workdist_results *r = ip_workdist_results(d);
	ck_assert_int_eq(r->done, 1);
	ck_assert_uint_eq(r->units_sent, 12);
	ck_assert_uint_eq(r->units_done, 12);
	ck_assert_uint_eq(r->units_lost, 0);
	ck_assert_uint_eq(r->late_results, 0);
	ck_assert_uint_eq(r->nworkers, 3);
	uint32_t sum = 0;
	for (uint32_t i = 0; i < 3; i++) {
		const struct ip_workdist_worker *k = &r->workers[i];
		sum += k->units_done;
		ck_assert_uint_eq(k->addr, ip_host_netif_addr(c.workers[i], 0));
		ck_assert_uint_eq(k->units_computed, k->units_done);
		ck_assert_uint_eq(k->busy, k->units_computed * wc.compute);
		ck_assert_uint_eq(k->bytes_in, k->units_done * 4000ull);
		ck_assert_uint_eq(k->bytes_out, k->units_done * 1000ull);
		if (verbose())
			printf("worker %u: %u units, busy %.3f us\n", i,
			       k->units_done, us(k->busy));
	}
	ck_assert_uint_eq(sum, 12);
	ck_assert_uint_eq(r->bytes_sent, 12 * 5000ull);
	ck_assert_uint_eq(r->bytes_received, 12 * 5000ull);
	ck_assert_uint_eq(r->first_send, 1 * SIM_MS);
	ck_assert_uint_eq(r->makespan, r->last_result - r->first_send);
	ck_assert_uint_ge(r->makespan, 4 * wc.compute);
	ck_assert_uint_lt(r->makespan, 4 * (wc.compute + 10 * SIM_MS));
	if (verbose())
		printf("workdist aha1522: makespan %.3f us\n",
		       us(r->makespan));
	ip_workdist_destroy(d);
	world_free(c.w);
}
END_TEST

/* Units of 65507 bytes, the most UDP carries, over a 1500-byte MTU on
 * the PCI bus: each unit crosses as 45 fragments and is reassembled at
 * its worker.  One byte more is refused. */
START_TEST(workdist_fragmented_units)
{
	struct cluster c = cluster_new("pci-fw", 1500);
	struct ip_workdist_config wc = {
		.master = c.master, .workers = c.workers, .nworkers = 3,
		.units = 6, .unit_size = IP_UDP_MAX_DATA,
		.compute = 5 * SIM_MS, .result_size = 8, .port = 7000 };
	struct ip_workdist *d = NULL;
	wc.unit_size = IP_UDP_MAX_DATA + 1;
	ck_assert_int_eq(ip_workdist_create(&wc, &d), SN_EINVAL);
	wc.unit_size = IP_UDP_MAX_DATA;
	ck_assert_int_eq(ip_workdist_create(&wc, &d), SN_OK);
	sim_run_until(&c.w->sim, 2 * SIM_S);
	const struct ip_workdist_results *r = ip_workdist_results(d);
	ck_assert_int_eq(r->done, 1);
	ck_assert_uint_eq(r->units_done, 6);
	ck_assert_uint_eq(ip_host_stats(c.master)->fragments_sent, 6 * 45);
	uint64_t reasm = 0;
	for (int i = 0; i < 3; i++)
		reasm += ip_host_stats(c.workers[i])->reassembled;
	ck_assert_uint_eq(reasm, 6);
	ck_assert_uint_ge(r->makespan, 2 * wc.compute);
	ip_workdist_destroy(d);
	world_free(c.w);
}
END_TEST

/* A worker slower than the master's patience: every unit is counted lost
 * at its time-out and the worker gets the next at once (it queues it);
 * the results that come later are counted late and change nothing. */
START_TEST(workdist_timeouts)
{
	struct cluster c = cluster_new("pci-fw", 65535);
	struct ip_workdist_config wc = {
		.master = c.master, .workers = c.workers, .nworkers = 1,
		.units = 3, .unit_size = 100, .compute = 300 * SIM_MS,
		.result_size = 100, .port = 7000,
		.unit_timeout = 200 * SIM_MS };
	struct ip_workdist *d = NULL;
	ck_assert_int_eq(ip_workdist_create(&wc, &d), SN_OK);
	sim_run_until(&c.w->sim, 2 * SIM_S);
	const struct ip_workdist_results *r = ip_workdist_results(d);
	ck_assert_int_eq(r->done, 1);
	ck_assert_uint_eq(r->units_sent, 3);
	ck_assert_uint_eq(r->units_done, 0);
	ck_assert_uint_eq(r->units_lost, 3);
	ck_assert_uint_eq(r->late_results, 3);
	ck_assert_uint_eq(r->makespan, 0);
	/* decided at the third time-out: 3 x 200 ms after the start */
	ck_assert_uint_eq(r->done_at, 3 * wc.unit_timeout);
	ck_assert_uint_eq(r->workers[0].units_lost, 3);
	ck_assert_uint_eq(r->workers[0].units_computed, 3);
	ck_assert_uint_eq(r->workers[0].busy, 3 * wc.compute);
	ip_workdist_destroy(d);
	world_free(c.w);
}
END_TEST

/* --- validation ---------------------------------------------------------------------- */

START_TEST(configs_validated)
{
	struct ip_host *a, *b;
	struct world *w = two_hosts("pci-fw", 0, &a, &b);
	/* ping */
	struct ip_ping *p = NULL;
	struct ip_ping_config pc = { .dst = addr("10.0.0.6"), .count = 1 };
	pc.dst = 0;
	ck_assert_int_eq(ip_ping_create(a, &pc, &p), SN_EINVAL);
	pc.dst = addr("10.0.0.6");
	pc.count = 0;
	ck_assert_int_eq(ip_ping_create(a, &pc, &p), SN_ERANGE);
	pc.count = 65536;
	ck_assert_int_eq(ip_ping_create(a, &pc, &p), SN_ERANGE);
	pc.count = 1;
	pc.size = 65508;
	ck_assert_int_eq(ip_ping_create(a, &pc, &p), SN_ERANGE);
	pc.size = 56;
	pc.timeout = IP_APP_MAX_DURATION + 1;
	ck_assert_int_eq(ip_ping_create(a, &pc, &p), SN_ERANGE);
	pc.timeout = 0;
	ck_assert_int_eq(ip_ping_create(a, &pc, &p), SN_OK);
	struct ip_ping *p2 = NULL;
	ck_assert_int_eq(ip_ping_create(a, &pc, &p2), SN_EEXIST); /* id */
	/* traceroute */
	struct ip_traceroute *t = NULL;
	struct ip_traceroute_config tc = { .dst = 0 };
	ck_assert_int_eq(ip_traceroute_create(a, &tc, &t), SN_EINVAL);
	tc.dst = addr("10.0.0.6");
	tc.max_hops = 256;
	ck_assert_int_eq(ip_traceroute_create(a, &tc, &t), SN_ERANGE);
	tc.max_hops = 0;
	tc.probes = IP_TRACEROUTE_MAX_PROBES + 1;
	ck_assert_int_eq(ip_traceroute_create(a, &tc, &t), SN_ERANGE);
	tc.probes = 10;
	tc.base_port = 65535 - 299;
	ck_assert_int_eq(ip_traceroute_create(a, &tc, &t), SN_ERANGE);
	tc.base_port = 65535 - 300; /* the last probe's port is 65535 */
	ck_assert_int_eq(ip_traceroute_create(a, &tc, &t), SN_OK);
	/* flows */
	struct ip_udp_sink *k = NULL, *k2 = NULL;
	ck_assert_int_eq(ip_udp_sink_create(b, 0, &k), SN_EINVAL);
	ck_assert_int_eq(ip_udp_sink_create(b, 9, &k), SN_OK);
	ck_assert_int_eq(ip_udp_sink_create(b, 9, &k2), SN_EEXIST);
	struct ip_udp_flow *f = NULL;
	struct ip_udp_flow_config fc = { .dst = addr("10.0.0.6"), .dport = 9,
					 .sink = k, .size = 15, .count = 1 };
	ck_assert_int_eq(ip_udp_flow_create(a, &fc, &f), SN_EINVAL);
	fc.size = IP_UDP_MAX_DATA + 1;
	ck_assert_int_eq(ip_udp_flow_create(a, &fc, &f), SN_ERANGE);
	fc.size = 16;
	fc.dport = 10;
	ck_assert_int_eq(ip_udp_flow_create(a, &fc, &f), SN_EINVAL);
	fc.dport = 9;
	fc.dst = addr("10.0.0.7"); /* not the sink's host */
	ck_assert_int_eq(ip_udp_flow_create(a, &fc, &f), SN_EINVAL);
	fc.dst = addr("10.0.0.6");
	fc.count = 0;
	ck_assert_int_eq(ip_udp_flow_create(a, &fc, &f), SN_EINVAL);
	fc.stop = 5 * SIM_MS;
	fc.start = 5 * SIM_MS;
	ck_assert_int_eq(ip_udp_flow_create(a, &fc, &f), SN_ERANGE);
	fc.start = 0;
	fc.rate = 10000001;
	ck_assert_int_eq(ip_udp_flow_create(a, &fc, &f), SN_ERANGE);
	fc.rate = 1000;
	fc.sink = NULL;
	ck_assert_int_eq(ip_udp_flow_create(a, &fc, &f), SN_EINVAL);
	fc.sink = k;
	ck_assert_int_eq(ip_udp_flow_create(a, &fc, &f), SN_OK);
	/* to its own host: saturated needs a count, and then is received
	 * inside each send (latency 0) */
	struct ip_udp_flow *lo = NULL;
	struct ip_udp_flow_config lc = { .dst = addr("10.0.0.6"), .dport = 9,
					 .sink = k, .size = 16, .window = 2,
					 .stop = 1 * SIM_MS };
	ck_assert_int_eq(ip_udp_flow_create(b, &lc, &lo), SN_EINVAL);
	lc.count = 5;
	ck_assert_int_eq(ip_udp_flow_create(b, &lc, &lo), SN_OK);
	/* workdist */
	struct ip_host *ws[2] = { b, b };
	struct ip_workdist *d = NULL;
	struct ip_workdist_config wc = { .master = a, .workers = ws,
					 .nworkers = 1, .units = 1,
					 .unit_size = 8, .result_size = 8,
					 .port = 7 };
	wc.units = 0;
	ck_assert_int_eq(ip_workdist_create(&wc, &d), SN_ERANGE);
	wc.units = 1;
	wc.unit_size = 7;
	ck_assert_int_eq(ip_workdist_create(&wc, &d), SN_ERANGE);
	wc.unit_size = 8;
	wc.result_size = IP_UDP_MAX_DATA + 1;
	ck_assert_int_eq(ip_workdist_create(&wc, &d), SN_EINVAL);
	wc.result_size = 8;
	wc.port = 0;
	ck_assert_int_eq(ip_workdist_create(&wc, &d), SN_EINVAL);
	wc.port = 7;
	wc.compute = IP_APP_MAX_DURATION + 1;
	ck_assert_int_eq(ip_workdist_create(&wc, &d), SN_ERANGE);
	wc.compute = 0;
	wc.nworkers = 2;
	ck_assert_int_eq(ip_workdist_create(&wc, &d), SN_EEXIST);
	wc.nworkers = 1;
	wc.port = 9; /* the sink has it */
	ck_assert_int_eq(ip_workdist_create(&wc, &d), SN_EEXIST);
	wc.port = 7;
	ck_assert_int_eq(ip_workdist_create(&wc, &d), SN_OK);
	/* a start in the past */
	sim_run_until(&w->sim, 1 * SIM_S);
	struct ip_ping *p3 = NULL;
	pc.id = 99;
	pc.start = 0;
	ck_assert_int_eq(ip_ping_create(a, &pc, &p3), SN_ERANGE);
	/* everything created also ran to its end */
	ck_assert_int_eq(ip_ping_results(p)->done, 1);
	ck_assert_int_eq(ip_traceroute_results(t)->reached, 1);
	/* 1000/s from 0 to the stop at 5 ms: 0, 1, 2, 3 and 4 ms */
	ck_assert_uint_eq(ip_udp_flow_results(f)->sent, 5);
	ck_assert_uint_eq(ip_udp_flow_results(f)->received, 5);
	const struct ip_udp_flow_results *lr = ip_udp_flow_results(lo);
	ck_assert_int_eq(lr->done, 1);
	ck_assert_uint_eq(lr->received, 5);
	ck_assert_uint_eq(lr->done_at, 0);
	ck_assert_uint_eq(lr->latency.max, 0);
	ip_udp_flow_destroy(lo);
	ck_assert_int_eq(ip_workdist_results(d)->units_done, 1);
	ip_workdist_destroy(d);
	ip_udp_flow_destroy(f);
	ip_udp_sink_destroy(k);
	ip_traceroute_destroy(t);
	ip_ping_destroy(p);
	world_free(w);
}
END_TEST

/* --- determinism --------------------------------------------------------------- */

struct mixed {
	struct ip_ping_results ping;
	struct ip_udp_flow_results flow;
	struct ip_workdist_results wd;
	struct ip_workdist_worker wk[3];
	struct ip_traceroute_results tr;
	struct ip_traceroute_hop hops[3];
	struct ip_net_stats net;
	sim_time_t end;
};

/* Every application at once on the three-bus chain: h1 pings h2, a flow
 * from g1 to h2 runs saturated, h1 traces to h2, and h2 and both
 * gateways work for h1 as master.  They compete for the same buses. */
static void run_mixed(struct mixed *m)
{
	struct chain c = chain_new();
	struct ip_ping *p = NULL;
	struct ip_ping_config pc = { .dst = addr("10.3.0.6"), .count = 20,
				     .interval = 10 * SIM_MS, .size = 1000,
				     .timeout = 1 * SIM_S, .id = 11 };
	ck_assert_int_eq(ip_ping_create(c.h1, &pc, &p), SN_OK);
	struct ip_udp_sink *k = NULL;
	ck_assert_int_eq(ip_udp_sink_create(c.h2, 5000, &k), SN_OK);
	struct ip_udp_flow *f = NULL;
	struct ip_udp_flow_config fc = { .dst = addr("10.3.0.6"),
					 .dport = 5000, .sink = k,
					 .size = 3000, .window = 3,
					 .stop = (test_quick() ? 40 : 150) *
						 SIM_MS,
					 .start = 2 * SIM_MS };
	ck_assert_int_eq(ip_udp_flow_create(c.g1, &fc, &f), SN_OK);
	struct ip_traceroute *t = NULL;
	struct ip_traceroute_config tc = { .dst = addr("10.3.0.6"),
					   .start = 3 * SIM_MS };
	ck_assert_int_eq(ip_traceroute_create(c.h1, &tc, &t), SN_OK);
	struct ip_host *ws[3] = { c.h2, c.g1, c.g2 };
	struct ip_workdist *d = NULL;
	struct ip_workdist_config wc = {
		.master = c.h1, .workers = ws, .nworkers = 3, .units = 9,
		.unit_size = 2000, .compute = 7 * SIM_MS,
		.result_size = 500, .port = 6000, .start = 4 * SIM_MS };
	ck_assert_int_eq(ip_workdist_create(&wc, &d), SN_OK);
	sim_run_until(&c.w->sim, 3 * SIM_S);
	/* memcpy, not assignment: the padding (zero in the objects, which
	 * are calloc'd) is copied too, so memcmp compares values only */
	memset(m, 0, sizeof *m);
	memcpy(&m->ping, ip_ping_results(p), sizeof m->ping);
	memcpy(&m->flow, ip_udp_flow_results(f), sizeof m->flow);
	const struct ip_workdist_results *wr = ip_workdist_results(d);
	memcpy(&m->wd, wr, sizeof m->wd);
	memcpy(m->wk, wr->workers, sizeof m->wk);
	m->wd.workers = NULL; /* a pointer, not a result */
	const struct ip_traceroute_results *tr = ip_traceroute_results(t);
	memcpy(&m->tr, tr, sizeof m->tr);
	ck_assert_uint_eq(tr->nhops, 3);
	memcpy(m->hops, tr->hops, sizeof m->hops);
	m->tr.hops = NULL;
	memcpy(&m->net, ip_net_stats(c.w->net), sizeof m->net);
	m->end = sim_now(&c.w->sim);
	ck_assert_int_eq(m->ping.done && m->flow.done && m->wd.done &&
				 m->tr.done && m->tr.reached,
			 1);
	ck_assert_uint_eq(m->ping.received, 20);
	ck_assert_uint_eq(m->flow.lost, 0);
	ck_assert_uint_eq(m->wd.units_done, 9);
	if (verbose()) {
		printf("mixed: ping avg %.3f us, flow %llu datagrams %.0f "
		       "B/s, workdist makespan %.3f us\n",
		       us(m->ping.rtt.avg),
		       (unsigned long long)m->flow.received, m->flow.goodput,
		       us(m->wd.makespan));
	}
	ip_workdist_destroy(d);
	ip_traceroute_destroy(t);
	ip_udp_flow_destroy(f);
	ip_udp_sink_destroy(k);
	ip_ping_destroy(p);
	world_free(c.w);
}

START_TEST(deterministic)
{
	/* calloc'd so that padding is zero in both and memcmp is fair */
	struct mixed *m1 = calloc(1, sizeof *m1), *m2 = calloc(1, sizeof *m2);
	ck_assert_ptr_nonnull(m1);
	ck_assert_ptr_nonnull(m2);
	run_mixed(m1);
	run_mixed(m2);
	ck_assert_int_eq(memcmp(&m1->ping, &m2->ping, sizeof m1->ping), 0);
	ck_assert_int_eq(memcmp(&m1->flow, &m2->flow, sizeof m1->flow), 0);
	ck_assert_int_eq(memcmp(&m1->wd, &m2->wd, sizeof m1->wd), 0);
	ck_assert_int_eq(memcmp(m1->wk, m2->wk, sizeof m1->wk), 0);
	ck_assert_int_eq(memcmp(&m1->tr, &m2->tr, sizeof m1->tr), 0);
	ck_assert_int_eq(memcmp(m1->hops, m2->hops, sizeof m1->hops), 0);
	ck_assert_int_eq(memcmp(&m1->net, &m2->net, sizeof m1->net), 0);
	ck_assert_uint_eq(m1->end, m2->end);
	free(m1);
	free(m2);
}
END_TEST

Suite *apps_suite(void);
Suite *apps_suite(void)
{
	Suite *s = suite_create("apps");
	TCase *tc = tcase_create("apps");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, ping_one_bus_answered);
	tcase_add_test(tc, ping_with_resolution_percentiles);
	tcase_add_test(tc, ping_absent_host_all_lost);
	tcase_add_test(tc, traceroute_two_gateways);
	tcase_add_test(tc, traceroute_stars);
	tcase_add_test(tc, udp_flow_fixed_rate);
	tcase_add_test(tc, udp_flow_saturated_window);
	tcase_add_test(tc, udp_flow_window_timeouts);
	tcase_add_test(tc, workdist_three_workers);
	tcase_add_test(tc, workdist_fragmented_units);
	tcase_add_test(tc, workdist_timeouts);
	tcase_add_test(tc, configs_validated);
	tcase_add_test(tc, deterministic);
	suite_add_tcase(s, tc);
	return s;
}
