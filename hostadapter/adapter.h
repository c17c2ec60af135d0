/*
 * adapter.h - a host's SCSI adapter as the IP layer sees it: send a
 * datagram to SCSI ID x and learn how it went, receive datagrams.  Every
 * profile below it runs the same bus protocol engine; what differs is the
 * host side.
 *
 * Profiles (adapter_profile_find; the table in adapter.c has each
 * parameter's source):
 *   aha1522  Adaptec AHA-1522: AIC-6260, narrow, synchronous up to 5 MB/s
 *            (200 ns), ISA programmed I/O through a 128-byte FIFO; the
 *            register-level driver of ha_driver.h.
 *   aic6360  the same card with an AIC-6360 and its fast-sync jumper: Fast
 *            SCSI, 10 MB/s (100 ns), still ISA programmed I/O.
 *   pci-fw   a generic PCI bus-master Fast-Wide adapter of the AIC-7880
 *            class: 16 bits, 100 ns, 20 MB/s, DMA (pcibm.h).
 *
 * Sending (adapter_send) is what a SCSI mid-layer and an RFC 2143 link
 * driver do together (decided here, since RFC 2143 specifies no retry or
 * status handling, protocol-facts 1.1):
 *   - one SEND MESSAGE(10) per datagram: LUN 0, the protocol type in the
 *     low 4 bits of byte 5, the length in bytes 7-8 (RFC 2143 section 3);
 *   - GOOD: sent.  BUSY: the target has no free buffer; try again after
 *     busy_delay, up to busy_retries times (Linux queues a BUSY command
 *     again after SCSI_QUEUE_DELAY, 3 ms), then give up as AD_BUSY;
 *   - CHECK CONDITION: REQUEST SENSE at once (as the Linux mid-layer and
 *     aha152x do).  UNIT ATTENTION and ABORTED COMMAND (a parity error on
 *     the way) are worth another try; anything else (ILLEGAL REQUEST: not
 *     a station) ends as AD_REFUSED with the sense in the request;
 *   - no answer to the selection: AD_NO_TARGET at once (nobody is there;
 *     the IP layer's address resolution decides what that means);
 *   - a bus reset or an unexpected BUS FREE: try again, up to
 *     error_retries times, then AD_BUS_ERROR;
 *   - a command not done within cmd_timeout (5 s, Linux's transmit
 *     watchdog; a target holding the bus): reset the bus, the last step
 *     of Linux's error handler, and try
 *     again as after any reset; timed out again, the error handler has
 *     failed: the datagram and every one queued end as AD_BUS_ERROR (as
 *     Linux offlines a device it cannot recover), and the next datagram
 *     starts afresh.
 * Requests are sent one at a time, in the order given.
 *
 * Receiving: datagrams arrive in receive slots (rx_slots in the config);
 * while none is free the station answers BUSY, so the sender retries and
 * nothing is lost silently.  The receiver callback borrows the data for
 * the call only and must give the slot back with adapter_rx_done(), then
 * or later.
 *
 * Ownership: a request (struct adapter_tx) and its data belong to the
 * caller and must live until its done callback.
 */
#ifndef ADAPTER_H
#define ADAPTER_H

#include "ha_cmd.h"
#include "isa.h"
#include "station.h"

enum adapter_kind { AD_KIND_ISA_PIO, AD_KIND_PCI_DMA };

struct adapter_profile {
	const char *name;
	const char *summary;
	enum adapter_kind kind;
	int wide;                  /* can move 16 bits */
	sim_time_t min_period;     /* shortest synchronous period */
	uint8_t max_offset;
	enum bus_speed speed;      /* the bus class it needs to reach that */
	const char *host_bus;      /* "ISA 8.33 MHz, PIO" ... */
	const char *sources;
};

/* The profiles, by name (NULL if unknown); index i < adapter_profiles(). */
const struct adapter_profile *adapter_profile_find(const char *name);
size_t adapter_profile_count(void);
const struct adapter_profile *adapter_profile_at(size_t i);

/* Retry policy defaults (see the top of this file). */
#define AD_BUSY_RETRIES 5              /* Linux sd: SD_MAX_RETRIES 5 */
#define AD_BUSY_DELAY (3 * SIM_MS)     /* Linux SCSI_QUEUE_DELAY 3 ms */
#define AD_ERROR_RETRIES 5             /* Linux sd: SD_MAX_RETRIES 5 */
/* A SEND MESSAGE(10) not done in this long has hung: the adapter is a
 * network interface, and Linux's transmit watchdog gives a driver that
 * sets none 5 s (net/sched/sch_generic.c: dev->watchdog_timeo = 5*HZ),
 * after which the driver resets its device.  (A disk's SD_TIMEOUT, 30 s,
 * is for commands that may seek and retry on the medium.) */
#define AD_CMD_TIMEOUT (5 * SIM_S)
/* A datagram whose command times out this often (the bus reset after the
 * first did not bring the bus back) ends the error handling: it and the
 * queue behind it fail (Linux's scsi_eh offlines the device when its
 * recovery fails). */
#define AD_TIMEOUTS_OFFLINE 2

struct adapter_config {
	const char *profile;       /* a name from the table */
	const char *name;          /* bus port name (a literal); NULL ok */
	int scsi_id;
	uint32_t pos_mm;           /* where it attaches to the bus */
	uint32_t rx_slots;         /* receive buffers; 0 = 4 */
	/* with no receive buffer free: disconnect and reselect rather than
	 * answer BUSY (ha_set_target_disconnect; ISA profiles only) */
	int target_disconnect;
	/* ISA profiles: I/O base 0x340 (0 = that) or 0x140, IRQ 9-12
	 * (0 = 11); several cards in one host need distinct ones */
	uint16_t io_base;
	uint8_t irq;
	const struct isa_timing *isa_timing; /* NULL: ISA_TIMING_AT */
	/* retry policy; negative = the default above */
	int busy_retries, error_retries;
	sim_time_t busy_delay;     /* 0 = AD_BUSY_DELAY */
	sim_time_t cmd_timeout;    /* 0 = AD_CMD_TIMEOUT */
};

enum adapter_result {
	AD_SENT,        /* the target took it (GOOD) */
	AD_NO_TARGET,   /* nobody answered the selection */
	AD_BUSY,        /* the target stayed BUSY through every retry */
	AD_REFUSED,     /* CHECK CONDITION that no retry cures */
	AD_BUS_ERROR,   /* reset, bus free, protocol error, retries spent */
	AD_RESULTS
};
const char *adapter_result_name(enum adapter_result r);

struct adapter;

struct adapter_tx {
	int target;
	uint8_t type;              /* RFC 2143 protocol type, 0..15 */
	const uint8_t *data;
	uint32_t len;              /* 1..65535 */
	/* results */
	enum adapter_result result;
	uint8_t status;            /* the last SCSI status */
	uint8_t sense_key, asc;    /* AD_REFUSED: from REQUEST SENSE */
	uint32_t busy_retries, error_retries; /* retries it took */
	uint32_t timeouts_;        /* command time-outs it met (internal) */
	sim_time_t t_submit, t_done;
	/* called once when it has ended; required */
	void (*done)(struct adapter *ad, struct adapter_tx *tx, void *arg);
	void *arg;
	struct adapter_tx *next_;
};

typedef void (*adapter_rx_fn)(struct adapter *ad, int from, uint8_t type,
			      const uint8_t *data, uint32_t len, void *arg);

struct adapter_stats {
	uint64_t tx_datagrams, tx_bytes, results[AD_RESULTS];
	uint64_t busy_retries, error_retries, sense_requests;
	uint64_t timeouts;         /* commands that hung: bus reset */
	uint64_t offlined;         /* ... again after it: queue failed */
	uint64_t rx_datagrams, rx_bytes, rx_busy_sent;
	uint64_t rx_dropped;       /* cut short by a reset or bus error */
	/* with target_disconnect: commands parked for want of a buffer,
	 * and taken after reselecting their sender */
	uint64_t rx_disconnects, rx_reselections;
	/* where the host's time went (simulated time) */
	sim_time_t host_io_time;   /* ISA I/O cycles, or PCI DMA */
	sim_time_t host_data_time; /* ... of it moving datagram bytes */
	sim_time_t cpu_time;       /* driver work */
	sim_time_t irq_time;       /* interrupts on their way */
};

/* An adapter of `cfg->profile` on `bus` with its host side and driver.
 * Errors: SN_EINVAL (unknown profile, ID out of range for the bus, an
 * ISA base or IRQ the card cannot be jumpered to, a wide profile's width
 * on a narrow bus is fine, a narrow one on a wide bus must have ID < 8),
 * SN_ENOMEM, what the bus returns. */
enum sn_err adapter_create(struct bus *bus, const struct adapter_config *cfg,
			   struct adapter **out);
void adapter_destroy(struct adapter *ad);

/* Queue a datagram.  Errors: SN_EINVAL (bad target, type > 15, length
 * 0 or over 65535, no done callback). */
enum sn_err adapter_send(struct adapter *ad, struct adapter_tx *tx);

/* Take datagrams with fn (NULL: stop answering as a station). */
enum sn_err adapter_set_receiver(struct adapter *ad, adapter_rx_fn fn,
				 void *arg);
void adapter_rx_done(struct adapter *ad);

/* Faults.  adapter_attach(ad, 0) is a pulled cable (or the host switched
 * off): the adapter answers no selection, so its senders time out, and
 * each datagram it is asked to send meets no target either: it ends as
 * AD_NO_TARGET a selection time-out later (the command in progress, if
 * any, completes first).  adapter_attach(ad, 1) plugs it back. */
void adapter_attach(struct adapter *ad, int attached);
int adapter_attached(const struct adapter *ad);
/* Liveness: a command the lower driver has had for AD_STALL_LIMIT or
 * more while the adapter's engine is idle (neither waiting for the bus
 * nor on it) is stuck: no time-out of the protocol or of the driver is
 * running for it, so only the mid-layer's command time-out (cmd_timeout)
 * could end it.  Losing arbitration for seconds on a busy bus is not
 * stuck.  1 and *since (may be NULL) = when the command was issued, or
 * 0. */
#define AD_STALL_LIMIT BUS_STUCK_LIMIT /* the bound of a stuck bus */
int adapter_stalled(const struct adapter *ad, sim_time_t now,
		    sim_time_t *since);
/* This adapter resets the bus (SCSIRSTO, or its engine's RST). */
void adapter_reset_bus(struct adapter *ad);

const struct adapter_profile *adapter_profile(const struct adapter *ad);
int adapter_scsi_id(const struct adapter *ad);
/* Counters, with the host-side times brought up to date. */
const struct adapter_stats *adapter_stats(struct adapter *ad);
/* The protocol engine on the bus (for stats and traces). */
struct bus_dev *adapter_bus_dev(struct adapter *ad);

#endif
