/* `whyslow compare BEFORE AFTER`: two recordings side by side, with
 * expectations for graders (docs/cli.md). */
#include "config.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "analysis.h"
#include "changed.h"
#include "commands.h"
#include "counter_table.h"
#include "disasm.h"
#include "expect.h"
#include "gpu_report.h"
#include "heap.h"
#include "mpi_report.h"
#include "profile.h"
#include "render.h"
#include "symbolize.h"
#include "util.h"
#include "vector.h"
#include "access.h"

static void
usage(FILE *f)
{
	fprintf(f,
		"usage: whyslow compare [options] BEFORE AFTER\n"
		"\n"
		"Two recordings side by side: wall and CPU time with the speedup, then every\n"
		"function's time before and after (seconds of the sampled clock: samples over\n"
		"the achieved rate), biggest change first, with the functions that appeared\n"
		"('new') or vanished ('gone'); then what else changed: the verdicts that\n"
		"differ (lock_contention, scheduling_overhead, imbalanced, omp_imbalanced,\n"
		"mpi_imbalanced, the GPU verdicts; with capstone vector(F) and memory(F) of\n"
		"the three hottest functions of either side, and vector_hot and memory_hot\n"
		"when the hottest function is another one after), each event counted on\n"
		"both sides (record -e) with its totals, and the heap's allocations and\n"
		"peak, peak RSS and page faults.  Functions match by name and lines by file\n"
		"and line, so BEFORE and AFTER may be two different programs.\n"
		"\n"
		"options:\n"
		"  --top N          rows of functions and lines (default 20; 0 = all)\n"
		"  --lines          also the source lines whose time changed most\n"
		"  --expect EXPR    check an expectation (repeatable), e.g. 'speedup>=5',\n"
		"                   'hot!=walk_slow', 'after.self(path_stats)<5'; the exit\n"
		"                   status is 1 when one fails, each failure named on stderr.\n"
		"                   EXPR is [before.|after.]METRIC OP VALUE, OP one of\n"
		"                   == != >= <= > <; a bare METRIC is after's.  Every metric\n"
		"                   of report --expect works on either recording:\n"
		"%s"
		"  --json           as JSON (schema whyslow-compare, version 1, docs/cli.md)\n"
		"  --color WHEN     auto (default), always or never\n"
		"  -h, --help       this help\n"
		"\n"
		"Exit status: 0 success, 1 unreadable recording or a failed expectation,\n"
		"2 usage error.\n",
		ws_expect_metrics(true));
}

enum { OPT_TOP = 256, OPT_LINES, OPT_EXPECT, OPT_JSON, OPT_COLOR };

static const struct option options[] = {
    {"top", required_argument, NULL, OPT_TOP},
    {"lines", no_argument, NULL, OPT_LINES},
    {"expect", required_argument, NULL, OPT_EXPECT},
    {"json", no_argument, NULL, OPT_JSON},
    {"color", required_argument, NULL, OPT_COLOR},
    {"colour", required_argument, NULL, OPT_COLOR},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

/* One recording with the tables that compare and the expectations use. */
struct side {
	struct wsr_profile prof;
	bool loaded;
	struct ws_header header;
	struct ws_flat flat;
	struct ws_lines lines;
	struct ws_threads threads;
	struct ws_vector vector;
	struct ws_busy busy;
	struct ws_mpi_report mpi;
	struct ws_gpu_report gpu;
	bool have_lines, have_threads, have_vector, have_busy;
	struct ws_access access; /* an expectation's, or the Changed section's */
	bool have_access;
	struct ws_counter_table counters; /* every function */
	struct ws_heapmem heap;		  /* every row */
	/* its own: a side's header lists its symboliser's warnings (modules
	 * changed since recording, without unwind tables) */
	struct ws_symbolizer *sym;
};

/* The vector and memory-access analyses: every function with samples
 * when an expectation needs them, else, where capstone is built in, the functions with at
 * least 1 % of the samples, for the Changed section's vector(F) and
 * memory(F) of the hottest ones (a recording it cannot analyse, e.g. of
 * another architecture, just has none). */
static void
side_build_code(struct side *s, struct ws_symbolizer *sym, bool vector, bool access)
{
	const char *why;
	bool have = ws_disasm_available();
	if (vector && ws_vector_build(&s->prof, NULL, sym, 0, 0.0, &s->vector, &why) < 0)
		ws_die(WS_EXIT_FAIL, "--expect: %s", why);
	s->have_vector =
	    vector || (have && ws_vector_build(&s->prof, NULL, sym, 0, 1.0, &s->vector, &why) == 0);
	if (access && ws_access_build(&s->prof, NULL, sym, 0, 0.0, &s->access, &why) < 0)
		ws_die(WS_EXIT_FAIL, "--expect: %s", why);
	s->have_access =
	    access || (have && ws_access_build(&s->prof, NULL, sym, 0, 1.0, &s->access, &why) == 0);
}

static void
side_build(struct side *s, struct ws_symbolizer *sym, bool lines, bool vector, bool access)
{
	ws_flat_build(&s->prof, NULL, sym, 0, &s->flat);
	if ((s->have_lines = lines))
		ws_lines_build(&s->prof, NULL, sym, 0, &s->lines);
	s->have_threads = true;
	ws_threads_build(&s->prof, NULL, &s->threads);
	s->have_busy = true; /* the thread verdicts */
	ws_busy_build(&s->prof, NULL, sym, &s->busy);
	ws_mpi_report_build(&s->prof, NULL, &s->mpi);
	ws_gpu_report_build(&s->prof, NULL, sym, 0, &s->gpu);
	ws_heapmem_build(&s->prof, NULL, sym, 0, &s->heap);
	side_build_code(s, sym, vector, access);
	/* after the analyses: the symboliser's warnings are all known */
	ws_header_build(&s->prof, NULL, sym, &s->header);
	double per_sample = s->header.achieved_hz > 0 ? 1.0 / s->header.achieved_hz : 0.0;
	ws_counters_build(&s->prof, NULL, sym, per_sample, 0, &s->counters);
}

static void
side_free(struct side *s)
{
	if (!s->loaded)
		return;
	ws_header_free(&s->header);
	ws_flat_free(&s->flat);
	if (s->have_lines)
		ws_lines_free(&s->lines);
	if (s->have_threads)
		ws_threads_free(&s->threads);
	if (s->have_busy)
		ws_busy_free(&s->busy);
	if (s->have_vector)
		ws_vector_free(&s->vector);
	ws_mpi_report_free(&s->mpi);
	ws_gpu_report_free(&s->gpu);
	ws_heapmem_free(&s->heap);
	ws_counters_free(&s->counters);
	if (s->have_access)
		ws_access_free(&s->access);
	ws_profile_free(&s->prof);
	ws_symbolizer_free(s->sym);
}

int
cmd_compare(int argc, char **argv)
{
	long top = 20;
	bool want_lines = false, json = false;
	int color = -1;
	char **texts = NULL;
	size_t nexpect = 0;
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", options, NULL)) != -1) {
		switch (c) {
		case OPT_TOP:
			if (!ws_parse_long(optarg, 0, 1000000000, &top)) {
				ws_errorf("--top: '%s' is not a number >= 0", optarg);
				goto usage_error;
			}
			break;
		case OPT_LINES:
			want_lines = true;
			break;
		case OPT_EXPECT:
			texts = ws_xrealloc(texts, (nexpect + 1) * sizeof *texts);
			texts[nexpect++] = optarg;
			break;
		case OPT_JSON:
			json = true;
			break;
		case OPT_COLOR:
			if (!ws_parse_color(optarg, &color))
				goto usage_error;
			break;
		case 'h':
			usage(stdout);
			free(texts);
			return WS_EXIT_OK;
		case ':':
			ws_errorf("compare: %s needs an argument (see whyslow compare --help)",
				  argv[optind - 1]);
			goto usage_error;
		default:
			ws_errorf("compare: unknown option '%s' (see whyslow compare --help)",
				  argv[optind - 1]);
			goto usage_error;
		}
	}
	if (argc - optind != 2) {
		ws_errorf("compare: needs two recordings, BEFORE and AFTER (got %d; see whyslow "
			  "compare --help)",
			  argc - optind);
		goto usage_error;
	}
	struct ws_expect *expects;
	bool parsed = ws_expect_parse_all(texts, nexpect, true, &expects);
	free(texts);
	if (!parsed)
		return WS_EXIT_USAGE;
	bool need_lines = want_lines, need_vector = false;
	bool need_access = false, need_disasm = false;
	for (size_t i = 0; i < nexpect; i++) {
		need_lines |= ws_expect_needs_lines(&expects[i]);
		need_access |= ws_expect_needs_access(&expects[i]);
		need_vector |= ws_expect_needs_vector(&expects[i]);
		if ((ws_expect_needs_vector(&expects[i]) || ws_expect_needs_access(&expects[i])) &&
		    !need_disasm) {
			need_disasm = true;
			if (!ws_disasm_available()) {
				ws_errorf("--expect %s: built without capstone (install "
					  "libcapstone-dev and reconfigure)",
					  expects[i].text);
				ws_expect_free_all(expects, NULL, nexpect);
				return WS_EXIT_FAIL;
			}
		}
	}

	struct side s[2] = {0};
	int rc = WS_EXIT_OK;
	for (int i = 0; i < 2 && rc == WS_EXIT_OK; i++) {
		struct ws_error err;
		if (ws_load_dir(argv[optind + i], &s[i].prof, &err) < 0) {
			ws_errorf("%s", err.msg);
			rc = WS_EXIT_FAIL;
		} else if (ws_profile_check_usable(&s[i].prof, &err) < 0) {
			ws_errorf("%s", err.msg);
			ws_profile_free(&s[i].prof);
			rc = WS_EXIT_FAIL;
		} else {
			s[i].loaded = true;
			s[i].sym = ws_symbolizer_new();
			side_build(&s[i], s[i].sym, need_lines, need_vector, need_access);
		}
	}
	if (rc == WS_EXIT_OK) {
		const struct ws_header *h[2] = {&s[0].header, &s[1].header};
		const struct ws_flat *fl[2] = {&s[0].flat, &s[1].flat};
		const struct ws_lines *ln[2] = {want_lines ? &s[0].lines : NULL,
						want_lines ? &s[1].lines : NULL};
		struct ws_compare cmp;
		ws_compare_build(h, fl, ln, (size_t)top, &cmp);

		struct ws_facts facts[2];
		for (int i = 0; i < 2; i++)
			facts[i] =
			    (struct ws_facts){.header = &s[i].header,
					      .flat = &s[i].flat,
					      .lines = need_lines ? &s[i].lines : NULL,
					      .threads = &s[i].threads,
					      .vector = s[i].have_vector ? &s[i].vector : NULL,
					      .busy = &s[i].busy,
					      .mpi = &s[i].mpi,
					      .gpu = &s[i].gpu,
					      .heap = &s[i].heap,
					      .counters = &s[i].counters,
					      .access = s[i].have_access ? &s[i].access : NULL};
		struct ws_changed changed;
		ws_changed_build(&facts[0], &facts[1], &changed);
		struct ws_expect_result *results = ws_xcalloc(nexpect + 1, sizeof *results);
		size_t failed = ws_expect_run(expects, nexpect, &facts[0], &facts[1], results);
		struct ws_expectations x = {expects, results, nexpect};
		struct ws_compare_report r = {{h[0], h[1]}, &cmp, nexpect ? &x : NULL, &changed};
		int w;
		if (json) {
			w = ws_render_compare_json(stdout, &r);
		} else {
			struct ws_text_options o = {.color = ws_use_color(stdout, color),
						    .width = ws_terminal_width(stdout)};
			w = ws_render_compare_text(stdout, &r, &o);
		}
		if (w < 0) {
			ws_errorf("compare: writing the comparison failed");
			rc = WS_EXIT_FAIL;
		} else if (failed) {
			rc = WS_EXIT_FAIL;
		}
		ws_expect_free_all(NULL, results, nexpect);
		ws_changed_free(&changed);
		ws_compare_free(&cmp);
	}
	ws_expect_free_all(expects, NULL, nexpect);
	side_free(&s[0]);
	side_free(&s[1]);
	return rc;

usage_error:
	free(texts);
	return WS_EXIT_USAGE;
}
