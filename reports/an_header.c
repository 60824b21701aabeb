/* The report header: what was run, how it was sampled, and whether the
 * data can be trusted (see analysis.h). */
#include "config.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analysis.h"
#include "util.h"

static void
add(char ***v, size_t *n, char *s)
{
	*v = ws_xrealloc(*v, (*n + 1) * sizeof **v);
	(*v)[(*n)++] = s;
}

static bool
has(char *const *v, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(v[i], s))
			return true;
	return false;
}

/* A process counts when it passes the filter and, with --tid, holds a
 * selected thread. */
static bool
selected(const struct ws_filter *f, const struct wsr_process *p)
{
	if (!ws_filter_process(f, p))
		return false;
	if (!f || !f->ntids)
		return true;
	for (size_t j = 0; j < p->nthreads; j++)
		if (ws_filter_thread(f, p, &p->threads[j]))
			return true;
	return false;
}

/* When the process stopped: its end record, or for an incomplete file the
 * latest time it left behind. */
static uint64_t
process_end(const struct wsr_process *p)
{
	if (p->complete)
		return p->end.end_mono_ns;
	uint64_t last = p->info.start_mono_ns;
	for (size_t j = 0; j < p->nthreads; j++) {
		const struct wsr_thread *t = &p->threads[j];
		if (t->nsamples && t->samples[t->nsamples - 1].time_ns > last)
			last = t->samples[t->nsamples - 1].time_ns;
		if (t->info.end_ns > last)
			last = t->info.end_ns;
	}
	return last;
}

static const char *const drop_names[WS_DROP_NREASONS] = {
    "stack table full", "signal during the handler", "timeline full", "during fork/exec/exit"};

/* The module at the outer end of a stack that was cut short there: one
 * without unwind tables (no .eh_frame_hdr), where libunwind either failed or
 * stopped at a frame-pointer chain that led nowhere, which it reports as the
 * end of the stack.  A complete stack ends in _start or the thread's start
 * routine, whose modules have tables; NULL when the stack looks complete or
 * the module is unknown. */
static const struct wsr_module *
cut_at_module(const struct wsr_process *p, const struct wsr_stack *st)
{
	if (!st->nframes || (st->flags & WS_STK_TRUNCATED))
		return NULL; /* the depth limit cut it, not the tables */
	uint64_t ip = st->ips[st->nframes - 1];
	const struct wsr_module *m = ws_module_for(p, st->nframes > 1 && ip ? ip - 1 : ip);
	if (!m || (m->info.flags & (WS_MOD_EH_FRAME_HDR | WS_MOD_VDSO)))
		return NULL;
	return m;
}

/* Does this stack count as an unwind failure? */
static bool
unwind_failed(const struct wsr_process *p, const struct wsr_stack *st)
{
	return (st->flags & WS_STK_UNWIND_ERR) || cut_at_module(p, st);
}

/* Modules without unwind tables at the outer end of failed unwinds. */
static void
unwind_suspects(const struct wsr_profile *prof, const struct ws_filter *f, struct ws_header *h)
{
	for (size_t i = 0; i < prof->nprocs; i++) {
		const struct wsr_process *p = &prof->procs[i];
		for (size_t j = 0; j < p->nthreads; j++) {
			const struct wsr_thread *t = &p->threads[j];
			if (!ws_filter_thread(f, p, t))
				continue;
			for (uint32_t k = 0; k < t->info.stack_count; k++) {
				const struct wsr_stack *st = &t->stacks[k];
				const struct wsr_module *m =
				    st->count ? cut_at_module(p, st) : NULL;
				if (!m)
					continue;
				char *w =
				    ws_xasprintf("stacks through %s are truncated: it has no "
						 "unwind tables (.eh_frame_hdr), and its frame "
						 "pointers, if any, led nowhere",
						 ws_basename(m->path));
				if (has(h->warnings, h->nwarnings, w))
					free(w);
				else
					add(&h->warnings, &h->nwarnings, w);
			}
		}
	}
}

/* Open every module that the selected stacks touch, so that the
 * symboliser can say which ones changed since recording. */
static void
check_modules(const struct wsr_profile *prof, const struct ws_filter *f, struct ws_symbolizer *sym)
{
	for (size_t i = 0; i < prof->nprocs; i++) {
		const struct wsr_process *p = &prof->procs[i];
		bool *seen = ws_xcalloc(p->nmodules, sizeof *seen);
		for (size_t j = 0; j < p->nthreads; j++) {
			const struct wsr_thread *t = &p->threads[j];
			if (!ws_filter_thread(f, p, t))
				continue;
			for (uint32_t k = 0; k < t->info.stack_count; k++) {
				const struct wsr_stack *st = &t->stacks[k];
				for (uint32_t n = 0; n < st->nframes && st->count; n++) {
					uint64_t ip = st->ips[n];
					const struct wsr_module *m =
					    ws_module_for(p, n && ip ? ip - 1 : ip);
					if (!m || seen[m - p->modules])
						continue;
					seen[m - p->modules] = true;
					ws_symbolizer_check_module(sym, p, m);
				}
			}
		}
		free(seen);
	}
}

void
ws_header_build(const struct wsr_profile *prof, const struct ws_filter *f,
		struct ws_symbolizer *sym, struct ws_header *out)
{
	struct ws_header *h = out;
	memset(h, 0, sizeof *h);
	h->dir = prof->dir;
	if (prof->nprocs) {
		h->command = prof->procs[0].argv;
		h->argc = prof->procs[0].argc;
	}
	bool by_thread = f && f->ntids;
	uint64_t start = UINT64_MAX, end = 0, cpu_ns = 0, handler_ns = 0;
	double thread_cpu = 0, thread_wall = 0;
	const struct wsr_process *first = NULL;
	char *incomplete_files = NULL;
	for (size_t i = 0; i < prof->nprocs; i++) {
		const struct wsr_process *p = &prof->procs[i];
		if (!selected(f, p))
			continue;
		if (!first)
			first = p;
		h->processes++;
		if (p->info.start_mono_ns < start)
			start = p->info.start_mono_ns;
		uint64_t e = process_end(p);
		if (e > end)
			end = e;
		if (p->complete && !by_thread)
			cpu_ns += p->end.process_cpu_ns;
		if (p->complete && p->end.collector_peak_bytes > h->collector_peak_bytes)
			h->collector_peak_bytes = p->end.collector_peak_bytes;
		if (!p->complete) {
			h->incomplete_processes++;
			const char *base = ws_basename(p->file);
			if (h->incomplete_processes <= 5) {
				char *s =
				    ws_xasprintf("%s%s%s", incomplete_files ? incomplete_files : "",
						 incomplete_files ? ", " : "", base);
				free(incomplete_files);
				incomplete_files = s;
			}
		}
		for (size_t j = 0; j < p->nthreads; j++) {
			const struct wsr_thread *t = &p->threads[j];
			if (!ws_filter_thread(f, p, t))
				continue;
			h->threads++;
			h->samples += ws_thread_samples(t);
			for (int r = 0; r < WS_DROP_NREASONS; r++) {
				h->dropped_by[r] += t->info.dropped[r];
				h->dropped += t->info.dropped[r];
			}
			for (uint32_t k = 0; k < t->info.stack_count; k++) {
				if (unwind_failed(p, &t->stacks[k]))
					h->unwind_failures += t->stacks[k].count;
				if (t->stacks[k].flags & WS_STK_TRUNCATED)
					h->truncated += t->stacks[k].count;
			}
			handler_ns += t->info.handler_ns;
			thread_cpu += (double)t->info.cpu_ns / 1e9;
			if (t->info.end_ns > t->info.start_ns)
				thread_wall += (double)(t->info.end_ns - t->info.start_ns) / 1e9;
			/* thread CPU time stands in for a process without an end
			 * record, and for the selection of --tid */
			if (by_thread || !p->complete)
				cpu_ns += t->info.cpu_ns;
		}
	}
	if (!first && prof->nprocs)
		first = &prof->procs[0];
	h->wall_seconds = end > start ? (double)(end - start) / 1e9 : 0.0;
	h->cpu_seconds = (double)cpu_ns / 1e9;
	h->clock = ws_clock_name(first ? first->info.clock : 0);
	h->source = ws_source_name(first ? first->info.source : 0);
	h->requested_hz = first ? first->info.requested_hz : 0;
	h->signal = first && first->info.signal < 65 ? (int)first->info.signal : 0;
	double base = first && first->info.clock == WS_CLOCK_WALL ? thread_wall : thread_cpu;
	h->achieved_hz = base > 0 ? (double)h->samples / base : 0.0;
	h->overhead_seconds = (double)handler_ns / 1e9;
	h->overhead_percent = h->cpu_seconds > 0 ? 100.0 * h->overhead_seconds / h->cpu_seconds : 0;

	/* ---- warnings, most important first ---- */
	if (h->samples == 0) {
		add(&h->warnings, &h->nwarnings,
		    ws_xstrdup("no samples: the program ran too briefly, or its threads were not "
			       "sampled"));
	} else if (h->samples < 200) {
		double m = ws_error_margin(h->samples / 2, h->samples);
		add(&h->warnings, &h->nwarnings,
		    ws_xasprintf("only %" PRIu64 " samples: percentages below ~%.0f %% are noise "
				 "(error margins up to ±%.1f points); run longer or raise the "
				 "frequency",
				 h->samples, ceil(m), m));
	}
	if (h->incomplete_processes)
		add(&h->warnings, &h->nwarnings,
		    ws_xasprintf("%zu process%s did not finish writing (killed?): %s%s; %s data "
				 "may be partial",
				 h->incomplete_processes, h->incomplete_processes == 1 ? "" : "es",
				 incomplete_files ? incomplete_files : "",
				 h->incomplete_processes > 5 ? ", ..." : "",
				 h->incomplete_processes == 1 ? "its" : "their"));
	free(incomplete_files);
	if (h->dropped) {
		char reasons[256] = "";
		size_t len = 0;
		for (int r = 0; r < WS_DROP_NREASONS; r++)
			if (h->dropped_by[r] && len < sizeof reasons)
				len += (size_t)snprintf(reasons + len, sizeof reasons - len,
							"%s%" PRIu64 " %s", len ? ", " : "",
							h->dropped_by[r], drop_names[r]);
		add(&h->warnings, &h->nwarnings,
		    ws_xasprintf("%" PRIu64 " samples were dropped (%s): percentages are of the "
				 "%" PRIu64 " recorded",
				 h->dropped, reasons, h->samples));
	}
	if (h->samples && 100.0 * (double)h->unwind_failures / (double)h->samples > 5.0)
		add(&h->warnings, &h->nwarnings,
		    ws_xasprintf("%.1f %% of samples (%" PRIu64 ") have stacks that end on an "
				 "unwinder error: their callers are missing from total and tree",
				 ws_percent(h->unwind_failures, h->samples), h->unwind_failures));
	unwind_suspects(prof, f, h);
	if (h->truncated)
		add(&h->warnings, &h->nwarnings,
		    ws_xasprintf("%" PRIu64 " samples (%.1f %%) have stacks deeper than the depth "
				 "limit of %" PRIu32 " frames: their outermost callers are cut "
				 "off (raise --depth)",
				 h->truncated, ws_percent(h->truncated, h->samples),
				 first ? first->info.max_depth : 0));
	if (h->overhead_percent > 5.0)
		add(&h->warnings, &h->nwarnings,
		    ws_xasprintf("the sampling handler used %.1f %% of the CPU time: timings are "
				 "inflated (lower the frequency)",
				 h->overhead_percent));
	/* not with --sample-on (source "perf-event"): no rate was asked for */
	if (h->samples >= 200 && h->requested_hz && h->achieved_hz < 0.5 * h->requested_hz &&
	    strcmp(h->source, "perf-event") != 0)
		add(&h->warnings, &h->nwarnings,
		    ws_xasprintf("sampled at %.0f Hz of %" PRIu32 " Hz requested: the timer is "
				 "coarser than asked (%s source)",
				 h->achieved_hz, h->requested_hz, h->source));
	check_modules(prof, f, sym);
	const char *const *sw;
	size_t nsw = ws_symbolizer_warnings(sym, &sw);
	for (size_t i = 0; i < nsw; i++)
		add(&h->warnings, &h->nwarnings, ws_xstrdup(sw[i]));

	/* ---- notes: the collector's (and the reader's), each text once ---- */
	for (size_t i = 0; i < prof->nprocs; i++) {
		const struct wsr_process *p = &prof->procs[i];
		if (!selected(f, p))
			continue;
		for (size_t k = 0; k < p->nnotes; k++)
			if (!has(h->notes, h->nnotes, p->notes[k]))
				add(&h->notes, &h->nnotes, ws_xstrdup(p->notes[k]));
	}
}

void
ws_header_free(struct ws_header *h)
{
	for (size_t i = 0; i < h->nwarnings; i++)
		free(h->warnings[i]);
	free(h->warnings);
	for (size_t i = 0; i < h->nnotes; i++)
		free(h->notes[i]);
	free(h->notes);
	memset(h, 0, sizeof *h);
}
