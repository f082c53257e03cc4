// Anchor: a raw child_process.fork of a script that does nothing, until its exit; median ms.
import { fork } from 'node:child_process';
import { report } from './lib.mjs';

const noop = new URL('./noop-worker.mjs', import.meta.url);
const runs = Number(process.argv[2] ?? 15);
const times = [];
for (let i = 0; i < runs; i++) {
  const start = performance.now();
  const child = fork(noop);
  await new Promise((resolve) => child.once('exit', resolve));
  times.push(performance.now() - start);
}
times.sort((a, b) => a - b);
report(times[Math.floor(times.length / 2)], 'ms');
