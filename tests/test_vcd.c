/*
 * test_vcd.c - the VCD writer (viz/viz_vcd.h): header and declarations,
 * the exact value changes of a known sequence on a narrow and a wide bus
 * (with future-dated pulses, whose records arrive late and out of order
 * across buses), nanosecond rounding, the GTKWave save file, write errors,
 * that the writer leaves the simulation unchanged, and two independent
 * readers (GTKWave's vcd2fst/fst2vcd and sigrok-cli) that must read the
 * same changes back.
 */
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bus.h"
#include "suites.h"
#include "viz_vcd.h"

/* --- a VCD reader, just enough for these files and the tools' output --- */

struct pvar {
	char scope[48], type[16], id[8], name[16];
	unsigned size;
};

/* One value change; `val` is normalised: "0"/"1" for scalars, "h<hex>"
 * for vectors, the text itself for strings. */
struct pchg {
	uint64_t t;
	int var;
	int init;            /* inside $dumpvars */
	char val[48];
};

struct pvcd {
	char date[256], version[64], comment[256], timescale[32];
	int nscope;
	char scope[8][48];
	int nvar;
	struct pvar var[64];
	int nchg, chg_cap;
	struct pchg *chg;
	int ntime;
	uint64_t time[256];  /* timestamps in file order */
	int enddefs;
};

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	ck_assert_msg(f != NULL, "cannot open %s", path);
	ck_assert_int_eq(fseek(f, 0, SEEK_END), 0);
	long n = ftell(f);
	ck_assert_int_ge(n, 0);
	rewind(f);
	char *buf = malloc((size_t)n + 1);
	ck_assert_ptr_nonnull(buf);
	ck_assert_uint_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/* Next white-space separated token, or NULL at the end. */
static char *tok(char **p)
{
	char *s = *p;
	while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
		s++;
	if (*s == '\0')
		return NULL;
	char *e = s;
	while (*e && *e != ' ' && *e != '\t' && *e != '\n' && *e != '\r')
		e++;
	if (*e)
		*e++ = '\0';
	*p = e;
	return s;
}

/* The tokens up to $end, joined by `sep`. */
static void section(char **p, char *out, size_t size, const char *sep)
{
	out[0] = '\0';
	for (;;) {
		char *t = tok(p);
		ck_assert_msg(t != NULL, "section without $end");
		if (strcmp(t, "$end") == 0)
			return;
		if (out[0])
			strncat(out, sep, size - strlen(out) - 1);
		strncat(out, t, size - strlen(out) - 1);
	}
}

static int var_by_id(const struct pvcd *v, const char *id)
{
	for (int i = 0; i < v->nvar; i++)
		if (strcmp(v->var[i].id, id) == 0)
			return i;
	return -1;
}

static void add_chg(struct pvcd *v, uint64_t t, int init, const char *id,
		    const char *val)
{
	int k = var_by_id(v, id);
	ck_assert_msg(k >= 0, "change of undeclared id '%s'", id);
	if (v->nchg == v->chg_cap) {
		v->chg_cap = v->chg_cap ? v->chg_cap * 2 : 64;
		v->chg = realloc(v->chg, (size_t)v->chg_cap * sizeof *v->chg);
		ck_assert_ptr_nonnull(v->chg);
	}
	struct pchg *c = &v->chg[v->nchg++];
	c->t = t;
	c->var = k;
	c->init = init;
	snprintf(c->val, sizeof c->val, "%s", val);
}

static void vcd_parse(const char *path, struct pvcd *v)
{
	memset(v, 0, sizeof *v);
	char *buf = slurp(path), *p = buf, *t;
	/* sigrok-cli puts a "META samplerate: ..." line before its VCD */
	if (strncmp(p, "META ", 5) == 0 && strchr(p, '\n') != NULL)
		p = strchr(p, '\n') + 1;
	char cur_scope[48] = "";
	uint64_t now = 0;
	int in_dump = 0;
	while ((t = tok(&p)) != NULL) {
		if (strcmp(t, "$date") == 0) {
			section(&p, v->date, sizeof v->date, " ");
		} else if (strcmp(t, "$version") == 0) {
			section(&p, v->version, sizeof v->version, " ");
		} else if (strcmp(t, "$comment") == 0) {
			section(&p, v->comment, sizeof v->comment, " ");
		} else if (strcmp(t, "$timescale") == 0) {
			section(&p, v->timescale, sizeof v->timescale, "");
		} else if (strcmp(t, "$scope") == 0) {
			ck_assert_ptr_nonnull(tok(&p)); /* module */
			char *name = tok(&p);
			ck_assert_ptr_nonnull(name);
			ck_assert_str_eq(tok(&p), "$end");
			ck_assert_int_lt(v->nscope, 8);
			snprintf(cur_scope, sizeof cur_scope, "%s", name);
			snprintf(v->scope[v->nscope++], 48, "%s", name);
		} else if (strcmp(t, "$upscope") == 0) {
			ck_assert_str_eq(tok(&p), "$end");
			cur_scope[0] = '\0';
		} else if (strcmp(t, "$var") == 0) {
			ck_assert_int_lt(v->nvar, 64);
			struct pvar *x = &v->var[v->nvar++];
			char *type = tok(&p), *size = tok(&p), *id = tok(&p),
			     *name = tok(&p);
			ck_assert(type && size && id && name);
			snprintf(x->type, sizeof x->type, "%s", type);
			x->size = (unsigned)strtoul(size, NULL, 10);
			snprintf(x->id, sizeof x->id, "%s", id);
			snprintf(x->name, sizeof x->name, "%s", name);
			snprintf(x->scope, sizeof x->scope, "%s", cur_scope);
			char rest[64];
			section(&p, rest, sizeof rest, " "); /* a range, if any */
		} else if (strcmp(t, "$enddefinitions") == 0) {
			ck_assert_str_eq(tok(&p), "$end");
			v->enddefs = 1;
		} else if (strcmp(t, "$dumpvars") == 0) {
			in_dump = 1;
		} else if (strcmp(t, "$end") == 0) {
			ck_assert_msg(in_dump, "stray $end");
			in_dump = 0;
		} else if (t[0] == '#') {
			now = strtoull(t + 1, NULL, 10);
			ck_assert_int_lt(v->ntime, 256);
			v->time[v->ntime++] = now;
		} else if (t[0] == '0' || t[0] == '1') {
			char val[2] = { t[0], 0 };
			add_chg(v, now, in_dump, t + 1, val);
		} else if (t[0] == 'b' || t[0] == 's') {
			char *id = tok(&p);
			ck_assert_ptr_nonnull(id);
			char val[48];
			if (t[0] == 'b')
				snprintf(val, sizeof val, "h%lx",
					 strtoul(t + 1, NULL, 2));
			else
				snprintf(val, sizeof val, "%s", t + 1);
			add_chg(v, now, in_dump, id, val);
		} else {
			ck_abort_msg("unexpected token '%s' in %s", t, path);
		}
	}
	free(buf);
}

static void vcd_free(struct pvcd *v)
{
	free(v->chg);
	v->chg = NULL;
}

static int var_find(const struct pvcd *v, const char *scope,
		    const char *name)
{
	for (int i = 0; i < v->nvar; i++)
		if (strcmp(v->var[i].scope, scope) == 0 &&
		    strcmp(v->var[i].name, name) == 0)
			return i;
	return -1;
}

/* A var's history as "t=value " items: its last value at each time, where
 * that differs from the value before. */
static void history(const struct pvcd *v, int var, char *out, size_t size)
{
	const char *prev = NULL;
	out[0] = '\0';
	for (int i = 0; i < v->nchg; i++) {
		const struct pchg *c = &v->chg[i];
		if (c->var != var)
			continue;
		int j = i + 1;
		while (j < v->nchg && v->chg[j].var != var)
			j++;
		if (j < v->nchg && v->chg[j].t == c->t)
			continue; /* not its last value at this time */
		if (prev != NULL && strcmp(prev, c->val) == 0)
			continue;
		char item[80];
		snprintf(item, sizeof item, "%lu=%s ", (unsigned long)c->t,
			 c->val);
		strncat(out, item, size - strlen(out) - 1);
		prev = c->val;
	}
}

/* --- the world: a narrow and a wide bus, two ports each --------------- */

struct world {
	struct sim sim;
	struct bus *nb, *wb;
	struct bus_port *n0, *n1, *w0, *w1;
};

static struct bus *mkbus(struct sim *sim, const char *name,
			 enum bus_width width)
{
	struct bus_config cfg = {
		.name = name, .width = width, .electrical = BUS_SE,
		.speed = BUS_SPEED_SCSI2, .length_mm = 1000,
	};
	struct bus *b;
	ck_assert_int_eq(bus_create(sim, &cfg, &b), SN_OK);
	return b;
}

static void world_init(struct world *w)
{
	memset(w, 0, sizeof *w);
	ck_assert_int_eq(sim_init(&w->sim, 7), SN_OK);
	w->nb = mkbus(&w->sim, "narrow", BUS_NARROW);
	w->wb = mkbus(&w->sim, "wide", BUS_WIDE);
	ck_assert_int_eq(bus_attach(w->nb, "ini", 0, 7, &w->n0), SN_OK);
	ck_assert_int_eq(bus_attach(w->nb, "tgt", 1000, 0, &w->n1), SN_OK);
	ck_assert_int_eq(bus_attach(w->wb, "ini", 0, 15, &w->w0), SN_OK);
	ck_assert_int_eq(bus_attach(w->wb, "tgt", 1000, 3, &w->w1), SN_OK);
}

static void world_fini(struct world *w)
{
	bus_destroy(w->nb);
	bus_destroy(w->wb);
	ck_assert_sim_clean(&w->sim);
	sim_fini(&w->sim);
}

static void run_to(struct world *w, sim_time_t t)
{
	ck_assert_int_eq(sim_run_until(&w->sim, t), SIM_RUN_REACHED);
}

/*
 * The known sequence (times in ns).  Narrow bus: arbitration at 0,
 * selection with ATN, MESSAGE OUT, one byte by a REQ pulse recorded 100 ns
 * ahead, bus free at 5000.  Wide bus: 16-bit data and a REQ pulse recorded
 * at 1000 for 1500..1750, which the wide bus emits only at 5000 when it
 * next drives: the writer must still put it before the narrow bus's
 * changes at 2400 and later.
 */
static void run_sequence(struct world *w, int with_data)
{
	bus_assert(w->n0, BUS_BSY);
	if (with_data)
		bus_set_data(w->n0, 0x81);
	run_to(w, 1000 * SIM_NS);
	bus_assert(w->w0, BUS_BSY);
	if (with_data)
		bus_set_data(w->w0, 0x1234);
	bus_pulse(w->w0, BUS_REQ, 1500 * SIM_NS, 250 * SIM_NS);
	run_to(w, 2400 * SIM_NS);
	bus_assert(w->n0, BUS_SEL);
	run_to(w, 3000 * SIM_NS);
	bus_release(w->n0, BUS_BSY);
	run_to(w, 3500 * SIM_NS);
	bus_assert(w->n1, BUS_BSY | BUS_MSG | BUS_CD);
	run_to(w, 4000 * SIM_NS);
	bus_assert(w->n0, BUS_ATN);
	bus_release(w->n0, BUS_SEL);
	run_to(w, 4100 * SIM_NS);
	if (with_data) /* same parity as 0x81: DBP unchanged */
		bus_set_data(w->n0, 0xC0);
	bus_pulse(w->n1, BUS_REQ, 4200 * SIM_NS, 100 * SIM_NS);
	run_to(w, 4250 * SIM_NS);
	bus_assert(w->n0, BUS_ACK);
	run_to(w, 4400 * SIM_NS);
	bus_release(w->n0, BUS_ACK | BUS_ATN);
	run_to(w, 5000 * SIM_NS);
	bus_release(w->n1, BUS_BSY | BUS_MSG | BUS_CD);
	if (with_data) {
		bus_release_data(w->n0);
		bus_set_data(w->w0, 0xBEEE);
	}
	bus_release(w->w0, BUS_BSY);
	run_to(w, 6000 * SIM_NS);
	bus_trace_flush(w->nb);
	bus_trace_flush(w->wb);
}

static void tmp_path(char *buf, size_t size)
{
	snprintf(buf, size, "/tmp/scsinet_vcd_XXXXXX");
	int fd = mkstemp(buf);
	ck_assert_int_ge(fd, 0);
	close(fd);
}

/* Run the sequence with a writer on both buses into a new temp file. */
static void write_sequence(char *path, size_t size,
			   enum viz_vcd_timescale ts, int with_data)
{
	tmp_path(path, size);
	struct world w;
	world_init(&w);
	struct viz_vcd *v;
	ck_assert_int_eq(viz_vcd_open(&v, &w.sim, path, ts), SN_OK);
	ck_assert_int_eq(viz_vcd_add_bus(v, w.nb), SN_OK);
	ck_assert_int_eq(viz_vcd_add_bus(v, w.wb), SN_OK);
	run_sequence(&w, with_data);
	ck_assert_uint_eq(viz_vcd_ignored(v), 0);
	ck_assert_int_eq(viz_vcd_close(v), SN_OK);
	world_fini(&w);
}

START_TEST(header_and_declarations)
{
	char path[64];
	write_sequence(path, sizeof path, VIZ_VCD_1PS, 1);
	struct pvcd v;
	vcd_parse(path, &v);
	ck_assert_ptr_nonnull(strstr(v.date, "seed 7"));
	ck_assert_str_eq(v.version, "scsinet");
	ck_assert_str_eq(v.timescale, "1ps");
	ck_assert(v.enddefs);
	ck_assert_int_eq(v.nscope, 2);
	ck_assert_str_eq(v.scope[0], "narrow");
	ck_assert_str_eq(v.scope[1], "wide");
	static const char *const names[] = {
		"BSY", "SEL", "CD", "IO", "MSG", "REQ", "ACK", "ATN", "RST",
		"DB", "DBP", "phase",
	};
	ck_assert_int_eq(v.nvar, 24);
	for (int b = 0; b < 2; b++) {
		for (int k = 0; k < 12; k++) {
			const struct pvar *x = &v.var[b * 12 + k];
			ck_assert_str_eq(x->scope, v.scope[b]);
			ck_assert_str_eq(x->name, names[k]);
			unsigned size = k < 9 ? 1 : k == 9 ? (b ? 16 : 8)
				      : k == 10 ? (b ? 2 : 1) : 1;
			ck_assert_uint_eq(x->size, size);
			ck_assert_str_eq(x->type, k == 11 ? "string" : "wire");
			for (int j = 0; j < b * 12 + k; j++)
				ck_assert_str_ne(v.var[j].id, x->id);
		}
	}
	/* $dumpvars at 0: every var once, idle */
	int ninit = 0;
	for (int i = 0; i < v.nchg; i++) {
		if (!v.chg[i].init)
			continue;
		ck_assert_uint_eq(v.chg[i].t, 0);
		ck_assert_int_eq(v.chg[i].var, ninit);
		const char *want = v.var[ninit].size > 1 ? "h0"
				 : ninit % 12 == 11 ? "BUS_FREE" : "0";
		ck_assert_str_eq(v.chg[i].val, want);
		ninit++;
	}
	ck_assert_int_eq(ninit, 24);
	ck_assert_uint_eq(v.time[0], 0);
	vcd_free(&v);
	unlink(path);
}
END_TEST

struct want {
	uint64_t t;
	const char *scope, *name, *val;
};

static void check_changes(const char *path, const struct want *want,
			  int nwant, const uint64_t *times, int ntimes)
{
	struct pvcd v;
	vcd_parse(path, &v);
	int k = 0;
	for (int i = 0; i < v.nchg; i++) {
		const struct pchg *c = &v.chg[i];
		if (c->init)
			continue;
		const struct pvar *x = &v.var[c->var];
		ck_assert_msg(k < nwant, "extra change %s.%s=%s at %lu",
			      x->scope, x->name, c->val, (unsigned long)c->t);
		const struct want *w = &want[k++];
		ck_assert_msg(c->t == w->t && !strcmp(x->scope, w->scope) &&
			      !strcmp(x->name, w->name) &&
			      !strcmp(c->val, w->val),
			      "change %d: got %s.%s=%s at %lu, want %s.%s=%s "
			      "at %lu", k - 1, x->scope, x->name, c->val,
			      (unsigned long)c->t, w->scope, w->name, w->val,
			      (unsigned long)w->t);
	}
	ck_assert_int_eq(k, nwant);
	ck_assert_int_eq(v.ntime, ntimes);
	for (int i = 0; i < ntimes; i++)
		ck_assert_uint_eq(v.time[i], times[i]);
	vcd_free(&v);
}

#define NS(x) ((uint64_t)(x) * 1000)

START_TEST(exact_changes_narrow_and_wide)
{
	char path[64];
	write_sequence(path, sizeof path, VIZ_VCD_1PS, 1);
	/* DB(P): 0x81 and 0xC0 have even bit counts (P=1); on the wide bus
	 * 0x1234 gives P=0 P1=1 (b10) and 0xBEEE P=1 P1=1 (b11). */
	ck_assert_uint_eq(bus_parity(0x1234), 2);
	ck_assert_uint_eq(bus_parity(0xBEEE), 3);
	static const struct want want[] = {
		{ 0, "narrow", "BSY", "1" },
		{ 0, "narrow", "DB", "h81" },
		{ 0, "narrow", "DBP", "1" },
		{ 0, "narrow", "phase", "ARBITRATION" },
		{ NS(1000), "wide", "BSY", "1" },
		{ NS(1000), "wide", "DB", "h1234" },
		{ NS(1000), "wide", "DBP", "h2" },
		{ NS(1000), "wide", "phase", "ARBITRATION" },
		{ NS(1500), "wide", "REQ", "1" },
		{ NS(1750), "wide", "REQ", "0" },
		{ NS(2400), "narrow", "SEL", "1" },
		{ NS(2400), "narrow", "phase", "SELECTION" },
		{ NS(3000), "narrow", "BSY", "0" },
		{ NS(3500), "narrow", "BSY", "1" },
		{ NS(3500), "narrow", "CD", "1" },
		{ NS(3500), "narrow", "MSG", "1" },
		{ NS(4000), "narrow", "SEL", "0" },
		{ NS(4000), "narrow", "ATN", "1" },
		{ NS(4000), "narrow", "phase", "MESSAGE_OUT" },
		{ NS(4100), "narrow", "DB", "hc0" },
		{ NS(4200), "narrow", "REQ", "1" },
		{ NS(4250), "narrow", "ACK", "1" },
		{ NS(4300), "narrow", "REQ", "0" },
		{ NS(4400), "narrow", "ACK", "0" },
		{ NS(4400), "narrow", "ATN", "0" },
		{ NS(5000), "narrow", "BSY", "0" },
		{ NS(5000), "narrow", "CD", "0" },
		{ NS(5000), "narrow", "MSG", "0" },
		{ NS(5000), "narrow", "DB", "h0" },
		{ NS(5000), "narrow", "DBP", "0" },
		{ NS(5000), "narrow", "phase", "BUS_FREE" },
		{ NS(5000), "wide", "BSY", "0" },
		{ NS(5000), "wide", "DB", "hbeee" },
		{ NS(5000), "wide", "DBP", "h3" },
		{ NS(5000), "wide", "phase", "BUS_FREE" },
	};
	/* one #0 (changes at 0 follow $dumpvars), increasing, and the end
	 * of the run last */
	static const uint64_t times[] = {
		0, NS(1000), NS(1500), NS(1750), NS(2400), NS(3000),
		NS(3500), NS(4000), NS(4100), NS(4200), NS(4250), NS(4300),
		NS(4400), NS(5000), NS(6000),
	};
	check_changes(path, want, (int)(sizeof want / sizeof want[0]), times,
		      (int)(sizeof times / sizeof times[0]));
	unlink(path);
}
END_TEST

/* 1 ns: times round down; changes within one ns collapse to the last, so
 * a 300 ps REQ glitch leaves nothing and no empty timestamp. */
START_TEST(nanoseconds_round_down_and_collapse)
{
	char path[64];
	tmp_path(path, sizeof path);
	struct world w;
	world_init(&w);
	struct viz_vcd *v;
	ck_assert_int_eq(viz_vcd_open(&v, &w.sim, path, VIZ_VCD_1NS), SN_OK);
	ck_assert_int_eq(viz_vcd_add_bus(v, w.nb), SN_OK);
	run_to(&w, 10100);
	bus_set_data(w.n0, 0x11);
	run_to(&w, 10300);
	bus_set_data(w.n0, 0x23); /* odd count: DB(P) = 0 */
	run_to(&w, 20100);
	bus_pulse(w.n1, BUS_REQ, 20200, 300);
	run_to(&w, 30999);
	bus_assert(w.n0, BUS_BSY);
	run_to(&w, 40000);
	bus_trace_flush(w.nb);
	ck_assert_int_eq(viz_vcd_close(v), SN_OK);
	static const struct want want[] = {
		{ 10, "narrow", "DB", "h23" },
		{ 30, "narrow", "BSY", "1" },
		{ 30, "narrow", "phase", "ARBITRATION" },
	};
	static const uint64_t times[] = { 0, 10, 30, 40 };
	check_changes(path, want, 3, times, 4);
	struct pvcd p;
	vcd_parse(path, &p);
	ck_assert_str_eq(p.timescale, "1ns");
	ck_assert_int_eq(p.nscope, 1);
	vcd_free(&p);
	world_fini(&w);
	unlink(path);
}
END_TEST

/* Buses not added are ignored and counted; the bus set is fixed once a
 * record has arrived; names are made safe and unique. */
START_TEST(bus_set_and_names)
{
	char path[64];
	tmp_path(path, sizeof path);
	struct world w;
	world_init(&w);
	struct bus *a = mkbus(&w.sim, "my bus.0", BUS_NARROW);
	struct bus *b = mkbus(&w.sim, "my bus.0", BUS_NARROW);
	struct bus_port *pb;
	ck_assert_int_eq(bus_attach(b, "x", 0, 1, &pb), SN_OK);
	struct sim other;
	ck_assert_int_eq(sim_init(&other, 1), SN_OK);
	struct bus *foreign = mkbus(&other, "foreign", BUS_NARROW);

	struct viz_vcd *v;
	ck_assert_int_eq(viz_vcd_open(&v, &w.sim, path, (enum viz_vcd_timescale)9),
			 SN_EINVAL);
	ck_assert_int_eq(viz_vcd_open(&v, &w.sim, "/nonexistent/dir/x.vcd",
				      VIZ_VCD_1PS), SN_EIO);
	ck_assert_int_eq(viz_vcd_open(&v, &w.sim, path, VIZ_VCD_1PS), SN_OK);
	ck_assert_int_eq(viz_vcd_add_bus(v, a), SN_OK);
	ck_assert_int_eq(viz_vcd_add_bus(v, a), SN_EEXIST);
	ck_assert_int_eq(viz_vcd_add_bus(v, b), SN_OK);
	ck_assert_int_eq(viz_vcd_add_bus(v, foreign), SN_EINVAL);
	bus_assert(w.n0, BUS_BSY);        /* the narrow bus was not added */
	bus_assert(pb, BUS_SEL);
	ck_assert_int_eq(viz_vcd_add_bus(v, w.nb), SN_ESTATE);
	ck_assert_uint_eq(viz_vcd_ignored(v), 1);
	run_to(&w, 100);
	bus_trace_flush(w.nb);
	bus_trace_flush(b);
	ck_assert_int_eq(viz_vcd_close(v), SN_OK);

	struct pvcd p;
	vcd_parse(path, &p);
	ck_assert_int_eq(p.nscope, 2);
	ck_assert_str_eq(p.scope[0], "my_bus_0");
	ck_assert_str_eq(p.scope[1], "my_bus_0_2");
	vcd_free(&p);
	static const struct want want[] = {
		{ 0, "my_bus_0_2", "SEL", "1" },
		{ 0, "my_bus_0_2", "phase", "SELECTION" },
	};
	static const uint64_t times[] = { 0, 100 };
	check_changes(path, want, 2, times, 2);

	/* the save file names the same scopes */
	char gtkw[80];
	snprintf(gtkw, sizeof gtkw, "%s.gtkw", path);
	const struct bus *list[] = { a, b };
	ck_assert_int_eq(viz_vcd_write_gtkw(path, gtkw, list, 2), SN_OK);
	char *text = slurp(gtkw);
	ck_assert_ptr_nonnull(strstr(text, "\nmy_bus_0.BSY\n"));
	ck_assert_ptr_nonnull(strstr(text, "\nmy_bus_0_2.phase\n"));
	free(text);
	ck_assert_int_eq(viz_vcd_write_gtkw("a\"b.vcd", gtkw, list, 2),
			 SN_EINVAL);
	unlink(gtkw);
	unlink(path);

	bus_destroy(a);
	bus_destroy(b);
	bus_destroy(foreign);
	sim_fini(&other);
	world_fini(&w);
}
END_TEST

START_TEST(write_errors_are_reported)
{
	struct world w;
	world_init(&w);
	struct viz_vcd *v;
	/* /dev/full takes the open and fails every write */
	ck_assert_int_eq(viz_vcd_open(&v, &w.sim, "/dev/full", VIZ_VCD_1PS),
			 SN_OK);
	ck_assert_int_eq(viz_vcd_add_bus(v, w.nb), SN_OK);
	bus_assert(w.n0, BUS_BSY);
	run_to(&w, 10);
	bus_trace_flush(w.nb);
	ck_assert_int_eq(viz_vcd_close(v), SN_EIO);
	ck_assert_int_eq(viz_vcd_close(NULL), SN_OK);
	const struct bus *list[] = { w.nb };
	ck_assert_int_eq(viz_vcd_write_gtkw("x.vcd", "/dev/full", list, 1),
			 SN_EIO);
	world_fini(&w);
}
END_TEST

START_TEST(gtkw_save_file)
{
	char path[64], gtkw[80];
	tmp_path(path, sizeof path);
	snprintf(gtkw, sizeof gtkw, "%s.gtkw", path);
	struct world w;
	world_init(&w);
	const struct bus *list[] = { w.nb, w.wb };
	ck_assert_int_eq(viz_vcd_write_gtkw("run.vcd", gtkw, list, 2), SN_OK);
	char *text = slurp(gtkw);
	static const char want[] =
		"[*] scsinet: SCSI bus lines\n"
		"[dumpfile] \"run.vcd\"\n"
		"[timestart] 0\n"
		"@800200\n-narrow\n"
		"@28\n"
		"narrow.BSY\nnarrow.SEL\nnarrow.ATN\nnarrow.MSG\nnarrow.CD\n"
		"narrow.IO\nnarrow.REQ\nnarrow.ACK\nnarrow.RST\n"
		"@22\nnarrow.DB[7:0]\n"
		"@28\nnarrow.DBP\nnarrow.phase\n"
		"@1000200\n-narrow\n"
		"@800200\n-wide\n"
		"@28\n"
		"wide.BSY\nwide.SEL\nwide.ATN\nwide.MSG\nwide.CD\n"
		"wide.IO\nwide.REQ\nwide.ACK\nwide.RST\n"
		"@22\nwide.DB[15:0]\n"
		"@28\nwide.DBP[1:0]\nwide.phase\n"
		"@1000200\n-wide\n";
	ck_assert_str_eq(text, want);
	free(text);
	unlink(gtkw);
	unlink(path);
	world_fini(&w);
}
END_TEST

/* --- the writer leaves the simulation unchanged ------------------------ */

/* On each bus the initiator puts a byte on DB and pulses REQ 20 ns ahead
 * (a future-dated change); the target answers each REQ with an ACK pulse
 * 30 ns after it sees it; the initiator starts the next byte 100 ns after
 * it sees ACK fall.  Everything the ports sense is logged. */
struct pp_log {
	int n;
	sim_time_t t[256];
	struct bus_sig s[256];
};

struct pp {
	struct bus_port *ini, *tgt;
	struct sim_event ini_ev, tgt_ev;
	int sent, rounds;
	struct pp_log *log;
};

static void pp_log(struct pp *pp, struct bus_port *p, struct bus_sig s)
{
	struct pp_log *l = pp->log;
	ck_assert_int_lt(l->n, 256);
	l->t[l->n] = sim_now(bus_sim(p->bus));
	l->s[l->n++] = s;
}

static void pp_ini_fire(struct sim *sim, struct sim_event *e, void *arg)
{
	(void)e;
	struct pp *pp = arg;
	bus_set_data(pp->ini, (uint16_t)(0x0101u * (unsigned)(pp->sent + 1)));
	bus_pulse(pp->ini, BUS_REQ, sim_now(sim) + 20 * SIM_NS, 50 * SIM_NS);
}

static void pp_tgt_fire(struct sim *sim, struct sim_event *e, void *arg)
{
	(void)e;
	struct pp *pp = arg;
	bus_pulse(pp->tgt, BUS_ACK, sim_now(sim), 40 * SIM_NS);
}

static void pp_tgt_sees(struct bus_port *p, struct bus_sig before,
			struct bus_sig now, void *arg)
{
	(void)before;
	struct pp *pp = arg;
	pp_log(pp, p, now);
	sim_schedule_in(bus_sim(p->bus), &pp->tgt_ev, 30 * SIM_NS);
}

static void pp_ini_sees(struct bus_port *p, struct bus_sig before,
			struct bus_sig now, void *arg)
{
	(void)before;
	struct pp *pp = arg;
	pp_log(pp, p, now);
	if (++pp->sent < pp->rounds)
		sim_schedule_in(bus_sim(p->bus), &pp->ini_ev, 100 * SIM_NS);
}

static void pp_run(int with_vcd, struct pp_log *ln, struct pp_log *lw,
		   uint64_t *events, sim_time_t *end)
{
	struct world w;
	world_init(&w);
	struct pp a = { w.n0, w.n1, .rounds = 20, .log = ln };
	struct pp b = { w.w0, w.w1, .rounds = 30, .log = lw };
	struct pp *all[2] = { &a, &b };
	for (int i = 0; i < 2; i++) {
		struct pp *pp = all[i];
		sim_event_init(&pp->ini_ev, pp_ini_fire, pp, "ini");
		sim_event_init(&pp->tgt_ev, pp_tgt_fire, pp, "tgt");
		bus_watch(pp->tgt, BUS_REQ, 0, pp_tgt_sees, pp);
		bus_watch(pp->ini, 0, BUS_ACK, pp_ini_sees, pp);
	}
	char path[64];
	struct viz_vcd *v = NULL;
	if (with_vcd) {
		tmp_path(path, sizeof path);
		ck_assert_int_eq(viz_vcd_open(&v, &w.sim, path, VIZ_VCD_1PS),
				 SN_OK);
		ck_assert_int_eq(viz_vcd_add_bus(v, w.nb), SN_OK);
		ck_assert_int_eq(viz_vcd_add_bus(v, w.wb), SN_OK);
	}
	sim_schedule_at(&w.sim, &a.ini_ev, 0);
	sim_schedule_at(&w.sim, &b.ini_ev, 7 * SIM_NS);
	ck_assert_int_eq(sim_run(&w.sim), SIM_RUN_EMPTY);
	*events = sim_events_run(&w.sim);
	*end = sim_now(&w.sim);
	if (with_vcd) {
		bus_trace_flush(w.nb);
		bus_trace_flush(w.wb);
		ck_assert_int_eq(viz_vcd_close(v), SN_OK);
		struct pvcd p;
		vcd_parse(path, &p);
		int req = var_find(&p, "wide", "REQ"), n = 0;
		for (int i = 0; i < p.nchg; i++)
			n += !p.chg[i].init && p.chg[i].var == req;
		ck_assert_int_eq(n, 2 * 30); /* every pulse made it */
		vcd_free(&p);
		unlink(path);
	}
	world_fini(&w);
}

START_TEST(simulation_unchanged_by_writer)
{
	static struct pp_log n0, w0, n1, w1;
	uint64_t ev0, ev1;
	sim_time_t end0, end1;
	memset(&n0, 0, sizeof n0);
	memset(&w0, 0, sizeof w0);
	memset(&n1, 0, sizeof n1);
	memset(&w1, 0, sizeof w1);
	pp_run(0, &n0, &w0, &ev0, &end0);
	pp_run(1, &n1, &w1, &ev1, &end1);
	ck_assert_uint_gt(ev0, 100);
	ck_assert_uint_eq(ev0, ev1);
	ck_assert_uint_eq(end0, end1);
	ck_assert_int_eq(n0.n, 40);
	ck_assert_int_eq(w0.n, 60);
	ck_assert_int_eq(n0.n, n1.n);
	ck_assert_int_eq(w0.n, w1.n);
	const struct pp_log *a[2] = { &n0, &w0 }, *b[2] = { &n1, &w1 };
	for (int k = 0; k < 2; k++)
		for (int i = 0; i < a[k]->n; i++) {
			ck_assert_uint_eq(a[k]->t[i], b[k]->t[i]);
			ck_assert_uint_eq(a[k]->s[i].ctl, b[k]->s[i].ctl);
			ck_assert_uint_eq(a[k]->s[i].db, b[k]->s[i].db);
			ck_assert_uint_eq(a[k]->s[i].dbp, b[k]->s[i].dbp);
		}
}
END_TEST

/* --- independent readers ------------------------------------------------ */

static void need_tool(const char *tool, const char *package)
{
	char cmd[128];
	snprintf(cmd, sizeof cmd, "command -v %s >/dev/null 2>&1", tool);
	ck_assert_msg(system(cmd) == 0,
		      "%s is not installed (Debian package %s; run "
		      "scripts/install-deps.sh test)", tool, package);
}

/* Run a shell command; returns its exit status (-1 if it did not exit). */
static int run(const char *cmd)
{
	int st = system(cmd);
	return st != -1 && WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* A copy of `path` without the line `line`: a malformed file. */
static void copy_without(const char *path, const char *line, char *out,
			 size_t size)
{
	snprintf(out, size, "%s.bad", path);
	char *text = slurp(path);
	char *at = strstr(text, line);
	ck_assert_ptr_nonnull(at);
	FILE *f = fopen(out, "w");
	ck_assert_ptr_nonnull(f);
	fwrite(text, 1, (size_t)(at - text), f);
	fputs(at + strlen(line), f);
	ck_assert_int_eq(fclose(f), 0);
	free(text);
}

/* Does `theirs` give the vars of `ours` the same histories?  By scope and
 * name; or, for sigrok, which keeps only 1-bit wires and drops scopes,
 * by position among ours' 1-bit wires.  On a difference, says which. */
static int same_histories(const struct pvcd *ours, const struct pvcd *theirs,
			  int sigrok, char *why, size_t n)
{
	int j = 0;
	for (int i = 0; i < ours->nvar; i++) {
		const struct pvar *x = &ours->var[i];
		if (sigrok && (x->size != 1 || strcmp(x->type, "wire") != 0))
			continue;
		int k = sigrok ? j++ : var_find(theirs, x->scope, x->name);
		if (k < 0 || k >= theirs->nvar ||
		    strcmp(theirs->var[k].name, x->name) != 0) {
			snprintf(why, n, "%s.%s is missing", x->scope, x->name);
			return 0;
		}
		char h1[1024], h2[1024];
		history(ours, i, h1, sizeof h1);
		history(theirs, k, h2, sizeof h2);
		if (strcmp(h1, h2) != 0) {
			snprintf(why, n, "%s.%s: written %.400s, read %.400s", x->scope,
				 x->name, h1, h2);
			return 0;
		}
	}
	if (theirs->nvar != (sigrok ? j : ours->nvar)) {
		snprintf(why, n, "%d vars read, %d expected", theirs->nvar,
			 sigrok ? j : ours->nvar);
		return 0;
	}
	return 1;
}

/* Read `path` back through GTKWave's vcd2fst and fst2vcd. */
static void fst_readback(const char *path, struct pvcd *back)
{
	char fst[96], out[96], cmd[512];
	snprintf(fst, sizeof fst, "%s.fst", path);
	snprintf(out, sizeof out, "%s.back", path);
	snprintf(cmd, sizeof cmd, "vcd2fst '%s' '%s' >/dev/null 2>&1", path,
		 fst);
	int rc = run(cmd);
	ck_assert_msg(rc == 0, "vcd2fst %s exited with %d", path, rc);
	snprintf(cmd, sizeof cmd, "fst2vcd '%s' >'%s' 2>/dev/null", fst, out);
	rc = run(cmd);
	ck_assert_msg(rc == 0, "fst2vcd exited with %d", rc);
	vcd_parse(out, back);
	unlink(out);
	unlink(fst);
}

/* Read `path` back through sigrok-cli's VCD input and output modules. */
static void sigrok_readback(const char *path, struct pvcd *back)
{
	char out[96], cmd[512];
	snprintf(out, sizeof out, "%s.sr", path);
	snprintf(cmd, sizeof cmd,
		 "sigrok-cli -I vcd -i '%s' -O vcd -o '%s' >/dev/null 2>&1",
		 path, out);
	int rc = run(cmd);
	ck_assert_msg(rc == 0, "sigrok-cli on %s exited with %d", path, rc);
	vcd_parse(out, back);
	unlink(out);
}

/*
 * GTKWave's converter reads the file into FST and fst2vcd writes it back:
 * every var, vectors and the phase strings included, must keep its
 * history.  vcd2fst exits 0 even on a malformed file, so exit status alone
 * proves little: the same check must fail on a copy with one $var line
 * missing.
 */
START_TEST(gtkwave_vcd2fst_reads_it)
{
	need_tool("vcd2fst", "gtkwave");
	need_tool("fst2vcd", "gtkwave");
	char path[64], bad[80], why[2048];
	write_sequence(path, sizeof path, VIZ_VCD_1PS, 1);
	struct pvcd ours, back;
	vcd_parse(path, &ours);
	fst_readback(path, &back);
	ck_assert_str_eq(back.timescale, "1ps");
	ck_assert_msg(same_histories(&ours, &back, 0, why, sizeof why), "%s",
		      why);
	for (int i = 0; i < ours.nvar; i++)
		if (strcmp(ours.var[i].type, "string") != 0)
			ck_assert_uint_eq(back.var[var_find(&back,
				ours.var[i].scope, ours.var[i].name)].size,
				ours.var[i].size);
	vcd_free(&back);
	copy_without(path, "$var wire 1 & REQ $end\n", bad, sizeof bad);
	fst_readback(bad, &back);
	ck_assert(!same_histories(&ours, &back, 0, why, sizeof why));
	vcd_free(&back);
	vcd_free(&ours);
	unlink(bad);
	unlink(path);
}
END_TEST

/*
 * sigrok-cli reads the file as a logic-analyser capture and writes its own
 * VCD.  libsigrok 0.5.2 (Debian 12) takes the 1-bit wires only, named
 * without their scope, reports the phase strings as unknown tokens, and
 * silently stops reading at the first multi-bit vector value; it also
 * exits 0 whatever it read.  So this runs the sequence without driving
 * DB (DB stays b0, which it accepts), and compares what it read: every
 * 1-bit wire's history up to the end of the run, and that the same check
 * fails on a copy with one $var line missing.
 */
START_TEST(sigrok_reads_it)
{
	need_tool("sigrok-cli", "sigrok-cli");
	char path[64], bad[80], why[2048];
	write_sequence(path, sizeof path, VIZ_VCD_1PS, 0);
	struct pvcd ours, back;
	vcd_parse(path, &ours);
	sigrok_readback(path, &back);
	ck_assert_str_eq(back.timescale, "1ps");
	ck_assert_msg(same_histories(&ours, &back, 1, why, sizeof why), "%s",
		      why);
	ck_assert_int_eq(back.nvar, 9 + 1 + 9); /* narrow: + DB(P) */
	ck_assert_int_ge(back.nchg, 19 + 15); /* not a vacuous match */
	ck_assert_uint_eq(back.time[back.ntime - 1], NS(6000));
	vcd_free(&back);
	copy_without(path, "$var wire 1 & REQ $end\n", bad, sizeof bad);
	sigrok_readback(bad, &back);
	ck_assert(!same_histories(&ours, &back, 1, why, sizeof why));
	vcd_free(&back);
	vcd_free(&ours);
	unlink(bad);
	unlink(path);
}
END_TEST

Suite *vcd_suite(void)
{
	Suite *s = suite_create("vcd");
	TCase *tc = tcase_create("writer");
	tcase_add_test(tc, header_and_declarations);
	tcase_add_test(tc, exact_changes_narrow_and_wide);
	tcase_add_test(tc, nanoseconds_round_down_and_collapse);
	tcase_add_test(tc, bus_set_and_names);
	tcase_add_test(tc, write_errors_are_reported);
	tcase_add_test(tc, gtkw_save_file);
	tcase_add_test(tc, simulation_unchanged_by_writer);
	suite_add_tcase(s, tc);
	TCase *tr = tcase_create("readers");
	tcase_set_timeout(tr, 60);
	tcase_add_test(tr, gtkwave_vcd2fst_reads_it);
	tcase_add_test(tr, sigrok_reads_it);
	suite_add_tcase(s, tr);
	return s;
}
