/**
 * Process-scope Queue, JoinableQueue and SimpleQueue within one process and
 * between its threads: the thread-scope conformance cases
 * (test/queue/queue-basics.test.ts, queue-threads.test.ts — ported from
 * CPython's Lib/test/test_queue.py, PSF licence) run over the hub. Tweaks:
 * waiters are counted with `statistics()` (a round trip to the hub) instead of
 * `waitForWaiters`; `close()` is multiprocessing's.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Empty, Full, ShutDown } from '../../src/errors.js';
import { JoinableQueue } from '../../src/multiprocessing/joinable-queue.js';
import { Queue } from '../../src/multiprocessing/queue.js';
import { SimpleQueue } from '../../src/multiprocessing/simple-queue.js';
import { Event, Lock, SharedArray } from '../../src/threading.js';
import { checkNoThreadsLeft } from '../helpers/leaks.js';
import { joinAll, start } from '../helpers/threads.js';
import * as targets from '../fixtures/mp-queue-targets.js';

const T = { timeout: 60_000 };
checkNoThreadsLeft();

/** Resolves once the queue's state in the hub satisfies `ready` (each look is a round trip; no guessing at time). */
async function until(queue: Queue<unknown>, ready: (s: ReturnType<Queue['statistics']>) => boolean): Promise<void> {
  const deadline = performance.now() + 20_000;
  while (performance.now() < deadline) {
    if (ready(queue.statistics())) return;
    await new Promise((resolve) => setImmediate(resolve));
  }
  assert.fail(`the queue never reached the state: ${JSON.stringify(queue.statistics())}`);
}


describe('process-scope Queue, in one process', () => {
  test('FIFO; qsize, empty, full and getNowait agree after every step', T, () => {
    const queue = new Queue<number>(3);
    assert.equal(queue.maxsize, 3);
    for (let round = 0; round < 2; round++) {
      for (let i = 1; i <= 3; i++) {
        queue.putNowait(i * 111);
        assert.equal(queue.qsize(), i);
        assert.equal(queue.empty(), false);
        assert.equal(queue.full(), i === 3);
      }
      assert.deepEqual([queue.getNowait(), queue.getNowait(), queue.getNowait()], [111, 222, 333]);
      assert.equal(queue.empty(), true);
      assert.throws(() => queue.getNowait(), Empty);
    }
  });

  test('unbounded puts (one-way) are counted at once by this thread', T, async () => {
    const queue = new Queue<number>();
    for (let i = 0; i < 100; i++) queue.putSync(i);
    await queue.put(100);
    queue.putNowait(101);
    assert.equal(queue.qsize(), 102);
    for (let i = 0; i < 102; i++) assert.equal(queue.getNowait(), i);
  });

  test('Full carries the item; put and putSync time out with Full and add nothing', T, async () => {
    const queue = new Queue<unknown>(1);
    queue.putNowait('a');
    const item = { big: 'item' };
    assert.throws(() => queue.putNowait(item), (e: unknown) => e instanceof Full && e.item === item);
    await assert.rejects(queue.put(item, { timeout: 30 }), (e: unknown) => e instanceof Full && e.item === item);
    assert.throws(() => queue.putSync(item, { timeout: 30 }), Full);
    assert.equal(queue.qsize(), 1);
    assert.equal(queue.statistics().putters, 0);
  });

  test('get and getSync time out with Empty and leave no getter behind', T, async () => {
    const queue = new Queue<number>();
    await assert.rejects(queue.get({ timeout: 30 }), Empty);
    assert.throws(() => queue.getSync({ timeout: 30 }), Empty);
    await assert.rejects(queue.get({ timeout: 0 }), Empty);
    assert.equal(queue.statistics().getters, 0);
    queue.putNowait(1);
    assert.equal(queue.getNowait(), 1);
  });

  test('JoinableQueue: taskDone and join count every item put', T, async () => {
    const queue = new JoinableQueue<number>();
    assert.equal(await queue.join({ timeout: 0 }), true);
    assert.throws(() => queue.taskDone(), { code: 'ERR_TASK_DONE_TOO_MANY' });
    queue.putNowait(1);
    queue.putNowait(2);
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
  });

  test('shutdown: puts throw ShutDown, gets drain what is left, then throw ShutDown', T, async () => {
    const queue = new Queue<number>();
    queue.putNowait(1);
    queue.putNowait(2);
    queue.shutdown();
    assert.throws(() => queue.putNowait(3), ShutDown);
    await assert.rejects(queue.put(3), ShutDown);
    assert.equal(queue.qsize(), 2);
    assert.equal(queue.getNowait(), 1);
    assert.equal(await queue.get(), 2);
    assert.throws(() => queue.getNowait(), ShutDown);
    await assert.rejects(queue.get(), ShutDown);
    assert.equal(queue.statistics().shutdown, 'yes');
  });

  test('shutdown({ immediate: true }) discards the items, counts them done, and gets throw at once', T, async () => {
    const queue = new JoinableQueue<number>();
    for (const n of [1, 2, 3]) queue.putNowait(n);
    queue.getNowait();
    queue.taskDone();
    const joined = queue.join();
    queue.shutdown({ immediate: true });
    assert.equal(await joined, true);
    assert.equal(queue.qsize(), 0);
    assert.throws(() => queue.getNowait(), ShutDown);
    assert.equal(queue.statistics().shutdown, 'immediate');
  });

  test('shutdown wakes a waiting get and a waiting put', T, async () => {
    const empty = new Queue<number>();
    const waitingGet = empty.get();
    await until(empty, (s) => s.getters === 1);
    empty.shutdown();
    await assert.rejects(waitingGet, ShutDown);
    const full = new Queue<number>(1);
    full.putNowait(1);
    const waitingPut = full.put(2);
    await until(full, (s) => s.putters === 1);
    full.shutdown();
    await assert.rejects(waitingPut, ShutDown);
  });

  test('for await … of yields the items and ends at shutdown', T, async () => {
    const queue = new Queue<number>();
    for (const n of [5, 6, 7]) queue.putNowait(n);
    queue.shutdown();
    const got: number[] = [];
    for await (const item of queue) got.push(item);
    assert.deepEqual(got, [5, 6, 7]);
  });

  test('an aborted get takes nothing; an aborted put adds nothing', T, async () => {
    const queue = new Queue<number>();
    const reason = new Error('stop');
    const controller = new AbortController();
    const waiting = queue.get({ signal: controller.signal });
    await until(queue, (s) => s.getters === 1);
    controller.abort(reason);
    await assert.rejects(waiting, (e: unknown) => e === reason);
    await until(queue, (s) => s.getters === 0);
    queue.putNowait(9);
    assert.equal(queue.getNowait(), 9, 'the aborted get took the item');
    const full = new Queue<number>(1);
    full.putNowait(1);
    const putController = new AbortController();
    const putting = full.put(2, { signal: putController.signal });
    await until(full, (s) => s.putters === 1);
    putController.abort(reason);
    await assert.rejects(putting, (e: unknown) => e === reason);
    full.getNowait();
    assert.equal(full.qsize(), 0, 'the aborted put added its item');
    await assert.rejects(full.get({ signal: AbortSignal.abort(reason) }), (e: unknown) => e === reason);
  });

  test('close(): then put and get throw ERR_QUEUE_CLOSED in this wrapper; the queue stays open for others', T, async () => {
    const queue = new Queue<number>();
    queue.putNowait(1);
    queue.close();
    queue.close(); // idempotent
    assert.throws(() => queue.putNowait(2), { code: 'ERR_QUEUE_CLOSED' });
    await assert.rejects(queue.put(2), { code: 'ERR_QUEUE_CLOSED' });
    assert.throws(() => queue.putSync(2), { code: 'ERR_QUEUE_CLOSED' });
    assert.throws(() => queue.getNowait(), { code: 'ERR_QUEUE_CLOSED' });
    const simple = new SimpleQueue<number>();
    simple.close();
    assert.throws(() => simple.putSync(1), { code: 'ERR_QUEUE_CLOSED' });
  });

  test('bad arguments are ERR_INVALID_ARG, and leave the queue as it was', T, async () => {
    for (const maxsize of [-1, 1.5, NaN, '3' as unknown as number, 2 ** 31]) {
      assert.throws(() => new Queue(maxsize), { code: 'ERR_INVALID_ARG' });
    }
    const queue = new JoinableQueue<number>(2);
    queue.putNowait(1);
    await assert.rejects(queue.get({ timeout: -1 }), { code: 'ERR_INVALID_ARG' });
    assert.throws(() => queue.getSync({ timeout: NaN }), { code: 'ERR_INVALID_ARG' });
    await assert.rejects(queue.put(2, { timeout: -5 }), { code: 'ERR_INVALID_ARG' });
    await assert.rejects(queue.join({ timeout: Infinity }), { code: 'ERR_INVALID_ARG' });
    assert.equal(queue.qsize(), 1);
  });

  test('an item that cannot cross fails in put, naming its path, and nothing is enqueued', T, async () => {
    for (const queue of [new Queue<unknown>(), new Queue<unknown>(4)]) {
      assert.throws(() => queue.putNowait({ ok: 1, bad: [() => 1] }), (error: Error & { code?: string }) => {
        assert.equal(error.code, 'ERR_NOT_SERIALIZABLE');
        assert.match(error.message, /item\.bad\[0\]/);
        return true;
      });
      await assert.rejects(queue.put(Symbol('s')), { code: 'ERR_NOT_SERIALIZABLE' });
      // A thread-scope object is shared memory of one process: the wrong scope for a process queue.
      assert.throws(() => queue.putSync({ lock: new Lock() }), { code: 'ERR_WRONG_SCOPE' });
      assert.equal(queue.qsize(), 0);
      assert.equal(queue.statistics().unfinished, 0);
    }
  });

  test('structured values survive the trip', T, () => {
    const queue = new Queue<unknown>();
    const sent = [0, -0, 2 ** 40, 'ü', { a: [1, { b: null }] }, new Map([[1, new Set(['x'])]]), new Date(5), 10n ** 30n, new Uint8Array([1, 2]), 'x'.repeat(100_000)];
    for (const item of sent) queue.putSync(item);
    for (const item of sent) assert.deepStrictEqual(queue.getSync(), item);
  });

  test('SimpleQueue: unbounded FIFO, put never waits', T, async () => {
    const queue = new SimpleQueue<number>();
    for (let i = 0; i < 10; i++) queue.putSync(i);
    await queue.put(10);
    assert.equal(queue.qsize(), 11);
    for (let i = 0; i <= 10; i++) assert.equal(await queue.get(), i);
    assert.equal(queue.empty(), true);
    assert.throws(() => queue.getNowait(), Empty);
  });
});

describe('process-scope Queue, between threads', () => {
  test('a queue passed to a thread is the same queue', T, async () => {
    const input = new Queue<unknown>();
    const output = new Queue<unknown>();
    const echo = start(targets.echo, [input, output]);
    const sent = [1, 'two', { three: new Map([[3, [3n]]]) }, new Set([4])];
    for (const item of sent) await input.put(item);
    for (const item of sent) assert.deepStrictEqual(await output.get({ timeout: 10_000 }), item);
    input.shutdown();
    await joinAll([echo]);
  });

  test('a getter blocked in another thread is woken by a put here; a blocked putter by a get', T, async () => {
    const queue = new Queue<number>(1);
    const out = new SharedArray('i', 2);
    const getter = start(targets.getOne, [queue, out, 0, false]);
    await until(queue, (s) => s.getters === 1);
    queue.putNowait(42);
    await joinAll([getter]);
    assert.equal(out.get(0), 42);
    queue.putNowait(1);
    const putter = start(targets.putOne, [queue, 2, out, 1]);
    await until(queue, (s) => s.putters === 1);
    assert.equal(queue.getNowait(), 1);
    await joinAll([putter]);
    assert.equal(out.get(1), 1);
    assert.equal(queue.getNowait(), 2);
  });

  test('shutdown reaches getters and putters blocked in other threads', T, async () => {
    const empty = new Queue<number>();
    const out = new SharedArray('i', 4);
    const getters = [start(targets.getOne, [empty, out, 0, false]), start(targets.getOne, [empty, out, 1, true])];
    await until(empty, (s) => s.getters === 2);
    empty.shutdown();
    await joinAll(getters);
    assert.deepEqual(out.toArray().slice(0, 2), [-1, -1]);
  });

  test('join in one thread waits for taskDone in another', T, async () => {
    const queue = new JoinableQueue<number>();
    const release = new Event();
    for (let i = 0; i < 3; i++) queue.putNowait(i);
    const worker = start(targets.takeAndFinishLater, [queue, 3, release]);
    assert.equal(await queue.join({ timeout: 50 }), false);
    release.set();
    assert.equal(await queue.join({ timeout: 10_000 }), true);
    await joinAll([worker]);
  });

  for (const bound of [0, 8]) {
    test(`MPMC between threads: 2 producers, 2 consumers, 4000 items, maxsize ${bound}`, { timeout: 120_000 }, async () => {
      const count = 4000;
      const queue = new JoinableQueue<number>(bound);
      const seen = new SharedArray('i', count);
      const sums = new SharedArray('d', 2);
      const consuming = [0, 1].map((i) => start(targets.consumeAll, [queue, seen, sums, i, i === 1]));
      const producing = [0, 1].map((p) => start(targets.produceRange, [queue, p, count / 2, 2, p === 1]));
      await joinAll(producing);
      assert.equal(await queue.join({ timeout: 60_000 }), true);
      queue.shutdown();
      await joinAll(consuming);
      const wrong = seen.toArray().findIndex((n) => n !== 1);
      assert.equal(wrong, -1, `item ${wrong} was delivered ${seen.get(wrong)} times`);
      assert.equal(sums.toArray().reduce((a, b) => a + b, 0), (count * (count - 1)) / 2);
    });
  }

  test('SimpleQueue between threads', T, async () => {
    const queue = new SimpleQueue<number>();
    const out = new SharedArray('i', 1);
    const getter = start(targets.getOne, [queue, out, 0, true]);
    queue.putSync(7);
    await joinAll([getter]);
    assert.equal(out.get(0), 7);
  });
});
