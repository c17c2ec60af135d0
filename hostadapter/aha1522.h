/*
 * aha1522.h - the Adaptec AHA-1520/1522 card: an AIC-6260 behind 32 ISA
 * ports at 0x340 or 0x140, its interrupt on IRQ 9-12 as the jumpers say
 * (protocol-facts 3.1: Linux aha152x ports[], IRQ_MIN..IRQ_MAX).
 */
#ifndef AHA1522_H
#define AHA1522_H

#include "aic6260.h"
#include "isa.h"

/* The two I/O bases the card can be jumpered to. */
#define AHA1522_BASE_PRIMARY 0x340
#define AHA1522_BASE_ALT 0x140

struct aha1522_config {
	uint16_t io_base;            /* 0x340 (default) or 0x140 */
	enum aic_chip chip;          /* AIC-6260, or the 6360 of the
				      * AHA-1522A/1510 family */
	struct aic6260_jumpers jumpers; /* SCSI ID, IRQ, ... */
	uint32_t pos_mm;             /* where it attaches to the SCSI bus */
};

struct aha1522;

/* A card in `isa`'s bus, on `scsi`.  Errors: SN_EINVAL (base or jumpers
 * out of range), SN_EBUSY (its ports are taken), what the chip's and
 * the bus's creation return. */
enum sn_err aha1522_create(struct isa_host *isa, struct bus *scsi,
			   const struct aha1522_config *cfg,
			   struct aha1522 **out);
void aha1522_destroy(struct aha1522 *card);

struct aic6260 *aha1522_chip(struct aha1522 *card);
uint16_t aha1522_base(const struct aha1522 *card);
int aha1522_irq(const struct aha1522 *card);

#endif
