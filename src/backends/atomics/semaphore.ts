/**
 * The state of a thread-scope `Semaphore` / `BoundedSemaphore`: a counter
 * word and a FIFO queue of waiters.
 *
 * A release hands units straight to queued waiters, oldest first, and only
 * what is left over goes back into the counter, so a caller arriving later
 * cannot take a unit a waiter was woken for. (Python leaves the wake order
 * unspecified; FIFO is one of the orders it allows.)
 *
 * ## Layout (Int32 words of the semaphore's own SharedArrayBuffer)
 *
 * | index | name    | written by                                  | meaning                     |
 * |-------|---------|---------------------------------------------|-----------------------------|
 * | 0     | State   | acquirers and releasers (CAS), queue holder | count \| QUEUED (bit 29)    |
 * | 1–4   | queue   | holder of the queue lock                    | FIFO of waiting cells       |
 * | 5     | Initial | constructor                                 | initial value (the bound)   |
 * | 6     | TraceId | first tracer (CAS 0 → id)                   | its name in traces          |
 *
 * ## State word
 *
 * | value         | state                                      |
 * |---------------|--------------------------------------------|
 * | n             | n units available, nobody queued           |
 * | QUEUED        | no unit available, waiters queued          |
 *
 * Invariant: QUEUED ⇒ count = 0 (a waiter queues only when the count is 0,
 * and releases with waiters queued grant instead of counting). So, as for
 * `LockState`, a QUEUED word changes only under the queue lock.
 */
import { CellKind, type Arena } from './arena.js';
import { ABORTED, type Steps } from './parking.js';
import { QUEUE_WORDS, WaitQueue } from './wait-queue.js';
import type { Deadline } from '../../internal/deadline.js';

export const SemaphoreWord = { State: 0, Queue: 1, Initial: 1 + QUEUE_WORDS, TraceId: 2 + QUEUE_WORDS } as const;
const SEMAPHORE_WORDS = SemaphoreWord.TraceId + 1;

const QUEUED = 1 << 29;
/** The largest value a semaphore can count to. */
export const MAX_SEMAPHORE_VALUE = QUEUED - 1;

export type ReleaseOutcome = 'released' | 'over-bound' | 'overflow';

export class SemaphoreState {
  readonly words: Int32Array;
  readonly #arena: Arena;
  readonly #queue: WaitQueue;

  constructor(buffer: SharedArrayBuffer, arena: Arena) {
    this.words = new Int32Array(buffer);
    this.#arena = arena;
    this.#queue = new WaitQueue(this.words, SemaphoreWord.Queue, arena);
  }

  static allocate(initial: number): SharedArrayBuffer {
    const buffer = new SharedArrayBuffer(SEMAPHORE_WORDS * 4);
    const words = new Int32Array(buffer);
    words[SemaphoreWord.State] = initial;
    words[SemaphoreWord.Initial] = initial;
    return buffer;
  }

  get initial(): number {
    return this.words[SemaphoreWord.Initial];
  }

  value(): number {
    return Atomics.load(this.words, SemaphoreWord.State) & MAX_SEMAPHORE_VALUE;
  }

  waiting(): number {
    return this.#queue.length;
  }

  get waitingWord(): number {
    return this.#queue.lengthWord;
  }

  tryAcquire(): boolean {
    const words = this.words;
    for (;;) {
      const state = Atomics.load(words, SemaphoreWord.State);
      if ((state & MAX_SEMAPHORE_VALUE) === 0) return false;
      if (Atomics.compareExchange(words, SemaphoreWord.State, state, state - 1) === state) return true;
    }
  }

  *acquireSteps(me: number, deadline: Deadline): Steps<boolean> {
    const queue = this.#queue;
    const cell = this.#arena.allocCell(me, CellKind.Plain);
    let queued = false;
    try {
      for (;;) {
        queue.lock();
        if (queued && queue.isGranted(cell)) {
          queue.unlock();
          return true;
        }
        if (!queued) {
          if (this.tryAcquire()) {
            queue.unlock();
            return true;
          }
          if (!this.#markQueued()) {
            queue.unlock();
            continue; // a release added a unit meanwhile
          }
          queue.push(cell);
          queued = true;
        }
        queue.unlock();

        const parked = yield { cell, deadline };
        if (parked === 'woken') continue;
        return this.#abandon(cell, parked);
      }
    } finally {
      this.#arena.freeCell(cell);
    }
  }

  #abandon(cell: number, why: 'timed-out' | 'aborted'): boolean | typeof ABORTED {
    const queue = this.#queue;
    queue.lock();
    if (queue.isGranted(cell)) {
      queue.unlock();
      if (why === 'timed-out') return true; // the unit arrived in time after all
      this.release(1); // aborted after the grant: give the unit back
      return ABORTED;
    }
    queue.remove(cell);
    if (queue.length === 0) this.#clearQueued();
    queue.unlock();
    return why === 'aborted' ? ABORTED : false;
  }

  /**
   * Adds `n` units, granting queued waiters first. With a `bound`
   * (BoundedSemaphore), refuses — changing nothing — if the value would
   * exceed it.
   */
  release(n: number, bound?: number): ReleaseOutcome {
    const words = this.words;
    for (;;) {
      const state = Atomics.load(words, SemaphoreWord.State);
      if ((state & QUEUED) === 0) {
        const outcome = checkRoom(state, n, bound);
        if (outcome !== 'released') return outcome;
        if (Atomics.compareExchange(words, SemaphoreWord.State, state, state + n) === state) return 'released';
        continue;
      }
      this.#queue.lock();
      try {
        if (Atomics.load(words, SemaphoreWord.State) !== state) continue;
        const outcome = checkRoom(0, n, bound);
        if (outcome === 'released') this.#grantLocked(n);
        return outcome;
      } finally {
        this.#queue.unlock();
      }
    }
  }

  /** Under the queue lock, QUEUED set: hands `n` units out, oldest waiter first. */
  #grantLocked(n: number): void {
    const queue = this.#queue;
    let left = n;
    while (left > 0 && queue.grantFirst()) left -= 1;
    if (queue.length === 0) Atomics.store(this.words, SemaphoreWord.State, left);
  }

  #markQueued(): boolean {
    const state = Atomics.load(this.words, SemaphoreWord.State);
    if ((state & MAX_SEMAPHORE_VALUE) !== 0) return false;
    if (state === QUEUED) return true;
    return Atomics.compareExchange(this.words, SemaphoreWord.State, 0, QUEUED) === 0;
  }

  #clearQueued(): void {
    if (Atomics.load(this.words, SemaphoreWord.State) === QUEUED) Atomics.store(this.words, SemaphoreWord.State, 0);
  }
}

function checkRoom(state: number, n: number, bound: number | undefined): ReleaseOutcome {
  const count = state & MAX_SEMAPHORE_VALUE;
  if (bound !== undefined && count + n > bound) return 'over-bound';
  if (count + n > MAX_SEMAPHORE_VALUE) return 'overflow';
  return 'released';
}
