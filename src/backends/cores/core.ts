/**
 * What every core offers, whatever its primitive: a core is where a public
 * primitive's state lives (shared memory for the thread scope, the hub for
 * the process scope), behind the small interface of its primitive
 * (`cores/event.ts`, `cores/semaphore.ts`, …). The public classes in
 * `sync/` hold the semantics, checks and errors; cores hold only state.
 */
import type { Handle } from '../../codec/handles.js';

export interface Core {
  /** A handle naming this core's state, for one journey (a hub core lends a reference per call). */
  handle(): Handle;
  /** The object's id in the hub (process scope); undefined for other scopes. */
  readonly hubId: number | undefined;
  /** `[words, index]` of the word counting the waiters (thread scope, for weft/testing); undefined for other scopes. */
  readonly waitingWord: [Int32Array, number] | undefined;
  /** Records one trace event of this object (call it under `if (tracing)`). */
  trace(op: number, cls: number, value: number): void;
}
