/*
 * viz_plot.h - line graphs drawn by gnuplot: a script writer and a runner.
 *
 * A graph here is what a parameter sweep produces: one x axis whose points
 * are the values of the swept parameter, and one or more lines (series),
 * each giving a y value at every x point.  The writer puts the data into
 * the script itself (gnuplot 5 datablocks, `$name << EOD`), so a script is
 * self-contained: it can be mailed, edited and rerun without the data
 * files next to it.  Each graph is written twice, as PNG (the pngcairo
 * terminal) and SVG, from the same plot command.
 *
 * Gnuplot is the project's chosen plotting tool; nothing here draws by
 * itself.  Nothing here knows about the model either: callers pass
 * numbers and strings.  The library never prints: gnuplot's own output
 * goes to a log file the caller names.
 *
 * Text given here (titles, labels) is printed literally: the terminals
 * are put in `noenhanced` mode, so "_" and "^" in a JSON path do not turn
 * into subscripts and superscripts.
 *
 * USE.
 *   FILE *f = fopen("out/sweep.gp", "w");
 *   viz_plot_script_begin(f, "made by scsinet sweep");
 *   viz_plot_script_add(f, &graph1);     // paths relative to out/
 *   viz_plot_script_add(f, &graph2);
 *   fclose(f);
 *   err = viz_plot_run("out", "sweep.gp", "gnuplot.log", &status);
 */
#ifndef VIZ_PLOT_H
#define VIZ_PLOT_H

#include <stdio.h>

#include "sn_error.h"

struct viz_plot_series {
	const char *title;         /* legend entry; required */
	const double *y;           /* viz_plot.nx values; NaN where there
				    * is none (the line is broken there) */
};

struct viz_plot {
	const char *title;         /* above the graph; required */
	const char *xlabel;        /* required; units in it, "mtu (bytes)" */
	const char *ylabel;        /* required */
	const char *key_title;     /* heading of the legend, or NULL */
	int nx;                    /* x points, >= 1 */
	const char *const *xtext;  /* nx tick labels, in plotting order */
	const double *xval;        /* nx positions; NULL: evenly spaced
				    * categories (e.g. "narrow", "wide") */
	int logx;                  /* logarithmic x axis (xval given, all
				    * positive) */
	int y_from_zero;           /* y axis starts at 0 (values >= 0) */
	const struct viz_plot_series *series;
	int nseries;               /* >= 1 */
	const char *png;           /* output paths as gnuplot will see them
				    * (relative to the directory it runs
				    * in); either may be NULL, not both */
	const char *svg;
};

/* Write the script's opening lines: `comment` (may hold newlines; each
 * line becomes a "# " comment) and the settings every graph shares.
 * Errors: SN_EINVAL (NULL f), SN_EIO (a write failed). */
enum sn_err viz_plot_script_begin(FILE *f, const char *comment);

/* Append one graph: its data as a datablock, then the PNG and the SVG.
 * Graphs in one script are independent (each resets what it set).
 * Errors: SN_EINVAL (a required field missing, nx or nseries < 1, logx
 * without positive xval), SN_EIO (a write failed). */
enum sn_err viz_plot_script_add(FILE *f, const struct viz_plot *p);

/* Run `gnuplot SCRIPT` in directory `dir` (so that the paths the script
 * names are relative to it), with gnuplot's standard output and error
 * going to `log` (also relative to `dir`; NULL: /dev/null), and wait for
 * it.  *exit_status (may be NULL) gets gnuplot's exit status, or -1 if it
 * did not exit normally.  Returns SN_OK if gnuplot ran and exited with 0;
 * SN_ENOENT if there is no gnuplot on PATH (nothing was drawn: the
 * script is still there to run later); SN_EIO if it could not be started
 * or failed (its messages are in `log`; errno is left set when a system
 * call failed).  The calling process's signals and stdio are untouched.
 * gnuplot runs confined (viz_sandbox.h): it can write only beneath `dir`
 * and start no other program, so `system()` or `set output '|...'` in a
 * script fail. */
enum sn_err viz_plot_run(const char *dir, const char *script, const char *log,
			 int *exit_status);

/* What is wrong with a graph gnuplot said it drew, or NULL if it is
 * whole.  gnuplot can exit 0 having written nothing, or part of a file
 * (a full disk, a file size limit): a PNG (png != 0) must start with its
 * signature and end with its IEND chunk, an SVG end with its closing tag.
 * The text is static ("missing", "empty", "not a whole PNG", ...). */
const char *viz_plot_file_problem(const char *path, int png);

/* A file-name part made from `text`: lower-case letters, digits and '-'
 * only (anything else becomes '-', runs of them one, none at either
 * end), at most size - 1 bytes; "graph" if nothing is left.  Graph file
 * names are built from a slug and an index, never from a string as
 * given, so that no name can hold '/', "..", a leading '-' or a byte a
 * file system or a shell would read specially. */
void viz_plot_slug(const char *text, char *out, size_t size);

#endif
