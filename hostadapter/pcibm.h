/*
 * pcibm.h - a generic PCI bus-master Fast-Wide SCSI adapter, for
 * comparison with the ISA programmed-I/O AHA-1522.
 *
 * Modelled on the class of the Adaptec AIC-7870/7880 (AHA-2940W) and its
 * peers: a sequencer on the card runs the whole SCSI protocol (the same
 * bus_dev engine every device on our bus runs: arbitration, selection,
 * IDENTIFY, WDTR and SDTR, every REQ/ACK edge), and the host only posts
 * command blocks and takes completion interrupts; the data moves by DMA.
 *
 * The host side, in simulated time:
 *  - Sending: the driver's CPU builds a command block and rings the
 *    adapter's doorbell (cpu_submit); the adapter fetches the block by
 *    DMA, and for DATA OUT fills its FIFO with the first burst before it
 *    arbitrates; the SCSI command then runs edge by edge on the bus.  At
 *    its end the adapter posts the completion (one DMA burst, after the
 *    last data burst for DATA IN) and raises its interrupt, which reaches
 *    the driver irq_latency later; the driver's handler runs cpu_isr.
 *  - Receiving (target mode): the host has posted receive buffers; the
 *    sequencer answers selections as an RFC 2143 station (station.h) by
 *    itself, takes a datagram into a free buffer or answers BUSY, and
 *    after the last data burst and the completion post interrupts the
 *    host, whose handler hands the datagram up.
 *  - The host CPU runs one thing at a time: submissions and interrupt
 *    handlers queue for it.
 *  - DMA during the data phase runs alongside the SCSI transfer: at 33 MHz
 *    and 32 bits even with a 16-clock initial latency per 64-byte burst
 *    PCI moves 66 MB/s, over three times what a Fast-Wide bus can take,
 *    so the FIFO never runs dry or full and the bursts are counted
 *    (pcibm_host_stats.dma_time), not scheduled one by one.  What the DMA
 *    does delay is simulated: the block fetch and first fill before the
 *    command, the last burst and completion post after it.
 *
 * Ownership: commands and their data are the caller's until done; a
 * received datagram is lent to the rx callback only during the call.
 */
#ifndef PCIBM_H
#define PCIBM_H

#include "ha_cmd.h"
#include "station.h"

struct pcibm_timing {
	sim_time_t pci_clock;      /* one PCI clock */
	uint32_t burst_bytes;      /* bytes per DMA burst */
	uint32_t burst_latency;    /* clocks before a burst's first data */
	uint32_t block_bytes;      /* a command block the adapter fetches */
	sim_time_t irq_latency;    /* interrupt line to handler */
	sim_time_t cpu_submit;     /* driver: build and post a command */
	sim_time_t cpu_isr;        /* driver: one completion interrupt */
};

/* A Pentium-class host with 33 MHz 32-bit PCI (sources in pcibm.c). */
extern const struct pcibm_timing PCIBM_TIMING_P5;

/* The SCSI side, from the AIC-7xxx family (sources in pcibm.c). */
#define PCIBM_SYNC_PERIOD (100 * SIM_NS) /* Fast: 10 MHz */
#define PCIBM_SYNC_OFFSET 8              /* wide: MAX_OFFSET_16BIT */

struct pcibm_config {
	const char *name;          /* bus port name (a literal) */
	int scsi_id;               /* 0..15 on a wide bus, 0..7 narrow */
	uint32_t pos_mm;
	const struct pcibm_timing *timing; /* NULL: PCIBM_TIMING_P5 */
};

struct pcibm_stats {
	uint64_t commands, sel_timeouts, interrupts;
	uint64_t selected, datagrams, busy_sent, check_conditions;
	uint64_t rx_errors;        /* datagrams spoiled on the bus */
	sim_time_t dma_time;       /* PCI bus time of the adapter's DMA */
	sim_time_t data_dma_time;  /* ... of it moving data */
	sim_time_t cpu_time;       /* driver work */
	sim_time_t irq_time;       /* interrupts on their way */
};

struct pcibm;

typedef void (*pcibm_rx_fn)(struct pcibm *a, int initiator, uint8_t type,
			    const uint8_t *data, uint32_t len, void *arg);

/* Errors: SN_EINVAL (bad ID or timing), SN_ENOMEM, what bus_dev_create
 * returns. */
enum sn_err pcibm_create(struct bus *bus, const struct pcibm_config *cfg,
			 struct pcibm **out);
void pcibm_destroy(struct pcibm *a);

/* Queue a command.  Errors: SN_EINVAL (bad target or CDB). */
enum sn_err pcibm_submit(struct pcibm *a, struct ha_cmd *cmd);

/* Answer selections as an RFC 2143 station with `slots` posted receive
 * buffers (fn NULL: stop). */
void pcibm_set_receiver(struct pcibm *a, pcibm_rx_fn fn, void *arg,
			uint32_t slots);
/* The host took a datagram: its buffer is posted again. */
void pcibm_rx_slot_free(struct pcibm *a);

/* Reset the SCSI bus (a hung command's last resort): the command under
 * way ends with BUS_CMD_RESET. */
void pcibm_reset_bus(struct pcibm *a);

const struct pcibm_stats *pcibm_stats(const struct pcibm *a);
struct bus_dev *pcibm_dev(struct pcibm *a);

#endif
