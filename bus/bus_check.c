/*
 * bus_check.c - the protocol checker (see bus_check.h for the rules, what
 * is not checked, and the sources).
 *
 * It replays the SIM_TR_BUS_LINES records of one bus: it keeps each
 * port's drive, ORs them into the bus state, decodes the phase with its
 * own tracker, and keeps the few times and flags the rules need.
 */
#include "bus_check.h"

#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define FREE_LINES (BUS_BSY | BUS_SEL | BUS_RST)
#define PHASE_LINES (BUS_MSG | BUS_CD | BUS_IO)
#define TARGET_LINES (BUS_CD | BUS_IO | BUS_MSG | BUS_REQ)
#define INITIATOR_LINES (BUS_ACK | BUS_ATN)

struct bus_check {
	struct bus *bus;
	struct sim *sim;
	struct sim_trace_sub sub;
	sim_trace_source_t src;

	/* the bus as the records tell it */
	struct bus_sig drive[BUS_MAX_PORTS];
	struct bus_sig cur;
	struct bus_phase_tracker tracker;
	enum bus_phase phase;

	/* REQ_SETTLE: last change of MSG, C/D, I/O */
	int phase_lines_known;
	sim_time_t phase_lines_t;
	int phase_lines_port;

	/* DATA_HOLD: last leading edges */
	sim_time_t req_t, ack_t;

	/* BUS FREE and arbitration */
	int free_known;               /* saw BSY/SEL/RST all fall */
	sim_time_t off_t[BUS_MAX_PORTS]; /* port's last release of them */
	uint8_t released[BUS_MAX_PORTS];
	sim_time_t free_off_t[BUS_MAX_PORTS]; /* off_t when BUS FREE began */
	uint8_t free_released[BUS_MAX_PORTS];
	uint8_t ended_free[BUS_MAX_PORTS]; /* asserted BSY/SEL since then */
	sim_time_t end_t[BUS_MAX_PORTS];   /* ... first at this time */
	uint8_t arbitrating[BUS_MAX_PORTS];
	sim_time_t arb_bsy_t[BUS_MAX_PORTS];

	/* the nexus, for synchronous agreements */
	int sel_port;                 /* who asserted SEL; -1 none */
	int reselection;              /* that was a reselection */
	int conn_init, conn_targ;     /* port indices; -1 unknown */
	uint8_t sync[BUS_MAX_PORTS][BUS_MAX_PORTS]; /* [init id][targ id] */
	uint64_t reqs, acks;          /* leading edges in this DATA phase */

	/* negotiation decoded from the MESSAGE phases, as an analyser does */
	uint8_t msg[16];              /* message bytes of the current phase */
	uint8_t msg_len;
	enum bus_phase msg_phase;     /* MSG_OUT or MSG_IN being collected */
	int sdtr_pending;             /* 0, or who proposed: 1 init, 2 targ */
	int last_agreed;              /* an SDTR exchange just completed */

	/* TARGET_LINES / INITIATOR_LINES: currently reported */
	int target_dual, initiator_dual;

	/* BUS_HELD: since when BSY, SEL or RST have kept the bus, by whom
	 * first; reported once per hold */
	int held;
	sim_time_t held_t;
	int held_port, held_reported;

	/* RST_SHORT */
	int rst_known;
	sim_time_t rst_t;
	int rst_port;

	/* results */
	struct bus_check_violation *v;
	size_t n, cap;
	uint64_t total;
	uint64_t per_rule[BUS_CHECK_RULE_COUNT_];
};

static const char *const rule_names[BUS_CHECK_RULE_COUNT_] = {
	[BUS_CHECK_REQ_SETTLE] = "req-settle",
	[BUS_CHECK_SEL_TWO] = "sel-two-drivers",
	[BUS_CHECK_DATA_HOLD] = "data-hold",
	[BUS_CHECK_SYNC_OFFSET] = "sync-offset-exceeded",
	[BUS_CHECK_ARB_EARLY] = "arbitration-early",
	[BUS_CHECK_ARB_LATE] = "arbitration-late",
	[BUS_CHECK_ARB_SEL_EARLY] = "sel-before-arbitration-delay",
	[BUS_CHECK_TARGET_LINES] = "target-lines-two-drivers",
	[BUS_CHECK_INITIATOR_LINES] = "initiator-lines-two-drivers",
	[BUS_CHECK_PARITY] = "parity",
	[BUS_CHECK_RST_SHORT] = "rst-too-short",
	[BUS_CHECK_BUS_HELD] = "bus-held",
};

const char *bus_check_rule_name(enum bus_check_rule rule)
{
	if ((unsigned)rule >= BUS_CHECK_RULE_COUNT_)
		return "?";
	return rule_names[rule];
}

static int is_info(enum bus_phase ph)
{
	return ph <= BUS_PH_MSG_IN;
}

static int is_data(enum bus_phase ph)
{
	return ph == BUS_PH_DATA_OUT || ph == BUS_PH_DATA_IN;
}

/* A duration as text, e.g. "120ns". */
struct tbuf {
	char s[SIM_TIME_FORMAT_MAX];
};
static struct tbuf tfmt(sim_time_t t)
{
	struct tbuf b;
	sim_time_format(t, b.s, sizeof b.s);
	return b;
}

/* --- reporting ----------------------------------------------------------- */

static void port_ref(const struct bus_check *c, struct bus_check_port *r,
		     int index)
{
	r->index = index;
	r->scsi_id = index >= 0 ? c->bus->port[index]->scsi_id : -1;
}

__attribute__((format(printf, 8, 9)))
static void report(struct bus_check *c, sim_time_t t,
		   enum bus_check_rule rule, int pa, int pb, uint64_t value,
		   uint64_t limit, const char *fmt, ...)
{
	struct bus_check_violation v;
	memset(&v, 0, sizeof v);
	v.time = t;
	v.rule = rule;
	port_ref(c, &v.port[0], pa);
	port_ref(c, &v.port[1], pb != pa ? pb : -1);
	v.nports = v.port[1].index >= 0 ? 2 : 1;
	v.value = value;
	v.limit = limit;
	v.bus = c->cur;
	v.phase = (uint8_t)c->phase;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(v.text, sizeof v.text, fmt, ap);
	va_end(ap);

	c->total++;
	c->per_rule[rule]++;
	if (c->n < BUS_CHECK_KEEP) {
		if (c->n == c->cap) {
			size_t cap = c->cap ? c->cap * 2 : 16;
			if (cap > BUS_CHECK_KEEP)
				cap = BUS_CHECK_KEEP;
			struct bus_check_violation *nv =
				sim_realloc(c->sim, c->v, cap * sizeof *nv);
			if (nv != NULL) {
				c->v = nv;
				c->cap = cap;
			}
		}
		if (c->n < c->cap) /* else out of memory: counted only */
			c->v[c->n++] = v;
	}
	sim_trace_emit_at(c->sim, t, c->src, SIM_TR_BUS_CHECK, (uint16_t)rule,
			  &v, sizeof v);
}

/* --- the rules ------------------------------------------------------------ */

static void held_check(struct bus_check *c, sim_time_t t);

/* The other port driving any of `lines`, or -1. */
static int other_driver(const struct bus_check *c, int self, uint16_t lines)
{
	for (uint32_t i = 0; i < c->bus->nports; i++)
		if ((int)i != self && (c->drive[i].ctl & lines))
			return (int)i;
	return -1;
}

static unsigned count_drivers(const struct bus_check *c, uint16_t lines)
{
	unsigned n = 0;
	for (uint32_t i = 0; i < c->bus->nports; i++)
		if (c->drive[i].ctl & lines)
			n++;
	return n;
}

/* The agreed REQ/ACK offset of the current nexus; 0 = asynchronous. */
static unsigned sync_offset(const struct bus_check *c)
{
	if (c->conn_init < 0 || c->conn_targ < 0)
		return 0;
	int ii = c->bus->port[c->conn_init]->scsi_id;
	int ti = c->bus->port[c->conn_targ]->scsi_id;
	if (ii < 0 || ti < 0)
		return 0;
	return c->sync[ii][ti];
}

static void reset_nexus(struct bus_check *c)
{
	c->sel_port = -1;
	c->reselection = 0;
	c->conn_init = c->conn_targ = -1;
	c->reqs = c->acks = 0;
	c->sdtr_pending = 0;
	c->last_agreed = 0;
	c->msg_len = 0;
}

/* The IDs of the current nexus, or -1. */
static void nexus_ids(const struct bus_check *c, int *ii, int *ti)
{
	*ii = c->conn_init >= 0 ? c->bus->port[c->conn_init]->scsi_id : -1;
	*ti = c->conn_targ >= 0 ? c->bus->port[c->conn_targ]->scsi_id : -1;
}

/*
 * A complete message seen on the bus (SCSI-2 5.6).  SDTR: the answer to a
 * proposal sets the agreement (5.6.21); MESSAGE REJECT of an SDTR, a WDTR
 * (which resets synchronous transfer, 5.6.23) or BUS DEVICE RESET cancels
 * it.  So the offset rule applies without anyone declaring agreements.
 */
static void on_message(struct bus_check *c, int from_initiator)
{
	const uint8_t *m = c->msg;
	int ii, ti;
	nexus_ids(c, &ii, &ti);
	if (ii < 0 || ti < 0)
		return;
	int who = from_initiator ? 1 : 2;
	if (m[0] == 0x01 && c->msg_len >= 5 && m[1] == 3 && m[2] == 0x01) {
		if (c->sdtr_pending && c->sdtr_pending != who) {
			c->sync[ii][ti] = m[4]; /* the answer is the agreement */
			c->sdtr_pending = 0;
			c->last_agreed = 1;
		} else {
			c->sdtr_pending = who;
			c->last_agreed = 0;
		}
	} else if (m[0] == 0x01 && c->msg_len >= 4 && m[1] == 2 &&
		   m[2] == 0x03) {
		c->sync[ii][ti] = 0;
	} else if (m[0] == 0x07) { /* MESSAGE REJECT */
		if (c->sdtr_pending || c->last_agreed)
			c->sync[ii][ti] = 0;
		c->sdtr_pending = 0;
		c->last_agreed = 0;
	} else if (m[0] == 0x0C) { /* BUS DEVICE RESET */
		for (int i = 0; i < BUS_MAX_PORTS; i++)
			c->sync[i][ti] = 0;
	}
}

/* Collect message bytes where the receiver latches them: MESSAGE OUT on
 * ACK, MESSAGE IN on REQ. */
static void collect_message(struct bus_check *c, enum bus_phase ph,
			    uint8_t byte)
{
	if (c->msg_phase != ph) {
		c->msg_phase = ph;
		c->msg_len = 0;
	}
	if (c->msg_len < sizeof c->msg)
		c->msg[c->msg_len++] = byte;
	const uint8_t *m = c->msg;
	int complete = m[0] == 0x01
			       ? c->msg_len >= 2 &&
					 c->msg_len >= (m[1] ? m[1] : 256) + 2
			       : (m[0] >= 0x20 && m[0] <= 0x2f)
					 ? c->msg_len >= 2
					 : 1;
	if (complete || c->msg_len == sizeof c->msg) {
		on_message(c, ph == BUS_PH_MSG_OUT);
		c->msg_len = 0;
	}
}

/* ARB_EARLY, ARB_LATE: port p asserts BSY to arbitrate at t. */
static void check_arbitration(struct bus_check *c, int p, sim_time_t t)
{
	const struct bus_timing *tm = c->bus->timing;
	const struct bus *bus = c->bus;
	if (c->free_known) {
		/* when the last release of BSY, SEL or RST reached p */
		sim_time_t seen = 0;
		int last = -1;
		for (uint32_t r = 0; r < bus->nports; r++) {
			if (!c->free_released[r])
				continue;
			sim_time_t s = c->free_off_t[r] + bus->delay[r][p];
			if (last < 0 || s > seen) {
				seen = s;
				last = (int)r;
			}
		}
		sim_time_t need = tm->bus_settle_delay + tm->bus_free_delay;
		if (last >= 0 && t < seen + need) {
			struct tbuf a = tfmt(t > seen ? t - seen : 0),
				    b = tfmt(tm->bus_settle_delay),
				    f = tfmt(tm->bus_free_delay),
				    n = tfmt(need);
			report(c, t, BUS_CHECK_ARB_EARLY, p, last,
			       t > seen ? t - seen : 0, need,
			       "BSY asserted to arbitrate %s after BUS FREE "
			       "began at this port; detecting BUS FREE (bus "
			       "settle delay %s) plus the bus free delay %s "
			       "need %s (SCSI-2 5.1.1, 5.1.2; protocol-facts "
			       "2.4, 2.1)", a.s, b.s, f.s, n.s);
			return;
		}
	}
	/* when BUS FREE was last observable at p: the first BSY/SEL of
	 * another port since it began, plus the cable delay */
	sim_time_t end = 0;
	int first = -1;
	for (uint32_t r = 0; r < bus->nports; r++) {
		if ((int)r == p || !c->ended_free[r])
			continue;
		sim_time_t s = c->end_t[r] + bus->delay[r][p];
		if (first < 0 || s < end) {
			end = s;
			first = (int)r;
		}
	}
	if (first >= 0 && t > end + tm->bus_set_delay) {
		struct tbuf a = tfmt(t - end), b = tfmt(tm->bus_set_delay);
		report(c, t, BUS_CHECK_ARB_LATE, p, first, t - end,
		       tm->bus_set_delay,
		       "BSY asserted to join arbitration %s after BUS FREE "
		       "was last observable at this port; the bus set delay "
		       "is %s (SCSI-2 5.1.2; protocol-facts 2.4 step 3, 2.1)",
		       a.s, b.s);
	}
}

/* Handle one SIM_TR_BUS_LINES record. */
static void on_lines(const struct sim_trace_record *rec, void *arg)
{
	struct bus_check *c = arg;
	struct bus *bus = c->bus;
	if (rec->kind != SIM_TR_BUS_LINES || rec->source != bus->src ||
	    rec->len < sizeof(struct bus_trace_lines))
		return;
	const struct bus_trace_lines *L = rec->data;
	const struct bus_timing *tm = bus->timing;
	const sim_time_t t = rec->time;
	const int p = L->port_index;
	if (p < 0 || (uint32_t)p >= bus->nports)
		return;

	const struct bus_sig old = c->drive[p], nw = L->port;
	c->drive[p] = nw;
	const struct bus_sig prev = c->cur;
	struct bus_sig cur = { .ctl = 0 };
	for (uint32_t i = 0; i < bus->nports; i++) {
		cur.ctl |= c->drive[i].ctl;
		cur.db |= c->drive[i].db;
		cur.dbp |= c->drive[i].dbp;
	}
	c->cur = cur;
	const enum bus_phase ph0 = c->phase;
	const enum bus_phase ph = bus_phase_track(&c->tracker, cur.ctl);
	c->phase = ph;
	const uint16_t rose = cur.ctl & (uint16_t)~prev.ctl;
	const uint16_t fell = prev.ctl & (uint16_t)~cur.ctl;
	const uint16_t prose = nw.ctl & (uint16_t)~old.ctl;
	const int data_changed = prev.db != cur.db || prev.dbp != cur.dbp;
	const int free_before = ph0 == BUS_PH_BUS_FREE ||
				ph0 == BUS_PH_ARBITRATION;

	/* BUS_HELD: a hold begins when BUS FREE ends; a record long after
	 * it (an edge in a hold that never lets go) is past the limit */
	if (!(prev.ctl & FREE_LINES) && (cur.ctl & FREE_LINES)) {
		c->held = 1;
		c->held_t = t;
		c->held_port = p;
		c->held_reported = 0;
	} else if (c->held) {
		held_check(c, t);
	}
	if (!(cur.ctl & FREE_LINES))
		c->held = 0;

	/* per-port bookkeeping of BSY, SEL and RST */
	if ((old.ctl & FREE_LINES) && !(nw.ctl & FREE_LINES)) {
		c->off_t[p] = t;
		c->released[p] = 1;
	}
	if ((prose & (BUS_BSY | BUS_SEL)) && free_before && !c->ended_free[p]) {
		c->ended_free[p] = 1;
		c->end_t[p] = t;
	}

	/* RST_SHORT; a reset also ends the nexus and every agreement */
	if (rose & BUS_RST) {
		c->rst_known = 1;
		c->rst_t = t;
		c->rst_port = p;
		memset(c->sync, 0, sizeof c->sync);
		reset_nexus(c);
	}
	if ((fell & BUS_RST) && c->rst_known) {
		sim_time_t w = t - c->rst_t;
		if (w < tm->reset_hold_time) {
			struct tbuf a = tfmt(w), b = tfmt(tm->reset_hold_time);
			report(c, t, BUS_CHECK_RST_SHORT, c->rst_port, p, w,
			       tm->reset_hold_time,
			       "RST asserted for %s; the reset hold time is %s "
			       "(protocol-facts 2.1: FJ MCE3064SS, FJ M3097G "
			       "Table 4.4)", a.s, b.s);
		}
		c->rst_known = 0;
	}

	/* ARB_EARLY, ARB_LATE, ARB_SEL_EARLY */
	if ((prose & BUS_BSY) && free_before && !(prev.ctl & BUS_SEL) &&
	    !(cur.ctl & BUS_RST)) {
		if (!c->arbitrating[p]) {
			c->arbitrating[p] = 1;
			c->arb_bsy_t[p] = t;
		}
		check_arbitration(c, p, t);
	}
	if ((prose & BUS_SEL) && c->arbitrating[p] &&
	    t - c->arb_bsy_t[p] < tm->arbitration_delay) {
		sim_time_t w = t - c->arb_bsy_t[p];
		struct tbuf a = tfmt(w), b = tfmt(tm->arbitration_delay);
		report(c, t, BUS_CHECK_ARB_SEL_EARLY, p, -1, w,
		       tm->arbitration_delay,
		       "SEL asserted %s after arbitrating with BSY; the "
		       "arbitration delay is %s (SCSI-2 5.1.2; "
		       "protocol-facts 2.4 step 4, 2.1)", a.s, b.s);
	}

	/* SEL_TWO */
	if (prose & BUS_SEL) {
		int q = other_driver(c, p, BUS_SEL);
		if (q >= 0)
			report(c, t, BUS_CHECK_SEL_TWO, p, q,
			       count_drivers(c, BUS_SEL), 1,
			       "SEL driven by two ports at once; only the "
			       "device that won arbitration selects or "
			       "reselects (SCSI-2 5.1.2-5.1.4; protocol-facts "
			       "2.2 Table 6, 2.4 step 4)");
	}

	/* the nexus: who selected, who answered */
	if ((prose & BUS_SEL) && (free_before || ph0 == BUS_PH_RESET)) {
		reset_nexus(c);
		c->sel_port = p;
	}
	if (ph == BUS_PH_RESELECTION)
		c->reselection = 1;
	if ((prose & BUS_BSY) && c->sel_port >= 0 && p != c->sel_port &&
	    (ph0 == BUS_PH_SELECTION || ph0 == BUS_PH_RESELECTION) &&
	    c->conn_init < 0) {
		c->conn_init = c->reselection ? p : c->sel_port;
		c->conn_targ = c->reselection ? c->sel_port : p;
	}
	/* a new information phase restarts the REQ/ACK count */
	if (is_info(ph) && (!is_info(ph0) || ((prev.ctl ^ cur.ctl) &
					       PHASE_LINES)))
		c->reqs = c->acks = 0;
	const int sync_data = is_data(ph) && sync_offset(c) != 0;

	/* DATA_HOLD (asynchronous only) */
	if (data_changed && is_info(ph0) && is_info(ph) &&
	    !(is_data(ph0) && sync_offset(c) != 0)) {
		if ((prev.ctl & BUS_IO) && (prev.ctl & BUS_REQ) &&
		    !(prev.ctl & BUS_ACK)) {
			struct tbuf a = tfmt(t - c->req_t);
			report(c, t, BUS_CHECK_DATA_HOLD, p, -1, 0, 0,
			       "DB changed %s after REQ in %s, before ACK; "
			       "the target holds DB until ACK is true "
			       "(SCSI-2 5.1.5.1; protocol-facts 2.6)",
			       a.s, bus_phase_name(ph0));
		} else if (!(prev.ctl & BUS_IO) && (prev.ctl & BUS_ACK) &&
			   (prev.ctl & BUS_REQ)) {
			struct tbuf a = tfmt(t - c->ack_t);
			report(c, t, BUS_CHECK_DATA_HOLD, p, -1, 0, 0,
			       "DB changed %s after ACK in %s, before REQ "
			       "went false; the initiator drives DB until REQ "
			       "is false (SCSI-2 5.1.5.1; protocol-facts 2.6)",
			       a.s, bus_phase_name(ph0));
		}
	}

	/* REQ_SETTLE */
	if ((prev.ctl ^ cur.ctl) & PHASE_LINES) {
		c->phase_lines_known = 1;
		c->phase_lines_t = t;
		c->phase_lines_port = p;
	}
	if ((rose & BUS_REQ) && is_info(ph) && c->phase_lines_known &&
	    t - c->phase_lines_t < tm->bus_settle_delay) {
		sim_time_t w = t - c->phase_lines_t;
		struct tbuf a = tfmt(w), b = tfmt(tm->bus_settle_delay);
		report(c, t, BUS_CHECK_REQ_SETTLE, p, c->phase_lines_port, w,
		       tm->bus_settle_delay,
		       "REQ asserted %s after MSG, C/D or I/O changed; the bus "
		       "settle delay is %s (SCSI-2 5.1.5; protocol-facts 2.6, "
		       "2.1)", a.s, b.s);
	}

	/* SYNC_OFFSET */
	if ((rose & BUS_REQ) && is_data(ph)) {
		c->reqs++;
		unsigned off = sync_offset(c);
		if (sync_data && off != 0xff && c->reqs > c->acks &&
		    c->reqs - c->acks > off)
			report(c, t, BUS_CHECK_SYNC_OFFSET, p, -1,
			       c->reqs - c->acks, off,
			       "REQ pulse leaves %llu unanswered by ACK in %s; "
			       "the agreed REQ/ACK offset is %u (SCSI-2 "
			       "5.1.5.2; protocol-facts 2.6)",
			       (unsigned long long)(c->reqs - c->acks),
			       bus_phase_name(ph), off);
	}
	if ((rose & BUS_ACK) && is_data(ph))
		c->acks++;
	if (rose & BUS_REQ)
		c->req_t = t;
	if (rose & BUS_ACK)
		c->ack_t = t;

	/* negotiation messages */
	if ((ph == BUS_PH_MSG_OUT && (rose & BUS_ACK)) ||
	    (ph == BUS_PH_MSG_IN && (rose & BUS_REQ)))
		collect_message(c, ph, (uint8_t)cur.db);
	else if (ph != BUS_PH_MSG_OUT && ph != BUS_PH_MSG_IN) {
		/* an exchange ends with the message phases */
		c->msg_phase = ph;
		c->sdtr_pending = 0;
		c->last_agreed = 0;
	}

	/* PARITY, when the receiver may latch DB */
	if (is_info(ph) && (((rose & BUS_REQ) && bus_phase_is_in(ph)) ||
			    ((rose & BUS_ACK) && !bus_phase_is_in(ph)))) {
		uint8_t want = bus_parity(cur.db);
		uint8_t mask = 1;
		if (bus->width == BUS_WIDE && ((cur.db >> 8) || (cur.dbp & 2)))
			mask |= 2;
		if ((cur.dbp ^ want) & mask) {
			report(c, t, BUS_CHECK_PARITY, p, -1, cur.dbp & mask,
			       want & mask,
			       "parity error at %s in %s: DB=%0*Xh DB(P%s)=%u, "
			       "odd parity needs %u (DB(P) odd parity; "
			       "protocol-facts 2.2, 2.5, 2.7)",
			       bus_phase_is_in(ph) ? "REQ" : "ACK",
			       bus_phase_name(ph), mask & 2 ? 4 : 2,
			       (unsigned)cur.db, mask & 2 ? ",P1" : "",
			       (unsigned)(cur.dbp & mask),
			       (unsigned)(want & mask));
		}
	}

	/* TARGET_LINES, INITIATOR_LINES: report when it starts */
	if (is_info(ph)) {
		unsigned nt = count_drivers(c, TARGET_LINES);
		if (nt >= 2 && !c->target_dual) {
			int a = (nw.ctl & TARGET_LINES) ? p
						       : other_driver(c, -1,
								      TARGET_LINES);
			report(c, t, BUS_CHECK_TARGET_LINES, a,
			       other_driver(c, a, TARGET_LINES), nt, 1,
			       "C/D, I/O, MSG or REQ driven by %u ports in %s; "
			       "only the target drives them (SCSI-2 Table 6; "
			       "protocol-facts 2.2)", nt, bus_phase_name(ph));
		}
		c->target_dual = nt >= 2;
		unsigned ni = count_drivers(c, INITIATOR_LINES);
		if (ni >= 2 && !c->initiator_dual) {
			int a = (nw.ctl & INITIATOR_LINES)
					? p
					: other_driver(c, -1, INITIATOR_LINES);
			report(c, t, BUS_CHECK_INITIATOR_LINES, a,
			       other_driver(c, a, INITIATOR_LINES), ni, 1,
			       "ACK or ATN driven by %u ports in %s; only the "
			       "initiator drives them (SCSI-2 Table 6; "
			       "protocol-facts 2.2)", ni, bus_phase_name(ph));
		}
		c->initiator_dual = ni >= 2;
	} else {
		c->target_dual = c->initiator_dual = 0;
	}

	/* BUS FREE begins: BSY, SEL and RST all false */
	if ((prev.ctl & FREE_LINES) && !(cur.ctl & FREE_LINES)) {
		c->free_known = 1;
		memcpy(c->free_off_t, c->off_t, sizeof c->free_off_t);
		memcpy(c->free_released, c->released, sizeof c->released);
		memset(c->ended_free, 0, sizeof c->ended_free);
		memset(c->arbitrating, 0, sizeof c->arbitrating);
		reset_nexus(c);
	}
}

/* --- BUS_HELD ------------------------------------------------------------------ */

static void held_check(struct bus_check *c, sim_time_t t)
{
	if (!c->held || c->held_reported || t - c->held_t <= BUS_STUCK_LIMIT)
		return;
	c->held_reported = 1;
	struct tbuf a = tfmt(t - c->held_t), b = tfmt(BUS_STUCK_LIMIT);
	struct tbuf since = tfmt(c->held_t);
	report(c, t, BUS_CHECK_BUS_HELD, c->held_port, -1, t - c->held_t,
	       BUS_STUCK_LIMIT,
	       "the bus has been held in %s for %s without a BUS FREE (since "
	       "%s); no transfer or time-out takes %s: it is stuck",
	       bus_phase_name(c->phase), a.s, since.s, b.s);
}

void bus_check_finish(struct bus_check *c, sim_time_t now)
{
	if (c != NULL)
		held_check(c, now);
}

/* --- the API ---------------------------------------------------------------- */

enum sn_err bus_check_attach(struct bus_check **out, struct bus *bus)
{
	if (out == NULL || bus == NULL)
		return SN_EINVAL;
	struct sim *sim = bus->sim;
	struct bus_check *c = sim_calloc(sim, 1, sizeof *c);
	if (c == NULL)
		return SN_ENOMEM;
	c->bus = bus;
	c->sim = sim;
	char name[64];
	snprintf(name, sizeof name, "%s/check", bus->name);
	enum sn_err err = sim_trace_source_add(sim, name, &c->src);
	if (err != SN_OK) {
		sim_free(sim, c);
		return err;
	}
	/* start from what the ports drive now */
	sim_time_t now = sim_now(sim);
	for (uint32_t i = 0; i < bus->nports; i++) {
		c->drive[i] = bus_drive_of(bus->port[i], now);
		c->cur.ctl |= c->drive[i].ctl;
		c->cur.db |= c->drive[i].db;
		c->cur.dbp |= c->drive[i].dbp;
	}
	bus_phase_tracker_init(&c->tracker);
	c->phase = bus_phase_track(&c->tracker, c->cur.ctl);
	reset_nexus(c);
	c->rst_port = -1;
	c->phase_lines_port = -1;
	sim_trace_subscribe(sim, &c->sub, SIM_TR_MASK(SIM_TR_BUS_LINES),
			    on_lines, c);
	*out = c;
	return SN_OK;
}

void bus_check_detach(struct bus_check *c)
{
	if (c == NULL)
		return;
	sim_trace_unsubscribe(c->sim, &c->sub);
	sim_free(c->sim, c->v);
	sim_free(c->sim, c);
}

unsigned bus_check_agreed_offset(const struct bus_check *c, int initiator_id,
				  int target_id)
{
	int w = (int)c->bus->width;
	if (initiator_id < 0 || initiator_id >= w || target_id < 0 ||
	    target_id >= w)
		return 0;
	return c->sync[initiator_id][target_id];
}

enum sn_err bus_check_set_sync(struct bus_check *c, int initiator_id,
			       int target_id, unsigned offset)
{
	int w = (int)c->bus->width;
	if (initiator_id < 0 || initiator_id >= w || target_id < 0 ||
	    target_id >= w || offset > 255)
		return SN_ERANGE;
	c->sync[initiator_id][target_id] = (uint8_t)offset;
	return SN_OK;
}

size_t bus_check_count(const struct bus_check *c)
{
	return c->n;
}

const struct bus_check_violation *bus_check_get(const struct bus_check *c,
						size_t i)
{
	return i < c->n ? &c->v[i] : NULL;
}

uint64_t bus_check_total(const struct bus_check *c)
{
	return c->total;
}

sim_trace_source_t bus_check_source(const struct bus_check *c)
{
	return c->src;
}

uint64_t bus_check_dropped(const struct bus_check *c)
{
	return c->total - c->n;
}

uint64_t bus_check_rule_count(const struct bus_check *c,
			      enum bus_check_rule rule)
{
	if ((unsigned)rule >= BUS_CHECK_RULE_COUNT_)
		return 0;
	return c->per_rule[rule];
}
