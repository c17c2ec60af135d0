/*
 * viz_decode.c - reading a SCSI bus from its lines (see viz_decode.h).
 */
#include "viz_decode.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void viz_decoder_init(struct viz_decoder *d)
{
	memset(d, 0, sizeof *d);
	d->phase = BUS_PH_BUS_FREE;
}

void viz_decoder_enter(struct viz_decoder *d, enum bus_phase p, sim_time_t t)
{
	if (p == BUS_PH_ARBITRATION)
		d->arb_ids = 0;
	if (p == BUS_PH_SELECTION || p == BUS_PH_RESELECTION) {
		d->sel_ids = 0;
		d->sel_atn = 0;
	}
	d->phase = p;
	d->phase_at = t;
	d->nbytes = 0;
}

void viz_decoder_take(struct viz_decoder *d, enum bus_phase p, uint16_t ctl,
		      uint16_t db, uint16_t changed)
{
	switch (p) {
	case BUS_PH_ARBITRATION:
		d->arb_ids |= db;
		break;
	case BUS_PH_SELECTION:
	case BUS_PH_RESELECTION:
		/* the winner's and the partner's ID bits, once both are on
		 * DB (the winner alone may show first) */
		if (__builtin_popcount(db) == 2)
			d->sel_ids = db;
		if (ctl & BUS_ATN)
			d->sel_atn = 1;
		break;
	default: {
		if (p > BUS_PH_MSG_IN)
			break;
		/* the byte is valid on the strobe of whoever sends it: the
		 * target's REQ in an IN phase (I/O set), the initiator's ACK
		 * in an OUT phase */
		uint16_t strobe = (p & 1) ? BUS_REQ : BUS_ACK;
		if ((changed & strobe) && (ctl & strobe)) {
			if (d->nbytes < VIZ_DECODE_BYTES)
				d->bytes[d->nbytes] = (uint8_t)db;
			d->nbytes++;
		}
		break;
	}
	}
}

/* Arbitration priority rank: higher wins (SCSI-2 5.1.2; a wide bus ranks
 * 7..0 above 15..8). */
static int rank(int id)
{
	return id < 8 ? id + 8 : id - 8;
}

int viz_arb_winner(uint16_t ids)
{
	int best = -1;
	for (int id = 0; id < 16; id++)
		if ((ids >> id & 1) && (best < 0 || rank(id) > rank(best)))
			best = id;
	return best;
}

void viz_decoder_pair(const struct viz_decoder *d, int *initiator,
		      int *target)
{
	int winner = d->arb_ids ? viz_arb_winner(d->arb_ids)
				: viz_arb_winner(d->sel_ids);
	int partner = winner >= 0 ? viz_arb_winner((uint16_t)(
					    d->sel_ids & ~(1u << winner)))
				  : -1;
	int resel = d->phase == BUS_PH_RESELECTION;
	*initiator = resel ? partner : winner;
	*target = resel ? winner : partner;
}

/* Append formatted text at *len, keeping buf terminated and within cap. */
static void put(char *buf, size_t cap, size_t *len, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void put(char *buf, size_t cap, size_t *len, const char *fmt, ...)
{
	if (*len + 1 >= cap)
		return;
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf + *len, cap - *len, fmt, ap);
	va_end(ap);
	if (n > 0)
		*len += (size_t)n < cap - *len ? (size_t)n : cap - *len - 1;
}

void viz_decode_messages(const uint8_t *m, uint32_t n, int brief, char *buf,
			 size_t cap)
{
	/* one-byte messages 00h..0Ch (SCSI-2 5.6, Table 10); 01h begins an
	 * extended message and is named only when cut short */
	static const char *const names[] = {
		"COMMAND COMPLETE", "EXTENDED (cut short)",
		"SAVE DATA POINTER", "RESTORE POINTERS", "DISCONNECT",
		"INITIATOR DETECTED ERROR", "ABORT", "MESSAGE REJECT",
		"NO OPERATION", "MESSAGE PARITY ERROR",
		"LINKED COMMAND COMPLETE",
		"LINKED COMMAND COMPLETE (WITH FLAG)", "BUS DEVICE RESET",
	};
	size_t len = 0;
	if (cap == 0)
		return;
	buf[0] = '\0';
	for (uint32_t i = 0; i < n;) {
		uint8_t c = m[i];
		if (i)
			put(buf, cap, &len, "; ");
		if (c & 0x80) {
			/* IDENTIFY: bit 6 grants disconnection, LUN in 2-0 */
			if (brief)
				put(buf, cap, &len, "IDENTIFY LUN %u%s", c & 7u,
				    (c & 0x40) ? " disc" : "");
			else
				put(buf, cap, &len, "IDENTIFY (LUN %u%s)",
				    c & 7u,
				    (c & 0x40) ? ", may disconnect" : "");
			i++;
		} else if (c == 0x01 && i + 1 < n && i + 2u + m[i + 1] <= n) {
			/* extended: 01h, length, code, arguments (Table 18) */
			const uint8_t *x = m + i + 2;
			uint32_t xl = m[i + 1];
			if (xl == 3 && x[0] == 0x01) {
				if (brief)
					put(buf, cap, &len, "SDTR %uns off %u",
					    4u * x[1], x[2]);
				else
					put(buf, cap, &len,
					    "SDTR: period %u ns, offset %u%s",
					    4u * x[1], x[2],
					    x[2] ? "" : " (asynchronous)");
			} else if (xl == 2 && x[0] == 0x03) {
				put(buf, cap, &len,
				    brief ? "WDTR %u-bit" : "WDTR: %u-bit "
							    "transfers",
				    8u << (x[1] & 3));
			} else if (xl == 0) {
				put(buf, cap, &len, "EXTENDED (empty)");
			} else {
				put(buf, cap, &len, "EXTENDED MESSAGE %02X",
				    x[0]);
			}
			i += 2u + xl;
		} else {
			if (c < sizeof names / sizeof names[0])
				put(buf, cap, &len, "%s", names[c]);
			else
				put(buf, cap, &len, "message %02X", c);
			i++;
		}
	}
}

void viz_decode_cdb(const uint8_t *c, uint32_t n, int brief, char *buf,
		    size_t cap)
{
	size_t len = 0;
	if (cap == 0)
		return;
	buf[0] = '\0';
	if (!brief)
		for (uint32_t i = 0; i < n && i < 12; i++)
			put(buf, cap, &len, "%s%02X", i ? " " : "", c[i]);
	if (n == 0) {
		if (brief)
			put(buf, cap, &len, "CMD (empty)");
		return;
	}
	const char *sep = brief ? "" : ": ";
	switch (c[0]) {
	case 0x2A:
		/* RFC 2143 section 3: SEND MESSAGE(10), the type in the low
		 * bits of byte 5, the length in bytes 7-8 */
		if (n >= 10) {
			unsigned type = c[5] & 0x0fu;
			unsigned bytes = (unsigned)c[7] << 8 | c[8];
			if (brief)
				put(buf, cap, &len,
				    "SEND MESSAGE(10) %u B type %u%s", bytes,
				    type,
				    type == 0   ? " IPv4"
				    : type == 1 ? " ARP"
						: "");
			else
				put(buf, cap, &len,
				    ": SEND MESSAGE(10), %u bytes, RFC 2143 "
				    "type %u%s",
				    bytes, type,
				    type == 0   ? " (IPv4)"
				    : type == 1 ? " (address resolution)"
						: "");
		} else if (brief) {
			put(buf, cap, &len, "CMD 2Ah (%u bytes)", n);
		}
		break;
	case 0x12: put(buf, cap, &len, "%sINQUIRY", sep); break;
	case 0x03: put(buf, cap, &len, "%sREQUEST SENSE", sep); break;
	case 0x00: put(buf, cap, &len, "%sTEST UNIT READY", sep); break;
	default:
		put(buf, cap, &len, brief ? "CMD %02Xh" : ": operation code "
							  "%02Xh",
		    c[0]);
		break;
	}
}

const char *viz_decode_status(uint8_t s)
{
	switch (s) {
	case 0x00: return "GOOD";
	case 0x02: return "CHECK CONDITION";
	case 0x04: return "CONDITION MET";
	case 0x08: return "BUSY";
	case 0x10: return "INTERMEDIATE";
	case 0x14: return "INTERMEDIATE-CONDITION MET";
	case 0x18: return "RESERVATION CONFLICT";
	case 0x22: return "COMMAND TERMINATED";
	case 0x28: return "QUEUE FULL";
	default: return "status";
	}
}
