/*
 * viz_scsicap.c - SCSI frames in pcapng (see viz_scsicap.h).
 *
 * pcapng block layouts from the pcapng specification (IETF draft
 * draft-ietf-opsawg-pcapng): every block is type, total length, body,
 * total length again, padded to 32 bits; options are code, length,
 * value padded to 32 bits, ended by opt_endofopt.
 */
#include "viz_scsicap.h"

#include <stdio.h>
#include <string.h>

#include "viz_decode.h"

/* pcapng block types and option codes */
#define PCAPNG_SHB 0x0A0D0D0Au
#define PCAPNG_IDB 0x00000001u
#define PCAPNG_EPB 0x00000006u
#define PCAPNG_BYTE_ORDER_MAGIC 0x1A2B3C4Du
#define OPT_ENDOFOPT 0
#define OPT_COMMENT 1
#define OPT_SHB_USERAPPL 4
#define OPT_IF_NAME 2
#define OPT_IF_TSRESOL 9
#define OPT_IF_HARDWARE 15
#define OPT_CUSTOM_COPY 0x0BAD    /* a copyable custom option */

#define DRAFT_REV "LINKTYPE_PARALLEL_SCSI draft at squishy-scsi/" \
		  "wireshark-scsi git rev 35ba02a (docs/"           \
		  "LINKTYPE_PARALLEL_SCSI.md); frame type 0x06 is "   \
		  "scsinet's, for the STATUS phase"

struct cbus {
	struct bus *bus;
	struct viz_decoder dec;
	int initiator, target;        /* of the connection, -1 unknown */
	uint8_t *data;                /* every byte of the phase */
	uint32_t len, cap;
};

struct viz_scsicap {
	struct sim *sim;
	FILE *f;
	int bad;
	struct sim_trace_sub sub;
	struct cbus *bus;
	int nbus;
	uint64_t frames;
	uint8_t *blk;                 /* a block being built */
	uint32_t blen, bcap;
};

/* --- building a block, big-endian ------------------------------------------ */

static int room(struct viz_scsicap *c, uint32_t more)
{
	if (c->blen + more <= c->bcap)
		return 0;
	uint32_t cap = c->bcap ? c->bcap : 256;
	while (cap < c->blen + more)
		cap *= 2;
	uint8_t *p = sim_realloc(c->sim, c->blk, cap);
	if (p == NULL)
		return -1;
	c->blk = p;
	c->bcap = cap;
	return 0;
}

static void put_bytes(struct viz_scsicap *c, const void *p, uint32_t n)
{
	if (n == 0)
		return;
	if (room(c, n + 3) != 0) {
		c->bad = 1;
		return;
	}
	memcpy(c->blk + c->blen, p, n);
	c->blen += n;
}

static void put32(struct viz_scsicap *c, uint32_t v)
{
	uint8_t b[4] = { (uint8_t)(v >> 24), (uint8_t)(v >> 16),
			 (uint8_t)(v >> 8), (uint8_t)v };
	put_bytes(c, b, 4);
}

static void put16(struct viz_scsicap *c, uint16_t v)
{
	uint8_t b[2] = { (uint8_t)(v >> 8), (uint8_t)v };
	put_bytes(c, b, 2);
}

static void pad32(struct viz_scsicap *c)
{
	static const uint8_t zero[3];
	put_bytes(c, zero, (4 - c->blen % 4) % 4);
}

static void option(struct viz_scsicap *c, uint16_t code, const void *v,
		   uint16_t len)
{
	put16(c, code);
	put16(c, len);
	put_bytes(c, v, len);
	pad32(c);
}

static void block_begin(struct viz_scsicap *c, uint32_t type)
{
	c->blen = 0;
	put32(c, type);
	put32(c, 0); /* total length, set at the end */
}

/* Close the block (trailing length) and write it out. */
static void block_end(struct viz_scsicap *c)
{
	pad32(c);
	put32(c, 0);
	if (c->bad)
		return;
	uint32_t n = c->blen;
	for (int k = 0; k < 4; k++) {
		c->blk[4 + k] = (uint8_t)(n >> (24 - 8 * k));
		c->blk[n - 4 + k] = (uint8_t)(n >> (24 - 8 * k));
	}
	if (fwrite(c->blk, 1, n, c->f) != n)
		c->bad = 1;
}

/* --- frames ---------------------------------------------------------------- */

static void frame(struct viz_scsicap *c, int b, sim_time_t t,
		  enum viz_scsicap_type type, int orig, int dest,
		  const uint8_t *data, uint32_t len)
{
	/* pcapng timestamps in if_tsresol units (ns), high word first */
	uint64_t ts = (uint64_t)(t / SIM_NS);
	uint32_t flen = VIZ_SCSICAP_HEADER_LEN + len;
	flen += (4 - flen % 4) % 4;
	block_begin(c, PCAPNG_EPB);
	put32(c, (uint32_t)b);
	put32(c, (uint32_t)(ts >> 32));
	put32(c, (uint32_t)ts);
	put32(c, flen); /* captured */
	put32(c, flen); /* original */
	/* the draft's transfer frame */
	put32(c, VIZ_SCSICAP_HEADER_LEN);
	uint8_t ids[3] = { (uint8_t)type, (uint8_t)(orig < 0 ? 0xFF : orig),
			   (uint8_t)(dest < 0 ? 0xFF : dest) };
	put_bytes(c, ids, 3);
	static const uint8_t reserved[17];
	put_bytes(c, reserved, sizeof reserved);
	put32(c, len);
	put_bytes(c, data, len);
	pad32(c);
	block_end(c); /* no options */
	if (!c->bad)
		c->frames++;
}

/* The ID bits of DB, 1 byte, or 2 (big-endian) on a wide bus. */
static uint32_t id_bytes(const struct cbus *cb, uint16_t ids, uint8_t out[2])
{
	if (cb->bus->width == BUS_WIDE) {
		out[0] = (uint8_t)(ids >> 8);
		out[1] = (uint8_t)ids;
		return 2;
	}
	out[0] = (uint8_t)ids;
	return 1;
}

/* Phase `dec.phase` of bus b ends at t: its frame. */
static void phase_ended(struct viz_scsicap *c, int b, enum bus_phase next,
			sim_time_t t)
{
	struct cbus *cb = &c->bus[b];
	const struct viz_decoder *d = &cb->dec;
	enum bus_phase p = d->phase;
	uint8_t idb[2];
	(void)t;
	switch (p) {
	case BUS_PH_ARBITRATION:
		if (d->arb_ids && (next == BUS_PH_SELECTION ||
				   next == BUS_PH_RESELECTION))
			frame(c, b, d->phase_at, VIZ_SCSICAP_ARBITRATION,
			      viz_arb_winner(d->arb_ids), -1, idb,
			      id_bytes(cb, d->arb_ids, idb));
		return;
	case BUS_PH_SELECTION:
	case BUS_PH_RESELECTION: {
		if (next == BUS_PH_SELECTION || next == BUS_PH_RESELECTION)
			return; /* still selecting (SEL before I/O) */
		int ini, tgt;
		viz_decoder_pair(d, &ini, &tgt);
		int resel = p == BUS_PH_RESELECTION;
		frame(c, b, d->phase_at, VIZ_SCSICAP_SELECTION,
		      resel ? tgt : ini, resel ? ini : tgt, idb,
		      id_bytes(cb, d->sel_ids, idb));
		if (next != BUS_PH_BUS_FREE) {
			cb->initiator = ini;
			cb->target = tgt;
		}
		return;
	}
	default:
		break;
	}
	if (p > BUS_PH_MSG_IN || cb->len == 0)
		return;
	int in = bus_phase_is_in(p);
	int orig = in ? cb->target : cb->initiator;
	int dest = in ? cb->initiator : cb->target;
	enum viz_scsicap_type type;
	switch (p) {
	case BUS_PH_COMMAND: type = VIZ_SCSICAP_COMMAND; break;
	case BUS_PH_DATA_OUT: type = VIZ_SCSICAP_DATA_OUT; break;
	case BUS_PH_DATA_IN: type = VIZ_SCSICAP_DATA_IN; break;
	case BUS_PH_STATUS: type = VIZ_SCSICAP_STATUS; break;
	default: type = VIZ_SCSICAP_MESSAGE; break;
	}
	frame(c, b, d->phase_at, type, orig, dest, cb->data, cb->len);
}

static void on_lines(const struct sim_trace_record *rec, void *arg)
{
	struct viz_scsicap *c = arg;
	int b = 0;
	while (b < c->nbus && c->bus[b].bus->src != rec->source)
		b++;
	if (b == c->nbus || rec->len < sizeof(struct bus_trace_lines))
		return;
	struct cbus *cb = &c->bus[b];
	struct bus_trace_lines l;
	memcpy(&l, rec->data, sizeof l);
	enum bus_phase p = (enum bus_phase)l.phase;
	uint16_t ctl = l.bus.ctl, db = l.bus.db, ch = l.changed;
	if (p != cb->dec.phase) {
		phase_ended(c, b, p, rec->time);
		if (p == BUS_PH_RESET) {
			static const uint8_t rst = 0x01;
			frame(c, b, rec->time, VIZ_SCSICAP_BUS_CONDITION, -1,
			      -1, &rst, 1);
		}
		if (p == BUS_PH_BUS_FREE || p == BUS_PH_RESET)
			cb->initiator = cb->target = -1;
		viz_decoder_enter(&cb->dec, p, rec->time);
		cb->len = 0;
	}
	uint32_t before = cb->dec.nbytes;
	viz_decoder_take(&cb->dec, p, ctl, db, ch);
	if (cb->dec.nbytes == before)
		return;
	/* a byte (a word on a wide bus in a data phase) was taken */
	int word = cb->bus->width == BUS_WIDE &&
		   (p == BUS_PH_DATA_OUT || p == BUS_PH_DATA_IN);
	uint32_t n = word ? 2 : 1;
	if (cb->len + n > cb->cap) {
		uint32_t cap = cb->cap ? cb->cap * 2 : 512;
		uint8_t *q = sim_realloc(c->sim, cb->data, cap);
		if (q == NULL) {
			c->bad = 1;
			return;
		}
		cb->data = q;
		cb->cap = cap;
	}
	/* DB(7-0) carries the first byte of a wide transfer */
	cb->data[cb->len++] = (uint8_t)db;
	if (word)
		cb->data[cb->len++] = (uint8_t)(db >> 8);
}

/* --- the interface --------------------------------------------------------- */

enum sn_err viz_scsicap_open(struct sim *sim, const char *path,
			     struct viz_scsicap **out)
{
	if (sim == NULL || path == NULL || out == NULL)
		return SN_EINVAL;
	struct viz_scsicap *c = sim_calloc(sim, 1, sizeof *c);
	if (c == NULL)
		return SN_ENOMEM;
	c->sim = sim;
	c->f = fopen(path, "wb");
	if (c->f == NULL) {
		sim_free(sim, c);
		return SN_EIO;
	}
	block_begin(c, PCAPNG_SHB);
	put32(c, PCAPNG_BYTE_ORDER_MAGIC);
	put16(c, 1); /* version 1.0 */
	put16(c, 0);
	put32(c, 0xFFFFFFFFu); /* section length: not given */
	put32(c, 0xFFFFFFFFu);
	option(c, OPT_COMMENT, DRAFT_REV, (uint16_t)strlen(DRAFT_REV));
	option(c, OPT_SHB_USERAPPL, "scsinet", 7);
	option(c, OPT_ENDOFOPT, NULL, 0);
	block_end(c);
	if (c->bad) {
		fclose(c->f);
		sim_free(sim, c->blk);
		sim_free(sim, c);
		return SN_EIO;
	}
	sim_trace_subscribe(sim, &c->sub, SIM_TR_MASK(SIM_TR_BUS_LINES),
			    on_lines, c);
	*out = c;
	return SN_OK;
}

/* The draft's bus flags: R CCC WWWW TT E P RRRR, from the top bit. */
static uint16_t bus_flags(const struct bus *b)
{
	/* the draft's clock field: 5 MHz 000, 10 MHz 001, 20 MHz 010 */
	unsigned clock = b->speed == BUS_SPEED_FAST20 ? 2
			 : b->speed == BUS_SPEED_FAST ? 1
						      : 0;
	unsigned width = b->width == BUS_WIDE ? 1 : 0;
	unsigned elec = b->electrical == BUS_HVD ? 0 : 1; /* SE 01 */
	return (uint16_t)(clock << 12 | width << 8 | elec << 6);
}

enum sn_err viz_scsicap_add_bus(struct viz_scsicap *c, struct bus *bus)
{
	if (c == NULL || bus == NULL)
		return SN_EINVAL;
	struct cbus *nb = sim_realloc(c->sim, c->bus,
				      (size_t)(c->nbus + 1) * sizeof *nb);
	if (nb == NULL)
		return SN_ENOMEM;
	c->bus = nb;
	struct cbus *cb = &c->bus[c->nbus++];
	memset(cb, 0, sizeof *cb);
	cb->bus = bus;
	cb->initiator = cb->target = -1;
	viz_decoder_init(&cb->dec);
	block_begin(c, PCAPNG_IDB);
	put16(c, VIZ_SCSICAP_LINKTYPE);
	put16(c, 0);
	put32(c, 0); /* snaplen: none */
	option(c, OPT_IF_NAME, bus->name, (uint16_t)strlen(bus->name));
	static const char hw[] = "scsinet simulated SCSI bus";
	option(c, OPT_IF_HARDWARE, hw, sizeof hw - 1);
	static const uint8_t tsresol = 9; /* nanoseconds */
	option(c, OPT_IF_TSRESOL, &tsresol, 1);
	/* the draft's bus metadata: PEN, sub-ID 0, flags, 8 reserved */
	uint8_t meta[16] = { 0 };
	uint16_t fl = bus_flags(bus);
	meta[0] = (uint8_t)(VIZ_SCSICAP_PEN >> 24);
	meta[1] = (uint8_t)(VIZ_SCSICAP_PEN >> 16);
	meta[2] = (uint8_t)(VIZ_SCSICAP_PEN >> 8);
	meta[3] = (uint8_t)VIZ_SCSICAP_PEN;
	meta[6] = (uint8_t)(fl >> 8);
	meta[7] = (uint8_t)fl;
	option(c, OPT_CUSTOM_COPY, meta, sizeof meta);
	option(c, OPT_ENDOFOPT, NULL, 0);
	block_end(c);
	return c->bad ? SN_EIO : SN_OK;
}

enum sn_err viz_scsicap_close(struct viz_scsicap *c)
{
	if (c == NULL)
		return SN_OK;
	for (int b = 0; b < c->nbus; b++)
		bus_trace_flush(c->bus[b].bus);
	sim_trace_unsubscribe(c->sim, &c->sub);
	int bad = c->bad;
	if (fflush(c->f) != 0 || ferror(c->f))
		bad = 1;
	if (fclose(c->f) != 0)
		bad = 1;
	for (int b = 0; b < c->nbus; b++)
		sim_free(c->sim, c->bus[b].data);
	sim_free(c->sim, c->bus);
	sim_free(c->sim, c->blk);
	sim_free(c->sim, c);
	return bad ? SN_EIO : SN_OK;
}

uint64_t viz_scsicap_frames(const struct viz_scsicap *c)
{
	return c->frames;
}
