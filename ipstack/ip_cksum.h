/*
 * ip_cksum.h - the Internet checksum (RFC 1071), as IPv4 (RFC 791
 * section 3.1), ICMP (RFC 792) and UDP (RFC 768) use it.
 *
 * The checksum is the one's complement of the one's complement sum of the
 * data taken as 16-bit big-endian words.  RFC 1071 section 2 shows why it
 * can be computed in pieces: the sum is commutative and associative, and
 * carries out of bit 15 may be added back in at any time ("deferred
 * carries").  So ip_cksum_add() keeps a wide partial sum across pieces
 * and ip_cksum_fold() adds the carries back once, at the end.
 *
 * Values are host-order uint16_t, ready for ip_put16() into the header
 * field; nothing here depends on the host's byte order.
 *
 * Checking: the sum over a header that includes its correct checksum
 * field is 0xFFFF, so ip_cksum() over a received IPv4 header (checksum
 * field included) returns 0 when the header is intact.
 *
 * Pure functions: no state, no allocation, no ownership.
 */
#ifndef IP_CKSUM_H
#define IP_CKSUM_H

#include <stddef.h>
#include <stdint.h>

/* Add `len` bytes at `data` to the partial sum `sum` (start with 0) and
 * return the new partial sum, carries not yet folded.  Bytes pair up as
 * big-endian 16-bit words; an odd last byte is the high byte of a word
 * whose low byte is zero.  Because of that padding, when a message is
 * summed in pieces every piece but the last must have an even length. */
uint32_t ip_cksum_add(uint32_t sum, const void *data, size_t len);

/* Fold the carries of a partial sum into 16 bits and return its one's
 * complement: the value to store in a checksum field. */
uint16_t ip_cksum_fold(uint32_t sum);

/* The checksum of `len` bytes: ip_cksum_fold(ip_cksum_add(0, data, len)). */
uint16_t ip_cksum(const void *data, size_t len);

/* The UDP checksum (RFC 768) of the `udp_len` bytes at `udp` (UDP header
 * and data) sent from `src` to `dst` (host-order addresses), over the
 * pseudo-header: source address, destination address, a zero byte, the
 * protocol (17) and the UDP length.
 *
 * To fill in a datagram: set its checksum field to 0, call this, store
 * the result.  A computed 0 is returned as 0xFFFF (its one's complement
 * twin), because 0 in the field means "no checksum" (RFC 768).
 *
 * To check a received datagram whose checksum field is not 0: call this
 * over it as received; it is intact when the result is 0xFFFF (the sum
 * then folds to 0, which is returned as 0xFFFF by the rule above). */
uint16_t ip_udp_cksum(uint32_t src, uint32_t dst, const uint8_t *udp,
		      uint16_t udp_len);

#endif
