/*
 * cli_check.c - `scsinet check`: load a scenario and check it as a buyer
 * would before ordering hardware (scn_check.h), without running it.  The
 * report goes to stdout, load errors to stderr.  The scenario is opened
 * as `run` opens it (cli_open_world: loaded, validated and built, not
 * run), so that check refuses, with exit 2, every file run refuses.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "scn.h"
#include "scn_check.h"
#include "scn_world.h"

#define MAX_SETS 64

static void check_usage(FILE *out)
{
	fputs("usage: scsinet check SCENARIO.json [--quiet] "
	      "[--set KEY=VALUE]...\n"
	      "\n"
	      "Checks a scenario without running it: SCSI IDs and devices per\n"
	      "bus, cable length against SCSI-2's limits, adapter width and\n"
	      "speed against the bus, IP addressing, and every host against\n"
	      "every address of every other host through the routes.\n"
	      "One line per problem, \"PATH: what is wrong, and why it "
	      "matters\",\n"
	      "then a summary line.\n"
	      "\n"
	      "  --quiet          only the summary line\n"
	      "  --set KEY=VALUE  override a scenario value by its JSON path\n"
	      "                   first, e.g. --set buses[0].length=2m\n"
	      "\n"
	      "exit status: 0 no problems, 1 problems found, 2 the scenario\n"
	      "could not be read or built, as `scsinet run` would refuse it\n"
	      "(its errors are on stderr), or bad options\n",
	      out);
}

int cli_check(int argc, char **argv)
{
	const char *file = NULL;
	const char *sets[MAX_SETS];
	int nsets = 0, quiet = 0;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			check_usage(stdout);
			return CLI_OK;
		} else if (strcmp(a, "--quiet") == 0 || strcmp(a, "-q") == 0) {
			quiet = 1;
		} else if (strcmp(a, "--set") == 0) {
			if (i + 1 >= argc) {
				fprintf(stderr, "scsinet check: --set: missing "
						"value\n");
				return CLI_USAGE;
			}
			if (nsets == MAX_SETS) {
				fprintf(stderr, "scsinet check: at most %d "
						"overrides\n", MAX_SETS);
				return CLI_USAGE;
			}
			sets[nsets++] = argv[++i];
		} else if (a[0] == '-') {
			fprintf(stderr, "scsinet check: unknown option '%s'\n",
				a);
			check_usage(stderr);
			return CLI_USAGE;
		} else if (file == NULL) {
			file = a;
		} else {
			fprintf(stderr, "scsinet check: one scenario at a time "
					"('%s' and '%s')\n", file, a);
			return CLI_USAGE;
		}
	}
	if (file == NULL) {
		check_usage(stderr);
		return CLI_USAGE;
	}
	struct scn *s = NULL;
	struct scn_world *w = NULL;
	int opened = cli_open_world("check", file, sets, nsets, 0, &s, &w);
	if (opened != CLI_OK)
		return opened;
	scn_world_destroy(w); /* the last guard only: nothing runs */
	struct scn_check_summary sum;
	enum sn_err err = scn_check_ex(s, stdout, quiet ? SCN_CHECK_QUIET : 0,
				       &sum);
	scn_free(s);
	if (err != SN_OK) {
		fprintf(stderr, "scsinet check: %s: %s\n", file,
			sn_strerror(err));
		return CLI_FAIL;
	}
	if (fflush(stdout) != 0) {
		fprintf(stderr, "scsinet check: writing the report failed\n");
		return CLI_FAIL;
	}
	return sum.problems > 0 ? CLI_FAIL : CLI_OK;
}
