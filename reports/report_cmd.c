/* `whyslow report`: load a recording, run the analyses asked for, render
 * them as text or JSON (docs/cli.md). */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analysis.h"
#include "commands.h"
#include "counter_table.h"
#include "disasm.h"
#include "expect.h"
#include "mpi_report.h"
#include "heap.h"
#include "plot.h"
#include "profile.h"
#include "python_report.h"
#include "render.h"
#include "roofline_report.h"
#include "symbolize.h"
#include "util.h"
#include "vector.h"
#include "access.h"

static void
usage(FILE *f)
{
	fprintf(
	    f,
	    "usage: whyslow report [options] [DIR]\n"
	    "\n"
	    "Print the profile recorded in DIR (default: the newest whyslow-* directory\n"
	    "in the current directory): a header with the run's facts and warnings about\n"
	    "the data, then the flat profile, functions by self samples.  Percentages are\n"
	    "of the samples that pass --pid/--tid; '\xc2\xb1' is the 95 %% error margin in\n"
	    "percentage points.  Inlined functions are rows of their own.\n"
	    "\n"
	    "options:\n"
	    "  --top N              rows of the flat profile and of --lines (default 20;\n"
	    "                       0 = all)\n"
	    "  --tree               also the call tree, top-down, with total and self %%\n"
	    "  --lines              also the hottest source lines, with their text\n"
	    "  --python             also the Python functions, lines and stacks of a CPython\n"
	    "                       3.11 program, each split into interpreter and native\n"
	    "                       time (docs/python.md)\n"
	    "  --no-python-merge    show Python programs' native stacks only, without their\n"
	    "                       Python frames merged in where the interpreter ran them\n"
	    "  --by-thread          also each thread's share of the samples, CPU and wall time\n"
	    "  --threads            also each thread's busy time, time in the OpenMP runtime\n"
	    "                       and idle (blocked) time, from wall-clock samples (record\n"
	    "                       --clock wall), and the busy imbalance: the busiest\n"
	    "                       thread's busy time over the mean; when it is >= 1.15\n"
	    "                       (imbalanced), the busiest thread's hottest line; the\n"
	    "                       verdicts scheduling overhead (the OpenMP runtime's\n"
	    "                       share) and lock contention (samples waiting for a\n"
	    "                       lock); with OMPT data (record --openmp-runtime=llvm),\n"
	    "                       each OpenMP parallel region's runs, time, per-thread\n"
	    "                       work, imbalance and waiting, and the serial share\n"
	    "  --mpi                also the MPI ranks' time in MPI calls against their\n"
	    "                       computing time, each MPI call type's calls, time and\n"
	    "                       bytes over the ranks, the ranks' computing imbalance and\n"
	    "                       the rank that waits longest (from libwhyslow-mpi.so,\n"
	    "                       which record preloads unless --no-mpi)\n"
	    "  --gpu                also what the GPU did (CUPTI, from record on a CUDA\n"
	    "                       program): kernels (calls, time, launch configuration),\n"
	    "                       transfers (direction, bytes, bandwidth, pinned or\n"
	    "                       pageable), unified memory (migrations, page faults),\n"
	    "                       GPU busy and idle share, CPU time in CUDA calls, the\n"
	    "                       call sites that launched the most GPU time, and the\n"
	    "                       verdicts: transfer-bound, launch-bound, GPU idle while\n"
	    "                       the CPU works, sync after every launch, pageable\n"
	    "                       transfers, page-fault migrations; and the states\n"
	    "                       GPU-resident and GPU-bound (docs/gpu.md)\n"
	    "  --vector             also the vectorisation of the hottest functions (at most\n"
	    "                       5, or --top N when smaller; each with >= 1 %% of the\n"
	    "                       samples) and of their hot loops: packed (SIMD) versus\n"
	    "                       scalar FP instructions, vector width, FMA, the compiler\n"
	    "                       and flags (DWARF), the compiler's own reasons (from\n"
	    "                       -fsave-optimization-record) and a verdict per loop;\n"
	    "                       'this CPU' is the machine running the report (needs\n"
	    "                       capstone); and the counters section when the\n"
	    "                       recording has counters (record -e/--counters)\n"
	    "  --memory             also each process's memory: peak RSS, page faults and\n"
	    "                       context switches (getrusage), the heap's exact counts\n"
	    "                       (allocator calls, bytes, peak live heap and when), and\n"
	    "                       from the sampled allocations (record --heap-sample;\n"
	    "                       '~' marks estimates) the allocating stacks and\n"
	    "                       functions by bytes, the stacks that held the heap at\n"
	    "                       its peak, and the leaks: blocks never freed before\n"
	    "                       exit, with their stacks (docs/memory.md); and why the\n"
	    "                       hottest loops are memory-bound, without hardware\n"
	    "                       counters: each memory access's stride (from the\n"
	    "                       machine code and the registers sampled with it), bytes\n"
	    "                       fetched per byte used, FLOP per byte and a verdict per\n"
	    "                       loop (x86_64, with capstone; docs/memory-access.md),\n"
	    "                       those loops on this machine's roofline (peaks cached\n"
	    "                       by whyslow machine), and the counters section when\n"
	    "                       the recording has counters (record -e/--counters)\n"
	    "  --counters           also the counters recorded with record -e/--counters:\n"
	    "                       per function (self) the counts added to its samples\n"
	    "                       and their share, and where their events were counted\n"
	    "                       the derived metrics, each explained: IPC, cache misses\n"
	    "                       per 1000 instructions (L1, L2, last level), GFLOP/s,\n"
	    "                       vector share of FP instructions, page faults per\n"
	    "                       second, last-level traffic (misses x 64 B, GB/s)\n"
	    "  --pid PID            only process PID (repeatable)\n"
	    "  --tid TID            only thread TID (repeatable)\n"
	    "  --rank R             only the processes of MPI rank R (repeatable; ranks\n"
	    "                       come from OMPI_COMM_WORLD_RANK, PMI_RANK, PMIX_RANK,\n"
	    "                       SLURM_PROCID, MV2_COMM_WORLD_RANK)\n"
	    "  --min-percent X      hide call tree nodes below X %% of samples (default 0.5)\n"
	    "  --expect EXPR        check an expectation, e.g. 'hot==walk_fixed' or\n"
	    "                       'self(path_stats)<5' (repeatable); the report ends with\n"
	    "                       each one's result and the exit status is 1 when one\n"
	    "                       fails.  EXPR is METRIC OP VALUE, OP one of == != >= <=\n"
	    "                       > <; the metrics:\n"
	    "%s"
	    "  --json               the report as JSON (schema whyslow-report, version 1,\n"
	    "                       in docs/cli.md) instead of text\n"
	    "  --plot FILE          also draw with gnuplot: FILE.png or FILE.svg (the\n"
	    "                       script is kept as FILE.gp), or 'term' for a text\n"
	    "                       plot after the report (not with --json); with\n"
	    "                       --memory the roofline with the hot loops (when this\n"
	    "                       machine's peaks are cached), with --counters each\n"
	    "                       counted event's share per function, with --gpu a\n"
	    "                       timeline of the GPU streams' kernels and copies and\n"
	    "                       the CUDA API calls; otherwise the flat profile (self\n"
	    "                       and total %% of the hottest functions, at most 30)\n"
	    "  --color WHEN         auto (default: on a terminal unless NO_COLOR is set),\n"
	    "                       always or never\n"
	    "  -h, --help           this help\n"
	    "\n"
	    "Exit status: 0 success, 1 unreadable recording, unknown --pid/--tid/--rank, a\n"
	    "failed expectation, --vector without capstone, or a --plot that could not be\n"
	    "drawn (no gnuplot: the report itself is complete), 2 usage error.\n",
	    ws_expect_metrics(false));
}

enum {
	OPT_TOP = 256,
	OPT_TREE,
	OPT_LINES,
	OPT_PYTHON,
	OPT_NO_PYTHON_MERGE,
	OPT_BY_THREAD,
	OPT_PID,
	OPT_RANK,
	OPT_TID,
	OPT_MIN_PERCENT,
	OPT_JSON,
	OPT_COLOR,
	OPT_EXPECT,
	OPT_VECTOR,
	OPT_THREADS,
	OPT_MPI,
	OPT_GPU,
	OPT_MEMORY,
	OPT_PLOT,
	OPT_COUNTERS,
};

static const struct option options[] = {
    {"top", required_argument, NULL, OPT_TOP},
    {"tree", no_argument, NULL, OPT_TREE},
    {"lines", no_argument, NULL, OPT_LINES},
    {"python", no_argument, NULL, OPT_PYTHON},
    {"no-python-merge", no_argument, NULL, OPT_NO_PYTHON_MERGE},
    {"by-thread", no_argument, NULL, OPT_BY_THREAD},
    {"threads", no_argument, NULL, OPT_THREADS},
    {"mpi", no_argument, NULL, OPT_MPI},
    {"gpu", no_argument, NULL, OPT_GPU},
    {"pid", required_argument, NULL, OPT_PID},
    {"rank", required_argument, NULL, OPT_RANK},
    {"tid", required_argument, NULL, OPT_TID},
    {"min-percent", required_argument, NULL, OPT_MIN_PERCENT},
    {"json", no_argument, NULL, OPT_JSON},
    {"color", required_argument, NULL, OPT_COLOR},
    {"colour", required_argument, NULL, OPT_COLOR},
    {"expect", required_argument, NULL, OPT_EXPECT},
    {"vector", no_argument, NULL, OPT_VECTOR},
    {"memory", no_argument, NULL, OPT_MEMORY},
    {"plot", required_argument, NULL, OPT_PLOT},
    {"counters", no_argument, NULL, OPT_COUNTERS},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

static bool
parse_percent(const char *s, double *out)
{
	char *end;
	if (!s || !*s)
		return false;
	double v = strtod(s, &end);
	if (*end || !isfinite(v) || v < 0 || v > 100)
		return false;
	*out = v;
	return true;
}

static void
push_id(uint32_t **v, size_t *n, long id)
{
	*v = ws_xrealloc(*v, (*n + 1) * sizeof **v);
	(*v)[(*n)++] = (uint32_t)id;
}

/* Every --pid and --tid must name something in the recording. */
static bool
check_filter(const struct wsr_profile *prof, const struct ws_filter *f)
{
	for (size_t i = 0; i < f->nranks; i++) {
		bool found = false;
		for (size_t k = 0; k < prof->nprocs && !found; k++)
			found = prof->procs[k].info.rank == (int32_t)f->ranks[i];
		if (!found) {
			ws_errorf("--rank %" PRIu32 ": no process of that MPI rank in %s",
				  f->ranks[i], prof->dir);
			return false;
		}
	}
	for (size_t i = 0; i < f->npids; i++) {
		bool found = false;
		for (size_t k = 0; k < prof->nprocs && !found; k++)
			found = prof->procs[k].info.pid == f->pids[i];
		if (!found) {
			ws_errorf("--pid %" PRIu32 ": no such process in %s", f->pids[i],
				  prof->dir);
			return false;
		}
	}
	for (size_t i = 0; i < f->ntids; i++) {
		bool found = false;
		for (size_t k = 0; k < prof->nprocs && !found; k++) {
			const struct wsr_process *p = &prof->procs[k];
			if (!ws_filter_process(f, p))
				continue;
			for (size_t t = 0; t < p->nthreads && !found; t++)
				found = p->threads[t].info.tid == f->tids[i];
		}
		if (!found) {
			ws_errorf("--tid %" PRIu32 ": no such thread in %s%s", f->tids[i],
				  prof->dir, f->npids ? " (in the processes of --pid)" : "");
			return false;
		}
	}
	return true;
}

/* --plot: the flat profile's rows (at most 30) as bars of self and total
 * %; 0, or -1 with the reason printed. */
static int
plot_profile(const struct ws_flat *flat, const struct ws_header *h, const struct ws_plot_target *t,
	     bool json)
{
	enum { MAX_BARS = 30 };
	size_t n = flat->nrows < MAX_BARS ? flat->nrows : MAX_BARS;
	const char **labels = ws_xcalloc(n, sizeof *labels);
	char **own = ws_xcalloc(n, sizeof *own);
	double *values = ws_xcalloc(2 * n, sizeof *values);
	for (size_t i = 0; i < n; i++) {
		const struct ws_flat_row *row = &flat->rows[i];
		if (row->inlined)
			labels[i] = own[i] = ws_xasprintf("%s [inlined]", row->function);
		else
			labels[i] = row->function;
		values[2 * i] = row->self_percent;
		values[2 * i + 1] = row->total_percent;
	}
	char *title =
	    ws_xasprintf("whyslow report %s: %zu hottest of %zu functions, %" PRIu64 " samples",
			 h->dir ? h->dir : "", n, flat->nfunctions, flat->samples);
	struct ws_plot_bars b = {.title = title,
				 .xlabel = "% of samples",
				 .series = {"self %", "total %"},
				 .nseries = 2,
				 .labels = labels,
				 .values = values,
				 .n = n};
	if (t->kind == WS_PLOT_TERM && !json)
		putchar('\n');
	char *why = NULL;
	int rc = ws_plot_bars(&b, t, NULL, &why);
	if (rc != 0)
		ws_errorf("--plot: %s%s", why,
			  rc == WS_PLOT_NO_GNUPLOT ? "; the report above is complete" : "");
	else if (t->kind != WS_PLOT_TERM)
		ws_errorf("report: plot written to %s", t->file);
	free(why);
	free(title);
	for (size_t i = 0; i < n; i++)
		free(own[i]);
	free(own);
	free(labels);
	free(values);
	return rc == 0 ? 0 : -1;
}

/* Threads that did work: at least 5 % of the samples each (a library's
 * idle helper threads do not make a program parallel). */
static size_t
busy_threads(const struct wsr_profile *prof, const struct ws_filter *f)
{
	uint64_t total = ws_filtered_samples(prof, f);
	size_t n = 0;
	for (size_t i = 0; i < prof->nprocs; i++)
		for (size_t t = 0; t < prof->procs[i].nthreads; t++) {
			const struct wsr_thread *th = &prof->procs[i].threads[t];
			if (ws_filter_thread(f, &prof->procs[i], th) &&
			    20 * ws_thread_samples(th) >= total && total)
				n++;
		}
	return n;
}

/* --plot with --counters: each counted event's share per function (the
 * hottest functions by the first event, at most 30), as bars. */
static int
plot_counters(const struct ws_counter_table *c, const struct ws_plot_target *t, bool json)
{
	size_t ns = 0;
	const char *series[WS_PLOT_MAX_SERIES];
	size_t col[WS_PLOT_MAX_SERIES];
	for (size_t k = 0; k < c->nevents && ns < WS_PLOT_MAX_SERIES; k++)
		if (c->counted[k] && c->attributed[k]) {
			col[ns] = k;
			series[ns++] = c->events[k];
		}
	if (!ns) {
		ws_errorf("--plot: no event was counted: nothing to draw (record with -e; see "
			  "whyslow events)");
		return -1;
	}
	size_t n = c->nfns < 30 ? c->nfns : 30;
	const char **labels = ws_xcalloc(n + 1, sizeof *labels);
	double *values = ws_xcalloc((n + 1) * ns, sizeof *values);
	for (size_t i = 0; i < n; i++) {
		labels[i] = c->fns[i].function;
		for (size_t s = 0; s < ns; s++)
			values[i * ns + s] =
			    ws_percent(c->fns[i].self[col[s]], c->attributed[col[s]]);
	}
	struct ws_plot_bars b = {.title = "each event's share per function (self)",
				 .xlabel = "% of the event's attributed count",
				 .nseries = ns,
				 .labels = labels,
				 .values = values,
				 .n = n};
	for (size_t s = 0; s < ns; s++)
		b.series[s] = series[s];
	if (t->kind == WS_PLOT_TERM && !json)
		putchar('\n');
	char *why = NULL;
	int rc = ws_plot_bars(&b, t, NULL, &why);
	if (rc != 0)
		ws_errorf("--plot: %s", why);
	else if (t->kind != WS_PLOT_TERM)
		ws_errorf("report: plot written to %s", t->file);
	free(why);
	free(labels);
	free(values);
	return rc == 0 ? 0 : -1;
}

/* --plot with --gpu: a timeline of each GPU stream's kernels and copies
 * and each thread's CUDA API calls (docs/gpu.md). */
static int
plot_gpu(const struct wsr_profile *prof, const struct ws_filter *f, const struct ws_plot_target *t,
	 bool json)
{
	size_t ntracks = 0, nspans = 0, cap = 0;
	char **tracks = NULL;
	uint64_t *keys = NULL; /* pid << 32 | track id */
	struct ws_plot_span *spans = NULL;
	for (size_t pi = 0; pi < prof->nprocs; pi++) {
		const struct wsr_process *p = &prof->procs[pi];
		const struct wsr_gpu *g = p->gpu;
		if (!g || !ws_filter_process(f, p))
			continue;
		size_t n = (size_t)g->info.nactivities + g->info.napi;
		for (size_t i = 0; i < n; i++) {
			uint64_t key;
			int kind;
			uint64_t a, b;
			if (i < g->info.nactivities) {
				const struct ws_gpu_activity *x = &g->act[i];
				if (x->kind == WS_GPU_SYNC || x->kind == WS_GPU_UNIFIED)
					continue; /* unified memory: in the table, not the timeline */
				key = (uint64_t)p->info.pid << 32 | (x->stream & 0x7fffffffu);
				kind = x->kind == WS_GPU_KERNEL ? 0 : 1;
				a = x->start_ns, b = x->end_ns;
			} else {
				const struct ws_gpu_api *x = &g->api[i - g->info.nactivities];
				if (x->domain & WS_GPU_NESTED)
					continue;
				key = (uint64_t)p->info.pid << 32 | 0x80000000u | x->tid;
				kind = 2;
				a = x->start_ns, b = x->end_ns;
			}
			size_t tr;
			for (tr = 0; tr < ntracks && keys[tr] != key; tr++)
				;
			if (tr == ntracks) {
				tracks = ws_xrealloc(tracks, (ntracks + 1) * sizeof *tracks);
				keys = ws_xrealloc(keys, (ntracks + 1) * sizeof *keys);
				keys[ntracks] = key;
				tracks[ntracks++] =
				    kind == 2 ? ws_xasprintf("%u: API, thread %u", p->info.pid,
							     (unsigned)(key & 0x7fffffffu))
					      : ws_xasprintf("%u: stream %u", p->info.pid,
							     (unsigned)(key & 0x7fffffffu));
			}
			if (nspans == cap) {
				cap = cap ? 2 * cap : 256;
				spans = ws_xrealloc(spans, cap * sizeof *spans);
			}
			spans[nspans++] =
			    (struct ws_plot_span){tr, kind, (double)a / 1e9, (double)b / 1e9};
		}
	}
	int rc = 0;
	if (!nspans) {
		ws_errorf("--plot: no GPU activity was traced: nothing to draw (see report --gpu)");
		rc = WS_PLOT_FAILED;
	} else {
		struct ws_plot_timeline tl = {"GPU timeline: streams and CUDA API calls",
					      (const char *const *)tracks, ntracks, spans, nspans};
		char *why = NULL;
		rc = ws_plot_timeline(&tl, t, NULL, &why);
		if (rc != 0)
			ws_errorf("--plot: %s", why);
		else if (t->kind != WS_PLOT_TERM)
			ws_errorf("report: plot written to %s", t->file);
		free(why);
	}
	for (size_t i = 0; i < ntracks; i++)
		free(tracks[i]);
	free(tracks);
	free(keys);
	free(spans);
	(void)json;
	return rc;
}

/* --plot with --memory: this machine's roofline with the hot loops. */
static int
plot_roofline(const struct ws_roofline *r, const struct ws_plot_target *t, bool json)
{
	const struct ws_machine *m = r->machine;
	struct ws_plot_roof roofs[WS_MACHINE_MAX_PEAKS];
	char names[WS_MACHINE_MAX_PEAKS][64];
	size_t nroofs = 0;
	for (size_t i = 0; i < m->npeaks && nroofs < WS_MACHINE_MAX_PEAKS; i++) {
		const struct ws_machine_peak *p = &m->peaks[i];
		if (p->precision != WS_PREC_DOUBLE)
			continue;
		snprintf(names[nroofs], sizeof names[nroofs], "double %s%s%s",
			 p->vector_bits ? "" : "scalar ", p->isa, p->fma ? " FMA" : "");
		roofs[nroofs] = (struct ws_plot_roof){names[nroofs],
						      r->all_cores ? p->all_cores : p->one_core};
		nroofs++;
	}
	struct ws_plot_point *pts = ws_xcalloc(r->nrows + 1, sizeof *pts);
	for (size_t i = 0; i < r->nrows; i++)
		pts[i] = (struct ws_plot_point){r->rows[i].function, r->rows[i].intensity,
						r->rows[i].place.achieved};
	char title[320];
	snprintf(title, sizeof title, "roofline of %s (%s), hot loops", m->host,
		 r->all_cores ? "all CPUs" : "one core");
	struct ws_plot_roofline rl = {.title = title,
				      .bandwidth = r->roof.bandwidth,
				      .bandwidth_name = "triad bandwidth",
				      .roofs = roofs,
				      .nroofs = nroofs,
				      .points = pts,
				      .npoints = r->nrows};
	if (t->kind == WS_PLOT_TERM && !json)
		putchar('\n');
	char *why = NULL;
	int rc = ws_plot_roofline(&rl, t, NULL, &why);
	if (rc != 0)
		ws_errorf("--plot: %s", why);
	else if (t->kind != WS_PLOT_TERM)
		ws_errorf("report: plot written to %s", t->file);
	free(why);
	free(pts);
	return rc == 0 ? 0 : -1;
}

int
cmd_report(int argc, char **argv)
{
	long top = 20;
	bool want_python = false;
	bool want_tree = false, want_lines = false, want_threads = false, json = false;
	bool want_gpu = false;
	bool want_vector = false, want_busy = false, want_mpi = false, want_memory = false;
	bool want_counters = false, want_access = false;
	double min_percent = 0.5;
	int color = -1; /* auto */
	uint32_t *pids = NULL, *tids = NULL, *ranks = NULL;
	size_t npids = 0, ntids = 0, nranks = 0;
	char **expect_texts = NULL;
	size_t nexpect = 0;
	struct ws_expect *expects = NULL;
	char *dir = NULL;
	const char *plot = NULL;
	struct ws_plot_target plot_target;
	char *plot_script = NULL;
	long v;
	int c, rc;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", options, NULL)) != -1) {
		switch (c) {
		case OPT_TOP:
			if (!ws_parse_long(optarg, 0, 1000000000, &top)) {
				ws_errorf("--top: '%s' is not a number >= 0", optarg);
				goto usage_error;
			}
			break;
		case OPT_TREE:
			want_tree = true;
			break;
		case OPT_LINES:
			want_lines = true;
			break;
		case OPT_PYTHON:
			want_python = true;
			break;
		case OPT_NO_PYTHON_MERGE:
			ws_python_no_merge = true;
			break;
		case OPT_BY_THREAD:
			want_threads = true;
			break;
		case OPT_VECTOR:
			want_vector = true;
			break;
		case OPT_MPI:
			want_mpi = true;
			break;
		case OPT_GPU:
			want_gpu = true;
			break;
		case OPT_THREADS:
			want_busy = true;
			break;
		case OPT_MEMORY:
			want_memory = true;
			break;
		case OPT_PLOT:
			if (ws_plot_parse(optarg, &plot_target) < 0) {
				ws_errorf("--plot: '%s' is not FILE.png, FILE.svg or term", optarg);
				goto usage_error;
			}
			plot = optarg;
			break;
		case OPT_COUNTERS:
			want_counters = true;
			break;
		case OPT_RANK:
			if (!ws_parse_long(optarg, 0, INT32_MAX, &v)) {
				ws_errorf("--rank: '%s' is not an MPI rank", optarg);
				goto usage_error;
			}
			push_id(&ranks, &nranks, v);
			break;
		case OPT_PID:
		case OPT_TID:
			if (!ws_parse_long(optarg, 0, UINT32_MAX, &v)) {
				ws_errorf("--%s: '%s' is not a %s id", c == OPT_PID ? "pid" : "tid",
					  optarg, c == OPT_PID ? "process" : "thread");
				goto usage_error;
			}
			if (c == OPT_PID)
				push_id(&pids, &npids, v);
			else
				push_id(&tids, &ntids, v);
			break;
		case OPT_MIN_PERCENT:
			if (!parse_percent(optarg, &min_percent)) {
				ws_errorf("--min-percent: '%s' is not a percentage (0..100)",
					  optarg);
				goto usage_error;
			}
			break;
		case OPT_JSON:
			json = true;
			break;
		case OPT_COLOR:
			if (!ws_parse_color(optarg, &color))
				goto usage_error;
			break;
		case OPT_EXPECT:
			expect_texts =
			    ws_xrealloc(expect_texts, (nexpect + 1) * sizeof *expect_texts);
			expect_texts[nexpect++] = optarg;
			break;
		case 'h':
			usage(stdout);
			rc = WS_EXIT_OK;
			goto out_args;
		case ':':
			ws_errorf("report: %s needs an argument (see whyslow report --help)",
				  argv[optind - 1]);
			goto usage_error;
		default:
			ws_errorf("report: unknown option '%s' (see whyslow report --help)",
				  argv[optind - 1]);
			goto usage_error;
		}
	}
	if (argc - optind > 1) {
		ws_errorf("report: one recording directory at most (got '%s' and '%s')",
			  argv[optind], argv[optind + 1]);
		goto usage_error;
	}
	if (plot && json && plot_target.kind == WS_PLOT_TERM) {
		ws_errorf("--plot term draws on stdout, which --json needs: give --plot FILE.png "
			  "or FILE.svg");
		goto usage_error;
	}
	if (!ws_expect_parse_all(expect_texts, nexpect, false, &expects))
		goto usage_error;
	bool need_lines = false, need_threads = false, need_vector = false, need_busy = false;
	bool need_heap = false;
	bool need_counters = false;
	/* --memory: the heap and process sections, and the loops' access
	 * analysis where capstone is built in (else a note says why not) */
	want_access = want_memory && ws_disasm_available();
	if (want_memory && !want_access)
		ws_errorf("--memory: the hot loops' memory access analysis is off: built without "
			  "capstone (install libcapstone-dev and reconfigure); the process and heap "
			  "sections follow");
	const char *vector_user = want_vector ? "--vector" : NULL;
	bool need_access = false;
	for (size_t i = 0; i < nexpect; i++) {
		if (ws_expect_needs_access(&expects[i])) {
			need_access = true;
			if (!vector_user)
				vector_user = expects[i].text;
		}
		need_lines |= ws_expect_needs_lines(&expects[i]);
		need_threads |= ws_expect_needs_threads(&expects[i]);
		need_busy |= ws_expect_needs_busy(&expects[i]);
		need_heap |= ws_expect_needs_heap(&expects[i]);
		need_counters |= ws_expect_needs_counters(&expects[i]);
		if (ws_expect_needs_vector(&expects[i])) {
			need_vector = true;
			if (!vector_user)
				vector_user = expects[i].text;
		}
	}
	if (vector_user && !ws_disasm_available()) {
		ws_errorf("%s%s: built without capstone (install libcapstone-dev and reconfigure)",
			  want_vector || want_access ? "" : "--expect ", vector_user);
		rc = WS_EXIT_FAIL;
		goto out_args;
	}
	dir = optind < argc ? ws_xstrdup(argv[optind]) : ws_latest_recording();
	if (!dir) {
		ws_errorf("no recording given and no whyslow-* directory here");
		rc = WS_EXIT_USAGE;
		goto out_args;
	}

	struct wsr_profile prof;
	struct ws_error err;
	if (ws_load_dir(dir, &prof, &err) < 0) {
		ws_errorf("%s", err.msg);
		rc = WS_EXIT_FAIL;
		goto out_args;
	}
	if (ws_profile_check_usable(&prof, &err) < 0) {
		ws_errorf("%s", err.msg);
		ws_profile_free(&prof);
		rc = WS_EXIT_FAIL;
		goto out_args;
	}
	struct ws_filter filter = {pids, npids, tids, ntids, ranks, nranks, NULL};
	if (!check_filter(&prof, &filter)) {
		ws_profile_free(&prof);
		rc = WS_EXIT_FAIL;
		goto out_args;
	}

	struct ws_symbolizer *sym = ws_symbolizer_new();
	struct ws_flat flat;
	struct ws_tree tree;
	struct ws_lines lines;
	struct ws_threads threads;
	struct ws_busy busy;
	struct ws_processes procs;
	struct ws_header header;
	ws_flat_build(&prof, &filter, sym, (size_t)top, &flat);
	if (want_tree)
		ws_tree_build(&prof, &filter, sym, min_percent, &tree);
	if (want_lines || need_lines)
		ws_lines_build(&prof, &filter, sym, (size_t)top, &lines);
	if (want_threads || need_threads)
		ws_threads_build(&prof, &filter, &threads);
	if (want_busy || need_busy)
		ws_busy_build(&prof, &filter, sym, &busy);
	ws_processes_build(&prof, &filter, &procs);
	struct ws_python python;
	if (want_python)
		ws_python_build(&prof, &filter, (size_t)top, &python);
	struct ws_mpi_report mpi;
	ws_mpi_report_build(&prof, &filter, &mpi);
	struct ws_gpu_report gpu;
	ws_gpu_report_build(&prof, &filter, sym, 0, &gpu);
	/* expectations see every kernel; the report shows --top of them */
	struct ws_gpu_report gpu_shown = gpu;
	if (top > 0 && gpu_shown.nkernels > (size_t)top)
		gpu_shown.nkernels = (size_t)top;
	if (top > 0 && gpu_shown.nsites > (size_t)top)
		gpu_shown.nsites = (size_t)top;
	struct ws_heapmem heapmem;
	if (want_memory || need_heap)
		ws_heapmem_build(&prof, &filter, sym, (size_t)top, &heapmem);
	struct ws_vector vector, all_vector;
	const char *why;
	/* --vector: the 5 hottest functions, fewer with --top, all with --top 0 */
	size_t nvector = top == 0 ? 0 : top < 5 ? (size_t)top : 5;
	if (want_vector && ws_vector_build(&prof, &filter, sym, nvector, 1.0, &vector, &why) < 0)
		ws_die(WS_EXIT_FAIL, "--vector: %s", why);
	if (need_vector && ws_vector_build(&prof, &filter, sym, 0, 0.0, &all_vector, &why) < 0)
		ws_die(WS_EXIT_FAIL, "--expect: %s", why);
	/* --memory: as many functions as --vector shows */
	struct ws_access access;
	if ((want_access || need_access) &&
	    ws_access_build(&prof, &filter, sym, want_access ? nvector : 0,
			    want_access ? 1.0 : 0.0, &access, &why) < 0)
		ws_die(WS_EXIT_FAIL, "--memory: %s", why);
	/* after the analyses: the symboliser's warnings are all known */
	ws_header_build(&prof, &filter, sym, &header);
	/* --memory: the hot loops on this machine's roofline, with the peaks
	 * `whyslow machine` cached (never measured here: that takes seconds
	 * and a quiet machine) */
	struct ws_machine machine;
	struct ws_roofline roofline;
	bool have_roofline = false;
	char *roofline_why = NULL;
	if (want_access) {
		char *mwhy = NULL;
		int mrc = ws_machine_load(NULL, &machine, &mwhy);
		if (mrc == -ENOENT)
			roofline_why = ws_xstrdup("this machine's peaks are not measured yet: run "
						  "'whyslow machine' once (about 10 s, on a quiet "
						  "machine) to place these loops on its roofline");
		else if (mrc != 0)
			roofline_why = ws_xasprintf("this machine's peaks cannot be read (%s): run "
						    "'whyslow machine --refresh'",
						    mwhy ? mwhy : "unknown error");
		else if (ws_roofline_build(&access, &machine, busy_threads(&prof, &filter) > 1,
					   &roofline) != 0)
			roofline_why = ws_xstrdup("the cached peaks have no double-precision "
						  "figure: run 'whyslow machine --refresh'");
		else
			have_roofline = true;
		free(mwhy);
	}
	struct ws_counter_table counters, all_counters;
	double per_sample = header.achieved_hz > 0 ? 1.0 / header.achieved_hz : 0.0;
	/* --memory or --vector with a recording that counted events: its
	 * counters section too (page faults, cache misses, the vector share of
	 * FP instructions per function), and on the roofline the functions
	 * whose FLOP and last-level misses were counted */
	if ((want_memory || want_vector) && !want_counters) {
		ws_counters_build(&prof, &filter, sym, per_sample, (size_t)top, &counters);
		if (counters.nevents)
			want_counters = true;
		else
			ws_counters_free(&counters);
	}
	else if (want_counters)
		ws_counters_build(&prof, &filter, sym, per_sample, (size_t)top, &counters);
	if (have_roofline && want_counters)
		ws_roofline_add_counters(&roofline, &counters);
	if (need_counters)
		ws_counters_build(&prof, &filter, sym, per_sample, 0, &all_counters);

	/* expectations see every function, whatever --top shows */
	struct ws_flat all_flat;
	struct ws_expect_result *results = ws_xcalloc(nexpect + 1, sizeof *results);
	size_t failed = 0;
	if (nexpect) {
		ws_flat_build(&prof, &filter, sym, 0, &all_flat);
		struct ws_facts facts = {
		    .header = &header,
		    .flat = &all_flat,
		    .lines = want_lines || need_lines ? &lines : NULL,
		    .threads = want_threads || need_threads ? &threads : NULL,
		    .vector = need_vector ? &all_vector : NULL,
		    .busy = want_busy || need_busy ? &busy : NULL,
		    .mpi = &mpi,
		    .gpu = &gpu,
		    .heap = want_memory || need_heap ? &heapmem : NULL,
		    .counters = need_counters ? &all_counters : NULL,
		    .access = NULL};
		/* expectations see every function: a second table when --memory
		 * shows only the hottest */
		struct ws_access all_access;
		bool own_access = need_access && want_access;
		if (own_access &&
		    ws_access_build(&prof, &filter, sym, 0, 0.0, &all_access, &why) < 0)
			ws_die(WS_EXIT_FAIL, "--expect: %s", why);
		facts.access = own_access ? &all_access : need_access ? &access : NULL;
		failed = ws_expect_run(expects, nexpect, NULL, &facts, results);
		ws_flat_free(&all_flat);
		if (own_access)
			ws_access_free(&all_access);
	}
	struct ws_expectations expectations = {expects, results, nexpect};

	struct ws_report r = {
	    .header = &header,
	    .flat = &flat,
	    .tree = want_tree ? &tree : NULL,
	    .lines = want_lines ? &lines : NULL,
	    .threads = want_threads ? &threads : NULL,
	    .busy = want_busy ? &busy : NULL,
	    .vector = want_vector ? &vector : NULL,
	    .mpi = want_mpi ? &mpi : NULL,
	    .gpu = want_gpu ? &gpu_shown : NULL,
	    .heapmem = want_memory ? &heapmem : NULL,
	    .counters = want_counters ? &counters : NULL,
	    .access = want_access ? &access : NULL,
	    .roofline = have_roofline ? &roofline : NULL,
	    .roofline_why = roofline_why,
	    .processes = &procs,
	    .python = want_python ? &python : NULL,
	    .min_percent = min_percent,
	    .expectations = nexpect ? &expectations : NULL,
	};
	if (plot && plot_target.kind != WS_PLOT_TERM) {
		plot_script = ws_plot_script_path(&plot_target);
		r.plot_output = plot;
		r.plot_script = plot_script;
	}
	int w;
	if (json) {
		w = ws_render_json(stdout, &r);
	} else {
		struct ws_text_options o = {.color = ws_use_color(stdout, color),
					    .width = ws_terminal_width(stdout)};
		w = ws_render_text(stdout, &r, &o);
	}
	if (w < 0)
		ws_errorf("report: writing the report failed");
	rc = w < 0 || failed ? WS_EXIT_FAIL : WS_EXIT_OK;
	/* --plot draws what was asked for: the roofline with --memory (when this
	 * machine's peaks are known), the counters with --counters, else the
	 * flat profile */
	if (plot) {
		int prc;
		if (want_memory && have_roofline)
			prc = plot_roofline(&roofline, &plot_target, json);
		else if (want_counters && counters.nevents)
			prc = plot_counters(&counters, &plot_target, json);
		else if (want_gpu)
			prc = plot_gpu(&prof, &filter, &plot_target, json);
		else
			prc = plot_profile(&flat, &header, &plot_target, json);
		if (prc != 0)
			rc = WS_EXIT_FAIL;
	}

	ws_header_free(&header);
	if (want_counters)
		ws_counters_free(&counters);
	if (need_counters)
		ws_counters_free(&all_counters);
	ws_processes_free(&procs);
	ws_mpi_report_free(&mpi);
	ws_gpu_report_free(&gpu);
	if (want_memory || need_heap)
		ws_heapmem_free(&heapmem);
	if (want_vector)
		ws_vector_free(&vector);
	if (need_vector)
		ws_vector_free(&all_vector);
	if (have_roofline)
		ws_roofline_free(&roofline);
	free(roofline_why);
	if (want_access || need_access)
		ws_access_free(&access);
	if (want_threads || need_threads)
		ws_threads_free(&threads);
	if (want_busy || need_busy)
		ws_busy_free(&busy);
	if (want_lines || need_lines)
		ws_lines_free(&lines);
	if (want_python)
		ws_python_free(&python);
	ws_expect_free_all(NULL, results, nexpect);
	if (want_tree)
		ws_tree_free(&tree);
	ws_flat_free(&flat);
	ws_symbolizer_free(sym);
	ws_profile_free(&prof);
out_args:
	ws_expect_free_all(expects, NULL, nexpect);
	free(expect_texts);
	free(dir);
	free(plot_script);
	free(pids);
	free(tids);
	free(ranks);
	return rc;

usage_error:
	rc = WS_EXIT_USAGE;
	goto out_args;
}
