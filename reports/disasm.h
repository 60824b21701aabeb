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
 *  - Memory operands and registers (for the memory-access analysis,
 *    access.h), from capstone's detail mode: each memory operand's base,
 *    index, scale, displacement, access size in bytes and whether it is
 *    read and/or written (lea's operand is an address computation, not an
 *    access: nmem stays 0 and the address is in lea_addr); the
 *    general-purpose registers read and written (explicit and implicit
 *    operands; any width counts as the 64-bit register); the vector
 *    registers (xmm/ymm/zmm n are register n) read and written; whether
 *    the instruction only moves lanes between vector registers (shuffle:
 *    permutes, shuffles, unpacks, aligns, inserts, extracts, blends,
 *    broadcasts from a register, register-to-register moves); and the
 *    shape of a general-purpose register update (gop: add/sub of an
 *    immediate, inc, dec; add/sub of a register; a register copy, mov or
 *    movsxd; lea).
 *  - An AVX-512 (EVEX) instruction that capstone cannot decode is skipped
 *    whole (undecoded = true, its length from the encoding) rather than
 *    byte by byte, so the instructions after it decode right.
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

/* General-purpose registers in their encoding order (rax 0, rcx 1, rdx 2,
 * rbx 3, rsp 4, rbp 5, rsi 6, rdi 7, r8-r15 8-15); the register snapshots'
 * regs[1 + n] (profile_format.h). */
enum { WS_GPR_NONE = -1, WS_GPR_RIP = 16, WS_NGPR = 16 };

struct ws_memop {
	int base, index; /* WS_GPR_*, 0-15; base WS_GPR_RIP: rip-relative */
	unsigned scale;	 /* 1, 2, 4, 8 */
	int64_t disp;
	unsigned size; /* bytes accessed (0: unknown) */
	bool read, write;
	bool vsib; /* the index is a vector register: a gather or scatter */
};

/* How an instruction updates general-purpose register gdst. */
enum ws_gpr_op {
	WS_GOP_NONE,	/* writes no GPR, or in another way */
	WS_GOP_ADD_IMM, /* gdst += gimm (add, sub, inc, dec) */
	WS_GOP_ADD_REG, /* gdst += gsrc (add) */
	WS_GOP_SUB_REG, /* gdst -= gsrc (sub) */
	WS_GOP_MOV_REG, /* gdst = gsrc (mov, movsxd) */
	WS_GOP_LEA,	/* gdst = lea_addr's base + index * scale + disp */
};

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
	/* memory operands and registers (see above) */
	struct ws_memop mem[2];
	unsigned nmem;
	bool lea;
	struct ws_memop lea_addr;
	uint32_t gpr_read, gpr_written; /* bit n: GPR n */
	uint32_t vec_read, vec_written; /* bit n: xmm/ymm/zmm n */
	unsigned vec_bytes;		/* widest vector register operand, bytes */
	bool shuffle;
	bool undecoded; /* an AVX-512 instruction capstone does not know: its
			   length and vector registers written only */
	enum ws_gpr_op gop;
	int gdst, gsrc;
	int64_t gimm;
};

/* The name of GPR n ("rax"), "rip" for WS_GPR_RIP, "?" otherwise. */
const char *ws_gpr_name(int n);

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
