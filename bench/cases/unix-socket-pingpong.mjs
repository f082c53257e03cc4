// Anchor: the floor under any hub round trip — two processes bouncing one
// small message over a Unix-domain socket (length-free, one byte each way).
// Round trips/s.
import { fork } from 'node:child_process';
import { createServer, connect } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { report } from './lib.mjs';

if (process.argv[2] === 'echo') {
  const socket = connect(process.argv[3]);
  socket.setNoDelay(true);
  socket.on('data', (data) => socket.write(data));
  socket.on('close', () => process.exit(0));
} else {
  const dir = mkdtempSync(join(tmpdir(), 'weft-bench-'));
  const path = join(dir, 's');
  const server = createServer((socket) => {
    socket.setNoDelay(true);
    let trips = 0;
    let start = 0;
    const byte = Buffer.from([1]);
    socket.on('data', () => {
      trips += 1;
      if (trips === 1000) start = performance.now(); // warmed up
      const elapsed = performance.now() - start;
      if (trips > 1000 && elapsed >= 1000) {
        report((trips - 1000) / (elapsed / 1000), 'round trips/s');
        socket.end();
        server.close();
        rmSync(dir, { recursive: true, force: true });
        return;
      }
      socket.write(byte);
    });
    socket.write(byte);
  });
  server.listen(path, () => fork(new URL(import.meta.url).pathname, ['echo', path], { stdio: 'inherit' }));
}
