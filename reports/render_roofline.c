/* The roofline section of report --memory (render.h): the hot loops under
 * this machine's roof, as text and as JSON ("roofline"). */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "json.h"
#include "render.h"
#include "roofline_report.h"
#include "text_table.h"
#include "util.h"

static char *
gflops(double v)
{
	return isnan(v) ? ws_xstrdup("?") : ws_xasprintf("%.3g", v / 1e9);
}

void
ws_text_roofline(struct out *o, const struct ws_roofline *r, const char *why)
{
	tt_title(o, "Roofline: the hot loops under this machine's peaks");
	if (!r) {
		fprintf(o->f, "  %s\n", why ? why : "no roofline");
		return;
	}
	const struct ws_machine *m = r->machine;
	fprintf(o->f,
		"  roof: %.1f GB/s triad bandwidth and %.1f GFLOP/s (double, %s%s) on %s%s; "
		"ridge %.2f FLOP/byte\n"
		"  measured by 'whyslow machine' on %s (%s)\n",
		r->roof.bandwidth / 1e9, r->roof.peak / 1e9, r->peak->isa,
		r->peak->fma ? ", FMA" : "", r->all_cores ? "all CPUs" : "one core",
		r->all_cores ? "" : " (one thread ran)", ws_roof_ridge(&r->roof), m->measured,
		m->host);
	if (m->quick)
		fputs("  warning: these peaks come from 'whyslow machine --quick' (arrays small "
		      "enough for the caches, short timings): the bandwidth roof is a cache's, "
		      "not memory's; run 'whyslow machine' without --quick to measure this "
		      "machine\n",
		      o->f);
	if (r->with_calls)
		fprintf(
		    o->f,
		    "  %zu hot loop%s call%s functions: not placed (the callees' FLOP and bytes "
		    "are not in the loop's own instructions)\n",
		    r->with_calls, r->with_calls == 1 ? "" : "s", r->with_calls == 1 ? "s" : "");
	if (!r->nrows) {
		fprintf(
		    o->f,
		    "  no hot loop to place: none with floating-point arithmetic of its own%s\n",
		    r->skipped ? " (the others only move or compare data)" : "");
		return;
	}
	struct table tb = {0};
	tt_col(&tb, "function", false, tt_name_room(o, 60, 28));
	tt_col(&tb, "loop", false, 0);
	tt_col(&tb, "FLOP/byte", true, 0);
	tt_col(&tb, "bound", false, 0);
	tt_col(&tb, "roof GFLOP/s", true, 0);
	tt_col(&tb, "achieved", true, 0);
	tt_col(&tb, "of roof", true, 0);
	for (size_t i = 0; i < r->nrows; i++) {
		const struct ws_roofline_row *w = &r->rows[i];
		struct cell *row = tt_row(&tb);
		tt_set(&tb, row, 0, PLAIN, ws_xstrdup(w->function));
		tt_set(&tb, row, 1, DIM,
		       w->from_counters ? ws_xstrdup("(counters)")
		       : w->file ? ws_xasprintf("%s:%u-%u", ws_basename(w->file), w->first_line,
						w->last_line)
				 : ws_xstrdup("?"));
		tt_set(&tb, row, 2, PLAIN, ws_xasprintf("%.3g", w->intensity));
		tt_set(&tb, row, 3, w->place.bound == WS_BOUND_MEMORY ? YELLOW : PLAIN,
		       ws_xstrdup(w->place.bound == WS_BOUND_MEMORY ? "memory" : "compute"));
		tt_set(&tb, row, 4, PLAIN, gflops(w->place.attainable));
		tt_set(&tb, row, 5, PLAIN,
		       !w->rate_known	  ? ws_xstrdup("?")
		       : w->from_counters ? ws_xasprintf("%.3g", w->place.achieved / 1e9)
					  : ws_xasprintf(">= %.3g", w->place.achieved / 1e9));
		tt_set(&tb, row, 6, PLAIN,
		       w->rate_known ? tt_pct(100 * w->place.fraction) : ws_xstrdup("?"));
	}
	tt_print(o, &tb, "  ");
	for (size_t i = 0; i < r->nrows; i++)
		fprintf(o->f, "  %s: %s\n", r->rows[i].function, r->rows[i].describe);
	fputs("  achieved: a lower bound from two register snapshots in one pass of the loop "
	      "(docs/memory-access.md); '?' where there was none; (counters): a function's "
	      "FLOP and last-level misses x 64 bytes as counted (record -e)\n",
	      o->f);
	size_t unknown = 0;
	for (size_t i = 0; i < r->nrows; i++)
		unknown += !r->rows[i].rate_known && !r->rows[i].from_counters;
	if (unknown)
		fprintf(o->f,
			"  %zu loop%s without an achieved rate: no two samples fell in one pass "
			"of %s; record with a higher -F (e.g. -F 10000) for an estimate\n",
			unknown, unknown == 1 ? "" : "s", unknown == 1 ? "it" : "them");
}

static void
num_or_null(struct json *j, const char *key, double v)
{
	json_key(j, key);
	if (isfinite(v))
		json_double(j, v, 6);
	else
		json_null(j);
}

void
ws_json_roofline(struct json *j, const struct ws_roofline *r, const char *why)
{
	json_key(j, "roofline");
	json_begin_object(j);
	json_key(j, "why_not");
	json_string(j, r ? NULL : why);
	if (r) {
		json_key(j, "host");
		json_string(j, r->machine->host);
		json_key(j, "measured");
		json_string(j, r->machine->measured);
		json_key(j, "quick");
		json_bool(j, r->machine->quick);
		num_or_null(j, "bandwidth_bytes_per_s", r->roof.bandwidth);
		num_or_null(j, "peak_flops", r->roof.peak);
		json_key(j, "peak_isa");
		json_string(j, r->peak->isa);
		json_key(j, "all_cores");
		json_bool(j, r->all_cores);
		json_key(j, "loops_with_calls");
		json_uint(j, r->with_calls);
		num_or_null(j, "ridge", ws_roof_ridge(&r->roof));
		json_key(j, "loops");
		json_begin_array(j);
		for (size_t i = 0; i < r->nrows; i++) {
			const struct ws_roofline_row *w = &r->rows[i];
			json_begin_object(j);
			json_key(j, "function");
			json_string(j, w->function);
			json_key(j, "from_counters");
			json_bool(j, w->from_counters);
			num_or_null(j, "traffic_bytes", w->from_counters ? w->traffic_bytes : NAN);
			json_key(j, "file");
			json_string(j, w->file);
			json_key(j, "first_line");
			json_uint(j, w->first_line);
			json_key(j, "last_line");
			json_uint(j, w->last_line);
			num_or_null(j, "intensity", w->intensity);
			json_key(j, "bound");
			json_string(j, w->place.bound == WS_BOUND_MEMORY ? "memory" : "compute");
			num_or_null(j, "attainable_flops", w->place.attainable);
			num_or_null(j, "achieved_flops", w->place.achieved);
			num_or_null(j, "fraction", w->place.fraction);
			json_key(j, "describe");
			json_string(j, w->describe);
			json_end_object(j);
		}
		json_end_array(j);
	}
	json_end_object(j);
}
