/**
 * `Pool` and `ThreadPool`: Python's `multiprocessing.Pool` and
 * `multiprocessing.pool.ThreadPool`, over worker processes and worker
 * threads. Both are this one class over the engine (`engine.ts`); only the
 * kind of worker differs.
 *
 * Task arguments and results are copied, except weft objects, which are
 * shared: a ThreadPool's tasks take thread-scope ones too (their buffers
 * travel beside the task, `shared-buffers.ts`); a Pool's refuse them with
 * `ERR_WRONG_SCOPE`, since their memory cannot reach another process.
 *
 * Differences from Python, each on purpose:
 * - Everything that waits returns a Promise; `map` results come back as an
 *   array, `imap`/`imapUnordered` as async iterables that pull their input
 *   lazily (bounded read-ahead: an endless input iterable is fine).
 * - A worker that dies mid-task fails that task with `BrokenPoolError` and is
 *   replaced; Python's Pool hangs (cpython#66587).
 * - Per-task `timeout` (from the task's start) and `signal`.
 * - `terminate()` fails the outstanding tasks with `CancelledError` instead
 *   of leaving their results forever unready.
 * - `map` without `chunksize` picks one as Python does (a few chunks per
 *   worker), so mapping a million tiny items costs a few dozen messages.
 */
import { ErrorCode, invalidArg, misuse } from '../errors.js';
import { AsyncResult, kSettle, type AsyncResultCallbacks } from './async-result.js';
import { withAwaitSite } from './await-site.js';
import { AsyncResultOutcome, PromiseOutcome } from './outcomes.js';
import { PoolEngine } from './engine.js';
import { TaskFlag } from './messages.js';
import { checkPoolOptions, checkPositiveInteger, checkTaskOptions, cpus, type TaskOptions } from './pool-options.js';
import type { PoolStatistics } from './statistics.js';
import type { WorkerKind } from './worker-slot.js';

export interface PoolOptions {
  /** Number of workers; default `cpuCount()`. */
  processes?: number;
  /** Exported function each worker runs once, before any task. */
  initializer?: Function;
  /** Its arguments; weft objects among them are shared with every worker (a Lock for all): any scope for ThreadPool, process scope for Pool. */
  initargs?: unknown[];
  /** Replace a worker after it has been given this many tasks. */
  maxTasksPerChild?: number;
  /** How long a task told to abort (timeout, signal) may take to stop before its worker is replaced. Default 1000 ms. */
  gracePeriod?: number;
}

export interface MapOptions extends TaskOptions {
  /** Items per task. `map`: picked from the input's length when omitted; `imap`: 1. */
  chunksize?: number;
}

export type ApplyAsyncOptions<R> = TaskOptions & AsyncResultCallbacks<R>;
export type MapAsyncOptions<R> = MapOptions & AsyncResultCallbacks<R>;

class BasePool {
  readonly #engine: PoolEngine;
  readonly #api: string;

  protected constructor(kind: WorkerKind, api: string, options: PoolOptions | undefined) {
    this.#api = api;
    const checked = checkPoolOptions(options, 'processes', cpus(), api);
    let counter = 0;
    this.#engine = new PoolEngine({
      ...checked,
      kind,
      onWorkerDeath: 'replace',
      eager: true,
      workerName: kind === 'process' ? () => `SpawnPoolWorker-${++counter}` : () => `Thread-${++counter} (worker)`,
      api,
    });
  }

  /**
   * Runs `fn(...args)` in a worker and resolves with its result (Python's
   * `apply`, without blocking the caller).
   *
   * @example
   * ```ts
   * const sum = await pool.apply(add, [1, 2]); // 3
   * ```
   */
  async apply<A extends unknown[], R>(fn: (...args: A) => R, args?: A, options?: TaskOptions): Promise<Awaited<R>> {
    const task = checkTaskOptions(options, this.#api);
    const callArgs = this.#checkArgs(args);
    task.signal?.throwIfAborted();
    // A plain promise, not an AsyncResult: apply is the hot path of a burst of small tasks.
    const outcome = new Promise<Awaited<R>>((resolve, reject) => {
      this.#engine.submit(fn, callArgs, new PromiseOutcome(resolve, reject), task);
    });
    try {
      return await outcome;
    } catch (error) {
      throw withAwaitSite(error);
    }
  }

  /**
   * Starts `fn(...args)` in a worker; the AsyncResult holds its outcome,
   * and `callback`/`errorCallback` are called with it.
   *
   * @example
   * ```ts
   * const result = pool.applyAsync(add, [1, 2], { callback: (sum) => console.log(sum) });
   * await result.wait();
   * ```
   */
  applyAsync<A extends unknown[], R>(fn: (...args: A) => R, args?: A, options?: ApplyAsyncOptions<Awaited<R>>): AsyncResult<Awaited<R>> {
    const task = checkTaskOptions(options, this.#api);
    const callArgs = this.#checkArgs(args);
    const result = new AsyncResult<Awaited<R>>({ callback: options?.callback, errorCallback: options?.errorCallback });
    if (this.#settledByAbort(result, task.signal)) return result;
    this.#engine.submit(fn, callArgs, new AsyncResultOutcome(result), task);
    return result;
  }

  /**
   * `fn` over every item, in parallel, results in input order (Python's
   * `map`). The items are sent in chunks of `chunksize`; the first error
   * rejects the whole call.
   *
   * @example
   * ```ts
   * const squares = await pool.map(square, [1, 2, 3]); // [1, 4, 9]
   * ```
   */
  async map<T, R>(fn: (item: T) => R, items: Iterable<T>, options?: MapOptions): Promise<Awaited<R>[]> {
    try {
      return await this.mapAsync(fn, items, options).get();
    } catch (error) {
      throw withAwaitSite(error);
    }
  }

  /**
   * `map` as an AsyncResult, with callbacks.
   *
   * @example
   * ```ts
   * const result = pool.mapAsync(square, [1, 2, 3], { callback: (all) => console.log(all) });
   * await result.wait();
   * ```
   */
  mapAsync<T, R>(fn: (item: T) => R, items: Iterable<T>, options?: MapAsyncOptions<Awaited<R>[]>): AsyncResult<Awaited<R>[]> {
    return this.#mapAll(fn, items, options, 0);
  }

  /**
   * Like `map`, with each item an argument list: `starmap(add, [[1, 2], [3, 4]])` gives `[3, 7]`.
   *
   * @example
   * ```ts
   * const sums = await pool.starmap(add, [[1, 2], [3, 4]]); // [3, 7]
   * ```
   */
  async starmap<A extends unknown[], R>(fn: (...args: A) => R, argsList: Iterable<A>, options?: MapOptions): Promise<Awaited<R>[]> {
    try {
      return await this.starmapAsync(fn, argsList, options).get();
    } catch (error) {
      throw withAwaitSite(error);
    }
  }

  /** `starmap` as an AsyncResult, with callbacks. */
  starmapAsync<A extends unknown[], R>(fn: (...args: A) => R, argsList: Iterable<A>, options?: MapAsyncOptions<Awaited<R>[]>): AsyncResult<Awaited<R>[]> {
    return this.#mapAll(fn as Function, argsList, options, TaskFlag.Star);
  }

  /**
   * `fn` over the items, yielding results in input order as they are ready.
   * The input is read lazily, a bounded number of chunks ahead, so it may be
   * endless or async.
   *
   * @example
   * ```ts
   * for await (const square of pool.imap(square, numbers())) console.log(square);
   * ```
   */
  imap<T, R>(fn: (item: T) => R, items: Iterable<T> | AsyncIterable<T>, options?: MapOptions): AsyncIterableIterator<Awaited<R>> {
    return this.#stream(fn, items, options, true);
  }

  /**
   * Like `imap`, yielding results as they finish, in any order.
   *
   * @example
   * ```ts
   * for await (const page of pool.imapUnordered(fetchPage, urls)) console.log(page.length);
   * ```
   */
  imapUnordered<T, R>(fn: (item: T) => R, items: Iterable<T> | AsyncIterable<T>, options?: MapOptions): AsyncIterableIterator<Awaited<R>> {
    return this.#stream(fn, items, options, false);
  }

  /** No more tasks; the workers exit once the submitted ones are done. */
  close(): void {
    this.#engine.close();
  }

  /** Stops the workers at once; outstanding tasks fail with `CancelledError`. */
  terminate(): Promise<void> {
    return this.#engine.terminate();
  }

  /** Waits for the workers to exit; call `close()` or `terminate()` first (else `ERR_STILL_RUNNING`). */
  async join(): Promise<void> {
    if (this.#engine.state === 'running') {
      throw misuse(ErrorCode.StillRunning, `${this.#api}: join() waits for a pool that is ending; call close() or terminate() first`);
    }
    await this.#engine.joined();
  }

  /** Counts and timings: workers, busy, queued, completed, failed, run/wait-time percentiles. */
  statistics(): PoolStatistics {
    return this.#engine.statistics();
  }

  /** `await using pool = new Pool()`: terminates the pool at the end of the block, as Python's `with Pool()` does. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.terminate();
  }

  #checkArgs(args: unknown): unknown[] {
    if (args === undefined) return [];
    if (!Array.isArray(args)) throw invalidArg(`${this.#api}: args must be an array of arguments`, 'type');
    return args;
  }

  #settledByAbort(result: AnyResult, signal: AbortSignal | undefined): boolean {
    if (signal?.aborted !== true) return false;
    settle(result, false, signal.reason);
    return true;
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  #mapAll(fn: Function, items: Iterable<unknown>, options: MapAsyncOptions<any> | undefined, star: number): AnyResult {
    const task = checkTaskOptions(options, this.#api);
    const list = toList(items, this.#api);
    const chunksize = checkPositiveInteger(options?.chunksize, 'chunksize', this.#api) ?? autoChunksize(list.length, this.#engine.size);
    const result: AnyResult = new AsyncResult({ callback: options?.callback, errorCallback: options?.errorCallback });
    if (this.#settledByAbort(result, task.signal)) return result;
    const values = new Array<unknown>(list.length);
    let remaining = Math.ceil(list.length / chunksize);
    if (remaining === 0) {
      settle(result, true, values);
      return result;
    }
    for (let start = 0; start < list.length; start += chunksize) {
      const chunk = list.slice(start, start + chunksize);
      this.#engine.submit(fn, [chunk], {
        settle: (ok, value) => {
          if (result.ready()) return;
          if (!ok) {
            settle(result, false, value);
            return;
          }
          const chunkValues = value as unknown[];
          for (let i = 0; i < chunkValues.length; i++) values[start + i] = chunkValues[i];
          if (--remaining === 0) settle(result, true, values);
        },
      }, { ...task, flags: TaskFlag.Chunk | star });
    }
    return result;
  }

  async *#stream(fn: Function, items: Iterable<unknown> | AsyncIterable<unknown>, options: MapOptions | undefined, ordered: boolean): AsyncIterableIterator<never> {
    const task = checkTaskOptions(options, this.#api);
    const chunksize = checkPositiveInteger(options?.chunksize, 'chunksize', this.#api) ?? 1;
    const input = iteratorOf(items, this.#api);
    const stream = new ResultStream(ordered);
    const readAhead = Math.max(4, this.#engine.size * 4);
    let exhausted = false;
    let nextIndex = 0;
    try {
      for (;;) {
        while (!exhausted && stream.pending < readAhead) {
          const chunk = await readChunk(input, chunksize);
          if (chunk.length < chunksize) exhausted = true;
          if (chunk.length === 0) break;
          const index = nextIndex++;
          const settle = (ok: boolean, value: unknown): void => stream.settle(index, ok, value);
          if (chunksize === 1) this.#engine.submit(fn, [chunk[0]], { settle: (ok, value) => settle(ok, ok ? [value] : value) }, task);
          else this.#engine.submit(fn, [chunk], { settle }, { ...task, flags: TaskFlag.Chunk });
          stream.sent();
        }
        if (exhausted && stream.pending === 0 && !stream.hasReady()) return;
        const values = await stream.next();
        for (const value of values) yield value as never;
      }
    } finally {
      if (!exhausted) await input.return?.();
    }
  }
}

/**
 * A pool of worker processes: Python's `multiprocessing.Pool`.
 *
 * Arguments, initargs and results are copied; weft objects among them must
 * be process-scope (`weft/multiprocessing`): a thread-scope one (from
 * `weft/threading`, `weft/queue`, or a SharedArrayBuffer) throws
 * `ERR_WRONG_SCOPE`, as Python cannot pickle a `threading.Lock`.
 *
 * @example
 * ```ts
 * import { Pool } from 'weft/multiprocessing';
 * import { isMain } from 'weft';
 *
 * export function square(x: number) { return x * x; }
 *
 * if (isMain(import.meta)) {
 *   const pool = new Pool({ processes: 4 });
 *   console.log(await pool.map(square, [1, 2, 3])); // [1, 4, 9]
 *   pool.close();
 *   await pool.join();
 * }
 * ```
 */
export class Pool extends BasePool {
  constructor(options?: PoolOptions) {
    super('process', 'multiprocessing.Pool', options);
  }
}

/**
 * A pool of worker threads with the same API: Python's
 * `multiprocessing.pool.ThreadPool`. Tasks run truly in parallel (each
 * worker is a thread with its own event loop).
 *
 * As in Python, a task may be handed any weft object, thread-scope ones
 * included (a `Lock`, an `Event`, a `Queue`, a `Value`, a
 * SharedArrayBuffer…, anywhere in its arguments), and may return one: both
 * sides have the same object, not a copy. Other values are copied.
 *
 * @example
 * ```ts
 * import { ThreadPool } from 'weft/multiprocessing';
 * const pool = new ThreadPool({ processes: 2 });
 * console.log(await pool.apply(add, [1, 2])); // 3
 * await pool.terminate();
 * ```
 */
export class ThreadPool extends BasePool {
  constructor(options?: PoolOptions) {
    super('thread', 'multiprocessing.pool.ThreadPool', options);
  }
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyResult = AsyncResult<any>;

function settle(result: AnyResult, ok: boolean, value: unknown): void {
  if (ok) result[kSettle](true, value);
  else result[kSettle](false, value as Error);
}

/**
 * Python's rule — about four chunks per worker — capped at MAX_AUTO_CHUNK
 * items. A chunk is encoded, run and decoded as a whole; with a few huge
 * chunks those steps follow each other, with many moderate ones the pool
 * encodes the next chunks while the workers run the last (measured: 1 M tiny
 * items, 2 workers, 8 chunks ≈ 9–12 M items/s, 100 chunks ≈ 19–21 M/s).
 */
function autoChunksize(length: number, workers: number): number {
  const chunks = workers * 4;
  return Math.max(1, Math.min(MAX_AUTO_CHUNK, Math.ceil(length / chunks)));
}

const MAX_AUTO_CHUNK = 10_000;

function toList(items: Iterable<unknown>, api: string): unknown[] {
  if (Array.isArray(items)) return items;
  if (items === null || typeof (items as Iterable<unknown>)?.[Symbol.iterator] !== 'function') {
    throw invalidArg(`${api}: items must be iterable`, 'type');
  }
  return [...items];
}

type AnyIterator = Iterator<unknown> | AsyncIterator<unknown>;

function iteratorOf(items: Iterable<unknown> | AsyncIterable<unknown>, api: string): AnyIterator {
  const asyncIterable = (items as AsyncIterable<unknown>)?.[Symbol.asyncIterator];
  if (typeof asyncIterable === 'function') return asyncIterable.call(items);
  const iterable = (items as Iterable<unknown>)?.[Symbol.iterator];
  if (typeof iterable === 'function') return iterable.call(items);
  throw invalidArg(`${api}: items must be iterable or async iterable`, 'type');
}

async function readChunk(input: AnyIterator, size: number): Promise<unknown[]> {
  const chunk: unknown[] = [];
  while (chunk.length < size) {
    const step = await input.next();
    if (step.done === true) break;
    chunk.push(step.value);
  }
  return chunk;
}

/** Results of `imap`'s chunks, released in order (or as they come) to the iterating caller. */
class ResultStream {
  readonly #ordered: boolean;
  readonly #done = new Map<number, { ok: boolean; value: unknown }>();
  readonly #arrivals: { ok: boolean; value: unknown }[] = [];
  #nextToYield = 0;
  #pending = 0;
  #wake: (() => void) | undefined;

  constructor(ordered: boolean) {
    this.#ordered = ordered;
  }

  get pending(): number {
    return this.#pending;
  }

  sent(): void {
    this.#pending += 1;
  }

  settle(index: number, ok: boolean, value: unknown): void {
    this.#pending -= 1;
    if (this.#ordered) this.#done.set(index, { ok, value });
    else this.#arrivals.push({ ok, value });
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }

  hasReady(): boolean {
    return this.#ordered ? this.#done.has(this.#nextToYield) : this.#arrivals.length > 0;
  }

  /** The next chunk's values, waiting for it; throws its error. */
  async next(): Promise<unknown[]> {
    while (!this.hasReady()) await new Promise<void>((resolve) => (this.#wake = resolve));
    let entry: { ok: boolean; value: unknown };
    if (this.#ordered) {
      entry = this.#done.get(this.#nextToYield)!;
      this.#done.delete(this.#nextToYield);
      this.#nextToYield += 1;
    } else {
      entry = this.#arrivals.shift()!;
    }
    if (!entry.ok) throw withAwaitSite(entry.value);
    return entry.value as unknown[];
  }
}
