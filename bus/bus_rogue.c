/*
 * bus_rogue.c - the hostile device (see bus_rogue.h).
 *
 * An interpreter: run() executes operations until one has to wait; a
 * wait is a time-out on the device's one event and, while a condition is
 * given, a watch on every line so that each edge re-tests it.  The
 * compound operations (SELECT, ACK_REQS, REQ_IN, REQ_OUT) are chains of
 * such waits.  Nothing here follows the protocol on purpose: SELECT and
 * the REQ/ACK operations keep the SCSI-2 delays (bus->timing) only so
 * that a script can get as far as a real device's deeper states before
 * it misbehaves.
 */
#include "bus_rogue.h"

#include <assert.h>
#include <string.h>

struct bus_rogue {
	struct sim *sim;
	struct bus *bus;
	struct bus_port *port;
	uint8_t *script;
	size_t len, pc;
	uint32_t loops, max_loops;
	int id;
	struct sim_event ev;
	/* the wait in progress: until cond holds (tested at each edge) or
	 * the time-out; then `then` runs (timed_out says which) */
	int (*cond)(const struct bus_rogue *r);
	void (*then)(struct bus_rogue *r);
	int timed_out;
	/* the compound operation in progress */
	uint8_t target, flags, value;
	uint32_t count;
	sim_time_t d;
	struct bus_rogue_stats st;
};

sim_time_t bus_rogue_duration(uint8_t d)
{
	return (sim_time_t)((d & 31u) + 1u) * 10 * SIM_NS << (3u * (d >> 5));
}

static uint8_t arg8(struct bus_rogue *r)
{
	return r->pc < r->len ? r->script[r->pc++] : 0;
}

static uint16_t arg16(struct bus_rogue *r)
{
	uint16_t hi = arg8(r);
	return (uint16_t)(hi << 8 | arg8(r));
}

static sim_time_t now_of(const struct bus_rogue *r)
{
	return sim_now(r->sim);
}

static struct bus_sig sensed(const struct bus_rogue *r)
{
	return bus_sense(r->port);
}

/* --- waits ---------------------------------------------------------------- */

static void run(struct bus_rogue *r);
static void next_op(struct bus_rogue *r);

static void on_edge(struct bus_port *p, struct bus_sig before,
		    struct bus_sig now, void *arg);

static void end_wait(struct bus_rogue *r, int timed_out)
{
	sim_cancel(r->sim, &r->ev);
	bus_watch(r->port, 0, 0, NULL, NULL);
	r->cond = NULL;
	r->timed_out = timed_out;
	if (timed_out)
		r->st.timeouts++;
	void (*then)(struct bus_rogue *) = r->then;
	r->then = NULL;
	then(r);
}

/* Wait until cond (NULL: just the time) or for `timeout`, then `then`. */
static void wait_for(struct bus_rogue *r, int (*cond)(const struct bus_rogue *),
		     sim_time_t timeout, void (*then)(struct bus_rogue *))
{
	assert(r->then == NULL);
	r->then = then;
	r->cond = cond;
	/* a condition true already goes on in an event of its own at this
	 * instant, not by recursion: a script of a thousand such waits must
	 * not grow the stack */
	int now_true = cond != NULL && cond(r);
	if (cond != NULL && !now_true)
		bus_watch(r->port, BUS_CTL_ALL, BUS_CTL_ALL, on_edge, r);
	sim_schedule_at(r->sim, &r->ev, now_of(r) + (now_true ? 0 : timeout));
}

static void on_timer(struct sim *sim, struct sim_event *ev, void *arg)
{
	(void)sim;
	(void)ev;
	struct bus_rogue *r = arg;
	if (r->then == NULL) { /* the start */
		run(r);
		return;
	}
	end_wait(r, r->cond != NULL && !r->cond(r));
}

static void on_edge(struct bus_port *p, struct bus_sig before,
		    struct bus_sig now, void *arg)
{
	(void)p;
	(void)before;
	(void)now;
	struct bus_rogue *r = arg;
	if (r->cond != NULL && r->cond(r))
		end_wait(r, 0);
}

/* --- conditions ------------------------------------------------------------- */

static uint16_t edge_mask_of(const struct bus_rogue *r)
{
	return (uint16_t)(r->count & 0xffffu);
}

/* WAIT_EDGE: one of the lines in the mask differs from what it was. */
static int c_edge(const struct bus_rogue *r)
{
	return ((sensed(r).ctl ^ (uint16_t)(r->count >> 16)) &
		edge_mask_of(r)) != 0;
}

static int c_selected(const struct bus_rogue *r)
{
	struct bus_sig s = sensed(r);
	return (s.ctl & BUS_SEL) && !(s.ctl & BUS_BSY) &&
	       (s.db & (1u << r->id));
}

static int c_ack(const struct bus_rogue *r)
{
	return (sensed(r).ctl & BUS_ACK) != 0;
}

static int c_req(const struct bus_rogue *r)
{
	return (sensed(r).ctl & BUS_REQ) != 0;
}

static int c_req_off(const struct bus_rogue *r)
{
	return !(sensed(r).ctl & BUS_REQ);
}

static int c_free(const struct bus_rogue *r)
{
	return !(sensed(r).ctl & (BUS_BSY | BUS_SEL | BUS_RST));
}

/* BSY from someone else (ours released). */
static int c_bsy(const struct bus_rogue *r)
{
	return (sensed(r).ctl & BUS_BSY) != 0;
}

/* --- compound operations ----------------------------------------------------- */

static void selected_seen(struct bus_rogue *r)
{
	if (!r->timed_out)
		r->st.selected++;
	next_op(r);
}

/* REQ_IN / REQ_OUT: REQ is up; the ACK came (or not): REQ goes. */
static void req_acked(struct bus_rogue *r)
{
	bus_lines_at(r->port, now_of(r), 0, BUS_REQ);
	next_op(r);
}

/* SELECT, step by step. */
static void sel_free(struct bus_rogue *r);
static void sel_decide(struct bus_rogue *r);
static void sel_ids(struct bus_rogue *r);
static void sel_release_bsy(struct bus_rogue *r);
static void sel_answered(struct bus_rogue *r);
static void sel_end(struct bus_rogue *r);

static void sel_start(struct bus_rogue *r)
{
	wait_for(r, c_free, r->d, sel_free);
}

static void sel_free(struct bus_rogue *r)
{
	if (r->timed_out) {
		next_op(r); /* the bus never came free */
		return;
	}
	const struct bus_timing *tm = r->bus->timing;
	sim_time_t t = now_of(r) + tm->bus_settle_delay + tm->bus_free_delay;
	bus_lines_at(r->port, t, BUS_BSY, 0);
	bus_data_at(r->port, t, (uint16_t)(1u << r->id));
	wait_for(r, NULL, t - now_of(r) + tm->arbitration_delay, sel_decide);
}

static void sel_decide(struct bus_rogue *r)
{
	struct bus_sig s = sensed(r);
	uint16_t higher = (uint16_t)~((2u << r->id) - 1u) & 0xffu;
	if ((s.ctl & BUS_SEL) || (s.db & higher)) {
		/* lost: let go */
		bus_lines_at(r->port, now_of(r), 0, BUS_BSY);
		bus_data_release_at(r->port, now_of(r));
		next_op(r);
		return;
	}
	bus_lines_at(r->port, now_of(r), BUS_SEL, 0);
	const struct bus_timing *tm = r->bus->timing;
	wait_for(r, NULL, tm->bus_clear_delay + tm->bus_settle_delay, sel_ids);
}

static void sel_ids(struct bus_rogue *r)
{
	uint16_t ids = (uint16_t)((1u << r->id) | (1u << (r->target & 15)));
	bus_data_at(r->port, now_of(r), ids);
	if (r->flags & 1)
		bus_lines_at(r->port, now_of(r), BUS_ATN, 0);
	wait_for(r, NULL, 2 * r->bus->timing->deskew_delay, sel_release_bsy);
}

static void sel_release_bsy(struct bus_rogue *r)
{
	bus_lines_at(r->port, now_of(r), 0, BUS_BSY);
	/* BSY from the target, no sooner than our release reaches us */
	wait_for(r, NULL, r->bus->timing->bus_settle_delay, sel_answered);
}

static void sel_answered(struct bus_rogue *r)
{
	wait_for(r, c_bsy, r->d, sel_end);
}

static void sel_end(struct bus_rogue *r)
{
	sim_time_t t = now_of(r) + 2 * r->bus->timing->deskew_delay;
	if (r->timed_out)
		bus_lines_at(r->port, t, 0, BUS_ATN); /* nobody: give up */
	bus_lines_at(r->port, t, 0, BUS_SEL);
	bus_data_release_at(r->port, t);
	wait_for(r, NULL, t - now_of(r), next_op);
}

/* ACK_REQS, one REQ at a time. */
static void ack_got_req(struct bus_rogue *r);
static void ack_req_off(struct bus_rogue *r);

static void ack_next(struct bus_rogue *r)
{
	if (r->count == 0) {
		next_op(r);
		return;
	}
	r->count--;
	wait_for(r, c_req, r->d, ack_got_req);
}

static void ack_got_req(struct bus_rogue *r)
{
	if (r->timed_out) {
		next_op(r);
		return;
	}
	sim_time_t t = now_of(r);
	if (!(sensed(r).ctl & BUS_IO)) {
		bus_data_at(r->port, t, r->value);
		t += r->bus->timing->deskew_delay +
		     r->bus->timing->cable_skew_delay;
	}
	bus_lines_at(r->port, t, BUS_ACK, 0);
	wait_for(r, c_req_off, t - now_of(r) + r->d, ack_req_off);
}

static void ack_req_off(struct bus_rogue *r)
{
	bus_lines_at(r->port, now_of(r), 0, BUS_ACK);
	if (!(sensed(r).ctl & BUS_IO))
		bus_data_release_at(r->port, now_of(r));
	if (r->timed_out) {
		next_op(r);
		return;
	}
	ack_next(r);
}

/* --- the interpreter --------------------------------------------------------- */

static void finish(struct bus_rogue *r, int hold)
{
	r->st.done = 1;
	r->st.holding = hold;
	if (!hold)
		bus_drive_at(r->port, now_of(r), (struct bus_sig){ .ctl = 0 });
}

/* After a compound operation: go on with the script. */
static void next_op(struct bus_rogue *r)
{
	run(r);
}

/* Execute operations until one waits or the script ends. */
static void run(struct bus_rogue *r)
{
	for (;;) {
		if (r->pc >= r->len) {
			finish(r, 0);
			return;
		}
		uint8_t op = (uint8_t)(arg8(r) % BUS_ROGUE_OP_COUNT_);
		r->st.ops++;
		sim_time_t now = now_of(r);
		switch ((enum bus_rogue_op)op) {
		case BUS_ROGUE_OP_WAIT:
			wait_for(r, NULL, bus_rogue_duration(arg8(r)), run);
			return;
		case BUS_ROGUE_OP_SET:
			bus_lines_at(r->port, now, arg16(r) & BUS_CTL_ALL, 0);
			break;
		case BUS_ROGUE_OP_CLEAR:
			bus_lines_at(r->port, now, 0, arg16(r) & BUS_CTL_ALL);
			break;
		case BUS_ROGUE_OP_DATA:
			bus_data_at(r->port, now, arg16(r));
			break;
		case BUS_ROGUE_OP_DATA_BADPAR: {
			uint16_t v = arg16(r);
			bus_data_raw_at(r->port, now, v,
					(uint8_t)(bus_parity(v) ^ 3));
			break;
		}
		case BUS_ROGUE_OP_RELEASE_DATA:
			bus_data_release_at(r->port, now);
			break;
		case BUS_ROGUE_OP_RELEASE_ALL:
			bus_drive_at(r->port, now, (struct bus_sig){ .ctl = 0 });
			break;
		case BUS_ROGUE_OP_PULSE: {
			uint16_t line = (uint16_t)(1u << (arg8(r) % BUS_NLINES));
			bus_pulse(r->port, line & BUS_CTL_ALL, now,
				  bus_rogue_duration(arg8(r)));
			break;
		}
		case BUS_ROGUE_OP_WAIT_EDGE: {
			uint16_t mask = arg16(r) & BUS_CTL_ALL;
			r->count = (uint32_t)sensed(r).ctl << 16 | mask;
			wait_for(r, mask ? c_edge : NULL,
				 bus_rogue_duration(arg8(r)), run);
			return;
		}
		case BUS_ROGUE_OP_WAIT_SELECTED:
			wait_for(r, c_selected, bus_rogue_duration(arg8(r)),
				 selected_seen);
			return;
		case BUS_ROGUE_OP_ANSWER:
			bus_lines_at(r->port, now, BUS_BSY, 0);
			break;
		case BUS_ROGUE_OP_PHASE: {
			uint8_t ph = arg8(r) & 7;
			uint16_t want = (uint16_t)(((ph & 4) ? BUS_MSG : 0) |
						   ((ph & 2) ? BUS_CD : 0) |
						   ((ph & 1) ? BUS_IO : 0));
			bus_lines_at(r->port, now, want,
				     (uint16_t)((BUS_MSG | BUS_CD | BUS_IO) &
						~want));
			break;
		}
		case BUS_ROGUE_OP_REQ_IN: {
			uint8_t v = arg8(r);
			r->d = bus_rogue_duration(arg8(r));
			bus_data_at(r->port, now, v);
			bus_lines_at(r->port,
				     now + r->bus->timing->deskew_delay +
					     r->bus->timing->cable_skew_delay,
				     BUS_REQ, 0);
			wait_for(r, c_ack, r->d, req_acked);
			return;
		}
		case BUS_ROGUE_OP_REQ_OUT:
			r->d = bus_rogue_duration(arg8(r));
			bus_lines_at(r->port, now, BUS_REQ, 0);
			wait_for(r, c_ack, r->d, req_acked);
			return;
		case BUS_ROGUE_OP_SELECT:
			r->target = arg8(r) % (uint8_t)r->bus->width;
			r->flags = arg8(r);
			r->d = bus_rogue_duration(arg8(r));
			sel_start(r);
			return;
		case BUS_ROGUE_OP_ACK_REQS:
			r->count = arg8(r);
			r->value = arg8(r);
			r->d = bus_rogue_duration(arg8(r));
			ack_next(r);
			return;
		case BUS_ROGUE_OP_RST:
			bus_pulse(r->port, BUS_RST, now,
				  bus_rogue_duration(arg8(r)));
			break;
		case BUS_ROGUE_OP_HOLD:
			finish(r, 1);
			return;
		case BUS_ROGUE_OP_LOOP:
			if (r->loops < r->max_loops) {
				r->loops++;
				r->pc = 0;
			}
			break;
		case BUS_ROGUE_OP_COUNT_:
			break;
		}
	}
}

/* --- the interface -------------------------------------------------------------- */

enum sn_err bus_rogue_create(struct bus *bus, const char *name,
			     const struct bus_rogue_config *cfg,
			     struct bus_rogue **out)
{
	if (bus == NULL || cfg == NULL || out == NULL ||
	    cfg->len > BUS_ROGUE_MAX_SCRIPT ||
	    (cfg->len > 0 && cfg->script == NULL))
		return SN_EINVAL;
	struct sim *sim = bus_sim(bus);
	struct bus_rogue *r = sim_calloc(sim, 1, sizeof *r);
	if (r == NULL)
		return SN_ENOMEM;
	r->sim = sim;
	r->bus = bus;
	r->id = cfg->id;
	r->len = cfg->len;
	r->max_loops = cfg->max_loops;
	if (r->len > 0) {
		r->script = sim_alloc(sim, r->len);
		if (r->script == NULL) {
			sim_free(sim, r);
			return SN_ENOMEM;
		}
		memcpy(r->script, cfg->script, r->len);
	}
	enum sn_err err = bus_attach(bus, name ? name : "rogue", cfg->pos_mm,
				     cfg->id, &r->port);
	if (err != SN_OK) {
		sim_free(sim, r->script);
		sim_free(sim, r);
		return err;
	}
	sim_event_init(&r->ev, on_timer, r, "rogue");
	sim_time_t start = cfg->start > sim_now(sim) ? cfg->start : sim_now(sim);
	sim_schedule_at(sim, &r->ev, start);
	*out = r;
	return SN_OK;
}

void bus_rogue_destroy(struct bus_rogue *r)
{
	if (r == NULL)
		return;
	sim_cancel(r->sim, &r->ev);
	bus_watch(r->port, 0, 0, NULL, NULL);
	sim_free(r->sim, r->script);
	sim_free(r->sim, r);
}

const struct bus_rogue_stats *bus_rogue_stats(const struct bus_rogue *r)
{
	return &r->st;
}

struct bus_port *bus_rogue_port(struct bus_rogue *r)
{
	return r->port;
}
