/*
 * bus_check.h - a protocol checker for one SCSI bus, like a bus analyser.
 *
 * The checker subscribes to the SIM_TR_BUS_LINES records of one bus (the
 * logical state: the OR of all drives, without cable delay, one record per
 * drive change, in time order) and reports each violation of the SCSI-2
 * rules below.  It never drives a line, schedules no event and changes
 * nothing in the model: attaching it only makes the bus emit its line
 * records (which costs the bus a little trace bookkeeping).  Each
 * violation is stored (the first BUS_CHECK_KEEP of them; later ones are
 * only counted) and re-emitted as a SIM_TR_BUS_CHECK record whose payload
 * is the struct bus_check_violation and whose flags are the rule, so that
 * viewers and narration can show it.
 *
 * Sources: SCSI-2 is X3.131-1994 (draft X3T9.2/375R rev 10L); clause
 * numbers are those of its chapter 5 (S2-ch5).  "pf N" is a section of
 * /work/shared/reference/protocol-facts.md, where each fact names its
 * source (FJ, SEA, S2-tbl, ...).  Timing values come from the bus's speed
 * class (bus->timing, bus/bus_timing.h), which cites them too.
 *
 * WHAT IT CHECKS (enum bus_check_rule gives the identifiers):
 *
 *  REQ_SETTLE      REQ rises in an information phase less than a bus
 *                  settle delay (400 ns) after the last change of MSG, C/D
 *                  or I/O.  SCSI-2 5.1.5: the target changes the phase
 *                  lines, then waits a bus settle delay before REQ;
 *                  pf 2.6 (FJ M3097G timing figures), value pf 2.1.
 *  SEL_TWO         A port asserts SEL while another port drives SEL.  Only
 *                  the winner of arbitration (or, without arbitration, the
 *                  one SCSI-1 selector) drives SEL.  SCSI-2 5.1.2-5.1.4;
 *                  pf 2.2 (S2-tbl Table 6), pf 2.4 step 4.
 *  DATA_HOLD       Asynchronous transfer: DB(7-0,P) (or DB(15-8,P1))
 *                  changes on the bus in an IN phase while REQ is asserted
 *                  and ACK not yet ("the target shall hold DB until ACK is
 *                  true"), or in an OUT phase while ACK and REQ are both
 *                  asserted ("the initiator shall drive DB until REQ is
 *                  false").  Not reported when the connection ends in the
 *                  same change (that is an unexpected BUS FREE, see below).
 *                  SCSI-2 5.1.5.1; pf 2.6 (FJ M3097G, FJ MCP3064SS).
 *  SYNC_OFFSET     Synchronous DATA phase of a nexus declared with
 *                  bus_check_set_sync(): a REQ leading edge leaves more
 *                  REQ pulses unanswered by ACK than the agreed REQ/ACK
 *                  offset.  SCSI-2 5.1.5.2; pf 2.6 (FJ M2488, M3099GX:
 *                  "offset = max REQ pulses outstanding before the
 *                  matching ACK").  DATA_HOLD is not checked there.
 *  ARB_EARLY       A port asserts BSY to arbitrate sooner than a bus
 *                  settle delay plus a bus free delay (400 + 800 ns) after
 *                  BUS FREE reached it: BUS FREE is detected once BSY and
 *                  SEL have been false for a bus settle delay, and a device
 *                  then waits a bus free delay.  "Reached it": the latest
 *                  release of BSY, SEL or RST plus the cable delay from
 *                  that port.  SCSI-2 5.1.1, 5.1.2 (1)-(2); pf 2.4 steps
 *                  1-2 (SEA p.32, FJ 600c 4.3.2), values pf 2.1.
 *  ARB_LATE        A port joins an arbitration (asserts BSY while another
 *                  port's BSY or SEL has ended BUS FREE) more than a bus
 *                  set delay (1.8 us) after BUS FREE was last observable at
 *                  its position (the first other arbitrator's BSY plus the
 *                  cable delay).  SCSI-2 5.1.2 (3); pf 2.4 step 3 (FJ 600c
 *                  4.3.2), value pf 2.1.
 *  ARB_SEL_EARLY   A port asserts SEL sooner than an arbitration delay
 *                  (2.4 us) after it asserted BSY to arbitrate.  SCSI-2
 *                  5.1.2 (4); pf 2.4 step 4, value pf 2.1.
 *  TARGET_LINES    In an information phase, two ports drive C/D, I/O, MSG
 *                  or REQ at once (only the target drives them).
 *                  SCSI-2 Table 6; pf 2.2 (S2-tbl Table 6).
 *  INITIATOR_LINES In an information phase, two ports drive ACK or ATN at
 *                  once (only the initiator drives them).  Same source.
 *  PARITY          In an information phase, at each REQ leading edge of an
 *                  IN phase and each ACK leading edge of an OUT phase (the
 *                  moment the receiver may latch DB), DB(P) is not the odd
 *                  parity of DB(7-0); on a wide bus also DB(P1) against
 *                  DB(15-8) when the upper byte is in use (any of
 *                  DB(15-8), DB(P1) asserted).  Odd parity: bus_parity()
 *                  in bus.h; pf 2.2 (DB(P), DB(P1)), pf 2.5 and 2.7 (what
 *                  devices do on a parity error).
 *  RST_SHORT       RST is asserted for less than the reset hold time
 *                  (25 us).  pf 2.1 (FJ MCE3064SS, FJ M3097G Table 4.4).
 *  BUS_HELD        The bus is held (BSY, SEL or RST asserted: any phase
 *                  but BUS FREE) without a BUS FREE for longer than
 *                  BUS_STUCK_LIMIT (bus.h: 1 s, four selection
 *                  time-outs; why there).  A bus held that long is stuck
 *                  (an analyser's "bus hang" trigger); reported once per
 *                  hold, at the first record past the limit, or by
 *                  bus_check_finish() when no edge comes any more.
 *
 * WHAT IT DOES NOT CHECK (bus-level rules left to later work, or not
 * visible to an analyser of logical levels):
 *  - An unexpected BUS FREE (the target releasing BSY mid-connection) is
 *    not a bus violation; the initiator reports it (SCSI-2 5.1.1).
 *  - Deskew and cable-skew set-up before REQ/ACK, synchronous assertion
 *    and negation periods, hold time and transfer period; bus clear delay
 *    (losers and every device releasing in time); data release delay;
 *    selection and reselection steps (two deskew delays, selection abort
 *    time, time-outs, ID bits on DB); SCSI-1 selection without
 *    arbitration; arbitration priority; ATN and message sequencing; the
 *    disconnection delay; REQ asserted during SELECTION.
 *  - Who is target: TARGET_LINES and INITIATOR_LINES count drivers, they
 *    do not check that the single driver is the right device.
 *  - Wide transfers whose upper byte is 00h with DB(P1) false look like
 *    narrow transfers on a wide bus and are not parity-checked above.
 *  - The first arbitration after attaching: BUS FREE must be seen to begin
 *    (BSY, SEL and RST falling) before ARB_EARLY is checked; likewise an
 *    RST already asserted at attach time is not timed.
 *
 * TIMES are the logical times of the bus records: a device's drive is
 * dated when it drives, and the cable delays between ports are used where
 * a rule is about what a device could sense (ARB_EARLY, ARB_LATE), so a
 * long cable never causes a false report.  Where a rule measures between
 * two edges of the same device (REQ_SETTLE, ARB_SEL_EARLY) no delay
 * applies.
 *
 * USE.  Attach the checker when the bus is built, before devices drive: a
 * bus only records line changes for the trace while someone subscribes,
 * so changes dated before the attach (or recorded for later before it)
 * are not seen.  The checker uses the engine's trace hub: do not attach or
 * detach from inside a trace callback.  Detach before bus_destroy().
 *
 * Ownership: the checker is allocated with sim_alloc() from the bus's sim
 * and freed by bus_check_detach().  A pointer from bus_check_get() stays
 * valid until the next record is processed or the checker is detached.
 */
#ifndef BUS_CHECK_H
#define BUS_CHECK_H

#include <stddef.h>
#include <stdint.h>

#include "bus.h"
#include "sim.h"

enum bus_check_rule {
	BUS_CHECK_REQ_SETTLE,
	BUS_CHECK_SEL_TWO,
	BUS_CHECK_DATA_HOLD,
	BUS_CHECK_SYNC_OFFSET,
	BUS_CHECK_ARB_EARLY,
	BUS_CHECK_ARB_LATE,
	BUS_CHECK_ARB_SEL_EARLY,
	BUS_CHECK_TARGET_LINES,
	BUS_CHECK_INITIATOR_LINES,
	BUS_CHECK_PARITY,
	BUS_CHECK_RST_SHORT,
	BUS_CHECK_BUS_HELD,
	BUS_CHECK_RULE_COUNT_
};

/* How many violations are stored; later ones are counted only. */
#define BUS_CHECK_KEEP 1000u
/* Room for a violation's text, NUL included (longer text is cut). */
#define BUS_CHECK_TEXT_MAX 232

/* A port named in a violation. */
struct bus_check_port {
	int index;     /* bus->port[] index, or -1 when the slot is unused */
	int scsi_id;   /* that port's SCSI ID, -1 for a passive port */
};

/* One violation; also the payload of its SIM_TR_BUS_CHECK record. */
struct bus_check_violation {
	sim_time_t time;              /* when the offending change happened */
	enum bus_check_rule rule;
	uint32_t nports;              /* 1 or 2 used slots in port[] */
	struct bus_check_port port[2];/* [0] made the offending change; [1]
					 the other party (second driver,
					 earlier edge), if any */
	/* What was measured and the limit it broke: picoseconds for the
	 * timing rules; REQ pulses outstanding and the offset for
	 * SYNC_OFFSET; DB(P)/DB(P1) seen and expected (bit 0 / bit 1) for
	 * PARITY; the number of drivers and 1 for SEL_TWO, TARGET_LINES,
	 * INITIATOR_LINES; 0 and 0 for DATA_HOLD. */
	uint64_t value, limit;
	struct bus_sig bus;           /* the bus after the change */
	uint8_t phase;                /* enum bus_phase after the change */
	char text[BUS_CHECK_TEXT_MAX];/* rule, numbers and clause, in words */
};

struct bus_check;

/* Start checking `bus`.  Errors: SN_EINVAL (NULL), SN_ENOMEM. */
enum sn_err bus_check_attach(struct bus_check **out, struct bus *bus);
/* Stop checking and free everything (NULL is a no-op). */
void bus_check_detach(struct bus_check *check);

/* The REQ/ACK offset the checker holds for a pair: decoded from the SDTR
 * messages it saw on the bus (an answer to a proposal sets it; MESSAGE
 * REJECT, WDTR, BUS DEVICE RESET and RST cancel it), or declared with
 * bus_check_set_sync().  0 = asynchronous. */
unsigned bus_check_agreed_offset(const struct bus_check *check,
				 int initiator_id, int target_id);

/* Declare (offset 1..255) or cancel (offset 0) a synchronous data transfer
 * agreement between two SCSI IDs, as an SDTR exchange would (pf 2.6;
 * offset FFh means unlimited).  It applies to DATA phases of connections
 * between those two devices; an RST on the bus cancels every agreement
 * (pf 2.6: renegotiate after a hard reset).
 * Errors: SN_ERANGE (an ID outside the bus width, offset > 255). */
enum sn_err bus_check_set_sync(struct bus_check *check, int initiator_id,
			       int target_id, unsigned offset);

/* The run is over at `now`: report a hold still going on (BUS_HELD) that
 * no later record will show. */
void bus_check_finish(struct bus_check *check, sim_time_t now);

/* Violations stored (at most BUS_CHECK_KEEP) and the i-th of them
 * (NULL when i >= count), oldest first. */
size_t bus_check_count(const struct bus_check *check);
const struct bus_check_violation *bus_check_get(const struct bus_check *check,
						size_t i);
/* Every violation found, stored or not; those not stored. */
uint64_t bus_check_total(const struct bus_check *check);
uint64_t bus_check_dropped(const struct bus_check *check);
/* The trace source of the checker's SIM_TR_BUS_CHECK records (named
 * "BUS/check"). */
sim_trace_source_t bus_check_source(const struct bus_check *check);
/* Violations of one rule found (stored or not); 0 for an unknown rule. */
uint64_t bus_check_rule_count(const struct bus_check *check,
			      enum bus_check_rule rule);

/* A short identifier of the rule ("req-settle", ...); "?" if unknown. */
const char *bus_check_rule_name(enum bus_check_rule rule);

#endif
