"""A 1-D random walk of STEPS steps of +-1, with a progress check at every
step: the mean position so far and the farthest the walker has been.

The course's walk.py is a profiling demo with a planted bottleneck that
nobody suspects until line_profiler shows it.  Here it is planted in
walk_planted: the progress check recomputes the mean over the whole path
at every step, so each step costs more than the last (O(STEPS^2) in all).
walk_fixed keeps a running total instead: O(1) a step.  Both walk the same
path (random.Random(SEED)) and must give the same figures.

usage: randomwalk.py fixed|planted|all [STEPS] [SEED]
"""

import random
import sys
import time

import excommon

USAGE = "randomwalk.py fixed|planted|all [STEPS] [SEED]"


def walk_planted(steps, seed):
    rng = random.Random(seed)
    x = 0
    path = [0]
    farthest = 0
    mean = 0.0
    for _ in range(steps):
        x += 1 if rng.random() < 0.5 else -1
        path.append(x)
        mean = sum(path) / len(path)  # PLANTED: the whole path, every step
        farthest = max(farthest, abs(x))
    return x, mean, farthest


def walk_fixed(steps, seed):
    rng = random.Random(seed)
    x = 0
    total = 0
    count = 1
    farthest = 0
    mean = 0.0
    for _ in range(steps):
        x += 1 if rng.random() < 0.5 else -1
        total += x  # FIXED: a running total instead
        count += 1
        mean = total / count
        farthest = max(farthest, abs(x))
    return x, mean, farthest


VARIANTS = {"fixed": walk_fixed, "planted": walk_planted}


def main(argv):
    variant, args = excommon.parse(argv, USAGE, list(VARIANTS), 2)
    steps = excommon.int_arg(args, 0, 30000, USAGE)
    seed = excommon.int_arg(args, 1, 1, USAGE)
    if steps < 1:
        excommon.usage(USAGE, "STEPS must be >= 1")
    names = list(VARIANTS) if variant == "all" else [variant]
    # the reference: the fixed walk, untimed, when it is not run first
    ref = walk_fixed(steps, seed) if names[0] != "fixed" else None
    ok = True
    for name in names:
        t0 = time.perf_counter()
        r = VARIANTS[name](steps, seed)
        dt = time.perf_counter() - t0
        if ref is None:
            ref = r
        # integer positions and the same division: equal to the last bit
        good = r == ref
        ok = ok and good
        print(f"randomwalk {name}: steps={steps} final={r[0]} mean={r[1]:.6f} farthest={r[2]} "
              f"{'ok' if good else 'WRONG (fixed: %r)' % (ref,)} time={dt:.3f} s")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
