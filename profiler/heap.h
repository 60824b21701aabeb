/* The heap source: malloc & co. and anonymous mmap interposed, exact counts
 * plus allocations sampled by bytes (docs/memory.md), and getrusage() of
 * the process at its end and of threads at their exit.
 *
 * The interposers (heap.c) forward every call to the next definition in
 * the lookup order (dlsym(RTLD_NEXT): the program's own allocator when it
 * brings one), never to __libc_malloc.  Until dlsym has resolved them, a
 * static bootstrap buffer serves dlsym's own calloc; its blocks are
 * recognised by free and realloc.  Counting starts at the first call seen
 * (before the collector's constructor); sampling starts with ws_heap_start.
 *
 * What may run concurrently: the interposers run in any thread, also from
 * a program's signal handler that interrupted one of them (a thread-local
 * guard then forwards without sampling, and counting is interrupt-safe);
 * the collector's own allocations (libunwind's, its dlsym lookups', under
 * the guard) and calls from the sampling handler are not counted, nor
 * later frees of the blocks allocated under the guard, whoever makes them
 * (their addresses are kept while they live).  Sampled allocations take one
 * spinlock, never held across a call that could come back into a hook of
 * the same thread.
 */
#ifndef WHYSLOW_HEAP_H
#define WHYSLOW_HEAP_H

#include <stdint.h>

/* Process init, from the collector's start (not signal-safe): reads
 * WHYSLOW_HEAP, WHYSLOW_HEAP_SAMPLE and WHYSLOW_HEAP_MAX_SAMPLES, maps the
 * tables, registers the fork handlers and starts sampling.  With the heap
 * source off, counting stops and nothing is written.  0 or -1. */
int ws_heap_start(void);
/* Process fini: write the WS_REC_HEAP and WS_REC_RUSAGE (process) records
 * and stop sampling.  Async-signal-safe (it runs from fatal-signal
 * handlers: the lock is waited for a bounded time). */
void ws_heap_finish(void);
/* Thread fini: a WS_REC_RUSAGE record of the calling thread
 * (RUSAGE_THREAD), written as it exits.  Async-signal-safe. */
void ws_heap_thread_exit(uint32_t thread_index, uint32_t tid);
/* Around the collector's own work that may allocate or map memory through
 * other libraries (libunwind's set-up, pthread_getattr_np): those calls
 * are not the program's and are not counted.  Nest; async-signal-safe. */
void ws_heap_internal_begin(void);
void ws_heap_internal_end(void);
/* Fork child, and after a failed exec: forget the parent's samples and
 * counts (the live heap the child inherited stays counted as live) and
 * sample afresh.  Called by ws_collector_fork_child/ws_collector_restart
 * (the heap's own atfork handlers only hold and release its lock).
 * Async-signal-safe. */
void ws_heap_fork_child(void);

#endif
