/*
 * cli_view.c - `scsinet view`: a scenario running live in an SDL2 window
 * (topology, a logic analyser on the selected bus, the protocol decoded),
 * or, with --snapshot, the same picture rendered offscreen to a PNG at a
 * simulated time (no window, no display needed).  See viz/viz_view.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "scn.h"
#include "scn_world.h"
#include "viz_view.h"

#define MAX_SETS 64

static void view_usage(FILE *out)
{
	fputs("usage: scsinet view SCENARIO.json [--bus NAME] [--host NAME] "
	      "[--window T]\n"
	      "                    [--speed T] [--chart T] [--at TIME] [--paused]\n"
	      "                    [--size WxH] [--no-check] [--set KEY=VALUE]...\n"
	      "       scsinet view SCENARIO.json --snapshot FILE.png --at TIME\n"
	      "                    [--bus NAME] [--window T] [--chart T] [--size WxH]\n"
	      "\n"
	      "  --bus NAME       the bus in the analyser pane (default: the "
	      "first)\n"
	      "  --host NAME      select a host: framed, its addresses and "
	      "counts shown\n"
	      "  --window T       the timeline shows the last T (default "
	      "50us,\n"
	      "                   1ns..10s)\n"
	      "  --speed T        simulated time per wall second (default "
	      "20us,\n"
	      "                   1ps..1s)\n"
	      "  --chart T        the throughput strip chart shows the last T\n"
	      "                   (default 100ms, 1us..100s)\n"
	      "  --no-check       do not run the protocol checker (its findings\n"
	      "                   are drawn in red on the timeline)\n"
	      "  --at TIME        snapshot: the simulated time to show; live:\n"
	      "                   run up to it first, then open paused (at "
	      "most\n"
	      "                   100000s)\n"
	      "  --paused         open paused\n"
	      "  --snapshot FILE  render offscreen to a PNG instead of a window\n"
	      "  --size WxH       picture size (default 1280x720)\n"
	      "  --set KEY=VALUE  override a scenario value by its JSON path\n"
	      "  --frames N, --keys KEYS, --dump FILE  (tests: close after N\n"
	      "                   frames, press KEYS one per frame, save the\n"
	      "                   last frame)\n"
	      "\n"
	      "keys: space pause/run, e/p/c/d step an edge/phase/command/\n"
	      "datagram, +/- speed, up/down zoom, left/right pan, end follow,\n"
	      "[/] chart span, tab or click a bus (a device: its host), i skip\n"
	      "idle time, h help,\n"
	      "q quit\n"
	      "\n"
	      "exit status: 0 success, 1 failure (no display, SDL failed), 2\n"
	      "bad input\n",
	      out);
}

/* 1 to 4 decimal digits at *p, as a number; -1 if there are none or
 * more (so no sign, no space, no overflow). */
static int size_part(const char **p)
{
	int v = 0, n = 0;
	while (**p >= '0' && **p <= '9' && n < 5) {
		v = v * 10 + (**p - '0');
		(*p)++;
		n++;
	}
	return n >= 1 && n <= 4 ? v : -1;
}

static int parse_size(const char *text, int *w, int *h)
{
	const char *p = text;
	int a = size_part(&p);
	if (*p != 'x' && *p != 'X')
		return -1;
	p++;
	int b = size_part(&p);
	if (*p != '\0' || a < 64 || b < 64 || a > 8192 || b > 8192)
		return -1;
	*w = a;
	*h = b;
	return 0;
}

/* The ranges the keys keep (viz_view_draw.c: up/down, [ ], + -), with
 * room around them. */
#define VIEW_WINDOW_MIN (1 * SIM_NS)
#define VIEW_WINDOW_MAX (10 * SIM_S)
#define VIEW_SPEED_MIN (1 * SIM_PS)
#define VIEW_SPEED_MAX (1 * SIM_S)
#define VIEW_CHART_MIN (1 * SIM_US)
#define VIEW_CHART_MAX (100 * SIM_S)

int cli_view(int argc, char **argv)
{
	const char *file = NULL, *png = NULL, *busname = NULL, *dump = NULL;
	const char *hostname = NULL;
	const char *keys = NULL;
	const char *sets[MAX_SETS];
	int nsets = 0, paused = 0, have_at = 0, width = 1280, height = 720;
	int check = 1;
	sim_time_t at = 0, window = 50 * SIM_US, speed = 20 * SIM_US;
	sim_time_t chart = VIZ_VIEW_CHART_DEFAULT;
	uint64_t frames = 0;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			view_usage(stdout);
			return CLI_OK;
		} else if (strcmp(a, "--paused") == 0) {
			paused = 1;
		} else if (strcmp(a, "--no-check") == 0) {
			check = 0;
		} else if (strcmp(a, "--snapshot") == 0 ||
			   strcmp(a, "--at") == 0 || strcmp(a, "--bus") == 0 ||
			   strcmp(a, "--window") == 0 ||
			   strcmp(a, "--speed") == 0 ||
			   strcmp(a, "--chart") == 0 ||
			   strcmp(a, "--host") == 0 ||
			   strcmp(a, "--size") == 0 || strcmp(a, "--set") == 0 ||
			   strcmp(a, "--frames") == 0 ||
			   strcmp(a, "--keys") == 0 || strcmp(a, "--dump") == 0) {
			if (v == NULL) {
				fprintf(stderr, "scsinet view: %s: missing "
						"value\n", a);
				return CLI_USAGE;
			}
			i++;
			if (strcmp(a, "--snapshot") == 0) {
				png = v;
			} else if (strcmp(a, "--bus") == 0) {
				busname = v;
			} else if (strcmp(a, "--host") == 0) {
				hostname = v;
			} else if (strcmp(a, "--keys") == 0) {
				keys = v;
			} else if (strcmp(a, "--dump") == 0) {
				dump = v;
			} else if (strcmp(a, "--at") == 0) {
				if (cli_parse_time_range(a, v, 0,
							 SCN_DURATION_MAX, &at))
					return CLI_USAGE;
				have_at = 1;
			} else if (strcmp(a, "--window") == 0) {
				if (cli_parse_time_range(a, v, VIEW_WINDOW_MIN,
							 VIEW_WINDOW_MAX,
							 &window))
					return CLI_USAGE;
			} else if (strcmp(a, "--speed") == 0) {
				if (cli_parse_time_range(a, v, VIEW_SPEED_MIN,
							 VIEW_SPEED_MAX,
							 &speed))
					return CLI_USAGE;
			} else if (strcmp(a, "--chart") == 0) {
				if (cli_parse_time_range(a, v, VIEW_CHART_MIN,
							 VIEW_CHART_MAX,
							 &chart))
					return CLI_USAGE;
			} else if (strcmp(a, "--size") == 0) {
				if (parse_size(v, &width, &height)) {
					fprintf(stderr, "scsinet view: --size: "
							"'%s' is not WxH with "
							"64..8192 each\n", v);
					return CLI_USAGE;
				}
			} else if (strcmp(a, "--frames") == 0) {
				if (cli_parse_u64(a, v, 1, 1000000, &frames))
					return CLI_USAGE;
			} else if (nsets == MAX_SETS) {
				fprintf(stderr, "scsinet view: at most %d "
						"overrides\n", MAX_SETS);
				return CLI_USAGE;
			} else {
				sets[nsets++] = v;
			}
		} else if (a[0] == '-') {
			fprintf(stderr, "scsinet view: unknown option '%s'\n", a);
			view_usage(stderr);
			return CLI_USAGE;
		} else if (file == NULL) {
			file = a;
		} else {
			fprintf(stderr, "scsinet view: one scenario at a time "
					"('%s' and '%s')\n", file, a);
			return CLI_USAGE;
		}
	}
	if (file == NULL) {
		view_usage(stderr);
		return CLI_USAGE;
	}
	if (png && !have_at) {
		fprintf(stderr, "scsinet view: --snapshot needs --at TIME\n");
		return CLI_USAGE;
	}
	/* the checker's findings are part of the picture */
	struct scn *s;
	struct scn_world *w;
	int opened = cli_open_world("view", file, sets, nsets, check, &s, &w);
	if (opened != CLI_OK)
		return opened;
	enum sn_err err;
	int status = CLI_OK, bus = 0, host = -1;
	struct viz_view *v = NULL;
	if (scn_world_bus_count(w) == 0) {
		fprintf(stderr, "scsinet view: %s: the scenario has no bus\n",
			file);
		status = CLI_USAGE;
	} else if ((err = viz_view_open(w, &v)) != SN_OK) {
		fprintf(stderr, "scsinet view: %s\n", sn_strerror(err));
		status = CLI_FAIL;
	} else if (busname && (bus = viz_view_bus_find(v, busname)) < 0) {
		fprintf(stderr, "scsinet view: --bus: no bus named '%s' in "
				"%s\n", busname, file);
		status = CLI_USAGE;
	} else if (hostname) {
		for (int h = 0; h < s->nhosts && host < 0; h++)
			if (strcmp(s->hosts[h].name, hostname) == 0)
				host = h;
		if (host < 0) {
			fprintf(stderr, "scsinet view: --host: no host named "
					"'%s' in %s\n", hostname, file);
			status = CLI_USAGE;
		}
	}
	if (status == CLI_OK && png) {
		viz_view_advance(v, at);
		struct viz_view_frame f = {
			.width = width, .height = height, .bus = bus,
			.end = at, .window = window, .chart = chart,
			.host = host,
		};
		err = viz_view_snapshot(v, &f, png);
		if (err != SN_OK) {
			fprintf(stderr, "scsinet view: --snapshot %s: %s%s%s\n",
				png, sn_strerror(err),
				err == SN_EIO ? "" : ": ",
				err == SN_EIO ? "" : viz_view_sdl_error());
			status = err == SN_EIO ? CLI_USAGE : CLI_FAIL;
		}
	} else if (status == CLI_OK) {
		if (have_at) {
			viz_view_advance(v, at);
			paused = 1;
		}
		struct viz_view_live opt = {
			.bus = bus, .window = window, .speed = speed,
			.until = s->duration > at ? s->duration : at,
			.chart = chart, .host = host,
			.width = width, .height = height,
			.frames = (long)frames, .start_paused = paused,
			.dump_png = dump, .keys = keys,
		};
		err = viz_view_window(v, &opt);
		if (err != SN_OK) {
			const char *sdl = viz_view_sdl_error();
			fprintf(stderr, "scsinet view: cannot open a window: "
					"%s; without a display use "
					"--snapshot FILE.png --at TIME\n",
				sdl[0] ? sdl : sn_strerror(err));
			status = CLI_FAIL;
		}
	}
	viz_view_close(v);
	scn_world_destroy(w);
	scn_free(s);
	return status;
}
