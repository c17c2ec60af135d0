/*
 * isa.h - a host's CPU doing I/O on an ISA bus, in simulated time.
 *
 * What makes an AHA-1522 as slow as a real one is its host side: every
 * register access is an ISA I/O cycle, every interrupt takes a while to
 * reach its handler, and the driver's own code takes CPU time.  This
 * models exactly that, so a user can see whether the ISA bus, the CPU or
 * the SCSI bus limits a transfer:
 *
 *  - Cards map their ports (isa_map) and read/write them when the CPU
 *    does, at the simulated time the access happens.
 *  - A driver runs a program of I/O operations (isa_run): each access is
 *    an event at its own time, one I/O cycle after the one before (a
 *    REP INSW/OUTSW moves one word per cycle); CPU time between them is
 *    an operation of its own (ISA_CPU).  When the program ends the driver
 *    is called back and decides what to do next.  One program at a time:
 *    the CPU is busy while it runs.
 *  - A card's interrupt line (isa_irq) reaches the handler registered for
 *    it after the interrupt latency, once the CPU is free.
 *  - Every nanosecond is accounted: in I/O cycles, in CPU work, waiting
 *    for an interrupt to be taken (isa_stats).
 *
 * The defaults (ISA_TIMING_AT) and their sources are in isa.c.
 */
#ifndef ISA_H
#define ISA_H

#include <stdint.h>

#include "sim.h"
#include "sn_error.h"

struct isa_timing {
	sim_time_t io8;          /* one 8-bit IN or OUT */
	sim_time_t io16;         /* one 16-bit IN or OUT */
	sim_time_t rep16;        /* each word of REP INSW / REP OUTSW */
	sim_time_t irq_latency;  /* IRQ asserted to the handler's start */
};

/* A 386/486 AT-class machine with an 8.33 MHz ISA bus and the chipset's
 * I/O recovery (see isa.c): 1140 ns a byte, 780 ns a word. */
extern const struct isa_timing ISA_TIMING_AT;
/* The same bus cycles without recovery: 720 ns a byte, 360 ns a word. */
extern const struct isa_timing ISA_TIMING_AT_BARE;

/* A card's ports, as the CPU sees them. */
struct isa_dev_ops {
	uint8_t (*inb)(void *dev, unsigned off);
	void (*outb)(void *dev, unsigned off, uint8_t value);
	uint16_t (*inw)(void *dev, unsigned off);
	void (*outw)(void *dev, unsigned off, uint16_t value);
};

enum isa_op_kind {
	ISA_INB,    /* *result8 = in(port) */
	ISA_OUTB,   /* out(port, value) */
	ISA_INW,    /* *result16 = inw(port) */
	ISA_OUTW,   /* outw(port, value) */
	ISA_INSW,   /* rep insw: count words into buf */
	ISA_OUTSW,  /* rep outsw: count words from buf */
	ISA_CPU,    /* the driver computing for `time` */
};

struct isa_op {
	enum isa_op_kind kind;
	uint16_t port;           /* absolute I/O port */
	uint16_t value;          /* OUTB, OUTW */
	uint8_t *result8;        /* INB (may be NULL) */
	uint16_t *result16;      /* INW (may be NULL) */
	uint8_t *buf;            /* INSW, OUTSW: 2 * count bytes, low first */
	uint32_t count;          /* INSW, OUTSW: words */
	sim_time_t time;         /* CPU */
};

struct isa_stats {
	sim_time_t io_time;      /* in I/O cycles */
	sim_time_t string_time;  /* ... of them in REP INSW/OUTSW: data */
	sim_time_t cpu_time;     /* in ISA_CPU operations */
	sim_time_t irq_time;     /* from IRQ assertion to its handler */
	uint64_t io_cycles, irqs;
};

#define ISA_PORTS 0x10000u
#define ISA_IRQS 16

struct isa_host;

typedef void (*isa_done_fn)(struct isa_host *host, void *arg);

/* Errors: SN_EINVAL (a zero time), SN_ENOMEM. */
enum sn_err isa_host_create(struct sim *sim, const struct isa_timing *t,
			    struct isa_host **out);
void isa_host_destroy(struct isa_host *host);

/* Map ports [base, base + len) to a card; `off` is relative to base.
 * Errors: SN_ERANGE (past 0xffff), SN_EBUSY (overlaps a mapping). */
enum sn_err isa_map(struct isa_host *host, uint16_t base, uint16_t len,
		    const struct isa_dev_ops *ops, void *dev);

/* Remove the mapping at `base` (a card going away). */
void isa_unmap(struct isa_host *host, uint16_t base);

/* Run `ops` (copied) in order from now, then call done.  Errors:
 * SN_EBUSY (a program is running), SN_EINVAL (an empty program). */
enum sn_err isa_run(struct isa_host *host, const struct isa_op *ops,
		    uint32_t n, isa_done_fn done, void *arg);
/* Is a program running? */
int isa_busy(const struct isa_host *host);

/* A card drives interrupt line `irq` (0..15) to `level`. */
void isa_irq(struct isa_host *host, int irq, int level);
/* The handler for `irq`: called, once the CPU is free, irq_latency after
 * the line went up (a level interrupt: called again after a program if
 * the line is still up and the handler asked for it with isa_eoi). */
void isa_on_irq(struct isa_host *host, int irq, isa_done_fn handler,
		void *arg);
/* The handler is done with `irq` (end of interrupt): if the line is
 * still asserted it will be taken again. */
void isa_eoi(struct isa_host *host, int irq);

const struct isa_stats *isa_stats(const struct isa_host *host);

#endif
