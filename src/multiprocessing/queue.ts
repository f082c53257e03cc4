/**
 * `Queue`: a first-in, first-out queue shared by every thread of every
 * process of the tree — Python's `multiprocessing.Queue`, with the API of
 * `weft/queue`'s `Queue` (less `taskDone`/`join`: see `JoinableQueue`), plus
 * `close()`.
 *
 * How it differs from the thread-scope queue: the items live in the hub
 * (the tree's broker thread, `backends/hub/queue.ts`), not in shared memory.
 * A child's puts to an unbounded queue gather in shared memory and reach the
 * hub in batches (Python's feeder thread, done by the process's link); a
 * child's get is answered with a batch *lent* to its process, whose threads
 * take the next items from shared memory, and the link asks for more before
 * they run out — so a stream between processes costs a message per batch,
 * not per item. Lent items stay in the queue until taken: `qsize()` counts
 * them, another process's get makes the lender give back what it has not
 * taken (a consumer that stops getting strands nothing), and a process that
 * exits or dies gives them back, in order. A child's put to a bounded
 * queue that finds room is answered with *room credit*: room the hub
 * reserves for its process, so that its next puts go one-way like an
 * unbounded queue's until it is used up (`backends/hub/queue-credits.ts`).
 * Reserved room counts against `maxsize`, so the bound always holds; an
 * idle producer's credit is recalled the moment another put finds no room
 * (waiting putters are served in order), and comes back when its process
 * exits or dies. `qsize()` and `full()` count items, as Python's do. A get
 * in the root process, and a root's put to a bounded queue, are a round trip each.
 *
 * How it differs from Python's `multiprocessing.Queue`, for the better:
 * - `put` serialises in the caller: an item that cannot cross throws
 *   `ERR_NOT_SERIALIZABLE` there, and nothing is enqueued (Python's feeder
 *   thread prints a traceback later and drops it);
 * - an item put is in the queue at once: `qsize()`, `empty()` and
 *   `getNowait()` agree (Python's `empty()` lags behind its `qsize()`);
 * - items are never lost when their producer exits right after putting, and
 *   a producer never waits at exit for a consumer to drain the queue (the
 *   hub holds the items: the "joining processes that use queues" deadlock
 *   of Python's docs cannot happen);
 * - a get waiting in a process that is killed takes nothing: the item goes
 *   to the next getter; a get that times out or is aborted takes nothing;
 *   items lent to a killed process and not taken go back to the head of the
 *   queue, in order (one taken in the last instant before a SIGKILL, before
 *   its link told the hub, comes back too: see `backends/hub/queue-lending.ts`);
 * - `shutdown()` (Python 3.13's `queue.Queue.shutdown`), and `for await`.
 *
 * Not guaranteed: items from different producers interleave in any order
 * (each producer's own items stay in order). A put on an unbounded queue
 * (or a bounded one's on credit) is sent without an answer, so a put that crosses another process's
 * `shutdown()` is dropped rather than throwing `ShutDown` (as if it had
 * come just before `shutdown({ immediate: true })`); once this wrapper has
 * seen the shutdown, its puts throw.
 *
 * @example
 * ```ts
 * import { Process, Queue } from 'weft/multiprocessing';
 * export function worker(results: Queue<number>, n: number) { results.putSync(n * n); }
 * if (isMain(import.meta)) {
 *   const results = new Queue<number>();
 *   const p = new Process({ target: worker, args: [results, 7] });
 *   p.start();
 *   console.log(await results.get()); // 49
 *   await p.join();
 * }
 * ```
 */
import { hubCreate } from '../backends/hub/client.js';
import type { QueueStatistics } from '../queue/queue.js';
import { QUEUE_KIND, type QueueStat } from '../backends/hub/queue.js';
import { kHandle, registerHandleKind, type Handle, type Shareable } from '../codec/handles.js';
import { invalidArg } from '../errors.js';
import { hubHandle } from '../backends/hub/hub-object.js';
import { attach, Attached } from '../sync/attach.js';
import type { SyncWaitOptions, WaitOptions } from '../runtime/options.js';
import { inspectSymbol } from '../runtime/owner.js';
import {
  getRemote,
  getRemoteNowait,
  getRemoteSync,
  iterateRemote,
  newRef,
  putRemote,
  putRemoteNowait,
  putRemoteSync,
  shutdownRemote,
  statRemote,
  type QueueRef,
} from './queue-operations.js';

/** What a process-scope queue's handle carries: the hub object's id and the bound. */
export interface QueueHandleData {
  readonly id: number;
  readonly maxsize: number;
}

/** The same snapshot as a thread-scope queue's; waiting calls are counted in every process. */
export type { QueueStatistics };

/** The largest `maxsize`. */
const MAX_MAXSIZE = 2 ** 31 - 1;

/** Makes the wrapper's reference: a new queue in the hub, or the one a handle names. */
function queueRef(maxsize: number | Attached<QueueHandleData>, owner: object): QueueRef {
  if (maxsize instanceof Attached) {
    const { id, maxsize: bound } = maxsize.core;
    return newRef(id, bound);
  }
  if (!Number.isInteger(maxsize) || maxsize < 0 || maxsize > MAX_MAXSIZE) {
    throw invalidArg(`queue: maxsize must be a whole number from 0 (no limit) to ${MAX_MAXSIZE}, got ${String(maxsize)}`);
  }
  return newRef(hubCreate(QUEUE_KIND, [maxsize], owner), maxsize);
}

/** Rebuilds a wrapper of class `Class` over the queue `data` names. */
export function attachQueue<Q>(Class: new () => Q, data: QueueHandleData): Q {
  return attach(Class, data);
}

export function statisticsOf(stat: QueueStat): QueueStatistics {
  const { size, maxsize, unfinished, getters, putters, joiners, mode } = stat;
  return Object.freeze({ size, maxsize, unfinished, getters, putters, joiners, shutdown: mode === 'open' ? 'no' : mode === 'shutdown' ? 'yes' : 'immediate' });
}

/**
 * A FIFO queue shared by the processes of the tree: Python's `multiprocessing.Queue`.
 * Pass it to a `Process` or `Thread` as an argument: the other side gets the same queue.
 *
 * @example
 * ```ts
 * import { Process, Queue } from 'weft/multiprocessing';
 * export function worker(results: Queue<number>, n: number) { results.putSync(n * n); }
 * if (isMain(import.meta)) {
 *   const results = new Queue<number>();
 *   new Process({ target: worker, args: [results, 7] }).start();
 *   console.log(await results.get()); // 49
 * }
 * ```
 */
export class Queue<T = unknown> implements Shareable, AsyncIterable<T> {
  /** @internal */
  protected readonly ref: QueueRef;

  /** @param maxsize the most items it holds; 0 (default) for no limit. */
  constructor(maxsize?: number);
  constructor(maxsize: number | Attached<QueueHandleData> = 0) {
    this.ref = queueRef(maxsize, this);
    this.ref.owner = this;
  }

  /** The most items the queue holds (0: no limit). */
  get maxsize(): number {
    return this.ref.maxsize;
  }

  /** Puts an item, waiting while the queue is full. Rejects with `Full` on timeout, `ShutDown` after shutdown, `ERR_QUEUE_CLOSED` after `close()`. */
  put(item: T, options?: WaitOptions): Promise<void> {
    return putRemote(this.ref, item, options);
  }

  /** As `put`, blocking the calling thread while it waits. */
  putSync(item: T, options?: SyncWaitOptions): void {
    putRemoteSync(this.ref, item, options);
  }

  /** Puts an item if there is room; throws `Full` (carrying the item) if not. */
  putNowait(item: T): void {
    putRemoteNowait(this.ref, item);
  }

  /** Takes the next item, waiting while the queue is empty. Rejects with `Empty` on timeout, `ShutDown` once shut down and drained. */
  async get(options?: WaitOptions): Promise<T> {
    return (await getRemote(this.ref, options)) as T;
  }

  /** As `get`, blocking the calling thread while it waits. */
  getSync(options?: SyncWaitOptions): T {
    return getRemoteSync(this.ref, options) as T;
  }

  /** Takes the next item if there is one; throws `Empty` if not. */
  getNowait(): T {
    return getRemoteNowait(this.ref) as T;
  }

  /** Items in the queue now, lent ones not yet taken included (one round trip to the hub). */
  qsize(): number {
    return statRemote(this.ref).size;
  }

  empty(): boolean {
    return this.qsize() === 0;
  }

  /** True when a bounded queue holds `maxsize` items. */
  full(): boolean {
    return this.ref.maxsize > 0 && this.qsize() >= this.ref.maxsize;
  }

  /**
   * Says that this wrapper will put no more (Python's `close()`): its puts
   * and gets throw `ERR_QUEUE_CLOSED` from now on. The queue itself stays
   * open for every other wrapper — other processes, other threads — and
   * what this one put is delivered (nothing needs flushing: see the header).
   * Idempotent.
   */
  close(): void {
    this.ref.closed = true;
  }

  /** Python's `join_thread()`: nothing to wait for, since puts never sit in a local buffer. Kept for ported code. */
  joinThread(): void {}

  /** Python's `cancel_join_thread()`: a no-op, for the same reason. */
  cancelJoinThread(): void {}

  /**
   * Shuts the queue down for every process (Python 3.13): puts throw
   * `ShutDown` from now on (waiting ones too); gets return what is left
   * and then throw `ShutDown`. With `immediate`, the items left are
   * discarded and gets throw at once. It cannot be undone.
   */
  shutdown(options?: { immediate?: boolean }): void {
    shutdownRemote(this.ref, options);
  }

  /** Yields items as they come, until the queue is shut down and drained. */
  [Symbol.asyncIterator](): AsyncGenerator<T, void, undefined> {
    return iterateRemote<T>(this.ref);
  }

  /** A snapshot of the queue's state in the hub (one round trip). */
  statistics(): QueueStatistics {
    return statisticsOf(statRemote(this.ref));
  }

  [kHandle](): Handle {
    const data: QueueHandleData = { id: this.ref.id, maxsize: this.ref.maxsize };
    return hubHandle('multiprocessing.Queue', data);
  }

  [inspectSymbol](): string {
    const { maxsize, id } = this.ref;
    return `<${this.constructor.name} #${id}${maxsize > 0 ? ` maxsize=${maxsize}` : ''}${this.ref.closed ? ' closed' : ''}>`;
  }

  toString(): string {
    return this[inspectSymbol]();
  }
}

registerHandleKind<QueueHandleData>('multiprocessing.Queue', (data) => attachQueue(Queue, data));
