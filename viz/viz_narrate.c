/*
 * viz_narrate.c - the bus in plain words (see viz_narrate.h).
 */
#include "viz_narrate.h"

#include <stdlib.h>
#include <string.h>

#define NARRATE_MAX_BUSES 64
#define SHOW_BYTES 24             /* bytes printed per phase */

struct nbus {
	const struct bus *bus;
	enum bus_phase phase;
	sim_time_t phase_at, conn_at;
	uint16_t arb_ids;             /* DB seen during arbitration */
	uint16_t sel_ids;             /* the two IDs of (re)selection */
	int sel_atn;
	int initiator, target;        /* of the connection, -1 unknown */
	uint8_t bytes[SHOW_BYTES];
	uint32_t nbytes;              /* handshakes in this phase */
	/* the command, for the one-line level */
	uint8_t cdb[12];
	uint32_t ncdb;
	int status;                   /* -1 none yet */
	uint32_t data;
};

struct viz_narrate {
	struct sim *sim;
	FILE *out;
	enum viz_narrate_level level;
	struct sim_trace_sub sub;
	struct nbus bus[NARRATE_MAX_BUSES];
	int nbus;
};

static const char *phase_name(enum bus_phase p)
{
	switch (p) {
	case BUS_PH_DATA_OUT: return "DATA OUT";
	case BUS_PH_DATA_IN: return "DATA IN";
	case BUS_PH_COMMAND: return "COMMAND";
	case BUS_PH_STATUS: return "STATUS";
	case BUS_PH_MSG_OUT: return "MESSAGE OUT";
	case BUS_PH_MSG_IN: return "MESSAGE IN";
	case BUS_PH_BUS_FREE: return "BUS FREE";
	case BUS_PH_ARBITRATION: return "ARBITRATION";
	case BUS_PH_SELECTION: return "SELECTION";
	case BUS_PH_RESELECTION: return "RESELECTION";
	case BUS_PH_RESET: return "RESET";
	default: return "(reserved phase)";
	}
}

/* Arbitration priority (SCSI-2 5.1.2; wide: 7..0, then 15..8). */
static int rank(int id)
{
	return id < 8 ? id + 8 : id - 8;
}

static int highest(uint16_t ids)
{
	int best = -1;
	for (int id = 0; id < 16; id++)
		if ((ids >> id & 1) && (best < 0 || rank(id) > rank(best)))
			best = id;
	return best;
}

static void stamp(struct viz_narrate *n, const struct nbus *b, sim_time_t t)
{
	char ts[40];
	sim_time_format_fixed(t, SIM_S, 9, ts, sizeof ts);
	fprintf(n->out, "%14s s  %s: ", ts, b->bus->name);
}

/* Messages, as SCSI-2 5.6 names them. */
static void say_messages(FILE *out, const uint8_t *m, uint32_t len)
{
	for (uint32_t i = 0; i < len;) {
		uint8_t c = m[i];
		if (i)
			fputs("; ", out);
		if (c & 0x80) {
			fprintf(out, "IDENTIFY (LUN %u%s)", c & 7,
				(c & 0x40) ? ", may disconnect" : "");
			i++;
		} else if (c == 0x01 && i + 1 < len && i + 2 + m[i + 1] <= len) {
			const uint8_t *x = m + i + 2;
			if (m[i + 1] == 3 && x[0] == 0x01)
				fprintf(out, "SDTR: period %u ns, offset %u%s",
					x[1] * 4u, x[2],
					x[2] ? "" : " (asynchronous)");
			else if (m[i + 1] == 2 && x[0] == 0x03)
				fprintf(out, "WDTR: %u-bit transfers",
					8u << x[1]);
			else
				fprintf(out, "EXTENDED MESSAGE %02X", x[0]);
			i += 2u + m[i + 1];
		} else {
			static const char *const names[] = {
				"COMMAND COMPLETE", "EXTENDED (cut short)",
				"SAVE DATA POINTER", "RESTORE POINTERS",
				"DISCONNECT", "INITIATOR DETECTED ERROR",
				"ABORT", "MESSAGE REJECT", "NO OPERATION",
				"MESSAGE PARITY ERROR", "LINKED COMMAND COMPLETE",
				"LINKED COMMAND COMPLETE (WITH FLAG)",
				"BUS DEVICE RESET",
			};
			if (c < sizeof names / sizeof names[0])
				fputs(names[c], out);
			else
				fprintf(out, "message %02X", c);
			i++;
		}
	}
}

static void say_command(FILE *out, const uint8_t *c, uint32_t len)
{
	for (uint32_t i = 0; i < len && i < 12; i++)
		fprintf(out, "%s%02X", i ? " " : "", c[i]);
	if (len == 0)
		return;
	switch (c[0]) {
	case 0x2A:
		if (len >= 10)
			fprintf(out, ": SEND MESSAGE(10), %u bytes, RFC 2143 "
				     "type %u%s",
				(unsigned)(c[7] << 8 | c[8]), c[5] & 0x0f,
				(c[5] & 0x0f) == 0   ? " (IPv4)"
				: (c[5] & 0x0f) == 1 ? " (address resolution)"
						     : "");
		break;
	case 0x12: fputs(": INQUIRY", out); break;
	case 0x03: fputs(": REQUEST SENSE", out); break;
	case 0x00: fputs(": TEST UNIT READY", out); break;
	default: fprintf(out, ": operation code %02Xh", c[0]); break;
	}
}

static const char *status_name(int s)
{
	switch (s) {
	case 0x00: return "GOOD";
	case 0x02: return "CHECK CONDITION";
	case 0x08: return "BUSY";
	case 0x18: return "RESERVATION CONFLICT";
	default: return "status";
	}
}

/* The phase that ends at `t`: what happened in it. */
static void phase_done(struct viz_narrate *n, struct nbus *b, sim_time_t t)
{
	FILE *out = n->out;
	enum bus_phase p = b->phase;
	if (p == BUS_PH_COMMAND) {
		memcpy(b->cdb, b->bytes,
		       b->nbytes < sizeof b->cdb ? b->nbytes : sizeof b->cdb);
		b->ncdb = b->nbytes;
	} else if (p == BUS_PH_STATUS && b->nbytes) {
		b->status = b->bytes[0];
	} else if (p == BUS_PH_DATA_OUT || p == BUS_PH_DATA_IN) {
		b->data += b->nbytes;
	}
	if (n->level < VIZ_NARRATE_PHASES || p > BUS_PH_MSG_IN)
		return;
	if (b->nbytes == 0)
		return; /* the lines passing through a phase on the way */
	stamp(n, b, b->phase_at);
	fprintf(out, "%-11s ", phase_name(p));
	switch (p) {
	case BUS_PH_MSG_OUT:
	case BUS_PH_MSG_IN:
		say_messages(out, b->bytes,
			     b->nbytes < SHOW_BYTES ? b->nbytes : SHOW_BYTES);
		break;
	case BUS_PH_COMMAND:
		say_command(out, b->bytes, b->nbytes);
		break;
	case BUS_PH_STATUS:
		if (b->nbytes)
			fprintf(out, "%02X %s", b->bytes[0],
				status_name(b->bytes[0]));
		break;
	default: {
		char d[32];
		sim_time_format(t - b->phase_at, d, sizeof d);
		fprintf(out, "%u transfers in %s", b->nbytes, d);
		break;
	}
	}
	fputc('\n', out);
}

static void connection_done(struct viz_narrate *n, struct nbus *b,
			    sim_time_t t)
{
	if (n->level != VIZ_NARRATE_COMMANDS || b->initiator < 0)
		return;
	char d[32];
	sim_time_format(t - b->conn_at, d, sizeof d);
	stamp(n, b, b->conn_at);
	fprintf(n->out, "%d -> %d ", b->initiator, b->target);
	if (b->ncdb)
		say_command(n->out, b->cdb, b->ncdb);
	else
		fputs("(no command)", n->out);
	if (b->status >= 0)
		fprintf(n->out, ": %s", status_name(b->status));
	fprintf(n->out, ", %u data transfers, connected %s\n", b->data, d);
}

/* A new phase begins at `t`. */
static void phase_begins(struct viz_narrate *n, struct nbus *b,
			 enum bus_phase p, uint16_t db, uint16_t ctl,
			 sim_time_t t)
{
	int phases = n->level >= VIZ_NARRATE_PHASES;
	enum bus_phase was = b->phase;
	if (was == BUS_PH_ARBITRATION && p == BUS_PH_SELECTION) {
		int w = highest(b->arb_ids);
		uint16_t others = (uint16_t)(b->arb_ids & ~(1u << w));
		if (phases && w >= 0) {
			stamp(n, b, t);
			if (others) {
				fprintf(n->out, "ID %d wins arbitration over ID",
					w);
				for (int id = 0; id < 16; id++)
					if (others >> id & 1)
						fprintf(n->out, " %d", id);
				fputs(": the highest ID has priority (SCSI-2 "
				      "5.1.2)\n", n->out);
			} else {
				fprintf(n->out, "ID %d wins arbitration "
						"uncontested\n", w);
			}
		}
	}
	if ((was == BUS_PH_SELECTION || was == BUS_PH_RESELECTION) &&
	    p <= BUS_PH_MSG_IN) {
		/* connected: the arbitration's winner is the initiator of a
		 * selection, the target of a reselection; the other ID bit
		 * on DB is its partner */
		int winner = b->arb_ids ? highest(b->arb_ids)
					: highest(b->sel_ids);
		int partner = winner >= 0
				      ? highest((uint16_t)(b->sel_ids &
							   ~(1u << winner)))
				      : -1;
		int init = was == BUS_PH_SELECTION ? winner : partner;
		int targ = was == BUS_PH_SELECTION ? partner : winner;
		b->initiator = init;
		b->target = targ;
		if (phases) {
			stamp(n, b, b->phase_at);
			if (was == BUS_PH_SELECTION)
				fprintf(n->out, "SELECTION %d -> %d%s\n", init,
					targ,
					b->sel_atn ? " with ATN: a MESSAGE OUT "
						     "follows (5.1.3)"
						   : "");
			else
				fprintf(n->out, "RESELECTION: %d reconnects "
						"to %d (5.1.4)\n",
					targ, init);
		}
	}
	if (p == BUS_PH_BUS_FREE && was == BUS_PH_SELECTION && phases) {
		int init = highest(b->arb_ids);
		int targ = init >= 0 ? highest((uint16_t)(b->sel_ids &
							  ~(1u << init)))
				     : -1;
		char d[32];
		sim_time_format(t - b->phase_at, d, sizeof d);
		stamp(n, b, b->phase_at);
		fprintf(n->out, "SELECTION %d -> %d: no BSY in %s, the "
				"selection times out: nobody is at ID %d "
				"(5.1.3.1)\n",
			init, targ, d, targ);
	}
	if (p == BUS_PH_BUS_FREE && was != BUS_PH_BUS_FREE) {
		connection_done(n, b, t);
		if (phases) {
			stamp(n, b, t);
			fputs("BUS FREE\n", n->out);
		}
	}
	if (p == BUS_PH_RESET && phases) {
		stamp(n, b, t);
		fputs("RST asserted: every device lets go (5.2.2)\n", n->out);
	}
	if (p == BUS_PH_ARBITRATION) {
		b->arb_ids = 0;
		b->conn_at = t;
		b->initiator = b->target = -1;
		b->ncdb = 0;
		b->status = -1;
		b->data = 0;
	}
	if (p == BUS_PH_SELECTION || p == BUS_PH_RESELECTION) {
		b->sel_ids = 0;
		b->sel_atn = 0;
	}
	(void)db;
	(void)ctl;
	b->phase = p;
	b->phase_at = t;
	b->nbytes = 0;
}

static void on_lines(const struct sim_trace_record *rec, void *arg)
{
	struct viz_narrate *n = arg;
	struct nbus *b = NULL;
	for (int i = 0; i < n->nbus && !b; i++)
		if (n->bus[i].bus->src == rec->source)
			b = &n->bus[i];
	if (b == NULL || rec->len < sizeof(struct bus_trace_lines))
		return;
	const struct bus_trace_lines *l = rec->data;
	uint16_t ctl = l->bus.ctl, db = l->bus.db, ch = l->changed;
	enum bus_phase p = (enum bus_phase)l->phase;
	if (n->level == VIZ_NARRATE_EDGES && ch) {
		stamp(n, b, rec->time);
		for (unsigned k = 0; k < BUS_NLINES; k++)
			if (ch >> k & 1)
				fprintf(n->out, "%s%s ", bus_line_name(1u << k),
					(ctl >> k & 1) ? "+" : "-");
		fprintf(n->out, " DB %04X\n", db);
	}
	if (p != b->phase) {
		phase_done(n, b, rec->time);
		phase_begins(n, b, p, db, ctl, rec->time);
	}
	switch (p) {
	case BUS_PH_ARBITRATION:
		b->arb_ids |= db;
		break;
	case BUS_PH_SELECTION:
	case BUS_PH_RESELECTION:
		if (__builtin_popcount(db) == 2)
			b->sel_ids = db;
		if (ctl & BUS_ATN)
			b->sel_atn = 1;
		break;
	default:
		if (p > BUS_PH_MSG_IN)
			break;
		/* the byte is valid on the strobe of whoever sends it */
		int in = p & 1;
		uint16_t strobe = in ? BUS_REQ : BUS_ACK;
		if ((ch & strobe) && (ctl & strobe)) {
			if (b->nbytes < SHOW_BYTES)
				b->bytes[b->nbytes] = (uint8_t)db;
			b->nbytes++;
		}
		break;
	}
}

enum sn_err viz_narrate_open(struct sim *sim, FILE *out,
			     enum viz_narrate_level level,
			     struct viz_narrate **out_n)
{
	if (sim == NULL || out == NULL || out_n == NULL)
		return SN_EINVAL;
	struct viz_narrate *n = calloc(1, sizeof *n);
	if (n == NULL)
		return SN_ENOMEM;
	n->sim = sim;
	n->out = out;
	n->level = level;
	sim_trace_subscribe(sim, &n->sub, SIM_TR_MASK(SIM_TR_BUS_LINES),
			    on_lines, n);
	*out_n = n;
	return SN_OK;
}

enum sn_err viz_narrate_add_bus(struct viz_narrate *n, const struct bus *bus)
{
	if (n == NULL || bus == NULL || n->nbus == NARRATE_MAX_BUSES)
		return SN_EINVAL;
	struct nbus *b = &n->bus[n->nbus++];
	memset(b, 0, sizeof *b);
	b->bus = bus;
	b->phase = BUS_PH_BUS_FREE;
	b->initiator = b->target = -1;
	b->status = -1;
	return SN_OK;
}

enum sn_err viz_narrate_level_parse(const char *text,
				    enum viz_narrate_level *out)
{
	if (text == NULL)
		return SN_EINVAL;
	if (strcmp(text, "commands") == 0)
		*out = VIZ_NARRATE_COMMANDS;
	else if (strcmp(text, "phases") == 0)
		*out = VIZ_NARRATE_PHASES;
	else if (strcmp(text, "edges") == 0)
		*out = VIZ_NARRATE_EDGES;
	else
		return SN_EINVAL;
	return SN_OK;
}

void viz_narrate_close(struct viz_narrate *n)
{
	if (n == NULL)
		return;
	sim_trace_unsubscribe(n->sim, &n->sub);
	fflush(n->out);
	free(n);
}
