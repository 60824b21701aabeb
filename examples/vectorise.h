/* vectorise: the kernels, declared for the driver (vectorise.c).  The
 * scalar ones are in vectorise_scalar.c, compiled with -fno-tree-vectorize;
 * the SIMD ones in vectorise_simd.c, compiled with -march=native and the
 * vectoriser on (examples/Makefile.am). */
#ifndef WHYSLOW_VECTORISE_H
#define WHYSLOW_VECTORISE_H

/* A particle as an array-of-structs element: one 64-byte cache line. */
struct particle {
	double x, y, z;
	double vx, vy, vz;
	double mass, charge;
};

/* out[i] = x[i]^3 + 4 sin(y[i]), i < n */
void f_scalar(long n, const double *x, const double *y, double *out);
void f_simd(long n, const double *restrict x, const double *restrict y, double *restrict out);

/* d[i] = x[i+1] - x[i], i < n - 1 */
void diff_scalar(long n, const double *x, double *d);
void diff_simd(long n, const double *restrict x, double *restrict d);

/* dst[i] = a src[i], i < n; the same loop with and without restrict */
void copy_alias(double *dst, const double *src, long n, double a);
void copy_restrict(double *restrict dst, const double *restrict src, long n, double a);

/* x += dt vx for n particles: array of structs vs struct of arrays */
void move_aos(long n, struct particle *restrict p, double dt);
void move_soa(long n, double *restrict x, const double *restrict vx, double dt);

#endif
