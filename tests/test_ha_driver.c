/*
 * test_ha_driver.c - the AHA-1522 host driver (initiator side) on a
 * simulated ISA host: commands through the registers, every access an
 * ISA cycle, checked against a SCSI-2 target and the protocol checker.
 */
#include <stdio.h>
#include <string.h>

#include "bus_check.h"
#include "bus_rogue.h"
#include "ha_driver.h"
#include "suites.h"

struct disk {
	uint8_t buf[70000];
	uint32_t got;
	int commands;
	sim_time_t busy_time;      /* each command takes this long */
};

static void disk_command(struct bus_dev *dev, int initiator, uint8_t lun,
			 const uint8_t *cdb, uint8_t cdb_len,
			 struct bus_target_reply *reply, void *arg)
{
	(void)dev;
	(void)initiator;
	(void)lun;
	(void)cdb_len;
	struct disk *k = arg;
	k->commands++;
	reply->status = 0x00;
	reply->busy_time = k->busy_time;
	reply->dir = BUS_DIR_NONE;
	if (cdb[0] == 0x2A) { /* SEND MESSAGE(10) */
		reply->dir = BUS_DIR_OUT;
		reply->data = k->buf;
		reply->data_len = k->got = (uint32_t)(cdb[7] << 8 | cdb[8]);
	} else if (cdb[0] == 0x08) { /* a 6-byte read */
		reply->dir = BUS_DIR_IN;
		reply->data = k->buf;
		reply->data_len = cdb[4] ? cdb[4] : 256;
	}
}

static const struct bus_dev_target_ops disk_ops = { disk_command, NULL };

struct pc {
	struct sim sim;
	struct bus *bus;
	struct bus_check *chk;
	struct isa_host *isa;
	struct aha1522 *card;
	struct ha_driver *drv;
	struct bus_dev *tgt;
	struct disk disk;
	int done;
};

static struct pc *pc_new(sim_time_t tgt_period)
{
	struct pc *p = calloc(1, sizeof *p);
	ck_assert_ptr_nonnull(p);
	ck_assert_int_eq(sim_init(&p->sim, 1), SN_OK);
	struct bus_config bc = { .name = "scsi0", .width = BUS_NARROW,
				 .electrical = BUS_SE,
				 .speed = BUS_SPEED_SCSI2, .length_mm = 1000 };
	ck_assert_int_eq(bus_create(&p->sim, &bc, &p->bus), SN_OK);
	ck_assert_int_eq(bus_check_attach(&p->chk, p->bus), SN_OK);
	ck_assert_int_eq(isa_host_create(&p->sim, &ISA_TIMING_AT, &p->isa),
			 SN_OK);
	struct aha1522_config cc = { .io_base = AHA1522_BASE_PRIMARY,
				     .jumpers = AIC6260_JUMPERS_DEFAULT };
	ck_assert_int_eq(aha1522_create(p->isa, p->bus, &cc, &p->card), SN_OK);
	ck_assert_int_eq(ha_driver_create(p->isa, p->card, &p->drv), SN_OK);
	struct bus_dev_config tc = {
		.id = 2, .latency = BUS_DEV_DEFAULT_LATENCY,
		.sync_period = tgt_period, .sync_offset = tgt_period ? 8 : 0,
		.target = &disk_ops, .target_arg = &p->disk,
	};
	ck_assert_int_eq(bus_dev_create(p->bus, "disk", 1000, &tc, &p->tgt),
			 SN_OK);
	return p;
}

static void pc_free(struct pc *p)
{
	bus_trace_flush(p->bus);
	ck_assert_uint_eq(bus_check_total(p->chk), 0);
	bus_check_detach(p->chk);
	ha_driver_destroy(p->drv);
	aha1522_destroy(p->card);
	bus_dev_destroy(p->tgt);
	isa_host_destroy(p->isa);
	bus_destroy(p->bus);
	ck_assert_sim_clean(&p->sim);
	sim_fini(&p->sim);
	free(p);
}

static void on_done(struct ha_cmd *cmd, void *arg)
{
	(void)cmd;
	((struct pc *)arg)->done++;
}

static struct ha_cmd cmd_of(struct pc *p, int target, uint8_t op,
			    enum bus_dir dir, uint8_t *data, uint32_t n)
{
	struct ha_cmd c;
	memset(&c, 0, sizeof c);
	c.target = target;
	c.cdb[0] = op;
	c.cdb_len = op == 0x2A ? 10 : 6;
	if (op == 0x2A) {
		c.cdb[7] = (uint8_t)(n >> 8);
		c.cdb[8] = (uint8_t)n;
	} else if (op == 0x08) {
		c.cdb[4] = (uint8_t)n;
	}
	c.dir = dir;
	c.data = data;
	c.data_len = n;
	c.done = on_done;
	c.arg = p;
	return c;
}

/* TEST UNIT READY, SEND MESSAGE(10) with 1000 bytes, a 200-byte read:
 * all complete with GOOD, the bytes intact, the ISA bus busy for what
 * the driver did (every register access a cycle). */
START_TEST(commands_complete)
{
	struct pc *p = pc_new(0);
	static uint8_t out[1000], in[200];
	for (int i = 0; i < 1000; i++)
		out[i] = (uint8_t)(i * 3 + 1);
	struct ha_cmd c[3];
	c[0] = cmd_of(p, 2, 0x00, BUS_DIR_NONE, NULL, 0);
	c[1] = cmd_of(p, 2, 0x2A, BUS_DIR_OUT, out, 1000);
	c[2] = cmd_of(p, 2, 0x08, BUS_DIR_IN, in, 200);
	for (int i = 0; i < 200; i++)
		p->disk.buf[i] = (uint8_t)(i ^ 0x3c);
	for (int i = 0; i < 3; i++)
		ck_assert_int_eq(ha_submit(p->drv, &c[i]), SN_OK);
	/* the read's data is what the disk holds when it runs: the send
	 * overwrites it first */
	sim_run(&p->sim);
	ck_assert_int_eq(p->done, 3);
	for (int i = 0; i < 3; i++) {
		ck_assert_int_eq(c[i].result, BUS_CMD_DONE);
		ck_assert_uint_eq(c[i].status, 0x00);
	}
	ck_assert_uint_eq(c[1].data_moved, 1000);
	ck_assert_uint_eq(p->disk.got, 1000);
	ck_assert_mem_eq(p->disk.buf, out, 1000);
	ck_assert_uint_eq(c[2].data_moved, 200);
	ck_assert_mem_eq(in, out, 200);
	ck_assert_int_eq(p->disk.commands, 3);
	/* the commands ran one after the other */
	ck_assert_uint_le(c[0].t_done, c[1].t_start);
	ck_assert_uint_le(c[1].t_done, c[2].t_start);
	const struct isa_stats *s = isa_stats(p->isa);
	ck_assert_uint_gt(s->io_cycles, 500 + 100);
	ck_assert_uint_ge(s->irqs, 3); /* a selection interrupt each */
	/* 1000 bytes through the FIFO, a REP OUTSW cycle per word: at
	 * least 500 of them in the send */
	ck_assert_uint_gt(c[1].t_done - c[1].t_start,
			  500 * ISA_TIMING_AT.rep16);
	pc_free(p);
}
END_TEST

/* The first command to a target proposes SDTR (200 ns, 8); the target
 * agrees; the driver programs SCSIRATE; a later transfer is synchronous. */
START_TEST(sdtr_on_first_contact)
{
	struct pc *p = pc_new(200 * SIM_NS);
	static uint8_t out[2000];
	for (int i = 0; i < 2000; i++)
		out[i] = (uint8_t)(i * 7);
	struct ha_cmd c = cmd_of(p, 2, 0x2A, BUS_DIR_OUT, out, 2000);
	ck_assert_int_eq(ha_submit(p->drv, &c), SN_OK);
	sim_run(&p->sim);
	ck_assert_int_eq(c.result, BUS_CMD_DONE);
	ck_assert_mem_eq(p->disk.buf, out, 2000);
	struct bus_agreement a = bus_dev_agreement(p->tgt, 7);
	ck_assert_uint_eq(a.period, 200 * SIM_NS);
	ck_assert_uint_eq(a.offset, 8);
	sim_time_t period;
	uint8_t offset;
	aic6260_rate(aha1522_chip(p->card), &period, &offset);
	ck_assert_uint_eq(period, 200 * SIM_NS);
	ck_assert_uint_eq(offset, 8);
	pc_free(p);
}
END_TEST

/* The driver grants the disconnect privilege (PORTB's jumper): a target
 * that needs 3 ms disconnects after the CDB and reselects; meanwhile the
 * bus and the driver serve a command to another target.  Then a write
 * to the slow target, its data after the reselection. */
START_TEST(disconnect_and_reselect)
{
	struct pc *p = pc_new(200 * SIM_NS);
	p->disk.busy_time = 3 * SIM_MS;
	for (int i = 0; i < 200; i++)
		p->disk.buf[i] = (uint8_t)(i * 7 + 1);
	struct disk other = { .commands = 0 };
	struct bus_dev_config tc = { .id = 3,
				     .latency = BUS_DEV_DEFAULT_LATENCY,
				     .target = &disk_ops,
				     .target_arg = &other };
	struct bus_dev *tgt3 = NULL;
	ck_assert_int_eq(bus_dev_create(p->bus, "other", 500, &tc, &tgt3),
			 SN_OK);
	static uint8_t in[200], out[1000], out2[3000];
	for (int i = 0; i < 1000; i++)
		out[i] = (uint8_t)(i ^ 0x5a);
	for (int i = 0; i < 3000; i++)
		out2[i] = (uint8_t)(i * 3);
	struct ha_cmd a = cmd_of(p, 2, 0x08, BUS_DIR_IN, in, 200);
	struct ha_cmd b = cmd_of(p, 3, 0x2A, BUS_DIR_OUT, out, 1000);
	struct ha_cmd c = cmd_of(p, 2, 0x2A, BUS_DIR_OUT, out2, 3000);
	ck_assert_int_eq(ha_submit(p->drv, &a), SN_OK);
	ck_assert_int_eq(ha_submit(p->drv, &b), SN_OK);
	ck_assert_int_eq(ha_submit(p->drv, &c), SN_OK);
	sim_run_until(&p->sim, 100 * SIM_MS);
	ck_assert_int_eq(p->done, 3);
	ck_assert_int_eq(a.result, BUS_CMD_DONE);
	ck_assert_int_eq(b.result, BUS_CMD_DONE);
	ck_assert_int_eq(c.result, BUS_CMD_DONE);
	ck_assert_uint_eq(a.status, 0);
	ck_assert_uint_eq(c.status, 0);
	/* b ran while a was disconnected */
	ck_assert_uint_lt(b.t_done, a.t_done);
	ck_assert_uint_ge(a.t_done - a.t_start, 3 * SIM_MS);
	ck_assert_uint_eq(a.data_moved, 200);
	for (int i = 0; i < 200; i++) /* what the disk held before c */
		ck_assert_uint_eq(in[i], (uint8_t)(i * 7 + 1));
	ck_assert_uint_eq(other.got, 1000);
	ck_assert_mem_eq(other.buf, out, 1000);
	ck_assert_uint_eq(c.data_moved, 3000);
	ck_assert_mem_eq(p->disk.buf, out2, 3000);
	ck_assert_uint_eq(bus_dev_stats(p->tgt)->disconnects, 2);
	ck_assert_uint_eq(bus_dev_stats(p->tgt)->reselections, 2);
	const struct ha_stats *s = ha_driver_stats(p->drv);
	ck_assert_uint_eq(s->disconnects, 2);
	ck_assert_uint_eq(s->reselections, 2);
	ck_assert_uint_eq(s->bad_reselections, 0);
	bus_dev_destroy(tgt3);
	pc_free(p);
}
END_TEST

/* Without the disconnect jumper the driver does not grant the privilege:
 * the slow target keeps the bus for its 3 ms. */
START_TEST(no_disconnect_without_jumper)
{
	struct pc *p = pc_new(0);
	/* a card jumpered without disconnection */
	ha_driver_destroy(p->drv);
	aha1522_destroy(p->card);
	struct aha1522_config cc = { .io_base = AHA1522_BASE_PRIMARY,
				     .jumpers = AIC6260_JUMPERS_DEFAULT };
	cc.jumpers.disconnect = 0;
	ck_assert_int_eq(aha1522_create(p->isa, p->bus, &cc, &p->card), SN_OK);
	ck_assert_int_eq(ha_driver_create(p->isa, p->card, &p->drv), SN_OK);
	p->disk.busy_time = 3 * SIM_MS;
	static uint8_t in[100];
	struct ha_cmd a = cmd_of(p, 2, 0x08, BUS_DIR_IN, in, 100);
	ck_assert_int_eq(ha_submit(p->drv, &a), SN_OK);
	sim_run_until(&p->sim, 100 * SIM_MS);
	ck_assert_int_eq(a.result, BUS_CMD_DONE);
	ck_assert_uint_ge(a.t_done - a.t_start, 3 * SIM_MS);
	ck_assert_uint_eq(bus_dev_stats(p->tgt)->disconnects, 0);
	ck_assert_uint_eq(ha_driver_stats(p->drv)->disconnects, 0);
	pc_free(p);
}
END_TEST

/* An absent ID: SELTO after the 256 ms STIMESEL the driver programs. */
START_TEST(absent_target)
{
	struct pc *p = pc_new(0);
	struct ha_cmd c = cmd_of(p, 5, 0x00, BUS_DIR_NONE, NULL, 0);
	ck_assert_int_eq(ha_submit(p->drv, &c), SN_OK);
	sim_run(&p->sim);
	ck_assert_int_eq(c.result, BUS_CMD_SEL_TIMEOUT);
	ck_assert_uint_gt(c.t_done - c.t_start, 256 * SIM_MS);
	ck_assert_uint_lt(c.t_done - c.t_start, 257 * SIM_MS);
	ck_assert_uint_eq(ha_driver_stats(p->drv)->sel_timeouts, 1);
	pc_free(p);
}
END_TEST

/* --- two hosts: one sends, the other answers as an RFC 2143 station --- */

struct two {
	struct sim sim;
	struct bus *bus;
	struct bus_check *chk;
	struct isa_host *isa[2];
	struct aha1522 *card[2];
	struct ha_driver *drv[2];
	/* what host 1 received */
	uint8_t got[70000];
	uint32_t got_len;
	int got_from, got_type, datagrams;
	int done;
};

static void on_rx(struct ha_driver *drv, int initiator, uint8_t type,
		  const uint8_t *data, uint32_t len, void *arg)
{
	(void)drv;
	struct two *t = arg;
	memcpy(t->got, data, len);
	t->got_len = len;
	t->got_from = initiator;
	t->got_type = type;
	t->datagrams++;
}

static void two_done(struct ha_cmd *cmd, void *arg)
{
	(void)cmd;
	((struct two *)arg)->done++;
}

static struct two *two_new(int sync)
{
	struct two *t = calloc(1, sizeof *t);
	ck_assert_ptr_nonnull(t);
	ck_assert_int_eq(sim_init(&t->sim, 1), SN_OK);
	struct bus_config bc = { .name = "scsi0", .width = BUS_NARROW,
				 .electrical = BUS_SE,
				 .speed = BUS_SPEED_SCSI2, .length_mm = 2000 };
	ck_assert_int_eq(bus_create(&t->sim, &bc, &t->bus), SN_OK);
	ck_assert_int_eq(bus_check_attach(&t->chk, t->bus), SN_OK);
	for (int i = 0; i < 2; i++) {
		ck_assert_int_eq(isa_host_create(&t->sim, &ISA_TIMING_AT,
						 &t->isa[i]), SN_OK);
		struct aha1522_config cc = {
			.io_base = AHA1522_BASE_PRIMARY,
			.jumpers = AIC6260_JUMPERS_DEFAULT,
			.pos_mm = i ? 2000 : 0,
		};
		cc.jumpers.scsi_id = (uint8_t)(7 - i);
		cc.jumpers.sync = (uint8_t)sync;
		ck_assert_int_eq(aha1522_create(t->isa[i], t->bus, &cc,
						&t->card[i]), SN_OK);
		ck_assert_int_eq(ha_driver_create(t->isa[i], t->card[i],
						  &t->drv[i]), SN_OK);
	}
	ck_assert_int_eq(ha_set_receiver(t->drv[1], on_rx, t, 4), SN_OK);
	return t;
}

static void two_free(struct two *t)
{
	bus_trace_flush(t->bus);
	ck_assert_uint_eq(bus_check_total(t->chk), 0);
	bus_check_detach(t->chk);
	for (int i = 0; i < 2; i++) {
		ha_driver_destroy(t->drv[i]);
		aha1522_destroy(t->card[i]);
		isa_host_destroy(t->isa[i]);
	}
	bus_destroy(t->bus);
	ck_assert_sim_clean(&t->sim);
	sim_fini(&t->sim);
	free(t);
}

static struct ha_cmd two_cmd(struct two *t, uint8_t op, enum bus_dir dir,
			     uint8_t *data, uint32_t n)
{
	struct ha_cmd c;
	memset(&c, 0, sizeof c);
	c.target = 6;
	c.cdb[0] = op;
	c.cdb_len = op >= 0x20 ? 10 : 6;
	if (op == 0x2A) {
		c.cdb[5] = 0x00; /* protocol type 0: IPv4 */
		c.cdb[7] = (uint8_t)(n >> 8);
		c.cdb[8] = (uint8_t)n;
	} else {
		c.cdb[4] = (uint8_t)n;
	}
	c.dir = dir;
	c.data = data;
	c.data_len = n;
	c.done = two_done;
	c.arg = t;
	return c;
}

/* A datagram of 1500 bytes from host 7 to host 6, both AHA-1522s with
 * this driver: it arrives intact, with its type and sender. */
START_TEST(station_receives_a_datagram)
{
	for (int sync = 0; sync < 2; sync++) {
		struct two *t = two_new(sync);
		static uint8_t dg[1500];
		for (int i = 0; i < 1500; i++)
			dg[i] = (uint8_t)(i * 31 + sync);
		struct ha_cmd c = two_cmd(t, 0x2A, BUS_DIR_OUT, dg, 1500);
		ck_assert_int_eq(ha_submit(t->drv[0], &c), SN_OK);
		sim_run(&t->sim);
		ck_assert_int_eq(c.result, BUS_CMD_DONE);
		ck_assert_uint_eq(c.status, SCSI_STATUS_GOOD);
		ck_assert_int_eq(t->datagrams, 1);
		ck_assert_uint_eq(t->got_len, 1500);
		ck_assert_mem_eq(t->got, dg, 1500);
		ck_assert_int_eq(t->got_from, 7);
		ck_assert_int_eq(t->got_type, 0);
		ck_assert_uint_eq(ha_driver_stats(t->drv[1])->datagrams, 1);
		/* and more, back to back, after the first negotiated */
		struct ha_cmd more[3];
		for (int k = 0; k < 3; k++) {
			more[k] = two_cmd(t, 0x2A, BUS_DIR_OUT, dg,
					  (uint32_t)(500 + 300 * k));
			ck_assert_int_eq(ha_submit(t->drv[0], &more[k]), SN_OK);
		}
		sim_run(&t->sim);
		for (int k = 0; k < 3; k++)
			ck_assert_uint_eq(more[k].status, SCSI_STATUS_GOOD);
		ck_assert_int_eq(t->datagrams, 4);
		ck_assert_uint_eq(t->got_len, 1100);
		ck_assert_mem_eq(t->got, dg, 1100);
		if (sync) { /* they agreed on 200 ns, offset 8 */
			sim_time_t period;
			uint8_t offset;
			aic6260_rate(aha1522_chip(t->card[0]), &period,
				     &offset);
			ck_assert_uint_eq(period, 200 * SIM_NS);
			ck_assert_uint_eq(offset, 8);
			aic6260_rate(aha1522_chip(t->card[1]), &period,
				     &offset);
			ck_assert_uint_eq(period, 200 * SIM_NS);
		}
		two_free(t);
	}
}
END_TEST

/* INQUIRY says a communications device; an unknown command gets CHECK
 * CONDITION and REQUEST SENSE says ILLEGAL REQUEST; with no receive
 * slot left a datagram gets BUSY and nothing arrives. */
START_TEST(station_answers_inquiry_sense_busy)
{
	struct two *t = two_new(0);
	uint8_t inq[36], sense[18], dg[100] = { 1, 2, 3 };
	struct ha_cmd c[5];
	c[0] = two_cmd(t, 0x12, BUS_DIR_IN, inq, 36);
	c[1] = two_cmd(t, 0x28, BUS_DIR_NONE, NULL, 0); /* READ(10): no */
	c[2] = two_cmd(t, 0x03, BUS_DIR_IN, sense, 18);
	for (int i = 0; i < 3; i++)
		ck_assert_int_eq(ha_submit(t->drv[0], &c[i]), SN_OK);
	sim_run(&t->sim);
	ck_assert_int_eq(t->done, 3);
	ck_assert_uint_eq(c[0].status, SCSI_STATUS_GOOD);
	ck_assert_uint_eq(c[0].data_moved, 36);
	ck_assert_uint_eq(inq[0] & 0x1f, 0x09);
	ck_assert_uint_eq(c[1].status, SCSI_STATUS_CHECK_CONDITION);
	ck_assert_uint_eq(c[2].status, SCSI_STATUS_GOOD);
	ck_assert_uint_eq(sense[0], 0x70);
	ck_assert_uint_eq(sense[2] & 0x0f, 0x05); /* ILLEGAL REQUEST */
	ck_assert_uint_eq(sense[12], 0x20);       /* invalid opcode */
	/* no slot: BUSY */
	ck_assert_int_eq(ha_set_receiver(t->drv[1], on_rx, t, 0), SN_OK);
	c[3] = two_cmd(t, 0x2A, BUS_DIR_OUT, dg, 100);
	ck_assert_int_eq(ha_submit(t->drv[0], &c[3]), SN_OK);
	sim_run(&t->sim);
	ck_assert_uint_eq(c[3].status, SCSI_STATUS_BUSY);
	ck_assert_uint_eq(c[3].data_moved, 0);
	ck_assert_int_eq(t->datagrams, 0);
	ck_assert_uint_eq(ha_driver_stats(t->drv[1])->busy_sent, 1);
	/* a slot again: it goes through */
	ha_rx_slot_free(t->drv[1]);
	c[4] = two_cmd(t, 0x2A, BUS_DIR_OUT, dg, 100);
	ck_assert_int_eq(ha_submit(t->drv[0], &c[4]), SN_OK);
	sim_run(&t->sim);
	ck_assert_uint_eq(c[4].status, SCSI_STATUS_GOOD);
	ck_assert_int_eq(t->datagrams, 1);
	ck_assert_mem_eq(t->got, dg, 100);
	two_free(t);
}
END_TEST

/* Both ways at once: each host sends the other a datagram at the same
 * moment; arbitration orders them, both arrive (a host is an initiator
 * and a target on the same adapter, as RFC 2143 requires). */
START_TEST(both_ways_at_once)
{
	struct two *t = two_new(1);
	ck_assert_int_eq(ha_set_receiver(t->drv[0], on_rx, t, 4), SN_OK);
	static uint8_t a[800], b[600];
	memset(a, 0xa5, sizeof a);
	memset(b, 0x5a, sizeof b);
	struct ha_cmd ca = two_cmd(t, 0x2A, BUS_DIR_OUT, a, 800);
	struct ha_cmd cb = two_cmd(t, 0x2A, BUS_DIR_OUT, b, 600);
	cb.target = 7;
	ck_assert_int_eq(ha_submit(t->drv[0], &ca), SN_OK);
	ck_assert_int_eq(ha_submit(t->drv[1], &cb), SN_OK);
	sim_run(&t->sim);
	ck_assert_int_eq(t->done, 2);
	ck_assert_uint_eq(ca.status, SCSI_STATUS_GOOD);
	ck_assert_uint_eq(cb.status, SCSI_STATUS_GOOD);
	ck_assert_int_eq(t->datagrams, 2);
	ck_assert_uint_eq(ha_driver_stats(t->drv[1])->datagrams, 1);
	ck_assert_uint_eq(ha_driver_stats(t->drv[0])->datagrams, 1);
	two_free(t);
}
END_TEST

/* --- a station and a bus_dev initiator: the messages a station takes --- */

struct mixed {
	struct two *t;        /* host 6, the station (drv[1]); drv[0] idle */
	struct bus_dev *ini;  /* ID 5: sync 200 ns, offset 8 */
	struct sim_event abort_ev;
};

static void mixed_abort(struct sim *sim, struct sim_event *ev, void *arg)
{
	(void)sim;
	(void)ev;
	ck_assert_int_eq(bus_dev_abort(((struct mixed *)arg)->ini), SN_OK);
}

static struct bus_cmd mixed_run(struct mixed *m, uint8_t op, uint8_t msg,
				uint8_t *data, uint32_t n)
{
	struct bus_cmd c;
	memset(&c, 0, sizeof c);
	c.target = 6;
	c.message_only = msg;
	c.cdb[0] = op;
	c.cdb_len = op >= 0x20 ? 10 : 6;
	if (op == 0x2A) {
		c.cdb[7] = (uint8_t)(n >> 8);
		c.cdb[8] = (uint8_t)n;
		c.dir = BUS_DIR_OUT;
	} else if (n) {
		c.cdb[4] = (uint8_t)n;
		c.dir = BUS_DIR_IN;
	}
	c.data = data;
	c.data_len = n;
	ck_assert_int_eq(bus_dev_command(m->ini, &c), SN_OK);
	sim_run(&m->t->sim);
	return c;
}

/* SCSI-2 5.6.1, 5.6.5, 5.6.21: ABORT drops the command (a datagram that
 * came in is not handed up, its slot is free again) and frees the bus
 * without status; BUS DEVICE RESET also clears every initiator's sense
 * and agreement; a message the station does not know gets MESSAGE
 * REJECT and the command goes on. */
START_TEST(station_takes_abort_reset_and_rejects)
{
	struct mixed m = { .t = two_new(1) };
	struct two *t = m.t;
	ck_assert_int_eq(ha_set_receiver(t->drv[1], on_rx, t, 1), SN_OK);
	struct bus_dev_config ic = { .id = 5, .latency =
					     BUS_DEV_DEFAULT_LATENCY,
				     .sync_period = 200 * SIM_NS,
				     .sync_offset = 8 };
	ck_assert_int_eq(bus_dev_create(t->bus, "ini", 1000, &ic, &m.ini),
			 SN_OK);
	static uint8_t dg[4000];
	for (size_t i = 0; i < sizeof dg; i++)
		dg[i] = (uint8_t)(i * 7);
	struct bus_cmd c = mixed_run(&m, 0x2A, 0, dg, 100);
	ck_assert_int_eq(c.result, BUS_CMD_DONE);
	ck_assert_uint_eq(c.status, SCSI_STATUS_GOOD);
	ck_assert_int_eq(t->datagrams, 1);
	ck_assert_uint_eq(bus_dev_agreement(m.ini, 6).offset, 8);
	ha_rx_slot_free(t->drv[1]);
	/* an unknown command leaves sense; BUS DEVICE RESET clears it */
	c = mixed_run(&m, 0x28, 0, NULL, 0);
	ck_assert_uint_eq(c.status, SCSI_STATUS_CHECK_CONDITION);
	ck_assert_uint_eq(ha_driver_stats(t->drv[1])->check_conditions, 1);
	/* (with a CDB a station that ran it would answer CHECK CONDITION) */
	c = mixed_run(&m, 0x28, 0x0C, NULL, 0);
	ck_assert_int_eq(c.result, BUS_CMD_DONE);
	ck_assert_uint_eq(ha_driver_stats(t->drv[1])->device_resets, 1);
	ck_assert_uint_eq(ha_driver_stats(t->drv[1])->check_conditions, 1);
	uint8_t sense[18];
	memset(sense, 0xff, sizeof sense);
	c = mixed_run(&m, 0x03, 0, sense, 18);
	ck_assert_uint_eq(c.status, SCSI_STATUS_GOOD);
	ck_assert_uint_eq(sense[2] & 0x0f, 0);  /* NO SENSE */
	ck_assert_uint_eq(sense[12], 0);
	/* negotiated again after the reset, at the same terms */
	ck_assert_uint_eq(bus_dev_agreement(m.ini, 6).offset, 8);
	/* ABORT in the middle of a datagram's DATA OUT */
	sim_event_init(&m.abort_ev, mixed_abort, &m, "abort");
	sim_schedule_in(&t->sim, &m.abort_ev, 150 * SIM_US);
	c = mixed_run(&m, 0x2A, 0, dg, 4000);
	ck_assert_int_eq(c.result, BUS_CMD_ABORTED);
	ck_assert_uint_eq(ha_driver_stats(t->drv[1])->aborts, 1);
	ck_assert_int_eq(t->datagrams, 1);  /* not handed up */
	/* its slot is free: the next datagram is taken, not BUSY */
	c = mixed_run(&m, 0x2A, 0, dg, 4000);
	ck_assert_uint_eq(c.status, SCSI_STATUS_GOOD);
	ck_assert_int_eq(t->datagrams, 2);
	ck_assert_uint_eq(t->got_len, 4000);
	ck_assert_mem_eq(t->got, dg, 4000);
	ha_rx_slot_free(t->drv[1]);
	/* CLEAR QUEUE (0Eh) from an initiator scripted byte by byte (it
	 * drops ATN during the message byte's REQ, as 5.1.9 has it, and
	 * gives 0Eh for every OUT byte): the station has no queue, answers
	 * MESSAGE REJECT, takes the CDB (0Eh: not a command it knows) */
	static const uint8_t script[] = {
		BUS_ROGUE_OP_SELECT, 6, 1, 0xb3,
		BUS_ROGUE_OP_WAIT_EDGE, BUS_REQ >> 8, BUS_REQ & 0xff, 0x8f,
		BUS_ROGUE_OP_CLEAR, BUS_ATN >> 8, BUS_ATN & 0xff,
		BUS_ROGUE_OP_ACK_REQS, 40, 0x0E, 0x8f,
	};
	struct bus_rogue_config rc = { .id = 3, .pos_mm = 500,
				       .script = script, .len = sizeof script,
				       .start = sim_now(&t->sim) };
	struct bus_rogue *rogue;
	ck_assert_int_eq(bus_rogue_create(t->bus, "rogue", &rc, &rogue),
			 SN_OK);
	sim_run(&t->sim);
	ck_assert(bus_rogue_stats(rogue)->done);
	ck_assert_uint_eq(ha_driver_stats(t->drv[1])->msg_rejects_sent, 1);
	ck_assert_uint_eq(ha_driver_stats(t->drv[1])->check_conditions, 2);
	ck_assert_uint_eq(ha_driver_stats(t->drv[1])->aborts, 1);
	ck_assert_uint_eq(ha_driver_stats(t->drv[1])->device_resets, 1);
	ck_assert_int_eq(t->datagrams, 2);
	bus_rogue_destroy(rogue);
	bus_dev_destroy(m.ini);
	two_free(t);
}
END_TEST

Suite *ha_driver_suite(void)
{
	Suite *s = suite_create("ha_driver");
	TCase *tc = tcase_create("initiator");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, commands_complete);
	tcase_add_test(tc, sdtr_on_first_contact);
	tcase_add_test(tc, absent_target);
	tcase_add_test(tc, disconnect_and_reselect);
	tcase_add_test(tc, no_disconnect_without_jumper);
	tcase_add_test(tc, station_receives_a_datagram);
	tcase_add_test(tc, station_answers_inquiry_sense_busy);
	tcase_add_test(tc, both_ways_at_once);
	tcase_add_test(tc, station_takes_abort_reset_and_rejects);
	suite_add_tcase(s, tc);
	return s;
}
