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

size_t
ws_disasm_one(struct ws_disasm *d, const uint8_t *code, size_t size, uint64_t addr,
	      struct ws_insn *out)
{
	memset(out, 0, sizeof *out);
	out->addr = addr;
	const uint8_t *p = code;
	size_t left = size;
	uint64_t a = addr;
	if (!size || !cs_disasm_iter(d->h, &p, &left, &a, d->insn))
		return 0;
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
	memset(out, 0, sizeof *out);
	return 0;
}

#endif
