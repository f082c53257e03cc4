// Anchor: the bare compare-and-swap lock/unlock pair a lock's fast path cannot beat.
import { opsPerSecond, report } from './lib.mjs';

const word = new Int32Array(new SharedArrayBuffer(4));
report(opsPerSecond((n) => {
  for (let i = 0; i < n; i++) {
    if (Atomics.compareExchange(word, 0, 0, 1) !== 0) throw new Error('held');
    Atomics.compareExchange(word, 0, 1, 0);
  }
}), 'ops/s');
