# tests/test_python_lines.sh: known Python functions burning CPU in known
# proportions, and a pure-Python loop against a native call (zlib).
import sys
import zlib


def interp_loop(n):
    s = 0
    for i in range(n):
        s += i * i % 7  # HOT_INTERP
    return s


def native_call(n):
    data = bytes(range(256)) * 8000
    for _ in range(n):
        zlib.compress(data, 9)  # HOT_NATIVE


def one_share(n):
    s = 0
    for i in range(n):
        s += i * 3 % 5  # HOT_ONE
    return s


def two_shares(n):
    s = 0
    for i in range(2 * n):
        s += i * 3 % 5  # HOT_TWO
    return s


def main():
    scale = float(sys.argv[1]) if len(sys.argv) > 1 else 1.0
    interp_loop(int(2000000 * scale))
    native_call(int(60 * scale))
    # interleaved, so that a change of the machine's speed (other programs
    # on the cores) touches both alike
    for _ in range(30):
        one_share(int(100000 * scale))
        two_shares(int(100000 * scale))


main()
