/* The report as aligned text for a terminal or a pipe (see render.h). */
#include "config.h"

#include <inttypes.h>
#include <math.h>
#include <limits.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "render.h"
#include "text_table.h"
#include "util.h"

/* ---- sections ---- */

static void
header(struct out *o, const struct ws_header *h)
{
	char *s = ws_xasprintf("whyslow report: %s", h->dir ? h->dir : "");
	tt_styled(o, BOLD, s);
	free(s);
	fputc('\n', o->f);
	fprintf(o->f, "  command   ");
	for (int i = 0; i < h->argc; i++)
		fprintf(o->f, "%s%s", i ? " " : "", h->command[i]);
	fprintf(o->f, "\n  time      %.3f s wall, %.3f s CPU; %zu process%s, %zu thread%s\n",
		h->wall_seconds, h->cpu_seconds, h->processes, h->processes == 1 ? "" : "es",
		h->threads, h->threads == 1 ? "" : "s");
	if (!strcmp(h->source, "perf-event")) /* --sample-on: a note names the event */
		fprintf(o->f, "  sampling  on a counter's overflow (perf-event), %.1f samples/s\n",
			h->achieved_hz);
	else
		fprintf(o->f,
			"  sampling  %s clock via %s%s%s%s, %" PRIu32
			" Hz requested, %.1f Hz achieved\n",
			h->clock, h->source, h->signal ? " (SIG" : "",
			h->signal && sigabbrev_np(h->signal) ? sigabbrev_np(h->signal) : "",
			h->signal ? ")" : "", h->requested_hz, h->achieved_hz);
	fprintf(o->f,
		"  samples   %" PRIu64 " (%" PRIu64 " dropped, %" PRIu64
		" unwind failures, %" PRIu64 " truncated)\n",
		h->samples, h->dropped, h->unwind_failures, h->truncated);
	char *peak = tt_size(h->collector_peak_bytes);
	fprintf(o->f,
		"  overhead  %.3f s in the sampling handler (%.2f %% of CPU), collector peak "
		"memory %s\n",
		h->overhead_seconds, h->overhead_percent, peak);
	free(peak);
	for (size_t i = 0; i < h->nwarnings; i++) {
		fputs("  ", o->f);
		tt_styled(o, YELLOW, "warning:");
		fprintf(o->f, " %s\n", h->warnings[i]);
	}
	for (size_t i = 0; i < h->nnotes; i++) {
		fputs("  ", o->f);
		tt_styled(o, CYAN, "note:");
		fprintf(o->f, " %s\n", h->notes[i]);
	}
}

/* The flat profile's tag for a function in the OpenMP runtime's module
 * (ws_flat_row.runtime): without symbols (libgomp on Debian) its name is
 * a bare module+offset that says nothing of what the threads did there.
 * Self time there is the runtime's barrier waits (spinning or blocked)
 * and scheduling, as report --threads counts it; a runtime function with
 * only total time is an entry point (GOMP_parallel, the threads' start)
 * whose total is the program's work under it. */
static const char openmp_self_tag[] = "[OpenMP runtime: waiting/scheduling]";
static const char openmp_tag[] = "[OpenMP runtime]";

/* A flat row's function cell: the name, and the runtime's tag after it,
 * the name shortened (not the tag) where both do not fit in room. */
static char *
flat_name(const struct ws_flat_row *r, size_t room)
{
	char *name = tt_fname(r->function, r->inlined);
	if (!r->runtime)
		return name;
	const char *tagtext = r->self ? openmp_self_tag : openmp_tag;
	size_t tag = strlen(tagtext) + 1; /* with the space before it */
	size_t len = strlen(name);
	if (room && len + tag > room) {
		size_t keep = room > tag + 9 ? room - tag - 1 : 8;
		while (keep > 0 && ((unsigned char)name[keep] & 0xc0) == 0x80)
			keep--; /* not inside a UTF-8 sequence */
		if (keep < len) {
			char *cut = ws_xasprintf("%.*s\xe2\x80\xa6 %s", (int)keep, name, tagtext);
			free(name);
			return cut;
		}
	}
	char *full = ws_xasprintf("%s %s", name, tagtext);
	free(name);
	return full;
}

static void
flat(struct out *o, const struct ws_flat *fl)
{
	char *t = ws_xasprintf("Flat profile: %" PRIu64 " samples, functions by self time "
			       "(\xc2\xb1: 95 %% error margin in points)",
			       fl->samples);
	tt_title(o, t);
	free(t);
	if (!fl->nrows) {
		fputs("  (no samples)\n", o->f);
		return;
	}
	struct table tb = {0};
	tt_col(&tb, "self", true, 0);
	tt_col(&tb, "", true, 0);
	tt_col(&tb, "total", true, 0);
	tt_col(&tb, "", true, 0);
	tt_col(&tb, "samples", true, 0);
	size_t room = tt_name_room(o, 2 + 6 + 6 + 6 + 6 + 8 + 5 * 2 + 2 + 16 + 2 + 24, 60);
	tt_col(&tb, "function", false, room);
	tt_col(&tb, "module", false, 24);
	tt_col(&tb, "source", false, 40);
	for (size_t i = 0; i < fl->nrows; i++) {
		const struct ws_flat_row *r = &fl->rows[i];
		struct cell *row = tt_row(&tb);
		enum style hot = r->self_percent >= 10.0 ? RED : PLAIN;
		tt_set(&tb, row, 0, hot, tt_pct(r->self_percent));
		tt_set(&tb, row, 1, DIM, tt_err(r->self_error));
		tt_set(&tb, row, 2, PLAIN, tt_pct(r->total_percent));
		tt_set(&tb, row, 3, DIM, tt_err(r->total_error));
		tt_set(&tb, row, 4, PLAIN, ws_xasprintf("%" PRIu64, r->self));
		tt_set(&tb, row, 5, hot == RED ? BOLD : PLAIN, flat_name(r, room));
		tt_set(&tb, row, 6, DIM, ws_xstrdup(ws_basename(r->module)));
		tt_set(&tb, row, 7, DIM, tt_location(o, r->file, r->line));
	}
	tt_print(o, &tb, "  ");
	if (fl->nrows < fl->nfunctions)
		fprintf(o->f, "  (%zu of %zu functions shown; --top 0 shows all)\n", fl->nrows,
			fl->nfunctions);
}

static void
tree_rows(struct out *o, struct table *tb, const struct ws_tree_node *n, const char *prefix,
	  bool last, bool root)
{
	struct cell *row = tt_row(tb);
	tt_set(tb, row, 0, n->total_percent >= 10.0 ? BOLD : PLAIN, tt_pct(n->total_percent));
	tt_set(tb, row, 1, n->self_percent >= 10.0 ? RED : PLAIN, tt_pct(n->self_percent));
	char *label = tt_fname(n->function, n->inlined);
	char *line = ws_xasprintf("%s%s%s", prefix,
				  root	 ? ""
				  : last ? "\xe2\x94\x94\xe2\x94\x80 "
					 : "\xe2\x94\x9c\xe2\x94\x80 ",
				  label);
	free(label);
	tt_set(tb, row, 2, PLAIN, line);
	tt_set(tb, row, 3, DIM, ws_xstrdup(root ? "" : ws_basename(n->module)));
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
	tt_title(o, s);
	free(s);
	struct table tb = {0};
	tt_col(&tb, "total", true, 0);
	tt_col(&tb, "self", true, 0);
	tt_col(&tb, "function", false, o->width > 0 ? tt_name_room(o, 2 + 7 + 7 + 4 + 20, 100) : 0);
	tt_col(&tb, "module", false, 24);
	tree_rows(o, &tb, &t->root, "", true, true);
	tt_print(o, &tb, "  ");
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
	tt_title(o, "Hottest source lines: samples by the line they were taken on");
	if (!l->nrows) {
		fputs("  (no line information: was the program compiled with -g?)\n", o->f);
		return;
	}
	struct table tb = {0};
	tt_col(&tb, "self", true, 0);
	tt_col(&tb, "", true, 0);
	tt_col(&tb, "samples", true, 0);
	tt_col(&tb, "source", false, 40);
	tt_col(&tb, "function", false, 30);
	tt_col(&tb, "text", false, tt_name_room(o, 2 + 6 + 6 + 8 + 40 + 30 + 5 * 2, 60));
	for (size_t i = 0; i < l->nrows; i++) {
		const struct ws_line_row *r = &l->rows[i];
		struct cell *row = tt_row(&tb);
		tt_set(&tb, row, 0, r->percent >= 10.0 ? RED : PLAIN, tt_pct(r->percent));
		tt_set(&tb, row, 1, DIM, tt_err(r->error));
		tt_set(&tb, row, 2, PLAIN, ws_xasprintf("%" PRIu64, r->samples));
		tt_set(&tb, row, 3, PLAIN, tt_location(o, r->file, r->line));
		tt_set(&tb, row, 4, DIM, ws_xstrdup(r->function));
		tt_set(&tb, row, 5, PLAIN, code(r->text));
	}
	tt_print(o, &tb, "  ");
	if (l->nrows < l->nlines)
		fprintf(o->f, "  (%zu of %zu lines shown; --top 0 shows all)\n", l->nrows,
			l->nlines);
	if (l->unknown)
		fprintf(o->f, "  (%.1f %% of samples on code without line information)\n",
			ws_percent(l->unknown, l->samples));
}

/* A thread's first cells: host (when hosts is not NULL), pid, tid, name and
 * samples; returns the next column. */
static size_t
thread_cells(struct table *tb, struct cell *row, const char *host, uint32_t pid, uint32_t tid,
	     const char *name, uint64_t samples)
{
	size_t c = 0;
	if (host)
		tt_set(tb, row, c++, PLAIN, ws_xstrdup(host));
	tt_set(tb, row, c++, PLAIN, ws_xasprintf("%" PRIu32, pid));
	tt_set(tb, row, c++, PLAIN, ws_xasprintf("%" PRIu32, tid));
	tt_set(tb, row, c++, PLAIN, ws_xstrdup(name));
	tt_set(tb, row, c++, PLAIN, ws_xasprintf("%" PRIu64, samples));
	return c;
}

static void
threads(struct out *o, const struct ws_threads *t)
{
	tt_title(o, "Threads: each thread's share of the samples");
	struct table tb = {0};
	bool hosts = t->nhosts > 1; /* pid and tid alone are ambiguous */
	if (hosts)
		tt_col(&tb, "host", false, 24);
	tt_col(&tb, "pid", true, 0);
	tt_col(&tb, "tid", true, 0);
	tt_col(&tb, "name", false, 0);
	tt_col(&tb, "samples", true, 0);
	tt_col(&tb, "share", true, 0);
	tt_col(&tb, "", true, 0);
	tt_col(&tb, "CPU s", true, 0);
	tt_col(&tb, "wall s", true, 0);
	for (size_t i = 0; i < t->nrows; i++) {
		const struct ws_thread_row *r = &t->rows[i];
		struct cell *row = tt_row(&tb);
		size_t c = thread_cells(&tb, row, hosts ? r->host : NULL, r->pid, r->tid, r->name,
					r->samples);
		tt_set(&tb, row, c++, PLAIN, tt_pct(r->percent));
		tt_set(&tb, row, c++, DIM, tt_err(r->error));
		tt_set(&tb, row, c++, PLAIN, ws_xasprintf("%.3f", r->cpu_seconds));
		tt_set(&tb, row, c, PLAIN, ws_xasprintf("%.3f", r->wall_seconds));
	}
	tt_print(o, &tb, "  ");
}

static void
busy(struct out *o, const struct ws_busy *b)
{
	tt_title(o, b->wall ? "Threads: busy, in the OpenMP runtime and idle (blocked), from "
			      "wall-clock samples"
			    : "Threads: busy and in the OpenMP runtime, from CPU-time samples");
	struct table tb = {0};
	bool hosts = b->nhosts > 1;
	if (hosts)
		tt_col(&tb, "host", false, 24);
	tt_col(&tb, "pid", true, 0);
	tt_col(&tb, "tid", true, 0);
	tt_col(&tb, "name", false, 0);
	tt_col(&tb, "samples", true, 0);
	tt_col(&tb, "busy s", true, 0);
	tt_col(&tb, "runtime s", true, 0);
	tt_col(&tb, "idle s", true, 0);
	tt_col(&tb, "busy", true, 0);
	for (size_t i = 0; i < b->nrows; i++) {
		const struct ws_busy_row *r = &b->rows[i];
		struct cell *row = tt_row(&tb);
		size_t c = thread_cells(&tb, row, hosts ? r->host : NULL, r->pid, r->tid, r->name,
					r->samples);
		tt_set(&tb, row, c++, i == b->busiest ? BOLD : PLAIN,
		       ws_xasprintf("%.3f", r->busy_seconds));
		tt_set(&tb, row, c++, PLAIN, ws_xasprintf("%.3f", r->runtime_seconds));
		tt_set(&tb, row, c++, PLAIN, ws_xasprintf("%.3f", r->idle_seconds));
		tt_set(&tb, row, c, PLAIN, tt_pct(r->busy_percent));
	}
	tt_print(o, &tb, "  ");
	if (!b->nrows || b->busiest >= b->nrows) {
		fputs("  (no busy samples)\n", o->f);
		return;
	}
	fprintf(o->f,
		"  busy imbalance %.2f: the busiest thread's busy time over the mean of the %zu "
		"thread%s that took part",
		b->imbalance, b->took_part, b->took_part == 1 ? "" : "s");
	if (b->imbalanced) {
		fputs(": ", o->f);
		tt_styled(o, RED, "imbalanced");
	} else {
		fprintf(o->f, " (imbalanced from %.2f)", WS_IMBALANCED);
	}
	fputc('\n', o->f);
	const struct ws_busy_row *r = &b->rows[b->busiest];
	if (b->imbalanced && b->busiest_lines.nrows) {
		const struct ws_line_row *l = &b->busiest_lines.rows[0];
		char *where = tt_location(o, l->file, l->line);
		char *text = code(l->text);
		/* the line the busiest thread spent most samples on: the work
		 * that made it the busiest, not where a parallel region begins
		 * (that is the OMPT section's source column) */
		char *who = b->nhosts > 1 ? ws_xasprintf("%" PRIu32 " on %s", r->tid, r->host)
					  : ws_xasprintf("%" PRIu32, r->tid);
		fprintf(o->f,
			"  hottest line in the busiest thread (%s): %.1f %% of its samples at %s "
			"(%s)%s%s\n",
			who, l->percent, where, l->function, *text ? ": " : "", text);
		free(who);
		free(text);
		free(where);
	}
	if (b->wall)
		fprintf(
		    o->f,
		    "  not working: %.1f %% of the threads' time (%.1f %% in the OpenMP runtime, "
		    "%.1f %% blocked)\n",
		    b->idle_percent, b->runtime_percent, b->blocked_percent);
	else
		fputs("  note: CPU-time samples: busy is CPU time and a blocked thread takes "
		      "none; idle time needs whyslow record --clock wall\n",
		      o->f);
	if (b->scheduling_overhead) {
		fprintf(
		    o->f,
		    "  in the OpenMP runtime: %.1f %% of the threads' samples, at least %.1f %% of "
		    "each working thread's: ",
		    b->runtime_percent, b->runtime_min_percent);
		tt_styled(o, RED, "scheduling overhead");
		fputs(" (tasks, chunks or parallel regions too small for what they cost: give "
		      "each more work)\n",
		      o->f);
	}
	if (b->lock) {
		fprintf(o->f, "  waiting for a lock: %.1f %% of the threads' samples",
			b->lock_percent);
		if (b->lock_contention) {
			fputs(": ", o->f);
			tt_styled(o, RED, "lock contention");
			fputs(" (one lock serialises the threads: hold it for less, or give each "
			      "thread its own data and combine once)\n",
			      o->f);
		} else {
			fprintf(o->f, " (lock contention from %.0f %%)\n", WS_LOCK_CONTENTION);
		}
	}
}

/* Thread numbers shown one by one on a region's per-thread line; a larger
 * team is summarised (its least and most), every thread in the JSON. */
#define OMP_THREADS_LISTED 16

/* "0.412 0.301 - 0.080": seconds per thread number, "-" where it ran no
 * task; wait: the wait figures, else the work. */
static char *
omp_list(const struct ws_omp_region *r, bool wait)
{
	char *s = ws_xstrdup("");
	for (uint32_t k = 0; k < r->nthreads; k++) {
		const struct ws_omp_thread *t = &r->threads[k];
		char *n = t->tasks ? ws_xasprintf("%s%s%.3f", s, k ? " " : "",
						  wait ? t->wait_seconds : t->work_seconds)
				   : ws_xasprintf("%s%s-", s, k ? " " : "");
		free(s);
		s = n;
	}
	return s;
}

/* "0.080-0.412 (thread 3 least, thread 12 most)" over the thread numbers
 * that ran tasks. */
static char *
omp_range(const struct ws_omp_region *r, bool wait)
{
	uint32_t lo = 0, hi = 0;
	bool any = false;
	for (uint32_t k = 0; k < r->nthreads; k++) {
		const struct ws_omp_thread *t = &r->threads[k];
		if (!t->tasks)
			continue;
		double v = wait ? t->wait_seconds : t->work_seconds;
		const struct ws_omp_thread *l = &r->threads[lo], *h = &r->threads[hi];
		if (!any || v < (wait ? l->wait_seconds : l->work_seconds))
			lo = k;
		if (!any || v > (wait ? h->wait_seconds : h->work_seconds))
			hi = k;
		any = true;
	}
	if (!any)
		return ws_xstrdup("-");
	const struct ws_omp_thread *l = &r->threads[lo], *h = &r->threads[hi];
	return ws_xasprintf("%.3f-%.3f (thread %" PRIu32 " least, %" PRIu32 " most)",
			    wait ? l->wait_seconds : l->work_seconds,
			    wait ? h->wait_seconds : h->work_seconds, lo, hi);
}

/* Under the regions' table, one line per region of a team larger than one:
 * each thread number's work and wait (barriers and time off the core),
 * thread 0 first, as JSON's regions[].threads has them. */
static void
omp_per_thread(struct out *o, const struct ws_omp *m)
{
	bool any = false;
	for (size_t i = 0; i < m->nrows; i++)
		any |= m->rows[i].nthreads > 1;
	if (!any)
		return;
	fputs("  per thread number (0, 1, ...), seconds of work and of waiting:\n", o->f);
	for (size_t i = 0; i < m->nrows; i++) {
		const struct ws_omp_region *r = &m->rows[i];
		if (r->nthreads <= 1)
			continue;
		char *where = r->file ? tt_location(o, r->file, r->line) : ws_xstrdup("?");
		bool list = r->nthreads <= OMP_THREADS_LISTED;
		char *work = list ? omp_list(r, false) : omp_range(r, false);
		char *wait = list ? omp_list(r, true) : omp_range(r, true);
		fprintf(o->f, "    %s%s%s (%s): work %s s; wait %s s\n",
			m->nhosts > 1 ? r->host : "", m->nhosts > 1 ? " " : "", r->function, where,
			work, wait);
		free(where);
		free(work);
		free(wait);
	}
}

/* OpenMP regions from OMPT; without them, a hint when the runtime was seen
 * in the stacks. */
static void
omp(struct out *o, const struct ws_omp *m, bool runtime_seen)
{
	if (!m->runtime) {
		if (runtime_seen)
			fputs(
			    "  note: no OpenMP region data: GCC's libgomp has no tool interface "
			    "(OMPT); record with --openmp-runtime=llvm for each parallel region's "
			    "time, per-thread work and barrier waits\n",
			    o->f);
		return;
	}
	char title[256];
	snprintf(title, sizeof title, "OpenMP parallel regions (OMPT, %s)", m->runtime);
	tt_title(o, title);
	struct table tb = {0};
	bool hosts = m->nhosts > 1;
	if (hosts)
		tt_col(&tb, "host", false, 24);
	tt_col(&tb, "region", false, tt_name_room(o, 70, 28));
	tt_col(&tb, "source", false, 0);
	tt_col(&tb, "runs", true, 0);
	tt_col(&tb, "team", true, 0);
	tt_col(&tb, "time s", true, 0);
	tt_col(&tb, "of wall", true, 0);
	tt_col(&tb, "work min/mean/max s", true, 0);
	tt_col(&tb, "imbalance", true, 0);
	tt_col(&tb, "waiting", true, 0);
	for (size_t i = 0; i < m->nrows; i++) {
		const struct ws_omp_region *r = &m->rows[i];
		struct cell *row = tt_row(&tb);
		size_t c = 0;
		if (hosts)
			tt_set(&tb, row, c++, PLAIN, ws_xstrdup(r->host));
		tt_set(&tb, row, c++, PLAIN, ws_xstrdup(r->function));
		tt_set(&tb, row, c++, DIM,
		       r->file ? tt_location(o, r->file, r->line) : ws_xstrdup(""));
		tt_set(&tb, row, c++, PLAIN, ws_xasprintf("%" PRIu64, r->instances));
		tt_set(&tb, row, c++, PLAIN, ws_xasprintf("%" PRIu32, r->team));
		tt_set(&tb, row, c++, PLAIN, ws_xasprintf("%.3f", r->seconds));
		tt_set(&tb, row, c++, PLAIN, tt_pct(r->percent));
		tt_set(&tb, row, c++, PLAIN,
		       ws_xasprintf("%.3f/%.3f/%.3f", r->work_min, r->work_mean, r->work_max));
		tt_set(&tb, row, c++, r->imbalance >= WS_IMBALANCED ? RED : PLAIN,
		       ws_xasprintf("%.2f", r->imbalance));
		tt_set(&tb, row, c, PLAIN, tt_pct(r->wait_percent));
	}
	tt_print(o, &tb, "  ");
	omp_per_thread(o, m);
	fprintf(o->f,
		"  serial: %.1f %% of the wall time (%.3f of %.3f s) outside parallel regions\n",
		m->serial_percent, m->wall_seconds - m->inside_seconds, m->wall_seconds);
	if (m->nrows) {
		const struct ws_omp_region *r = &m->rows[0];
		if (r->imbalance >= WS_IMBALANCED)
			fprintf(o->f,
				"  %s: thread %u works %.2fx the mean; the others wait %.1f %% of "
				"the team's time at its barriers: a dynamic or guided schedule, or "
				"smaller chunks, would share the work\n",
				r->function, r->busiest, r->imbalance, r->wait_percent);
	}
	if (m->lost_regions)
		fprintf(o->f,
			"  note: %" PRIu64 " regions were not kept (the collector's table "
			"was full)\n",
			m->lost_regions);
	fputs("  work: time of each thread's share of a region outside barrier and task "
	      "waits; waiting: the team's time in the region less its work\n",
	      o->f);
	for (size_t i = 0; i < m->nrows; i++) {
		const struct ws_omp_region *r = &m->rows[i];
		if (fabs(r->cpu_imbalance - r->imbalance) >= 0.1 &&
		    (r->imbalance >= WS_IMBALANCED || r->cpu_imbalance >= WS_IMBALANCED))
			fprintf(o->f,
				"  note: %s: in CPU time the imbalance is %.2f: the cores were "
				"shared with another program, so the threads ran unevenly\n",
				r->function, r->cpu_imbalance);
	}
}

static char *
bytes_text(uint64_t b)
{
	if (b >= (1ull << 30))
		return ws_xasprintf("%.1f GiB", (double)b / (1ull << 30));
	if (b >= (1ull << 20))
		return ws_xasprintf("%.1f MiB", (double)b / (1ull << 20));
	if (b >= (1ull << 10))
		return ws_xasprintf("%.1f KiB", (double)b / (1ull << 10));
	return ws_xasprintf("%" PRIu64 " B", b);
}

/* MPI calls from PMPI (report --mpi). */
static void
mpi_section(struct out *o, const struct ws_mpi_report *m)
{
	if (!m->library) {
		tt_title(o, "MPI");
		fputs(
		    "  no MPI calls were timed: no process called MPI_Init with libwhyslow-mpi.so "
		    "preloaded (whyslow record preloads it unless --no-mpi, where whyslow was "
		    "built with MPI)\n",
		    o->f);
		return;
	}
	char title[160];
	snprintf(title, sizeof title, "MPI (PMPI, %s): %zu rank%s of %" PRIu32, m->library,
		 m->nranks, m->nranks == 1 ? "" : "s", m->world_size);
	tt_title(o, title);
	struct table tb = {0};
	tt_col(&tb, "rank", true, 0);
	tt_col(&tb, "pid", true, 0);
	tt_col(&tb, "host", false, 0);
	tt_col(&tb, "window s", true, 0);
	tt_col(&tb, "MPI s", true, 0);
	tt_col(&tb, "compute s", true, 0);
	tt_col(&tb, "in MPI", true, 0);
	tt_col(&tb, "waiting s", true, 0);
	tt_col(&tb, "top call", false, 0);
	for (size_t i = 0; i < m->nranks; i++) {
		const struct ws_mpi_rank *r = &m->ranks[i];
		struct cell *row = tt_row(&tb);
		tt_set(&tb, row, 0, PLAIN, ws_xasprintf("%" PRId32, r->rank));
		tt_set(&tb, row, 1, PLAIN, ws_xasprintf("%" PRIu32, r->pid));
		tt_set(&tb, row, 2, PLAIN, ws_xstrdup(r->host ? r->host : ""));
		tt_set(&tb, row, 3, PLAIN, ws_xasprintf("%.3f", r->window_seconds));
		tt_set(&tb, row, 4, PLAIN, ws_xasprintf("%.3f", r->mpi_seconds));
		tt_set(&tb, row, 5, i == m->most_computing ? BOLD : PLAIN,
		       ws_xasprintf("%.3f", r->compute_seconds));
		tt_set(&tb, row, 6, PLAIN, tt_pct(r->mpi_percent));
		tt_set(&tb, row, 7, i == m->most_waiting ? BOLD : PLAIN,
		       ws_xasprintf("%.3f", r->waiting_seconds));
		tt_set(&tb, row, 8, PLAIN, ws_xstrdup(r->top_call ? r->top_call : "-"));
	}
	tt_print(o, &tb, "  ");
	fputs("\n  MPI calls over all ranks, by time:\n", o->f);
	struct table ct = {0};
	tt_col(&ct, "call", false, 0);
	tt_col(&ct, "kind", false, 0);
	tt_col(&ct, "calls", true, 0);
	tt_col(&ct, "time s", true, 0);
	tt_col(&ct, "of MPI", true, 0);
	tt_col(&ct, "mean us", true, 0);
	tt_col(&ct, "max ms", true, 0);
	tt_col(&ct, "bytes", true, 0);
	tt_col(&ct, "rank min/max s", true, 0);
	for (size_t i = 0; i < m->ncalls; i++) {
		const struct ws_mpi_call_row *c = &m->calls[i];
		struct cell *row = tt_row(&ct);
		tt_set(&ct, row, 0, PLAIN, ws_xstrdup(c->name));
		tt_set(&ct, row, 1, DIM, ws_xstrdup(ws_mpi_kind_name(c->kind)));
		tt_set(&ct, row, 2, PLAIN, ws_xasprintf("%" PRIu64, c->calls));
		tt_set(&ct, row, 3, PLAIN, ws_xasprintf("%.3f", c->seconds));
		tt_set(&ct, row, 4, PLAIN,
		       c->kind == WS_MPI_OTHER ? ws_xstrdup("-") : tt_pct(c->percent));
		tt_set(&ct, row, 5, PLAIN, ws_xasprintf("%.1f", c->mean_us));
		tt_set(&ct, row, 6, PLAIN, ws_xasprintf("%.3f", c->max_ms));
		tt_set(&ct, row, 7, PLAIN, c->bytes ? bytes_text(c->bytes) : ws_xstrdup("-"));
		tt_set(&ct, row, 8, PLAIN, ws_xasprintf("%.3f/%.3f", c->rank_min_s, c->rank_max_s));
	}
	tt_print(o, &ct, "  ");
	fprintf(o->f, "  in MPI: %.1f %% of the ranks' time (%.3f of %.3f s)", m->mpi_percent,
		m->mpi_seconds, m->window_seconds);
	if (m->communication_bound) {
		fputs(": ", o->f);
		tt_styled(o, RED, "communication-bound");
	} else {
		fprintf(o->f, " (communication-bound from %.0f %%)", WS_COMMUNICATION_BOUND);
	}
	fputc('\n', o->f);
	if (m->nranks > 1 && m->most_computing < m->nranks && m->most_waiting < m->nranks)
		fprintf(o->f,
			"  computing imbalance %.2f: rank %" PRId32 " computes the most (%.3f s); "
			"rank %" PRId32
			" waits longest in collectives and completions (%.3f s)%s\n",
			m->compute_imbalance, m->ranks[m->most_computing].rank,
			m->ranks[m->most_computing].compute_seconds, m->ranks[m->most_waiting].rank,
			m->ranks[m->most_waiting].waiting_seconds,
			m->compute_imbalance >= WS_IMBALANCED
			    ? ": the others wait for it; split the work more evenly"
			    : "");
	fputs("  window: MPI_Init's return to MPI_Finalize; compute = window - time in MPI "
	      "calls; waiting = time in collectives, waits and tests\n",
	      o->f);
}

/* "GCC 12.2.0 -O2 -march=native -ffast-math" from a parsed producer. */
static char *
built_with(const struct ws_vfunction *v)
{
	if (!v->have_producer)
		return ws_xstrdup("(no DWARF)");
	const struct ws_producer *p = &v->producer;
	if (p->assembler)
		return ws_xasprintf("assembly (%s%s%s)", p->compiler, p->version ? " " : "",
				    p->version ? p->version : "");
	char *s = ws_xasprintf("%s%s%s", p->compiler, p->version ? " " : "",
			       p->version ? p->version : "");
	if (!p->flags_recorded) {
		char *r = ws_xasprintf("%s (flags not recorded)", s);
		free(s);
		return r;
	}
	char *r = ws_xasprintf("%s %s%s%s%s%s%s%s", s, p->opt[0] ? p->opt : "-O0",
			       p->tree_vectorize == 0 ? " -fno-tree-vectorize" : "",
			       p->fast_math && strcmp(p->opt, "-Ofast") ? " -ffast-math" : "",
			       p->march ? " -march=" : " (no -march)",
			       p->march ? (p->native ? "native" : p->march) : "",
			       p->fp_contract_off ? " -ffp-contract=off" : "",
			       p->isa && !ws_producer_baseline(p) && p->march &&
				       !strcmp(p->march, "x86-64")
				   ? (p->isa_bits == 512 ? " -mavx512f" : " -mavx2")
				   : "");
	free(s);
	return r;
}

/* "4 FP arithmetic (4 packed double, 256-bit), 2 FP moves..." for one pass
 * over a loop's own instructions. */
static char *
mix_text(const struct ws_mix *m)
{
	double packed = m->packed[0] + m->packed[1];
	double scalar = m->scalar[0] + m->scalar[1] + m->scalar[2];
	char *s =
	    ws_xasprintf("%.0f instructions: %.0f FP arithmetic", m->instructions, packed + scalar);
	if (packed + scalar > 0) {
		char *t = ws_xasprintf("%s (%.0f packed", s, packed);
		free(s);
		s = t;
		static const char *const wname[3] = {"128", "256", "512"};
		for (int i = 0; i < 3; i++)
			if (m->width[i] > 0) {
				t = ws_xasprintf("%s, %.0f at %s-bit", s, m->width[i], wname[i]);
				free(s);
				s = t;
			}
		t = ws_xasprintf("%s; %.0f scalar)", s, scalar);
		free(s);
		s = t;
	}
	char *t =
	    ws_xasprintf("%s, %.0f FMA, %.0f FP moves/shuffles/conversions, %.0f integer "
			 "SIMD, %.0f call%s",
			 s, m->fma, m->fp_other, m->int_simd, m->calls, m->calls == 1 ? "" : "s");
	free(s);
	return t;
}

static void
vector(struct out *o, const struct ws_vector *v)
{
	tt_title(o, "Vectorisation: floating-point instructions of the hottest functions, "
		    "weighted by samples");
	fprintf(o->f,
		"  this CPU (cpuid of the machine running this report): %s, %u-bit vectors%s\n",
		v->cpu.widest, v->cpu.bits, v->cpu.fma ? ", FMA" : "");
	if (!v->nfns) {
		fputs("  (no samples)\n", o->f);
		return;
	}
	struct table tb = {0};
	tt_col(&tb, "self", true, 0);
	tt_col(&tb, "class", false, 0);
	tt_col(&tb, "packed", true, 0);
	tt_col(&tb, "width", true, 0);
	tt_col(&tb, "FMA", false, 0);
	tt_col(&tb, "function", false, tt_name_room(o, 2 + 7 + 11 + 7 + 6 + 4 + 6 * 2 + 40, 40));
	tt_col(&tb, "built with", false, 60);
	for (size_t i = 0; i < v->nfns; i++) {
		const struct ws_vfunction *f = &v->fns[i];
		struct cell *row = tt_row(&tb);
		tt_set(&tb, row, 0, f->percent >= 10.0 ? RED : PLAIN, tt_pct(f->percent));
		tt_set(&tb, row, 5, BOLD, ws_xstrdup(f->function));
		if (f->why_not) {
			tt_set(&tb, row, 1, DIM, ws_xstrdup("-"));
			tt_set(&tb, row, 6, DIM, ws_xasprintf("(not analysed: %s)", f->why_not));
			continue;
		}
		enum ws_vclass c = f->facts.vclass;
		tt_set(&tb, row, 1,
		       c == WS_VEC_VECTORISED ? GREEN
		       : c == WS_VEC_SCALAR   ? YELLOW
					      : PLAIN,
		       ws_xstrdup(ws_vclass_name(c)));
		tt_set(&tb, row, 2, PLAIN,
		       c == WS_VEC_NO_FP ? ws_xstrdup("-") : tt_pct(f->facts.packed_percent));
		tt_set(&tb, row, 3, PLAIN,
		       f->facts.vector_bits ? ws_xasprintf("%u", f->facts.vector_bits)
					    : ws_xstrdup("-"));
		tt_set(&tb, row, 4, PLAIN,
		       ws_xstrdup(c == WS_VEC_NO_FP ? "-"
				  : f->facts.fma    ? "yes"
						    : "no"));
		tt_set(&tb, row, 6, DIM, built_with(f));
	}
	tt_print(o, &tb, "  ");
	if (v->nfns < v->nfunctions)
		fprintf(o->f, "  (%zu of %zu functions with samples shown)\n", v->nfns,
			v->nfunctions);

	for (size_t i = 0; i < v->nfns; i++) {
		const struct ws_vfunction *f = &v->fns[i];
		if (f->why_not)
			continue;
		fputc('\n', o->f);
		fputs("  ", o->f);
		tt_styled(o, BOLD, f->function);
		char *loc = tt_location(o, f->file, f->line);
		fprintf(o->f, "  %s%s%" PRIu64 " sample%s, %zu loop%s found\n", loc,
			*loc ? ", " : "", f->samples, f->samples == 1 ? "" : "s", f->nall_loops,
			f->nall_loops == 1 ? "" : "s");
		free(loc);
		if (!f->nloops) {
			fprintf(o->f, "    no hot loop; the function as a whole: %s\n", f->verdict);
		}
		for (size_t j = 0; j < f->nloops; j++) {
			const struct ws_vloop *l = &f->loops[j];
			fputs("    loop ", o->f);
			if (l->file) {
				char *where = tt_location(o, l->file, l->first_line);
				if (l->last_line != l->first_line)
					fprintf(o->f, "%s-%u", where, l->last_line);
				else
					fputs(where, o->f);
				free(where);
			} else {
				fputs("(no line information)", o->f);
			}
			fprintf(o->f, " [0x%" PRIx64 "-0x%" PRIx64 "], %.0f %% of its samples%s\n",
				l->start, l->end, l->percent,
				l->innermost ? "" : " (outside its inner loops)");
			char *mix = mix_text(&l->stat);
			fprintf(o->f, "      one pass: %s\n", mix);
			free(mix);
			fputs("      ", o->f);
			tt_styled(o,
				  l->facts.vclass == WS_VEC_VECTORISED ? GREEN
				  : l->facts.vclass == WS_VEC_SCALAR   ? YELLOW
								       : PLAIN,
				  l->verdict);
			fputc('\n', o->f);
			for (size_t r = 0; r < l->nremarks && r < 3; r++)
				fprintf(o->f, "      compiler (%s, %s:%u): %s\n",
					l->remarks[r].kind, ws_basename(l->remarks[r].file),
					l->remarks[r].line, l->remarks[r].text);
			if (l->nremarks > 3)
				fprintf(o->f, "      (%zu more remarks in --json)\n",
					l->nremarks - 3);
		}
		if (f->opt_record)
			fprintf(o->f, "    optimisation record: %s\n",
				tt_short_path(o, f->opt_record));
		else if (f->opt_record_hint)
			fprintf(o->f, "    %s\n", f->opt_record_hint);
	}
	if (v->unanalysed)
		fprintf(o->f, "  (%.1f %% of samples in code that could not be read)\n",
			ws_percent(v->unanalysed, v->samples));
}

static void
processes(struct out *o, const struct ws_processes *p)
{
	bool show = p->nrows > 1;
	for (size_t i = 0; i < p->nrows; i++)
		show |= !p->rows[i].complete;
	if (!show)
		return;
	tt_title(o, "Processes");
	struct table tb = {0};
	bool hosts = p->nhosts > 1; /* the same pid may recur on another host */
	if (hosts)
		tt_col(&tb, "host", false, 24);
	tt_col(&tb, "pid", true, 0);
	tt_col(&tb, "ppid", true, 0);
	tt_col(&tb, "end", false, 0);
	tt_col(&tb, "samples", true, 0);
	tt_col(&tb, "threads", true, 0);
	tt_col(&tb, "command", false,
	       tt_name_room(o, 2 + 8 + 8 + 12 + 8 + 8 + 5 * 2 + (hosts ? 26 : 0), 60));
	for (size_t i = 0; i < p->nrows; i++) {
		const struct ws_process_row *r = &p->rows[i];
		struct cell *row = tt_row(&tb);
		size_t c = 0;
		if (hosts)
			tt_set(&tb, row, c++, PLAIN, ws_xstrdup(r->host));
		tt_set(&tb, row, c++, PLAIN, ws_xasprintf("%" PRIu32, r->pid));
		tt_set(&tb, row, c++, PLAIN, ws_xasprintf("%" PRIu32, r->ppid));
		if (!r->complete)
			tt_set(&tb, row, c++, YELLOW, ws_xstrdup("incomplete"));
		else
			tt_set(&tb, row, c++, PLAIN,
			       ws_xasprintf("%s %" PRId32, r->end, r->status));
		tt_set(&tb, row, c++, PLAIN, ws_xasprintf("%" PRIu64, r->samples));
		tt_set(&tb, row, c++, PLAIN, ws_xasprintf("%zu", r->threads));
		size_t len = 1;
		for (int a = 0; a < r->argc; a++)
			len += strlen(r->argv[a]) + 1;
		char *cmd = ws_xcalloc(len, 1);
		for (int a = 0; a < r->argc; a++) {
			if (a)
				strcat(cmd, " ");
			strcat(cmd, r->argv[a]);
		}
		tt_set(&tb, row, c, PLAIN, cmd);
	}
	tt_print(o, &tb, "  ");
}

void
ws_text_expectations(struct out *o, const struct ws_expectations *x)
{
	if (!x || !x->n)
		return;
	tt_title(o, "Expectations");
	struct table tb = {0};
	tt_col(&tb, "", false, 0);
	tt_col(&tb, "expectation", false, 0);
	tt_col(&tb, "measured", false, 0);
	for (size_t i = 0; i < x->n; i++) {
		struct cell *row = tt_row(&tb);
		bool ok = x->result[i].passed;
		tt_set(&tb, row, 0, ok ? GREEN : RED, ws_xstrdup(ok ? "pass" : "FAIL"));
		tt_set(&tb, row, 1, PLAIN, ws_xstrdup(x->expect[i].text));
		tt_set(&tb, row, 2, ok ? PLAIN : BOLD, ws_xstrdup(x->result[i].measured));
	}
	tt_print(o, &tb, "  ");
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
	if (r->busy) {
		busy(&o, r->busy);
		omp(&o, &r->busy->omp, r->busy->runtime > 0);
	}
	if (r->mpi)
		mpi_section(&o, r->mpi);
	if (r->vector)
		vector(&o, r->vector);
	if (r->heapmem)
		ws_render_heap_text(&o, r->heapmem);
	if (r->gpu)
		ws_render_gpu_text(&o, r->gpu);
	if (r->counters)
		ws_text_counters(&o, r->counters);
	if (r->python)
		ws_text_python(&o, r->python);
	if (r->access)
		ws_text_access(&o, r->access);
	if (r->access)
		ws_text_roofline(&o, r->roofline, r->roofline_why);
	processes(&o, r->processes);
	ws_text_expectations(&o, r->expectations);
	fflush(f);
	return ferror(f) ? -1 : 0;
}
