/*
 * mkcorpus.c - the hand-built seed corpora of the fuzz harnesses, made
 * the same way every time (`make fuzz-corpus` writes tests/fuzz/corpus/).
 *
 *   mkcorpus OUTDIR [SCENARIO.json...]
 *
 * writes OUTDIR/NAME/SEED for every harness NAME: valid datagrams for
 * fuzz_ip_input (an echo request, UDP to the echo port, UDP through the
 * gateway that it must fragment, a fragment pair, a lone fragment, IP
 * options through the gateway, DF too big, TTL 1, a datagram on bus B),
 * ARP requests and replies for fuzz_arp (with forged senders too), the
 * CDBs of TEST UNIT READY, INQUIRY, REQUEST SENSE, SEND MESSAGE(10) and
 * an unknown opcode for fuzz_station, durations for fuzz_duration, --set
 * and --vary lines for fuzz_set, and a copy of each SCENARIO.json for
 * fuzz_scenario.  Each seed is in its harness's input format (see the
 * comment at the top of each fuzz_NAME.c).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "ip_cksum.h"
#include "ip_wire.h"
#include "station.h"

static const char *outdir;

struct buf {
	uint8_t b[70000];
	size_t n;
};

static void put8(struct buf *b, uint8_t v)
{
	if (b->n >= sizeof b->b) {
		fprintf(stderr, "mkcorpus: seed too big\n");
		exit(1);
	}
	b->b[b->n++] = v;
}

static void put16(struct buf *b, uint16_t v)
{
	put8(b, (uint8_t)(v >> 8));
	put8(b, (uint8_t)v);
}

static void putn(struct buf *b, const void *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		put8(b, ((const uint8_t *)p)[i]);
}

static void write_seed(const char *harness, const char *name,
		       const void *data, size_t len)
{
	char path[1024];
	snprintf(path, sizeof path, "%s/%s", outdir, harness);
	if (mkdir(path, 0777) != 0 && errno != EEXIST) {
		perror(path);
		exit(1);
	}
	snprintf(path, sizeof path, "%s/%s/%s", outdir, harness, name);
	FILE *f = fopen(path, "wb");
	if (f == NULL || fwrite(data, 1, len, f) != len || fclose(f) != 0) {
		perror(path);
		exit(1);
	}
}

static void write_text(const char *harness, const char *name,
		       const char *text)
{
	write_seed(harness, name, text, strlen(text));
}

/* --- IPv4 datagrams ------------------------------------------------------- */

#define A(a, b, c, d) ((uint32_t)(a) << 24 | (b) << 16 | (c) << 8 | (d))

static uint16_t next_id = 0x100;

/* An IPv4 header (with `optlen` bytes of options from `opts`) at dg. */
static uint32_t ip_header(uint8_t *dg, uint32_t total, uint8_t proto,
			  uint32_t src, uint32_t dst, uint8_t ttl,
			  uint16_t frag, const uint8_t *opts, uint32_t optlen)
{
	uint32_t hl = IP_HDR_LEN + optlen;
	memset(dg, 0, hl);
	dg[IP_OFF_VHL] = (uint8_t)(0x40 | hl / 4);
	ip_put16(dg + IP_OFF_LEN, (uint16_t)total);
	ip_put16(dg + IP_OFF_ID, next_id);
	ip_put16(dg + IP_OFF_FRAG, frag);
	dg[IP_OFF_TTL] = ttl;
	dg[IP_OFF_PROTO] = proto;
	ip_put32(dg + IP_OFF_SRC, src);
	ip_put32(dg + IP_OFF_DST, dst);
	if (optlen)
		memcpy(dg + IP_HDR_LEN, opts, optlen);
	ip_put16(dg + IP_OFF_CKSUM, ip_cksum(dg, hl));
	return hl;
}

static uint32_t echo_request(uint8_t *dg, uint32_t src, uint32_t dst,
			     uint32_t size, uint8_t ttl, uint16_t frag)
{
	uint32_t total = IP_HDR_LEN + ICMP_HDR_LEN + size;
	uint8_t *m = dg + IP_HDR_LEN;
	memset(m, 0, ICMP_HDR_LEN);
	m[ICMP_OFF_TYPE] = ICMP_ECHO;
	ip_put16(m + ICMP_OFF_ID, 0x5a17);
	ip_put16(m + ICMP_OFF_SEQ, 1);
	for (uint32_t i = 0; i < size; i++)
		m[ICMP_HDR_LEN + i] = (uint8_t)(i + 0x10);
	ip_put16(m + ICMP_OFF_CKSUM, ip_cksum(m, ICMP_HDR_LEN + size));
	ip_header(dg, total, IP_PROTO_ICMP, src, dst, ttl, frag, NULL, 0);
	next_id++;
	return total;
}

static uint32_t udp(uint8_t *dg, uint32_t src, uint32_t dst, uint16_t sport,
		    uint16_t dport, uint32_t size, uint16_t frag,
		    const uint8_t *opts, uint32_t optlen)
{
	uint32_t hl = IP_HDR_LEN + optlen;
	uint32_t ulen = UDP_HDR_LEN + size, total = hl + ulen;
	uint8_t *u = dg + hl;
	ip_put16(u + UDP_OFF_SPORT, sport);
	ip_put16(u + UDP_OFF_DPORT, dport);
	ip_put16(u + UDP_OFF_LEN, (uint16_t)ulen);
	ip_put16(u + UDP_OFF_CKSUM, 0);
	for (uint32_t i = 0; i < size; i++)
		u[UDP_HDR_LEN + i] = (uint8_t)(i * 7);
	ip_put16(u + UDP_OFF_CKSUM, ip_udp_cksum(src, dst, u, (uint16_t)ulen));
	ip_header(dg, total, IP_PROTO_UDP, src, dst, 64, frag, opts, optlen);
	next_id++;
	return total;
}

/* fuzz_ip_input's record: ctl, length, bytes. */
static void ip_record(struct buf *b, uint8_t ctl, const uint8_t *dg,
		      uint32_t len)
{
	put8(b, ctl);
	put16(b, (uint16_t)len);
	putn(b, dg, len);
}

enum { TO_H = 0, TO_GA = 1, TO_K = 2, TO_GB = 3, FIX = 4, FIX_LEN = 8,
       T_ARP = 2 << 4, T_OTHER = 3 << 4, W_1MS = 1 << 6, W_100MS = 2 << 6,
       W_LONG = 3 << 6 };

/* A UDP datagram with the given payload. */
static uint32_t udp_with(uint8_t *dg, uint32_t src, uint32_t dst,
			 uint16_t sport, uint16_t dport, const uint8_t *data,
			 uint32_t size)
{
	uint32_t n = udp(dg, src, dst, sport, dport, size, 0, NULL, 0);
	uint8_t *u = dg + IP_HDR_LEN;
	memcpy(u + UDP_HDR_LEN, data, size);
	ip_put16(u + UDP_OFF_CKSUM, 0);
	ip_put16(u + UDP_OFF_CKSUM,
		 ip_udp_cksum(src, dst, u, (uint16_t)(UDP_HDR_LEN + size)));
	return n;
}

/* An ICMP error from `from` to `to` quoting a UDP datagram to `dport`. */
static uint32_t icmp_error(uint8_t *dg, uint32_t from, uint32_t to,
			   uint8_t type, uint8_t code, uint32_t qsrc,
			   uint32_t qdst, uint16_t sport, uint16_t dport)
{
	uint8_t *m = dg + IP_HDR_LEN;
	memset(m, 0, ICMP_HDR_LEN);
	m[ICMP_OFF_TYPE] = type;
	m[ICMP_OFF_CODE] = code;
	uint8_t *q = m + ICMP_HDR_LEN;
	ip_header(q, IP_HDR_LEN + UDP_HDR_LEN + 12, IP_PROTO_UDP, qsrc, qdst,
		  1, 0, NULL, 0);
	ip_put16(q + IP_HDR_LEN + UDP_OFF_SPORT, sport);
	ip_put16(q + IP_HDR_LEN + UDP_OFF_DPORT, dport);
	ip_put16(q + IP_HDR_LEN + UDP_OFF_LEN, UDP_HDR_LEN + 12);
	ip_put16(q + IP_HDR_LEN + UDP_OFF_CKSUM, 0);
	uint32_t mlen = ICMP_HDR_LEN + IP_HDR_LEN + 8;
	ip_put16(m + ICMP_OFF_CKSUM, ip_cksum(m, mlen));
	ip_header(dg, IP_HDR_LEN + mlen, IP_PROTO_ICMP, from, to, 64, 0, NULL,
		  0);
	next_id++;
	return IP_HDR_LEN + mlen;
}

/* Forged answers for the applications H runs towards K (fz_net.h):
 * the flow's sink, the ping, the traceroute, the work distribution. */
static void app_seeds(struct buf *b, uint8_t *dg)
{
	const uint32_t H = A(10, 0, 0, 3), K = A(10, 0, 1, 2),
		       G = A(10, 0, 0, 1), P = A(10, 0, 0, 9);
	const uint16_t flow_port = 49153, master_port = 49154;
	uint8_t pay[64];
	uint32_t n;

	/* to K's sink, as H's flow: a sequence number it sent, another it
	 * never will, a send time from the future */
	b->n = 0;
	put8(b, 4);
	memset(pay, 0, sizeof pay);
	pay[7] = 1;
	n = udp_with(dg, H, K, flow_port, 9, pay, 16);
	ip_record(b, TO_GA | FIX | FIX_LEN | W_100MS, dg, n);
	memset(pay, 0xff, 16);
	n = udp_with(dg, H, K, flow_port, 9, pay, 16);
	ip_record(b, TO_GA | FIX | FIX_LEN, dg, n);
	write_seed("ip_input", "forged-flow-datagrams", b->b, b->n);

	/* to H's ping, as K: an answer before its request left, and one for
	 * a request it sent, twice */
	b->n = 0;
	put8(b, 4);
	{
		uint8_t *m = dg + IP_HDR_LEN;
		memset(m, 0, ICMP_HDR_LEN);
		m[ICMP_OFF_TYPE] = ICMP_ECHO_REPLY;
		ip_put16(m + ICMP_OFF_ID, 0x7001);
		ip_put16(m + ICMP_OFF_SEQ, 2);
		ip_put16(m + ICMP_OFF_CKSUM, ip_cksum(m, ICMP_HDR_LEN));
		ip_header(dg, IP_HDR_LEN + ICMP_HDR_LEN, IP_PROTO_ICMP, K, H,
			  64, 0, NULL, 0);
		n = IP_HDR_LEN + ICMP_HDR_LEN;
		ip_record(b, TO_H | FIX | FIX_LEN, dg, n);
		ip_record(b, TO_H | FIX | FIX_LEN | W_100MS, dg, n);
		ip_record(b, TO_H | FIX | FIX_LEN | W_1MS, dg, n);
	}
	write_seed("ip_input", "forged-ping-replies", b->b, b->n);

	/* to H's traceroute: time exceeded from G for the first probe, port
	 * unreachable from K for the second, one for no probe */
	b->n = 0;
	put8(b, 1 | 4);
	n = icmp_error(dg, G, H, ICMP_TIME_EXCEEDED, ICMP_EXC_TTL, H, K,
		       49152, 33435);
	ip_record(b, TO_H | FIX | FIX_LEN | W_1MS, dg, n);
	n = icmp_error(dg, K, H, ICMP_DEST_UNREACH, ICMP_UNREACH_PORT, H, K,
		       49152, 33436);
	ip_record(b, TO_H | FIX | FIX_LEN | W_1MS, dg, n);
	n = icmp_error(dg, P, H, ICMP_DEST_UNREACH, ICMP_UNREACH_HOST, H, K,
		       49152, 40000);
	ip_record(b, TO_H | FIX | FIX_LEN, dg, n);
	write_seed("ip_input", "forged-traceroute-answers", b->b, b->n);

	/* to the work distribution: a result to H's master as K, and a
	 * unit to K's worker from the peer */
	b->n = 0;
	put8(b, 1 | 4);
	memset(pay, 0, sizeof pay);
	pay[7] = 1; /* unit 0, serial 1 */
	n = udp_with(dg, K, H, 5000, master_port, pay, 64);
	ip_record(b, TO_H | FIX | FIX_LEN | W_1MS, dg, n);
	n = udp_with(dg, P, K, 7000, 5000, pay, 64);
	ip_record(b, TO_GA | FIX | FIX_LEN, dg, n);
	write_seed("ip_input", "forged-work", b->b, b->n);
}

static void ip_seeds(void)
{
	static uint8_t dg[65536], frag1[2048], frag2[2048];
	const uint32_t H = A(10, 0, 0, 3), K = A(10, 0, 1, 2),
		       P = A(10, 0, 0, 9), Q = A(10, 0, 1, 5),
		       far = A(192, 168, 7, 7);
	struct buf *b = calloc(1, sizeof *b);
	uint32_t n;

	b->n = 0;
	put8(b, 1 | 4);
	n = echo_request(dg, P, H, 56, 64, 0);
	ip_record(b, TO_H | FIX | FIX_LEN, dg, n);
	write_seed("ip_input", "echo-request-to-H", b->b, b->n);

	b->n = 0;
	put8(b, 1);
	n = udp(dg, P, H, 1234, 7, 100, 0, NULL, 0);
	ip_record(b, TO_H | FIX | FIX_LEN, dg, n);
	write_seed("ip_input", "udp-echo-port-of-H", b->b, b->n);

	/* H answers K's address: G fragments the echo onto bus B */
	b->n = 0;
	put8(b, 1);
	n = udp(dg, K, H, 4000, 7, 1400, 0, NULL, 0);
	ip_record(b, TO_H | FIX | FIX_LEN, dg, n);
	write_seed("ip_input", "udp-echo-to-K-fragmented", b->b, b->n);

	b->n = 0;
	put8(b, 0);
	n = udp(dg, P, K, 5000, 9, 1400, 0, NULL, 0);
	ip_record(b, TO_GA | FIX | FIX_LEN, dg, n);
	write_seed("ip_input", "udp-through-G-to-K", b->b, b->n);

	/* a fragment pair to H: 1000 bytes of UDP data cut at 504 */
	b->n = 0;
	put8(b, 1);
	n = udp(dg, P, H, 1234, 7, 1000, 0, NULL, 0);
	{
		uint32_t cut = 504; /* data bytes in the first, 8-aligned */
		uint32_t hl = IP_HDR_LEN;
		memcpy(frag1, dg, hl + cut);
		ip_put16(frag1 + IP_OFF_LEN, (uint16_t)(hl + cut));
		ip_put16(frag1 + IP_OFF_FRAG, IP_FLAG_MF);
		ip_put16(frag1 + IP_OFF_CKSUM, 0);
		ip_put16(frag1 + IP_OFF_CKSUM, ip_cksum(frag1, hl));
		uint32_t rest = n - hl - cut;
		memcpy(frag2, dg, hl);
		memcpy(frag2 + hl, dg + hl + cut, rest);
		ip_put16(frag2 + IP_OFF_LEN, (uint16_t)(hl + rest));
		ip_put16(frag2 + IP_OFF_FRAG, (uint16_t)(cut / 8));
		ip_put16(frag2 + IP_OFF_CKSUM, 0);
		ip_put16(frag2 + IP_OFF_CKSUM, ip_cksum(frag2, hl));
		ip_record(b, TO_H | FIX | FIX_LEN, frag1, hl + cut);
		ip_record(b, TO_H | FIX | FIX_LEN | W_1MS, frag2, hl + rest);
		write_seed("ip_input", "fragment-pair-to-H", b->b, b->n);

		/* the second first, then the first; and a lone fragment
		 * that times out (ICMP time exceeded, reassembly) */
		b->n = 0;
		put8(b, 1);
		ip_record(b, TO_H | FIX | FIX_LEN, frag2, hl + rest);
		ip_record(b, TO_H | FIX | FIX_LEN, frag1, hl + cut);
		ip_record(b, TO_H | FIX | FIX_LEN | W_LONG, frag1, hl + cut);
		write_seed("ip_input", "fragments-reversed-then-lone",
			   b->b, b->n);
	}

	/* options through G: record route (not copied) and a copied
	 * option (0x94, router alert), fragmented onto bus B */
	{
		static const uint8_t opts[12] = { 0x07, 0x07, 0x04, 0, 0, 0,
						  0, 0x94, 0x04, 0, 0, 0 };
		b->n = 0;
		put8(b, 1);
		n = udp(dg, P, K, 5001, 9, 1200, 0, opts, sizeof opts);
		ip_record(b, TO_GA | FIX | FIX_LEN, dg, n);
		write_seed("ip_input", "options-through-G", b->b, b->n);
	}

	/* DF and too big for bus B: fragmentation needed to P */
	b->n = 0;
	put8(b, 1);
	n = echo_request(dg, P, K, 1000, 64, IP_FLAG_DF);
	ip_record(b, TO_GA | FIX | FIX_LEN, dg, n);
	write_seed("ip_input", "df-too-big-for-B", b->b, b->n);

	/* TTL 1 at G: time exceeded; a far source: no route at G */
	b->n = 0;
	put8(b, 1);
	n = echo_request(dg, P, K, 56, 1, 0);
	ip_record(b, TO_GA | FIX | FIX_LEN, dg, n);
	n = echo_request(dg, P, far, 56, 64, 0);
	ip_record(b, TO_GA | FIX | FIX_LEN | W_100MS, dg, n);
	write_seed("ip_input", "ttl-1-and-no-route", b->b, b->n);

	/* on bus B, from Q: to K, and through G to H */
	b->n = 0;
	put8(b, 1);
	n = echo_request(dg, Q, K, 56, 64, 0);
	ip_record(b, TO_K | FIX | FIX_LEN, dg, n);
	n = udp(dg, Q, H, 7000, 7, 300, 0, NULL, 0);
	ip_record(b, TO_GB | FIX | FIX_LEN, dg, n);
	write_seed("ip_input", "bus-B-to-K-and-H", b->b, b->n);

	/* checksums as sent, no fix-ups; and an unknown link type */
	b->n = 0;
	put8(b, 0);
	n = echo_request(dg, P, H, 8, 64, 0);
	ip_record(b, TO_H, dg, n);
	ip_record(b, TO_H | T_OTHER, dg, n);
	write_seed("ip_input", "as-sent-and-unknown-type", b->b, b->n);

	/* G off while a datagram for K crosses it, then on again */
	b->n = 0;
	put8(b, 1 | 2);
	n = udp(dg, P, K, 5002, 9, 2000, 0, NULL, 0);
	ip_record(b, TO_GA | FIX | FIX_LEN, dg, n);
	{
		static const uint8_t off = 1, on = 0;
		ip_record(b, TO_GA | T_OTHER, &off, 1);
		ip_record(b, TO_GA | FIX | FIX_LEN | W_1MS, dg, n);
		ip_record(b, TO_GA | T_OTHER | W_100MS, &on, 1);
		ip_record(b, TO_GA | FIX | FIX_LEN | W_1MS, dg, n);
	}
	write_seed("ip_input", "gateway-off-and-on", b->b, b->n);
	app_seeds(b, dg);
	free(b);
}

/* --- address resolution --------------------------------------------------- */

static void arp_packet(uint8_t *p, uint16_t op, uint8_t sha, uint32_t spa,
		       uint8_t tha, uint32_t tpa)
{
	memset(p, 0, ARP_LEN);
	ip_put16(p + ARP_OFF_HTYPE, ARP_HTYPE_SCSI);
	ip_put16(p + ARP_OFF_PTYPE, ETHERTYPE_IPV4);
	p[ARP_OFF_HLEN] = ARP_HLEN;
	p[ARP_OFF_PLEN] = ARP_PLEN;
	ip_put16(p + ARP_OFF_OP, op);
	p[ARP_OFF_SHA] = sha;
	ip_put32(p + ARP_OFF_SPA, spa);
	p[ARP_OFF_THA] = tha;
	ip_put32(p + ARP_OFF_TPA, tpa);
}

static void arp_record(struct buf *b, uint8_t ctl, const uint8_t *p)
{
	put8(b, ctl);
	put8(b, ARP_LEN);
	putn(b, p, ARP_LEN);
}

enum { A_FIX = 4, A_PROBE = 8, A_REQ = 1 << 4, A_REP = 2 << 4,
       A_W1 = 1 << 6, A_WROUND = 2 << 6, A_WNEG = 3 << 6 };

static void arp_seeds(void)
{
	struct buf *b = calloc(1, sizeof *b);
	uint8_t p[ARP_LEN];
	const uint32_t H = A(10, 0, 0, 3), G = A(10, 0, 0, 1),
		       K = A(10, 0, 1, 2), P = A(10, 0, 0, 9),
		       Q = A(10, 0, 1, 5);

	b->n = 0;
	put8(b, 1);
	arp_packet(p, ARP_OP_REQUEST, 9, P, 3, H);
	arp_record(b, TO_H | A_FIX | A_PROBE, p);
	write_seed("arp", "request-for-H", b->b, b->n);

	b->n = 0;
	put8(b, 1);
	arp_packet(p, ARP_OP_REPLY, 9, A(10, 0, 0, 50), 3, H);
	arp_record(b, TO_H | A_FIX | A_PROBE, p);
	write_seed("arp", "unasked-reply-to-H", b->b, b->n);

	b->n = 0;
	put8(b, 0);
	arp_packet(p, ARP_OP_REQUEST, 5, Q, 2, K);
	arp_record(b, TO_K | A_FIX | A_PROBE, p);
	arp_packet(p, ARP_OP_REQUEST, 5, Q, 7, A(10, 0, 1, 7));
	arp_record(b, TO_GB | A_FIX | A_PROBE | A_W1, p);
	write_seed("arp", "requests-on-bus-B", b->b, b->n);

	/* G's address claimed by the peer: H's traffic to G goes astray */
	b->n = 0;
	put8(b, 1 | 2);
	arp_packet(p, ARP_OP_REQUEST, 9, G, 3, H);
	arp_record(b, TO_H | A_FIX | A_PROBE, p);
	arp_packet(p, ARP_OP_REPLY, 9, G, 3, H);
	arp_record(b, TO_H | A_FIX | A_PROBE | A_WROUND, p);
	write_seed("arp", "forged-gateway", b->b, b->n);

	/* a sender ID that is not the sender's, a short packet, then a
	 * request after the negative-cache time */
	b->n = 0;
	put8(b, 1);
	arp_packet(p, ARP_OP_REQUEST, 4, P, 1, G);
	arp_record(b, TO_GA | A_PROBE, p);
	put8(b, TO_GA);
	put8(b, 10);
	putn(b, p, 10);
	arp_packet(p, ARP_OP_REQUEST, 9, P, 1, G);
	arp_record(b, TO_GA | A_FIX | A_PROBE | A_WNEG, p);
	write_seed("arp", "bad-id-short-then-late", b->b, b->n);

	/* K learns a peer address, then is asked to reach it */
	b->n = 0;
	put8(b, 0);
	arp_packet(p, ARP_OP_REPLY, 5, A(10, 0, 1, 99), 2, K);
	arp_record(b, TO_K | A_FIX | A_PROBE, p);
	write_seed("arp", "reply-to-K", b->b, b->n);
	free(b);
}

/* --- SCSI commands -------------------------------------------------------- */

/* fuzz_station's command: ctl, CDB length, CDB, data length (16 bits),
 * data (the seeds use the pattern: flag bit in ctl). */
static void cdb_record(struct buf *b, uint8_t ctl, const uint8_t *cdb,
		       uint8_t cdb_len, uint16_t data_len)
{
	put8(b, ctl);
	put8(b, cdb_len);
	putn(b, cdb, cdb_len);
	put16(b, data_len);
}

enum { S_OUT = 1, S_IN = 2, S_PATTERN = 4 };

static void station_seeds(void)
{
	struct buf *b = calloc(1, sizeof *b);
	static const uint8_t tur[6] = { SCSI_OP_TEST_UNIT_READY };
	static const uint8_t inq[6] = { SCSI_OP_INQUIRY, 0, 0, 0,
					STATION_INQUIRY_LEN, 0 };
	static const uint8_t sense[6] = { SCSI_OP_REQUEST_SENSE, 0, 0, 0,
					  STATION_SENSE_LEN, 0 };
	static const uint8_t bad[6] = { 0x08, 0, 0, 0, 1, 0 }; /* READ(6) */
	uint8_t send[10] = { SCSI_OP_SEND_MESSAGE10, 0, 0, 0, 0, 0, 0,
			     0x02, 0x00, 0 };   /* 512 bytes, type 0 */

	/* the profile byte: 0 the AHA-1522 station, 1 the PCI bus-master;
	 * then the initiator's byte: sync capability, disconnect */
	for (int prof = 0; prof < 2; prof++) {
		char name[64];
		b->n = 0;
		put8(b, (uint8_t)prof);
		put8(b, 0);
		cdb_record(b, 0, tur, 6, 0);
		cdb_record(b, S_IN, inq, 6, STATION_INQUIRY_LEN);
		snprintf(name, sizeof name, "tur-inquiry-%d", prof);
		write_seed("station", name, b->b, b->n);

		b->n = 0;
		put8(b, (uint8_t)prof);
		put8(b, 0);
		cdb_record(b, 0, bad, 6, 0);
		cdb_record(b, S_IN, sense, 6, STATION_SENSE_LEN);
		snprintf(name, sizeof name, "unknown-then-sense-%d", prof);
		write_seed("station", name, b->b, b->n);

		b->n = 0;
		put8(b, (uint8_t)prof);
		put8(b, 0x03); /* synchronous, wide if it can */
		cdb_record(b, S_OUT | S_PATTERN, send, 10, 512);
		send[5] = 1; /* type 1: address resolution */
		cdb_record(b, S_OUT | S_PATTERN, send, 10, 512);
		send[5] = 0;
		snprintf(name, sizeof name, "send-message-%d", prof);
		write_seed("station", name, b->b, b->n);

		/* more datagrams than receive slots: BUSY */
		b->n = 0;
		put8(b, (uint8_t)prof);
		put8(b, 0x04); /* the host takes its time */
		for (int i = 0; i < 4; i++)
			cdb_record(b, S_OUT | S_PATTERN, send, 10, 512);
		snprintf(name, sizeof name, "send-until-busy-%d", prof);
		write_seed("station", name, b->b, b->n);
	}
	/* the disconnecting station (AHA-1522, target_disconnect) */
	b->n = 0;
	put8(b, 2);
	put8(b, 0x0c);
	for (int i = 0; i < 3; i++)
		cdb_record(b, S_OUT | S_PATTERN, send, 10, 512);
	write_seed("station", "send-disconnect", b->b, b->n);
	free(b);
}

/* --- text seeds ----------------------------------------------------------- */

static void duration_seeds(void)
{
	static const char *const seeds[][2] = {
		{ "2.4us", "2.4us" },
		{ "250ms", "250ms" },
		{ "45ns", "45ns" },
		{ "0.5s", "half-second" },
		{ "0ps", "zero" },
		{ "1.000000000001s", "one-ps-over" },
		{ "18446744.073709551615s", "largest" },
		{ "18446744.073709551616s", "too-large" },
		{ " 3 \xC2\xB5s\t", "micro-sign-spaces" },
		{ "1.0001ns", "too-fine" },
		{ "1e3s", "exponent" },
		{ "-1s", "negative" },
	};
	for (size_t i = 0; i < sizeof seeds / sizeof seeds[0]; i++)
		write_text("duration", seeds[i][1], seeds[i][0]);
}

static void set_seeds(void)
{
	write_text("set", "duration", "duration=5s\n");
	write_text("set", "mtu", "hosts[1].adapters[1].mtu=1500\n"
				 "hosts[0].adapters[0].rx_slots=1\n");
	write_text("set", "vary-mtu",
		   "--vary hosts[*].adapters[*].mtu=576,1500\n");
	write_text("set", "vary-width-metric",
		   "--vary buses[*].width=narrow,wide\n"
		   "--metric ping_rtt_mean\n"
		   "--metric traffic[0].rtt.avg_us\n");
	write_text("set", "seed-duration",
		   "traffic[0].count=3\n--seed 7\n--duration 2s\n"
		   "--vary traffic[1].size=100,200,300\n");
	write_text("set", "objects",
		   "buses[0]={\"name\":\"left\",\"width\":\"wide\"}\n"
		   "faults[0].at=\"1ms\"\n"
		   "traffic[2]={\"type\":\"traceroute\",\"from\":\"a\","
		   "\"to\":\"c\"}\n");
	write_text("set", "bad", "no-equals\nhosts[9].name=x\n=1\n"
				 "--vary a=1,1\n--jobs 0\n");
}

static void scenario_seeds(int n, char **files)
{
	for (int i = 0; i < n; i++) {
		FILE *f = fopen(files[i], "rb");
		if (f == NULL) {
			perror(files[i]);
			exit(1);
		}
		static char text[1 << 20];
		size_t len = fread(text, 1, sizeof text, f);
		fclose(f);
		const char *base = strrchr(files[i], '/');
		base = base ? base + 1 : files[i];
		char name[256];
		/* the bad ones keep their directory in the name */
		snprintf(name, sizeof name, "%s%s",
			 strstr(files[i], "scenarios_bad") ? "bad-" : "", base);
		write_seed("scenario", name, text, len);
	}
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: mkcorpus OUTDIR [SCENARIO.json...]\n");
		return 2;
	}
	outdir = argv[1];
	if (mkdir(outdir, 0777) != 0 && errno != EEXIST) {
		perror(outdir);
		return 1;
	}
	ip_seeds();
	arp_seeds();
	station_seeds();
	duration_seeds();
	set_seeds();
	scenario_seeds(argc - 2, argv + 2);
	return 0;
}
