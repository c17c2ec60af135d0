/*
 * fuzz_scenario.c - a scenario file, as `scsinet check` and `scsinet run`
 * take it up to the first simulated event: the loader and validator
 * (scn_load_text), the topology check (scn_check_ex) and the builder
 * (scn_world_build, scn_world_destroy).  Nothing runs.
 *
 * The input is the file's text.  Properties, beyond "no crash, no leak,
 * no undefined behaviour":
 *   - the loader returns the number of errors it counted, and a scenario
 *     exactly when that is 0; it writes one line per error (up to its
 *     maximum), each "fuzz.json: PATH: REASON";
 *   - scn_check's report has one line per problem (and "note: " lines)
 *     and ends with its summary line, whose counts agree with the
 *     summary struct and with scn_check() without a report;
 *   - a scenario the check passes without errors builds, and one that
 *     does not build fails with a sentence saying why;
 *   - loading the same text twice gives the same messages.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fz.h"
#include "scn.h"
#include "scn_check.h"
#include "scn_world.h"

#define NAME "fuzz.json"
#define MAX_ERRORS 20

/* Load `data`, messages into a fresh buffer *msgs (the caller frees). */
static int load(const uint8_t *data, size_t size, struct scn **s,
		char **msgs, size_t *msgs_len)
{
	FILE *f = open_memstream(msgs, msgs_len);
	FZ_CHECK(f != NULL, "open_memstream failed");
	struct scn_errors errs = { .out = f, .max = MAX_ERRORS };
	int n = scn_load_text(NAME, (const char *)data, size, NULL, 0, &errs,
			      s);
	fclose(f);
	FZ_CHECK(n >= 0 && n == errs.count,
		 "scn_load_text returned %d, counted %d", n, errs.count);
	FZ_CHECK((n == 0) == (*s != NULL),
		 "scn_load_text returned %d with%s a scenario", n,
		 *s ? "" : "out");
	return n;
}

/* Does a JSON string in the text hold a control character, raw or
 * escaped (\n, \t, \u0000...)?  (A scan of quotes and escapes, good
 * enough to tell which inputs the pending finding below concerns.) */
static int control_in_strings(const uint8_t *p, size_t n)
{
	int in = 0;
	for (size_t i = 0; i < n; i++) {
		if (!in) {
			in = p[i] == '"';
		} else if (p[i] == '\\' && i + 1 < n) {
			if (strchr("\"\\/", p[i + 1]) == NULL)
				return 1; /* \b \f \n \r \t \uXXXX or bad */
			i++;
		} else if (p[i] == '"') {
			in = 0;
		} else if (p[i] < 0x20) {
			return 1;
		}
	}
	return 0;
}

/* Every message line is "fuzz.json: PATH: REASON": the file first, and
 * as many lines as errors reported. */
static void check_messages(const uint8_t *data, size_t size,
			   const char *msgs, size_t len, int n)
{
	/* pending: keys and names are quoted with their control
	 * characters, so a newline in one splits its message: for such an
	 * input only the first line and the count of newlines hold */
	int split = control_in_strings(data, size) &&
		    fz_pending("scenario-control-characters");
	int lines = 0, bad = 0;
	const char *p = msgs, *end = msgs + len, *first_bad = NULL;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		FZ_CHECK(nl != NULL, "an error message without a newline: "
			 "\"%.*s\"", (int)(end - p), p);
		int ok = strncmp(p, NAME ": ", strlen(NAME ": ")) == 0 &&
			 memchr(p + strlen(NAME ": "), ':',
				(size_t)(nl - p) - strlen(NAME ": ")) != NULL;
		if (!ok && first_bad == NULL)
			first_bad = p;
		bad += !ok;
		lines++;
		p = nl + 1;
	}
	int want = n < MAX_ERRORS ? n : MAX_ERRORS;
	if (split) {
		FZ_CHECK(len == 0 ||
			 strncmp(msgs, NAME ": ", strlen(NAME ": ")) == 0,
			 "the first error message does not name the file");
		FZ_CHECK(lines >= want, "%d errors (at most %d shown) but %d "
			 "lines", n, MAX_ERRORS, lines);
		return;
	}
	FZ_CHECK(bad == 0, "an error message is not FILE: PATH: REASON: "
		 "\"%.*s\"", first_bad ? (int)strcspn(first_bad, "\n") : 0,
		 first_bad ? first_bad : "");
	FZ_CHECK(lines == want, "%d errors (at most %d shown) but %d lines",
		 n, MAX_ERRORS, lines);
}

/* The check's report, its summary and its count agree. */
static int check_topology(const struct scn *s, int split)
{
	char *rep = NULL;
	size_t rep_len = 0;
	FILE *f = open_memstream(&rep, &rep_len);
	FZ_CHECK(f != NULL, "open_memstream failed");
	struct scn_check_summary sum;
	memset(&sum, 0xff, sizeof sum);
	enum sn_err err = scn_check_ex(s, f, 0, &sum);
	fclose(f);
	FZ_CHECK(err == SN_OK, "scn_check_ex: %s", sn_strerror(err));
	FZ_CHECK(sum.problems == sum.errors + sum.warnings &&
		 sum.errors >= 0 && sum.warnings >= 0,
		 "scn_check_ex: %d problems, %d errors, %d warnings",
		 sum.problems, sum.errors, sum.warnings);
	FZ_CHECK(sum.buses == s->nbuses && sum.hosts == s->nhosts,
		 "scn_check_ex counted %d buses, %d hosts of %d, %d",
		 sum.buses, sum.hosts, s->nbuses, s->nhosts);
	/* problem lines; "note: " lines inform and count as none */
	int lines = 0;
	const char *last = rep, *start = rep;
	for (size_t i = 0; i < rep_len; i++) {
		if (rep[i] != '\n')
			continue;
		lines += strncmp(start, "note: ", 6) != 0;
		start = rep + i + 1;
		if (i + 1 < rep_len)
			last = start;
	}
	FZ_CHECK(rep_len > 0 && rep[rep_len - 1] == '\n',
		 "scn_check's report does not end with a newline");
	/* pending (scenario-control-characters): a name with a newline
	 * splits its line, the summary's too */
	FZ_CHECK(split || strncmp(last, "check ", 6) == 0,
		 "scn_check's report does not end with its summary line");
	FZ_CHECK(split || lines == sum.problems + 1, "scn_check: %d problems "
		 "in %d report lines plus the summary", sum.problems,
		 lines - 1);
	int count = scn_check(s, NULL);
	FZ_CHECK(count == sum.problems,
		 "scn_check counts %d problems, scn_check_ex %d", count,
		 sum.problems);
	free(rep);
	return sum.errors;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct scn *s = NULL, *again = NULL;
	char *msgs = NULL, *msgs2 = NULL;
	size_t len = 0, len2 = 0;
	int n = load(data, size, &s, &msgs, &len);
	check_messages(data, size, msgs, len, n);
	int n2 = load(data, size, &again, &msgs2, &len2);
	FZ_CHECK(n2 == n && len2 == len && memcmp(msgs, msgs2, len) == 0,
		 "the same text loaded twice gave different messages");
	scn_free(again);
	free(msgs);
	free(msgs2);
	if (s == NULL)
		return 0;

	int split = control_in_strings(data, size) &&
		    fz_pending("scenario-control-characters");
	int errors = check_topology(s, split);
	struct scn_world *w = NULL;
	char why[256] = "";
	enum sn_err err = scn_world_build(s, &w, why, sizeof why);
	/* pending: a workdist naming a worker twice loads and checks clean,
	 * then fails to build with SN_EEXIST (its port taken twice) */
	int dup_ok = err == SN_EEXIST &&
		     fz_pending("scenario-workdist-duplicate-worker");
	FZ_CHECK(err == SN_OK || err == SN_EINVAL || dup_ok,
		 "scn_world_build: %s (%s)", sn_strerror(err), why);
	FZ_CHECK(err == SN_OK || why[0] != '\0',
		 "scn_world_build failed without saying why");
	FZ_CHECK(err == SN_OK || errors > 0 || dup_ok,
		 "the check found no error, but the build failed: %s", why);
	if (err == SN_OK)
		scn_world_destroy(w);
	scn_free(s);
	return 0;
}
