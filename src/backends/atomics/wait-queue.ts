/**
 * A FIFO queue of wait cells (see `arena.ts`), kept in four words of a
 * primitive's own buffer. Every thread-scope primitive that can make a caller
 * wait has one: the lock waiters of a Lock, the sleepers of a Condition, the
 * parties of a Barrier.
 *
 * | word   | meaning                                                         |
 * |--------|-----------------------------------------------------------------|
 * | Lock   | a futex mutex (`futex-mutex.ts`) guarding the other three words, the links of the cells in the queue, and whatever state words the primitive says it guards |
 * | Head   | first cell + 1 (0: empty)                                        |
 * | Tail   | last cell + 1 (0: empty)                                         |
 * | Length | number of cells queued; notified on every change so tests (and `weft/testing`) can wait for waiters without sleeping |
 *
 * Invariant: Head = 0 ⇔ Tail = 0 ⇔ Length = 0. Only the holder of Lock
 * changes Head, Tail, Length, and the State/Prev/Next/Value of queued cells.
 *
 * Granting a cell releases a queued waiter with what it waited for: the
 * granter, holding Lock, unlinks the cell, stores what it grants in Value,
 * sets State to Granted and wakes exactly the thread sleeping on that cell.
 * Waking a cell (`wake`) only tells its waiter to look again; it stays
 * queued, in its place. Both change the cell's State before notifying, so a
 * waiter that has not gone to sleep yet does not miss them. There is no
 * thundering herd, and the order is first come, first served.
 *
 * ## A holder of Lock that dies
 *
 * weft's own terminations never stop a thread holding Lock (`safe-stop.ts`).
 * A holder that dies otherwise (a crash) may have stopped halfway through
 * `push` or `remove`. Both write the forward chain first — the one store
 * that links a cell in (the tail's Next, or Head) or out (its predecessor's
 * Next, or Head) — and Prev, Tail and Length after it; so the chain from
 * Head along Next is always whole, and `repair()`, run by whoever reclaims
 * Lock, rebuilds Prev, Tail and Length from it. What a primitive keeps in
 * its own words under the same lock is re-derived by the primitive if it
 * passes `onRepair` (a Lock does: QUEUED, STARVING and Woken; the others
 * do not yet — see their headers); cells of the dead holder
 * are skipped by `first()` as for any dead waiter.
 */
import { Arena, Cell, CellState } from './arena.js';
import { lockMutex, unlockMutex } from './futex-mutex.js';

export const QueueWord = { Lock: 0, Head: 1, Tail: 2, Length: 3 } as const;
export const QUEUE_WORDS = 4;

export class WaitQueue {
  readonly #words: Int32Array;
  readonly #base: number;
  readonly #arena: Arena;
  readonly #cells: Int32Array;

  readonly #alsoCount: number;
  readonly #onRepair: (() => void) | undefined;

  /**
   * `alsoCount`: index of a word in `words` that counts this queue's cells
   * together with other queues' (a queue's getters, putters and joiners in
   * one word for weft/testing), or -1. `onRepair`: re-derives the
   * primitive's own words after `repair()`, Lock held.
   */
  constructor(words: Int32Array, base: number, arena: Arena, alsoCount = -1, onRepair?: () => void) {
    this.#words = words;
    this.#base = base;
    this.#arena = arena;
    this.#cells = arena.words;
    this.#alsoCount = alsoCount;
    this.#onRepair = onRepair;
  }

  lock(): void {
    if (lockMutex(this.#words, this.#base + QueueWord.Lock)) this.repair();
  }

  /**
   * Lock held, taken over from a holder that died inside it: rebuilds Prev,
   * Tail and Length from the forward chain (see the header).
   */
  repair(): void {
    let prev = 0;
    let count = 0;
    for (let cell = Atomics.load(this.#words, this.#base + QueueWord.Head); cell !== 0; cell = this.#link(cell - 1, Cell.Next)) {
      this.#setLink(cell - 1, Cell.Prev, prev);
      prev = cell;
      count += 1;
    }
    this.#setWord(QueueWord.Tail, prev);
    const delta = count - this.length;
    if (delta !== 0) this.#changeLength(delta);
    this.#onRepair?.();
  }

  unlock(): void {
    unlockMutex(this.#words, this.#base + QueueWord.Lock);
  }

  /** Number of queued cells; exact under the lock, a snapshot without it. */
  get length(): number {
    return Atomics.load(this.#words, this.#base + QueueWord.Length);
  }

  /** Index of the Length word, for waiting until a number of waiters have queued. */
  get lengthWord(): number {
    return this.#base + QueueWord.Length;
  }

  /**
   * First cell whose thread is alive, or -1. Lock held. Cells of threads that
   * ended while waiting are unlinked on the way and left unfreed: a thread
   * recorded dead may still be unwinding, and must not find its cell reused.
   */
  first(): number {
    for (;;) {
      const cell = Atomics.load(this.#words, this.#base + QueueWord.Head) - 1;
      if (cell < 0 || this.#arena.isAlive(this.tokenOf(cell))) return cell;
      this.remove(cell);
    }
  }

  /** Appends a Waiting cell. Lock held. */
  push(cell: number): void {
    const tail = Atomics.load(this.#words, this.#base + QueueWord.Tail);
    this.#setLink(cell, Cell.Prev, tail);
    this.#setLink(cell, Cell.Next, 0);
    if (tail === 0) this.#setWord(QueueWord.Head, cell + 1);
    else this.#setLink(tail - 1, Cell.Next, cell + 1);
    this.#setWord(QueueWord.Tail, cell + 1);
    this.#changeLength(+1);
  }

  /** Removes and returns the first cell, or -1. Lock held. */
  shift(): number {
    const cell = this.first();
    if (cell >= 0) this.remove(cell);
    return cell;
  }

  /** Unlinks a queued cell. Lock held. */
  remove(cell: number): void {
    const prev = this.#link(cell, Cell.Prev);
    const next = this.#link(cell, Cell.Next);
    if (prev === 0) this.#setWord(QueueWord.Head, next);
    else this.#setLink(prev - 1, Cell.Next, next);
    if (next === 0) this.#setWord(QueueWord.Tail, prev);
    else this.#setLink(next - 1, Cell.Prev, prev);
    this.#setLink(cell, Cell.Prev, 0);
    this.#setLink(cell, Cell.Next, 0);
    this.#changeLength(-1);
  }

  /** Releases a cell already removed from the queue, handing it `value`. Lock held. */
  grant(cell: number, value = 0): void {
    const cells = this.#cells;
    Atomics.store(cells, this.#arena.cellWord(cell, Cell.Value), value);
    const state = this.#arena.cellWord(cell, Cell.State);
    Atomics.store(cells, state, CellState.Granted);
    Atomics.notify(cells, state);
  }

  /** Tells a queued cell's waiter to look again, leaving it queued. Lock held. */
  wake(cell: number): void {
    const cells = this.#cells;
    const state = this.#arena.cellWord(cell, Cell.State);
    Atomics.store(cells, state, CellState.Woken);
    Atomics.notify(cells, state);
  }

  /**
   * Wakes the first queued cell still sleeping (Waiting), leaving it queued;
   * false if every queued cell is already awake. For waiters that stay queued
   * while they retry (a queue's getters): a burst of wakes reaches as many
   * sleepers. Lock held.
   */
  wakeFirstSleeper(): boolean {
    for (let cell = this.first(); cell >= 0; cell = this.#link(cell, Cell.Next) - 1) {
      if (Atomics.load(this.#cells, this.#arena.cellWord(cell, Cell.State)) === CellState.Waiting) {
        this.wake(cell);
        return true;
      }
    }
    return false;
  }

  /** Wakes every queued cell, leaving them queued. Lock held. */
  wakeAll(): void {
    for (let cell = this.first(); cell >= 0; cell = this.#link(cell, Cell.Next) - 1) this.wake(cell);
  }

  /** Whether a cell has been woken (and not re-armed since). */
  isWoken(cell: number): boolean {
    return Atomics.load(this.#cells, this.#arena.cellWord(cell, Cell.State)) === CellState.Woken;
  }

  /** Removes the first cell and grants it; false if the queue was empty. Lock held. */
  grantFirst(value = 0): boolean {
    const cell = this.shift();
    if (cell < 0) return false;
    this.grant(cell, value);
    return true;
  }

  /** Grants every queued cell. Lock held. */
  grantAll(value = 0): void {
    while (this.grantFirst(value));
  }

  /** Token of the thread waiting in `cell`. */
  tokenOf(cell: number): number {
    return Atomics.load(this.#cells, this.#arena.cellWord(cell, Cell.Token));
  }

  isGranted(cell: number): boolean {
    return Atomics.load(this.#cells, this.#arena.cellWord(cell, Cell.State)) === CellState.Granted;
  }

  /** Sets the Value of a queued cell, for the primitive's own bookkeeping until it is granted. Lock held. */
  setValue(cell: number, value: number): void {
    Atomics.store(this.#cells, this.#arena.cellWord(cell, Cell.Value), value);
  }

  grantValue(cell: number): number {
    return Atomics.load(this.#cells, this.#arena.cellWord(cell, Cell.Value));
  }

  #link(cell: number, field: number): number {
    return Atomics.load(this.#cells, this.#arena.cellWord(cell, field));
  }

  #setLink(cell: number, field: number, value: number): void {
    Atomics.store(this.#cells, this.#arena.cellWord(cell, field), value);
  }

  #setWord(word: number, value: number): void {
    Atomics.store(this.#words, this.#base + word, value);
  }

  #changeLength(delta: number): void {
    const index = this.#base + QueueWord.Length;
    Atomics.add(this.#words, index, delta);
    Atomics.notify(this.#words, index);
    if (this.#alsoCount >= 0) {
      Atomics.add(this.#words, this.#alsoCount, delta);
      Atomics.notify(this.#words, this.#alsoCount);
    }
  }
}
