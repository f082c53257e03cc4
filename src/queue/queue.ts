/**
 * `Queue`: a first-in, first-out queue shared by threads — Python's
 * `queue.Queue`, in shared memory rather than behind a message port, so an
 * item moves between threads at memory speed.
 *
 * Any number of threads put and get; each item is delivered exactly once,
 * in order. `maxsize` bounds the number of items (0: unbounded — the
 * queue's shared memory grows as needed, up to 4 GiB). Items are copied
 * (numbers, strings, plain objects and arrays, Map, Set, Date, bigint, typed
 * arrays… as structured clone copies them); weft objects are refused — pass
 * those to threads as arguments.
 *
 * Every way to wait is here: `put`/`get` (async, never block the event
 * loop), `putSync`/`getSync` (block the thread), `putNowait`/`getNowait`
 * (never wait: `Full`/`Empty`), with a timeout and, for the async forms, an
 * `AbortSignal` — an aborted put adds nothing, an aborted get takes nothing.
 * `taskDone`/`join` count finished work (and `join` takes a timeout, which
 * Python's does not); `shutdown` is Python 3.13's, and `for await … of`
 * ends at it. `qsize()`, `empty()` and `full()` agree with each other and
 * with `getNowait()`: an item put is counted, and got, at once.
 *
 * The state is in `backends/atomics/queue.ts`; the order of items in
 * `fifo-items.ts`.
 */
import { QueueKind, QueueMode, QueueState } from '../backends/atomics/queue.js';
import { runAsync, runSync } from '../backends/atomics/parking.js';
import { runtime, currentToken } from '../backends/atomics/runtime.js';
import { kHandle, registerHandleKind, type Handle, type Shareable } from '../codec/handles.js';
import { Deadline } from '../internal/deadline.js';
import { ErrorCode, ShutDown, invalidArg, misuse } from '../errors.js';
import { kAttach, kWaitingWord } from '../sync/lock-protocol.js';
import { attach, Attached } from '../sync/attach.js';
import { checkSyncWaitOptions, checkWaitOptions, type SyncWaitOptions, type WaitOptions } from '../runtime/options.js';
import { inspectSymbol } from '../runtime/owner.js';
import { getItem, getItemNowait, getItemSync, putItem, putItemNowait, putItemSync, type PriorityOf } from './operations.js';

export interface QueueStatistics {
  /** Items in the queue. */
  readonly size: number;
  readonly maxsize: number;
  /** Items put and not yet marked done with `taskDone()`. */
  readonly unfinished: number;
  /** Calls sleeping in get, put and join. */
  readonly getters: number;
  readonly putters: number;
  readonly joiners: number;
  readonly shutdown: 'no' | 'yes' | 'immediate';
}

/** Which kind of queue a class makes (`LifoQueue`, `PriorityQueue` set their own). */
export const kQueueKind = Symbol.for('weft.queueKind');

/** The largest `maxsize`. */
const MAX_MAXSIZE = 2 ** 31 - 1;


/** Handle kind by queue kind: the class that rebuilds it in another thread. */
const HANDLE_KINDS: Readonly<Record<QueueKind, string>> = {
  [QueueKind.Fifo]: 'queue.Queue',
  [QueueKind.Lifo]: 'queue.LifoQueue',
  [QueueKind.Priority]: 'queue.PriorityQueue',
};

/**
 * A FIFO queue shared by threads: Python's `queue.Queue`.
 *
 * @example
 * ```ts
 * const jobs = new Queue<number>(100);
 * // producer thread:  for (const n of work) await jobs.put(n); jobs.shutdown();
 * // consumer thread:  for await (const n of jobs) handle(n);
 * ```
 */
export class Queue<T = unknown> implements Shareable, AsyncIterable<T> {
  static readonly [kQueueKind]: QueueKind = QueueKind.Fifo;
  readonly #state: QueueState;

  /** @param maxsize the most items it holds; 0 (default) for no limit. */
  constructor(maxsize?: number);
  constructor(maxsize: number | Attached<SharedArrayBuffer> = 0) {
    if (maxsize instanceof Attached) {
      this.#state = new QueueState(maxsize.core, runtime().arena);
      return;
    }
    if (!Number.isInteger(maxsize) || maxsize < 0 || maxsize > MAX_MAXSIZE) {
      throw invalidArg(`queue: maxsize must be a whole number from 0 (no limit) to ${MAX_MAXSIZE}, got ${String(maxsize)}`);
    }
    const kind = (new.target as unknown as { [kQueueKind]: QueueKind })[kQueueKind];
    this.#state = new QueueState(QueueState.allocate(kind, maxsize), runtime().arena);
  }

  /** How a subclass finds an item's priority (PriorityQueue). */
  protected get priorityOf(): PriorityOf {
    return undefined;
  }

  /** The most items the queue holds (0: no limit). */
  get maxsize(): number {
    return this.#state.maxsize;
  }

  /** Puts an item, waiting while the queue is full. Rejects with `Full` on timeout, `ShutDown` after shutdown. */
  put(item: T, options?: WaitOptions): Promise<void> {
    return putItem(this.#state, item, this.priorityOf, options);
  }

  /** As `put`, blocking the calling thread while it waits. */
  putSync(item: T, options?: SyncWaitOptions): void {
    putItemSync(this.#state, item, this.priorityOf, options);
  }

  /** Puts an item if there is room; throws `Full` (carrying the item) if not. */
  putNowait(item: T): void {
    putItemNowait(this.#state, item, this.priorityOf);
  }

  /** Takes the next item, waiting while the queue is empty. Rejects with `Empty` on timeout, `ShutDown` once shut down and drained. */
  async get(options?: WaitOptions): Promise<T> {
    return (await getItem(this.#state, options)) as T;
  }

  /** As `get`, blocking the calling thread while it waits. */
  getSync(options?: SyncWaitOptions): T {
    return getItemSync(this.#state, options) as T;
  }

  /** Takes the next item if there is one; throws `Empty` if not. */
  getNowait(): T {
    return getItemNowait(this.#state) as T;
  }

  /** Items in the queue now. */
  qsize(): number {
    return this.#state.size();
  }

  empty(): boolean {
    return this.#state.size() === 0;
  }

  /** True when a bounded queue holds `maxsize` items. */
  full(): boolean {
    return this.#state.maxsize > 0 && this.#state.size() >= this.#state.maxsize;
  }

  /**
   * Marks one item got earlier as processed (Python's `task_done`). When
   * every item put has been marked, `join()` returns. `ERR_TASK_DONE_TOO_MANY`
   * if called more times than items were put.
   */
  taskDone(): void {
    if (this.#state.taskDone() === 'too-many') {
      throw misuse(ErrorCode.TaskDoneTooMany, 'queue: taskDone() called more times than items were put');
    }
  }

  /** Waits until every item put has been marked done. Resolves false if `timeout` ms pass first. */
  async join(options?: WaitOptions): Promise<boolean> {
    const { timeout, signal } = checkWaitOptions(options);
    signal?.throwIfAborted();
    if (this.#state.unfinished() === 0) return true;
    if (timeout === 0) return false;
    return runAsync(this.#state.joinSteps(currentToken(), Deadline.after(timeout)), signal);
  }

  /** As `join`, blocking the calling thread. */
  joinSync(options?: SyncWaitOptions): boolean {
    const { timeout } = checkSyncWaitOptions(options);
    if (this.#state.unfinished() === 0) return true;
    if (timeout === 0) return false;
    return runSync(this.#state.joinSteps(currentToken(), Deadline.after(timeout)));
  }

  /**
   * Shuts the queue down (Python 3.13): puts throw `ShutDown` from now on
   * (waiting ones too); gets return what is left and then throw `ShutDown`.
   * With `immediate`, the items left are discarded (and counted done for
   * `join`) and gets throw at once. It cannot be undone.
   */
  shutdown(options?: { immediate?: boolean }): void {
    if (options !== undefined && (typeof options !== 'object' || options === null)) {
      throw invalidArg('queue: shutdown takes { immediate?: boolean }', 'type');
    }
    this.#state.shutdown(options?.immediate === true);
  }

  /** Yields items as they come, until the queue is shut down and drained. */
  async *[Symbol.asyncIterator](): AsyncGenerator<T, void, undefined> {
    for (;;) {
      let item: T;
      try {
        item = await this.get();
      } catch (error) {
        if (error instanceof ShutDown) return;
        throw error;
      }
      yield item;
    }
  }

  statistics(): QueueStatistics {
    const { getters, putters, joiners } = this.#state.sleepers();
    const mode = this.#state.mode;
    return Object.freeze({
      size: this.#state.size(),
      maxsize: this.#state.maxsize,
      unfinished: this.#state.unfinished(),
      getters,
      putters,
      joiners,
      shutdown: mode === QueueMode.Open ? 'no' : mode === QueueMode.ShutDown ? 'yes' : 'immediate',
    });
  }

  get [kWaitingWord](): [Int32Array, number] {
    return [this.#state.words, this.#state.waitingWord];
  }

  [kHandle](): Handle {
    return { kind: HANDLE_KINDS[this.#state.kind], scope: 'thread', data: this.#state.buffer };
  }

  [inspectSymbol](): string {
    const { size, maxsize, shutdown } = this.statistics();
    return `<${this.constructor.name} size=${size}${maxsize > 0 ? `/${maxsize}` : ''}${shutdown === 'no' ? '' : ' shut down'}>`;
  }

  toString(): string {
    return this[inspectSymbol]();
  }

  static [kAttach](buffer: SharedArrayBuffer): Queue<unknown> {
    return attach(this, buffer);
  }
}

registerHandleKind<SharedArrayBuffer>('queue.Queue', (buffer) => Queue[kAttach](buffer));
