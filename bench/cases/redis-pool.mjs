// weft/redis Pool against BullMQ, on the Redis at WEFT_REDIS_URL (default
// redis://127.0.0.1:6379). Arguments: <weft|weft-threads|bullmq> <one|map>.
//
// one — the caller runs 1,000 tasks square(i) one at a time (submit, wait
//       for the result, next), through one worker process: weft's is
//       `weft worker --processes 1` (dist/cli.js; the task runs in a
//       child of it), BullMQ's a Worker with concurrency 1 in a child
//       process (the job runs in that process), the caller awaiting
//       `job.waitUntilFinished(queueEvents)`. Reports tasks/s.
//       weft-threads: `weft worker --threads 1` (the task runs in a worker
//       thread of the worker process).
// map — weft only: pool.map(square, 200,000 numbers, { chunksize: 5000 })
//       through `weft worker --processes 2`. Reports items/s.
import { fork, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { report } from './lib.mjs';
import { square } from './redis-pool-task.mjs';

const url = process.env.WEFT_REDIS_URL ?? 'redis://127.0.0.1:6379';
const [kind, mode, role] = process.argv.slice(2);
const ONE_TASKS = 1000;
const MAP_ITEMS = 200_000;
const benchDir = fileURLToPath(new URL('..', import.meta.url));
const cli = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));

async function weft() {
  const namespace = `bench-${randomBytes(4).toString('hex')}`;
  const processes = mode === 'map' ? 2 : 1;
  const slots = kind === 'weft-threads' ? ['--threads', String(processes)] : ['--processes', String(processes)];
  const worker = spawn(process.execPath, [cli, 'worker', '--redis', url, '--namespace', namespace, '--root', benchDir, ...slots], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = createInterface({ input: worker.stdout })[Symbol.asyncIterator]();
  await lines.next(); // "serving …"
  const { connect, Pool } = await import('weft/redis');
  const redis = await connect({ url, namespace });
  const pool = new Pool('default', { redis, root: benchDir });
  try {
    for (let i = 0; i < 50; i++) await pool.apply(square, [i]); // warm up: the worker's process, imports, hashes
    if (mode === 'map') {
      const items = Array.from({ length: MAP_ITEMS }, (_, i) => i);
      await pool.map(square, items.slice(0, 20_000), { chunksize: 5000 });
      const start = performance.now();
      const out = await pool.map(square, items, { chunksize: 5000 });
      const seconds = (performance.now() - start) / 1000;
      if (out[MAP_ITEMS - 1] !== (MAP_ITEMS - 1) ** 2) throw new Error('wrong result');
      report(MAP_ITEMS / seconds, 'items/s', { chunksize: 5000, processes });
    } else {
      const start = performance.now();
      for (let i = 0; i < ONE_TASKS; i++) if ((await pool.apply(square, [i])) !== i * i) throw new Error('wrong result');
      report(ONE_TASKS / ((performance.now() - start) / 1000), 'tasks/s');
    }
  } finally {
    worker.kill('SIGTERM');
    await once(worker, 'exit');
    await redis.close();
    await dropKeys(`weft:{${namespace}}:*`);
  }
}

function connection() {
  const { hostname, port } = new URL(url);
  return { host: hostname, port: Number(port || 6379), maxRetriesPerRequest: null };
}

async function bullWorker() {
  const { Worker } = await import('bullmq');
  const worker = new Worker(process.env.BENCH_QUEUE, async (job) => square(job.data.x), { connection: connection(), concurrency: 1 });
  await worker.waitUntilReady();
  process.send('ready');
  await new Promise((resolve) => process.once('message', resolve));
  await worker.close();
  process.disconnect();
}

async function bull() {
  const { Queue, QueueEvents } = await import('bullmq');
  const name = `bench-${randomBytes(4).toString('hex')}`;
  const queue = new Queue(name, { connection: connection() });
  const events = new QueueEvents(name, { connection: connection() });
  await events.waitUntilReady();
  const child = fork(fileURLToPath(import.meta.url), [kind, mode, 'worker'], { env: { ...process.env, BENCH_QUEUE: name }, stdio: 'inherit' });
  await new Promise((resolve) => child.once('message', resolve));
  const run = async (i) => {
    const job = await queue.add('square', { x: i }, { removeOnComplete: false, removeOnFail: false });
    return job.waitUntilFinished(events);
  };
  try {
    for (let i = 0; i < 50; i++) await run(i);
    const tasks = ONE_TASKS / 2;
    const start = performance.now();
    for (let i = 0; i < tasks; i++) if ((await run(i)) !== i * i) throw new Error('wrong result');
    report(tasks / ((performance.now() - start) / 1000), 'tasks/s');
  } finally {
    child.send('stop');
    await once(child, 'exit');
    await events.close();
    await queue.obliterate({ force: true });
    await queue.close();
  }
}

async function dropKeys(pattern) {
  const { createClient } = await import('@redis/client');
  const client = createClient({ url });
  await client.connect();
  const keys = await client.sendCommand(['KEYS', pattern]);
  if (keys.length > 0) await client.sendCommand(['DEL', ...keys]);
  client.destroy();
}

if (role === 'worker') await bullWorker();
else if (kind === 'weft' || kind === 'weft-threads') await weft();
else await bull();
