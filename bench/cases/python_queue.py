"""Anchor: CPython's queue.Queue between threads, and multiprocessing.Queue between processes.
`python3 python_queue.py thread|process ints|objects producers consumers [count]`; prints items/s,
timed from the moment every worker is up (a barrier) to the last consumer's total."""
import json
import multiprocessing
import queue
import sys
import threading
import time


def make_item(kind, i):
    return i if kind == 'ints' else {'id': i, 'name': f'item-{i}', 'tags': ['a', 'b', 'c']}


def produce(q, kind, count, start):
    start.wait()
    for i in range(count):
        q.put(make_item(kind, i))


def consume(q, kind, count, start, done):
    start.wait()
    total = 0
    for _ in range(count):
        item = q.get()
        total += item if kind == 'ints' else item['id']
    done.put(total)


def run(mode, kind, producers, consumers, total=None):
    total = total or (1_000_000 if kind == 'ints' else 200_000)
    if mode == 'thread':
        q, done, worker = queue.Queue(), queue.Queue(), threading.Thread
        start = threading.Barrier(producers + consumers + 1)
    else:
        context = multiprocessing.get_context('spawn')
        q, done, worker = context.Queue(), context.Queue(), context.Process
        start = context.Barrier(producers + consumers + 1)
    workers = [worker(target=produce, args=(q, kind, total // producers, start)) for _ in range(producers)]
    workers += [worker(target=consume, args=(q, kind, total // consumers, start, done)) for _ in range(consumers)]
    for w in workers:
        w.start()
    start.wait()
    began = time.perf_counter()
    for _ in range(consumers):
        done.get()
    elapsed = time.perf_counter() - began
    for w in workers:
        w.join()
    return total / elapsed


if __name__ == '__main__':
    mode, kind, producers, consumers = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    total = int(sys.argv[5]) if len(sys.argv) > 5 else None
    print(json.dumps({'value': run(mode, kind, producers, consumers, total), 'unit': 'items/s'}))
