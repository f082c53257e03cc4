/**
 * Recording for process-scope objects (`weft/multiprocessing`): they are
 * named by their id in the hub, which the whole tree shares, and their
 * class code carries `PROCESS_SCOPE`. Every operation on them is a message
 * to the hub, so an acquire is always recorded as requested, then acquired:
 * the wait between is the round trip, or longer if the object was taken.
 */
import { PROCESS_SCOPE } from './events.js';
import { record } from './recorder.js';

/**
 * Records an event of the process-scope object `id` of class `cls`. Call it under `if (tracing)`.
 *
 * @example
 * ```ts
 * if (tracing) traceRemote(Op.Request, Cls.Lock, this.#id, 0);
 * ```
 */
export function traceRemote(op: number, cls: number, id: number, value: number): void {
  record(op, cls | PROCESS_SCOPE, id, value);
}
