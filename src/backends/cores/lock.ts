/**
 * The core of a `Lock` or `RLock` (`sync/lock-base.ts`): who holds it, how
 * deep (an RLock), and its FIFO of waiters. Implemented by
 * `atomics/lock-core.ts` (thread scope: the lock word of `atomics/lock.ts`)
 * and `backends/hub/owned-lock.ts` (process scope: the hub's lock, granted
 * to a process and then taken in that process's cell).
 *
 * An acquire is two steps, so that the public class can answer an
 * uncontended `acquire()` without an async frame: `tryLocal` takes the lock
 * at once if local memory can, else says where the wait goes — `busy`
 * (held in local memory: wait there) or `remote` (only the hub can say) —
 * and `acquire` / `acquireSync` wait from there.
 */
import type { Core } from './core.js';

/** How an acquire took the lock: plainly, or over from a holder that ended holding it. */
export type Taken = 'acquired' | 'inherited';
export type LockOutcome = Taken | 'timed-out';
/** Why `tryLocal` did not take the lock: held in local memory, or not known there. */
export type NotTaken = 'busy' | 'remote';

/** What every lock core's statistics say; each scope adds its own owner and depth. */
export interface LockStatisticsShape {
  readonly locked: boolean;
  readonly owner: object | null;
  readonly waiting: number;
}

export interface LockCore<S extends LockStatisticsShape = LockStatisticsShape> extends Core {
  /** True for an RLock's state. */
  readonly reentrant: boolean;
  /**
   * True when the core's outcomes are traced as answers from afar (a
   * process-scope lock: every Acquired/TimedOut carries 1, and every release
   * is traced); false for a thread-scope lock (0 at once, 1 after a wait).
   */
  readonly tracedAsRemote: boolean;
  /** Takes the lock (or one more level) now if local memory can; never waits, never sends. */
  tryLocal(): Taken | NotTaken;
  /** After `tryLocal` said `from`: waits up to `timeout` ms (undefined: forever; 0 only when `from` is `remote`). */
  acquire(from: NotTaken, timeout: number | undefined, signal: AbortSignal | undefined): Promise<LockOutcome>;
  acquireSync(from: NotTaken, timeout: number | undefined): LockOutcome;
  /** After `tryLocal` said `remote`: asks without waiting (a round trip). */
  tryRemote(): LockOutcome;
  /** Releases one level; false if the release is refused (`ERR_LOCK_NOT_HELD`). */
  release(): boolean;
  /** True if a release now would be accepted, as far as local memory tells (decides whether it is traced). */
  releasable(): boolean;
  /** The levels the calling thread holds, as local memory tells (0: none). */
  heldLevels(): number;
  /** True if the calling thread holds it. */
  isOwned(): boolean;
  locked(): boolean;
  statistics(): S;
  /** The owner of `statistics()` as inspection shows it. */
  ownerText(owner: NonNullable<S['owner']>): string;
}

export interface LockCores<S extends LockStatisticsShape = LockStatisticsShape> {
  /** New state for a new lock; `owner` is the public object (its collection frees a hub object). */
  create(owner: object): LockCore<S>;
}
