/**
 * Semaphore and BoundedSemaphore, within one thread and across threads.
 *
 * Ported from CPython: `Lib/test/lock_tests.py` (BaseSemaphoreTests,
 * SemaphoreTests, BoundedSemaphoreTests), `Lib/test/test_threading.py` and
 * `Lib/test/_test_multiprocessing.py` (_TestSemaphore); each test names its
 * source case. Tweaks: weft's errors are `ERR_*` codes instead of
 * ValueError; waits are synchronised with `waitForWaiters` and a `done`
 * semaphore instead of CPython's sleeps and `wait_threads_blocked`; weft
 * grants permits FIFO (Python leaves the order unspecified), so the order
 * is asserted.
 *
 * The CPython tests ported here are © Python Software Foundation, under the
 * PSF License Agreement (https://docs.python.org/3/license.html); these are
 * rewrites against weft's API, not copies.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { BoundedSemaphore, Semaphore, SharedArray, Thread, Value } from '../../src/threading.js';
import { waitForWaiters } from '../../src/testing/index.js';
import { checkNoThreadsLeft } from '../helpers/leaks.js';
import * as targets from '../fixtures/sync-targets.js';

const T = { timeout: 60_000 };
const WAIT = { timeout: 20_000 };
checkNoThreadsLeft();

function start<A extends unknown[]>(target: (...args: A) => unknown, args: A): Thread<A> {
  const thread = new Thread<A>({ target, args });
  thread.start();
  return thread;
}

async function joinAll(threads: Thread<never>[] | Thread[]): Promise<void> {
  for (const thread of threads) {
    assert.equal(await thread.join(WAIT), true, `${thread.name} did not end`);
    assert.equal(thread.error, undefined, `${thread.name} threw: ${thread.error?.stack}`);
  }
}

/** Takes `n` signals from `done`, failing the test if they do not come. */
async function expectSignals(done: Semaphore, n: number): Promise<void> {
  for (let i = 0; i < n; i++) assert.equal(await done.acquire(WAIT), true, `only ${i} of ${n} signals came`);
}

describe('Semaphore within one thread', () => {
  // _TestSemaphore.test_semaphore (and lock_tests.SemaphoreTests.test_release_unacquired)
  test('counts down 2 → 1 → 0, refuses without waiting at 0, and grows beyond its initial value', T, async () => {
    const sem = new Semaphore(2);
    assert.equal(sem.statistics().value, 2);
    assert.equal(sem.acquireSync(), true);
    assert.equal(sem.statistics().value, 1);
    assert.equal(await sem.acquire(), true);
    assert.equal(sem.statistics().value, 0);
    assert.equal(sem.tryAcquire(), false); // acquire(False) == False
    assert.equal(sem.acquireSync({ timeout: 0 }), false);
    assert.equal(await sem.acquire({ timeout: 0 }), false);
    assert.equal(sem.statistics().value, 0);
    sem.release();
    assert.equal(sem.statistics().value, 1);
    sem.release();
    assert.equal(sem.statistics().value, 2);
    sem.release(); // unbounded: no error above the initial value
    assert.equal(sem.statistics().value, 3);
    sem.release(1);
    assert.equal(sem.statistics().value, 4);
  });

  // lock_tests.BaseSemaphoreTests.test_constructor
  test('the initial value defaults to 1 and must be a whole number from 0 to 2**29 - 1', T, () => {
    assert.equal(new Semaphore().statistics().value, 1);
    assert.equal(new Semaphore(0).statistics().value, 0);
    assert.equal(new Semaphore(2 ** 29 - 1).statistics().value, 2 ** 29 - 1);
    assert.equal(new BoundedSemaphore().statistics().initial, 1);
    for (const bad of [-1, 1.5, NaN, Infinity, 2 ** 29]) {
      assert.throws(() => new Semaphore(bad), { code: 'ERR_INVALID_ARG' }, `Semaphore(${bad})`);
      assert.throws(() => new BoundedSemaphore(bad), { code: 'ERR_INVALID_ARG' }, `BoundedSemaphore(${bad})`);
    }
  });

  // threading.Semaphore.release(n): ValueError('n must be one or more') for n < 1 (no CPython test; weft: ERR_INVALID_ARG)
  test('release(0), release(-1), release(1.5) are ERR_INVALID_ARG and change nothing', T, () => {
    const sem = new Semaphore(1);
    for (const bad of [0, -1, 1.5, NaN]) {
      assert.throws(() => sem.release(bad), { code: 'ERR_INVALID_ARG' }, `release(${bad})`);
    }
    assert.equal(sem.statistics().value, 1);
  });

  test('a release that would count above 2**29 - 1 is ERR_INVALID_ARG and changes nothing', T, () => {
    const sem = new Semaphore(2 ** 29 - 2);
    sem.release();
    assert.throws(() => sem.release(), { code: 'ERR_INVALID_ARG' });
    assert.equal(sem.statistics().value, 2 ** 29 - 1);
  });

  // lock_tests.BaseSemaphoreTests.test_multirelease, with async waiters
  test('release(n) grants exactly n of the waiting acquires, oldest first', T, async () => {
    const sem = new Semaphore(0);
    const granted: number[] = [];
    const waiters = [0, 1, 2, 3, 4].map((i) => sem.acquire().then((ok) => { granted.push(i); return ok; }));
    assert.equal(sem.statistics().waiting, 5);
    sem.release(3);
    assert.equal(sem.statistics().waiting, 2, 'release(3) must dequeue exactly 3 waiters');
    assert.equal(sem.statistics().value, 0, 'granted permits must not also be counted');
    await Promise.all(waiters.slice(0, 3));
    assert.deepEqual(granted, [0, 1, 2]);
    assert.equal(sem.tryAcquire(), false, 'a newcomer must not take a permit meant for a waiter');
    sem.release(5); // 2 to the waiters, 3 left over
    assert.deepEqual(await Promise.all(waiters), [true, true, true, true, true]);
    assert.deepEqual(granted, [0, 1, 2, 3, 4]);
    assert.equal(sem.statistics().value, 3);
  });

  // lock_tests.BaseSemaphoreTests.test_acquire_timeout
  test('a timed acquire returns false after about the timeout and leaves the queue', T, async () => {
    const sem = new Semaphore(0);
    let started = performance.now();
    assert.equal(await sem.acquire({ timeout: 100 }), false);
    assert.ok(performance.now() - started >= 60, 'async acquire gave up too early');
    started = performance.now();
    assert.equal(sem.acquireSync({ timeout: 100 }), false);
    assert.ok(performance.now() - started >= 60, 'sync acquire gave up too early');
    assert.equal(sem.statistics().waiting, 0);
    sem.release();
    assert.equal(sem.statistics().value, 1, 'a permit went to a waiter that had timed out');
    assert.equal(sem.tryAcquire(), true);
  });

  test('a timed acquire that gets a permit before the deadline returns true', T, async () => {
    const sem = new Semaphore(0);
    const waiting = sem.acquire({ timeout: 10_000 });
    sem.release();
    assert.equal(await waiting, true);
    assert.equal(sem.statistics().value, 0);
  });

  test('an aborted acquire rejects with signal.reason and leaves the count as it was', T, async () => {
    const sem = new Semaphore(0);
    const controller = new AbortController();
    const waiting = sem.acquire({ signal: controller.signal });
    const behind = sem.acquire();
    assert.equal(sem.statistics().waiting, 2);
    const reason = new Error('no longer needed');
    controller.abort(reason);
    await assert.rejects(waiting, (error: unknown) => error === reason);
    assert.deepEqual({ ...sem.statistics() }, { value: 0, initial: 0, waiting: 1 });
    sem.release(); // goes to the acquire behind, not to the aborted one
    assert.equal(await behind, true);
    assert.equal(sem.statistics().value, 0);
    await assert.rejects(sem.acquire({ signal: AbortSignal.abort(reason) }), (error: unknown) => error === reason);
    assert.equal(sem.statistics().waiting, 0);
  });

  test('an abort that arrives just as a permit is granted gives the permit back', T, async () => {
    // Forced deterministically: release() grants the permit to the waiter's
    // cell and abort() runs in the same tick, before the waiter's wake-up is
    // delivered. The waiter rejects; the permit must not be lost.
    const sem = new Semaphore(0);
    const controller = new AbortController();
    const waiting = sem.acquire({ signal: controller.signal });
    const reason = new Error('too late');
    sem.release();
    controller.abort(reason);
    await assert.rejects(waiting, (error: unknown) => error === reason);
    assert.deepEqual({ ...sem.statistics() }, { value: 1, initial: 0, waiting: 0 });

    // With another acquire queued behind, the returned permit goes on to it.
    assert.equal(sem.tryAcquire(), true);
    const controller2 = new AbortController();
    const first = sem.acquire({ signal: controller2.signal });
    const second = sem.acquire();
    assert.equal(sem.statistics().waiting, 2);
    sem.release();
    controller2.abort(reason);
    await assert.rejects(first, (error: unknown) => error === reason);
    assert.equal(await second, true);
    assert.deepEqual({ ...sem.statistics() }, { value: 0, initial: 0, waiting: 0 });
  });

  // lock_tests.BoundedSemaphoreTests.test_release_unacquired, test_BoundedSemaphore_limit
  test('BoundedSemaphore: a release above the initial value is ERR_SEMAPHORE_OVER_RELEASE and changes nothing', T, async () => {
    const sem = new BoundedSemaphore(2);
    assert.throws(() => sem.release(), { code: 'ERR_SEMAPHORE_OVER_RELEASE', name: 'RuntimeError' });
    assert.equal(sem.statistics().value, 2);
    sem.acquireSync();
    assert.throws(() => sem.release(2), { code: 'ERR_SEMAPHORE_OVER_RELEASE' });
    assert.equal(sem.statistics().value, 1, 'a refused release(2) added something');
    sem.release();
    assert.equal(sem.statistics().value, 2);

    // With waiters queued (value 0), an over-release grants nobody.
    const one = new BoundedSemaphore(1);
    one.acquireSync();
    const waiting = one.acquire();
    assert.throws(() => one.release(2), { code: 'ERR_SEMAPHORE_OVER_RELEASE' });
    assert.equal(one.statistics().waiting, 1, 'a refused release woke a waiter');
    one.release();
    assert.equal(await waiting, true);
    assert.equal(one.statistics().value, 0);
  });

  // lock_tests.SemaphoreTests.test_repr, BoundedSemaphoreTests.test_repr
  test('statistics() and toString() show the value, the bound and the waiters', T, async () => {
    const sem = new Semaphore(2);
    assert.deepEqual({ ...sem.statistics() }, { value: 2, initial: 2, waiting: 0 });
    assert.ok(Object.isFrozen(sem.statistics()));
    assert.equal(String(sem), '<Semaphore value=2 waiting=0>');
    const bounded = new BoundedSemaphore(3);
    bounded.acquireSync();
    assert.equal(String(bounded), '<BoundedSemaphore value=2/3 waiting=0>');
    const empty = new Semaphore(0);
    const controller = new AbortController();
    const waiting = empty.acquire({ signal: controller.signal });
    assert.equal(String(empty), '<Semaphore value=0 waiting=1>');
    assert.deepEqual({ ...empty.statistics() }, { value: 0, initial: 0, waiting: 1 });
    controller.abort();
    await assert.rejects(waiting, { name: 'AbortError' });
    assert.equal(String(empty), '<Semaphore value=0 waiting=0>');
  });
});

describe('Semaphore across threads', () => {
  // lock_tests.BaseSemaphoreTests.test_multirelease / test_acquire_contended
  test('release(n) wakes exactly n of the blocked threads', T, async () => {
    const sem = new Semaphore(0);
    const acquired = new Value('i', 0);
    const done = new Semaphore(0);
    const threads: Thread[] = [];
    for (let i = 0; i < 5; i++) threads.push(start(targets.takePermit, [sem, acquired, done, i % 2 === 1]));
    await waitForWaiters(sem, 5, WAIT);
    assert.equal(acquired.value, 0, 'a thread got through a semaphore at 0');

    sem.release(3);
    assert.equal(sem.statistics().waiting, 2);
    await expectSignals(done, 3);
    assert.equal(acquired.value, 3, 'release(3) must wake exactly 3 threads');
    assert.equal(sem.statistics().waiting, 2);
    assert.equal(sem.statistics().value, 0);

    sem.release(2);
    await expectSignals(done, 2);
    await joinAll(threads);
    assert.equal(acquired.value, 5);
    assert.equal(sem.statistics().value, 0);
  });

  test('blocked threads (sync and async waits) get permits in arrival order', T, async () => {
    const sem = new Semaphore(0);
    const order = new SharedArray('i', 5); // [count, …indices]
    const done = new Semaphore(0);
    const threads: Thread[] = [];
    for (let i = 0; i < 4; i++) {
      threads.push(start(targets.takePermitInOrder, [sem, order, i, done, i % 2 === 0]));
      await waitForWaiters(sem, i + 1, WAIT); // queued before the next one starts
    }
    for (let i = 0; i < 4; i++) {
      sem.release();
      await expectSignals(done, 1);
    }
    await joinAll(threads);
    assert.deepEqual(order.toArray(), [4, 0, 1, 2, 3]);
  });

  test('a timed-out acquire in a thread returns false and does not take a later permit', T, async () => {
    const sem = new Semaphore(0);
    const results = new SharedArray('i', 2);
    const threads = [
      start(targets.takePermitTimed, [sem, 100, results, 0, false]),
      start(targets.takePermitTimed, [sem, 100, results, 1, true]),
    ];
    await joinAll(threads);
    assert.deepEqual(results.toArray(), [targets.Outcome.False, targets.Outcome.False]);
    assert.equal(sem.statistics().waiting, 0);
    sem.release();
    assert.equal(sem.statistics().value, 1);
  });

  test('any thread may release: a release in a thread wakes a waiter in the main thread', T, async () => {
    const sem = new Semaphore(0);
    const waiting = sem.acquire(WAIT);
    const thread = start(targets.releasePermits, [sem, 1]);
    assert.equal(await waiting, true);
    await joinAll([thread]);
    assert.equal(sem.statistics().value, 0);
  });

  test('a semaphore passed to a thread is the same semaphore', T, async () => {
    const sem = new BoundedSemaphore(2);
    sem.acquireSync();
    sem.acquireSync();
    const thread = start(targets.releasePermits, [sem, 2]);
    await joinAll([thread]);
    assert.equal(sem.statistics().value, 2);
    assert.throws(() => sem.release(), { code: 'ERR_SEMAPHORE_OVER_RELEASE' }, 'the bound crossed with it');
  });
});
