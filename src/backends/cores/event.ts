/**
 * The core of an `Event` (`sync/event.ts`): a flag and its waiters.
 * Implemented by `atomics/event-core.ts` (thread scope) and
 * `hub/event-core.ts` (process scope).
 */
import type { Core } from './core.js';

export interface EventStatistics {
  readonly set: boolean;
  readonly waiting: number;
}

export interface EventCore extends Core {
  isSet(): boolean;
  /** Raises the flag, releasing every waiter. */
  set(): void;
  clear(): void;
  /** True once the flag is raised (at once if it is), false after `timeout` ms (0: do not wait). */
  wait(timeout: number | undefined, signal: AbortSignal | undefined): Promise<boolean>;
  waitSync(timeout: number | undefined): boolean;
  statistics(): EventStatistics;
}

export interface EventCores {
  /** New state for a new Event; `owner` is the public object (its collection frees a hub object). */
  create(owner: object): EventCore;
}
