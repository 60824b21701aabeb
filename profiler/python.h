/* Python frames (docs/python.md): when the profiled process runs a CPython
 * 3.11 interpreter, each sample also reads the sampled thread's Python call
 * stack (code object and instruction offset per frame) from the
 * interpreter's own frame chain, and counts it in a per-thread table of
 * Python stacks (WS_REC_PYSTACKS).  The code objects are copied (qualified
 * name, file, first line, line table) the first time a thread's sample
 * meets them, while the frame keeps them alive (WS_REC_PYCODE).
 *
 * The interpreter is detected once per process: at start-up (the python
 * executable, or a libpython it links), or after the first dlopen that
 * brings one in (Python embedded in a program, or a plugin linking
 * libpython).  Detection never runs in the signal handler; what it finds
 * is published with one release store that the handler reads with an
 * acquire load, and the threads alive then get their tables the same way.
 * The layout of the interpreter's structures for each supported version
 * lives in one table (python_layout.h).  Another version is named on
 * stderr once and only native frames are recorded.
 *
 * One ws_py_thread belongs to one thread; ws_py_take() runs in that
 * thread's sampling handler and is async-signal-safe (no allocation, no
 * lock, no system call, no call into the interpreter).  ws_py_init(),
 * ws_py_after_dlopen() and ws_py_thread_new/attach/free are not
 * signal-safe; ws_py_write() and ws_py_reset() are async-signal-safe and
 * must not race the handler.
 */
#ifndef WHYSLOW_PYTHON_H
#define WHYSLOW_PYTHON_H

#include <stdint.h>

struct ws_py_thread;

/* Once per process, at start-up (not signal-safe): looks for a CPython
 * interpreter in the process (its symbols _PyRuntime, Py_Version, in the
 * global scope).  Returns 1 when Python frames will be read, 0 otherwise
 * (a later dlopen may still bring one in). */
int ws_py_init(void);
/* After a successful dlopen that returned `handle` (not signal-safe): when
 * no interpreter was detected yet, looks for _PyRuntime in the new
 * object's lookup scope (itself and its dependencies, RTLD_LOCAL or not);
 * when found, detects it as ws_py_init() would, keeps its object loaded
 * until exit (RTLD_NODELETE), and gives every registered thread its
 * tables.  Leaves errno and dlerror() as the program's dlopen left them. */
void ws_py_after_dlopen(void *handle);
/* In a fork child (not signal-safe): a detection the parent was making in
 * another thread is given up, so that the child may detect again. */
void ws_py_fork_child(void);
/* A thread's tables, or NULL when Python frames are off (not signal-safe). */
struct ws_py_thread *ws_py_thread_new(void);
/* Give *slot tables when Python frames are on and it has none; they are
 * published with a compare-and-swap (release): a handler that loads *slot
 * with acquire sees them complete.  Any thread may call it for any
 * thread's slot (not signal-safe). */
void ws_py_thread_attach(struct ws_py_thread **slot);
void ws_py_thread_free(struct ws_py_thread *p);
/* Count `weight` periods of the calling thread's current Python stack, if
 * it has one, with the sample's native stack id (its thread's stack table);
 * pc is the interrupted instruction.  p must be loaded with acquire (it may
 * have been attached by another thread).  Returns the Python stack's index
 * in the thread's table, -1 when there was none (or no room).
 * Async-signal-safe. */
int64_t ws_py_take(struct ws_py_thread *p, uint64_t pc, uint32_t stack, uint32_t weight);
/* Write WS_REC_PYCODE and WS_REC_PYSTACKS for thread thread_index (nothing
 * when no sample found Python frames).  Returns 0 or -errno.
 * Async-signal-safe. */
int ws_py_write(const struct ws_py_thread *p, uint32_t thread_index);
/* Forget everything counted (fork child, new file).  Async-signal-safe. */
void ws_py_reset(struct ws_py_thread *p);

#endif
