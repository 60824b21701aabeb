"""Midpoint rule for the integral of x**1.5 over [0, 1] (exact: 2/5).

The course's 1d_Integration_{serial,multithreading,multiprocessing}.py:
the index range is split into WORKERS contiguous blocks, each summed by a
thread or a process, and the partial sums are added at the end.  Threads
take turns holding the GIL, so they are no faster than one loop; processes
each have an interpreter of their own and run at once.

usage: integrate.py serial|threading|multiprocessing|all [N] [WORKERS]
"""

import multiprocessing
import sys
import threading
import time

import excommon

USAGE = "integrate.py serial|threading|multiprocessing|all [N] [WORKERS]"
EXACT = 0.4


def integrate_block(n, start, end):
    """Sum of the midpoint rule's terms for bins start..end-1 of n."""
    dx = 1.0 / n
    s = 0.0
    for i in range(start, end):
        x = (i + 0.5) * dx
        s += x**1.5  # INTEGRAND
    return s * dx


def blocks(n, workers):
    """The course's split: WORKERS contiguous blocks, the last one longer."""
    size = n // workers
    return [(k * size, n if k == workers - 1 else (k + 1) * size) for k in range(workers)]


def run_serial(n, workers):
    return integrate_block(n, 0, n)


def run_threading(n, workers):
    partial = [0.0] * workers

    def worker(k, start, end):
        partial[k] = integrate_block(n, start, end)

    threads = [threading.Thread(target=worker, args=(k, a, b)) for k, (a, b) in enumerate(blocks(n, workers))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sum(partial)


def run_multiprocessing(n, workers):
    # fork: the children start at once, without a fresh interpreter each
    # (leaving the with block terminates the workers with SIGTERM, as
    # learners' solutions do: whyslow must keep their profiles)
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        partial = pool.starmap(integrate_block, [(n, a, b) for a, b in blocks(n, workers)])
    return sum(partial)


VARIANTS = {"serial": run_serial, "threading": run_threading, "multiprocessing": run_multiprocessing}


def main(argv):
    variant, args = excommon.parse(argv, USAGE, list(VARIANTS), 2)
    n = excommon.int_arg(args, 0, 10_000_000, USAGE)
    workers = excommon.int_arg(args, 1, 4, USAGE)
    if n < 1000 or workers < 1:
        excommon.usage(USAGE, "N must be >= 1000 (the rule's own error stays below 1e-6) and WORKERS >= 1")
    ok = True
    results = {}
    for name in VARIANTS if variant == "all" else [variant]:
        t0 = time.perf_counter()
        r = VARIANTS[name](n, workers)
        dt = time.perf_counter() - t0
        err = abs(r - EXACT)
        good = err <= 1e-6
        # every variant adds the same terms; only the order of the partial
        # sums differs
        for other, ro in results.items():
            if abs(r - ro) > 1e-9:
                good = False
                print(f"integrate {name}: {r!r} differs from {other}'s {ro!r}")
        results[name] = r
        ok = ok and good
        print(f"integrate {name}: n={n} workers={workers} result={r:.12f} error={err:.2e} "
              f"{'ok' if good else 'WRONG'} time={dt:.3f} s")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
