/*
 * isa.c - a host CPU doing I/O on an ISA bus (see isa.h).
 */
#include "isa.h"

#include <string.h>

/*
 * ISA_TIMING_AT: an AT-class host (386/486) and its ISA bus.
 *  - BCLK 8.33 MHz, 120 ns ("120 ns = 8.33 MHz", Linux
 *    drivers/pcmcia/i82092.c).
 *  - The AT's default wait states: 4 on an 8-bit access, 1 on a 16-bit
 *    one ("The PC-AT did run 1 wait state on each 16 bit access ... 4 wait
 *    states for any 8 bit card access", retrocomputing.stackexchange.com
 *    q. 8757; MindShare, ISA System Architecture).  On the 2-clock base
 *    cycle: 6 BCLK = 720 ns per byte, 3 BCLK = 360 ns per word [inf: the
 *    base cycle is standard ISA; no quotable source was found].
 *  - Back-to-back I/O cycles are spaced by the chipset's I/O recovery
 *    time, and REP INSW/OUTSW is nothing but back-to-back cycles.  The
 *    default adds 3.5 BCLK to every access: what Intel's PIIX inserts
 *    when its programmable recovery is off ("I/O Recovery Timing: 8-bit
 *    3.5 ... clocks", FreeBSD sys/pci/pcisupport.c; "default minimum wait
 *    of 3.5 clocks", oerg866/isawait) [inf: no 386/486 chipset's default
 *    was found; the PIIX is the nearest documented].  That gives 1140 ns
 *    per byte and 780 ns per word, 2.56 MB/s through REP INSW, in line
 *    with the "slightly under 2.5 MB/s" an AHA-1542C reached on a 486's
 *    ISA bus (os2museum.com, "More Data on CF to IDE to SCSI") and with
 *    DOSBox-X's 1020/660 ns.  ISA_TIMING_AT_BARE drops the recovery: the
 *    bus cycles alone, the best an AT could ever do.
 *  - REP INSW/OUTSW is bound by the bus cycle: INS takes 9-17 CPU clocks
 *    on a 386/486 without wait states (helppc instruction timings), far
 *    less than a 360 ns bus cycle at 25-33 MHz.  DATAPORT is taken to
 *    answer 16-bit cycles (the drivers use insw/outsw on it) [inf: whether
 *    the card asserts IOCS16# was not found; if not, a word costs two
 *    byte cycles].
 *  - Interrupt latency, IRQ line to the handler's first instruction:
 *    10 us.  RTEMS measured 12 us on a 386 board ("interrupt ... vectoring
 *    ... entry overhead ... a total of 12 microseconds", RTEMS 4.6 i386
 *    supplement), a Linux note 10 +- 1 us on a 100 MHz Pentium [inf:
 *    between the two].
 */
#define ISA_BCLK (120 * SIM_NS)
/* 3.5 BCLK of I/O recovery, in picoseconds (see above) */
#define ISA_RECOVERY (7 * ISA_BCLK / 2)

const struct isa_timing ISA_TIMING_AT = {
	.io8 = 6 * ISA_BCLK + ISA_RECOVERY,
	.io16 = 3 * ISA_BCLK + ISA_RECOVERY,
	.rep16 = 3 * ISA_BCLK + ISA_RECOVERY,
	.irq_latency = 10 * SIM_US,
};

const struct isa_timing ISA_TIMING_AT_BARE = {
	.io8 = 6 * ISA_BCLK,
	.io16 = 3 * ISA_BCLK,
	.rep16 = 3 * ISA_BCLK,
	.irq_latency = 10 * SIM_US,
};

struct isa_map_ent {
	uint16_t base, len;
	const struct isa_dev_ops *ops;
	void *dev;
};

#define ISA_MAX_MAPS 16

struct isa_host {
	struct sim *sim;
	struct isa_timing t;
	struct isa_map_ent map[ISA_MAX_MAPS];
	uint32_t nmaps;
	/* the running program */
	struct isa_op *ops;
	uint32_t nops, cap, pc, elem;
	int running;
	isa_done_fn done;
	void *done_arg;
	struct sim_event step_ev;
	/* interrupts */
	int level[ISA_IRQS];
	int in_service[ISA_IRQS];
	int pending[ISA_IRQS];       /* waiting for its handler */
	sim_time_t asserted[ISA_IRQS];
	isa_done_fn handler[ISA_IRQS];
	void *handler_arg[ISA_IRQS];
	struct sim_event irq_ev;
	struct isa_stats stats;
};

static void step_fire(struct sim *sim, struct sim_event *ev, void *arg);
static void irq_fire(struct sim *sim, struct sim_event *ev, void *arg);

enum sn_err isa_host_create(struct sim *sim, const struct isa_timing *t,
			    struct isa_host **out)
{
	if (t->io8 == 0 || t->io16 == 0 || t->rep16 == 0)
		return SN_EINVAL;
	struct isa_host *h = sim_calloc(sim, 1, sizeof *h);
	if (h == NULL)
		return SN_ENOMEM;
	h->sim = sim;
	h->t = *t;
	sim_event_init(&h->step_ev, step_fire, h, "isa-io");
	sim_event_init(&h->irq_ev, irq_fire, h, "isa-irq");
	*out = h;
	return SN_OK;
}

void isa_host_destroy(struct isa_host *h)
{
	if (h == NULL)
		return;
	sim_cancel(h->sim, &h->step_ev);
	sim_cancel(h->sim, &h->irq_ev);
	sim_free(h->sim, h->ops);
	sim_free(h->sim, h);
}

enum sn_err isa_map(struct isa_host *h, uint16_t base, uint16_t len,
		    const struct isa_dev_ops *ops, void *dev)
{
	if (len == 0 || (uint32_t)base + len > ISA_PORTS)
		return SN_ERANGE;
	if (h->nmaps == ISA_MAX_MAPS)
		return SN_EBUSY;
	for (uint32_t i = 0; i < h->nmaps; i++) {
		const struct isa_map_ent *m = &h->map[i];
		if (base < m->base + m->len && m->base < base + len)
			return SN_EBUSY;
	}
	h->map[h->nmaps++] = (struct isa_map_ent){ base, len, ops, dev };
	return SN_OK;
}

void isa_unmap(struct isa_host *h, uint16_t base)
{
	for (uint32_t i = 0; i < h->nmaps; i++)
		if (h->map[i].base == base) {
			h->map[i] = h->map[--h->nmaps];
			return;
		}
}

static const struct isa_map_ent *decode(const struct isa_host *h,
					uint16_t port)
{
	for (uint32_t i = 0; i < h->nmaps; i++)
		if (port >= h->map[i].base &&
		    port < h->map[i].base + h->map[i].len)
			return &h->map[i];
	return NULL;
}

/* An undecoded port reads all ones (the bus floats high) and ignores
 * writes. */
static uint8_t do_inb(struct isa_host *h, uint16_t port)
{
	const struct isa_map_ent *m = decode(h, port);
	return m ? m->ops->inb(m->dev, port - m->base) : 0xff;
}

static void do_outb(struct isa_host *h, uint16_t port, uint8_t v)
{
	const struct isa_map_ent *m = decode(h, port);
	if (m)
		m->ops->outb(m->dev, port - m->base, v);
}

static uint16_t do_inw(struct isa_host *h, uint16_t port)
{
	const struct isa_map_ent *m = decode(h, port);
	return m ? m->ops->inw(m->dev, port - m->base) : 0xffff;
}

static void do_outw(struct isa_host *h, uint16_t port, uint16_t v)
{
	const struct isa_map_ent *m = decode(h, port);
	if (m)
		m->ops->outw(m->dev, port - m->base, v);
}

enum sn_err isa_run(struct isa_host *h, const struct isa_op *ops, uint32_t n,
		    isa_done_fn done, void *arg)
{
	if (h->running)
		return SN_EBUSY;
	if (n == 0)
		return SN_EINVAL;
	if (n > h->cap) {
		struct isa_op *o = sim_realloc(h->sim, h->ops, n * sizeof *o);
		if (o == NULL)
			return SN_ENOMEM;
		h->ops = o;
		h->cap = n;
	}
	memcpy(h->ops, ops, n * sizeof *ops);
	h->nops = n;
	h->pc = h->elem = 0;
	h->running = 1;
	h->done = done;
	h->done_arg = arg;
	sim_schedule_at(h->sim, &h->step_ev, sim_now(h->sim));
	return SN_OK;
}

int isa_busy(const struct isa_host *h)
{
	return h->running;
}

static void irq_schedule(struct isa_host *h);

/* One access (or the CPU work) of the program, then the next one when
 * this one's cycle is over. */
static void step_fire(struct sim *sim, struct sim_event *ev, void *arg)
{
	(void)ev;
	struct isa_host *h = arg;
	if (h->pc == h->nops) {
		/* the last cycle is over: the driver goes on */
		h->running = 0;
		if (h->done)
			h->done(h, h->done_arg);
		irq_schedule(h);
		return;
	}
	struct isa_op *o = &h->ops[h->pc];
	sim_time_t cost = 0;
	switch (o->kind) {
	case ISA_INB: {
		uint8_t v = do_inb(h, o->port);
		if (o->result8)
			*o->result8 = v;
		cost = h->t.io8;
		break;
	}
	case ISA_OUTB:
		do_outb(h, o->port, (uint8_t)o->value);
		cost = h->t.io8;
		break;
	case ISA_INW: {
		uint16_t v = do_inw(h, o->port);
		if (o->result16)
			*o->result16 = v;
		cost = h->t.io16;
		break;
	}
	case ISA_OUTW:
		do_outw(h, o->port, o->value);
		cost = h->t.io16;
		break;
	case ISA_INSW:
		if (o->count > 0) {
			uint16_t v = do_inw(h, o->port);
			o->buf[2 * h->elem] = (uint8_t)v;
			o->buf[2 * h->elem + 1] = (uint8_t)(v >> 8);
			cost = h->t.rep16;
		}
		break;
	case ISA_OUTSW:
		if (o->count > 0) {
			do_outw(h, o->port,
				(uint16_t)(o->buf[2 * h->elem] |
					   o->buf[2 * h->elem + 1] << 8));
			cost = h->t.rep16;
		}
		break;
	case ISA_CPU:
		cost = o->time;
		h->stats.cpu_time += cost;
		break;
	}
	if (o->kind != ISA_CPU && cost) {
		h->stats.io_time += cost;
		h->stats.io_cycles++;
		if (o->kind == ISA_INSW || o->kind == ISA_OUTSW)
			h->stats.string_time += cost;
	}
	if ((o->kind == ISA_INSW || o->kind == ISA_OUTSW) &&
	    ++h->elem < o->count) {
		/* the string goes on */
	} else {
		h->pc++;
		h->elem = 0;
	}
	sim_schedule_at(sim, &h->step_ev, sim_now(sim) + cost);
}

/* --- interrupts ------------------------------------------------------------------- */

/* Deliver the earliest pending interrupt once the CPU is free and its
 * latency has passed. */
static void irq_schedule(struct isa_host *h)
{
	if (h->running || sim_event_pending(&h->irq_ev))
		return;
	sim_time_t best = SIM_TIME_MAX;
	for (int i = 0; i < ISA_IRQS; i++)
		if (h->pending[i] && h->asserted[i] + h->t.irq_latency < best)
			best = h->asserted[i] + h->t.irq_latency;
	if (best == SIM_TIME_MAX)
		return;
	sim_time_t now = sim_now(h->sim);
	sim_schedule_at(h->sim, &h->irq_ev, best > now ? best : now);
}

static void irq_fire(struct sim *sim, struct sim_event *ev, void *arg)
{
	(void)ev;
	struct isa_host *h = arg;
	if (h->running)
		return; /* taken when the program ends */
	sim_time_t now = sim_now(sim);
	int best = -1;
	for (int i = 0; i < ISA_IRQS; i++)
		if (h->pending[i] &&
		    h->asserted[i] + h->t.irq_latency <= now &&
		    (best < 0 || h->asserted[i] < h->asserted[best]))
			best = i;
	if (best < 0) {
		irq_schedule(h);
		return;
	}
	h->pending[best] = 0;
	h->in_service[best] = 1;
	h->stats.irqs++;
	h->stats.irq_time += now - h->asserted[best];
	h->handler[best](h, h->handler_arg[best]);
	irq_schedule(h);
}

void isa_irq(struct isa_host *h, int irq, int level)
{
	if (irq < 0 || irq >= ISA_IRQS)
		return;
	int was = h->level[irq];
	h->level[irq] = level != 0;
	if (level && !was && h->handler[irq] && !h->in_service[irq] &&
	    !h->pending[irq]) {
		h->pending[irq] = 1;
		h->asserted[irq] = sim_now(h->sim);
		irq_schedule(h);
	}
	if (!level)
		h->pending[irq] = 0; /* gone before it was taken */
}

void isa_on_irq(struct isa_host *h, int irq, isa_done_fn handler, void *arg)
{
	if (irq < 0 || irq >= ISA_IRQS)
		return;
	h->handler[irq] = handler;
	h->handler_arg[irq] = arg;
}

void isa_eoi(struct isa_host *h, int irq)
{
	if (irq < 0 || irq >= ISA_IRQS)
		return;
	h->in_service[irq] = 0;
	if (h->level[irq] && h->handler[irq]) {
		/* still asserted: taken again */
		h->pending[irq] = 1;
		h->asserted[irq] = sim_now(h->sim);
		irq_schedule(h);
	}
}

const struct isa_stats *isa_stats(const struct isa_host *h)
{
	return &h->stats;
}
