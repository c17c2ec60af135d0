/*
 * ha_driver.c - the AHA-1522 host driver, initiator side (see
 * ha_driver.h).  Every step is a program of register accesses run on the
 * ISA bus (isa_run); the next step is decided when it ends, with what it
 * read.
 */
#include "ha_driver.h"

#include <string.h>

#define MSG_IDENTIFY 0x80
#define MSG_EXTENDED 0x01
#define MSG_NOP 0x08
#define MSG_ABORT 0x06
#define MSG_INITIATOR_DETECTED_ERROR 0x05
#define MSG_REJECT 0x07
#define MSG_PARITY_ERROR 0x09
#define MSG_COMMAND_COMPLETE 0x00
#define MSG_SAVE_POINTERS 0x02
#define MSG_RESTORE_POINTERS 0x03
#define MSG_DISCONNECT 0x04
#define MSG_BUS_DEVICE_RESET 0x0C
#define IDENTIFY_DISC_PRIV 0x40 /* the target may disconnect (5.6.7) */
#define EXT_SDTR 0x01
/* aha152x's SDTR proposal: factor 50 (200 ns), offset 8 (protocol-facts
 * 3.3, seldo_run spi_populate_sync_msg(..., 50, 8)) */
#define HA_SDTR_FACTOR 50
#define HA_SDTR_OFFSET 8
/* REP OUTSW/INSW moves the FIFO in 128-byte chunks (aha152x datao_run /
 * datai_run; BSD DOUTAMOUNT) */
#define HA_CHUNK AIC_FIFO_BYTES
/* Messages a station takes in one connection beyond the first, at
 * most: after its SDTR reply, its MESSAGE REJECT, or before STATUS (an
 * initiator that never lets go of ATN gets the next phase all the same) */
#define HA_SDTR_MSGS 4

struct ha_driver {
	struct sim *sim;
	struct isa_host *isa;
	struct aha1522 *card;
	uint16_t base;
	int irq, own_id, sync_enabled, reconnect;
	struct ha_cmd *head, *tail, *cur;
	int cur_connected;          /* cur won its selection (SELDO) */
	int disconnecting;          /* DISCONNECT came: BUS FREE is ok */
	uint32_t saved_pos;         /* SAVE DATA POINTER's data pointer */
	/* commands a target disconnected from, by target ID, waiting to be
	 * reselected (one nexus per target: no tagged queueing) */
	struct { struct ha_cmd *cmd; uint32_t saved; } disc[8];
	int ndisc;
	uint8_t tried_sdtr[8], scsirate[8];
	uint8_t rate_now;           /* what SCSIRATE was last set to */
	/* the command running */
	uint8_t mo[8];
	int mo_len, mo_pos, cdb_pos, got_complete;
	uint8_t mi[8];
	int mi_len;
	uint32_t data_pos, queued;  /* bytes put in (or taken from) the FIFO */
	enum bus_phase phase;
	int polls;
	/* what the last program read */
	uint8_t s0, s1, sig, dmastat, fifostat, byte;
	/* the program being built */
	struct isa_op prog[96];
	uint32_t n;
	struct ha_stats stats;
	/* as a target (RFC 2143 station) */
	ha_rx_fn rx;
	void *rx_arg;
	struct station st;
	uint8_t listen;             /* ENSELI with every SCSISEQ write */
	int t_active;               /* serving an initiator */
	int t_initiator;
	uint8_t t_lun, t_cdb[12], t_cdb_len, t_pos, t_status;
	uint8_t t_mo[8];
	int t_mo_len;
	struct station_answer t_ans; /* what the station answers */
	uint32_t t_len, t_done_bytes;
	uint8_t *t_buf;             /* where a datagram lands */
	uint8_t selid;
	isa_done_fn t_after;        /* after a target byte's handshake */
	isa_done_fn t_wait;         /* ... waited for by its interrupt */
	int t_rx_pending;           /* a datagram coming in, not handed up */
	int t_perr;                 /* SCSIPERR seen in this command */
	int reset_req;              /* ha_reset_bus() waits for the CPU */
	int reset_sel;              /* cur's selection outlived a reset */
	int aborting;               /* ABORT queued for an unexpected phase */
	int in_perr;                /* the byte being read has bad parity */
	int mi_discard;             /* ... so the rest of MESSAGE IN goes */
	/* the connection watchdog (HA_STALL_TIMEOUT) */
	struct sim_event wd_ev;
	uint64_t progress;          /* bytes and chunks the loops finished */
	uint64_t wd_seen;           /* ... at the watchdog's last look */
	int stall;                  /* fired while a program ran */
	int t_sdtr_pos;
	int t_sdtr_msgs;            /* messages taken after the first */
	uint8_t t_late_status;      /* STATUS held back for a message */
	uint8_t t_err_asc;          /* ... which said ours came bad */
	/* as a target that disconnects (ha_set_target_disconnect) */
	int t_disconnect;           /* disconnect rather than answer BUSY */
	int t_disc_ok;              /* this IDENTIFY granted the privilege */
	enum { TP_NONE, TP_PARKED, TP_WANT, TP_RESELECTING } tp;
	int tp_initiator;           /* the parked SEND MESSAGE: from whom */
	uint8_t tp_lun, tp_cdb[12], tp_cdb_len;
	sim_time_t tp_ready;        /* a disconnection delay after BUS FREE */
	struct sim_event tp_ev;     /* ... then try to reselect */
};

/* --- programs ------------------------------------------------------------------- */

static void p_reset(struct ha_driver *d)
{
	d->n = 0;
}

static void p_out(struct ha_driver *d, unsigned reg, uint8_t v)
{
	if (reg == AIC_SCSIRATE)
		d->rate_now = v; /* programs run in the order they are made */
	d->prog[d->n++] = (struct isa_op){ .kind = ISA_OUTB,
					   .port = (uint16_t)(d->base + reg),
					   .value = v };
}

static void p_in(struct ha_driver *d, unsigned reg, uint8_t *res)
{
	d->prog[d->n++] = (struct isa_op){ .kind = ISA_INB,
					   .port = (uint16_t)(d->base + reg),
					   .result8 = res };
}

static void p_cpu(struct ha_driver *d, sim_time_t t)
{
	d->prog[d->n++] = (struct isa_op){ .kind = ISA_CPU, .time = t };
}

static void p_string(struct ha_driver *d, enum isa_op_kind k, uint8_t *buf,
		     uint32_t words)
{
	d->prog[d->n++] = (struct isa_op){ .kind = k,
					   .port = (uint16_t)(d->base +
							      AIC_DATAPORT),
					   .buf = buf, .count = words };
}

static void start_next(struct ha_driver *d);

/* SCSISEQ's enables while not selecting: answer selections as a
 * station, reselections while a command is disconnected. */
static uint8_t seq_idle(const struct ha_driver *d)
{
	return (uint8_t)((d->listen ? AIC_ENSELI : 0) |
			 (d->ndisc ? AIC_ENRESELI : 0) |
			 (d->tp == TP_RESELECTING ? AIC_TEMODEO | AIC_ENSELO
						  : 0));
}

/* SIMODE0 while waiting: SELDI reports both; SELDO our reselection. */
static uint8_t simode0_idle(const struct ha_driver *d)
{
	return (uint8_t)(((d->listen || d->ndisc) ? AIC_SELDI : 0) |
			 (d->tp == TP_RESELECTING ? AIC_SELDO : 0));
}

/* SIMODE1 while waiting: a reset, and our reselection's time-out. */
static uint8_t simode1_idle(const struct ha_driver *d)
{
	return (uint8_t)(AIC_SCSIRSTI |
			 (d->tp == TP_RESELECTING ? AIC_SELTO : 0));
}

/* A program that leaves the driver waiting: when it ends, a queued
 * command may start. */
static int startable(const struct ha_driver *d)
{
	for (const struct ha_cmd *c = d->head; c != NULL; c = c->next_)
		if (d->disc[c->target].cmd == NULL)
			return 1;
	return 0;
}

static void idle(struct isa_host *isa, void *arg)
{
	(void)isa;
	struct ha_driver *d = arg;
	if (d->cur == NULL && (startable(d) || d->tp == TP_WANT))
		start_next(d);
}

static void reset_out(struct ha_driver *d);
static void stall_recover(struct ha_driver *d);

static void p_go(struct ha_driver *d, isa_done_fn next)
{
	if (d->reset_req) {
		/* ha_reset_bus() asked: that comes first, and what this
		 * program would have done is void after it */
		reset_out(d);
		return;
	}
	if (d->stall) {
		d->stall = 0;
		if (d->cur_connected || d->t_active) {
			/* the watchdog fired while a program ran: the loop
			 * this program continues is given up */
			stall_recover(d);
			return;
		}
	}
	enum sn_err err = isa_run(d->isa, d->prog, d->n, next ? next : idle,
				  d);
	(void)err; /* the driver runs one program at a time */
}

/* --- the connection watchdog ----------------------------------------------- */

/* The driver's phase loops wait for the chip by polling, as aha152x's do,
 * and a peer that stops answering (no REQ, no ACK) would keep them
 * polling for good.  aha152x bounds its waits (datao_run gives up after
 * jiffies + 100*HZ); here a connection that moves no byte for
 * HA_STALL_TIMEOUT is given up: as an initiator by a bus reset (what
 * aha152x's error handling comes to: it cannot abort a running
 * command), as a target by letting go of the bus.  The watchdog looks at
 * the driver's own progress.  Progress is what the driver's loops complete: a byte
 * by PIO, a chunk through the FIFO (d->progress); REQs the chip is
 * asked for that never finish a byte are none. */
static void wd_arm(struct ha_driver *d)
{
	if (sim_event_pending(&d->wd_ev))
		return;
	d->wd_seen = d->progress;
	sim_schedule_in(d->sim, &d->wd_ev, HA_STALL_TIMEOUT);
}

static void wd_fire(struct sim *sim, struct sim_event *ev, void *arg)
{
	(void)sim;
	(void)ev;
	struct ha_driver *d = arg;
	if (!d->cur_connected && !d->t_active)
		return; /* the connection is over */
	if (d->progress != d->wd_seen) {
		d->wd_seen = d->progress;
		sim_schedule_in(d->sim, &d->wd_ev, HA_STALL_TIMEOUT);
		return;
	}
	d->stats.stalls++;
	if (isa_busy(d->isa))
		d->stall = 1; /* at the end of the program running (p_go) */
	else
		stall_recover(d);
}

static void t_end(struct isa_host *isa, void *arg);

static void stall_recover(struct ha_driver *d)
{
	if (!d->t_active) {
		reset_out(d); /* the initiator's last resort */
		return;
	}
	/* a target lets go of the bus (an unexpected BUS FREE, SCSI-2
	 * 5.1.1: its initiator learns that the command failed); what was
	 * coming in is dropped and its slot given back */
	d->t_wait = NULL;
	if (d->t_rx_pending) {
		d->st.slots++;
		d->stats.rx_dropped++;
		d->t_rx_pending = 0;
	}
	p_reset(d);
	p_out(d, AIC_SXFRCTL0, AIC_CH1);
	p_out(d, AIC_DMACNTRL0, AIC_RSTFIFO);
	p_out(d, AIC_SCSISEQ, seq_idle(d)); /* TEMODEO off: BUS FREE */
	p_out(d, AIC_SCSISIG, 0);
	p_out(d, AIC_CLRSINT0, (uint8_t)(AIC_SPIORDY | AIC_SDONE));
	p_cpu(d, HA_CPU_STEP);
	(void)isa_run(d->isa, d->prog, d->n, t_end, d);
}

/* --- commands ------------------------------------------------------------------- */

static void dispatch(struct isa_host *isa, void *arg);
static void listen_idle(struct ha_driver *d);
static void target_start(struct ha_driver *d);
static void reset_recover(struct ha_driver *d);
static void park(struct ha_driver *d);
static void resel_start(struct ha_driver *d);
static void poll_req(struct isa_host *isa, void *arg);
static void t_status(struct ha_driver *d, uint8_t status);
static void t_deliver(struct ha_driver *d);
static void t_late_mo(struct ha_driver *d, uint8_t status);
static int t_more_msgs(struct ha_driver *d);
static void t_done_free(struct isa_host *isa, void *arg);
static void tp_reselect(struct ha_driver *d);

static void finish(struct ha_driver *d, enum bus_cmd_result r)
{
	struct ha_cmd *c = d->cur;
	d->cur = NULL;
	d->cur_connected = 0;
	c->result = r;
	c->data_moved = d->data_pos;
	c->t_done = sim_now(d->sim);
	d->stats.commands++;
	if (c->done)
		c->done(c, c->arg);
	start_next(d);
}

/* Select: what busfree_run/seldo_run do (protocol-facts 3.4). */
static void start_next(struct ha_driver *d)
{
	if (d->t_active || isa_busy(d->isa) || d->tp == TP_RESELECTING)
		return;
	/* a parked datagram whose slot is free comes first: its sender
	 * waits disconnected */
	if (d->tp == TP_WANT && d->cur == NULL &&
	    sim_now(d->sim) >= d->tp_ready) {
		tp_reselect(d);
		return;
	}
	if (d->cur == NULL && d->head == NULL) {
		/* idle, listening or not: the interrupt stays enabled, so a
		 * reset (or, listening, a selection) is never left unseen */
		if (!d->t_active)
			listen_idle(d);
		return;
	}
	if (d->cur != NULL)
		return;
	/* the first command whose target has none disconnected: one nexus
	 * per target (aha152x issues nothing to a target it awaits a
	 * reselection from; such a target would not answer anyway) */
	struct ha_cmd *c = d->head, *prev = NULL;
	while (c != NULL && d->disc[c->target].cmd != NULL) {
		prev = c;
		c = c->next_;
	}
	if (c == NULL) {
		listen_idle(d);
		return;
	}
	if (prev)
		prev->next_ = c->next_;
	else
		d->head = c->next_;
	if (d->tail == c)
		d->tail = prev;
	d->cur = c;
	c->t_start = sim_now(d->sim);
	d->mo_len = d->mo_pos = d->cdb_pos = d->mi_len = 0;
	d->got_complete = d->disconnecting = d->aborting = 0;
	d->mi_discard = d->in_perr = 0;
	d->cur_connected = 0;
	d->data_pos = d->queued = d->saved_pos = 0;
	d->mo[d->mo_len++] = (uint8_t)(MSG_IDENTIFY |
				       (d->reconnect ? IDENTIFY_DISC_PRIV : 0) |
				       (c->lun & 7));
	if (d->sync_enabled && !d->tried_sdtr[c->target]) {
		/* aha152x proposes 200 ns; an AIC-6360 with fast sync runs
		 * 100 ns, and then that is proposed */
		sim_time_t minp = aic6260_min_period(aha1522_chip(d->card));
		uint8_t factor = minp < 200 * SIM_NS
					 ? (uint8_t)(minp / SIM_NS / 4)
					 : HA_SDTR_FACTOR;
		const uint8_t sdtr[5] = { MSG_EXTENDED, 3, EXT_SDTR, factor,
					  HA_SDTR_OFFSET };
		memcpy(d->mo + d->mo_len, sdtr, sizeof sdtr);
		d->mo_len += (int)sizeof sdtr;
		d->tried_sdtr[c->target] = 1;
	}
	p_reset(d);
	p_cpu(d, HA_CPU_STEP);
	p_out(d, AIC_SCSIID, (uint8_t)(d->own_id << 4 | c->target));
	/* no stale outcome of an earlier selection (as aha152x clears
	 * them before it selects) */
	p_out(d, AIC_CLRSINT0, AIC_SELDO);
	p_out(d, AIC_CLRSINT1, AIC_SELTO);
	p_out(d, AIC_SXFRCTL1, AIC_ENSPCHK | AIC_ENSTIMER);
	p_out(d, AIC_SCSIRATE, d->scsirate[c->target]);
	p_out(d, AIC_SIMODE0, (uint8_t)(AIC_SELDO | simode0_idle(d)));
	p_out(d, AIC_SIMODE1, AIC_SELTO | AIC_SCSIRSTI);
	p_out(d, AIC_SXFRCTL0, AIC_CH1);
	p_out(d, AIC_DMACNTRL0, AIC_INTEN);
	p_out(d, AIC_SCSISEQ,
	      (uint8_t)(AIC_ENSELO | AIC_ENAUTOATNO |
			seq_idle(d)));
	p_go(d, NULL);
}

/* Nothing to send: wait to be selected. */
static void listen_idle(struct ha_driver *d)
{
	p_reset(d);
	p_out(d, AIC_SIMODE0, simode0_idle(d));
	p_out(d, AIC_SIMODE1, simode1_idle(d));
	p_out(d, AIC_SCSISEQ, seq_idle(d));
	p_out(d, AIC_DMACNTRL0, AIC_INTEN);
	p_go(d, NULL);
}

/* Wait for the chip's interrupt. */
static void wait_irq(struct ha_driver *d)
{
	p_reset(d);
	p_out(d, AIC_DMACNTRL0, AIC_INTEN);
	p_go(d, NULL);
}

/* The interrupt: mask it (aha152x clears INTEN while servicing), read
 * the status. */
static void on_irq(struct isa_host *isa, void *arg)
{
	struct ha_driver *d = arg;
	(void)isa;
	d->stats.interrupts++;
	p_reset(d);
	p_out(d, AIC_DMACNTRL0, 0);
	p_in(d, AIC_SSTAT0, &d->s0);
	p_in(d, AIC_SSTAT1, &d->s1);
	p_in(d, AIC_SCSISIG, &d->sig);
	p_cpu(d, HA_CPU_STEP);
	p_go(d, dispatch);
}

/* The end of a command, once the program that tidied up has run. */
static void ended_selto(struct isa_host *isa, void *arg)
{
	(void)isa;
	finish(arg, BUS_CMD_SEL_TIMEOUT);
}

static void ended_free(struct isa_host *isa, void *arg)
{
	(void)isa;
	struct ha_driver *d = arg;
	finish(d, d->got_complete ? BUS_CMD_DONE : BUS_CMD_BUS_FREE);
}

/* --- phases --------------------------------------------------------------------- */

static void poll_req(struct isa_host *isa, void *arg);

/* After a byte: poll for the next REQ a while, as the driver's phase
 * loops do, then fall back to the interrupt. */
static void after_byte(struct isa_host *isa, void *arg)
{
	(void)isa;
	struct ha_driver *d = arg;
	d->progress++;
	if (d->in_perr) {
		/* a bad byte: no status (the mid-layer retries), and the
		 * message is forgotten with the rest of its phase (it comes
		 * again, whole) */
		d->in_perr = 0;
		if (d->phase == BUS_PH_STATUS)
			d->cur->status = 0xff;
		d->mi_len = 0;
		d->mi_discard = d->phase == BUS_PH_MSG_IN;
	} else if (d->phase == BUS_PH_MSG_IN && d->mi_discard) {
		/* the rest of a message that had a bad byte */
	} else if (d->phase == BUS_PH_STATUS) {
		d->cur->status = d->byte;
	} else if (d->phase == BUS_PH_MSG_IN) {
		d->mi[d->mi_len++] = d->byte;
		if (d->mi[0] == MSG_COMMAND_COMPLETE) {
			d->got_complete = 1;
			d->mi_len = 0;
		} else if (d->mi[0] == MSG_SAVE_POINTERS) {
			d->saved_pos = d->data_pos;
			d->mi_len = 0;
		} else if (d->mi[0] == MSG_RESTORE_POINTERS) {
			d->data_pos = d->saved_pos;
			d->mi_len = 0;
		} else if (d->mi[0] == MSG_DISCONNECT) {
			d->disconnecting = 1; /* BUS FREE follows */
			d->mi_len = 0;
		} else if (d->mi[0] == MSG_EXTENDED &&
			   (d->mi_len < 2 || d->mi_len < d->mi[1] + 2)) {
			/* more to come */
		} else if (d->mi[0] == MSG_EXTENDED && d->mi[2] == EXT_SDTR) {
			/* the target's SDTR answer: program the rate */
			int v = aic6260_scsirate_for(d->mi[3], d->mi[4]);
			d->scsirate[d->cur->target] = (uint8_t)(v < 0 ? 0 : v);
			d->mi_len = 0;
			p_reset(d);
			p_out(d, AIC_SCSIRATE, d->scsirate[d->cur->target]);
			d->polls = 0;
			p_in(d, AIC_SSTAT1, &d->s1);
			p_in(d, AIC_SCSISIG, &d->sig);
			p_go(d, poll_req);
			return;
		} else {
			d->mi_len = 0; /* other messages: taken as read */
		}
	}
	d->polls = 0;
	p_reset(d);
	p_in(d, AIC_SSTAT1, &d->s1);
	p_in(d, AIC_SCSISIG, &d->sig);
	p_go(d, poll_req);
}

static void poll_req(struct isa_host *isa, void *arg)
{
	struct ha_driver *d = arg;
	d->stats.polls++;
	if (d->s1 & (AIC_REQINIT | AIC_BUSFREE | AIC_SCSIRSTI)) {
		dispatch(isa, d);
		return;
	}
	if (++d->polls < HA_POLLS) {
		p_reset(d);
		p_in(d, AIC_SSTAT1, &d->s1);
		p_in(d, AIC_SCSISIG, &d->sig);
		p_go(d, poll_req);
		return;
	}
	wait_irq(d);
}

/* One byte of a message, command or status phase, by PIO. */
static void byte_phase(struct ha_driver *d, uint8_t sigphase)
{
	struct ha_cmd *c = d->cur;
	p_reset(d);
	p_out(d, AIC_CLRSINT1, AIC_REQINIT | AIC_PHASECHG);
	p_out(d, AIC_SCSISIG, sigphase);
	p_out(d, AIC_SXFRCTL0, AIC_CH1 | AIC_SPIOEN);
	switch (d->phase) {
	case BUS_PH_MSG_OUT: {
		uint8_t b = d->mo_pos < d->mo_len ? d->mo[d->mo_pos++]
						  : MSG_NOP;
		/* ATN goes before the last byte (SCSI-2 5.2.1) */
		if (d->mo_pos >= d->mo_len)
			p_out(d, AIC_CLRSINT1, AIC_CLRATNO);
		p_out(d, AIC_SCSIDAT, b);
		d->stats.bytes_out++;
		break;
	}
	case BUS_PH_COMMAND:
		p_out(d, AIC_SCSIDAT,
		      d->cdb_pos < c->cdb_len ? c->cdb[d->cdb_pos++] : 0);
		d->stats.bytes_out++;
		break;
	default: /* STATUS, MESSAGE IN */
		if (d->s1 & AIC_SCSIPERR) {
			/* the byte came with bad parity: ATN before the ACK
			 * goes, then MESSAGE PARITY ERROR (the target sends
			 * the whole message again) or INITIATOR DETECTED
			 * ERROR (SCSI-2 5.6.12, 5.6.10); the byte is not
			 * taken (aha152x ends the command DID_PARITY: the
			 * SCSI-2 way keeps the connection) */
			d->in_perr = 1;
			d->stats.parity_errors++;
			d->mo[0] = d->phase == BUS_PH_MSG_IN
					   ? MSG_PARITY_ERROR
					   : MSG_INITIATOR_DETECTED_ERROR;
			d->mo_len = 1;
			d->mo_pos = 0;
			p_out(d, AIC_CLRSINT1, AIC_SCSIPERR);
			p_out(d, AIC_SCSISIG, (uint8_t)(sigphase | AIC_SIG_ATN));
		}
		p_in(d, AIC_SCSIDAT, &d->byte);
		d->stats.bytes_in++;
		break;
	}
	p_out(d, AIC_SXFRCTL0, AIC_CH1);
	p_go(d, after_byte);
}

static void data_loop(struct isa_host *isa, void *arg);

/* A data phase the command has nothing for: the target asks DATA IN of a
 * SEND MESSAGE (or DATA OUT of a command that reads).  SCSI-2's way out is the
 * initiator's: ATN, and ABORT at the next MESSAGE OUT (5.6.1); meanwhile
 * each byte is moved by PIO and forgotten (0 sent out).  The command then
 * ends with the unexpected BUS FREE that follows ABORT, and the mid-layer
 * retries it.  [decision: aha152x has no such path] */
static void bucket_phase(struct ha_driver *d, uint8_t sigphase)
{
	if (!d->aborting) {
		d->aborting = 1;
		d->mo[0] = MSG_ABORT;
		d->mo_len = 1;
		d->mo_pos = 0;
	}
	p_reset(d);
	p_out(d, AIC_CLRSINT1, AIC_REQINIT | AIC_PHASECHG);
	p_out(d, AIC_SCSISIG, (uint8_t)(sigphase | AIC_SIG_ATN));
	p_out(d, AIC_SXFRCTL0, AIC_CH1 | AIC_SPIOEN);
	if (d->phase == BUS_PH_DATA_IN)
		p_in(d, AIC_SCSIDAT, &d->byte);
	else
		p_out(d, AIC_SCSIDAT, 0);
	p_out(d, AIC_SXFRCTL0, AIC_CH1);
	p_go(d, after_byte);
}

/* A data phase through the FIFO (datao_run / datai_run): STCNT, then
 * 128-byte REP OUTSW/INSW chunks as the FIFO allows. */
static void data_phase(struct ha_driver *d, uint8_t sigphase)
{
	struct ha_cmd *c = d->cur;
	int in = d->phase == BUS_PH_DATA_IN;
	uint32_t want = (c->dir == (in ? BUS_DIR_IN : BUS_DIR_OUT))
				? c->data_len - d->data_pos
				: 0;
	d->queued = d->data_pos;
	p_reset(d);
	p_out(d, AIC_CLRSINT1, AIC_REQINIT | AIC_PHASECHG);
	p_out(d, AIC_SCSISIG, sigphase);
	p_out(d, AIC_DMACNTRL0, AIC_RSTFIFO);
	p_out(d, AIC_SXFRCTL0, AIC_CH1 | AIC_CLRSTCNT);
	p_out(d, AIC_STCNT0, (uint8_t)want);
	p_out(d, AIC_STCNT1, (uint8_t)(want >> 8));
	p_out(d, AIC_STCNT2, (uint8_t)(want >> 16));
	p_out(d, AIC_DMACNTRL0,
	      (uint8_t)(AIC_ENDMA | (in ? 0 : AIC_WRITE_READ)));
	p_out(d, AIC_SXFRCTL0, AIC_SCSIEN | AIC_DMAEN | AIC_CH1);
	p_cpu(d, HA_CPU_STEP);
	p_in(d, AIC_DMASTAT, &d->dmastat);
	p_in(d, AIC_FIFOSTAT, &d->fifostat);
	p_in(d, AIC_SSTAT1, &d->s1);
	p_go(d, data_loop);
}

/* The phase ends: the FIFO drained (OUT) or emptied by the host (IN). */
static void data_end(struct ha_driver *d)
{
	p_reset(d);
	p_out(d, AIC_SXFRCTL0, AIC_CH1);
	p_out(d, AIC_DMACNTRL0, 0);
	p_out(d, AIC_CLRSINT0, AIC_DMADONE);
	d->polls = 0;
	p_in(d, AIC_SSTAT1, &d->s1);
	p_in(d, AIC_SCSISIG, &d->sig);
	p_go(d, poll_req);
}

static void data_loop(struct isa_host *isa, void *arg)
{
	(void)isa;
	struct ha_driver *d = arg;
	struct ha_cmd *c = d->cur;
	int in = d->phase == BUS_PH_DATA_IN;
	uint32_t end = c->data_len;
	if (d->s1 & AIC_SCSIRSTI) {
		d->data_pos = d->queued;
		reset_recover(d);
		return;
	}
	if (d->s1 & AIC_BUSFREE) {
		/* the target let go in the middle of the phase: what left
		 * the FIFO counts, and the phase loop ends the command */
		d->data_pos = in ? d->queued : d->queued - d->fifostat;
		data_end(d);
		return;
	}
	p_reset(d);
	if (!in) {
		if (d->queued < end && (d->dmastat & AIC_DFIFOEMP)) {
			/* the FIFO is empty: the next chunk */
			uint32_t n = end - d->queued;
			if (n > HA_CHUNK)
				n = HA_CHUNK;
			if (n >= 2)
				p_string(d, ISA_OUTSW, c->data + d->queued,
					 n / 2);
			if (n & 1) {
				p_out(d, AIC_DMACNTRL0,
				      AIC_ENDMA | AIC_WRITE_READ | AIC_8BIT);
				p_out(d, AIC_DATAPORT,
				      c->data[d->queued + n - 1]);
			}
			d->queued += n;
			d->stats.bytes_out += n;
			d->progress++;
		} else if (d->queued == end &&
			   (d->dmastat & AIC_DFIFOEMP)) {
			d->data_pos = end; /* all on the bus */
			data_end(d);
			return;
		} else if (d->s1 & AIC_PHASEMIS) {
			/* the target wants no more: what left the FIFO
			 * counts */
			d->data_pos = d->queued - d->fifostat;
			data_end(d);
			return;
		}
	} else {
		uint32_t left = end - d->queued;
		uint32_t n = d->fifostat < left ? d->fifostat : left;
		if (n >= 2 && (n == left || n >= HA_CHUNK)) {
			p_string(d, ISA_INSW, c->data + d->queued, n / 2);
			d->queued += n & ~1u;
			d->stats.bytes_in += n & ~1u;
			d->progress++;
		} else if (n == 1 && left == 1) {
			p_out(d, AIC_DMACNTRL0, AIC_ENDMA | AIC_8BIT);
			p_in(d, AIC_DATAPORT, c->data + d->queued);
			d->queued++;
			d->stats.bytes_in++;
			d->progress++;
		} else if (d->queued == end ||
			   ((d->s1 & AIC_PHASEMIS) && n == 0)) {
			d->data_pos = d->queued;
			data_end(d);
			return;
		}
	}
	p_in(d, AIC_DMASTAT, &d->dmastat);
	p_in(d, AIC_FIFOSTAT, &d->fifostat);
	p_in(d, AIC_SSTAT1, &d->s1);
	p_go(d, data_loop);
}

/* --- the target's side: an RFC 2143 station ---------------------------------- */

#define SIG_MSGOUT (AIC_SIG_MSG | AIC_SIG_CD)
#define SIG_MSGIN (AIC_SIG_MSG | AIC_SIG_CD | AIC_SIG_IO)
#define SIG_COMMAND AIC_SIG_CD
#define SIG_STATUS (AIC_SIG_CD | AIC_SIG_IO)
#define SIG_DATAIN AIC_SIG_IO

static void t_got_mo(struct isa_host *isa, void *arg);
static void t_got_cdb(struct isa_host *isa, void *arg);
static void t_rdy_in(struct isa_host *isa, void *arg);

/* Ask for one byte in an OUT phase (REQO), wait for it (SPIORDY), read
 * it and ATN; then `next`. */

/* SPIORDY not yet: poll it HA_POLLS times (as aha152x's loops spin),
 * then sleep until its interrupt (SIMODE0.ENSPIORDY), so that an
 * initiator that takes its time costs the host an interrupt, not a poll
 * every I/O cycle; `self` goes on either way. */
static void t_wait_spio(struct ha_driver *d, isa_done_fn self)
{
	d->stats.polls++;
	p_reset(d);
	if (++d->polls < HA_POLLS) {
		p_in(d, AIC_SSTAT0, &d->s0);
		p_in(d, AIC_SSTAT1, &d->s1);
		p_go(d, self);
		return;
	}
	d->t_wait = self;
	p_out(d, AIC_SIMODE0, AIC_SPIORDY);
	p_out(d, AIC_SIMODE1, AIC_SCSIRSTI);
	p_out(d, AIC_DMACNTRL0, AIC_INTEN);
	p_go(d, NULL);
}

static void t_rdy_out(struct isa_host *isa, void *arg)
{
	(void)isa;
	struct ha_driver *d = arg;
	if (d->s1 & AIC_SCSIRSTI) {
		reset_recover(d);
		return;
	}
	if (!(d->s0 & AIC_SPIORDY)) {
		t_wait_spio(d, t_rdy_out);
		return;
	}
	d->progress++;
	p_reset(d);
	p_in(d, AIC_SCSIDAT, &d->byte);
	p_in(d, AIC_SCSISIG, &d->sig);
	p_go(d, d->t_after);
}

static void t_get(struct ha_driver *d, uint8_t sig, isa_done_fn next)
{
	d->t_after = next;
	d->polls = 0;
	p_reset(d);
	p_out(d, AIC_SCSISIG, (uint8_t)(sig | AIC_SIG_REQ));
	p_in(d, AIC_SSTAT0, &d->s0);
	p_in(d, AIC_SSTAT1, &d->s1);
	p_go(d, t_rdy_out);
}

/* Send one byte in an IN phase, wait for its handshake; then `next`. */
static void t_put(struct ha_driver *d, uint8_t sig, uint8_t b,
		  isa_done_fn next)
{
	d->t_after = next;
	d->polls = 0;
	p_reset(d);
	p_out(d, AIC_SCSISIG, sig);
	p_out(d, AIC_SCSIDAT, b);
	p_in(d, AIC_SSTAT0, &d->s0);
	p_in(d, AIC_SSTAT1, &d->s1);
	p_go(d, t_rdy_in);
}

static void t_rdy_in(struct isa_host *isa, void *arg)
{
	(void)isa;
	struct ha_driver *d = arg;
	if (d->s1 & AIC_SCSIRSTI) {
		reset_recover(d);
		return;
	}
	if (!(d->s0 & AIC_SPIORDY)) {
		t_wait_spio(d, t_rdy_in);
		return;
	}
	d->progress++;
	d->t_after(isa, d);
}

static void t_begin_mo(struct isa_host *isa, void *arg);
static void t_begin_cdb(struct isa_host *isa, void *arg);

/* Selected: SELDI. */
static void t_begin(struct isa_host *isa, void *arg)
{
	struct ha_driver *d = arg;
	uint8_t others = (uint8_t)(d->selid & ~(1u << d->own_id));
	d->t_initiator = others ? __builtin_ctz(others) : -1;
	d->t_mo_len = 0;
	d->t_cdb_len = d->t_pos = 0;
	d->t_lun = 0;
	d->t_sdtr_msgs = 0;
	d->stats.selected++;
	/* the data phase runs at what was agreed with this initiator, not
	 * at whatever SCSIRATE held from the last connection (its own
	 * commands program it per target) */
	d->t_after = d->s1 & AIC_ATNTARG ? t_begin_mo : t_begin_cdb;
	uint8_t rate = d->t_initiator >= 0 && d->t_initiator < 8
			       ? d->scsirate[d->t_initiator]
			       : 0;
	if (rate == d->rate_now) {
		d->t_after(isa, d); /* programmed already */
		return;
	}
	p_reset(d);
	p_out(d, AIC_SCSIRATE, rate);
	p_go(d, d->t_after);
}

static void t_begin_mo(struct isa_host *isa, void *arg)
{
	(void)isa;
	t_get(arg, SIG_MSGOUT, t_got_mo);
}

static void t_begin_cdb(struct isa_host *isa, void *arg)
{
	(void)isa;
	t_get(arg, SIG_COMMAND, t_got_cdb);
}

static void target_start(struct ha_driver *d)
{
	if (d->tp == TP_RESELECTING)
		d->tp = TP_WANT; /* the chip dropped it for this selection */
	d->t_active = 1;
	d->t_disc_ok = 0;
	wd_arm(d);
	p_reset(d);
	p_out(d, AIC_CLRSINT0, AIC_SELDI);
	p_in(d, AIC_SELID, &d->selid);
	p_in(d, AIC_SSTAT1, &d->s1);
	p_out(d, AIC_CLRSINT1, AIC_ATNTARG);
	p_out(d, AIC_SCSISEQ, (uint8_t)(AIC_TEMODEO | seq_idle(d)));
	p_out(d, AIC_SXFRCTL0, AIC_CH1 | AIC_SPIOEN);
	/* check the parity of what the initiator sends */
	p_out(d, AIC_SXFRCTL1, AIC_ENSPCHK | AIC_ENSTIMER);
	p_out(d, AIC_CLRSINT1, AIC_SCSIPERR);
	d->t_perr = 0;
	p_cpu(d, HA_CPU_STEP);
	p_go(d, t_begin);
}

static void t_sdtr_reply(struct ha_driver *d);

/* What the initiator's MESSAGE OUT asks, read one message at a time
 * (SCSI-2 5.6): ABORT and BUS DEVICE RESET end the connection whatever
 * came with them; a message the station does not take is answered with
 * MESSAGE REJECT (5.6.21); an SDTR before the CDB is answered in kind
 * (`late`: one after it is rejected). */
enum t_mo_verdict { MO_GO_ON, MO_SDTR, MO_REJECT, MO_ABORT, MO_RESET,
		    MO_ERROR };

static enum t_mo_verdict t_read_mo(struct ha_driver *d, int late)
{
	enum t_mo_verdict v = MO_GO_ON;
	int sdtr_at = -1, i = 0;
	while (i < d->t_mo_len) {
		uint8_t m = d->t_mo[i];
		if (m & MSG_IDENTIFY) {
			d->t_lun = m & 7;
			d->t_disc_ok = (m & IDENTIFY_DISC_PRIV) != 0;
			i++;
		} else if (m == MSG_ABORT) {
			return MO_ABORT;
		} else if (m == MSG_BUS_DEVICE_RESET) {
			return MO_RESET;
		} else if (m == MSG_EXTENDED) {
			/* 01h, length, code, arguments: one cut off by the
			 * buffer's end is not understood either */
			int n = i + 1 < d->t_mo_len ? d->t_mo[i + 1] : 0;
			if (!late && n == 3 && i + 4 < d->t_mo_len &&
			    d->t_mo[i + 2] == EXT_SDTR)
				sdtr_at = i;
			else
				v = MO_REJECT;
			i += 2 + n;
		} else if (m == MSG_INITIATOR_DETECTED_ERROR ||
			   m == MSG_PARITY_ERROR) {
			/* what we sent came bad: the command ends with
			 * CHECK CONDITION, as bus_dev's targets do */
			d->t_err_asc = m == MSG_PARITY_ERROR
					       ? SCSI_ASC_PARITY_ERROR
					       : SCSI_ASC_IDE_MESSAGE;
			if (v != MO_REJECT)
				v = MO_ERROR;
			i++;
		} else {
			if (m != MSG_NOP)
				v = MO_REJECT;
			/* 20h-2Fh are two bytes long (5.5.2) */
			i += (m & 0xF0) == 0x20 ? 2 : 1;
		}
	}
	if (v == MO_GO_ON && sdtr_at >= 0) {
		/* where t_sdtr_reply reads it */
		memmove(&d->t_mo[1], &d->t_mo[sdtr_at], 5);
		return MO_SDTR;
	}
	if (v == MO_REJECT && sdtr_at >= 0 && d->t_initiator >= 0 &&
	    d->t_initiator < 8)
		d->scsirate[d->t_initiator] = 0; /* it will take that as
						  * "asynchronous" */
	return v;
}

static void t_abort(struct ha_driver *d, int device_reset);
static void t_rejected(struct isa_host *isa, void *arg);

/* ATN is up (ATNTARG): the initiator has a message; it is taken, if it
 * has not had HA_SDTR_MSGS already in this connection. */
static int t_more_msgs(struct ha_driver *d)
{
	if (!(d->s1 & AIC_ATNTARG) || d->t_sdtr_msgs >= HA_SDTR_MSGS)
		return 0;
	d->t_sdtr_msgs++;
	return 1;
}

/* A MESSAGE OUT byte: more while ATN is asserted. */
static void t_got_mo(struct isa_host *isa, void *arg)
{
	(void)isa;
	struct ha_driver *d = arg;
	if (d->t_mo_len < (int)sizeof d->t_mo)
		d->t_mo[d->t_mo_len++] = d->byte;
	if (d->sig & AIC_SIG_ATN) {
		t_get(d, SIG_MSGOUT, t_got_mo);
		return;
	}
	switch (t_read_mo(d, 0)) {
	case MO_SDTR:
		t_sdtr_reply(d);
		return;
	case MO_ABORT:
		t_abort(d, 0);
		return;
	case MO_RESET:
		t_abort(d, 1);
		return;
	case MO_REJECT:
		d->stats.msg_rejects_sent++;
		t_put(d, SIG_MSGIN, MSG_REJECT, t_rejected);
		return;
	case MO_GO_ON:
	case MO_ERROR: /* nothing sent yet that could have come bad */
		break;
	}
	t_get(d, SIG_COMMAND, t_got_cdb);
}

/* MESSAGE REJECT sent: the initiator may have more to say (ATN), else
 * the CDB. */
static void t_rejected(struct isa_host *isa, void *arg)
{
	(void)isa;
	struct ha_driver *d = arg;
	if (t_more_msgs(d)) {
		d->t_mo_len = 0;
		t_get(d, SIG_MSGOUT, t_got_mo);
		return;
	}
	t_get(d, SIG_COMMAND, t_got_cdb);
}

/* ABORT (SCSI-2 5.6.1): the command of this initiator is gone, a
 * datagram of it not handed up, no status sent; BUS DEVICE RESET
 * (5.6.5): every initiator's command, sense and agreement too.  Either
 * way the target goes to BUS FREE at once. */
static void t_abort(struct ha_driver *d, int device_reset)
{
	if (device_reset) {
		d->stats.device_resets++;
		memset(d->st.sense_key, 0, sizeof d->st.sense_key);
		memset(d->st.asc, 0, sizeof d->st.asc);
		memset(d->scsirate, 0, sizeof d->scsirate);
		memset(d->tried_sdtr, 0, sizeof d->tried_sdtr);
	} else {
		d->stats.aborts++;
	}
	if (d->t_rx_pending) {
		d->st.slots++;
		d->t_rx_pending = 0;
	}
	if (d->tp != TP_NONE &&
	    (device_reset || d->tp_initiator == d->t_initiator)) {
		/* the parked datagram's nexus; its reserved slot is free */
		if (d->tp == TP_WANT)
			d->st.slots++;
		d->tp = TP_NONE;
		sim_cancel(d->sim, &d->tp_ev);
	}
	t_done_free(d->isa, d);
}

/* SDTR: answer what the chip can run, program it. */
static void t_sdtr_next(struct isa_host *isa, void *arg);

static void t_sdtr_reply(struct ha_driver *d)
{
	struct aic6260 *chip = aha1522_chip(d->card);
	uint8_t factor = d->t_mo[4], offset = d->t_mo[5];
	uint8_t min_factor = (uint8_t)(aic6260_min_period(chip) / SIM_NS / 4);
	if (factor < min_factor)
		factor = min_factor;
	if (offset > AIC_MAX_OFFSET)
		offset = AIC_MAX_OFFSET;
	int v = aic6260_scsirate_for(factor, offset);
	if (v < 0) {
		offset = 0; /* asynchronous */
		v = 0;
	}
	d->t_mo[4] = factor;
	d->t_mo[5] = offset;
	if (d->t_initiator >= 0 && d->t_initiator < 8)
		d->scsirate[d->t_initiator] = (uint8_t)v;
	d->t_sdtr_pos = 1;
	t_put(d, SIG_MSGIN, d->t_mo[1], t_sdtr_next);
}

static void t_sdtr_answered(struct isa_host *isa, void *arg);

/* The rate is programmed: now the CDB, unless the initiator raised ATN
 * during the reply (ATNTARG): it has a message about it first. */
static void t_sdtr_set(struct isa_host *isa, void *arg)
{
	(void)isa;
	struct ha_driver *d = arg;
	/* (a few: an initiator that never lets go of ATN gets the CDB
	 * phase all the same) */
	if (t_more_msgs(d)) {
		t_get(d, SIG_MSGOUT, t_sdtr_answered);
		return;
	}
	t_get(d, SIG_COMMAND, t_got_cdb);
}

/* The initiator's message after our SDTR reply: MESSAGE PARITY ERROR
 * (a byte of it came bad: send all of it again, SCSI-2 5.6.12), MESSAGE
 * REJECT (it cannot take the counter-offer: asynchronous, 5.6.21),
 * ABORT or BUS DEVICE RESET (t_abort); anything else is taken as read.
 * Then the CDB. */
static void t_sdtr_answered(struct isa_host *isa, void *arg)
{
	(void)isa;
	struct ha_driver *d = arg;
	if (d->byte == MSG_ABORT || d->byte == MSG_BUS_DEVICE_RESET) {
		t_abort(d, d->byte == MSG_BUS_DEVICE_RESET);
		return;
	}
	if (d->byte == MSG_PARITY_ERROR) {
		d->t_sdtr_pos = 1;
		t_put(d, SIG_MSGIN, d->t_mo[1], t_sdtr_next);
		return;
	}
	if (d->byte == MSG_REJECT && d->t_initiator >= 0 &&
	    d->t_initiator < 8) {
		d->scsirate[d->t_initiator] = 0;
		p_reset(d);
		p_out(d, AIC_SCSIRATE, 0);
		p_go(d, t_sdtr_set);
		return;
	}
	t_sdtr_set(isa, d);
}

static void t_sdtr_next(struct isa_host *isa, void *arg)
{
	(void)isa;
	struct ha_driver *d = arg;
	if (++d->t_sdtr_pos < 6) {
		t_put(d, SIG_MSGIN, d->t_mo[d->t_sdtr_pos], t_sdtr_next);
		return;
	}
	p_reset(d);
	p_out(d, AIC_SCSIRATE,
	      d->t_initiator >= 0 ? d->scsirate[d->t_initiator] : 0);
	p_go(d, t_sdtr_set);
}

/* Fill t_reply with INQUIRY or REQUEST SENSE data. */
static void t_execute(struct ha_driver *d);

/* A byte of the command or the data came with bad parity: as bus_dev's
 * targets do (bus_dev.h, parity), the command is not executed and the
 * datagram not handed up; CHECK CONDITION with sense ABORTED COMMAND, ASC
 * 47h (SCSI parity error), which the sender's mid-layer retries. */
static void t_perr_status(struct isa_host *isa, void *arg)
{
	(void)isa;
	t_status(arg, SCSI_STATUS_CHECK_CONDITION);
}

static void t_parity_error(struct ha_driver *d)
{
	d->stats.parity_errors++;
	if (d->t_initiator >= 0 && d->t_initiator < STATION_INITIATORS) {
		d->st.sense_key[d->t_initiator] = SCSI_SENSE_ABORTED_COMMAND;
		d->st.asc[d->t_initiator] = SCSI_ASC_PARITY_ERROR;
	}
	d->t_perr = 0;
	p_reset(d);
	p_out(d, AIC_CLRSINT1, AIC_SCSIPERR);
	p_go(d, t_perr_status);
}

static void t_got_cdb(struct isa_host *isa, void *arg)
{
	(void)isa;
	struct ha_driver *d = arg;
	if (d->s1 & AIC_SCSIPERR)
		d->t_perr = 1;
	if (d->t_pos < sizeof d->t_cdb)
		d->t_cdb[d->t_pos] = d->byte;
	d->t_pos++;
	if (d->t_pos == 1) {
		d->t_cdb_len = scsi_cdb_len(d->byte);
	}
	if (d->t_pos < d->t_cdb_len) {
		t_get(d, SIG_COMMAND, t_got_cdb);
		return;
	}
	if (d->t_perr) {
		t_parity_error(d);
		return;
	}
	t_execute(d);
}

static void t_data_in_next(struct isa_host *isa, void *arg)
{
	(void)isa;
	struct ha_driver *d = arg;
	if (++d->t_done_bytes < d->t_len) {
		t_put(d, SIG_DATAIN, d->t_ans.reply[d->t_done_bytes],
		      t_data_in_next);
		return;
	}
	t_status(d, d->t_ans.status);
}

static void t_out_loop(struct isa_host *isa, void *arg);

static void t_disc_sent(struct isa_host *isa, void *arg);

static void t_execute(struct ha_driver *d)
{
	struct station_answer *a = &d->t_ans;
	if (d->t_cdb[0] == SCSI_OP_SEND_MESSAGE10 && d->t_cdb_len >= 10 &&
	    (d->t_cdb[7] | d->t_cdb[8]) && d->st.slots == 0 &&
	    d->t_disconnect && d->t_disc_ok && d->tp == TP_NONE &&
	    d->t_initiator >= 0 && d->t_initiator < 8) {
		/* no slot for the datagram: rather than BUSY (the sender
		 * would arbitrate and send the command again), disconnect
		 * and come back when a slot is free (SCSI-2 5.1.4, 5.6.6;
		 * nothing has moved, so no SAVE DATA POINTER) */
		d->tp = TP_PARKED;
		d->tp_initiator = d->t_initiator;
		d->tp_lun = d->t_lun;
		memcpy(d->tp_cdb, d->t_cdb, sizeof d->tp_cdb);
		d->tp_cdb_len = d->t_cdb_len;
		d->stats.disconnects_sent++;
		t_put(d, SIG_MSGIN, MSG_DISCONNECT, t_disc_sent);
		return;
	}
	station_command(&d->st, d->t_initiator, d->t_cdb, d->t_cdb_len, a);
	d->stats.busy_sent = d->st.busy_sent;
	d->stats.check_conditions = d->st.check_conditions;
	d->t_len = a->len;
	d->t_done_bytes = 0;
	if (a->act == STATION_STATUS) {
		t_status(d, a->status);
		return;
	}
	if (a->act == STATION_DATA_IN) {
		t_put(d, SIG_DATAIN, a->reply[0], t_data_in_next);
		return;
	}
	/* SEND MESSAGE: the DATA OUT through the FIFO */
	uint32_t len = a->len;
	p_reset(d);
	p_out(d, AIC_SCSISIG, 0);
	p_out(d, AIC_DMACNTRL0, AIC_RSTFIFO);
	p_out(d, AIC_SXFRCTL0, AIC_CH1 | AIC_CLRSTCNT);
	p_out(d, AIC_STCNT0, (uint8_t)len);
	p_out(d, AIC_STCNT1, (uint8_t)(len >> 8));
	p_out(d, AIC_STCNT2, 0);
	p_out(d, AIC_DMACNTRL0, AIC_ENDMA);
	p_out(d, AIC_SXFRCTL0, AIC_SCSIEN | AIC_DMAEN | AIC_CH1);
	p_in(d, AIC_FIFOSTAT, &d->fifostat);
	p_in(d, AIC_SSTAT1, &d->s1);
	d->t_rx_pending = 1;
	p_go(d, t_out_loop);
}

/* The datagram is in: hand it up, answer GOOD. */
static void t_out_done(struct isa_host *isa, void *arg)
{
	(void)isa;
	struct ha_driver *d = arg;
	if ((d->s1 & AIC_SCSIPERR) || d->t_perr) {
		d->t_rx_pending = 0;
		d->st.slots++; /* not handed up: its slot is free */
		t_parity_error(d);
		return;
	}
	if (t_more_msgs(d)) {
		/* a message first (an ABORT keeps it from the host) */
		t_late_mo(d, SCSI_STATUS_GOOD);
		return;
	}
	t_deliver(d);
}

static void t_deliver(struct ha_driver *d)
{
	d->t_rx_pending = 0;
	d->stats.datagrams++;
	d->stats.bytes_in += d->t_len;
	if (d->rx != NULL)
		d->rx(d, d->t_initiator, d->t_ans.type, d->t_buf, d->t_len,
		      d->rx_arg);
	t_status(d, SCSI_STATUS_GOOD);
}

/* Drain the FIFO as the datagram arrives (datai_run's loop). */
static void t_out_loop(struct isa_host *isa, void *arg)
{
	(void)isa;
	struct ha_driver *d = arg;
	if (d->s1 & AIC_SCSIRSTI) {
		reset_recover(d);
		return;
	}
	uint32_t left = d->t_len - d->t_done_bytes;
	uint32_t n = d->fifostat < left ? d->fifostat : left;
	p_reset(d);
	if (n >= 2 && (n == left || n >= HA_CHUNK)) {
		p_string(d, ISA_INSW, d->t_buf + d->t_done_bytes, n / 2);
		d->t_done_bytes += n & ~1u;
		d->progress++;
	} else if (n == 1 && left == 1) {
		p_out(d, AIC_DMACNTRL0, AIC_ENDMA | AIC_8BIT);
		p_in(d, AIC_DATAPORT, d->t_buf + d->t_done_bytes);
		d->t_done_bytes++;
		d->progress++;
	}
	if (d->t_done_bytes == d->t_len) {
		p_out(d, AIC_SXFRCTL0, AIC_CH1 | AIC_SPIOEN);
		p_out(d, AIC_DMACNTRL0, 0);
		p_out(d, AIC_CLRSINT0, AIC_SDONE);
		p_in(d, AIC_SSTAT1, &d->s1);
		p_cpu(d, HA_CPU_STEP);
		p_go(d, t_out_done);
		return;
	}
	p_in(d, AIC_FIFOSTAT, &d->fifostat);
	p_in(d, AIC_SSTAT1, &d->s1);
	p_go(d, t_out_loop);
}

static void t_status_sent(struct isa_host *isa, void *arg)
{
	(void)isa;
	t_put(arg, SIG_MSGIN, MSG_COMMAND_COMPLETE, t_done_free);
}

/* A message before STATUS (SCSI-2 5.1.9: the target answers ATN with
 * MESSAGE OUT when it can): `status` waits in t_late_status, and a
 * datagram that came in (t_rx_pending) is not handed up yet. */
static void t_got_late_mo(struct isa_host *isa, void *arg);
static void t_late_go(struct isa_host *isa, void *arg);

static void t_late_mo(struct ha_driver *d, uint8_t status)
{
	d->t_late_status = status;
	d->t_mo_len = 0;
	t_get(d, SIG_MSGOUT, t_got_late_mo);
}

static void t_got_late_mo(struct isa_host *isa, void *arg)
{
	(void)isa;
	struct ha_driver *d = arg;
	if (d->t_mo_len < (int)sizeof d->t_mo)
		d->t_mo[d->t_mo_len++] = d->byte;
	if (d->sig & AIC_SIG_ATN) {
		t_get(d, SIG_MSGOUT, t_got_late_mo);
		return;
	}
	switch (t_read_mo(d, 1)) {
	case MO_ABORT:
		t_abort(d, 0);
		return;
	case MO_RESET:
		t_abort(d, 1);
		return;
	case MO_ERROR:
		if (d->t_rx_pending) {
			d->t_rx_pending = 0;
			d->st.slots++; /* not handed up */
		}
		if (d->t_initiator >= 0 && d->t_initiator < STATION_INITIATORS) {
			d->st.sense_key[d->t_initiator] =
				SCSI_SENSE_ABORTED_COMMAND;
			d->st.asc[d->t_initiator] = d->t_err_asc;
		}
		d->t_late_status = SCSI_STATUS_CHECK_CONDITION;
		break;
	case MO_REJECT:
		d->stats.msg_rejects_sent++;
		t_put(d, SIG_MSGIN, MSG_REJECT, t_late_go);
		return;
	case MO_SDTR: /* (not when late) */
	case MO_GO_ON:
		break;
	}
	t_late_go(isa, d);
}

static void t_late_go(struct isa_host *isa, void *arg)
{
	(void)isa;
	struct ha_driver *d = arg;
	if (d->t_rx_pending)
		t_deliver(d);
	else
		t_status(d, d->t_late_status);
}

/* STATUS, then COMMAND COMPLETE, then BUS FREE; a message first if the
 * initiator has one. */
static void t_status(struct ha_driver *d, uint8_t status)
{
	if (t_more_msgs(d)) {
		t_late_mo(d, status);
		return;
	}
	d->t_status = status;
	t_put(d, SIG_STATUS, status, t_status_sent);
}

/* Served: the bus is free again; listen, and go on with our own
 * command if one waits (its selection resumes by itself). */
static void t_end(struct isa_host *isa, void *arg)
{
	(void)isa;
	struct ha_driver *d = arg;
	d->t_active = 0;
	if (d->tp_ready == SIM_TIME_MAX) /* we disconnected: the bus is free */
		d->tp_ready = sim_now(d->sim) + BUS_DISCONNECTION_DELAY;
	if (d->cur != NULL) {
		/* our selection was waiting for the bus: SELDO will come */
		p_reset(d);
		p_out(d, AIC_SIMODE0, AIC_SELDO | AIC_SELDI);
		p_out(d, AIC_SIMODE1, AIC_SELTO | AIC_SCSIRSTI);
		p_out(d, AIC_DMACNTRL0, AIC_INTEN);
		p_go(d, NULL);
		return;
	}
	start_next(d);
}

static void t_done_free(struct isa_host *isa, void *arg)
{
	(void)isa;
	struct ha_driver *d = arg;
	p_reset(d);
	p_out(d, AIC_SXFRCTL0, AIC_CH1);
	p_out(d, AIC_SCSISEQ,
	      (uint8_t)(seq_idle(d) |
			(d->cur ? AIC_ENSELO | AIC_ENAUTOATNO : 0)));
	p_out(d, AIC_SCSISIG, 0); /* off the bus now: no phase shown */
	p_cpu(d, HA_CPU_STEP);
	p_go(d, t_end);
}

/* --- the station disconnects and reselects ------------------------------- */

static void tp_due(struct sim *sim, struct sim_event *ev, void *arg)
{
	(void)sim;
	(void)ev;
	start_next(arg);
}

/* DISCONNECT sent: free the bus (as after COMMAND COMPLETE); the
 * reselection waits for a slot, and for a disconnection delay (SCSI-2
 * 5.1.4: 200 us from BUS FREE before arbitrating again). */
static void t_disc_sent(struct isa_host *isa, void *arg)
{
	struct ha_driver *d = arg;
	d->tp_ready = SIM_TIME_MAX; /* set once the bus is free (t_end) */
	t_done_free(isa, d);
}

/* A slot is free again: take it for the parked datagram, reselect. */
static void tp_slot_free(struct ha_driver *d)
{
	d->st.slots--; /* reserved for it */
	d->tp = TP_WANT;
	if (sim_now(d->sim) < d->tp_ready)
		sim_schedule_at(d->sim, &d->tp_ev, d->tp_ready);
	else
		start_next(d);
}

/* Arbitrate and reselect the parked datagram's sender: ENSELO in target
 * mode, answered by SELDO (or SELTO), as an interrupt. */
static void tp_reselect(struct ha_driver *d)
{
	d->tp = TP_RESELECTING;
	p_reset(d);
	p_cpu(d, HA_CPU_STEP);
	p_out(d, AIC_SCSIID, (uint8_t)(d->own_id << 4 | d->tp_initiator));
	p_out(d, AIC_CLRSINT0, AIC_SELDO);
	p_out(d, AIC_CLRSINT1, AIC_SELTO);
	p_out(d, AIC_SXFRCTL1, AIC_ENSPCHK | AIC_ENSTIMER);
	p_out(d, AIC_SXFRCTL0, AIC_CH1);
	p_out(d, AIC_SIMODE0, simode0_idle(d));
	p_out(d, AIC_SIMODE1, simode1_idle(d));
	p_out(d, AIC_DMACNTRL0, AIC_INTEN);
	p_out(d, AIC_SCSISEQ, seq_idle(d));
	p_go(d, NULL);
}

static void tp_identified(struct isa_host *isa, void *arg)
{
	(void)isa;
	t_execute(arg);
}

static void tp_identify(struct isa_host *isa, void *arg)
{
	(void)isa;
	struct ha_driver *d = arg;
	t_put(d, SIG_MSGIN, (uint8_t)(MSG_IDENTIFY | d->t_lun),
	      tp_identified);
}

/* SELDO as a target: connected to the sender again.  IDENTIFY restores
 * the nexus (5.6.7), the rate agreed before is programmed, and the
 * command goes on where it stopped: the DATA OUT into the slot. */
static void tp_reselected(struct ha_driver *d)
{
	d->tp = TP_NONE;
	d->t_active = 1;
	wd_arm(d);
	d->stats.reselections_done++;
	d->st.slots++; /* the reserved slot: the station takes it now */
	d->t_initiator = d->tp_initiator;
	d->t_lun = d->tp_lun;
	memcpy(d->t_cdb, d->tp_cdb, sizeof d->t_cdb);
	d->t_cdb_len = d->tp_cdb_len;
	d->t_disc_ok = 0;
	d->t_perr = 0;
	p_reset(d);
	p_out(d, AIC_CLRSINT0, AIC_SELDO);
	p_out(d, AIC_SIMODE0, d->listen ? AIC_SELDI : 0);
	p_out(d, AIC_SIMODE1, AIC_SCSIRSTI);
	p_out(d, AIC_SCSISEQ, (uint8_t)(AIC_TEMODEO | seq_idle(d)));
	p_out(d, AIC_SXFRCTL0, AIC_CH1 | AIC_SPIOEN);
	p_out(d, AIC_SXFRCTL1, AIC_ENSPCHK | AIC_ENSTIMER);
	p_out(d, AIC_CLRSINT1, AIC_SCSIPERR);
	p_out(d, AIC_SCSIRATE, d->scsirate[d->t_initiator]);
	p_cpu(d, HA_CPU_STEP);
	p_go(d, tp_identify);
}

/* SELTO: the sender did not answer (it went away).  Nothing of the
 * datagram moved: its sender's command times out there; here the slot
 * is given back and the nexus forgotten. */
static void tp_lost(struct ha_driver *d)
{
	d->tp = TP_NONE;
	d->st.slots++;
	d->stats.reselections_failed++;
	p_reset(d);
	p_out(d, AIC_CLRSINT1, AIC_SELTO);
	p_out(d, AIC_SCSISEQ, seq_idle(d));
	p_out(d, AIC_SIMODE0, simode0_idle(d));
	p_out(d, AIC_SIMODE1, simode1_idle(d));
	p_go(d, NULL);
}

/* --- disconnection and reselection ---------------------------------------- */

/* The target disconnected (DISCONNECT, then BUS FREE): the command waits
 * for its reselection with the saved data pointer, and the bus and the
 * driver are free for other work meanwhile (aha152x's disconnected_SC
 * list; SCSI-2 5.1.4, 5.6.6).  The program in hand is finished with the
 * reselection enables. */
static void park(struct ha_driver *d)
{
	struct ha_cmd *c = d->cur;
	d->disc[c->target].cmd = c;
	d->disc[c->target].saved = d->saved_pos;
	d->ndisc++;
	d->stats.disconnects++;
	d->cur = NULL;
	d->cur_connected = d->disconnecting = 0;
	p_out(d, AIC_SCSISEQ, seq_idle(d));
	p_out(d, AIC_SIMODE0, simode0_idle(d));
	p_out(d, AIC_DMACNTRL0, AIC_INTEN);
	p_go(d, NULL); /* then the next command, or wait */
}

static void resel_begin(struct isa_host *isa, void *arg);

/* SELDI without TARGET: a target reselected us.  A selection of ours
 * that had not won the bus is dropped by the chip: that command goes
 * back to the head of the queue (as aha152x requeues it). */
static void resel_start(struct ha_driver *d)
{
	if (d->tp == TP_RESELECTING)
		d->tp = TP_WANT; /* the chip dropped it for this one */
	if (d->cur != NULL && !d->cur_connected) {
		struct ha_cmd *c = d->cur;
		if (d->mo_len > 1)
			d->tried_sdtr[c->target] = 0; /* SDTR not sent */
		c->next_ = d->head;
		d->head = c;
		if (d->tail == NULL)
			d->tail = c;
		d->cur = NULL;
	}
	d->s0 = 0; /* SELDI handled: the phase loop must not see it again */
	p_reset(d);
	p_out(d, AIC_CLRSINT0, AIC_SELDI);
	p_in(d, AIC_SELID, &d->selid);
	p_out(d, AIC_SCSISEQ, seq_idle(d)); /* ENSELO off */
	p_out(d, AIC_SIMODE0, 0);
	p_out(d, AIC_SIMODE1, AIC_REQINIT | AIC_BUSFREE | AIC_SCSIRSTI);
	p_cpu(d, HA_CPU_STEP);
	p_go(d, resel_begin);
}

static void resel_begin(struct isa_host *isa, void *arg)
{
	(void)isa;
	struct ha_driver *d = arg;
	uint8_t others = (uint8_t)(d->selid & ~(1u << d->own_id));
	int target = others ? __builtin_ctz(others) : -1;
	if (target < 0 || target > 7 || d->disc[target].cmd == NULL) {
		/* reselected by a target we have nothing for: no nexus to
		 * go on with; reset the bus, the hard way out aha152x also
		 * takes */
		d->stats.bad_reselections++;
		reset_out(d);
		return;
	}
	d->stats.reselections++;
	d->cur = d->disc[target].cmd;
	d->data_pos = d->saved_pos = d->disc[target].saved;
	d->disc[target].cmd = NULL;
	d->ndisc--;
	d->cur_connected = 1;
	wd_arm(d);
	d->got_complete = d->disconnecting = d->aborting = 0;
	d->mi_discard = d->in_perr = 0;
	d->mo_len = d->mo_pos = 0;
	d->mi_len = 0;
	d->cdb_pos = d->cur->cdb_len;
	/* the target's rate is the agreement made before */
	d->polls = 0;
	p_reset(d);
	p_out(d, AIC_SCSIRATE, d->scsirate[target]);
	p_in(d, AIC_SSTAT1, &d->s1);
	p_in(d, AIC_SCSISIG, &d->sig);
	p_go(d, poll_req);
}

/* --- bus reset -------------------------------------------------------------- */

static void reset_seen(struct isa_host *isa, void *arg)
{
	(void)isa;
	reset_recover(arg); /* SCSIRSTI is set: our own reset, seen */
}

/* Assert RST through SCSIRSTO for the reset hold time (SCSI-2 5.2.2:
 * at least 25 us), as aha152x's bus reset does, then recover.  RST is
 * released with nothing enabled (aha152x_bus_reset_host writes SCSISEQ
 * 0): the station answers selections again once its ports are reset,
 * not while reset_recover clears them. */
static void reset_out(struct ha_driver *d)
{
	d->reset_req = 0;
	d->stats.resets_sent++;
	p_reset(d);
	/* no interrupt for our own reset: it is handled right after */
	p_out(d, AIC_DMACNTRL0, 0);
	p_out(d, AIC_SCSISEQ, AIC_SCSIRSTO);
	p_cpu(d, BUS_RESET_HOLD_TIME);
	p_out(d, AIC_SCSISEQ, 0);
	(void)isa_run(d->isa, d->prog, d->n, reset_seen, d);
}

void ha_reset_bus(struct ha_driver *d)
{
	d->reset_req = 1;
	if (!isa_busy(d->isa))
		reset_out(d);
	/* else: at the end of the program running (p_go) */
}

static void reset_done(struct isa_host *isa, void *arg)
{
	(void)isa;
	struct ha_driver *d = arg;
	/* the command under way and the disconnected ones are gone with the
	 * reset: end them all first, then tell their owners (whose done
	 * callbacks may queue, even start, new ones) */
	struct ha_cmd *ended[9];
	uint32_t moved[9];
	int n = 0;
	if (d->cur != NULL && !d->cur_connected && (d->s0 & AIC_SELINGO)) {
		/* its selection began after the reset (the program that
		 * set ENSELO ran across it) and has won the bus: it goes
		 * on to SELDO or SELTO, which the interrupt reports */
		d->reset_sel = 1;
	} else if (d->cur != NULL) {
		moved[n] = d->data_pos;
		ended[n++] = d->cur;
		d->cur = NULL;
		d->cur_connected = 0;
	}
	for (int t = 0; t < 8; t++) {
		if (d->disc[t].cmd == NULL)
			continue;
		moved[n] = d->disc[t].saved;
		ended[n++] = d->disc[t].cmd;
		d->disc[t].cmd = NULL;
	}
	d->ndisc = 0;
	for (int i = 0; i < n; i++) {
		struct ha_cmd *c = ended[i];
		c->result = BUS_CMD_RESET;
		c->data_moved = moved[i];
		c->t_done = sim_now(d->sim);
		d->stats.commands++;
		c->done(c, c->arg);
	}
	if (d->reset_sel) {
		/* wait for the selection's outcome */
		d->reset_sel = 0;
		p_reset(d);
		p_out(d, AIC_SIMODE0, (uint8_t)(AIC_SELDO | simode0_idle(d)));
		p_out(d, AIC_SIMODE1, AIC_SELTO | AIC_SCSIRSTI);
		p_out(d, AIC_DMACNTRL0, AIC_INTEN);
		p_go(d, NULL);
		return;
	}
	start_next(d);
}

/* SCSIRSTI: a bus reset ended whatever was on the bus (SCSI-2 5.2.2).
 * As aha152x's reset handling does: clear the chip's transfer state,
 * forget every synchronous agreement (the next contact renegotiates),
 * end the command under way, and a datagram half received is dropped
 * (its sender is told nothing good and sends it again). */
static void reset_recover(struct ha_driver *d)
{
	d->stats.resets++;
	d->t_wait = NULL;
	memset(d->tried_sdtr, 0, sizeof d->tried_sdtr);
	memset(d->scsirate, 0, sizeof d->scsirate);
	if (d->t_active && d->t_rx_pending) {
		d->st.slots++;
		d->stats.rx_dropped++;
	}
	d->t_active = 0;
	d->t_rx_pending = 0;
	/* a parked datagram's nexus is gone too; its reserved slot is free */
	if (d->tp == TP_WANT || d->tp == TP_RESELECTING)
		d->st.slots++;
	d->tp = TP_NONE;
	sim_cancel(d->sim, &d->tp_ev);
	/* In aha152x's reset_ports order: selection enables off first, then
	 * the status cleared, and the enables back last, so that nothing
	 * the bus does after the reset is cleared unseen.  A selection of
	 * ours that has won the bus since (SELINGO still set once ENSELO is
	 * off) is not ours to end: reset_done waits for its outcome. */
	p_reset(d);
	p_out(d, AIC_DMACNTRL0, AIC_RSTFIFO);
	p_out(d, AIC_SCSISEQ, 0);
	p_in(d, AIC_SSTAT0, &d->s0);
	p_out(d, AIC_SXFRCTL0, AIC_CH1);
	p_out(d, AIC_SCSISIG, 0);
	p_out(d, AIC_SCSIRATE, 0);
	p_out(d, AIC_CLRSINT0, (uint8_t)(0x7f & ~AIC_SELINGO));
	p_out(d, AIC_CLRSINT1, 0xff);
	p_out(d, AIC_SIMODE0, d->listen ? AIC_SELDI : 0);
	p_out(d, AIC_SIMODE1, AIC_SCSIRSTI);
	p_out(d, AIC_SCSISEQ, seq_idle(d));
	p_cpu(d, HA_CPU_STEP);
	p_go(d, reset_done);
}

/* What the chip reported: selection, its time-out, a REQ, BUS FREE. */
static void dispatch(struct isa_host *isa, void *arg)
{
	(void)isa;
	struct ha_driver *d = arg;
	/* INTEN is off by now (the interrupt's program, or never on while
	 * polling): the line is down, the interrupt can end */
	isa_eoi(d->isa, d->irq);
	if (d->s1 & AIC_SCSIRSTI) {
		reset_recover(d);
		return;
	}
	if (d->t_wait != NULL) {
		/* the target's handshake is over (SPIORDY): its loop goes
		 * on, the interrupt masked again */
		isa_done_fn fn = d->t_wait;
		d->t_wait = NULL;
		p_reset(d);
		p_out(d, AIC_SIMODE0, simode0_idle(d));
		p_go(d, fn);
		return;
	}
	/* our reselection as a target, its outcome */
	if (d->tp == TP_RESELECTING && (d->s0 & AIC_SELDO) &&
	    (d->s0 & AIC_TARGET)) {
		tp_reselected(d);
		return;
	}
	if (d->tp == TP_RESELECTING && (d->s1 & AIC_SELTO)) {
		tp_lost(d);
		return;
	}
	/* our own selection's time-out first: the command it ends must
	 * not live on into a target connection's aftermath */
	if (d->cur != NULL && !d->cur_connected && (d->s1 & AIC_SELTO)) {
		d->s1 &= (uint8_t)~AIC_SELTO;
		d->stats.sel_timeouts++;
		if (d->mo_len > 1)
			d->tried_sdtr[d->cur->target] = 0; /* SDTR not sent */
		p_reset(d);
		p_out(d, AIC_CLRSINT1, AIC_SELTO);
		p_out(d, AIC_SCSISEQ, seq_idle(d));
		p_out(d, AIC_SIMODE1, AIC_SCSIRSTI);
		p_go(d, ended_selto);
		return;
	}
	if ((d->s0 & AIC_SELDI) && (d->s0 & AIC_TARGET) && d->listen) {
		target_start(d);
		return;
	}
	if ((d->s0 & AIC_SELDI) && !(d->s0 & AIC_TARGET)) {
		resel_start(d);
		return;
	}
	if (d->cur == NULL) {
		start_next(d);
		return;
	}
	if (d->s0 & AIC_SELDO) {
		d->cur_connected = 1;
		wd_arm(d);
		p_reset(d);
		p_out(d, AIC_CLRSINT0, AIC_SELDO);
		p_out(d, AIC_SCSISEQ, seq_idle(d));
		p_out(d, AIC_SIMODE0, 0);
		p_out(d, AIC_SIMODE1,
		      AIC_REQINIT | AIC_BUSFREE | AIC_SCSIRSTI);
		d->s0 = 0;
		d->polls = 0;
		p_in(d, AIC_SSTAT1, &d->s1);
		p_in(d, AIC_SCSISIG, &d->sig);
		p_go(d, poll_req);
		return;
	}
	if (d->s1 & AIC_BUSFREE) {
		p_reset(d);
		p_out(d, AIC_CLRSINT1, AIC_BUSFREE | AIC_REQINIT | AIC_PHASECHG);
		p_out(d, AIC_SIMODE1, AIC_SCSIRSTI);
		if (d->disconnecting && !d->got_complete) {
			park(d);
			return;
		}
		p_go(d, ended_free);
		return;
	}
	if (d->s1 & AIC_REQINIT) {
		uint8_t ph = d->sig & AIC_SIG_PHASE;
		d->phase = (enum bus_phase)(((ph & AIC_SIG_MSG) ? 4 : 0) |
					    ((ph & AIC_SIG_CD) ? 2 : 0) |
					    ((ph & AIC_SIG_IO) ? 1 : 0));
		if (d->phase != BUS_PH_MSG_IN)
			d->mi_discard = 0;
		if (d->phase == BUS_PH_DATA_OUT || d->phase == BUS_PH_DATA_IN) {
			struct ha_cmd *c = d->cur;
			int in = d->phase == BUS_PH_DATA_IN;
			/* the wrong direction: the command has no data for
			 * it.  (The right direction with all of it moved is
			 * the data phase's own loop: REQINIT can be left from
			 * its last bytes; a target that wants more than
			 * there is stalls it, and the watchdog ends that.) */
			if (c->dir != (in ? BUS_DIR_IN : BUS_DIR_OUT))
				bucket_phase(d, ph);
			else
				data_phase(d, ph);
		} else {
			byte_phase(d, ph);
		}
		return;
	}
	wait_irq(d);
}

/* --- the interface ------------------------------------------------------------------ */

enum sn_err ha_driver_create(struct isa_host *isa, struct aha1522 *card,
			     struct ha_driver **out)
{
	struct aic6260 *chip = aha1522_chip(card);
	struct sim *sim = bus_sim(bus_dev_port(aic6260_dev(chip))->bus);
	struct ha_driver *d = sim_calloc(sim, 1, sizeof *d);
	if (d == NULL)
		return SN_ENOMEM;
	d->sim = sim;
	d->isa = isa;
	d->card = card;
	d->base = aha1522_base(card);
	d->irq = aha1522_irq(card);
	/* the jumpers, as aha152x reads them from PORTA/PORTB */
	uint8_t porta = aic6260_peek(chip, AIC_PORTA);
	uint8_t portb = aic6260_peek(chip, AIC_PORTB);
	d->own_id = porta & 7;
	d->sync_enabled = (portb & 0x08) != 0;
	d->reconnect = (portb & 0x04) != 0;
	sim_event_init(&d->tp_ev, tp_due, d, "ha_driver.reselect");
	sim_event_init(&d->wd_ev, wd_fire, d, "ha_driver.watchdog");
	isa_on_irq(isa, d->irq, on_irq, d);
	*out = d;
	return SN_OK;
}

void ha_driver_destroy(struct ha_driver *d)
{
	if (d == NULL)
		return;
	isa_on_irq(d->isa, d->irq, NULL, NULL);
	sim_cancel(d->sim, &d->tp_ev);
	sim_cancel(d->sim, &d->wd_ev);
	sim_free(d->sim, d->t_buf);
	sim_free(d->sim, d);
}

enum sn_err ha_submit(struct ha_driver *d, struct ha_cmd *c)
{
	if (c->target < 0 || c->target > 7 || c->target == d->own_id ||
	    c->cdb_len == 0 || c->cdb_len > sizeof c->cdb ||
	    (c->data_len && c->dir == BUS_DIR_NONE))
		return SN_EINVAL;
	c->next_ = NULL;
	c->status = 0xff;
	if (d->tail)
		d->tail->next_ = c;
	else
		d->head = c;
	d->tail = c;
	start_next(d);
	return SN_OK;
}

const struct ha_stats *ha_driver_stats(const struct ha_driver *d)
{
	return &d->stats;
}

enum sn_err ha_set_receiver(struct ha_driver *d, ha_rx_fn fn, void *arg,
			    uint32_t slots)
{
	if (fn != NULL && d->t_buf == NULL) {
		d->t_buf = sim_alloc(d->sim, STATION_MAX_DATAGRAM);
		if (d->t_buf == NULL)
			return SN_ENOMEM;
	}
	d->rx = fn;
	d->rx_arg = arg;
	d->st.slots = slots;
	d->listen = fn != NULL;
	start_next(d);
	return SN_OK;
}

void ha_set_listening(struct ha_driver *d, int on)
{
	d->listen = on && d->rx != NULL;
	if (d->cur == NULL && !d->t_active && !isa_busy(d->isa))
		/* idle: the chip's enables change now, with the interrupt on
		 * (a selection latched meanwhile is taken at once); otherwise
		 * the next SCSISEQ write (every one uses seq_idle) carries
		 * them */
		listen_idle(d);
}

void ha_rx_slot_free(struct ha_driver *d)
{
	d->st.slots++;
	if (d->tp == TP_PARKED)
		tp_slot_free(d);
}

void ha_set_target_disconnect(struct ha_driver *d, int on)
{
	d->t_disconnect = on != 0;
}
