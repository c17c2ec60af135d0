/*
 * fz_net.c - the fuzz harnesses' small IP network (fz_net.h).
 */
#include "fz_net.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bus_check.h"
#include "fz.h"
#include "ip_apps.h"
#include "ip_cksum.h"
#include "ip_wire.h"
#include "viz_pcap.h"

/* Long enough for everything an input can start to end: address
 * resolution's rounds (seconds), a reassembly time-out (30 s), a
 * command time-out (30 s), each started by the one before at worst. */
#define QUIET_AFTER (1000 * SIM_S)
#define MAX_SENDS 64

/* One datagram a peer sends: its own event, request and bytes. */
struct send {
	struct fz_net *n;
	struct sim_event ev;
	struct adapter_tx tx;
	int bus;
	int done;
	uint8_t *data;
	/* IPv4: accounted as a datagram (ip_net_foreign_sent) */
	struct ip_link_rec *rec;
	uint64_t tag;
};

struct fz_net {
	struct sim sim;
	struct ip_net *net;
	struct bus *bus[2];
	struct bus_check *chk[2];
	struct adapter *ad[4];      /* H, G on A, G on B, K */
	struct adapter *peer[2];
	struct ip_host *host[FZ_NHOSTS];
	struct ip_host *peer_host[2];
	struct udp_sock *echo;
	/* the traffic applications a scenario runs (ip_apps.h), for the
	 * peers' datagrams to meet: H pings K, traces the route to it, runs
	 * a UDP flow to K's sink and hands work units to K */
	struct ip_ping *ping;
	struct ip_traceroute *trace;
	struct ip_udp_sink *sink;
	struct ip_udp_flow *flow;
	struct ip_workdist *work;
	struct viz_pcap *pcap;
	unsigned echoes;
	uint16_t ping_seq;
	struct send *sends[MAX_SENDS];
	int nsends;
	/* fragments the peers sent, by key (RFC 791 2.3), and the tag of
	 * the datagram they belong to */
	struct frag_key {
		uint32_t src, dst;
		uint16_t id;
		uint8_t proto;
		uint64_t tag;
	} frags[MAX_SENDS];
	int nfrags;
	sim_time_t last;            /* the latest time anything was asked */
	/* pings and power switches asked for by the harness */
	struct ping {
		struct sim_event ev;
		struct fz_net *n;
		int which;
		uint32_t dst, size;
	} pings[MAX_SENDS];
	int npings;
	struct power {
		struct sim_event ev;
		struct fz_net *n;
		int which, up;
	} powers[MAX_SENDS];
	int npowers;
};

static void ok(enum sn_err err, const char *what)
{
	FZ_CHECK(err == SN_OK, "fz_net: %s: %s", what, sn_strerror(err));
}

/* --- the peers ------------------------------------------------------------ */

/* What a host's stack would count for the request's outcome
 * (ip_host_link_failed). */
static enum ip_drop link_drop(enum adapter_result r)
{
	switch (r) {
	case AD_NO_TARGET: return IP_DROP_SEL_TIMEOUT;
	case AD_BUSY: return IP_DROP_BUSY;
	case AD_REFUSED: return IP_DROP_REFUSED;
	default: return IP_DROP_BUS_ERROR;
	}
}

static void send_done(struct adapter *ad, struct adapter_tx *tx, void *arg)
{
	(void)ad;
	struct send *s = arg;
	FZ_CHECK(!s->done, "a peer's request ended twice");
	s->done = 1;
	if (s->tag != 0)
		ip_net_foreign_done(s->n->net, s->rec, s->tag,
				    tx->result == AD_SENT,
				    link_drop(tx->result));
}

/* If dg is a fragment (MF, or an offset), the entry of its datagram:
 * found by key, or new with tag 0; else NULL. */
static struct frag_key *frag_of(struct fz_net *n, const uint8_t *dg,
				uint32_t len)
{
	if (len < IP_HDR_LEN ||
	    !(ip_get16(dg + IP_OFF_FRAG) & (IP_FLAG_MF | IP_FRAG_MASK)))
		return NULL;
	struct frag_key key = { ip_get32(dg + IP_OFF_SRC),
				ip_get32(dg + IP_OFF_DST),
				ip_get16(dg + IP_OFF_ID), dg[IP_OFF_PROTO], 0 };
	for (int i = 0; i < n->nfrags; i++) {
		struct frag_key *k = &n->frags[i];
		if (k->src == key.src && k->dst == key.dst &&
		    k->id == key.id && k->proto == key.proto)
			return k;
	}
	if (n->nfrags == MAX_SENDS)
		return NULL;
	n->frags[n->nfrags] = key;
	return &n->frags[n->nfrags++];
}

static void send_now(struct sim *sim, struct sim_event *ev, void *arg)
{
	(void)sim;
	(void)ev;
	struct send *s = arg;
	struct adapter *ad = s->n->peer[s->bus];
	if (s->tx.type == RFC2143_TYPE_IPV4) {
		struct frag_key *k = frag_of(s->n, s->data, s->tx.len);
		s->tag = ip_net_foreign_sent(s->n->net, (uint32_t)s->bus,
					     (uint8_t)adapter_scsi_id(ad),
					     (uint8_t)s->tx.target, s->data,
					     s->tx.len, k ? k->tag : 0,
					     &s->rec);
		if (k != NULL)
			k->tag = s->tag;
	}
	ok(adapter_send(ad, &s->tx), "adapter_send (peer)");
}

static struct send *new_send(struct fz_net *n, int bus, int target,
			     uint8_t type, const uint8_t *data, uint32_t len)
{
	if (n->nsends == MAX_SENDS)
		return NULL;
	struct send *s = calloc(1, sizeof *s);
	FZ_CHECK(s != NULL && (s->data = malloc(len)) != NULL,
		 "out of memory");
	memcpy(s->data, data, len);
	s->n = n;
	s->bus = bus;
	s->tx.target = target;
	s->tx.type = type;
	s->tx.data = s->data;
	s->tx.len = len;
	s->tx.done = send_done;
	s->tx.arg = s;
	sim_event_init(&s->ev, send_now, s, "fuzz.peer_send");
	n->sends[n->nsends++] = s;
	return s;
}

/* An address of H, G or K (P's and Q's are at their peers' IDs). */
static int is_host_addr(uint32_t a)
{
	return a == FZ_ADDR_H || a == FZ_ADDR_G_A || a == FZ_ADDR_G_B ||
	       a == FZ_ADDR_K;
}

/* --- the hosts' applications ---------------------------------------------- */

static void echo_rx(struct udp_sock *s, uint32_t src, uint16_t sport,
		    const uint8_t *data, uint32_t len, void *arg)
{
	struct fz_net *n = arg;
	if (sport == 7 || n->echoes >= FZ_NET_ECHO_MAX)
		return;
	n->echoes++;
	/* errors (a zero source) are the stack's to refuse */
	(void)udp_sendto(s, src, sport, data, len, NULL, NULL);
}

static void echo_reply(struct ip_host *h, uint32_t from, uint16_t id,
		       uint16_t seq, const uint8_t *data, uint32_t len,
		       void *arg)
{
	(void)h;
	(void)from;
	(void)seq;
	(void)data;
	(void)len;
	(void)arg;
	FZ_CHECK(id == FZ_NET_ECHO_ID, "an echo reply for identifier %u "
		 "reached the listener of %u", id, FZ_NET_ECHO_ID);
}

static void icmp_err(struct ip_host *h, uint32_t from, uint8_t type,
		     uint8_t code, const uint8_t *orig, uint32_t orig_len,
		     void *arg)
{
	(void)h;
	(void)from;
	(void)type;
	(void)code;
	(void)arg;
	/* the quote holds an IP header and 8 bytes (ip_host.h) */
	FZ_CHECK(orig != NULL && orig_len >= IP_HDR_LEN + 8,
		 "an ICMP error handed up with a %u-byte quote", orig_len);
}

/* --- the world ------------------------------------------------------------ */

static struct adapter *add_adapter(struct fz_net *n, int bus,
				   const char *profile, int id)
{
	struct adapter_config ac = { .profile = profile, .scsi_id = id,
				     .pos_mm = (uint32_t)(id * 150),
				     .rx_slots = 2, .busy_retries = -1,
				     .error_retries = -1 };
	struct adapter *ad = NULL;
	ok(adapter_create(n->bus[bus], &ac, &ad), "adapter_create");
	return ad;
}

static void add_if(struct ip_host *h, int bus, struct adapter *ad,
		   uint32_t addr, uint32_t mtu)
{
	struct ip_netif_config nc = { .name = "scsi", .ad = ad,
				      .bus = (uint32_t)bus, .addr = addr,
				      .plen = 24, .mtu = mtu };
	ok(ip_host_add_netif(h, &nc, NULL), "ip_host_add_netif");
}

static struct ip_host *add_host(struct fz_net *n, const char *name,
				int forwarding)
{
	struct ip_host_config hc = { .name = name, .forwarding = forwarding };
	struct ip_host *h = NULL;
	ok(ip_host_create(n->net, &hc, &h), "ip_host_create");
	return h;
}

static void start_apps(struct fz_net *n)
{
	struct ip_host *h = n->host[FZ_HOST_H], *k = n->host[FZ_HOST_K];
	struct ip_ping_config pc = { .dst = FZ_ADDR_K, .count = 2,
				     .interval = 100 * SIM_MS, .size = 8,
				     .timeout = 1 * SIM_S,
				     .id = FZ_NET_PING_ID,
				     .start = 1 * SIM_MS };
	ok(ip_ping_create(h, &pc, &n->ping), "ip_ping_create");
	struct ip_traceroute_config tc = { .dst = FZ_ADDR_K, .max_hops = 2,
					   .probes = 1,
					   .timeout = 1 * SIM_S,
					   .start = 1 * SIM_MS };
	ok(ip_traceroute_create(h, &tc, &n->trace), "ip_traceroute_create");
	ok(ip_udp_sink_create(k, FZ_NET_SINK_PORT, &n->sink),
	   "ip_udp_sink_create");
	struct ip_udp_flow_config fc = { .dst = FZ_ADDR_K,
					 .dport = FZ_NET_SINK_PORT,
					 .sink = n->sink, .size = 16,
					 .rate = 20, .count = 2,
					 .timeout = 1 * SIM_S,
					 .start = 1 * SIM_MS };
	ok(ip_udp_flow_create(h, &fc, &n->flow), "ip_udp_flow_create");
	struct ip_host *const workers[1] = { k };
	struct ip_workdist_config wc = { .master = h, .workers = workers,
					 .nworkers = 1, .units = 2,
					 .unit_size = 600, .result_size = 16,
					 .compute = 1 * SIM_MS,
					 .port = FZ_NET_WORK_PORT,
					 .unit_timeout = 1 * SIM_S,
					 .start = 1 * SIM_MS };
	ok(ip_workdist_create(&wc, &n->work), "ip_workdist_create");
}

/* Latency figures in order: min <= p50 <= p90 <= p99 <= max, and the
 * mean between min and max. */
static void check_latency(const struct ip_app_latency *l, uint64_t n,
			  const char *what)
{
	FZ_CHECK(l->n == n, "%s: %llu latency samples for %llu", what,
		 (unsigned long long)l->n, (unsigned long long)n);
	if (n == 0)
		return;
	FZ_CHECK(l->min <= l->p50 && l->p50 <= l->p90 && l->p90 <= l->p99 &&
		 l->p99 <= l->max && l->min <= l->avg && l->avg <= l->max,
		 "%s: latency out of order (min %llu avg %llu p50 %llu p90 "
		 "%llu p99 %llu max %llu)", what,
		 (unsigned long long)l->min, (unsigned long long)l->avg,
		 (unsigned long long)l->p50, (unsigned long long)l->p90,
		 (unsigned long long)l->p99, (unsigned long long)l->max);
}

/* On a quiet network every application has finished, and its figures
 * add up, whatever the peers sent it. */
static void check_apps(struct fz_net *n)
{
	if (n->ping == NULL)
		return;
	const struct ip_ping_results *p = ip_ping_results(n->ping);
	FZ_CHECK(p->done && p->sent == 2 && p->received + p->lost == 2,
		 "ping: done %d, sent %u, received %u, lost %u", p->done,
		 p->sent, p->received, p->lost);
	check_latency(&p->rtt, p->received, "ping");
	const struct ip_traceroute_results *t =
		ip_traceroute_results(n->trace);
	FZ_CHECK(t->done && t->nhops <= 2 &&
		 t->answered + t->timeouts <= t->sent &&
		 t->sent <= t->nhops * t->probes,
		 "traceroute: done %d, %u hops, sent %u, answered %u, %u "
		 "timeouts", t->done, t->nhops, t->sent, t->answered,
		 t->timeouts);
	const struct ip_udp_flow_results *f = ip_udp_flow_results(n->flow);
	FZ_CHECK(f->done && f->sent == 2 && f->received <= f->sent &&
		 f->lost == f->sent - f->received &&
		 f->timeouts <= f->sent && f->late <= f->timeouts &&
		 f->bytes_received <= f->bytes_sent,
		 "udp flow: done %d, sent %llu, received %llu, lost %llu, "
		 "%llu timeouts, %llu late", f->done,
		 (unsigned long long)f->sent, (unsigned long long)f->received,
		 (unsigned long long)f->lost, (unsigned long long)f->timeouts,
		 (unsigned long long)f->late);
	check_latency(&f->latency, f->received, "udp flow");
	const struct ip_udp_sink_results *k = ip_udp_sink_results(n->sink);
	FZ_CHECK(k->unknown + f->received + f->duplicates <= k->datagrams,
		 "udp sink: %llu datagrams, %llu unknown",
		 (unsigned long long)k->datagrams,
		 (unsigned long long)k->unknown);
	const struct ip_workdist_results *w = ip_workdist_results(n->work);
	FZ_CHECK(w->done && w->units_sent == 2 &&
		 w->units_done + w->units_lost == 2 && w->nworkers == 1 &&
		 w->workers[0].units_done == w->units_done &&
		 w->workers[0].units_lost == w->units_lost,
		 "workdist: done %d, sent %u, done %u, lost %u", w->done,
		 w->units_sent, w->units_done, w->units_lost);
}

struct fz_net *fz_net_new(int apps)
{
	struct fz_net *n = calloc(1, sizeof *n);
	FZ_CHECK(n != NULL, "out of memory");
	ok(sim_init(&n->sim, 1), "sim_init");
	ok(ip_net_create(&n->sim, &n->net), "ip_net_create");
	struct bus_config a = { .name = "A", .width = BUS_WIDE,
				.electrical = BUS_SE, .speed = BUS_SPEED_FAST,
				.length_mm = 3000 };
	struct bus_config b = { .name = "B", .width = BUS_NARROW,
				.electrical = BUS_SE, .speed = BUS_SPEED_SCSI2,
				.length_mm = 3000 };
	ok(bus_create(&n->sim, &a, &n->bus[0]), "bus_create");
	ok(bus_create(&n->sim, &b, &n->bus[1]), "bus_create");
	for (int i = 0; i < 2; i++)
		ok(bus_check_attach(&n->chk[i], n->bus[i]), "bus_check_attach");

	n->ad[0] = add_adapter(n, 0, "pci-fw", 3);
	n->ad[1] = add_adapter(n, 0, "pci-fw", 1);
	n->ad[2] = add_adapter(n, 1, "aha1522", 7);
	n->ad[3] = add_adapter(n, 1, "aha1522", 2);
	n->peer[0] = add_adapter(n, 0, "pci-fw", 9);
	n->peer[1] = add_adapter(n, 1, "aha1522", 5);

	struct ip_host *h = n->host[FZ_HOST_H] = add_host(n, "H", 0);
	struct ip_host *g = n->host[FZ_HOST_G] = add_host(n, "G", 1);
	struct ip_host *k = n->host[FZ_HOST_K] = add_host(n, "K", 0);
	add_if(h, 0, n->ad[0], FZ_ADDR_H, 65535);
	add_if(g, 0, n->ad[1], FZ_ADDR_G_A, 65535);
	add_if(g, 1, n->ad[2], FZ_ADDR_G_B, 576);
	add_if(k, 1, n->ad[3], FZ_ADDR_K, 576);
	n->peer_host[0] = add_host(n, "P", 0);
	n->peer_host[1] = add_host(n, "Q", 0);
	add_if(n->peer_host[0], 0, n->peer[0], FZ_ADDR_P, 65535);
	add_if(n->peer_host[1], 1, n->peer[1], FZ_ADDR_Q, 576);
	ok(ip_host_add_route(h, 0, 0, FZ_ADDR_G_A, -1, 0), "route H");
	ok(ip_host_add_route(k, 0, 0, FZ_ADDR_G_B, -1, 0), "route K");
	ok(udp_open(h, 7, echo_rx, NULL, n, &n->echo), "udp_open echo");
	if (apps)
		start_apps(n);
	ok(icmp_echo_listen(h, FZ_NET_ECHO_ID, echo_reply, icmp_err, n),
	   "icmp_echo_listen");
	ok(viz_pcap_open(&n->sim, "/dev/null", &n->pcap), "viz_pcap_open");
	return n;
}

struct sim *fz_net_sim(struct fz_net *n)
{
	return &n->sim;
}

struct ip_host *fz_net_host(struct fz_net *n, int which)
{
	return n->host[which];
}

void fz_net_static_arp(struct fz_net *n, uint32_t addr)
{
	if (is_host_addr(addr))
		return;
	if ((addr & 0xffffff00u) == (FZ_ADDR_H & 0xffffff00u)) {
		ok(ip_host_add_arp(n->host[FZ_HOST_H], 0, addr, 9), "arp H");
		ok(ip_host_add_arp(n->host[FZ_HOST_G], 0, addr, 9), "arp G");
	} else if ((addr & 0xffffff00u) == (FZ_ADDR_K & 0xffffff00u)) {
		ok(ip_host_add_arp(n->host[FZ_HOST_G], 1, addr, 5), "arp G");
		ok(ip_host_add_arp(n->host[FZ_HOST_K], 0, addr, 5), "arp K");
	}
}

int fz_net_inject(struct fz_net *n, int bus, int target, uint8_t type,
		  const uint8_t *data, uint32_t len, sim_time_t at)
{
	int ids = bus == 0 ? 16 : 8;
	if (bus < 0 || bus > 1 || target < 0 || target >= ids ||
	    target == adapter_scsi_id(n->peer[bus]) || type > 15 || len == 0 ||
	    len > 65535 || at < sim_now(&n->sim))
		return -1;
	struct send *s = new_send(n, bus, target, type, data, len);
	if (s == NULL)
		return -1;
	ok(sim_schedule_at(&n->sim, &s->ev, at), "sim_schedule_at");
	if (at > n->last)
		n->last = at;
	return 0;
}

static void ping_now(struct sim *sim, struct sim_event *ev, void *arg)
{
	(void)sim;
	(void)ev;
	struct ping *p = arg;
	/* SN_EINVAL (a size too big, dst 0) is refused, not sent */
	(void)icmp_echo_send(p->n->host[p->which], p->dst, FZ_NET_ECHO_ID,
			     ++p->n->ping_seq, p->size, NULL, NULL);
}

void fz_net_ping(struct fz_net *n, int which, uint32_t dst, uint32_t size,
		 sim_time_t at)
{
	if (n->npings == MAX_SENDS || which < 0 || which >= FZ_NHOSTS ||
	    at < sim_now(&n->sim))
		return;
	struct ping *p = &n->pings[n->npings++];
	p->n = n;
	p->which = which;
	p->dst = dst;
	p->size = size;
	sim_event_init(&p->ev, ping_now, p, "fuzz.ping");
	ok(sim_schedule_at(&n->sim, &p->ev, at), "sim_schedule_at");
	if (at > n->last)
		n->last = at;
}

static void power_now(struct sim *sim, struct sim_event *ev, void *arg)
{
	(void)sim;
	(void)ev;
	struct power *p = arg;
	ip_host_set_up(p->n->host[p->which], p->up);
}

void fz_net_power(struct fz_net *n, int which, int up, sim_time_t at)
{
	if (n->npowers == MAX_SENDS || which < 0 || which >= FZ_NHOSTS ||
	    at < sim_now(&n->sim))
		return;
	struct power *p = &n->powers[n->npowers++];
	p->n = n;
	p->which = which;
	p->up = up;
	sim_event_init(&p->ev, power_now, p, "fuzz.power");
	ok(sim_schedule_at(&n->sim, &p->ev, at), "sim_schedule_at");
	if (at > n->last)
		n->last = at;
}

void fz_net_run(struct fz_net *n)
{
	sim_run_until(&n->sim, n->last + QUIET_AFTER);
	FZ_CHECK(sim_pending_count(&n->sim) == 0,
		 "the network is still busy %llu s after the last input: "
		 "%u events pending, the next at %llu ps",
		 (unsigned long long)(QUIET_AFTER / SIM_S),
		 sim_pending_count(&n->sim),
		 (unsigned long long)sim_next_time(&n->sim));
}

/* FUZZ_DEBUG=1: what each host counted, for looking into a finding. */
static void dump(struct fz_net *n)
{
	const char *v = getenv("FUZZ_DEBUG");
	if (v == NULL || v[0] != '1')
		return;
	struct ip_host *all[FZ_NHOSTS + 2] = { n->host[0], n->host[1],
					       n->host[2], n->peer_host[0],
					       n->peer_host[1] };
	for (int i = 0; i < FZ_NHOSTS + 2; i++) {
		const struct ip_host_stats *hs = ip_host_stats(all[i]);
		fprintf(stderr, "%s: sent %llu delivered %llu forwarded %llu "
			"fragments %llu reassembled %llu icmp %llu/%llu",
			ip_host_name(all[i]), (unsigned long long)hs->sent,
			(unsigned long long)hs->delivered,
			(unsigned long long)hs->forwarded,
			(unsigned long long)hs->fragments_sent,
			(unsigned long long)hs->reassembled,
			(unsigned long long)hs->icmp_sent,
			(unsigned long long)hs->icmp_received);
		for (int r = 0; r < IP_DROP_COUNT; r++)
			if (hs->drops[r])
				fprintf(stderr, " %s=%llu",
					ip_drop_name((enum ip_drop)r),
					(unsigned long long)hs->drops[r]);
		fputc('\n', stderr);
		for (int k = 0; k < ip_host_netif_count(all[i]); k++) {
			const struct ip_netif_stats *s =
				ip_host_netif_stats(all[i], k);
			fprintf(stderr, "  if%d: tx %llu rx %llu, arp "
				"requests %llu (got %llu) replies %llu (got "
				"%llu) failed %llu absent %llu, bad type %llu, "
				"link results", k,
				(unsigned long long)s->tx_datagrams,
				(unsigned long long)s->rx_datagrams,
				(unsigned long long)s->arp_requests,
				(unsigned long long)s->arp_requests_got,
				(unsigned long long)s->arp_replies_sent,
				(unsigned long long)s->arp_replies_got,
				(unsigned long long)s->arp_failures,
				(unsigned long long)s->arp_absent_ids,
				(unsigned long long)s->rx_bad_type);
			for (int r = 0; r < AD_RESULTS; r++)
				fprintf(stderr, " %llu",
					(unsigned long long)s->link_results[r]);
			fputc('\n', stderr);
		}
	}
	if (n->ping != NULL) {
		const struct ip_ping_results *p = ip_ping_results(n->ping);
		const struct ip_traceroute_results *t =
			ip_traceroute_results(n->trace);
		const struct ip_udp_flow_results *f =
			ip_udp_flow_results(n->flow);
		const struct ip_workdist_results *w =
			ip_workdist_results(n->work);
		fprintf(stderr, "apps: ping %u/%u (%u late, %u dup); trace "
			"%u hops, %u answered; flow from port %u %llu/%llu "
			"(%llu dup); work %u done, %u lost, %u late\n",
			p->received, p->sent, p->late, p->duplicates,
			t->nhops, t->answered, ip_udp_flow_port(n->flow),
			(unsigned long long)f->received,
			(unsigned long long)f->sent,
			(unsigned long long)f->duplicates, w->units_done,
			w->units_lost, w->late_results);
	}
	const struct ip_net_stats *st = ip_net_stats(n->net);
	fprintf(stderr, "ledger: sent %llu delivered %llu dropped %llu late "
		"%llu, at %.6f s, %llu events\n", (unsigned long long)st->sent,
		(unsigned long long)st->delivered,
		(unsigned long long)st->dropped,
		(unsigned long long)st->late_events,
		(double)sim_now(&n->sim) / SIM_S,
		(unsigned long long)sim_events_run(&n->sim));
}

void fz_net_free(struct fz_net *n)
{
	dump(n);
	FZ_CHECK(ip_net_check(n->net) == 0, "the datagram ledger does not "
		 "balance (ip_net_check)");
	check_apps(n);
	const struct ip_net_stats *st = ip_net_stats(n->net);
	FZ_CHECK(ip_net_in_flight(n->net) == 0, "%llu datagrams still in "
		 "flight on a quiet network (sent %llu, delivered %llu, "
		 "dropped %llu)",
		 (unsigned long long)ip_net_in_flight(n->net),
		 (unsigned long long)st->sent,
		 (unsigned long long)st->delivered,
		 (unsigned long long)st->dropped);
	for (int i = 0; i < n->nsends; i++)
		FZ_CHECK(n->sends[i]->done, "a peer's request to ID %d never "
			 "ended", n->sends[i]->tx.target);
	for (int b = 0; b < 2; b++) {
		bus_trace_flush(n->bus[b]);
		const struct bus_check_violation *v = bus_check_get(n->chk[b],
								    0);
		FZ_CHECK(bus_check_total(n->chk[b]) == 0,
			 "bus %c: %llu protocol violations, the first: %s",
			 'A' + b,
			 (unsigned long long)bus_check_total(n->chk[b]),
			 v ? v->text : "?");
	}
	uint64_t rx = 0;
	struct ip_host *all[FZ_NHOSTS + 2] = { n->host[0], n->host[1],
					       n->host[2], n->peer_host[0],
					       n->peer_host[1] };
	for (int i = 0; i < FZ_NHOSTS + 2; i++)
		for (int k = 0; k < ip_host_netif_count(all[i]); k++)
			rx += ip_host_netif_stats(all[i], k)->rx_datagrams;
	FZ_CHECK(viz_pcap_packets(n->pcap) == rx,
		 "the capture has %llu frames for %llu datagrams received",
		 (unsigned long long)viz_pcap_packets(n->pcap),
		 (unsigned long long)rx);
	ok(viz_pcap_close(n->pcap), "viz_pcap_close");
	for (int b = 0; b < 2; b++)
		bus_check_detach(n->chk[b]);
	ip_ping_destroy(n->ping);
	ip_traceroute_destroy(n->trace);
	ip_udp_flow_destroy(n->flow);
	ip_udp_sink_destroy(n->sink);
	ip_workdist_destroy(n->work);
	udp_close(n->echo);
	icmp_echo_unlisten(n->host[FZ_HOST_H], FZ_NET_ECHO_ID);
	for (int i = 0; i < FZ_NHOSTS + 2; i++)
		ip_host_destroy(all[i]);
	for (int i = 0; i < 4; i++)
		adapter_destroy(n->ad[i]);
	for (int i = 0; i < 2; i++)
		adapter_destroy(n->peer[i]);
	for (int b = 0; b < 2; b++)
		bus_destroy(n->bus[b]);
	ip_net_destroy(n->net);
	FZ_CHECK(sim_pending_count(&n->sim) == 0 &&
		 sim_alloc_stats(&n->sim)->live_allocs == 0,
		 "after teardown: %u events pending, %llu allocations live",
		 sim_pending_count(&n->sim),
		 (unsigned long long)sim_alloc_stats(&n->sim)->live_allocs);
	sim_fini(&n->sim);
	for (int i = 0; i < n->nsends; i++) {
		free(n->sends[i]->data);
		free(n->sends[i]);
	}
	free(n);
}

void fz_ip_fix(uint8_t *dg, uint32_t len, int total)
{
	if (len < IP_HDR_LEN)
		return;
	if (total && len <= IP_MAX_LEN)
		ip_put16(dg + IP_OFF_LEN, (uint16_t)len);
	uint32_t ihl = (uint32_t)(dg[IP_OFF_VHL] & 0x0f) * 4;
	uint32_t tot = ip_get16(dg + IP_OFF_LEN);
	if (ihl < IP_HDR_LEN || ihl > len)
		return;
	uint16_t frag = ip_get16(dg + IP_OFF_FRAG);
	if (tot >= ihl && tot <= len &&
	    !(frag & (IP_FLAG_MF | IP_FRAG_MASK))) {
		uint8_t *l4 = dg + ihl;
		uint32_t l4len = tot - ihl;
		if (dg[IP_OFF_PROTO] == IP_PROTO_ICMP &&
		    l4len >= ICMP_HDR_LEN) {
			ip_put16(l4 + ICMP_OFF_CKSUM, 0);
			ip_put16(l4 + ICMP_OFF_CKSUM, ip_cksum(l4, l4len));
		} else if (dg[IP_OFF_PROTO] == IP_PROTO_UDP &&
			   l4len >= UDP_HDR_LEN) {
			if (total)
				ip_put16(l4 + UDP_OFF_LEN, (uint16_t)l4len);
			uint32_t ulen = ip_get16(l4 + UDP_OFF_LEN);
			if (ulen >= UDP_HDR_LEN && ulen <= l4len) {
				ip_put16(l4 + UDP_OFF_CKSUM, 0);
				ip_put16(l4 + UDP_OFF_CKSUM,
					 ip_udp_cksum(ip_get32(dg + IP_OFF_SRC),
						      ip_get32(dg + IP_OFF_DST),
						      l4, (uint16_t)ulen));
			}
		}
	}
	ip_put16(dg + IP_OFF_CKSUM, 0);
	ip_put16(dg + IP_OFF_CKSUM, ip_cksum(dg, ihl));
}
