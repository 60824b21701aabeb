/* Aligned text tables and the small formatting helpers the text renderers
 * share (see text_table.h). */
#include "config.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "symbolize.h" /* ws_basename */
#include "text_table.h"
#include "util.h"

/* ---- styles ---- */

static const char *const style_on[] = {"",	   "\033[1m",  "\033[2m", "\033[31m",
				       "\033[33m", "\033[36m", "\033[32m"};

void
tt_styled(struct out *o, enum style s, const char *text)
{
	if (o->color && s != PLAIN && *text)
		fprintf(o->f, "%s%s\033[0m", style_on[s], text);
	else
		fputs(text, o->f);
}

/* ---- text width (UTF-8 code points; names are rarely wider) ---- */

static size_t
tt_text_width(const char *s)
{
	size_t w = 0;
	for (; *s; s++)
		w += ((unsigned char)*s & 0xc0) != 0x80;
	return w;
}

/* A copy of s cut to at most max columns, ending in an ellipsis if cut. */
static char *
tt_fit(const char *s, size_t max)
{
	if (!max || tt_text_width(s) <= max)
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

void
tt_col(struct table *t, const char *title, bool right, size_t max)
{
	t->cols[t->ncols++] = (struct column){title, right, max, tt_text_width(title)};
}

struct cell *
tt_row(struct table *t)
{
	if (t->nrows == t->cap) {
		t->cap = t->cap ? 2 * t->cap : 32;
		t->cells = ws_xrealloc(t->cells, t->cap * t->ncols * sizeof *t->cells);
	}
	struct cell *row = &t->cells[t->nrows++ * t->ncols];
	memset(row, 0, t->ncols * sizeof *row);
	return row;
}

void
tt_set(struct table *t, struct cell *row, size_t col, enum style st, char *text /* owned */)
{
	char *cut = tt_fit(text, t->cols[col].max);
	free(text);
	row[col].text = cut;
	row[col].style = st;
	size_t w = tt_text_width(cut);
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
		size_t w = tt_text_width(text);
		bool last = c + 1 == end;
		if (t->cols[c].right)
			pad(o->f, t->cols[c].width - w);
		tt_styled(o, cells[c].style, text);
		if (!t->cols[c].right && !last)
			pad(o->f, t->cols[c].width - w);
		if (!last)
			fputs("  ", o->f);
	}
	fputc('\n', o->f);
}

void
tt_print(struct out *o, struct table *t, const char *indent)
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
size_t
tt_name_room(const struct out *o, size_t used, size_t dflt)
{
	if (o->width <= 0)
		return dflt;
	long room = (long)o->width - (long)used;
	return room < 20 ? 20 : (size_t)room;
}

/* ---- cells ---- */

char *
tt_pct(double p)
{
	return ws_xasprintf("%.1f%%", p);
}

char *
tt_err(double e)
{
	return ws_xasprintf("\xc2\xb1%.1f", e); /* ± */
}

const char *
tt_short_path(const struct out *o, const char *path)
{
	size_t n = strlen(o->cwd);
	if (n > 1 && !strncmp(path, o->cwd, n) && path[n] == '/')
		return path + n + 1;
	return ws_basename(path);
}

char *
tt_location(const struct out *o, const char *file, unsigned line)
{
	if (!file)
		return ws_xstrdup("");
	return line ? ws_xasprintf("%s:%u", tt_short_path(o, file), line)
		    : ws_xstrdup(tt_short_path(o, file));
}

char *
tt_fname(const char *function, bool inlined)
{
	return inlined ? ws_xasprintf("%s [inlined]", function) : ws_xstrdup(function);
}

char *
tt_size(uint64_t b)
{
	if (b >= (1u << 30))
		return ws_xasprintf("%.1f GiB", (double)b / (1u << 30));
	if (b >= (1u << 20))
		return ws_xasprintf("%.1f MiB", (double)b / (1u << 20));
	if (b >= 1024)
		return ws_xasprintf("%.1f KiB", (double)b / 1024);
	return ws_xasprintf("%" PRIu64 " B", b);
}

void
tt_title(struct out *o, const char *text)
{
	fputc('\n', o->f);
	tt_styled(o, BOLD, text);
	fputc('\n', o->f);
}
