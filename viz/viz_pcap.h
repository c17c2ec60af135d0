/*
 * viz_pcap.h - the datagrams that crossed the SCSI buses, as a pcap file
 * that Wireshark and tshark decode.
 *
 * The writer is a trace subscriber: it reads the SIM_TR_PACKET records
 * the stations emit (ipstack/ip_trace.h) and writes those flagged
 * IP_TRACE_RX, one frame per datagram taken off a bus, in the order they
 * arrive.  Other flags are not written (a datagram is captured once, where
 * it was received).  It never changes the model: it schedules no events and
 * drives nothing, so a run gives the same results with or without it.
 *
 * FILE FORMAT.  Classic libpcap, version 2.4, with nanosecond timestamps
 * (magic 0xa1b23c4d), written little-endian whatever the host (the magic
 * tells readers the byte order), snaplen 262144, link type
 * LINKTYPE_LINUX_SLL2 (276).  An RFC 2143 link has no frame header a
 * dissector knows, and SLL2 is the pseudo-header that carries what we have:
 * the EtherType of the payload, the interface (the bus) and the sender's
 * link address (the SCSI ID).  Each frame is:
 *   protocol type   the record's ethertype: 0x0800 IPv4, 0x0806 ARP
 *   reserved        0
 *   interface index bus index + 1 (Wireshark shows it; 0 means "none")
 *   ARPHRD type     0xFFFE, ARPHRD_NONE (see viz_pcap.c for why)
 *   packet type     0, PACKET_HOST: the frame was addressed to its receiver
 *   address length  1
 *   address         the sending SCSI ID, then 7 zero bytes
 * followed by the datagram exactly as received (an IPv4 datagram, or an
 * RFC 826 ARP packet with hardware type 256 and one-byte addresses).  A
 * record whose payload is shorter than its ip_trace_packet says is an
 * emitter bug and is left out.
 *
 * TIME.  Record times are integer picoseconds since the start of the
 * simulation; the file has nanoseconds, so each time is truncated (not
 * rounded) to the nanosecond: ts_sec = t / 10^12, ts_nsec = (t % 10^12) /
 * 1000.  Time 0 of the simulation is thus the Unix epoch: readers show
 * dates on 1970-01-01.
 *
 * DETERMINISM.  Nothing in the file depends on the wall clock or the host:
 * the same records give a byte-identical file.
 *
 * USE.
 *   struct viz_pcap *p;
 *   err = viz_pcap_open(sim, "run.pcap", &p);
 *   ... run ...
 *   err = viz_pcap_close(p);        // before sim_fini()
 *
 * Ownership: the writer is allocated with sim_alloc() on `sim` and freed
 * by viz_pcap_close(), which must therefore run before sim_fini(); it
 * keeps no pointer to `path`.  Records are copied to the file during the
 * callback; the writer keeps nothing of them.
 */
#ifndef VIZ_PCAP_H
#define VIZ_PCAP_H

#include <stdint.h>

#include "sim.h"

struct viz_pcap;

/* Create `path` (truncating it), write the pcap global header and
 * subscribe to SIM_TR_PACKET.  Errors: SN_EINVAL (a NULL argument),
 * SN_ENOMEM, SN_EIO (the file cannot be created or its header cannot be
 * written; errno is left as the failing call set it, for the caller's
 * message).  On error *out is unchanged and nothing stays allocated. */
enum sn_err viz_pcap_open(struct sim *sim, const char *path,
			  struct viz_pcap **out);

/* Unsubscribe, flush and close the file, and free the writer.  Returns
 * SN_OK, or SN_EIO if any write during the run, the flush or the close
 * failed (errno is then that of the first failure).  After a failed
 * write the writer writes nothing more; the file is then cut short,
 * possibly inside a frame.  NULL is a no-op returning SN_OK.  Must not be
 * called from a trace callback (the hub forbids unsubscribing there). */
enum sn_err viz_pcap_close(struct viz_pcap *p);

/* Frames written so far: IP_TRACE_RX records, not counting any whose write
 * failed or that came after a failure. */
uint64_t viz_pcap_packets(const struct viz_pcap *p);

#endif
