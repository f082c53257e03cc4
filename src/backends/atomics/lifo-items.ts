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
 * | Closed | holder of Lock     | 1: pushes refused (`close()`)           |
 *
 * ## Item block (from the heap): Next (Int32), Length (Int32), the bytes.
 *
 * A holder that dies inside Lock (a crash: weft's own terminations never
 * stop a thread there, `safe-stop.ts`) has either stored Top or not — the
 * one store that pushes or pops — so the stack is whole; only Count may be
 * one off, and whoever takes Lock over counts the stack again.
 */
import { lockMutex, unlockMutex } from './futex-mutex.js';
import type { GrowingViews } from './growing-views.js';
import type { SharedHeap } from './shared-heap.js';
import { roomFor, type ItemBytes } from '../../codec/item-bytes.js';

export const LifoWord = { Lock: 0, Top: 1, Count: 2, Closed: 3 } as const;
export const LIFO_WORDS = 4;
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

  /** Pushes an item's bytes; false (pushing nothing) once `close()`d. */
  push(item: ItemBytes): boolean {
    const length = item.length;
    const block = this.#heap.alloc(ITEM_HEADER + length);
    const memory = this.#memory;
    memory.reach(block + ITEM_HEADER + length);
    memory.words[(block >>> 2) + 1] = length;
    memory.bytes.set(item.bytes.subarray(0, length), block + ITEM_HEADER);
    const header = this.#header;
    this.#lock();
    const open = header[this.#base + LifoWord.Closed] === 0;
    if (open) {
      memory.words[block >>> 2] = header[this.#base + LifoWord.Top];
      Atomics.store(header, this.#base + LifoWord.Top, block);
      Atomics.add(header, this.#base + LifoWord.Count, 1);
    }
    unlockMutex(header, this.#base + LifoWord.Lock);
    if (!open) this.#heap.free(block);
    return open;
  }

  /** Refuses every push from now on. */
  close(): void {
    const header = this.#header;
    this.#lock();
    header[this.#base + LifoWord.Closed] = 1;
    unlockMutex(header, this.#base + LifoWord.Lock);
  }

  /** Takes the newest item into `into`; false if there is none. */
  pop(into: ItemBytes): boolean {
    const header = this.#header;
    const memory = this.#memory;
    this.#lock();
    const block = header[this.#base + LifoWord.Top] >>> 0;
    if (block !== 0) {
      memory.reach(block + ITEM_HEADER);
      Atomics.store(header, this.#base + LifoWord.Top, memory.words[block >>> 2]);
      Atomics.sub(header, this.#base + LifoWord.Count, 1);
    }
    unlockMutex(header, this.#base + LifoWord.Lock);
    if (block === 0) return false;
    const length = memory.words[(block >>> 2) + 1];
    memory.reach(block + ITEM_HEADER + length);
    roomFor(into, length).set(memory.bytes.subarray(block + ITEM_HEADER, block + ITEM_HEADER + length));
    this.#heap.free(block);
    return true;
  }

  /** Takes Lock; recounts the stack if it was taken over from a holder that died inside. */
  #lock(): void {
    const header = this.#header;
    if (!lockMutex(header, this.#base + LifoWord.Lock)) return;
    let count = 0;
    for (let block = header[this.#base + LifoWord.Top] >>> 0; block !== 0; block = this.#memory.words[block >>> 2] >>> 0) {
      this.#memory.reach(block + ITEM_HEADER);
      count += 1;
    }
    Atomics.store(header, this.#base + LifoWord.Count, count);
  }

  size(): number {
    return Atomics.load(this.#header, this.#base + LifoWord.Count);
  }
}
