/* Python frames of CPython 3.11 (see python.h and docs/python.md). */
#include <dlfcn.h>
#include <elf.h>
#include <errno.h>
#include <link.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>

#include "arena.h"
#include "collector.h"
#include "heap.h"
#include "interpose.h"
#include "profile_format.h"
#include "python.h"
#include "python_layout.h"
#include "stacktab.h"
#include "threads.h"
#include "writer.h"

#define MAX_PY_DEPTH 256
#define CODE_CAP 8192u	     /* code objects per thread */
#define CODE_SLOTS 16384u    /* hash slots, a power of two */
#define STR_ARENA (2u << 20) /* bytes of names, files and line tables */
#define LINETABLE_MAX 65536u /* longer line tables are not copied */
#define NAME_MAX_COPY 256u
#define PYSTACK_CAP 16384u

/* What detection found.  Filled once, by the one thread that claimed the
 * detection (py_state), then published by one store to `found` (release,
 * and seq_cst against ws_py_thread_attach's registry walk); readers load
 * `found` with acquire and then see every field as it was filled.  It is
 * never changed or unpublished afterwards (the object that holds the
 * interpreter is kept loaded: see pin()). */
struct py_found {
	const struct py_layout *L;
	const char *runtime;	       /* &_PyRuntime */
	uint64_t code_type;	       /* &PyCode_Type */
	uint64_t interp_lo, interp_hi; /* the evaluation loop's executable segment */
	uint32_t version;	       /* Py_Version */
};
static struct py_found found_store;
static const struct py_found *found; /* NULL: Python frames are off (so far) */

/* Detection happens at most once per process: at start-up, or after the
 * first dlopen that brings an interpreter in.  UNSET: ws_py_init() has not
 * run (the collector is off); LOOKING: no interpreter seen yet; BUSY: one
 * thread is examining one; DONE: found and published, or named as
 * unsupported, or Python frames are off (WHYSLOW_PYTHON=0). */
enum { PY_UNSET, PY_LOOKING, PY_BUSY, PY_DONE };
static _Atomic int py_state;

static inline const struct py_found *
found_acquire(void)
{
	return __atomic_load_n(&found, __ATOMIC_ACQUIRE);
}

struct code_entry {
	uint64_t addr, qualname, filename, linetable; /* the stamp */
	int32_t firstlineno;
	uint32_t off; /* of its ws_pycode + bytes in the arena */
	uint32_t bytes;
};

struct ws_py_thread {
	struct ws_stacktab tab;
	uint32_t ncodes;
	uint32_t arena_used;
	uint32_t *slots; /* CODE_SLOTS: entry index + 1, 0 = empty */
	struct code_entry *codes;
	uint8_t *arena; /* ws_pycode + strings, back to back: the record body */
	uint64_t samples;
	uint64_t frames[MAX_PY_DEPTH + 1];
};

static int
find_segment(struct dl_phdr_info *info, size_t size, void *arg)
{
	(void)size;
	uint64_t a = *(uint64_t *)arg;
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		if (ph->p_type != PT_LOAD || !(ph->p_flags & PF_X))
			continue;
		uint64_t lo = info->dlpi_addr + ph->p_vaddr, hi = lo + ph->p_memsz;
		if (a >= lo && a < hi) {
			found_store.interp_lo = lo;
			found_store.interp_hi = hi;
			return 1;
		}
	}
	return 0;
}

/* The file name of the object that defines `sym` (for messages). */
static const char *
object_name(const void *sym)
{
	Dl_info di;
	if (!dladdr(sym, &di) || !di.dli_fname || !di.dli_fname[0])
		return "the executable";
	const char *slash = strrchr(di.dli_fname, '/');
	return slash ? slash + 1 : di.dli_fname;
}

/* Keep the object that defines `sym` loaded until exit (RTLD_NODELETE):
 * the sample handler reads _PyRuntime, PyCode_Type and the interpreter's
 * objects from then on, and a dlclose that unmapped them would make it
 * fault.  Returns 0, or -1 when the object cannot be pinned. */
static int
pin(const void *sym)
{
	Dl_info di;
	if (!dladdr(sym, &di) || !di.dli_fname || !di.dli_fname[0])
		return -1;
	ws_real_init();
	/* The reference is never dropped. */
	return ws_real.dlopen(di.dli_fname, RTLD_LAZY | RTLD_NOLOAD | RTLD_NODELETE) ? 0 : -1;
}

/* Examine the interpreter whose _PyRuntime is rt, its other symbols looked
 * up in `scope` (RTLD_DEFAULT at start-up, else the object defining rt);
 * `late`: loaded by dlopen after start-up (then it is pinned).  The caller
 * holds the claim (PY_BUSY).  Returns 1 when published. */
static int
examine(void *rt, void *scope, int late)
{
	const unsigned long *ver = dlsym(scope, "Py_Version");
	if (!ver) {
		/* _PyRuntime exists since 3.7, Py_Version since 3.11. */
		ws_warnf("a Python older than 3.11 (in %s) is not supported (CPython 3.11 only): "
			 "native frames only",
			 object_name(rt));
		ws_notef(
		    "a Python older than 3.11 (in %s) is not supported (CPython 3.11 only): no "
		    "Python frames were recorded",
		    object_name(rt));
		return 0;
	}
	uint32_t version = (uint32_t)*ver;
	uint32_t mm = version >> 16;
	const struct py_layout *L = NULL;
	for (size_t i = 0; i < sizeof ws_py_layouts / sizeof ws_py_layouts[0]; i++)
		if (ws_py_layouts[i].version == mm)
			L = &ws_py_layouts[i];
	if (!L) {
		ws_warnf("Python %u.%u is not supported (CPython 3.11 only): native frames only",
			 mm >> 8, mm & 0xff);
		ws_notef("Python %u.%u is not supported (CPython 3.11 only): no Python frames were "
			 "recorded",
			 mm >> 8, mm & 0xff);
		return 0;
	}
	void *ct = dlsym(scope, "PyCode_Type");
	void *eval = dlsym(scope, "_PyEval_EvalFrameDefault");
	if (!ct || !eval) {
		ws_notef("Python %u.%u: PyCode_Type or _PyEval_EvalFrameDefault not found: no "
			 "Python frames were recorded",
			 mm >> 8, mm & 0xff);
		return 0;
	}
	if (late && pin(rt) != 0) {
		ws_warnf("cannot keep %s loaded (dlopen RTLD_NODELETE failed): no Python frames",
			 object_name(rt));
		ws_notef("Python %u.%u in %s: it could not be kept loaded (RTLD_NODELETE): no "
			 "Python frames were recorded",
			 mm >> 8, mm & 0xff, object_name(rt));
		return 0;
	}
	found_store.L = L;
	found_store.runtime = rt;
	found_store.code_type = (uint64_t)(uintptr_t)ct;
	found_store.version = version;
	uint64_t e = (uint64_t)(uintptr_t)eval;
	dl_iterate_phdr(find_segment, &e);
	/* Publish: every field above is visible to whoever loads `found`. */
	__atomic_store_n(&found, &found_store, __ATOMIC_SEQ_CST);
	if (late)
		ws_notef("Python %u.%u.%u loaded by dlopen (%s): Python frames are recorded from "
			 "then on (docs/python.md)",
			 mm >> 8, mm & 0xff, (version >> 8) & 0xff, object_name(rt));
	else
		ws_notef("Python %u.%u.%u: Python frames are recorded (docs/python.md)", mm >> 8,
			 mm & 0xff, (version >> 8) & 0xff);
	return 1;
}

/* Claim the detection, examine rt, and give the threads alive now their
 * tables.  Not signal-safe. */
static int
detect(void *rt, void *scope, int late)
{
	int expected = PY_LOOKING;
	if (!atomic_compare_exchange_strong(&py_state, &expected, PY_BUSY))
		return 0; /* done, or another thread is at it */
	int on = examine(rt, scope, late);
	atomic_store(&py_state, PY_DONE);
	if (on && late)
		ws_threads_attach_python(); /* threads that existed before */
	return on;
}

int
ws_py_init(void)
{
	const char *env = getenv("WHYSLOW_PYTHON");
	if (env && !strcmp(env, "0")) {
		atomic_store(&py_state, PY_DONE); /* Python frames turned off */
		return 0;
	}
	atomic_store(&py_state, PY_LOOKING);
	void *rt = dlsym(RTLD_DEFAULT, "_PyRuntime");
	if (!rt)
		return 0; /* not a Python process (yet: see ws_py_after_dlopen) */
	return detect(rt, RTLD_DEFAULT, 0);
}

void
ws_py_fork_child(void)
{
	/* A thread of the parent was detecting: it does not exist here.  What
	 * it published (one release store of `found`) stands; without it the
	 * next dlopen may look again. */
	int busy = PY_BUSY;
	atomic_compare_exchange_strong(&py_state, &busy, found_acquire() ? PY_DONE : PY_LOOKING);
}

void
ws_py_after_dlopen(void *handle)
{
	if (!handle || atomic_load(&py_state) != PY_LOOKING)
		return;
	/* Not while a fork is in progress (PAUSED): the forking thread may
	 * hold the notes' lock (an atfork handler calling dlopen). */
	if (atomic_load(&ws_phase) != WS_PHASE_RUNNING)
		return;
	int saved = errno;
	ws_heap_internal_begin(); /* the loader's allocations here are ours */
	/* The new object's own lookup scope: itself and its dependencies,
	 * whether it was opened RTLD_LOCAL or RTLD_GLOBAL (dlsym(RTLD_DEFAULT)
	 * sees the global scope only, not a libpython opened RTLD_LOCAL or
	 * pulled in by such an object). */
	void *rt = dlsym(handle, "_PyRuntime");
	if (rt) {
		/* The other symbols from the object that defines _PyRuntime. */
		void *obj = NULL;
		Dl_info di;
		if (dladdr(rt, &di) && di.dli_fname && di.dli_fname[0])
			obj = ws_real.dlopen(di.dli_fname, RTLD_LAZY | RTLD_NOLOAD);
		detect(rt, obj ? obj : handle, 1);
		if (obj)
			ws_real.dlclose(obj); /* pin() took its own reference */
	}
	/* A failed lookup leaves an error for dlerror(): the program's dlopen
	 * succeeded, so its next dlerror() must say nothing. */
	(void)dlerror();
	ws_heap_internal_end();
	errno = saved;
}

struct ws_py_thread *
ws_py_thread_new(void)
{
	if (!found_acquire())
		return NULL;
	struct ws_py_thread *p = ws_map(sizeof *p);
	if (!p)
		return NULL;
	p->slots = ws_map(CODE_SLOTS * sizeof *p->slots);
	p->codes = ws_map(CODE_CAP * sizeof *p->codes);
	p->arena = ws_map(STR_ARENA);
	if (!p->slots || !p->codes || !p->arena || ws_stacktab_init(&p->tab, PYSTACK_CAP) != 0) {
		ws_py_thread_free(p);
		return NULL;
	}
	return p;
}

void
ws_py_thread_free(struct ws_py_thread *p)
{
	if (!p)
		return;
	if (p->tab.slots || p->tab.words)
		ws_stacktab_free(&p->tab);
	if (p->slots)
		ws_unmap(p->slots, CODE_SLOTS * sizeof *p->slots);
	if (p->codes)
		ws_unmap(p->codes, CODE_CAP * sizeof *p->codes);
	if (p->arena)
		ws_unmap(p->arena, STR_ARENA);
	ws_unmap(p, sizeof *p);
}

void
ws_py_thread_attach(struct ws_py_thread **slot)
{
	/* seq_cst: against examine()'s store of `found` followed by the walk
	 * of the registry (ws_threads_attach_python): a thread registered
	 * meanwhile is seen by the walk, or sees `found` here, or both. */
	if (__atomic_load_n(slot, __ATOMIC_SEQ_CST) || !__atomic_load_n(&found, __ATOMIC_SEQ_CST))
		return;
	struct ws_py_thread *p = ws_py_thread_new();
	if (!p)
		return;
	struct ws_py_thread *expected = NULL;
	/* Release: a handler that loads *slot (acquire) sees complete tables. */
	if (!__atomic_compare_exchange_n(slot, &expected, p, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
		ws_py_thread_free(p); /* attached by another thread meanwhile */
}

static inline uint64_t
rd64(uint64_t a, uint32_t off)
{
	uint64_t v;
	memcpy(&v, (const void *)(uintptr_t)(a + off), sizeof v);
	return v;
}

static inline int32_t
rd32(uint64_t a, uint32_t off)
{
	int32_t v;
	memcpy(&v, (const void *)(uintptr_t)(a + off), sizeof v);
	return v;
}

static inline bool
plausible(uint64_t a)
{
	return a >= 4096 && (a & 7) == 0 && a < (1ull << 47);
}

/* The characters of a str object when it is compact 1-byte (ASCII or
 * Latin-1), else NULL. */
static const char *
str_chars(const struct py_layout *L, uint64_t s, uint32_t *len)
{
	if (!plausible(s))
		return NULL;
	uint8_t state = *(const uint8_t *)(uintptr_t)(s + L->str_state);
	unsigned kind = (state >> 2) & 7, compact = (state >> 5) & 1, ascii = (state >> 6) & 1;
	if (!compact || kind != 1)
		return NULL;
	uint64_t n = rd64(s, L->str_length);
	*len = n > NAME_MAX_COPY ? NAME_MAX_COPY : (uint32_t)n;
	return (const char *)(uintptr_t)(s + (ascii ? L->str_ascii_data : L->str_compact_data));
}

/* Copy code object c into the thread's table (its first sighting). */
static int64_t
add_code(const struct py_layout *L, struct ws_py_thread *p, uint64_t c, uint64_t qn, uint64_t fn,
	 uint64_t lt, int32_t first)
{
	if (p->ncodes >= CODE_CAP)
		return -1;
	uint32_t nlen = 0, flen = 0, llen = 0;
	const char *name = str_chars(L, qn, &nlen), *file = str_chars(L, fn, &flen);
	const uint8_t *ltab = NULL;
	if (plausible(lt)) {
		uint64_t n = rd64(lt, L->var_size);
		if (n <= LINETABLE_MAX) {
			llen = (uint32_t)n;
			ltab = (const uint8_t *)(uintptr_t)(lt + L->bytes_sval);
		}
	}
	if (!name)
		nlen = 0;
	if (!file)
		flen = 0;
	uint32_t bytes = (uint32_t)sizeof(struct ws_pycode) + nlen + flen + llen;
	if (p->arena_used + bytes > STR_ARENA) {
		llen = 0; /* room for the names at least */
		bytes = (uint32_t)sizeof(struct ws_pycode) + nlen + flen;
		if (p->arena_used + bytes > STR_ARENA)
			return -1;
	}
	uint8_t *d = p->arena + p->arena_used;
	struct ws_pycode h = {first, nlen, flen, llen};
	memcpy(d, &h, sizeof h);
	if (nlen)
		memcpy(d + sizeof h, name, nlen);
	if (flen)
		memcpy(d + sizeof h + nlen, file, flen);
	if (llen)
		memcpy(d + sizeof h + nlen + flen, ltab, llen);
	struct code_entry *e = &p->codes[p->ncodes];
	e->addr = c;
	e->qualname = qn;
	e->filename = fn;
	e->linetable = lt;
	e->firstlineno = first;
	e->off = p->arena_used;
	e->bytes = bytes;
	p->arena_used += bytes;
	return p->ncodes++;
}

/* The index of code object c in the thread's table, copying it when it is
 * new or when its address now holds another code object (freed and
 * reused: the stamp differs). */
static int64_t
code_index(const struct py_layout *L, struct ws_py_thread *p, uint64_t c)
{
	uint64_t qn = rd64(c, L->code_qualname), fn = rd64(c, L->code_filename);
	uint64_t lt = rd64(c, L->code_linetable);
	int32_t first = rd32(c, L->code_firstlineno);
	uint32_t h = (uint32_t)((c >> 3) * 0x9E3779B97F4A7C15ull >> 40) & (CODE_SLOTS - 1);
	for (uint32_t probe = 0; probe < CODE_SLOTS; probe++, h = (h + 1) & (CODE_SLOTS - 1)) {
		uint32_t s = p->slots[h];
		if (s == 0) {
			int64_t id = add_code(L, p, c, qn, fn, lt, first);
			if (id >= 0)
				p->slots[h] = (uint32_t)id + 1;
			return id;
		}
		struct code_entry *e = &p->codes[s - 1];
		if (e->addr != c)
			continue;
		if (e->qualname == qn && e->filename == fn && e->linetable == lt &&
		    e->firstlineno == first)
			return s - 1;
		int64_t id = add_code(L, p, c, qn, fn, lt, first); /* address reused */
		if (id >= 0)
			p->slots[h] = (uint32_t)id + 1;
		return id;
	}
	return -1;
}

int64_t
ws_py_take(struct ws_py_thread *p, uint64_t pc, uint32_t stack, uint32_t weight)
{
	const struct py_found *g = found_acquire();
	if (!p || !g)
		return -1;
	const struct py_layout *L = g->L;
	/* The calling thread's own PyThreadState, from the thread-specific
	 * key the interpreter keeps it in (gilstate.autoTSSkey): the thread
	 * keeps it alive while it runs, GIL or not. */
	const char *tss = g->runtime + L->runtime_tss;
	int inited;
	unsigned key;
	memcpy(&inited, tss, sizeof inited);
	memcpy(&key, tss + 4, sizeof key);
	if (!inited)
		return -1;
	uint64_t ts = (uint64_t)(uintptr_t)pthread_getspecific((pthread_key_t)key);
	if (!plausible(ts) || rd64(ts, L->tstate_thread_id) != (uint64_t)pthread_self())
		return -1;
	uint64_t cf = rd64(ts, L->tstate_cframe);
	if (!plausible(cf))
		return -1;
	uint64_t f = rd64(cf, L->cframe_current);
	uint32_t n = 1, flags = 0;
	p->frames[0] = stack; /* the sample's native stack */
	for (; f && n <= MAX_PY_DEPTH; f = rd64(f, L->frame_previous)) {
		if (!plausible(f))
			break;
		uint64_t c = rd64(f, L->frame_code);
		if (!plausible(c) || rd64(c, L->ob_type) != g->code_type)
			break;
		uint64_t code0 = c + L->code_code;
		uint64_t ip = rd64(f, L->frame_prev_instr);
		uint8_t owner = *(const uint8_t *)(uintptr_t)(f + L->frame_owner);
		int32_t firsttr = rd32(c, L->code_firsttraceable);
		if (owner != L->owner_generator && ip < code0 + 2 * (uint64_t)(int64_t)firsttr)
			continue; /* incomplete: being set up */
		int64_t id = code_index(L, p, c);
		if (id < 0)
			break;
		uint64_t off = ip >= code0 ? (ip - code0) / 2 : 0;
		uint64_t entry =
		    *(const uint8_t *)(uintptr_t)(f + L->frame_is_entry) ? 1u << 31 : 0;
		p->frames[n++] =
		    ((uint64_t)id << 32) | entry | (off > 0x7fffffffu ? 0x7fffffffu : off);
	}
	if (n > MAX_PY_DEPTH && f)
		flags |= WS_STK_TRUNCATED;
	if (n == 1)
		return -1;
	if (pc < g->interp_lo || pc >= g->interp_hi)
		flags |= WS_PYSTK_NATIVE;
	int64_t id = ws_stacktab_add(&p->tab, p->frames, n, flags, weight);
	if (id >= 0)
		p->samples += weight;
	return id;
}

int
ws_py_write(const struct ws_py_thread *p, uint32_t thread_index)
{
	const struct py_found *g = found_acquire();
	if (!p || !g || p->tab.count == 0)
		return 0;
	struct ws_pycodes ch = {thread_index, p->ncodes, g->version, 0};
	struct iovec cparts[2] = {{&ch, sizeof ch}, {p->arena, p->arena_used}};
	int r = ws_writer_record(WS_REC_PYCODE, cparts, 2);
	if (r != 0)
		return r;
	size_t stack_bytes;
	uint32_t nstacks = ws_stacktab_committed(&p->tab, &stack_bytes);
	struct ws_pystacks sh = {thread_index, nstacks, p->samples};
	struct iovec sparts[2] = {{&sh, sizeof sh}, {p->tab.words, stack_bytes}};
	return ws_writer_record(WS_REC_PYSTACKS, sparts, 2);
}

void
ws_py_reset(struct ws_py_thread *p)
{
	if (!p)
		return;
	memset(p->slots, 0, CODE_SLOTS * sizeof *p->slots);
	p->ncodes = 0;
	p->arena_used = 0;
	p->samples = 0;
	ws_stacktab_free(&p->tab);
	ws_stacktab_init(&p->tab, PYSTACK_CAP);
}
