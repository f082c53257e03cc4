/**
 * The core of a `Semaphore` / `BoundedSemaphore` (`sync/semaphore.ts`): a
 * count of permits and a FIFO of waiters. Implemented by
 * `atomics/semaphore-core.ts` (thread scope) and `hub/semaphore-core.ts`
 * (process scope).
 */
import type { Core } from './core.js';

export interface SemaphoreStatistics {
  /** Permits available now. */
  readonly value: number;
  /** The value the semaphore was created with (a BoundedSemaphore's bound). */
  readonly initial: number;
  readonly waiting: number;
}

/** What a release did: only `released` changed anything. */
export type ReleaseOutcome = 'released' | 'over-bound' | 'overflow';

export interface SemaphoreCore extends Core {
  /** True for a BoundedSemaphore's state. */
  readonly bounded: boolean;
  /**
   * True when `tryAcquire` reads local memory: the public class tries it
   * before it records a request and waits. False when every call is a round
   * trip (the wait then tries first by itself).
   */
  readonly localFastPath: boolean;
  /** Takes a permit if one is free; never waits. */
  tryAcquire(): boolean;
  /** Takes a permit, waiting up to `timeout` ms (0: do not wait); false on timeout. */
  acquire(timeout: number | undefined, signal: AbortSignal | undefined): Promise<boolean>;
  acquireSync(timeout: number | undefined): boolean;
  /** Adds `n` permits, serving waiters first; refuses (changing nothing) above a bounded core's initial value. */
  release(n: number): ReleaseOutcome;
  statistics(): SemaphoreStatistics;
}

export interface SemaphoreCores {
  create(owner: object, value: number, bounded: boolean): SemaphoreCore;
}
