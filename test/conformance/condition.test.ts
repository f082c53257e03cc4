/**
 * Condition, within one thread and across threads.
 *
 * Ported from CPython: `Lib/test/lock_tests.py` (ConditionTests, including
 * `_check_notify`), `Lib/test/test_threading.py` (ConditionAsRLockTests)
 * and `Lib/test/_test_multiprocessing.py` (_TestCondition); each test names
 * its source case. Tweaks: weft's misuse error is ERR_LOCK_NOT_HELD
 * (Python: RuntimeError); CPython sleeps until threads are blocked, weft
 * waits for them with `waitForWaiters` (on the condition for sleepers, on
 * its lock for woken threads waiting to re-acquire); weft wakes sleepers
 * FIFO, which Python does but does not promise, so the order is asserted;
 * weft adds cancellation through an AbortSignal.
 *
 * Async waits in one thread share that thread's identity, so tests with
 * several async sleepers in the main thread use a Condition over a plain
 * Lock (an RLock would let them all in at once, as one owner).
 *
 * The CPython tests ported here are © Python Software Foundation, under the
 * PSF License Agreement (https://docs.python.org/3/license.html); these are
 * rewrites against weft's API, not copies.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Condition, Lock, RLock, Semaphore, SharedArray, Thread, Value } from '../../src/threading.js';
import { waitForWaiters } from '../../src/testing/index.js';
import { checkNoThreadsLeft } from '../helpers/leaks.js';
import { joinAll, start } from '../helpers/threads.js';
import * as targets from '../fixtures/sync-targets.js';

const T = { timeout: 60_000 };
const WAIT = { timeout: 20_000 };
const { True, False } = targets.Outcome;
checkNoThreadsLeft();


/** Takes `n` signals from `done`, failing the test if they do not come. */
async function expectSignals(done: Semaphore, n: number): Promise<void> {
  for (let i = 0; i < n; i++) assert.equal(await done.acquire(WAIT), true, `only ${i} of ${n} signals came`);
}

/** An async sleeper in this thread: takes the lock, waits, records, releases. */
async function sleeper(cond: Condition, log: number[], index: number, options?: { timeout?: number; signal?: AbortSignal }): Promise<boolean> {
  await cond.acquire();
  try {
    const notified = await cond.wait(options);
    log.push(index);
    return notified;
  } finally {
    cond.release();
  }
}

describe('Condition within one thread', () => {
  // lock_tests.ConditionTests.test_acquire; test_threading.ConditionAsRLockTests
  test('the default lock is an RLock; a given Lock is used as is', T, () => {
    const cond = new Condition();
    assert.equal(cond.acquireSync(), true);
    assert.equal(cond.acquireSync({ timeout: 0 }), true, 'the default lock is not re-entrant');
    assert.equal(cond.tryAcquire(), true);
    cond.release();
    cond.release();
    assert.equal(cond.statistics().locked, true);
    cond.release();
    assert.equal(cond.statistics().locked, false);
    assert.throws(() => cond.release(), { code: 'ERR_LOCK_NOT_HELD' });

    const lock = new Lock();
    const overLock = new Condition(lock);
    assert.equal(overLock.acquireSync(), true);
    assert.equal(lock.locked(), true, 'the Condition does not use the Lock it was given');
    assert.equal(overLock.acquireSync({ timeout: 0 }), false, 'a Lock is not re-entrant');
    overLock.release();
    assert.equal(lock.locked(), false);
    lock.acquireSync();
    assert.equal(overLock.tryAcquire(), false);
    lock.release();

    const rlock = new RLock();
    const overRLock = new Condition(rlock);
    overRLock.acquireSync();
    assert.equal(rlock.statistics().depth, 1);
    overRLock.release();
  });

  test('a lock that is not a weft Lock or RLock is ERR_INVALID_ARG', T, () => {
    for (const bad of [{}, 'lock', new Semaphore(1), null]) {
      assert.throws(() => new Condition(bad as unknown as Lock), { code: 'ERR_INVALID_ARG' });
    }
  });

  // lock_tests.ConditionTests.test_unacquired_wait, test_unacquired_notify
  test('wait and notify without holding the lock are ERR_LOCK_NOT_HELD', T, async () => {
    for (const cond of [new Condition(), new Condition(new Lock())]) {
      await assert.rejects(cond.wait(), { code: 'ERR_LOCK_NOT_HELD' });
      assert.throws(() => cond.waitSync({ timeout: 0 }), { code: 'ERR_LOCK_NOT_HELD' });
      await assert.rejects(cond.waitFor(() => false), { code: 'ERR_LOCK_NOT_HELD' });
      assert.throws(() => cond.waitForSync(() => false), { code: 'ERR_LOCK_NOT_HELD' });
      assert.throws(() => cond.notify(), { code: 'ERR_LOCK_NOT_HELD' });
      assert.throws(() => cond.notifyAll(), { code: 'ERR_LOCK_NOT_HELD' });
      assert.equal(cond.statistics().waiting, 0, 'a refused wait was queued');
      assert.equal(cond.statistics().locked, false);
    }
  });

  // lock_tests.ConditionTests.test_timeout
  test('a timed wait returns false after about the timeout and holds the lock again', T, async () => {
    for (const cond of [new Condition(), new Condition(new Lock())]) {
      await cond.acquire();
      let started = performance.now();
      assert.equal(await cond.wait({ timeout: 100 }), false);
      assert.ok(performance.now() - started >= 60, 'async wait returned too early');
      assert.equal(cond.statistics().locked, true);
      started = performance.now();
      assert.equal(cond.waitSync({ timeout: 100 }), false);
      assert.ok(performance.now() - started >= 60, 'sync wait returned too early');
      assert.equal(cond.statistics().locked, true);
      assert.equal(cond.statistics().waiting, 0, 'a timed-out sleeper stayed queued');
      cond.notify(); // still owned: no ERR_LOCK_NOT_HELD
      cond.release();
      assert.equal(cond.statistics().locked, false);
    }
  });

  // test_threading.ConditionAsRLockTests (Condition._release_save / _acquire_restore)
  test('wait releases an RLock held at depth 3 completely and restores depth 3', T, async () => {
    const rlock = new RLock();
    const cond = new Condition(rlock);
    for (let i = 0; i < 3; i++) rlock.acquireSync();
    const waiting = cond.wait();
    assert.equal(rlock.locked(), false, 'wait() left the RLock held');
    assert.equal(cond.statistics().waiting, 1);
    assert.equal(cond.tryAcquire(), true);
    cond.notify();
    cond.release();
    assert.equal(await waiting, true);
    assert.equal(rlock.statistics().depth, 3);
    // The same after a timeout, blocking.
    assert.equal(cond.waitSync({ timeout: 20 }), false);
    assert.equal(rlock.statistics().depth, 3);
    for (let i = 0; i < 3; i++) rlock.release();
    assert.equal(rlock.locked(), false);
  });

  // lock_tests.ConditionTests.test_notify (no waiters), _TestCondition.test_notify
  test('notify with no sleepers is a no-op, and no notification is kept for later', T, async () => {
    const cond = new Condition();
    await cond.acquire();
    cond.notify();
    cond.notify(5);
    cond.notify(0);
    cond.notifyAll();
    assert.equal(cond.waitSync({ timeout: 30 }), false, 'a notification was kept');
    assert.equal(await cond.wait({ timeout: 30 }), false, 'a notification was kept');
    cond.release();
  });

  test('notify(n) needs a whole number n >= 0', T, async () => {
    const cond = new Condition();
    cond.acquireSync();
    for (const bad of [-1, 1.5, NaN]) assert.throws(() => cond.notify(bad), { code: 'ERR_INVALID_ARG' });
    cond.release();
  });

  // lock_tests.ConditionTests._check_notify, with async sleepers in one thread
  test('notify(n) wakes exactly n sleepers, oldest first; notifyAll wakes the rest', T, async () => {
    const cond = new Condition(new Lock());
    const log: number[] = [];
    const sleepers: Promise<boolean>[] = [];
    for (let i = 0; i < 5; i++) {
      sleepers.push(sleeper(cond, log, i));
      await waitForWaiters(cond, i + 1, WAIT);
    }
    await cond.acquire();
    cond.notify(0);
    assert.equal(cond.statistics().waiting, 5);
    cond.notify(2);
    assert.equal(cond.statistics().waiting, 3, 'notify(2) must take exactly 2 sleepers off the queue');
    cond.release();
    await Promise.all(sleepers.slice(0, 2));
    assert.deepEqual([...log].sort(), [0, 1], 'notify(2) must wake the two oldest sleepers');
    await cond.acquire();
    cond.notifyAll();
    assert.equal(cond.statistics().waiting, 0);
    cond.release();
    assert.deepEqual(await Promise.all(sleepers), [true, true, true, true, true]);
    assert.deepEqual([...log].sort(), [0, 1, 2, 3, 4]);
  });

  // lock_tests.ConditionTests.test_waitfor
  test('waitFor returns the predicate\'s (truthy) value, waiting across notifications', T, async () => {
    const cond = new Condition(new Lock());
    let state = 0;
    let calls = 0;
    await cond.acquire();
    assert.equal(await cond.waitFor(() => 'already'), 'already', 'a true predicate must not wait');
    assert.equal(cond.waitForSync(() => 42), 42);
    const waiting = cond.waitFor(() => { calls += 1; return state >= 3 && { state }; });
    for (let i = 1; i <= 3; i++) {
      await waitForWaiters(cond, 1, WAIT);
      await cond.acquire();
      state = i;
      cond.notify();
      cond.release();
    }
    assert.deepEqual(await waiting, { state: 3 });
    assert.equal(calls, 4, 'the predicate is checked once at first and once per wake-up');
    assert.equal(cond.statistics().locked, true, 'waitFor returns holding the lock');
    cond.release();
  });

  // lock_tests.ConditionTests.test_waitfor_timeout
  test('waitFor with a timeout returns the falsy last value after about the timeout', T, async () => {
    const cond = new Condition();
    await cond.acquire();
    let started = performance.now();
    assert.equal(await cond.waitFor(() => 0, { timeout: 100 }), 0);
    assert.ok(performance.now() - started >= 60, 'waitFor returned too early');
    started = performance.now();
    assert.equal(cond.waitForSync(() => null, { timeout: 100 }), null);
    assert.ok(performance.now() - started >= 60, 'waitForSync returned too early');
    assert.equal(cond.waitForSync(() => '', { timeout: 0 }), '');
    assert.equal(cond.statistics().locked, true);
    cond.release();
  });

  // Condition.wait_for: "the timeout is one overall deadline", not one per wake-up
  test('waitFor keeps one deadline however often it is woken', T, async () => {
    const cond = new Condition(new Lock());
    let calls = 0;
    // Notify every 10 ms; a deadline restarted at each wake-up would never pass.
    const nagger = setInterval(() => {
      if (cond.tryAcquire()) {
        cond.notify();
        cond.release();
      }
    }, 10);
    try {
      await cond.acquire();
      const started = performance.now();
      const result = await cond.waitFor(() => { calls += 1; return false; }, { timeout: 300 });
      const elapsed = performance.now() - started;
      cond.release();
      assert.equal(result, false);
      assert.ok(elapsed >= 180, `returned after ${elapsed} ms`);
      assert.ok(elapsed < 10_000, `a 300 ms waitFor took ${elapsed} ms`);
      assert.ok(calls > 2, `the predicate ran ${calls} times: the notifications did not wake it`);
    } finally {
      clearInterval(nagger);
    }
  });

  test('an aborted wait rejects with the reason, holding the lock, and leaves the queue', T, async () => {
    const cond = new Condition();
    await cond.acquire();
    const controller = new AbortController();
    const waiting = cond.wait({ signal: controller.signal });
    assert.equal(cond.statistics().waiting, 1);
    const reason = new Error('cancelled');
    controller.abort(reason);
    await assert.rejects(waiting, (error: unknown) => error === reason);
    assert.equal(cond.statistics().waiting, 0);
    assert.equal(cond.statistics().locked, true, 'the aborted wait did not take the lock back');
    cond.notify(); // owned again: no ERR_LOCK_NOT_HELD
    await assert.rejects(cond.wait({ signal: AbortSignal.abort(reason) }), (error: unknown) => error === reason);
    assert.equal(cond.statistics().locked, true);
    cond.release();
    assert.equal(cond.statistics().locked, false);
  });

  test('an aborted sleeper does not swallow a notification (abort first, then notify)', T, async () => {
    const cond = new Condition(new Lock());
    const log: number[] = [];
    const controller = new AbortController();
    const first = sleeper(cond, log, 0, { signal: controller.signal });
    await waitForWaiters(cond, 1, WAIT);
    const second = sleeper(cond, log, 1);
    await waitForWaiters(cond, 2, WAIT);
    const reason = new Error('gone');
    controller.abort(reason);
    await assert.rejects(first, (error: unknown) => error === reason);
    assert.equal(cond.statistics().waiting, 1);
    await cond.acquire();
    cond.notify(1);
    cond.release();
    assert.equal(await second, true);
    assert.deepEqual(log, [1]);
  });

  test('an aborted sleeper passes on a notification that reached it in the same instant', T, async () => {
    // Forced deterministically: notify(1) grants the first sleeper, and the
    // abort runs in the same tick, before that sleeper's wake-up is delivered.
    const cond = new Condition(new Lock());
    const log: number[] = [];
    const controller = new AbortController();
    const first = sleeper(cond, log, 0, { signal: controller.signal });
    await waitForWaiters(cond, 1, WAIT);
    const second = sleeper(cond, log, 1);
    await waitForWaiters(cond, 2, WAIT);
    const reason = new Error('gone');
    assert.equal(cond.tryAcquire(), true);
    cond.notify(1);
    controller.abort(reason);
    cond.release();
    await assert.rejects(first, (error: unknown) => error === reason);
    assert.equal(await second, true, 'the notification was swallowed by the aborted sleeper');
    assert.deepEqual(log, [1]);
    assert.equal(cond.statistics().waiting, 0);
    assert.equal(cond.statistics().locked, false);
  });

  test('bad timeouts are ERR_INVALID_ARG, before anything changes', T, async () => {
    const cond = new Condition();
    cond.acquireSync();
    for (const timeout of [-1, NaN, Infinity]) {
      await assert.rejects(cond.wait({ timeout }), { code: 'ERR_INVALID_ARG' });
      assert.throws(() => cond.waitSync({ timeout }), { code: 'ERR_INVALID_ARG' });
      await assert.rejects(cond.waitFor(() => false, { timeout }), { code: 'ERR_INVALID_ARG' });
    }
    assert.equal(cond.statistics().waiting, 0);
    assert.equal(cond.statistics().locked, true);
    cond.release();
  });

  test('statistics() and toString() show the lock and the sleepers', T, async () => {
    const cond = new Condition(new Lock());
    assert.deepEqual({ ...cond.statistics() }, { waiting: 0, locked: false });
    assert.equal(String(cond), '<Condition unlocked waiting=0>');
    await cond.acquire();
    assert.equal(String(cond), '<Condition locked waiting=0>');
    const waiting = cond.wait();
    assert.equal(String(cond), '<Condition unlocked waiting=1>');
    await cond.acquire();
    cond.notify();
    cond.release();
    assert.equal(await waiting, true);
    cond.release();
    assert.ok(Object.isFrozen(cond.statistics()));
  });
});

describe('Condition across threads', () => {
  // lock_tests.ConditionTests._check_notify (test_notify), _TestCondition.test_notify
  test('notify(n) wakes exactly n of the sleeping threads, only once the notifier releases', T, async () => {
    const rlock = new RLock();
    const cond = new Condition(rlock);
    const results = new SharedArray('i', 5);
    const order = new SharedArray('i', 6);
    const done = new Semaphore(0);
    const threads: Thread[] = [];
    for (let i = 0; i < 5; i++) threads.push(start(targets.sleepOnCondition, [cond, results, order, i, done, i % 2 === 1]));
    await waitForWaiters(cond, 5, WAIT);

    await cond.acquire();
    cond.notify(3);
    assert.equal(cond.statistics().waiting, 2, 'notify(3) must take exactly 3 sleepers off the queue');
    await waitForWaiters(rlock, 3, WAIT); // the 3 woken threads now wait to re-acquire the lock
    assert.equal(order.get(0), 0, 'a woken thread returned from wait() while the notifier held the lock');
    cond.release();
    await expectSignals(done, 3);
    assert.equal(results.toArray().filter((r) => r === True).length, 3);
    assert.equal(cond.statistics().waiting, 2);

    await cond.withLock(() => cond.notify(1));
    await expectSignals(done, 1);
    assert.equal(results.toArray().filter((r) => r === True).length, 4);
    assert.equal(cond.statistics().waiting, 1);

    await cond.withLock(() => cond.notifyAll());
    await expectSignals(done, 1);
    await joinAll(threads);
    assert.deepEqual(results.toArray(), [True, True, True, True, True]);
    assert.equal(order.get(0), 5);
  });

  test('sleeping threads (sync and async waits) are woken in the order they went to sleep', T, async () => {
    const cond = new Condition();
    const results = new SharedArray('i', 4);
    const order = new SharedArray('i', 5);
    const done = new Semaphore(0);
    const threads: Thread[] = [];
    for (let i = 0; i < 4; i++) {
      threads.push(start(targets.sleepOnCondition, [cond, results, order, i, done, i % 2 === 0]));
      await waitForWaiters(cond, i + 1, WAIT); // asleep before the next one starts
    }
    for (let i = 0; i < 4; i++) {
      await cond.withLock(() => cond.notify());
      await expectSignals(done, 1);
    }
    await joinAll(threads);
    assert.deepEqual(order.toArray(), [4, 0, 1, 2, 3]);
  });

  // lock_tests.ConditionTests.test_timeout, in threads
  test('timed waits in threads return false and hold the lock again', T, async () => {
    const cond = new Condition();
    const results = new SharedArray('i', 2);
    const order = new SharedArray('i', 3);
    const done = new Semaphore(0);
    // sleepOnCondition releases the lock after the wait: ERR_LOCK_NOT_HELD
    // (a thread error) if the wait had returned without it.
    const threads = [
      start(targets.sleepOnCondition, [cond, results, order, 0, done, false, 100]),
      start(targets.sleepOnCondition, [cond, results, order, 1, done, true, 100]),
    ];
    await joinAll(threads);
    assert.deepEqual(results.toArray(), [False, False]);
    assert.equal(cond.statistics().waiting, 0);
    assert.equal(cond.statistics().locked, false);
  });

  // test_threading.ConditionAsRLockTests, with the sleeper in a thread
  for (const useAsync of [false, true]) {
    test(`a thread's ${useAsync ? 'async' : 'blocking'} wait releases its RLock at depth 3 and restores depth 3`, T, async () => {
      const rlock = new RLock();
      const cond = new Condition(rlock);
      const out = new SharedArray('i', 3);
      const thread = start(targets.waitAtDepth, [cond, rlock, 3, out, useAsync]);
      await waitForWaiters(cond, 1, WAIT);
      await cond.acquire(); // possible only once the sleeper released every level
      assert.equal(rlock.statistics().depth, 1);
      assert.equal(rlock.statistics().owner?.name, 'MainThread');
      cond.notify();
      cond.release();
      await joinAll([thread]);
      assert.deepEqual(out.toArray(), [True, 3, 1]);
      assert.equal(rlock.locked(), false);
    });
  }

  // lock_tests.ConditionTests.test_waitfor, _TestCondition.test_waitfor
  test('waitFor in threads returns the predicate\'s value once it holds', T, async () => {
    const cond = new Condition();
    const count = new Value<number>('i', 0);
    const outs = [new Value('i', 0), new Value('i', 0)];
    const threads = [
      start(targets.waitForCount, [cond, count, 3, outs[0], false]),
      start(targets.waitForCount, [cond, count, 3, outs[1], true]),
    ];
    for (let i = 1; i <= 3; i++) {
      await waitForWaiters(cond, 2, WAIT); // both asleep again
      await cond.withLock(() => {
        count.value = i;
        cond.notifyAll();
      });
    }
    await joinAll(threads);
    assert.deepEqual(outs.map((v) => v.value), [3, 3]);
  });

  test('an aborted sleeper in this thread passes a notification on to a sleeping thread', T, async () => {
    const lock = new Lock();
    const cond = new Condition(lock);
    const results = new SharedArray('i', 1);
    const order = new SharedArray('i', 2);
    const done = new Semaphore(0);
    const controller = new AbortController();
    await cond.acquire();
    const mine = cond.wait({ signal: controller.signal }); // first in the queue
    const thread = start(targets.sleepOnCondition, [cond, results, order, 0, done, false]);
    await waitForWaiters(cond, 2, WAIT);

    const reason = new Error('aborted just as notified');
    await cond.acquire(); // the thread queued itself before releasing the lock: wait for it
    cond.notify(1); // reaches this thread's sleeper…
    controller.abort(reason); // …which is aborted before it runs
    cond.release();
    await assert.rejects(mine, (error: unknown) => error === reason);
    assert.equal(lock.locked(), true, 'the aborted wait did not take the lock back');
    cond.release();
    await expectSignals(done, 1);
    await joinAll([thread]);
    assert.deepEqual(results.toArray(), [True], 'the notification was swallowed');
    assert.equal(cond.statistics().waiting, 0);
  });

  test('an aborted sleeper in this thread leaves the queue; notify(1) wakes the thread behind it', T, async () => {
    const cond = new Condition();
    const results = new SharedArray('i', 1);
    const order = new SharedArray('i', 2);
    const done = new Semaphore(0);
    const controller = new AbortController();
    await cond.acquire();
    const mine = cond.wait({ signal: controller.signal });
    const thread = start(targets.sleepOnCondition, [cond, results, order, 0, done, true]);
    await waitForWaiters(cond, 2, WAIT);
    const reason = new Error('stop');
    controller.abort(reason);
    await assert.rejects(mine, (error: unknown) => error === reason);
    assert.equal(cond.statistics().waiting, 1);
    cond.notify(1); // this thread holds the lock again
    cond.release();
    await expectSignals(done, 1);
    await joinAll([thread]);
    assert.deepEqual(results.toArray(), [True]);
  });

  test('a Condition passed to threads is the same condition, lock included', T, async () => {
    const cond = new Condition();
    const out = new Value('i', 0);
    await cond.acquire();
    await joinAll([start(targets.tryAcquireCondition, [cond, out])]);
    assert.equal(out.value, 2, 'the thread took a lock this thread holds');
    await joinAll([start(targets.notifyWithoutLock, [cond, out])]);
    assert.equal(out.value, 1, 'notify() in a thread that does not hold the lock must be ERR_LOCK_NOT_HELD');
    const waiting = cond.wait(WAIT);
    const notifier = start(targets.notifyCondition, [cond, 1]);
    assert.equal(await waiting, true, 'a notify in the thread did not reach this thread');
    cond.release();
    await joinAll([notifier]);
    await joinAll([start(targets.tryAcquireCondition, [cond, out])]);
    assert.equal(out.value, 1);
  });
});
