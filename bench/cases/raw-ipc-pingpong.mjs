// Anchor: the floor under a process pool's round trip with Node's own means — one task at a
// time to a child_process.fork child over its IPC channel (default 'json' serialization),
// no pool: the parent sends [a, b], the child answers a + b. µs per round trip; same count
// and warm-up as pool-harness.mjs (2,200 untimed, 20,000 timed).
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { report } from './lib.mjs';

if (process.argv[2] === 'echo') {
  process.on('message', ([a, b]) => process.send(a + b));
  process.on('disconnect', () => process.exit(0));
} else {
  const child = fork(new URL(import.meta.url), ['echo']);
  let waiting;
  child.on('message', (sum) => waiting(sum));
  const call = (a, b) => new Promise((resolve) => {
    waiting = resolve;
    child.send([a, b]);
  });
  for (let i = 0; i < 2_200; i++) await call(i, 1);
  const n = 20_000;
  let sum = 0;
  const t0 = performance.now();
  for (let i = 0; i < n; i++) sum += await call(i, 1);
  const micros = ((performance.now() - t0) * 1000) / n;
  if (sum !== (n * (n + 1)) / 2) throw new Error('wrong sums');
  child.disconnect();
  await once(child, 'exit');
  report(micros, 'µs');
}
