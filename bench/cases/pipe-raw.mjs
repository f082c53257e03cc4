// Anchors for the Pipe suites: the same two exchanges with Node's own means, no weft.
//   node pipe-raw.mjs ipc pingpong|stream [count]      child_process.fork IPC (process.send, 'json')
//   node pipe-raw.mjs socket pingpong|stream [count]   a Unix-domain socket, each message framed as
//                                                       a 4-byte length + JSON (the least a message
//                                                       protocol over a byte stream does)
// Units and timing as pipe.mjs: µs per round trip; items/s from the first message to the last.
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { report } from './lib.mjs';

const [transport, mode, countArg, role, path] = process.argv.slice(2);
const count = Number(countArg ?? (mode === 'pingpong' ? 20_000 : 200_000));
const WARM = 2_000;

function frame(message) {
  const body = Buffer.from(JSON.stringify(message));
  const out = Buffer.allocUnsafe(4 + body.length);
  out.writeUInt32LE(body.length, 0);
  body.copy(out, 4);
  return out;
}

/** Calls `onMessage` with each framed JSON message arriving on `socket`. */
function readFrames(socket, onMessage) {
  let pending = Buffer.alloc(0);
  socket.on('data', (chunk) => {
    pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
    let at = 0;
    while (pending.length - at >= 4) {
      const length = pending.readUInt32LE(at);
      if (pending.length - at - 4 < length) break;
      onMessage(JSON.parse(pending.toString('utf8', at + 4, at + 4 + length)));
      at += 4 + length;
    }
    pending = pending.subarray(at);
  });
}

// ---- the child ---------------------------------------------------------------
if (role === 'child') {
  if (transport === 'ipc') {
    if (mode === 'pingpong') process.on('message', (m) => process.send(m));
    else for (let i = 0; i < count; i++) process.send({ seq: i, op: 'item' });
    process.on('disconnect', () => process.exit(0));
  } else {
    const socket = connect(path);
    socket.setNoDelay(true);
    if (mode === 'pingpong') readFrames(socket, (m) => socket.write(frame(m)));
    else {
      for (let i = 0; i < count; i++) socket.write(frame({ seq: i, op: 'item' }));
      socket.end();
    }
    socket.on('close', () => process.exit(0));
  }
} else {
  // ---- the parent: a stream of messages from whichever transport --------------
  let deliver;
  const next = () => new Promise((resolve) => (deliver = resolve));
  let child;
  let cleanup = () => {};
  let send;
  if (transport === 'ipc') {
    child = fork(new URL(import.meta.url), [transport, mode, String(count), 'child']);
    child.on('message', (m) => deliver(m));
    send = (m) => child.send(m);
    cleanup = () => child.disconnect();
  } else {
    const dir = mkdtempSync(join(tmpdir(), 'weft-bench-'));
    const socketPath = join(dir, 's');
    const server = createServer();
    server.listen(socketPath);
    child = fork(new URL(import.meta.url), [transport, mode, String(count), 'child', socketPath]);
    const [socket] = await once(server, 'connection');
    socket.setNoDelay(true);
    server.close();
    // Buffered, since a stream's messages come many per 'data' event.
    const queue = [];
    readFrames(socket, (m) => (deliver ? (deliver(m), (deliver = undefined)) : queue.push(m)));
    const take = next;
    send = (m) => socket.write(frame(m));
    cleanup = () => {
      socket.end();
      rmSync(dir, { recursive: true, force: true });
    };
    globalThis.takeMessage = () => (queue.length > 0 ? Promise.resolve(queue.shift()) : take());
  }
  const recv = globalThis.takeMessage ?? (() => next());
  if (transport === 'ipc' && mode === 'stream') {
    // IPC messages also come many per tick: queue them.
    const queue = [];
    child.removeAllListeners('message');
    child.on('message', (m) => (deliver ? (deliver(m), (deliver = undefined)) : queue.push(m)));
    globalThis.takeMessage = () => (queue.length > 0 ? Promise.resolve(queue.shift()) : next());
  }
  const receive = globalThis.takeMessage ?? recv;
  if (mode === 'pingpong') {
    for (let i = 0; i < WARM; i++) {
      const reply = receive();
      send({ seq: i, op: 'ping' });
      await reply;
    }
    const t0 = performance.now();
    for (let i = 0; i < count; i++) {
      const reply = receive();
      send({ seq: i, op: 'ping' });
      if ((await reply).seq !== i) throw new Error('out of order');
    }
    const micros = ((performance.now() - t0) * 1000) / count;
    cleanup();
    await once(child, 'exit');
    report(micros, 'µs');
  } else {
    let sum = (await receive()).seq;
    const t0 = performance.now();
    for (let i = 1; i < count; i++) sum += (await receive()).seq;
    const seconds = (performance.now() - t0) / 1000;
    if (sum !== (count * (count - 1)) / 2) throw new Error(`checksum ${sum}`);
    cleanup();
    await once(child, 'exit');
    report((count - 1) / seconds, 'items/s');
  }
}
