/*
 * ip_priv.h - what ip_net.c, ip_host.c and netif_scsi.c share: the
 * structures of a host, its interfaces, address resolution and the
 * datagrams on their way.  Not for use outside ipstack/.
 */
#ifndef IP_PRIV_H
#define IP_PRIV_H

#include "ip_frag.h"
#include "ip_host.h"
#include "ip_route.h"
#include "ip_trace.h"
#include "ip_wire.h"

#define IP_MAX_NETIFS 8
#define SCSI_MAX_IDS 16

/* A datagram held by a host: queued for address resolution, or
 * received and waiting for the host's CPU.  The bytes follow. */
struct ip_pkt {
	struct ip_pkt *next;
	struct ip_netif *nif;      /* received on / leaving by */
	uint64_t tag;
	uint32_t len;
	uint32_t nexthop;          /* leaving: the next hop's address */
	uint8_t type;              /* received: RFC 2143 protocol type */
	uint8_t src_id;            /* received: the sender's SCSI ID */
	uint8_t forwarded;         /* leaving: from another host */
	uint8_t data[];
};

/* A datagram crossing a bus: what the sender registered, so that the
 * receiver can tell which datagram it got (ip_net.h). */
struct ip_link_rec {
	struct ip_link_rec *next;
	uint32_t bus;
	uint8_t src, dst;
	uint8_t consumed;          /* the receiver took it */
	uint8_t sender_done;
	uint64_t tag;
	uint32_t len;
	uint8_t head[32];          /* its first bytes (the IP header) */
};

struct ip_reg {
	uint32_t bus;
	int id;
	struct ip_netif *nif;
};

/* Who sent a datagram (ip_net_sender_drops). */
struct ip_sender {
	uint32_t host;
	uint8_t proto;
	uint16_t port;
	uint64_t drops[IP_DROP_COUNT];
};

struct ip_net {
	struct sim *sim;
	sim_trace_source_t src;
	uint8_t *tags;             /* state per tag (ip_net.c) */
	uint32_t *sender;          /* per tag: 1 + index into senders */
	sim_time_t *born;          /* per tag: when it entered the network */
	size_t ntags, tags_cap;
	struct ip_sender *senders;
	uint32_t nsenders, senders_cap;
	struct ip_net_stats stats;
	struct ip_reg *reg;
	size_t nreg, reg_cap;
	struct ip_link_rec *links; /* datagrams crossing buses */
	uint32_t cur_sender;       /* 1 + index, while a socket sends */
	uint32_t nhosts;
};

enum arp_state { ARP_INCOMPLETE, ARP_RESOLVED, ARP_NEGATIVE, ARP_STATIC };

struct arp_entry {
	struct arp_entry *next;
	struct ip_netif *nif;
	uint32_t addr;
	enum arp_state st;
	uint8_t id;                /* RESOLVED, STATIC: the SCSI ID */
	sim_time_t expires;        /* RESOLVED, NEGATIVE */
	/* INCOMPLETE: the round of requests under way */
	uint32_t round;
	int next_id;               /* the next ID to ask */
	int asking;                /* a request is with the adapter */
	int waiting;               /* in the interface's ask queue */
	struct arp_entry *ask_next;
	struct sim_event ev;       /* the wait between rounds */
	struct sim_event reply_ev; /* the wait for a delivered request's
				    * answer before asking the next ID */
	struct ip_pkt *q_head, *q_tail;
	uint32_t qlen, qbytes;
};

/* One SEND MESSAGE(10) handed to the adapter. */
struct link_tx {
	struct adapter_tx tx;
	struct link_tx *next;      /* the interface's FIFO */
	struct ip_netif *nif;
	struct ip_link_rec *rec;   /* IPv4: its registration */
	uint64_t tag;
	int is_arp;
	struct arp_entry *asked;   /* an ARP request for this entry */
	uint8_t data[];
};

struct ip_netif {
	struct ip_host *h;
	int index;
	char name[16];
	struct adapter *ad;
	uint32_t bus, addr, mask, mtu;
	uint8_t plen;
	int id, ids;               /* own SCSI ID; IDs on the bus */
	sim_time_t arp_cache_time, arp_neg_time, arp_retry_time;
	sim_time_t arp_reply_wait;
	uint32_t arp_rounds, arp_queue_max, arp_queue_bytes;
	struct arp_entry *arp;
	sim_time_t absent_until[SCSI_MAX_IDS]; /* IDs that did not answer */
	/* one request on the bus at a time per interface: entries wait
	 * their turn here, one ID each turn (ARP's rate limit, and what
	 * one entry learns of an absent ID the others use) */
	struct arp_entry *ask_head, *ask_tail;
	int ask_busy;
	struct link_tx *tx_head, *tx_tail;
	struct ip_netif_stats stats;
};

struct echo_listener {
	struct echo_listener *next;
	uint16_t id;
	icmp_echo_fn fn;
	icmp_error_fn err;
	void *arg;
};

struct udp_sock {
	struct udp_sock *next;
	struct ip_host *h;
	uint16_t port;
	udp_rx_fn rx;
	icmp_error_fn err;
	void *arg;
};

struct ip_host {
	struct ip_net *net;
	struct sim *sim;
	char name[32];
	uint32_t index;
	int forwarding;
	sim_time_t input_cost;
	struct ip_netif *nif[IP_MAX_NETIFS];
	int nnif;
	struct ip_rtable *rt;
	struct ip_reasm *reasm;
	uint16_t next_ip_id;
	uint16_t next_port;
	struct udp_sock *socks;
	struct echo_listener *echo;
	/* received datagrams waiting for the CPU, in arrival order */
	struct ip_pkt *in_head, *in_tail;
	struct sim_event in_ev;
	int in_busy;
	uint8_t *frag_scratch;     /* IP_MAX_LEN bytes, for fragmenting */
	int down;                  /* powered off (ip_host_set_up) */
	struct ip_host_stats stats;
};

/* ip_net.c: the interface registry and the datagrams crossing buses */
enum sn_err ip_net_register(struct ip_net *n, uint32_t bus, int id,
			    struct ip_netif *nif);
void ip_net_unregister(struct ip_net *n, struct ip_netif *nif);
struct ip_netif *ip_net_find(const struct ip_net *n, uint32_t bus, int id);
uint32_t ip_net_add_host(struct ip_net *n);
/* The sender of the datagrams tagged from now on (0: none). */
void ip_net_sending_as(struct ip_net *n, uint32_t host, uint8_t proto,
		       uint16_t port);
void ip_net_sending_done(struct ip_net *n);
struct ip_link_rec *ip_net_link_sent(struct ip_net *n, uint32_t bus,
				     uint8_t src, uint8_t dst,
				     const uint8_t *data, uint32_t len,
				     uint64_t tag);
uint64_t ip_net_link_received(struct ip_net *n, uint32_t bus, uint8_t src,
			      uint8_t dst, const uint8_t *data, uint32_t len);
/* The sender's command ended; returns 1 if no receiver took the
 * datagram (the sender accounts its loss). */
int ip_net_link_done(struct ip_net *n, struct ip_link_rec *rec, int sent);

/* ip_host.c: what the interfaces call */
void ip_host_drop(struct ip_host *h, uint64_t tag, enum ip_drop why);
void ip_host_input(struct ip_host *h, struct ip_pkt *p);
void ip_host_link_failed(struct ip_host *h, uint64_t tag,
			 enum adapter_result r);
/* A datagram this gateway could not deliver to its next hop (address
 * resolution failed): ICMP host unreachable to its source (RFC 1812
 * 5.2.7.1), under RFC 1122's rules. */
void ip_host_unreachable(struct ip_host *h, const uint8_t *dg, uint32_t len);

/* netif_scsi.c: the RFC 2143 link */
enum sn_err netif_create(struct ip_host *h, const struct ip_netif_config *cfg,
			 int index, struct ip_netif **out);
void netif_destroy(struct ip_netif *nif);
/* Send an IPv4 datagram to `nexthop` on this interface (resolving it
 * first if need be).  The interface copies the bytes. */
void netif_output(struct ip_netif *nif, uint32_t nexthop,
		  const uint8_t *dg, uint32_t len, uint64_t tag, int forwarded);
/* An ARP packet received: resolve, answer. */
void netif_arp_input(struct ip_netif *nif, uint8_t src_id,
		     const uint8_t *pkt, uint32_t len);
enum sn_err netif_arp_static(struct ip_netif *nif, uint32_t addr, uint8_t id);
int netif_arp_lookup(const struct ip_netif *nif, uint32_t addr);
/* Forget what resolution learned (static entries stay); datagrams
 * waiting for it are dropped as `why`. */
void netif_arp_flush(struct ip_netif *nif, enum ip_drop why);

#endif
