/*
 * test_scn.c - scenario files: a table of malformed files, each refused
 * with a message naming the file, the JSON path and the reason; a good
 * file loaded, built, run, with --set overrides; results.json the same
 * bytes for the same scenario and seed; hostile input (issue 16):
 * numbers, strings, names, duplicate keys, --set keys, and what the
 * builder would refuse, each an error with its path.
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

/* --- hostile input (issue 16) --------------------------------------------- */

/* Load `len` bytes from memory as file `name`; the messages in *msgs. */
static int load_mem(const char *name, const char *text, const char *const *sets,
		    int nsets, char **msgs, struct scn **out)
{
	size_t len = 0;
	FILE *m = open_memstream(msgs, &len);
	ck_assert_ptr_nonnull(m);
	struct scn_errors errs = { .out = m, .max = 100 };
	int n = scn_load_text(name, text, strlen(text), sets, nsets, &errs,
			      out);
	fclose(m);
	return n;
}

/* A small good scenario with pieces put in: more top-level members, more
 * members of buses[0] and of hosts[0].adapters[0], the traffic (NULL:
 * a ping from a to b). */
static char *mk(const char *top, const char *bus, const char *adapter,
		const char *traffic)
{
	char *text = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&text, &len);
	ck_assert_ptr_nonnull(m);
	fprintf(m,
		"{ \"duration\": \"2s\"%s,\n"
		"  \"buses\": [ { \"name\": \"b0\"%s } ],\n"
		"  \"hosts\": [\n"
		"    { \"name\": \"a\", \"adapters\": [ { \"bus\": \"b0\", "
		"\"id\": 1, \"ip\": \"10.0.0.1/24\"%s } ] },\n"
		"    { \"name\": \"b\", \"adapters\": [ { \"bus\": \"b0\", "
		"\"id\": 0, \"ip\": \"10.0.0.2/24\" } ] } ],\n"
		"  \"traffic\": [ %s ] }\n",
		top ? top : "", bus ? bus : "", adapter ? adapter : "",
		traffic ? traffic : "{ \"type\": \"ping\", \"from\": \"a\", "
				    "\"to\": \"b\" }");
	fclose(m);
	return text;
}

#define PING_T "{ \"type\": \"ping\", \"from\": \"a\", \"to\": \"b\""
#define WORK_T "{ \"type\": \"workdist\", \"master\": \"a\""

struct hostile {
	const char *top, *bus, *adapter, *traffic;
	const char *set;           /* one --set, or NULL */
	const char *want;          /* in the messages; NULL: loads */
};

/* Each refused with its path and reason, or (want NULL) loaded; the
 * loader holds no state between files. */
static void hostile_case(const struct hostile *c, int i)
{
	char *text = mk(c->top, c->bus, c->adapter, c->traffic);
	const char *sets[1] = { c->set };
	char *msgs = NULL;
	struct scn *s = NULL;
	int n = load_mem("h.json", text, sets, c->set ? 1 : 0, &msgs, &s);
	if (c->want == NULL) {
		ck_assert_msg(n == 0 && s != NULL, "case %d: refused:\n%s\n%s",
			      i, msgs, text);
	} else {
		ck_assert_msg(n > 0 && s == NULL, "case %d: loaded:\n%s", i,
			      text);
		ck_assert_msg(strstr(msgs, c->want) != NULL,
			      "case %d: want \"%s\" in:\n%s", i, c->want, msgs);
	}
	scn_free(s);
	free(msgs);
	free(text);
}

/* Item 1: every number is range-checked before it is cast (these run
 * under UBSan in the sanitizer build: a cast of inf would be caught),
 * and a number that a double does not hold as written is refused. */
static const struct hostile numbers[] = {
	{ .top = ", \"seed\": 1e400",
	  .want = "h.json: seed: inf is not an integer in "
		  "0..9007199254740992" },
	{ .top = ", \"seed\": -1e400", .want = "seed: -inf is not an integer" },
	{ .top = ", \"seed\": -1", .want = "seed: -1 is not an integer" },
	{ .top = ", \"seed\": 18446744073709551616",
	  .want = "seed: 1.84467e+19 is not an integer in "
		  "0..9007199254740992" },
	{ .top = ", \"seed\": 9007199254740993",
	  .want = "seed: 9007199254740993 cannot be held as written: a JSON "
		  "number is a double here, and this one reads as "
		  "9007199254740992" },
	{ .top = ", \"seed\": 4503599627370496.5",
	  .want = "seed: 4503599627370496.5 cannot be held as written" },
	{ .top = ", \"seed\": 9007199254740992" },  /* 2^53 itself: exact */
	{ .top = ", \"seed\": 900719925474099.2e1" }, /* 2^53 too */
	{ .top = ", \"seed\": 900719925474099.3e1",
	  .want = "seed: 900719925474099.3e1 cannot be held" },
	{ .top = ", \"seed\": 12.5e-1",
	  .want = "seed: 1.25 is not an integer" },
	{ .top = ", \"seed\": 1e-400", .want = "seed: 1e-400 cannot be held as "
					      "written" },
	{ .top = ", \"seed\": 0.1e1" },            /* 1, exactly */
	{ .adapter = ", \"mtu\": 1e400",
	  .want = "hosts[0].adapters[0].mtu: inf is not an integer in "
		  "576..65535" },
	{ .adapter = ", \"rx_slots\": -1e400",
	  .want = "hosts[0].adapters[0].rx_slots: -inf is not an integer" },
	{ .adapter = ", \"position\": 1e400",
	  .want = "hosts[0].adapters[0].position: inf is not an integer" },
	{ .bus = ", \"length\": 1e400", .want = "buses[0].length: want a cable "
						"length" },
	{ .bus = ", \"length\": \"1e400m\"", .want = "buses[0].length: want" },
	{ .bus = ", \"length\": \"nanm\"", .want = "buses[0].length: want" },
	{ .bus = ", \"length\": \"-infm\"", .want = "buses[0].length: want" },
	{ .bus = ", \"width\": 1e400", .want = "buses[0].width: want" },
	{ .traffic = PING_T ", \"count\": 1e400 }",
	  .want = "traffic[0].count: inf is not an integer in 1..65535" },
	{ .traffic = PING_T ", \"size\": -1e400 }",
	  .want = "traffic[0].size: -inf is not an integer" },
	{ .traffic = PING_T ", \"interval\": \"1e400s\" }",
	  .want = "traffic[0].interval: \"1e400s\" is not a duration" },
	{ .top = ", \"check\": true, \"faults\": [ { \"type\": \"parity\", "
		 "\"host\": \"a\", \"bus\": \"b0\", \"at\": \"1s\", \"byte\": "
		 "18446744073709551616 } ]",
	  .want = "faults[0].byte: 1.84467e+19 is not an integer in "
		  "1..100000000" },
	{ .set = "seed=1e400", .want = "seed: inf is not an integer" },
	{ .set = "seed=nan", .want = "seed: is a string; want an integer" },
	{ .set = "seed=-0", .want = NULL },
	{ .set = "duration=inf",
	  .want = "duration: \"inf\" is not a duration" },
	{ .set = "duration=99999999999999999999s",
	  .want = "duration: \"99999999999999999999s\" is not a duration "
		  "(longer than the clock holds, about 213 days" },
	{ .set = "duration=-1s",
	  .want = "duration: \"-1s\" is not a duration" },
	{ .set = "duration=0s", .want = "duration: \"0s\" is out of range "
					"1us..100000s" },
	{ .set = "hosts[0].adapters[0].mtu=18446744073709551616",
	  .want = "hosts[0].adapters[0].mtu: 1.84467e+19 is not an integer" },
};

START_TEST(numbers_checked_before_cast)
{
	hostile_case(&numbers[_i], _i);
}
END_TEST

/* Item 3: what cJSON's tree hides, with its path.  The texts hold raw
 * bytes, so they are loaded from memory. */
static const struct hostile strings[] = {
	{ .top = ", \"description\": \"ab\\u0000cd\"",
	  .want = "h.json: description: the string holds \\u0000, a NUL "
		  "character, which would cut it short" },
	{ .top = ", \"na\\u0000me\": \"x\"",
	  .want = "(top level): a member name holds \\u0000" },
	{ .adapter = ", \"mtu\\u0000x\": 576",
	  .want = "hosts[0].adapters[0]: a member name holds \\u0000" },
	{ .traffic = WORK_T ", \"workers\": [ \"b\\u0000\" ] }",
	  .want = "traffic[0].workers[0]: the string holds \\u0000" },
	{ .top = ", \"description\": \"x\\ud800y\"",
	  .want = "description: the string holds a lone UTF-16 surrogate "
		  "\\ud800 (not a character)" },
	{ .top = ", \"description\": \"\\ud800\\u0041\"",
	  .want = "description: the string holds a lone UTF-16 surrogate "
		  "\\ud800" },
	{ .top = ", \"description\": \"\\udfff\"",
	  .want = "the string holds a lone UTF-16 surrogate \\udfff" },
	{ .top = ", \"description\": \"caf\xff\"",
	  .want = "description: the string holds the byte 0xff, which is "
		  "not UTF-8" },
	{ .top = ", \"description\": \"\xc0\x80\"",    /* overlong NUL */
	  .want = "the byte 0xc0, which is not UTF-8" },
	{ .top = ", \"description\": \"\xed\xa0\x80\"", /* a surrogate */
	  .want = "the byte 0xed, which is not UTF-8" },
	{ .top = ", \"description\": \"\xf4\x90\x80\x80\"", /* > U+10FFFF */
	  .want = "the byte 0xf4, which is not UTF-8" },
	{ .traffic = PING_T ", \"label\": \"p\xe2\x82\" }", /* cut short */
	  .want = "traffic[0].label: the string holds the byte 0xe2" },
	{ .bus = ", \"speed\": \"fast\x01\"",
	  .want = "buses[0].speed: the string holds a raw control character "
		  "(0x01), which JSON requires escaped" },
	{ .set = "hosts[1].name=\"b\\u0000c\"",
	  .want = "hosts[1].name: the string holds \\u0000" },
	/* well-formed: a surrogate pair, two- to four-byte UTF-8 */
	{ .top = ", \"description\": \"\\ud83d\\ude00 caf\xc3\xa9 \xe2\x98\x95 "
		 "\xf0\x9f\x98\x80\"" },
};

START_TEST(strings_checked_with_paths)
{
	hostile_case(&strings[_i], _i);
}
END_TEST

/* Item 4: names are identifiers; free text has no control characters. */
static const struct hostile names[] = {
	{ .top = ", \"name\": \"a b\"",
	  .want = "name: \"a b\" is not a name: it holds ' ' (a name is 1 to "
		  "31 ASCII letters, digits, '.', '_' or '-', starting with a "
		  "letter or a digit)" },
	{ .top = ", \"name\": \"../up\"",
	  .want = "name: \"../up\" is not a name: it holds '/'" },
	{ .top = ", \"name\": \"-rf\"", .want = "it starts with '-'" },
	{ .top = ", \"name\": \".hidden\"", .want = "it starts with '.'" },
	{ .top = ", \"name\": \"\"", .want = "name: \"\" is not a name: it is "
					    "empty" },
	{ .top = ", \"name\": \"a2345678901234567890123456789012\"",
	  .want = "it has 32 characters; at most 31" },
	{ .top = ", \"name\": \"A.b_c-012345678901234567890123\"" },
	{ .set = "buses[0].name=\"x;rm\"",
	  .want = "buses[0].name: \"x;rm\" is not a name: it holds ';'" },
	{ .set = "hosts[0].name=\"a\\u001b[31m\"",
	  .want = "hosts[0].name: \"a\\x1b[31m\" is not a name: it holds the "
		  "byte 0x1b" },
	{ .set = "hosts[1].name=\"b\\u00e9\"",
	  .want = "hosts[1].name: \"b\xc3\xa9\" is not a name: it holds the "
		  "byte 0xc3" },
	{ .traffic = PING_T ", \"label\": \"p/q\" }",
	  .want = "traffic[0].label: \"p/q\" is not a name" },
	{ .top = ", \"faults\": [ { \"type\": \"bus_reset\", \"at\": \"1s\", "
		 "\"bus\": \"b0\", \"label\": \"r,r\" } ]",
	  .want = "faults[0].label: \"r,r\" is not a name: it holds ','" },
	{ .top = ", \"description\": \"line\\nbreak\"",
	  .want = "description: free text may be any UTF-8 but control "
		  "characters, and it holds the control character U+000A at "
		  "byte 4" },
	{ .top = ", \"description\": \"\\u009b2J\"",
	  .want = "it holds the control character U+009B at byte 0" },
	{ .top = ", \"description\": \"ok\\u007f\"",
	  .want = "it holds the control character U+007F" },
	{ .top = ", \"comment\": [ \"ok\", { \"k\": \"a\\u0007\" } ]",
	  .want = "comment[1].k: a comment is free text, and it holds the "
		  "control character U+0007" },
	{ .bus = ", \"comment\": { \"x\\ty\": 1 }",
	  .want = "buses[0].comment: a member name in a comment is free text" },
	{ .traffic = PING_T ", \"comment\": \"\\u001b]0;title\\u0007\" }",
	  .want = "traffic[0].comment: a comment is free text" },
	{ .top = ", \"$schema\": \"./schema.json\", \"comment\": [ 1, null, "
		 "\"r\xc3\xa9sum\xc3\xa9\" ], \"description\": \"Tab-free, "
		 "\xe2\x80\x94 fine\"" },
};

START_TEST(names_are_identifiers)
{
	hostile_case(&names[_i], _i);
}
END_TEST

/* The default name (no "name" in the file) comes from the file name,
 * made a name. */
START_TEST(default_name_is_a_name)
{
	static const char *const files[][2] = {
		{ "dir/two-hosts.json", "two-hosts" },
		{ "dir/My Scenario (v2).json", "My-Scenario-v2-" },
		{ "/tmp/---x.y.json", "x" },
		{ "/tmp/.hidden.json", "scenario" },
		{ "caf\xc3\xa9 \xe2\x98\x95.json", "caf-" },
		{ "a$(rm -rf ~);b.json", "a-rm--rf-b" },
		{ "0123456789012345678901234567890123456789.json",
		  "0123456789012345678901234567890" },
	};
	char *text = mk(NULL, NULL, NULL, NULL);
	for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
		char *msgs = NULL;
		struct scn *s = NULL;
		ck_assert_int_eq(
			load_mem(files[i][0], text, NULL, 0, &msgs, &s), 0);
		ck_assert_str_eq(s->name, files[i][1]);
		ck_assert_int_eq(scn_name_check(s->name, NULL, 0), 0);
		scn_free(s);
		free(msgs);
	}
	free(text);
}
END_TEST

/* Item 2: a key twice is an error at its second place, anywhere. */
static const struct hostile dups[] = {
	{ .top = ", \"seed\": 1, \"seed\": 2",
	  .want = "seed: duplicate key: member 3 of the top level repeats "
		  "member 2" },
	{ .adapter = ", \"mtu\": 576, \"mtu\": 9000",
	  .want = "hosts[0].adapters[0].mtu: duplicate key: member 5 of "
		  "hosts[0].adapters[0] repeats member 4" },
	{ .traffic = PING_T ", \"to\": \"10.0.0.2\" }",
	  .want = "traffic[0].to: duplicate key" },
	{ .top = ", \"comment\": { \"a\": 1, \"b\": 2, \"a\": 3 }",
	  .want = "comment.a: duplicate key: member 3 of comment repeats "
		  "member 1" },
	{ .set = "hosts[0].adapters[0]={\"bus\":\"b0\",\"id\":1,\"id\":2,"
		 "\"ip\":\"10.0.0.1/24\"}",
	  .want = "hosts[0].adapters[0].id: duplicate key" },
};

START_TEST(duplicate_keys_refused)
{
	hostile_case(&dups[_i], _i);
}
END_TEST

/* 100,000 members in one object: found in O(n log n), each reported. */
START_TEST(duplicate_keys_many)
{
	enum { N = 100000 };
	for (int same = 0; same < 2; same++) {
		size_t cap = (size_t)N * 32, used = 0;
		char *comment = malloc(cap);
		ck_assert_ptr_nonnull(comment);
		used += (size_t)snprintf(comment, cap, ", \"comment\": {");
		for (int i = 0; i < N; i++)
			used += (size_t)snprintf(comment + used, cap - used,
						 "%s\"k%d\": %d", i ? ", " : "",
						 same ? 0 : i, i);
		snprintf(comment + used, cap - used, " }");
		char *text = mk(comment, NULL, NULL, NULL);
		struct scn_errors errs = { .out = NULL, .max = 0 };
		struct scn *s = NULL;
		int n = scn_load_text("many.json", text, strlen(text), NULL, 0,
				      &errs, &s);
		ck_assert_int_eq(n, same ? N - 1 : 0);
		scn_free(s);
		free(text);
		free(comment);
	}
}
END_TEST

/* Item 5: --set keys are parsed strictly; [*] is every element. */
static const struct hostile set_keys[] = {
	{ .set = "hosts[-1].name=x",
	  .want = "h.json: hosts[-1].name: --set: [-1] is not an index: want "
		  "a decimal number, or * for every element" },
	{ .set = "hosts[1x].name=x", .want = "hosts[1x].name: --set: [1x] is "
					      "not an index" },
	{ .set = "buses[x].name=x", .want = "buses[x].name: --set: [x] is not "
					   "an index" },
	{ .set = "hosts[].name=x", .want = "hosts[].name: --set: [] is not an "
					  "index" },
	{ .set = "hosts[ 1].name=x", .want = "[ 1] is not an index" },
	{ .set = "hosts[1.name=x", .want = "hosts[1.name: --set: '[' at byte 5 "
					  "has no ']'" },
	{ .set = "hosts]1[.name=x", .want = "--set: ']' at byte 5 has no '['" },
	{ .set = "hosts[99].name=x",
	  .want = "hosts[99].name: --set: no such place in the scenario: "
		  "hosts has 2 elements (0..1)" },
	{ .set = "hosts[99999999999999999999].name=x",
	  .want = "no such place in the scenario: hosts has 2 elements" },
	{ .set = "hosts[*].adapters[5].mtu=576",
	  .want = "hosts[*].adapters[5].mtu: --set: no such place in the "
		  "scenario: hosts[0].adapters has 1 element (0..0)" },
	{ .set = "hosts[0].name.first=x",
	  .want = "--set: hosts[0].name is a string, not an object with "
		  "members" },
	{ .set = "hosts.name=x", .want = "--set: hosts is an array, not an "
					"object" },
	{ .set = "buses[0][0]=x", .want = "--set: buses[0] is an object, not "
					 "an array" },
	{ .set = "routes[0].to=x", .want = "--set: no such place in the "
					  "scenario: the top level has no "
					  "member \"routes\"" },
	{ .set = "[0]=x", .want = "--set: it starts with an index" },
	{ .set = "a..b=1", .want = "a..b: --set: an empty member name at byte "
				  "2" },
	{ .set = "seed.=1", .want = "an empty member name at byte 5" },
	{ .set = "hosts[0]adapters=1", .want = "--set: byte 8: want '.' or '[' "
					      "after an index" },
	{ .set = "=5", .want = "--set =5: want KEY=VALUE" },
	{ .set = "seed", .want = "--set seed: want KEY=VALUE" },
	{ .top = ", \"faults\": []", .set = "faults[*].at=1s",
	  .want = "faults[*].at: --set: faults is empty: [*] stands for no "
		  "element" },
	{ .set = "hosts[01].forwarding=true" }, /* decimal, leading zero */
	{ .set = "buses[*].length=3m" },
};

START_TEST(set_keys_checked)
{
	hostile_case(&set_keys[_i], _i);
}
END_TEST

START_TEST(set_star_and_long_keys)
{
	char *text = mk(NULL, NULL, NULL,
			PING_T " }, " PING_T ", \"count\": 9 }");
	static const char *const sets[] = { "traffic[*].count=7",
					    "hosts[*].adapters[*].mtu=1500",
					    "hosts[1].forwarding=true" };
	char *msgs = NULL;
	struct scn *s = NULL;
	ck_assert_msg(load_mem("h.json", text, sets, 3, &msgs, &s) == 0, "%s",
		      msgs);
	free(msgs);
	ck_assert_uint_eq(s->traffic[0].count, 7);
	ck_assert_uint_eq(s->traffic[1].count, 7);
	ck_assert_uint_eq(s->hosts[0].adapters[0].mtu, 1500);
	ck_assert_uint_eq(s->hosts[1].adapters[0].mtu, 1500);
	ck_assert_int_eq(s->hosts[0].forwarding, 0);
	ck_assert_int_eq(s->hosts[1].forwarding, 1);
	scn_free(s);
	/* a key longer than the loader's buffers is refused, not cut */
	char key[400];
	memset(key, 'k', 300);
	snprintf(key + 300, sizeof key - 300, "=1");
	const char *one[1] = { key };
	ck_assert_int_eq(load_mem("h.json", text, one, 1, &msgs, &s), 1);
	ck_assert_ptr_nonnull(strstr(msgs, "--set: the key has 300 characters; "
					   "at most 255"));
	free(msgs);
	/* a member name as long as a key may be: created, then unknown */
	memset(key, 'k', 255);
	snprintf(key + 255, sizeof key - 255, "=1");
	ck_assert_int_eq(load_mem("h.json", text, one, 1, &msgs, &s), 1);
	ck_assert_ptr_nonnull(strstr(msgs, "...: unknown key"));
	free(msgs);
	free(text);
}
END_TEST

/* Item 6: what scn_world_build refuses is refused by the loader, with a
 * path, so that check and run agree (test_cli.c runs both on the same
 * files).  Each file has one mistake. */
static const struct {
	const char *file;
	const char *want;
} build_refusals[] = {
	{ "tests/scenarios_bad/via-off-subnet.json",
	  "hosts[0].routes[0].via: 10.0.9.2 is on none of host \"a\"'s "
	  "subnets (10.0.0.0/24): a gateway must be a station on one of the "
	  "host's own buses" },
	{ "tests/scenarios_hostile/via-zero.json",
	  "hosts[0].routes[0].via: 0.0.0.0 is not a gateway" },
	{ "tests/scenarios_hostile/duplicate-route.json",
	  "hosts[0].routes[1]: the same route as routes[0]" },
	{ "tests/scenarios_hostile/auto-route-off-subnet.json",
	  "hosts[0]: the automatic route to 10.0.1.0/24 "
	  "(hosts[1].adapters[1]'s subnet) goes through 10.0.0.2 (host "
	  "\"gw\"), which is in none of this host's subnets (10.0.5.0/24)" },
	{ "tests/scenarios_hostile/position-past-cable.json",
	  "hosts[0].adapters[0].position: 2500 mm is past the end of bus "
	  "\"b0\", whose cable is 2000 mm long" },
	{ "tests/scenarios_hostile/ping-past-clock.json",
	  "traffic[0].count: 65535 requests 3600s apart from 1s end past the "
	  "clock's last picosecond" },
	{ "tests/scenarios_hostile/udp-stop-before-start.json",
	  "traffic[0].stop: is not after \"start\"" },
	{ "tests/scenarios_hostile/workdist-small-unit.json",
	  "traffic[0].result_size: 7 is not an integer in 8..65507" },
	{ "tests/scenarios_hostile/workdist-duplicate-worker.json",
	  "traffic[0].workers[1]: is also workers[0]" },
	{ "tests/scenarios_hostile/port-clash.json",
	  "traffic[1].workers[0]: UDP port 7000 of host \"b\" is taken "
	  "already, by traffic[0]'s receiver" },
	{ "tests/scenarios_hostile/port-clash-sender.json",
	  "traffic[1].port: UDP port 49152 of host \"b\" is taken already, "
	  "by traffic[0]'s sending socket" },
};

START_TEST(build_refusals_are_load_errors)
{
	char *msgs = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&msgs, &len);
	ck_assert_ptr_nonnull(m);
	struct scn_errors errs = { .out = m, .max = 100 };
	struct scn *s = NULL;
	int n = scn_load(build_refusals[_i].file, NULL, 0, &errs, &s);
	fclose(m);
	ck_assert_int_eq(n, 1);
	ck_assert_ptr_null(s);
	ck_assert_msg(strstr(msgs, build_refusals[_i].want) != NULL,
		      "%s: want \"%s\" in:\n%s", build_refusals[_i].file,
		      build_refusals[_i].want, msgs);
	free(msgs);
}
END_TEST

/* A ping's stop: no request at or after it, so the count shrinks to the
 * requests before it (10 asked, 1 s apart from 1 s, stop at 4.5 s: 4). */
START_TEST(ping_stop_caps_count)
{
	char *text = mk(NULL, NULL, NULL,
			"{ \"type\": \"ping\", \"from\": \"a\", \"to\": "
			"\"b\", \"count\": 10, \"stop\": \"4.5s\" }, "
			"{ \"type\": \"ping\", \"from\": \"a\", \"to\": "
			"\"b\", \"count\": 10, \"stop\": \"4s\" }, "
			"{ \"type\": \"ping\", \"from\": \"a\", \"to\": "
			"\"b\", \"count\": 2, \"stop\": \"100s\" }");
	char *msgs = NULL;
	struct scn *s = NULL;
	ck_assert_msg(load_mem("p.json", text, NULL, 0, &msgs, &s) == 0, "%s",
		      msgs);
	ck_assert_uint_eq(s->traffic[0].count, 4); /* 1, 2, 3, 4 s */
	ck_assert_uint_eq(s->traffic[1].count, 3); /* not the one at 4 s */
	ck_assert_uint_eq(s->traffic[2].count, 2);
	scn_free(s);
	free(msgs);
	free(text);
}
END_TEST

/* The other ports: a port below 49152 clashes with no sender; flows to
 * the same host and port share one receiver. */
START_TEST(ports_that_do_not_clash)
{
	char *text = mk(NULL, NULL, NULL,
			"{ \"type\": \"udp\", \"from\": \"b\", \"to\": "
			"\"a\" }, "
			"{ \"type\": \"udp\", \"from\": \"a\", \"to\": \"b\", "
			"\"port\": 49151 }, "
			"{ \"type\": \"udp\", \"from\": \"a\", \"to\": \"b\", "
			"\"port\": 49151, \"start\": \"1500ms\" }, "
			"{ \"type\": \"udp\", \"from\": \"b\", \"to\": \"a\", "
			"\"port\": 65535 }, "
			WORK_T ", \"workers\": [ \"b\" ], \"port\": 7001 }");
	char *msgs = NULL;
	struct scn *s = NULL;
	ck_assert_msg(load_mem("h.json", text, NULL, 0, &msgs, &s) == 0, "%s",
		      msgs);
	char why[256] = "";
	struct scn_world *w = NULL;
	ck_assert_msg(scn_world_build(s, &w, why, sizeof why) == SN_OK, "%s",
		      why);
	scn_world_destroy(w);
	scn_free(s);
	free(msgs);
	free(text);
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
	TCase *h = tcase_create("hostile");
	tcase_set_timeout(h, 60);
#define N_(a) ((int)(sizeof a / sizeof a[0]))
	tcase_add_loop_test(h, numbers_checked_before_cast, 0, N_(numbers));
	tcase_add_loop_test(h, strings_checked_with_paths, 0, N_(strings));
	tcase_add_loop_test(h, names_are_identifiers, 0, N_(names));
	tcase_add_test(h, default_name_is_a_name);
	tcase_add_loop_test(h, duplicate_keys_refused, 0, N_(dups));
	tcase_add_test(h, duplicate_keys_many);
	tcase_add_loop_test(h, set_keys_checked, 0, N_(set_keys));
	tcase_add_test(h, set_star_and_long_keys);
	tcase_add_loop_test(h, build_refusals_are_load_errors, 0,
			    N_(build_refusals));
	tcase_add_test(h, ports_that_do_not_clash);
	tcase_add_test(h, ping_stop_caps_count);
#undef N_
	suite_add_tcase(s, h);
	return s;
}
