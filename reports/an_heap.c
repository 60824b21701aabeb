/* The heap and process-memory tables of report --memory (see heap.h). */
#include "config.h"

#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

#include "heap.h"
#include "util.h"

static const char *const kind_names[WS_HEAP_NKINDS] = {
    "malloc",	"calloc", "realloc", "free", "posix_memalign", "aligned_alloc",
    "memalign", "valloc", "pvalloc", "mmap", "munmap",	       "?"};

static bool
is_heap_kind(uint32_t k)
{
	return k != WS_HEAP_MMAP && k != WS_HEAP_MUNMAP && k != WS_HEAP_FREE;
}

static bool
tid_passes(const struct ws_filter *f, uint32_t tid)
{
	if (!f || !f->ntids)
		return true;
	for (size_t i = 0; i < f->ntids; i++)
		if (f->tids[i] == tid)
			return true;
	return false;
}

/* Per stack id accumulation, for one of the three views. */
struct acc {
	double bytes, count;
	uint64_t samples;
	uint32_t kind;
};

static int
cmp_stack(const void *a, const void *b)
{
	const struct ws_hstack *x = a, *y = b;
	if (x->bytes != y->bytes)
		return x->bytes < y->bytes ? 1 : -1;
	if (x->count != y->count)
		return x->count < y->count ? 1 : -1;
	return strcmp(x->function, y->function);
}

static int
cmp_function(const void *a, const void *b)
{
	const struct ws_hfunction *x = a, *y = b;
	if (x->bytes != y->bytes)
		return x->bytes < y->bytes ? 1 : -1;
	return strcmp(x->function, y->function);
}

/* The rows of the stacks with something in acc, symbolised, by bytes. */
static struct ws_hstack *
rows(const struct wsr_process *p, const struct wsr_heap *h, const struct acc *acc,
     struct ws_symbolizer *sym, struct ws_chain *chain, size_t *n)
{
	*n = 0;
	struct ws_hstack *out = NULL;
	for (uint32_t s = 0; s < h->info.stack_count; s++) {
		if (!acc[s].samples)
			continue;
		ws_symbolize_stack(sym, p, &h->stacks[s], chain);
		out = ws_xrealloc(out, (*n + 1) * sizeof *out);
		struct ws_hstack *r = &out[(*n)++];
		r->nframes = chain->n;
		r->frames = ws_xmalloc((chain->n ? chain->n : 1) * sizeof *r->frames);
		memcpy(r->frames, chain->frames, chain->n * sizeof *r->frames);
		r->function = chain->n ? chain->frames[0]->function : "[unknown]";
		r->kind =
		    kind_names[acc[s].kind < WS_HEAP_NKINDS ? acc[s].kind : WS_HEAP_NKINDS - 1];
		r->bytes = acc[s].bytes;
		r->count = acc[s].count;
		r->samples = acc[s].samples;
	}
	if (*n)
		qsort(out, *n, sizeof *out, cmp_stack);
	return out;
}

static void
add(struct acc *a, double bytes, double count, uint32_t kind)
{
	if (!a->samples)
		a->kind = kind;
	a->bytes += bytes;
	a->count += count;
	a->samples++;
}

static void
build_functions(struct ws_hproc *r)
{
	for (size_t i = 0; i < r->nstacks; i++) {
		const struct ws_hstack *s = &r->stacks[i];
		const struct ws_frame *f = s->nframes ? s->frames[0] : NULL;
		const char *module = f ? f->module : "";
		size_t k;
		for (k = 0; k < r->nfunctions; k++)
			if (r->functions[k].function == s->function &&
			    r->functions[k].module == module)
				break;
		if (k == r->nfunctions) {
			r->functions =
			    ws_xrealloc(r->functions, (r->nfunctions + 1) * sizeof *r->functions);
			r->functions[r->nfunctions++] =
			    (struct ws_hfunction){s->function, module, 0, 0};
		}
		r->functions[k].bytes += s->bytes;
		r->functions[k].count += s->count;
	}
	if (r->nfunctions)
		qsort(r->functions, r->nfunctions, sizeof *r->functions, cmp_function);
}

/* glibc's modules: libc.so.6 (libc-2.31.so before 2.34) and the loader */
static bool
libc_module(const char *module)
{
	const char *b = ws_basename(module);
	return !strncmp(b, "libc.so", 7) || !strncmp(b, "libc-", 5) || !strncmp(b, "ld-linux", 8) ||
	       !strncmp(b, "ld.so", 5) || !strncmp(b, "ld-2.", 5);
}

/* The C library's functions that allocate memory it keeps for itself. */
static const char *const libc_owners[] = {
    "*_IO_file_doallocate", /* a stream's buffer (stdout's, stdin's) */
    "*setlocale*",
    "_nl_*",
    "__GI__nl_*",
    "new_composite_name", /* locale */
    "_dl_*",
    "__GI__dl_*",
    "dl_open_worker*",
    "_dlerror_run",
    "*dlerror*", /* loader and dlerror state */
    "__tzfile_read",
    "tzset_internal",
    "__tzset_parse_tz", /* time zone */
};

bool
ws_heap_libc_own(const struct ws_frame *const *frames, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (!libc_module(frames[i]->module))
			return false; /* the program's code asked for it first */
		for (size_t k = 0; k < sizeof libc_owners / sizeof libc_owners[0]; k++)
			if (!fnmatch(libc_owners[k], frames[i]->function, 0))
				return true;
	}
	return false;
}

/* Move the leaks the C library keeps to r->kept. */
static void
split_kept(struct ws_hproc *r)
{
	size_t n = 0;
	for (size_t i = 0; i < r->nleaks; i++) {
		struct ws_hstack *s = &r->leaks[i];
		if (ws_heap_libc_own(s->frames, s->nframes)) {
			r->kept = ws_xrealloc(r->kept, (r->nkept + 1) * sizeof *r->kept);
			r->kept[r->nkept++] = *s;
			r->kept_bytes += s->bytes;
			r->kept_count += s->count;
			r->leaked_bytes -= s->bytes;
			r->leaked_count -= s->count;
		} else {
			r->leaks[n++] = *s;
		}
	}
	r->nleaks = n;
	if (!n) /* not a rounding's remainder */
		r->leaked_bytes = r->leaked_count = 0;
}

static void
build_process(const struct wsr_process *p, const struct ws_filter *f, struct ws_symbolizer *sym,
	      struct ws_hproc *r)
{
	memset(r, 0, sizeof *r);
	r->pid = p->info.pid;
	r->command = p->argc ? p->argv[0] : p->exe;
	for (size_t i = 0; i < p->nrusage; i++) {
		if (p->rusage[i].scope == WS_RUSAGE_PROCESS) {
			r->has_rusage = true;
			r->rusage = p->rusage[i];
		} else if (tid_passes(f, p->rusage[i].tid)) {
			r->thread_rusage = ws_xrealloc(
			    r->thread_rusage, (r->nthread_rusage + 1) * sizeof *r->thread_rusage);
			r->thread_rusage[r->nthread_rusage++] = p->rusage[i];
		}
	}
	const struct wsr_heap *h = p->heap;
	if (!h)
		return;
	r->has_heap = true;
	r->info = h->info;
	r->exact = h->info.sample_bytes == 1;
	for (int k = 0; k < WS_HEAP_NKINDS; k++)
		if (is_heap_kind((uint32_t)k) && k < WS_HEAP_MMAP) {
			r->alloc_calls += h->info.calls[k];
			r->alloc_bytes += h->info.bytes[k];
		}
	r->peak_seconds = h->info.peak_ns > p->info.start_mono_ns
			      ? (double)(h->info.peak_ns - p->info.start_mono_ns) / 1e9
			      : 0.0;
	uint32_t ns = h->info.stack_count;
	struct acc *all = ws_xcalloc(ns + 1, sizeof *all);
	struct acc *peak = ws_xcalloc(ns + 1, sizeof *peak);
	struct acc *leak = ws_xcalloc(ns + 1, sizeof *leak);
	uint64_t at = h->info.peak_ns;
	for (uint64_t i = 0; i < h->info.alloc_count; i++) {
		struct ws_heap_alloc a;
		memcpy(&a, &h->allocs[i], sizeof a);
		if (!tid_passes(f, a.tid))
			continue;
		double count = 1.0 / a.probability, bytes = (double)a.size / a.probability;
		add(&all[a.stack], bytes, count, a.kind);
		r->sampled_bytes += bytes;
		r->sampled_count += count;
		bool freed = a.flags & WS_HALLOC_FREED;
		if (is_heap_kind(a.kind) && a.alloc_ns <= at && (!freed || a.free_ns >= at)) {
			add(&peak[a.stack], bytes, count, a.kind);
			r->peak_sampled_bytes += bytes;
		}
		if (!freed) {
			add(&leak[a.stack], bytes, count, a.kind);
			r->leaked_bytes += bytes;
			r->leaked_count += count;
		}
	}
	struct ws_chain chain = {0};
	r->stacks = rows(p, h, all, sym, &chain, &r->nstacks);
	r->peak = rows(p, h, peak, sym, &chain, &r->npeak);
	r->leaks = rows(p, h, leak, sym, &chain, &r->nleaks);
	split_kept(r);
	ws_chain_free(&chain);
	free(all);
	free(peak);
	free(leak);
	build_functions(r);
}

void
ws_heapmem_build(const struct wsr_profile *prof, const struct ws_filter *f,
		 struct ws_symbolizer *sym, size_t top, struct ws_heapmem *out)
{
	memset(out, 0, sizeof *out);
	out->top = top;
	for (size_t i = 0; i < prof->nprocs; i++) {
		const struct wsr_process *p = &prof->procs[i];
		if (!ws_filter_process(f, p))
			continue;
		out->procs = ws_xrealloc(out->procs, (out->nprocs + 1) * sizeof *out->procs);
		build_process(p, f, sym, &out->procs[out->nprocs++]);
	}
}

static void
free_rows(struct ws_hstack *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(s[i].frames);
	free(s);
}

void
ws_heapmem_free(struct ws_heapmem *h)
{
	for (size_t i = 0; i < h->nprocs; i++) {
		struct ws_hproc *r = &h->procs[i];
		free_rows(r->stacks, r->nstacks);
		free_rows(r->peak, r->npeak);
		free_rows(r->leaks, r->nleaks);
		free_rows(r->kept, r->nkept);
		free(r->functions);
		free(r->thread_rusage);
	}
	free(h->procs);
	memset(h, 0, sizeof *h);
}

/* ---- expectation metrics ---- */

static bool
on_stack(const struct ws_hstack *s, const char *pattern)
{
	for (size_t i = 0; i < s->nframes; i++) {
		const char *fn = s->frames[i]->function;
		if (!strcmp(fn, pattern) || !fnmatch(pattern, fn, 0))
			return true;
	}
	return false;
}

static void
stack_sums(const struct ws_hstack *s, size_t n, const char *pattern, double *bytes, double *count)
{
	for (size_t i = 0; i < n; i++)
		if (on_stack(&s[i], pattern)) {
			*bytes += s[i].bytes;
			*count += s[i].count;
		}
}

static const char *const metric_names[] = {"leaked",	"leaked_allocs", "allocs", "alloc_bytes",
					   "peak_heap", "peak_rss",	 "faults", "major_faults"};

bool
ws_heapmem_is_metric(const char *metric)
{
	for (size_t i = 0; i < sizeof metric_names / sizeof metric_names[0]; i++)
		if (!strcmp(metric, metric_names[i]))
			return true;
	return false;
}

bool
ws_heapmem_metric(const struct ws_heapmem *h, const char *metric, const char *function, double *v)
{
	if (!ws_heapmem_is_metric(metric))
		return false;
	*v = 0;
	for (size_t i = 0; h && i < h->nprocs; i++) {
		const struct ws_hproc *r = &h->procs[i];
		double bytes = 0, count = 0;
		if (!strcmp(metric, "peak_heap")) {
			if (r->has_heap && (double)r->info.peak_bytes > *v)
				*v = (double)r->info.peak_bytes;
		} else if (!strcmp(metric, "peak_rss")) {
			if (r->has_rusage && (double)r->rusage.maxrss_kib * 1024 > *v)
				*v = (double)r->rusage.maxrss_kib * 1024;
		} else if (!strcmp(metric, "faults")) {
			*v += r->has_rusage ? (double)(r->rusage.minflt + r->rusage.majflt) : 0;
		} else if (!strcmp(metric, "major_faults")) {
			*v += r->has_rusage ? (double)r->rusage.majflt : 0;
		} else if (!strncmp(metric, "leaked", 6)) {
			if (function)
				stack_sums(r->leaks, r->nleaks, function, &bytes, &count);
			else
				bytes = r->leaked_bytes, count = r->leaked_count;
			*v += metric[6] ? count : bytes;
		} else { /* allocs, alloc_bytes */
			if (function)
				stack_sums(r->stacks, r->nstacks, function, &bytes, &count);
			else
				bytes = (double)r->alloc_bytes, count = (double)r->alloc_calls;
			*v += !strcmp(metric, "allocs") ? count : bytes;
		}
	}
	return true;
}
