/*
 * ip_wire.h - wire formats the stack reads and writes: IPv4 (RFC 791),
 * ICMP (RFC 792), UDP (RFC 768), ARP (RFC 826) with a one-byte hardware
 * address, and the RFC 2143 protocol types.  Constants, offsets and
 * big-endian accessors only: no state, no allocation.
 *
 * Every field is read and written through ip_get16/ip_put16/ip_get32/
 * ip_put32 at its byte offset, so nothing depends on struct layout or
 * host byte order.
 */
#ifndef IP_WIRE_H
#define IP_WIRE_H

#include <stdint.h>

static inline uint16_t ip_get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t ip_get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static inline void ip_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void ip_put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* --- RFC 2143: the protocol type in CDB byte 5's low 4 bits -----------
 * The RFC says the values "should match" Ethernet types, which do not
 * fit in 4 bits (protocol-facts 1.3).  Decided here: 0 = IPv4, 1 =
 * address resolution; every other value is counted and dropped.  The
 * pcap writer shows them as EtherType 0x0800 and 0x0806. */
#define RFC2143_TYPE_IPV4 0
#define RFC2143_TYPE_ARP 1
#define ETHERTYPE_IPV4 0x0800
#define ETHERTYPE_ARP 0x0806

/* --- IPv4 header (RFC 791 section 3.1), offsets in bytes --------------- */
#define IP_HDR_LEN 20          /* without options */
#define IP_OFF_VHL 0           /* version 4 (high nibble), IHL in words */
#define IP_OFF_TOS 1
#define IP_OFF_LEN 2           /* total length */
#define IP_OFF_ID 4
#define IP_OFF_FRAG 6          /* flags (3 bits) and fragment offset */
#define IP_OFF_TTL 8
#define IP_OFF_PROTO 9
#define IP_OFF_CKSUM 10
#define IP_OFF_SRC 12
#define IP_OFF_DST 16
#define IP_FLAG_DF 0x4000      /* don't fragment */
#define IP_FLAG_MF 0x2000      /* more fragments */
#define IP_FRAG_MASK 0x1fff    /* offset in 8-byte units */
#define IP_DEFAULT_TTL 64      /* RFC 1700's recommended default */
#define IP_MIN_MTU 576         /* every host must accept (RFC 791) */
#define IP_MAX_LEN 65535

#define IP_PROTO_ICMP 1
#define IP_PROTO_UDP 17

/* --- ICMP (RFC 792) ------------------------------------------------------ */
#define ICMP_HDR_LEN 8
#define ICMP_OFF_TYPE 0
#define ICMP_OFF_CODE 1
#define ICMP_OFF_CKSUM 2
#define ICMP_OFF_ID 4          /* echo: identifier */
#define ICMP_OFF_SEQ 6         /* echo: sequence number */
#define ICMP_OFF_MTU 6         /* fragmentation needed: next-hop MTU
				* (RFC 1191 section 4) */
#define ICMP_ECHO_REPLY 0
#define ICMP_DEST_UNREACH 3
#define ICMP_ECHO 8
#define ICMP_TIME_EXCEEDED 11
#define ICMP_UNREACH_NET 0
#define ICMP_UNREACH_HOST 1
#define ICMP_UNREACH_PROTO 2
#define ICMP_UNREACH_PORT 3
#define ICMP_UNREACH_FRAG 4    /* fragmentation needed and DF set */
#define ICMP_EXC_TTL 0
#define ICMP_EXC_REASSEMBLY 1

/* --- UDP (RFC 768) --------------------------------------------------------- */
#define UDP_HDR_LEN 8
#define UDP_OFF_SPORT 0
#define UDP_OFF_DPORT 2
#define UDP_OFF_LEN 4
#define UDP_OFF_CKSUM 6

/* --- ARP over SCSI (RFC 826 layout, RFC 2143 section 4) -----------------
 * The hardware address is the SCSI ID, one byte.  No hardware type is
 * registered for SCSI (protocol-facts 1.4): this uses 256, HW_EXP2, which
 * RFC 5494 reserves for experiments, so no decoder mistakes it for a
 * registered type. */
#define ARP_HTYPE_SCSI 256
#define ARP_HLEN 1
#define ARP_PLEN 4
#define ARP_OP_REQUEST 1
#define ARP_OP_REPLY 2
#define ARP_OFF_HTYPE 0
#define ARP_OFF_PTYPE 2
#define ARP_OFF_HLEN 4
#define ARP_OFF_PLEN 5
#define ARP_OFF_OP 6
#define ARP_OFF_SHA 8          /* sender SCSI ID */
#define ARP_OFF_SPA 9          /* sender IPv4 address */
#define ARP_OFF_THA 13         /* target SCSI ID */
#define ARP_OFF_TPA 14         /* target IPv4 address */
#define ARP_LEN 18

#endif
