// weft multiprocessing.Queue: a stream of small items from one producer process to one
// consumer process, through the hub. `node mp-queue-stream.mjs [count]`; items/s.
//
// Timed as python_queue.py times multiprocessing.Queue: from the barrier that every
// process passes once it is up, to the consumer's total.
import { Barrier, Process, Queue } from '../../dist/entries/multiprocessing.js';
import { isMain } from 'weft';
import { report } from './lib.mjs';

export function produce(queue, count, start) {
  start.waitSync();
  for (let i = 0; i < count; i++) queue.putSync(i);
}

export function consume(queue, count, start, done) {
  start.waitSync();
  let sum = 0;
  for (let i = 0; i < count; i++) sum += queue.getSync();
  done.putSync(sum);
}

if (isMain(import.meta)) {
  const count = Number(process.argv[2] ?? 200_000);
  const queue = new Queue();
  const done = new Queue();
  const start = new Barrier(3);
  const children = [
    new Process({ target: produce, args: [queue, count, start] }),
    new Process({ target: consume, args: [queue, count, start, done] }),
  ];
  children.forEach((c) => c.start());
  await start.wait();
  const t0 = performance.now();
  const sum = await done.get();
  const seconds = (performance.now() - t0) / 1000;
  if (sum !== (count * (count - 1)) / 2) throw new Error(`checksum ${sum}`);
  for (const c of children) await c.join();
  report(count / seconds, 'items/s');
}
