/**
 * A queue's items in the hub, as byte ranges of the buffers they came in —
 * not one `Uint8Array` each. A run of puts drained from a put ring
 * (`put-ring.ts`) arrives as one buffer of records; lent items leave as one
 * packed buffer (`packed-items.ts`) and, while lent, are kept as that
 * buffer. Keeping the ranges moves a batch of thousands of items with two
 * small index arrays and one copy, where an object per item cost the hub
 * most of its time (allocation and garbage collection).
 *
 * A segment is `bytes` with the ranges `[starts[i], starts[i] + lengths[i])`
 * for `head <= i < count`: items `head…count-1`, oldest first. The store is
 * a FIFO of segments, oldest first.
 *
 * Invariants: `length` is the sum over segments of `count - head`; no
 * segment in the store is empty; a segment's ranges never change once it
 * is stored (only its `head` moves), so an item handed out as a view stays valid.
 */
import { RECORD_HEADER, TASK_DONE } from './put-ring.js';

export interface Segment {
  readonly bytes: Uint8Array;
  /** Undefined for a segment of one item: all of `bytes`. */
  readonly starts: Int32Array | undefined;
  readonly lengths: Int32Array | undefined;
  readonly count: number;
  head: number;
}

const startOf = (s: Segment, i: number): number => (s.starts === undefined ? 0 : s.starts[i]);
const lengthOf = (s: Segment, i: number): number => (s.lengths === undefined ? s.bytes.length : s.lengths[i]);

const pad4 = (n: number): number => (n + 3) & ~3;

/** One item, as a segment of its own. */
function single(item: Uint8Array): Segment {
  return { bytes: item, starts: undefined, lengths: undefined, count: 1, head: 0 };
}

/**
 * The items of a run of put-ring records (`put-ring.ts`), as one segment;
 * `taskDone(before)` is called for each `taskDone` record, with the number
 * of items before it in the run (so the caller can count in order).
 */
export function segmentOfRecords(records: Uint8Array, taskDone: (before: number) => void): Segment {
  const view = new DataView(records.buffer, records.byteOffset, records.byteLength);
  let n = 0;
  for (let at = 0; at + RECORD_HEADER <= records.length; ) {
    const length = view.getInt32(at + 8, true);
    if (length === TASK_DONE) {
      at += RECORD_HEADER;
      continue;
    }
    if (length < 0 || at + RECORD_HEADER + length > records.length) throw new RangeError('queue: a malformed run of puts');
    n++;
    at += RECORD_HEADER + pad4(length);
  }
  const starts = new Int32Array(n);
  const lengths = new Int32Array(n);
  let i = 0;
  for (let at = 0; at + RECORD_HEADER <= records.length; ) {
    const length = view.getInt32(at + 8, true);
    if (length === TASK_DONE) {
      taskDone(i);
      at += RECORD_HEADER;
      continue;
    }
    starts[i] = at + RECORD_HEADER;
    lengths[i++] = length;
    at += RECORD_HEADER + pad4(length);
  }
  return { bytes: records, starts, lengths, count: n, head: 0 };
}

/** The items of a packed buffer (`packed-items.ts`), as one segment. */
export function segmentOfPacked(packed: Uint8Array): Segment {
  const view = new DataView(packed.buffer, packed.byteOffset, packed.byteLength);
  const n = view.getUint32(0, true);
  const starts = new Int32Array(n);
  const lengths = new Int32Array(n);
  let at = 4 + 4 * n;
  for (let i = 0; i < n; i++) {
    const length = view.getUint32(4 + 4 * i, true);
    starts[i] = at;
    lengths[i] = length;
    at += length;
  }
  return { bytes: packed, starts, lengths, count: n, head: 0 };
}

export class ItemStore {
  #segments: Segment[] = [];
  #first = 0;
  #length = 0;

  get length(): number {
    return this.#length;
  }

  push(item: Uint8Array): void {
    this.pushSegment(single(item));
  }

  pushSegment(segment: Segment): void {
    const n = segment.count - segment.head;
    if (n === 0) return;
    this.#segments.push(segment);
    this.#length += n;
  }

  /** Puts `item` back at the head. */
  unshift(item: Uint8Array): void {
    this.unshiftSegment(single(item));
  }

  /** Puts a segment's items back at the head, before every stored one. */
  unshiftSegment(segment: Segment): void {
    const n = segment.count - segment.head;
    if (n === 0) return;
    if (this.#first > 0) this.#segments[--this.#first] = segment;
    else this.#segments.unshift(segment);
    this.#length += n;
  }

  /** The oldest item's length (the store is not empty). */
  peekLength(): number {
    const s = this.#segments[this.#first];
    return lengthOf(s, s.head);
  }

  /** Takes the oldest item, as a view into its segment's bytes. */
  shift(): Uint8Array {
    const s = this.#segments[this.#first];
    const i = s.head++;
    this.#length--;
    if (s.head === s.count) this.#dropFirst();
    if (s.starts === undefined) return s.bytes;
    const start = s.starts[i];
    return s.bytes.subarray(start, start + lengthOf(s, i));
  }

  /** Drops the oldest `n` items (no more than `length`). */
  drop(n: number): void {
    while (n > 0) {
      const s = this.#segments[this.#first];
      const k = Math.min(n, s.count - s.head);
      s.head += k;
      n -= k;
      this.#length -= k;
      if (s.head === s.count) this.#dropFirst();
    }
  }

  /** The segments, oldest first, each from its head (the store is left empty). */
  takeAll(): Segment[] {
    const all = this.#segments.slice(this.#first);
    this.clear();
    return all;
  }

  /**
   * Takes the oldest items, at least one (the store is not empty), while
   * there are fewer than `maxItems` and their bytes stay within `maxBytes`,
   * packed into one buffer (`packed-items.ts`).
   */
  takePacked(maxItems: number, maxBytes: number): Uint8Array {
    let n = 0;
    let bytes = 0;
    for (let k = this.#first; k < this.#segments.length && n < maxItems; k++) {
      const s = this.#segments[k];
      let i = s.head;
      while (i < s.count && n < maxItems && (n === 0 || bytes + lengthOf(s, i) <= maxBytes)) {
        bytes += lengthOf(s, i++);
        n++;
      }
      if (i < s.count) break;
    }
    const packed = new Uint8Array(4 + 4 * n + bytes);
    const view = new DataView(packed.buffer);
    view.setUint32(0, n, true);
    let at = 4 + 4 * n;
    for (let j = 0; j < n; ) {
      const s = this.#segments[this.#first];
      const k = Math.min(n - j, s.count - s.head);
      const src = s.bytes;
      for (let i = s.head; i < s.head + k; i++) {
        const start = startOf(s, i);
        const length = lengthOf(s, i);
        view.setUint32(4 + 4 * j++, length, true);
        if (length > 64) packed.set(src.subarray(start, start + length), at);
        else for (let b = 0; b < length; b++) packed[at + b] = src[start + b];
        at += length;
      }
      s.head += k;
      this.#length -= k;
      if (s.head === s.count) this.#dropFirst();
    }
    return packed;
  }

  clear(): void {
    this.#segments = [];
    this.#first = 0;
    this.#length = 0;
  }

  #dropFirst(): void {
    this.#segments[this.#first++] = undefined as unknown as Segment;
    if (this.#first === this.#segments.length) {
      this.#segments = [];
      this.#first = 0;
    } else if (this.#first > 1024 && this.#first * 2 > this.#segments.length) {
      this.#segments = this.#segments.slice(this.#first);
      this.#first = 0;
    }
  }
}
