/* whyslow report --python (docs/python.md): the Python functions, lines
 * and call stacks of the threads whose samples found Python frames
 * (WS_REC_PYSTACKS), each row's time split into interpreter time (the
 * sampled instruction was in the interpreter's own object) and native time
 * (it was in an extension module or a library called from Python).
 *
 * ws_python_build() is a pure function of the loaded profile. */
#ifndef WHYSLOW_PYTHON_REPORT_H
#define WHYSLOW_PYTHON_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analysis.h"
#include "profile.h"

struct ws_py_row {
	char *function; /* qualified name */
	char *file;
	int32_t line;	 /* the line (lines), the first line (functions), -1: unknown */
	uint64_t self;	 /* periods with this innermost Python frame */
	uint64_t total;	 /* periods with it anywhere on the Python stack (functions) */
	uint64_t native; /* of self: outside the interpreter's object */
	char *stack;	 /* stacks: "outer;...;inner" (function:line), else NULL */
};

struct ws_python {
	uint64_t samples;			  /* every sample of the filtered threads */
	uint64_t py_samples;			  /* those that found Python frames */
	uint64_t py_native;			  /* of those, outside the interpreter's object */
	size_t threads;				  /* filtered threads with Python frames */
	uint32_t py_version;			  /* Py_Version of the first of them, 0: none */
	double seconds_per_sample;		  /* 1 / requested rate */
	struct ws_py_row *funcs, *lines, *stacks; /* by self (stacks: periods) */
	size_t nfuncs, nlines, nstacks;
};

/* The hottest `top` rows of each table (0: all). */
void ws_python_build(const struct wsr_profile *prof, const struct ws_filter *f, size_t top,
		     struct ws_python *out);
void ws_python_free(struct ws_python *py);
/* For ws_for_each_stack(): calls fn for every stack of thread t with its
 * Python frames merged in where the interpreter ran them: each Python
 * stack (with the count of the samples that had it) expands its native
 * stack, and the group of Python frames up to each entry frame goes just
 * inside the matching _PyEval_EvalFrameDefault, innermost with innermost;
 * the native stack's samples without Python frames come as they are.  The
 * wsr_stack passed is a copy of the native one with that count. */
struct ws_symbolizer;
struct ws_chain;
void ws_python_merged_stacks(struct ws_symbolizer *sym, const struct wsr_process *p,
			     const struct wsr_thread *t, ws_stack_fn fn, void *arg,
			     struct ws_chain *c);
/* Python stack j of thread t (its py table) merged into native, the
 * symbolised chain of its native stack (t->py->native[j]), into out: one
 * sample of the timeline (t->py_samples), as ws_python_merged_stacks
 * merges a stack of the table. */
void ws_python_merge_stack(struct ws_symbolizer *sym, const struct wsr_thread *t, uint32_t j,
			   const struct ws_chain *native, struct ws_chain *out);
/* Set by whyslow report --no-python-merge: native stacks only. */
extern bool ws_python_no_merge;

/* The source line of instruction `lasti` (code units) from CPython 3.11's
 * location table, or -1. */
int32_t ws_py_addr2line(const uint8_t *lt, uint32_t len, int32_t firstlineno, uint32_t lasti);

#endif
