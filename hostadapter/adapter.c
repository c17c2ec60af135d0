/*
 * adapter.c - profiles, and the RFC 2143 link over any of them (see
 * adapter.h): a SEND MESSAGE(10) per datagram, with the mid-layer's
 * BUSY, CHECK CONDITION and error handling.
 */
#include "adapter.h"

#include <string.h>

#include "ha_driver.h"
#include "pcibm.h"

static const struct adapter_profile profiles[] = {
	{
		.name = "aha1522",
		.summary = "Adaptec AHA-1522: AIC-6260, narrow, sync 5 MB/s, "
			   "ISA PIO through a 128-byte FIFO",
		.kind = AD_KIND_ISA_PIO,
		.wide = 0,
		.min_period = AIC6260_MIN_PERIOD,
		.max_offset = AIC_MAX_OFFSET,
		.speed = BUS_SPEED_SCSI2,
		.host_bus = "ISA 8.33 MHz, programmed I/O (ISA_TIMING_AT)",
		.sources = "AIC-6260 200 ns / offset 8: FreeBSD aic.c, Linux "
			   "aha152x; ISA cycles: isa.c",
	},
	{
		.name = "aic6360",
		.summary = "AHA-1522A-class card with an AIC-6360 and fast "
			   "sync: narrow, Fast 10 MB/s, ISA PIO",
		.kind = AD_KIND_ISA_PIO,
		.wide = 0,
		.min_period = AIC6360_FAST_PERIOD,
		.max_offset = AIC_MAX_OFFSET,
		.speed = BUS_SPEED_FAST,
		.host_bus = "ISA 8.33 MHz, programmed I/O (ISA_TIMING_AT)",
		.sources = "AIC-6360 100 ns with PORTB fast-sync: NetBSD "
			   "aic6360.c, FreeBSD aic6360reg.h; ISA cycles: isa.c",
	},
	{
		.name = "pci-fw",
		.summary = "generic PCI bus-master Fast-Wide adapter "
			   "(AIC-7880 class): 16 bits, 20 MB/s, DMA",
		.kind = AD_KIND_PCI_DMA,
		.wide = 1,
		.min_period = PCIBM_SYNC_PERIOD,
		.max_offset = PCIBM_SYNC_OFFSET,
		.speed = BUS_SPEED_FAST,
		.host_bus = "PCI 33 MHz 32-bit, bus-master DMA "
			    "(PCIBM_TIMING_P5)",
		.sources = "aic7xxx AHC_SYNCRATE_FAST, MAX_OFFSET_16BIT 8; "
			   "PCI 2.1 clock and latency: pcibm.c",
	},
};

#define NPROFILES (sizeof profiles / sizeof profiles[0])

const struct adapter_profile *adapter_profile_find(const char *name)
{
	for (size_t i = 0; name != NULL && i < NPROFILES; i++)
		if (strcmp(profiles[i].name, name) == 0)
			return &profiles[i];
	return NULL;
}

size_t adapter_profile_count(void)
{
	return NPROFILES;
}

const struct adapter_profile *adapter_profile_at(size_t i)
{
	return i < NPROFILES ? &profiles[i] : NULL;
}

const char *adapter_result_name(enum adapter_result r)
{
	switch (r) {
	case AD_SENT: return "sent";
	case AD_NO_TARGET: return "no-target";
	case AD_BUSY: return "busy";
	case AD_REFUSED: return "refused";
	case AD_BUS_ERROR: return "bus-error";
	case AD_RESULTS: break;
	}
	return "?";
}

struct adapter {
	struct sim *sim;
	const struct adapter_profile *prof;
	int id;
	int ids;                 /* IDs it can select: 8 or 16 */
	/* ISA profiles */
	struct isa_host *isa;
	struct aha1522 *card;
	struct ha_driver *drv;
	/* PCI */
	struct pcibm *pci;
	/* the link */
	struct adapter_tx *head, *tail, *cur;
	struct ha_cmd cmd;
	int sensing;             /* cmd is the REQUEST SENSE */
	uint8_t sense[STATION_SENSE_LEN];
	struct sim_event retry_ev;
	struct sim_event timeout_ev; /* pending while a command is out */
	sim_time_t cmd_since;    /* ... given to the lower driver then */
	struct sim_event dead_ev;  /* detached: the time-out no one answers */
	int detached;
	uint32_t busy_retries, error_retries;
	sim_time_t busy_delay, cmd_timeout;
	uint32_t rx_slots;
	adapter_rx_fn rx;
	void *rx_arg;
	struct adapter_stats stats;
};

/* --- the lower driver ---------------------------------------------------- */

static void cmd_done(struct ha_cmd *cmd, void *arg);

static void lower_submit(struct adapter *ad)
{
	enum sn_err err = ad->drv ? ha_submit(ad->drv, &ad->cmd)
				  : pcibm_submit(ad->pci, &ad->cmd);
	/* targets and CDBs were checked by adapter_send */
	(void)err;
	ad->cmd_since = sim_now(ad->sim);
	sim_schedule_in(ad->sim, &ad->timeout_ev, ad->cmd_timeout);
}

/* The command hung: reset the bus; the command ends with
 * BUS_CMD_RESET and is retried like any other victim of a reset. */
static void timeout_fire(struct sim *sim, struct sim_event *ev, void *arg)
{
	(void)sim;
	(void)ev;
	struct adapter *ad = arg;
	ad->stats.timeouts++;
	if (ad->cur != NULL)
		ad->cur->timeouts_++;
	if (ad->drv)
		ha_reset_bus(ad->drv);
	else
		pcibm_reset_bus(ad->pci);
}

/* A datagram from either lower driver, handed up. */
static void deliver(struct adapter *ad, int initiator, uint8_t type,
		    const uint8_t *data, uint32_t len)
{
	ad->stats.rx_datagrams++;
	ad->stats.rx_bytes += len;
	ad->rx(ad, initiator, type, data, len, ad->rx_arg);
}

static void isa_rx(struct ha_driver *drv, int initiator, uint8_t type,
		   const uint8_t *data, uint32_t len, void *arg)
{
	(void)drv;
	deliver(arg, initiator, type, data, len);
}

static void pci_rx(struct pcibm *p, int initiator, uint8_t type,
		   const uint8_t *data, uint32_t len, void *arg)
{
	(void)p;
	deliver(arg, initiator, type, data, len);
}

/* --- sending ------------------------------------------------------------- */

static void start_next(struct adapter *ad);

static void issue_send(struct adapter *ad)
{
	struct adapter_tx *tx = ad->cur;
	if (ad->detached) {
		/* no cable: the selection would time out */
		sim_schedule_in(ad->sim, &ad->dead_ev,
				BUS_SELECTION_TIMEOUT_DELAY);
		return;
	}
	struct ha_cmd *c = &ad->cmd;
	memset(c, 0, sizeof *c);
	c->target = tx->target;
	c->cdb_len = 10;
	c->cdb[0] = SCSI_OP_SEND_MESSAGE10;
	c->cdb[5] = tx->type & 0x0f;
	c->cdb[7] = (uint8_t)(tx->len >> 8);
	c->cdb[8] = (uint8_t)tx->len;
	c->dir = BUS_DIR_OUT;
	/* the driver only reads DATA OUT buffers */
	c->data = (uint8_t *)(uintptr_t)tx->data;
	c->data_len = tx->len;
	c->done = cmd_done;
	c->arg = ad;
	ad->sensing = 0;
	lower_submit(ad);
}

static void issue_sense(struct adapter *ad)
{
	struct ha_cmd *c = &ad->cmd;
	int target = c->target;
	memset(c, 0, sizeof *c);
	c->target = target;
	c->cdb_len = 6;
	c->cdb[0] = SCSI_OP_REQUEST_SENSE;
	c->cdb[4] = STATION_SENSE_LEN;
	c->dir = BUS_DIR_IN;
	c->data = ad->sense;
	c->data_len = STATION_SENSE_LEN;
	c->done = cmd_done;
	c->arg = ad;
	memset(ad->sense, 0, sizeof ad->sense);
	ad->sensing = 1;
	ad->stats.sense_requests++;
	lower_submit(ad);
}

static void tx_end(struct adapter *ad, enum adapter_result r)
{
	struct adapter_tx *tx = ad->cur;
	ad->cur = NULL;
	tx->result = r;
	tx->t_done = sim_now(ad->sim);
	ad->stats.results[r]++;
	if (r == AD_SENT) {
		ad->stats.tx_datagrams++;
		ad->stats.tx_bytes += tx->len;
	}
	tx->done(ad, tx, tx->arg);
	start_next(ad);
}

/* Try again later (BUSY), or at once (errors), if the budget allows. */
static void retry(struct adapter *ad, int busy)
{
	struct adapter_tx *tx = ad->cur;
	if (busy) {
		if (tx->busy_retries >= ad->busy_retries) {
			tx_end(ad, AD_BUSY);
			return;
		}
		tx->busy_retries++;
		ad->stats.busy_retries++;
		sim_schedule_in(ad->sim, &ad->retry_ev, ad->busy_delay);
		return;
	}
	if (tx->error_retries >= ad->error_retries) {
		tx_end(ad, AD_BUS_ERROR);
		return;
	}
	tx->error_retries++;
	ad->stats.error_retries++;
	issue_send(ad);
}

static void dead_fire(struct sim *sim, struct sim_event *ev, void *arg)
{
	(void)sim;
	(void)ev;
	tx_end(arg, AD_NO_TARGET);
}

static void retry_fire(struct sim *sim, struct sim_event *ev, void *arg)
{
	(void)sim;
	(void)ev;
	issue_send(arg);
}

/* The error handler has failed: a command timed out again after the bus
 * reset that its first time-out brought (Linux's scsi_eh then offlines
 * the device and fails what is queued for it, scsi_error.c).  Here the
 * bus is what failed, so the datagram and every one queued behind it end
 * as AD_BUS_ERROR; the next one sent starts afresh, so the link comes
 * back when the bus does. */
static void offline(struct adapter *ad)
{
	struct adapter_tx *q = ad->head;
	ad->head = ad->tail = NULL;
	ad->stats.offlined++;
	struct adapter_tx *tx = ad->cur;
	ad->cur = NULL;
	tx->result = AD_BUS_ERROR;
	tx->t_done = sim_now(ad->sim);
	ad->stats.results[AD_BUS_ERROR]++;
	tx->done(ad, tx, tx->arg);
	while (q != NULL) {
		struct adapter_tx *next = q->next_;
		q->result = AD_BUS_ERROR;
		q->t_done = sim_now(ad->sim);
		ad->stats.results[AD_BUS_ERROR]++;
		q->done(ad, q, q->arg);
		q = next;
	}
	start_next(ad); /* what the callbacks queued meanwhile */
}

static void cmd_done(struct ha_cmd *c, void *arg)
{
	struct adapter *ad = arg;
	struct adapter_tx *tx = ad->cur;
	sim_cancel(ad->sim, &ad->timeout_ev);
	if (tx->timeouts_ >= AD_TIMEOUTS_OFFLINE) {
		offline(ad);
		return;
	}
	if (c->result == BUS_CMD_SEL_TIMEOUT) {
		tx_end(ad, AD_NO_TARGET);
		return;
	}
	if (c->result != BUS_CMD_DONE) {
		retry(ad, 0); /* reset, unexpected bus free, protocol */
		return;
	}
	tx->status = c->status;
	if (ad->sensing) {
		uint8_t key = c->status == SCSI_STATUS_GOOD &&
					      c->data_moved >= 13
				      ? ad->sense[2] & 0x0f
				      : SCSI_SENSE_NO_SENSE;
		tx->sense_key = key;
		tx->asc = c->data_moved >= 13 ? ad->sense[12] : 0;
		if (key == SCSI_SENSE_UNIT_ATTENTION ||
		    key == SCSI_SENSE_ABORTED_COMMAND)
			retry(ad, 0);
		else
			tx_end(ad, AD_REFUSED);
		return;
	}
	switch (c->status) {
	case SCSI_STATUS_GOOD:
		if (c->data_moved == tx->len)
			tx_end(ad, AD_SENT);
		else
			retry(ad, 0); /* the target took less than all */
		return;
	case SCSI_STATUS_BUSY:
		retry(ad, 1);
		return;
	case SCSI_STATUS_CHECK_CONDITION:
		issue_sense(ad);
		return;
	case 0xff:
		/* COMMAND COMPLETE with no status read (it came with bad
		 * parity): what happened is unknown, so try again */
		retry(ad, 0);
		return;
	default:
		tx_end(ad, AD_REFUSED);
		return;
	}
}

static void start_next(struct adapter *ad)
{
	if (ad->cur != NULL || ad->head == NULL)
		return;
	struct adapter_tx *tx = ad->head;
	ad->head = tx->next_;
	if (ad->head == NULL)
		ad->tail = NULL;
	ad->cur = tx;
	issue_send(ad);
}

enum sn_err adapter_send(struct adapter *ad, struct adapter_tx *tx)
{
	if (tx->target < 0 || tx->target >= ad->ids || tx->target == ad->id ||
	    tx->type > 15 || tx->len == 0 || tx->len > STATION_MAX_DATAGRAM ||
	    tx->data == NULL || tx->done == NULL)
		return SN_EINVAL;
	tx->next_ = NULL;
	tx->result = AD_RESULTS;
	tx->status = 0xff;
	tx->sense_key = tx->asc = 0;
	tx->busy_retries = tx->error_retries = 0;
	tx->timeouts_ = 0;
	tx->t_submit = sim_now(ad->sim);
	tx->t_done = 0;
	if (ad->tail)
		ad->tail->next_ = tx;
	else
		ad->head = tx;
	ad->tail = tx;
	start_next(ad);
	return SN_OK;
}

/* --- creation ------------------------------------------------------------- */

static enum sn_err create_isa(struct adapter *ad, struct bus *bus,
			      const struct adapter_config *cfg)
{
	struct aha1522_config cc = {
		.io_base = cfg->io_base ? cfg->io_base : AHA1522_BASE_PRIMARY,
		.chip = strcmp(ad->prof->name, "aic6360") == 0 ? AIC_CHIP_6360
							       : AIC_CHIP_6260,
		.jumpers = AIC6260_JUMPERS_DEFAULT,
		.pos_mm = cfg->pos_mm,
	};
	cc.jumpers.scsi_id = (uint8_t)cfg->scsi_id;
	if (cfg->irq)
		cc.jumpers.irq = cfg->irq;
	/* fast sync only where the bus's class allows 100 ns */
	cc.jumpers.fast_sync = cc.chip == AIC_CHIP_6360 &&
			       bus->timing->sync.min_period <= AIC6360_FAST_PERIOD;
	enum sn_err err = isa_host_create(
		ad->sim, cfg->isa_timing ? cfg->isa_timing : &ISA_TIMING_AT,
		&ad->isa);
	if (err == SN_OK)
		err = aha1522_create(ad->isa, bus, &cc, &ad->card);
	if (err == SN_OK)
		err = ha_driver_create(ad->isa, ad->card, &ad->drv);
	if (err == SN_OK)
		ha_set_target_disconnect(ad->drv, cfg->target_disconnect);
	return err;
}

enum sn_err adapter_create(struct bus *bus, const struct adapter_config *cfg,
			   struct adapter **out)
{
	const struct adapter_profile *prof = adapter_profile_find(cfg->profile);
	if (prof == NULL || cfg->scsi_id < 0 ||
	    cfg->scsi_id >= (prof->wide ? (int)bus->width : 8) ||
	    (cfg->target_disconnect && prof->kind != AD_KIND_ISA_PIO))
		return SN_EINVAL;
	struct sim *sim = bus_sim(bus);
	struct adapter *ad = sim_calloc(sim, 1, sizeof *ad);
	if (ad == NULL)
		return SN_ENOMEM;
	ad->sim = sim;
	ad->prof = prof;
	ad->id = cfg->scsi_id;
	ad->ids = prof->wide && bus->width == BUS_WIDE ? 16 : 8;
	ad->rx_slots = cfg->rx_slots ? cfg->rx_slots : 4;
	ad->busy_retries = cfg->busy_retries >= 0 ? (uint32_t)cfg->busy_retries
						  : AD_BUSY_RETRIES;
	ad->error_retries = cfg->error_retries >= 0
				    ? (uint32_t)cfg->error_retries
				    : AD_ERROR_RETRIES;
	ad->busy_delay = cfg->busy_delay ? cfg->busy_delay : AD_BUSY_DELAY;
	ad->cmd_timeout = cfg->cmd_timeout ? cfg->cmd_timeout : AD_CMD_TIMEOUT;
	sim_event_init(&ad->retry_ev, retry_fire, ad, "adapter.retry");
	sim_event_init(&ad->timeout_ev, timeout_fire, ad, "adapter.timeout");
	sim_event_init(&ad->dead_ev, dead_fire, ad, "adapter.detached");
	enum sn_err err;
	if (prof->kind == AD_KIND_ISA_PIO) {
		err = create_isa(ad, bus, cfg);
	} else {
		struct pcibm_config pc = { .name = cfg->name,
					   .scsi_id = cfg->scsi_id,
					   .pos_mm = cfg->pos_mm };
		err = pcibm_create(bus, &pc, &ad->pci);
	}
	if (err != SN_OK) {
		adapter_destroy(ad);
		return err;
	}
	*out = ad;
	return SN_OK;
}

void adapter_destroy(struct adapter *ad)
{
	if (ad == NULL)
		return;
	sim_cancel(ad->sim, &ad->retry_ev);
	sim_cancel(ad->sim, &ad->timeout_ev);
	sim_cancel(ad->sim, &ad->dead_ev);
	ha_driver_destroy(ad->drv);
	if (ad->card)
		aha1522_destroy(ad->card);
	if (ad->isa)
		isa_host_destroy(ad->isa);
	pcibm_destroy(ad->pci);
	sim_free(ad->sim, ad);
}

enum sn_err adapter_set_receiver(struct adapter *ad, adapter_rx_fn fn,
				 void *arg)
{
	ad->rx = fn;
	ad->rx_arg = arg;
	if (ad->drv)
		return ha_set_receiver(ad->drv, fn ? isa_rx : NULL, ad,
				       ad->rx_slots);
	pcibm_set_receiver(ad->pci, fn ? pci_rx : NULL, ad, ad->rx_slots);
	return SN_OK;
}

void adapter_rx_done(struct adapter *ad)
{
	if (ad->drv)
		ha_rx_slot_free(ad->drv);
	else
		pcibm_rx_slot_free(ad->pci);
}

void adapter_attach(struct adapter *ad, int attached)
{
	ad->detached = !attached;
	if (ad->drv)
		ha_set_listening(ad->drv, attached);
	else
		bus_dev_target_enable(pcibm_dev(ad->pci), attached);
}

int adapter_attached(const struct adapter *ad)
{
	return !ad->detached;
}

void adapter_reset_bus(struct adapter *ad)
{
	if (ad->drv)
		ha_reset_bus(ad->drv);
	else
		pcibm_reset_bus(ad->pci);
}

int adapter_stalled(const struct adapter *ad, sim_time_t now,
		    sim_time_t *since)
{
	if (!sim_event_pending(&ad->timeout_ev) ||
	    now - ad->cmd_since < AD_STALL_LIMIT)
		return 0;
	const struct bus_dev *dev = ad->drv ? aic6260_dev(aha1522_chip(ad->card))
					    : pcibm_dev(ad->pci);
	if (bus_dev_activity(dev) != BUS_DEV_IDLE)
		return 0;
	if (since != NULL)
		*since = ad->cmd_since;
	return 1;
}

const struct adapter_profile *adapter_profile(const struct adapter *ad)
{
	return ad->prof;
}

int adapter_scsi_id(const struct adapter *ad)
{
	return ad->id;
}

const struct adapter_stats *adapter_stats(struct adapter *ad)
{
	struct adapter_stats *s = &ad->stats;
	if (ad->isa) {
		const struct isa_stats *is = isa_stats(ad->isa);
		s->host_io_time = is->io_time;
		s->host_data_time = is->string_time;
		s->cpu_time = is->cpu_time;
		s->irq_time = is->irq_time;
		s->rx_busy_sent = ha_driver_stats(ad->drv)->busy_sent;
		s->rx_dropped = ha_driver_stats(ad->drv)->rx_dropped;
		s->rx_disconnects = ha_driver_stats(ad->drv)->disconnects_sent;
		s->rx_reselections =
			ha_driver_stats(ad->drv)->reselections_done;
	} else {
		const struct pcibm_stats *ps = pcibm_stats(ad->pci);
		s->host_io_time = ps->dma_time;
		s->host_data_time = ps->data_dma_time;
		s->cpu_time = ps->cpu_time;
		s->irq_time = ps->irq_time;
		s->rx_busy_sent = ps->busy_sent;
		s->rx_dropped = ps->rx_errors;
	}
	return s;
}

struct bus_dev *adapter_bus_dev(struct adapter *ad)
{
	if (ad->pci)
		return pcibm_dev(ad->pci);
	return ad->card ? aic6260_dev(aha1522_chip(ad->card)) : NULL;
}
