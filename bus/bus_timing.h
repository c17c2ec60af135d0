/*
 * bus_timing.h - the SCSI bus timing rules, cable limits and synchronous
 * transfer period factors, as named constants and lookup tables.
 *
 * It follows the SCSI-2 bus timing values of X3.131-1994 (draft X3T9.2/375R
 * rev 10L, normative reference of RFC 2143) and its Annex B, Table B.2 for
 * the fast SCSI option; the 20 MHz class (Fast-20, "Ultra", X3.277 / SPI)
 * is an extension taken from later SPI-era drive manuals, and only for the
 * values a source was found for.  The source keys in the comments are those
 * of /work/shared/reference/protocol-facts.md (S2-tbl, FJ, SEA, ...), plus:
 *   FJ-MAN3184  Fujitsu MAN3184 series specifications C141-E123-01EN,
 *               Tables 1.15 and 1.16 (SPI-3 era; columns Fast-5..Fast-40)
 *   SEA-SPI     Seagate "Parallel SCSI Interface Product Manual" Rev. A,
 *               Table 4 (control) and Table 5 (ST data phase timing)
 *   FJ-MCP      Fujitsu MCP3064SS/MCP3130SS OEM manual C156-E228-02EN,
 *               Table 7.7 (timing, SCSI-2 names) and Table 7.9 (SDTR)
 *   MAX-B1      Maxtor Atlas 10K III product manual, Appendix B, Table B-1
 *               (transfer period factor codes)
 *   T10-F20     T10 reflector, J. Lohmeyer, "Fast-20 and differential
 *               cable lengths", 2 Nov 1995 (Fast-20 draft cable limits)
 *
 * Every constant is a sim_time_t in picoseconds.  "min" values are the
 * least a device must wait or hold; "max" values are the most it may take.
 * Devices apply these rules; the bus itself only carries the lines.
 */
#ifndef BUS_TIMING_H
#define BUS_TIMING_H

#include <stdint.h>

#include "sim_time.h"
#include "sn_error.h"

/* Speed classes: the synchronous transfer rate the bus is built for. */
enum bus_speed {
	BUS_SPEED_SCSI2,  /* SCSI-1 / SCSI-2, 5 MHz (sync period >= 200 ns) */
	BUS_SPEED_FAST,   /* Fast SCSI-2, 10 MHz (sync period >= 100 ns) */
	BUS_SPEED_FAST20  /* Fast-20 (SPI "Ultra"), 20 MHz; an extension */
};

/* Electrical alternatives of the SCSI-2 bus. */
enum bus_electrical {
	BUS_SE,           /* single-ended */
	BUS_HVD           /* (high-voltage) differential */
};

/* Data path width in bits; also the number of IDs on the bus. */
enum bus_width {
	BUS_NARROW = 8,
	BUS_WIDE = 16
};

/* ---- SCSI-2 bus timing values (X3.131-1994 clause 5 timing list) -------
 * Source for each, unless noted: SCSI-2 X3.131-1994 / S2 rev 10L via
 * FJ M3097G Table 4.4 (and M3097DG Table A.4), the same values in
 * SEA sec. 2.2.x and PISCSI bus.h. */

/* 2.4 us, min: from asserting BSY to arbitrate until DATA BUS may be
 * examined for the result.  FJ M3097G Table 4.4 item 1. */
#define BUS_ARBITRATION_DELAY (2400 * SIM_NS)
/* 90 ns, min: REQ (target) / ACK (initiator) asserted width in synchronous
 * transfers.  FJ M3097G Table 4.4 item 2. */
#define BUS_ASSERTION_PERIOD (90 * SIM_NS)
/* 800 ns, max: stop driving every signal after BUS FREE is detected, SEL is
 * seen while arbitrating, or RST goes true (1200 ns in all from BSY and SEL
 * both false).  FJ M3097G Table 4.4 item 3; SEA sec. 2.2.3. */
#define BUS_CLEAR_DELAY (800 * SIM_NS)
/* 800 ns, min: from detecting BUS FREE until asserting BSY to arbitrate.
 * FJ M3097G Table 4.4 item 4; SEA sec. 2.2.4. */
#define BUS_FREE_DELAY (800 * SIM_NS)
/* 1.8 us, max: from detecting BUS FREE until BSY and the own ID bit are
 * asserted to arbitrate (SPI-era manuals give 1.6 us; this is SCSI-2).
 * FJ M3097G Table 4.4 item 5; SEA sec. 2.2.5. */
#define BUS_SET_DELAY (1800 * SIM_NS)
/* 400 ns, min: wait for the bus to settle after changing certain control
 * signals; also how long BSY and SEL must stay false to be BUS FREE.
 * FJ M3097G Table 4.4 item 6; SEA sec. 2.2.6. */
#define BUS_SETTLE_DELAY (400 * SIM_NS)
/* 10 ns, max: propagation difference between any two bus signals between
 * any two devices.  FJ M3097G Table 4.4 item 7; SEA sec. 2.2.7. */
#define BUS_CABLE_SKEW_DELAY (10 * SIM_NS)
/* 400 ns, max: initiator releases the DATA BUS after I/O goes false to
 * true.  FJ M3097G Table 4.4 item 8; SEA sec. 2.2.8. */
#define BUS_DATA_RELEASE_DELAY (400 * SIM_NS)
/* 45 ns, min: deskew of certain signals (selection uses two of them).
 * FJ M3097G Table 4.4 item 9; SEA sec. 2.2.9. */
#define BUS_DESKEW_DELAY (45 * SIM_NS)
/* 200 us, min: a target honouring DISCONNECT waits this long after
 * releasing BSY before it arbitrates again.  FJ M3097G Table 4.4 item 10;
 * SEA sec. 2.2.10. */
#define BUS_DISCONNECTION_DELAY (200 * SIM_US)
/* 45 ns, min: added between asserting REQ/ACK and changing the data lines
 * in synchronous transfers.  FJ M3097G Table 4.4 item 11. */
#define BUS_HOLD_TIME (45 * SIM_NS)
/* 90 ns, min: REQ / ACK negated width in synchronous transfers.
 * FJ M3097G Table 4.4 item 12. */
#define BUS_NEGATION_PERIOD (90 * SIM_NS)
/* 10 s, max (recommended): power-on until a target answers TEST UNIT
 * READY, INQUIRY and REQUEST SENSE properly.  FJ M3097G Table 4.4 item 13;
 * FJ MCE3064SS Table 7.x item 12. */
#define BUS_POWER_ON_TO_SELECTION (10 * SIM_S)
/* 250 ms, max (recommended): the same after a hard reset.
 * FJ MCE3064SS Table 7.x item 13; FJ M3097G Table 4.4. */
#define BUS_RESET_TO_SELECTION (250 * SIM_MS)
/* 25 us, min: RST assertion width to reset the bus; no maximum.
 * FJ MCE3064SS Table 7.x item 14; FJ M3097G Table 4.4. */
#define BUS_RESET_HOLD_TIME (25 * SIM_US)
/* 200 us, max: from recognising its (re)selection until a device asserts
 * BSY.  FJ MCE3064SS Table 7.x item 15; FJ M3097G Table 4.4. */
#define BUS_SELECTION_ABORT_TIME (200 * SIM_US)
/* 250 ms, min (recommended): how long a selector waits for BSY before the
 * time-out procedure.  FJ MCE3064SS Table 7.x item 16; FJ M3097G
 * Table 4.4. */
#define BUS_SELECTION_TIMEOUT_DELAY (250 * SIM_MS)

/* ---- Fast SCSI-2 (10 MHz) replacements for synchronous transfers -------
 * Source: SCSI-2 X3.131-1994 / S2 rev 10L Annex B Table B.2 (S2-tbl),
 * the same values in FJ MCJ3230SS Table 4.76 items 18-22. */

/* 30 ns, min: fast assertion period.  S2-tbl Table B.2. */
#define BUS_FAST_ASSERTION_PERIOD (30 * SIM_NS)
/* 5 ns, max: fast cable skew delay.  S2-tbl Table B.2. */
#define BUS_FAST_CABLE_SKEW_DELAY (5 * SIM_NS)
/* 20 ns, min: fast deskew delay.  S2-tbl Table B.2. */
#define BUS_FAST_DESKEW_DELAY (20 * SIM_NS)
/* 10 ns, min: fast hold time.  S2-tbl Table B.2. */
#define BUS_FAST_HOLD_TIME (10 * SIM_NS)
/* 30 ns, min: fast negation period.  S2-tbl Table B.2. */
#define BUS_FAST_NEGATION_PERIOD (30 * SIM_NS)

/* ---- Fast-20 (20 MHz, "Ultra") values, an extension ---------------------
 * Not in SCSI-2.  The SPI-3-era tables (FJ-MAN3184 Table 1.16, SEA-SPI
 * Table 5) use transmit/receive names; their Fast-10 column gives the same
 * 30 ns assertion and negation periods as SCSI-2 Table B.2, so the Fast-20
 * column's transmit values are used for those.  FJ-MCP Table 7.7 gives the
 * values of a 20 MB/s (factor 0Ch, FJ-MCP Table 7.9) drive under the SCSI-2
 * names; the page read does not label its column "Fast-20", but its cable
 * skew, negation period and hold time equal the Fast-20 column of the
 * SPI tables. */

/* 15 ns, min: Fast-20 transmit assertion period.  FJ-MAN3184 Table 1.16
 * item 11; SEA-SPI Table 5. */
#define BUS_FAST20_ASSERTION_PERIOD (15 * SIM_NS)
/* 15 ns, min: Fast-20 transmit negation period.  FJ-MAN3184 Table 1.16
 * item 13; SEA-SPI Table 5; FJ-MCP Table 7.7 item 11. */
#define BUS_FAST20_NEGATION_PERIOD (15 * SIM_NS)
/* 3 ns, max: Fast-20 cable skew.  FJ-MAN3184 Table 1.16 item 3; SEA-SPI
 * Table 5; FJ-MCP Table 7.7 item 7. */
#define BUS_FAST20_CABLE_SKEW_DELAY (3 * SIM_NS)
/* 15 ns, min: deskew delay of the Fast-20 drive in FJ-MCP Table 7.7 item 9.
 * Only that source; the SPI tables have no per-rate deskew delay. */
#define BUS_FAST20_DESKEW_DELAY (15 * SIM_NS)
/* 16.5 ns, min: hold time of the Fast-20 drive in FJ-MCP Table 7.7 item 10,
 * equal to the Fast-20 transmit hold time of FJ-MAN3184 Table 1.16 item 12
 * and SEA-SPI Table 5. */
#define BUS_FAST20_HOLD_TIME (16500 * SIM_PS)

/* ---- Shortest synchronous transfer period per class ------------------ */

/* 200 ns: 5 MHz; SCSI-2 calls periods of 100 to 200 ns the fast option
 * (S2-tbl Annex B text), SDTR factor 50 (protocol-facts 2.6). */
#define BUS_SYNC_PERIOD_MIN (200 * SIM_NS)
/* 100 ns: 10 MHz, SDTR factor 25.  S2-tbl Annex B text. */
#define BUS_FAST_SYNC_PERIOD_MIN (100 * SIM_NS)
/* 50 ns: 20 MHz, SDTR factor 12.  FJ-MAN3184 Table 1.16 item 10 (REQ(ACK)
 * period); MAX-B1 code 0Ch; FJ-MCP Table 7.9. */
#define BUS_FAST20_SYNC_PERIOD_MIN (50 * SIM_NS)

/* The rules that differ by speed class: those of a synchronous DATA
 * transfer at that class's rates.  Asynchronous transfers, arbitration and
 * selection use the common deskew_delay and cable_skew_delay below. */
struct bus_sync_timing {
	sim_time_t assertion_period; /* min REQ/ACK asserted width */
	sim_time_t negation_period;  /* min REQ/ACK negated width */
	sim_time_t cable_skew_delay; /* max skew between two signals */
	sim_time_t deskew_delay;     /* min deskew before REQ/ACK */
	sim_time_t hold_time;        /* min data hold after REQ/ACK */
	sim_time_t min_period;       /* shortest transfer period */
};

/* Every timing rule of one speed class. */
struct bus_timing {
	enum bus_speed speed;
	struct bus_sync_timing sync;
	sim_time_t arbitration_delay;
	sim_time_t bus_clear_delay;
	sim_time_t bus_free_delay;
	sim_time_t bus_set_delay;
	sim_time_t bus_settle_delay;
	sim_time_t cable_skew_delay;
	sim_time_t data_release_delay;
	sim_time_t deskew_delay;
	sim_time_t disconnection_delay;
	sim_time_t power_on_to_selection;
	sim_time_t reset_to_selection;
	sim_time_t reset_hold_time;
	sim_time_t selection_abort_time;
	sim_time_t selection_timeout_delay;
};

/* The constant table of `speed`, or NULL when `speed` is not a class. */
const struct bus_timing *bus_timing_for(enum bus_speed speed);

/* Names as scenario files write them: "scsi2", "fast", "fast20"; "se",
 * "hvd"; "narrow", "wide".  Never NULL ("?" for a value outside the
 * enum). */
const char *bus_speed_name(enum bus_speed speed);
const char *bus_electrical_name(enum bus_electrical el);
const char *bus_width_name(enum bus_width width);

/*
 * Parse a scenario-file name, case-sensitively.  Speeds: "scsi1" and
 * "scsi2" (both the 5 MHz class), "fast", "fast20".  Electrical: "se",
 * "hvd".  Width: "narrow" or "8", "wide" or "16".
 * Returns SN_OK and stores *out, or SN_EINVAL (unknown name, NULL) and
 * leaves *out unchanged.
 */
enum sn_err bus_speed_parse(const char *name, enum bus_speed *out);
enum sn_err bus_electrical_parse(const char *name, enum bus_electrical *out);
enum sn_err bus_width_parse(const char *name, enum bus_width *out);

/*
 * The transfer period of SDTR period factor `factor`, or 0 when this model
 * gives the factor no period.  Factors 25..255 (SCSI-2) and 13..24
 * (Fast-20) mean factor x 4 ns; 12 means 50 ns (Fast-20).  0..9 are
 * reserved, and 10 (25 ns) and 11 (30.3 ns) are Fast-40 codes of later SPI
 * revisions, faster than any class here, so all of 0..11 give 0.
 * Sources: MAX-B1 (00h-08h reserved, 09h 12.5 ns DT only, 0Ah 25 ns,
 * 0Bh 30 ns, 0Ch 50 ns, 0Dh-18h and 19h-31h factor x 4); protocol-facts
 * 2.6 (4 ns x factor; 0Ch Fast-20).
 */
sim_time_t bus_sdtr_period(uint8_t factor);

/*
 * The smallest valid factor whose period is at least `period` (so a device
 * never asks to go faster than `period`): 50 for 200 ns, 25 for 100 ns,
 * 12 for anything up to 50 ns.  0 when `period` exceeds the longest period
 * a factor can express (255 x 4 = 1020 ns); such a device is asynchronous.
 */
uint8_t bus_sdtr_factor(sim_time_t period);

/*
 * The longest cable, in millimetres, that the electrical alternative and
 * speed class allow with `devices` devices attached (1..16, the host
 * adapters included); 0 when that combination is not allowed at all.
 *   SE  5 MHz:  6 m, up to 16 devices       protocol-facts 2.11
 *   SE  fast:   3 m, up to 16 devices       protocol-facts 2.11
 *   SE  fast20: 3 m up to 4 devices, 1.5 m up to 8, no more   T10-F20
 *   HVD any:    25 m, up to 16 devices      protocol-facts 2.11; T10-F20
 */
uint32_t bus_max_cable_mm(enum bus_electrical el, enum bus_speed speed,
			  unsigned devices);

#endif
