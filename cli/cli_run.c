/*
 * cli_run.c - `scsinet run`: load a scenario, build it, run it, print a
 * summary and write DIR/results.json (byte-identical for the same
 * scenario and seed) and DIR/run-info.json (wall time: not part of the
 * results, which must not depend on the machine).
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "scn.h"
#include "scn_world.h"
#include "viz_narrate.h"
#include "viz_pcap.h"
#include "viz_scsicap.h"
#include "viz_plot.h"
#include "viz_vcd.h"

#define MAX_SETS 64

static void run_usage(FILE *out)
{
	fputs("usage: scsinet run SCENARIO.json [--out DIR] [--seed N] "
	      "[--duration T]\n"
	      "                   [--set KEY=VALUE]... [--check] "
	      "[--vcd FILE] [--pcap FILE] [--scsi-pcapng FILE]\n"
	      "                   [--narrate[=LEVEL]]\n"
	      "\n"
	      "  --out DIR        where results go (default results/NAME)\n"
	      "  --seed N         the random seed (overrides the file's)\n"
	      "  --duration T     simulated time to run, e.g. 10s, 250ms\n"
	      "  --set KEY=VALUE  override any scenario value by its JSON "
	      "path,\n"
	      "                   e.g. --set hosts[0].adapters[0].mtu=576\n"
	      "  --check          run the SCSI protocol checker on every bus\n"
	      "  --vcd FILE       write every bus's lines (GTKWave, sigrok),\n"
	      "                   and FILE.gtkw, a GTKWave save file for it\n"
	      "  --scsi-pcapng FILE  write every bus's SCSI steps (arbitration,\n"
	      "                   selection, CDBs, data, messages, status) as\n"
	      "                   pcapng in the draft LINKTYPE_PARALLEL_SCSI\n"
	      "                   framing; viz/parallel_scsi.lua decodes it\n"
	      "                   in Wireshark\n"
	      "  --pcap FILE      write every datagram that crossed a bus\n"
	      "                   (Wireshark, tshark)\n"
	      "  --narrate[=LEVEL] tell each protocol step in plain words on\n"
	      "                   stdout: commands, phases (the default) or\n"
	      "                   edges; slow, for teaching\n"
	      "\n"
	      "exit status: 0 the run balanced its datagram ledger (and the\n"
	      "checker, if on, found nothing), 1 otherwise, 2 bad input\n",
	      out);
}

static double wall_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

struct progress {
	double start, last;
	int tty;
};

static void on_progress(sim_time_t now, sim_time_t until, void *arg)
{
	struct progress *p = arg;
	double t = wall_now();
	if (!p->tty || t - p->start < 1.0 || t - p->last < 0.5)
		return;
	p->last = t;
	fprintf(stderr, "\r  %5.1f%% of the simulated time, %.0f s", 100.0 *
		(double)now / (double)until, t - p->start);
	fflush(stderr);
}


/* The file name (no directory, no extension) of traffic item i's RTT
 * graph: a slug of its label and its index, never the label as given. */
static void rtt_graph_name(const struct scn *s, int i, char *out, size_t len)
{
	char slug[40];
	viz_plot_slug(s->traffic[i].label, slug, sizeof slug);
	snprintf(out, len, "rtt-%d-%s", i, slug);
}

/* Did ping traffic item i get an answer (else it has no graph)? */
static int ping_answered(struct scn_world *w, int i)
{
	uint32_t n = scn_world_ping_rtt(w, i, 1, NULL);
	for (uint32_t k = 1; k <= n; k++) {
		sim_time_t rtt;
		scn_world_ping_rtt(w, i, k, &rtt);
		if (rtt != 0)
			return 1;
	}
	return 0;
}

/* DIR/graphs: each bus's busy and data shares (bus-utilisation.png);
 * each ping's RTT by sequence number (rtt-INDEX-SLUG.png, INDEX the
 * traffic item's, SLUG made from its label).  gnuplot draws them (PNG and SVG); without gnuplot
 * the script stays there to draw later.  Returns 0, or -1 on a failure
 * (said on stderr). */
static int draw_graphs(struct scn_world *w, const char *dir)
{
	const struct scn *s = scn_world_scenario(w);
	char path[600];
	snprintf(path, sizeof path, "%s/graphs", dir);
	if (cli_make_dirs(path) != 0)
		return -1;
	snprintf(path, sizeof path, "%s/graphs.gp", dir);
	FILE *f = fopen(path, "w");
	if (f == NULL)
		return -1;
	enum sn_err err = viz_plot_script_begin(f, "made by scsinet run");
	/* bus utilisation */
	int nb = scn_world_bus_count(w);
	const char **names = calloc((size_t)nb, sizeof *names);
	double *busy = calloc((size_t)nb, sizeof *busy);
	double *data = calloc((size_t)nb, sizeof *data);
	if (!names || !busy || !data)
		err = SN_ENOMEM;
	for (int b = 0; err == SN_OK && b < nb; b++) {
		sim_time_t ph[BUS_PH_COUNT_], now = sim_now(scn_world_sim(w));
		bus_phase_times(scn_world_bus(w, b), now, ph);
		names[b] = s->buses[b].name;
		busy[b] = now ? 100.0 * (1.0 - (double)ph[BUS_PH_BUS_FREE] /
						       (double)now)
			      : 0;
		data[b] = now ? 100.0 * (double)(ph[BUS_PH_DATA_OUT] +
						 ph[BUS_PH_DATA_IN]) /
					(double)now
			      : 0;
	}
	if (err == SN_OK) {
		struct viz_plot_series ser[2] = { { "bus not free", busy },
						  { "in a data phase", data } };
		struct viz_plot p = {
			.title = "SCSI bus utilisation", .xlabel = "bus",
			.ylabel = "share of the simulated time (%)",
			.nx = nb, .xtext = names, .y_from_zero = 1,
			.series = ser, .nseries = 2,
			.png = "graphs/bus-utilisation.png",
			.svg = "graphs/bus-utilisation.svg",
		};
		err = viz_plot_script_add(f, &p);
	}
	free(names);
	free(busy);
	free(data);
	/* ping RTTs, one graph per ping */
	for (int i = 0; err == SN_OK && i < s->ntraffic; i++) {
		uint32_t n = scn_world_ping_rtt(w, i, 1, NULL);
		if (n == 0 || !ping_answered(w, i))
			continue; /* nothing to draw (gnuplot would refuse) */
		double *y = calloc(n, sizeof *y), *x = calloc(n, sizeof *x);
		char **xt = calloc(n, sizeof *xt);
		char title[128], png[128], svg[128];
		if (!y || !x || !xt) {
			err = SN_ENOMEM;
		} else {
			for (uint32_t k = 0; k < n; k++) {
				sim_time_t rtt;
				scn_world_ping_rtt(w, i, k + 1, &rtt);
				y[k] = rtt ? (double)rtt / (double)SIM_MS : NAN;
				x[k] = k + 1;
				xt[k] = malloc(12);
				if (xt[k])
					snprintf(xt[k], 12, "%u", k + 1);
				else
					err = SN_ENOMEM;
			}
			snprintf(title, sizeof title, "Round-trip times of %s",
				 s->traffic[i].label);
			char name[80];
			rtt_graph_name(s, i, name, sizeof name);
			snprintf(png, sizeof png, "graphs/%s.png", name);
			snprintf(svg, sizeof svg, "graphs/%s.svg", name);
			struct viz_plot_series ser = { "answered requests", y };
			struct viz_plot p = {
				.title = title,
				.xlabel = "request (sequence number)",
				.ylabel = "round-trip time (ms)", .nx = (int)n,
				.xtext = (const char *const *)xt, .xval = x,
				.y_from_zero = 1, .series = &ser, .nseries = 1,
				.png = png, .svg = svg,
			};
			if (err == SN_OK)
				err = viz_plot_script_add(f, &p);
		}
		for (uint32_t k = 0; xt && k < n; k++)
			free(xt[k]);
		free(xt);
		free(x);
		free(y);
	}
	if (fclose(f) != 0 && err == SN_OK)
		err = SN_EIO;
	if (err != SN_OK) {
		fprintf(stderr, "scsinet run: %s: %s\n", path, sn_strerror(err));
		return -1;
	}
	int st = 0;
	err = viz_plot_run(dir, "graphs.gp", "gnuplot.log", &st);
	if (err == SN_ENOENT) {
		fprintf(stderr, "scsinet run: gnuplot is not installed: to draw "
				"the graphs, cd %s && gnuplot graphs.gp\n",
			dir);
		return 0;
	}
	if (err != SN_OK) {
		fprintf(stderr, "scsinet run: gnuplot failed (see %s/gnuplot.log)"
				"\n", dir);
		return -1;
	}
	/* gnuplot exits 0 with a graph cut short on a full disk: each one
	 * it was asked for is read back */
	int bad = 0;
	for (int i = -1; i < s->ntraffic; i++) {
		char name[80];
		if (i >= 0) {
			if (scn_world_ping_rtt(w, i, 1, NULL) == 0 ||
			    !ping_answered(w, i))
				continue;
			rtt_graph_name(s, i, name, sizeof name);
		} else {
			snprintf(name, sizeof name, "bus-utilisation");
		}
		for (int png = 1; png >= 0; png--) {
			char gpath[sizeof path + sizeof name + 16];
			snprintf(gpath, sizeof gpath, "%s/graphs/%s.%s", dir,
				 name, png ? "png" : "svg");
			const char *why = viz_plot_file_problem(gpath, png);
			if (why != NULL) {
				fprintf(stderr, "scsinet run: %s: %s\n", gpath,
					why);
				bad++;
			}
		}
	}
	return bad ? -1 : 0;
}

/* FILE.vcd.gtkw beside the VCD: `gtkwave FILE.vcd FILE.vcd.gtkw` opens
 * with the signals grouped per bus in analyser order and the phase shown
 * as a string. */
static int write_gtkw(struct scn_world *w, const char *vcd)
{
	int n = scn_world_bus_count(w);
	const struct bus **buses = calloc(n > 0 ? (size_t)n : 1,
					  sizeof *buses);
	size_t len = strlen(vcd) + sizeof ".gtkw";
	char *gtkw = malloc(len);
	enum sn_err err = SN_ENOMEM;
	if (buses && gtkw) {
		for (int b = 0; b < n; b++)
			buses[b] = scn_world_bus(w, b);
		snprintf(gtkw, len, "%s.gtkw", vcd);
		err = viz_vcd_write_gtkw(vcd, gtkw, buses, (size_t)n);
		if (err != SN_OK)
			fprintf(stderr, "scsinet run: --vcd %s: cannot write "
					"%s: %s\n",
				vcd, gtkw, sn_strerror(err));
	}
	free(gtkw);
	free(buses);
	return err == SN_OK ? 0 : -1;
}

int cli_run(int argc, char **argv)
{
	const char *file = NULL, *outdir = NULL, *vcd = NULL, *pcap = NULL;
	const char *scsicap = NULL;
	const char *sets[MAX_SETS];
	char owned[2][64];
	int nsets = 0, check = 0, narrate = 0;
	enum viz_narrate_level level = VIZ_NARRATE_PHASES;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			run_usage(stdout);
			return CLI_OK;
		} else if (strcmp(a, "--check") == 0) {
			check = 1;
		} else if (strcmp(a, "--narrate") == 0 ||
			   strncmp(a, "--narrate=", 10) == 0) {
			narrate = 1;
			if (a[9] == '=' &&
			    viz_narrate_level_parse(a + 10, &level) != SN_OK) {
				fprintf(stderr, "scsinet run: --narrate: '%s' "
						"is not commands, phases or "
						"edges\n", a + 10);
				return CLI_USAGE;
			}
		} else if (strcmp(a, "--out") == 0 || strcmp(a, "--vcd") == 0 ||
			   strcmp(a, "--pcap") == 0 ||
			   strcmp(a, "--scsi-pcapng") == 0 ||
			   strcmp(a, "--set") == 0 ||
			   strcmp(a, "--seed") == 0 ||
			   strcmp(a, "--duration") == 0) {
			if (v == NULL) {
				fprintf(stderr, "scsinet run: %s: missing "
						"value\n", a);
				return CLI_USAGE;
			}
			i++;
			if (strcmp(a, "--out") == 0) {
				outdir = v;
			} else if (strcmp(a, "--vcd") == 0) {
				vcd = v;
			} else if (strcmp(a, "--pcap") == 0) {
				pcap = v;
			} else if (strcmp(a, "--scsi-pcapng") == 0) {
				scsicap = v;
			} else if (nsets == MAX_SETS) {
				fprintf(stderr, "scsinet run: at most %d "
						"overrides\n", MAX_SETS);
				return CLI_USAGE;
			} else if (strcmp(a, "--set") == 0) {
				sets[nsets++] = v;
			} else if (strcmp(a, "--seed") == 0) {
				uint64_t seed;
				if (cli_parse_u64(a, v, 0, SCN_SEED_MAX, &seed))
					return CLI_USAGE;
				snprintf(owned[0], sizeof owned[0], "seed=%llu",
					 (unsigned long long)seed);
				sets[nsets++] = owned[0];
			} else {
				/* passed on as the value read, not the text
				 * given: it always fits owned[] */
				sim_time_t t;
				char text[SIM_TIME_FORMAT_MAX];
				if (cli_parse_time_range(a, v, SCN_DURATION_MIN,
							 SCN_DURATION_MAX, &t))
					return CLI_USAGE;
				sim_time_format(t, text, sizeof text);
				snprintf(owned[1], sizeof owned[1],
					 "duration=\"%s\"", text);
				sets[nsets++] = owned[1];
			}
		} else if (a[0] == '-') {
			fprintf(stderr, "scsinet run: unknown option '%s'\n", a);
			run_usage(stderr);
			return CLI_USAGE;
		} else if (file == NULL) {
			file = a;
		} else {
			fprintf(stderr, "scsinet run: one scenario at a time "
					"('%s' and '%s')\n", file, a);
			return CLI_USAGE;
		}
	}
	if (file == NULL) {
		run_usage(stderr);
		return CLI_USAGE;
	}
	struct scn *s;
	struct scn_world *w;
	int opened = cli_open_world("run", file, sets, nsets, check, &s, &w);
	if (opened != CLI_OK)
		return opened;
	enum sn_err err;
	struct viz_pcap *pc = NULL;
	struct viz_scsicap *sc = NULL;
	struct viz_vcd *vc = NULL;
	struct viz_narrate *nr = NULL;
	int status = CLI_OK;
	char dir[512], path[600];
	if (outdir)
		snprintf(dir, sizeof dir, "%s", outdir);
	else
		snprintf(dir, sizeof dir, "results/%s", s->name);
	if (status == CLI_OK && cli_make_dirs(dir) != 0) {
		fprintf(stderr, "scsinet run: --out %s: cannot create: %s\n",
			dir, strerror(errno));
		status = CLI_USAGE;
	}
	if (pcap && viz_pcap_open(scn_world_sim(w), pcap, &pc) != SN_OK) {
		fprintf(stderr, "scsinet run: --pcap %s: cannot write: %s\n",
			pcap, strerror(errno));
		status = CLI_USAGE;
	}
	if (status == CLI_OK && scsicap) {
		err = viz_scsicap_open(scn_world_sim(w), scsicap, &sc);
		for (int b = 0; err == SN_OK && b < scn_world_bus_count(w); b++)
			err = viz_scsicap_add_bus(sc, scn_world_bus(w, b));
		if (err != SN_OK) {
			fprintf(stderr, "scsinet run: --scsi-pcapng %s: cannot "
					"write: %s\n",
				scsicap, err == SN_EIO ? strerror(errno)
						       : sn_strerror(err));
			status = err == SN_ENOMEM ? CLI_FAIL : CLI_USAGE;
		}
	}
	if (status == CLI_OK && narrate) {
		err = viz_narrate_open(scn_world_sim(w), stdout, level, &nr);
		for (int b = 0; err == SN_OK && b < scn_world_bus_count(w); b++)
			err = viz_narrate_add_bus(nr, scn_world_bus(w, b));
		if (err != SN_OK) {
			fprintf(stderr, "scsinet run: --narrate: %s\n",
				sn_strerror(err));
			status = CLI_FAIL;
		}
	}
	if (status == CLI_OK && vcd) {
		err = viz_vcd_open(&vc, scn_world_sim(w), vcd, VIZ_VCD_1PS);
		for (int b = 0; err == SN_OK && b < scn_world_bus_count(w); b++)
			err = viz_vcd_add_bus(vc, scn_world_bus(w, b));
		if (err != SN_OK) {
			fprintf(stderr, "scsinet run: --vcd %s: %s\n", vcd,
				sn_strerror(err));
			status = CLI_USAGE;
		}
	}
	if (status == CLI_OK) {
		struct progress pr = { .start = wall_now(),
				       .tty = isatty(2) };
		scn_world_run(w, s->duration, on_progress, &pr);
		double wall = wall_now() - pr.start;
		if (pr.tty && pr.last > 0)
			fputc('\n', stderr);
		scn_world_summary(w, stdout);
		snprintf(path, sizeof path, "%s/results.json", dir);
		FILE *f = fopen(path, "w");
		if (f == NULL || scn_world_results_json(w, f) != 0 ||
		    fclose(f) != 0) {
			fprintf(stderr, "scsinet run: %s: cannot write\n", path);
			status = CLI_FAIL;
		}
		snprintf(path, sizeof path, "%s/run-info.json", dir);
		f = fopen(path, "w");
		int bad = f == NULL;
		if (f != NULL) {
			bad = fprintf(f, "{\n\t\"wall_seconds\":\t%.3f,\n"
					 "\t\"sim_seconds_per_wall_second\":"
					 "\t%.3f\n}\n",
				      wall, wall > 0 ? (double)s->duration /
							       (double)SIM_S / wall
						     : 0.0) < 0;
			bad |= fclose(f) != 0;
		}
		if (bad) {
			fprintf(stderr, "scsinet run: %s: cannot write\n", path);
			status = CLI_FAIL;
		}
		if (draw_graphs(w, dir) != 0)
			status = CLI_FAIL;
		printf("  results: %s/results.json, graphs in %s/graphs "
		       "(wall %.2f s)\n",
		       dir, dir, wall);
		if (status == CLI_OK && !scn_world_ok(w))
			status = CLI_FAIL;
	}
	viz_narrate_close(nr);
	if (sc && viz_scsicap_close(sc) != SN_OK) {
		fprintf(stderr, "scsinet run: --scsi-pcapng %s: write failed\n",
			scsicap);
		status = CLI_FAIL;
	}
	if (pc && viz_pcap_close(pc) != SN_OK) {
		fprintf(stderr, "scsinet run: --pcap %s: write failed\n", pcap);
		status = CLI_FAIL;
	}
	if (vc && viz_vcd_close(vc) != SN_OK) {
		fprintf(stderr, "scsinet run: --vcd %s: write failed\n", vcd);
		status = CLI_FAIL;
	} else if (vc && write_gtkw(w, vcd) != 0) {
		status = CLI_FAIL;
	}
	scn_world_destroy(w);
	scn_free(s);
	return status;
}

int cli_defaults(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	scn_print_defaults(stdout);
	return CLI_OK;
}
