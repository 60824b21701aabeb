# tests/test_python_shares.sh: three Python functions burning CPU in known
# proportions (about 50 / 30 / 20 %), called interleaved in many short
# rounds, each with two hot lines.  The script measures the truth itself:
# the thread CPU time (time.thread_time_ns) of every call of each function,
# and of each hot line inside it, and writes it as JSON:
#   {"functions": {"name": ns}, "lines": {"LINE_MARK": ns}, "rounds": n,
#    "user_ns": ns, "system_ns": ns}
# (user and system time of the thread over the whole loop, getrusage: the
# perf task clock samples user time only, so the test wants little system
# time).
# Each hot line is one physical line (a loop and its body on one line, or
# one call), so the sampler's line and the measured line are the same.
#
# usage: py_shares.py OUT.json [CPU_SECONDS]
#   CPU_SECONDS: stop when the three functions have burnt this much CPU
#   time (default 2.0); at 1000 Hz that is about 2000 samples in them.
import json
import resource
import sys
import time
import zlib

tt = time.thread_time_ns
lines = {"A1": 0, "A2": 0, "B1": 0, "B2": 0, "C1": 0, "C2": 0}
DATA = bytes(range(256)) * 128
SHUF = [(i * 2654435761) % 1000003 for i in range(100000)]


def burn_a(n, m):
    s = 0
    t0 = tt()
    for i in range(n): s += i * i % 7  # LINE_A1
    t1 = tt()
    for _ in range(4): s += sorted(SHUF[:m])[m // 2]  # LINE_A2
    t2 = tt()
    lines["A1"] += t1 - t0
    lines["A2"] += t2 - t1
    return s


def burn_b(n, m):
    s = 0
    t0 = tt()
    for i in range(n): s ^= (i << 3) + i % 11  # LINE_B1
    t1 = tt()
    s += sum(range(m)) & 0xff  # LINE_B2
    t2 = tt()
    lines["B1"] += t1 - t0
    lines["B2"] += t2 - t1
    return s


def burn_c(n, m):
    s = 0
    t0 = tt()
    i = 0
    while i < n: i += 1; s += i & 5  # LINE_C1
    t1 = tt()
    for _ in range(m): s ^= zlib.crc32(DATA)  # LINE_C2
    t2 = tt()
    lines["C1"] += t1 - t0
    lines["C2"] += t2 - t1
    return s


def main():
    out = sys.argv[1]
    budget = float(sys.argv[2]) if len(sys.argv) > 2 else 2.0
    funcs = {"burn_a": 0, "burn_b": 0, "burn_c": 0}
    # work per round and line: about 25 + 25, 18 + 12 and 10 + 10 % of a
    # round of a few ms
    a, b, c = (33000, 6000), (20000, 50000), (16000, 70)
    rounds = 0
    r0 = resource.getrusage(resource.RUSAGE_THREAD)
    total = 0
    while total < budget * 1e9:
        t0 = tt()
        burn_a(*a)
        t1 = tt()
        burn_b(*b)
        t2 = tt()
        burn_c(*c)
        t3 = tt()
        funcs["burn_a"] += t1 - t0
        funcs["burn_b"] += t2 - t1
        funcs["burn_c"] += t3 - t2
        total += t3 - t0
        rounds += 1
    r1 = resource.getrusage(resource.RUSAGE_THREAD)
    user = round((r1.ru_utime - r0.ru_utime) * 1e9)
    system = round((r1.ru_stime - r0.ru_stime) * 1e9)
    with open(out, "w") as f:
        json.dump({"functions": funcs, "lines": lines, "rounds": rounds,
                   "user_ns": user, "system_ns": system}, f)


main()
