"""Anchor: CPython 3's pools, measured as pool-harness.mjs measures the Node pools (2 workers,
warmed with 2,000 tasks + 200 one at a time, then 0.2 s to settle).
`python3 python_pool.py burst|roundtrip thread|process|mp` and `python3 python_pool.py map mp|mpthread`:
  thread    concurrent.futures.ThreadPoolExecutor(max_workers=2): submit() → Future
  process   concurrent.futures.ProcessPoolExecutor(max_workers=2): submit() → Future
  mp        multiprocessing.Pool(2): apply_async() → AsyncResult; map() with its default chunksize
  mpthread  multiprocessing.pool.ThreadPool(2): map() with its default chunksize
burst: 100,000 add(i, 1) submitted, then all awaited (ops/s); roundtrip: 20,000 add(i, 1) one at
a time (µs per task); map: double over range(1,000,000) as a list (items/s). The default start
method ('fork' on Linux, Python 3.11) in every case, as a user gets it."""
import concurrent.futures
import json
import multiprocessing
import multiprocessing.pool
import sys
import time

BURST = 100_000
ROUND_TRIPS = 20_000
MAP_ITEMS = 1_000_000
WARM = 2_000


def add(a, b):
    return a + b


def double(x):
    return x * 2


def open_pool(kind):
    """(submit(fn, *args) -> handle, result(handle) -> value, pool, close)"""
    if kind in ('thread', 'process'):
        cls = concurrent.futures.ThreadPoolExecutor if kind == 'thread' else concurrent.futures.ProcessPoolExecutor
        ex = cls(max_workers=2)
        return ex.submit, lambda f: f.result(), ex, lambda: ex.shutdown(wait=True)
    pool = multiprocessing.Pool(2) if kind == 'mp' else multiprocessing.pool.ThreadPool(2)

    def close():
        pool.close()
        pool.join()
    return lambda fn, *args: pool.apply_async(fn, args), lambda r: r.get(), pool, close


def warm(submit, result):
    handles = [submit(add, i, 1) for i in range(WARM)]
    for h in handles:
        result(h)
    for i in range(200):
        result(submit(add, i, 1))
    time.sleep(0.2)


def burst(submit, result):
    began = time.perf_counter()
    handles = [submit(add, i, 1) for i in range(BURST)]
    results = [result(h) for h in handles]
    elapsed = time.perf_counter() - began
    assert results[0] == 1 and results[-1] == BURST and len(results) == BURST
    return BURST / elapsed, 'ops/s'


def round_trip(submit, result):
    total = 0
    began = time.perf_counter()
    for i in range(ROUND_TRIPS):
        total += result(submit(add, i, 1))
    elapsed = time.perf_counter() - began
    assert total == ROUND_TRIPS * (ROUND_TRIPS + 1) // 2
    return elapsed * 1e6 / ROUND_TRIPS, 'µs'


def map_items(pool):
    items = list(range(MAP_ITEMS))
    began = time.perf_counter()
    results = pool.map(double, items)
    elapsed = time.perf_counter() - began
    assert len(results) == MAP_ITEMS and results[-1] == 2 * (MAP_ITEMS - 1) and results[12345] == 24690
    return MAP_ITEMS / elapsed, 'items/s'


if __name__ == '__main__':
    bench, kind = sys.argv[1], sys.argv[2]
    submit, result, pool, close = open_pool(kind)
    try:
        warm(submit, result)
        if bench == 'burst':
            value, unit = burst(submit, result)
        elif bench == 'roundtrip':
            value, unit = round_trip(submit, result)
        elif bench == 'map':
            value, unit = map_items(pool)
        else:
            raise SystemExit(f'unknown benchmark {bench}: burst | roundtrip | map')
    finally:
        close()
    print(json.dumps({'value': value, 'unit': unit}))
