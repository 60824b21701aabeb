/* Text and JSON of the GPU report (gpu_report.h, `report --gpu`). */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "gpu_report.h"
#include "json.h"
#include "text_table.h"
#include "util.h"

static char *
launch_config(const struct ws_gpu_kernel_row *k)
{
	return ws_xasprintf("(%d,%d,%d)x(%d,%d,%d)", k->grid[0], k->grid[1], k->grid[2],
			    k->block[0], k->block[1], k->block[2]);
}

void
ws_render_gpu_text(struct out *o, const struct ws_gpu_report *g)
{
	tt_title(o, "GPU (CUPTI)");
	if (!g->nprocs) {
		fputs("  no GPU activity was traced: no process initialised the CUDA driver with "
		      "libwhyslow.so as its injection library (whyslow record, built with CUDA, "
		      "does that unless --no-gpu)\n",
		      o->f);
		return;
	}
	fprintf(o->f,
		"  window %.6f s: GPU busy %.6f s (%.1f%%), idle %.6f s (%.1f%%); kernels %.6f s, "
		"copies %.6f s, memsets %.6f s\n",
		g->window_s, g->busy_s, g->busy_percent, g->idle_s, g->idle_percent, g->kernel_s,
		g->copy_s, g->memset_s);
	fprintf(o->f,
		"  CPU in CUDA calls %.6f s: launch %.6f s (%" PRIu64 " launches, %.2f us each), "
		"synchronise %.6f s, allocate %.6f s\n",
		g->api_s, g->launch_s, g->launches, g->launch_overhead_us, g->sync_s, g->alloc_s);
	if (g->dropped)
		fprintf(o->f,
			"  %" PRIu64 " records were dropped (CUPTI's buffers or whyslow's tables "
			"full): the figures miss them\n",
			g->dropped);
	if (g->unflushed)
		fputs("  a process ended without flushing CUPTI (a crash or _exit): its last "
		      "activities are missing\n",
		      o->f);
	if (g->nkernels) {
		fputs("\n  kernels, by time:\n", o->f);
		struct table t = {0};
		tt_col(&t, "kernel", false, tt_name_room(o, 90, 40));
		tt_col(&t, "calls", true, 0);
		tt_col(&t, "total s", true, 0);
		tt_col(&t, "mean us", true, 0);
		tt_col(&t, "min us", true, 0);
		tt_col(&t, "max us", true, 0);
		tt_col(&t, "of GPU", true, 0);
		tt_col(&t, "grid x block", false, 0);
		tt_col(&t, "regs", true, 0);
		tt_col(&t, "shared", true, 0);
		for (size_t i = 0; i < g->nkernels; i++) {
			const struct ws_gpu_kernel_row *k = &g->kernels[i];
			struct cell *r = tt_row(&t);
			tt_set(&t, r, 0, PLAIN, ws_xstrdup(k->name));
			tt_set(&t, r, 1, PLAIN, ws_xasprintf("%" PRIu64, k->calls));
			tt_set(&t, r, 2, PLAIN, ws_xasprintf("%.6f", k->seconds));
			tt_set(&t, r, 3, PLAIN, ws_xasprintf("%.2f", k->mean_us));
			tt_set(&t, r, 4, PLAIN, ws_xasprintf("%.2f", k->min_us));
			tt_set(&t, r, 5, PLAIN, ws_xasprintf("%.2f", k->max_us));
			tt_set(&t, r, 6, PLAIN,
			       tt_pct(g->busy_s > 0 ? 100.0 * k->seconds / g->busy_s : 0));
			tt_set(&t, r, 7, PLAIN, launch_config(k));
			tt_set(&t, r, 8, PLAIN, ws_xasprintf("%" PRIu32, k->registers));
			tt_set(&t, r, 9, PLAIN, tt_size(k->shared_bytes));
		}
		tt_print(o, &t, "  ");
	}
	if (g->ncopies) {
		fputs("\n  transfers, by time:\n", o->f);
		struct table t = {0};
		tt_col(&t, "direction", false, 0);
		tt_col(&t, "host memory", false, 0);
		tt_col(&t, "count", true, 0);
		tt_col(&t, "bytes", true, 0);
		tt_col(&t, "time s", true, 0);
		tt_col(&t, "GB/s", true, 0);
		for (size_t i = 0; i < g->ncopies; i++) {
			const struct ws_gpu_copy_row *c = &g->copies[i];
			struct cell *r = tt_row(&t);
			tt_set(&t, r, 0, PLAIN, ws_xstrdup(ws_gpu_copy_name(c->direction)));
			tt_set(&t, r, 1, PLAIN, ws_xstrdup(ws_gpu_mem_name(c->memory)));
			tt_set(&t, r, 2, PLAIN, ws_xasprintf("%" PRIu64, c->count));
			tt_set(&t, r, 3, PLAIN, tt_size(c->bytes));
			tt_set(&t, r, 4, PLAIN, ws_xasprintf("%.6f", c->seconds));
			tt_set(&t, r, 5, PLAIN, ws_xasprintf("%.2f", c->gb_per_s));
		}
		tt_print(o, &t, "  ");
	}
	bool any_um = false;
	for (int d = 1; d < 9; d++)
		any_um |= g->um_events[d] != 0;
	if (any_um) {
		fputs("\n  unified memory (managed allocations; CUPTI's counters):\n", o->f);
		struct table t = {0};
		tt_col(&t, "event", false, 0);
		tt_col(&t, "records", true, 0);
		tt_col(&t, "amount", true, 0);
		tt_col(&t, "time s", true, 0);
		for (int d = 1; d < 9; d++) {
			if (!g->um_events[d])
				continue;
			struct cell *r = tt_row(&t);
			tt_set(&t, r, 0, PLAIN, ws_xstrdup(ws_gpu_um_name((uint32_t)d)));
			tt_set(&t, r, 1, PLAIN, ws_xasprintf("%" PRIu64, g->um_events[d]));
			bool bytes = d != WS_GPU_UM_CPU_FAULT && d != WS_GPU_UM_GPU_FAULT &&
				     d != WS_GPU_UM_THROTTLING;
			tt_set(&t, r, 2, PLAIN,
			       bytes ? tt_size(g->um_amount[d])
				     : ws_xasprintf("%" PRIu64 " %s", g->um_amount[d],
						    d == WS_GPU_UM_GPU_FAULT ? "groups" : "faults"));
			bool timed = d == WS_GPU_UM_HTOD || d == WS_GPU_UM_DTOH ||
				     d == WS_GPU_UM_DTOD || d == WS_GPU_UM_THROTTLING ||
				     d == WS_GPU_UM_GPU_FAULT;
			tt_set(&t, r, 3, PLAIN,
			       timed ? ws_xasprintf("%.6f", g->um_seconds[d]) : ws_xstrdup("-"));
		}
		tt_print(o, &t, "  ");
		if (g->um_demand_bytes || g->um_prefetch_bytes)
			fprintf(o->f,
				"  migrations: %.1f MiB in %.6f s on demand (page faults, eviction), "
				"%.1f MiB in %.6f s prefetched or requested\n",
				(double)g->um_demand_bytes / 1048576.0, g->um_demand_s,
				(double)g->um_prefetch_bytes / 1048576.0, g->um_prefetch_s);
	} else if (!g->um_traced) {
		fputs("\n  unified memory: not traced (CUPTI refused its counters: the notes say "
		      "why); migrations and page faults of managed memory are not shown\n",
		      o->f);
	}
	if (g->napis) {
		fputs("\n  CUDA API calls on the CPU, by time:\n", o->f);
		struct table t = {0};
		tt_col(&t, "call", false, 0);
		tt_col(&t, "calls", true, 0);
		tt_col(&t, "time s", true, 0);
		tt_col(&t, "of API", true, 0);
		for (size_t i = 0; i < g->napis && i < 10; i++) {
			const struct ws_gpu_api_row *a = &g->apis[i];
			struct cell *r = tt_row(&t);
			tt_set(&t, r, 0, PLAIN, ws_xstrdup(a->name));
			tt_set(&t, r, 1, PLAIN, ws_xasprintf("%" PRIu64, a->calls));
			tt_set(&t, r, 2, PLAIN, ws_xasprintf("%.6f", a->seconds));
			tt_set(&t, r, 3, PLAIN, tt_pct(a->percent));
		}
		tt_print(o, &t, "  ");
	}
	if (g->nsites) {
		fputs("\n  CPU call sites that launched the most GPU time:\n", o->f);
		struct table t = {0};
		tt_col(&t, "call site", false, tt_name_room(o, 40, 60));
		tt_col(&t, "kernels", true, 0);
		tt_col(&t, "GPU s", true, 0);
		tt_col(&t, "of busy", true, 0);
		for (size_t i = 0; i < g->nsites; i++) {
			const struct ws_gpu_site_row *s = &g->sites[i];
			struct cell *r = tt_row(&t);
			tt_set(&t, r, 0, PLAIN, ws_xstrdup(s->site));
			tt_set(&t, r, 1, PLAIN, ws_xasprintf("%" PRIu64, s->launches));
			tt_set(&t, r, 2, PLAIN, ws_xasprintf("%.6f", s->gpu_seconds));
			tt_set(&t, r, 3, PLAIN, tt_pct(s->percent));
		}
		tt_print(o, &t, "  ");
	}
	fputs("\n  verdicts:\n", o->f);
	int n = 0;
	if (g->transfer_bound && ++n)
		fprintf(o->f,
			"  - transfer-bound: copies take %.1fx as long as the kernels (%.6f s "
			"against %.6f s); keep the data on the GPU between kernels\n",
			g->copy_kernel_ratio, g->copy_s, g->kernel_s);
	if (g->launch_bound && ++n)
		fprintf(o->f,
			"  - launch-bound: %.0f%% of the kernels run shorter than a launch takes "
			"on the CPU (%.2f us); fuse them or give each more work\n",
			g->tiny_kernel_percent, g->launch_overhead_us);
	if (g->gpu_idle_cpu_works && ++n)
		fprintf(o->f,
			"  - GPU idle while the CPU works: %.0f%% of the window the GPU had "
			"nothing to do and the CPU was in no CUDA call; overlap CPU work with "
			"asynchronous launches, or move it to the GPU\n",
			g->cpu_work_idle_percent);
	if (g->sync_every_launch && ++n)
		fprintf(o->f,
			"  - a synchronisation after every launch: %" PRIu64 " of %" PRIu64
			" launches (%.0f%%) are followed by a synchronising call; launches are "
			"asynchronous, synchronise once before the results are needed\n",
			g->sync_after_launch, g->launches, g->sync_after_launch_percent);
	if (g->pageable && ++n)
		fprintf(o->f,
			"  - pageable transfers: %.0f%% of the host<->device bytes come from "
			"pageable memory (staged by the driver, slower, never asynchronous); "
			"allocate those buffers with cudaMallocHost\n",
			g->pageable_percent);
	if (g->um_migrations && ++n) {
		fprintf(o->f, "  - page-fault migrations: unified memory moved %.1f MiB on demand in %.6f s",
			(double)g->um_demand_bytes / 1048576.0, g->um_migration_s);
		if (g->kernel_s > 0)
			fprintf(o->f, " (%.0f%% of the kernel time", g->um_migration_percent);
		else
			fputs(" (no kernel ran", o->f);
		fprintf(o->f,
			"; %" PRIu64 " GPU page-fault groups); prefetch with cudaMemPrefetchAsync "
			"before the kernels, or copy explicitly\n",
			g->um_amount[WS_GPU_UM_GPU_FAULT]);
	}
	if (!n)
		fputs("  - none of the classic problems (transfer-bound, launch-bound, idle GPU, "
		      "sync after every launch, pageable copies, page-fault migrations)\n",
		      o->f);
	if (g->resident)
		fprintf(o->f,
			"  - GPU-resident (good): %" PRIu64 " kernels with %" PRIu64
			" host<->device copies between the first and the last; the data stays on "
			"the GPU between kernels\n",
			g->kernel_count, g->copies_in_kernel_window);
	if (g->gpu_bound)
		fprintf(o->f,
			"  - GPU-bound: from the first kernel to the last, a kernel was running "
			"%.0f%% of the time; the kernels themselves are the bottleneck: make them "
			"faster (memory access pattern, shared-memory tiling, occupancy, float "
			"instead of double)\n",
			g->kernel_window_percent);
}

static void
kd(struct json *j, const char *k, double v, int dec)
{
	json_key(j, k);
	json_double(j, v, dec);
}
static void
ku(struct json *j, const char *k, uint64_t v)
{
	json_key(j, k);
	json_uint(j, v);
}
static void
kb(struct json *j, const char *k, bool v)
{
	json_key(j, k);
	json_bool(j, v);
}
static void
ks(struct json *j, const char *k, const char *v)
{
	json_key(j, k);
	json_string(j, v);
}
static void
ints3(struct json *j, const char *k, const int32_t *v)
{
	json_key(j, k);
	json_begin_array(j);
	for (int i = 0; i < 3; i++)
		json_int(j, v[i]);
	json_end_array(j);
}

void
ws_render_gpu_json(struct json *j, const struct ws_gpu_report *g)
{
	json_key(j, "gpu");
	if (!g->nprocs) {
		json_null(j);
		return;
	}
	json_begin_object(j);
	ku(j, "processes", g->nprocs);
	kd(j, "window_seconds", g->window_s, 9);
	kd(j, "busy_seconds", g->busy_s, 9);
	kd(j, "idle_seconds", g->idle_s, 9);
	kd(j, "busy_percent", g->busy_percent, 2);
	kd(j, "idle_percent", g->idle_percent, 2);
	kd(j, "kernel_seconds", g->kernel_s, 9);
	kd(j, "copy_seconds", g->copy_s, 9);
	kd(j, "memset_seconds", g->memset_s, 9);
	ku(j, "kernel_count", g->kernel_count);
	ku(j, "copy_count", g->copy_count);
	ku(j, "memset_count", g->memset_count);
	ku(j, "sync_count", g->sync_count);
	ku(j, "api_count", g->api_count);
	ku(j, "dropped", g->dropped);
	kb(j, "unflushed", g->unflushed);
	kd(j, "api_seconds", g->api_s, 9);
	kd(j, "launch_seconds", g->launch_s, 9);
	kd(j, "sync_seconds", g->sync_s, 9);
	kd(j, "alloc_seconds", g->alloc_s, 9);
	ku(j, "launches", g->launches);
	kd(j, "launch_overhead_us", g->launch_overhead_us, 3);
	kd(j, "tiny_kernel_percent", g->tiny_kernel_percent, 2);
	ku(j, "sync_after_launch", g->sync_after_launch);
	kd(j, "sync_after_launch_percent", g->sync_after_launch_percent, 2);
	kd(j, "cpu_work_idle_seconds", g->cpu_work_idle_s, 9);
	kd(j, "cpu_work_idle_percent", g->cpu_work_idle_percent, 2);
	ku(j, "host_device_bytes", g->hd_bytes);
	ku(j, "pageable_bytes", g->pageable_bytes);
	kd(j, "pageable_percent", g->pageable_percent, 2);
	kd(j, "copy_kernel_ratio", g->copy_kernel_ratio, 4);
	kd(j, "kernel_window_seconds", g->kernel_window_s, 9);
	kd(j, "kernel_window_percent", g->kernel_window_percent, 2);
	ku(j, "copies_in_kernel_window", g->copies_in_kernel_window);
	json_key(j, "unified_memory");
	json_begin_object(j);
	kb(j, "traced", g->um_traced);
	static const char *const umk[9] = {NULL,	  "migration_htod", "migration_dtoh",
					   "cpu_page_faults", "gpu_page_faults", "thrashing",
					   "throttling",	  "remote_map",	    "migration_dtod"};
	for (int d = 1; d < 9; d++) {
		json_key(j, umk[d]);
		json_begin_object(j);
		ku(j, "records", g->um_events[d]);
		ku(j, "amount", g->um_amount[d]);
		kd(j, "seconds", g->um_seconds[d], 9);
		json_end_object(j);
	}
	ku(j, "demand_bytes", g->um_demand_bytes);
	kd(j, "demand_seconds", g->um_demand_s, 9);
	ku(j, "prefetch_bytes", g->um_prefetch_bytes);
	kd(j, "prefetch_seconds", g->um_prefetch_s, 9);
	kd(j, "migration_seconds", g->um_migration_s, 9);
	kd(j, "migration_percent_of_kernels", g->um_migration_percent, 2);
	json_end_object(j);
	json_key(j, "verdicts");
	json_begin_object(j);
	kb(j, "transfer_bound", g->transfer_bound);
	kb(j, "launch_bound", g->launch_bound);
	kb(j, "gpu_idle_cpu_works", g->gpu_idle_cpu_works);
	kb(j, "sync_every_launch", g->sync_every_launch);
	kb(j, "pageable_transfers", g->pageable);
	kb(j, "page_fault_migrations", g->um_migrations);
	kb(j, "gpu_resident", g->resident);
	kb(j, "gpu_bound", g->gpu_bound);
	json_end_object(j);
	json_key(j, "kernels");
	json_begin_array(j);
	for (size_t i = 0; i < g->nkernels; i++) {
		const struct ws_gpu_kernel_row *k = &g->kernels[i];
		json_begin_object(j);
		ks(j, "name", k->name);
		ku(j, "calls", k->calls);
		kd(j, "seconds", k->seconds, 9);
		kd(j, "mean_us", k->mean_us, 3);
		kd(j, "min_us", k->min_us, 3);
		kd(j, "max_us", k->max_us, 3);
		kd(j, "percent", k->percent, 2);
		ints3(j, "grid", k->grid);
		ints3(j, "block", k->block);
		ku(j, "registers", k->registers);
		ku(j, "shared_bytes", k->shared_bytes);
		json_end_object(j);
	}
	json_end_array(j);
	json_key(j, "transfers");
	json_begin_array(j);
	for (size_t i = 0; i < g->ncopies; i++) {
		const struct ws_gpu_copy_row *c = &g->copies[i];
		json_begin_object(j);
		ks(j, "direction", ws_gpu_copy_name(c->direction));
		ks(j, "host_memory", ws_gpu_mem_name(c->memory));
		ku(j, "count", c->count);
		ku(j, "bytes", c->bytes);
		kd(j, "seconds", c->seconds, 9);
		kd(j, "gb_per_s", c->gb_per_s, 3);
		json_end_object(j);
	}
	json_end_array(j);
	json_key(j, "api");
	json_begin_array(j);
	for (size_t i = 0; i < g->napis; i++) {
		json_begin_object(j);
		ks(j, "name", g->apis[i].name);
		ku(j, "calls", g->apis[i].calls);
		kd(j, "seconds", g->apis[i].seconds, 9);
		kd(j, "percent", g->apis[i].percent, 2);
		json_end_object(j);
	}
	json_end_array(j);
	json_key(j, "call_sites");
	json_begin_array(j);
	for (size_t i = 0; i < g->nsites; i++) {
		json_begin_object(j);
		ks(j, "site", g->sites[i].site);
		ku(j, "kernels", g->sites[i].launches);
		kd(j, "gpu_seconds", g->sites[i].gpu_seconds, 9);
		kd(j, "percent", g->sites[i].percent, 2);
		json_end_object(j);
	}
	json_end_array(j);
	json_end_object(j);
}
