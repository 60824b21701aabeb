/* The MPI analysis behind `whyslow report --mpi`: from the records of the
 * PMPI tracing library (libwhyslow-mpi.so, WS_REC_MPI), per rank its time
 * in MPI against its computing time, per MPI call type its calls, time and
 * bytes over all ranks, the imbalance of the ranks' computing time and the
 * rank that waits longest in collectives.
 *
 * Definitions:
 *  - A rank's window is from MPI_Init's return to MPI_Finalize's call (or
 *    to the end of its process when it never finalised); mpi_seconds is
 *    the time in the calls made in it (MPI_Init and MPI_Finalize are not
 *    counted: they are start-up and shutdown, shown in the calls table);
 *    compute_seconds = window - mpi_seconds.
 *  - compute_imbalance = max / mean of compute_seconds over the ranks: the
 *    ranks that compute less wait for the others in MPI.
 *  - waiting: a rank's time in collectives and in completion calls (wait,
 *    test), where time is mostly waiting for other ranks.
 *  - mpi_percent: all ranks' MPI time over all ranks' windows.
 * Contract: pure; nothing printed; free with ws_mpi_report_free.
 */
#ifndef WHYSLOW_MPI_REPORT_H
#define WHYSLOW_MPI_REPORT_H

#include <stddef.h>
#include <stdint.h>

#include "analysis.h"

/* From this share of the ranks' time in MPI the report calls the run
 * communication-bound. */
#define WS_COMMUNICATION_BOUND 30.0

struct ws_mpi_rank {
	int32_t rank;
	uint32_t pid;
	const char *host;
	double window_seconds, mpi_seconds, compute_seconds, waiting_seconds;
	double mpi_percent;   /* of its window */
	const char *top_call; /* the call it spent most time in, NULL if none */
	bool finalized;
};

struct ws_mpi_call_row {
	const char *name;
	uint32_t kind; /* enum ws_mpi_kind */
	uint64_t calls, bytes;
	double seconds;		       /* over all ranks */
	double percent;		       /* of all ranks' MPI time (Init/Finalize: 0) */
	double mean_us, max_ms;	       /* per call */
	double rank_min_s, rank_max_s; /* its time on the rank with least and most */
};

struct ws_mpi_report {
	const char *library;	   /* NULL: no rank has MPI data */
	uint32_t world_size;	   /* as the ranks saw it */
	struct ws_mpi_rank *ranks; /* by rank */
	size_t nranks;
	struct ws_mpi_call_row *calls; /* by seconds */
	size_t ncalls;
	double window_seconds, mpi_seconds, mpi_percent;
	double compute_imbalance; /* 0 without ranks */
	size_t most_computing;	  /* index in ranks (nranks: none) */
	size_t most_waiting;	  /* index in ranks (nranks: none) */
	bool communication_bound; /* mpi_percent >= WS_COMMUNICATION_BOUND */
};

void ws_mpi_report_build(const struct wsr_profile *prof, const struct ws_filter *f,
			 struct ws_mpi_report *out);
void ws_mpi_report_free(struct ws_mpi_report *m);
const char *ws_mpi_kind_name(uint32_t kind); /* "point-to-point", "completion", ... */

#endif
