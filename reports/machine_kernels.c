/* The kernels `whyslow machine` times (see machine_kernels.h).
 *
 * Each FLOP kernel is one instantiation of FMA_KERNEL or MULADD_KERNEL
 * below, with the vector type and intrinsics of its width #defined just
 * before it (VT, CT, SET1, FMADD, MUL, ADD) and its instruction set given
 * as a target attribute: the rest of whyslow keeps the baseline flags, and
 * only the kernel that cpuid allows is ever called. */
#include "config.h"

#include "machine_kernels.h"

#include <immintrin.h>
#include <string.h>

#include "machine_isa.h"

#define C12(X) X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7) X(8) X(9) X(10) X(11)
#define C11(X) X(1) X(2) X(3) X(4) X(5) X(6) X(7) X(8) X(9) X(10) X(11)

/* chain i starts at its own value: identical chains could be merged */
#define DECL(i) VT x##i = SET1((CT)(1.0 + 0.01 * (i)));
#define STEP_FMA(i) x##i = FMADD(x##i, va, vb);
/* without FMA: chains 0-5 multiply, 6-11 add (both pipes busy) */
#define STEP_MULADD(i) x##i = (i) < 6 ? MUL(x##i, vm) : ADD(x##i, vb);
#define SUM(i) s = ADD(s, x##i);

/* the sum of s's elements (whatever the width) */
#define REDUCE_RETURN()                                                                            \
	CT t[sizeof(VT) / sizeof(CT)];                                                             \
	memcpy(t, &s, sizeof t);                                                                   \
	double r = 0;                                                                              \
	for (size_t k = 0; k < sizeof t / sizeof t[0]; k++)                                        \
		r += t[k];                                                                         \
	return r;

#define FMA_KERNEL(NAME, TARGET)                                                                   \
	__attribute__((target(TARGET), noinline)) double NAME(long iters, double a, double b,      \
							      double m)                            \
	{                                                                                          \
		VT va = SET1((CT)a), vb = SET1((CT)b);                                             \
		(void)m;                                                                           \
		C12(DECL)                                                                          \
		for (long it = 0; it < iters; it++) {                                              \
			C12(STEP_FMA)                                                              \
		}                                                                                  \
		VT s = x0;                                                                         \
		C11(SUM)                                                                           \
		REDUCE_RETURN()                                                                    \
	}

#define MULADD_KERNEL(NAME, TARGET)                                                                \
	__attribute__((target(TARGET), noinline)) double NAME(long iters, double a, double b,      \
							      double m)                            \
	{                                                                                          \
		VT vm = SET1((CT)m), vb = SET1((CT)b);                                             \
		(void)a;                                                                           \
		C12(DECL)                                                                          \
		for (long it = 0; it < iters; it++) {                                              \
			C12(STEP_MULADD)                                                           \
		}                                                                                  \
		VT s = x0;                                                                         \
		C11(SUM)                                                                           \
		REDUCE_RETURN()                                                                    \
	}

/* The kernels are external (hidden from nothing: whyslow is a program) so
 * that their names are in the symbol table for tests/machine_disasm.sh. */
#define PROTO(n) double n(long iters, double a, double b, double m);
PROTO(ws_kern_scalar_d)
PROTO(ws_kern_scalar_fma_d)
PROTO(ws_kern_sse2_d)
PROTO(ws_kern_fma128_d)
PROTO(ws_kern_avx_d)
PROTO(ws_kern_fma256_d)
PROTO(ws_kern_fma512_d)
PROTO(ws_kern_scalar_s)
PROTO(ws_kern_scalar_fma_s)
PROTO(ws_kern_sse2_s)
PROTO(ws_kern_fma128_s)
PROTO(ws_kern_avx_s)
PROTO(ws_kern_fma256_s)
PROTO(ws_kern_fma512_s)

/* ---- double ---- */
#define CT double

/* scalar: the low element of an xmm register (addsd, mulsd, vfmadd231sd) */
#define VT __m128d
#define SET1 _mm_set_sd
#define MUL _mm_mul_sd
#define ADD _mm_add_sd
#define FMADD _mm_fmadd_sd
MULADD_KERNEL(ws_kern_scalar_d, "sse2")
FMA_KERNEL(ws_kern_scalar_fma_d, "fma")
#undef SET1
#undef MUL
#undef ADD
#undef FMADD

/* 128-bit packed */
#define SET1 _mm_set1_pd
#define MUL _mm_mul_pd
#define ADD _mm_add_pd
#define FMADD _mm_fmadd_pd
MULADD_KERNEL(ws_kern_sse2_d, "sse2")
FMA_KERNEL(ws_kern_fma128_d, "fma")
#undef VT
#undef SET1
#undef MUL
#undef ADD
#undef FMADD

/* 256-bit packed */
#define VT __m256d
#define SET1 _mm256_set1_pd
#define MUL _mm256_mul_pd
#define ADD _mm256_add_pd
#define FMADD _mm256_fmadd_pd
MULADD_KERNEL(ws_kern_avx_d, "avx")
FMA_KERNEL(ws_kern_fma256_d, "avx,fma")
#undef VT
#undef SET1
#undef MUL
#undef ADD
#undef FMADD

/* 512-bit packed: AVX-512F always has FMA */
#define VT __m512d
#define SET1 _mm512_set1_pd
#define ADD _mm512_add_pd
#define FMADD _mm512_fmadd_pd
FMA_KERNEL(ws_kern_fma512_d, "avx512f")
#undef VT
#undef SET1
#undef ADD
#undef FMADD
#undef CT

/* ---- single ---- */
#define CT float

#define VT __m128
#define SET1 _mm_set_ss
#define MUL _mm_mul_ss
#define ADD _mm_add_ss
#define FMADD _mm_fmadd_ss
MULADD_KERNEL(ws_kern_scalar_s, "sse2")
FMA_KERNEL(ws_kern_scalar_fma_s, "fma")
#undef SET1
#undef MUL
#undef ADD
#undef FMADD

#define SET1 _mm_set1_ps
#define MUL _mm_mul_ps
#define ADD _mm_add_ps
#define FMADD _mm_fmadd_ps
MULADD_KERNEL(ws_kern_sse2_s, "sse2")
FMA_KERNEL(ws_kern_fma128_s, "fma")
#undef VT
#undef SET1
#undef MUL
#undef ADD
#undef FMADD

#define VT __m256
#define SET1 _mm256_set1_ps
#define MUL _mm256_mul_ps
#define ADD _mm256_add_ps
#define FMADD _mm256_fmadd_ps
MULADD_KERNEL(ws_kern_avx_s, "avx")
FMA_KERNEL(ws_kern_fma256_s, "avx,fma")
#undef VT
#undef SET1
#undef MUL
#undef ADD
#undef FMADD

#define VT __m512
#define SET1 _mm512_set1_ps
#define ADD _mm512_add_ps
#define FMADD _mm512_fmadd_ps
FMA_KERNEL(ws_kern_fma512_s, "avx512f")
#undef VT
#undef SET1
#undef ADD
#undef FMADD
#undef CT

/* clang-format off */
#define K(sym, single, bits, lanes, fma, isa, isa_name) \
	{#sym, single, bits, lanes, fma, isa, isa_name, sym, \
	 (double)WS_KERN_CHAINS * (lanes) * ((fma) ? 2 : 1)}
/* clang-format on */

static const struct ws_kern kernels[] = {
    K(ws_kern_scalar_d, false, 0, 1, false, WS_ISA_SSE2, "SSE2"),
    K(ws_kern_scalar_fma_d, false, 0, 1, true, WS_ISA_FMA, "FMA3"),
    K(ws_kern_sse2_d, false, 128, 2, false, WS_ISA_SSE2, "SSE2"),
    K(ws_kern_fma128_d, false, 128, 2, true, WS_ISA_FMA, "FMA3"),
    K(ws_kern_avx_d, false, 256, 4, false, WS_ISA_AVX, "AVX"),
    K(ws_kern_fma256_d, false, 256, 4, true, WS_ISA_AVX_FMA, "AVX+FMA3"),
    K(ws_kern_fma512_d, false, 512, 8, true, WS_ISA_AVX512F, "AVX-512F"),
    K(ws_kern_scalar_s, true, 0, 1, false, WS_ISA_SSE2, "SSE2"),
    K(ws_kern_scalar_fma_s, true, 0, 1, true, WS_ISA_FMA, "FMA3"),
    K(ws_kern_sse2_s, true, 128, 4, false, WS_ISA_SSE2, "SSE2"),
    K(ws_kern_fma128_s, true, 128, 4, true, WS_ISA_FMA, "FMA3"),
    K(ws_kern_avx_s, true, 256, 8, false, WS_ISA_AVX, "AVX"),
    K(ws_kern_fma256_s, true, 256, 8, true, WS_ISA_AVX_FMA, "AVX+FMA3"),
    K(ws_kern_fma512_s, true, 512, 16, true, WS_ISA_AVX512F, "AVX-512F"),
};

const struct ws_kern *
ws_kern_all(size_t *n)
{
	*n = sizeof kernels / sizeof kernels[0];
	return kernels;
}

bool
ws_kern_supported(enum ws_kern_isa isa)
{
	struct ws_machine_isa m;
	ws_machine_isa(&m); /* cpuid and xgetbv: the OS saves the registers too */
	switch (isa) {
	case WS_ISA_SSE2:
		return true; /* the x86-64 baseline */
	case WS_ISA_FMA:
		return m.fma; /* VEX-encoded: needs the AVX state, which m.fma implies */
	case WS_ISA_AVX:
		return m.bits >= 256;
	case WS_ISA_AVX_FMA:
		return m.bits >= 256 && m.fma;
	case WS_ISA_AVX512F:
		return m.bits >= 512;
	}
	return false;
}

__attribute__((target("avx"))) static void
triad_avx(double *a, const double *b, const double *c, double s, size_t n)
{
	__m256d vs = _mm256_set1_pd(s);
	size_t i = 0;
	for (; i + 4 <= n; i += 4)
		_mm256_storeu_pd(a + i, _mm256_add_pd(_mm256_loadu_pd(b + i),
						      _mm256_mul_pd(vs, _mm256_loadu_pd(c + i))));
	for (; i < n; i++)
		a[i] = b[i] + s * c[i];
}

static void
triad_sse2(double *a, const double *b, const double *c, double s, size_t n)
{
	__m128d vs = _mm_set1_pd(s);
	size_t i = 0;
	for (; i + 2 <= n; i += 2)
		_mm_storeu_pd(a + i,
			      _mm_add_pd(_mm_loadu_pd(b + i), _mm_mul_pd(vs, _mm_loadu_pd(c + i))));
	for (; i < n; i++)
		a[i] = b[i] + s * c[i];
}

void
ws_kern_triad(double *a, const double *b, const double *c, double s, size_t n)
{
	if (ws_kern_supported(WS_ISA_AVX))
		triad_avx(a, b, c, s, n);
	else
		triad_sse2(a, b, c, s, n);
}
