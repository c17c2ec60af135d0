/*
 * test_bus_dev.c - the SCSI-2 protocol engine: arbitration, selection,
 * time-out, priority (narrow and wide) and asynchronous transfers, with
 * times read from the simulation checked against the spec's rules.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bus_check.h"
#include "bus_dev.h"
#include "suites.h"

/* A target that answers every command: TEST UNIT READY (no data), READ
 * style commands (DATA IN of its pattern buffer, length from CDB byte 4 or
 * bytes 7-8), SEND MESSAGE(10) (DATA OUT into its buffer). */
struct tgt {
	int completed;            /* command_done calls */
	uint8_t buf[70000];
	uint32_t got_len;
	int commands;
	int last_initiator;
	uint8_t last_lun;
	uint8_t last_cdb[16];
};

static sim_time_t g_busy_time; /* how long commands take (disconnect) */

static void tgt_command(struct bus_dev *dev, int initiator, uint8_t lun,
			const uint8_t *cdb, uint8_t cdb_len,
			struct bus_target_reply *reply, void *arg)
{
	(void)dev;
	struct tgt *t = arg;
	reply->busy_time = g_busy_time;
	t->commands++;
	t->last_initiator = initiator;
	t->last_lun = lun;
	memcpy(t->last_cdb, cdb, cdb_len);
	reply->status = 0x00; /* GOOD */
	switch (cdb[0]) {
	case 0x2A: /* SEND MESSAGE(10): length in bytes 7-8 */
		reply->dir = BUS_DIR_OUT;
		reply->data = t->buf;
		reply->data_len = (uint32_t)(cdb[7] << 8 | cdb[8]);
		t->got_len = reply->data_len;
		break;
	case 0x08: /* a 6-byte read: length in byte 4 */
		reply->dir = BUS_DIR_IN;
		reply->data = t->buf;
		reply->data_len = cdb[4];
		break;
	default:
		reply->dir = BUS_DIR_NONE;
		break;
	}
}

static void tgt_done(struct bus_dev *dev, int initiator,
		     const struct bus_target_reply *reply, void *arg)
{
	(void)dev;
	(void)initiator;
	(void)reply;
	((struct tgt *)arg)->completed++;
}

static const struct bus_dev_target_ops tgt_ops = { tgt_command, tgt_done };

struct world {
	struct sim sim;
	struct bus *bus;
	struct bus_dev *dev[4];
	struct tgt *tgt;
};

static struct world *world_new(enum bus_width width, uint32_t length_mm)
{
	struct world *w = calloc(1, sizeof *w);
	ck_assert_ptr_nonnull(w);
	w->tgt = calloc(1, sizeof *w->tgt);
	ck_assert_ptr_nonnull(w->tgt);
	ck_assert_int_eq(sim_init(&w->sim, 1), SN_OK);
	struct bus_config cfg = {
		.name = "scsi0", .width = width, .electrical = BUS_SE,
		.speed = BUS_SPEED_SCSI2, .length_mm = length_mm,
	};
	ck_assert_int_eq(bus_create(&w->sim, &cfg, &w->bus), SN_OK);
	return w;
}

static struct bus_dev *add_dev(struct world *w, int slot, int id,
			       uint32_t pos_mm, int is_target)
{
	struct bus_dev_config c = {
		.id = id, .latency = BUS_DEV_DEFAULT_LATENCY,
		.target = is_target ? &tgt_ops : NULL, .target_arg = w->tgt,
	};
	char name[8] = { 'd', (char)('0' + slot), 0 };
	ck_assert_int_eq(bus_dev_create(w->bus, name, pos_mm, &c,
					&w->dev[slot]), SN_OK);
	return w->dev[slot];
}

static void world_free(struct world *w)
{
	for (int i = 0; i < 4; i++)
		bus_dev_destroy(w->dev[i]);
	bus_destroy(w->bus);
	ck_assert_sim_clean(&w->sim);
	sim_fini(&w->sim);
	free(w->tgt);
	free(w);
}

static int g_done_order[8], g_done_n;

static void on_done(struct bus_dev *dev, struct bus_cmd *cmd, void *arg)
{
	(void)dev;
	(void)cmd;
	g_done_order[g_done_n++] = (int)(intptr_t)arg;
}

static void tur(struct bus_cmd *c, int target, intptr_t tag)
{
	memset(c, 0, sizeof *c);
	c->target = target;
	c->cdb_len = 6; /* TEST UNIT READY: 00 00 00 00 00 00 */
	c->done = on_done;
	c->arg = (void *)tag;
}

#define T (BUS_SETTLE_DELAY)

/*
 * Idle bus, both devices at the same point (no cable delay): the
 * initiator detects BUS FREE a bus settle delay after time 0, waits a bus
 * free delay, arbitrates for an arbitration delay, asserts SEL and waits a
 * bus clear plus a bus settle delay, puts the IDs on DB and waits two
 * deskew delays before releasing BSY.  The target sees BSY fall, confirms
 * the selection for a bus settle delay and answers with BSY after its
 * latency; the initiator releases SEL two deskew delays after that.
 */
START_TEST(idle_bus_selection_timing)
{
	struct world *w = world_new(BUS_NARROW, 0);
	struct bus_dev *ini = add_dev(w, 0, 7, 0, 0);
	add_dev(w, 1, 3, 0, 1);
	struct bus_cmd c;
	tur(&c, 3, 1);
	g_done_n = 0;
	ck_assert_int_eq(bus_dev_command(ini, &c), SN_OK);
	sim_run(&w->sim);
	ck_assert_int_eq(c.result, BUS_CMD_DONE);
	ck_assert_uint_eq(c.status, 0);
	sim_time_t arb = BUS_SETTLE_DELAY + BUS_FREE_DELAY;
	sim_time_t sel = arb + BUS_ARBITRATION_DELAY;
	sim_time_t ids = sel + BUS_CLEAR_DELAY + BUS_SETTLE_DELAY;
	sim_time_t bsy_off = ids + 2 * BUS_DESKEW_DELAY;
	sim_time_t target_bsy = bsy_off + BUS_SETTLE_DELAY +
				BUS_DEV_DEFAULT_LATENCY;
	sim_time_t selected = target_bsy + 2 * BUS_DESKEW_DELAY;
	ck_assert_uint_eq(c.t_selected, selected); /* 5.43 us */
	ck_assert_uint_eq(selected, 5430 * SIM_NS);
	ck_assert_int_eq(w->tgt->commands, 1);
	ck_assert_int_eq(w->tgt->last_initiator, 7);
	ck_assert_uint_eq(bus_dev_stats(ini)->arb_won, 1);
	ck_assert_uint_eq(bus_dev_stats(w->dev[1])->selected, 1);
	world_free(w);
}
END_TEST

/* Two initiators want the bus at once: ID 7 outranks ID 3, which loses,
 * retries at the next BUS FREE and completes second. */
START_TEST(higher_id_wins_loser_retries)
{
	struct world *w = world_new(BUS_NARROW, 1000);
	struct bus_dev *lo = add_dev(w, 0, 3, 0, 0);
	struct bus_dev *hi = add_dev(w, 1, 7, 500, 0);
	add_dev(w, 2, 5, 1000, 1);
	struct bus_cmd a, b;
	tur(&a, 5, 3);
	tur(&b, 5, 7);
	g_done_n = 0;
	ck_assert_int_eq(bus_dev_command(lo, &a), SN_OK);
	ck_assert_int_eq(bus_dev_command(hi, &b), SN_OK);
	sim_run(&w->sim);
	ck_assert_int_eq(a.result, BUS_CMD_DONE);
	ck_assert_int_eq(b.result, BUS_CMD_DONE);
	ck_assert_int_eq(g_done_n, 2);
	ck_assert_int_eq(g_done_order[0], 7);
	ck_assert_int_eq(g_done_order[1], 3);
	ck_assert_uint_eq(bus_dev_stats(lo)->arb_lost, 1);
	ck_assert_uint_eq(bus_dev_stats(lo)->arb_won, 1);
	ck_assert_uint_eq(bus_dev_stats(hi)->arb_lost, 0);
	/* the loser selected only after the winner's command ended */
	ck_assert_uint_gt(a.t_selected, b.t_done);
	world_free(w);
}
END_TEST

/* Wide bus priority: 7..0 then 15..8, so ID 0 beats ID 8 and ID 1 beats
 * ID 15. */
static int winner(int id_a, int id_b)
{
	struct world *w = world_new(BUS_WIDE, 0);
	struct bus_dev *a = add_dev(w, 0, id_a, 0, 0);
	struct bus_dev *b = add_dev(w, 1, id_b, 0, 0);
	add_dev(w, 2, 6, 0, 1);
	struct bus_cmd ca, cb;
	tur(&ca, 6, id_a);
	tur(&cb, 6, id_b);
	g_done_n = 0;
	bus_dev_command(a, &ca);
	bus_dev_command(b, &cb);
	sim_run(&w->sim);
	ck_assert_int_eq(g_done_n, 2);
	int first = g_done_order[0];
	world_free(w);
	return first;
}

START_TEST(wide_priority_order)
{
	ck_assert_int_eq(winner(0, 8), 0);
	ck_assert_int_eq(winner(8, 0), 0);
	ck_assert_int_eq(winner(1, 15), 1);
	ck_assert_int_eq(winner(15, 9), 15);
	ck_assert_int_eq(winner(7, 5), 7);
}
END_TEST

/* Selecting an ID nobody has: no BSY within the selection time-out (here
 * 1 ms), then the abort procedure: DB and ATN released, a selection abort
 * time plus two deskew delays, SEL released. */
START_TEST(absent_id_times_out)
{
	struct world *w = world_new(BUS_NARROW, 0);
	struct bus_dev_config cfg = { .id = 7, .latency = 0,
				      .sel_timeout = 1 * SIM_MS };
	ck_assert_int_eq(bus_dev_create(w->bus, "ini", 0, &cfg, &w->dev[0]),
			 SN_OK);
	struct bus_cmd c;
	tur(&c, 2, 7);
	ck_assert_int_eq(bus_dev_command(w->dev[0], &c), SN_OK);
	sim_run(&w->sim);
	ck_assert_int_eq(c.result, BUS_CMD_SEL_TIMEOUT);
	sim_time_t bsy_off = BUS_SETTLE_DELAY + BUS_FREE_DELAY +
			     BUS_ARBITRATION_DELAY + BUS_CLEAR_DELAY +
			     BUS_SETTLE_DELAY + 2 * BUS_DESKEW_DELAY;
	ck_assert_uint_eq(c.t_done, bsy_off + 1 * SIM_MS +
				    BUS_SELECTION_ABORT_TIME +
				    2 * BUS_DESKEW_DELAY);
	ck_assert_uint_eq(bus_dev_stats(w->dev[0])->sel_timeouts, 1);
	/* the bus is free again */
	ck_assert_uint_eq(bus_sense(bus_dev_port(w->dev[0])).ctl, 0);
	world_free(w);
}
END_TEST

/* SEND MESSAGE(10) with 512 bytes of DATA OUT, then a 200-byte DATA IN;
 * the bytes arrive intact and the target saw the CDB and IDENTIFY. */
static sim_time_t send_message(uint32_t length_mm, uint32_t n,
			       struct bus_cmd *out, uint8_t *payload)
{
	struct world *w = world_new(BUS_NARROW, length_mm);
	struct bus_dev *ini = add_dev(w, 0, 7, 0, 0);
	add_dev(w, 1, 2, length_mm, 1);
	struct bus_cmd c;
	memset(&c, 0, sizeof c);
	c.target = 2;
	c.lun = 0;
	c.cdb_len = 10;
	c.cdb[0] = 0x2A;
	c.cdb[7] = (uint8_t)(n >> 8);
	c.cdb[8] = (uint8_t)n;
	c.dir = BUS_DIR_OUT;
	c.data = payload;
	c.data_len = n;
	ck_assert_int_eq(bus_dev_command(ini, &c), SN_OK);
	sim_run(&w->sim);
	ck_assert_int_eq(c.result, BUS_CMD_DONE);
	ck_assert_uint_eq(c.data_moved, n);
	ck_assert_uint_eq(w->tgt->got_len, n);
	ck_assert_mem_eq(w->tgt->buf, payload, n);
	ck_assert_uint_eq(w->tgt->last_cdb[0], 0x2A);
	*out = c;
	world_free(w);
	return c.t_done - c.t_selected;
}

START_TEST(data_out_intact_and_cable_costs_round_trips)
{
	enum { N = 512 };
	static uint8_t payload[N];
	for (int i = 0; i < N; i++)
		payload[i] = (uint8_t)(i * 7 + 1);
	struct bus_cmd c1, c25;
	sim_time_t t1 = send_message(1000, N, &c1, payload);
	sim_time_t t25 = send_message(25000, N, &c25, payload);
	/* every byte of every phase is a full REQ/ACK interlock: four
	 * one-way cable delays; 24 m more is 24 x 5.4 ns more each way */
	uint32_t bytes = 1 + 10 + N + 1 + 1; /* IDENTIFY, CDB, data, status, msg */
	sim_time_t extra = (sim_time_t)bytes * 4 * 24 * 5400;
	ck_assert_uint_ge(t25 - t1, extra);
	ck_assert_uint_le(t25 - t1, extra + 8 * 24 * 5400);
}
END_TEST

START_TEST(data_in_and_identify_lun)
{
	struct world *w = world_new(BUS_NARROW, 2000);
	struct bus_dev *ini = add_dev(w, 0, 6, 0, 0);
	add_dev(w, 1, 1, 2000, 1);
	for (int i = 0; i < 200; i++)
		w->tgt->buf[i] = (uint8_t)(255 - i);
	uint8_t in[200];
	struct bus_cmd c;
	memset(&c, 0, sizeof c);
	c.target = 1;
	c.lun = 3;
	c.cdb_len = 6;
	c.cdb[0] = 0x08;
	c.cdb[4] = 200;
	c.dir = BUS_DIR_IN;
	c.data = in;
	c.data_len = sizeof in;
	ck_assert_int_eq(bus_dev_command(ini, &c), SN_OK);
	sim_run(&w->sim);
	ck_assert_int_eq(c.result, BUS_CMD_DONE);
	ck_assert_uint_eq(c.data_moved, 200);
	ck_assert_mem_eq(in, w->tgt->buf, 200);
	ck_assert_uint_eq(w->tgt->last_lun, 3);
	ck_assert_int_eq(w->tgt->last_initiator, 6);
	world_free(w);
}
END_TEST

/* --- negotiation, synchronous and wide transfers ------------------------ */

struct pair {
	struct world *w;
	struct bus_dev *ini, *tgt;
};

static struct pair pair_new(enum bus_width width, enum bus_speed speed,
			    uint32_t length_mm,
			    const struct bus_dev_config *ic,
			    const struct bus_dev_config *tc)
{
	struct pair p;
	p.w = calloc(1, sizeof *p.w);
	ck_assert_ptr_nonnull(p.w);
	p.w->tgt = calloc(1, sizeof *p.w->tgt);
	ck_assert_ptr_nonnull(p.w->tgt);
	ck_assert_int_eq(sim_init(&p.w->sim, 1), SN_OK);
	struct bus_config cfg = {
		.name = "scsi0", .width = width, .electrical = BUS_SE,
		.speed = speed, .length_mm = length_mm,
	};
	ck_assert_int_eq(bus_create(&p.w->sim, &cfg, &p.w->bus), SN_OK);
	struct bus_dev_config i = *ic, t = *tc;
	t.target = &tgt_ops;
	t.target_arg = p.w->tgt;
	ck_assert_int_eq(bus_dev_create(p.w->bus, "ini", 0, &i, &p.w->dev[0]),
			 SN_OK);
	ck_assert_int_eq(bus_dev_create(p.w->bus, "tgt", length_mm, &t,
					&p.w->dev[1]), SN_OK);
	p.ini = p.w->dev[0];
	p.tgt = p.w->dev[1];
	return p;
}

/* Run SEND MESSAGE(10) with n bytes; returns the command. */
static struct bus_cmd run_send(struct pair *p, const uint8_t *payload,
			       uint32_t n)
{
	struct bus_cmd c;
	memset(&c, 0, sizeof c);
	c.target = 2;
	c.cdb_len = 10;
	c.cdb[0] = 0x2A;
	c.cdb[7] = (uint8_t)(n >> 8);
	c.cdb[8] = (uint8_t)n;
	c.dir = BUS_DIR_OUT;
	c.data = (uint8_t *)(uintptr_t)payload;
	c.data_len = n;
	ck_assert_int_eq(bus_dev_command(p->ini, &c), SN_OK);
	sim_run(&p->w->sim);
	ck_assert_int_eq(c.result, BUS_CMD_DONE);
	ck_assert_uint_eq(c.data_moved, n);
	ck_assert_uint_eq(p->w->tgt->got_len, n);
	ck_assert_mem_eq(p->w->tgt->buf, payload, n);
	return c;
}

static uint8_t g_payload[65536];

static void fill_payload(void)
{
	for (size_t i = 0; i < sizeof g_payload; i++)
		g_payload[i] = (uint8_t)(i * 13 + (i >> 8));
}

#define DEV(id_, per, off, wide_) \
	((struct bus_dev_config){ .id = (id_), .latency = BUS_DEV_DEFAULT_LATENCY, \
				  .sync_period = (per), .sync_offset = (off), \
				  .wide = (wide_) })

START_TEST(sdtr_echo_agrees)
{
	struct pair p = pair_new(BUS_NARROW, BUS_SPEED_SCSI2, 1000,
				 &DEV(7, 200 * SIM_NS, 8, 0),
				 &DEV(2, 200 * SIM_NS, 8, 0));
	run_send(&p, g_payload, 100);
	struct bus_agreement a = bus_dev_agreement(p.ini, 2);
	struct bus_agreement b = bus_dev_agreement(p.tgt, 7);
	ck_assert(a.negotiated);
	ck_assert_uint_eq(a.period, 200 * SIM_NS);  /* factor 50 */
	ck_assert_uint_eq(a.offset, 8);
	ck_assert_uint_eq(b.period, 200 * SIM_NS);
	ck_assert_uint_eq(b.offset, 8);
	ck_assert_uint_eq(a.wide, 0);
	world_free(p.w);
}
END_TEST

/* A slower target counter-offers a longer period and a smaller offset;
 * the initiator takes it. */
START_TEST(sdtr_counter_offer)
{
	struct pair p = pair_new(BUS_NARROW, BUS_SPEED_SCSI2, 1000,
				 &DEV(7, 200 * SIM_NS, 8, 0),
				 &DEV(2, 400 * SIM_NS, 4, 0));
	struct bus_check *chk;
	ck_assert_int_eq(bus_check_attach(&chk, p.w->bus), SN_OK);
	run_send(&p, g_payload, 100);
	ck_assert_uint_eq(bus_check_agreed_offset(chk, 7, 2), 4);
	ck_assert_uint_eq(bus_check_count(chk), 0);
	bus_check_detach(chk);
	struct bus_agreement a = bus_dev_agreement(p.ini, 2);
	ck_assert_uint_eq(a.period, 400 * SIM_NS);  /* factor 100 */
	ck_assert_uint_eq(a.offset, 4);
	ck_assert_uint_eq(bus_dev_agreement(p.tgt, 7).offset, 4);
	ck_assert_uint_eq(bus_dev_stats(p.ini)->msg_rejects_sent, 0);
	world_free(p.w);
}
END_TEST

/* An asynchronous-only target answers offset 0: both stay async. */
START_TEST(sdtr_async_target)
{
	struct pair p = pair_new(BUS_NARROW, BUS_SPEED_SCSI2, 1000,
				 &DEV(7, 200 * SIM_NS, 8, 0),
				 &DEV(2, 0, 0, 0));
	run_send(&p, g_payload, 300);
	ck_assert_uint_eq(bus_dev_agreement(p.ini, 2).offset, 0);
	ck_assert_uint_eq(bus_dev_agreement(p.ini, 2).period, 0);
	world_free(p.w);
}
END_TEST

/* WDTR on a wide bus: both wide -> 16 bits; a narrow target -> 8. */
START_TEST(wdtr_agrees_width)
{
	struct pair p = pair_new(BUS_WIDE, BUS_SPEED_FAST, 1000,
				 &DEV(7, 100 * SIM_NS, 8, 1),
				 &DEV(2, 100 * SIM_NS, 8, 1));
	run_send(&p, g_payload, 1001); /* odd: the last word carries one byte */
	struct bus_agreement a = bus_dev_agreement(p.ini, 2);
	ck_assert_uint_eq(a.wide, 1);
	ck_assert_uint_eq(a.period, 100 * SIM_NS);   /* SDTR after WDTR */
	ck_assert_uint_eq(a.offset, 8);
	ck_assert_uint_eq(bus_dev_agreement(p.tgt, 7).wide, 1);
	world_free(p.w);
	p = pair_new(BUS_WIDE, BUS_SPEED_FAST, 1000,
		     &DEV(7, 100 * SIM_NS, 8, 1), &DEV(2, 100 * SIM_NS, 8, 0));
	run_send(&p, g_payload, 500);
	ck_assert_uint_eq(bus_dev_agreement(p.ini, 2).wide, 0);
	ck_assert_uint_eq(bus_dev_agreement(p.ini, 2).offset, 8);
	world_free(p.w);
}
END_TEST

/* A 16-bit DATA IN of odd length: the last word's high byte is padding.
 * The target says so with IGNORE WIDE RESIDUE before STATUS (SCSI-2
 * 5.6.9); an initiator whose buffer took the pad byte drops it again,
 * one whose buffer ended at the last real byte never stored it. */
START_TEST(wide_odd_data_in_ignores_residue)
{
	static const uint32_t bufs[] = { 256, 255 };
	for (int k = 0; k < 2; k++) {
		struct pair p = pair_new(BUS_WIDE, BUS_SPEED_FAST, 1000,
					 &DEV(7, 100 * SIM_NS, 8, 1),
					 &DEV(2, 100 * SIM_NS, 8, 1));
		run_send(&p, g_payload, 100); /* agree wide first */
		ck_assert_uint_eq(bus_dev_agreement(p.ini, 2).wide, 1);
		for (int i = 0; i < 255; i++)
			p.w->tgt->buf[i] = (uint8_t)(i ^ 0x5a);
		uint8_t in[256];
		memset(in, 0xee, sizeof in);
		struct bus_cmd c;
		memset(&c, 0, sizeof c);
		c.target = 2;
		c.cdb_len = 6;
		c.cdb[0] = 0x08;
		c.cdb[4] = 255;
		c.dir = BUS_DIR_IN;
		c.data = in;
		c.data_len = bufs[k];
		struct bus_check *chk;
		ck_assert_int_eq(bus_check_attach(&chk, p.w->bus), SN_OK);
		ck_assert_int_eq(bus_dev_command(p.ini, &c), SN_OK);
		sim_run(&p.w->sim);
		ck_assert_int_eq(c.result, BUS_CMD_DONE);
		ck_assert_uint_eq(c.status, 0);
		ck_assert_uint_eq(c.data_moved, 255);
		ck_assert_mem_eq(in, p.w->tgt->buf, 255);
		ck_assert_uint_eq(bus_check_count(chk), 0);
		bus_check_detach(chk);
		world_free(p.w);
	}
}
END_TEST

/* A SCSI-1 target answers WDTR and SDTR with MESSAGE REJECT: the
 * initiator falls back to narrow asynchronous and the command works. */
START_TEST(message_reject_falls_back)
{
	struct bus_dev_config t = DEV(2, 100 * SIM_NS, 8, 1);
	t.rejects_negotiation = 1;
	struct pair p = pair_new(BUS_WIDE, BUS_SPEED_FAST, 1000,
				 &DEV(7, 100 * SIM_NS, 8, 1), &t);
	struct bus_check *chk;
	ck_assert_int_eq(bus_check_attach(&chk, p.w->bus), SN_OK);
	run_send(&p, g_payload, 777);
	ck_assert_uint_eq(bus_check_agreed_offset(chk, 7, 2), 0);
	ck_assert_uint_eq(bus_check_count(chk), 0);
	bus_check_detach(chk);
	struct bus_agreement a = bus_dev_agreement(p.ini, 2);
	ck_assert(a.negotiated);
	ck_assert_uint_eq(a.wide, 0);
	ck_assert_uint_eq(a.offset, 0);
	ck_assert_uint_eq(bus_dev_stats(p.tgt)->msg_rejects_sent, 2);
	world_free(p.w);
}
END_TEST

/* Time of a DATA OUT of n bytes, from the command's end-to-end times:
 * the difference between two sizes cancels the fixed overhead. */
static sim_time_t data_time_on(uint32_t length_mm, enum bus_width width,
			       enum bus_speed speed, sim_time_t period,
			       uint8_t offset, int wide, uint32_t n1, uint32_t n2)
{
	sim_time_t t[2];
	uint32_t n[2] = { n1, n2 };
	for (int k = 0; k < 2; k++) {
		struct pair p = pair_new(width, speed, length_mm,
					 &DEV(7, period, offset, wide),
					 &DEV(2, period, offset, wide));
		run_send(&p, g_payload, 16);    /* negotiate first */
		struct bus_cmd c = run_send(&p, g_payload, n[k]);
		t[k] = c.t_done - c.t_start;
		world_free(p.w);
	}
	return t[1] - t[0];
}

static sim_time_t data_time(enum bus_width width, enum bus_speed speed,
			    sim_time_t period, uint8_t offset, int wide,
			    uint32_t n1, uint32_t n2)
{
	return data_time_on(1000, width, speed, period, offset, wide, n1, n2);
}

/* Synchronous at period T and offset 8: N more bytes take N x T more
 * (the offset window hides the REQ/ACK round trip). */
START_TEST(sync_transfer_takes_n_periods)
{
	sim_time_t d = data_time(BUS_NARROW, BUS_SPEED_SCSI2, 200 * SIM_NS,
				 8, 0, 4096, 8192);
	ck_assert_uint_eq(d, 4096 * 200 * SIM_NS);
	d = data_time(BUS_NARROW, BUS_SPEED_FAST, 100 * SIM_NS, 8, 0,
		      4096, 8192);
	ck_assert_uint_eq(d, 4096 * 100 * SIM_NS);
}
END_TEST

/* Fast-20 (the extension): SDTR factor 12 is 50 ns, and a synchronous
 * transfer of N more bytes takes N x 50 ns more. */
START_TEST(fast20_sync_at_50ns)
{
	struct pair p = pair_new(BUS_NARROW, BUS_SPEED_FAST20, 1000,
				 &DEV(7, 50 * SIM_NS, 8, 0),
				 &DEV(2, 50 * SIM_NS, 8, 0));
	run_send(&p, g_payload, 16);
	ck_assert_uint_eq(bus_dev_agreement(p.ini, 2).period, 50 * SIM_NS);
	world_free(p.w);
	sim_time_t d = data_time(BUS_NARROW, BUS_SPEED_FAST20, 50 * SIM_NS,
				 8, 0, 4096, 8192);
	ck_assert_uint_eq(d, 4096 * 50 * SIM_NS);
}
END_TEST

/* A device that asks for a faster period than its bus class allows is
 * held to the class: 100 ns asked on a 5 MHz SCSI-2 bus gives 200 ns. */
START_TEST(period_clamped_to_bus_class)
{
	struct pair p = pair_new(BUS_NARROW, BUS_SPEED_SCSI2, 1000,
				 &DEV(7, 100 * SIM_NS, 8, 0),
				 &DEV(2, 100 * SIM_NS, 8, 0));
	run_send(&p, g_payload, 16);
	ck_assert_uint_eq(bus_dev_agreement(p.ini, 2).period, 200 * SIM_NS);
	ck_assert_uint_eq(bus_dev_agreement(p.tgt, 7).period, 200 * SIM_NS);
	world_free(p.w);
}
END_TEST

/* 16-bit transfers halve the number of REQ/ACK cycles. */
START_TEST(wide_halves_transfers)
{
	sim_time_t narrow = data_time(BUS_WIDE, BUS_SPEED_FAST, 100 * SIM_NS,
				      8, 0, 4096, 8192);
	sim_time_t wide = data_time(BUS_WIDE, BUS_SPEED_FAST, 100 * SIM_NS,
				    8, 1, 4096, 8192);
	ck_assert_uint_eq(narrow, 4096 * 100 * SIM_NS);
	ck_assert_uint_eq(wide, 2048 * 100 * SIM_NS);
}
END_TEST

/* On 10 m the REQ/ACK round trip (2 x 54 ns of cable, the initiator's
 * 50 ns latency and 25 ns data setup, the target's 50 ns latency: 233 ns)
 * is longer than the 100 ns period.  Offset 8 hides it; offset 1 waits
 * for each ACK, so every word costs the round trip. */
START_TEST(small_offset_exposes_round_trip)
{
	sim_time_t d8 = data_time_on(10000, BUS_NARROW, BUS_SPEED_FAST,
				     100 * SIM_NS, 8, 0, 1024, 2048);
	sim_time_t d1 = data_time_on(10000, BUS_NARROW, BUS_SPEED_FAST,
				     100 * SIM_NS, 1, 0, 1024, 2048);
	ck_assert_uint_eq(d8, 1024 * 100 * SIM_NS);
	sim_time_t round_trip = 2 * 54 * SIM_NS + 2 * BUS_DEV_DEFAULT_LATENCY +
				BUS_FAST_DESKEW_DELAY + BUS_FAST_CABLE_SKEW_DELAY;
	ck_assert_uint_eq(round_trip, 233 * SIM_NS);
	ck_assert_uint_eq(d1, 1024 * round_trip);
}
END_TEST

/* RST in the middle of a transfer: everyone releases the bus, the
 * command ends as reset, agreements are forgotten, and the next command
 * renegotiates and completes. */
struct rst_ctx {
	struct bus_dev *resetter;
	struct sim_event ev;
	sim_time_t at;
};

static void rst_fire(struct sim *sim, struct sim_event *e, void *arg)
{
	(void)sim;
	(void)e;
	struct rst_ctx *r = arg;
	bus_dev_reset_bus(r->resetter, 0);
}

START_TEST(reset_mid_transfer_frees_bus)
{
	struct world *w = world_new(BUS_NARROW, 2000);
	struct bus_dev_config ic = DEV(7, 200 * SIM_NS, 8, 0);
	struct bus_dev_config tc = DEV(2, 200 * SIM_NS, 8, 0);
	tc.target = &tgt_ops;
	tc.target_arg = w->tgt;
	ck_assert_int_eq(bus_dev_create(w->bus, "ini", 0, &ic, &w->dev[0]),
			 SN_OK);
	ck_assert_int_eq(bus_dev_create(w->bus, "tgt", 2000, &tc, &w->dev[1]),
			 SN_OK);
	add_dev(w, 2, 4, 1000, 0); /* a third device resets the bus */
	struct rst_ctx r = { .resetter = w->dev[2] };
	sim_event_init(&r.ev, rst_fire, &r, "reset");
	struct bus_cmd c;
	memset(&c, 0, sizeof c);
	c.target = 2;
	c.cdb_len = 10;
	c.cdb[0] = 0x2A;
	c.cdb[7] = 0x40; /* 16384 bytes: long enough to be cut */
	c.dir = BUS_DIR_OUT;
	c.data = g_payload;
	c.data_len = 16384;
	ck_assert_int_eq(bus_dev_command(w->dev[0], &c), SN_OK);
	sim_schedule_at(&w->sim, &r.ev, 500 * SIM_US);
	sim_run(&w->sim);
	ck_assert_int_eq(c.result, BUS_CMD_RESET);
	ck_assert_uint_lt(c.data_moved, 16384);
	ck_assert_uint_gt(c.data_moved, 0);
	/* the command ended as RST reached the initiator (1 m away) */
	ck_assert_uint_le(c.t_done, 500 * SIM_US + 5400);
	/* all three saw it; nobody drives anything but the bus is free */
	for (int i = 0; i < 3; i++) {
		ck_assert_uint_ge(bus_dev_stats(w->dev[i])->resets_seen, 1);
		ck_assert_uint_eq(bus_sense(bus_dev_port(w->dev[i])).ctl, 0);
	}
	/* lines were released within a bus clear delay of RST, and none of
	 * the REQ pulses the target had recorded ahead (synchronous, offset
	 * 8) survives the reset */
	sim_time_t rst_seen = 500 * SIM_US + 5400; /* target is 1 m away */
	for (sim_time_t t = rst_seen + BUS_CLEAR_DELAY;
	     t < rst_seen + 4 * SIM_US; t += 10 * SIM_NS)
		ck_assert_uint_eq(bus_drive_of(bus_dev_port(w->dev[1]), t).ctl,
				  0);
	ck_assert_int_eq(bus_dev_agreement(w->dev[0], 2).negotiated, 0);
	ck_assert_int_eq(bus_dev_agreement(w->dev[1], 7).negotiated, 0);
	/* the next command renegotiates and completes */
	struct bus_cmd c2 = c;
	c2.result = BUS_CMD_PROTOCOL;
	c2.data_len = 1024;
	c2.cdb[7] = 0x04;
	ck_assert_int_eq(bus_dev_command(w->dev[0], &c2), SN_OK);
	sim_run(&w->sim);
	ck_assert_int_eq(c2.result, BUS_CMD_DONE);
	ck_assert_int_eq(bus_dev_agreement(w->dev[0], 2).offset, 8);
	ck_assert_mem_eq(w->tgt->buf, g_payload, 1024);
	world_free(w);
}
END_TEST

/* --- parity errors: detected, reported, recovered by a retry ------------ */

static struct bus_cmd send_cmd(uint32_t n)
{
	struct bus_cmd c;
	memset(&c, 0, sizeof c);
	c.target = 2;
	c.cdb_len = 10;
	c.cdb[0] = 0x2A;
	c.cdb[7] = (uint8_t)(n >> 8);
	c.cdb[8] = (uint8_t)n;
	c.dir = BUS_DIR_OUT;
	c.data = g_payload;
	c.data_len = n;
	return c;
}

static struct bus_cmd run(struct world *w, struct bus_dev *ini,
			  struct bus_cmd c)
{
	ck_assert_int_eq(bus_dev_command(ini, &c), SN_OK);
	sim_run(&w->sim);
	ck_assert_int_eq(c.result, BUS_CMD_DONE);
	return c;
}

/* The initiator sends data byte 100 with bad parity: the target ends the
 * command with CHECK CONDITION; REQUEST SENSE says ABORTED COMMAND, SCSI
 * parity error; the retry succeeds.  The checker saw exactly that byte. */
START_TEST(parity_error_data_out_recovered)
{
	struct world *w = world_new(BUS_NARROW, 2000);
	struct bus_check *chk;
	ck_assert_int_eq(bus_check_attach(&chk, w->bus), SN_OK);
	struct bus_dev *ini = add_dev(w, 0, 7, 0, 0);
	struct bus_dev *tgt = add_dev(w, 1, 2, 2000, 1);
	/* IDENTIFY, 10 CDB bytes, then data byte 100 */
	bus_dev_inject_parity_error(ini, 1 + 10 + 100);
	struct bus_cmd c = run(w, ini, send_cmd(400));
	ck_assert_uint_eq(c.status, 0x02);        /* CHECK CONDITION */
	ck_assert_uint_eq(bus_dev_stats(tgt)->parity_errors, 1);
	ck_assert_uint_eq(bus_check_rule_count(chk, BUS_CHECK_PARITY), 1);
	/* REQUEST SENSE: 03 00 00 00 18 00 */
	uint8_t sense[18] = { 0 };
	struct bus_cmd rs;
	memset(&rs, 0, sizeof rs);
	rs.target = 2;
	rs.cdb_len = 6;
	rs.cdb[0] = 0x03;
	rs.cdb[4] = sizeof sense;
	rs.dir = BUS_DIR_IN;
	rs.data = sense;
	rs.data_len = sizeof sense;
	rs = run(w, ini, rs);
	ck_assert_uint_eq(rs.status, 0);
	ck_assert_uint_eq(rs.data_moved, 18);
	ck_assert_uint_eq(sense[0], 0x70);
	ck_assert_uint_eq(sense[2] & 0x0f, 0x0B);  /* ABORTED COMMAND */
	ck_assert_uint_eq(sense[12], 0x47);        /* SCSI PARITY ERROR */
	/* the retry: intact */
	memset(w->tgt->buf, 0, 400);
	c = run(w, ini, send_cmd(400));
	ck_assert_uint_eq(c.status, 0);
	ck_assert_mem_eq(w->tgt->buf, g_payload, 400);
	ck_assert_uint_eq(bus_check_rule_count(chk, BUS_CHECK_PARITY), 1);
	bus_check_detach(chk);
	world_free(w);
}
END_TEST

/* The target sends DATA IN byte 50 with bad parity: the initiator
 * asserts ATN and sends INITIATOR DETECTED ERROR; the target ends with
 * CHECK CONDITION; the retry reads everything right. */
START_TEST(parity_error_data_in_recovered)
{
	struct world *w = world_new(BUS_NARROW, 2000);
	struct bus_check *chk;
	ck_assert_int_eq(bus_check_attach(&chk, w->bus), SN_OK);
	struct bus_dev *ini = add_dev(w, 0, 6, 0, 0);
	struct bus_dev *tgt = add_dev(w, 1, 2, 2000, 1);
	for (int i = 0; i < 200; i++)
		w->tgt->buf[i] = (uint8_t)(3 * i + 1);
	uint8_t in[200];
	struct bus_cmd c;
	memset(&c, 0, sizeof c);
	c.target = 2;
	c.cdb_len = 6;
	c.cdb[0] = 0x08;
	c.cdb[4] = 200;
	c.dir = BUS_DIR_IN;
	c.data = in;
	c.data_len = sizeof in;
	bus_dev_inject_parity_error(tgt, 50);
	struct bus_cmd r = run(w, ini, c);
	ck_assert_uint_eq(r.status, 0x02);
	ck_assert_uint_eq(bus_dev_stats(ini)->parity_errors, 1);
	ck_assert_uint_eq(bus_check_rule_count(chk, BUS_CHECK_PARITY), 1);
	memset(in, 0, sizeof in);
	r = run(w, ini, c);
	ck_assert_uint_eq(r.status, 0);
	ck_assert_mem_eq(in, w->tgt->buf, 200);
	ck_assert_uint_eq(bus_check_count(chk), 1); /* nothing else wrong */
	bus_check_detach(chk);
	world_free(w);
}
END_TEST

/* A whole synchronous wide exchange is clean by the checker's rules. */
START_TEST(checker_silent_on_good_runs)
{
	struct pair p = pair_new(BUS_WIDE, BUS_SPEED_FAST, 3000,
				 &DEV(7, 100 * SIM_NS, 8, 1),
				 &DEV(2, 100 * SIM_NS, 8, 1));
	struct bus_check *chk;
	ck_assert_int_eq(bus_check_attach(&chk, p.w->bus), SN_OK);
	run_send(&p, g_payload, 4001);
	run_send(&p, g_payload, 65535);
	ck_assert_uint_eq(bus_check_count(chk), 0);
	/* the checker decoded the agreement from the SDTR messages, so its
	 * offset rule was live for the synchronous transfers */
	ck_assert_uint_eq(bus_check_agreed_offset(chk, 7, 2), 8);
	bus_check_detach(chk);
	world_free(p.w);
}
END_TEST

/* Disconnect and reselect: target 2 needs 2 ms for a read, disconnects,
 * and the freed bus carries another initiator's command meanwhile; then
 * target 2 reselects initiator 7 and completes the read. */
START_TEST(disconnect_then_reselect_completes)
{
	struct world *w = world_new(BUS_NARROW, 3000);
	struct bus_check *chk;
	ck_assert_int_eq(bus_check_attach(&chk, w->bus), SN_OK);
	struct bus_dev_config ic = { .id = 7, .latency = BUS_DEV_DEFAULT_LATENCY,
				     .allow_disconnect = 1 };
	ck_assert_int_eq(bus_dev_create(w->bus, "ini7", 0, &ic, &w->dev[0]),
			 SN_OK);
	struct bus_dev *ini7 = w->dev[0];
	struct bus_dev *ini6 = add_dev(w, 1, 6, 1000, 0);
	struct bus_dev *t2 = add_dev(w, 2, 2, 2000, 1);
	add_dev(w, 3, 3, 3000, 1);
	for (int i = 0; i < 200; i++)
		w->tgt->buf[i] = (uint8_t)(i ^ 0x5a);
	uint8_t in[200];
	struct bus_cmd rd;
	memset(&rd, 0, sizeof rd);
	rd.target = 2;
	rd.cdb_len = 6;
	rd.cdb[0] = 0x08;
	rd.cdb[4] = 200;
	rd.dir = BUS_DIR_IN;
	rd.data = in;
	rd.data_len = sizeof in;
	g_busy_time = 2 * SIM_MS;
	g_done_n = 0;
	rd.done = on_done;
	rd.arg = (void *)(intptr_t)7;
	ck_assert_int_eq(bus_dev_command(ini7, &rd), SN_OK);
	/* the other initiator starts once target 2 has the command */
	ck_assert_int_eq(sim_run_until(&w->sim, 100 * SIM_US),
			 SIM_RUN_REACHED);
	g_busy_time = 0;
	struct bus_cmd t;
	tur(&t, 3, 6);
	ck_assert_int_eq(bus_dev_command(ini6, &t), SN_OK);
	sim_run(&w->sim);
	ck_assert_int_eq(rd.result, BUS_CMD_DONE);
	ck_assert_int_eq(t.result, BUS_CMD_DONE);
	ck_assert_int_eq(g_done_n, 2);
	ck_assert_int_eq(g_done_order[0], 6);   /* done while 2 was away */
	ck_assert_int_eq(g_done_order[1], 7);
	ck_assert_uint_lt(t.t_done, 2 * SIM_MS);
	ck_assert_uint_ge(rd.t_done, 2 * SIM_MS);
	ck_assert_uint_eq(rd.status, 0);
	ck_assert_uint_eq(rd.data_moved, 200);
	ck_assert_mem_eq(in, w->tgt->buf, 200);
	ck_assert_uint_eq(bus_dev_stats(t2)->disconnects, 1);
	ck_assert_uint_eq(bus_dev_stats(t2)->reselections, 1);
	ck_assert_uint_eq(bus_check_count(chk), 0);
	bus_check_detach(chk);
	world_free(w);
}
END_TEST

/* Without the disconnect privilege the target keeps the bus while busy. */
START_TEST(no_privilege_no_disconnect)
{
	struct world *w = world_new(BUS_NARROW, 1000);
	struct bus_dev *ini = add_dev(w, 0, 7, 0, 0);
	struct bus_dev *tgt = add_dev(w, 1, 2, 1000, 1);
	g_busy_time = 1 * SIM_MS;
	struct bus_cmd c;
	tur(&c, 2, 7);
	ck_assert_int_eq(bus_dev_command(ini, &c), SN_OK);
	sim_run(&w->sim);
	g_busy_time = 0;
	ck_assert_int_eq(c.result, BUS_CMD_DONE);
	ck_assert_uint_eq(bus_dev_stats(tgt)->disconnects, 0);
	/* it kept the bus for the busy time: BSY never dropped */
	ck_assert_uint_ge(c.t_done - c.t_selected, 1 * SIM_MS);
	world_free(w);
}
END_TEST

/* ABORT while connected: the target drops the command and frees the bus
 * without status; the next command is fine. */
struct abort_ctx {
	struct bus_dev *ini;
	struct sim_event ev;
	enum sn_err err;
};

static void abort_fire(struct sim *sim, struct sim_event *e, void *arg)
{
	(void)sim;
	(void)e;
	struct abort_ctx *a = arg;
	a->err = bus_dev_abort(a->ini);
}

START_TEST(abort_drops_command)
{
	struct world *w = world_new(BUS_NARROW, 1000);
	struct bus_dev *ini = add_dev(w, 0, 7, 0, 0);
	add_dev(w, 1, 2, 1000, 1);
	struct abort_ctx a = { .ini = ini, .err = SN_EINVAL };
	sim_event_init(&a.ev, abort_fire, &a, "abort");
	ck_assert_int_eq(bus_dev_abort(ini), SN_ESTATE); /* nothing to abort */
	struct bus_cmd c = send_cmd(4000);
	ck_assert_int_eq(bus_dev_command(ini, &c), SN_OK);
	sim_schedule_at(&w->sim, &a.ev, 200 * SIM_US);  /* mid DATA OUT */
	sim_run(&w->sim);
	ck_assert_int_eq(a.err, SN_OK);
	ck_assert_int_eq(c.result, BUS_CMD_ABORTED);
	ck_assert_int_eq(w->tgt->completed, 0);   /* no status, no completion */
	ck_assert_uint_eq(bus_sense(bus_dev_port(ini)).ctl, 0);
	struct bus_cmd c2 = run(w, ini, send_cmd(300));
	ck_assert_uint_eq(c2.status, 0);
	ck_assert_int_eq(w->tgt->completed, 1);
	world_free(w);
}
END_TEST

/* BUS DEVICE RESET: the target forgets the synchronous agreement, and
 * the next command negotiates again. */
START_TEST(bus_device_reset_renegotiates)
{
	struct pair p = pair_new(BUS_NARROW, BUS_SPEED_SCSI2, 1000,
				 &DEV(7, 200 * SIM_NS, 8, 0),
				 &DEV(2, 200 * SIM_NS, 8, 0));
	run_send(&p, g_payload, 64);
	ck_assert_uint_eq(bus_dev_agreement(p.tgt, 7).offset, 8);
	struct bus_cmd bdr;
	memset(&bdr, 0, sizeof bdr);
	bdr.target = 2;
	bdr.message_only = 0x0C;
	ck_assert_int_eq(bus_dev_command(p.ini, &bdr), SN_OK);
	sim_run(&p.w->sim);
	ck_assert_int_eq(bdr.result, BUS_CMD_DONE);
	ck_assert_int_eq(bus_dev_agreement(p.tgt, 7).negotiated, 0);
	ck_assert_int_eq(bus_dev_agreement(p.ini, 2).negotiated, 0);
	run_send(&p, g_payload, 64);
	ck_assert_uint_eq(bus_dev_agreement(p.tgt, 7).offset, 8);
	ck_assert_uint_eq(bus_dev_agreement(p.ini, 2).period, 200 * SIM_NS);
	world_free(p.w);
}
END_TEST

/* --- lookahead: the same lines with and without ----------------------- */

/*
 * Lookahead (bus.h) answers a peer's recorded synchronous strobes before
 * they arrive.  It must change nothing anyone can observe: every run
 * below is made twice, with it and without, and the two must agree on
 * every line change (the whole BUS_LINES trace, digested), on every
 * device's statistics read at several times during the run (words
 * answered ahead count only when their time comes), on the command
 * results and on the data delivered.  The lookahead run must also use
 * fewer events, or it proved nothing.
 */
enum la_case {
	LA_NARROW, LA_WIDE, LA_PARITY_OUT, LA_PARITY_IN, LA_RESET,
	LA_THREE_PORTS, LA_RESELECT, LA_CASES_
};

struct la_result {
	uint64_t digest, records, events, conflicts;
	struct bus_dev_stats stats[3][4]; /* at three times, per device */
	struct bus_dev_stats end[3];
	struct bus_cmd cmd[2];
	uint64_t tgt_digest;
	uint8_t in[255];
};

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
	const uint8_t *b = p;
	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 0x100000001b3ull;
	return h;
}

static void la_trace(const struct sim_trace_record *rec, void *arg)
{
	struct la_result *r = arg;
	r->digest = fnv(r->digest, &rec->time, sizeof rec->time);
	r->digest = fnv(r->digest, &rec->flags, sizeof rec->flags);
	r->digest = fnv(r->digest, rec->data, rec->len);
	r->records++;
	if (getenv("LA_DUMP")) {
		const struct bus_trace_lines *l = rec->data;
		fprintf(stderr, "%llu p%u ctl=%03x db=%04x\n",
			(unsigned long long)rec->time, (unsigned)rec->flags,
			l->bus.ctl, l->bus.db);
	}
}

static void la_run(enum la_case kase, int lookahead, struct la_result *r)
{
	memset(r, 0, sizeof *r);
	r->digest = 0xcbf29ce484222325ull;
	if (getenv("LA_DUMP"))
		fprintf(stderr, "RUN %d %d\n", (int)kase, lookahead);
	enum bus_width width = kase == LA_WIDE ? BUS_WIDE : BUS_NARROW;
	struct world *w = world_new(width, 3000);
	/* the world's bus is SCSI-2; make a Fast one of the same shape */
	bus_destroy(w->bus);
	struct bus_config cfg = { .name = "scsi0", .width = width,
				  .electrical = BUS_SE,
				  .speed = BUS_SPEED_FAST, .length_mm = 3000 };
	ck_assert_int_eq(bus_create(&w->sim, &cfg, &w->bus), SN_OK);
	struct sim_trace_sub sub;
	sim_trace_subscribe(&w->sim, &sub, SIM_TR_MASK(SIM_TR_BUS_LINES),
			    la_trace, r);
	struct bus_dev_config ic = DEV(7, 100 * SIM_NS, 8, width == BUS_WIDE);
	struct bus_dev_config tc = DEV(2, 100 * SIM_NS, 8, width == BUS_WIDE);
	ic.no_lookahead = tc.no_lookahead = (uint8_t)!lookahead;
	ic.allow_disconnect = kase == LA_RESELECT;
	tc.target = &tgt_ops;
	tc.target_arg = w->tgt;
	ck_assert_int_eq(bus_dev_create(w->bus, "ini", 0, &ic, &w->dev[0]),
			 SN_OK);
	ck_assert_int_eq(bus_dev_create(w->bus, "tgt", 3000, &tc,
					&w->dev[1]), SN_OK);
	int ndev = 2;
	struct rst_ctx rc = { 0 };
	if (kase == LA_RESET || kase == LA_THREE_PORTS) {
		add_dev(w, 2, 4, 1200, 0);
		ndev = 3;
	}
	for (int i = 0; i < 255; i++)
		w->tgt->buf[i] = (uint8_t)(7 * i + 3);
	g_busy_time = kase == LA_RESELECT ? 300 * SIM_US : 0;
	if (kase == LA_PARITY_OUT)   /* IDENTIFY, SDTR (5), CDB (10), 700 */
		bus_dev_inject_parity_error(w->dev[0], 1 + 5 + 10 + 700);
	if (kase == LA_RESET) {
		rc.resetter = w->dev[2];
		sim_event_init(&rc.ev, rst_fire, &rc, "reset");
		sim_schedule_at(&w->sim, &rc.ev, 180 * SIM_US + 12345);
	}
	/* command 1: SEND MESSAGE(10) with 4001 bytes (odd: a wide bus
	 * ends on a half word) */
	r->cmd[0] = send_cmd(4001);
	ck_assert_int_eq(bus_dev_command(w->dev[0], &r->cmd[0]), SN_OK);
	/* statistics while the data phase runs: about 20 us in, 40 us in
	 * and late in it */
	static const sim_time_t at[3] = { 40 * SIM_US + 777,
					  80 * SIM_US + 3, 150 * SIM_US };
	for (int k = 0; k < 3; k++) {
		sim_run_until(&w->sim, at[k] + (kase == LA_RESELECT
							? 300 * SIM_US
							: 0));
		for (int i = 0; i < ndev; i++)
			r->stats[k][i] = *bus_dev_stats(w->dev[i]);
	}
	sim_run(&w->sim);
	/* command 2: a 255-byte DATA IN (a bad byte in it for one case) */
	if (kase == LA_PARITY_IN)
		bus_dev_inject_parity_error(w->dev[1], 1 + 100);
	memset(&r->cmd[1], 0, sizeof r->cmd[1]);
	r->cmd[1].target = 2;
	r->cmd[1].cdb_len = 6;
	r->cmd[1].cdb[0] = 0x08;
	r->cmd[1].cdb[4] = 255;
	r->cmd[1].dir = BUS_DIR_IN;
	r->cmd[1].data = r->in;
	r->cmd[1].data_len = sizeof r->in;
	ck_assert_int_eq(bus_dev_command(w->dev[0], &r->cmd[1]), SN_OK);
	sim_run(&w->sim);
	bus_trace_flush(w->bus);
	for (int i = 0; i < ndev; i++)
		r->end[i] = *bus_dev_stats(w->dev[i]);
	r->cmd[0].data = r->cmd[1].data = NULL; /* compared by value */
	r->cmd[0].done = r->cmd[1].done = NULL;
	r->tgt_digest = fnv(0, w->tgt->buf, 4001);
	r->events = sim_events_run(&w->sim);
	r->conflicts = w->bus->ahead_conflicts;
	g_busy_time = 0;
	sim_trace_unsubscribe(&w->sim, &sub);
	world_free(w);
}

START_TEST(lookahead_changes_nothing)
{
	fill_payload();
	static struct la_result on, off;
	la_run((enum la_case)_i, 1, &on);
	la_run((enum la_case)_i, 0, &off);
	ck_assert_uint_gt(on.records, 1000);
	ck_assert_uint_eq(on.records, off.records);
	ck_assert_uint_eq(on.digest, off.digest);
	ck_assert_mem_eq(on.stats, off.stats, sizeof on.stats);
	ck_assert_mem_eq(on.end, off.end, sizeof on.end);
	ck_assert_mem_eq(on.cmd, off.cmd, sizeof on.cmd);
	ck_assert_uint_eq(on.tgt_digest, off.tgt_digest);
	ck_assert_mem_eq(on.in, off.in, sizeof on.in);
	ck_assert_uint_eq(on.conflicts, 0);
	ck_assert_uint_eq(off.conflicts, 0);
	/* it did look ahead: far fewer events for the same lines */
	ck_assert_uint_lt(on.events * 2, off.events);
	/* and the runs did what each case is about */
	switch ((enum la_case)_i) {
	case LA_RESET:
		ck_assert_int_eq(on.cmd[0].result, BUS_CMD_RESET);
		ck_assert_uint_gt(on.cmd[0].data_moved, 0);
		ck_assert_uint_lt(on.cmd[0].data_moved, 4001);
		break;
	case LA_PARITY_OUT:
		ck_assert_uint_eq(on.cmd[0].status, 0x02);
		ck_assert_uint_eq(on.end[1].parity_errors, 1);
		break;
	case LA_PARITY_IN:
		ck_assert_uint_eq(on.cmd[1].status, 0x02);
		ck_assert_uint_eq(on.end[0].parity_errors, 1);
		break;
	case LA_RESELECT: /* both commands disconnected and came back */
		ck_assert_uint_eq(on.end[1].reselections, 2);
		/* fall through */
	default:
		ck_assert_int_eq(on.cmd[0].result, BUS_CMD_DONE);
		ck_assert_uint_eq(on.cmd[0].status, 0);
		ck_assert_uint_eq(on.cmd[0].data_moved, 4001);
		ck_assert_uint_eq(on.tgt_digest, fnv(0, g_payload, 4001));
		ck_assert_uint_eq(on.cmd[1].data_moved, 255);
		break;
	}
	/* the mid-run snapshots saw a transfer under way */
	ck_assert_uint_gt(on.stats[1][1].data_bytes,
			  on.stats[0][1].data_bytes);
}
END_TEST

Suite *bus_dev_suite(void)
{
	Suite *s = suite_create("bus_dev");
	TCase *tc = tcase_create("protocol");
	tcase_add_test(tc, idle_bus_selection_timing);
	tcase_add_test(tc, higher_id_wins_loser_retries);
	tcase_add_test(tc, wide_priority_order);
	tcase_add_test(tc, absent_id_times_out);
	tcase_add_test(tc, data_out_intact_and_cable_costs_round_trips);
	tcase_add_test(tc, data_in_and_identify_lun);
	suite_add_tcase(s, tc);
	TCase *neg = tcase_create("negotiation");
	tcase_add_unchecked_fixture(neg, fill_payload, NULL);
	tcase_add_test(neg, sdtr_echo_agrees);
	tcase_add_test(neg, sdtr_counter_offer);
	tcase_add_test(neg, sdtr_async_target);
	tcase_add_test(neg, wdtr_agrees_width);
	tcase_add_test(neg, wide_odd_data_in_ignores_residue);
	tcase_add_test(neg, message_reject_falls_back);
	tcase_add_test(neg, sync_transfer_takes_n_periods);
	tcase_add_test(neg, wide_halves_transfers);
	tcase_add_test(neg, fast20_sync_at_50ns);
	tcase_add_test(neg, period_clamped_to_bus_class);
	tcase_add_test(neg, small_offset_exposes_round_trip);
	tcase_add_test(neg, reset_mid_transfer_frees_bus);
	tcase_add_test(neg, parity_error_data_out_recovered);
	tcase_add_test(neg, parity_error_data_in_recovered);
	tcase_add_test(neg, checker_silent_on_good_runs);
	tcase_add_test(neg, disconnect_then_reselect_completes);
	tcase_add_test(neg, no_privilege_no_disconnect);
	tcase_add_test(neg, abort_drops_command);
	tcase_add_test(neg, bus_device_reset_renegotiates);
	tcase_add_loop_test(neg, lookahead_changes_nothing, 0, LA_CASES_);
	suite_add_tcase(s, neg);
	return s;
}
