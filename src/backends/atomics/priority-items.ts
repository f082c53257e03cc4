/**
 * The items of a priority queue: a binary min-heap of item blocks under a
 * lock, ordered by priority and, among equal priorities, by arrival (a
 * sequence number) — so equal priorities come out first in, first out,
 * where Python's `PriorityQueue` would compare the items' values instead.
 *
 * A priority is a number, a bigint or a string; numbers and bigints compare
 * with each other, strings with strings (as JavaScript's `<` does). The kind
 * of the first priority fixes the queue's until it is empty again.
 *
 * ## Words (Int32, at `base` in the queue header)
 *
 * | word     | written by           | meaning                                        |
 * |----------|----------------------|------------------------------------------------|
 * | Lock     | anyone (futex mutex) | guards everything below                         |
 * | Array    | holder of Lock       | heap block holding the min-heap: item block offsets |
 * | Capacity | holder of Lock       | entries the Array block can hold                |
 * | Count    | holder of Lock       | items in the heap                               |
 * | Seq      | holder of Lock       | arrival counter (ties)                          |
 * | KeyKind  | holder of Lock       | kind of the priorities in the queue (0: empty)  |
 * | Closed   | holder of Lock       | 1: pushes refused (`close()`)                   |
 *
 * ## Item block (from the heap)
 *
 * | word / bytes | meaning                                                  |
 * |--------------|----------------------------------------------------------|
 * | 0            | Seq                                                      |
 * | 1            | KeyKind: 1 number, 2 bigint (decimal), 3 string           |
 * | 2            | KeyUnits: UTF-16 units of a bigint or string key          |
 * | 3            | Length: bytes of the encoded item                         |
 * | 16–23        | a number key (float64)                                    |
 * | 16…          | a bigint/string key, 2 bytes a unit                        |
 * | then         | the encoded item                                          |
 *
 * A holder that dies inside Lock (a crash: weft's own terminations never
 * stop a thread there, `safe-stop.ts`) may have stopped in the middle of a
 * sift, between the two stores of a swap: one entry then appears twice and
 * another is gone. Whoever takes Lock over rebuilds the heap order from the
 * entries present (Floyd's bottom-up heapify), so the queue works on, but an
 * item may be lost and another delivered twice: that case is not made whole.
 */
import { lockMutex, unlockMutex } from './futex-mutex.js';
import type { GrowingViews } from './growing-views.js';
import type { SharedHeap } from './shared-heap.js';
import { roomFor, type ItemBytes } from '../../codec/item-bytes.js';
import { invalidArg } from '../../errors.js';

export const PriorityWord = { Lock: 0, Array: 1, Capacity: 2, Count: 3, Seq: 4, KeyKind: 5, Closed: 6 } as const;
export const PRIORITY_WORDS = 7;

export type Priority = number | bigint | string;

const KeyKind = { None: 0, Number: 1, BigInt: 2, String: 3 } as const;
const ITEM_HEADER = 16;
const INITIAL_CAPACITY = 16;

export class PriorityItems {
  readonly #header: Int32Array;
  readonly #base: number;
  readonly #memory: GrowingViews;
  readonly #heap: SharedHeap;

  constructor(header: Int32Array, base: number, memory: GrowingViews, heap: SharedHeap) {
    this.#header = header;
    this.#base = base;
    this.#memory = memory;
    this.#heap = heap;
  }

  /**
   * All of the heap's memory, as far as it reaches now. Everything below
   * runs under the lock or on a block not yet shared, and every block was
   * carved before it was handed out, so one reach to the current end serves.
   */
  get #words(): Int32Array {
    this.#memory.reach(this.#memory.buffer.byteLength);
    return this.#memory.words;
  }

  get #bytes(): Uint8Array {
    this.#memory.reach(this.#memory.buffer.byteLength);
    return this.#memory.bytes;
  }

  get #view(): DataView {
    this.#memory.reach(this.#memory.buffer.byteLength);
    return this.#memory.view;
  }

  /** Throws ERR_INVALID_ARG unless `priority` can be a priority at all. */
  static check(priority: unknown): asserts priority is Priority {
    if (typeof priority === 'number' ? Number.isNaN(priority) : typeof priority !== 'bigint' && typeof priority !== 'string') {
      throw invalidArg('queue: a PriorityQueue item is [priority, value] with a number (not NaN), bigint or string priority', 'type');
    }
  }

  /** Pushes an item's bytes; false (pushing nothing) once `close()`d. */
  push(item: ItemBytes, priority: Priority | undefined): boolean {
    if (priority === undefined) throw new Error('weft internal error: a priority item without its priority');
    const key = keyOf(priority);
    const keyBytes = key.kind === KeyKind.Number ? 8 : key.units.length * 2;
    const block = this.#heap.alloc(ITEM_HEADER + keyBytes + item.length);
    this.#writeItem(block, key, item);
    const header = this.#header;
    this.#lock();
    try {
      if (header[this.#base + PriorityWord.Closed] !== 0) {
        this.#heap.free(block);
        return false;
      }
      this.#checkKind(key.kind);
      this.#words[block >>> 2] = header[this.#base + PriorityWord.Seq]++;
      this.#ensureCapacity();
      const count = header[this.#base + PriorityWord.Count];
      this.#set(count, block);
      Atomics.store(header, this.#base + PriorityWord.Count, count + 1);
      this.#siftUp(count);
      return true;
    } catch (error) {
      this.#heap.free(block);
      throw error;
    } finally {
      unlockMutex(header, this.#base + PriorityWord.Lock);
    }
  }

  /** Takes the first item into `into`; false if there is none. */
  pop(into: ItemBytes): boolean {
    const header = this.#header;
    this.#lock();
    let block = 0;
    const count = header[this.#base + PriorityWord.Count];
    if (count > 0) {
      block = this.#get(0);
      this.#set(0, this.#get(count - 1));
      Atomics.store(header, this.#base + PriorityWord.Count, count - 1);
      if (count - 1 > 0) this.#siftDown(0, count - 1);
      else header[this.#base + PriorityWord.KeyKind] = KeyKind.None;
    }
    unlockMutex(header, this.#base + PriorityWord.Lock);
    if (block === 0) return false;
    const words = this.#words;
    const at = block >>> 2;
    const keyBytes = words[at + 1] === KeyKind.Number ? 8 : words[at + 2] * 2;
    const length = words[at + 3];
    const start = block + ITEM_HEADER + keyBytes;
    roomFor(into, length).set(this.#bytes.subarray(start, start + length));
    this.#heap.free(block);
    return true;
  }

  /** Takes Lock; restores the heap order if it was taken over from a holder that died inside. */
  #lock(): void {
    if (!lockMutex(this.#header, this.#base + PriorityWord.Lock)) return;
    const count = this.#header[this.#base + PriorityWord.Count];
    for (let i = (count >> 1) - 1; i >= 0; i--) this.#siftDown(i, count);
  }

  size(): number {
    return Atomics.load(this.#header, this.#base + PriorityWord.Count);
  }

  /** Refuses every push from now on. */
  close(): void {
    const header = this.#header;
    this.#lock();
    header[this.#base + PriorityWord.Closed] = 1;
    unlockMutex(header, this.#base + PriorityWord.Lock);
  }

  #checkKind(kind: number): void {
    const header = this.#header;
    const current = header[this.#base + PriorityWord.KeyKind];
    const numeric = (k: number): boolean => k === KeyKind.Number || k === KeyKind.BigInt;
    if (current === KeyKind.None) {
      header[this.#base + PriorityWord.KeyKind] = kind;
    } else if (numeric(current) !== numeric(kind)) {
      throw invalidArg('queue: PriorityQueue priorities must all compare: numbers and bigints, or strings, not both at once', 'type');
    }
  }

  #writeItem(block: number, key: Key, item: ItemBytes): void {
    const at = block >>> 2;
    this.#words[at + 1] = key.kind;
    this.#words[at + 2] = key.units.length;
    this.#words[at + 3] = item.length;
    const keyStart = block + ITEM_HEADER;
    if (key.kind === KeyKind.Number) {
      this.#view.setFloat64(keyStart, key.number, true);
    } else {
      for (let i = 0; i < key.units.length; i++) this.#view.setUint16(keyStart + 2 * i, key.units.charCodeAt(i), true);
    }
    const keyBytes = key.kind === KeyKind.Number ? 8 : key.units.length * 2;
    this.#bytes.set(item.bytes.subarray(0, item.length), keyStart + keyBytes);
  }

  #readKey(block: number): Priority {
    const at = block >>> 2;
    const kind = this.#words[at + 1];
    const keyStart = block + ITEM_HEADER;
    if (kind === KeyKind.Number) return this.#view.getFloat64(keyStart, true);
    const units = this.#words[at + 2];
    let text = '';
    for (let i = 0; i < units; i++) text += String.fromCharCode(this.#view.getUint16(keyStart + 2 * i, true));
    return kind === KeyKind.BigInt ? BigInt(text) : text;
  }

  /** a before b: lower priority first, then earlier arrival. */
  #before(a: number, b: number): boolean {
    const ka = this.#readKey(a);
    const kb = this.#readKey(b);
    if (ka < kb) return true;
    if (kb < ka) return false;
    return this.#words[a >>> 2] - this.#words[b >>> 2] < 0; // sequence numbers, wrapping
  }

  #siftUp(index: number): void {
    let i = index;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.#before(this.#get(i), this.#get(parent))) return;
      this.#swap(i, parent);
      i = parent;
    }
  }

  #siftDown(index: number, count: number): void {
    let i = index;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let smallest = i;
      if (left < count && this.#before(this.#get(left), this.#get(smallest))) smallest = left;
      if (right < count && this.#before(this.#get(right), this.#get(smallest))) smallest = right;
      if (smallest === i) return;
      this.#swap(i, smallest);
      i = smallest;
    }
  }

  #ensureCapacity(): void {
    const header = this.#header;
    const capacity = header[this.#base + PriorityWord.Capacity];
    const count = header[this.#base + PriorityWord.Count];
    if (count < capacity) return;
    const grown = Math.max(INITIAL_CAPACITY, capacity * 2);
    const array = this.#heap.alloc(grown * 4);
    const old = header[this.#base + PriorityWord.Array] >>> 0;
    if (old !== 0) {
      const words = this.#words;
      words.copyWithin(array >>> 2, old >>> 2, (old >>> 2) + count);
      this.#heap.free(old);
    }
    header[this.#base + PriorityWord.Array] = array;
    header[this.#base + PriorityWord.Capacity] = grown;
  }

  #get(index: number): number {
    return this.#words[((this.#header[this.#base + PriorityWord.Array] >>> 0) >>> 2) + index] >>> 0;
  }

  #set(index: number, block: number): void {
    this.#words[((this.#header[this.#base + PriorityWord.Array] >>> 0) >>> 2) + index] = block;
  }

  #swap(i: number, j: number): void {
    const a = this.#get(i);
    this.#set(i, this.#get(j));
    this.#set(j, a);
  }
}

interface Key {
  readonly kind: number;
  readonly number: number;
  readonly units: string;
}

function keyOf(priority: Priority): Key {
  if (typeof priority === 'number') return { kind: KeyKind.Number, number: priority, units: '' };
  if (typeof priority === 'bigint') return { kind: KeyKind.BigInt, number: 0, units: priority.toString() };
  return { kind: KeyKind.String, number: 0, units: priority };
}
