/**
 * A task on its way through a pool, as the pool's engine tracks it.
 *
 * | state    | meaning                                                        |
 * |----------|----------------------------------------------------------------|
 * | queued   | waiting in the pool for a worker                               |
 * | sent     | in a worker's channel; the worker has not started it yet       |
 * | started  | the worker said `Started`; its timeout (if any) runs from here |
 * | settled  | its caller has the outcome (result, error, timeout, abort…)    |
 *
 * queued → sent → started → settled; any state → settled when the caller
 * gives up (timeout, abort, the pool ends). A settled task may still be in a
 * worker (it timed out there): its late result is dropped.
 */
import type { TaskArgs } from './messages.js';

export interface TaskOutcome {
  /** Called once with the outcome; must not throw. */
  settle(ok: boolean, value: unknown): void;
  /**
   * Called when a worker is about to be given the task; false means the
   * caller cancelled it meanwhile (a Future), and it is dropped.
   */
  claim?(): boolean;
  /** Called instead of `settle` when the pool cancels the task before it ran (shutdown's cancelFutures). */
  cancel?(): void;
}

export class PoolTask {
  state: 'queued' | 'sent' | 'started' | 'settled' = 'queued';
  /** When it was submitted / started, on the `performance.now()` clock. */
  readonly submittedAt = performance.now();
  startedAt = 0;
  /** Timer of its timeout, or of the grace period after an abort. */
  timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    readonly id: number,
    readonly fnId: number,
    readonly flags: number,
    readonly args: TaskArgs,
    readonly timeout: number | undefined,
    readonly signal: AbortSignal | undefined,
    readonly outcome: TaskOutcome,
  ) {}

  get settled(): boolean {
    return this.state === 'settled';
  }
}
