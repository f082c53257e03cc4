// Anchor: the floor under a thread pool's round trip — one task at a time through a raw
// SharedArrayBuffer, no pool. `node raw-sab-pingpong.mjs sync|async`; µs per round trip.
//
// Layout, Int32Array: [0] request sequence, [1] response sequence, [2] a, [3] b, [4] a + b.
// The main thread writes a and b, bumps the request sequence and notifies; the worker, which
// blocks in Atomics.wait on the request sequence (as piscina's workers do), adds, stores the
// sum, bumps the response sequence and notifies. How the main thread waits for the response:
//   sync   Atomics.wait: the main thread blocks, no event-loop turn per task. The absolute
//          floor; no Promise-returning API can reach it (Node forbids nothing here, but an
//          awaited result costs at least a microtask and a loop turn).
//   async  await Atomics.waitAsync(...).value: the main thread keeps its event loop, as
//          `await pool.apply(…)` must. This is the fair anchor for an async pool API.
// Same count and warm-up as pool-harness.mjs: 2,200 untimed, then 20,000 timed.
import { Worker, isMainThread, workerData } from 'node:worker_threads';
import { report } from './lib.mjs';

const REQ = 0;
const RESP = 1;
const A = 2;
const B = 3;
const SUM = 4;

if (isMainThread) {
  const mode = process.argv[2] ?? 'async';
  if (mode !== 'sync' && mode !== 'async') throw new Error('usage: raw-sab-pingpong.mjs sync|async');
  const words = new Int32Array(new SharedArrayBuffer(8 * 4));
  const worker = new Worker(new URL(import.meta.url), { workerData: words });
  await new Promise((resolve) => worker.once('online', resolve));

  let seq = 0;
  const callSync = (a, b) => {
    words[A] = a;
    words[B] = b;
    Atomics.store(words, REQ, ++seq);
    Atomics.notify(words, REQ);
    while (Atomics.load(words, RESP) !== seq) Atomics.wait(words, RESP, seq - 1);
    return words[SUM];
  };
  const callAsync = async (a, b) => {
    words[A] = a;
    words[B] = b;
    Atomics.store(words, REQ, ++seq);
    Atomics.notify(words, REQ);
    while (Atomics.load(words, RESP) !== seq) {
      const waited = Atomics.waitAsync(words, RESP, seq - 1);
      if (waited.async) await waited.value;
    }
    return words[SUM];
  };

  const n = 20_000;
  let sum = 0;
  let micros;
  if (mode === 'sync') {
    for (let i = 0; i < 2_200; i++) callSync(i, 1);
    const t0 = performance.now();
    for (let i = 0; i < n; i++) sum += callSync(i, 1);
    micros = ((performance.now() - t0) * 1000) / n;
  } else {
    for (let i = 0; i < 2_200; i++) await callAsync(i, 1);
    const t0 = performance.now();
    for (let i = 0; i < n; i++) sum += await callAsync(i, 1);
    micros = ((performance.now() - t0) * 1000) / n;
  }
  if (sum !== (n * (n + 1)) / 2) throw new Error('wrong sums');
  Atomics.store(words, REQ, -1); // stop
  Atomics.notify(words, REQ);
  await new Promise((resolve) => worker.once('exit', resolve));
  report(micros, 'µs', { mode });
} else {
  const words = workerData;
  let seen = 0;
  for (;;) {
    Atomics.wait(words, REQ, seen);
    const seq = Atomics.load(words, REQ);
    if (seq === -1) break;
    if (seq === seen) continue;
    seen = seq;
    words[SUM] = words[A] + words[B];
    Atomics.store(words, RESP, seq);
    Atomics.notify(words, RESP);
  }
}
