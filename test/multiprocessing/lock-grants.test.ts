/**
 * Cached grants of process-scope locks (`backends/hub/lock.ts`, "Grants"):
 * a process that holds a Lock/RLock's grant takes it in its own shared
 * memory; the hub asks for it back when another process waits. What users
 * rely on: FIFO between processes (the holder's own threads cannot keep it
 * from a waiter elsewhere), exclusion under many hand-offs, and `ownerDied`
 * whenever a holder — a process or one of its threads — ends holding it.
 */
import { afterEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Process } from '../../src/runner/process.js';
import { activeChildren } from '../../src/runner/current-process.js';
import { Thread } from '../../src/runner/thread.js';
import { Condition } from '../../src/multiprocessing/condition.js';
import { Event } from '../../src/multiprocessing/event.js';
import { Lock } from '../../src/multiprocessing/lock.js';
import { RLock } from '../../src/multiprocessing/rlock.js';
import { SharedArray } from '../../src/multiprocessing/shared-array.js';
import { Value } from '../../src/multiprocessing/value.js';
import { waitForWaiters } from '../../src/testing/index.js';
import { checkNoThreadsLeft } from '../helpers/leaks.js';
import { joinAll } from '../helpers/workers.js';
import * as targets from '../fixtures/grant-targets.js';

const T = { timeout: 180_000 };
const WAIT = { timeout: 60_000 };
checkNoThreadsLeft();
afterEach(() => {
  const left = activeChildren();
  for (const child of left) child.kill();
  assert.deepEqual(left.map((c) => c.name), [], 'processes left running after the test');
});

function start<W extends Thread | Process>(worker: W): W {
  worker.start();
  return worker;
}

/** A child process that holds `lock` (in its cell) until `go`; `out.value` then says how its release went (`holdUntilGo`). */
async function holdInChild(lock: Lock | RLock): Promise<{ child: Process; go: Event; out: Value<number> }> {
  const held = new Event();
  const go = new Event();
  const out = new Value('i', -1);
  const child = start(new Process({ target: targets.holdUntilGo, args: [lock, held, go, out] }));
  assert.equal(await held.wait(WAIT), true);
  return { child, go, out };
}

for (const [name, make] of [['Lock', () => new Lock()], ['RLock', () => new RLock()]] as const) {
  describe(`${name} with cached grants`, () => {
    test('a grant revoked while threads of its process wait: the waiter in another process goes first, the threads after it', T, async () => {
      const lock = make();
      const turnNo = new Value('i', 0);
      const order = new SharedArray('i', [-1, -1, -1]);
      lock.acquireSync(); // this process holds the grant, this thread the lock
      const threads = [1, 2].map((who) => start(new Thread({ target: targets.takeTurn, args: [lock, turnNo, order, who] })));
      await waitForWaiters(lock, 2, WAIT); // both wait in this process's cell: counted there
      assert.equal(lock.statistics().waiting, 2);
      const child = start(new Process({ target: targets.takeTurn, args: [lock, turnNo, order, 0] }));
      await waitForWaiters(lock, 3, WAIT); // and the child, in the hub: the grant is being revoked
      lock.release(); // gives the grant back: the child is served before this process's threads
      await joinAll([child, ...threads]);
      const [childTurn, a, b] = order.toArray();
      assert.equal(childTurn, 0, 'the waiter in the other process was served first');
      assert.deepEqual([a, b].sort(), [1, 2]);
      assert.equal(lock.locked(), false);
    });

    test('two processes hand it back and forth: no update lost, every acquire counted', T, async () => {
      const lock = make();
      const counter = new Value('i', 0, { lock: false });
      const done = new SharedArray('i', 2);
      const n = 5_000;
      const children = [true, false].map((useAsync, slot) => start(new Process({ target: targets.incrementMany, args: [lock, counter, n, done, slot, useAsync] })));
      await joinAll(children);
      assert.deepEqual(done.toArray(), [n, n]);
      assert.equal(counter.value, 2 * n);
      assert.equal(lock.locked(), false);
    });

    test('two processes take it 100,000 times between them: every acquire succeeds, and it ends free', T, async () => {
      const lock = make();
      const done = new SharedArray('i', 2);
      const n = 50_000;
      const children = [true, false].map((useAsync, slot) => start(new Process({ target: targets.acquireMany, args: [lock, n, done, slot, useAsync] })));
      await joinAll(children);
      assert.deepEqual(done.toArray(), [n, n]);
      assert.equal(lock.locked(), false);
      assert.equal(lock.statistics().waiting, 0);
    });

    test('locked() and statistics() from another process see the holder in its cell, and its idle grant as free', T, async () => {
      const lock = make();
      const { child, go, out } = await holdInChild(lock);
      assert.equal(lock.locked(), true);
      const { locked, owner, depth, waiting } = lock.statistics();
      assert.deepEqual([locked, owner?.process === 0, depth, waiting], [true, false, 1, 0]);
      go.set();
      await joinAll([child]);
      assert.equal(out.value, 0);
      assert.equal(lock.locked(), false, 'the child exited: its grant came back');
    });

    test('a Condition over it: a wait releases every level held in the cell, a notify from a holder in the cell wakes the sleepers', T, async () => {
      const lock = make();
      const cond = new Condition(lock);
      const stock = new Value('i', 0);
      const got = new Value('i', 0);
      const depth = lock instanceof RLock ? 2 : 1;
      const sleepers = [
        start(new Process({ target: targets.takeStock, args: [cond, lock, stock, got, depth, true] })),
        start(new Thread({ target: targets.takeStock, args: [cond, lock, stock, got, depth, false] })),
      ];
      await waitForWaiters(cond, 2, WAIT);
      lock.acquireSync(); // taken in this process's cell
      stock.value = 2;
      cond.notifyAll();
      lock.release();
      await joinAll(sleepers);
      assert.equal(got.value, 2);
      assert.equal(stock.value, 0);
      assert.equal(lock.locked(), false);
    });

    test('a process killed holding it with its grant: the waiter elsewhere gets it, told ownerDied', T, async () => {
      const lock = make();
      const held = new Event();
      const holder = start(new Process({ target: targets.holdUntilKilled, args: [lock, held] }));
      assert.equal(await held.wait(WAIT), true);
      const waiter = lock.acquire(WAIT);
      await waitForWaiters(lock, 1, WAIT);
      holder.kill();
      assert.equal(await waiter, true);
      assert.equal(lock.ownerDied, true);
      lock.release();
      await holder.join(WAIT);
      assert.equal(holder.exitcode, -9);
    });

    test('a process killed while its acquire waits in the hub never held it: the next owner is not told ownerDied', T, async () => {
      const lock = make();
      for (let round = 0; round < 3; round++) {
        lock.acquireSync();
        const waiter = start(new Process({ target: targets.waitForLock, args: [lock] }));
        await waitForWaiters(lock, 1, WAIT);
        waiter.kill();
        // Released before or after the hub sees the waiter gone (both happen): the grant it may
        // get reaches no thread (its link never acknowledges it), so it passes on as it came.
        if (round % 2 === 0) await waiter.join(WAIT);
        lock.release();
        if (round % 2 === 1) await waiter.join(WAIT);
        assert.equal(await lock.acquire(WAIT), true);
        assert.equal(lock.ownerDied, false, `round ${round}: told ownerDied by a waiter that never held it`);
        assert.equal(lock.statistics().waiting, 0);
        lock.release();
      }
    });

    test('a process that exits keeping an idle grant gives it back: the next owner is not told ownerDied', T, async () => {
      const lock = make();
      const taken = new Event();
      const go = new Event();
      const child = start(new Process({ target: targets.takeOnceThenWait, args: [lock, taken, go] }));
      assert.equal(await taken.wait(WAIT), true);
      const waiter = lock.acquire(WAIT); // revokes the child's idle grant
      assert.equal(await waiter, true);
      assert.equal(lock.ownerDied, false);
      lock.release();
      go.set();
      await joinAll([child]);
      assert.equal(await lock.acquire(WAIT), true);
      assert.equal(lock.ownerDied, false);
      lock.release();
    });

    if (name === 'Lock') {
      test('a Lock held in another process\'s cell may be released from here, as in Python', T, async () => {
        const lock = make();
        const { child, go, out } = await holdInChild(lock);
        lock.release();
        assert.equal(lock.locked(), false);
        assert.throws(() => lock.release(), { code: 'ERR_LOCK_NOT_HELD' });
        go.set();
        await joinAll([child]);
        assert.equal(out.value, 1, 'the holder found it released');
      });
    }

    test('a thread terminated holding it in its process\'s cell: a waiter in another process gets it, told ownerDied', T, async () => {
      const lock = make();
      const held = new Event();
      const go = new Event();
      const died = new Value('i', -1);
      const parent = start(new Thread({ target: targets.holdInDaemonUntil, args: [lock, held, go] }));
      assert.equal(await held.wait(WAIT), true); // a daemon thread of this process holds it
      const waiter = start(new Process({ target: targets.acquireReportOwnerDied, args: [lock, died] }));
      await waitForWaiters(lock, 1, WAIT); // the revoke found it held: pending
      go.set(); // the parent returns; its daemon is terminated holding the lock
      await joinAll([parent, waiter]);
      assert.equal(died.value, 1);
      assert.equal(lock.locked(), false);
    });

    test('a thread terminated holding it in its process\'s cell: the next thread of that process gets it, told ownerDied', T, async () => {
      const lock = make();
      const held = new Event();
      const go = new Event();
      const parent = start(new Thread({ target: targets.holdInDaemonUntil, args: [lock, held, go] }));
      assert.equal(await held.wait(WAIT), true);
      go.set();
      await joinAll([parent]);
      assert.equal(lock.acquireSync(WAIT), true);
      assert.equal(lock.ownerDied, true);
      lock.release();
      assert.equal(lock.locked(), false);
    });
  });
}
