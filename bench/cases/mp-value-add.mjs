// weft process-scope Value: 2 child processes each add 1 to one Value
// `count` times (`Value.add`, atomic); total adds per second, timed from the
// barrier every process passes once it is up to the last child's end. The
// total is checked: no add may be lost.
// `node mp-value-add.mjs [count]` (default 1,000,000 per process).
import { Barrier, Process, Value } from 'weft/multiprocessing';
import { isMain } from 'weft';
import { report } from './lib.mjs';

export function adder(value, count, start) {
  start.waitSync();
  for (let i = 0; i < count; i++) value.add(1);
}

if (isMain(import.meta)) {
  const count = Number(process.argv[2] ?? 1_000_000);
  const value = new Value('i', 0);
  const start = new Barrier(3);
  const children = [0, 1].map(() => new Process({ target: adder, args: [value, count, start] }));
  children.forEach((child) => child.start());
  await start.wait();
  const t0 = performance.now();
  for (const child of children) await child.join();
  const seconds = (performance.now() - t0) / 1000;
  if (value.value !== 2 * count) throw new Error(`lost adds: ${value.value} of ${2 * count}`);
  report((2 * count) / seconds, 'ops/s');
}
