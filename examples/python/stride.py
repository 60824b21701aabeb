"""The sum of an N x N matrix of doubles (C order: each row contiguous),
one row at a time or one column at a time.

A row a[i, :] is N contiguous doubles: every cache line fetched is used
whole.  A column a[:, j] is N doubles 8*N bytes apart: each one on a cache
line (and, past 4 KiB, a page) of its own.  Once N lines no longer stay in
the cache until the next column uses their neighbouring doubles, every
element costs a miss (the course: strides, C vs Fortran order).

NumPy today reduces a.sum(axis=0) by adding whole rows, so the course's
axis=0 against axis=1 (3.89 s vs 188 ms for 10000 x 10000) no longer shows
the effect; the explicit row and column slices do.

usage: stride.py rows|columns|all [N] [REPEAT]
"""

import sys
import time

import excommon

USAGE = "stride.py rows|columns|all [N] [REPEAT]  (N = 5000, 200 MB; REPEAT = 3)"


def make_matrix(np, n):
    """a[i, j] = i % 5 + j % 7: small integers, so every order of summing
    gives the same sum exactly; and its closed form, computed apart."""
    a = np.empty((n, n))
    a[:] = (np.arange(n) % 7)[None, :]
    a += (np.arange(n) % 5)[:, None]
    exact = n * sum(j % 7 for j in range(n)) + n * sum(i % 5 for i in range(n))
    return a, float(exact)


def sum_rows(a):
    s = 0.0
    for i in range(a.shape[0]):
        s += a[i, :].sum()  # ROWS: stride 8 bytes
    return s


def sum_columns(a):
    s = 0.0
    for j in range(a.shape[1]):
        s += a[:, j].sum()  # COLUMNS: stride 8 N bytes
    return s


VARIANTS = {"rows": sum_rows, "columns": sum_columns}


def main(argv):
    variant, args = excommon.parse(argv, USAGE, list(VARIANTS), 2)
    n = excommon.int_arg(args, 0, 5000, USAGE)
    repeat = excommon.int_arg(args, 1, 3, USAGE)
    if n < 1 or repeat < 1:
        excommon.usage(USAGE, "N and REPEAT must be >= 1")
    np = excommon.need_numpy("stride")
    a, exact = make_matrix(np, n)
    ok = True
    for name in VARIANTS if variant == "all" else [variant]:
        t0 = time.perf_counter()
        for _ in range(repeat):
            s = VARIANTS[name](a)
        dt = (time.perf_counter() - t0) / repeat
        good = s == exact
        ok = ok and good
        print(f"stride {name}: n={n} sum={s:.0f} {'ok' if good else 'WRONG (exact: %.0f)' % exact} "
              f"time={dt:.4f} s per sum")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
