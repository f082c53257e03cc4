// The measurements of the pool benchmarks, written once and run over every library:
// each pool-<library>.mjs only says how to open a pool of N workers and run a task on it.
//
//   burst      100,000 tasks add(i, 1) submitted at once, then awaited: tasks/s (unit ops/s)
//   roundtrip  20,000 tasks add(i, 1), one at a time (await each): µs per task
//   map        double over 1,000,000 numbers (the library's map, or chunks by hand): items/s
//   cpu        a burst of hash(HASH_ROUNDS) tasks (~2 ms each) on 2 workers vs 1 worker:
//              the speedup (×), from 3 alternating rounds of each size in this one process
//
// Every pool is warmed first (2,000 tasks, or a few hash tasks) and left to settle for
// 200 ms, so worker start-up and first compilation stay out of the timed part. Results
// are checked, so an adapter that drops or garbles tasks fails instead of looking fast.
//
// An adapter: `open(workers) → Promise<{ add(a, b), submit?(a, b), hash(rounds), map?(items), close() }>`,
// where `add`, `submit` and `hash` return promises (thenables) of the task's result; the burst
// uses `submit` where an adapter has one (weft's applyAsync(…).get()), `add` otherwise.
import { loadavg } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { report } from './lib.mjs';
import { HASH_ROUNDS } from './pool-task.mjs';

export const BURST = 100_000;
export const ROUND_TRIPS = 20_000;
export const MAP_ITEMS = 1_000_000;
const WARM = 2_000;

/** The benchmark named on the command line, over `open`; prints the one JSON result line. */
export async function measure(bench, open, notes = {}) {
  // A case must end with its pools: if something still holds the process, say so and fail.
  const watchdog = (ms) => setTimeout(() => {
    process.stderr.write(`pool benchmark: still running ${ms} ms after its pools were closed (a worker left behind?)\n`);
    process.exit(3);
  }, ms).unref();
  if (bench === 'cpu') {
    const result = await cpuScaling(open);
    report(result.speedup, '×', { ...notes, ...result });
    watchdog(10_000);
    return;
  }
  const pool = await open(2);
  let value;
  let unit;
  try {
    await warm(pool);
    if (bench === 'burst') [value, unit] = [await burst(pool), 'ops/s'];
    else if (bench === 'roundtrip') [value, unit] = [await roundTrip(pool), 'µs'];
    else if (bench === 'map') [value, unit] = [await mapItems(pool), 'items/s'];
    else throw new Error(`unknown benchmark ${bench}: burst | roundtrip | map | cpu`);
  } finally {
    if (!(await close(pool))) notes = { ...notes, closeNeverSettled: true };
  }
  report(value, unit, notes);
  watchdog(10_000);
}

/**
 * Closes a pool; false if its close() promise never settles. poolifier 5.3.2's destroy()
 * sometimes never settles although its workers are gone: the event loop empties with the
 * promise pending and Node would exit with 13 before the result line, so the first of
 * close(), an empty event loop ('beforeExit') or 10 s ends the wait.
 */
async function close(pool) {
  let settled = false;
  let onEmptyLoop;
  const closing = Promise.resolve(pool.close()).then(() => {
    settled = true;
  });
  const emptyLoop = new Promise((resolve) => process.once('beforeExit', (onEmptyLoop = resolve)));
  let timer;
  const timeout = new Promise((resolve) => {
    timer = setTimeout(resolve, 10_000).unref();
  });
  try {
    await Promise.race([closing, emptyLoop, timeout]);
  } finally {
    process.off('beforeExit', onEmptyLoop);
    clearTimeout(timer);
  }
  if (!settled) process.stderr.write('pool benchmark: the pool\'s close() never settled\n');
  return settled;
}

async function warm(pool) {
  const submit = pool.submit ?? pool.add;
  const warmups = [];
  for (let i = 0; i < WARM; i++) warmups.push(submit(i, 1));
  await Promise.all(warmups);
  for (let i = 0; i < 200; i++) await pool.add(i, 1);
  await sleep(200);
}

async function burst(pool) {
  const submit = pool.submit ?? pool.add;
  const pending = new Array(BURST);
  const t0 = performance.now();
  for (let i = 0; i < BURST; i++) pending[i] = submit(i, 1);
  const results = await Promise.all(pending);
  const seconds = (performance.now() - t0) / 1000;
  check(results[0] === 1 && results[BURST - 1] === BURST && results.length === BURST, 'burst results');
  return BURST / seconds;
}

async function roundTrip(pool) {
  let sum = 0;
  const t0 = performance.now();
  for (let i = 0; i < ROUND_TRIPS; i++) sum += await pool.add(i, 1);
  const micros = ((performance.now() - t0) * 1000) / ROUND_TRIPS;
  check(sum === (ROUND_TRIPS * (ROUND_TRIPS + 1)) / 2, 'round-trip results');
  return micros;
}

async function mapItems(pool) {
  if (pool.map === undefined) throw new Error('this adapter has no map');
  const items = Array.from({ length: MAP_ITEMS }, (_, i) => i);
  const t0 = performance.now();
  const results = await pool.map(items);
  const seconds = (performance.now() - t0) / 1000;
  check(results.length === MAP_ITEMS && results[0] === 0 && results[MAP_ITEMS - 1] === 2 * (MAP_ITEMS - 1) && results[12345] === 24690, 'map results');
  return MAP_ITEMS / seconds;
}

/** `map` by hand for a library without one: chunks of `size` items as tasks, results joined in order. */
export async function chunkedMap(runChunk, items, size) {
  const chunks = [];
  for (let i = 0; i < items.length; i += size) chunks.push(runChunk(items.slice(i, i + size)));
  return (await Promise.all(chunks)).flat();
}

const CPU_TASKS = 300;
const CPU_ROUNDS = 3;

async function cpuScaling(open) {
  const seconds = { 1: 0, 2: 0 };
  for (let round = 0; round < CPU_ROUNDS; round++) {
    for (const workers of [1, 2]) {
      const pool = await open(workers);
      try {
        await Promise.all(Array.from({ length: 4 * workers }, () => pool.hash(HASH_ROUNDS)));
        await sleep(200);
        const t0 = performance.now();
        const results = await Promise.all(Array.from({ length: CPU_TASKS }, () => pool.hash(HASH_ROUNDS)));
        seconds[workers] += (performance.now() - t0) / 1000;
        check(results.every((r) => r === results[0]), 'hash results');
      } finally {
        await close(pool);
      }
    }
  }
  const rate1 = (CPU_TASKS * CPU_ROUNDS) / seconds[1];
  const rate2 = (CPU_TASKS * CPU_ROUNDS) / seconds[2];
  return { speedup: rate2 / rate1, tasksPerSecond1: rate1, tasksPerSecond2: rate2, msPerTask1: 1000 / rate1, loadAverage1min: loadavg()[0] };
}

function check(ok, what) {
  if (!ok) throw new Error(`wrong ${what}`);
}
