/*
 * test_scn.c - scenario files: a table of malformed files, each refused
 * with a message naming the file, the JSON path and the reason; a good
 * file loaded, built, run, with --set overrides; results.json the same
 * bytes for the same scenario and seed.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "scn.h"
#include "scn_world.h"
#include "suites.h"

static const char *const good =
	"{ \"name\": \"t\", \"duration\": \"3s\",\n"
	"  \"buses\": [ { \"name\": \"b0\", \"speed\": \"fast\" } ],\n"
	"  \"hosts\": [\n"
	"    { \"name\": \"a\", \"adapters\": [ { \"bus\": \"b0\", \"id\": 1,"
	" \"profile\": \"aic6360\", \"ip\": \"10.0.0.1/24\" } ] },\n"
	"    { \"name\": \"b\", \"adapters\": [ { \"bus\": \"b0\", \"id\": 0,"
	" \"profile\": \"aic6360\", \"ip\": \"10.0.0.2/24\" } ] } ],\n"
	"  \"traffic\": [ { \"type\": \"ping\", \"from\": \"a\", \"to\": \"b\","
	" \"count\": 3, \"interval\": \"200ms\", \"start\": \"100ms\" },\n"
	"    { \"type\": \"udp\", \"from\": \"b\", \"to\": \"10.0.0.1\","
	" \"count\": 20, \"rate\": 100, \"size\": 500, \"start\": \"1s\" } ] }\n";

static char *write_tmp(const char *text)
{
	static char path[64];
	snprintf(path, sizeof path, "/tmp/scsinet_scn_XXXXXX");
	int fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	size_t n = strlen(text);
	ck_assert_int_eq(write(fd, text, n), (ssize_t)n);
	close(fd);
	return path;
}

/* Load `text`; returns the error count and the messages (malloc'ed). */
static int load_text(const char *text, const char *const *sets, int nsets,
		     char **msgs, struct scn **out)
{
	char *path = write_tmp(text);
	size_t len = 0;
	FILE *m = open_memstream(msgs, &len);
	ck_assert_ptr_nonnull(m);
	struct scn_errors errs = { .out = m, .max = 100 };
	int n = scn_load(path, sets, nsets, &errs, out);
	fclose(m);
	unlink(path);
	return n;
}

START_TEST(good_scenario_runs)
{
	char *msgs = NULL;
	struct scn *s = NULL;
	ck_assert_int_eq(load_text(good, NULL, 0, &msgs, &s), 0);
	free(msgs);
	ck_assert_int_eq(s->nbuses, 1);
	ck_assert_int_eq(s->nhosts, 2);
	ck_assert_int_eq(s->buses[0].speed, BUS_SPEED_FAST);
	ck_assert_uint_eq(s->hosts[0].adapters[0].mtu, 65535);   /* default */
	ck_assert_uint_eq(s->traffic[1].to, 0);  /* by its address */
	char *text[2];
	for (int run = 0; run < 2; run++) {
		char why[256] = "";
		struct scn_world *w = NULL;
		ck_assert_int_eq(scn_world_build(s, &w, why, sizeof why), SN_OK);
		scn_world_run(w, s->duration, NULL, NULL);
		ck_assert_int_eq(scn_world_ok(w), 1);
		size_t len = 0;
		FILE *m = open_memstream(&text[run], &len);
		ck_assert_int_eq(scn_world_results_json(w, m), 0);
		fclose(m);
		scn_world_destroy(w);
	}
	/* the same bytes twice; every ping answered, every datagram */
	ck_assert_str_eq(text[0], text[1]);
	ck_assert_ptr_nonnull(strstr(text[0], "\"received\":\t3"));
	ck_assert_ptr_nonnull(strstr(text[0], "\"received\":\t20"));
	ck_assert_ptr_nonnull(strstr(text[0], "\"balanced\":\ttrue"));
	free(text[0]);
	free(text[1]);
	scn_free(s);
}
END_TEST

START_TEST(set_overrides)
{
	static const char *const sets[] = {
		"duration=1s", "hosts[0].adapters[0].mtu=576", "seed=9",
		"buses[0].name=\"renamed\"", "hosts[0].adapters[0].bus=renamed",
		"hosts[1].adapters[0].bus=renamed",
	};
	char *msgs = NULL;
	struct scn *s = NULL;
	ck_assert_int_eq(load_text(good, sets, 6, &msgs, &s), 0);
	free(msgs);
	ck_assert_uint_eq(s->duration, 1 * SIM_S);
	ck_assert_uint_eq(s->hosts[0].adapters[0].mtu, 576);
	ck_assert_uint_eq(s->seed, 9);
	ck_assert_str_eq(s->buses[0].name, "renamed");
	scn_free(s);
	/* a path that is not there */
	static const char *const bad[] = { "hosts[7].name=x" };
	ck_assert_int_eq(load_text(good, bad, 1, &msgs, &s), 1);
	ck_assert_ptr_nonnull(strstr(msgs, "hosts[7].name: --set: no such"));
	free(msgs);
}
END_TEST

/* Each malformed scenario gives errors naming the path and the reason. */
static const struct {
	const char *text;
	const char *want; /* a substring of the messages */
} bad_files[] = {
	{ "{ \"buses\": [", "not valid JSON near line 1" },
	{ "[1, 2]", "(top level): the file holds an array" },
	{ "{ \"buses\": [], \"hosts\": [] }", "buses: want an array of 1" },
	{ "{ \"buses\": [ { \"name\": \"b\" } ], \"hosts\": [ { \"name\": "
	  "\"h\", \"adapters\": [ { \"bus\": \"b\", \"id\": 9, \"ip\": "
	  "\"10.0.0.1/24\" } ] } ] }",
	  "hosts[0].adapters[0].id: 9 is out of range 0..7 (a narrow bus)" },
	{ "{ \"buses\": [ { \"name\": \"b\", \"wdith\": 16 } ], \"hosts\": "
	  "[ { \"name\": \"h\", \"adapters\": [ { \"bus\": \"b\", \"id\": 1,"
	  " \"ip\": \"10.0.0.1/24\" } ] } ] }",
	  "buses[0].wdith: unknown key" },
	{ "{ \"buses\": [ { \"name\": \"b\" } ], \"hosts\": [ { \"name\": "
	  "\"h\", \"adapters\": [ { \"bus\": \"nope\", \"id\": 1, \"ip\": "
	  "\"10.0.0.1/24\" } ] } ] }",
	  "hosts[0].adapters[0].bus: no bus named \"nope\"" },
	{ "{ \"duration\": 5, \"buses\": [ { \"name\": \"b\" } ], \"hosts\": "
	  "[ { \"name\": \"h\", \"adapters\": [ { \"bus\": \"b\", \"id\": 1,"
	  " \"ip\": \"10.0.0.1/24\" } ] } ] }",
	  "duration: is a number; want a duration" },
	{ "{ \"duration\": \"5 parsecs\", \"buses\": [ { \"name\": \"b\" } ], "
	  "\"hosts\": [ { \"name\": \"h\", \"adapters\": [ { \"bus\": \"b\", "
	  "\"id\": 1, \"ip\": \"10.0.0.1/24\" } ] } ] }",
	  "duration: \"5 parsecs\" is not a duration" },
	{ "{ \"buses\": [ { \"name\": \"b\" } ], \"hosts\": [ { \"name\": "
	  "\"h\", \"adapters\": [ { \"bus\": \"b\", \"id\": 1, \"ip\": "
	  "\"10.0.0.1/24\", \"mtu\": 1e300 } ] } ] }",
	  "hosts[0].adapters[0].mtu: 1e+300 is not an integer in 576..65535" },
	{ "{ \"buses\": [ { \"name\": \"b\" } ], \"hosts\": [ { \"name\": "
	  "\"h\", \"adapters\": [ { \"bus\": \"b\", \"id\": 1, \"ip\": "
	  "\"10.0.0.300/24\" } ] } ] }",
	  "hosts[0].adapters[0].ip: \"10.0.0.300/24\" is not an address" },
	{ "{ \"buses\": [ { \"name\": \"b\" } ], \"hosts\": [ { \"name\": "
	  "\"h\", \"adapters\": [ { \"bus\": \"b\", \"id\": 1, \"ip\": "
	  "\"10.0.0.1/24\" } ] }, { \"name\": \"g\", \"adapters\": [ { "
	  "\"bus\": \"b\", \"id\": 1, \"ip\": \"10.0.0.2/24\" } ] } ] }",
	  "hosts[1].adapters[0]: SCSI ID 1 is taken on bus \"b\"" },
	{ "{ \"buses\": [ { \"name\": \"b\" } ], \"hosts\": [ { \"name\": "
	  "\"h\", \"adapters\": [ { \"bus\": \"b\", \"id\": 1, \"ip\": "
	  "\"10.0.0.1/24\" } ] } ], \"traffic\": [ { \"type\": \"ping\", "
	  "\"from\": \"h\", \"to\": \"zz\" } ] }",
	  "traffic[0].to: no host named or addressed \"zz\"" },
	{ "{ \"buses\": [ { \"name\": \"b\" } ], \"hosts\": [ { \"name\": "
	  "\"h\", \"adapters\": [ { \"bus\": \"b\", \"id\": 1, \"ip\": "
	  "\"10.0.0.1/24\" } ] } ], \"traffic\": [ { \"type\": \"telnet\" "
	  "} ] }",
	  "traffic[0].type: \"telnet\" is not a traffic type" },
	{ "{ \"buses\": [ { \"name\": \"b\", \"length\": \"3 furlongs\" } ], "
	  "\"hosts\": [ { \"name\": \"h\", \"adapters\": [ { \"bus\": \"b\", "
	  "\"id\": 1, \"ip\": \"10.0.0.1/24\" } ] } ] }",
	  "buses[0].length: want a cable length" },
	{ "{ \"buses\": [ { \"name\": \"b\" } ], \"hosts\": [ { \"name\": "
	  "\"h\", \"adapters\": [ { \"bus\": \"b\", \"id\": 1, \"ip\": "
	  "\"10.0.0.1/24\", \"profile\": \"aha2940\" } ] } ] }",
	  "hosts[0].adapters[0].profile: \"aha2940\" is not a profile" },
	{ "{ \"seed\": -1, \"buses\": [ { \"name\": \"b\" } ], \"hosts\": [ { "
	  "\"name\": \"h\", \"adapters\": [ { \"bus\": \"b\", \"id\": 1, "
	  "\"ip\": \"10.0.0.1/24\" } ] } ] }",
	  "seed: -1 is not an integer" },
	{ "{ \"buses\": [ { \"name\": \"b\", \"width\": \"wide\" } ], "
	  "\"hosts\": [ { \"name\": \"h\", \"adapters\": [ { \"bus\": "
	  "\"b\", \"id\": 1, \"ip\": \"10.0.0.1/24\", \"profile\": "
	  "\"pci-fw\", \"target_disconnect\": true } ] } ] }",
	  "hosts[0].adapters[0].target_disconnect: the pci-fw profile answers "
	  "BUSY" },
	{ "{ \"buses\": [ { \"name\": \"b\" } ], \"hosts\": [ { \"name\": "
	  "\"h\", \"adapters\": [ { \"bus\": \"b\", \"id\": 1, \"ip\": "
	  "\"10.0.0.1/24\", \"target_disconnect\": 1 } ] } ] }",
	  "hosts[0].adapters[0].target_disconnect: is a number; want true or "
	  "false" },
};

START_TEST(malformed_files)
{
	char *msgs = NULL;
	struct scn *s = NULL;
	int n = load_text(bad_files[_i].text, NULL, 0, &msgs, &s);
	ck_assert_int_gt(n, 0);
	ck_assert_ptr_null(s);
	ck_assert_msg(strstr(msgs, bad_files[_i].want) != NULL,
		      "case %d: want \"%s\" in:\n%s", _i, bad_files[_i].want,
		      msgs);
	/* every line names the file */
	ck_assert_ptr_nonnull(strstr(msgs, "/tmp/scsinet_scn_"));
	free(msgs);
}
END_TEST

/* All the errors are reported, not only the first. */
START_TEST(every_error_reported)
{
	const char *text =
		"{ \"sed\": 1, \"buses\": [ { \"name\": \"b\", \"speed\": "
		"\"warp\" } ], \"hosts\": [ { \"name\": \"h\", \"adapters\": [ "
		"{ \"bus\": \"b\", \"id\": 8, \"ip\": \"x\" } ] } ] }";
	char *msgs = NULL;
	struct scn *s = NULL;
	ck_assert_int_eq(load_text(text, NULL, 0, &msgs, &s), 4);
	ck_assert_ptr_nonnull(strstr(msgs, ": sed: unknown key"));
	ck_assert_ptr_nonnull(strstr(msgs, "buses[0].speed: \"warp\""));
	ck_assert_ptr_nonnull(strstr(msgs, "hosts[0].adapters[0].id: 8"));
	ck_assert_ptr_nonnull(strstr(msgs, "hosts[0].adapters[0].ip: \"x\""));
	free(msgs);
}
END_TEST

/* Faults: b's cable pulled, b switched off, the bus reset; pings from a
 * every 100 ms see each outage and recover after it; every lost
 * datagram is counted with its reason; the checker finds nothing. */
START_TEST(faults_cost_and_recover)
{
	const char *text =
		"{ \"name\": \"f\", \"duration\": \"4s\", \"check\": true,\n"
		"  \"buses\": [ { \"name\": \"b0\", \"width\": \"wide\","
		" \"speed\": \"fast\" } ],\n"
		"  \"hosts\": [\n"
		"    { \"name\": \"a\", \"adapters\": [ { \"bus\": \"b0\","
		" \"id\": 1, \"profile\": \"pci-fw\", \"ip\": \"10.0.0.1/24\","
		" \"arp_neg_time\": \"50ms\" } ] },\n"
		"    { \"name\": \"b\", \"adapters\": [ { \"bus\": \"b0\","
		" \"id\": 0, \"profile\": \"pci-fw\", \"ip\": \"10.0.0.2/24\""
		" } ] } ],\n"
		"  \"traffic\": [ { \"type\": \"ping\", \"from\": \"a\", \"to\":"
		" \"b\", \"count\": 35, \"interval\": \"100ms\", \"timeout\":"
		" \"50ms\", \"start\": \"100ms\" } ],\n"
		"  \"faults\": [\n"
		"    { \"type\": \"cable_pull\", \"host\": \"b\", \"bus\": \"b0\","
		" \"at\": \"1s\", \"until\": \"1500ms\" },\n"
		"    { \"type\": \"host_down\", \"host\": \"b\", \"at\":"
		" \"2s\", \"until\": \"2300ms\" },\n"
		"    { \"type\": \"bus_reset\", \"bus\": \"b0\", \"at\":"
		" \"2600ms\" } ] }\n";
	char *msgs = NULL;
	struct scn *s = NULL;
	ck_assert_msg(load_text(text, NULL, 0, &msgs, &s) == 0, "%s", msgs);
	free(msgs);
	char why[256] = "";
	struct scn_world *w = NULL;
	ck_assert_int_eq(scn_world_build(s, &w, why, sizeof why), SN_OK);
	scn_world_run(w, s->duration, NULL, NULL);
	ck_assert_int_eq(scn_world_ok(w), 1); /* balanced, no violation */
	char *out = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&out, &len);
	ck_assert_int_eq(scn_world_results_json(w, m), 0);
	fclose(m);
	/* each fault happened and cost something; the pings before, between
	 * and after the outages were answered */
	ck_assert_ptr_nonnull(strstr(out, "\"label\":\t\"cable_pull-0\""));
	/* a selects b while b is off or unplugged: selection time-outs */
	ck_assert_ptr_nonnull(strstr(out, "\"selection-timeout\":"));
	ck_assert_ptr_nonnull(strstr(out, "\"balanced\":\ttrue"));
	ck_assert_ptr_null(strstr(out, "\"happened\":\tfalse"));
	const char *rx = strstr(out, "\"received\":\t");
	ck_assert_ptr_nonnull(rx);
	int received = atoi(rx + strlen("\"received\":\t"));
	ck_assert_int_ge(received, 25);
	ck_assert_int_le(received, 32);
	free(out);
	scn_world_destroy(w);
	scn_free(s);
}
END_TEST

/* A parity error in the data a sender drives: the AHA-1522 station
 * answers CHECK CONDITION (ABORTED COMMAND, 47h), the sender's mid-layer
 * asks the sense and sends again; everything arrives. */
START_TEST(parity_fault_retried)
{
	const char *text =
		"{ \"name\": \"p\", \"duration\": \"2s\",\n"
		"  \"buses\": [ { \"name\": \"b0\" } ],\n"
		"  \"hosts\": [\n"
		"    { \"name\": \"a\", \"adapters\": [ { \"bus\": \"b0\","
		" \"id\": 1, \"ip\": \"10.0.0.1/24\" } ] },\n"
		"    { \"name\": \"b\", \"adapters\": [ { \"bus\": \"b0\","
		" \"id\": 0, \"ip\": \"10.0.0.2/24\" } ] } ],\n"
		"  \"traffic\": [ { \"type\": \"udp\", \"from\": \"a\", \"to\":"
		" \"b\", \"count\": 10, \"rate\": 20, \"size\": 1000,"
		" \"start\": \"100ms\" } ],\n"
		"  \"faults\": [ { \"type\": \"parity\", \"host\": \"a\","
		" \"bus\": \"b0\", \"at\": \"300ms\", \"byte\": 40 } ] }\n";
	char *msgs = NULL;
	struct scn *s = NULL;
	ck_assert_msg(load_text(text, NULL, 0, &msgs, &s) == 0, "%s", msgs);
	free(msgs);
	char why[256] = "";
	struct scn_world *w = NULL;
	ck_assert_int_eq(scn_world_build(s, &w, why, sizeof why), SN_OK);
	scn_world_run(w, s->duration, NULL, NULL);
	ck_assert_int_eq(scn_world_ok(w), 1);
	char *out = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&out, &len);
	ck_assert_int_eq(scn_world_results_json(w, m), 0);
	fclose(m);
	ck_assert_ptr_nonnull(strstr(out, "\"received\":\t10"));
	ck_assert_ptr_nonnull(strstr(out, "\"error_retries\":\t1"));
	free(out);
	scn_world_destroy(w);
	scn_free(s);
}
END_TEST

Suite *scn_suite(void)
{
	Suite *s = suite_create("scn");
	TCase *tc = tcase_create("scn");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, good_scenario_runs);
	tcase_add_test(tc, set_overrides);
	tcase_add_loop_test(tc, malformed_files, 0,
			    (int)(sizeof bad_files / sizeof bad_files[0]));
	tcase_add_test(tc, every_error_reported);
	tcase_add_test(tc, faults_cost_and_recover);
	tcase_add_test(tc, parity_fault_retried);
	suite_add_tcase(s, tc);
	return s;
}
