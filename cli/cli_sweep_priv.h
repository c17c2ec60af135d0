/*
 * cli_sweep_priv.h - what the three files of `scsinet sweep` share: the
 * command line and the keys (cli_sweep.c), the runs, the output folder
 * and stopping (cli_sweep_run.c), and what is made of the runs' results
 * (cli_sweep_out.c: the table, sweep.csv, the graphs, INCOMPLETE).
 * Nothing outside cli/cli_sweep*.c includes it.
 */
#ifndef CLI_SWEEP_PRIV_H
#define CLI_SWEEP_PRIV_H

#include <stddef.h>
#include <stdio.h>

#define MAX_VARY 8
#define MAX_VALUES 256          /* per --vary */
/* At most 10000 points in one sweep.  Each point is a whole run: the
 * shipped scenarios take 0.7 to 5 s each on the project's 2-core machine
 * (README, Performance), so 10000 of them are 2 to 14 CPU-hours, a night
 * on a few cores, and each is also loaded and built once before the
 * first runs.  A bigger product (8 --vary of 256 values make 2^64) is a
 * slip on the command line far more often than a plan, and is refused
 * before anything starts. */
#define MAX_POINTS 10000
#define MAX_METRICS 32          /* --metric */
#define MAX_FLOW_COLUMNS 16
#define MAX_JOBS 1024
#define KEY_MAX 256
#define PATH_MAX_ 512           /* our paths; not the system's PATH_MAX */
#define SW_INCOMPLETE "INCOMPLETE" /* in DIR while it is not finished */

/* Exit codes of a point's child process, beyond 0 (ran and balanced). */
enum {
	PT_OK = 0,
	PT_UNBALANCED = 1,      /* ran; ledger or checker not ok */
	PT_LOAD = 2,            /* could not load or build (the parent had) */
	PT_WRITE = 3,           /* results.json could not be written */
	PT_NOMEM = 4,
	PT_FORK = -1,           /* (parent) fork failed */
	PT_LOST = -2,           /* (parent) the child was never seen again */
	PT_UNREADABLE = -3,     /* (parent) results.json unreadable */
	PT_STOPPED = -4,        /* (parent) not run, or killed: a stop */
};

/* A growing list of strings it owns. */
struct strv {
	char **v;
	int n, cap;
};

struct vary {
	char key[KEY_MAX];       /* as given: "hosts[*].adapters[*].mtu" */
	struct strv values;      /* as given: "576", "narrow" */
	struct strv paths;       /* key with [*] expanded: concrete paths */
};

enum col_kind {
	COL_UDP_SUM,
	COL_PING_RTT,
	COL_DELIVERED,
	COL_DROPPED,
	COL_FLOW,
	COL_PATH,
};

struct column {
	enum col_kind kind;
	char name[KEY_MAX];      /* header and legend name */
	char unit[24];           /* "" when unknown */
	char title[KEY_MAX + 32]; /* graph title */
	char slug[KEY_MAX];      /* graph file name, without extension */
	char arg[KEY_MAX];       /* COL_FLOW: label; COL_PATH: path */
	int seen;                /* some point had a value */
};

struct sweep {
	const char *file, *outdir;
	struct vary vary[MAX_VARY];
	int nvary;
	struct strv sets_given;  /* --set, --seed, --duration as given */
	struct strv sets;        /* ... with [*] expanded */
	const char *metric[MAX_METRICS];
	int nmetric;
	int jobs;
	int npoints, digits;
	char scenario[64];       /* the scenario's name */
	struct column *col;
	int ncol;
	double *val;             /* npoints x ncol; NaN: no value */
	int *status;             /* per point, PT_* or 128 + signal */
};

struct cJSON;
struct scn;

/* cli_sweep.c */
int sw_strv_push(struct strv *s, const char *text);
void sw_strv_free(struct strv *s);
/* The node at a concrete `path` below `j` (a leading '.' is allowed), or
 * NULL. */
const struct cJSON *sw_json_walk(const struct cJSON *j, const char *path);
/* The whole file, NUL-terminated (malloc'ed; at most 64 MiB), or NULL. */
char *sw_read_file(const char *path);

/* cli_sweep_run.c */
/* Point p's index into each --vary list. */
void sw_point_index(const struct sweep *sw, int p, int *idx);
/* "hosts[*].adapters[*].mtu=576, buses[*].width=wide", for messages. */
void sw_point_name(const struct sweep *sw, int p, char *buf, size_t len);
/* DIR/points/NNN: a complete point (its run writes NNN.part and
 * renames it). */
void sw_point_dir(const struct sweep *sw, int p, char *buf, size_t len);
/* Remove what point p's run left in DIR/points/NNN.part, if anything. */
void sw_remove_part(const struct sweep *sw, int p);
/* Load and build point p (then throw it away), as its run will: PT_OK,
 * PT_LOAD (the loader's messages are on stderr) or PT_NOMEM. */
int sw_check_point(const struct sweep *sw, int p);
/* Can the sweep write into `dir` (and is there no sweep in it)?  Asks
 * without creating anything; 0, or -1 with the reason on stderr. */
int sw_check_outdir(const char *dir);
/* Make DIR, DIR/INCOMPLETE (exclusively) and DIR/points/; 0 or -1 with
 * the reason on stderr. */
int sw_create_outdir(const struct sweep *sw);
/* Run every point, sw->jobs at a time, filling sw->status.  Returns 0,
 * or the stop signal that ended it early (see sw_catch_signals). */
int sw_run_points(struct sweep *sw);
/* From now on SIGINT, SIGTERM and SIGHUP (those not ignored) ask the
 * sweep to stop, rather than end the process; sw_stop_signal() says
 * which came, 0 if none.  sw_restore_signals() puts back what was. */
void sw_catch_signals(void);
void sw_restore_signals(void);
int sw_stop_signal(void);
const char *sw_signal_name(int sig);
void sw_free(struct sweep *sw);

/* cli_sweep_out.c */
/* The columns: the built-in metrics, one per UDP flow of the scenario `s`
 * (loaded with the fixed --set), then --metric.  -1: out of memory. */
int sw_make_columns(struct sweep *sw, const struct scn *s);
/* Read every point's results.json into sw->val (NaN where none). */
void sw_collect(struct sweep *sw);
/* Write DIR/sweep.csv, DIR/sweep.gp and, with gnuplot, DIR/graphs/
 * (each graph checked to be whole), naming on stderr each path that
 * could not be written and the first of them in `missing` (untouched if
 * none).  Stops between steps on a stop signal.  CLI_OK or CLI_FAIL. */
int sw_write_outputs(const struct sweep *sw, char *missing, size_t len);
/* The text of DIR/INCOMPLETE: while the sweep runs (sig 0, why NULL),
 * after a stop by `sig` (`why`: when), or when every point ran but
 * `why` could not be written.  After a stop it lists the complete
 * points, and returns how many there are (else 0). */
int sw_write_incomplete(const struct sweep *sw, FILE *f, int sig,
			const char *why);
/* The same into `path` (written whole or not at all); -1 with errno. */
int sw_write_incomplete_file(const struct sweep *sw, const char *path,
			     int sig, const char *why);
/* The varied values and the built-in metrics, aligned, on stdout. */
void sw_print_table(const struct sweep *sw);
/* Why point p failed, on stderr. */
void sw_describe_failure(const struct sweep *sw, int p);

#endif
