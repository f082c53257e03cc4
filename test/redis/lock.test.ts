/**
 * weft/redis Lock and RLock between connections of one process (each
 * connection is an owner, as a process on another machine would be):
 * hand-off, FIFO, kept grants, fencing, timeouts and aborts that withdraw,
 * and the misuse codes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, Lock, RLock, TimeoutError } from '../../src/redis.js';
import { ErrorCode } from '../../src/errors.js';
import { dropNamespace, freshNamespace, until, withScopes } from './helpers.js';

const T = { timeout: 60_000 };

test('a lock passes between connections; each new owner gets a larger fence', T, async () => {
  await withScopes(2, async ([a, b]) => {
    const la = new Lock('tickets', { redis: a! });
    const lb = new Lock('tickets', { redis: b! });
    assert.equal(await la.acquire(), true);
    assert.equal(await la.locked(), true);
    assert.equal(await lb.tryAcquire(), false);
    const first = la.fence;
    const waiting = lb.acquire();
    await la.release();
    assert.equal(await waiting, true);
    assert.ok(lb.fence > first, 'the fence grows with the new owner');
    assert.equal(lb.ownerDied, false);
    assert.deepEqual({ ...(await lb.statistics()), fence: 0n }, { locked: true, owner: b!.id, fence: 0n, waiting: 0 });
    await lb.release();
  });
});

test('a released lock nobody waits for is kept: the keeper takes it again under the same fence, another connection still gets it', T, async () => {
  await withScopes(2, async ([a, b]) => {
    const la = new Lock('kept', { redis: a! });
    const lb = new Lock('kept', { redis: b! });
    await la.acquire();
    const fence = la.fence;
    await la.release();
    assert.equal(await la.locked(), false, 'free as far as its keeper is concerned');
    assert.equal((await la.statistics()).owner, a!.id, 'the server still names the keeper');
    for (let i = 0; i < 100; i++) {
      await la.acquire();
      await la.release();
    }
    assert.equal(la.fence, fence, 'kept re-takes are the same grant');
    // The first to queue behind a kept grant asks the keeper, which hands it on.
    assert.equal(await lb.acquire({ timeout: 30_000 }), true);
    assert.equal(lb.fence, fence + 1n);
    await lb.release();
  });
});

test('waiters are served in arrival order (4 connections queued behind a holder)', T, async () => {
  await withScopes(5, async ([holder, ...others]) => {
    const lock = new Lock('fifo', { redis: holder! });
    await lock.acquire();
    const order: number[] = [];
    const waits: Promise<void>[] = [];
    for (const [i, scope] of others.entries()) {
      const mine = new Lock('fifo', { redis: scope });
      waits.push(
        mine.acquire().then(async () => {
          order.push(i);
          await mine.release();
        }),
      );
      await until(async () => (await lock.statistics()).waiting === i + 1, `${i + 1} waiting`);
    }
    await lock.release();
    await Promise.all(waits);
    assert.deepEqual(order, [0, 1, 2, 3]);
  });
});

test('a timed-out wait leaves the queue: the lock is never handed to it later', T, async () => {
  await withScopes(3, async ([a, b, c]) => {
    const la = new Lock('timeout', { redis: a! });
    const lb = new Lock('timeout', { redis: b! });
    const lc = new Lock('timeout', { redis: c! });
    await la.acquire();
    assert.equal(await lb.acquire({ timeout: 20 }), false);
    assert.equal((await la.statistics()).waiting, 0);
    const cWaits = lc.acquire();
    await until(async () => (await la.statistics()).waiting === 1, 'c waiting');
    await la.release();
    assert.equal(await cWaits, true, 'the next waiter, not the one that gave up');
    assert.equal((await lc.statistics()).owner, c!.id);
    await lc.release();
    await assert.rejects(lb.release(), { code: ErrorCode.LockNotHeld });
  });
});

test('an aborted wait rejects with the reason and leaves the queue', T, async () => {
  await withScopes(2, async ([a, b]) => {
    const la = new Lock('abort', { redis: a! });
    const lb = new Lock('abort', { redis: b! });
    await la.acquire();
    const controller = new AbortController();
    const waiting = lb.acquire({ signal: controller.signal });
    await until(async () => (await la.statistics()).waiting === 1, 'b waiting');
    controller.abort(new Error('stop'));
    await assert.rejects(waiting, /stop/);
    assert.equal((await la.statistics()).waiting, 0);
    await la.release();
    await assert.rejects(lb.acquire({ signal: AbortSignal.abort() }), { name: 'AbortError' });
  });
});

test('two callers on one connection exclude each other', T, async () => {
  await withScopes(1, async ([a]) => {
    const one = new Lock('local', { redis: a! });
    const two = new Lock('local', { redis: a! });
    await one.acquire();
    let second = false;
    const waiting = two.acquire().then(() => (second = true));
    await until(async () => (await one.statistics()).waiting === 1, 'the second caller queued');
    assert.equal(second, false);
    await one.release();
    await waiting;
    assert.equal(second, true);
    await two.release();
  });
});

test('RLock: its owner takes it again; another connection cannot release it', T, async () => {
  await withScopes(2, async ([a, b]) => {
    const ra = new RLock('ledger', { redis: a! });
    const rb = new RLock('ledger', { redis: b! });
    await ra.acquire();
    assert.equal(await ra.acquire({ timeout: 0 }), true);
    await assert.rejects(rb.release(), { code: ErrorCode.LockNotHeld });
    await ra.release();
    assert.equal(await rb.tryAcquire(), false, 'still held at depth 1');
    await ra.release();
    assert.equal(await rb.acquire({ timeout: 30_000 }), true);
    await rb.release();
  });
});

test('withLock releases however fn ends, and says TimeoutError when it cannot take the lock', T, async () => {
  await withScopes(2, async ([a, b]) => {
    const la = new Lock('with', { redis: a! });
    const lb = new Lock('with', { redis: b! });
    assert.equal(await la.withLock(() => 7), 7);
    await assert.rejects(la.withLock(() => Promise.reject(new Error('boom'))), /boom/);
    await la.acquire();
    await assert.rejects(lb.withLock(() => 1, { timeout: 10 }), TimeoutError);
    await la.release();
    assert.equal(await lb.withLock(() => 'b', { timeout: 30_000 }), 'b');
  });
});

test('misuse: release without holding, bad names and options, calls after close', T, async () => {
  await withScopes(1, async ([a]) => {
    const lock = new Lock('misuse', { redis: a! });
    await assert.rejects(lock.release(), { code: ErrorCode.LockNotHeld });
    assert.throws(() => new Lock('a|b', { redis: a! }), { code: ErrorCode.InvalidArg });
    assert.throws(() => new Lock('', { redis: a! }), { code: ErrorCode.InvalidArg });
    assert.throws(() => new Lock('x', {} as never), { code: ErrorCode.InvalidArg });
    await assert.rejects(lock.acquire({ timeout: -1 }), { code: ErrorCode.InvalidArg });
  });
  await assert.rejects(connect({ namespace: '{x}' }), { code: ErrorCode.InvalidArg });
  await assert.rejects(connect({ lease: 5 }), { code: ErrorCode.InvalidArg });
  const namespace = freshNamespace();
  const scope = await connect({ namespace });
  await scope.close();
  await dropNamespace(namespace);
  assert.throws(() => new Lock('x', { redis: scope }), { code: ErrorCode.ConnectionClosed });
});

test('a connection that closes holding a lock hands it to the next waiter with ownerDied; a kept one passes cleanly', T, async () => {
  await withScopes(1, async ([b], namespace) => {
    const a = await connect({ namespace });
    const la = new Lock('close', { redis: a });
    const lb = new Lock('close', { redis: b! });
    await la.acquire();
    const waiting = lb.acquire();
    await until(async () => (await lb.statistics()).waiting === 1, 'b waiting');
    await a.close();
    assert.equal(await waiting, true);
    assert.equal(lb.ownerDied, true);
    await lb.release();
    const c = await connect({ namespace });
    const lc = new Lock('close', { redis: c });
    await lc.acquire();
    await lc.release(); // kept by c
    await c.close();
    assert.equal(await lb.acquire({ timeout: 0 }), true, 'handed back at close');
    assert.equal(lb.ownerDied, false);
    await lb.release();
  });
});
