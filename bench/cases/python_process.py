# Anchor: Python multiprocessing.Process start() + join() of a no-op target, spawn start method; median ms.
import json
import multiprocessing as mp
import statistics
import sys
import time


def noop():
    pass


if __name__ == '__main__':
    ctx = mp.get_context('spawn')
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 15
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        p = ctx.Process(target=noop)
        p.start()
        p.join()
        times.append((time.perf_counter() - start) * 1000)
    print(json.dumps({'value': statistics.median(times), 'unit': 'ms'}))
