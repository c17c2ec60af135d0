/*
 * fuzz_station.c - an RFC 2143 station as a SCSI target, from the bus:
 * any CDB an initiator can send (hostadapter/station.h's
 * station_command) and what follows in each adapter: the AHA-1522's
 * register-level target mode (ha_driver.c, with and without disconnect
 * when no buffer is free), the AIC-6360 on a Fast bus, and the PCI
 * bus-master (pcibm.c); DATA IN and DATA OUT of any length against what
 * the initiator brought, BUSY, CHECK CONDITION and REQUEST SENSE,
 * synchronous and wide negotiation, parity errors, BUS DEVICE RESET,
 * ABORT, two initiators contending.
 *
 * The initiators are the bus's own protocol engine (bus_dev_command):
 * they follow whatever phases the target asks for, padding with zeros
 * or dropping bytes when their buffer does not match (a protocol error,
 * not a crash).  station_command() is also called directly on each CDB
 * against a fresh station, where its answer must be consistent.
 *
 * Properties, beyond "no crash, no leak, no undefined behaviour":
 *   - every command ends exactly once, and the bus goes quiet;
 *   - a well-formed command (CDB as long as its group says, the data
 *     direction and a buffer big enough, no parity error injected) ends
 *     as the station's rules say: TEST UNIT READY good; INQUIRY good with
 *     its allocation length of the station's INQUIRY data; an unknown
 *     opcode CHECK CONDITION, and the same initiator's next REQUEST
 *     SENSE says ILLEGAL REQUEST, INVALID COMMAND OPERATION CODE;
 *     SEND MESSAGE(10) good or BUSY, moving exactly its length;
 *   - per initiator, the datagrams the host is handed are exactly the
 *     SEND MESSAGE(10)s the station answered GOOD, in order, with their
 *     type, their length and (well-formed) their bytes: none lost, none
 *     invented;
 *   - no bus protocol violation (unless a parity error was injected,
 *     which the checker reports as it should);
 *   - nothing allocated through the sim is left after teardown.
 *
 * Input:
 *   profile  the station: 0 AHA-1522 on a narrow SCSI-2 bus, 1 pci-fw on
 *            a wide Fast bus, 2 AHA-1522 that disconnects when no buffer
 *            is free, 3 AIC-6360 on a narrow Fast bus
 *   init     bit 0 initiators offer synchronous transfers, bit 1 wide,
 *            bit 2 the host gives each buffer back 5 ms late, bit 3 the
 *            initiators grant disconnection, bit 4 one receive buffer
 *            (else two)
 *   then up to MAX_CMDS commands:
 *     ctl    bits 0-1 data direction: none, OUT, IN, or (3) no command
 *            but the message BUS DEVICE RESET; bit 2 DATA OUT bytes are a
 *            pattern (else taken from the input); bit 3 a parity error
 *            in the nth byte the initiator drives (n: the next byte);
 *            bits 4-5 wait before it: 0, 10 us, 1 ms, 100 ms; bit 6 the
 *            second initiator; bit 7 ABORT it m * 2 us after it starts
 *            (m: 1 + the next byte after n), if it is connected then
 *     [n]    with bit 3
 *     [m]    with bit 7
 *     len    CDB length (0 is taken as 6; at most 16), then the CDB
 *     dlen   16 bits: the initiator's buffer, then its bytes (OUT
 *            without the pattern bit)
 * With FUZZ_DEBUG=1 in the environment it tells on stderr how each
 * command ended (for looking into a finding).
 * SEND MESSAGE(10) lengths are kept within BYTES_MAX per input (longer
 * ones are cut modulo 4096) so that one input stays quick.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adapter.h"
#include "bus_check.h"
#include "fz.h"
#include "station.h"

#define MAX_CMDS 8
#define BYTES_MAX (64u * 1024u)
#define QUIET_AFTER (100 * SIM_S)

struct cmd {
	struct fuzz *f;
	struct bus_cmd bc;
	struct sim_event ev;
	int who;                   /* initiator 0 or 1 */
	int well_formed;
	int parity;
	int ended;
	sim_time_t abort_after;    /* 0: none; else ABORT this long after
				    * it starts, if it is connected then */
	struct sim_event abort_ev;
	int aborted;               /* the ABORT was raised */
	struct cmd *next;          /* waiting for its initiator */
};

struct delivery {
	int from;
	uint8_t type;
	uint32_t len;
	uint8_t *data;
};

struct fuzz {
	struct sim sim;
	struct bus *bus;
	struct bus_check *chk;
	struct adapter *ad;
	struct bus_dev *init[2];
	int init_id[2];
	struct cmd *busy[2];       /* running on each initiator */
	struct cmd *wait_head[2], *wait_tail[2];
	struct cmd cmds[MAX_CMDS];
	int ncmds;
	struct delivery rx[MAX_CMDS];
	int nrx;
	int late_done;             /* give buffers back 5 ms late */
	int owed;                  /* buffers to give back */
	struct sim_event give_back;
	int illegal_pending[2];    /* the initiator's sense should say so */
	/* a parity error was armed on the initiator: it may hit any of its
	 * later commands, so their outcome is not predicted */
	int parity_armed[2];
	int any_parity;
	int debug;                 /* FUZZ_DEBUG=1: say what happened */
	int isa;                   /* the station is an AHA-1522/AIC-6360 */
};

static const uint8_t *inquiry_data(uint32_t *len)
{
	static struct station_answer a;
	static const uint8_t cdb[6] = { SCSI_OP_INQUIRY, 0, 0, 0, 255, 0 };
	struct station st = { .slots = 1 };
	station_command(&st, 0, cdb, 6, &a);
	*len = a.len;
	return a.reply;
}

/* station_command alone, on a fresh station: a consistent answer. */
static void station_alone(const uint8_t *cdb, uint8_t cdb_len)
{
	struct station st = { .slots = 1 };
	struct station_answer a;
	station_command(&st, 3, cdb, cdb_len, &a);
	switch (a.act) {
	case STATION_STATUS:
		FZ_CHECK(a.len == 0 && st.slots == 1,
			 "a status answer with %u bytes", a.len);
		break;
	case STATION_DATA_IN:
		FZ_CHECK(a.len > 0 && a.len <= STATION_INQUIRY_LEN &&
			 a.len <= cdb[4] && a.status == SCSI_STATUS_GOOD,
			 "DATA IN of %u bytes for an allocation length of %u",
			 a.len, cdb[4]);
		break;
	case STATION_DATA_OUT:
		FZ_CHECK(cdb[0] == SCSI_OP_SEND_MESSAGE10 && cdb_len >= 10 &&
			 a.len == ((uint32_t)cdb[7] << 8 | cdb[8]) &&
			 a.len > 0 && st.slots == 0 && a.type == (cdb[5] & 15),
			 "DATA OUT of %u bytes, type %u, for opcode %02x",
			 a.len, a.type, cdb[0]);
		break;
	default:
		fz_fail("station_command: action %d", (int)a.act);
	}
	if (cdb_len < scsi_cdb_len(cdb[0]) ||
	    (cdb[0] != SCSI_OP_TEST_UNIT_READY && cdb[0] != SCSI_OP_INQUIRY &&
	     cdb[0] != SCSI_OP_REQUEST_SENSE &&
	     cdb[0] != SCSI_OP_SEND_MESSAGE10))
		FZ_CHECK(a.act == STATION_STATUS &&
			 a.status == SCSI_STATUS_CHECK_CONDITION &&
			 st.sense_key[3] == SCSI_SENSE_ILLEGAL_REQUEST &&
			 st.asc[3] == SCSI_ASC_INVALID_OPCODE,
			 "opcode %02x (CDB of %u) is not refused", cdb[0],
			 cdb_len);
}

/* --- the host behind the station ------------------------------------------ */

static void give_back(struct sim *sim, struct sim_event *ev, void *arg)
{
	(void)sim;
	(void)ev;
	struct fuzz *f = arg;
	while (f->owed > 0) {
		f->owed--;
		adapter_rx_done(f->ad);
	}
}

static void host_rx(struct adapter *ad, int from, uint8_t type,
		    const uint8_t *data, uint32_t len, void *arg)
{
	struct fuzz *f = arg;
	FZ_CHECK(f->nrx < MAX_CMDS, "more datagrams handed up than commands");
	struct delivery *d = &f->rx[f->nrx++];
	if (f->debug)
		fprintf(stderr, "%.3f us: the host is handed %u bytes of type "
			"%u from %d\n", (double)sim_now(&f->sim) / SIM_US, len,
			type, from);
	d->from = from;
	d->type = type;
	d->len = len;
	d->data = malloc(len ? len : 1);
	FZ_CHECK(d->data != NULL, "out of memory");
	memcpy(d->data, data, len);
	if (!f->late_done) {
		adapter_rx_done(ad);
		return;
	}
	f->owed++;
	if (!sim_event_pending(&f->give_back))
		sim_schedule_in(&f->sim, &f->give_back, 5 * SIM_MS);
}

/* --- the initiators ------------------------------------------------------- */

static void start(struct fuzz *f, struct cmd *c);

/* pending (station-wide-odd-data-in): after WDTR agreed 16 bits, a
 * DATA IN of odd length moves one byte more, with no IGNORE WIDE
 * RESIDUE message (SCSI-2 5.6.9) to say the last one is not data.  The
 * byte it lets through, or 0. */
static uint32_t odd_wide(struct fuzz *f, const struct cmd *c, uint32_t len)
{
	return len % 2 == 1 && bus_dev_agreement(f->init[c->who], 2).wide &&
	       fz_pending("station-wide-odd-data-in");
}

/* A well-formed command ended as the station's rules say. */
static void check_rules(struct fuzz *f, struct cmd *c)
{
	const struct bus_cmd *b = &c->bc;
	uint8_t op = b->cdb[0];
	FZ_CHECK(b->result == BUS_CMD_DONE, "a well-formed command %02x "
		 "ended %s", op, bus_cmd_result_name(b->result));
	switch (op) {
	case SCSI_OP_TEST_UNIT_READY:
		FZ_CHECK(b->status == SCSI_STATUS_GOOD && b->data_moved == 0,
			 "TEST UNIT READY: status %02x, %u bytes", b->status,
			 b->data_moved);
		break;
	case SCSI_OP_INQUIRY: {
		uint32_t len;
		const uint8_t *want = inquiry_data(&len);
		if (b->cdb[4] < len)
			len = b->cdb[4];
		FZ_CHECK(b->status == SCSI_STATUS_GOOD &&
			 (b->data_moved == len ||
			  b->data_moved == len + odd_wide(f, c, len)) &&
			 (len == 0 || memcmp(b->data, want, len) == 0),
			 "INQUIRY (%u): status %02x, %u bytes", b->cdb[4],
			 b->status, b->data_moved);
		break;
	}
	case SCSI_OP_REQUEST_SENSE: {
		uint32_t len = STATION_SENSE_LEN < b->cdb[4] ? STATION_SENSE_LEN
							     : b->cdb[4];
		FZ_CHECK(b->status == SCSI_STATUS_GOOD &&
			 (b->data_moved == len ||
			  b->data_moved == len + odd_wide(f, c, len)),
			 "REQUEST SENSE (%u): status %02x, %u bytes",
			 b->cdb[4], b->status, b->data_moved);
		if (f->illegal_pending[c->who] && len >= 13)
			FZ_CHECK(b->data[2] == SCSI_SENSE_ILLEGAL_REQUEST &&
				 b->data[12] == SCSI_ASC_INVALID_OPCODE,
				 "REQUEST SENSE after an unknown opcode: key "
				 "%02x, ASC %02x", b->data[2], b->data[12]);
		f->illegal_pending[c->who] = 0;
		break;
	}
	case SCSI_OP_SEND_MESSAGE10: {
		uint32_t len = (uint32_t)b->cdb[7] << 8 | b->cdb[8];
		FZ_CHECK((b->status == SCSI_STATUS_GOOD &&
			  b->data_moved == len) ||
			 (b->status == SCSI_STATUS_BUSY && b->data_moved == 0),
			 "SEND MESSAGE(10) of %u: status %02x, %u bytes", len,
			 b->status, b->data_moved);
		break;
	}
	default:
		FZ_CHECK(b->status == SCSI_STATUS_CHECK_CONDITION &&
			 b->data_moved == 0,
			 "unknown opcode %02x: status %02x, %u bytes", op,
			 b->status, b->data_moved);
		f->illegal_pending[c->who] = 1;
		break;
	}
}

static void cmd_done(struct bus_dev *dev, struct bus_cmd *bc, void *arg)
{
	(void)dev;
	(void)bc;
	struct cmd *c = arg;
	struct fuzz *f = c->f;
	FZ_CHECK(!c->ended, "a command ended twice");
	FZ_CHECK(f->busy[c->who] == c, "a command ended that was not running");
	c->ended = 1;
	sim_cancel(&f->sim, &c->abort_ev);
	if (c->aborted)
		f->illegal_pending[c->who] = 0;
	f->busy[c->who] = NULL;
	if (f->debug)
		fprintf(stderr, "%.3f us: initiator %d: %02x (%u bytes of CDB, "
			"dir %d, %u buffer): %s, status %02x, %u moved%s\n",
			(double)sim_now(&f->sim) / SIM_US, f->init_id[c->who],
			c->bc.cdb[0], c->bc.cdb_len, (int)c->bc.dir,
			c->bc.data_len, bus_cmd_result_name(c->bc.result),
			c->bc.status, c->bc.data_moved,
			c->well_formed ? ", well-formed" : "");
	if (f->debug)
		for (int i = 0; i < c->bc.cdb_len; i++)
			fprintf(stderr, "%s%02x%s", i ? " " : "  CDB ",
				c->bc.cdb[i], i + 1 < c->bc.cdb_len ? "" : "\n");
	const struct bus_cmd *b = &c->bc;
	if (c->well_formed) {
		check_rules(f, c);
	} else if (b->message_only) {
		/* a target may clear sense on BUS DEVICE RESET */
		f->illegal_pending[0] = f->illegal_pending[1] = 0;
	} else if (b->result == BUS_CMD_DONE) {
		/* what the station did with it: sense kept or cleared */
		if (b->status == SCSI_STATUS_CHECK_CONDITION)
			f->illegal_pending[c->who] = 1;
		else if (b->cdb[0] == SCSI_OP_REQUEST_SENSE)
			f->illegal_pending[c->who] = 0;
	}
	struct cmd *next = f->wait_head[c->who];
	if (next != NULL) {
		f->wait_head[c->who] = next->next;
		start(f, next);
	}
}

static void abort_now(struct sim *sim, struct sim_event *ev, void *arg)
{
	(void)sim;
	(void)ev;
	struct cmd *c = arg;
	if (!c->ended && bus_dev_abort(c->f->init[c->who]) == SN_OK) {
		c->aborted = 1;
		c->well_formed = 0;
	}
}

static void start(struct fuzz *f, struct cmd *c)
{
	if (c->parity) {
		bus_dev_inject_parity_error(f->init[c->who],
					    (uint32_t)c->parity);
		f->parity_armed[c->who] = 1;
	}
	if (f->parity_armed[c->who]) {
		c->well_formed = 0;
		f->illegal_pending[c->who] = 0;
	}
	f->busy[c->who] = c;
	if (f->debug)
		fprintf(stderr, "%.3f us: initiator %d starts %02x (%u bytes "
			"of CDB, dir %d, %u buffer%s%s)\n",
			(double)sim_now(&f->sim) / SIM_US, f->init_id[c->who],
			c->bc.cdb[0], c->bc.cdb_len, (int)c->bc.dir,
			c->bc.data_len, c->bc.message_only ? ", BDR only" : "",
			c->abort_after ? ", to be aborted" : "");
	if (c->abort_after)
		sim_schedule_in(&f->sim, &c->abort_ev, c->abort_after);
	enum sn_err err = bus_dev_command(f->init[c->who], &c->bc);
	FZ_CHECK(err == SN_OK, "bus_dev_command: %s", sn_strerror(err));
}

static void issue(struct sim *sim, struct sim_event *ev, void *arg)
{
	(void)sim;
	(void)ev;
	struct cmd *c = arg;
	struct fuzz *f = c->f;
	if (f->busy[c->who] == NULL) {
		start(f, c);
		return;
	}
	c->next = NULL;
	if (f->wait_head[c->who] != NULL)
		f->wait_tail[c->who]->next = c;
	else
		f->wait_head[c->who] = c;
	f->wait_tail[c->who] = c;
}

/* --- the input ------------------------------------------------------------ */

static int well_formed(const struct bus_cmd *b)
{
	uint8_t op = b->cdb[0];
	if (b->message_only || b->cdb_len < scsi_cdb_len(op))
		return 0;
	switch (op) {
	case SCSI_OP_TEST_UNIT_READY:
		return b->dir == BUS_DIR_NONE;
	case SCSI_OP_INQUIRY:
	case SCSI_OP_REQUEST_SENSE: {
		uint32_t want = op == SCSI_OP_INQUIRY ? STATION_INQUIRY_LEN
						      : STATION_SENSE_LEN;
		if (b->cdb[4] < want)
			want = b->cdb[4];
		return want == 0 ? b->dir == BUS_DIR_NONE
				 : b->dir == BUS_DIR_IN && b->data_len >= want;
	}
	case SCSI_OP_SEND_MESSAGE10: {
		uint32_t len = (uint32_t)b->cdb[7] << 8 | b->cdb[8];
		/* BUSY moves nothing: an OUT buffer is right either way */
		return len == 0 ? b->dir == BUS_DIR_NONE
				: b->dir == BUS_DIR_OUT && b->data_len == len;
	}
	default:
		return b->dir == BUS_DIR_NONE;
	}
}

static const sim_time_t waits[4] = { 0, 10 * SIM_US, 1 * SIM_MS,
				     100 * SIM_MS };

static void read_commands(struct fuzz *f, struct fz_in *in)
{
	sim_time_t at = 10 * SIM_US;
	uint32_t bytes = 0;
	while (f->ncmds < MAX_CMDS && in->n > 0) {
		struct cmd *c = &f->cmds[f->ncmds];
		memset(c, 0, sizeof *c);
		c->f = f;
		uint8_t ctl = fz_u8(in);
		c->who = (ctl >> 6) & 1;
		if (ctl & 8) {
			c->parity = 1 + fz_u8(in);
			f->any_parity = 1;
		}
		if (ctl & 0x80)
			c->abort_after = (1 + fz_u8(in)) * 2 * SIM_US;
		sim_event_init(&c->abort_ev, abort_now, c, "fuzz.abort");
		struct bus_cmd *b = &c->bc;
		b->target = 2;
		uint8_t len = fz_u8(in);
		b->cdb_len = len == 0 ? 6 : len > 16 ? 16 : len;
		size_t got;
		const uint8_t *p = fz_bytes(in, b->cdb_len, &got);
		memcpy(b->cdb, p, got);
		station_alone(b->cdb, b->cdb_len);
		if (b->cdb[0] == SCSI_OP_SEND_MESSAGE10) {
			uint32_t dl = (uint32_t)b->cdb[7] << 8 | b->cdb[8];
			if (bytes + dl > BYTES_MAX) {
				dl %= 4096;
				b->cdb[7] = (uint8_t)(dl >> 8);
				b->cdb[8] = (uint8_t)dl;
			}
			bytes += dl;
		}
		switch (ctl & 3) {
		case 0: b->dir = BUS_DIR_NONE; break;
		case 1: b->dir = BUS_DIR_OUT; break;
		case 2: b->dir = BUS_DIR_IN; break;
		default: b->message_only = 0x0c; break; /* BUS DEVICE RESET */
		}
		/* pending (station-bdr-ignored): the AHA-1522's target mode
		 * takes no notice of BUS DEVICE RESET, runs the CDB the
		 * initiator then gives it, and can livelock the bus (the
		 * initiator has dropped the synchronous agreement, the target
		 * has not): no BUS DEVICE RESET to it until that is fixed */
		b->data_len = fz_u16(in);
		if (b->message_only && f->isa &&
		    fz_pending("station-bdr-ignored"))
			continue;
		if (b->data_len > 0) {
			b->data = calloc(1, b->data_len);
			FZ_CHECK(b->data != NULL, "out of memory");
		}
		if (b->dir == BUS_DIR_OUT) {
			if (ctl & 4) {
				for (uint32_t i = 0; i < b->data_len; i++)
					b->data[i] = (uint8_t)(i * 13 + 1);
			} else {
				p = fz_bytes(in, b->data_len, &got);
				if (got > 0)
					memcpy(b->data, p, got);
			}
		}
		b->done = cmd_done;
		b->arg = c;
		c->well_formed = well_formed(b);
		at += waits[(ctl >> 4) & 3];
		sim_event_init(&c->ev, issue, c, "fuzz.issue");
		sim_schedule_at(&f->sim, &c->ev, at);
		f->ncmds++;
	}
}

/* The datagrams handed up, per initiator, are the SEND MESSAGE(10)s
 * that ended GOOD, in order, with their type, length and bytes. */
static void check_deliveries(struct fuzz *f)
{
	for (int who = 0; who < 2; who++) {
		int k = 0;
		for (int i = 0; i < f->ncmds; i++) {
			const struct cmd *c = &f->cmds[i];
			const struct bus_cmd *b = &c->bc;
			uint32_t len = (uint32_t)b->cdb[7] << 8 | b->cdb[8];
			/* the station's GOOD is what counts, even where the
			 * initiator had too few bytes to give and sent zeros
			 * (a protocol error on its side only): a CDB cut
			 * short reaches the station padded with zeros, as
			 * b->cdb is */
			if (c->who != who || b->message_only ||
			    b->cdb[0] != SCSI_OP_SEND_MESSAGE10 || len == 0)
				continue;
			while (k < f->nrx && f->rx[k].from != f->init_id[who])
				k++;
			if (b->status != SCSI_STATUS_GOOD) {
				/* aborted once its data was in, a station may
				 * have handed it up or not: either is right */
				if (c->aborted && k < f->nrx &&
				    f->rx[k].len == len &&
				    f->rx[k].type == (b->cdb[5] & 15))
					k++;
				continue;
			}
			FZ_CHECK(k < f->nrx, "initiator %d: SEND MESSAGE(10) "
				 "%d ended GOOD but the host was not handed "
				 "it", f->init_id[who], i);
			const struct delivery *d = &f->rx[k++];
			FZ_CHECK(d->type == (b->cdb[5] & 15) && d->len == len,
				 "initiator %d: command %d sent type %u, %u "
				 "bytes; the host got type %u, %u bytes",
				 f->init_id[who], i, b->cdb[5] & 15, len,
				 d->type, d->len);
			if (c->well_formed)
				FZ_CHECK(memcmp(d->data, b->data, len) == 0,
					 "initiator %d: command %d's bytes "
					 "changed on the way", f->init_id[who],
					 i);
		}
		while (k < f->nrx && f->rx[k].from != f->init_id[who])
			k++;
		FZ_CHECK(k == f->nrx, "initiator %d: the host was handed a "
			 "datagram no command sent GOOD", f->init_id[who]);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct {
		const char *profile;
		enum bus_width width;
		enum bus_speed speed;
		int disconnect;
	} stations[4] = {
		{ "aha1522", BUS_NARROW, BUS_SPEED_SCSI2, 0 },
		{ "pci-fw", BUS_WIDE, BUS_SPEED_FAST, 0 },
		{ "aha1522", BUS_NARROW, BUS_SPEED_SCSI2, 1 },
		{ "aic6360", BUS_NARROW, BUS_SPEED_FAST, 0 },
	};
	struct fz_in in = { data, size };
	int which = fz_u8(&in) & 3;
	uint8_t init = fz_u8(&in);
	struct fuzz *f = calloc(1, sizeof *f);
	FZ_CHECK(f != NULL, "out of memory");
	const char *dbg = getenv("FUZZ_DEBUG");
	f->debug = dbg != NULL && dbg[0] == '1';
	FZ_CHECK(sim_init(&f->sim, 1) == SN_OK, "sim_init");
	struct bus_config bc = { .name = "S", .width = stations[which].width,
				 .electrical = BUS_SE,
				 .speed = stations[which].speed,
				 .length_mm = 2000 };
	FZ_CHECK(bus_create(&f->sim, &bc, &f->bus) == SN_OK, "bus_create");
	FZ_CHECK(bus_check_attach(&f->chk, f->bus) == SN_OK, "bus_check");
	struct adapter_config ac = {
		.profile = stations[which].profile, .scsi_id = 2,
		.pos_mm = 300, .rx_slots = init & 16 ? 1 : 2,
		.target_disconnect = stations[which].disconnect,
		.busy_retries = -1, .error_retries = -1,
	};
	FZ_CHECK(adapter_create(f->bus, &ac, &f->ad) == SN_OK,
		 "adapter_create");
	FZ_CHECK(adapter_set_receiver(f->ad, host_rx, f) == SN_OK,
		 "adapter_set_receiver");
	f->late_done = (init & 4) != 0;
	f->isa = which != 1;
	sim_event_init(&f->give_back, give_back, f, "fuzz.give_back");
	int wide = stations[which].width == BUS_WIDE;
	f->init_id[0] = 7;
	f->init_id[1] = wide ? 12 : 4;
	for (int i = 0; i < 2; i++) {
		int fast = stations[which].speed == BUS_SPEED_FAST;
		struct bus_dev_config dc = {
			.id = f->init_id[i],
			.sync_period = init & 1 ? (fast ? 100 : 200) * SIM_NS
						: 0,
			.sync_offset = init & 1 ? 8 : 0,
			.wide = (uint8_t)(wide && (init & 2)),
			.allow_disconnect = (uint8_t)((init & 8) != 0),
			.latency = BUS_DEV_DEFAULT_LATENCY,
		};
		FZ_CHECK(bus_dev_create(f->bus, i ? "I2" : "I1",
					(uint32_t)(1000 + 500 * i), &dc,
					&f->init[i]) == SN_OK,
			 "bus_dev_create");
	}
	read_commands(f, &in);
	sim_run_until(&f->sim, sim_now(&f->sim) + QUIET_AFTER);
	FZ_CHECK(sim_pending_count(&f->sim) == 0,
		 "still busy %llu s after the commands: %u events pending, "
		 "%llu events run", (unsigned long long)(QUIET_AFTER / SIM_S),
		 sim_pending_count(&f->sim),
		 (unsigned long long)sim_events_run(&f->sim));
	for (int i = 0; i < f->ncmds; i++)
		FZ_CHECK(f->cmds[i].ended, "command %d (%02x) never ended", i,
			 f->cmds[i].bc.cdb[0]);
	check_deliveries(f);
	bus_trace_flush(f->bus);
	const struct bus_check_violation *v = bus_check_get(f->chk, 0);
	FZ_CHECK(f->any_parity || bus_check_total(f->chk) == 0,
		 "%llu bus protocol violations, the first: %s",
		 (unsigned long long)bus_check_total(f->chk),
		 v ? v->text : "?");

	bus_check_detach(f->chk);
	for (int i = 0; i < 2; i++)
		bus_dev_destroy(f->init[i]);
	adapter_destroy(f->ad);
	bus_destroy(f->bus);
	FZ_CHECK(sim_pending_count(&f->sim) == 0 &&
		 sim_alloc_stats(&f->sim)->live_allocs == 0,
		 "after teardown: %u events pending, %llu allocations live",
		 sim_pending_count(&f->sim),
		 (unsigned long long)sim_alloc_stats(&f->sim)->live_allocs);
	sim_fini(&f->sim);
	for (int i = 0; i < f->ncmds; i++)
		free(f->cmds[i].bc.data);
	for (int i = 0; i < f->nrx; i++)
		free(f->rx[i].data);
	free(f);
	return 0;
}
