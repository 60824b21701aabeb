/* libwhyslow-mpi.so: the time of each MPI call, through the MPI profiling
 * interface (PMPI), like mpiP: every MPI_X defined here times PMPI_X and
 * adds the call, its time and its bytes to a per-process table, which
 * libwhyslow.so writes into the profile at the end (WS_REC_MPI,
 * companion.h).  `whyslow record` preloads it after libwhyslow.so, so the
 * program is not relinked.
 *
 * It is compiled against one MPI's mpi.h (configure's mpicc) and is inert
 * elsewhere: nothing is resolved before a call, the PMPI_* functions are
 * looked up with dlsym on first use (the library links no libmpi, so it
 * loads into non-MPI programs and into mpirun), and where the program runs
 * another implementation than the one it was built for (MPI_Comm is a
 * pointer in Open MPI, an int in MPICH) it passes every call through
 * untimed and says so once.
 *
 * Thread safety: the counters are atomics (MPI_THREAD_MULTIPLE programs
 * call from several threads).  The finish function is async-signal-safe.
 */
#include "config.h"

#include <dlfcn.h>
#include <link.h>
#include <mpi.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "companion.h"
#include "profile_format.h"

#define WS_EXPORT __attribute__((visibility("default")))

/* The calls, with their kind: one table row each. */
#define WS_MPI_CALLS(X)                                                                            \
	X(Init, OTHER)                                                                             \
	X(Init_thread, OTHER)                                                                      \
	X(Finalize, OTHER)                                                                         \
	X(Send, P2P)                                                                               \
	X(Ssend, P2P)                                                                              \
	X(Bsend, P2P)                                                                              \
	X(Rsend, P2P)                                                                              \
	X(Recv, P2P)                                                                               \
	X(Isend, P2P)                                                                              \
	X(Irecv, P2P)                                                                              \
	X(Sendrecv, P2P)                                                                           \
	X(Probe, P2P)                                                                              \
	X(Iprobe, P2P)                                                                             \
	X(Wait, COMPLETION)                                                                        \
	X(Waitall, COMPLETION)                                                                     \
	X(Waitany, COMPLETION)                                                                     \
	X(Waitsome, COMPLETION)                                                                    \
	X(Test, COMPLETION)                                                                        \
	X(Testall, COMPLETION)                                                                     \
	X(Barrier, COLLECTIVE)                                                                     \
	X(Bcast, COLLECTIVE)                                                                       \
	X(Reduce, COLLECTIVE)                                                                      \
	X(Allreduce, COLLECTIVE)                                                                   \
	X(Gather, COLLECTIVE)                                                                      \
	X(Gatherv, COLLECTIVE)                                                                     \
	X(Scatter, COLLECTIVE)                                                                     \
	X(Scatterv, COLLECTIVE)                                                                    \
	X(Allgather, COLLECTIVE)                                                                   \
	X(Allgatherv, COLLECTIVE)                                                                  \
	X(Alltoall, COLLECTIVE)                                                                    \
	X(Alltoallv, COLLECTIVE)                                                                   \
	X(Reduce_scatter, COLLECTIVE)                                                              \
	X(Scan, COLLECTIVE)

enum call_id {
#define X(name, kind) C_##name,
	WS_MPI_CALLS(X)
#undef X
	    NCALLS
};

static const struct {
	const char *name;
	uint32_t kind;
} call_info[NCALLS] = {
#define X(name, kind) {"MPI_" #name, WS_MPI_##kind},
    WS_MPI_CALLS(X)
#undef X
};

struct acc {
	_Atomic uint64_t calls, time_ns, max_ns, bytes;
};

static struct acc table[NCALLS];
static _Atomic int tracing; /* 1 once MPI_Init found the expected MPI */
static int registered;
static int32_t my_rank = -1;
static uint32_t world_size;
static uint64_t init_ns, finalize_ns;
static _Atomic int finalized;
static char library[64];

static uint64_t
now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void
account(enum call_id id, uint64_t t0, uint64_t bytes)
{
	if (!atomic_load_explicit(&tracing, memory_order_relaxed))
		return;
	uint64_t d = now_ns() - t0;
	struct acc *a = &table[id];
	atomic_fetch_add_explicit(&a->calls, 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&a->time_ns, d, memory_order_relaxed);
	atomic_fetch_add_explicit(&a->bytes, bytes, memory_order_relaxed);
	uint64_t m = atomic_load_explicit(&a->max_ns, memory_order_relaxed);
	while (d > m && !atomic_compare_exchange_weak(&a->max_ns, &m, d))
		;
}

/* The MPI library's scope when it is not global: a program that loads
 * MPI through dlopen(RTLD_LOCAL) -- mpi4py's extension module links libmpi,
 * and Python dlopens extensions RTLD_LOCAL -- still calls our MPI_X (the
 * preloaded library comes first in every lookup scope), but PMPI_X is
 * invisible to dlsym(RTLD_NEXT or RTLD_DEFAULT).  Then every loaded object
 * is asked, through its own handle (dlopen RTLD_NOLOAD: nothing is
 * loaded), for the symbol that only the MPI library defines. */
static const char *
ws_basename_of(const char *path)
{
	const char *b = strrchr(path, '/');
	return b ? b + 1 : path;
}

#define MAX_OBJECTS 4096
struct objects {
	const char *name[MAX_OBJECTS];
	size_t n;
};

static int
collect_object(struct dl_phdr_info *info, size_t size, void *arg)
{
	(void)size;
	struct objects *o = arg;
	if (info->dlpi_name && info->dlpi_name[0] && o->n < MAX_OBJECTS)
		o->name[o->n++] = info->dlpi_name;
	return 0;
}

/* The loaded object that defines PMPI_Init and PMPI_Finalize, asked
 * through its own handle; those named like an MPI library first. */
static void *
local_mpi_library(void)
{
	static void *_Atomic handle;
	void *h = atomic_load(&handle);
	if (h)
		return h;
	struct objects *o = calloc(1, sizeof *o); /* in an MPI call, not a handler */
	if (!o)
		return NULL;
	dl_iterate_phdr(collect_object, o); /* names owned by the loader */
	for (int pass = 0; pass < 2 && !h; pass++)
		for (size_t i = 0; i < o->n && !h; i++) {
			if ((strstr(ws_basename_of(o->name[i]), "mpi") != NULL) != (pass == 0))
				continue;
			void *c = dlopen(o->name[i], RTLD_LAZY | RTLD_NOLOAD);
			if (!c)
				continue;
			if (dlsym(c, "PMPI_Init") && dlsym(c, "PMPI_Finalize"))
				h = c; /* kept: the program holds it loaded anyway */
			else
				dlclose(c);
		}
	free(o);
	if (h) {
		void *none = NULL;
		if (!atomic_compare_exchange_strong(&handle, &none, h))
			dlclose(h); /* another thread found it first */
		h = atomic_load(&handle);
	}
	return h;
}

/* A symbol of the program's MPI library, wherever it was loaded; NULL
 * when there is none.  Data (ompi_mpi_comm_world) comes from the global
 * scope first: an executable that uses it has a copy of it (a copy
 * relocation), which is the one in use, not libmpi's original that
 * RTLD_NEXT would find. */
static void *
mpi_sym(const char *name)
{
	void *f = dlsym(RTLD_DEFAULT, name);
	if (!f) {
		void *h = local_mpi_library();
		if (h)
			f = dlsym(h, name);
	}
	return f;
}

/* PMPI_name from the MPI library; the program called MPI_name, so it is
 * loaded.  Not finding it is a broken installation: say so and stop. */
static void *
resolve(const char *name)
{
	void *f = dlsym(RTLD_NEXT, name); /* the next definition after ours */
	if (!f)
		f = mpi_sym(name);
	if (!f) {
		char msg[160];
		int n = snprintf(msg, sizeof msg,
				 "whyslow: libwhyslow-mpi.so: %s not found in the program's MPI "
				 "library\n",
				 name);
		if (n > 0)
			(void)!write(2, msg, (size_t)n < sizeof msg ? (size_t)n : sizeof msg - 1);
		abort();
	}
	return f;
}

#define REAL(name, ...)                                                                            \
	static int (*real)(__VA_ARGS__);                                                           \
	if (!real)                                                                                 \
	real = (int (*)(__VA_ARGS__))resolve("P" #name)

static uint64_t
type_bytes(int count, MPI_Datatype t)
{
	if (!atomic_load_explicit(&tracing, memory_order_relaxed) || count <= 0)
		return 0;
	REAL(MPI_Type_size, MPI_Datatype, int *);
	int size = 0;
	if (real(t, &size) != MPI_SUCCESS || size < 0)
		return 0;
	return (uint64_t)count * (uint64_t)size;
}

static uint64_t
comm_size_bytes(int count, MPI_Datatype t, MPI_Comm comm)
{
	if (!atomic_load_explicit(&tracing, memory_order_relaxed))
		return 0;
	REAL(MPI_Comm_size, MPI_Comm, int *);
	int n = 0;
	real(comm, &n);
	return n > 0 ? type_bytes(count, t) * (uint64_t)n : 0;
}

/* ---- the record ---- */

static void
finish(void)
{
	struct {
		struct ws_mpi h;
		struct ws_mpi_call calls[NCALLS];
	} rec;
	memset(&rec, 0, sizeof rec);
	uint32_t n = 0;
	for (int i = 0; i < NCALLS; i++) {
		uint64_t calls = atomic_load(&table[i].calls);
		if (!calls)
			continue;
		struct ws_mpi_call *c = &rec.calls[n++];
		strncpy(c->name, call_info[i].name, sizeof c->name - 1);
		c->kind = call_info[i].kind;
		c->calls = calls;
		c->time_ns = atomic_load(&table[i].time_ns);
		c->max_ns = atomic_load(&table[i].max_ns);
		c->bytes = atomic_load(&table[i].bytes);
	}
	rec.h.rank = my_rank;
	rec.h.size = world_size;
	rec.h.ncalls = n;
	rec.h.flags = atomic_load(&finalized) ? WS_MPI_FINALIZED : 0;
	rec.h.init_ns = init_ns;
	rec.h.finalize_ns = finalize_ns;
	memcpy(rec.h.library, library, sizeof rec.h.library);
	int (*write_record)(uint32_t, const void *, size_t) =
	    (int (*)(uint32_t, const void *, size_t))dlsym(RTLD_DEFAULT, "whyslow_companion_write");
	if (write_record)
		write_record(WS_REC_MPI, &rec,
			     sizeof rec.h + (size_t)n * sizeof(struct ws_mpi_call));
}

/* Is the program's MPI the one this library was compiled for? */
static int
same_mpi(void)
{
#if defined(OPEN_MPI)
	return mpi_sym("ompi_mpi_comm_world") != NULL;
#elif defined(MPICH_VERSION)
	return mpi_sym("MPIR_Process") != NULL || mpi_sym("MPICH_Version") != NULL;
#else
	return 0;
#endif
}

static MPI_Comm
world(void)
{
#if defined(OPEN_MPI)
	return (MPI_Comm)mpi_sym("ompi_mpi_comm_world");
#else
	return MPI_COMM_WORLD;
#endif
}

static void
after_init(uint64_t t0, enum call_id id)
{
	if (!same_mpi()) {
		static const char msg[] =
		    "whyslow: MPI calls are not timed: libwhyslow-mpi.so was built for another "
		    "MPI implementation than this program's\n";
		(void)!write(2, msg, sizeof msg - 1);
		return;
	}
	int (*reg)(whyslow_finish_fn) =
	    (int (*)(whyslow_finish_fn))dlsym(RTLD_DEFAULT, "whyslow_companion_register");
	if (!reg || reg(finish) != 0)
		return; /* the collector is off: nothing to write into */
	registered = 1;
	MPI_Comm w = world();
	int rank = -1, size = 0;
	{
		REAL(MPI_Comm_rank, MPI_Comm, int *);
		real(w, &rank);
	}
	{
		REAL(MPI_Comm_size, MPI_Comm, int *);
		real(w, &size);
	}
	my_rank = rank;
	world_size = size > 0 ? (uint32_t)size : 0;
	{
		int len = 0;
		char v[MPI_MAX_LIBRARY_VERSION_STRING];
		REAL(MPI_Get_library_version, char *, int *);
		if (real(v, &len) == MPI_SUCCESS) {
			size_t k = strcspn(v, "\n,");
			if (k >= sizeof library)
				k = sizeof library - 1;
			memcpy(library, v, k);
		}
	}
	init_ns = now_ns();
	atomic_store(&tracing, 1);
	account(id, t0, 0);
}

/* ---- the wrappers ---- */

WS_EXPORT int
MPI_Init(int *argc, char ***argv)
{
	REAL(MPI_Init, int *, char ***);
	uint64_t t0 = now_ns();
	int rc = real(argc, argv);
	if (rc == MPI_SUCCESS)
		after_init(t0, C_Init);
	return rc;
}

WS_EXPORT int
MPI_Init_thread(int *argc, char ***argv, int required, int *provided)
{
	REAL(MPI_Init_thread, int *, char ***, int, int *);
	uint64_t t0 = now_ns();
	int rc = real(argc, argv, required, provided);
	if (rc == MPI_SUCCESS)
		after_init(t0, C_Init_thread);
	return rc;
}

WS_EXPORT int
MPI_Finalize(void)
{
	REAL(MPI_Finalize, void);
	uint64_t t0 = now_ns();
	if (atomic_load(&tracing))
		finalize_ns = t0;
	int rc = real();
	account(C_Finalize, t0, 0);
	atomic_store(&finalized, 1);
	/* the time after it is not MPI's: nothing more to count */
	atomic_store(&tracing, 0);
	return rc;
}

#define P2P_SEND(name)                                                                             \
	WS_EXPORT int MPI_##name(const void *buf, int count, MPI_Datatype t, int dest, int tag,    \
				 MPI_Comm comm)                                                    \
	{                                                                                          \
		REAL(MPI_##name, const void *, int, MPI_Datatype, int, int, MPI_Comm);             \
		uint64_t t0 = now_ns();                                                            \
		int rc = real(buf, count, t, dest, tag, comm);                                     \
		account(C_##name, t0, type_bytes(count, t));                                       \
		return rc;                                                                         \
	}
P2P_SEND(Send)
P2P_SEND(Ssend)
P2P_SEND(Bsend)
P2P_SEND(Rsend)

WS_EXPORT int
MPI_Recv(void *buf, int count, MPI_Datatype t, int source, int tag, MPI_Comm comm,
	 MPI_Status *status)
{
	REAL(MPI_Recv, void *, int, MPI_Datatype, int, int, MPI_Comm, MPI_Status *);
	uint64_t t0 = now_ns();
	int rc = real(buf, count, t, source, tag, comm, status);
	account(C_Recv, t0, type_bytes(count, t));
	return rc;
}

WS_EXPORT int
MPI_Isend(const void *buf, int count, MPI_Datatype t, int dest, int tag, MPI_Comm comm,
	  MPI_Request *req)
{
	REAL(MPI_Isend, const void *, int, MPI_Datatype, int, int, MPI_Comm, MPI_Request *);
	uint64_t t0 = now_ns();
	int rc = real(buf, count, t, dest, tag, comm, req);
	account(C_Isend, t0, type_bytes(count, t));
	return rc;
}

WS_EXPORT int
MPI_Irecv(void *buf, int count, MPI_Datatype t, int source, int tag, MPI_Comm comm,
	  MPI_Request *req)
{
	REAL(MPI_Irecv, void *, int, MPI_Datatype, int, int, MPI_Comm, MPI_Request *);
	uint64_t t0 = now_ns();
	int rc = real(buf, count, t, source, tag, comm, req);
	account(C_Irecv, t0, 0);
	return rc;
}

WS_EXPORT int
MPI_Sendrecv(const void *sbuf, int scount, MPI_Datatype st, int dest, int stag, void *rbuf,
	     int rcount, MPI_Datatype rt, int source, int rtag, MPI_Comm comm, MPI_Status *status)
{
	REAL(MPI_Sendrecv, const void *, int, MPI_Datatype, int, int, void *, int, MPI_Datatype,
	     int, int, MPI_Comm, MPI_Status *);
	uint64_t t0 = now_ns();
	int rc = real(sbuf, scount, st, dest, stag, rbuf, rcount, rt, source, rtag, comm, status);
	account(C_Sendrecv, t0, type_bytes(scount, st));
	return rc;
}

WS_EXPORT int
MPI_Probe(int source, int tag, MPI_Comm comm, MPI_Status *status)
{
	REAL(MPI_Probe, int, int, MPI_Comm, MPI_Status *);
	uint64_t t0 = now_ns();
	int rc = real(source, tag, comm, status);
	account(C_Probe, t0, 0);
	return rc;
}

WS_EXPORT int
MPI_Iprobe(int source, int tag, MPI_Comm comm, int *flag, MPI_Status *status)
{
	REAL(MPI_Iprobe, int, int, MPI_Comm, int *, MPI_Status *);
	uint64_t t0 = now_ns();
	int rc = real(source, tag, comm, flag, status);
	account(C_Iprobe, t0, 0);
	return rc;
}

WS_EXPORT int
MPI_Wait(MPI_Request *req, MPI_Status *status)
{
	REAL(MPI_Wait, MPI_Request *, MPI_Status *);
	uint64_t t0 = now_ns();
	int rc = real(req, status);
	account(C_Wait, t0, 0);
	return rc;
}

WS_EXPORT int
MPI_Waitall(int n, MPI_Request reqs[], MPI_Status statuses[])
{
	REAL(MPI_Waitall, int, MPI_Request *, MPI_Status *);
	uint64_t t0 = now_ns();
	int rc = real(n, reqs, statuses);
	account(C_Waitall, t0, 0);
	return rc;
}

WS_EXPORT int
MPI_Waitany(int n, MPI_Request reqs[], int *index, MPI_Status *status)
{
	REAL(MPI_Waitany, int, MPI_Request *, int *, MPI_Status *);
	uint64_t t0 = now_ns();
	int rc = real(n, reqs, index, status);
	account(C_Waitany, t0, 0);
	return rc;
}

WS_EXPORT int
MPI_Waitsome(int n, MPI_Request reqs[], int *outcount, int indices[], MPI_Status statuses[])
{
	REAL(MPI_Waitsome, int, MPI_Request *, int *, int *, MPI_Status *);
	uint64_t t0 = now_ns();
	int rc = real(n, reqs, outcount, indices, statuses);
	account(C_Waitsome, t0, 0);
	return rc;
}

WS_EXPORT int
MPI_Test(MPI_Request *req, int *flag, MPI_Status *status)
{
	REAL(MPI_Test, MPI_Request *, int *, MPI_Status *);
	uint64_t t0 = now_ns();
	int rc = real(req, flag, status);
	account(C_Test, t0, 0);
	return rc;
}

WS_EXPORT int
MPI_Testall(int n, MPI_Request reqs[], int *flag, MPI_Status statuses[])
{
	REAL(MPI_Testall, int, MPI_Request *, int *, MPI_Status *);
	uint64_t t0 = now_ns();
	int rc = real(n, reqs, flag, statuses);
	account(C_Testall, t0, 0);
	return rc;
}

WS_EXPORT int
MPI_Barrier(MPI_Comm comm)
{
	REAL(MPI_Barrier, MPI_Comm);
	uint64_t t0 = now_ns();
	int rc = real(comm);
	account(C_Barrier, t0, 0);
	return rc;
}

WS_EXPORT int
MPI_Bcast(void *buf, int count, MPI_Datatype t, int root, MPI_Comm comm)
{
	REAL(MPI_Bcast, void *, int, MPI_Datatype, int, MPI_Comm);
	uint64_t t0 = now_ns();
	int rc = real(buf, count, t, root, comm);
	account(C_Bcast, t0, type_bytes(count, t));
	return rc;
}

WS_EXPORT int
MPI_Reduce(const void *sbuf, void *rbuf, int count, MPI_Datatype t, MPI_Op op, int root,
	   MPI_Comm comm)
{
	REAL(MPI_Reduce, const void *, void *, int, MPI_Datatype, MPI_Op, int, MPI_Comm);
	uint64_t t0 = now_ns();
	int rc = real(sbuf, rbuf, count, t, op, root, comm);
	account(C_Reduce, t0, type_bytes(count, t));
	return rc;
}

WS_EXPORT int
MPI_Allreduce(const void *sbuf, void *rbuf, int count, MPI_Datatype t, MPI_Op op, MPI_Comm comm)
{
	REAL(MPI_Allreduce, const void *, void *, int, MPI_Datatype, MPI_Op, MPI_Comm);
	uint64_t t0 = now_ns();
	int rc = real(sbuf, rbuf, count, t, op, comm);
	account(C_Allreduce, t0, type_bytes(count, t));
	return rc;
}

#define GATHER_LIKE(name)                                                                          \
	WS_EXPORT int MPI_##name(const void *sbuf, int scount, MPI_Datatype st, void *rbuf,        \
				 int rcount, MPI_Datatype rt, int root, MPI_Comm comm)             \
	{                                                                                          \
		REAL(MPI_##name, const void *, int, MPI_Datatype, void *, int, MPI_Datatype, int,  \
		     MPI_Comm);                                                                    \
		uint64_t t0 = now_ns();                                                            \
		int rc = real(sbuf, scount, st, rbuf, rcount, rt, root, comm);                     \
		account(C_##name, t0, type_bytes(scount, st));                                     \
		return rc;                                                                         \
	}
GATHER_LIKE(Gather)
GATHER_LIKE(Scatter)

WS_EXPORT int
MPI_Gatherv(const void *sbuf, int scount, MPI_Datatype st, void *rbuf, const int rcounts[],
	    const int displs[], MPI_Datatype rt, int root, MPI_Comm comm)
{
	REAL(MPI_Gatherv, const void *, int, MPI_Datatype, void *, const int *, const int *,
	     MPI_Datatype, int, MPI_Comm);
	uint64_t t0 = now_ns();
	int rc = real(sbuf, scount, st, rbuf, rcounts, displs, rt, root, comm);
	account(C_Gatherv, t0, type_bytes(scount, st));
	return rc;
}

WS_EXPORT int
MPI_Scatterv(const void *sbuf, const int scounts[], const int displs[], MPI_Datatype st, void *rbuf,
	     int rcount, MPI_Datatype rt, int root, MPI_Comm comm)
{
	REAL(MPI_Scatterv, const void *, const int *, const int *, MPI_Datatype, void *, int,
	     MPI_Datatype, int, MPI_Comm);
	uint64_t t0 = now_ns();
	int rc = real(sbuf, scounts, displs, st, rbuf, rcount, rt, root, comm);
	account(C_Scatterv, t0, type_bytes(rcount, rt));
	return rc;
}

#define ALL_LIKE(name)                                                                             \
	WS_EXPORT int MPI_##name(const void *sbuf, int scount, MPI_Datatype st, void *rbuf,        \
				 int rcount, MPI_Datatype rt, MPI_Comm comm)                       \
	{                                                                                          \
		REAL(MPI_##name, const void *, int, MPI_Datatype, void *, int, MPI_Datatype,       \
		     MPI_Comm);                                                                    \
		uint64_t t0 = now_ns();                                                            \
		int rc = real(sbuf, scount, st, rbuf, rcount, rt, comm);                           \
		account(C_##name, t0, type_bytes(scount, st));                                     \
		return rc;                                                                         \
	}
ALL_LIKE(Allgather)
ALL_LIKE(Alltoall)

WS_EXPORT int
MPI_Allgatherv(const void *sbuf, int scount, MPI_Datatype st, void *rbuf, const int rcounts[],
	       const int displs[], MPI_Datatype rt, MPI_Comm comm)
{
	REAL(MPI_Allgatherv, const void *, int, MPI_Datatype, void *, const int *, const int *,
	     MPI_Datatype, MPI_Comm);
	uint64_t t0 = now_ns();
	int rc = real(sbuf, scount, st, rbuf, rcounts, displs, rt, comm);
	account(C_Allgatherv, t0, type_bytes(scount, st));
	return rc;
}

WS_EXPORT int
MPI_Alltoallv(const void *sbuf, const int scounts[], const int sdispls[], MPI_Datatype st,
	      void *rbuf, const int rcounts[], const int rdispls[], MPI_Datatype rt, MPI_Comm comm)
{
	REAL(MPI_Alltoallv, const void *, const int *, const int *, MPI_Datatype, void *,
	     const int *, const int *, MPI_Datatype, MPI_Comm);
	uint64_t t0 = now_ns();
	int rc = real(sbuf, scounts, sdispls, st, rbuf, rcounts, rdispls, rt, comm);
	uint64_t bytes = 0;
	if (atomic_load_explicit(&tracing, memory_order_relaxed)) {
		REAL(MPI_Comm_size, MPI_Comm, int *);
		int n = 0;
		real(comm, &n);
		for (int i = 0; i < n && scounts; i++)
			bytes += type_bytes(scounts[i], st);
	}
	account(C_Alltoallv, t0, bytes);
	return rc;
}

WS_EXPORT int
MPI_Reduce_scatter(const void *sbuf, void *rbuf, const int rcounts[], MPI_Datatype t, MPI_Op op,
		   MPI_Comm comm)
{
	REAL(MPI_Reduce_scatter, const void *, void *, const int *, MPI_Datatype, MPI_Op, MPI_Comm);
	uint64_t t0 = now_ns();
	int rc = real(sbuf, rbuf, rcounts, t, op, comm);
	account(C_Reduce_scatter, t0, rcounts ? comm_size_bytes(rcounts[0], t, comm) : 0);
	return rc;
}

WS_EXPORT int
MPI_Scan(const void *sbuf, void *rbuf, int count, MPI_Datatype t, MPI_Op op, MPI_Comm comm)
{
	REAL(MPI_Scan, const void *, void *, int, MPI_Datatype, MPI_Op, MPI_Comm);
	uint64_t t0 = now_ns();
	int rc = real(sbuf, rbuf, count, t, op, comm);
	account(C_Scan, t0, type_bytes(count, t));
	return rc;
}
