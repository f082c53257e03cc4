"""Anchor: CPython's multiprocessing.Pipe between two processes ('spawn' start method).
`python3 python_pipe.py pingpong|stream [count]`: pingpong prints µs per round trip of a small
dict after 2,000 untimed ones; stream prints items/s of small dicts, child -> parent, from the
first message to the last."""
import json
import multiprocessing
import sys
import time

WARM = 2_000


def echo(conn, count):
    for _ in range(count):
        conn.send(conn.recv())


def produce(conn, count):
    for i in range(count):
        conn.send({'seq': i, 'op': 'item'})
    conn.close()


def main():
    mode = sys.argv[1] if len(sys.argv) > 1 else 'pingpong'
    count = int(sys.argv[2]) if len(sys.argv) > 2 else (20_000 if mode == 'pingpong' else 200_000)
    context = multiprocessing.get_context('spawn')
    here, there = context.Pipe()
    if mode == 'pingpong':
        child = context.Process(target=echo, args=(there, WARM + count))
        child.start()
        for i in range(WARM):
            here.send({'seq': i, 'op': 'ping'})
            here.recv()
        t0 = time.perf_counter()
        for i in range(count):
            here.send({'seq': i, 'op': 'ping'})
            if here.recv()['seq'] != i:
                raise RuntimeError('out of order')
        micros = (time.perf_counter() - t0) * 1e6 / count
        child.join()
        print(json.dumps({'value': micros, 'unit': 'µs'}))
    else:
        child = context.Process(target=produce, args=(there, count))
        child.start()
        there.close()
        total = here.recv()['seq']
        t0 = time.perf_counter()
        for _ in range(count - 1):
            total += here.recv()['seq']
        seconds = time.perf_counter() - t0
        if total != count * (count - 1) // 2:
            raise RuntimeError('checksum')
        child.join()
        print(json.dumps({'value': (count - 1) / seconds, 'unit': 'items/s'}))


if __name__ == '__main__':
    main()
