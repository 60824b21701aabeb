/* The instruction classifier behind `whyslow report --vector`
 * (reports/disasm.c) on known x86-64 encodings: FP arithmetic scalar or
 * packed, element type, vector width, FMA, integer SIMD, FP data
 * movement, branches and their targets, and bytes that are not an
 * instruction.  Exit 0 pass, 1 fail, 77 when whyslow is built without
 * capstone. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "disasm.h"

enum {
	ARITH = WS_INSN_FP_ARITH,
	OTHER = WS_INSN_OTHER,
	FPOTHER = WS_INSN_FP_OTHER,
	INT = WS_INSN_INT_SIMD
};
enum { N = WS_ELEM_NONE, S = WS_ELEM_SINGLE, D = WS_ELEM_DOUBLE, X = WS_ELEM_X87 };

static const struct known {
	const char *what;
	unsigned char bytes[8];
	unsigned len;
	int cls;
	bool packed;
	int elem;
	unsigned width;
	bool fma;
} known[] = {
    {"mulsd xmm0, xmm1", {0xf2, 0x0f, 0x59, 0xc1}, 4, ARITH, false, D, 0, false},
    {"mulpd xmm0, xmm1", {0x66, 0x0f, 0x59, 0xc1}, 4, ARITH, true, D, 128, false},
    {"vmulpd ymm0, ymm1, ymm2", {0xc5, 0xf5, 0x59, 0xc2}, 4, ARITH, true, D, 256, false},
    {"vaddps zmm0, zmm1, zmm2",
     {0x62, 0xf1, 0x74, 0x48, 0x58, 0xc2},
     6,
     ARITH,
     true,
     S,
     512,
     false},
    {"vfmadd231pd ymm0, ymm1, ymm2", {0xc4, 0xe2, 0xf5, 0xb8, 0xc2}, 5, ARITH, true, D, 256, true},
    {"vfmadd231sd xmm0, xmm1, xmm2", {0xc4, 0xe2, 0xf1, 0xb9, 0xc2}, 5, ARITH, false, D, 0, true},
    {"addss xmm0, xmm1", {0xf3, 0x0f, 0x58, 0xc1}, 4, ARITH, false, S, 0, false},
    {"sqrtpd xmm0, xmm1", {0x66, 0x0f, 0x51, 0xc1}, 4, ARITH, true, D, 128, false},
    {"vdivps xmm3, xmm4, xmm5", {0xc5, 0xd8, 0x5e, 0xdd}, 4, ARITH, true, S, 128, false},
    {"paddd xmm0, xmm1", {0x66, 0x0f, 0xfe, 0xc1}, 4, INT, false, N, 0, false},
    {"vpaddd ymm0, ymm1, ymm2", {0xc5, 0xf5, 0xfe, 0xc2}, 4, INT, false, N, 0, false},
    {"movapd xmm0, xmm1", {0x66, 0x0f, 0x28, 0xc1}, 4, FPOTHER, false, N, 0, false},
    {"vmovupd ymm0, [rax]", {0xc5, 0xfd, 0x10, 0x00}, 4, FPOTHER, false, N, 0, false},
    {"vmovdqu ymm0, [rax]", {0xc5, 0xfe, 0x6f, 0x00}, 4, INT, false, N, 0, false},
    {"movsd xmm0, [rax]", {0xf2, 0x0f, 0x10, 0x00}, 4, FPOTHER, false, N, 0, false},
    {"xorpd xmm0, xmm1", {0x66, 0x0f, 0x57, 0xc1}, 4, FPOTHER, false, N, 0, false},
    {"vcvtsd2ss xmm0, xmm0, xmm1", {0xc5, 0xfb, 0x5a, 0xc1}, 4, FPOTHER, false, N, 0, false},
    {"vpermilpd ymm0, ymm1, 5",
     {0xc4, 0xe3, 0x7d, 0x05, 0xc1, 0x05},
     6,
     FPOTHER,
     false,
     N,
     0,
     false},
    {"movddup xmm0, xmm1", {0xf2, 0x0f, 0x12, 0xc1}, 4, FPOTHER, false, N, 0, false},
    {"fmulp st(1), st", {0xde, 0xc9}, 2, ARITH, false, X, 0, false},
    {"fadd st, st(1)", {0xd8, 0xc1}, 2, ARITH, false, X, 0, false},
    {"add rax, rbx", {0x48, 0x01, 0xd8}, 3, OTHER, false, N, 0, false},
    {"movsd (string)", {0xa5}, 1, OTHER, false, N, 0, false},
    {"vzeroupper", {0xc5, 0xf8, 0x77}, 3, OTHER, false, N, 0, false},
};

static int failures;

static void
fail(const char *what, const char *fmt, unsigned long got, unsigned long want, const char *text)
{
	printf("FAIL: %s: %s is %lu, expected %lu (decoded as '%s')\n", what, fmt, got, want, text);
	failures++;
}

int
main(void)
{
	if (!ws_disasm_available()) {
		puts("SKIP: whyslow is built without capstone (install libcapstone-dev and "
		     "reconfigure)");
		return 77;
	}
	const char *why;
	struct ws_disasm *d = ws_disasm_open(&why);
	if (!d) {
		printf("FAIL: ws_disasm_open: %s\n", why);
		return 1;
	}
	struct ws_insn in;
	for (size_t i = 0; i < sizeof known / sizeof known[0]; i++) {
		const struct known *k = &known[i];
		size_t len = ws_disasm_one(d, k->bytes, k->len, 0x1000, &in);
		if (len != k->len) {
			fail(k->what, "length", len, k->len, in.text);
			continue;
		}
		if ((int)in.cls != k->cls)
			fail(k->what, "class", in.cls, (unsigned long)k->cls, in.text);
		if (in.cls == WS_INSN_FP_ARITH) {
			if (in.packed != k->packed)
				fail(k->what, "packed", in.packed, k->packed, in.text);
			if ((int)in.elem != k->elem)
				fail(k->what, "element", in.elem, (unsigned long)k->elem, in.text);
			if (in.fma != k->fma)
				fail(k->what, "fma", in.fma, k->fma, in.text);
		}
		if (in.width != k->width)
			fail(k->what, "width", in.width, k->width, in.text);
		if (in.jump || in.call)
			fail(k->what, "jump/call", 1, 0, in.text);
	}

	/* jne back to 0xff0 from 0x1000 (a loop's backward branch) */
	static const unsigned char jne[] = {0x75, 0xee};
	if (ws_disasm_one(d, jne, sizeof jne, 0x1000, &in) != 2 || !in.jump || in.call ||
	    !in.has_target || in.target != 0xff0)
		fail("jne -0x12", "jump with target 0xff0", in.target, 0xff0, in.text);
	/* call rel32 0 at 0x2000: target 0x2005 */
	static const unsigned char call[] = {0xe8, 0, 0, 0, 0};
	if (ws_disasm_one(d, call, sizeof call, 0x2000, &in) != 5 || !in.call || in.jump ||
	    !in.has_target || in.target != 0x2005)
		fail("call rel32", "call with target 0x2005", in.target, 0x2005, in.text);
	/* jmp *%rax: a jump without a known target */
	static const unsigned char jmp_rax[] = {0xff, 0xe0};
	if (ws_disasm_one(d, jmp_rax, sizeof jmp_rax, 0x3000, &in) != 2 || !in.jump ||
	    in.has_target)
		fail("jmp rax", "indirect jump without target", in.has_target, 0, in.text);
	/* not an instruction, and a truncated one */
	static const unsigned char bad[] = {0xff, 0xff};
	if (ws_disasm_one(d, bad, sizeof bad, 0x4000, &in) != 0)
		fail("ff ff", "length of invalid bytes", in.size, 0, in.text);
	static const unsigned char cut[] = {0xc5, 0xf5};
	if (ws_disasm_one(d, cut, sizeof cut, 0x4000, &in) != 0)
		fail("c5 f5 (cut)", "length of a truncated instruction", in.size, 0, in.text);
	if (ws_disasm_one(d, cut, 0, 0x4000, &in) != 0)
		fail("no bytes", "length", in.size, 0, in.text);

	if (strcmp(ws_width_isa(256), "AVX") || strcmp(ws_width_isa(128), "SSE") ||
	    strcmp(ws_width_isa(512), "AVX-512"))
		fail("ws_width_isa", "name", 0, 1, "");
	ws_disasm_close(d);
	if (failures) {
		printf("%d failure(s)\n", failures);
		return 1;
	}
	printf("ok: %zu encodings and 6 branch/invalid cases classified as expected\n",
	       sizeof known / sizeof known[0]);
	return 0;
}
