/*
 * fuzz_ip_input.c - what a device on the bus can make a host's IPv4
 * stack do (ipstack/ip_host.c: header checks, ICMP, UDP, forwarding,
 * fragmentation at the gateway, reassembly, ICMP errors; the RFC 2143
 * input path of ipstack/netif_scsi.c; the station side of the adapters).
 *
 * The network is fz_net.h's: hosts H and K, gateway G between a wide
 * Fast bus and a narrow SCSI-2 bus of MTU 576, and a peer on each bus
 * that sends the fuzzer's datagrams with SEND MESSAGE(10) through a real
 * adapter, as any device on the bus could.  After the last datagram the
 * simulation runs until the network is quiet, so that every answer, ICMP
 * error, forwarded fragment and reassembly time-out has happened, and
 * fz_net_free() checks the ledger (ip_net_check: abort on imbalance), the
 * buses' protocol and the capture.
 *
 * Input: one flags byte (bit 0: the hosts are told statically that each
 * datagram's source and destination addresses, if on a bus and none of
 * the world's, are at the peer's ID, so that answers to forged sources
 * go out: fz_net_static_arp; bit 1: see type 3; bit 2: H runs its
 * applications towards K, see fz_net.h), then up to MAX_RECORDS records:
 *   ctl   bits 0-1: to H (bus A, ID 3), G on A (ID 1), K (bus B, ID 2) or
 *         G on B (ID 7); bit 2: make the checksums right (fz_ip_fix);
 *         bit 3: also the total length (and UDP length); bits 4-5: RFC
 *         2143 type 0 (IPv4), 0, 1 (address resolution) or 3: with flags
 *         bit 1, no datagram but a power switch: that host (H, G, K, G)
 *         off if the data's first byte is odd, else on; without it type
 *         9 (unknown); bits 6-7: wait before it: 0, 1 ms, 100 ms or 31 s
 *         (past the reassembly time-out)
 *   len   16 bits, big-endian (0 is taken as 1)
 *   data  len bytes (fewer if the input ends first)
 */
#include <stdlib.h>
#include <string.h>

#include "fz.h"
#include "fz_net.h"
#include "ip_wire.h"

#define MAX_RECORDS 16

static const struct {
	int bus, id;
} dests[4] = { { 0, 3 }, { 0, 1 }, { 1, 2 }, { 1, 7 } };

static const sim_time_t waits[4] = { 0, 1 * SIM_MS, 100 * SIM_MS,
				     31 * SIM_S };

static const uint8_t types[4] = { 0, 0, 1, 9 };
static const int hosts[4] = { FZ_HOST_H, FZ_HOST_G, FZ_HOST_K, FZ_HOST_G };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz_in in = { data, size };
	uint8_t flags = fz_u8(&in);
	struct fz_net *n = fz_net_new((flags & 4) != 0);
	sim_time_t at = 1 * SIM_MS;
	uint8_t *buf = malloc(65535);
	FZ_CHECK(buf != NULL, "out of memory");
	for (int r = 0; r < MAX_RECORDS && in.n > 0; r++) {
		uint8_t ctl = fz_u8(&in);
		uint32_t want = fz_u16(&in);
		size_t got;
		const uint8_t *p = fz_bytes(&in, want ? want : 1, &got);
		if (got == 0)
			break;
		memcpy(buf, p, got);
		uint8_t type = types[(ctl >> 4) & 3];
		if ((ctl & 4) && type == 0)
			fz_ip_fix(buf, (uint32_t)got, (ctl & 8) != 0);
		if ((flags & 1) && type == 0 && got >= IP_HDR_LEN) {
			fz_net_static_arp(n, ip_get32(buf + IP_OFF_SRC));
			fz_net_static_arp(n, ip_get32(buf + IP_OFF_DST));
		}
		at += waits[ctl >> 6];
		int d = ctl & 3;
		if (((ctl >> 4) & 3) == 3 && (flags & 2)) {
			fz_net_power(n, hosts[d], !(buf[0] & 1), at);
			continue;
		}
		(void)fz_net_inject(n, dests[d].bus, dests[d].id, type, buf,
				    (uint32_t)got, at);
	}
	free(buf);
	fz_net_run(n);
	fz_net_free(n);
	return 0;
}
