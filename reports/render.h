/* Renderers of the report tables (analysis.h): aligned text for people,
 * JSON (docs/cli.md, schema "whyslow-report" version 1) for programs.
 *
 * Contract: a renderer only formats; it computes nothing that is not in the
 * tables.  Sections that are NULL are left out (tree, lines, threads, busy,
 * vector).
 * Both return 0, or -1 when writing to f failed.
 */
#ifndef WHYSLOW_RENDER_H
#define WHYSLOW_RENDER_H

#include <stdbool.h>
#include <stdio.h>

#include "analysis.h"
#include "expect.h"
#include "mpi_report.h"
#include "gpu_report.h"
#include "heap.h"
#include "vector.h"
#include "access.h"

struct ws_counter_table;
struct json;
/* Expectations given with --expect and how each came out. */
struct ws_expectations {
	const struct ws_expect *expect;
	const struct ws_expect_result *result;
	size_t n;
};

struct ws_report {
	const struct ws_header *header;
	const struct ws_flat *flat;
	const struct ws_tree *tree;	  /* NULL unless asked for */
	const struct ws_lines *lines;	  /* NULL unless asked for */
	const struct ws_threads *threads; /* NULL unless asked for */
	const struct ws_busy *busy;	  /* NULL unless asked for (--threads) */
	const struct ws_vector *vector;	  /* NULL unless asked for (--vector) */
	const struct ws_mpi_report *mpi;  /* NULL unless asked for (--mpi) */
	const struct ws_heapmem *heapmem; /* NULL unless asked for (--memory) */
	const struct ws_gpu_report *gpu;  /* NULL unless asked for (--gpu) */
	const struct ws_counter_table *counters; /* NULL unless asked for (--counters) */
	const struct ws_access *access;	  /* NULL unless asked for (--memory) */
	const struct ws_roofline *roofline; /* --memory's loops on the roofline, or NULL */
	const char *roofline_why;	    /* --memory without a roofline: why */
	const struct ws_processes *processes;
	const struct ws_python *python;		    /* NULL unless asked for (--python) */
	double min_percent;			    /* the tree's cut-off, for the text */
	const struct ws_expectations *expectations; /* NULL: none given */
	const char *plot_output, *plot_script;	    /* --plot FILE: FILE and FILE.gp; NULL */
};

/* whyslow compare: schema "whyslow-compare" version 1 for JSON. */
struct ws_compare_report {
	const struct ws_header *header[2]; /* before, after */
	const struct ws_compare *cmp;
	const struct ws_expectations *expectations; /* NULL: none given */
	const struct ws_changed *changed;	    /* verdicts, counters, heap (changed.h) */
};

struct ws_text_options {
	bool color;
	int width; /* terminal columns to fit names into; 0: no terminal */
};

int ws_render_text(FILE *f, const struct ws_report *r, const struct ws_text_options *o);
int ws_render_json(FILE *f, const struct ws_report *r);
int ws_render_compare_text(FILE *f, const struct ws_compare_report *r,
			   const struct ws_text_options *o);
int ws_render_compare_json(FILE *f, const struct ws_compare_report *r);

/* compare's "verdicts", "counters" and "heap" keys (render_compare.c). */
struct ws_changed;
void ws_json_changed(struct json *j, const struct ws_changed *c);

/* The --counters section (render_counters.c). */
struct out;
void ws_text_counters(struct out *o, const struct ws_counter_table *t);
void ws_json_counters(struct json *j, const struct ws_counter_table *t);

/* The text of the expectations section (both verbs). */
struct out;
void ws_text_expectations(struct out *o, const struct ws_expectations *x);
/* The --python section (render_python.c). */
struct ws_python;
void ws_text_python(struct out *o, const struct ws_python *py);
void ws_json_python(struct json *j, const struct ws_python *py);
/* The memory-access section (render_access.c). */
struct json;
void ws_text_access(struct out *o, const struct ws_access *a);
void ws_json_access(struct json *j, const struct ws_access *a);
/* The roofline section (render_roofline.c): r, or why there is none. */
struct ws_roofline;
void ws_text_roofline(struct out *o, const struct ws_roofline *r, const char *why);
void ws_json_roofline(struct json *j, const struct ws_roofline *r, const char *why);

#endif
