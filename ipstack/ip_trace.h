/*
 * ip_trace.h - the SIM_TR_PACKET record: one datagram that crossed a SCSI
 * bus, as the receiving station took it.  The pcap writer (viz/) and
 * statistics subscribe to these; the stack never knows who watches.
 *
 * Payload: struct ip_trace_packet, then `len` bytes of the datagram (an
 * IPv4 datagram or an ARP packet, without any SCSI framing).  Ownership:
 * the emitter's, valid during the subscriber's callback only.
 */
#ifndef IP_TRACE_H
#define IP_TRACE_H

#include <stdint.h>

struct ip_trace_packet {
	uint32_t bus;          /* the bus's index in the simulation */
	uint32_t host;         /* the receiving host's index */
	uint16_t ethertype;    /* 0x0800 IPv4, 0x0806 ARP */
	uint8_t src_id;        /* sending SCSI ID (the initiator) */
	uint8_t dst_id;        /* receiving SCSI ID (the target) */
	uint32_t len;          /* bytes that follow */
};

/* record.flags for SIM_TR_PACKET */
#define IP_TRACE_RX 0          /* received over the bus */

#endif
