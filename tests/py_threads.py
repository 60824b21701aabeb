# tests/test_python_threads.sh: four threads started by `threading`, each
# burning CPU in Python in worker().
import threading


def worker(n):
    s = 0
    for i in range(n):
        s += i % 3  # HOT_WORKER
    return s


threads = [threading.Thread(target=worker, args=(3000000,)) for _ in range(4)]
for t in threads:
    t.start()
for t in threads:
    t.join()
