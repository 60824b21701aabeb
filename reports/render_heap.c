/* Text and JSON of the heap and process-memory tables (heap.h). */
#include "config.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "heap.h"
#include "json.h"
#include "text_table.h"
#include "util.h"

static const char *const kind_names[WS_HEAP_NKINDS] = {
    "malloc",	"calloc", "realloc", "free", "posix_memalign", "aligned_alloc",
    "memalign", "valloc", "pvalloc", "mmap", "munmap",	       ""};

/* Frames shown per stack: up to main (the C library's start code below it
 * is left out), at most this many. */
enum { MAX_SHOWN_FRAMES = 8 };

static size_t
shown_frames(const struct ws_hstack *s)
{
	size_t n = 0;
	while (n < s->nframes && n < MAX_SHOWN_FRAMES) {
		if (!strcmp(s->frames[n++]->function, "main"))
			break;
	}
	return n;
}

static size_t
limit(const struct ws_heapmem *h, size_t n)
{
	return h->top && h->top < n ? h->top : n;
}

/* ---- text ---- */

static char *
est_size(double bytes, bool exact)
{
	char *s = tt_size((uint64_t)(bytes + 0.5));
	if (exact)
		return s;
	char *r = ws_xasprintf("~%s", s);
	free(s);
	return r;
}

static char *
est_count(double n, bool exact)
{
	return ws_xasprintf("%s%.0f", exact ? "" : "~", n);
}

static void
stack_table(struct out *o, const struct ws_heapmem *h, const struct ws_hproc *r,
	    const struct ws_hstack *s, size_t n)
{
	struct table tb = {0};
	tt_col(&tb, "bytes", true, 0);
	tt_col(&tb, "allocs", true, 0);
	tt_col(&tb, "kind", false, 0);
	tt_col(&tb, "stack (the allocating call first)", false,
	       o->width > 0 ? tt_name_room(o, 2 + 12 + 10 + 10 + 6, 100) : 0);
	size_t shown = limit(h, n);
	for (size_t i = 0; i < shown; i++) {
		size_t nf = shown_frames(&s[i]);
		for (size_t k = 0; k < (nf ? nf : 1); k++) {
			struct cell *row = tt_row(&tb);
			if (k == 0) {
				tt_set(&tb, row, 0, BOLD, est_size(s[i].bytes, r->exact));
				tt_set(&tb, row, 1, PLAIN, est_count(s[i].count, r->exact));
				tt_set(&tb, row, 2, DIM, ws_xstrdup(s[i].kind));
			}
			if (!nf) {
				tt_set(&tb, row, 3, PLAIN, ws_xstrdup("[no stack]"));
				break;
			}
			const struct ws_frame *f = s[i].frames[k];
			char *loc = f->file ? tt_location(o, f->file, f->line)
					    : ws_xstrdup(ws_basename(f->module));
			char *name = tt_fname(f->function, f->inlined);
			tt_set(&tb, row, 3, k ? PLAIN : BOLD,
			       ws_xasprintf("%s%s  %s", k ? "<- " : "", name, loc));
			free(name);
			free(loc);
		}
	}
	tt_print(o, &tb, "  ");
	if (shown < n)
		fprintf(o->f, "  (%zu of %zu stacks shown; --top 0 shows all)\n", shown, n);
}

static void
text_rusage(struct out *o, const struct ws_hproc *r)
{
	if (!r->has_rusage) {
		fprintf(o->f, "  process   no resource usage recorded (the process did not end "
			      "normally, or an older collector)\n");
		return;
	}
	const struct ws_rusage *u = &r->rusage;
	char *rss = tt_size(u->maxrss_kib * 1024);
	fprintf(o->f,
		"  process   peak RSS %s; page faults %" PRIu64 " minor, %" PRIu64
		" major; context switches %" PRIu64 " voluntary, %" PRIu64 " involuntary\n",
		rss, u->minflt, u->majflt, u->nvcsw, u->nivcsw);
	free(rss);
	for (size_t i = 0; i < r->nthread_rusage; i++) {
		const struct ws_rusage *t = &r->thread_rusage[i];
		fprintf(o->f,
			"  thread %" PRIu32 " (exited)  page faults %" PRIu64 " minor, %" PRIu64
			" major; %.3f s user, %.3f s system\n",
			t->tid, t->minflt, t->majflt, (double)t->utime_ns / 1e9,
			(double)t->stime_ns / 1e9);
	}
}

static void
text_process(struct out *o, const struct ws_heapmem *h, const struct ws_hproc *r)
{
	char *t = ws_xasprintf("Memory of process %" PRIu32 " (%s)", r->pid,
			       r->command ? r->command : "?");
	tt_title(o, t);
	free(t);
	text_rusage(o, r);
	if (!r->has_heap) {
		fprintf(o->f, "  heap      not profiled (whyslow record --no-heap, or a collector "
			      "without the heap source)\n");
		return;
	}
	const struct ws_heap *in = &r->info;
	fprintf(o->f, "  heap      exact counts:");
	bool first = true;
	for (int k = 0; k < WS_HEAP_NKINDS; k++) {
		if (!in->calls[k])
			continue;
		fprintf(o->f, "%s %" PRIu64 " %s", first ? "" : ",", in->calls[k], kind_names[k]);
		first = false;
	}
	if (first)
		fprintf(o->f, " no allocator calls");
	if (in->failed)
		fprintf(o->f, " (%" PRIu64 " failed)", in->failed);
	fputc('\n', o->f);
	char *ab = tt_size(r->alloc_bytes), *pk = tt_size(in->peak_bytes),
	     *lv = tt_size(in->live_bytes > 0 ? (uint64_t)in->live_bytes : 0);
	fprintf(o->f,
		"            %s asked for in %" PRIu64 " allocations; peak live heap %s at %.3f s; "
		"%s live in %" PRId64 " blocks at exit\n",
		ab, r->alloc_calls, pk, r->peak_seconds, lv,
		in->live_blocks > 0 ? in->live_blocks : 0);
	free(ab);
	free(pk);
	free(lv);
	if (in->calls[WS_HEAP_MMAP] || in->calls[WS_HEAP_MUNMAP]) {
		char *mm = tt_size(in->bytes[WS_HEAP_MMAP]),
		     *mu = tt_size(in->bytes[WS_HEAP_MUNMAP]);
		fprintf(o->f,
			"            anonymous mmap: %s in %" PRIu64
			" calls; munmap: %s in %" PRIu64 " calls (not in the live heap)\n",
			mm, in->calls[WS_HEAP_MMAP], mu, in->calls[WS_HEAP_MUNMAP]);
		free(mm);
		free(mu);
	}
	if (r->exact) {
		fprintf(o->f,
			"  sampling  every allocation recorded: the figures below are exact "
			"(%" PRIu64 " allocations)\n",
			in->alloc_count);
	} else {
		char *sb = tt_size(in->sample_bytes);
		fprintf(o->f,
			"  sampling  about one allocation per %s allocated (%" PRIu64
			" sampled): figures marked ~ are estimates\n",
			sb, in->alloc_count);
		free(sb);
	}
	if (in->alloc_dropped)
		fprintf(o->f,
			"  %" PRIu64 " sampled allocations were not recorded: the table was full "
			"(WHYSLOW_HEAP_MAX_SAMPLES)\n",
			in->alloc_dropped);

	tt_title(o, "Allocating stacks, by bytes allocated");
	if (r->nstacks)
		stack_table(o, h, r, r->stacks, r->nstacks);
	else
		fprintf(o->f, "  (no allocation sampled)\n");

	if (r->nfunctions) {
		tt_title(o, "Allocating functions (the caller of the allocator), by bytes");
		struct table tb = {0};
		tt_col(&tb, "bytes", true, 0);
		tt_col(&tb, "allocs", true, 0);
		tt_col(&tb, "function", false, tt_name_room(o, 2 + 12 + 10 + 24 + 6, 60));
		tt_col(&tb, "module", false, 24);
		size_t shown = limit(h, r->nfunctions);
		for (size_t i = 0; i < shown; i++) {
			struct cell *row = tt_row(&tb);
			tt_set(&tb, row, 0, BOLD, est_size(r->functions[i].bytes, r->exact));
			tt_set(&tb, row, 1, PLAIN, est_count(r->functions[i].count, r->exact));
			tt_set(&tb, row, 2, PLAIN, ws_xstrdup(r->functions[i].function));
			tt_set(&tb, row, 3, DIM, ws_xstrdup(ws_basename(r->functions[i].module)));
		}
		tt_print(o, &tb, "  ");
	}

	char *pk2 = tt_size(in->peak_bytes), *ps = est_size(r->peak_sampled_bytes, r->exact);
	t = ws_xasprintf("Live heap at its peak (%s at %.3f s): %s in the blocks %s, by stack", pk2,
			 r->peak_seconds, ps, r->exact ? "live then" : "sampled");
	free(pk2);
	free(ps);
	tt_title(o, t);
	free(t);
	if (r->npeak)
		stack_table(o, h, r, r->peak, r->npeak);
	else
		fprintf(o->f, "  (no sampled block was live at the peak)\n");

	if (r->nleaks) {
		char *lb = est_size(r->leaked_bytes, r->exact);
		t = ws_xasprintf(
		    "Leaks: %s in %s%.0f allocations never freed before exit, by stack", lb,
		    r->exact ? "" : "~", r->leaked_count);
		free(lb);
		tt_title(o, t);
		free(t);
		stack_table(o, h, r, r->leaks, r->nleaks);
	} else {
		tt_title(o, "Leaks");
		if (r->exact)
			fprintf(o->f, "  no leak: every allocation was freed before exit\n");
		else
			fprintf(o->f,
				"  no leak found: every sampled allocation was freed before exit "
				"(%" PRId64 " blocks were live at exit, exact; sample every "
				"allocation with --heap-sample 1 to see them all)\n",
				in->live_blocks > 0 ? in->live_blocks : 0);
	}
	if (r->nkept) {
		char *kb = est_size(r->kept_bytes, r->exact);
		fprintf(o->f,
			"  kept by the C library, not counted as leaked: %s in %s%.0f "
			"allocations never freed (its own buffers and state:",
			kb, r->exact ? "" : "~", r->kept_count);
		free(kb);
		for (size_t i = 0; i < r->nkept && i < 4; i++)
			fprintf(o->f, "%s %s", i ? "," : "", r->kept[i].function);
		fprintf(o->f, "%s)\n", r->nkept > 4 ? ", ..." : "");
	}
}

void
ws_render_heap_text(struct out *o, const struct ws_heapmem *h)
{
	for (size_t i = 0; i < h->nprocs; i++)
		text_process(o, h, &h->procs[i]);
}

/* ---- JSON ---- */

static void
kv_uint(struct json *j, const char *k, uint64_t v)
{
	json_key(j, k);
	json_uint(j, v);
}

static void
kv_double(struct json *j, const char *k, double v, int decimals)
{
	json_key(j, k);
	json_double(j, v, decimals);
}

static void
json_stacks(struct json *j, const char *k, const struct ws_heapmem *h, const struct ws_hstack *s,
	    size_t n)
{
	json_key(j, k);
	json_begin_array(j);
	for (size_t i = 0; i < limit(h, n); i++) {
		json_begin_object(j);
		kv_double(j, "bytes", s[i].bytes, 1);
		kv_double(j, "allocations", s[i].count, 2);
		kv_uint(j, "samples", s[i].samples);
		json_key(j, "kind");
		json_string(j, s[i].kind);
		json_key(j, "function");
		json_string(j, s[i].function);
		json_key(j, "frames");
		json_begin_array(j);
		for (size_t f = 0; f < s[i].nframes; f++) {
			const struct ws_frame *fr = s[i].frames[f];
			json_begin_object(j);
			json_key(j, "function");
			json_string(j, fr->function);
			json_key(j, "module");
			json_string(j, fr->module);
			json_key(j, "file");
			json_string(j, fr->file);
			kv_uint(j, "line", fr->line);
			json_key(j, "inlined");
			json_bool(j, fr->inlined);
			json_end_object(j);
		}
		json_end_array(j);
		json_end_object(j);
	}
	json_end_array(j);
}

static void
json_rusage(struct json *j, const struct ws_rusage *u)
{
	json_begin_object(j);
	if (u->scope == WS_RUSAGE_THREAD)
		kv_uint(j, "tid", u->tid);
	kv_uint(j, "max_rss_bytes", u->maxrss_kib * 1024);
	kv_uint(j, "minor_faults", u->minflt);
	kv_uint(j, "major_faults", u->majflt);
	kv_uint(j, "voluntary_switches", u->nvcsw);
	kv_uint(j, "involuntary_switches", u->nivcsw);
	kv_double(j, "user_seconds", (double)u->utime_ns / 1e9, 6);
	kv_double(j, "system_seconds", (double)u->stime_ns / 1e9, 6);
	kv_uint(j, "blocks_in", u->inblock);
	kv_uint(j, "blocks_out", u->oublock);
	json_end_object(j);
}

void
ws_render_heap_json(struct json *j, const struct ws_heapmem *h)
{
	json_key(j, "process_memory");
	json_begin_array(j);
	for (size_t i = 0; i < h->nprocs; i++) {
		const struct ws_hproc *r = &h->procs[i];
		json_begin_object(j);
		kv_uint(j, "pid", r->pid);
		json_key(j, "rusage");
		if (r->has_rusage)
			json_rusage(j, &r->rusage);
		else
			json_null(j);
		json_key(j, "exited_threads");
		json_begin_array(j);
		for (size_t t = 0; t < r->nthread_rusage; t++)
			json_rusage(j, &r->thread_rusage[t]);
		json_end_array(j);
		json_key(j, "heap");
		if (!r->has_heap) {
			json_null(j);
			json_end_object(j);
			continue;
		}
		const struct ws_heap *in = &r->info;
		json_begin_object(j);
		json_key(j, "exact");
		json_bool(j, r->exact);
		kv_uint(j, "sample_bytes", in->sample_bytes);
		json_key(j, "calls");
		json_begin_object(j);
		for (int k = 0; k < WS_HEAP_NKINDS; k++)
			if (*kind_names[k])
				kv_uint(j, kind_names[k], in->calls[k]);
		json_end_object(j);
		json_key(j, "bytes");
		json_begin_object(j);
		for (int k = 0; k < WS_HEAP_NKINDS; k++)
			if (*kind_names[k])
				kv_uint(j, kind_names[k], in->bytes[k]);
		json_end_object(j);
		kv_uint(j, "failed", in->failed);
		kv_uint(j, "allocations", r->alloc_calls);
		kv_uint(j, "allocated_bytes", r->alloc_bytes);
		kv_uint(j, "peak_bytes", in->peak_bytes);
		kv_double(j, "peak_seconds", r->peak_seconds, 6);
		json_key(j, "live_bytes_at_exit");
		json_int(j, in->live_bytes > 0 ? in->live_bytes : 0); /* never below 0: an old */
		json_key(j, "live_blocks_at_exit");		      /* collector's stray frees */
		json_int(j, in->live_blocks > 0 ? in->live_blocks : 0);
		kv_uint(j, "sampled_allocations", in->alloc_count);
		kv_uint(j, "dropped_samples", in->alloc_dropped);
		kv_double(j, "estimated_bytes", r->sampled_bytes, 1);
		kv_double(j, "estimated_allocations", r->sampled_count, 2);
		kv_double(j, "peak_sampled_bytes", r->peak_sampled_bytes, 1);
		kv_double(j, "leaked_bytes", r->leaked_bytes, 1);
		kv_double(j, "leaked_allocations", r->leaked_count, 2);
		kv_double(j, "kept_by_libc_bytes", r->kept_bytes, 1);
		kv_double(j, "kept_by_libc_allocations", r->kept_count, 2);
		json_stacks(j, "stacks", h, r->stacks, r->nstacks);
		json_key(j, "functions");
		json_begin_array(j);
		for (size_t f = 0; f < limit(h, r->nfunctions); f++) {
			json_begin_object(j);
			json_key(j, "function");
			json_string(j, r->functions[f].function);
			json_key(j, "module");
			json_string(j, r->functions[f].module);
			kv_double(j, "bytes", r->functions[f].bytes, 1);
			kv_double(j, "allocations", r->functions[f].count, 2);
			json_end_object(j);
		}
		json_end_array(j);
		json_stacks(j, "peak_stacks", h, r->peak, r->npeak);
		json_stacks(j, "leaks", h, r->leaks, r->nleaks);
		json_stacks(j, "kept_by_libc", h, r->kept, r->nkept);
		json_end_object(j);
		json_end_object(j);
	}
	json_end_array(j);
}
