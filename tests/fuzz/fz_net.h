/*
 * fz_net.h - a small IP network for the fuzz harnesses that play a
 * simulated peer (fuzz_ip_input, fuzz_arp): what a device on a SCSI bus
 * can send a host, sent the way such a device would, through a real
 * adapter doing SEND MESSAGE(10) on the bus (RFC 2143 section 3), so
 * every byte reaches the hosts through their stations, drivers and
 * input queues, as in a run.
 *
 *   bus 0 "A": wide, Fast, 3 m          bus 1 "B": narrow, SCSI-2, 3 m
 *     ID 3  host H  10.0.0.3/24 pci-fw    ID 2  host K  10.0.1.2/24 aha1522
 *     ID 1  gateway G 10.0.0.1 pci-fw     ID 7  gateway G 10.0.1.7 aha1522
 *     ID 9  the peer P (raw pci-fw)       ID 5  the peer Q (raw aha1522)
 *
 * Bus B's MTU is 576, so G fragments what it forwards from A to B, and K
 * reassembles.  H and K route by default through G.  H echoes UDP on
 * port 7 (to any source port but 7, at most FZ_NET_ECHO_MAX times, so
 * that two echoes cannot talk forever) and listens for ICMP echo replies
 * with identifier FZ_NET_ECHO_ID.  From 1 ms on H runs the applications
 * of ip_apps.h towards K (if fz_net_new is asked to: they cost the
 * time of about 14 datagrams on each input), so that the peers'
 * datagrams meet them as
 * forged answers: a ping (2 requests, identifier FZ_NET_PING_ID), a
 * traceroute (2 hops, 1 probe each), a UDP flow (2 datagrams of 16
 * bytes at 20/s, from an ephemeral port) to a sink on K's port
 * FZ_NET_SINK_PORT, and a work distribution (2 units of 600 bytes,
 * fragmented on bus B) to a worker on K's port FZ_NET_WORK_PORT.  Small,
 * because every input runs them.
 *
 * The peers P (10.0.0.9) and Q (10.0.1.5) are IP hosts too, so that what
 * the others send them ends in a stack and the ledger can balance (a
 * datagram a station takes that no IP stack takes up stays "in flight"
 * for ever), but the fuzzer's bytes go out through their adapters
 * directly (adapter_send), not through their stacks.  Each IPv4 one is
 * accounted in the ledger as a datagram all the same
 * (ip_net_foreign_sent), so the receiving hosts must end every one of
 * them, forwarded, reassembled, answered or dropped with a reason.  fz_net_static_arp()
 * tells the hosts on an address's subnet that it is at the peer's ID, so
 * that answers to a forged source go out instead of failing address
 * resolution (without it they fail, which is a path too).  Every bus has
 * the protocol checker; a pcap writer (viz_pcap) captures to /dev/null.
 *
 * fz_net_free() checks what must hold after any input: the network went
 * quiet (no event left), the datagram ledger balances (ip_net_check)
 * with nothing in flight, every application finished with figures that
 * add up, no bus protocol violation, the capture holds a
 * frame per datagram the stations took, and nothing allocated through
 * the sim is left after teardown.  A failure is fz_fail().  With
 * FUZZ_DEBUG=1 in the environment it first prints what every host
 * counted, on stderr.
 */
#ifndef FZ_NET_H
#define FZ_NET_H

#include <stdint.h>

#include "ip_host.h"

#define FZ_NET_ECHO_MAX 32
#define FZ_NET_ECHO_ID 0x5a17
#define FZ_NET_PING_ID 0x7001
#define FZ_NET_SINK_PORT 9
#define FZ_NET_WORK_PORT 5000

enum { FZ_HOST_H, FZ_HOST_G, FZ_HOST_K, FZ_NHOSTS };

/* The addresses above, host order. */
#define FZ_ADDR_H 0x0a000003u
#define FZ_ADDR_G_A 0x0a000001u
#define FZ_ADDR_G_B 0x0a000107u
#define FZ_ADDR_K 0x0a000102u
#define FZ_ADDR_P 0x0a000009u   /* what a peer on A would claim */
#define FZ_ADDR_Q 0x0a000105u   /* ... on B */

struct fz_net;

struct fz_net *fz_net_new(int apps);
struct sim *fz_net_sim(struct fz_net *n);
struct ip_host *fz_net_host(struct fz_net *n, int which);
/* A static ARP entry for `addr` at the peer's ID on the hosts of its
 * subnet (none for H's, G's and K's addresses, or off both subnets). */
void fz_net_static_arp(struct fz_net *n, uint32_t addr);

/* At absolute time `at`, the peer on `bus` (0: P, 1: Q) sends `len`
 * bytes (1..65535, copied) with RFC 2143 protocol type `type` (0..15) to
 * SCSI ID `target`.  Returns 0, or -1 if it cannot be sent as asked (the
 * harness then skips it). */
int fz_net_inject(struct fz_net *n, int bus, int target, uint8_t type,
		  const uint8_t *data, uint32_t len, sim_time_t at);
/* At `at`, host `which` is switched off (up 0) or on (ip_host_set_up). */
void fz_net_power(struct fz_net *n, int which, int up, sim_time_t at);
/* At `at`, host `which` pings `dst` once with `size` bytes of data. */
void fz_net_ping(struct fz_net *n, int which, uint32_t dst, uint32_t size,
		 sim_time_t at);
/* Run until the network is quiet (fails if it never is). */
void fz_net_run(struct fz_net *n);
/* Check, tear down, check again, free. */
void fz_net_free(struct fz_net *n);

/* Make an IPv4 datagram's fields consistent where a fuzzer would rarely
 * get them right: with `total`, the total length = len; the header
 * checksum; and for a whole (unfragmented) ICMP or UDP datagram, its
 * checksum (and, with `total`, the UDP length).  Fields that do not fit
 * in len are left alone. */
void fz_ip_fix(uint8_t *dg, uint32_t len, int total);

#endif
