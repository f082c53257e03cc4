/**
 * A byte ring: records of any size from one writer thread to one reader
 * thread, over a SharedArrayBuffer. A thread pool has two per worker — tasks
 * down, replies up — so dispatch is a memory copy and a store, not a
 * message: no structured clone, no event-loop hop on the sending side, and
 * many records cross per wake-up.
 *
 * Layout: three Int32 words, then CAPACITY data bytes (a power of two).
 *
 * | word | name    | written by | meaning                                            |
 * |------|---------|------------|----------------------------------------------------|
 * | 0    | WRITTEN | writer     | bytes published so far (wraps at 2^32)             |
 * | 1    | READ    | reader     | bytes consumed so far (wraps at 2^32)              |
 * | 2    | —       | —          | padding, keeps the data 8-byte aligned             |
 *
 * Positions in the data are the counters modulo CAPACITY. A record is one
 * or more fragments; a fragment is a 4-byte header then its payload padded
 * to 4 bytes. The header is the payload length, with MORE set on every
 * fragment but a record's last. A header of WRAP means "the rest of the data
 * area is unused, continue at its start": a fragment never straddles the
 * end. Records larger than MAX_FRAGMENT are cut into fragments, so a record
 * of any size passes through a ring of fixed size, a fragment at a time.
 *
 * Invariants:
 * - 0 <= WRITTEN - READ <= CAPACITY (the writer checks free space first).
 * - The writer fills a fragment's bytes *before* it stores WRITTEN past
 *   them, and the reader copies them out *before* it stores READ past them;
 *   Atomics.store/load order those accesses, so neither side ever sees the
 *   other's half-written bytes.
 * - Every position is a multiple of 4, so at least 4 bytes remain before the
 *   end: room for a WRAP header.
 *
 * Waiting: the reader waits on WRITTEN changing, the writer on READ
 * changing; each side notifies after it stores its counter. Atomics.notify
 * with no waiter is cheap, so neither side tracks whether the other sleeps.
 */

const WRITTEN = 0;
const READ = 1;
const HEADER_WORDS = 3;
const HEADER_BYTES = HEADER_WORDS * 4;
const FRAGMENT_HEADER_BYTES = 4;
const MORE = 0x8000_0000;
const WRAP = 0xffff_ffff;

const DEFAULT_RING_BYTES = 1 << 18;

/** A ring's shared memory, made by the side that creates the channel. */
export function createRingBuffer(capacity = DEFAULT_RING_BYTES): SharedArrayBuffer {
  if (!Number.isInteger(Math.log2(capacity)) || capacity < 64) throw new RangeError('ring capacity must be a power of two >= 64');
  return new SharedArrayBuffer(HEADER_BYTES + capacity);
}

/** What both ends see of a ring. */
class RingEnd {
  protected readonly words: Int32Array;
  protected readonly headers: Uint32Array;
  protected readonly bytes: Uint8Array;
  protected readonly capacity: number;
  protected readonly mask: number;

  constructor(buffer: SharedArrayBuffer) {
    this.words = new Int32Array(buffer, 0, HEADER_WORDS);
    this.capacity = buffer.byteLength - HEADER_BYTES;
    this.mask = this.capacity - 1;
    this.headers = new Uint32Array(buffer, HEADER_BYTES, this.capacity / 4);
    this.bytes = new Uint8Array(buffer, HEADER_BYTES, this.capacity);
  }

  /** The largest payload of one fragment: a quarter of the ring, so several fit at once. */
  get maxFragment(): number {
    return this.capacity / 4;
  }
}

/** The writing end. Writes never block here; the caller decides how to wait for room. */
export class RingWriter extends RingEnd {
  #written: number;

  constructor(buffer: SharedArrayBuffer) {
    super(buffer);
    this.#written = Atomics.load(this.words, WRITTEN) >>> 0;
  }

  /**
   * Writes as much of `record` from `offset` as fits now, a fragment at a
   * time; returns the new offset (=== record.length once it is all in).
   * Call `publish()` afterwards to make the fragments visible. Records are
   * never empty (every message starts with its type byte).
   */
  write(record: Uint8Array, offset: number): number {
    while (offset < record.length) {
      const length = Math.min(record.length - offset, this.maxFragment);
      const more = offset + length < record.length;
      if (!this.#writeFragment(record, offset, length, more)) break;
      offset += length;
    }
    return offset;
  }

  /** Makes everything written so far visible to the reader, and wakes it. */
  publish(): void {
    Atomics.store(this.words, WRITTEN, this.#written | 0);
    Atomics.notify(this.words, WRITTEN);
  }

  /** Makes everything written so far visible, without waking the reader: it sees it when it next looks. */
  publishQuietly(): void {
    Atomics.store(this.words, WRITTEN, this.#written | 0);
  }

  /** The READ word's current value, to wait on it changing (the ring was full). */
  readCounter(): number {
    return Atomics.load(this.words, READ);
  }

  /** Blocks until the reader consumes something, or `timeout` ms pass. */
  waitForRoomSync(seenRead: number, timeout: number): void {
    Atomics.wait(this.words, READ, seenRead, timeout);
  }

  /** Resolves when the reader consumes something. */
  waitForRoom(seenRead: number): Promise<unknown> {
    const waited = Atomics.waitAsync(this.words, READ, seenRead);
    return waited.async ? waited.value : Promise.resolve();
  }

  #writeFragment(record: Uint8Array, offset: number, length: number, more: boolean): boolean {
    const padded = (length + 3) & ~3;
    const need = FRAGMENT_HEADER_BYTES + padded;
    const position = this.#written & this.mask;
    const toEnd = this.capacity - position;
    const wraps = need > toEnd;
    const used = (this.#written - Atomics.load(this.words, READ)) >>> 0;
    if (used + need + (wraps ? toEnd : 0) > this.capacity) return false;
    let at = position;
    if (wraps) {
      this.headers[at >>> 2] = WRAP;
      this.#written = (this.#written + toEnd) >>> 0;
      at = 0;
    }
    this.headers[at >>> 2] = more ? (length | MORE) >>> 0 : length;
    this.bytes.set(record.subarray(offset, offset + length), at + FRAGMENT_HEADER_BYTES);
    this.#written = (this.#written + need) >>> 0;
    return true;
  }
}

/** The reading end. */
export class RingReader extends RingEnd {
  #read: number;
  #partial: Uint8Array[] = [];

  constructor(buffer: SharedArrayBuffer) {
    super(buffer);
    this.#read = Atomics.load(this.words, READ) >>> 0;
  }

  /** The next whole record, copied out of the ring; undefined if none is complete yet. */
  read(): Uint8Array | undefined {
    for (;;) {
      const written = Atomics.load(this.words, WRITTEN) >>> 0;
      if (written === this.#read) return undefined;
      let at = this.#read & this.mask;
      let header = this.headers[at >>> 2];
      if (header === WRAP) {
        this.#read = (this.#read + (this.capacity - at)) >>> 0;
        at = 0;
        header = this.headers[0];
      }
      const length = header & ~MORE;
      const payload = this.bytes.slice(at + FRAGMENT_HEADER_BYTES, at + FRAGMENT_HEADER_BYTES + length);
      this.#read = (this.#read + FRAGMENT_HEADER_BYTES + ((length + 3) & ~3)) >>> 0;
      this.#release();
      if ((header & MORE) !== 0) {
        this.#partial.push(payload);
        continue;
      }
      if (this.#partial.length === 0) return payload;
      return this.#joinPartial(payload);
    }
  }

  /** The WRITTEN word's current value, to wait on it changing. */
  writtenCounter(): number {
    return Atomics.load(this.words, WRITTEN);
  }

  /** True when a fragment is waiting to be read. */
  hasData(): boolean {
    return Atomics.load(this.words, WRITTEN) >>> 0 !== this.#read;
  }

  /** Blocks until the writer publishes something (true), or `timeout` ms pass (false). */
  waitForDataSync(seenWritten: number, timeout: number): boolean {
    return Atomics.wait(this.words, WRITTEN, seenWritten, timeout) !== 'timed-out';
  }

  /** Resolves when the writer publishes something (or `wake()` is called). */
  waitForData(seenWritten: number): Promise<unknown> {
    const waited = Atomics.waitAsync(this.words, WRITTEN, seenWritten);
    return waited.async ? waited.value : Promise.resolve();
  }

  /** Wakes this side's own pending `waitForData`, e.g. when the writer is known to be gone. */
  wake(): void {
    Atomics.notify(this.words, WRITTEN);
  }

  #release(): void {
    Atomics.store(this.words, READ, this.#read | 0);
    Atomics.notify(this.words, READ);
  }

  #joinPartial(last: Uint8Array): Uint8Array {
    const parts = this.#partial;
    this.#partial = [];
    parts.push(last);
    let total = 0;
    for (const part of parts) total += part.length;
    const joined = new Uint8Array(total);
    let at = 0;
    for (const part of parts) {
      joined.set(part, at);
      at += part.length;
    }
    return joined;
  }
}
