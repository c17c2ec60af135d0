/*
 * fuzz_arp.c - address resolution over SCSI (RFC 2143 section 4, RFC 826
 * with one-byte hardware addresses: ipstack/netif_scsi.c) as a device on
 * the bus can feed it: requests and replies, well formed or not, forged
 * sender addresses and IDs, answers nobody asked for, then traffic that
 * uses what the hosts learned.
 *
 * The network is fz_net.h's (hosts H and K, gateway G, a peer on each
 * bus).  Each packet goes from the peer to a host as RFC 2143 type 1;
 * after it, if asked, the receiving host pings the packet's sender and
 * target addresses, so that a poisoned or half-made cache entry is used
 * (the datagrams then go to the peer, wait for resolution, or fail it).
 * The simulation runs until the network is quiet and fz_net_free()
 * checks the ledger, the buses' protocol and the capture.
 *
 * Input: one flags byte (bit 0: the hosts hold static entries for the
 * peers' own addresses, which no packet may change; bit 1: H runs its
 * applications towards K, see fz_net.h), then up to MAX_RECORDS
 * records:
 *   ctl   bits 0-1: to H (bus A, ID 3), G on A (ID 1), K (bus B, ID 2)
 *         or G on B (ID 7); bit 2: make the fixed fields right (hardware
 *         type 256, protocol 0x0800, lengths 1 and 4, the sender ID the
 *         peer's own); bit 3: then ping the sender and target addresses
 *         from that host; bits 4-5: opcode kept, request, reply, kept;
 *         bits 6-7: wait before it: 0, 1 ms, 1.5 s (past a resolution
 *         round) or 21 s (past the negative-cache time)
 *   len   8 bits (0 is taken as ARP_LEN, 18)
 *   data  len bytes (fewer if the input ends first)
 */
#include <string.h>

#include "fz.h"
#include "fz_net.h"
#include "ip_wire.h"

#define MAX_RECORDS 16

static const struct {
	int bus, id, host, peer_id;
} dests[4] = {
	{ 0, 3, FZ_HOST_H, 9 }, { 0, 1, FZ_HOST_G, 9 },
	{ 1, 2, FZ_HOST_K, 5 }, { 1, 7, FZ_HOST_G, 5 },
};

static const sim_time_t waits[4] = { 0, 1 * SIM_MS, 1500 * SIM_MS,
				     21 * SIM_S };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz_in in = { data, size };
	uint8_t flags = fz_u8(&in);
	struct fz_net *n = fz_net_new((flags & 2) != 0);
	if (flags & 1) {
		fz_net_static_arp(n, FZ_ADDR_P);
		fz_net_static_arp(n, FZ_ADDR_Q);
	}
	sim_time_t at = 1 * SIM_MS;
	for (int r = 0; r < MAX_RECORDS && in.n > 0; r++) {
		uint8_t ctl = fz_u8(&in);
		uint8_t want = fz_u8(&in);
		size_t got;
		const uint8_t *p = fz_bytes(&in, want ? want : ARP_LEN, &got);
		if (got == 0)
			break;
		uint8_t pkt[256];
		memcpy(pkt, p, got);
		int d = ctl & 3;
		if ((ctl & 4) && got >= ARP_LEN) {
			ip_put16(pkt + ARP_OFF_HTYPE, ARP_HTYPE_SCSI);
			ip_put16(pkt + ARP_OFF_PTYPE, ETHERTYPE_IPV4);
			pkt[ARP_OFF_HLEN] = ARP_HLEN;
			pkt[ARP_OFF_PLEN] = ARP_PLEN;
			pkt[ARP_OFF_SHA] = (uint8_t)dests[d].peer_id;
		}
		uint8_t op = (ctl >> 4) & 3;
		if ((op == 1 || op == 2) && got >= ARP_OFF_OP + 2)
			ip_put16(pkt + ARP_OFF_OP, op);
		at += waits[ctl >> 6];
		if (fz_net_inject(n, dests[d].bus, dests[d].id,
				  RFC2143_TYPE_ARP, pkt, (uint32_t)got,
				  at) != 0)
			continue;
		if ((ctl & 8) && got >= ARP_LEN) {
			/* after the host's input cost has passed */
			sim_time_t then = at + 2 * SIM_MS;
			int h = dests[d].host;
			fz_net_ping(n, h, ip_get32(pkt + ARP_OFF_SPA), 56,
				    then);
			fz_net_ping(n, h, ip_get32(pkt + ARP_OFF_TPA), 56,
				    then);
		}
	}
	fz_net_run(n);
	fz_net_free(n);
	return 0;
}
