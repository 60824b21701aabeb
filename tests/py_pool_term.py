# tests/test_python_pool_terminate.sh: a multiprocessing.Pool ended with
# terminate() (what `with Pool() as p:` does on leaving the block): the
# workers get SIGTERM as they leave through os._exit.
import multiprocessing
import sys


def work(a, b):
    s = 0.0
    for i in range(a, b):
        s += (i + 0.5) ** 1.5
    return s


if __name__ == "__main__":
    pool = multiprocessing.get_context("fork").Pool(4)
    r = pool.starmap(work, [(k * 400000, (k + 1) * 400000) for k in range(4)])
    pool.terminate()
    print("pool_term", sum(r))
    sys.exit(0)
