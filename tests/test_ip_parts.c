/*
 * test_ip_parts.c - the IP stack's self-contained parts: the Internet
 * checksum (RFC 1071, RFC 768), the routing table's longest-prefix match,
 * and fragmentation and reassembly (RFC 791 sections 2.3 and 3.2, RFC
 * 1122 section 3.3.2).
 */
#include <string.h>

#include "ip_cksum.h"
#include "ip_frag.h"
#include "ip_route.h"
#include "ip_wire.h"
#include "suites.h"

#define A4(a, b, c, d) \
	((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (d))

static void sim_begin(struct sim *sim)
{
	ck_assert_int_eq(sim_init(sim, 42), SN_OK);
}

static void sim_end(struct sim *sim)
{
	ck_assert_sim_clean(sim);
	sim_fini(sim);
}

/* ===================================================================== */
/* Checksum                                                              */
/* ===================================================================== */

/* RFC 1071 section 3, "Numerical Examples": the bytes 00 01 f2 03 f4 f5
 * f6 f7 sum to 0x2ddf0, which folds to 0xddf2; the checksum is its
 * complement, 0x220d.  Summed in two pieces the result is the same. */
START_TEST(cksum_rfc1071_example)
{
	static const uint8_t b[8] = { 0x00, 0x01, 0xf2, 0x03,
				      0xf4, 0xf5, 0xf6, 0xf7 };
	uint32_t sum = ip_cksum_add(0, b, sizeof b);
	ck_assert_uint_eq((sum & 0xffff) + (sum >> 16), 0xddf2);
	ck_assert_uint_eq(ip_cksum_fold(sum), 0x220d);
	ck_assert_uint_eq(ip_cksum(b, sizeof b), 0x220d);
	uint32_t part = ip_cksum_add(0, b, 4);
	ck_assert_uint_eq(ip_cksum_fold(ip_cksum_add(part, b + 4, 4)), 0x220d);
	/* Appending the checksum makes the whole sum to 0xffff: check 0. */
	uint8_t with[10];
	memcpy(with, b, 8);
	ip_put16(with + 8, 0x220d);
	ck_assert_uint_eq(ip_cksum(with, sizeof with), 0);
}
END_TEST

/* An odd last byte is the high half of a zero-padded word. */
START_TEST(cksum_odd_lengths)
{
	static const uint8_t b[5] = { 0x01, 0x02, 0x03, 0x04, 0xab };
	ck_assert_uint_eq(ip_cksum_add(0, b + 4, 1), 0xab00);
	ck_assert_uint_eq(ip_cksum(b + 4, 1), 0x54ff);
	/* 0x0102 + 0x0300 = 0x0402 */
	ck_assert_uint_eq(ip_cksum(b, 3), 0xfbfd);
	/* 0x0102 + 0x0304 + 0xab00 = 0xaf06 */
	ck_assert_uint_eq(ip_cksum(b, 5), 0x50f9);
	/* in pieces: even pieces first, the odd one last */
	uint32_t s = ip_cksum_add(0, b, 2);
	s = ip_cksum_add(s, b + 2, 2);
	ck_assert_uint_eq(ip_cksum_fold(ip_cksum_add(s, b + 4, 1)), 0x50f9);
	ck_assert_uint_eq(ip_cksum(b, 0), 0xffff);
}
END_TEST

/* A real header (192.168.0.1 -> 192.168.0.199, UDP, total length 115,
 * DF, TTL 64), the example commonly used to teach the checksum, whose
 * checksum field is b8 61. */
START_TEST(cksum_ipv4_header)
{
	uint8_t h[20] = { 0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40,
			  0x00, 0x40, 0x11, 0xb8, 0x61, 0xc0, 0xa8,
			  0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7 };
	ck_assert_uint_eq(ip_cksum(h, sizeof h), 0);   /* verifies */
	ip_put16(h + IP_OFF_CKSUM, 0);
	ck_assert_uint_eq(ip_cksum(h, sizeof h), 0xb861);
	h[IP_OFF_TTL]--;                                /* a router's hop */
	ck_assert_uint_ne(ip_cksum(h, sizeof h), 0xb861);
}
END_TEST

/* A wide partial sum does not overflow: 100000 bytes of 0xff are 50000
 * words of 0xffff, whose one's complement sum is 0xffff (negative zero),
 * so the checksum is 0, whole or in pieces. */
START_TEST(cksum_long_buffer)
{
	static uint8_t big[100000];
	memset(big, 0xff, sizeof big);
	ck_assert_uint_eq(ip_cksum(big, sizeof big), 0);
	uint32_t s = 0;
	for (size_t i = 0; i < sizeof big; i += 1000)
		s = ip_cksum_add(s, big + i, 1000);
	ck_assert_uint_eq(ip_cksum_fold(s), 0);
	big[0] = 0xfe;   /* the sum drops by 0x100 */
	ck_assert_uint_eq(ip_cksum(big, sizeof big), 0x0100);
}
END_TEST

/* 10.0.0.1 port 1234 -> 10.0.0.2 port 7, UDP length 10, data "hi".
 * By hand:
 *   pseudo-header  0a00 + 0001 + 0a00 + 0002 + 0011 + 000a = 141e
 *   UDP header     04d2 + 0007 + 000a + 0000               = 04e3
 *   data           6869
 *   sum 141e + 04e3 + 6869 = 816a, checksum ~816a = 7e95. */
START_TEST(udp_cksum_pseudo_header)
{
	uint8_t u[10] = { 0x04, 0xd2, 0x00, 0x07, 0x00, 0x0a,
			  0x00, 0x00, 'h', 'i' };
	uint32_t src = A4(10, 0, 0, 1), dst = A4(10, 0, 0, 2);
	ck_assert_uint_eq(ip_udp_cksum(src, dst, u, sizeof u), 0x7e95);
	/* received intact: the sum folds to 0, reported as 0xffff */
	ip_put16(u + UDP_OFF_CKSUM, 0x7e95);
	ck_assert_uint_eq(ip_udp_cksum(src, dst, u, sizeof u), 0xffff);
	/* the pseudo-header matters: another destination fails the check */
	ck_assert_uint_ne(ip_udp_cksum(src, dst + 1, u, sizeof u), 0xffff);
}
END_TEST

/* Data chosen so that the sum is 0xffff and the checksum 0: with data
 * e6fe, 141e + 04e3 + e6fe = ffff.  It is sent as 0xffff (RFC 768). */
START_TEST(udp_cksum_zero_sent_as_ffff)
{
	uint8_t u[10] = { 0x04, 0xd2, 0x00, 0x07, 0x00, 0x0a,
			  0x00, 0x00, 0xe6, 0xfe };
	uint32_t src = A4(10, 0, 0, 1), dst = A4(10, 0, 0, 2);
	uint8_t ph[12];
	ip_put32(ph, src);
	ip_put32(ph + 4, dst);
	ph[8] = 0;
	ph[9] = IP_PROTO_UDP;
	ip_put16(ph + 10, sizeof u);
	uint32_t raw = ip_cksum_add(ip_cksum_add(0, ph, 12), u, sizeof u);
	ck_assert_uint_eq(ip_cksum_fold(raw), 0);       /* the true value */
	ck_assert_uint_eq(ip_udp_cksum(src, dst, u, sizeof u), 0xffff);
	ip_put16(u + UDP_OFF_CKSUM, 0xffff);            /* and it verifies */
	ck_assert_uint_eq(ip_udp_cksum(src, dst, u, sizeof u), 0xffff);
}
END_TEST

/* ===================================================================== */
/* Routing table                                                         */
/* ===================================================================== */

static struct ip_route route(uint32_t prefix, uint8_t len, uint32_t gw,
			     int ifindex, uint32_t metric)
{
	return (struct ip_route){ prefix, len, gw, ifindex, metric };
}

static void add_ok(struct ip_rtable *t, struct ip_route r)
{
	ck_assert_int_eq(ip_rtable_add(t, &r), SN_OK);
}

static int lookup_if(const struct ip_rtable *t, uint32_t dst)
{
	const struct ip_route *r = ip_rtable_lookup(t, dst);
	return r == NULL ? -1 : r->ifindex;
}

START_TEST(route_longest_prefix)
{
	struct sim sim;
	sim_begin(&sim);
	struct ip_rtable *t;
	ck_assert_int_eq(ip_rtable_create(&sim, &t), SN_OK);
	/* added shortest first, so insertion order cannot explain a win */
	add_ok(t, route(A4(10, 0, 0, 0), 8, A4(192, 168, 0, 1), 1, 0));
	add_ok(t, route(A4(10, 1, 0, 0), 16, A4(192, 168, 0, 2), 2, 0));
	add_ok(t, route(A4(10, 1, 2, 0), 24, 0, 3, 0));
	add_ok(t, route(A4(10, 1, 2, 128), 25, 0, 4, 0));
	ck_assert_int_eq(lookup_if(t, A4(10, 9, 9, 9)), 1);
	ck_assert_int_eq(lookup_if(t, A4(10, 1, 9, 9)), 2);
	ck_assert_int_eq(lookup_if(t, A4(10, 1, 2, 127)), 3);
	ck_assert_int_eq(lookup_if(t, A4(10, 1, 2, 128)), 4);
	ck_assert_int_eq(lookup_if(t, A4(10, 1, 2, 255)), 4);
	ck_assert_int_eq(lookup_if(t, A4(10, 1, 3, 0)), 2);
	ck_assert_uint_eq(ip_rtable_lookup(t, A4(10, 7, 0, 1))->gateway,
			  A4(192, 168, 0, 1));
	ck_assert_ptr_null(ip_rtable_lookup(t, A4(11, 0, 0, 1)));
	ck_assert_ptr_null(ip_rtable_lookup(t, A4(9, 255, 255, 255)));
	ip_rtable_destroy(t);
	sim_end(&sim);
}
END_TEST

START_TEST(route_ties_metric_then_order)
{
	struct sim sim;
	sim_begin(&sim);
	struct ip_rtable *t;
	ck_assert_int_eq(ip_rtable_create(&sim, &t), SN_OK);
	uint32_t net = A4(172, 16, 0, 0);
	add_ok(t, route(net, 12, A4(10, 0, 0, 1), 1, 20));
	add_ok(t, route(net, 12, A4(10, 0, 0, 2), 2, 5));
	add_ok(t, route(net, 12, A4(10, 0, 0, 3), 3, 5));  /* tie: later */
	add_ok(t, route(net, 12, A4(10, 0, 0, 4), 4, 10));
	ck_assert_int_eq(lookup_if(t, A4(172, 20, 1, 1)), 2);
	/* a lower metric added last still wins */
	add_ok(t, route(net, 12, A4(10, 0, 0, 5), 5, 1));
	ck_assert_int_eq(lookup_if(t, A4(172, 20, 1, 1)), 5);
	/* but never over a longer prefix with a worse metric */
	add_ok(t, route(A4(172, 20, 0, 0), 16, A4(10, 0, 0, 6), 6, 999));
	ck_assert_int_eq(lookup_if(t, A4(172, 20, 1, 1)), 6);
	ck_assert_int_eq(lookup_if(t, A4(172, 21, 1, 1)), 5);
	/* ip_rtable_at keeps insertion order */
	ck_assert_uint_eq(ip_rtable_count(t), 6);
	for (size_t i = 0; i < 6; i++)
		ck_assert_int_eq(ip_rtable_at(t, i)->ifindex, (int)i + 1);
	ck_assert_ptr_null(ip_rtable_at(t, 6));
	ip_rtable_destroy(t);
	sim_end(&sim);
}
END_TEST

START_TEST(route_default_and_host)
{
	struct sim sim;
	sim_begin(&sim);
	struct ip_rtable *t;
	ck_assert_int_eq(ip_rtable_create(&sim, &t), SN_OK);
	ck_assert_ptr_null(ip_rtable_lookup(t, A4(1, 2, 3, 4)));  /* empty */
	add_ok(t, route(0, 0, A4(10, 0, 0, 254), 1, 0));          /* default */
	add_ok(t, route(A4(10, 0, 0, 0), 24, 0, 2, 0));
	add_ok(t, route(A4(10, 0, 0, 7), 32, A4(10, 0, 0, 9), 3, 0));
	ck_assert_int_eq(lookup_if(t, A4(1, 2, 3, 4)), 1);
	ck_assert_int_eq(lookup_if(t, 0), 1);
	ck_assert_int_eq(lookup_if(t, UINT32_MAX), 1);
	ck_assert_int_eq(lookup_if(t, A4(10, 0, 0, 6)), 2);
	ck_assert_int_eq(lookup_if(t, A4(10, 0, 0, 7)), 3);      /* /32 */
	ck_assert_int_eq(lookup_if(t, A4(10, 0, 0, 8)), 2);
	add_ok(t, route(UINT32_MAX, 32, 0, 4, 0));                /* 255.255.255.255/32 */
	ck_assert_int_eq(lookup_if(t, UINT32_MAX), 4);
	ip_rtable_destroy(t);
	sim_end(&sim);
}
END_TEST

START_TEST(route_invalid_adds)
{
	struct sim sim;
	sim_begin(&sim);
	struct ip_rtable *t;
	ck_assert_int_eq(ip_rtable_create(&sim, &t), SN_OK);
	struct ip_route r = route(A4(10, 0, 0, 0), 33, 0, 1, 0);
	ck_assert_int_eq(ip_rtable_add(t, &r), SN_ERANGE);
	r = route(A4(10, 1, 2, 3), 8, 0, 1, 0);   /* bits past /8 */
	ck_assert_int_eq(ip_rtable_add(t, &r), SN_EINVAL);
	r = route(A4(0, 0, 0, 1), 0, 0, 1, 0);    /* default with bits */
	ck_assert_int_eq(ip_rtable_add(t, &r), SN_EINVAL);
	r = route(A4(10, 0, 0, 0), 8, 0, 1, 0);
	ck_assert_int_eq(ip_rtable_add(t, &r), SN_OK);
	ck_assert_int_eq(ip_rtable_add(t, &r), SN_EEXIST);
	r.metric = 1;             /* any differing field makes it new */
	ck_assert_int_eq(ip_rtable_add(t, &r), SN_OK);
	r.gateway = A4(10, 0, 0, 1);
	ck_assert_int_eq(ip_rtable_add(t, &r), SN_OK);
	r.ifindex = 2;
	ck_assert_int_eq(ip_rtable_add(t, &r), SN_OK);
	ck_assert_int_eq(ip_rtable_add(t, &r), SN_EEXIST);
	ck_assert_uint_eq(ip_rtable_count(t), 4);
	ip_rtable_destroy(t);
	ip_rtable_destroy(NULL);
	sim_end(&sim);
}
END_TEST

/* The obvious definition, for comparison: scan everything, keep the
 * best by (len, metric, insertion). */
static const struct ip_route *naive_lookup(const struct ip_rtable *t,
					   uint32_t dst)
{
	const struct ip_route *best = NULL;
	for (size_t i = 0; i < ip_rtable_count(t); i++) {
		const struct ip_route *r = ip_rtable_at(t, i);
		uint32_t mask = r->len ? UINT32_MAX << (32 - r->len) : 0;
		if ((dst & mask) != r->prefix)
			continue;
		if (best == NULL || r->len > best->len ||
		    (r->len == best->len && r->metric < best->metric))
			best = r;
	}
	return best;
}

/* 1000 random routes in 10/8 with random lengths and a few metrics, so
 * nesting and ties abound; 20000 random lookups agree with the naive
 * definition. */
START_TEST(route_random_table_matches_definition)
{
	struct sim sim;
	sim_begin(&sim);
	struct ip_rtable *t;
	ck_assert_int_eq(ip_rtable_create(&sim, &t), SN_OK);
	struct sim_rng rng;
	sim_rng_stream(&sim, &rng, "test:routes");
	size_t added = 0;
	while (added < 1000) {
		uint8_t len = (uint8_t)(8 + sim_rng_below(&rng, 25));
		uint32_t mask = UINT32_MAX << (32 - len);
		/* all within 10.0.0.0/13, so short prefixes are shared by
		 * many routes (ties) and long ones nest inside them */
		uint32_t prefix = (A4(10, 0, 0, 0) |
				   (uint32_t)sim_rng_below(&rng, 1u << 19)) & mask;
		struct ip_route r = route(prefix, len, 0, (int)added,
					  (uint32_t)sim_rng_below(&rng, 3));
		enum sn_err e = ip_rtable_add(t, &r);
		ck_assert(e == SN_OK || e == SN_EEXIST);
		added += e == SN_OK;
	}
	int n = test_quick() ? 2000 : 20000;
	for (int i = 0; i < n; i++) {
		uint32_t dst = A4(10, 0, 0, 0) |
			       (uint32_t)sim_rng_below(&rng, 1u << 19);
		ck_assert_ptr_eq(ip_rtable_lookup(t, dst), naive_lookup(t, dst));
	}
	ip_rtable_destroy(t);
	sim_end(&sim);
}
END_TEST

/* ===================================================================== */
/* Fragmentation and reassembly                                          */
/* ===================================================================== */

#define SRC A4(10, 0, 0, 1)
#define DST A4(10, 0, 0, 2)
#define MAX_FRAGS 64

/* A datagram of `total` bytes, 10.0.0.1 -> 10.0.0.2, UDP, with `olen`
 * bytes of options (a multiple of 4); its data is a pattern that depends
 * on the position and the ID, so a misplaced byte shows. */
static void make_dgram(uint8_t *dg, uint32_t total, uint16_t id,
		       const uint8_t *opts, uint32_t olen)
{
	uint32_t hl = IP_HDR_LEN + olen;
	memset(dg, 0, hl);
	dg[IP_OFF_VHL] = (uint8_t)(0x40 | hl / 4);
	ip_put16(dg + IP_OFF_LEN, (uint16_t)total);
	ip_put16(dg + IP_OFF_ID, id);
	dg[IP_OFF_TTL] = IP_DEFAULT_TTL;
	dg[IP_OFF_PROTO] = IP_PROTO_UDP;
	ip_put32(dg + IP_OFF_SRC, SRC);
	ip_put32(dg + IP_OFF_DST, DST);
	if (olen)
		memcpy(dg + IP_HDR_LEN, opts, olen);
	for (uint32_t i = hl; i < total; i++)
		dg[i] = (uint8_t)(i * 31 + i / 256 + id);
	ip_put16(dg + IP_OFF_CKSUM, ip_cksum(dg, hl));
}

static uint32_t hl_of(const uint8_t *h)
{
	return (uint32_t)(h[IP_OFF_VHL] & 0x0f) * 4;
}

static uint32_t off_of(const uint8_t *h)
{
	return (uint32_t)(ip_get16(h + IP_OFF_FRAG) & IP_FRAG_MASK) * 8;
}

static int mf_of(const uint8_t *h)
{
	return (ip_get16(h + IP_OFF_FRAG) & IP_FLAG_MF) != 0;
}

/* Fragments as emitted, each copied into sim memory. */
struct frags {
	struct sim *sim;
	int n;
	uint8_t *p[MAX_FRAGS];
	uint32_t len[MAX_FRAGS];
};

static void capture(const uint8_t *frag, uint32_t flen, void *arg)
{
	struct frags *c = arg;
	ck_assert_int_lt(c->n, MAX_FRAGS);
	c->p[c->n] = sim_alloc(c->sim, flen);
	ck_assert_ptr_nonnull(c->p[c->n]);
	memcpy(c->p[c->n], frag, flen);
	c->len[c->n++] = flen;
}

static void frags_free(struct frags *c)
{
	for (int i = 0; i < c->n; i++)
		sim_free(c->sim, c->p[i]);
	c->n = 0;
}

static enum sn_err fragment(struct frags *c, const uint8_t *dg,
			    uint32_t len, uint32_t mtu)
{
	uint8_t scratch[2048];
	ck_assert_uint_le(mtu, sizeof scratch);
	return ip_fragment(dg, len, mtu, scratch, capture, c);
}

/* Everything RFC 791 asks of the fragments of dg at mtu: sizes, 8-byte
 * data units, contiguous offsets from dg's own, MF on all but the last
 * (which keeps dg's), valid checksums, the unchanged fields, the data. */
static void check_fragments(const struct frags *c, const uint8_t *dg,
			    uint32_t len, uint32_t mtu)
{
	uint32_t dg_hl = hl_of(dg), dg_off = off_of(dg);
	uint32_t want_off = dg_off;
	ck_assert_int_gt(c->n, 1);
	for (int i = 0; i < c->n; i++) {
		const uint8_t *h = c->p[i];
		uint32_t hl = hl_of(h), dlen = c->len[i] - hl;
		int last = i == c->n - 1;
		ck_assert_uint_le(c->len[i], mtu);
		ck_assert_uint_eq(ip_get16(h + IP_OFF_LEN), c->len[i]);
		ck_assert_uint_eq(ip_cksum(h, hl), 0);
		ck_assert_uint_eq(off_of(h), want_off);
		ck_assert_int_eq(mf_of(h), last ? mf_of(dg) : 1);
		if (!last)
			ck_assert_uint_eq(dlen % 8, 0);
		ck_assert_uint_eq(h[IP_OFF_VHL] >> 4, 4);
		ck_assert_mem_eq(h + IP_OFF_ID, dg + IP_OFF_ID, 2);
		ck_assert_mem_eq(h + IP_OFF_TTL, dg + IP_OFF_TTL, 2);
		ck_assert_mem_eq(h + IP_OFF_SRC, dg + IP_OFF_SRC, 8);
		ck_assert_mem_eq(h + hl, dg + dg_hl + (want_off - dg_off),
				 dlen);
		want_off += dlen;
	}
	ck_assert_uint_eq(want_off, dg_off + len - dg_hl);
}

/* Feed fragment order[i] with tag 100 + order[i]; expect PENDING for
 * all but the last, then DONE with dg's bytes and fragment zero's tag.
 * `zero` is the index in c of fragment zero. */
static void reasm_expect(struct ip_reasm *r, const struct frags *c,
			 const int *order, int n, const uint8_t *dg,
			 uint32_t len, int zero)
{
	uint8_t *out = NULL;
	uint32_t out_len = 0;
	uint64_t tag = 0;
	for (int i = 0; i < n; i++) {
		int k = order[i];
		enum ip_reasm_result res = ip_reasm_input(
			r, c->p[k], c->len[k], 100 + (uint64_t)k, &out,
			&out_len, &tag);
		ck_assert_int_eq(res, i == n - 1 ? IP_REASM_DONE
						 : IP_REASM_PENDING);
	}
	ck_assert_uint_eq(out_len, len);
	ck_assert_mem_eq(out, dg, len);
	ck_assert_uint_eq(tag, 100 + (uint64_t)zero);
	sim_free(c->sim, out);
}

static void order_forward(int *order, int n)
{
	for (int i = 0; i < n; i++)
		order[i] = i;
}

/* 4000 bytes at MTU 576: 552 data bytes per fragment (556 rounded down
 * to 8), so 7 x 552 + 116: 8 fragments.  At 1500: 1480 + 1480 + 1020. */
START_TEST(frag_4000_bytes)
{
	static const struct {
		uint32_t mtu;
		int n;
		uint32_t first_len, last_len;
	} cases[] = { { 576, 8, 572, 136 }, { 1500, 3, 1500, 1040 } };
	struct sim sim;
	sim_begin(&sim);
	static uint8_t dg[4000];
	make_dgram(dg, sizeof dg, 0x1234, NULL, 0);
	for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
		struct frags c = { .sim = &sim };
		ck_assert_int_eq(fragment(&c, dg, sizeof dg, cases[k].mtu),
				 SN_OK);
		ck_assert_int_eq(c.n, cases[k].n);
		ck_assert_uint_eq(c.len[0], cases[k].first_len);
		ck_assert_uint_eq(c.len[c.n - 1], cases[k].last_len);
		check_fragments(&c, dg, sizeof dg, cases[k].mtu);
		struct ip_reasm *r;
		ck_assert_int_eq(ip_reasm_create(&sim, NULL, NULL, NULL, &r),
				 SN_OK);
		int order[MAX_FRAGS];
		order_forward(order, c.n);
		reasm_expect(r, &c, order, c.n, dg, sizeof dg, 0);
		const struct ip_reasm_stats *st = ip_reasm_stats(r);
		ck_assert_uint_eq(st->fragments, (uint64_t)c.n);
		ck_assert_uint_eq(st->completed, 1);
		ck_assert_uint_eq(st->pending, 0);
		ck_assert_uint_eq(st->bytes_held, 0);
		ip_reasm_destroy(r);
		frags_free(&c);
	}
	sim_end(&sim);
}
END_TEST

/* A datagram that fits goes out unchanged, once, even with DF set. */
START_TEST(frag_fits_unchanged)
{
	struct sim sim;
	sim_begin(&sim);
	uint8_t dg[576];
	make_dgram(dg, sizeof dg, 7, NULL, 0);
	ip_put16(dg + IP_OFF_FRAG, IP_FLAG_DF);
	struct frags c = { .sim = &sim };
	ck_assert_int_eq(fragment(&c, dg, sizeof dg, 576), SN_OK);
	ck_assert_int_eq(c.n, 1);
	ck_assert_uint_eq(c.len[0], sizeof dg);
	ck_assert_mem_eq(c.p[0], dg, sizeof dg);
	frags_free(&c);
	sim_end(&sim);
}
END_TEST

/* A gateway fragments fragments: the middle piece of a 1500-byte cut
 * (offset 1480, MF) at 576 gives three pieces at 1480, 2032 and 2584,
 * all with MF; the last piece (offset 2960, no MF) gives two, the second
 * without MF.  All of it reassembles to the original. */
START_TEST(frag_of_fragment)
{
	struct sim sim;
	sim_begin(&sim);
	static uint8_t dg[4000];
	make_dgram(dg, sizeof dg, 99, NULL, 0);
	struct frags big = { .sim = &sim };
	ck_assert_int_eq(fragment(&big, dg, sizeof dg, 1500), SN_OK);
	ck_assert_int_eq(big.n, 3);

	struct frags all = { .sim = &sim };
	capture(big.p[0], big.len[0], &all);
	static const uint32_t want_off[2][3] = { { 1480, 2032, 2584 },
						 { 2960, 3512, 0 } };
	for (int k = 1; k <= 2; k++) {
		struct frags small = { .sim = &sim };
		ck_assert_int_eq(fragment(&small, big.p[k], big.len[k], 576),
				 SN_OK);
		ck_assert_int_eq(small.n, k == 1 ? 3 : 2);
		check_fragments(&small, big.p[k], big.len[k], 576);
		for (int i = 0; i < small.n; i++) {
			ck_assert_uint_eq(off_of(small.p[i]),
					  want_off[k - 1][i]);
			capture(small.p[i], small.len[i], &all);
		}
		frags_free(&small);
	}
	ck_assert_int_eq(mf_of(all.p[3]), 1);    /* end of the middle */
	ck_assert_int_eq(mf_of(all.p[5]), 0);    /* end of it all */

	struct ip_reasm *r;
	ck_assert_int_eq(ip_reasm_create(&sim, NULL, NULL, NULL, &r), SN_OK);
	int order[] = { 5, 2, 0, 4, 1, 3 };
	reasm_expect(r, &all, order, 6, dg, sizeof dg, 0);
	ip_reasm_destroy(r);
	frags_free(&all);
	frags_free(&big);
	sim_end(&sim);
}
END_TEST

START_TEST(frag_refusals)
{
	struct sim sim;
	sim_begin(&sim);
	uint8_t dg[100];
	make_dgram(dg, sizeof dg, 3, NULL, 0);
	struct frags c = { .sim = &sim };

	/* mtu must leave room for the header and 8 data bytes */
	ck_assert_int_eq(fragment(&c, dg, sizeof dg, 27), SN_EINVAL);
	ck_assert_int_eq(fragment(&c, dg, sizeof dg, 28), SN_OK);
	ck_assert_int_eq(c.n, 10);              /* 80 bytes, 8 at a time */
	check_fragments(&c, dg, sizeof dg, 28);
	frags_free(&c);

	/* the length given must be the total length field */
	ck_assert_int_eq(fragment(&c, dg, sizeof dg - 1, 28), SN_EINVAL);
	/* an IHL below 5 */
	dg[IP_OFF_VHL] = 0x44;
	ck_assert_int_eq(fragment(&c, dg, sizeof dg, 28), SN_EINVAL);
	dg[IP_OFF_VHL] = 0x45;

	/* DF: the caller sends ICMP fragmentation needed */
	ip_put16(dg + IP_OFF_FRAG, IP_FLAG_DF);
	ck_assert_int_eq(fragment(&c, dg, sizeof dg, 60), SN_EINVAL);
	ck_assert_int_eq(c.n, 0);

	/* an offset so large the pieces would end past 65535 */
	ip_put16(dg + IP_OFF_FRAG, 8190);
	ck_assert_int_eq(fragment(&c, dg, sizeof dg, 60), SN_EINVAL);
	ck_assert_int_eq(c.n, 0);
	sim_end(&sim);
}
END_TEST

/* Options: NOP; loose source route (type 0x83: copied); record route
 * (type 0x07: not copied); EOL.  16 bytes, so a 36-byte header.  The
 * first fragment has them all; the others only the source route, padded
 * to 8 bytes (a 28-byte header). */
START_TEST(frag_options_by_copy_flag)
{
	static const uint8_t opts[16] = {
		0x01,                                  /* NOP */
		0x83, 7, 4, 10, 0, 0, 9,               /* LSRR, copied */
		0x07, 7, 4, 0, 0, 0, 0,                /* RR, first only */
		0x00,                                  /* EOL */
	};
	static const uint8_t later[8] = { 0x83, 7, 4, 10, 0, 0, 9, 0 };
	struct sim sim;
	sim_begin(&sim);
	uint8_t dg[1000];
	make_dgram(dg, sizeof dg, 5, opts, sizeof opts);
	struct frags c = { .sim = &sim };
	ck_assert_int_eq(fragment(&c, dg, sizeof dg, 300), SN_OK);
	/* data 964 = 264 (300 - 36, rounded to 8) + 272 + 272 + 156 */
	ck_assert_int_eq(c.n, 4);
	check_fragments(&c, dg, sizeof dg, 300);
	ck_assert_uint_eq(hl_of(c.p[0]), 36);
	ck_assert_mem_eq(c.p[0] + IP_HDR_LEN, opts, sizeof opts);
	for (int i = 1; i < c.n; i++) {
		ck_assert_uint_eq(hl_of(c.p[i]), 28);
		ck_assert_mem_eq(c.p[i] + IP_HDR_LEN, later, sizeof later);
	}
	ck_assert_uint_eq(c.len[0], 300);
	ck_assert_uint_eq(c.len[3], 28 + 156);

	/* reassembly takes fragment zero's header, options and all */
	struct ip_reasm *r;
	ck_assert_int_eq(ip_reasm_create(&sim, NULL, NULL, NULL, &r), SN_OK);
	int order[] = { 3, 1, 2, 0 };
	reasm_expect(r, &c, order, 4, dg, sizeof dg, 0);
	ip_reasm_destroy(r);
	frags_free(&c);
	sim_end(&sim);
}
END_TEST

START_TEST(frag_malformed_options)
{
	static const uint8_t bad[3][4] = {
		{ 0x83, 1, 0, 0 },      /* length below 2 */
		{ 0x07, 9, 4, 0 },      /* runs past the header */
		{ 0x01, 0x01, 0x01, 0x83 }, /* no length byte */
	};
	struct sim sim;
	sim_begin(&sim);
	for (int k = 0; k < 3; k++) {
		uint8_t dg[200];
		make_dgram(dg, sizeof dg, 1, bad[k], 4);
		struct frags c = { .sim = &sim };
		ck_assert_int_eq(fragment(&c, dg, sizeof dg, 100), SN_EINVAL);
		ck_assert_int_eq(c.n, 0);
		/* a datagram that fits is not fragmented, so not parsed */
		ck_assert_int_eq(fragment(&c, dg, sizeof dg, 200), SN_OK);
		ck_assert_int_eq(c.n, 1);
		frags_free(&c);
	}
	sim_end(&sim);
}
END_TEST

START_TEST(reasm_reversed)
{
	struct sim sim;
	sim_begin(&sim);
	static uint8_t dg[4000];
	make_dgram(dg, sizeof dg, 0x4242, NULL, 0);
	struct frags c = { .sim = &sim };
	ck_assert_int_eq(fragment(&c, dg, sizeof dg, 576), SN_OK);
	struct ip_reasm *r;
	ck_assert_int_eq(ip_reasm_create(&sim, NULL, NULL, NULL, &r), SN_OK);
	int order[MAX_FRAGS];
	for (int i = 0; i < c.n; i++)
		order[i] = c.n - 1 - i;
	reasm_expect(r, &c, order, c.n, dg, sizeof dg, 0);
	ck_assert_uint_eq(ip_reasm_stats(r)->bytes_held, 0);
	ip_reasm_destroy(r);
	frags_free(&c);
	sim_end(&sim);
}
END_TEST

/* Three datagrams (two share an ID but differ in protocol, so their keys
 * differ), their fragments shuffled together with a fixed seed, many
 * times: each completes exactly once, when its last missing fragment
 * arrives, with its own bytes and fragment zero's tag. */
START_TEST(reasm_shuffled_interleaved)
{
	enum { NDG = 3 };
	struct sim sim;
	sim_begin(&sim);
	static uint8_t dg[NDG][3000];
	struct frags c[NDG];
	int total = 0;
	for (int d = 0; d < NDG; d++) {
		make_dgram(dg[d], sizeof dg[d], d == 2 ? 1 : (uint16_t)(d + 1),
			   NULL, 0);
		if (d == 2) {   /* same ID as datagram 0, other protocol */
			dg[d][IP_OFF_PROTO] = IP_PROTO_ICMP;
			for (uint32_t i = IP_HDR_LEN; i < sizeof dg[d]; i++)
				dg[d][i] ^= 0x5a;
			ip_put16(dg[d] + IP_OFF_CKSUM, 0);
			ip_put16(dg[d] + IP_OFF_CKSUM,
				 ip_cksum(dg[d], IP_HDR_LEN));
		}
		c[d] = (struct frags){ .sim = &sim };
		ck_assert_int_eq(fragment(&c[d], dg[d], sizeof dg[d], 576),
				 SN_OK);
		total += c[d].n;
	}
	struct pick { int d, k; } seq[NDG * MAX_FRAGS];
	int n = 0;
	for (int d = 0; d < NDG; d++)
		for (int k = 0; k < c[d].n; k++)
			seq[n++] = (struct pick){ d, k };
	ck_assert_int_eq(n, total);

	struct sim_rng rng;
	sim_rng_stream(&sim, &rng, "test:shuffle");
	struct ip_reasm *r;
	ck_assert_int_eq(ip_reasm_create(&sim, NULL, NULL, NULL, &r), SN_OK);
	int rounds = test_quick() ? 20 : 200;
	for (int round = 0; round < rounds; round++) {
		for (int i = n - 1; i > 0; i--) {      /* Fisher-Yates */
			int j = (int)sim_rng_below(&rng, (uint64_t)i + 1);
			struct pick t = seq[i];
			seq[i] = seq[j];
			seq[j] = t;
		}
		int left[NDG], done[NDG] = { 0 };
		for (int d = 0; d < NDG; d++)
			left[d] = c[d].n;
		for (int i = 0; i < n; i++) {
			int d = seq[i].d, k = seq[i].k;
			uint8_t *out = NULL;
			uint32_t out_len = 0;
			uint64_t tag = 0;
			enum ip_reasm_result res = ip_reasm_input(
				r, c[d].p[k], c[d].len[k],
				(uint64_t)(1000 * d + k), &out, &out_len, &tag);
			if (--left[d] > 0) {
				ck_assert_int_eq(res, IP_REASM_PENDING);
				continue;
			}
			ck_assert_int_eq(res, IP_REASM_DONE);
			ck_assert_uint_eq(out_len, sizeof dg[d]);
			ck_assert_mem_eq(out, dg[d], sizeof dg[d]);
			ck_assert_uint_eq(tag, (uint64_t)(1000 * d));
			sim_free(&sim, out);
			done[d]++;
		}
		for (int d = 0; d < NDG; d++)
			ck_assert_int_eq(done[d], 1);
		ck_assert_uint_eq(ip_reasm_stats(r)->pending, 0);
		ck_assert_uint_eq(ip_reasm_stats(r)->bytes_held, 0);
	}
	ck_assert_uint_eq(ip_reasm_stats(r)->completed,
			  (uint64_t)(NDG * rounds));
	ip_reasm_destroy(r);
	for (int d = 0; d < NDG; d++)
		frags_free(&c[d]);
	sim_end(&sim);
}
END_TEST

/* A hand-made fragment of the 84-byte datagram `dg` (64 data bytes):
 * data [off, off + dlen) from dg, MF as given; if fill >= 0 its data is
 * that byte instead, to tell which copy of an overlap was kept. */
static uint32_t make_frag(uint8_t *f, const uint8_t *dg, uint32_t off,
			  uint32_t dlen, int mf, int fill)
{
	memcpy(f, dg, IP_HDR_LEN);
	if (fill >= 0)
		memset(f + IP_HDR_LEN, fill, dlen);
	else
		memcpy(f + IP_HDR_LEN, dg + IP_HDR_LEN + off, dlen);
	ip_put16(f + IP_OFF_LEN, (uint16_t)(IP_HDR_LEN + dlen));
	ip_put16(f + IP_OFF_FRAG, (uint16_t)((mf ? IP_FLAG_MF : 0) | off / 8));
	ip_put16(f + IP_OFF_CKSUM, 0);
	ip_put16(f + IP_OFF_CKSUM, ip_cksum(f, IP_HDR_LEN));
	return IP_HDR_LEN + dlen;
}

static enum ip_reasm_result feed(struct ip_reasm *r, const uint8_t *dg,
				 uint32_t off, uint32_t dlen, int mf,
				 int fill, uint8_t **out, uint32_t *out_len)
{
	uint8_t f[IP_HDR_LEN + 128];
	uint32_t n = make_frag(f, dg, off, dlen, mf, fill);
	uint64_t tag;
	return ip_reasm_input(r, f, n, 1, out, out_len, &tag);
}

/* Overlaps keep the first copy of each byte: B [16,48) all 0xEE comes
 * first; A [0,24) then adds only [0,16); C [40,64) (last, 0xDD) adds
 * only [48,64).  Repeats and subsets of held bytes are duplicates. */
START_TEST(reasm_duplicates_and_overlaps)
{
	struct sim sim;
	sim_begin(&sim);
	uint8_t dg[84];
	make_dgram(dg, sizeof dg, 77, NULL, 0);
	struct ip_reasm *r;
	ck_assert_int_eq(ip_reasm_create(&sim, NULL, NULL, NULL, &r), SN_OK);
	const struct ip_reasm_stats *st = ip_reasm_stats(r);
	uint8_t *out = NULL;
	uint32_t out_len = 0;

	ck_assert_int_eq(feed(r, dg, 16, 32, 1, 0xEE, &out, &out_len),
			 IP_REASM_PENDING);
	ck_assert_uint_eq(st->bytes_held, 32);
	ck_assert_int_eq(feed(r, dg, 16, 32, 1, 0xEE, &out, &out_len),
			 IP_REASM_DUPLICATE);
	ck_assert_int_eq(feed(r, dg, 24, 16, 1, 0x11, &out, &out_len),
			 IP_REASM_DUPLICATE);
	ck_assert_uint_eq(st->bytes_held, 32);
	ck_assert_int_eq(feed(r, dg, 0, 24, 1, -1, &out, &out_len),
			 IP_REASM_PENDING);
	/* 16 new data bytes, and fragment zero's copy (20 + 24) */
	ck_assert_uint_eq(st->bytes_held, 32 + 16 + 44);
	ck_assert_int_eq(feed(r, dg, 0, 24, 1, -1, &out, &out_len),
			 IP_REASM_DUPLICATE);
	ck_assert_int_eq(feed(r, dg, 40, 24, 0, 0xDD, &out, &out_len),
			 IP_REASM_DONE);

	uint8_t want[84];
	memcpy(want, dg, sizeof want);
	memset(want + IP_HDR_LEN + 16, 0xEE, 32);
	memset(want + IP_HDR_LEN + 48, 0xDD, 16);
	ck_assert_uint_eq(out_len, sizeof want);
	ck_assert_mem_eq(out, want, sizeof want);
	sim_free(&sim, out);
	ck_assert_uint_eq(st->duplicates, 3);
	ck_assert_uint_eq(st->fragments, 6);
	ck_assert_uint_eq(st->bytes_held, 0);

	/* A last fragment that brings no byte still brings the end. */
	ck_assert_int_eq(feed(r, dg, 0, 24, 1, -1, &out, &out_len),
			 IP_REASM_PENDING);
	ck_assert_int_eq(feed(r, dg, 16, 48, 1, -1, &out, &out_len),
			 IP_REASM_PENDING);
	ck_assert_int_eq(feed(r, dg, 56, 8, 0, -1, &out, &out_len),
			 IP_REASM_DONE);
	ck_assert_mem_eq(out, dg, sizeof dg);
	sim_free(&sim, out);
	ip_reasm_destroy(r);
	sim_end(&sim);
}
END_TEST

struct expiry {
	struct sim *sim;
	int calls;
	uint8_t first[2048];
	uint32_t first_len;
	int had_first;
	uint64_t tag;
	sim_time_t at;
};

static void on_expiry(const uint8_t *first, uint32_t first_len,
		      uint64_t tag, void *arg)
{
	struct expiry *e = arg;
	e->calls++;
	e->had_first = first != NULL;
	e->first_len = first_len;
	if (first != NULL) {
		ck_assert_uint_le(first_len, sizeof e->first);
		memcpy(e->first, first, first_len);
	}
	e->tag = tag;
	e->at = sim_now(e->sim);
}

/* Fragments 1 (at 0 s), 0 (at 1 s), 2 and 4 (at 10 s) of 8 arrive; 3 is
 * lost.  The timer runs from the first arrival and is not re-armed: at
 * 30 s the datagram is dropped and the callback gets fragment zero, with
 * fragment zero's tag. */
START_TEST(reasm_timeout_with_fragment_zero)
{
	struct sim sim;
	sim_begin(&sim);
	static uint8_t dg[4000];
	make_dgram(dg, sizeof dg, 500, NULL, 0);
	struct frags c = { .sim = &sim };
	ck_assert_int_eq(fragment(&c, dg, sizeof dg, 576), SN_OK);
	struct expiry e = { .sim = &sim };
	struct ip_reasm *r;
	ck_assert_int_eq(ip_reasm_create(&sim, NULL, on_expiry, &e, &r),
			 SN_OK);
	uint8_t *out = NULL;
	uint32_t out_len = 0;
	uint64_t tag = 0;
	static const struct { sim_time_t at; int k; } arrive[] = {
		{ 0, 1 }, { 1 * SIM_S, 0 }, { 10 * SIM_S, 2 },
		{ 10 * SIM_S, 4 },
	};
	for (size_t i = 0; i < 4; i++) {
		sim_run_until(&sim, arrive[i].at);
		int k = arrive[i].k;
		ck_assert_int_eq(ip_reasm_input(r, c.p[k], c.len[k],
						100 + (uint64_t)k, &out,
						&out_len, &tag),
				 IP_REASM_PENDING);
	}
	const struct ip_reasm_stats *st = ip_reasm_stats(r);
	ck_assert_uint_eq(st->pending, 1);
	ck_assert_uint_eq(st->bytes_held, 4 * 552 + c.len[0]);
	ck_assert_uint_eq(sim_pending_count(&sim), 1);  /* one timer */

	sim_run_until(&sim, IP_REASM_TIMEOUT - 1);
	ck_assert_int_eq(e.calls, 0);
	sim_run_until(&sim, 60 * SIM_S);
	ck_assert_int_eq(e.calls, 1);
	ck_assert_uint_eq(e.at, IP_REASM_TIMEOUT);
	ck_assert_int_eq(e.had_first, 1);
	ck_assert_uint_eq(e.first_len, c.len[0]);
	ck_assert_mem_eq(e.first, c.p[0], c.len[0]);
	ck_assert_uint_eq(e.tag, 100);
	ck_assert_uint_eq(st->timeouts, 1);
	ck_assert_uint_eq(st->pending, 0);
	ck_assert_uint_eq(st->bytes_held, 0);
	ck_assert_uint_eq(st->completed, 0);
	ck_assert_uint_eq(st->fragments, 4);
	ck_assert_uint_eq(out_len, 0);                   /* untouched */

	/* the lost fragment, late: it starts a new datagram */
	ck_assert_int_eq(ip_reasm_input(r, c.p[3], c.len[3], 103, &out,
					&out_len, &tag),
			 IP_REASM_PENDING);
	ck_assert_uint_eq(st->pending, 1);
	ip_reasm_destroy(r);
	ck_assert_int_eq(e.calls, 1);   /* destroy does not call back */
	frags_free(&c);
	sim_end(&sim);
}
END_TEST

/* Without fragment zero the callback gets NULL (no ICMP may be sent) and
 * the tag of the first fragment that arrived.  A configured time-out. */
START_TEST(reasm_timeout_without_fragment_zero)
{
	struct sim sim;
	sim_begin(&sim);
	uint8_t dg[84];
	make_dgram(dg, sizeof dg, 9, NULL, 0);
	struct expiry e = { .sim = &sim };
	struct ip_reasm_config cfg = { .timeout = 90 * SIM_S };
	struct ip_reasm *r;
	ck_assert_int_eq(ip_reasm_create(&sim, &cfg, on_expiry, &e, &r),
			 SN_OK);
	uint8_t f[IP_HDR_LEN + 64];
	uint8_t *out;
	uint32_t out_len;
	uint64_t tag;
	sim_run_until(&sim, 5 * SIM_S);
	uint32_t n = make_frag(f, dg, 8, 16, 1, -1);
	ck_assert_int_eq(ip_reasm_input(r, f, n, 7, &out, &out_len, &tag),
			 IP_REASM_PENDING);
	n = make_frag(f, dg, 48, 16, 0, -1);
	ck_assert_int_eq(ip_reasm_input(r, f, n, 8, &out, &out_len, &tag),
			 IP_REASM_PENDING);
	sim_run_until(&sim, 95 * SIM_S - 1);
	ck_assert_int_eq(e.calls, 0);
	sim_run(&sim);
	ck_assert_int_eq(e.calls, 1);
	ck_assert_uint_eq(e.at, 95 * SIM_S);
	ck_assert_int_eq(e.had_first, 0);
	ck_assert_uint_eq(e.first_len, 0);
	ck_assert_uint_eq(e.tag, 7);
	ck_assert_uint_eq(ip_reasm_stats(r)->timeouts, 1);
	ck_assert_uint_eq(ip_reasm_stats(r)->bytes_held, 0);
	ip_reasm_destroy(r);
	sim_end(&sim);
}
END_TEST

/* max_bytes 2000: fragments of 552 data bytes fit three times; the
 * fourth is refused, the datagram kept; a smaller one still fits.
 * max_datagrams 2: a third datagram is refused until one completes. */
START_TEST(reasm_memory_bounds)
{
	struct sim sim;
	sim_begin(&sim);
	static uint8_t dg[3][4000];
	struct frags c[3];
	for (int d = 0; d < 3; d++) {
		make_dgram(dg[d], sizeof dg[d], (uint16_t)(10 + d), NULL, 0);
		c[d] = (struct frags){ .sim = &sim };
		ck_assert_int_eq(fragment(&c[d], dg[d], sizeof dg[d], 576),
				 SN_OK);
	}
	uint8_t *out = NULL;
	uint32_t out_len;
	uint64_t tag;

	struct ip_reasm_config cfg = { .max_bytes = 2000 };
	struct ip_reasm *r;
	ck_assert_int_eq(ip_reasm_create(&sim, &cfg, NULL, NULL, &r), SN_OK);
	const struct ip_reasm_stats *st = ip_reasm_stats(r);
	for (int k = 1; k <= 3; k++)
		ck_assert_int_eq(ip_reasm_input(r, c[0].p[k], c[0].len[k], 0,
						&out, &out_len, &tag),
				 IP_REASM_PENDING);
	ck_assert_uint_eq(st->bytes_held, 1656);
	ck_assert_int_eq(ip_reasm_input(r, c[0].p[4], c[0].len[4], 0, &out,
					&out_len, &tag),
			 IP_REASM_NO_MEMORY);
	ck_assert_int_eq(ip_reasm_input(r, c[1].p[1], c[1].len[1], 0, &out,
					&out_len, &tag),
			 IP_REASM_NO_MEMORY);
	ck_assert_uint_eq(st->pending, 1);
	ck_assert_uint_eq(st->bytes_held, 1656);
	ck_assert_int_eq(ip_reasm_input(r, c[0].p[7], c[0].len[7], 0, &out,
					&out_len, &tag),
			 IP_REASM_PENDING);      /* 116 more: 1772 */
	ck_assert_uint_eq(st->bytes_held, 1772);
	ck_assert_uint_eq(st->no_memory, 2);
	ip_reasm_destroy(r);

	cfg = (struct ip_reasm_config){ .max_datagrams = 2 };
	ck_assert_int_eq(ip_reasm_create(&sim, &cfg, NULL, NULL, &r), SN_OK);
	st = ip_reasm_stats(r);
	for (int d = 0; d < 2; d++)
		ck_assert_int_eq(ip_reasm_input(r, c[d].p[1], c[d].len[1], 0,
						&out, &out_len, &tag),
				 IP_REASM_PENDING);
	ck_assert_int_eq(ip_reasm_input(r, c[2].p[1], c[2].len[1], 0, &out,
					&out_len, &tag),
			 IP_REASM_NO_MEMORY);
	ck_assert_uint_eq(st->pending, 2);
	int order[MAX_FRAGS], n = 0;
	for (int k = 0; k < c[0].n; k++)
		if (k != 1)
			order[n++] = k;
	reasm_expect(r, &c[0], order, n, dg[0], sizeof dg[0], 0);
	ck_assert_uint_eq(st->pending, 1);
	ck_assert_int_eq(ip_reasm_input(r, c[2].p[1], c[2].len[1], 0, &out,
					&out_len, &tag),
			 IP_REASM_PENDING);
	ck_assert_uint_eq(st->pending, 2);
	ip_reasm_destroy(r);
	for (int d = 0; d < 3; d++)
		frags_free(&c[d]);
	sim_end(&sim);
}
END_TEST

/* Inconsistent fragments drop the whole pending datagram. */
START_TEST(reasm_bad_fragments)
{
	struct sim sim;
	sim_begin(&sim);
	uint8_t dg[84];
	make_dgram(dg, sizeof dg, 31, NULL, 0);
	struct ip_reasm *r;
	ck_assert_int_eq(ip_reasm_create(&sim, NULL, NULL, NULL, &r), SN_OK);
	const struct ip_reasm_stats *st = ip_reasm_stats(r);
	uint8_t *out = NULL;
	uint32_t out_len;

	/* a second last fragment with another end */
	ck_assert_int_eq(feed(r, dg, 0, 24, 1, -1, &out, &out_len),
			 IP_REASM_PENDING);
	ck_assert_int_eq(feed(r, dg, 56, 8, 0, -1, &out, &out_len),
			 IP_REASM_PENDING);
	ck_assert_int_eq(feed(r, dg, 48, 24, 0, 0x55, &out, &out_len),
			 IP_REASM_BAD);
	ck_assert_uint_eq(st->pending, 0);
	ck_assert_uint_eq(st->bytes_held, 0);

	/* data past the end a last fragment set */
	ck_assert_int_eq(feed(r, dg, 48, 16, 0, -1, &out, &out_len),
			 IP_REASM_PENDING);
	ck_assert_int_eq(feed(r, dg, 56, 16, 1, 0x55, &out, &out_len),
			 IP_REASM_BAD);
	ck_assert_uint_eq(st->pending, 0);

	/* a last fragment ending before data already held */
	ck_assert_int_eq(feed(r, dg, 0, 32, 1, -1, &out, &out_len),
			 IP_REASM_PENDING);
	ck_assert_int_eq(feed(r, dg, 8, 8, 0, -1, &out, &out_len),
			 IP_REASM_BAD);
	ck_assert_uint_eq(st->pending, 0);

	/* MF with data not a multiple of 8; no data at all */
	ck_assert_int_eq(feed(r, dg, 8, 12, 1, -1, &out, &out_len),
			 IP_REASM_BAD);
	ck_assert_int_eq(feed(r, dg, 8, 0, 0, -1, &out, &out_len),
			 IP_REASM_BAD);

	/* the end: offset 65512 (8189 units) plus 3 bytes is exactly 65535
	 * with a 20-byte header; plus 4 passes it */
	ck_assert_int_eq(feed(r, dg, 65512, 3, 0, 0, &out, &out_len),
			 IP_REASM_PENDING);
	ck_assert_uint_eq(st->pending, 1);
	ck_assert_int_eq(feed(r, dg, 65512, 4, 0, 0, &out, &out_len),
			 IP_REASM_BAD);
	ck_assert_uint_eq(st->pending, 0);

	/* not a fragment: refused, nothing touched */
	ck_assert_int_eq(feed(r, dg, 0, 24, 1, -1, &out, &out_len),
			 IP_REASM_PENDING);
	uint64_t tag;
	ck_assert_int_eq(ip_reasm_input(r, dg, sizeof dg, 0, &out, &out_len,
					&tag),
			 IP_REASM_BAD);
	ck_assert_uint_eq(st->pending, 1);
	ck_assert_uint_eq(st->bad, 7);
	ck_assert_ptr_null(out);
	ip_reasm_destroy(r);
	sim_end(&sim);
}
END_TEST

/* Destroying a reassembler with datagrams pending frees them all and
 * cancels their timers (the teardown finds no event and no memory). */
static void on_bad_drop(uint64_t tag, void *arg)
{
	uint64_t *got = arg;
	got[0]++;
	got[1] = tag;
}

/* A fragment that spoils a pending datagram reports that datagram's
 * tag, so its loss is accounted even when the spoiler came from
 * elsewhere. */
START_TEST(reasm_bad_reports_pending_tag)
{
	struct sim sim;
	sim_begin(&sim);
	uint8_t dg[84];
	make_dgram(dg, sizeof dg, 32, NULL, 0);
	uint64_t got[2] = { 0, 0 };
	struct ip_reasm *r;
	ck_assert_int_eq(ip_reasm_create(&sim, NULL, NULL, got, &r), SN_OK);
	ip_reasm_on_drop(r, on_bad_drop);
	uint8_t f[84], *out = NULL;
	uint32_t out_len = 0, n = make_frag(f, dg, 0, 24, 1, -1);
	uint64_t out_tag = 0;
	ck_assert_int_eq(ip_reasm_input(r, f, n, 5, &out, &out_len, &out_tag),
			 IP_REASM_PENDING);
	n = make_frag(f, dg, 8, 12, 1, -1); /* MF, data not a multiple of 8 */
	ck_assert_int_eq(ip_reasm_input(r, f, n, 9, &out, &out_len, &out_tag),
			 IP_REASM_BAD);
	ck_assert_uint_eq(got[0], 1);
	ck_assert_uint_eq(got[1], 5);
	ip_reasm_destroy(r);
	sim_end(&sim);
}
END_TEST

START_TEST(reasm_destroy_pending)
{
	struct sim sim;
	sim_begin(&sim);
	struct expiry e = { .sim = &sim };
	struct ip_reasm *r;
	ck_assert_int_eq(ip_reasm_create(&sim, NULL, on_expiry, &e, &r),
			 SN_OK);
	uint8_t *out;
	uint32_t out_len;
	for (uint16_t id = 0; id < 10; id++) {
		uint8_t dg[84];
		make_dgram(dg, sizeof dg, id, NULL, 0);
		ck_assert_int_eq(feed(r, dg, 0, 16, 1, -1, &out, &out_len),
				 IP_REASM_PENDING);
		ck_assert_int_eq(feed(r, dg, 32, 16, 1, -1, &out, &out_len),
				 IP_REASM_PENDING);
	}
	ck_assert_uint_eq(ip_reasm_stats(r)->pending, 10);
	ck_assert_uint_eq(sim_pending_count(&sim), 10);
	ip_reasm_destroy(r);
	ip_reasm_destroy(NULL);
	sim_run(&sim);
	ck_assert_int_eq(e.calls, 0);
	sim_end(&sim);
}
END_TEST

/* The time-out callback may feed the reassembler again: the datagram
 * that timed out is already gone, so the same key starts afresh with a
 * timer of its own. */
struct refeed {
	struct ip_reasm *r;
	const uint8_t *frag;
	uint32_t len;
	enum ip_reasm_result res;
	int calls;
};

static void on_expiry_refeed(const uint8_t *first, uint32_t first_len,
			     uint64_t tag, void *arg)
{
	(void)first;
	(void)first_len;
	(void)tag;
	struct refeed *rf = arg;
	uint8_t *out;
	uint32_t out_len;
	uint64_t out_tag;
	rf->calls++;
	rf->res = ip_reasm_input(rf->r, rf->frag, rf->len, 2, &out, &out_len,
				 &out_tag);
}

START_TEST(reasm_timeout_callback_may_input)
{
	struct sim sim;
	sim_begin(&sim);
	uint8_t dg[84], f[IP_HDR_LEN + 64];
	make_dgram(dg, sizeof dg, 12, NULL, 0);
	uint32_t n = make_frag(f, dg, 0, 16, 1, -1);
	struct refeed rf = { .frag = f, .len = n };
	ck_assert_int_eq(ip_reasm_create(&sim, NULL, on_expiry_refeed, &rf,
					 &rf.r),
			 SN_OK);
	uint8_t *out;
	uint32_t out_len;
	uint64_t tag;
	ck_assert_int_eq(ip_reasm_input(rf.r, f, n, 1, &out, &out_len, &tag),
			 IP_REASM_PENDING);
	sim_run_until(&sim, IP_REASM_TIMEOUT);
	ck_assert_int_eq(rf.calls, 1);
	ck_assert_int_eq(rf.res, IP_REASM_PENDING);
	ck_assert_uint_eq(ip_reasm_stats(rf.r)->pending, 1);
	ck_assert_uint_eq(ip_reasm_stats(rf.r)->bytes_held, 16 + n);
	ck_assert_uint_eq(sim_next_time(&sim), 2 * IP_REASM_TIMEOUT);
	ip_reasm_destroy(rf.r);
	sim_end(&sim);
}
END_TEST

/* suites.h will get this prototype when the suite is registered; it is
 * declared here too so that -Wmissing-prototypes is satisfied before. */
Suite *ip_parts_suite(void);

Suite *ip_parts_suite(void)
{
	Suite *s = suite_create("ip_parts");
	TCase *tc = tcase_create("cksum");
	tcase_add_test(tc, cksum_rfc1071_example);
	tcase_add_test(tc, cksum_odd_lengths);
	tcase_add_test(tc, cksum_ipv4_header);
	tcase_add_test(tc, cksum_long_buffer);
	tcase_add_test(tc, udp_cksum_pseudo_header);
	tcase_add_test(tc, udp_cksum_zero_sent_as_ffff);
	suite_add_tcase(s, tc);

	tc = tcase_create("route");
	tcase_add_test(tc, route_longest_prefix);
	tcase_add_test(tc, route_ties_metric_then_order);
	tcase_add_test(tc, route_default_and_host);
	tcase_add_test(tc, route_invalid_adds);
	tcase_add_test(tc, route_random_table_matches_definition);
	suite_add_tcase(s, tc);

	tc = tcase_create("frag");
	tcase_add_test(tc, frag_4000_bytes);
	tcase_add_test(tc, frag_fits_unchanged);
	tcase_add_test(tc, frag_of_fragment);
	tcase_add_test(tc, frag_refusals);
	tcase_add_test(tc, frag_options_by_copy_flag);
	tcase_add_test(tc, frag_malformed_options);
	suite_add_tcase(s, tc);

	tc = tcase_create("reasm");
	tcase_add_test(tc, reasm_reversed);
	tcase_add_test(tc, reasm_shuffled_interleaved);
	tcase_add_test(tc, reasm_duplicates_and_overlaps);
	tcase_add_test(tc, reasm_timeout_with_fragment_zero);
	tcase_add_test(tc, reasm_timeout_without_fragment_zero);
	tcase_add_test(tc, reasm_timeout_callback_may_input);
	tcase_add_test(tc, reasm_memory_bounds);
	tcase_add_test(tc, reasm_bad_fragments);
	tcase_add_test(tc, reasm_destroy_pending);
	tcase_add_test(tc, reasm_bad_reports_pending_tag);
	suite_add_tcase(s, tc);
	return s;
}
