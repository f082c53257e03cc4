/**
 * weft/redis Barrier between connections and processes: a round releases
 * every party with distinct indices and the barrier is reused; a timeout,
 * abort() and a party's death break it (BrokenBarrierError for everyone)
 * until reset(); an aborted signal withdraws one party without breaking it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { Barrier, BrokenBarrierError } from '../../src/redis.js';
import { ErrorCode } from '../../src/errors.js';
import { repoRoot } from '../helpers/programs.js';
import { until, withScopes } from './helpers.js';

const T = { timeout: 60_000 };

test('the last party releases every party with distinct indices, in arrival order, and the barrier is reused', T, async () => {
  await withScopes(3, async (scopes) => {
    const barriers = scopes.map((redis) => new Barrier('round', { redis, parties: 3 }));
    for (let round = 0; round < 2; round++) {
      const first = barriers[0]!.wait();
      await until(async () => (await barriers[0]!.nWaiting()) === 1, 'the first party waits');
      const second = barriers[1]!.wait();
      await until(async () => (await barriers[0]!.nWaiting()) === 2, 'the second party waits');
      assert.equal(await barriers[2]!.wait(), 2, 'the last to arrive gets parties - 1');
      assert.deepEqual(await Promise.all([first, second]), [0, 1]);
      assert.deepEqual(await barriers[1]!.statistics(), { parties: 3, nWaiting: 0, broken: false });
    }
  });
});

test('a timed-out wait breaks the barrier for every party until reset(); timeout 0 is "trip now or break"', T, async () => {
  await withScopes(3, async ([a, b, c]) => {
    const ba = new Barrier('t', { redis: a!, parties: 3 });
    const bb = new Barrier('t', { redis: b!, parties: 3, timeout: 30 });
    const bc = new Barrier('t', { redis: c!, parties: 3 });
    // Each promise's rejection is expected before it is awaited: assert.rejects is attached at once.
    const waiting = assert.rejects(ba.wait(), BrokenBarrierError);
    await until(async () => (await ba.nWaiting()) === 1, 'a waits');
    await assert.rejects(bb.wait(), BrokenBarrierError, 'the default timeout applies');
    await waiting;
    assert.equal(await bc.broken(), true);
    await assert.rejects(bc.wait(), BrokenBarrierError);
    await bc.reset();
    assert.equal(await bc.broken(), false);
    await assert.rejects(ba.wait({ timeout: 0 }), BrokenBarrierError);
    await bc.reset();
    const all = [ba.wait(), bb.wait({ timeout: 60_000 })];
    await until(async () => (await ba.nWaiting()) === 2, 'two wait');
    assert.equal(await bc.wait({ timeout: 0 }), 2, 'the last party trips it even with timeout 0');
    assert.deepEqual((await Promise.all(all)).sort(), [0, 1]);
  });
});

test('abort() and reset() fail the parties waiting; an aborted signal withdraws one party without breaking it', T, async () => {
  await withScopes(2, async ([a, b]) => {
    const ba = new Barrier('ab', { redis: a!, parties: 3 });
    const bb = new Barrier('ab', { redis: b!, parties: 3 });
    const controller = new AbortController();
    const withdrawn = ba.wait({ signal: controller.signal });
    await until(async () => (await bb.nWaiting()) === 1, 'a waits');
    controller.abort(new Error('leave'));
    await assert.rejects(withdrawn, /leave/);
    assert.deepEqual(await bb.statistics(), { parties: 3, nWaiting: 0, broken: false });
    const reset = assert.rejects(ba.wait(), BrokenBarrierError);
    await until(async () => (await bb.nWaiting()) === 1, 'a waits again');
    await bb.reset();
    await reset;
    assert.equal(await bb.broken(), false, 'reset leaves it usable');
    const aborted = assert.rejects(ba.wait(), BrokenBarrierError);
    await until(async () => (await bb.nWaiting()) === 1, 'a waits once more');
    await bb.abort();
    await aborted;
    assert.equal(await ba.broken(), true);
    await ba.reset();
  });
});

test('parties are checked, and must agree across processes', T, async () => {
  await withScopes(1, async ([a]) => {
    assert.throws(() => new Barrier('p', { redis: a!, parties: 0 }), { code: ErrorCode.InvalidArg });
    assert.throws(() => new Barrier('p', { redis: a!, parties: 1.5 }), { code: ErrorCode.InvalidArg });
    assert.throws(() => new Barrier('p', { redis: a!, parties: 2, timeout: -1 }), { code: ErrorCode.InvalidArg });
    assert.equal(await new Barrier('p', { redis: a!, parties: 1 }).wait(), 0, 'one party trips it alone');
    await assert.rejects(new Barrier('p', { redis: a!, parties: 2 }).wait(), { code: ErrorCode.InvalidArg });
  });
});

test('a waiting party killed with SIGKILL breaks the barrier for the others once its lease runs out', T, async () => {
  await withScopes(1, async ([a], namespace) => {
    const child = spawn(process.execPath, ['--import', 'tsx', `${repoRoot}test/redis/fixtures/barrier-party.ts`, namespace, 'dies', '3', '1000'], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    try {
      const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
      assert.equal((await lines.next()).value, 'arriving');
      const ba = new Barrier('dies', { redis: a!, parties: 3 });
      await until(async () => (await ba.nWaiting()) === 1, 'the child waits', 100_000);
      const waiting = assert.rejects(ba.wait(), BrokenBarrierError);
      await until(async () => (await ba.nWaiting()) === 2, 'a waits');
      child.kill('SIGKILL');
      await waiting;
      assert.equal(await ba.broken(), true);
    } finally {
      child.kill('SIGKILL');
      if (child.exitCode === null && child.signalCode === null) await once(child, 'exit');
    }
  });
});

test('a party in another process gets its index when the round completes', T, async () => {
  await withScopes(1, async ([a], namespace) => {
    const child = spawn(process.execPath, ['--import', 'tsx', `${repoRoot}test/redis/fixtures/barrier-party.ts`, namespace, 'meet', '2', '10000'], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    try {
      const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
      assert.equal((await lines.next()).value, 'arriving');
      const ba = new Barrier('meet', { redis: a!, parties: 2 });
      await until(async () => (await ba.nWaiting()) === 1, 'the child waits', 100_000);
      assert.equal(await ba.wait(), 1);
      assert.equal((await lines.next()).value, 'index 0');
    } finally {
      if (child.exitCode === null && child.signalCode === null) await once(child, 'exit');
    }
  });
});
