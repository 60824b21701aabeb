/* A small shared library for the dlopen tests: tlib_burn burns CPU. */
#include "t_common.h"

T_NOINLINE __attribute__((visibility("default"))) double
tlib_burn(double cpu_seconds)
{
	T_BURN_CPU(cpu_seconds);
	__asm__ volatile("" ::: "memory");
	return (double)t_sink;
}
