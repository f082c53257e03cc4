/**
 * Room credit of bounded process-scope queues (backends/hub/queue-credits.ts,
 * queue-credit-link.ts, credit-cell.ts): a child producer's puts go one-way
 * on room the hub reserved for its process. What a user relies on: no item
 * lost or delivered twice, each producer's items in order, `maxsize` never
 * passed (observed in the hub and by the consumers), credit held by an idle
 * producer comes back when another wants room, a killed producer's credit
 * comes back, and `JoinableQueue.join()` is exact with one-way `taskDone`s.
 */
import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { joinAll, noChildLeft, startProcess } from '../helpers/child-processes.js';
import { hubCallSync } from '../../src/backends/hub/client.js';
import type { QueueRef } from '../../src/multiprocessing/queue-operations.js';
import type { QueueStat } from '../../src/backends/hub/queue.js';
import { Event } from '../../src/multiprocessing/event.js';
import { JoinableQueue } from '../../src/multiprocessing/joinable-queue.js';
import { Queue } from '../../src/multiprocessing/queue.js';
import { Full } from '../../src/errors.js';
import * as targets from '../fixtures/mp-credit-targets.js';

const T = { timeout: 180_000 };
const WAIT = { timeout: 120_000 };
afterEach(noChildLeft);

/** The queue's state in the hub, credit and peak included. */
function hubStat(queue: Queue<never> | Queue<unknown>): QueueStat {
  return hubCallSync((queue as unknown as { ref: QueueRef }).ref.id, 'stat', []);
}

test('bounded queue, 2 producer and 2 consumer processes: every item once, in producer order, maxsize never passed, puts on credit', T, async () => {
  const perProducer = 4000;
  const maxsize = 64;
  const queue = new Queue<[number, number] | null>(maxsize);
  const credited = new Queue<boolean>();
  const report = new Queue<{ got: [number, number][]; largest: number }>();
  const consumers = [0, 1].map(() => startProcess(targets.consumeUntilNull, [queue, report]));
  const producers = [0, 1].map((p) => startProcess(targets.produceBounded, [queue, p, perProducer, p === 1, credited]));
  let largest = 0;
  while (producers.some((p) => p.isAlive())) {
    largest = Math.max(largest, queue.qsize());
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  await joinAll(producers);
  assert.deepEqual([await credited.get(WAIT), await credited.get(WAIT)], [true, true], 'both producers were granted credit');
  await queue.put(null, WAIT);
  await queue.put(null, WAIT);
  const reports = [await report.get(WAIT), await report.get(WAIT)];
  await joinAll(consumers);
  const seen = [new Uint8Array(perProducer), new Uint8Array(perProducer)];
  let checksum = 0;
  for (const { got } of reports) {
    for (const [p, i] of got) {
      seen[p][i]++;
      checksum += p * perProducer + i;
    }
    for (const producer of [0, 1]) {
      const mine = got.filter(([p]) => p === producer).map(([, i]) => i);
      assert.deepEqual(mine, [...mine].sort((a, b) => a - b), `producer ${producer}'s items overtook each other`);
    }
  }
  for (const p of [0, 1]) {
    const wrong = seen[p].findIndex((n) => n !== 1);
    assert.equal(wrong, -1, `producer ${p}'s item ${wrong} was delivered ${seen[p][wrong]} times`);
  }
  assert.equal(checksum, (2 * perProducer * (2 * perProducer - 1)) / 2);
  const stat = hubStat(queue);
  assert.ok(stat.peak <= maxsize, `the hub held ${stat.peak} items, more than maxsize ${maxsize}`);
  assert.ok(largest <= maxsize && reports.every((r) => r.largest <= maxsize), 'qsize() was seen above maxsize');
  assert.equal(stat.size, 0);
  assert.equal(stat.credit, 0, 'credit of exited producers came back');
});

test('credit held by an idle producer comes back when another process wants the room; putNowait says Full only when it is all used', T, async () => {
  const maxsize = 10;
  const queue = new Queue<number>(maxsize);
  const said = new Queue<boolean>();
  const end = new Event();
  const producer = startProcess(targets.putOneThenWait, [queue, said, end]);
  assert.equal(await said.get(WAIT), true, 'the producer was granted credit');
  const before = hubStat(queue);
  assert.equal(before.size, 1);
  assert.ok(before.credit > 0, 'room is reserved for the producer');
  assert.equal(queue.full(), false, 'full() counts items, as Python\'s does');
  // The root fills the rest: past the free room, the producer's credit is recalled and the room is the root's.
  for (let i = 0; i < maxsize - 1; i++) queue.putNowait(i);
  assert.throws(() => queue.putNowait(99), Full);
  const after = hubStat(queue);
  assert.deepEqual([after.size, after.credit, after.peak], [maxsize, 0, maxsize]);
  assert.equal(queue.full(), true);
  end.set();
  await joinAll([producer]);
});

test('a producer killed while holding credit gives the room back', T, async () => {
  const maxsize = 10;
  const queue = new Queue<number>(maxsize);
  const said = new Queue<boolean>();
  const never = new Event();
  const producer = startProcess(targets.putOneThenWait, [queue, said, never]);
  assert.equal(await said.get(WAIT), true, 'the producer was granted credit');
  assert.ok(hubStat(queue).credit > 0);
  producer.kill();
  assert.equal(await producer.join(WAIT), true);
  // Whether the hub has heard of the death yet or not, the room is the root's.
  for (let i = 0; i < maxsize - 1; i++) await queue.put(i, WAIT);
  assert.throws(() => queue.putNowait(99), Full);
  const stat = hubStat(queue);
  assert.deepEqual([stat.size, stat.credit], [maxsize, 0]);
  const got: number[] = [];
  for (let i = 0; i < maxsize; i++) got.push(queue.getNowait());
  assert.deepEqual(got, [1, 0, 1, 2, 3, 4, 5, 6, 7, 8]);
});

test('a putter waiting in the hub is served before an idle producer\'s credit could be used again (FIFO)', T, async () => {
  const maxsize = 8;
  const queue = new Queue<number>(maxsize);
  const said = new Queue<boolean>();
  const end = new Event();
  const producer = startProcess(targets.putOneThenWait, [queue, said, end]);
  assert.equal(await said.get(WAIT), true);
  for (let i = 0; i < maxsize - 1; i++) await queue.put(100 + i, WAIT);
  // Full now (the producer's credit came back to make that room); a waiting putter gets the next room.
  const waiting = queue.put(200, WAIT);
  assert.equal(queue.getNowait(), 1);
  await waiting;
  assert.equal(hubStat(queue).credit, 0, 'no credit was granted while a putter waited');
  const rest: number[] = [];
  for (let i = 0; i < maxsize; i++) rest.push(queue.getNowait());
  assert.deepEqual(rest, [100, 101, 102, 103, 104, 105, 106, 200]);
  end.set();
  await joinAll([producer]);
});

test('JoinableQueue bounded, 2 producers and 2 workers: join() returns once every task is marked, exactly', T, async () => {
  const perProducer = 2000;
  const queue = new JoinableQueue<number | null>(32);
  const report = new Queue<number>();
  const workers = [0, 1].map(() => startProcess(targets.workUntilNull, [queue, report]));
  const producers = [0, 1].map((p) => startProcess(targets.produceJobs, [queue, p * perProducer, perProducer]));
  await joinAll(producers);
  assert.equal(await queue.join(WAIT), true);
  const stat = hubStat(queue);
  assert.deepEqual([stat.size, stat.unfinished], [0, 0]);
  await queue.put(null, WAIT);
  await queue.put(null, WAIT);
  const sums = [await report.get(WAIT), await report.get(WAIT)];
  await joinAll(workers);
  const n = 2 * perProducer;
  assert.equal(sums[0] + sums[1], (n * (n - 1)) / 2, 'every job was worked once');
});

test('JoinableQueue: a worker that marks its last tasks and exits at once — join() does not hang; a killed worker\'s unmarked task keeps join() waiting', T, async () => {
  const count = 500;
  const queue = new JoinableQueue<number | null>(16);
  const producer = startProcess(targets.produceJobs, [queue, 0, count]);
  const worker = startProcess(targets.takeMarkAndExit, [queue, count]);
  const joined = queue.join(WAIT);
  await joinAll([producer, worker]);
  assert.equal(await joined, true);
  assert.equal(hubStat(queue).unfinished, 0);
  // One more task, got by a worker that is killed before it marks it: it stays unfinished, as in Python.
  await queue.put(7, WAIT);
  const said = new Queue<boolean>();
  const never = new Event();
  const idle = startProcess(targets.putOneThenWait, [queue as unknown as Queue<number>, said, never]);
  await said.get(WAIT);
  idle.kill();
  await idle.join(WAIT);
  assert.equal(hubStat(queue).unfinished, 2);
  assert.equal(await queue.join({ timeout: 50 }), false);
  queue.getNowait();
  queue.getNowait();
  queue.taskDone();
  queue.taskDone();
  assert.equal(await queue.join(WAIT), true);
});
