/*
 * test_aic6260.c - the AIC-6260 registers and host side: reset values, the
 * drivers' probe, the jumpers, the host FIFO through DATAPORT, the
 * transfer count, SCSIRATE, and interrupts gated by SIMODE and INTEN.
 */
#include <stdio.h>
#include <string.h>

#include "aic6260.h"
#include "bus_check.h"
#include "suites.h"

struct irq_log {
	int changes, level;
};

static void on_irq(struct aic6260 *chip, int level, void *arg)
{
	(void)chip;
	struct irq_log *l = arg;
	l->changes++;
	l->level = level;
}

struct rig {
	struct sim sim;
	struct aic6260 *chip;
	struct irq_log irq;
};

static struct rig *rig_new(struct aic6260_jumpers j)
{
	struct rig *r = calloc(1, sizeof *r);
	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(sim_init(&r->sim, 1), SN_OK);
	struct aic6260_config cfg = { .jumpers = j, .irq = on_irq,
				      .irq_arg = &r->irq };
	ck_assert_int_eq(aic6260_create(&r->sim, NULL, 0, &cfg, &r->chip),
			 SN_OK);
	return r;
}

static void rig_free(struct rig *r)
{
	aic6260_destroy(r->chip);
	ck_assert_sim_clean(&r->sim);
	sim_fini(&r->sim);
	free(r);
}

START_TEST(reset_values)
{
	struct rig *r = rig_new(AIC6260_JUMPERS_DEFAULT);
	struct aic6260 *c = r->chip;
	static const unsigned zero[] = {
		AIC_SCSISEQ, AIC_SXFRCTL0, AIC_SXFRCTL1, AIC_SCSIRATE,
		AIC_SELID, AIC_STCNT0, AIC_STCNT1, AIC_STCNT2, AIC_SSTAT0,
		AIC_SSTAT1, AIC_SSTAT3, AIC_SSTAT4, AIC_SIMODE0, AIC_SIMODE1,
		AIC_DMACNTRL0, AIC_DMACNTRL1, AIC_FIFOSTAT, AIC_REV,
	};
	for (size_t i = 0; i < sizeof zero / sizeof zero[0]; i++)
		ck_assert_msg(aic6260_peek(c, zero[i]) == 0, "%s = %#x",
			      aic6260_reg_name(zero[i], 0),
			      aic6260_peek(c, zero[i]));
	ck_assert_uint_eq(aic6260_peek(c, AIC_SSTAT2), AIC_SEMPTY);
	ck_assert_uint_eq(aic6260_peek(c, AIC_DMASTAT), AIC_DFIFOEMP);
	ck_assert_uint_eq(aic6260_peek(c, 0x1f), 0xff); /* no ID register */
	ck_assert_int_eq(aic6260_irq_level(c), 0);
	/* written registers read back; a reset clears them again */
	aic6260_outb(c, AIC_SCSISEQ, AIC_ENSELO | AIC_ENAUTOATNO);
	aic6260_outb(c, AIC_SIMODE1, 0xff);
	ck_assert_uint_eq(aic6260_inb(c, AIC_SCSISEQ),
			  AIC_ENSELO | AIC_ENAUTOATNO);
	aic6260_reset(c);
	ck_assert_uint_eq(aic6260_inb(c, AIC_SCSISEQ), 0);
	ck_assert_uint_eq(aic6260_inb(c, AIC_SIMODE1), 0);
	ck_assert_str_eq(aic6260_reg_name(AIC_SSTAT0, 0), "SSTAT0");
	ck_assert_str_eq(aic6260_reg_name(AIC_CLRSINT0, 1), "CLRSINT0");
	rig_free(r);
}
END_TEST

/* The Linux and BSD probe: reset the stack pointer through DMACNTRL1,
 * write 0..15 to STACK, reset it again, read the same 16 back. */
START_TEST(stack_probe)
{
	struct rig *r = rig_new(AIC6260_JUMPERS_DEFAULT);
	struct aic6260 *c = r->chip;
	aic6260_outb(c, AIC_DMACNTRL1, 0);
	for (uint8_t i = 0; i < 16; i++)
		aic6260_outb(c, AIC_STACK, i);
	aic6260_outb(c, AIC_DMACNTRL1, 0);
	for (uint8_t i = 0; i < 16; i++)
		ck_assert_uint_eq(aic6260_inb(c, AIC_STACK), i);
	/* the pointer wraps after 16; a peek does not move it */
	ck_assert_uint_eq(aic6260_peek(c, AIC_STACK), 0);
	ck_assert_uint_eq(aic6260_peek(c, AIC_STACK), 0);
	ck_assert_uint_eq(aic6260_inb(c, AIC_STACK), 0);
	ck_assert_uint_eq(aic6260_inb(c, AIC_STACK), 1);
	rig_free(r);
}
END_TEST

START_TEST(jumpers_on_porta_portb)
{
	struct rig *r = rig_new(AIC6260_JUMPERS_DEFAULT);
	/* ID 7, IRQ 11 (11 - 9 = 2 in bits 4-3), parity on (bit 7 clear in
	 * the Linux reading), DMA channel 0 */
	ck_assert_uint_eq(aic6260_inb(r->chip, AIC_PORTA), 0x17);
	/* disconnect (bit 2) and synchronous negotiation (bit 3) */
	ck_assert_uint_eq(aic6260_inb(r->chip, AIC_PORTB), 0x0c);
	/* writing PORTA drives the LED; the jumpers read the same */
	aic6260_outb(r->chip, AIC_PORTA, 1);
	ck_assert_uint_eq(aic6260_inb(r->chip, AIC_PORTA), 0x17);
	rig_free(r);
	struct aic6260_jumpers j = { .scsi_id = 3, .irq = 12, .parity = 0,
				     .dma_channel = 2, .boot = 1,
				     .msg_classes = 1 };
	r = rig_new(j);
	ck_assert_uint_eq(aic6260_inb(r->chip, AIC_PORTA),
			  0x80 | 2 << 5 | 3 << 3 | 3);
	ck_assert_uint_eq(aic6260_inb(r->chip, AIC_PORTB), 0x40 | 1 << 4);
	rig_free(r);
	/* out of range jumpers are refused */
	struct sim sim;
	ck_assert_int_eq(sim_init(&sim, 1), SN_OK);
	struct aic6260 *c;
	struct aic6260_config bad = { .jumpers = AIC6260_JUMPERS_DEFAULT };
	bad.jumpers.irq = 5;
	ck_assert_int_eq(aic6260_create(&sim, NULL, 0, &bad, &c), SN_EINVAL);
	bad.jumpers = AIC6260_JUMPERS_DEFAULT;
	bad.jumpers.scsi_id = 8;
	ck_assert_int_eq(aic6260_create(&sim, NULL, 0, &bad, &c), SN_EINVAL);
	sim_fini(&sim);
}
END_TEST

/* The host FIFO through DATAPORT: words low byte first, FIFOSTAT counts
 * bytes, DFIFOFULL at 128, RSTFIFO empties it, overrun and underrun are
 * flagged in SSTAT4. */
START_TEST(host_fifo)
{
	struct rig *r = rig_new(AIC6260_JUMPERS_DEFAULT);
	struct aic6260 *c = r->chip;
	for (unsigned i = 0; i < 64; i++)
		aic6260_outw(c, AIC_DATAPORT, (uint16_t)(0x0100 * (i + 1) + i));
	ck_assert_uint_eq(aic6260_inb(c, AIC_FIFOSTAT), 128);
	ck_assert_uint_eq(aic6260_inb(c, AIC_DMASTAT),
			  AIC_DFIFOFULL | AIC_WORDRDY);
	aic6260_outb(c, AIC_DATAPORT, 0xee); /* overrun: lost, flagged */
	ck_assert_uint_eq(aic6260_inb(c, AIC_SSTAT4), AIC_FWERR);
	ck_assert_uint_eq(aic6260_peek(c, AIC_DATAPORT), 0x00);
	ck_assert_uint_eq(aic6260_inw(c, AIC_DATAPORT), 0x0100);
	ck_assert_uint_eq(aic6260_inb(c, AIC_DATAPORT), 1);    /* byte */
	ck_assert_uint_eq(aic6260_inb(c, AIC_DATAPORT), 0x02);
	ck_assert_uint_eq(aic6260_inb(c, AIC_FIFOSTAT), 124);
	aic6260_outb(c, AIC_DMACNTRL0, AIC_RSTFIFO);
	ck_assert_uint_eq(aic6260_inb(c, AIC_FIFOSTAT), 0);
	ck_assert_uint_eq(aic6260_inb(c, AIC_DMASTAT), AIC_DFIFOEMP);
	ck_assert_uint_eq(aic6260_inb(c, AIC_DMACNTRL0), 0); /* a strobe */
	ck_assert_uint_eq(aic6260_inb(c, AIC_DATAPORT), 0xff); /* underrun */
	ck_assert_uint_eq(aic6260_inb(c, AIC_SSTAT4), AIC_FWERR | AIC_FRERR);
	aic6260_outb(c, AIC_CLRSERR, AIC_FWERR | AIC_FRERR);
	ck_assert_uint_eq(aic6260_inb(c, AIC_SSTAT4), 0);
	rig_free(r);
}
END_TEST

START_TEST(transfer_count)
{
	struct rig *r = rig_new(AIC6260_JUMPERS_DEFAULT);
	struct aic6260 *c = r->chip;
	aic6260_outb(c, AIC_STCNT0, 0x34);
	aic6260_outb(c, AIC_STCNT1, 0x12);
	aic6260_outb(c, AIC_STCNT2, 0x01);
	ck_assert_uint_eq(aic6260_inb(c, AIC_STCNT0) |
				  aic6260_inb(c, AIC_STCNT1) << 8 |
				  aic6260_inb(c, AIC_STCNT2) << 16,
			  0x011234);
	/* the drivers clear it with SXFRCTL0 = CH1 | CLRSTCNT; the strobe
	 * is not kept */
	aic6260_outb(c, AIC_SXFRCTL0, AIC_CH1 | AIC_CLRSTCNT);
	ck_assert_uint_eq(aic6260_inb(c, AIC_STCNT0), 0);
	ck_assert_uint_eq(aic6260_inb(c, AIC_STCNT2), 0);
	ck_assert_uint_eq(aic6260_inb(c, AIC_SXFRCTL0), AIC_CH1);
	rig_free(r);
}
END_TEST

/* SCSIRATE: period (SXFR + 2) x 50 ns, offset SOFS; the drivers' SDTR
 * conversion, and what the chip cannot run. */
START_TEST(scsirate)
{
	struct rig *r = rig_new(AIC6260_JUMPERS_DEFAULT);
	sim_time_t period;
	uint8_t offset;
	aic6260_rate(r->chip, &period, &offset);
	ck_assert_uint_eq(period, 0); /* asynchronous after reset */
	ck_assert_uint_eq(offset, 0);
	/* Linux proposes factor 50 (200 ns), offset 8: ticks 4, SXFR 2 */
	int v = aic6260_scsirate_for(50, 8);
	ck_assert_int_eq(v, 0x28);
	aic6260_outb(r->chip, AIC_SCSIRATE, (uint8_t)v);
	aic6260_rate(r->chip, &period, &offset);
	ck_assert_uint_eq(period, 200 * SIM_NS);
	ck_assert_uint_eq(offset, 8);
	ck_assert_int_eq(aic6260_scsirate_for(25, 8), 0x08);  /* 100 ns */
	ck_assert_int_eq(aic6260_scsirate_for(112, 4), 0x74); /* 450 ns */
	ck_assert_int_eq(aic6260_scsirate_for(113, 4), -1);   /* too slow */
	ck_assert_int_eq(aic6260_scsirate_for(50, 9), -1);    /* offset */
	ck_assert_int_eq(aic6260_scsirate_for(12, 8), -1);    /* too fast */
	ck_assert_int_eq(aic6260_scsirate_for(50, 0), 0);     /* async */
	/* the AIC-6260 cannot run Fast SCSI: 100 ns runs at 200 ns */
	aic6260_outb(r->chip, AIC_SCSIRATE, 0x08);
	aic6260_rate(r->chip, &period, &offset);
	ck_assert_uint_eq(period, 200 * SIM_NS);
	ck_assert_uint_eq(aic6260_peek(r->chip, 0x1f), 0xff); /* no ID */
	rig_free(r);
	/* the AIC-6360 can, with its fast-sync jumper; and it has an ID
	 * register spelling its name */
	struct rig *f = calloc(1, sizeof *f);
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(sim_init(&f->sim, 1), SN_OK);
	struct aic6260_config cfg = { .chip = AIC_CHIP_6360, .rev = 1,
				      .jumpers = AIC6260_JUMPERS_DEFAULT };
	cfg.jumpers.fast_sync = 1;
	ck_assert_int_eq(aic6260_create(&f->sim, NULL, 0, &cfg, &f->chip),
			 SN_OK);
	aic6260_outb(f->chip, AIC_SCSIRATE, 0x08);
	aic6260_rate(f->chip, &period, &offset);
	ck_assert_uint_eq(period, 100 * SIM_NS);
	ck_assert_uint_eq(aic6260_inb(f->chip, AIC_PORTB) & 0x10, 0x10);
	ck_assert_uint_eq(aic6260_inb(f->chip, AIC_REV), 1);
	char id[22] = { 0 };
	for (int i = 0; i < 21; i++)
		id[i] = (char)aic6260_inb(f->chip, 0x1f);
	ck_assert_str_eq(id, "(C)1991ADAPTECAIC6360");
	ck_assert_uint_eq(aic6260_inb(f->chip, 0x1f), '('); /* again */
	rig_free(f);
}
END_TEST

/* An SSTAT bit raises INTSTAT only if its SIMODE bit is set, and the IRQ
 * line only with DMACNTRL0.INTEN; CLRSINT clears by writing ones. */
START_TEST(interrupts_gated)
{
	struct rig *r = rig_new(AIC6260_JUMPERS_DEFAULT);
	struct aic6260 *c = r->chip;
	aic6260_raise(c, AIC_SELDO, 0);
	ck_assert_uint_eq(aic6260_inb(c, AIC_SSTAT0), AIC_SELDO);
	ck_assert_uint_eq(aic6260_inb(c, AIC_DMASTAT) & AIC_INTSTAT, 0);
	aic6260_outb(c, AIC_SIMODE0, AIC_SELDO);
	ck_assert_uint_eq(aic6260_inb(c, AIC_DMASTAT) & AIC_INTSTAT,
			  AIC_INTSTAT);
	ck_assert_int_eq(r->irq.changes, 0); /* INTEN still off */
	aic6260_outb(c, AIC_DMACNTRL0, AIC_INTEN);
	ck_assert_int_eq(r->irq.changes, 1);
	ck_assert_int_eq(r->irq.level, 1);
	/* the drivers service with INTEN off, then clear and re-enable */
	aic6260_outb(c, AIC_DMACNTRL0, 0);
	ck_assert_int_eq(r->irq.level, 0);
	aic6260_outb(c, AIC_CLRSINT0, AIC_SELDO);
	aic6260_outb(c, AIC_DMACNTRL0, AIC_INTEN);
	ck_assert_int_eq(r->irq.level, 0);
	ck_assert_int_eq(r->irq.changes, 2);
	/* SSTAT1: SELTO enabled, BUSFREE not */
	aic6260_outb(c, AIC_SIMODE1, AIC_SELTO);
	aic6260_raise(c, 0, AIC_BUSFREE);
	ck_assert_int_eq(r->irq.level, 0);
	aic6260_raise(c, 0, AIC_SELTO);
	ck_assert_int_eq(r->irq.level, 1);
	aic6260_outb(c, AIC_CLRSINT1, AIC_SELTO | AIC_BUSFREE);
	ck_assert_uint_eq(aic6260_inb(c, AIC_SSTAT1), 0);
	ck_assert_int_eq(r->irq.level, 0);
	/* SETSDONE sets SDONE; the software interrupt needs no status */
	aic6260_outb(c, AIC_CLRSINT0, AIC_SETSDONE);
	ck_assert_uint_eq(aic6260_inb(c, AIC_SSTAT0), AIC_SDONE);
	aic6260_outb(c, AIC_DMACNTRL0, AIC_INTEN | AIC_SWINT);
	ck_assert_int_eq(r->irq.level, 1);
	aic6260_outb(c, AIC_DMACNTRL0, AIC_INTEN);
	ck_assert_int_eq(r->irq.level, 0);
	rig_free(r);
}
END_TEST

/* --- on a bus: the Linux aha152x sequence --------------------------------- */

/* A target on the bus (the protocol engine as a plain SCSI-2 device):
 * TEST UNIT READY and the like complete with GOOD. */
/* How long the target takes over a command (it disconnects meanwhile if
 * IDENTIFY granted the privilege). */
static sim_time_t g_busy;

struct tgt_log {
	int commands;
	uint8_t lun, cdb0;
	uint8_t buf[1024];        /* SEND MESSAGE lands here, reads come */
	uint32_t got;
};

static void tgt_command(struct bus_dev *dev, int initiator, uint8_t lun,
			const uint8_t *cdb, uint8_t cdb_len,
			struct bus_target_reply *reply, void *arg)
{
	(void)dev;
	(void)initiator;
	(void)cdb_len;
	struct tgt_log *l = arg;
	l->commands++;
	l->lun = lun;
	l->cdb0 = cdb[0];
	reply->dir = BUS_DIR_NONE;
	reply->status = 0x00;
	reply->busy_time = g_busy;
	if (cdb[0] == 0x2A) { /* SEND MESSAGE(10): length in bytes 7-8 */
		reply->dir = BUS_DIR_OUT;
		reply->data = l->buf;
		reply->data_len = l->got = (uint32_t)(cdb[7] << 8 | cdb[8]);
	} else if (cdb[0] == 0x08) { /* a 6-byte read: length in byte 4 */
		reply->dir = BUS_DIR_IN;
		reply->data = l->buf;
		reply->data_len = cdb[4];
	}
}

static const struct bus_dev_target_ops tgt_ops = { tgt_command, NULL };


struct host {
	struct sim sim;
	struct bus *bus;
	struct bus_check *chk;
	struct aic6260 *chip;
	struct bus_dev *tgt;
	struct tgt_log log;
	int irqs;
};

/* The interrupt handler's entry: stop the simulation so the test, as the
 * driver, services the chip. */
static void host_irq(struct aic6260 *chip, int level, void *arg)
{
	(void)chip;
	struct host *h = arg;
	if (level) {
		h->irqs++;
		sim_stop(&h->sim);
	}
}

/* A host with the chip at one end of a 1 m SCSI-2 bus and, if `tc` is
 * given, a target at the other end (its ops are filled in here). */
static struct host *host_make(const struct bus_dev_config *tc)
{
	struct host *h = calloc(1, sizeof *h);
	ck_assert_ptr_nonnull(h);
	ck_assert_int_eq(sim_init(&h->sim, 1), SN_OK);
	struct bus_config bc = { .name = "scsi0", .width = BUS_NARROW,
				 .electrical = BUS_SE,
				 .speed = BUS_SPEED_SCSI2, .length_mm = 1000 };
	ck_assert_int_eq(bus_create(&h->sim, &bc, &h->bus), SN_OK);
	/* every run is watched by the protocol checker */
	ck_assert_int_eq(bus_check_attach(&h->chk, h->bus), SN_OK);
	struct aic6260_config cfg = { .jumpers = AIC6260_JUMPERS_DEFAULT,
				      .irq = host_irq, .irq_arg = h };
	ck_assert_int_eq(aic6260_create(&h->sim, h->bus, 0, &cfg, &h->chip),
			 SN_OK);
	if (tc != NULL) {
		struct bus_dev_config t = *tc;
		t.target = &tgt_ops;
		t.target_arg = &h->log;
		ck_assert_int_eq(bus_dev_create(h->bus, "disk", 1000, &t,
						&h->tgt), SN_OK);
	}
	return h;
}

/* ... with an asynchronous target at ID 2, or none. */
static struct host *host_new(int with_target)
{
	struct bus_dev_config tc = { .id = 2,
				     .latency = BUS_DEV_DEFAULT_LATENCY };
	return host_make(with_target ? &tc : NULL);
}

static void host_free(struct host *h)
{
	bus_trace_flush(h->bus);
	ck_assert_uint_eq(bus_check_total(h->chk), 0);
	bus_check_detach(h->chk);
	aic6260_destroy(h->chip);
	bus_dev_destroy(h->tgt);
	bus_destroy(h->bus);
	ck_assert_sim_clean(&h->sim);
	sim_fini(&h->sim);
	free(h);
}

/* Run until the chip interrupts; the interrupt is then serviced with
 * INTEN off, as the drivers do. */
static void wait_irq(struct host *h)
{
	ck_assert_int_eq(sim_run(&h->sim), SIM_RUN_STOPPED);
	ck_assert(aic6260_irq_level(h->chip));
	aic6260_outb(h->chip, AIC_DMACNTRL0, 0);
}

/* Start the selection as aha152x's busfree/seldo path does (protocol-
 * facts 3.4): own and target ID, parity check and the 256 ms timer,
 * SELDO and SELTO interrupts, then ENSELO with ENAUTOATNO. */
static void start_selection(struct host *h, int target)
{
	struct aic6260 *c = h->chip;
	aic6260_outb(c, AIC_SCSIID, (uint8_t)(7 << 4 | target));
	aic6260_outb(c, AIC_SXFRCTL1, AIC_ENSPCHK | AIC_ENSTIMER);
	aic6260_outb(c, AIC_SIMODE0, AIC_SELDO);
	aic6260_outb(c, AIC_SIMODE1, AIC_SELTO);
	aic6260_outb(c, AIC_DMACNTRL0, AIC_INTEN);
	aic6260_outb(c, AIC_SCSISEQ, AIC_ENSELO | AIC_ENAUTOATNO);
	ck_assert_uint_eq(aic6260_inb(c, AIC_SSTAT0) & AIC_SELINGO,
			  AIC_SELINGO);
}

/* Is the target asserting REQ? */
static int req_on(struct aic6260 *c)
{
	return (aic6260_inb(c, AIC_SCSISIG) & AIC_SIG_REQ) != 0;
}

/* Run for a while with interrupts off (the driver polling FIFOSTAT). */
static void run_for(struct host *h, sim_time_t dt)
{
	ck_assert_int_eq(sim_run_until(&h->sim, sim_now(&h->sim) + dt),
			 SIM_RUN_REACHED);
}

/* A data phase through the host FIFO, as aha152x's datao_run/datai_run
 * do: program STCNT, SCSIEN|DMAEN|CH1, then move the bytes through
 * DATAPORT as the FIFO has room (OUT) or bytes (IN). */
static void fifo_phase(struct host *h, int in, uint8_t *buf, uint32_t n)
{
	struct aic6260 *c = h->chip;
	aic6260_outb(c, AIC_DMACNTRL0, AIC_RSTFIFO);
	aic6260_outb(c, AIC_SXFRCTL0, AIC_CH1 | AIC_CLRSTCNT | AIC_CLRCH1);
	aic6260_outb(c, AIC_STCNT0, (uint8_t)n);
	aic6260_outb(c, AIC_STCNT1, (uint8_t)(n >> 8));
	aic6260_outb(c, AIC_STCNT2, (uint8_t)(n >> 16));
	aic6260_outb(c, AIC_DMACNTRL0, in ? AIC_ENDMA
					  : AIC_ENDMA | AIC_WRITE_READ);
	aic6260_outb(c, AIC_SXFRCTL0, AIC_SCSIEN | AIC_DMAEN | AIC_CH1);
	uint32_t pos = 0;
	for (int guard = 0; pos < n; guard++) {
		ck_assert_int_lt(guard, 100000);
		uint32_t have = aic6260_inb(c, AIC_FIFOSTAT);
		if (!in) {
			uint32_t room = AIC_FIFO_BYTES - have;
			for (; room >= 2 && pos + 2 <= n; room -= 2, pos += 2)
				aic6260_outw(c, AIC_DATAPORT,
					     (uint16_t)(buf[pos] |
							buf[pos + 1] << 8));
			if (room >= 1 && pos < n) /* the odd byte */
				aic6260_outb(c, AIC_DATAPORT, buf[pos++]);
		} else {
			for (; have >= 2 && pos + 2 <= n; have -= 2, pos += 2) {
				uint16_t w = aic6260_inw(c, AIC_DATAPORT);
				buf[pos] = (uint8_t)w;
				buf[pos + 1] = (uint8_t)(w >> 8);
			}
			if (have >= 1 && pos + 1 == n)
				buf[pos++] = aic6260_inb(c, AIC_DATAPORT);
		}
		if (pos < n)
			run_for(h, 10 * SIM_US);
	}
	/* OUT: the last bytes leave the FIFO on their REQs */
	for (int guard = 0; !in && aic6260_inb(c, AIC_FIFOSTAT) != 0; guard++) {
		ck_assert_int_lt(guard, 1000);
		run_for(h, 1 * SIM_US);
	}
	ck_assert_uint_eq(aic6260_inb(c, AIC_STCNT0) |
				  aic6260_inb(c, AIC_STCNT1) << 8, 0);
	ck_assert(aic6260_inb(c, AIC_SSTAT0) & AIC_DMADONE);
	aic6260_outb(c, AIC_CLRSINT0, AIC_DMADONE);
	aic6260_outb(c, AIC_SXFRCTL0, AIC_CH1);
	aic6260_outb(c, AIC_DMACNTRL0, 0);
}

struct cmd_result {
	int status, message, phases, reselections;
};

/* One command through the registers once selected: every phase the
 * target asks for, as the driver's state machine does. */
/* The messages sent after selection: IDENTIFY, then (sdtr) an SDTR
 * proposing 200 ns, offset 8, as aha152x does on first contact. */
static int g_sdtr;
/* IDENTIFY grants the disconnect privilege */
static int g_disc;

static struct cmd_result run_phases(struct host *h, const uint8_t *cdb,
				    int cdb_len, uint8_t *data, uint32_t n)
{
	struct aic6260 *c = h->chip;
	struct cmd_result r = { -1, -1, 0, 0 };
	int cdb_pos = 0, have_req = 0;
	uint8_t mo[6] = { (uint8_t)(g_disc ? 0xc0 : 0x80), 0x01, 0x03, 0x01,
			  50, 8 };
	int disconnected = 0;
	int mo_len = g_sdtr ? 6 : 1, mo_pos = 0;
	uint8_t mi[8];
	int mi_len = 0;
	aic6260_outb(c, AIC_SIMODE0, 0);
	aic6260_outb(c, AIC_SIMODE1, AIC_REQINIT | AIC_BUSFREE);
	for (;;) {
		/* the next REQ (REQINIT, cleared before each byte moves), or
		 * BUS FREE */
		while (!have_req && !(aic6260_inb(c, AIC_SSTAT1) &
				      (AIC_REQINIT | AIC_BUSFREE))) {
			aic6260_outb(c, AIC_DMACNTRL0, AIC_INTEN);
			wait_irq(h);
		}
		have_req = 0;
		if ((aic6260_inb(c, AIC_SSTAT1) & AIC_BUSFREE) &&
		    disconnected) {
			/* wait to be reselected, as aha152x does with
			 * commands disconnected: ENRESELI, SELDI */
			aic6260_outb(c, AIC_CLRSINT1, AIC_BUSFREE);
			aic6260_outb(c, AIC_SCSISEQ, AIC_ENRESELI);
			aic6260_outb(c, AIC_SIMODE0, AIC_SELDI);
			aic6260_outb(c, AIC_DMACNTRL0, AIC_INTEN);
			wait_irq(h);
			ck_assert(aic6260_inb(c, AIC_SSTAT0) & AIC_SELDI);
			ck_assert_uint_eq(aic6260_inb(c, AIC_SELID), 0x84);
			aic6260_outb(c, AIC_CLRSINT0, AIC_SELDI);
			aic6260_outb(c, AIC_SCSISEQ, 0);
			aic6260_outb(c, AIC_SIMODE0, 0);
			disconnected = 0;
			r.reselections++;
			continue;
		}
		if (aic6260_inb(c, AIC_SSTAT1) & AIC_BUSFREE)
			break;
		ck_assert(req_on(c));
		aic6260_outb(c, AIC_CLRSINT1, AIC_REQINIT | AIC_PHASECHG);
		/* take the phase the target shows as the expected one */
		uint8_t phase = aic6260_inb(c, AIC_SCSISIG) & AIC_SIG_PHASE;
		aic6260_outb(c, AIC_SCSISIG, phase);
		ck_assert_uint_eq(aic6260_inb(c, AIC_SSTAT1) & AIC_PHASEMIS, 0);
		r.phases++;
		if (phase == 0 || phase == AIC_SIG_IO) { /* DATA OUT / IN */
			fifo_phase(h, phase == AIC_SIG_IO, data, n);
			/* the next phase's REQ shows as a phase mismatch */
			for (int guard = 0;
			     !(aic6260_inb(c, AIC_SSTAT1) &
			       (AIC_PHASEMIS | AIC_BUSFREE));
			     guard++) {
				ck_assert_int_lt(guard, 1000);
				run_for(h, 1 * SIM_US);
			}
			have_req = !(aic6260_inb(c, AIC_SSTAT1) & AIC_BUSFREE);
			continue;
		}
		aic6260_outb(c, AIC_SXFRCTL0, AIC_CH1 | AIC_SPIOEN);
		ck_assert(aic6260_inb(c, AIC_SSTAT0) & AIC_SPIORDY);
		switch (phase) {
		case AIC_SIG_MSG | AIC_SIG_CD: /* MESSAGE OUT */
			/* ATN goes before the last byte */
			ck_assert_int_lt(mo_pos, mo_len);
			if (mo_pos == mo_len - 1)
				aic6260_outb(c, AIC_CLRSINT1, AIC_CLRATNO);
			aic6260_outb(c, AIC_SCSIDAT, mo[mo_pos++]);
			break;
		case AIC_SIG_CD: /* COMMAND */
			ck_assert_int_lt(cdb_pos, cdb_len);
			aic6260_outb(c, AIC_SCSIDAT, cdb[cdb_pos++]);
			break;
		case AIC_SIG_CD | AIC_SIG_IO: /* STATUS */
			r.status = aic6260_inb(c, AIC_SCSIDAT);
			break;
		case AIC_SIG_MSG | AIC_SIG_CD | AIC_SIG_IO: /* MESSAGE IN */
			mi[mi_len++] = aic6260_inb(c, AIC_SCSIDAT);
			if (mi[0] == 0x04) { /* DISCONNECT */
				disconnected = 1;
				mi_len = 0;
			} else if (mi[0] == 0x02 || (mi[0] & 0x80)) {
				/* SAVE DATA POINTER, IDENTIFY after a
				 * reselection */
				mi_len = 0;
			} else if (mi[0] != 0x01) { /* one-byte message */
				r.message = mi[0];
				mi_len = 0;
			} else if (mi_len >= 2 && mi_len == mi[1] + 2) {
				/* SDTR answered: program the rate as
				 * aha152x's msgi_run does */
				ck_assert_uint_eq(mi[2], 0x01);
				int v = aic6260_scsirate_for(mi[3], mi[4]);
				ck_assert_int_ge(v, 0);
				aic6260_outb(c, AIC_SCSIRATE, (uint8_t)v);
				mi_len = 0;
			}
			break;
		default:
			ck_abort_msg("unexpected phase %#x", phase);
		}
		/* the byte moved: the chip waits for the next REQ */
		ck_assert_uint_eq(aic6260_inb(c, AIC_SSTAT0) & AIC_SPIORDY, 0);
		aic6260_outb(c, AIC_SXFRCTL0, AIC_CH1);
	}
	ck_assert_int_eq(mo_pos, mo_len);
	ck_assert_int_eq(cdb_pos, cdb_len);
	aic6260_outb(c, AIC_CLRSINT1, AIC_BUSFREE);
	return r;
}

/* Select `target` and wait for SELDO. */
static void select_target(struct host *h, int target)
{
	start_selection(h, target);
	wait_irq(h);
	ck_assert_uint_eq(aic6260_inb(h->chip, AIC_SSTAT0) & AIC_SELDO,
			  AIC_SELDO);
	aic6260_outb(h->chip, AIC_CLRSINT0, AIC_SELDO);
	aic6260_outb(h->chip, AIC_SCSISEQ, 0);
}

/* SEND MESSAGE(10) with 300 bytes through the host FIFO, then a 200-byte
 * read: the bytes arrive intact both ways, STCNT counts to zero. */
START_TEST(fifo_data_both_ways)
{
	struct host *h = host_new(1);
	uint8_t out[300], in[200];
	for (int i = 0; i < 300; i++)
		out[i] = (uint8_t)(i * 7 + 1);
	select_target(h, 2);
	static const uint8_t send[10] = { 0x2A, 0, 0, 0, 0, 0, 0, 0x01, 0x2c,
					  0 }; /* 300 bytes */
	struct cmd_result r = run_phases(h, send, 10, out, 300);
	ck_assert_int_eq(r.status, 0);
	ck_assert_int_eq(r.message, 0);
	ck_assert_int_eq(r.phases, 1 + 10 + 1 + 1 + 1);
	ck_assert_uint_eq(h->log.got, 300);
	ck_assert_mem_eq(h->log.buf, out, 300);
	for (int i = 0; i < 200; i++)
		h->log.buf[i] = (uint8_t)(255 - i);
	select_target(h, 2);
	static const uint8_t rd[6] = { 0x08, 0, 0, 0, 200, 0 };
	r = run_phases(h, rd, 6, in, 200);
	ck_assert_int_eq(r.status, 0);
	ck_assert_mem_eq(in, h->log.buf, 200);
	ck_assert_int_eq(h->log.commands, 2);
	host_free(h);
}
END_TEST

START_TEST(linux_sequence_runs_a_command)
{
	struct host *h = host_new(1);
	struct aic6260 *c = h->chip;
	start_selection(h, 2);
	wait_irq(h);
	ck_assert_uint_eq(aic6260_inb(c, AIC_SSTAT0) & (AIC_SELDO | AIC_SELINGO),
			  AIC_SELDO);
	/* an idle-bus selection takes what the bus engine's own takes
	 * (tests/test_bus_dev.c: 5.43 us with devices side by side; here
	 * 1 m apart, plus the round trips) */
	ck_assert_uint_gt(sim_now(&h->sim), 5 * SIM_US);
	ck_assert_uint_lt(sim_now(&h->sim), 7 * SIM_US);
	aic6260_outb(c, AIC_CLRSINT0, AIC_SELDO);
	aic6260_outb(c, AIC_SCSISEQ, 0);
	/* the information phases, one REQ at a time */
	aic6260_outb(c, AIC_SIMODE0, 0);
	aic6260_outb(c, AIC_SIMODE1, AIC_REQINIT | AIC_BUSFREE);
	static const uint8_t cdb[6] = { 0x00, 0, 0, 0, 0, 0 }; /* TUR */
	int cdb_pos = 0, status = -1, message = -1, phases = 0;
	for (;;) {
		aic6260_outb(c, AIC_DMACNTRL0, AIC_INTEN);
		wait_irq(h);
		uint8_t s1 = aic6260_inb(c, AIC_SSTAT1);
		if (s1 & AIC_BUSFREE)
			break;
		ck_assert(s1 & AIC_REQINIT);
		/* take the phase the target shows as the expected one */
		uint8_t phase = aic6260_inb(c, AIC_SCSISIG) & AIC_SIG_PHASE;
		aic6260_outb(c, AIC_SCSISIG, phase);
		ck_assert_uint_eq(aic6260_inb(c, AIC_SSTAT1) & AIC_PHASEMIS, 0);
		aic6260_outb(c, AIC_SXFRCTL0, AIC_CH1 | AIC_SPIOEN);
		ck_assert(aic6260_inb(c, AIC_SSTAT0) & AIC_SPIORDY);
		aic6260_outb(c, AIC_CLRSINT1, AIC_REQINIT | AIC_PHASECHG);
		phases++;
		switch (phase) {
		case AIC_SIG_MSG | AIC_SIG_CD: /* MESSAGE OUT */
			/* ATN goes before the last byte */
			aic6260_outb(c, AIC_CLRSINT1, AIC_CLRATNO);
			aic6260_outb(c, AIC_SCSIDAT, 0x80 | 0x40); /* IDENTIFY */
			break;
		case AIC_SIG_CD: /* COMMAND */
			ck_assert_int_lt(cdb_pos, 6);
			aic6260_outb(c, AIC_SCSIDAT, cdb[cdb_pos++]);
			break;
		case AIC_SIG_CD | AIC_SIG_IO: /* STATUS */
			status = aic6260_inb(c, AIC_SCSIDAT);
			break;
		case AIC_SIG_MSG | AIC_SIG_CD | AIC_SIG_IO: /* MESSAGE IN */
			message = aic6260_inb(c, AIC_SCSIDAT);
			break;
		default:
			ck_abort_msg("unexpected phase %#x", phase);
		}
		/* the byte moved: the chip waits for the next REQ */
		ck_assert_uint_eq(aic6260_inb(c, AIC_SSTAT0) & AIC_SPIORDY, 0);
	}
	ck_assert_int_eq(phases, 1 + 6 + 1 + 1);
	ck_assert_int_eq(cdb_pos, 6);
	ck_assert_int_eq(status, 0x00);  /* GOOD */
	ck_assert_int_eq(message, 0x00); /* COMMAND COMPLETE */
	ck_assert_int_eq(h->log.commands, 1);
	ck_assert_uint_eq(h->log.cdb0, 0x00);
	ck_assert_uint_eq(aic6260_inb(c, AIC_SCSISIG) & (AIC_SIG_BSY |
							 AIC_SIG_SEL), 0);
	host_free(h);
}
END_TEST

/* Selecting an absent ID: SELTO after the STIMESEL time, SELINGO was set
 * (arbitration won, nobody answered), the bus is left free. */
START_TEST(absent_target_times_out)
{
	static const struct {
		uint8_t stimesel;
		sim_time_t ms;
	} sel[] = { { 0x00, 256 }, { 0x18, 32 } };
	for (size_t i = 0; i < 2; i++) {
		struct host *h = host_new(0);
		struct aic6260 *c = h->chip;
		aic6260_outb(c, AIC_SCSIID, 7 << 4 | 5);
		aic6260_outb(c, AIC_SXFRCTL1,
			     AIC_ENSPCHK | AIC_ENSTIMER | sel[i].stimesel);
		aic6260_outb(c, AIC_SIMODE0, AIC_SELDO);
		aic6260_outb(c, AIC_SIMODE1, AIC_SELTO);
		aic6260_outb(c, AIC_DMACNTRL0, AIC_INTEN);
		aic6260_outb(c, AIC_SCSISEQ, AIC_ENSELO | AIC_ENAUTOATNO);
		wait_irq(h);
		ck_assert_uint_eq(aic6260_inb(c, AIC_SSTAT1) & AIC_SELTO,
				  AIC_SELTO);
		ck_assert_uint_eq(aic6260_inb(c, AIC_SSTAT0) &
					  (AIC_SELDO | AIC_SELINGO),
				  0);
		/* the time-out runs from the end of the selection's setup
		 * (a few us) and the abort procedure adds 200 us */
		sim_time_t t = sim_now(&h->sim);
		ck_assert_uint_gt(t, sel[i].ms * SIM_MS);
		ck_assert_uint_lt(t, sel[i].ms * SIM_MS + 250 * SIM_US);
		ck_assert_uint_eq(aic6260_inb(c, AIC_SCSISIG), 0);
		host_free(h);
	}
}
END_TEST

/* Wait, polling as a driver does, until a status bit is set. */
static void poll_until(struct host *h, unsigned reg, uint8_t bit)
{
	for (int guard = 0; !(aic6260_inb(h->chip, reg) & bit); guard++) {
		ck_assert_int_lt(guard, 10000);
		run_for(h, 100 * SIM_NS);
	}
}

/* The chip as a target, in PIO: a SCSI-2 initiator's TEST UNIT READY
 * arrives (IDENTIFY, six CDB bytes), the driver answers GOOD and COMMAND
 * COMPLETE through the registers, and frees the bus: the initiator sees
 * a clean command. */
START_TEST(target_mode_answers_a_command)
{
	struct host *h = host_new(0);
	struct aic6260 *c = h->chip;
	struct bus_dev *ini;
	struct bus_dev_config ic = { .id = 6,
				     .latency = BUS_DEV_DEFAULT_LATENCY };
	ck_assert_int_eq(bus_dev_create(h->bus, "host6", 1000, &ic, &ini),
			 SN_OK);
	aic6260_outb(c, AIC_SCSIID, 7 << 4);
	aic6260_outb(c, AIC_SXFRCTL1, AIC_ENSPCHK);
	aic6260_outb(c, AIC_SIMODE0, AIC_SELDI);
	aic6260_outb(c, AIC_DMACNTRL0, AIC_INTEN);
	aic6260_outb(c, AIC_SCSISEQ, AIC_ENSELI);
	struct bus_cmd cmd;
	memset(&cmd, 0, sizeof cmd);
	cmd.target = 7;
	cmd.cdb_len = 6;
	cmd.cdb[0] = 0x00; /* TEST UNIT READY */
	cmd.cdb[1] = 0x20; /* something to see */
	ck_assert_int_eq(bus_dev_command(ini, &cmd), SN_OK);
	wait_irq(h);
	ck_assert_uint_eq(aic6260_inb(c, AIC_SSTAT0) & (AIC_SELDI | AIC_TARGET),
			  AIC_SELDI | AIC_TARGET);
	ck_assert_uint_eq(aic6260_inb(c, AIC_SELID), 0xc0); /* IDs 7, 6 */
	ck_assert_uint_eq(aic6260_inb(c, AIC_SSTAT1) & AIC_ATNTARG,
			  AIC_ATNTARG);
	aic6260_outb(c, AIC_CLRSINT0, AIC_SELDI);
	aic6260_outb(c, AIC_CLRSINT1, AIC_ATNTARG);
	aic6260_outb(c, AIC_SCSISEQ, AIC_TEMODEO | AIC_ENSELI);
	aic6260_outb(c, AIC_SXFRCTL0, AIC_CH1 | AIC_SPIOEN);
	/* MESSAGE OUT: one byte asked for */
	aic6260_outb(c, AIC_SCSISIG, AIC_SIG_MSG | AIC_SIG_CD | AIC_SIG_REQ);
	poll_until(h, AIC_SSTAT0, AIC_SPIORDY);
	ck_assert_uint_eq(aic6260_inb(c, AIC_SCSIDAT) & 0xc0, 0x80);
	/* COMMAND: six bytes */
	uint8_t cdb[6];
	for (int i = 0; i < 6; i++) {
		aic6260_outb(c, AIC_SCSISIG, AIC_SIG_CD | AIC_SIG_REQ);
		poll_until(h, AIC_SSTAT0, AIC_SPIORDY);
		cdb[i] = aic6260_inb(c, AIC_SCSIDAT);
	}
	ck_assert_uint_eq(cdb[0], 0x00);
	ck_assert_uint_eq(cdb[1], 0x20);
	/* STATUS GOOD, COMMAND COMPLETE */
	aic6260_outb(c, AIC_SCSISIG, AIC_SIG_CD | AIC_SIG_IO);
	aic6260_outb(c, AIC_SCSIDAT, 0x00);
	poll_until(h, AIC_SSTAT0, AIC_SPIORDY);
	aic6260_outb(c, AIC_SCSISIG, AIC_SIG_MSG | AIC_SIG_CD | AIC_SIG_IO);
	aic6260_outb(c, AIC_SCSIDAT, 0x00);
	poll_until(h, AIC_SSTAT0, AIC_SPIORDY);
	/* free the bus; the initiator ends its command */
	aic6260_outb(c, AIC_SCSISEQ, AIC_ENSELI);
	ck_assert_int_eq(sim_run(&h->sim), SIM_RUN_EMPTY);
	ck_assert_int_eq(cmd.result, BUS_CMD_DONE);
	ck_assert_uint_eq(cmd.status, 0x00);
	ck_assert_uint_eq(aic6260_inb(c, AIC_SSTAT0) & AIC_TARGET, 0);
	ck_assert_uint_eq(aic6260_inb(c, AIC_SCSISIG), 0);
	bus_dev_destroy(ini);
	host_free(h);
}
END_TEST

/* The target driver's side of one command, in PIO except the data phase,
 * which goes through the host FIFO (moved by the test as the driver's
 * insw/outsw would). */
static void target_serve(struct host *h, uint8_t *cdb, int cdb_len,
			 int data_in, uint8_t *data, uint32_t n)
{
	struct aic6260 *c = h->chip;
	wait_irq(h);
	ck_assert(aic6260_inb(c, AIC_SSTAT0) & AIC_SELDI);
	aic6260_outb(c, AIC_CLRSINT0, AIC_SELDI);
	aic6260_outb(c, AIC_CLRSINT1, AIC_ATNTARG);
	aic6260_outb(c, AIC_SCSISEQ, AIC_TEMODEO | AIC_ENSELI);
	aic6260_outb(c, AIC_SXFRCTL0, AIC_CH1 | AIC_SPIOEN);
	/* MESSAGE OUT while the initiator holds ATN: IDENTIFY, maybe SDTR */
	uint8_t mo[8];
	int mo_len = 0;
	do {
		aic6260_outb(c, AIC_SCSISIG,
			     AIC_SIG_MSG | AIC_SIG_CD | AIC_SIG_REQ);
		poll_until(h, AIC_SSTAT0, AIC_SPIORDY);
		mo[mo_len++] = aic6260_inb(c, AIC_SCSIDAT);
	} while ((aic6260_inb(c, AIC_SCSISIG) & AIC_SIG_ATN) && mo_len < 8);
	ck_assert_uint_eq(mo[0] & 0x80, 0x80); /* IDENTIFY */
	if (mo_len == 6 && mo[1] == 0x01 && mo[3] == 0x01) {
		/* SDTR: agree to what was asked (the chip runs it), answer,
		 * and program SCSIRATE */
		int v = aic6260_scsirate_for(mo[4], mo[5]);
		ck_assert_int_ge(v, 0);
		for (int i = 1; i < 6; i++) {
			aic6260_outb(c, AIC_SCSISIG,
				     AIC_SIG_MSG | AIC_SIG_CD | AIC_SIG_IO);
			aic6260_outb(c, AIC_SCSIDAT, mo[i]);
			poll_until(h, AIC_SSTAT0, AIC_SPIORDY);
		}
		aic6260_outb(c, AIC_SCSIRATE, (uint8_t)v);
	}
	for (int i = 0; i < cdb_len; i++) {
		aic6260_outb(c, AIC_SCSISIG, AIC_SIG_CD | AIC_SIG_REQ);
		poll_until(h, AIC_SSTAT0, AIC_SPIORDY);
		cdb[i] = aic6260_inb(c, AIC_SCSIDAT);
	}
	/* the data phase through the FIFO */
	aic6260_outb(c, AIC_SCSISIG, data_in ? AIC_SIG_IO : 0);
	aic6260_outb(c, AIC_DMACNTRL0, AIC_RSTFIFO);
	aic6260_outb(c, AIC_SXFRCTL0, AIC_CH1 | AIC_CLRSTCNT);
	aic6260_outb(c, AIC_STCNT0, (uint8_t)n);
	aic6260_outb(c, AIC_STCNT1, (uint8_t)(n >> 8));
	aic6260_outb(c, AIC_DMACNTRL0, data_in ? AIC_ENDMA | AIC_WRITE_READ
					       : AIC_ENDMA);
	aic6260_outb(c, AIC_SXFRCTL0, AIC_SCSIEN | AIC_DMAEN | AIC_CH1);
	uint32_t pos = 0;
	for (int guard = 0; pos < n; guard++) {
		ck_assert_int_lt(guard, 100000);
		uint32_t have = aic6260_inb(c, AIC_FIFOSTAT);
		if (data_in) {
			for (uint32_t room = AIC_FIFO_BYTES - have;
			     room > 0 && pos < n; room--)
				aic6260_outb(c, AIC_DATAPORT, data[pos++]);
		} else {
			for (; have > 0 && pos < n; have--)
				data[pos++] = aic6260_inb(c, AIC_DATAPORT);
		}
		if (pos < n)
			run_for(h, 10 * SIM_US);
	}
	poll_until(h, AIC_SSTAT0, AIC_SDONE);
	aic6260_outb(c, AIC_CLRSINT0, AIC_SDONE);
	aic6260_outb(c, AIC_SXFRCTL0, AIC_CH1 | AIC_SPIOEN);
	aic6260_outb(c, AIC_DMACNTRL0, AIC_INTEN);
	/* STATUS GOOD, COMMAND COMPLETE, BUS FREE */
	aic6260_outb(c, AIC_SCSISIG, AIC_SIG_CD | AIC_SIG_IO);
	aic6260_outb(c, AIC_SCSIDAT, 0x00);
	poll_until(h, AIC_SSTAT0, AIC_SPIORDY);
	aic6260_outb(c, AIC_SCSISIG, AIC_SIG_MSG | AIC_SIG_CD | AIC_SIG_IO);
	aic6260_outb(c, AIC_SCSIDAT, 0x00);
	poll_until(h, AIC_SSTAT0, AIC_SPIORDY);
	aic6260_outb(c, AIC_SCSISEQ, AIC_ENSELI);
}

/* The chip as a target receives SEND MESSAGE(10) with 300 bytes into its
 * host FIFO, then sends 200 bytes from it: both arrive intact. */
START_TEST(target_fifo_data_both_ways)
{
	struct host *h = host_new(0);
	struct aic6260 *c = h->chip;
	struct bus_dev *ini;
	struct bus_dev_config ic = { .id = 6,
				     .latency = BUS_DEV_DEFAULT_LATENCY };
	ck_assert_int_eq(bus_dev_create(h->bus, "host6", 1000, &ic, &ini),
			 SN_OK);
	aic6260_outb(c, AIC_SIMODE0, AIC_SELDI);
	aic6260_outb(c, AIC_DMACNTRL0, AIC_INTEN);
	aic6260_outb(c, AIC_SCSISEQ, AIC_ENSELI);
	uint8_t out[300], got[300], in[200], back[200], cdb[10];
	for (int i = 0; i < 300; i++)
		out[i] = (uint8_t)(i * 11 + 5);
	struct bus_cmd cmd;
	memset(&cmd, 0, sizeof cmd);
	cmd.target = 7;
	cmd.cdb_len = 10;
	cmd.cdb[0] = 0x2A;
	cmd.cdb[7] = 0x01;
	cmd.cdb[8] = 0x2c; /* 300 */
	cmd.dir = BUS_DIR_OUT;
	cmd.data = out;
	cmd.data_len = 300;
	ck_assert_int_eq(bus_dev_command(ini, &cmd), SN_OK);
	target_serve(h, cdb, 10, 0, got, 300);
	ck_assert_int_eq(sim_run(&h->sim), SIM_RUN_EMPTY);
	ck_assert_int_eq(cmd.result, BUS_CMD_DONE);
	ck_assert_uint_eq(cmd.data_moved, 300);
	ck_assert_uint_eq(cdb[0], 0x2A);
	ck_assert_mem_eq(got, out, 300);
	for (int i = 0; i < 200; i++)
		back[i] = (uint8_t)(200 - i);
	memset(&cmd, 0, sizeof cmd);
	cmd.target = 7;
	cmd.cdb_len = 6;
	cmd.cdb[0] = 0x08;
	cmd.cdb[4] = 200;
	cmd.dir = BUS_DIR_IN;
	cmd.data = in;
	cmd.data_len = 200;
	ck_assert_int_eq(bus_dev_command(ini, &cmd), SN_OK);
	target_serve(h, cdb, 6, 1, back, 200);
	ck_assert_int_eq(sim_run(&h->sim), SIM_RUN_EMPTY);
	ck_assert_int_eq(cmd.result, BUS_CMD_DONE);
	ck_assert_uint_eq(cmd.data_moved, 200);
	ck_assert_mem_eq(in, back, 200);
	bus_dev_destroy(ini);
	host_free(h);
}
END_TEST

/* SCSIRSTO resets the bus as Linux does (held 256 ms): a command between
 * two other devices ends as reset, the chip sees SCSIRSTI; another
 * device's reset is seen too, with its interrupt. */
START_TEST(bus_reset_out_and_in)
{
	struct host *h = host_new(1);
	struct aic6260 *c = h->chip;
	struct bus_dev *ini;
	struct bus_dev_config ic = { .id = 6,
				     .latency = BUS_DEV_DEFAULT_LATENCY };
	ck_assert_int_eq(bus_dev_create(h->bus, "host6", 500, &ic, &ini),
			 SN_OK);
	static uint8_t buf[4000];
	struct bus_cmd cmd;
	memset(&cmd, 0, sizeof cmd);
	cmd.target = 2;
	cmd.cdb_len = 10;
	cmd.cdb[0] = 0x2A;
	cmd.cdb[7] = 4000 >> 8;
	cmd.cdb[8] = 4000 & 0xff;
	cmd.dir = BUS_DIR_OUT;
	cmd.data = buf;
	cmd.data_len = 4000;
	ck_assert_int_eq(bus_dev_command(ini, &cmd), SN_OK);
	aic6260_outb(c, AIC_SIMODE1, AIC_SCSIRSTI);
	run_for(h, 200 * SIM_US); /* well inside the data phase */
	ck_assert_uint_eq(aic6260_inb(c, AIC_SSTAT1) & AIC_SCSIRSTI, 0);
	aic6260_outb(c, AIC_SCSISEQ, AIC_SCSIRSTO);
	run_for(h, 256 * SIM_MS);
	aic6260_outb(c, AIC_SCSISEQ, 0);
	ck_assert_int_eq(sim_run(&h->sim), SIM_RUN_EMPTY);
	ck_assert_int_eq(cmd.result, BUS_CMD_RESET);
	ck_assert_uint_lt(cmd.data_moved, 4000);
	ck_assert_uint_eq(aic6260_inb(c, AIC_SSTAT1) & AIC_SCSIRSTI,
			  AIC_SCSIRSTI);
	aic6260_outb(c, AIC_CLRSINT1, AIC_SCSIRSTI);
	/* another device resets the bus: the chip interrupts */
	aic6260_outb(c, AIC_DMACNTRL0, AIC_INTEN);
	bus_dev_reset_bus(ini, 0);
	wait_irq(h);
	ck_assert_uint_eq(aic6260_inb(c, AIC_SSTAT1) & AIC_SCSIRSTI,
			  AIC_SCSIRSTI);
	ck_assert_int_eq(sim_run(&h->sim), SIM_RUN_EMPTY);
	bus_dev_destroy(ini);
	host_free(h);
}
END_TEST

/* The driver proposes SDTR (200 ns, offset 8) as aha152x does; a target
 * that can run 200 ns agrees; the driver programs SCSIRATE from the
 * answer and the data phase runs synchronously: 1000 bytes intact, in
 * 1000 x 200 ns, and the checker sees the offset respected. */
START_TEST(sync_transfer_after_sdtr)
{
	struct bus_dev_config tc = {
		.id = 2, .latency = BUS_DEV_DEFAULT_LATENCY,
		.sync_period = 200 * SIM_NS, .sync_offset = 8,
	};
	struct host *h = host_make(&tc);
	static uint8_t out[1000];
	for (int i = 0; i < 1000; i++)
		out[i] = (uint8_t)(i * 5 + 3);
	select_target(h, 2);
	g_sdtr = 1;
	static const uint8_t send1000[10] = { 0x2A, 0, 0, 0, 0, 0, 0,
					      1000 >> 8, 1000 & 0xff, 0 };
	sim_time_t t0 = sim_now(&h->sim);
	struct cmd_result r = run_phases(h, send1000, 10, out, 1000);
	g_sdtr = 0;
	ck_assert_int_eq(r.status, 0);
	ck_assert_int_eq(r.message, 0);
	ck_assert_mem_eq(h->log.buf, out, 1000);
	sim_time_t period;
	uint8_t offset;
	aic6260_rate(h->chip, &period, &offset);
	ck_assert_uint_eq(period, 200 * SIM_NS);
	ck_assert_uint_eq(offset, 8);
	struct bus_agreement a = bus_dev_agreement(h->tgt, 7);
	ck_assert_uint_eq(a.period, 200 * SIM_NS);
	ck_assert_uint_eq(a.offset, 8);
	/* synchronous: the whole command in well under what 1000
	 * interlocked bytes on 1 m would take (> 1000 x 0.5 us) */
	/* synchronous at 200 ns: the 1000 data bytes take 200 us, the rest
	 * (messages, CDB, status) a few us more; interlocked, the same
	 * command takes 283 us here */
	sim_time_t dt = sim_now(&h->sim) - t0;
	ck_assert_uint_ge(dt, 1000 * 200 * SIM_NS);
	ck_assert_uint_lt(dt, 1000 * 200 * SIM_NS + 20 * SIM_US);
	host_free(h);
	g_sdtr = 0;
}
END_TEST

/* The chip as a target: an initiator proposes SDTR 200 ns offset 8, the
 * driver agrees, programs SCSIRATE, and receives 1000 bytes
 * synchronously through the FIFO (the checker watching the offset). */
START_TEST(target_sync_after_sdtr)
{
	struct host *h = host_new(0);
	struct aic6260 *c = h->chip;
	struct bus_dev *ini;
	struct bus_dev_config ic = { .id = 6,
				     .latency = BUS_DEV_DEFAULT_LATENCY,
				     .sync_period = 200 * SIM_NS,
				     .sync_offset = 8 };
	ck_assert_int_eq(bus_dev_create(h->bus, "host6", 1000, &ic, &ini),
			 SN_OK);
	aic6260_outb(c, AIC_SIMODE0, AIC_SELDI);
	aic6260_outb(c, AIC_DMACNTRL0, AIC_INTEN);
	aic6260_outb(c, AIC_SCSISEQ, AIC_ENSELI);
	static uint8_t out[1000], got[1000];
	uint8_t cdb[10];
	for (int i = 0; i < 1000; i++)
		out[i] = (uint8_t)(i * 13 + 7);
	struct bus_cmd cmd;
	memset(&cmd, 0, sizeof cmd);
	cmd.target = 7;
	cmd.cdb_len = 10;
	cmd.cdb[0] = 0x2A;
	cmd.cdb[7] = 1000 >> 8;
	cmd.cdb[8] = 1000 & 0xff;
	cmd.dir = BUS_DIR_OUT;
	cmd.data = out;
	cmd.data_len = 1000;
	ck_assert_int_eq(bus_dev_command(ini, &cmd), SN_OK);
	target_serve(h, cdb, 10, 0, got, 1000);
	ck_assert_int_eq(sim_run(&h->sim), SIM_RUN_EMPTY);
	ck_assert_int_eq(cmd.result, BUS_CMD_DONE);
	ck_assert_uint_eq(cmd.status, 0);
	ck_assert_mem_eq(got, out, 1000);
	struct bus_agreement a = bus_dev_agreement(ini, 7);
	ck_assert_uint_eq(a.period, 200 * SIM_NS);
	ck_assert_uint_eq(a.offset, 8);
	/* the data went at the agreed period: 1000 x 200 ns at least */
	ck_assert_uint_ge(cmd.t_done - cmd.t_selected, 1000 * 200 * SIM_NS);
	ck_assert_uint_lt(cmd.t_done - cmd.t_selected,
			  1000 * 200 * SIM_NS + 40 * SIM_US);
	bus_dev_destroy(ini);
	host_free(h);
}
END_TEST

/* With the disconnect privilege the target disconnects while it works
 * (2 ms) and reselects; the chip, told ENRESELI, answers (SELDI, SELID
 * = IDs 7 and 2) and the command completes: the bus was free meanwhile. */
START_TEST(disconnect_and_reselection)
{
	struct host *h = host_new(1);
	select_target(h, 2);
	static const uint8_t tur[6] = { 0 };
	g_disc = 1;
	g_busy = 2 * SIM_MS;
	sim_time_t t0 = sim_now(&h->sim);
	struct cmd_result r = run_phases(h, tur, 6, NULL, 0);
	g_disc = 0;
	g_busy = 0;
	ck_assert_int_eq(r.reselections, 1);
	ck_assert_int_eq(r.status, 0);
	ck_assert_int_eq(r.message, 0);
	ck_assert_uint_ge(sim_now(&h->sim) - t0, 2 * SIM_MS);
	ck_assert_uint_eq(bus_dev_stats(h->tgt)->disconnects, 1);
	ck_assert_uint_eq(bus_dev_stats(h->tgt)->reselections, 1);
	host_free(h);
}
END_TEST

Suite *aic6260_suite(void)
{
	Suite *s = suite_create("aic6260");
	TCase *tc = tcase_create("registers");
	tcase_add_test(tc, reset_values);
	tcase_add_test(tc, stack_probe);
	tcase_add_test(tc, jumpers_on_porta_portb);
	tcase_add_test(tc, host_fifo);
	tcase_add_test(tc, transfer_count);
	tcase_add_test(tc, scsirate);
	tcase_add_test(tc, interrupts_gated);
	suite_add_tcase(s, tc);
	TCase *bus = tcase_create("bus");
	tcase_set_timeout(bus, 60);
	tcase_add_test(bus, linux_sequence_runs_a_command);
	tcase_add_test(bus, absent_target_times_out);
	tcase_add_test(bus, fifo_data_both_ways);
	tcase_add_test(bus, target_mode_answers_a_command);
	tcase_add_test(bus, target_fifo_data_both_ways);
	tcase_add_test(bus, bus_reset_out_and_in);
	tcase_add_test(bus, sync_transfer_after_sdtr);
	tcase_add_test(bus, target_sync_after_sdtr);
	tcase_add_test(bus, disconnect_and_reselection);
	suite_add_tcase(s, bus);
	return s;
}
