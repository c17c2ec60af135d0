/*
 * scsinet.c - the scsinet command: dispatch to subcommands.
 *
 * Exit status: 0 success, 1 the run failed or found problems, 2 bad input
 * (unknown command or option, malformed value).  Library code never prints;
 * everything a user reads is printed here, in cli/.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#define SCSINET_VERSION "0.1.0"

static void usage(FILE *out)
{
	fputs("usage: scsinet COMMAND [OPTIONS]\n"
	      "\n"
	      "commands:\n"
	      "  run SCENARIO.json [--out DIR] [--seed N] [--duration T]\n"
	      "      [--set KEY=VALUE]... [--check] [--vcd FILE] [--pcap FILE]\n"
	      "          run a scenario; `scsinet run --help` for more\n"
	      "  check SCENARIO.json [--quiet] [--set KEY=VALUE]...\n"
	      "          validate a topology before buying hardware: IDs,\n"
	      "          cables, addressing, reachability, routing loops\n"
	      "  defaults\n"
	      "          print the scenario defaults and where they come from\n"
	      "  demo [--seed N] [--lps N] [--events N] [--timing]\n"
	      "          run the built-in engine demonstration (PHOLD)\n"
	      "  version print the version\n"
	      "  help    print this text\n"
	      "\n"
	      "exit status: 0 success, 1 failure, 2 bad input\n", out);
}

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
	if (err != SN_OK) {
		fprintf(stderr, "scsinet: %s: '%s' is not a duration (%s; "
				"write e.g. 2.4us, 250ms, 45ns)\n", opt, text,
			sn_strerror(err));
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return CLI_USAGE;
	}
	const char *cmd = argv[1];
	if (strcmp(cmd, "demo") == 0)
		return cli_demo(argc - 1, argv + 1);
	if (strcmp(cmd, "run") == 0)
		return cli_run(argc - 1, argv + 1);
	if (strcmp(cmd, "defaults") == 0)
		return cli_defaults(argc - 1, argv + 1);
	if (strcmp(cmd, "check") == 0)
		return cli_check(argc - 1, argv + 1);
	if (strcmp(cmd, "version") == 0 || strcmp(cmd, "--version") == 0) {
		printf("scsinet %s\n", SCSINET_VERSION);
		return CLI_OK;
	}
	if (strcmp(cmd, "help") == 0 || strcmp(cmd, "--help") == 0 ||
	    strcmp(cmd, "-h") == 0) {
		usage(stdout);
		return CLI_OK;
	}
	fprintf(stderr, "scsinet: unknown command '%s'\n", cmd);
	usage(stderr);
	return CLI_USAGE;
}
