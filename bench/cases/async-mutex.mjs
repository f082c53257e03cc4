// Anchor: async-mutex, the usual in-process promise mutex: `await acquire()` + release().
import { Mutex } from 'async-mutex';
import { opsPerSecondAsync, report } from './lib.mjs';

const mutex = new Mutex();
report(await opsPerSecondAsync(async (n) => {
  for (let i = 0; i < n; i++) {
    const release = await mutex.acquire();
    release();
  }
}), 'ops/s');
