/**
 * Fault tests of the weft/redis Lock with real processes: a holder killed
 * with SIGKILL, and a holder frozen (SIGSTOP) past its lease and then
 * resumed. No timed assertions: each test waits for the event it needs.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { Lock } from '../../src/redis.js';
import { repoRoot } from '../helpers/programs.js';
import { until, withScopes } from './helpers.js';

const T = { timeout: 120_000 };
const HOLDER = `${repoRoot}test/redis/fixtures/holder.ts`;

/** Starts a holder process; resolves with it and a reader of its lines once it holds the lock. */
async function startHolder(namespace: string, name: string, lease: number): Promise<{ child: ChildProcess; lines: AsyncIterator<string>; fence: bigint }> {
  const child = spawn(process.execPath, ['--import', 'tsx', HOLDER, namespace, name, String(lease)], { cwd: repoRoot, stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  const first = await lines.next();
  assert.match(String(first.value), /^held \d+$/);
  return { child, lines, fence: BigInt(String(first.value).slice(5)) };
}

async function ended(child: ChildProcess): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) await once(child, 'exit');
}

test('kill -9 of a holder: the next waiter gets the lock with ownerDied once its lease ran out', T, async () => {
  await withScopes(1, async ([scope], namespace) => {
    const { child, fence } = await startHolder(namespace, 'tickets', 1000);
    try {
      const lock = new Lock('tickets', { redis: scope! });
      const waiting = lock.acquire();
      await until(async () => (await lock.statistics()).waiting === 1, 'queued behind the holder');
      child.kill('SIGKILL');
      assert.equal(await waiting, true);
      assert.equal(lock.ownerDied, true);
      assert.ok(lock.fence > fence);
      await lock.release();
    } finally {
      child.kill('SIGKILL');
      await ended(child);
    }
  });
});

test('a holder frozen past its lease loses the lock; resumed, its release says ERR_LOCK_LOST', T, async () => {
  await withScopes(1, async ([scope], namespace) => {
    const { child, lines, fence } = await startHolder(namespace, 'frozen', 1000);
    try {
      const lock = new Lock('frozen', { redis: scope! });
      const waiting = lock.acquire();
      await until(async () => (await lock.statistics()).waiting === 1, 'queued behind the holder');
      child.kill('SIGSTOP');
      assert.equal(await waiting, true);
      assert.equal(lock.ownerDied, true);
      assert.ok(lock.fence > fence, 'the fence moved on');
      child.kill('SIGCONT');
      child.stdin!.write('release\n');
      assert.equal((await lines.next()).value, 'ERR_LOCK_LOST');
      assert.equal((await lock.statistics()).owner, scope!.id, 'the new owner keeps it');
      await lock.release();
    } finally {
      child.kill('SIGCONT');
      child.kill('SIGKILL');
      await ended(child);
    }
  });
});

test('a waiter frozen past its lease is dropped from the queue, and queues again when it resumes', T, async () => {
  await withScopes(1, async ([scope], namespace) => {
    const lock = new Lock('resumed', { redis: scope! });
    await lock.acquire();
    const child = spawn(process.execPath, ['--import', 'tsx', `${repoRoot}test/redis/fixtures/waiter.ts`, namespace, 'resumed', '1000'], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    try {
      const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
      assert.equal((await lines.next()).value, 'waiting');
      await until(async () => (await lock.statistics()).waiting === 1, 'the child queued', 100_000);
      child.kill('SIGSTOP');
      await until(async () => (await lock.statistics()).waiting === 0, 'the frozen waiter reaped', 100_000);
      child.kill('SIGCONT');
      await until(async () => (await lock.statistics()).waiting === 1, 'the resumed waiter queued again', 100_000);
      await lock.release();
      assert.equal((await lines.next()).value, 'got ownerDied=false');
    } finally {
      child.kill('SIGCONT');
      child.kill('SIGKILL');
      await ended(child);
    }
  });
});
