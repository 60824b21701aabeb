# tests/test_python_mp.sh: two children started by multiprocessing with
# fork and two with spawn, each burning CPU in Python in child_work().
import multiprocessing as mp


def child_work(n):
    s = 0
    for i in range(n):
        s += i % 3  # HOT_CHILD
    return s


if __name__ == "__main__":
    procs = []
    for method in ("fork", "fork", "spawn", "spawn"):
        p = mp.get_context(method).Process(target=child_work, args=(1500000,))
        p.start()
        procs.append(p)
    for p in procs:
        p.join()
        if p.exitcode != 0:
            raise SystemExit("a child failed")
