/**
 * A process-scope Value's number migrates to the child process using it
 * (backends/hub/value-ownership.ts, value-cell.ts, value-owner-link.ts):
 * what a user relies on is that no add is lost whoever uses it, and that
 * any process reads the latest number — an idle owner hands it back, an
 * exiting one too.
 */
import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { joinAll, noChildLeft, startProcess } from '../helpers/child-processes.js';
import { Barrier } from '../../src/multiprocessing/barrier.js';
import { Event } from '../../src/multiprocessing/event.js';
import { Queue } from '../../src/multiprocessing/queue.js';
import { Value } from '../../src/multiprocessing/value.js';
import * as targets from '../fixtures/mp-value-targets.js';

const T = { timeout: 180_000 };
const WAIT = { timeout: 120_000 };
afterEach(noChildLeft);

test('2 processes add 1, 200,000 times each, while the root reads and adds too: the count is exact', T, async () => {
  const count = 200_000;
  const value = new Value('i', 0);
  const start = new Barrier(3);
  const children = [0, 1].map(() => startProcess(targets.addMany, [value, count, start]));
  await start.wait(WAIT);
  let last = 0;
  for (let i = 0; i < 50; i++) {
    const now = value.add(0);
    assert.ok(now >= last, `the count went back from ${last} to ${now}`);
    last = now;
  }
  value.add(7);
  await joinAll(children);
  assert.equal(value.value, 2 * count + 7);
});

test('2 processes: with the value\'s lock, value = value + 1, 20,000 times each: exact', T, async () => {
  const count = 20_000;
  const value = new Value('i', 0);
  const start = new Barrier(3);
  const children = [0, 1].map(() => startProcess(targets.incrementLocked, [value, count, start]));
  await start.wait(WAIT);
  await joinAll(children);
  assert.equal(value.value, 2 * count);
});

test('an idle child that owns the number hands it back when the root reads; the root\'s writes reach it', T, async () => {
  const value = new Value('d', 0);
  const said = new Queue<number>();
  const end = new Event();
  const child = startProcess(targets.setThenIdle, [value, 1.5, said, end]);
  assert.equal(await said.get(WAIT), 6.5);
  assert.equal(value.value, 6.5);
  value.value = 10;
  assert.equal(value.add(1), 11);
  end.set();
  await joinAll([child]);
  assert.equal(value.value, 11);
});

test('a child that adds and exits at once: every add is counted', T, async () => {
  const value = new Value('i', 0);
  await joinAll([startProcess(targets.addAndExit, [value, 10_000])]);
  assert.equal(value.value, 10_000);
  await joinAll([startProcess(targets.addAndExit, [value, 5_000])]);
  assert.equal(value.value, 15_000);
});

test('a child that owns the number, adds, says so through an Event and is killed (SIGKILL): no add is lost', T, async () => {
  for (const count of [1, 10_000]) {
    const value = new Value('i', 0);
    const said = new Event();
    const never = new Event();
    const child = startProcess(targets.addSayAndHang, [value, count, said, never]);
    assert.equal(await said.wait(WAIT), true);
    child.kill();
    assert.equal(await child.join(WAIT), true);
    assert.equal(child.exitcode, -9);
    assert.equal(value.value, count);
    assert.equal(value.add(1), count + 1);
  }
});

test('a child that owns a float number sets, adds, compare-exchanges, says so through a Queue and is killed: the root reads its last number', T, async () => {
  const value = new Value('d', 7);
  const said = new Queue<number>();
  const never = new Event();
  const child = startProcess(targets.mixSayAndHang, [value, said, never]);
  assert.equal(await said.get(WAIT), 1000.75);
  child.kill();
  assert.equal(await child.join(WAIT), true);
  assert.equal(child.exitcode, -9);
  assert.equal(value.value, 1000.75);
});
