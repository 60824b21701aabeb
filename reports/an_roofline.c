/* The hot loops on the roofline (roofline_report.h). */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "counter_table.h"
#include "roofline_report.h"
#include "util.h"

static struct ws_roofline_row *
new_row(struct ws_roofline *r)
{
	if ((r->nrows & (r->nrows - 1)) == 0 || r->nrows < 8)
		r->rows = ws_xrealloc(r->rows, (r->nrows < 8 ? 8 : 2 * r->nrows) * sizeof *r->rows);
	return &r->rows[r->nrows++];
}

int
ws_roofline_build(const struct ws_access *a, const struct ws_machine *m, bool all_cores,
		  struct ws_roofline *out)
{
	memset(out, 0, sizeof *out);
	out->machine = m;
	out->all_cores = all_cores;
	out->peak = ws_machine_peak(m, WS_PREC_DOUBLE, 4096);
	if (!out->peak ||
	    ws_machine_roof(m, WS_PREC_DOUBLE, out->peak->vector_bits, all_cores, &out->roof) != 0)
		return -ENOENT;
	for (size_t i = 0; i < a->nfns; i++) {
		const struct ws_mfunction *f = &a->fns[i];
		for (size_t k = 0; k < f->nloops; k++) {
			const struct ws_mloop *l = &f->loops[k];
			if (l->calls) {
				out->with_calls++;
				continue;
			}
			if (!(l->flops > 0) || !(l->intensity > 0) || !isfinite(l->intensity)) {
				out->skipped++;
				continue;
			}
			double achieved =
			    l->rate_pairs && l->flops_per_s > 0 ? l->flops_per_s : NAN;
			struct ws_roof_place p;
			if (ws_roof_place(&out->roof, l->intensity, achieved, &p) != 0)
				continue;
			struct ws_roofline_row *r = new_row(out);
			char words[512];
			*r = (struct ws_roofline_row){
			    .function = f->function,
			    .file = l->file,
			    .first_line = l->first_line,
			    .last_line = l->last_line,
			    .intensity = l->intensity,
			    .rate_known = !isnan(achieved),
			    .place = p,
			    .describe = ws_xstrdup(ws_roof_describe(&p, words, sizeof words)),
			};
		}
	}
	return 0;
}

size_t
ws_roofline_add_counters(struct ws_roofline *r, const struct ws_counter_table *c)
{
	int fops = ws_counters_role(c, WS_ROLE_FP_OPS), llc = ws_counters_role(c, WS_ROLE_L3_DCM);
	if (fops < 0 || llc < 0 || !c->counted[fops] || !c->counted[llc])
		return 0;
	size_t added = 0;
	for (size_t i = 0; i < c->nfns; i++) {
		const struct ws_counter_fn *f = &c->fns[i];
		uint64_t flop = f->self[fops], misses = f->self[llc];
		if (!flop || !misses || !(f->self_seconds > 0))
			continue;
		double traffic = (double)misses * 64.0;
		double intensity = (double)flop / traffic,
		       achieved = (double)flop / f->self_seconds;
		struct ws_roof_place p;
		if (ws_roof_place(&r->roof, intensity, achieved, &p) != 0)
			continue;
		char words[512];
		struct ws_roofline_row *w = new_row(r);
		*w = (struct ws_roofline_row){
		    .function = f->function,
		    .from_counters = true,
		    .traffic_bytes = traffic,
		    .intensity = intensity,
		    .rate_known = true,
		    .place = p,
		    .describe = ws_xstrdup(ws_roof_describe(&p, words, sizeof words)),
		};
		added++;
	}
	return added;
}

void
ws_roofline_free(struct ws_roofline *r)
{
	for (size_t i = 0; i < r->nrows; i++)
		free(r->rows[i].describe);
	free(r->rows);
	memset(r, 0, sizeof *r);
}
