/* whyslow compare as aligned text: the two runs' facts side by side, then
 * the functions (and lines) whose time changed most, and what else changed
 * (changed.h); and that last part as JSON (see render.h). */
#include "config.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "changed.h"
#include "json.h"
#include "render.h"
#include "text_table.h"
#include "util.h"

static char *
command(const struct ws_header *h)
{
	size_t len = 1;
	for (int i = 0; i < h->argc; i++)
		len += strlen(h->command[i]) + 1;
	char *s = ws_xcalloc(len, 1);
	for (int i = 0; i < h->argc; i++) {
		if (i)
			strcat(s, " ");
		strcat(s, h->command[i]);
	}
	return s;
}

/* "10.2× faster", "1.5× slower", "same" */
static char *
verdict(double ratio, const char *faster, const char *slower)
{
	if (ratio <= 0)
		return ws_xstrdup("");
	if (fabs(ratio - 1.0) < 0.005)
		return ws_xstrdup("about the same");
	return ratio > 1 ? ws_xasprintf("%.2f\xc3\x97 %s", ratio, faster)
			 : ws_xasprintf("%.2f\xc3\x97 %s", 1.0 / ratio, slower);
}

static void
facts(struct out *o, const struct ws_compare_report *r)
{
	const struct ws_header *const *h = r->header;
	const struct ws_compare *c = r->cmp;
	struct table tb = {0};
	tt_col(&tb, "", false, 0);
	tt_col(&tb, "before", false, tt_name_room(o, 12 + 40 + 20, 50));
	tt_col(&tb, "after", false, tt_name_room(o, 12 + 40 + 20, 50));
	tt_col(&tb, "", false, 0);
	struct cell *row = tt_row(&tb);
	tt_set(&tb, row, 0, DIM, ws_xstrdup("recording"));
	for (int s = 0; s < 2; s++)
		tt_set(&tb, row, 1 + s, PLAIN, ws_xstrdup(h[s]->dir ? h[s]->dir : ""));
	row = tt_row(&tb);
	tt_set(&tb, row, 0, DIM, ws_xstrdup("command"));
	for (int s = 0; s < 2; s++)
		tt_set(&tb, row, 1 + s, PLAIN, command(h[s]));
	row = tt_row(&tb);
	tt_set(&tb, row, 0, DIM, ws_xstrdup("wall"));
	for (int s = 0; s < 2; s++)
		tt_set(&tb, row, 1 + s, PLAIN, ws_xasprintf("%.3f s", h[s]->wall_seconds));
	tt_set(&tb, row, 3, c->speedup >= 1 ? GREEN : RED, verdict(c->speedup, "faster", "slower"));
	row = tt_row(&tb);
	tt_set(&tb, row, 0, DIM, ws_xstrdup("CPU"));
	for (int s = 0; s < 2; s++)
		tt_set(&tb, row, 1 + s, PLAIN, ws_xasprintf("%.3f s", h[s]->cpu_seconds));
	tt_set(&tb, row, 3, c->cpu_speedup >= 1 ? GREEN : RED,
	       verdict(c->cpu_speedup, "less CPU", "more CPU"));
	row = tt_row(&tb);
	tt_set(&tb, row, 0, DIM, ws_xstrdup("samples"));
	for (int s = 0; s < 2; s++)
		tt_set(&tb, row, 1 + s, PLAIN,
		       ws_xasprintf("%" PRIu64 " at %.0f Hz, %s clock", h[s]->samples,
				    h[s]->achieved_hz, h[s]->clock));
	row = tt_row(&tb);
	tt_set(&tb, row, 0, DIM, ws_xstrdup("threads"));
	for (int s = 0; s < 2; s++)
		tt_set(&tb, row, 1 + s, PLAIN,
		       ws_xasprintf("%zu in %zu process%s", h[s]->threads, h[s]->processes,
				    h[s]->processes == 1 ? "" : "es"));
	tt_print(o, &tb, "  ");
	static const char *const side[] = {"before", "after"};
	for (int s = 0; s < 2; s++)
		for (size_t i = 0; i < h[s]->nwarnings; i++) {
			fputs("  ", o->f);
			tt_styled(o, YELLOW, "warning:");
			fprintf(o->f, " (%s) %s\n", side[s], h[s]->warnings[i]);
		}
	if (strcmp(h[0]->clock, h[1]->clock)) {
		fputs("  ", o->f);
		tt_styled(o, YELLOW, "warning:");
		fprintf(o->f,
			" the runs were sampled on different clocks (%s, %s): their "
			"function times do not compare\n",
			h[0]->clock, h[1]->clock);
	}
}

static char *
seconds(double s)
{
	return ws_xasprintf("%.3f", s);
}

static char *
change(double before, double after, enum style *st)
{
	double d = after - before;
	*st = d < -0.0005 ? GREEN : d > 0.0005 ? RED : PLAIN;
	return ws_xasprintf("%+.3f", d);
}

static char *
status(enum ws_presence p, double before, double after)
{
	if (p == WS_ONLY_BEFORE)
		return ws_xstrdup("gone");
	if (p == WS_ONLY_AFTER)
		return ws_xstrdup("new");
	if (before > 0 && after > 0)
		return ws_xasprintf("%.2f\xc3\x97", before / after);
	return ws_xstrdup("");
}

static void
functions(struct out *o, const struct ws_compare_report *r)
{
	const struct ws_compare *c = r->cmp;
	char *t = ws_xasprintf("Functions: %s seconds before and after, biggest change in "
			       "self time first",
			       r->header[1]->clock);
	tt_title(o, t);
	free(t);
	if (!c->nfns) {
		fputs("  (no samples in either run)\n", o->f);
		return;
	}
	struct table tb = {0};
	tt_col(&tb, "self before", true, 0);
	tt_col(&tb, "after", true, 0);
	tt_col(&tb, "change", true, 0);
	tt_col(&tb, "speedup", true, 0);
	tt_col(&tb, "total before", true, 0);
	tt_col(&tb, "after", true, 0);
	tt_col(&tb, "function", false,
	       tt_name_room(o, 2 + 11 + 8 + 8 + 7 + 12 + 8 + 7 * 2 + 24, 50));
	tt_col(&tb, "module", false, 24);
	for (size_t i = 0; i < c->nfns; i++) {
		const struct ws_compare_fn *fn = &c->fns[i];
		struct cell *row = tt_row(&tb);
		enum style st;
		tt_set(&tb, row, 0, PLAIN, seconds(fn->self_s[0]));
		tt_set(&tb, row, 1, PLAIN, seconds(fn->self_s[1]));
		char *ch = change(fn->self_s[0], fn->self_s[1], &st);
		tt_set(&tb, row, 2, st, ch);
		tt_set(&tb, row, 3, fn->presence == WS_IN_BOTH ? DIM : YELLOW,
		       status(fn->presence, fn->self_s[0], fn->self_s[1]));
		tt_set(&tb, row, 4, PLAIN, seconds(fn->total_s[0]));
		tt_set(&tb, row, 5, PLAIN, seconds(fn->total_s[1]));
		tt_set(&tb, row, 6, i < 3 ? BOLD : PLAIN, tt_fname(fn->function, fn->inlined));
		tt_set(&tb, row, 7, DIM, ws_xstrdup(ws_basename(fn->module)));
	}
	tt_print(o, &tb, "  ");
	if (c->nfns < c->nfunctions)
		fprintf(o->f, "  (%zu of %zu functions shown; --top 0 shows all)\n", c->nfns,
			c->nfunctions);
}

/* Source text for a cell: leading blanks gone, tabs as spaces. */
static char *
code(const char *text)
{
	if (!text)
		return ws_xstrdup("");
	while (*text == ' ' || *text == '\t')
		text++;
	char *s = ws_xstrdup(text);
	for (char *p = s; *p; p++)
		if (*p == '\t' || (unsigned char)*p < 0x20)
			*p = ' ';
	return s;
}

static void
lines(struct out *o, const struct ws_compare *c)
{
	tt_title(o, "Lines: seconds on each source line before and after, biggest change first");
	if (!c->nlines) {
		fputs("  (no line information in either run: compile with -g)\n", o->f);
		return;
	}
	struct table tb = {0};
	tt_col(&tb, "before", true, 0);
	tt_col(&tb, "after", true, 0);
	tt_col(&tb, "change", true, 0);
	tt_col(&tb, "speedup", true, 0);
	tt_col(&tb, "source", false, 32);
	tt_col(&tb, "function", false, 24);
	tt_col(&tb, "text", false, tt_name_room(o, 2 + 8 + 8 + 8 + 7 + 32 + 24 + 6 * 2, 50));
	for (size_t i = 0; i < c->nlines; i++) {
		const struct ws_compare_line *l = &c->lines[i];
		struct cell *row = tt_row(&tb);
		enum style st;
		tt_set(&tb, row, 0, PLAIN, seconds(l->seconds[0]));
		tt_set(&tb, row, 1, PLAIN, seconds(l->seconds[1]));
		char *ch = change(l->seconds[0], l->seconds[1], &st);
		tt_set(&tb, row, 2, st, ch);
		tt_set(&tb, row, 3, l->presence == WS_IN_BOTH ? DIM : YELLOW,
		       status(l->presence, l->seconds[0], l->seconds[1]));
		tt_set(&tb, row, 4, PLAIN, tt_location(o, l->file, l->line));
		tt_set(&tb, row, 5, DIM, ws_xstrdup(l->function ? l->function : ""));
		tt_set(&tb, row, 6, PLAIN, code(l->text));
	}
	tt_print(o, &tb, "  ");
	if (c->nlines < c->nall_lines)
		fprintf(o->f, "  (%zu of %zu lines shown; --top 0 shows all)\n", c->nlines,
			c->nall_lines);
}

/* ---- what else changed ---- */

/* The verdicts that name a state that is right, not a problem. */
static bool
good_state(const struct ws_changed_verdict *v)
{
	return !strcmp(v->name, "gpu_resident") || !strcmp(v->name, "gpu_bound");
}

static char *
figure(double v, const char *unit)
{
	return !strcmp(unit, "%") ? ws_xasprintf("%.1f %%", v) : ws_xasprintf("%.2f%s", v, unit);
}

static char *
total(const struct ws_changed_total *t, int side)
{
	return t->bytes ? tt_size(t->value[side]) : ws_xasprintf("%" PRIu64, t->value[side]);
}

static void
total_row(struct table *tb, const struct ws_changed_total *t)
{
	struct cell *row = tt_row(tb);
	tt_set(tb, row, 0, PLAIN, ws_xstrdup(t->name));
	tt_set(tb, row, 1, PLAIN, total(t, 0));
	tt_set(tb, row, 2, PLAIN, total(t, 1));
	if (t->value[0] == t->value[1])
		tt_set(tb, row, 3, DIM, ws_xstrdup("same"));
	else if (t->value[0])
		tt_set(tb, row, 3, PLAIN, ws_xasprintf("%.2f\xc3\x97", t->ratio));
}

static void
changed(struct out *o, const struct ws_changed *c)
{
	tt_title(o, "Changed: the verdicts that differ, and the totals counted on both sides");
	if (!c->nverdicts)
		fputs("  (no verdict changed)\n", o->f);
	if (!c->nverdicts && !c->ncounters && !c->nheap) {
		fputs("  (no counters or heap totals recorded in both runs)\n", o->f);
		return;
	}
	struct table tb = {0};
	tt_col(&tb, "", false, tt_name_room(o, 2 + 14 * 2 + 40 + 6, 40));
	tt_col(&tb, "before", false, 40);
	tt_col(&tb, "after", false, 40);
	tt_col(&tb, "change", false, 0);
	for (size_t i = 0; i < c->nverdicts; i++) {
		const struct ws_changed_verdict *v = &c->verdicts[i];
		struct cell *row = tt_row(&tb);
		tt_set(&tb, row, 0, BOLD,
		       v->function ? ws_xasprintf("%s(%s)", v->name, v->function)
				   : ws_xstrdup(v->name));
		bool better = v->flag && (strcmp(v->after, "yes") ? !good_state(v) : good_state(v));
		enum style st = !v->flag ? YELLOW : better ? GREEN : RED;
		bool two = v->functions[0] && !v->function;
		tt_set(&tb, row, 1, PLAIN,
		       two ? ws_xasprintf("%s (%s)", v->before, v->functions[0])
			   : ws_xstrdup(v->before));
		tt_set(&tb, row, 2, st,
		       two ? ws_xasprintf("%s (%s)", v->after, v->functions[1])
			   : ws_xstrdup(v->after));
		if (v->what) {
			char *b = figure(v->value[0], v->unit), *a = figure(v->value[1], v->unit);
			tt_set(&tb, row, 3, DIM,
			       ws_xasprintf("%s %s \xe2\x86\x92 %s", v->what, b, a));
			free(b);
			free(a);
		}
	}
	for (size_t i = 0; i < c->ncounters; i++)
		total_row(&tb, &c->counters[i]);
	for (size_t i = 0; i < c->nheap; i++)
		total_row(&tb, &c->heap[i]);
	tt_print(o, &tb, "  ");
}

static void
json_totals(struct json *j, const char *key, const char *name_key, const struct ws_changed_total *t,
	    size_t n)
{
	json_key(j, key);
	json_begin_array(j);
	for (size_t i = 0; i < n; i++) {
		json_begin_object(j);
		json_key_str(j, name_key, t[i].name);
		json_key_uint(j, "before", t[i].value[0]);
		json_key_uint(j, "after", t[i].value[1]);
		json_key(j, "ratio");
		if (t[i].value[0])
			json_double(j, t[i].ratio, 4);
		else
			json_null(j);
		json_end_object(j);
	}
	json_end_array(j);
}

void
ws_json_changed(struct json *j, const struct ws_changed *c)
{
	if (!c)
		return;
	json_key(j, "verdicts");
	json_begin_array(j);
	for (size_t i = 0; i < c->nverdicts; i++) {
		const struct ws_changed_verdict *v = &c->verdicts[i];
		json_begin_object(j);
		json_key_str(j, "name", v->name);
		if (v->function)
			json_key_str(j, "function", v->function);
		if (v->functions[0]) {
			json_key(j, "functions");
			json_begin_array(j);
			json_string(j, v->functions[0]);
			json_string(j, v->functions[1]);
			json_end_array(j);
		}
		if (v->flag) {
			json_key_bool(j, "before", !strcmp(v->before, "yes"));
			json_key_bool(j, "after", !strcmp(v->after, "yes"));
		} else {
			json_key_str(j, "before", v->before);
			json_key_str(j, "after", v->after);
		}
		if (v->what) {
			json_key_str(j, "what", v->what);
			json_key_str(j, "unit", v->unit);
			json_key(j, "values");
			json_begin_array(j);
			/* as report's JSON gives them: percentages to 2 places */
			int places = !strcmp(v->unit, "%") ? 2 : 3;
			json_double(j, v->value[0], places);
			json_double(j, v->value[1], places);
			json_end_array(j);
		}
		json_end_object(j);
	}
	json_end_array(j);
	json_totals(j, "counters", "event", c->counters, c->ncounters);
	json_totals(j, "heap", "name", c->heap, c->nheap);
}

int
ws_render_compare_text(FILE *f, const struct ws_compare_report *r,
		       const struct ws_text_options *opt)
{
	struct out o = {.f = f, .color = opt && opt->color, .width = opt ? opt->width : 0};
	if (!getcwd(o.cwd, sizeof o.cwd))
		o.cwd[0] = '\0';
	tt_styled(&o, BOLD, "whyslow compare: before \xe2\x86\x92 after");
	fputc('\n', f);
	facts(&o, r);
	functions(&o, r);
	if (r->cmp->lines)
		lines(&o, r->cmp);
	if (r->changed)
		changed(&o, r->changed);
	ws_text_expectations(&o, r->expectations);
	fflush(f);
	return ferror(f) ? -1 : 0;
}
