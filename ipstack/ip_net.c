/*
 * ip_net.c - the datagram ledger and the interface registry (see
 * ip_net.h and ip_priv.h).
 */
#include "ip_priv.h"

#include <string.h>

enum { TAG_OPEN = 0, TAG_DELIVERED = 1, TAG_DROPPED = 2 };

void ip_net_links_free(struct ip_net *n);

const char *ip_drop_name(enum ip_drop r)
{
	static const char *const names[IP_DROP_COUNT] = {
		[IP_DROP_NO_ROUTE] = "no-route",
		[IP_DROP_TTL] = "ttl-expired",
		[IP_DROP_RESOLUTION] = "resolution-failed",
		[IP_DROP_SEL_TIMEOUT] = "selection-timeout",
		[IP_DROP_BUSY] = "busy-retries-exhausted",
		[IP_DROP_REFUSED] = "refused-by-target",
		[IP_DROP_BUS_ERROR] = "bus-error",
		[IP_DROP_QUEUE_FULL] = "queue-full",
		[IP_DROP_REASM_TIMEOUT] = "reassembly-timeout",
		[IP_DROP_REASM_MEMORY] = "reassembly-memory",
		[IP_DROP_BAD_CHECKSUM] = "bad-checksum",
		[IP_DROP_BAD_HEADER] = "bad-header",
		[IP_DROP_FRAG_NEEDED] = "fragmentation-needed",
		[IP_DROP_NO_PORT] = "port-unreachable",
		[IP_DROP_NO_PROTO] = "protocol-unreachable",
		[IP_DROP_NOT_FORWARDING] = "not-forwarding",
		[IP_DROP_LINK_TYPE] = "unknown-link-type",
		[IP_DROP_NO_MEMORY] = "no-memory",
		[IP_DROP_HOST_DOWN] = "host-down",
	};
	return (unsigned)r < IP_DROP_COUNT && names[r] ? names[r] : "?";
}

enum sn_err ip_net_create(struct sim *sim, struct ip_net **out)
{
	struct ip_net *n = sim_calloc(sim, 1, sizeof *n);
	if (n == NULL)
		return SN_ENOMEM;
	n->sim = sim;
	enum sn_err err = sim_trace_source_add(sim, "ip", &n->src);
	if (err != SN_OK) {
		sim_free(sim, n);
		return err;
	}
	*out = n;
	return SN_OK;
}

void ip_net_destroy(struct ip_net *n)
{
	if (n == NULL)
		return;
	ip_net_links_free(n);
	sim_free(n->sim, n->tags);
	sim_free(n->sim, n->sender);
	sim_free(n->sim, n->born);
	sim_free(n->sim, n->senders);
	sim_free(n->sim, n->reg);
	sim_free(n->sim, n);
}

struct sim *ip_net_sim(const struct ip_net *n)
{
	return n->sim;
}

uint64_t ip_net_new_tag(struct ip_net *n)
{
	if (n->ntags == n->tags_cap) {
		size_t cap = n->tags_cap ? n->tags_cap * 2 : 4096;
		uint8_t *t = sim_realloc(n->sim, n->tags, cap);
		if (t == NULL)
			return 0; /* tag 0: accounted by counters only */
		memset(t + n->tags_cap, 0, cap - n->tags_cap);
		n->tags = t;
		uint32_t *o = sim_realloc(n->sim, n->sender, cap * sizeof *o);
		if (o == NULL)
			return 0;
		memset(o + n->tags_cap, 0, (cap - n->tags_cap) * sizeof *o);
		n->sender = o;
		sim_time_t *b = sim_realloc(n->sim, n->born, cap * sizeof *b);
		if (b == NULL)
			return 0;
		n->born = b;
		n->tags_cap = cap;
	}
	n->sender[n->ntags] = n->cur_sender;
	n->born[n->ntags] = sim_now(n->sim);
	n->ntags++;
	n->stats.sent++;
	return n->ntags; /* tags start at 1; 0 means none */
}

/* End `tag` as `state`; 0 if it had ended already. */
static int end_tag(struct ip_net *n, uint64_t tag, uint8_t state)
{
	if (tag == 0 || tag > n->ntags)
		return 0; /* not in the ledger: no datagram of ours (bytes a
			   * non-IP device put on the bus), or no memory */
	if (n->tags[tag - 1] != TAG_OPEN) {
		n->stats.late_events++;
		return 0;
	}
	n->tags[tag - 1] = state;
	return 1;
}

uint64_t ip_net_in_flight_ages(const struct ip_net *n, sim_time_t before,
			       sim_time_t *oldest)
{
	uint64_t older = 0;
	sim_time_t first = SIM_TIME_MAX;
	for (size_t i = 0; i < n->ntags; i++) {
		if (n->tags[i] != TAG_OPEN)
			continue;
		if (n->born[i] < first)
			first = n->born[i];
		older += n->born[i] < before;
	}
	if (oldest != NULL)
		*oldest = first;
	return older;
}

void ip_net_delivered(struct ip_net *n, uint64_t tag)
{
	if (end_tag(n, tag, TAG_DELIVERED))
		n->stats.delivered++;
}

void ip_net_dropped(struct ip_net *n, uint64_t tag, enum ip_drop why)
{
	if (end_tag(n, tag, TAG_DROPPED)) {
		n->stats.dropped++;
		n->stats.drops[why]++;
		uint32_t o = n->sender[tag - 1];
		if (o)
			n->senders[o - 1].drops[why]++;
	}
}

void ip_net_sending_as(struct ip_net *n, uint32_t host, uint8_t proto,
		       uint16_t port)
{
	for (uint32_t i = 0; i < n->nsenders; i++) {
		const struct ip_sender *x = &n->senders[i];
		if (x->host == host && x->proto == proto && x->port == port) {
			n->cur_sender = i + 1;
			return;
		}
	}
	if (n->nsenders == n->senders_cap) {
		uint32_t cap = n->senders_cap ? n->senders_cap * 2 : 16;
		struct ip_sender *x =
			sim_realloc(n->sim, n->senders, cap * sizeof *x);
		if (x == NULL) {
			n->cur_sender = 0; /* not attributed; still counted */
			return;
		}
		n->senders = x;
		n->senders_cap = cap;
	}
	memset(&n->senders[n->nsenders], 0, sizeof n->senders[0]);
	n->senders[n->nsenders] =
		(struct ip_sender){ .host = host, .proto = proto,
				    .port = port };
	n->cur_sender = ++n->nsenders;
}

void ip_net_sending_done(struct ip_net *n)
{
	n->cur_sender = 0;
}

const uint64_t *ip_net_sender_drops(const struct ip_net *n, uint32_t host,
				    uint8_t proto, uint16_t port)
{
	for (uint32_t i = 0; i < n->nsenders; i++) {
		const struct ip_sender *x = &n->senders[i];
		if (x->host == host && x->proto == proto && x->port == port)
			return x->drops;
	}
	return NULL;
}

int ip_net_tag_ended(const struct ip_net *n, uint64_t tag)
{
	return tag == 0 || tag > n->ntags || n->tags[tag - 1] != TAG_OPEN;
}

const struct ip_net_stats *ip_net_stats(const struct ip_net *n)
{
	return &n->stats;
}

uint64_t ip_net_in_flight(const struct ip_net *n)
{
	return n->stats.sent - n->stats.delivered - n->stats.dropped;
}

int ip_net_check(const struct ip_net *n)
{
	uint64_t count[3] = { 0, 0, 0 };
	for (size_t i = 0; i < n->ntags; i++)
		count[n->tags[i]]++;
	uint64_t by_reason = 0;
	for (int r = 0; r < IP_DROP_COUNT; r++)
		by_reason += n->stats.drops[r];
	if (count[TAG_DELIVERED] != n->stats.delivered ||
	    count[TAG_DROPPED] != n->stats.dropped ||
	    by_reason != n->stats.dropped ||
	    count[TAG_OPEN] != ip_net_in_flight(n) ||
	    n->ntags != n->stats.sent)
		return -1;
	return 0;
}

/* --- the registry -------------------------------------------------------- */

enum sn_err ip_net_register(struct ip_net *n, uint32_t bus, int id,
			    struct ip_netif *nif)
{
	if (ip_net_find(n, bus, id) != NULL)
		return SN_EEXIST;
	if (n->nreg == n->reg_cap) {
		size_t cap = n->reg_cap ? n->reg_cap * 2 : 16;
		struct ip_reg *r = sim_realloc(n->sim, n->reg, cap * sizeof *r);
		if (r == NULL)
			return SN_ENOMEM;
		n->reg = r;
		n->reg_cap = cap;
	}
	n->reg[n->nreg++] = (struct ip_reg){ bus, id, nif };
	return SN_OK;
}

void ip_net_unregister(struct ip_net *n, struct ip_netif *nif)
{
	for (size_t i = 0; i < n->nreg; i++) {
		if (n->reg[i].nif == nif) {
			n->reg[i] = n->reg[--n->nreg];
			return;
		}
	}
}

struct ip_netif *ip_net_find(const struct ip_net *n, uint32_t bus, int id)
{
	for (size_t i = 0; i < n->nreg; i++)
		if (n->reg[i].bus == bus && n->reg[i].id == id)
			return n->reg[i].nif;
	return NULL;
}

uint32_t ip_net_add_host(struct ip_net *n)
{
	return n->nhosts++;
}

/* --- datagrams crossing a bus -------------------------------------------- */

struct ip_link_rec *ip_net_link_sent(struct ip_net *n, uint32_t bus,
				     uint8_t src, uint8_t dst,
				     const uint8_t *data, uint32_t len,
				     uint64_t tag)
{
	struct ip_link_rec *r = sim_calloc(n->sim, 1, sizeof *r);
	if (r == NULL)
		return NULL; /* the receiver will find no tag: counters only */
	r->bus = bus;
	r->src = src;
	r->dst = dst;
	r->tag = tag;
	r->len = len;
	memcpy(r->head, data, len < sizeof r->head ? len : sizeof r->head);
	/* at the end: the oldest first */
	struct ip_link_rec **pp = &n->links;
	while (*pp)
		pp = &(*pp)->next;
	*pp = r;
	return r;
}

static void link_unlink(struct ip_net *n, struct ip_link_rec *r)
{
	struct ip_link_rec **pp = &n->links;
	while (*pp != r)
		pp = &(*pp)->next;
	*pp = r->next;
	sim_free(n->sim, r);
}

/* Which datagram did (bus, src -> dst) carry?  The one whose first bytes
 * match (its IP header: identification, offset, lengths); if none does
 * (bytes changed on the way), the oldest between the two. */
uint64_t ip_net_link_received(struct ip_net *n, uint32_t bus, uint8_t src,
			      uint8_t dst, const uint8_t *data, uint32_t len)
{
	struct ip_link_rec *match = NULL, *oldest = NULL;
	for (struct ip_link_rec *r = n->links; r != NULL; r = r->next) {
		if (r->bus != bus || r->src != src || r->dst != dst)
			continue;
		if (oldest == NULL && !r->consumed)
			oldest = r;
		size_t k = len < sizeof r->head ? len : sizeof r->head;
		if (match == NULL && r->len == len &&
		    memcmp(r->head, data, k) == 0)
			match = r;
	}
	struct ip_link_rec *r = match ? match : oldest;
	if (r == NULL)
		return 0;
	uint64_t tag = r->tag;
	r->consumed = 1;
	if (r->sender_done)
		link_unlink(n, r);
	return tag;
}

int ip_net_link_done(struct ip_net *n, struct ip_link_rec *r, int sent)
{
	if (r == NULL)
		return !sent;
	int lost = !sent && !r->consumed;
	if (r->consumed || !sent) {
		link_unlink(n, r);
	} else {
		/* sent, but the receiver has not said so yet (a bus-master
		 * interrupts its host a little later): it removes it */
		r->sender_done = 1;
	}
	return lost;
}

void ip_net_links_free(struct ip_net *n)
{
	while (n->links != NULL)
		link_unlink(n, n->links);
}

/* --- a device that is no IP host (ip_net.h) ------------------------------ */

uint64_t ip_net_foreign_sent(struct ip_net *n, uint32_t bus, uint8_t src,
			     uint8_t dst, const uint8_t *data, uint32_t len,
			     uint64_t tag, struct ip_link_rec **rec)
{
	if (tag == 0)
		tag = ip_net_new_tag(n);
	*rec = ip_net_link_sent(n, bus, src, dst, data, len, tag);
	return tag;
}

void ip_net_foreign_done(struct ip_net *n, struct ip_link_rec *rec,
			 uint64_t tag, int sent, enum ip_drop why)
{
	/* as link_done() does for a host's own datagram */
	if (ip_net_link_done(n, rec, sent))
		ip_net_dropped(n, tag, why);
}
