/*
 * aha1522.c - the AHA-1520/1522 card (see aha1522.h).
 */
#include "aha1522.h"

struct aha1522 {
	struct sim *sim;
	struct isa_host *isa;
	struct aic6260 *chip;
	uint16_t base;
	int irq;
};

static uint8_t card_inb(void *dev, unsigned off)
{
	return aic6260_inb(((struct aha1522 *)dev)->chip, off);
}

static void card_outb(void *dev, unsigned off, uint8_t v)
{
	aic6260_outb(((struct aha1522 *)dev)->chip, off, v);
}

static uint16_t card_inw(void *dev, unsigned off)
{
	return aic6260_inw(((struct aha1522 *)dev)->chip, off);
}

static void card_outw(void *dev, unsigned off, uint16_t v)
{
	aic6260_outw(((struct aha1522 *)dev)->chip, off, v);
}

static const struct isa_dev_ops card_ops = { card_inb, card_outb, card_inw,
					     card_outw };

/* The chip's interrupt output is wired to the jumpered IRQ line. */
static void card_irq(struct aic6260 *chip, int level, void *arg)
{
	(void)chip;
	struct aha1522 *card = arg;
	isa_irq(card->isa, card->irq, level);
}

enum sn_err aha1522_create(struct isa_host *isa, struct bus *scsi,
			   const struct aha1522_config *cfg,
			   struct aha1522 **out)
{
	if (cfg->io_base != AHA1522_BASE_PRIMARY &&
	    cfg->io_base != AHA1522_BASE_ALT)
		return SN_EINVAL;
	struct sim *sim = bus_sim(scsi);
	struct aha1522 *card = sim_calloc(sim, 1, sizeof *card);
	if (card == NULL)
		return SN_ENOMEM;
	card->sim = sim;
	card->isa = isa;
	card->base = cfg->io_base;
	card->irq = cfg->jumpers.irq;
	struct aic6260_config cc = {
		.chip = cfg->chip,
		.jumpers = cfg->jumpers,
		.rev = cfg->chip == AIC_CHIP_6360 ? 1 : 0,
		.irq = card_irq,
		.irq_arg = card,
	};
	enum sn_err err = aic6260_create(sim, scsi, cfg->pos_mm, &cc,
					 &card->chip);
	if (err == SN_OK)
		err = isa_map(isa, card->base, AIC_NREGS, &card_ops, card);
	if (err != SN_OK) {
		aic6260_destroy(card->chip);
		sim_free(sim, card);
		return err;
	}
	*out = card;
	return SN_OK;
}

void aha1522_destroy(struct aha1522 *card)
{
	if (card == NULL)
		return;
	isa_unmap(card->isa, card->base);
	aic6260_destroy(card->chip);
	sim_free(card->sim, card);
}

struct aic6260 *aha1522_chip(struct aha1522 *card)
{
	return card->chip;
}

uint16_t aha1522_base(const struct aha1522 *card)
{
	return card->base;
}

int aha1522_irq(const struct aha1522 *card)
{
	return card->irq;
}
