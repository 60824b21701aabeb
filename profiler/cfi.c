/* Frame rules from .eh_frame, cached per address (see cfi.h). */
#include "cfi.h"

#include <dlfcn.h>
#include <link.h>
#include <stdatomic.h>
#include <string.h>

#include "modules.h"

/* DWARF register numbers (x86_64 psABI). */
#define R_RBP 6
#define R_RSP 7
#define R_RA 16

/* ---- the cache -----------------------------------------------------------
 * Direct-mapped, shared by all threads, no lock.  An entry is two words:
 * the packed rule and a check word = addr ^ mix(rule, generation).  A reader
 * accepts an entry only when the check word matches the address it looks up
 * with the rule it read, so a torn entry (two threads filling the same slot
 * at once) or one from before a flush reads as a miss. */
#define CACHE_BITS 12
#define CACHE_SIZE (1u << CACHE_BITS)

struct entry {
	_Atomic uint64_t rule, check;
};
static struct entry cache[CACHE_SIZE];
static _Atomic uint64_t generation = 1;

/* Packed rule: bit 0 valid, bit 1 slow, bit 2 cfa_rbp, bit 3 ra_undef,
 * bits 4-5 rbp rule, bits 8-23 ra_off, bits 24-39 rbp_off, bits 40-63
 * cfa_off (signed 24 bits). */
#define P_VALID 1u
#define P_SLOW 2u
#define P_CFA_RBP 4u
#define P_RA_UNDEF 8u

static uint64_t
mix(uint64_t v)
{
	v ^= v >> 33;
	v *= 0xff51afd7ed558ccdull;
	v ^= v >> 33;
	v *= 0xc4ceb9fe1a85ec53ull;
	v ^= v >> 33;
	return v;
}

static uint32_t
slot_of(uint64_t addr)
{
	return (uint32_t)((addr * 0x9e3779b97f4a7c15ull) >> (64 - CACHE_BITS));
}

static uint64_t
pack(const struct ws_cfi_rule *r)
{
	return P_VALID | (r->cfa_rbp ? P_CFA_RBP : 0) | (r->ra_undef ? P_RA_UNDEF : 0) |
	       ((uint64_t)(r->rbp & 3) << 4) | ((uint64_t)(uint16_t)r->ra_off << 8) |
	       ((uint64_t)(uint16_t)r->rbp_off << 24) |
	       ((uint64_t)((uint32_t)r->cfa_off & 0xffffffu) << 40);
}

static void
unpack(uint64_t p, struct ws_cfi_rule *r)
{
	r->cfa_rbp = (p & P_CFA_RBP) != 0;
	r->ra_undef = (p & P_RA_UNDEF) != 0;
	r->rbp = (uint8_t)((p >> 4) & 3);
	r->ra_off = (int16_t)(uint16_t)(p >> 8);
	r->rbp_off = (int16_t)(uint16_t)(p >> 24);
	r->cfa_off = (int32_t)((uint32_t)(p >> 40) << 8) >> 8; /* sign-extend 24 bits */
}

size_t
ws_cfi_cache_bytes(void)
{
	return sizeof cache;
}

void
ws_cfi_flush(void)
{
	atomic_fetch_add(&generation, 1);
}

/* ---- bounded reading ---------------------------------------------------- */
struct rd {
	const uint8_t *p, *lo, *hi; /* cursor and the module's bounds */
	bool bad;
};

static bool
have(struct rd *r, size_t n)
{
	if (r->bad || r->p < r->lo || r->p > r->hi || (size_t)(r->hi - r->p) < n)
		r->bad = true;
	return !r->bad;
}

static uint64_t
rd_fixed(struct rd *r, size_t n)
{
	uint64_t v = 0;
	if (!have(r, n))
		return 0;
	memcpy(&v, r->p, n); /* little-endian */
	r->p += n;
	return v;
}

static uint64_t
rd_uleb(struct rd *r)
{
	uint64_t v = 0;
	for (unsigned shift = 0; have(r, 1); shift += 7) {
		uint8_t b = *r->p++;
		if (shift < 64)
			v |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80))
			return v;
		if (shift > 63)
			break;
	}
	r->bad = true;
	return 0;
}

static int64_t
rd_sleb(struct rd *r)
{
	uint64_t v = 0;
	unsigned shift = 0;
	while (have(r, 1)) {
		uint8_t b = *r->p++;
		if (shift < 64)
			v |= (uint64_t)(b & 0x7f) << shift;
		shift += 7;
		if (!(b & 0x80)) {
			if (shift < 64 && (b & 0x40))
				v |= ~(uint64_t)0 << shift;
			return (int64_t)v;
		}
		if (shift > 70)
			break;
	}
	r->bad = true;
	return 0;
}

/* A DW_EH_PE-encoded pointer: absolute or pc-relative, the common formats.
 * Indirect values are read as their address-sized slot (only skipped). */
static uint64_t
rd_encoded(struct rd *r, uint8_t enc)
{
	if (enc == 0xff) { /* DW_EH_PE_omit */
		r->bad = true;
		return 0;
	}
	uint64_t base = (uint64_t)(uintptr_t)r->p, v;
	switch (enc & 0x0f) {
	case 0x00:
		v = rd_fixed(r, 8);
		break; /* absptr */
	case 0x01:
		v = rd_uleb(r);
		break; /* uleb128 */
	case 0x02:
		v = rd_fixed(r, 2);
		break; /* udata2 */
	case 0x03:
		v = rd_fixed(r, 4);
		break; /* udata4 */
	case 0x04:
		v = rd_fixed(r, 8);
		break; /* udata8 */
	case 0x09:
		v = (uint64_t)rd_sleb(r);
		break; /* sleb128 */
	case 0x0a:
		v = (uint64_t)(int64_t)(int16_t)rd_fixed(r, 2);
		break; /* sdata2 */
	case 0x0b:
		v = (uint64_t)(int64_t)(int32_t)rd_fixed(r, 4);
		break; /* sdata4 */
	case 0x0c:
		v = rd_fixed(r, 8);
		break; /* sdata8 */
	default:
		r->bad = true;
		return 0;
	}
	switch (enc & 0x70) {
	case 0x00:
		break; /* absolute */
	case 0x10:
		v += base;
		break; /* pcrel */
	default:
		r->bad = true;
		return 0;
	}
	return v;
}

/* ---- the CFI interpreter ------------------------------------------------ */
enum { RULE_SAME, RULE_OFFSET, RULE_UNDEF, RULE_BAD };

struct state {
	int cfa_reg; /* -1: not a register rule (expression, unset) */
	int64_t cfa_off;
	uint8_t rbp, ra, rsp; /* RULE_* */
	int64_t rbp_off, ra_off;
};

struct cie {
	uint64_t code_align;
	int64_t data_align;
	uint8_t fde_enc;
	bool has_aug_len;
	const uint8_t *insns, *insns_end;
};

static void
set_rule(struct state *s, uint64_t reg, uint8_t rule, int64_t off)
{
	if (reg == R_RBP) {
		s->rbp = rule;
		s->rbp_off = off;
	} else if (reg == R_RA) {
		s->ra = rule;
		s->ra_off = off;
	} else if (reg == R_RSP) {
		s->rsp = rule == RULE_SAME ? RULE_SAME : RULE_BAD;
	}
	/* Other registers never matter to an RSP/RBP-based CFA. */
}

static void
restore_rule(struct state *s, const struct state *init, uint64_t reg)
{
	if (reg == R_RBP) {
		s->rbp = init->rbp;
		s->rbp_off = init->rbp_off;
	} else if (reg == R_RA) {
		s->ra = init->ra;
		s->ra_off = init->ra_off;
	} else if (reg == R_RSP) {
		s->rsp = init->rsp;
	}
}

#define STACK_DEPTH 8

/* Runs instructions [r->p, end) while the location is <= target; false when
 * they cannot be followed. */
static bool
run_cfi(struct rd *r, const uint8_t *end, const struct cie *c, uint64_t loc, uint64_t target,
	struct state *s, const struct state *init)
{
	struct state stack[STACK_DEPTH];
	int depth = 0;
	while (r->p < end && loc <= target) {
		if (r->bad)
			return false;
		uint8_t op = (uint8_t)rd_fixed(r, 1);
		uint64_t reg;
		int64_t off;
		switch (op & 0xc0) {
		case 0x40: /* DW_CFA_advance_loc */
			loc += (op & 0x3f) * c->code_align;
			continue;
		case 0x80: /* DW_CFA_offset */
			off = (int64_t)rd_uleb(r) * c->data_align;
			set_rule(s, op & 0x3f, RULE_OFFSET, off);
			continue;
		case 0xc0: /* DW_CFA_restore */
			if (!init)
				return false;
			restore_rule(s, init, op & 0x3f);
			continue;
		}
		switch (op) {
		case 0x00: /* nop */
			break;
		case 0x01: /* set_loc */
			loc = rd_encoded(r, c->fde_enc);
			break;
		case 0x02:
			loc += rd_fixed(r, 1) * c->code_align;
			break; /* advance_loc1 */
		case 0x03:
			loc += rd_fixed(r, 2) * c->code_align;
			break; /* advance_loc2 */
		case 0x04:
			loc += rd_fixed(r, 4) * c->code_align;
			break; /* advance_loc4 */
		case 0x05:     /* offset_extended */
			reg = rd_uleb(r);
			set_rule(s, reg, RULE_OFFSET, (int64_t)rd_uleb(r) * c->data_align);
			break;
		case 0x06: /* restore_extended */
			if (!init)
				return false;
			restore_rule(s, init, rd_uleb(r));
			break;
		case 0x07: /* undefined */
			set_rule(s, rd_uleb(r), RULE_UNDEF, 0);
			break;
		case 0x08: /* same_value */
			set_rule(s, rd_uleb(r), RULE_SAME, 0);
			break;
		case 0x09: /* register */
			reg = rd_uleb(r);
			rd_uleb(r);
			set_rule(s, reg, RULE_BAD, 0);
			break;
		case 0x0a: /* remember_state */
			if (depth == STACK_DEPTH)
				return false;
			stack[depth++] = *s;
			break;
		case 0x0b: /* restore_state */
			if (depth == 0)
				return false;
			*s = stack[--depth];
			break;
		case 0x0c: /* def_cfa */
			s->cfa_reg = (int)rd_uleb(r);
			s->cfa_off = (int64_t)rd_uleb(r);
			break;
		case 0x0d: /* def_cfa_register */
			reg = rd_uleb(r);
			if (s->cfa_reg >= 0)
				s->cfa_reg = (int)reg;
			break;
		case 0x0e: /* def_cfa_offset */
			s->cfa_off = (int64_t)rd_uleb(r);
			break;
		case 0x0f: /* def_cfa_expression */
			s->cfa_reg = -1;
			off = (int64_t)rd_uleb(r);
			if (have(r, (size_t)off))
				r->p += off;
			break;
		case 0x10: /* expression */
		case 0x16: /* val_expression */
			reg = rd_uleb(r);
			set_rule(s, reg, RULE_BAD, 0);
			off = (int64_t)rd_uleb(r);
			if (have(r, (size_t)off))
				r->p += off;
			break;
		case 0x11: /* offset_extended_sf */
			reg = rd_uleb(r);
			set_rule(s, reg, RULE_OFFSET, rd_sleb(r) * c->data_align);
			break;
		case 0x12: /* def_cfa_sf */
			s->cfa_reg = (int)rd_uleb(r);
			s->cfa_off = rd_sleb(r) * c->data_align;
			break;
		case 0x13: /* def_cfa_offset_sf */
			s->cfa_off = rd_sleb(r) * c->data_align;
			break;
		case 0x14: /* val_offset */
			reg = rd_uleb(r);
			rd_uleb(r);
			set_rule(s, reg, RULE_BAD, 0);
			break;
		case 0x15: /* val_offset_sf */
			reg = rd_uleb(r);
			rd_sleb(r);
			set_rule(s, reg, RULE_BAD, 0);
			break;
		case 0x2e: /* GNU_args_size */
			rd_uleb(r);
			break;
		case 0x2f: /* GNU_negative_offset_extended */
			reg = rd_uleb(r);
			set_rule(s, reg, RULE_OFFSET, -(int64_t)rd_uleb(r) * c->data_align);
			break;
		default:
			return false;
		}
	}
	return !r->bad;
}

static bool
parse_cie(struct rd *r, struct cie *c)
{
	uint64_t len = rd_fixed(r, 4);
	if (r->bad || len == 0 || len >= 0xfffffff0u || !have(r, len))
		return false;
	const uint8_t *end = r->p + len;
	if (rd_fixed(r, 4) != 0) /* CIE id */
		return false;
	uint8_t version = (uint8_t)rd_fixed(r, 1);
	if (version != 1 && version != 3)
		return false;
	char aug[8];
	size_t n = 0;
	for (;;) {
		if (!have(r, 1) || n == sizeof aug)
			return false;
		aug[n] = (char)*r->p++;
		if (!aug[n++])
			break;
	}
	c->code_align = rd_uleb(r);
	c->data_align = rd_sleb(r);
	uint64_t ra = version == 1 ? rd_fixed(r, 1) : rd_uleb(r);
	if (r->bad || ra != R_RA || c->code_align == 0)
		return false;
	c->fde_enc = 0; /* absptr */
	c->has_aug_len = aug[0] == 'z';
	if (c->has_aug_len) {
		uint64_t alen = rd_uleb(r);
		if (!have(r, alen))
			return false;
		const uint8_t *aend = r->p + alen;
		for (size_t i = 1; aug[i]; i++) {
			switch (aug[i]) {
			case 'R':
				c->fde_enc = (uint8_t)rd_fixed(r, 1);
				break;
			case 'P': {
				uint8_t penc = (uint8_t)rd_fixed(r, 1);
				rd_encoded(r, (uint8_t)(penc & 0x7f)); /* skipped */
				break;
			}
			case 'L':
				rd_fixed(r, 1);
				break;
			default: /* 'S' (signal frame) and anything unknown */
				return false;
			}
		}
		if (r->bad || r->p > aend)
			return false;
		r->p = aend;
	} else if (aug[0]) {
		return false;
	}
	c->insns = r->p;
	c->insns_end = end;
	return !r->bad;
}

/* The FDE that covers addr, through the module's .eh_frame_hdr search
 * table; NULL if none. */
static const uint8_t *
find_fde(const uint8_t *hdr, const uint8_t *lo, const uint8_t *hi, uint64_t addr)
{
	struct rd r = {hdr, lo, hi, false};
	uint8_t h[4];
	for (int i = 0; i < 4; i++)
		h[i] = (uint8_t)rd_fixed(&r, 1);
	/* version 1; the table: datarel sdata4 pairs; the count: udata4/sdata4. */
	if (r.bad || h[0] != 1 || h[3] != 0x3b || (h[2] != 0x03 && h[2] != 0x0b))
		return NULL;
	rd_encoded(&r, h[1]); /* eh_frame_ptr, unused */
	uint64_t count = rd_fixed(&r, 4);
	if (r.bad || count == 0 || !have(&r, count * 8))
		return NULL;
	const uint8_t *table = r.p;
	uint64_t a = 0, b = count; /* the last entry with start <= addr */
	while (b - a > 1) {
		uint64_t m = a + (b - a) / 2;
		int32_t start;
		memcpy(&start, table + m * 8, 4);
		if ((uint64_t)(uintptr_t)hdr + (uint64_t)(int64_t)start <= addr)
			a = m;
		else
			b = m;
	}
	int32_t start, fde;
	memcpy(&start, table + a * 8, 4);
	memcpy(&fde, table + a * 8 + 4, 4);
	if ((uint64_t)(uintptr_t)hdr + (uint64_t)(int64_t)start > addr)
		return NULL;
	return hdr + fde;
}

static bool
compute_rule(uint64_t addr, struct ws_cfi_rule *out)
{
#ifdef HAVE__DL_FIND_OBJECT
	struct dl_find_object d;
	uint64_t seg_lo, seg_hi;
	if (_dl_find_object((void *)(uintptr_t)addr, &d) != 0 || !d.dlfo_eh_frame)
		return false;
	/* Every read stays in the readable segment that holds .eh_frame_hdr
	 * (.eh_frame is next to it): the gaps between a module's segments may
	 * be PROT_NONE.  Tables elsewhere are libunwind's business. */
	if (ws_modules_readable((uint64_t)(uintptr_t)d.dlfo_map_start,
				(uint64_t)(uintptr_t)d.dlfo_map_end, d.dlfo_eh_frame,
				(uint64_t)(uintptr_t)d.dlfo_eh_frame, &seg_lo, &seg_hi) != 0)
		return false;
	const uint8_t *lo = (const uint8_t *)(uintptr_t)seg_lo,
		      *hi = (const uint8_t *)(uintptr_t)seg_hi;
	const uint8_t *fde = find_fde(d.dlfo_eh_frame, lo, hi, addr);
	if (!fde)
		return false;
	struct rd r = {fde, lo, hi, false};
	uint64_t len = rd_fixed(&r, 4);
	if (r.bad || len == 0 || len >= 0xfffffff0u || !have(&r, len))
		return false;
	const uint8_t *end = r.p + len;
	const uint8_t *idp = r.p;
	uint32_t cie_off = (uint32_t)rd_fixed(&r, 4);
	if (r.bad || cie_off == 0)
		return false;
	struct cie c;
	struct rd rc = {idp - cie_off, lo, hi, false};
	if (!parse_cie(&rc, &c))
		return false;
	uint64_t pc_begin = rd_encoded(&r, c.fde_enc);
	uint64_t pc_range = rd_encoded(&r, (uint8_t)(c.fde_enc & 0x0f));
	if (r.bad || addr < pc_begin || addr - pc_begin >= pc_range)
		return false;
	if (c.has_aug_len) {
		uint64_t alen = rd_uleb(&r);
		if (!have(&r, alen))
			return false;
		r.p += alen;
	}
	struct state init = {-1, 0, RULE_SAME, RULE_SAME, RULE_SAME, 0, 0};
	struct rd ri = {c.insns, lo, hi, false};
	if (!run_cfi(&ri, c.insns_end, &c, 0, ~(uint64_t)0, &init, NULL))
		return false;
	struct state s = init;
	if (!run_cfi(&r, end, &c, pc_begin, addr, &s, &init))
		return false;

	if ((s.cfa_reg != R_RSP && s.cfa_reg != R_RBP) || s.rsp != RULE_SAME || s.rbp == RULE_BAD ||
	    s.ra == RULE_BAD || s.ra == RULE_SAME || s.cfa_off < -(1 << 23) ||
	    s.cfa_off >= (1 << 23) || s.ra_off != (int16_t)s.ra_off ||
	    s.rbp_off != (int16_t)s.rbp_off)
		return false;
	out->cfa_rbp = s.cfa_reg == R_RBP;
	out->cfa_off = (int32_t)s.cfa_off;
	out->ra_undef = s.ra == RULE_UNDEF;
	out->ra_off = (int16_t)s.ra_off;
	out->rbp = s.rbp == RULE_OFFSET	 ? WS_CFI_SAVED
		   : s.rbp == RULE_UNDEF ? WS_CFI_UNDEF
					 : WS_CFI_SAME;
	out->rbp_off = (int16_t)s.rbp_off;
	return true;
#else
	(void)addr;
	(void)out;
	return false;
#endif
}

bool
ws_cfi_rule(uint64_t addr, struct ws_cfi_rule *r)
{
	struct entry *e = &cache[slot_of(addr)];
	uint64_t gen = atomic_load_explicit(&generation, memory_order_relaxed);
	uint64_t p = atomic_load_explicit(&e->rule, memory_order_relaxed);
	uint64_t check = atomic_load_explicit(&e->check, memory_order_relaxed);
	if (!(p & P_VALID) || check != (addr ^ mix(p ^ gen))) {
		p = compute_rule(addr, r) ? pack(r) : (P_VALID | P_SLOW);
		atomic_store_explicit(&e->rule, p, memory_order_relaxed);
		atomic_store_explicit(&e->check, addr ^ mix(p ^ gen), memory_order_relaxed);
	}
	if (p & P_SLOW)
		return false;
	unpack(p, r);
	return true;
}
