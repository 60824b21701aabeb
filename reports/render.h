/* Renderers of the report tables (analysis.h): aligned text for people,
 * JSON (docs/cli.md, schema "whyslow-report" version 1) for programs.
 *
 * Contract: a renderer only formats; it computes nothing that is not in the
 * tables.  Sections that are NULL are left out (tree, lines, threads).
 * Both return 0, or -1 when writing to f failed.
 */
#ifndef WHYSLOW_RENDER_H
#define WHYSLOW_RENDER_H

#include <stdbool.h>
#include <stdio.h>

#include "analysis.h"

struct ws_report {
	const struct ws_header *header;
	const struct ws_flat *flat;
	const struct ws_tree *tree;	  /* NULL unless asked for */
	const struct ws_lines *lines;	  /* NULL unless asked for */
	const struct ws_threads *threads; /* NULL unless asked for */
	const struct ws_processes *processes;
	double min_percent; /* the tree's cut-off, for the text */
};

struct ws_text_options {
	bool color;
	int width; /* terminal columns to fit names into; 0: no terminal */
};

int ws_render_text(FILE *f, const struct ws_report *r, const struct ws_text_options *o);
int ws_render_json(FILE *f, const struct ws_report *r);

#endif
