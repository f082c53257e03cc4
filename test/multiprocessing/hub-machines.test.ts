/**
 * The hub's state machines of the process-scope primitives, driven directly
 * with fake calls (no transport): FIFO hand-off, robustness when a holder
 * ends, abandoned waiters leaving no trace, and each primitive's rules.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { TIMED_OUT } from '../../src/backends/hub/call.js';
import { A, A2, B, C, create, gone, invoke, type FakeCall } from '../helpers/fake-hub.js';

const T = { timeout: 5000 };

describe('hub Lock', () => {
  test('free: acquire is granted at once; a second waits; release hands it over in FIFO order', T, () => {
    const { object: lock } = create('multiprocessing.Lock');
    assert.equal(invoke(lock, 'acquire', A).value, 'acquired');
    const b = invoke(lock, 'acquire', B);
    const c = invoke(lock, 'acquire', C);
    assert.equal(b.answer, undefined);
    assert.equal((invoke(lock, 'statistics', A).value as { waiting: number }).waiting, 2);
    invoke(lock, 'release', A);
    assert.equal(b.value, 'acquired');
    assert.equal(c.answer, undefined, 'C barged past B');
    invoke(lock, 'release', C); // anyone may release a Lock, as in Python
    assert.equal(c.value, 'acquired');
    invoke(lock, 'release', C);
    assert.equal(invoke(lock, 'locked', A).value, false);
  });

  test('release of an unlocked Lock fails with ERR_LOCK_NOT_HELD', T, () => {
    const { object: lock } = create('multiprocessing.Lock');
    assert.deepEqual((invoke(lock, 'release', A).answer as { code: string }).code, 'ERR_LOCK_NOT_HELD');
  });

  test('a timed-out or cancelled waiter leaves no trace and is never granted later', T, () => {
    const { object: lock } = create('multiprocessing.Lock');
    invoke(lock, 'acquire', A);
    assert.equal(invoke(lock, 'acquire', B, [], 0).value, TIMED_OUT);
    const c = invoke(lock, 'acquire', C);
    c.abandon();
    assert.equal((invoke(lock, 'statistics', A).value as { waiting: number }).waiting, 0);
    invoke(lock, 'release', A);
    assert.equal(invoke(lock, 'locked', A).value, false, 'granted to an abandoned waiter');
  });

  test('a holder process that ends releases it; the next waiter inherits it', T, () => {
    const { object: lock } = create('multiprocessing.Lock');
    const calls: FakeCall[] = [invoke(lock, 'acquire', B)];
    const a = invoke(lock, 'acquire', A);
    gone([lock], calls, B.client);
    assert.equal(a.value, 'inherited');
    invoke(lock, 'release', A);
    assert.equal(invoke(lock, 'acquire', A).value, 'acquired', 'only the next owner is told');
  });

  test('a holder that ends with nobody waiting: the next acquirer inherits it', T, () => {
    const { object: lock } = create('multiprocessing.Lock');
    const calls = [invoke(lock, 'acquire', A2)];
    gone([lock], calls, A2.client, A2.thread);
    assert.equal(invoke(lock, 'locked', B).value, false);
    assert.equal(invoke(lock, 'acquire', B).value, 'inherited');
  });

  test('the waiters of a process that ends are dropped; its other threads keep theirs', T, () => {
    const { object: lock } = create('multiprocessing.Lock');
    invoke(lock, 'acquire', C);
    const b = invoke(lock, 'acquire', B);
    const a = invoke(lock, 'acquire', A);
    // callerGone before the core's abandon (the order must not matter)
    lock.callerGone(B.client, undefined);
    b.abandon();
    invoke(lock, 'release', C);
    assert.equal(a.value, 'acquired');
  });

  test('waitForWaiters answers once n calls wait', T, () => {
    const { object: lock } = create('multiprocessing.Lock');
    invoke(lock, 'acquire', A);
    const watch = invoke(lock, 'waitForWaiters', C, [2]);
    invoke(lock, 'acquire', B);
    assert.equal(watch.answer, undefined);
    invoke(lock, 'acquire', A2);
    assert.equal(watch.value, 2);
    assert.equal(invoke(lock, 'waitForWaiters', C, [0]).value, 2);
  });
});

describe('hub RLock', () => {
  test('the owner re-enters; others wait; only the owner releases', T, () => {
    const { object: rlock } = create('multiprocessing.RLock');
    invoke(rlock, 'acquire', A);
    assert.equal(invoke(rlock, 'acquire', A).value, 'acquired');
    assert.equal((invoke(rlock, 'statistics', A).value as { depth: number }).depth, 2);
    const other = invoke(rlock, 'acquire', A2); // another thread of the same process
    assert.equal(other.answer, undefined);
    assert.equal((invoke(rlock, 'release', B).answer as { code: string }).code, 'ERR_LOCK_NOT_HELD');
    invoke(rlock, 'release', A);
    assert.equal(other.answer, undefined);
    invoke(rlock, 'release', A);
    assert.equal(other.value, 'acquired');
  });

  test('an owner that ends at depth 3: the next owner gets it at depth 1, inherited', T, () => {
    const { object: rlock } = create('multiprocessing.RLock');
    const calls = [invoke(rlock, 'acquire', B), invoke(rlock, 'acquire', B), invoke(rlock, 'acquire', B)];
    const a = invoke(rlock, 'acquire', A);
    gone([rlock], calls, B.client);
    assert.equal(a.value, 'inherited');
    assert.equal((invoke(rlock, 'statistics', A).value as { depth: number }).depth, 1);
  });
});

describe('hub Semaphore', () => {
  test('counts permits; release(n) wakes n waiters in order', T, () => {
    const { object: sem } = create('multiprocessing.Semaphore', [1]);
    assert.equal(invoke(sem, 'acquire', A).value, true);
    const waiters = [B, C, A2].map((who) => invoke(sem, 'acquire', who));
    invoke(sem, 'release', A, [2]);
    assert.deepEqual(waiters.map((w) => w.answer !== undefined), [true, true, false]);
    invoke(sem, 'release', A, [3]);
    assert.equal(waiters[2].value, true);
    assert.equal((invoke(sem, 'statistics', A).value as { value: number }).value, 2);
  });

  // The machine answers the refusal; the public class throws ERR_SEMAPHORE_OVER_RELEASE for it
  // (test/conformance/semaphore.test.ts), so both scopes throw from one place.
  test('a BoundedSemaphore refuses a release above its initial value, changing nothing', T, () => {
    const { object: sem } = create('multiprocessing.BoundedSemaphore', [2]);
    invoke(sem, 'acquire', A);
    assert.equal(invoke(sem, 'release', A, [2]).value, 'over-bound');
    assert.equal((invoke(sem, 'statistics', A).value as { value: number }).value, 1);
    invoke(sem, 'release', A, [1]);
    assert.equal((invoke(sem, 'statistics', A).value as { value: number }).value, 2);
  });

  test('an abandoned waiter takes no permit', T, () => {
    const { object: sem } = create('multiprocessing.Semaphore', [0]);
    const b = invoke(sem, 'acquire', B);
    const c = invoke(sem, 'acquire', C);
    b.abandon();
    invoke(sem, 'release', A, [1]);
    assert.equal(c.value, true);
    assert.equal((invoke(sem, 'statistics', A).value as { value: number }).value, 0);
  });

  test('bad initial values are ERR_INVALID_ARG', T, () => {
    for (const bad of [-1, 1.5, '1']) assert.throws(() => create('multiprocessing.Semaphore', [bad]), { code: 'ERR_INVALID_ARG' });
  });
});

describe('hub Event', () => {
  test('set answers every waiter true; later waits return at once; clear lowers it', T, () => {
    const { object: event } = create('multiprocessing.Event');
    const waiters = [A, B].map((who) => invoke(event, 'wait', who));
    invoke(event, 'set', C);
    invoke(event, 'clear', C); // the woken waiters still return true (gh-57711)
    assert.deepEqual(waiters.map((w) => w.value), [true, true]);
    assert.equal(invoke(event, 'wait', A, [], 0).value, TIMED_OUT);
    invoke(event, 'set', C);
    assert.equal(invoke(event, 'wait', A, [], 0).value, true);
    assert.equal(invoke(event, 'isSet', A).value, true);
  });
});

describe('hub Barrier', () => {
  test('trips when the last party arrives; indices in arrival order; cyclic', T, () => {
    const { object: barrier } = create('multiprocessing.Barrier', [3]);
    for (let round = 0; round < 2; round++) {
      const parties = [A, B, C].map((who) => invoke(barrier, 'wait', who));
      assert.deepEqual(parties.map((p) => p.value), [0, 1, 2]);
    }
  });

  test('a timed-out wait breaks it: waiters and later waits get BrokenBarrierError until reset', T, () => {
    const { object: barrier } = create('multiprocessing.Barrier', [3]);
    const a = invoke(barrier, 'wait', A);
    const b = invoke(barrier, 'wait', B);
    b.abandon(); // timed out: the core answers TIMED_OUT …
    invoke(barrier, 'timedOut', B); // … and the caller breaks the barrier
    assert.equal((a.answer as { raised: string }).raised, 'BrokenBarrierError');
    assert.equal((invoke(barrier, 'wait', C).answer as { raised: string }).raised, 'BrokenBarrierError');
    assert.equal((invoke(barrier, 'statistics', A).value as { broken: boolean }).broken, true);
    invoke(barrier, 'reset', A);
    assert.equal(invoke(barrier, 'wait', A).answer, undefined);
  });

  test('reset answers current waiters BrokenBarrierError and leaves it usable', T, () => {
    const { object: barrier } = create('multiprocessing.Barrier', [2]);
    const a = invoke(barrier, 'wait', A);
    invoke(barrier, 'reset', B);
    assert.equal((a.answer as { raised: string }).raised, 'BrokenBarrierError');
    const parties = [A, B].map((who) => invoke(barrier, 'wait', who));
    assert.deepEqual(parties.map((p) => p.value), [0, 1]);
  });

  test('a cancelled wait withdraws its party', T, () => {
    const { object: barrier } = create('multiprocessing.Barrier', [2]);
    invoke(barrier, 'wait', A).abandon();
    const b = invoke(barrier, 'wait', B);
    assert.equal(b.answer, undefined, 'tripped with a withdrawn party');
    assert.equal(invoke(barrier, 'wait', C).value, 1);
    assert.equal(b.value, 0);
  });

  test('with an action: the last arrival is answered ACT; actionDone(true) trips it, the acting party last', T, () => {
    const { object: barrier } = create('multiprocessing.Barrier', [3, true]);
    for (let round = 0; round < 2; round++) {
      const a = invoke(barrier, 'wait', A);
      const b = invoke(barrier, 'wait', B);
      assert.equal(invoke(barrier, 'wait', C).value, -1, 'the last arrival was not told to run the action');
      assert.equal(a.answer, undefined, 'released before the action ran');
      assert.equal((invoke(barrier, 'statistics', A).value as { nWaiting: number }).nWaiting, 2);
      assert.equal(invoke(barrier, 'actionDone', C, [true]).value, 2);
      assert.deepEqual([a.value, b.value], [0, 1]);
    }
  });

  test('with an action: actionDone(false) breaks it; actionDone from another caller or after a reset is BrokenBarrierError', T, () => {
    const { object: barrier } = create('multiprocessing.Barrier', [2, true]);
    const a = invoke(barrier, 'wait', A);
    assert.equal(invoke(barrier, 'wait', B).value, -1);
    assert.equal((invoke(barrier, 'actionDone', C, [true]).answer as { raised: string }).raised, 'BrokenBarrierError');
    assert.deepEqual(invoke(barrier, 'actionDone', B, [false]).answer, { ok: undefined });
    assert.equal((a.answer as { raised: string }).raised, 'BrokenBarrierError');
    assert.equal((invoke(barrier, 'statistics', A).value as { broken: boolean }).broken, true);
    invoke(barrier, 'reset', A);
    const a2 = invoke(barrier, 'wait', A);
    assert.equal(invoke(barrier, 'wait', B).value, -1);
    invoke(barrier, 'reset', C);
    assert.equal((a2.answer as { raised: string }).raised, 'BrokenBarrierError');
    assert.equal((invoke(barrier, 'actionDone', B, [true]).answer as { raised: string }).raised, 'BrokenBarrierError');
  });

  test('with an action: arrivals while it runs wait for the next round; an abandoned wait or the acting party\'s death breaks it', T, () => {
    const { object: barrier } = create('multiprocessing.Barrier', [2, true]);
    const a = invoke(barrier, 'wait', A);
    assert.equal(invoke(barrier, 'wait', B).value, -1);
    const early = invoke(barrier, 'wait', C);
    assert.equal(invoke(barrier, 'actionDone', B, [true]).value, 1);
    assert.equal(a.value, 0);
    assert.equal(early.answer, undefined, 'an arrival during the action was released with that round');
    assert.equal(invoke(barrier, 'wait', A).value, -1, 'the early arrival did not count in the next round');
    // a waiter abandoned (timed out, cancelled) while the action runs breaks the round
    early.abandon();
    assert.equal((invoke(barrier, 'actionDone', A, [true]).answer as { raised: string }).raised, 'BrokenBarrierError');
    assert.equal((invoke(barrier, 'statistics', A).value as { broken: boolean }).broken, true);
    // the acting party's process ends while it runs the action: the waiters are told at once
    invoke(barrier, 'reset', A);
    const calls = [invoke(barrier, 'wait', A)];
    calls.push(invoke(barrier, 'wait', B));
    assert.equal(calls[1].value, -1);
    gone([barrier], calls, B.client);
    assert.equal((calls[0].answer as { raised: string }).raised, 'BrokenBarrierError');
  });
});

describe('hub Condition', () => {
  function condition(kind = 'multiprocessing.RLock') {
    const { object: lock, id } = create(kind);
    const { object: cond } = create('multiprocessing.Condition', [id]);
    return { lock, cond };
  }

  test('wait without the lock, notify without the lock: ERR_LOCK_NOT_HELD', T, () => {
    const { cond } = condition();
    assert.equal((invoke(cond, 'wait', A, [1]).answer as { code: string }).code, 'ERR_LOCK_NOT_HELD');
    assert.equal((invoke(cond, 'notify', A, [1]).answer as { code: string }).code, 'ERR_LOCK_NOT_HELD');
  });

  test('wait releases every level; a notified sleeper is answered once it holds the lock again, at its depth', T, () => {
    const { lock, cond } = condition();
    invoke(lock, 'acquire', A);
    invoke(lock, 'acquire', A);
    const sleeping = invoke(cond, 'wait', A, [1]);
    assert.equal(invoke(lock, 'locked', B).value, false, 'wait did not release every level');
    invoke(lock, 'acquire', B);
    assert.equal(invoke(cond, 'notify', B, [1]).value, 1);
    assert.equal(sleeping.answer, undefined, 'answered before the notifier released the lock');
    invoke(lock, 'release', B);
    assert.equal(sleeping.value, 'acquired');
    const stats = invoke(lock, 'statistics', A).value as { owner: { process: number }; depth: number };
    assert.deepEqual([stats.owner.process, stats.depth], [A.client, 2]);
  });

  test('notify(n) wakes the n longest sleepers; notify(Infinity) the rest', T, () => {
    const { lock, cond } = condition('multiprocessing.Lock');
    const sleepers = [A, B, C].map((who, i) => {
      invoke(lock, 'acquire', who);
      return invoke(cond, 'wait', who, [i]);
    });
    invoke(lock, 'acquire', A2);
    assert.equal(invoke(cond, 'notify', A2, [2]).value, 2);
    invoke(lock, 'release', A2);
    assert.equal(sleepers[0].value, 'acquired');
    assert.equal(sleepers[1].answer, undefined, 'two owners at once');
    invoke(lock, 'release', A);
    assert.equal(sleepers[1].value, 'acquired');
    assert.equal(sleepers[2].answer, undefined);
    assert.equal(invoke(cond, 'notify', B, [Infinity]).value, 1);
    invoke(lock, 'release', B);
    assert.equal(sleepers[2].value, 'acquired');
  });

  test('a timed-out wait is never notified; restore takes the lock back at its depth', T, () => {
    const { lock, cond } = condition();
    invoke(lock, 'acquire', A);
    invoke(lock, 'acquire', A);
    const sleeping = invoke(cond, 'wait', A, [7]);
    invoke(lock, 'acquire', B);
    sleeping.abandon(); // timed out while B holds the lock
    assert.equal(invoke(cond, 'notify', B, [1]).value, 0, 'notified a sleeper that gave up');
    const restore = invoke(cond, 'restore', A, [7]);
    assert.equal(restore.answer, undefined, 'restored while B holds the lock');
    invoke(lock, 'release', B);
    assert.deepEqual(restore.value, [false, 'acquired']);
    assert.equal((invoke(lock, 'statistics', A).value as { depth: number }).depth, 2);
  });

  test('a wait abandoned after its notify reports it was notified', T, () => {
    const { lock, cond } = condition('multiprocessing.Lock');
    invoke(lock, 'acquire', A);
    const sleeping = invoke(cond, 'wait', A, [1]);
    invoke(lock, 'acquire', B);
    invoke(cond, 'notify', B, [1]);
    sleeping.abandon(); // timed out while re-taking the lock
    const restore = invoke(cond, 'restore', A, [1]);
    invoke(lock, 'release', B);
    assert.deepEqual(restore.value, [true, 'acquired']);
  });

  test('waitForWaiters counts sleepers', T, () => {
    const { lock, cond } = condition('multiprocessing.Lock');
    const watch = invoke(cond, 'waitForWaiters', C, [1]);
    invoke(lock, 'acquire', A);
    invoke(cond, 'wait', A, [1]);
    assert.equal(watch.value, 1);
  });

  test('a Condition needs a process-scope lock id', T, () => {
    assert.throws(() => create('multiprocessing.Condition', [123456789]), { code: 'ERR_INVALID_ARG' });
  });
});

describe('hub Value and SharedArray', () => {
  test('values wrap as the typecode does; add and compareExchange are atomic steps', T, () => {
    const { object: value } = create('multiprocessing.Value', ['b', 0]);
    invoke(value, 'set', A, [0, 300]);
    assert.equal(invoke(value, 'get', A, [0]).value, 44);
    assert.equal(invoke(value, 'add', A, [0, 100]).value, -112);
    assert.equal(invoke(value, 'compareExchange', A, [0, -112, 5]).value, -112);
    assert.equal(invoke(value, 'compareExchange', A, [0, -112, 6]).value, 5);
    const { object: big } = create('multiprocessing.Value', ['Q', 1n]);
    assert.equal(invoke(big, 'add', A, [0, -2n]).value, 2n ** 64n - 1n);
  });

  test('arrays: negative indices, snapshots, bad arguments fail without changing anything', T, () => {
    const { object: array } = create('multiprocessing.SharedArray', ['d', [1.5, 2.5, 3.5]]);
    assert.equal(invoke(array, 'get', A, [-1]).value, 3.5);
    assert.deepEqual(invoke(array, 'toArray', A).value, [1.5, 2.5, 3.5]);
    assert.equal((invoke(array, 'get', A, [3]).answer as { code: string }).code, 'ERR_INVALID_ARG');
    assert.equal((invoke(array, 'set', A, [0, 'x']).answer as { code: string }).code, 'ERR_INVALID_ARG');
    assert.deepEqual(invoke(array, 'toArray', A).value, [1.5, 2.5, 3.5]);
    assert.throws(() => create('multiprocessing.SharedArray', ['z', 3]), { code: 'ERR_INVALID_ARG' });
  });
});
