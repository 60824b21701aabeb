/* whyslow profile file format, version 1.
 *
 * This header is the one definition of the on-disk format: the collector
 * (profiler/, writer side) and the command (reports/, reader side) both
 * include it.  docs/profile-format.md documents it in prose.
 *
 * A profile file holds the data of one process (one exec image of it):
 *
 *   struct ws_file_header
 *   record*                  each: struct ws_record_header + payload
 *
 * Every record's payload is `size` bytes long and is followed by zero
 * padding up to the next multiple of 8, so every record header is 8-byte
 * aligned.  All integers are little-endian, the byte order of the machines
 * whyslow runs on (x86_64); `endian` in the file header lets a reader
 * detect a file from another byte order.
 *
 * Records may appear in any order, except that WS_REC_PROCESS comes first
 * and WS_REC_END last.  A file without WS_REC_END is incomplete: the
 * process was killed (SIGKILL) or ran out of disk before it could finish.
 * Readers skip record types they do not know (for forward compatibility
 * within one major version) and reject files whose version is newer.
 */
#ifndef WHYSLOW_PROFILE_FORMAT_H
#define WHYSLOW_PROFILE_FORMAT_H

#include <stdint.h>

#define WS_MAGIC "WHYSLOW"       /* 8 bytes with the NUL */
#define WS_FORMAT_VERSION 1u
#define WS_ENDIAN_CHECK 0x0102030405060708ull
#define WS_FILE_SUFFIX ".wsp"

struct ws_file_header {
	char magic[8];        /* WS_MAGIC, NUL-terminated */
	uint32_t version;     /* WS_FORMAT_VERSION */
	uint32_t header_size; /* sizeof(struct ws_file_header) */
	uint64_t endian;      /* WS_ENDIAN_CHECK */
};

struct ws_record_header {
	uint32_t type;     /* enum ws_record_type */
	uint32_t reserved; /* 0 */
	uint64_t size;     /* payload bytes, excluding this header and padding */
};

enum ws_record_type {
	WS_REC_PROCESS = 1, /* struct ws_process + strings */
	WS_REC_MODULE = 2,  /* struct ws_module + path + build-id */
	WS_REC_SAMPLES = 3, /* struct ws_samples + ws_sample[count] */
	WS_REC_THREAD = 4,  /* struct ws_thread + stacks */
	WS_REC_NOTE = 5,    /* struct ws_note + text */
	WS_REC_END = 6,     /* struct ws_end */
	WS_REC_COUNTERS = 7,	    /* struct ws_counters + ws_counter_event[] + names */
	WS_REC_THREAD_COUNTERS = 8, /* struct ws_thread_counters + totals + per-stack sums */
	WS_REC_HEAP = 9,    /* struct ws_heap + stacks + ws_heap_alloc[alloc_count] */
	WS_REC_RUSAGE = 10, /* struct ws_rusage */
	WS_REC_REGS = 11,   /* struct ws_regs + ws_regs_snapshot[count] */
	WS_REC_OMPT = 13,   /* struct ws_ompt + runtime name + regions */
	WS_REC_MPI = 15,    /* struct ws_mpi + struct ws_mpi_call[ncalls] */
	WS_REC_GPU = 17,    /* struct ws_gpu + ws_gpu_activity[nactivities] + ws_gpu_api[napi] */
	WS_REC_PYSTACKS = 21, /* struct ws_pystacks + Python stacks */
	WS_REC_PYCODE = 22,   /* struct ws_pycodes + code objects */
	WS_REC_PYSAMPLES = 23, /* struct ws_pysamples + uint32_t[count] */
};

/* How samples were triggered. */
enum ws_clock {
	WS_CLOCK_CPU = 1,  /* the thread's CPU time */
	WS_CLOCK_WALL = 2, /* elapsed (monotonic) time, running or not */
};

/* Which kernel mechanism delivered the sampling signal. */
enum ws_source {
	WS_SOURCE_NONE = 0,
	WS_SOURCE_PERF_TASK_CLOCK = 1, /* perf_event_open SW_TASK_CLOCK, per thread */
	WS_SOURCE_CPU_TIMER = 2,       /* timer_create on the thread CPU clock (tick-bound) */
	WS_SOURCE_WALL_TIMER = 3,      /* timer_create on CLOCK_MONOTONIC, per thread */
	WS_SOURCE_PERF_EVENT = 4,      /* perf_event_open on a counter's overflow (--sample-on);
					  a WS_REC_NOTE names the event and its period */
};

/* WS_REC_PROCESS.  Followed by three strings, each a uint32_t length and
 * that many bytes (no NUL): hostname, executable path, command line (the
 * arguments separated by NUL bytes, as in /proc/self/cmdline). */
struct ws_process {
	uint32_t pid;
	uint32_t ppid;
	int32_t rank;          /* MPI rank from the environment, -1 if none */
	uint32_t clock;        /* enum ws_clock */
	uint32_t source;       /* enum ws_source actually used */
	uint32_t requested_hz; /* sampling rate asked for */
	uint32_t signal;       /* signal number used for sampling */
	uint32_t max_depth;    /* stack depth limit */
	uint64_t start_mono_ns; /* CLOCK_MONOTONIC when the collector started */
	uint64_t start_real_ns; /* CLOCK_REALTIME at the same moment */
	uint64_t parent_file_id; /* reserved, 0 */
};

/* WS_REC_MODULE: one loaded object (executable, shared library, vDSO).
 * Followed by path (path_len bytes, no NUL) and build-id (build_id_len
 * bytes).  Addresses are run-time addresses in the process. */
enum ws_module_flags {
	WS_MOD_MAIN = 1u << 0,         /* the main executable */
	WS_MOD_VDSO = 1u << 1,         /* the kernel's vDSO (no file) */
	WS_MOD_EH_FRAME_HDR = 1u << 2, /* has PT_GNU_EH_FRAME: DWARF unwinding works */
};
struct ws_module {
	uint32_t id;    /* index in load order, unique in the process */
	uint32_t flags; /* enum ws_module_flags */
	uint64_t bias;  /* load bias: run-time address = ELF vaddr + bias */
	uint64_t start; /* lowest mapped run-time address of its PT_LOAD segments */
	uint64_t end;   /* one past the highest */
	uint64_t load_ns;   /* CLOCK_MONOTONIC when seen loaded (0: at start) */
	uint64_t unload_ns; /* when seen unloaded by dlclose, 0 if still loaded */
	uint32_t path_len;
	uint32_t build_id_len;
};

/* WS_REC_SAMPLES: a chunk of one thread's timeline, in time order.
 * stack indexes that thread's stack table (WS_REC_THREAD with the same
 * thread_index), which may come later in the file. */
struct ws_samples {
	uint32_t thread_index;
	uint32_t count;
};
struct ws_sample {
	uint64_t time_ns; /* CLOCK_MONOTONIC */
	uint32_t stack;   /* index in the thread's stack table */
	uint32_t weight;  /* sampling periods this sample stands for: more than 1
			     when the kernel merged signals (a thread waiting
			     for a CPU, a busy machine); 0 is read as 1 */
};

/* WS_REC_THREAD: one thread's summary and its stack table.  Followed by
 * stack_count stacks, each a struct ws_stack and nframes uint64_t
 * addresses, innermost first.  Frame 0 is the interrupted instruction;
 * the others are return addresses (symbolise them at address - 1). */
enum ws_thread_flags {
	WS_THR_MAIN = 1u << 0,   /* the process's initial thread */
	WS_THR_EXITED = 1u << 1, /* ended before the process did */
};
enum ws_stack_flags {
	WS_STK_TRUNCATED = 1u << 0, /* the depth limit cut it */
	WS_STK_UNWIND_ERR = 1u << 1, /* the unwinder stopped on an error */
};
enum ws_drop_reason {
	WS_DROP_TABLE_FULL = 0, /* stack table or frame arena full */
	WS_DROP_REENTRY = 1,    /* signal arrived while the handler ran */
	WS_DROP_TIMELINE = 2,   /* timeline chunk could not be written (counts kept) */
	WS_DROP_PAUSED = 3,     /* arrived during fork/exec/shutdown */
	WS_DROP_NREASONS = 4,
};
struct ws_thread {
	uint32_t thread_index; /* unique in the process, 0 = main */
	uint32_t tid;
	char name[16];         /* as from PR_GET_NAME, NUL-padded */
	uint32_t flags;        /* enum ws_thread_flags */
	uint32_t stack_count;
	uint64_t start_ns;     /* CLOCK_MONOTONIC at registration */
	uint64_t end_ns;       /* at exit or at the end of the process */
	uint64_t cpu_ns;       /* the thread's CPU time at end_ns */
	uint64_t samples;      /* sampling periods recorded (sum of weights) */
	uint64_t dropped[WS_DROP_NREASONS];
	uint64_t unwind_errors; /* stacks that ended on an unwinder error */
	uint64_t truncated;     /* samples whose stack hit the depth limit */
	uint64_t handler_ns;    /* total time spent in the sample handler */
	uint64_t handler_max_ns; /* longest single handler run */
	uint32_t source;        /* enum ws_source used by this thread */
	uint32_t source_errno;  /* errno of a source that failed, else 0 */
};
struct ws_stack {
	uint32_t nframes;
	uint32_t flags;  /* enum ws_stack_flags */
	uint64_t count;  /* sampling periods with this stack (sum of weights) */
};

/* WS_REC_NOTE: a human-readable message from the collector (what it did
 * about a signal, why a source is off...).  Followed by len bytes. */
struct ws_note {
	uint32_t len;
	uint32_t reserved;
};

/* WS_REC_COUNTERS: the counters the process was asked to count (whyslow
 * record -e / --counters), once per file, before END.  Followed by nevents
 * struct ws_counter_event, then each event's name (name_len bytes, no NUL),
 * in event order.  Event k is column k of every WS_REC_THREAD_COUNTERS. */
#define WS_MAX_EVENTS 8
enum ws_counter_status {
	WS_CTR_OK = 0,	    /* counted in every thread that has a THREAD_COUNTERS record */
	WS_CTR_FAILED = 1,  /* perf_event_open refused it (errno); never a count */
};
struct ws_counters {
	uint32_t nevents;   /* <= WS_MAX_EVENTS */
	uint32_t reserved;  /* 0 */
};
struct ws_counter_event {
	uint32_t type;	    /* perf_event_attr.type the collector opened */
	uint32_t status;    /* enum ws_counter_status, for the whole process */
	uint64_t config;    /* perf_event_attr.config */
	uint32_t err;	    /* errno of the first failure, 0 */
	uint32_t name_len;  /* as requested: "perf::PAGE-FAULTS", "PAPI_TOT_INS" */
};

/* WS_REC_THREAD_COUNTERS: one thread's counts, written just before its
 * WS_REC_THREAD (same thread_index).  Followed by nevents uint64_t totals
 * (the thread's counts from registration to its end, whyslow's handler
 * included), nevents uint64_t counted inside whyslow's sampling handler
 * (attributed to no stack), and stack_count rows of nevents uint64_t: the
 * deltas read as each sample began, added to the sampled stack (stack ids
 * as in the thread's stack table).  Totals minus the handler's counts and
 * the column sums is what ran after the last sample or in dropped ones.
 * When err is not 0 the thread counted nothing: stack_count is 0 and the
 * two arrays are zeros that mean nothing. */
enum ws_thread_counter_flags {
	WS_TCTR_MULTIPLEXED = 1u << 0, /* time_running < time_enabled: the kernel
					  rotated the group off the PMU at times */
};
struct ws_thread_counters {
	uint32_t thread_index;
	uint32_t nevents;      /* = the process's WS_REC_COUNTERS nevents */
	uint32_t stack_count;  /* = the thread's WS_REC_THREAD stack_count */
	uint32_t err;	       /* errno of perf_event_open in this thread, 0 */
	uint32_t flags;	       /* enum ws_thread_counter_flags */
	uint32_t reserved;     /* 0 */
	uint64_t time_enabled; /* ns the counter group was enabled */
	uint64_t time_running; /* ns it was on the PMU */
};

/* WS_REC_END: the process finished writing. */
enum ws_end_reason {
	WS_END_EXIT = 1,   /* exit(), return from main, _exit() */
	WS_END_SIGNAL = 2, /* a fatal signal (status = signal number) */
	WS_END_EXEC = 3,   /* replaced by exec (status = 0) */
};
struct ws_end {
	uint64_t end_mono_ns;
	uint64_t end_real_ns;
	uint32_t reason;  /* enum ws_end_reason */
	int32_t status;   /* exit status or signal number; -1 unknown */
	uint64_t process_cpu_ns; /* CLOCK_PROCESS_CPUTIME_ID at the end */
	uint64_t collector_peak_bytes; /* most memory the collector held at once */
	uint32_t threads; /* WS_REC_THREAD records written */
	uint32_t modules; /* WS_REC_MODULE records written */
};

/* WS_REC_OMPT: OpenMP parallel regions seen through the OMPT tool
 * interface (written only when an OMPT runtime started the tool).
 * Followed by the runtime's version string (runtime_len bytes, padded
 * with zeros to a multiple of 8), then nregions times: struct
 * ws_ompt_region and nthreads struct ws_ompt_thread, one per thread
 * number in the team (omp_get_thread_num), 0 = the primary thread.
 * Times are nanoseconds of CLOCK_MONOTONIC. */
struct ws_ompt {
	uint32_t nregions;
	uint32_t runtime_len;
	uint32_t max_threads;    /* thread numbers kept per region */
	uint32_t lost_regions;   /* regions not kept: the table was full */
	uint64_t first_ns;       /* the first region's start, 0 if none */
	uint64_t outer_ns;       /* time inside outermost regions, summed */
};
struct ws_ompt_region {
	uint64_t codeptr;   /* return address of the runtime call that began it */
	uint64_t instances; /* times it ran (as an outermost or nested region) */
	uint64_t total_ns;  /* begin to end on the encountering thread, summed */
	uint32_t max_team;  /* largest team size it ran with */
	uint32_t nthreads;  /* struct ws_ompt_thread that follow */
	uint64_t lost_threads; /* implicit tasks with thread numbers >= max_threads */
};
struct ws_ompt_thread {
	uint64_t tasks;	  /* implicit tasks this thread number ran in the region */
	uint64_t work_ns; /* their wall-clock time outside waits (sync_region_wait:
			     barriers, taskwait, taskgroup); the waiting is the
			     region's time less this, since a worker's wait at
			     the closing barrier ends only at the next fork */
	uint64_t cpu_ns;  /* the thread's CPU time in the same intervals */
};

/* WS_REC_MPI: the MPI calls of one rank, timed by the PMPI tracing library
 * (libwhyslow-mpi.so, profiler/mpi_trace.c), one per process that called
 * MPI_Init.  Followed by ncalls struct ws_mpi_call, the call types that
 * were called at least once. */
enum ws_mpi_flags {
	WS_MPI_FINALIZED = 1u << 0, /* MPI_Finalize returned */
};
struct ws_mpi {
	int32_t rank;	  /* in MPI_COMM_WORLD */
	uint32_t size;	  /* of MPI_COMM_WORLD */
	uint32_t ncalls;  /* struct ws_mpi_call that follow */
	uint32_t flags;	  /* enum ws_mpi_flags */
	uint64_t init_ns; /* CLOCK_MONOTONIC when MPI_Init returned */
	uint64_t finalize_ns; /* when MPI_Finalize was called; 0: never */
	char library[64]; /* the implementation, NUL-padded ("Open MPI v4.1.4...") */
};
enum ws_mpi_kind {
	WS_MPI_P2P = 1,	       /* point-to-point: send, receive, probe */
	WS_MPI_COMPLETION = 2, /* wait and test of requests */
	WS_MPI_COLLECTIVE = 3, /* barrier, broadcast, reductions, gathers... */
	WS_MPI_OTHER = 4,      /* MPI_Init, MPI_Finalize */
};
struct ws_mpi_call {
	char name[32];	 /* "MPI_Send", NUL-padded */
	uint32_t kind;	 /* enum ws_mpi_kind */
	uint32_t reserved;
	uint64_t calls;
	uint64_t time_ns; /* inside the call, summed */
	uint64_t max_ns;  /* the longest single call */
	uint64_t bytes;	  /* data the calls sent (send side; receives for MPI_Recv) */
};

/* WS_REC_GPU: what CUPTI saw of the process's CUDA work (profiler/gpu.c,
 * docs/gpu.md), at most one per file, written at the end.  Followed by
 * nactivities struct ws_gpu_activity (kernels, copies, memsets,
 * synchronisations, in the order CUPTI delivered them) and napi struct
 * ws_gpu_api (runtime and driver API calls with the CPU stack that made
 * them).  All times are CLOCK_MONOTONIC nanoseconds (CUPTI's GPU
 * timestamps shifted by clock_offset_ns); correlation links an activity to
 * the API call that launched it (0: none). */
enum ws_gpu_flags {
	WS_GPU_FLUSHED = 1u << 0,    /* CUPTI's buffers were flushed at the end */
	WS_GPU_UM_TRACED = 1u << 1,  /* unified-memory counters were enabled */
};
struct ws_gpu {
	uint32_t nactivities; /* struct ws_gpu_activity that follow */
	uint32_t napi;	      /* struct ws_gpu_api after them */
	uint32_t flags;	      /* enum ws_gpu_flags */
	uint32_t reserved;
	uint64_t dropped_cupti; /* records CUPTI reported dropped */
	uint64_t dropped_rows;	/* records whyslow had no room for */
	int64_t clock_offset_ns; /* CLOCK_MONOTONIC - cuptiGetTimestamp() */
	uint64_t start_ns;	 /* tracing began (CLOCK_MONOTONIC) */
	uint64_t end_ns;	 /* tracing ended */
};
enum ws_gpu_kind {
	WS_GPU_KERNEL = 1,
	WS_GPU_MEMCPY = 2,
	WS_GPU_MEMSET = 3,
	WS_GPU_SYNC = 4,
	WS_GPU_UNIFIED = 5, /* a unified-memory event: detail is enum ws_gpu_um */
};
enum ws_gpu_um { /* ws_gpu_activity.detail for WS_GPU_UNIFIED (CUPTI's numbers) */
	WS_GPU_UM_HTOD = 1,	  /* migration to the device: bytes */
	WS_GPU_UM_DTOH = 2,	  /* migration to the host: bytes */
	WS_GPU_UM_CPU_FAULT = 3,  /* a CPU page fault on managed memory: bytes = 1 */
	WS_GPU_UM_GPU_FAULT = 4,  /* GPU page faults: bytes = fault groups */
	WS_GPU_UM_THRASHING = 5,  /* a region migrated back and forth: bytes */
	WS_GPU_UM_THROTTLING = 6, /* the driver throttled a processor: bytes = 0 */
	WS_GPU_UM_REMOTE_MAP = 7, /* a region pinned to one processor: bytes */
	WS_GPU_UM_DTOD = 8,	  /* migration between devices: bytes */
};
enum ws_gpu_um_cause { /* ws_gpu_activity.memory of a WS_GPU_UNIFIED migration (CUPTI's) */
	WS_GPU_UM_CAUSE_UNKNOWN = 0,
	WS_GPU_UM_CAUSE_USER = 1,	     /* asked for explicitly */
	WS_GPU_UM_CAUSE_COHERENCE = 2,	     /* on demand: a page fault */
	WS_GPU_UM_CAUSE_PREFETCH = 3,	     /* cudaMemPrefetchAsync */
	WS_GPU_UM_CAUSE_EVICTION = 4,	     /* device memory oversubscribed */
	WS_GPU_UM_CAUSE_ACCESS_COUNTERS = 5, /* the hardware's access counters */
};
enum ws_gpu_copy { /* ws_gpu_activity.detail for WS_GPU_MEMCPY */
	WS_GPU_HTOD = 1,
	WS_GPU_DTOH = 2,
	WS_GPU_DTOD = 3,
	WS_GPU_HTOH = 4,
	WS_GPU_COPY_OTHER = 5,
};
enum ws_gpu_mem { /* host side of a copy, memory of a memset */
	WS_GPU_MEM_UNKNOWN = 0,
	WS_GPU_MEM_PAGEABLE = 1,
	WS_GPU_MEM_PINNED = 2,
	WS_GPU_MEM_DEVICE = 3,
	WS_GPU_MEM_MANAGED = 4,
};
#define WS_GPU_NAME 96
struct ws_gpu_activity {
	uint32_t kind;	 /* enum ws_gpu_kind */
	uint32_t detail; /* copy: enum ws_gpu_copy; sync: CUPTI's synchronisation type */
	uint32_t memory; /* copy: enum ws_gpu_mem of the host side (or source); memset: of the
			  * memory; unified-memory migration: enum ws_gpu_um_cause */
	uint32_t correlation;
	uint32_t device, stream;
	uint64_t start_ns, end_ns;
	uint64_t bytes;	      /* copies, memsets; unified memory: see enum ws_gpu_um */
	int32_t grid[3], block[3]; /* kernels */
	uint32_t registers;	   /* per thread */
	uint32_t shared_bytes;	   /* static + dynamic, per block */
	char name[WS_GPU_NAME];	   /* kernel: its (mangled) name, NUL-padded, truncated */
};
#define WS_GPU_API_NAME 48
#define WS_GPU_API_FRAMES 24
enum ws_gpu_domain {
	WS_GPU_RUNTIME = 1, /* cuda* */
	WS_GPU_DRIVER = 2,  /* cu* */
	WS_GPU_NESTED = 0x100, /* or'ed: a driver call made inside a runtime call */
};
struct ws_gpu_api {
	uint32_t correlation;
	uint32_t domain; /* enum ws_gpu_domain, WS_GPU_NESTED or'ed */
	uint32_t cbid;	 /* CUPTI's callback id in that domain */
	uint32_t tid;	 /* the calling thread */
	uint64_t start_ns, end_ns;
	char name[WS_GPU_API_NAME]; /* "cudaLaunchKernel", NUL-padded */
	uint32_t nframes;	     /* of frames[]; frame 0: the return address into the caller */
	uint32_t stack_flags;	     /* WS_STK_* */
	uint64_t frames[WS_GPU_API_FRAMES];
};

/* WS_REC_HEAP: the heap profile of the process (profiler/heap.c), at most
 * one per file, written at the end.  Exact counts of every allocator call
 * since the collector first saw one, plus allocations sampled by bytes
 * (docs/memory.md).  Followed by stack_count stacks laid out as in
 * WS_REC_THREAD (struct ws_stack + nframes addresses; count = sampled
 * allocations with that stack), stack_bytes bytes in all, then
 * alloc_count struct ws_heap_alloc.  A heap stack's frame 0 is the
 * address of the call to the allocator minus 1 (so it is symbolised at
 * the call like an interrupted PC); the others are return addresses. */
enum ws_heap_kind {
	WS_HEAP_MALLOC = 0,
	WS_HEAP_CALLOC = 1,
	WS_HEAP_REALLOC = 2, /* realloc and reallocarray */
	WS_HEAP_FREE = 3,    /* bytes: usable bytes released */
	WS_HEAP_POSIX_MEMALIGN = 4,
	WS_HEAP_ALIGNED_ALLOC = 5,
	WS_HEAP_MEMALIGN = 6,
	WS_HEAP_VALLOC = 7,
	WS_HEAP_PVALLOC = 8,
	WS_HEAP_MMAP = 9,   /* anonymous mmap by the program */
	WS_HEAP_MUNMAP = 10, /* munmap by the program (any mapping) */
	WS_HEAP_NKINDS = 12, /* (two spare) */
};
struct ws_heap {
	uint64_t sample_bytes;  /* mean sampling interval in bytes; 1 = every allocation */
	uint32_t stack_count;
	uint32_t flags;         /* 0 */
	uint64_t stack_bytes;   /* bytes of the stack part */
	uint64_t alloc_count;   /* struct ws_heap_alloc that follow */
	uint64_t alloc_dropped; /* sampled allocations not recorded (table full) */
	uint64_t start_ns;      /* CLOCK_MONOTONIC when counting started */
	uint64_t calls[WS_HEAP_NKINDS]; /* exact: calls per enum ws_heap_kind */
	uint64_t bytes[WS_HEAP_NKINDS]; /* exact: bytes asked for (free: usable bytes) */
	uint64_t failed;        /* allocation calls that returned no memory */
	int64_t live_bytes;     /* exact: usable bytes of malloc-family blocks live at the end */
	uint64_t peak_bytes;    /* exact: most usable bytes live at once */
	uint64_t peak_ns;       /* when the live heap last left its peak (or the end) */
	int64_t live_blocks;    /* exact: malloc-family blocks live at the end */
};
enum ws_heap_alloc_flags {
	WS_HALLOC_FREED = 1u << 0,   /* freed (free_ns valid) */
	WS_HALLOC_REALLOCED = 1u << 1, /* freed by realloc moving or resizing it */
};
struct ws_heap_alloc {
	uint64_t addr;
	uint64_t size;        /* bytes asked for */
	uint64_t alloc_ns;    /* CLOCK_MONOTONIC */
	uint64_t free_ns;     /* 0 while live */
	double probability;   /* chance it was sampled: it stands for size/probability
				 bytes and 1/probability allocations; 1 when exact */
	uint32_t stack;       /* index in this record's stacks */
	uint32_t tid;
	uint32_t kind;        /* enum ws_heap_kind */
	uint32_t flags;       /* enum ws_heap_alloc_flags */
};

/* WS_REC_RUSAGE: getrusage() of the process at its end (scope process), or
 * of a thread at its exit (scope thread, RUSAGE_THREAD). */
enum ws_rusage_scope { WS_RUSAGE_PROCESS = 1, WS_RUSAGE_THREAD = 2 };
struct ws_rusage {
	uint32_t scope;        /* enum ws_rusage_scope */
	uint32_t thread_index; /* scope thread: the thread's index; else 0 */
	uint32_t tid;          /* scope thread */
	uint32_t reserved;     /* 0 */
	uint64_t time_ns;      /* CLOCK_MONOTONIC when read */
	uint64_t maxrss_kib;   /* peak resident set size (ru_maxrss), KiB */
	uint64_t minflt, majflt; /* page faults without / with I/O */
	uint64_t nvcsw, nivcsw;  /* voluntary / involuntary context switches */
	uint64_t utime_ns, stime_ns;
	uint64_t inblock, oublock; /* file system blocks read / written */
};

/* WS_REC_REGS: register snapshots of one thread, a uniform random subset
 * (reservoir sampling) of its samples: at most one record per thread,
 * snapshots in no particular order.  Each holds the sample's time, its
 * stack (an index in the thread's stack table, as in ws_sample) and the
 * interrupted context's registers.  x86_64 only (arch WS_ARCH_X86_64):
 * regs[0] is rip, then the 16 general-purpose registers in their encoding
 * order (enum ws_x86_reg). */
enum ws_regs_arch {
	WS_ARCH_X86_64 = 1,
};
enum ws_x86_reg {
	WS_X86_RIP = 0,
	WS_X86_RAX, WS_X86_RCX, WS_X86_RDX, WS_X86_RBX,
	WS_X86_RSP, WS_X86_RBP, WS_X86_RSI, WS_X86_RDI,
	WS_X86_R8, WS_X86_R9, WS_X86_R10, WS_X86_R11,
	WS_X86_R12, WS_X86_R13, WS_X86_R14, WS_X86_R15,
	WS_X86_NREGS, /* 17 */
};
struct ws_regs {
	uint32_t thread_index;
	uint32_t count; /* snapshots that follow */
	uint32_t arch;	/* enum ws_regs_arch */
	uint32_t nregs; /* registers in each snapshot: WS_X86_NREGS */
	uint64_t seen;	/* samples offered to the reservoir (>= count) */
};
struct ws_regs_snapshot {
	uint64_t time_ns; /* CLOCK_MONOTONIC, as the sample's */
	uint32_t stack;	  /* index in the thread's stack table */
	uint32_t reserved; /* 0 */
	uint64_t regs[WS_X86_NREGS];
};

/* WS_REC_PYCODE: the Python code objects one thread's samples ran
 * (docs/python.md), written before that thread's WS_REC_PYSTACKS.  Followed
 * by count entries, each a struct ws_pycode and then, unpadded, name_len
 * bytes of qualified name, file_len bytes of file name and linetable_len
 * bytes of the code object's co_linetable (CPython 3.11's location table,
 * in code units of 2 bytes), copied while the code object was alive.  The
 * entry's position is its index (the high half of a Python frame word). */
struct ws_pycodes {
	uint32_t thread_index;
	uint32_t count;
	uint32_t py_version; /* the interpreter's Py_Version (0x030b02f0: 3.11.2) */
	uint32_t reserved;
};
struct ws_pycode {
	int32_t firstlineno;
	uint32_t name_len;
	uint32_t file_len;
	uint32_t linetable_len;
};

/* WS_REC_PYSTACKS: one thread's Python call stacks, counted like
 * WS_REC_THREAD's (sampling periods whose sample found these Python frames
 * on that thread).  Followed by stack_count stacks, each a struct ws_stack
 * (flags: enum ws_stack_flags | enum ws_pystack_flags) and nframes uint64_t
 * words: first the id of the samples' native stack (in the thread's
 * WS_REC_THREAD stack table), then nframes - 1 frame words, innermost
 * first: (code index << 32) | is_entry << 31 | instruction offset in code
 * units (index into the code's bytecode, 2 bytes a unit).  is_entry: the
 * frame was entered from C (a new _PyEval_EvalFrameDefault activation runs
 * it and the frames inside it, up to the next entry frame). */
enum ws_pystack_flags {
	WS_PYSTK_NATIVE = 1u << 8, /* the interrupted instruction was outside the
				      interpreter's own object (libpython or the
				      python executable): in an extension or a
				      library it called */
};
struct ws_pystacks {
	uint32_t thread_index;
	uint32_t stack_count;
	uint64_t samples; /* periods that found Python frames (sum of counts) */
};

/* WS_REC_PYSAMPLES: the Python stacks of one WS_REC_SAMPLES chunk, written
 * right after it (same thread, same count, same first time) when any of
 * its samples found Python frames.  Followed by count uint32_t, one per
 * sample in the chunk's order: the index + 1 of its Python stack in the
 * thread's WS_REC_PYSTACKS table, 0 for none. */
struct ws_pysamples {
	uint32_t thread_index;
	uint32_t count;
	uint64_t first_time_ns; /* the chunk's first sample's time_ns */
};

#endif
