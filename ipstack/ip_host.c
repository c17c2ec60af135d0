/*
 * ip_host.c - one host's IPv4 stack (see ip_host.h): output with route
 * lookup and fragmentation (RFC 791 2.3, 3.2), input with header checks,
 * reassembly and forwarding (RFC 1812 5.2-5.3 in spirit: TTL, ICMP
 * errors), ICMP (RFC 792, with RFC 1122 3.2.2's rules on when not to send
 * an error), UDP (RFC 768).
 */
#include "ip_priv.h"

#include <stdio.h>
#include <string.h>

#include "ip_cksum.h"

#define UDP_EPHEMERAL_FIRST 49152 /* IANA dynamic ports (RFC 6335) */

/* --- accounting ------------------------------------------------------------ */

void ip_host_drop(struct ip_host *h, uint64_t tag, enum ip_drop why)
{
	if (!ip_net_tag_ended(h->net, tag) || tag == 0)
		h->stats.drops[why]++;
	ip_net_dropped(h->net, tag, why);
}

static void delivered(struct ip_host *h, uint64_t tag)
{
	if (!ip_net_tag_ended(h->net, tag) || tag == 0)
		h->stats.delivered++;
	ip_net_delivered(h->net, tag);
}

void ip_host_link_failed(struct ip_host *h, uint64_t tag,
			 enum adapter_result r)
{
	enum ip_drop why = IP_DROP_BUS_ERROR;
	switch (r) {
	case AD_NO_TARGET: why = IP_DROP_SEL_TIMEOUT; break;
	case AD_BUSY: why = IP_DROP_BUSY; break;
	case AD_REFUSED: why = IP_DROP_REFUSED; break;
	default: break;
	}
	ip_host_drop(h, tag, why);
}

/* --- helpers ---------------------------------------------------------------- */

static struct ip_netif *netif_of_addr(const struct ip_host *h, uint32_t a)
{
	for (int i = 0; i < h->nnif; i++)
		if (h->nif[i]->addr == a)
			return h->nif[i];
	return NULL;
}

static void fill_header(struct ip_host *h, uint8_t *dg, uint32_t len,
			uint8_t proto, uint32_t src, uint32_t dst,
			const struct ip_send_opts *o)
{
	memset(dg, 0, IP_HDR_LEN);
	dg[IP_OFF_VHL] = 0x45;
	ip_put16(dg + IP_OFF_LEN, (uint16_t)len);
	ip_put16(dg + IP_OFF_ID, h->next_ip_id++);
	ip_put16(dg + IP_OFF_FRAG, o && o->df ? IP_FLAG_DF : 0);
	dg[IP_OFF_TTL] = o && o->ttl ? o->ttl : IP_DEFAULT_TTL;
	dg[IP_OFF_PROTO] = proto;
	ip_put32(dg + IP_OFF_SRC, src);
	ip_put32(dg + IP_OFF_DST, dst);
	ip_put16(dg + IP_OFF_CKSUM, ip_cksum(dg, IP_HDR_LEN));
}

static void local_input(struct ip_host *h, const uint8_t *dg, uint32_t len,
			uint64_t tag);
static void send_icmp_error(struct ip_host *h, const uint8_t *orig,
			    uint32_t orig_len, uint8_t type, uint8_t code,
			    uint16_t mtu);

struct frag_ctx {
	struct ip_host *h;
	struct ip_netif *nif;
	uint32_t nexthop;
	uint64_t tag;
	int forwarded;
};

static void emit_fragment(const uint8_t *frag, uint32_t flen, void *arg)
{
	struct frag_ctx *c = arg;
	c->h->stats.fragments_sent++;
	netif_output(c->nif, c->nexthop, frag, flen, c->tag, c->forwarded);
}

/* Route a datagram with a complete header out (or to ourselves).
 * `forwarded`: it came from elsewhere, so errors go back as ICMP. */
static void route_out(struct ip_host *h, const uint8_t *dg, uint32_t len,
		      uint64_t tag, int forwarded)
{
	uint32_t dst = ip_get32(dg + IP_OFF_DST);
	if (netif_of_addr(h, dst) != NULL) {
		local_input(h, dg, len, tag); /* to ourselves */
		return;
	}
	const struct ip_route *r = ip_rtable_lookup(h->rt, dst);
	if (r == NULL) {
		if (forwarded)
			send_icmp_error(h, dg, len, ICMP_DEST_UNREACH,
					ICMP_UNREACH_NET, 0);
		ip_host_drop(h, tag, IP_DROP_NO_ROUTE);
		return;
	}
	struct ip_netif *nif = h->nif[r->ifindex];
	uint32_t nexthop = r->gateway ? r->gateway : dst;
	if (len <= nif->mtu) {
		netif_output(nif, nexthop, dg, len, tag, forwarded);
		return;
	}
	if (ip_get16(dg + IP_OFF_FRAG) & IP_FLAG_DF) {
		/* too big and not to be fragmented (RFC 1191) */
		if (forwarded)
			send_icmp_error(h, dg, len, ICMP_DEST_UNREACH,
					ICMP_UNREACH_FRAG, (uint16_t)nif->mtu);
		ip_host_drop(h, tag, IP_DROP_FRAG_NEEDED);
		return;
	}
	struct frag_ctx c = { h, nif, nexthop, tag, forwarded };
	if (ip_fragment(dg, len, nif->mtu, h->frag_scratch, emit_fragment,
			&c) != SN_OK)
		ip_host_drop(h, tag, IP_DROP_BAD_HEADER);
}

/* A new datagram from this host: account it, route it. */
static enum sn_err host_send(struct ip_host *h, uint8_t proto, uint32_t dst,
			     const uint8_t *payload, uint32_t len,
			     const struct ip_send_opts *o, uint64_t *tag_out,
			     int is_icmp_error)
{
	if (dst == 0 || len > IP_MAX_LEN - IP_HDR_LEN)
		return SN_EINVAL;
	uint64_t tag = ip_net_new_tag(h->net);
	h->stats.sent++;
	if (is_icmp_error)
		h->stats.icmp_sent++;
	if (tag_out)
		*tag_out = tag;
	if (h->down) {
		ip_host_drop(h, tag, IP_DROP_HOST_DOWN);
		return SN_OK;
	}
	const struct ip_route *r = ip_rtable_lookup(h->rt, dst);
	struct ip_netif *self = netif_of_addr(h, dst);
	uint32_t src = self ? dst
		       : r ? h->nif[r->ifindex]->addr
		       : h->nnif ? h->nif[0]->addr : 0;
	uint32_t total = IP_HDR_LEN + len;
	uint8_t *dg = sim_alloc(h->sim, total);
	if (dg == NULL) {
		ip_host_drop(h, tag, IP_DROP_NO_MEMORY);
		return SN_OK;
	}
	fill_header(h, dg, total, proto, src, dst, o);
	memcpy(dg + IP_HDR_LEN, payload, len);
	route_out(h, dg, total, tag, 0);
	sim_free(h->sim, dg);
	return SN_OK;
}

enum sn_err ip_send(struct ip_host *h, uint8_t proto, uint32_t dst,
		    const uint8_t *payload, uint32_t len,
		    const struct ip_send_opts *o, uint64_t *tag)
{
	return host_send(h, proto, dst, payload, len, o, tag, 0);
}

/* --- ICMP ------------------------------------------------------------------------ */

void ip_host_unreachable(struct ip_host *h, const uint8_t *dg, uint32_t len)
{
	send_icmp_error(h, dg, len, ICMP_DEST_UNREACH, ICMP_UNREACH_HOST, 0);
}

/* May an error be sent about this datagram?  Not about an ICMP error,
 * not about a fragment other than the first, not to a zero source
 * (RFC 1122 3.2.2). */
static int error_allowed(const uint8_t *orig, uint32_t len)
{
	uint32_t ihl = (uint32_t)(orig[IP_OFF_VHL] & 0x0f) * 4;
	if (ip_get16(orig + IP_OFF_FRAG) & IP_FRAG_MASK)
		return 0;
	if (ip_get32(orig + IP_OFF_SRC) == 0)
		return 0;
	if (orig[IP_OFF_PROTO] == IP_PROTO_ICMP) {
		if (len < ihl + 1)
			return 0;
		uint8_t t = orig[ihl + ICMP_OFF_TYPE];
		return t == ICMP_ECHO || t == ICMP_ECHO_REPLY;
	}
	return 1;
}

static void send_icmp_error(struct ip_host *h, const uint8_t *orig,
			    uint32_t orig_len, uint8_t type, uint8_t code,
			    uint16_t mtu)
{
	if (!error_allowed(orig, orig_len))
		return;
	uint32_t ihl = (uint32_t)(orig[IP_OFF_VHL] & 0x0f) * 4;
	uint32_t quote = ihl + 8 < orig_len ? ihl + 8 : orig_len;
	uint8_t msg[ICMP_HDR_LEN + 60 + 8];
	memset(msg, 0, ICMP_HDR_LEN);
	msg[ICMP_OFF_TYPE] = type;
	msg[ICMP_OFF_CODE] = code;
	ip_put16(msg + ICMP_OFF_MTU, mtu);
	memcpy(msg + ICMP_HDR_LEN, orig, quote);
	ip_put16(msg + ICMP_OFF_CKSUM, ip_cksum(msg, ICMP_HDR_LEN + quote));
	(void)host_send(h, IP_PROTO_ICMP, ip_get32(orig + IP_OFF_SRC), msg,
			ICMP_HDR_LEN + quote, NULL, NULL, 1);
}

static struct echo_listener *echo_find(const struct ip_host *h, uint16_t id)
{
	for (struct echo_listener *l = h->echo; l != NULL; l = l->next)
		if (l->id == id)
			return l;
	return NULL;
}

static struct udp_sock *udp_find(const struct ip_host *h, uint16_t port)
{
	for (struct udp_sock *s = h->socks; s != NULL; s = s->next)
		if (s->port == port)
			return s;
	return NULL;
}

/* An ICMP error about one of our datagrams: tell whoever sent it. */
static void icmp_error_input(struct ip_host *h, uint32_t from, uint8_t type,
			     uint8_t code, const uint8_t *orig, uint32_t len)
{
	if (len < IP_HDR_LEN)
		return;
	uint32_t ihl = (uint32_t)(orig[IP_OFF_VHL] & 0x0f) * 4;
	if (ihl < IP_HDR_LEN || len < ihl + 8)
		return;
	const uint8_t *l4 = orig + ihl;
	if (orig[IP_OFF_PROTO] == IP_PROTO_UDP) {
		struct udp_sock *s = udp_find(h, ip_get16(l4 + UDP_OFF_SPORT));
		if (s != NULL && s->err != NULL)
			s->err(h, from, type, code, orig, len, s->arg);
	} else if (orig[IP_OFF_PROTO] == IP_PROTO_ICMP &&
		   l4[ICMP_OFF_TYPE] == ICMP_ECHO) {
		struct echo_listener *l = echo_find(h, ip_get16(l4 + ICMP_OFF_ID));
		if (l != NULL && l->err != NULL)
			l->err(h, from, type, code, orig, len, l->arg);
	}
}

static void icmp_input(struct ip_host *h, const uint8_t *dg, uint32_t len,
		       uint32_t ihl, uint64_t tag)
{
	const uint8_t *m = dg + ihl;
	uint32_t mlen = len - ihl;
	if (mlen < ICMP_HDR_LEN || ip_cksum(m, mlen) != 0) {
		ip_host_drop(h, tag, mlen < ICMP_HDR_LEN ? IP_DROP_BAD_HEADER
							 : IP_DROP_BAD_CHECKSUM);
		return;
	}
	h->stats.icmp_received++;
	delivered(h, tag);
	uint32_t src = ip_get32(dg + IP_OFF_SRC);
	switch (m[ICMP_OFF_TYPE]) {
	case ICMP_ECHO: {
		/* the reply: the same identifier, sequence and data */
		uint8_t *rep = sim_alloc(h->sim, mlen);
		if (rep == NULL)
			return;
		memcpy(rep, m, mlen);
		rep[ICMP_OFF_TYPE] = ICMP_ECHO_REPLY;
		rep[ICMP_OFF_CODE] = 0;
		ip_put16(rep + ICMP_OFF_CKSUM, 0);
		ip_put16(rep + ICMP_OFF_CKSUM, ip_cksum(rep, mlen));
		h->stats.icmp_sent++;
		(void)host_send(h, IP_PROTO_ICMP, src, rep, mlen, NULL, NULL,
				0);
		sim_free(h->sim, rep);
		return;
	}
	case ICMP_ECHO_REPLY: {
		struct echo_listener *l = echo_find(h, ip_get16(m + ICMP_OFF_ID));
		if (l != NULL)
			l->fn(h, src, l->id, ip_get16(m + ICMP_OFF_SEQ),
			      m + ICMP_HDR_LEN, mlen - ICMP_HDR_LEN, l->arg);
		return;
	}
	case ICMP_DEST_UNREACH:
	case ICMP_TIME_EXCEEDED:
		icmp_error_input(h, src, m[ICMP_OFF_TYPE], m[ICMP_OFF_CODE],
				 m + ICMP_HDR_LEN, mlen - ICMP_HDR_LEN);
		return;
	default:
		return; /* taken, nothing to do */
	}
}

enum sn_err icmp_echo_listen(struct ip_host *h, uint16_t id, icmp_echo_fn fn,
			     icmp_error_fn err, void *arg)
{
	if (echo_find(h, id) != NULL)
		return SN_EEXIST;
	struct echo_listener *l = sim_calloc(h->sim, 1, sizeof *l);
	if (l == NULL)
		return SN_ENOMEM;
	*l = (struct echo_listener){ h->echo, id, fn, err, arg };
	h->echo = l;
	return SN_OK;
}

void icmp_echo_unlisten(struct ip_host *h, uint16_t id)
{
	for (struct echo_listener **pp = &h->echo; *pp; pp = &(*pp)->next) {
		if ((*pp)->id == id) {
			struct echo_listener *l = *pp;
			*pp = l->next;
			sim_free(h->sim, l);
			return;
		}
	}
}

enum sn_err icmp_echo_send(struct ip_host *h, uint32_t dst, uint16_t id,
			   uint16_t seq, uint32_t size,
			   const struct ip_send_opts *o, uint64_t *tag)
{
	if (size > IP_MAX_LEN - IP_HDR_LEN - ICMP_HDR_LEN)
		return SN_EINVAL;
	uint32_t mlen = ICMP_HDR_LEN + size;
	uint8_t *m = sim_alloc(h->sim, mlen);
	if (m == NULL)
		return SN_ENOMEM;
	memset(m, 0, ICMP_HDR_LEN);
	m[ICMP_OFF_TYPE] = ICMP_ECHO;
	ip_put16(m + ICMP_OFF_ID, id);
	ip_put16(m + ICMP_OFF_SEQ, seq);
	for (uint32_t i = 0; i < size; i++)
		m[ICMP_HDR_LEN + i] = (uint8_t)(i + 0x10); /* ping's pattern */
	ip_put16(m + ICMP_OFF_CKSUM, ip_cksum(m, mlen));
	h->stats.icmp_sent++;
	ip_net_sending_as(h->net, h->index, IP_PROTO_ICMP, id);
	enum sn_err err = host_send(h, IP_PROTO_ICMP, dst, m, mlen, o, tag, 0);
	ip_net_sending_done(h->net);
	sim_free(h->sim, m);
	return err;
}

/* --- UDP --------------------------------------------------------------------- */

static void udp_input(struct ip_host *h, const uint8_t *dg, uint32_t len,
		      uint32_t ihl, uint64_t tag)
{
	const uint8_t *u = dg + ihl;
	uint32_t ulen = len - ihl;
	if (ulen < UDP_HDR_LEN || ip_get16(u + UDP_OFF_LEN) < UDP_HDR_LEN ||
	    ip_get16(u + UDP_OFF_LEN) > ulen) {
		ip_host_drop(h, tag, IP_DROP_BAD_HEADER);
		return;
	}
	ulen = ip_get16(u + UDP_OFF_LEN);
	uint32_t src = ip_get32(dg + IP_OFF_SRC), dst = ip_get32(dg + IP_OFF_DST);
	if (ip_get16(u + UDP_OFF_CKSUM) != 0) {
		/* the sum over pseudo-header and datagram, checksum
		 * included, is all ones when it is right */
		uint8_t *copy = sim_alloc(h->sim, ulen);
		int bad = 1;
		if (copy != NULL) {
			memcpy(copy, u, ulen);
			uint16_t got = ip_get16(copy + UDP_OFF_CKSUM);
			ip_put16(copy + UDP_OFF_CKSUM, 0);
			bad = ip_udp_cksum(src, dst, copy, (uint16_t)ulen) != got;
			sim_free(h->sim, copy);
		}
		if (bad) {
			ip_host_drop(h, tag, IP_DROP_BAD_CHECKSUM);
			return;
		}
	}
	struct udp_sock *s = udp_find(h, ip_get16(u + UDP_OFF_DPORT));
	if (s == NULL) {
		send_icmp_error(h, dg, len, ICMP_DEST_UNREACH,
				ICMP_UNREACH_PORT, 0);
		ip_host_drop(h, tag, IP_DROP_NO_PORT);
		return;
	}
	delivered(h, tag);
	s->rx(s, src, ip_get16(u + UDP_OFF_SPORT), u + UDP_HDR_LEN,
	      ulen - UDP_HDR_LEN, s->arg);
}

enum sn_err udp_open(struct ip_host *h, uint16_t port, udp_rx_fn rx,
		     icmp_error_fn err, void *arg, struct udp_sock **out)
{
	if (port == 0) {
		for (uint32_t k = 0; k < 65536 - UDP_EPHEMERAL_FIRST; k++) {
			uint16_t p = h->next_port++;
			if (h->next_port == 0)
				h->next_port = UDP_EPHEMERAL_FIRST;
			if (udp_find(h, p) == NULL) {
				port = p;
				break;
			}
		}
		if (port == 0)
			return SN_EBUSY;
	} else if (udp_find(h, port) != NULL) {
		return SN_EEXIST;
	}
	struct udp_sock *s = sim_calloc(h->sim, 1, sizeof *s);
	if (s == NULL)
		return SN_ENOMEM;
	*s = (struct udp_sock){ h->socks, h, port, rx, err, arg };
	h->socks = s;
	*out = s;
	return SN_OK;
}

void udp_close(struct udp_sock *s)
{
	if (s == NULL)
		return;
	struct ip_host *h = s->h;
	for (struct udp_sock **pp = &h->socks; *pp; pp = &(*pp)->next) {
		if (*pp == s) {
			*pp = s->next;
			break;
		}
	}
	sim_free(h->sim, s);
}

uint16_t udp_port(const struct udp_sock *s)
{
	return s->port;
}

struct ip_host *udp_host(const struct udp_sock *s)
{
	return s->h;
}

enum sn_err udp_sendto(struct udp_sock *s, uint32_t dst, uint16_t dport,
		       const uint8_t *data, uint32_t len,
		       const struct ip_send_opts *o, uint64_t *tag)
{
	struct ip_host *h = s->h;
	if (len > IP_MAX_LEN - IP_HDR_LEN - UDP_HDR_LEN || dst == 0)
		return SN_EINVAL;
	uint32_t ulen = UDP_HDR_LEN + len;
	uint8_t *u = sim_alloc(h->sim, ulen);
	if (u == NULL)
		return SN_ENOMEM;
	ip_put16(u + UDP_OFF_SPORT, s->port);
	ip_put16(u + UDP_OFF_DPORT, dport);
	ip_put16(u + UDP_OFF_LEN, (uint16_t)ulen);
	ip_put16(u + UDP_OFF_CKSUM, 0);
	memcpy(u + UDP_HDR_LEN, data, len);
	/* the source address is the outgoing interface's */
	const struct ip_route *r = ip_rtable_lookup(h->rt, dst);
	struct ip_netif *self = netif_of_addr(h, dst);
	uint32_t src = self ? dst
		       : r ? h->nif[r->ifindex]->addr
		       : h->nnif ? h->nif[0]->addr : 0;
	ip_put16(u + UDP_OFF_CKSUM, ip_udp_cksum(src, dst, u, (uint16_t)ulen));
	ip_net_sending_as(h->net, h->index, IP_PROTO_UDP, s->port);
	enum sn_err err = host_send(h, IP_PROTO_UDP, dst, u, ulen, o, tag, 0);
	ip_net_sending_done(h->net);
	sim_free(h->sim, u);
	return err;
}

/* --- input --------------------------------------------------------------------- */

/* A whole datagram for this host. */
static void local_input(struct ip_host *h, const uint8_t *dg, uint32_t len,
			uint64_t tag)
{
	uint32_t ihl = (uint32_t)(dg[IP_OFF_VHL] & 0x0f) * 4;
	switch (dg[IP_OFF_PROTO]) {
	case IP_PROTO_ICMP:
		icmp_input(h, dg, len, ihl, tag);
		return;
	case IP_PROTO_UDP:
		udp_input(h, dg, len, ihl, tag);
		return;
	default:
		send_icmp_error(h, dg, len, ICMP_DEST_UNREACH,
				ICMP_UNREACH_PROTO, 0);
		ip_host_drop(h, tag, IP_DROP_NO_PROTO);
		return;
	}
}

/* RFC 791 3.2 / RFC 1122 3.2.1: check before trusting anything. */
static void ip_input(struct ip_host *h, const uint8_t *dg, uint32_t len,
		     uint64_t tag)
{
	uint32_t ihl = len ? (uint32_t)(dg[IP_OFF_VHL] & 0x0f) * 4 : 0;
	if (len < IP_HDR_LEN || (dg[IP_OFF_VHL] >> 4) != 4 ||
	    ihl < IP_HDR_LEN || ihl > len ||
	    ip_get16(dg + IP_OFF_LEN) < ihl || ip_get16(dg + IP_OFF_LEN) > len) {
		ip_host_drop(h, tag, IP_DROP_BAD_HEADER);
		return;
	}
	if (ip_cksum(dg, ihl) != 0) {
		ip_host_drop(h, tag, IP_DROP_BAD_CHECKSUM);
		return;
	}
	len = ip_get16(dg + IP_OFF_LEN); /* link padding is not ours */
	uint32_t dst = ip_get32(dg + IP_OFF_DST);
	if (netif_of_addr(h, dst) != NULL) {
		uint16_t frag = ip_get16(dg + IP_OFF_FRAG);
		if (!(frag & (IP_FLAG_MF | IP_FRAG_MASK))) {
			local_input(h, dg, len, tag);
			return;
		}
		uint8_t *whole = NULL;
		uint32_t wlen = 0;
		uint64_t wtag = 0;
		switch (ip_reasm_input(h->reasm, dg, len, tag, &whole, &wlen,
				       &wtag)) {
		case IP_REASM_DONE:
			h->stats.reassembled++;
			local_input(h, whole, wlen, wtag);
			sim_free(h->sim, whole);
			return;
		case IP_REASM_NO_MEMORY:
			ip_host_drop(h, tag, IP_DROP_REASM_MEMORY);
			return;
		case IP_REASM_BAD:
			ip_host_drop(h, tag, IP_DROP_BAD_HEADER);
			return;
		default:
			return; /* pending, or a duplicate: nothing ends */
		}
	}
	if (!h->forwarding) {
		ip_host_drop(h, tag, IP_DROP_NOT_FORWARDING);
		return;
	}
	if (dg[IP_OFF_TTL] <= 1) {
		send_icmp_error(h, dg, len, ICMP_TIME_EXCEEDED, ICMP_EXC_TTL, 0);
		ip_host_drop(h, tag, IP_DROP_TTL);
		return;
	}
	uint8_t *fwd = sim_alloc(h->sim, len);
	if (fwd == NULL) {
		ip_host_drop(h, tag, IP_DROP_NO_MEMORY);
		return;
	}
	memcpy(fwd, dg, len);
	fwd[IP_OFF_TTL]--;
	ip_put16(fwd + IP_OFF_CKSUM, 0);
	ip_put16(fwd + IP_OFF_CKSUM, ip_cksum(fwd, ihl));
	h->stats.forwarded++;
	route_out(h, fwd, len, tag, 1);
	sim_free(h->sim, fwd);
}

static void input_next(struct ip_host *h);

/* The CPU has taken the oldest received datagram. */
static void input_done(struct sim *sim, struct sim_event *ev, void *arg)
{
	(void)sim;
	(void)ev;
	struct ip_host *h = arg;
	struct ip_pkt *p = h->in_head;
	h->in_head = p->next;
	if (h->in_head == NULL)
		h->in_tail = NULL;
	h->in_busy = 0;
	adapter_rx_done(p->nif->ad); /* its receive slot is free */
	if (h->down) {
		if (p->type == RFC2143_TYPE_IPV4)
			ip_host_drop(h, p->tag, IP_DROP_HOST_DOWN);
	} else if (p->type == RFC2143_TYPE_ARP)
		netif_arp_input(p->nif, p->src_id, p->data, p->len);
	else
		ip_input(h, p->data, p->len, p->tag);
	sim_free(h->sim, p);
	input_next(h);
}

static void input_next(struct ip_host *h)
{
	if (h->in_busy || h->in_head == NULL)
		return;
	h->in_busy = 1;
	sim_schedule_in(h->sim, &h->in_ev, h->input_cost);
}

void ip_host_input(struct ip_host *h, struct ip_pkt *p)
{
	p->next = NULL;
	if (h->in_tail)
		h->in_tail->next = p;
	else
		h->in_head = p;
	h->in_tail = p;
	input_next(h);
}

/* A datagram's fragments stopped coming. */
static void reasm_timeout(const uint8_t *first, uint32_t first_len,
			  uint64_t tag, void *arg)
{
	struct ip_host *h = arg;
	if (first != NULL)
		send_icmp_error(h, first, first_len, ICMP_TIME_EXCEEDED,
				ICMP_EXC_REASSEMBLY, 0);
	ip_host_drop(h, tag, IP_DROP_REASM_TIMEOUT);
}

static void reasm_bad(uint64_t tag, void *arg)
{
	ip_host_drop(arg, tag, IP_DROP_BAD_HEADER);
}

/* --- creation ------------------------------------------------------------------ */

enum sn_err ip_host_create(struct ip_net *net, const struct ip_host_config *cfg,
			   struct ip_host **out)
{
	if (cfg->name == NULL)
		return SN_EINVAL;
	struct sim *sim = ip_net_sim(net);
	struct ip_host *h = sim_calloc(sim, 1, sizeof *h);
	if (h == NULL)
		return SN_ENOMEM;
	h->net = net;
	h->sim = sim;
	snprintf(h->name, sizeof h->name, "%s", cfg->name);
	h->forwarding = cfg->forwarding;
	h->input_cost = cfg->input_cost ? cfg->input_cost : IP_INPUT_COST;
	h->next_ip_id = 1;
	h->next_port = UDP_EPHEMERAL_FIRST;
	sim_event_init(&h->in_ev, input_done, h, "ip.input");
	struct ip_reasm_config rc = { .timeout = cfg->reasm_timeout,
				      .max_bytes = cfg->reasm_max_bytes };
	enum sn_err err = ip_rtable_create(sim, &h->rt);
	if (err == SN_OK)
		err = ip_reasm_create(sim, &rc, reasm_timeout, h, &h->reasm);
	if (err == SN_OK)
		ip_reasm_on_drop(h->reasm, reasm_bad);
	if (err == SN_OK && (h->frag_scratch = sim_alloc(sim, IP_MAX_LEN)) ==
				    NULL)
		err = SN_ENOMEM;
	if (err != SN_OK) {
		ip_host_destroy(h);
		return err;
	}
	h->index = ip_net_add_host(net);
	*out = h;
	return SN_OK;
}

void ip_host_destroy(struct ip_host *h)
{
	if (h == NULL)
		return;
	sim_cancel(h->sim, &h->in_ev);
	while (h->in_head != NULL) {
		struct ip_pkt *p = h->in_head;
		h->in_head = p->next;
		if (p->type == RFC2143_TYPE_IPV4)
			ip_host_drop(h, p->tag, IP_DROP_HOST_DOWN);
		sim_free(h->sim, p);
	}
	for (int i = 0; i < h->nnif; i++)
		netif_destroy(h->nif[i]);
	while (h->socks != NULL)
		udp_close(h->socks);
	while (h->echo != NULL)
		icmp_echo_unlisten(h, h->echo->id);
	ip_reasm_destroy(h->reasm);
	ip_rtable_destroy(h->rt);
	sim_free(h->sim, h->frag_scratch);
	sim_free(h->sim, h);
}

enum sn_err ip_host_add_netif(struct ip_host *h,
			      const struct ip_netif_config *cfg, int *ifindex)
{
	if (cfg->mtu < IP_MIN_MTU || cfg->mtu > IP_MAX_LEN || cfg->plen > 32)
		return SN_ERANGE;
	if (cfg->ad == NULL || cfg->addr == 0 || h->nnif == IP_MAX_NETIFS)
		return SN_EINVAL;
	for (int i = 0; i < h->nnif; i++) {
		if (h->nif[i]->ad == cfg->ad)
			return SN_EINVAL;
		if (h->nif[i]->addr == cfg->addr)
			return SN_EEXIST;
	}
	struct ip_netif *nif;
	enum sn_err err = netif_create(h, cfg, h->nnif, &nif);
	if (err != SN_OK)
		return err;
	struct ip_route r = { .prefix = cfg->addr & nif->mask,
			      .len = cfg->plen, .gateway = 0,
			      .ifindex = h->nnif, .metric = 0 };
	err = ip_rtable_add(h->rt, &r);
	if (err != SN_OK && err != SN_EEXIST) {
		netif_destroy(nif);
		return err;
	}
	h->nif[h->nnif] = nif;
	if (ifindex)
		*ifindex = h->nnif;
	h->nnif++;
	return SN_OK;
}

enum sn_err ip_host_add_route(struct ip_host *h, uint32_t prefix,
			      uint8_t plen, uint32_t gateway, int ifindex,
			      uint32_t metric)
{
	if (plen > 32)
		return SN_ERANGE;
	if (ifindex < 0) {
		for (int i = 0; i < h->nnif && ifindex < 0; i++)
			if (gateway && ((gateway ^ h->nif[i]->addr) &
					h->nif[i]->mask) == 0)
				ifindex = i;
		if (ifindex < 0)
			return SN_EINVAL;
	}
	if (ifindex >= h->nnif)
		return SN_EINVAL;
	struct ip_route r = { .prefix = prefix, .len = plen,
			      .gateway = gateway, .ifindex = ifindex,
			      .metric = metric };
	return ip_rtable_add(h->rt, &r);
}

enum sn_err ip_host_add_arp(struct ip_host *h, int ifindex, uint32_t addr,
			    uint8_t id)
{
	if (ifindex < 0 || ifindex >= h->nnif)
		return SN_EINVAL;
	return netif_arp_static(h->nif[ifindex], addr, id);
}

/* --- power ------------------------------------------------------------------ */

void ip_host_set_up(struct ip_host *h, int up)
{
	if ((up == 0) == (h->down != 0))
		return;
	h->down = !up;
	for (int i = 0; i < h->nnif; i++) {
		adapter_attach(h->nif[i]->ad, up);
		if (!up)
			netif_arp_flush(h->nif[i], IP_DROP_HOST_DOWN);
	}
	if (up)
		return;
	/* what was received and not yet taken is lost with the power */
	sim_cancel(h->sim, &h->in_ev);
	h->in_busy = 0;
	while (h->in_head != NULL) {
		struct ip_pkt *p = h->in_head;
		h->in_head = p->next;
		adapter_rx_done(p->nif->ad);
		if (p->type == RFC2143_TYPE_IPV4)
			ip_host_drop(h, p->tag, IP_DROP_HOST_DOWN);
		sim_free(h->sim, p);
	}
	h->in_tail = NULL;
}

int ip_host_is_up(const struct ip_host *h)
{
	return !h->down;
}

/* --- inspection ------------------------------------------------------------------- */

const char *ip_host_name(const struct ip_host *h)
{
	return h->name;
}

uint32_t ip_host_index(const struct ip_host *h)
{
	return h->index;
}

int ip_host_netif_count(const struct ip_host *h)
{
	return h->nnif;
}

uint32_t ip_host_netif_addr(const struct ip_host *h, int i)
{
	return i >= 0 && i < h->nnif ? h->nif[i]->addr : 0;
}

const struct ip_netif_stats *ip_host_netif_stats(const struct ip_host *h,
						 int i)
{
	return i >= 0 && i < h->nnif ? &h->nif[i]->stats : NULL;
}

const struct ip_host_stats *ip_host_stats(const struct ip_host *h)
{
	return &h->stats;
}

int ip_host_arp_lookup(const struct ip_host *h, int i, uint32_t addr)
{
	return i >= 0 && i < h->nnif ? netif_arp_lookup(h->nif[i], addr) : -1;
}

enum sn_err ip_addr_parse(const char *s, uint32_t *out)
{
	uint32_t a = 0;
	int parts = 0;
	const char *p = s;
	if (s == NULL)
		return SN_EINVAL;
	while (parts < 4) {
		if (*p < '0' || *p > '9')
			return SN_EINVAL;
		uint32_t v = 0;
		int digits = 0;
		while (*p >= '0' && *p <= '9') {
			v = v * 10 + (uint32_t)(*p++ - '0');
			if (++digits > 3 || v > 255)
				return SN_EINVAL;
		}
		a = a << 8 | v;
		parts++;
		if (parts < 4 && *p++ != '.')
			return SN_EINVAL;
	}
	if (*p != '\0')
		return SN_EINVAL;
	*out = a;
	return SN_OK;
}

char *ip_addr_str(uint32_t a, char *buf)
{
	snprintf(buf, 16, "%u.%u.%u.%u", a >> 24, (a >> 16) & 255,
		 (a >> 8) & 255, a & 255);
	return buf;
}
