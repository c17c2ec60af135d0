/*
 * cli_util.c - option parsing the subcommands share (cli.h).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "scn.h"
#include "scn_world.h"
#include "sn_error.h"

int cli_parse_u64(const char *opt, const char *text, uint64_t min,
		  uint64_t max, uint64_t *out)
{
	if (text == NULL) {
		fprintf(stderr, "scsinet: %s: missing value\n", opt);
		return -1;
	}
	char *end;
	errno = 0;
	if (text[0] < '0' || text[0] > '9') {
		fprintf(stderr, "scsinet: %s: '%s' is not a non-negative "
				"integer\n", opt, text);
		return -1;
	}
	uintmax_t v = strtoumax(text, &end, 10);
	if (*end != '\0') {
		fprintf(stderr, "scsinet: %s: '%s' is not a non-negative "
				"integer\n", opt, text);
		return -1;
	}
	if (errno == ERANGE || v < min || v > max) {
		fprintf(stderr, "scsinet: %s: %s is out of range %" PRIu64
				"..%" PRIu64 "\n", opt, text, min, max);
		return -1;
	}
	*out = (uint64_t)v;
	return 0;
}

int cli_parse_time(const char *opt, const char *text, sim_time_t *out)
{
	if (text == NULL) {
		fprintf(stderr, "scsinet: %s: missing value\n", opt);
		return -1;
	}
	enum sn_err err = sim_time_parse(text, out);
	if (err == SN_ERANGE) {
		fprintf(stderr, "scsinet: %s: '%s' is longer than the clock "
				"holds (about 213 days)\n", opt, text);
		return -1;
	}
	if (err != SN_OK) {
		fprintf(stderr, "scsinet: %s: '%s' is not a duration (a "
				"decimal number and a unit, ps, ns, us, ms or "
				"s: e.g. 2.4us, 250ms, 45ns)\n", opt, text);
		return -1;
	}
	return 0;
}

int cli_parse_time_range(const char *opt, const char *text, sim_time_t min,
			 sim_time_t max, sim_time_t *out)
{
	sim_time_t t;
	if (cli_parse_time(opt, text, &t) != 0)
		return -1;
	if (t < min || t > max) {
		char a[SIM_TIME_FORMAT_MAX], b[SIM_TIME_FORMAT_MAX];
		sim_time_format(min, a, sizeof a);
		sim_time_format(max, b, sizeof b);
		fprintf(stderr, "scsinet: %s: %s is out of range %s..%s\n", opt,
			text, a, b);
		return -1;
	}
	*out = t;
	return 0;
}

int cli_make_dirs(const char *path)
{
	char buf[1024];
	if (strlen(path) >= sizeof buf)
		return -1;
	snprintf(buf, sizeof buf, "%s", path);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0777) != 0 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	return mkdir(buf, 0777) != 0 && errno != EEXIST ? -1 : 0;
}

int cli_open_world(const char *cmd, const char *file,
		   const char *const *sets, int nsets, int check,
		   struct scn **s, struct scn_world **w)
{
	struct scn_errors errs = { .out = stderr, .max = 50 };
	*s = NULL;
	*w = NULL;
	int n = scn_load(file, sets, nsets, &errs, s);
	if (n > 0) {
		fprintf(stderr, "scsinet %s: %s: %d error%s%s\n", cmd, file, n,
			n == 1 ? "" : "s",
			n > errs.max ? " (the first 50 shown)" : "");
		return CLI_USAGE;
	}
	if (check)
		(*s)->check = 1;
	char why[256] = "";
	enum sn_err err = scn_world_build(*s, w, why, sizeof why);
	if (err != SN_OK) {
		fprintf(stderr, "scsinet %s: %s: %s\n", cmd, file,
			why[0] ? why : sn_strerror(err));
		scn_free(*s);
		*s = NULL;
		return err == SN_ENOMEM ? CLI_FAIL : CLI_USAGE;
	}
	return CLI_OK;
}
