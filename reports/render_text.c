/* The report as aligned text for a terminal or a pipe (see render.h). */
#include "config.h"

#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "render.h"
#include "util.h"

/* ---- styles ---- */

enum style { PLAIN, BOLD, DIM, RED, YELLOW, CYAN };

static const char *const style_on[] = {"",	   "\033[1m",  "\033[2m",
				       "\033[31m", "\033[33m", "\033[36m"};

struct out {
	FILE *f;
	bool color;
	int width;
	char cwd[PATH_MAX];
};

static void
styled(struct out *o, enum style s, const char *text)
{
	if (o->color && s != PLAIN && *text)
		fprintf(o->f, "%s%s\033[0m", style_on[s], text);
	else
		fputs(text, o->f);
}

/* ---- text width (UTF-8 code points; names are rarely wider) ---- */

static size_t
text_width(const char *s)
{
	size_t w = 0;
	for (; *s; s++)
		w += ((unsigned char)*s & 0xc0) != 0x80;
	return w;
}

/* A copy of s cut to at most max columns, ending in an ellipsis if cut. */
static char *
fit(const char *s, size_t max)
{
	if (!max || text_width(s) <= max)
		return ws_xstrdup(s);
	size_t w = 0, i = 0;
	while (s[i]) {
		if (((unsigned char)s[i] & 0xc0) != 0x80) {
			if (w == max - 1)
				break;
			w++;
		}
		i++;
	}
	char *r = ws_xmalloc(i + 4);
	memcpy(r, s, i);
	memcpy(r + i, "\xe2\x80\xa6", 4); /* U+2026 */
	return r;
}

/* ---- tables: cells as strings, widths from the data ---- */

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

static void
table_col(struct table *t, const char *title, bool right, size_t max)
{
	t->cols[t->ncols++] = (struct column){title, right, max, text_width(title)};
}

static struct cell *
table_row(struct table *t)
{
	if (t->nrows == t->cap) {
		t->cap = t->cap ? 2 * t->cap : 32;
		t->cells = ws_xrealloc(t->cells, t->cap * t->ncols * sizeof *t->cells);
	}
	struct cell *row = &t->cells[t->nrows++ * t->ncols];
	memset(row, 0, t->ncols * sizeof *row);
	return row;
}

static void
set(struct table *t, struct cell *row, size_t col, enum style st, char *text /* owned */)
{
	char *cut = fit(text, t->cols[col].max);
	free(text);
	row[col].text = cut;
	row[col].style = st;
	size_t w = text_width(cut);
	if (w > t->cols[col].width)
		t->cols[col].width = w;
}

static void
pad(FILE *f, size_t n)
{
	while (n--)
		fputc(' ', f);
}

static void
print_cells(struct out *o, struct table *t, const struct cell *cells, const char *indent)
{
	/* nothing after the last non-empty cell: no trailing blanks */
	size_t end = t->ncols;
	while (end > 0 && (!cells[end - 1].text || !*cells[end - 1].text))
		end--;
	fputs(indent, o->f);
	for (size_t c = 0; c < end; c++) {
		const char *text = cells[c].text ? cells[c].text : "";
		size_t w = text_width(text);
		bool last = c + 1 == end;
		if (t->cols[c].right)
			pad(o->f, t->cols[c].width - w);
		styled(o, cells[c].style, text);
		if (!t->cols[c].right && !last)
			pad(o->f, t->cols[c].width - w);
		if (!last)
			fputs("  ", o->f);
	}
	fputc('\n', o->f);
}

static void
table_print(struct out *o, struct table *t, const char *indent)
{
	struct cell titles[MAX_COLS];
	for (size_t c = 0; c < t->ncols; c++)
		titles[c] = (struct cell){(char *)t->cols[c].title, DIM};
	print_cells(o, t, titles, indent);
	for (size_t r = 0; r < t->nrows; r++)
		print_cells(o, t, &t->cells[r * t->ncols], indent);
	for (size_t i = 0; i < t->nrows * t->ncols; i++)
		free(t->cells[i].text);
	free(t->cells);
	memset(t, 0, sizeof *t);
}

/* Room left for a column of names once the other columns take `used`. */
static size_t
name_room(const struct out *o, size_t used, size_t dflt)
{
	if (o->width <= 0)
		return dflt;
	long room = (long)o->width - (long)used;
	return room < 20 ? 20 : (size_t)room;
}

/* ---- cells ---- */

static char *
pct(double p)
{
	return ws_xasprintf("%.1f%%", p);
}

static char *
err(double e)
{
	return ws_xasprintf("\xc2\xb1%.1f", e); /* ± */
}

static const char *
short_path(const struct out *o, const char *path)
{
	size_t n = strlen(o->cwd);
	if (n > 1 && !strncmp(path, o->cwd, n) && path[n] == '/')
		return path + n + 1;
	return ws_basename(path);
}

static char *
location(const struct out *o, const char *file, unsigned line)
{
	if (!file)
		return ws_xstrdup("");
	return line ? ws_xasprintf("%s:%u", short_path(o, file), line)
		    : ws_xstrdup(short_path(o, file));
}

static char *
fname(const char *function, bool inlined)
{
	return inlined ? ws_xasprintf("%s [inlined]", function) : ws_xstrdup(function);
}

static char *
size_text(uint64_t b)
{
	if (b >= (1u << 30))
		return ws_xasprintf("%.1f GiB", (double)b / (1u << 30));
	if (b >= (1u << 20))
		return ws_xasprintf("%.1f MiB", (double)b / (1u << 20));
	if (b >= 1024)
		return ws_xasprintf("%.1f KiB", (double)b / 1024);
	return ws_xasprintf("%" PRIu64 " B", b);
}

/* ---- sections ---- */

static void
title(struct out *o, const char *text)
{
	fputc('\n', o->f);
	styled(o, BOLD, text);
	fputc('\n', o->f);
}

static void
header(struct out *o, const struct ws_header *h)
{
	char *s = ws_xasprintf("whyslow report: %s", h->dir ? h->dir : "");
	styled(o, BOLD, s);
	free(s);
	fputc('\n', o->f);
	fprintf(o->f, "  command   ");
	for (int i = 0; i < h->argc; i++)
		fprintf(o->f, "%s%s", i ? " " : "", h->command[i]);
	fprintf(o->f, "\n  time      %.3f s wall, %.3f s CPU; %zu process%s, %zu thread%s\n",
		h->wall_seconds, h->cpu_seconds, h->processes, h->processes == 1 ? "" : "es",
		h->threads, h->threads == 1 ? "" : "s");
	fprintf(o->f, "  sampling  %s clock via %s, %" PRIu32 " Hz requested, %.1f Hz achieved\n",
		h->clock, h->source, h->requested_hz, h->achieved_hz);
	fprintf(o->f,
		"  samples   %" PRIu64 " (%" PRIu64 " dropped, %" PRIu64
		" unwind failures, %" PRIu64 " truncated)\n",
		h->samples, h->dropped, h->unwind_failures, h->truncated);
	char *peak = size_text(h->collector_peak_bytes);
	fprintf(o->f,
		"  overhead  %.3f s in the sampling handler (%.2f %% of CPU), collector peak "
		"memory %s\n",
		h->overhead_seconds, h->overhead_percent, peak);
	free(peak);
	for (size_t i = 0; i < h->nwarnings; i++) {
		fputs("  ", o->f);
		styled(o, YELLOW, "warning:");
		fprintf(o->f, " %s\n", h->warnings[i]);
	}
	for (size_t i = 0; i < h->nnotes; i++) {
		fputs("  ", o->f);
		styled(o, CYAN, "note:");
		fprintf(o->f, " %s\n", h->notes[i]);
	}
}

static void
flat(struct out *o, const struct ws_flat *fl)
{
	char *t = ws_xasprintf("Flat profile: %" PRIu64 " samples, functions by self time "
			       "(\xc2\xb1: 95 %% error margin in points)",
			       fl->samples);
	title(o, t);
	free(t);
	if (!fl->nrows) {
		fputs("  (no samples)\n", o->f);
		return;
	}
	struct table tb = {0};
	table_col(&tb, "self", true, 0);
	table_col(&tb, "", true, 0);
	table_col(&tb, "total", true, 0);
	table_col(&tb, "", true, 0);
	table_col(&tb, "samples", true, 0);
	table_col(&tb, "function", false,
		  name_room(o, 2 + 6 + 6 + 6 + 6 + 8 + 5 * 2 + 2 + 16 + 2 + 24, 60));
	table_col(&tb, "module", false, 24);
	table_col(&tb, "source", false, 40);
	for (size_t i = 0; i < fl->nrows; i++) {
		const struct ws_flat_row *r = &fl->rows[i];
		struct cell *row = table_row(&tb);
		enum style hot = r->self_percent >= 10.0 ? RED : PLAIN;
		set(&tb, row, 0, hot, pct(r->self_percent));
		set(&tb, row, 1, DIM, err(r->self_error));
		set(&tb, row, 2, PLAIN, pct(r->total_percent));
		set(&tb, row, 3, DIM, err(r->total_error));
		set(&tb, row, 4, PLAIN, ws_xasprintf("%" PRIu64, r->self));
		set(&tb, row, 5, hot == RED ? BOLD : PLAIN, fname(r->function, r->inlined));
		set(&tb, row, 6, DIM, ws_xstrdup(ws_basename(r->module)));
		set(&tb, row, 7, DIM, location(o, r->file, r->line));
	}
	table_print(o, &tb, "  ");
	if (fl->nrows < fl->nfunctions)
		fprintf(o->f, "  (%zu of %zu functions shown; --top 0 shows all)\n", fl->nrows,
			fl->nfunctions);
}

static void
tree_rows(struct out *o, struct table *tb, const struct ws_tree_node *n, const char *prefix,
	  bool last, bool root)
{
	struct cell *row = table_row(tb);
	set(tb, row, 0, n->total_percent >= 10.0 ? BOLD : PLAIN, pct(n->total_percent));
	set(tb, row, 1, n->self_percent >= 10.0 ? RED : PLAIN, pct(n->self_percent));
	char *label = fname(n->function, n->inlined);
	char *line = ws_xasprintf("%s%s%s", prefix,
				  root	 ? ""
				  : last ? "\xe2\x94\x94\xe2\x94\x80 "
					 : "\xe2\x94\x9c\xe2\x94\x80 ",
				  label);
	free(label);
	set(tb, row, 2, PLAIN, line);
	set(tb, row, 3, DIM, ws_xstrdup(root ? "" : ws_basename(n->module)));
	char *sub =
	    root ? ws_xstrdup("") : ws_xasprintf("%s%s", prefix, last ? "   " : "\xe2\x94\x82  ");
	for (size_t i = 0; i < n->nchildren; i++)
		tree_rows(o, tb, &n->children[i], sub, i + 1 == n->nchildren, false);
	free(sub);
}

static void
tree(struct out *o, const struct ws_tree *t, double min_percent)
{
	char *s = ws_xasprintf("Call tree: top-down, callees below %.1f %% of samples hidden",
			       min_percent);
	title(o, s);
	free(s);
	struct table tb = {0};
	table_col(&tb, "total", true, 0);
	table_col(&tb, "self", true, 0);
	table_col(&tb, "function", false, o->width > 0 ? name_room(o, 2 + 7 + 7 + 4 + 20, 100) : 0);
	table_col(&tb, "module", false, 24);
	tree_rows(o, &tb, &t->root, "", true, true);
	table_print(o, &tb, "  ");
}

/* Source text for a table cell: leading blanks gone, tabs as spaces. */
static char *
code(const char *text)
{
	while (*text == ' ' || *text == '\t')
		text++;
	char *r = ws_xmalloc(strlen(text) + 1);
	size_t n = 0;
	for (; *text; text++)
		r[n++] = *text == '\t' ? ' ' : ((unsigned char)*text < 0x20 ? '?' : *text);
	r[n] = '\0';
	return r;
}

static void
lines(struct out *o, const struct ws_lines *l)
{
	title(o, "Hottest source lines: samples by the line they were taken on");
	if (!l->nrows) {
		fputs("  (no line information: was the program compiled with -g?)\n", o->f);
		return;
	}
	struct table tb = {0};
	table_col(&tb, "self", true, 0);
	table_col(&tb, "", true, 0);
	table_col(&tb, "samples", true, 0);
	table_col(&tb, "source", false, 40);
	table_col(&tb, "function", false, 30);
	table_col(&tb, "text", false, name_room(o, 2 + 6 + 6 + 8 + 40 + 30 + 5 * 2, 60));
	for (size_t i = 0; i < l->nrows; i++) {
		const struct ws_line_row *r = &l->rows[i];
		struct cell *row = table_row(&tb);
		set(&tb, row, 0, r->percent >= 10.0 ? RED : PLAIN, pct(r->percent));
		set(&tb, row, 1, DIM, err(r->error));
		set(&tb, row, 2, PLAIN, ws_xasprintf("%" PRIu64, r->samples));
		set(&tb, row, 3, PLAIN, location(o, r->file, r->line));
		set(&tb, row, 4, DIM, ws_xstrdup(r->function));
		set(&tb, row, 5, PLAIN, code(r->text));
	}
	table_print(o, &tb, "  ");
	if (l->nrows < l->nlines)
		fprintf(o->f, "  (%zu of %zu lines shown; --top 0 shows all)\n", l->nrows,
			l->nlines);
	if (l->unknown)
		fprintf(o->f, "  (%.1f %% of samples on code without line information)\n",
			ws_percent(l->unknown, l->samples));
}

static void
threads(struct out *o, const struct ws_threads *t)
{
	title(o, "Threads: each thread's share of the samples");
	struct table tb = {0};
	table_col(&tb, "pid", true, 0);
	table_col(&tb, "tid", true, 0);
	table_col(&tb, "name", false, 0);
	table_col(&tb, "samples", true, 0);
	table_col(&tb, "share", true, 0);
	table_col(&tb, "", true, 0);
	table_col(&tb, "CPU s", true, 0);
	table_col(&tb, "wall s", true, 0);
	for (size_t i = 0; i < t->nrows; i++) {
		const struct ws_thread_row *r = &t->rows[i];
		struct cell *row = table_row(&tb);
		set(&tb, row, 0, PLAIN, ws_xasprintf("%" PRIu32, r->pid));
		set(&tb, row, 1, PLAIN, ws_xasprintf("%" PRIu32, r->tid));
		set(&tb, row, 2, PLAIN, ws_xstrdup(r->name));
		set(&tb, row, 3, PLAIN, ws_xasprintf("%" PRIu64, r->samples));
		set(&tb, row, 4, PLAIN, pct(r->percent));
		set(&tb, row, 5, DIM, err(r->error));
		set(&tb, row, 6, PLAIN, ws_xasprintf("%.3f", r->cpu_seconds));
		set(&tb, row, 7, PLAIN, ws_xasprintf("%.3f", r->wall_seconds));
	}
	table_print(o, &tb, "  ");
}

static void
processes(struct out *o, const struct ws_processes *p)
{
	bool show = p->nrows > 1;
	for (size_t i = 0; i < p->nrows; i++)
		show |= !p->rows[i].complete;
	if (!show)
		return;
	title(o, "Processes");
	struct table tb = {0};
	table_col(&tb, "pid", true, 0);
	table_col(&tb, "ppid", true, 0);
	table_col(&tb, "end", false, 0);
	table_col(&tb, "samples", true, 0);
	table_col(&tb, "threads", true, 0);
	table_col(&tb, "command", false, name_room(o, 2 + 8 + 8 + 12 + 8 + 8 + 5 * 2, 60));
	for (size_t i = 0; i < p->nrows; i++) {
		const struct ws_process_row *r = &p->rows[i];
		struct cell *row = table_row(&tb);
		set(&tb, row, 0, PLAIN, ws_xasprintf("%" PRIu32, r->pid));
		set(&tb, row, 1, PLAIN, ws_xasprintf("%" PRIu32, r->ppid));
		if (!r->complete)
			set(&tb, row, 2, YELLOW, ws_xstrdup("incomplete"));
		else
			set(&tb, row, 2, PLAIN, ws_xasprintf("%s %" PRId32, r->end, r->status));
		set(&tb, row, 3, PLAIN, ws_xasprintf("%" PRIu64, r->samples));
		set(&tb, row, 4, PLAIN, ws_xasprintf("%zu", r->threads));
		size_t len = 1;
		for (int a = 0; a < r->argc; a++)
			len += strlen(r->argv[a]) + 1;
		char *cmd = ws_xcalloc(len, 1);
		for (int a = 0; a < r->argc; a++) {
			if (a)
				strcat(cmd, " ");
			strcat(cmd, r->argv[a]);
		}
		set(&tb, row, 5, PLAIN, cmd);
	}
	table_print(o, &tb, "  ");
}

int
ws_render_text(FILE *f, const struct ws_report *r, const struct ws_text_options *opt)
{
	struct out o = {.f = f, .color = opt && opt->color, .width = opt ? opt->width : 0};
	if (!getcwd(o.cwd, sizeof o.cwd))
		o.cwd[0] = '\0';
	header(&o, r->header);
	flat(&o, r->flat);
	if (r->tree)
		tree(&o, r->tree, r->min_percent);
	if (r->lines)
		lines(&o, r->lines);
	if (r->threads)
		threads(&o, r->threads);
	processes(&o, r->processes);
	fflush(f);
	return ferror(f) ? -1 : 0;
}
