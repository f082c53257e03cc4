"""Anchor: CPython's multiprocessing.Manager, `python3 python_manager.py list|dict`.
Two processes appending to one managed list (`list`), or doing `d['n'] += 1`
on one managed dict under a manager Lock (`dict`: the proxy's += alone loses
updates), as fast as they can; total ops/s."""
import json
import multiprocessing as mp
import sys
import time


def hammer(mode, target, lock, counts, index, ready, stop):
    ready.wait()
    n = 0
    while not stop.is_set():
        for i in range(200):
            if mode == 'list':
                target.append(i)
            else:
                with lock:
                    target['n'] += 1
        n += 200
    counts[index] = n


def run(mode, seconds=1.0):
    ctx = mp.get_context('spawn')
    with ctx.Manager() as manager:
        target = manager.list() if mode == 'list' else manager.dict({'n': 0})
        lock = manager.Lock()
        counts = ctx.Array('d', 2)
        ready = ctx.Barrier(3)
        stop = ctx.Event()
        procs = [ctx.Process(target=hammer, args=(mode, target, lock, counts, i, ready, stop)) for i in range(2)]
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
    print(json.dumps({'value': run(sys.argv[1] if len(sys.argv) > 1 else 'list'), 'unit': 'ops/s'}))
