// Anchor: a raw `new Worker` of a file that does nothing, until its exit; median ms.
import { Worker } from 'node:worker_threads';
import { report } from './lib.mjs';

const noop = new URL('./noop-worker.mjs', import.meta.url);
const times = [];
for (let i = 0; i < 25; i++) {
  const start = performance.now();
  const worker = new Worker(noop);
  await new Promise((resolve) => worker.once('exit', resolve));
  times.push(performance.now() - start);
}
times.sort((a, b) => a - b);
report(times[Math.floor(times.length / 2)], 'ms');
