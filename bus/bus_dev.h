/*
 * bus_dev.h - the SCSI-2 protocol engine one device runs on its bus port.
 *
 * What every SCSI-2 device does on the bus, with the timing rules of
 * SCSI-2 clause 5 (values in bus_timing.h), in both roles:
 *
 *   initiator  ARBITRATION (5.1.2): wait for BUS FREE (BSY and SEL false
 *              for a bus settle delay), wait a bus free delay, assert BSY
 *              and its ID bit, wait an arbitration delay, win if no higher
 *              ID bit is on DB (priority 7..0, then 15..8 on a wide bus),
 *              else release and retry at the next BUS FREE; a device that
 *              sees SEL while arbitrating has lost.
 *              SELECTION (5.1.3): the winner asserts SEL, waits a bus clear
 *              plus a bus settle delay, puts its own and the target's ID
 *              bits on DB (with ATN if a MESSAGE OUT follows), waits two
 *              deskew delays, releases BSY, and waits for the target's BSY;
 *              then it waits two deskew delays and releases SEL and DB.
 *              No BSY within the selection time-out: it releases DB and
 *              ATN, waits a selection abort time plus two deskew delays,
 *              and releases SEL unless BSY came after all (5.1.3.1).
 *              INFORMATION TRANSFER (5.1.5.1, asynchronous): on each REQ it
 *              reads (IN) or drives (OUT) DB, asserting ACK a deskew plus
 *              cable skew delay after driving DB; releases ACK when REQ
 *              falls.
 *   target     being selected: SEL and its ID bit true, BSY and I/O false
 *              for a bus settle delay, at most two ID bits and good parity;
 *              it asserts BSY (within the selection abort time) and starts
 *              after SEL is released.  In each phase it sets MSG, C/D, I/O,
 *              waits a bus settle delay after a phase change, and moves
 *              bytes with REQ: driving DB a deskew plus cable skew delay
 *              before REQ (IN), or reading DB on ACK (OUT).
 *
 * Every reaction also costs the device's own response latency
 * (bus_dev_config.latency): devices may be slower than the minimums, never
 * faster.
 *
 *   negotiation  on first contact with a target the initiator sends WDTR
 *              (if it can do 16 bits on a wide bus), then SDTR (if it can
 *              do synchronous transfers) after IDENTIFY, asserting ATN
 *              again for each further message (5.6.21, 5.6.23).  The
 *              target echoes what it can do or counter-offers (a larger
 *              period, a smaller offset, a smaller width); an initiator
 *              that cannot accept a counter-offer answers MESSAGE REJECT,
 *              which leaves that side asynchronous/narrow.  A received
 *              WDTR resets the synchronous agreement.
 *   synchronous  (DATA phases only, 5.1.5.2) the target sends REQ pulses
 *              one period apart, at most `offset` ahead of the ACKs; the
 *              sender drives DB a deskew plus cable skew delay before its
 *              REQ or ACK edge and holds it a hold time after; pulses are
 *              asserted at least an assertion period and negated at least
 *              a negation period, from the speed class's table.
 *   wide       DATA phases move 16 bits per REQ/ACK after WDTR agreed
 *              16 bits: DB(7-0) the byte at the lower address.
 *
 * On top of these steps, bus_dev_command() runs one whole command as an
 * initiator (IDENTIFY and negotiation, CDB, data, STATUS, COMMAND
 * COMPLETE), and a device with a target handler answers commands (struct
 * bus_dev_target_ops).
 *
 *   bus reset  (5.2.2, hard reset) RST asserted by any device for at least
 *              a reset hold time: every device releases all its lines
 *              within a bus clear delay, ends its command (BUS_CMD_RESET)
 *              and forgets its synchronous and wide agreements, so the
 *              next contact renegotiates.
 *
 *   parity     every byte is sent with odd parity and checked when read.
 *              A target that reads a bad byte in COMMAND or DATA OUT ends
 *              the command with CHECK CONDITION and answers the next
 *              REQUEST SENSE itself: ABORTED COMMAND, ASC 47h (SCSI
 *              parity error).  An initiator that reads a bad byte asserts
 *              ATN and sends INITIATOR DETECTED ERROR (MESSAGE PARITY
 *              ERROR in MESSAGE IN); the target takes the message after
 *              the current phase and ends with CHECK CONDITION.  Retrying
 *              is the initiator's driver's decision.
 *
 *   ABORT, BUS DEVICE RESET  (5.6.1, 5.6.5) bus_dev_abort() raises ATN
 *              and sends ABORT; the target drops the command and frees
 *              the bus.  A command with message_only = BUS DEVICE RESET
 *              selects the target and sends just that message; the target
 *              forgets every initiator's agreements and any disconnected
 *              command, and frees the bus.
 *   disconnect and reselect  (5.1.4, 5.6.6) an initiator configured with
 *              allow_disconnect sends IDENTIFY with the disconnect
 *              privilege; a target whose handler needs time (reply
 *              busy_time) sends DISCONNECT after the CDB and frees the
 *              bus.  After the busy time, and at least a disconnection
 *              delay, it arbitrates and reselects the initiator (I/O with
 *              SEL), which answers with BSY; the target sends IDENTIFY and
 *              goes on with the data phase.  SAVE DATA POINTER and RESTORE
 *              POINTERS are honoured by the initiator.  A target serves one
 *              nexus at a time: while it holds a disconnected command it
 *              does not answer other selections (they time out).
 *
 * Ownership: devices are allocated with sim_alloc() and freed by
 * bus_dev_destroy(); buffers passed in stay owned by the caller and must
 * live until the completion callback.
 */
#ifndef BUS_DEV_H
#define BUS_DEV_H

#include <stdint.h>

#include "bus.h"

struct bus_dev;

/* Outcome of a command run as initiator. */
enum bus_cmd_result {
	BUS_CMD_DONE,          /* COMMAND COMPLETE received; status valid */
	BUS_CMD_SEL_TIMEOUT,   /* no device answered the selection */
	BUS_CMD_BUS_FREE,      /* unexpected BUS FREE during the command */
	BUS_CMD_PROTOCOL,      /* the target did something we cannot follow */
	BUS_CMD_RESET,         /* a bus reset (RST) ended it */
	BUS_CMD_ABORTED,       /* we sent ABORT; the target freed the bus */
};
const char *bus_cmd_result_name(enum bus_cmd_result r);

enum bus_dir { BUS_DIR_NONE, BUS_DIR_OUT, BUS_DIR_IN };

/* One command for bus_dev_command(). */
struct bus_cmd {
	int target;               /* SCSI ID */
	uint8_t lun;
	uint8_t cdb[16];
	uint8_t cdb_len;          /* 6, 10 or 12 */
	/* instead of a command, send only this message after selection:
	 * 0x0C BUS DEVICE RESET (0 = a normal command) */
	uint8_t message_only;
	enum bus_dir dir;
	uint8_t *data;            /* DATA OUT source or DATA IN sink */
	uint32_t data_len;
	/* results */
	enum bus_cmd_result result;
	uint8_t status;           /* SCSI status byte */
	uint32_t data_moved;
	sim_time_t t_start, t_selected, t_done;
	void (*done)(struct bus_dev *dev, struct bus_cmd *cmd, void *arg);
	void *arg;
};

/* A target's answer to a command (filled by the handler). */
struct bus_target_reply {
	enum bus_dir dir;
	uint8_t *data;            /* owned by the handler */
	uint32_t data_len;        /* bytes to move in the data phase */
	uint8_t status;           /* SCSI status byte */
	/* how long the target needs before its data/status phase; with the
	 * initiator's disconnect privilege it disconnects meanwhile */
	sim_time_t busy_time;
	/* set by the engine: a parity error spoiled the command; the
	 * status sent was CHECK CONDITION whatever the handler said */
	uint8_t bus_error;
};

struct bus_dev_target_ops {
	/* Called with the CDB; fill *reply.  For DATA OUT the data arrives
	 * in reply->data before command_done() is called.  Required. */
	void (*command)(struct bus_dev *dev, int initiator, uint8_t lun,
			const uint8_t *cdb, uint8_t cdb_len,
			struct bus_target_reply *reply, void *arg);
	/* After STATUS and COMMAND COMPLETE; optional. */
	void (*command_done)(struct bus_dev *dev, int initiator,
			     const struct bus_target_reply *reply, void *arg);
};

/* What an initiator and a target agreed (per pair, from negotiation). */
struct bus_agreement {
	int negotiated;           /* negotiation ran since power-on/reset */
	sim_time_t period;        /* synchronous period; 0 = asynchronous */
	uint8_t offset;           /* REQ/ACK offset; 0 = asynchronous */
	uint8_t wide;             /* 1 = 16-bit data phases */
};

struct bus_dev_config {
	int id;                   /* SCSI ID on this bus */
	/* synchronous capability: shortest period and largest offset it
	 * supports (0 = asynchronous only); `wide` = can move 16 bits. */
	sim_time_t sync_period;
	uint8_t sync_offset;
	uint8_t wide;
	/* as a target, answer SDTR and WDTR with MESSAGE REJECT, as a
	 * SCSI-1 device that knows no extended messages does */
	uint8_t rejects_negotiation;
	/* as an initiator, grant targets the disconnect privilege */
	uint8_t allow_disconnect;
	sim_time_t latency;       /* response latency to each edge */
	/* answer synchronous strobes one event at a time instead of ahead
	 * (bus.h, LOOKAHEAD); the lines are the same either way, so this
	 * exists for tests and benchmarks that compare the two */
	uint8_t no_lookahead;
	sim_time_t sel_timeout;   /* 0: BUS_SELECTION_TIMEOUT_DELAY */
	const struct bus_dev_target_ops *target; /* NULL: never a target */
	void *target_arg;
};

/* Default response latency: one clock of a 20 MHz protocol chip such as
 * the AIC-6260 (50 ns; protocol-facts 3.3). */
#define BUS_DEV_DEFAULT_LATENCY (50 * SIM_NS)

struct bus_dev_stats {
	uint64_t arb_won, arb_lost;
	uint64_t selections, sel_timeouts;
	uint64_t selected;        /* times selected as a target */
	uint64_t bytes_out, bytes_in; /* information-phase bytes, any phase */
	uint64_t commands_done;
	uint64_t data_bytes;      /* DATA phase payload bytes, both roles */
	uint64_t resets_seen;
	uint64_t parity_errors;   /* bad bytes read, both roles */
	uint64_t disconnects, reselections; /* as a target */
	uint64_t msg_rejects_sent;
};

/* What a device is doing on the bus, for liveness checks: nothing
 * (IDLE; also a target waiting to reconnect, or an initiator waiting to
 * be reselected: the other side has the next move), wanting the bus
 * (arbitration planned or running), or on it (selecting, selected,
 * connected). */
enum bus_dev_activity { BUS_DEV_IDLE, BUS_DEV_WANTS_BUS, BUS_DEV_ON_BUS };
enum bus_dev_activity bus_dev_activity(const struct bus_dev *dev);

/* Stop (0) or resume (1) answering selections with the target handler
 * of the config: a device switched off, or its cable pulled, answers
 * none (the selector times out).  A connection under way goes on. */
void bus_dev_target_enable(struct bus_dev *dev, int on);

/* Attach a protocol engine to a new port of `bus` at `pos_mm`. */
enum sn_err bus_dev_create(struct bus *bus, const char *name,
			   uint32_t pos_mm, const struct bus_dev_config *cfg,
			   struct bus_dev **out);
void bus_dev_destroy(struct bus_dev *dev);

struct bus_port *bus_dev_port(struct bus_dev *dev);
const struct bus_dev_stats *bus_dev_stats(struct bus_dev *dev);
/* The agreement this device holds with device `other_id`. */
struct bus_agreement bus_dev_agreement(const struct bus_dev *dev,
				       int other_id);

/* Assert RST for `hold` (at least the reset hold time; 0 means exactly
 * that), resetting every device on the bus. */
void bus_dev_reset_bus(struct bus_dev *dev, sim_time_t hold);
/* Drive RST (on) or release it (off): a chip's reset-out bit.  Asserting
 * it resets this device too.  Holding it for at least the reset hold
 * time is the caller's business (the protocol checker reports a short
 * one). */
void bus_dev_rst(struct bus_dev *dev, int on);
/* Be told of every bus reset this device sees (its own included). */
void bus_dev_on_reset(struct bus_dev *dev,
		      void (*fn)(struct bus_dev *dev, void *arg), void *arg);

/* Send the nth information byte (or word) this device drives from now
 * on (1 = the next) with wrong parity: fault injection for tests and
 * scenarios. */
void bus_dev_inject_parity_error(struct bus_dev *dev, uint32_t nth);

/* Abort the command this initiator has under way (while connected):
 * ATN, then ABORT at the next MESSAGE OUT; it ends as BUS_CMD_ABORTED.
 * SN_ESTATE if no command is connected. */
enum sn_err bus_dev_abort(struct bus_dev *dev);

/* Run one command as initiator: arbitrate, select `cmd->target` with ATN,
 * send IDENTIFY and the CDB, move the data, take STATUS and COMMAND
 * COMPLETE, and call cmd->done.  SN_EBUSY if a command is already
 * running on this device. */
enum sn_err bus_dev_command(struct bus_dev *dev, struct bus_cmd *cmd);

/*
 * Step by step, for a chip model (hostadapter/): the engine arbitrates,
 * selects and performs each REQ/ACK handshake with the SCSI-2 timing, but
 * what happens in the information phases is decided by the caller, one
 * byte at a time, as a protocol chip's registers let its driver decide.
 * Asynchronous transfers only (a chip's synchronous FIFO transfers come
 * with its model).
 */
struct bus_dev_step_ops {
	/* the selection ended: ok = the target answered with BSY; else the
	 * selection timed out (after the time-out procedure) */
	void (*selected)(struct bus_dev *dev, int ok, void *arg);
	/* the target asserted REQ in `phase`; in an IN phase `in` holds DB
	 * and its parity.  Answer with bus_dev_step_ack(). */
	void (*req)(struct bus_dev *dev, enum bus_phase phase,
		    struct bus_sig in, void *arg);
	/* the connection ended: BUS_CMD_BUS_FREE (the target went to BUS
	 * FREE) or BUS_CMD_RESET */
	void (*ended)(struct bus_dev *dev, enum bus_cmd_result why, void *arg);
	/* reselected by `target` (bus_dev_step_listen_resel): the
	 * connection is ours again; a selection of ours that had not won
	 * arbitration yet is dropped (the caller tries it again later) */
	void (*reselected)(struct bus_dev *dev, int target, void *arg);
};

/* Arbitrate and select `target` (with ATN if `atn`; giving up after
 * `timeout`, 0 for the device's), then hand the connection to `ops`.  Errors: SN_EBUSY (a command or a connection is
 * under way), SN_EINVAL (bad target). */
enum sn_err bus_dev_step_select(struct bus_dev *dev, int target, int atn,
				sim_time_t timeout,
				const struct bus_dev_step_ops *ops,
				void *arg);
/* Give up a selection bus_dev_step_select() started that has not begun
 * arbitrating (waiting for BUS FREE, or held while this device was being
 * selected): a chip's ENSELO cleared in time.  Errors: SN_ESTATE (none
 * pending, or arbitration has begun: it runs to SELDO or its time-out). */
enum sn_err bus_dev_step_unselect(struct bus_dev *dev);
/* Answer the REQ reported by ops->req: in an OUT phase drive `out` on
 * DB (with odd parity) then ACK after a setup delay; in an IN phase
 * ACK (the byte was read).  The engine releases ACK when REQ falls.
 * Errors: SN_ESTATE (no REQ waiting). */
enum sn_err bus_dev_step_ack(struct bus_dev *dev, uint16_t out);
/* Answer reselections, step by step, with `ops` (NULL: stop). */
void bus_dev_step_listen_resel(struct bus_dev *dev,
			       const struct bus_dev_step_ops *ops, void *arg);
/* Assert or release ATN while connected. */
void bus_dev_step_atn(struct bus_dev *dev, int on);
/* The synchronous agreement the step-by-step interface uses in data
 * phases (period 0 or offset 0: asynchronous), as a chip's rate register
 * holds it.  Synchronous, several REQs may be waiting (up to the offset):
 * the initiator answers each with bus_dev_step_ack() in turn, ACK pulses
 * a period apart; a target may call bus_dev_step_req() while fewer than
 * `offset` REQs are unanswered, and each ACK is reported (acked, then
 * done) as it arrives. */
void bus_dev_step_sync(struct bus_dev *dev, sim_time_t period,
		       uint8_t offset);

/*
 * The target's side, step by step: the engine answers a selection (with
 * the SCSI-2 confirmation and timing) and performs each REQ/ACK
 * handshake; the caller chooses the phases and the bytes.
 */
struct bus_dev_target_step_ops {
	/* selected by `initiator` (-1 if its ID bit was missing), with ATN
	 * asserted or not; the engine holds BSY */
	void (*selected)(struct bus_dev *dev, int initiator, int atn,
			 void *arg);
	/* the initiator answered the REQ: `in` holds DB in an OUT phase.
	 * The engine releases REQ; the handshake is over when `done` is
	 * called (ACK released). */
	void (*acked)(struct bus_dev *dev, struct bus_sig in, void *arg);
	void (*done)(struct bus_dev *dev, void *arg);
	/* RST ended the connection */
	void (*reset)(struct bus_dev *dev, void *arg);
	/* bus_dev_step_reselect() ended: ok = the initiator answered and
	 * the connection is ours again (I/O asserted; send IDENTIFY in
	 * MESSAGE IN next, 5.1.4.2, 5.6.7); else the reselection timed out
	 * (after the time-out procedure) and the bus is free.  May be NULL
	 * if the caller never reselects. */
	void (*reselected)(struct bus_dev *dev, int ok, void *arg);
};
/* Answer selections step by step (ops NULL: stop answering). */
void bus_dev_step_listen(struct bus_dev *dev,
			 const struct bus_dev_target_step_ops *ops,
			 void *arg);
/* As the selected target: show `phase` on MSG, C/D and I/O. */
enum sn_err bus_dev_step_phase(struct bus_dev *dev, enum bus_phase phase);
/* As the selected target: one REQ/ACK handshake in the current phase,
 * with `out` on DB in an IN phase (after the data release and setup
 * delays), REQ no sooner than a bus settle delay after the phase
 * changed.  Errors: SN_ESTATE (not connected, or a handshake running). */
enum sn_err bus_dev_step_req(struct bus_dev *dev, uint16_t out);
/* As a target that disconnected (step by step): arbitrate and reselect
 * `initiator` (SCSI-2 5.1.4.2: SEL, I/O, both ID bits, then BSY when the
 * initiator answers), giving up after `timeout` (0: the device's) with the
 * time-out procedure; ops->reselected tells which.  A selection or
 * reselection of this device while it waits for the bus drops the wish
 * (nothing is reported: the caller sees the selection, and asks again
 * later).  Errors: SN_EINVAL (no reselected callback, bad ID), SN_EBUSY
 * (not idle: connected, selecting, or a command queued). */
enum sn_err bus_dev_step_reselect(struct bus_dev *dev, int initiator,
				  sim_time_t timeout);
/* As the selected target: release every line: BUS FREE. */
enum sn_err bus_dev_step_free(struct bus_dev *dev);

#endif
