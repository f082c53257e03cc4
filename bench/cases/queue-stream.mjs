// weft Queue: a stream of items from producer threads to consumer threads, through
// shared memory. `node queue-stream.mjs ints|objects producers consumers`; items/s.
import { Queue } from 'weft/queue';
import { Barrier, Thread } from 'weft/threading';
import { isMain } from 'weft';
import { report } from './lib.mjs';

export function makeItem(kind, i) {
  return kind === 'ints' ? i : { id: i, name: `item-${i}`, tags: ['a', 'b', 'c'] };
}

export function produce(queue, kind, count, start) {
  start.waitSync();
  for (let i = 0; i < count; i++) queue.putSync(makeItem(kind, i));
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
  const [kind = 'ints', producers = '1', consumers = '1'] = process.argv.slice(2);
  const total = kind === 'ints' ? 1_000_000 : 200_000;
  const p = Number(producers);
  const c = Number(consumers);
  const queue = new Queue();
  const done = new Queue();
  const start = new Barrier(p + c + 1);
  const threads = [
    ...Array.from({ length: p }, () => new Thread({ target: produce, args: [queue, kind, total / p, start] })),
    ...Array.from({ length: c }, () => new Thread({ target: consume, args: [queue, kind, total / c, start, done] })),
  ];
  threads.forEach((t) => t.start());
  await start.wait();
  const t0 = performance.now();
  for (let i = 0; i < c; i++) await done.get();
  const seconds = (performance.now() - t0) / 1000;
  for (const t of threads) await t.join();
  report(total / seconds, 'items/s');
}
