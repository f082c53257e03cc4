// weft Lock: uncontended acquireSync() + release(), one thread.
import { Lock } from 'weft/threading';
import { opsPerSecond, report } from './lib.mjs';

const lock = new Lock();
report(opsPerSecond((n) => {
  for (let i = 0; i < n; i++) {
    lock.acquireSync();
    lock.release();
  }
}), 'ops/s');
