/**
 * weft/redis Value: typed get/set with C wrapping and float32 rounding,
 * atomic add and compareExchange (64-bit integers too), update under the
 * value's lock or by compare-and-swap, the lock option and ERR_NO_LOCK, type
 * mismatches, and no update lost when processes add at once.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { Lock, RLock, TimeoutError, Value } from '../../src/redis.js';
import { ErrorCode } from '../../src/errors.js';
import { repoRoot } from '../helpers/programs.js';
import { withScopes } from './helpers.js';

const T = { timeout: 60_000 };

test('values keep their type: integers wrap, float32 rounds, float64 round-trips, 64-bit integers are bigints', T, async () => {
  await withScopes(2, async ([a, b]) => {
    const i8 = new Value('i8', 'b', { redis: a! });
    assert.equal(await i8.get(), 0);
    await i8.set(127);
    assert.equal(await i8.add(1), -128, 'wraps like a C int8');
    assert.equal(await new Value('i8', 'b', { redis: b!, initial: 5 }).get(), -128, 'initial is ignored once the name exists');
    const u32 = new Value('u32', 'I', { redis: a!, initial: 1 });
    assert.equal(await u32.add(-2), 4294967295);
    const f32 = new Value('f32', 'f', { redis: a! });
    await f32.set(0.1);
    assert.equal(await f32.get(), Math.fround(0.1));
    assert.equal(await f32.add(0.2), Math.fround(Math.fround(0.1) + Math.fround(0.2)));
    const f64 = new Value('f64', 'd', { redis: b!, initial: 0.1 });
    assert.equal(await f64.add(0.2), 0.1 + 0.2);
    await f64.set(-Infinity);
    assert.equal(await f64.get(), -Infinity);
    await f64.set(NaN);
    assert.ok(Number.isNaN(await f64.get()));
    const q = new Value('q', 'q', { redis: a!, initial: 2n ** 63n - 1n });
    assert.equal(await q.add(1n), -(2n ** 63n), 'int64 wraps');
    const big = new Value('big', 'Q', { redis: b! });
    assert.equal(await big.add(-1n), 2n ** 64n - 1n);
  });
});

test('compareExchange swaps only on a match and returns what it found', T, async () => {
  await withScopes(1, async ([a]) => {
    const v = new Value('cas', 'd', { redis: a!, initial: 0.1 });
    assert.equal(await v.compareExchange(0.2, 9), 0.1);
    assert.equal(await v.get(), 0.1);
    assert.equal(await v.compareExchange(0.1, 9), 0.1);
    assert.equal(await v.get(), 9);
    const q = new Value('cas64', 'q', { redis: a!, initial: 5n });
    assert.equal(await q.compareExchange(5n, 2n ** 62n), 5n);
    assert.equal(await q.get(), 2n ** 62n);
  });
});

test('update runs under the value lock (or by compare-and-swap without one); getLock and its errors', T, async () => {
  await withScopes(2, async ([a, b]) => {
    const va = new Value('u', 'i', { redis: a! });
    const vb = new Value('u', 'i', { redis: b! });
    assert.ok(va.getLock() instanceof RLock);
    assert.equal(await va.update(async (n) => n + 10), 10);
    await vb.getLock().acquire();
    await assert.rejects(va.update((n) => n + 1, { timeout: 20 }), TimeoutError);
    await assert.rejects(va.update((n) => n + 1, { signal: AbortSignal.abort(new Error('no')) }), /no/);
    const waiting = va.update((n) => n * 2);
    await vb.set(21);
    await vb.getLock().release();
    assert.equal(await waiting, 42);
    const free = new Value('u', 'i', { redis: a!, lock: false });
    assert.throws(() => free.getLock(), { code: ErrorCode.NoLock });
    let runs = 0;
    assert.equal(
      await free.update(async (n) => {
        if (runs++ === 0) await vb.set(100); // another writer gets in: fn runs again on its value
        return n + 1;
      }),
      101,
    );
    assert.equal(runs, 2);
    const given = new Lock('guard', { redis: a! });
    assert.equal(new Value('g', 'i', { redis: a!, lock: given }).getLock(), given);
  });
});

test('bad input: typecode, element type, another type for the name, lock option', T, async () => {
  await withScopes(1, async ([a]) => {
    assert.throws(() => new Value('x', 'z' as 'i', { redis: a! }), { code: ErrorCode.InvalidArg });
    assert.throws(() => new Value('x', 'i', { redis: a!, initial: 1.5 }), { code: ErrorCode.InvalidArg });
    assert.throws(() => new Value('x', 'q', { redis: a!, initial: 1 as unknown as bigint }), { code: ErrorCode.InvalidArg });
    assert.throws(() => new Value('x', 'i', { redis: a!, lock: {} as Lock }), { code: ErrorCode.InvalidArg });
    const v = new Value('x', 'i', { redis: a! });
    await assert.rejects(v.set(0.5), { code: ErrorCode.InvalidArg });
    await v.set(1);
    await assert.rejects(new Value('x', 'd', { redis: a! }).get(), { code: ErrorCode.InvalidArg });
  });
});

test('processes adding at once lose no update (add and update)', T, async () => {
  await withScopes(1, async ([a], namespace) => {
    const children = [0, 1, 2].map(() =>
      spawn(process.execPath, ['--import', 'tsx', `${repoRoot}test/redis/fixtures/value-adder.ts`, namespace, 'hits', '50'], {
        cwd: repoRoot,
        stdio: ['ignore', 'pipe', 'inherit'],
      }),
    );
    try {
      const outputs = children.map(async (child) => {
        let out = '';
        child.stdout!.on('data', (chunk: Buffer) => (out += chunk));
        const [code] = await once(child, 'exit');
        assert.equal(code, 0);
        assert.equal(out.trim(), 'done');
      });
      await Promise.all(outputs);
      assert.equal(await new Value('hits-add', 'i', { redis: a! }).get(), 3 * 50);
      assert.equal(await new Value('hits-update', 'i', { redis: a! }).get(), 3 * 50);
    } finally {
      for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  });
});
