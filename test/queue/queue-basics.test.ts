/**
 * Queue, LifoQueue, PriorityQueue and SimpleQueue within one thread: order,
 * Full/Empty, timeouts, task accounting, shutdown, bad input. Ported from
 * CPython's Lib/test/test_queue.py (PSF licence) where a case applies; the
 * source case is named in a comment. Tweaks: timeouts are milliseconds;
 * negative timeouts are ERR_INVALID_ARG; join takes a timeout; PriorityQueue
 * items are [priority, value] with ties in arrival order.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Empty, Full, LifoQueue, PriorityQueue, Queue, ShutDown, SimpleQueue } from '../../src/queue.js';
import { Lock } from '../../src/threading.js';

const T = { timeout: 20_000 };

type AnyQueue = Queue<number>;
const kinds: [string, () => AnyQueue, (items: number[]) => number[]][] = [
  ['Queue', () => new Queue<number>(), (items) => items],
  ['LifoQueue', () => new LifoQueue<number>(), (items) => [...items].reverse()],
  ['PriorityQueue', () => new PriorityQueue<[number, number]>() as unknown as AnyQueue, (items) => [...items].sort((a, b) => a - b)],
];

/** PriorityQueue items are [priority, value]; the others take the number itself. */
function itemFor(queue: AnyQueue, n: number): number {
  return (queue instanceof PriorityQueue ? [n, n] : n) as number;
}

function valueOf(item: unknown): number {
  return Array.isArray(item) ? (item[1] as number) : (item as number);
}

for (const [name, make, order] of kinds) {
  describe(name, () => {
    // test_queue.BaseQueueTestMixin.simple_queue_test
    test('yields items in its order', T, () => {
      const queue = make();
      const items = [111, 333, 222];
      for (const n of items) queue.putNowait(itemFor(queue, n));
      assert.equal(queue.qsize(), 3);
      const got = items.map(() => valueOf(queue.getNowait()));
      assert.deepEqual(got, order(items));
      assert.equal(queue.empty(), true);
    });

    test('getNowait on an empty queue throws Empty; get with a timeout rejects with Empty after it', T, async () => {
      const queue = make();
      assert.throws(() => queue.getNowait(), Empty);
      let start = performance.now();
      await assert.rejects(queue.get({ timeout: 50 }), Empty);
      assert.ok(performance.now() - start >= 30);
      start = performance.now();
      assert.throws(() => queue.getSync({ timeout: 50 }), Empty);
      assert.ok(performance.now() - start >= 30);
      await assert.rejects(queue.get({ timeout: 0 }), Empty);
      assert.equal(queue.statistics().getters, 0, 'a timed-out getter stays registered');
    });

    // test_queue.BaseQueueTestMixin.test_queue_full (bounded)
    test('a bounded queue is full at maxsize: putNowait throws Full carrying the item', T, async () => {
      const Cls = make().constructor as new (maxsize: number) => AnyQueue;
      const queue = new Cls(2);
      assert.equal(queue.maxsize, 2);
      queue.putNowait(itemFor(queue, 1));
      assert.equal(queue.full(), false);
      queue.putNowait(itemFor(queue, 2));
      assert.equal(queue.full(), true);
      assert.equal(queue.qsize(), 2);
      const item = itemFor(queue, 3);
      assert.throws(() => queue.putNowait(item), (error: unknown) => error instanceof Full && error.item === item);
      await assert.rejects(queue.put(itemFor(queue, 3), { timeout: 30 }), Full);
      assert.throws(() => queue.putSync(itemFor(queue, 3), { timeout: 30 }), Full);
      assert.equal(queue.qsize(), 2, 'a refused put added something');
      queue.getNowait();
      assert.equal(queue.full(), false);
      queue.putNowait(itemFor(queue, 4));
      assert.equal(queue.qsize(), 2);
    });

    test('qsize, empty, full and getNowait agree after every step', T, () => {
      const Cls = make().constructor as new (maxsize: number) => AnyQueue;
      const queue = new Cls(3);
      for (let round = 0; round < 3; round++) {
        for (let i = 1; i <= 3; i++) {
          queue.putNowait(itemFor(queue, i));
          assert.equal(queue.qsize(), i);
          assert.equal(queue.empty(), false);
          assert.equal(queue.full(), i === 3);
        }
        for (let i = 2; i >= 0; i--) {
          queue.getNowait();
          assert.equal(queue.qsize(), i);
          assert.equal(queue.empty(), i === 0);
          assert.equal(queue.full(), false);
        }
        assert.throws(() => queue.getNowait(), Empty);
      }
    });

    // test_queue.BaseQueueTestMixin.queue_join_test / test_queue_task_done
    test('taskDone and join count every item put', T, async () => {
      const queue = make();
      assert.equal(await queue.join({ timeout: 0 }), true, 'nothing put: joined at once');
      assert.throws(() => queue.taskDone(), { code: 'ERR_TASK_DONE_TOO_MANY' });
      queue.putNowait(itemFor(queue, 1));
      queue.putNowait(itemFor(queue, 2));
      assert.equal(queue.statistics().unfinished, 2);
      assert.equal(await queue.join({ timeout: 20 }), false);
      assert.equal(queue.joinSync({ timeout: 0 }), false);
      queue.getNowait();
      queue.taskDone();
      const joined = queue.join();
      queue.getNowait();
      queue.taskDone();
      assert.equal(await joined, true);
      assert.equal(queue.joinSync(), true);
      assert.throws(() => queue.taskDone(), { code: 'ERR_TASK_DONE_TOO_MANY' });
      assert.equal(queue.statistics().unfinished, 0);
    });

    // test_queue.BaseQueueTestMixin.test_shutdown_*
    test('shutdown: puts throw ShutDown, gets drain what is left, then throw ShutDown', T, async () => {
      const queue = make();
      queue.putNowait(itemFor(queue, 1));
      queue.putNowait(itemFor(queue, 2));
      queue.shutdown();
      assert.throws(() => queue.putNowait(itemFor(queue, 3)), ShutDown);
      await assert.rejects(queue.put(itemFor(queue, 3)), ShutDown);
      assert.throws(() => queue.putSync(itemFor(queue, 3)), ShutDown);
      assert.equal(queue.qsize(), 2);
      queue.getNowait();
      assert.equal(valueOf(await queue.get()), order([1, 2])[1]);
      assert.throws(() => queue.getNowait(), ShutDown);
      await assert.rejects(queue.get(), ShutDown);
      assert.throws(() => queue.getSync(), ShutDown);
      assert.equal(queue.statistics().shutdown, 'yes');
    });

    test('shutdown({ immediate: true }) discards the items, counts them done, and gets throw at once', T, async () => {
      const queue = make();
      for (const n of [1, 2, 3]) queue.putNowait(itemFor(queue, n));
      queue.getNowait();
      queue.taskDone();
      const joined = queue.join();
      queue.shutdown({ immediate: true });
      assert.equal(await joined, true, 'discarded items count as done');
      assert.equal(queue.qsize(), 0);
      assert.throws(() => queue.getNowait(), ShutDown);
      assert.throws(() => queue.putNowait(itemFor(queue, 4)), ShutDown);
      assert.equal(queue.statistics().shutdown, 'immediate');
      queue.shutdown(); // one way: stays immediate
      assert.equal(queue.statistics().shutdown, 'immediate');
    });

    test('shutdown wakes a waiting get and a waiting put', T, async () => {
      const empty = make();
      const waitingGet = empty.get();
      await Promise.resolve();
      assert.equal(empty.statistics().getters, 1);
      empty.shutdown();
      await assert.rejects(waitingGet, ShutDown);
      const Cls = make().constructor as new (maxsize: number) => AnyQueue;
      const full = new Cls(1);
      full.putNowait(itemFor(full, 1));
      const waitingPut = full.put(itemFor(full, 2));
      await Promise.resolve();
      assert.equal(full.statistics().putters, 1);
      full.shutdown();
      await assert.rejects(waitingPut, ShutDown);
    });

    test('for await … of yields the items and ends at shutdown', T, async () => {
      const queue = make();
      for (const n of [5, 6, 7]) queue.putNowait(itemFor(queue, n));
      queue.shutdown();
      const got: number[] = [];
      for await (const item of queue) got.push(valueOf(item));
      assert.deepEqual(got, order([5, 6, 7]));
    });

    test('an aborted get takes nothing; an aborted put adds nothing', T, async () => {
      const queue = make();
      const reason = new Error('stop');
      const controller = new AbortController();
      const waiting = queue.get({ signal: controller.signal });
      await Promise.resolve();
      controller.abort(reason);
      await assert.rejects(waiting, (e: unknown) => e === reason);
      assert.equal(queue.statistics().getters, 0);
      queue.putNowait(itemFor(queue, 9));
      assert.equal(valueOf(queue.getNowait()), 9, 'the aborted get took the item');
      const Cls = make().constructor as new (maxsize: number) => AnyQueue;
      const full = new Cls(1);
      full.putNowait(itemFor(full, 1));
      const putController = new AbortController();
      const putting = full.put(itemFor(full, 2), { signal: putController.signal });
      await Promise.resolve();
      putController.abort(reason);
      await assert.rejects(putting, (e: unknown) => e === reason);
      full.getNowait();
      assert.equal(full.qsize(), 0, 'the aborted put added its item');
      await assert.rejects(full.get({ signal: AbortSignal.abort(reason) }), (e: unknown) => e === reason);
    });
  });
}

test('bad arguments are ERR_INVALID_ARG, and leave the queue as it was', T, async () => {
  for (const maxsize of [-1, 1.5, NaN, '3' as unknown as number, 2 ** 31]) {
    assert.throws(() => new Queue(maxsize), { code: 'ERR_INVALID_ARG' });
  }
  const queue = new Queue<number>();
  queue.putNowait(1);
  await assert.rejects(queue.get({ timeout: -1 }), { code: 'ERR_INVALID_ARG' });
  assert.throws(() => queue.getSync({ timeout: NaN }), { code: 'ERR_INVALID_ARG' });
  await assert.rejects(queue.put(2, { timeout: -5 }), { code: 'ERR_INVALID_ARG' });
  await assert.rejects(queue.join({ timeout: Infinity }), { code: 'ERR_INVALID_ARG' });
  assert.equal(queue.qsize(), 1);
});

test('an item that cannot cross fails in put, naming its path, and nothing is enqueued', T, async () => {
  const queue = new Queue<unknown>();
  assert.throws(() => queue.putNowait({ ok: 1, bad: [() => 1] }), (error: Error & { code?: string }) => {
    assert.equal(error.code, 'ERR_NOT_SERIALIZABLE');
    assert.match(error.message, /item\.bad\[0\]/);
    return true;
  });
  await assert.rejects(queue.put(Symbol('s')), { code: 'ERR_NOT_SERIALIZABLE' });
  assert.throws(() => queue.putSync(new Promise(() => {})), { code: 'ERR_NOT_SERIALIZABLE' });
  assert.throws(() => queue.putNowait({ lock: new Lock() }), (error: Error & { code?: string }) => {
    assert.equal(error.code, 'ERR_NOT_SERIALIZABLE');
    assert.match(error.message, /Lock/);
    assert.match(error.message, /arguments/);
    return true;
  });
  assert.equal(queue.qsize(), 0);
  assert.equal(queue.statistics().unfinished, 0);
});

test('structured values survive the trip as structured clone copies them', T, () => {
  const cyclic: Record<string, unknown> = { name: 'loop' };
  cyclic.self = cyclic;
  const shared = { n: 1 };
  const values: unknown[] = [
    undefined, null, true, false, 0, -0, NaN, Infinity, -Infinity, 2 ** 53, -(2 ** 31) - 1, 1.5,
    12345678901234567890n, -5n, 'ascii', 'ünïcødé ✓ 🎉', '\ud800 lone', '', 'x'.repeat(10_000),
    new Date(86_400_000), new Map<unknown, unknown>([[1, 'a'], ['b', { c: [1] }]]), new Set([1, 'two', 3n]),
    new Uint8Array([1, 2, 3]), new Float64Array([0.5, -0]), new BigInt64Array([1n, -1n]), /re+gex/gi,
    [1, , 3], { nested: { deep: [[[{ x: 1 }]]] } }, cyclic, [shared, shared], new Error('carried'),
  ];
  const queue = new Queue<unknown>();
  for (const value of values) queue.putNowait(value);
  for (const value of values) assert.deepStrictEqual(queue.getNowait(), structuredClone(value));
  queue.putNowait(cyclic);
  const back = queue.getNowait() as Record<string, unknown>;
  assert.equal(back.self, back, 'a cycle keeps its shape');
  queue.putNowait([shared, shared]);
  const pair = queue.getNowait() as unknown[];
  assert.equal(pair[0], pair[1], 'a shared object stays one object');
});

test('PriorityQueue: lowest priority first, ties in arrival order, priorities of any comparable kind', T, () => {
  const queue = new PriorityQueue<[number | bigint, string]>();
  for (const item of [[3, 'c1'], [1, 'a1'], [2n, 'b1'], [1, 'a2'], [3n, 'c2'], [-0.5, 'z']] as [number | bigint, string][]) queue.putNowait(item);
  const order = Array.from({ length: 6 }, () => queue.getNowait()[1]);
  assert.deepEqual(order, ['z', 'a1', 'a2', 'b1', 'c1', 'c2']);
  const strings = new PriorityQueue<[string, number]>();
  for (const key of ['pear', 'apple', 'fig']) strings.putNowait([key, 0]);
  assert.deepEqual([strings.getNowait()[0], strings.getNowait()[0], strings.getNowait()[0]], ['apple', 'fig', 'pear']);
  strings.putNowait(['b', 1]);
  assert.throws(() => strings.putNowait([5 as unknown as string, 2]), { code: 'ERR_INVALID_ARG' });
  assert.throws(() => queue.putNowait([NaN, 'x']), { code: 'ERR_INVALID_ARG' });
  assert.throws(() => queue.putNowait('not a pair' as never), { code: 'ERR_INVALID_ARG' });
  assert.equal(strings.qsize(), 1, 'a refused put added something');
});

test('SimpleQueue: unbounded FIFO, put never waits, no task accounting', T, async () => {
  const queue = new SimpleQueue<number>();
  queue.putSync(1);
  await queue.put(2);
  queue.putNowait(3);
  assert.equal(queue.qsize(), 3);
  assert.equal(queue.empty(), false);
  assert.deepEqual([queue.getNowait(), queue.getSync(), await queue.get()], [1, 2, 3]);
  assert.throws(() => queue.getNowait(), Empty);
  await assert.rejects(queue.get({ timeout: 10 }), Empty);
  assert.equal('taskDone' in queue, false);
  const waiting = queue.get();
  queue.putNowait(7);
  assert.equal(await waiting, 7);
});

test('an unbounded queue holds millions of items', T, () => {
  const queue = new Queue<number>();
  const count = 2_000_000;
  for (let i = 0; i < count; i++) queue.putNowait(i);
  assert.equal(queue.qsize(), count);
  let sum = 0;
  for (let i = 0; i < count; i++) sum += queue.getNowait();
  assert.equal(sum, (count * (count - 1)) / 2);
  assert.equal(queue.empty(), true);
});

test('items from 1 byte to 128 MiB', { timeout: 60_000 }, () => {
  const queue = new Queue<unknown>();
  const big = new Uint8Array(128 * 1024 * 1024);
  for (let i = 0; i < big.length; i += 4096) big[i] = i & 0xff;
  queue.putNowait(true);
  queue.putNowait(big);
  queue.putNowait('s'.repeat(1_000_000));
  assert.equal(queue.getNowait(), true);
  const back = queue.getNowait() as Uint8Array;
  assert.equal(back.length, big.length);
  for (let i = 0; i < big.length; i += 4096) assert.equal(back[i], i & 0xff);
  assert.equal((queue.getNowait() as string).length, 1_000_000);
});
