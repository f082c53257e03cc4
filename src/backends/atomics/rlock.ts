/**
 * The state of a thread-scope `RLock`: a `LockState` plus the recursion
 * depth in its Recursion word, which only the owning thread writes.
 *
 * The owner is the thread whose token is in the lock word. Re-acquiring by
 * the owner only counts up; the lock itself is released when the count falls
 * back to zero. A thread that inherits an RLock from a dead owner starts at
 * depth 1, whatever depth the dead owner had reached.
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

  isOwner(me: number): boolean {
    return this.lock.rawHolder() === me;
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
    if (this.lock.rawHolder() !== me) return false;
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
