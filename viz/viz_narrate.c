/*
 * viz_narrate.c - the bus in plain words (see viz_narrate.h).
 */
#include "viz_narrate.h"

#include "bus_timing.h"
#include "viz_decode.h"

#include <stdlib.h>
#include <string.h>

#define NARRATE_MAX_BUSES 64
#define SHOW_BYTES 24             /* message bytes printed per phase */

struct nbus {
	const struct bus *bus;
	struct viz_decoder dec;       /* the phase now, its bytes */
	sim_time_t conn_at;
	int initiator, target;        /* of the connection, -1 unknown */
	/* for the timing rules (edges level) */
	sim_time_t free_at;           /* BUS FREE began */
	sim_time_t bsy_at;            /* the arbitration's BSY */
	sim_time_t tbsy_at;           /* the target's BSY in (re)selection */
	sim_time_t lines_at;          /* MSG, C/D or I/O last changed */
	int req_told;                 /* the phase's first REQ was told */
	int bsy_dropped;              /* BSY released while selecting */
	int conn_resel;               /* the connection began reselected */
	int conn_disc;                /* ... and ended with DISCONNECT */
	/* an SDTR proposal waiting for its answer (5.6.21) */
	int sdtr_asked;
	unsigned sdtr_period, sdtr_offset;
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

static void stamp(struct viz_narrate *n, const struct nbus *b, sim_time_t t)
{
	char ts[40];
	sim_time_format_fixed(t, SIM_S, 9, ts, sizeof ts);
	fprintf(n->out, "%14s s  %s: ", ts, b->bus->name);
}

static void say_messages(FILE *out, const uint8_t *m, uint32_t len)
{
	char text[512];
	viz_decode_messages(m, len, 0, text, sizeof text);
	fputs(text, out);
}

static void say_command(FILE *out, const uint8_t *c, uint32_t len)
{
	char text[160];
	viz_decode_cdb(c, len, 0, text, sizeof text);
	fputs(text, out);
}

/* What a message phase carried that the narration follows. */
struct msg_scan {
	int sdtr;                 /* an SDTR: the first one's values */
	unsigned period, offset;  /* ns, REQ/ACK offset */
	int reject, disconnect;   /* MESSAGE REJECT, DISCONNECT seen */
};

/* One pass over a message phase's bytes (extended messages skipped by
 * their length, SCSI-2 5.6). */
static void scan_messages(const uint8_t *m, uint32_t n, struct msg_scan *ms)
{
	memset(ms, 0, sizeof *ms);
	for (uint32_t i = 0; i < n;) {
		if (m[i] == 0x07)
			ms->reject = 1;
		if (m[i] == 0x04)
			ms->disconnect = 1;
		if (m[i] != 0x01 || i + 1 >= n) {
			i++;
			continue;
		}
		uint32_t xl = m[i + 1];
		if (!ms->sdtr && xl == 3 && i + 5 <= n && m[i + 2] == 0x01) {
			ms->sdtr = 1;
			ms->period = 4u * m[i + 3];
			ms->offset = m[i + 4];
		}
		i += 2u + xl;
	}
}

/* Synchronous negotiation (SCSI-2 5.6.21): a proposal, then the other
 * side's SDTR sets the agreement (never faster, never a larger offset
 * than asked), a MESSAGE REJECT keeps transfers asynchronous. */
static void sdtr_follow(struct viz_narrate *n, struct nbus *b, sim_time_t t,
			const struct msg_scan *ms)
{
	int has = ms->sdtr;
	unsigned period = ms->period, offset = ms->offset;
	if (b->sdtr_asked && (has || ms->reject)) {
		b->sdtr_asked = 0;
		if (n->level < VIZ_NARRATE_PHASES)
			return;
		stamp(n, b, t);
		if (has && offset == 0)
			fprintf(n->out, "SDTR agreed: asynchronous (offset 0) "
					"(5.6.21)\n");
		else if (has)
			fprintf(n->out, "SDTR agreed: %u ns, offset %u; "
					"asked %u ns, offset %u: the answer is "
					"never faster nor deeper than the "
					"proposal (5.6.21)\n",
				period, offset, b->sdtr_period,
				b->sdtr_offset);
		else
			fputs("SDTR rejected: data transfers stay "
			      "asynchronous (5.6.21)\n", n->out);
		return;
	}
	if (has) {
		b->sdtr_asked = 1;
		b->sdtr_period = period;
		b->sdtr_offset = offset;
	}
}

/* The phase that ends at `t`: what happened in it. */
static void phase_say(struct viz_narrate *n, const struct nbus *b,
		      sim_time_t t, uint32_t kept);

static void phase_done(struct viz_narrate *n, struct nbus *b, sim_time_t t)
{
	const struct viz_decoder *dec = &b->dec;
	enum bus_phase p = dec->phase;
	uint32_t kept = dec->nbytes < VIZ_DECODE_BYTES ? dec->nbytes
						       : VIZ_DECODE_BYTES;
	if (p == BUS_PH_COMMAND) {
		memcpy(b->cdb, dec->bytes,
		       kept < sizeof b->cdb ? kept : sizeof b->cdb);
		b->ncdb = dec->nbytes;
	} else if (p == BUS_PH_STATUS && dec->nbytes) {
		b->status = dec->bytes[0];
	} else if (p == BUS_PH_DATA_OUT || p == BUS_PH_DATA_IN) {
		b->data += dec->nbytes;
	}
	struct msg_scan ms = { 0, 0, 0, 0, 0 };
	if (p == BUS_PH_MSG_OUT || p == BUS_PH_MSG_IN) {
		scan_messages(dec->bytes, kept, &ms);
		if (p == BUS_PH_MSG_IN && ms.disconnect)
			b->conn_disc = 1;
	}
	/* the phase's line, then what negotiation it settled */
	phase_say(n, b, t, kept);
	if (p == BUS_PH_MSG_OUT || p == BUS_PH_MSG_IN)
		sdtr_follow(n, b, t, &ms);
}

/* The phase that ends at `t`, in words (phases level and above). */
static void phase_say(struct viz_narrate *n, const struct nbus *b,
		      sim_time_t t, uint32_t kept)
{
	FILE *out = n->out;
	const struct viz_decoder *dec = &b->dec;
	enum bus_phase p = dec->phase;
	if (n->level < VIZ_NARRATE_PHASES || p > BUS_PH_MSG_IN)
		return;
	if (dec->nbytes == 0)
		return; /* the lines passing through a phase on the way */
	stamp(n, b, dec->phase_at);
	fprintf(out, "%-11s ", phase_name(p));
	switch (p) {
	case BUS_PH_MSG_OUT:
	case BUS_PH_MSG_IN:
		say_messages(out, dec->bytes,
			     kept < SHOW_BYTES ? kept : SHOW_BYTES);
		break;
	case BUS_PH_COMMAND:
		say_command(out, dec->bytes, kept);
		break;
	case BUS_PH_STATUS:
		fprintf(out, "%02X %s", dec->bytes[0],
			viz_decode_status(dec->bytes[0]));
		break;
	default: {
		char d[32];
		sim_time_format(t - dec->phase_at, d, sizeof d);
		fprintf(out, "%u transfers in %s", dec->nbytes, d);
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
	else if (b->conn_resel)
		fputs("reselected: the disconnected command goes on", n->out);
	else
		fputs("(no command)", n->out);
	if (b->status >= 0)
		fprintf(n->out, ": %s", viz_decode_status((uint8_t)b->status));
	else if (b->conn_disc)
		fputs(": DISCONNECT, the target will reselect", n->out);
	fprintf(n->out, ", %u data transfers, connected %s\n", b->data, d);
}

/* A new phase begins at `t`. */
static void phase_begins(struct viz_narrate *n, struct nbus *b,
			 enum bus_phase p, sim_time_t t)
{
	int phases = n->level >= VIZ_NARRATE_PHASES;
	const struct viz_decoder *dec = &b->dec;
	enum bus_phase was = dec->phase;
	if (was == BUS_PH_ARBITRATION && p == BUS_PH_SELECTION) {
		int w = viz_arb_winner(dec->arb_ids);
		uint16_t others = (uint16_t)(dec->arb_ids & ~(1u << (w & 15)));
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
		int init, targ;
		viz_decoder_pair(dec, &init, &targ);
		b->conn_resel = was == BUS_PH_RESELECTION;
		b->initiator = init;
		b->target = targ;
		if (phases) {
			stamp(n, b, dec->phase_at);
			if (was == BUS_PH_SELECTION)
				fprintf(n->out, "SELECTION %d -> %d%s\n", init,
					targ,
					dec->sel_atn ? " with ATN: a MESSAGE OUT "
						     "follows (5.1.3)"
						   : "");
			else
				fprintf(n->out, "RESELECTION: %d reconnects "
						"to %d (5.1.4)\n",
					targ, init);
		}
	}
	if (p == BUS_PH_BUS_FREE && was == BUS_PH_SELECTION && phases) {
		int init, targ;
		viz_decoder_pair(dec, &init, &targ);
		char d[32];
		sim_time_format(t - dec->phase_at, d, sizeof d);
		stamp(n, b, dec->phase_at);
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
	if (p == BUS_PH_BUS_FREE || p == BUS_PH_RESET) {
		b->free_at = t;
		b->sdtr_asked = 0;
	}
	if (p == BUS_PH_SELECTION || p == BUS_PH_RESELECTION) {
		b->bsy_dropped = 0;
		b->tbsy_at = 0;
	}
	b->req_told = 0;
	if (p == BUS_PH_ARBITRATION) {
		b->bsy_at = t;
		b->conn_at = t;
		b->conn_resel = b->conn_disc = 0;
		b->initiator = b->target = -1;
		b->ncdb = 0;
		b->status = -1;
		b->data = 0;
	}
	viz_decoder_enter(&b->dec, p, t);
}

/* "rule: " and a measured interval, then the rule it keeps. */
static void rule(struct viz_narrate *n, const struct nbus *b, sim_time_t t,
		 sim_time_t took, const char *what, const char *limit)
{
	char d[SIM_TIME_FORMAT_MAX];
	sim_time_format(took, d, sizeof d);
	stamp(n, b, t);
	fprintf(n->out, "  rule: %s %s; %s\n", what, d, limit);
}

/* At the edges level: the timing rule an edge keeps, with the interval
 * measured on the bus (SCSI-2 5.1, Table 5 and 5.2 timing). */
static void tell_rules(struct viz_narrate *n, struct nbus *b,
		       enum bus_phase was, enum bus_phase p, uint16_t ctl,
		       uint16_t ch, sim_time_t t)
{
	if (ch & (BUS_MSG | BUS_CD | BUS_IO))
		b->lines_at = t;
	if (p == BUS_PH_ARBITRATION && was == BUS_PH_BUS_FREE &&
	    (ch & ctl & BUS_BSY))
		rule(n, b, t, t - b->free_at, "arbitration begins",
		     "after BUS FREE began: a device waits at least a bus "
		     "free delay (800ns) after it sees BUS FREE, then asserts "
		     "BSY and its ID within a bus set delay (1.8us) (5.1.2)");
	else if (p == BUS_PH_SELECTION && was == BUS_PH_ARBITRATION)
		rule(n, b, t, t - b->bsy_at, "SEL after the arbitration's "
		     "BSY:", "at least an arbitration delay (2.4us) before "
		     "the winner is known (5.1.2)");
	else if ((p == BUS_PH_SELECTION || p == BUS_PH_RESELECTION) &&
		 (ch & BUS_BSY)) {
		if (!(ctl & BUS_BSY)) {
			b->bsy_dropped = 1;
		} else if (b->bsy_dropped && b->tbsy_at == 0) {
			b->tbsy_at = t;
			rule(n, b, t, t - b->dec.phase_at,
			     p == BUS_PH_SELECTION ? "the target answers "
						     "SEL with BSY after"
						   : "the initiator answers "
						     "SEL with BSY after",
			     "within the selection timeout (250ms) (5.1.3.1)");
		}
	}
	/* SEL falls as the connection begins: the lines then read as the
	 * first information phase, so `was` tells it was (re)selection */
	if ((was == BUS_PH_SELECTION || was == BUS_PH_RESELECTION) &&
	    (ch & BUS_SEL) && !(ctl & BUS_SEL) && b->tbsy_at) {
		rule(n, b, t, t - b->tbsy_at, "SEL released after the answer's "
		     "BSY:", "at least two deskew delays (90ns) (5.1.3)");
	}
	if (p <= BUS_PH_MSG_IN && (ch & ctl & BUS_REQ) && !b->req_told &&
	    b->lines_at) {
		b->req_told = 1;
		rule(n, b, t, t - b->lines_at, "REQ after the phase lines:",
		     "at least a bus settle delay (400ns) (5.1.5)");
	}
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
	enum bus_phase was = b->dec.phase;
	if (p != was) {
		phase_done(n, b, rec->time);
		phase_begins(n, b, p, rec->time);
	}
	if (n->level == VIZ_NARRATE_EDGES && ch)
		tell_rules(n, b, was, p, ctl, ch, rec->time);
	viz_decoder_take(&b->dec, p, ctl, db, ch);
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
	viz_decoder_init(&b->dec);
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
