/* Plots with gnuplot: where a plot goes (`--plot FILE.png|FILE.svg|term`),
 * the script's first lines, running gnuplot, and two generic charts: bars
 * of per-function values and the roofline.
 *
 * Contract:
 *  - A chart is a gnuplot script with its data inline (datablocks): for a
 *    file target FILE.png or FILE.svg the script is kept as FILE.gp next to
 *    it (edit and rerun `gnuplot FILE.gp`); for `term` it is a temporary
 *    file, removed after gnuplot drew the chart as text on our stdout.
 *  - gnuplot runs with posix_spawnp (no shell: paths may hold any
 *    character; strings are single-quoted with quotes doubled), its stdout
 *    is ours (flushed before), its errors go to our stderr.  Text is
 *    'noenhanced': names with _ or ^ print as they are.
 *  - Return codes: 0; WS_PLOT_NO_GNUPLOT when gnuplot is not installed
 *    (not in PATH); WS_PLOT_FAILED when it ran and failed; -errno when the
 *    script could not be written.  *why then says what (newly allocated),
 *    naming the kept script where there is one.
 *  - Nothing here is async-signal-safe; none of it keeps state.
 */
#ifndef WHYSLOW_PLOT_H
#define WHYSLOW_PLOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

enum ws_plot_kind { WS_PLOT_PNG, WS_PLOT_SVG, WS_PLOT_TERM };

struct ws_plot_target {
	enum ws_plot_kind kind;
	const char *file; /* FILE.png or FILE.svg; NULL for term */
};

enum { WS_PLOT_FAILED = -1000, WS_PLOT_NO_GNUPLOT = -1001 };

/* "FILE.png", "FILE.svg" (a name before the extension) or "term"; 0, or
 * -1 on anything else (the caller reports a usage error). */
int ws_plot_parse(const char *arg, struct ws_plot_target *out);

/* s as a gnuplot single-quoted string, quotes doubled (newly allocated). */
char *ws_gp_string(const char *s);

/* The script's first lines: the terminal (png or svg of width x height
 * pixels, or dumb of cols x rows characters), 'noenhanced', and for files
 * the output.  Newly allocated. */
char *ws_plot_terminal(const struct ws_plot_target *t, int width, int height, int cols, int rows);

/* Where a chart's script is kept for target t: FILE.gp for FILE.png or
 * FILE.svg (newly allocated); NULL for term. */
char *ws_plot_script_path(const struct ws_plot_target *t);

/* Runs gnuplot on script: 0, WS_PLOT_NO_GNUPLOT or WS_PLOT_FAILED. */
int ws_plot_run(const char *script);

/* What a failed plot lacks, for messages: "gnuplot is not installed
 * (apt-get install gnuplot-nox)", "gnuplot failed (its errors are
 * above)". */
const char *ws_plot_strerror(int rc);

/* ---- charts ---- */

enum { WS_PLOT_MAX_SERIES = 4 };

/* Horizontal bars, one group per label (the first at the top), one bar per
 * series in each group. */
struct ws_plot_bars {
	const char *title, *xlabel;
	const char *series[WS_PLOT_MAX_SERIES]; /* their names in the key */
	size_t nseries;				/* 1..WS_PLOT_MAX_SERIES */
	const char *const *labels;		/* n: function names */
	const double *values;			/* n x nseries, by label: values[i * nseries + s] */
	size_t n;
};

struct ws_plot_roof {
	const char *name; /* "double 512-bit AVX-512F FMA" */
	double flops;	  /* FLOP/s */
};

struct ws_plot_point {
	const char *name;
	double intensity; /* FLOP/byte */
	double flops;	  /* achieved FLOP/s; NaN: unknown, drawn on its roof */
};

/* Log-log: the bandwidth roof up to the highest compute roof, each compute
 * roof from its ridge point on, and the points with their names. */
struct ws_plot_roofline {
	const char *title;
	double bandwidth; /* bytes/s */
	const char *bandwidth_name;
	const struct ws_plot_roof *roofs; /* at least one */
	size_t nroofs;
	const struct ws_plot_point *points;
	size_t npoints;
};

/* A timeline: one row per track (the first at the top), spans of three
 * kinds (0 kernels, 1 copies and memsets, 2 CUDA API calls) drawn as
 * boxes from start to end (seconds). */
struct ws_plot_span {
	size_t track;
	int kind;
	double start, end;
};
struct ws_plot_timeline {
	const char *title;
	const char *const *tracks; /* ntracks names */
	size_t ntracks;
	const struct ws_plot_span *spans;
	size_t nspans;
};

/* Write the chart's script to `script` (NULL: FILE.gp beside a file
 * target, a temporary file for term) and run gnuplot on it. */
int ws_plot_bars(const struct ws_plot_bars *b, const struct ws_plot_target *t, const char *script,
		 char **why);
int ws_plot_roofline(const struct ws_plot_roofline *r, const struct ws_plot_target *t,
		     const char *script, char **why);
int ws_plot_timeline(const struct ws_plot_timeline *tl, const struct ws_plot_target *t,
		     const char *script, char **why);

#endif
