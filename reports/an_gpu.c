/* The GPU analysis (gpu_report.h). */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "demangle.h"
#include "gpu_report.h"
#include "util.h"

const char *
ws_gpu_copy_name(uint32_t d)
{
	static const char *const n[] = {"?", "HtoD", "DtoH", "DtoD", "HtoH", "other"};
	return d < sizeof n / sizeof n[0] ? n[d] : "?";
}

const char *
ws_gpu_mem_name(uint32_t m)
{
	static const char *const n[] = {"unknown", "pageable", "pinned", "device", "managed"};
	return m < sizeof n / sizeof n[0] ? n[m] : "?";
}

char *
ws_gpu_kernel_name(const struct ws_gpu_activity *a)
{
	if (!a->name[0])
		return ws_xstrdup("[unnamed kernel]");
	char *d = ws_demangle(a->name); /* NULL: not a C++ name (extern "C", NVRTC) */
	return d ? d : ws_xstrdup(a->name);
}

const char *
ws_gpu_um_name(uint32_t d)
{
	static const char *const n[] = {"?",
					"migration HtoD",
					"migration DtoH",
					"CPU page faults",
					"GPU page faults",
					"thrashing",
					"throttling",
					"remote map",
					"migration DtoD"};
	return d < sizeof n / sizeof n[0] ? n[d] : "?";
}

static bool
is_launch(const char *n)
{
	return strncmp(n, "cudaLaunch", 10) == 0 || strncmp(n, "cuLaunch", 8) == 0;
}

static bool
is_sync(const char *n)
{
	return strstr(n, "Synchronize") != NULL;
}

static bool
is_alloc(const char *n)
{
	return strstr(n, "Malloc") || strstr(n, "Free") || strncmp(n, "cuMemAlloc", 10) == 0 ||
	       strncmp(n, "cuMemHostAlloc", 14) == 0;
}

static double
sec(uint64_t ns)
{
	return (double)ns / 1e9;
}

struct ival {
	uint64_t a, b;
};

static int
cmp_ival(const void *x, const void *y)
{
	const struct ival *p = x, *q = y;
	return p->a < q->a ? -1 : p->a > q->a;
}

/* Merge sorted intervals in place; returns their number. */
static size_t
merge(struct ival *v, size_t n)
{
	qsort(v, n, sizeof *v, cmp_ival);
	size_t m = 0;
	for (size_t i = 0; i < n; i++) {
		if (m && v[i].a <= v[m - 1].b) {
			if (v[i].b > v[m - 1].b)
				v[m - 1].b = v[i].b;
		} else {
			v[m++] = v[i];
		}
	}
	return m;
}

/* Overlap of [a, b) with the merged intervals v[0..n). */
static uint64_t
overlap(const struct ival *v, size_t n, uint64_t a, uint64_t b)
{
	uint64_t s = 0;
	for (size_t i = 0; i < n && v[i].a < b; i++) {
		uint64_t lo = v[i].a > a ? v[i].a : a, hi = v[i].b < b ? v[i].b : b;
		if (hi > lo)
			s += hi - lo;
	}
	return s;
}

static int
cmp_api_idx(const void *x, const void *y, void *arg)
{
	const struct ws_gpu_api *api = arg;
	const struct ws_gpu_api *p = &api[*(const uint32_t *)x], *q = &api[*(const uint32_t *)y];
	if (p->correlation != q->correlation)
		return p->correlation < q->correlation ? -1 : 1;
	/* the outer (runtime or top-level) call first */
	return (int)(p->domain & WS_GPU_NESTED) - (int)(q->domain & WS_GPU_NESTED);
}

static int
cmp_api_time(const void *x, const void *y, void *arg)
{
	const struct ws_gpu_api *api = arg;
	const struct ws_gpu_api *p = &api[*(const uint32_t *)x], *q = &api[*(const uint32_t *)y];
	if (p->tid != q->tid)
		return p->tid < q->tid ? -1 : 1;
	return p->start_ns < q->start_ns ? -1 : p->start_ns > q->start_ns;
}

const struct ws_gpu_api *
ws_gpu_find_api(const struct wsr_gpu *g, const uint32_t *idx, size_t n, uint32_t corr)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (g->api[idx[mid]].correlation < corr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && g->api[idx[lo]].correlation == corr ? &g->api[idx[lo]] : NULL;
}

static bool
cuda_module(const char *path)
{
	const char *b = ws_basename(path);
	return strncmp(b, "libwhyslow", 10) == 0 || strncmp(b, "libcupti", 8) == 0 ||
	       strncmp(b, "libcuda", 7) == 0 || strncmp(b, "libcudart", 9) == 0;
}

/* The program's frame that made the call: the first frame outside
 * whyslow's, CUPTI's and CUDA's libraries (frame 0 is in our callback). */
static char *
call_site(const struct wsr_process *p, struct ws_symbolizer *sym, const struct ws_gpu_api *a)
{
	for (uint32_t i = 0; i < a->nframes; i++) {
		const struct wsr_module *m = ws_module_for(p, a->frames[i]);
		if (m && cuda_module(m->path))
			continue;
		if (!sym || !m)
			return ws_xasprintf("0x%" PRIx64, a->frames[i]);
		const struct ws_frame *fr;
		size_t n = ws_symbolize(sym, p, a->frames[i], i > 0, &fr);
		const struct ws_frame *f = &fr[n - 1]; /* the outermost: the real function */
		if (fr[0].file)
			return ws_xasprintf("%s (%s:%u)", f->function, ws_basename(fr[0].file),
					    fr[0].line);
		return ws_xstrdup(f->function);
	}
	return ws_xstrdup("[unknown]");
}

/* growable tables */
#define GROW(arr, n, cap)                                                                          \
	do {                                                                                       \
		if ((n) == (cap)) {                                                                \
			(cap) = (cap) ? 2 * (cap) : 16;                                            \
			(arr) = ws_xrealloc((arr), (cap) * sizeof *(arr));                         \
		}                                                                                  \
	} while (0)

static int
cmp_kernel(const void *x, const void *y)
{
	const struct ws_gpu_kernel_row *p = x, *q = y;
	return p->seconds < q->seconds	 ? 1
	       : p->seconds > q->seconds ? -1
					 : strcmp(p->name, q->name);
}
static int
cmp_copy(const void *x, const void *y)
{
	const struct ws_gpu_copy_row *p = x, *q = y;
	return p->seconds < q->seconds ? 1 : p->seconds > q->seconds ? -1 : 0;
}
static int
cmp_apirow(const void *x, const void *y)
{
	const struct ws_gpu_api_row *p = x, *q = y;
	return p->seconds < q->seconds	 ? 1
	       : p->seconds > q->seconds ? -1
					 : strcmp(p->name, q->name);
}
static int
cmp_site(const void *x, const void *y)
{
	const struct ws_gpu_site_row *p = x, *q = y;
	return p->gpu_seconds < q->gpu_seconds	 ? 1
	       : p->gpu_seconds > q->gpu_seconds ? -1
						 : strcmp(p->site, q->site);
}

void
ws_gpu_report_build(const struct wsr_profile *prof, const struct ws_filter *f,
		    struct ws_symbolizer *sym, size_t top, struct ws_gpu_report *out)
{
	memset(out, 0, sizeof *out);
	size_t capk = 0, capc = 0, capa = 0, caps = 0;
	uint64_t tiny = 0, kernels_all = 0, launch_ns = 0;
	for (size_t pi = 0; pi < prof->nprocs; pi++) {
		const struct wsr_process *p = &prof->procs[pi];
		const struct wsr_gpu *g = p->gpu;
		if (!g || !ws_filter_process(f, p))
			continue;
		out->nprocs++;
		out->dropped += g->info.dropped_cupti + g->info.dropped_rows;
		if (!(g->info.flags & WS_GPU_FLUSHED))
			out->unflushed = true;
		if (g->info.flags & WS_GPU_UM_TRACED)
			out->um_traced = true;
		uint32_t na = g->info.nactivities, nc = g->info.napi;
		uint64_t lo = UINT64_MAX, hi = 0, klo = UINT64_MAX, khi = 0;
		struct ival *busy = ws_xcalloc(na + 1, sizeof *busy);
		struct ival *kv = ws_xcalloc(na + 1, sizeof *kv);
		size_t nb = 0, nk = 0;
		for (uint32_t i = 0; i < na; i++) {
			const struct ws_gpu_activity *a = &g->act[i];
			uint64_t d = a->end_ns - a->start_ns;
			if (a->kind == WS_GPU_UNIFIED) {
				/* inside kernels and host code: not busy, not the window */
				if (a->detail < 9) {
					out->um_events[a->detail]++;
					out->um_amount[a->detail] += a->bytes;
					out->um_seconds[a->detail] += sec(d);
				}
				if (a->detail == WS_GPU_UM_HTOD || a->detail == WS_GPU_UM_DTOH ||
				    a->detail == WS_GPU_UM_DTOD) {
					bool asked = a->memory == WS_GPU_UM_CAUSE_PREFETCH ||
						     a->memory == WS_GPU_UM_CAUSE_USER;
					*(asked ? &out->um_prefetch_bytes
						: &out->um_demand_bytes) += a->bytes;
					*(asked ? &out->um_prefetch_s : &out->um_demand_s) += sec(d);
				}
				continue;
			}
			if (a->start_ns < lo)
				lo = a->start_ns;
			if (a->end_ns > hi)
				hi = a->end_ns;
			if (a->kind == WS_GPU_SYNC) {
				out->sync_count++;
				continue;
			}
			if (a->kind == WS_GPU_KERNEL) {
				kv[nk++] = (struct ival){a->start_ns, a->end_ns};
				if (a->start_ns < klo)
					klo = a->start_ns;
				if (a->end_ns > khi)
					khi = a->end_ns;
			}
			busy[nb++] = (struct ival){a->start_ns, a->end_ns};
			if (a->kind == WS_GPU_MEMSET) {
				out->memset_count++;
				out->memset_s += sec(d);
			} else if (a->kind == WS_GPU_MEMCPY) {
				out->copy_count++;
				out->copy_s += sec(d);
				size_t r;
				for (r = 0; r < out->ncopies; r++)
					if (out->copies[r].direction == a->detail &&
					    out->copies[r].memory == a->memory)
						break;
				if (r == out->ncopies) {
					GROW(out->copies, out->ncopies, capc);
					out->copies[out->ncopies++] = (struct ws_gpu_copy_row){
					    .direction = a->detail, .memory = a->memory};
				}
				out->copies[r].count++;
				out->copies[r].bytes += a->bytes;
				out->copies[r].seconds += sec(d);
				if (a->detail == WS_GPU_HTOD || a->detail == WS_GPU_DTOH) {
					out->hd_bytes += a->bytes;
					if (a->memory == WS_GPU_MEM_PAGEABLE)
						out->pageable_bytes += a->bytes;
				}
			} else {
				out->kernel_count++;
				out->kernel_s += sec(d);
				char *name = ws_gpu_kernel_name(a);
				size_t r;
				for (r = 0; r < out->nkernels; r++)
					if (strcmp(out->kernels[r].name, name) == 0)
						break;
				if (r == out->nkernels) {
					GROW(out->kernels, out->nkernels, capk);
					struct ws_gpu_kernel_row *k =
					    &out->kernels[out->nkernels++];
					memset(k, 0, sizeof *k);
					k->name = name;
					memcpy(k->grid, a->grid, sizeof k->grid);
					memcpy(k->block, a->block, sizeof k->block);
					k->registers = a->registers;
					k->shared_bytes = a->shared_bytes;
					k->min_us = 1e300;
				} else {
					free(name);
				}
				struct ws_gpu_kernel_row *k = &out->kernels[r];
				k->calls++;
				k->seconds += sec(d);
				double us = (double)d / 1e3;
				if (us < k->min_us)
					k->min_us = us;
				if (us > k->max_us)
					k->max_us = us;
			}
		}
		/* API calls: by correlation for the call sites, by thread and time
		 * for the sync-after-launch pattern */
		uint32_t *byc = ws_xcalloc(nc + 1, sizeof *byc),
			 *byt = ws_xcalloc(nc + 1, sizeof *byt);
		for (uint32_t i = 0; i < nc; i++)
			byc[i] = byt[i] = i;
		qsort_r(byc, nc, sizeof *byc, cmp_api_idx, g->api);
		qsort_r(byt, nc, sizeof *byt, cmp_api_time, g->api);
		struct ival *apiv = ws_xcalloc(nc + 1, sizeof *apiv);
		size_t nav = 0;
		const struct ws_gpu_api *prev_launch = NULL;
		for (uint32_t j = 0; j < nc; j++) {
			const struct ws_gpu_api *a = &g->api[byt[j]];
			if (a->start_ns < lo)
				lo = a->start_ns;
			if (a->end_ns > hi)
				hi = a->end_ns;
			if (a->domain & WS_GPU_NESTED)
				continue;
			out->api_count++;
			uint64_t d = a->end_ns - a->start_ns;
			apiv[nav++] = (struct ival){a->start_ns, a->end_ns};
			out->api_s += sec(d);
			if (prev_launch && prev_launch->tid != a->tid)
				prev_launch = NULL;
			if (is_launch(a->name)) {
				out->launches++;
				out->launch_s += sec(d);
				launch_ns += d;
				prev_launch = a;
			} else if (is_sync(a->name)) {
				out->sync_s += sec(d);
				if (prev_launch)
					out->sync_after_launch++;
				prev_launch = NULL;
			} else {
				if (is_alloc(a->name))
					out->alloc_s += sec(d);
				prev_launch = NULL;
			}
			size_t r;
			for (r = 0; r < out->napis; r++)
				if (strcmp(out->apis[r].name, a->name) == 0)
					break;
			if (r == out->napis) {
				GROW(out->apis, out->napis, capa);
				out->apis[out->napis++] =
				    (struct ws_gpu_api_row){.name = ws_xstrdup(a->name)};
			}
			out->apis[r].calls++;
			out->apis[r].seconds += sec(d);
		}
		/* the kernel window: its kernel-busy share, the copies inside it */
		if (khi > klo) {
			nk = merge(kv, nk);
			uint64_t kb = 0;
			for (size_t i = 0; i < nk; i++)
				kb += kv[i].b - kv[i].a;
			out->kernel_window_s += sec(khi - klo);
			out->kernel_window_busy_s += sec(kb);
			for (uint32_t i = 0; i < na; i++) {
				const struct ws_gpu_activity *a = &g->act[i];
				if (a->kind == WS_GPU_MEMCPY &&
				    (a->detail == WS_GPU_HTOD || a->detail == WS_GPU_DTOH) &&
				    a->start_ns > klo && a->start_ns < khi)
					out->copies_in_kernel_window++;
			}
		}
		free(kv);
		/* call sites: GPU time by the program's frame that launched it */
		for (uint32_t i = 0; i < na; i++) {
			const struct ws_gpu_activity *a = &g->act[i];
			if (a->kind == WS_GPU_SYNC || a->kind == WS_GPU_UNIFIED || !a->correlation)
				continue;
			const struct ws_gpu_api *api = ws_gpu_find_api(g, byc, nc, a->correlation);
			char *site =
			    api ? call_site(p, sym, api) : ws_xstrdup("[no API call recorded]");
			size_t r;
			for (r = 0; r < out->nsites; r++)
				if (strcmp(out->sites[r].site, site) == 0)
					break;
			if (r == out->nsites) {
				GROW(out->sites, out->nsites, caps);
				out->sites[out->nsites++] = (struct ws_gpu_site_row){.site = site};
			} else {
				free(site);
			}
			out->sites[r].launches += a->kind == WS_GPU_KERNEL;
			out->sites[r].gpu_seconds += sec(a->end_ns - a->start_ns);
		}
		/* busy, idle, and idle while the CPU is in no CUDA call */
		nb = merge(busy, nb);
		nav = merge(apiv, nav);
		if (hi > lo) {
			uint64_t b = 0;
			for (size_t i = 0; i < nb; i++)
				b += busy[i].b - busy[i].a;
			out->window_s += sec(hi - lo);
			out->busy_s += sec(b);
			/* the idle gaps, minus the CPU's API time in them */
			uint64_t prev = lo, work = 0;
			for (size_t i = 0; i <= nb; i++) {
				uint64_t gend = i < nb ? busy[i].a : hi;
				if (gend > prev)
					work += (gend - prev) - overlap(apiv, nav, prev, gend);
				if (i < nb)
					prev = busy[i].b;
			}
			out->cpu_work_idle_s += sec(work);
		}
		free(busy);
		free(apiv);
		free(byc);
		free(byt);
	}
	if (!out->nprocs)
		return;
	/* tiny kernels: shorter than the mean launch call */
	out->launch_overhead_us =
	    out->launches ? (double)launch_ns / 1e3 / (double)out->launches : 0;
	for (size_t pi = 0; pi < prof->nprocs; pi++) {
		const struct wsr_process *p = &prof->procs[pi];
		if (!p->gpu || !ws_filter_process(f, p))
			continue;
		for (uint32_t i = 0; i < p->gpu->info.nactivities; i++) {
			const struct ws_gpu_activity *a = &p->gpu->act[i];
			if (a->kind != WS_GPU_KERNEL)
				continue;
			kernels_all++;
			if ((double)(a->end_ns - a->start_ns) / 1e3 < out->launch_overhead_us)
				tiny++;
		}
	}
	out->tiny_kernel_percent = ws_percent(tiny, kernels_all);
	out->idle_s = out->window_s > out->busy_s ? out->window_s - out->busy_s : 0;
	out->busy_percent = out->window_s > 0 ? 100.0 * out->busy_s / out->window_s : 0;
	out->idle_percent = out->window_s > 0 ? 100.0 - out->busy_percent : 0;
	out->cpu_work_idle_percent =
	    out->window_s > 0 ? 100.0 * out->cpu_work_idle_s / out->window_s : 0;
	out->sync_after_launch_percent = ws_percent(out->sync_after_launch, out->launches);
	out->pageable_percent = ws_percent(out->pageable_bytes, out->hd_bytes);
	out->copy_kernel_ratio = out->kernel_s > 0 ? out->copy_s / out->kernel_s : 0;
	out->kernel_window_percent = out->kernel_window_s > 0
					 ? 100.0 * out->kernel_window_busy_s / out->kernel_window_s
					 : (out->kernel_count ? 100.0 : 0);
	out->um_migration_s = out->um_demand_s;
	out->um_migration_percent =
	    out->kernel_s > 0 ? 100.0 * out->um_migration_s / out->kernel_s : 0;
	for (size_t i = 0; i < out->nkernels; i++) {
		struct ws_gpu_kernel_row *k = &out->kernels[i];
		k->mean_us = 1e6 * k->seconds / (double)k->calls;
		k->percent = out->kernel_s > 0 ? 100.0 * k->seconds / out->kernel_s : 0;
	}
	for (size_t i = 0; i < out->ncopies; i++) {
		struct ws_gpu_copy_row *c = &out->copies[i];
		c->gb_per_s = c->seconds > 0 ? (double)c->bytes / c->seconds / 1e9 : 0;
	}
	for (size_t i = 0; i < out->napis; i++)
		out->apis[i].percent =
		    out->api_s > 0 ? 100.0 * out->apis[i].seconds / out->api_s : 0;
	for (size_t i = 0; i < out->nsites; i++)
		out->sites[i].percent =
		    out->busy_s > 0 ? 100.0 * out->sites[i].gpu_seconds / out->busy_s : 0;
	qsort(out->kernels, out->nkernels, sizeof *out->kernels, cmp_kernel);
	qsort(out->copies, out->ncopies, sizeof *out->copies, cmp_copy);
	qsort(out->apis, out->napis, sizeof *out->apis, cmp_apirow);
	qsort(out->sites, out->nsites, sizeof *out->sites, cmp_site);
	if (top) {
		for (size_t i = top; i < out->nkernels; i++)
			free(out->kernels[i].name);
		if (out->nkernels > top)
			out->nkernels = top;
		for (size_t i = top; i < out->nsites; i++)
			free(out->sites[i].site);
		if (out->nsites > top)
			out->nsites = top;
	}
	/* verdicts */
	out->transfer_bound = out->copy_s > 0 && out->copy_kernel_ratio > WS_GPU_TRANSFER_BOUND;
	out->launch_bound =
	    out->launches >= WS_GPU_MIN_LAUNCHES && out->tiny_kernel_percent >= WS_GPU_LAUNCH_BOUND;
	out->gpu_idle_cpu_works = out->cpu_work_idle_percent >= WS_GPU_IDLE_CPU_WORKS;
	out->sync_every_launch = out->launches >= WS_GPU_MIN_LAUNCHES &&
				 out->sync_after_launch_percent >= WS_GPU_SYNC_EVERY;
	out->pageable = out->pageable_bytes > 0 && out->pageable_percent >= WS_GPU_PAGEABLE;
	out->um_migrations = out->um_migration_s > 0 &&
			     (out->kernel_s <= 0 || out->um_migration_percent >= WS_GPU_UM_MIGRATION);
	out->resident = out->kernel_count >= WS_GPU_MIN_LAUNCHES && !out->um_migrations &&
			(double)out->copies_in_kernel_window <=
			    WS_GPU_RESIDENT * (double)out->kernel_count;
	/* the kernels are the bottleneck only where copies, launches and
	 * page-fault migrations are not */
	out->gpu_bound = out->kernel_count >= WS_GPU_MIN_LAUNCHES && !out->launch_bound &&
			 !out->transfer_bound && !out->um_migrations && !out->gpu_idle_cpu_works &&
			 out->kernel_window_percent >= WS_GPU_BOUND;
}

void
ws_gpu_report_free(struct ws_gpu_report *g)
{
	for (size_t i = 0; i < g->nkernels; i++)
		free(g->kernels[i].name);
	for (size_t i = 0; i < g->napis; i++)
		free(g->apis[i].name);
	for (size_t i = 0; i < g->nsites; i++)
		free(g->sites[i].site);
	free(g->kernels);
	free(g->copies);
	free(g->apis);
	free(g->sites);
	memset(g, 0, sizeof *g);
}
