/**
 * weft/redis Semaphore, BoundedSemaphore and Event between connections:
 * permits handed to waiters in order, timeouts and aborts that withdraw,
 * over-release and value mismatch codes, permits of a connection that ends
 * coming back, and set() waking every waiter.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BoundedSemaphore, connect, Event, Semaphore, TimeoutError } from '../../src/redis.js';
import { ErrorCode } from '../../src/errors.js';
import { until, withScopes } from './helpers.js';

const T = { timeout: 60_000 };

test('a semaphore lets value holders in at once and hands released permits to waiters in order', T, async () => {
  await withScopes(4, async ([a, b, c, d]) => {
    const sa = new Semaphore('slots', { redis: a!, value: 2 });
    assert.equal(await sa.acquire(), true);
    assert.equal(await sa.tryAcquire(), true);
    assert.equal(await sa.tryAcquire(), false);
    const order: string[] = [];
    const waits = [];
    for (const [name, scope] of [['b', b!], ['c', c!], ['d', d!]] as const) {
      const mine = new Semaphore('slots', { redis: scope, value: 2 });
      waits.push(mine.acquire().then(() => order.push(name)));
      await until(async () => (await sa.statistics()).waiting === order.length + waits.length, `${name} queued`);
    }
    // One permit at a time, so the order seen here is the order of the grants.
    await sa.release();
    await waits[0];
    assert.deepEqual(await sa.statistics(), { value: 0, initial: 2, waiting: 2 });
    await sa.release();
    await waits[1];
    await sa.release();
    await waits[2];
    assert.deepEqual(order, ['b', 'c', 'd']);
    await sa.release(2); // n permits at once: to the free count when nobody waits
    assert.deepEqual(await sa.statistics(), { value: 2, initial: 2, waiting: 0 });
  });
});

test('a timed-out or aborted semaphore wait leaves the queue; withLock gives the permit back', T, async () => {
  await withScopes(2, async ([a, b]) => {
    const sa = new Semaphore('one', { redis: a! });
    const sb = new Semaphore('one', { redis: b! });
    assert.equal(await sa.withLock(() => 5), 5);
    await sa.acquire();
    assert.equal(await sb.acquire({ timeout: 20 }), false);
    const controller = new AbortController();
    const aborted = sb.acquire({ signal: controller.signal });
    await until(async () => (await sa.statistics()).waiting === 1, 'b queued');
    controller.abort(new Error('enough'));
    await assert.rejects(aborted, /enough/);
    await assert.rejects(sb.withLock(() => 1, { timeout: 10 }), TimeoutError);
    assert.equal((await sa.statistics()).waiting, 0);
    await sa.release();
    assert.deepEqual(await sb.statistics(), { value: 1, initial: 1, waiting: 0 });
  });
});

test('BoundedSemaphore refuses a release above its initial value; another initial value for the name is refused', T, async () => {
  await withScopes(1, async ([a]) => {
    const bounded = new BoundedSemaphore('pool', { redis: a!, value: 2 });
    await bounded.acquire();
    await bounded.release();
    await assert.rejects(bounded.release(), { code: ErrorCode.SemaphoreOverRelease });
    assert.equal((await bounded.statistics()).value, 2, 'nothing changed');
    await assert.rejects(new BoundedSemaphore('pool', { redis: a!, value: 3 }).acquire(), { code: ErrorCode.InvalidArg });
    assert.throws(() => new Semaphore('neg', { redis: a!, value: -1 }), { code: ErrorCode.InvalidArg });
    await assert.rejects(bounded.release(0), { code: ErrorCode.InvalidArg });
  });
});

test('the permits of a connection that ends come back to the waiters', T, async () => {
  await withScopes(1, async ([b], namespace) => {
    const a = await connect({ namespace });
    const sa = new Semaphore('leased', { redis: a, value: 1 });
    const sb = new Semaphore('leased', { redis: b!, value: 1 });
    await sa.acquire();
    const waiting = sb.acquire();
    await until(async () => (await sb.statistics()).waiting === 1, 'b queued');
    await a.close();
    assert.equal(await waiting, true);
    await sb.release();
    assert.deepEqual(await sb.statistics(), { value: 1, initial: 1, waiting: 0 });
  });
});

test('Event: set() wakes every waiter on every connection; clear() makes later waits wait', T, async () => {
  await withScopes(3, async ([a, b, c]) => {
    const ea = new Event('open', { redis: a! });
    assert.equal(await ea.isSet(), false);
    assert.equal(await ea.wait({ timeout: 0 }), false);
    const waits = [b!, c!, c!].map((scope) => new Event('open', { redis: scope }).wait());
    await until(async () => (await ea.statistics()).waiting === 3, 'three waiting');
    await ea.set();
    assert.deepEqual(await Promise.all(waits), [true, true, true]);
    assert.equal(await new Event('open', { redis: b! }).wait(), true, 'set: no wait');
    await ea.clear();
    assert.equal(await ea.isSet(), false);
    assert.equal(await new Event('open', { redis: b! }).wait({ timeout: 20 }), false);
    assert.deepEqual(await ea.statistics(), { set: false, waiting: 0 });
    const controller = new AbortController();
    const aborted = ea.wait({ signal: controller.signal });
    await until(async () => (await ea.statistics()).waiting === 1, 'one waiting');
    controller.abort(new Error('bye'));
    await assert.rejects(aborted, /bye/);
    assert.equal((await ea.statistics()).waiting, 0);
  });
});
