/*
 * cli_sweep_out.c - what `scsinet sweep` makes of its points' results: the
 * columns (built-in metrics and --metric paths, read back from every
 * point's results.json), the table on stdout, DIR/sweep.csv (RFC 4180),
 * the gnuplot script DIR/sweep.gp and the graphs it draws, and the text
 * of DIR/INCOMPLETE.  Each file is written as NAME.tmp and renamed when
 * whole; each graph gnuplot says it drew is read back.  cli_sweep.c
 * describes the command as a whole.
 */
#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "cli_sweep_priv.h"
#include "scn.h"
#include "viz_plot.h"

/* --- metrics ---------------------------------------------------------------- */

/* A unit from the names results.json uses. */
static const char *unit_of(const char *path)
{
	static const struct {
		const char *suffix, *unit;
	} table[] = {
		{ "_bytes_per_s", "bytes/s" },
		{ "_us", "us" },
		{ "_bytes", "bytes" },
		{ "bytes_received", "bytes" },
		{ "_share", "fraction of time" },
	};
	size_t n = strlen(path);
	for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
		size_t m = strlen(table[i].suffix);
		if (n >= m && strcmp(path + n - m, table[i].suffix) == 0)
			return table[i].unit;
	}
	if (strstr(path, "utilisation.") != NULL)
		return "fraction of time";
	return "";
}

/* A graph's file name, without extension: the column's number, then its
 * name in lower case with each run of other characters as one '-'
 * ("04-udp-1-goodput").  A flow's label or a --metric path may hold
 * anything ('/', "..", spaces, quotes, bytes of UTF-8); a name in
 * DIR/graphs/ (and in the gnuplot script) holds none of that, and the
 * number keeps two columns whose names differ only there apart. */
static void make_slug(struct column *c, int index)
{
	char slug[49]; /* 48 characters at most */
	viz_plot_slug(c->name, slug, sizeof slug);
	snprintf(c->slug, sizeof c->slug, "%02d-%s", index,
		 strcmp(slug, "graph") == 0 ? "metric" : slug);
}

static struct column *add_column(struct sweep *sw, enum col_kind kind,
				 const char *name, const char *unit,
				 const char *title, const char *arg)
{
	struct column *c = &sw->col[sw->ncol++];
	memset(c, 0, sizeof *c);
	c->kind = kind;
	snprintf(c->name, sizeof c->name, "%s", name);
	snprintf(c->unit, sizeof c->unit, "%s", unit);
	snprintf(c->title, sizeof c->title, "%s", title);
	snprintf(c->arg, sizeof c->arg, "%s", arg ? arg : "");
	make_slug(c, (int)(c - sw->col));
	return c;
}

/* The columns: the built-in metrics, one per UDP flow of the scenario
 * (loaded with the fixed --set), then --metric. */
int sw_make_columns(struct sweep *sw, const struct scn *s)
{
	int nflows = 0;
	for (int i = 0; i < s->ntraffic; i++)
		nflows += s->traffic[i].kind == SCN_UDP;
	if (nflows > MAX_FLOW_COLUMNS)
		nflows = MAX_FLOW_COLUMNS;
	sw->col = calloc((size_t)(4 + nflows + sw->nmetric), sizeof *sw->col);
	if (sw->col == NULL)
		return -1;
	add_column(sw, COL_UDP_SUM, "udp_goodput_sum", "bytes/s",
		   "UDP goodput, sum over flows", NULL);
	add_column(sw, COL_PING_RTT, "ping_rtt_mean", "us",
		   "ping round-trip time, mean", NULL);
	add_column(sw, COL_DELIVERED, "delivered", "datagrams",
		   "datagrams delivered", NULL);
	add_column(sw, COL_DROPPED, "dropped", "datagrams",
		   "datagrams dropped", NULL);
	for (int i = 0, f = 0; i < s->ntraffic && f < nflows; i++) {
		if (s->traffic[i].kind != SCN_UDP)
			continue;
		char name[KEY_MAX], title[KEY_MAX];
		snprintf(name, sizeof name, "%s.goodput", s->traffic[i].label);
		snprintf(title, sizeof title, "UDP goodput of %s",
			 s->traffic[i].label);
		add_column(sw, COL_FLOW, name, "bytes/s", title,
			   s->traffic[i].label);
		f++;
	}
	for (int m = 0; m < sw->nmetric; m++)
		add_column(sw, COL_PATH, sw->metric[m], unit_of(sw->metric[m]),
			   sw->metric[m], sw->metric[m]);
	return 0;
}

static double num_at(const cJSON *j, const char *path)
{
	const cJSON *x = sw_json_walk(j, path);
	if (cJSON_IsNumber(x))
		return x->valuedouble;
	if (cJSON_IsBool(x))
		return cJSON_IsTrue(x) ? 1.0 : 0.0;
	return NAN;
}

/* One point's row from its results.json. */
static void read_row(struct sweep *sw, const cJSON *root, double *row)
{
	const cJSON *tr = cJSON_GetObjectItemCaseSensitive(root, "traffic");
	for (int c = 0; c < sw->ncol; c++) {
		struct column *col = &sw->col[c];
		double v = NAN;
		const cJSON *t;
		switch (col->kind) {
		case COL_UDP_SUM: {
			double sum = 0;
			int n = 0;
			cJSON_ArrayForEach(t, tr) {
				const cJSON *ty = cJSON_GetObjectItemCaseSensitive(
					t, "type");
				double g = num_at(t, "goodput_bytes_per_s");
				if (cJSON_IsString(ty) &&
				    strcmp(ty->valuestring, "udp") == 0 &&
				    !isnan(g)) {
					sum += g;
					n++;
				}
			}
			if (n)
				v = sum;
			break;
		}
		case COL_PING_RTT: {
			double sum = 0, samples = 0;
			cJSON_ArrayForEach(t, tr) {
				const cJSON *ty = cJSON_GetObjectItemCaseSensitive(
					t, "type");
				double k = num_at(t, "rtt.samples");
				double avg = num_at(t, "rtt.avg_us");
				if (cJSON_IsString(ty) &&
				    strcmp(ty->valuestring, "ping") == 0 &&
				    k > 0 && !isnan(avg)) {
					sum += avg * k;
					samples += k;
				}
			}
			if (samples > 0)
				v = sum / samples;
			break;
		}
		case COL_DELIVERED:
			v = num_at(root, "conservation.delivered");
			break;
		case COL_DROPPED:
			v = num_at(root, "conservation.dropped");
			break;
		case COL_FLOW:
			cJSON_ArrayForEach(t, tr) {
				const cJSON *l = cJSON_GetObjectItemCaseSensitive(
					t, "label");
				if (cJSON_IsString(l) &&
				    strcmp(l->valuestring, col->arg) == 0)
					v = num_at(t, "goodput_bytes_per_s");
			}
			break;
		case COL_PATH:
			v = num_at(root, col->arg);
			break;
		}
		if (!isnan(v))
			col->seen = 1;
		row[c] = v;
	}
}

void sw_collect(struct sweep *sw)
{
	for (int p = 0; p < sw->npoints; p++) {
		double *row = &sw->val[(size_t)p * (size_t)sw->ncol];
		for (int c = 0; c < sw->ncol; c++)
			row[c] = NAN;
		if (sw->status[p] != PT_OK && sw->status[p] != PT_UNBALANCED)
			continue;
		char dir[PATH_MAX_], path[PATH_MAX_ + 32];
		sw_point_dir(sw, p, dir, sizeof dir);
		snprintf(path, sizeof path, "%s/results.json", dir);
		char *text = sw_read_file(path);
		cJSON *root = text ? cJSON_Parse(text) : NULL;
		free(text);
		if (root == NULL) {
			sw->status[p] = PT_UNREADABLE;
			continue;
		}
		read_row(sw, root, row);
		cJSON_Delete(root);
	}
}

/* --- output ------------------------------------------------------------------ */

/* Integers as integers; others with 12 significant digits; none as "". */
static void fmt_num(double v, char *buf, size_t len)
{
	if (isnan(v))
		buf[0] = '\0';
	else if (v == floor(v) && fabs(v) < 1e15)
		snprintf(buf, len, "%.0f", v);
	else
		snprintf(buf, len, "%.12g", v);
}

/* RFC 4180: quoted if it holds a comma, a quote or a line break. */
static void put_csv(FILE *f, const char *s)
{
	if (strpbrk(s, ",\"\r\n") == NULL) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

static void col_header(const struct column *c, char *buf, size_t len)
{
	if (c->unit[0])
		snprintf(buf, len, "%s (%s)", c->name, c->unit);
	else
		snprintf(buf, len, "%s", c->name);
}

/* sweep.csv: a header, then a row per point in point order; the caller
 * checks the stream for errors. */
static void put_table(const struct sweep *sw, FILE *f)
{
	char buf[KEY_MAX + 64];
	for (int k = 0; k < sw->nvary; k++) {
		put_csv(f, sw->vary[k].key);
		fputc(',', f);
	}
	for (int c = 0; c < sw->ncol; c++) {
		col_header(&sw->col[c], buf, sizeof buf);
		put_csv(f, buf);
		fputc(c + 1 < sw->ncol ? ',' : '\n', f);
	}
	for (int p = 0; p < sw->npoints; p++) {
		int idx[MAX_VARY];
		sw_point_index(sw, p, idx);
		for (int k = 0; k < sw->nvary; k++) {
			put_csv(f, sw->vary[k].values.v[idx[k]]);
			fputc(',', f);
		}
		for (int c = 0; c < sw->ncol; c++) {
			fmt_num(sw->val[(size_t)p * (size_t)sw->ncol + (size_t)c],
				buf, sizeof buf);
			fputs(buf, f);
			fputc(c + 1 < sw->ncol ? ',' : '\n', f);
		}
	}
}

/* A unit for a varied key, from its last name, where the scenario format
 * fixes one. */
static const char *key_unit(const char *key)
{
	const char *leaf = strrchr(key, '.');
	leaf = leaf ? leaf + 1 : key;
	size_t n = strcspn(leaf, "[");
	static const struct {
		const char *name, *unit;
	} table[] = {
		{ "mtu", "bytes" },          { "size", "bytes" },
		{ "result_size", "bytes" },  { "rate", "datagrams/s" },
		{ "window", "datagrams" },   { "count", "datagrams" },
		{ "rx_slots", "buffers" },   { "position", "mm" },
	};
	for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
		if (strlen(table[i].name) == n &&
		    strncmp(leaf, table[i].name, n) == 0)
			return table[i].unit;
	return "";
}

/* x positions: the first key's values as numbers if all are, in
 * increasing order (`order` is the plotting order of the value indexes). */
static int x_numeric(const struct vary *v, double *xval, int *order)
{
	for (int i = 0; i < v->values.n; i++)
		order[i] = i;
	for (int i = 0; i < v->values.n; i++) {
		char *end;
		xval[i] = strtod(v->values.v[i], &end);
		if (end == v->values.v[i] || *end != '\0' || !isfinite(xval[i]))
			return 0;
	}
	/* Insertion sort: stable, and a sweep has a handful of values. */
	for (int i = 1; i < v->values.n; i++)
		for (int j = i; j > 0 && xval[order[j]] < xval[order[j - 1]];
		     j--) {
			int t = order[j];
			order[j] = order[j - 1];
			order[j - 1] = t;
		}
	return 1;
}

/* The series title for inner index s (the keys after the first). */
static void series_title(const struct sweep *sw, int s, char *buf, size_t len)
{
	int idx[MAX_VARY];
	sw_point_index(sw, s, idx); /* the first key's index is 0 here */
	size_t at = 0;
	buf[0] = '\0';
	for (int k = 1; k < sw->nvary && at < len; k++) {
		if (sw->nvary == 2)
			at += (size_t)snprintf(buf + at, len - at, "%s",
					       sw->vary[k].values.v[idx[k]]);
		else
			at += (size_t)snprintf(buf + at, len - at, "%s%s=%s",
					       k > 1 ? ", " : "", sw->vary[k].key,
					       sw->vary[k].values.v[idx[k]]);
	}
}

/* Write DIR/sweep.gp to `f`: one graph per column that has a value.
 * Returns the number of graphs, or -1. */
static int put_script(const struct sweep *sw, FILE *f)
{
	const struct vary *v0 = &sw->vary[0];
	int nx = v0->values.n, ns = sw->npoints / nx;
	double *xval = calloc((size_t)nx, sizeof *xval);
	double *xsorted = calloc((size_t)nx, sizeof *xsorted);
	int *order = calloc((size_t)nx, sizeof *order);
	const char **xtext = calloc((size_t)nx, sizeof *xtext);
	double *y = calloc((size_t)nx * (size_t)ns, sizeof *y);
	struct viz_plot_series *ser = calloc((size_t)ns, sizeof *ser);
	char (*stitle)[KEY_MAX] = calloc((size_t)ns, sizeof *stitle);
	int graphs = -1;
	if (!xval || !xsorted || !order || !xtext || !y || !ser || !stitle)
		goto out;
	int numeric = x_numeric(v0, xval, order);
	double lo = 0, hi = 0;
	for (int i = 0; i < nx; i++) {
		int o = order[i];
		xtext[i] = v0->values.v[o];
		xsorted[i] = xval[o];
		if (i == 0 || xsorted[i] < lo)
			lo = xsorted[i];
		if (i == 0 || xsorted[i] > hi)
			hi = xsorted[i];
	}
	char comment[2 * PATH_MAX_];
	snprintf(comment, sizeof comment,
		 "Graphs of the sweep of %s (scenario %s), made by "
		 "scsinet sweep.\nThe data are the rows of sweep.csv. "
		 "To draw them again: cd to this directory, then "
		 "gnuplot sweep.gp",
		 sw->file, sw->scenario);
	if (viz_plot_script_begin(f, comment) != SN_OK)
		goto out;
	for (int s = 0; s < ns; s++) {
		series_title(sw, s, stitle[s], sizeof stitle[s]);
		ser[s].title = stitle[s];
		ser[s].y = &y[(size_t)s * (size_t)nx];
	}
	char xlabel[KEY_MAX + 32], ylabel[KEY_MAX + 64], title[KEY_MAX + 128];
	char png[KEY_MAX + 16], svg[KEY_MAX + 16];
	const char *xu = key_unit(v0->key);
	/* MTUs from 576 to 65535 bunch up at the left on a linear axis. */
	int logx = numeric && lo > 0 && hi / lo >= 20;
	snprintf(xlabel, sizeof xlabel, "%s%s%s%s%s", v0->key,
		 xu[0] || logx ? " (" : "", xu, xu[0] && logx ? ", " : "",
		 logx ? "log scale)" : xu[0] ? ")" : "");
	graphs = 0;
	for (int c = 0; c < sw->ncol; c++) {
		const struct column *col = &sw->col[c];
		if (!col->seen)
			continue;
		int nonneg = 1;
		for (int s = 0; s < ns; s++)
			for (int i = 0; i < nx; i++) {
				int p = order[i] * ns + s;
				double v = sw->val[(size_t)p * (size_t)sw->ncol +
						   (size_t)c];
				y[(size_t)s * (size_t)nx + (size_t)i] = v;
				if (v < 0)
					nonneg = 0;
			}
		if (sw->nvary == 1)
			snprintf(stitle[0], sizeof stitle[0], "%s", col->name);
		snprintf(title, sizeof title, "%s: %s", sw->scenario,
			 col->title);
		if (col->unit[0])
			snprintf(ylabel, sizeof ylabel, "%s (%s)", col->title,
				 col->unit);
		else
			snprintf(ylabel, sizeof ylabel, "%s", col->title);
		snprintf(png, sizeof png, "graphs/%s.png", col->slug);
		snprintf(svg, sizeof svg, "graphs/%s.svg", col->slug);
		struct viz_plot plot = {
			.title = title,
			.xlabel = xlabel,
			.ylabel = ylabel,
			.key_title = sw->nvary == 2 ? sw->vary[1].key : NULL,
			.nx = nx,
			.xtext = xtext,
			.xval = numeric ? xsorted : NULL,
			.logx = logx,
			.y_from_zero = nonneg,
			.series = ser,
			.nseries = ns,
			.png = png,
			.svg = svg,
		};
		if (viz_plot_script_add(f, &plot) != SN_OK) {
			graphs = -1;
			goto out;
		}
		graphs++;
	}
out:
	free(xval);
	free(xsorted);
	free(order);
	free(xtext);
	free(y);
	free(ser);
	free(stitle);
	return graphs;
}

/* The varied values and the built-in metrics, aligned, on stdout. */
void sw_print_table(const struct sweep *sw)
{
	enum { SHOWN = 4 };    /* the built-in columns */
	int width[MAX_VARY + SHOWN];
	char buf[KEY_MAX + 64];
	for (int k = 0; k < sw->nvary; k++) {
		width[k] = (int)strlen(sw->vary[k].key);
		for (int i = 0; i < sw->vary[k].values.n; i++) {
			int n = (int)strlen(sw->vary[k].values.v[i]);
			if (n > width[k])
				width[k] = n;
		}
	}
	for (int c = 0; c < SHOWN; c++) {
		col_header(&sw->col[c], buf, sizeof buf);
		width[sw->nvary + c] = (int)strlen(buf);
	}
	printf("  %-*s", sw->digits, "#");
	for (int k = 0; k < sw->nvary; k++)
		printf("  %-*s", width[k], sw->vary[k].key);
	for (int c = 0; c < SHOWN; c++) {
		col_header(&sw->col[c], buf, sizeof buf);
		printf("  %*s", width[sw->nvary + c], buf);
	}
	putchar('\n');
	for (int p = 0; p < sw->npoints; p++) {
		int idx[MAX_VARY];
		sw_point_index(sw, p, idx);
		printf("  %0*d", sw->digits, p);
		for (int k = 0; k < sw->nvary; k++)
			printf("  %-*s", width[k], sw->vary[k].values.v[idx[k]]);
		for (int c = 0; c < SHOWN; c++) {
			double v = sw->val[(size_t)p * (size_t)sw->ncol +
					   (size_t)c];
			if (isnan(v))
				snprintf(buf, sizeof buf, "-");
			else if (v == floor(v) && fabs(v) < 1e15)
				snprintf(buf, sizeof buf, "%.0f", v);
			else
				snprintf(buf, sizeof buf, "%.1f", v);
			printf("  %*s", width[sw->nvary + c], buf);
		}
		if (sw->status[p] != PT_OK)
			fputs("  FAILED", stdout);
		putchar('\n');
	}
}

void sw_describe_failure(const struct sweep *sw, int p)
{
	char name[1024], dir[PATH_MAX_];
	sw_point_name(sw, p, name, sizeof name);
	sw_point_dir(sw, p, dir, sizeof dir);
	int st = sw->status[p];
	const char *what;
	char sig[48];
	switch (st) {
	case PT_UNBALANCED:
		what = "the datagram ledger did not balance (see its "
		       "results.json, \"conservation\")";
		break;
	case PT_LOAD:
		what = "it did not load or build";
		break;
	case PT_WRITE:
		what = "its results could not be written";
		break;
	case PT_NOMEM:
		what = "out of memory";
		break;
	case PT_FORK:
		what = "no process could be started for it (fork failed)";
		break;
	case PT_LOST:
		what = "its process was lost";
		break;
	case PT_UNREADABLE:
		what = "its results.json could not be read back";
		break;
	case PT_STOPPED:
		what = "it was stopped";
		break;
	default:
		if (st > 128) {
			snprintf(sig, sizeof sig, "its run was killed by "
						  "signal %d", st - 128);
		} else {
			snprintf(sig, sizeof sig, "its run exited with "
						  "status %d", st);
		}
		what = sig;
		break;
	}
	fprintf(stderr, "scsinet sweep: point %0*d (%s) failed: %s; %s/\n",
		sw->digits, p, name, what, dir);
}

/* --- writing DIR ------------------------------------------------------------- */

/* A file is written as PATH.tmp and renamed to PATH when all of it is
 * written: a full disk or a stop leaves no PATH rather than half of
 * one. */
static FILE *create_tmp(const char *path, char *tmp, size_t len)
{
	snprintf(tmp, len, "%s.tmp", path);
	return fopen(tmp, "w");
}

/* Close `f` (written as `tmp`, `ok` if its writer saw no error) and put
 * it in place.  0, or -1 with errno set and `tmp` removed. */
static int commit_tmp(FILE *f, const char *tmp, const char *path, int ok)
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
	if (ok && rename(tmp, path) != 0) {
		ok = 0;
		e = errno;
	}
	if (ok)
		return 0;
	unlink(tmp);
	errno = e;
	return -1;
}

/* "cannot write PATH: why" on stderr, and the first such in `missing`
 * (for DIR/INCOMPLETE).  errno says why, when it knows. */
static void cannot_write(const char *path, char *missing, size_t len)
{
	const char *why = errno ? strerror(errno) : "a write failed";
	fprintf(stderr, "scsinet sweep: %s: cannot write: %s\n", path, why);
	if (missing[0] == '\0')
		snprintf(missing, len, "%s (%s)", path, why);
}

/* Every graph of the script, checked; the number that are not whole. */
static int check_graphs(const struct sweep *sw, char *missing, size_t len)
{
	int bad = 0;
	for (int c = 0; c < sw->ncol; c++) {
		if (!sw->col[c].seen)
			continue;
		for (int png = 1; png >= 0; png--) {
			char path[PATH_MAX_ + KEY_MAX + 16];
			snprintf(path, sizeof path, "%s/graphs/%s.%s",
				 sw->outdir, sw->col[c].slug,
				 png ? "png" : "svg");
			const char *why = viz_plot_file_problem(path, png);
			if (why == NULL)
				continue;
			fprintf(stderr, "scsinet sweep: %s: %s after gnuplot "
					"(see %s/gnuplot.log)\n", path, why,
				sw->outdir);
			if (missing[0] == '\0')
				snprintf(missing, len, "%s (%s)", path, why);
			bad++;
		}
	}
	return bad;
}

int sw_write_outputs(const struct sweep *sw, char *missing, size_t len)
{
	int status = CLI_OK;
	char path[PATH_MAX_ + 32], tmp[PATH_MAX_ + 48];
	snprintf(path, sizeof path, "%s/sweep.csv", sw->outdir);
	FILE *f = create_tmp(path, tmp, sizeof tmp);
	if (f != NULL)
		put_table(sw, f);
	if (f == NULL || commit_tmp(f, tmp, path, 1) != 0) {
		cannot_write(path, missing, len);
		status = CLI_FAIL;
	} else {
		printf("  table:  %s\n", path);
	}
	if (sw_stop_signal())
		return status;

	snprintf(path, sizeof path, "%s/graphs", sw->outdir);
	if (mkdir(path, 0777) != 0) {
		cannot_write(path, missing, len);
		return CLI_FAIL;
	}
	snprintf(path, sizeof path, "%s/sweep.gp", sw->outdir);
	f = create_tmp(path, tmp, sizeof tmp);
	int graphs = f != NULL ? put_script(sw, f) : -1;
	if (f != NULL && commit_tmp(f, tmp, path, graphs >= 0) != 0)
		graphs = -1;
	if (graphs < 0) {
		cannot_write(path, missing, len);
		return CLI_FAIL;
	}
	if (graphs == 0 || sw_stop_signal())
		return status;
	int gst;
	enum sn_err err = viz_plot_run(sw->outdir, "sweep.gp", "gnuplot.log",
				       &gst);
	if (sw_stop_signal())
		return status;  /* a ^C reached gnuplot too: not its fault */
	if (err == SN_OK) {
		if (check_graphs(sw, missing, len) > 0)
			return CLI_FAIL;
		printf("  graphs: %s/graphs/ (%d, PNG and SVG; script %s)\n",
		       sw->outdir, graphs, path);
	} else if (err == SN_ENOENT) {
		/* Not a failure: the script is there to draw them later. */
		fprintf(stderr, "scsinet sweep: gnuplot is not installed (not "
				"on PATH): the graphs are not drawn; to draw "
				"them: cd %s && gnuplot sweep.gp\n",
			sw->outdir);
	} else {
		if (gst > 0)
			fprintf(stderr, "scsinet sweep: gnuplot failed (exit "
					"status %d): see %s/gnuplot.log\n", gst,
				sw->outdir);
		else
			fprintf(stderr, "scsinet sweep: gnuplot could not run "
					"in %s: %s\n", sw->outdir,
				strerror(errno));
		if (missing[0] == '\0')
			snprintf(missing, len, "the graphs (gnuplot failed: "
					       "see %s/gnuplot.log)",
				 sw->outdir);
		status = CLI_FAIL;
	}
	return status;
}

/* --- DIR/INCOMPLETE ------------------------------------------------------------ */

static int point_complete(const struct sweep *sw, int p)
{
	char dir[PATH_MAX_];
	struct stat st;
	sw_point_dir(sw, p, dir, sizeof dir);
	return stat(dir, &st) == 0 && S_ISDIR(st.st_mode);
}

int sw_write_incomplete(const struct sweep *sw, FILE *f, int sig,
			const char *why)
{
	if (sig != 0)
		fprintf(f, "This sweep did not finish: it was stopped by %s "
			   "%s.\n", sw_signal_name(sig), why);
	else if (why != NULL)
		fprintf(f, "This sweep did not finish: every point ran, but "
			   "it could not write\n%s.\n", why);
	else
		fputs("This sweep has not finished.\n\n"
		      "scsinet sweep writes this file before the first run "
		      "and removes it\nwhen all of the folder is written.  "
		      "If no sweep is running here, this\none was killed: "
		      "points/NNN/ are the points that are complete,\n"
		      "points/NNN.part/ runs that were cut short; sweep.csv, "
		      "sweep.gp and the\ngraphs are missing or not to be "
		      "trusted.\n", f);
	fprintf(f, "\nscenario: %s (%s)\npoints:   %d (", sw->file,
		sw->scenario, sw->npoints);
	for (int k = 0; k < sw->nvary; k++)
		fprintf(f, "%s--vary %s: %d value%s", k ? ", " : "",
			sw->vary[k].key, sw->vary[k].values.n,
			sw->vary[k].values.n == 1 ? "" : "s");
	fputs(")\n", f);
	if (sig == 0)
		return 0;
	int done = 0;
	for (int p = 0; p < sw->npoints; p++)
		done += point_complete(sw, p);
	fprintf(f, "\n%d of %d point%s %s complete, each in points/NNN/ "
		   "(results.json, summary.txt);\nthe others did not run, or "
		   "were stopped, and have no folder.%s\n", done, sw->npoints,
		sw->npoints == 1 ? "" : "s", done == 1 ? "is" : "are",
		strstr(why, "points") != NULL
			? "  sweep.csv,\nsweep.gp and the graphs were not "
			  "written."
			: "  sweep.csv,\nsweep.gp and the graphs may be "
			  "missing.");
	if (done > 0)
		fputs("\ncomplete:\n", f);
	for (int p = 0; p < sw->npoints; p++) {
		if (!point_complete(sw, p))
			continue;
		char name[1024];
		sw_point_name(sw, p, name, sizeof name);
		fprintf(f, "  %0*d  %s\n", sw->digits, p, name);
	}
	return done;
}

int sw_write_incomplete_file(const struct sweep *sw, const char *path,
			     int sig, const char *why)
{
	char tmp[PATH_MAX_ + 48];
	FILE *f = create_tmp(path, tmp, sizeof tmp);
	if (f == NULL)
		return -1;
	int done = sw_write_incomplete(sw, f, sig, why);
	return commit_tmp(f, tmp, path, 1) == 0 ? done : -1;
}
