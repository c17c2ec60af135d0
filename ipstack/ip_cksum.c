/*
 * ip_cksum.c - the Internet checksum of RFC 1071, and the UDP checksum
 * with the pseudo-header of RFC 768.
 */
#include "ip_cksum.h"

#include "ip_wire.h"

/* Fold a wide sum down until it fits in `bits` bits, adding each carry
 * back in at the bottom.  Every 2^16 is worth 1 in one's complement
 * arithmetic (2^16 = 0xFFFF + 1), so folding never changes the sum's
 * value modulo 0xFFFF: it is the end-around carry of RFC 1071 section 2. */
static uint64_t fold_to(uint64_t sum, unsigned bits)
{
	while (sum >> bits)
		sum = (sum & 0xFFFF) + (sum >> 16);
	return sum;
}

uint32_t ip_cksum_add(uint32_t sum, const void *data, size_t len)
{
	const uint8_t *p = data;
	/* A 64-bit accumulator cannot overflow for any buffer that fits in
	 * memory (2^48 words), so carries are folded only once, at the end,
	 * and only far enough to return a 32-bit partial sum. */
	uint64_t acc = sum;
	size_t i = 0;
	for (; i + 1 < len; i += 2)
		acc += ip_get16(p + i);
	if (i < len)
		acc += (uint32_t)p[i] << 8;   /* odd byte, zero-padded */
	return (uint32_t)fold_to(acc, 32);
}

uint16_t ip_cksum_fold(uint32_t sum)
{
	return (uint16_t)~fold_to(sum, 16);
}

uint16_t ip_cksum(const void *data, size_t len)
{
	return ip_cksum_fold(ip_cksum_add(0, data, len));
}

uint16_t ip_udp_cksum(uint32_t src, uint32_t dst, const uint8_t *udp,
		      uint16_t udp_len)
{
	/* The pseudo-header of RFC 768, 12 bytes, built as on the wire so
	 * that it is summed exactly like the rest. */
	uint8_t ph[12];
	ip_put32(ph, src);
	ip_put32(ph + 4, dst);
	ph[8] = 0;
	ph[9] = IP_PROTO_UDP;
	ip_put16(ph + 10, udp_len);

	uint32_t sum = ip_cksum_add(0, ph, sizeof ph);
	sum = ip_cksum_add(sum, udp, udp_len);
	uint16_t c = ip_cksum_fold(sum);
	/* 0 in the field means "the sender computed no checksum", so a true
	 * result of 0 is sent as 0xFFFF, the other zero of one's complement
	 * arithmetic (RFC 768, "Fields"). */
	return c == 0 ? 0xFFFF : c;
}
