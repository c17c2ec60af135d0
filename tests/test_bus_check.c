/*
 * test_bus_check.c - the protocol checker (bus/bus_check.h).
 *
 * Most tests play one scripted SCSI-2 transaction on a bus, line by line
 * (arbitration, selection, MESSAGE OUT, COMMAND, DATA IN, STATUS, MESSAGE
 * IN, BUS FREE) with every timing at or beyond its limit, and see no
 * report; then they turn one knob that breaks one rule and see exactly
 * the one report expected.
 */
#include <stdio.h>
#include <string.h>

#include "bus.h"
#include "bus_check.h"
#include "suites.h"

#define NS SIM_NS
#define US SIM_US

/* Ports: the initiator (ID 7), the target (ID 3), a third device (ID 5). */
struct sc {
	struct sim sim;
	struct bus *bus;
	struct bus_port *ini, *tgt, *x;
	struct bus_check *chk;
	sim_time_t t;
};

static struct sc *sc_new_bus(enum bus_width width, uint32_t length_mm,
			     uint32_t tgt_pos_mm, enum bus_speed speed)
{
	struct sc *s = calloc(1, sizeof *s);
	ck_assert_ptr_nonnull(s);
	ck_assert_int_eq(sim_init(&s->sim, 1), SN_OK);
	struct bus_config cfg = {
		.name = "bus0", .width = width, .electrical = BUS_SE,
		.speed = speed, .length_mm = length_mm,
	};
	ck_assert_int_eq(bus_create(&s->sim, &cfg, &s->bus), SN_OK);
	ck_assert_int_eq(bus_check_attach(&s->chk, s->bus), SN_OK);
	ck_assert_int_eq(bus_attach(s->bus, "ini", 0, 7, &s->ini), SN_OK);
	ck_assert_int_eq(bus_attach(s->bus, "tgt", tgt_pos_mm, 3, &s->tgt),
			 SN_OK);
	ck_assert_int_eq(bus_attach(s->bus, "x", 0, 5, &s->x), SN_OK);
	return s;
}

static struct sc *sc_new(void)
{
	return sc_new_bus(BUS_NARROW, 0, 0, BUS_SPEED_SCSI2);
}

static void sc_free(struct sc *s)
{
	bus_check_detach(s->chk);
	bus_destroy(s->bus);
	ck_assert_sim_clean(&s->sim);
	sim_fini(&s->sim);
	free(s);
}

/* Advance the script clock by dt and run the sim there. */
static void go(struct sc *s, sim_time_t dt)
{
	s->t += dt;
	ck_assert_int_eq(sim_run_until(&s->sim, s->t), SIM_RUN_REACHED);
}

static size_t nviol(struct sc *s)
{
	bus_trace_flush(s->bus);
	return bus_check_count(s->chk);
}

/* Exactly one violation, of `rule`, by the port `a` (and `b` if not
 * NULL); returns it. */
static const struct bus_check_violation *
only(struct sc *s, enum bus_check_rule rule, const struct bus_port *a,
     const struct bus_port *b)
{
	size_t n = nviol(s);
	if (n != 1) {
		for (size_t i = 0; i < n; i++)
			fprintf(stderr, "  [%zu] %s: %s\n", i,
				bus_check_rule_name(bus_check_get(s->chk, i)
							    ->rule),
				bus_check_get(s->chk, i)->text);
	}
	ck_assert_uint_eq(n, 1);
	const struct bus_check_violation *v = bus_check_get(s->chk, 0);
	ck_assert_msg(v->rule == rule, "got %s: %s",
		      bus_check_rule_name(v->rule), v->text);
	ck_assert_uint_eq(bus_check_rule_count(s->chk, rule), 1);
	ck_assert_uint_eq(bus_check_total(s->chk), 1);
	ck_assert_int_eq(v->port[0].index, (int)a->index);
	ck_assert_int_eq(v->port[0].scsi_id, a->scsi_id);
	if (b != NULL) {
		ck_assert_uint_eq(v->nports, 2);
		ck_assert_int_eq(v->port[1].index, (int)b->index);
		ck_assert_int_eq(v->port[1].scsi_id, b->scsi_id);
	}
	return v;
}

static void none(struct sc *s)
{
	size_t n = nviol(s);
	for (size_t i = 0; i < n; i++)
		fprintf(stderr, "  unexpected [%zu] %s: %s\n", i,
			bus_check_rule_name(bus_check_get(s->chk, i)->rule),
			bus_check_get(s->chk, i)->text);
	ck_assert_uint_eq(n, 0);
	ck_assert_uint_eq(bus_check_total(s->chk), 0);
}

/* Drive DB with `v` and a wrong DB(P): an injected parity fault. */
static void bad_parity(struct bus_port *p, uint16_t v)
{
	struct bus_sig sig = p->drive;
	sig.db = v;
	sig.dbp = bus_parity(v) ^ 1;
	bus_drive_at(p, sim_now(p->bus->sim), sig);
}

/* The target sets MSG, C/D and I/O to `lines`. */
static void set_phase(struct sc *s, uint16_t lines)
{
	struct bus_sig sig = s->tgt->drive;
	sig.ctl = (uint16_t)((sig.ctl & ~(BUS_MSG | BUS_CD | BUS_IO)) | lines);
	bus_drive_at(s->tgt, s->t, sig);
}

/* ---- the scripted transaction --------------------------------------------- */

enum rival { RIVAL_NONE, RIVAL_LOSES, RIVAL_SELECTS, RIVAL_LATE };

struct knobs {
	sim_time_t arb_after_free;  /* BUS FREE to BSY; 1.2 us */
	sim_time_t sel_after_bsy;   /* BSY to SEL; 2.4 us */
	sim_time_t cmd_settle;      /* COMMAND phase to its first REQ */
	enum rival rival;           /* what device x does in arbitration */
	int in_hold_fault;          /* target changes DB before ACK */
	int out_hold_fault;         /* initiator changes DB before REQ off */
	int in_parity_fault;        /* a DATA IN byte with bad DB(P) */
	int out_parity_fault;       /* a COMMAND byte with bad DB(P) */
	int target_intruder;        /* x drives I/O in DATA IN */
	int initiator_intruder;     /* x drives ATN with the initiator */
	int sel_intruder;           /* x asserts SEL while selected */
	int drop_bus;               /* target goes BUS FREE mid DATA IN */
};

static struct knobs good(void)
{
	return (struct knobs){
		.arb_after_free = 1200 * NS,
		.sel_after_bsy = 2400 * NS,
		.cmd_settle = 400 * NS,
	};
}

/* One byte initiator -> target (COMMAND, MESSAGE OUT). */
static void byte_out(struct sc *s, uint8_t v, int bad, int hold_fault)
{
	bus_assert(s->tgt, BUS_REQ);
	go(s, 100 * NS);
	if (bad)
		bad_parity(s->ini, v);
	else
		bus_set_data(s->ini, v);
	go(s, 55 * NS);
	bus_assert(s->ini, BUS_ACK);
	go(s, 100 * NS);
	if (hold_fault)
		bus_set_data(s->ini, (uint8_t)(v ^ 0x40)); /* too soon */
	go(s, 10 * NS);
	bus_release(s->tgt, BUS_REQ);
	go(s, 100 * NS);
	bus_release_data(s->ini); /* REQ is false: allowed */
	bus_release(s->ini, BUS_ACK);
	go(s, 100 * NS);
}

/* One byte target -> initiator (DATA IN, STATUS, MESSAGE IN). */
static void byte_in(struct sc *s, uint8_t v, int bad, int hold_fault)
{
	if (bad)
		bad_parity(s->tgt, v);
	else
		bus_set_data(s->tgt, v);
	go(s, 55 * NS);
	bus_assert(s->tgt, BUS_REQ);
	go(s, 100 * NS);
	if (hold_fault) {
		bus_set_data(s->tgt, (uint8_t)(v ^ 0x10)); /* before ACK */
		go(s, 20 * NS);
	}
	bus_assert(s->ini, BUS_ACK);
	go(s, 100 * NS);
	bus_release(s->tgt, BUS_REQ);
	bus_release_data(s->tgt); /* ACK is true: allowed */
	go(s, 100 * NS);
	bus_release(s->ini, BUS_ACK);
	go(s, 100 * NS);
}

/* A previous connection ends: BUS FREE begins at 1 us. */
static void prologue(struct sc *s)
{
	bus_assert(s->tgt, BUS_BSY);
	go(s, 1 * US);
	bus_release(s->tgt, BUS_BSY);
}

/* Arbitration won by the initiator, then selection of the target with
 * ATN; returns with the nexus made (target BSY, SEL released). */
static void connect(struct sc *s, const struct knobs *k)
{
	go(s, k->arb_after_free);
	bus_assert(s->ini, BUS_BSY);
	bus_set_data(s->ini, 1u << 7);
	sim_time_t bsy_t = s->t;
	if (k->rival == RIVAL_LOSES || k->rival == RIVAL_SELECTS) {
		bus_assert(s->x, BUS_BSY);
		bus_set_data(s->x, 1u << 5);
	}
	if (k->rival == RIVAL_LATE) {
		/* joins 1.9 us after the initiator's BSY ended BUS FREE */
		go(s, 1900 * NS);
		bus_assert(s->x, BUS_BSY);
		bus_set_data(s->x, 1u << 5);
	}
	s->t = bsy_t;
	go(s, k->sel_after_bsy);
	bus_assert(s->ini, BUS_SEL);  /* ID 7 wins */
	if (k->rival == RIVAL_SELECTS)
		bus_assert(s->x, BUS_SEL); /* and x thinks it won too */
	if (k->rival != RIVAL_NONE) {
		go(s, 100 * NS);            /* within a bus clear delay */
		bus_release(s->x, BUS_BSY | BUS_SEL);
		bus_release_data(s->x);
	}
	s->t = bsy_t + k->sel_after_bsy;
	go(s, 1200 * NS);                   /* bus clear + bus settle */
	bus_set_data(s->ini, (1u << 7) | (1u << 3));
	bus_assert(s->ini, BUS_ATN);
	go(s, 90 * NS);                     /* two deskew delays */
	bus_release(s->ini, BUS_BSY);
	go(s, 400 * NS);
	bus_assert(s->tgt, BUS_BSY);        /* selected */
	if (k->sel_intruder) {
		go(s, 10 * NS);
		bus_assert(s->x, BUS_SEL);
		go(s, 10 * NS);
		bus_release(s->x, BUS_SEL);
	}
	go(s, 90 * NS);
	bus_release(s->ini, BUS_SEL);
	bus_release_data(s->ini);
	go(s, 100 * NS);
}

static void transaction(struct sc *s, const struct knobs *k)
{
	prologue(s);
	connect(s, k);
	/* MESSAGE OUT: IDENTIFY; ATN goes false before the last byte */
	set_phase(s, BUS_MSG | BUS_CD);
	go(s, 400 * NS);
	bus_release(s->ini, BUS_ATN);
	byte_out(s, 0xC0, 0, 0);
	/* COMMAND: SEND(6) of 4 bytes */
	set_phase(s, BUS_CD);
	go(s, k->cmd_settle);
	static const uint8_t cdb[6] = { 0x0A, 0, 0, 4, 0, 0 };
	for (int i = 0; i < 6; i++)
		byte_out(s, cdb[i], k->out_parity_fault && i == 0,
			 k->out_hold_fault && i == 2);
	/* DATA IN, four bytes */
	set_phase(s, BUS_IO);
	if (k->target_intruder) {
		go(s, 10 * NS);
		bus_assert(s->x, BUS_IO);
		go(s, 10 * NS);
		bus_release(s->x, BUS_IO);
	}
	if (k->initiator_intruder) {
		go(s, 10 * NS);
		bus_assert(s->ini, BUS_ATN);
		go(s, 10 * NS);
		bus_assert(s->x, BUS_ATN);
		go(s, 10 * NS);
		bus_release(s->x, BUS_ATN);
		bus_release(s->ini, BUS_ATN);
	}
	go(s, 400 * NS);
	for (int i = 0; i < 4; i++) {
		if (k->drop_bus && i == 1) {
			/* REQ is up, DB held, and the target lets go of
			 * everything: an unexpected BUS FREE */
			bus_set_data(s->tgt, 0x55);
			go(s, 55 * NS);
			bus_assert(s->tgt, BUS_REQ);
			go(s, 100 * NS);
			bus_drive_at(s->tgt, s->t,
				     (struct bus_sig){ 0 });
			go(s, 1 * US);
			return;
		}
		byte_in(s, (uint8_t)(0xE0 + i), k->in_parity_fault && i == 2,
			k->in_hold_fault && i == 1);
	}
	/* STATUS: GOOD */
	set_phase(s, BUS_CD | BUS_IO);
	go(s, 400 * NS);
	byte_in(s, 0x00, 0, 0);
	/* MESSAGE IN: COMMAND COMPLETE, then BUS FREE */
	set_phase(s, BUS_MSG | BUS_CD | BUS_IO);
	go(s, 400 * NS);
	byte_in(s, 0x00, 0, 0);
	bus_release(s->tgt, BUS_BSY | BUS_MSG | BUS_CD | BUS_IO);
	go(s, 1 * US);
}

static struct sc *play(const struct knobs *k)
{
	struct sc *s = sc_new();
	transaction(s, k);
	bus_trace_flush(s->bus);
	return s;
}

/* ---- the tests -------------------------------------------------------------- */

START_TEST(clean_transaction_no_reports)
{
	struct knobs k = good();
	struct sc *s = play(&k);
	none(s);
	/* and the phases really were visited */
	ck_assert_uint_gt(s->t, 15 * US);
	sc_free(s);
	/* a rival that arbitrates and loses is fine too */
	k.rival = RIVAL_LOSES;
	s = play(&k);
	none(s);
	sc_free(s);
}
END_TEST

/* Rule 1: REQ a bus settle delay after the phase lines changed. */
START_TEST(rule_req_settle)
{
	struct knobs k = good();
	k.cmd_settle = 400 * NS; /* exactly the limit: fine */
	struct sc *s = play(&k);
	none(s);
	sc_free(s);
	k.cmd_settle = 120 * NS;
	s = play(&k);
	const struct bus_check_violation *v =
		only(s, BUS_CHECK_REQ_SETTLE, s->tgt, NULL);
	ck_assert_uint_eq(v->value, 120 * NS);
	ck_assert_uint_eq(v->limit, 400 * NS);
	ck_assert_int_eq(v->phase, BUS_PH_COMMAND);
	ck_assert_ptr_nonnull(strstr(v->text, "120ns"));
	ck_assert_ptr_nonnull(strstr(v->text, "400ns"));
	ck_assert_ptr_nonnull(strstr(v->text, "5.1.5"));
	sc_free(s);
}
END_TEST

/* Rule 2: two ports driving SEL. */
START_TEST(rule_two_sel)
{
	struct knobs k = good();
	k.rival = RIVAL_LOSES;
	struct sc *s = play(&k);
	none(s);
	sc_free(s);
	k.rival = RIVAL_SELECTS; /* both think they won */
	s = play(&k);
	const struct bus_check_violation *v =
		only(s, BUS_CHECK_SEL_TWO, s->x, s->ini);
	ck_assert_uint_eq(v->value, 2);
	sc_free(s);
	/* and a bystander asserting SEL during selection */
	k = good();
	k.sel_intruder = 1;
	s = play(&k);
	only(s, BUS_CHECK_SEL_TWO, s->x, s->ini);
	sc_free(s);
}
END_TEST

/* Rule 3, IN: the target changes DB after REQ, before ACK. */
START_TEST(rule_data_hold_in)
{
	struct knobs k = good();
	k.in_hold_fault = 1;
	struct sc *s = play(&k);
	const struct bus_check_violation *v =
		only(s, BUS_CHECK_DATA_HOLD, s->tgt, NULL);
	ck_assert_int_eq(v->phase, BUS_PH_DATA_IN);
	ck_assert_ptr_nonnull(strstr(v->text, "100ns after REQ"));
	sc_free(s);
}
END_TEST

/* Rule 3, OUT: the initiator changes DB after ACK, before REQ is false. */
START_TEST(rule_data_hold_out)
{
	struct knobs k = good();
	k.out_hold_fault = 1;
	struct sc *s = play(&k);
	const struct bus_check_violation *v =
		only(s, BUS_CHECK_DATA_HOLD, s->ini, NULL);
	ck_assert_int_eq(v->phase, BUS_PH_COMMAND);
	ck_assert_ptr_nonnull(strstr(v->text, "after ACK"));
	sc_free(s);
}
END_TEST

/* Rule 4: arbitrating too early after BUS FREE. */
START_TEST(rule_arbitration_early)
{
	struct knobs k = good();
	k.arb_after_free = 1000 * NS;
	struct sc *s = play(&k);
	const struct bus_check_violation *v =
		only(s, BUS_CHECK_ARB_EARLY, s->ini, s->tgt);
	ck_assert_uint_eq(v->value, 1000 * NS);
	ck_assert_uint_eq(v->limit, 1200 * NS);
	ck_assert_uint_eq(v->time, 2000 * NS);
	sc_free(s);
}
END_TEST

/* Rule 4: joining an arbitration after the bus set delay. */
START_TEST(rule_arbitration_late)
{
	struct knobs k = good();
	k.rival = RIVAL_LATE;
	struct sc *s = play(&k);
	const struct bus_check_violation *v =
		only(s, BUS_CHECK_ARB_LATE, s->x, s->ini);
	ck_assert_uint_eq(v->value, 1900 * NS);
	ck_assert_uint_eq(v->limit, 1800 * NS);
	sc_free(s);
	/* arbitrating long after BUS FREE, alone, is fine */
	k = good();
	k.arb_after_free = 50 * US;
	s = play(&k);
	none(s);
	sc_free(s);
}
END_TEST

/* Rule 4: SEL before an arbitration delay. */
START_TEST(rule_sel_before_arbitration_delay)
{
	struct knobs k = good();
	k.sel_after_bsy = 2000 * NS;
	struct sc *s = play(&k);
	const struct bus_check_violation *v =
		only(s, BUS_CHECK_ARB_SEL_EARLY, s->ini, NULL);
	ck_assert_uint_eq(v->value, 2000 * NS);
	ck_assert_uint_eq(v->limit, 2400 * NS);
	sc_free(s);
}
END_TEST

/* Rule 4 on a long cable: BUS FREE reaches a port one cable delay after
 * the last release, so the earliest arbitration is later there; joining
 * is measured from when the first BSY reached the joiner. */
START_TEST(rule_arbitration_uses_cable_delay)
{
	/* target 25 m away: 135 ns */
	for (int late = 0; late < 2; late++) {
		struct sc *s = sc_new_bus(BUS_NARROW, 25000, 25000,
					  BUS_SPEED_SCSI2);
		ck_assert_uint_eq(bus_delay(s->ini, s->tgt), 135 * NS);
		prologue(s); /* the far target releases BSY at 1 us */
		go(s, 1200 * NS + (late ? 135 * NS : 0));
		bus_assert(s->ini, BUS_BSY);
		bus_trace_flush(s->bus);
		if (late) {
			none(s);
		} else {
			const struct bus_check_violation *v =
				only(s, BUS_CHECK_ARB_EARLY, s->ini, s->tgt);
			ck_assert_uint_eq(v->value, 1065 * NS);
		}
		sc_free(s);
	}
	/* the far target may join until 1.8 us after the initiator's BSY
	 * reached it */
	for (int extra = 0; extra < 2; extra++) {
		struct sc *s = sc_new_bus(BUS_NARROW, 25000, 25000,
					  BUS_SPEED_SCSI2);
		bus_assert(s->x, BUS_BSY);
		go(s, 1 * US);
		bus_release(s->x, BUS_BSY);
		go(s, 1335 * NS);
		bus_assert(s->ini, BUS_BSY);
		go(s, 135 * NS + 1800 * NS + (sim_time_t)extra);
		bus_assert(s->tgt, BUS_BSY);
		bus_trace_flush(s->bus);
		if (!extra) {
			none(s);
		} else {
			const struct bus_check_violation *v =
				only(s, BUS_CHECK_ARB_LATE, s->tgt, s->ini);
			ck_assert_uint_eq(v->value, 1800 * NS + 1);
		}
		sc_free(s);
	}
}
END_TEST

/* Rule 5: a second driver of target lines. */
START_TEST(rule_target_lines)
{
	struct knobs k = good();
	k.target_intruder = 1;
	struct sc *s = play(&k);
	const struct bus_check_violation *v =
		only(s, BUS_CHECK_TARGET_LINES, s->x, s->tgt);
	ck_assert_uint_eq(v->value, 2);
	ck_assert_int_eq(v->phase, BUS_PH_DATA_IN);
	sc_free(s);
}
END_TEST

/* Rule 5: a second driver of initiator lines; the initiator alone
 * asserting ATN is fine. */
START_TEST(rule_initiator_lines)
{
	struct knobs k = good();
	k.initiator_intruder = 1;
	struct sc *s = play(&k);
	only(s, BUS_CHECK_INITIATOR_LINES, s->x, s->ini);
	sc_free(s);
}
END_TEST

/* Rule 6: parity at REQ (IN) and at ACK (OUT). */
START_TEST(rule_parity)
{
	struct knobs k = good();
	k.in_parity_fault = 1;
	struct sc *s = play(&k);
	const struct bus_check_violation *v =
		only(s, BUS_CHECK_PARITY, s->tgt, NULL);
	ck_assert_int_eq(v->phase, BUS_PH_DATA_IN);
	ck_assert_uint_eq(v->bus.db, 0xE2);
	ck_assert_uint_eq(v->value, bus_parity(0xE2) & 1 ? 0 : 1);
	ck_assert_uint_eq(v->limit, bus_parity(0xE2) & 1);
	sc_free(s);
	k = good();
	k.out_parity_fault = 1;
	s = play(&k);
	v = only(s, BUS_CHECK_PARITY, s->ini, NULL);
	ck_assert_int_eq(v->phase, BUS_PH_COMMAND);
	ck_assert_uint_eq(v->bus.db, 0x0A);
	sc_free(s);
}
END_TEST

/* Rule 6 on a wide bus: DB(P1) is checked when the upper byte is used. */
START_TEST(rule_parity_wide)
{
	for (int mode = 0; mode < 3; mode++) {
		struct sc *s = sc_new_bus(BUS_WIDE, 0, 0, BUS_SPEED_FAST);
		struct knobs k = good();
		prologue(s);
		connect(s, &k);
		set_phase(s, BUS_IO);
		go(s, 400 * NS);
		struct bus_sig sig = s->tgt->drive;
		if (mode == 0) {        /* a 16-bit byte pair, right */
			sig.db = 0x1234;
			sig.dbp = bus_parity(0x1234);
		} else if (mode == 1) { /* narrow: upper byte unused */
			sig.db = 0x0034;
			sig.dbp = bus_parity(0x34) & 1;
		} else {                /* DB(P1) wrong */
			sig.db = 0x1234;
			sig.dbp = bus_parity(0x1234) ^ 2;
		}
		bus_drive_at(s->tgt, s->t, sig);
		go(s, 55 * NS);
		bus_assert(s->tgt, BUS_REQ);
		go(s, 100 * NS);
		if (mode < 2) {
			none(s);
		} else {
			const struct bus_check_violation *v =
				only(s, BUS_CHECK_PARITY, s->tgt, NULL);
			ck_assert_uint_eq(v->value,
					  (bus_parity(0x1234) ^ 2) & 3);
			ck_assert_uint_eq(v->limit, bus_parity(0x1234));
			ck_assert_ptr_nonnull(strstr(v->text, "1234h"));
		}
		sc_free(s);
	}
}
END_TEST

/* Rule 7: RST held for the reset hold time. */
START_TEST(rule_rst_short)
{
	struct sc *s = sc_new();
	go(s, 1 * US);
	bus_assert(s->ini, BUS_RST);
	go(s, 25 * US);
	bus_release(s->ini, BUS_RST);
	go(s, 10 * US);
	/* two ports overlapping: the bus sees one long reset */
	bus_assert(s->ini, BUS_RST);
	go(s, 10 * US);
	bus_assert(s->tgt, BUS_RST);
	go(s, 10 * US);
	bus_release(s->ini, BUS_RST);
	go(s, 10 * US);
	bus_release(s->tgt, BUS_RST);
	go(s, 10 * US);
	none(s);
	bus_assert(s->tgt, BUS_RST);
	go(s, 20 * US);
	bus_release(s->tgt, BUS_RST);
	go(s, 1 * US);
	const struct bus_check_violation *v =
		only(s, BUS_CHECK_RST_SHORT, s->tgt, NULL);
	ck_assert_uint_eq(v->value, 20 * US);
	ck_assert_uint_eq(v->limit, 25 * US);
	ck_assert_ptr_nonnull(strstr(v->text, "20us"));
	ck_assert_ptr_nonnull(strstr(v->text, "25us"));
	sc_free(s);
}
END_TEST

/* Rule 8: an unexpected BUS FREE is the initiator's business. */
START_TEST(unexpected_bus_free_not_flagged)
{
	struct knobs k = good();
	k.drop_bus = 1;
	struct sc *s = play(&k);
	none(s);
	/* and the next arbitration is timed from that BUS FREE */
	go(s, 200 * NS);
	bus_assert(s->ini, BUS_BSY);
	go(s, 1 * US);
	none(s);
	sc_free(s);
}
END_TEST

/* A DATA IN phase of REQ pulses in which the target changes DB while REQ
 * is still asserted (allowed after the hold time in synchronous mode). */
static void sync_pulse(struct sc *s, uint8_t v)
{
	bus_set_data(s->tgt, v);
	go(s, 55 * NS);
	bus_assert(s->tgt, BUS_REQ);
	go(s, 50 * NS);
	bus_set_data(s->tgt, (uint8_t)~v);
	go(s, 40 * NS);
	bus_release(s->tgt, BUS_REQ);
	go(s, 100 * NS);
}

static void sync_ack(struct sc *s)
{
	bus_assert(s->ini, BUS_ACK);
	go(s, 90 * NS);
	bus_release(s->ini, BUS_ACK);
	go(s, 100 * NS);
}

/* Rule 3, synchronous: the REQ/ACK offset of a declared agreement. */
START_TEST(rule_sync_offset)
{
	for (int declared = 0; declared < 2; declared++) {
		struct sc *s = sc_new();
		if (declared) {
			ck_assert_int_eq(bus_check_set_sync(s->chk, 7, 3, 2),
					 SN_OK);
		}
		struct knobs k = good();
		prologue(s);
		connect(s, &k);
		set_phase(s, BUS_IO);
		go(s, 400 * NS);
		sync_pulse(s, 0x11);
		sync_pulse(s, 0x22);  /* 2 outstanding: the offset */
		sync_ack(s);
		sync_pulse(s, 0x33);  /* 2 outstanding again */
		if (declared)
			none(s);
		else /* asynchronous: every DB change before ACK */
			ck_assert_uint_eq(bus_check_rule_count(
				s->chk, BUS_CHECK_DATA_HOLD), 3);
		sync_pulse(s, 0x44);  /* 3 outstanding */
		if (declared) {
			const struct bus_check_violation *v =
				only(s, BUS_CHECK_SYNC_OFFSET, s->tgt, NULL);
			ck_assert_uint_eq(v->value, 3);
			ck_assert_uint_eq(v->limit, 2);
		} else {
			ck_assert_uint_eq(bus_check_rule_count(
				s->chk, BUS_CHECK_SYNC_OFFSET), 0);
			ck_assert_uint_eq(bus_check_total(s->chk), 4);
		}
		sc_free(s);
	}
}
END_TEST

/* The agreement follows the nexus through a reselection (the target
 * selects the initiator), and an RST cancels it. */
static void reselect(struct sc *s)
{
	go(s, 1200 * NS);
	bus_assert(s->tgt, BUS_BSY);
	bus_set_data(s->tgt, 1u << 3);
	go(s, 2400 * NS);
	bus_assert(s->tgt, BUS_SEL);
	go(s, 1200 * NS);
	bus_set_data(s->tgt, (1u << 3) | (1u << 7));
	bus_assert(s->tgt, BUS_IO);
	go(s, 90 * NS);
	bus_release(s->tgt, BUS_BSY);
	go(s, 400 * NS);
	bus_assert(s->ini, BUS_BSY);        /* reselected */
	go(s, 100 * NS);
	bus_assert(s->tgt, BUS_BSY);
	go(s, 90 * NS);
	bus_release(s->tgt, BUS_SEL);
	bus_release_data(s->tgt);
	go(s, 50 * NS);
	bus_release(s->ini, BUS_BSY);
	go(s, 400 * NS);
}

START_TEST(sync_follows_reselection_and_reset)
{
	struct sc *s = sc_new();
	ck_assert_int_eq(bus_check_set_sync(s->chk, 7, 3, 1), SN_OK);
	prologue(s);
	reselect(s);
	none(s);
	set_phase(s, BUS_IO);
	go(s, 400 * NS);
	sync_pulse(s, 0x01);
	none(s);
	sync_pulse(s, 0x02);  /* offset 1 exceeded */
	only(s, BUS_CHECK_SYNC_OFFSET, s->tgt, NULL);
	sync_ack(s);
	sync_ack(s);
	bus_release(s->tgt, BUS_BSY | BUS_IO);
	/* a reset: the agreement is gone, transfers are asynchronous */
	go(s, 1 * US);
	bus_assert(s->ini, BUS_RST);
	go(s, 25 * US);
	bus_release(s->ini, BUS_RST);
	reselect(s);
	set_phase(s, BUS_IO);
	go(s, 400 * NS);
	sync_pulse(s, 0x03);
	ck_assert_uint_eq(bus_check_rule_count(s->chk, BUS_CHECK_DATA_HOLD),
			  1);
	ck_assert_uint_eq(bus_check_total(s->chk), 2);
	sc_free(s);
}
END_TEST

/* Each violation is also a SIM_TR_BUS_CHECK record. */
struct check_log {
	int n;
	struct sim_trace_record rec;
	struct bus_check_violation v;
};

static void check_cb(const struct sim_trace_record *r, void *arg)
{
	struct check_log *l = arg;
	l->n++;
	l->rec = *r;
	ck_assert_uint_eq(r->len, sizeof(struct bus_check_violation));
	memcpy(&l->v, r->data, sizeof l->v);
}

START_TEST(violation_is_traced)
{
	struct sc *s = sc_new();
	struct check_log log = { 0 };
	struct sim_trace_sub sub;
	sim_trace_subscribe(&s->sim, &sub, SIM_TR_MASK(SIM_TR_BUS_CHECK),
			    check_cb, &log);
	struct knobs k = good();
	k.cmd_settle = 200 * NS;
	transaction(s, &k);
	bus_trace_flush(s->bus);
	ck_assert_int_eq(log.n, 1);
	ck_assert_uint_eq(bus_check_count(s->chk), 1);
	const struct bus_check_violation *v = bus_check_get(s->chk, 0);
	ck_assert_int_eq(log.rec.kind, SIM_TR_BUS_CHECK);
	ck_assert_uint_eq(log.rec.flags, BUS_CHECK_REQ_SETTLE);
	ck_assert_uint_eq(log.rec.time, v->time);
	ck_assert_str_eq(sim_trace_source_name(&s->sim, log.rec.source),
			 "bus0/check");
	ck_assert_int_eq(memcmp(&log.v, v, sizeof *v), 0);
	ck_assert_ptr_null(bus_check_get(s->chk, 1));
	sim_trace_unsubscribe(&s->sim, &sub);
	sc_free(s);
}
END_TEST

/* The stored list keeps the first BUS_CHECK_KEEP; the rest are counted. */
START_TEST(stored_list_is_capped)
{
	struct sc *s = sc_new();
	const unsigned n = BUS_CHECK_KEEP + 5;
	for (unsigned i = 0; i < n; i++) {
		bus_assert(s->x, BUS_RST);
		go(s, 1 * US);
		bus_release(s->x, BUS_RST);
		go(s, 1 * US);
	}
	bus_trace_flush(s->bus);
	ck_assert_uint_eq(bus_check_count(s->chk), BUS_CHECK_KEEP);
	ck_assert_uint_eq(bus_check_total(s->chk), n);
	ck_assert_uint_eq(bus_check_dropped(s->chk), 5);
	ck_assert_uint_eq(bus_check_rule_count(s->chk, BUS_CHECK_RST_SHORT),
			  n);
	ck_assert_uint_eq(bus_check_get(s->chk, BUS_CHECK_KEEP - 1)->time,
			  (sim_time_t)(2 * (BUS_CHECK_KEEP - 1) + 1) * US);
	ck_assert_ptr_null(bus_check_get(s->chk, BUS_CHECK_KEEP));
	sc_free(s);
}
END_TEST

/* Watching changes nothing: the same script runs the same events and
 * ends at the same time with or without a checker, and a faulty one is
 * reported identically twice (determinism). */
START_TEST(checker_does_not_change_the_model)
{
	struct knobs k = good();
	k.in_parity_fault = 1;
	struct sc *a = play(&k);
	struct sc *b = sc_new();
	bus_check_detach(b->chk);
	b->chk = NULL;
	transaction(b, &k);
	ck_assert_uint_eq(sim_events_run(&a->sim), sim_events_run(&b->sim));
	ck_assert_uint_eq(sim_now(&a->sim), sim_now(&b->sim));
	ck_assert_uint_eq(a->bus->edges, b->bus->edges);
	struct sc *c = play(&k);
	ck_assert_uint_eq(bus_check_count(a->chk), 1);
	ck_assert_int_eq(memcmp(bus_check_get(a->chk, 0),
				bus_check_get(c->chk, 0),
				sizeof(struct bus_check_violation)), 0);
	sc_free(a);
	sc_free(b);
	sc_free(c);
}
END_TEST

START_TEST(api_errors_and_names)
{
	struct sc *s = sc_new();
	struct bus_check *c;
	ck_assert_int_eq(bus_check_attach(&c, NULL), SN_EINVAL);
	ck_assert_int_eq(bus_check_attach(NULL, s->bus), SN_EINVAL);
	ck_assert_int_eq(bus_check_set_sync(s->chk, 8, 3, 1), SN_ERANGE);
	ck_assert_int_eq(bus_check_set_sync(s->chk, 7, -1, 1), SN_ERANGE);
	ck_assert_int_eq(bus_check_set_sync(s->chk, 7, 3, 256), SN_ERANGE);
	ck_assert_int_eq(bus_check_set_sync(s->chk, 7, 3, 0), SN_OK);
	ck_assert_str_eq(bus_check_rule_name(BUS_CHECK_PARITY), "parity");
	ck_assert_str_eq(bus_check_rule_name(BUS_CHECK_RULE_COUNT_), "?");
	for (int r = 0; r < BUS_CHECK_RULE_COUNT_; r++)
		ck_assert_str_ne(bus_check_rule_name(
					 (enum bus_check_rule)r), "?");
	ck_assert_uint_eq(bus_check_rule_count(s->chk, BUS_CHECK_RULE_COUNT_),
			  0);
	bus_check_detach(NULL);
	sc_free(s);
}
END_TEST

Suite *bus_check_suite(void)
{
	Suite *s = suite_create("bus_check");
	TCase *tc = tcase_create("rules");
	tcase_add_test(tc, clean_transaction_no_reports);
	tcase_add_test(tc, rule_req_settle);
	tcase_add_test(tc, rule_two_sel);
	tcase_add_test(tc, rule_data_hold_in);
	tcase_add_test(tc, rule_data_hold_out);
	tcase_add_test(tc, rule_arbitration_early);
	tcase_add_test(tc, rule_arbitration_late);
	tcase_add_test(tc, rule_sel_before_arbitration_delay);
	tcase_add_test(tc, rule_arbitration_uses_cable_delay);
	tcase_add_test(tc, rule_target_lines);
	tcase_add_test(tc, rule_initiator_lines);
	tcase_add_test(tc, rule_parity);
	tcase_add_test(tc, rule_parity_wide);
	tcase_add_test(tc, rule_rst_short);
	tcase_add_test(tc, unexpected_bus_free_not_flagged);
	tcase_add_test(tc, rule_sync_offset);
	tcase_add_test(tc, sync_follows_reselection_and_reset);
	tcase_add_test(tc, violation_is_traced);
	tcase_add_test(tc, stored_list_is_capped);
	tcase_add_test(tc, checker_does_not_change_the_model);
	tcase_add_test(tc, api_errors_and_names);
	suite_add_tcase(s, tc);
	return s;
}
