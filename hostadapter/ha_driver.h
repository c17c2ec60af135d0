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
 * As a target it answers as an RFC 2143 station (ha_set_receiver): it
 * keeps ENSELI on, takes IDENTIFY and SDTR (answering what the chip can
 * run), the CDB, and answers INQUIRY (peripheral type 09h, a
 * communications device), TEST UNIT READY, REQUEST SENSE, SEND
 * MESSAGE(10) (the DATA OUT through the FIFO, handed up with its type),
 * anything else CHECK CONDITION / ILLEGAL REQUEST; with no free receive
 * slot it answers BUSY, so the sender backs off and nothing is lost, or,
 * with ha_set_target_disconnect(), disconnects and reselects the sender
 * when a slot is free.
 *
 * Disconnection: with PORTB's disconnect jumper (the card's default) the
 * IDENTIFY grants the privilege; a target that sends DISCONNECT leaves
 * its command parked with the saved data pointer (SAVE DATA POINTER,
 * RESTORE POINTERS honoured) while the driver runs commands to other
 * targets; ENRESELI answers the reselection, SELID names the target, and
 * the command goes on from its pointer.  One nexus per target: a queued
 * command to a target with one disconnected waits.
 *
 * Bus reset: SCSIRSTI is enabled as an interrupt and polled in every
 * loop; the driver clears the chip, forgets every synchronous agreement,
 * ends the commands under way and disconnected with BUS_CMD_RESET, and
 * drops a datagram half received (its sender sends it again).
 *
 * Retries, REQUEST SENSE after CHECK CONDITION and BUSY handling are the
 * mid-layer's (adapter.c), as in Linux: this driver reports each
 * command's result and status.
 */
#ifndef HA_DRIVER_H
#define HA_DRIVER_H

#include "aha1522.h"
#include "bus_dev.h"
#include "ha_cmd.h"
#include "station.h"

struct ha_driver;

/* How long the driver's code takes between its I/O bursts: the work of
 * one interrupt or one phase step on a 33 MHz 486 (a few hundred
 * instructions) [inf]. */
#define HA_CPU_STEP (5 * SIM_US)
/* How many times it polls for the next REQ of a phase before waiting
 * for the interrupt (aha152x busy-waits in its phase loops). */
#define HA_POLLS 32
/* A connection that moves no byte for this long is given up (see the
 * watchdog in ha_driver.c): SCSI-2's selection time-out, the longest the
 * standard asks one device to wait for another's answer (5.1.3.1).
 * [decision: aha152x waits up to 100 s in datao_run] */
#define HA_STALL_TIMEOUT BUS_SELECTION_TIMEOUT_DELAY


struct ha_stats {
	uint64_t commands, sel_timeouts, bytes_out, bytes_in;
	uint64_t interrupts, polls;
	/* as a target */
	uint64_t selected, datagrams, busy_sent, check_conditions;
	uint64_t resets;          /* bus resets recovered from */
	uint64_t resets_sent;     /* by ha_reset_bus() */
	uint64_t disconnects, reselections, bad_reselections;
	uint64_t parity_errors;   /* bad parity received as a target */
	uint64_t rx_dropped;      /* datagrams a reset cut short */
	/* as a target that disconnects (ha_set_target_disconnect) */
	uint64_t disconnects_sent, reselections_done, reselections_failed;
	uint64_t stalls;          /* connections given up (HA_STALL_TIMEOUT) */
	/* messages taken as a target */
	uint64_t aborts, device_resets;  /* ABORT, BUS DEVICE RESET */
	uint64_t msg_rejects_sent;       /* messages it does not take */
};

/* A datagram arrived by SEND MESSAGE(10) from `initiator`, with the
 * protocol type of CDB byte 5's low 4 bits (RFC 2143 section 3).  It
 * takes one receive slot, given back with ha_rx_slot_free(). */
/* As a target with no free receive slot for a SEND MESSAGE(10): on (and
 * the initiator's IDENTIFY granting it), disconnect (MESSAGE IN
 * DISCONNECT, BUS FREE), and when a slot is free, no sooner than a
 * disconnection delay later, reselect the initiator (ENSELO in target
 * mode), send IDENTIFY and take the datagram; off (the default), answer
 * BUSY.  One such nexus at a time: a second finds BUSY.  RFC 2143 leaves
 * the choice open. */
void ha_set_target_disconnect(struct ha_driver *drv, int on);

typedef void (*ha_rx_fn)(struct ha_driver *drv, int initiator, uint8_t type,
			 const uint8_t *data, uint32_t len, void *arg);

/* The driver of `card` on `isa`.  Errors: SN_ENOMEM. */
enum sn_err ha_driver_create(struct isa_host *isa, struct aha1522 *card,
			     struct ha_driver **out);
void ha_driver_destroy(struct ha_driver *drv);

/* Queue a command (the caller keeps it until done is called).  Errors:
 * SN_EINVAL (bad target, CDB length, or data without a direction). */
enum sn_err ha_submit(struct ha_driver *drv, struct ha_cmd *cmd);

const struct ha_stats *ha_driver_stats(const struct ha_driver *drv);

/* Reset the SCSI bus (SCSIRSTO for the reset hold time), as soon as the
 * host's CPU is between two programs: what a mid-layer does when a
 * command has hung.  Every command under way ends with BUS_CMD_RESET. */
void ha_reset_bus(struct ha_driver *drv);

/* Answer selections as an RFC 2143 station (station.h), with `slots`
 * receive slots (SEND MESSAGE is answered BUSY while none is free); fn
 * NULL stops answering.  Errors: SN_ENOMEM (the receive buffer). */
enum sn_err ha_set_receiver(struct ha_driver *drv, ha_rx_fn fn, void *arg,
			    uint32_t slots);
void ha_rx_slot_free(struct ha_driver *drv);
/* Answer selections (1) or not (0), keeping the receiver: a host switched
 * off or its cable pulled answers none. */
void ha_set_listening(struct ha_driver *drv, int on);

#endif
