/* The kernels `whyslow machine` times (machine.c): floating-point peaks at
 * each vector width, and a STREAM triad for memory bandwidth.
 *
 * Contract:
 *  - Each FLOP kernel runs `iters` iterations of WS_KERN_CHAINS independent
 *    dependency chains (enough to cover the FMA latency times the FP pipes
 *    of current x86 cores: 4 cycles x 2 pipes = 8 chains in flight), each
 *    chain one instruction per iteration: x = x*a + b (FMA kernels) or
 *    half the chains x = x*m, half y = y + b (kernels without FMA).  It
 *    returns the sum of the chains, so the work cannot be optimised away.
 *    Call with a close to 1 (0.9999999), b small (1e-7) and m = 1 (all
 *    read at run time): the values stay near 1, never denormal.
 *  - Each kernel is compiled for its instruction set with a target
 *    attribute (not the whole program), with intrinsics, so the packed
 *    width is the one named; tests/machine_disasm.sh checks the machine
 *    code.  A kernel must only be called when ws_kern_supported() says the
 *    CPU (and the operating system) has its instructions.
 *  - ws_kern_triad() is a[i] = b[i] + s*c[i] over [0, n), with 256-bit AVX
 *    loads and stores where the CPU has AVX, SSE2 otherwise.
 *  - Nothing here allocates, locks or keeps state; every function may run
 *    in many threads at once.
 */
#ifndef WHYSLOW_MACHINE_KERNELS_H
#define WHYSLOW_MACHINE_KERNELS_H

#include <stdbool.h>
#include <stddef.h>

enum { WS_KERN_CHAINS = 12 };

enum ws_kern_isa { WS_ISA_SSE2, WS_ISA_FMA, WS_ISA_AVX, WS_ISA_AVX_FMA, WS_ISA_AVX512F };

typedef double (*ws_flop_kernel)(long iters, double a, double b, double m);

struct ws_kern {
	const char *symbol; /* the kernel's name, as in the disassembly */
	bool single;	    /* float (else double) */
	unsigned bits;	    /* 0 scalar, 128, 256, 512 */
	unsigned lanes;	    /* elements per instruction */
	bool fma;
	enum ws_kern_isa isa;
	const char *isa_name; /* "SSE2", "FMA3", "AVX", "AVX+FMA3", "AVX-512F" */
	ws_flop_kernel fn;
	double flops_per_iter; /* chains x lanes x (2 with FMA, else 1) */
};

/* Every FLOP kernel built in; *n gets their number. */
const struct ws_kern *ws_kern_all(size_t *n);

/* Whether this CPU and OS run isa (cpuid and xgetbv, asked once). */
bool ws_kern_supported(enum ws_kern_isa isa);

/* a[i] = b[i] + s * c[i]; a, b, c 32-byte aligned. */
void ws_kern_triad(double *a, const double *b, const double *c, double s, size_t n);

#endif
