/*
 * test_aic6260.c - the AIC-6260 registers and host side: reset values, the
 * drivers' probe, the jumpers, the host FIFO through DATAPORT, the
 * transfer count, SCSIRATE, and interrupts gated by SIMODE and INTEN.
 */
#include "aic6260.h"
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
	ck_assert_int_eq(aic6260_create(&r->sim, NULL, &cfg, &r->chip),
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
	ck_assert_int_eq(aic6260_create(&sim, NULL, &bad, &c), SN_EINVAL);
	bad.jumpers = AIC6260_JUMPERS_DEFAULT;
	bad.jumpers.scsi_id = 8;
	ck_assert_int_eq(aic6260_create(&sim, NULL, &bad, &c), SN_EINVAL);
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
	rig_free(r);
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
	return s;
}
