/**
 * The pool's end of one worker's channel: `RingPoolChannel` for a thread
 * worker (two byte rings in shared memory), `SocketPoolChannel` for a
 * process worker (its socket). The engine sees only `PoolChannel`.
 *
 * Sending is batched by construction: `send` only queues, and `flush`
 * writes everything queued and wakes the worker once. Receiving is batched
 * too: when woken, the channel delivers every message that has arrived.
 *
 * A thread worker's channel also has a MessagePort, on which the
 * SharedArrayBuffers of thread-scope weft objects in tasks and results
 * travel beside the records (`shared-buffers.ts`); a process worker's has none.
 */
import type { Socket } from 'node:net';
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { RingReader, RingWriter, createRingBuffer } from './byte-ring.js';
import { FrameSplitter, joinFrames } from './process-channel.js';
import { RecordWriter } from './messages.js';
import { SharedBufferReceiver, SharedBufferSender } from './shared-buffers.js';
import type { RingPair } from './worker-channel.js';

export interface PoolChannel {
  /** Messages for the worker are added here; `flush` sends them as one record. */
  readonly out: RecordWriter;
  /** The shared buffers the worker sent beside its records (thread workers), for reading them. */
  readonly sharedIn: SharedBufferReceiver | undefined;
  /** Sends what was added to `out` and wakes the worker. */
  flush(): void;
  /** From now on, calls `onRecord` for each record from the worker, in order. */
  listen(onRecord: (record: Uint8Array) => void): void;
  /**
   * Resolves once the worker can send nothing more and every message it
   * sent has been delivered — call after the worker exited.
   */
  drained(): Promise<void>;
  /** Stops delivering and lets go of the channel's resources. */
  close(): void;
}

export class RingPoolChannel implements PoolChannel {
  readonly rings: RingPair;
  /** The worker's end of the shared-buffer port, to hand it with the thread (transferred). */
  readonly workerPort: MessagePort;
  readonly out: RecordWriter;
  readonly sharedIn: SharedBufferReceiver;
  readonly #writer: RingWriter;
  readonly #reader: RingReader;
  #outbox: Uint8Array[] = [];
  #outboxHead = 0;
  /** How much of the head record is already in the ring. */
  #headOffset = 0;
  #waitingForRoom = false;
  #onMessage: ((message: Uint8Array) => void) | undefined;
  #closed = false;

  constructor() {
    this.rings = { down: createRingBuffer(), up: createRingBuffer() };
    // One port pair carries buffers both ways: the pool posts on port1 and reads what the worker posted there.
    const { port1, port2 } = new MessageChannel();
    port1.unref();
    this.workerPort = port2;
    this.out = new RecordWriter(new SharedBufferSender(port1));
    this.sharedIn = new SharedBufferReceiver(port1);
    this.#writer = new RingWriter(this.rings.down);
    this.#reader = new RingReader(this.rings.up);
  }

  flush(): void {
    if (!this.out.empty) this.#outbox.push(this.out.take());
    if (this.#waitingForRoom || this.#closed) return;
    // Read READ before writing, so that waiting on it cannot miss the worker's progress.
    const seen = this.#writer.readCounter();
    const outbox = this.#outbox;
    let head = this.#outboxHead;
    while (head < outbox.length) {
      const record = outbox[head];
      this.#headOffset = this.#writer.write(record, this.#headOffset);
      if (this.#headOffset < record.length) break;
      this.#headOffset = 0;
      head += 1;
    }
    this.#writer.publish();
    if (head === outbox.length) {
      this.#outbox = [];
      this.#outboxHead = 0;
      return;
    }
    this.#outboxHead = head;
    this.#waitForRoom(seen);
  }

  /** The ring is full: the worker is behind. Write the rest once it reads. */
  #waitForRoom(seen: number): void {
    this.#waitingForRoom = true;
    void this.#writer.waitForRoom(seen).then(() => {
      this.#waitingForRoom = false;
      this.flush();
    });
  }

  listen(onMessage: (message: Uint8Array) => void): void {
    this.#onMessage = onMessage;
    void this.#watch();
  }

  async #watch(): Promise<void> {
    while (!this.#closed) {
      const seen = this.#reader.writtenCounter();
      this.#deliver();
      if (this.#closed) return;
      await this.#reader.waitForData(seen);
    }
  }

  #deliver(): void {
    for (let message = this.#reader.read(); message !== undefined && !this.#closed; message = this.#reader.read()) {
      this.#onMessage?.(message);
    }
  }

  drained(): Promise<void> {
    // Shared memory outlives the worker: what it published is all there.
    this.#deliver();
    return Promise.resolve();
  }

  close(): void {
    this.#closed = true;
    this.#reader.wake();
    this.sharedIn.close();
  }
}

export class SocketPoolChannel implements PoolChannel {
  readonly out = new RecordWriter();
  /** None: thread-scope objects do not reach another process. */
  readonly sharedIn = undefined;
  #socket: Socket | undefined;
  #outbox: Uint8Array[] = [];
  #onMessage: ((message: Uint8Array) => void) | undefined;
  #early: Uint8Array[] = [];
  #closed = false;
  #ended: Promise<void> | undefined;

  /** The worker connected: `leftover` are frames that came with its hello. */
  attach(socket: Socket, leftover: readonly Uint8Array[]): void {
    if (this.#closed) {
      socket.destroy();
      return;
    }
    this.#socket = socket;
    socket.unref();
    const splitter = new FrameSplitter();
    this.#ended = new Promise((resolve) => socket.once('close', () => resolve()));
    socket.on('data', (chunk: Buffer) => {
      for (const frame of splitter.push(chunk)) this.#receive(frame);
    });
    socket.on('error', () => socket.destroy());
    for (const frame of leftover) this.#receive(frame);
    this.flush();
  }

  flush(): void {
    if (!this.out.empty) this.#outbox.push(this.out.take());
    if (this.#socket === undefined || this.#outbox.length === 0 || this.#closed) return;
    this.#socket.write(joinFrames(this.#outbox));
    this.#outbox = [];
  }

  listen(onMessage: (message: Uint8Array) => void): void {
    this.#onMessage = onMessage;
    const early = this.#early;
    this.#early = [];
    for (const message of early) onMessage(message);
  }

  async drained(): Promise<void> {
    await this.#ended;
  }

  close(): void {
    this.#closed = true;
    this.#socket?.destroy();
  }

  #receive(message: Uint8Array): void {
    if (this.#closed) return;
    if (this.#onMessage === undefined) this.#early.push(message);
    else this.#onMessage(message);
  }
}
