/*
 * test_plot.c - gnuplot scripts and the confinement gnuplot runs in
 * (viz/viz_plot.h, viz/viz_sandbox.h).
 *
 * Hostile text (a newline followed by system(), quotes, backquotes, a
 * macro) given as titles, legends, tick labels and the script comment
 * stays text: the graphs are drawn and nothing runs.  A script that does
 * try to run a program or write outside its directory fails under the
 * sandbox where the kernel has Landlock (the test machine does; where it
 * has none, the sandbox checks are skipped and say so).  Graph file names
 * come from viz_plot_slug.
 */
#define _XOPEN_SOURCE 700 /* nftw */
#include <check.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "suites.h"
#include "viz_plot.h"
#include "viz_sandbox.h"

static int rm_one(const char *path, const struct stat *st, int flag,
		  struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void rm_tree(const char *dir)
{
	nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static int exists(const char *dir, const char *name)
{
	char p[512];
	snprintf(p, sizeof p, "%s/%s", dir, name);
	struct stat st;
	return stat(p, &st) == 0;
}

static long file_size(const char *dir, const char *name)
{
	char p[512];
	snprintf(p, sizeof p, "%s/%s", dir, name);
	struct stat st;
	return stat(p, &st) == 0 ? (long)st.st_size : -1;
}

/* A directory with `out/` inside: gnuplot runs in out/, and the marker
 * files it must not create are looked for in both. */
static void make_dirs(char *top, size_t n, char *out, size_t m)
{
	snprintf(top, n, "/tmp/scsinet_plot_XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(top));
	snprintf(out, m, "%s/out", top);
	ck_assert_int_eq(mkdir(out, 0755), 0);
}

static void write_file(const char *dir, const char *name, const char *text)
{
	char p[512];
	snprintf(p, sizeof p, "%s/%s", dir, name);
	FILE *f = fopen(p, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	ck_assert_int_eq(fclose(f), 0);
}

START_TEST(hostile_text_stays_text)
{
	char top[64], out[80];
	make_dirs(top, sizeof top, out, sizeof out);
	static const char *const evil[] = {
		"x\nsystem('touch PWNED1')\n#",
		"a'\nsystem(\"touch PWNED2\")\n'",
		"`touch PWNED3`",
		"@evil",
		"tab\there\rcr\x7f",
	};
	const char *xt[] = { evil[0], evil[1], evil[2] };
	double y[3] = { 1, 2, 3 }, xv[3] = { 1, 2, 3 };
	struct viz_plot_series ser[2] = { { evil[3], y }, { evil[4], y } };
	struct viz_plot p = {
		.title = evil[0], .xlabel = evil[1], .ylabel = evil[2],
		.key_title = evil[3], .nx = 3, .xtext = xt, .xval = xv,
		.series = ser, .nseries = 2, .png = "g.png", .svg = "g.svg",
	};
	char script[128];
	snprintf(script, sizeof script, "%s/g.gp", out);
	FILE *f = fopen(script, "w");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(viz_plot_script_begin(f, "evil = \"system('touch "
						  "PWNED4')\"\n@evil\nx\r"
						  "system('touch PWNED5')"),
			 SN_OK);
	ck_assert_int_eq(viz_plot_script_add(f, &p), SN_OK);
	ck_assert_int_eq(fclose(f), 0);
	int st = -1;
	enum sn_err err = viz_plot_run(out, "g.gp", "log", &st);
	ck_assert_msg(err == SN_OK, "gnuplot failed (%d): see %s/log", st,
		      out);
	ck_assert_int_gt(file_size(out, "g.png"), 1000);
	ck_assert_int_gt(file_size(out, "g.svg"), 1000);
	for (int i = 1; i <= 5; i++) {
		char name[16];
		snprintf(name, sizeof name, "PWNED%d", i);
		ck_assert_msg(!exists(out, name) && !exists(top, name),
			      "%s was created", name);
	}
	rm_tree(top);
}
END_TEST

/* The second wall: a script that is itself hostile. */
START_TEST(sandbox_stops_programs_and_outside_writes)
{
	if (viz_sandbox_abi() == 0) {
		fprintf(stderr, "test_plot: this kernel has no Landlock; the "
				"sandbox is not tested here\n");
		return;
	}
	char top[64], out[80];
	make_dirs(top, sizeof top, out, sizeof out);
	/* gnuplot goes on after a failed `system` command and stops at a
	 * failed system() function: either way nothing was run */
	write_file(out, "sys.gp", "system('touch ../SHELL1')\n"
				  "x = system('touch SHELL2')\n");
	int st = -1;
	viz_plot_run(out, "sys.gp", "log1", &st);
	ck_assert(!exists(top, "SHELL1"));
	ck_assert(!exists(out, "SHELL2"));

	write_file(out, "pipe.gp", "set terminal svg\n"
				   "set output '| touch PIPE'\nplot x\n");
	viz_plot_run(out, "pipe.gp", "log2", &st);
	ck_assert(!exists(out, "PIPE"));

	write_file(out, "outside.gp", "set terminal svg\n"
				      "set output '../outside.svg'\n"
				      "plot x\nunset output\n");
	viz_plot_run(out, "outside.gp", "log3", &st);
	ck_assert(!exists(top, "outside.svg"));

	/* and a plain graph in its own directory is drawn */
	write_file(out, "fine.gp", "set terminal pngcairo\n"
				   "set output 'fine.png'\nplot sin(x)\n"
				   "unset output\n");
	ck_assert_int_eq(viz_plot_run(out, "fine.gp", "log4", &st), SN_OK);
	ck_assert_int_gt(file_size(out, "fine.png"), 1000);
	rm_tree(top);
}
END_TEST

START_TEST(slugs_are_safe_file_names)
{
	static const struct {
		const char *in, *want;
	} cases[] = {
		{ "ping-A-Y", "ping-a-y" },
		{ "../../etc/passwd", "etc-passwd" },
		{ "-rf", "rf" },
		{ "x\nsystem('touch PWNED')\n#", "x-system-touch-pwned" },
		{ "", "graph" },
		{ "////", "graph" },
		{ "Z\xc3\xbcrich", "z-rich" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char s[32];
		viz_plot_slug(cases[i].in, s, sizeof s);
		ck_assert_str_eq(s, cases[i].want);
	}
	char small[5];
	viz_plot_slug("abc-def", small, sizeof small);
	ck_assert_str_eq(small, "abc"); /* never ends on '-' */
	viz_plot_slug(NULL, small, sizeof small);
	ck_assert_str_eq(small, "grap");
}
END_TEST

Suite *plot_suite(void)
{
	Suite *s = suite_create("plot");
	TCase *tc = tcase_create("gnuplot");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, hostile_text_stays_text);
	tcase_add_test(tc, sandbox_stops_programs_and_outside_writes);
	tcase_add_test(tc, slugs_are_safe_file_names);
	suite_add_tcase(s, tc);
	return s;
}
