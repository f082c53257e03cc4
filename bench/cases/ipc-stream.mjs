// Anchor: raw Node IPC — a child process sends small items to its parent with
// process.send (the 'advanced' serialization, structured clone). `node ipc-stream.mjs [count]`;
// items/s, timed from the child's "ready" message to the last item received.
import { fork } from 'node:child_process';
import { report } from './lib.mjs';

if (process.argv[2] === 'child') {
  const count = Number(process.argv[3]);
  process.send('ready');
  process.once('message', () => {
    for (let i = 0; i < count - 1; i++) process.send(i);
    // disconnect() drops what is still queued: leave once the last item is written.
    process.send(count - 1, () => process.disconnect());
  });
} else {
  const count = Number(process.argv[2] ?? 200_000);
  const child = fork(new URL(import.meta.url).pathname, ['child', String(count)], { serialization: 'advanced' });
  let t0 = 0;
  let received = 0;
  let sum = 0;
  await new Promise((resolve) => {
    child.on('message', (message) => {
      if (message === 'ready') {
        t0 = performance.now();
        child.send('go');
        return;
      }
      sum += message;
      if (++received === count) resolve();
    });
  });
  const seconds = (performance.now() - t0) / 1000;
  if (sum !== (count * (count - 1)) / 2) throw new Error(`checksum ${sum}`);
  report(count / seconds, 'items/s');
}
