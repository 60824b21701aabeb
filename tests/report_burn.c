/* CPU burner with known proportions for report_collector.sh: burn_a spends
 * all its time in inner_loop, an always_inline function, and does three
 * times the work of burn_b; both loops are the same latency-bound chain
 * of a multiply and an add, so burn_a/inner_loop take 75 % of the CPU
 * time and burn_b 25 %.  Usage: report_burn [N] (default 50000000). */
#include <stdio.h>
#include <stdlib.h>

volatile double sink;

static inline __attribute__((always_inline)) double
inner_loop(double s, long n)
{
	for (long i = 0; i < n; i++)
		s = s * 0.999999 + (double)(i & 7);
	return s;
}

__attribute__((noinline)) double
burn_a(long n)
{
	return inner_loop(1.0, n);
}

__attribute__((noinline)) double
burn_b(long n)
{
	double s = 2.0;
	for (long i = 0; i < n; i++)
		s = s * 0.999998 + (double)(i & 3);
	return s;
}

int
main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 50000000;
	sink = burn_a(3 * n);
	sink += burn_b(n);
	printf("%g\n", sink);
	return 0;
}
