/*
 * ha_driver.h - the host driver of an AHA-1522, as software on the
 * simulated host: it touches only the chip's registers, through the ISA
 * bus (isa.h), so every register access costs its bus cycle and every
 * interrupt its latency.  It follows what the Linux aha152x driver does
 * (protocol-facts 3.4): ENSELO with ENAUTOATNO to select, IDENTIFY and on
 * first contact SDTR 200 ns / offset 8, the phases one REQ at a time by
 * REQINIT, message, command and status bytes by PIO through SCSIDAT, data
 * through the host FIFO with REP OUTSW/INSW in 128-byte chunks, SCSIRATE
 * from the target's SDTR answer.
 *
 * This is the initiator's side.  The target's (answering as an RFC 2143
 * station), disconnection, REQUEST SENSE and BUSY handling, and the
 * upward datagram interface are the next steps of issue 4.
 */
#ifndef HA_DRIVER_H
#define HA_DRIVER_H

#include "aha1522.h"
#include "bus_dev.h"

struct ha_driver;

/* How long the driver's code takes between its I/O bursts: the work of
 * one interrupt or one phase step on a 33 MHz 486 (a few hundred
 * instructions) [inf]. */
#define HA_CPU_STEP (5 * SIM_US)
/* How many times it polls for the next REQ of a phase before waiting
 * for the interrupt (aha152x busy-waits in its phase loops). */
#define HA_POLLS 32

struct ha_cmd {
	int target;
	uint8_t lun;
	uint8_t cdb[12];
	uint8_t cdb_len;
	enum bus_dir dir;
	uint8_t *data;
	uint32_t data_len;
	/* results */
	enum bus_cmd_result result;
	uint8_t status;
	uint32_t data_moved;
	sim_time_t t_start, t_done;
	void (*done)(struct ha_driver *drv, struct ha_cmd *cmd, void *arg);
	void *arg;
	struct ha_cmd *next_; /* the driver's queue */
};

struct ha_stats {
	uint64_t commands, sel_timeouts, bytes_out, bytes_in;
	uint64_t interrupts, polls;
};

/* The driver of `card` on `isa`.  Errors: SN_ENOMEM. */
enum sn_err ha_driver_create(struct isa_host *isa, struct aha1522 *card,
			     struct ha_driver **out);
void ha_driver_destroy(struct ha_driver *drv);

/* Queue a command (the caller keeps it until done is called).  Errors:
 * SN_EINVAL (bad target, CDB length, or data without a direction). */
enum sn_err ha_submit(struct ha_driver *drv, struct ha_cmd *cmd);

const struct ha_stats *ha_driver_stats(const struct ha_driver *drv);

#endif
