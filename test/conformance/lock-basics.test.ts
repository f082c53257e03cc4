/**
 * Behaviour every lock-like primitive shares, within one thread: Lock,
 * RLock (where it does not differ), Semaphore(1) and BoundedSemaphore(1)
 * (Trio's generic_lock_test; CPython's lock_tests.BaseLockTests).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { BoundedSemaphore, Lock, RLock, Semaphore } from '../../src/threading.js';
import { Lock as ProcessLock } from '../../src/multiprocessing/lock.js';
import { BoundedSemaphore as ProcessBoundedSemaphore, Semaphore as ProcessSemaphore } from '../../src/multiprocessing/semaphore.js';

const T = { timeout: 10_000 };

interface LockLike {
  acquire(o?: { timeout?: number; signal?: AbortSignal }): Promise<boolean>;
  acquireSync(o?: { timeout?: number }): boolean;
  tryAcquire(): boolean;
  release(): void;
  withLock<R>(fn: () => R | Promise<R>, o?: { timeout?: number }): Promise<R>;
  withLockSync<R>(fn: () => R): R;
  statistics(): { waiting: number };
}

const factories: [string, () => LockLike][] = [
  ['Lock', () => new Lock()],
  ['Semaphore(1)', () => new Semaphore(1)],
  ['BoundedSemaphore(1)', () => new BoundedSemaphore(1)],
  // The process-scope twins, whose state is in the hub: the same behaviour.
  ['multiprocessing Lock', () => new ProcessLock()],
  ['multiprocessing Semaphore(1)', () => new ProcessSemaphore(1)],
  ['multiprocessing BoundedSemaphore(1)', () => new ProcessBoundedSemaphore(1)],
];

for (const [name, make] of factories) {
  describe(`${name} as a lock`, () => {
    test('acquire then release', T, async () => {
      const lock = make();
      assert.equal(await lock.acquire(), true);
      lock.release();
      assert.equal(lock.acquireSync(), true);
      lock.release();
    });

    test('a held lock cannot be taken without waiting', T, async () => {
      const lock = make();
      lock.acquireSync();
      assert.equal(lock.tryAcquire(), false);
      assert.equal(lock.acquireSync({ timeout: 0 }), false);
      assert.equal(await lock.acquire({ timeout: 0 }), false);
      lock.release();
      assert.equal(lock.tryAcquire(), true);
      lock.release();
    });

    test('a timed acquire of a held lock gives up after about the timeout', T, async () => {
      const lock = make();
      lock.acquireSync();
      let start = performance.now();
      assert.equal(await lock.acquire({ timeout: 60 }), false);
      assert.ok(performance.now() - start >= 50, 'async acquire returned too early');
      start = performance.now();
      assert.equal(lock.acquireSync({ timeout: 60 }), false);
      assert.ok(performance.now() - start >= 50, 'sync acquire returned too early');
      assert.equal(lock.statistics().waiting, 0, 'a timed-out waiter stays queued');
      lock.release();
      assert.equal(lock.tryAcquire(), true, 'the lock is not usable after a timeout');
      lock.release();
    });

    test('an aborted acquire rejects with the reason and leaves the lock as it was', T, async () => {
      const lock = make();
      lock.acquireSync();
      const controller = new AbortController();
      const waiting = lock.acquire({ signal: controller.signal });
      await Promise.resolve();
      assert.equal(lock.statistics().waiting, 1);
      const reason = new Error('stop waiting');
      controller.abort(reason);
      await assert.rejects(waiting, (error: unknown) => error === reason);
      assert.equal(lock.statistics().waiting, 0);
      lock.release();
      assert.equal(lock.tryAcquire(), true, 'the aborted waiter took the lock');
      lock.release();
    });

    test('an already aborted signal rejects at once', T, async () => {
      const lock = make();
      const reason = new Error('already');
      await assert.rejects(lock.acquire({ signal: AbortSignal.abort(reason) }), (error: unknown) => error === reason);
      assert.equal(lock.tryAcquire(), true);
      lock.release();
    });

    test('bad timeouts are ERR_INVALID_ARG, before anything changes', T, async () => {
      const lock = make();
      for (const timeout of [-1, NaN, Infinity, -Infinity, '5' as unknown as number]) {
        await assert.rejects(lock.acquire({ timeout }), { code: 'ERR_INVALID_ARG' });
        assert.throws(() => lock.acquireSync({ timeout }), { code: 'ERR_INVALID_ARG' });
      }
      assert.equal(lock.tryAcquire(), true);
      lock.release();
    });

    test('withLock releases when the function throws or rejects', T, async () => {
      const lock = make();
      await assert.rejects(lock.withLock(async () => { throw new Error('inside'); }), /inside/);
      assert.throws(() => lock.withLockSync(() => { throw new Error('inside sync'); }), /inside sync/);
      assert.equal(await lock.withLock(() => 7), 7);
      assert.equal(lock.tryAcquire(), true);
      lock.release();
    });

    test('withLock rejects with TimeoutError when the lock does not come', T, async () => {
      const lock = make();
      lock.acquireSync();
      await assert.rejects(lock.withLock(() => 1, { timeout: 20 }), { name: 'TimeoutError' });
      lock.release();
    });

    test('async waiters are served in arrival order', T, async () => {
      const lock = make();
      lock.acquireSync();
      const order: number[] = [];
      const waiters = [0, 1, 2, 3].map((i) => lock.acquire().then(() => { order.push(i); lock.release(); }));
      await Promise.resolve();
      assert.equal(lock.statistics().waiting, 4);
      lock.release();
      await Promise.all(waiters);
      assert.deepEqual(order, [0, 1, 2, 3]);
    });

    test('waiting does not block the event loop', T, async () => {
      const lock = make();
      lock.acquireSync();
      const acquired = lock.acquire();
      await new Promise((resolve) => setTimeout(resolve, 10)); // timers still run
      lock.release();
      assert.equal(await acquired, true);
      lock.release();
    });
  });
}

test('Lock: release of an unlocked lock is ERR_LOCK_NOT_HELD', T, () => {
  const lock = new Lock();
  assert.throws(() => lock.release(), { code: 'ERR_LOCK_NOT_HELD', name: 'RuntimeError' });
  assert.equal(lock.locked(), false);
});

test('Lock: locked() and statistics() follow the state', T, () => {
  const lock = new Lock();
  assert.deepEqual({ ...lock.statistics() }, { locked: false, owner: null, waiting: 0 });
  lock.acquireSync();
  assert.equal(lock.locked(), true);
  const stats = lock.statistics();
  assert.equal(stats.locked, true);
  assert.equal(stats.owner?.name, 'MainThread');
  assert.equal(String(lock), '<Lock locked owner=MainThread waiting=0>');
  lock.release();
  assert.equal(lock.locked(), false);
});

test('Lock is not re-entrant; RLock is', T, () => {
  const lock = new Lock();
  lock.acquireSync();
  assert.equal(lock.acquireSync({ timeout: 0 }), false);
  lock.release();
  const rlock = new RLock();
  assert.equal(rlock.acquireSync(), true);
  assert.equal(rlock.acquireSync({ timeout: 0 }), true);
  assert.equal(rlock.statistics().depth, 2);
  rlock.release();
  assert.equal(rlock.locked(), true);
  rlock.release();
  assert.equal(rlock.locked(), false);
  assert.throws(() => rlock.release(), { code: 'ERR_LOCK_NOT_HELD' });
});
