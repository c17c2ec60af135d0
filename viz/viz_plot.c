/*
 * viz_plot.c - gnuplot scripts for line graphs, and running gnuplot
 * (see viz_plot.h).
 *
 * Script syntax follows the gnuplot 5.4 manual: datablocks ("inline data
 * blocks"), `reset`, the pngcairo and svg terminals, `xtic(column)` tick
 * labels.  gnuplot is started with fork() and execv() of the program
 * found on PATH rather than popen() or system(): no shell parses the
 * paths, and a pipe marked close-on-exec tells the parent whether exec
 * itself failed, which is how "gnuplot is not installed" is told apart
 * from "gnuplot failed".
 *
 * Strings from the caller (titles, labels, tick texts: in scsinet they
 * hold scenario names) reach the script only inside single-quoted
 * literals, where gnuplot substitutes neither backquotes nor macros, and
 * in datablock fields and comments; control characters become spaces in
 * all three, so no string can end a line and start a command.  gnuplot
 * itself runs confined (viz_sandbox.h): writes only in its directory, no
 * other program, no shell.
 */
#define _XOPEN_SOURCE 700 /* realpath() */
#include "viz_plot.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "viz_sandbox.h"

/* Every graph has this size: wide enough for a legend outside the plot
 * area on the right. */
#define PLOT_W 900
#define PLOT_H 540
#define KEY_SIDE_MAX 24  /* longest legend entry beside the plot */
#define KEY_LINE_PX 18   /* a legend line under the plot, 10 pt text */

/* One datablock name for every graph: gnuplot replaces a datablock that
 * is defined again, and a fixed name keeps graphs independent of their
 * order in the script. */
#define DATABLOCK "$sweep"

/* A gnuplot single-quoted string: only a quote needs escaping (doubled).
 * Control characters would end the command, so they become spaces. */
static void put_squoted(FILE *f, const char *s)
{
	fputc('\'', f);
	for (; *s; s++) {
		if (*s == '\'')
			fputs("''", f);
		else if ((unsigned char)*s < 0x20 || *s == 0x7f)
			fputc(' ', f);
		else
			fputc(*s, f);
	}
	fputc('\'', f);
}

/* A double-quoted field in a datablock, read by gnuplot's data parser,
 * which knows no escapes: a double quote inside becomes a single one. */
static void put_dquoted(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('\'', f);
		else if ((unsigned char)*s < 0x20 || *s == 0x7f)
			fputc(' ', f);
		else
			fputc(*s, f);
	}
	fputc('"', f);
}

/* Text in a "# " comment line: control characters would end the comment
 * and make the rest of the line a command. */
static void put_comment_text(FILE *f, const char *s)
{
	for (; *s; s++)
		fputc((unsigned char)*s < 0x20 || *s == 0x7f ? ' ' : *s, f);
}

/* %.17g gives back the same double when read; NaN is written as gnuplot
 * reads it (an undefined value: no point, and the line is broken). */
static void put_number(FILE *f, double v)
{
	if (isnan(v) || isinf(v))
		fputs("NaN", f);
	else
		fprintf(f, "%.17g", v);
}

enum sn_err viz_plot_script_begin(FILE *f, const char *comment)
{
	if (f == NULL)
		return SN_EINVAL;
	const char *c = comment ? comment : "";
	while (*c) {
		size_t n = strcspn(c, "\n");
		fputs("# ", f);
		for (size_t i = 0; i < n; i++)
			fputc((unsigned char)c[i] < 0x20 || c[i] == 0x7f ? ' '
									 : c[i],
			      f);
		fputc('\n', f);
		c += n;
		if (*c == '\n')
			c++;
	}
	fputs("set encoding utf8\n", f);
	return ferror(f) ? SN_EIO : SN_OK;
}

static int plot_valid(const struct viz_plot *p)
{
	if (p == NULL || p->title == NULL || p->xlabel == NULL ||
	    p->ylabel == NULL || p->nx < 1 || p->xtext == NULL ||
	    p->series == NULL || p->nseries < 1 ||
	    (p->png == NULL && p->svg == NULL))
		return 0;
	for (int i = 0; i < p->nx; i++) {
		if (p->xtext[i] == NULL)
			return 0;
		if (p->logx && (p->xval == NULL || !(p->xval[i] > 0)))
			return 0;
	}
	for (int s = 0; s < p->nseries; s++)
		if (p->series[s].title == NULL || p->series[s].y == NULL)
			return 0;
	return 1;
}

/* The plot command: one `using` clause per series, each a column of the
 * datablock (x, tick label, then one column per series). */
static void put_plot_command(FILE *f, const struct viz_plot *p)
{
	fputs("plot ", f);
	for (int s = 0; s < p->nseries; s++) {
		if (s == 0)
			fprintf(f, "%s using 1:3:xtic(2)", DATABLOCK);
		else
			fprintf(f, ", \\\n     '' using 1:%d", s + 3);
		fputs(" title ", f);
		put_squoted(f, p->series[s].title);
		fputs(" with linespoints lw 2 pt 7 ps 1", f);
	}
	fputc('\n', f);
}

enum sn_err viz_plot_script_add(FILE *f, const struct viz_plot *p)
{
	if (f == NULL || !plot_valid(p))
		return SN_EINVAL;
	fputs("\n# ---- ", f);
	put_comment_text(f, p->title);
	fputs(" ----\n", f);
	/* The data first: x position, tick label, one column per series. */
	fprintf(f, "%s << EOD\n", DATABLOCK);
	for (int i = 0; i < p->nx; i++) {
		put_number(f, p->xval ? p->xval[i] : (double)i);
		fputc(' ', f);
		put_dquoted(f, p->xtext[i]);
		for (int s = 0; s < p->nseries; s++) {
			fputc(' ', f);
			put_number(f, p->series[s].y[i]);
		}
		fputc('\n', f);
	}
	fputs("EOD\n", f);
	/* `reset` leaves the terminal and output alone but undoes every
	 * other setting of the previous graph. */
	fputs("reset\nset title ", f);
	put_squoted(f, p->title);
	fputs("\nset xlabel ", f);
	put_squoted(f, p->xlabel);
	fputs("\nset ylabel ", f);
	put_squoted(f, p->ylabel);
	fputs("\nset grid\n", f);
	/* Long legend entries (several swept keys) would squeeze the plot
	 * from the right: they go under it instead, in a bottom margin made
	 * for them (gnuplot's own `set key below` draws over the x label),
	 * and the image grows by their lines. */
	size_t longest = 0;
	for (int s = 0; s < p->nseries; s++)
		if (strlen(p->series[s].title) > longest)
			longest = strlen(p->series[s].title);
	int below = longest > KEY_SIDE_MAX;
	int height = below ? PLOT_H + KEY_LINE_PX * p->nseries : PLOT_H;
	if (below)
		fprintf(f, "set bmargin %d\nset key at screen 0.5, screen 0.01 "
			   "center bottom box", 6 + p->nseries);
	else
		fputs("set key outside right top box", f);
	if (p->key_title) {
		fputs(" title ", f);
		put_squoted(f, p->key_title);
	}
	fputc('\n', f);
	if (p->logx)
		fputs("set logscale x\n", f);
	/* Keep the first and last points off the frame (on a log axis the
	 * offsets are in graph units, so they work there too). */
	fputs("set offsets graph 0.05, graph 0.05, graph 0.05, graph 0.02\n",
	      f);
	if (p->y_from_zero)
		fputs("set yrange [0:*]\n", f);
	/* Engineering prefixes: 19.8 M rather than 1.98e+07. */
	fputs("set format y '%.1s %c'\n", f);
	if (p->png) {
		fprintf(f, "set terminal pngcairo size %d,%d noenhanced "
			   "font 'sans,10'\nset output ", PLOT_W, height);
		put_squoted(f, p->png);
		fputc('\n', f);
		put_plot_command(f, p);
	}
	if (p->svg) {
		fprintf(f, "set terminal svg size %d,%d dynamic noenhanced "
			   "font 'sans,10'\nset output ", PLOT_W, height);
		put_squoted(f, p->svg);
		fputc('\n', f);
		put_plot_command(f, p);
	}
	/* Close the file now: gnuplot finishes a PNG or SVG only when the
	 * output changes or is unset. */
	fputs("unset output\n", f);
	return ferror(f) ? SN_EIO : SN_OK;
}

void viz_plot_slug(const char *text, char *out, size_t size)
{
	if (size == 0)
		return;
	size_t n = 0;
	int dash = 0;
	for (const char *c = text ? text : ""; *c && n + 1 < size; c++) {
		char ch = *c;
		if (ch >= 'A' && ch <= 'Z')
			ch = (char)(ch - 'A' + 'a');
		if ((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9')) {
			if (dash && n > 0) {
				if (n + 2 >= size)
					break; /* no room for "-x" */
				out[n++] = '-';
			}
			out[n++] = ch;
			dash = 0;
		} else {
			dash = 1;
		}
	}
	out[n] = '\0';
	if (n == 0)
		snprintf(out, size, "%s", "graph");
}

const char *viz_plot_file_problem(const char *path, int png)
{
	static const unsigned char sig[8] = { 0x89, 'P', 'N', 'G',
					      '\r', '\n', 0x1a, '\n' };
	static const unsigned char iend[12] = { 0, 0, 0, 0, 'I', 'E', 'N',
						'D', 0xae, 0x42, 0x60, 0x82 };
	FILE *f = fopen(path, "rb");
	if (f == NULL)
		return errno == ENOENT ? "missing" : strerror(errno);
	unsigned char head[8], tail[64];
	const char *why = NULL;
	long size = fseek(f, 0, SEEK_END) == 0 ? ftell(f) : -1;
	size_t ntail = size > 64 ? 64 : size > 0 ? (size_t)size : 0;
	if (size < 0)
		why = strerror(errno);
	else if (size == 0)
		why = "empty";
	else if (fseek(f, 0, SEEK_SET) != 0 ||
		 fread(head, 1, 8, f) != 8 ||
		 fseek(f, -(long)ntail, SEEK_END) != 0 ||
		 fread(tail, 1, ntail, f) != ntail)
		why = "unreadable";
	else if (png && (memcmp(head, sig, 8) != 0 || ntail < 12 ||
			 memcmp(tail + ntail - 12, iend, 12) != 0))
		why = "not a whole PNG";
	if (why == NULL && !png) {
		while (ntail > 0 && (tail[ntail - 1] == '\n' ||
				     tail[ntail - 1] == '\r' ||
				     tail[ntail - 1] == ' '))
			ntail--;
		if (ntail < 6 || memcmp(tail + ntail - 6, "</svg>", 6) != 0)
			why = "not a whole SVG";
	}
	fclose(f);
	return why;
}

/* What the child reports through the close-on-exec pipe when it could not
 * become gnuplot: the step that failed and its errno.  Nothing arrives if
 * exec succeeded (the pipe closes). */
struct exec_failure {
	int step;                  /* 0: chdir or the log/stdin files, 1: exec */
	int err;
};

static void child_fail(int fd, int step, int err)
{
	struct exec_failure x = { step, err };
	/* Nothing useful can be done if the parent does not read it. */
	ssize_t n = write(fd, &x, sizeof x);
	(void)n;
	_exit(127);
}

/* The program `name` as execvp would find it on PATH, made absolute and
 * free of symbolic links (the sandbox names the file itself).  0, or -1
 * if there is none. */
static int find_program(const char *name, char *out, size_t size)
{
	const char *path = getenv("PATH");
	if (path == NULL || *path == '\0')
		path = "/usr/local/bin:/usr/bin:/bin";
	char cand[4096];
	while (*path) {
		size_t n = strcspn(path, ":");
		/* An empty entry is the current directory, as for execvp. */
		if (snprintf(cand, sizeof cand, "%.*s%s%s", (int)n,
			     n ? path : ".", "/", name) < (int)sizeof cand &&
		    access(cand, X_OK) == 0) {
			char *real = realpath(cand, NULL);
			struct stat st;
			int ok = real && strlen(real) < size &&
				 stat(real, &st) == 0 && S_ISREG(st.st_mode);
			if (ok)
				snprintf(out, size, "%s", real);
			free(real);
			if (ok)
				return 0;
		}
		path += n;
		if (*path == ':')
			path++;
	}
	return -1;
}

enum sn_err viz_plot_run(const char *dir, const char *script, const char *log,
			 int *exit_status)
{
	if (exit_status)
		*exit_status = -1;
	if (dir == NULL || script == NULL)
		return SN_EINVAL;
	char exe[4096];
	if (find_program("gnuplot", exe, sizeof exe) != 0) {
		errno = ENOENT;
		return SN_ENOENT;
	}
	/* argv, made before fork: the child may not allocate. */
	char argv0[] = "gnuplot", script_arg[4096];
	if (snprintf(script_arg, sizeof script_arg, "%s", script) >=
	    (int)sizeof script_arg)
		return SN_EINVAL;
	char *const args[] = { argv0, script_arg, NULL };
	struct viz_sandbox sb;
	if (viz_sandbox_prepare(&sb, exe, dir) != SN_OK)
		return SN_EIO;
	int pfd[2];
	if (pipe(pfd) != 0) {
		viz_sandbox_release(&sb);
		return SN_EIO;
	}
	if (fcntl(pfd[0], F_SETFD, FD_CLOEXEC) != 0 ||
	    fcntl(pfd[1], F_SETFD, FD_CLOEXEC) != 0) {
		int e = errno;
		close(pfd[0]);
		close(pfd[1]);
		viz_sandbox_release(&sb);
		errno = e;
		return SN_EIO;
	}
	pid_t pid = fork();
	if (pid < 0) {
		int e = errno;
		close(pfd[0]);
		close(pfd[1]);
		viz_sandbox_release(&sb);
		errno = e;
		return SN_EIO;
	}
	if (pid == 0) {
		/* The child: only async-signal-safe calls until exec, and
		 * _exit, so that the parent's stdio buffers and atexit
		 * handlers are not run twice. */
		close(pfd[0]);
		if (chdir(dir) != 0)
			child_fail(pfd[1], 0, errno);
		int in = open("/dev/null", O_RDONLY);
		int out = open(log ? log : "/dev/null",
			       O_WRONLY | O_CREAT | O_TRUNC, 0666);
		if (in < 0 || out < 0)
			child_fail(pfd[1], 0, errno);
		if (dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(out, 2) < 0)
			child_fail(pfd[1], 0, errno);
		if (in > 2)
			close(in);
		if (out > 2)
			close(out);
		if (viz_sandbox_enter(&sb) != 0)
			child_fail(pfd[1], 0, errno);
		execv(exe, args);
		child_fail(pfd[1], 1, errno);
	}
	viz_sandbox_release(&sb);
	close(pfd[1]);
	struct exec_failure x;
	ssize_t n;
	do
		n = read(pfd[0], &x, sizeof x);
	while (n < 0 && errno == EINTR);
	close(pfd[0]);
	int st;
	pid_t w;
	do
		w = waitpid(pid, &st, 0);
	while (w < 0 && errno == EINTR);
	if (n == (ssize_t)sizeof x) {
		errno = x.err;
		return x.step == 1 && x.err == ENOENT ? SN_ENOENT : SN_EIO;
	}
	if (w < 0)
		return SN_EIO;
	if (WIFEXITED(st)) {
		if (exit_status)
			*exit_status = WEXITSTATUS(st);
		return WEXITSTATUS(st) == 0 ? SN_OK : SN_EIO;
	}
	return SN_EIO;
}
