/*
 * test_view.c - the live view (viz/viz_view.h) rendered headless: a
 * scenario is run to a time, the view's snapshot written as PNG and read
 * back with SDL2_image, and its pixels compared with what the line trace
 * says happened (recorded here by a subscriber of our own, not by the
 * view): the phase band has each phase's colour where the bus was in that
 * phase (DATA OUT, BUS FREE, ...), the BSY trace is high where BSY was
 * asserted and low where not.  Also: the decoded steps (arbitration,
 * selection, IDENTIFY, SDTR, the SEND MESSAGE(10) CDB, STATUS, COMMAND
 * COMPLETE), determinism (the same inputs, the same pixels), two times
 * give two pictures, bad arguments give exit 2, and the real window under
 * Xvfb with scripted keys when xvfb-run is installed.
 */
#include <SDL.h>
#include <SDL_image.h>
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "scn.h"
#include "scn_world.h"
#include "suites.h"
#include "viz_decode.h"
#include "viz_scsicap.h"
#include "viz_view.h"

#ifndef SCSINET_CLI
#define SCSINET_CLI "build/scsinet"
#endif

#define SCENARIO "scenarios/two-hosts-ping.json"
/* two-hosts-ping: the first IPv4 datagram's command on scsi0 runs from
 * about 2.03829 s to 2.03861 s (selection, MESSAGE OUT, COMMAND, DATA
 * OUT, STATUS, MESSAGE IN), then BUS FREE until 2.03863 s. */
#define AT (2038620 * SIM_US)
#define WINDOW (340 * SIM_US)


/* What the trace says, recorded independently of the view. */
#define MAXREC 200000
struct rec {
	sim_time_t t;
	uint16_t ctl;
	uint8_t phase;
};
struct tracelog {
	sim_trace_source_t src;
	struct rec *r;
	int n;
};

static void on_rec(const struct sim_trace_record *rec, void *arg)
{
	struct tracelog *l = arg;
	if (rec->source != l->src || l->n == MAXREC)
		return;
	const struct bus_trace_lines *b = rec->data;
	l->r[l->n++] = (struct rec){ rec->time, b->bus.ctl, b->phase };
}

struct fix {
	struct scn *s;
	struct scn_world *w;
	struct viz_view *v;
	struct sim_trace_sub sub;
	struct tracelog log;
};

static void fix_open_check(struct fix *f, const char *file, int check)
{
	memset(f, 0, sizeof *f);
	struct scn_errors errs = { .out = stderr, .max = 10 };
	ck_assert_int_eq(scn_load(file, NULL, 0, &errs, &f->s), 0);
	if (check)
		f->s->check = 1;
	char why[256] = "";
	ck_assert_int_eq(scn_world_build(f->s, &f->w, why, sizeof why), SN_OK);
	ck_assert_int_eq(viz_view_open(f->w, &f->v), SN_OK);
	f->log.r = calloc(MAXREC, sizeof *f->log.r);
	ck_assert_ptr_nonnull(f->log.r);
	f->log.src = scn_world_bus(f->w, 0)->src;
	sim_trace_subscribe(scn_world_sim(f->w), &f->sub,
			    SIM_TR_MASK(SIM_TR_BUS_LINES), on_rec, &f->log);
}

static void fix_open(struct fix *f, const char *file)
{
	fix_open_check(f, file, 0);
}

static void fix_close(struct fix *f)
{
	sim_trace_unsubscribe(scn_world_sim(f->w), &f->sub);
	viz_view_close(f->v);
	scn_world_destroy(f->w);
	scn_free(f->s);
	free(f->log.r);
}

static char *tmp_png(void)
{
	static char name[8][64];
	static int k;
	char *p = name[k++ % 8];
	snprintf(p, 64, "/tmp/scsinet_view_XXXXXX");
	int fd = mkstemp(p);
	ck_assert_int_ge(fd, 0);
	close(fd);
	return p;
}

/* The picture as 0xRRGGBB pixels (w*h, malloc'ed). */
static uint32_t *load_rgb(const char *png, int *w, int *h)
{
	SDL_Surface *s = IMG_Load(png);
	ck_assert_msg(s != NULL, "IMG_Load %s: %s", png, IMG_GetError());
	SDL_Surface *c = SDL_ConvertSurfaceFormat(s, SDL_PIXELFORMAT_ARGB8888,
						  0);
	ck_assert_ptr_nonnull(c);
	*w = c->w;
	*h = c->h;
	uint32_t *px = malloc((size_t)c->w * (size_t)c->h * sizeof *px);
	ck_assert_ptr_nonnull(px);
	for (int y = 0; y < c->h; y++) {
		const uint32_t *row = (const uint32_t *)((const uint8_t *)
							 c->pixels +
						 (size_t)y * (size_t)c->pitch);
		for (int x = 0; x < c->w; x++)
			px[y * c->w + x] = row[x] & 0xffffffu;
	}
	SDL_FreeSurface(c);
	SDL_FreeSurface(s);
	return px;
}

START_TEST(band_and_bsy_follow_the_trace)
{
	struct fix f;
	fix_open(&f, SCENARIO);
	viz_view_advance(f.v, AT);
	struct viz_view_frame fr = { 1280, 720, 0, AT, WINDOW, 0, -1 };
	char *png = tmp_png();
	ck_assert_int_eq(viz_view_snapshot(f.v, &fr, png), SN_OK);
	int w, h;
	uint32_t *px = load_rgb(png, &w, &h);
	ck_assert_int_eq(w, 1280);
	ck_assert_int_eq(h, 720);
	struct viz_view_geom g;
	viz_view_geometry(w, h, &g);
	sim_time_t t0 = AT - WINDOW;
	int seen[BUS_PH_COUNT_] = { 0 }, bsy_hi = 0, bsy_lo = 0;
	/* runs of one phase (pass 0) and of one BSY level (pass 1), cut to
	 * the window; each checked in its middle */
	for (int pass = 0; pass < 2; pass++) {
		for (int i = 0; i < f.log.n;) {
			int j = i + 1;
			while (j < f.log.n &&
			       (pass ? !((f.log.r[j].ctl ^ f.log.r[i].ctl) &
					 BUS_BSY)
				     : f.log.r[j].phase == f.log.r[i].phase))
				j++;
			sim_time_t a = f.log.r[i].t;
			sim_time_t b = j < f.log.n ? f.log.r[j].t : AT;
			const struct rec *r = &f.log.r[i];
			i = j;
			if (b <= t0 || a >= AT)
				continue;
			if (a < t0)
				a = t0;
			if (b > AT)
				b = AT;
			int xa = viz_view_time_x(&g, &fr, a);
			int xb = viz_view_time_x(&g, &fr, b);
			if (xb - xa < 6)
				continue;
			int x = (xa + xb) / 2;
			if (pass == 0) {
				enum bus_phase ph = (enum bus_phase)r->phase;
				int yb = (g.band_y0 + g.band_y1) / 2;
				ck_assert_msg(px[yb * w + x] ==
						      viz_view_phase_rgb(ph),
					      "x %d: band %06X, expected %s "
					      "%06X",
					      x, px[yb * w + x],
					      bus_phase_name(ph),
					      viz_view_phase_rgb(ph));
				seen[ph]++;
				continue;
			}
			int hi = px[g.line_hi[0] * w + x] == VIZ_VIEW_TRACE_RGB;
			int lo = px[g.line_lo[0] * w + x] == VIZ_VIEW_TRACE_RGB;
			if (r->ctl & BUS_BSY) {
				ck_assert_msg(hi && !lo, "x %d: BSY not high",
					      x);
				bsy_hi++;
			} else {
				ck_assert_msg(lo && !hi, "x %d: BSY not low",
					      x);
				bsy_lo++;
			}
		}
	}
	ck_assert_int_gt(seen[BUS_PH_DATA_OUT], 0);
	ck_assert_int_gt(seen[BUS_PH_BUS_FREE], 0);
	ck_assert_int_gt(seen[BUS_PH_COMMAND], 0);
	ck_assert_int_gt(bsy_hi, 0);
	ck_assert_int_gt(bsy_lo, 0);
	/* the colours tell the phases apart */
	ck_assert_uint_ne(viz_view_phase_rgb(BUS_PH_DATA_OUT),
			  viz_view_phase_rgb(BUS_PH_BUS_FREE));
	ck_assert_uint_ne(viz_view_phase_rgb(BUS_PH_BUS_FREE),
			  VIZ_VIEW_BG_RGB);
	free(px);
	unlink(png);
	fix_close(&f);
}
END_TEST

static int has_note(struct viz_view *v, int b, const char *text)
{
	uint64_t n = viz_view_note_count(v, b);
	for (uint64_t i = 0; i < n; i++) {
		const struct viz_view_note *nt = viz_view_note(v, b, i);
		if (nt && strstr(nt->text, text))
			return 1;
	}
	return 0;
}

START_TEST(decoded_steps)
{
	struct fix f;
	fix_open(&f, SCENARIO);
	viz_view_advance(f.v, AT);
	static const char *const want[] = {
		"ARB 7 wins",          "SELECT 7 -> 0 timed out",
		"SELECT 7 -> 6 ATN",   "MSG OUT IDENTIFY LUN 0 disc; SDTR 200ns off 8",
		"MSG IN SDTR 200ns off 8",
		"SEND MESSAGE(10) 18 B type 1 ARP",
		"SEND MESSAGE(10) 84 B type 0 IPv4",
		"DATA OUT 84 B",       "STATUS 00 GOOD",
		"MSG IN COMMAND COMPLETE", "SELECT 6 -> 7 ATN",
	};
	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
		ck_assert_msg(has_note(f.v, 0, want[i]), "no note '%s'",
			      want[i]);
	/* the ring is in time order and its phase lookups agree with the
	 * trace */
	uint64_t n = viz_view_edge_count(f.v, 0);
	ck_assert_uint_gt(n, 100);
	for (uint64_t i = 1; i < n; i++)
		ck_assert_uint_lt(viz_view_edge(f.v, 0, i - 1)->t,
				  viz_view_edge(f.v, 0, i)->t);
	ck_assert_ptr_null(viz_view_edge(f.v, 0, n));
	for (int i = 0; i + 1 < f.log.n; i++) {
		if (f.log.r[i + 1].t == f.log.r[i].t)
			continue;
		ck_assert_int_eq(viz_view_phase_at(f.v, 0, f.log.r[i].t),
				 f.log.r[i].phase);
	}
	/* nobody holds the bus once it is free */
	int ini, tgt;
	enum bus_phase ph;
	viz_view_connection(f.v, 0, &ini, &tgt, &ph);
	ck_assert_int_eq(ph, BUS_PH_BUS_FREE);
	ck_assert_int_eq(ini, -1);
	/* stepping: one phase at a time, then a whole command */
	uint64_t e0 = viz_view_edge_count(f.v, 0);
	ck_assert_int_eq(viz_view_step(f.v, 0, 0, SIM_TIME_MAX), 1);
	ck_assert_uint_gt(viz_view_edge_count(f.v, 0), e0);
	ck_assert_int_eq(viz_view_step(f.v, 0, 2, SIM_TIME_MAX), 1);
	viz_view_connection(f.v, 0, &ini, &tgt, &ph);
	ck_assert_int_eq(ph, BUS_PH_BUS_FREE);
	fix_close(&f);
}
END_TEST

static int same_file(const char *a, const char *b)
{
	char cmd[256];
	snprintf(cmd, sizeof cmd, "cmp -s %s %s", a, b);
	return system(cmd) == 0;
}

START_TEST(deterministic_and_moving)
{
	char *p[3];
	for (int k = 0; k < 3; k++) {
		struct fix f;
		fix_open(&f, SCENARIO);
		sim_time_t at = k == 2 ? AT + 200 * SIM_US : AT;
		viz_view_advance(f.v, at);
		struct viz_view_frame fr = { 800, 500, 0, at, WINDOW, 0, -1 };
		p[k] = tmp_png();
		ck_assert_int_eq(viz_view_snapshot(f.v, &fr, p[k]), SN_OK);
		fix_close(&f);
	}
	ck_assert_msg(same_file(p[0], p[1]), "two snapshots differ");
	ck_assert_msg(!same_file(p[0], p[2]), "two times, one picture");
	int w, h;
	uint32_t *a = load_rgb(p[0], &w, &h);
	uint32_t *b = load_rgb(p[2], &w, &h);
	ck_assert_int_eq(w, 800);
	ck_assert_int_ne(memcmp(a, b, (size_t)w * (size_t)h * sizeof *a), 0);
	free(a);
	free(b);
	for (int k = 0; k < 3; k++)
		unlink(p[k]);
}
END_TEST

static int view(const char *args)
{
	char *argv[32];
	char buf[1024];
	int argc = 0;
	snprintf(buf, sizeof buf, "view %s", args);
	for (char *t = strtok(buf, " "); t && argc < 31; t = strtok(NULL, " "))
		argv[argc++] = t;
	argv[argc] = NULL;
	/* the CLI prints its complaints: keep the test log readable */
	fflush(stderr);
	int saved = dup(2);
	FILE *null = fopen("/dev/null", "w");
	ck_assert_ptr_nonnull(null);
	dup2(fileno(null), 2);
	int st = cli_view(argc, argv);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	fclose(null);
	return st;
}

START_TEST(bad_arguments)
{
	ck_assert_int_eq(view(""), 2);
	ck_assert_int_eq(view(SCENARIO " --snapshot /tmp/x.png"), 2);
	ck_assert_int_eq(view(SCENARIO " --snapshot /tmp/x.png --at 2"), 2);
	ck_assert_int_eq(view(SCENARIO " --snapshot /tmp/x.png --at 2s "
					"--bus nosuch"), 2);
	ck_assert_int_eq(view(SCENARIO " --snapshot /tmp/x.png --at 2s "
					"--window 0s"), 2);
	ck_assert_int_eq(view(SCENARIO " --snapshot /tmp/x.png --at 2s "
					"--size 10x10"), 2);
	ck_assert_int_eq(view(SCENARIO " --at"), 2);
	ck_assert_int_eq(view(SCENARIO " --frobnicate"), 2);
	ck_assert_int_eq(view("/nonexistent.json --snapshot /tmp/x.png "
			      "--at 1s"), 2);
	ck_assert_int_eq(view(SCENARIO " " SCENARIO), 2);
	ck_assert_int_eq(view(SCENARIO " --snapshot /nonexistent/dir/x.png "
					"--at 1s"), 2);
}
END_TEST

/* No display: the window is refused with a clear message and exit 1,
 * not run invisibly. */
START_TEST(no_display_fails)
{
	char cmd[512];
	snprintf(cmd, sizeof cmd,
		 "env -u DISPLAY -u WAYLAND_DISPLAY -u SDL_VIDEODRIVER "
		 "ASAN_OPTIONS=detect_leaks=0 %s view " SCENARIO
		 " --frames 2 2>&1 | grep -q 'cannot open a window: .*no "
		 "display.*--snapshot'",
		 SCSINET_CLI);
	ck_assert_int_eq(system(cmd), 0);
	snprintf(cmd, sizeof cmd,
		 "env -u DISPLAY -u WAYLAND_DISPLAY -u SDL_VIDEODRIVER "
		 "ASAN_OPTIONS=detect_leaks=0 %s view " SCENARIO
		 " --frames 2 >/dev/null 2>&1",
		 SCSINET_CLI);
	int st = system(cmd);
	ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 1);
}
END_TEST

START_TEST(cli_snapshot)
{
	char *png = tmp_png();
	char args[256];
	snprintf(args, sizeof args, SCENARIO " --snapshot %s --at 2.0386s "
					     "--bus scsi0 --window 100us "
					     "--size 640x400", png);
	ck_assert_int_eq(view(args), 0);
	int w, h;
	uint32_t *px = load_rgb(png, &w, &h);
	ck_assert_int_eq(w, 640);
	ck_assert_int_eq(h, 400);
	free(px);
	unlink(png);
}
END_TEST

/* The real window, under a virtual X server, with scripted keys: opened
 * paused at a time, a step of one phase ('p') changes the picture, no
 * key leaves it as it was.  (In a sanitizer build the X and D-Bus
 * libraries leak at exit, not our code: leak detection is off for the
 * child; the snapshot tests cover the view's own memory.) */
START_TEST(window_under_xvfb)
{
	if (system("command -v xvfb-run >/dev/null 2>&1") != 0) {
		fprintf(stderr, "test_view: xvfb-run not installed: the live "
				"window is not tested\n");
		return;
	}
	/* no keys; three phase steps; a datagram step; the help overlay;
	 * a resize (the picture follows the window) */
	static const char *const keys[] = { "", "--keys ppp", "--keys d",
					    "--keys h", "--keys {resize}" };
	enum { NRUNS = sizeof keys / sizeof keys[0] };
	char *p[NRUNS];
	for (int k = 0; k < NRUNS; k++) {
		p[k] = tmp_png();
		char cmd[1024];
		snprintf(cmd, sizeof cmd,
			 "ASAN_OPTIONS=detect_leaks=0 SDL_AUDIODRIVER=dummy "
			 "xvfb-run -a -s '-screen 0 "
			 "1024x768x24' %s view " SCENARIO " --at 2.0383s "
			 "--size 800x500 --frames 12 %s --dump %s "
			 ">/dev/null 2>&1",
			 SCSINET_CLI, keys[k], p[k]);
		int st = system(cmd);
		ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0,
			      "the window failed: %s", cmd);
		int w, h;
		uint32_t *px = load_rgb(p[k], &w, &h);
		ck_assert_int_eq(w, k == 4 ? 600 : 800);
		ck_assert_int_eq(h, k == 4 ? 375 : 500);
		free(px);
	}
	for (int k = 1; k < 4; k++)
		ck_assert_msg(!same_file(p[0], p[k]), "'%s' changed nothing",
			      keys[k]);
	/* the window draws what the snapshot draws: the same traces and
	 * phase band, pixel for pixel, at the same time and size (the text
	 * is blended differently by the window's renderer, so only the
	 * timeline's lines and band are compared) */
	{
		struct fix f;
		fix_open(&f, SCENARIO);
		sim_time_t at = 2038300 * SIM_US;
		viz_view_advance(f.v, at);
		struct viz_view_frame fr = { 800, 500, 0, at, 50 * SIM_US, 0, -1 };
		char *snap = tmp_png();
		ck_assert_int_eq(viz_view_snapshot(f.v, &fr, snap), SN_OK);
		fix_close(&f);
		int w, h;
		uint32_t *ps = load_rgb(snap, &w, &h);
		uint32_t *pw = load_rgb(p[0], &w, &h);
		struct viz_view_geom g;
		viz_view_geometry(w, h, &g);
		int rows[2 * BUS_NLINES + 1], nr = 0, lit = 0;
		for (int k = 0; k < BUS_NLINES; k++) {
			rows[nr++] = g.line_hi[k];
			rows[nr++] = g.line_lo[k];
		}
		rows[nr++] = (g.band_y0 + g.band_y1) / 2;
		for (int r = 0; r < nr; r++)
			for (int x = g.tl_x0; x < g.tl_x1; x++) {
				uint32_t a = ps[rows[r] * w + x];
				ck_assert_msg(a == pw[rows[r] * w + x],
					      "y %d x %d: snapshot %06X, "
					      "window %06X",
					      rows[r], x, a,
					      pw[rows[r] * w + x]);
				lit += a == VIZ_VIEW_TRACE_RGB;
			}
		ck_assert_int_gt(lit, 100);
		free(ps);
		free(pw);
		unlink(snap);
	}
	ck_assert_msg(!same_file(p[1], p[2]), "a datagram step is a phase "
					     "step");
	for (int k = 0; k < NRUNS; k++)
		unlink(p[k]);
}
END_TEST

/* The throughput the chart draws comes from the data phases on the lines;
 * the datagrams come from the hosts (SIM_TR_PACKET).  RFC 2143 sends a
 * datagram as the whole data of one SEND MESSAGE(10), so once the bus is
 * free again the two counts agree. */
START_TEST(throughput_matches_datagrams)
{
	struct fix f;
	fix_open(&f, SCENARIO);
	viz_view_advance(f.v, AT);
	uint64_t sum = 0, n = viz_view_dgram_count(f.v);
	ck_assert_uint_ge(n, 3); /* ARP request, reply, the echo request */
	for (uint64_t i = 0; i < n; i++) {
		const struct viz_view_dgram *g = viz_view_dgram(f.v, i);
		ck_assert_ptr_nonnull(g);
		ck_assert_int_eq(g->bus, 0);
		sum += g->len;
	}
	ck_assert_uint_eq(viz_view_data_bytes(f.v, 0, AT), sum);
	ck_assert_uint_eq(viz_view_data_bytes(f.v, 0, 0), 0);
	/* cumulative: never falls; inside the 84-byte DATA OUT it is
	 * strictly between its ends */
	uint64_t prev = 0;
	for (sim_time_t t = AT - WINDOW; t <= AT; t += SIM_US) {
		uint64_t x = viz_view_data_bytes(f.v, 0, t);
		ck_assert_uint_ge(x, prev);
		prev = x;
	}
	uint64_t nn = viz_view_note_count(f.v, 0);
	int inside = 0;
	for (uint64_t i = 0; i < nn; i++) {
		const struct viz_view_note *nt = viz_view_note(f.v, 0, i);
		if (nt->phase != BUS_PH_DATA_OUT || !strstr(nt->text, "84 B"))
			continue;
		sim_time_t mid = nt->t + (nt->t_end - nt->t) / 2;
		uint64_t a = viz_view_data_bytes(f.v, 0, nt->t);
		uint64_t m = viz_view_data_bytes(f.v, 0, mid);
		uint64_t z = viz_view_data_bytes(f.v, 0, nt->t_end);
		ck_assert_uint_eq(z - a, 84);
		ck_assert_uint_gt(m, a);
		ck_assert_uint_lt(m, z);
		inside++;
	}
	ck_assert_int_gt(inside, 0);
	fix_close(&f);
}
END_TEST

/* The strip chart: a bar in a bin exactly where the bus carried data in
 * that bin's time, for each row (course 6: two buses). */
START_TEST(chart_bars_where_data)
{
	struct fix f;
	fix_open(&f, "scenarios/course-6-gateway.json");
	sim_time_t at = 3200 * SIM_US, span = 4 * SIM_MS;
	viz_view_advance(f.v, at);
	struct viz_view_frame fr = { 1280, 720, 1, at, 400 * SIM_US, span, -1 };
	char *png = tmp_png();
	ck_assert_int_eq(viz_view_snapshot(f.v, &fr, png), SN_OK);
	int w, h;
	uint32_t *px = load_rgb(png, &w, &h);
	struct viz_view_geom g;
	viz_view_geometry(w, h, &g);
	int rows = viz_view_chart_rows(&g, 2);
	ck_assert_int_eq(rows, 2);
	int nbins = (g.chart_x1 - g.chart_x0) / VIZ_VIEW_CHART_BIN;
	sim_time_t binw = span / (sim_time_t)nbins;
	int lit[2] = { 0, 0 };
	for (int r = 0; r < rows; r++) {
		int bus = r == 0 ? 1 : 0; /* the selected bus first */
		int y0, y1;
		viz_view_chart_row(&g, rows, r, &y0, &y1);
		for (int k = 0; k < nbins; k++) {
			sim_time_t back = (sim_time_t)(nbins - 1 - k) * binw;
			uint64_t bytes = 0; /* bins before time 0: empty */
			if (back + binw <= at)
				bytes = viz_view_data_bytes(f.v, bus,
							    at - back) -
					viz_view_data_bytes(f.v, bus,
							    at - back - binw);
			int x = g.chart_x1 - (nbins - k) * VIZ_VIEW_CHART_BIN;
			int bar = px[(y1 - 2) * w + x] == VIZ_VIEW_CHART_RGB;
			ck_assert_msg(bar == (bytes > 0),
				      "row %d bin %d: %llu bytes, bar %d", r,
				      k, (unsigned long long)bytes, bar);
			lit[r] += bar;
		}
	}
	/* both buses carried their ARP exchange and the echo request */
	ck_assert_int_gt(lit[0], 0);
	ck_assert_int_gt(lit[1], 0);
	free(px);
	unlink(png);
	fix_close(&f);
}
END_TEST

/* Datagrams through a gateway (course 6: a on left pings c on right, g
 * forwards): stepping one datagram at a time, then the forwarding. */
START_TEST(datagrams_through_gateway)
{
	struct fix f;
	fix_open(&f, "scenarios/course-6-gateway.json");
	/* the first datagram is a's address-resolution request to g */
	ck_assert_int_eq(viz_view_step(f.v, -1, VIZ_STEP_DATAGRAM,
				       SIM_TIME_MAX), 1);
	ck_assert_uint_eq(viz_view_dgram_count(f.v), 1);
	const struct viz_view_dgram *d = viz_view_dgram(f.v, 0);
	ck_assert_uint_eq(d->ethertype, 0x0806);
	ck_assert_uint_eq(d->proto, 1); /* request */
	ck_assert_int_eq(d->bus, 0);
	ck_assert_uint_eq(d->src_id, 1);
	ck_assert_uint_eq(d->dst_id, 0);
	ck_assert_uint_eq(d->ip_src, 0x0a000101u);
	ck_assert_uint_eq(d->ip_dst, 0x0a000102u);
	ck_assert_int_eq(d->forwards, 0);
	/* stepping on bus right skips what crosses left */
	ck_assert_int_eq(viz_view_step(f.v, 1, VIZ_STEP_DATAGRAM,
				       SIM_TIME_MAX), 1);
	d = viz_view_dgram(f.v, viz_view_dgram_count(f.v) - 1);
	ck_assert_int_eq(d->bus, 1);
	viz_view_advance(f.v, 50 * SIM_MS);
	/* the echo request (left, a -> g) and reply (right, c -> g) are
	 * forwarded by g; nothing else is */
	int fwd = 0;
	for (uint64_t i = 0; i < viz_view_dgram_count(f.v); i++) {
		d = viz_view_dgram(f.v, i);
		if (!d->forwards)
			continue;
		fwd++;
		ck_assert_uint_eq(d->proto, 1); /* ICMP */
		ck_assert_str_eq(f.s->hosts[d->host].name, "g");
		ck_assert_uint_eq(d->ip_dst, d->bus == 0 ? 0x0a000202u
							 : 0x0a000101u);
	}
	ck_assert_int_eq(fwd, 2);
	sim_time_t last;
	ck_assert_uint_eq(viz_view_forwards(f.v, 1, &last), 2);
	ck_assert_uint_lt(last, 50 * SIM_MS);
	ck_assert_uint_eq(viz_view_forwards(f.v, 0, &last), 0);
	ck_assert_uint_eq(last, SIM_TIME_MAX);
	fix_close(&f);
}
END_TEST

/* Protocol checker findings (course 4: parity errors injected) are notes
 * of their own kind, drawn red across the traces. */
START_TEST(checker_findings_in_red)
{
	struct fix f;
	fix_open_check(&f, "scenarios/course-4-parity.json", 1);
	viz_view_advance(f.v, 60 * SIM_MS);
	const struct viz_view_note *chk = NULL;
	for (uint64_t i = 0; i < viz_view_note_count(f.v, 0) && !chk; i++) {
		const struct viz_view_note *nt = viz_view_note(f.v, 0, i);
		if (nt->kind == VIZ_NOTE_CHECK)
			chk = nt;
	}
	ck_assert_ptr_nonnull(chk);
	ck_assert_msg(strstr(chk->text, "CHECK ") == chk->text, "%s",
		      chk->text);
	ck_assert_uint_eq(chk->t, chk->t_end);
	sim_time_t at = chk->t + 20 * SIM_US;
	struct fix f2;
	fix_open_check(&f2, "scenarios/course-4-parity.json", 1);
	viz_view_advance(f2.v, at);
	struct viz_view_frame fr = { 1280, 720, 0, at, 100 * SIM_US, 0, -1 };
	char *png = tmp_png();
	ck_assert_int_eq(viz_view_snapshot(f2.v, &fr, png), SN_OK);
	int w, h;
	uint32_t *px = load_rgb(png, &w, &h);
	struct viz_view_geom g;
	viz_view_geometry(w, h, &g);
	int x = viz_view_time_x(&g, &fr, chk->t);
	/* red in the gap between two line traces, where only the finding's
	 * marker is drawn */
	int y = (g.line_lo[0] + g.line_hi[1]) / 2;
	ck_assert_msg(px[y * w + x] == VIZ_VIEW_CHECK_RGB,
		      "x %d y %d: %06X, not red", x, y, px[y * w + x]);
	/* without the checker: no finding, no red */
	struct fix f3;
	fix_open(&f3, "scenarios/course-4-parity.json");
	viz_view_advance(f3.v, at);
	for (uint64_t i = 0; i < viz_view_note_count(f3.v, 0); i++)
		ck_assert_int_ne(viz_view_note(f3.v, 0, i)->kind,
				 VIZ_NOTE_CHECK);
	free(px);
	unlink(png);
	fix_close(&f3);
	fix_close(&f2);
	fix_close(&f);
}
END_TEST

/* The shared decoder, byte by byte (SCSI-2 5.1.2, 5.6, Table 18, Table
 * 27; RFC 2143 section 3). */
START_TEST(decoder_words)
{
	char b[200];
	/* wide priority: 7 highest, then 6..0, then 15..8 */
	ck_assert_int_eq(viz_arb_winner(0x8080), 7);
	ck_assert_int_eq(viz_arb_winner(0x8001), 0);
	ck_assert_int_eq(viz_arb_winner(0xc000), 15);
	ck_assert_int_eq(viz_arb_winner(0), -1);
	static const uint8_t m1[] = { 0xc0, 0x01, 0x03, 0x01, 0x32, 0x08 };
	viz_decode_messages(m1, sizeof m1, 1, b, sizeof b);
	ck_assert_str_eq(b, "IDENTIFY LUN 0 disc; SDTR 200ns off 8");
	viz_decode_messages(m1, sizeof m1, 0, b, sizeof b);
	ck_assert_str_eq(b, "IDENTIFY (LUN 0, may disconnect); SDTR: period "
			    "200 ns, offset 8");
	static const uint8_t m2[] = { 0x01, 0x02, 0x03, 0x01, 0x04, 0x00 };
	viz_decode_messages(m2, sizeof m2, 1, b, sizeof b);
	ck_assert_str_eq(b, "WDTR 16-bit; DISCONNECT; COMMAND COMPLETE");
	/* cut short, empty, unknown: named, never read past the end */
	static const uint8_t m3[] = { 0x01, 0x03, 0x01 };
	viz_decode_messages(m3, sizeof m3, 1, b, sizeof b);
	ck_assert_str_eq(b, "EXTENDED (cut short); RESTORE POINTERS; "
			    "EXTENDED (cut short)");
	static const uint8_t m4[] = { 0x01, 0x00, 0x7f };
	viz_decode_messages(m4, sizeof m4, 1, b, sizeof b);
	ck_assert_str_eq(b, "EXTENDED (empty); message 7F");
	/* the text is cut, still terminated */
	char small[10];
	viz_decode_messages(m1, sizeof m1, 1, small, sizeof small);
	ck_assert_str_eq(small, "IDENTIFY ");
	static const uint8_t cdb[] = { 0x2a, 0, 0, 0, 0, 0x01, 0, 0x00, 0x12,
				       0 };
	viz_decode_cdb(cdb, sizeof cdb, 1, b, sizeof b);
	ck_assert_str_eq(b, "SEND MESSAGE(10) 18 B type 1 ARP");
	viz_decode_cdb(cdb, sizeof cdb, 0, b, sizeof b);
	ck_assert_str_eq(b, "2A 00 00 00 00 01 00 00 12 00: SEND MESSAGE(10), "
			    "18 bytes, RFC 2143 type 1 (address resolution)");
	viz_decode_cdb(cdb, 6, 1, b, sizeof b);
	ck_assert_str_eq(b, "CMD 2Ah (6 bytes)");
	static const uint8_t inq[] = { 0x12, 0, 0, 0, 36, 0 };
	viz_decode_cdb(inq, sizeof inq, 1, b, sizeof b);
	ck_assert_str_eq(b, "INQUIRY");
	viz_decode_cdb(inq, 0, 1, b, sizeof b);
	ck_assert_str_eq(b, "CMD (empty)");
	ck_assert_str_eq(viz_decode_status(0x00), "GOOD");
	ck_assert_str_eq(viz_decode_status(0x02), "CHECK CONDITION");
	ck_assert_str_eq(viz_decode_status(0x08), "BUSY");
	ck_assert_str_eq(viz_decode_status(0x28), "QUEUE FULL");
	ck_assert_str_eq(viz_decode_status(0x7e), "status");
	/* the pair: selection and reselection */
	struct viz_decoder d;
	viz_decoder_init(&d);
	ck_assert_int_eq(d.phase, BUS_PH_BUS_FREE);
	viz_decoder_enter(&d, BUS_PH_ARBITRATION, 10);
	viz_decoder_take(&d, BUS_PH_ARBITRATION, BUS_BSY, 0x08, BUS_BSY);
	viz_decoder_take(&d, BUS_PH_ARBITRATION, BUS_BSY, 0x88, 0);
	viz_decoder_enter(&d, BUS_PH_RESELECTION, 20);
	viz_decoder_take(&d, BUS_PH_RESELECTION, BUS_SEL | BUS_IO, 0x82,
			 BUS_SEL);
	int ini, tgt;
	viz_decoder_pair(&d, &ini, &tgt);
	ck_assert_int_eq(tgt, 7);
	ck_assert_int_eq(ini, 1);
	/* bytes on the sender's strobe: ACK rising in MESSAGE OUT */
	viz_decoder_enter(&d, BUS_PH_MSG_OUT, 30);
	viz_decoder_take(&d, BUS_PH_MSG_OUT, BUS_REQ, 0x80, BUS_REQ);
	ck_assert_uint_eq(d.nbytes, 0);
	viz_decoder_take(&d, BUS_PH_MSG_OUT, BUS_REQ | BUS_ACK, 0x80, BUS_ACK);
	ck_assert_uint_eq(d.nbytes, 1);
	ck_assert_uint_eq(d.bytes[0], 0x80);
}
END_TEST

/* Pixels of the selection colour in the topology's bus rows. */
static int sel_pixels(const uint32_t *px, int w, const struct viz_view_geom *g)
{
	int n = 0;
	for (int y = g->top_h; y < g->topo_y1; y++)
		for (int x = 0; x < g->topo_x1; x++)
			n += px[y * w + x] == 0x80c0ffu; /* SEL_RGB */
	return n;
}

static int snapshot_sel(const char *host)
{
	char *png = tmp_png(), args[300];
	snprintf(args, sizeof args, "scenarios/course-6-gateway.json "
		 "--snapshot %s --at 3.35ms --size 800x500%s%s", png,
		 host ? " --host " : "", host ? host : "");
	ck_assert_int_eq(view(args), 0);
	int w, h;
	uint32_t *px = load_rgb(png, &w, &h);
	struct viz_view_geom g;
	viz_view_geometry(w, h, &g);
	int n = sel_pixels(px, w, &g);
	free(px);
	unlink(png);
	return n;
}

/* A selected host is framed on each of its buses: the gateway g (two
 * adapters) twice, host a once. */
START_TEST(host_selected)
{
	int none = snapshot_sel(NULL), g = snapshot_sel("g"),
	    a = snapshot_sel("a");
	ck_assert_int_gt(a, none + 100);
	ck_assert_int_gt(g - none, 3 * (a - none) / 2);
	ck_assert_int_eq(view("scenarios/course-6-gateway.json --snapshot "
			      "/tmp/x.png --at 1ms --host nosuch"), 2);
}
END_TEST

/* In the window, a click on a device's box selects its host, as
 * --host does; under Xvfb with a scripted click. */
START_TEST(click_selects_host)
{
	if (system("command -v xvfb-run >/dev/null 2>&1") != 0)
		return;
	struct viz_view_geom g;
	viz_view_geometry(800, 500, &g);
	/* bus left is row 0 of 2; g (ID 0) its first device */
	int row = (g.topo_y1 - g.top_h - 4) / 2;
	int ndev = 2, slot = (g.topo_x1 - 12) / ndev;
	int cx = 6 + slot / 2, cy = g.top_h + 4 + row * 2 / 3;
	int count[2];
	for (int k = 0; k < 2; k++) {
		char *png = tmp_png(), cmd[1024], keys[64];
		snprintf(keys, sizeof keys, "--keys {click:%d,%d}", cx, cy);
		snprintf(cmd, sizeof cmd,
			 "ASAN_OPTIONS=detect_leaks=0 SDL_AUDIODRIVER=dummy "
			 "xvfb-run -a -s '-screen 0 1024x768x24' %s view "
			 "scenarios/course-6-gateway.json --at 3.35ms "
			 "--size 800x500 --frames 6 %s --dump %s "
			 ">/dev/null 2>&1",
			 SCSINET_CLI, k ? keys : "", png);
		int st = system(cmd);
		ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0, "%s", cmd);
		int w, h;
		uint32_t *px = load_rgb(png, &w, &h);
		count[k] = sel_pixels(px, w, &g);
		free(px);
		unlink(png);
	}
	int with_host = snapshot_sel("g"), without = snapshot_sel(NULL);
	ck_assert_int_gt(count[1] - count[0], (with_host - without) / 2);
}
END_TEST

/* Every shipped scenario renders (one bus or 23, narrow or wide,
 * gateways or not), with each of its buses in the analyser, and a
 * pixel of the phase band in the phase colours. */
START_TEST(every_scenario_renders)
{
	FILE *ls = popen("ls scenarios/*.json | grep -v schema.json", "r");
	ck_assert_ptr_nonnull(ls);
	char file[256];
	int n = 0;
	while (fgets(file, sizeof file, ls)) {
		file[strcspn(file, "\n")] = '\0';
		struct fix f;
		fix_open(&f, file);
		sim_time_t at = 20 * SIM_MS;
		viz_view_advance(f.v, at);
		int nb = viz_view_bus_count(f.v);
		for (int b = 0; b < nb; b++) {
			/* quick runs (valgrind, sanitizers): the first and
			 * the last bus */
			if (test_quick() && b != 0 && b != nb - 1)
				continue;
			struct viz_view_frame fr = { 480, 300, b, at,
						     5 * SIM_MS, 0, b % 2 };
			char *png = tmp_png();
			ck_assert_msg(viz_view_snapshot(f.v, &fr, png) == SN_OK,
				      "%s bus %d", file, b);
			int w, h;
			uint32_t *px = load_rgb(png, &w, &h);
			struct viz_view_geom g;
			viz_view_geometry(w, h, &g);
			uint32_t band = px[(g.band_y0 + g.band_y1) / 2 * w +
					   g.tl_x1 - 2];
			int known = 0;
			for (int p = 0; p <= BUS_PH_COUNT_; p++)
				known |= band ==
					 viz_view_phase_rgb((enum bus_phase)p);
			ck_assert_msg(known, "%s bus %d: band %06X", file, b,
				      band);
			free(px);
			unlink(png);
		}
		fix_close(&f);
		n++;
	}
	pclose(ls);
	ck_assert_int_ge(n, 17);
}
END_TEST

/* The SCSI capture writer in-process (its file is read back by tshark in
 * test_cli.c): frames counted, the file's blocks well formed, and its
 * errors. */
START_TEST(scsicap_writer)
{
	struct fix f;
	fix_open(&f, SCENARIO);
	struct sim *sim = scn_world_sim(f.w);
	struct viz_scsicap *c = NULL;
	ck_assert_int_eq(viz_scsicap_open(NULL, "/tmp/x", &c), SN_EINVAL);
	ck_assert_int_eq(viz_scsicap_open(sim, "/nonexistent/dir/x", &c),
			 SN_EIO);
	ck_assert_ptr_null(c);
	char *path = tmp_png();
	ck_assert_int_eq(viz_scsicap_open(sim, path, &c), SN_OK);
	ck_assert_int_eq(viz_scsicap_add_bus(c, NULL), SN_EINVAL);
	ck_assert_int_eq(viz_scsicap_add_bus(c, scn_world_bus(f.w, 0)),
			 SN_OK);
	viz_view_advance(f.v, AT);
	uint64_t frames = viz_scsicap_frames(c);
	ck_assert_int_eq(viz_scsicap_close(c), SN_OK);
	/* the view saw the same steps: at least one frame per decoded
	 * note (arbitration, selection, each information phase) */
	ck_assert_uint_ge(frames, 20);
	ck_assert_uint_ge(frames + 16, viz_view_note_count(f.v, 0));
	/* walk the blocks: SHB, IDB, then EPBs, lengths consistent */
	FILE *in = fopen(path, "rb");
	ck_assert_ptr_nonnull(in);
	uint8_t hdr[8];
	uint64_t epb = 0, blocks = 0;
	long pos = 0;
	while (fread(hdr, 1, 8, in) == 8) {
		uint32_t type = (uint32_t)hdr[0] << 24 | (uint32_t)hdr[1] << 16 |
				(uint32_t)hdr[2] << 8 | hdr[3];
		uint32_t len = (uint32_t)hdr[4] << 24 | (uint32_t)hdr[5] << 16 |
			       (uint32_t)hdr[6] << 8 | hdr[7];
		ck_assert_uint_eq(len % 4, 0);
		ck_assert_uint_ge(len, 12);
		if (blocks == 0)
			ck_assert_uint_eq(type, 0x0A0D0D0Au);
		else if (blocks == 1)
			ck_assert_uint_eq(type, 1);
		else
			ck_assert_uint_eq(type, 6);
		epb += type == 6;
		blocks++;
		pos += len;
		ck_assert_int_eq(fseek(in, pos, SEEK_SET), 0);
	}
	fclose(in);
	ck_assert_uint_eq(epb, frames);
	unlink(path);
	fix_close(&f);
}
END_TEST

Suite *view_suite(void)
{
	Suite *s = suite_create("view");
	TCase *tc = tcase_create("view");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, decoder_words);
	tcase_add_test(tc, band_and_bsy_follow_the_trace);
	tcase_add_test(tc, decoded_steps);
	tcase_add_test(tc, deterministic_and_moving);
	tcase_add_test(tc, bad_arguments);
	tcase_add_test(tc, cli_snapshot);
	tcase_add_test(tc, no_display_fails);
	tcase_add_test(tc, window_under_xvfb);
	tcase_add_test(tc, throughput_matches_datagrams);
	tcase_add_test(tc, chart_bars_where_data);
	tcase_add_test(tc, datagrams_through_gateway);
	tcase_add_test(tc, checker_findings_in_red);
	tcase_add_test(tc, host_selected);
	tcase_add_test(tc, click_selects_host);
	tcase_add_test(tc, every_scenario_renders);
	tcase_add_test(tc, scsicap_writer);
	suite_add_tcase(s, tc);
	return s;
}
