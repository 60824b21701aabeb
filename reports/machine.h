/* This machine's peaks, for the roofline: memory bandwidth (a STREAM
 * triad) and floating-point rate per vector width, on one core and on all
 * the CPUs whyslow may run on; measured once by `whyslow machine` and
 * cached per host (docs/cli.md, schema whyslow-machine version 1;
 * docs/roofline.md explains the figures).
 *
 * Contract:
 *  - Rates are in base units: bytes per second (triad: 24 bytes counted
 *    per element, two loads and a store, as STREAM counts them) and FLOP
 *    per second (an FMA is 2 FLOP).  Every measured figure is > 0 and
 *    finite; a width the CPU lacks has no entry in peaks (never a guess).
 *  - ws_machine_measure() takes seconds (about 10 s by default, under 2 s
 *    with quick), writes progress to o->progress when it is not NULL, and
 *    leaves the threads and memory it used freed.
 *  - ws_machine_load() validates everything it reads: a missing file is
 *    -ENOENT, anything else wrong -EINVAL, each with *why saying what
 *    (newly allocated; the caller frees it).
 *  - The roof functions (roofline.c) are pure arithmetic: no I/O, no
 *    state; intensity is FLOP per byte of memory traffic.
 *  - Functions return 0 or a negative errno-style code.
 */
#ifndef WHYSLOW_MACHINE_H
#define WHYSLOW_MACHINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum ws_precision { WS_PREC_DOUBLE, WS_PREC_SINGLE };

/* One measured floating-point peak. */
struct ws_machine_peak {
	enum ws_precision precision;
	unsigned vector_bits; /* 0 scalar, 128, 256, 512 */
	unsigned lanes;	      /* elements per instruction */
	bool fma;	      /* measured with fused multiply-add (2 FLOP each) */
	char isa[16];	      /* "SSE2", "FMA3", "AVX", "AVX+FMA3", "AVX-512F" */
	double one_core;      /* FLOP/s, one thread */
	double all_cores;     /* FLOP/s, one thread per CPU */
};

enum { WS_MACHINE_MAX_PEAKS = 16 };

struct ws_machine {
	char host[256];
	char cpu[128];	      /* /proc/cpuinfo's model name, "" if unknown */
	char measured[32];    /* when, ISO 8601 UTC: 2026-05-01T12:00:00Z */
	int64_t measured_at;  /* the same, seconds since the epoch */
	unsigned cpus;	      /* threads of the all-cores figures (CPUs we may use) */
	bool quick;	      /* a short measurement for tests (--quick) */
	char widest[16];      /* cpuid: "SSE2", "AVX", "AVX2", "AVX-512F" */
	bool fma;	      /* cpuid: FMA3 */
	uint64_t llc_bytes;   /* the last-level cache the CPU reports (0: unknown) */
	uint64_t array_bytes; /* each of the triad's three arrays */
	unsigned repeats;     /* each figure is the best of this many */
	double bw_one_core;   /* bytes/s, triad on one thread */
	double bw_all_cores;  /* bytes/s, triad on one thread per CPU */
	struct ws_machine_peak peaks[WS_MACHINE_MAX_PEAKS]; /* double first, narrow first */
	size_t npeaks;
};

struct ws_machine_options {
	bool quick;	      /* small arrays, short timings: for tests */
	uint64_t array_bytes; /* each triad array; 0: the default (see docs/roofline.md) */
	FILE *progress;	      /* NULL: silent */
};

int ws_machine_measure(const struct ws_machine_options *o, struct ws_machine *out, char **why);

/* $XDG_CACHE_HOME/whyslow/machine-HOST.json, else
 * $HOME/.cache/whyslow/machine-HOST.json (newly allocated); NULL when
 * neither variable is set (absolute paths only). */
char *ws_machine_cache_path(void);
/* path NULL: ws_machine_cache_path(), whose figures must then be this
 * host's (-EINVAL otherwise).  -ENOENT when there is no file. */
int ws_machine_load(const char *path, struct ws_machine *out, char **why);
/* Writes path atomically (a temporary file renamed), creating its
 * directory; path NULL: ws_machine_cache_path(). */
int ws_machine_save(const struct ws_machine *m, const char *path, char **why);
/* The whyslow-machine JSON document; 0, or -1 when a write failed. */
int ws_machine_write_json(FILE *f, const struct ws_machine *m);

/* The fastest peak of the given precision no wider than max_bits (0:
 * scalar only; 512 or more: any).  NULL when there is none. */
const struct ws_machine_peak *ws_machine_peak(const struct ws_machine *m,
					      enum ws_precision precision, unsigned max_bits);

/* ---- the roofline (roofline.c) ---- */

/* A roof: one bandwidth and one compute peak. */
struct ws_roof {
	double bandwidth; /* bytes/s, > 0 */
	double peak;	  /* FLOP/s, > 0 */
};

/* The roof of machine m for code of that precision that can use vectors
 * up to max_bits (0: scalar code), on one core or all of them.  -ENOENT
 * when m has no such peak. */
int ws_machine_roof(const struct ws_machine *m, enum ws_precision precision, unsigned max_bits,
		    bool all_cores, struct ws_roof *out);

/* min(peak, intensity x bandwidth), FLOP/s; NaN for a bad roof or an
 * intensity that is not > 0 and finite. */
double ws_roof_attainable(const struct ws_roof *r, double intensity);
/* The ridge point: peak / bandwidth, FLOP/byte; below it a loop is
 * memory-bound, at or above it compute-bound.  NaN for a bad roof. */
double ws_roof_ridge(const struct ws_roof *r);

enum ws_bound { WS_BOUND_MEMORY = 1, WS_BOUND_COMPUTE = 2 };

/* Where a loop sits under its roof. */
struct ws_roof_place {
	enum ws_bound bound;
	double intensity;  /* FLOP/byte, as given */
	double ridge;	   /* FLOP/byte */
	double attainable; /* FLOP/s: the roof above the loop */
	double achieved;   /* FLOP/s as given; NaN: unknown */
	double fraction;   /* achieved / attainable (0..1, more if the roof is
			      too low); NaN when achieved is unknown */
	double headroom;   /* attainable / achieved: "N x below its roof"; NaN
			      when unknown */
	double to_ridge;   /* memory-bound: ridge / intensity, the factor by
			      which the intensity must grow to reach the compute
			      roof; compute-bound: 1 */
};

/* Places a loop of that intensity (> 0, finite) and achieved FLOP/s (>= 0,
 * or NaN for unknown) under roof r.  0, or -EINVAL for a bad roof,
 * intensity or achieved rate (out is then untouched). */
int ws_roof_place(const struct ws_roof *r, double intensity, double achieved,
		  struct ws_roof_place *out);

/* p in words, for a learner, into buf (always NUL-terminated), e.g.
 * "memory-bound: 0.083 FLOP/byte is below the ridge point (2.5 FLOP/byte);
 * its roof is 4.2 GFLOP/s and it achieves 1.1 GFLOP/s, 26 % of it (3.8x
 * below)".  Returns buf. */
char *ws_roof_describe(const struct ws_roof_place *p, char *buf, size_t size);

#endif
