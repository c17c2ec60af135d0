/*
 * netif_scsi.c - an IPv4 interface on a SCSI adapter: RFC 2143.
 *
 * Section 3: each datagram is the DATA OUT of one SEND MESSAGE(10), the
 * protocol type in the low 4 bits of CDB byte 5 (adapter.c builds the
 * CDB): 0 for IPv4, 1 for address resolution (ip_wire.h says why).
 *
 * Section 4: the SCSI ID is the hardware address, and there is no
 * broadcast, so an address is resolved by asking each other ID on the
 * bus in turn.  Here a request goes to one ID at a time, lowest first,
 * and the round stops as soon as the answer comes; an ID whose selection
 * timed out (nobody there: 250 ms lost) is remembered as absent for the
 * negative-cache time and skipped meanwhile.  A round that brings no
 * answer is repeated after the retry time, up to `arp_rounds` rounds;
 * then the address is cached as unresolvable for the negative-cache time
 * and the datagrams waiting for it are dropped (resolution failed).  One
 * resolution per address at a time, rounds spaced by the retry time:
 * that is the rate limit per destination.  Answers fill the cache for
 * the cache time; requests received teach their sender's ID as RFC 826's
 * merge step says.
 *
 * Packet ownership: netif_output copies the datagram; received bytes are
 * copied into a struct ip_pkt the host owns from then on.
 */
#include "ip_priv.h"

#include <stdio.h>
#include <string.h>

/* --- sending on the bus --------------------------------------------------- */

static void arp_request_done(struct arp_entry *e, int id,
			     enum adapter_result r);

static void fifo_remove(struct ip_netif *nif, struct link_tx *lt)
{
	struct link_tx **pp = &nif->tx_head, *prev = NULL;
	while (*pp != lt) {
		prev = *pp;
		pp = &(*pp)->next;
	}
	*pp = lt->next;
	if (nif->tx_tail == lt)
		nif->tx_tail = prev;
}

/* Resolved entries that point at an ID which no longer answers are
 * forgotten: the next datagram resolves again. */
static void arp_forget_id(struct ip_netif *nif, int id)
{
	for (struct arp_entry *e = nif->arp; e != NULL; e = e->next)
		if (e->st == ARP_RESOLVED && e->id == id)
			e->expires = 0;
}

static void link_done(struct adapter *ad, struct adapter_tx *tx, void *arg)
{
	(void)ad;
	struct link_tx *lt = arg;
	struct ip_netif *nif = lt->nif;
	fifo_remove(nif, lt);
	nif->stats.link_results[tx->result]++;
	if (lt->is_arp) {
		if (lt->asked != NULL)
			arp_request_done(lt->asked, tx->target, tx->result);
	} else {
		if (tx->result == AD_SENT) {
			nif->stats.tx_datagrams++;
			nif->stats.tx_bytes += tx->len;
		}
		if (tx->result == AD_NO_TARGET)
			arp_forget_id(nif, tx->target);
		if (ip_net_link_done(nif->h->net, lt->rec,
				     tx->result == AD_SENT))
			ip_host_link_failed(nif->h, lt->tag, tx->result);
	}
	sim_free(nif->h->sim, lt);
}

/* Hand `len` bytes to the adapter for SCSI ID `id`.  Returns 0, or -1 if
 * it could not (out of memory): the caller accounts the loss. */
static int link_send(struct ip_netif *nif, int id, uint8_t type,
		     const uint8_t *data, uint32_t len, uint64_t tag,
		     struct arp_entry *asked)
{
	struct ip_host *h = nif->h;
	struct link_tx *lt = sim_alloc(h->sim, sizeof *lt + len);
	if (lt == NULL)
		return -1;
	memset(lt, 0, sizeof *lt);
	memcpy(lt->data, data, len);
	lt->nif = nif;
	lt->tag = tag;
	lt->is_arp = type == RFC2143_TYPE_ARP;
	lt->asked = asked;
	lt->tx.target = id;
	lt->tx.type = type;
	lt->tx.data = lt->data;
	lt->tx.len = len;
	lt->tx.done = link_done;
	lt->tx.arg = lt;
	if (!lt->is_arp)
		lt->rec = ip_net_link_sent(h->net, nif->bus, (uint8_t)nif->id,
					   (uint8_t)id, data, len, tag);
	if (nif->tx_tail)
		nif->tx_tail->next = lt;
	else
		nif->tx_head = lt;
	nif->tx_tail = lt;
	if (adapter_send(nif->ad, &lt->tx) != SN_OK) {
		/* cannot happen: IDs and lengths were checked */
		fifo_remove(nif, lt);
		if (lt->rec)
			ip_net_link_done(h->net, lt->rec, 0);
		sim_free(h->sim, lt);
		return -1;
	}
	return 0;
}

/* --- address resolution ------------------------------------------------------ */

static struct arp_entry *arp_find(const struct ip_netif *nif, uint32_t addr)
{
	for (struct arp_entry *e = nif->arp; e != NULL; e = e->next)
		if (e->addr == addr)
			return e;
	return NULL;
}

static void arp_round_end(struct sim *sim, struct sim_event *ev, void *arg);
static void arp_reply_waited(struct sim *sim, struct sim_event *ev,
			     void *arg);

static struct arp_entry *arp_new(struct ip_netif *nif, uint32_t addr)
{
	struct arp_entry *e = sim_calloc(nif->h->sim, 1, sizeof *e);
	if (e == NULL)
		return NULL;
	e->nif = nif;
	e->addr = addr;
	e->st = ARP_NEGATIVE;
	sim_event_init(&e->ev, arp_round_end, e, "arp.round");
	sim_event_init(&e->reply_ev, arp_reply_waited, e, "arp.reply_wait");
	e->next = nif->arp;
	nif->arp = e;
	return e;
}

static void arp_build(struct ip_netif *nif, uint8_t *p, uint16_t op,
		      uint8_t tha, uint32_t tpa)
{
	memset(p, 0, ARP_LEN);
	ip_put16(p + ARP_OFF_HTYPE, ARP_HTYPE_SCSI);
	ip_put16(p + ARP_OFF_PTYPE, ETHERTYPE_IPV4);
	p[ARP_OFF_HLEN] = ARP_HLEN;
	p[ARP_OFF_PLEN] = ARP_PLEN;
	ip_put16(p + ARP_OFF_OP, op);
	p[ARP_OFF_SHA] = (uint8_t)nif->id;
	ip_put32(p + ARP_OFF_SPA, nif->addr);
	p[ARP_OFF_THA] = tha;
	ip_put32(p + ARP_OFF_TPA, tpa);
}

static void ask_turn(struct ip_netif *nif);

/* Join the interface's ask queue (once). */
static void arp_want_ask(struct arp_entry *e)
{
	struct ip_netif *nif = e->nif;
	if (e->waiting || e->asking)
		return;
	e->waiting = 1;
	e->ask_next = NULL;
	if (nif->ask_tail)
		nif->ask_tail->ask_next = e;
	else
		nif->ask_head = e;
	nif->ask_tail = e;
	ask_turn(nif);
}

/* Ask the next ID of this entry's round; 1 if a request went out.  With
 * no ID left in the round, wait for the next round. */
static int arp_ask_one(struct arp_entry *e)
{
	struct ip_netif *nif = e->nif;
	sim_time_t now = sim_now(nif->h->sim);
	for (int id = e->next_id; id < nif->ids; id++) {
		if (id == nif->id || nif->absent_until[id] > now)
			continue;
		uint8_t req[ARP_LEN];
		arp_build(nif, req, ARP_OP_REQUEST, (uint8_t)id, e->addr);
		e->next_id = id + 1;
		if (link_send(nif, id, RFC2143_TYPE_ARP, req, ARP_LEN, 0, e) ==
		    0) {
			e->asking = 1;
			nif->stats.arp_requests++;
			return 1;
		}
	}
	sim_schedule_in(nif->h->sim, &e->ev, nif->arp_retry_time);
	return 0;
}

/* The bus is free of our requests: the first waiting entry asks one
 * ID, then (if it still needs to) waits behind the others. */
static void ask_turn(struct ip_netif *nif)
{
	while (!nif->ask_busy && nif->ask_head != NULL) {
		struct arp_entry *e = nif->ask_head;
		nif->ask_head = e->ask_next;
		if (nif->ask_head == NULL)
			nif->ask_tail = NULL;
		e->waiting = 0;
		if (e->st == ARP_INCOMPLETE && arp_ask_one(e))
			nif->ask_busy = 1;
	}
}

static void arp_drop_queue(struct arp_entry *e, enum ip_drop why)
{
	struct ip_host *h = e->nif->h;
	while (e->q_head != NULL) {
		struct ip_pkt *p = e->q_head;
		e->q_head = p->next;
		if (why == IP_DROP_RESOLUTION && p->forwarded)
			ip_host_unreachable(h, p->data, p->len);
		ip_host_drop(h, p->tag, why);
		sim_free(h->sim, p);
	}
	e->q_tail = NULL;
	e->qlen = e->qbytes = 0;
}

static void arp_round_end(struct sim *sim, struct sim_event *ev, void *arg)
{
	(void)sim;
	(void)ev;
	struct arp_entry *e = arg;
	struct ip_netif *nif = e->nif;
	if (e->st != ARP_INCOMPLETE)
		return;
	if (e->round >= nif->arp_rounds) {
		/* unresolvable: cached as such, its datagrams dropped */
		e->st = ARP_NEGATIVE;
		e->expires = sim_now(nif->h->sim) + nif->arp_neg_time;
		nif->stats.arp_failures++;
		arp_drop_queue(e, IP_DROP_RESOLUTION);
		return;
	}
	e->round++;
	e->next_id = 0;
	arp_want_ask(e);
}

static void arp_request_done(struct arp_entry *e, int id,
			     enum adapter_result r)
{
	struct ip_netif *nif = e->nif;
	e->asking = 0;
	nif->ask_busy = 0;
	if (r == AD_NO_TARGET) {
		nif->absent_until[id] = sim_now(nif->h->sim) + nif->arp_neg_time;
		nif->stats.arp_absent_ids++;
	}
	if (e->st == ARP_INCOMPLETE) {
		if (r == AD_SENT)
			sim_schedule_in(nif->h->sim, &e->reply_ev,
					nif->arp_reply_wait);
		else
			arp_want_ask(e);
	}
	ask_turn(nif);
}

/* No answer from the station asked: the next ID. */
static void arp_reply_waited(struct sim *sim, struct sim_event *ev,
			     void *arg)
{
	(void)sim;
	(void)ev;
	struct arp_entry *e = arg;
	if (e->st == ARP_INCOMPLETE)
		arp_want_ask(e);
}

static void arp_resolved(struct arp_entry *e, uint8_t id)
{
	struct ip_netif *nif = e->nif;
	if (e->st == ARP_STATIC)
		return;
	e->st = ARP_RESOLVED;
	e->id = id;
	e->expires = sim_now(nif->h->sim) + nif->arp_cache_time;
	sim_cancel(nif->h->sim, &e->ev);
	sim_cancel(nif->h->sim, &e->reply_ev);
	nif->absent_until[id] = 0;
	while (e->q_head != NULL) {
		struct ip_pkt *p = e->q_head;
		e->q_head = p->next;
		e->qlen--;
		e->qbytes -= p->len;
		if (link_send(nif, id, RFC2143_TYPE_IPV4, p->data, p->len,
			      p->tag, NULL) != 0)
			ip_host_drop(nif->h, p->tag, IP_DROP_NO_MEMORY);
		sim_free(nif->h->sim, p);
	}
	e->q_tail = NULL;
}

void netif_arp_input(struct ip_netif *nif, uint8_t src_id,
		     const uint8_t *p, uint32_t len)
{
	if (len < ARP_LEN || ip_get16(p + ARP_OFF_HTYPE) != ARP_HTYPE_SCSI ||
	    ip_get16(p + ARP_OFF_PTYPE) != ETHERTYPE_IPV4 ||
	    p[ARP_OFF_HLEN] != ARP_HLEN || p[ARP_OFF_PLEN] != ARP_PLEN ||
	    p[ARP_OFF_SHA] != src_id || p[ARP_OFF_SHA] >= nif->ids) {
		/* malformed, or claiming another ID than the one that
		 * sent it: not trusted */
		nif->stats.rx_bad_type++;
		return;
	}
	uint16_t op = ip_get16(p + ARP_OFF_OP);
	uint32_t spa = ip_get32(p + ARP_OFF_SPA);
	uint32_t tpa = ip_get32(p + ARP_OFF_TPA);
	if (op == ARP_OP_REQUEST)
		nif->stats.arp_requests_got++;
	else if (op == ARP_OP_REPLY)
		nif->stats.arp_replies_got++;
	/* RFC 826: merge what the sender tells about itself */
	struct arp_entry *e = spa ? arp_find(nif, spa) : NULL;
	int merged = e != NULL;
	if (e != NULL)
		arp_resolved(e, src_id);
	if (tpa != nif->addr)
		return;
	if (!merged && spa != 0 && (e = arp_new(nif, spa)) != NULL)
		arp_resolved(e, src_id);
	if (op == ARP_OP_REQUEST) {
		uint8_t rep[ARP_LEN];
		arp_build(nif, rep, ARP_OP_REPLY, src_id, spa);
		if (link_send(nif, src_id, RFC2143_TYPE_ARP, rep, ARP_LEN, 0,
			      NULL) == 0)
			nif->stats.arp_replies_sent++;
	}
}

void netif_arp_flush(struct ip_netif *nif, enum ip_drop why)
{
	struct sim *sim = nif->h->sim;
	for (struct arp_entry *e = nif->arp; e != NULL; e = e->next) {
		if (e->st == ARP_STATIC)
			continue;
		sim_cancel(sim, &e->ev);
		sim_cancel(sim, &e->reply_ev);
		arp_drop_queue(e, why);
		/* unknown again (a request in flight finds it so) */
		e->st = ARP_NEGATIVE;
		e->expires = 0;
		e->waiting = 0;
	}
	nif->ask_head = nif->ask_tail = NULL;
	memset(nif->absent_until, 0, sizeof nif->absent_until);
}

enum sn_err netif_arp_static(struct ip_netif *nif, uint32_t addr, uint8_t id)
{
	if (id >= nif->ids)
		return SN_ERANGE;
	struct arp_entry *e = arp_find(nif, addr);
	if (e == NULL && (e = arp_new(nif, addr)) == NULL)
		return SN_ENOMEM;
	e->st = ARP_STATIC;
	e->id = id;
	return SN_OK;
}

int netif_arp_lookup(const struct ip_netif *nif, uint32_t addr)
{
	const struct arp_entry *e = arp_find(nif, addr);
	if (e == NULL)
		return -1;
	if (e->st == ARP_STATIC ||
	    (e->st == ARP_RESOLVED && e->expires > sim_now(nif->h->sim)))
		return e->id;
	return -1;
}

/* --- output ------------------------------------------------------------------ */

void netif_output(struct ip_netif *nif, uint32_t nexthop, const uint8_t *dg,
		  uint32_t len, uint64_t tag, int forwarded)
{
	struct ip_host *h = nif->h;
	sim_time_t now = sim_now(h->sim);
	struct arp_entry *e = arp_find(nif, nexthop);
	if (e != NULL && (e->st == ARP_STATIC ||
			  (e->st == ARP_RESOLVED && e->expires > now))) {
		if (link_send(nif, e->id, RFC2143_TYPE_IPV4, dg, len, tag,
			      NULL) != 0)
			ip_host_drop(h, tag, IP_DROP_NO_MEMORY);
		return;
	}
	if (e != NULL && e->st == ARP_NEGATIVE && e->expires > now) {
		if (forwarded)
			ip_host_unreachable(h, dg, len);
		ip_host_drop(h, tag, IP_DROP_RESOLUTION);
		return;
	}
	if (e == NULL && (e = arp_new(nif, nexthop)) == NULL) {
		ip_host_drop(h, tag, IP_DROP_NO_MEMORY);
		return;
	}
	if (e->st == ARP_INCOMPLETE &&
	    (e->qlen >= nif->arp_queue_max ||
	     e->qbytes + len > nif->arp_queue_bytes)) {
		ip_host_drop(h, tag, IP_DROP_QUEUE_FULL);
		return;
	}
	struct ip_pkt *p = sim_alloc(h->sim, sizeof *p + len);
	if (p == NULL) {
		ip_host_drop(h, tag, IP_DROP_NO_MEMORY);
		return;
	}
	memset(p, 0, sizeof *p);
	memcpy(p->data, dg, len);
	p->len = len;
	p->tag = tag;
	p->nif = nif;
	p->nexthop = nexthop;
	p->forwarded = (uint8_t)(forwarded != 0);
	if (e->q_tail)
		e->q_tail->next = p;
	else
		e->q_head = p;
	e->q_tail = p;
	e->qlen++;
	e->qbytes += len;
	if (e->st != ARP_INCOMPLETE) {
		/* a new (or expired) address: start asking */
		e->st = ARP_INCOMPLETE;
		e->round = 1;
		e->next_id = 0;
		arp_want_ask(e);
	}
}

/* --- input --------------------------------------------------------------------- */

static void emit_trace(struct ip_netif *nif, uint8_t src_id, uint8_t type,
		       const uint8_t *data, uint32_t len)
{
	struct sim *sim = nif->h->sim;
	if (!sim_trace_wants(&sim->trace, SIM_TR_PACKET))
		return;
	struct ip_trace_packet hdr = {
		.bus = nif->bus, .host = nif->h->index,
		.ethertype = type == RFC2143_TYPE_ARP ? ETHERTYPE_ARP
						      : ETHERTYPE_IPV4,
		.src_id = src_id, .dst_id = (uint8_t)nif->id, .len = len,
	};
	uint8_t *buf = sim_alloc(sim, sizeof hdr + len);
	if (buf == NULL)
		return;
	memcpy(buf, &hdr, sizeof hdr);
	memcpy(buf + sizeof hdr, data, len);
	sim_trace_emit(sim, nif->h->net->src, SIM_TR_PACKET, IP_TRACE_RX, buf,
		       (uint32_t)(sizeof hdr + len));
	sim_free(sim, buf);
}

/* The station took a datagram: it keeps its receive slot until the
 * host's CPU has taken it (ip_host_input). */
static void netif_rx(struct adapter *ad, int from, uint8_t type,
		     const uint8_t *data, uint32_t len, void *arg)
{
	struct ip_netif *nif = arg;
	struct ip_host *h = nif->h;
	uint64_t tag = 0;
	if (type == RFC2143_TYPE_IPV4)
		tag = ip_net_link_received(h->net, nif->bus, (uint8_t)from,
					   (uint8_t)nif->id, data, len);
	emit_trace(nif, (uint8_t)from, type, data, len);
	nif->stats.rx_datagrams++;
	nif->stats.rx_bytes += len;
	if (type != RFC2143_TYPE_IPV4 && type != RFC2143_TYPE_ARP) {
		nif->stats.rx_bad_type++;
		adapter_rx_done(ad);
		return;
	}
	struct ip_pkt *p = sim_alloc(h->sim, sizeof *p + len);
	if (p == NULL) {
		ip_host_drop(h, tag, IP_DROP_NO_MEMORY);
		adapter_rx_done(ad);
		return;
	}
	memset(p, 0, sizeof *p);
	memcpy(p->data, data, len);
	p->len = len;
	p->tag = tag;
	p->nif = nif;
	p->type = type;
	p->src_id = (uint8_t)from;
	ip_host_input(h, p);
}

/* --- creation ------------------------------------------------------------------- */

enum sn_err netif_create(struct ip_host *h, const struct ip_netif_config *cfg,
			 int index, struct ip_netif **out)
{
	struct ip_netif *nif = sim_calloc(h->sim, 1, sizeof *nif);
	if (nif == NULL)
		return SN_ENOMEM;
	nif->h = h;
	nif->index = index;
	snprintf(nif->name, sizeof nif->name, "%s",
		 cfg->name ? cfg->name : "scsi");
	nif->ad = cfg->ad;
	nif->bus = cfg->bus;
	nif->addr = cfg->addr;
	nif->plen = cfg->plen;
	nif->mask = cfg->plen ? 0xffffffffu << (32 - cfg->plen) : 0;
	nif->mtu = cfg->mtu;
	nif->id = adapter_scsi_id(cfg->ad);
	struct bus_dev *dev = adapter_bus_dev(cfg->ad);
	nif->ids = adapter_profile(cfg->ad)->wide && dev &&
				   bus_dev_port(dev)->bus->width == BUS_WIDE
			   ? 16
			   : 8;
	nif->arp_cache_time = cfg->arp_cache_time ? cfg->arp_cache_time
						  : ARP_CACHE_TIME;
	nif->arp_neg_time = cfg->arp_neg_time ? cfg->arp_neg_time
					      : ARP_NEG_TIME;
	nif->arp_retry_time = cfg->arp_retry_time ? cfg->arp_retry_time
						  : ARP_RETRY_TIME;
	nif->arp_rounds = cfg->arp_rounds ? cfg->arp_rounds : ARP_ROUNDS;
	nif->arp_reply_wait = cfg->arp_reply_wait ? cfg->arp_reply_wait
						  : ARP_REPLY_WAIT;
	nif->arp_queue_max = cfg->arp_queue_max ? cfg->arp_queue_max
						: ARP_QUEUE_MAX;
	nif->arp_queue_bytes = cfg->arp_queue_bytes ? cfg->arp_queue_bytes
						    : ARP_QUEUE_BYTES;
	enum sn_err err = ip_net_register(h->net, nif->bus, nif->id, nif);
	if (err == SN_OK)
		err = adapter_set_receiver(cfg->ad, netif_rx, nif);
	if (err != SN_OK) {
		ip_net_unregister(h->net, nif);
		sim_free(h->sim, nif);
		return err;
	}
	*out = nif;
	return SN_OK;
}

void netif_destroy(struct ip_netif *nif)
{
	struct ip_host *h = nif->h;
	(void)adapter_set_receiver(nif->ad, NULL, NULL);
	ip_net_unregister(h->net, nif);
	while (nif->arp != NULL) {
		struct arp_entry *e = nif->arp;
		nif->arp = e->next;
		sim_cancel(h->sim, &e->ev);
		sim_cancel(h->sim, &e->reply_ev);
		arp_drop_queue(e, IP_DROP_HOST_DOWN);
		sim_free(h->sim, e);
	}
	/* commands still with the adapter: the adapter is the caller's and
	 * is destroyed after the host; their buffers go with them */
	while (nif->tx_head != NULL) {
		struct link_tx *lt = nif->tx_head;
		nif->tx_head = lt->next;
		if (!lt->is_arp &&
		    ip_net_link_done(h->net, lt->rec, 0))
			ip_host_drop(h, lt->tag, IP_DROP_HOST_DOWN);
		lt->tx.done = NULL;
		sim_free(h->sim, lt);
	}
	sim_free(h->sim, nif);
}
