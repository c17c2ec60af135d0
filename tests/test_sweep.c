/*
 * test_sweep.c - `scsinet sweep` (cli/cli_sweep.c) end to end, called as
 * a function with an argv: a 2 x 2 sweep of scenarios/sweep-mtu-width.json
 * over the MTU and the bus width gives a table with a row per point and
 * the columns the header names, goodput that grows with the MTU (the
 * 60000-byte datagrams are fragmented below it) and with the width, PNG
 * and SVG graphs; the same sweep with a different number of parallel
 * runs gives the same table byte for byte; bad input exits 2 before
 * anything runs (a point count that overflows, --jobs, an --out that
 * cannot be used or already holds a sweep); a point that cannot be
 * written makes the sweep exit 1; without gnuplot the sweep succeeds and
 * leaves the script.  Under a file size limit (a full disk, without
 * root) each output in turn fails, the sweep names it and exits 1, and
 * nothing is left half-written; stopped by SIGINT or SIGTERM after its
 * first point, it stops and reaps every run, exits 130 or 143, and
 * leaves only whole points and DIR/INCOMPLETE listing them.  sweep.csv
 * quotes what RFC 4180 says to quote; graph file names are [a-z0-9-].
 *
 * The sweep forks one child per point.  That works under Check's fork
 * mode (the children are the test's) and under CK_FORK=no (the children
 * leave with _exit, so the runner's state is not touched twice); so do
 * the sweeps the tests run in a child of their own.
 * Run from the top of the source tree, as `make test` does.
 */
#include <check.h>
#include <cjson/cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "suites.h"


#define SCENARIO "scenarios/sweep-mtu-width.json"
/* 100 ms: the flow runs 50 ms, a handful of 60000-byte datagrams at
 * every point, enough to order the points and short under valgrind. */
#define DURATION "100ms"

/* rm -r: a sweep's output folder. */
static void remove_tree(const char *path)
{
	DIR *d = opendir(path);
	if (d != NULL) {
		struct dirent *e;
		while ((e = readdir(d)) != NULL) {
			if (strcmp(e->d_name, ".") == 0 ||
			    strcmp(e->d_name, "..") == 0)
				continue;
			char sub[1024];
			snprintf(sub, sizeof sub, "%s/%s", path, e->d_name);
			remove_tree(sub);
		}
		closedir(d);
		rmdir(path);
	} else {
		unlink(path);
	}
}

static void make_tmpdir(char *buf, size_t len)
{
	snprintf(buf, len, "/tmp/scsinet_sweep_XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(buf));
}

/* cli_sweep() with argv "sweep", args...: writable copies, as main()'s
 * would be. */
static int run_sweep(const char *const *args, int n)
{
	char *argv[40];
	ck_assert_msg(cli_sweep != NULL, "cli/cli_sweep.c is not linked "
					 "into this test binary");
	ck_assert_int_lt(n, 39);
	argv[0] = strdup("sweep");
	for (int i = 0; i < n; i++)
		argv[i + 1] = strdup(args[i]);
	argv[n + 1] = NULL;
	/* The sweep's table goes to stdout; keep it out of Check's report
	 * (its messages on stderr stay, to explain a failure). */
	fflush(stdout);
	int saved = dup(1), null = open("/dev/null", O_WRONLY);
	ck_assert_int_ge(saved, 0);
	ck_assert_int_ge(null, 0);
	dup2(null, 1);
	close(null);
	int rc = cli_sweep(n + 1, argv);
	fflush(stdout);
	dup2(saved, 1);
	close(saved);
	for (int i = 0; i <= n; i++)
		free(argv[i]);
	return rc;
}

/* The whole file, NUL-terminated (malloc'ed), or NULL. */
static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (f == NULL)
		return NULL;
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *buf = malloc((size_t)n + 1);
	ck_assert_ptr_nonnull(buf);
	ck_assert_uint_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	if (len)
		*len = (size_t)n;
	return buf;
}

/* Split `text` in place into lines (a last newline ends the last line),
 * or a line into comma-separated fields (the test's table has no quoted
 * fields). */
static int split(char *text, char sep, char **out, int max)
{
	int n = 0;
	char *p = text;
	while (*p && n < max) {
		out[n++] = p;
		char *e = strchr(p, sep);
		if (e == NULL)
			break;
		*e = '\0';
		p = e + 1;
	}
	return n;
}

static long file_size(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 ? (long)st.st_size : -1;
}

static int exists(const char *dir, const char *name)
{
	char path[2048];
	struct stat st;
	snprintf(path, sizeof path, "%s/%s", dir, name);
	return lstat(path, &st) == 0;
}

/* The next record of RFC 4180 text at *p: its fields (malloc'ed) in f,
 * their number returned; 0 at the end of the text. */
static int csv_record(const char **p, char **f, int max)
{
	const char *s = *p;
	if (*s == '\0')
		return 0;
	int n = 0;
	for (;;) {
		char buf[2048];
		size_t len = 0;
		if (*s == '"') {
			for (s++;; s++) {
				ck_assert_msg(*s != '\0', "an unterminated quote");
				if (*s == '"' && s[1] != '"')
					break;
				if (*s == '"')
					s++;
				ck_assert_uint_lt(len, sizeof buf - 1);
				buf[len++] = *s;
			}
			s++;
		} else {
			for (; *s && *s != ',' && *s != '\n' && *s != '\r'; s++) {
				ck_assert_msg(*s != '"', "a quote in an unquoted "
						       "field");
				ck_assert_uint_lt(len, sizeof buf - 1);
				buf[len++] = *s;
			}
		}
		buf[len] = '\0';
		ck_assert_int_lt(n, max);
		f[n++] = strdup(buf);
		if (*s != ',')
			break;
		s++;
	}
	ck_assert_msg(*s == '\0' || *s == '\n' || (s[0] == '\r' && s[1] == '\n'),
		      "a field ends with '%c'", *s);
	s += *s == '\r' ? 2 : *s == '\n';
	*p = s;
	return n;
}

static void free_fields(char **f, int n)
{
	for (int i = 0; i < n; i++)
		free(f[i]);
}

/* --- a sweep in a child process ----------------------------------------- */

/* A sweep run in a child of the test, in a process group of its own:
 * with a file size limit (RLIMIT_FSIZE, and SIGXFSZ ignored, so that a
 * write past it fails with EFBIG as on a full disk, without root), its
 * stdout to a given file (/dev/full, say), and a signal sent once a path
 * exists. */
struct child_opts {
	rlim_t fsize;             /* 0: no limit */
	const char *stdout_to;    /* NULL: /dev/null */
	const char *when;         /* send sig once this exists */
	int sig;
	int to_group;             /* to the whole group, as ^C on a terminal */
};

struct child_result {
	int status;               /* its exit status, or 128 + signal */
	int killed;               /* it did not exit: a signal killed it */
	int left;                 /* some process of its group outlived it */
	char err[16384];          /* what it wrote on stderr */
};

static void sweep_in_child(const char *const *args, int n,
			   const struct child_opts *o, struct child_result *r)
{
	int pfd[2];
	ck_assert_int_lt(n, 60);
	ck_assert_int_eq(pipe(pfd), 0);
	fflush(stdout);
	fflush(stderr);
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		/* No ck_assert here: this is not the test's process. */
		setpgid(0, 0);
		close(pfd[0]);
		int out = open(o->stdout_to ? o->stdout_to : "/dev/null",
			       O_WRONLY);
		if (out < 0 || dup2(out, 1) < 0 || dup2(pfd[1], 2) < 0)
			_exit(99);
		close(out);
		close(pfd[1]);
		/* As in a shell's foreground job, whatever the test runner
		 * was started with. */
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGHUP, SIG_DFL);
		if (o->fsize) {
			struct rlimit rl = { o->fsize, o->fsize };
			signal(SIGXFSZ, SIG_IGN);
			if (setrlimit(RLIMIT_FSIZE, &rl) != 0)
				_exit(98);
		}
		char *argv[64];
		argv[0] = strdup("sweep");
		for (int i = 0; i < n; i++)
			argv[i + 1] = strdup(args[i]);
		argv[n + 1] = NULL;
		int rc = cli_sweep(n + 1, argv);
		for (int i = 0; i <= n; i++)
			free(argv[i]);
		_exit(rc);
	}
	setpgid(pid, pid);
	close(pfd[1]);
	fcntl(pfd[0], F_SETFL, O_NONBLOCK);
	size_t got = 0;
	int sent = 0, st = 0;
	time_t deadline = time(NULL) + 300;
	for (;;) {
		ssize_t k;
		while (got < sizeof r->err - 1 &&
		       (k = read(pfd[0], r->err + got,
				 sizeof r->err - 1 - got)) > 0)
			got += (size_t)k;
		if (o->when && !sent && access(o->when, F_OK) == 0) {
			kill(o->to_group ? -pid : pid, o->sig);
			sent = 1;
		}
		if (waitpid(pid, &st, WNOHANG) == pid)
			break;
		if (time(NULL) > deadline) {
			kill(-pid, SIGKILL);
			ck_abort_msg("the sweep did not end");
		}
		/* A millisecond: as soon as the point is there, and not
		 * a busy loop beside the runs. */
		struct timespec ms = { 0, 1000000 };
		nanosleep(&ms, NULL);
	}
	/* The sweep has returned: none of its runs may still be going (it
	 * would write into DIR after the sweep said it had stopped). */
	r->left = kill(-pid, 0) == 0 || errno != ESRCH;
	if (r->left)
		kill(-pid, SIGKILL);
	ssize_t k;
	while (got < sizeof r->err - 1 &&
	       (k = read(pfd[0], r->err + got, sizeof r->err - 1 - got)) > 0)
		got += (size_t)k;
	r->err[got] = '\0';
	close(pfd[0]);
	r->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	r->killed = !WIFEXITED(st);
	ck_assert_msg(o->when == NULL || sent, "the sweep ended before %s "
			"was there: %s", o->when, r->err);
	ck_assert_msg(!r->left, "a run outlived the sweep");
}

static void assert_said(const struct child_result *r, const char *text)
{
	ck_assert_msg(strstr(r->err, text) != NULL, "stderr does not say "
			"\"%s\":\n%s", text, r->err);
}

static const char *const two_by_two[] = {
	SCENARIO, "--duration", DURATION,
	"--vary", "hosts[*].adapters[*].mtu=576,9000",
	"--vary", "buses[*].width=narrow,wide",
};
#define N_TWO_BY_TWO ((int)(sizeof two_by_two / sizeof two_by_two[0]))

static int sweep_2x2(const char *dir, const char *jobs)
{
	const char *args[N_TWO_BY_TWO + 4];
	memcpy(args, two_by_two, sizeof two_by_two);
	args[N_TWO_BY_TWO] = "--out";
	args[N_TWO_BY_TWO + 1] = dir;
	args[N_TWO_BY_TWO + 2] = "--jobs";
	args[N_TWO_BY_TWO + 3] = jobs;
	return run_sweep(args, N_TWO_BY_TWO + 4);
}

static void assert_file_starts(const char *dir, const char *name,
			       const char *magic1, const char *magic2)
{
	char path[512];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	size_t len = 0;
	char *text = slurp(path, &len);
	ck_assert_msg(text != NULL, "%s is missing", path);
	ck_assert_msg(len > 100, "%s has %zu bytes", path, len);
	ck_assert_msg(memcmp(text, magic1, strlen(magic1)) == 0 ||
			      (magic2 && memcmp(text, magic2,
						strlen(magic2)) == 0),
		      "%s does not start as it should", path);
	free(text);
}

START_TEST(table_and_graphs)
{
	char dir[64];
	make_tmpdir(dir, sizeof dir);
	ck_assert_int_eq(sweep_2x2(dir, "2"), CLI_OK);

	char path[512];
	snprintf(path, sizeof path, "%s/sweep.csv", dir);
	char *csv = slurp(path, NULL);
	ck_assert_ptr_nonnull(csv);
	char *line[16];
	ck_assert_int_eq(split(csv, '\n', line, 16), 5);
	char *head[16];
	ck_assert_int_eq(split(line[0], ',', head, 16), 7);
	ck_assert_str_eq(head[0], "hosts[*].adapters[*].mtu");
	ck_assert_str_eq(head[1], "buses[*].width");
	ck_assert_str_eq(head[2], "udp_goodput_sum (bytes/s)");
	ck_assert_str_eq(head[3], "ping_rtt_mean (us)");
	ck_assert_str_eq(head[4], "delivered (datagrams)");
	ck_assert_str_eq(head[5], "dropped (datagrams)");
	ck_assert_str_eq(head[6], "udp-1.goodput (bytes/s)");
	/* Points in nested-loop order, the last key fastest. */
	static const char *const want[4][2] = {
		{ "576", "narrow" }, { "576", "wide" },
		{ "9000", "narrow" }, { "9000", "wide" },
	};
	double goodput[4];
	for (int r = 0; r < 4; r++) {
		char *f[16];
		ck_assert_int_eq(split(line[r + 1], ',', f, 16), 7);
		ck_assert_str_eq(f[0], want[r][0]);
		ck_assert_str_eq(f[1], want[r][1]);
		goodput[r] = strtod(f[2], NULL);
		ck_assert_msg(goodput[r] > 1e6, "row %d: goodput %s", r, f[2]);
		ck_assert_double_gt(strtod(f[3], NULL), 0);  /* pings answered */
		ck_assert_int_gt(atoi(f[4]), 0);
		ck_assert_str_eq(f[5], "0");
		/* One flow: its own goodput is the sum. */
		ck_assert_str_eq(f[6], f[2]);
	}
	/* Fragments of 576 bytes pay a command's overhead each; 16-bit
	 * transfers move twice the bytes per REQ/ACK. */
	ck_assert_double_gt(goodput[2], goodput[0]);
	ck_assert_double_gt(goodput[3], goodput[1]);
	ck_assert_double_gt(goodput[1], goodput[0]);
	ck_assert_double_gt(goodput[3], goodput[2]);
	free(csv);

	/* Graph names: the column's number, its name in [a-z0-9-]. */
	static const char *const metric[] = { "00-udp-goodput-sum",
					      "01-ping-rtt-mean", "02-delivered",
					      "03-dropped", "04-udp-1-goodput" };
	for (size_t m = 0; m < sizeof metric / sizeof metric[0]; m++) {
		char name[128];
		snprintf(name, sizeof name, "graphs/%s.png", metric[m]);
		assert_file_starts(dir, name, "\x89PNG\r\n\x1a\n", NULL);
		snprintf(name, sizeof name, "graphs/%s.svg", metric[m]);
		assert_file_starts(dir, name, "<?xml", "<svg");
	}
	assert_file_starts(dir, "sweep.gp", "#", NULL);
	for (int p = 0; p < 4; p++) {
		char name[64];
		snprintf(name, sizeof name, "points/%03d/results.json", p);
		assert_file_starts(dir, name, "{", NULL);
	}
	/* Finished: no mark of an unfinished sweep, no temporary files. */
	ck_assert(!exists(dir, "INCOMPLETE"));
	ck_assert(!exists(dir, "sweep.csv.tmp"));
	ck_assert(!exists(dir, "sweep.gp.tmp"));
	ck_assert(!exists(dir, "points/000.part"));
	remove_tree(dir);
}
END_TEST

START_TEST(same_table_whatever_the_order)
{
	/* One run at a time, then all four at once: the runs finish in
	 * other orders, the table must not change. */
	char a[64], b[64], path[512];
	make_tmpdir(a, sizeof a);
	make_tmpdir(b, sizeof b);
	ck_assert_int_eq(sweep_2x2(a, "1"), CLI_OK);
	ck_assert_int_eq(sweep_2x2(b, "4"), CLI_OK);
	size_t la = 0, lb = 0;
	snprintf(path, sizeof path, "%s/sweep.csv", a);
	char *ta = slurp(path, &la);
	snprintf(path, sizeof path, "%s/sweep.csv", b);
	char *tb = slurp(path, &lb);
	ck_assert_ptr_nonnull(ta);
	ck_assert_ptr_nonnull(tb);
	ck_assert_uint_eq(la, lb);
	ck_assert_mem_eq(ta, tb, la);
	free(ta);
	free(tb);
	remove_tree(a);
	remove_tree(b);
}
END_TEST

/* Each of these is refused (exit 2) before any point runs. */
static const char *const bad_args[][8] = {
	{ "--vary", "hosts[0].adapters[0].mtu" },              /* no = */
	{ "--vary", "hosts[0].adapters[0].mtu=" },             /* no value */
	{ "--vary", "hosts[0].adapters[0].mtu=576,,1500" },    /* empty */
	{ "--vary", "hosts[0].adapters[0].mtu=576,576" },      /* twice */
	{ "--vary", "hosts[x].adapters[0].mtu=576" },          /* index */
	{ "--vary", "=576" },                                  /* no key */
	{ "--vary", "hosts[*].nothing[*].mtu=576" },           /* no match */
	{ "--vary", "hosts[*].adapters[*].mtu=10,1500" },      /* range */
	{ "--vary", "buses[*].width=narrow,thin" },            /* value */
	{ "--vary", "hosts[9].adapters[0].mtu=576" },          /* no host */
	{ "--vary", "buses[*].width=wide", "--bogus" },        /* option */
	{ "--vary", "buses[*].width=wide", "--jobs", "0" },
	{ "--vary", "buses[*].width=wide", "--jobs", "1025" },
	{ "--vary", "buses[*].width=wide", "--jobs", "99999999999999999999999" },
	{ "--vary", "buses[*].width=wide", "--jobs", "-1" },
	{ "--vary", "buses[*].width=wide", "--jobs", "2x" },
	{ "--vary", "buses[*].width=wide", "--metric", "a[*]" },
	{ "--vary", "buses[*].width=wide", "--vary", "buses[*].width=narrow" },
	{ "--vary", "buses[*].width=wide", "--set", "nothing[*].x=1" },
	{ "--duration", "1s" },                                /* no --vary */
};

START_TEST(bad_input_exits_2)
{
	char dir[64], path[600];
	make_tmpdir(dir, sizeof dir);
	snprintf(path, sizeof path, "%s/out", dir);
	const char *args[16] = { SCENARIO, "--out", path };
	int n = 3;
	for (int i = 0; i < 8 && bad_args[_i][i]; i++)
		args[n++] = bad_args[_i][i];
	ck_assert_int_eq(run_sweep(args, n), CLI_USAGE);
	/* Nothing was run or written. */
	struct stat st;
	ck_assert_int_ne(stat(path, &st), 0);
	remove_tree(dir);
}
END_TEST

START_TEST(missing_arguments_exit_2)
{
	const char *no_out[] = { SCENARIO, "--vary", "buses[*].width=wide" };
	ck_assert_int_eq(run_sweep(no_out, 3), CLI_USAGE);
	const char *no_file[] = { "--out", "/tmp/x", "--vary",
				  "buses[*].width=wide" };
	ck_assert_int_eq(run_sweep(no_file, 4), CLI_USAGE);
	const char *missing[] = { "/nonexistent/x.json", "--out", "/tmp/x",
				  "--vary", "buses[*].width=wide" };
	ck_assert_int_eq(run_sweep(missing, 5), CLI_USAGE);
	const char *no_value[] = { SCENARIO, "--out" };
	ck_assert_int_eq(run_sweep(no_value, 2), CLI_USAGE);
	ck_assert_int_eq(run_sweep(NULL, 0), CLI_USAGE);
}
END_TEST

START_TEST(failed_point_exits_1)
{
	/* Point 001's results.json is longer than point 000's (its flow
	 * has a longer label); with a file size limit between the two, 001
	 * cannot be written: it fails, and the other is still run and
	 * tabulated.  (The output folder must be new, so the obstacle
	 * cannot be put there in advance.) */
	static const char label[] = "a-label-of-thirty-one-character";
	char ref[64], dir[64], path[600], vary[128];
	make_tmpdir(ref, sizeof ref);
	make_tmpdir(dir, sizeof dir);
	snprintf(vary, sizeof vary, "traffic[1].label=u,%s", label);
	const char *args[] = { SCENARIO, "--duration", "60ms", "--out", ref,
			       "--vary", vary };
	ck_assert_int_eq(run_sweep(args, 7), CLI_OK);
	snprintf(path, sizeof path, "%s/points/000/results.json", ref);
	long r0 = file_size(path);
	snprintf(path, sizeof path, "%s/points/001/results.json", ref);
	long r1 = file_size(path);
	snprintf(path, sizeof path, "%s/sweep.csv", ref);
	long csv_size = file_size(path);
	ck_assert_msg(r1 > r0 + 16 && csv_size < r0,
		      "results %ld and %ld bytes, table %ld", r0, r1, csv_size);

	args[4] = dir;
	struct child_opts o = { .fsize = (rlim_t)(r0 + (r1 - r0) / 2) };
	struct child_result *r = calloc(1, sizeof *r);
	ck_assert_ptr_nonnull(r);
	sweep_in_child(args, 7, &o, r);
	ck_assert_int_eq(r->status, CLI_FAIL);
	assert_said(r, "points/001.part/results.json: cannot write");
	assert_said(r, "point 001 (traffic[1].label=a-label-of-thirty-one-"
		       "character) failed");
	ck_assert(exists(dir, "points/000/results.json"));
	ck_assert(exists(dir, "points/000/summary.txt"));
	ck_assert(!exists(dir, "points/001"));
	ck_assert(!exists(dir, "points/001.part"));
	snprintf(path, sizeof path, "%s/sweep.csv", dir);
	char *csv = slurp(path, NULL);
	ck_assert_ptr_nonnull(csv);
	char *line[8];
	ck_assert_int_eq(split(csv, '\n', line, 8), 3);
	ck_assert_msg(strtod(strchr(line[1], ',') + 1, NULL) > 1e6,
		      "point 000: %s", line[1]);
	snprintf(path, sizeof path, "%s,,,,,", label);   /* no values */
	ck_assert_str_eq(line[2], path);
	free(csv);
	free(r);
	remove_tree(ref);
	remove_tree(dir);
}
END_TEST

START_TEST(no_gnuplot_still_succeeds)
{
	char dir[64], empty[64], path[600];
	make_tmpdir(dir, sizeof dir);
	make_tmpdir(empty, sizeof empty);
	const char *old = getenv("PATH");
	char *saved = old ? strdup(old) : NULL;
	ck_assert_int_eq(setenv("PATH", empty, 1), 0);
	/* Also: --metric columns by JSON path. */
	const char *args[] = { SCENARIO, "--duration", "60ms", "--out", dir,
			       "--vary", "buses[*].width=narrow,wide",
			       "--metric", "traffic[1].goodput_bytes_per_s",
			       "--metric", "conservation.balanced" };
	int rc = run_sweep(args, 11);
	if (saved) {
		setenv("PATH", saved, 1);
		free(saved);
	} else {
		unsetenv("PATH");
	}
	ck_assert_int_eq(rc, CLI_OK);
	snprintf(path, sizeof path, "%s/graphs/00-udp-goodput-sum.png", dir);
	struct stat st;
	ck_assert_int_ne(stat(path, &st), 0);
	ck_assert(!exists(dir, "INCOMPLETE"));  /* a success */
	/* The script is there to draw them later. */
	snprintf(path, sizeof path, "%s/sweep.gp", dir);
	char *gp = slurp(path, NULL);
	ck_assert_ptr_nonnull(gp);
	ck_assert_ptr_nonnull(strstr(gp, "set terminal pngcairo"));
	ck_assert_ptr_nonnull(strstr(gp, "graphs/00-udp-goodput-sum.svg"));
	free(gp);
	snprintf(path, sizeof path, "%s/sweep.csv", dir);
	char *csv = slurp(path, NULL);
	ck_assert_ptr_nonnull(csv);
	char *line[8], *f[16];
	ck_assert_int_eq(split(csv, '\n', line, 8), 3);
	ck_assert_int_eq(split(line[0], ',', f, 16), 8);
	ck_assert_str_eq(f[6], "traffic[1].goodput_bytes_per_s (bytes/s)");
	ck_assert_str_eq(f[7], "conservation.balanced");
	ck_assert_int_eq(split(line[1], ',', f, 16), 8);
	ck_assert_str_eq(f[6], f[1]);   /* the same number as the sum */
	ck_assert_str_eq(f[7], "1");
	free(csv);
	remove_tree(dir);
	remove_tree(empty);
}
END_TEST

START_TEST(unknown_metric_exits_2)
{
	/* A path no results.json has is found only after the runs: the
	 * table is written, and the sweep says which metric. */
	char dir[64];
	make_tmpdir(dir, sizeof dir);
	const char *args[] = { SCENARIO, "--duration", "60ms", "--out", dir,
			       "--vary", "buses[*].width=wide",
			       "--metric", "traffic[7].goodput_bytes_per_s" };
	ck_assert_int_eq(run_sweep(args, 9), CLI_USAGE);
	remove_tree(dir);
}
END_TEST

/* "KEY=0,1,...,n-1" */
static void value_list(char *buf, size_t len, const char *key, int n)
{
	size_t at = (size_t)snprintf(buf, len, "%s=", key);
	for (int v = 0; v < n && at < len; v++)
		at += (size_t)snprintf(buf + at, len - at, "%s%d", v ? "," : "",
				       v);
	ck_assert_uint_lt(at, len);
}

START_TEST(too_many_points_exit_2)
{
	/* 8 keys of 256 values: 2^64 points, which wraps a 64-bit count to
	 * 0 (the sweep used to write an empty table and exit 0). */
	char dir[64], out[600];
	make_tmpdir(dir, sizeof dir);
	snprintf(out, sizeof out, "%s/out", dir);
	static char vary[8][16 + 256 * 4];
	const char *args[24] = { SCENARIO, "--out", out };
	int n = 3;
	for (int k = 0; k < 8; k++) {
		char key[8];
		snprintf(key, sizeof key, "k%d", k);
		value_list(vary[k], sizeof vary[k], key, 256);
		args[n++] = "--vary";
		args[n++] = vary[k];
	}
	struct child_opts o = { 0 };
	struct child_result *r = calloc(1, sizeof *r);
	ck_assert_ptr_nonnull(r);
	sweep_in_child(args, n, &o, r);
	ck_assert_int_eq(r->status, CLI_USAGE);
	assert_said(r, "--vary: 256^8 = 1.8e19 points; at most 10000");
	/* Just over the limit, with lists of different lengths. */
	value_list(vary[0], sizeof vary[0], "k0", 101);
	value_list(vary[1], sizeof vary[1], "k1", 100);
	sweep_in_child(args, 7, &o, r);
	ck_assert_int_eq(r->status, CLI_USAGE);
	assert_said(r, "--vary: 101 x 100 = 10100 points; at most 10000");
	struct stat st;
	ck_assert_int_ne(stat(out, &st), 0);  /* nothing was written */
	free(r);
	remove_tree(dir);
}
END_TEST

static void write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	ck_assert_int_eq(fclose(f), 0);
}

/* A sweep of one short point into `out`: its exit status, stderr in r. */
static int one_point(const char *out, struct child_result *r)
{
	const char *args[] = { SCENARIO, "--duration", "20ms", "--out", out,
			       "--vary", "buses[*].width=wide" };
	struct child_opts o = { 0 };
	sweep_in_child(args, 7, &o, r);
	return r->status;
}

START_TEST(out_that_cannot_be_used_exits_2)
{
	char dir[64], path[256], file[128];
	make_tmpdir(dir, sizeof dir);
	struct child_result *r = calloc(1, sizeof *r);
	ck_assert_ptr_nonnull(r);

	/* A file, and a path through a file. */
	snprintf(file, sizeof file, "%s/notes.txt", dir);
	write_text(file, "mine\n");
	ck_assert_int_eq(one_point(file, r), CLI_USAGE);
	assert_said(r, "is not a directory");
	snprintf(path, sizeof path, "%s/sub", file);
	ck_assert_int_eq(one_point(path, r), CLI_USAGE);
	assert_said(r, path);
	char *text = slurp(file, NULL);
	ck_assert_str_eq(text, "mine\n");
	free(text);

	/* Where even root cannot make a directory. */
	ck_assert_int_eq(one_point("/proc/scsinet-sweep-test", r), CLI_USAGE);
	assert_said(r, "--out /proc/scsinet-sweep-test: cannot create it");
	if (geteuid() != 0) {
		snprintf(path, sizeof path, "%s/ro", dir);
		ck_assert_int_eq(mkdir(path, 0555), 0);
		ck_assert_int_eq(one_point(path, r), CLI_USAGE);
		snprintf(path, sizeof path, "%s/ro/new", dir);
		ck_assert_int_eq(one_point(path, r), CLI_USAGE);
	}

	/* A directory with other files in it is used; they are left. */
	ck_assert_int_eq(one_point(dir, r), CLI_OK);
	text = slurp(file, NULL);
	ck_assert_str_eq(text, "mine\n");
	free(text);
	ck_assert(exists(dir, "sweep.csv"));

	/* ... but not a second time: it holds a sweep now. */
	size_t len1 = 0, len2 = 0;
	snprintf(path, sizeof path, "%s/sweep.csv", dir);
	char *before = slurp(path, &len1);
	ck_assert_int_eq(one_point(dir, r), CLI_USAGE);
	assert_said(r, "already holds a sweep");
	assert_said(r, "sweep.csv");
	char *after = slurp(path, &len2);
	ck_assert_uint_eq(len1, len2);
	ck_assert_mem_eq(before, after, len1);
	ck_assert(!exists(dir, "INCOMPLETE"));
	free(before);
	free(after);

	/* An unfinished one is not taken over either. */
	snprintf(path, sizeof path, "%s/half", dir);
	ck_assert_int_eq(mkdir(path, 0777), 0);
	char mark[300];
	snprintf(mark, sizeof mark, "%s/INCOMPLETE", path);
	write_text(mark, "stopped\n");
	ck_assert_int_eq(one_point(path, r), CLI_USAGE);
	assert_said(r, "already holds an unfinished sweep");
	ck_assert(!exists(path, "points"));
	text = slurp(mark, NULL);
	ck_assert_str_eq(text, "stopped\n");
	free(text);
	free(r);
	remove_tree(dir);
}
END_TEST

/* Full disk, file by file: the first output that does not fit under a
 * file size limit, which is set from a sweep without one. */
enum { FULL_POINTS, FULL_CSV, FULL_SCRIPT, FULL_GRAPHS, FULL_STDOUT };

START_TEST(full_disk_names_the_file)
{
	/* FULL_CSV: twelve long values make the table longer than a
	 * point's results.json, the longest file of a point. */
	static char vary[16 + 12 * 251];
	int at = snprintf(vary, sizeof vary, "description=");
	for (int i = 0; i < 12; i++) {
		at += snprintf(vary + at, sizeof vary - (size_t)at, "%s%02d",
			       i ? "," : "", i);
		for (int c = 0; c < 240; c++)
			vary[at++] = (char)('a' + c % 26);
		vary[at] = '\0';
	}
	char ref[64], dir[64], path[700];
	make_tmpdir(ref, sizeof ref);
	make_tmpdir(dir, sizeof dir);
	const char *args[] = { SCENARIO, "--duration", "20ms", "--out", ref,
			       "--vary", _i == FULL_CSV
					 ? vary : "buses[*].width=narrow,wide" };
	ck_assert_int_eq(run_sweep(args, 7), CLI_OK);
	long point_max = 0, graph_min = -1;
	int npoints = _i == FULL_CSV ? 12 : 2;
	for (int p = 0; p < npoints; p++)
		for (int f = 0; f < 2; f++) {
			snprintf(path, sizeof path, "%s/points/%03d/%s", ref, p,
				 f ? "summary.txt" : "results.json");
			long n = file_size(path);
			point_max = n > point_max ? n : point_max;
		}
	snprintf(path, sizeof path, "%s/sweep.csv", ref);
	long csv = file_size(path);
	snprintf(path, sizeof path, "%s/sweep.gp", ref);
	long gp = file_size(path);
	snprintf(path, sizeof path, "%s/graphs", ref);
	DIR *d = opendir(path);
	ck_assert_ptr_nonnull(d);
	for (struct dirent *e; (e = readdir(d)) != NULL;) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof path, "%s/graphs/%s", ref, e->d_name);
		long n = file_size(path);
		graph_min = graph_min < 0 || n < graph_min ? n : graph_min;
	}
	closedir(d);
	struct child_opts o = { 0 };
	const char *said = NULL;
	switch (_i) {
	case FULL_POINTS:
		o.fsize = 1024;
		ck_assert_int_gt(point_max, 1024);
		said = "points/000.part/results.json: cannot write";
		break;
	case FULL_CSV:
		ck_assert_int_lt(point_max + 16, csv);
		o.fsize = (rlim_t)(point_max + csv) / 2;
		said = "/sweep.csv: cannot write";
		break;
	case FULL_SCRIPT:
		ck_assert_int_lt(point_max + 16, gp);
		ck_assert_int_lt(csv + 16, gp);
		o.fsize = (rlim_t)((point_max > csv ? point_max : csv) + gp) / 2;
		said = "/sweep.gp: cannot write";
		break;
	case FULL_GRAPHS:
		ck_assert_int_lt(gp + 16, graph_min);
		o.fsize = (rlim_t)(gp + graph_min) / 2;
		said = "/graphs/";
		break;
	case FULL_STDOUT:
		o.stdout_to = "/dev/full";
		said = "standard output: cannot write";
		break;
	}
	args[4] = dir;
	struct child_result *r = calloc(1, sizeof *r);
	ck_assert_ptr_nonnull(r);
	sweep_in_child(args, 7, &o, r);
	ck_assert_int_eq(r->status, CLI_FAIL);
	assert_said(r, said);
	/* Nothing half-written under its own name, nothing left under a
	 * temporary one. */
	ck_assert(!exists(dir, "sweep.csv.tmp"));
	ck_assert(!exists(dir, "sweep.gp.tmp"));
	for (int p = 0; p < npoints; p++) {
		snprintf(path, sizeof path, "points/%03d.part", p);
		ck_assert(!exists(dir, path));
		snprintf(path, sizeof path, "points/%03d", p);
		ck_assert(exists(dir, path) == (_i != FULL_POINTS));
	}
	if (_i == FULL_CSV)
		ck_assert(!exists(dir, "sweep.csv"));
	if (_i == FULL_SCRIPT) {
		ck_assert(!exists(dir, "sweep.gp"));
		/* The table is whole: the same bytes as without a limit. */
		size_t la = 0, lb = 0;
		snprintf(path, sizeof path, "%s/sweep.csv", ref);
		char *a = slurp(path, &la);
		snprintf(path, sizeof path, "%s/sweep.csv", dir);
		char *b = slurp(path, &lb);
		ck_assert_ptr_nonnull(b);
		ck_assert_uint_eq(la, lb);
		ck_assert_mem_eq(a, b, la);
		free(a);
		free(b);
	}
	/* A folder with an output missing is marked so, with what. */
	if (_i == FULL_CSV || _i == FULL_SCRIPT || _i == FULL_GRAPHS) {
		snprintf(path, sizeof path, "%s/INCOMPLETE", dir);
		char *mark = slurp(path, NULL);
		ck_assert_ptr_nonnull(mark);
		ck_assert_ptr_nonnull(strstr(mark, _i == FULL_CSV ? "sweep.csv"
						  : _i == FULL_SCRIPT ? "sweep.gp"
								      : "graphs/"));
		free(mark);
	}
	free(r);
	remove_tree(ref);
	remove_tree(dir);
}
END_TEST

/* Stopped after its first point: SIGINT to the sweep, SIGTERM to its
 * whole process group (the runs get it too, as with ^C on a terminal). */
static const struct {
	int sig, to_group;
	const char *name;
} stops[] = {
	{ SIGINT, 0, "SIGINT" },
	{ SIGTERM, 1, "SIGTERM" },
};

START_TEST(stopped_sweep_leaves_complete_points)
{
	enum { N = 12 };
	char dir[64], when[600], path[700];
	make_tmpdir(dir, sizeof dir);
	snprintf(when, sizeof when, "%s/points/000", dir);
	const char *args[] = {
		SCENARIO, "--duration", "300ms", "--out", dir, "--jobs", "2",
		"--vary", "hosts[*].adapters[*].mtu=576,1000,1500,2000,3000,"
			  "4000,6000,9000,12000,20000,40000,65535",
	};
	struct child_opts o = { .when = when, .sig = stops[_i].sig,
				.to_group = stops[_i].to_group };
	struct child_result *r = calloc(1, sizeof *r);
	ck_assert_ptr_nonnull(r);
	sweep_in_child(args, 9, &o, r);
	/* A shell's status for a process stopped by that signal, but the
	 * sweep exits with it, having put DIR in order: it is not killed. */
	ck_assert_int_eq(r->status, 128 + stops[_i].sig);
	ck_assert(!r->killed);
	assert_said(r, "stopped by");

	/* No table or graphs of a partial sweep. */
	ck_assert(!exists(dir, "sweep.csv"));
	ck_assert(!exists(dir, "sweep.gp"));
	ck_assert(!exists(dir, "graphs"));
	/* Only complete points, each whole. */
	int complete[N] = { 0 }, k = 0;
	snprintf(path, sizeof path, "%s/points", dir);
	DIR *d = opendir(path);
	ck_assert_ptr_nonnull(d);
	for (struct dirent *e; (e = readdir(d)) != NULL;) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		char *end;
		long p = strtol(e->d_name, &end, 10);
		ck_assert_msg(*end == '\0' && strlen(e->d_name) == 3 && p >= 0 &&
				      p < N, "points/%s", e->d_name);
		complete[p] = 1;
		k++;
		snprintf(path, sizeof path, "%s/points/%s/results.json", dir,
			 e->d_name);
		char *text = slurp(path, NULL);
		ck_assert_ptr_nonnull(text);
		cJSON *j = cJSON_Parse(text);
		ck_assert_msg(j != NULL, "%s is not whole", path);
		ck_assert_ptr_nonnull(cJSON_GetObjectItem(j, "conservation"));
		cJSON_Delete(j);
		free(text);
		snprintf(path, sizeof path, "%s/points/%s/summary.txt", dir,
			 e->d_name);
		ck_assert_int_gt(file_size(path), 0);
	}
	closedir(d);
	ck_assert(complete[0]);
	ck_assert_msg(k < N, "all %d points ran before the stop", k);

	/* The mark says what stopped it and lists what is there. */
	snprintf(path, sizeof path, "%s/INCOMPLETE", dir);
	char *mark = slurp(path, NULL);
	ck_assert_ptr_nonnull(mark);
	char want[128];
	snprintf(want, sizeof want, "stopped by %s", stops[_i].name);
	ck_assert_msg(strstr(mark, want) != NULL, "%s", mark);
	snprintf(want, sizeof want, "%d of %d points", k, N);
	ck_assert_msg(strstr(mark, want) != NULL, "%s", mark);
	for (int p = 0; p < N; p++) {
		snprintf(want, sizeof want, "\n  %03d  hosts[*]", p);
		ck_assert_msg((strstr(mark, want) != NULL) == complete[p],
			      "point %d in %s", p, mark);
	}
	free(mark);
	free(r);
	remove_tree(dir);
}
END_TEST

START_TEST(csv_quoted_and_graph_names_safe)
{
	/* A flow label with the characters a name may hold beside letters
	 * and digits ('_', '.'; the loader refuses any other); --vary
	 * values with quotes and a semicolon (a CR or LF in a description
	 * is refused by the loader too). */
	char dir[64], path[600];
	make_tmpdir(dir, sizeof dir);
	const char *args[] = { SCENARIO, "--duration", "60ms", "--out", dir,
			       "--set", "traffic[1].label=Flow_1.x",
			       "--vary", "description=say \"hi\",two; \"b\"" };
	ck_assert_int_eq(run_sweep(args, 9), CLI_OK);
	snprintf(path, sizeof path, "%s/sweep.csv", dir);
	char *csv = slurp(path, NULL);
	ck_assert_ptr_nonnull(csv);
	const char *p = csv;
	char *f[16];
	int n = csv_record(&p, f, 16);
	ck_assert_int_eq(n, 6);
	ck_assert_str_eq(f[0], "description");
	ck_assert_str_eq(f[5], "Flow_1.x.goodput (bytes/s)");
	free_fields(f, n);
	static const char *const want[] = { "say \"hi\"", "two; \"b\"" };
	for (int r = 0; r < 2; r++) {
		n = csv_record(&p, f, 16);
		ck_assert_int_eq(n, 6);
		ck_assert_str_eq(f[0], want[r]);
		ck_assert_double_gt(strtod(f[1], NULL), 1e6);
		ck_assert_str_eq(f[5], f[1]);  /* the one flow's goodput */
		free_fields(f, n);
	}
	ck_assert_int_eq(csv_record(&p, f, 16), 0);
	free(csv);

	/* Graph files: NN-[a-z0-9-].png and .svg, whatever the names. */
	ck_assert(exists(dir, "graphs/04-flow-1-x-goodput.png"));
	ck_assert(exists(dir, "graphs/04-flow-1-x-goodput.svg"));
	snprintf(path, sizeof path, "%s/graphs", dir);
	DIR *d = opendir(path);
	ck_assert_ptr_nonnull(d);
	int files = 0;
	for (struct dirent *e; (e = readdir(d)) != NULL;) {
		const char *s = e->d_name;
		if (strcmp(s, ".") == 0 || strcmp(s, "..") == 0)
			continue;
		size_t len = strlen(s);
		ck_assert_msg(len > 7 && s[0] >= '0' && s[0] <= '9' &&
				      s[1] >= '0' && s[1] <= '9' && s[2] == '-',
			      "graphs/%s", s);
		ck_assert_msg(strcmp(s + len - 4, ".png") == 0 ||
				      strcmp(s + len - 4, ".svg") == 0,
			      "graphs/%s", s);
		for (size_t i = 3; i < len - 4; i++)
			ck_assert_msg((s[i] >= 'a' && s[i] <= 'z') ||
					      (s[i] >= '0' && s[i] <= '9') ||
					      s[i] == '-',
				      "graphs/%s", s);
		files++;
	}
	closedir(d);
	ck_assert_int_eq(files, 10);
	remove_tree(dir);
}
END_TEST

Suite *sweep_suite(void)
{
	Suite *s = suite_create("sweep");
	TCase *tc = tcase_create("sweep");
	/* Each sweep is several full runs (forked; under valgrind each
	 * child is slow too) and a gnuplot. */
	tcase_set_timeout(tc, 600);
	tcase_add_test(tc, table_and_graphs);
	tcase_add_test(tc, same_table_whatever_the_order);
	tcase_add_loop_test(tc, bad_input_exits_2, 0,
			    (int)(sizeof bad_args / sizeof bad_args[0]));
	tcase_add_test(tc, missing_arguments_exit_2);
	tcase_add_test(tc, failed_point_exits_1);
	tcase_add_test(tc, no_gnuplot_still_succeeds);
	tcase_add_test(tc, unknown_metric_exits_2);
	tcase_add_test(tc, too_many_points_exit_2);
	tcase_add_test(tc, out_that_cannot_be_used_exits_2);
	tcase_add_loop_test(tc, full_disk_names_the_file, FULL_POINTS,
			    FULL_STDOUT + 1);
	tcase_add_loop_test(tc, stopped_sweep_leaves_complete_points, 0,
			    (int)(sizeof stops / sizeof stops[0]));
	tcase_add_test(tc, csv_quoted_and_graph_names_safe);
	suite_add_tcase(s, tc);
	return s;
}
