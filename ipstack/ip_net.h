/*
 * ip_net.h - the IP side of one simulation: every host's stack registers
 * here, and here every datagram is accounted for.
 *
 * Accounting: each datagram an application or a host's stack hands down
 * (an ICMP error a gateway sends included; address-resolution packets
 * are counted apart, in the interfaces' statistics) gets a tag when it
 * is created.  The tag is simulation bookkeeping that travels beside the
 * bytes, never on the wire: fragments carry their datagram's tag, a
 * gateway forwards it unchanged.  A tag ends exactly once, in the first
 * of: delivered (to a socket or ICMP handler of its destination), or
 * dropped with a reason.  Later events for an ended tag (the other
 * fragments of a datagram already dropped) are counted as such and do
 * not count again.  So at any time
 *
 *     sent = delivered + dropped + in flight
 *
 * and ip_net_check() says whether that holds (it can only fail if the
 * model loses or double-counts a datagram: a bug).
 *
 * How a tag crosses a SCSI bus: each adapter runs its SEND MESSAGE
 * commands one at a time in order, so the datagram a station receives
 * from initiator ID x on bus b is the oldest unfinished one of the
 * interface at (b, x); ip_net keeps the interfaces by bus and ID for
 * that lookup.
 */
#ifndef IP_NET_H
#define IP_NET_H

#include <stdint.h>

#include "sim.h"

/* Why a datagram was dropped.  Names (ip_drop_name) are what results and
 * scenario reports print. */
enum ip_drop {
	IP_DROP_NO_ROUTE,        /* no route to the destination */
	IP_DROP_TTL,             /* TTL expired in transit */
	IP_DROP_RESOLUTION,      /* address resolution failed */
	IP_DROP_SEL_TIMEOUT,     /* the next hop's SCSI ID did not answer */
	IP_DROP_BUSY,            /* the next hop stayed BUSY through retries */
	IP_DROP_REFUSED,         /* the next hop is no RFC 2143 station */
	IP_DROP_BUS_ERROR,       /* resets / bus errors through retries */
	IP_DROP_QUEUE_FULL,      /* a bounded queue was full */
	IP_DROP_REASM_TIMEOUT,   /* a fragment never came */
	IP_DROP_REASM_MEMORY,    /* reassembly memory bound reached */
	IP_DROP_BAD_CHECKSUM,    /* header or UDP checksum wrong */
	IP_DROP_BAD_HEADER,      /* version, lengths, truncation */
	IP_DROP_FRAG_NEEDED,     /* too big for the next MTU and DF set */
	IP_DROP_NO_PORT,         /* no UDP socket on the port */
	IP_DROP_NO_PROTO,        /* no handler for the IP protocol */
	IP_DROP_NOT_FORWARDING,  /* not ours and this host does not route */
	IP_DROP_LINK_TYPE,       /* unknown RFC 2143 protocol type */
	IP_DROP_NO_MEMORY,       /* the simulator ran out of memory */
	IP_DROP_HOST_DOWN,       /* the host or interface was torn down */
	IP_DROP_COUNT
};
const char *ip_drop_name(enum ip_drop r);

struct ip_net_stats {
	uint64_t sent, delivered, dropped;
	uint64_t drops[IP_DROP_COUNT];
	uint64_t late_events;    /* drops/deliveries for tags already ended */
};

struct ip_net;

/* Errors: SN_ENOMEM. */
enum sn_err ip_net_create(struct sim *sim, struct ip_net **out);
/* Frees the registry; hosts must be destroyed first. */
void ip_net_destroy(struct ip_net *net);

/* A new datagram enters the network: its tag. */
uint64_t ip_net_new_tag(struct ip_net *net);
/* The datagram of `tag` reached its destination, or was dropped. */
void ip_net_delivered(struct ip_net *net, uint64_t tag);
void ip_net_dropped(struct ip_net *net, uint64_t tag, enum ip_drop why);
/* Has `tag` ended? */
int ip_net_tag_ended(const struct ip_net *net, uint64_t tag);

const struct ip_net_stats *ip_net_stats(const struct ip_net *net);
/* sent - delivered - dropped: datagrams still on their way. */
uint64_t ip_net_in_flight(const struct ip_net *net);
/* Of the datagrams (with a tag) still in flight: how many entered the
 * network before `before`, and by *oldest (may be NULL) when the oldest
 * did (SIM_TIME_MAX if none is in flight).  A run reports its datagrams
 * in flight with their age, so that one stuck for seconds shows. */
uint64_t ip_net_in_flight_ages(const struct ip_net *net, sim_time_t before,
			       sim_time_t *oldest);
/* Does sent = delivered + dropped + in flight hold, counting the tags
 * one by one?  0 if it does. */
int ip_net_check(const struct ip_net *net);

/* Per sender: the drops of the datagrams a socket sent (proto 17, its
 * port) or an ICMP echo identifier (proto 1, the identifier) of host
 * `host` (ip_host_index), by reason; NULL if it lost none. */
const uint64_t *ip_net_sender_drops(const struct ip_net *net, uint32_t host,
				    uint8_t proto, uint16_t port);

struct sim *ip_net_sim(const struct ip_net *net);

/* --- a device that is no IP host ---------------------------------------
 * A test seam, for tests and fuzzers that put bytes on a bus through an
 * adapter of their own (adapter_send) rather than through a host's
 * stack: it accounts such a datagram as if a host had sent it, so the
 * receiving station's host ends it (delivered, or dropped with its
 * reason) and ip_net_check() holds the receiving side to account for
 * every byte a peer can send.  Call ip_net_foreign_sent() just before
 * adapter_send() of an RFC 2143 type 0 (IPv4) datagram of `len` bytes
 * from SCSI ID `src` to `dst` on bus `bus` (ip_netif_config.bus), with
 * `tag` 0 for a new datagram, or the tag an earlier call returned for
 * another fragment of the same datagram (fragments carry their
 * datagram's tag, as a host's do).  It returns the tag and *rec, to give
 * to ip_net_foreign_done()
 * with the request's outcome when adapter_send's done callback comes:
 * `sent` is result == AD_SENT, and `why` the drop reason if it was not
 * (IP_DROP_SEL_TIMEOUT for AD_NO_TARGET, and so on, as a host's stack
 * counts them).  Scenarios never use it. */
struct ip_link_rec;
uint64_t ip_net_foreign_sent(struct ip_net *net, uint32_t bus, uint8_t src,
			     uint8_t dst, const uint8_t *data, uint32_t len,
			     uint64_t tag, struct ip_link_rec **rec);
void ip_net_foreign_done(struct ip_net *net, struct ip_link_rec *rec,
			 uint64_t tag, int sent, enum ip_drop why);

#endif
