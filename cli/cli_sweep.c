/*
 * cli_sweep.c - `scsinet sweep`: run one scenario at every point of the
 * cross product of some parameters' values, in parallel, and tabulate and
 * graph what each run measured.
 *
 *   scsinet sweep two.json --vary hosts[*].adapters[*].mtu=576,1500,9000 \
 *                          --vary buses[*].width=narrow,wide --out sw
 *
 * Each point is a full `scsinet run`: scn_load() with the point's --set
 * overrides, scn_world_build(), scn_world_run(), DIR/points/NNN/results.json.
 * Points run in child processes (fork, no exec: the children are this
 * program), up to --jobs at a time.  The children share nothing: each
 * writes its own results, and the parent reads them back once all are
 * done, so the table, the graphs and the numbering depend only on the
 * command line, never on which run finished first.
 *
 * Points are numbered in the order of nested loops over the --vary keys
 * as given, the last key varying fastest.
 *
 * KEY[*].  A key may use [*] for "every element of this array", e.g.
 * hosts[*].adapters[*].mtu.  The loader (scenarios/) knows only concrete
 * paths, so [*] is expanded here, once, against the scenario file as
 * written: the file is read with cJSON and each [*] replaced by [0], [1],
 * ... for the elements present (an array that a --set replaces is still
 * counted as it is in the file).  [*] works in --set too.  This reads the
 * JSON a second time, outside scenarios/, but only to count array
 * elements; validating and interpreting values stays the loader's job.
 *
 * Metrics read from every point's results.json (the column header gives
 * the name and the unit):
 *   udp_goodput_sum   bytes/s    goodput_bytes_per_s summed over UDP flows
 *   ping_rtt_mean     us         mean round trip over every ping answered
 *                                (each ping traffic's avg_us weighted by
 *                                its samples)
 *   delivered, dropped           the datagram ledger (conservation.*)
 *   LABEL.goodput     bytes/s    each UDP flow's own goodput (the first
 *                                MAX_FLOW_COLUMNS flows; with exactly one
 *                                flow it equals udp_goodput_sum)
 *   --metric PATH                any number in results.json by JSON path,
 *                                e.g. traffic[0].latency.p99_us; true and
 *                                false read as 1 and 0
 * A cell is empty where a point has no such value (no UDP flow, no ping
 * answered, a point that failed).
 *
 * Graphs: one per metric with at least one value, x the first --vary key,
 * one line per combination of the other keys' values, written by gnuplot
 * (viz/viz_plot.h) as DIR/graphs/NN-NAME.png and .svg from DIR/sweep.gp
 * (NN the column's number, NAME its name reduced to [a-z0-9-]).  If
 * gnuplot is not installed the sweep still succeeds (the runs and the
 * table are its results; the graphs can be drawn later from the script)
 * and says how to draw them; if gnuplot runs and fails, that is a failure
 * (exit 1) and DIR/gnuplot.log has its messages.
 *
 * This file parses the command line and expands the keys; the runs, the
 * output folder and stopping are in cli_sweep_run.c; cli_sweep_out.c
 * makes the columns, the table, sweep.csv and the graphs from their
 * results (cli_sweep_priv.h is what the three share).
 *
 * Before anything runs, the point count is checked (at most MAX_POINTS;
 * the product is taken with an overflow check), and every point is
 * loaded and built (then thrown away), so that a value the loader
 * refuses is reported at once, with the loader's message, rather than
 * after the other runs.
 *
 * DIR.  A sweep writes only into a directory that does not hold one:
 * DIR may exist, but none of INCOMPLETE, sweep.csv, sweep.gp,
 * gnuplot.log, graphs/ and points/ may be in it, so nothing a sweep
 * writes ever replaces a file, and nothing is deleted but what this
 * sweep itself wrote half-way.  DIR/INCOMPLETE is created (exclusively:
 * a second sweep on the same DIR stops there) before the first run and
 * removed when everything is written; if it stays, it says why.
 *
 * Writes.  Every write is checked (a full disk, a file size limit): a
 * point's run writes DIR/points/NNN.part/ and renames it to NNN/ when
 * both its files are complete; sweep.csv, sweep.gp and INCOMPLETE are
 * written as NAME.tmp and renamed; each graph gnuplot says it drew is
 * read back (a PNG must end with its IEND chunk, an SVG with </svg>).
 * Any failure is named on stderr with its path and makes the exit
 * status 1.
 *
 * Stopping.  On SIGINT, SIGTERM or SIGHUP (unless the signal was ignored
 * when the sweep began, as under nohup) no run is started any more, the
 * runs going on are killed (SIGKILL: their half-written NNN.part/ is
 * removed) and reaped, so that nothing writes into DIR after the sweep
 * has returned; on Linux a run also dies with the sweep if the sweep is
 * killed outright.  Complete points stay, DIR/INCOMPLETE lists them, and
 * no sweep.csv or graphs are written.  The exit status is a shell's for
 * that signal: 128 + its number, 130 for SIGINT.
 *
 * Exit status: 0 every point ran and balanced its datagram ledger, and
 * everything was written; 1 some point failed (each is named on stderr,
 * with why: ledger not balanced, run killed by a signal, results not
 * written), some output could not be written, or gnuplot failed; 2 bad
 * input: the command line, the scenario, a point's values, DIR, or a
 * --metric that no point's results.json has (found only after the runs;
 * the table is still written); 128 + N stopped by signal N.
 */
#include <cjson/cJSON.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "cli_sweep_priv.h"
#include "scn.h"

int sw_strv_push(struct strv *s, const char *text)
{
	if (s->n == s->cap) {
		int cap = s->cap ? 2 * s->cap : 8;
		char **v = realloc(s->v, (size_t)cap * sizeof *v);
		if (v == NULL)
			return -1;
		s->v = v;
		s->cap = cap;
	}
	size_t len = strlen(text) + 1;
	char *copy = malloc(len);
	if (copy == NULL)
		return -1;
	memcpy(copy, text, len);
	s->v[s->n++] = copy;
	return 0;
}

void sw_strv_free(struct strv *s)
{
	for (int i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
	s->v = NULL;
	s->n = s->cap = 0;
}

static void sweep_usage(FILE *out)
{
	fputs("usage: scsinet sweep SCENARIO.json --vary KEY=V1,V2,... "
	      "[--vary KEY=...]...\n"
	      "                     --out DIR [--jobs N] [--metric PATH]... "
	      "[--set KEY=VALUE]...\n"
	      "                     [--seed N] [--duration T]\n"
	      "\n"
	      "  --vary KEY=V1,V2  run at each value of KEY (a JSON path as "
	      "for --set;\n"
	      "                    [*] means every element, e.g.\n"
	      "                    hosts[*].adapters[*].mtu=576,1500,9000); "
	      "with several\n"
	      "                    --vary, every combination runs (at most "
	      "8 --vary,\n"
	      "                    256 values each, 10000 points)\n"
	      "  --out DIR         DIR/sweep.csv, DIR/graphs/*.png and *.svg,\n"
	      "                    DIR/sweep.gp, DIR/points/NNN/results.json; "
	      "DIR may\n"
	      "                    exist but not hold a sweep: nothing is "
	      "replaced\n"
	      "  --jobs N          runs at a time, 1 to 1024 (default: the "
	      "online CPUs)\n"
	      "  --metric PATH     another column, by JSON path into "
	      "results.json,\n"
	      "                    e.g. traffic[0].latency.p99_us\n"
	      "  --set KEY=VALUE   override a scenario value at every point\n"
	      "  --seed N          the random seed (overrides the file's)\n"
	      "  --duration T      simulated time of each run, e.g. 1s, "
	      "250ms\n"
	      "\n"
	      "Graphs: x is the first --vary key, one line per value of the "
	      "others.\n"
	      "Without gnuplot they are not drawn (the sweep still succeeds):\n"
	      "cd DIR && gnuplot sweep.gp draws them later.\n"
	      "\n"
	      "DIR/INCOMPLETE is there while the sweep runs, and stays if it "
	      "does not\n"
	      "finish.  On SIGINT (^C), SIGTERM or SIGHUP every run is "
	      "stopped first;\n"
	      "then the complete points are in DIR/points/NNN/ and listed in "
	      "INCOMPLETE,\n"
	      "the others have no folder, and there is no sweep.csv.  A point "
	      "is never\n"
	      "half-written (each run writes NNN.part/ and renames it).\n"
	      "\n"
	      "exit status: 0 every point ran and balanced its datagram "
	      "ledger,\n"
	      "1 some point failed, an output could not be written (each "
	      "named on\n"
	      "stderr) or gnuplot failed, 2 bad input, 128+N stopped by "
	      "signal N\n"
	      "(130 SIGINT, 143 SIGTERM, 129 SIGHUP)\n",
	      out);
}

/* --- JSON paths ------------------------------------------------------------ */

/* Is `key` a path the loader understands: names separated by '.', each
 * followed by any number of [N] (or [*] if `star`)?  On failure `why`
 * says what is wrong. */
static int path_valid(const char *key, int star, const char **why)
{
	const char *p = key;
	if (*p == '\0') {
		*why = "empty key";
		return 0;
	}
	for (;;) {
		size_t n = strcspn(p, ".[]=,");
		if (n == 0) {
			*why = "a name is missing (write e.g. "
			       "hosts[0].adapters[0].mtu)";
			return 0;
		}
		for (size_t i = 0; i < n; i++)
			if (p[i] == ' ' || p[i] == '*') {
				*why = "a name holds a space or a '*'";
				return 0;
			}
		p += n;
		while (*p == '[') {
			const char *q = p + 1;
			if (*q == '*' && q[1] == ']') {
				if (!star) {
					*why = "[*] is not allowed here";
					return 0;
				}
				p = q + 2;
				continue;
			}
			while (*q >= '0' && *q <= '9')
				q++;
			if (q == p + 1 || *q != ']' || q - p > 7) {
				*why = "want [N] (an index) or [*]";
				return 0;
			}
			p = q + 1;
		}
		if (*p == '\0')
			return 1;
		if (*p != '.') {
			*why = "unexpected character";
			return 0;
		}
		p++;
	}
}

/* The node at a concrete `path` below `j` (a leading '.' is allowed), or
 * NULL. */
const cJSON *sw_json_walk(const cJSON *j, const char *path)
{
	const char *p = path;
	while (j != NULL && *p) {
		if (*p == '[') {
			char *end;
			long i = strtol(p + 1, &end, 10);
			if (end == p + 1 || *end != ']' || i < 0 || i > 1000000)
				return NULL;
			j = cJSON_IsArray(j) ? cJSON_GetArrayItem(j, (int)i)
					     : NULL;
			p = end + 1;
			continue;
		}
		if (*p == '.')
			p++;
		size_t n = strcspn(p, ".[");
		char name[KEY_MAX];
		if (n == 0 || n >= sizeof name)
			return NULL;
		memcpy(name, p, n);
		name[n] = '\0';
		j = cJSON_IsObject(j) ? cJSON_GetObjectItemCaseSensitive(j, name)
				      : NULL;
		p += n;
	}
	return j;
}

/* Append to `out` every concrete path `prefix` + `rest` stands for, each
 * [*] in `rest` replaced by the indexes of the array found at that point
 * below `node` (the node `prefix` names).  -1: out of memory. */
static int expand_star(const cJSON *node, const char *prefix, const char *rest,
		       struct strv *out)
{
	char buf[PATH_MAX_];
	const char *star = strstr(rest, "[*]");
	if (star == NULL) {
		snprintf(buf, sizeof buf, "%s%s", prefix, rest);
		return sw_strv_push(out, buf);
	}
	char head[PATH_MAX_];
	snprintf(head, sizeof head, "%.*s", (int)(star - rest), rest);
	const cJSON *arr = sw_json_walk(node, head);
	if (!cJSON_IsArray(arr))
		return 0;
	int n = cJSON_GetArraySize(arr);
	for (int i = 0; i < n; i++) {
		int len = snprintf(buf, sizeof buf, "%s%s[%d]", prefix, head,
				   i);
		if (len < 0 || (size_t)len >= sizeof buf)
			return -1; /* a key is at most KEY_MAX: not reached */
		if (expand_star(cJSON_GetArrayItem(arr, i), buf, star + 3,
				out) != 0)
			return -1;
	}
	return 0;
}

char *sw_read_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (f == NULL)
		return NULL;
	size_t cap = 1 << 16, n = 0;
	char *buf = malloc(cap + 1);
	while (buf != NULL) {
		n += fread(buf + n, 1, cap - n, f);
		if (n < cap || cap >= (64u << 20))
			break;
		char *nb = realloc(buf, 2 * cap + 1);
		if (nb == NULL) {
			free(buf);
			buf = NULL;
			break;
		}
		buf = nb;
		cap *= 2;
	}
	int bad = ferror(f);
	fclose(f);
	if (buf == NULL || bad) {
		free(buf);
		return NULL;
	}
	buf[n] = '\0';
	return buf;
}

/* --- the command --------------------------------------------------------------- */

/* Bad input (2) outranks a failure (1), which outranks success (0). */
static int worse(int status, int now)
{
	return now > status ? now : status;
}

static int parse_vary(struct sweep *sw, const char *arg)
{
	const char *eq = strchr(arg, '=');
	const char *why = NULL;
	if (eq == NULL) {
		why = "want KEY=V1,V2,..., e.g. "
		      "hosts[*].adapters[*].mtu=576,1500";
	} else if ((size_t)(eq - arg) >= KEY_MAX) {
		why = "the key is too long";
	} else if (sw->nvary == MAX_VARY) {
		why = "too many --vary (at most 8)";
	}
	if (why) {
		fprintf(stderr, "scsinet sweep: --vary '%s': %s\n", arg, why);
		return -1;
	}
	struct vary *v = &sw->vary[sw->nvary];
	memset(v, 0, sizeof *v);
	snprintf(v->key, sizeof v->key, "%.*s", (int)(eq - arg), arg);
	sw->nvary++; /* so that sw_free() frees what follows */
	if (!path_valid(v->key, 1, &why)) {
		fprintf(stderr, "scsinet sweep: --vary '%s': the key: %s\n",
			arg, why);
		return -1;
	}
	for (int k = 0; k + 1 < sw->nvary; k++)
		if (strcmp(sw->vary[k].key, v->key) == 0) {
			fprintf(stderr, "scsinet sweep: --vary '%s': %s is "
					"already varied\n", arg, v->key);
			return -1;
		}
	const char *p = eq + 1;
	for (;;) {
		size_t n = strcspn(p, ",");
		char val[KEY_MAX];
		if (n == 0 || n >= sizeof val) {
			fprintf(stderr, "scsinet sweep: --vary '%s': %s value "
					"in the list\n", arg,
				n == 0 ? "an empty" : "a too long");
			return -1;
		}
		snprintf(val, sizeof val, "%.*s", (int)n, p);
		for (int i = 0; i < v->values.n; i++)
			if (strcmp(v->values.v[i], val) == 0) {
				fprintf(stderr, "scsinet sweep: --vary '%s': "
						"%s is given twice\n", arg, val);
				return -1;
			}
		if (v->values.n == MAX_VALUES) {
			fprintf(stderr, "scsinet sweep: --vary '%s': at most "
					"%d values\n", arg, MAX_VALUES);
			return -1;
		}
		if (sw_strv_push(&v->values, val) != 0)
			return -1;
		p += n;
		if (*p == '\0')
			break;
		p++;
	}
	return 0;
}

/* Expand [*] in the --vary keys and the --set list against the file. */
static int expand_keys(struct sweep *sw)
{
	int any = 0;
	for (int k = 0; k < sw->nvary; k++)
		any |= strstr(sw->vary[k].key, "[*]") != NULL;
	for (int i = 0; i < sw->sets_given.n; i++) {
		const char *s = sw->sets_given.v[i];
		const char *eq = strchr(s, '=');
		const char *star = strstr(s, "[*]");
		any |= star != NULL && (eq == NULL || star < eq);
	}
	cJSON *root = NULL;
	if (any) {
		char *text = sw_read_file(sw->file);
		root = text ? cJSON_Parse(text) : NULL;
		free(text);
		if (root == NULL) {
			/* Let the loader say what is wrong with the file. */
			struct scn_errors errs = { .out = stderr, .max = 10 };
			struct scn *s = NULL;
			int n = scn_load(sw->file, NULL, 0, &errs, &s);
			if (n == 0) {
				scn_free(s);
				fprintf(stderr, "scsinet sweep: %s: cannot "
						"read it\n", sw->file);
			} else {
				fprintf(stderr, "scsinet sweep: %s: %d "
						"error%s\n", sw->file, n,
					n == 1 ? "" : "s");
			}
			return -1;
		}
	}
	int rc = 0;
	for (int k = 0; rc == 0 && k < sw->nvary; k++) {
		struct vary *v = &sw->vary[k];
		if (expand_star(root, "", v->key, &v->paths) != 0) {
			rc = -1;
		} else if (v->paths.n == 0) {
			fprintf(stderr, "scsinet sweep: --vary %s: [*] matches "
					"no element in %s\n", v->key, sw->file);
			rc = -1;
		}
	}
	for (int i = 0; rc == 0 && i < sw->sets_given.n; i++) {
		const char *s = sw->sets_given.v[i];
		const char *eq = strchr(s, '=');
		const char *star = strstr(s, "[*]");
		if (eq == NULL || star == NULL || star > eq) {
			if (sw_strv_push(&sw->sets, s) != 0)
				rc = -1;
			continue;
		}
		char key[KEY_MAX];
		const char *why;
		if ((size_t)(eq - s) >= sizeof key) {
			fprintf(stderr, "scsinet sweep: --set '%s': the key is "
					"too long\n", s);
			rc = -1;
			break;
		}
		snprintf(key, sizeof key, "%.*s", (int)(eq - s), s);
		if (!path_valid(key, 1, &why)) {
			fprintf(stderr, "scsinet sweep: --set '%s': %s\n", s,
				why);
			rc = -1;
			break;
		}
		struct strv paths = { 0 };
		if (expand_star(root, "", key, &paths) != 0)
			rc = -1;
		else if (paths.n == 0) {
			fprintf(stderr, "scsinet sweep: --set %s: [*] matches "
					"no element in %s\n", key, sw->file);
			rc = -1;
		}
		for (int j = 0; rc == 0 && j < paths.n; j++) {
			char buf[PATH_MAX_ + KEY_MAX];
			snprintf(buf, sizeof buf, "%s%s", paths.v[j], eq);
			if (sw_strv_push(&sw->sets, buf) != 0)
				rc = -1;
		}
		sw_strv_free(&paths);
	}
	cJSON_Delete(root);
	return rc;
}

/* --jobs N: 1 to MAX_JOBS runs at a time.  Each run is a process with a
 * whole simulation in it; more of them than CPUs only share the CPUs. */
static int parse_jobs(const char *v, int *jobs)
{
	const char *why = NULL;
	char *end;
	errno = 0;
	unsigned long long n = strtoull(v, &end, 10);
	if (v[0] < '0' || v[0] > '9' || *end != '\0')
		why = "want a whole number of runs at a time";
	else if (n == 0)
		why = "0 runs at a time would run nothing";
	else if (errno == ERANGE || n > MAX_JOBS)
		why = "too many runs at a time";
	if (why == NULL) {
		*jobs = (int)n;
		return 0;
	}
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	fprintf(stderr, "scsinet sweep: --jobs '%s': %s (1 to %d; without "
			"--jobs, the online CPUs: %ld)\n", v, why, MAX_JOBS,
		cpus < 1 ? 1 : cpus);
	return -1;
}

static int parse_args(struct sweep *sw, int argc, char **argv, int *help)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			*help = 1;
			return 0;
		}
		if (strcmp(a, "--vary") == 0 || strcmp(a, "--out") == 0 ||
		    strcmp(a, "--jobs") == 0 || strcmp(a, "--metric") == 0 ||
		    strcmp(a, "--set") == 0 || strcmp(a, "--seed") == 0 ||
		    strcmp(a, "--duration") == 0) {
			if (v == NULL) {
				fprintf(stderr, "scsinet sweep: %s: missing "
						"value\n", a);
				return -1;
			}
			i++;
			char buf[64];
			if (strcmp(a, "--vary") == 0) {
				if (parse_vary(sw, v) != 0)
					return -1;
			} else if (strcmp(a, "--out") == 0) {
				sw->outdir = v;
			} else if (strcmp(a, "--jobs") == 0) {
				if (parse_jobs(v, &sw->jobs) != 0)
					return -1;
			} else if (strcmp(a, "--metric") == 0) {
				const char *why;
				if (sw->nmetric == MAX_METRICS) {
					fprintf(stderr, "scsinet sweep: at most "
							"%d --metric\n",
						MAX_METRICS);
					return -1;
				}
				if (strlen(v) >= KEY_MAX ||
				    !path_valid(v, 0, &why)) {
					fprintf(stderr, "scsinet sweep: --metric "
							"'%s': %s\n", v,
						strlen(v) >= KEY_MAX
							? "too long" : why);
					return -1;
				}
				sw->metric[sw->nmetric++] = v;
			} else if (strcmp(a, "--set") == 0) {
				if (sw_strv_push(&sw->sets_given, v) != 0)
					return -1;
			} else if (strcmp(a, "--seed") == 0) {
				uint64_t seed;
				if (cli_parse_u64(a, v, 0, SCN_SEED_MAX, &seed))
					return -1;
				snprintf(buf, sizeof buf, "seed=%llu",
					 (unsigned long long)seed);
				if (sw_strv_push(&sw->sets_given, buf) != 0)
					return -1;
			} else {
				/* as run does: the value read, in range */
				sim_time_t t;
				char text[SIM_TIME_FORMAT_MAX];
				if (cli_parse_time_range(a, v, SCN_DURATION_MIN,
							 SCN_DURATION_MAX, &t))
					return -1;
				sim_time_format(t, text, sizeof text);
				snprintf(buf, sizeof buf, "duration=\"%s\"", text);
				if (sw_strv_push(&sw->sets_given, buf) != 0)
					return -1;
			}
		} else if (a[0] == '-') {
			fprintf(stderr, "scsinet sweep: unknown option '%s'\n",
				a);
			sweep_usage(stderr);
			return -1;
		} else if (sw->file == NULL) {
			sw->file = a;
		} else {
			fprintf(stderr, "scsinet sweep: one scenario at a time "
					"('%s' and '%s')\n", sw->file, a);
			return -1;
		}
	}
	if (argc <= 1) {
		sweep_usage(stderr);
		return -1;
	}
	if (sw->file == NULL || sw->nvary == 0 || sw->outdir == NULL) {
		fprintf(stderr, "scsinet sweep: %s (scsinet sweep --help)\n",
			sw->file == NULL ? "no scenario file"
			: sw->nvary == 0 ? "nothing to vary (--vary KEY=V1,V2)"
					 : "--out DIR is required");
		return -1;
	}
	return 0;
}

/* "256^8 = 1.8e19" or "4 x 3 = 12": the size asked for, exact while it
 * is short. */
static void format_count(const struct sweep *sw, double total, int exact,
			 char *buf, size_t len)
{
	int same = 1;
	for (int k = 1; k < sw->nvary; k++)
		same &= sw->vary[k].values.n == sw->vary[0].values.n;
	size_t at = 0;
	if (same && sw->nvary > 1) {
		at = (size_t)snprintf(buf, len, "%d^%d = ",
				      sw->vary[0].values.n, sw->nvary);
	} else {
		for (int k = 0; k < sw->nvary && at < len; k++)
			at += (size_t)snprintf(buf + at, len - at, "%s%d",
					       k ? " x " : "",
					       sw->vary[k].values.n);
		if (at < len)
			at += (size_t)snprintf(buf + at, len - at, " = ");
	}
	if (at >= len)
		return;
	if (exact && total < 1e6) {
		snprintf(buf + at, len - at, "%.0f", total);
		return;
	}
	/* 1.8e+19 -> 1.8e19, 1.7e+07 -> 1.7e7 */
	char e[32];
	snprintf(e, sizeof e, "%.1e", total);
	char *x = strchr(e, 'e');
	if (x != NULL) {
		char *d = x + 1;
		while (*d == '+' || (*d == '0' && d[1] != '\0'))
			d++;
		memmove(x + 1, d, strlen(d) + 1);
	}
	snprintf(buf + at, len - at, "%s", e);
}

/* The number of points, multiplied with a check: 8 keys of 256 values
 * are 2^64 points, which wraps a 64-bit integer to 0.  Above MAX_POINTS
 * the sweep is refused before anything runs: see MAX_POINTS for why. */
static int count_points(struct sweep *sw)
{
	uint64_t n = 1;
	double total = 1;
	int exact = 1;
	for (int k = 0; k < sw->nvary; k++) {
		uint64_t m = (uint64_t)sw->vary[k].values.n;
		if (n > UINT64_MAX / m)
			exact = 0;
		else
			n *= m;
		total *= (double)m;
	}
	if (!exact || n > MAX_POINTS) {
		char buf[160];
		format_count(sw, total, exact, buf, sizeof buf);
		fprintf(stderr, "scsinet sweep: --vary: %s points; at most %d "
				"(each point is a whole run)\n", buf,
			MAX_POINTS);
		return -1;
	}
	sw->npoints = (int)n;
	sw->digits = 3;
	for (uint64_t d = 1000; d < n; d *= 10)
		sw->digits++;
	return 0;
}

/* The sweep was stopped by `sig` (`when`: "while the points ran",
 * ...): DIR/INCOMPLETE says so and lists the points that are complete;
 * the status is a shell's for a process killed by that signal. */
static int stopped(const struct sweep *sw, int sig, const char *when)
{
	char path[PATH_MAX_ + 32];
	snprintf(path, sizeof path, "%s/%s", sw->outdir, SW_INCOMPLETE);
	int done = sw_write_incomplete_file(sw, path, sig, when);
	fprintf(stderr, "scsinet sweep: stopped by %s %s: %d of %d point%s "
			"complete; ", sw_signal_name(sig), when,
		done < 0 ? 0 : done, sw->npoints, sw->npoints == 1 ? "" : "s");
	if (done >= 0)
		fprintf(stderr, "%s lists them\n", path);
	else
		fprintf(stderr, "%s: cannot write: %s\n", path,
			strerror(errno));
	return 128 + sig;
}

int cli_sweep(int argc, char **argv)
{
	struct sweep sw;
	memset(&sw, 0, sizeof sw);
	int help = 0, status = CLI_OK, caught = 0;
	if (parse_args(&sw, argc, argv, &help) != 0) {
		status = CLI_USAGE;
		goto done;
	}
	if (help) {
		sweep_usage(stdout);
		goto done;
	}
	if (count_points(&sw) != 0 || sw_check_outdir(sw.outdir) != 0) {
		status = CLI_USAGE;
		goto done;
	}
	if (sw.jobs == 0) {
		long cpus = sysconf(_SC_NPROCESSORS_ONLN);
		sw.jobs = cpus < 1 ? 1 : cpus > MAX_JOBS ? MAX_JOBS : (int)cpus;
	}
	if (sw.jobs > sw.npoints)
		sw.jobs = sw.npoints;
	sw_catch_signals();
	caught = 1;
	clearerr(stdout);
	if (expand_keys(&sw) != 0) {
		status = CLI_USAGE;
		goto done;
	}

	/* Check every point before running any: a bad value found after
	 * an hour of runs would be a poor way to learn of a typo. */
	struct scn_errors errs = { .out = stderr, .max = 50 };
	struct scn *base = NULL;
	int n = scn_load(sw.file, (const char *const *)sw.sets.v, sw.sets.n,
			 &errs, &base);
	if (n > 0) {
		fprintf(stderr, "scsinet sweep: %s: %d error%s%s\n", sw.file, n,
			n == 1 ? "" : "s",
			n > errs.max ? " (the first 50 shown)" : "");
		status = CLI_USAGE;
		goto done;
	}
	snprintf(sw.scenario, sizeof sw.scenario, "%s", base->name);
	int mk = sw_make_columns(&sw, base);
	scn_free(base);
	sw.val = calloc((size_t)sw.npoints * (size_t)(sw.ncol ? sw.ncol : 1),
			sizeof *sw.val);
	sw.status = calloc((size_t)sw.npoints, sizeof *sw.status);
	if (mk != 0 || sw.val == NULL || sw.status == NULL) {
		fprintf(stderr, "scsinet sweep: out of memory\n");
		status = CLI_FAIL;
		goto done;
	}
	for (int p = 0; p < sw.npoints; p++) {
		int sig = sw_stop_signal();
		if (sig != 0) {
			/* Nothing is written yet: nothing to mark. */
			fprintf(stderr, "scsinet sweep: stopped by %s before "
					"any point ran\n", sw_signal_name(sig));
			status = 128 + sig;
			goto done;
		}
		int rc = sw_check_point(&sw, p);
		if (rc != PT_OK) {
			status = rc == PT_NOMEM ? CLI_FAIL : CLI_USAGE;
			goto done;
		}
	}
	if (sw_create_outdir(&sw) != 0) {
		status = CLI_USAGE;
		goto done;
	}

	int sig = sw_run_points(&sw);
	if (sig != 0) {
		status = stopped(&sw, sig, "while the points ran");
		goto done;
	}
	sw_collect(&sw);
	printf("sweep %s: %d point%s, %d at a time\n", sw.scenario, sw.npoints,
	       sw.npoints == 1 ? "" : "s", sw.jobs);
	sw_print_table(&sw);
	int failed = 0;
	for (int p = 0; p < sw.npoints; p++)
		if (sw.status[p] != PT_OK) {
			sw_describe_failure(&sw, p);
			failed++;
		}
	if (failed) {
		fprintf(stderr, "scsinet sweep: %d of %d points failed\n",
			failed, sw.npoints);
		status = CLI_FAIL;
	}
	int have_results = 0;
	for (int p = 0; p < sw.npoints; p++)
		have_results |= sw.status[p] == PT_OK ||
				sw.status[p] == PT_UNBALANCED;
	for (int c = 0; c < sw.ncol; c++)
		if (sw.col[c].kind == COL_PATH && !sw.col[c].seen &&
		    have_results) {
			fprintf(stderr, "scsinet sweep: --metric %s: no point's "
					"results.json has a number there\n",
				sw.col[c].arg);
			status = CLI_USAGE;
		}

	/* What could not be written, for DIR/INCOMPLETE: the folder is
	 * marked finished only when all of it is there. */
	char missing[PATH_MAX_ + 128] = "";
	int rc = sw_write_outputs(&sw, missing, sizeof missing);
	status = worse(status, rc);
	if (sw_stop_signal() != 0) {
		status = stopped(&sw, sw_stop_signal(), "while it wrote the "
							"table and the graphs");
		goto done;
	}
	printf("  points: %s/points/NNN/ (results.json, summary.txt)\n",
	       sw.outdir);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "scsinet sweep: standard output: cannot "
				"write: %s\n", strerror(errno));
		status = worse(status, CLI_FAIL);
	}
	char path[PATH_MAX_ + 32];
	snprintf(path, sizeof path, "%s/%s", sw.outdir, SW_INCOMPLETE);
	if (missing[0] != '\0') {
		/* Best effort: on a full disk the first text stays, which
		 * says as much. */
		sw_write_incomplete_file(&sw, path, 0, missing);
	} else if (unlink(path) != 0) {
		fprintf(stderr, "scsinet sweep: %s: cannot remove: %s\n", path,
			strerror(errno));
		status = worse(status, CLI_FAIL);
	}
done:
	if (caught)
		sw_restore_signals();
	sw_free(&sw);
	return status;
}
