// weft Lock: uncontended `await acquire()` + release(), one thread.
import { Lock } from 'weft/threading';
import { opsPerSecondAsync, report } from './lib.mjs';

const lock = new Lock();
report(await opsPerSecondAsync(async (n) => {
  for (let i = 0; i < n; i++) {
    await lock.acquire();
    lock.release();
  }
}), 'ops/s');
