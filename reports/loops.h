/* Machine code of one function and its loops, for the analyses that look
 * at hot loops (access.h, vector.h).
 *
 * Definitions:
 *  - The code is disassembled linearly from the function's first byte;
 *    a byte that is not an instruction is skipped (padding, data).
 *  - A loop is the address range [target, end of branch) of a backward
 *    jump inside the function (jumps to the same target make one loop);
 *    loops nest by containment: a loop's parent is the smallest other loop
 *    that contains it; depth 1 is a loop inside no other.
 *  - An instruction belongs to the innermost (smallest) loop that contains
 *    it: the loop's own instructions.
 *
 * Contract: pure functions of the code; the tables own their memory (free
 * with ws_loops_free).
 */
#ifndef WHYSLOW_LOOPS_H
#define WHYSLOW_LOOPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "disasm.h"
#include "symbolize.h"

struct ws_loop {
	uint64_t start, end; /* file addresses, [start, end) */
	int parent;	     /* index, -1: none */
	unsigned depth;
	bool has_child;
};

struct ws_loops {
	struct ws_insn *in; /* the function's instructions, by address */
	size_t n;
	struct ws_loop *loops; /* by start, outer first */
	size_t nloops;
	int *loop_of; /* each instruction's innermost loop, -1: none */
};

/* Disassemble at most max_code bytes of c and find its loops. */
void ws_loops_build(struct ws_disasm *d, const struct ws_code *c, size_t max_code,
		    struct ws_loops *out);
/* The instruction that holds file address a (the last one at or before
 * it), or -1. */
long ws_loops_insn_at(const struct ws_loops *k, uint64_t a);
void ws_loops_free(struct ws_loops *k);

/* A loop's source lines, for the vector and memory reports: the innermost
 * file:line of each of the instructions in[0..n) whose file address lies
 * in [start, end) (code c, run in process p); *file is the file most of
 * them have (NULL: none has a line), *first and *last the lowest and
 * highest line in it. */
void ws_loop_source(struct ws_symbolizer *sym, const struct wsr_process *p, const struct ws_code *c,
		    const struct ws_insn *in, size_t n, uint64_t start, uint64_t end,
		    const char **file, unsigned *first, unsigned *last);

#endif
