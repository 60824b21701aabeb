/* The OMPT source: OpenMP parallel regions through the OpenMP tool
 * interface (OpenMP 5.0, section 4), where the runtime implements it:
 * LLVM's libomp (clang -fopenmp, or a GCC-built program run with
 * `whyslow record --openmp-runtime=llvm`, which preloads libomp in front of
 * libgomp, whose ABI it implements).  GCC's libgomp has no OMPT: there the
 * reports fall back to recognising the runtime's functions in the stacks.
 *
 * libwhyslow.so exports ompt_start_tool(); the runtime calls it once when
 * it initialises.  The tool registers parallel-begin/end, implicit-task
 * and sync-region-wait callbacks, which run in the program's threads
 * (never in a signal handler) and only add to lock-free tables mapped at
 * initialisation: per parallel region (by the return address of the call
 * that began it), instances and time on the encountering thread; per
 * thread number, implicit tasks and their time outside waits.
 *
 * Off when WHYSLOW_OMPT=0 or the collector is not running.  Built only
 * with HAVE_OMPT (configure found omp-tools.h).
 */
#ifndef WHYSLOW_OMPT_H
#define WHYSLOW_OMPT_H

/* Write the WS_REC_OMPT record, when the tool ran; async-signal-safe (the
 * buffer was mapped at initialisation).  Called by ws_collector_finish. */
void ws_ompt_write(void);
/* Fork child: forget the parent's regions (async-signal-safe). */
void ws_ompt_after_fork(void);

#endif
