/* integrate_rows: a left Riemann sum of f(x) = x^2 - x for each of 1000
 * rows of (a, b, N), at three levels of interpreter overhead.
 *
 * ENCCS "High Performance Data Analytics in Python", performance-boosting
 * episode (integrate_*.py and the Cython/Numba notebooks): a DataFrame of
 * 1000 rows with a and b standard normal and N a random integer in
 * [100, 1000), about 0.55 million evaluations of f in all, integrated row by
 * row.  The lesson's ladder: Python 194 ms, Cython without types 141 ms,
 * typed arguments 64.1 ms, cdef functions 54.9 ms, typed locals 13.8 ms,
 * Numba 474 us.  The C variants:
 *
 *   boxed     every number is a heap object with a type pointer, and every
 *             +, -, *, / goes through the type's function table and
 *             allocates its result: the C picture of the interpreter and of
 *             untyped Cython, which does the same through the Python C API
 *   indirect  plain doubles, but f is called through a function pointer
 *             for each point (a call the compiler cannot inline: cpdef
 *             functions called through their Python entry point)
 *   inlined   plain doubles and f inlined into the loop: typed Cython with
 *             cdef inline functions, or Numba
 *   all       every variant in turn
 *
 * Usage: integrate_rows VARIANT [ROWS] [REPEAT]
 *   ROWS default 1000 (the course's table; row i is the same whatever ROWS
 *   is).  The whole table is integrated REPEAT times (the course's %timeit
 *   loops) so that a profile has samples: default 10 for boxed, 300 for the
 *   others.  The time per pass is printed too.
 *
 * Every row's sum is checked against the closed form of the same left
 * Riemann sum (within 1e-9 relative), and its distance from the exact
 * integral b^3/3 - b^2/2 - a^3/3 + a^2/2 against the left rule's error
 * bound |b - a| |dx| max|f'| / 2.  Exit 0 when every row passes, 1 when one
 * does not, 2 on a usage error.
 *
 * Kernels: integrate_table_boxed, integrate_f_boxed, f_boxed and the box_*
 * operations; integrate_table_indirect, integrate_f_indirect, f;
 * integrate_table_inlined, integrate_f_inlined.
 */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define EXAMPLE_NAME "integrate_rows"
#include "example_util.h"

#define NOINLINE __attribute__((noinline))
/* noclone too: no copy specialised for a known function pointer */
#define OPAQUE __attribute__((noinline, noclone))
#define DEFAULT_ROWS 1000L
#define DEFAULT_REPEAT_BOXED 10L
#define DEFAULT_REPEAT 300L
#define SEED 20220517u
#define TOLERANCE 1e-9

struct row {
	double a, b;
	long n;
};

/* ---- the table: a, b ~ N(0, 1), N uniform in [100, 1000) ---- */

static uint64_t
splitmix64(uint64_t x)
{
	uint64_t z = x + 0x9e3779b97f4a7c15ULL;
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Uniform in (0, 1) from stream position k. */
static double
uniform(uint64_t k)
{
	return ((splitmix64(k) >> 11) + 0.5) * 0x1p-53;
}

static void
make_table(struct row *rows, long count)
{
	for (long i = 0; i < count; i++) {
		uint64_t k = (uint64_t)SEED * 4 + (uint64_t)i * 4;
		double r = sqrt(-2.0 * log(uniform(k))), theta = 2.0 * M_PI * uniform(k + 1);
		rows[i].a = r * cos(theta); /* Box-Muller: two independent normals */
		rows[i].b = r * sin(theta);
		rows[i].n = 100 + (long)(splitmix64(k + 2) % 900);
	}
}

/* ---- boxed: numbers as heap objects, operations through a type table ---- */

struct object;
struct type {
	const char *name;
	struct object *(*add)(const struct object *, const struct object *);
	struct object *(*sub)(const struct object *, const struct object *);
	struct object *(*mul)(const struct object *, const struct object *);
	struct object *(*div)(const struct object *, const struct object *);
};

struct object {
	const struct type *type;
	double value;
};

static const struct type float_type;

NOINLINE struct object *
box_new(double value)
{
	struct object *o = malloc(sizeof *o);
	if (!o)
		die_errno(errno, "malloc");
	o->type = &float_type;
	o->value = value;
	return o;
}

NOINLINE void
box_release(struct object *o)
{
	free(o);
}

NOINLINE struct object *
box_add(const struct object *x, const struct object *y)
{
	return box_new(x->value + y->value);
}

NOINLINE struct object *
box_sub(const struct object *x, const struct object *y)
{
	return box_new(x->value - y->value);
}

NOINLINE struct object *
box_mul(const struct object *x, const struct object *y)
{
	return box_new(x->value * y->value);
}

NOINLINE struct object *
box_div(const struct object *x, const struct object *y)
{
	return box_new(x->value / y->value);
}

static const struct type float_type = {"float", box_add, box_sub, box_mul, box_div};

/* x op y, looked up in x's type like the interpreter's binary operations */
#define ADD(x, y) ((x)->type->add((x), (y)))
#define SUB(x, y) ((x)->type->sub((x), (y)))
#define MUL(x, y) ((x)->type->mul((x), (y)))
#define DIV(x, y) ((x)->type->div((x), (y)))

/* f(x) = x**2 - x */
NOINLINE struct object *
f_boxed(const struct object *x)
{
	struct object *x2 = MUL(x, x);
	struct object *r = SUB(x2, x);
	box_release(x2);
	return r;
}

/* s = 0; dx = (b - a) / N; for i in range(N): s += f(a + i * dx); return s * dx */
OPAQUE struct object *
integrate_f_boxed(const struct object *a, const struct object *b, const struct object *n)
{
	struct object *s = box_new(0.0);
	struct object *width = SUB(b, a);
	struct object *dx = DIV(width, n);
	box_release(width);
	for (long i = 0; i < (long)n->value; i++) {
		struct object *io = box_new((double)i);
		struct object *step = MUL(io, dx);
		struct object *x = ADD(a, step);
		struct object *fx = f_boxed(x);
		struct object *s2 = ADD(s, fx);
		box_release(io);
		box_release(step);
		box_release(x);
		box_release(fx);
		box_release(s);
		s = s2;
	}
	struct object *r = MUL(s, dx);
	box_release(s);
	box_release(dx);
	return r;
}

NOINLINE void
integrate_table_boxed(const struct row *rows, long count, double *out)
{
	for (long i = 0; i < count; i++) {
		struct object *a = box_new(rows[i].a), *b = box_new(rows[i].b),
			      *n = box_new((double)rows[i].n);
		struct object *r = integrate_f_boxed(a, b, n);
		out[i] = r->value;
		box_release(r);
		box_release(a);
		box_release(b);
		box_release(n);
	}
}

/* ---- indirect: doubles, f called through a pointer for every point ---- */

NOINLINE double
f(double x)
{
	return x * x - x;
}

OPAQUE double
integrate_f_indirect(double a, double b, long n, double (*fn)(double))
{
	double s = 0.0, dx = (b - a) / n;
	for (long i = 0; i < n; i++)
		s += fn(a + i * dx);
	return s * dx;
}

NOINLINE void
integrate_table_indirect(const struct row *rows, long count, double *out)
{
	for (long i = 0; i < count; i++)
		out[i] = integrate_f_indirect(rows[i].a, rows[i].b, rows[i].n, f);
}

/* ---- inlined: doubles, f inlined into the loop ---- */

static inline double
f_inline(double x)
{
	return x * x - x;
}

OPAQUE double
integrate_f_inlined(double a, double b, long n)
{
	double s = 0.0, dx = (b - a) / n;
	for (long i = 0; i < n; i++)
		s += f_inline(a + i * dx);
	return s * dx;
}

NOINLINE void
integrate_table_inlined(const struct row *rows, long count, double *out)
{
	for (long i = 0; i < count; i++)
		out[i] = integrate_f_inlined(rows[i].a, rows[i].b, rows[i].n);
}

/* ---- checks ---- */

/* The same left sum in closed form: dx sum_{i<N} (a + i dx)^2 - (a + i dx). */
static double
riemann_closed_form(double a, double b, long n)
{
	double dx = (b - a) / n, nn = (double)n;
	double s1 = nn * (nn - 1) / 2, s2 = (nn - 1) * nn * (2 * nn - 1) / 6;
	return dx * (nn * a * a + 2 * a * dx * s1 + dx * dx * s2 - nn * a - dx * s1);
}

static double
antiderivative(double x)
{
	return x * x * x / 3 - x * x / 2;
}

/* ---- driver ---- */

typedef void table_fn(const struct row *, long, double *);

static const struct variant {
	const char *name;
	table_fn *table;
	long repeat;
} variants[] = {
    {"boxed", integrate_table_boxed, DEFAULT_REPEAT_BOXED},
    {"indirect", integrate_table_indirect, DEFAULT_REPEAT},
    {"inlined", integrate_table_inlined, DEFAULT_REPEAT},
};
#define NVARIANTS (sizeof variants / sizeof *variants)

static int
run(const struct variant *v, const struct row *rows, long count, long repeat)
{
	if (repeat <= 0)
		repeat = v->repeat;
	double *out = malloc((size_t)count * sizeof *out);
	if (!out)
		die_errno(errno, "malloc");
	double t0 = now();
	for (long r = 0; r < repeat; r++)
		v->table(rows, count, out);
	double elapsed = now() - t0;

	double total = 0.0, worst = 0.0, worst_exact = 0.0;
	long points = 0, bad = -1;
	for (long i = 0; i < count; i++) {
		double a = rows[i].a, b = rows[i].b, dx = (b - a) / rows[i].n;
		double want = riemann_closed_form(a, b, rows[i].n);
		double err = fabs(out[i] - want) / fmax(1.0, fabs(want));
		double exact = antiderivative(b) - antiderivative(a);
		double bound = fabs(b - a) * fabs(dx) * fmax(fabs(2 * a - 1), fabs(2 * b - 1)) / 2;
		double off = fabs(out[i] - exact);
		if (!(err <= TOLERANCE) || !(off <= bound + 1e-12)) {
			if (bad < 0)
				bad = i;
			worst = INFINITY;
		}
		if (err > worst)
			worst = err;
		if (off > worst_exact)
			worst_exact = off;
		total += out[i];
		points += rows[i].n;
	}
	printf("integrate_rows %-8s rows=%ld points=%ld repeat=%ld sum=%.12f error=%.3g "
	       "max|sum-integral|=%.3g time=%.3f s per-pass=%.3f ms\n",
	       v->name, count, points, repeat, total, worst, worst_exact, elapsed,
	       elapsed / repeat * 1e3);
	fflush(stdout);
	if (bad >= 0) {
		fprintf(stderr,
			"integrate_rows: %s: row %ld (a=%g b=%g N=%ld) is wrong: got %.17g, the "
			"left sum is %.17g, the integral %.17g\n",
			v->name, bad, rows[bad].a, rows[bad].b, rows[bad].n, out[bad],
			riemann_closed_form(rows[bad].a, rows[bad].b, rows[bad].n),
			antiderivative(rows[bad].b) - antiderivative(rows[bad].a));
		free(out);
		return 1;
	}
	free(out);
	return 0;
}

static void
usage(FILE *f)
{
	fprintf(f,
		"usage: integrate_rows boxed|indirect|inlined|all [ROWS] [REPEAT]\n"
		"  left Riemann sum of x^2 - x over ROWS rows of (a, b, N), default %ld;\n"
		"  the table is integrated REPEAT times, default %ld for boxed, %ld otherwise\n"
		"  exit 0 ok, 1 a row is wrong, 2 usage error\n",
		DEFAULT_ROWS, DEFAULT_REPEAT_BOXED, DEFAULT_REPEAT);
}

int
main(int argc, char **argv)
{
	if (argc < 2 || argc > 4) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		usage(stdout);
		return 0;
	}
	long count = DEFAULT_ROWS, repeat = 0;
	if (argc > 2 && parse_count(argv[2], 1, 1e8, "ROWS", &count))
		return 2;
	if (argc > 3 && parse_count(argv[3], 1, 1e9, "REPEAT", &repeat))
		return 2;

	int all = !strcmp(argv[1], "all");
	int found = 0;
	for (size_t i = 0; i < NVARIANTS; i++)
		found |= !strcmp(argv[1], variants[i].name);
	if (!all && !found) {
		fprintf(stderr, "integrate_rows: unknown variant '%s'\n", argv[1]);
		usage(stderr);
		return 2;
	}
	struct row *rows = malloc((size_t)count * sizeof *rows);
	if (!rows)
		die_errno(errno, "malloc");
	make_table(rows, count);
	int status = 0;
	for (size_t i = 0; i < NVARIANTS; i++) {
		if (!all && strcmp(argv[1], variants[i].name))
			continue;
		int s = run(&variants[i], rows, count, repeat);
		if (s > status)
			status = s;
	}
	free(rows);
	return status;
}
