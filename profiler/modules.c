/* The module table (see modules.h). */
#include <elf.h>
#include <link.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <string.h>
#include <unistd.h>

#include "arena.h"
#include "collector.h"
#include "modules.h"
#include "profile_format.h"
#include "writer.h"

#define MAX_MODULES 8192
#define PATH_ARENA (4u << 20)
#define MAX_SEGS 8 /* readable ranges kept per module (4 is usual) */
#define PAGE 4096u

struct seg {
	uint64_t lo, hi; /* page-rounded run-time range of readable PT_LOADs */
};

struct module {
	struct ws_module info;
	const char *path;
	uint8_t build_id[64];
	uint64_t map_start;    /* as the loader's l_map_start: bias + first PT_LOAD page */
	uint64_t eh_frame_hdr; /* run-time address of PT_GNU_EH_FRAME, 0 if none */
	uint32_t nsegs;
	struct seg segs[MAX_SEGS];
	bool seen; /* in the current scan */
};

static struct module *mods;
static _Atomic uint32_t nmods;

/* Index map_start -> the module loaded there last, for the unwinder.  Open
 * addressing, keys never removed (a later module at the same address takes
 * the entry over), so readers need no lock: a key is published after its
 * value.  Each key belongs to at least one table entry, so it never holds
 * more than MAX_MODULES keys and never fills. */
#define INDEX_CAP (2u * MAX_MODULES)
struct index_entry {
	_Atomic uint64_t key; /* map_start; 0 = empty */
	_Atomic uint32_t idx; /* into mods[] */
};
static struct index_entry *mod_index;
static char *paths;
static size_t paths_used;
static pthread_mutex_t scan_lock = PTHREAD_MUTEX_INITIALIZER;
static char exe_path[4096];

static const char *
keep_path(const char *s)
{
	size_t n = strlen(s) + 1;
	if (paths_used + n > PATH_ARENA)
		return "";
	char *d = paths + paths_used;
	memcpy(d, s, n);
	paths_used += n;
	ws_mem_account((int64_t)n);
	return d;
}

static void
read_build_id(struct dl_phdr_info *info, struct module *m)
{
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		if (ph->p_type != PT_NOTE)
			continue;
		const uint8_t *p = (const uint8_t *)(info->dlpi_addr + ph->p_vaddr);
		const uint8_t *end = p + ph->p_memsz;
		while (p + sizeof(ElfW(Nhdr)) <= end) {
			const ElfW(Nhdr) *nh = (const ElfW(Nhdr) *)p;
			const uint8_t *name = p + sizeof *nh;
			const uint8_t *desc = name + ((nh->n_namesz + 3) & ~3u);
			const uint8_t *next = desc + ((nh->n_descsz + 3) & ~3u);
			if (next > end)
				break;
			if (nh->n_type == NT_GNU_BUILD_ID && nh->n_namesz == 4 &&
			    !memcmp(name, "GNU", 4) && nh->n_descsz <= sizeof m->build_id) {
				memcpy(m->build_id, desc, nh->n_descsz);
				m->info.build_id_len = nh->n_descsz;
				return;
			}
			p = next;
		}
	}
}

static uint32_t
index_slot(uint64_t key)
{
	return (uint32_t)((key >> 12) * 0x9e3779b97f4a7c15ull >> 40) & (INDEX_CAP - 1);
}

/* Under scan_lock: map_start now names mods[idx].  Not signal-safe (the
 * lock); readers need none. */
static void
index_put(uint64_t key, uint32_t idx)
{
	for (uint32_t i = 0, s = index_slot(key); i < INDEX_CAP;
	     i++, s = (s + 1) & (INDEX_CAP - 1)) {
		uint64_t k = atomic_load(&mod_index[s].key);
		if (k == key) {
			atomic_store(&mod_index[s].idx, idx);
			return;
		}
		if (k == 0) {
			atomic_store(&mod_index[s].idx, idx);
			atomic_store(&mod_index[s].key, key); /* publish after the value */
			return;
		}
	}
}

/* The readable PT_LOAD segments of info, page-rounded (the loader maps
 * whole pages with each segment's protection) and merged when they touch.
 * Part of the scan (not signal-safe). */
static void
read_segments(struct dl_phdr_info *info, struct module *m)
{
	m->nsegs = 0;
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		if (ph->p_type != PT_LOAD || !(ph->p_flags & PF_R) || !ph->p_memsz)
			continue;
		uint64_t s = info->dlpi_addr + ph->p_vaddr;
		uint64_t lo = s & ~(uint64_t)(PAGE - 1);
		uint64_t hi = (s + ph->p_memsz + PAGE - 1) & ~(uint64_t)(PAGE - 1);
		/* PT_LOADs come sorted by address (ELF); merge with the last. */
		if (m->nsegs && lo <= m->segs[m->nsegs - 1].hi) {
			if (hi > m->segs[m->nsegs - 1].hi)
				m->segs[m->nsegs - 1].hi = hi;
			continue;
		}
		if (m->nsegs == MAX_SEGS)
			break; /* the rest stays unreadable to the unwinder */
		m->segs[m->nsegs].lo = lo;
		m->segs[m->nsegs].hi = hi;
		m->nsegs++;
	}
}

static int
scan_one(struct dl_phdr_info *info, size_t size, void *arg)
{
	uint64_t lo = UINT64_MAX, hi = 0, eh_addr = 0;
	bool eh = false;
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		if (ph->p_type == PT_LOAD) {
			uint64_t s = info->dlpi_addr + ph->p_vaddr;
			if (s < lo)
				lo = s;
			if (s + ph->p_memsz > hi)
				hi = s + ph->p_memsz;
		} else if (ph->p_type == PT_GNU_EH_FRAME) {
			eh = true;
			eh_addr = info->dlpi_addr + ph->p_vaddr;
		}
	}
	if (hi == 0)
		return 0;
	const char *name = info->dlpi_name;
	bool is_main = false, is_vdso = false;
	if (!name || !*name) {
		/* The executable comes first with an empty name. */
		if (*(int *)arg == 0) {
			is_main = true;
			name = exe_path;
		} else {
			return 0;
		}
	} else if (!strncmp(name, "linux-vdso", 10) || !strncmp(name, "linux-gate", 10)) {
		is_vdso = true;
	}
	(*(int *)arg)++;

	uint32_t n = atomic_load(&nmods);
	for (uint32_t i = 0; i < n; i++) {
		struct module *m = &mods[i];
		if (!m->info.unload_ns && m->info.bias == info->dlpi_addr && m->info.start == lo &&
		    !strcmp(m->path, name)) {
			m->seen = true;
			return 0;
		}
	}
	if (n >= MAX_MODULES)
		return 0;
	struct module *m = &mods[n];
	memset(m, 0, sizeof *m);
	m->info.id = n;
	m->info.flags = (is_main ? WS_MOD_MAIN : 0) | (is_vdso ? WS_MOD_VDSO : 0) |
			(eh ? WS_MOD_EH_FRAME_HDR : 0);
	m->info.bias = info->dlpi_addr;
	m->info.start = lo;
	m->info.end = hi;
	m->info.load_ns = n == 0 ? 0 : ws_now_ns();
	m->path = keep_path(name);
	m->info.path_len = (uint32_t)strlen(m->path);
	read_build_id(info, m);
	m->map_start = lo & ~(uint64_t)(PAGE - 1);
	m->eh_frame_hdr = eh_addr;
	read_segments(info, m);
	m->seen = true;
	ws_mem_account(sizeof *m);
	atomic_store(&nmods, n + 1); /* publish after the entry is complete */
	index_put(m->map_start, n);
	return 0;
}

int
ws_modules_scan(int wait)
{
	if (wait)
		pthread_mutex_lock(&scan_lock);
	else if (pthread_mutex_trylock(&scan_lock) != 0)
		return 0;
	uint32_t n = atomic_load(&nmods);
	for (uint32_t i = 0; i < n; i++)
		mods[i].seen = false;
	int order = 0;
	dl_iterate_phdr(scan_one, &order);
	int vanished = 0;
	uint64_t now = ws_now_ns();
	n = atomic_load(&nmods);
	for (uint32_t i = 0; i < n; i++)
		if (!mods[i].seen && !mods[i].info.unload_ns) {
			/* Read by ws_modules_readable() without the lock. */
			__atomic_store_n(&mods[i].info.unload_ns, now, __ATOMIC_RELEASE);
			vanished++;
		}
	pthread_mutex_unlock(&scan_lock);
	return vanished;
}

void
ws_modules_lock_for_fork(void)
{
	pthread_mutex_lock(&scan_lock);
}

void
ws_modules_unlock_after_fork(int child)
{
	if (child)
		pthread_mutex_init(&scan_lock, NULL);
	else
		pthread_mutex_unlock(&scan_lock);
}

int
ws_modules_init(void)
{
	if (!mods) {
		mods = ws_map(MAX_MODULES * sizeof *mods);
		paths = ws_map(PATH_ARENA);
		mod_index = ws_map(INDEX_CAP * sizeof *mod_index);
		if (!mods || !paths || !mod_index)
			return -1;
	}
	ssize_t n = readlink("/proc/self/exe", exe_path, sizeof exe_path - 1);
	exe_path[n > 0 ? n : 0] = 0;
	ws_modules_scan(1);
	return 0;
}

uint32_t
ws_modules_write(void)
{
	uint32_t n = atomic_load(&nmods), written = 0;
	for (uint32_t i = 0; i < n; i++) {
		struct module *m = &mods[i];
		struct iovec parts[3] = {
			{&m->info, sizeof m->info},
			{(void *)m->path, m->info.path_len},
			{m->build_id, m->info.build_id_len},
		};
		if (ws_writer_record(WS_REC_MODULE, parts, 3) == 0)
			written++;
	}
	return written;
}

int
ws_modules_readable(uint64_t map_start, uint64_t map_end, const void *eh_frame_hdr, uint64_t addr,
		    uint64_t *lo, uint64_t *hi)
{
	if (!mod_index || !map_start)
		return -1;
	uint32_t idx = UINT32_MAX;
	for (uint32_t i = 0, s = index_slot(map_start); i < INDEX_CAP;
	     i++, s = (s + 1) & (INDEX_CAP - 1)) {
		uint64_t k = atomic_load_explicit(&mod_index[s].key, memory_order_acquire);
		if (k == 0)
			return -1;
		if (k == map_start) {
			idx = atomic_load_explicit(&mod_index[s].idx, memory_order_acquire);
			break;
		}
	}
	if (idx >= atomic_load_explicit(&nmods, memory_order_acquire))
		return -1;
	const struct module *m = &mods[idx];
	/* The entry must describe the object the loader has there now: not
	 * one unloaded since (or being replaced), nor another object that the
	 * table never saw (loaded without dlopen, e.g. by glibc itself). */
	if (__atomic_load_n(&m->info.unload_ns, __ATOMIC_ACQUIRE) ||
	    m->eh_frame_hdr != (uint64_t)(uintptr_t)eh_frame_hdr || m->info.start < map_start ||
	    m->info.end > map_end)
		return -1;
	for (uint32_t i = 0; i < m->nsegs && i < MAX_SEGS; i++)
		if (addr >= m->segs[i].lo && addr < m->segs[i].hi) {
			*lo = m->segs[i].lo;
			*hi = m->segs[i].hi;
			return 0;
		}
	return -1;
}

/* ---- dlopen/dlclose interposition ---- */

#include <dlfcn.h>

#include "interpose.h"
#include "python.h"
#include "unwind.h"

/* After dlopen/dlclose: scan while sampling runs, and also while a fork
 * pauses it (the unwinder reads only modules in the table: one loaded
 * then should not be missed), but then without waiting for the lock,
 * which the fork holds.  Not signal-safe. */
static int
scan_after_dl(void)
{
	int phase = atomic_load(&ws_phase);
	if (phase != WS_PHASE_RUNNING && phase != WS_PHASE_PAUSED)
		return 0;
	return ws_modules_scan(phase == WS_PHASE_RUNNING);
}

WS_EXPORT void *
dlopen(const char *file, int mode)
{
	ws_real_init();
	void *h = ws_real.dlopen(file, mode);
	if (h && mods)
		scan_after_dl();
	if (h)
		ws_py_after_dlopen(h); /* a libpython in it, or pulled in by it */
	return h;
}

WS_EXPORT int
dlclose(void *handle)
{
	ws_real_init();
	int rc = ws_real.dlclose(handle);
	if (mods && scan_after_dl() > 0)
		ws_unwind_flush();
	return rc;
}
