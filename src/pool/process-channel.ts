/**
 * The channel between a process pool and its worker processes: one Unix
 * socket per worker, to a server the pool listens on in a private
 * directory (mode 0700, removed when the pool ends). Each worker proves
 * it was started by this pool with a random token and says which worker it
 * is, in its first frame; a connection that does not is closed.
 *
 * Frames are a 4-byte little-endian length and a message of `messages.ts`.
 *
 * Writes from the worker are ordered for crash safety: a `Started` is
 * written at once, carrying any result still queued with it, so a task
 * that kills its process can never take an earlier result with it. Node
 * writes a socket synchronously when its queue is empty, so the bytes are in
 * the kernel before the task runs; should the queue ever back up, the
 * worker waits for it to drain before it starts the next task.
 */
import { nodeCrypto, nodeNet } from '../internal/builtins.js';
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RecordWriter } from './messages.js';
import type { WorkerChannel } from './worker-channel.js';

/** Where a worker connects, and how it proves who it is. */
export interface SocketAddress {
  readonly path: string;
  readonly token: string;
  readonly worker: number;
}

const HEADER_BYTES = 4;
const TOKEN_BYTES = 24;
// The hello is the token and the worker number: anything longer is a stranger.
const HELLO_LIMIT = 256;

/** Splits a byte stream into frames. */
export class FrameSplitter {
  #buffered: Buffer = Buffer.alloc(0);

  /** The complete frames in `chunk` and what came before it. */
  push(chunk: Buffer): Buffer[] {
    this.#buffered = this.#buffered.length === 0 ? chunk : Buffer.concat([this.#buffered, chunk]);
    const frames: Buffer[] = [];
    let at = 0;
    while (this.#buffered.length - at >= HEADER_BYTES) {
      const length = this.#buffered.readUInt32LE(at);
      if (this.#buffered.length - at - HEADER_BYTES < length) break;
      frames.push(this.#buffered.subarray(at + HEADER_BYTES, at + HEADER_BYTES + length));
      at += HEADER_BYTES + length;
    }
    this.#buffered = at === this.#buffered.length ? Buffer.alloc(0) : this.#buffered.subarray(at);
    return frames;
  }

  /** Bytes of a frame not yet complete. */
  get pending(): number {
    return this.#buffered.length;
  }
}

/** Frames `messages` into one buffer for one write. */
export function joinFrames(messages: readonly Uint8Array[]): Buffer {
  let total = 0;
  for (const message of messages) total += HEADER_BYTES + message.length;
  const out = Buffer.allocUnsafe(total);
  let at = 0;
  for (const message of messages) {
    out.writeUInt32LE(message.length, at);
    out.set(message, at + HEADER_BYTES);
    at += HEADER_BYTES + message.length;
  }
  return out;
}

// ---- the pool's side --------------------------------------------------------

/** The pool's server: hands each worker's connection to whoever waits for that worker. */
export class WorkerSocketServer {
  readonly #dir: string;
  readonly #path: string;
  readonly #token: Buffer;
  readonly #server: Server;
  readonly #waiting = new Map<number, (socket: Socket, leftover: Buffer[]) => void>();
  #listening: Promise<void>;

  constructor() {
    this.#dir = mkdtempSync(join(tmpdir(), 'weft-pool-'));
    this.#path = join(this.#dir, 'pool.sock');
    this.#token = nodeCrypto().randomBytes(TOKEN_BYTES);
    this.#server = nodeNet().createServer((socket) => this.#greet(socket));
    this.#server.unref();
    process.once('exit', this.#removeDirectory);
    this.#listening = new Promise((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(this.#path, () => resolve());
    });
  }

  /** Resolves once the socket accepts connections. */
  ready(): Promise<void> {
    return this.#listening;
  }

  /** The address worker `worker` connects to. */
  address(worker: number): SocketAddress {
    return { path: this.#path, token: this.#token.toString('hex'), worker };
  }

  /** Calls `onConnect` when worker `worker` connects (once). */
  expect(worker: number, onConnect: (socket: Socket, leftover: Buffer[]) => void): void {
    this.#waiting.set(worker, onConnect);
  }

  /** Stops waiting for `worker` (it died before connecting). */
  forget(worker: number): void {
    this.#waiting.delete(worker);
  }

  close(): void {
    this.#server.close();
    this.#removeDirectory();
    process.off('exit', this.#removeDirectory);
  }

  /** A pool nobody closed leaves no socket behind when the program ends. */
  readonly #removeDirectory = (): void => {
    rmSync(this.#dir, { recursive: true, force: true });
  };

  #greet(socket: Socket): void {
    const splitter = new FrameSplitter();
    const onData = (chunk: Buffer): void => {
      const frames = splitter.push(chunk);
      if (frames.length === 0) {
        if (splitter.pending > HELLO_LIMIT) socket.destroy();
        return;
      }
      socket.off('data', onData);
      const worker = this.#authenticate(frames[0]);
      const onConnect = worker === undefined ? undefined : this.#waiting.get(worker);
      if (worker === undefined || onConnect === undefined) {
        socket.destroy();
        return;
      }
      this.#waiting.delete(worker);
      onConnect(socket, frames.slice(1));
    };
    socket.on('data', onData);
    socket.on('error', () => socket.destroy());
  }

  /** The worker number a hello frame names, if its token is ours. */
  #authenticate(hello: Buffer): number | undefined {
    if (hello.length !== TOKEN_BYTES + 4) return undefined;
    if (!nodeCrypto().timingSafeEqual(hello.subarray(0, TOKEN_BYTES), this.#token)) return undefined;
    return hello.readUInt32LE(TOKEN_BYTES);
  }
}

// ---- the worker's side ------------------------------------------------------

/** Connects a worker process to its pool and says hello. */
export async function connectWorkerSocket(address: SocketAddress): Promise<WorkerChannel> {
  const socket = nodeNet().connect(address.path);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  const hello = Buffer.alloc(TOKEN_BYTES + 4);
  Buffer.from(address.token, 'hex').copy(hello, 0);
  hello.writeUInt32LE(address.worker, TOKEN_BYTES);
  socket.write(joinFrames([hello]));
  return new SocketWorkerChannel(socket);
}

class SocketWorkerChannel implements WorkerChannel {
  readonly canWaitSync = false;
  readonly out = new RecordWriter();
  /** None: thread-scope objects do not reach another process. */
  readonly sharedIn = undefined;
  readonly #socket: Socket;
  readonly #inbox: Uint8Array[] = [];
  #inboxHead = 0;
  #flushScheduled = false;
  #wake: (() => void) | undefined;
  #writesIssued = 0;
  #writesDone = 0;
  #whenWritten: (() => void)[] = [];

  constructor(socket: Socket) {
    this.#socket = socket;
    const splitter = new FrameSplitter();
    socket.on('data', (chunk: Buffer) => {
      for (const frame of splitter.push(chunk)) this.#inbox.push(frame);
      this.#wakeUp();
    });
    // The pool is gone (it ended, or closed this worker): nothing left to serve.
    socket.on('close', () => process.exit(0));
    socket.on('error', () => {});
  }

  next(): Uint8Array | undefined {
    if (this.#inboxHead === this.#inbox.length) return undefined;
    const message = this.#inbox[this.#inboxHead];
    this.#inboxHead += 1;
    if (this.#inboxHead === this.#inbox.length) {
      this.#inbox.length = 0;
      this.#inboxHead = 0;
    }
    return message;
  }

  publishStart(): void {
    this.#flush();
  }

  publishResults(): void {
    if (this.#flushScheduled) return;
    this.#flushScheduled = true;
    queueMicrotask(() => this.#flush());
  }

  waitSync(): boolean {
    throw new Error('pool: a socket channel cannot wait synchronously');
  }

  waitAsync(): Promise<unknown> {
    if (this.#inboxHead < this.#inbox.length) return Promise.resolve();
    return new Promise<void>((resolve) => (this.#wake = resolve));
  }

  interrupt(): void {
    this.#wakeUp();
  }

  backlog(): Promise<unknown> | undefined {
    // Not 'drain': it only follows a write() that returned false, and a short backlog never does.
    if (this.#socket.writableLength === 0 || this.#writesDone === this.#writesIssued) return undefined;
    return new Promise<void>((resolve) => this.#whenWritten.push(resolve));
  }

  async close(): Promise<void> {
    this.#flush();
    await new Promise<void>((resolve) => this.#socket.end(resolve));
  }

  #flush(): void {
    this.#flushScheduled = false;
    if (this.out.empty) return;
    const frames = joinFrames([this.out.take()]);
    this.#writesIssued += 1;
    this.#socket.write(frames, this.#onWritten);
  }

  /** A write reached the system; once all have, whoever waits on `backlog()` goes on. */
  readonly #onWritten = (): void => {
    this.#writesDone += 1;
    if (this.#writesDone !== this.#writesIssued) return;
    const waiting = this.#whenWritten;
    this.#whenWritten = [];
    for (const resolve of waiting) resolve();
  };

  #wakeUp(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }
}
