/**
 * A process-scope SharedArray's numbers migrate to the child process using
 * them, as a Value's do (backends/hub/value-ownership.ts, value-cell.ts,
 * value-owner-link.ts): no add or write is lost whoever uses it, any
 * process reads the latest numbers (an idle owner hands them back, an
 * exiting one too), and a killed owner loses nothing it told anyone of.
 */
import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { joinAll, noChildLeft, startProcess } from '../helpers/child-processes.js';
import { Barrier } from '../../src/multiprocessing/barrier.js';
import { Event } from '../../src/multiprocessing/event.js';
import { Queue } from '../../src/multiprocessing/queue.js';
import { SharedArray } from '../../src/multiprocessing/shared-array.js';
import * as targets from '../fixtures/mp-array-targets.js';

const T = { timeout: 180_000 };
const WAIT = { timeout: 120_000 };
afterEach(noChildLeft);

test('2 processes add 1 around a 7-element array, 70,000 times each, while the root reads and adds: every element is exact', T, async () => {
  const count = 70_000;
  const array = new SharedArray('i', 7);
  const start = new Barrier(3);
  const children = [0, 1].map(() => startProcess(targets.addAround, [array, count, start]));
  await start.wait(WAIT);
  for (let i = 0; i < 20; i++) array.add(i % 7, 0);
  array.add(3, 5);
  await joinAll(children);
  assert.deepEqual(array.toArray(), [20_000, 20_000, 20_000, 20_005, 20_000, 20_000, 20_000]);
});

test('2 processes write their own halves: each reads back its writes, the root reads both', T, async () => {
  const array = new SharedArray('d', 20);
  const start = new Barrier(3);
  const children = [0, 10].map((from) => startProcess(targets.writeOwn, [array, from, 10, 50, start]));
  await start.wait(WAIT);
  await joinAll(children);
  assert.deepEqual(array.toArray(), Array.from({ length: 20 }, (_, i) => 49_000 + i));
});

test('an idle child that owns the numbers hands them back when the root reads; the root\'s writes reach it', T, async () => {
  const array = new SharedArray('b', 5);
  const said = new Queue<number[]>();
  const end = new Event();
  const child = startProcess(targets.fillThenIdle, [array, said, end]);
  assert.deepEqual(await said.get(WAIT), [1, 3, 5, 7, 9]);
  assert.deepEqual(array.toArray(), [1, 3, 5, 7, 9]);
  assert.equal(array.get(-1), 9);
  array.set(4, 127);
  assert.equal(array.add(4, 1), -128);
  end.set();
  await joinAll([child]);
  assert.deepEqual(array.toArray(), [1, 3, 5, 7, -128]);
});

test('a child that owns the numbers, adds, says so through an Event and is killed (SIGKILL): no add is lost', T, async () => {
  const array = new SharedArray('i', [0, 5, 0]);
  const said = new Event();
  const never = new Event();
  const child = startProcess(targets.addSayAndHang, [array, 3000, said, never]);
  assert.equal(await said.wait(WAIT), true);
  child.kill();
  assert.equal(await child.join(WAIT), true);
  assert.equal(child.exitcode, -9);
  assert.deepEqual(array.toArray(), [3000, 5, 6000]);
});
