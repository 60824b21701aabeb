/* vectorise: the vectorised kernels.  Built with -march=native (AVX2 where
 * the build machine has it), the vectoriser on with the dynamic cost model
 * (-O3's), -ffast-math so that glibc's math.h declares the libmvec vector
 * sin (_ZGVdN4v_sin: four sines per call), -ffp-contract=off so the
 * results round like the scalar ones, and
 * --param=vect-max-version-for-alias-checks=0, which stops GCC from
 * guarding a loop over possibly-aliasing pointers with a run-time overlap
 * check and a vector copy: without restrict the loop then stays scalar
 * (examples/Makefile.am, examples/README.md). */
#include <math.h>

#include "vectorise.h"

#define NOINLINE __attribute__((noinline))

NOINLINE void
f_simd(long n, const double *restrict x, const double *restrict y, double *restrict out)
{
	for (long i = 0; i < n; i++)
		out[i] = x[i] * x[i] * x[i] + 4.0 * sin(y[i]);
}

NOINLINE void
diff_simd(long n, const double *restrict x, double *restrict d)
{
	for (long i = 0; i < n - 1; i++)
		d[i] = x[i + 1] - x[i];
}

/* dst and src may overlap as far as the compiler knows: a store to dst[i]
 * could change src[i + 1], so each element is loaded after the previous
 * one is stored, one at a time. */
NOINLINE void
copy_alias(double *dst, const double *src, long n, double a)
{
	for (long i = 0; i < n; i++)
		dst[i] = a * src[i];
}

/* restrict promises no overlap: four elements per instruction. */
NOINLINE void
copy_restrict(double *restrict dst, const double *restrict src, long n, double a)
{
	for (long i = 0; i < n; i++)
		dst[i] = a * src[i];
}

/* Array of structs: x and vx are 8 doubles apart, so every particle's whole
 * 64-byte line is read and written back for 16 bytes of use. */
NOINLINE void
move_aos(long n, struct particle *restrict p, double dt)
{
	for (long i = 0; i < n; i++)
		p[i].x += dt * p[i].vx;
}

/* Struct of arrays: x and vx each contiguous, every byte fetched is used. */
NOINLINE void
move_soa(long n, double *restrict x, const double *restrict vx, double dt)
{
	for (long i = 0; i < n; i++)
		x[i] += dt * vx[i];
}
