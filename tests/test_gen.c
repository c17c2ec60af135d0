/*
 * test_gen.c - `scsinet gen` and the scenario format's schema:
 *
 *   - grid 3x3, torus 3x3 and hypercube 3 are generated (twice: the same
 *     bytes), load with scn_load, have the buses, gateways and IDs the
 *     help text promises, build, run 3 simulated seconds with the
 *     datagram ledger balanced and the default ping answered across the
 *     network;
 *   - bad arguments exit 2;
 *   - every shipped scenario (scenarios/ *.json) loads and builds, and it
 *     and the generated ones validate against scenarios/schema.json
 *     (python3-jsonschema);
 *   - a table of small files, good and bad at every level of the format,
 *     gets the same verdict from the loader and from the schema, so the
 *     schema keeps matching the loader (what only the loader can check,
 *     such as names that must refer to something, stays out of it).
 *
 * The tests run from the repository root (as `make test` runs them).
 */
#include <check.h>
#include <fcntl.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "cli.h"
#include "scn.h"
#include "scn_world.h"
#include "suites.h"

#define SCHEMA "scenarios/schema.json"
#define NEED_JSONSCHEMA                                                  \
	"install python3-jsonschema (scripts/install-deps.sh test)"

static void need_repo_root(void)
{
	ck_assert_msg(access(SCHEMA, R_OK) == 0,
		      SCHEMA " not found: run the tests from the repository "
			     "root");
}

static void need_jsonschema(void)
{
	ck_assert_msg(system("python3 -c 'import jsonschema' >/dev/null 2>&1")
			      == 0,
		      NEED_JSONSCHEMA);
}

static char *tmp_path(void)
{
	char *path = strdup("/tmp/scsinet_gen_XXXXXX");
	ck_assert_ptr_nonnull(path);
	int fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	close(fd);
	return path;
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	ck_assert_ptr_nonnull(f);
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	ck_assert_ptr_nonnull(m);
	int c;
	while ((c = fgetc(f)) != EOF)
		fputc(c, m);
	fclose(f);
	fclose(m);
	return buf;
}

/* Run `scsinet gen ARGS...` (NULL-terminated) with stderr silenced;
 * returns its exit status. */
static int run_gen(const char *const *args)
{
	char *argv[32];
	int argc = 0;
	argv[argc++] = strdup("gen");
	for (; *args && argc < 31; args++)
		argv[argc++] = strdup(*args);
	argv[argc] = NULL;
	for (int i = 0; i < argc; i++)
		ck_assert_ptr_nonnull(argv[i]);
	fflush(stderr);
	int saved = dup(2);
	int null = open("/dev/null", O_WRONLY);
	ck_assert_int_ge(saved, 0);
	ck_assert_int_ge(null, 0);
	dup2(null, 2);
	close(null);
	int rc = cli_gen(argc, argv);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	for (int i = 0; i < argc; i++)
		free(argv[i]);
	return rc;
}

/* Load `path`; 0 errors expected, else the messages fail the test. */
static struct scn *load_ok(const char *path)
{
	char *msgs = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&msgs, &len);
	ck_assert_ptr_nonnull(m);
	struct scn_errors errs = { .out = m, .max = 20 };
	struct scn *s = NULL;
	int n = scn_load(path, NULL, 0, &errs, &s);
	fclose(m);
	ck_assert_msg(n == 0 && s != NULL, "%s: %d load errors:\n%s", path, n,
		      msgs);
	free(msgs);
	return s;
}

/* --- scsinet gen ---------------------------------------------------- */

static const struct {
	const char *args[8];
	int buses, gateways, plain, max_ids;
	const char *from, *to;     /* the default ping */
} shapes[] = {
	{ { "grid", "--rows", "3", "--cols", "3", NULL }, 9, 12, 9, 5,
	  "h0-0", "h2-2" },
	{ { "torus", "--rows", "3", "--cols", "3", NULL }, 9, 18, 9, 5,
	  "h0-0", "h2-2" },
	{ { "hypercube", "--dim", "3", NULL }, 8, 12, 8, 4, "h000", "h111" },
};

/* Generate shape `i` into a new temporary file; returns its path. */
static char *gen_shape(int i)
{
	const char *args[12];
	int n = 0;
	for (const char *const *a = shapes[i].args; *a; a++)
		args[n++] = *a;
	char *path = tmp_path();
	args[n++] = "--out";
	args[n++] = path;
	args[n] = NULL;
	ck_assert_int_eq(run_gen(args), CLI_OK);
	return path;
}

START_TEST(gen_shapes_load_and_run)
{
	char *path = gen_shape(_i), *again = gen_shape(_i);
	char *text = slurp(path), *text2 = slurp(again);
	ck_assert_str_eq(text, text2); /* deterministic */
	free(text2);
	unlink(again);
	free(again);

	struct scn *s = load_ok(path);
	ck_assert_int_eq(s->nbuses, shapes[_i].buses);
	ck_assert_int_eq(s->nhosts, shapes[_i].gateways + shapes[_i].plain);
	int gateways = 0, ids[256] = { 0 };
	for (int h = 0; h < s->nhosts; h++) {
		const struct scn_host *x = &s->hosts[h];
		ck_assert_int_ge(x->nadapters, 1);
		ck_assert_int_le(x->nadapters, 2);
		if (x->nadapters == 2) {
			gateways++;
			ck_assert_int_ne(x->adapters[0].bus,
					 x->adapters[1].bus);
			ck_assert_int_eq(x->forwarding, 1);
		}
		for (int k = 0; k < x->nadapters; k++) {
			const struct scn_adapter *a = &x->adapters[k];
			/* IDs taken from 0 up: the n-th station has ID n-1 */
			ck_assert_int_lt(a->id, 8);
			ids[a->bus] |= 1 << a->id;
		}
	}
	ck_assert_int_eq(gateways, shapes[_i].gateways);
	for (int b = 0; b < s->nbuses; b++) {
		/* contiguous from 0, so resolution never asks an absent ID */
		ck_assert_int_eq(ids[b] & (ids[b] + 1), 0);
		ck_assert_int_le(ids[b], (1 << shapes[_i].max_ids) - 1);
	}
	ck_assert_int_eq(s->ntraffic, 1);
	ck_assert_str_eq(s->hosts[s->traffic[0].from].name, shapes[_i].from);
	ck_assert_str_eq(s->hosts[s->traffic[0].to].name, shapes[_i].to);

	char why[256] = "";
	struct scn_world *w = NULL;
	ck_assert_msg(scn_world_build(s, &w, why, sizeof why) == SN_OK, "%s",
		      why);
	scn_world_run(w, 3 * SIM_S, NULL, NULL);
	ck_assert_int_eq(scn_world_ok(w), 1);
	char *res = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&res, &len);
	ck_assert_int_eq(scn_world_results_json(w, m), 0);
	fclose(m);
	cJSON *root = cJSON_Parse(res);
	ck_assert_ptr_nonnull(root);
	const cJSON *ping = cJSON_GetArrayItem(
		cJSON_GetObjectItem(root, "traffic"), 0);
	/* requests at 0.5, 1.5 and 2.5 s; the first two answered at least */
	ck_assert_int_ge(cJSON_GetObjectItem(ping, "received")->valueint, 2);
	ck_assert(cJSON_IsTrue(cJSON_GetObjectItem(
		cJSON_GetObjectItem(root, "conservation"), "balanced")));
	cJSON_Delete(root);
	free(res);
	scn_world_destroy(w);
	scn_free(s);
	free(text);
	unlink(path);
	free(path);
}
END_TEST

START_TEST(gen_options)
{
	/* wide buses with wide adapters hold 16 IDs; --ping, --mtu, --name */
	char *path = tmp_path();
	const char *args[] = { "torus", "--rows", "1", "--cols", "4",
			       "--profile", "pci-fw", "--width", "wide",
			       "--hosts", "14", "--mtu", "9000", "--name",
			       "ring", "--ping", "h0-0-0,h0-2-13", "--ping",
			       "gx0-3,h0-1-5", "--duration", "2s", "--out",
			       path, NULL };
	ck_assert_int_eq(run_gen(args), CLI_OK);
	struct scn *s = load_ok(path);
	ck_assert_str_eq(s->name, "ring");
	ck_assert_int_eq(s->nbuses, 4);
	ck_assert_int_eq(s->nhosts, 4 * 14 + 4);
	ck_assert_uint_eq(s->duration, 2 * SIM_S);
	ck_assert_int_eq(s->buses[0].width, BUS_WIDE);
	ck_assert_uint_eq(s->hosts[0].adapters[0].mtu, 9000);
	ck_assert_int_eq(s->ntraffic, 2);
	ck_assert_str_eq(s->hosts[s->traffic[1].from].name, "gx0-3");
	/* the ring closes: gx0-3 joins the last bus to the first */
	int gx = s->traffic[1].from;
	ck_assert_str_eq(s->buses[s->hosts[gx].adapters[1].bus].name, "b0-0");
	ck_assert_int_eq(s->hosts[gx].adapters[1].id, 15);
	scn_free(s);
	/* --no-traffic: none */
	const char *quiet[] = { "hypercube", "--dim", "2", "--no-traffic",
				"--out", path, NULL };
	ck_assert_int_eq(run_gen(quiet), CLI_OK);
	s = load_ok(path);
	ck_assert_int_eq(s->ntraffic, 0);
	scn_free(s);
	/* the largest a scenario holds: 256 buses, 1024 gateways */
	const char *big[] = { "hypercube", "--dim", "8", "--hosts", "0",
			      "--out", path, NULL };
	ck_assert_int_eq(run_gen(big), CLI_OK);
	s = load_ok(path);
	ck_assert_int_eq(s->nbuses, 256);
	ck_assert_int_eq(s->nhosts, 1024);
	scn_free(s);
	unlink(path);
	free(path);
}
END_TEST

static const char *const bad_args[][10] = {
	{ NULL },
	{ "cube", NULL },
	{ "grid", NULL },
	{ "grid", "--rows", "3", NULL },
	{ "grid", "--rows", "0", "--cols", "3", NULL },
	{ "grid", "--rows", "3", "--cols", "x", NULL },
	{ "grid", "--rows", "17", "--cols", "16", NULL },     /* 272 buses */
	{ "grid", "--rows", "3", "--cols", "3", "--hosts", "5", NULL },
	{ "grid", "--rows", "3", "--cols", "3", "--hosts", "5", "--width",
	  "wide", NULL },                                   /* aha1522: 8 */
	{ "grid", "--rows", "1", "--cols", "1", NULL },      /* one host */
	{ "grid", "--rows", "3", "--cols", "3", "--dim", "2", NULL },
	{ "torus", "--rows", "2", "--cols", "3", NULL },
	{ "hypercube", NULL },
	{ "hypercube", "--dim", "9", NULL },
	{ "hypercube", "--dim", "8", NULL },                 /* 9 IDs */
	{ "hypercube", "--dim", "3", "--rows", "2", NULL },
	{ "grid", "--rows", "2", "--cols", "2", "--profile", "aha1542", NULL },
	{ "grid", "--rows", "2", "--cols", "2", "--speed", "ultra", NULL },
	{ "grid", "--rows", "2", "--cols", "2", "--width", "32", NULL },
	{ "grid", "--rows", "2", "--cols", "2", "--mtu", "575", NULL },
	{ "grid", "--rows", "2", "--cols", "2", "--duration", "5", NULL },
	{ "grid", "--rows", "2", "--cols", "2", "--seed", "-1", NULL },
	{ "grid", "--rows", "2", "--cols", "2", "--ping", "h0-0", NULL },
	{ "grid", "--rows", "2", "--cols", "2", "--ping", "h0-0,h9-9", NULL },
	{ "grid", "--rows", "2", "--cols", "2", "--ping", "h0-0,h0-0", NULL },
	{ "grid", "--rows", "2", "--cols", "2", "--ping", "h0-0,h1-1",
	  "--no-traffic", NULL },
	{ "grid", "--rows", "2", "--cols", "2", "--bogus", NULL },
	{ "grid", "--rows", "2", "--cols", "2", "--out", NULL },
	{ "grid", "--rows", "2", "--cols", "2", "--out",
	  "/nonexistent-dir/x.json", NULL },
};

START_TEST(gen_bad_arguments)
{
	ck_assert_int_eq(run_gen(bad_args[_i]), CLI_USAGE);
}
END_TEST

/* --- the shipped scenarios and the schema ------------------------- */

/* scenarios/ *.json but the schema; returns the count. */
static int shipped(glob_t *g)
{
	need_repo_root();
	ck_assert_int_eq(glob("scenarios/*.json", 0, NULL, g), 0);
	size_t k = 0;
	for (size_t i = 0; i < g->gl_pathc; i++)
		if (strcmp(g->gl_pathv[i], SCHEMA) != 0) {
			/* swapped, not overwritten: globfree frees them all */
			char *t = g->gl_pathv[k];
			g->gl_pathv[k++] = g->gl_pathv[i];
			g->gl_pathv[i] = t;
		}
	return (int)k;
}

START_TEST(shipped_scenarios_load)
{
	glob_t g;
	int n = shipped(&g);
	static const char *const expected[] = {
		"scenarios/two-hosts-ping.json", "scenarios/seed-2d.json",
		"scenarios/eight-hosts-scsi1.json",
		"scenarios/mtu-compare.json", "scenarios/narrow-vs-wide.json",
		"scenarios/rfc2143-64-hosts.json", "scenarios/seed-3d.json",
		"scenarios/pvm-cluster-31.json",
	};
	for (size_t e = 0; e < sizeof expected / sizeof expected[0]; e++) {
		int found = 0;
		for (int i = 0; i < n; i++)
			found |= strcmp(g.gl_pathv[i], expected[e]) == 0;
		ck_assert_msg(found, "%s is missing", expected[e]);
	}
	for (int i = 0; i < n; i++) {
		struct scn *s = load_ok(g.gl_pathv[i]);
		ck_assert_msg(s->description[0] != '\0',
			      "%s: no description", g.gl_pathv[i]);
		char why[256] = "";
		struct scn_world *w = NULL;
		ck_assert_msg(scn_world_build(s, &w, why, sizeof why) == SN_OK,
			      "%s: %s", g.gl_pathv[i], why);
		scn_world_destroy(w);
		scn_free(s);
	}
	globfree(&g);
}
END_TEST

/* Validate `files` against the schema in one python3 run: valid[i] is 1
 * or 0, why[i] python's line about files[i] (malloc'ed; free_lines). */
static void validate(const char *const *files, int n, int *valid, char **why)
{
	need_repo_root();
	need_jsonschema();
	static const char script[] =
		"import json, sys\n"
		"from jsonschema import Draft202012Validator as V\n"
		"schema = json.load(open(sys.argv[1], encoding='utf-8'))\n"
		"V.check_schema(schema)\n"
		"v = V(schema)\n"
		"for f in sys.argv[2:]:\n"
		"    try:\n"
		"        doc = json.load(open(f, encoding='utf-8'))\n"
		"    except ValueError as e:\n"
		"        print('bad', f, 'not JSON:', e); continue\n"
		"    es = sorted(v.iter_errors(doc),\n"
		"                key=lambda e: list(e.path))\n"
		"    print('ok' if not es else 'bad', f, '; '.join(\n"
		"        '/'.join(map(str, e.absolute_path)) + ': ' +\n"
		"        e.message[:160] for e in es[:3]))\n";
	char *script_path = tmp_path();
	FILE *f = fopen(script_path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(script, f);
	fclose(f);
	size_t cap = strlen(script_path) + 64;
	for (int i = 0; i < n; i++)
		cap += strlen(files[i]) + 3;
	char *cmd = malloc(cap);
	ck_assert_ptr_nonnull(cmd);
	int len = sprintf(cmd, "python3 %s %s", script_path, SCHEMA);
	for (int i = 0; i < n; i++)
		len += sprintf(cmd + len, " '%s'", files[i]);
	sprintf(cmd + len, " 2>&1");
	FILE *p = popen(cmd, "r");
	ck_assert_ptr_nonnull(p);
	char line[2048], other[1024] = "";
	int k = 0;
	while (fgets(line, sizeof line, p) != NULL) {
		line[strcspn(line, "\n")] = '\0';
		if (k < n && (strncmp(line, "ok ", 3) == 0 ||
			      strncmp(line, "bad ", 4) == 0)) {
			valid[k] = line[0] == 'o';
			why[k++] = strdup(line);
		} else if (strlen(other) + strlen(line) + 2 < sizeof other) {
			strcat(other, line);
			strcat(other, "\n");
		}
	}
	int st = pclose(p);
	ck_assert_msg(st == 0 && k == n, "python3 jsonschema failed (%d of "
					 "%d verdicts):\n%s", k, n, other);
	unlink(script_path);
	free(script_path);
	free(cmd);
}

static void free_lines(char **why, int n)
{
	for (int i = 0; i < n; i++)
		free(why[i]);
}

START_TEST(shipped_scenarios_match_schema)
{
	glob_t g;
	int n = shipped(&g);
	const char *files[64];
	char *gen[3];
	ck_assert_int_le(n + 3, 64);
	for (int i = 0; i < n; i++)
		files[i] = g.gl_pathv[i];
	for (int i = 0; i < 3; i++)
		files[n + i] = gen[i] = gen_shape(i);
	int valid[64];
	char *why[64];
	validate(files, n + 3, valid, why);
	for (int i = 0; i < n + 3; i++)
		ck_assert_msg(valid[i], "%s does not match " SCHEMA ": %s",
			      files[i], why[i]);
	free_lines(why, n + 3);
	for (int i = 0; i < 3; i++) {
		unlink(gen[i]);
		free(gen[i]);
	}
	globfree(&g);
}
END_TEST

/* One scenario, with pieces put in at each level.  NULL: the default. */
struct variant {
	const char *top;           /* more top-level members, ", ..." */
	const char *bus;           /* more members of buses[0] */
	const char *id, *ip;       /* hosts[0].adapters[0]'s */
	const char *adapter;       /* more members of that adapter */
	const char *host;          /* more members of hosts[0] */
	const char *traffic;       /* traffic[0] */
	int ok;                    /* the loader's verdict (and the schema's) */
};

#define PING "{ \"type\": \"ping\", \"from\": \"a\", \"to\": \"b\""
#define UDP "{ \"type\": \"udp\", \"from\": \"a\", \"to\": \"b\""
#define TRACE "{ \"type\": \"traceroute\", \"from\": \"a\", \"to\": \"b\""
#define WORK "{ \"type\": \"workdist\", \"master\": \"a\", \"workers\": [\"b\"]"
#define START(d) PING ", \"start\": \"" d "\" }"
#define LEN(l) ", \"length\": " l
#define FAULT(f) ", \"faults\": [ { " f " } ]"

static const struct variant variants[] = {
	{ .ok = 1 },
	/* top level */
	{ .top = ", \"seed\": 9007199254740992, \"check\": true, "
		 "\"routing\": \"static\", \"comment\": [1, 2], "
		 "\"$schema\": \"./schema.json\", \"description\": \"d\"",
	  .ok = 1 },
	{ .top = ", \"colour\": \"red\"" },
	{ .top = ", \"seed\": -1" },
	{ .top = ", \"seed\": 1.5" },
	{ .top = ", \"seed\": \"1\"" },
	{ .top = ", \"routing\": \"dynamic\"" },
	{ .top = ", \"check\": 1" },
	{ .top = ", \"description\": \"\"" },
	{ .top = ", \"faults\": {}" },
	{ .top = ", \"faults\": []", .ok = 1 },
	/* buses[] */
	{ .bus = ", \"width\": 16, \"speed\": \"fast20\", \"electrical\": "
		 "\"hvd\", \"termination\": \"both\", \"comment\": null",
	  .ok = 1 },
	{ .bus = ", \"width\": \"16\"", .ok = 1 },
	{ .bus = ", \"width\": \"narrow\", \"speed\": \"scsi1\"", .ok = 1 },
	{ .bus = ", \"width\": 32" },
	{ .bus = ", \"width\": \"Wide\"" },
	{ .bus = ", \"speed\": \"ultra\"" },
	{ .bus = ", \"electrical\": \"lvd\"" },
	{ .bus = ", \"termination\": \"none\"" },
	{ .bus = ", \"wdith\": 16" },
	{ .bus = LEN("3"), .ok = 1 },
	{ .bus = LEN("0.5"), .ok = 1 },
	{ .bus = LEN("\"3m\""), .ok = 1 },
	{ .bus = LEN("\"150cm\""), .ok = 1 },
	{ .bus = LEN("\"1500mm\""), .ok = 1 },
	{ .bus = LEN("\"+.5m\""), .ok = 1 },
	{ .bus = LEN("\"1e1m\""), .ok = 1 },
	{ .bus = LEN("0.001") },
	{ .bus = LEN("101") },
	{ .bus = LEN("\"3 m\"") },
	{ .bus = LEN("\"3km\"") },
	{ .bus = LEN("\"3\"") },
	{ .bus = LEN("\"m\"") },
	{ .bus = LEN("true") },
	/* hosts[].adapters[] */
	{ .id = "15", .bus = ", \"width\": \"wide\"",
	  .adapter = ", \"profile\": \"pci-fw\"", .ok = 1 },
	{ .id = "16" },
	{ .id = "-1" },
	{ .id = "\"1\"" },
	{ .id = "1.0", .ok = 1 },
	{ .ip = "\"10.0.0.9/30\"", .ok = 1 },
	{ .ip = "\"010.000.0.9/024\"", .ok = 1 },
	{ .ip = "\"10.0.0.9\"" },
	{ .ip = "\"10.0.0.9/31\"" },
	{ .ip = "\"10.0.0.9/0\"" },
	{ .ip = "\"0.0.0.0/8\"" },
	{ .ip = "\"10.0.0.256/24\"" },
	{ .ip = "\"10.0.0/24\"" },
	{ .ip = "\"10.0.0.9/ 24\"" },
	{ .ip = "\"1000.0.0.9/24\"" },
	{ .ip = "\" 10.0.0.9/24\"" },
	{ .adapter = ", \"mtu\": 576, \"rx_slots\": 1024, \"position\": 0, "
		     "\"profile\": \"aic6360\", \"comment\": 7",
	  .ok = 1 },
	{ .adapter = ", \"arp_cache_time\": \"1ms\", \"arp_neg_time\": "
		     "\"1000000s\"",
	  .ok = 1 },
	{ .adapter = ", \"mtu\": 575" },
	{ .adapter = ", \"mtu\": 65536" },
	{ .adapter = ", \"rx_slots\": 0" },
	{ .adapter = ", \"position\": 100001" },
	{ .adapter = ", \"profile\": \"aha1542\"" },
	{ .adapter = ", \"arp_cache_time\": 5" },
	{ .adapter = ", \"scsi_id\": 1" },
	/* hosts[] and routes */
	{ .host = ", \"forwarding\": false, \"input_cost\": \"1ns\"",
	  .ok = 1 },
	{ .host = ", \"routes\": [ { \"to\": \"default\", \"via\": "
		  "\"10.0.0.2\" }, { \"to\": \"10.1.0.0/16\", \"via\": "
		  "\"10.0.0.2\", \"comment\": \"x\" } ]",
	  .ok = 1 },
	{ .host = ", \"routes\": [ { \"to\": \"10.1.0.0/33\", \"via\": "
		  "\"10.0.0.2\" } ]" },
	{ .host = ", \"routes\": [ { \"to\": \"10.1.0.0\", \"via\": "
		  "\"10.0.0.2\" } ]" },
	{ .host = ", \"routes\": [ { \"to\": \"default\", \"via\": "
		  "\"10.0.0.2/24\" } ]" },
	{ .host = ", \"routes\": [ { \"to\": \"default\" } ]" },
	{ .host = ", \"routes\": [ { \"to\": \"default\", \"via\": "
		  "\"10.0.0.2\", \"metric\": 1 } ]" },
	{ .host = ", \"forwarding\": \"yes\"" },
	{ .host = ", \"input_cost\": \"20\"" },
	{ .host = ", \"nic\": 1" },
	/* durations, where the range is widest (start: 0..1000000s) */
	{ .traffic = START("1ps"), .ok = 1 },
	{ .traffic = START("2.4us"), .ok = 1 },
	{ .traffic = START("2.4\xc2\xb5s"), .ok = 1 },
	{ .traffic = START("45ns"), .ok = 1 },
	{ .traffic = START("250ms"), .ok = 1 },
	{ .traffic = START("10s"), .ok = 1 },
	{ .traffic = START(" \\t10s "), .ok = 1 },
	{ .traffic = START(".5ms"), .ok = 1 },
	{ .traffic = START("5.ms"), .ok = 1 },
	{ .traffic = START("1.000ps"), .ok = 1 },
	{ .traffic = START("0.000000000001s"), .ok = 1 },
	{ .traffic = START("1.234567890123000ms"), .ok = 0 },
	{ .traffic = START("1.234567890ms"), .ok = 1 },
	{ .traffic = START("0s"), .ok = 1 },
	{ .traffic = START("1.5ps") },
	{ .traffic = START("1.0000000000001s") },
	{ .traffic = START("1.2345ns") },
	{ .traffic = START("10 s") },
	{ .traffic = START("10") },
	{ .traffic = START("s") },
	{ .traffic = START(".s") },
	{ .traffic = START("") },
	{ .traffic = START("-1s") },
	{ .traffic = START("1e3s") },
	{ .traffic = START("10S") },
	{ .traffic = START("1min") },
	{ .traffic = START("2.4\xce\xbcs") }, /* Greek mu, not micro sign */
	{ .traffic = PING ", \"start\": 5 }" },
	/* traffic[], per type */
	{ .traffic = PING ", \"label\": \"p\", \"count\": 65535, "
			  "\"interval\": \"1us\", \"size\": 0, \"timeout\": "
			  "\"3600s\", \"stop\": \"2s\", \"comment\": {} }",
	  .ok = 1 },
	{ .traffic = "{ \"type\": \"ping\", \"from\": \"a\", \"to\": "
		     "\"10.0.0.2\" }",
	  .ok = 1 },
	{ .traffic = PING ", \"count\": 0 }" },
	{ .traffic = PING ", \"count\": 65536 }" },
	{ .traffic = PING ", \"size\": 65508 }" },
	{ .traffic = PING ", \"window\": 2 }" },
	{ .traffic = PING ", \"label\": \"\" }" },
	{ .traffic = "{ \"type\": \"ping\", \"from\": \"a\" }" },
	{ .traffic = "{ \"from\": \"a\", \"to\": \"b\" }" },
	{ .traffic = "{ \"type\": \"tcp\", \"from\": \"a\", \"to\": \"b\" }" },
	{ .traffic = "{ \"type\": 1, \"from\": \"a\", \"to\": \"b\" }" },
	{ .traffic = UDP ", \"count\": 100000000, \"rate\": 0, \"size\": 16, "
			 "\"window\": 1024, \"port\": 65535 }",
	  .ok = 1 },
	{ .traffic = UDP ", \"rate\": 1000001 }" },
	{ .traffic = UDP ", \"size\": 15 }" },
	{ .traffic = UDP ", \"size\": 65508 }" },
	{ .traffic = UDP ", \"window\": 0 }" },
	{ .traffic = UDP ", \"port\": 0 }" },
	{ .traffic = UDP ", \"interval\": \"1s\" }" },
	{ .traffic = TRACE ", \"max_hops\": 255, \"probes\": 10 }", .ok = 1 },
	{ .traffic = TRACE ", \"max_hops\": 0 }" },
	{ .traffic = TRACE ", \"probes\": 11 }" },
	{ .traffic = TRACE ", \"count\": 3 }" },
	{ .traffic = WORK ", \"units\": 1, \"size\": 65507, \"result_size\": "
			  "8, \"compute\": \"0s\", \"port\": 7, \"timeout\": "
			  "\"1us\" }",
	  .ok = 1 },
	{ .traffic = WORK ", \"size\": 0 }" },
	{ .traffic = WORK ", \"units\": 0 }" },
	{ .traffic = WORK ", \"from\": \"a\" }" },
	{ .traffic = "{ \"type\": \"workdist\", \"master\": \"a\", "
		     "\"workers\": [] }" },
	{ .traffic = "{ \"type\": \"workdist\", \"master\": \"a\", "
		     "\"workers\": [ 1 ] }" },
	{ .traffic = "{ \"type\": \"workdist\", \"master\": \"a\" }" },
	/* faults */
	{ .top = FAULT("\"type\": \"bus_reset\", \"at\": \"2s\", \"bus\": "
		       "\"b0\", \"label\": \"r\", \"comment\": 1"),
	  .ok = 1 },
	{ .top = FAULT("\"type\": \"host_down\", \"at\": \"2s\", \"until\": "
		       "\"3s\", \"host\": \"b\""),
	  .ok = 1 },
	{ .top = FAULT("\"type\": \"cable_pull\", \"at\": \"2s\", \"bus\": "
		       "\"b0\", \"host\": \"b\""),
	  .ok = 1 },
	{ .top = FAULT("\"type\": \"cable_pull\", \"at\": \"2s\", \"bus\": "
		       "\"b0\"") },
	{ .top = FAULT("\"type\": \"host_down\", \"at\": \"2s\"") },
	{ .top = FAULT("\"type\": \"bus_reset\", \"at\": \"2s\"") },
	{ .top = FAULT("\"type\": \"bus_reset\", \"bus\": \"b0\"") },
	{ .top = FAULT("\"type\": \"meteor\", \"at\": \"2s\"") },
	{ .top = FAULT("\"type\": \"bus_reset\", \"at\": \"2s\", \"bus\": "
		       "\"b0\", \"severity\": 3") },
};

static char *variant_text(const struct variant *v)
{
	char *text = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&text, &len);
	ck_assert_ptr_nonnull(m);
	fprintf(m,
		"{ \"name\": \"t\", \"duration\": \"3s\"%s,\n"
		"  \"buses\": [ { \"name\": \"b0\"%s } ],\n"
		"  \"hosts\": [\n"
		"    { \"name\": \"a\", \"adapters\": [ { \"bus\": \"b0\", "
		"\"id\": %s, \"ip\": %s%s } ]%s },\n"
		"    { \"name\": \"b\", \"adapters\": [ { \"bus\": \"b0\", "
		"\"id\": 0, \"ip\": \"10.0.0.2/24\" } ] } ],\n"
		"  \"traffic\": [ %s ] }\n",
		v->top ? v->top : "", v->bus ? v->bus : "",
		v->id ? v->id : "1", v->ip ? v->ip : "\"10.0.0.1/24\"",
		v->adapter ? v->adapter : "", v->host ? v->host : "",
		v->traffic ? v->traffic : PING " }");
	fclose(m);
	return text;
}

START_TEST(schema_matches_loader)
{
	enum { N = sizeof variants / sizeof variants[0] };
	char *paths[N], *texts[N];
	int loader[N];
	for (int i = 0; i < N; i++) {
		texts[i] = variant_text(&variants[i]);
		paths[i] = tmp_path();
		FILE *f = fopen(paths[i], "w");
		ck_assert_ptr_nonnull(f);
		fputs(texts[i], f);
		fclose(f);
		struct scn_errors errs = { .out = NULL, .max = 0 };
		struct scn *s = NULL;
		loader[i] = scn_load(paths[i], NULL, 0, &errs, &s) == 0;
		scn_free(s);
		ck_assert_msg(loader[i] == variants[i].ok,
			      "the loader %s variant %d:\n%s",
			      loader[i] ? "accepts" : "refuses", i, texts[i]);
	}
	int schema[N];
	char *why[N];
	validate((const char *const *)paths, N, schema, why);
	for (int i = 0; i < N; i++)
		ck_assert_msg(schema[i] == loader[i],
			      "variant %d: the loader %s it, the schema %s "
			      "it:\n%s%s",
			      i, loader[i] ? "accepts" : "refuses",
			      schema[i] ? "accepts" : "refuses", texts[i],
			      why[i]);
	free_lines(why, N);
	for (int i = 0; i < N; i++) {
		unlink(paths[i]);
		free(paths[i]);
		free(texts[i]);
	}
}
END_TEST

Suite *gen_suite(void);

Suite *gen_suite(void)
{
	Suite *s = suite_create("gen");
	TCase *tc = tcase_create("gen");
	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, gen_shapes_load_and_run, 0,
			    (int)(sizeof shapes / sizeof shapes[0]));
	tcase_add_test(tc, gen_options);
	tcase_add_loop_test(tc, gen_bad_arguments, 0,
			    (int)(sizeof bad_args / sizeof bad_args[0]));
	tcase_add_test(tc, shipped_scenarios_load);
	tcase_add_test(tc, shipped_scenarios_match_schema);
	tcase_add_test(tc, schema_matches_loader);
	suite_add_tcase(s, tc);
	return s;
}
