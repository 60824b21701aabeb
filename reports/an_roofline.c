/* The hot loops on the roofline (roofline_report.h). */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "roofline_report.h"
#include "util.h"

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
	size_t cap = 0;
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
			if (out->nrows == cap) {
				cap = cap ? 2 * cap : 8;
				out->rows = ws_xrealloc(out->rows, cap * sizeof *out->rows);
			}
			struct ws_roofline_row *r = &out->rows[out->nrows++];
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

void
ws_roofline_free(struct ws_roofline *r)
{
	for (size_t i = 0; i < r->nrows; i++)
		free(r->rows[i].describe);
	free(r->rows);
	memset(r, 0, sizeof *r);
}
