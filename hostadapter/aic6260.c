/*
 * aic6260.c - AIC-6260 registers and host side (see aic6260.h).
 */
#include "aic6260.h"

#include <string.h>

struct aic6260 {
	struct sim *sim;
	struct bus_dev *dev;          /* the SCSI side, or NULL */
	struct bus_port *port;
	struct aic6260_config cfg;
	uint8_t porta, portb;         /* jumpers as read */
	uint8_t id_pos;               /* AIC-6360 ID string position */
	uint8_t led;                  /* last PORTA write (activity LED) */
	/* control registers, as written */
	uint8_t scsiseq, sxfrctl0, sxfrctl1, scsisig_out, scsirate;
	uint8_t scsiid, scsidat, scsitest, simode0, simode1;
	uint8_t dmacntrl0, dmacntrl1, brstcntrl, test;
	/* status latched by events, cleared through CLRSINT0/1, CLRSERR */
	uint8_t sstat0, sstat1, sstat4;
	uint8_t selid;
	uint32_t stcnt;               /* 24 bits */
	/* host FIFO: fifo[head .. head + len) modulo its size */
	uint8_t fifo[AIC_FIFO_BYTES];
	uint32_t fifo_head, fifo_len;
	uint8_t stack[AIC_STACK_DEPTH];
	int irq_level;
	/* SCSI side */
	int selecting;                /* ENSELO is running */
	int connected;                /* selected, until BUS FREE */
	uint32_t req;                 /* REQs waiting to be answered (more
				       * than one only when synchronous) */
	uint8_t in_q[16];             /* DB at each of them (DATA IN) */
	uint32_t in_head, in_len;
	enum bus_phase phase;         /* of the last REQ */
	uint8_t in_latch;             /* DB at that REQ (IN phases) */
	int t_connected;              /* selected as a target */
	int t_reselecting;            /* ENSELO in target mode running */
	uint32_t t_busy;              /* target handshakes running */
	int t_fifo;                   /* ... for a byte of the host FIFO */
};

/* --- names --------------------------------------------------------------- */

const char *aic6260_reg_name(unsigned off, int write)
{
	static const char *const rd[AIC_NREGS] = {
		"SCSISEQ", "SXFRCTL0", "SXFRCTL1", "SCSISIG", "SCSIRATE",
		"SELID", "SCSIDAT", "SCSIBUS", "STCNT0", "STCNT1", "STCNT2",
		"SSTAT0", "SSTAT1", "SSTAT2", "SSTAT3", "SSTAT4", "SIMODE0",
		"SIMODE1", "DMACNTRL0", "DMACNTRL1", "DMASTAT", "FIFOSTAT",
		"DATAPORT", "DATAPORT+1", "BRSTCNTRL", "0x19", "PORTA",
		"PORTB", "REV", "STACK", "TEST", "0x1f",
	};
	if (off >= AIC_NREGS)
		return "?";
	if (write) {
		switch (off) {
		case AIC_SCSIID: return "SCSIID";
		case AIC_CLRSINT0: return "CLRSINT0";
		case AIC_CLRSINT1: return "CLRSINT1";
		case AIC_SCSITEST: return "SCSITEST";
		case AIC_CLRSERR: return "CLRSERR";
		default: break;
		}
	}
	return rd[off];
}

/* --- jumpers -------------------------------------------------------------- */

/* PORTA/PORTB as the Linux driver decodes them (aha152x.h): PORTA bits 2-0
 * SCSI ID, 4-3 IRQ - 9, 6-5 DMA channel, bit 7 set = parity checking OFF
 * (Linux reads it inverted; FreeBSD's macro reads it the other way, and
 * the scenario follows Linux, whose sequence the tests replay). */
static int jumpers_encode(const struct aic6260_jumpers *j, uint8_t *porta,
			  uint8_t *portb)
{
	if (j->scsi_id > 7 || j->irq < 9 || j->irq > 12 ||
	    j->dma_channel > 3 || j->msg_classes > 3)
		return -1;
	*porta = (uint8_t)((j->parity ? 0 : 0x80) | (j->dma_channel << 5) |
			   ((j->irq - 9) << 3) | j->scsi_id);
	*portb = (uint8_t)((j->dma_mode ? 0x80 : 0) | (j->boot ? 0x40 : 0) |
			   (j->msg_classes << 4) | (j->sync ? 0x08 : 0) |
			   (j->disconnect ? 0x04 : 0) |
			   (j->fast_sync ? 0x10 : 0));
	return 0;
}

static void on_bus_reset(struct bus_dev *dev, void *arg);

/* --- creation and reset ---------------------------------------------------- */

enum sn_err aic6260_create(struct sim *sim, struct bus *bus, uint32_t pos_mm,
			   const struct aic6260_config *cfg,
			   struct aic6260 **out)
{
	uint8_t porta, portb;
	if (jumpers_encode(&cfg->jumpers, &porta, &portb) != 0)
		return SN_EINVAL;
	struct aic6260 *c = sim_calloc(sim, 1, sizeof *c);
	if (c == NULL)
		return SN_ENOMEM;
	c->sim = sim;
	if (bus != NULL) {
		struct bus_dev_config dc = {
			.id = cfg->jumpers.scsi_id,
			.latency = AIC6260_LATENCY,
		};
		enum sn_err err = bus_dev_create(bus, "aic6260", pos_mm, &dc,
						 &c->dev);
		if (err != SN_OK) {
			sim_free(sim, c);
			return err;
		}
		c->port = bus_dev_port(c->dev);
		bus_dev_on_reset(c->dev, on_bus_reset, c);
	}
	c->cfg = *cfg;
	c->porta = porta;
	c->portb = portb;
	aic6260_reset(c);
	*out = c;
	return SN_OK;
}

void aic6260_destroy(struct aic6260 *chip)
{
	if (chip == NULL)
		return;
	bus_dev_destroy(chip->dev);
	sim_free(chip->sim, chip);
}

struct bus_dev *aic6260_dev(struct aic6260 *chip)
{
	return chip->dev;
}

static void irq_update(struct aic6260 *c);

void aic6260_reset(struct aic6260 *c)
{
	c->scsiseq = c->sxfrctl0 = c->sxfrctl1 = c->scsisig_out = 0;
	c->scsirate = c->scsiid = c->scsidat = c->scsitest = 0;
	c->simode0 = c->simode1 = c->dmacntrl0 = c->dmacntrl1 = 0;
	c->brstcntrl = c->test = c->led = 0;
	c->sstat0 = c->sstat1 = c->sstat4 = 0;
	c->selid = 0;
	c->id_pos = 0;
	c->stcnt = 0;
	c->selecting = c->connected = c->req = 0;
	c->t_reselecting = 0;
	c->in_head = c->in_len = 0;
	c->t_connected = c->t_busy = c->t_fifo = 0;
	c->fifo_head = c->fifo_len = 0;
	memset(c->stack, 0, sizeof c->stack);
	irq_update(c);
}

/* --- interrupts ------------------------------------------------------------ */

/* An enabled status bit, or the software interrupt, is pending. */
static int int_pending(const struct aic6260 *c)
{
	return (c->sstat0 & c->simode0 & 0x7f) || (c->sstat1 & c->simode1) ||
	       (c->dmacntrl0 & AIC_SWINT);
}

static void irq_update(struct aic6260 *c)
{
	int level = int_pending(c) && (c->dmacntrl0 & AIC_INTEN);
	if (level == c->irq_level)
		return;
	c->irq_level = level;
	if (c->cfg.irq != NULL)
		c->cfg.irq(c, level, c->cfg.irq_arg);
}

int aic6260_irq_level(const struct aic6260 *c)
{
	return c->irq_level;
}

void aic6260_raise(struct aic6260 *c, uint8_t sstat0, uint8_t sstat1)
{
	c->sstat0 |= sstat0;
	c->sstat1 |= sstat1;
	irq_update(c);
}

/* --- the SCSI lines as the chip senses them -------------------------------- */

static uint8_t scsisig_in(const struct aic6260 *c)
{
	if (c->port == NULL)
		return 0;
	uint16_t l = bus_sense(c->port).ctl;
	return (uint8_t)(((l & BUS_CD) ? AIC_SIG_CD : 0) |
			 ((l & BUS_IO) ? AIC_SIG_IO : 0) |
			 ((l & BUS_MSG) ? AIC_SIG_MSG : 0) |
			 ((l & BUS_ATN) ? AIC_SIG_ATN : 0) |
			 ((l & BUS_SEL) ? AIC_SIG_SEL : 0) |
			 ((l & BUS_BSY) ? AIC_SIG_BSY : 0) |
			 ((l & BUS_REQ) ? AIC_SIG_REQ : 0) |
			 ((l & BUS_ACK) ? AIC_SIG_ACK : 0));
}

static uint8_t scsibus_in(const struct aic6260 *c)
{
	return c->port ? (uint8_t)bus_sense(c->port).db : 0;
}

/* --- host FIFO ---------------------------------------------------------------- */

static uint8_t dmastat(const struct aic6260 *c)
{
	return (uint8_t)((int_pending(c) ? AIC_INTSTAT : 0) |
			 (c->fifo_len == AIC_FIFO_BYTES ? AIC_DFIFOFULL : 0) |
			 (c->fifo_len == 0 ? AIC_DFIFOEMP : 0) |
			 (c->fifo_len >= 2 ? AIC_WORDRDY : 0));
}

static void fifo_push(struct aic6260 *c, uint8_t v)
{
	if (c->fifo_len == AIC_FIFO_BYTES) {
		c->sstat4 |= AIC_FWERR; /* written while full: lost */
		return;
	}
	c->fifo[(c->fifo_head + c->fifo_len++) % AIC_FIFO_BYTES] = v;
}

static uint8_t fifo_pop(struct aic6260 *c)
{
	if (c->fifo_len == 0) {
		c->sstat4 |= AIC_FRERR; /* read while empty */
		return 0xff;
	}
	uint8_t v = c->fifo[c->fifo_head];
	c->fifo_head = (c->fifo_head + 1) % AIC_FIFO_BYTES;
	c->fifo_len--;
	return v;
}

/* --- SCSI side (initiator) --------------------------------------------------- */

/* SCSISIG's phase bits for a bus phase, and back. */
static uint8_t sig_phase(enum bus_phase ph)
{
	return (uint8_t)(((ph & 4) ? AIC_SIG_MSG : 0) |
			 ((ph & 2) ? AIC_SIG_CD : 0) |
			 ((ph & 1) ? AIC_SIG_IO : 0));
}

/* Does the REQ waiting match the phase the driver expects (SCSISIG)? */
static int phase_expected(const struct aic6260 *c)
{
	return (c->scsisig_out & AIC_SIG_PHASE) == sig_phase(c->phase);
}

/* SPIORDY and PHASEMIS follow the REQ waiting and SCSISIG. */
static void spio_update(struct aic6260 *c)
{
	c->sstat0 &= (uint8_t)~AIC_SPIORDY;
	c->sstat1 &= (uint8_t)~AIC_PHASEMIS;
	if (!c->req)
		return;
	if (!phase_expected(c))
		c->sstat1 |= AIC_PHASEMIS;
	else if (c->sxfrctl0 & AIC_SPIOEN)
		c->sstat0 |= AIC_SPIORDY;
}

static void fifo_transfer(struct aic6260 *c);

static void on_selected(struct bus_dev *dev, int ok, void *arg)
{
	(void)dev;
	struct aic6260 *c = arg;
	c->selecting = 0;
	c->sstat0 &= (uint8_t)~AIC_SELINGO;
	if (ok) {
		c->connected = 1;
		c->sstat0 |= AIC_SELDO;
		c->sstat1 &= (uint8_t)~AIC_BUSFREE;
	} else {
		c->sstat1 |= AIC_SELTO;
	}
	irq_update(c);
}

static void on_req(struct bus_dev *dev, enum bus_phase ph, struct bus_sig in,
		   void *arg)
{
	(void)dev;
	struct aic6260 *c = arg;
	if (c->req == 0 && ph != c->phase)
		c->sstat1 |= AIC_PHASECHG;
	if (c->req == 0)
		c->in_head = c->in_len = 0;
	c->req++;
	c->phase = ph;
	c->in_latch = (uint8_t)in.db;
	if (c->in_len < sizeof c->in_q)
		c->in_q[(c->in_head + c->in_len++) % sizeof c->in_q] =
			(uint8_t)in.db;
	if (bus_phase_is_in(ph)) {
		c->scsidat = (uint8_t)in.db;
		if ((c->sxfrctl1 & AIC_ENSPCHK) &&
		    (in.dbp & 1) != (bus_parity(in.db) & 1))
			c->sstat1 |= AIC_SCSIPERR;
	}
	c->sstat1 |= AIC_REQINIT;
	spio_update(c);
	fifo_transfer(c);
	irq_update(c);
}

static void on_ended(struct bus_dev *dev, enum bus_cmd_result why, void *arg)
{
	(void)dev;
	struct aic6260 *c = arg;
	c->connected = c->req = 0;
	c->in_head = c->in_len = 0;
	c->sstat1 |= AIC_BUSFREE;
	if (why == BUS_CMD_RESET)
		c->sstat1 |= AIC_SCSIRSTI;
	spio_update(c);
	irq_update(c);
}

/* Reselected by a target (ENRESELI): SELDI, SELID = both IDs; a
 * selection of ours still waiting for the bus is dropped (the drivers
 * requeue the command, protocol-facts 3.4). */
static void on_reselected(struct bus_dev *dev, int target, void *arg)
{
	(void)dev;
	struct aic6260 *c = arg;
	c->selecting = c->t_reselecting = 0;
	c->connected = 1;
	c->req = 0;
	c->in_head = c->in_len = 0;
	c->selid = (uint8_t)((1u << c->cfg.jumpers.scsi_id) |
			     (target >= 0 ? 1u << target : 0));
	c->sstat0 &= (uint8_t)~AIC_SELINGO;
	c->sstat0 |= AIC_SELDI;
	c->sstat1 &= (uint8_t)~AIC_BUSFREE;
	irq_update(c);
}

static const struct bus_dev_step_ops step_ops = {
	on_selected, on_req, on_ended, on_reselected,
};

/* The selection time-out STIMESEL selects (SXFRCTL1 bits 4-3: 256, 128,
 * 64 or 32 ms; Linux aha152x.h, protocol-facts 3.2), when ENSTIMER is
 * set; without it the SCSI-2 selection time-out. */
static sim_time_t sel_timeout(const struct aic6260 *c)
{
	if (!(c->sxfrctl1 & AIC_ENSTIMER))
		return 0;
	unsigned sel = (c->sxfrctl1 & AIC_STIMESEL) >> AIC_STIMESEL_SHIFT;
	return (sim_time_t)(256u >> sel) * SIM_MS;
}

/* A bus reset (ours through SCSIRSTO, or another device's): SCSIRSTI,
 * and whatever the chip was doing on the bus is over. */
static void on_bus_reset(struct bus_dev *dev, void *arg)
{
	(void)dev;
	struct aic6260 *c = arg;
	c->selecting = c->connected = c->req = 0;
	c->t_reselecting = 0;
	c->in_head = c->in_len = 0;
	c->t_connected = c->t_busy = c->t_fifo = 0;
	c->sstat0 &= (uint8_t)~(AIC_SELINGO | AIC_SPIORDY | AIC_TARGET);
	c->sstat1 |= AIC_SCSIRSTI;
	irq_update(c);
}

/* SCSISEQ written: ENSELO going on starts an arbitration and selection;
 * SCSIRSTO drives RST while it is set. */
static void scsiseq_written(struct aic6260 *c, uint8_t old)
{
	if (c->dev != NULL && ((c->scsiseq ^ old) & AIC_SCSIRSTO))
		bus_dev_rst(c->dev, (c->scsiseq & AIC_SCSIRSTO) != 0);
	if (c->dev != NULL && (old & AIC_ENSELO) &&
	    !(c->scsiseq & AIC_ENSELO) && c->selecting &&
	    bus_dev_step_unselect(c->dev) == SN_OK) {
		/* ENSELO cleared before arbitration began: no selection */
		c->selecting = 0;
		c->sstat0 &= (uint8_t)~AIC_SELINGO;
	}
	if (c->dev == NULL || !(c->scsiseq & AIC_ENSELO) ||
	    (old & AIC_ENSELO) || c->selecting || c->connected)
		return;
	int target = c->scsiid & 7;
	if (c->scsiseq & AIC_TEMODEO) {
		/* target mode: ENSELO reselects the initiator in SCSIID's
		 * low bits (our reading: no driver used it, protocol-facts
		 * 3.5); answered with SELDO, or SELTO */
		if (!c->t_connected &&
		    bus_dev_step_reselect(c->dev, target, sel_timeout(c)) ==
			    SN_OK) {
			c->selecting = c->t_reselecting = 1;
			c->sstat0 |= AIC_SELINGO;
		}
		return;
	}
	if (bus_dev_step_select(c->dev, target,
				(c->scsiseq & AIC_ENAUTOATNO) != 0,
				sel_timeout(c), &step_ops, c) == SN_OK) {
		c->selecting = 1;
		c->sstat0 |= AIC_SELINGO;
	}
}

/*
 * Data phases through the host FIFO: with SCSIEN and DMAEN in SXFRCTL0
 * and a REQ of the expected data phase waiting, the chip moves the byte
 * itself while STCNT is not zero: DATA OUT from the FIFO (waiting for
 * the host to fill it), DATA IN into it (waiting for the host to drain
 * it).  STCNT counts down; DMADONE when it reaches zero.  [protocol-facts
 * 3.4: the drivers program STCNT, set SCSIEN|DMAEN|CH1 and move the data
 * through DATAPORT in 128-byte chunks]
 */
static void fifo_transfer(struct aic6260 *c)
{
	if (!(c->sxfrctl0 & AIC_SCSIEN) || !(c->sxfrctl0 & AIC_DMAEN) ||
	    (c->phase != BUS_PH_DATA_OUT && c->phase != BUS_PH_DATA_IN))
		return;
	while (c->req > 0 && c->stcnt > 0 && phase_expected(c)) {
		uint8_t out = 0;
		if (c->phase == BUS_PH_DATA_OUT) {
			if (c->fifo_len == 0)
				break; /* the host has not written it yet */
			out = fifo_pop(c);
		} else {
			if (c->fifo_len == AIC_FIFO_BYTES)
				break; /* the host has not read what came */
			fifo_push(c, c->in_q[c->in_head]);
			c->in_head = (c->in_head + 1) % sizeof c->in_q;
			c->in_len--;
		}
		c->stcnt--;
		if (c->stcnt == 0)
			c->sstat0 |= AIC_DMADONE;
		c->req--;
		(void)bus_dev_step_ack(c->dev, out);
	}
	spio_update(c);
}

/* SCSIDAT accessed with a matching REQ waiting in PIO mode: the chip
 * completes the handshake (the byte written, or the byte read). */
static void spio_access(struct aic6260 *c, uint8_t out)
{
	if (!c->req || !(c->sxfrctl0 & AIC_SPIOEN) || !phase_expected(c))
		return;
	c->req--;
	c->in_head = c->in_len = 0;
	(void)bus_dev_step_ack(c->dev, out);
	spio_update(c);
}

/* --- SCSI side (target) -------------------------------------------------------- *
 *
 * No driver for this chip used target mode, so the sequencing is ours
 * [inf, protocol-facts 3.5]: with ENSELI the chip answers a selection
 * (SELDI, SELID = the two IDs, ATNTARG if ATN came with it, TARGET while
 * connected); with TEMODEO the phase bits written to SCSISIG (CDO, IOO,
 * MSGO) drive the phase; in PIO (SPIOEN) a SCSIDAT write in an IN phase
 * sends a byte, and SCSISIG with REQO in an OUT phase asks for one, each
 * one REQ/ACK handshake; SPIORDY when it is over (the byte received is
 * in SCSIDAT); clearing TEMODEO frees the bus.
 */

static enum bus_phase sig_to_phase(uint8_t sig)
{
	return (enum bus_phase)(((sig & AIC_SIG_MSG) ? 4 : 0) |
				((sig & AIC_SIG_CD) ? 2 : 0) |
				((sig & AIC_SIG_IO) ? 1 : 0));
}

static void t_selected(struct bus_dev *dev, int initiator, int atn, void *arg)
{
	(void)dev;
	struct aic6260 *c = arg;
	c->t_connected = 1;
	c->t_busy = 0;
	if (c->t_reselecting) {
		/* selected while waiting to reselect: that is dropped (the
		 * engine forgets it; the driver arms it again) */
		c->t_reselecting = c->selecting = 0;
		c->sstat0 &= (uint8_t)~AIC_SELINGO;
	}
	c->selid = (uint8_t)((1u << c->cfg.jumpers.scsi_id) |
			     (initiator >= 0 ? 1u << initiator : 0));
	c->sstat0 |= AIC_SELDI | AIC_TARGET;
	c->sstat0 &= (uint8_t)~AIC_SPIORDY;
	if (atn)
		c->sstat1 |= AIC_ATNTARG;
	c->sstat1 &= (uint8_t)~AIC_BUSFREE;
	irq_update(c);
}

static void t_fifo_transfer(struct aic6260 *c);

static void t_acked(struct bus_dev *dev, struct bus_sig in, void *arg)
{
	(void)dev;
	struct aic6260 *c = arg;
	if (!bus_phase_is_in(sig_to_phase(c->scsisig_out))) {
		if (c->t_fifo)
			fifo_push(c, (uint8_t)in.db);
		else
			c->scsidat = (uint8_t)in.db;
		if ((c->sxfrctl1 & AIC_ENSPCHK) &&
		    (in.dbp & 1) != (bus_parity(in.db) & 1))
			c->sstat1 |= AIC_SCSIPERR;
	}
	irq_update(c);
}

static void t_done(struct bus_dev *dev, void *arg)
{
	(void)dev;
	struct aic6260 *c = arg;
	if (c->t_busy)
		c->t_busy--;
	if (c->t_fifo) {
		if (c->t_busy == 0)
			c->t_fifo = 0;
		if (--c->stcnt == 0)
			c->sstat0 |= AIC_SDONE; /* the target's count is done */
		t_fifo_transfer(c);
	} else {
		c->sstat0 |= AIC_SPIORDY;
	}
	irq_update(c);
}

static void t_reset(struct bus_dev *dev, void *arg)
{
	(void)dev;
	struct aic6260 *c = arg;
	c->t_connected = c->t_busy = c->t_fifo = 0;
	c->sstat0 &= (uint8_t)~(AIC_TARGET | AIC_SPIORDY);
	c->sstat1 |= AIC_SCSIRSTI | AIC_BUSFREE;
	irq_update(c);
}

/* The reselection ENSELO started in target mode ended: SELDO and TARGET
 * (connected again, I/O asserted), or SELTO. */
static void t_reselected(struct bus_dev *dev, int ok, void *arg)
{
	(void)dev;
	struct aic6260 *c = arg;
	c->t_reselecting = c->selecting = 0;
	c->sstat0 &= (uint8_t)~AIC_SELINGO;
	if (ok) {
		c->t_connected = 1;
		c->t_busy = 0;
		c->sstat0 |= AIC_SELDO | AIC_TARGET;
		c->sstat0 &= (uint8_t)~AIC_SPIORDY;
		c->sstat1 &= (uint8_t)~AIC_BUSFREE;
	} else {
		c->sstat1 |= AIC_SELTO;
	}
	irq_update(c);
}

static const struct bus_dev_target_step_ops target_ops = {
	t_selected, t_acked, t_done, t_reset, t_reselected,
};

/* One target handshake: a byte sent (IN phase) or asked for (OUT). */
static void t_handshake(struct aic6260 *c, uint8_t out)
{
	if (!c->t_connected || c->t_busy || !(c->scsiseq & AIC_TEMODEO) ||
	    !(c->sxfrctl0 & AIC_SPIOEN))
		return;
	if (bus_dev_step_req(c->dev, out) == SN_OK) {
		c->t_busy = 1;
		c->sstat0 &= (uint8_t)~AIC_SPIORDY;
	}
}

/*
 * Target data phases through the host FIFO: with TEMODEO, SCSIEN|DMAEN
 * and STCNT not zero, the chip runs the handshakes itself in the data
 * phase shown on SCSISIG: DATA OUT bytes go into the FIFO (while it has
 * room), DATA IN bytes come from it (while it has some); SDONE when STCNT
 * reaches zero.  [inf: the target-mode counterpart of the initiator's]
 */
static void t_fifo_transfer(struct aic6260 *c)
{
	if (!c->t_connected || (c->t_busy && !c->t_fifo) ||
	    !(c->scsiseq & AIC_TEMODEO) || !(c->sxfrctl0 & AIC_SCSIEN) ||
	    !(c->sxfrctl0 & AIC_DMAEN))
		return;
	enum bus_phase ph = sig_to_phase(c->scsisig_out);
	if (ph != BUS_PH_DATA_OUT && ph != BUS_PH_DATA_IN)
		return;
	/* as many REQs as the count, the FIFO and the offset allow (one at
	 * a time when asynchronous: the engine refuses more) */
	while (c->stcnt > c->t_busy) {
		uint8_t out = 0;
		if (ph == BUS_PH_DATA_OUT) {
			if (c->fifo_len + c->t_busy >= AIC_FIFO_BYTES)
				return; /* no room for what comes */
		} else {
			if (c->fifo_len == 0)
				return;
			out = c->fifo[c->fifo_head];
		}
		if (bus_dev_step_req(c->dev, out) != SN_OK)
			return;
		if (ph == BUS_PH_DATA_IN)
			(void)fifo_pop(c);
		c->t_busy++;
		c->t_fifo = 1;
	}
}

/* SCSISEQ written, target side: ENSELI listens; TEMODEO dropped while
 * connected as a target frees the bus. */
static void scsiseq_target(struct aic6260 *c, uint8_t old)
{
	if (c->dev == NULL)
		return;
	if ((c->scsiseq ^ old) & AIC_ENRESELI)
		bus_dev_step_listen_resel(c->dev,
					  (c->scsiseq & AIC_ENRESELI)
						  ? &step_ops
						  : NULL,
					  c);
	if ((c->scsiseq ^ old) & AIC_ENSELI)
		bus_dev_step_listen(c->dev,
				    (c->scsiseq & AIC_ENSELI) ? &target_ops
							      : NULL,
				    c);
	if ((old & AIC_TEMODEO) && !(c->scsiseq & AIC_TEMODEO) &&
	    c->t_connected) {
		(void)bus_dev_step_free(c->dev);
		c->t_connected = c->t_busy = c->t_fifo = 0;
		c->sstat0 &= (uint8_t)~(AIC_TARGET | AIC_SPIORDY);
	}
}

/* SCSISIG written as the connected target: the phase, and REQO. */
static void scsisig_target(struct aic6260 *c, uint8_t old)
{
	if (!c->t_connected || !(c->scsiseq & AIC_TEMODEO))
		return;
	if (((c->scsisig_out ^ old) & AIC_SIG_PHASE) || !c->t_busy)
		(void)bus_dev_step_phase(c->dev, sig_to_phase(c->scsisig_out));
	if ((c->scsisig_out & AIC_SIG_REQ) &&
	    !bus_phase_is_in(sig_to_phase(c->scsisig_out)))
		t_handshake(c, 0);
	t_fifo_transfer(c);
}

/* --- register access -------------------------------------------------------- */

/* What the AIC-6360's ID register spells, one character per read
 * (NetBSD aic6360reg.h). */
static const char aic6360_id[] = "(C)1991ADAPTECAIC6360";

uint8_t aic6260_peek(const struct aic6260 *c, unsigned off)
{
	switch (off) {
	case AIC_SCSISEQ: return c->scsiseq;
	case AIC_SXFRCTL0: return c->sxfrctl0;
	case AIC_SXFRCTL1: return c->sxfrctl1;
	case AIC_SCSISIG: return scsisig_in(c);
	case AIC_SCSIRATE: return c->scsirate;
	case AIC_SELID: return c->selid;
	case AIC_SCSIDAT: return c->scsidat;
	case AIC_SCSIBUS: return scsibus_in(c);
	case AIC_STCNT0: return (uint8_t)c->stcnt;
	case AIC_STCNT1: return (uint8_t)(c->stcnt >> 8);
	case AIC_STCNT2: return (uint8_t)(c->stcnt >> 16);
	case AIC_SSTAT0: return c->sstat0;
	case AIC_SSTAT1:
		/* ATNTARG is the live ATN while connected as a target (no
		 * CLRSINT1 bit clears it: bit 6 there is CLRATNO); the
		 * initiator raises ATN to say it has a message */
		if (c->t_connected)
			return (uint8_t)((c->sstat1 & ~AIC_ATNTARG) |
					 ((scsisig_in(c) & AIC_SIG_ATN)
						  ? AIC_ATNTARG
						  : 0));
		return c->sstat1;
	case AIC_SSTAT2: return AIC_SEMPTY; /* no SCSI-side FIFO yet */
	case AIC_SSTAT3: return 0;
	case AIC_SSTAT4: return c->sstat4;
	case AIC_SIMODE0: return c->simode0;
	case AIC_SIMODE1: return c->simode1;
	case AIC_DMACNTRL0: return c->dmacntrl0;
	case AIC_DMACNTRL1: return c->dmacntrl1;
	case AIC_DMASTAT: return dmastat(c);
	case AIC_FIFOSTAT: return (uint8_t)c->fifo_len;
	case AIC_DATAPORT:
	case AIC_DATAPORT + 1:
		return c->fifo_len ? c->fifo[c->fifo_head] : 0xff;
	case AIC_BRSTCNTRL: return c->brstcntrl;
	case AIC_PORTA: return c->porta;
	case AIC_PORTB: return c->portb;
	case AIC_REV: return c->cfg.rev;
	case AIC_STACK: return c->stack[c->dmacntrl1 & (AIC_STACK_DEPTH - 1)];
	case AIC_TEST: return c->test;
	case 0x1f:
		/* the AIC-6360's ID register; the 6260 has none */
		if (c->cfg.chip == AIC_CHIP_6360)
			return (uint8_t)aic6360_id[c->id_pos];
		return 0xff;
	default: return 0xff; /* 0x19 and ports outside the window */
	}
}

/* The stack pointer in DMACNTRL1 advances after each STACK access. */
static void stack_advance(struct aic6260 *c)
{
	c->dmacntrl1 = (uint8_t)((c->dmacntrl1 & ~AIC_STK) |
				 (((c->dmacntrl1 & AIC_STK) + 1) &
				  (AIC_STACK_DEPTH - 1)));
}

uint8_t aic6260_inb(struct aic6260 *c, unsigned off)
{
	uint8_t v = aic6260_peek(c, off);
	switch (off) {
	case 0x1f: /* successive reads spell the ID */
		if (c->cfg.chip == AIC_CHIP_6360)
			c->id_pos = (uint8_t)((c->id_pos + 1) %
					      (sizeof aic6360_id - 1));
		break;
	case AIC_SCSIDAT:
		if (c->t_connected)
			break; /* the byte received; REQO asks for the next */
		if (bus_phase_is_in(c->phase))
			spio_access(c, 0);
		irq_update(c);
		break;
	case AIC_DATAPORT:
	case AIC_DATAPORT + 1:
		v = fifo_pop(c);
		fifo_transfer(c); /* room for a DATA IN byte waiting */
		t_fifo_transfer(c);
		break;
	case AIC_STACK:
		stack_advance(c);
		break;
	default:
		break;
	}
	return v;
}

void aic6260_outb(struct aic6260 *c, unsigned off, uint8_t v)
{
	switch (off) {
	case AIC_SCSISEQ: {
		uint8_t old = c->scsiseq;
		c->scsiseq = v;
		/* the target side first: TEMODEO dropped frees the bus, and
		 * an ENSELO set in the same write then arbitrates for it */
		scsiseq_target(c, old);
		scsiseq_written(c, old);
		break;
	}
	case AIC_SXFRCTL0:
		/* CLRSTCNT and CLRCH1 act and are not kept */
		if (v & AIC_CLRSTCNT)
			c->stcnt = 0;
		c->sxfrctl0 = v & (uint8_t)~(AIC_CLRSTCNT | AIC_CLRCH1);
		spio_update(c);
		fifo_transfer(c);
		t_fifo_transfer(c);
		break;
	case AIC_SXFRCTL1: c->sxfrctl1 = v; break;
	case AIC_SCSISIG: {
		/* initiator: the expected phase; ATNO raises ATN.  Target:
		 * the phase it shows, REQO asks for a byte. */
		uint8_t old = c->scsisig_out;
		if ((v & AIC_SIG_ATN) && !(old & AIC_SIG_ATN) && c->connected)
			bus_dev_step_atn(c->dev, 1);
		c->scsisig_out = v;
		if (c->t_connected) {
			scsisig_target(c, old);
			break;
		}
		spio_update(c);
		fifo_transfer(c);
		break;
	}
	case AIC_SCSIRATE: {
		c->scsirate = v;
		if (c->dev != NULL) {
			sim_time_t period;
			uint8_t offset;
			aic6260_rate(c, &period, &offset);
			bus_dev_step_sync(c->dev, period, offset);
		}
		break;
	}
	case AIC_SCSIID: c->scsiid = v; break;
	case AIC_SCSIDAT:
		c->scsidat = v;
		if (c->t_connected) {
			if (bus_phase_is_in(sig_to_phase(c->scsisig_out)))
				t_handshake(c, v);
			break;
		}
		if (!bus_phase_is_in(c->phase))
			spio_access(c, v);
		break;
	case AIC_STCNT0:
		c->stcnt = (c->stcnt & 0xffff00u) | v;
		break;
	case AIC_STCNT1:
		c->stcnt = (c->stcnt & 0xff00ffu) | ((uint32_t)v << 8);
		break;
	case AIC_STCNT2:
		c->stcnt = (c->stcnt & 0x00ffffu) | ((uint32_t)v << 16);
		break;
	case AIC_CLRSINT0:
		c->sstat0 &= (uint8_t)~(v & 0x7f);
		if (v & AIC_SETSDONE)
			c->sstat0 |= AIC_SDONE;
		break;
	case AIC_CLRSINT1:
		/* PHASEMIS follows the lines; CLRATNO releases ATN (the SCSI
		 * side acts on it) and clears nothing */
		c->sstat1 &= (uint8_t)~(v & (uint8_t)~(AIC_PHASEMIS |
						       AIC_CLRATNO));
		if ((v & AIC_CLRATNO) && c->connected) {
			bus_dev_step_atn(c->dev, 0);
			c->scsisig_out &= (uint8_t)~AIC_SIG_ATN;
		}
		break;
	case AIC_SCSITEST: c->scsitest = v; break;
	case AIC_CLRSERR: c->sstat4 &= (uint8_t)~v; break;
	case AIC_SIMODE0: c->simode0 = v; break;
	case AIC_SIMODE1: c->simode1 = v; break;
	case AIC_DMACNTRL0:
		if (v & AIC_RSTFIFO)
			c->fifo_head = c->fifo_len = 0;
		c->dmacntrl0 = v & (uint8_t)~AIC_RSTFIFO;
		break;
	case AIC_DMACNTRL1: c->dmacntrl1 = v; break;
	case AIC_DATAPORT:
	case AIC_DATAPORT + 1:
		fifo_push(c, v);
		fifo_transfer(c); /* a DATA OUT byte for a REQ waiting */
		t_fifo_transfer(c);
		break;
	case AIC_BRSTCNTRL: c->brstcntrl = v; break;
	case AIC_PORTA: c->led = v; break; /* the activity LED */
	case AIC_STACK:
		c->stack[c->dmacntrl1 & (AIC_STACK_DEPTH - 1)] = v;
		stack_advance(c);
		break;
	case AIC_TEST: c->test = v; break;
	default: break; /* read-only or undecoded */
	}
	irq_update(c);
}

uint16_t aic6260_inw(struct aic6260 *c, unsigned off)
{
	uint8_t lo = aic6260_inb(c, off);
	uint8_t hi = aic6260_inb(c, off == AIC_DATAPORT ? off : off + 1);
	return (uint16_t)(lo | hi << 8);
}

void aic6260_outw(struct aic6260 *c, unsigned off, uint16_t v)
{
	aic6260_outb(c, off, (uint8_t)v);
	aic6260_outb(c, off == AIC_DATAPORT ? off : off + 1,
		     (uint8_t)(v >> 8));
}

/* --- synchronous rate --------------------------------------------------------- */

sim_time_t aic6260_min_period(const struct aic6260 *c)
{
	return c->cfg.chip == AIC_CHIP_6360 && c->cfg.jumpers.fast_sync
		       ? AIC6360_FAST_PERIOD
		       : AIC6260_MIN_PERIOD;
}

void aic6260_rate(const struct aic6260 *c, sim_time_t *period,
		  uint8_t *offset)
{
	uint8_t ofs = c->scsirate & AIC_SOFS;
	*offset = ofs;
	*period = ofs ? (sim_time_t)(((c->scsirate & AIC_SXFR) >>
				      AIC_SXFR_SHIFT) + 2) * AIC_SYNC_TICK
		      : 0;
	if (ofs && *period < aic6260_min_period(c))
		*period = aic6260_min_period(c);
}

int aic6260_scsirate_for(uint8_t period_factor, uint8_t offset)
{
	if (offset == 0)
		return 0; /* asynchronous */
	unsigned ticks = ((unsigned)period_factor * 4 + 49) / 50;
	if (offset > AIC_MAX_OFFSET || ticks < 2 || ticks > 9)
		return -1;
	return (int)(((ticks - 2) << AIC_SXFR_SHIFT) | offset);
}
