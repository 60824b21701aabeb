/* access_stride.sh's program: loops with known memory access patterns,
 * built by the test with fixed flags (-O2 -fno-tree-vectorize -g), so that
 * `whyslow report --memory` has known answers.
 *
 * Usage: access_kernel VARIANT [STRIDE]
 *   contig   sums a 16 MB array of doubles in order: stride 8 bytes
 *   column   sums every STRIDE-th double (default 1000): stride 8 * STRIDE
 *            bytes, a value only known at run time (a register)
 *   aos      p[i].x += dt * p[i].vx over 64-byte structs: 16 of 64 bytes used
 *   chase    walks a linked list in random order: the address comes from a
 *            load (pointer chasing), stride unknown
 * Each runs about 0.4 s of CPU; prints a checksum.  Exit 0, 2 on a usage
 * error. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#if defined(__clang__)
#define NOINLINE __attribute__((noinline))
#else
#define NOINLINE __attribute__((noinline, noclone))
#endif

#define BYTES (16L << 20)

struct particle {
	double x, y, z, vx, vy, vz, mass, charge;
};

struct node {
	struct node *next;
	double pad[7];
};

NOINLINE double
contig(const double *a, long n)
{
	double s = 0;
	for (long i = 0; i < n; i++)
		s += a[i];
	return s;
}

NOINLINE double
column(const double *a, long rows, long stride)
{
	double s = 0;
	for (long i = 0; i < rows; i++)
		s += a[i * stride];
	return s;
}

NOINLINE void
move(struct particle *p, long n, double dt)
{
	for (long i = 0; i < n; i++)
		p[i].x += dt * p[i].vx;
}

NOINLINE long
chase(const struct node *p, long steps)
{
	long k = 0;
	for (long i = 0; i < steps; i++) {
		p = p->next;
		k += p != NULL;
	}
	return k;
}

static double
cpu_seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int
main(int argc, char **argv)
{
	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: access_kernel contig|column|aos|chase [STRIDE]\n");
		return 2;
	}
	const char *v = argv[1];
	long stride = argc > 2 ? atol(argv[2]) : 1000;
	if (stride < 1 || stride > 100000) {
		fprintf(stderr, "access_kernel: STRIDE must be in [1, 100000]\n");
		return 2;
	}
	char *mem = malloc(BYTES);
	if (!mem)
		return 2;
	double sum = 0, t0 = cpu_seconds();
	if (!strcmp(v, "contig") || !strcmp(v, "column")) {
		double *a = (double *)mem;
		long n = BYTES / sizeof *a;
		for (long i = 0; i < n; i++)
			a[i] = (double)(i % 7);
		do {
			if (v[1] == 'o' && v[2] == 'n')
				sum += contig(a, n);
			else
				for (long j = 0; j < stride; j++)
					sum += column(a + j, n / stride, stride);
		} while (cpu_seconds() - t0 < 0.4);
	} else if (!strcmp(v, "aos")) {
		struct particle *p = (struct particle *)mem;
		long n = BYTES / sizeof *p;
		memset(p, 0, BYTES);
		for (long i = 0; i < n; i++)
			p[i].vx = 1.0;
		do {
			move(p, n, 0.5);
			sum += p[n - 1].x;
		} while (cpu_seconds() - t0 < 0.4);
	} else if (!strcmp(v, "chase")) {
		struct node *nd = (struct node *)mem;
		long n = BYTES / sizeof *nd;
		long *order = malloc(n * sizeof *order);
		if (!order)
			return 2;
		for (long i = 0; i < n; i++)
			order[i] = i;
		srand(1);
		for (long i = n - 1; i > 0; i--) {
			long j = rand() % (i + 1), t = order[i];
			order[i] = order[j];
			order[j] = t;
		}
		for (long i = 0; i < n; i++)
			nd[order[i]].next = &nd[order[(i + 1) % n]];
		free(order);
		do
			sum += (double)chase(nd, n);
		while (cpu_seconds() - t0 < 0.4);
	} else {
		fprintf(stderr, "access_kernel: unknown variant '%s'\n", v);
		return 2;
	}
	printf("access_kernel %s checksum %.0f\n", v, sum);
	free(mem);
	return 0;
}
