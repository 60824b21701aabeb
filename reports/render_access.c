/* The memory-access section of `whyslow report --memory` as text and as
 * JSON (access.h; schema in docs/cli.md, key "memory_access"). */
#include "config.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "access.h"
#include "json.h"
#include "render.h"
#include "text_table.h"
#include "util.h"

static enum style
class_style(enum ws_mclass c)
{
	return c == WS_MEM_BOUND ? RED : c == WS_MEM_CACHE_FRIENDLY ? GREEN : PLAIN;
}

static char *
ratio_text(const struct ws_mloop *l)
{
	return l->nstreams ? ws_xasprintf("%.2f", l->ratio) : ws_xstrdup("-");
}

/* The largest |stride| of a loop's accesses of known stride, 0: none. */
static int64_t
widest_stride(const struct ws_mloop *l)
{
	int64_t w = 0;
	for (size_t i = 0; i < l->nacc; i++)
		if (l->acc[i].known && llabs(l->acc[i].stride) > w)
			w = llabs(l->acc[i].stride);
	return w;
}

void
ws_text_access(struct out *o, const struct ws_access *a)
{
	tt_title(o, "Memory access: strides of the hottest loops, bytes fetched against bytes "
		    "used (no hardware counters needed)");
	fprintf(o->f, "  %" PRIu64 " register snapshot%s", a->snapshots,
		a->snapshots == 1 ? "" : "s");
	if (a->no_snapshots)
		fprintf(o->f, ": %s", a->no_snapshots);
	fputc('\n', o->f);
	if (!a->nfns) {
		fputs("  (no samples)\n", o->f);
		return;
	}
	struct table tb = {0};
	tt_col(&tb, "self", true, 0);
	tt_col(&tb, "class", false, 0);
	tt_col(&tb, "fetched/used", true, 0);
	tt_col(&tb, "stride", true, 0);
	tt_col(&tb, "FLOP/byte", true, 0);
	tt_col(&tb, "function", false, tt_name_room(o, 2 + 7 + 15 + 13 + 9 + 10 + 6 * 2, 40));
	for (size_t i = 0; i < a->nfns; i++) {
		const struct ws_mfunction *f = &a->fns[i];
		struct cell *row = tt_row(&tb);
		tt_set(&tb, row, 0, f->percent >= 10.0 ? RED : PLAIN, tt_pct(f->percent));
		tt_set(&tb, row, 5, BOLD, ws_xstrdup(f->function));
		if (!f->nloops) {
			tt_set(&tb, row, 1, DIM, ws_xstrdup("no hot loop"));
			continue;
		}
		const struct ws_mloop *l = &f->loops[0];
		tt_set(&tb, row, 1, class_style(l->mclass), ws_xstrdup(ws_mclass_name(l->mclass)));
		tt_set(&tb, row, 2, PLAIN, ratio_text(l));
		int64_t w = widest_stride(l);
		tt_set(&tb, row, 3, PLAIN, w ? ws_xasprintf("%" PRId64, w) : ws_xstrdup("-"));
		tt_set(&tb, row, 4, PLAIN,
		       l->fetched > 0 ? ws_xasprintf("%.3g", l->intensity) : ws_xstrdup("-"));
	}
	tt_print(o, &tb, "  ");

	for (size_t i = 0; i < a->nfns; i++) {
		const struct ws_mfunction *f = &a->fns[i];
		if (!f->nloops)
			continue;
		fputc('\n', o->f);
		fputs("  ", o->f);
		tt_styled(o, BOLD, f->function);
		fprintf(o->f, "  %" PRIu64 " sample%s, %zu register snapshot%s, %zu loop%s found\n",
			f->samples, f->samples == 1 ? "" : "s", f->snapshots,
			f->snapshots == 1 ? "" : "s", f->nall_loops, f->nall_loops == 1 ? "" : "s");
		for (size_t j = 0; j < f->nloops; j++) {
			const struct ws_mloop *l = &f->loops[j];
			fputs("    loop ", o->f);
			if (l->file) {
				char *where = tt_location(o, l->file, l->first_line);
				if (l->last_line != l->first_line)
					fprintf(o->f, "%s-%u", where, l->last_line);
				else
					fputs(where, o->f);
				free(where);
			} else {
				fputs("(no line information)", o->f);
			}
			fprintf(o->f,
				" [0x%" PRIx64 "-0x%" PRIx64
				"], %.0f %% of its samples, %zu snapshot%s in it\n",
				l->start, l->end, l->percent, l->snapshots,
				l->snapshots == 1 ? "" : "s");
			for (size_t s = 0; s < l->nstreams; s++) {
				const struct ws_mstream *st = &l->streams[s];
				fprintf(o->f,
					"      %s: %u load%s, %u store%s; %.0f of %.0f bytes "
					"fetched used\n",
					st->expr, st->loads, st->loads == 1 ? "" : "s", st->stores,
					st->stores == 1 ? "" : "s", st->useful, st->fetched);
			}
			size_t shown = 0;
			for (size_t k = 0; k < l->nacc; k++)
				if (!l->acc[k].known && shown++ < 4)
					fprintf(o->f, "      %s: stride unknown: %s\n",
						l->acc[k].text, l->acc[k].why);
			if (shown > 4)
				fprintf(o->f,
					"      (%zu more accesses of unknown stride in --json)\n",
					shown - 4);
			fputs("      ", o->f);
			tt_styled(o, class_style(l->mclass), l->verdict);
			fputc('\n', o->f);
		}
	}
}

static void
mloop(struct json *j, const struct ws_mloop *l)
{
	json_begin_object(j);
	json_key_uint(j, "start", l->start);
	json_key_uint(j, "end", l->end);
	json_key_uint(j, "offset", l->offset);
	json_key_uint(j, "depth", l->depth);
	json_key_bool(j, "innermost", l->innermost);
	json_key_str(j, "file", l->file);
	json_key_uint(j, "first_line", l->first_line);
	json_key_uint(j, "last_line", l->last_line);
	json_key_uint(j, "own_samples", l->own_samples);
	json_key_double(j, "percent", l->percent, 1);
	json_key_uint(j, "snapshots", l->snapshots);
	json_key_str(j, "class", ws_mclass_name(l->mclass));
	json_key_double(j, "bytes_loaded", l->loaded, 1);
	json_key_double(j, "bytes_stored", l->stored, 1);
	json_key_double(j, "bytes_fetched", l->fetched, 1);
	json_key_double(j, "bytes_useful", l->useful, 1);
	json_key(j, "fetched_per_useful");
	if (l->nstreams)
		json_double(j, l->ratio, 3);
	else
		json_null(j);
	json_key_double(j, "flops", l->flops, 1);
	json_key(j, "intensity");
	if (l->fetched > 0)
		json_double(j, l->intensity, 4);
	else
		json_null(j);
	json_key(j, "rate_estimate");
	if (l->rate_pairs) {
		json_begin_object(j);
		json_key_uint(j, "pairs", l->rate_pairs);
		json_key_double(j, "iterations_per_s", l->iterations_per_s, 0);
		json_key_double(j, "bytes_per_s", l->bytes_per_s, 0);
		json_key_double(j, "flops_per_s", l->flops_per_s, 0);
		json_key_str(j, "kind", "lower bound");
		json_end_object(j);
	} else {
		json_null(j);
	}
	json_key(j, "streams");
	json_begin_array(j);
	for (size_t s = 0; s < l->nstreams; s++) {
		const struct ws_mstream *st = &l->streams[s];
		json_begin_object(j);
		json_key_str(j, "address", st->expr);
		json_key(j, "stride");
		json_int(j, st->stride);
		json_key_uint(j, "loads", st->loads);
		json_key_uint(j, "stores", st->stores);
		json_key_double(j, "bytes_useful", st->useful, 1);
		json_key_double(j, "bytes_fetched", st->fetched, 1);
		json_key_bool(j, "new_line", st->new_line);
		json_key_bool(j, "new_page", st->new_page);
		json_end_object(j);
	}
	json_end_array(j);
	json_key(j, "accesses");
	json_begin_array(j);
	for (size_t k = 0; k < l->nacc; k++) {
		const struct ws_maccess *a = &l->acc[k];
		json_begin_object(j);
		json_key_uint(j, "address", a->addr);
		json_key_str(j, "instruction", a->text);
		json_key_uint(j, "size", a->size);
		json_key_bool(j, "read", a->read);
		json_key_bool(j, "write", a->write);
		json_key(j, "stride");
		if (a->known)
			json_int(j, a->stride);
		else
			json_null(j);
		json_key_str(j, "why_unknown", a->known ? NULL : a->why);
		json_key_double(j, "bytes_used", a->used, 1);
		json_end_object(j);
	}
	json_end_array(j);
	json_key_str(j, "verdict", l->verdict);
	json_end_object(j);
}

void
ws_json_access(struct json *j, const struct ws_access *a)
{
	json_key(j, "memory_access");
	json_begin_object(j);
	json_key_uint(j, "samples", a->samples);
	json_key_uint(j, "snapshots", a->snapshots);
	json_key_str(j, "no_snapshots", a->no_snapshots);
	json_key(j, "functions");
	json_begin_array(j);
	for (size_t i = 0; i < a->nfns; i++) {
		const struct ws_mfunction *f = &a->fns[i];
		json_begin_object(j);
		json_key_str(j, "function", f->function);
		json_key_str(j, "module", f->module);
		json_key_uint(j, "samples", f->samples);
		json_key_double(j, "percent", f->percent, 2);
		json_key_uint(j, "snapshots", f->snapshots);
		json_key_uint(j, "loops_found", f->nall_loops);
		json_key(j, "loops");
		json_begin_array(j);
		for (size_t l = 0; l < f->nloops; l++)
			mloop(j, &f->loops[l]);
		json_end_array(j);
		json_end_object(j);
	}
	json_end_array(j);
	json_end_object(j);
}
