/**
 * The state of a thread-scope `Lock` (and the lock inside an `RLock`): one
 * word that names the holder, and a FIFO queue of waiters.
 *
 * Guarantees: mutual exclusion; **FIFO hand-off** — once a thread waits, a
 * release hands the lock straight to the longest waiter, so a thread that
 * releases and re-acquires in a loop cannot starve the others (the choice
 * Go's `sync.Mutex` makes in its starvation mode, made here always, because a
 * woken worker thread needs tens of microseconds to run and would lose every
 * race); **robustness** — if the holder's thread ends while holding, the lock
 * passes on as if released and the next owner is told (`ownerDied`), which is
 * POSIX's robust mutex (`EOWNERDEAD`) and which Python does not have.
 * Not guaranteed: FIFO among callers that arrive while the lock is free (the
 * uncontended fast path is one compare-and-swap and takes no ticket).
 * Any thread may release a Lock, as in Python.
 *
 * ## Layout (Int32 words of the lock's own SharedArrayBuffer)
 *
 * | index | name      | written by                                   | meaning                        |
 * |-------|-----------|----------------------------------------------|--------------------------------|
 * | 0     | State     | acquirers (CAS), releasers, queue-lock holder | see the state table            |
 * | 1–4   | queue     | holder of the queue lock (`wait-queue.ts`)    | FIFO of waiting cells          |
 * | 5     | Recursion | the RLock owner only                          | RLock depth (0 for a Lock)     |
 *
 * ## State word
 *
 * | value                  | state                                                  |
 * |------------------------|--------------------------------------------------------|
 * | 0                      | Free                                                    |
 * | FREE_OWNER_DIED        | Free; the last holder ended while holding it           |
 * | token                  | Held by `token`, nobody queued                          |
 * | token \| QUEUED        | Held by `token`, one or more waiters queued             |
 *
 * | transition                         | by                                               |
 * |------------------------------------|--------------------------------------------------|
 * | Free → token                       | fast acquire: CAS, no queue lock                 |
 * | token → Free                       | fast release: CAS, only while not QUEUED         |
 * | token → token \| QUEUED            | a waiter, holding the queue lock, before it parks |
 * | token \| QUEUED → next [\| QUEUED] | release, holding the queue lock: grants the head |
 * | token\[\|QUEUED] → next or FREE_OWNER_DIED | anyone, holding the queue lock, who finds `token`'s thread dead |
 * | FREE_OWNER_DIED → token            | an acquirer, who then reports `ownerDied`        |
 *
 * Invariants, under the queue lock: the queue is non-empty ⇔ QUEUED is set;
 * FREE_OWNER_DIED only while the queue is empty. A QUEUED word is changed only
 * by the queue-lock holder (the fast paths' CASes expect a word without
 * QUEUED), so under the queue lock a QUEUED state is stable.
 *
 * A thread that ends is recorded dead in the arena, which wakes every parked
 * lock waiter; each checks its lock's holder and, if dead, passes the lock
 * on. A caller arriving later checks the holder's liveness when the fast path
 * fails. So a dead holder never blocks anyone for longer than a wake-up.
 */
import { TOKEN_MASK, CellKind, type Arena } from './arena.js';
import { ABORTED, type Steps } from './parking.js';
import { QUEUE_WORDS, WaitQueue } from './wait-queue.js';
import type { Deadline } from '../../internal/deadline.js';

export const LockWord = { State: 0, Queue: 1, Recursion: 1 + QUEUE_WORDS } as const;
export const LOCK_WORDS = LockWord.Recursion + 1;

/** Set while waiters are queued. Bit 29, above every token (arena.ts). */
export const QUEUED = 1 << 29;
/** The state of a free lock whose last holder ended while holding it. */
export const FREE_OWNER_DIED = 1 << 30;

/** How an acquire ended: plainly, or by inheriting the lock from a dead holder. */
export type Acquired = 'acquired' | 'inherited';
export type AcquireOutcome = Acquired | 'timed-out';

export class LockState {
  readonly words: Int32Array;
  readonly #arena: Arena;
  readonly #queue: WaitQueue;

  constructor(buffer: SharedArrayBuffer, arena: Arena) {
    this.words = new Int32Array(buffer);
    this.#arena = arena;
    this.#queue = new WaitQueue(this.words, LockWord.Queue, arena);
  }

  static allocate(): SharedArrayBuffer {
    return new SharedArrayBuffer(LOCK_WORDS * 4);
  }

  /** Takes the lock if it is free (or its holder is dead); never waits. */
  tryAcquire(me: number): Acquired | 'busy' {
    if (Atomics.compareExchange(this.words, LockWord.State, 0, me) === 0) return 'acquired';
    this.#queue.lock();
    try {
      return this.#takeLocked(me);
    } finally {
      this.#queue.unlock();
    }
  }

  /**
   * The slow path of acquire, for `runSync`/`runAsync`. Queues the caller and
   * parks until the lock is handed over, the deadline passes, or the call is
   * aborted. An aborted or timed-out call leaves the lock as it found it.
   */
  *acquireSteps(me: number, deadline: Deadline): Steps<AcquireOutcome> {
    const queue = this.#queue;
    const cell = this.#arena.allocCell(me, CellKind.LockWaiter);
    let queued = false;
    try {
      for (;;) {
        queue.lock();
        if (queued && queue.isGranted(cell)) {
          queue.unlock();
          return grantOutcome(queue.grantValue(cell));
        }
        if (!queued) {
          const taken = this.#takeLocked(me);
          if (taken !== 'busy') {
            queue.unlock();
            return taken;
          }
          if (!this.#markQueued()) {
            queue.unlock();
            continue; // the holder released meanwhile: try again
          }
          queue.push(cell);
          queued = true;
        } else {
          // Woken without a grant: a thread died somewhere. If it was our
          // holder, pass the lock on (perhaps to us) as its release would have.
          this.#recoverFromDeadHolderLocked();
          if (queue.isGranted(cell)) {
            queue.unlock();
            return grantOutcome(queue.grantValue(cell));
          }
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

  /** Gives up a queued wait after a timeout or abort, unless the grant won the race. */
  #abandon(cell: number, why: 'timed-out' | 'aborted'): AcquireOutcome | typeof ABORTED {
    const queue = this.#queue;
    queue.lock();
    if (queue.isGranted(cell)) {
      const outcome = grantOutcome(queue.grantValue(cell));
      queue.unlock();
      if (why === 'timed-out') return outcome; // the lock arrived in time after all
      this.release(); // aborted after the grant: pass the lock on, as if never called
      return ABORTED;
    }
    queue.remove(cell);
    if (queue.length === 0) this.#clearQueued();
    queue.unlock();
    return why === 'aborted' ? ABORTED : 'timed-out';
  }

  /** Releases the lock, whoever holds it. Returns false if it was not held. */
  release(): boolean {
    return this.#release(false);
  }

  #release(ownerDied: boolean): boolean {
    const words = this.words;
    for (;;) {
      const state = Atomics.load(words, LockWord.State);
      if ((state & TOKEN_MASK) === 0) return false;
      if ((state & QUEUED) === 0) {
        if (Atomics.compareExchange(words, LockWord.State, state, 0) === state) return true;
        continue;
      }
      this.#queue.lock();
      const handedOff = this.#handOffLocked(state, ownerDied);
      this.#queue.unlock();
      if (handedOff) return true;
    }
  }

  /** Token of the live holder, or 0 (free, or held by a thread that has ended). */
  holder(): number {
    const token = Atomics.load(this.words, LockWord.State) & TOKEN_MASK;
    return token !== 0 && this.#arena.isAlive(token) ? token : 0;
  }

  /** Token written in the state word, dead or alive (0 if free). */
  rawHolder(): number {
    return Atomics.load(this.words, LockWord.State) & TOKEN_MASK;
  }

  waiting(): number {
    return this.#queue.length;
  }

  get waitingWord(): number {
    return this.#queue.lengthWord;
  }

  /**
   * Under the queue lock: takes the lock for `me` if free, inheriting it if
   * its holder is dead. 'busy' if a live thread holds it.
   */
  #takeLocked(me: number): Acquired | 'busy' {
    const words = this.words;
    for (;;) {
      const state = Atomics.load(words, LockWord.State);
      if (state === 0) {
        if (Atomics.compareExchange(words, LockWord.State, 0, me) === 0) return 'acquired';
        continue;
      }
      if (state === FREE_OWNER_DIED) {
        if (Atomics.compareExchange(words, LockWord.State, state, me) === state) return 'inherited';
        continue;
      }
      if (this.#arena.isAlive(state & TOKEN_MASK)) return 'busy';
      this.#handOffLocked(state, true); // dead holder: release on its behalf, then look again
    }
  }

  #recoverFromDeadHolderLocked(): void {
    const state = Atomics.load(this.words, LockWord.State);
    const holder = state & TOKEN_MASK;
    if (holder !== 0 && !this.#arena.isAlive(holder)) this.#handOffLocked(state, true);
  }

  /**
   * Under the queue lock: releases a lock in state `state`, granting it to
   * the first waiter if there is one. False if the word moved meanwhile (a
   * fast-path release of an unqueued lock can race with us).
   */
  #handOffLocked(state: number, ownerDied: boolean): boolean {
    const queue = this.#queue;
    const head = queue.first();
    if (head < 0) {
      const free = ownerDied ? FREE_OWNER_DIED : 0;
      return Atomics.compareExchange(this.words, LockWord.State, state, free) === state;
    }
    const next = queue.tokenOf(head) | (queue.length > 1 ? QUEUED : 0);
    if (Atomics.compareExchange(this.words, LockWord.State, state, next) !== state) return false;
    queue.shift();
    queue.grant(head, ownerDied ? 1 : 0);
    return true;
  }

  /** Under the queue lock: sets QUEUED on a held word. False if it changed. */
  #markQueued(): boolean {
    const state = Atomics.load(this.words, LockWord.State);
    if ((state & TOKEN_MASK) === 0) return false;
    if ((state & QUEUED) !== 0) return true;
    return Atomics.compareExchange(this.words, LockWord.State, state, state | QUEUED) === state;
  }

  /** Under the queue lock, queue empty: clears QUEUED (the word is stable while it is set). */
  #clearQueued(): void {
    const state = Atomics.load(this.words, LockWord.State);
    if ((state & QUEUED) !== 0) Atomics.store(this.words, LockWord.State, state & ~QUEUED);
  }
}

function grantOutcome(value: number): Acquired {
  return value === 1 ? 'inherited' : 'acquired';
}
