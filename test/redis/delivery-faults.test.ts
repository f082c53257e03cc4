/**
 * Fault tests of weft/redis wake-message delivery: a message read from the
 * wake list and not yet delivered to the waiting call must not be lost —
 * neither when the process dies at that moment (its reaper hands the item
 * or the grant on), nor when the blocking connection breaks and the reply
 * is lost (the loop re-reads its in-delivery list after reconnecting).
 * The stop between read and delivery is a test hook (wake.ts), so each
 * test hits the window deterministically.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { createClient } from '@redis/client';
import { Lock, Queue } from '../../src/redis.js';
import { wakeTestHooks } from '../../src/backends/redis/wake.js';
import { repoRoot } from '../helpers/programs.js';
import { redisUrl, until, withScopes } from './helpers.js';

const T = { timeout: 120_000 };

/** Starts a stalled reader waiting on `what`; resolves once its wait is queued on the server. */
async function startReader(namespace: string, name: string, what: 'get' | 'lock'): Promise<{ child: ChildProcess; lines: AsyncIterator<string> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', `${repoRoot}test/redis/fixtures/stalled-reader.ts`, namespace, name, '3000', what], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  assert.equal((await lines.next()).value, 'queued');
  return { child, lines };
}

async function ended(child: ChildProcess): Promise<void> {
  child.kill('SIGKILL');
  if (child.exitCode === null && child.signalCode === null) await once(child, 'exit');
}

test('a getter killed after reading its item and before delivering it: the item goes to the next getter', T, async () => {
  await withScopes(1, async ([scope], namespace) => {
    const { child, lines } = await startReader(namespace, 'jobs', 'get');
    try {
      const queue = new Queue<string>('jobs', { redis: scope! });
      await queue.put('precious');
      assert.match(String((await lines.next()).value), /^read i\|/);
      await ended(child);
      assert.equal(await queue.get(), 'precious');
      assert.equal((await queue.statistics()).size, 0);
    } finally {
      await ended(child);
    }
  });
});

test('a waiter killed after reading its lock grant and before taking it: the lock passes on without ownerDied', T, async () => {
  await withScopes(2, async ([a, b], namespace) => {
    const lock = new Lock('l', { redis: a! });
    await lock.acquire();
    const { child, lines } = await startReader(namespace, 'l', 'lock');
    try {
      const next = new Lock('l', { redis: b! });
      const waiting = next.acquire();
      await until(async () => (await lock.statistics()).waiting === 2, 'b queued behind it', 20_000);
      await lock.release();
      assert.match(String((await lines.next()).value), /^read g\|/);
      await ended(child);
      assert.equal(await waiting, true);
      assert.equal(next.ownerDied, false, 'the reader never took the lock');
      await next.release();
    } finally {
      await ended(child);
    }
  });
});

test('the blocking connection killed with a read reply lost: the item is delivered after the reconnection', T, async () => {
  await withScopes(2, async ([a, b], namespace) => {
    const admin = createClient({ url: redisUrl });
    await admin.connect();
    let dropped = 0;
    wakeTestHooks.afterRead = async () => {
      if (dropped > 0) return 'deliver';
      dropped += 1;
      // Kill b's blocking connection, then drop the reply as if it never came.
      const list = await admin.sendCommand<string>(['CLIENT', 'LIST']);
      const line = list.split('\n').find((l) => l.includes(` name=weft:{${namespace}}:wake:${b!.id} `));
      assert.ok(line !== undefined, "b's blocking connection is listed");
      await admin.sendCommand(['CLIENT', 'KILL', 'ID', /\bid=(\d+)/.exec(line)![1]!]);
      return 'drop';
    };
    try {
      const got = new Queue<string>('jobs', { redis: b! }).get();
      const queue = new Queue<string>('jobs', { redis: a! });
      await until(async () => (await queue.statistics()).getters === 1, 'b waits for an item', 20_000);
      await queue.put('precious');
      assert.equal(await got, 'precious');
      assert.equal(dropped, 1);
    } finally {
      delete wakeTestHooks.afterRead;
      admin.destroy();
    }
  });
});
