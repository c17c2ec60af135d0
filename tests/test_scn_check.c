/*
 * test_scn_check.c - `scsinet check` (scn_check.h): every scenario in
 * tests/scenarios_bad/ has one planted mistake, and the check must name
 * it by its JSON path (but via-off-subnet's, which the loader refuses:
 * test_scn.c); small good scenarios (automatic and static routes)
 * and the shipped ones are clean; the report is the same bytes every
 * time; and what the loader would refuse (a struct built or changed by
 * hand: clashing IDs, a duplicate route, an automatic route that cannot
 * be installed) is still found.  Files are found from the repository
 * root, where the suites run.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "scn.h"
#include "scn_check.h"
#include "suites.h"

static struct scn *load_file(const char *path)
{
	struct scn_errors errs = { .out = stderr, .max = 20 };
	struct scn *s = NULL;
	ck_assert_msg(scn_load(path, NULL, 0, &errs, &s) == 0,
		      "%s does not load", path);
	return s;
}

static struct scn *load_text(const char *text)
{
	char path[64];
	snprintf(path, sizeof path, "/tmp/scsinet_check_XXXXXX");
	int fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	size_t n = strlen(text);
	ck_assert_int_eq(write(fd, text, n), (ssize_t)n);
	close(fd);
	struct scn *s = load_file(path);
	unlink(path);
	return s;
}

/* Check s; the report in *text (malloc'ed), the summary in *sum. */
static int run_check(const struct scn *s, unsigned flags, char **text,
		     struct scn_check_summary *sum)
{
	size_t len = 0;
	FILE *m = open_memstream(text, &len);
	ck_assert_ptr_nonnull(m);
	ck_assert_int_eq(scn_check_ex(s, m, flags, sum), SN_OK);
	fclose(m);
	return sum->problems;
}

/* A line of `text` that starts with `start` and holds `a` and `b` (NULL:
 * anything). */
static int has_line(const char *text, const char *start, const char *a,
		    const char *b)
{
	for (const char *p = text; *p;) {
		const char *e = strchr(p, '\n');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		char *line = strndup(p, len);
		int ok = strncmp(line, start, strlen(start)) == 0 &&
			 (a == NULL || strstr(line, a) != NULL) &&
			 (b == NULL || strstr(line, b) != NULL);
		free(line);
		if (ok)
			return 1;
		p += len + (e != NULL);
	}
	return 0;
}

/* --- the planted mistakes ------------------------------------------------- */

struct bad_case {
	const char *file;     /* in tests/scenarios_bad/ */
	const char *start;    /* the line names the element: "PATH: " */
	const char *a, *b;    /* and says what is wrong */
	int errors, warnings; /* exactly, when the mistake has no
			       * consequences elsewhere; -1: at least one
			       * problem of any kind */
};

static const struct bad_case bad_cases[] = {
	{ "too-many-devices", "buses[0]: ", "9 devices",
	  "at most 8 are allowed", 1, 0 },
	{ "cable-too-long-fast-se", "buses[0].length: ",
	  "4m is longer than the 3m", "single-ended Fast", 1, 0 },
	{ "unreachable-host", "hosts[2]: ", "cannot reach 2 of the 3",
	  "10.0.0.1 of \"a\" (no route at \"c\")", 1, 0 },
	{ "routing-loop-static", "hosts[1].routes[1]: ", "routing loop",
	  "\"g2\" (hosts[2].routes[1], via 10.0.1.2)", -1, -1 },
	{ "duplicate-subnet", "hosts[2].adapters[1].ip: ",
	  "subnet 10.0.0.0/24 of bus \"b2\" is also on bus \"b0\"",
	  "ambiguous routing", -1, -1 },
	{ "wide-narrow-mismatch", "hosts[1].adapters[0].profile: warning: ",
	  "wide/narrow mismatch", "sees only IDs 0-7", 0, 1 },
	{ "gateway-not-forwarding", "hosts[1].forwarding: ",
	  "does not forward", "hosts[0].routes[0] (host \"a\")", -1, -1 },
	{ "network-address", "hosts[0].adapters[0].ip: ",
	  "10.0.0.0 is the network address of 10.0.0.0/24", NULL, 1, 0 },
	{ "broadcast-address", "hosts[1].adapters[0].ip: ",
	  "10.0.0.255 is the broadcast address", NULL, 1, 0 },
	{ "lonely-bus", "buses[1]: warning: ", "only host \"gw\"",
	  "nobody to talk to", 0, 1 },
	{ "isolated-host", "hosts[2]: ", "shares no bus with another host",
	  NULL, -1, -1 },
	{ "fast-adapter-slow-bus", "hosts[0].adapters[0].profile: warning: ",
	  "transfer at 5 MHz: 10 MB/s at most instead of 20", "3m at most",
	  0, 2 },
	{ "mixed-subnets-one-bus", "hosts[2].adapters[0].ip: ",
	  "whose other stations are in 10.0.0.0/24", NULL, -1, -1 },
};

#define NBAD ((int)(sizeof bad_cases / sizeof bad_cases[0]))

START_TEST(planted_mistake_found)
{
	const struct bad_case *bc = &bad_cases[_i];
	char path[128];
	snprintf(path, sizeof path, "tests/scenarios_bad/%s.json", bc->file);
	struct scn *s = load_file(path);
	char *text = NULL;
	struct scn_check_summary sum;
	int n = run_check(s, 0, &text, &sum);
	ck_assert_msg(n > 0, "%s: no problem found", bc->file);
	ck_assert_msg(has_line(text, bc->start, bc->a, bc->b),
		      "%s: no line \"%s...%s...%s\" in:\n%s", bc->file,
		      bc->start, bc->a, bc->b ? bc->b : "", text);
	if (bc->errors >= 0) {
		ck_assert_msg(sum.errors == bc->errors &&
				      sum.warnings == bc->warnings,
			      "%s: %d errors, %d warnings:\n%s", bc->file,
			      sum.errors, sum.warnings, text);
	}
	ck_assert_int_eq(sum.problems, sum.errors + sum.warnings);
	/* the same count from the plain API, with or without a report */
	ck_assert_int_eq(scn_check(s, NULL), n);
	free(text);
	scn_free(s);
}
END_TEST

/* --- good scenarios ----------------------------------------------------- */

/* A small seed-2d: a backbone and two rows, gateways ra and rb. */
#define SMALL_BUSES                                                       \
	"  \"buses\": [ { \"name\": \"backbone\", \"length\": \"3m\" },\n"  \
	"    { \"name\": \"row1\", \"length\": \"3m\" },\n"                  \
	"    { \"name\": \"row2\", \"length\": \"3m\" } ],\n"

static const char *const good_auto =
	"{ \"name\": \"small-2d\", \"routing\": \"auto\",\n" SMALL_BUSES
	"  \"hosts\": [\n"
	"    { \"name\": \"ra\", \"adapters\": [\n"
	"      { \"bus\": \"row1\", \"id\": 7, \"ip\": \"10.0.1.7/24\" },\n"
	"      { \"bus\": \"backbone\", \"id\": 7, \"ip\": \"10.0.0.7/24\" } ] },\n"
	"    { \"name\": \"a1\", \"adapters\": [ { \"bus\": \"row1\", \"id\": 6,"
	" \"ip\": \"10.0.1.6/24\" } ] },\n"
	"    { \"name\": \"a2\", \"adapters\": [ { \"bus\": \"row1\", \"id\": 5,"
	" \"ip\": \"10.0.1.5/24\" } ] },\n"
	"    { \"name\": \"rb\", \"adapters\": [\n"
	"      { \"bus\": \"row2\", \"id\": 7, \"ip\": \"10.0.2.7/24\" },\n"
	"      { \"bus\": \"backbone\", \"id\": 6, \"ip\": \"10.0.0.6/24\" } ] },\n"
	"    { \"name\": \"b1\", \"adapters\": [ { \"bus\": \"row2\", \"id\": 6,"
	" \"ip\": \"10.0.2.6/24\" } ] },\n"
	"    { \"name\": \"b2\", \"adapters\": [ { \"bus\": \"row2\", \"id\": 5,"
	" \"ip\": \"10.0.2.5/24\" } ] } ] }\n";

/* The same with the routes written out. */
static const char *const good_static =
	"{ \"name\": \"small-2d-static\", \"routing\": \"static\",\n" SMALL_BUSES
	"  \"hosts\": [\n"
	"    { \"name\": \"ra\", \"adapters\": [\n"
	"      { \"bus\": \"row1\", \"id\": 7, \"ip\": \"10.0.1.7/24\" },\n"
	"      { \"bus\": \"backbone\", \"id\": 7, \"ip\": \"10.0.0.7/24\" } ],\n"
	"      \"routes\": [ { \"to\": \"10.0.2.0/24\", \"via\": \"10.0.0.6\" } ] },\n"
	"    { \"name\": \"a1\", \"adapters\": [ { \"bus\": \"row1\", \"id\": 6,"
	" \"ip\": \"10.0.1.6/24\" } ],\n"
	"      \"routes\": [ { \"to\": \"default\", \"via\": \"10.0.1.7\" } ] },\n"
	"    { \"name\": \"a2\", \"adapters\": [ { \"bus\": \"row1\", \"id\": 5,"
	" \"ip\": \"10.0.1.5/24\" } ],\n"
	"      \"routes\": [ { \"to\": \"10.0.0.0/16\", \"via\": \"10.0.1.7\" } ] },\n"
	"    { \"name\": \"rb\", \"adapters\": [\n"
	"      { \"bus\": \"row2\", \"id\": 7, \"ip\": \"10.0.2.7/24\" },\n"
	"      { \"bus\": \"backbone\", \"id\": 6, \"ip\": \"10.0.0.6/24\" } ],\n"
	"      \"routes\": [ { \"to\": \"10.0.1.0/24\", \"via\": \"10.0.0.7\" } ] },\n"
	"    { \"name\": \"b1\", \"adapters\": [ { \"bus\": \"row2\", \"id\": 6,"
	" \"ip\": \"10.0.2.6/24\" } ],\n"
	"      \"routes\": [ { \"to\": \"default\", \"via\": \"10.0.2.7\" } ] },\n"
	"    { \"name\": \"b2\", \"adapters\": [ { \"bus\": \"row2\", \"id\": 5,"
	" \"ip\": \"10.0.2.5/24\" } ],\n"
	"      \"routes\": [ { \"to\": \"default\", \"via\": \"10.0.2.7\" } ] } ] }\n";

START_TEST(good_small_scenarios_are_clean)
{
	const char *const texts[] = { good_auto, good_static };
	const char *const lines[] = {
		"check small-2d: 3 buses, 6 hosts, 2 gateways: no problems\n",
		"check small-2d-static: 3 buses, 6 hosts, 2 gateways: no "
		"problems\n",
	};
	for (int i = 0; i < 2; i++) {
		struct scn *s = load_text(texts[i]);
		char *text = NULL;
		struct scn_check_summary sum;
		ck_assert_int_eq(run_check(s, 0, &text, &sum), 0);
		ck_assert_str_eq(text, lines[i]);
		ck_assert_int_eq(sum.buses, 3);
		ck_assert_int_eq(sum.hosts, 6);
		ck_assert_int_eq(sum.gateways, 2);
		free(text);
		scn_free(s);
	}
}
END_TEST

START_TEST(shipped_scenarios_are_clean)
{
	const char *const files[] = { "scenarios/seed-2d.json",
				      "scenarios/two-hosts-ping.json" };
	for (int i = 0; i < 2; i++) {
		struct scn *s = load_file(files[i]);
		char *text = NULL;
		struct scn_check_summary sum;
		int n = run_check(s, 0, &text, &sum);
		ck_assert_msg(n == 0, "%s:\n%s", files[i], text);
		free(text);
		scn_free(s);
	}
}
END_TEST

/* --- the report itself ---------------------------------------------------- */

START_TEST(report_is_deterministic_and_quiet_is_the_summary)
{
	struct scn *s = load_file("tests/scenarios_bad/routing-loop-static.json");
	char *a = NULL, *b = NULL, *q = NULL;
	struct scn_check_summary sa, sb, sq;
	run_check(s, 0, &a, &sa);
	run_check(s, 0, &b, &sb);
	run_check(s, SCN_CHECK_QUIET, &q, &sq);
	ck_assert_str_eq(a, b);
	ck_assert_int_eq(sa.problems, sq.problems);
	/* quiet: exactly the last line of the full report */
	const char *last = a + strlen(a) - 1;
	while (last > a && last[-1] != '\n')
		last--;
	ck_assert_str_eq(q, last);
	ck_assert_str_eq(q, "check routing-loop-static: 4 buses, 5 hosts, 3 "
			    "gateways: 4 problems (4 errors, 0 warnings)\n");
	/* one line per problem, then the summary */
	int lines = 0;
	for (const char *p = a; *p; p++)
		lines += *p == '\n';
	ck_assert_int_eq(lines, sa.problems + 1);
	free(a);
	free(b);
	free(q);
	scn_free(s);
}
END_TEST

/* --- routing cases written inline --------------------------------------- */

/* a chain of buses longer than the TTL lets a datagram cross */
START_TEST(too_many_gateways_for_the_ttl)
{
	enum { NB = 66 };
	size_t cap = 64 * 1024, used = 0;
	char *t = malloc(cap);
	ck_assert_ptr_nonnull(t);
	used += (size_t)snprintf(t + used, cap - used,
				 "{ \"name\": \"chain\", \"buses\": [");
	for (int b = 0; b < NB; b++)
		used += (size_t)snprintf(t + used, cap - used,
					 "%s{ \"name\": \"b%d\" }",
					 b ? ", " : "", b);
	used += (size_t)snprintf(t + used, cap - used,
				 "],\n \"hosts\": [ { \"name\": \"a\", "
				 "\"adapters\": [ { \"bus\": \"b0\", \"id\": 0,"
				 " \"ip\": \"10.0.0.1/24\" } ] }");
	for (int g = 0; g + 1 < NB; g++)
		used += (size_t)snprintf(
			t + used, cap - used,
			",\n { \"name\": \"g%d\", \"adapters\": [ "
			"{ \"bus\": \"b%d\", \"id\": 7, \"ip\": \"10.0.%d.7/24\" },"
			" { \"bus\": \"b%d\", \"id\": 6, \"ip\": \"10.0.%d.6/24\" }"
			" ] }",
			g, g, g, g + 1, g + 1);
	used += (size_t)snprintf(t + used, cap - used,
				 ",\n { \"name\": \"z\", \"adapters\": [ { "
				 "\"bus\": \"b%d\", \"id\": 0, \"ip\": "
				 "\"10.0.%d.1/24\" } ] } ] }\n",
				 NB - 1, NB - 1);
	ck_assert_uint_lt(used, cap);
	struct scn *s = load_text(t);
	free(t);
	char *text = NULL;
	struct scn_check_summary sum;
	ck_assert_int_gt(run_check(s, 0, &text, &sum), 0);
	/* a -> z crosses 65 gateways; 63 is the most TTL 64 allows */
	ck_assert_msg(has_line(text, "hosts[0]: ", "10.0.65.1 of \"z\"",
			       "TTL"),
		      "%s", text);
	/* g0 -> z: 64 gateways, one too many; g1 -> z: 63, just right */
	ck_assert_msg(has_line(text, "hosts[1]: ", "10.0.65.1 of \"z\"",
			       "TTL"),
		      "%s", text);
	ck_assert_msg(!has_line(text, "hosts[2]: ", NULL, NULL), "%s", text);
	free(text);
	scn_free(s);
}
END_TEST

START_TEST(automatic_route_across_subnets_cannot_be_installed)
{
	/* a shares bus b0 with gw but not its subnet: the loader refuses
	 * that (test_scn.c), so the address is changed after loading */
	struct scn *s = load_text(
		"{ \"name\": \"x\", \"buses\": [ { \"name\": \"b0\" },"
		" { \"name\": \"b1\" } ],\n \"hosts\": [\n"
		" { \"name\": \"a\", \"adapters\": [ { \"bus\": \"b0\", \"id\": 1,"
		" \"ip\": \"10.0.0.1/24\" } ] },\n"
		" { \"name\": \"gw\", \"adapters\": [ { \"bus\": \"b0\", \"id\": 2,"
		" \"ip\": \"10.0.0.2/24\" }, { \"bus\": \"b1\", \"id\": 2,"
		" \"ip\": \"10.0.1.2/24\" } ] },\n"
		" { \"name\": \"b\", \"adapters\": [ { \"bus\": \"b1\", \"id\": 3,"
		" \"ip\": \"10.0.1.3/24\" } ] },\n"
		" { \"name\": \"c\", \"adapters\": [ { \"bus\": \"b0\", \"id\": 3,"
		" \"ip\": \"10.0.0.3/24\" } ] } ] }\n");
	s->hosts[0].adapters[0].addr = 0x0a000501u; /* 10.0.5.1 */
	char *text = NULL;
	struct scn_check_summary sum;
	run_check(s, 0, &text, &sum);
	ck_assert_msg(has_line(text, "hosts[0].adapters[0].ip: ",
			       "whose other stations are in 10.0.0.0/24", NULL),
		      "%s", text);
	ck_assert_msg(has_line(text, "hosts[0]: ",
			       "automatic route to 10.0.1.0/24",
			       "refuses to build"),
		      "%s", text);
	free(text);
	scn_free(s);
}
END_TEST

START_TEST(static_route_faults)
{
	/* a duplicate route (which the loader refuses: made by hand after
	 * loading), a gateway that is the host itself, and a gateway
	 * address nobody on the bus has */
	struct scn *s = load_text(
		"{ \"name\": \"x\", \"routing\": \"static\", \"buses\": ["
		" { \"name\": \"b0\" } ],\n \"hosts\": [\n"
		" { \"name\": \"a\", \"adapters\": [ { \"bus\": \"b0\", \"id\": 1,"
		" \"ip\": \"10.0.0.1/24\" } ], \"routes\": [\n"
		"   { \"to\": \"10.9.0.0/16\", \"via\": \"10.0.0.2\" },\n"
		"   { \"to\": \"10.6.0.0/16\", \"via\": \"10.0.0.2\" },\n"
		"   { \"to\": \"10.8.0.0/16\", \"via\": \"10.0.0.1\" },\n"
		"   { \"to\": \"10.7.0.0/16\", \"via\": \"10.0.0.99\" } ] },\n"
		" { \"name\": \"b\", \"adapters\": [ { \"bus\": \"b0\", \"id\": 2,"
		" \"ip\": \"10.0.0.2/24\" } ] } ] }\n");
	s->hosts[0].routes[1] = s->hosts[0].routes[0];
	char *text = NULL;
	struct scn_check_summary sum;
	ck_assert_int_eq(run_check(s, 0, &text, &sum), 3);
	ck_assert_msg(has_line(text, "hosts[0].routes[1]: ",
			       "the same route as hosts[0].routes[0]", NULL),
		      "%s", text);
	ck_assert_msg(has_line(text, "hosts[0].routes[2].via: ",
			       "10.0.0.1 is host \"a\"'s own address", NULL),
		      "%s", text);
	ck_assert_msg(has_line(text, "hosts[0].routes[3].via: ",
			       "no station on bus \"b0\" has 10.0.0.99", NULL),
		      "%s", text);
	free(text);
	scn_free(s);
}
END_TEST

START_TEST(narrow_adapter_cannot_reach_high_ids)
{
	/* the mismatch file, with the wide card moved to ID 9 (valid for
	 * it): the narrow card can no longer select it */
	struct scn *s = load_file("tests/scenarios_bad/wide-narrow-mismatch.json");
	s->hosts[0].adapters[0].id = 9;
	char *text = NULL;
	struct scn_check_summary sum;
	run_check(s, 0, &text, &sum);
	ck_assert_msg(has_line(text, "hosts[1].adapters[0].profile: warning: ",
			       "wide/narrow mismatch",
			       "cannot select hosts[0].adapters[0] at ID 9"),
		      "%s", text);
	ck_assert_msg(has_line(text, "hosts[1]: ", "10.0.0.7 of \"a\"",
			       "narrow adapter cannot select ID 9"),
		      "%s", text);
	ck_assert_msg(!has_line(text, "hosts[0]: ", NULL, NULL), "%s", text);
	free(text);
	scn_free(s);
}
END_TEST

/* --- what only a struct built by hand can hold ----------------------------- */

START_TEST(hand_built_clashes_found)
{
	/* nine adapters on one narrow bus: ID 8 does not exist there, and
	 * two share ID 0 */
	struct scn *s = calloc(1, sizeof *s);
	ck_assert_ptr_nonnull(s);
	snprintf(s->name, sizeof s->name, "by-hand");
	s->nbuses = 1;
	s->buses = calloc(1, sizeof *s->buses);
	s->nhosts = 10;
	s->hosts = calloc(10, sizeof *s->hosts);
	ck_assert(s->buses && s->hosts);
	snprintf(s->buses[0].name, sizeof s->buses[0].name, "b0");
	s->buses[0].width = BUS_NARROW;
	s->buses[0].speed = BUS_SPEED_SCSI2;
	s->buses[0].electrical = BUS_SE;
	s->buses[0].length_mm = 1000;
	for (int h = 0; h < 10; h++) {
		struct scn_host *ho = &s->hosts[h];
		snprintf(ho->name, sizeof ho->name, "h%d", h);
		ho->nadapters = 1;
		ho->adapters[0] = (struct scn_adapter){
			.bus = 0, .id = h < 9 ? h : 0, .addr = 0x0a000001u + (uint32_t)h,
			.plen = 24, .mtu = 65535, .rx_slots = 4,
		};
		snprintf(ho->adapters[0].profile,
			 sizeof ho->adapters[0].profile, "aha1522");
	}
	s->hosts[9].adapters[0].addr = s->hosts[3].adapters[0].addr;
	char *text = NULL;
	struct scn_check_summary sum;
	ck_assert_int_gt(run_check(s, 0, &text, &sum), 0);
	ck_assert_msg(has_line(text, "buses[0]: ", "10 adapters on the narrow "
			       "bus \"b0\"", "8 IDs (0-7)"),
		      "%s", text);
	ck_assert_msg(has_line(text, "hosts[8].adapters[0].id: ",
			       "8 is out of range 0..7", NULL),
		      "%s", text);
	ck_assert_msg(has_line(text, "hosts[9].adapters[0].id: ",
			       "SCSI ID 0 on bus \"b0\" is also "
			       "hosts[0].adapters[0]'s",
			       NULL),
		      "%s", text);
	ck_assert_msg(has_line(text, "hosts[9].adapters[0].ip: ",
			       "10.0.0.4 is also hosts[3].adapters[0]'s "
			       "address",
			       NULL),
		      "%s", text);
	free(text);
	scn_free(s);
}
END_TEST

Suite *scn_check_suite(void);
Suite *scn_check_suite(void)
{
	Suite *s = suite_create("scn_check");
	TCase *t = tcase_create("planted");
	tcase_add_loop_test(t, planted_mistake_found, 0, NBAD);
	suite_add_tcase(s, t);
	t = tcase_create("clean");
	tcase_add_test(t, good_small_scenarios_are_clean);
	tcase_add_test(t, shipped_scenarios_are_clean);
	tcase_add_test(t, report_is_deterministic_and_quiet_is_the_summary);
	suite_add_tcase(s, t);
	t = tcase_create("routing");
	tcase_add_test(t, too_many_gateways_for_the_ttl);
	tcase_add_test(t, automatic_route_across_subnets_cannot_be_installed);
	tcase_add_test(t, static_route_faults);
	tcase_add_test(t, narrow_adapter_cannot_reach_high_ids);
	suite_add_tcase(s, t);
	t = tcase_create("by_hand");
	tcase_add_test(t, hand_built_clashes_found);
	suite_add_tcase(s, t);
	return s;
}
