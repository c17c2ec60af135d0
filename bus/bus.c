/*
 * bus.c - SCSI bus lines: drive histories, wired-OR sensing with cable
 * delay, watched-edge notification, logical trace (see bus.h).
 *
 * SCSI-2 5.2 (OR-tied signals), 5.1 (phases), 5.2.1 (odd parity).
 */
#include "bus.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>

/* A drive change not yet in the trace; its state is read from the port's
 * history when it is emitted, so later overrides are reflected. */
struct bus_trace_pend {
	sim_time_t t;
	uint8_t port;
};

static const char *const line_names[BUS_NLINES] = {
	"BSY", "SEL", "CD", "IO", "MSG", "REQ", "ACK", "ATN", "RST",
};

const char *bus_line_name(unsigned line)
{
	for (unsigned i = 0; i < BUS_NLINES; i++)
		if (line == (1u << i))
			return line_names[i];
	return NULL;
}

uint8_t bus_parity(uint16_t db)
{
	/* odd parity: the parity bit makes the count of asserted lines odd */
	uint8_t lo = !__builtin_parity(db & 0xffu);
	uint8_t hi = !__builtin_parity((db >> 8) & 0xffu);
	return (uint8_t)(lo | (hi << 1));
}

const char *bus_phase_name(enum bus_phase ph)
{
	static const char *const names[BUS_PH_COUNT_] = {
		[BUS_PH_DATA_OUT] = "DATA OUT",
		[BUS_PH_DATA_IN] = "DATA IN",
		[BUS_PH_COMMAND] = "COMMAND",
		[BUS_PH_STATUS] = "STATUS",
		[BUS_PH_RESERVED_4] = "RESERVED (MSG)",
		[BUS_PH_RESERVED_5] = "RESERVED (MSG I/O)",
		[BUS_PH_MSG_OUT] = "MESSAGE OUT",
		[BUS_PH_MSG_IN] = "MESSAGE IN",
		[BUS_PH_BUS_FREE] = "BUS FREE",
		[BUS_PH_ARBITRATION] = "ARBITRATION",
		[BUS_PH_SELECTION] = "SELECTION",
		[BUS_PH_RESELECTION] = "RESELECTION",
		[BUS_PH_RESET] = "RESET",
	};
	if ((unsigned)ph >= BUS_PH_COUNT_)
		return "?";
	return names[ph];
}

void bus_phase_tracker_init(struct bus_phase_tracker *t)
{
	t->phase = BUS_PH_BUS_FREE;
}

enum bus_phase bus_phase_track(struct bus_phase_tracker *t, uint16_t ctl)
{
	enum bus_phase ph;
	if (ctl & BUS_RST)
		ph = BUS_PH_RESET;
	else if (!(ctl & (BUS_BSY | BUS_SEL)))
		ph = BUS_PH_BUS_FREE;
	else if (ctl & BUS_SEL)
		/* I/O tells reselection from selection (SCSI-2 5.1.4) */
		ph = (ctl & BUS_IO) || t->phase == BUS_PH_RESELECTION
			     ? BUS_PH_RESELECTION
			     : BUS_PH_SELECTION;
	else if (t->phase == BUS_PH_BUS_FREE ||
		 t->phase == BUS_PH_ARBITRATION || t->phase == BUS_PH_RESET)
		ph = BUS_PH_ARBITRATION; /* BSY alone after BUS FREE */
	else
		ph = bus_info_phase(ctl);
	t->phase = ph;
	return ph;
}

static uint16_t width_mask(enum bus_width w)
{
	return w == BUS_WIDE ? 0xffffu : 0x00ffu;
}

enum sn_err bus_create(struct sim *sim, const struct bus_config *cfg,
		       struct bus **out)
{
	if (cfg->width != BUS_NARROW && cfg->width != BUS_WIDE)
		return SN_EINVAL;
	const struct bus_timing *timing = bus_timing_for(cfg->speed);
	if (timing == NULL)
		return SN_EINVAL;
	struct bus *bus = sim_calloc(sim, 1, sizeof *bus);
	if (bus == NULL)
		return SN_ENOMEM;
	bus->sim = sim;
	snprintf(bus->name, sizeof bus->name, "%s",
		 cfg->name ? cfg->name : "bus");
	bus->width = cfg->width;
	bus->electrical = cfg->electrical;
	bus->speed = cfg->speed;
	bus->timing = timing;
	bus->length_mm = cfg->length_mm;
	bus->ps_per_m = cfg->ps_per_m ? cfg->ps_per_m : BUS_DEFAULT_PS_PER_M;
	bus_phase_tracker_init(&bus->tracker);
	enum sn_err err = sim_trace_source_add(sim, bus->name, &bus->src);
	if (err != SN_OK) {
		sim_free(sim, bus);
		return err;
	}
	*out = bus;
	return SN_OK;
}

void bus_destroy(struct bus *bus)
{
	if (bus == NULL)
		return;
	struct sim *sim = bus->sim;
	for (uint32_t i = 0; i < bus->nports; i++) {
		struct bus_port *p = bus->port[i];
		sim_cancel(sim, &p->nev);
		sim_free(sim, p->hist);
		sim_free(sim, p->nq);
		sim_free(sim, p);
	}
	sim_free(sim, bus->pend);
	sim_free(sim, bus);
}

static void notify_fire(struct sim *sim, struct sim_event *ev, void *arg);

enum sn_err bus_attach(struct bus *bus, const char *name, uint32_t pos_mm,
		       int scsi_id, struct bus_port **out)
{
	if (pos_mm > bus->length_mm)
		return SN_ERANGE;
	if (scsi_id < -1 || scsi_id >= (int)bus->width)
		return SN_ERANGE;
	if (bus->nports == BUS_MAX_PORTS)
		return SN_EBUSY;
	struct bus_port *p = sim_calloc(bus->sim, 1, sizeof *p);
	if (p == NULL)
		return SN_ENOMEM;
	p->bus = bus;
	p->index = bus->nports;
	p->pos_mm = pos_mm;
	p->scsi_id = scsi_id;
	snprintf(p->name, sizeof p->name, "%s", name ? name : "port");
	sim_event_init(&p->nev, notify_fire, p, "bus-notify");
	bus->port[bus->nports++] = p;
	/* delay in ps = distance in mm * ps per metre / 1000 */
	for (uint32_t i = 0; i < bus->nports; i++) {
		struct bus_port *o = bus->port[i];
		uint64_t d = o->pos_mm > pos_mm ? o->pos_mm - pos_mm
						: pos_mm - o->pos_mm;
		sim_time_t delay = d * bus->ps_per_m / 1000;
		bus->delay[i][p->index] = bus->delay[p->index][i] = delay;
		if (delay > bus->max_delay)
			bus->max_delay = delay;
	}
	*out = p;
	return SN_OK;
}

void bus_watch(struct bus_port *p, uint16_t rise, uint16_t fall,
	       bus_notify_fn fn, void *arg)
{
	assert(fn != NULL || (rise | fall) == 0);
	p->watch_rise = rise & BUS_CTL_ALL;
	p->watch_fall = fall & BUS_CTL_ALL;
	p->fn = fn;
	p->arg = arg;
}

/* --- drive history ------------------------------------------------------ */

/* Entry k of the history, oldest first: hist[head .. head+len). */
static inline struct bus_hist_ent *hist_at(const struct bus_port *p,
					   uint32_t k)
{
	return &p->hist[p->hist_head + k];
}

/* The port's drive at time t (nothing before its first change).  Binary
 * search: lookups come both near now (sensing) and far ahead (a change
 * recorded after a train of synchronous REQ pulses). */
/* How many entries are dated at or before t (binary search). */
static uint32_t hist_upto(const struct bus_port *p, sim_time_t t)
{
	uint32_t lo = 0, hi = p->hist_len;
	while (lo < hi) {
		uint32_t mid = (lo + hi) / 2;
		if (hist_at(p, mid)->t <= t)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static struct bus_sig hist_lookup(const struct bus_port *p, sim_time_t t)
{
	uint32_t n = hist_upto(p, t);
	return n ? hist_at(p, n - 1)->s : (struct bus_sig){ .ctl = 0 };
}

/* Make room for one more entry at the end: slide the live entries to the
 * front if pruning freed space there, else grow.  Returns -1 if memory
 * ran out and nothing could be freed. */
static int hist_make_room(struct bus_port *p)
{
	if (p->hist_head + p->hist_len < p->hist_cap)
		return 0;
	if (p->hist_head > 0) {
		memmove(p->hist, p->hist + p->hist_head,
			p->hist_len * sizeof *p->hist);
		p->hist_head = 0;
		return 0;
	}
	uint32_t cap = p->hist_cap ? p->hist_cap * 2 : 32;
	struct bus_hist_ent *h = sim_realloc(p->bus->sim, p->hist,
					     cap * sizeof *h);
	if (h == NULL)
		return -1;
	p->hist = h;
	p->hist_cap = cap;
	return 0;
}

/* Forget entries no lookup can reach: lookups go back at most one cable
 * delay (plus 1 ps for the "just before" view of a notification). */
static void hist_prune(struct bus_port *p, sim_time_t now)
{
	sim_time_t reach = p->bus->max_delay + 1;
	if (now <= reach)
		return;
	sim_time_t cutoff = now - reach;
	while (p->hist_len >= 2 && hist_at(p, 1)->t <= cutoff) {
		p->hist_head++;
		p->hist_len--;
	}
}

/*
 * At time t, the port sets the lines in `set`, releases those in `clear`
 * and, if `data` is set, drives DB = db with parity dbp.  Entries after t
 * (changes recorded for later) keep the lines they set themselves and take
 * the new values of the others.  *before is the port's drive just before
 * the change at t.  Returns the control lines that change at t;
 * *data_changed tells whether DB changes.
 */
static uint16_t hist_apply(struct bus_port *p, sim_time_t t, uint16_t set,
			   uint16_t clear, int data, uint16_t db, uint8_t dbp,
			   struct bus_sig *before, int *data_changed)
{
	hist_prune(p, p->bus->sim->now);
	uint32_t k = p->hist_len;
	/* usually an append: the change is the port's latest */
	while (k > 0 && hist_at(p, k - 1)->t > t)
		k--;
	struct bus_sig prev = k > 0 ? hist_at(p, k - 1)->s
				    : (struct bus_sig){ .ctl = 0 };
	*before = prev;
	struct bus_sig s = prev;
	s.ctl = (uint16_t)((s.ctl | set) & ~clear);
	if (data) {
		s.db = db;
		s.dbp = dbp;
	}
	uint16_t mctl = prev.ctl ^ s.ctl;
	int mdata = prev.db != s.db || prev.dbp != s.dbp;
	*data_changed = mdata;
	if (!mctl && !mdata)
		return 0;
	uint32_t j;
	if (k > 0 && hist_at(p, k - 1)->t == t) { /* same instant: merge */
		struct bus_hist_ent *e = hist_at(p, k - 1);
		/* the state before this instant is the entry before it */
		*before = k > 1 ? hist_at(p, k - 2)->s
				: (struct bus_sig){ .ctl = 0 };
		e->s = s;
		e->chg_ctl |= mctl;
		e->chg_data |= (uint8_t)mdata;
		j = k;
	} else {
		if (hist_make_room(p) != 0) {
			/* Out of memory: drop the oldest entry rather than
			 * lose this one; only sensing further back than the
			 * cable delay could notice. */
			memmove(p->hist, p->hist + p->hist_head + 1,
				(p->hist_len - 1) * sizeof *p->hist);
			p->hist_head = 0;
			p->hist_len--;
			if (k > 0)
				k--;
		}
		for (uint32_t m = p->hist_len; m > k; m--)
			*hist_at(p, m) = *hist_at(p, m - 1);
		*hist_at(p, k) = (struct bus_hist_ent){
			t, s, mctl, (uint8_t)mdata };
		p->hist_len++;
		j = k + 1;
	}
	/* carry the new values into later entries, up to each line's next
	 * explicit change */
	for (; j < p->hist_len && (mctl || mdata); j++) {
		struct bus_hist_ent *e = hist_at(p, j);
		uint16_t carry = mctl & (uint16_t)~e->chg_ctl;
		e->s.ctl = (uint16_t)((e->s.ctl & ~carry) | (s.ctl & carry));
		mctl = carry; /* lines e sets itself stop here */
		if (mdata && !e->chg_data) {
			e->s.db = s.db;
			e->s.dbp = s.dbp;
		} else {
			mdata = 0;
		}
	}
	p->drive = hist_at(p, p->hist_len - 1)->s;
	return before->ctl ^ s.ctl;
}

void bus_drive_cancel_after(struct bus_port *p, sim_time_t t)
{
	assert(t >= p->bus->sim->now);
	while (p->hist_len > 0 && hist_at(p, p->hist_len - 1)->t > t)
		p->hist_len--;
	p->drive = p->hist_len ? hist_at(p, p->hist_len - 1)->s
			       : (struct bus_sig){ .ctl = 0 };
}

struct bus_sig bus_drive_of(const struct bus_port *p, sim_time_t t)
{
	return hist_lookup(p, t);
}

/* --- sensing --------------------------------------------------------------- */

struct bus_sig bus_sense_at(const struct bus_port *q, sim_time_t t)
{
	const struct bus *bus = q->bus;
	uint64_t v = 0;
	for (uint32_t i = 0; i < bus->nports; i++) {
		const struct bus_port *d = bus->port[i];
		sim_time_t delay = bus->delay[i][q->index];
		if (t < delay || d->hist_len == 0)
			continue; /* nothing driven that early */
		v |= bus_sig_bits(hist_lookup(d, t - delay));
	}
	return bus_sig_from_bits(v);
}

/* What q senses at t - 1 ps and at t, with one search per port: the state
 * just before t is the same entry or the one before it. */
static void sense_pair(const struct bus_port *q, sim_time_t t,
		       struct bus_sig *before, struct bus_sig *after)
{
	const struct bus *bus = q->bus;
	uint64_t vb = 0, va = 0;
	for (uint32_t i = 0; i < bus->nports; i++) {
		const struct bus_port *d = bus->port[i];
		sim_time_t delay = bus->delay[i][q->index];
		if (t < delay || d->hist_len == 0)
			continue;
		sim_time_t td = t - delay;
		uint32_t lo = hist_upto(d, td);
		if (lo == 0)
			continue; /* nothing driven by then */
		const struct bus_hist_ent *e = hist_at(d, lo - 1);
		va |= bus_sig_bits(e->s);
		if (e->t < td)
			vb |= bus_sig_bits(e->s);  /* unchanged at t */
		else if (lo >= 2)
			vb |= bus_sig_bits(hist_at(d, lo - 2)->s);
	}
	*before = bus_sig_from_bits(vb);
	*after = bus_sig_from_bits(va);
}

struct bus_sig bus_sense(const struct bus_port *p)
{
	return bus_sense_at(p, p->bus->sim->now);
}

/* --- notification -------------------------------------------------------- */

static void nq_add(struct bus_port *q, sim_time_t t)
{
	struct sim *sim = q->bus->sim;
	sim_time_t *base = q->nq + q->nq_head;
	uint32_t i = q->nq_len;
	while (i > 0 && base[i - 1] > t)
		i--;
	if (i > 0 && base[i - 1] == t)
		return; /* already due then: one delivery covers both */
	if (q->nq_head + q->nq_len == q->nq_cap) {
		if (q->nq_head > 0) { /* slide to the front */
			memmove(q->nq, base, q->nq_len * sizeof *q->nq);
			q->nq_head = 0;
		} else {
			uint32_t cap = q->nq_cap ? q->nq_cap * 2 : 16;
			sim_time_t *nq = sim_realloc(sim, q->nq,
						     cap * sizeof *nq);
			if (nq == NULL)
				return; /* the edge is still sensed; only late */
			q->nq = nq;
			q->nq_cap = cap;
		}
		base = q->nq + q->nq_head;
	}
	memmove(&base[i + 1], &base[i], (q->nq_len - i) * sizeof *base);
	base[i] = t;
	q->nq_len++;
	if (i == 0)
		sim_schedule_at(sim, &q->nev, t);
}

static void notify_fire(struct sim *sim, struct sim_event *ev, void *arg)
{
	(void)ev;
	struct bus_port *q = arg;
	sim_time_t now = sim_now(sim);
	assert(q->nq_len > 0 && q->nq[q->nq_head] == now);
	q->nq_len--;
	q->nq_head = q->nq_len ? q->nq_head + 1 : 0;
	if (q->nq_len > 0)
		sim_schedule_at(sim, &q->nev, q->nq[q->nq_head]);
	bus_trace_flush(q->bus);
	struct bus_sig before, after;
	sense_pair(q, now, &before, &after);
	uint16_t rose = after.ctl & ~before.ctl, fell = before.ctl & ~after.ctl;
	if ((rose & q->watch_rise) || (fell & q->watch_fall))
		q->fn(q, before, after, q->arg);
}

/* --- driving -------------------------------------------------------------- */

static void trace_record(struct bus *bus, struct bus_port *p, sim_time_t at)
{
	if (!sim_trace_wants(&bus->sim->trace, SIM_TR_BUS_LINES))
		return;
	uint32_t i = bus->pend_len;
	while (i > 0 && bus->pend[i - 1].t > at) /* stable: after equal times */
		i--;
	for (uint32_t k = i; k > 0 && bus->pend[k - 1].t == at; k--)
		if (bus->pend[k - 1].port == p->index)
			return; /* already due then: its state is read later */
	if (bus->pend_len == bus->pend_cap) {
		uint32_t cap = bus->pend_cap ? bus->pend_cap * 2 : 16;
		struct bus_trace_pend *n =
			sim_realloc(bus->sim, bus->pend, cap * sizeof *n);
		if (n == NULL)
			return; /* a trace gap under OOM; the model is intact */
		bus->pend = n;
		bus->pend_cap = cap;
	}
	memmove(&bus->pend[i + 1], &bus->pend[i],
		(bus->pend_len - i) * sizeof *bus->pend);
	bus->pend[i] = (struct bus_trace_pend){ at, (uint8_t)p->index };
	bus->pend_len++;
}

static void trace_flush_due(struct bus *bus);

void bus_trace_flush(struct bus *bus)
{
	if (bus->pend_len > 0)
		trace_flush_due(bus);
}

static void trace_flush_due(struct bus *bus)
{
	sim_time_t now = bus->sim->now;
	uint32_t n = 0;
	while (n < bus->pend_len && bus->pend[n].t <= now) {
		const struct bus_trace_pend *e = &bus->pend[n++];
		struct bus_sig ps = hist_lookup(bus->port[e->port], e->t);
		bus->logical[e->port] = ps;
		struct bus_sig old = bus->logical_or;
		uint64_t bits = 0;
		for (uint32_t i = 0; i < bus->nports; i++)
			bits |= bus_sig_bits(bus->logical[i]);
		struct bus_sig v = bus_sig_from_bits(bits);
		bus->logical_or = v;
		struct bus_trace_lines rec = {
			.bus = v,
			.port = ps,
			.changed = (uint16_t)(old.ctl ^ v.ctl),
			.port_index = e->port,
			.phase = (uint8_t)bus_phase_track(&bus->tracker, v.ctl),
			.width = (uint8_t)bus->width,
		};
		sim_trace_emit_at(bus->sim, e->t, bus->src, SIM_TR_BUS_LINES,
				  e->port, &rec, sizeof rec);
	}
	if (n > 0) {
		memmove(&bus->pend[0], &bus->pend[n],
			(bus->pend_len - n) * sizeof *bus->pend);
		bus->pend_len -= n;
	}
}

/* After a change of port p at time `at`: tell the watchers, record the
 * change for the trace. */
static void after_change(struct bus_port *p, sim_time_t at,
			 struct bus_sig before, uint16_t changed)
{
	struct bus *bus = p->bus;
	bus->edges++;
	uint16_t rose = changed & ~before.ctl, fell = changed & before.ctl;
	int has_later = hist_at(p, p->hist_len - 1)->t > at;
	for (uint32_t i = 0; i < bus->nports; i++) {
		struct bus_port *q = bus->port[i];
		if (q == p)
			continue;
		if ((rose & q->watch_rise) || (fell & q->watch_fall))
			nq_add(q, at + bus->delay[p->index][i]);
		/* Watchers of a line this change overrides at a later entry
		 * must look again then; delivery compares what they sense,
		 * so an extra look costs an event, never a wrong callback. */
		uint16_t watched = q->watch_rise | q->watch_fall;
		if (!has_later || !(changed & watched))
			continue;
		for (uint32_t k = 0; k < p->hist_len; k++) {
			const struct bus_hist_ent *e = hist_at(p, k);
			if (e->t > at && (e->chg_ctl & changed & watched))
				nq_add(q, e->t + bus->delay[p->index][i]);
		}
	}
	trace_record(bus, p, at);
	if (bus->pend_len > 0)
		trace_flush_due(bus);
}

/* The common path of every drive change: from `at`, set and clear
 * control lines, and (if `data`) drive DB = db with parity dbp. */
static void drive(struct bus_port *p, sim_time_t at, uint16_t set,
		  uint16_t clear, int data, uint16_t db, uint8_t dbp)
{
	struct bus *bus = p->bus;
	assert(at >= bus->sim->now && "driving in the past");
	/* emit what is due before pruning can forget it */
	if (bus->pend_len > 0)
		trace_flush_due(bus);
	set &= BUS_CTL_ALL;
	db &= width_mask(bus->width);
	dbp &= bus->width == BUS_WIDE ? 3 : 1;
	struct bus_sig before;
	int data_changed;
	uint16_t changed = hist_apply(p, at, set, clear, data, db, dbp,
				      &before, &data_changed);
	if (changed || data_changed)
		after_change(p, at, before, changed);
}

void bus_drive_at(struct bus_port *p, sim_time_t at, struct bus_sig s)
{
	/* a whole state; parity as given (fault injection may make it bad) */
	drive(p, at, s.ctl, (uint16_t)~s.ctl, 1, s.db, s.dbp);
}

void bus_lines_at(struct bus_port *p, sim_time_t at, uint16_t set,
		  uint16_t clear)
{
	drive(p, at, set, clear, 0, 0, 0);
}

void bus_data_at(struct bus_port *p, sim_time_t at, uint16_t value)
{
	drive(p, at, 0, 0, 1, value, bus_parity(value));
}

void bus_data_raw_at(struct bus_port *p, sim_time_t at, uint16_t value,
		     uint8_t parity)
{
	drive(p, at, 0, 0, 1, value, parity);
}

void bus_data_release_at(struct bus_port *p, sim_time_t at)
{
	drive(p, at, 0, 0, 1, 0, 0);
}

void bus_assert(struct bus_port *p, uint16_t lines)
{
	drive(p, p->bus->sim->now, lines, 0, 0, 0, 0);
}

void bus_release(struct bus_port *p, uint16_t lines)
{
	drive(p, p->bus->sim->now, 0, lines, 0, 0, 0);
}

void bus_set_data(struct bus_port *p, uint16_t value)
{
	bus_data_at(p, p->bus->sim->now, value);
}

void bus_release_data(struct bus_port *p)
{
	bus_data_release_at(p, p->bus->sim->now);
}

void bus_pulse(struct bus_port *p, uint16_t lines, sim_time_t at,
	       sim_time_t width)
{
	assert(width > 0);
	drive(p, at, lines, 0, 0, 0, 0);
	drive(p, at + width, 0, lines, 0, 0, 0);
}
