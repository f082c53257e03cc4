/**
 * A worker's end of its pool channel, whatever carries it: the byte rings
 * of a thread worker (`RingWorkerChannel`, here) or the socket of a process
 * worker (`SocketWorkerChannel` in `process-channel.ts`). The worker loop
 * (`worker-main.ts`) sees only this interface.
 */
import type { MessagePort } from 'node:worker_threads';
import { RingReader, RingWriter } from './byte-ring.js';
import { RecordWriter } from './messages.js';
import { SharedBufferReceiver, SharedBufferSender } from './shared-buffers.js';

export interface WorkerChannel {
  /** The next record from the pool, if one has arrived. */
  next(): Uint8Array | undefined;
  /** Messages for the pool are added here; the publish calls send them as one record. */
  readonly out: RecordWriter;
  /** The shared buffers the pool sent beside its records (thread workers), for reading them. */
  readonly sharedIn: SharedBufferReceiver | undefined;
  /** Makes queued results visible to the pool and wakes it (the socket batches these per tick). */
  publishResults(): void;
  /**
   * Makes everything queued visible to the pool *now*, so it survives this
   * worker dying in the task about to start; wakes the pool only if `wake`
   * (the task has a timeout, which runs from this moment).
   */
  publishStart(wake: boolean): void;
  /**
   * Bytes published but not yet handed to the system (a socket whose
   * queue backed up): a promise that resolves once they are. A task must
   * not start before its `Started` is out.
   */
  backlog(): Promise<unknown> | undefined;
  /** Whether `waitSync` works (a ring); a socket only waits with its event loop. */
  readonly canWaitSync: boolean;
  /** Blocks until a message may have arrived (true) or `timeout` ms pass (false). */
  waitSync(timeout: number): boolean;
  /** Resolves when a message may have arrived, or `interrupt()` is called. */
  waitAsync(): Promise<unknown>;
  /** Ends a pending `waitAsync` early: the worker's last async task ended, it may wait synchronously again. */
  interrupt(): void;
  /** Last words: everything queued is out before the worker exits. */
  close(): Promise<void>;
}

/** Buffers of a thread worker's two rings: tasks down, replies up. */
export interface RingPair {
  readonly down: SharedArrayBuffer;
  readonly up: SharedArrayBuffer;
}

// A full reply ring means the pool is behind on reading: wait in slices, so
// that a pool that went away never leaves the worker blocked for good.
const ROOM_WAIT_SLICE_MS = 100;

export class RingWorkerChannel implements WorkerChannel {
  readonly canWaitSync = true;
  readonly out: RecordWriter;
  readonly sharedIn: SharedBufferReceiver;
  readonly #down: RingReader;
  readonly #up: RingWriter;

  /** `port`: this worker's end of the shared-buffer port (`shared-buffers.ts`), handed with the thread. */
  constructor(rings: RingPair, port: MessagePort) {
    port.unref();
    this.out = new RecordWriter(new SharedBufferSender(port));
    this.sharedIn = new SharedBufferReceiver(port);
    this.#down = new RingReader(rings.down);
    this.#up = new RingWriter(rings.up);
  }

  next(): Uint8Array | undefined {
    return this.#down.read();
  }

  /** Writes a record into the reply ring, waiting for room if the pool is behind. */
  #write(record: Uint8Array): void {
    let offset = 0;
    for (;;) {
      // Read READ before trying, so a wait on it cannot miss the reader's progress.
      const seen = this.#up.readCounter();
      offset = this.#up.write(record, offset);
      if (offset === record.length) return;
      // No room: show the pool what is there, and wait for it to read.
      this.#up.publish();
      this.#up.waitForRoomSync(seen, ROOM_WAIT_SLICE_MS);
    }
  }

  #writeOut(): void {
    if (!this.out.empty) this.#write(this.out.take());
  }

  publishResults(): void {
    this.#writeOut();
    this.#up.publish();
  }

  publishStart(wake: boolean): void {
    this.#writeOut();
    if (wake) this.#up.publish();
    else this.#up.publishQuietly();
  }

  backlog(): undefined {
    return undefined;
  }

  waitSync(timeout: number): boolean {
    const seen = this.#down.writtenCounter();
    if (this.#down.hasData()) return true;
    return this.#down.waitForDataSync(seen, timeout);
  }

  waitAsync(): Promise<unknown> {
    const seen = this.#down.writtenCounter();
    if (this.#down.hasData()) return Promise.resolve();
    return this.#down.waitForData(seen);
  }

  interrupt(): void {
    this.#down.wake();
  }

  close(): Promise<void> {
    this.publishResults();
    return Promise.resolve();
  }
}
