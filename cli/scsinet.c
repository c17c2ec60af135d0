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
	      "  sweep SCENARIO.json --vary KEY=V1,V2,... [--vary ...] --out DIR\n"
	      "      [--jobs N] [--metric PATH]... [--set KEY=VALUE]...\n"
	      "          run the cross product in parallel; sweep.csv and\n"
	      "          gnuplot graphs (PNG, SVG)\n"
	      "  gen grid|torus|hypercube [OPTIONS]\n"
	      "          write a regular topology as a scenario; `scsinet gen\n"
	      "          --help` for the shapes and options\n"
	      "  view SCENARIO.json [--bus NAME] [--snapshot FILE.png --at T]\n"
	      "          watch the scenario live in an SDL2 window (topology,\n"
	      "          logic analyser, decoded protocol), or render it to a\n"
	      "          PNG at a time; `scsinet view --help` for the keys\n"
	      "  defaults\n"
	      "          print the scenario defaults and where they come from\n"
	      "  demo [--seed N] [--lps N] [--events N] [--timing]\n"
	      "          run the built-in engine demonstration (PHOLD)\n"
	      "  version print the version\n"
	      "  help    print this text\n"
	      "\n"
	      "exit status: 0 success, 1 failure, 2 bad input\n", out);
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
	if (strcmp(cmd, "sweep") == 0)
		return cli_sweep(argc - 1, argv + 1);
	if (strcmp(cmd, "gen") == 0)
		return cli_gen(argc - 1, argv + 1);
	if (strcmp(cmd, "view") == 0)
		return cli_view(argc - 1, argv + 1);
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
