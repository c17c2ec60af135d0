/*
 * aic6260.h - the Adaptec AIC-6260 SCSI protocol chip of the AHA-1520/1522,
 * at register level, as its host sees it through 32 ISA I/O ports.
 *
 * Register offsets and bits follow the Linux aha152x driver's aha152x.h
 * and the NetBSD/FreeBSD aic6360reg.h (../shared/reference/
 * protocol-facts.md section 3.2); every name below is the one those
 * drivers use, so their register sequences read the same here.
 *
 * What this file models, and what it does not yet:
 *  - the register file at its real offsets: reset values, what a read
 *    returns, what a write does, and a side-effect-free peek;
 *  - the host side: the 128-byte host FIFO behind DATAPORT (8- and
 *    16-bit), FIFOSTAT and the DMASTAT FIFO flags, the 24-bit transfer
 *    count STCNT, the 16-deep STACK with its pointer in DMACNTRL1 (the
 *    drivers' probe), the configuration jumpers on PORTA/PORTB, the
 *    synchronous rate in SCSIRATE;
 *  - interrupts: SSTAT0/SSTAT1 bits enabled in SIMODE0/SIMODE1 (or SWINT)
 *    make DMASTAT.INTSTAT; the IRQ line is INTSTAT gated by
 *    DMACNTRL0.INTEN; CLRSINT0/CLRSINT1 clear by writing ones.
 *  - the SCSI side as an initiator, on the bus protocol engine's
 *    step-by-step interface (bus_dev.h): ENSELO arbitrates and selects
 *    the target in SCSIID (with ATN if ENAUTOATNO), SELINGO while it
 *    runs, SELDO when the target answers, SELTO after the STIMESEL time
 *    (32-256 ms, with ENSTIMER); each REQ sets REQINIT, PHASEMIS when
 *    the phase differs from the one written to SCSISIG, SPIORDY when
 *    SPIOEN is set and the phase matches; a SCSIDAT write (OUT phases) or
 *    read (IN phases) then completes the REQ/ACK handshake; BUS FREE
 *    sets BUSFREE; SCSISIG's ATNO and CLRSINT1's CLRATNO drive ATN;
 *    SCSISIG and SCSIBUS read the live lines.
 *    Data phases go through the host FIFO: with SCSIEN|DMAEN the chip
 *    moves each byte between the FIFO and the bus while STCNT counts
 *    down (DMADONE at zero), waiting for the host when the FIFO is
 *    empty (DATA OUT) or full (DATA IN).
 *  - the SCSI side as a target, in PIO (see aic6260.c: no driver ever
 *    used target mode, so the sequencing is documented as ours): ENSELI
 *    answers a selection (SELDI, SELID, ATNTARG, TARGET), TEMODEO with
 *    SCSISIG's phase bits drives the phase, a SCSIDAT write (IN phases)
 *    or SCSISIG's REQO (OUT phases) runs one REQ/ACK handshake, SPIORDY
 *    when it is over, clearing TEMODEO frees the bus.
 *    Target data phases also go through the host FIFO: with SCSIEN|DMAEN
 *    the chip runs the handshakes of the phase shown on SCSISIG while
 *    STCNT counts down, SDONE at zero.
 *  - bus reset: SCSIRSTO drives RST while set; any RST seen (its own
 *    too) sets SCSIRSTI and ends what the chip was doing on the bus.
 *  - synchronous data phases at the rate in SCSIRATE, both roles: as an
 *    initiator up to the offset of REQs may wait and each is answered
 *    with an ACK pulse a period after the last; as a target REQ pulses
 *    go out a period apart while fewer than the offset are unanswered.
 *  - reselection: with ENRESELI the chip answers a target's reselection
 *    (SELDI, SELID) and the connection goes on as before the target
 *    disconnected; a selection still waiting for the bus is dropped.
 *
 * Reset values: the drivers program every control register before use and
 * never read one back, so the sources give none.  Here every control
 * register resets to 0, and the status registers show an idle chip: SCSI
 * FIFO empty (SSTAT2.SEMPTY), host FIFO empty (DMASTAT.DFIFOEMP), nothing
 * latched in SSTAT0/1/4.  [inf, documented in the model's table]
 */
#ifndef AIC6260_H
#define AIC6260_H

#include <stdint.h>

#include "bus.h"
#include "bus_dev.h"
#include "sn_error.h"

/* --- register offsets (from the card's I/O base) ------------------------ */
enum aic_reg {
	AIC_SCSISEQ = 0x00,   /* SCSI sequence control */
	AIC_SXFRCTL0 = 0x01,  /* SCSI transfer control 0 */
	AIC_SXFRCTL1 = 0x02,  /* SCSI transfer control 1 */
	AIC_SCSISIG = 0x03,   /* SCSI signals in (read) / out (write) */
	AIC_SCSIRATE = 0x04,  /* synchronous period and offset */
	AIC_SELID = 0x05,     /* read: IDs seen in (re)selection */
	AIC_SCSIID = 0x05,    /* write: own ID and target ID */
	AIC_SCSIDAT = 0x06,   /* SCSI data latch (PIO) */
	AIC_SCSIBUS = 0x07,   /* live DB(7-0), read only */
	AIC_STCNT0 = 0x08,    /* transfer count, bits 7-0 */
	AIC_STCNT1 = 0x09,    /* bits 15-8 */
	AIC_STCNT2 = 0x0a,    /* bits 23-16 */
	AIC_SSTAT0 = 0x0b,    /* read: status 0 */
	AIC_CLRSINT0 = 0x0b,  /* write: clear status 0 bits */
	AIC_SSTAT1 = 0x0c,    /* read: status 1 */
	AIC_CLRSINT1 = 0x0c,  /* write: clear status 1 bits */
	AIC_SSTAT2 = 0x0d,    /* SCSI FIFO status, read only */
	AIC_SSTAT3 = 0x0e,    /* read: SCSI counters */
	AIC_SCSITEST = 0x0e,  /* write: test control */
	AIC_SSTAT4 = 0x0f,    /* read: errors */
	AIC_CLRSERR = 0x0f,   /* write: clear errors */
	AIC_SIMODE0 = 0x10,   /* interrupt enables for SSTAT0 */
	AIC_SIMODE1 = 0x11,   /* interrupt enables for SSTAT1 */
	AIC_DMACNTRL0 = 0x12, /* host FIFO / interrupt control */
	AIC_DMACNTRL1 = 0x13, /* power down, stack pointer */
	AIC_DMASTAT = 0x14,   /* host FIFO and interrupt status, read only */
	AIC_FIFOSTAT = 0x15,  /* bytes in the host FIFO, read only */
	AIC_DATAPORT = 0x16,  /* host FIFO data, 8 or 16 bits (0x16-0x17) */
	AIC_BRSTCNTRL = 0x18, /* DMA burst on/off times */
	AIC_PORTA = 0x1a,     /* configuration jumpers / LED */
	AIC_PORTB = 0x1b,     /* configuration jumpers */
	AIC_REV = 0x1c,       /* chip revision */
	AIC_STACK = 0x1d,     /* 16-byte stack (probe) */
	AIC_TEST = 0x1e,      /* test register */
	AIC_NREGS = 0x20,     /* the card decodes 32 ports (IO_RANGE) */
};

/* SCSISEQ */
#define AIC_TEMODEO 0x80      /* act as a target */
#define AIC_ENSELO 0x40       /* arbitrate and select */
#define AIC_ENSELI 0x20       /* answer a selection (target) */
#define AIC_ENRESELI 0x10     /* answer a reselection (initiator) */
#define AIC_ENAUTOATNO 0x08   /* ATN with the selection */
#define AIC_ENAUTOATNI 0x04
#define AIC_ENAUTOATNP 0x02   /* ATN on a parity error */
#define AIC_SCSIRSTO 0x01     /* drive RST */
/* SXFRCTL0 */
#define AIC_SCSIEN 0x80
#define AIC_DMAEN 0x40
#define AIC_CH1 0x20
#define AIC_CLRSTCNT 0x10
#define AIC_SPIOEN 0x08       /* byte PIO through SCSIDAT */
#define AIC_CLRCH1 0x02
/* SXFRCTL1 */
#define AIC_BITBUCKET 0x80
#define AIC_SWRAPEN 0x40
#define AIC_ENSPCHK 0x20      /* check parity */
#define AIC_STIMESEL 0x18     /* selection time-out: 00 256, 08 128, */
#define AIC_STIMESEL_SHIFT 3  /* 10 64, 18 32 ms */
#define AIC_ENSTIMER 0x04
#define AIC_BYTEALIGN 0x02
/* SCSISIG (in: read, out: write; same positions) */
#define AIC_SIG_CD 0x80
#define AIC_SIG_IO 0x40
#define AIC_SIG_MSG 0x20
#define AIC_SIG_ATN 0x10
#define AIC_SIG_SEL 0x08
#define AIC_SIG_BSY 0x04
#define AIC_SIG_REQ 0x02
#define AIC_SIG_ACK 0x01
#define AIC_SIG_PHASE 0xe0    /* CD IO MSG: the phase */
/* SCSIRATE */
#define AIC_SXFR 0x70         /* period: (SXFR + 2) x 50 ns */
#define AIC_SXFR_SHIFT 4
#define AIC_SOFS 0x0f         /* REQ/ACK offset, 0 = asynchronous */
/* SSTAT0 / CLRSINT0 / SIMODE0 */
#define AIC_TARGET 0x80       /* SSTAT0 only: acting as a target */
#define AIC_SETSDONE 0x80     /* CLRSINT0 write: set SDONE */
#define AIC_SELDO 0x40        /* selection out done */
#define AIC_SELDI 0x20        /* selected (or reselected) */
#define AIC_SELINGO 0x10      /* selection in progress */
#define AIC_SWRAP 0x08
#define AIC_SDONE 0x04        /* target: transfer done */
#define AIC_SPIORDY 0x02      /* SCSIDAT ready for PIO */
#define AIC_DMADONE 0x01
/* SSTAT1 / CLRSINT1 / SIMODE1 */
#define AIC_SELTO 0x80        /* selection time-out */
#define AIC_ATNTARG 0x40      /* target: ATN asserted */
#define AIC_CLRATNO 0x40      /* CLRSINT1 write: release ATN */
#define AIC_SCSIRSTI 0x20     /* RST seen */
#define AIC_PHASEMIS 0x10     /* phase differs from SCSISIG's */
#define AIC_BUSFREE 0x08
#define AIC_SCSIPERR 0x04     /* parity error */
#define AIC_PHASECHG 0x02
#define AIC_REQINIT 0x01      /* REQ asserted (initiator) */
/* SSTAT2 */
#define AIC_SOFFSET 0x20
#define AIC_SEMPTY 0x10       /* SCSI FIFO empty */
#define AIC_SFULL 0x08
#define AIC_SFCNT 0x07
/* SSTAT4 / CLRSERR */
#define AIC_SYNCERR 0x04
#define AIC_FWERR 0x02
#define AIC_FRERR 0x01
/* DMACNTRL0 */
#define AIC_ENDMA 0x80
#define AIC_8BIT 0x40         /* DATAPORT moves bytes, not words */
#define AIC_DMA 0x20          /* DMA, not PIO */
#define AIC_WRITE_READ 0x08   /* host to SCSI (write) */
#define AIC_INTEN 0x04        /* interrupt line enabled */
#define AIC_RSTFIFO 0x02      /* empty the host FIFO */
#define AIC_SWINT 0x01        /* software interrupt */
/* DMACNTRL1 */
#define AIC_PWRDWN 0x80
#define AIC_STK 0x1f          /* stack pointer */
/* DMASTAT */
#define AIC_ATDONE 0x80
#define AIC_WORDRDY 0x40
#define AIC_INTSTAT 0x20      /* an enabled interrupt is pending */
#define AIC_DFIFOFULL 0x10
#define AIC_DFIFOEMP 0x08

/* The host FIFO (FIFOSIZE in the BSD drivers; Linux reads 128 bytes when
 * DFIFOFULL). */
#define AIC_FIFO_BYTES 128
/* The STACK register's depth (the probe writes 0..15 and reads them
 * back). */
#define AIC_STACK_DEPTH 16
/* Synchronous clock tick: period = (SXFR + 2) x 50 ns (20 MHz chip clock;
 * NetBSD aic6360.c, Linux aha152x "tick=50 ns"). */
#define AIC_SYNC_TICK (50 * SIM_NS)
/* Largest REQ/ACK offset (FreeBSD AIC_SYNC_OFFSET, NetBSD
 * AIC_SYNC_REQ_ACK_OFS). */
#define AIC_MAX_OFFSET 8

/* Configuration jumpers, as the card presents them on PORTA/PORTB
 * (Linux aha152x.h aha152x_config: PORTA bits 2-0 SCSI ID, 4-3 IRQ - 9,
 * 6-5 DMA channel, 7 parity; PORTB bit 2 disconnect, 3 synchronous
 * negotiation, 5-4 message classes, 6 BIOS boot, 7 DMA mode). */
struct aic6260_jumpers {
	uint8_t scsi_id;      /* 0-7; the card's default is 7 */
	uint8_t irq;          /* 9-12; default 11 */
	uint8_t dma_channel;  /* index 0-3 of 0,5,6,7 */
	uint8_t parity;       /* parity checking enabled */
	uint8_t disconnect;   /* allow targets to disconnect */
	uint8_t sync;         /* negotiate synchronous transfers */
	uint8_t msg_classes;  /* 0-3 */
	uint8_t boot;         /* BIOS boot enabled */
	uint8_t dma_mode;
	uint8_t fast_sync;    /* PORTB bit 4: Fast SCSI allowed (AIC-6360;
			       * FreeBSD aic6360reg.h) */
};

/* The card's defaults (Linux aha152x documentation: ID 7, IRQ 11, parity,
 * disconnect and synchronous negotiation on). */
#define AIC6260_JUMPERS_DEFAULT                                               \
	((struct aic6260_jumpers){ .scsi_id = 7, .irq = 11, .parity = 1,      \
				   .disconnect = 1, .sync = 1 })

struct aic6260;

/* The IRQ line changed to `level` (1 = asserted). */
typedef void (*aic6260_irq_fn)(struct aic6260 *chip, int level, void *arg);

/* The chip: the AIC-6260 of the AHA-1520/1522, or its successor the
 * AIC-6360 (same registers; Fast SCSI when the fast-sync jumper is set,
 * an ID register at 0x1F; NetBSD/FreeBSD aic6360reg.h, FreeBSD aic.c). */
enum aic_chip { AIC_CHIP_6260, AIC_CHIP_6360 };

/* The shortest synchronous period each can run: the AIC-6260 5 MHz
 * (200 ns), the AIC-6360 10 MHz (100 ns) with fast sync enabled
 * (FreeBSD aic.c AIC_SYNC_PERIOD / AIC_FAST_SYNC_PERIOD). */
#define AIC6260_MIN_PERIOD (200 * SIM_NS)
#define AIC6360_FAST_PERIOD (100 * SIM_NS)

struct aic6260_config {
	enum aic_chip chip;           /* default (0): the AIC-6260 */
	struct aic6260_jumpers jumpers;
	uint8_t rev;                  /* REV register: 0 for the 6260 [inf],
				       * 1 for the 6360 (NetBSD) */
	aic6260_irq_fn irq;           /* may be NULL */
	void *irq_arg;
};

/* Response time of the chip's sequencer to a bus edge: one 50 ns clock
 * of its 20 MHz clock.  [inf: the clock from NetBSD aic6360.c; the data
 * sheet's figures were not found] */
#define AIC6260_LATENCY (50 * SIM_NS)

/* Create a chip, reset, attached to `bus` at `pos_mm` with the jumpers'
 * SCSI ID (bus NULL: registers only, no SCSI side).  Errors: SN_EINVAL
 * (jumpers out of range), what bus_dev_create() returns, SN_ENOMEM. */
enum sn_err aic6260_create(struct sim *sim, struct bus *bus, uint32_t pos_mm,
			   const struct aic6260_config *cfg,
			   struct aic6260 **out);
/* The chip's protocol engine on the bus (NULL without a bus). */
struct bus_dev *aic6260_dev(struct aic6260 *chip);
void aic6260_destroy(struct aic6260 *chip);

/* Power-on (or hardware) reset: every register to its reset value, both
 * FIFOs emptied, the IRQ line low. */
void aic6260_reset(struct aic6260 *chip);

/* What the host's IN and OUT instructions do at `off` (0..0x1f; other
 * offsets read 0xff and ignore writes, as an undecoded ISA port). */
uint8_t aic6260_inb(struct aic6260 *chip, unsigned off);
void aic6260_outb(struct aic6260 *chip, unsigned off, uint8_t value);
/* 16-bit access: DATAPORT moves a word through the host FIFO (low byte
 * first); elsewhere it is two byte accesses, off then off + 1. */
uint16_t aic6260_inw(struct aic6260 *chip, unsigned off);
void aic6260_outw(struct aic6260 *chip, unsigned off, uint16_t value);
/* What a read at `off` would return, without its side effects (for
 * tests, traces and the live view). */
uint8_t aic6260_peek(const struct aic6260 *chip, unsigned off);

/* Latch status bits (the SCSI side sets them; tests use it until that
 * side exists): `sstat0` and `sstat1` are ORed into SSTAT0/SSTAT1 and the
 * interrupt state is re-evaluated. */
void aic6260_raise(struct aic6260 *chip, uint8_t sstat0, uint8_t sstat1);

/* Is the IRQ line asserted? */
int aic6260_irq_level(const struct aic6260 *chip);

/* The shortest period this chip runs (see AIC6260_MIN_PERIOD). */
sim_time_t aic6260_min_period(const struct aic6260 *chip);
/* The synchronous agreement SCSIRATE encodes: period (0 = asynchronous)
 * and offset.  A period shorter than the chip can run is run at its
 * shortest (the drivers never program one: they derive SCSIRATE from an
 * SDTR they answered within the chip's limits).  [inf] */
void aic6260_rate(const struct aic6260 *chip, sim_time_t *period,
		  uint8_t *offset);
/* SCSIRATE for an SDTR agreement (period factor x 4 ns, offset), as the
 * drivers compute it: ticks = (factor x 4 + 49) / 50, SXFR = ticks - 2.
 * Returns -1 if the chip cannot run it (period over 450 ns, under
 * 100 ns, or offset over 8). */
int aic6260_scsirate_for(uint8_t period_factor, uint8_t offset);

/* Name of the register read (or, if `write`, written) at `off`. */
const char *aic6260_reg_name(unsigned off, int write);

#endif
