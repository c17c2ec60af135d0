/*
 * viz_decode.h - reading a SCSI bus from its lines alone, as a bus
 * analyser on the cable does: who arbitrated and won (SCSI-2 5.1.2), who
 * selected or reselected whom and whether ATN came with it (5.1.3, 5.1.4),
 * and the bytes of each information phase, taken on the sender's strobe
 * (ACK rising in an OUT phase, REQ rising in an IN phase; 5.1.5, 6.1).
 * And the words for what the bytes mean: messages (5.6), the CDB (RFC 2143
 * section 3: SEND MESSAGE(10)), status (7.3).
 *
 * The narration (viz_narrate) and the live view (viz_view) both decode
 * with this, so they cannot disagree.  No I/O, no allocation.
 *
 * Use, for each SIM_TR_BUS_LINES record of one bus:
 *     if (phase != d.phase) { ...read d (the phase that ended)...;
 *                             viz_decoder_enter(&d, phase, t); }
 *     viz_decoder_take(&d, phase, ctl, db, changed);
 */
#ifndef VIZ_DECODE_H
#define VIZ_DECODE_H

#include <stddef.h>
#include <stdint.h>

#include "bus.h"

/* Bytes of one phase kept for decoding (a longer phase is counted). */
#define VIZ_DECODE_BYTES 32

struct viz_decoder {
	enum bus_phase phase;         /* the phase now */
	sim_time_t phase_at;          /* since when */
	uint16_t arb_ids;             /* DB bits seen in the arbitration */
	uint16_t sel_ids;             /* the two IDs of (re)selection */
	int sel_atn;                  /* ATN seen while selecting */
	uint8_t bytes[VIZ_DECODE_BYTES];
	uint32_t nbytes;              /* handshakes in this phase */
};

/* A bus at rest: BUS FREE since time 0. */
void viz_decoder_init(struct viz_decoder *d);
/* Phase p begins at t: what is kept per phase starts again. */
void viz_decoder_enter(struct viz_decoder *d, enum bus_phase p, sim_time_t t);
/* One recorded state of the bus, in phase p (after viz_decoder_enter if p
 * is new): `changed` holds the lines that changed with it. */
void viz_decoder_take(struct viz_decoder *d, enum bus_phase p, uint16_t ctl,
		      uint16_t db, uint16_t changed);
/* While, or just after, d->phase is SELECTION or RESELECTION: the
 * initiator and the target (-1 when not known).  The arbitration's winner
 * selects as initiator or reselects as target; the other ID bit on DB is
 * its partner. */
void viz_decoder_pair(const struct viz_decoder *d, int *initiator,
		      int *target);

/* The ID that wins an arbitration among `ids` (bit n: ID n), -1 if none:
 * on a wide bus 7 is highest, then 6..0, then 15..8 (SCSI-2 5.1.2). */
int viz_arb_winner(uint16_t ids);

/* The messages m[0..n) in words, into buf (always terminated, cut to
 * cap).  brief: "IDENTIFY LUN 0 disc; SDTR 200ns off 8"; else "IDENTIFY
 * (LUN 0, may disconnect); SDTR: period 200 ns, offset 8". */
void viz_decode_messages(const uint8_t *m, uint32_t n, int brief, char *buf,
			 size_t cap);
/* A CDB in words.  brief: "SEND MESSAGE(10) 84 B type 0 IPv4"; else its
 * bytes in hex, then ": SEND MESSAGE(10), 84 bytes, RFC 2143 type 0
 * (IPv4)". */
void viz_decode_cdb(const uint8_t *c, uint32_t n, int brief, char *buf,
		    size_t cap);
/* A status byte's name (SCSI-2 Table 27), or "status". */
const char *viz_decode_status(uint8_t s);

#endif
