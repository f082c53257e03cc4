/**
 * The hub's end of tracing: a `weft.trace` object that relays the batches
 * of another process to the root's main thread. The hub is a worker thread
 * of the root, so it posts them on the root's own trace channel, where the
 * root's collector reads them like those of its own threads.
 *
 * | op       | args      | answer                                           |
 * |----------|-----------|--------------------------------------------------|
 * | `events` | a `Batch` | undefined (sent one-way)                         |
 * | `sync`   | —         | undefined, once every earlier `events` is relayed |
 * | `flush`  | —         | undefined, once the hub's own events are relayed (the root asks before it writes) |
 *
 * `sync` is what makes a child's exit lose nothing: the hub handles a
 * connection's frames in order, so when `sync` is answered every batch sent
 * before it is already in the root's queue — before the child has exited,
 * hence before the root can see it gone.
 */
import { ErrorCode } from '../../errors.js';
import { registerHubKind, type HubCall, type HubObject } from './call.js';
import type { Batch } from '../../trace/events.js';
import { flushRecorder, postToMain } from '../../trace/recorder.js';
import type { OpName } from './ops.js';

export const TRACE_KIND = 'weft.trace';

class TraceSink implements HubObject {
  call(op: OpName<'weft.trace'>, call: HubCall): void {
    switch (op) {
      case 'events':
        postToMain(call.args[0] as Batch);
        return call.reply();
      case 'sync':
        return call.reply();
      case 'flush':
        // The hub records too (the depth of process-scope queues), and never ends to flush at its end.
        flushRecorder();
        return call.reply();
      default:
        return call.fail(ErrorCode.InvalidArg, `hub: a trace sink has no op '${op}'`);
    }
  }

  callerGone(): void {
    // Nothing is held for anyone.
  }
}

registerHubKind(TRACE_KIND, () => new TraceSink());
