/**
 * The core of a `Condition` (`sync/condition-base.ts`): its sleepers, over
 * the core of its lock. Implemented by `atomics/condition-core.ts` (thread
 * scope) and `hub/condition-core.ts` (process scope).
 *
 * A wait is three steps, so the public class keeps the rule that the lock
 * is taken back however the sleep ends (notified, timed out, aborted):
 * `leave` queues the caller and releases every level of the lock, `sleep`
 * waits, `regain` takes the lock back at its saved depth — after a sleep
 * that threw too.
 */
import type { Core } from './core.js';
import type { LockCore, Taken } from './lock.js';

export interface ConditionStatistics {
  /** Calls sleeping in wait() and not yet notified. */
  readonly waiting: number;
  /** Whether the condition's lock is held. */
  readonly locked: boolean;
}

/** One wait in progress: what `leave` saved, for `sleep` and `regain`. Opaque to the public class. */
export type Sleeper = object;

/** How a wait ended once it holds the lock again: notified or not, and how the lock was taken (undefined: it was never released). */
export interface Regained {
  readonly notified: boolean;
  readonly taken: Taken | undefined;
}

export interface ConditionCore extends Core {
  /** Queues the calling thread and releases its lock completely. Call holding the lock. */
  leave(): Sleeper;
  /** Sleeps until notified, `timeout` ms pass, or `signal` aborts (rejects with its reason). */
  sleep(sleeper: Sleeper, timeout: number | undefined, signal: AbortSignal | undefined): Promise<void>;
  sleepSync(sleeper: Sleeper, timeout: number | undefined): void;
  /** Takes the lock back at the depth `leave` saved, however `sleep` ended. */
  regain(sleeper: Sleeper): Promise<Regained>;
  regainSync(sleeper: Sleeper): Regained;
  /** Wakes up to `n` sleepers, longest first (`Infinity`: all). Call holding the lock. */
  notify(n: number): void;
  statistics(): ConditionStatistics;
}

export interface ConditionCores {
  /** New sleepers for a new Condition over `lock`, the core of its lock (of the same scope). */
  create(owner: object, lock: LockCore): ConditionCore;
}
