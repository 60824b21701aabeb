/* x86-64 instruction classes with capstone (see disasm.h). */
#include "config.h"

#include "disasm.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef HAVE_CAPSTONE
#include <capstone/capstone.h>
#endif

const char *
ws_width_isa(unsigned width)
{
	switch (width) {
	case 128:
		return "SSE";
	case 256:
		return "AVX";
	case 512:
		return "AVX-512";
	}
	return "";
}

static const char *const gpr_names[WS_NGPR] = {"rax", "rcx", "rdx", "rbx", "rsp", "rbp",
						"rsi", "rdi", "r8",  "r9",  "r10", "r11",
						"r12", "r13", "r14", "r15"};

const char *
ws_gpr_name(int n)
{
	if (n >= 0 && n < WS_NGPR)
		return gpr_names[n];
	return n == WS_GPR_RIP ? "rip" : "?";
}

/* ---- mnemonics (no capstone needed) ---- */

static bool
starts(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

static bool
one_of(const char *s, size_t n, const char *const *list)
{
	for (; *list; list++)
		if (strlen(*list) == n && !strncmp(s, *list, n))
			return true;
	return false;
}

/* The ss/sd/ps/pd suffix of m: 's'/'p' in *shape, 's'/'d' in *elem. */
static bool
fp_suffix(const char *m, size_t n, char *shape, char *elem)
{
	if (n < 3)
		return false;
	char a = m[n - 2], b = m[n - 1];
	if ((a != 's' && a != 'p') || (b != 's' && b != 'd'))
		return false;
	*shape = a;
	*elem = b;
	return true;
}

static const char *const arith_ops[] = {
    "add",  "sub",    "mul", "div",   "sqrt",	 "min",	  "max",     "rcp",    "rsqrt", "hadd",
    "hsub", "addsub", "dp",  "rcp14", "rsqrt14", "rcp28", "rsqrt28", "scalef", NULL};
static const char *const fma_ops[] = {"fmadd",	  "fmsub",    "fnmadd", "fnmsub",
				      "fmaddsub", "fmsubadd", NULL};
static const char *const x87_ops[] = {"add", "sub", "mul", "div", "sqrt", NULL};

/* Classify mnemonic m given whether the instruction has a vector register
 * operand; fills cls, packed, elem, fma of out. */
static void
classify_mnemonic(const char *m, bool vector_reg, struct ws_insn *out)
{
	out->cls = WS_INSN_OTHER;
	size_t n = strlen(m);
	/* x87 arithmetic: f[i]OP[r][p] */
	if (m[0] == 'f' && !vector_reg) {
		const char *b = m + 1;
		size_t bn = n - 1;
		if (bn && b[0] == 'i')
			b++, bn--;
		if (bn && b[bn - 1] == 'p')
			bn--;
		if (bn > 3 && b[bn - 1] == 'r')
			bn--;
		if (one_of(b, bn, x87_ops)) {
			out->cls = WS_INSN_FP_ARITH;
			out->elem = WS_ELEM_X87;
		}
		return;
	}
	if (!vector_reg)
		return;
	const char *b = m[0] == 'v' ? m + 1 : m;
	size_t bn = strlen(b);
	char shape = 0, elem = 0;
	bool suffix = fp_suffix(b, bn, &shape, &elem);
	if (suffix) {
		bool fma = false;
		size_t op = bn - 2;
		if (m[0] == 'v' && b[0] == 'f') {
			/* FMA3 vfmadd231pd (digits before the suffix), FMA4 vfmaddpd */
			while (op && b[op - 1] >= '0' && b[op - 1] <= '9')
				op--;
			fma = one_of(b, op, fma_ops);
		}
		if (fma || one_of(b, op, arith_ops)) {
			out->cls = WS_INSN_FP_ARITH;
			out->packed = shape == 'p';
			out->elem = elem == 'd' ? WS_ELEM_DOUBLE : WS_ELEM_SINGLE;
			out->fma = fma;
			return;
		}
	}
	static const char *const int_moves[] = {"movdq",      "lddqu",	    "movntdq",
						"broadcasti", "extracti",   "inserti",
						"perm2i",     "maskmovdqu", NULL};
	bool int_move = !strcmp(b, "movd") || !strcmp(b, "movq");
	for (const char *const *im = int_moves; *im && !int_move; im++)
		int_move = starts(b, *im);
	if ((b[0] == 'p' && !(suffix && shape == 'p')) || int_move)
		out->cls = WS_INSN_INT_SIMD;
	else
		out->cls = WS_INSN_FP_OTHER;
}

/* Instructions that only move lanes between vector registers (the 'v'
 * prefix removed); register-to-register moves are added by the caller. */
static bool
shuffle_mnemonic(const char *b)
{
	static const char *const prefixes[] = {
	    "perm",	  "shuf",     "unpck",	  "punpck",	"align",      "palignr",
	    "extract",	  "insert",   "blend",	  "pblend",	"broadcast",  "pbroadcast",
	    "movlhps",	  "movhlps",  "movddup",  "movsldup",	"movshdup",   "pshuf",
	    "pperm",	  "expand",   "compress", "pexpand",	"pcompress",  "movlp",
	    "movhp",	  "pinsr",    "pextr",	  NULL};
	for (const char *const *p = prefixes; *p; p++)
		if (starts(b, *p))
			return true;
	return false;
}

#ifdef HAVE_CAPSTONE

struct ws_disasm {
	csh h;
	cs_insn *insn;
};

bool
ws_disasm_available(void)
{
	return true;
}

struct ws_disasm *
ws_disasm_open(const char **why)
{
	struct ws_disasm *d = calloc(1, sizeof *d);
	if (!d) {
		*why = "out of memory";
		return NULL;
	}
	cs_err e = cs_open(CS_ARCH_X86, CS_MODE_64, &d->h);
	if (e != CS_ERR_OK) {
		*why = cs_strerror(e);
		free(d);
		return NULL;
	}
	cs_option(d->h, CS_OPT_DETAIL, CS_OPT_ON);
	d->insn = cs_malloc(d->h);
	if (!d->insn) {
		*why = "capstone: out of memory";
		cs_close(&d->h);
		free(d);
		return NULL;
	}
	return d;
}

void
ws_disasm_close(struct ws_disasm *d)
{
	if (!d)
		return;
	cs_free(d->insn, 1);
	cs_close(&d->h);
	free(d);
}

/* The GPR number of a register name of any width (rax eax ax al ah;
 * r8 r8d r8w r8b; sil...), WS_GPR_RIP for rip/eip, else WS_GPR_NONE. */
static int
gpr_of(csh h, unsigned reg)
{
	const char *n = reg ? cs_reg_name(h, reg) : NULL;
	if (!n)
		return WS_GPR_NONE;
	if (!strcmp(n, "rip") || !strcmp(n, "eip"))
		return WS_GPR_RIP;
	if (n[0] == 'r' && n[1] >= '0' && n[1] <= '9') {
		int v = atoi(n + 1);
		return v >= 8 && v <= 15 ? v : WS_GPR_NONE;
	}
	static const char *const forms[8][5] = {
	    {"rax", "eax", "ax", "al", "ah"}, {"rcx", "ecx", "cx", "cl", "ch"},
	    {"rdx", "edx", "dx", "dl", "dh"}, {"rbx", "ebx", "bx", "bl", "bh"},
	    {"rsp", "esp", "sp", "spl", ""},  {"rbp", "ebp", "bp", "bpl", ""},
	    {"rsi", "esi", "si", "sil", ""},  {"rdi", "edi", "di", "dil", ""}};
	for (int r = 0; r < 8; r++)
		for (int k = 0; k < 5; k++)
			if (forms[r][k][0] && !strcmp(n, forms[r][k]))
				return r;
	return WS_GPR_NONE;
}

/* The number of a vector register (xmm/ymm/zmm n), or -1. */
static int
vec_of(csh h, unsigned reg)
{
	const char *n = reg ? cs_reg_name(h, reg) : NULL;
	if (!n || strlen(n) < 4 || (n[0] != 'x' && n[0] != 'y' && n[0] != 'z') || n[1] != 'm' ||
	    n[2] != 'm')
		return -1;
	int v = atoi(n + 3);
	return v >= 0 && v < 32 ? v : -1;
}

/* Bits of a vector register (xmm/ymm/zmm), 0 for any other. */
static unsigned
reg_bits(csh h, unsigned reg)
{
	const char *name = cs_reg_name(h, reg);
	if (!name || strlen(name) < 4)
		return 0;
	if (starts(name, "xmm"))
		return 128;
	if (starts(name, "ymm"))
		return 256;
	if (starts(name, "zmm"))
		return 512;
	return 0;
}

static void
memop(csh h, const cs_x86_op *op, struct ws_memop *m)
{
	m->base = gpr_of(h, op->mem.base);
	m->index = gpr_of(h, op->mem.index);
	m->vsib = op->mem.index && vec_of(h, op->mem.index) >= 0;
	m->scale = op->mem.scale > 0 ? (unsigned)op->mem.scale : 1;
	m->disp = op->mem.disp;
	m->size = op->size;
}

/* How a memory operand at operand position pos of mnemonic m is accessed:
 * a source is read; a destination is written by moves, stores, extracts
 * and sets, only read by compares and tests, else read and written
 * (add [mem], reg). */
static uint8_t
mem_access(const char *m, unsigned pos)
{
	if (pos != 0)
		return CS_AC_READ;
	const char *b = m[0] == 'v' ? m + 1 : m;
	static const char *const writes[] = {
	    "mov",   "extract", "pextr", "compress", "pcompress", "pmov", "stos", "fst",  "fist",
	    "fnst",  "fbstp",	"set",	 "scatter",  "pscatter",  "cvtps2ph", "stm",   "fxsave",
	    "xsave", "maskmov", "pmaskmov", NULL};
	static const char *const reads[] = {"cmp",  "test", "bt",  "comis", "ucomis",
					    "push", "ptest", "clflush", NULL};
	if (!strcmp(b, "cmpxchg") || starts(b, "cmpxchg") || !strcmp(b, "bts") ||
	    !strcmp(b, "btr") || !strcmp(b, "btc"))
		return CS_AC_READ | CS_AC_WRITE;
	for (const char *const *w = writes; *w; w++)
		if (starts(b, *w))
			return CS_AC_WRITE;
	for (const char *const *r = reads; *r; r++)
		if (starts(b, *r))
			return CS_AC_READ;
	return CS_AC_READ | CS_AC_WRITE;
}

/* Capstone 4 does not know some AVX-512 (EVEX) instructions.  Their length
 * is found from the encoding, so that the instructions after them decode
 * right; the instruction counts as writing the vector registers of its
 * ModRM reg and (register form) rm fields, and nothing else is known.
 * Returns the length, 0 when the bytes are not a complete EVEX
 * instruction. */
static size_t
evex_fallback(const uint8_t *c, size_t size, uint64_t addr, struct ws_insn *out)
{
	if (size < 6 || c[0] != 0x62)
		return 0;
	unsigned map = c[1] & 7, op = c[4], modrm = c[5];
	unsigned mod = modrm >> 6, rm = modrm & 7;
	size_t len = 6;
	if (mod != 3 && rm == 4) {
		if (size < 7)
			return 0;
		if (mod == 0 && (c[6] & 7) == 5)
			len += 4;
		len++;
	}
	if (mod == 1)
		len += 1;
	else if (mod == 2 || (mod == 0 && rm == 5))
		len += 4;
	if (map == 3 || (map == 1 && ((op >= 0x70 && op <= 0x73) || op == 0xc2 ||
				      (op >= 0xc4 && op <= 0xc6))))
		len += 1;
	if (map == 0 || map == 4 || map > 6 || len > size || len > 15)
		return 0;
	memset(out, 0, sizeof *out);
	out->addr = addr;
	out->size = (unsigned)len;
	out->gdst = out->gsrc = WS_GPR_NONE;
	unsigned r = ((modrm >> 3) & 7) | (c[1] & 0x80 ? 0 : 8) | (c[1] & 0x10 ? 0 : 16);
	out->vec_written = 1u << r;
	if (mod == 3)
		out->vec_written |=
		    1u << ((rm | (c[1] & 0x20 ? 0 : 8) | (c[1] & 0x40 ? 0 : 16)) & 31);
	unsigned ll = (c[3] >> 5) & 3; /* EVEX.L'L: 128, 256, 512 bits */
	out->vec_bytes = 16u << (ll < 3 ? ll : 2);
	out->undecoded = true;
	snprintf(out->text, sizeof out->text, "(EVEX instruction capstone cannot decode)");
	return len;
}

/* Memory operands, registers read and written, shuffles, GPR updates. */
static void
operands(struct ws_disasm *d, const cs_insn *in, struct ws_insn *out)
{
	const cs_x86 *x = &in->detail->x86;
	const char *m = in->mnemonic;
	out->gdst = out->gsrc = WS_GPR_NONE;
	bool is_lea = !strcmp(m, "lea");
	bool nop = starts(m, "nop") || starts(m, "prefetch") || starts(m, "endbr");
	bool vreg_only = x->op_count > 0;
	for (uint8_t i = 0; i < x->op_count; i++) {
		const cs_x86_op *op = &x->operands[i];
		uint8_t ac = op->access;
		if (op->type == X86_OP_MEM) {
			vreg_only = false;
			if (is_lea) {
				out->lea = true;
				memop(d->h, op, &out->lea_addr);
				continue;
			}
			if (nop || out->nmem == 2)
				continue;
			struct ws_memop *mo = &out->mem[out->nmem++];
			memop(d->h, op, mo);
			/* capstone 4 calls some AVX stores reads: decided from
			 * the form instead */
			ac = mem_access(m, i);
			mo->read = ac & CS_AC_READ;
			mo->write = ac & CS_AC_WRITE;
		} else if (op->type == X86_OP_REG) {
			int v = vec_of(d->h, op->reg);
			if (v < 0) {
				vreg_only = false;
				continue;
			}
			if (!ac)
				ac = i == 0 ? CS_AC_WRITE : CS_AC_READ;
			if (ac & CS_AC_READ)
				out->vec_read |= 1u << v;
			if (ac & CS_AC_WRITE)
				out->vec_written |= 1u << v;
			unsigned b = reg_bits(d->h, op->reg) / 8;
			if (b > out->vec_bytes)
				out->vec_bytes = b;
		} else {
			vreg_only = vreg_only && op->type == X86_OP_IMM;
		}
	}
	/* every GPR read or written, implicit ones too (mul, cdq, push...) */
	cs_regs rd, wr;
	uint8_t nrd = 0, nwr = 0;
	if (cs_regs_access(d->h, in, rd, &nrd, wr, &nwr) == CS_ERR_OK) {
		for (uint8_t i = 0; i < nrd; i++) {
			int g = gpr_of(d->h, rd[i]);
			if (g >= 0 && g < WS_NGPR)
				out->gpr_read |= 1u << g;
		}
		for (uint8_t i = 0; i < nwr; i++) {
			int g = gpr_of(d->h, wr[i]);
			if (g >= 0 && g < WS_NGPR)
				out->gpr_written |= 1u << g;
		}
	}
	const char *b = m[0] == 'v' ? m + 1 : m;
	bool vec_move = (starts(b, "mova") || starts(b, "movu") || starts(b, "movdq") ||
			 !strcmp(b, "movsd") || !strcmp(b, "movss") || !strcmp(b, "movq")) &&
			vreg_only;
	out->shuffle = out->vec_written && (shuffle_mnemonic(b) || vec_move);
	/* the shape of a GPR update */
	if (x->op_count < 1 || x->operands[0].type != X86_OP_REG)
		return;
	int dst = gpr_of(d->h, x->operands[0].reg);
	if (dst < 0 || dst >= WS_NGPR)
		return;
	const cs_x86_op *src = x->op_count > 1 ? &x->operands[1] : NULL;
	bool add = !strcmp(m, "add"), sub = !strcmp(m, "sub");
	if ((!strcmp(m, "inc") || !strcmp(m, "dec")) && x->op_count == 1) {
		out->gop = WS_GOP_ADD_IMM;
		out->gimm = m[0] == 'i' ? 1 : -1;
	} else if ((add || sub) && src && src->type == X86_OP_IMM && x->op_count == 2) {
		out->gop = WS_GOP_ADD_IMM;
		out->gimm = add ? src->imm : -src->imm;
	} else if ((add || sub) && src && src->type == X86_OP_REG && x->op_count == 2) {
		out->gsrc = gpr_of(d->h, src->reg);
		if (out->gsrc < 0 || out->gsrc >= WS_NGPR)
			return;
		out->gop = out->gsrc == dst ? WS_GOP_NONE : add ? WS_GOP_ADD_REG : WS_GOP_SUB_REG;
	} else if ((!strcmp(m, "mov") || !strcmp(m, "movsxd")) && src &&
		   src->type == X86_OP_REG && x->op_count == 2) {
		out->gsrc = gpr_of(d->h, src->reg);
		if (out->gsrc < 0 || out->gsrc >= WS_NGPR)
			return;
		out->gop = WS_GOP_MOV_REG;
	} else if (is_lea && out->lea) {
		out->gop = WS_GOP_LEA;
	} else {
		return;
	}
	out->gdst = dst;
}

size_t
ws_disasm_one(struct ws_disasm *d, const uint8_t *code, size_t size, uint64_t addr,
	      struct ws_insn *out)
{
	memset(out, 0, sizeof *out);
	out->addr = addr;
	const uint8_t *p = code;
	size_t left = size;
	uint64_t a = addr;
	if (!size)
		return 0;
	if (!cs_disasm_iter(d->h, &p, &left, &a, d->insn))
		return evex_fallback(code, size, addr, out);
	const cs_insn *in = d->insn;
	out->size = in->size;
	snprintf(out->text, sizeof out->text, "%.31s%s%.120s", in->mnemonic,
		 in->op_str[0] ? " " : "", in->op_str);
	const cs_x86 *x = &in->detail->x86;
	unsigned widest = 0;
	for (uint8_t i = 0; i < x->op_count; i++)
		if (x->operands[i].type == X86_OP_REG) {
			unsigned b = reg_bits(d->h, x->operands[i].reg);
			if (b > widest)
				widest = b;
		}
	classify_mnemonic(in->mnemonic, widest > 0, out);
	if (out->cls == WS_INSN_FP_ARITH && out->packed)
		out->width = widest;
	out->jump = cs_insn_group(d->h, in, CS_GRP_JUMP);
	out->call = cs_insn_group(d->h, in, CS_GRP_CALL);
	if ((out->jump || out->call) && x->op_count == 1 && x->operands[0].type == X86_OP_IMM) {
		out->has_target = true;
		out->target = (uint64_t)x->operands[0].imm;
	}
	operands(d, in, out);
	return in->size;
}

#else /* !HAVE_CAPSTONE */

bool
ws_disasm_available(void)
{
	return false;
}

struct ws_disasm *
ws_disasm_open(const char **why)
{
	*why = "built without capstone (install libcapstone-dev and reconfigure)";
	return NULL;
}

void
ws_disasm_close(struct ws_disasm *d)
{
}

size_t
ws_disasm_one(struct ws_disasm *d, const uint8_t *code, size_t size, uint64_t addr,
	      struct ws_insn *out)
{
	(void)classify_mnemonic;
	(void)shuffle_mnemonic;
	memset(out, 0, sizeof *out);
	return 0;
}

#endif
