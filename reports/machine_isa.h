/* The vector instructions of the machine running whyslow (cpuid), for the
 * vectorisation report's "this CPU could do N doubles per instruction".
 *
 * Contract: ws_machine_isa() asks cpuid (and xgetbv: the operating system
 * must save the wider registers too) once; widest is "SSE2" (the x86-64
 * baseline, 128 bits), "AVX" (256-bit FP), "AVX2" (256-bit FP and
 * integer) or "AVX-512F" (512 bits).  It describes this machine, not the
 * one the profile was recorded on.
 */
#ifndef WHYSLOW_MACHINE_ISA_H
#define WHYSLOW_MACHINE_ISA_H

#include <stdbool.h>

struct ws_machine_isa {
	const char *widest; /* "SSE2", "AVX", "AVX2", "AVX-512F" */
	unsigned bits;	    /* 128, 256, 512 */
	bool fma;	    /* FMA3 */
};

void ws_machine_isa(struct ws_machine_isa *out);

#endif
