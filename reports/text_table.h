/* Aligned text tables for the terminal renderers (render_text.c,
 * render_compare.c): cells are strings, column widths come from the data,
 * names are cut with an ellipsis to fit the terminal, colour only when
 * asked for.  Every char * passed as "owned" is freed by the table. */
#ifndef WHYSLOW_TEXT_TABLE_H
#define WHYSLOW_TEXT_TABLE_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum style { PLAIN, BOLD, DIM, RED, YELLOW, CYAN, GREEN };

/* Where and how a renderer writes. */
struct out {
	FILE *f;
	bool color;
	int width;	    /* terminal columns; 0: not a terminal */
	char cwd[PATH_MAX]; /* for shortening source paths */
};

enum { MAX_COLS = 10 };

struct column {
	const char *title;
	bool right;
	size_t max; /* 0: no limit */
	size_t width;
};

struct cell {
	char *text;
	enum style style;
};

struct table {
	struct column cols[MAX_COLS];
	size_t ncols;
	struct cell *cells; /* row-major */
	size_t nrows, cap;
};

/* text in style s (plain without colour). */
void tt_styled(struct out *o, enum style s, const char *text);
/* A blank line, then text in bold. */
void tt_title(struct out *o, const char *text);

/* Add a column (before any row); max: cut cells to this many columns. */
void tt_col(struct table *t, const char *title, bool right, size_t max);
/* A new row of empty cells. */
struct cell *tt_row(struct table *t);
void tt_set(struct table *t, struct cell *row, size_t col, enum style st, char *text /* owned */);
/* Print titles and rows, then free the cells (the table is empty again). */
void tt_print(struct out *o, struct table *t, const char *indent);
/* Room left for a column of names once the other columns take `used`. */
size_t tt_name_room(const struct out *o, size_t used, size_t dflt);

/* Cell texts (all newly allocated). */
char *tt_pct(double p);							 /* "12.3%" */
char *tt_err(double e);							 /* "±1.2" */
char *tt_location(const struct out *o, const char *file, unsigned line); /* "f.c:12" */
char *tt_fname(const char *function, bool inlined);			 /* "f [inlined]" */
char *tt_size(uint64_t bytes);						 /* "1.5 MiB" */
/* path relative to the working directory when under it, else its basename. */
const char *tt_short_path(const struct out *o, const char *path);

#endif
