/**
 * Event, within one thread and across threads.
 *
 * Ported from CPython: `Lib/test/lock_tests.py` (EventTests),
 * `Lib/test/_test_multiprocessing.py` (_TestEvent); each test names its
 * source case. Tweaks: waiters are known to be parked through
 * `waitForWaiters` instead of CPython's `wait_threads_blocked` sleeps; weft
 * adds cancellation through an AbortSignal, and rejects bad timeouts
 * (Python treats a negative one as 0).
 *
 * The CPython tests ported here are © Python Software Foundation, under the
 * PSF License Agreement (https://docs.python.org/3/license.html); these are
 * rewrites against weft's API, not copies.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Event, SharedArray, Thread, Value } from '../../src/threading.js';
import { waitForWaiters } from '../../src/testing/index.js';
import { checkNoThreadsLeft } from '../helpers/leaks.js';
import { joinAll, start } from '../helpers/threads.js';
import * as targets from '../fixtures/sync-targets.js';

const T = { timeout: 60_000 };
const WAIT = { timeout: 20_000 };
const { True, False } = targets.Outcome;
checkNoThreadsLeft();


describe('Event within one thread', () => {
  // lock_tests.EventTests.test_is_set, _TestEvent.test_event (first part)
  test('starts clear; set() and clear() move the flag, and repeat harmlessly', T, () => {
    const event = new Event();
    assert.equal(event.isSet(), false);
    event.set();
    assert.equal(event.isSet(), true);
    event.set();
    assert.equal(event.isSet(), true);
    event.clear();
    assert.equal(event.isSet(), false);
    event.clear();
    assert.equal(event.isSet(), false);
  });

  // _TestEvent.test_event: wait() on a set event returns True at once; wait(0) returns the flag
  test('wait() returns true at once while set; a zero timeout returns the flag', T, async () => {
    const event = new Event();
    assert.equal(await event.wait({ timeout: 0 }), false);
    assert.equal(event.waitSync({ timeout: 0 }), false);
    event.set();
    assert.equal(await event.wait(), true);
    assert.equal(event.waitSync(), true);
    assert.equal(await event.wait({ timeout: 0 }), true);
    assert.equal(event.waitSync({ timeout: 0 }), true);
  });

  // lock_tests.EventTests.test_timeout
  test('a timed wait on a clear event returns false after about the timeout', T, async () => {
    const event = new Event();
    let started = performance.now();
    assert.equal(await event.wait({ timeout: 100 }), false);
    assert.ok(performance.now() - started >= 60, 'async wait returned too early');
    started = performance.now();
    assert.equal(event.waitSync({ timeout: 100 }), false);
    assert.ok(performance.now() - started >= 60, 'sync wait returned too early');
    assert.equal(event.statistics().waiting, 0, 'a timed-out waiter stayed queued');
    const waiting = event.wait({ timeout: 10_000 });
    event.set();
    assert.equal(await waiting, true);
  });

  // lock_tests.EventTests.test_notify: one set() releases every waiter
  test('one set() releases every async waiter', T, async () => {
    const event = new Event();
    const waiters = Array.from({ length: 5 }, () => event.wait());
    assert.equal(event.statistics().waiting, 5);
    event.set();
    assert.equal(event.statistics().waiting, 0);
    assert.deepEqual(await Promise.all(waiters), [true, true, true, true, true]);
  });

  // lock_tests.EventTests.test_set_and_clear (gh-57711), async waiters
  test('a waiter released by set() returns true even if clear() runs right after', T, async () => {
    const event = new Event();
    const waiters = [event.wait(), event.wait({ timeout: 10_000 })];
    event.set();
    event.clear();
    assert.deepEqual(await Promise.all(waiters), [true, true]);
    assert.equal(event.isSet(), false);
  });

  test('an aborted wait rejects with signal.reason; other waiters are unaffected', T, async () => {
    const event = new Event();
    const controller = new AbortController();
    const aborted = event.wait({ signal: controller.signal });
    const other = event.wait();
    assert.equal(event.statistics().waiting, 2);
    const reason = new Error('stop');
    controller.abort(reason);
    await assert.rejects(aborted, (error: unknown) => error === reason);
    assert.equal(event.statistics().waiting, 1);
    assert.equal(event.isSet(), false, 'an abort set the flag');
    await assert.rejects(event.wait({ signal: AbortSignal.abort(reason) }), (error: unknown) => error === reason);
    event.set();
    assert.equal(await other, true);
    // An already aborted signal rejects even when the event is set.
    await assert.rejects(event.wait({ signal: AbortSignal.abort(reason) }), (error: unknown) => error === reason);
  });

  test('an abort in the same tick as set() rejects the aborted waiter only', T, async () => {
    const event = new Event();
    const controller = new AbortController();
    const aborted = event.wait({ signal: controller.signal });
    const other = event.wait();
    const reason = new Error('late abort');
    event.set();
    controller.abort(reason);
    await assert.rejects(aborted, (error: unknown) => error === reason);
    assert.equal(await other, true);
    assert.equal(event.isSet(), true);
  });

  test('bad timeouts are ERR_INVALID_ARG; a blocking wait takes no signal', T, async () => {
    const event = new Event();
    for (const timeout of [-1, NaN, Infinity]) {
      await assert.rejects(event.wait({ timeout }), { code: 'ERR_INVALID_ARG' });
      assert.throws(() => event.waitSync({ timeout }), { code: 'ERR_INVALID_ARG' });
    }
    const signal = new AbortController().signal;
    assert.throws(() => event.waitSync({ signal } as { timeout?: number }), { code: 'ERR_INVALID_ARG' });
    assert.equal(event.statistics().waiting, 0);
  });

  // _TestEvent.test_repr
  test('statistics() and toString() show the flag and the waiters', T, async () => {
    const event = new Event();
    assert.deepEqual({ ...event.statistics() }, { set: false, waiting: 0 });
    assert.equal(String(event), '<Event unset waiting=0>');
    const waiting = event.wait();
    assert.equal(String(event), '<Event unset waiting=1>');
    event.set();
    assert.deepEqual({ ...event.statistics() }, { set: true, waiting: 0 });
    assert.equal(String(event), '<Event set waiting=0>');
    assert.ok(Object.isFrozen(event.statistics()));
    await waiting;
  });
});

describe('Event across threads', () => {
  // lock_tests.EventTests.test_set_and_clear (gh-57711), with threads parked
  test('threads parked in wait() return true although clear() ran right after set()', T, async () => {
    const event = new Event();
    const results = new SharedArray('i', 5);
    const threads: Thread[] = [];
    for (let i = 0; i < 4; i++) threads.push(start(targets.waitForEvent, [event, results, i, i % 2 === 0]));
    const mine = event.wait(); // and one async waiter in this thread
    await waitForWaiters(event, 5, WAIT);
    event.set();
    event.clear();
    results.set(4, (await mine) ? True : False);
    await joinAll(threads);
    assert.deepEqual(results.toArray(), [True, True, True, True, True]);
    assert.equal(event.isSet(), false);
  });

  // lock_tests.EventTests.test_notify, _TestEvent.test_event (the waiting process)
  test('one set() releases every waiter in several threads, async and blocking', T, async () => {
    const event = new Event();
    const woke = new Value('i', 0);
    const results = new SharedArray('i', 2);
    const threads = [
      start(targets.waitForEventMany, [event, woke, 3]),
      start(targets.waitForEventMany, [event, woke, 3]),
      start(targets.waitForEvent, [event, results, 0, false]),
      start(targets.waitForEvent, [event, results, 1, false]),
    ];
    await waitForWaiters(event, 8, WAIT);
    assert.equal(woke.value, 0);
    event.set();
    await joinAll(threads);
    assert.equal(woke.value, 6);
    assert.deepEqual(results.toArray(), [True, True]);
    assert.equal(event.statistics().waiting, 0);
  });

  // lock_tests.EventTests.test_timeout, in threads
  test('timed waits in threads return false when nobody sets the event', T, async () => {
    const event = new Event();
    const results = new SharedArray('i', 2);
    const threads = [
      start(targets.waitForEvent, [event, results, 0, false, 100]),
      start(targets.waitForEvent, [event, results, 1, true, 100]),
    ];
    await joinAll(threads);
    assert.deepEqual(results.toArray(), [False, False]);
    assert.equal(event.statistics().waiting, 0);
  });

  test('set() in a thread wakes a blocking wait in the main thread', T, async () => {
    const ready = new Event();
    const setter = start(targets.setEventFromThread, [ready]);
    assert.equal(ready.waitSync(WAIT), true); // blocks this thread; the setter runs on its own
    await joinAll([setter]);
  });

  test('an event passed to a thread is the same event', T, async () => {
    const event = new Event();
    const setter = start(targets.setEventFromThread, [event]);
    await joinAll([setter]);
    assert.equal(event.isSet(), true);
    assert.equal(await event.wait({ timeout: 0 }), true);
  });
});
