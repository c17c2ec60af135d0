/* cli.h - shared helpers of the scsinet command's subcommands. */
#ifndef CLI_H
#define CLI_H

#include <stdint.h>

#include "sim_time.h"

/* Exit statuses of the scsinet command. */
enum {
	CLI_OK = 0,      /* success */
	CLI_FAIL = 1,    /* the run worked and found problems, or failed */
	CLI_USAGE = 2,   /* bad input: command line or input files */
};

/* Parse an unsigned integer option value in [min, max]; on failure print
 * "scsinet: OPTION: 'TEXT' is ..." to stderr and return -1. */
int cli_parse_u64(const char *opt, const char *text, uint64_t min,
		  uint64_t max, uint64_t *out);

/* Parse a duration option value (sim_time_parse); same error reporting. */
int cli_parse_time(const char *opt, const char *text, sim_time_t *out);

/* The same, refusing values outside [min, max] ("... is out of range
 * 1us..100000s"). */
int cli_parse_time_range(const char *opt, const char *text, sim_time_t min,
			 sim_time_t max, sim_time_t *out);

/* mkdir -p: 0, or -1 with errno set. */
int cli_make_dirs(const char *path);

struct scn;
struct scn_world;
/* Load scenario `file` with the --set overrides, put the protocol checker
 * on every bus if `check`, and build it; every complaint goes to stderr
 * as "scsinet CMD: FILE: ...".  Returns CLI_OK with *s and *w set (the
 * caller frees both), or CLI_USAGE (bad input) / CLI_FAIL (no memory).
 * run, view and check all open a scenario here, so that they accept and
 * refuse the same files. */
int cli_open_world(const char *cmd, const char *file,
		   const char *const *sets, int nsets, int check,
		   struct scn **s, struct scn_world **w);

int cli_demo(int argc, char **argv);
int cli_run(int argc, char **argv);
int cli_defaults(int argc, char **argv);
int cli_check(int argc, char **argv);   /* cli_check.c */
int cli_sweep(int argc, char **argv);   /* cli_sweep.c */
int cli_gen(int argc, char **argv);     /* cli_gen.c */
int cli_view(int argc, char **argv);    /* cli_view.c */

#endif
