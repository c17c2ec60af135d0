/*
 * fuzz_set.c - command-line overrides of a scenario: `--set KEY=VALUE`
 * (scn_load_text's sets, the JSON path walk in scenarios/scn_load.c) and
 * `scsinet sweep`'s own parsing of --vary, --metric, --seed, --duration
 * and [*] (cli/cli_sweep.c), on a fixed small valid scenario.
 *
 * The input is lines.  A line that starts with "--" is a sweep option,
 * its value after the first space ("--vary hosts[*].adapters[*].mtu=576,
 * 1500"); any other line is a --set, given both to scn_load_text() and,
 * as --set, to the sweep.  Then:
 *   - scn_load_text with those sets: the same properties as fuzz_scenario
 *     (the count returned, one "fixed.json: PATH: REASON" line each), and
 *     a scenario that loads is built and thrown away;
 *   - cli_sweep() with the options and sets, and --out /dev/null/...: a
 *     directory that cannot be made, so every check a sweep does before
 *     running (parsing, [*] against the file, loading and building every
 *     point) happens, and then it stops with exit status 2 before running
 *     a point or writing anything.  It must return 0, 1 or 2, and say
 *     something when it fails (or print its usage, for --help).  Our
 *     --out comes first and every "--out" of the input is left out, so
 *     that nothing can choose a directory it would write to.
 *     Sweeps of more than MAX_POINTS points are skipped unless they are
 *     over the sweep's own limit (which it refuses at once): loading
 *     thousands of points per input would only slow the fuzzer down.
 *
 * The sweep reads the scenario from a file: written once per process in
 * a directory from mkdtemp(), removed at exit.  Its messages go to stdout
 * and stderr, which are swapped for a memory stream while it runs (glibc
 * lets a program assign them; sanitizer reports go to file descriptor 2
 * and are not affected).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "fz.h"
#include "scn.h"
#include "scn_world.h"

#define NAME "fixed.json"
#define MAX_LINES 24
#define MAX_POINTS 64
#define SWEEP_LIMIT 10000 /* cli_sweep.c's MAX_POINTS */

static const char fixed_scenario[] =
	"{\n"
	"  \"name\": \"fuzz-set\",\n"
	"  \"duration\": \"1s\",\n"
	"  \"buses\": [\n"
	"    { \"name\": \"left\", \"width\": \"narrow\" },\n"
	"    { \"name\": \"right\", \"width\": \"wide\","
	" \"speed\": \"fast\" }\n"
	"  ],\n"
	"  \"hosts\": [\n"
	"    { \"name\": \"a\", \"adapters\": [ { \"bus\": \"left\", \"id\": 1,"
	" \"ip\": \"10.0.1.1/24\" } ] },\n"
	"    { \"name\": \"g\", \"adapters\": [\n"
	"      { \"bus\": \"left\", \"id\": 7, \"ip\": \"10.0.1.7/24\" },\n"
	"      { \"bus\": \"right\", \"id\": 7, \"profile\": \"pci-fw\","
	" \"ip\": \"10.0.2.7/24\", \"mtu\": 576 } ] },\n"
	"    { \"name\": \"c\", \"adapters\": [ { \"bus\": \"right\","
	" \"id\": 2,"
	" \"profile\": \"pci-fw\", \"ip\": \"10.0.2.2/24\" } ] }\n"
	"  ],\n"
	"  \"traffic\": [\n"
	"    { \"type\": \"ping\", \"from\": \"a\", \"to\": \"c\","
	" \"count\": 2 },\n"
	"    { \"type\": \"udp\", \"from\": \"c\", \"to\": \"a\", \"count\": 3,"
	" \"size\": 1000 }\n"
	"  ],\n"
	"  \"faults\": [\n"
	"    { \"type\": \"bus_reset\", \"at\": \"500ms\", \"bus\": \"left\","
	" \"host\": \"a\" }\n"
	"  ]\n"
	"}\n";

static char tmpdir[64];
static char scenario_path[96];
/* cli_sweep takes argv as a program's: writable strings */
static char a_sweep[] = "sweep", a_out[] = "--out", a_set[] = "--set";
static char a_outdir[] = "/dev/null/scsinet-fuzz-sweep";

static void remove_tmp(void)
{
	unlink(scenario_path);
	rmdir(tmpdir);
}

static char *scenario_file(void)
{
	if (scenario_path[0] != '\0')
		return scenario_path;
	const char *base = getenv("TMPDIR");
	snprintf(tmpdir, sizeof tmpdir, "%s/fuzz_set.XXXXXX",
		 base && base[0] && strlen(base) < 40 ? base : "/tmp");
	FZ_CHECK(mkdtemp(tmpdir) != NULL, "mkdtemp %s failed", tmpdir);
	snprintf(scenario_path, sizeof scenario_path, "%s/" NAME, tmpdir);
	FILE *f = fopen(scenario_path, "w");
	FZ_CHECK(f != NULL && fputs(fixed_scenario, f) >= 0 && fclose(f) == 0,
		 "cannot write %s", scenario_path);
	atexit(remove_tmp);
	return scenario_path;
}

/* The loader's messages: one "fixed.json: PATH: REASON" line each. */
static void check_messages(const char *msgs, size_t len, int n, int max)
{
	int lines = 0;
	const char *p = msgs, *end = msgs + len;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		FZ_CHECK(nl != NULL, "an error message without a newline");
		FZ_CHECK(strncmp(p, NAME ": ", strlen(NAME ": ")) == 0,
			 "an error message is not FILE: PATH: REASON: "
			 "\"%.*s\"", (int)(nl - p), p);
		lines++;
		p = nl + 1;
	}
	FZ_CHECK(lines == (n < max ? n : max),
		 "%d errors (at most %d shown) but %d lines", n, max, lines);
}

static void load_with_sets(char **sets, int nsets)
{
	char *msgs = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&msgs, &len);
	FZ_CHECK(f != NULL, "open_memstream failed");
	struct scn_errors errs = { .out = f, .max = 20 };
	struct scn *s = NULL;
	int n = scn_load_text(NAME, fixed_scenario, strlen(fixed_scenario),
			      (const char *const *)sets, nsets, &errs, &s);
	fclose(f);
	FZ_CHECK(n >= 0 && n == errs.count && (n == 0) == (s != NULL),
		 "scn_load_text returned %d, counted %d, scenario %p", n,
		 errs.count, (void *)s);
	check_messages(msgs, len, n, errs.max);
	free(msgs);
	if (s == NULL)
		return;
	struct scn_world *w = NULL;
	char why[256] = "";
	enum sn_err err = scn_world_build(s, &w, why, sizeof why);
	FZ_CHECK(err == SN_OK || err == SN_EINVAL, "scn_world_build: %s",
		 sn_strerror(err));
	FZ_CHECK(err == SN_OK || why[0] != '\0',
		 "scn_world_build failed without saying why");
	if (err == SN_OK)
		scn_world_destroy(w);
	scn_free(s);
}

/* The number of points a --vary list makes: its values. */
static long vary_values(const char *v)
{
	long n = 1;
	for (; *v; v++)
		n += *v == ',';
	return n;
}

static void sweep(char **opts, int nopts, char **sets, int nsets)
{
	char *argv[4 + 2 * MAX_LINES + 1];
	int argc = 0;
	long points = 1;
	argv[argc++] = a_sweep;
	argv[argc++] = scenario_file();
	/* first, and no other "--out" token, so that nothing from the input
	 * can name the directory the sweep would write to */
	argv[argc++] = a_out;
	argv[argc++] = a_outdir;
	for (int i = 0; i < nopts; i++) {
		char *sp = strchr(opts[i], ' ');
		if (sp != NULL)
			*sp = '\0';
		if (strcmp(opts[i], "--out") == 0 ||
		    (sp != NULL && strcmp(sp + 1, "--out") == 0))
			continue;
		argv[argc++] = opts[i];
		if (sp != NULL)
			argv[argc++] = sp + 1;
		if (strcmp(opts[i], "--vary") == 0 && sp != NULL &&
		    points <= SWEEP_LIMIT)
			points *= vary_values(sp + 1);
	}
	if (points > MAX_POINTS && points <= SWEEP_LIMIT)
		return;
	for (int i = 0; i < nsets; i++) {
		if (strcmp(sets[i], "--out") == 0)
			continue;
		argv[argc++] = a_set;
		argv[argc++] = sets[i];
	}
	argv[argc] = NULL;

	char *out = NULL;
	size_t out_len = 0;
	FILE *mem = open_memstream(&out, &out_len);
	FZ_CHECK(mem != NULL, "open_memstream failed");
	fflush(stdout);
	fflush(stderr);
	FILE *real_out = stdout, *real_err = stderr;
	stdout = mem;
	stderr = mem;
	int rc = cli_sweep(argc, argv);
	stdout = real_out;
	stderr = real_err;
	fclose(mem);
	int usage = out != NULL && strstr(out, "usage: scsinet sweep") != NULL;
	FZ_CHECK(rc == CLI_USAGE || rc == CLI_FAIL || (rc == CLI_OK && usage),
		 "cli_sweep returned %d with its output directory "
		 "impossible", rc);
	FZ_CHECK(out_len > 0, "cli_sweep returned %d without a word", rc);
	free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fz_strndup(data, size);
	char *sets[MAX_LINES], *opts[MAX_LINES];
	int nsets = 0, nopts = 0;
	char *p = text;
	while (*p != '\0' && nsets + nopts < MAX_LINES) {
		char *nl = strchr(p, '\n');
		if (nl != NULL)
			*nl = '\0';
		if (strncmp(p, "--", 2) == 0)
			opts[nopts++] = p;
		else
			sets[nsets++] = p;
		if (nl == NULL)
			break;
		p = nl + 1;
	}
	load_with_sets(sets, nsets);
	sweep(opts, nopts, sets, nsets);
	free(text);
	return 0;
}
