/* Chrome trace / Perfetto JSON (trace-event format): CPU samples as a
 * flame chart per thread and the GPU's activities and CUDA API calls on
 * the same CLOCK_MONOTONIC axis (see export.h). */
#include "config.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "export.h"
#include "gpu_report.h"
#include "json.h"
#include "python_report.h"
#include "util.h"

/* Track ids beside the real thread ids: GPU streams and API-call rows. */
#define GPU_TRACK 0x40000000u
#define API_TRACK 0x20000000u
#define UM_TRACK 0x10000000u /* + device: unified-memory events */

static void
event(struct json *j, const char *ph, const char *name, const char *cat, uint32_t pid, uint32_t tid,
      uint64_t ts_ns, uint64_t dur_ns)
{
	json_begin_object(j);
	json_key(j, "ph");
	json_string(j, ph);
	json_key(j, "name");
	json_string(j, name);
	if (cat) {
		json_key(j, "cat");
		json_string(j, cat);
	}
	json_key(j, "pid");
	json_uint(j, pid);
	json_key(j, "tid");
	json_uint(j, tid);
	json_key(j, "ts"); /* microseconds */
	json_double(j, (double)ts_ns / 1e3, 3);
	if (!strcmp(ph, "X")) {
		json_key(j, "dur");
		json_double(j, (double)dur_ns / 1e3, 3);
	}
}

static void
name_track(struct json *j, uint32_t pid, uint32_t tid, const char *name)
{
	json_begin_object(j);
	json_key(j, "ph");
	json_string(j, "M");
	json_key(j, "name");
	json_string(j, "thread_name");
	json_key(j, "pid");
	json_uint(j, pid);
	json_key(j, "tid");
	json_uint(j, tid);
	json_key(j, "args");
	json_begin_object(j);
	json_key(j, "name");
	json_string(j, name);
	json_end_object(j);
	json_end_object(j);
}

/* One thread's samples as nested complete events: a frame stays open while
 * consecutive samples share it (outermost first); each sample lasts until
 * the next one (the last: one mean interval).  In a CPU-time recording,
 * where the next sample comes more than GAP_PERIODS of the sample's own
 * periods later and does not stand for the time in between (the thread
 * was blocked or descheduled), the thread did not run: every frame closes
 * one period after the sample, and the chart shows the gap instead of
 * giving the time to whatever ran last. */
#define GAP_PERIODS 10

/* Closes a frame's event: args.samples, the sampling periods it stands for
 * (what report's percentages count; its duration is wall time, which a
 * busy machine stretches). */
static void
end_frame(struct json *j, uint64_t periods)
{
	json_key(j, "args");
	json_begin_object(j);
	json_key_uint(j, "samples", periods);
	json_end_object(j);
	json_end_object(j);
}

static void
thread_flame(struct json *j, struct ws_symbolizer *sym, const struct wsr_process *p,
	     const struct wsr_thread *t)
{
	if (!t->nsamples)
		return;
	/* a sample's frame names, cached by key: its native stack s, or
	 * nst + j for Python stack j (merged into its native stack) */
	size_t nst = t->info.stack_count;
	bool py = t->py && t->py_samples && !ws_python_no_merge;
	size_t nkeys = nst + (py ? t->py->nstacks : 0);
	const char ***names = ws_xcalloc(nkeys + 1, sizeof *names);
	size_t *depth = ws_xcalloc(nkeys + 1, sizeof *depth);
	struct ws_chain c = {0}, m = {0};
	const char **open = NULL;
	uint64_t *since = NULL, *periods = NULL; /* per open frame */
	size_t nopen = 0, capopen = 0;
	uint64_t span = t->samples[t->nsamples - 1].time_ns - t->samples[0].time_ns;
	uint64_t mean = t->nsamples > 1 ? span / (t->nsamples - 1) : 1000000;
	uint64_t period = p->info.requested_hz ? 1000000000ull / p->info.requested_hz : mean;
	for (size_t i = 0; i <= t->nsamples; i++) {
		const char **cur = NULL;
		size_t n = 0;
		uint64_t now;
		if (i < t->nsamples) {
			uint32_t s = t->samples[i].stack;
			now = t->samples[i].time_ns;
			size_t key = s;
			if (py && t->py_samples[i])
				key = nst + t->py_samples[i] - 1;
			if (s < nst) {
				if (!names[key]) {
					ws_symbolize_stack(sym, p, &t->stacks[s], &c);
					const struct ws_chain *ch = &c;
					if (key >= nst) {
						ws_python_merge_stack(sym, t, (uint32_t)(key - nst),
								      &c, &m);
						ch = &m;
					}
					names[key] = ws_xcalloc(ch->n + 1, sizeof **names);
					for (size_t k = 0; k < ch->n; k++)
						names[key][k] = ch->frames[ch->n - 1 - k]->function;
					depth[key] = ch->n;
				}
				cur = names[key];
				n = depth[key];
			}
		} else {
			now = t->samples[i - 1].time_ns + mean;
		}
		if (i > 0 && i < t->nsamples) {
			uint64_t prev = t->samples[i - 1].time_ns;
			uint64_t own =
			    (uint64_t)(t->samples[i - 1].weight ? t->samples[i - 1].weight : 1) *
			    period;
			uint64_t next =
			    (uint64_t)(t->samples[i].weight ? t->samples[i].weight : 1) * period;
			/* not when the next sample stands for the time in between
			 * (a wall-clock timer that fired while the thread waited
			 * for a CPU: one late sample of many periods) */
			if (p->info.clock == WS_CLOCK_CPU && now > prev &&
			    now - prev > GAP_PERIODS * own && 2 * next < now - prev)
				while (nopen > 0) {
					nopen--;
					event(j, "X", open[nopen], "cpu", p->info.pid, t->info.tid,
					      since[nopen], prev + own - since[nopen]);
					end_frame(j, periods[nopen]);
				}
		}
		size_t keep = 0;
		while (keep < nopen && keep < n && !strcmp(open[keep], cur[keep]))
			keep++;
		while (nopen > keep) {
			nopen--;
			event(j, "X", open[nopen], "cpu", p->info.pid, t->info.tid, since[nopen],
			      now - since[nopen]);
			end_frame(j, periods[nopen]);
		}
		for (size_t k = keep; k < n; k++) {
			if (nopen == capopen) {
				capopen = capopen ? 2 * capopen : 64;
				open = ws_xrealloc(open, capopen * sizeof *open);
				since = ws_xrealloc(since, capopen * sizeof *since);
				periods = ws_xrealloc(periods, capopen * sizeof *periods);
			}
			open[nopen] = cur[k];
			periods[nopen] = 0;
			since[nopen++] = now;
		}
		if (i < t->nsamples) /* this sample counts in every frame now open */
			for (size_t k = 0; k < nopen; k++)
				periods[k] += t->samples[i].weight ? t->samples[i].weight : 1;
	}
	for (size_t s = 0; s < nkeys; s++)
		free(names[s]);
	free(names);
	free(depth);
	free(open);
	free(since);
	free(periods);
	ws_chain_free(&c);
	ws_chain_free(&m);
}

static int
cmp_corr(const void *x, const void *y, void *arg)
{
	const struct ws_gpu_api *api = arg;
	uint32_t p = api[*(const uint32_t *)x].correlation,
		 q = api[*(const uint32_t *)y].correlation;
	return p < q ? -1 : p > q;
}

/* A flow arrow (trace-event "s" / "f" pair) from the API call that
 * launched an activity to the activity. */
static void
flow(struct json *j, const char *ph, uint32_t pid, uint32_t tid, uint64_t ts, uint64_t id)
{
	event(j, ph, "launch", "gpu_flow", pid, tid, ts, 0);
	json_key(j, "id");
	json_uint(j, id);
	if (!strcmp(ph, "f")) {
		json_key(j, "bp"); /* bind to the enclosing slice: the activity */
		json_string(j, "e");
	}
	json_end_object(j);
}

static void
unified_event(struct json *j, uint32_t pid, const struct ws_gpu_activity *a, uint32_t *named,
	      size_t *nnamed)
{
	size_t s;
	for (s = 0; s < *nnamed && named[s] != a->device; s++)
		;
	if (s == *nnamed && *nnamed < 16) {
		named[(*nnamed)++] = a->device;
		char *nm = ws_xasprintf("GPU %" PRIu32 " unified memory", a->device);
		name_track(j, pid, UM_TRACK + a->device, nm);
		free(nm);
	}
	event(j, "X", ws_gpu_um_name(a->detail), "gpu_unified_memory", pid, UM_TRACK + a->device,
	      a->start_ns, a->end_ns - a->start_ns);
	json_key(j, "args");
	json_begin_object(j);
	json_key(j, a->detail == WS_GPU_UM_GPU_FAULT   ? "fault_groups"
		    : a->detail == WS_GPU_UM_CPU_FAULT ? "faults"
						       : "bytes");
	json_uint(j, a->bytes);
	json_end_object(j);
	json_end_object(j);
}

/* flow_id: one counter over the whole trace, so ids stay small (viewers
 * read them as JavaScript numbers, exact below 2^53). */
static void
gpu_events(struct json *j, const struct wsr_process *p, uint64_t *flow_id)
{
	const struct wsr_gpu *g = p->gpu;
	uint32_t pid = p->info.pid;
	uint32_t streams[64], um_named[16];
	size_t nstreams = 0, num_named = 0;
	uint32_t *top = ws_xcalloc(g->info.napi + 1, sizeof *top);
	size_t ntop = 0;
	for (uint32_t i = 0; i < g->info.napi; i++)
		if (!(g->api[i].domain & WS_GPU_NESTED))
			top[ntop++] = i;
	qsort_r(top, ntop, sizeof *top, cmp_corr, g->api);
	for (uint32_t i = 0; i < g->info.nactivities; i++) {
		const struct ws_gpu_activity *a = &g->act[i];
		if (a->kind == WS_GPU_SYNC)
			continue;
		if (a->kind == WS_GPU_UNIFIED) {
			unified_event(j, pid, a, um_named, &num_named);
			continue;
		}
		size_t s;
		for (s = 0; s < nstreams && streams[s] != a->stream; s++)
			;
		if (s == nstreams && nstreams < 64) {
			streams[nstreams++] = a->stream;
			char *nm =
			    ws_xasprintf("GPU %" PRIu32 " stream %" PRIu32, a->device, a->stream);
			name_track(j, pid, GPU_TRACK + a->stream, nm);
			free(nm);
		}
		char *name = a->kind == WS_GPU_KERNEL ? ws_gpu_kernel_name(a)
			     : a->kind == WS_GPU_MEMCPY
				 ? ws_xasprintf("memcpy %s (%s)", ws_gpu_copy_name(a->detail),
						ws_gpu_mem_name(a->memory))
				 : ws_xstrdup("memset");
		event(j, "X", name, a->kind == WS_GPU_KERNEL ? "gpu_kernel" : "gpu_memory", pid,
		      GPU_TRACK + a->stream, a->start_ns, a->end_ns - a->start_ns);
		json_key(j, "args");
		json_begin_object(j);
		json_key(j, "correlation");
		json_uint(j, a->correlation);
		if (a->bytes) {
			json_key(j, "bytes");
			json_uint(j, a->bytes);
		}
		json_end_object(j);
		json_end_object(j);
		free(name);
		const struct ws_gpu_api *api =
		    a->correlation ? ws_gpu_find_api(g, top, ntop, a->correlation) : NULL;
		if (api) {
			++*flow_id;
			flow(j, "s", pid, API_TRACK + api->tid,
			     api->start_ns + (api->end_ns - api->start_ns) / 2, *flow_id);
			flow(j, "f", pid, GPU_TRACK + a->stream, a->start_ns, *flow_id);
		}
	}
	free(top);
	uint32_t named[256];
	size_t nnamed = 0;
	for (uint32_t i = 0; i < g->info.napi; i++) {
		const struct ws_gpu_api *a = &g->api[i];
		if (a->domain & WS_GPU_NESTED)
			continue;
		size_t s;
		for (s = 0; s < nnamed && named[s] != a->tid; s++)
			;
		if (s == nnamed && nnamed < 256) {
			named[nnamed++] = a->tid;
			char *nm = ws_xasprintf("CUDA API, thread %" PRIu32, a->tid);
			name_track(j, pid, API_TRACK + a->tid, nm);
			free(nm);
		}
		event(j, "X", a->name, "cuda_api", pid, API_TRACK + a->tid, a->start_ns,
		      a->end_ns - a->start_ns);
		json_key(j, "args");
		json_begin_object(j);
		json_key(j, "correlation");
		json_uint(j, a->correlation);
		json_end_object(j);
		json_end_object(j);
	}
}

int
ws_export_chrome(FILE *f, const struct wsr_profile *prof, const struct ws_filter *filter,
		 struct ws_symbolizer *sym, struct ws_error *err)
{
	struct json j;
	json_init(&j, f, false);
	json_begin_object(&j);
	json_key(&j, "displayTimeUnit");
	json_string(&j, "ns");
	json_key(&j, "traceEvents");
	json_begin_array(&j);
	uint64_t flow_id = 0;
	for (size_t pi = 0; pi < prof->nprocs; pi++) {
		const struct wsr_process *p = &prof->procs[pi];
		if (filter && !ws_filter_process(filter, p))
			continue;
		json_begin_object(&j);
		json_key(&j, "ph");
		json_string(&j, "M");
		json_key(&j, "name");
		json_string(&j, "process_name");
		json_key(&j, "pid");
		json_uint(&j, p->info.pid);
		json_key(&j, "tid");
		json_uint(&j, 0);
		json_key(&j, "args");
		json_begin_object(&j);
		json_key(&j, "name");
		json_string(&j, p->exe && *p->exe ? ws_basename(p->exe) : "process");
		json_end_object(&j);
		json_end_object(&j);
		for (size_t ti = 0; ti < p->nthreads; ti++) {
			const struct wsr_thread *t = &p->threads[ti];
			if (filter && !ws_filter_thread(filter, p, t))
				continue;
			char *nm = ws_xasprintf("thread %" PRIu32 " (CPU samples)", t->info.tid);
			name_track(&j, p->info.pid, t->info.tid, nm);
			free(nm);
			thread_flame(&j, sym, p, t);
		}
		if (p->gpu)
			gpu_events(&j, p, &flow_id);
	}
	json_end_array(&j);
	json_end_object(&j);
	if (json_finish(&j) < 0) {
		snprintf(err->msg, sizeof err->msg, "writing the trace failed");
		return -1;
	}
	return 0;
}
