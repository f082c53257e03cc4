// weft Manager (weft/multiprocessing): 2 child processes appending to one
// managed list (`list`) or incrementing one key of a managed dict (`dict`)
// as fast as they can, for about a second; every call is a round trip to
// the hub. Total ops/s.
import { Barrier, Event, Manager, Process, SharedArray } from 'weft/multiprocessing';
import { isMain } from 'weft';
import { setTimeout as sleep } from 'node:timers/promises';
import { report } from './lib.mjs';

export function hammer(mode, target, counts, index, ready, stop) {
  ready.waitSync();
  let n = 0;
  while (!stop.isSet()) {
    for (let i = 0; i < 200; i++) {
      if (mode === 'list') target.appendSync(i);
      else target.incrementSync('n');
    }
    n += 200;
  }
  counts.set(index, n);
}

if (isMain(import.meta)) {
  const mode = process.argv[2] === 'dict' ? 'dict' : 'list';
  const manager = new Manager();
  const target = mode === 'list' ? manager.list() : manager.dict();
  const counts = new SharedArray('d', 2);
  const ready = new Barrier(3);
  const stop = new Event();
  const children = [0, 1].map((i) => new Process({ target: hammer, args: [mode, target, counts, i, ready, stop] }));
  children.forEach((p) => p.start());
  ready.waitSync(); // both children have booted
  const start = performance.now();
  await sleep(1000);
  stop.set();
  for (const p of children) await p.join();
  const elapsed = (performance.now() - start) / 1000;
  const [a, b] = counts.toArray();
  const stored = mode === 'list' ? await target.length() : await target.get('n');
  if (stored !== a + b) throw new Error(`lost updates: ${stored} stored, ${a + b} made`);
  manager.shutdown();
  report((a + b) / elapsed, 'ops/s', { split: [a, b] });
}
