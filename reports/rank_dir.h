/* The output directory that the ranks of one MPI job share, when each rank
 * runs its own `whyslow record` (`mpirun -np 4 whyslow record -- ./app`,
 * docs/cli.md "MPI").
 *
 * The ranks start at once and must agree on one directory without talking
 * to each other, and yet a directory of an earlier run must never be
 * joined.  So the rank that claims DIR (creates it, or finds it empty)
 * writes DIR/.whyslow-job (WS_RANK_DIR_MARKER) holding the job's identity,
 * and the others join only when theirs is the same; anything else in the
 * way is refused as a non-empty directory.  The marker is created with
 * O_EXCL (one rank wins) in one write; the others wait for its line. */
#ifndef WHYSLOW_RANK_DIR_H
#define WHYSLOW_RANK_DIR_H

#include <stdbool.h>

#define WS_RANK_DIR_MARKER ".whyslow-job"

/* Whether this process is one rank of a parallel job: OMPI_COMM_WORLD_RANK,
 * PMIX_RANK, PMI_RANK or MV2_COMM_WORLD_RANK is set, or SLURM_PROCID in a
 * job step of more than one task (SLURM_STEP_NUM_TASKS, else SLURM_NTASKS
 * inside a step): Slurm sets SLURM_PROCID=0 in every batch script and
 * `srun --pty` shell too, where the program is no rank.  *rank: the rank
 * (as the collector reads it, profiler/settings.c), -1 when none. */
bool ws_mpi_rank(long *rank);

/* The job's identity, the same in every rank of one launch and different
 * from other launches: the PMIx namespace or Open MPI's job id, with Open
 * MPI's launcher address (OMPI_MCA_orte_hnp_uri: its host, port and job
 * family); Slurm's job and step; else the launcher's pid and this host
 * (MPICH's Hydra: the ranks on one host agree).  *name: a short form for a
 * file name ([A-Za-z0-9._-]).  Both newly allocated. */
char *ws_mpi_job_identity(char **name);

/* Create or join DIR for rank rank of the job identity.  0 when this rank
 * may write there (*created: this rank created DIR); else -1 after printing
 * why: DIR is a file, holds something other than this job's recording, or
 * already holds a recording of this rank (an earlier run in the same job
 * step).  *status then is the exit status to return. */
int ws_rank_dir(const char *dir, const char *identity, long rank, bool *created, int *status);

#endif
