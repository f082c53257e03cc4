/**
 * A memory allocator inside one growable SharedArrayBuffer: the storage of a
 * thread-scope queue, shared by every thread that has the queue.
 *
 * Why growable: a queue's items must be reachable from every thread that
 * holds the queue, and a thread can only see a SharedArrayBuffer it was
 * handed. Growing the one buffer it was handed (`grow()` is visible to every
 * thread at once; see `growing-views.ts`) keeps everything reachable without
 * handing anything new around. The cost: the buffer never shrinks
 * (freed blocks are reused, not returned), and it cannot pass
 * `MAX_HEAP_BYTES` (4 GiB, V8's limit for a growable buffer).
 *
 * Blocks come in power-of-two size classes, 16 bytes to 2 GiB, each with an
 * 8-byte header; a freed block goes on its class's free list and is reused
 * first (most recently freed first, which is the warmest in cache).
 *
 * ## Words (Int32, at `base` in the buffer's header)
 *
 * | word        | written by          | meaning                                         |
 * |-------------|---------------------|-------------------------------------------------|
 * | Lock        | anyone (futex mutex) | guards everything below and all block headers  |
 * | Bump        | holder of Lock      | byte offset of the never-used space             |
 * | Free + c    | holder of Lock      | first free block of class c (byte offset), 0: none |
 *
 * ## Block header (two Int32 words, before the bytes a caller gets)
 *
 * | word  | meaning                                                   |
 * |-------|-----------------------------------------------------------|
 * | Class | size class c: the block is 2^c bytes, header included      |
 * | Next  | next free block of the class, while the block is free      |
 *
 * ## A holder of Lock that dies
 *
 * weft's own terminations never stop a thread inside Lock (`safe-stop.ts`).
 * A holder that dies otherwise leaves the words consistent, because each
 * section commits with one store: `alloc` takes a free block by storing the
 * list's new head, or carves by growing the buffer and then storing Bump;
 * `free` writes the block's Next and then stores the list's head. A holder
 * stopped before that store changed nothing shared; after it, only the block
 * it was taking or giving back is lost (never handed out twice). So whoever
 * takes Lock over has nothing to repair.
 */
import { lockMutex, unlockMutex } from './futex-mutex.js';
import type { GrowingViews } from './growing-views.js';

export const HeapWord = { Lock: 0, Bump: 1, Free: 2 } as const;
const MIN_CLASS = 4; // 16 bytes
const MAX_CLASS = 31; // 2 GiB
export const HEAP_WORDS = HeapWord.Free + (MAX_CLASS + 1);
const HEADER_BYTES = 8;
const CACHE_LINE = 64;

/** The most a queue's buffer can grow to. */
export const MAX_HEAP_BYTES = 2 ** 32;

export class SharedHeap {
  readonly #header: Int32Array;
  readonly #base: number;
  readonly #memory: GrowingViews;

  /** `header`: a view of the buffer's header, whose word `base` on are the heap's words. */
  constructor(header: Int32Array, base: number, memory: GrowingViews) {
    this.#header = header;
    this.#base = base;
    this.#memory = memory;
  }

  /** Sets up the words of a new heap whose space starts at byte `start`. */
  static format(header: Int32Array, base: number, start: number): void {
    Atomics.store(header, base + HeapWord.Bump, start);
  }

  /**
   * A block for `size` bytes; returns the byte offset of its first usable
   * byte (never 0). Grows the buffer when needed; throws a RangeError when
   * the queue's storage cannot grow further.
   */
  alloc(size: number): number {
    const sizeClass = classFor(size + HEADER_BYTES);
    const header = this.#header;
    lockMutex(header, this.#base + HeapWord.Lock);
    try {
      const freeWord = this.#base + HeapWord.Free + sizeClass;
      const free = header[freeWord] >>> 0; // offsets are unsigned; past 2 GiB the word reads negative
      if (free !== 0) {
        this.#memory.reach(free + HEADER_BYTES);
        header[freeWord] = this.#memory.words[(free >>> 2) + 1];
        return free + HEADER_BYTES;
      }
      const block = this.#carve(2 ** sizeClass);
      this.#memory.words[block >>> 2] = sizeClass;
      return block + HEADER_BYTES;
    } finally {
      unlockMutex(header, this.#base + HeapWord.Lock);
    }
  }

  /** Returns a block to its class's free list. */
  free(offset: number): void {
    const block = offset - HEADER_BYTES;
    const header = this.#header;
    lockMutex(header, this.#base + HeapWord.Lock);
    try {
      this.#memory.reach(offset);
      const words = this.#memory.words;
      const freeWord = this.#base + HeapWord.Free + words[block >>> 2];
      words[(block >>> 2) + 1] = header[freeWord];
      header[freeWord] = block;
    } finally {
      unlockMutex(header, this.#base + HeapWord.Lock);
    }
  }

  /** Lock held: takes `bytes` from the never-used space, growing the buffer if needed. */
  #carve(bytes: number): number {
    const header = this.#header;
    const bumpWord = this.#base + HeapWord.Bump;
    // Blocks of a cache line or more start on one.
    const align = Math.min(bytes, CACHE_LINE);
    const block = Math.ceil((header[bumpWord] >>> 0) / align) * align;
    const end = block + bytes;
    if (end > MAX_HEAP_BYTES) {
      throw new RangeError(`queue: the queue's storage is full (${MAX_HEAP_BYTES / 2 ** 30} GiB of shared memory); get items out before putting more`);
    }
    const buffer = this.#memory.buffer;
    if (end > buffer.byteLength) buffer.grow(Math.min(MAX_HEAP_BYTES, Math.max(end, buffer.byteLength * 2)));
    header[bumpWord] = end | 0;
    this.#memory.reach(end);
    return block;
  }
}

function classFor(bytes: number): number {
  const sizeClass = Math.max(MIN_CLASS, Math.ceil(Math.log2(bytes)));
  if (sizeClass > MAX_CLASS) {
    throw new RangeError(`queue: an item of ${bytes} bytes is larger than a queue can hold (${2 ** MAX_CLASS} bytes)`);
  }
  return sizeClass;
}
