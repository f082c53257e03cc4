/**
 * Queues between threads: the same queue on both sides, exactly-once
 * delivery under many producers and consumers (checksums), waits woken
 * across threads, shutdown reaching threads, and no item lost with a
 * consumer that dies while it waits.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LifoQueue, PriorityQueue, Queue, SimpleQueue } from '../../src/queue.js';
import { Event, SharedArray, Thread } from '../../src/threading.js';
import { waitForWaiters } from '../../src/testing/index.js';
import { checkNoThreadsLeft } from '../helpers/leaks.js';
import { joinAll, start } from '../helpers/threads.js';
import * as targets from '../fixtures/queue-targets.js';

const T = { timeout: 120_000 };
checkNoThreadsLeft();

/** P producers and C consumers move `count` items; each must arrive exactly once. */
async function stress(make: () => Queue<number>, producers: number, consumers: number, count: number): Promise<void> {
  const queue = make();
  const seen = new SharedArray('i', count);
  const sums = new SharedArray('d', consumers);
  const consuming = Array.from({ length: consumers }, (_, i) => start(targets.consumeAll, [queue, seen, sums, i, i % 2 === 1]));
  const perProducer = count / producers;
  // Producer p puts p, p + P, p + 2P, …: together, every number below count once.
  const producing = Array.from({ length: producers }, (_, p) => start(targets.produceRange, [queue, p, perProducer, producers, p % 2 === 1]));
  await joinAll(producing);
  assert.equal(await queue.join({ timeout: 60_000 }), true, 'every item was marked done');
  queue.shutdown();
  await joinAll(consuming);
  const deliveries = seen.toArray();
  const wrong = deliveries.findIndex((n) => n !== 1);
  assert.equal(wrong, -1, `item ${wrong} was delivered ${deliveries[wrong]} times`);
  assert.equal(sums.toArray().reduce((a, b) => a + b, 0), (count * (count - 1)) / 2);
  assert.equal(queue.qsize(), 0);
}

for (let run = 1; run <= 3; run++) {
  test(`MPMC: 2 producers, 2 consumers, 40 000 items, unbounded (run ${run})`, T, () => stress(() => new Queue<number>(), 2, 2, 40_000));
  test(`MPMC: 2 producers, 2 consumers, 40 000 items, maxsize 8 (run ${run})`, T, () => stress(() => new Queue<number>(8), 2, 2, 40_000));
}
test('MPMC: 3 producers, 1 consumer through a LifoQueue, and through a PriorityQueue', T, async () => {
  await stress(() => new LifoQueue<number>(16), 3, 1, 9_000);
  // PriorityQueue items are [priority, value]: exercise it with a bounded echo instead.
  const input = new PriorityQueue<[number, number]>(4);
  const output = new Queue<unknown>();
  const echo = start(targets.echo, [input as unknown as Queue<unknown>, output]);
  for (let i = 0; i < 200; i++) await input.put([i % 7, i]);
  input.shutdown();
  await joinAll([echo]);
  assert.equal(output.qsize(), 200);
});

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
  await waitForWaiters(queue, 1, { timeout: 10_000 });
  queue.putNowait(42);
  await joinAll([getter]);
  assert.equal(out.get(0), 42);
  queue.putNowait(1);
  const putter = start(targets.putOne, [queue, 2, out, 1]);
  await waitForWaiters(queue, 1, { timeout: 10_000 });
  assert.equal(queue.statistics().putters, 1);
  assert.equal(queue.getNowait(), 1);
  await joinAll([putter]);
  assert.equal(out.get(1), 1);
  assert.equal(queue.getNowait(), 2);
});

test('shutdown reaches getters and putters blocked in other threads', T, async () => {
  const empty = new Queue<number>();
  const out = new SharedArray('i', 4);
  const getters = [start(targets.getOne, [empty, out, 0, false]), start(targets.getOne, [empty, out, 1, true])];
  await waitForWaiters(empty, 2, { timeout: 10_000 });
  empty.shutdown();
  await joinAll(getters);
  assert.deepEqual(out.toArray().slice(0, 2), [-1, -1]);
  const full = new Queue<number>(1);
  full.putNowait(0);
  const putter = start(targets.putOne, [full, 5, out, 2]);
  await waitForWaiters(full, 1, { timeout: 10_000 });
  full.shutdown();
  await joinAll([putter]);
  assert.equal(out.get(2), -1);
});

test('join in one thread waits for taskDone in another', T, async () => {
  const queue = new Queue<number>();
  const release = new Event();
  for (let i = 0; i < 3; i++) queue.putNowait(i);
  const worker = start(targets.takeAndFinishLater, [queue, 3, release]);
  assert.equal(await queue.join({ timeout: 50 }), false);
  release.set();
  assert.equal(await queue.join({ timeout: 10_000 }), true);
  await joinAll([worker]);
});

test('SimpleQueue between threads', T, async () => {
  const queue = new SimpleQueue<number>();
  const out = new SharedArray('i', 1);
  const getter = start(targets.getOne, [queue as unknown as Queue<number>, out, 0, true]);
  await waitForWaiters(queue, 1, { timeout: 10_000 });
  queue.putSync(7);
  await joinAll([getter]);
  assert.equal(out.get(0), 7);
});

test('a consumer that dies while it waits takes no item with it', T, async () => {
  const queue = new Queue<number>();
  const ready = new Event();
  // A thread starts a daemon getter blocked in getSync, then returns: the
  // getter is killed mid-wait, with its parent.
  const parent = new Thread({ target: targets.startDaemonGetter, args: [queue, ready] });
  parent.start();
  await parent.join();
  queue.putNowait(99);
  assert.equal(queue.getNowait(), 99, 'the item went to the dead consumer');
  assert.equal(queue.statistics().getters, 0);
});
