/*
 * ha_cmd.h - one SCSI command as a host driver takes it, whatever the
 * adapter: the register-level AHA-1522 driver (ha_driver.h) and the PCI
 * bus-master (pcibm.h) both queue these, and the adapter layer
 * (adapter.h) builds them.
 *
 * Ownership: the caller owns the command and its data buffer; both must
 * live until done() is called, once, from the simulation.
 */
#ifndef HA_CMD_H
#define HA_CMD_H

#include <stdint.h>

#include "bus_dev.h"

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
	uint8_t status;          /* SCSI status byte; 0xff if none came */
	uint32_t data_moved;
	sim_time_t t_start, t_done;
	/* called by the driver when the command has ended; required */
	void (*done)(struct ha_cmd *cmd, void *arg);
	void *arg;
	struct ha_cmd *next_;    /* the driver's queue */
};

#endif
