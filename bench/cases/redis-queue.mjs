// weft/redis Queue put → get, one producer connection → one consumer
// connection, each in its own process, on the Redis at WEFT_REDIS_URL
// (default redis://127.0.0.1:6379). Arguments: <weft|raw> <one|many>.
//
// one  — each side has one call in flight: the producer awaits each put,
//        the consumer each get (a get finds the item there, or waits and
//        is handed it by the next put).
// many — each side keeps a window of 256 calls in flight (pipelined on
//        its connection).
// raw — the anchor: a bare Redis list with @redis/client, RPUSH and
//        BLPOP (no FIFO waiting gets, no maxsize, no lease, no encoding of
//        items): what one list op per item costs on this server.
// Reports items/s, from the consumer's first to its last item.
import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { report } from './lib.mjs';

const url = process.env.WEFT_REDIS_URL ?? 'redis://127.0.0.1:6379';
const [kind, mode, role] = process.argv.slice(2);
const ITEMS = mode === 'many' ? 100_000 : 20_000;
const WINDOW = mode === 'many' ? 256 : 1;

async function open(namespace) {
  if (kind === 'weft') {
    const { connect, Queue } = await import('weft/redis');
    const redis = await connect({ url, namespace });
    const queue = new Queue('bench', { redis });
    return { put: (item) => queue.put(item), get: () => queue.get(), close: () => redis.close() };
  }
  const { createClient } = await import('@redis/client');
  const client = createClient({ url });
  await client.connect();
  const key = `bench-${namespace}`;
  return {
    put: (item) => client.sendCommand(['RPUSH', key, JSON.stringify(item)]),
    get: async () => JSON.parse((await client.sendCommand(['BLPOP', key, '0']))[1]),
    close: () => client.destroy(),
  };
}

/** Calls `op(i)` for i < ITEMS with WINDOW calls in flight. */
async function drive(op) {
  let next = 0;
  const lane = async () => {
    while (next < ITEMS) await op(next++);
  };
  await Promise.all(Array.from({ length: WINDOW }, lane));
}

async function producer() {
  const queue = await open(process.env.BENCH_NAMESPACE);
  process.send('ready');
  await new Promise((resolve) => process.once('message', resolve));
  await drive((i) => queue.put({ id: i, name: 'item' }));
  await queue.close();
  process.disconnect();
}

async function consumer() {
  const namespace = `bench-${randomBytes(4).toString('hex')}`;
  const queue = await open(namespace);
  const child = fork(fileURLToPath(import.meta.url), [kind, mode, 'producer'], { env: { ...process.env, BENCH_NAMESPACE: namespace }, stdio: 'inherit' });
  await new Promise((resolve) => child.once('message', resolve));
  let start = 0;
  child.send('go');
  await drive(async (i) => {
    await queue.get();
    if (i === 0) start = performance.now();
  });
  const seconds = (performance.now() - start) / 1000;
  if (child.exitCode === null) await new Promise((resolve) => child.once('exit', resolve));
  await queue.close();
  await dropKeys(namespace);
  report((ITEMS - 1) / seconds, 'items/s', { window: WINDOW });
}

async function dropKeys(namespace) {
  const { createClient } = await import('@redis/client');
  const client = createClient({ url });
  await client.connect();
  const keys = [...(await client.sendCommand(['KEYS', `weft:{${namespace}}:*`])), ...(await client.sendCommand(['KEYS', `bench-${namespace}`]))];
  if (keys.length > 0) await client.sendCommand(['DEL', ...keys]);
  client.destroy();
}

if (role === 'producer') await producer();
else await consumer();
