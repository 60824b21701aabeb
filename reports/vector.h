/* The vectorisation analysis behind `whyslow report --vector` (issue 4):
 * for the hottest functions and their hottest loops, how much of the
 * floating-point work runs in SIMD instructions, how wide, with FMA or
 * not, how the code was compiled (DW_AT_producer), what the compiler said
 * about the loop (its optimisation record, when there is one), and a
 * verdict in plain words.
 *
 * Definitions:
 *  - A function is what the symbol table (else DWARF) calls one: inlined
 *    functions count in the function they were inlined into.  Its samples
 *    are the samples whose innermost address (the sampled instruction, not
 *    a return address) lies in it.
 *  - A loop is the address range [target, end of branch) of a backward
 *    jump inside the function (jumps to the same target make one loop);
 *    loops nest by containment.  A sample belongs to the innermost loop
 *    that contains it; a loop's own instructions are those not inside a
 *    loop nested in it.
 *  - Instruction classes are disasm.h's.  "FP arithmetic" is what is
 *    counted as scalar or packed; moves, shuffles and conversions are not.
 *  - Static mix: every instruction once.  Sampled mix: a sample in a loop
 *    counts as one pass over the loop's own instructions (each weighs
 *    1 / their number), a sample outside any loop as the one instruction
 *    at its address; so loops weigh by where the time went, and a handful
 *    of samples suffices.
 *  - packed_percent = packed FP arithmetic / all FP arithmetic of the
 *    sampled mix (0 when there is none); vector_bits = the widest packed
 *    FP arithmetic instruction of the sampled mix (0: none).
 *  - Class: no-fp (no FP arithmetic in the sampled mix), scalar (packed
 *    < 25 %), vectorised (>= 75 %), partly (in between).
 *  - Hot loops: the loops holding at least 10 % of the function's samples
 *    as their own, at most three, by own samples.
 *  - Each loop's source lines: the innermost file:line of each of its
 *    instructions; the loop's file is the one most of them have, its
 *    range the lowest to the highest line in that file.
 *  - The verdict is computed from these facts, the producer (producer.h),
 *    the remarks (optrecord.h) and this machine's ISA (machine_isa.h: the
 *    machine running the report, not necessarily the recording one).
 *
 * Contract: a function of the profile, the filter and the symboliser (which
 * reads the module files), that also reads the optimisation records it
 * finds (optrecord.h) and this CPU's cpuid; nothing is printed.  Tables own
 * their memory except strings from the symboliser, which must outlive
 * them.
 */
#ifndef WHYSLOW_VECTOR_H
#define WHYSLOW_VECTOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analysis.h"
#include "disasm.h"
#include "machine_isa.h"
#include "producer.h"

/* Instruction counts by class: weights (sampled) or counts (static). */
struct ws_mix {
	double instructions;
	double scalar[3]; /* FP arithmetic, scalar: single, double, x87 */
	double packed[2]; /* FP arithmetic, packed: single, double */
	double width[3];  /* packed FP arithmetic at 128, 256, 512 bits */
	double fma;	  /* FMA instructions (scalar or packed) */
	double fp_other;  /* FP moves, shuffles, conversions, compares */
	double int_simd;  /* integer SIMD */
	double calls;	  /* call instructions */
};

enum ws_vclass { WS_VEC_NO_FP, WS_VEC_SCALAR, WS_VEC_PARTLY, WS_VEC_VECTORISED };

/* The summary of a mix. */
struct ws_vfacts {
	double fp;	       /* FP arithmetic (scalar + packed) */
	double packed_percent; /* of fp */
	unsigned vector_bits;  /* widest packed width with weight; 0: none */
	enum ws_elem elem;     /* the element type with most FP weight */
	bool fma;	       /* FMA with weight */
	enum ws_vclass vclass;
};

struct ws_vremark {
	const char *kind; /* "missed", "passed", "analysis" */
	char *file;	  /* as the record names it */
	unsigned line;
	char *text;
};

struct ws_vloop {
	uint64_t start, end; /* addresses in the module file [start, end) */
	uint64_t offset;     /* start - the function's start */
	unsigned depth;	     /* 1: not inside another loop */
	bool innermost;	     /* no loop inside it */
	const char *file;    /* its source file (see above); NULL */
	unsigned first_line, last_line;
	uint64_t samples;	     /* in it, inner loops included */
	uint64_t own_samples;	     /* whose innermost loop it is */
	double percent;		     /* own_samples of the function's samples */
	struct ws_mix sampled, stat; /* of its own instructions */
	struct ws_vfacts facts;	     /* of sampled */
	char *verdict;
	struct ws_vremark *remarks; /* from the optimisation record */
	size_t nremarks;
};

struct ws_vfunction {
	const char *function, *module;
	const char *file; /* where it is declared (DWARF), or NULL */
	unsigned line;
	uint64_t samples; /* self samples, as defined above */
	double percent, error;
	char *why_not;	      /* set when it could not be analysed (the rest is empty) */
	uint64_t start, size; /* in the module file */
	bool have_producer;
	struct ws_producer producer;
	const char *source;	     /* the CU's source file (DW_AT_name); NULL */
	struct ws_mix sampled, stat; /* the whole function */
	struct ws_vfacts facts;	     /* of sampled */
	char *verdict;		     /* for the function as a whole */
	struct ws_vloop *loops;	     /* the hot loops, by own samples */
	size_t nloops, nall_loops;   /* shown, and all loops found */
	char *opt_record;	     /* the optimisation record read; NULL */
	char *opt_record_hint;	     /* when none was found: how to get one */
};

struct ws_vector {
	uint64_t samples; /* the filtered total */
	struct ws_machine_isa cpu;
	struct ws_vfunction *fns; /* by samples, then name */
	size_t nfns, nfunctions;  /* shown, and functions with samples */
	uint64_t unanalysed;	  /* samples in functions that could not be read */
};

/* max_functions: at most this many functions (0: every function with
 * samples), each with at least min_percent of the samples.  Returns 0, or
 * -1 with *why set (static text) when there is no disassembler (built
 * without capstone). */
int ws_vector_build(const struct wsr_profile *prof, const struct ws_filter *f,
		    struct ws_symbolizer *sym, size_t max_functions, double min_percent,
		    struct ws_vector *out, const char **why);
void ws_vector_free(struct ws_vector *v);

const char *ws_vclass_name(enum ws_vclass c); /* "no-fp", "scalar", "partly", "vectorised" */
const char *ws_elem_name(enum ws_elem e);     /* "single", "double", "x87", "none" */

#endif
