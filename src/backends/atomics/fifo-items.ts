/**
 * The items of a FIFO queue: an unbounded multi-producer multi-consumer
 * queue without a lock, in the queue's shared heap. It is crossbeam's
 * `SegQueue` (crossbeam-queue/src/seg_queue.rs, after Dmitry Vyukov's
 * bounded MPMC queue), moved into a SharedArrayBuffer: a linked list of
 * blocks of `BLOCK_CAP` slots; producers claim a slot by advancing the tail
 * index with one compare-and-swap, consumers claim one by advancing the head
 * index, and each slot says when its bytes are written and when read. A
 * producer and a consumer touch different words except the slot they hand
 * over, which is what lets a stream run at memory speed.
 *
 * Item bytes of up to `INLINE_BYTES` live in the slot itself; longer ones in
 * a block of the heap, whose offset the slot holds.
 *
 * ## Indices (Int32 words in the queue header, wrapping modulo 2^32)
 *
 * An index counts slots in steps of 2 (`SHIFT`): bit 0 is `HAS_NEXT` on the
 * head index (the head block is not the last) and `CLOSED` on the tail
 * index (no more pushes: `close()`, for the queue's shutdown — kept in the
 * word every push reads and CASes, so a push either lands before the close
 * or sees it). `(index >>> 1) % LAP` is the slot's offset in its block;
 * offset `BLOCK_CAP` is never a slot: an index there means "the next block
 * is being installed".
 *
 * | word      | written by                       | meaning                                 |
 * |-----------|----------------------------------|-----------------------------------------|
 * | TailIndex | producers (CAS)                  | next slot to claim for writing          |
 * | TailBlock | the producer installing a block  | block of TailIndex (byte offset, 0: none yet) |
 * | HeadIndex | consumers (CAS)                  | next slot to claim for reading          |
 * | HeadBlock | the consumer moving to a block   | block of HeadIndex                      |
 *
 * Tail words and head words sit on separate cache lines: producers and
 * consumers do not contend for them.
 *
 * ## Block (`BLOCK_BYTES`, from the heap)
 *
 * | bytes        | meaning                                                   |
 * |--------------|-----------------------------------------------------------|
 * | 0–3          | Next: the following block (0 until installed)              |
 * | 4–7          | Read: slots read so far; the reader of the last one frees the block |
 * | 56 + 64·i    | slot i: State, Length, then 56 payload bytes               |
 *
 * Slot State bits: WRITE (its bytes are written), SLEEPER (a reader sleeps
 * on the word until WRITE), SKIPPED (the reader gave up on it). A claimed
 * slot is written within a few hundred nanoseconds; a reader that finds it
 * unwritten spins, then sleeps until the writer sets WRITE.
 *
 * ## A thread that dies between claiming a slot and using it
 *
 * weft never terminates a thread there: a queue's put and get are sections
 * (`queue.ts`, `safe-stop.ts`). A producer that dies there otherwise (a
 * crash) would leave its slot unwritten forever, and every consumer behind
 * it waiting. So a reader that has waited `SKIP_AFTER_MS` for a slot, in a
 * process where a thread has been killed (`Header.Killed` in `arena.ts`),
 * skips it: it sets SKIPPED and claims the next slot. Writer and reader each
 * set their bit with one `Atomics.or` on the slot's word and look at what
 * the other had set, so exactly one of two things happens: the write landed
 * first and the reader reads it, or the skip did and the writer — a live
 * producer that was only slow — puts its item again in a new slot (its put
 * had not returned: nothing it promised is reordered). A skipped slot is
 * never counted as read, so its block is never freed or reused under a slow
 * writer: each skip leaks one block (about 2 KiB). What stays unhandled for
 * a crash: a producer dying between claiming a block's last slot and
 * installing the next block, or a consumer between claiming a block's last
 * slot and moving the head, stalls the producers or consumers; an item a
 * consumer dies holding is lost with it, as in Python.
 *
 * Where crossbeam marks each slot READ and hands the freeing of a block
 * around, here each reader counts itself in the block's Read word when done:
 * the count reaching `BLOCK_CAP` means no slot of the block is in use, and
 * the block's header line is touched by readers only, so a producer and a
 * consumer of a stream share nothing but the slots they hand over. For the
 * same reason a consumer remembers the tail it last saw and reads the
 * producers' tail word again only when it has caught up with it.
 */
import type { GrowingViews } from './growing-views.js';
import type { SharedHeap } from './shared-heap.js';
import { roomFor, type ItemBytes } from '../../codec/item-bytes.js';
import { testHooks } from './test-hooks.js';
import { runtime } from './runtime.js';

/** Word indices of the four index words, given the header's base for them. */
export const FifoWord = { TailIndex: 0, TailBlock: 1, HeadIndex: 16, HeadBlock: 17 } as const;
/** Words the indices take in the queue header (two cache lines). */
export const FIFO_WORDS = 32;

const SHIFT = 1;
const HAS_NEXT = 1;
const CLOSED = 1;
const LAP = 32;
const BLOCK_CAP = LAP - 1;

const SLOT_BYTES = 64;
const SLOT_HEADER = 8;
/** Item bytes that fit in a slot; longer items go to the heap. */
export const INLINE_BYTES = SLOT_BYTES - SLOT_HEADER;
// With the heap's own 8-byte header, the block header fills the block's
// first cache line, and each slot is one cache line (the heap aligns blocks
// to 64 bytes): producers and consumers share no line but a slot's.
const BLOCK_HEADER = 56;
const BLOCK_BYTES = BLOCK_HEADER + BLOCK_CAP * SLOT_BYTES;
const READ_WORD = 1;

const WRITE = 1;
const SLEEPER = 2;
const SKIPPED = 4;

/** How long a reader waits for an unwritten slot before it skips it, once a thread has been killed. */
const SKIP_AFTER_MS = 500;

// Turns to spin on a slot being written or a block being installed before
// sleeping: both are a few hundred nanoseconds away unless the other thread
// was descheduled.
const SPIN_TURNS = 200;
const NAP_MS = 0.05;

export class FifoItems {
  readonly #header: Int32Array;
  readonly #base: number;
  readonly #memory: GrowingViews;
  readonly #heap: SharedHeap;
  readonly #nap = new Int32Array(new SharedArrayBuffer(4));
  /** The tail index this thread last read: consumers re-read the real one only on catching up with it. */
  #knownTail = 0;

  /** `header`: a view of the queue header, whose word `base` on are the index words (`FifoWord`). */
  constructor(header: Int32Array, base: number, memory: GrowingViews, heap: SharedHeap) {
    this.#header = header;
    this.#base = base;
    this.#memory = memory;
    this.#heap = heap;
  }

  #load(word: number): number {
    return Atomics.load(this.#header, this.#base + word);
  }

  /**
   * A plain read of an index word, for a value that a CAS will check or
   * that an atomic read just before it orders: an Atomics.load costs ten
   * plain reads in V8 11, and a stream pays for every one.
   */
  #peek(word: number): number {
    return this.#header[this.#base + word];
  }

  #store(word: number, value: number): void {
    Atomics.store(this.#header, this.#base + word, value);
  }

  /** The words of memory, reaching at least through `block`. */
  #blockWords(block: number): Int32Array {
    this.#memory.reach(block + BLOCK_BYTES);
    return this.#memory.words;
  }

  /**
   * Appends an item's bytes; false (appending nothing) once `close()`d.
   * Throws a RangeError (and appends nothing) if the heap cannot hold it.
   */
  push(item: ItemBytes): boolean {
    const outOfLine = item.length > INLINE_BYTES ? this.#storeOutOfLine(item) : 0;
    // TailIndex first, then its block (the atomic read orders the plain one
    // after it): the CAS below confirms the index, and with it the block.
    let tail = this.#load(FifoWord.TailIndex);
    let block = this.#peek(FifoWord.TailBlock) >>> 0;
    let nextBlock = 0;
    for (let turn = 0; ; turn++) {
      if ((tail & CLOSED) !== 0) {
        if (outOfLine !== 0) this.#heap.free(outOfLine);
        if (nextBlock !== 0) this.#heap.free(nextBlock);
        return false;
      }
      const offset = (tail >>> SHIFT) % LAP;
      if (offset === BLOCK_CAP) {
        // Another producer is installing the next block.
        this.#backoff(turn);
        tail = this.#load(FifoWord.TailIndex);
        block = this.#load(FifoWord.TailBlock) >>> 0;
        continue;
      }
      // Whoever claims the last slot installs the next block: allocate it
      // beforehand, so that others wait for it as briefly as possible.
      if (offset + 1 === BLOCK_CAP && nextBlock === 0) nextBlock = this.#newBlock();
      if (block === 0) {
        const first = this.#newBlock();
        if (Atomics.compareExchange(this.#header, this.#base + FifoWord.TailBlock, 0, first) === 0) {
          this.#store(FifoWord.HeadBlock, first);
          block = first;
        } else {
          this.#heap.free(first);
          tail = this.#load(FifoWord.TailIndex);
          block = this.#load(FifoWord.TailBlock) >>> 0;
          continue;
        }
      }
      const newTail = (tail + (1 << SHIFT)) | 0;
      const found = Atomics.compareExchange(this.#header, this.#base + FifoWord.TailIndex, tail, newTail);
      if (found !== tail) {
        tail = found;
        block = this.#peek(FifoWord.TailBlock) >>> 0; // ordered after the CAS, which read the index
        continue;
      }
      if (offset + 1 === BLOCK_CAP) {
        this.#store(FifoWord.TailBlock, nextBlock);
        // An add, not a store: it keeps a CLOSED bit that close() may have set meanwhile.
        Atomics.add(this.#header, this.#base + FifoWord.TailIndex, 1 << SHIFT);
        Atomics.store(this.#blockWords(block), block >>> 2, nextBlock);
        nextBlock = 0;
      }
      testHooks.fifoClaimed?.();
      if (!this.#writeSlot(block, offset, item, outOfLine)) {
        // A reader gave up on this slot while we were slow (see the header): put the item again.
        tail = this.#load(FifoWord.TailIndex);
        block = this.#peek(FifoWord.TailBlock) >>> 0;
        continue;
      }
      if (nextBlock !== 0) this.#heap.free(nextBlock);
      return true;
    }
  }

  /** Refuses every push from now on; items already pushed (or being written) stay to be popped. */
  close(): void {
    Atomics.or(this.#header, this.#base + FifoWord.TailIndex, CLOSED);
  }

  /** Takes the oldest item into `into`; false if the queue is empty. */
  pop(into: ItemBytes): boolean {
    let head = this.#load(FifoWord.HeadIndex);
    let block = this.#peek(FifoWord.HeadBlock) >>> 0;
    for (let turn = 0; ; turn++) {
      const offset = (head >>> SHIFT) % LAP;
      if (offset === BLOCK_CAP) {
        // Another consumer is moving the head to the next block.
        this.#backoff(turn);
        head = this.#load(FifoWord.HeadIndex);
        block = this.#load(FifoWord.HeadBlock) >>> 0;
        continue;
      }
      let newHead = (head + (1 << SHIFT)) | 0;
      if ((newHead & HAS_NEXT) === 0) {
        // The tail this thread saw last is behind the real one; other
        // consumers may have taken the head past it, so it is trusted only
        // while it is ahead of the head. Head and tail in different blocks
        // mean the head block has a next.
        const tail = this.#knownTail;
        if (slotsBetween(head, tail) > 0) {
          if (lapOf(head) !== lapOf(tail)) newHead |= HAS_NEXT;
        } else if (!this.#isWritten(block, offset)) {
          // Only an unwritten head slot needs the producers' tail word (whose
          // cache line they write on every push), to tell empty from being
          // written. A written one means "not empty"; HAS_NEXT is then left
          // for a later pop to find. (The slot is read before it is claimed:
          // if its block was recycled meanwhile, the head has moved on, and
          // the CAS below fails.)
          const seen = (this.#knownTail = this.#load(FifoWord.TailIndex));
          if (head >>> SHIFT === seen >>> SHIFT) return false; // empty
          if (lapOf(head) !== lapOf(seen)) newHead |= HAS_NEXT;
        }
      }
      if (block === 0) {
        // The first push is installing the first block.
        this.#backoff(turn);
        head = this.#load(FifoWord.HeadIndex);
        block = this.#load(FifoWord.HeadBlock) >>> 0;
        continue;
      }
      const found = Atomics.compareExchange(this.#header, this.#base + FifoWord.HeadIndex, head, newHead);
      if (found !== head) {
        head = found;
        block = this.#peek(FifoWord.HeadBlock) >>> 0; // ordered after the CAS, which read the index
        continue;
      }
      if (offset + 1 === BLOCK_CAP) this.#moveHeadPast(block, newHead);
      testHooks.fifoTaken?.();
      if (!this.#readSlot(block, offset, into)) {
        // Skipped: its writer is gone (or will put its item again). The block
        // is not counted read for it, so it is never freed under a late writer.
        head = this.#load(FifoWord.HeadIndex);
        block = this.#peek(FifoWord.HeadBlock) >>> 0;
        continue;
      }
      // The reader of the block's last unread slot frees it.
      if (Atomics.add(this.#blockWords(block), (block >>> 2) + READ_WORD, 1) === BLOCK_CAP - 1) this.#heap.free(block);
      return true;
    }
  }

  /** Items claimed by producers and not yet by consumers (crossbeam's `len`). */
  size(): number {
    for (;;) {
      let tail = this.#load(FifoWord.TailIndex);
      let head = this.#load(FifoWord.HeadIndex);
      if (this.#load(FifoWord.TailIndex) !== tail) continue;
      tail &= ~HAS_NEXT;
      head &= ~HAS_NEXT;
      // Indices on a block's end stand for the first slot of the next block.
      if (((tail >>> SHIFT) & (LAP - 1)) === LAP - 1) tail = (tail + (1 << SHIFT)) | 0;
      if (((head >>> SHIFT) & (LAP - 1)) === LAP - 1) head = (head + (1 << SHIFT)) | 0;
      // Rotate both so that head falls in the first lap, then count slots,
      // less the one non-slot per lap crossed.
      const shift = (lapOf(head) * LAP) << SHIFT;
      const t = ((tail - shift) >>> 0) >>> SHIFT;
      const h = ((head - shift) >>> 0) >>> SHIFT;
      return t - h - Math.floor(t / LAP);
    }
  }

  #moveHeadPast(block: number, newHead: number): void {
    const next = this.#waitNext(block);
    let nextIndex = ((newHead & ~HAS_NEXT) + (1 << SHIFT)) | 0;
    if (Atomics.load(this.#blockWords(next), next >>> 2) !== 0) nextIndex |= HAS_NEXT;
    this.#store(FifoWord.HeadBlock, next);
    this.#store(FifoWord.HeadIndex, nextIndex);
  }

  #waitNext(block: number): number {
    for (let turn = 0; ; turn++) {
      const next = Atomics.load(this.#blockWords(block), block >>> 2) >>> 0;
      if (next !== 0) return next;
      this.#backoff(turn);
    }
  }

  #newBlock(): number {
    const block = this.#heap.alloc(BLOCK_BYTES);
    // Blocks are reused: clear the header and every slot state. Plain
    // stores do: the block is published later by an atomic store of its
    // offset (TailBlock, or the previous block's Next), which orders them.
    const words = this.#blockWords(block);
    words[block >>> 2] = 0;
    words[(block >>> 2) + READ_WORD] = 0;
    for (let i = 0; i < BLOCK_CAP; i++) words[slotWord(block, i)] = 0;
    return block;
  }

  #storeOutOfLine(item: ItemBytes): number {
    const length = item.length;
    const offset = this.#heap.alloc(length);
    this.#memory.reach(offset + length);
    this.#memory.bytes.set(item.bytes.subarray(0, length), offset);
    return offset;
  }

  // A slot's Length, its out-of-line offset and its inline bytes are plain
  // memory: the writer's Atomics.or of WRITE publishes them, and the
  // reader's Atomics.load that sees WRITE orders its reads after them.

  /** Writes the item into its claimed slot; false if a reader had skipped the slot (nothing is read from it). */
  #writeSlot(block: number, offset: number, item: ItemBytes, outOfLine: number): boolean {
    const words = this.#blockWords(block);
    const slot = block + BLOCK_HEADER + offset * SLOT_BYTES;
    const state = slot >>> 2;
    const length = item.length;
    words[state + 1] = length;
    if (outOfLine !== 0) {
      words[state + 2] = outOfLine;
    } else {
      // A word at a time: the slot's payload is word-aligned, and so is `item.words`.
      const from = item.words;
      const at = (slot + SLOT_HEADER) >>> 2;
      for (let i = 0, n = (length + 3) >>> 2; i < n; i++) words[at + i] = from[i];
    }
    const before = Atomics.or(words, state, WRITE);
    if ((before & SLEEPER) !== 0) Atomics.notify(words, state);
    return (before & SKIPPED) === 0;
  }

  /** Reads a claimed slot into `into`; false if it was skipped instead (see the header). */
  #readSlot(block: number, offset: number, into: ItemBytes): boolean {
    const slot = block + BLOCK_HEADER + offset * SLOT_BYTES;
    const state = slot >>> 2;
    if (!this.#waitWritten(block, state)) return false;
    const words = this.#memory.words;
    const length = words[state + 1];
    const out = roomFor(into, length);
    if (length > INLINE_BYTES) {
      const stored = words[state + 2] >>> 0;
      this.#memory.reach(stored + length);
      out.set(this.#memory.bytes.subarray(stored, stored + length));
      this.#heap.free(stored);
    } else {
      const to = into.words;
      const at = (slot + SLOT_HEADER) >>> 2;
      for (let i = 0, n = (length + 3) >>> 2; i < n; i++) to[i] = words[at + i];
    }
    return true;
  }

  /** Whether slot `offset` of `block` holds its item's bytes (false for no block yet). */
  #isWritten(block: number, offset: number): boolean {
    if (block === 0) return false;
    return (Atomics.load(this.#blockWords(block), slotWord(block, offset)) & WRITE) !== 0;
  }

  /**
   * Waits for the producer that claimed a slot to finish writing it; false
   * if it gave up and skipped the slot (see the header).
   */
  #waitWritten(block: number, state: number): boolean {
    const words = this.#blockWords(block);
    for (let turn = 0; turn < SPIN_TURNS; turn++) {
      if ((Atomics.load(words, state) & WRITE) !== 0) return true;
    }
    const since = performance.now();
    for (;;) {
      const seen = Atomics.load(words, state);
      if ((seen & WRITE) !== 0) return true;
      if (performance.now() - since >= SKIP_AFTER_MS && runtime().arena.killedCount() > 0) {
        // The write and the skip race on this one word: whichever is first wins.
        return (Atomics.or(words, state, SKIPPED) & WRITE) !== 0;
      }
      if (Atomics.compareExchange(words, state, seen, seen | SLEEPER) === seen) {
        Atomics.wait(words, state, seen | SLEEPER, 100);
      }
    }
  }

  #backoff(turn: number): void {
    if (turn < SPIN_TURNS) return;
    Atomics.wait(this.#nap, 0, 0, NAP_MS);
  }
}

function slotWord(block: number, offset: number): number {
  return (block + BLOCK_HEADER + offset * SLOT_BYTES) >>> 2;
}

/** Slots from `from` to `to`, negative if `to` is behind (indices wrap; their distance never nears 2^30). */
function slotsBetween(from: number, to: number): number {
  return (((to >>> SHIFT) - (from >>> SHIFT)) << 1) >> 1;
}

/** Which lap (block-sized run of indices) an index is in. */
function lapOf(index: number): number {
  return Math.floor((index >>> SHIFT) / LAP);
}
