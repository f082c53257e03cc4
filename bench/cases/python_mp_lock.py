"""Anchor: CPython's multiprocessing.Lock (a POSIX semaphore), `python3 python_mp_lock.py uncontended|contended`.
Contended: two processes taking and releasing it as fast as they can; total ops/s."""
import json
import multiprocessing as mp
import sys
import time


def uncontended(seconds=1.0):
    lock = mp.Lock()
    acquire, release = lock.acquire, lock.release
    ops = 0
    start = time.perf_counter()
    while time.perf_counter() - start < seconds:
        for _ in range(100_000):
            acquire()
            release()
        ops += 100_000
    return ops / (time.perf_counter() - start)


def hammer(lock, counts, index, ready, stop):
    ready.wait()
    acquire, release = lock.acquire, lock.release
    n = 0
    while not stop.is_set():
        for _ in range(1000):
            acquire()
            release()
        n += 1000
    counts[index] = n


def contended(seconds=1.0):
    ctx = mp.get_context('spawn')
    lock = ctx.Lock()
    counts = ctx.Array('d', 2)
    ready = ctx.Barrier(3)
    stop = ctx.Event()
    procs = [ctx.Process(target=hammer, args=(lock, counts, i, ready, stop)) for i in range(2)]
    for p in procs:
        p.start()
    ready.wait()
    start = time.perf_counter()
    time.sleep(seconds)
    stop.set()
    for p in procs:
        p.join()
    return sum(counts) / (time.perf_counter() - start)


if __name__ == '__main__':
    mode = sys.argv[1]
    value = uncontended() if mode == 'uncontended' else contended()
    print(json.dumps({'value': value, 'unit': 'ops/s'}))
