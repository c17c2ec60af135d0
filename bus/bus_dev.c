/*
 * bus_dev.c - SCSI-2 arbitration, selection and asynchronous information
 * transfer for one device, initiator and target (see bus_dev.h).
 *
 * Each device keeps one step timer (the procedure's next step) and one
 * time-out; edges reach it through bus_watch() notifications.  Where a step
 * only needs a line to change at a known later time (ACK a setup delay
 * after DB), it is recorded ahead with bus_drive_at() instead of costing
 * an event.
 */
#include "bus_dev.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>

/* SCSI-2 message codes used here (protocol-facts 2.8). */
#define MSG_COMMAND_COMPLETE 0x00
#define MSG_EXTENDED 0x01
#define MSG_MESSAGE_REJECT 0x07
#define MSG_NOP 0x08
#define MSG_ABORT 0x06
#define MSG_BUS_DEVICE_RESET 0x0C
#define MSG_SAVE_DATA_POINTER 0x02
#define MSG_RESTORE_POINTERS 0x03
#define MSG_DISCONNECT 0x04
#define MSG_DISCONNECT_PRIV 0x40       /* IDENTIFY bit 6 */
#define MSG_INITIATOR_DETECTED_ERROR 0x05
#define MSG_MESSAGE_PARITY_ERROR 0x09
#define STATUS_CHECK_CONDITION 0x02
#define OP_REQUEST_SENSE 0x03
#define SENSE_ABORTED_COMMAND 0x0B
#define ASC_SCSI_PARITY_ERROR 0x47
#define MSG_IDENTIFY 0x80           /* | LUN; bit 6 = disconnect privilege */
#define MSG_IGNORE_WIDE_RESIDUE 0x23 /* two bytes: 23h, bytes to ignore */
#define EXT_SDTR 0x01               /* 01 03 01 period-factor offset */
#define EXT_WDTR 0x03               /* 01 02 03 width-exponent */

enum state {
	S_IDLE,
	S_ARB_WAIT,       /* wants the bus: waiting for BUS FREE + delays */
	S_ARB,            /* BSY and ID asserted: arbitration delay */
	S_SEL_WON,        /* SEL asserted: bus clear + bus settle */
	S_SEL_DESKEW,     /* IDs on DB: two deskew delays, then release BSY */
	S_SEL_WAIT_BSY,   /* BSY released: waiting for the target's BSY */
	S_SEL_ABORT,      /* timed out: selection abort time + 2 deskew */
	S_SEL_END,        /* BSY seen: two deskew delays, release SEL */
	S_I_CONNECTED,    /* initiator in the information phases */
	S_T_SELECTING,    /* selection seen: confirm after a settle delay */
	S_T_WAIT_SEL_OFF, /* BSY asserted: waiting for SEL to go */
	S_T_CONNECTED,    /* target running a command */
	S_I_RESELECTED,   /* reselection seen: confirm after a settle delay */
	S_I_WAIT_SEL_OFF, /* answered with BSY: waiting for SEL to go */
};

/* Target command steps. */
enum tstep {
	T_MSG_OUT, T_MSG_IN_REPLY, T_CDB_FIRST, T_CDB_REST, T_DISC_MSG,
	T_RESEL_IDENTIFY, T_DATA, T_RESIDUE, T_STATUS, T_MSG_IN, T_DISCONNECT,
};

/* Bytes moved by a word answered ahead: counted when their time comes
 * (stats show what has happened by now, never what will). */
struct ledger_ent {
	sim_time_t t;
	uint8_t *dst;      /* where the bytes received land, or NULL */
	uint16_t word;     /* the bytes received (low byte first) */
	uint8_t n;
	uint8_t in;        /* towards this device (bytes_in) or out */
	uint8_t data;      /* DATA phase payload */
	uint8_t initiator; /* moved the initiator's data pointer */
};

struct bus_dev {
	struct bus_port *port;
	struct bus *bus;
	struct sim *sim;
	const struct bus_timing *tm;
	int id;
	sim_time_t latency, sel_timeout;
	const struct bus_dev_target_ops *tops;
	void *targ;
	sim_time_t cap_period;    /* synchronous capability (0: async only) */
	uint8_t cap_offset, cap_wide, rejects_negotiation;
	struct bus_agreement agree[16];
	enum state st;
	struct sim_event step_ev, timeout_ev;
	void (*step_fn)(struct bus_dev *dev);
	sim_time_t free_since;    /* when BSY and SEL last went false here */
	int target_off;           /* bus_dev_target_enable(0) */
	sim_time_t own_free_at;   /* when our last release of all lines is */
	sim_time_t busy_since;    /* when the bus last stopped being free */
	int looking_for_bsy;
	struct bus_dev_stats stats;
	uint32_t fault_countdown; /* bad parity on this driven byte (1 = next) */
	int parity_err;           /* this command met a parity error */
	uint8_t sense_pending[16]; /* per initiator: parity sense to report */
	uint8_t allow_disc;       /* initiator: grant disconnect privilege */
	int resel;                /* this arbitration is a reselection */
	int t_disc;               /* target: a disconnected nexus to resume */
	uint8_t t_end;            /* target: ABORT/BDR received: go free */
	int disc_ok;              /* target: IDENTIFY granted disconnection */
	sim_time_t busy_until;    /* target: when its data/status are ready */
	int i_disc;               /* initiator: DISCONNECT received ... */
	int i_waiting;            /* ... and waiting to be reselected */
	int i_ended;              /* sent ABORT or BUS DEVICE RESET */
	uint32_t saved_pos;       /* initiator: SAVE DATA POINTER */
	int resume_valid;         /* a message interrupted the sequence ... */
	int resume_step;          /* ... which continues after this step */
	uint8_t sense[18];

	/* initiator: the running command */
	struct bus_cmd *cmd;
	uint32_t cdb_pos, data_pos;
	int got_complete, protocol_error;
	uint8_t mo[24], mo_len, mo_pos;   /* MESSAGE OUT queue */
	uint8_t mi[16], mi_len;           /* MESSAGE IN being received */
	uint8_t mi_discard;               /* ... a byte of it was bad: the
					   * rest of the phase is dropped */
	uint8_t in_last, in_unit;         /* bytes the last DATA IN word
					   * put in the buffer, of in_unit */
	uint8_t sent_ext;                 /* last negotiation sent: EXT_* */
	int pending_sdtr;                 /* SDTR to send after WDTR */

	/* target: the command being served */
	int initiator;
	uint8_t lun;
	enum tstep tstep;
	uint8_t cdb[16], cdb_len, cdb_got;
	uint8_t msg_buf[16], msg_len;     /* current MESSAGE OUT message */
	uint8_t resp[16], resp_len;       /* reply queued for MESSAGE IN */
	uint8_t resp_ext;                 /* negotiation we replied: EXT_* */
	uint8_t resp_sent;                /* length of the reply last sent */
	struct bus_target_reply reply;
	uint8_t tbyte;            /* single byte moved in a 1-byte phase */
	uint8_t tmsg2[2];         /* a two-byte message sent (MESSAGE IN) */
	/* target transfer in progress */
	enum bus_phase tphase;
	uint8_t *tbuf;
	uint32_t tlen, tpos;
	uint8_t tunit;            /* bytes per REQ/ACK: 1, or 2 when wide */
	int tsync;                /* synchronous data phase */
	uint32_t twords, req_sent, acks;
	sim_time_t last_req, tperiod, tpulse;
	sim_time_t tsetup;        /* data before each REQ (DATA IN), or 0 */
	sim_time_t treq_min;      /* no REQ before: settle, DB free + setup */
	uint8_t toffset;
	uint8_t tin;              /* the phase moves data to the initiator */
	sim_time_t phase_set_at;  /* when MSG/C/D/I/O last changed */
	sim_time_t db_free_at;    /* earliest time the target may drive DB */
	/* initiator side of a synchronous data phase */
	int isync;
	sim_time_t i_pulse, i_setup; /* its ACK width, data setup */
	/* lookahead (bus.h): answer the peer's recorded strobes early */
	uint8_t lookahead;
	struct ledger_ent *ledger; /* bytes counted at their own time */
	uint32_t ledger_head, ledger_len, ledger_cap;
	void (*reset_fn)(struct bus_dev *dev, void *arg);
	void *reset_arg;
	struct bus_sweep walk;    /* the lookahead walk, kept between calls */
	int walk_ok;              /* walk.t is the last strobe taken */
	/* step-by-step initiator (bus_dev_step_select) */
	const struct bus_dev_step_ops *step_ops;
	void *step_arg;
	struct bus_cmd step_cmd;  /* carries the target through selection */
	uint8_t step_atn;
	uint32_t step_req;        /* REQs waiting for bus_dev_step_ack */
	sim_time_t step_period;   /* bus_dev_step_sync */
	uint8_t step_offset;
	sim_time_t step_last;     /* last ACK (initiator) / REQ (target) */
	sim_time_t step_timeout;
	/* reselections answered step by step */
	const struct bus_dev_step_ops *rstep_ops;
	void *rstep_arg;
	uint8_t rlisten;          /* answering reselections (rstep_ops) */
	int resel_from;           /* the reselecting target's ID */
	/* step-by-step target (bus_dev_step_listen) */
	const struct bus_dev_target_step_ops *tstep_ops;
	void *tstep_arg;
	uint8_t tlisten;          /* answering selections (tstep_ops) */
	uint8_t tstep_on;         /* connected under tstep_ops */
	uint32_t tstep_busy;      /* REQ/ACK handshakes running */
	uint8_t tresel_step;      /* bus_dev_step_reselect() under way */
	int resel_to;             /* ... of this initiator */
	enum bus_phase step_phase;
};

const char *bus_cmd_result_name(enum bus_cmd_result r)
{
	switch (r) {
	case BUS_CMD_DONE: return "done";
	case BUS_CMD_SEL_TIMEOUT: return "selection time-out";
	case BUS_CMD_BUS_FREE: return "unexpected bus free";
	case BUS_CMD_PROTOCOL: return "protocol error";
	case BUS_CMD_RESET: return "bus reset";
	case BUS_CMD_ABORTED: return "aborted";
	}
	return "?";
}

/* --- helpers ------------------------------------------------------------ */

static sim_time_t now_of(const struct bus_dev *d)
{
	return sim_now(d->sim);
}

/* Setup before a REQ/ACK edge that strobes data: a deskew delay plus a
 * cable skew delay (SCSI-2 5.1.5.1). */
static sim_time_t setup_delay(const struct bus_dev *d)
{
	return d->tm->deskew_delay + d->tm->cable_skew_delay;
}

/* Store a received word (n bytes, low first) in a buffer. */
static inline void put_bytes(uint8_t *dst, uint16_t word, unsigned n)
{
	dst[0] = (uint8_t)word;
	if (n == 2)
		dst[1] = (uint8_t)(word >> 8);
}

/* n bytes moved at time t, and (dst) received into a buffer: counted and
 * stored now, or when t comes if it is later (a word answered ahead), so
 * that statistics and buffers never show what has not happened yet, and
 * a reset before then leaves no trace of it. */
static inline void count_bytes(struct bus_dev *d, sim_time_t t, unsigned n,
			       int in, int data, int initiator, uint8_t *dst,
			       uint16_t word)
{
	if (t > now_of(d)) {
		/* lookahead makes room before it answers a word */
		assert(d->ledger_head + d->ledger_len < d->ledger_cap);
		d->ledger[d->ledger_head + d->ledger_len++] =
			(struct ledger_ent){ t, dst, word, (uint8_t)n,
					     (uint8_t)in, (uint8_t)data,
					     (uint8_t)initiator };
		return;
	}
	if (in)
		d->stats.bytes_in += n;
	else
		d->stats.bytes_out += n;
	if (data)
		d->stats.data_bytes += n;
	if (dst != NULL)
		put_bytes(dst, word, n);
}

/* Move into the statistics the words whose time has come. */
static void settle_due(struct bus_dev *d)
{
	sim_time_t now = now_of(d);
	uint32_t h = d->ledger_head, n = d->ledger_len;
	uint64_t in = 0, out = 0, data = 0;
	for (; n > 0 && d->ledger[h].t <= now; h++, n--) {
		const struct ledger_ent *e = &d->ledger[h];
		if (e->in)
			in += e->n;
		else
			out += e->n;
		if (e->data)
			data += e->n;
		if (e->dst != NULL)
			put_bytes(e->dst, e->word, e->n);
	}
	d->stats.bytes_in += in;
	d->stats.bytes_out += out;
	d->stats.data_bytes += data;
	d->ledger_len = n;
	d->ledger_head = n ? h : 0;
}

static inline void settle(struct bus_dev *d)
{
	if (d->ledger_len > 0 && d->ledger[d->ledger_head].t <= now_of(d))
		settle_due(d);
}

/* A reset at `now`: the words answered ahead from now on never happen. */
static void ledger_rewind(struct bus_dev *d)
{
	settle(d);
	sim_time_t now = now_of(d);
	while (d->ledger_len > 0) {
		const struct ledger_ent *e =
			&d->ledger[d->ledger_head + d->ledger_len - 1];
		if (e->t < now)
			break;
		if (e->initiator)
			d->data_pos -= e->n;
		d->ledger_len--;
	}
	if (d->ledger_len == 0)
		d->ledger_head = 0;
}

/* How many more words can be answered ahead (room in the ledger). */
static uint32_t ledger_room(struct bus_dev *d)
{
	if (d->ledger_head > 0) {
		memmove(d->ledger, d->ledger + d->ledger_head,
			d->ledger_len * sizeof *d->ledger);
		d->ledger_head = 0;
	}
	return d->ledger_cap - d->ledger_len;
}

/* Run `fn` at absolute time t (>= now): the device's next step. */
static void step_at(struct bus_dev *d, sim_time_t t,
		    void (*fn)(struct bus_dev *))
{
	d->step_fn = fn;
	sim_schedule_at(d->sim, &d->step_ev, t);
}

static void sel_timeout(struct bus_dev *d);

/* The selection time-out: the only use of the second timer. */
static void timeout_fire(struct sim *sim, struct sim_event *ev, void *arg)
{
	(void)sim;
	(void)ev;
	struct bus_dev *d = arg;
	settle(d);
	if (d->st == S_SEL_WAIT_BSY)
		sel_timeout(d);
}

static void step_fire(struct sim *sim, struct sim_event *ev, void *arg)
{
	(void)sim;
	(void)ev;
	struct bus_dev *d = arg;
	settle(d);
	void (*fn)(struct bus_dev *) = d->step_fn;
	d->step_fn = NULL;
	fn(d);
}

/* Priority rank of an ID: 7 highest ... 0, then 15 ... 8 (SCSI-2 5.1.2;
 * IDs 8-15 lose to 0-7 so that narrow devices arbitrate correctly). */
static int rank(int id)
{
	return id < 8 ? id + 8 : id - 8;
}

static void set_watch(struct bus_dev *d);
static void notify(struct bus_port *p, struct bus_sig before,
		   struct bus_sig now, void *arg);
static sim_time_t init_ahead_fn(struct bus_port *p, sim_time_t from,
				sim_time_t upto, void *arg);
static sim_time_t t_ahead_fn(struct bus_port *p, sim_time_t from,
			     sim_time_t upto, void *arg);

/* The lines and data this port drives, changed from `at` on. */
static void drive_ctl_at(struct bus_dev *d, sim_time_t at, uint16_t set,
			 uint16_t clear)
{
	bus_lines_at(d->port, at, set, clear);
}

static void drive_data_at(struct bus_dev *d, sim_time_t at, uint16_t value)
{
	bus_data_at(d->port, at, value);
}

static void release_data_at(struct bus_dev *d, sim_time_t at)
{
	bus_data_release_at(d->port, at);
}

/* Drive an information byte or word, with wrong parity if a fault was
 * injected for this one. */
static void put_data(struct bus_dev *d, sim_time_t at, uint16_t value)
{
	if (d->fault_countdown && --d->fault_countdown == 0)
		bus_data_raw_at(d->port, at, value,
				(uint8_t)(bus_parity(value) ^ 1));
	else
		bus_data_at(d->port, at, value);
}

/* Is the parity right for what was read?  DB(P) always; DB(P1) when 16
 * bits move. */
static int parity_ok(struct bus_dev *d, struct bus_sig s, int wide)
{
	uint8_t mask = wide ? 3 : 1;
	int ok = (s.dbp & mask) == (bus_parity(s.db) & mask);
	if (!ok)
		d->stats.parity_errors++;
	return ok;
}

void bus_dev_inject_parity_error(struct bus_dev *d, uint32_t nth)
{
	d->fault_countdown = nth;
}

static void release_all_at(struct bus_dev *d, sim_time_t at)
{
	bus_drive_at(d->port, at, (struct bus_sig){ .ctl = 0 });
	d->own_free_at = at;
}

/* --- creation ------------------------------------------------------------ */

enum sn_err bus_dev_create(struct bus *bus, const char *name,
			   uint32_t pos_mm, const struct bus_dev_config *cfg,
			   struct bus_dev **out)
{
	struct sim *sim = bus_sim(bus);
	struct bus_dev *d = sim_calloc(sim, 1, sizeof *d);
	if (d == NULL)
		return SN_ENOMEM;
	enum sn_err err = bus_attach(bus, name, pos_mm, cfg->id, &d->port);
	if (err != SN_OK) {
		sim_free(sim, d);
		return err;
	}
	if (cfg->id < 0) {
		sim_free(sim, d);
		return SN_ERANGE;
	}
	d->bus = bus;
	d->sim = sim;
	d->tm = bus->timing;
	d->id = cfg->id;
	d->latency = cfg->latency;
	d->sel_timeout = cfg->sel_timeout ? cfg->sel_timeout
					  : d->tm->selection_timeout_delay;
	d->tops = cfg->target;
	d->targ = cfg->target_arg;
	d->cap_period = cfg->sync_offset ? cfg->sync_period : 0;
	if (d->cap_period && d->cap_period < d->tm->sync.min_period)
		d->cap_period = d->tm->sync.min_period; /* the bus is slower */
	d->cap_offset = d->cap_period ? cfg->sync_offset : 0;
	d->cap_wide = cfg->wide && bus->width == BUS_WIDE;
	d->rejects_negotiation = cfg->rejects_negotiation;
	d->allow_disc = cfg->allow_disconnect;
	d->st = S_IDLE;
	d->lookahead = !cfg->no_lookahead;
	if (d->lookahead) {
		/* words answered ahead are at most one offset's worth (255,
		 * SDTR's largest) beyond now */
		d->ledger_cap = 512;
		d->ledger = sim_calloc(sim, d->ledger_cap, sizeof *d->ledger);
		if (d->ledger == NULL) {
			d->ledger_cap = 0;
			d->lookahead = 0; /* slower, still right */
		}
	}
	sim_event_init(&d->step_ev, step_fire, d, "dev-step");
	sim_event_init(&d->timeout_ev, timeout_fire, d, "dev-timeout");
	set_watch(d);
	*out = d;
	return SN_OK;
}

void bus_dev_destroy(struct bus_dev *d)
{
	if (d == NULL)
		return;
	sim_cancel(d->sim, &d->step_ev);
	sim_cancel(d->sim, &d->timeout_ev);
	bus_watch(d->port, 0, 0, NULL, NULL);
	sim_free(d->sim, d->ledger);
	sim_free(d->sim, d);
}

enum bus_dev_activity bus_dev_activity(const struct bus_dev *d)
{
	switch (d->st) {
	case S_IDLE:
		return BUS_DEV_IDLE;
	case S_ARB_WAIT:
	case S_ARB:
		return BUS_DEV_WANTS_BUS;
	default:
		return BUS_DEV_ON_BUS;
	}
}

struct bus_port *bus_dev_port(struct bus_dev *d)
{
	return d->port;
}

const struct bus_dev_stats *bus_dev_stats(struct bus_dev *d)
{
	settle(d);
	return &d->stats;
}

struct bus_agreement bus_dev_agreement(const struct bus_dev *d, int other)
{
	if (other < 0 || other >= 16)
		return (struct bus_agreement){ 0, 0, 0, 0 };
	return d->agree[other];
}

/* Every device follows BSY and SEL (BUS FREE, being selected, losing
 * arbitration); an initiator in a connection follows REQ, a target ACK. */
static void set_watch(struct bus_dev *d)
{
	uint16_t rise = BUS_BSY | BUS_SEL | BUS_RST, fall = BUS_BSY | BUS_SEL | BUS_RST;
	/* In a synchronous data phase only the strobes' assertions matter
	 * (one event per word); interlocked transfers need both edges. */
	if (d->st == S_I_CONNECTED) {
		rise |= BUS_REQ | BUS_IO; /* I/O: give DB to the target */
		if (!d->isync)
			fall |= BUS_REQ;
	} else if (d->st == S_T_CONNECTED) {
		rise |= BUS_ACK;
		if (!d->tsync)
			fall |= BUS_ACK;
	}
	bus_watch(d->port, rise, fall, notify, d);
	/* synchronous strobes are answered ahead (init_ahead, t_ahead) */
	uint16_t ahead = 0;
	bus_ahead_fn fn = NULL;
	if (d->lookahead && d->st == S_I_CONNECTED && d->isync &&
	    d->step_ops == NULL) {
		ahead = BUS_REQ;
		fn = init_ahead_fn;
	} else if (d->lookahead && d->st == S_T_CONNECTED && d->tsync &&
		   !d->tstep_on) {
		ahead = BUS_ACK;
		fn = t_ahead_fn;
	}
	if (ahead != d->port->ahead)
		bus_watch_ahead(d->port, ahead, fn);
}

static void set_state(struct bus_dev *d, enum state st)
{
	d->st = st;
	set_watch(d);
}

/* --- arbitration and selection (initiator) ------------------------------- */

static void arb_try(struct bus_dev *d);

/* Plan arbitration at the earliest time the rules allow: a bus settle
 * delay to detect BUS FREE, then a bus free delay (SCSI-2 5.1.2 (1)-(2)). */
static void arb_plan(struct bus_dev *d)
{
	struct bus_sig s = bus_sense(d->port);
	if (s.ctl & (BUS_BSY | BUS_SEL | BUS_RST)) {
		/* not free (RST: nothing happens while it is asserted):
		 * notify() calls again when it is; but nobody tells us of
		 * our own release, so look again then */
		if (d->own_free_at > now_of(d))
			step_at(d, d->own_free_at, arb_plan);
		return;
	}
	if (d->free_since < d->own_free_at)
		d->free_since = d->own_free_at; /* free by our release */
	sim_time_t t = d->free_since + d->tm->bus_settle_delay +
		       d->tm->bus_free_delay;
	sim_time_t earliest = now_of(d) + d->latency;
	step_at(d, t > earliest ? t : earliest, arb_try);
}

static void arb_decide(struct bus_dev *d);

/*
 * May we assert BSY now?  SCSI-2 5.1.2 (3): not if more than a bus set
 * delay has passed since BUS FREE was last observed.  Another device's BSY
 * arriving in that window does not stop us (that is how several devices
 * arbitrate together); SEL does (arbitration is over).
 */
static int arb_allowed(struct bus_dev *d)
{
	sim_time_t now = now_of(d);
	struct bus_sig s = bus_sense(d->port);
	if (s.ctl & (BUS_SEL | BUS_RST))
		return 0;
	if (now < d->free_since + d->tm->bus_settle_delay +
			  d->tm->bus_free_delay)
		return 0;
	if (!(s.ctl & BUS_BSY))
		return 1;
	/* BSY just arrived: free a moment ago (the notification may not
	 * have run yet at this same instant), or within a bus set delay */
	if (now > 0 && !(bus_sense_at(d->port, now - 1).ctl &
			 (BUS_BSY | BUS_SEL)))
		return 1;
	return d->busy_since >= d->free_since &&
	       now - d->busy_since <= d->tm->bus_set_delay;
}

static void arb_try(struct bus_dev *d)
{
	sim_time_t now = now_of(d);
	if (!arb_allowed(d))
		return; /* too late: wait for the next BUS FREE */
	set_state(d, S_ARB);
	drive_ctl_at(d, now, BUS_BSY, 0);
	drive_data_at(d, now, (uint16_t)(1u << d->id));
	step_at(d, now + d->tm->arbitration_delay, arb_decide);
}

static void arb_lose(struct bus_dev *d)
{
	d->stats.arb_lost++;
	sim_time_t t = now_of(d) + d->latency; /* within a bus clear delay */
	drive_ctl_at(d, t, 0, BUS_BSY);
	release_data_at(d, t);
	sim_cancel(d->sim, &d->step_ev);
	set_state(d, S_ARB_WAIT);
}

static void sel_put_ids(struct bus_dev *d);

static void arb_decide(struct bus_dev *d)
{
	struct bus_sig s = bus_sense(d->port);
	int lost = (s.ctl & BUS_SEL) != 0;
	for (int id = 0; id < (int)d->bus->width && !lost; id++)
		if ((s.db & (1u << id)) && rank(id) > rank(d->id))
			lost = 1;
	if (lost) {
		arb_lose(d);
		return;
	}
	d->stats.arb_won++;
	set_state(d, S_SEL_WON);
	drive_ctl_at(d, now_of(d), BUS_SEL, 0);
	step_at(d, now_of(d) + d->tm->bus_clear_delay + d->tm->bus_settle_delay,
		sel_put_ids);
}

static void sel_release_bsy(struct bus_dev *d);

static void sel_put_ids(struct bus_dev *d)
{
	sim_time_t now = now_of(d);
	int other = d->resel ? (d->tresel_step ? d->resel_to : d->initiator)
			     : d->cmd->target;
	drive_data_at(d, now, (uint16_t)((1u << d->id) | (1u << other)));
	if (d->resel)
		drive_ctl_at(d, now, BUS_IO, 0); /* I/O: a reselection */
	else if (d->step_ops == NULL || d->step_atn)
		drive_ctl_at(d, now, BUS_ATN, 0); /* MESSAGE OUT follows */
	set_state(d, S_SEL_DESKEW);
	step_at(d, now + 2 * d->tm->deskew_delay, sel_release_bsy);
}

static void sel_look(struct bus_dev *d);

static void sel_release_bsy(struct bus_dev *d)
{
	sim_time_t now = now_of(d);
	drive_ctl_at(d, now, 0, BUS_BSY);
	d->stats.selections++;
	set_state(d, S_SEL_WAIT_BSY);
	d->looking_for_bsy = 0;
	/* a bus settle delay before looking for BSY (5.1.3 (4)) */
	step_at(d, now + d->tm->bus_settle_delay, sel_look);
	sim_schedule_at(d->sim, &d->timeout_ev,
			now + (d->step_ops || d->tresel_step ? d->step_timeout
							     : d->sel_timeout));
}

static void sel_end(struct bus_dev *d);
static void resel_end(struct bus_dev *d);
static void sel_got_bsy(struct bus_dev *d)
{
	sim_cancel(d->sim, &d->timeout_ev);
	set_state(d, S_SEL_END);
	if (d->resel) {
		/* reselection (5.1.4.2): the target asserts BSY itself, then
		 * releases SEL two deskew delays later */
		drive_ctl_at(d, now_of(d) + d->latency, BUS_BSY, 0);
		step_at(d, now_of(d) + d->latency + 2 * d->tm->deskew_delay,
			resel_end);
		return;
	}
	/* two deskew delays after seeing BSY, release SEL (5.1.3 (6)) */
	step_at(d, now_of(d) + 2 * d->tm->deskew_delay, sel_end);
}

static void sel_look(struct bus_dev *d)
{
	d->looking_for_bsy = 1;
	if (bus_sense(d->port).ctl & BUS_BSY)
		sel_got_bsy(d);
}

static void sel_abort_end(struct bus_dev *d);

static void sel_timeout(struct bus_dev *d)
{
	/* Time-out procedure (5.1.3.1): release DB and ATN, wait a
	 * selection abort time plus two deskew delays, then release SEL
	 * unless BSY came after all. */
	sim_time_t now = now_of(d);
	release_data_at(d, now);
	drive_ctl_at(d, now, 0, BUS_ATN);
	sim_cancel(d->sim, &d->step_ev);
	set_state(d, S_SEL_ABORT);
	step_at(d, now + d->tm->selection_abort_time +
			   2 * d->tm->deskew_delay, sel_abort_end);
}

static void cmd_finish(struct bus_dev *d, enum bus_cmd_result r);

static void sel_abort_end(struct bus_dev *d)
{
	if (bus_sense(d->port).ctl & BUS_BSY) {
		sel_got_bsy(d);
		return;
	}
	d->stats.sel_timeouts++;
	drive_ctl_at(d, now_of(d), 0, BUS_SEL | BUS_IO);
	if (d->tresel_step) {
		/* step by step: the caller decides what comes next */
		d->resel = d->tresel_step = 0;
		set_state(d, S_IDLE);
		d->tstep_ops->reselected(d, 0, d->tstep_arg);
		return;
	}
	if (d->resel) {
		/* the initiator did not answer: try again later */
		set_state(d, S_ARB_WAIT);
		step_at(d, now_of(d) + d->tm->disconnection_delay, arb_plan);
		return;
	}
	set_state(d, S_IDLE);
	cmd_finish(d, BUS_CMD_SEL_TIMEOUT);
}

static void queue_sdtr(struct bus_dev *d)
{
	uint8_t f = bus_sdtr_factor(d->cap_period);
	uint8_t m[5] = { MSG_EXTENDED, 3, EXT_SDTR, f, d->cap_offset };
	memcpy(d->mo + d->mo_len, m, sizeof m);
	d->mo_len += sizeof m;
	d->sent_ext = EXT_SDTR;
}

static void sel_end(struct bus_dev *d)
{
	sim_time_t now = now_of(d);
	drive_ctl_at(d, now, 0, BUS_SEL);
	release_data_at(d, now);
	d->cmd->t_selected = now;
	if (d->step_ops != NULL) {
		/* step by step: the caller runs the phases */
		d->isync = 0;
		d->step_req = 0;
		set_state(d, S_I_CONNECTED);
		d->step_ops->selected(d, 1, d->step_arg);
		return;
	}
	/* MESSAGE OUT: IDENTIFY, and on first contact WDTR or SDTR */
	int t = d->cmd->target;
	d->mo_len = d->mo_pos = 0;
	d->mo[d->mo_len++] = (uint8_t)(MSG_IDENTIFY | (d->cmd->lun & 7) |
				       (d->allow_disc ? MSG_DISCONNECT_PRIV : 0));
	d->i_disc = d->i_waiting = d->i_ended = 0;
	d->saved_pos = 0;
	if (d->cmd->message_only) {
		/* BUS DEVICE RESET needs no IDENTIFY (5.6.5) */
		d->mo[0] = d->cmd->message_only;
		d->i_ended = 1;
		memset(&d->agree[t], 0, sizeof d->agree[t]);
		set_state(d, S_I_CONNECTED);
		return;
	}
	d->pending_sdtr = 0;
	d->sent_ext = 0;
	d->mi_len = 0;
	d->mi_discard = 0;
	d->isync = 0;
	if (!d->agree[t].negotiated) {
		d->agree[t] = (struct bus_agreement){ 1, 0, 0, 0 };
		if (d->cap_wide) {
			uint8_t m[4] = { MSG_EXTENDED, 2, EXT_WDTR, 1 };
			memcpy(d->mo + d->mo_len, m, sizeof m);
			d->mo_len += sizeof m;
			d->sent_ext = EXT_WDTR;
			d->pending_sdtr = d->cap_offset != 0;
		} else if (d->cap_offset) {
			queue_sdtr(d);
		}
	}
	set_state(d, S_I_CONNECTED);
}

/* --- information transfer (initiator) ------------------------------------ */

static void cmd_finish(struct bus_dev *d, enum bus_cmd_result r)
{
	if (d->step_ops != NULL) {
		const struct bus_dev_step_ops *ops = d->step_ops;
		int selected = d->step_cmd.t_selected != 0;
		d->step_ops = NULL;
		d->cmd = NULL;
		d->step_req = 0;
		if (r == BUS_CMD_SEL_TIMEOUT && !selected)
			ops->selected(d, 0, d->step_arg);
		else
			ops->ended(d, r == BUS_CMD_RESET ? BUS_CMD_RESET
							 : BUS_CMD_BUS_FREE,
				   d->step_arg);
		return;
	}
	struct bus_cmd *cmd = d->cmd;
	d->cmd = NULL;
	cmd->result = r;
	cmd->data_moved = d->data_pos;
	cmd->t_done = now_of(d);
	if (r == BUS_CMD_DONE)
		d->stats.commands_done++;
	if (cmd->done)
		cmd->done(d, cmd, cmd->arg);
}

/* Width of a synchronous REQ/ACK pulse at `period`: half the period, and
 * never less than the assertion period (SCSI-2 Table B.2). */
static sim_time_t pulse_width(const struct bus_dev *d, sim_time_t period)
{
	sim_time_t w = period / 2;
	return w < d->tm->sync.assertion_period ? d->tm->sync.assertion_period
						 : w;
}

/* Data setup before a synchronous strobe (deskew + cable skew of the
 * speed class). */
static sim_time_t sync_setup(const struct bus_dev *d)
{
	return d->tm->sync.deskew_delay + d->tm->sync.cable_skew_delay;
}

/* Queue a message for MESSAGE OUT and raise ATN with the ACK at `t`
 * (the initiator asserts ATN before releasing ACK, 5.2.1). */
static void init_queue_msg(struct bus_dev *d, const uint8_t *m, uint8_t len,
			   sim_time_t t)
{
	memcpy(d->mo, m, len);
	d->mo_len = len;
	d->mo_pos = 0;
	drive_ctl_at(d, t, BUS_ATN, 0);
}

/* A complete MESSAGE IN message has arrived (initiator). */
static void init_message(struct bus_dev *d, sim_time_t t)
{
	struct bus_cmd *cmd = d->cmd;
	struct bus_agreement *a = &d->agree[cmd->target];
	const uint8_t *m = d->mi;
	static const uint8_t reject = MSG_MESSAGE_REJECT;
	if (m[0] == MSG_COMMAND_COMPLETE) {
		d->got_complete = 1;
	} else if (m[0] == MSG_DISCONNECT) {
		d->i_disc = 1;          /* BUS FREE follows; not an error */
	} else if (m[0] == MSG_SAVE_DATA_POINTER) {
		d->saved_pos = d->data_pos;
	} else if (m[0] == MSG_RESTORE_POINTERS) {
		d->data_pos = d->saved_pos;
	} else if (m[0] == MSG_IGNORE_WIDE_RESIDUE) {
		/* the last word's padding is no data (SCSI-2 5.6.9): only a
		 * byte taken in this command's data phase can go; a pad byte
		 * the buffer had no room for was never stored */
		int stored = (int)d->in_last - ((int)d->in_unit - m[1]);
		if (m[1] >= 1 && m[1] < d->in_unit && stored > 0 &&
		    cmd->dir == BUS_DIR_IN && d->data_pos >= (unsigned)stored)
			d->data_pos -= (unsigned)stored;
		d->in_last = 0;
	} else if (m[0] & MSG_IDENTIFY) {
		/* after reselection: the nexus (one command per initiator
		 * here) continues */
	} else if (m[0] == MSG_MESSAGE_REJECT) {
		/* the target refused our negotiation: stay async/narrow */
		if (d->sent_ext == EXT_WDTR) {
			a->wide = 0;
			if (d->pending_sdtr) { /* still try synchronous */
				d->pending_sdtr = 0;
				d->mo_len = 0;
				queue_sdtr(d);
				init_queue_msg(d, d->mo, d->mo_len, t);
			}
		} else if (d->sent_ext == EXT_SDTR) {
			a->period = 0;
			a->offset = 0;
		}
	} else if (m[0] == MSG_EXTENDED && m[2] == EXT_WDTR && m[1] == 2) {
		if (m[3] > 1 || (m[3] == 1 && !d->cap_wide)) {
			a->wide = 0; /* more than we asked: refuse */
			d->stats.msg_rejects_sent++;
			init_queue_msg(d, &reject, 1, t);
			return;
		}
		a->wide = m[3];
		a->period = 0; /* WDTR resets the synchronous agreement */
		a->offset = 0;
		if (d->pending_sdtr) {
			d->pending_sdtr = 0;
			d->mo_len = 0;
			queue_sdtr(d);
			init_queue_msg(d, d->mo, d->mo_len, t);
		}
	} else if (m[0] == MSG_EXTENDED && m[2] == EXT_SDTR && m[1] == 3) {
		sim_time_t period = bus_sdtr_period(m[3]);
		if (m[4] == 0) {
			a->period = 0;
			a->offset = 0;
		} else if (period == 0 || period < d->cap_period ||
			   m[4] > d->cap_offset) {
			/* a counter-offer we cannot take: reject, stay async */
			a->period = 0;
			a->offset = 0;
			d->stats.msg_rejects_sent++;
			init_queue_msg(d, &reject, 1, t);
		} else {
			a->period = period;
			a->offset = m[4];
		}
	} else {
		d->stats.msg_rejects_sent++;
		init_queue_msg(d, &reject, 1, t);
	}
}

/* Is the MESSAGE IN message in d->mi complete? */
static int msg_complete(const uint8_t *m, uint8_t len)
{
	if (len == 0)
		return 0;
	if (m[0] == MSG_EXTENDED)
		return len >= 2 && len >= (m[1] ? m[1] : 256) + 2;
	if (m[0] >= 0x20 && m[0] <= 0x2f)
		return len >= 2; /* two-byte messages */
	return 1;
}

/* The target asserted REQ, reaching us at `now` (the time of the event,
 * or later for a REQ answered ahead): move one byte (or word) in its
 * phase. */
/* A walk over the peer's strobes on `line` from time `from` on: the one
 * kept from the last call if it ended just there (the usual case: no
 * search), else a new one. */
static struct bus_sweep *walk_from(struct bus_dev *d, sim_time_t from,
				   uint16_t line)
{
	if (!d->walk_ok || d->walk.t != from - 1 || d->walk.rise != line)
		bus_sweep_begin(&d->walk, d->port, from - 1, line, 0);
	d->walk_ok = 0;
	return &d->walk;
}

/* Keep the walk if it stopped exactly after the last strobe taken (it
 * ran out of recorded ones), so the next call goes on from there. */
static void walk_keep(struct bus_dev *d, int exhausted)
{
	d->walk_ok = exhausted;
}

/* Strobes a lookahead walk takes from the bus at a time. */
#define AHEAD_CHUNK 32u

/* Does DB carry good odd parity for `unit` bytes?  (No counting.) */
static inline int parity_good(struct bus_sig s, unsigned unit)
{
	uint8_t mask = unit == 2 ? 3 : 1;
	return (s.dbp & mask) == (bus_parity(s.db) & mask);
}

/* One word of a synchronous data phase in the command's direction, with
 * room in its buffer and (DATA IN) good parity: the common case, shared
 * by the event path and lookahead. */
static inline void init_sync_word(struct bus_dev *d, struct bus_sig s,
				  sim_time_t now, int in, unsigned unit)
{
	struct bus_cmd *cmd = d->cmd;
	sim_time_t t = now + d->latency;
	uint8_t *p = cmd->data + d->data_pos;
	d->data_pos += unit;
	if (in) {
		count_bytes(d, now, unit, 1, 1, 1, p, s.db);
		d->in_last = d->in_unit = (uint8_t)unit;
		bus_pulse(d->port, BUS_ACK, t, d->i_pulse);
	} else {
		count_bytes(d, now, unit, 0, 1, 1, NULL, 0);
		uint16_t word = p[0];
		if (unit == 2)
			word |= (uint16_t)(p[1] << 8);
		put_data(d, t, word);
		bus_pulse(d->port, BUS_ACK, t + d->i_setup, d->i_pulse);
	}
}

static void init_req_at(struct bus_dev *d, struct bus_sig s, sim_time_t now)
{
	struct bus_cmd *cmd = d->cmd;
	struct bus_agreement *a = &d->agree[cmd->target];
	enum bus_phase ph = bus_info_phase(s.ctl);
	sim_time_t t = now + d->latency;
	int data = ph == BUS_PH_DATA_OUT || ph == BUS_PH_DATA_IN;
	int sync = data && a->offset != 0;
	if (sync != d->isync) {
		d->isync = sync;
		d->i_pulse = pulse_width(d, a->period);
		d->i_setup = sync_setup(d);
		set_watch(d);
	}
	unsigned unit = data && a->wide ? 2 : 1;
	if (ph != BUS_PH_MSG_IN)
		d->mi_discard = 0;
	if (sync && d->data_pos + unit <= cmd->data_len &&
	    ((ph == BUS_PH_DATA_OUT && cmd->dir == BUS_DIR_OUT) ||
	     (ph == BUS_PH_DATA_IN && cmd->dir == BUS_DIR_IN &&
	      parity_good(s, unit)))) {
		init_sync_word(d, s, now, ph == BUS_PH_DATA_IN, unit);
		return;
	}
	if (bus_phase_is_in(ph)) {
		count_bytes(d, now, unit, 1, data, 1, NULL, 0);
		if (!parity_ok(d, s, unit == 2)) {
			/* tell the target: ATN, then the error message */
			uint8_t m = ph == BUS_PH_MSG_IN
					    ? MSG_MESSAGE_PARITY_ERROR
					    : MSG_INITIATOR_DETECTED_ERROR;
			init_queue_msg(d, &m, 1, t);
			d->mi_len = 0;
			/* the rest of this message is not a message of its
			 * own: it comes again, whole (SCSI-2 5.6.12) */
			d->mi_discard = ph == BUS_PH_MSG_IN;
			if (sync)
				bus_pulse(d->port, BUS_ACK, t,
					  pulse_width(d, a->period));
			else
				drive_ctl_at(d, t, BUS_ACK, 0);
			return;
		}
		switch (ph) {
		case BUS_PH_DATA_IN:
			d->in_last = 0;
			d->in_unit = (uint8_t)unit;
			for (unsigned k = 0; k < unit; k++) {
				if (cmd->dir == BUS_DIR_IN &&
				    d->data_pos < cmd->data_len) {
					cmd->data[d->data_pos++] =
						(uint8_t)(s.db >> (8 * k));
					d->in_last++;
				} else if (k == 0) {
					d->protocol_error = 1;
				}
			}
			break;
		case BUS_PH_STATUS:
			cmd->status = (uint8_t)s.db;
			break;
		case BUS_PH_MSG_IN:
			if (d->mi_discard)
				break;
			if (d->mi_len < sizeof d->mi)
				d->mi[d->mi_len++] = (uint8_t)s.db;
			if (msg_complete(d->mi, d->mi_len)) {
				init_message(d, t);
				d->mi_len = 0;
			}
			break;
		default:
			d->protocol_error = 1;
			break;
		}
		if (sync)
			bus_pulse(d->port, BUS_ACK, t, pulse_width(d, a->period));
		else
			drive_ctl_at(d, t, BUS_ACK, 0);
		return;
	}
	uint16_t word = 0;
	switch (ph) {
	case BUS_PH_MSG_OUT:
		word = d->mo_pos < d->mo_len ? d->mo[d->mo_pos++] : MSG_NOP;
		/* ATN goes before the last byte of the messages (5.2.1) */
		if (d->mo_pos >= d->mo_len)
			drive_ctl_at(d, t, 0, BUS_ATN);
		break;
	case BUS_PH_COMMAND:
		if (d->cdb_pos < cmd->cdb_len)
			word = cmd->cdb[d->cdb_pos++];
		else
			d->protocol_error = 1;
		break;
	case BUS_PH_DATA_OUT:
		for (unsigned k = 0; k < unit; k++) {
			if (cmd->dir == BUS_DIR_OUT && d->data_pos < cmd->data_len)
				word |= (uint16_t)(cmd->data[d->data_pos++]
						   << (8 * k));
			else if (k == 0)
				d->protocol_error = 1;
		}
		break;
	default:
		d->protocol_error = 1;
		break;
	}
	count_bytes(d, now, unit, 0, data, 1, NULL, 0);
	put_data(d, t, word);
	if (sync)
		bus_pulse(d->port, BUS_ACK, t + sync_setup(d),
			  pulse_width(d, a->period));
	else
		drive_ctl_at(d, t + setup_delay(d), BUS_ACK, 0);
}

static void init_req(struct bus_dev *d, struct bus_sig s)
{
	init_req_at(d, s, now_of(d));
}

/*
 * Synchronous data phase, initiator (lookahead, bus.h): the REQs the
 * target has recorded are commitments (it must see every one answered
 * by an ACK; only RST ends that), so answer each at the time it will
 * arrive, exactly as init_req would then.  Stop at anything that is not
 * a plain word of this phase: it gets its own event.
 */
static sim_time_t init_ahead(struct bus_dev *d, sim_time_t from,
			     sim_time_t upto)
{
	struct bus_cmd *cmd = d->cmd;
	const struct bus_agreement *a = &d->agree[cmd->target];
	int in = cmd->dir == BUS_DIR_IN;
	unsigned unit = a->wide ? 2 : 1;
	/* an injected fault, or no agreement: every word in its event */
	if (a->offset == 0 || d->fault_countdown != 0 ||
	    (cmd->dir != BUS_DIR_OUT && !in))
		return from;
	/* what a plain word of this data phase looks like: BSY, the phase
	 * lines, no SEL, no RST */
	const uint16_t mask = BUS_RST | BUS_SEL | BUS_BSY | BUS_MSG | BUS_CD |
			      BUS_IO;
	const uint16_t want = (uint16_t)(BUS_BSY | (in ? BUS_IO : 0));
	struct bus_sweep *w = walk_from(d, from, BUS_REQ);
	sim_time_t next = from; /* the first REQ not answered */
	uint32_t room = ledger_room(d);
	uint32_t words = (cmd->data_len - d->data_pos) / unit;
	if (room > words)
		room = words; /* a word past the buffer is an error: its event */
	struct bus_sweep_stop stop[AHEAD_CHUNK];
	/* the words answered, recorded on the bus in one go per chunk */
	sim_time_t at[AHEAD_CHUNK];
	uint16_t val[AHEAD_CHUNK];
	uint32_t n = 0, k = 0;
	sim_time_t lat = d->latency;
	for (;;) {
		if (k == n) {
			bus_pulses(d->port, at, in ? NULL : val, n, BUS_ACK,
				   in ? 0 : d->i_setup, d->i_pulse);
			n = bus_sweep_take(w, stop, room < AHEAD_CHUNK
							     ? room
							     : AHEAD_CHUNK);
			k = 0;
			if (n == 0)
				break;
		}
		struct bus_sig s = stop[k].now;
		next = stop[k].t;
		if (next > upto || (s.ctl & mask) != want ||
		    (in && !parity_good(s, unit))) {
			/* handled in its own event */
			bus_pulses(d->port, at, in ? NULL : val, k, BUS_ACK,
				   in ? 0 : d->i_setup, d->i_pulse);
			return next;
		}
		uint8_t *p = cmd->data + d->data_pos;
		d->data_pos += unit;
		if (in)
			d->in_last = d->in_unit = (uint8_t)unit;
		/* counted (and, IN, stored) when its time comes */
		d->ledger[d->ledger_head + d->ledger_len++] =
			(struct ledger_ent){ next, in ? p : NULL, s.db,
					     (uint8_t)unit, (uint8_t)in, 1, 1 };
		at[k] = next + lat;
		val[k] = unit == 2 ? (uint16_t)(p[0] | p[1] << 8) : p[0];
		next++;
		k++;
		room--;
	}
	walk_keep(d, n == 0);
	return next;
}

/* The bus asks for REQs answered ahead (bus.h, LOOKAHEAD). */
static sim_time_t init_ahead_fn(struct bus_port *p, sim_time_t from,
				sim_time_t upto, void *arg)
{
	(void)p;
	struct bus_dev *d = arg;
	if (d->st != S_I_CONNECTED || !d->isync || d->cmd == NULL)
		return from;
	settle(d);
	return init_ahead(d, from, upto);
}

static void init_req_off(struct bus_dev *d)
{
	sim_time_t t = now_of(d) + d->latency;
	bus_lines_at(d->port, t, 0, BUS_ACK);
	bus_data_release_at(d->port, t);
}

enum sn_err bus_dev_abort(struct bus_dev *d)
{
	if (d->cmd == NULL || d->st != S_I_CONNECTED)
		return SN_ESTATE;
	static const uint8_t abort_msg = MSG_ABORT;
	init_queue_msg(d, &abort_msg, 1, now_of(d) + d->latency);
	d->i_ended = 1;
	return SN_OK;
}

enum sn_err bus_dev_command(struct bus_dev *d, struct bus_cmd *cmd)
{
	if (d->cmd != NULL)
		return SN_EBUSY;
	if (cmd->target < 0 || cmd->target >= (int)d->bus->width ||
	    cmd->target == d->id ||
	    (!cmd->message_only && (cmd->cdb_len == 0 || cmd->cdb_len > 16)) ||
	    (cmd->message_only && cmd->message_only != MSG_BUS_DEVICE_RESET))
		return SN_EINVAL;
	d->cmd = cmd;
	cmd->t_start = now_of(d);
	cmd->status = 0xff;
	d->cdb_pos = d->data_pos = 0;
	d->in_last = 0;
	d->got_complete = d->protocol_error = 0;
	if (d->st == S_IDLE) {
		set_state(d, S_ARB_WAIT);
		arb_plan(d);
	}
	return SN_OK;
}

/* --- target --------------------------------------------------------------- */

enum sn_err bus_dev_step_select(struct bus_dev *d, int target, int atn,
				sim_time_t timeout,
				const struct bus_dev_step_ops *ops, void *arg)
{
	if (d->cmd != NULL || d->st != S_IDLE)
		return SN_EBUSY;
	if (target < 0 || target >= (int)d->bus->width || target == d->id)
		return SN_EINVAL;
	memset(&d->step_cmd, 0, sizeof d->step_cmd);
	d->step_cmd.target = target;
	d->step_cmd.t_start = now_of(d);
	d->step_ops = ops;
	d->step_arg = arg;
	d->step_atn = (uint8_t)(atn != 0);
	d->step_timeout = timeout ? timeout : d->sel_timeout;
	d->step_req = 0;
	d->cmd = &d->step_cmd;
	set_state(d, S_ARB_WAIT);
	arb_plan(d);
	return SN_OK;
}

enum sn_err bus_dev_step_unselect(struct bus_dev *d)
{
	if (d->cmd != &d->step_cmd || d->step_ops == NULL)
		return SN_ESTATE;
	switch (d->st) {
	case S_ARB_WAIT:
		sim_cancel(d->sim, &d->step_ev);
		set_state(d, S_IDLE);
		break;
	case S_T_SELECTING:
	case S_T_WAIT_SEL_OFF:
	case S_T_CONNECTED:
	case S_I_RESELECTED:
	case S_I_WAIT_SEL_OFF:
		break; /* selected meanwhile: only the wish goes */
	default:
		return SN_ESTATE; /* arbitrating or selecting: too late */
	}
	d->cmd = NULL;
	d->step_ops = NULL;
	return SN_OK;
}

enum sn_err bus_dev_step_ack(struct bus_dev *d, uint16_t out)
{
	if (d->step_ops == NULL || !d->step_req || d->st != S_I_CONNECTED)
		return SN_ESTATE;
	d->step_req--;
	sim_time_t t = now_of(d) + d->latency;
	int in = bus_phase_is_in(d->step_phase);
	if (in)
		d->stats.bytes_in++;
	else
		d->stats.bytes_out++;
	if (d->step_phase == BUS_PH_DATA_OUT || d->step_phase == BUS_PH_DATA_IN)
		d->stats.data_bytes++;
	if (d->isync) {
		/* an ACK pulse, a period after the last (5.1.5.2) */
		sim_time_t ta = t + (in ? 0 : sync_setup(d));
		if (d->step_last && ta < d->step_last + d->step_period)
			ta = d->step_last + d->step_period;
		if (!in)
			put_data(d, ta - sync_setup(d), out);
		bus_pulse(d->port, BUS_ACK, ta,
			  pulse_width(d, d->step_period));
		d->step_last = ta;
		return SN_OK;
	}
	if (in) {
		drive_ctl_at(d, t, BUS_ACK, 0);
	} else {
		put_data(d, t, out);
		drive_ctl_at(d, t + setup_delay(d), BUS_ACK, 0);
	}
	return SN_OK;
}

void bus_dev_step_sync(struct bus_dev *d, sim_time_t period, uint8_t offset)
{
	d->step_period = offset ? period : 0;
	d->step_offset = period ? offset : 0;
}

void bus_dev_target_enable(struct bus_dev *d, int on)
{
	d->target_off = !on;
}

static int sel_for_me(const struct bus_dev *d, struct bus_sig s);
static void t_confirm(struct bus_dev *d);
static void drop_step_resel(struct bus_dev *d);

void bus_dev_step_listen(struct bus_dev *d,
			 const struct bus_dev_target_step_ops *ops, void *arg)
{
	/* Not listening stops new selections only: a connection (or a
	 * reselection) begun under these ops keeps them, so they are kept
	 * once given (the chip that owns them outlives the device). */
	int was = d->tlisten;
	d->tlisten = ops != NULL;
	if (ops == NULL)
		return;
	d->tstep_ops = ops;
	d->tstep_arg = arg;
	/* A chip's selection enable is a level, not an edge: enabled while
	 * a selection of this device is already on the bus, it answers
	 * that one (within the selection time-out the initiator waits). */
	if (!was && (d->st == S_IDLE || d->st == S_ARB_WAIT) &&
	    !d->t_disc && sel_for_me(d, bus_sense(d->port))) {
		sim_cancel(d->sim, &d->step_ev);
		drop_step_resel(d);
		set_state(d, S_T_SELECTING);
		step_at(d, now_of(d) + d->tm->bus_settle_delay, t_confirm);
	}
}

enum sn_err bus_dev_step_phase(struct bus_dev *d, enum bus_phase ph)
{
	if (!d->tstep_on || d->st != S_T_CONNECTED || d->tstep_busy ||
	    ph > BUS_PH_MSG_IN)
		return SN_ESTATE;
	sim_time_t t = now_of(d) + d->latency;
	struct bus_sig s = bus_drive_of(d->port, t);
	uint16_t want = (uint16_t)(((ph & 4) ? BUS_MSG : 0) |
				   ((ph & 2) ? BUS_CD : 0) |
				   ((ph & 1) ? BUS_IO : 0));
	uint16_t have = s.ctl & (BUS_MSG | BUS_CD | BUS_IO);
	d->tphase = ph;
	int sync = (ph == BUS_PH_DATA_OUT || ph == BUS_PH_DATA_IN) &&
		   d->step_offset && d->step_period;
	if (sync != d->tsync) {
		d->tsync = sync;
		d->step_last = 0;
		set_watch(d);
	}
	if (have == want && d->phase_set_at != 0)
		return SN_OK;
	if ((want & BUS_IO) && (!(have & BUS_IO) || d->phase_set_at == 0))
		/* I/O goes true: the initiator lets go of DB within a data
		 * release delay; drive it no sooner (5.1.5) */
		d->db_free_at = t + d->tm->data_release_delay;
	drive_ctl_at(d, t, want, (uint16_t)(have & ~want));
	if (!(want & BUS_IO))
		release_data_at(d, t); /* an OUT phase: DB is theirs */
	d->phase_set_at = t;
	return SN_OK;
}

enum sn_err bus_dev_step_req(struct bus_dev *d, uint16_t out)
{
	if (!d->tstep_on || d->st != S_T_CONNECTED)
		return SN_ESTATE;
	sim_time_t now = now_of(d) + d->latency;
	int data = d->tphase == BUS_PH_DATA_OUT || d->tphase == BUS_PH_DATA_IN;
	if (d->tsync) {
		/* a REQ pulse, a period after the last, while fewer than the
		 * offset are unanswered (5.1.5.2) */
		if (d->tstep_busy >= d->step_offset)
			return SN_ESTATE;
		int in = bus_phase_is_in(d->tphase);
		sim_time_t t = now + (in ? sync_setup(d) : 0);
		if (in && t < d->db_free_at + sync_setup(d))
			t = d->db_free_at + sync_setup(d);
		sim_time_t settled = d->phase_set_at + d->tm->bus_settle_delay;
		if (t < settled)
			t = settled;
		if (d->step_last && t < d->step_last + d->step_period)
			t = d->step_last + d->step_period;
		if (in) {
			put_data(d, t - sync_setup(d), out);
			d->stats.bytes_out++;
		} else {
			d->stats.bytes_in++;
		}
		bus_pulse(d->port, BUS_REQ, t, pulse_width(d, d->step_period));
		d->step_last = t;
		d->tstep_busy++;
		d->stats.data_bytes += (uint64_t)data;
		return SN_OK;
	}
	if (d->tstep_busy)
		return SN_ESTATE;
	sim_time_t t = now;
	if (bus_phase_is_in(d->tphase)) {
		sim_time_t td = now > d->db_free_at ? now : d->db_free_at;
		put_data(d, td, out);
		t = td + setup_delay(d);
		d->stats.bytes_out++;
	} else {
		d->stats.bytes_in++;
	}
	sim_time_t settled = d->phase_set_at + d->tm->bus_settle_delay;
	if (t < settled)
		t = settled;
	d->tstep_busy = 1;
	d->stats.data_bytes += (uint64_t)data;
	drive_ctl_at(d, t, BUS_REQ, 0);
	return SN_OK;
}

enum sn_err bus_dev_step_free(struct bus_dev *d)
{
	if (!d->tstep_on || d->st != S_T_CONNECTED)
		return SN_ESTATE;
	d->tstep_on = d->tstep_busy = 0;
	d->tsync = 0;
	sim_time_t t = now_of(d) + d->latency;
	release_all_at(d, t);
	/* a selection of ours that was waiting for the bus goes on: our own
	 * release is not notified to us, so look again once it is done */
	set_state(d, d->cmd ? S_ARB_WAIT : S_IDLE);
	if (d->cmd) {
		d->free_since = t;
		step_at(d, t, arb_plan);
	}
	return SN_OK;
}

enum sn_err bus_dev_step_reselect(struct bus_dev *d, int initiator,
				  sim_time_t timeout)
{
	if (d->tstep_ops == NULL || d->tstep_ops->reselected == NULL ||
	    initiator < 0 || initiator >= (int)d->bus->width ||
	    initiator == d->id)
		return SN_EINVAL;
	if (d->st != S_IDLE || d->cmd != NULL || d->resel || d->t_disc)
		return SN_EBUSY;
	d->resel = 1;
	d->tresel_step = 1;
	d->resel_to = initiator;
	d->step_timeout = timeout ? timeout : d->sel_timeout;
	set_state(d, S_ARB_WAIT);
	arb_plan(d);
	return SN_OK;
}

void bus_dev_step_listen_resel(struct bus_dev *d,
			       const struct bus_dev_step_ops *ops, void *arg)
{
	/* as bus_dev_step_listen: a reselection under way keeps its ops */
	d->rlisten = ops != NULL;
	if (ops != NULL) {
		d->rstep_ops = ops;
		d->rstep_arg = arg;
	}
}

void bus_dev_step_atn(struct bus_dev *d, int on)
{
	sim_time_t t = now_of(d) + d->latency;
	if (on)
		drive_ctl_at(d, t, BUS_ATN, 0);
	else
		drive_ctl_at(d, t, 0, BUS_ATN);
}

static int sel_for_me(const struct bus_dev *d, struct bus_sig s)
{
	return (s.ctl & BUS_SEL) && !(s.ctl & (BUS_BSY | BUS_IO)) &&
	       (s.db & (1u << d->id));
}

static void t_next(struct bus_dev *d);

/* Reselection (5.1.4.2): SEL, I/O and our ID bit true, BSY false. */
static int resel_for_me(const struct bus_dev *d, struct bus_sig s)
{
	return (s.ctl & BUS_SEL) && (s.ctl & BUS_IO) &&
	       !(s.ctl & BUS_BSY) && (s.db & (1u << d->id));
}

/* An initiator confirms being reselected after a bus settle delay, and
 * answers with BSY within a selection abort time. */
static void i_resel_confirm(struct bus_dev *d)
{
	struct bus_sig s = bus_sense(d->port);
	if (!resel_for_me(d, s)) {
		set_state(d, d->cmd ? S_ARB_WAIT : S_IDLE);
		if (d->cmd)
			arb_plan(d);
		return;
	}
	uint16_t other = (uint16_t)(s.db & ~(1u << d->id) &
				    (d->bus->width == BUS_WIDE ? 0xffff : 0xff));
	d->resel_from = other ? __builtin_ctz(other) : -1;
	set_state(d, S_I_WAIT_SEL_OFF);
	drive_ctl_at(d, now_of(d) + d->latency, BUS_BSY, 0);
}

static void t_confirm(struct bus_dev *d)
{
	struct bus_sig s = bus_sense(d->port);
	if (!sel_for_me(d, s)) {
		set_state(d, d->cmd ? S_ARB_WAIT : S_IDLE);
		return;
	}
	/* at most two ID bits, and good parity (5.1.3 (5)) */
	uint16_t ids = s.db & (d->bus->width == BUS_WIDE ? 0xffff : 0xff);
	int bits = __builtin_popcount(ids);
	if (bits > 2 || (s.dbp & 1) != (bus_parity(s.db) & 1)) {
		set_state(d, d->cmd ? S_ARB_WAIT : S_IDLE);
		return;
	}
	uint16_t other = (uint16_t)(ids & ~(1u << d->id));
	d->initiator = other ? __builtin_ctz(other) : -1;
	d->stats.selected++;
	set_state(d, S_T_WAIT_SEL_OFF);
	drive_ctl_at(d, now_of(d) + d->latency, BUS_BSY, 0);
}

/* Start moving `len` bytes in phase `ph` (target side). */
static void t_req(struct bus_dev *d);
static void t_sync_fill(struct bus_dev *d);

static void t_phase(struct bus_dev *d, enum bus_phase ph, uint8_t *buf,
		    uint32_t len)
{
	const struct bus_agreement *a = &d->agree[d->initiator & 15];
	int data = ph == BUS_PH_DATA_OUT || ph == BUS_PH_DATA_IN;
	d->tphase = ph;
	d->tbuf = buf;
	d->tlen = len;
	d->tpos = 0;
	d->tunit = data && a->wide ? 2 : 1;
	int sync = data && a->offset != 0;
	if (sync != d->tsync) {
		d->tsync = sync;
		set_watch(d);
	}
	sim_time_t t = now_of(d) + d->latency;
	struct bus_sig s = bus_drive_of(d->port, t);
	uint16_t want = (uint16_t)(((ph & 4) ? BUS_MSG : 0) |
				   ((ph & 2) ? BUS_CD : 0) |
				   ((ph & 1) ? BUS_IO : 0));
	if ((s.ctl & (BUS_MSG | BUS_CD | BUS_IO)) != want) {
		s.ctl = (uint16_t)((s.ctl & ~(BUS_MSG | BUS_CD | BUS_IO)) |
				   want);
		if (!(want & BUS_IO)) {
			s.db = 0; /* an OUT phase: DB is the initiator's now */
			s.dbp = 0;
		} else if (!(s.ctl & BUS_IO) || d->phase_set_at == 0) {
			/* I/O goes true: the initiator releases DB within a
			 * data release delay; drive it no sooner (5.1.5) */
			d->db_free_at = t + d->tm->data_release_delay;
		}
		bus_drive_at(d->port, t, s);
		d->phase_set_at = t;
	}
	if (sync) {
		d->twords = (len + d->tunit - 1) / d->tunit;
		d->req_sent = d->acks = 0;
		d->tperiod = a->period;
		d->toffset = a->offset;
		d->tpulse = pulse_width(d, a->period);
		d->last_req = 0;
		d->tin = (uint8_t)bus_phase_is_in(ph);
		d->tsetup = d->tin ? sync_setup(d) : 0;
		/* REQ no sooner than a bus settle delay after the phase lines
		 * changed; for DATA IN, data no sooner than the initiator let
		 * go of DB */
		d->treq_min = d->phase_set_at + d->tm->bus_settle_delay;
		if (d->tin && d->treq_min < d->db_free_at + d->tsetup)
			d->treq_min = d->db_free_at + d->tsetup;
		step_at(d, t, t_sync_fill);
		return;
	}
	step_at(d, t, t_req);
}

/* The data word of transfer number `w` of the current phase. */
static uint16_t t_word(const struct bus_dev *d, uint32_t pos)
{
	uint16_t v = d->tbuf[pos];
	if (d->tunit == 2 && pos + 1 < d->tlen)
		v |= (uint16_t)(d->tbuf[pos + 1] << 8);
	return v;
}

/* Offer the next byte: REQ no sooner than a bus settle delay after the
 * phase lines changed, and (IN) a setup delay after DB. */
static void t_req(struct bus_dev *d)
{
	sim_time_t now = now_of(d);
	sim_time_t t = now;
	if (bus_phase_is_in(d->tphase)) {
		sim_time_t td = now > d->db_free_at ? now : d->db_free_at;
		put_data(d, td, t_word(d, d->tpos));
		t = td + setup_delay(d);
	}
	sim_time_t settled = d->phase_set_at + d->tm->bus_settle_delay;
	if (t < settled)
		t = settled;
	drive_ctl_at(d, t, BUS_REQ, 0);
}

/*
 * Synchronous transfer (SCSI-2 5.1.5.2): send REQ pulses one period
 * apart while fewer than `offset` of them are unanswered by ACK.  Each
 * pulse, and for DATA IN the data a setup delay before it, is recorded
 * ahead, so the phase costs one event per ACK.
 */
/* REQs (and DATA IN words) planned but not yet on the bus: recorded in
 * one go by t_reqs_flush(). */
struct req_batch {
	sim_time_t at[2 * AHEAD_CHUNK];
	uint16_t val[2 * AHEAD_CHUNK];
	uint32_t n;
};

static void t_reqs_flush(struct bus_dev *d, struct req_batch *b)
{
	bus_pulses(d->port, b->at, d->tin ? b->val : NULL, b->n, BUS_REQ,
		   d->tsetup, d->tpulse);
	b->n = 0;
}

static void t_sync_fill_into(struct bus_dev *d, sim_time_t now,
			     struct req_batch *b)
{
	while (d->req_sent < d->twords &&
	       d->req_sent - d->acks < d->toffset) {
		sim_time_t t = now + d->tsetup;
		if (t < d->treq_min)
			t = d->treq_min;
		if (d->req_sent > 0 && t < d->last_req + d->tperiod)
			t = d->last_req + d->tperiod;
		uint16_t v = d->tin ? t_word(d, d->req_sent * d->tunit) : 0;
		if (d->fault_countdown) {
			/* a fault to inject: this word on its own */
			t_reqs_flush(d, b);
			if (d->tin)
				put_data(d, t - d->tsetup, v);
			bus_pulse(d->port, BUS_REQ, t, d->tpulse);
		} else {
			if (b->n == sizeof b->at / sizeof b->at[0])
				t_reqs_flush(d, b);
			b->at[b->n] = t - d->tsetup;
			b->val[b->n++] = v;
		}
		d->last_req = t;
		d->req_sent++;
	}
}

static void t_sync_fill_from(struct bus_dev *d, sim_time_t now)
{
	struct req_batch b;
	b.n = 0;
	t_sync_fill_into(d, now, &b);
	t_reqs_flush(d, &b);
}

/* First fill of a phase (the step already paid the latency). */
static void t_sync_fill(struct bus_dev *d)
{
	t_sync_fill_from(d, now_of(d));
}

/* An ACK of a synchronous data phase reaches the target at `now` (the
 * event's time, or later for an ACK answered ahead). */
static void t_sync_ack_at(struct bus_dev *d, struct bus_sig s, sim_time_t now)
{
	uint32_t pos = d->acks * d->tunit;
	unsigned n = d->tunit;
	if (pos + n > d->tlen)
		n = d->tlen - pos;
	if (!d->tin) {
		if (!parity_ok(d, s, d->tunit == 2))
			d->parity_err = 1;
		/* read on ACK */
		count_bytes(d, now, n, 1, 1, 0, d->tbuf + pos, s.db);
	} else {
		count_bytes(d, now, n, 0, 1, 0, NULL, 0);
	}
	d->acks++;
	if (d->acks == d->twords) {
		d->tpos = d->tlen;
		/* the last ACK pulse and the data hold end before the phase
		 * changes */
		step_at(d, now + d->latency + d->tpulse, t_next);
		return;
	}
	/* an ACK frees a place in the offset window: the next REQ goes
	 * after the device's latency (no sooner than a period after the
	 * last) */
	t_sync_fill_from(d, now + d->latency);
}

/*
 * Synchronous data phase, target (lookahead, bus.h): the ACKs the
 * initiator has recorded answer REQs it has seen, and nothing but RST
 * takes them back, so take each at the time it will arrive, exactly as
 * t_sync_ack would then.  The last word of the phase keeps its own
 * event (it schedules the next step), as does a word with bad parity.
 */
static sim_time_t t_ahead(struct bus_dev *d, sim_time_t from,
			  sim_time_t upto)
{
	int in = d->tin;
	if (in && d->fault_countdown)
		return from; /* a fault to inject: word by word */
	struct bus_sweep *w = walk_from(d, from, BUS_ACK);
	sim_time_t next = from; /* the first ACK not taken */
	uint32_t room = ledger_room(d);
	struct bus_sweep_stop stop[AHEAD_CHUNK];
	struct req_batch b;
	b.n = 0;
	uint32_t n = 0, k = 0;
	/* the phase's state in locals for the loop (t_sync_ack_at and
	 * t_sync_fill_from for words that are not the last) */
	unsigned u = d->tunit;
	uint32_t acks = d->acks, req_sent = d->req_sent, twords = d->twords;
	uint32_t toffset = d->toffset;
	sim_time_t last_req = d->last_req, tsetup = d->tsetup;
	sim_time_t treq_min = d->treq_min, period = d->tperiod;
	sim_time_t lat = d->latency;
	struct ledger_ent *led = d->ledger + d->ledger_head;
	uint32_t llen = d->ledger_len;
	while (acks + 1 < twords) {
		if (k == n) {
			n = bus_sweep_take(w, stop, room < AHEAD_CHUNK
							     ? room
							     : AHEAD_CHUNK);
			k = 0;
			if (n == 0)
				break;
		}
		/* the initiator's lines (ours, BSY and the phase, are left
		 * out of a walk) */
		struct bus_sig s = stop[k].now;
		next = stop[k].t;
		if (next > upto || (s.ctl & (BUS_RST | BUS_SEL)) ||
		    (!in && !parity_good(s, u)))
			break; /* handled in its own event */
		led[llen++] = (struct ledger_ent){
			next, in ? NULL : d->tbuf + acks * u, s.db,
			(uint8_t)u, (uint8_t)!in, 1, 0 };
		acks++;
		/* the freed place in the offset window: the next REQ after
		 * our latency, no sooner than a period after the last */
		sim_time_t now = next + lat;
		while (req_sent < twords && req_sent - acks < toffset) {
			sim_time_t t = now + tsetup;
			if (t < treq_min)
				t = treq_min;
			if (req_sent > 0 && t < last_req + period)
				t = last_req + period;
			if (b.n == sizeof b.at / sizeof b.at[0])
				t_reqs_flush(d, &b);
			b.at[b.n] = t - tsetup;
			b.val[b.n++] = in ? t_word(d, req_sent * u) : 0;
			last_req = t;
			req_sent++;
		}
		next++;
		k++;
		room--;
	}
	d->acks = acks;
	d->req_sent = req_sent;
	d->last_req = last_req;
	d->ledger_len = llen;
	t_reqs_flush(d, &b);
	if (n > 0 && k < n)
		return stop[k].t; /* that one (or the last ACK) gets its event */
	walk_keep(d, n == 0);
	return next;
}

/* The bus asks for ACKs taken ahead (bus.h, LOOKAHEAD). */
static sim_time_t t_ahead_fn(struct bus_port *p, sim_time_t from,
			     sim_time_t upto, void *arg)
{
	(void)p;
	struct bus_dev *d = arg;
	if (d->st != S_T_CONNECTED || !d->tsync || d->acks + 1 >= d->twords)
		return from;
	settle(d);
	return t_ahead(d, from, upto);
}

static void t_sync_ack(struct bus_dev *d, struct bus_sig s)
{
	t_sync_ack_at(d, s, now_of(d));
	if (d->lookahead && d->tsync && d->acks < d->twords)
		bus_ahead_done(d->port,
			       t_ahead(d, now_of(d) + 1,
				       now_of(d) + BUS_AHEAD_HORIZON));
}

static void t_ack(struct bus_dev *d, struct bus_sig s)
{
	if (d->tsync) {
		t_sync_ack(d, s);
		return;
	}
	sim_time_t t = now_of(d) + d->latency;
	unsigned n = d->tunit;
	if (d->tpos + n > d->tlen)
		n = d->tlen - d->tpos;
	if (!bus_phase_is_in(d->tphase)) {
		if (!parity_ok(d, s, d->tunit == 2))
			d->parity_err = 1;
		d->tbuf[d->tpos] = (uint8_t)s.db; /* read on ACK */
		if (n == 2)
			d->tbuf[d->tpos + 1] = (uint8_t)(s.db >> 8);
		d->stats.bytes_in += n;
	} else {
		d->stats.bytes_out += n;
	}
	if (d->tphase == BUS_PH_DATA_OUT || d->tphase == BUS_PH_DATA_IN)
		d->stats.data_bytes += n;
	d->tpos += n;
	drive_ctl_at(d, t, 0, BUS_REQ);
}

static void t_ack_off(struct bus_dev *d)
{
	if (d->tpos < d->tlen)
		step_at(d, now_of(d) + d->latency, t_req);
	else
		step_at(d, now_of(d) + d->latency, t_next);
}

/* A complete MESSAGE OUT message (target): act, maybe queue a reply. */
static void t_message(struct bus_dev *d)
{
	const uint8_t *m = d->msg_buf;
	struct bus_agreement *a = &d->agree[d->initiator & 15];
	int negotiation = m[0] == MSG_EXTENDED &&
			  (m[2] == EXT_SDTR || m[2] == EXT_WDTR);
	if (m[0] & MSG_IDENTIFY) {
		d->lun = m[0] & 7;
		d->disc_ok = (m[0] & MSG_DISCONNECT_PRIV) != 0;
	} else if (negotiation && d->rejects_negotiation) {
		d->resp[0] = MSG_MESSAGE_REJECT;
		d->resp_len = 1;
		d->resp_ext = 0;
		d->stats.msg_rejects_sent++;
	} else if (m[0] == MSG_EXTENDED && m[1] == 3 && m[2] == EXT_SDTR) {
		/* echo what we can do, or counter-offer: never a shorter
		 * period or a larger offset than asked (5.6.21) */
		sim_time_t asked = bus_sdtr_period(m[3]);
		uint8_t offset = m[4] < d->cap_offset ? m[4] : d->cap_offset;
		sim_time_t period = asked > d->cap_period ? asked
							  : d->cap_period;
		if (asked == 0 || d->cap_offset == 0)
			offset = 0;
		uint8_t f = offset ? bus_sdtr_factor(period) : m[3];
		a->negotiated = 1;
		a->period = offset ? bus_sdtr_period(f) : 0;
		a->offset = offset;
		uint8_t r[5] = { MSG_EXTENDED, 3, EXT_SDTR, f, offset };
		memcpy(d->resp, r, sizeof r);
		d->resp_len = sizeof r;
		d->resp_ext = EXT_SDTR;
	} else if (m[0] == MSG_EXTENDED && m[1] == 2 && m[2] == EXT_WDTR) {
		uint8_t e = m[3] >= 1 && d->cap_wide ? 1 : 0;
		a->negotiated = 1;
		a->wide = e;
		a->period = 0; /* WDTR resets the synchronous agreement */
		a->offset = 0;
		uint8_t r[4] = { MSG_EXTENDED, 2, EXT_WDTR, e };
		memcpy(d->resp, r, sizeof r);
		d->resp_len = sizeof r;
		d->resp_ext = EXT_WDTR;
	} else if (m[0] == MSG_MESSAGE_REJECT) {
		/* the initiator refused our reply */
		if (d->resp_ext == EXT_SDTR) {
			a->period = 0;
			a->offset = 0;
		} else if (d->resp_ext == EXT_WDTR) {
			a->wide = 0;
		}
		d->resp_ext = 0;
	} else if (m[0] == MSG_ABORT || m[0] == MSG_BUS_DEVICE_RESET) {
		d->t_end = m[0];  /* free the bus after this message */
	} else if (m[0] == MSG_MESSAGE_PARITY_ERROR && d->resp_sent) {
		/* a byte of our reply came with bad parity: send the whole
		 * message again (SCSI-2 5.6.12), so that the agreement it
		 * carries is one both sides hold */
		d->resp_len = d->resp_sent;
		d->resp_sent = 0;
	} else if (m[0] == MSG_INITIATOR_DETECTED_ERROR ||
		   m[0] == MSG_MESSAGE_PARITY_ERROR) {
		d->parity_err = 1; /* ends with CHECK CONDITION */
	} else if (m[0] != MSG_NOP) {
		d->resp[0] = MSG_MESSAGE_REJECT;
		d->resp_len = 1;
		d->resp_ext = 0;
		d->stats.msg_rejects_sent++;
	}
}

/* The target holds BSY now (sel_got_bsy): release SEL and DB (I/O stays:
 * MESSAGE IN follows) and send IDENTIFY to restore the nexus. */
static void resel_end(struct bus_dev *d)
{
	sim_time_t now = now_of(d);
	drive_ctl_at(d, now, 0, BUS_SEL);
	release_data_at(d, now);
	if (d->tresel_step) {
		/* step by step: connected again as the target, I/O still
		 * asserted; the caller runs the phases (IDENTIFY first) */
		d->resel = d->tresel_step = 0;
		d->stats.reselections++;
		d->initiator = d->resel_to;
		d->tstep_on = 1;
		d->tstep_busy = 0;
		d->tsync = 0;
		set_state(d, S_T_CONNECTED);
		d->phase_set_at = now;
		d->db_free_at = now;
		d->tstep_ops->reselected(d, 1, d->tstep_arg);
		return;
	}
	d->resel = 0;
	d->t_disc = 0;
	d->stats.reselections++;
	set_state(d, S_T_CONNECTED);
	d->phase_set_at = now;
	d->db_free_at = now;
	d->tstep = T_RESEL_IDENTIFY;
	d->tbyte = (uint8_t)(MSG_IDENTIFY | d->lun);
	t_phase(d, BUS_PH_MSG_IN, &d->tbyte, 1);
}

/* ABORT: drop the command; BUS DEVICE RESET: also forget every
 * initiator's agreements and any disconnected command.  Either way the
 * bus goes free at once, without status (5.6.1, 5.6.5). */
static void t_end_nexus(struct bus_dev *d)
{
	if (d->t_end == MSG_BUS_DEVICE_RESET) {
		memset(d->agree, 0, sizeof d->agree);
		memset(d->sense_pending, 0, sizeof d->sense_pending);
		sim_cancel(d->sim, &d->step_ev); /* a pending reselection */
		d->t_disc = 0;
		d->resel = 0;
	}
	d->t_end = 0;
	d->tstep = T_DISCONNECT;
	sim_time_t t = now_of(d) + d->latency;
	bus_drive_cancel_after(d->port, t);
	release_all_at(d, t);
	set_state(d, d->cmd ? S_ARB_WAIT : S_IDLE);
	if (d->cmd) {
		d->free_since = t;
		step_at(d, t, arb_plan);
	}
}

/* Time to come back: arbitrate for a reselection of the initiator. */
static void t_reconnect(struct bus_dev *d)
{
	d->resel = 1;
	set_state(d, S_ARB_WAIT);
	arb_plan(d);
}

/* Data phase (if any) of the command in d->reply, then status. */
static void t_data_phase(struct bus_dev *d)
{
	d->tstep = T_DATA;
	if (d->reply.data_len > 0 && d->reply.dir != BUS_DIR_NONE) {
		t_phase(d, d->reply.dir == BUS_DIR_IN ? BUS_PH_DATA_IN
						       : BUS_PH_DATA_OUT,
			d->reply.data, d->reply.data_len);
		return;
	}
	t_next(d); /* straight to STATUS */
}

/* CDB length from the group code of the operation code (SCSI-2 7.2). */
static uint8_t cdb_length(uint8_t op)
{
	switch (op >> 5) {
	case 0: return 6;
	case 1:
	case 2: return 10;
	case 5: return 12;
	default: return 6; /* reserved/vendor groups: treat as 6 */
	}
}

/* The target's command sequence, one phase at a time. */
/* Fixed-format sense data for the parity error (SCSI-2 8.2.14). */
static void t_parity_sense(struct bus_dev *d)
{
	memset(d->sense, 0, sizeof d->sense);
	d->sense[0] = 0x70;                 /* current error, fixed format */
	d->sense[2] = SENSE_ABORTED_COMMAND;
	d->sense[7] = 10;                   /* additional sense length */
	d->sense[12] = ASC_SCSI_PARITY_ERROR;
}

/* The command failed on the bus: CHECK CONDITION, sense kept for the
 * initiator's REQUEST SENSE. */
static void t_fail_parity(struct bus_dev *d)
{
	d->reply.status = STATUS_CHECK_CONDITION;
	d->reply.bus_error = 1;
	d->sense_pending[d->initiator & 15] = 1;
}

/* The messages are done: go on where a message interrupted us, or (at
 * the start of a connection) take the CDB. */
static void t_after_messages(struct bus_dev *d)
{
	d->resp_sent = 0; /* no reply to send again after this */
	if (d->resume_valid) {
		d->resume_valid = 0;
		d->tstep = (enum tstep)d->resume_step;
		t_next(d);
		return;
	}
	d->tstep = T_CDB_FIRST;
	t_phase(d, BUS_PH_COMMAND, d->cdb, 1);
}

static void t_next(struct bus_dev *d)
{
	struct bus_sig s = bus_sense(d->port);
	/* ATN after a phase: the initiator has a message (an error report);
	 * take it, then go on where we were (5.2.1) */
	if ((s.ctl & BUS_ATN) && !d->resume_valid && d->tstep != T_MSG_OUT &&
	    d->tstep != T_MSG_IN_REPLY && d->tstep != T_MSG_IN &&
	    d->tstep != T_DISCONNECT) {
		d->resume_valid = 1;
		d->resume_step = (int)d->tstep;
		d->tstep = T_MSG_OUT;
		d->msg_len = 0;
		t_phase(d, BUS_PH_MSG_OUT, &d->msg_buf[d->msg_len++], 1);
		return;
	}
	switch (d->tstep) {
	case T_MSG_OUT:
		/* read messages byte by byte while ATN says more follow, and
		 * always to the end of a message begun */
		if (d->msg_len > 0 && msg_complete(d->msg_buf, d->msg_len)) {
			t_message(d);
			d->msg_len = 0;
			if (d->t_end) {
				t_end_nexus(d);
				return;
			}
		}
		if (((s.ctl & BUS_ATN) || d->msg_len > 0) &&
		    d->msg_len < sizeof d->msg_buf) {
			t_phase(d, BUS_PH_MSG_OUT, &d->msg_buf[d->msg_len++], 1);
			return;
		}
		d->msg_len = 0;
		if (d->resp_len > 0) {
			d->tstep = T_MSG_IN_REPLY;
			t_phase(d, BUS_PH_MSG_IN, d->resp, d->resp_len);
			d->resp_sent = d->resp_len;
			d->resp_len = 0;
			return;
		}
		t_after_messages(d);
		return;
	case T_MSG_IN_REPLY:
		/* ATN now: the initiator has a message (a reply, a REJECT) */
		d->tstep = T_MSG_OUT;
		if (s.ctl & BUS_ATN) {
			t_phase(d, BUS_PH_MSG_OUT, &d->msg_buf[d->msg_len++], 1);
			return;
		}
		t_after_messages(d);
		return;
	case T_CDB_FIRST:
		d->cdb_len = cdb_length(d->cdb[0]);
		d->tstep = T_CDB_REST;
		t_phase(d, BUS_PH_COMMAND, d->cdb + 1, d->cdb_len - 1u);
		return;
	case T_CDB_REST: {
		memset(&d->reply, 0, sizeof d->reply);
		uint8_t *pending = &d->sense_pending[d->initiator & 15];
		if (d->parity_err) {
			t_fail_parity(d); /* a bad CDB is not executed */
		} else if (d->cdb[0] == OP_REQUEST_SENSE && *pending) {
			/* the sense of our own bus-level error */
			*pending = 0;
			t_parity_sense(d);
			uint32_t alloc = d->cdb[4] ? d->cdb[4] : 4;
			d->reply.dir = BUS_DIR_IN;
			d->reply.data = d->sense;
			d->reply.data_len = alloc < sizeof d->sense
						    ? alloc : sizeof d->sense;
		} else {
			*pending = 0; /* sense lasts until the next command */
			d->tops->command(d, d->initiator, d->lun, d->cdb,
					 d->cdb_len, &d->reply, d->targ);
		}
		if (d->reply.busy_time > 0 && d->disc_ok && !d->parity_err) {
			/* the command takes time: free the bus meanwhile */
			d->busy_until = now_of(d) + d->reply.busy_time;
			d->tstep = T_DISC_MSG;
			d->tbyte = MSG_DISCONNECT;
			t_phase(d, BUS_PH_MSG_IN, &d->tbyte, 1);
			return;
		}
		if (d->reply.busy_time > 0 && !d->parity_err) {
			/* no disconnect privilege: hold the bus meanwhile */
			step_at(d, now_of(d) + d->reply.busy_time,
				t_data_phase);
			return;
		}
		t_data_phase(d);
		return;
	}
	case T_DISC_MSG: {
		/* DISCONNECT sent: release the bus; come back after the
		 * busy time, and no sooner than a disconnection delay */
		sim_time_t t = now_of(d) + d->latency;
		release_all_at(d, t);
		d->t_disc = 1;
		d->stats.disconnects++;
		set_state(d, S_IDLE);
		sim_time_t back = t + d->tm->disconnection_delay;
		if (back < d->busy_until)
			back = d->busy_until;
		step_at(d, back, t_reconnect);
		return;
	}
	case T_RESEL_IDENTIFY:
		t_data_phase(d);
		return;
	case T_DATA:
		if (d->tphase == BUS_PH_DATA_IN && d->tunit == 2 &&
		    (d->tlen & 1) && d->tlen == d->tpos) {
			/* a 16-bit DATA IN of odd length: its last word's high
			 * byte is padding, which IGNORE WIDE RESIDUE tells the
			 * initiator before STATUS (SCSI-2 5.6.9) */
			d->tstep = T_RESIDUE;
			d->tmsg2[0] = MSG_IGNORE_WIDE_RESIDUE;
			d->tmsg2[1] = 1;
			t_phase(d, BUS_PH_MSG_IN, d->tmsg2, 2);
			return;
		}
		/* fall through */
	case T_RESIDUE:
		if (d->parity_err && !d->reply.bus_error)
			t_fail_parity(d);
		d->tstep = T_STATUS;
		d->tbyte = d->reply.status;
		t_phase(d, BUS_PH_STATUS, &d->tbyte, 1);
		return;
	case T_STATUS:
		d->tstep = T_MSG_IN;
		d->tbyte = MSG_COMMAND_COMPLETE;
		t_phase(d, BUS_PH_MSG_IN, &d->tbyte, 1);
		return;
	case T_MSG_IN:
		/* COMMAND COMPLETE sent: release everything -> BUS FREE */
		d->tstep = T_DISCONNECT;
		sim_time_t t = now_of(d) + d->latency;
		release_all_at(d, t);
		set_state(d, d->cmd ? S_ARB_WAIT : S_IDLE);
		if (d->cmd) {
			/* our own release makes the BUS FREE: no notification
			 * comes for it, so plan the queued arbitration now */
			d->free_since = t;
			step_at(d, t, arb_plan);
		}
		if (d->tops->command_done)
			d->tops->command_done(d, d->initiator, &d->reply,
					      d->targ);
		return;
	case T_DISCONNECT:
		return;
	}
}

static void t_start(struct bus_dev *d)
{
	set_state(d, S_T_CONNECTED);
	d->msg_len = 0;
	d->resp_len = 0;
	d->resp_ext = 0;
	d->resp_sent = 0;
	d->lun = 0;
	d->tstep = T_MSG_OUT;
	d->phase_set_at = 0;
	d->db_free_at = 0;
	d->parity_err = 0;
	d->resume_valid = 0;
	d->disc_ok = 0;
	d->t_end = 0;
	t_next(d);
}

/* --- bus reset -------------------------------------------------------------- */

/* RST seen (SCSI-2 5.2.2): release every line within a bus clear delay
 * (after our latency), end whatever we were doing, forget agreements. */
static void dev_reset(struct bus_dev *d)
{
	d->stats.resets_seen++;
	/* what we answered ahead from now on does not happen */
	ledger_rewind(d);
	bus_ahead_done(d->port, now_of(d));
	sim_cancel(d->sim, &d->step_ev);
	sim_cancel(d->sim, &d->timeout_ev);
	sim_time_t t = now_of(d) + d->latency;
	/* nothing we had recorded for later happens now (REQ/ACK pulses of
	 * a synchronous transfer) */
	bus_drive_cancel_after(d->port, t);
	struct bus_sig own = bus_drive_of(d->port, t);
	bus_lines_at(d->port, t, 0, (uint16_t)(BUS_CTL_ALL & ~BUS_RST &
						own.ctl));
	release_data_at(d, t);
	memset(d->agree, 0, sizeof d->agree);
	d->isync = d->tsync = 0;
	d->resel = d->t_disc = d->i_disc = d->i_waiting = 0;
	d->tresel_step = 0;
	d->tstep = T_DISCONNECT;
	set_state(d, S_IDLE);
	if (d->tstep_on) {
		d->tstep_on = d->tstep_busy = 0;
		d->tstep_ops->reset(d, d->tstep_arg);
	}
	if (d->cmd != NULL)
		cmd_finish(d, BUS_CMD_RESET);
	if (d->reset_fn != NULL)
		d->reset_fn(d, d->reset_arg);
}

/* Our RST released: the bus is free from here, as notify() would say
 * for another device's (our own changes are not notified to us). */
static void own_rst_released(struct bus_dev *d)
{
	d->free_since = now_of(d);
	d->own_free_at = now_of(d);
	if (d->st == S_ARB_WAIT)
		step_at(d, now_of(d), arb_plan);
}

static void reset_release(struct bus_dev *d)
{
	drive_ctl_at(d, now_of(d), 0, BUS_RST);
	own_rst_released(d);
}

void bus_dev_rst(struct bus_dev *d, int on)
{
	if (on) {
		drive_ctl_at(d, now_of(d), BUS_RST, 0);
		dev_reset(d); /* our own RST is not notified to us */
	} else {
		drive_ctl_at(d, now_of(d), 0, BUS_RST);
		own_rst_released(d);
	}
}

void bus_dev_on_reset(struct bus_dev *d,
		      void (*fn)(struct bus_dev *dev, void *arg), void *arg)
{
	d->reset_fn = fn;
	d->reset_arg = arg;
}

void bus_dev_reset_bus(struct bus_dev *d, sim_time_t hold)
{
	if (hold < d->tm->reset_hold_time)
		hold = d->tm->reset_hold_time;
	sim_time_t now = now_of(d);
	/* our own RST is not notified to us: reset ourselves too */
	drive_ctl_at(d, now, BUS_RST, 0);
	dev_reset(d);
	step_at(d, now + hold, reset_release);
}

/* --- edges ---------------------------------------------------------------- */

/* Selected or reselected while a step-by-step reselection waits for the
 * bus: the wish is dropped, as a chip drops its ENSELO when SELDI comes;
 * the caller learns it from the selection and arms it again later. */
static void drop_step_resel(struct bus_dev *d)
{
	if (d->tresel_step && d->st == S_ARB_WAIT)
		d->resel = d->tresel_step = 0;
}

static void notify(struct bus_port *p, struct bus_sig before,
		   struct bus_sig now, void *arg)
{
	(void)p;
	struct bus_dev *d = arg;
	settle(d);
	uint16_t rose = now.ctl & ~before.ctl, fell = before.ctl & ~now.ctl;
	int was_free = !(before.ctl & (BUS_BSY | BUS_SEL));
	int is_free = !(now.ctl & (BUS_BSY | BUS_SEL));
	if (rose & BUS_RST) {
		dev_reset(d);
		return;
	}
	if (now.ctl & BUS_RST)
		return; /* nothing happens while RST is asserted */
	if (fell & BUS_RST) {
		/* the reset is over: the bus is free from here */
		d->free_since = now_of(d);
		if (d->st == S_ARB_WAIT)
			arb_plan(d);
		return;
	}
	if (is_free && !was_free)
		d->free_since = now_of(d);
	if (!is_free && was_free)
		d->busy_since = now_of(d);

	switch (d->st) {
	case S_IDLE:
	case S_ARB_WAIT:
		if ((d->i_waiting ||
		     (d->rlisten &&
		      (d->cmd == NULL || d->step_ops != NULL))) &&
		    resel_for_me(d, now)) {
			sim_cancel(d->sim, &d->step_ev);
			drop_step_resel(d);
			set_state(d, S_I_RESELECTED);
			step_at(d, now_of(d) + d->tm->bus_settle_delay,
				i_resel_confirm);
			return;
		}
		if (((d->tops && !d->target_off) || d->tlisten) &&
		    !d->t_disc &&
		    sel_for_me(d, now)) {
			sim_cancel(d->sim, &d->step_ev);
			drop_step_resel(d);
			set_state(d, S_T_SELECTING);
			step_at(d, now_of(d) + d->tm->bus_settle_delay,
				t_confirm);
			return;
		}
		if (d->st == S_ARB_WAIT && is_free && !was_free)
			arb_plan(d);
		return;
	case S_ARB:
		if (rose & BUS_SEL)
			arb_lose(d); /* someone won and is selecting */
		return;
	case S_SEL_WAIT_BSY:
		if ((rose & BUS_BSY) && d->looking_for_bsy)
			sel_got_bsy(d);
		return;
	case S_T_WAIT_SEL_OFF:
		if ((fell & BUS_SEL) && d->tstep_ops != NULL) {
			/* step by step: the caller runs the phases */
			d->tstep_on = 1;
			d->tstep_busy = 0;
			d->tsync = 0;
			d->phase_set_at = 0;
			set_state(d, S_T_CONNECTED);
			d->db_free_at = 0;
			d->tstep_ops->selected(d, d->initiator,
					       (now.ctl & BUS_ATN) != 0,
					       d->tstep_arg);
		} else if (fell & BUS_SEL) {
			step_at(d, now_of(d) + d->latency, t_start);
		}
		return;
	case S_I_WAIT_SEL_OFF:
		if (fell & BUS_SEL) {
			/* the target holds BSY now: release ours, go on */
			drive_ctl_at(d, now_of(d) + d->latency, 0, BUS_BSY);
			if (!d->i_waiting && d->rstep_ops != NULL) {
				/* step by step: the connection is the
				 * caller's (its own selection, if one was
				 * waiting for the bus, is dropped) */
				memset(&d->step_cmd, 0, sizeof d->step_cmd);
				d->step_cmd.target = d->resel_from;
				d->step_cmd.t_start = d->step_cmd.t_selected =
					now_of(d);
				d->cmd = &d->step_cmd;
				d->step_ops = d->rstep_ops;
				d->step_arg = d->rstep_arg;
				d->step_req = 0;
				d->isync = 0;
				set_state(d, S_I_CONNECTED);
				d->step_ops->reselected(d, d->resel_from,
							d->step_arg);
				return;
			}
			d->i_waiting = 0;
			set_state(d, S_I_CONNECTED);
		}
		return;
	case S_I_CONNECTED:
		if (is_free && d->i_disc && !d->got_complete) {
			/* disconnected: wait to be reselected */
			release_all_at(d, now_of(d) + d->latency);
			d->i_disc = 0;
			d->i_waiting = 1;
			d->isync = 0;
			set_state(d, S_IDLE);
			return;
		}
		if (is_free && d->i_ended) {
			/* after ABORT or BUS DEVICE RESET the target frees
			 * the bus at once: that is the answer */
			release_all_at(d, now_of(d) + d->latency);
			set_state(d, S_IDLE);
			cmd_finish(d, d->cmd->message_only ? BUS_CMD_DONE
							   : BUS_CMD_ABORTED);
			return;
		}
		if (is_free) {
			/* BUS FREE: expected only after COMMAND COMPLETE */
			release_all_at(d, now_of(d) + d->latency);
			set_state(d, S_IDLE);
			cmd_finish(d, d->got_complete && !d->protocol_error
					      ? BUS_CMD_DONE
					      : d->got_complete
						? BUS_CMD_PROTOCOL
						: BUS_CMD_BUS_FREE);
			return;
		}
		if (rose & BUS_IO) /* release DB within a data release delay */
			release_data_at(d, now_of(d) + d->latency);
		if (d->step_ops != NULL) {
			if (rose & BUS_REQ) {
				enum bus_phase ph = bus_info_phase(now.ctl);
				int sync = (ph == BUS_PH_DATA_OUT ||
					    ph == BUS_PH_DATA_IN) &&
					   d->step_offset && d->step_period;
				if (sync != d->isync) {
					d->isync = sync;
					d->step_last = 0;
					set_watch(d);
				}
				d->step_req++;
				d->step_phase = ph;
				d->step_ops->req(d, d->step_phase, now,
						 d->step_arg);
			} else if (fell & BUS_REQ) {
				init_req_off(d);
			}
			return;
		}
		if (rose & BUS_REQ) {
			init_req(d, now);
			if (d->isync && d->lookahead && d->cmd != NULL)
				bus_ahead_done(d->port,
					       init_ahead(d, now_of(d) + 1,
							  now_of(d) +
								  BUS_AHEAD_HORIZON));
		} else if (fell & BUS_REQ)
			init_req_off(d);
		return;
	case S_T_CONNECTED:
		if (d->tstep_on) {
			if ((rose & BUS_ACK) && d->tsync) {
				/* synchronous: the REQ pulse ended by itself;
				 * this ACK answers the oldest one */
				if (d->tstep_busy)
					d->tstep_busy--;
				d->tstep_ops->acked(d, now, d->tstep_arg);
				d->tstep_ops->done(d, d->tstep_arg);
			} else if (rose & BUS_ACK) {
				/* release REQ after our latency */
				drive_ctl_at(d, now_of(d) + d->latency, 0,
					     BUS_REQ);
				d->tstep_ops->acked(d, now, d->tstep_arg);
			} else if (fell & BUS_ACK) {
				d->tstep_busy = 0;
				d->tstep_ops->done(d, d->tstep_arg);
			}
			return;
		}
		if (rose & BUS_ACK)
			t_ack(d, now);
		else if (fell & BUS_ACK)
			t_ack_off(d);
		return;
	default:
		return;
	}
}

