/*
 * ip_host.h - one simulated host's IPv4 stack: interfaces on SCSI
 * adapters (RFC 2143), a routing table, IPv4 input and output with
 * fragmentation and reassembly (RFC 791), forwarding on gateways, ICMP
 * (RFC 792: echo, destination unreachable, time exceeded), UDP (RFC
 * 768) sockets.
 *
 * Every datagram handed down is accounted in ip_net (ip_net.h): it ends
 * delivered or dropped with a reason, and the host counts its own share
 * of both (ip_host_stats).
 *
 * The host's input work: each datagram received takes `input_cost` of
 * the host's CPU before the stack has it, one at a time; until then it
 * holds one of its interface's receive slots, and a station with none
 * free answers BUSY (adapter.h), so a host that cannot keep up slows its
 * senders down instead of losing datagrams.
 *
 * Ownership: payloads passed to the send calls are copied before they
 * return; received payloads are lent to the callbacks for the call only.
 * Hosts, interfaces and sockets are freed by ip_host_destroy().
 */
#ifndef IP_HOST_H
#define IP_HOST_H

#include "adapter.h"
#include "ip_net.h"

struct ip_host;
struct udp_sock;

/* Defaults and their sources. */
#define IP_INPUT_COST (20 * SIM_US)  /* per datagram received: a few
				      * thousand instructions of input,
				      * checks and copy on a 486 [inf] */
#define ARP_CACHE_TIME (1200 * SIM_S) /* 20 minutes: BSD's arpt_keep */
#define ARP_NEG_TIME (20 * SIM_S)     /* BSD's arpt_down (20 s): an
				       * address that did not resolve */
#define ARP_RETRY_TIME (1 * SIM_S)    /* between rounds: Linux's
				       * retrans_time, 1 s */
#define ARP_ROUNDS 3                  /* Linux's mcast_solicit, 3 */
#define ARP_REPLY_WAIT (10 * SIM_MS)  /* after a request a station took:
				       * its owner answers within about a
				       * millisecond even over ISA, and
				       * asking the next ID meanwhile
				       * could hold the bus for a 250 ms
				       * selection time-out [inf] */
#define ARP_QUEUE_MAX 64              /* packets waiting per address */
#define ARP_QUEUE_BYTES 212992        /* ... and their bytes: Linux's
				       * unres_qlen_bytes default (a count
				       * of packets alone would drop the
				       * fragments of one big datagram) */

struct ip_host_config {
	const char *name;          /* copied */
	int forwarding;            /* a gateway: forward datagrams */
	sim_time_t input_cost;     /* 0 = IP_INPUT_COST */
	/* reassembly: 0 = defaults (ip_frag.h) */
	sim_time_t reasm_timeout;
	uint32_t reasm_max_bytes;
};

struct ip_netif_config {
	const char *name;          /* copied; "scsi0" */
	struct adapter *ad;        /* the caller's; outlives the host */
	uint32_t bus;              /* the bus's index (traces, pcap) */
	uint32_t addr;             /* host-order IPv4 address */
	uint8_t plen;              /* prefix length of its subnet */
	uint32_t mtu;              /* 576..65535 */
	/* address resolution; 0 = the defaults above */
	sim_time_t arp_cache_time, arp_neg_time, arp_retry_time;
	sim_time_t arp_reply_wait;
	uint32_t arp_rounds, arp_queue_max, arp_queue_bytes;
};

struct ip_send_opts {
	uint8_t ttl;               /* 0 = IP_DEFAULT_TTL */
	uint8_t df;                /* set Don't Fragment */
};

struct ip_netif_stats {
	uint64_t tx_datagrams, tx_bytes, rx_datagrams, rx_bytes;
	uint64_t arp_requests, arp_replies_sent, arp_replies_got;
	uint64_t arp_requests_got, arp_failures, arp_absent_ids;
	uint64_t link_results[AD_RESULTS]; /* per adapter result */
	uint64_t rx_bad_type;      /* unknown RFC 2143 protocol types */
};

struct ip_host_stats {
	uint64_t sent;             /* datagrams this host created */
	uint64_t delivered;        /* datagrams that ended here, taken */
	uint64_t forwarded;
	uint64_t fragments_sent, reassembled;
	uint64_t drops[IP_DROP_COUNT]; /* datagrams that ended here, lost */
	uint64_t icmp_sent, icmp_received;
};

/* Errors: SN_EINVAL (no name), SN_ENOMEM. */
enum sn_err ip_host_create(struct ip_net *net, const struct ip_host_config *cfg,
			   struct ip_host **out);
/* Frees the host, its interfaces and sockets; datagrams still queued in
 * it are dropped (IP_DROP_HOST_DOWN). */
void ip_host_destroy(struct ip_host *h);

/* Add an interface on an adapter; its subnet becomes a connected route.
 * Errors: SN_ERANGE (MTU outside 576..65535, plen > 32), SN_EINVAL (no
 * adapter, address 0, or the adapter already used), SN_EEXIST (the
 * address is another interface's), SN_ENOMEM.  *ifindex gets the
 * interface's index in this host (0, 1, ...). */
enum sn_err ip_host_add_netif(struct ip_host *h,
			      const struct ip_netif_config *cfg, int *ifindex);
/* A route: to prefix/plen through `gateway` (0: directly on `ifindex`).
 * ifindex -1 takes the interface whose subnet holds the gateway.
 * Errors: SN_ERANGE, SN_EINVAL (prefix bits beyond plen, no interface
 * reaches the gateway), SN_EEXIST, SN_ENOMEM. */
enum sn_err ip_host_add_route(struct ip_host *h, uint32_t prefix,
			      uint8_t plen, uint32_t gateway, int ifindex,
			      uint32_t metric);
/* A static address-resolution entry: `addr` is SCSI ID `id` on the
 * interface.  Errors: SN_EINVAL (no such interface), SN_ERANGE (the ID
 * is not on the bus), SN_ENOMEM. */
enum sn_err ip_host_add_arp(struct ip_host *h, int ifindex, uint32_t addr,
			    uint8_t id);

/* Power the host off (0) or on (1): off, its adapters answer no
 * selection and send nothing (adapter_attach), datagrams it holds or is
 * given are dropped as host-down, and it forgets what address resolution
 * had learned (static entries stay).  Applications keep their timers. */
void ip_host_set_up(struct ip_host *h, int up);
int ip_host_is_up(const struct ip_host *h);

/* Send `len` bytes as the payload of protocol `proto` to `dst`, from the
 * outgoing interface's address.  The datagram is accounted from here on
 * (a synchronous failure such as no route is a counted drop, not an
 * error).  *tag (may be NULL) gets its tag.  Errors: SN_EINVAL (payload
 * too long for 65535 - 20 bytes, dst 0). */
enum sn_err ip_send(struct ip_host *h, uint8_t proto, uint32_t dst,
		    const uint8_t *payload, uint32_t len,
		    const struct ip_send_opts *opts, uint64_t *tag);

/* --- ICMP echo (ping) ----------------------------------------------------- */

/* An echo reply for identifier `id` arrived. */
typedef void (*icmp_echo_fn)(struct ip_host *h, uint32_t from, uint16_t id,
			     uint16_t seq, const uint8_t *data, uint32_t len,
			     void *arg);
/* An ICMP error about a datagram this host sent: `type`/`code` from
 * `from`, with the original IP header and the first 8 bytes of its
 * payload (RFC 792). */
typedef void (*icmp_error_fn)(struct ip_host *h, uint32_t from, uint8_t type,
			      uint8_t code, const uint8_t *orig,
			      uint32_t orig_len, void *arg);

/* Take echo replies (and errors about echoes) with identifier `id`.
 * Errors: SN_EEXIST, SN_ENOMEM. */
enum sn_err icmp_echo_listen(struct ip_host *h, uint16_t id, icmp_echo_fn fn,
			     icmp_error_fn err, void *arg);
void icmp_echo_unlisten(struct ip_host *h, uint16_t id);
/* Send an echo request with `size` bytes of data (a pattern) to `dst`. */
enum sn_err icmp_echo_send(struct ip_host *h, uint32_t dst, uint16_t id,
			   uint16_t seq, uint32_t size,
			   const struct ip_send_opts *opts, uint64_t *tag);

/* --- UDP ---------------------------------------------------------------- */

typedef void (*udp_rx_fn)(struct udp_sock *s, uint32_t src, uint16_t sport,
			  const uint8_t *data, uint32_t len, void *arg);

/* A socket on `port` (0: an ephemeral port from 49152).  err (may be
 * NULL) gets ICMP errors about its datagrams.  Errors: SN_EEXIST (port
 * taken), SN_ENOMEM. */
enum sn_err udp_open(struct ip_host *h, uint16_t port, udp_rx_fn rx,
		     icmp_error_fn err, void *arg, struct udp_sock **out);
void udp_close(struct udp_sock *s);
uint16_t udp_port(const struct udp_sock *s);
struct ip_host *udp_host(const struct udp_sock *s);
/* Errors: SN_EINVAL (too long, dst 0). */
enum sn_err udp_sendto(struct udp_sock *s, uint32_t dst, uint16_t dport,
		       const uint8_t *data, uint32_t len,
		       const struct ip_send_opts *opts, uint64_t *tag);

/* --- inspection --------------------------------------------------------- */

const char *ip_host_name(const struct ip_host *h);
uint32_t ip_host_index(const struct ip_host *h);
int ip_host_netif_count(const struct ip_host *h);
uint32_t ip_host_netif_addr(const struct ip_host *h, int ifindex);
const struct ip_netif_stats *ip_host_netif_stats(const struct ip_host *h,
						 int ifindex);
const struct ip_host_stats *ip_host_stats(const struct ip_host *h);
/* The SCSI ID `addr` resolves to on the interface, or -1. */
int ip_host_arp_lookup(const struct ip_host *h, int ifindex, uint32_t addr);

/* "10.0.0.1" -> host order; SN_EINVAL if malformed. */
enum sn_err ip_addr_parse(const char *s, uint32_t *out);
/* host order -> "10.0.0.1" into buf (at least 16 bytes); returns buf. */
char *ip_addr_str(uint32_t a, char *buf);

#endif
