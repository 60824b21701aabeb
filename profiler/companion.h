/* Companion libraries: preloaded libraries of whyslow's own that add a
 * source the collector cannot hold itself, such as libwhyslow-mpi.so (PMPI
 * tracing, compiled against one MPI's mpi.h).  They find these two entry
 * points of libwhyslow.so with dlsym(RTLD_DEFAULT) and write their
 * records into the process's profile.
 *
 * Contract:
 *  - whyslow_companion_register(fn): fn runs when the process's profile is
 *    finished (exit, fatal signal, exec), after the threads' records and
 *    before END, in whatever context the end happens: it must be
 *    async-signal-safe.  At most 8 functions.  Not signal-safe itself.
 *    Returns 0, or -1 when the collector is not running or the table is
 *    full.
 *  - whyslow_companion_write(type, payload, len): writes one record (a
 *    type that profiler/profile_format.h defines); async-signal-safe.
 *    Returns 0 or -errno.
 */
#ifndef WHYSLOW_COMPANION_H
#define WHYSLOW_COMPANION_H

#include <stddef.h>
#include <stdint.h>

typedef void (*whyslow_finish_fn)(void);

int whyslow_companion_register(whyslow_finish_fn fn);
int whyslow_companion_write(uint32_t type, const void *payload, size_t len);

/* Run the registered functions (collector.c, at the end). */
void ws_companions_finish(void);
/* Fork child: keep the functions (the companion's data was copied too);
 * nothing to do.  Exec: the table goes with the image. */

#endif
