/* The top-down call tree (see analysis.h). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "analysis.h"
#include "hmap.h"
#include "util.h"

struct tnode {
	const struct tnode *parent;
	const char *function, *module;
	bool inlined;
	const char *file;
	unsigned line;
	uint64_t self, total;
	struct tnode **kids;
	size_t nkids, kids_cap;
};

struct tree_state {
	struct ws_hmap map; /* by (parent, function, module, inlined) */
	struct tnode root;
	struct tnode **all;
	size_t nall, all_cap;
};

struct tkey {
	const struct tnode *parent;
	const struct ws_frame *fr;
};

static bool
tnode_eq(const void *entry, const void *key)
{
	const struct tnode *n = entry;
	const struct tkey *k = key;
	return n->parent == k->parent && n->function == k->fr->function &&
	       n->module == k->fr->module && n->inlined == k->fr->inlined;
}

static struct tnode *
child(struct tree_state *s, struct tnode *parent, const struct ws_frame *fr)
{
	struct tkey k = {parent, fr};
	uint64_t h =
	    ws_hash_ptr(parent, ws_hash_ptr(fr->function, ws_hash_ptr(fr->module, fr->inlined)));
	struct tnode *n = ws_hmap_find(&s->map, h, tnode_eq, &k);
	if (n)
		return n;
	n = ws_xcalloc(1, sizeof *n);
	n->parent = parent;
	n->function = fr->function;
	n->module = fr->module;
	n->inlined = fr->inlined;
	n->file = fr->decl_file;
	n->line = fr->decl_line;
	ws_hmap_insert(&s->map, h, n);
	/* geometric growth: a tree of millions of nodes (hundreds of ranks'
	 * stacks merged) must not copy its arrays at every insertion */
	if (parent->nkids == parent->kids_cap) {
		parent->kids_cap = parent->kids_cap ? 2 * parent->kids_cap : 4;
		parent->kids = ws_xrealloc(parent->kids, parent->kids_cap * sizeof *parent->kids);
	}
	parent->kids[parent->nkids++] = n;
	if (s->nall == s->all_cap) {
		s->all_cap = s->all_cap ? 2 * s->all_cap : 1024;
		s->all = ws_xrealloc(s->all, s->all_cap * sizeof *s->all);
	}
	s->all[s->nall++] = n;
	return n;
}

static void
add_stack(void *arg, const struct wsr_process *p, const struct wsr_thread *t,
	  const struct wsr_stack *st, const struct ws_chain *c)
{
	struct tree_state *s = arg;
	struct tnode *n = &s->root;
	n->total += st->count;
	for (size_t i = c->n; i-- > 0;) {
		n = child(s, n, c->frames[i]);
		n->total += st->count;
	}
	n->self += st->count;
}

static int
cmp_node(const void *a, const void *b)
{
	const struct ws_tree_node *x = a, *y = b;
	if (x->total != y->total)
		return x->total > y->total ? -1 : 1;
	if (x->self != y->self)
		return x->self > y->self ? -1 : 1;
	int c = strcmp(x->function, y->function);
	return c ? c : strcmp(x->module, y->module);
}

static void
convert(const struct tnode *n, uint64_t samples, double min_percent, struct ws_tree_node *out)
{
	out->function = n->function;
	out->module = n->module;
	out->inlined = n->inlined;
	out->file = n->file;
	out->line = n->line;
	out->self = n->self;
	out->total = n->total;
	out->self_percent = ws_percent(n->self, samples);
	out->total_percent = ws_percent(n->total, samples);
	out->children = ws_xcalloc(n->nkids, sizeof *out->children);
	out->nchildren = 0;
	out->hidden = 0;
	for (size_t i = 0; i < n->nkids; i++) {
		if (ws_percent(n->kids[i]->total, samples) < min_percent) {
			out->hidden++;
			continue;
		}
		convert(n->kids[i], samples, min_percent, &out->children[out->nchildren++]);
	}
	qsort(out->children, out->nchildren, sizeof *out->children, cmp_node);
}

void
ws_tree_build(const struct wsr_profile *prof, const struct ws_filter *f, struct ws_symbolizer *sym,
	      double min_percent, struct ws_tree *out)
{
	struct tree_state s = {0};
	ws_hmap_init(&s.map);
	s.root.function = "[root]";
	s.root.module = "";
	ws_for_each_stack(prof, f, sym, add_stack, &s);
	memset(out, 0, sizeof *out);
	convert(&s.root, s.root.total, min_percent, &out->root);
	out->root.total_percent = s.root.total ? 100.0 : 0.0;
	free(s.root.kids);
	for (size_t i = 0; i < s.nall; i++) {
		free(s.all[i]->kids);
		free(s.all[i]);
	}
	free(s.all);
	ws_hmap_free(&s.map);
}

static void
free_node(struct ws_tree_node *n)
{
	for (size_t i = 0; i < n->nchildren; i++)
		free_node(&n->children[i]);
	free(n->children);
}

void
ws_tree_free(struct ws_tree *t)
{
	free_node(&t->root);
	memset(t, 0, sizeof *t);
}
