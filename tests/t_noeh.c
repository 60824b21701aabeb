/* Spins under a library without unwind tables.
 *   t_noeh LIBRARY [ITERATIONS]
 * dlopens LIBRARY (libtnoeh.so) and calls its noeh_spin(ITERATIONS,
 * default 3e6, t_noeh_cb) from main -> t_noeh_work.  Nearly every sample
 * lands in t_noeh_cb, whose stack goes through noeh_spin, past which no
 * unwinder can find the callers.  Exit 0 when done. */
#include "t_common.h"

#include <dlfcn.h>

__attribute__((noinline)) static double
t_noeh_cb(double s)
{
	for (int i = 0; i < 50; i++)
		s = s * 0.999999 + 1.0;
	return s;
}

__attribute__((noinline)) static double
t_noeh_work(double (*spin)(long, double (*)(double)), long n)
{
	return spin(n, t_noeh_cb) + 1.0;
}

int
main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: t_noeh LIBRARY [ITERATIONS]\n");
		return 2;
	}
	void *h = dlopen(argv[1], RTLD_NOW);
	if (!h) {
		fprintf(stderr, "t_noeh: %s\n", dlerror());
		return 99;
	}
	double (*spin)(long, double (*)(double)) =
	    (double (*)(long, double (*)(double)))dlsym(h, "noeh_spin");
	if (!spin) {
		fprintf(stderr, "t_noeh: %s\n", dlerror());
		return 99;
	}
	long n = argc > 2 ? atol(argv[2]) : 3000000L;
	printf("%g\n", t_noeh_work(spin, n));
	return 0;
}
