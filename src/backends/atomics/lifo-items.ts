/**
 * The items of a LIFO queue: a stack of heap blocks under a lock. Last in,
 * first out has no lock-free form as cheap as the FIFO's, and LIFO queues
 * are not streams; a lock held for a few instructions is enough.
 *
 * ## Words (Int32, at `base` in the queue header)
 *
 * | word  | written by          | meaning                               |
 * |-------|---------------------|---------------------------------------|
 * | Lock  | anyone (futex mutex) | guards Top, Count and the blocks' Next |
 * | Top   | holder of Lock      | the last item's block (0: empty)       |
 * | Count | holder of Lock      | items on the stack                     |
 *
 * ## Item block (from the heap): Next (Int32), Length (Int32), the bytes.
 */
import { lockMutex, unlockMutex } from './futex-mutex.js';
import type { GrowingViews } from './growing-views.js';
import type { SharedHeap } from './shared-heap.js';

export const LifoWord = { Lock: 0, Top: 1, Count: 2 } as const;
export const LIFO_WORDS = 3;
const ITEM_HEADER = 8;

export class LifoItems {
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

  push(item: Uint8Array): void {
    const block = this.#heap.alloc(ITEM_HEADER + item.length);
    const memory = this.#memory;
    memory.reach(block + ITEM_HEADER + item.length);
    memory.words[(block >>> 2) + 1] = item.length;
    memory.bytes.set(item, block + ITEM_HEADER);
    const header = this.#header;
    lockMutex(header, this.#base + LifoWord.Lock);
    memory.words[block >>> 2] = header[this.#base + LifoWord.Top];
    Atomics.store(header, this.#base + LifoWord.Top, block);
    Atomics.add(header, this.#base + LifoWord.Count, 1);
    unlockMutex(header, this.#base + LifoWord.Lock);
  }

  pop(into: Uint8Array): Uint8Array | undefined {
    const header = this.#header;
    const memory = this.#memory;
    lockMutex(header, this.#base + LifoWord.Lock);
    const block = header[this.#base + LifoWord.Top] >>> 0;
    if (block !== 0) {
      memory.reach(block + ITEM_HEADER);
      Atomics.store(header, this.#base + LifoWord.Top, memory.words[block >>> 2]);
      Atomics.sub(header, this.#base + LifoWord.Count, 1);
    }
    unlockMutex(header, this.#base + LifoWord.Lock);
    if (block === 0) return undefined;
    const length = memory.words[(block >>> 2) + 1];
    memory.reach(block + ITEM_HEADER + length);
    const out = length <= into.length ? into.subarray(0, length) : new Uint8Array(length);
    out.set(memory.bytes.subarray(block + ITEM_HEADER, block + ITEM_HEADER + length));
    this.#heap.free(block);
    return out;
  }

  size(): number {
    return Atomics.load(this.#header, this.#base + LifoWord.Count);
  }
}
