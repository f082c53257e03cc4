// weft Lock: two threads taking and releasing one lock as fast as they can; total ops/s.
import { Event, Lock, SharedArray, Thread } from 'weft/threading';
import { isMain } from 'weft';
import { setTimeout as sleep } from 'node:timers/promises';
import { report } from './lib.mjs';

export function hammer(lock, counts, index, go, stop) {
  go.waitSync();
  let n = 0;
  while (!stop.isSet()) {
    for (let i = 0; i < 1000; i++) {
      lock.acquireSync();
      lock.release();
    }
    n += 1000;
  }
  counts.set(index, n);
}

if (isMain(import.meta)) {
  const lock = new Lock();
  const counts = new SharedArray('d', 2);
  const go = new Event();
  const stop = new Event();
  const threads = [0, 1].map((i) => new Thread({ target: hammer, args: [lock, counts, i, go, stop] }));
  threads.forEach((t) => t.start());
  await sleep(200); // let both threads finish booting
  const start = performance.now();
  go.set();
  await sleep(1000);
  stop.set();
  for (const t of threads) await t.join();
  const elapsed = (performance.now() - start) / 1000;
  const [a, b] = counts.toArray();
  report((a + b) / elapsed, 'ops/s', { split: [a, b] });
}
