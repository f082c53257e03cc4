// weft/redis Lock against redis-semaphore's Mutex (over ioredis), on the
// Redis at WEFT_REDIS_URL (default redis://127.0.0.1:6379). Arguments:
// <weft|redis-semaphore> <uncontended|contended> [processes].
//
// uncontended — one process: await acquire() + release(), ops/s. weft keeps
// its grant while nobody else asks (no Redis call); redis-semaphore makes
// two round trips per pair.
// contended — N child processes take and release the lock as fast as they
// can for 2 s. Each records when it took and let go of every hold on one
// clock (performance.timeOrigin + now(), shared by the machine's
// processes); holds do not overlap, so sorted by start they give the true
// order of owners. Reports owner changes/s (consecutive holds by different
// processes) and each process's hold count (spread: (max - min) / max),
// over the time every process was running.
import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { opsPerSecondAsync, report } from './lib.mjs';

const url = process.env.WEFT_REDIS_URL ?? 'redis://127.0.0.1:6379';
const [kind, mode, processesArg] = process.argv.slice(2);
const RUN_MS = 2000;
const clock = () => performance.timeOrigin + performance.now();

/** A lock with async acquire/release, and how to end it. */
async function openLock(which, namespace) {
  if (which === 'weft') {
    const { connect, Lock } = await import('weft/redis');
    const redis = await connect({ url, namespace });
    const lock = new Lock('bench', { redis });
    return { acquire: () => lock.acquire(), release: () => lock.release(), close: () => redis.close() };
  }
  const { default: Redis } = await import('ioredis');
  const { Mutex } = await import('redis-semaphore');
  const client = new Redis(url);
  // Its defaults: 10 ms between tries, 10 s lock TTL, refreshed every 8 s.
  const mutex = new Mutex(client, `bench-${namespace}`, { acquireTimeout: 60_000 });
  return { acquire: () => mutex.acquire(), release: () => mutex.release(), close: () => client.quit() };
}

async function child() {
  const lock = await openLock(kind, process.env.BENCH_NAMESPACE);
  process.send('ready');
  const { until } = await new Promise((resolve) => process.once('message', resolve));
  const holds = [];
  while (clock() < until) {
    await lock.acquire();
    const start = clock();
    await lock.release();
    holds.push(start);
  }
  await lock.close();
  // A large message: disconnect only once it is written.
  process.send({ holds }, () => process.disconnect());
}

async function contended(n) {
  const namespace = `bench-${randomBytes(4).toString('hex')}`;
  const children = Array.from({ length: n }, () =>
    fork(fileURLToPath(import.meta.url), [kind, 'child'], { env: { ...process.env, BENCH_NAMESPACE: namespace }, stdio: 'inherit' }),
  );
  await Promise.all(children.map((c) => new Promise((resolve) => c.once('message', resolve))));
  const until = clock() + RUN_MS;
  const results = children.map((c) => new Promise((resolve) => c.once('message', resolve)));
  children.forEach((c) => c.send({ until }));
  const all = await Promise.all(results);
  await Promise.all(children.map((c) => new Promise((resolve) => (c.exitCode === null ? c.once('exit', resolve) : resolve()))));
  // Counted only while every process runs (from the last one's first hold to
  // the first one's last): on a loaded machine the children start and stop
  // at different moments, and a process alone meanwhile keeps its grant.
  const from = Math.max(...all.map((r) => r.holds[0]));
  const to = Math.min(...all.map((r) => r.holds.at(-1)));
  const order = all
    .flatMap((r, i) => r.holds.map((t) => [t, i]))
    .filter(([t]) => t >= from && t <= to)
    .sort((a, b) => a[0] - b[0]);
  let changes = 0;
  for (let i = 1; i < order.length; i++) if (order[i][1] !== order[i - 1][1]) changes += 1;
  const seconds = (to - from) / 1000;
  const holds = all.map((_, i) => order.filter(([, j]) => j === i).length);
  await dropKeys(namespace);
  report(changes / seconds, 'owner changes/s', { holds, spread: (Math.max(...holds) - Math.min(...holds)) / Math.max(...holds), seconds, processes: n });
}

async function dropKeys(namespace) {
  const { createClient } = await import('@redis/client');
  const client = createClient({ url });
  await client.connect();
  const keys = [...(await client.sendCommand(['KEYS', `weft:{${namespace}}:*`])), ...(await client.sendCommand(['KEYS', `*bench-${namespace}*`]))];
  if (keys.length > 0) await client.sendCommand(['DEL', ...keys]);
  client.destroy();
}

if (mode === 'child') {
  await child();
} else if (mode === 'uncontended') {
  const namespace = `bench-${randomBytes(4).toString('hex')}`;
  const lock = await openLock(kind, namespace);
  const ops = await opsPerSecondAsync(async (n) => {
    for (let i = 0; i < n; i++) {
      await lock.acquire();
      await lock.release();
    }
  }, 1000, kind === 'weft' ? 20_000 : 1000);
  await lock.close();
  await dropKeys(namespace);
  report(ops, 'ops/s');
} else {
  await contended(Number(processesArg ?? 4));
}
