/*
 * ip_apps.c - traffic applications on top of the host stack (ip_apps.h):
 * ping (RFC 792 echo), classic UDP traceroute (time exceeded and port
 * unreachable, RFC 792; the probe is named by the UDP port quoted in the
 * ICMP error), a measured UDP flow with its sink, and a PVM-style
 * master/worker work distribution.
 *
 * They use the public calls of ip_host.h, as a scenario or a user
 * program would (and, for want of an accessor, the host's engine
 * pointer); every timer is a sim event embedded in its object and every
 * time recorded is sim_now() at a send or a reception.
 */
#include "ip_apps.h"

#include <stdlib.h>
#include <string.h>

#include "ip_priv.h"
#include "ip_wire.h"

/* The host's engine.  ip_host.h has no accessor for it (the stack's own
 * files read h->sim), so this is the one place that looks inside struct
 * ip_host; an ip_host_sim() in ip_host.h would let it go. */
static struct sim *host_sim(const struct ip_host *h)
{
	return h->sim;
}

/* --- latency samples ---------------------------------------------------------
 *
 * Samples are appended as they come; the statistics are refreshed on
 * demand by sorting the array in place (the arrival order is not needed
 * afterwards), only when samples came since the last refresh. */

struct lat_set {
	sim_time_t *v;
	uint64_t n, cap;
	uint64_t sum_hi, sum_lo;   /* 128-bit sum: many long latencies can
				    * exceed 2^64 ps in all */
	sim_time_t min, max;
	int dirty;
};

static enum sn_err lat_add(struct sim *sim, struct lat_set *s, sim_time_t x)
{
	if (s->n == s->cap) {
		uint64_t cap = s->cap ? s->cap * 2 : 64;
		if (cap > SIZE_MAX / sizeof *s->v)
			return SN_ENOMEM;
		sim_time_t *v = sim_realloc(sim, s->v, (size_t)cap * sizeof *v);
		if (v == NULL)
			return SN_ENOMEM;
		s->v = v;
		s->cap = cap;
	}
	s->v[s->n++] = x;
	uint64_t lo = s->sum_lo + x;
	s->sum_hi += lo < s->sum_lo;
	s->sum_lo = lo;
	if (s->n == 1 || x < s->min)
		s->min = x;
	if (x > s->max)
		s->max = x;
	s->dirty = 1;
	return SN_OK;
}

static void lat_free(struct sim *sim, struct lat_set *s)
{
	sim_free(sim, s->v);
	memset(s, 0, sizeof *s);
}

/* (hi * 2^64 + lo) / d for hi < d: shift-and-subtract long division.
 * The mean of n samples each below 2^64 always fits. */
static uint64_t div128(uint64_t hi, uint64_t lo, uint64_t d)
{
	uint64_t q = 0, r = hi;
	for (int i = 63; i >= 0; i--) {
		uint64_t top = r >> 63;
		r = r << 1 | (lo >> i & 1);
		q <<= 1;
		if (top || r >= d) {
			r -= d;
			q |= 1;
		}
	}
	return q;
}

static int cmp_time(const void *a, const void *b)
{
	sim_time_t x = *(const sim_time_t *)a, y = *(const sim_time_t *)b;
	return (x > y) - (x < y);
}

/* Nearest rank: x[ceil(p * n / 100)] of the sorted samples (1-based). */
static sim_time_t nearest_rank(const struct lat_set *s, uint64_t p)
{
	uint64_t rank = (p * s->n + 99) / 100;
	if (rank == 0)
		rank = 1;
	return s->v[rank - 1];
}

static void lat_refresh(struct lat_set *s, struct ip_app_latency *out)
{
	if (!s->dirty)
		return;
	s->dirty = 0;
	memset(out, 0, sizeof *out);
	if (s->n == 0)
		return;
	qsort(s->v, (size_t)s->n, sizeof *s->v, cmp_time);
	out->n = s->n;
	out->min = s->min;
	out->max = s->max;
	out->avg = div128(s->sum_hi, s->sum_lo, s->n);
	out->p50 = nearest_rank(s, 50);
	out->p90 = nearest_rank(s, 90);
	out->p99 = nearest_rank(s, 99);
}

/* --- outstanding datagrams ----------------------------------------------------
 *
 * Ping and the UDP flow send numbered datagrams, in order, and each is
 * decided once: answered, or timed out `timeout` after it was sent.
 * Send times never decrease with the number, so neither do deadlines,
 * and one timer on the oldest undecided datagram serves them all. */

enum { T_UNSENT, T_OUT, T_GOT, T_LOST, T_LATE };

struct track {
	sim_time_t *sent_at;
	uint8_t *state;
	uint64_t n, cap;           /* sent, room */
	uint64_t oldest;           /* no T_OUT below this index */
	uint64_t outstanding;      /* T_OUT entries */
	sim_time_t timeout;
	struct sim_event ev;       /* the oldest's deadline */
};

static enum sn_err track_reserve(struct sim *sim, struct track *t,
				 uint64_t cap)
{
	if (cap <= t->cap)
		return SN_OK;
	if (cap > SIZE_MAX / sizeof(sim_time_t))
		return SN_ENOMEM;
	sim_time_t *s = sim_realloc(sim, t->sent_at, (size_t)cap * sizeof *s);
	if (s == NULL)
		return SN_ENOMEM;
	t->sent_at = s;
	uint8_t *st = sim_realloc(sim, t->state, (size_t)cap);
	if (st == NULL)
		return SN_ENOMEM;
	memset(st + t->cap, T_UNSENT, (size_t)(cap - t->cap));
	t->state = st;
	t->cap = cap;
	return SN_OK;
}

static void track_free(struct sim *sim, struct track *t)
{
	sim_cancel(sim, &t->ev);
	sim_free(sim, t->sent_at);
	sim_free(sim, t->state);
	t->sent_at = NULL;
	t->state = NULL;
	t->n = t->cap = 0;
}

/* Put the timer on the oldest outstanding datagram's deadline. */
static void track_rearm(struct sim *sim, struct track *t)
{
	while (t->oldest < t->n && t->state[t->oldest] != T_OUT)
		t->oldest++;
	if (t->oldest == t->n) {
		sim_cancel(sim, &t->ev);
		return;
	}
	sim_time_t due = t->sent_at[t->oldest] + t->timeout;
	if (due < sim_now(sim))
		due = sim_now(sim);
	if (!sim_event_pending(&t->ev) || sim_event_time(&t->ev) != due)
		sim_schedule_at(sim, &t->ev, due);
}

/* Datagram n (the next index) left now.  The caller reserved room. */
static void track_sent(struct sim *sim, struct track *t)
{
	t->sent_at[t->n] = sim_now(sim);
	t->state[t->n] = T_OUT;
	t->n++;
	t->outstanding++;
	if (!sim_event_pending(&t->ev))
		track_rearm(sim, t);
}

/* Datagram i was received: its previous state (T_UNSENT if i was never
 * sent).  T_OUT becomes T_GOT, T_LOST becomes T_LATE. */
static int track_got(struct sim *sim, struct track *t, uint64_t i)
{
	if (i >= t->n)
		return T_UNSENT;
	int was = t->state[i];
	if (was == T_OUT) {
		t->state[i] = T_GOT;
		t->outstanding--;
		if (i == t->oldest)
			track_rearm(sim, t);
	} else if (was == T_LOST) {
		t->state[i] = T_LATE;
	}
	return was;
}

/* The timer fired: every outstanding datagram whose deadline is now or
 * past is lost.  Returns how many. */
static uint64_t track_expire(struct sim *sim, struct track *t)
{
	uint64_t k = 0;
	sim_time_t now = sim_now(sim);
	for (uint64_t i = t->oldest; i < t->n; i++) {
		if (t->state[i] != T_OUT)
			continue;
		if (t->sent_at[i] + t->timeout > now)
			break;
		t->state[i] = T_LOST;
		t->outstanding--;
		k++;
	}
	track_rearm(sim, t);
	return k;
}

/* Is `a` the address of one of the host's interfaces? */
static int host_has_addr(const struct ip_host *h, uint32_t a)
{
	for (int i = 0; i < ip_host_netif_count(h); i++)
		if (ip_host_netif_addr(h, i) == a)
			return 1;
	return 0;
}

/* --- ping ------------------------------------------------------------------ */

struct ip_ping {
	struct ip_host *h;
	struct sim *sim;
	struct ip_ping_config c;
	int listening;
	struct sim_event send_ev;
	struct track tr;           /* index = seq - 1 */
	sim_time_t *rtt;           /* per request, 0 = none */
	struct lat_set lat;
	struct ip_ping_results r;
};

static void ping_check_done(struct ip_ping *p)
{
	if (p->r.done || p->r.sent < p->c.count || p->tr.outstanding)
		return;
	p->r.done = 1;
	p->r.done_at = sim_now(p->sim);
}

static void ping_send(struct sim *sim, struct sim_event *ev, void *arg)
{
	(void)ev;
	struct ip_ping *p = arg;
	uint16_t seq = (uint16_t)(p->r.sent + 1);
	/* recorded before the call: the stack may answer synchronously (a
	 * ping to ourselves is delivered inside icmp_echo_send) */
	track_sent(sim, &p->tr);
	p->r.sent++;
	(void)icmp_echo_send(p->h, p->c.dst, p->c.id, seq, p->c.size, NULL,
			     NULL);
	if (p->r.sent < p->c.count)
		sim_schedule_at(sim, &p->send_ev,
				p->c.start + (sim_time_t)p->r.sent *
						     p->c.interval);
	ping_check_done(p);
}

static void ping_timeout(struct sim *sim, struct sim_event *ev, void *arg)
{
	(void)ev;
	struct ip_ping *p = arg;
	p->r.lost += (uint32_t)track_expire(sim, &p->tr);
	ping_check_done(p);
}

static void ping_reply(struct ip_host *h, uint32_t from, uint16_t id,
		       uint16_t seq, const uint8_t *data, uint32_t len,
		       void *arg)
{
	(void)h;
	(void)from;
	(void)id;
	(void)data;
	(void)len;
	struct ip_ping *p = arg;
	if (seq == 0)
		return; /* never ours */
	uint64_t i = (uint64_t)seq - 1;
	switch (track_got(p->sim, &p->tr, i)) {
	case T_OUT:
		p->r.received++;
		p->rtt[i] = sim_now(p->sim) - p->tr.sent_at[i];
		if (lat_add(p->sim, &p->lat, p->rtt[i]) != SN_OK)
			p->rtt[i] = 0; /* out of memory: not a sample */
		break;
	case T_GOT:
	case T_LATE:
		p->r.duplicates++;
		break;
	case T_LOST:
		p->r.late++;
		break;
	default:
		return; /* a sequence number not sent (yet) */
	}
	ping_check_done(p);
}

static void ping_error(struct ip_host *h, uint32_t from, uint8_t type,
		       uint8_t code, const uint8_t *orig, uint32_t orig_len,
		       void *arg)
{
	(void)h;
	(void)orig;
	(void)orig_len;
	struct ip_ping *p = arg;
	/* the request stays undecided until its timeout, as ping(8)
	 * counts it: an error is news, not an answer */
	p->r.errors++;
	p->r.last_error_type = type;
	p->r.last_error_code = code;
	p->r.last_error_from = from;
}

enum sn_err ip_ping_create(struct ip_host *h, const struct ip_ping_config *c,
			   struct ip_ping **out)
{
	if (h == NULL || c == NULL || out == NULL || c->dst == 0)
		return SN_EINVAL;
	struct sim *sim = host_sim(h);
	sim_time_t interval = c->interval ? c->interval : IP_PING_INTERVAL;
	if (c->count == 0 || c->count > 65535 ||
	    c->size > IP_MAX_LEN - IP_HDR_LEN - ICMP_HDR_LEN ||
	    c->start < sim_now(sim) || c->interval > IP_APP_MAX_DURATION ||
	    c->timeout > IP_APP_MAX_DURATION ||
	    (SIM_TIME_MAX - c->start) / c->count < interval)
		return SN_ERANGE; /* the last send time must fit the clock */
	struct ip_ping *p = sim_calloc(sim, 1, sizeof *p);
	if (p == NULL)
		return SN_ENOMEM;
	p->h = h;
	p->sim = sim;
	p->c = *c;
	if (p->c.interval == 0)
		p->c.interval = IP_PING_INTERVAL;
	if (p->c.timeout == 0)
		p->c.timeout = IP_PING_TIMEOUT;
	p->tr.timeout = p->c.timeout;
	sim_event_init(&p->send_ev, ping_send, p, "app.ping.send");
	sim_event_init(&p->tr.ev, ping_timeout, p, "app.ping.timeout");
	enum sn_err err = track_reserve(sim, &p->tr, c->count);
	if (err == SN_OK &&
	    (p->rtt = sim_calloc(sim, c->count, sizeof *p->rtt)) == NULL)
		err = SN_ENOMEM;
	if (err == SN_OK)
		err = icmp_echo_listen(h, c->id, ping_reply, ping_error, p);
	if (err == SN_OK) {
		p->listening = 1;
		err = sim_schedule_at(sim, &p->send_ev, c->start);
	}
	if (err != SN_OK) {
		ip_ping_destroy(p);
		return err;
	}
	*out = p;
	return SN_OK;
}

void ip_ping_destroy(struct ip_ping *p)
{
	if (p == NULL)
		return;
	sim_cancel(p->sim, &p->send_ev);
	if (p->listening)
		icmp_echo_unlisten(p->h, p->c.id);
	track_free(p->sim, &p->tr);
	lat_free(p->sim, &p->lat);
	sim_free(p->sim, p->rtt);
	sim_free(p->sim, p);
}

const struct ip_ping_results *ip_ping_results(struct ip_ping *p)
{
	lat_refresh(&p->lat, &p->r.rtt);
	return &p->r;
}

sim_time_t ip_ping_rtt(const struct ip_ping *p, uint32_t seq)
{
	return seq >= 1 && seq <= p->c.count ? p->rtt[seq - 1] : 0;
}

/* --- traceroute --------------------------------------------------------------- */

struct ip_traceroute {
	struct ip_host *h;
	struct sim *sim;
	struct ip_traceroute_config c;
	struct udp_sock *sock;
	/* the probe under way: hop (TTL) and k, both from 1 */
	uint32_t hop, k;
	int end_after_hop;         /* a destination unreachable came */
	sim_time_t sent_at;        /* the probe under way's */
	/* fires at the probe's timeout, or at once when it was answered:
	 * either way the next probe goes out from here */
	struct sim_event ev;
	struct ip_traceroute_hop *hops;
	struct ip_traceroute_results r;
};

static struct ip_traceroute_probe *tr_probe(struct ip_traceroute *t)
{
	return &t->hops[t->hop - 1].probe[t->k - 1];
}

static uint16_t tr_port(const struct ip_traceroute *t, uint32_t hop,
			uint32_t k)
{
	return (uint16_t)(t->c.base_port + (hop - 1) * t->c.probes + k);
}

static void tr_send(struct ip_traceroute *t)
{
	static const uint8_t data[IP_TRACEROUTE_DATA]; /* zeros */
	struct ip_traceroute_probe *pr = tr_probe(t);
	t->hops[t->hop - 1].ttl = t->hop;
	t->r.nhops = t->hop;
	pr->status = IP_TR_WAITING;
	pr->port = tr_port(t, t->hop, t->k);
	t->sent_at = sim_now(t->sim);
	t->r.sent++;
	/* the timer first: an answer inside the call moves it to now */
	sim_schedule_in(t->sim, &t->ev, t->c.timeout);
	struct ip_send_opts o = { .ttl = (uint8_t)t->hop };
	(void)udp_sendto(t->sock, t->c.dst, pr->port, data, sizeof data, &o,
			 NULL);
}

static void tr_step(struct sim *sim, struct sim_event *ev, void *arg)
{
	(void)ev;
	struct ip_traceroute *t = arg;
	if (t->hop == 0) { /* the start */
		t->hop = t->k = 1;
		tr_send(t);
		return;
	}
	struct ip_traceroute_probe *pr = tr_probe(t);
	if (pr->status == IP_TR_WAITING) {
		pr->status = IP_TR_TIMEOUT;
		t->r.timeouts++;
	}
	if (++t->k > t->c.probes) {
		if (t->end_after_hop || t->hop == t->c.max_hops) {
			t->r.done = 1;
			t->r.done_at = sim_now(sim);
			return;
		}
		t->hop++;
		t->k = 1;
	}
	tr_send(t);
}

static void tr_rx(struct udp_sock *s, uint32_t src, uint16_t sport,
		  const uint8_t *data, uint32_t len, void *arg)
{
	/* nothing answers a probe with UDP; if something does, it is not
	 * what traceroute measures */
	(void)s;
	(void)src;
	(void)sport;
	(void)data;
	(void)len;
	(void)arg;
}

static void tr_error(struct ip_host *h, uint32_t from, uint8_t type,
		     uint8_t code, const uint8_t *orig, uint32_t orig_len,
		     void *arg)
{
	(void)h;
	struct ip_traceroute *t = arg;
	/* the quoted datagram: its IP header, then our UDP header */
	if (orig_len < IP_HDR_LEN)
		return;
	uint32_t ihl = (uint32_t)(orig[IP_OFF_VHL] & 0x0f) * 4;
	if (ihl < IP_HDR_LEN || orig_len < ihl + UDP_HDR_LEN ||
	    orig[IP_OFF_PROTO] != IP_PROTO_UDP ||
	    ip_get32(orig + IP_OFF_DST) != t->c.dst)
		return;
	uint16_t port = ip_get16(orig + ihl + UDP_OFF_DPORT);
	if (t->hop == 0 || t->r.done || port != tr_port(t, t->hop, t->k) ||
	    tr_probe(t)->status != IP_TR_WAITING) {
		/* not the probe under way: an earlier one's answer after its
		 * timeout is counted, anything else ignored */
		uint32_t i = (uint32_t)port - t->c.base_port - 1;
		if (port > t->c.base_port &&
		    i < t->c.max_hops * t->c.probes &&
		    t->hops[i / t->c.probes].probe[i % t->c.probes].status ==
			    IP_TR_TIMEOUT)
			t->r.late++;
		return;
	}
	struct ip_traceroute_probe *pr = tr_probe(t);
	pr->rtt = sim_now(t->sim) - t->sent_at;
	pr->from = from;
	pr->type = type;
	pr->code = code;
	if (type == ICMP_TIME_EXCEEDED) {
		pr->status = IP_TR_TIME_EXCEEDED;
	} else if (type == ICMP_DEST_UNREACH) {
		pr->status = code == ICMP_UNREACH_PORT ? IP_TR_REACHED
						       : IP_TR_UNREACH;
		if (code == ICMP_UNREACH_PORT)
			t->r.reached = 1;
		t->end_after_hop = 1;
	} else {
		pr->status = IP_TR_UNREACH;
		t->end_after_hop = 1;
	}
	t->r.answered++;
	struct ip_traceroute_hop *hp = &t->hops[t->hop - 1];
	if (hp->addr == 0)
		hp->addr = from;
	/* the next probe leaves from the event, outside the stack's input */
	sim_schedule_in(t->sim, &t->ev, 0);
}

enum sn_err ip_traceroute_create(struct ip_host *h,
				 const struct ip_traceroute_config *c,
				 struct ip_traceroute **out)
{
	if (h == NULL || c == NULL || out == NULL || c->dst == 0)
		return SN_EINVAL;
	struct sim *sim = host_sim(h);
	struct ip_traceroute_config k = *c;
	if (k.max_hops == 0)
		k.max_hops = IP_TRACEROUTE_MAX_HOPS;
	if (k.probes == 0)
		k.probes = IP_TRACEROUTE_PROBES;
	if (k.timeout == 0)
		k.timeout = IP_TRACEROUTE_TIMEOUT;
	if (k.base_port == 0)
		k.base_port = IP_TRACEROUTE_PORT;
	if (k.max_hops > 255 || k.probes > IP_TRACEROUTE_MAX_PROBES ||
	    k.timeout > IP_APP_MAX_DURATION ||
	    (uint32_t)k.base_port + k.max_hops * k.probes > 65535 ||
	    k.start < sim_now(sim))
		return SN_ERANGE;
	struct ip_traceroute *t = sim_calloc(sim, 1, sizeof *t);
	if (t == NULL)
		return SN_ENOMEM;
	t->h = h;
	t->sim = sim;
	t->c = k;
	t->r.probes = k.probes;
	sim_event_init(&t->ev, tr_step, t, "app.traceroute");
	enum sn_err err = SN_OK;
	t->hops = sim_calloc(sim, k.max_hops, sizeof *t->hops);
	if (t->hops == NULL)
		err = SN_ENOMEM;
	if (err == SN_OK)
		err = udp_open(h, 0, tr_rx, tr_error, t, &t->sock);
	if (err == SN_OK)
		err = sim_schedule_at(sim, &t->ev, k.start);
	if (err != SN_OK) {
		ip_traceroute_destroy(t);
		return err;
	}
	t->r.hops = t->hops;
	*out = t;
	return SN_OK;
}

void ip_traceroute_destroy(struct ip_traceroute *t)
{
	if (t == NULL)
		return;
	sim_cancel(t->sim, &t->ev);
	udp_close(t->sock);
	sim_free(t->sim, t->hops);
	sim_free(t->sim, t);
}

const struct ip_traceroute_results *ip_traceroute_results(
	const struct ip_traceroute *t)
{
	return &t->r;
}

/* --- UDP flow and sink ---------------------------------------------------------- */

struct ip_udp_sink {
	struct ip_host *h;
	struct sim *sim;
	struct udp_sock *sock;
	struct ip_udp_flow *flows; /* registered, linked by sink_next */
	struct ip_udp_sink_results r;
};

struct ip_udp_flow {
	struct ip_host *h;
	struct sim *sim;
	struct ip_udp_flow_config c;
	struct ip_udp_sink *sink;
	struct ip_udp_flow *sink_next;
	struct udp_sock *sock;
	uint16_t sport;
	uint8_t *buf;              /* the payload being sent */
	struct sim_event send_ev;  /* rate: the next send time;
				    * saturation: a slot came free */
	int sending_over;          /* count reached or stop passed */
	int any_rx;
	uint64_t max_rx_seq;       /* highest first copy received */
	struct track tr;           /* index = sequence number */
	struct lat_set lat;
	struct ip_udp_flow_results r;
};

static void flow_check_done(struct ip_udp_flow *f)
{
	if (f->r.done || !f->sending_over || f->tr.outstanding)
		return;
	f->r.done = 1;
	f->r.done_at = sim_now(f->sim);
	sim_cancel(f->sim, &f->send_ev);
}

/* May another datagram leave now? */
static int flow_may_send(struct ip_udp_flow *f)
{
	if (f->c.count && f->r.sent >= f->c.count)
		return 0;
	if (f->c.stop && sim_now(f->sim) >= f->c.stop)
		return 0;
	return 1;
}

static void flow_send_one(struct ip_udp_flow *f)
{
	/* without a count the record grows by doubling */
	if (f->tr.n == f->tr.cap &&
	    track_reserve(f->sim, &f->tr, f->tr.cap ? 2 * f->tr.cap : 1024) !=
		    SN_OK) {
		f->sending_over = 1; /* out of memory: stop where we are */
		return;
	}
	uint64_t seq = f->tr.n;
	sim_time_t now = sim_now(f->sim);
	ip_put32(f->buf, (uint32_t)(seq >> 32));
	ip_put32(f->buf + 4, (uint32_t)seq);
	ip_put32(f->buf + 8, (uint32_t)(now >> 32));
	ip_put32(f->buf + 12, (uint32_t)now);
	/* recorded before the call: a flow to the sending host itself is
	 * received inside udp_sendto */
	track_sent(f->sim, &f->tr);
	if (f->r.sent == 0)
		f->r.first_send = now;
	f->r.sent++;
	f->r.bytes_sent += f->c.size;
	(void)udp_sendto(f->sock, f->c.dst, f->c.dport, f->buf, f->c.size,
			 NULL, NULL);
}

static void flow_send(struct sim *sim, struct sim_event *ev, void *arg)
{
	(void)ev;
	struct ip_udp_flow *f = arg;
	if (f->r.done)
		return;
	if (f->c.rate) {
		if (flow_may_send(f))
			flow_send_one(f);
		else
			f->sending_over = 1;
		/* the k-th at start + k s / rate exactly: k / rate whole
		 * seconds, then the remainder (rate <= 1e7 keeps it in 64
		 * bits) */
		uint64_t k = f->r.sent;
		sim_time_t next = f->c.start + k / f->c.rate * SIM_S +
				  k % f->c.rate * SIM_S / f->c.rate;
		if (!f->sending_over && flow_may_send(f) &&
		    (f->c.stop == 0 || next < f->c.stop))
			sim_schedule_at(sim, &f->send_ev, next);
		else
			f->sending_over = 1;
	} else {
		/* at most a window per call: a flow to its own host is
		 * received inside udp_sendto, freeing the slot at once */
		for (uint32_t i = 0; i < f->c.window &&
				     f->tr.outstanding < f->c.window &&
				     flow_may_send(f) && !f->sending_over;
		     i++)
			flow_send_one(f);
		if (!flow_may_send(f))
			f->sending_over = 1;
	}
	flow_check_done(f);
}

/* A slot came free (saturation): send from an event of our own, not
 * from inside the receiving host's input. */
static void flow_kick(struct ip_udp_flow *f)
{
	if (f->c.rate == 0 && !f->r.done && !sim_event_pending(&f->send_ev))
		sim_schedule_in(f->sim, &f->send_ev, 0);
	flow_check_done(f);
}

static void flow_timeout(struct sim *sim, struct sim_event *ev, void *arg)
{
	(void)ev;
	struct ip_udp_flow *f = arg;
	uint64_t k = track_expire(sim, &f->tr);
	f->r.timeouts += k;
	if (k)
		flow_kick(f);
}

/* The sink took datagram `seq` of this flow, sent at `t_sent`. */
static int flow_rx(struct ip_udp_flow *f, uint64_t seq, sim_time_t t_sent,
		   uint32_t len)
{
	sim_time_t now = sim_now(f->sim);
	if (seq >= f->tr.n || t_sent != f->tr.sent_at[seq])
		return 0; /* not a datagram this flow sent */
	int was = track_got(f->sim, &f->tr, seq);
	if (was == T_GOT || was == T_LATE) {
		f->r.duplicates++;
		return 1;
	}
	f->r.received++;
	f->r.bytes_received += len;
	if (was == T_LOST)
		f->r.late++;
	if (f->any_rx && seq < f->max_rx_seq)
		f->r.reordered++;
	if (!f->any_rx || seq > f->max_rx_seq)
		f->max_rx_seq = seq;
	f->any_rx = 1;
	f->r.last_rx = now;
	(void)lat_add(f->sim, &f->lat, now - t_sent);
	if (was == T_OUT)
		flow_kick(f);
	return 1;
}

static void flow_sock_rx(struct udp_sock *s, uint32_t src, uint16_t sport,
			 const uint8_t *data, uint32_t len, void *arg)
{
	(void)s;
	(void)src;
	(void)sport;
	(void)data;
	(void)len;
	(void)arg; /* the sink sends nothing back */
}

static void flow_error(struct ip_host *h, uint32_t from, uint8_t type,
		       uint8_t code, const uint8_t *orig, uint32_t orig_len,
		       void *arg)
{
	(void)h;
	(void)orig;
	(void)orig_len;
	struct ip_udp_flow *f = arg;
	f->r.errors++;
	f->r.last_error_type = type;
	f->r.last_error_code = code;
	f->r.last_error_from = from;
}

static void sink_rx(struct udp_sock *s, uint32_t src, uint16_t sport,
		    const uint8_t *data, uint32_t len, void *arg)
{
	(void)s;
	struct ip_udp_sink *k = arg;
	k->r.datagrams++;
	k->r.bytes += len;
	if (len < IP_UDP_FLOW_HDR) {
		k->r.unknown++;
		return;
	}
	uint64_t seq = (uint64_t)ip_get32(data) << 32 | ip_get32(data + 4);
	sim_time_t t = (uint64_t)ip_get32(data + 8) << 32 |
		       ip_get32(data + 12);
	for (struct ip_udp_flow *f = k->flows; f != NULL; f = f->sink_next) {
		if (f->sport == sport && host_has_addr(f->h, src)) {
			if (!flow_rx(f, seq, t, len))
				k->r.unknown++;
			return;
		}
	}
	k->r.unknown++;
}

enum sn_err ip_udp_sink_create(struct ip_host *h, uint16_t port,
			       struct ip_udp_sink **out)
{
	if (h == NULL || out == NULL || port == 0)
		return SN_EINVAL;
	struct sim *sim = host_sim(h);
	struct ip_udp_sink *k = sim_calloc(sim, 1, sizeof *k);
	if (k == NULL)
		return SN_ENOMEM;
	k->h = h;
	k->sim = sim;
	enum sn_err err = udp_open(h, port, sink_rx, NULL, k, &k->sock);
	if (err != SN_OK) {
		sim_free(sim, k);
		return err;
	}
	*out = k;
	return SN_OK;
}

void ip_udp_sink_destroy(struct ip_udp_sink *k)
{
	if (k == NULL)
		return;
	while (k->flows != NULL) {
		struct ip_udp_flow *f = k->flows;
		k->flows = f->sink_next;
		f->sink = NULL;
		f->sink_next = NULL;
	}
	udp_close(k->sock);
	sim_free(k->sim, k);
}

const struct ip_udp_sink_results *ip_udp_sink_results(
	const struct ip_udp_sink *k)
{
	return &k->r;
}

enum sn_err ip_udp_flow_create(struct ip_host *h,
			       const struct ip_udp_flow_config *c,
			       struct ip_udp_flow **out)
{
	if (h == NULL || c == NULL || out == NULL || c->sink == NULL ||
	    c->dst == 0 || !host_has_addr(c->sink->h, c->dst) ||
	    c->dport != udp_port(c->sink->sock) || c->size < IP_UDP_FLOW_HDR ||
	    (c->count == 0 && c->stop == 0))
		return SN_EINVAL;
	/* to its own host a datagram arrives the instant it leaves: a
	 * saturated flow with no count would send forever at one instant */
	if (c->rate == 0 && c->count == 0 && c->sink->h == h)
		return SN_EINVAL;
	struct sim *sim = host_sim(h);
	if (c->size > IP_UDP_MAX_DATA || c->rate > 10000000 ||
	    c->timeout > IP_APP_MAX_DURATION ||
	    c->start < sim_now(sim) || (c->stop && c->stop <= c->start))
		return SN_ERANGE;
	struct ip_udp_flow *f = sim_calloc(sim, 1, sizeof *f);
	if (f == NULL)
		return SN_ENOMEM;
	f->h = h;
	f->sim = sim;
	f->c = *c;
	if (f->c.window == 0)
		f->c.window = 1;
	if (f->c.timeout == 0)
		f->c.timeout = IP_UDP_FLOW_TIMEOUT;
	f->tr.timeout = f->c.timeout;
	sim_event_init(&f->send_ev, flow_send, f, "app.flow.send");
	sim_event_init(&f->tr.ev, flow_timeout, f, "app.flow.timeout");
	enum sn_err err = SN_OK;
	/* room for the first datagrams; flow_send_one grows it by doubling */
	err = track_reserve(sim, &f->tr,
			    c->count && c->count < 1024 ? c->count : 1024);
	if (err == SN_OK && (f->buf = sim_calloc(sim, 1, c->size)) == NULL)
		err = SN_ENOMEM;
	if (err == SN_OK)
		err = udp_open(h, 0, flow_sock_rx, flow_error, f, &f->sock);
	if (err == SN_OK)
		err = sim_schedule_at(sim, &f->send_ev, c->start);
	if (err != SN_OK) {
		ip_udp_flow_destroy(f);
		return err;
	}
	f->sport = udp_port(f->sock);
	f->sink = c->sink;
	f->sink_next = c->sink->flows;
	c->sink->flows = f;
	c->sink->r.flows++;
	*out = f;
	return SN_OK;
}

void ip_udp_flow_destroy(struct ip_udp_flow *f)
{
	if (f == NULL)
		return;
	if (f->sink != NULL) {
		for (struct ip_udp_flow **pp = &f->sink->flows; *pp;
		     pp = &(*pp)->sink_next) {
			if (*pp == f) {
				*pp = f->sink_next;
				f->sink->r.flows--;
				break;
			}
		}
	}
	sim_cancel(f->sim, &f->send_ev);
	udp_close(f->sock);
	track_free(f->sim, &f->tr);
	lat_free(f->sim, &f->lat);
	sim_free(f->sim, f->buf);
	sim_free(f->sim, f);
}

const struct ip_udp_flow_results *ip_udp_flow_results(struct ip_udp_flow *f)
{
	lat_refresh(&f->lat, &f->r.latency);
	f->r.lost = f->r.sent - f->r.received;
	if (f->r.received && f->r.last_rx > f->r.first_send)
		f->r.goodput = (double)f->r.bytes_received * (double)SIM_S /
			       (double)(f->r.last_rx - f->r.first_send);
	else
		f->r.goodput = 0;
	return &f->r;
}

/* --- work distribution ---------------------------------------------------------
 *
 * Messages: a unit is unit_size bytes, a result result_size bytes; both
 * begin with the unit's number and its dispatch serial (4 bytes each,
 * big-endian), the rest is zeros.  The serial tells a result from one
 * the master already gave up on. */

struct wd_job {                    /* a unit waiting at a worker */
	struct wd_job *next;
	uint32_t unit, serial;
	uint32_t reply_addr;
	uint16_t reply_port;
};

struct wd_worker {
	struct ip_workdist *w;
	struct ip_host *h;
	struct udp_sock *sock;     /* the worker's, on cfg.port */
	/* worker side */
	struct wd_job *q_head, *q_tail;
	int computing;
	sim_time_t comp_start;
	struct sim_event comp_ev;
	/* master side: the unit this worker has */
	int assigned;
	uint32_t unit, serial;
	struct sim_event tmo_ev;
	struct ip_workdist_worker *res;
};

struct ip_workdist {
	struct sim *sim;
	struct ip_workdist_config c;
	struct udp_sock *sock;     /* the master's */
	struct wd_worker *wk;
	struct ip_workdist_worker *wres;
	uint8_t *buf;              /* max(unit_size, result_size) */
	uint32_t next_unit, next_serial;
	struct sim_event start_ev;
	struct ip_workdist_results r;
};

static void wd_check_done(struct ip_workdist *w)
{
	if (w->r.done || w->next_unit < w->c.units)
		return;
	for (uint32_t i = 0; i < w->c.nworkers; i++)
		if (w->wk[i].assigned)
			return;
	w->r.done = 1;
	w->r.done_at = sim_now(w->sim);
}

static void wd_put_header(uint8_t *buf, uint32_t unit, uint32_t serial)
{
	ip_put32(buf, unit);
	ip_put32(buf + 4, serial);
}

/* Give worker k the next unit, if one is left. */
static void wd_assign(struct ip_workdist *w, struct wd_worker *k)
{
	k->assigned = 0;
	if (w->next_unit == w->c.units) {
		wd_check_done(w);
		return;
	}
	k->assigned = 1;
	k->unit = w->next_unit++;
	k->serial = ++w->next_serial;
	w->r.units_sent++;
	w->r.bytes_sent += w->c.unit_size;
	sim_schedule_in(w->sim, &k->tmo_ev, w->c.unit_timeout);
	memset(w->buf, 0, w->c.unit_size);
	wd_put_header(w->buf, k->unit, k->serial);
	(void)udp_sendto(w->sock, k->res->addr, w->c.port, w->buf,
			 w->c.unit_size, NULL, NULL);
}

static void wd_start(struct sim *sim, struct sim_event *ev, void *arg)
{
	(void)ev;
	struct ip_workdist *w = arg;
	w->r.first_send = sim_now(sim);
	for (uint32_t i = 0; i < w->c.nworkers; i++)
		wd_assign(w, &w->wk[i]);
}

static void wd_unit_timeout(struct sim *sim, struct sim_event *ev, void *arg)
{
	(void)sim;
	(void)ev;
	struct wd_worker *k = arg;
	k->w->r.units_lost++;
	k->res->units_lost++;
	wd_assign(k->w, k);
}

static void wd_master_rx(struct udp_sock *s, uint32_t src, uint16_t sport,
			 const uint8_t *data, uint32_t len, void *arg)
{
	(void)s;
	(void)src;
	(void)sport;
	struct ip_workdist *w = arg;
	w->r.bytes_received += len;
	if (len < IP_WORKDIST_HDR)
		return;
	uint32_t unit = ip_get32(data), serial = ip_get32(data + 4);
	for (uint32_t i = 0; i < w->c.nworkers; i++) {
		struct wd_worker *k = &w->wk[i];
		if (k->assigned && k->serial == serial && k->unit == unit) {
			sim_cancel(w->sim, &k->tmo_ev);
			w->r.units_done++;
			k->res->units_done++;
			w->r.last_result = sim_now(w->sim);
			w->r.makespan = w->r.last_result - w->r.first_send;
			wd_assign(w, k);
			return;
		}
	}
	w->r.late_results++; /* its unit was counted lost */
}

static void wd_compute_next(struct wd_worker *k)
{
	if (k->computing || k->q_head == NULL)
		return;
	k->computing = 1;
	k->comp_start = sim_now(k->w->sim);
	sim_schedule_in(k->w->sim, &k->comp_ev, k->w->c.compute);
}

static void wd_compute_done(struct sim *sim, struct sim_event *ev, void *arg)
{
	(void)ev;
	struct wd_worker *k = arg;
	struct ip_workdist *w = k->w;
	struct wd_job *j = k->q_head;
	k->q_head = j->next;
	if (k->q_head == NULL)
		k->q_tail = NULL;
	k->computing = 0;
	k->res->busy += sim_now(sim) - k->comp_start;
	k->res->units_computed++;
	k->res->bytes_out += w->c.result_size;
	w->r.bytes_sent += w->c.result_size;
	memset(w->buf, 0, w->c.result_size);
	wd_put_header(w->buf, j->unit, j->serial);
	(void)udp_sendto(k->sock, j->reply_addr, j->reply_port, w->buf,
			 w->c.result_size, NULL, NULL);
	sim_free(sim, j);
	wd_compute_next(k);
}

static void wd_worker_rx(struct udp_sock *s, uint32_t src, uint16_t sport,
			 const uint8_t *data, uint32_t len, void *arg)
{
	(void)s;
	struct wd_worker *k = arg;
	k->res->bytes_in += len;
	k->w->r.bytes_received += len;
	if (len < IP_WORKDIST_HDR)
		return;
	struct wd_job *j = sim_calloc(k->w->sim, 1, sizeof *j);
	if (j == NULL)
		return; /* the simulator is out of memory: the unit is lost */
	j->unit = ip_get32(data);
	j->serial = ip_get32(data + 4);
	j->reply_addr = src;
	j->reply_port = sport;
	if (k->q_tail)
		k->q_tail->next = j;
	else
		k->q_head = j;
	k->q_tail = j;
	wd_compute_next(k);
}

static enum sn_err wd_check_config(const struct ip_workdist_config *c)
{
	if (c->master == NULL || c->workers == NULL || c->port == 0)
		return SN_EINVAL;
	if (c->nworkers == 0 || c->nworkers > 1024 || c->units == 0 ||
	    c->compute > IP_APP_MAX_DURATION ||
	    c->unit_timeout > IP_APP_MAX_DURATION ||
	    c->unit_size < IP_WORKDIST_HDR || c->result_size < IP_WORKDIST_HDR)
		return SN_ERANGE;
	if (c->unit_size > IP_UDP_MAX_DATA || c->result_size > IP_UDP_MAX_DATA)
		return SN_EINVAL;
	for (uint32_t i = 0; i < c->nworkers; i++) {
		if (c->workers[i] == NULL ||
		    ip_host_netif_count(c->workers[i]) == 0)
			return SN_EINVAL;
		for (uint32_t j = 0; j < i; j++)
			if (c->workers[j] == c->workers[i])
				return SN_EEXIST;
	}
	if (c->start < sim_now(host_sim(c->master)))
		return SN_ERANGE;
	return SN_OK;
}

enum sn_err ip_workdist_create(const struct ip_workdist_config *c,
			       struct ip_workdist **out)
{
	if (c == NULL || out == NULL)
		return SN_EINVAL;
	enum sn_err err = wd_check_config(c);
	if (err != SN_OK)
		return err;
	struct sim *sim = host_sim(c->master);
	struct ip_workdist *w = sim_calloc(sim, 1, sizeof *w);
	if (w == NULL)
		return SN_ENOMEM;
	w->sim = sim;
	w->c = *c;
	w->c.workers = NULL; /* not kept: the hosts are in wk[] */
	if (w->c.unit_timeout == 0)
		w->c.unit_timeout = IP_WORKDIST_TIMEOUT;
	sim_event_init(&w->start_ev, wd_start, w, "app.workdist.start");
	w->wk = sim_calloc(sim, c->nworkers, sizeof *w->wk);
	w->wres = sim_calloc(sim, c->nworkers, sizeof *w->wres);
	uint32_t blen = c->unit_size > c->result_size ? c->unit_size
						      : c->result_size;
	w->buf = sim_calloc(sim, 1, blen);
	if (w->wk == NULL || w->wres == NULL || w->buf == NULL)
		err = SN_ENOMEM;
	for (uint32_t i = 0; err == SN_OK && i < c->nworkers; i++) {
		struct wd_worker *k = &w->wk[i];
		k->w = w;
		k->h = c->workers[i];
		k->res = &w->wres[i];
		k->res->addr = ip_host_netif_addr(k->h, 0);
		sim_event_init(&k->comp_ev, wd_compute_done, k,
			       "app.workdist.compute");
		sim_event_init(&k->tmo_ev, wd_unit_timeout, k,
			       "app.workdist.timeout");
		err = udp_open(k->h, c->port, wd_worker_rx, NULL, k, &k->sock);
	}
	if (err == SN_OK)
		err = udp_open(c->master, 0, wd_master_rx, NULL, w, &w->sock);
	if (err == SN_OK)
		err = sim_schedule_at(sim, &w->start_ev, c->start);
	if (err != SN_OK) {
		ip_workdist_destroy(w);
		return err;
	}
	w->r.nworkers = c->nworkers;
	w->r.workers = w->wres;
	*out = w;
	return SN_OK;
}

void ip_workdist_destroy(struct ip_workdist *w)
{
	if (w == NULL)
		return;
	sim_cancel(w->sim, &w->start_ev);
	for (uint32_t i = 0; w->wk != NULL && i < w->c.nworkers; i++) {
		struct wd_worker *k = &w->wk[i];
		if (k->w == NULL)
			continue; /* creation stopped before it */
		sim_cancel(w->sim, &k->comp_ev);
		sim_cancel(w->sim, &k->tmo_ev);
		while (k->q_head != NULL) {
			struct wd_job *j = k->q_head;
			k->q_head = j->next;
			sim_free(w->sim, j);
		}
		udp_close(k->sock);
	}
	udp_close(w->sock);
	sim_free(w->sim, w->buf);
	sim_free(w->sim, w->wres);
	sim_free(w->sim, w->wk);
	sim_free(w->sim, w);
}

const struct ip_workdist_results *ip_workdist_results(
	const struct ip_workdist *w)
{
	return &w->r;
}

uint16_t ip_udp_flow_port(const struct ip_udp_flow *f)
{
	return f->sport;
}
