/* Python frames (docs/python.md): when the profiled process is a CPython
 * 3.11 interpreter, each sample also reads the sampled thread's Python call
 * stack (code object and instruction offset per frame) from the
 * interpreter's own frame chain, and counts it in a per-thread table of
 * Python stacks (WS_REC_PYSTACKS).  The code objects are copied (qualified
 * name, file, first line, line table) the first time a thread's sample
 * meets them, while the frame keeps them alive (WS_REC_PYCODE).
 *
 * The layout of the interpreter's structures for each supported version
 * lives in one table in python.c.  Another version is named on stderr and
 * only native frames are recorded.
 *
 * One ws_py_thread belongs to one thread; ws_py_take() runs in that
 * thread's sampling handler and is async-signal-safe (no allocation, no
 * lock, no system call, no call into the interpreter).  ws_py_init() and
 * ws_py_thread_new/free are not signal-safe; ws_py_write() and
 * ws_py_reset() are async-signal-safe and must not race the handler.
 */
#ifndef WHYSLOW_PYTHON_H
#define WHYSLOW_PYTHON_H

#include <stdint.h>

struct ws_py_thread;

/* Once per process, at start-up (not signal-safe): looks for a CPython
 * interpreter in the process (its symbols _PyRuntime, Py_Version).
 * Returns 1 when Python frames will be read, 0 otherwise. */
int ws_py_init(void);
/* A thread's tables, or NULL when Python frames are off (not signal-safe). */
struct ws_py_thread *ws_py_thread_new(void);
void ws_py_thread_free(struct ws_py_thread *p);
/* Count `weight` periods of the calling thread's current Python stack, if
 * it has one, with the sample's native stack id (its thread's stack table);
 * pc is the interrupted instruction.  Returns the Python stack's index in
 * the thread's table, -1 when there was none (or no room).
 * Async-signal-safe. */
int64_t ws_py_take(struct ws_py_thread *p, uint64_t pc, uint32_t stack, uint32_t weight);
/* Write WS_REC_PYCODE and WS_REC_PYSTACKS for thread thread_index (nothing
 * when no sample found Python frames).  Returns 0 or -errno.
 * Async-signal-safe. */
int ws_py_write(const struct ws_py_thread *p, uint32_t thread_index);
/* Forget everything counted (fork child, new file).  Async-signal-safe. */
void ws_py_reset(struct ws_py_thread *p);

#endif
