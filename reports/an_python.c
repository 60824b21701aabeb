/* whyslow report --python: tables from the Python stacks (python_report.h). */
#include "config.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hmap.h"
#include "python_report.h"
#include "symbolize.h"
#include "util.h"

static uint32_t
varint(const uint8_t *lt, uint32_t len, uint32_t *i)
{
	uint32_t v = 0, shift = 0;
	while (*i < len) {
		uint8_t b = lt[(*i)++];
		if (shift < 32)
			v |= (uint32_t)(b & 63) << shift;
		shift += 6;
		if (!(b & 64))
			break;
	}
	return v;
}

static int32_t
svarint(const uint8_t *lt, uint32_t len, uint32_t *i)
{
	uint32_t u = varint(lt, len, i);
	return (u & 1) ? -(int32_t)(u >> 1) : (int32_t)(u >> 1);
}

/* CPython 3.11's co_linetable (Objects/locations.md): entries of one
 * header byte (1, code:4, length-1:3) and their operands. */
int32_t
ws_py_addr2line(const uint8_t *lt, uint32_t len, int32_t firstlineno, uint32_t lasti)
{
	int64_t line = firstlineno;
	uint64_t addr = 0;
	uint32_t i = 0;
	while (i < len) {
		uint8_t b = lt[i++];
		unsigned code = (b >> 3) & 15, n = (b & 7) + 1;
		bool none = false;
		if (code == 15) {
			none = true;
		} else if (code == 14) {
			line += svarint(lt, len, &i);
			varint(lt, len, &i);
			varint(lt, len, &i);
			varint(lt, len, &i);
		} else if (code == 13) {
			line += svarint(lt, len, &i);
		} else if (code >= 10) {
			line += code - 10;
			i += 2;
		} else {
			i += 1;
		}
		if (lasti >= addr && lasti < addr + n)
			return none || line < 0 || line > INT32_MAX ? -1 : (int32_t)line;
		addr += n;
	}
	return -1;
}

struct entry {
	char *key;
	size_t idx;
};

struct acc {
	struct ws_py_row *rows;
	size_t n, cap;
	struct ws_hmap map;
};

static bool
entry_eq(const void *e, const void *key)
{
	return !strcmp(((const struct entry *)e)->key, key);
}

static struct ws_py_row *
row_for(struct acc *a, const char *fn, const char *file, int32_t line, const char *stack)
{
	char *key = ws_xasprintf("%s\x1f%s\x1f%d\x1f%s", fn, file, line, stack ? stack : "");
	uint64_t h = ws_hash_bytes(key, strlen(key), 0);
	struct entry *e = ws_hmap_find(&a->map, h, entry_eq, key);
	if (e) {
		free(key);
		return &a->rows[e->idx];
	}
	if (a->n == a->cap) {
		a->cap = a->cap ? 2 * a->cap : 64;
		a->rows = ws_xrealloc(a->rows, a->cap * sizeof *a->rows);
	}
	e = ws_xmalloc(sizeof *e);
	*e = (struct entry){key, a->n};
	ws_hmap_insert(&a->map, h, e);
	struct ws_py_row *r = &a->rows[a->n++];
	*r = (struct ws_py_row){
	    ws_xstrdup(fn), ws_xstrdup(file), line, 0, 0, 0, stack ? ws_xstrdup(stack) : NULL};
	return r;
}

static int
by_self(const void *x, const void *y)
{
	const struct ws_py_row *a = x, *b = y;
	if (a->self != b->self)
		return a->self < b->self ? 1 : -1;
	int c = strcmp(a->function, b->function);
	return c ? c : (a->line > b->line) - (a->line < b->line);
}

static void
finish(struct acc *a, size_t top, struct ws_py_row **rows, size_t *n)
{
	qsort(a->rows, a->n, sizeof *a->rows, by_self);
	if (top && a->n > top) {
		for (size_t i = top; i < a->n; i++) {
			free(a->rows[i].function);
			free(a->rows[i].file);
			free(a->rows[i].stack);
		}
		a->n = top;
	}
	for (size_t i = 0; i < a->map.cap; i++)
		if (a->map.entries && a->map.entries[i]) {
			free(((struct entry *)a->map.entries[i])->key);
			free(a->map.entries[i]);
		}
	ws_hmap_free(&a->map);
	*rows = a->rows;
	*n = a->n;
}

static void
stack_text(const struct wsr_python *py, const struct wsr_stack *s, char **out)
{
	size_t cap = 256, len = 0;
	char *b = ws_xmalloc(cap);
	b[0] = '\0';
	for (uint32_t k = s->nframes; k-- > 0;) {
		const struct wsr_pycode *c = &py->codes[s->ips[k] >> 32];
		int32_t line = ws_py_addr2line(c->linetable, c->linetable_len, c->firstlineno,
					       (uint32_t)s->ips[k] & 0x7fffffffu);
		char *fr = ws_xasprintf("%s%s:%d", len ? ";" : "", *c->name ? c->name : "?", line);
		size_t fl = strlen(fr);
		if (len + fl + 1 > cap) {
			cap = 2 * (len + fl + 1);
			b = ws_xrealloc(b, cap);
		}
		memcpy(b + len, fr, fl + 1);
		len += fl;
		free(fr);
	}
	*out = b;
}

void
ws_python_build(const struct wsr_profile *prof, const struct ws_filter *f, size_t top,
		struct ws_python *out)
{
	*out = (struct ws_python){0};
	struct acc fa = {0}, la = {0}, sa = {0};
	ws_hmap_init(&fa.map);
	ws_hmap_init(&la.map);
	ws_hmap_init(&sa.map);
	for (size_t i = 0; i < prof->nprocs; i++) {
		const struct wsr_process *p = &prof->procs[i];
		if (!out->seconds_per_sample && p->info.requested_hz)
			out->seconds_per_sample = 1.0 / p->info.requested_hz;
		for (size_t j = 0; j < p->nthreads; j++) {
			const struct wsr_thread *t = &p->threads[j];
			if (!ws_filter_thread(f, p, t))
				continue;
			out->samples += ws_thread_samples(t);
			const struct wsr_python *py = t->py;
			if (!py || !py->samples)
				continue;
			out->threads++;
			if (!out->py_version)
				out->py_version = py->py_version;
			for (uint32_t s = 0; s < py->nstacks; s++) {
				const struct wsr_stack *st = &py->stacks[s];
				if (!st->count)
					continue;
				bool native = st->flags & WS_PYSTK_NATIVE;
				out->py_samples += st->count;
				out->py_native += native ? st->count : 0;
				for (uint32_t k = 0; k < st->nframes; k++) {
					uint32_t ci = (uint32_t)(st->ips[k] >> 32);
					const struct wsr_pycode *c = &py->codes[ci];
					bool seen = false; /* recursion: count a function once */
					for (uint32_t m = 0; m < k && !seen; m++) {
						const struct wsr_pycode *d =
						    &py->codes[st->ips[m] >> 32];
						seen = d == c || (!strcmp(d->name, c->name) &&
								  !strcmp(d->file, c->file) &&
								  d->firstlineno == c->firstlineno);
					}
					struct ws_py_row *r =
					    row_for(&fa, c->name, c->file, c->firstlineno, NULL);
					if (!seen)
						r->total += st->count;
					if (k == 0) {
						r->self += st->count;
						r->native += native ? st->count : 0;
						int32_t line = ws_py_addr2line(
						    c->linetable, c->linetable_len, c->firstlineno,
						    (uint32_t)st->ips[0] & 0x7fffffffu);
						struct ws_py_row *l =
						    row_for(&la, c->name, c->file, line, NULL);
						l->self += st->count;
						l->total += st->count;
						l->native += native ? st->count : 0;
					}
				}
				char *text;
				stack_text(py, st, &text);
				struct ws_py_row *r = row_for(&sa, "", "", 0, text);
				free(text);
				r->self += st->count;
				r->total += st->count;
				r->native += native ? st->count : 0;
			}
		}
	}
	finish(&fa, top, &out->funcs, &out->nfuncs);
	finish(&la, top, &out->lines, &out->nlines);
	finish(&sa, top, &out->stacks, &out->nstacks);
}

void
ws_python_free(struct ws_python *py)
{
	struct ws_py_row *t[3] = {py->funcs, py->lines, py->stacks};
	size_t n[3] = {py->nfuncs, py->nlines, py->nstacks};
	for (int k = 0; k < 3; k++) {
		for (size_t i = 0; i < n[k]; i++) {
			free(t[k][i].function);
			free(t[k][i].file);
			free(t[k][i].stack);
		}
		free(t[k]);
	}
	*py = (struct ws_python){0};
}

bool ws_python_no_merge;

static bool
is_eval(const struct ws_frame *f)
{
	return !strcmp(f->function, "_PyEval_EvalFrameDefault");
}

/* c (native, innermost first) with the Python stack s merged in, into m. */
static void
merge(struct ws_symbolizer *sym, const struct wsr_python *py, const struct wsr_stack *s,
      const struct ws_chain *c, struct ws_chain *m)
{
	size_t need = c->n + s->nframes;
	if (m->cap < need) {
		m->cap = 2 * need;
		m->frames = ws_xrealloc(m->frames, m->cap * sizeof *m->frames);
	}
	m->n = 0;
	uint32_t k = 0; /* next Python frame */
	for (size_t i = 0; i < c->n; i++) {
		if (is_eval(c->frames[i])) {
			while (k < s->nframes) {
				uint64_t w = s->ips[k++];
				const struct wsr_pycode *code = &py->codes[w >> 32];
				int32_t line =
				    ws_py_addr2line(code->linetable, code->linetable_len,
						    code->firstlineno, (uint32_t)w & 0x7fffffffu);
				m->frames[m->n++] = ws_symbolize_python(sym, code->name, code->file,
									line, code->firstlineno);
				if (w & (1u << 31))
					break; /* an entry frame: this activation's last */
			}
		}
		m->frames[m->n++] = c->frames[i];
	}
	/* Python frames whose evaluation loop the native stack lost (cut off
	 * by the depth limit or an unwinding error): outermost. */
	while (k < s->nframes) {
		uint64_t w = s->ips[k++];
		const struct wsr_pycode *code = &py->codes[w >> 32];
		int32_t line = ws_py_addr2line(code->linetable, code->linetable_len,
					       code->firstlineno, (uint32_t)w & 0x7fffffffu);
		m->frames[m->n++] =
		    ws_symbolize_python(sym, code->name, code->file, line, code->firstlineno);
	}
}

void
ws_python_merge_stack(struct ws_symbolizer *sym, const struct wsr_thread *t, uint32_t j,
		      const struct ws_chain *native, struct ws_chain *out)
{
	merge(sym, t->py, &t->py->stacks[j], native, out);
}

void
ws_python_merged_stacks(struct ws_symbolizer *sym, const struct wsr_process *p,
			const struct wsr_thread *t, ws_stack_fn fn, void *arg, struct ws_chain *c)
{
	const struct wsr_python *py = t->py;
	uint32_t n = t->info.stack_count;
	/* the Python stacks of each native stack, by counting sort */
	uint32_t *first = ws_xcalloc((size_t)n + 2, sizeof *first);
	uint32_t *order = ws_xcalloc((size_t)py->nstacks + 1, sizeof *order);
	for (uint32_t j = 0; j < py->nstacks; j++)
		first[py->native[j] + 1]++;
	for (uint32_t k = 0; k < n; k++)
		first[k + 1] += first[k];
	uint32_t *fill = ws_xcalloc((size_t)n + 1, sizeof *fill);
	for (uint32_t j = 0; j < py->nstacks; j++) {
		uint32_t k = py->native[j];
		order[first[k] + fill[k]++] = j;
	}
	struct ws_chain m = {0};
	for (uint32_t k = 0; k < n; k++) {
		const struct wsr_stack *st = &t->stacks[k];
		if (!st->count)
			continue;
		ws_symbolize_stack(sym, p, st, c);
		uint64_t rest = st->count;
		for (uint32_t q = first[k]; q < first[k + 1]; q++) {
			const struct wsr_stack *ps = &py->stacks[order[q]];
			uint64_t cnt = ps->count < rest ? ps->count : rest;
			if (!cnt)
				continue;
			rest -= cnt;
			struct wsr_stack copy = *st;
			copy.count = cnt;
			merge(sym, py, ps, c, &m);
			fn(arg, p, t, &copy, &m);
		}
		if (rest) {
			struct wsr_stack copy = *st;
			copy.count = rest;
			fn(arg, p, t, &copy, c);
		}
	}
	ws_chain_free(&m);
	free(first);
	free(order);
	free(fill);
}
