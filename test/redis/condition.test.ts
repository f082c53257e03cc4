/**
 * weft/redis Condition between connections and processes: notify wakes
 * sleepers in arrival order, wait lets go of an RLock completely and takes
 * it back at the same depth, timeouts and aborts withdraw (and take the
 * lock back), waitFor's deadline, misuse codes, and a sleeper killed with
 * SIGKILL is dropped so a notify reaches the live one.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { Condition, Lock, RLock } from '../../src/redis.js';
import { ErrorCode } from '../../src/errors.js';
import { repoRoot } from '../helpers/programs.js';
import { until, withScopes } from './helpers.js';

const T = { timeout: 60_000 };

test('notify wakes sleepers of several connections in the order they slept; notifyAll wakes the rest', T, async () => {
  await withScopes(4, async ([a, b, c, d]) => {
    const ca = new Condition('ready', { redis: a! });
    const order: string[] = [];
    const sleepers: Promise<void>[] = [];
    for (const [name, scope] of [['b', b!], ['c', c!], ['d', d!]] as const) {
      const mine = new Condition('ready', { redis: scope });
      await mine.acquire();
      sleepers.push(
        mine.wait().then(async (notified) => {
          assert.equal(notified, true);
          assert.equal((await mine.statistics()).locked, true, 'the lock is held again when wait returns');
          order.push(name);
          await mine.release();
        }),
      );
      await until(async () => (await ca.statistics()).waiting === sleepers.length, `${name} asleep`);
    }
    await ca.withLock(async () => assert.equal(await ca.notify(), 1));
    await sleepers[0];
    await ca.withLock(async () => assert.equal(await ca.notifyAll(), 2));
    await Promise.all(sleepers);
    assert.equal(order[0], 'b');
    assert.deepEqual(order.slice(1).sort(), ['c', 'd']);
    await ca.withLock(async () => assert.equal(await ca.notify(3), 0, 'nobody left to notify'));
  });
});

test('wait lets go of every level of an RLock and takes it back at the same depth', T, async () => {
  await withScopes(2, async ([a, b]) => {
    const lockA = new RLock('shelf', { redis: a! });
    const ca = new Condition('restock', { redis: a!, lock: lockA });
    const cb = new Condition('restock', { redis: b!, lock: new RLock('shelf', { redis: b! }) });
    await lockA.acquire();
    await lockA.acquire();
    const sleeping = ca.wait();
    await until(async () => (await cb.statistics()).waiting === 1, 'a asleep');
    assert.equal(await cb.acquire({ timeout: 10_000 }), true, 'the RLock was let go completely');
    await cb.notify();
    await cb.release();
    assert.equal(await sleeping, true);
    await lockA.release();
    await lockA.release();
    await assert.rejects(lockA.release(), { code: ErrorCode.LockNotHeld });
  });
});

test('a timed-out or aborted wait withdraws and holds the lock again; a later notify finds nobody', T, async () => {
  await withScopes(2, async ([a, b]) => {
    const ca = new Condition('c', { redis: a!, lock: new Lock('m', { redis: a! }) });
    const cb = new Condition('c', { redis: b!, lock: new Lock('m', { redis: b! }) });
    await ca.acquire();
    assert.equal(await ca.wait({ timeout: 20 }), false);
    assert.equal((await ca.statistics()).locked, true);
    const controller = new AbortController();
    const aborted = ca.wait({ signal: controller.signal });
    await until(async () => (await cb.statistics()).waiting === 1, 'a asleep');
    controller.abort(new Error('stop'));
    await assert.rejects(aborted, /stop/);
    assert.equal((await ca.statistics()).locked, true, 'the lock is held again after an abort');
    await ca.release();
    await cb.withLock(async () => assert.equal(await cb.notify(), 0));
    await assert.rejects(ca.wait({ signal: AbortSignal.abort(new Error('early')) }), /early/);
  });
});

test('wait and notify without the lock are refused; notify checks n', T, async () => {
  await withScopes(1, async ([a]) => {
    const ca = new Condition('idle', { redis: a! });
    await assert.rejects(ca.wait(), { code: ErrorCode.LockNotHeld });
    await assert.rejects(ca.notify(), { code: ErrorCode.LockNotHeld });
    await ca.acquire();
    await assert.rejects(ca.notify(-1), { code: ErrorCode.InvalidArg });
    await assert.rejects(ca.notify(1.5), { code: ErrorCode.InvalidArg });
    await ca.release();
    assert.throws(() => new Condition('x', { redis: a!, lock: {} as Lock }), { code: ErrorCode.InvalidArg });
  });
});

test('waitFor re-checks an async predicate after each notify and gives up at its deadline', T, async () => {
  await withScopes(2, async ([a, b]) => {
    const ca = new Condition('count', { redis: a! });
    const cb = new Condition('count', { redis: b! });
    let count = 0;
    await ca.acquire();
    const waited = ca.waitFor(async () => count >= 2 && count);
    for (let i = 1; i <= 2; i++) {
      await until(async () => (await cb.statistics()).waiting === 1, `asleep before notify ${i}`);
      await cb.withLock(async () => {
        count = i;
        await cb.notify();
      });
    }
    assert.equal(await waited, 2);
    assert.equal(await ca.waitFor(async () => false, { timeout: 20 }), false);
    await ca.release();
  });
});

test('a sleeper killed with SIGKILL is dropped once its lease runs out; notify reaches the live sleeper', T, async () => {
  await withScopes(2, async ([a, b], namespace) => {
    const child = spawn(process.execPath, ['--import', 'tsx', `${repoRoot}test/redis/fixtures/cond-waiter.ts`, namespace, 'gone', '1000'], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    try {
      const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
      assert.match(String((await lines.next()).value), /^waiting \d+$/);
      const ca = new Condition('gone', { redis: a! });
      await until(async () => (await ca.statistics()).waiting === 1, 'the child asleep', 100_000);
      const cb = new Condition('gone', { redis: b! });
      await cb.acquire();
      const live = cb.wait();
      await until(async () => (await ca.statistics()).waiting === 2, 'b asleep behind the child');
      child.kill('SIGKILL');
      await until(async () => (await ca.statistics()).waiting === 1, 'the dead sleeper dropped', 100_000);
      await ca.withLock(async () => assert.equal(await ca.notify(), 1));
      assert.equal(await live, true);
      await cb.release();
    } finally {
      child.kill('SIGKILL');
      if (child.exitCode === null && child.signalCode === null) await once(child, 'exit');
    }
  });
});
