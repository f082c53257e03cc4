/**
 * The state of a thread-scope `Lock` (and the lock inside an `RLock`): one
 * word naming the holder, and a FIFO queue of waiters.
 *
 * Guarantees: mutual exclusion; **no starvation**, by Go's `sync.Mutex`
 * design (https://go.dev/src/sync/mutex.go): in *normal mode* a release
 * wakes the longest waiter but a running thread may take the lock first
 * (throughput: a thread that releases and re-acquires in a loop keeps its
 * cache and its core), and the woken waiter keeps its place at the head of
 * the queue; once a waiter has waited more than `STARVATION_MS` the lock
 * enters *starvation mode*, where every release hands the lock straight to
 * the head of the queue and newcomers queue behind. **Robustness**: if the
 * holder's thread ends while holding, the lock passes on as if released and
 * the next owner is told (`ownerDied`) — POSIX's robust mutex
 * (`EOWNERDEAD`), which Python does not have. Any thread may release a Lock,
 * as in Python.
 *
 * ## Layout (Int32 words of the lock's own SharedArrayBuffer)
 *
 * | index | name      | written by                                       | meaning                                   |
 * |-------|-----------|--------------------------------------------------|-------------------------------------------|
 * | 0     | State     | acquirers and releasers (CAS), queue-lock holder | holder token and mode bits (below)         |
 * | 1     | Woken     | holder of the queue lock                         | cell + 1 of the waiter woken to retry, or 0 |
 * | 2–5   | queue     | holder of the queue lock (`wait-queue.ts`)       | FIFO of waiting cells                     |
 * | 6     | Recursion | the RLock owner; 0 by whoever frees a dead owner's | RLock depth (0 for a Lock; 0 while free or handed over and not yet taken up) |
 * | 7     | TraceId   | the first thread to trace it (CAS 0 → id)        | its name in traces (`trace/object-id.ts`) |
 *
 * ## State word
 *
 * | bits  | name     | meaning                                                             |
 * |-------|----------|---------------------------------------------------------------------|
 * | 0–27  | token    | the holder (arena.ts), 0 when free                                   |
 * | 28    | DIED     | free, and the last holder ended while holding it: the next acquirer inherits it |
 * | 29    | QUEUED   | waiters are queued (set and cleared under the queue lock)            |
 * | 30    | STARVING | starvation mode: a release hands the lock to the head of the queue   |
 *
 * | state                     | meaning                                                        |
 * |---------------------------|----------------------------------------------------------------|
 * | 0                         | free                                                           |
 * | token                     | held, nobody waiting                                           |
 * | token \| QUEUED           | held, waiters queued; a release frees it and wakes the head    |
 * | token \| QUEUED \| STARVING | held; a release hands it to the head                         |
 * | QUEUED [\| DIED]          | free; the woken head, or a running thread, will take it        |
 * | DIED                      | free; nobody waiting                                           |
 *
 * | transition                              | by                                                |
 * |-----------------------------------------|---------------------------------------------------|
 * | free (not STARVING) → token \| QUEUED?  | any acquirer, CAS; inherits if DIED was set        |
 * | token → 0, token \| QUEUED → QUEUED     | release, CAS; then wakes the head (queue lock)     |
 * | token \| QUEUED \| STARVING → head \| … | release, under the queue lock: grants the head     |
 * | +QUEUED, +STARVING                      | a waiter, under the queue lock                     |
 * | −STARVING                               | the head it was handed to, if it waited briefly or is the last waiter; or a release that finds the queue empty |
 * | token (dead) → as released, +DIED       | anyone who finds the holder's thread ended, under the queue lock |
 *
 * Invariants, under the queue lock: QUEUED ⇔ the queue is not empty;
 * STARVING ⇒ QUEUED. Woken ≠ 0 ⇒ that cell is queued and nobody else has
 * been woken since, so a burst of releases wakes one waiter, not one each.
 *
 * A thread that ends is recorded dead in the arena, which wakes every parked
 * lock waiter; each checks its lock's holder and, if dead, passes the lock
 * on. A caller arriving later checks the holder's liveness when the lock is
 * not free. So a dead holder never blocks anyone for longer than a wake-up.
 */
import { TOKEN_MASK, CellKind, type Arena } from './arena.js';
import { ABORTED, type Steps } from './parking.js';
import { enterSection, leaveSection } from './futex-mutex.js';
import { QUEUE_WORDS, WaitQueue } from './wait-queue.js';
import { now, type Deadline } from '../../internal/deadline.js';

export const LockWord = { State: 0, Woken: 1, Queue: 2, Recursion: 2 + QUEUE_WORDS, TraceId: 3 + QUEUE_WORDS } as const;
export const LOCK_WORDS = LockWord.TraceId + 1;

/** Free, and the last holder ended while holding it. */
export const DIED = 1 << 28;
/** Waiters are queued. */
export const QUEUED = 1 << 29;
/** Starvation mode: releases hand the lock to the head of the queue. */
export const STARVING = 1 << 30;

/**
 * A waiter that has waited longer than this switches the lock to starvation
 * mode (Go's `starvationThresholdNs`, 1 ms).
 */
export const STARVATION_MS = 1;

/**
 * Turns an acquirer spins, re-reading the state, before it queues: a lock
 * held for a short critical section by a thread on another core is usually
 * free again within them, and a spin is far cheaper than a sleep and a
 * wake-up. Bounded, so a waiter burns no CPU once the wait is long.
 */
const SPIN_TURNS = 100;

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
    this.#queue = new WaitQueue(this.words, LockWord.Queue, arena, -1, () => this.#rederiveLocked());
  }

  /**
   * Queue lock taken over from a holder that crashed inside it (never one
   * weft terminated: `safe-stop.ts`), the queue itself repaired: QUEUED and
   * STARVING follow the queue again, and the wake-up in flight, if any, is
   * given again to the head.
   */
  #rederiveLocked(): void {
    if (this.#queue.length === 0) this.#clearBits(QUEUED | STARVING);
    else Atomics.or(this.words, LockWord.State, QUEUED);
    Atomics.store(this.words, LockWord.Woken, 0);
    this.#wakeHeadLocked();
  }

  static allocate(): SharedArrayBuffer {
    return new SharedArrayBuffer(LOCK_WORDS * 4);
  }

  /** Takes the lock if it is free (or its holder is dead); never waits. */
  tryAcquire(me: number): Acquired | 'busy' {
    if (Atomics.compareExchange(this.words, LockWord.State, 0, me) === 0) return 'acquired';
    const taken = this.#tryTake(me);
    if (taken !== 'busy' || !this.#holderIsDead()) return taken;
    this.#queue.lock();
    try {
      this.#recoverFromDeadHolderLocked();
    } finally {
      this.#queue.unlock();
    }
    return this.#tryTake(me);
  }

  /**
   * Takes the lock if it is free, keeping QUEUED as it is (a queued caller
   * then removes its own cell). Starvation mode never leaves the lock free
   * while anyone waits, so a free lock may always be taken.
   */
  #tryTake(me: number): Acquired | 'busy' {
    const words = this.words;
    for (;;) {
      const state = Atomics.load(words, LockWord.State);
      if ((state & TOKEN_MASK) !== 0) return 'busy';
      if (Atomics.compareExchange(words, LockWord.State, state, me | (state & QUEUED)) === state) {
        return (state & DIED) !== 0 ? 'inherited' : 'acquired';
      }
    }
  }

  /**
   * The slow path of acquire, for `runSync`/`runAsync`: spin briefly, then
   * queue and park until the lock is taken, the deadline passes, or the call
   * is aborted. An aborted or timed-out call leaves the lock as it found it.
   */
  *acquireSteps(me: number, deadline: Deadline): Steps<AcquireOutcome> {
    const spun = this.#spin(me);
    if (spun !== 'busy') return spun;
    const queue = this.#queue;
    const cell = this.#arena.allocCell(me, CellKind.LockWaiter);
    const waitStart = now();
    let queued = false;
    try {
      for (;;) {
        queue.lock();
        const outcome = queued ? this.#retryLocked(cell, me, waitStart) : this.#firstTryLocked(cell, me);
        if (outcome === 'queued') queued = true;
        queue.unlock();
        if (outcome !== 'queued' && outcome !== 'busy') return outcome;

        const parked = yield { cell, deadline };
        if (parked === 'woken') continue;
        return this.#abandon(cell, parked);
      }
    } finally {
      this.#arena.freeCell(cell);
    }
  }

  #spin(me: number): Acquired | 'busy' {
    for (let turn = 0; turn < SPIN_TURNS; turn++) {
      const taken = this.#tryTake(me);
      if (taken !== 'busy') return taken;
    }
    return 'busy';
  }

  /** Queue lock held, not yet queued: take the lock, or queue. */
  #firstTryLocked(cell: number, me: number): Acquired | 'queued' {
    this.#recoverFromDeadHolderLocked();
    const taken = this.#tryTake(me);
    if (taken !== 'busy') return taken;
    this.#queue.push(cell);
    Atomics.or(this.words, LockWord.State, QUEUED);
    // A release that ran before QUEUED was set did not know to wake anyone.
    // Wake the head now if the lock is free (perhaps ourselves, who will then
    // not sleep): those queued before us keep their turn.
    this.#wakeHeadLocked();
    return 'queued';
  }

  /**
   * Queue lock held, queued, woken (by a release, a thread's death, or a
   * spurious wake-up): find out whether the lock was handed over, or — at
   * the head of the queue — take it if free; otherwise keep our place —
   * entering starvation mode if we have waited too long — and re-arm the
   * cell to sleep again.
   */
  #retryLocked(cell: number, me: number, waitStart: number): Acquired | 'busy' {
    const queue = this.#queue;
    const starving = now() - waitStart > STARVATION_MS;
    if (queue.isGranted(cell)) return this.#handedOver(cell, starving);
    if (Atomics.load(this.words, LockWord.Woken) === cell + 1) Atomics.store(this.words, LockWord.Woken, 0);
    this.#recoverFromDeadHolderLocked();
    if (queue.isGranted(cell)) return this.#handedOver(cell, starving);
    if (queue.first() !== cell) {
      // Queued waiters are served in their order. One woken out of turn (a
      // thread's death wakes every lock waiter, to check on its holder)
      // sleeps again; the head is woken instead, if the lock is free.
      this.#wakeHeadLocked();
      this.#arena.rearmCell(cell);
      return 'busy';
    }
    for (;;) {
      const taken = this.#tryTake(me);
      if (taken !== 'busy') {
        queue.remove(cell);
        if (queue.length === 0) this.#clearBits(QUEUED | STARVING);
        return taken;
      }
      // Held. Starvation mode only while someone holds it, so that it never
      // leaves the lock free and reserved (a CAS, not an OR, for that).
      const state = Atomics.load(this.words, LockWord.State);
      if (!starving || (state & STARVING) !== 0 || (state & TOKEN_MASK) === 0) break;
      if (Atomics.compareExchange(this.words, LockWord.State, state, state | STARVING) === state) break;
    }
    this.#arena.rearmCell(cell);
    return 'busy';
  }

  /** Queue lock held: the lock was handed to `cell` in starvation mode. */
  #handedOver(cell: number, starving: boolean): Acquired {
    // Leave starvation mode if we did not really starve, or nobody is left
    // to starve (Go's exit from starvation mode).
    if (!starving || this.#queue.length === 0) this.#clearBits(STARVING);
    return this.#queue.grantValue(cell) === 1 ? 'inherited' : 'acquired';
  }

  /** Gives up a queued wait after a timeout or abort, unless the lock was handed over meanwhile. */
  #abandon(cell: number, why: 'timed-out' | 'aborted'): AcquireOutcome | typeof ABORTED {
    const queue = this.#queue;
    queue.lock();
    if (queue.isGranted(cell)) {
      const outcome = queue.grantValue(cell) === 1 ? 'inherited' : 'acquired';
      queue.unlock();
      if (why === 'timed-out') return outcome; // the lock arrived in time after all
      this.release(); // aborted after the hand-over: pass the lock on, as if never called
      return ABORTED;
    }
    queue.remove(cell);
    if (queue.length === 0) this.#clearBits(QUEUED | STARVING);
    // If we were the woken waiter, the wake-up passes to the next one.
    if (Atomics.load(this.words, LockWord.Woken) === cell + 1) {
      Atomics.store(this.words, LockWord.Woken, 0);
      this.#wakeHeadLocked();
    }
    queue.unlock();
    return why === 'aborted' ? ABORTED : 'timed-out';
  }

  /** Releases the lock, whoever holds it. Returns false if it was not held. */
  release(): boolean {
    // Held, nobody queued: freeing the word is the whole release — nobody to
    // wake, so no section is needed (a CAS that loses to a newcomer who
    // queued meanwhile falls through to the full release).
    const state = Atomics.load(this.words, LockWord.State);
    if (state !== 0 && (state & ~TOKEN_MASK) === 0 && Atomics.compareExchange(this.words, LockWord.State, state, 0) === state) return true;
    // A section (`futex-mutex.ts`): weft never terminates a thread between
    // freeing the word and waking the head, which would leave it asleep.
    enterSection();
    try {
      return this.#release(false);
    } finally {
      leaveSection();
    }
  }

  #release(ownerDied: boolean): boolean {
    const words = this.words;
    for (;;) {
      const state = Atomics.load(words, LockWord.State);
      if ((state & TOKEN_MASK) === 0) return false;
      if ((state & STARVING) !== 0) {
        this.#queue.lock();
        const handed = this.#handOffLocked(state, ownerDied);
        this.#queue.unlock();
        if (handed) return true;
        continue;
      }
      const freed = (state & QUEUED) | (ownerDied ? DIED : 0);
      if (Atomics.compareExchange(words, LockWord.State, state, freed) !== state) continue;
      if ((state & QUEUED) !== 0 && Atomics.load(words, LockWord.Woken) === 0) {
        this.#queue.lock();
        this.#wakeHeadLocked();
        this.#queue.unlock();
      }
      return true;
    }
  }

  /**
   * Queue lock held: wakes the head of the queue to retry, unless the lock
   * is taken again already (its holder's release will wake) or a woken
   * waiter has yet to retry.
   */
  #wakeHeadLocked(): void {
    const words = this.words;
    if ((Atomics.load(words, LockWord.State) & TOKEN_MASK) !== 0) return;
    const woken = Atomics.load(words, LockWord.Woken);
    if (woken !== 0 && this.#arena.isAlive(this.#queue.tokenOf(woken - 1))) return;
    const head = this.#queue.first();
    if (head < 0) {
      Atomics.store(words, LockWord.Woken, 0);
      return;
    }
    Atomics.store(words, LockWord.Woken, head + 1);
    this.#queue.wake(head);
  }

  /**
   * Queue lock held, starvation mode: hands the lock in `state` to the head
   * of the queue. False if the word moved meanwhile.
   */
  #handOffLocked(state: number, ownerDied: boolean): boolean {
    const queue = this.#queue;
    const head = queue.first();
    if (head < 0) {
      const free = ownerDied ? DIED : 0;
      return Atomics.compareExchange(this.words, LockWord.State, state, free) === state;
    }
    // An RLock's depth is 0 until the head takes the lock up (rlock.ts): a dead owner's is cleared first.
    if (ownerDied) Atomics.store(this.words, LockWord.Recursion, 0);
    // The head leaves the queue; starvation mode lasts while others wait.
    const next = queue.tokenOf(head) | (queue.length > 1 ? QUEUED | STARVING : 0);
    if (Atomics.compareExchange(this.words, LockWord.State, state, next) !== state) return false;
    queue.shift();
    if (Atomics.load(this.words, LockWord.Woken) === head + 1) Atomics.store(this.words, LockWord.Woken, 0);
    queue.grant(head, ownerDied ? 1 : 0);
    return true;
  }

  /** Queue lock held: if the holder's thread has ended, releases the lock on its behalf. */
  #recoverFromDeadHolderLocked(): void {
    while (this.#holderIsDead()) {
      const state = Atomics.load(this.words, LockWord.State);
      if ((state & STARVING) !== 0) {
        this.#handOffLocked(state, true);
        continue;
      }
      // Free ⇒ an RLock's depth is 0 (rlock.ts); cleared before the word is, while nobody can take it.
      Atomics.store(this.words, LockWord.Recursion, 0);
      const freed = (state & QUEUED) | DIED;
      if (Atomics.compareExchange(this.words, LockWord.State, state, freed) === state) this.#wakeHeadLocked();
    }
  }

  #holderIsDead(): boolean {
    const holder = Atomics.load(this.words, LockWord.State) & TOKEN_MASK;
    return holder !== 0 && !this.#arena.isAlive(holder);
  }

  #clearBits(bits: number): void {
    Atomics.and(this.words, LockWord.State, ~bits);
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
}
