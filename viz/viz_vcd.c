/*
 * viz_vcd.c - VCD writer for SCSI bus lines and its GTKWave save file
 * (see viz_vcd.h).
 *
 * Format: IEEE 1364-2001 clause 18 (header sections, $var, $dumpvars,
 * scalar "0!" and vector "b1010 !" changes), plus GTKWave's `$var string`
 * with "s<text> <id>" changes for the phase.  Save file: GTKWave's .gtkw
 * syntax ([dumpfile], [timestart], "@<hex flags>" lines before traces,
 * "-<label>" lines for group begin/end).
 */
#include "viz_vcd.h"

#include <assert.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Vars of one bus, in declaration order: the nine control lines (bit i of
 * enum bus_line is var i), then DB, DBP and phase. */
enum {
	VAR_DB = BUS_NLINES,
	VAR_DBP,
	VAR_PHASE,
	VARS_PER_BUS
};

#define SCOPE_MAX 48 /* a bus name (< 32) and a "_<n>" suffix */
#define ID_MAX 8     /* base-94 identifier codes: 6 digits cover 2^32 */

/* A bus's state at one output timestamp, not yet written. */
struct vcd_change {
	uint64_t t;          /* in timescale units */
	struct bus_sig sig;
	uint8_t phase;
};

struct vcd_bus {
	const struct bus *bus;
	sim_trace_source_t src;
	unsigned width;                /* 8 or 16 */
	char scope[SCOPE_MAX];
	char id[VARS_PER_BUS][ID_MAX];
	struct bus_sig out;            /* values as written */
	uint8_t out_phase;
	int seen;                      /* a record has arrived */
	sim_time_t last;               /* time of the latest record (ps) */
	struct vcd_change *q;          /* held changes: q[qh..qt), time order */
	size_t qh, qt, qcap;
};

struct viz_vcd {
	struct sim *sim;
	FILE *f;
	sim_time_t div;                /* picoseconds per timescale unit */
	const char *ts_text;
	struct sim_trace_sub sub;
	struct vcd_bus *bus;
	uint32_t nbus, bus_cap;
	uint32_t *by_src;              /* source id -> bus index + 1, or 0 */
	uint32_t by_src_len;
	int header_done;
	uint64_t cur_t;                /* last timestamp written */
	uint64_t next_t;               /* the one to write before a value */
	uint64_t ignored;
	int io_err, nomem;
};

/* --- names ------------------------------------------------------------ */

/* The bus's scope name before de-duplication: its trace-source name with
 * anything but letters, digits, '_' and '-' made '_'.  GTKWave reads '.'
 * as a hierarchy separator, '[' as a bit range and '\' as an escape. */
static void scope_base(const struct bus *bus, char *out, size_t size)
{
	const char *name = sim_trace_source_name(bus->sim, bus->src);
	if (name == NULL || name[0] == '\0')
		name = bus->name[0] ? bus->name : "bus";
	size_t n = 0;
	for (; name[n] != '\0' && n + 1 < size; n++) {
		char c = name[n];
		int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			 (c >= '0' && c <= '9') || c == '_' || c == '-';
		out[n] = ok ? c : '_';
	}
	out[n] = '\0';
}

/* Make `out` (a base name) differ from the n names before it, which are
 * `stride` bytes apart from `names`: base_2, base_3... */
static void scope_unique(char *out, const char *names, size_t stride,
			 uint32_t n)
{
	char base[SCOPE_MAX];
	memcpy(base, out, SCOPE_MAX);
	for (unsigned k = 2;; k++) {
		uint32_t i = 0;
		while (i < n && strcmp(names + i * stride, out) != 0)
			i++;
		if (i == n)
			return;
		snprintf(out, SCOPE_MAX, "%.*s_%u", SCOPE_MAX - 12, base, k);
	}
}

/* VCD identifier code number k: base 94 over the printable characters
 * '!'..'~', least significant digit first. */
static void id_code(uint32_t k, char *out)
{
	size_t n = 0;
	do {
		out[n++] = (char)('!' + k % 94);
		k /= 94;
	} while (k > 0);
	out[n] = '\0';
}

static const char *phase_text(unsigned phase, char *buf, size_t size)
{
	snprintf(buf, size, "%s", bus_phase_name((enum bus_phase)phase));
	for (char *p = buf; *p; p++)
		if (*p == ' ')
			*p = '_';
	return buf;
}

/* --- output ------------------------------------------------------------- */

static void out(struct viz_vcd *v, const char *s)
{
	if (!v->io_err && fputs(s, v->f) == EOF)
		v->io_err = 1;
}

static void outf(struct viz_vcd *v, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void outf(struct viz_vcd *v, const char *fmt, ...)
{
	if (v->io_err)
		return;
	va_list ap;
	va_start(ap, fmt);
	if (vfprintf(v->f, fmt, ap) < 0)
		v->io_err = 1;
	va_end(ap);
}

/* Write the timestamp of the changes being written, once, before the
 * first value that really changes: collapsed changes leave none. */
static void stamp(struct viz_vcd *v)
{
	if (v->next_t > v->cur_t) {
		outf(v, "#%" PRIu64 "\n", v->next_t);
		v->cur_t = v->next_t;
	}
}

/* "b1010 <id>\n": a vector, leading zeros dropped (IEEE 1364 18.2.1
 * left-extends with 0). */
static void out_vector(struct viz_vcd *v, unsigned value, const char *id)
{
	stamp(v);
	char buf[24 + ID_MAX];
	size_t n = 0;
	buf[n++] = 'b';
	int bit = 15;
	while (bit > 0 && !((value >> bit) & 1))
		bit--;
	for (; bit >= 0; bit--)
		buf[n++] = (char)('0' + ((value >> bit) & 1));
	buf[n++] = ' ';
	buf[n] = '\0';
	out(v, buf);
	out(v, id);
	out(v, "\n");
}

static void out_scalar(struct viz_vcd *v, unsigned bit, const char *id)
{
	stamp(v);
	out(v, bit ? "1" : "0");
	out(v, id);
	out(v, "\n");
}

static void out_phase(struct viz_vcd *v, unsigned phase, const char *id)
{
	stamp(v);
	char buf[48];
	out(v, "s");
	out(v, phase_text(phase, buf, sizeof buf));
	out(v, " ");
	out(v, id);
	out(v, "\n");
}

/* Write the vars of `b` whose values differ from what was written (all
 * of them when `all`). */
static void write_bus(struct viz_vcd *v, struct vcd_bus *b,
		      struct bus_sig s, unsigned phase, int all)
{
	for (unsigned i = 0; i < BUS_NLINES; i++) {
		uint16_t m = (uint16_t)(1u << i);
		if (all || ((s.ctl ^ b->out.ctl) & m))
			out_scalar(v, (s.ctl & m) != 0, b->id[i]);
	}
	if (all || s.db != b->out.db)
		out_vector(v, s.db, b->id[VAR_DB]);
	if (all || s.dbp != b->out.dbp) {
		if (b->width == BUS_WIDE)
			out_vector(v, s.dbp, b->id[VAR_DBP]);
		else
			out_scalar(v, s.dbp & 1, b->id[VAR_DBP]);
	}
	if (all || phase != b->out_phase)
		out_phase(v, phase, b->id[VAR_PHASE]);
	b->out = s;
	b->out_phase = (uint8_t)phase;
}

static void write_header(struct viz_vcd *v)
{
	static const char *const var_names[VARS_PER_BUS] = {
		"BSY", "SEL", "CD", "IO", "MSG", "REQ", "ACK", "ATN", "RST",
		"DB", "DBP", "phase",
	};
	v->header_done = 1;
	outf(v, "$date\n\tseed %" PRIu64 " (no wall-clock date: the file is "
		"reproducible)\n$end\n", sim_seed(v->sim));
	out(v, "$version\n\tscsinet\n$end\n");
	out(v, "$comment\n\tlogical state of each SCSI bus: the OR of all "
	       "drives, without cable delay\n$end\n");
	outf(v, "$timescale %s $end\n", v->ts_text);
	for (uint32_t i = 0; i < v->nbus; i++) {
		struct vcd_bus *b = &v->bus[i];
		outf(v, "$scope module %s $end\n", b->scope);
		for (unsigned k = 0; k < VARS_PER_BUS; k++) {
			unsigned size = 1;
			if (k == VAR_DB)
				size = b->width;
			else if (k == VAR_DBP)
				size = b->width == BUS_WIDE ? 2 : 1;
			outf(v, "$var %s %u %s %s $end\n",
			     k == VAR_PHASE ? "string" : "wire", size,
			     b->id[k], var_names[k]);
		}
		out(v, "$upscope $end\n");
	}
	out(v, "$enddefinitions $end\n#0\n$dumpvars\n");
	for (uint32_t i = 0; i < v->nbus; i++)
		write_bus(v, &v->bus[i], (struct bus_sig){ 0 },
			  BUS_PH_BUS_FREE, 1);
	out(v, "$end\n");
	v->cur_t = 0;
}

/* --- merging the buses' changes ---------------------------------------- */

static int enqueue(struct vcd_bus *b, uint64_t t, struct bus_sig s,
		   unsigned phase)
{
	struct vcd_change c = { t, s, (uint8_t)phase };
	if (b->qt > b->qh && b->q[b->qt - 1].t == t) {
		b->q[b->qt - 1] = c; /* same timestamp: the last value wins */
		return 1;
	}
	if (b->qt == b->qcap) {
		if (b->qh > 0) {
			memmove(b->q, b->q + b->qh,
				(b->qt - b->qh) * sizeof *b->q);
			b->qt -= b->qh;
			b->qh = 0;
		} else {
			size_t cap = b->qcap ? b->qcap * 2 : 16;
			struct vcd_change *q = realloc(b->q, cap * sizeof *q);
			if (q == NULL)
				return 0;
			b->q = q;
			b->qcap = cap;
		}
	}
	b->q[b->qt++] = c;
	return 1;
}

/*
 * The earliest timestamp any added bus may still emit a record for.  A bus
 * emits in time order, so never before its latest record; and a bus with
 * no records pending inside it (bus.h: it emits lazily) can only emit for
 * changes recorded from now on, dated now or later.  bus.h has no accessor
 * for that count; reading the field is read-only.
 */
static uint64_t watermark(const struct viz_vcd *v)
{
	sim_time_t now = sim_now(v->sim), w = SIM_TIME_MAX;
	for (uint32_t i = 0; i < v->nbus; i++) {
		const struct vcd_bus *b = &v->bus[i];
		sim_time_t t = b->seen ? b->last : 0;
		if (b->bus->pend_len == 0 && now > t)
			t = now;
		if (t < w)
			w = t;
	}
	return w / v->div;
}

/* Write every held change dated before `limit`, in time order. */
static void drain(struct viz_vcd *v, uint64_t limit)
{
	for (;;) {
		uint64_t t = UINT64_MAX;
		for (uint32_t i = 0; i < v->nbus; i++) {
			const struct vcd_bus *b = &v->bus[i];
			if (b->qh < b->qt && b->q[b->qh].t < t)
				t = b->q[b->qh].t;
		}
		if (t == UINT64_MAX || t >= limit)
			return;
		assert(t >= v->cur_t);
		v->next_t = t;
		for (uint32_t i = 0; i < v->nbus; i++) {
			struct vcd_bus *b = &v->bus[i];
			if (b->qh == b->qt || b->q[b->qh].t != t)
				continue;
			const struct vcd_change *c = &b->q[b->qh++];
			write_bus(v, b, c->sig, c->phase, 0);
			if (b->qh == b->qt)
				b->qh = b->qt = 0;
		}
	}
}

static void on_record(const struct sim_trace_record *rec, void *arg)
{
	struct viz_vcd *v = arg;
	if (!v->header_done)
		write_header(v);
	struct vcd_bus *b = NULL;
	if (rec->source < v->by_src_len && v->by_src[rec->source] != 0)
		b = &v->bus[v->by_src[rec->source] - 1];
	if (b == NULL || rec->len != sizeof(struct bus_trace_lines)) {
		v->ignored++;
		return;
	}
	struct bus_trace_lines l;
	memcpy(&l, rec->data, sizeof l);
	assert(!b->seen || rec->time >= b->last);
	b->seen = 1;
	b->last = rec->time;
	uint64_t t = rec->time / v->div;
	if (t < v->cur_t) /* cannot happen (see watermark); keep the file valid */
		t = v->cur_t;
	struct bus_sig s = l.bus;
	s.db &= b->width == BUS_WIDE ? 0xffffu : 0x00ffu;
	s.dbp &= b->width == BUS_WIDE ? 3 : 1;
	if (!enqueue(b, t, s, l.phase < BUS_PH_COUNT_ ? l.phase
						       : BUS_PH_BUS_FREE))
		v->nomem = 1;
	drain(v, watermark(v));
}

/* --- public ------------------------------------------------------------ */

enum sn_err viz_vcd_open(struct viz_vcd **out_v, struct sim *sim,
			 const char *path, enum viz_vcd_timescale ts)
{
	if (out_v == NULL || sim == NULL || path == NULL ||
	    (ts != VIZ_VCD_1PS && ts != VIZ_VCD_1NS))
		return SN_EINVAL;
	struct viz_vcd *v = calloc(1, sizeof *v);
	if (v == NULL)
		return SN_ENOMEM;
	v->f = fopen(path, "w");
	if (v->f == NULL) {
		free(v);
		return SN_EIO;
	}
	v->sim = sim;
	v->div = ts == VIZ_VCD_1NS ? SIM_NS : SIM_PS;
	v->ts_text = ts == VIZ_VCD_1NS ? "1ns" : "1ps";
	sim_trace_subscribe(sim, &v->sub, SIM_TR_MASK(SIM_TR_BUS_LINES),
			    on_record, v);
	*out_v = v;
	return SN_OK;
}

enum sn_err viz_vcd_add_bus(struct viz_vcd *v, const struct bus *bus)
{
	if (v == NULL || bus == NULL || bus->sim != v->sim)
		return SN_EINVAL;
	if (v->header_done)
		return SN_ESTATE;
	if (bus->src < v->by_src_len && v->by_src[bus->src] != 0)
		return SN_EEXIST;
	if (bus->src >= v->by_src_len) {
		uint32_t len = bus->src + 1;
		uint32_t *m = realloc(v->by_src, len * sizeof *m);
		if (m == NULL)
			return SN_ENOMEM;
		memset(m + v->by_src_len, 0,
		       (len - v->by_src_len) * sizeof *m);
		v->by_src = m;
		v->by_src_len = len;
	}
	if (v->nbus == v->bus_cap) {
		uint32_t cap = v->bus_cap ? v->bus_cap * 2 : 4;
		struct vcd_bus *nb = realloc(v->bus, cap * sizeof *nb);
		if (nb == NULL)
			return SN_ENOMEM;
		v->bus = nb;
		v->bus_cap = cap;
	}
	struct vcd_bus *b = &v->bus[v->nbus];
	memset(b, 0, sizeof *b);
	b->bus = bus;
	b->src = bus->src;
	b->width = bus->width == BUS_WIDE ? BUS_WIDE : BUS_NARROW;
	b->out_phase = BUS_PH_BUS_FREE;
	scope_base(bus, b->scope, sizeof b->scope);
	scope_unique(b->scope, v->bus[0].scope, sizeof *v->bus, v->nbus);
	for (unsigned k = 0; k < VARS_PER_BUS; k++)
		id_code(v->nbus * VARS_PER_BUS + k, b->id[k]);
	v->nbus++;
	v->by_src[bus->src] = v->nbus;
	return SN_OK;
}

uint64_t viz_vcd_ignored(const struct viz_vcd *v)
{
	return v->ignored;
}

enum sn_err viz_vcd_close(struct viz_vcd *v)
{
	if (v == NULL)
		return SN_OK;
	sim_trace_unsubscribe(v->sim, &v->sub);
	if (!v->header_done)
		write_header(v);
	drain(v, UINT64_MAX);
	uint64_t end = sim_now(v->sim) / v->div;
	if (end > v->cur_t)
		outf(v, "#%" PRIu64 "\n", end);
	if (fflush(v->f) != 0 || ferror(v->f))
		v->io_err = 1;
	if (fclose(v->f) != 0)
		v->io_err = 1;
	enum sn_err err = v->io_err ? SN_EIO : v->nomem ? SN_ENOMEM : SN_OK;
	for (uint32_t i = 0; i < v->nbus; i++)
		free(v->bus[i].q);
	free(v->bus);
	free(v->by_src);
	free(v);
	return err;
}

/* --- GTKWave save file ------------------------------------------------- */

/* Trace flags of GTKWave's save files (its analyzer.h TR_* bits): the
 * flags line "@<hex>" applies to the traces that follow it. */
#define GTKW_HEX 0x2u
#define GTKW_BIN 0x8u
#define GTKW_RJUSTIFY 0x20u
#define GTKW_BLANK 0x200u
#define GTKW_GRP_BEGIN 0x800000u
#define GTKW_GRP_END 0x1000000u

static int quotable(const char *s)
{
	return strpbrk(s, "\"\n\r") == NULL;
}

enum sn_err viz_vcd_write_gtkw(const char *vcd_path, const char *gtkw_path,
			       const struct bus *const *buses, size_t nbuses)
{
	static const char *const order[] = {
		"BSY", "SEL", "ATN", "MSG", "CD", "IO", "REQ", "ACK", "RST",
	};
	if (vcd_path == NULL || gtkw_path == NULL ||
	    (buses == NULL && nbuses > 0) || !quotable(vcd_path))
		return SN_EINVAL;
	for (size_t i = 0; i < nbuses; i++)
		if (buses[i] == NULL)
			return SN_EINVAL;
	char (*names)[SCOPE_MAX] = NULL;
	if (nbuses > 0) {
		names = malloc(nbuses * sizeof *names);
		if (names == NULL)
			return SN_ENOMEM;
	}
	for (size_t i = 0; i < nbuses; i++) {
		scope_base(buses[i], names[i], SCOPE_MAX);
		scope_unique(names[i], names[0], sizeof *names, (uint32_t)i);
	}
	FILE *f = fopen(gtkw_path, "w");
	if (f == NULL) {
		free(names);
		return SN_EIO;
	}
	int bad = fprintf(f, "[*] scsinet: SCSI bus lines\n"
			     "[dumpfile] \"%s\"\n[timestart] 0\n",
			  vcd_path) < 0;
	for (size_t i = 0; i < nbuses && !bad; i++) {
		const char *s = names[i];
		bad |= fprintf(f, "@%x\n-%s\n@%x\n",
			       GTKW_GRP_BEGIN | GTKW_BLANK, s,
			       GTKW_BIN | GTKW_RJUSTIFY) < 0;
		for (size_t k = 0; k < sizeof order / sizeof order[0]; k++)
			bad |= fprintf(f, "%s.%s\n", s, order[k]) < 0;
		/* GTKWave names a vector by its range: DB[7:0] */
		unsigned w = buses[i]->width;
		bad |= fprintf(f, "@%x\n%s.DB[%u:0]\n@%x\n%s.DBP%s\n"
				  "%s.phase\n",
			       GTKW_HEX | GTKW_RJUSTIFY, s, w - 1,
			       GTKW_BIN | GTKW_RJUSTIFY, s,
			       w == BUS_WIDE ? "[1:0]" : "", s) < 0;
		bad |= fprintf(f, "@%x\n-%s\n", GTKW_GRP_END | GTKW_BLANK,
			       s) < 0;
	}
	free(names);
	if (fflush(f) != 0 || ferror(f))
		bad = 1;
	if (fclose(f) != 0)
		bad = 1;
	return bad ? SN_EIO : SN_OK;
}
