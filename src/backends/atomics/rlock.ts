/**
 * The state of a thread-scope `RLock`: a `LockState` plus the recursion
 * depth in its Recursion word, written by the owning thread (and by whoever
 * hands the lock to it: see the invariant below).
 *
 * The owner is the thread whose token is in the lock word *and* whose
 * depth is not zero. Re-acquiring by the owner only counts up; the lock
 * itself is released when the count falls back to zero. A thread that
 * inherits an RLock from a dead owner starts at depth 1, whatever depth the
 * dead owner had reached.
 *
 * Invariant: the depth is 0 whenever the lock is free or has been handed to
 * a thread that has not taken it up yet — a starvation-mode hand-off
 * (`lock.ts`) or a process grant installed for it (`hub/grant-cell.ts`)
 * writes the token, and the thread's own acquire sets the depth when it
 * resumes. Until then the thread does not own the lock: another async call
 * of the same thread that asks meanwhile queues instead of re-entering
 * (re-entering would count a level that the resuming acquire's depth of 1
 * then overwrites, and one of the two releases would find nothing held).
 * Releasers keep it by writing 0 before they free the word; `lock.ts` zeroes
 * a dead owner's depth before it passes the lock on.
 */
import type { Arena } from './arena.js';
import { LockState, LockWord, type Acquired, type AcquireOutcome } from './lock.js';
import type { Steps } from './parking.js';
import type { Deadline } from '../../internal/deadline.js';

export class RLockState {
  readonly lock: LockState;

  constructor(buffer: SharedArrayBuffer, arena: Arena) {
    this.lock = new LockState(buffer, arena);
  }

  static allocate(): SharedArrayBuffer {
    return LockState.allocate();
  }

  /** True if `me` holds the lock and has taken it up (see the invariant above). */
  isOwner(me: number): boolean {
    return this.lock.rawHolder() === me && this.depth() > 0;
  }

  depth(): number {
    return Atomics.load(this.lock.words, LockWord.Recursion);
  }

  /** Counts up if `me` owns the lock; otherwise tries to take it. */
  tryAcquire(me: number): Acquired | 'busy' {
    if (this.#reenter(me)) return 'acquired';
    const outcome = this.lock.tryAcquire(me);
    if (outcome !== 'busy') this.#setDepth(1);
    return outcome;
  }

  /** True (and counted) if `me` already owns the lock: no waiting needed. */
  #reenter(me: number): boolean {
    if (!this.isOwner(me)) return false;
    this.#setDepth(this.depth() + 1);
    return true;
  }

  *acquireSteps(me: number, deadline: Deadline): Steps<AcquireOutcome> {
    if (this.#reenter(me)) return 'acquired';
    const outcome = yield* this.lock.acquireSteps(me, deadline);
    if (outcome === 'acquired' || outcome === 'inherited') this.#setDepth(1);
    return outcome;
  }

  /** One level down; releases the lock at zero. False if `me` is not the owner. */
  release(me: number): boolean {
    if (!this.isOwner(me)) return false;
    const depth = this.depth() - 1;
    this.#setDepth(depth);
    if (depth === 0) this.lock.release();
    return true;
  }

  /** Releases every level at once (Condition.wait); returns the depth to restore. */
  releaseAll(me: number): number {
    if (!this.isOwner(me)) return 0;
    const depth = this.depth();
    this.#setDepth(0);
    this.lock.release();
    return depth;
  }

  /** After re-acquiring (Condition.wait): puts back the saved depth. */
  restoreDepth(depth: number): void {
    this.#setDepth(depth);
  }

  #setDepth(depth: number): void {
    Atomics.store(this.lock.words, LockWord.Recursion, depth);
  }
}
