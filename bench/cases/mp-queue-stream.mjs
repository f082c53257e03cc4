// weft multiprocessing.Queue: a stream of small items from producer processes to
// consumer processes, through the hub.
// `node mp-queue-stream.mjs [ints|objects] [producers] [consumers] [count]`; items/s.
//
// Timed as python_queue.py times multiprocessing.Queue: from the barrier that every
// process passes once it is up, to the consumers' totals. Every item is checked.
import { Barrier, Process, Queue } from '../../dist/entries/multiprocessing.js';
import { isMain } from 'weft';
import { report } from './lib.mjs';

function makeItem(kind, i) {
  return kind === 'ints' ? i : { id: i, name: `item-${i}`, tags: ['a', 'b', 'c'] };
}

export function produce(queue, kind, first, count, start) {
  start.waitSync();
  for (let i = first; i < first + count; i++) queue.putSync(makeItem(kind, i));
}

export function consume(queue, kind, count, start, done) {
  start.waitSync();
  let sum = 0;
  for (let i = 0; i < count; i++) {
    const item = queue.getSync();
    sum += kind === 'ints' ? item : item.id;
  }
  done.putSync(sum);
}

if (isMain(import.meta)) {
  const kind = process.argv[2] ?? 'ints';
  const producers = Number(process.argv[3] ?? 1);
  const consumers = Number(process.argv[4] ?? 1);
  const count = Number(process.argv[5] ?? 200_000);
  const queue = new Queue();
  const done = new Queue();
  const start = new Barrier(producers + consumers + 1);
  const perProducer = count / producers;
  const children = [
    ...Array.from({ length: producers }, (_, p) => new Process({ target: produce, args: [queue, kind, p * perProducer, perProducer, start] })),
    ...Array.from({ length: consumers }, () => new Process({ target: consume, args: [queue, kind, count / consumers, start, done] })),
  ];
  children.forEach((c) => c.start());
  await start.wait();
  const t0 = performance.now();
  let sum = 0;
  for (let c = 0; c < consumers; c++) sum += await done.get();
  const seconds = (performance.now() - t0) / 1000;
  if (sum !== (count * (count - 1)) / 2) throw new Error(`checksum ${sum}`);
  for (const c of children) await c.join();
  report(count / seconds, 'items/s');
}
