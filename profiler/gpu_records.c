/* CUPTI activity records -> GPU rows (gpu_records.h). */
#include "config.h"

#include <string.h>

#include "gpu_records.h"

static uint32_t
copy_kind(uint8_t k)
{
	switch (k) {
	case CUPTI_ACTIVITY_MEMCPY_KIND_HTOD:
		return WS_GPU_HTOD;
	case CUPTI_ACTIVITY_MEMCPY_KIND_DTOH:
		return WS_GPU_DTOH;
	case CUPTI_ACTIVITY_MEMCPY_KIND_DTOD:
		return WS_GPU_DTOD;
	case CUPTI_ACTIVITY_MEMCPY_KIND_HTOH:
		return WS_GPU_HTOH;
	default:
		return WS_GPU_COPY_OTHER;
	}
}

static uint32_t
mem_kind(unsigned k)
{
	switch (k) {
	case CUPTI_ACTIVITY_MEMORY_KIND_PAGEABLE:
		return WS_GPU_MEM_PAGEABLE;
	case CUPTI_ACTIVITY_MEMORY_KIND_PINNED:
		return WS_GPU_MEM_PINNED;
	case CUPTI_ACTIVITY_MEMORY_KIND_DEVICE:
		return WS_GPU_MEM_DEVICE;
	case CUPTI_ACTIVITY_MEMORY_KIND_MANAGED:
		return WS_GPU_MEM_MANAGED;
	default:
		return WS_GPU_MEM_UNKNOWN;
	}
}

static uint64_t
shift(uint64_t t, int64_t off)
{
	return t ? (uint64_t)((int64_t)t + off) : 0;
}

int
ws_gpu_convert(const CUpti_Activity *rec, int64_t off, struct ws_gpu_activity *o)
{
	memset(o, 0, sizeof *o);
	switch (rec->kind) {
	case CUPTI_ACTIVITY_KIND_KERNEL:
	case CUPTI_ACTIVITY_KIND_CONCURRENT_KERNEL: {
		const CUpti_ActivityKernel10 *k = (const CUpti_ActivityKernel10 *)rec;
		o->kind = WS_GPU_KERNEL;
		o->correlation = k->correlationId;
		o->device = k->deviceId;
		o->stream = k->streamId;
		o->start_ns = shift(k->start, off);
		o->end_ns = shift(k->end, off);
		o->grid[0] = k->gridX, o->grid[1] = k->gridY, o->grid[2] = k->gridZ;
		o->block[0] = k->blockX, o->block[1] = k->blockY, o->block[2] = k->blockZ;
		o->registers = k->registersPerThread;
		o->shared_bytes = (uint32_t)(k->staticSharedMemory + k->dynamicSharedMemory);
		if (k->name)
			strncpy(o->name, k->name, WS_GPU_NAME - 1);
		return 0;
	}
	case CUPTI_ACTIVITY_KIND_MEMCPY: {
		const CUpti_ActivityMemcpy6 *m = (const CUpti_ActivityMemcpy6 *)rec;
		o->kind = WS_GPU_MEMCPY;
		o->detail = copy_kind(m->copyKind);
		/* the host side decides pinned or pageable */
		o->memory = mem_kind(o->detail == WS_GPU_DTOH ? m->dstKind : m->srcKind);
		o->correlation = m->correlationId;
		o->device = m->deviceId;
		o->stream = m->streamId;
		o->start_ns = shift(m->start, off);
		o->end_ns = shift(m->end, off);
		o->bytes = m->bytes;
		return 0;
	}
	case CUPTI_ACTIVITY_KIND_MEMSET: {
		const CUpti_ActivityMemset4 *m = (const CUpti_ActivityMemset4 *)rec;
		o->kind = WS_GPU_MEMSET;
		o->memory = mem_kind(m->memoryKind);
		o->correlation = m->correlationId;
		o->device = m->deviceId;
		o->stream = m->streamId;
		o->start_ns = shift(m->start, off);
		o->end_ns = shift(m->end, off);
		o->bytes = m->bytes;
		return 0;
	}
	case CUPTI_ACTIVITY_KIND_SYNCHRONIZATION: {
		const CUpti_ActivitySynchronization2 *s =
		    (const CUpti_ActivitySynchronization2 *)rec;
		o->kind = WS_GPU_SYNC;
		o->detail = (uint32_t)s->type;
		o->correlation = s->correlationId;
		o->stream = s->streamId;
		o->start_ns = shift(s->start, off);
		o->end_ns = shift(s->end, off);
		return 0;
	}
	case CUPTI_ACTIVITY_KIND_UNIFIED_MEMORY_COUNTER: {
		const CUpti_ActivityUnifiedMemoryCounter3 *u =
		    (const CUpti_ActivityUnifiedMemoryCounter3 *)rec;
		unsigned k = (unsigned)u->counterKind;
		if (k < WS_GPU_UM_HTOD || k > WS_GPU_UM_DTOD)
			return -1;
		o->kind = WS_GPU_UNIFIED;
		o->detail = k;
		/* a migration's flags are its cause */
		if ((k == WS_GPU_UM_HTOD || k == WS_GPU_UM_DTOH || k == WS_GPU_UM_DTOD) &&
		    u->flags <= WS_GPU_UM_CAUSE_ACCESS_COUNTERS)
			o->memory = u->flags;
		o->start_ns = shift(u->start, off);
		/* CUPTI: end is meaningless for CPU faults, thrashing, remote map */
		o->end_ns = (k == WS_GPU_UM_CPU_FAULT || k == WS_GPU_UM_THRASHING ||
			     k == WS_GPU_UM_REMOTE_MAP || u->end < u->start)
				? o->start_ns
				: shift(u->end, off);
		/* a CPU fault's value is the faulting PC, not a quantity */
		o->bytes = k == WS_GPU_UM_CPU_FAULT ? 1 : k == WS_GPU_UM_THROTTLING ? 0 : u->value;
		/* the device: the source of a migration to the host and of
		 * faults, thrashing and throttling; else the destination */
		o->device = (k == WS_GPU_UM_HTOD || k == WS_GPU_UM_DTOD || k == WS_GPU_UM_REMOTE_MAP)
				? u->dstId
				: u->srcId;
		return 0;
	}
	default:
		return -1;
	}
}

static void
lock(struct ws_gpu_rows *r)
{
	while (atomic_flag_test_and_set_explicit(&r->lock, memory_order_acquire))
		;
}

int
ws_gpu_take_buffer(struct ws_gpu_rows *r, uint8_t *buf, size_t valid, ws_gpu_next_fn next)
{
	CUpti_Activity *rec = NULL;
	int added = 0;
	lock(r);
	while (next(buf, valid, &rec) == 0 && rec) {
		uint32_t n = atomic_load_explicit(&r->nact, memory_order_relaxed);
		if (n >= r->cap_act) {
			atomic_fetch_add(&r->dropped_rows, 1);
			continue;
		}
		if (ws_gpu_convert(rec, r->offset_ns, &r->act[n]) < 0) {
			atomic_fetch_add(&r->skipped, 1);
			continue;
		}
		atomic_store_explicit(&r->nact, n + 1, memory_order_release);
		added++;
	}
	atomic_flag_clear_explicit(&r->lock, memory_order_release);
	return added;
}

int
ws_gpu_add_api(struct ws_gpu_rows *r, const struct ws_gpu_api *a)
{
	lock(r);
	uint32_t n = atomic_load_explicit(&r->napi, memory_order_relaxed);
	int rc = -1;
	if (n < r->cap_api) {
		r->api[n] = *a;
		atomic_store_explicit(&r->napi, n + 1, memory_order_release);
		rc = 0;
	} else {
		atomic_fetch_add(&r->dropped_rows, 1);
	}
	atomic_flag_clear_explicit(&r->lock, memory_order_release);
	return rc;
}

int
ws_gpu_record_parts(struct ws_gpu_rows *r, struct ws_gpu *h, struct iovec parts[3])
{
	h->nactivities = atomic_load_explicit(&r->nact, memory_order_acquire);
	h->napi = atomic_load_explicit(&r->napi, memory_order_acquire);
	h->dropped_rows = atomic_load(&r->dropped_rows);
	h->clock_offset_ns = r->offset_ns;
	parts[0] = (struct iovec){h, sizeof *h};
	parts[1] = (struct iovec){r->act, (size_t)h->nactivities * sizeof *r->act};
	parts[2] = (struct iovec){r->api, (size_t)h->napi * sizeof *r->api};
	return 0;
}
