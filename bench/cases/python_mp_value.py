"""Anchor: CPython's multiprocessing.Value, 2 'spawn' processes each doing
`with v.get_lock(): v.value += 1` `count` times (the documented way to add
without losing updates); total adds/s from the barrier to the last join.
`python3 python_mp_value.py [count]` (default 1,000,000 per process)."""
import json
import multiprocessing as mp
import sys
import time


def adder(value, count, start):
    start.wait()
    lock = value.get_lock()
    for _ in range(count):
        with lock:
            value.value += 1


if __name__ == '__main__':
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    ctx = mp.get_context('spawn')
    value = ctx.Value('i', 0)
    start = ctx.Barrier(3)
    procs = [ctx.Process(target=adder, args=(value, count, start)) for _ in range(2)]
    for p in procs:
        p.start()
    start.wait()
    began = time.perf_counter()
    for p in procs:
        p.join()
    elapsed = time.perf_counter() - began
    assert value.value == 2 * count, value.value
    print(json.dumps({'value': 2 * count / elapsed, 'unit': 'ops/s'}))
