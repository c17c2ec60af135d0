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
	bus->db_mask = width_mask(cfg->width);
	bus->dbp_mask = cfg->width == BUS_WIDE ? 3 : 1;
	bus->electrical = cfg->electrical;
	bus->speed = cfg->speed;
	bus->timing = timing;
	bus->length_mm = cfg->length_mm;
	bus->ps_per_m = cfg->ps_per_m ? cfg->ps_per_m : BUS_DEFAULT_PS_PER_M;
	bus_phase_tracker_init(&bus->tracker);
	bus_phase_tracker_init(&bus->occ_tracker);
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

/* First sizes of a port's history and notification queue (they double
 * as needed). */
#define BUS_HIST_FIRST 32u
#define BUS_NQ_FIRST 16u

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
	p->ahead_wake = SIM_TIME_MAX;
	/* the history and the notification queue exist from the start (as
	 * they would after the first drive): an index into them is never
	 * an offset from NULL, undefined in C even when it is 0 */
	p->hist_cap = BUS_HIST_FIRST;
	p->nq_cap = BUS_NQ_FIRST;
	p->hist = sim_calloc(bus->sim, p->hist_cap, sizeof *p->hist);
	p->nq = sim_calloc(bus->sim, p->nq_cap, sizeof *p->nq);
	if (p->hist == NULL || p->nq == NULL) {
		sim_free(bus->sim, p->hist);
		sim_free(bus->sim, p->nq);
		sim_free(bus->sim, p);
		return SN_ENOMEM;
	}
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
	struct bus *bus = p->bus;
	bus->watched_rise = bus->watched_fall = 0;
	for (uint32_t i = 0; i < bus->nports; i++) {
		bus->watched_rise |= bus->port[i]->watch_rise;
		bus->watched_fall |= bus->port[i]->watch_fall;
	}
	for (unsigned l = 0; l < BUS_NLINES; l++) {
		uint16_t bit = (uint16_t)(1u << p->index);
		bus->rise_watchers[l] = (uint16_t)(
			(p->watch_rise >> l & 1) ? bus->rise_watchers[l] | bit
						 : bus->rise_watchers[l] & ~bit);
		bus->fall_watchers[l] = (uint16_t)(
			(p->watch_fall >> l & 1) ? bus->fall_watchers[l] | bit
						 : bus->fall_watchers[l] & ~bit);
	}
	/* lines no longer watched are no longer handled ahead */
	if (p->ahead & ~(p->watch_rise | p->watch_fall))
		bus_watch_ahead(p, p->ahead, p->ahead_fn);
}

/* --- drive history ------------------------------------------------------ */


/* Entry k of the history, oldest first: hist[head .. head+len). */
static inline struct bus_hist_ent *hist_at(const struct bus_port *p,
					   uint32_t k)
{
	return &p->hist[p->hist_head + k];
}

/* How many entries are dated at or before t (binary search: lookups come
 * both near now, sensing, and far ahead, a change recorded after a train
 * of synchronous REQ pulses). */
static uint32_t hist_upto(const struct bus_port *p, sim_time_t t)
{
	/* most lookups come after everything the port recorded (an idle
	 * station's history ends long ago): no search for those */
	if (p->hist_len == 0 || hist_at(p, p->hist_len - 1)->t <= t)
		return p->hist_len;
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

/* The port's drive at time t (nothing before its first change). */
static struct bus_sig hist_lookup(const struct bus_port *p, sim_time_t t)
{
	uint32_t n = hist_upto(p, t);
	return n ? hist_at(p, n - 1)->s : (struct bus_sig){ .ctl = 0 };
}

/* Forget entries no lookup can reach: lookups go back at most one cable
 * delay (plus 1 ps for the "just before" view of a notification). */
static void hist_prune(struct bus_port *p, sim_time_t now)
{
	sim_time_t reach = p->bus->max_delay + 1;
	if (now <= reach)
		return;
	/* keep the last entry dated at or before the cutoff: it is the
	 * drive then */
	uint32_t n = hist_upto(p, now - reach);
	uint32_t gone = n > 1 ? n - 1 : 0;
	p->hist_head += gone;
	p->hist_len -= gone;
	p->hist_seq0 += gone;
	if (gone) {
		uint16_t chg = 0;
		for (uint32_t k = 0; k < p->hist_len; k++)
			chg |= hist_at(p, k)->chg_ctl;
		p->hist_chg = chg;
	}
}

/* Make room for one more entry at the end: forget what no lookup can
 * reach, slide the live entries to the front, or grow.  Pruning waits
 * until the array is full, so most changes are a plain append.  Returns
 * -1 if memory ran out and nothing could be freed. */
static int hist_make_room_for(struct bus_port *p, uint32_t n)
{
	if (p->hist_head + p->hist_len + n <= p->hist_cap)
		return 0;
	hist_prune(p, p->bus->sim->now);
	/* slide only when that frees three quarters of the array, so
	 * copying costs a third of an entry per append */
	if (p->hist_head > 0 && p->hist_len + n <= p->hist_cap / 4) {
		memmove(p->hist, p->hist + p->hist_head,
			p->hist_len * sizeof *p->hist);
		p->hist_head = 0;
		return 0;
	}
	/* room for all n where the live entries are now (a train of
	 * synchronous pulses asks for hundreds at once) */
	uint32_t cap = p->hist_cap * 2;
	while (cap < p->hist_head + p->hist_len + n)
		cap *= 2;
	struct bus_hist_ent *h = sim_realloc(p->bus->sim, p->hist,
					     cap * sizeof *h);
	if (h == NULL) {
		if (p->hist_head == 0 || p->hist_len + n > p->hist_cap)
			return -1;
		memmove(p->hist, p->hist + p->hist_head,
			p->hist_len * sizeof *p->hist);
		p->hist_head = 0;
		return 0;
	}
	p->hist = h;
	p->hist_cap = cap;
	return 0;
}

static int hist_make_room(struct bus_port *p)
{
	return hist_make_room_for(p, 1);
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
	p->hist_gen++; /* entries change or move: walks look again */
	p->hist_chg |= mctl;
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
			p->hist_seq0++;
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
	uint32_t len = p->hist_len;
	while (p->hist_len > 0 && hist_at(p, p->hist_len - 1)->t > t)
		p->hist_len--;
	if (p->hist_len != len) {
		p->hist_gen++;
		/* and their trace records: nothing changes then */
		struct bus *bus = p->bus;
		uint32_t k = 0;
		for (uint32_t i = 0; i < bus->pend_len; i++)
			if (!(bus->pend[i].port == p->index &&
			      bus->pend[i].t > t))
				bus->pend[k++] = bus->pend[i];
		bus->pend_len = k;
	}
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

/* --- walks over recorded drives ------------------------------------------ */

/* Entries of port i arriving at q up to time t (sequence number). */
static uint64_t sweep_seek(const struct bus_port *q, uint32_t i, sim_time_t t)
{
	const struct bus_port *d = q->bus->port[i];
	sim_time_t delay = q->bus->delay[i][q->index];
	return d->hist_seq0 + (t < delay ? 0 : hist_upto(d, t - delay));
}

/* Port i's place in the walk, as an index into its history. */
static inline uint32_t sweep_rel(const struct bus_sweep *w, uint32_t i)
{
	return (uint32_t)(w->next[i] - w->q->bus->port[i]->hist_seq0);
}

uint32_t bus_sweep_take(struct bus_sweep *w, struct bus_sweep_stop *out,
			uint32_t max)
{
	const struct bus *bus = w->q->bus;
	uint32_t k = 0;
	if (bus->nports != 2) {
		while (k < max && bus_sweep_next_general(w))
			out[k++] = (struct bus_sweep_stop){ w->t, w->before,
							    w->now };
		return k;
	}
	/* two ports: the other port's entries, one cable delay late */
	uint32_t i = 1 - w->q->index;
	const struct bus_port *d = bus->port[i];
	if (w->gen[i] != d->hist_gen || w->next[i] < d->hist_seq0)
		bus_sweep_reseek(w, i);
	const struct bus_hist_ent *first = hist_at(d, 0);
	const struct bus_hist_ent *e = first + (w->next[i] - d->hist_seq0);
	const struct bus_hist_ent *end = first + d->hist_len;
	sim_time_t delay = bus->delay[i][w->q->index];
	uint16_t rise = w->rise, fall = w->fall;
	for (; e < end && k < max; e++) {
		uint16_t ch = e->chg_ctl;
		if ((ch & rise & e->s.ctl) || (ch & fall & ~e->s.ctl))
			out[k++] = (struct bus_sweep_stop){
				e->t + delay,
				e > first ? e[-1].s : (struct bus_sig){ 0 },
				e->s };
	}
	w->next[i] = d->hist_seq0 + (uint64_t)(e - first);
	if (k > 0) {
		w->t = out[k - 1].t;
		w->before = out[k - 1].before;
		w->now = out[k - 1].now;
	}
	return k;
}

void bus_sweep_reseek(struct bus_sweep *w, uint32_t i)
{
	w->next[i] = sweep_seek(w->q, i, w->t);
	w->gen[i] = w->q->bus->port[i]->hist_gen;
}

void bus_sweep_begin(struct bus_sweep *w, const struct bus_port *q,
		     sim_time_t t, uint16_t rise, uint16_t fall)
{
	const struct bus *bus = q->bus;
	w->q = q;
	w->rise = rise;
	w->fall = fall;
	w->t = t;
	uint64_t v = 0;
	for (uint32_t i = 0; i < bus->nports; i++) {
		const struct bus_port *d = bus->port[i];
		if (d == q)
			continue;
		w->next[i] = sweep_seek(q, i, t);
		w->gen[i] = d->hist_gen;
		uint32_t rel = (uint32_t)(w->next[i] - d->hist_seq0);
		if (rel > 0)
			v |= bus_sig_bits(hist_at(d, rel - 1)->s);
	}
	w->before = w->now = bus_sig_from_bits(v);
}

/*
 * Only ports whose stored entries change one of the lines can make an
 * instant worth stopping at, and only with an entry that asserts a
 * `rise` line or negates a `fall` line in their own drive; every port
 * counts for what is sensed there.
 */
int bus_sweep_next_general(struct bus_sweep *w)
{
	const struct bus_port *q = w->q;
	const struct bus *bus = q->bus;
	const sim_time_t *delay = bus->delay[q->index]; /* symmetric */
	uint32_t n = bus->nports;
	uint16_t lines = w->rise | w->fall;
	/* find the walk's place again in histories that changed under it
	 * (the walker may record drives between steps) */
	uint32_t self = q->index;
	for (uint32_t i = 0; i < n; i++) {
		const struct bus_port *d = bus->port[i];
		if (i != self && (w->gen[i] != d->hist_gen ||
				  w->next[i] < d->hist_seq0)) {
			w->next[i] = sweep_seek(q, i, w->t);
			w->gen[i] = d->hist_gen;
		}
	}
	for (;;) {
		/* the next instant: the earliest qualifying entry */
		sim_time_t c = SIM_TIME_MAX;
		for (uint32_t i = 0; i < n; i++) {
			const struct bus_port *d = bus->port[i];
			if (i == self || !(d->hist_chg & lines))
				continue;
			const struct bus_hist_ent *e = hist_at(d, sweep_rel(w, i));
			const struct bus_hist_ent *end = hist_at(d, d->hist_len);
			sim_time_t lim = c == SIM_TIME_MAX ? c : c - delay[i];
			for (; e < end && e->t < lim; e++) {
				uint16_t ch = e->chg_ctl;
				if ((ch & w->rise & e->s.ctl) ||
				    (ch & w->fall & ~e->s.ctl)) {
					c = e->t + delay[i];
					break;
				}
			}
		}
		if (c == SIM_TIME_MAX)
			return 0;
		/* what q senses just before c and at c */
		uint64_t vb = 0, va = 0;
		for (uint32_t i = 0; i < n; i++) {
			const struct bus_port *d = bus->port[i];
			if (i == self)
				continue;
			const struct bus_hist_ent *first = hist_at(d, 0);
			const struct bus_hist_ent *e = hist_at(d, sweep_rel(w, i));
			const struct bus_hist_ent *end = hist_at(d, d->hist_len);
			if (c >= delay[i]) {
				sim_time_t lim = c - delay[i];
				while (e < end && e->t < lim)
					e++;
				if (e > first)
					vb |= bus_sig_bits(e[-1].s);
				if (e < end && e->t == lim)
					e++;
			} else if (e > first) {
				vb |= bus_sig_bits(e[-1].s);
			}
			if (e > first)
				va |= bus_sig_bits(e[-1].s);
			w->next[i] = d->hist_seq0 + (uint64_t)(e - first);
		}
		w->before = bus_sig_from_bits(vb);
		w->now = bus_sig_from_bits(va);
		w->t = c;
		uint16_t rose = w->now.ctl & ~w->before.ctl;
		uint16_t fell = w->before.ctl & ~w->now.ctl;
		if ((rose & w->rise) || (fell & w->fall))
			return 1;
	}
}

/* --- notification -------------------------------------------------------- */

/* An entry flag: deliver this one as it arrives, never by a chain. */
#define NQ_DELIVER 0x8000u

static void nq_add(struct bus_port *q, sim_time_t t, uint16_t lines)
{
	struct sim *sim = q->bus->sim;
	struct bus_nq_ent *base = q->nq + q->nq_head;
	uint32_t i = q->nq_len;
	if ((lines & q->ahead) && t < q->ahead_wake)
		q->ahead_wake = t;
	while (i > 0 && base[i - 1].t > t)
		i--;
	if (i > 0 && base[i - 1].t == t) {
		base[i - 1].lines |= lines; /* one delivery covers both */
		return;
	}
	if (q->nq_head + q->nq_len == q->nq_cap) {
		if (q->nq_head > 0) { /* slide to the front */
			memmove(q->nq, base, q->nq_len * sizeof *q->nq);
			q->nq_head = 0;
		} else {
			uint32_t cap = q->nq_cap * 2;
			struct bus_nq_ent *nq = sim_realloc(sim, q->nq,
							    cap * sizeof *nq);
			if (nq == NULL)
				return; /* the edge is still sensed; only late */
			q->nq = nq;
			q->nq_cap = cap;
		}
		base = q->nq + q->nq_head;
	}
	memmove(&base[i + 1], &base[i], (q->nq_len - i) * sizeof *base);
	base[i] = (struct bus_nq_ent){ t, lines };
	q->nq_len++;
	if (i == 0)
		sim_schedule_at(sim, &q->nev, t);
}

/* The earliest pending entry that concerns q's `ahead` lines. */
static void ahead_wake_update(struct bus_port *q)
{
	q->ahead_wake = SIM_TIME_MAX;
	for (uint32_t k = 0; k < q->nq_len; k++)
		if (q->nq[q->nq_head + k].lines & q->ahead) {
			q->ahead_wake = q->nq[q->nq_head + k].t;
			return;
		}
}

/* Queue wake-ups for the recorded `lines` edges (of q's watched
 * directions) that reach q from `from` on; only the first if `first`. */
static void queue_recorded(struct bus_port *q, uint16_t lines,
			   sim_time_t from, int first)
{
	struct bus_sweep w;
	bus_sweep_begin(&w, q, from, lines & q->watch_rise,
			lines & q->watch_fall);
	while (bus_sweep_next(&w)) {
		uint16_t rose = w.now.ctl & ~w.before.ctl;
		uint16_t fell = w.before.ctl & ~w.now.ctl;
		if (first) {
			if (w.t < q->ahead_wake)
				nq_add(q, w.t, (uint16_t)((rose & w.rise) |
							  (fell & w.fall)));
			return;
		}
		nq_add(q, w.t, (uint16_t)((rose & w.rise) | (fell & w.fall)));
	}
}

/* After q's wake-up: the first `ahead` edge q has not handled must have
 * a wake-up at or before it (edges may have been skipped for the one
 * that just fired). */
static void ahead_rearm(struct bus_port *q)
{
	if (!q->ahead)
		return;
	sim_time_t now = q->bus->sim->now;
	sim_time_t from = q->ahead_end > now ? q->ahead_end - 1 : now;
	/* nothing skipped after `from`, or a wake-up comes first: the
	 * port walks from there */
	if (q->ahead_skip <= from || q->ahead_wake <= from + 1)
		return;
	queue_recorded(q, q->ahead, from, 1);
}

void bus_watch_ahead(struct bus_port *p, uint16_t lines, bus_ahead_fn fn)
{
	lines &= p->watch_rise | p->watch_fall;
	p->ahead_fn = lines ? fn : NULL;
	uint16_t dropped = p->ahead & ~lines;
	p->ahead = lines;
	if (dropped) {
		/* edges skipped for these lines are ordinary again: every
		 * one not yet handled gets its wake-up */
		sim_time_t now = p->bus->sim->now;
		queue_recorded(p, dropped, p->ahead_end > now
						   ? p->ahead_end - 1
						   : now, 0);
	}
	ahead_wake_update(p);
	ahead_rearm(p);
}

void bus_ahead_done(struct bus_port *p, sim_time_t t)
{
	p->ahead_end = t;
}

/*
 * Call at once the `ahead` handlers of ports whose next wake-up is for
 * `ahead` edges within the horizon (bus.h, LOOKAHEAD), earliest first,
 * until none is left: each call either handles edges or turns the
 * wake-up into an ordinary delivery, so this ends.
 */
static void ahead_chain(struct bus *bus)
{
	sim_time_t now = bus->sim->now;
	sim_time_t horizon = now + BUS_AHEAD_HORIZON;
	for (;;) {
		struct bus_port *q = NULL;
		for (uint32_t i = 0; i < bus->nports; i++) {
			struct bus_port *c = bus->port[i];
			if (c->ahead_fn == NULL || c->ahead_wake > horizon ||
			    (q != NULL && c->ahead_wake >= q->ahead_wake))
				continue;
			const struct bus_nq_ent *e = &c->nq[c->nq_head];
			if (c->nq_len > 0 && e->t == c->ahead_wake &&
			    !(e->lines & ~c->ahead))
				q = c; /* its next wake-up, and only for these */
		}
		if (q == NULL)
			return;
		sim_time_t w = q->ahead_wake;
		uint16_t lines = q->nq[q->nq_head].lines;
		q->nq_len--;
		q->nq_head = q->nq_len ? q->nq_head + 1 : 0;
		sim_cancel(bus->sim, &q->nev);
		if (q->nq_len > 0)
			sim_schedule_at(bus->sim, &q->nev, q->nq[q->nq_head].t);
		ahead_wake_update(q);
		if (q->ahead_end <= w) {
			sim_time_t end = q->ahead_fn(q, q->ahead_end > now
								? q->ahead_end
								: now,
						     horizon, q->arg);
			if (end > q->ahead_end)
				q->ahead_end = end;
		}
		if (q->ahead_end <= w)
			nq_add(q, w, (uint16_t)(lines | NQ_DELIVER));
		else
			ahead_rearm(q);
	}
}

static void notify_fire(struct sim *sim, struct sim_event *ev, void *arg)
{
	(void)ev;
	struct bus_port *q = arg;
	sim_time_t now = sim_now(sim);
	assert(q->nq_len > 0 && q->nq[q->nq_head].t == now);
	uint16_t lines = q->nq[q->nq_head].lines & BUS_CTL_ALL;
	q->nq_len--;
	q->nq_head = q->nq_len ? q->nq_head + 1 : 0;
	if (q->nq_len > 0)
		sim_schedule_at(sim, &q->nev, q->nq[q->nq_head].t);
	if (lines & q->ahead)
		ahead_wake_update(q);
	bus_trace_flush(q->bus);
	struct bus_sig before, after;
	sense_pair(q, now, &before, &after);
	if (now < q->ahead_end) {
		/* `ahead` edges here were handled already: hide them */
		before.ctl = (uint16_t)((before.ctl & ~q->ahead) |
					(after.ctl & q->ahead));
	}
	uint16_t rose = after.ctl & ~before.ctl, fell = before.ctl & ~after.ctl;
	if ((rose & q->watch_rise) || (fell & q->watch_fall))
		q->fn(q, before, after, q->arg);
	ahead_rearm(q);
	ahead_chain(q->bus);
}

/* --- driving -------------------------------------------------------------- */

/* Queue a trace record for port p's change at `at`.  Records are ordered
 * by time, then by port, so the trace does not depend on the order in
 * which changes for one instant were recorded. */
static void trace_record(struct bus *bus, struct bus_port *p, sim_time_t at)
{
	uint32_t i = bus->pend_len;
	while (i > 0 && (bus->pend[i - 1].t > at ||
			 (bus->pend[i - 1].t == at &&
			  bus->pend[i - 1].port > p->index)))
		i--;
	if (i > 0 && bus->pend[i - 1].t == at &&
	    bus->pend[i - 1].port == p->index)
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
		struct bus_trace_lines rec;
		memset(&rec, 0, sizeof rec); /* padding too: payloads are bytes */
		rec.bus = v;
		rec.port = ps;
		rec.changed = (uint16_t)(old.ctl ^ v.ctl);
		rec.port_index = e->port;
		rec.phase = (uint8_t)bus_phase_track(&bus->tracker, v.ctl);
		rec.width = (uint8_t)bus->width;
		sim_trace_emit_at(bus->sim, e->t, bus->src, SIM_TR_BUS_LINES,
				  e->port, &rec, sizeof rec);
	}
	if (n > 0) {
		memmove(&bus->pend[0], &bus->pend[n],
			(bus->pend_len - n) * sizeof *bus->pend);
		bus->pend_len -= n;
	}
}

/* The lines that make the phase (bus_phase_track) */
#define OCC_LINES (BUS_RST | BUS_BSY | BUS_SEL | BUS_MSG | BUS_CD | BUS_IO)

/* A phase line changed at `at`: account the phase that ends. */
static __attribute__((noinline)) void occ_update(struct bus *bus,
						 sim_time_t at)
{
	uint16_t ctl = 0;
	for (uint32_t i = 0; i < bus->nports; i++)
		ctl |= bus->port[i]->drive.ctl;
	enum bus_phase old = bus->occ_tracker.phase;
	enum bus_phase ph = bus_phase_track(&bus->occ_tracker,
					    (uint16_t)(ctl & OCC_LINES));
	if (ph == old)
		return;
	if (old == BUS_PH_BUS_FREE)
		bus->occ_held_since = at;
	if (at > bus->occ_since) {
		bus->occ_time[old] += at - bus->occ_since;
		bus->occ_since = at;
	}
}

sim_time_t bus_held_for(const struct bus *bus, sim_time_t now,
			enum bus_phase *phase)
{
	enum bus_phase ph = bus->occ_tracker.phase;
	if (phase != NULL)
		*phase = ph;
	if (ph == BUS_PH_BUS_FREE || now <= bus->occ_held_since)
		return 0;
	return now - bus->occ_held_since;
}

void bus_phase_times(const struct bus *bus, sim_time_t now,
		     sim_time_t out[BUS_PH_COUNT_])
{
	memcpy(out, bus->occ_time, sizeof bus->occ_time);
	if (now > bus->occ_since)
		out[bus->occ_tracker.phase] += now - bus->occ_since;
}

/* Tell watcher q of a change of `lines` (watched by q) reaching it at a. */
static void notify_watcher(struct bus_port *q, sim_time_t a, uint16_t lines)
{
	if (lines & ~q->ahead) {
		nq_add(q, a, lines);
		return;
	}
	if (a < q->ahead_end) {
		/* answered already without this edge */
		q->bus->ahead_conflicts++;
		nq_add(q, a, lines);
		return;
	}
	if (a < q->ahead_wake)
		nq_add(q, a, lines);
	else if (a > q->ahead_skip)
		q->ahead_skip = a; /* q wakes up no later and walks to it */
}

/* The ports, other than p, that watch one of these edges. */
static inline uint32_t watchers_of(const struct bus *bus,
				   const struct bus_port *p, uint16_t rose,
				   uint16_t fell)
{
	uint32_t m = 0;
	for (uint32_t c = rose; c; c &= c - 1)
		m |= bus->rise_watchers[__builtin_ctz(c)];
	for (uint32_t c = fell; c; c &= c - 1)
		m |= bus->fall_watchers[__builtin_ctz(c)];
	return m & ~(1u << p->index);
}

/* Tell the watchers of a change of port p at `at`. */
static inline void tell_watchers(struct bus_port *p, sim_time_t at,
				 uint16_t rose, uint16_t fell)
{
	struct bus *bus = p->bus;
	if (!((rose & bus->watched_rise) | (fell & bus->watched_fall)))
		return; /* nobody watches these edges */
	for (uint32_t m = watchers_of(bus, p, rose, fell); m; m &= m - 1) {
		uint32_t i = (uint32_t)__builtin_ctz(m);
		struct bus_port *q = bus->port[i];
		notify_watcher(q, at + bus->delay[p->index][i],
			       (uint16_t)((rose & q->watch_rise) |
					  (fell & q->watch_fall)));
	}
}

/* After a change of port p at time `at`: tell the watchers, record the
 * change for the trace. */
static void after_change(struct bus_port *p, sim_time_t at,
			 struct bus_sig before, uint16_t changed, int has_later)
{
	struct bus *bus = p->bus;
	bus->edges++;
	if (changed & OCC_LINES)
		occ_update(bus, at);
	uint16_t rose = changed & ~before.ctl, fell = changed & before.ctl;
	tell_watchers(p, at, rose, fell);
	for (uint32_t i = 0; has_later && i < bus->nports; i++) {
		struct bus_port *q = bus->port[i];
		if (q == p)
			continue;
		/* Watchers of a line this change overrides at a later entry
		 * must look again then; delivery compares what they sense,
		 * so an extra look costs an event, never a wrong callback. */
		uint16_t watched = q->watch_rise | q->watch_fall;
		if (!(changed & watched))
			continue;
		for (uint32_t k = 0; k < p->hist_len; k++) {
			const struct bus_hist_ent *e = hist_at(p, k);
			uint16_t m = e->chg_ctl & changed & watched;
			if (e->t > at && m)
				nq_add(q, e->t + bus->delay[p->index][i], m);
		}
	}
	if (sim_trace_wants(&bus->sim->trace, SIM_TR_BUS_LINES)) {
		trace_record(bus, p, at);
		trace_flush_due(bus);
	}
}

/* Record s, which differs from prev (the port's latest entry), as the
 * port's new latest entry, dated `at`; there is room for it. */
static inline __attribute__((always_inline)) void append(
	struct bus_port *p, sim_time_t at, struct bus_sig prev,
	struct bus_sig s)
{
	struct bus *bus = p->bus;
	uint16_t mctl = prev.ctl ^ s.ctl;
	*hist_at(p, p->hist_len) = (struct bus_hist_ent){
		at, s, mctl, (uint8_t)(prev.db != s.db || prev.dbp != s.dbp) };
	p->hist_len++;
	p->hist_chg |= mctl;
	p->drive = s;
	bus->edges++;
	if (__builtin_expect(mctl & OCC_LINES, 0))
		occ_update(bus, at);
	if (mctl)
		tell_watchers(p, at, mctl & s.ctl, mctl & prev.ctl);
	if (__builtin_expect(sim_trace_wants(&bus->sim->trace,
					     SIM_TR_BUS_LINES), 0)) {
		trace_record(bus, p, at);
		trace_flush_due(bus);
	}
}

/* Every case of a drive change (drive() takes the common one). */
static __attribute__((noinline)) void drive_general(
	struct bus_port *p, sim_time_t at, uint16_t set, uint16_t clear,
	int data, uint16_t db, uint8_t dbp)
{
	uint32_t len = p->hist_len;
	const struct bus_hist_ent *last = len ? hist_at(p, len - 1) : NULL;
	if (last == NULL || last->t < at) {
		/* the port's latest change */
		struct bus_sig prev = last ? last->s : (struct bus_sig){ 0 };
		struct bus_sig s = prev;
		s.ctl = (uint16_t)((s.ctl | set) & ~clear);
		if (data) {
			s.db = db;
			s.dbp = dbp;
		}
		if (bus_sig_bits(prev) == bus_sig_bits(s))
			return;
		if (hist_make_room(p) == 0) {
			append(p, at, prev, s);
			return;
		}
		/* out of memory: hist_apply copes */
	}
	struct bus_sig before;
	int data_changed;
	uint16_t changed = hist_apply(p, at, set, clear, data, db, dbp,
				      &before, &data_changed);
	if (changed || data_changed)
		after_change(p, at, before, changed,
			     hist_at(p, p->hist_len - 1)->t > at);
}

/* The path of every drive change: from `at`, set and clear control
 * lines, and (if `data`) drive DB = db with parity dbp.  Inline for the
 * common case, a new latest entry with room for it. */
static inline __attribute__((always_inline)) void drive(
	struct bus_port *p, sim_time_t at, uint16_t set, uint16_t clear,
	int data, uint16_t db, uint8_t dbp)
{
	struct bus *bus = p->bus;
	assert(at >= bus->sim->now && "driving in the past");
	/* emit what is due before pruning can forget it */
	if (__builtin_expect(bus->pend_len > 0, 0))
		trace_flush_due(bus);
	set &= BUS_CTL_ALL;
	db &= bus->db_mask;
	dbp &= bus->dbp_mask;
	uint32_t len = p->hist_len;
	if (__builtin_expect(len > 0 && p->hist_head + len < p->hist_cap, 1)) {
		const struct bus_hist_ent *last = hist_at(p, len - 1);
		if (__builtin_expect(last->t < at, 1)) {
			struct bus_sig prev = last->s, s = prev;
			s.ctl = (uint16_t)((s.ctl | set) & ~clear);
			if (data) {
				s.db = db;
				s.dbp = dbp;
			}
			if (bus_sig_bits(prev) != bus_sig_bits(s))
				append(p, at, prev, s);
			return;
		}
	}
	drive_general(p, at, set, clear, data, db, dbp);
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
	struct bus *bus = p->bus;
	lines &= BUS_CTL_ALL;
	if (__builtin_expect(bus->pend_len > 0, 0))
		trace_flush_due(bus); /* what is due, before pruning */
	uint32_t len = p->hist_len;
	/* the common case, a synchronous strobe: two new latest entries */
	if (__builtin_expect(len > 0 &&
				     (p->hist_head + len + 2 <= p->hist_cap ||
				      hist_make_room_for(p, 2) == 0),
			     1)) {
		len = p->hist_len;
		struct bus_hist_ent *e = p->hist + p->hist_head + len;
		struct bus_sig prev = e[-1].s;
		sim_time_t end = at + width;
		if (e[-1].t < at && !(prev.ctl & lines) && lines) {
			assert(at >= bus->sim->now && "driving in the past");
			struct bus_sig on = prev;
			on.ctl |= lines;
			e[0] = (struct bus_hist_ent){ at, on, lines, 0 };
			e[1] = (struct bus_hist_ent){ end, prev, lines, 0 };
			p->hist_len = len + 2;
			p->hist_chg |= lines;
			p->drive = prev;
			bus->edges += 2;
			tell_watchers(p, at, lines, 0);
			tell_watchers(p, end, 0, lines);
			if (__builtin_expect(sim_trace_wants(&bus->sim->trace,
							     SIM_TR_BUS_LINES),
					     0)) {
				trace_record(bus, p, at);
				trace_record(bus, p, end);
				trace_flush_due(bus);
			}
			return;
		}
	}
	drive(p, at, lines, 0, 0, 0, 0);
	drive(p, at + width, 0, lines, 0, 0, 0);
}

/* Tell port q of an edge of `lines` (which it watches) reaching it at a:
 * the lookahead shortcut inline, the rest in notify_watcher. */
static inline void tell_one(struct bus_port *q, sim_time_t a, uint16_t lines)
{
	if (!(lines & ~q->ahead) && a >= q->ahead_end && a >= q->ahead_wake) {
		/* q wakes up no later and walks to this edge */
		if (a > q->ahead_skip)
			q->ahead_skip = a;
		return;
	}
	notify_watcher(q, a, lines);
}

/* Can the words of bus_pulses() be appended as they are: each instant
 * after the one before, none merging? */
static int pulses_fit(const struct bus_hist_ent *last, const sim_time_t *t,
		      uint32_t n, int data, sim_time_t delay, sim_time_t width)
{
	sim_time_t prev_end = last->t;
	for (uint32_t k = 0; k < n; k++) {
		sim_time_t first = data || !delay ? t[k] : t[k] + delay;
		if (first <= prev_end)
			return 0;
		prev_end = t[k] + delay + width;
	}
	return 1;
}

void bus_pulses(struct bus_port *p, const sim_time_t *t,
		const uint16_t *values, uint32_t n, uint16_t lines,
		sim_time_t delay, sim_time_t width)
{
	struct bus *bus = p->bus;
	lines &= BUS_CTL_ALL;
	if (n == 0)
		return;
	assert(width > 0);
	int data = values != NULL;
	uint32_t need = n * (data && delay ? 3 : 2);
	/* emit what is due before pruning can forget it */
	if (bus->pend_len > 0)
		trace_flush_due(bus);
	if (p->hist_len > 0 && lines &&
	    !(lines & (lines - 1)) &&
	    (p->hist_head + p->hist_len + need <= p->hist_cap ||
	     hist_make_room_for(p, need) == 0)) {
		struct bus_hist_ent *last = hist_at(p, p->hist_len - 1);
		struct bus_sig s = last->s;
		if (!(s.ctl & lines) && t[0] >= bus->sim->now &&
		    pulses_fit(last, t, n, data, delay, width)) {
			struct bus_hist_ent *e = last + 1;
			uint64_t edges = 0;
			for (uint32_t k = 0; k < n; k++) {
				struct bus_sig on;
				uint8_t chg = 0;
				if (data) {
					uint16_t db = values[k] & bus->db_mask;
					uint8_t dbp = bus_parity(values[k]) &
						      bus->dbp_mask;
					chg = s.db != db || s.dbp != dbp;
					s.db = db;
					s.dbp = dbp;
				}
				on = s;
				on.ctl |= lines;
				sim_time_t rise = t[k] + delay;
				if (data && delay) {
					if (chg) {
						*e++ = (struct bus_hist_ent){
							t[k], s, 0, 1 };
						edges++;
					}
					*e++ = (struct bus_hist_ent){
						rise, on, lines, 0 };
				} else {
					*e++ = (struct bus_hist_ent){
						rise, on, lines, chg };
				}
				*e++ = (struct bus_hist_ent){ rise + width, s,
							      lines, 0 };
				edges += 2;
			}
			p->hist_len = (uint32_t)(e - p->hist - p->hist_head);
			p->hist_chg |= lines;
			p->drive = s;
			bus->edges += edges;
			uint32_t line = (uint32_t)__builtin_ctz(lines);
			uint32_t self = ~(1u << p->index);
			const sim_time_t *dl = bus->delay[p->index];
			for (uint32_t m = bus->rise_watchers[line] & self; m;
			     m &= m - 1) {
				uint32_t i = (uint32_t)__builtin_ctz(m);
				struct bus_port *q = bus->port[i];
				for (uint32_t k = 0; k < n; k++)
					tell_one(q, t[k] + delay + dl[i], lines);
			}
			for (uint32_t m = bus->fall_watchers[line] & self; m;
			     m &= m - 1) {
				uint32_t i = (uint32_t)__builtin_ctz(m);
				struct bus_port *q = bus->port[i];
				for (uint32_t k = 0; k < n; k++)
					tell_one(q, t[k] + delay + width + dl[i],
						 lines);
			}
			if (sim_trace_wants(&bus->sim->trace,
					    SIM_TR_BUS_LINES)) {
				for (struct bus_hist_ent *x = last + 1; x < e;
				     x++)
					trace_record(bus, p, x->t);
				trace_flush_due(bus);
			}
			return;
		}
	}
	for (uint32_t k = 0; k < n; k++) {
		if (data)
			bus_data_at(p, t[k], values[k]);
		bus_pulse(p, lines, t[k] + delay, width);
	}
}
