/*
 * cli_sweep_run.c - the runs of `scsinet sweep` (cli_sweep.c describes
 * the command): each point a child process (fork, no exec) that loads,
 * builds, runs and writes it; up to --jobs of them at a time; the output
 * folder; and stopping cleanly on SIGINT, SIGTERM and SIGHUP.
 *
 * A run writes DIR/points/NNN.part/ and renames it to NNN/ once both its
 * files are written and closed without error, so a point is whole or
 * absent, whatever happens to the run (a full disk, a signal).  When the
 * sweep is told to stop, it starts no more runs, kills the ones going
 * on (SIGKILL: they hold nothing but their NNN.part/, which is removed)
 * and reaps every one before it returns.  The parent waits for its own
 * children by pid, never with waitpid(-1), so that a caller's other
 * children (a test harness's) are not taken from it.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include "cli.h"
#include "cli_sweep_priv.h"
#include "scn.h"
#include "scn_world.h"

/* --- points ---------------------------------------------------------------- */

void sw_point_index(const struct sweep *sw, int p, int *idx)
{
	for (int k = sw->nvary - 1; k >= 0; k--) {
		idx[k] = p % sw->vary[k].values.n;
		p /= sw->vary[k].values.n;
	}
}

/* "hosts[*].adapters[*].mtu=576, buses[*].width=wide", for messages. */
void sw_point_name(const struct sweep *sw, int p, char *buf, size_t len)
{
	int idx[MAX_VARY];
	sw_point_index(sw, p, idx);
	size_t at = 0;
	buf[0] = '\0';
	for (int k = 0; k < sw->nvary && at < len; k++)
		at += (size_t)snprintf(buf + at, len - at, "%s%s=%s",
				       k ? ", " : "", sw->vary[k].key,
				       sw->vary[k].values.v[idx[k]]);
}

/* The point's --set list: the fixed ones, then the varied ones (so that
 * a varied key wins over a --set of the same key). */
static int point_sets(const struct sweep *sw, int p, struct strv *out)
{
	int idx[MAX_VARY];
	sw_point_index(sw, p, idx);
	for (int i = 0; i < sw->sets.n; i++)
		if (sw_strv_push(out, sw->sets.v[i]) != 0)
			return -1;
	for (int k = 0; k < sw->nvary; k++) {
		const struct vary *v = &sw->vary[k];
		for (int i = 0; i < v->paths.n; i++) {
			char buf[PATH_MAX_ + KEY_MAX];
			snprintf(buf, sizeof buf, "%s=%s", v->paths.v[i],
				 v->values.v[idx[k]]);
			if (sw_strv_push(out, buf) != 0)
				return -1;
		}
	}
	return 0;
}

void sw_point_dir(const struct sweep *sw, int p, char *buf, size_t len)
{
	snprintf(buf, len, "%s/points/%0*d", sw->outdir, sw->digits, p);
}

/* Close `f`, written without error if `ok`: 0, or -1 with errno set. */
static int close_checked(FILE *f, int ok)
{
	int e = errno;
	if (ferror(f))
		ok = 0;
	if (fflush(f) != 0) {
		ok = 0;
		e = errno;
	}
	if (fclose(f) != 0 && ok) {
		ok = 0;
		e = errno;
	}
	errno = e;
	return ok ? 0 : -1;
}

/* Write point p's results.json and summary.txt into DIR/points/NNN.part/
 * and rename that to DIR/points/NNN when both are complete: a reader (or
 * a sweep stopped half-way) never sees a point half-written. */
static int write_point(const struct sweep *sw, int p, const char *name,
		       struct scn_world *w)
{
	char dir[PATH_MAX_], part[PATH_MAX_ + 8], path[PATH_MAX_ + 32];
	sw_point_dir(sw, p, dir, sizeof dir);
	snprintf(part, sizeof part, "%s.part", dir);
	const char *bad = part;
	if (mkdir(part, 0777) != 0)
		goto fail;
	bad = path;
	snprintf(path, sizeof path, "%s/results.json", part);
	FILE *f = fopen(path, "w");
	if (f == NULL || close_checked(f, scn_world_results_json(w, f) == 0))
		goto fail;
	snprintf(path, sizeof path, "%s/summary.txt", part);
	f = fopen(path, "w");
	if (f == NULL)
		goto fail;
	fprintf(f, "point %0*d: %s\n", sw->digits, p, name);
	scn_world_summary(w, f);
	if (close_checked(f, 1) != 0)
		goto fail;
	bad = dir;
	if (rename(part, dir) != 0)
		goto fail;
	return 0;
fail:
	fprintf(stderr, "scsinet sweep: point %0*d (%s): %s: cannot write: "
			"%s\n", sw->digits, p, name, bad,
		errno ? strerror(errno) : "write error");
	sw_remove_part(sw, p);
	return -1;
}

void sw_remove_part(const struct sweep *sw, int p)
{
	char dir[PATH_MAX_], path[PATH_MAX_ + 32];
	sw_point_dir(sw, p, dir, sizeof dir);
	/* Only the names a point writes: never a folder's whole contents. */
	snprintf(path, sizeof path, "%s.part/results.json", dir);
	unlink(path);
	snprintf(path, sizeof path, "%s.part/summary.txt", dir);
	unlink(path);
	snprintf(path, sizeof path, "%s.part", dir);
	rmdir(path);
}

/* Load and, if `run`, build, run and write one point: the body of a
 * child.  Without `run` it only checks that the point loads and builds
 * (the parent does that for every point before starting any). */
static int do_point(const struct sweep *sw, int p, int run)
{
	struct strv sets = { 0 };
	if (point_sets(sw, p, &sets) != 0) {
		sw_strv_free(&sets);
		return PT_NOMEM;
	}
	char name[1024];
	sw_point_name(sw, p, name, sizeof name);
	struct scn_errors errs = { .out = stderr, .max = 10 };
	struct scn *s = NULL;
	int n = scn_load(sw->file, (const char *const *)sets.v, sets.n, &errs,
			 &s);
	sw_strv_free(&sets);
	if (n > 0) {
		fprintf(stderr, "scsinet sweep: point %0*d (%s): %d error%s\n",
			sw->digits, p, name, n, n == 1 ? "" : "s");
		return PT_LOAD;
	}
	char why[256] = "";
	struct scn_world *w = NULL;
	enum sn_err err = scn_world_build(s, &w, why, sizeof why);
	if (err != SN_OK) {
		fprintf(stderr, "scsinet sweep: point %0*d (%s): %s: %s\n",
			sw->digits, p, name, sw->file,
			why[0] ? why : sn_strerror(err));
		scn_free(s);
		return err == SN_ENOMEM ? PT_NOMEM : PT_LOAD;
	}
	int rc = PT_OK;
	if (run) {
		scn_world_run(w, s->duration, NULL, NULL);
		if (write_point(sw, p, name, w) != 0)
			rc = PT_WRITE;
		else if (!scn_world_ok(w))
			rc = PT_UNBALANCED;
	}
	scn_world_destroy(w);
	scn_free(s);
	return rc;
}

int sw_check_point(const struct sweep *sw, int p)
{
	return do_point(sw, p, 0);
}

void sw_free(struct sweep *sw)
{
	for (int k = 0; k < sw->nvary; k++) {
		sw_strv_free(&sw->vary[k].values);
		sw_strv_free(&sw->vary[k].paths);
	}
	sw_strv_free(&sw->sets_given);
	sw_strv_free(&sw->sets);
	free(sw->col);
	free(sw->val);
	free(sw->status);
	sw->col = NULL;
	sw->val = NULL;
	sw->status = NULL;
}

/* --- stopping: SIGINT, SIGTERM, SIGHUP ------------------------------------- */

/* A process has one set of signal dispositions, so this state is the
 * file's, not a sweep's.  The handler only notes the signal; the sweep
 * looks at it where it can stop cleanly (before each point, while it
 * waits for the runs, between the output steps). */
static const int stop_sigs[] = { SIGINT, SIGTERM, SIGHUP };
#define NSTOP ((int)(sizeof stop_sigs / sizeof stop_sigs[0]))
static volatile sig_atomic_t stop_signal;
static struct sigaction saved_stop[NSTOP], saved_chld;

static void on_stop(int sig)
{
	stop_signal = sig;
}

/* SIGCHLD must have a handler for sigsuspend() to return when a run
 * ends (its default action is to discard it). */
static void on_child(int sig)
{
	(void)sig;
}

/* Catch the stop signals, except one that was ignored when the sweep
 * began (nohup, a background job of a non-interactive shell): the user
 * asked for the sweep not to stop on it. */
void sw_catch_signals(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	stop_signal = 0;
	for (int i = 0; i < NSTOP; i++) {
		sigaction(stop_sigs[i], NULL, &saved_stop[i]);
		if (saved_stop[i].sa_handler == SIG_IGN)
			continue;
		sa.sa_handler = on_stop;
		sigaction(stop_sigs[i], &sa, NULL);
	}
	sa.sa_handler = on_child;
	sa.sa_flags = SA_RESTART | SA_NOCLDSTOP;
	sigaction(SIGCHLD, &sa, &saved_chld);
}

void sw_restore_signals(void)
{
	for (int i = 0; i < NSTOP; i++)
		sigaction(stop_sigs[i], &saved_stop[i], NULL);
	sigaction(SIGCHLD, &saved_chld, NULL);
}

const char *sw_signal_name(int sig)
{
	return sig == SIGINT ? "SIGINT" : sig == SIGTERM ? "SIGTERM"
		: sig == SIGHUP ? "SIGHUP" : "a signal";
}

int sw_stop_signal(void)
{
	return stop_signal;
}

/* --- running the points ------------------------------------------------------ */

/* Where the runs are: the progress line (on a terminal only). */
struct tally {
	int next, running, done, total, tty;
};

static void point_done(struct sweep *sw, struct tally *t, int p, int status)
{
	sw->status[p] = status;
	t->done++;
	if (!t->tty)
		return;
	fprintf(stderr, "\r  sweep: %d/%d points done", t->done, t->total);
	if (t->done == t->total)
		fputc('\n', stderr);
}

struct slot {
	pid_t pid;
	int p;
};

/* The child: point p's run.  It starts with the stop signals blocked
 * (the parent's mask while it forks) and caught by the parent's handler.
 * It ignores them: whether a ^C reaches the whole process group or a
 * kill only the parent, the parent decides, and stops every run the same
 * way (SIGKILL, then removes its NNN.part/).  A run killed by a signal
 * of its own would look like a failed point; under valgrind, it would
 * also report the run's memory as leaked. */
static void run_child(struct sweep *sw, int p, struct slot *slot,
		      const sigset_t *mask, pid_t parent)
{
	sw_restore_signals();
	for (int i = 0; i < NSTOP; i++)
		signal(stop_sigs[i], SIG_IGN);
	sigprocmask(SIG_SETMASK, mask, NULL);
#ifdef __linux__
	/* If the sweep itself is killed (SIGKILL, which it cannot catch),
	 * its runs must not go on writing into DIR without it. */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		raise(SIGKILL); /* it died before prctl(): the same end */
#else
	(void)parent;
#endif
	int rc = do_point(sw, p, 1);
	free(slot);
	sw_free(sw);
	/* _exit: not the parent's atexit handlers and stdio buffers (a
	 * test harness's, say). */
	_exit(rc);
}

static int exit_code(int st)
{
	return WIFEXITED(st) ? WEXITSTATUS(st)
	       : WIFSIGNALED(st) ? 128 + WTERMSIG(st) : PT_LOST;
}

/* Run every point, `jobs` at a time, filling sw->status.  Returns 0, or
 * the stop signal that ended it early: then every run still going has
 * been killed and reaped (and its NNN.part removed) before this returns,
 * so nothing writes into DIR after the sweep has stopped, and the points
 * not run have status PT_STOPPED. */
int sw_run_points(struct sweep *sw)
{
	struct tally t = { .total = sw->npoints, .tty = isatty(2) };
	for (int p = 0; p < sw->npoints; p++)
		sw->status[p] = PT_STOPPED;
	struct slot *slot = calloc((size_t)sw->jobs, sizeof *slot);
	if (slot == NULL) {
		for (int p = 0; p < sw->npoints; p++)
			point_done(sw, &t, p, PT_NOMEM);
		return 0;
	}
	/* Blocked but for sigsuspend(), which unblocks them and waits in
	 * one step: a signal between a check and the wait is not lost. */
	sigset_t block, old, wait_mask;
	sigemptyset(&block);
	sigaddset(&block, SIGCHLD);
	for (int i = 0; i < NSTOP; i++)
		sigaddset(&block, stop_sigs[i]);
	sigprocmask(SIG_BLOCK, &block, &old);
	wait_mask = old;
	sigdelset(&wait_mask, SIGCHLD);
	pid_t self = getpid();
	if (t.tty)
		fprintf(stderr, "  sweep: 0/%d points done", t.total);
	while (t.next < t.total || t.running > 0) {
		/* A signal pending while we were busy is taken here, even
		 * when no wait comes (runs that end as soon as they start). */
		sigprocmask(SIG_SETMASK, &old, NULL);
		sigprocmask(SIG_BLOCK, &block, NULL);
		if (stop_signal)
			break;
		while (!stop_signal && t.running < sw->jobs &&
		       t.next < t.total) {
			/* Nothing buffered may be written twice. */
			fflush(stdout);
			fflush(stderr);
			pid_t c = fork();
			if (c == 0)
				run_child(sw, t.next, slot, &old, self);
			if (c < 0) {
				/* Out of processes: wait for one of ours to
				 * end, or fail the point if none is left. */
				if (t.running > 0)
					break;
				point_done(sw, &t, t.next++, PT_FORK);
				continue;
			}
			slot[t.running].pid = c;
			slot[t.running].p = t.next++;
			t.running++;
		}
		/* Our own children only, by pid: never another's (a test
		 * harness's, say). */
		int reaped = 0;
		for (int i = 0; i < t.running;) {
			int st;
			pid_t w = waitpid(slot[i].pid, &st, WNOHANG);
			if (w == 0) {
				i++;
				continue;
			}
			if (w < 0 && errno == EINTR)
				continue;
			sw_remove_part(sw, slot[i].p);
			point_done(sw, &t, slot[i].p,
				   w < 0 ? PT_LOST : exit_code(st));
			slot[i] = slot[--t.running];
			reaped++;
		}
		if (!reaped && t.running > 0 && !stop_signal)
			sigsuspend(&wait_mask);
	}
	for (int i = 0; i < t.running; i++) {
		kill(slot[i].pid, SIGKILL);
		int st;
		pid_t w;
		while ((w = waitpid(slot[i].pid, &st, 0)) < 0 &&
		       errno == EINTR)
			;
		sw_remove_part(sw, slot[i].p);
		/* It may have ended on its own just before. */
		sw->status[slot[i].p] = w > 0 && WIFEXITED(st) ? WEXITSTATUS(st)
							     : PT_STOPPED;
	}
	if (t.tty && t.done < t.total)
		fputc('\n', stderr);
	sigprocmask(SIG_SETMASK, &old, NULL);
	free(slot);
	return stop_signal;
}

/* --- the output folder ------------------------------------------------------- */

/* The names a sweep writes in DIR.  A DIR holding any of them is not
 * used: a sweep never replaces files it did not write itself. */
static const char *const own_names[] = {
	SW_INCOMPLETE, "sweep.csv", "sweep.gp", "gnuplot.log", "graphs",
	"points",
};

/* Can the sweep write into `dir`?  Asked before anything runs and
 * without creating anything (a bad point found later must leave no
 * folder behind); sw_create_outdir() makes it. */
int sw_check_outdir(const char *dir)
{
	const char *why = NULL;
	char path[PATH_MAX_];
	struct stat st;
	if (dir[0] == '\0') {
		fprintf(stderr, "scsinet sweep: --out: an empty path\n");
		return -1;
	}
	/* Room for DIR/points/NNNNN.part/results.json */
	if (strlen(dir) > PATH_MAX_ - 48) {
		fprintf(stderr, "scsinet sweep: --out %.60s...: too long (at "
				"most %d characters)\n", dir, PATH_MAX_ - 48);
		return -1;
	}
	if (stat(dir, &st) == 0) {
		if (!S_ISDIR(st.st_mode))
			why = "it exists and is not a directory";
		for (size_t i = 0; why == NULL && i < sizeof own_names /
						     sizeof own_names[0]; i++) {
			snprintf(path, sizeof path, "%s/%s", dir, own_names[i]);
			if (lstat(path, &st) != 0)
				continue;
			fprintf(stderr, "scsinet sweep: --out %s: it already "
					"holds %s (%s), and a sweep replaces "
					"nothing: remove it or choose another "
					"--out\n", dir,
				i == 0 ? "an unfinished sweep" : "a sweep",
				path);
			return -1;
		}
		if (why == NULL && access(dir, W_OK | X_OK) != 0)
			why = strerror(errno);
		if (why != NULL) {
			fprintf(stderr, "scsinet sweep: --out %s: %s\n", dir,
				why);
			return -1;
		}
		return 0;
	}
	if (errno != ENOENT) {
		fprintf(stderr, "scsinet sweep: --out %s: %s\n", dir,
			strerror(errno));
		return -1;
	}
	/* It will be made: its nearest existing ancestor must be a
	 * directory we may write in. */
	snprintf(path, sizeof path, "%s", dir);
	for (;;) {
		char *slash = strrchr(path, '/');
		while (slash != NULL && slash > path && slash[-1] == '/')
			slash--;
		if (slash == NULL)
			snprintf(path, sizeof path, ".");
		else if (slash == path)
			path[1] = '\0';
		else
			*slash = '\0';
		if (stat(path, &st) == 0)
			break;
		if (errno != ENOENT) {
			fprintf(stderr, "scsinet sweep: --out %s: %s: %s\n", dir,
				path, strerror(errno));
			return -1;
		}
	}
	if (!S_ISDIR(st.st_mode))
		why = "is not a directory";
	else if (access(path, W_OK | X_OK) != 0)
		why = strerror(errno);
	if (why != NULL) {
		fprintf(stderr, "scsinet sweep: --out %s: cannot create it: "
				"%s: %s\n", dir, path, why);
		return -1;
	}
	return 0;
}

/* Make DIR, DIR/INCOMPLETE and DIR/points/.  INCOMPLETE is created
 * exclusively: of two sweeps started on one DIR at once, the second
 * stops here. */
int sw_create_outdir(const struct sweep *sw)
{
	char path[PATH_MAX_ + 32];
	if (cli_make_dirs(sw->outdir) != 0) {
		fprintf(stderr, "scsinet sweep: --out %s: cannot create it: "
				"%s\n", sw->outdir, strerror(errno));
		return -1;
	}
	snprintf(path, sizeof path, "%s/%s", sw->outdir, SW_INCOMPLETE);
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0666);
	if (fd < 0) {
		fprintf(stderr, "scsinet sweep: %s: %s\n", path,
			errno == EEXIST ? "another sweep is writing into this "
					  "directory" : strerror(errno));
		return -1;
	}
	FILE *f = fdopen(fd, "w");
	int bad = f == NULL;
	if (f != NULL) {
		sw_write_incomplete(sw, f, 0, NULL);
		bad = ferror(f) || fflush(f) != 0;
		bad |= fclose(f) != 0;
	} else {
		close(fd);
	}
	if (!bad) {
		snprintf(path, sizeof path, "%s/points", sw->outdir);
		bad = mkdir(path, 0777) != 0;
	}
	if (bad) {
		fprintf(stderr, "scsinet sweep: %s: cannot write: %s\n", path,
			strerror(errno));
		return -1;
	}
	return 0;
}
