/* Helpers shared by the collector's end-to-end test programs (t_*.c).
 * Everything is static: each program is one translation unit. */
#ifndef WHYSLOW_T_COMMON_H
#define WHYSLOW_T_COMMON_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

/* A function that stays itself: not inlined, not cloned into a
 * differently named copy (foo.constprop.0, foo.part.0), not tail-called
 * away -- the tests look for its name in profiles. */
#if defined(__GNUC__) && !defined(__clang__)
#define T_NOINLINE __attribute__((noinline, noclone))
#else
#define T_NOINLINE __attribute__((noinline))
#endif

/* Results go here so that no loop can be optimised away. */
static volatile uint64_t t_sink = 88172645463325252ull;

static inline double
t_now(clockid_t clk)
{
	struct timespec ts;
	clock_gettime(clk, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* n iterations of xorshift64: a dependency chain the compiler cannot
 * shorten or remove.  A macro, so the cycles belong to the function that
 * uses it (no call, no inlined-function debug entry). */
#define T_SPIN(n)                                                  \
	do {                                                       \
		uint64_t x_ = t_sink | 1;                          \
		for (long i_ = 0; i_ < (long)(n); i_++) {          \
			x_ ^= x_ << 13;                            \
			x_ ^= x_ >> 7;                             \
			x_ ^= x_ << 17;                            \
		}                                                  \
		t_sink += x_;                                      \
	} while (0)

/* Burn `sec` seconds of the calling thread's CPU time, in the caller. */
#define T_BURN_CPU(sec)                                                   \
	do {                                                              \
		double end_ = t_now(CLOCK_THREAD_CPUTIME_ID) + (sec);    \
		while (t_now(CLOCK_THREAD_CPUTIME_ID) < end_)             \
			T_SPIN(20000);                                    \
	} while (0)

static inline double
t_env_double(const char *name, double dflt)
{
	const char *s = getenv(name);
	return s && *s ? atof(s) : dflt;
}

#endif
