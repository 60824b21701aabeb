/* This machine's widest vector instructions from cpuid (see machine_isa.h). */
#include "config.h"

#include "machine_isa.h"

#include <cpuid.h>
#include <stddef.h>
#include <stdint.h>

static uint64_t
xgetbv0(void)
{
	uint32_t lo, hi;
	__asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
	return ((uint64_t)hi << 32) | lo;
}

void
ws_machine_isa(struct ws_machine_isa *out)
{
	unsigned a, b, c, d;
	out->widest = "SSE2";
	out->bits = 128;
	out->fma = false;
	if (!__get_cpuid(1, &a, &b, &c, &d))
		return;
	bool avx = (c & bit_AVX) != 0, osxsave = (c & bit_OSXSAVE) != 0;
	bool fma = (c & bit_FMA) != 0;
	uint64_t xcr0 = osxsave ? xgetbv0() : 0;
	bool ymm = (xcr0 & 0x6) == 0x6;	  /* SSE and AVX state */
	bool zmm = (xcr0 & 0xe6) == 0xe6; /* and opmask, ZMM_Hi256, Hi16_ZMM */
	if (!avx || !ymm)
		return;
	out->widest = "AVX";
	out->bits = 256;
	out->fma = fma;
	unsigned max = __get_cpuid_max(0, NULL);
	if (max < 7)
		return;
	__cpuid_count(7, 0, a, b, c, d);
	if (b & bit_AVX2)
		out->widest = "AVX2";
	if ((b & bit_AVX512F) && zmm) {
		out->widest = "AVX-512F";
		out->bits = 512;
	}
}
