/*
 * bus.h - the SCSI bus at signal level: lines, cable, wired-OR, propagation.
 *
 * Follows SCSI-2 (X3.131-1994, draft rev 10L) clause 5: the lines of
 * Table 6 (BSY SEL C/D I/O MSG REQ ACK ATN RST, DB(7-0) and DB(P); on a
 * wide bus also DB(15-8) and DB(P1)), all OR-tied: a line is asserted when
 * any device asserts it.
 *
 * MODEL.  Every device attaches a port at a position along the cable.  A
 * port records what it drives as a short, time-ordered history; a change
 * may be dated now or later (a REQ pulse records its assertion and its
 * negation in one call).  What a port senses at time t is the OR over all
 * ports d of d's drive at t - delay(d, port), the delay being the cable
 * length between them times the propagation delay per metre; a port senses
 * its own drive without delay.  So a long cable really slows an interlocked
 * handshake: each REQ/ACK round trip costs two cable delays.
 *
 * NOTIFICATION.  A port watches chosen lines, separately for assertion
 * (rise) and negation (fall).  When another port changes a watched line,
 * the watcher's callback runs at the moment the change reaches it, with the
 * lines it senses just before and at that moment.  Unwatched lines cost no
 * events: a port reads them when it needs them (bus_sense).  Changes that
 * arrive at the same instant are delivered in one call.
 *
 * TRACE.  The bus emits SIM_TR_BUS_LINES records of its logical state (the
 * OR of all drives, without cable delay: what the drivers put on the bus)
 * in time order, one per drive change, with the port that changed.  Records
 * are emitted once simulated time has reached them, lazily: call
 * bus_trace_flush() at the end of a run.  Emitting never changes the model.
 *
 * Ownership: the bus and its ports are allocated with sim_alloc() and freed
 * by bus_destroy(); callback arguments belong to the caller.
 */
#ifndef BUS_H
#define BUS_H

#include <stdint.h>
#include <string.h>

#include "bus_timing.h"
#include "sim.h"

/* Control lines.  Bit positions are ours, not the connector's. */
enum bus_line {
	BUS_BSY = 1u << 0,
	BUS_SEL = 1u << 1,
	BUS_CD = 1u << 2,
	BUS_IO = 1u << 3,
	BUS_MSG = 1u << 4,
	BUS_REQ = 1u << 5,
	BUS_ACK = 1u << 6,
	BUS_ATN = 1u << 7,
	BUS_RST = 1u << 8,
	BUS_CTL_ALL = 0x1ff,
};
#define BUS_NLINES 9

/* The name of one control line ("BSY", ...) or NULL if `line` is not one
 * single line. */
const char *bus_line_name(unsigned line);

/* The state of all lines, as driven by one port or as sensed by one.
 * Eight bytes with the padding always zero, so that the wired-OR of two
 * states is one 64-bit OR (bus_sig_or). */
struct bus_sig {
	uint16_t ctl;   /* enum bus_line bits */
	uint16_t db;    /* DB(15-0); DB(15-8) only exists on a wide bus */
	uint8_t dbp;    /* bit 0: DB(P) for DB(7-0); bit 1: DB(P1) for DB(15-8) */
	uint8_t pad_[3]; /* zero */
};

static inline uint64_t bus_sig_bits(struct bus_sig s)
{
	uint64_t v;
	memcpy(&v, &s, sizeof v);
	return v;
}

static inline struct bus_sig bus_sig_from_bits(uint64_t v)
{
	struct bus_sig s;
	memcpy(&s, &v, sizeof s);
	return s;
}

static inline struct bus_sig bus_sig_or(struct bus_sig a, struct bus_sig b)
{
	return bus_sig_from_bits(bus_sig_bits(a) | bus_sig_bits(b));
}

/* Odd parity (SCSI-2 5.2.1): DB(P) is asserted when DB(7-0) has an even
 * number of asserted bits, so the nine lines always carry an odd count.
 * Returns both parity bits for a 16-bit value. */
static inline uint8_t bus_parity(uint16_t db)
{
	uint8_t lo = (uint8_t)!__builtin_parity(db & 0xffu);
	uint8_t hi = (uint8_t)!__builtin_parity((db >> 8) & 0xffu);
	return (uint8_t)(lo | (hi << 1));
}

/* Information-transfer and bus phases (SCSI-2 5.1, Table 9 for the
 * MSG C/D I/O encoding). */
enum bus_phase {
	BUS_PH_DATA_OUT = 0,      /* MSG=0 C/D=0 I/O=0 */
	BUS_PH_DATA_IN = 1,       /*           I/O=1 */
	BUS_PH_COMMAND = 2,       /*     C/D=1 */
	BUS_PH_STATUS = 3,        /*     C/D=1 I/O=1 */
	BUS_PH_RESERVED_4 = 4,    /* MSG=1 */
	BUS_PH_RESERVED_5 = 5,    /* MSG=1 I/O=1 */
	BUS_PH_MSG_OUT = 6,       /* MSG=1 C/D=1 */
	BUS_PH_MSG_IN = 7,        /* MSG=1 C/D=1 I/O=1 */
	BUS_PH_BUS_FREE,
	BUS_PH_ARBITRATION,
	BUS_PH_SELECTION,
	BUS_PH_RESELECTION,
	BUS_PH_RESET,
	BUS_PH_COUNT_
};

/* The information phase the MSG, C/D and I/O lines encode. */
static inline enum bus_phase bus_info_phase(uint16_t ctl)
{
	return (enum bus_phase)(((ctl & BUS_MSG) ? 4 : 0) |
				((ctl & BUS_CD) ? 2 : 0) |
				((ctl & BUS_IO) ? 1 : 0));
}
/* "DATA OUT", "BUS FREE", ... */
const char *bus_phase_name(enum bus_phase ph);
/* Does data flow towards the initiator (I/O asserted) in this phase? */
static inline int bus_phase_is_in(enum bus_phase ph)
{
	return ph <= BUS_PH_MSG_IN && (ph & 1);
}

/*
 * Decoding phases from the lines needs a little history, as a bus analyser
 * has: BSY alone is ARBITRATION right after BUS FREE but DATA OUT during a
 * connection.  Feed every logical state in time order.
 */
struct bus_phase_tracker {
	enum bus_phase phase;
};
void bus_phase_tracker_init(struct bus_phase_tracker *t);
/* Returns the phase after `ctl`. */
enum bus_phase bus_phase_track(struct bus_phase_tracker *t, uint16_t ctl);

struct bus;
struct bus_port;

/* Called when a watched line changes at the port: `before` and `now` are
 * the lines the port senses just before and at this instant (its own drive
 * included).  Runs as a sim event callback: it may drive lines and
 * schedule events. */
typedef void (*bus_notify_fn)(struct bus_port *port, struct bus_sig before,
			      struct bus_sig now, void *arg);

/* Handle, ahead of time, the recorded edges of the port's `ahead` lines
 * that arrive at it from `from` to `upto` (both included), each as it
 * would be handled when it arrives, stopping at the first one that needs
 * its own event.  Returns the arrival time of that one (or of the first
 * edge not yet recorded): every edge before it has been handled. */
typedef sim_time_t (*bus_ahead_fn)(struct bus_port *port, sim_time_t from,
				   sim_time_t upto, void *arg);

/* How far beyond now a device may be asked to answer strobes ahead:
 * bounds the histories and the words a reset has to take back. */
#define BUS_AHEAD_HORIZON (8 * SIM_US)

#define BUS_MAX_PORTS 16

struct bus_config {
	const char *name;            /* for traces and errors; copied */
	enum bus_width width;        /* 8 or 16 data bits */
	enum bus_electrical electrical;
	enum bus_speed speed;        /* the timing table devices follow */
	uint32_t length_mm;          /* total cable length */
	uint32_t ps_per_m;           /* propagation delay; 0 = default */
};

/* Default propagation delay of a SCSI cable: about 5.4 ns/m, i.e. a
 * velocity factor near 0.62 for the twisted-pair and flat cables SCSI-2
 * specifies (SCSI-2 5.4: 90-132 ohm cable).  Configurable per bus. */
#define BUS_DEFAULT_PS_PER_M 5400u

/* One drive-history entry: at time t the port sets the lines in chg_ctl
 * (and DB with parity, if chg_data) to their values in s; s holds the
 * port's whole drive from t on. */
struct bus_hist_ent {
	sim_time_t t;
	struct bus_sig s;
	uint16_t chg_ctl;
	uint8_t chg_data;
};

/* A pending notification: the time it is due and the watched lines
 * whose change made it. */
struct bus_nq_ent {
	sim_time_t t;
	uint16_t lines;
};

struct bus_port {
	struct bus *bus;
	uint32_t index;              /* 0.. in attach order */
	uint32_t pos_mm;             /* position along the cable */
	int scsi_id;                 /* -1 if the port is not a device */
	char name[32];
	struct bus_sig drive;        /* latest recorded drive (maybe future) */
	/* drive history, oldest first: hist[hist_head .. +hist_len) */
	struct bus_hist_ent *hist;
	uint32_t hist_head, hist_len, hist_cap;
	uint64_t hist_seq0;          /* sequence number of hist[hist_head] */
	uint32_t hist_gen;           /* bumped when entries change or go */
	uint16_t hist_chg;           /* lines some stored entry changes (or
				      * more: a superset) */
	/* notification */
	uint16_t watch_rise, watch_fall;
	uint16_t ahead;              /* lines handled ahead (bus_watch_ahead) */
	bus_notify_fn fn;
	bus_ahead_fn ahead_fn;
	void *arg;
	struct bus_nq_ent *nq;       /* pending notifications, sorted: */
	uint32_t nq_head, nq_len, nq_cap; /* nq[nq_head .. +nq_len) */
	sim_time_t ahead_wake;       /* earliest pending entry for `ahead` */
	sim_time_t ahead_end;        /* `ahead` edges before this handled */
	sim_time_t ahead_skip;       /* latest edge not queued for `ahead` */
	struct sim_event nev;
};

struct bus {
	struct sim *sim;
	char name[32];
	enum bus_width width;
	enum bus_electrical electrical;
	enum bus_speed speed;
	const struct bus_timing *timing;
	uint32_t length_mm, ps_per_m;
	uint16_t db_mask;            /* DB bits the width has */
	uint8_t dbp_mask;            /* parity bits the width has */
	struct bus_port *port[BUS_MAX_PORTS];
	uint32_t nports;
	/* per line: the ports watching its assertion / negation */
	uint16_t rise_watchers[BUS_NLINES], fall_watchers[BUS_NLINES];
	uint16_t watched_rise, watched_fall; /* lines some port watches */
	sim_time_t delay[BUS_MAX_PORTS][BUS_MAX_PORTS];
	sim_time_t max_delay;
	/* trace: drive changes not yet emitted (time-sorted) */
	sim_trace_source_t src;
	struct bus_trace_pend *pend;
	uint32_t pend_len, pend_cap;
	struct bus_sig logical[BUS_MAX_PORTS];
	struct bus_sig logical_or;
	struct bus_phase_tracker tracker;
	/* occupancy (bus_phase_times): the phase the drivers' lines make,
	 * since when, and the time spent in each phase before it */
	struct bus_phase_tracker occ_tracker;
	sim_time_t occ_since;
	sim_time_t occ_held_since;   /* when it last left BUS FREE */
	sim_time_t occ_time[BUS_PH_COUNT_];
	uint64_t edges;              /* drive changes recorded */
	/* edges of lines a port handles ahead that reached it inside the
	 * span it had already handled: a model error (bus_watch_ahead) */
	uint64_t ahead_conflicts;
};

/* Payload of a SIM_TR_BUS_LINES record (record.flags = port index). */
struct bus_trace_lines {
	struct bus_sig bus;          /* the OR of all drives after the change */
	struct bus_sig port;         /* what the changing port drives now */
	uint16_t changed;            /* control lines whose bus value changed */
	uint8_t port_index;
	uint8_t phase;               /* enum bus_phase after the change */
	uint8_t width;               /* 8 or 16 */
};

/* How long the bus has been in each phase (BUS FREE, ARBITRATION, ...,
 * DATA OUT, ...) up to `now`, into out[BUS_PH_COUNT_]: what a bus
 * analyser's utilisation view shows, without a trace subscription.  The
 * phase is taken from the OR of what the ports drive (before cable
 * delay), each time a phase line (RST BSY SEL MSG C/D I/O) changes, so
 * it costs nothing on REQ/ACK edges. */
void bus_phase_times(const struct bus *bus, sim_time_t now,
		     sim_time_t out[BUS_PH_COUNT_]);

/* How long, at `now`, the bus has been held without a BUS FREE (any
 * phase but BUS FREE, RESET included), from the same occupancy the
 * phase times come from; 0 if it is free.  *phase (may be NULL) gets the
 * phase it is in.  A bus held far longer than any transfer or time-out
 * takes is stuck: the run's liveness check and the protocol checker's
 * bus-held rule use this. */
sim_time_t bus_held_for(const struct bus *bus, sim_time_t now,
			enum bus_phase *phase);
/* Held longer than this, a bus is stuck.  No rule of SCSI-2 bounds a
 * connection, but nothing that works comes near it: the longest waits
 * the standard defines are the selection time-out (250 ms, 5.1.3.1) and
 * the reset hold, and a 65535-byte datagram takes 65 ms even at SCSI-1's
 * asynchronous 1 MB/s.  [decision: four selection time-outs] */
#define BUS_STUCK_LIMIT (1 * SIM_S)

/* Create a bus.  Errors: SN_EINVAL (bad width, name), SN_ENOMEM. */
enum sn_err bus_create(struct sim *sim, const struct bus_config *cfg,
		       struct bus **out);
/* Free the bus and its ports; cancels their pending notifications. */
void bus_destroy(struct bus *bus);

/* Attach a port at `pos_mm` (0..length).  `scsi_id` is -1 for a passive
 * port (a bus analyser), else the device's ID, used in traces.
 * Errors: SN_ERANGE (position past the cable end or ID out of range for
 * the width), SN_EBUSY (BUS_MAX_PORTS reached), SN_ENOMEM. */
enum sn_err bus_attach(struct bus *bus, const char *name, uint32_t pos_mm,
		       int scsi_id, struct bus_port **out);

/* Propagation delay between two ports. */
static inline sim_time_t bus_delay(const struct bus_port *a,
				   const struct bus_port *b)
{
	return a->bus->delay[a->index][b->index];
}

/* Choose what the port is told about (rise/fall masks of enum bus_line),
 * and the callback.  fn may be NULL when both masks are 0. */
void bus_watch(struct bus_port *p, uint16_t rise, uint16_t fall,
	       bus_notify_fn fn, void *arg);

/*
 * LOOKAHEAD.  A device that can work out its answers to a peer's strobes
 * before they arrive (a synchronous transfer, where every REQ the target
 * has recorded will be answered with an ACK, RST aside) declares those
 * lines with bus_watch_ahead(), with a handler.  The bus then wakes it
 * once for a train of such edges, not once per edge: when a watched
 * `ahead` edge is recorded while a wake-up for an earlier `ahead` edge is
 * pending, no new one is queued.  At each wake-up the device walks the
 * edges already recorded (bus_sweep) and answers as many as it can, each
 * at the time it arrives, then says how far it got with bus_ahead_done().
 * Edges it did not handle get a wake-up of their own after its callback
 * returns, so a device that handles nothing ahead sees every edge as
 * before.
 *
 * After each notification the bus also chains: a port whose next wake-up
 * is for `ahead` edges within BUS_AHEAD_HORIZON of now has its handler
 * called at once (the two sides of a transfer answer each other's
 * recorded strobes in turn, without an event per window of words); an
 * edge the handler cannot take keeps its wake-up and is delivered as
 * usual when it arrives.
 *
 * Every edge is still recorded, traced and checked at its own time; only
 * the number of events changes, never the lines (tests/test_bus_dev.c
 * compares whole traces with lookahead on and off).
 *
 * Watched `ahead` edges at or before the handled mark are not delivered
 * again.  One recorded after the device handled past its arrival time
 * would have been answered without it: the bus counts it in
 * bus->ahead_conflicts (a correct model has none) and delivers it.
 */
void bus_watch_ahead(struct bus_port *p, uint16_t lines, bus_ahead_fn fn);
/* The device has handled every `ahead` edge arriving before time t (which
 * may move back, e.g. after a reset cancelled what it had answered). */
void bus_ahead_done(struct bus_port *p, sim_time_t t);

/*
 * A walk, in time order, over what a port will sense of the other ports
 * according to the drives recorded so far (the OR of their drives, each
 * one cable delay late; the port's own drive is left out, it is the
 * walker's own business): bus_sweep_next() stops at each instant where
 * one of `rise` asserts or one of `fall` negates, with what is sensed
 * just before and at that instant.  Recording drives during a walk is
 * allowed.  What other ports record later may change the picture; a
 * device relies on a walk only for what the protocol commits its peer to.
 */
struct bus_sweep {
	const struct bus_port *q;
	uint16_t rise, fall;
	sim_time_t t;                /* the instant reached */
	struct bus_sig before, now;  /* others' lines just before t and at t */
	uint64_t next[BUS_MAX_PORTS]; /* per port: first entry arriving
				       * after t (sequence number) */
	uint32_t gen[BUS_MAX_PORTS];
};
/* One stop of a walk. */
struct bus_sweep_stop {
	sim_time_t t;
	struct bus_sig before, now;
};

/* Start a walk at time t (>= now - longest cable delay). */
void bus_sweep_begin(struct bus_sweep *w, const struct bus_port *q,
		     sim_time_t t, uint16_t rise, uint16_t fall);
/* Advance to the next such instant; 0 when none is recorded. */
static inline int bus_sweep_next(struct bus_sweep *w);
/* The next stops, up to `max` of them, at once: what bus_sweep_next()
 * would return one by one.  They stay true while no other port records
 * drives, i.e. for the rest of the walker's callback.  Returns how many. */
uint32_t bus_sweep_take(struct bus_sweep *w, struct bus_sweep_stop *out,
			uint32_t max);
/* (the general case of bus_sweep_next, and a helper of its fast path) */
int bus_sweep_next_general(struct bus_sweep *w);
void bus_sweep_reseek(struct bus_sweep *w, uint32_t port_index);

/* Record that from time `at` (>= now) the port drives `s`: the lines (and
 * DB) in which `s` differs from the port's drive at `at` change then.  A
 * change may be dated before changes already recorded for later: those
 * keep the lines they set themselves and take the new values of the
 * others (so a REQ pulse recorded for later survives an ATN asserted
 * now).  Bits beyond the bus width are dropped. */
void bus_drive_at(struct bus_port *p, sim_time_t at, struct bus_sig s);
/* From `at` (>= now): assert `set`, release `clear`, other lines as they
 * are; or drive DB with `value` and its odd parity; or stop driving DB.
 * Same rules as bus_drive_at() for changes recorded later. */
void bus_lines_at(struct bus_port *p, sim_time_t at, uint16_t set,
		  uint16_t clear);
void bus_data_at(struct bus_port *p, sim_time_t at, uint16_t value);
void bus_data_release_at(struct bus_port *p, sim_time_t at);
/* Drive DB with the parity bits given, right or wrong (fault injection). */
void bus_data_raw_at(struct bus_port *p, sim_time_t at, uint16_t value,
		     uint8_t parity);
/* Forget every change the port recorded for after time t (>= now), as a
 * device does when a reset cancels what it had scheduled.  Watchers'
 * pending notifications for them find no change and stay silent. */
void bus_drive_cancel_after(struct bus_port *p, sim_time_t t);
/* The port's own drive at time t (>= now - longest cable delay). */
struct bus_sig bus_drive_of(const struct bus_port *p, sim_time_t t);

/* Conveniences on bus_drive_at() at the current time. */
void bus_assert(struct bus_port *p, uint16_t lines);
void bus_release(struct bus_port *p, uint16_t lines);
/* Drive DB with `value` and its odd parity; bits beyond the width are
 * dropped.  bus_release_data() stops driving DB and parity. */
void bus_set_data(struct bus_port *p, uint16_t value);
void bus_release_data(struct bus_port *p);
/* Assert `lines` from `at` for `width`, then release them. */
void bus_pulse(struct bus_port *p, uint16_t lines, sim_time_t at,
	       sim_time_t width);
/* n words of a synchronous transfer at once, in time order: for word k,
 * DB = values[k] with odd parity from t[k] (no data if values is NULL),
 * and `lines` pulsed from t[k] + delay for `width`.  The same as the
 * calls one by one (bus_data_at, bus_pulse), only cheaper. */
void bus_pulses(struct bus_port *p, const sim_time_t *t,
		const uint16_t *values, uint32_t n, uint16_t lines,
		sim_time_t delay, sim_time_t width);

/* What the port senses at the current time (the OR over all ports of
 * their drive one cable delay ago; its own drive without delay). */
struct bus_sig bus_sense(const struct bus_port *p);
/* ... at an earlier time t (now - t must not exceed the longest cable
 * delay, which is how far back histories are kept). */
struct bus_sig bus_sense_at(const struct bus_port *p, sim_time_t t);

/* Emit trace records for every change up to now.  The bus does this on
 * its own as it goes; call it once more at the end of a run. */
void bus_trace_flush(struct bus *bus);

/* The sim of a bus, and its time now. */
static inline struct sim *bus_sim(const struct bus *bus) { return bus->sim; }

/* bus_sweep_next: inline for the common bus of two ports, where what a
 * port senses of the other is that port's drive, entry by entry, one
 * cable delay late. */
static inline int bus_sweep_next(struct bus_sweep *w)
{
	const struct bus *bus = w->q->bus;
	if (bus->nports != 2)
		return bus_sweep_next_general(w);
	uint32_t i = 1 - w->q->index;
	const struct bus_port *d = bus->port[i];
	if (w->gen[i] != d->hist_gen || w->next[i] < d->hist_seq0)
		bus_sweep_reseek(w, i);
	const struct bus_hist_ent *first = d->hist + d->hist_head;
	const struct bus_hist_ent *e = first + (w->next[i] - d->hist_seq0);
	const struct bus_hist_ent *end = first + d->hist_len;
	for (; e < end; e++) {
		uint16_t ch = e->chg_ctl;
		if ((ch & w->rise & e->s.ctl) || (ch & w->fall & ~e->s.ctl)) {
			w->before = e > first ? e[-1].s : (struct bus_sig){ 0 };
			w->now = e->s;
			w->t = e->t + bus->delay[i][w->q->index];
			w->next[i] = d->hist_seq0 + (uint64_t)(e - first) + 1;
			return 1;
		}
	}
	w->next[i] = d->hist_seq0 + d->hist_len;
	return 0;
}

#endif
