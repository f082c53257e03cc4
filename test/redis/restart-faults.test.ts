/**
 * Fault test of weft/redis: the Redis server restarted mid-run, on a private
 * `redis-server` started on a free port (skipped when the binary is absent).
 * Waiters blocked across the restart resume (the server runs with an
 * append-only file, fsync always: what it answered, it kept). A wake
 * message whose reply was lost with a connection is covered by
 * delivery-faults.test.ts (it stays in the in-delivery list, wake.ts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Barrier, Condition, connect, Event, Lock, Queue, Semaphore, type RedisScope } from '../../src/redis.js';
import { freshNamespace } from './helpers.js';

const T = { timeout: 120_000 };
const binary = spawnSync('redis-server', ['--version']).status === 0 ? 'redis-server' : undefined;
const skip = binary === undefined ? 'redis-server is not installed (apt-get install redis-server) — the restart test needs a private server' : false;

/** A private Redis: started on a free port with an append-only file in a temporary directory; restartable. */
class PrivateRedis {
  readonly dir = mkdtempSync(join(tmpdir(), 'weft-redis-'));
  port = 0;
  #child: ChildProcess | undefined;

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    if (this.port === 0) this.port = await freePort();
    const child = spawn(binary!, ['--port', String(this.port), '--bind', '127.0.0.1', '--dir', this.dir, '--save', '', '--appendonly', 'yes', '--appendfsync', 'always'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    this.#child = child;
    for await (const line of createInterface({ input: child.stdout! })) {
      if (line.includes('Ready to accept connections')) break;
    }
    child.stdout!.resume();
  }

  /** Kills the server (SIGKILL: no goodbye to the clients) and waits until it is gone. */
  async kill(): Promise<void> {
    const child = this.#child!;
    child.kill('SIGKILL');
    if (child.exitCode === null && child.signalCode === null) await once(child, 'exit');
  }

  async stop(): Promise<void> {
    if (this.#child !== undefined) await this.kill();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function withPrivateRedis(n: number, body: (scopes: RedisScope[], redis: PrivateRedis) => Promise<void>): Promise<void> {
  const redis = new PrivateRedis();
  const scopes: RedisScope[] = [];
  try {
    await redis.start();
    const namespace = freshNamespace();
    for (let i = 0; i < n; i++) scopes.push(await connect({ url: redis.url, namespace, lease: 5000 }));
    await body(scopes, redis);
  } finally {
    for (const scope of scopes) await scope.close().catch(() => {});
    await redis.stop();
  }
}

/** Re-reads `check` until it holds; each turn is one round trip. */
async function until(check: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 5000; i++) if (await check()) return;
  throw new Error(`never saw: ${what}`);
}

test('waiters blocked across a server restart resume and get what they wait for', { ...T, skip }, async () => {
  await withPrivateRedis(6, async ([a, b, c, d, e, f], redis) => {
    const lock = new Lock('l', { redis: a! });
    await lock.acquire();
    const lockWait = new Lock('l', { redis: b! }).acquire();
    const event = new Event('e', { redis: a! });
    const eventWait = new Event('e', { redis: c! }).wait();
    const queue = new Queue<string>('q', { redis: a! });
    const got = new Queue<string>('q', { redis: d! }).get();
    const sem = new Semaphore('s', { redis: a!, value: 0 });
    const semWait = new Semaphore('s', { redis: e!, value: 0 }).acquire();
    const ce = new Condition('c', { redis: e! });
    const cf = new Condition('c', { redis: f! });
    await cf.acquire();
    const condWait = cf.wait();
    const barrierWait = new Barrier('b', { redis: f!, parties: 2 }).wait();
    await until(async () => (await lock.statistics()).waiting === 1, 'b queued for the lock');
    await until(async () => (await event.statistics()).waiting === 1, 'c waits for the event');
    await until(async () => (await queue.statistics()).getters === 1, 'd waits for an item');
    await until(async () => (await sem.statistics()).waiting === 1, 'e waits for a permit');
    await until(async () => (await ce.statistics()).waiting === 1, 'f sleeps on the condition');
    await until(async () => (await new Barrier('b', { redis: a!, parties: 2 }).nWaiting()) === 1, 'f waits at the barrier');

    await redis.kill();
    await redis.start();

    await lock.release();
    assert.equal(await lockWait, true);
    await event.set();
    assert.equal(await eventWait, true);
    await queue.put('after');
    assert.equal(await got, 'after');
    await sem.release();
    assert.equal(await semWait, true);
    await ce.withLock(() => ce.notify());
    assert.equal(await condWait, true);
    await cf.release();
    assert.equal(await new Barrier('b', { redis: a!, parties: 2 }).wait(), 1);
    assert.equal(await barrierWait, 0);
  });
});
