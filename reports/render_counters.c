/* whyslow report --counters: text and JSON (see render.h, counter_table.h). */
#include "config.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "counter_table.h"
#include "json.h"
#include "render.h"
#include "text_table.h"
#include "util.h"

static char *
count_cell(uint64_t v, uint64_t all)
{
	if (!all)
		return ws_xasprintf("%" PRIu64, v);
	return ws_xasprintf("%" PRIu64 " %5.1f%%", v, 100.0 * (double)v / (double)all);
}

static char *
derived_cell(const struct ws_derived *d)
{
	if (!d->have)
		return ws_xstrdup("-");
	if (!strcmp(d->name, "vector_share"))
		return ws_xasprintf("%.1f%%", d->value);
	if (!strcmp(d->name, "page_faults_per_s"))
		return ws_xasprintf("%.0f", d->value);
	return ws_xasprintf("%.3g", d->value);
}

void
ws_text_counters(struct out *o, const struct ws_counter_table *t)
{
	tt_title(o, "Counters: per function, self (counts added to the sampled stack at each "
		    "sample)");
	if (!t->nevents) {
		fputs("  this recording has no counters (record with -e EVENT or --counters GROUP; "
		      "'whyslow events' lists what this machine can count)\n",
		      o->f);
		return;
	}
	for (size_t i = 0; i < t->nproblems; i++)
		fprintf(o->f, "  warning: %s\n", t->problems[i]);
	fprintf(o->f, "  %zu of %zu threads counted%s\n", t->threads_counted, t->threads,
		t->multiplexed ? "; some groups were not always on the PMU (multiplexed): counts "
				 "cover only the time they ran"
			       : "");
	for (size_t k = 0; k < t->nevents; k++) {
		if (!t->counted[k]) {
			fprintf(o->f, "  %s: not counted by any thread (no figure is shown)\n",
				t->events[k]);
			continue;
		}
		uint64_t rest = t->totals[k] - t->attributed[k] - t->handler[k];
		if (t->totals[k] < t->attributed[k] + t->handler[k])
			rest = 0;
		fprintf(o->f,
			"  %s: %" PRIu64 " in all; %" PRIu64
			" attributed to sampled stacks, %" PRIu64
			" inside whyslow's sample handler, %" PRIu64
			" after the last sample of a thread\n",
			t->events[k], t->totals[k], t->attributed[k], t->handler[k], rest);
	}
	struct table tb = {0};
	size_t name_col = 0;
	tt_col(&tb, "function", false, tt_name_room(o, 20 + 16 * t->nevents, 40));
	tt_col(&tb, "self s", true, 0);
	size_t cols[WS_MAX_EVENTS];
	size_t ncols = 0;
	for (size_t k = 0; k < t->nevents && ncols < MAX_COLS - 2; k++)
		if (t->counted[k]) {
			tt_col(&tb, t->events[k], true, 0);
			cols[ncols++] = k;
		}
	for (size_t i = 0; i < t->nfns; i++) {
		const struct ws_counter_fn *r = &t->fns[i];
		struct cell *row = tt_row(&tb);
		tt_set(&tb, row, name_col, PLAIN, tt_fname(r->function, r->inlined));
		tt_set(&tb, row, 1, PLAIN, ws_xasprintf("%.3f", r->self_seconds));
		for (size_t c = 0; c < ncols; c++)
			tt_set(&tb, row, 2 + c, PLAIN,
			       count_cell(r->self[cols[c]], t->attributed[cols[c]]));
	}
	tt_print(o, &tb, "  ");
	/* derived metrics, where their inputs were counted */
	bool any = false, show[WS_NDERIVED] = {0};
	for (size_t d = 0; d < WS_NDERIVED; d++)
		if (t->run[d].have)
			show[d] = any = true;
	if (!any) {
		fputs("  derived metrics (IPC, misses per 1000 instructions, GFLOP/s, vector "
		      "share): none, their events were not counted (--counters ipc, memory, "
		      "flops, vector)\n",
		      o->f);
		return;
	}
	tt_title(o, "Counters: derived metrics per function (self)");
	tb = (struct table){0};
	tt_col(&tb, "function", false, tt_name_room(o, 14 * WS_NDERIVED, 40));
	for (size_t d = 0; d < WS_NDERIVED; d++)
		if (show[d])
			tt_col(&tb, ws_derived_template[d].name, true, 0);
	struct cell *row = tt_row(&tb);
	tt_set(&tb, row, 0, BOLD, ws_xstrdup("[whole run]"));
	for (size_t d = 0, c = 1; d < WS_NDERIVED; d++)
		if (show[d])
			tt_set(&tb, row, c++, BOLD, derived_cell(&t->run[d]));
	for (size_t i = 0; i < t->nfns; i++) {
		const struct ws_counter_fn *r = &t->fns[i];
		struct ws_derived dv[WS_NDERIVED];
		ws_counters_derive(t, r->self, r->self_seconds, dv);
		row = tt_row(&tb);
		tt_set(&tb, row, 0, PLAIN, tt_fname(r->function, r->inlined));
		for (size_t d = 0, c = 1; d < WS_NDERIVED; d++)
			if (show[d])
				tt_set(&tb, row, c++, PLAIN, derived_cell(&dv[d]));
	}
	tt_print(o, &tb, "  ");
	for (size_t d = 0; d < WS_NDERIVED; d++)
		if (show[d])
			fprintf(o->f, "  %-18s %s\n", ws_derived_template[d].name,
				ws_derived_template[d].explain);
}

static void
derived_json(struct json *j, const struct ws_derived *dv)
{
	json_begin_object(j);
	for (size_t d = 0; d < WS_NDERIVED; d++) {
		json_key(j, dv[d].name);
		if (dv[d].have)
			json_double(j, dv[d].value, 6);
		else
			json_null(j);
	}
	json_end_object(j);
}

void
ws_json_counters(struct json *j, const struct ws_counter_table *t)
{
	json_key(j, "counters");
	json_begin_object(j);
	json_key(j, "threads");
	json_uint(j, t->threads);
	json_key(j, "threads_counted");
	json_uint(j, t->threads_counted);
	json_key(j, "multiplexed");
	json_bool(j, t->multiplexed);
	json_key(j, "events");
	json_begin_array(j);
	for (size_t k = 0; k < t->nevents; k++) {
		json_begin_object(j);
		json_key(j, "name");
		json_string(j, t->events[k]);
		json_key(j, "counted");
		json_bool(j, t->counted[k]);
		json_key(j, "total");
		if (t->counted[k])
			json_uint(j, t->totals[k]);
		else
			json_null(j);
		json_key(j, "attributed");
		if (t->counted[k])
			json_uint(j, t->attributed[k]);
		else
			json_null(j);
		json_key(j, "in_handler");
		if (t->counted[k])
			json_uint(j, t->handler[k]);
		else
			json_null(j);
		json_end_object(j);
	}
	json_end_array(j);
	json_key(j, "problems");
	json_begin_array(j);
	for (size_t i = 0; i < t->nproblems; i++)
		json_string(j, t->problems[i]);
	json_end_array(j);
	json_key(j, "derived");
	derived_json(j, t->run);
	json_key(j, "explanations");
	json_begin_object(j);
	for (size_t d = 0; d < WS_NDERIVED; d++) {
		json_key(j, ws_derived_template[d].name);
		json_string(j, ws_derived_template[d].explain);
	}
	json_end_object(j);
	json_key(j, "functions");
	json_begin_array(j);
	for (size_t i = 0; i < t->nfns; i++) {
		const struct ws_counter_fn *r = &t->fns[i];
		json_begin_object(j);
		json_key(j, "function");
		json_string(j, r->function);
		json_key(j, "module");
		json_string(j, r->module);
		json_key(j, "inlined");
		json_bool(j, r->inlined);
		json_key(j, "self_samples");
		json_uint(j, r->self_samples);
		json_key(j, "self_seconds");
		json_double(j, r->self_seconds, 6);
		for (int pass = 0; pass < 2; pass++) {
			json_key(j, pass ? "total" : "self");
			json_begin_object(j);
			for (size_t k = 0; k < t->nevents; k++) {
				json_key(j, t->events[k]);
				if (t->counted[k])
					json_uint(j, pass ? r->total[k] : r->self[k]);
				else
					json_null(j);
			}
			json_end_object(j);
		}
		struct ws_derived dv[WS_NDERIVED];
		ws_counters_derive(t, r->self, r->self_seconds, dv);
		json_key(j, "derived");
		derived_json(j, dv);
		json_end_object(j);
	}
	json_end_array(j);
	json_end_object(j);
}
