// weft Process: start() + join() of a process whose target does nothing; median ms.
// (Imports the bundle, as a program importing 'weft/multiprocessing' does.)
import { Process } from '../../dist/entries/multiprocessing.js';
import { isMain } from 'weft';
import { report } from './lib.mjs';

export function noop() {}

if (isMain(import.meta)) {
  const runs = Number(process.argv[2] ?? 15);
  const times = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    const child = new Process({ target: noop });
    child.start();
    await child.join();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  report(times[Math.floor(times.length / 2)], 'ms');
}
