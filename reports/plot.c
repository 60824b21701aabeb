/* gnuplot scripts and charts (see plot.h). */
#include "config.h"

#include "plot.h"

#include <errno.h>
#include <math.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util.h"

extern char **environ;

int
ws_plot_parse(const char *arg, struct ws_plot_target *out)
{
	if (!strcmp(arg, "term")) {
		*out = (struct ws_plot_target){WS_PLOT_TERM, NULL};
		return 0;
	}
	size_t len = strlen(arg);
	if (len < 5)
		return -1;
	if (!strcmp(arg + len - 4, ".png"))
		*out = (struct ws_plot_target){WS_PLOT_PNG, arg};
	else if (!strcmp(arg + len - 4, ".svg"))
		*out = (struct ws_plot_target){WS_PLOT_SVG, arg};
	else
		return -1;
	return 0;
}

char *
ws_gp_string(const char *s)
{
	char *q = ws_xmalloc(2 * strlen(s) + 3), *p = q;
	*p++ = '\'';
	for (; *s; s++) {
		if (*s == '\'')
			*p++ = '\'';
		*p++ = *s == '\n' ? ' ' : *s;
	}
	*p++ = '\'';
	*p = '\0';
	return q;
}

char *
ws_plot_terminal(const struct ws_plot_target *t, int width, int height, int cols, int rows)
{
	if (t->kind == WS_PLOT_TERM)
		return ws_xasprintf("set terminal dumb size %d,%d\nset termoption noenhanced\n",
				    cols, rows);
	char *q = ws_gp_string(t->file);
	char *s = ws_xasprintf("set terminal %s size %d,%d\nset termoption noenhanced\n"
			       "set output %s\n",
			       t->kind == WS_PLOT_SVG ? "svg" : "png", width, height, q);
	free(q);
	return s;
}

char *
ws_plot_script_path(const struct ws_plot_target *t)
{
	if (t->kind == WS_PLOT_TERM)
		return NULL;
	size_t len = strlen(t->file);
	return ws_xasprintf("%.*s.gp", (int)(len - 4), t->file);
}

int
ws_plot_run(const char *script)
{
	fflush(stdout); /* the text before the plot comes first */
	char *argv[] = {"gnuplot", (char *)script, NULL};
	pid_t pid;
	int rc = posix_spawnp(&pid, "gnuplot", NULL, NULL, argv, environ);
	if (rc != 0)
		return rc == ENOENT || rc == EACCES || rc == ENOTDIR ? WS_PLOT_NO_GNUPLOT
								     : WS_PLOT_FAILED;
	int status;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return WS_PLOT_FAILED;
	/* glibc's posix_spawnp reports a failed exec as exit status 127 where
	 * it cannot return the error */
	if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
		return WS_PLOT_NO_GNUPLOT;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : WS_PLOT_FAILED;
}

const char *
ws_plot_strerror(int rc)
{
	switch (rc) {
	case 0:
		return "no error";
	case WS_PLOT_NO_GNUPLOT:
		return "gnuplot is not installed (apt-get install gnuplot-nox)";
	case WS_PLOT_FAILED:
		return "gnuplot failed (its errors are above)";
	default:
		return strerror(-rc);
	}
}

/* A label as a gnuplot data string: double-quoted, without the double
 * quotes and control characters it cannot hold. */
static void
data_string(FILE *f, const char *s, size_t max)
{
	fputc('"', f);
	size_t n = strlen(s);
	bool cut = n > max;
	for (size_t i = 0; i < (cut ? max - 3 : n); i++)
		fputc(s[i] == '"' ? '\'' : (unsigned char)s[i] < 0x20 ? ' ' : s[i], f);
	if (cut)
		fputs("...", f);
	fputc('"', f);
}

typedef void (*body_fn)(FILE *f, const void *chart);

/* Writes the script (terminal lines, then body) and runs gnuplot. */
static int
draw(const struct ws_plot_target *t, const char *script, int width, int height, int cols, int rows,
     body_fn body, const void *chart, char **why)
{
	*why = NULL;
	char *own = NULL;
	bool temporary = false;
	if (!script && t->kind == WS_PLOT_TERM) {
		const char *dir = getenv("TMPDIR");
		own = ws_xasprintf("%s/whyslow-plot-XXXXXX", dir && *dir ? dir : "/tmp");
		int fd = mkstemp(own);
		if (fd < 0) {
			int e = errno;
			*why =
			    ws_xasprintf("cannot create a temporary file %s: %s", own, strerror(e));
			free(own);
			return -e;
		}
		close(fd);
		temporary = true;
	} else if (!script) {
		own = ws_plot_script_path(t);
	}
	const char *path = script ? script : own;
	FILE *f = fopen(path, "w");
	if (!f) {
		int e = errno;
		*why = ws_xasprintf("cannot write %s: %s", path, strerror(e));
		if (temporary)
			unlink(path);
		free(own);
		return -e;
	}
	char *term = ws_plot_terminal(t, width, height, cols, rows);
	fprintf(f, "# whyslow: gnuplot %s\n%s", path, term);
	free(term);
	body(f, chart);
	if (fclose(f) != 0) {
		int e = errno;
		*why = ws_xasprintf("cannot write %s: %s", path, strerror(e));
		if (temporary)
			unlink(path);
		free(own);
		return -e;
	}
	int rc = ws_plot_run(path);
	if (rc != 0)
		*why = temporary ? ws_xstrdup(ws_plot_strerror(rc))
				 : ws_xasprintf("%s; the script is %s", ws_plot_strerror(rc), path);
	if (temporary)
		unlink(path);
	free(own);
	return rc;
}

/* ---- bars ---- */

static void
bars_body(FILE *f, const void *chart)
{
	const struct ws_plot_bars *b = chart;
	char *title = ws_gp_string(b->title ? b->title : "");
	char *xlabel = ws_gp_string(b->xlabel ? b->xlabel : "");
	double max = 0;
	for (size_t i = 0; i < b->n * b->nseries; i++)
		if (isfinite(b->values[i]))
			max = fmax(max, b->values[i]);
	fprintf(f,
		"set title %s\nset xlabel %s\n"
		"set xrange [0:%g]\nset yrange [%g:-0.6]\n" /* the first label on top */
		"set ytics scale 0\nset grid xtics\nset key below\n"
		"set style fill solid 0.6 border -1\n",
		title, xlabel, max > 0 ? max * 1.05 : 1, b->n ? b->n - 0.4 : 0.4);
	free(title);
	free(xlabel);
	fputs("$bars << EOD\n", f);
	for (size_t i = 0; i < b->n; i++) {
		fprintf(f, "%zu ", i);
		data_string(f, b->labels[i], 60);
		for (size_t s = 0; s < b->nseries; s++) {
			double v = b->values[i * b->nseries + s];
			fprintf(f, " %.6g", isfinite(v) ? v : 0.0);
		}
		fputc('\n', f);
	}
	fputs("EOD\n", f);
	/* bar s of a group: centred at offset, half-height h */
	double band = 0.8 / (double)b->nseries, h = band * 0.45;
	fputs("plot ", f);
	for (size_t s = 0; s < b->nseries; s++) {
		double off = ((double)s - ((double)b->nseries - 1) / 2) * band;
		char *name = ws_gp_string(b->series[s] ? b->series[s] : "");
		fprintf(
		    f,
		    "%s$bars using ($%zu/2):($1%+.3f):($%zu/2):(%.3f)%s with boxxyerror title %s",
		    s ? ", \\\n     " : "", s + 3, off, s + 3, h, s ? "" : ":ytic(2)", name);
		free(name);
	}
	fputc('\n', f);
}

int
ws_plot_bars(const struct ws_plot_bars *b, const struct ws_plot_target *t, const char *script,
	     char **why)
{
	if (b->nseries < 1 || b->nseries > WS_PLOT_MAX_SERIES) {
		*why = ws_xasprintf("a bar chart takes 1 to %d series", WS_PLOT_MAX_SERIES);
		return -EINVAL;
	}
	/* a group of bars per label: text rows need about nseries + 1 lines */
	int rows = (int)(b->n * (b->nseries + 1)) + 8;
	int height = 120 + (int)b->n * (int)(12 * b->nseries + 10);
	return draw(t, script, 900, height < 300 ? 300 : height, 100, rows < 20 ? 20 : rows,
		    bars_body, b, why);
}

/* ---- the roofline ---- */

static void
roofline_body(FILE *f, const void *chart)
{
	const struct ws_plot_roofline *r = chart;
	double bw = r->bandwidth / 1e9; /* GB/s: GFLOP/s at 1 FLOP/byte */
	double top = 0, xmin = INFINITY, xmax = 0, ymin = INFINITY;
	for (size_t i = 0; i < r->nroofs; i++) {
		double p = r->roofs[i].flops / 1e9, ridge = p / bw;
		top = fmax(top, p);
		ymin = fmin(ymin, p);
		xmin = fmin(xmin, ridge);
		xmax = fmax(xmax, ridge);
	}
	for (size_t i = 0; i < r->npoints; i++) {
		const struct ws_plot_point *p = &r->points[i];
		if (!(p->intensity > 0) || !isfinite(p->intensity))
			continue;
		xmin = fmin(xmin, p->intensity);
		xmax = fmax(xmax, p->intensity);
		if (p->flops > 0)
			ymin = fmin(ymin, p->flops / 1e9);
	}
	/* a decade of room each side, in powers of 2 */
	xmin = exp2(floor(log2(xmin)) - 4);
	xmax = exp2(ceil(log2(xmax)) + 3);
	ymin = exp2(floor(log2(fmin(ymin, bw * xmin * 4)))); /* the roof rises into view */
	double ymax = exp2(ceil(log2(top)) + 1);
	char *title = ws_gp_string(r->title ? r->title : "roofline");
	fprintf(f,
		"set title %s\nset logscale xy 10\n"
		"set xlabel 'arithmetic intensity (FLOP/byte)'\nset ylabel 'GFLOP/s'\n"
		"set xrange [%g:%g]\nset yrange [%g:%g]\nset samples 2000\n"
		"set grid\nset key top left\nBW = %.6g\n",
		title, xmin, xmax, ymin, ymax, bw);
	free(title);
	bool measured = false, unknown = false;
	for (size_t i = 0; i < r->npoints; i++)
		if (isnan(r->points[i].flops))
			unknown = true;
		else
			measured = true;
	/* points: measured ones where they are, unknown ones on their roof
	 * (the highest compute roof's, the best the loop could do) */
	for (int pass = 0; pass < 2; pass++) {
		if (pass == 0 ? !measured : !unknown)
			continue;
		fprintf(f, "$%s << EOD\n", pass == 0 ? "points" : "onroof");
		for (size_t i = 0; i < r->npoints; i++) {
			const struct ws_plot_point *p = &r->points[i];
			if (isnan(p->flops) != (pass == 1) || !(p->intensity > 0))
				continue;
			double y = pass == 0 ? p->flops / 1e9 : fmin(top, p->intensity * bw);
			fprintf(f, "%.6g %.6g ", p->intensity, y);
			data_string(f, p->name ? p->name : "", 40);
			fputc('\n', f);
		}
		fputs("EOD\n", f);
	}
	char *bwname = ws_gp_string(r->bandwidth_name ? r->bandwidth_name : "memory bandwidth");
	fprintf(f, "plot (x*BW <= %.6g ? x*BW : 1/0) title %s lw 2", top, bwname);
	free(bwname);
	for (size_t i = 0; i < r->nroofs; i++) {
		double p = r->roofs[i].flops / 1e9;
		char *name = ws_gp_string(r->roofs[i].name ? r->roofs[i].name : "peak");
		fprintf(f, ", \\\n     (x >= %.6g ? %.6g : 1/0) title %s lw 2", p / bw, p, name);
		free(name);
	}
	if (measured)
		fputs(", \\\n     $points using 1:2 with points pt 7 ps 1.5 title 'measured', \\\n"
		      "     $points using 1:2:3 with labels left offset char 1,0.5 notitle",
		      f);
	if (unknown)
		fputs(
		    ", \\\n     $onroof using 1:2 with points pt 6 ps 1.5 title 'achieved unknown: "
		    "on its roof', \\\n"
		    "     $onroof using 1:2:3 with labels left offset char 1,-0.5 notitle",
		    f);
	fputc('\n', f);
}

int
ws_plot_roofline(const struct ws_plot_roofline *r, const struct ws_plot_target *t,
		 const char *script, char **why)
{
	bool ok = r->nroofs > 0 && isfinite(r->bandwidth) && r->bandwidth > 0;
	for (size_t i = 0; i < r->nroofs; i++)
		ok = ok && isfinite(r->roofs[i].flops) && r->roofs[i].flops > 0;
	if (!ok) {
		*why = ws_xasprintf("a roofline needs a bandwidth and compute peaks > 0");
		return -EINVAL;
	}
	return draw(t, script, 900, 600, 100, 32, roofline_body, r, why);
}

/* ---- the timeline ---- */

static void
timeline_body(FILE *f, const void *chart)
{
	const struct ws_plot_timeline *tl = chart;
	double t0 = INFINITY, t1 = -INFINITY;
	for (size_t i = 0; i < tl->nspans; i++) {
		t0 = fmin(t0, tl->spans[i].start);
		t1 = fmax(t1, tl->spans[i].end);
	}
	if (!(t1 > t0))
		t0 = 0, t1 = 1;
	char *title = ws_gp_string(tl->title ? tl->title : "timeline");
	fprintf(f,
		"set title %s\nset xlabel 'milliseconds from the first event'\n"
		"set xrange [0:%g]\nset yrange [%g:-0.6]\nset ytics scale 0\n"
		"set grid xtics\nset key below\nset style fill solid 0.8 noborder\n",
		title, (t1 - t0) * 1e3 * 1.02, tl->ntracks ? tl->ntracks - 0.4 : 0.4);
	free(title);
	fputs("set ytics (", f);
	for (size_t i = 0; i < tl->ntracks; i++) {
		char *name = ws_gp_string(tl->tracks[i]);
		fprintf(f, "%s%s %zu", i ? ", " : "", name, i);
		free(name);
	}
	fputs(")\n", f);
	static const char *const kinds[] = {"kernels", "copies and memsets", "CUDA API calls"};
	for (int k = 0; k < 3; k++) {
		fprintf(f, "$k%d << EOD\n", k);
		bool any = false;
		for (size_t i = 0; i < tl->nspans; i++) {
			const struct ws_plot_span *s = &tl->spans[i];
			if (s->kind != k)
				continue;
			double a = (s->start - t0) * 1e3, b = (s->end - t0) * 1e3;
			fprintf(f, "%.9g %zu %.9g\n", (a + b) / 2, s->track, (b - a) / 2);
			any = true;
		}
		if (!any) /* an empty datablock makes gnuplot fail */
			fputs("-1 -1 0\n", f);
		fputs("EOD\n", f);
	}
	fputs("plot ", f);
	for (int k = 0; k < 3; k++)
		fprintf(f, "%s$k%d using 1:2:3:(0.35) with boxxyerror title '%s'", k ? ", " : "", k,
			kinds[k]);
	fputc('\n', f);
}

int
ws_plot_timeline(const struct ws_plot_timeline *tl, const struct ws_plot_target *t,
		 const char *script, char **why)
{
	int height = 160 + (int)tl->ntracks * 40;
	int rows = (int)tl->ntracks * 2 + 10;
	return draw(t, script, 1200, height < 300 ? 300 : height, 120, rows < 20 ? 20 : rows,
		    timeline_body, tl, why);
}
