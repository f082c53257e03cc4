/**
 * The core of a `Barrier` (`sync/barrier.ts`): the arrival count, the
 * round's state and the waiters. Implemented by `atomics/barrier-core.ts`
 * (thread scope) and `hub/barrier-core.ts` (process scope). The action is
 * not the core's: the public class runs it, between `wait` answering `ACT`
 * and `finishAction`.
 */
import type { Core } from './core.js';

export interface BarrierStatistics {
  readonly parties: number;
  readonly nWaiting: number;
  readonly broken: boolean;
  /** Calls sleeping inside `wait()`, including arrivals held back while the barrier drains. */
  readonly waiting: number;
}

/** `wait`'s answer to the last party of a barrier with an action: run it, then call `finishAction`. */
export const ACT = -1;

export interface BarrierCore extends Core {
  readonly parties: number;
  /** The constructor's default timeout for each wait, or undefined. */
  readonly defaultTimeout: number | undefined;
  /**
   * Arrives and waits for the round to trip: this party's index, or `ACT`
   * (a barrier with an action, the last to arrive). Throws
   * `BrokenBarrierError` if the barrier is or becomes broken — a timeout
   * breaks it.
   */
  wait(timeout: number | undefined, signal: AbortSignal | undefined, withAction: boolean): Promise<number>;
  waitSync(timeout: number | undefined, withAction: boolean): number;
  /** After `ACT`: the action ended (`ok`: without throwing); trips the round (this party's index) or breaks it. */
  finishAction(ok: boolean): Promise<number>;
  finishActionSync(ok: boolean): number;
  reset(): void;
  abort(): void;
  statistics(): BarrierStatistics;
}

export interface BarrierCores {
  create(owner: object, parties: number, timeout: number | undefined, withAction: boolean): BarrierCore;
}
