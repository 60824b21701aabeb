/* Python frames of CPython 3.11 (see python.h and docs/python.md). */
#include <dlfcn.h>
#include <elf.h>
#include <link.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>

#include "arena.h"
#include "collector.h"
#include "profile_format.h"
#include "python.h"
#include "python_layout.h"
#include "stacktab.h"
#include "writer.h"

#define MAX_PY_DEPTH 256
#define CODE_CAP 8192u	     /* code objects per thread */
#define CODE_SLOTS 16384u    /* hash slots, a power of two */
#define STR_ARENA (2u << 20) /* bytes of names, files and line tables */
#define LINETABLE_MAX 65536u /* longer line tables are not copied */
#define NAME_MAX_COPY 256u
#define PYSTACK_CAP 16384u

static const struct py_layout *L;     /* NULL: Python frames are off */
static const char *runtime;	      /* &_PyRuntime */
static uint64_t code_type;	      /* &PyCode_Type */
static uint64_t interp_lo, interp_hi; /* the evaluation loop's executable segment */
static uint32_t py_version;

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
	uint64_t a = *(uint64_t *)arg;
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		if (ph->p_type != PT_LOAD || !(ph->p_flags & PF_X))
			continue;
		uint64_t lo = info->dlpi_addr + ph->p_vaddr, hi = lo + ph->p_memsz;
		if (a >= lo && a < hi) {
			interp_lo = lo;
			interp_hi = hi;
			return 1;
		}
	}
	return 0;
}

int
ws_py_init(void)
{
	const char *env = getenv("WHYSLOW_PYTHON");
	if (env && !strcmp(env, "0"))
		return 0; /* Python frames turned off */
	const unsigned long *ver = dlsym(RTLD_DEFAULT, "Py_Version");
	void *rt = dlsym(RTLD_DEFAULT, "_PyRuntime");
	if (!ver || !rt)
		return 0; /* not a Python 3.11+ process (or not yet loaded) */
	py_version = (uint32_t)*ver;
	uint32_t mm = py_version >> 16;
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
	void *ct = dlsym(RTLD_DEFAULT, "PyCode_Type");
	void *eval = dlsym(RTLD_DEFAULT, "_PyEval_EvalFrameDefault");
	if (!ct || !eval) {
		L = NULL;
		ws_notef("Python %u.%u: PyCode_Type or _PyEval_EvalFrameDefault not found: no "
			 "Python frames were recorded",
			 mm >> 8, mm & 0xff);
		return 0;
	}
	runtime = rt;
	code_type = (uint64_t)(uintptr_t)ct;
	uint64_t e = (uint64_t)(uintptr_t)eval;
	dl_iterate_phdr(find_segment, &e);
	ws_notef("Python %u.%u.%u: Python frames are recorded (docs/python.md)", mm >> 8, mm & 0xff,
		 (py_version >> 8) & 0xff);
	return 1;
}

struct ws_py_thread *
ws_py_thread_new(void)
{
	if (!L)
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
str_chars(uint64_t s, uint32_t *len)
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
add_code(struct ws_py_thread *p, uint64_t c, uint64_t qn, uint64_t fn, uint64_t lt, int32_t first)
{
	if (p->ncodes >= CODE_CAP)
		return -1;
	uint32_t nlen = 0, flen = 0, llen = 0;
	const char *name = str_chars(qn, &nlen), *file = str_chars(fn, &flen);
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
code_index(struct ws_py_thread *p, uint64_t c)
{
	uint64_t qn = rd64(c, L->code_qualname), fn = rd64(c, L->code_filename);
	uint64_t lt = rd64(c, L->code_linetable);
	int32_t first = rd32(c, L->code_firstlineno);
	uint32_t h = (uint32_t)((c >> 3) * 0x9E3779B97F4A7C15ull >> 40) & (CODE_SLOTS - 1);
	for (uint32_t probe = 0; probe < CODE_SLOTS; probe++, h = (h + 1) & (CODE_SLOTS - 1)) {
		uint32_t s = p->slots[h];
		if (s == 0) {
			int64_t id = add_code(p, c, qn, fn, lt, first);
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
		int64_t id = add_code(p, c, qn, fn, lt, first); /* address reused */
		if (id >= 0)
			p->slots[h] = (uint32_t)id + 1;
		return id;
	}
	return -1;
}

int64_t
ws_py_take(struct ws_py_thread *p, uint64_t pc, uint32_t stack, uint32_t weight)
{
	if (!p || !L)
		return -1;
	/* The calling thread's own PyThreadState, from the thread-specific
	 * key the interpreter keeps it in (gilstate.autoTSSkey): the thread
	 * keeps it alive while it runs, GIL or not. */
	const char *tss = runtime + L->runtime_tss;
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
		if (!plausible(c) || rd64(c, L->ob_type) != code_type)
			break;
		uint64_t code0 = c + L->code_code;
		uint64_t ip = rd64(f, L->frame_prev_instr);
		uint8_t owner = *(const uint8_t *)(uintptr_t)(f + L->frame_owner);
		int32_t firsttr = rd32(c, L->code_firsttraceable);
		if (owner != L->owner_generator && ip < code0 + 2 * (uint64_t)(int64_t)firsttr)
			continue; /* incomplete: being set up */
		int64_t id = code_index(p, c);
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
	if (pc < interp_lo || pc >= interp_hi)
		flags |= WS_PYSTK_NATIVE;
	int64_t id = ws_stacktab_add(&p->tab, p->frames, n, flags, weight);
	if (id >= 0)
		p->samples += weight;
	return id;
}

int
ws_py_write(const struct ws_py_thread *p, uint32_t thread_index)
{
	if (!p || p->tab.count == 0)
		return 0;
	struct ws_pycodes ch = {thread_index, p->ncodes, py_version, 0};
	struct iovec cparts[2] = {{&ch, sizeof ch}, {p->arena, p->arena_used}};
	int r = ws_writer_record(WS_REC_PYCODE, cparts, 2);
	if (r != 0)
		return r;
	struct ws_pystacks sh = {thread_index, p->tab.count, p->samples};
	struct iovec sparts[2] = {{&sh, sizeof sh}, {p->tab.words, ws_stacktab_bytes(&p->tab)}};
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
