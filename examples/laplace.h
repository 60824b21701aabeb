/* The grid, the serial Jacobi sweep and the checks shared by laplace.c
 * (serial, OpenMP) and laplace_cuda.cu (CUDA), so that every variant is
 * compared with the same serial answer.  C and C++ (nvcc's host compiler)
 * alike.  Include after example_util.h.
 *
 * The grid is N x N doubles, row-major, u[i * n + j] with i the row.  The
 * boundary is fixed: the top row (i = 0) is 1, the left column (j = 0) falls
 * linearly from 1 to 0 down the grid, the bottom row and the right column are
 * 0; the interior starts at 0.  (The course's lap2d grid is all zeros, which
 * every sweep leaves at zero, so a kernel that did nothing would pass.)
 *
 * One Jacobi sweep writes every interior point of unew as the mean of its
 * four neighbours in u; the boundary is never written.  ITERATIONS sweeps
 * alternate between two grids, both initialised the same way.
 */
#ifndef WHYSLOW_LAPLACE_H
#define WHYSLOW_LAPLACE_H

#ifdef __cplusplus
#define LAPLACE_RESTRICT __restrict__
#else
#define LAPLACE_RESTRICT restrict
#endif

#ifndef NOINLINE
#define NOINLINE __attribute__((noinline))
#endif

#define DEFAULT_N 4096L
#define DEFAULT_ITERATIONS 20L
#define MAX_N 32768L
#define MAX_ITERATIONS 100000000L
/* Largest difference from the serial grid a variant may have.  Every
 * variant computes each point with the same expression, so the grids are
 * normally identical; the margin allows a compiler's reassociation. */
#define LAPLACE_TOLERANCE 1e-12
/* The serial reference costs N^2 x ITERATIONS point updates (about a
 * nanosecond each).  Above this many it is computed, and the variant rerun
 * untimed, on a CHECK_N x CHECK_N grid instead. */
#define CHECK_LIMIT 4e9
#define CHECK_N 512L

/* Two grids; result is the one the last sweep wrote, prev the other. */
struct grids {
	long n;
	double *buf[2];
	double *result, *prev;
};

static inline void
laplace_init(long n, double *u)
{
	memset(u, 0, (size_t)n * n * sizeof *u);
	for (long i = 0; i < n; i++)
		u[i * n] = 1.0 - (double)i / (double)(n - 1); /* left */
	for (long j = 0; j < n; j++)
		u[j] = 1.0; /* top */
}

/* Both grids allocated and initialised; exit 2 when memory runs out. */
static inline void
grids_new(struct grids *g, long n)
{
	g->n = n;
	for (int k = 0; k < 2; k++) {
		g->buf[k] = (double *)malloc((size_t)n * n * sizeof(double));
		if (!g->buf[k]) {
			fprintf(stderr, EXAMPLE_NAME ": cannot allocate a %ld x %ld grid: %s\n", n,
				n, strerror(errno));
			exit(2);
		}
		laplace_init(n, g->buf[k]);
	}
	g->result = g->buf[0];
	g->prev = g->buf[1];
}

static inline void
grids_free(struct grids *g)
{
	free(g->buf[0]);
	free(g->buf[1]);
}

/* After `iterations` sweeps starting from buf[0]: which grid holds what. */
static inline void
grids_done(struct grids *g, long iterations)
{
	g->result = g->buf[iterations & 1];
	g->prev = g->buf[!(iterations & 1)];
}

/* ---- serial: the reference ---- */

NOINLINE void
jacobi_sweep(long n, const double *LAPLACE_RESTRICT u, double *LAPLACE_RESTRICT unew)
{
	for (long i = 1; i < n - 1; i++)
		for (long j = 1; j < n - 1; j++)
			unew[i * n + j] = 0.25 * (u[(i - 1) * n + j] + u[(i + 1) * n + j] +
						  u[i * n + j - 1] + u[i * n + j + 1]);
}

NOINLINE void
laplace_serial(struct grids *g, long iterations)
{
	double *u = g->buf[0], *unew = g->buf[1];
	for (long k = 0; k < iterations; k++) {
		jacobi_sweep(g->n, u, unew);
		double *t = u;
		u = unew;
		unew = t;
	}
	grids_done(g, iterations);
}

/* ---- checks ---- */

/* The size at which the serial reference is affordable: N x N with the same
 * iterations when N^2 x ITERATIONS <= CHECK_LIMIT, else a smaller grid. */
static inline void
check_size(long n, long iterations, long *cn, long *citerations)
{
	*cn = n;
	*citerations = iterations;
	if ((double)n * n * iterations <= CHECK_LIMIT)
		return;
	if (n > CHECK_N)
		*cn = CHECK_N;
	long most = (long)(CHECK_LIMIT / ((double)*cn * *cn));
	if (*citerations > most)
		*citerations = most;
}

/* Checks that need no reference, for any variant: the boundary is
 * untouched, every value lies in [0, 1] (the discrete maximum principle),
 * and the heat front from the top edge stands where ITERATIONS sweeps put
 * it.  After k sweeps the top edge's heat has reached row k exactly: far
 * from the left edge (column n/2 > k) that point holds 4^-k, an exact power
 * of two, and row k + 1 is still exactly 0 -- so a variant that skipped,
 * repeated or mixed up sweeps fails.  (Checked while 4^-k is a double:
 * k <= 537.)  NULL when all hold, else what failed. */
static inline const char *
laplace_verify(long n, long iterations, const double *u)
{
	static char why[160];
	for (long i = 0; i < n; i++) {
		double left = 1.0 - (double)i / (double)(n - 1);
		if (i > 0 && (u[i * n] != left || u[i * n + n - 1] != 0.0))
			return "the left or right boundary changed";
	}
	for (long j = 0; j < n; j++)
		if (u[j] != 1.0 || (j > 0 && j < n - 1 && u[(n - 1) * n + j] != 0.0))
			return "the top or bottom boundary changed";
	for (long i = 1; i < n - 1; i++)
		for (long j = 1; j < n - 1; j++)
			if (!(u[i * n + j] >= 0.0 && u[i * n + j] <= 1.0)) {
				snprintf(why, sizeof why, "u[%ld][%ld] = %g is outside [0, 1]", i,
					 j, u[i * n + j]);
				return why;
			}
	long k = iterations, jc = n / 2;
	if (k >= 1 && k < jc && k <= 537) {
		double front = ldexp(1.0, (int)(-2 * k));
		if (u[k * n + jc] != front || u[(k + 1) * n + jc] != 0.0) {
			snprintf(
			    why, sizeof why,
			    "heat front: u[%ld][%ld] = %.17g (want 4^-%ld), u[%ld][%ld] = %.17g "
			    "(want 0)",
			    k, jc, u[k * n + jc], k, k + 1, jc, u[(k + 1) * n + jc]);
			return why;
		}
	}
	return NULL;
}

static inline double
max_abs_diff(long n, const double *a, const double *b)
{
	double d = 0.0;
	for (long i = 0; i < n * n; i++) {
		double e = fabs(a[i] - b[i]);
		if (!(e <= d)) { /* a NaN counts too, and stays */
			d = e;
			if (isnan(e))
				break;
		}
	}
	return d;
}

/* Sum over the interior: the printed result. */
static inline double
interior_sum(long n, const double *u)
{
	double s = 0.0;
	for (long i = 1; i < n - 1; i++)
		for (long j = 1; j < n - 1; j++)
			s += u[i * n + j];
	return s;
}

#endif
