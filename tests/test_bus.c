/*
 * test_bus.c - the bus at line level (bus/bus.h): parity, phase decoding,
 * wired-OR, cable propagation, watched-edge notification, the logical
 * trace, and an interlocked REQ/ACK handshake slowed by a long cable.
 */
#include <string.h>

#include "bus.h"
#include "suites.h"

/* A small world: one sim, one bus, up to four ports. */
struct world {
	struct sim sim;
	struct bus *bus;
	struct bus_port *p[4];
};

static struct world *world_new(enum bus_width width, uint32_t length_mm,
			       const uint32_t *pos_mm, int nports)
{
	struct world *w = calloc(1, sizeof *w);
	ck_assert_ptr_nonnull(w);
	ck_assert_int_eq(sim_init(&w->sim, 1), SN_OK);
	struct bus_config cfg = {
		.name = "bus0", .width = width, .electrical = BUS_SE,
		.speed = BUS_SPEED_SCSI2, .length_mm = length_mm,
	};
	ck_assert_int_eq(bus_create(&w->sim, &cfg, &w->bus), SN_OK);
	for (int i = 0; i < nports; i++) {
		char name[8] = { 'p', (char)('0' + i), 0 };
		ck_assert_int_eq(bus_attach(w->bus, name, pos_mm[i], i,
					    &w->p[i]), SN_OK);
	}
	return w;
}

static void world_free(struct world *w)
{
	bus_destroy(w->bus);
	ck_assert_sim_clean(&w->sim);
	sim_fini(&w->sim);
	free(w);
}

/* Run the sim to absolute time t. */
static void run_to(struct world *w, sim_time_t t)
{
	ck_assert_int_eq(sim_run_until(&w->sim, t), SIM_RUN_REACHED);
}

START_TEST(parity_is_odd)
{
	/* DB(P) makes the number of asserted lines among DB(7-0)+P odd */
	ck_assert_uint_eq(bus_parity(0x00) & 1, 1);
	ck_assert_uint_eq(bus_parity(0x01) & 1, 0);
	ck_assert_uint_eq(bus_parity(0x03) & 1, 1);
	ck_assert_uint_eq(bus_parity(0xff) & 1, 1);
	ck_assert_uint_eq(bus_parity(0x7f) & 1, 0);
	/* DB(P1) covers DB(15-8) the same way */
	ck_assert_uint_eq(bus_parity(0x0100), 0x1);  /* lo even, hi odd */
	ck_assert_uint_eq(bus_parity(0x0301), 0x2);
	for (unsigned v = 0; v < 0x10000; v += 0x0101) {
		unsigned lo = (unsigned)__builtin_popcount(v & 0xff) +
			      (bus_parity((uint16_t)v) & 1);
		unsigned hi = (unsigned)__builtin_popcount(v >> 8) +
			      ((bus_parity((uint16_t)v) >> 1) & 1);
		ck_assert_uint_eq(lo % 2, 1);
		ck_assert_uint_eq(hi % 2, 1);
	}
}
END_TEST

START_TEST(info_phase_encoding)
{
	/* SCSI-2 Table 9 (MSG, C/D, I/O) */
	ck_assert_int_eq(bus_info_phase(0), BUS_PH_DATA_OUT);
	ck_assert_int_eq(bus_info_phase(BUS_IO), BUS_PH_DATA_IN);
	ck_assert_int_eq(bus_info_phase(BUS_CD), BUS_PH_COMMAND);
	ck_assert_int_eq(bus_info_phase(BUS_CD | BUS_IO), BUS_PH_STATUS);
	ck_assert_int_eq(bus_info_phase(BUS_MSG | BUS_CD), BUS_PH_MSG_OUT);
	ck_assert_int_eq(bus_info_phase(BUS_MSG | BUS_CD | BUS_IO),
			 BUS_PH_MSG_IN);
	ck_assert_int_eq(bus_info_phase(BUS_MSG), BUS_PH_RESERVED_4);
	ck_assert(bus_phase_is_in(BUS_PH_STATUS));
	ck_assert(!bus_phase_is_in(BUS_PH_COMMAND));
	ck_assert_str_eq(bus_phase_name(BUS_PH_MSG_IN), "MESSAGE IN");
	ck_assert_str_eq(bus_line_name(BUS_ATN), "ATN");
	ck_assert_ptr_null(bus_line_name(BUS_ATN | BUS_ACK));
}
END_TEST

/* The tracker tells ARBITRATION from DATA OUT, and RESELECTION from
 * SELECTION, as an analyser would. */
START_TEST(phase_tracker_sequence)
{
	struct bus_phase_tracker t;
	bus_phase_tracker_init(&t);
	static const struct {
		uint16_t ctl;
		enum bus_phase want;
	} seq[] = {
		{ 0, BUS_PH_BUS_FREE },
		{ BUS_BSY, BUS_PH_ARBITRATION },
		{ BUS_BSY | BUS_SEL, BUS_PH_SELECTION },
		{ BUS_SEL | BUS_ATN, BUS_PH_SELECTION },
		{ BUS_BSY | BUS_SEL | BUS_ATN, BUS_PH_SELECTION },
		{ BUS_BSY | BUS_ATN, BUS_PH_DATA_OUT },
		{ BUS_BSY | BUS_MSG | BUS_CD | BUS_ATN, BUS_PH_MSG_OUT },
		{ BUS_BSY | BUS_CD, BUS_PH_COMMAND },
		{ BUS_BSY, BUS_PH_DATA_OUT },     /* not arbitration now */
		{ BUS_BSY | BUS_CD | BUS_IO, BUS_PH_STATUS },
		{ 0, BUS_PH_BUS_FREE },
		{ BUS_BSY, BUS_PH_ARBITRATION },
		{ BUS_BSY | BUS_SEL, BUS_PH_SELECTION },
		{ BUS_BSY | BUS_SEL | BUS_IO, BUS_PH_RESELECTION },
		{ BUS_SEL | BUS_IO, BUS_PH_RESELECTION },
		{ BUS_BSY | BUS_SEL | BUS_IO, BUS_PH_RESELECTION },
		{ BUS_BSY | BUS_IO | BUS_CD | BUS_MSG, BUS_PH_MSG_IN },
		{ BUS_RST, BUS_PH_RESET },
		{ BUS_BSY, BUS_PH_ARBITRATION },
	};
	for (size_t i = 0; i < sizeof seq / sizeof seq[0]; i++)
		ck_assert_msg(bus_phase_track(&t, seq[i].ctl) == seq[i].want,
			      "step %zu: %s", i,
			      bus_phase_name(bus_phase_track(&t, seq[i].ctl)));
}
END_TEST

START_TEST(attach_errors)
{
	struct world *w = world_new(BUS_NARROW, 1000, (uint32_t[]){ 0 }, 1);
	struct bus_port *p;
	ck_assert_int_eq(bus_attach(w->bus, "far", 1001, 1, &p), SN_ERANGE);
	ck_assert_int_eq(bus_attach(w->bus, "id8", 10, 8, &p), SN_ERANGE);
	ck_assert_int_eq(bus_attach(w->bus, "neg", 10, -2, &p), SN_ERANGE);
	ck_assert_int_eq(bus_attach(w->bus, "probe", 10, -1, &p), SN_OK);
	for (int i = 2; i < BUS_MAX_PORTS; i++)
		ck_assert_int_eq(bus_attach(w->bus, "x", 10, -1, &p), SN_OK);
	ck_assert_int_eq(bus_attach(w->bus, "17th", 10, -1, &p), SN_EBUSY);
	struct bus *bad;
	struct bus_config cfg = { .name = "b", .width = (enum bus_width)12 };
	ck_assert_int_eq(bus_create(&w->sim, &cfg, &bad), SN_EINVAL);
	world_free(w);
}
END_TEST

/* A change reaches another port one cable delay later: 5.4 ns/m by
 * default, so 2 m is 10.8 ns; a port senses its own drive at once. */
START_TEST(propagation_delay)
{
	struct world *w = world_new(BUS_NARROW, 3000,
				    (uint32_t[]){ 0, 2000, 3000 }, 3);
	ck_assert_uint_eq(bus_delay(w->p[0], w->p[1]), 10800);
	ck_assert_uint_eq(bus_delay(w->p[1], w->p[2]), 5400);
	ck_assert_uint_eq(bus_delay(w->p[2], w->p[0]), 16200);
	run_to(w, 100 * SIM_NS);
	bus_assert(w->p[0], BUS_BSY);
	ck_assert_uint_eq(bus_sense(w->p[0]).ctl, BUS_BSY);
	ck_assert_uint_eq(bus_sense(w->p[1]).ctl, 0);
	run_to(w, 100 * SIM_NS + 10799);
	ck_assert_uint_eq(bus_sense(w->p[1]).ctl, 0);
	run_to(w, 100 * SIM_NS + 10800);
	ck_assert_uint_eq(bus_sense(w->p[1]).ctl, BUS_BSY);
	ck_assert_uint_eq(bus_sense(w->p[2]).ctl, 0);
	run_to(w, 100 * SIM_NS + 16200);
	ck_assert_uint_eq(bus_sense(w->p[2]).ctl, BUS_BSY);
	/* sensing the past within the cable delay */
	ck_assert_uint_eq(bus_sense_at(w->p[2], 100 * SIM_NS + 16199).ctl, 0);
	world_free(w);
}
END_TEST

/* Lines are OR-tied: a line stays asserted while anyone drives it. */
START_TEST(wired_or)
{
	struct world *w = world_new(BUS_NARROW, 0,
				    (uint32_t[]){ 0, 0, 0 }, 3);
	bus_assert(w->p[0], BUS_BSY);
	bus_assert(w->p[1], BUS_BSY | BUS_SEL);
	bus_set_data(w->p[0], 0x80);
	bus_set_data(w->p[1], 0x04);
	run_to(w, 1);
	struct bus_sig s = bus_sense(w->p[2]);
	ck_assert_uint_eq(s.ctl, BUS_BSY | BUS_SEL);
	ck_assert_uint_eq(s.db, 0x84);
	bus_release(w->p[0], BUS_BSY);
	run_to(w, 2);
	ck_assert_uint_eq(bus_sense(w->p[2]).ctl, BUS_BSY | BUS_SEL);
	bus_release(w->p[1], BUS_BSY | BUS_SEL);
	bus_release_data(w->p[0]);
	run_to(w, 3);
	s = bus_sense(w->p[2]);
	ck_assert_uint_eq(s.ctl, 0);
	ck_assert_uint_eq(s.db, 0x04);
	ck_assert_uint_eq(s.dbp, bus_parity(0x04) & 1);
	world_free(w);
}
END_TEST

START_TEST(narrow_bus_drops_high_byte)
{
	struct world *w = world_new(BUS_NARROW, 0, (uint32_t[]){ 0, 0 }, 2);
	bus_set_data(w->p[0], 0xA55A);
	run_to(w, 1);
	ck_assert_uint_eq(bus_sense(w->p[1]).db, 0x5A);
	ck_assert_uint_eq(bus_sense(w->p[1]).dbp, bus_parity(0x5A) & 1);
	world_free(w);
}
END_TEST

/* Watched edges: what the callback saw. */
struct seen {
	int n;
	sim_time_t t[16];
	struct bus_sig before[16], now[16];
};

static void record(struct bus_port *p, struct bus_sig before,
		   struct bus_sig now, void *arg)
{
	struct seen *s = arg;
	ck_assert_int_lt(s->n, 16);
	s->t[s->n] = sim_now(p->bus->sim);
	s->before[s->n] = before;
	s->now[s->n++] = now;
}

START_TEST(notify_on_watched_edges_only)
{
	struct world *w = world_new(BUS_NARROW, 1000,
				    (uint32_t[]){ 0, 1000 }, 2);
	struct seen s = { 0 };
	bus_watch(w->p[1], BUS_REQ, 0, record, &s); /* REQ rising only */
	/* a future-dated REQ pulse: 100 ns, 90 ns wide */
	bus_pulse(w->p[0], BUS_REQ, 100 * SIM_NS, 90 * SIM_NS);
	bus_assert(w->p[0], BUS_MSG); /* unwatched */
	sim_run(&w->sim);
	ck_assert_int_eq(s.n, 1);
	ck_assert_uint_eq(s.t[0], 100 * SIM_NS + 5400);
	ck_assert_uint_eq(s.before[0].ctl & BUS_REQ, 0);
	ck_assert_uint_eq(s.now[0].ctl & BUS_REQ, BUS_REQ);
	/* it reads unwatched lines as of its own time */
	ck_assert_uint_eq(s.now[0].ctl & BUS_MSG, BUS_MSG);
	/* now watch falls too: both edges of the next pulse */
	bus_watch(w->p[1], BUS_REQ, BUS_REQ, record, &s);
	/* the first pulse is over at 190 ns; one that overlapped it would
	 * have no rising edge of its own */
	sim_time_t t0 = 300 * SIM_NS;
	bus_pulse(w->p[0], BUS_REQ, t0, 30 * SIM_NS);
	sim_run(&w->sim);
	ck_assert_int_eq(s.n, 3);
	ck_assert_uint_eq(s.t[1], t0 + 5400);
	ck_assert_uint_eq(s.t[2], t0 + 30 * SIM_NS + 5400);
	ck_assert_uint_eq(s.now[2].ctl & BUS_REQ, 0);
	world_free(w);
}
END_TEST

/* No callback when the sensed line does not change: another port keeps
 * it asserted (wired-OR), so a release is invisible. */
START_TEST(notify_only_visible_changes)
{
	struct world *w = world_new(BUS_NARROW, 0,
				    (uint32_t[]){ 0, 0, 0 }, 3);
	struct seen s = { 0 };
	bus_watch(w->p[2], BUS_BSY, BUS_BSY, record, &s);
	bus_assert(w->p[0], BUS_BSY);
	bus_assert(w->p[1], BUS_BSY);
	run_to(w, 10);
	ck_assert_int_eq(s.n, 1); /* both arrive at once: one call */
	bus_release(w->p[0], BUS_BSY);
	run_to(w, 20);
	ck_assert_int_eq(s.n, 1); /* still asserted by p1 */
	bus_release(w->p[1], BUS_BSY);
	run_to(w, 30);
	ck_assert_int_eq(s.n, 2);
	ck_assert_uint_eq(s.now[1].ctl, 0);
	world_free(w);
}
END_TEST

/*
 * A fully interlocked REQ/ACK handshake (SCSI-2 5.1.5.1, target to
 * initiator): the target puts a byte on DB and asserts REQ; the initiator
 * reads it and asserts ACK; the target releases REQ; the initiator releases
 * ACK; then the next byte.  Each step waits for the other side's edge to
 * arrive, so every byte costs four cable delays plus the devices' own
 * latencies.  Here the latencies are fixed: the target waits deskew +
 * cable skew (55 ns) after setting DB before REQ, and each side answers an
 * edge after 100 ns.
 */
struct hs {
	struct bus_port *t, *i;
	int bytes, sent, got;
	uint8_t data[64];
	struct sim_event req_ev, step_ev;
	sim_time_t done;
};

#define HS_LATENCY (100 * SIM_NS)
#define HS_SETUP (55 * SIM_NS)

static void hs_req(struct sim *sim, struct sim_event *e, void *arg)
{
	(void)sim;
	(void)e;
	struct hs *h = arg;
	bus_assert(h->t, BUS_REQ);
}

static void hs_target_next(struct hs *h)
{
	bus_set_data(h->t, (uint16_t)(0xA0 + h->sent));
	sim_schedule_in(h->t->bus->sim, &h->req_ev, HS_SETUP);
}

static void hs_target_sees(struct bus_port *p, struct bus_sig before,
			   struct bus_sig now, void *arg)
{
	(void)p;
	struct hs *h = arg;
	struct sim *sim = h->t->bus->sim;
	if (!(before.ctl & BUS_ACK) && (now.ctl & BUS_ACK)) {
		bus_release(h->t, BUS_REQ); /* byte taken */
		h->sent++;
	} else if ((before.ctl & BUS_ACK) && !(now.ctl & BUS_ACK)) {
		if (h->sent < h->bytes)
			hs_target_next(h);
		else
			h->done = sim_now(sim);
	}
}

static void hs_init_step(struct sim *sim, struct sim_event *e, void *arg)
{
	(void)sim;
	(void)e;
	struct hs *h = arg;
	struct bus_sig s = bus_sense(h->i);
	if (s.ctl & BUS_REQ) {
		h->data[h->got++] = (uint8_t)s.db;
		bus_assert(h->i, BUS_ACK);
	} else {
		bus_release(h->i, BUS_ACK);
	}
}

static void hs_init_sees(struct bus_port *p, struct bus_sig before,
			 struct bus_sig now, void *arg)
{
	(void)p;
	(void)before;
	(void)now;
	struct hs *h = arg;
	sim_schedule_in(h->i->bus->sim, &h->step_ev, HS_LATENCY);
}

static void hs_target_sees_delayed(struct bus_port *p, struct bus_sig before,
				   struct bus_sig now, void *arg);
struct hs_delay {
	struct hs *h;
	struct sim_event ev;
	struct bus_sig before, now;
};

static void hs_delayed_fire(struct sim *sim, struct sim_event *e, void *arg);

static sim_time_t handshake(uint32_t length_mm, int bytes, uint8_t *out)
{
	struct world *w = world_new(BUS_NARROW, length_mm,
				    (uint32_t[]){ 0, length_mm }, 2);
	struct hs h = { .t = w->p[0], .i = w->p[1], .bytes = bytes };
	sim_event_init(&h.req_ev, hs_req, &h, "req");
	sim_event_init(&h.step_ev, hs_init_step, &h, "init-step");
	struct hs_delay d = { .h = &h };
	sim_event_init(&d.ev, hs_delayed_fire, &d, "target-step");
	bus_watch(h.t, BUS_ACK, BUS_ACK, hs_target_sees_delayed, &d);
	bus_watch(h.i, BUS_REQ, BUS_REQ, hs_init_sees, &h);
	hs_target_next(&h);
	sim_run(&w->sim);
	ck_assert_int_eq(h.got, bytes);
	memcpy(out, h.data, (size_t)bytes);
	sim_time_t done = h.done;
	world_free(w);
	return done;
}

/* The target also answers each edge after HS_LATENCY. */
static void hs_delayed_fire(struct sim *sim, struct sim_event *e, void *arg)
{
	(void)sim;
	(void)e;
	struct hs_delay *d = arg;
	hs_target_sees(d->h->t, d->before, d->now, d->h);
}

static void hs_target_sees_delayed(struct bus_port *p, struct bus_sig before,
				   struct bus_sig now, void *arg)
{
	(void)p;
	struct hs_delay *d = arg;
	d->before = before;
	d->now = now;
	sim_schedule_in(p->bus->sim, &d->ev, HS_LATENCY);
}

START_TEST(interlocked_handshake_pays_cable_round_trips)
{
	enum { N = 32 };
	uint8_t short_data[N], long_data[N];
	sim_time_t t1 = handshake(1000, N, short_data);     /* 1 m */
	sim_time_t t25 = handshake(25000, N, long_data);    /* 25 m */
	for (int k = 0; k < N; k++) {
		ck_assert_uint_eq(short_data[k], 0xA0 + k);
		ck_assert_uint_eq(long_data[k], 0xA0 + k);
	}
	/* per byte: setup + 4 latencies + 4 cable delays, the first byte's
	 * setup counted from t = 0 */
	sim_time_t per_byte_1m = HS_SETUP + 4 * HS_LATENCY + 4 * 5400;
	ck_assert_uint_eq(t1, N * per_byte_1m);
	/* 25 m is 24 m more: 4 x 24 x 5.4 ns = 518.4 ns more per byte */
	ck_assert_uint_eq(t25 - t1, (sim_time_t)N * 4 * 24 * 5400);
}
END_TEST

/* The logical trace: every drive change, in time order, as the OR of all
 * drives, with future-dated changes emitted once time reaches them. */
struct trace_log {
	int n;
	sim_time_t t[32];
	struct bus_trace_lines rec[32];
};

static void trace_cb(const struct sim_trace_record *r, void *arg)
{
	struct trace_log *l = arg;
	ck_assert_int_eq(r->kind, SIM_TR_BUS_LINES);
	ck_assert_uint_eq(r->len, sizeof(struct bus_trace_lines));
	ck_assert_int_lt(l->n, 32);
	if (l->n > 0)
		ck_assert_uint_ge(r->time, l->t[l->n - 1]);
	l->t[l->n] = r->time;
	memcpy(&l->rec[l->n++], r->data, sizeof(struct bus_trace_lines));
}

START_TEST(trace_in_time_order)
{
	struct world *w = world_new(BUS_WIDE, 1000, (uint32_t[]){ 0, 500 }, 2);
	struct trace_log log = { 0 };
	struct sim_trace_sub sub;
	sim_trace_subscribe(&w->sim, &sub, SIM_TR_MASK(SIM_TR_BUS_LINES),
			    trace_cb, &log);
	bus_assert(w->p[0], BUS_BSY);
	bus_pulse(w->p[0], BUS_REQ, 200, 100);        /* 200..300 */
	run_to(w, 150);
	bus_assert(w->p[1], BUS_ACK);                 /* at 150 */
	bus_set_data(w->p[1], 0x1234);
	ck_assert_int_eq(log.n, 3); /* the pulse is still in the future */
	run_to(w, 1000);
	bus_trace_flush(w->bus);
	ck_assert_int_eq(log.n, 5);
	const sim_time_t want_t[] = { 0, 150, 150, 200, 300 };
	for (int i = 0; i < 5; i++)
		ck_assert_uint_eq(log.t[i], want_t[i]);
	ck_assert_uint_eq(log.rec[0].bus.ctl, BUS_BSY);
	ck_assert_uint_eq(log.rec[0].phase, BUS_PH_ARBITRATION);
	ck_assert_uint_eq(log.rec[2].bus.db, 0x1234);
	ck_assert_uint_eq(log.rec[2].bus.dbp, bus_parity(0x1234));
	ck_assert_uint_eq(log.rec[2].port_index, 1);
	ck_assert_uint_eq(log.rec[3].bus.ctl, BUS_BSY | BUS_ACK | BUS_REQ);
	ck_assert_uint_eq(log.rec[3].changed, BUS_REQ);
	ck_assert_uint_eq(log.rec[4].bus.ctl, BUS_BSY | BUS_ACK);
	ck_assert_uint_eq(log.rec[4].width, 16);
	sim_trace_unsubscribe(&w->sim, &sub);
	world_free(w);
}
END_TEST

/* Long runs keep histories short, and sensing stays right. */
/* A change dated before changes already recorded for later keeps them:
 * ATN asserted now survives into a REQ pulse recorded for later, and the
 * pulse's own edges stay. */
START_TEST(override_before_future_changes)
{
	struct world *w = world_new(BUS_NARROW, 0, (uint32_t[]){ 0, 0 }, 2);
	struct seen s = { 0 };
	bus_watch(w->p[1], BUS_REQ | BUS_ATN, BUS_REQ, record, &s);
	bus_pulse(w->p[0], BUS_REQ, 100, 50);       /* 100..150 */
	bus_set_data(w->p[0], 0x42);                /* now, before the pulse */
	bus_assert(w->p[0], BUS_ATN);
	ck_assert_uint_eq(bus_drive_of(w->p[0], 120).ctl, BUS_REQ | BUS_ATN);
	ck_assert_uint_eq(bus_drive_of(w->p[0], 120).db, 0x42);
	ck_assert_uint_eq(bus_drive_of(w->p[0], 150).ctl, BUS_ATN);
	sim_run(&w->sim);
	ck_assert_int_eq(s.n, 3); /* ATN rise at 0, REQ rise, REQ fall */
	ck_assert_uint_eq(s.t[0], 0);
	ck_assert_uint_eq(s.t[1], 100);
	ck_assert_uint_eq(s.now[1].ctl, BUS_REQ | BUS_ATN);
	ck_assert_uint_eq(s.t[2], 150);
	/* releasing REQ early removes the pulse's falling edge at 150 */
	s.n = 0;
	bus_pulse(w->p[0], BUS_REQ, 300, 100);      /* 300..400 */
	run_to(w, 350);
	bus_release(w->p[0], BUS_REQ);              /* at 350 */
	sim_run(&w->sim);
	ck_assert_int_eq(s.n, 2);
	ck_assert_uint_eq(s.t[1], 350);
	ck_assert_uint_eq(bus_drive_of(w->p[0], 400).ctl, BUS_ATN);
	world_free(w);
}
END_TEST

START_TEST(history_stays_bounded)
{
	struct world *w = world_new(BUS_NARROW, 10000,
				    (uint32_t[]){ 0, 10000 }, 2);
	for (int k = 0; k < 100000; k++) {
		bus_set_data(w->p[0], (uint16_t)(k & 0xff));
		run_to(w, sim_now(&w->sim) + 7 * SIM_NS);
		/* p1 is 54 ns away: it sees the value set 8 steps ago */
		if (k >= 8)
			ck_assert_uint_eq(bus_sense(w->p[1]).db,
					  (uint16_t)((k - 7) & 0xff));
	}
	ck_assert_uint_le(w->p[0]->hist_cap, 128);
	world_free(w);
}
END_TEST

/*
 * bus_pulses() records a chunk of synchronous words at once; it must leave
 * exactly what the calls one by one leave: the same drive at every
 * picosecond that matters, the same notifications to a watcher, the same
 * trace.  Two identical buses, one fed each way, including words whose
 * strobe ends just as the next word's data changes (the one-by-one path
 * merges those) and a repeated data value (no change to record).
 */
struct pw_log {
	sim_time_t t[256];
	uint16_t ctl[256];
	int n;
	uint64_t trace;
};

static void pw_notify(struct bus_port *p, struct bus_sig before,
		      struct bus_sig now, void *arg)
{
	(void)before;
	struct pw_log *l = arg;
	if (l->n < 256) {
		l->t[l->n] = sim_now(bus_sim(p->bus));
		l->ctl[l->n++] = now.ctl;
	}
}

static void pw_trace(const struct sim_trace_record *rec, void *arg)
{
	struct pw_log *l = arg;
	const uint8_t *b = rec->data;
	uint64_t h = l->trace ^ rec->time;
	for (uint32_t i = 0; i < rec->len; i++)
		h = (h ^ b[i]) * 0x100000001b3ull;
	l->trace = h;
}

START_TEST(pulses_match_one_by_one)
{
	static const sim_time_t ns = SIM_NS;
	/* data at t, strobe 25 ns later for 50 ns; word 3 ends exactly when
	 * word 4's data changes; word 5 repeats word 4's value */
	const sim_time_t t[6] = { 1000 * ns, 1100 * ns, 1200 * ns, 1300 * ns,
				  1375 * ns, 1500 * ns };
	const uint16_t v[6] = { 0x11, 0x22, 0x33, 0x44, 0x55, 0x55 };
	struct world *a = world_new(BUS_NARROW, 2000,
				    (uint32_t[]){ 0, 2000 }, 2);
	struct world *b = world_new(BUS_NARROW, 2000,
				    (uint32_t[]){ 0, 2000 }, 2);
	struct pw_log la = { .n = 0 }, lb = { .n = 0 };
	struct sim_trace_sub sa, sb;
	sim_trace_subscribe(&a->sim, &sa, SIM_TR_MASK(SIM_TR_BUS_LINES),
			    pw_trace, &la);
	sim_trace_subscribe(&b->sim, &sb, SIM_TR_MASK(SIM_TR_BUS_LINES),
			    pw_trace, &lb);
	bus_watch(a->p[1], BUS_ACK, BUS_ACK, pw_notify, &la);
	bus_watch(b->p[1], BUS_ACK, BUS_ACK, pw_notify, &lb);
	bus_assert(a->p[0], BUS_BSY);
	bus_assert(b->p[0], BUS_BSY);
	/* words 0-3 fit one chunk; 4 starts as 3's strobe ends, so that
	 * chunk goes the one-by-one way inside bus_pulses */
	bus_pulses(a->p[0], t, v, 4, BUS_ACK, 25 * ns, 50 * ns);
	bus_pulses(a->p[0], t + 4, v + 4, 2, BUS_ACK, 25 * ns, 50 * ns);
	for (int k = 0; k < 6; k++) {
		bus_data_at(b->p[0], t[k], v[k]);
		bus_pulse(b->p[0], BUS_ACK, t[k] + 25 * ns, 50 * ns);
	}
	/* and strobes without data (a REQ train) */
	const sim_time_t r[3] = { 2000 * ns, 2100 * ns, 2200 * ns };
	bus_pulses(a->p[0], r, NULL, 3, BUS_ACK, 0, 40 * ns);
	for (int k = 0; k < 3; k++)
		bus_pulse(b->p[0], BUS_ACK, r[k], 40 * ns);
	ck_assert_uint_eq(a->bus->edges, b->bus->edges);
	for (sim_time_t x = 900 * ns; x < 2400 * ns; x += 5 * ns) {
		struct bus_sig da = bus_drive_of(a->p[0], x);
		struct bus_sig db = bus_drive_of(b->p[0], x);
		ck_assert_mem_eq(&da, &db, sizeof da);
	}
	sim_run(&a->sim);
	sim_run(&b->sim);
	bus_trace_flush(a->bus);
	bus_trace_flush(b->bus);
	ck_assert_int_eq(la.n, 18); /* 9 strobes, both edges watched */
	ck_assert_int_eq(la.n, lb.n);
	ck_assert_mem_eq(la.ctl, lb.ctl, sizeof la.ctl);
	ck_assert_mem_eq(la.t, lb.t, sizeof la.t);
	ck_assert_uint_eq(la.trace, lb.trace);
	ck_assert_uint_ne(la.trace, 0);
	sim_trace_unsubscribe(&a->sim, &sa);
	sim_trace_unsubscribe(&b->sim, &sb);
	world_free(a);
	world_free(b);
}
END_TEST

/* A train of pulses longer than a fresh port's history (which starts
 * with room for 32 entries; 100 words with data take 300) is recorded
 * whole: the history grows to what the train needs, not just to twice
 * its size (it used to, and the train wrote past the end).  Every word is
 * then seen by the other port, one cable delay late. */
START_TEST(long_pulse_train_on_a_fresh_port)
{
	static const sim_time_t ns = SIM_NS;
	enum { N = 100 };
	struct world *w = world_new(BUS_NARROW, 1000,
				    (uint32_t[]){ 0, 1000 }, 2);
	sim_time_t t[N];
	uint16_t v[N];
	for (int k = 0; k < N; k++) {
		t[k] = (1000 + 100 * (sim_time_t)k) * ns;
		v[k] = (uint16_t)(k + 1);
	}
	struct pw_log log = { .n = 0 };
	bus_watch(w->p[1], BUS_REQ, 0, pw_notify, &log);
	bus_assert(w->p[0], BUS_BSY);
	bus_pulses(w->p[0], t, v, N, BUS_REQ, 25 * ns, 50 * ns);
	/* recorded ahead: the whole train is in the history */
	for (int k = 0; k < N; k++) {
		struct bus_sig s = bus_drive_of(w->p[0], t[k] + 30 * ns);
		ck_assert_uint_eq(s.db, v[k]);
		ck_assert(s.ctl & BUS_REQ);
		s = bus_drive_of(w->p[0], t[k] + 90 * ns);
		ck_assert(!(s.ctl & BUS_REQ));
	}
	run_to(w, t[N - 1] + 200 * ns);
	ck_assert_int_eq(log.n, N); /* each REQ seen at the far end */
	bus_watch(w->p[1], 0, 0, NULL, NULL);
	world_free(w);
}
END_TEST

Suite *bus_suite(void)
{
	Suite *s = suite_create("bus");
	TCase *tc = tcase_create("lines");
	tcase_add_test(tc, parity_is_odd);
	tcase_add_test(tc, info_phase_encoding);
	tcase_add_test(tc, phase_tracker_sequence);
	tcase_add_test(tc, attach_errors);
	tcase_add_test(tc, propagation_delay);
	tcase_add_test(tc, wired_or);
	tcase_add_test(tc, narrow_bus_drops_high_byte);
	tcase_add_test(tc, notify_on_watched_edges_only);
	tcase_add_test(tc, notify_only_visible_changes);
	tcase_add_test(tc, interlocked_handshake_pays_cable_round_trips);
	tcase_add_test(tc, trace_in_time_order);
	tcase_add_test(tc, override_before_future_changes);
	tcase_add_test(tc, history_stays_bounded);
	tcase_add_test(tc, long_pulse_train_on_a_fresh_port);
	tcase_add_test(tc, pulses_match_one_by_one);
	suite_add_tcase(s, tc);
	return s;
}
