/* The memory-access analysis: strides, fetched against useful bytes and
 * arithmetic intensity of the hottest loops (see access.h). */
#include "config.h"

#include <fnmatch.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "access.h"
#include "disasm.h"
#include "loops.h"
#include "util.h"

enum {
	MAX_CODE = 4 << 20,
	MAX_HOT_LOOPS = 3,
	NSYM = WS_NGPR, /* symbols: the GPRs' values at the top of an iteration */
};
#define HOT_LOOP_SHARE 0.10
#define MIN_RATE_ITERATIONS 100

const char *
ws_mclass_name(enum ws_mclass c)
{
	switch (c) {
	case WS_MEM_NONE:
		return "no-memory";
	case WS_MEM_UNKNOWN:
		return "unknown";
	case WS_MEM_CACHE_FRIENDLY:
		return "cache-friendly";
	case WS_MEM_BOUND:
		return "memory-bound";
	}
	return "?";
}

/* ---- gathering samples and snapshots by function ---- */

struct snap {
	const struct wsr_thread *t;
	const struct ws_regs_snapshot *s;
	uint64_t file_pc;
};

struct hit {
	uint64_t off, count; /* file address - the function's start */
};

struct fn {
	const char *module;
	uint64_t file_start;
	struct ws_code code;
	const struct wsr_process *proc;
	uint64_t samples;
	struct hit *hits;
	size_t nhits, hits_cap;
	struct snap *snaps;
	size_t nsnaps, snaps_cap;
};

struct gather {
	struct fn **v;
	size_t n;
	uint64_t unreadable;
};

static struct fn *
fn_for(struct gather *g, struct ws_symbolizer *sym, const struct wsr_process *p, uint64_t ip,
       uint64_t *file_addr, bool create)
{
	struct ws_code c;
	const char *why;
	if (ws_symbolizer_code(sym, p, ip, &c, &why) != 0)
		return NULL;
	*file_addr = c.file_start + (ip - c.start);
	for (size_t i = 0; i < g->n; i++)
		if (g->v[i]->module == c.module && g->v[i]->file_start == c.file_start)
			return g->v[i];
	if (!create)
		return NULL;
	struct fn *f = ws_xcalloc(1, sizeof *f);
	f->module = c.module;
	f->file_start = c.file_start;
	f->code = c;
	f->proc = p;
	g->v = ws_xrealloc(g->v, (g->n + 1) * sizeof *g->v);
	g->v[g->n++] = f;
	return f;
}

static int
cmp_fn(const void *a, const void *b)
{
	const struct fn *x = *(struct fn *const *)a, *y = *(struct fn *const *)b;
	if (x->samples != y->samples)
		return x->samples > y->samples ? -1 : 1;
	return strcmp(x->code.function, y->code.function);
}

/* ---- symbolic values over one iteration ---- */

/* sum of c[s] * (value of GPR s at the top of the iteration) + k */
struct lin {
	bool known;
	int64_t c[NSYM];
	int64_t k;
};

static struct lin
lin_sym(int s)
{
	struct lin l = {.known = true};
	l.c[s] = 1;
	return l;
}

static struct lin
lin_const(int64_t k)
{
	return (struct lin){.known = true, .k = k};
}

static struct lin
lin_add(struct lin a, const struct lin *b, int64_t mul)
{
	if (!a.known || !b->known)
		return (struct lin){.known = false};
	for (int s = 0; s < NSYM; s++)
		a.c[s] += mul * b->c[s];
	a.k += mul * b->k;
	return a;
}

/* The address of a memory operand with the registers' current values. */
static struct lin
address(const struct ws_memop *m, const struct lin *v)
{
	if (m->vsib)
		return (struct lin){.known = false};
	struct lin a = lin_const(m->disp);
	if (m->base >= 0 && m->base < NSYM)
		a = lin_add(a, &v[m->base], 1);
	if (m->index >= 0 && m->index < NSYM)
		a = lin_add(a, &v[m->index], (int64_t)m->scale);
	return a;
}

static bool
same_coefs(const struct lin *a, const struct lin *b)
{
	return !memcmp(a->c, b->c, sizeof a->c);
}

/* ---- one hot loop ---- */

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return (x > y) - (x < y);
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

struct loopctx {
	const struct ws_loops *k;
	const struct ws_loop *l;
	int li;			   /* its index */
	long first, last;	   /* its instructions [first, last) */
	const struct snap **snaps; /* in its own instructions */
	size_t nsnaps;
	uint32_t gpr_written; /* anywhere in the loop, inner loops too */
	uint32_t vec_written;
	/* register facts */
	bool have_val[NSYM];
	uint64_t val[NSYM];
	bool val_varies[NSYM];
	bool delta_known[NSYM];
	int64_t delta[NSYM];
	struct lin end[NSYM];
	const char *why[NSYM]; /* why a delta is unknown */
};

static bool
own(const struct loopctx *x, long i)
{
	return x->k->loop_of[i] == x->li;
}

/* The median value of invariant register r in the loop's snapshots. */
static void
snapshot_values(struct loopctx *x)
{
	uint64_t *v = ws_xcalloc(x->nsnaps + 1, sizeof *v);
	for (int r = 0; r < NSYM; r++) {
		if (!x->nsnaps || (x->gpr_written >> r & 1))
			continue;
		for (size_t i = 0; i < x->nsnaps; i++)
			v[i] = x->snaps[i]->s->regs[1 + r];
		qsort(v, x->nsnaps, sizeof *v, cmp_u64);
		x->have_val[r] = true;
		x->val[r] = v[x->nsnaps / 2];
		x->val_varies[r] = v[0] != v[x->nsnaps - 1];
	}
	free(v);
}

/* Run the loop's instructions once, symbolically; record each access's
 * address in addr[] (indexed like the instructions, two per). */
static void
run_iteration(struct loopctx *x, struct lin (*addr)[2])
{
	struct lin v[NSYM];
	for (int r = 0; r < NSYM; r++)
		v[r] = lin_sym(r);
	for (long i = x->first; i < x->last; i++) {
		const struct ws_insn *in = &x->k->in[i];
		if (own(x, i))
			for (unsigned m = 0; m < in->nmem; m++)
				addr[i - x->first][m] = address(&in->mem[m], v);
		if (!in->gpr_written)
			continue;
		struct lin nv = {.known = false};
		bool shaped = own(x, i) && in->gop != WS_GOP_NONE && in->gdst >= 0 &&
			      in->gpr_written == (1u << in->gdst);
		if (shaped) {
			int d = in->gdst;
			switch (in->gop) {
			case WS_GOP_ADD_IMM:
				nv = v[d];
				nv.k += in->gimm;
				break;
			case WS_GOP_ADD_REG:
				nv = lin_add(v[d], &v[in->gsrc], 1);
				break;
			case WS_GOP_SUB_REG:
				nv = lin_add(v[d], &v[in->gsrc], -1);
				break;
			case WS_GOP_MOV_REG:
				nv = v[in->gsrc];
				break;
			case WS_GOP_LEA:
				nv = in->lea_addr.base == WS_GPR_RIP ? lin_const(in->lea_addr.disp)
								     : address(&in->lea_addr, v);
				break;
			case WS_GOP_NONE:
				break;
			}
		}
		for (int r = 0; r < NSYM; r++)
			if (in->gpr_written >> r & 1)
				v[r] = shaped ? nv : (struct lin){.known = false};
	}
	memcpy(x->end, v, sizeof v);
}

/* Each register's change per iteration, from its value at the end of an
 * iteration in terms of the values at the top. */
static void
deltas(struct loopctx *x)
{
	for (int r = 0; r < NSYM; r++) {
		x->why[r] = NULL;
		if (!(x->gpr_written >> r & 1)) {
			x->delta_known[r] = true; /* invariant */
			x->delta[r] = 0;
		}
	}
	for (int round = 0; round < NSYM + 1; round++) {
		bool changed = false;
		for (int r = 0; r < NSYM; r++) {
			if (x->delta_known[r])
				continue;
			const struct lin *e = &x->end[r];
			if (!e->known) {
				x->why[r] =
				    "its value comes from a load or an operation this analysis "
				    "does not follow (pointer chasing, an index array, a "
				    "multiplication)";
				continue;
			}
			int64_t d = e->k;
			bool ok = true;
			if (e->c[r] == 1) {
				/* r + the other registers' values */
				for (int s = 0; s < NSYM && ok; s++) {
					if (s == r || !e->c[s])
						continue;
					if (x->gpr_written >> s & 1) {
						ok = false;
						x->why[r] =
						    "it is stepped by a register that changes "
						    "in the loop";
					} else if (!x->have_val[s]) {
						ok = false;
						x->why[r] =
						    "it is stepped by a register whose value no "
						    "register snapshot in the loop shows";
					} else {
						d += e->c[s] * (int64_t)x->val[s];
					}
				}
			} else if (e->c[r] == 0) {
				/* a copy of other registers: changes as they do */
				d = 0;
				for (int s = 0; s < NSYM && ok; s++)
					if (e->c[s]) {
						if (!x->delta_known[s])
							ok = false;
						else
							d += e->c[s] * x->delta[s];
					}
			} else {
				ok = false;
				x->why[r] = "it is scaled every iteration";
			}
			if (ok) {
				x->delta_known[r] = true;
				x->delta[r] = d;
				changed = true;
			}
		}
		if (!changed)
			break;
	}
}

/* Stride of an address: sum of its coefficients times the deltas. */
static bool
stride_of(const struct loopctx *x, const struct lin *a, int64_t *stride, const char **why)
{
	if (!a->known) {
		*why = "its address comes from a load, a gather's vector index or an operation "
		       "this analysis does not follow (pointer chasing, an index array)";
		return false;
	}
	int64_t s = 0;
	for (int r = 0; r < NSYM; r++) {
		if (!a->c[r])
			continue;
		if (!x->delta_known[r]) {
			*why = x->why[r] ? x->why[r]
					 : "a register of its address changes unpredictably";
			return false;
		}
		s += a->c[r] * x->delta[r];
	}
	*stride = s;
	return true;
}

/* Bytes per element of a vector register operand use by instruction in:
 * scalar FP arithmetic reads one element, a store its size, the rest the
 * register width. */
static double
use_bytes(const struct ws_insn *in)
{
	if (in->cls == WS_INSN_FP_ARITH && !in->packed)
		return in->elem == WS_ELEM_SINGLE ? 4 : 8;
	for (unsigned m = 0; m < in->nmem; m++)
		if (in->mem[m].write && in->mem[m].size)
			return in->mem[m].size;
	return in->vec_bytes ? in->vec_bytes : 16;
}

/* A vector load or lane move: its output demand flows to its inputs. */
static bool
transfers(const struct ws_insn *in)
{
	if (in->shuffle)
		return true;
	bool reads_mem = false;
	for (unsigned m = 0; m < in->nmem; m++)
		reads_mem |= in->mem[m].read && !in->mem[m].write;
	return reads_mem && in->vec_written && in->cls != WS_INSN_FP_ARITH && !in->vec_read;
}

/* Demand analysis: the bytes of each load that reach a use (access.h). */
static void
demand(const struct loopctx *x, double (*used)[2])
{
	double want[32] = {0};
	for (long i = x->last - 1; i >= x->first; i--) {
		if (!own(x, i))
			continue;
		const struct ws_insn *in = &x->k->in[i];
		double out = 0;
		for (int v = 0; v < 32; v++)
			if (in->vec_written >> v & 1) {
				out += want[v];
				want[v] = 0;
			}
		/* inputs that carry data from this iteration's loads */
		int nin = 0;
		for (int v = 0; v < 32; v++)
			nin += (in->vec_read >> v & 1) && (x->vec_written >> v & 1);
		for (unsigned m = 0; m < in->nmem; m++)
			nin += in->mem[m].read;
		if (transfers(in) && in->vec_written) {
			if (!nin)
				continue;
			double share = out / nin;
			for (int v = 0; v < 32; v++)
				if ((in->vec_read >> v & 1) && (x->vec_written >> v & 1))
					want[v] += share;
			for (unsigned m = 0; m < in->nmem; m++)
				if (in->mem[m].read)
					used[i - x->first][m] += share;
			continue;
		}
		/* a use: arithmetic, a store, integer work, a GPR load */
		double b = use_bytes(in);
		for (int v = 0; v < 32; v++)
			if ((in->vec_read >> v & 1) && (x->vec_written >> v & 1))
				want[v] += b;
		for (unsigned m = 0; m < in->nmem; m++)
			if (in->mem[m].read)
				used[i - x->first][m] += in->mem[m].size;
	}
}

struct range {
	int64_t lo, hi;
};

static int
cmp_range(const void *a, const void *b)
{
	const struct range *x = a, *y = b;
	return (x->lo > y->lo) - (x->lo < y->lo);
}

/* Bytes covered by the union of the ranges (sorted in place). */
static int64_t
union_bytes(struct range *r, size_t n)
{
	if (!n)
		return 0;
	qsort(r, n, sizeof *r, cmp_range);
	int64_t total = 0, lo = r[0].lo, hi = r[0].hi;
	for (size_t i = 1; i < n; i++) {
		if (r[i].lo > hi) {
			total += hi - lo;
			lo = r[i].lo;
			hi = r[i].hi;
		} else if (r[i].hi > hi) {
			hi = r[i].hi;
		}
	}
	return total + hi - lo;
}

static char *
stream_expr(const struct lin *a, int64_t stride)
{
	struct ws_text t = {NULL};
	ws_textf(&t, "[");
	bool first = true;
	for (int r = 0; r < NSYM; r++) {
		if (!a->c[r])
			continue;
		if (a->c[r] == 1)
			ws_textf(&t, "%s%s", first ? "" : " + ", ws_gpr_name(r));
		else
			ws_textf(&t, "%s%" PRId64 "*%s", first ? "" : " + ", a->c[r], ws_gpr_name(r));
		first = false;
	}
	ws_textf(&t, "%s], %+" PRId64 " bytes per iteration", first ? "fixed" : "", stride);
	return t.s;
}

/* Group the accesses into streams and measure them. */
static void
streams(struct ws_mloop *o, const struct lin *addrs)
{
	struct range *rd = ws_xcalloc(o->nacc + 1, sizeof *rd);
	struct range *all = ws_xcalloc(o->nacc + 1, sizeof *all);
	struct range *wr = ws_xcalloc(o->nacc + 1, sizeof *wr);
	bool *done = ws_xcalloc(o->nacc + 1, sizeof *done);
	for (size_t i = 0; i < o->nacc; i++) {
		struct ws_maccess *a = &o->acc[i];
		a->stream = SIZE_MAX;
		if (done[i] || !a->known || a->stride == 0)
			continue;
		size_t nrd = 0, nwr = 0, nall = 0;
		double used_read = 0;
		struct ws_mstream s = {.stride = a->stride};
		for (size_t j = i; j < o->nacc; j++) {
			struct ws_maccess *b = &o->acc[j];
			if (done[j] || !b->known || b->stride != a->stride ||
			    !same_coefs(&addrs[i], &addrs[j]))
				continue;
			done[j] = true;
			b->stream = o->nstreams;
			struct range r = {addrs[j].k,
					  addrs[j].k + (int64_t)(b->size ? b->size : 8)};
			all[nall++] = r;
			s.accesses++;
			if (b->read) {
				rd[nrd++] = r;
				used_read += b->used;
				s.loads++;
			}
			if (b->write)
				s.stores++;
			if (b->write && !b->read)
				wr[nwr++] = r;
		}
		int64_t span_all = union_bytes(all, nall);
		int64_t reads = union_bytes(rd, nrd);
		/* written bytes that no load of the stream reads */
		int64_t written_only = 0;
		for (size_t w = 0; w < nwr; w++) {
			int64_t covered = 0;
			for (size_t q = 0; q < nrd; q++) {
				int64_t lo = wr[w].lo > rd[q].lo ? wr[w].lo : rd[q].lo;
				int64_t hi = wr[w].hi < rd[q].hi ? wr[w].hi : rd[q].hi;
				if (hi > lo)
					covered += hi - lo;
			}
			int64_t len = wr[w].hi - wr[w].lo;
			written_only += covered < len ? len - covered : 0;
		}
		double useful =
		    (used_read < (double)reads ? used_read : (double)reads) + (double)written_only;
		if (useful > (double)span_all)
			useful = (double)span_all;
		int64_t stride = a->stride < 0 ? -a->stride : a->stride;
		if (useful > (double)stride)
			useful = (double)stride;
		double fetched;
		int64_t lo = all[0].lo; /* all[] sorted by union_bytes */
		if (stride < WS_CACHE_LINE) {
			fetched = (double)stride;
		} else {
			/* the distinct lines the accesses touch, the lowest
			 * accessed byte taken as the start of a line (all[] is
			 * sorted by start) */
			int64_t lines = 0, last = -1;
			for (size_t q = 0; q < nall; q++) {
				int64_t first = (all[q].lo - lo) / WS_CACHE_LINE;
				int64_t end = (all[q].hi - 1 - lo) / WS_CACHE_LINE;
				if (first <= last)
					first = last + 1;
				if (end >= first)
					lines += end - first + 1;
				if (end > last)
					last = end;
			}
			int64_t max_lines = (stride + WS_CACHE_LINE - 1) / WS_CACHE_LINE;
			fetched = (double)(WS_CACHE_LINE * (lines < max_lines ? lines : max_lines));
			s.new_line = true;
			s.new_page = stride >= WS_PAGE;
		}
		s.useful = useful;
		s.fetched = fetched;
		s.expr = stream_expr(&addrs[i], a->stride);
		o->streams = ws_xrealloc(o->streams, (o->nstreams + 1) * sizeof *o->streams);
		o->streams[o->nstreams++] = s;
	}
	free(rd);
	free(all);
	free(wr);
	free(done);
}

/* The rate estimate: pairs of snapshots in one pass of the loop. */
static void
rate(const struct loopctx *x, struct ws_mloop *o)
{
	int ind = -1;
	for (int r = 0; r < NSYM && ind < 0; r++)
		if ((x->gpr_written >> r & 1) && x->delta_known[r] && x->delta[r] != 0 &&
		    x->end[r].known && x->end[r].c[r] == 1)
			ind = r;
	if (ind < 0 || x->nsnaps < 2)
		return;
	double *rates = ws_xcalloc(x->nsnaps + 1, sizeof *rates);
	size_t n = 0;
	for (size_t i = 0; i + 1 < x->nsnaps; i++) {
		const struct snap *a = x->snaps[i], *b = x->snaps[i + 1];
		if (a->t != b->t || a->s->stack != b->s->stack || b->s->time_ns <= a->s->time_ns)
			continue;
		bool same = true;
		for (int r = 0; r < NSYM && same; r++)
			if (!(x->gpr_written >> r & 1))
				same = a->s->regs[1 + r] == b->s->regs[1 + r];
		if (!same)
			continue;
		int64_t moved = (int64_t)(b->s->regs[1 + ind] - a->s->regs[1 + ind]);
		if (moved % x->delta[ind] != 0 || moved / x->delta[ind] < MIN_RATE_ITERATIONS)
			continue;
		double iterations = (double)(moved / x->delta[ind]);
		rates[n++] = iterations * 1e9 / (double)(b->s->time_ns - a->s->time_ns);
	}
	if (n) {
		qsort(rates, n, sizeof *rates, cmp_double);
		o->rate_pairs = n;
		o->iterations_per_s = rates[n / 2];
		o->bytes_per_s = o->iterations_per_s * o->fetched;
		o->flops_per_s = o->iterations_per_s * o->flops;
	}
	free(rates);
}

static int
cmp_snap_time(const void *a, const void *b)
{
	const struct snap *x = *(const struct snap *const *)a, *y = *(const struct snap *const *)b;
	if (x->t != y->t)
		return (uintptr_t)x->t < (uintptr_t)y->t ? -1 : 1;
	return (x->s->time_ns > y->s->time_ns) - (x->s->time_ns < y->s->time_ns);
}

static void
human_bytes(struct ws_text *t, double b)
{
	if (b >= 1e9)
		ws_textf(t, "%.1f GB", b / 1e9);
	else if (b >= 1e6)
		ws_textf(t, "%.1f MB", b / 1e6);
	else
		ws_textf(t, "%.0f kB", b / 1e3);
}

static char *
verdict(const struct ws_mloop *o, const char *function)
{
	struct ws_text t = {NULL};
	const struct ws_mstream *worst = NULL;
	for (size_t i = 0; i < o->nstreams; i++) {
		const struct ws_mstream *s = &o->streams[i];
		double r = s->useful > 0 ? s->fetched / s->useful : 0;
		double rw = worst && worst->useful > 0 ? worst->fetched / worst->useful : 0;
		if (!worst || r > rw || (r == rw && llabs(s->stride) > llabs(worst->stride)))
			worst = s;
	}
	switch (o->mclass) {
	case WS_MEM_NONE:
		ws_textf(&t, "no memory traffic: every access of this loop is at the same address "
			 "each iteration (registers, the stack, constants), so its data stays in "
			 "cache");
		break;
	case WS_MEM_UNKNOWN:
		ws_textf(&t, "unknown: no access of this loop has a stride this analysis can follow");
		if (o->nacc)
			ws_textf(&t, " (%s)", o->acc[0].why ? o->acc[0].why : "?");
		break;
	case WS_MEM_BOUND: {
		const char *what = worst->loads && !worst->stores   ? "load"
				   : worst->stores && !worst->loads ? "store"
								    : "access";
		int64_t st = llabs(worst->stride);
		double lines = worst->fetched / WS_CACHE_LINE;
		ws_textf(&t, "memory-bound: each %s of %s strides %" PRId64 " bytes (", what, function,
		     st);
		if (!worst->new_line)
			ws_textf(&t, "part of a cache line each iteration");
		else if (lines > 1.5)
			ws_textf(&t, "%.0f new cache lines each iteration", lines);
		else
			ws_textf(&t, "a new cache line each iteration");
		if (worst->new_page)
			ws_textf(&t, ", and a new 4 KiB page: a TLB miss each time");
		ws_textf(&t, ")");
		ws_textf(&t, ": %.0f of every %.0f bytes fetched are used", worst->useful,
		     worst->fetched);
		if (o->nstreams > 1)
			ws_textf(&t, "; the loop fetches %.1f bytes per useful byte", o->ratio);
		break;
	}
	case WS_MEM_CACHE_FRIENDLY:
		if (o->ratio <= 1.05)
			ws_textf(&t, "cache-friendly: contiguous, every fetched byte used");
		else
			ws_textf(&t, "cache-friendly: %.1f bytes fetched per useful byte", o->ratio);
		break;
	}
	if (o->mclass == WS_MEM_BOUND || o->mclass == WS_MEM_CACHE_FRIENDLY) {
		ws_textf(&t, "; %.0f bytes fetched and %.0f FLOP per iteration", o->fetched, o->flops);
		if (o->fetched > 0 && o->flops > 0)
			ws_textf(&t, " (%.3g FLOP/byte%s)", o->intensity,
			     o->intensity < 1 ? ": limited by memory bandwidth once the data "
						"outgrows the caches"
					      : "");
	}
	if (o->unknown)
		ws_textf(&t, "; %zu access%s of unknown stride", o->unknown,
		     o->unknown == 1 ? "" : "es");
	if (o->rate_pairs) {
		ws_textf(&t, "; estimated at least %.3g iterations/s, ", o->iterations_per_s);
		human_bytes(&t, o->bytes_per_s);
		ws_textf(&t, "/s fetched, %.3g GFLOP/s", o->flops_per_s / 1e9);
	}
	return t.s;
}

static double
flops_of(const struct ws_insn *in)
{
	if (in->cls != WS_INSN_FP_ARITH)
		return 0;
	double n = 1;
	if (in->packed && in->width)
		n = in->width / (in->elem == WS_ELEM_SINGLE ? 32.0 : 64.0);
	return in->fma ? 2 * n : n;
}

static void
analyse_loop(struct ws_symbolizer *sym, const struct fn *f, const struct ws_loops *k, int li,
	     uint64_t own_samples, struct ws_mloop *o)
{
	const struct ws_loop *l = &k->loops[li];
	struct loopctx x = {.k = k, .l = l, .li = li};
	x.first = ws_loops_insn_at(k, l->start);
	if (x.first < 0 || k->in[x.first].addr < l->start)
		x.first++;
	x.last = x.first;
	while ((size_t)x.last < k->n && k->in[x.last].addr < l->end)
		x.last++;
	for (long i = x.first; i < x.last; i++) {
		x.gpr_written |= k->in[i].gpr_written;
		x.vec_written |= k->in[i].vec_written;
	}
	/* the snapshots taken at the loop's own instructions, by thread and time */
	x.snaps = ws_xcalloc(f->nsnaps + 1, sizeof *x.snaps);
	for (size_t i = 0; i < f->nsnaps; i++) {
		long at = ws_loops_insn_at(k, f->snaps[i].file_pc);
		if (at >= x.first && at < x.last && own(&x, at))
			x.snaps[x.nsnaps++] = &f->snaps[i];
	}
	if (x.nsnaps > 1)
		qsort(x.snaps, x.nsnaps, sizeof *x.snaps, cmp_snap_time);
	snapshot_values(&x);

	size_t n = (size_t)(x.last - x.first);
	struct lin(*addr)[2] = ws_xcalloc(n + 1, sizeof *addr);
	double(*used)[2] = ws_xcalloc(n + 1, sizeof *used);
	run_iteration(&x, addr);
	deltas(&x);
	demand(&x, used);

	o->start = l->start;
	o->end = l->end;
	o->offset = l->start - f->code.file_start;
	o->depth = l->depth;
	o->innermost = !l->has_child;
	o->own_samples = own_samples;
	o->percent = ws_percent(own_samples, f->samples);
	o->snapshots = x.nsnaps;
	ws_loop_source(sym, f->proc, &f->code, k->in, k->n, l->start, l->end, &o->file,
		       &o->first_line, &o->last_line);
	o->acc = ws_xcalloc(2 * n + 1, sizeof *o->acc);
	struct lin *acc_addr = ws_xcalloc(2 * n + 1, sizeof *acc_addr);
	for (long i = x.first; i < x.last; i++) {
		if (!own(&x, i))
			continue;
		const struct ws_insn *in = &k->in[i];
		o->flops += flops_of(in);
		if (in->call)
			o->calls++;
		for (unsigned m = 0; m < in->nmem; m++) {
			const struct ws_memop *mo = &in->mem[m];
			struct ws_maccess *a = &o->acc[o->nacc];
			a->addr = in->addr;
			a->text = ws_xstrdup(in->text);
			a->size = mo->size;
			a->read = mo->read;
			a->write = mo->write;
			a->used = mo->read ? used[i - x.first][m] : mo->size;
			if (a->used > mo->size)
				a->used = mo->size;
			if (mo->base == WS_GPR_RIP && mo->index < 0) {
				a->known = true; /* a constant's address */
				a->stride = 0;
			} else {
				a->known =
				    stride_of(&x, &addr[i - x.first][m], &a->stride, &a->why);
			}
			acc_addr[o->nacc] = addr[i - x.first][m];
			if (!a->known)
				o->unknown++;
			if (a->read)
				o->loaded += mo->size;
			if (a->write)
				o->stored += mo->size;
			o->nacc++;
		}
	}
	streams(o, acc_addr);
	for (size_t s = 0; s < o->nstreams; s++) {
		o->useful += o->streams[s].useful;
		o->fetched += o->streams[s].fetched;
	}
	o->ratio = o->useful > 0 ? o->fetched / o->useful : 0;
	o->intensity = o->fetched > 0 ? o->flops / o->fetched : 0;
	bool page = false;
	for (size_t s = 0; s < o->nstreams; s++)
		page |= o->streams[s].new_page;
	if (o->nstreams && (o->ratio >= WS_MEMORY_BOUND_FETCHED || page))
		o->mclass = WS_MEM_BOUND;
	else if (o->nstreams)
		o->mclass = WS_MEM_CACHE_FRIENDLY;
	else if (o->unknown)
		o->mclass = WS_MEM_UNKNOWN;
	else
		o->mclass = WS_MEM_NONE;
	rate(&x, o);
	o->verdict = verdict(o, f->code.function);
	free(acc_addr);
	free(addr);
	free(used);
	free(x.snaps);
}

struct hot {
	int li;
	uint64_t own;
};

static int
cmp_hot(const void *a, const void *b)
{
	const struct hot *x = a, *y = b;
	if (x->own != y->own)
		return x->own > y->own ? -1 : 1;
	return (x->li > y->li) - (x->li < y->li);
}

static void
analyse(struct ws_disasm *d, struct ws_symbolizer *sym, const struct fn *f,
	struct ws_mfunction *out)
{
	struct ws_loops k;
	ws_loops_build(d, &f->code, MAX_CODE, &k);
	uint64_t *own = ws_xcalloc(k.nloops + 1, sizeof *own);
	for (size_t h = 0; h < f->nhits; h++) {
		long i = ws_loops_insn_at(&k, f->file_start + f->hits[h].off);
		if (i >= 0 && k.loop_of[i] >= 0)
			own[k.loop_of[i]] += f->hits[h].count;
	}
	struct hot *hot = ws_xcalloc(k.nloops + 1, sizeof *hot);
	size_t nhot = 0;
	for (size_t j = 0; j < k.nloops; j++)
		if (own[j] && (double)own[j] >= HOT_LOOP_SHARE * (double)f->samples)
			hot[nhot++] = (struct hot){(int)j, own[j]};
	qsort(hot, nhot, sizeof *hot, cmp_hot);
	if (nhot > MAX_HOT_LOOPS)
		nhot = MAX_HOT_LOOPS;
	out->nall_loops = k.nloops;
	out->loops = ws_xcalloc(nhot + 1, sizeof *out->loops);
	for (size_t j = 0; j < nhot; j++)
		analyse_loop(sym, f, &k, hot[j].li, hot[j].own, &out->loops[out->nloops++]);
	free(hot);
	free(own);
	ws_loops_free(&k);
}

int
ws_access_build(const struct wsr_profile *prof, const struct ws_filter *filter,
		struct ws_symbolizer *sym, size_t max_functions, double min_percent,
		struct ws_access *out, const char **why)
{
	memset(out, 0, sizeof *out);
	struct ws_disasm *d = ws_disasm_open(why);
	if (!d)
		return -1;
	out->samples = ws_filtered_samples(prof, filter);
	struct gather g = {0};
	for (size_t i = 0; i < prof->nprocs; i++) {
		const struct wsr_process *p = &prof->procs[i];
		for (size_t j = 0; j < p->nthreads; j++) {
			const struct wsr_thread *t = &p->threads[j];
			if (!ws_filter_thread(filter, p, t))
				continue;
			for (uint32_t s = 0; s < t->info.stack_count; s++) {
				const struct wsr_stack *st = &t->stacks[s];
				if (!st->count || !st->nframes)
					continue;
				uint64_t fa;
				struct fn *f = fn_for(&g, sym, p, st->ips[0], &fa, true);
				if (!f)
					continue;
				f->samples += st->count;
				if (f->nhits == f->hits_cap) {
					f->hits_cap = f->hits_cap ? 2 * f->hits_cap : 64;
					f->hits =
					    ws_xrealloc(f->hits, f->hits_cap * sizeof *f->hits);
				}
				f->hits[f->nhits].off = fa - f->file_start;
				f->hits[f->nhits++].count = st->count;
			}
		}
	}
	for (size_t i = 0; i < prof->nprocs; i++) {
		const struct wsr_process *p = &prof->procs[i];
		for (size_t j = 0; j < p->nthreads; j++) {
			const struct wsr_thread *t = &p->threads[j];
			if (!ws_filter_thread(filter, p, t))
				continue;
			out->snapshots += t->nregs;
			for (size_t s = 0; s < t->nregs; s++) {
				uint64_t fa;
				struct fn *f =
				    fn_for(&g, sym, p, t->regs[s].regs[WS_X86_RIP], &fa, false);
				if (!f)
					continue;
				if (f->nsnaps == f->snaps_cap) {
					f->snaps_cap = f->snaps_cap ? 2 * f->snaps_cap : 64;
					f->snaps =
					    ws_xrealloc(f->snaps, f->snaps_cap * sizeof *f->snaps);
				}
				f->snaps[f->nsnaps++] = (struct snap){t, &t->regs[s], fa};
			}
		}
	}
	if (!out->snapshots)
		out->no_snapshots =
		    "no register snapshots in this recording (recorded on another architecture "
		    "than x86_64, with WHYSLOW_REGS=0, or by an older whyslow): strides that "
		    "come from a register's value are unknown";
	if (g.n > 1)
		qsort(g.v, g.n, sizeof *g.v, cmp_fn);
	out->fns = ws_xcalloc(g.n + 1, sizeof *out->fns);
	for (size_t i = 0; i < g.n; i++) {
		const struct fn *f = g.v[i];
		if (max_functions && out->nfns >= max_functions)
			break;
		double pct = ws_percent(f->samples, out->samples);
		if (pct < min_percent)
			break;
		struct ws_mfunction *o = &out->fns[out->nfns++];
		o->function = f->code.function;
		o->module = f->module;
		o->samples = f->samples;
		o->percent = pct;
		o->snapshots = f->nsnaps;
		analyse(d, sym, f, o);
	}
	for (size_t i = 0; i < g.n; i++) {
		free(g.v[i]->hits);
		free(g.v[i]->snaps);
		free(g.v[i]);
	}
	free(g.v);
	ws_disasm_close(d);
	return 0;
}

void
ws_access_free(struct ws_access *a)
{
	for (size_t i = 0; i < a->nfns; i++) {
		struct ws_mfunction *f = &a->fns[i];
		for (size_t j = 0; j < f->nloops; j++) {
			struct ws_mloop *l = &f->loops[j];
			for (size_t k = 0; k < l->nacc; k++)
				free(l->acc[k].text);
			free(l->acc);
			for (size_t k = 0; k < l->nstreams; k++)
				free(l->streams[k].expr);
			free(l->streams);
			free(l->verdict);
		}
		free(f->loops);
		free(f->why_not);
	}
	free(a->fns);
	memset(a, 0, sizeof *a);
}

const struct ws_mfunction *
ws_access_function(const struct ws_access *a, const char *pattern)
{
	for (size_t i = 0; a && i < a->nfns; i++) {
		const struct ws_mfunction *f = &a->fns[i];
		if (!f->nloops)
			continue;
		if (!strcmp(f->function, pattern) || !fnmatch(pattern, f->function, 0))
			return f;
	}
	return NULL;
}
