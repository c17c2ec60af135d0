/*
 * station.h - what an RFC 2143 station answers as a SCSI target, whatever
 * adapter carries it.
 *
 * RFC 2143 section 3 makes every host a SCSI-2 communications device
 * (peripheral device type 09h) that takes IP datagrams as the DATA OUT of
 * SEND MESSAGE(10).  A station answers:
 *
 *   TEST UNIT READY (00h)   GOOD
 *   INQUIRY (12h)           36 bytes of standard INQUIRY data, type 09h
 *                           (SCSI-2 Table 47), cut to the allocation length
 *   REQUEST SENSE (03h)     18 bytes of fixed sense data (error code 70h)
 *                           holding that initiator's pending sense, which
 *                           the command clears (SCSI-2 7.2.14: sense is
 *                           kept per initiator)
 *   SEND MESSAGE(10) (2Ah)  DATA OUT of the length in bytes 7-8 into a
 *                           free receive slot, the protocol type in the
 *                           low 4 bits of byte 5; BUSY (08h) while no slot
 *                           is free, so the sender backs off and retries
 *                           and nothing is lost silently; length 0 moves
 *                           no data and is not an error (SCSI-2 Table 358)
 *   anything else           CHECK CONDITION, sense ILLEGAL REQUEST (05h),
 *                           ASC 20h INVALID COMMAND OPERATION CODE
 *
 * The register-level AHA-1522 driver (ha_driver.c) and the bus-master
 * profile (pci_fw.c) both decide with station_command(); each then moves
 * the bytes its own way.
 */
#ifndef STATION_H
#define STATION_H

#include <stdint.h>

#define STATION_INITIATORS 16
#define STATION_MAX_DATAGRAM 65535u /* SEND MESSAGE(10)'s 16-bit length */

#define SCSI_OP_TEST_UNIT_READY 0x00
#define SCSI_OP_REQUEST_SENSE 0x03
#define SCSI_OP_INQUIRY 0x12
#define SCSI_OP_SEND_MESSAGE10 0x2A

/* SCSI status bytes (SCSI-2 Table 27) */
#define SCSI_STATUS_GOOD 0x00
#define SCSI_STATUS_CHECK_CONDITION 0x02
#define SCSI_STATUS_BUSY 0x08

/* sense keys and codes used here (SCSI-2 Tables 69 and 71) */
#define SCSI_SENSE_NO_SENSE 0x00
#define SCSI_SENSE_ILLEGAL_REQUEST 0x05
#define SCSI_SENSE_UNIT_ATTENTION 0x06
#define SCSI_SENSE_ABORTED_COMMAND 0x0B
#define SCSI_ASC_INVALID_OPCODE 0x20
#define SCSI_ASC_PARITY_ERROR 0x47      /* SCSI PARITY ERROR */
#define SCSI_ASC_IDE_MESSAGE 0x48       /* INITIATOR DETECTED ERROR MESSAGE
					 * RECEIVED (SCSI-2 table 364) */

#define STATION_INQUIRY_LEN 36
#define STATION_SENSE_LEN 18

struct station {
	uint32_t slots;        /* free receive slots */
	uint8_t sense_key[STATION_INITIATORS];
	uint8_t asc[STATION_INITIATORS];
	uint64_t busy_sent, check_conditions;
};

enum station_act {
	STATION_STATUS,    /* no data phase: just the status */
	STATION_DATA_IN,   /* send reply[0..len) then the status */
	STATION_DATA_OUT,  /* take len bytes (a datagram) then the status */
};

struct station_answer {
	enum station_act act;
	uint8_t status;
	uint32_t len;
	uint8_t type;      /* DATA_OUT: the protocol type (CDB byte 5) */
	uint8_t reply[STATION_INQUIRY_LEN];
};

/* Decide the answer to `cdb` from `initiator` (-1 if unknown).  A
 * DATA_OUT answer takes a receive slot (st->slots decreases): the caller
 * hands the datagram up, and the host gives the slot back when it has
 * taken it. */
void station_command(struct station *st, int initiator, const uint8_t *cdb,
		     uint8_t cdb_len, struct station_answer *a);

/* The length of a CDB from its group code (SCSI-2 7.2.1): 6, 10 or 12. */
uint8_t scsi_cdb_len(uint8_t opcode);

#endif
