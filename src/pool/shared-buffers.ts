/**
 * Shared buffers beside the bytes: how a thread-scope weft object (a Lock,
 * an Event, a Queue, a Value…) rides in a thread pool's task arguments and
 * results, although the pool's byte rings carry only bytes.
 *
 * A thread-scope object crosses as its handle (`codec/handles.ts`), whose
 * data holds the SharedArrayBuffer(s) its state lives in. When a channel
 * writes handles into a record, each SharedArrayBuffer in them becomes a
 * number (`Tag.SharedBuffer`), and the buffer itself is posted, once, on a
 * MessagePort that pairs the two ends of this channel direction. The reader
 * finds the number in its table, or, for a number it has not seen yet,
 * takes the posted buffers off the port synchronously
 * (`receiveMessageOnPort`) until it has it.
 *
 * Ordering invariant (why a record never arrives before its buffers): a
 * buffer is posted inside `idOf`, while the record that first names it is
 * being encoded, and a record is published to the ring only once encoded.
 * `postMessage` has put the buffer in the reader's port queue before it
 * returns, so by the time the reader sees the record in the ring, the buffer
 * is waiting on the port. A number the port cannot produce is a bug, and is
 * reported as malformed data rather than waited for.
 *
 * Caching: the sender numbers buffers by identity (a WeakMap), so the same
 * Lock passed to 100,000 tasks is posted once per worker, then costs one
 * varint per task.
 *
 * Forgetting: the reader must keep every buffer it was sent while the
 * sender may name it again — that is, while the sender's buffer is alive.
 * When the sender's buffer is collected (a FinalizationRegistry tells it),
 * its number is added to the next record as a `Release` message
 * (`messages.ts`). In-band is what makes this safe: every record that names
 * the number was written before the release, so the reader has decoded them
 * all when it drops the buffer. Numbers are never reused.
 */
import { receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import type { SharedBufferSink, SharedBufferSource } from '../codec/format.js';
import { malformed } from '../codec/reader.js';

/** What travels on the port: one buffer and its number. */
interface PostedBuffer {
  readonly id: number;
  readonly buffer: SharedArrayBuffer;
}

/** The writing end: numbers buffers, posts each new one on the port. */
export class SharedBufferSender implements SharedBufferSink {
  readonly #port: MessagePort;
  readonly #ids = new WeakMap<SharedArrayBuffer, number>();
  #nextId = 0;
  #released: number[] = [];
  readonly #collected = new FinalizationRegistry<number>((id) => this.#released.push(id));

  constructor(port: MessagePort) {
    this.#port = port;
  }

  idOf(buffer: SharedArrayBuffer): number {
    let id = this.#ids.get(buffer);
    if (id !== undefined) return id;
    id = this.#nextId++;
    // Posted before the record that names it is published (see the header).
    const posted: PostedBuffer = { id, buffer };
    this.#port.postMessage(posted);
    this.#ids.set(buffer, id);
    this.#collected.register(buffer, id);
    return id;
  }

  /** Numbers of buffers collected here since the last call, for a `Release` message; undefined if none. */
  takeReleased(): number[] | undefined {
    if (this.#released.length === 0) return undefined;
    const released = this.#released;
    this.#released = [];
    return released;
  }

  close(): void {
    this.#port.close();
  }
}

/** The reading end: the buffers by number, pulled off the port as records name them. */
export class SharedBufferReceiver implements SharedBufferSource {
  readonly #port: MessagePort;
  readonly #buffers = new Map<number, SharedArrayBuffer>();

  constructor(port: MessagePort) {
    this.#port = port;
  }

  bufferOf(id: number): SharedArrayBuffer {
    let buffer = this.#buffers.get(id);
    if (buffer !== undefined) return buffer;
    this.#drain();
    buffer = this.#buffers.get(id);
    // Posted before its record was published: if it is not on the port now, it never will be.
    if (buffer === undefined) throw malformed(`shared buffer ${id} named before it was sent`);
    return buffer;
  }

  /** The sender no longer has these buffers: drop them (everything that named them has been read). */
  release(ids: readonly number[]): void {
    // A released buffer may still be on the port (posted for a record that failed to encode): take it first.
    this.#drain();
    for (const id of ids) this.#buffers.delete(id);
  }

  close(): void {
    this.#port.close();
  }

  #drain(): void {
    for (let received = receiveMessageOnPort(this.#port); received !== undefined; received = receiveMessageOnPort(this.#port)) {
      const { id, buffer } = received.message as PostedBuffer;
      this.#buffers.set(id, buffer);
    }
  }
}
