/* Test program for the symboliser and the report commands.
 *
 * Built with -g -O2 twice: as a PIE (report_symprog) and as a non-PIE
 * executable (report_symprog_nopie); report_symbolize.sh also runs copies
 * without debug info (objcopy --strip-debug) and without any symbols
 * (strip -s).  It takes addresses from itself (function entries, return
 * addresses, its load bias from dl_iterate_phdr), writes them as a real
 * profile file, loads that with the reader and symbolises them:
 *
 *   report_symprog check full|nodebug|stripped pie|nopie DIR
 *       symbolise and compare with what the source says (exit 0 / 1)
 *   report_symprog write DIR [incomplete|damaged|fast]
 *       write DIR/<host>.<pid>.wsp with known stacks (for the CLI tests):
 *       thread 1001: hot_leaf <- inl_helper [inlined] <- outer_fn <- main  x60
 *                    cold_leaf <- main                                    x30
 *                    [unknown] (unwind error)                             x10
 *       thread 1002: cold_leaf <- main <- main (recursion)                x50
 *       incomplete: no thread records and no end record (a killed process);
 *       damaged: the main module without PT_GNU_EH_FRAME, the x30 stack
 *       ended on an unwind error, the x50 one truncated, 5 samples dropped;
 *       fast: the x60 stack only x6, 100 ms of wall time instead of 250
 *       (the "after" of whyslow compare's tests)
 *       as re-entries.
 *   report_symprog lines
 *       print the source lines the CLI tests expect, as shell variables
 */
#include "config.h"

#include <dlfcn.h>
#include <elf.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <link.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "demangle.h"
#include "profile.h"
#include "profile_format.h"
#include "symbolize.h"

volatile int sink;
int helper_call_line, outer_call_line, main_call_line, main_call2_line;
void *ra_helper, *ra_main, *ra_main2;

__attribute__((noinline, noclone)) void *
capture(void)
{
	sink++;
	return __builtin_return_address(0);
}

static const int inl_helper_line = __LINE__ + 2;
static inline __attribute__((always_inline)) void
inl_helper(int k)
{
	sink += k;
	/* the call and __LINE__ share a line */
	/* clang-format off */
	ra_helper = capture(); helper_call_line = __LINE__;
	/* clang-format on */
	sink += k;
}

static const int outer_fn_line = __LINE__ + 2;
__attribute__((noinline, noclone)) void
outer_fn(int k)
{
	ra_main = __builtin_return_address(0);
	/* the call and __LINE__ share a line */
	/* clang-format off */
	inl_helper(k); outer_call_line = __LINE__;
	/* clang-format on */
	sink += 2;
}

__attribute__((noinline, noclone)) void
other_fn(void)
{
	ra_main2 = __builtin_return_address(0);
	sink += 3;
}

static const int hot_leaf_line = __LINE__ + 2;
__attribute__((noinline, noclone)) int
hot_leaf(int x)
{
	for (int i = 0; i < x; i++)
		sink += i;
	return sink;
}

static const int cold_leaf_line = __LINE__ + 2;
__attribute__((noinline, noclone)) int
cold_leaf(int x)
{
	sink -= x;
	return sink;
}

/* ---- the module list, as the collector records it ---- */

struct mod {
	char path[PATH_MAX];
	uint32_t flags;
	uint64_t bias, start, end;
	uint8_t build_id[64];
	uint32_t build_id_len;
};
static struct mod mods[64];
static size_t nmods;

static void
find_build_id(struct mod *m, const struct dl_phdr_info *info)
{
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		if (ph->p_type != PT_NOTE)
			continue;
		const char *p = (const char *)(info->dlpi_addr + ph->p_vaddr);
		const char *e = p + ph->p_memsz;
		while (p + sizeof(ElfW(Nhdr)) <= e) {
			const ElfW(Nhdr) *n = (const void *)p;
			const char *name = p + sizeof *n;
			const char *desc = name + ((n->n_namesz + 3) & ~3u);
			if (n->n_type == NT_GNU_BUILD_ID && n->n_namesz == 4 &&
			    !memcmp(name, "GNU", 4) && n->n_descsz <= sizeof m->build_id) {
				memcpy(m->build_id, desc, n->n_descsz);
				m->build_id_len = n->n_descsz;
				return;
			}
			p = desc + ((n->n_descsz + 3) & ~3u);
		}
	}
}

static int
add_module(struct dl_phdr_info *info, size_t size, void *arg)
{
	if (nmods == sizeof mods / sizeof mods[0])
		return 1;
	struct mod *m = &mods[nmods];
	memset(m, 0, sizeof *m);
	uint64_t lo = UINT64_MAX, hi = 0;
	bool eh = false;
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		if (ph->p_type == PT_GNU_EH_FRAME)
			eh = true;
		if (ph->p_type != PT_LOAD)
			continue;
		uint64_t s = info->dlpi_addr + (ph->p_vaddr & ~(uint64_t)0xfff);
		uint64_t t =
		    (info->dlpi_addr + ph->p_vaddr + ph->p_memsz + 0xfff) & ~(uint64_t)0xfff;
		lo = s < lo ? s : lo;
		hi = t > hi ? t : hi;
	}
	if (hi == 0)
		return 0;
	m->bias = info->dlpi_addr;
	m->start = lo;
	m->end = hi;
	m->flags = eh ? WS_MOD_EH_FRAME_HDR : 0;
	if (nmods == 0) {
		ssize_t n = readlink("/proc/self/exe", m->path, sizeof m->path - 1);
		m->path[n > 0 ? n : 0] = '\0';
		m->flags |= WS_MOD_MAIN;
	} else if (info->dlpi_addr && info->dlpi_addr == getauxval(AT_SYSINFO_EHDR)) {
		snprintf(m->path, sizeof m->path, "[vdso]");
		m->flags |= WS_MOD_VDSO;
	} else {
		snprintf(m->path, sizeof m->path, "%s", info->dlpi_name);
	}
	find_build_id(m, info);
	nmods++;
	return 0;
}

/* ---- a profile writer (the format of profiler/profile_format.h) ---- */

struct buf {
	uint8_t *p;
	size_t n, cap;
};

static void
put(struct buf *b, const void *p, size_t n)
{
	if (b->n + n > b->cap) {
		b->cap = (b->n + n) * 2;
		b->p = realloc(b->p, b->cap);
		if (!b->p)
			abort();
	}
	memcpy(b->p + b->n, p, n);
	b->n += n;
}

static void
put_lstring(struct buf *b, const char *s, size_t n)
{
	uint32_t len = (uint32_t)n;
	put(b, &len, sizeof len);
	put(b, s, n);
}

static void
record(struct buf *out, uint32_t type, const struct buf *payload)
{
	struct ws_record_header h = {.type = type, .size = payload->n};
	static const uint8_t zero[8];
	put(out, &h, sizeof h);
	put(out, payload->p, payload->n);
	put(out, zero, (8 - payload->n % 8) % 8);
}

static uint64_t
now_ns(clockid_t c)
{
	struct timespec ts;
	clock_gettime(c, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

struct stk {
	uint32_t flags;
	uint64_t count;
	uint32_t n;
	uint64_t ips[4];
};

static void
thread_record(struct buf *out, uint32_t index, uint32_t tid, const char *name, uint64_t t0,
	      uint64_t cpu_ns, const struct stk *st, size_t nst, uint64_t reentries)
{
	struct buf b = {0};
	struct ws_thread t = {0};
	t.thread_index = index;
	t.tid = tid;
	snprintf(t.name, sizeof t.name, "%s", name);
	t.flags = index == 0 ? WS_THR_MAIN : WS_THR_EXITED;
	t.stack_count = (uint32_t)nst;
	t.start_ns = t0;
	t.end_ns = t0 + 200000000u; /* 0.2 s */
	t.cpu_ns = cpu_ns;
	for (size_t i = 0; i < nst; i++) {
		t.samples += st[i].count;
		if (st[i].flags & WS_STK_UNWIND_ERR)
			t.unwind_errors += st[i].count;
	}
	t.dropped[WS_DROP_REENTRY] = reentries;
	t.handler_ns = 1000000; /* 1 ms */
	t.handler_max_ns = 20000;
	t.source = WS_SOURCE_PERF_TASK_CLOCK;
	put(&b, &t, sizeof t);
	for (size_t i = 0; i < nst; i++) {
		struct ws_stack s = {
		    .nframes = st[i].n, .flags = st[i].flags, .count = st[i].count};
		put(&b, &s, sizeof s);
		put(&b, st[i].ips, st[i].n * sizeof(uint64_t));
	}
	record(out, WS_REC_THREAD, &b);
	free(b.p);
}

static int
write_profile(const char *dir, int argc, char **argv, bool complete, bool damaged, bool fast)
{
	/* fast: hot_leaf takes 6 samples instead of 60 (the "after" of a
	 * comparison: 96 samples, 96 ms of CPU, 100 ms of wall time) */
	uint32_t nhot = fast ? 6 : 60, nmain = nhot + 40;
	nmods = 0;
	dl_iterate_phdr(add_module, NULL);
	if (damaged)
		mods[0].flags &= ~(uint32_t)WS_MOD_EH_FRAME_HDR;

	char host[256] = "host";
	gethostname(host, sizeof host - 1);
	struct buf out = {0}, b = {0};
	struct ws_file_header fh = {.magic = WS_MAGIC,
				    .version = WS_FORMAT_VERSION,
				    .header_size = sizeof fh,
				    .endian = WS_ENDIAN_CHECK};
	put(&out, &fh, sizeof fh);

	uint64_t t0 = now_ns(CLOCK_MONOTONIC) - 1000000000u;
	struct ws_process pr = {.pid = (uint32_t)getpid(),
				.ppid = (uint32_t)getppid(),
				.rank = -1,
				.clock = WS_CLOCK_CPU,
				.source = WS_SOURCE_PERF_TASK_CLOCK,
				.requested_hz = 1000,
				.signal = SIGPROF,
				.max_depth = 128,
				.start_mono_ns = t0,
				.start_real_ns = now_ns(CLOCK_REALTIME)};
	put(&b, &pr, sizeof pr);
	put_lstring(&b, host, strlen(host));
	put_lstring(&b, mods[0].path, strlen(mods[0].path));
	struct buf cmd = {0};
	for (int i = 0; i < argc; i++)
		put(&cmd, argv[i], strlen(argv[i]) + 1);
	put_lstring(&b, (const char *)cmd.p, cmd.n);
	free(cmd.p);
	record(&out, WS_REC_PROCESS, &b);

	for (size_t i = 0; i < nmods; i++) {
		b.n = 0;
		struct ws_module m = {.id = (uint32_t)i,
				      .flags = mods[i].flags,
				      .bias = mods[i].bias,
				      .start = mods[i].start,
				      .end = mods[i].end,
				      .path_len = (uint32_t)strlen(mods[i].path),
				      .build_id_len = mods[i].build_id_len};
		put(&b, &m, sizeof m);
		put(&b, mods[i].path, m.path_len);
		put(&b, mods[i].build_id, m.build_id_len);
		record(&out, WS_REC_MODULE, &b);
	}

	const char *note = "synthetic profile written by report_symprog";
	b.n = 0;
	struct ws_note nt = {.len = (uint32_t)strlen(note)};
	put(&b, &nt, sizeof nt);
	put(&b, note, nt.len);
	record(&out, WS_REC_NOTE, &b);

	uint64_t hot = (uint64_t)(uintptr_t)&hot_leaf, cold = (uint64_t)(uintptr_t)&cold_leaf;
	uint64_t rh = (uint64_t)(uintptr_t)ra_helper, rm = (uint64_t)(uintptr_t)ra_main,
		 rm2 = (uint64_t)(uintptr_t)ra_main2;
	struct stk main_stacks[] = {
	    {0, nhot, 3, {hot, rh, rm}},
	    {damaged ? WS_STK_UNWIND_ERR : 0, 30, 2, {cold, rm2}},
	    {WS_STK_UNWIND_ERR, 10, 1, {0x10}},
	};
	struct stk worker_stacks[] = {
	    {damaged ? WS_STK_TRUNCATED : 0, 50, 3, {cold, rm2, rm2}},
	};

	/* a timeline for the main thread: one sample a millisecond */
	b.n = 0;
	struct ws_samples sh = {.thread_index = 0, .count = nmain};
	put(&b, &sh, sizeof sh);
	for (uint32_t i = 0; i < nmain; i++) {
		struct ws_sample s = {.time_ns = t0 + 1000000u * (i + 1),
				      .stack = i < nhot	       ? 0
					       : i < nhot + 30 ? 1
							       : 2};
		put(&b, &s, sizeof s);
	}
	record(&out, WS_REC_SAMPLES, &b);

	if (complete) {
		thread_record(&out, 0, 1001, "symprog", t0, 1000000u * nmain, main_stacks, 3,
			      damaged ? 5 : 0);
		thread_record(&out, 1, 1002, "worker", t0, 50000000u, worker_stacks, 1, 0);
		b.n = 0;
		uint64_t wall = fast ? 100000000u : 250000000u;
		struct ws_end e = {.end_mono_ns = t0 + wall,
				   .end_real_ns = pr.start_real_ns + wall,
				   .reason = WS_END_EXIT,
				   .status = 0,
				   .process_cpu_ns = 1000000u * (nmain + 50),
				   .collector_peak_bytes = 1 << 20,
				   .threads = 2,
				   .modules = (uint32_t)nmods};
		put(&b, &e, sizeof e);
		record(&out, WS_REC_END, &b);
	}

	char *path;
	if (asprintf(&path, "%s/%s.%d%s", dir, host, (int)getpid(), WS_FILE_SUFFIX) < 0)
		return 1;
	mkdir(dir, 0777);
	FILE *f = fopen(path, "wb");
	if (!f || fwrite(out.p, 1, out.n, f) != out.n || fclose(f)) {
		perror(path);
		return 1;
	}
	free(path);
	free(out.p);
	free(b.p);
	return 0;
}

/* ---- checks ---- */

static int failures;

#define CHECK(cond, ...)                                                                           \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			failures++;                                                                \
			printf("FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond);                     \
			printf(__VA_ARGS__);                                                       \
			putchar('\n');                                                             \
		}                                                                                  \
	} while (0)

static void
show(const char *what, const struct ws_frame *f, size_t n)
{
	printf("%s:\n", what);
	for (size_t i = 0; i < n; i++)
		printf("  #%zu %s%s  [%s]  %s:%u  (decl %s:%u)\n", i, f[i].function,
		       f[i].inlined ? " (inlined)" : "", ws_basename(f[i].module),
		       f[i].file ? ws_basename(f[i].file) : "?", f[i].line,
		       f[i].decl_file ? ws_basename(f[i].decl_file) : "?", f[i].decl_line);
}

static bool
ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);
	return a >= b && !strcmp(s + a - b, suffix);
}

static int
check(const char *mode, const char *type, const char *dir)
{
	/* the executable type we were built as */
	unsigned char ehdr[EI_NIDENT + 2];
	int fd = open("/proc/self/exe", O_RDONLY);
	if (fd < 0 || read(fd, ehdr, sizeof ehdr) != (ssize_t)sizeof ehdr)
		return 99;
	close(fd);
	uint16_t e_type;
	memcpy(&e_type, ehdr + EI_NIDENT, 2);
	CHECK(e_type == (strcmp(type, "pie") ? ET_EXEC : ET_DYN), "ELF type %u for %s", e_type,
	      type);

	char *argv0[] = {"report_symprog", (char *)mode, NULL};
	if (write_profile(dir, 2, argv0, true, false, false))
		return 99;
	struct wsr_profile prof;
	struct ws_error err;
	if (ws_load_dir(dir, &prof, &err) < 0) {
		printf("load: %s\n", err.msg);
		return 99;
	}
	CHECK(prof.nprocs == 1, "%zu processes", prof.nprocs);
	const struct wsr_process *p = &prof.procs[0];
	const struct wsr_module *mainmod = ws_module_for(p, (uint64_t)(uintptr_t)&hot_leaf);
	CHECK(mainmod && (mainmod->info.flags & WS_MOD_MAIN), "main module for &hot_leaf");
	if (!mainmod)
		return 1;
	printf("%s %s: bias 0x%" PRIx64 ", %s\n", type, mode, mainmod->info.bias, mainmod->path);
	if (!strcmp(type, "nopie"))
		CHECK(mainmod->info.bias == 0, "non-PIE bias 0x%" PRIx64, mainmod->info.bias);
	else
		CHECK(mainmod->info.bias != 0, "PIE bias 0");

	struct ws_symbolizer *s = ws_symbolizer_new();
	const struct ws_frame *f;
	size_t n;
	const char *exe = ws_basename(mainmod->path);
	bool full = !strcmp(mode, "full"), nodebug = !strcmp(mode, "nodebug");

	/* 1. a return address inside an inlined function */
	n = ws_symbolize(s, p, (uint64_t)(uintptr_t)ra_helper, true, &f);
	show("return address in inl_helper (inlined into outer_fn)", f, n);
	if (full) {
		CHECK(n == 2, "%zu frames", n);
		if (n == 2) {
			CHECK(!strcmp(f[0].function, "inl_helper") && f[0].inlined, "%s",
			      f[0].function);
			CHECK(f[0].line == (unsigned)helper_call_line, "line %u, expected %d",
			      f[0].line, helper_call_line);
			CHECK(f[0].file && ends_with(f[0].file, "report_symprog.c"), "file %s",
			      f[0].file);
			CHECK(!strcmp(f[1].function, "outer_fn") && !f[1].inlined, "%s",
			      f[1].function);
			CHECK(f[1].line == (unsigned)outer_call_line, "line %u, expected %d",
			      f[1].line, outer_call_line);
			CHECK(f[1].decl_line == (unsigned)outer_fn_line, "decl line %u",
			      f[1].decl_line);
			CHECK(f[0].decl_line == (unsigned)inl_helper_line, "decl line %u",
			      f[0].decl_line);
		}
	} else if (nodebug) {
		CHECK(n == 1 && !strcmp(f[0].function, "outer_fn") && f[0].has_symbol &&
			  !f[0].inlined && f[0].line == 0 && !f[0].file,
		      "%s:%u", f[0].function, f[0].line);
	} else {
		char want[PATH_MAX + 32];
		snprintf(want, sizeof want, "%s+0x%" PRIx64, exe,
			 (uint64_t)(uintptr_t)ra_helper - 1 - mainmod->info.bias);
		CHECK(n == 1 && !strcmp(f[0].function, want) && !f[0].has_symbol, "%s, expected %s",
		      f[0].function, want);
	}
	for (size_t i = 0; i < n; i++)
		CHECK(f[i].module == mainmod->path || !strcmp(f[i].module, mainmod->path),
		      "module %s", f[i].module);

	/* 2. the same lookup again comes from the cache: same pointer */
	const struct ws_frame *f2;
	ws_symbolize(s, p, (uint64_t)(uintptr_t)ra_helper, true, &f2);
	CHECK(f2 == f, "cache miss on a repeated lookup");

	/* 3. a return address into main */
	n = ws_symbolize(s, p, (uint64_t)(uintptr_t)ra_main2, true, &f);
	show("return address in main", f, n);
	if (full)
		CHECK(n == 1 && !strcmp(f[0].function, "main") &&
			  f[0].line == (unsigned)main_call2_line,
		      "%s:%u, expected main:%d", f[0].function, f[0].line, main_call2_line);
	else if (nodebug)
		CHECK(n == 1 && !strcmp(f[0].function, "main"), "%s", f[0].function);

	/* 4. a function entry as an interrupted PC (frame 0) */
	n = ws_symbolize(s, p, (uint64_t)(uintptr_t)&hot_leaf, false, &f);
	show("&hot_leaf as frame 0", f, n);
	if (full) {
		CHECK(n == 1 && !strcmp(f[0].function, "hot_leaf") && !f[0].inlined, "%s",
		      f[0].function);
		CHECK(f[0].line >= (unsigned)hot_leaf_line &&
			  f[0].line <= (unsigned)hot_leaf_line + 2,
		      "line %u, expected %d..%d", f[0].line, hot_leaf_line, hot_leaf_line + 2);
		CHECK(f[0].decl_line == (unsigned)hot_leaf_line, "decl line %u", f[0].decl_line);
	} else if (nodebug) {
		CHECK(n == 1 && !strcmp(f[0].function, "hot_leaf"), "%s", f[0].function);
	} else {
		char want[PATH_MAX + 32];
		snprintf(want, sizeof want, "%s+0x%" PRIx64, exe,
			 (uint64_t)(uintptr_t)&hot_leaf - mainmod->info.bias);
		CHECK(n == 1 && !strcmp(f[0].function, want), "%s, expected %s", f[0].function,
		      want);
	}
	/* frame 0 is looked up at the address itself, not address - 1 */
	n = ws_symbolize(s, p, (uint64_t)(uintptr_t)&cold_leaf, false, &f);
	if (full || nodebug)
		CHECK(n == 1 && !strcmp(f[0].function, "cold_leaf"), "%s", f[0].function);
	if (full)
		CHECK(f[0].decl_line == (unsigned)cold_leaf_line, "decl line %u", f[0].decl_line);

	/* 5. a shared library without debug info: its symbol table */
	void *gp = dlsym(RTLD_DEFAULT, "getpid");
	n = ws_symbolize(s, p, (uint64_t)(uintptr_t)gp, false, &f);
	show("getpid in libc", f, n);
	CHECK(n >= 1 && strstr(f[n - 1].function, "getpid") &&
		  strstr(ws_basename(f[n - 1].module), "libc"),
	      "%s in %s", f[n - 1].function, f[n - 1].module);

	/* 6. no module, the vDSO */
	n = ws_symbolize(s, p, 0x10, false, &f);
	CHECK(n == 1 && !strcmp(f[0].function, "[unknown]") && !strcmp(f[0].module, "[unknown]"),
	      "%s", f[0].function);
	for (size_t i = 0; i < p->nmodules; i++)
		if (p->modules[i].info.flags & WS_MOD_VDSO) {
			n = ws_symbolize(s, p, p->modules[i].info.start + 0x10, false, &f);
			CHECK(n == 1 && !strcmp(f[0].function, "[vdso]") &&
				  !strcmp(f[0].module, "[vdso]"),
			      "%s in %s", f[0].function, f[0].module);
		}

	/* 7. a whole stack: inlined frames expanded, innermost first */
	struct ws_chain c = {0};
	const struct wsr_stack *st = &p->threads[0].stacks[0];
	ws_symbolize_stack(s, p, st, &c);
	printf("stack 0:");
	for (size_t i = 0; i < c.n; i++)
		printf(" %s", c.frames[i]->function);
	printf("\n");
	if (full) {
		static const char *const want[] = {"hot_leaf", "inl_helper", "outer_fn", "main"};
		CHECK(c.n == 4, "%zu frames", c.n);
		for (size_t i = 0; i < c.n && i < 4; i++)
			CHECK(!strcmp(c.frames[i]->function, want[i]), "frame %zu: %s, expected %s",
			      i, c.frames[i]->function, want[i]);
	}
	ws_chain_free(&c);

	/* 8. no warnings so far, except a missing-DWARF one in the
	 * stripped variants (only check_module looks for that) */
	const char *const *w;
	size_t nw = ws_symbolizer_warnings(s, &w);
	for (size_t i = 0; i < nw; i++)
		printf("warning: %s\n", w[i]);
	CHECK(nw == 0, "%zu warnings", nw);
	ws_symbolizer_check_module(s, p, mainmod);
	nw = ws_symbolizer_warnings(s, &w);
	if (full)
		CHECK(nw == 0, "%zu warnings after check_module", nw);
	else
		CHECK(nw == 1 && strstr(w[0], "no debug information"), "%zu warnings: %s", nw,
		      nw ? w[0] : "");
	uint64_t off = 1;
	CHECK(ws_symbolizer_file_offset(s, p, mainmod, &off) && off == 0, "file offset 0x%" PRIx64,
	      off);
	ws_symbolizer_free(s);

	/* 9. the file changed since recording: one warning per module */
	struct wsr_module *mm = (struct wsr_module *)mainmod;
	CHECK(mm->info.build_id_len > 0, "no build-id recorded for the main module");
	if (mm->info.build_id_len) {
		mm->build_id[0] ^= 0xff;
		s = ws_symbolizer_new();
		ws_symbolize(s, p, (uint64_t)(uintptr_t)&hot_leaf, false, &f);
		ws_symbolize(s, p, (uint64_t)(uintptr_t)ra_helper, true, &f);
		ws_symbolizer_check_module(s, p, mainmod);
		nw = ws_symbolizer_warnings(s, &w);
		size_t changed = 0;
		for (size_t i = 0; i < nw; i++) {
			printf("warning: %s\n", w[i]);
			changed += strstr(w[i], "file changed since recording") != NULL;
		}
		CHECK(changed == 1, "%zu build-id warnings", changed);
		ws_symbolizer_free(s);
		mm->build_id[0] ^= 0xff;
	}

	ws_profile_free(&prof);

	/* 10. C++ names, when libstdc++ can be loaded */
	char *d = ws_demangle("_ZN3foo3barEi");
	if (d)
		CHECK(!strcmp(d, "foo::bar(int)"), "demangled to %s", d);
	else
		printf("note: libstdc++ cannot be loaded: C++ names stay mangled\n");
	free(d);
	CHECK(ws_demangle("main") == NULL, "a C name was demangled");

	printf("%s\n", failures ? "FAILED" : "ok");
	return failures ? 1 : 0;
}

int
main(int argc, char **argv)
{
	/* the call and __LINE__ share a line */
	/* clang-format off */
	outer_fn(1); main_call_line = __LINE__;
	other_fn(); main_call2_line = __LINE__;
	/* clang-format on */
	hot_leaf(3);
	cold_leaf(2);
	if (argc >= 5 && !strcmp(argv[1], "check"))
		return check(argv[2], argv[3], argv[4]);
	if (argc >= 3 && !strcmp(argv[1], "write"))
		return write_profile(argv[2], argc, argv,
				     !(argc >= 4 && !strcmp(argv[3], "incomplete")),
				     argc >= 4 && !strcmp(argv[3], "damaged"),
				     argc >= 4 && !strcmp(argv[3], "fast"));
	if (argc >= 2 && !strcmp(argv[1], "lines")) {
		printf("hot_leaf_line=%d\ncold_leaf_line=%d\nhelper_call_line=%d\nouter_call_line=%"
		       "d\n",
		       hot_leaf_line, cold_leaf_line, helper_call_line, outer_call_line);
		return 0;
	}
	fprintf(stderr,
		"usage: %s check full|nodebug|stripped pie|nopie DIR | write DIR "
		"[incomplete|damaged|fast] | lines\n",
		argv[0]);
	return 99;
}
