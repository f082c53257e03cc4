/**
 * `SimpleQueue`: an unbounded FIFO queue shared by threads, with no task
 * accounting and no shutdown — Python's `queue.SimpleQueue`. `put` never
 * waits. The same lock-free items as `Queue` (`fifo-items.ts`).
 *
 * @example
 * ```ts
 * const results = new SimpleQueue<string>();
 * results.put('done');
 * await results.get(); // 'done'
 * ```
 */
import { QueueKind, QueueState } from '../backends/atomics/queue.js';
import { runtime } from '../backends/atomics/runtime.js';
import { kHandle, registerHandleKind, type Handle, type Shareable } from '../codec/handles.js';
import { kAttach, kWaitingWord } from '../sync/lock-protocol.js';
import { attach, Attached } from '../sync/attach.js';
import type { SyncWaitOptions, WaitOptions } from '../runtime/options.js';
import { inspectSymbol } from '../runtime/owner.js';
import { getItem, getItemNowait, getItemSync, putItemNowait } from './operations.js';


/**
 * An unbounded FIFO queue shared by threads, without task accounting or
 * shutdown: Python's `queue.SimpleQueue`. `put` never waits.
 *
 * @example
 * ```ts
 * const results = new SimpleQueue<string>();
 * results.put('done');
 * await results.get(); // 'done'
 * ```
 */
export class SimpleQueue<T = unknown> implements Shareable {
  readonly #state: QueueState;

  constructor();
  constructor(attached?: Attached<SharedArrayBuffer>) {
    const buffer = attached instanceof Attached ? attached.core : QueueState.allocate(QueueKind.Fifo, 0);
    this.#state = new QueueState(buffer, runtime().arena);
  }

  /** Puts an item; never waits (the queue has no bound). Resolves at once. */
  async put(item: T): Promise<void> {
    putItemNowait(this.#state, item, undefined);
  }

  /** Puts an item; never waits. */
  putSync(item: T): void {
    putItemNowait(this.#state, item, undefined);
  }

  /** Puts an item; never waits (the same as `putSync`, Python's `put_nowait`). */
  putNowait(item: T): void {
    putItemNowait(this.#state, item, undefined);
  }

  async get(options?: WaitOptions): Promise<T> {
    return (await getItem(this.#state, options)) as T;
  }

  getSync(options?: SyncWaitOptions): T {
    return getItemSync(this.#state, options) as T;
  }

  getNowait(): T {
    return getItemNowait(this.#state) as T;
  }

  qsize(): number {
    return this.#state.size();
  }

  empty(): boolean {
    return this.#state.size() === 0;
  }

  get [kWaitingWord](): [Int32Array, number] {
    return [this.#state.words, this.#state.waitingWord];
  }

  [kHandle](): Handle {
    return { kind: 'queue.SimpleQueue', scope: 'thread', data: this.#state.buffer };
  }

  [inspectSymbol](): string {
    return `<SimpleQueue size=${this.qsize()}>`;
  }

  toString(): string {
    return this[inspectSymbol]();
  }

  static [kAttach](buffer: SharedArrayBuffer): SimpleQueue<unknown> {
    return attach(this, buffer);
  }
}

registerHandleKind<SharedArrayBuffer>('queue.SimpleQueue', (buffer) => SimpleQueue[kAttach](buffer));
