/*
 * viz_narrate.h - the bus told in plain words, for teaching: a subscriber
 * to the line trace (SIM_TR_BUS_LINES) that decodes what a bus analyser
 * would and prints each protocol step with its simulated time and the
 * SCSI-2 rule behind it:
 *
 *   3.200us  scsi0: ID 7 wins arbitration over ID 3: the highest ID has
 *            priority (SCSI-2 5.1.2)
 *   5.430us  scsi0: SELECTION 7 -> 3 with ATN: a MESSAGE OUT follows
 *            (5.1.3)
 *   ...      scsi0: MESSAGE OUT  IDENTIFY (LUN 0, may disconnect);
 *            SDTR: period 200 ns, offset 8
 *   ...      scsi0: COMMAND  2A 00 00 00 00 00 00 03 E8 00: SEND
 *            MESSAGE(10), 1000 bytes, RFC 2143 type 0 (IPv4)
 *
 *   ...      scsi0: SDTR agreed: 200 ns, offset 8; asked 100 ns, offset
 *            8: the answer is never faster nor deeper than the proposal
 *            (5.6.21)
 *
 * Levels: VIZ_NARRATE_COMMANDS, one line per command (who, what, how it
 * ended, how long); VIZ_NARRATE_PHASES, a line per phase with its bytes
 * decoded (the default); VIZ_NARRATE_EDGES, also every control-line edge,
 * and after the edges that a timing rule governs the interval measured on
 * the bus and the rule ("rule: REQ after the phase lines: 400ns; at least
 * a bus settle delay (400ns) (5.1.5)"): bus free and bus set delay,
 * arbitration delay, the selection answer and its deskew, bus settle.
 *
 * Decoded from the lines alone, as an analyser on the cable would (with
 * viz_decode.h, as the live view does): a byte is taken when the
 * initiator asserts ACK in an OUT phase and when the target asserts REQ
 * in an IN phase.  It costs what any line trace costs
 * (every edge becomes a record): a teaching run, not a benchmark.
 *
 * Ownership: the narrator and the stream are the caller's; close before
 * the sim is finished.
 */
#ifndef VIZ_NARRATE_H
#define VIZ_NARRATE_H

#include <stdio.h>

#include "bus.h"

enum viz_narrate_level {
	VIZ_NARRATE_COMMANDS,
	VIZ_NARRATE_PHASES,
	VIZ_NARRATE_EDGES,
};

struct viz_narrate;

/* Narrate `bus` (call again for each bus) to `out`.  Errors: SN_EINVAL,
 * SN_ENOMEM. */
enum sn_err viz_narrate_open(struct sim *sim, FILE *out,
			     enum viz_narrate_level level,
			     struct viz_narrate **out_n);
enum sn_err viz_narrate_add_bus(struct viz_narrate *n, const struct bus *bus);
/* Parse "commands", "phases" or "edges"; SN_EINVAL otherwise. */
enum sn_err viz_narrate_level_parse(const char *text,
				    enum viz_narrate_level *out);
void viz_narrate_close(struct viz_narrate *n);

#endif
