/*
 * viz_scsicap.h - the SCSI level of every bus as a pcapng capture, in the
 * draft LINKTYPE_PARALLEL_SCSI framing (squishy-scsi/wireshark-scsi,
 * docs/LINKTYPE_PARALLEL_SCSI.md at git rev 35ba02a; the draft says it is
 * still in flux, so the revision is pinned here and in each file's
 * section header comment).
 *
 * The writer is a trace subscriber: it decodes each bus from its lines
 * (viz_decode.h, as the narration and the view do) and writes one frame
 * per protocol step when it ends: the arbitration (its winner and the
 * ID bits seen), the (re)selection (who selected whom, with the ID bits),
 * and each information phase with all its bytes: COMMAND (the CDB), DATA
 * OUT / DATA IN (the data, both bytes of each transfer on a wide bus),
 * MESSAGE OUT / IN (the message bytes), STATUS, and RST as a bus
 * condition.  It schedules nothing and drives nothing: a run gives the
 * same results with or without it.
 *
 * FILE FORMAT.  pcapng, written big-endian (the draft's fields are all in
 * network order; the section's byte-order magic says so to readers): a
 * Section Header Block, then one Interface Description Block per bus in
 * bus order (link type DLT_USER7, 154, as the draft borrows it; snaplen
 * 0; if_name the bus's name; if_hardware "scsinet simulated SCSI bus";
 * if_tsresol 9, nanoseconds; and the draft's custom option 0x0BAD, PEN
 * 62840, sub-ID 0, with the bus flags: SDR, 5/10/20 MHz for SCSI-2, Fast,
 * Fast-20, 8 or 16 bits, SE or HVD), then one Enhanced Packet Block per
 * frame, its interface the bus's index, its time the step's start
 * (truncated to the nanosecond).  Frames are written as their steps end,
 * so on several buses a long step's frame can follow a later-starting
 * one of another bus (pcapng allows it; Wireshark sorts by time).  On a
 * wide bus each data transfer is a word, DB(7-0) first: an odd-length
 * datagram's DATA OUT ends with the pad byte of its last word, as it
 * crossed the bus.  Each frame: a 28-byte header (u32
 * header length 28, u8 frame type, u8 originating ID, u8 destination ID,
 * 17 zero bytes, u32 data length), the data, zero padding to 4 bytes.
 *
 * Frame types (the draft's): 0x00 command, 0x01 data-in, 0x02 data-out,
 * 0x03 message, 0x04 arbitration (originator the winner, destination
 * 0xFF, data the ID bits on DB, 1 byte or 2 on a wide bus), 0x05
 * selection/reselection (originator the arbitration's winner, data the ID
 * bits), 0x0F bus condition (RST asserted: data 01h).  The draft has no
 * type for the STATUS phase; scsinet writes it as 0x06 (unassigned in the
 * draft) with the status byte as data, so that nothing on the bus is left
 * out; a reader of the draft shows it as an unknown frame.
 *
 * viz/parallel_scsi.lua is a Wireshark dissector for these frames (tshark
 * -X lua_script:viz/parallel_scsi.lua -r FILE), written from the draft;
 * the tests read our files back with it.
 *
 * Ownership: allocated with sim_alloc() on `sim`, freed by
 * viz_scsicap_close(), which must run before sim_fini() and not from a
 * trace callback.  The buses must outlive the writer.
 */
#ifndef VIZ_SCSICAP_H
#define VIZ_SCSICAP_H

#include <stdint.h>

#include "bus.h"

/* Frame types (the draft's, and our STATUS extension). */
enum viz_scsicap_type {
	VIZ_SCSICAP_COMMAND = 0x00,
	VIZ_SCSICAP_DATA_IN = 0x01,
	VIZ_SCSICAP_DATA_OUT = 0x02,
	VIZ_SCSICAP_MESSAGE = 0x03,
	VIZ_SCSICAP_ARBITRATION = 0x04,
	VIZ_SCSICAP_SELECTION = 0x05,
	VIZ_SCSICAP_STATUS = 0x06,        /* not in the draft: ours */
	VIZ_SCSICAP_BUS_CONDITION = 0x0F,
};

#define VIZ_SCSICAP_LINKTYPE 154u         /* DLT_USER7, as the draft */
#define VIZ_SCSICAP_HEADER_LEN 28u
#define VIZ_SCSICAP_PEN 62840u            /* the draft's custom option */

struct viz_scsicap;

/* Create `path` (truncating it) and write the section header.  Errors:
 * SN_EINVAL, SN_ENOMEM, SN_EIO (errno as the failing call left it). */
enum sn_err viz_scsicap_open(struct sim *sim, const char *path,
			     struct viz_scsicap **out);
/* Capture `bus` (its interface block is written now): call for each bus,
 * in bus order, before the run.  Errors: SN_EINVAL, SN_ENOMEM, SN_EIO. */
enum sn_err viz_scsicap_add_bus(struct viz_scsicap *c, struct bus *bus);
/* Flush the buses' traces, write what is pending, close and free.
 * SN_EIO if any write failed.  NULL is a no-op returning SN_OK. */
enum sn_err viz_scsicap_close(struct viz_scsicap *c);
/* Frames written so far. */
uint64_t viz_scsicap_frames(const struct viz_scsicap *c);

#endif
