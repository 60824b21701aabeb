/* GPU tracing with CUPTI (gpu.h, docs/gpu.md). */
#include <dlfcn.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>

#include <cupti.h>

#include "arena.h"
#include "collector.h"
#include "gpu.h"
#include "gpu_records.h"
#include "threads.h"
#include "unwind.h"
#include "writer.h"

#define WS_EXPORT __attribute__((visibility("default")))

/* The CUPTI functions used, looked up once. */
static struct {
	CUptiResult (*Subscribe)(CUpti_SubscriberHandle *, CUpti_CallbackFunc, void *);
	CUptiResult (*EnableDomain)(uint32_t, CUpti_SubscriberHandle, CUpti_CallbackDomain);
	CUptiResult (*ActivityEnable)(CUpti_ActivityKind);
	CUptiResult (*ActivityRegisterCallbacks)(CUpti_BuffersCallbackRequestFunc,
						 CUpti_BuffersCallbackCompleteFunc);
	CUptiResult (*ActivityGetNextRecord)(uint8_t *, size_t, CUpti_Activity **);
	CUptiResult (*ActivityGetNumDroppedRecords)(CUcontext, uint32_t, size_t *);
	CUptiResult (*ActivityFlushAll)(uint32_t);
	CUptiResult (*GetTimestamp)(uint64_t *);
	CUptiResult (*GetResultString)(CUptiResult, const char **);
	CUptiResult (*ActivityConfigureUnifiedMemoryCounter)(
	    CUpti_ActivityUnifiedMemoryCounterConfig *, uint32_t); /* optional */
} cupti;

/* Every CUPTI call goes through CUPTI_CALL, which names the failing call
 * and CUPTI's reason and evaluates to the result (0: success). */
static int
cupti_check(CUptiResult r, const char *call)
{
	if (r == CUPTI_SUCCESS)
		return 0;
	const char *why = NULL;
	if (cupti.GetResultString)
		cupti.GetResultString(r, &why);
	ws_warnf("GPU tracing: %s failed: %s (CUPTI error %d)", call, why ? why : "?", (int)r);
	return -1;
}
#define CUPTI_CALL(fn, ...) cupti_check(cupti.fn(__VA_ARGS__), "cupti" #fn)

enum { MAX_ACT = 1 << 19, MAX_API = 1 << 19, BUF_BYTES = 8 << 20 };

static struct ws_gpu_rows rows;
static struct ws_gpu head;
static _Atomic int running;	   /* CUPTI subscribed and rows mapped */
static int asked;		   /* WHYSLOW_GPU=1 (--gpu) */
static _Atomic int injected;	   /* the driver called InitializeInjection */
static __thread int runtime_depth; /* inside a runtime API call */

static uint64_t
now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void CUPTIAPI
buffer_requested(uint8_t **buf, size_t *size, size_t *max_records)
{
	/* CUPTI's thread or the flushing one, never a signal handler. */
	*buf = ws_map(BUF_BYTES);
	*size = *buf ? BUF_BYTES : 0;
	*max_records = 0;
}

static int
next_record(uint8_t *buf, size_t valid, CUpti_Activity **rec)
{
	return cupti.ActivityGetNextRecord(buf, valid, rec) == CUPTI_SUCCESS ? 0 : -1;
}

static void CUPTIAPI
buffer_completed(CUcontext ctx, uint32_t stream, uint8_t *buf, size_t size, size_t valid)
{
	if (valid)
		ws_gpu_take_buffer(&rows, buf, valid, next_record);
	size_t dropped = 0;
	if (cupti.ActivityGetNumDroppedRecords(ctx, stream, &dropped) == CUPTI_SUCCESS)
		head.dropped_cupti += dropped;
	ws_unmap(buf, BUF_BYTES);
}

static void CUPTIAPI
api_callback(void *ud, CUpti_CallbackDomain domain, CUpti_CallbackId cbid, const void *data)
{
	const CUpti_CallbackData *cb = data;
	if (cb->callbackSite == CUPTI_API_ENTER) {
		if (cb->correlationData)
			*cb->correlationData = now_ns();
		if (domain == CUPTI_CB_DOMAIN_RUNTIME_API)
			runtime_depth++;
		return;
	}
	if (domain == CUPTI_CB_DOMAIN_RUNTIME_API && runtime_depth > 0)
		runtime_depth--;
	struct ws_gpu_api a;
	memset(&a, 0, sizeof a);
	a.end_ns = now_ns();
	a.start_ns = cb->correlationData ? *cb->correlationData : a.end_ns;
	a.correlation = cb->correlationId;
	a.cbid = cbid;
	a.domain = domain == CUPTI_CB_DOMAIN_RUNTIME_API ? WS_GPU_RUNTIME : WS_GPU_DRIVER;
	if (a.domain == WS_GPU_DRIVER && runtime_depth > 0)
		a.domain |= WS_GPU_NESTED;
	a.tid = (uint32_t)gettid();
	if (cb->functionName)
		strncpy(a.name, cb->functionName, sizeof a.name - 1);
	/* The stack of outer calls only: a nested driver call shares its
	 * runtime call's stack, and unwinding inside the runtime call would
	 * lengthen the time measured for it. */
	struct ws_thread_state *me = ws_self;
	ucontext_t uc;
	if (me && !(a.domain & WS_GPU_NESTED) && getcontext(&uc) == 0)
		a.nframes = ws_unwind(&uc, me->stack_lo, me->stack_hi, a.frames, WS_GPU_API_FRAMES,
				      &a.stack_flags);
	ws_gpu_add_api(&rows, &a);
}

static void
gpu_flush_at_exit(void)
{
	if (!atomic_load(&running))
		return;
	CUPTI_CALL(ActivityFlushAll, CUPTI_ACTIVITY_FLAG_FLUSH_FORCED);
	head.flags |= WS_GPU_FLUSHED;
	head.end_ns = now_ns();
}

static void
off_at_exit(void)
{
	if (!asked || atomic_load(&injected))
		return;
	void *drv = dlopen("libcuda.so.1", RTLD_LAZY | RTLD_NOLOAD);
	if (!drv) {
		ws_warnf("GPU tracing is off: the program loaded no CUDA driver (libcuda.so.1: "
			 "no NVIDIA driver on this machine, or no CUDA call was made)");
		return;
	}
	dlclose(drv);
	ws_warnf("GPU tracing is off: the CUDA driver was loaded but never initialised "
		 "(cuInit) with libwhyslow.so as its injection library");
}

void
ws_gpu_init(void)
{
	const char *s = getenv("WHYSLOW_GPU");
	asked = s && strcmp(s, "1") == 0;
	if (asked)
		atexit(off_at_exit);
}

static void *
open_cupti(char *why, size_t len)
{
	static const char *const names[] = {"libcupti.so", "libcupti.so.13", "libcupti.so.12",
					    WS_CUDA_DIR "/lib64/libcupti.so",
					    WS_CUDA_DIR "/extras/CUPTI/lib64/libcupti.so"};
	const char *err = "";
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		void *h = dlopen(names[i], RTLD_NOW | RTLD_LOCAL);
		if (h)
			return h;
		if (i == 0)
			err = dlerror();
	}
	snprintf(why, len, "cannot load libcupti.so: %s", err ? err : "not found");
	return NULL;
}

/* Unified-memory events (migrations, page faults, thrashing): optional.
 * CUPTI refuses them on some systems (no UVM, MPS, confidential compute);
 * then a note in the profile says why, nothing on stderr, and the report
 * says they were not traced.  Called before the first context exists, as
 * CUPTI requires. */
static void
enable_unified_memory(void *h)
{
	*(void **)&cupti.ActivityConfigureUnifiedMemoryCounter =
	    dlsym(h, "cuptiActivityConfigureUnifiedMemoryCounter");
	if (!cupti.ActivityConfigureUnifiedMemoryCounter) {
		ws_notef("unified memory not traced: libcupti has no "
			 "cuptiActivityConfigureUnifiedMemoryCounter");
		return;
	}
	static const CUpti_ActivityUnifiedMemoryCounterKind kinds[] = {
	    CUPTI_ACTIVITY_UNIFIED_MEMORY_COUNTER_KIND_BYTES_TRANSFER_HTOD,
	    CUPTI_ACTIVITY_UNIFIED_MEMORY_COUNTER_KIND_BYTES_TRANSFER_DTOH,
	    CUPTI_ACTIVITY_UNIFIED_MEMORY_COUNTER_KIND_CPU_PAGE_FAULT_COUNT,
	    CUPTI_ACTIVITY_UNIFIED_MEMORY_COUNTER_KIND_GPU_PAGE_FAULT,
	    CUPTI_ACTIVITY_UNIFIED_MEMORY_COUNTER_KIND_THRASHING,
	};
	enum { NK = sizeof kinds / sizeof kinds[0] };
	CUpti_ActivityUnifiedMemoryCounterConfig cfg[NK];
	memset(cfg, 0, sizeof cfg);
	for (int i = 0; i < NK; i++) {
		cfg[i].scope = CUPTI_ACTIVITY_UNIFIED_MEMORY_COUNTER_SCOPE_PROCESS_SINGLE_DEVICE;
		cfg[i].kind = kinds[i];
		cfg[i].deviceId = 0;
		cfg[i].enable = 1;
	}
	const char *call = "cuptiActivityConfigureUnifiedMemoryCounter";
	CUptiResult r = cupti.ActivityConfigureUnifiedMemoryCounter(cfg, NK);
	if (r == CUPTI_SUCCESS) {
		call = "cuptiActivityEnable(UNIFIED_MEMORY_COUNTER)";
		r = cupti.ActivityEnable(CUPTI_ACTIVITY_KIND_UNIFIED_MEMORY_COUNTER);
	}
	if (r != CUPTI_SUCCESS) {
		const char *why = NULL;
		cupti.GetResultString(r, &why);
		ws_notef("unified memory not traced: %s failed: %s (CUPTI error %d)", call,
			 why ? why : "?", (int)r);
		return;
	}
	head.flags |= WS_GPU_UM_TRACED;
}

static int
start_cupti(void)
{
	char why[512];
	void *h = open_cupti(why, sizeof why);
	if (!h) {
		ws_warnf("GPU tracing is off: %s", why);
		return -1;
	}
#define SYM(f)                                                                                     \
	if (!(*(void **)&cupti.f = dlsym(h, "cupti" #f))) {                                        \
		ws_warnf("GPU tracing is off: libcupti has no cupti" #f);                          \
		return -1;                                                                         \
	}
	SYM(Subscribe)
	SYM(EnableDomain) SYM(ActivityEnable) SYM(ActivityRegisterCallbacks)
	    SYM(ActivityGetNextRecord) SYM(ActivityGetNumDroppedRecords) SYM(ActivityFlushAll)
		SYM(GetTimestamp) SYM(GetResultString)
#undef SYM
		    rows.act = ws_map((size_t)MAX_ACT * sizeof *rows.act);
	rows.api = ws_map((size_t)MAX_API * sizeof *rows.api);
	if (!rows.act || !rows.api) {
		ws_warnf("GPU tracing is off: no memory for its tables");
		return -1;
	}
	rows.cap_act = MAX_ACT;
	rows.cap_api = MAX_API;
	/* CUPTI's clock -> CLOCK_MONOTONIC: the narrowest of 5 brackets */
	uint64_t best = UINT64_MAX;
	for (int i = 0; i < 5; i++) {
		uint64_t a = now_ns(), g = 0;
		if (CUPTI_CALL(GetTimestamp, &g) < 0)
			return -1;
		uint64_t b = now_ns();
		if (b - a < best) {
			best = b - a;
			rows.offset_ns = (int64_t)(a + (b - a) / 2) - (int64_t)g;
		}
	}
	CUpti_SubscriberHandle sub;
	if (CUPTI_CALL(ActivityRegisterCallbacks, buffer_requested, buffer_completed) < 0 ||
	    CUPTI_CALL(Subscribe, &sub, (CUpti_CallbackFunc)api_callback, NULL) < 0 ||
	    CUPTI_CALL(EnableDomain, 1, sub, CUPTI_CB_DOMAIN_RUNTIME_API) < 0 ||
	    CUPTI_CALL(EnableDomain, 1, sub, CUPTI_CB_DOMAIN_DRIVER_API) < 0 ||
	    CUPTI_CALL(ActivityEnable, CUPTI_ACTIVITY_KIND_CONCURRENT_KERNEL) < 0 ||
	    CUPTI_CALL(ActivityEnable, CUPTI_ACTIVITY_KIND_MEMCPY) < 0 ||
	    CUPTI_CALL(ActivityEnable, CUPTI_ACTIVITY_KIND_MEMSET) < 0) {
		ws_warnf("GPU tracing is off (see above)");
		return -1;
	}
	/* synchronisation records are optional (older drivers) */
	CUPTI_CALL(ActivityEnable, CUPTI_ACTIVITY_KIND_SYNCHRONIZATION);
	enable_unified_memory(h);
	head.start_ns = now_ns();
	atomic_store(&running, 1);
	atexit(gpu_flush_at_exit); /* runs before the collector's on_exit handler */
	return 0;
}

/* NVIDIA's injection entry point: libcuda dlopens $CUDA_INJECTION64_PATH
 * (our own library, already loaded) in cuInit and calls this once.  Not
 * signal-safe. */
WS_EXPORT int InitializeInjection(void);
WS_EXPORT int
InitializeInjection(void)
{
	if (atomic_exchange(&injected, 1))
		return 1;
	if (!ws_collector_owns_process())
		return 1;
	start_cupti();
	return 1; /* never fail the program's cuInit */
}

void
ws_gpu_write(void)
{
	if (!atomic_load(&running))
		return;
	struct iovec parts[3];
	ws_gpu_record_parts(&rows, &head, parts);
	if (!head.end_ns)
		head.end_ns = now_ns();
	ws_writer_record(WS_REC_GPU, parts, 3);
}

void
ws_gpu_fork_child(void)
{
	atomic_store(&running, 0);
}
