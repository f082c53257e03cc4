/**
 * `PriorityQueue`: a queue shared by threads that yields the item of lowest
 * priority first — Python's `queue.PriorityQueue`. Items are
 * `[priority, value]` pairs with a number, bigint or string priority; among
 * equal priorities, the first put comes out first (Python compares the
 * values instead, and fails on values that do not compare). Its items are a
 * binary heap under a lock (`priority-items.ts`).
 *
 * @example
 * ```ts
 * const todo = new PriorityQueue<[number, string]>();
 * todo.putNowait([2, 'later']);
 * todo.putNowait([1, 'first']);
 * todo.getNowait(); // [1, 'first']
 * ```
 */
import { QueueKind } from '../backends/atomics/queue.js';
import { PriorityItems, type Priority } from '../backends/atomics/priority-items.js';
import { registerHandleKind } from '../codec/handles.js';
import { invalidArg } from '../errors.js';
import { kAttach } from '../sync/lock-protocol.js';
import type { PriorityOf } from './operations.js';
import { Queue, kQueueKind } from './queue.js';

/**
 * A queue shared by threads that yields the lowest priority first: Python's
 * `queue.PriorityQueue`. Items are `[priority, value]`; equal priorities come
 * out in the order they went in.
 *
 * @example
 * ```ts
 * const todo = new PriorityQueue<[number, string]>();
 * todo.putNowait([2, 'later']);
 * todo.putNowait([1, 'first']);
 * todo.getNowait(); // [1, 'first']
 * ```
 */
export class PriorityQueue<T extends readonly [Priority, ...unknown[]] = [Priority, unknown]> extends Queue<T> {
  static override readonly [kQueueKind] = QueueKind.Priority;

  protected override get priorityOf(): PriorityOf {
    return priorityOf;
  }
}

function priorityOf(item: unknown): Priority {
  if (!Array.isArray(item) || item.length === 0) {
    throw invalidArg('queue: a PriorityQueue item is an array [priority, value]', 'type');
  }
  const priority: unknown = item[0];
  PriorityItems.check(priority);
  return priority;
}

registerHandleKind<SharedArrayBuffer>('queue.PriorityQueue', (buffer) => PriorityQueue[kAttach](buffer));
