/* Classifying x86-64 machine instructions for the vectorisation report
 * (an_vector.c), with the capstone disassembler.
 *
 * Contract:
 *  - ws_disasm_open() fails (NULL, *why set to a static text) when whyslow
 *    was built without capstone (configure --with-capstone) or capstone
 *    cannot start; ws_disasm_available() says which build this is.
 *  - ws_disasm_one() decodes the instruction at code[0..size) that sits at
 *    address addr and classifies it; it returns its length in bytes, or 0
 *    when the bytes are not a valid instruction (the caller skips a byte).
 *  - Classes (from the mnemonic and the register operands):
 *      FP arithmetic: add sub mul div sqrt min max rcp rsqrt hadd hsub
 *        addsub dp with a ss/sd/ps/pd suffix, the FMA families
 *        (vfmadd/vfmsub/vfnmadd/vfnmsub/vfmaddsub/vfmsubadd, FMA3 and FMA4)
 *        and x87 arithmetic (fadd fsub fmul fdiv fsqrt and their forms);
 *        scalar (ss sd, x87) or packed (ps pd), element single, double or
 *        x87 extended; vector width = the widest xmm/ymm/zmm register
 *        operand (128, 256, 512 bits) for packed instructions, 0 for scalar.
 *      FP other: any other instruction on xmm/ymm/zmm registers that is not
 *        integer SIMD: moves, shuffles, conversions, compares, FP logic.
 *      integer SIMD: p... / vp... mnemonics on vector registers that do not
 *        end in ps/pd (paddd, vpxor, vpbroadcastd...) and the integer moves
 *        (movdqa/movdqu..., lddqu, movntdq, movd/movq, vbroadcasti128,
 *        vextracti128, vinserti128, vperm2i128).
 *      branches: jumps (conditional or not) and calls, with the target
 *        when it is direct.
 *  - Pure: nothing is printed; not thread-safe (one handle per thread).
 */
#ifndef WHYSLOW_DISASM_H
#define WHYSLOW_DISASM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum ws_insn_class {
	WS_INSN_OTHER,	  /* integer, control, memory... */
	WS_INSN_FP_ARITH, /* FP arithmetic, scalar or packed */
	WS_INSN_FP_OTHER, /* FP data movement, conversion, compare, logic */
	WS_INSN_INT_SIMD, /* integer SIMD */
};

enum ws_elem { WS_ELEM_NONE, WS_ELEM_SINGLE, WS_ELEM_DOUBLE, WS_ELEM_X87 };

struct ws_insn {
	uint64_t addr;
	unsigned size;
	enum ws_insn_class cls;
	bool packed;	   /* FP arithmetic on several elements */
	enum ws_elem elem; /* FP arithmetic's element type */
	unsigned width;	   /* packed FP arithmetic: 128, 256 or 512; else 0 */
	bool fma;	   /* a fused multiply-add */
	bool jump;	   /* jmp or jcc */
	bool call;
	bool has_target; /* jump or call with a direct target */
	uint64_t target;
	char text[160]; /* "vmulpd ymm0, ymm1, ymm2", for debugging and tests */
};

struct ws_disasm;

bool ws_disasm_available(void);
struct ws_disasm *ws_disasm_open(const char **why);
void ws_disasm_close(struct ws_disasm *d);
size_t ws_disasm_one(struct ws_disasm *d, const uint8_t *code, size_t size, uint64_t addr,
		     struct ws_insn *out);

/* The ISA family a packed FP width needs on x86-64: 128 "SSE", 256 "AVX",
 * 512 "AVX-512"; "" for anything else. */
const char *ws_width_isa(unsigned width);

#endif
