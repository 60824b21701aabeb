"""f(x, y) = x**3 + 4 sin(y) over N values, as a pure-Python loop and as
one NumPy expression (the course's vectorisation example, and the same f
as its GPU episode).

The loop executes a few dozen bytecodes per element in the interpreter;
NumPy runs one compiled loop over the whole array per operation (power,
sin, multiply, add), in its own .so and libm.  Each variant computes f
REPEAT times over the same N values (the default: 30 passes for the loop,
100 for NumPy, long enough to profile); the time printed is per pass.

numpy-mul is the next step a profile of numpy suggests: its time is in
NumPy's pow, called for x**3; x*x*x is two multiplications.

usage: vectorise.py loop|numpy|numpy-mul|all [N] [REPEAT]
"""

import math
import sys
import time

import excommon

USAGE = "vectorise.py loop|numpy|numpy-mul|all [N] [REPEAT]  (N = 100000; REPEAT: loop 30, NumPy 100)"


def inputs(n):
    """x in [-2, 2), y in [0, 2 pi): the same values for both variants."""
    x = [-2.0 + 4.0 * i / n for i in range(n)]
    y = [2.0 * math.pi * ((7 * i) % n) / n for i in range(n)]
    return x, y


def f_loop(x, y):
    z = [0.0] * len(x)
    for i in range(len(x)):
        z[i] = x[i] ** 3 + 4 * math.sin(y[i])  # LOOP_BODY
    return z


def f_numpy(np, x, y):
    return x**3 + 4 * np.sin(y)  # NUMPY_CALL


def f_numpy_mul(np, x, y):
    # the cube as two multiplications: NumPy's x**3 calls its vectorised
    # pow (__svml_pow8 on AVX-512), which costs far more than sin here
    return x * x * x + 4 * np.sin(y)  # NUMPY_MUL


def main(argv):
    variants = ["loop", "numpy", "numpy-mul"]
    variant, args = excommon.parse(argv, USAGE, variants, 2)
    n = excommon.int_arg(args, 0, 100_000, USAGE)
    repeat = excommon.int_arg(args, 1, 0, USAGE)
    if n < 1 or repeat < 0:
        excommon.usage(USAGE, "N and REPEAT must be >= 1")
    names = variants if variant == "all" else [variant]
    np = excommon.need_numpy(f"vectorise {names[-1]}") if names[-1] != "loop" else None
    x, y = inputs(n)
    # the reference, computed one element at a time with no shared code:
    # a loop that skips elements or a NumPy call on the wrong array fails
    ref = [xi * xi * xi + 4.0 * math.sin(yi) for xi, yi in zip(x, y)]
    ok = True
    for name in names:
        passes = repeat or (30 if name == "loop" else 100)
        if name == "loop":
            t0 = time.perf_counter()
            for _ in range(passes):
                z = f_loop(x, y)
            dt = (time.perf_counter() - t0) / passes
        else:
            xa, ya = np.array(x), np.array(y)
            t0 = time.perf_counter()
            f = f_numpy if name == "numpy" else f_numpy_mul
            for _ in range(passes):
                za = f(np, xa, ya)
            dt = (time.perf_counter() - t0) / passes
            z = za.tolist()
        # x**3 and x*x*x, libm's sin and NumPy's: a few ulps apart
        err = max(abs(a - b) / max(1.0, abs(b)) for a, b in zip(z, ref))
        good = len(z) == n and err <= 1e-12
        ok = ok and good
        print(f"vectorise {name}: n={n} passes={passes} sum={math.fsum(z):.9e} maxrelerr={err:.1e} "
              f"{'ok' if good else 'WRONG'} time={dt * 1e3:.3f} ms per pass")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
