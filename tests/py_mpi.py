# tests/test_python_mpi.sh: an mpi4py program with a known Python function
# burning CPU on every rank (rank r does r + 1 units of work in
# rank_work), then ROUNDS MPI_Allreduce of 4 doubles (comm.Allreduce on
# buffers: exactly one MPI_Allreduce each) and a barrier.  Prints one line
# per rank: "rank R of N: sum S".
#
# usage: py_mpi.py [N] [--global] [--truth DIR]
#   --truth DIR: each rank writes DIR/rank<R>.cpu, the CPU time (seconds,
#   time.thread_time) of its rank_work call.
#   --global: import mpi4py with RTLD_GLOBAL (sys.setdlopenflags), so that
#   Open MPI's libmpi, loaded by mpi4py's extension module, is in the
#   global symbol scope: the work-around for libwhyslow-mpi.so not finding
#   PMPI_* in a libmpi loaded RTLD_LOCAL (test_python_mpi_local.sh).
import array
import os
import sys

if "--global" in sys.argv:
    sys.argv.remove("--global")
    sys.setdlopenflags(os.RTLD_NOW | os.RTLD_GLOBAL)
truth = None
if "--truth" in sys.argv:
    k = sys.argv.index("--truth")
    truth = sys.argv[k + 1]
    del sys.argv[k:k + 2]
import time  # noqa: E402

from mpi4py import MPI  # noqa: E402

ROUNDS = 5


def rank_work(n):
    s = 0
    for i in range(n):
        s += i * i % 7  # HOT_RANK
    return s


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000000
    comm = MPI.COMM_WORLD
    rank, size = comm.Get_rank(), comm.Get_size()
    t = time.thread_time()
    s = rank_work(n * (rank + 1))
    t = time.thread_time() - t
    if truth:
        with open(f"{truth}/rank{rank}.cpu", "w") as f:
            f.write(f"{t:.6f}\n")
    total = 0.0
    for k in range(ROUNDS):
        send = array.array("d", [float(s % 1000 + k), 1.0, 2.0, 3.0])
        recv = array.array("d", [0.0] * 4)
        comm.Allreduce(send, recv, op=MPI.SUM)
        total += recv[1]
    comm.Barrier()
    sys.stdout.write(f"rank {rank} of {size}: sum {total:g}\n")  # one write
    sys.stdout.flush()


main()
