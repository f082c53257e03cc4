// weft Thread: start() + join() of a thread whose target does nothing; median ms.
import { Thread } from 'weft/threading';
import { isMain } from 'weft';
import { report } from './lib.mjs';

export function noop() {}

if (isMain(import.meta)) {
  const times = [];
  for (let i = 0; i < 25; i++) {
    const start = performance.now();
    const thread = new Thread({ target: noop });
    thread.start();
    await thread.join();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  report(times[Math.floor(times.length / 2)], 'ms');
}
