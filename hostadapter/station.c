/*
 * station.c - the RFC 2143 station's answers (see station.h).
 */
#include "station.h"

#include <string.h>

uint8_t scsi_cdb_len(uint8_t opcode)
{
	uint8_t group = opcode >> 5;
	return group == 0 ? 6 : group <= 2 ? 10 : 12;
}

static void status(struct station_answer *a, uint8_t s)
{
	a->act = STATION_STATUS;
	a->status = s;
	a->len = 0;
}

void station_command(struct station *st, int initiator, const uint8_t *cdb,
		     uint8_t cdb_len, struct station_answer *a)
{
	int who = initiator >= 0 && initiator < STATION_INITIATORS
			  ? initiator
			  : -1;
	uint8_t op = cdb[0];
	memset(a, 0, sizeof *a);
	if (cdb_len < scsi_cdb_len(op))
		op = 0xff; /* a short CDB: answered as unknown */
	switch (op) {
	case SCSI_OP_TEST_UNIT_READY:
		status(a, SCSI_STATUS_GOOD);
		return;
	case SCSI_OP_INQUIRY:
		a->reply[0] = 0x09; /* communications device (RFC 2143 s3) */
		a->reply[2] = 0x02; /* ANSI version: SCSI-2 */
		a->reply[3] = 0x02; /* response data format 2 */
		a->reply[4] = STATION_INQUIRY_LEN - 5;
		memcpy(a->reply + 8, "SCSINET RFC2143 STATION 1.0 ", 28);
		a->act = STATION_DATA_IN;
		a->len = STATION_INQUIRY_LEN;
		break;
	case SCSI_OP_REQUEST_SENSE:
		a->reply[0] = 0x70; /* current error, fixed format */
		a->reply[7] = STATION_SENSE_LEN - 8;
		if (who >= 0) {
			a->reply[2] = st->sense_key[who];
			a->reply[12] = st->asc[who];
			st->sense_key[who] = st->asc[who] = 0;
		}
		a->act = STATION_DATA_IN;
		a->len = STATION_SENSE_LEN;
		break;
	case SCSI_OP_SEND_MESSAGE10: {
		uint32_t len = (uint32_t)cdb[7] << 8 | cdb[8];
		if (len == 0) {
			status(a, SCSI_STATUS_GOOD);
			return;
		}
		if (st->slots == 0) {
			st->busy_sent++;
			status(a, SCSI_STATUS_BUSY);
			return;
		}
		st->slots--;
		a->act = STATION_DATA_OUT;
		a->len = len;
		a->type = cdb[5] & 0x0f;
		a->status = SCSI_STATUS_GOOD;
		return;
	}
	default:
		st->check_conditions++;
		if (who >= 0) {
			st->sense_key[who] = SCSI_SENSE_ILLEGAL_REQUEST;
			st->asc[who] = SCSI_ASC_INVALID_OPCODE;
		}
		status(a, SCSI_STATUS_CHECK_CONDITION);
		return;
	}
	/* DATA IN: no more than the allocation length (byte 4) */
	if (cdb[4] < a->len)
		a->len = cdb[4];
	a->status = SCSI_STATUS_GOOD;
	if (a->len == 0)
		a->act = STATION_STATUS;
}
