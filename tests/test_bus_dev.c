/*
 * test_bus_dev.c - the SCSI-2 protocol engine: arbitration, selection,
 * time-out, priority (narrow and wide) and asynchronous transfers, with
 * times read from the simulation checked against the spec's rules.
 */
#include <string.h>

#include "bus_dev.h"
#include "suites.h"

/* A target that answers every command: TEST UNIT READY (no data), READ
 * style commands (DATA IN of its pattern buffer, length from CDB byte 4 or
 * bytes 7-8), SEND MESSAGE(10) (DATA OUT into its buffer). */
struct tgt {
	uint8_t buf[70000];
	uint32_t got_len;
	int commands;
	int last_initiator;
	uint8_t last_lun;
	uint8_t last_cdb[16];
};

static void tgt_command(struct bus_dev *dev, int initiator, uint8_t lun,
			const uint8_t *cdb, uint8_t cdb_len,
			struct bus_target_reply *reply, void *arg)
{
	(void)dev;
	struct tgt *t = arg;
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

static const struct bus_dev_target_ops tgt_ops = { tgt_command, NULL };

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
	return s;
}
