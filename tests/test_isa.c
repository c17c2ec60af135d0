/*
 * test_isa.c - the host's ISA I/O in simulated time: each access at its
 * own time, one cycle after the one before; the port decode; interrupts
 * after their latency, once the CPU is free; the accounting.
 */
#include <string.h>

#include "aic6260.h"
#include "isa.h"
#include "suites.h"

/* A card that logs every access with its time. */
struct card {
	struct sim *sim;
	sim_time_t t[256];
	uint16_t v[256];
	unsigned off[256];
	int n;
	uint8_t reg;
	uint16_t word;
};

static void card_log(struct card *c, unsigned off, uint16_t v)
{
	if (c->n < 256) {
		c->t[c->n] = sim_now(c->sim);
		c->off[c->n] = off;
		c->v[c->n++] = v;
	}
}

static uint8_t card_inb(void *dev, unsigned off)
{
	struct card *c = dev;
	card_log(c, off, c->reg);
	return c->reg;
}

static void card_outb(void *dev, unsigned off, uint8_t v)
{
	struct card *c = dev;
	card_log(c, off, v);
	c->reg = v;
}

static uint16_t card_inw(void *dev, unsigned off)
{
	struct card *c = dev;
	card_log(c, off, c->word);
	return c->word++;
}

static void card_outw(void *dev, unsigned off, uint16_t v)
{
	card_log(dev, off, v);
}

static const struct isa_dev_ops card_ops = { card_inb, card_outb, card_inw,
					     card_outw };

static int g_done;
static sim_time_t g_done_at;

static void on_done(struct isa_host *h, void *arg)
{
	(void)h;
	g_done++;
	g_done_at = sim_now((struct sim *)arg);
}

START_TEST(program_runs_in_time)
{
	struct sim sim;
	ck_assert_int_eq(sim_init(&sim, 1), SN_OK);
	struct isa_host *h;
	ck_assert_int_eq(isa_host_create(&sim, &ISA_TIMING_AT, &h), SN_OK);
	struct card c = { .sim = &sim };
	ck_assert_int_eq(isa_map(h, 0x340, 0x20, &card_ops, &c), SN_OK);
	ck_assert_int_eq(isa_map(h, 0x350, 0x10, &card_ops, &c), SN_EBUSY);
	ck_assert_int_eq(isa_map(h, 0xfff0, 0x20, &card_ops, &c), SN_ERANGE);
	uint8_t in8 = 0, buf[128], back[20];
	for (int i = 0; i < 128; i++)
		buf[i] = (uint8_t)i;
	const struct isa_op prog[] = {
		{ .kind = ISA_OUTB, .port = 0x341, .value = 0x5a },
		{ .kind = ISA_INB, .port = 0x341, .result8 = &in8 },
		{ .kind = ISA_OUTSW, .port = 0x356, .buf = buf, .count = 64 },
		{ .kind = ISA_CPU, .time = 5 * SIM_US },
		{ .kind = ISA_INSW, .port = 0x356, .buf = back, .count = 10 },
		{ .kind = ISA_INB, .port = 0x200 }, /* nobody: reads 0xff */
	};
	sim_run_until(&sim, 1 * SIM_US);
	g_done = 0;
	ck_assert_int_eq(isa_run(h, prog, 6, on_done, &sim), SN_OK);
	ck_assert_int_eq(isa_run(h, prog, 6, on_done, &sim), SN_EBUSY);
	ck_assert(isa_busy(h));
	sim_run(&sim);
	ck_assert_int_eq(g_done, 1);
	ck_assert(!isa_busy(h));
	ck_assert_uint_eq(in8, 0x5a);
	const struct isa_timing *t = &ISA_TIMING_AT;
	/* each access one cycle after the one before */
	ck_assert_int_eq(c.n, 2 + 64 + 10);
	ck_assert_uint_eq(c.t[0], 1 * SIM_US);
	ck_assert_uint_eq(c.t[1], 1 * SIM_US + t->io8);
	ck_assert_uint_eq(c.t[2], 1 * SIM_US + 2 * t->io8);
	ck_assert_uint_eq(c.t[65], 1 * SIM_US + 2 * t->io8 + 63 * t->rep16);
	ck_assert_uint_eq(c.v[65], 0x7f7e); /* the last word, low first */
	ck_assert_uint_eq(c.off[2], 0x16);
	ck_assert_uint_eq(c.t[66], 1 * SIM_US + 2 * t->io8 + 64 * t->rep16 +
					   5 * SIM_US);
	ck_assert_uint_eq(back[0], 0);
	ck_assert_uint_eq(back[2], 1);
	ck_assert_uint_eq(back[18], 9);
	sim_time_t total = 3 * t->io8 + 74 * t->rep16 + 5 * SIM_US;
	ck_assert_uint_eq(g_done_at, 1 * SIM_US + total);
	const struct isa_stats *s = isa_stats(h);
	ck_assert_uint_eq(s->io_cycles, 3 + 74);
	ck_assert_uint_eq(s->io_time, 3 * t->io8 + 74 * t->rep16);
	ck_assert_uint_eq(s->cpu_time, 5 * SIM_US);
	isa_host_destroy(h);
	ck_assert_sim_clean(&sim);
	sim_fini(&sim);
}
END_TEST

struct irq_rig {
	struct sim sim;
	struct isa_host *h;
	sim_time_t at[8];
	int n;
	int eoi;
};

static void handler(struct isa_host *h, void *arg)
{
	struct irq_rig *r = arg;
	ck_assert_int_lt(r->n, 8);
	r->at[r->n++] = sim_now(&r->sim);
	if (r->eoi) {
		/* the driver clears the cause, then ends the interrupt */
		isa_irq(h, 11, 0);
		isa_eoi(h, 11);
	}
}

static void no_done(struct isa_host *h, void *arg)
{
	(void)h;
	(void)arg;
}

START_TEST(interrupts_after_latency)
{
	struct irq_rig r;
	memset(&r, 0, sizeof r);
	ck_assert_int_eq(sim_init(&r.sim, 1), SN_OK);
	ck_assert_int_eq(isa_host_create(&r.sim, &ISA_TIMING_AT, &r.h), SN_OK);
	isa_on_irq(r.h, 11, handler, &r);
	sim_time_t lat = ISA_TIMING_AT.irq_latency;
	/* idle CPU: the handler runs one latency after the line rises */
	sim_run_until(&r.sim, 100 * SIM_US);
	isa_irq(r.h, 11, 1);
	sim_run(&r.sim);
	ck_assert_int_eq(r.n, 1);
	ck_assert_uint_eq(r.at[0], 100 * SIM_US + lat);
	/* in service until EOI: the line still up, taken again then */
	isa_irq(r.h, 11, 1);
	sim_run(&r.sim);
	ck_assert_int_eq(r.n, 1);
	sim_run_until(&r.sim, 200 * SIM_US);
	isa_eoi(r.h, 11);
	sim_run(&r.sim);
	ck_assert_int_eq(r.n, 2);
	ck_assert_uint_eq(r.at[1], 200 * SIM_US + lat);
	isa_irq(r.h, 11, 0);
	isa_eoi(r.h, 11);
	/* a busy CPU takes it when its program ends */
	const struct isa_op busy[] = { { .kind = ISA_CPU, .time = 50 * SIM_US } };
	sim_run_until(&r.sim, 300 * SIM_US);
	ck_assert_int_eq(isa_run(r.h, busy, 1, no_done, NULL), SN_OK);
	isa_irq(r.h, 11, 1);
	r.eoi = 1;
	sim_run(&r.sim);
	ck_assert_int_eq(r.n, 3);
	ck_assert_uint_eq(r.at[2], 350 * SIM_US);
	/* the time from assertion to handler is accounted */
	const struct isa_stats *s = isa_stats(r.h);
	ck_assert_uint_eq(s->irqs, 3);
	ck_assert_uint_eq(s->irq_time, 2 * lat + 50 * SIM_US);
	isa_host_destroy(r.h);
	ck_assert_sim_clean(&r.sim);
	sim_fini(&r.sim);
}
END_TEST

/* The AIC-6260 behind ISA ports: the drivers' probe costs 34 byte
 * cycles. */
static uint8_t chip_inb(void *dev, unsigned off)
{
	return aic6260_inb(dev, off);
}

static void chip_outb(void *dev, unsigned off, uint8_t v)
{
	aic6260_outb(dev, off, v);
}

static uint16_t chip_inw(void *dev, unsigned off)
{
	return aic6260_inw(dev, off);
}

static void chip_outw(void *dev, unsigned off, uint16_t v)
{
	aic6260_outw(dev, off, v);
}

static const struct isa_dev_ops chip_ops = { chip_inb, chip_outb, chip_inw,
					     chip_outw };

START_TEST(probe_through_the_isa_bus)
{
	struct sim sim;
	ck_assert_int_eq(sim_init(&sim, 1), SN_OK);
	struct isa_host *h;
	ck_assert_int_eq(isa_host_create(&sim, &ISA_TIMING_AT, &h), SN_OK);
	struct aic6260 *chip;
	struct aic6260_config cfg = { .jumpers = AIC6260_JUMPERS_DEFAULT };
	ck_assert_int_eq(aic6260_create(&sim, NULL, 0, &cfg, &chip), SN_OK);
	ck_assert_int_eq(isa_map(h, 0x340, AIC_NREGS, &chip_ops, chip), SN_OK);
	struct isa_op prog[34];
	uint8_t got[16];
	int n = 0;
	prog[n++] = (struct isa_op){ .kind = ISA_OUTB, .port = 0x353 };
	for (int i = 0; i < 16; i++)
		prog[n++] = (struct isa_op){ .kind = ISA_OUTB, .port = 0x35d,
					     .value = (uint16_t)i };
	prog[n++] = (struct isa_op){ .kind = ISA_OUTB, .port = 0x353 };
	for (int i = 0; i < 16; i++)
		prog[n++] = (struct isa_op){ .kind = ISA_INB, .port = 0x35d,
					     .result8 = &got[i] };
	g_done = 0;
	ck_assert_int_eq(isa_run(h, prog, 34, on_done, &sim), SN_OK);
	sim_run(&sim);
	for (int i = 0; i < 16; i++)
		ck_assert_uint_eq(got[i], i);
	ck_assert_uint_eq(g_done_at, 34 * ISA_TIMING_AT.io8);
	aic6260_destroy(chip);
	isa_host_destroy(h);
	ck_assert_sim_clean(&sim);
	sim_fini(&sim);
}
END_TEST

Suite *isa_suite(void)
{
	Suite *s = suite_create("isa");
	TCase *tc = tcase_create("host");
	tcase_add_test(tc, program_runs_in_time);
	tcase_add_test(tc, interrupts_after_latency);
	tcase_add_test(tc, probe_through_the_isa_bus);
	suite_add_tcase(s, tc);
	return s;
}
