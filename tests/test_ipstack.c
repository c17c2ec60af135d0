/*
 * test_ipstack.c - the IP stack end to end, down to the bus lines: ping
 * on one bus with address resolution over SCSI, resolution of every host
 * on an 8-ID bus with absent IDs, ping and UDP through a gateway between
 * buses of different MTUs (fragmentation), TTL expiry in a routing loop,
 * a slow receiver answering BUSY instead of losing datagrams, malformed
 * datagrams dropped and counted.  Every run under the protocol checker;
 * every run ends with the datagram ledger balanced.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bus_check.h"
#include "ip_cksum.h"
#include "ip_host.h"
#include "ip_world.h"
#include "ip_wire.h"
#include "suites.h"
#include "viz_pcap.h"

/* --- a small ping ------------------------------------------------------------ */

struct pinger {
	struct world *w;
	int replies;
	uint16_t last_seq;
	uint32_t from, len;
	sim_time_t at[8];
	int errors;
	uint8_t err_type, err_code;
	uint32_t err_from;
};

static void on_reply(struct ip_host *h, uint32_t from, uint16_t id,
		     uint16_t seq, const uint8_t *data, uint32_t len,
		     void *arg)
{
	(void)h;
	(void)id;
	struct pinger *p = arg;
	for (uint32_t i = 0; i < len; i++) /* the echoed pattern */
		ck_assert_uint_eq(data[i], (uint8_t)(i + 0x10));
	if (p->replies < 8)
		p->at[p->replies] = sim_now(&p->w->sim);
	p->replies++;
	p->last_seq = seq;
	p->from = from;
	p->len = len;
}

static void on_error(struct ip_host *h, uint32_t from, uint8_t type,
		     uint8_t code, const uint8_t *orig, uint32_t orig_len,
		     void *arg)
{
	(void)h;
	(void)orig;
	(void)orig_len;
	struct pinger *p = arg;
	p->errors++;
	p->err_type = type;
	p->err_code = code;
	p->err_from = from;
}

/* Two AHA-1522 hosts on one bus: the first ping resolves the address
 * (asking IDs 0-5, absent, a selection time-out each, before 6), the
 * second needs no resolution; the replier learned the asker from its
 * request. */
START_TEST(ping_one_bus)
{
	struct world *w = world_new();
	int b = add_bus(w, BUS_NARROW, BUS_SPEED_SCSI2);
	struct ip_host *a = add_host(w, "a", 0, 0);
	struct ip_host *c = add_host(w, "c", 0, 0);
	add_if(w, a, b, "aha1522", 7, "10.0.0.7", 24, 65535, 4);
	add_if(w, c, b, "aha1522", 6, "10.0.0.6", 24, 65535, 4);
	struct pinger p = { .w = w };
	ck_assert_int_eq(icmp_echo_listen(a, 77, on_reply, on_error, &p),
			 SN_OK);
	uint64_t tag = 0;
	ck_assert_int_eq(icmp_echo_send(a, addr("10.0.0.6"), 77, 1, 56, NULL,
					&tag),
			 SN_OK);
	ck_assert_uint_ne(tag, 0);
	sim_run_until(&w->sim, 3 * SIM_S);
	ck_assert_int_eq(p.replies, 1);
	ck_assert_uint_eq(p.from, addr("10.0.0.6"));
	ck_assert_uint_eq(p.len, 56);
	/* six absent IDs, 250 ms each, before the answer */
	const struct ip_netif_stats *ns = ip_host_netif_stats(a, 0);
	ck_assert_uint_eq(ns->arp_absent_ids, 6);
	ck_assert_uint_eq(ns->arp_requests, 7);
	ck_assert_uint_eq(ns->arp_replies_got, 1);
	ck_assert_uint_ge(p.at[0], 6 * 250 * SIM_MS);
	ck_assert_int_eq(ip_host_arp_lookup(a, 0, addr("10.0.0.6")), 6);
	ck_assert_int_eq(ip_host_arp_lookup(c, 0, addr("10.0.0.7")), 7);
	ck_assert_uint_eq(ip_host_netif_stats(c, 0)->arp_requests, 0);
	/* the second: resolved already, a few milliseconds over ISA */
	sim_time_t t0 = sim_now(&w->sim);
	ck_assert_int_eq(icmp_echo_send(a, addr("10.0.0.6"), 77, 2, 56, NULL,
					NULL),
			 SN_OK);
	sim_run_until(&w->sim, t0 + 1 * SIM_S);
	ck_assert_int_eq(p.replies, 2);
	ck_assert_uint_eq(p.last_seq, 2);
	ck_assert_uint_lt(p.at[1] - t0, 5 * SIM_MS);
	/* two echo requests and two replies, all delivered */
	const struct ip_net_stats *st = ip_net_stats(w->net);
	ck_assert_uint_eq(st->sent, 4);
	ck_assert_uint_eq(st->delivered, 4);
	ck_assert_uint_eq(st->dropped, 0);
	world_free(w);
}
END_TEST

/* Five hosts at IDs 7, 6, 5, 3, 1 of an 8-ID bus: the one at 7 pings
 * every other; the absent IDs 0, 2, 4 each cost one selection time-out,
 * then are skipped while remembered. An address nobody has fails after
 * its rounds, and the datagrams waiting for it are dropped, counted. */
START_TEST(resolve_whole_bus)
{
	struct world *w = world_new();
	int b = add_bus(w, BUS_NARROW, BUS_SPEED_SCSI2);
	static const int ids[5] = { 7, 6, 5, 3, 1 };
	static const char *const ips[5] = { "10.0.0.7", "10.0.0.6",
					    "10.0.0.5", "10.0.0.3",
					    "10.0.0.1" };
	static const char *const names[5] = { "h7", "h6", "h5", "h3", "h1" };
	struct ip_host *h[5];
	for (int i = 0; i < 5; i++) {
		h[i] = add_host(w, names[i], 0, 0);
		add_if(w, h[i], b, "aha1522", ids[i], ips[i], 24, 65535, 4);
	}
	struct pinger p = { .w = w };
	ck_assert_int_eq(icmp_echo_listen(h[0], 1, on_reply, on_error, &p),
			 SN_OK);
	for (int i = 1; i < 5; i++)
		ck_assert_int_eq(icmp_echo_send(h[0], addr(ips[i]), 1,
						(uint16_t)i, 32, NULL, NULL),
				 SN_OK);
	/* nobody has 10.0.0.99: three rounds over the present IDs */
	ck_assert_int_eq(icmp_echo_send(h[0], addr("10.0.0.99"), 1, 99, 32,
					NULL, NULL),
			 SN_OK);
	sim_run_until(&w->sim, 10 * SIM_S);
	ck_assert_int_eq(p.replies, 4);
	for (int i = 1; i < 5; i++)
		ck_assert_int_eq(ip_host_arp_lookup(h[0], 0, addr(ips[i])),
				 ids[i]);
	const struct ip_netif_stats *ns = ip_host_netif_stats(h[0], 0);
	ck_assert_uint_eq(ns->arp_absent_ids, 3);
	ck_assert_uint_eq(ns->arp_failures, 1);
	ck_assert_int_eq(ip_host_arp_lookup(h[0], 0, addr("10.0.0.99")), -1);
	const struct ip_net_stats *st = ip_net_stats(w->net);
	ck_assert_uint_eq(st->drops[IP_DROP_RESOLUTION], 1);
	ck_assert_uint_eq(ip_host_stats(h[0])->drops[IP_DROP_RESOLUTION], 1);
	/* a second datagram to it meanwhile: dropped at once, negative
	 * cache */
	sim_time_t t0 = sim_now(&w->sim);
	ck_assert_int_eq(icmp_echo_send(h[0], addr("10.0.0.99"), 1, 100, 32,
					NULL, NULL),
			 SN_OK);
	ck_assert_uint_eq(st->drops[IP_DROP_RESOLUTION], 2);
	ck_assert_uint_eq(sim_now(&w->sim), t0);
	world_free(w);
}
END_TEST

/* --- through a gateway ---------------------------------------------------------- */

struct udp_sink {
	int n;
	uint32_t bytes, last_len, src;
	uint16_t sport;
	int errors;
	uint8_t err_type, err_code;
	uint32_t err_from;
};

static void sink_rx(struct udp_sock *s, uint32_t src, uint16_t sport,
		    const uint8_t *data, uint32_t len, void *arg)
{
	(void)s;
	struct udp_sink *k = arg;
	for (uint32_t i = 0; i < len; i++)
		ck_assert_uint_eq(data[i], (uint8_t)(i * 7));
	k->n++;
	k->bytes += len;
	k->last_len = len;
	k->src = src;
	k->sport = sport;
}

static void sink_err(struct ip_host *h, uint32_t from, uint8_t type,
		     uint8_t code, const uint8_t *orig, uint32_t orig_len,
		     void *arg)
{
	(void)h;
	(void)orig;
	(void)orig_len;
	struct udp_sink *k = arg;
	k->errors++;
	k->err_type = type;
	k->err_code = code;
	k->err_from = from;
}

/* h1 -- busA (MTU 65535, AHA-1522) -- gw -- busB (MTU 576, PCI Fast-Wide)
 * -- h2.  A 4000-byte ping and 3000-byte UDP datagrams cross: the
 * gateway fragments them for busB, h2 reassembles; h2's replies are
 * fragmented at h2 and reassembled by h1. */
START_TEST(gateway_fragments)
{
	struct world *w = world_new();
	int ba = add_bus(w, BUS_NARROW, BUS_SPEED_SCSI2);
	int bb = add_bus(w, BUS_WIDE, BUS_SPEED_FAST);
	struct ip_host *h1 = add_host(w, "h1", 0, 0);
	struct ip_host *gw = add_host(w, "gw", 1, 0);
	struct ip_host *h2 = add_host(w, "h2", 0, 0);
	add_if(w, h1, ba, "aha1522", 7, "10.1.0.7", 24, 65535, 4);
	add_if(w, gw, ba, "aha1522", 6, "10.1.0.6", 24, 65535, 4);
	add_if(w, gw, bb, "pci-fw", 15, "10.2.0.15", 24, 576, 4);
	add_if(w, h2, bb, "pci-fw", 14, "10.2.0.14", 24, 576, 4);
	ck_assert_int_eq(ip_host_add_route(h1, 0, 0, addr("10.1.0.6"), -1, 0),
			 SN_OK);
	ck_assert_int_eq(ip_host_add_route(h2, 0, 0, addr("10.2.0.15"), -1,
					   0),
			 SN_OK);
	/* static entries: this test is about fragments, not resolution */
	ck_assert_int_eq(ip_host_add_arp(h1, 0, addr("10.1.0.6"), 6), SN_OK);
	ck_assert_int_eq(ip_host_add_arp(gw, 0, addr("10.1.0.7"), 7), SN_OK);
	ck_assert_int_eq(ip_host_add_arp(gw, 1, addr("10.2.0.14"), 14),
			 SN_OK);
	ck_assert_int_eq(ip_host_add_arp(h2, 0, addr("10.2.0.15"), 15),
			 SN_OK);
	struct pinger p = { .w = w };
	ck_assert_int_eq(icmp_echo_listen(h1, 5, on_reply, on_error, &p),
			 SN_OK);
	ck_assert_int_eq(icmp_echo_send(h1, addr("10.2.0.14"), 5, 1, 4000,
					NULL, NULL),
			 SN_OK);
	struct udp_sink k = { 0 };
	struct udp_sock *rx = NULL, *tx = NULL;
	ck_assert_int_eq(udp_open(h2, 9000, sink_rx, sink_err, &k, &rx),
			 SN_OK);
	ck_assert_int_eq(udp_open(h1, 0, sink_rx, sink_err, &k, &tx), SN_OK);
	static uint8_t payload[3000];
	for (int i = 0; i < 3000; i++)
		payload[i] = (uint8_t)(i * 7);
	for (int i = 0; i < 3; i++)
		ck_assert_int_eq(udp_sendto(tx, addr("10.2.0.14"), 9000,
					    payload, 3000, NULL, NULL),
				 SN_OK);
	sim_run_until(&w->sim, 2 * SIM_S);
	ck_assert_int_eq(p.replies, 1);
	ck_assert_uint_eq(p.len, 4000);
	ck_assert_int_eq(k.n, 3);
	ck_assert_uint_eq(k.last_len, 3000);
	ck_assert_uint_eq(k.src, addr("10.1.0.7"));
	ck_assert_uint_eq(k.sport, udp_port(tx));
	/* the gateway fragmented the echo request and the UDP datagrams
	 * for the 576-byte bus; h2 fragmented its reply itself */
	/* 4028 bytes at MTU 576: 8 fragments of at most 552 data bytes;
	 * 3028: 6.  Forwarded: the request, 3 UDP, 8 reply fragments */
	ck_assert_uint_eq(ip_host_stats(gw)->fragments_sent, 8 + 3 * 6);
	ck_assert_uint_eq(ip_host_stats(h2)->fragments_sent, 8);
	ck_assert_uint_eq(ip_host_stats(gw)->forwarded, 1 + 3 + 8);
	ck_assert_uint_eq(ip_host_stats(h2)->reassembled, 4);
	ck_assert_uint_eq(ip_host_stats(h1)->reassembled, 1);
	/* a datagram with DF too big for busB: fragmentation needed, with
	 * busB's MTU, back to h1 */
	struct ip_send_opts df = { .df = 1 };
	ck_assert_int_eq(udp_sendto(tx, addr("10.2.0.14"), 9000, payload,
				    1000, &df, NULL),
			 SN_OK);
	sim_run_until(&w->sim, sim_now(&w->sim) + 1 * SIM_S);
	ck_assert_int_eq(k.errors, 1);
	ck_assert_uint_eq(k.err_type, ICMP_DEST_UNREACH);
	ck_assert_uint_eq(k.err_code, ICMP_UNREACH_FRAG);
	ck_assert_uint_eq(k.err_from, addr("10.1.0.6"));
	ck_assert_uint_eq(ip_net_stats(w->net)->drops[IP_DROP_FRAG_NEEDED], 1);
	world_free(w);
}
END_TEST

/* Two gateways whose default routes point at each other: a datagram for
 * an unknown network circles until its TTL runs out; the sender hears
 * time exceeded.  A closed port answers port unreachable. */
START_TEST(ttl_expires_in_loop)
{
	struct world *w = world_new();
	int b = add_bus(w, BUS_NARROW, BUS_SPEED_FAST);
	struct ip_host *h = add_host(w, "h", 0, 0);
	struct ip_host *g1 = add_host(w, "g1", 1, 0);
	struct ip_host *g2 = add_host(w, "g2", 1, 0);
	add_if(w, h, b, "aic6360", 7, "10.0.0.7", 24, 65535, 4);
	add_if(w, g1, b, "aic6360", 6, "10.0.0.6", 24, 65535, 4);
	add_if(w, g2, b, "aic6360", 5, "10.0.0.5", 24, 65535, 4);
	ck_assert_int_eq(ip_host_add_route(h, 0, 0, addr("10.0.0.6"), -1, 0),
			 SN_OK);
	ck_assert_int_eq(ip_host_add_route(g1, 0, 0, addr("10.0.0.5"), -1, 0),
			 SN_OK);
	ck_assert_int_eq(ip_host_add_route(g2, 0, 0, addr("10.0.0.6"), -1, 0),
			 SN_OK);
	struct udp_sink k = { 0 };
	struct udp_sock *s = NULL;
	ck_assert_int_eq(udp_open(h, 0, sink_rx, sink_err, &k, &s), SN_OK);
	uint8_t d[100] = { 0 };
	struct ip_send_opts o = { .ttl = 8 };
	ck_assert_int_eq(udp_sendto(s, addr("192.168.5.5"), 7, d, 100, &o,
				    NULL),
			 SN_OK);
	sim_run_until(&w->sim, 10 * SIM_S);
	ck_assert_int_eq(k.errors, 1);
	ck_assert_uint_eq(k.err_type, ICMP_TIME_EXCEEDED);
	ck_assert_uint_eq(k.err_code, ICMP_EXC_TTL);
	const struct ip_net_stats *st = ip_net_stats(w->net);
	ck_assert_uint_eq(st->drops[IP_DROP_TTL], 1);
	/* h, then g1 g2 g1 g2 g1 g2 g1: 7 forwardings for TTL 8 */
	ck_assert_uint_eq(ip_host_stats(g1)->forwarded +
				  ip_host_stats(g2)->forwarded,
			  7);
	/* a port nobody listens on */
	ck_assert_int_eq(udp_sendto(s, addr("10.0.0.5"), 4444, d, 10, NULL,
				    NULL),
			 SN_OK);
	sim_run_until(&w->sim, sim_now(&w->sim) + 2 * SIM_S);
	ck_assert_int_eq(k.errors, 2);
	ck_assert_uint_eq(k.err_type, ICMP_DEST_UNREACH);
	ck_assert_uint_eq(k.err_code, ICMP_UNREACH_PORT);
	ck_assert_uint_eq(k.err_from, addr("10.0.0.5"));
	ck_assert_uint_eq(st->drops[IP_DROP_NO_PORT], 1);
	world_free(w);
}
END_TEST

/* A receiver that takes 5 ms per datagram with one receive slot: the
 * sender's datagrams are answered BUSY and retried, and all arrive. */
START_TEST(slow_receiver_busy_not_lost)
{
	struct world *w = world_new();
	int b = add_bus(w, BUS_WIDE, BUS_SPEED_FAST);
	struct ip_host *a = add_host(w, "fast", 0, 0);
	struct ip_host *z = add_host(w, "slow", 0, 5 * SIM_MS);
	add_if(w, a, b, "pci-fw", 7, "10.0.0.7", 24, 65535, 4);
	add_if(w, z, b, "pci-fw", 6, "10.0.0.6", 24, 65535, 1);
	ck_assert_int_eq(ip_host_add_arp(a, 0, addr("10.0.0.6"), 6), SN_OK);
	ck_assert_int_eq(ip_host_add_arp(z, 0, addr("10.0.0.7"), 7), SN_OK);
	struct udp_sink k = { 0 };
	struct udp_sock *rx = NULL, *tx = NULL;
	ck_assert_int_eq(udp_open(z, 9, sink_rx, NULL, &k, &rx), SN_OK);
	ck_assert_int_eq(udp_open(a, 0, sink_rx, NULL, &k, &tx), SN_OK);
	static uint8_t payload[1000];
	for (int i = 0; i < 1000; i++)
		payload[i] = (uint8_t)(i * 7);
	for (int i = 0; i < 6; i++)
		ck_assert_int_eq(udp_sendto(tx, addr("10.0.0.6"), 9, payload,
					    1000, NULL, NULL),
				 SN_OK);
	sim_run_until(&w->sim, 1 * SIM_S);
	ck_assert_int_eq(k.n, 6);
	ck_assert_uint_gt(adapter_stats(w->ad[0])->busy_retries, 0);
	ck_assert_uint_eq(adapter_stats(w->ad[0])->results[AD_BUSY], 0);
	ck_assert_uint_gt(adapter_stats(w->ad[1])->rx_busy_sent, 0);
	ck_assert_uint_eq(ip_net_stats(w->net)->dropped, 0);
	world_free(w);
}
END_TEST

/* --- the address cache ----------------------------------------------------- */

/* An interface with short cache times: entries expire and are asked for
 * again; ten datagrams for an address being resolved: three wait (the
 * queue bound), seven are dropped at once; while the resolution runs no
 * second request goes to the same ID (one resolution per address); an
 * address that failed is retried only after the negative time. */
START_TEST(arp_cache_rules)
{
	struct world *w = world_new();
	int b = add_bus(w, BUS_WIDE, BUS_SPEED_FAST);
	struct ip_host *a = add_host(w, "a", 0, 0);
	struct ip_host *c = add_host(w, "c", 0, 0);
	struct adapter_config ac = { .profile = "pci-fw", .scsi_id = 0,
				     .rx_slots = 4, .busy_retries = -1,
				     .error_retries = -1 };
	ck_assert_int_eq(adapter_create(w->bus[b], &ac, &w->ad[w->nad]),
			 SN_OK);
	struct ip_netif_config nc = {
		.name = "scsi", .ad = w->ad[w->nad++], .bus = (uint32_t)b,
		.addr = addr("10.0.0.1"), .plen = 24, .mtu = 65535,
		.arp_cache_time = 2 * SIM_S, .arp_neg_time = 3 * SIM_S,
		.arp_queue_max = 3,
	};
	ck_assert_int_eq(ip_host_add_netif(a, &nc, NULL), SN_OK);
	add_if(w, c, b, "pci-fw", 1, "10.0.0.2", 24, 65535, 4);
	struct pinger p = { .w = w };
	ck_assert_int_eq(icmp_echo_listen(a, 3, on_reply, on_error, &p),
			 SN_OK);
	for (uint16_t i = 1; i <= 10; i++)
		ck_assert_int_eq(icmp_echo_send(a, addr("10.0.0.2"), 3, i, 8,
						NULL, NULL),
				 SN_OK);
	const struct ip_net_stats *st = ip_net_stats(w->net);
	ck_assert_uint_eq(st->drops[IP_DROP_QUEUE_FULL], 7);
	sim_run_until(&w->sim, 500 * SIM_MS);
	ck_assert_int_eq(p.replies, 3);
	const struct ip_netif_stats *ns = ip_host_netif_stats(a, 0);
	ck_assert_uint_eq(ns->arp_requests, 1); /* ID 1 asked once */
	/* within the cache time: no new request */
	ck_assert_int_eq(icmp_echo_send(a, addr("10.0.0.2"), 3, 11, 8, NULL,
					NULL),
			 SN_OK);
	sim_run_until(&w->sim, 1 * SIM_S);
	ck_assert_uint_eq(ns->arp_requests, 1);
	ck_assert_int_eq(p.replies, 4);
	/* after it: asked again (c's entry for a, learned from a's
	 * request, has the default 20 minutes and needs nothing) */
	sim_run_until(&w->sim, 3 * SIM_S);
	ck_assert_int_eq(ip_host_arp_lookup(a, 0, addr("10.0.0.2")), -1);
	ck_assert_int_eq(icmp_echo_send(a, addr("10.0.0.2"), 3, 12, 8, NULL,
					NULL),
			 SN_OK);
	sim_run_until(&w->sim, 4 * SIM_S);
	ck_assert_uint_eq(ns->arp_requests, 2);
	ck_assert_int_eq(p.replies, 5);
	/* an address nobody has: rounds over ID 1 and the absent IDs (a
	 * selection time-out each, remembered for the negative time) */
	ck_assert_int_eq(icmp_echo_send(a, addr("10.0.0.9"), 3, 13, 8, NULL,
					NULL),
			 SN_OK);
	while (st->drops[IP_DROP_RESOLUTION] == 0 &&
	       sim_now(&w->sim) < 60 * SIM_S)
		sim_run_until(&w->sim, sim_now(&w->sim) + 100 * SIM_MS);
	ck_assert_uint_eq(st->drops[IP_DROP_RESOLUTION], 1);
	ck_assert_uint_eq(ns->arp_failures, 1);
	uint64_t asked = ns->arp_requests;
	/* within the negative time: dropped at once, nobody asked */
	ck_assert_int_eq(icmp_echo_send(a, addr("10.0.0.9"), 3, 14, 8, NULL,
					NULL),
			 SN_OK);
	ck_assert_uint_eq(st->drops[IP_DROP_RESOLUTION], 2);
	sim_run_until(&w->sim, sim_now(&w->sim) + 1 * SIM_S);
	ck_assert_uint_eq(ns->arp_requests, asked);
	/* after it: asked again */
	sim_run_until(&w->sim, sim_now(&w->sim) + 3 * SIM_S);
	ck_assert_int_eq(icmp_echo_send(a, addr("10.0.0.9"), 3, 15, 8, NULL,
					NULL),
			 SN_OK);
	while (st->drops[IP_DROP_RESOLUTION] == 2 &&
	       sim_now(&w->sim) < 120 * SIM_S)
		sim_run_until(&w->sim, sim_now(&w->sim) + 100 * SIM_MS);
	ck_assert_uint_gt(ns->arp_requests, asked);
	ck_assert_uint_eq(st->drops[IP_DROP_RESOLUTION], 3);
	world_free(w);
}
END_TEST

/* --- what Wireshark sees ----------------------------------------------- */

/* Three pings between two hosts, their address resolution included,
 * captured to a pcap: tshark decodes the ARP-over-SCSI exchange and the
 * three echo request/reply pairs, every checksum good. */
START_TEST(pcap_read_by_tshark)
{
	ck_assert_msg(system("command -v tshark >/dev/null 2>&1") == 0,
		      "tshark is not installed (run scripts/install-deps.sh "
		      "test)");
	char path[] = "/tmp/scsinet_ipstack_XXXXXX";
	int fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	close(fd);
	struct world *w = world_new();
	struct viz_pcap *pc = NULL;
	ck_assert_int_eq(viz_pcap_open(&w->sim, path, &pc), SN_OK);
	int b = add_bus(w, BUS_NARROW, BUS_SPEED_FAST);
	struct ip_host *a = add_host(w, "a", 0, 0);
	struct ip_host *c = add_host(w, "c", 0, 0);
	add_if(w, a, b, "aic6360", 1, "10.0.0.1", 24, 65535, 4);
	add_if(w, c, b, "aic6360", 0, "10.0.0.2", 24, 65535, 4);
	struct pinger p = { .w = w };
	ck_assert_int_eq(icmp_echo_listen(a, 0x5353, on_reply, on_error, &p),
			 SN_OK);
	for (uint16_t seq = 1; seq <= 3; seq++) {
		ck_assert_int_eq(icmp_echo_send(a, addr("10.0.0.2"), 0x5353,
						seq, 64, NULL, NULL),
				 SN_OK);
		sim_run_until(&w->sim, sim_now(&w->sim) + 100 * SIM_MS);
	}
	ck_assert_int_eq(p.replies, 3);
	ck_assert_uint_eq(viz_pcap_packets(pc), 2 + 6);
	ck_assert_int_eq(viz_pcap_close(pc), SN_OK);
	world_free(w);
	char cmd[512], out[64];
	snprintf(out, sizeof out, "%s.txt", path);
	snprintf(cmd, sizeof cmd,
		 "tshark -n -r %s -o ip.check_checksum:TRUE -T fields "
		 "-E separator=, -e sll.ifindex -e sll.src.other -e arp.opcode "
		 "-e icmp.type -e icmp.seq -e ip.checksum.status "
		 "-e icmp.checksum.status -e icmp.resp_to >%s 2>/dev/null",
		 path, out);
	ck_assert_int_eq(system(cmd), 0);
	FILE *f = fopen(out, "r");
	ck_assert_ptr_nonnull(f);
	char line[256];
	static const char *const want[] = {
		"1,01,1,,,,,",     /* ARP request from ID 1 */
		"1,00,2,,,,,",     /* the reply from ID 0 */
		"1,01,,8,1,1,1,",  /* echo request 1, checksums good */
		"1,00,,0,1,1,1,3", /* its reply, paired with frame 3 */
		"1,01,,8,2,1,1,",
		"1,00,,0,2,1,1,5",
		"1,01,,8,3,1,1,",
		"1,00,,0,3,1,1,7",
	};
	int n = 0;
	while (fgets(line, sizeof line, f) != NULL) {
		line[strcspn(line, "\n")] = '\0';
		ck_assert_int_lt(n, 8);
		ck_assert_msg(strcmp(line, want[n]) == 0, "frame %d: got %s, "
			      "want %s", n + 1, line, want[n]);
		n++;
	}
	fclose(f);
	ck_assert_int_eq(n, 8);
	unlink(out);
	unlink(path);
}
END_TEST

/* --- malformed datagrams ------------------------------------------------ */

static void raw_done(struct adapter *ad, struct adapter_tx *tx, void *arg)
{
	(void)ad;
	(void)tx;
	(*(int *)arg)++;
}

/* A device that is no IP host puts bad datagrams on the bus, through a
 * real adapter: each is dropped and counted with its reason by the
 * receiving host, never trusted. */
START_TEST(malformed_dropped)
{
	struct world *w = world_new();
	int b = add_bus(w, BUS_WIDE, BUS_SPEED_FAST);
	struct ip_host *h = add_host(w, "victim", 0, 0);
	add_if(w, h, b, "pci-fw", 3, "10.0.0.3", 24, 65535, 4);
	struct adapter_config ac = { .profile = "pci-fw", .scsi_id = 9,
				     .rx_slots = 1, .busy_retries = -1,
				     .error_retries = -1 };
	struct adapter *raw = NULL;
	ck_assert_int_eq(adapter_create(w->bus[b], &ac, &raw), SN_OK);
	w->ad[w->nad++] = raw;
	/* a good UDP datagram to port 7, then spoiled copies */
	static uint8_t good[IP_HDR_LEN + UDP_HDR_LEN + 4];
	memset(good, 0, sizeof good);
	good[IP_OFF_VHL] = 0x45;
	ip_put16(good + IP_OFF_LEN, sizeof good);
	good[IP_OFF_TTL] = 9;
	good[IP_OFF_PROTO] = IP_PROTO_UDP;
	ip_put32(good + IP_OFF_SRC, addr("10.0.0.9"));
	ip_put32(good + IP_OFF_DST, addr("10.0.0.3"));
	ip_put16(good + IP_OFF_CKSUM, ip_cksum(good, IP_HDR_LEN));
	ip_put16(good + IP_HDR_LEN + UDP_OFF_DPORT, 7);
	ip_put16(good + IP_HDR_LEN + UDP_OFF_LEN, UDP_HDR_LEN + 4);
	enum { N = 7 };
	static uint8_t bad[N][sizeof good];
	static uint32_t len[N];
	static uint8_t type[N];
	for (int i = 0; i < N; i++) {
		memcpy(bad[i], good, sizeof good);
		len[i] = sizeof good;
	}
	bad[0][IP_OFF_CKSUM] ^= 0x01;                 /* header checksum */
	bad[1][IP_OFF_VHL] = 0x65;                    /* IPv6? no */
	len[2] = 12;                                  /* truncated header */
	ip_put16(bad[3] + IP_OFF_LEN, 200);           /* longer than sent */
	ip_put16(bad[3] + IP_OFF_CKSUM, 0);
	ip_put16(bad[3] + IP_OFF_CKSUM, ip_cksum(bad[3], IP_HDR_LEN));
	ip_put16(bad[4] + IP_HDR_LEN + UDP_OFF_CKSUM, 0x1234); /* UDP sum */
	bad[5][IP_OFF_PROTO] = 99;                    /* no such protocol */
	ip_put16(bad[5] + IP_OFF_CKSUM, 0);
	ip_put16(bad[5] + IP_OFF_CKSUM, ip_cksum(bad[5], IP_HDR_LEN));
	type[6] = 9;                                  /* RFC 2143 type 9 */
	int done = 0;
	struct adapter_tx tx[N];
	memset(tx, 0, sizeof tx);
	for (int i = 0; i < N; i++) {
		tx[i].target = 3;
		tx[i].type = type[i];
		tx[i].data = bad[i];
		tx[i].len = len[i];
		tx[i].done = raw_done;
		tx[i].arg = &done;
		ck_assert_int_eq(adapter_send(raw, &tx[i]), SN_OK);
	}
	sim_run_until(&w->sim, 10 * SIM_S);
	ck_assert_int_eq(done, N);
	const struct ip_host_stats *hs = ip_host_stats(h);
	ck_assert_uint_eq(hs->drops[IP_DROP_BAD_CHECKSUM], 2);
	ck_assert_uint_eq(hs->drops[IP_DROP_BAD_HEADER], 3);
	ck_assert_uint_eq(hs->drops[IP_DROP_NO_PROTO], 1);
	ck_assert_uint_eq(ip_host_netif_stats(h, 0)->rx_bad_type, 1);
	ck_assert_uint_eq(hs->delivered, 0);
	/* none of these were datagrams of ours: the ledger counts only
	 * the victim's protocol unreachable to 10.0.0.9, which it could not
	 * resolve (the raw device answers no address resolution) */
	const struct ip_net_stats *st = ip_net_stats(w->net);
	ck_assert_uint_eq(st->sent, 1);
	ck_assert_uint_eq(st->drops[IP_DROP_RESOLUTION], 1);
	ck_assert_uint_eq(hs->icmp_sent, 1);
	world_free(w);
}
END_TEST

Suite *ipstack_suite(void)
{
	Suite *s = suite_create("ipstack");
	TCase *tc = tcase_create("ipstack");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, ping_one_bus);
	tcase_add_test(tc, resolve_whole_bus);
	tcase_add_test(tc, gateway_fragments);
	tcase_add_test(tc, ttl_expires_in_loop);
	tcase_add_test(tc, slow_receiver_busy_not_lost);
	tcase_add_test(tc, pcap_read_by_tshark);
	tcase_add_test(tc, arp_cache_rules);
	tcase_add_test(tc, malformed_dropped);
	suite_add_tcase(s, tc);
	return s;
}
