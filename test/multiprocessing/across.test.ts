/**
 * The process-scope primitives shared across threads (each a client of the
 * root's link) and across processes (each with its own link to the hub):
 * one suite, run over both. Cases follow CPython's lock_tests and
 * _test_multiprocessing, plus weft's robustness rule: a holder that dies —
 * even by SIGKILL — releases its lock, and the next owner is told.
 */
import { afterEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Process } from '../../src/runner/process.js';
import { activeChildren } from '../../src/runner/current-process.js';
import { Barrier } from '../../src/multiprocessing/barrier.js';
import { Condition } from '../../src/multiprocessing/condition.js';
import { Event } from '../../src/multiprocessing/event.js';
import { Lock } from '../../src/multiprocessing/lock.js';
import { RLock } from '../../src/multiprocessing/rlock.js';
import { Semaphore } from '../../src/multiprocessing/semaphore.js';
import { SharedArray } from '../../src/multiprocessing/shared-array.js';
import { Value } from '../../src/multiprocessing/value.js';
import { waitForWaiters } from '../../src/testing/index.js';
import { checkNoThreadsLeft } from '../helpers/leaks.js';
import { joinAll, runners } from '../helpers/workers.js';
import * as targets from '../fixtures/mp-sync-targets.js';

const T = { timeout: 120_000 };
const WAIT = { timeout: 60_000 };
checkNoThreadsLeft();
afterEach(() => {
  const left = activeChildren();
  for (const child of left) child.kill();
  assert.deepEqual(left.map((c) => c.name), [], 'processes left running after the test');
});

for (const [scope, runner] of runners) {
  describe(`process-scope primitives across ${scope}`, () => {
    for (const [name, make] of [['Lock', () => new Lock()], ['RLock', () => new RLock()]] as const) {
      test(`${name} excludes: read-modify-write under it loses no update`, T, async () => {
        const lock = make();
        const counter = new Value('i', 0, { lock: false });
        const workers = [true, false].map((useAsync) => runner.start(targets.incrementUnderLock, [lock, counter, 100, useAsync]));
        await targets.incrementUnderLock(lock, counter, 100, true);
        await joinAll(workers);
        assert.equal(counter.value, 300);
      });

      test(`${name}: a holder that ends holding it releases it; the next acquirer sees ownerDied`, T, async () => {
        const lock = make();
        await joinAll([runner.start(targets.acquireAndReturn, [lock])]);
        assert.equal(await lock.acquire({ timeout: 10_000 }), true);
        assert.equal(lock.ownerDied, true);
        if (lock instanceof RLock) assert.equal(lock.statistics().depth, 1, 'inherited at depth 1');
        lock.release();
        assert.equal(lock.locked(), false);
      });
    }

    test('Event: set releases waiters elsewhere', T, async () => {
      const event = new Event();
      const results = new SharedArray('i', 2);
      const workers = [true, false].map((useAsync, slot) => runner.start(targets.waitForEvent, [event, results, slot, useAsync]));
      await waitForWaiters(event, 2, WAIT);
      event.set();
      await joinAll(workers);
      assert.deepEqual(results.toArray(), [1, 1]);
    });

    test('Barrier: three parties, distinct indices, then it is ready again', T, async () => {
      const barrier = new Barrier(3);
      const results = new SharedArray('i', 2);
      const workers = [true, false].map((useAsync, slot) => runner.start(targets.waitAtBarrier, [barrier, results, slot, useAsync]));
      await waitForWaiters(barrier, 2, WAIT);
      const mine = await barrier.wait();
      await joinAll(workers);
      assert.deepEqual([mine, ...results.toArray().map((r) => r - 1)].sort(), [0, 1, 2]);
      assert.equal(barrier.nWaiting, 0);
    });

    test('Barrier: abort breaks it for waiters elsewhere', T, async () => {
      const barrier = new Barrier(3);
      const results = new SharedArray('i', 1);
      const worker = runner.start(targets.waitAtBarrier, [barrier, results, 0, true]);
      await waitForWaiters(barrier, 1, WAIT);
      barrier.abort();
      await joinAll([worker]);
      assert.deepEqual(results.toArray(), [-1]);
      assert.equal(barrier.broken, true);
    });

    test('Condition: consumers elsewhere wait for stock; notify wakes exactly as many', T, async () => {
      const cond = new Condition(new Lock());
      const stock = new Value('i', 0);
      const got = new Value('i', 0);
      const workers = [true, false].map((useAsync) => runner.start(targets.consume, [cond, stock, got, useAsync]));
      await waitForWaiters(cond, 2, WAIT);
      await cond.withLock(() => { stock.value = 1; cond.notify(1); });
      await cond.withLock(() => { stock.value += 1; cond.notify(1); });
      await joinAll(workers);
      assert.equal(got.value, 2);
      assert.equal(stock.value, 0);
    });

    test('Semaphore: release(2) wakes two waiters elsewhere', T, async () => {
      const sem = new Semaphore(0);
      const taken = new Value('i', 0);
      const workers = [true, false].map((useAsync) => runner.start(targets.takePermit, [sem, taken, useAsync]));
      await waitForWaiters(sem, 2, WAIT);
      sem.release(2);
      await joinAll(workers);
      assert.equal(taken.value, 2);
      assert.equal(sem.statistics().value, 0);
    });

    test('Value: add is atomic across callers', T, async () => {
      const value = new Value('i', 0);
      const workers = [0, 1].map(() => runner.start(targets.addMany, [value, 200]));
      targets.addMany(value, 200);
      await joinAll(workers);
      assert.equal(value.value, 600);
    });
  });
}

describe('process-scope locks and killed processes', () => {
  for (const [name, make] of [['Lock', () => new Lock()], ['RLock', () => new RLock()]] as const) {
    test(`${name}: a process killed while holding it: the next acquirer in another process gets it, ownerDied`, T, async () => {
      const lock = make();
      const held = new Event();
      const holder = new Process({ target: targets.holdLockUntilKilled, args: [lock, held] });
      holder.start();
      assert.equal(await held.wait(WAIT), true);
      const waiter = lock.acquire({ timeout: 60_000 });
      await waitForWaiters(lock, 1, WAIT);
      holder.kill();
      assert.equal(await waiter, true);
      assert.equal(lock.ownerDied, true);
      if (lock instanceof RLock) assert.equal(lock.statistics().depth, 1);
      lock.release();
      await holder.join(WAIT);
      assert.equal(holder.exitcode, -9);
    });
  }

  test('the pending wait of a killed process is cancelled: it never takes the lock', T, async () => {
    const lock = new Lock();
    lock.acquireSync();
    const waiter = new Process({ target: targets.waitForLock, args: [lock] });
    waiter.start();
    await waitForWaiters(lock, 1, WAIT);
    waiter.kill();
    await waiter.join(WAIT);
    // The hub drops the dead process's wait; whenever it notices, the lock never goes to it.
    lock.release();
    assert.equal(await lock.acquire({ timeout: 10_000 }), true);
    assert.equal(lock.ownerDied, false, 'the lock went to the dead waiter');
    assert.equal(lock.statistics().waiting, 0);
    lock.release();
  });
});
