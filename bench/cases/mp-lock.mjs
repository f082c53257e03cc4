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
  const first = performance.timeOrigin + performance.now();
  let last = first;
  let n = 0;
  // \`stop\` is looked at every HANDOFF_BATCH hand-offs: \`isSet()\` is a hub round trip, which would
  // lie on the hand-off's path (the other process waits for this one's acquire to queue).
  for (let stopped = false; !stopped; stopped = stop.isSet()) {
    for (let i = 0; i < HANDOFF_BATCH; i++) {
      lock.acquireSync();
      try {
        waitForWaitersSync(lock, 1, { timeout: 200 });
        n += 1;
        last = performance.timeOrigin + performance.now();
      } catch {
        // The other process stopped: nobody to hand it to.
        i = HANDOFF_BATCH;
      }
      lock.release();
    }
  }
  // The span of this process's hand-offs, in wall-clock ms: the rate leaves out start-up and shutdown.
  counts.set(index, n);
  counts.set(2 + index, first);
  counts.set(4 + index, last);
}

const HANDOFF_BATCH = 16;

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
    const handoff = process.argv[2] === 'handoff';
    const counts = new SharedArray('d', handoff ? 6 : 2);
    const ready = new Barrier(3);
    const stop = new Event();
    const target = handoff ? handOff : hammer;
    const children = [0, 1].map((i) => new Process({ target, args: [lock, counts, i, ready, stop] }));
    children.forEach((p) => p.start());
    ready.waitSync(); // both children have booted
    const start = performance.now();
    await sleep(1000);
    stop.set();
    for (const p of children) await p.join();
    const [a, b, ...stamps] = counts.toArray();
    // handoff: from the first child's start to the last one's last hand-off (not the children's exit).
    const elapsed = handoff ? (Math.max(stamps[2], stamps[3]) - Math.min(stamps[0], stamps[1])) / 1000 : (performance.now() - start) / 1000;
    report((a + b) / elapsed, 'ops/s', { split: [a, b] });
  }
}
