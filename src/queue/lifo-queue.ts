/**
 * `LifoQueue`: a last-in, first-out queue shared by threads — Python's
 * `queue.LifoQueue`. The same API as `Queue`; the item got is the one put
 * most recently. Its items are a stack under a lock (`lifo-items.ts`).
 *
 * @example
 * ```ts
 * const stack = new LifoQueue<number>();
 * stack.putNowait(1);
 * stack.putNowait(2);
 * stack.getNowait(); // 2
 * ```
 */
import { QueueKind } from '../backends/atomics/queue.js';
import { registerHandleKind } from '../codec/handles.js';
import { kAttach } from '../sync/lock-protocol.js';
import { Queue, kQueueKind } from './queue.js';

/**
 * A last-in, first-out queue shared by threads: Python's `queue.LifoQueue`,
 * with the API of `Queue`.
 *
 * @example
 * ```ts
 * const stack = new LifoQueue<number>();
 * stack.putNowait(1);
 * stack.putNowait(2);
 * stack.getNowait(); // 2
 * ```
 */
export class LifoQueue<T = unknown> extends Queue<T> {
  static override readonly [kQueueKind] = QueueKind.Lifo;
}

registerHandleKind<SharedArrayBuffer>('queue.LifoQueue', (buffer) => LifoQueue[kAttach](buffer));
