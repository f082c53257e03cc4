// weft process-scope Lock (weft/multiprocessing): `uncontended` — one process
// taking and releasing it with acquireSync(); `uncontended-async` — the same
// with `await acquire()`; `contended` — two child processes taking and
// releasing it as fast as they can (a process that holds the lock's grant
// takes it again locally until the hub asks for it back, so not every op is
// a hand-off); `handoff` — two child processes where every release hands the
// lock to the other: the holder waits until the other is queued in the hub
// (`waitForWaitersSync`, one more round trip) before it releases. ops/s.
import { Barrier, Event, Lock, Process, SharedArray } from 'weft/multiprocessing';
import { waitForWaitersSync } from 'weft/testing';
import { isMain } from 'weft';
import { setTimeout as sleep } from 'node:timers/promises';
import { opsPerSecond, opsPerSecondAsync, report } from './lib.mjs';

export function hammer(lock, counts, index, ready, stop) {
  ready.waitSync();
  let n = 0;
  while (!stop.isSet()) {
    for (let i = 0; i < 200; i++) {
      lock.acquireSync();
      lock.release();
    }
    n += 200;
  }
  counts.set(index, n);
}

export function handOff(lock, counts, index, ready, stop) {
  ready.waitSync();
  let n = 0;
  while (!stop.isSet()) {
    lock.acquireSync();
    try {
      waitForWaitersSync(lock, 1, { timeout: 200 });
      n += 1;
    } catch {
      // The other process stopped: nobody to hand it to.
    }
    lock.release();
  }
  counts.set(index, n);
}

if (isMain(import.meta)) {
  const lock = new Lock();
  if (process.argv[2] === 'uncontended') {
    const ops = opsPerSecond((n) => {
      for (let i = 0; i < n; i++) {
        lock.acquireSync();
        lock.release();
      }
    }, 1000, 2000);
    report(ops, 'ops/s');
  } else if (process.argv[2] === 'uncontended-async') {
    const ops = await opsPerSecondAsync(async (n) => {
      for (let i = 0; i < n; i++) {
        await lock.acquire();
        lock.release();
      }
    }, 1000, 2000);
    report(ops, 'ops/s');
  } else {
    const counts = new SharedArray('d', 2);
    const ready = new Barrier(3);
    const stop = new Event();
    const target = process.argv[2] === 'handoff' ? handOff : hammer;
    const children = [0, 1].map((i) => new Process({ target, args: [lock, counts, i, ready, stop] }));
    children.forEach((p) => p.start());
    ready.waitSync(); // both children have booted
    const start = performance.now();
    await sleep(1000);
    stop.set();
    for (const p of children) await p.join();
    const elapsed = (performance.now() - start) / 1000;
    const [a, b] = counts.toArray();
    report((a + b) / elapsed, 'ops/s', { split: [a, b] });
  }
}
