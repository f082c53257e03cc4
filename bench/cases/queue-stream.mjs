// weft Queue: a stream of items from producer threads to consumer threads, through
// shared memory. `node queue-stream.mjs ints|objects producers consumers [warm]`; items/s.
//
// Timed from the barrier that starts every thread to the last consumer's count. With
// `warm`, each thread first streams as many items again, untimed, between two barriers:
// the rate once V8 has compiled the hot paths, which a short run mostly spends without.
import { Queue } from 'weft/queue';
import { Barrier, Thread } from 'weft/threading';
import { isMain } from 'weft';
import { report } from './lib.mjs';

export function makeItem(kind, i) {
  return kind === 'ints' ? i : { id: i, name: `item-${i}`, tags: ['a', 'b', 'c'] };
}

export function produce(queue, kind, count, rounds, start) {
  for (let round = 0; round < rounds; round++) {
    start.waitSync();
    for (let i = 0; i < count; i++) queue.putSync(makeItem(kind, i));
  }
}

export function consume(queue, kind, count, rounds, start, done) {
  for (let round = 0; round < rounds; round++) {
    start.waitSync();
    let sum = 0;
    for (let i = 0; i < count; i++) {
      const item = queue.getSync();
      sum += kind === 'ints' ? item : item.id;
    }
    done.putSync(sum);
  }
}

if (isMain(import.meta)) {
  const [kind = 'ints', producers = '1', consumers = '1', warm] = process.argv.slice(2);
  const total = kind === 'ints' ? 1_000_000 : 200_000;
  const rounds = warm === 'warm' ? 2 : 1;
  const p = Number(producers);
  const c = Number(consumers);
  const queue = new Queue();
  const done = new Queue();
  const start = new Barrier(p + c + 1);
  const threads = [
    ...Array.from({ length: p }, () => new Thread({ target: produce, args: [queue, kind, total / p, rounds, start] })),
    ...Array.from({ length: c }, () => new Thread({ target: consume, args: [queue, kind, total / c, rounds, start, done] })),
  ];
  threads.forEach((t) => t.start());
  let seconds = 0;
  for (let round = 0; round < rounds; round++) {
    await start.wait();
    const t0 = performance.now();
    for (let i = 0; i < c; i++) await done.get();
    seconds = (performance.now() - t0) / 1000;
  }
  for (const t of threads) await t.join();
  report(total / seconds, 'items/s');
}
