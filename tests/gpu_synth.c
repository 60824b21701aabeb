/* GPU report from synthetic CUPTI activity records (docs/gpu.md).
 *
 * There is no GPU on the development machines, so this builds real
 * CUpti_ActivityKernel10 / Memcpy6 / Memset4 / Synchronization2 structures
 * from the installed CUPTI headers, passes them through
 * ws_gpu_take_buffer (the function profiler/gpu.c's buffer-completed
 * callback calls, with a walker over the synthetic buffer in place of
 * cuptiActivityGetNextRecord), writes the WS_REC_GPU record with
 * ws_gpu_record_parts (the collector's writer payload) into a .wsp file,
 * loads it with the reader and checks the GPU report's figures and
 * verdicts for five programs: transfer-bound with pageable copies, many
 * tiny kernels with a sync after each, a good one, a GPU left idle while
 * the CPU computes, and the conversion of each field.  Then the reader's
 * validation: a count that does not match the size, an unknown kind and a
 * copy that ends before it starts are refused with a message.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gpu_records.h"
#include "gpu_report.h"
#include "profile.h"

static int failures;
#define CHECK(c, ...)                                                                              \
	do {                                                                                       \
		if (!(c)) {                                                                        \
			printf("FAIL %s:%d: %s: ", __FILE__, __LINE__, #c);                        \
			printf(__VA_ARGS__);                                                       \
			printf("\n");                                                              \
			failures++;                                                                \
		}                                                                                  \
	} while (0)
#define NEAR(a, b, rel) (fabs((a) - (b)) <= (rel)*fabs(b) + 1e-12)

/* ---- a synthetic CUPTI buffer: records back to back, 8-aligned ---- */
static uint8_t cbuf[1 << 22];
static size_t cused;
static int64_t offset = 5000;		  /* CLOCK_MONOTONIC - GPU clock */
static const uint64_t T0 = 1000000000ull; /* GPU clock at the start */

static void *
put_rec(size_t size)
{
	size = (size + 7) & ~(size_t)7;
	void *p = cbuf + cused;
	memset(p, 0, size);
	cused += size;
	*(size_t *)p = 0; /* kind set by the caller */
	return p;
}

static size_t
rec_size(const CUpti_Activity *r)
{
	switch (r->kind) {
	case CUPTI_ACTIVITY_KIND_CONCURRENT_KERNEL:
		return (sizeof(CUpti_ActivityKernel10) + 7) & ~(size_t)7;
	case CUPTI_ACTIVITY_KIND_MEMCPY:
		return (sizeof(CUpti_ActivityMemcpy6) + 7) & ~(size_t)7;
	case CUPTI_ACTIVITY_KIND_MEMSET:
		return (sizeof(CUpti_ActivityMemset4) + 7) & ~(size_t)7;
	case CUPTI_ACTIVITY_KIND_SYNCHRONIZATION:
		return (sizeof(CUpti_ActivitySynchronization2) + 7) & ~(size_t)7;
	case CUPTI_ACTIVITY_KIND_UNIFIED_MEMORY_COUNTER:
		return (sizeof(CUpti_ActivityUnifiedMemoryCounter3) + 7) & ~(size_t)7;
	default:
		return 8;
	}
}

/* cuptiActivityGetNextRecord's contract: *rec NULL on entry -> the first,
 * else the one after *rec; nonzero at the end. */
static int
walk(uint8_t *buf, size_t valid, CUpti_Activity **rec)
{
	uint8_t *next = *rec ? (uint8_t *)*rec + rec_size(*rec) : buf;
	if (next >= buf + valid)
		return 1;
	*rec = (CUpti_Activity *)next;
	return 0;
}

static uint32_t corr = 1;

static void
kernel(const char *name, uint64_t start, uint64_t dur, uint32_t c)
{
	CUpti_ActivityKernel10 *k = put_rec(sizeof *k);
	k->kind = CUPTI_ACTIVITY_KIND_CONCURRENT_KERNEL;
	k->start = T0 + start;
	k->end = T0 + start + dur;
	k->deviceId = 0;
	k->streamId = 7;
	k->gridX = 256, k->gridY = 2, k->gridZ = 1;
	k->blockX = 128, k->blockY = 1, k->blockZ = 1;
	k->registersPerThread = 32;
	k->staticSharedMemory = 1024;
	k->dynamicSharedMemory = 3072;
	k->correlationId = c;
	k->name = name;
}

static void
copy(uint8_t dir, uint8_t hostkind, uint64_t bytes, uint64_t start, uint64_t dur, uint32_t c)
{
	CUpti_ActivityMemcpy6 *m = put_rec(sizeof *m);
	m->kind = CUPTI_ACTIVITY_KIND_MEMCPY;
	m->copyKind = dir;
	if (dir == CUPTI_ACTIVITY_MEMCPY_KIND_DTOH) {
		m->srcKind = CUPTI_ACTIVITY_MEMORY_KIND_DEVICE;
		m->dstKind = hostkind;
	} else {
		m->srcKind = hostkind;
		m->dstKind = CUPTI_ACTIVITY_MEMORY_KIND_DEVICE;
	}
	m->bytes = bytes;
	m->start = T0 + start;
	m->end = T0 + start + dur;
	m->streamId = 7;
	m->correlationId = c;
}

static void
memset_rec(uint64_t bytes, uint64_t start, uint64_t dur)
{
	CUpti_ActivityMemset4 *m = put_rec(sizeof *m);
	m->kind = CUPTI_ACTIVITY_KIND_MEMSET;
	m->bytes = bytes;
	m->start = T0 + start;
	m->end = T0 + start + dur;
	m->memoryKind = CUPTI_ACTIVITY_MEMORY_KIND_DEVICE;
	m->correlationId = corr++;
}

static void
sync_rec(uint64_t start, uint64_t dur)
{
	CUpti_ActivitySynchronization2 *s = put_rec(sizeof *s);
	s->kind = CUPTI_ACTIVITY_KIND_SYNCHRONIZATION;
	s->type = CUPTI_ACTIVITY_SYNCHRONIZATION_TYPE_CONTEXT_SYNCHRONIZE;
	s->start = T0 + start;
	s->end = T0 + start + dur;
}

static void
um_rec(CUpti_ActivityUnifiedMemoryCounterKind k, uint64_t value, uint64_t start, uint64_t dur,
       uint32_t flags)
{
	CUpti_ActivityUnifiedMemoryCounter3 *u = put_rec(sizeof *u);
	u->kind = CUPTI_ACTIVITY_KIND_UNIFIED_MEMORY_COUNTER;
	u->counterKind = k;
	u->value = value;
	u->start = T0 + start;
	u->end = T0 + start + dur;
	u->srcId = 0;
	u->dstId = 0;
	u->flags = flags; /* migrations: CUpti_ActivityUnifiedMemoryMigrationCause */
}
#define ON_DEMAND CUPTI_ACTIVITY_UNIFIED_MEMORY_MIGRATION_CAUSE_COHERENCE
#define PREFETCH CUPTI_ACTIVITY_UNIFIED_MEMORY_MIGRATION_CAUSE_PREFETCH

/* ---- the collector's tables ---- */
static struct ws_gpu_rows rows;

static void
reset(void)
{
	static struct ws_gpu_activity act[8192];
	static struct ws_gpu_api api[8192];
	memset(&rows, 0, sizeof rows);
	rows.act = act;
	rows.api = api;
	rows.cap_act = 8192;
	rows.cap_api = 8192;
	rows.offset_ns = offset;
	cused = 0;
	corr = 1;
}

/* An API call on the CPU clock (CLOCK_MONOTONIC already): like the
 * callback, a runtime call with its driver call nested inside. */
static void
api(const char *name, uint64_t start, uint64_t dur, uint32_t c, uint64_t site)
{
	struct ws_gpu_api a = {.correlation = c, .domain = WS_GPU_RUNTIME, .tid = 42};
	a.start_ns = T0 + offset + start;
	a.end_ns = a.start_ns + dur;
	snprintf(a.name, sizeof a.name, "%s", name);
	a.nframes = 1;
	a.frames[0] = site;
	ws_gpu_add_api(&rows, &a);
	struct ws_gpu_api d = a;
	d.domain = WS_GPU_DRIVER | WS_GPU_NESTED;
	snprintf(d.name, sizeof d.name, "cu%s", name + 4);
	d.start_ns += dur / 4;
	d.end_ns -= dur / 4;
	d.frames[0] = 0xdead; /* never the call site: the runtime call is outer */
	ws_gpu_add_api(&rows, &d);
}

/* ---- the file ---- */
static uint8_t fbuf[1 << 23];
static size_t flen;

static void
fput(const void *p, size_t n)
{
	memcpy(fbuf + flen, p, n);
	flen += n;
}

static void
frecord(uint32_t type, const struct iovec *parts, int n)
{
	uint64_t size = 0;
	for (int i = 0; i < n; i++)
		size += parts[i].iov_len;
	struct ws_record_header h = {type, 0, size};
	fput(&h, sizeof h);
	for (int i = 0; i < n; i++)
		fput(parts[i].iov_base, parts[i].iov_len);
	static const uint8_t zeros[8];
	fput(zeros, (8 - size % 8) % 8);
}

enum defect { GOOD, BAD_COUNT, BAD_KIND, BAD_TIME, BAD_UM };
static uint32_t extra_flags; /* or'ed into the record's flags (WS_GPU_UM_TRACED) */

/* Flush the synthetic buffer through the collector's path, write the
 * profile and load it.  Returns 0 when it loaded. */
static int
load(enum defect d, struct wsr_process *proc, struct ws_error *err)
{
	int added = ws_gpu_take_buffer(&rows, cbuf, cused, walk);
	(void)added;
	struct ws_gpu h = {.flags = WS_GPU_FLUSHED | extra_flags,
			   .start_ns = T0,
			   .end_ns = T0 + 1000000000ull};
	struct iovec parts[3];
	ws_gpu_record_parts(&rows, &h, parts);
	if (d == BAD_COUNT)
		h.nactivities++;
	if (d == BAD_KIND)
		((struct ws_gpu_activity *)parts[1].iov_base)[0].kind = 9;
	if (d == BAD_UM) {
		struct ws_gpu_activity *a = parts[1].iov_base;
		a[0].kind = WS_GPU_UNIFIED;
		a[0].detail = 12;
	}
	if (d == BAD_TIME) {
		struct ws_gpu_activity *a = parts[1].iov_base;
		a[0].end_ns = a[0].start_ns - 1;
	}
	flen = 0;
	struct ws_file_header fh = {WS_MAGIC, WS_FORMAT_VERSION, sizeof fh, WS_ENDIAN_CHECK};
	fput(&fh, sizeof fh);
	uint8_t pr[sizeof(struct ws_process) + 12] = {0};
	struct ws_process p = {.pid = 7,
			       .clock = WS_CLOCK_CPU,
			       .source = 1,
			       .requested_hz = 1000,
			       .start_mono_ns = T0};
	memcpy(pr, &p, sizeof p);
	struct iovec pp = {pr, sizeof pr};
	frecord(WS_REC_PROCESS, &pp, 1);
	frecord(WS_REC_GPU, parts, 3);
	struct ws_end e = {.end_mono_ns = T0 + 2000000000ull, .reason = WS_END_EXIT};
	struct iovec ep = {&e, sizeof e};
	frecord(WS_REC_END, &ep, 1);
	char path[] = "/tmp/gpu_synth.XXXXXX";
	int fd = mkstemp(path);
	if (fd < 0 || write(fd, fbuf, flen) != (ssize_t)flen) {
		perror("gpu_synth: temporary file");
		exit(99);
	}
	close(fd);
	int rc = ws_load_file(path, proc, err);
	unlink(path);
	return rc;
}

static void
report(struct wsr_process *proc, struct ws_gpu_report *g)
{
	struct wsr_profile prof = {.procs = proc, .nprocs = 1};
	struct ws_filter f = {0};
	ws_gpu_report_build(&prof, &f, NULL, 0, g);
}

/* gpu_synth --write DIR: also keep the transfer-bound and tiny-kernel
 * profiles as DIR/transfer and DIR/tiny for test_gpu_report.sh. */
static const char *outdir;

static void
keep(const char *name)
{
	if (!outdir)
		return;
	char path[4096];
	snprintf(path, sizeof path, "%s/%s", outdir, name);
	mkdir(path, 0777);
	snprintf(path, sizeof path, "%s/%s/synth.7.wsp", outdir, name);
	FILE *f = fopen(path, "wb");
	if (!f || fwrite(fbuf, 1, flen, f) != flen || fclose(f) != 0) {
		perror(path);
		exit(99);
	}
}

#define MS 1000000ull
#define US 1000ull

int
main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "--write"))
		outdir = argv[2];
	struct wsr_process proc;
	struct ws_error err;
	struct ws_gpu_report g;

	/* 1. transfer-bound, pageable: HtoD 64 MB pageable (10 ms), kernel 1 ms,
	 * DtoH 64 MB pinned (5 ms), HtoD 16 MB pageable (2 ms) */
	reset();
	uint32_t c1 = corr++, c2 = corr++, c3 = corr++, c4 = corr++;
	api("cudaMemcpy", 0, 10 * MS + 20 * US, c1, 0x1000);
	copy(CUPTI_ACTIVITY_MEMCPY_KIND_HTOD, CUPTI_ACTIVITY_MEMORY_KIND_PAGEABLE, 64000000,
	     10 * US, 10 * MS, c1);
	api("cudaLaunchKernel", 11 * MS, 5 * US, c2, 0x2000);
	kernel("_Z6matmulPKfS0_Pfi", 11 * MS + 10 * US, 1 * MS, c2);
	api("cudaMemcpy", 11 * MS + 20 * US, 6 * MS, c3, 0x3000);
	copy(CUPTI_ACTIVITY_MEMCPY_KIND_DTOH, CUPTI_ACTIVITY_MEMORY_KIND_PINNED, 64000000,
	     12 * MS + 10 * US, 5 * MS, c3);
	api("cudaMemcpy", 18 * MS, 2 * MS + 20 * US, c4, 0x1000);
	copy(CUPTI_ACTIVITY_MEMCPY_KIND_HTOD, CUPTI_ACTIVITY_MEMORY_KIND_PAGEABLE, 16000000,
	     18 * MS + 10 * US, 2 * MS, c4);
	memset_rec(4096, 21 * MS, 10 * US);
	sync_rec(21 * MS, 5 * US);
	if (load(GOOD, &proc, &err) < 0) {
		printf("FAIL: the good profile did not load: %s\n", err.msg);
		return 1;
	}
	keep("transfer");
	CHECK(proc.gpu && proc.gpu->info.nactivities == 6, "%u activities",
	      proc.gpu ? proc.gpu->info.nactivities : 0);
	/* the conversion, field by field */
	const struct ws_gpu_activity *k = NULL;
	for (uint32_t i = 0; proc.gpu && i < proc.gpu->info.nactivities; i++)
		if (proc.gpu->act[i].kind == WS_GPU_KERNEL)
			k = &proc.gpu->act[i];
	CHECK(k && !strcmp(k->name, "_Z6matmulPKfS0_Pfi"), "kernel name");
	if (k) {
		CHECK(k->start_ns == T0 + 11 * MS + 10 * US + (uint64_t)offset, "start %lu",
		      (unsigned long)k->start_ns);
		CHECK(k->end_ns - k->start_ns == 1 * MS, "duration");
		CHECK(k->grid[0] == 256 && k->grid[1] == 2 && k->block[0] == 128, "launch config");
		CHECK(k->registers == 32 && k->shared_bytes == 4096, "regs %u shared %u",
		      k->registers, k->shared_bytes);
		CHECK(k->correlation == c2 && k->stream == 7, "correlation %u", k->correlation);
	}
	report(&proc, &g);
	CHECK(g.kernel_count == 1 && g.copy_count == 3 && g.memset_count == 1 && g.sync_count == 1,
	      "counts %lu %lu %lu %lu", (unsigned long)g.kernel_count, (unsigned long)g.copy_count,
	      (unsigned long)g.memset_count, (unsigned long)g.sync_count);
	CHECK(NEAR(g.kernel_s, 0.001, 1e-9) && NEAR(g.copy_s, 0.017, 1e-9), "kernel %g copy %g",
	      g.kernel_s, g.copy_s);
	CHECK(NEAR(g.copy_kernel_ratio, 17.0, 1e-9), "ratio %g", g.copy_kernel_ratio);
	CHECK(g.transfer_bound, "transfer-bound expected");
	CHECK(g.pageable && NEAR(g.pageable_percent, 100.0 * 80 / 144, 1e-6), "pageable %g%%",
	      g.pageable_percent);
	CHECK(!g.launch_bound && !g.sync_every_launch, "launch verdicts with 1 launch");
	CHECK(!g.resident && !g.gpu_bound, "one kernel, transfer-bound: resident %d, bound %d",
	      g.resident, g.gpu_bound);
	CHECK(!g.um_traced && !g.um_migrations, "unified memory was not traced");
	/* transfers: HtoD pageable first (12 ms, 80 MB), 6.667 GB/s */
	CHECK(g.ncopies == 2, "%zu transfer rows", g.ncopies);
	if (g.ncopies == 2) {
		CHECK(g.copies[0].direction == WS_GPU_HTOD &&
			  g.copies[0].memory == WS_GPU_MEM_PAGEABLE && g.copies[0].count == 2 &&
			  g.copies[0].bytes == 80000000,
		      "first transfer row");
		CHECK(NEAR(g.copies[0].gb_per_s, 80e6 / 0.012 / 1e9, 1e-9), "HtoD %g GB/s",
		      g.copies[0].gb_per_s);
		CHECK(g.copies[1].direction == WS_GPU_DTOH &&
			  g.copies[1].memory == WS_GPU_MEM_PINNED &&
			  NEAR(g.copies[1].gb_per_s, 12.8, 1e-9),
		      "DtoH pinned %g GB/s", g.copies[1].gb_per_s);
	}
	/* call sites: the runtime call's frame, never the nested driver call's; the
	 * memset had no API call recorded: a site of its own */
	CHECK(g.nsites == 4 && !strcmp(g.sites[0].site, "0x1000") &&
		  NEAR(g.sites[0].gpu_seconds, 0.012, 1e-9),
	      "top site %s %g", g.nsites ? g.sites[0].site : "-",
	      g.nsites ? g.sites[0].gpu_seconds : 0);
	for (size_t i = 0; i < g.nsites; i++)
		CHECK(strcmp(g.sites[i].site, "0xdead") != 0, "nested driver call as the site");
	/* API time counts top-level calls only: 10.02 + 0.005 + 6 + 2.02 ms */
	CHECK(NEAR(g.api_s, 0.018045, 1e-9) && g.api_count == 4, "api %g s, %lu calls", g.api_s,
	      (unsigned long)g.api_count);
	CHECK(g.nkernels == 1 &&
		  !strcmp(g.kernels[0].name, "matmul(float const*, float const*, float*, int)"),
	      "demangled %s", g.nkernels ? g.kernels[0].name : "-");
	ws_gpu_report_free(&g);
	ws_process_free(&proc);

	/* 2. 1000 tiny kernels (2 us), each launched (5 us) and synchronised */
	reset();
	uint64_t t = 0;
	for (int i = 0; i < 1000; i++) {
		uint32_t c = corr++;
		api("cudaLaunchKernel", t, 5 * US, c, 0x4000);
		kernel("_Z4tinyPf", t + 6 * US, 2 * US, c);
		api("cudaDeviceSynchronize", t + 5 * US, 4 * US, corr++, 0x4100);
		t += 10 * US;
	}
	if (load(GOOD, &proc, &err) < 0) {
		printf("FAIL: tiny: %s\n", err.msg);
		return 1;
	}
	keep("tiny");
	report(&proc, &g);
	CHECK(g.launches == 1000 && g.sync_after_launch == 1000, "launches %lu synced %lu",
	      (unsigned long)g.launches, (unsigned long)g.sync_after_launch);
	CHECK(NEAR(g.launch_overhead_us, 5.0, 1e-9), "launch %g us", g.launch_overhead_us);
	CHECK(NEAR(g.tiny_kernel_percent, 100.0, 1e-9), "tiny %g%%", g.tiny_kernel_percent);
	CHECK(g.launch_bound && g.sync_every_launch, "launch-bound and sync verdicts");
	CHECK(!g.transfer_bound && !g.pageable, "no transfer verdicts");
	/* 1000 kernels and no copy: resident; launch-bound: not GPU-bound */
	CHECK(g.resident && g.copies_in_kernel_window == 0 && !g.gpu_bound,
	      "tiny: resident %d, bound %d", g.resident, g.gpu_bound);
	CHECK(g.nkernels == 1 && g.kernels[0].calls == 1000 &&
		  NEAR(g.kernels[0].mean_us, 2.0, 1e-9),
	      "tiny kernel row");
	/* busy 2 us of every 10 over a window of 9999 us */
	CHECK(NEAR(g.busy_percent, 100.0 * 2000 / 9999, 1e-6), "busy %g%%", g.busy_percent);
	ws_gpu_report_free(&g);
	ws_process_free(&proc);

	/* 3. good: 20 kernels of 1 ms back to back, launched ahead, one sync */
	reset();
	for (int i = 0; i < 20; i++) {
		uint32_t c = corr++;
		api("cudaLaunchKernel", (uint64_t)i * 5 * US, 4 * US, c, 0x5000);
		kernel("_Z4goodPf", 10 * US + (uint64_t)i * MS, 1 * MS, c);
	}
	api("cudaDeviceSynchronize", 100 * US, 20 * MS - 90 * US, corr++, 0x5100);
	if (load(GOOD, &proc, &err) < 0) {
		printf("FAIL: good: %s\n", err.msg);
		return 1;
	}
	report(&proc, &g);
	CHECK(!g.transfer_bound && !g.launch_bound && !g.gpu_idle_cpu_works &&
		  !g.sync_every_launch && !g.pageable,
	      "a verdict on the good program: %d %d %d %d %d", g.transfer_bound, g.launch_bound,
	      g.gpu_idle_cpu_works, g.sync_every_launch, g.pageable);
	CHECK(g.busy_percent > 99.9, "busy %g%%", g.busy_percent);
	CHECK(g.sync_after_launch == 1, "the last launch only: %lu",
	      (unsigned long)g.sync_after_launch);
	CHECK(g.resident && g.gpu_bound && g.kernel_window_percent > 99.9,
	      "good: resident %d, bound %d, kernel window %g%%", g.resident, g.gpu_bound,
	      g.kernel_window_percent);
	ws_gpu_report_free(&g);
	ws_process_free(&proc);

	/* 4. GPU idle while the CPU works: 1 ms kernels 10 ms apart, the CPU
	 * in no CUDA call between them */
	reset();
	for (int i = 0; i < 10; i++) {
		uint32_t c = corr++;
		api("cudaLaunchKernel", (uint64_t)i * 10 * MS, 5 * US, c, 0x6000);
		/* extern "C" names (NVRTC, CuPy, Triton): not demangled, kept */
		kernel(i % 2 ? "step_odd" : "step_even", (uint64_t)i * 10 * MS + 10 * US, 1 * MS, c);
	}
	if (load(GOOD, &proc, &err) < 0) {
		printf("FAIL: idle: %s\n", err.msg);
		return 1;
	}
	report(&proc, &g);
	/* window 0 .. 91.01 ms; busy 10 ms; API 50 us, partly in gaps */
	CHECK(g.gpu_idle_cpu_works && g.cpu_work_idle_percent > 88 &&
		  g.cpu_work_idle_percent < 89.1,
	      "idle while working %g%%", g.cpu_work_idle_percent);
	CHECK(!g.launch_bound && !g.sync_every_launch && !g.transfer_bound, "other verdicts");
	CHECK(g.nkernels == 2 && g.kernels[0].name && g.kernels[1].name &&
		  (!strcmp(g.kernels[0].name, "step_even") || !strcmp(g.kernels[0].name, "step_odd")),
	      "extern \"C\" kernel names: %zu rows, %s", g.nkernels,
	      g.nkernels && g.kernels[0].name ? g.kernels[0].name : "(null)");
	keep("idle");
	/* kernels 1 ms of every 10: not GPU-bound; no copies: resident */
	CHECK(!g.gpu_bound && NEAR(g.kernel_window_percent, 100.0 * 10 / 91, 1e-6) && g.resident,
	      "idle: bound %d, kernel window %g%%, resident %d", g.gpu_bound,
	      g.kernel_window_percent, g.resident);
	ws_gpu_report_free(&g);
	ws_process_free(&proc);

	/* 6. copies every iteration: 12 x (HtoD 1 ms, kernel 1 ms, DtoH 1 ms),
	 * pinned: not resident (22 copies inside the kernel window), not
	 * GPU-bound (kernels 1/3 of it), transfer-bound */
	reset();
	for (int i = 0; i < 12; i++) {
		uint64_t t0 = (uint64_t)i * 3 * MS;
		uint32_t a = corr++, b = corr++, c = corr++;
		api("cudaMemcpy", t0, 1 * MS, a, 0x7000);
		copy(CUPTI_ACTIVITY_MEMCPY_KIND_HTOD, CUPTI_ACTIVITY_MEMORY_KIND_PINNED, 1000000, t0,
		     1 * MS, a);
		api("cudaLaunchKernel", t0 + 1 * MS, 5 * US, b, 0x7100);
		kernel("_Z4iterPf", t0 + 1 * MS, 1 * MS, b);
		api("cudaMemcpy", t0 + 2 * MS, 1 * MS, c, 0x7200);
		copy(CUPTI_ACTIVITY_MEMCPY_KIND_DTOH, CUPTI_ACTIVITY_MEMORY_KIND_PINNED, 1000000,
		     t0 + 2 * MS, 1 * MS, c);
	}
	if (load(GOOD, &proc, &err) < 0) {
		printf("FAIL: copies every iteration: %s\n", err.msg);
		return 1;
	}
	report(&proc, &g);
	/* window: first kernel at 1 ms to the last's end at 35 ms; copies
	 * starting strictly inside: the DtoH at 2, the HtoD at 3, ... up to the
	 * HtoD at 33: 11 + 11 = 22 */
	CHECK(g.copies_in_kernel_window == 22 && !g.resident, "copies in the window %lu, resident %d",
	      (unsigned long)g.copies_in_kernel_window, g.resident);
	CHECK(NEAR(g.kernel_window_percent, 100.0 * 12 / 34, 1e-6) && !g.gpu_bound,
	      "kernel window %g%%, bound %d", g.kernel_window_percent, g.gpu_bound);
	CHECK(g.transfer_bound && !g.pageable, "transfer-bound %d, pageable %d", g.transfer_bound,
	      g.pageable);
	ws_gpu_report_free(&g);
	ws_process_free(&proc);

	/* 7. unified memory: 10 kernels of 1 ms back to back; 10 on-demand
	 * migrations HtoD of 8 MB (0.5 ms each), 2 prefetches DtoH of 4 MB (0.25 ms),
	 * 4 records of 100 GPU fault groups, 3 CPU faults (CUPTI's value is
	 * the faulting PC: counted as 1 each), 1 thrashing of 2 MB */
	reset();
	extra_flags = WS_GPU_UM_TRACED;
	for (int i = 0; i < 10; i++) {
		uint32_t c = corr++;
		api("cudaLaunchKernel", (uint64_t)i * 5 * US, 4 * US, c, 0x8000);
		kernel("_Z7managedPf", 10 * US + (uint64_t)i * MS, 1 * MS, c);
		um_rec(CUPTI_ACTIVITY_UNIFIED_MEMORY_COUNTER_KIND_BYTES_TRANSFER_HTOD, 8000000,
		       10 * US + (uint64_t)i * MS + 100 * US, 500 * US, ON_DEMAND);
	}
	for (int i = 0; i < 2; i++)
		um_rec(CUPTI_ACTIVITY_UNIFIED_MEMORY_COUNTER_KIND_BYTES_TRANSFER_DTOH, 4000000,
		       11 * MS + (uint64_t)i * MS, 250 * US, PREFETCH);
	for (int i = 0; i < 4; i++)
		um_rec(CUPTI_ACTIVITY_UNIFIED_MEMORY_COUNTER_KIND_GPU_PAGE_FAULT, 100,
		       20 * US + (uint64_t)i * MS, 50 * US, 0);
	for (int i = 0; i < 3; i++)
		um_rec(CUPTI_ACTIVITY_UNIFIED_MEMORY_COUNTER_KIND_CPU_PAGE_FAULT_COUNT, 0x401234,
		       15 * MS + (uint64_t)i * US, 0, 0);
	um_rec(CUPTI_ACTIVITY_UNIFIED_MEMORY_COUNTER_KIND_THRASHING, 2000000, 5 * MS, 999 * MS, 0);
	um_rec(CUPTI_ACTIVITY_UNIFIED_MEMORY_COUNTER_KIND_UNKNOWN, 1, 5 * MS, 0, 0); /* dropped */
	if (load(GOOD, &proc, &err) < 0) {
		printf("FAIL: unified memory: %s\n", err.msg);
		return 1;
	}
	extra_flags = 0;
	CHECK(proc.gpu && proc.gpu->info.nactivities == 10 + 10 + 2 + 4 + 3 + 1,
	      "%u activities (the unknown counter kind must be skipped)",
	      proc.gpu ? proc.gpu->info.nactivities : 0);
	report(&proc, &g);
	CHECK(g.um_traced, "the flag");
	CHECK(g.um_events[WS_GPU_UM_HTOD] == 10 && g.um_amount[WS_GPU_UM_HTOD] == 80000000 &&
		  NEAR(g.um_seconds[WS_GPU_UM_HTOD], 0.005, 1e-9),
	      "HtoD %lu records, %lu bytes, %g s", (unsigned long)g.um_events[WS_GPU_UM_HTOD],
	      (unsigned long)g.um_amount[WS_GPU_UM_HTOD], g.um_seconds[WS_GPU_UM_HTOD]);
	CHECK(g.um_events[WS_GPU_UM_DTOH] == 2 && g.um_amount[WS_GPU_UM_DTOH] == 8000000,
	      "DtoH");
	CHECK(g.um_amount[WS_GPU_UM_GPU_FAULT] == 400 && g.um_events[WS_GPU_UM_GPU_FAULT] == 4,
	      "GPU fault groups %lu", (unsigned long)g.um_amount[WS_GPU_UM_GPU_FAULT]);
	CHECK(g.um_amount[WS_GPU_UM_CPU_FAULT] == 3, "CPU faults %lu (the PC is not an amount)",
	      (unsigned long)g.um_amount[WS_GPU_UM_CPU_FAULT]);
	/* thrashing's end is not a time (CUPTI): no duration */
	CHECK(g.um_events[WS_GPU_UM_THRASHING] == 1 && g.um_seconds[WS_GPU_UM_THRASHING] == 0,
	      "thrashing %g s", g.um_seconds[WS_GPU_UM_THRASHING]);
	/* on demand: 5 ms over 10 ms of kernels; the prefetches apart */
	CHECK(NEAR(g.um_migration_s, 0.005, 1e-9) && NEAR(g.um_migration_percent, 50.0, 1e-6) &&
		  g.um_demand_bytes == 80000000 && g.um_prefetch_bytes == 8000000 &&
		  NEAR(g.um_prefetch_s, 0.0005, 1e-9),
	      "on demand %g s (%g%%), %lu bytes; prefetched %lu bytes", g.um_migration_s,
	      g.um_migration_percent, (unsigned long)g.um_demand_bytes,
	      (unsigned long)g.um_prefetch_bytes);
	CHECK(g.um_migrations && !g.gpu_bound && !g.resident,
	      "page-fault migrations %d, bound %d, resident %d", g.um_migrations, g.gpu_bound,
	      g.resident);
	/* unified memory is neither busy time nor the window */
	CHECK(g.busy_percent > 99.9 && NEAR(g.window_s, 0.01001, 1e-6),
	      "busy %g%%, window %g s", g.busy_percent, g.window_s);
	keep("managed");
	ws_gpu_report_free(&g);
	ws_process_free(&proc);

	/* 8. the same kernels with the data prefetched: no verdict on the
	 * migrations; GPU-bound and resident */
	reset();
	extra_flags = WS_GPU_UM_TRACED;
	for (int i = 0; i < 10; i++) {
		uint32_t c = corr++;
		api("cudaLaunchKernel", (uint64_t)i * 5 * US, 4 * US, c, 0x8000);
		kernel("_Z7managedPf", 10 * US + (uint64_t)i * MS, 1 * MS, c);
	}
	um_rec(CUPTI_ACTIVITY_UNIFIED_MEMORY_COUNTER_KIND_BYTES_TRANSFER_HTOD, 80000000, 0,
	       5 * US, PREFETCH);
	if (load(GOOD, &proc, &err) < 0) {
		printf("FAIL: prefetched: %s\n", err.msg);
		return 1;
	}
	extra_flags = 0;
	report(&proc, &g);
	CHECK(!g.um_migrations && g.um_prefetch_bytes == 80000000 && g.um_demand_bytes == 0 &&
		  g.gpu_bound && g.resident,
	      "prefetched: migrations verdict %d, bound %d, resident %d", g.um_migrations,
	      g.gpu_bound, g.resident);
	ws_gpu_report_free(&g);
	ws_process_free(&proc);

	/* 9. kernels back to back, then the CPU works 190 ms with the GPU idle:
	 * the kernel window is all kernels, but the run is not GPU-bound */
	reset();
	for (int i = 0; i < 10; i++) {
		uint32_t c = corr++;
		api("cudaLaunchKernel", (uint64_t)i * 5 * US, 4 * US, c, 0x9000);
		kernel("_Z4bulkPf", 10 * US + (uint64_t)i * MS, 1 * MS, c);
	}
	api("cudaDeviceSynchronize", 200 * MS, 10 * US, corr++, 0x9100);
	if (load(GOOD, &proc, &err) < 0) {
		printf("FAIL: idle after: %s\n", err.msg);
		return 1;
	}
	report(&proc, &g);
	CHECK(g.gpu_idle_cpu_works && !g.gpu_bound && g.kernel_window_percent > 99.9,
	      "idle after the kernels: idle verdict %d, bound %d, window %g%%", g.gpu_idle_cpu_works,
	      g.gpu_bound, g.kernel_window_percent);
	ws_gpu_report_free(&g);
	ws_process_free(&proc);

	/* 5. the reader refuses bad GPU records with a message */
	static const struct {
		enum defect d;
		const char *msg;
	} bad[] = {{BAD_COUNT, "need"},
		   {BAD_KIND, "unknown kind 9"},
		   {BAD_TIME, "ends before"},
		   {BAD_UM, "unified-memory event 0 has unknown kind 12"}};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		reset();
		kernel("_Z1kv", 0, 1000, corr++);
		copy(CUPTI_ACTIVITY_MEMCPY_KIND_HTOD, CUPTI_ACTIVITY_MEMORY_KIND_PINNED, 8, 2000,
		     100, corr++);
		int rc = load(bad[i].d, &proc, &err);
		CHECK(rc < 0 && strstr(err.msg, bad[i].msg), "defect %zu: rc %d, '%s'", i, rc,
		      rc < 0 ? err.msg : "");
		if (rc == 0)
			ws_process_free(&proc);
	}
	if (failures) {
		printf("gpu_synth: %d check(s) failed\n", failures);
		return 1;
	}
	printf("gpu_synth: all checks passed\n");
	return 0;
}
