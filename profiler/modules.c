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

struct module {
	struct ws_module info;
	const char *path;
	uint8_t build_id[64];
	bool seen; /* in the current scan */
};

static struct module *mods;
static _Atomic uint32_t nmods;
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

static int
scan_one(struct dl_phdr_info *info, size_t size, void *arg)
{
	uint64_t lo = UINT64_MAX, hi = 0;
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
	m->seen = true;
	ws_mem_account(sizeof *m);
	atomic_store(&nmods, n + 1); /* publish after the entry is complete */
	return 0;
}

int
ws_modules_scan(void)
{
	pthread_mutex_lock(&scan_lock);
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
			mods[i].info.unload_ns = now;
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
		if (!mods || !paths)
			return -1;
	}
	ssize_t n = readlink("/proc/self/exe", exe_path, sizeof exe_path - 1);
	exe_path[n > 0 ? n : 0] = 0;
	ws_modules_scan();
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

/* ---- dlopen/dlclose interposition ---- */

#include <dlfcn.h>

#include "interpose.h"
#include "unwind.h"

WS_EXPORT void *
dlopen(const char *file, int mode)
{
	ws_real_init();
	void *h = ws_real.dlopen(file, mode);
	if (h && mods && atomic_load(&ws_phase) == WS_PHASE_RUNNING)
		ws_modules_scan();
	return h;
}

WS_EXPORT int
dlclose(void *handle)
{
	ws_real_init();
	int rc = ws_real.dlclose(handle);
	if (mods && atomic_load(&ws_phase) == WS_PHASE_RUNNING && ws_modules_scan() > 0)
		ws_unwind_flush();
	return rc;
}
