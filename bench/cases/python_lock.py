"""Anchor: CPython's threading.Lock. `python3 python_lock.py uncontended|contended`."""
import json
import sys
import threading
import time


def uncontended(seconds=1.0):
    lock = threading.Lock()
    acquire, release = lock.acquire, lock.release
    ops = 0
    start = time.perf_counter()
    while time.perf_counter() - start < seconds:
        for _ in range(100_000):
            acquire()
            release()
        ops += 100_000
    return ops / (time.perf_counter() - start)


def contended(seconds=1.0):
    lock = threading.Lock()
    stop = threading.Event()
    counts = [0, 0]

    def hammer(index):
        acquire, release = lock.acquire, lock.release
        n = 0
        while not stop.is_set():
            for _ in range(1000):
                acquire()
                release()
            n += 1000
        counts[index] = n

    threads = [threading.Thread(target=hammer, args=(i,)) for i in range(2)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    time.sleep(seconds)
    stop.set()
    for t in threads:
        t.join()
    return sum(counts) / (time.perf_counter() - start)


if __name__ == '__main__':
    mode = sys.argv[1]
    value = uncontended() if mode == 'uncontended' else contended()
    print(json.dumps({'value': value, 'unit': 'ops/s'}))
