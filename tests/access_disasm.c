/* The disassembler's memory operands and register effects, which `whyslow
 * report --memory` (reports/an_access.c) builds on (reports/disasm.c), on
 * known x86-64 encodings: base, index, scale, displacement, size, read or
 * written; lea as an address, not an access; gathers; the register updates
 * the stride analysis follows; an AVX-512 instruction capstone 4 cannot
 * decode skipped whole.  Exit 0 pass, 1 fail, 77 without capstone. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "disasm.h"

enum { R = 1, W = 2, RW = 3, NONE = WS_GPR_NONE };
enum { RAX = 0, RCX = 1, RDX = 2, RBX = 3, RSI = 6, RDI = 7, R8 = 8 };

static const struct known {
	const char *what;
	unsigned char bytes[8];
	unsigned len;
	int nmem;
	int base, index;
	unsigned scale;
	long disp;
	unsigned size;
	int access; /* R, W, RW */
	bool vsib;
	int gop, gdst, gsrc;
	long gimm;
} known[] = {
    {"addsd xmm0, [rdx]", {0xf2, 0x0f, 0x58, 0x02}, 4, 1, RDX, NONE, 1, 0, 8, R},
    {"vmovupd [rsi+rax], zmm1",
     {0x62, 0xf1, 0xfd, 0x48, 0x11, 0x0c, 0x06},
     7,
     1,
     RSI,
     RAX,
     1,
     0,
     64,
     W},
    {"vmulsd xmm1, xmm0, [rax+0x18]",
     {0xc5, 0xfb, 0x59, 0x48, 0x18},
     5,
     1,
     RAX,
     NONE,
     1,
     0x18,
     8,
     R},
    {"mov [rdi+rcx*8+0x10], rax", {0x48, 0x89, 0x44, 0xcf, 0x10}, 5, 1, RDI, RCX, 8, 0x10, 8, W},
    {"add qword [rax], 1", {0x48, 0x83, 0x00, 0x01}, 4, 1, RAX, NONE, 1, 0, 8, RW},
    {"lea rax, [rdi+rsi*4+8]",
     {0x48, 0x8d, 0x44, 0xb7, 0x08},
     5,
     0,
     RDI,
     RSI,
     4,
     8,
     0,
     0,
     false,
     WS_GOP_LEA,
     RAX,
     NONE},
    {"add rdx, r8", {0x4c, 0x01, 0xc2}, 3, 0, 0, 0, 0, 0, 0, 0, false, WS_GOP_ADD_REG, RDX, R8},
    {"sub rax, 0x40",
     {0x48, 0x83, 0xe8, 0x40},
     4,
     0,
     0,
     0,
     0,
     0,
     0,
     0,
     false,
     WS_GOP_ADD_IMM,
     RAX,
     NONE,
     -0x40},
    {"inc rcx", {0x48, 0xff, 0xc1}, 3, 0, 0, 0, 0, 0, 0, 0, false, WS_GOP_ADD_IMM, RCX, NONE, 1},
    {"mov rcx, rax", {0x48, 0x89, 0xc1}, 3, 0, 0, 0, 0, 0, 0, 0, false, WS_GOP_MOV_REG, RCX, RAX},
    {"vgatherdpd zmm0{k1}, [rax+ymm1*8]",
     {0x62, 0xf2, 0xfd, 0x49, 0x92, 0x04, 0xc8},
     7,
     1,
     RAX,
     NONE,
     8,
     0,
     0,
     R,
     true},
    {"vmovsd [rax-0x40], xmm1", {0xc5, 0xfb, 0x11, 0x48, 0xc0}, 5, 1, RAX, NONE, 1, -0x40, 8, W},
    {"mov rax, [rax]", {0x48, 0x8b, 0x00}, 3, 1, RAX, NONE, 1, 0, 8, R, false, WS_GOP_NONE},
    {"cmp [rbx+8], rax", {0x48, 0x39, 0x43, 0x08}, 4, 1, RBX, NONE, 1, 8, 8, R},
    {"vpermt2pd zmm2, zmm5, [rax-0x140]",
     {0x62, 0xf2, 0xd5, 0x48, 0x7f, 0x50, 0xfb},
     7,
     1,
     RAX,
     NONE,
     1,
     -0x140,
     64,
     R},
};

int
main(void)
{
	const char *why;
	struct ws_disasm *d = ws_disasm_open(&why);
	if (!d) {
		printf("SKIP: %s\n", why);
		return 77;
	}
	int failures = 0;
#define CHECK(cond, ...)                                                                           \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			printf("FAIL: %s: ", k->what);                                             \
			printf(__VA_ARGS__);                                                       \
			printf(" (decoded as '%s')\n", in.text);                                   \
			failures++;                                                                \
		}                                                                                  \
	} while (0)
	for (size_t i = 0; i < sizeof known / sizeof known[0]; i++) {
		const struct known *k = &known[i];
		struct ws_insn in;
		size_t len = ws_disasm_one(d, k->bytes, k->len, 0x1000, &in);
		CHECK(len == k->len, "length %zu, expected %u", len, k->len);
		CHECK((int)in.nmem == k->nmem, "%u memory operands, expected %d", in.nmem, k->nmem);
		if (k->nmem == 1 && in.nmem == 1) {
			const struct ws_memop *m = &in.mem[0];
			CHECK(m->base == k->base, "base %d, expected %d", m->base, k->base);
			CHECK(m->vsib == k->vsib, "vsib %d", m->vsib);
			if (!k->vsib)
				CHECK(m->index == k->index, "index %d, expected %d", m->index,
				      k->index);
			CHECK(m->scale == k->scale, "scale %u, expected %u", m->scale, k->scale);
			CHECK(m->disp == k->disp, "disp %ld, expected %ld", (long)m->disp, k->disp);
			if (k->size)
				CHECK(m->size == k->size, "size %u, expected %u", m->size, k->size);
			CHECK(m->read == !!(k->access & R) && m->write == !!(k->access & W),
			      "read %d write %d, expected access %d", m->read, m->write, k->access);
		}
		if (k->gop == WS_GOP_LEA) {
			CHECK(in.lea && in.lea_addr.base == k->base &&
				  in.lea_addr.index == k->index && in.lea_addr.scale == k->scale &&
				  in.lea_addr.disp == k->disp,
			      "lea address wrong");
		}
		CHECK((int)in.gop == k->gop, "gop %d, expected %d", in.gop, k->gop);
		if (k->gop != WS_GOP_NONE) {
			CHECK(in.gdst == k->gdst, "gdst %d, expected %d", in.gdst, k->gdst);
			if (k->gop != WS_GOP_ADD_IMM && k->gop != WS_GOP_LEA)
				CHECK(in.gsrc == k->gsrc, "gsrc %d, expected %d", in.gsrc, k->gsrc);
			if (k->gop == WS_GOP_ADD_IMM)
				CHECK(in.gimm == k->gimm, "gimm %ld, expected %ld", (long)in.gimm,
				      k->gimm);
			CHECK(in.gpr_written == 1u << k->gdst, "GPRs written %#x", in.gpr_written);
		}
		if (!strncmp(k->what, "mov rax, [rax]", 14))
			CHECK(in.gpr_written == 1u << RAX, "GPRs written %#x", in.gpr_written);
		if (!strncmp(k->what, "vpermt2pd", 9))
			CHECK(in.shuffle && in.vec_written == 1u << 2 &&
				  in.vec_read == ((1u << 2) | (1u << 5)),
			      "shuffle %d, vectors written %#x read %#x", in.shuffle,
			      in.vec_written, in.vec_read);
	}
	/* valignq ymm2, ymm1, ymm1, 3 (62 f3 f5 28 03 d1 03), then add rdx, r8:
	 * whether or not capstone knows valignq, it is 7 bytes long and what
	 * follows decodes */
	{
		static const unsigned char code[] = {0x62, 0xf3, 0xf5, 0x28, 0x03,
						     0xd1, 0x03, 0x4c, 0x01, 0xc2};
		const struct known *k = &(struct known){"valignq, add rdx, r8"};
		struct ws_insn in;
		size_t len = ws_disasm_one(d, code, sizeof code, 0x2000, &in);
		CHECK(len == 7, "length %zu, expected 7", len);
		CHECK(!in.gpr_written, "writes GPRs %#x", in.gpr_written);
		CHECK(in.vec_written & (1u << 2), "does not write ymm2 (%#x)", in.vec_written);
		len = ws_disasm_one(d, code + 7, sizeof code - 7, 0x2007, &in);
		CHECK(len == 3 && in.gop == WS_GOP_ADD_REG && in.gdst == RDX && in.gsrc == R8,
		      "the next instruction decodes wrong");
	}
	ws_disasm_close(d);
	if (failures) {
		printf("%d failure(s)\n", failures);
		return 1;
	}
	printf("ok: %zu encodings\n", sizeof known / sizeof known[0] + 1);
	return 0;
}
