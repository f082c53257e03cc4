/**
 * What traced code imports: the switch and the recorder, and — by importing
 * this module — the root's session, so that a root started with
 * `WEFT_TRACE` records from its first traced operation, whichever weft
 * module it loaded.
 *
 * @example
 * ```ts
 * import { Cls, Op, record, traceIdOf, tracing } from '../trace/tracing.js';
 * if (tracing) record(Op.Released, Cls.Lock, traceIdOf(words, LockWord.TraceId), 1);
 * ```
 */
export { tracing } from './switch.js';
export { admitHold, record } from './recorder.js';
export { traceIdOf } from './object-id.js';
export { Cls, Op, PROCESS_SCOPE } from './events.js';
import './session.js';
export { traceRemote } from './remote.js';
