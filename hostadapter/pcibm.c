/*
 * pcibm.c - the PCI bus-master Fast-Wide adapter (see pcibm.h).
 */
#include "pcibm.h"

#include <stddef.h>
#include <string.h>

/*
 * PCIBM_TIMING_P5: a Pentium-class host with a 33 MHz, 32-bit PCI bus.
 *  - PCI clock 30 ns (33 MHz; PCI Local Bus Specification 2.1, 4.2.3).
 *  - A burst moves one 32-bit word per clock after its initial latency;
 *    PCI 2.1 (3.5.1.1) lets a target take up to 16 clocks to its first
 *    data phase, and that worst case, with arbitration folded in, is
 *    taken as the latency of every burst.
 *  - 64-byte bursts: two 32-byte Pentium cache lines, the unit a
 *    Memory Read Line fetches [inf: the AIC-7xxx's DMA thresholds are
 *    programmable; this is the middle setting's order].
 *  - A 64-byte command block: the size of the AIC-7xxx's hardware SCB
 *    (FreeBSD aic7xxx `struct hardware_scb`, 64 bytes) [src as named].
 *  - Interrupt latency 10 us: a Linux note gives 10 +- 1 us on a 100 MHz
 *    Pentium (isa.c gives the same figure for the AT; the 8259 path is
 *    the same).
 *  - Driver CPU: 5 us to build and post a command, 5 us per completion
 *    interrupt: a few hundred instructions on a 100 MHz Pentium, the same
 *    order as HA_CPU_STEP [inf].
 * The SCSI side is Fast (100 ns, AHC_SYNCRATE_FAST) with offsets of 15
 * narrow and 8 wide (FreeBSD/Linux aic7xxx MAX_OFFSET_8BIT 0x0f,
 * MAX_OFFSET_16BIT 0x08).
 */
const struct pcibm_timing PCIBM_TIMING_P5 = {
	.pci_clock = 30 * SIM_NS,
	.burst_bytes = 64,
	.burst_latency = 16,
	.block_bytes = 64,
	.irq_latency = 10 * SIM_US,
	.cpu_submit = 5 * SIM_US,
	.cpu_isr = 5 * SIM_US,
};

#define PCIBM_OFFSET_NARROW 15 /* MAX_OFFSET_8BIT */

/* Work queued for the host CPU. */
struct pcibm_job {
	struct pcibm_job *next;
	void (*run)(struct pcibm *a, struct pcibm_job *job);
	sim_time_t dur;
	sim_time_t raised;     /* an interrupt: when the adapter raised it */
	int irq;
};

/* A datagram being received, in a posted buffer. */
struct pcibm_rx {
	struct pcibm_job job;
	struct sim_event ev;   /* last burst and completion post done */
	struct pcibm *a;
	struct pcibm_rx *next; /* waiting for the host */
	int initiator;
	uint8_t type;
	uint32_t len;
	uint8_t buf[];
};

struct pcibm {
	struct sim *sim;
	struct bus_dev *dev;
	struct pcibm_timing t;
	int id;
	/* the host CPU */
	struct pcibm_job *jq_head, *jq_tail, *job;
	struct sim_event cpu_ev;
	/* initiator */
	struct ha_cmd *head, *tail, *cur;
	struct bus_cmd bcmd;
	struct pcibm_job tx_job;
	struct sim_event tx_ev;
	int tx_stage;          /* 0 fetching, 1 completing */
	/* target */
	struct station st;
	struct station_answer ans;
	struct pcibm_rx *t_rx;         /* the datagram coming in */
	struct pcibm_rx *rx_wait;      /* handed to the host, in order */
	pcibm_rx_fn rx;
	void *rx_arg;
	struct pcibm_stats stats;
};

/* PCI time for `bytes` of DMA in bursts. */
static sim_time_t dma_time(const struct pcibm *a, uint32_t bytes)
{
	if (bytes == 0)
		return 0;
	uint32_t bursts = (bytes + a->t.burst_bytes - 1) / a->t.burst_bytes;
	uint64_t clocks = (uint64_t)bursts * a->t.burst_latency +
			  (bytes + 3) / 4;
	return (sim_time_t)clocks * a->t.pci_clock;
}

static sim_time_t dma(struct pcibm *a, uint32_t bytes)
{
	sim_time_t t = dma_time(a, bytes);
	a->stats.dma_time += t;
	return t;
}

/* --- the host CPU ------------------------------------------------------ */

static void cpu_start(struct pcibm *a)
{
	if (a->job != NULL || a->jq_head == NULL)
		return;
	struct pcibm_job *j = a->jq_head;
	a->jq_head = j->next;
	if (a->jq_head == NULL)
		a->jq_tail = NULL;
	a->job = j;
	sim_time_t now = sim_now(a->sim);
	if (j->irq) {
		a->stats.interrupts++;
		a->stats.irq_time += now - j->raised;
	}
	a->stats.cpu_time += j->dur;
	sim_schedule_at(a->sim, &a->cpu_ev, now + j->dur);
}

static void cpu_push(struct pcibm *a, struct pcibm_job *j)
{
	j->next = NULL;
	if (a->jq_tail)
		a->jq_tail->next = j;
	else
		a->jq_head = j;
	a->jq_tail = j;
	cpu_start(a);
}

static void cpu_done(struct sim *sim, struct sim_event *ev, void *arg)
{
	(void)sim;
	(void)ev;
	struct pcibm *a = arg;
	struct pcibm_job *j = a->job;
	a->job = NULL;
	j->run(a, j);
	cpu_start(a);
}

/* The adapter raised its interrupt at `raised` (irq_latency ago): the
 * handler queues for the CPU. */
static void irq_job(struct pcibm *a, struct pcibm_job *j,
		    void (*run)(struct pcibm *, struct pcibm_job *),
		    sim_time_t raised)
{
	j->run = run;
	j->dur = a->t.cpu_isr;
	j->irq = 1;
	j->raised = raised;
	cpu_push(a, j);
}

/* --- initiator --------------------------------------------------------- */

static void start_next(struct pcibm *a);

static void tx_finish(struct pcibm *a, struct pcibm_job *j)
{
	(void)j;
	struct ha_cmd *c = a->cur;
	a->cur = NULL;
	c->t_done = sim_now(a->sim);
	a->stats.commands++;
	c->done(c, c->arg);
	start_next(a);
}

static void bcmd_done(struct bus_dev *dev, struct bus_cmd *bc, void *arg)
{
	(void)dev;
	struct pcibm *a = arg;
	struct ha_cmd *c = a->cur;
	c->result = bc->result;
	c->status = bc->status;
	c->data_moved = bc->data_moved;
	if (bc->result == BUS_CMD_SEL_TIMEOUT)
		a->stats.sel_timeouts++;
	/* the data went by DMA alongside the transfer (pcibm.h) */
	sim_time_t data = dma_time(a, bc->data_moved);
	a->stats.dma_time += data;
	a->stats.data_dma_time += data;
	/* DATA IN: the FIFO's last burst; then the completion post */
	sim_time_t after = 0;
	if (c->dir == BUS_DIR_IN && bc->data_moved > 0) {
		uint32_t last = bc->data_moved % a->t.burst_bytes;
		after += dma_time(a, last ? last : a->t.burst_bytes);
	}
	after += dma(a, 4);
	a->tx_stage = 1;
	sim_schedule_in(a->sim, &a->tx_ev, after + a->t.irq_latency);
}

static void tx_event(struct sim *sim, struct sim_event *ev, void *arg)
{
	(void)sim;
	(void)ev;
	struct pcibm *a = arg;
	struct ha_cmd *c = a->cur;
	if (a->tx_stage == 1) {
		irq_job(a, &a->tx_job, tx_finish,
			sim_now(a->sim) - a->t.irq_latency);
		return;
	}
	/* the block is fetched (and the FIFO primed): arbitrate */
	memset(&a->bcmd, 0, sizeof a->bcmd);
	a->bcmd.target = c->target;
	a->bcmd.lun = c->lun;
	memcpy(a->bcmd.cdb, c->cdb, c->cdb_len);
	a->bcmd.cdb_len = c->cdb_len;
	a->bcmd.dir = c->dir;
	a->bcmd.data = c->data;
	a->bcmd.data_len = c->data_len;
	a->bcmd.done = bcmd_done;
	a->bcmd.arg = a;
	if (bus_dev_command(a->dev, &a->bcmd) != SN_OK) {
		/* cannot happen: one command at a time, checked targets */
		c->result = BUS_CMD_PROTOCOL;
		c->status = 0xff;
		c->data_moved = 0;
		a->tx_stage = 1;
		sim_schedule_in(a->sim, &a->tx_ev, a->t.irq_latency);
	}
}

/* The driver posted the block: the adapter fetches it by DMA. */
static void tx_posted(struct pcibm *a, struct pcibm_job *j)
{
	(void)j;
	struct ha_cmd *c = a->cur;
	sim_time_t t = dma(a, a->t.block_bytes);
	if (c->dir == BUS_DIR_OUT && c->data_len > 0) {
		uint32_t first = c->data_len < a->t.burst_bytes
					 ? c->data_len
					 : a->t.burst_bytes;
		t += dma_time(a, first); /* counted with the data at the end */
	}
	a->tx_stage = 0;
	sim_schedule_in(a->sim, &a->tx_ev, t);
}

static void start_next(struct pcibm *a)
{
	if (a->cur != NULL || a->head == NULL)
		return;
	struct ha_cmd *c = a->head;
	a->head = c->next_;
	if (a->head == NULL)
		a->tail = NULL;
	a->cur = c;
	c->t_start = sim_now(a->sim);
	a->tx_job.run = tx_posted;
	a->tx_job.dur = a->t.cpu_submit;
	a->tx_job.irq = 0;
	cpu_push(a, &a->tx_job);
}

enum sn_err pcibm_submit(struct pcibm *a, struct ha_cmd *c)
{
	int width = (int)bus_dev_port(a->dev)->bus->width;
	if (c->target < 0 || c->target >= width || c->target == a->id ||
	    c->cdb_len == 0 || c->cdb_len > sizeof c->cdb ||
	    (c->data_len && c->dir == BUS_DIR_NONE) || c->done == NULL)
		return SN_EINVAL;
	c->next_ = NULL;
	c->status = 0xff;
	c->data_moved = 0;
	if (a->tail)
		a->tail->next_ = c;
	else
		a->head = c;
	a->tail = c;
	start_next(a);
	return SN_OK;
}

/* --- target ------------------------------------------------------------ */

static void rx_deliver(struct pcibm *a, struct pcibm_job *j)
{
	struct pcibm_rx *r = (struct pcibm_rx *)((char *)j -
						  offsetof(struct pcibm_rx,
							   job));
	struct pcibm_rx **pp = &a->rx_wait;
	while (*pp != r)
		pp = &(*pp)->next;
	*pp = r->next;
	a->stats.datagrams++;
	if (a->rx != NULL)
		a->rx(a, r->initiator, r->type, r->buf, r->len, a->rx_arg);
	else
		a->st.slots++; /* nobody to take it: the buffer is free */
	sim_free(a->sim, r);
}

static void rx_event(struct sim *sim, struct sim_event *ev, void *arg)
{
	(void)sim;
	(void)ev;
	struct pcibm_rx *r = arg;
	irq_job(r->a, &r->job, rx_deliver,
		sim_now(r->a->sim) - r->a->t.irq_latency);
}

/* A datagram that will not be handed up: its buffer is free again. */
static void rx_drop(struct pcibm *a)
{
	if (a->t_rx == NULL)
		return;
	a->stats.rx_errors++;
	a->st.slots++;
	sim_free(a->sim, a->t_rx);
	a->t_rx = NULL;
}

static void t_command(struct bus_dev *dev, int initiator, uint8_t lun,
		      const uint8_t *cdb, uint8_t cdb_len,
		      struct bus_target_reply *reply, void *arg)
{
	(void)dev;
	(void)lun;
	struct pcibm *a = arg;
	rx_drop(a); /* a connection a reset cut short */
	a->stats.selected++;
	station_command(&a->st, initiator, cdb, cdb_len, &a->ans);
	a->stats.busy_sent = a->st.busy_sent;
	a->stats.check_conditions = a->st.check_conditions;
	reply->status = a->ans.status;
	reply->dir = BUS_DIR_NONE;
	reply->data = NULL;
	reply->data_len = 0;
	if (a->ans.act == STATION_DATA_IN) {
		reply->dir = BUS_DIR_IN;
		reply->data = a->ans.reply;
		reply->data_len = a->ans.len;
	} else if (a->ans.act == STATION_DATA_OUT) {
		struct pcibm_rx *r =
			sim_alloc(a->sim, sizeof *r + a->ans.len);
		if (r == NULL) {
			/* no memory for it: as full as no slot */
			a->st.slots++;
			a->st.busy_sent++;
			a->stats.busy_sent = a->st.busy_sent;
			reply->status = SCSI_STATUS_BUSY;
			return;
		}
		memset(r, 0, sizeof *r);
		r->a = a;
		r->initiator = initiator;
		r->type = a->ans.type;
		r->len = a->ans.len;
		sim_event_init(&r->ev, rx_event, r, "pcibm.rx");
		a->t_rx = r;
		reply->dir = BUS_DIR_OUT;
		reply->data = r->buf;
		reply->data_len = r->len;
	}
}

static void t_command_done(struct bus_dev *dev, int initiator,
			   const struct bus_target_reply *reply, void *arg)
{
	(void)dev;
	(void)initiator;
	struct pcibm *a = arg;
	struct pcibm_rx *r = a->t_rx;
	if (r == NULL)
		return;
	if (reply->bus_error || reply->status != SCSI_STATUS_GOOD) {
		rx_drop(a);
		return;
	}
	a->t_rx = NULL;
	sim_time_t data = dma_time(a, r->len);
	a->stats.dma_time += data;
	a->stats.data_dma_time += data;
	uint32_t last = r->len % a->t.burst_bytes;
	sim_time_t after = dma_time(a, last ? last : a->t.burst_bytes);
	after += dma(a, 4);
	/* in arrival order behind the ones still waiting */
	struct pcibm_rx **pp = &a->rx_wait;
	while (*pp)
		pp = &(*pp)->next;
	*pp = r;
	sim_schedule_in(a->sim, &r->ev, after + a->t.irq_latency);
}

static const struct bus_dev_target_ops pcibm_target_ops = {
	.command = t_command,
	.command_done = t_command_done,
};

static void on_reset(struct bus_dev *dev, void *arg)
{
	(void)dev;
	rx_drop(arg);
}

/* --- the interface ------------------------------------------------------ */

enum sn_err pcibm_create(struct bus *bus, const struct pcibm_config *cfg,
			 struct pcibm **out)
{
	const struct pcibm_timing *t =
		cfg->timing ? cfg->timing : &PCIBM_TIMING_P5;
	if (cfg->scsi_id < 0 || cfg->scsi_id >= (int)bus->width ||
	    t->pci_clock == 0 || t->burst_bytes < 4 || t->block_bytes == 0)
		return SN_EINVAL;
	struct sim *sim = bus_sim(bus);
	struct pcibm *a = sim_calloc(sim, 1, sizeof *a);
	if (a == NULL)
		return SN_ENOMEM;
	a->sim = sim;
	a->t = *t;
	a->id = cfg->scsi_id;
	int wide = bus->width == BUS_WIDE;
	struct bus_dev_config dc = {
		.id = cfg->scsi_id,
		/* no faster than the bus's class allows */
		.sync_period = PCIBM_SYNC_PERIOD > bus->timing->sync.min_period
				       ? PCIBM_SYNC_PERIOD
				       : bus->timing->sync.min_period,
		.sync_offset = wide ? PCIBM_SYNC_OFFSET : PCIBM_OFFSET_NARROW,
		.wide = (uint8_t)wide,
		.allow_disconnect = 1,
		.latency = BUS_DEV_DEFAULT_LATENCY,
		.target = &pcibm_target_ops,
		.target_arg = a,
	};
	enum sn_err err = bus_dev_create(bus, cfg->name ? cfg->name : "pcibm",
					 cfg->pos_mm, &dc, &a->dev);
	if (err != SN_OK) {
		sim_free(sim, a);
		return err;
	}
	bus_dev_on_reset(a->dev, on_reset, a);
	sim_event_init(&a->cpu_ev, cpu_done, a, "pcibm.cpu");
	sim_event_init(&a->tx_ev, tx_event, a, "pcibm.tx");
	*out = a;
	return SN_OK;
}

void pcibm_destroy(struct pcibm *a)
{
	if (a == NULL)
		return;
	sim_cancel(a->sim, &a->cpu_ev);
	sim_cancel(a->sim, &a->tx_ev);
	if (a->t_rx != NULL)
		sim_free(a->sim, a->t_rx);
	while (a->rx_wait != NULL) {
		struct pcibm_rx *r = a->rx_wait;
		a->rx_wait = r->next;
		sim_cancel(a->sim, &r->ev);
		sim_free(a->sim, r);
	}
	bus_dev_destroy(a->dev);
	sim_free(a->sim, a);
}

void pcibm_set_receiver(struct pcibm *a, pcibm_rx_fn fn, void *arg,
			uint32_t slots)
{
	a->rx = fn;
	a->rx_arg = arg;
	a->st.slots = fn != NULL ? slots : 0;
}

void pcibm_rx_slot_free(struct pcibm *a)
{
	a->st.slots++;
}

void pcibm_reset_bus(struct pcibm *a)
{
	bus_dev_reset_bus(a->dev, 0);
}

const struct pcibm_stats *pcibm_stats(const struct pcibm *a)
{
	return &a->stats;
}

struct bus_dev *pcibm_dev(struct pcibm *a)
{
	return a->dev;
}
