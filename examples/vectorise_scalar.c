/* vectorise: the scalar kernels.  Built with -fno-tree-vectorize and no
 * -march option (examples/Makefile.am): plain x86-64 code, one element per
 * instruction (mulsd, subsd), and libm's scalar sin() per element.  The
 * same loops as vectorise_simd.c's, so the build flags alone make the
 * difference. */
#include <math.h>

#include "vectorise.h"

#define NOINLINE __attribute__((noinline))

NOINLINE void
f_scalar(long n, const double *x, const double *y, double *out)
{
	for (long i = 0; i < n; i++)
		out[i] = x[i] * x[i] * x[i] + 4.0 * sin(y[i]);
}

NOINLINE void
diff_scalar(long n, const double *x, double *d)
{
	for (long i = 0; i < n - 1; i++)
		d[i] = x[i + 1] - x[i];
}
