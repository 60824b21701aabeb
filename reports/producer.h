/* What a compilation unit's DW_AT_producer says about how it was built:
 * compiler, version, -O level, -march/-mtune, the vectoriser's switches,
 * -ffast-math and the vector ISA flags (for the vectorisation report).
 *
 * Formats understood:
 *   as     "GNU AS 2.40": hand-written assembly
 *   GCC    "GNU C17 12.2.0 -march=x86-64 -mtune=generic -g -O2 ..." (the
 *          flags are there by default, -grecord-gcc-switches; -march=native
 *          is recorded expanded into -march=CPU -mavx2 -mno-avx512f ...)
 *   clang  "Debian clang version 14.0.6" (flags only with
 *          -grecord-command-line: "... version 14.0.6 /usr/bin/clang -O2 ...")
 *   other  words up to the first one that starts with a digit (the
 *          version), then flags: the words that start with '-'.
 *
 * Contract: pure string work; never fails (an empty or odd producer gives
 * compiler "unknown" and no flags); the result owns its strings.
 */
#ifndef WHYSLOW_PRODUCER_H
#define WHYSLOW_PRODUCER_H

#include <stdbool.h>

enum ws_compiler { WS_CC_UNKNOWN, WS_CC_GCC, WS_CC_CLANG, WS_CC_OTHER };

struct ws_producer {
	char *text; /* as recorded */
	enum ws_compiler cc;
	char *compiler;	      /* "GCC", "clang", or the producer's leading words */
	char *version;	      /* "12.2.0"; NULL when not found */
	char *language;	      /* GCC's "C17", "C++17", "GNU Fortran2008"...; NULL */
	bool flags_recorded;  /* the producer lists the command-line flags */
	char opt[8];	      /* the last -O option: "-O0".."-O3", "-Os", "-Oz", "-Ofast",
				 "-Og"; "" when none was given */
	char *march, *mtune;  /* NULL when not given */
	bool fast_math;	      /* -ffast-math or -Ofast */
	bool fp_contract_off; /* -ffp-contract=off */
	int tree_vectorize;   /* the last of -f[no-]tree[-loop]-vectorize (clang:
				 -f[no-]vectorize): 1 on, 0 off, -1 not given */
	int vectoriser;	      /* the loop vectoriser ran: 1 yes, 0 no, -1 unknown
				 (from the compiler, its version, -O and the flags) */
	unsigned isa_bits;    /* widest vectors the flags allow: 128, 256, 512; 0
				 unknown (-march=native, an unknown CPU, no flags) */
	const char *isa;      /* "SSE2", "SSE4.2", "AVX", "AVX2", "AVX-512F"; NULL */
	bool fma;	      /* the flags allow FMA instructions */
	bool native;	      /* -march=native (clang records it as such) */
	bool assembler;	      /* written in assembly ("GNU AS 2.40") */
};

void ws_producer_parse(const char *text, struct ws_producer *out);
void ws_producer_free(struct ws_producer *p);

/* True when the code may use no more than x86-64's baseline (SSE2): no
 * -march or -march=x86-64, and no -mavx... that goes beyond it. */
bool ws_producer_baseline(const struct ws_producer *p);

#endif
