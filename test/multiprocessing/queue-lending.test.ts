/**
 * Lent queue items (backends/hub/queue.ts, queue-lending.ts, lent-ring.ts):
 * a child consumer's gets are answered with a batch lent to its process.
 * What a user relies on, whatever was lent where: a consumer that stops
 * getting half-way strands nothing (its process gives the rest back when
 * another getter waits), no item is delivered twice, each producer's items
 * arrive in order, a killed consumer's untaken items come back in order,
 * and `qsize()` counts lent, untaken items as in the queue.
 */
import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { joinAll, noChildLeft, startProcess } from '../helpers/child-processes.js';
import { Event } from '../../src/multiprocessing/event.js';
import { JoinableQueue } from '../../src/multiprocessing/joinable-queue.js';
import { Queue } from '../../src/multiprocessing/queue.js';
import * as targets from '../fixtures/mp-lending-targets.js';

const T = { timeout: 180_000 };
const WAIT = { timeout: 120_000 };
afterEach(noChildLeft);

/** Each producer's items, in the order `list` holds them, must be in put order. */
function assertProducerOrder(list: [number, number][], what: string): void {
  for (const producer of [0, 1]) {
    const mine = list.filter(([p]) => p === producer).map(([, i]) => i);
    assert.deepEqual(mine, [...mine].sort((a, b) => a - b), `${what}: producer ${producer}'s items overtook each other`);
  }
}

test('2 producers, 2 consumers that stop getting half-way: the parent gets the rest; nothing stranded, nothing doubled', T, async () => {
  const perProducer = 3000;
  const queue = new Queue<[number, number]>();
  const report = new Queue<[number, number][]>();
  const end = new Event();
  const producers = [0, 1].map((p) => startProcess(targets.produceTagged, [queue, p, perProducer]));
  // Together the consumers take half of what is put, then idle holding whatever their processes were lent.
  const consumers = [false, true].map((useAsync) => startProcess(targets.takeSomeThenIdle<[number, number]>, [queue, perProducer / 2, report, end, useAsync]));
  await joinAll(producers);
  const taken = [await report.get(WAIT), await report.get(WAIT)];
  // The consumers are alive and idle: the rest reach this getter (recalled from their processes).
  const rest: [number, number][] = [];
  for (let i = 0; i < perProducer; i++) rest.push(await queue.get(WAIT));
  assert.equal(queue.qsize(), 0, 'nothing left lent or queued');
  end.set();
  await joinAll(consumers);
  const seen = [new Uint8Array(perProducer), new Uint8Array(perProducer)];
  for (const [p, i] of [...taken.flat(), ...rest]) seen[p][i]++;
  for (const p of [0, 1]) {
    const wrong = seen[p].findIndex((n) => n !== 1);
    assert.equal(wrong, -1, `producer ${p}'s item ${wrong} was delivered ${seen[p][wrong]} times`);
  }
  const checksum = [...taken.flat(), ...rest].reduce((sum, [p, i]) => sum + p * perProducer + i, 0);
  assert.equal(checksum, (2 * perProducer * (2 * perProducer - 1)) / 2);
  taken.forEach((list, c) => assertProducerOrder(list, `consumer ${c}`));
  assertProducerOrder(rest, 'the parent');
});

test('a consumer killed with lent items: the items it did not take come back, in order', T, async () => {
  const count = 1000;
  const queue = new Queue<number>();
  for (let i = 0; i < count; i++) queue.putSync(i);
  const report = new Queue<number[]>();
  const never = new Event();
  const consumer = startProcess(targets.takeSomeThenWait, [queue, 10, report, never]);
  assert.deepEqual(await report.get(WAIT), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  // Lent and not taken still counts as in the queue.
  assert.equal(queue.qsize(), count - 10);
  consumer.kill();
  assert.equal(await consumer.join(WAIT), true);
  const rest: number[] = [];
  for (let i = 10; i < count; i++) rest.push(await queue.get(WAIT));
  assert.deepEqual(rest, Array.from({ length: count - 10 }, (_, i) => i + 10));
  assert.equal(queue.qsize(), 0);
});

test('a getter in another process is served while a first consumer holds a lent batch and idles', T, async () => {
  const count = 200;
  const queue = new Queue<number>();
  const report = new Queue<number[]>();
  const end = new Event();
  const producer = startProcess(targets.produceNumbers, [queue, 0, count]);
  await joinAll([producer]);
  const first = startProcess(targets.takeSomeThenIdle<number>, [queue, 1, report, end, false]);
  assert.deepEqual(await report.get(WAIT), [0]);
  // The first consumer's process was lent the rest; it idles. The second gets every one of them, in order.
  const second = startProcess(targets.takeSomeThenIdle<number>, [queue, count - 1, report, end, true]);
  assert.deepEqual(await report.get(WAIT), Array.from({ length: count - 1 }, (_, i) => i + 1));
  end.set();
  await joinAll([first, second]);
  assert.equal(queue.qsize(), 0);
});

test("a consumer's exit gives back what it was lent and did not take, before its parent's join returns", T, async () => {
  const count = 500;
  const queue = new Queue<number>();
  for (let i = 0; i < count; i++) queue.putSync(i);
  const report = new Queue<number[]>();
  const end = new Event();
  end.set();
  const consumer = startProcess(targets.takeSomeThenIdle<number>, [queue, 3, report, end, false]);
  await joinAll([consumer]);
  assert.deepEqual(await report.get(WAIT), [0, 1, 2]);
  assert.equal(queue.qsize(), count - 3);
  for (let i = 3; i < count; i++) assert.equal(queue.getNowait(), i);
});

test("JoinableQueue: a consumer's taskDone for items it got is one-way, and join() returns only once every one has arrived", T, async () => {
  const count = 100;
  const queue = new JoinableQueue<number>();
  for (let i = 0; i < count; i++) queue.putSync(i);
  const report = new Queue<string>();
  const finish = new Event();
  const consumer = startProcess(targets.takeThenFinish, [queue, count, report, finish]);
  assert.equal(await report.get(WAIT), 'got');
  // Every item was taken, none marked done.
  assert.equal(queue.qsize(), 0);
  assert.equal(await queue.join({ timeout: 0 }), false);
  assert.equal(queue.statistics().unfinished, count);
  finish.set();
  assert.equal(await report.get(WAIT), 'ERR_TASK_DONE_TOO_MANY');
  assert.equal(await queue.join(WAIT), true);
  assert.equal(queue.statistics().unfinished, 0);
  await joinAll([consumer]);
});
