/**
 * Process-scope queues between processes: each child has its own link to
 * the hub. Exactly-once delivery with 2 producer and 2 consumer processes
 * (every item checked), no item lost with a producer that exits right after
 * putting (CPython loses them: python-semantics.md §1.4), no item taken by a
 * consumer killed while it waits in get, and the misuse errors raised in the
 * caller.
 */
import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { Process } from '../../src/runner/process.js';
import { activeChildren } from '../../src/runner/current-process.js';
import { JoinableQueue } from '../../src/multiprocessing/joinable-queue.js';
import { Queue } from '../../src/multiprocessing/queue.js';
import { SimpleQueue } from '../../src/multiprocessing/simple-queue.js';
import * as targets from '../fixtures/mp-queue-targets.js';

const T = { timeout: 180_000 };
const WAIT = { timeout: 120_000 };
afterEach(() => {
  const left = activeChildren();
  for (const child of left) child.kill();
  assert.deepEqual(left.map((c) => c.name), [], 'processes left running after the test');
});

function startProcess<A extends unknown[]>(target: (...args: A) => unknown, args: A): Process<A> {
  const child = new Process<A>({ target, args });
  child.start();
  return child;
}

async function joinAll(children: Process[]): Promise<void> {
  for (const child of children) {
    assert.equal(await child.join(WAIT), true, `${child.name} did not end`);
    assert.equal(child.error, undefined, `${child.name} threw: ${child.error?.stack}`);
    assert.equal(child.exitcode, 0, `${child.name} exit code`);
  }
}

for (const bound of [0, 16]) {
  test(`MPMC across processes: 2 producers, 2 consumers, 4000 items, maxsize ${bound}, each delivered once`, T, async () => {
    const count = 4000;
    const queue = new JoinableQueue<number>(bound);
    const report = new Queue<number[]>();
    const consumers = [true, false].map((useAsync) => startProcess(targets.consumeNumbers, [queue, report, useAsync]));
    // Producer p puts p, p + 2, p + 4, …: together every number below count once.
    const producers = [0, 1].map((p) => startProcess(targets.produceNumbers, [queue, p, count / 2, 2, p === 1]));
    await joinAll(producers);
    assert.equal(await queue.join(WAIT), true, 'every item was marked done');
    queue.shutdown();
    const lists = [await report.get(WAIT), await report.get(WAIT)];
    await joinAll(consumers);
    const seen = new Uint8Array(count);
    for (const n of lists.flat()) seen[n]++;
    const wrong = seen.findIndex((n) => n !== 1);
    assert.equal(wrong, -1, `item ${wrong} was delivered ${seen[wrong]} times`);
    assert.equal(lists.flat().reduce((a, b) => a + b, 0), (count * (count - 1)) / 2);
    // Each producer's own items arrive in the order it put them, at each consumer.
    for (const list of lists) {
      for (const parity of [0, 1]) {
        const mine = list.filter((n) => n % 2 === parity);
        assert.deepEqual(mine, [...mine].sort((a, b) => a - b), 'a producer\'s items overtook each other');
      }
    }
    assert.equal(queue.qsize(), 0);
  });
}

test('a producer that exits right after putting 1000 items loses none', T, async () => {
  for (const queue of [new Queue<number>(), new Queue<number>(2000)]) {
    const producer = startProcess(targets.putAndExit, [queue, 1000]);
    await joinAll([producer]);
    assert.equal(queue.qsize(), 1000);
    for (let i = 0; i < 1000; i++) assert.equal(queue.getNowait(), i);
  }
});

test('a producer of an undrained queue exits without waiting for a consumer (no join deadlock)', T, async () => {
  const queue = new Queue<string>();
  const big = 'x'.repeat(1 << 20);
  const producer = startProcess(targets.putAndExitBig, [queue, big, 4]);
  await joinAll([producer]);
  for (let i = 0; i < 4; i++) assert.equal((await queue.get(WAIT)).length, big.length);
});

test('a consumer killed while it waits in get takes nothing', T, async () => {
  const queue = new Queue<number>();
  const ready = new SimpleQueue<string>();
  const consumer = startProcess(targets.getForever, [queue, ready]);
  assert.equal(await ready.get(WAIT), 'waiting');
  // Its get is in the hub once the hub counts it.
  const deadline = performance.now() + 60_000;
  while (queue.statistics().getters === 0 && performance.now() < deadline) await new Promise((resolve) => setImmediate(resolve));
  assert.equal(queue.statistics().getters, 1);
  consumer.kill();
  await consumer.join(WAIT);
  assert.ok(consumer.exitcode !== null && consumer.exitcode < 0, `exit code ${consumer.exitcode}`);
  queue.putNowait(99);
  assert.equal(queue.getNowait(), 99, 'the item went to the dead consumer');
  assert.equal(queue.statistics().getters, 0);
});

test('close() in a child: its puts throw ERR_QUEUE_CLOSED there; what it put before is delivered', T, async () => {
  const queue = new Queue<number>();
  const report = new SimpleQueue<string>();
  const child = startProcess(targets.closeThenPut, [queue, report]);
  assert.equal(await report.get(WAIT), 'ERR_QUEUE_CLOSED');
  await joinAll([child]);
  assert.equal(queue.getNowait(), 1);
  assert.equal(queue.qsize(), 0);
});

test('an item that cannot cross fails in the child\'s put, and nothing is enqueued', T, async () => {
  const queue = new Queue<unknown>(4);
  const report = new SimpleQueue<string>();
  const child = startProcess(targets.putUnsendable, [queue, report]);
  assert.equal(await report.get(WAIT), 'ERR_NOT_SERIALIZABLE ERR_NOT_SERIALIZABLE');
  await joinAll([child]);
  assert.equal(queue.qsize(), 0);
});

test('a SimpleQueue and a bounded Queue carry items both ways between processes', T, async () => {
  const input = new Queue<unknown>(2);
  const output = new SimpleQueue<unknown>();
  const echo = startProcess(targets.echoSimple, [input, output]);
  const sent = [1, 'two', { three: new Map([[3, [3n]]]) }, new Set([4]), 'y'.repeat(70_000)];
  for (const item of sent) await input.put(item, WAIT);
  for (const item of sent) assert.deepStrictEqual(await output.get(WAIT), item);
  input.shutdown();
  await joinAll([echo]);
});
