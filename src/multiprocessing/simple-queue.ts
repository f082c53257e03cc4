/**
 * `SimpleQueue`: an unbounded FIFO queue shared by the processes of the tree,
 * with no task accounting and no shutdown — Python's
 * `multiprocessing.SimpleQueue`. `put` never waits: nothing answers it (a
 * child's puts reach the hub in batches); a child's `get` is lent a batch
 * that its threads then take from shared memory (see `Queue`).
 *
 * How it differs from the thread-scope `SimpleQueue`: items live in the hub
 * (`backends/hub/queue.ts`), and every call is a message to it. From
 * Python's: `put` never blocks its caller (Python's writes the pipe and
 * blocks while it is full), `get` takes a timeout, and an item that cannot
 * cross throws `ERR_NOT_SERIALIZABLE` in `put`.
 *
 * @example
 * ```ts
 * const results = new SimpleQueue<string>();
 * // in a child process: results.put('done');
 * await results.get(); // 'done'
 * ```
 */
import { hubCreate } from '../backends/hub/client.js';
import { QUEUE_KIND } from '../backends/hub/queue.js';
import { kHandle, registerHandleKind, type Handle, type Shareable } from '../codec/handles.js';
import type { SyncWaitOptions, WaitOptions } from '../runtime/options.js';
import { inspectSymbol } from '../runtime/owner.js';
import { hubHandle } from '../backends/hub/hub-object.js';
import { attach, Attached } from '../sync/attach.js';
import { getRemote, getRemoteNowait, getRemoteSync, newRef, putRemoteSync, statRemote, type QueueRef } from './queue-operations.js';

/**
 * An unbounded FIFO queue shared by the processes of the tree:
 * Python's `multiprocessing.SimpleQueue`. `put` never waits; `get` takes a
 * timeout.
 *
 * @example
 * ```ts
 * const results = new SimpleQueue<string>();
 * // in a child process: results.put('done');
 * await results.get(); // 'done'
 * ```
 */
export class SimpleQueue<T = unknown> implements Shareable {
  readonly #ref: QueueRef;

  constructor();
  constructor(attached?: Attached<number>) {
    const id = attached instanceof Attached ? attached.core : hubCreate(QUEUE_KIND, [0], this);
    this.#ref = newRef(id, 0);
  }

  /** Puts an item; never waits (the queue has no bound). */
  async put(item: T): Promise<void> {
    putRemoteSync(this.#ref, item, undefined);
  }

  /** Puts an item; never waits. */
  putSync(item: T): void {
    putRemoteSync(this.#ref, item, undefined);
  }

  /** Puts an item; never waits (the same as `putSync`). */
  putNowait(item: T): void {
    putRemoteSync(this.#ref, item, undefined);
  }

  async get(options?: WaitOptions): Promise<T> {
    return (await getRemote(this.#ref, options)) as T;
  }

  getSync(options?: SyncWaitOptions): T {
    return getRemoteSync(this.#ref, options) as T;
  }

  getNowait(): T {
    return getRemoteNowait(this.#ref) as T;
  }

  /** Items in the queue now (one round trip to the hub). */
  qsize(): number {
    return statRemote(this.#ref).size;
  }

  empty(): boolean {
    return this.qsize() === 0;
  }

  /** Python's `close()`: this wrapper's puts and gets throw `ERR_QUEUE_CLOSED` from now on. Idempotent. */
  close(): void {
    this.#ref.closed = true;
  }

  [kHandle](): Handle {
    return hubHandle('multiprocessing.SimpleQueue', { id: this.#ref.id });
  }

  [inspectSymbol](): string {
    return `<SimpleQueue #${this.#ref.id}${this.#ref.closed ? ' closed' : ''}>`;
  }

  toString(): string {
    return this[inspectSymbol]();
  }
}

registerHandleKind<{ id: number }>('multiprocessing.SimpleQueue', ({ id }) => attach(SimpleQueue, id));
