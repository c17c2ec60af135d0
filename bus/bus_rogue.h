/*
 * bus_rogue.h - a hostile device on a SCSI bus, for tests and fuzzing.
 *
 * It runs a script of bytes, one operation after another: assert and
 * release any line at any time, drive DB with good or bad parity, pulse
 * lines, wait for edges, answer a selection and then go to a phase it
 * should not, REQ bytes it never finishes, arbitrate and select like an
 * initiator and then stop ACKing, hold BSY or REQ for good, flood RST.
 * Every byte string is a valid script (an opcode is a byte modulo the
 * number of operations; arguments past the end read as 0), so a fuzzer's
 * input or a seeded RNG's bytes can drive it, and every script ends: each
 * wait has a time-out of at most 671 ms, a script restarts (BUS_ROGUE_OP_
 * LOOP) at most `max_loops` times, and at its end the rogue releases
 * every line (unless the last operation was BUS_ROGUE_OP_HOLD) and goes
 * quiet.
 *
 * What it is for: beside real adapters, it must not be able to crash,
 * hang or wedge the model; they must end every command (done, or dropped
 * with a reason after a real driver's time-outs and resets), and the
 * protocol checker must name what the rogue did wrong.
 *
 * Durations are one byte d: ((d & 31) + 1) x 10 ns x 8^(d >> 5), from
 * 10 ns to 671 ms.  Control-line masks are two bytes, high first, of
 * enum bus_line bits; values are two bytes, high first.
 *
 * Ownership: allocated with sim_alloc(), freed by bus_rogue_destroy();
 * the script is copied.
 */
#ifndef BUS_ROGUE_H
#define BUS_ROGUE_H

#include <stddef.h>
#include <stdint.h>

#include "bus.h"

enum bus_rogue_op {
	BUS_ROGUE_OP_WAIT,         /* d: do nothing for d */
	BUS_ROGUE_OP_SET,          /* mask: assert those lines */
	BUS_ROGUE_OP_CLEAR,        /* mask: release them */
	BUS_ROGUE_OP_DATA,         /* value: drive DB, odd parity */
	BUS_ROGUE_OP_DATA_BADPAR,  /* value: drive DB, wrong parity */
	BUS_ROGUE_OP_RELEASE_DATA, /* stop driving DB */
	BUS_ROGUE_OP_RELEASE_ALL,  /* release every line and DB */
	BUS_ROGUE_OP_PULSE,        /* line index (byte), d: pulse it */
	BUS_ROGUE_OP_WAIT_EDGE,    /* mask, d: until one of them changes */
	BUS_ROGUE_OP_WAIT_SELECTED,/* d: until SEL with our ID, BSY false */
	BUS_ROGUE_OP_ANSWER,       /* assert BSY (a selected target's) */
	BUS_ROGUE_OP_PHASE,        /* byte: show phase (byte & 7) */
	BUS_ROGUE_OP_REQ_IN,       /* byte, d: DB = byte, REQ, wait ACK */
	BUS_ROGUE_OP_REQ_OUT,      /* d: REQ, wait ACK, release REQ */
	BUS_ROGUE_OP_SELECT,       /* target, flags, d: arbitrate (bus
				    * free waited up to d) and select it,
				    * ATN if flags & 1; wait d for BSY */
	BUS_ROGUE_OP_ACK_REQS,     /* count, byte, d: as an initiator,
				    * answer up to count REQs (OUT phases
				    * get the byte), each waited up to d */
	BUS_ROGUE_OP_RST,          /* d: assert RST for d */
	BUS_ROGUE_OP_HOLD,         /* end here, keeping every line */
	BUS_ROGUE_OP_LOOP,         /* start the script again */
	BUS_ROGUE_OP_COUNT_
};

struct bus_rogue_config {
	int id;                    /* its SCSI ID (may be anyone's) */
	uint32_t pos_mm;           /* where on the cable */
	const uint8_t *script;     /* copied; may be NULL if len is 0 */
	size_t len;                /* at most BUS_ROGUE_MAX_SCRIPT */
	uint32_t max_loops;        /* BUS_ROGUE_OP_LOOP restarts, at most */
	sim_time_t start;          /* absolute time of the first operation */
};

#define BUS_ROGUE_MAX_SCRIPT 65536u

struct bus_rogue_stats {
	uint64_t ops;              /* operations executed */
	uint64_t timeouts;         /* waits that ran out */
	uint64_t selected;         /* WAIT_SELECTED that saw its selection */
	int done;                  /* the script has ended */
	int holding;               /* ... with BUS_ROGUE_OP_HOLD */
};

struct bus_rogue;

/* Errors: SN_EINVAL (NULL, len over the maximum), what bus_attach()
 * returns, SN_ENOMEM. */
enum sn_err bus_rogue_create(struct bus *bus, const char *name,
			     const struct bus_rogue_config *cfg,
			     struct bus_rogue **out);
void bus_rogue_destroy(struct bus_rogue *r);

const struct bus_rogue_stats *bus_rogue_stats(const struct bus_rogue *r);
struct bus_port *bus_rogue_port(struct bus_rogue *r);

/* The duration a script byte stands for (see the top of this file). */
sim_time_t bus_rogue_duration(uint8_t d);

#endif
