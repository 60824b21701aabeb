/* Folded stacks for flamegraph.pl and speedscope (see export.h). */
#include "config.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "export.h"
#include "hmap.h"
#include "util.h"

struct folded {
	char *stack;
	uint64_t count;
};

struct folded_state {
	struct ws_hmap map;
	struct folded **v;
	size_t n;
	char *buf;
	size_t cap;
};

static void
append(struct folded_state *s, size_t *len, const char *text, size_t n)
{
	if (*len + n + 1 > s->cap) {
		s->cap = (*len + n + 1) * 2;
		s->buf = ws_xrealloc(s->buf, s->cap);
	}
	memcpy(s->buf + *len, text, n);
	*len += n;
	s->buf[*len] = '\0';
}

static void
append_name(struct folded_state *s, size_t *len, const struct ws_frame *fr)
{
	size_t start = *len;
	append(s, len, fr->function, strlen(fr->function));
	for (size_t i = start; i < *len; i++) {
		if (s->buf[i] == ';')
			s->buf[i] = ':';
		else if (s->buf[i] == '\n' || s->buf[i] == '\r')
			s->buf[i] = ' ';
	}
	if (fr->inlined)
		append(s, len, "_[i]", 4);
}

static bool
folded_eq(const void *entry, const void *key)
{
	return !strcmp(((const struct folded *)entry)->stack, key);
}

static void
add_stack(void *arg, const struct wsr_process *p, const struct wsr_thread *t,
	  const struct wsr_stack *st, const struct ws_chain *c)
{
	struct folded_state *s = arg;
	size_t len = 0;
	append(s, &len, "", 0);
	for (size_t i = c->n; i-- > 0;) {
		append_name(s, &len, c->frames[i]);
		if (i)
			append(s, &len, ";", 1);
	}
	uint64_t h = ws_hash_bytes(s->buf, len, 0);
	struct folded *e = ws_hmap_find(&s->map, h, folded_eq, s->buf);
	if (!e) {
		e = ws_xmalloc(sizeof *e);
		e->stack = ws_xstrdup(s->buf);
		e->count = 0;
		ws_hmap_insert(&s->map, h, e);
		if ((s->n & (s->n - 1)) == 0) /* doubling at powers of two */
			s->v = ws_xrealloc(s->v, (s->n ? 2 * s->n : 1) * sizeof *s->v);
		s->v[s->n++] = e;
	}
	e->count += st->count;
}

static int
cmp_folded(const void *a, const void *b)
{
	return strcmp((*(struct folded *const *)a)->stack, (*(struct folded *const *)b)->stack);
}

int
ws_export_folded(FILE *f, const struct wsr_profile *prof, const struct ws_filter *filter,
		 struct ws_symbolizer *sym, struct ws_error *err)
{
	struct folded_state s = {0};
	ws_hmap_init(&s.map);
	ws_for_each_stack(prof, filter, sym, add_stack, &s);
	if (s.n > 1)
		qsort(s.v, s.n, sizeof *s.v, cmp_folded);
	for (size_t i = 0; i < s.n; i++) {
		fprintf(f, "%s %" PRIu64 "\n", s.v[i]->stack, s.v[i]->count);
		free(s.v[i]->stack);
		free(s.v[i]);
	}
	free(s.v);
	free(s.buf);
	ws_hmap_free(&s.map);
	if (fflush(f) || ferror(f)) {
		snprintf(err->msg, sizeof err->msg, "writing the folded stacks failed");
		return -1;
	}
	return 0;
}
