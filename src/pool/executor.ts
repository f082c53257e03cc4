/**
 * `ThreadPoolExecutor` and `ProcessPoolExecutor`: Python's
 * `concurrent.futures` executors, on the same engine as the pools.
 *
 * As in Python: workers start as work arrives (up to `maxWorkers`); a task
 * is RUNNING from when a worker is given it; a worker that dies breaks the
 * executor — every pending future fails with `BrokenPoolError`, and so does
 * every later `submit` — as does an initializer that throws.
 *
 * Arguments and results are copied, except weft objects, which are shared:
 * thread-scope ones with a ThreadPoolExecutor's tasks, as in Python; a
 * ProcessPoolExecutor refuses those with `ERR_WRONG_SCOPE`.
 *
 * Beyond Python: `submitWith({ timeout, signal }, fn, ...args)` gives a task
 * a timeout counted from its start and an AbortSignal (`taskSignal()` in the
 * task); `statistics()`.
 */
import { invalidArg } from '../errors.js';
import { withAwaitSite } from './await-site.js';
import { PoolEngine } from './engine.js';
import { Future, kSetException, kSetRunningOrNotifyCancel } from './future.js';
import { FutureOutcome, asError } from './outcomes.js';
import { TaskFlag } from './messages.js';
import { checkPoolOptions, checkPositiveInteger, checkTaskOptions, cpus, type TaskOptions } from './pool-options.js';
import type { TaskOutcome } from './pool-task.js';
import type { PoolStatistics } from './statistics.js';
import type { WorkerKind } from './worker-slot.js';

export interface ExecutorOptions {
  /** Most workers at once. ThreadPoolExecutor: min(32, cpuCount() + 4); ProcessPoolExecutor: cpuCount(). */
  maxWorkers?: number;
  /** Exported function each worker runs once, before any task. */
  initializer?: Function;
  /** Its arguments; weft objects among them are shared with every worker: any scope for ThreadPoolExecutor, process scope for ProcessPoolExecutor. */
  initargs?: unknown[];
  /** How long a task told to abort may take to stop before its worker is replaced. Default 1000 ms. */
  gracePeriod?: number;
}

export interface ProcessPoolExecutorOptions extends ExecutorOptions {
  /** Replace a worker process after this many tasks. */
  maxTasksPerChild?: number;
}

export interface ExecutorMapOptions {
  /** Milliseconds, from the call to `map`, for all results to arrive (Python's rule); then TimeoutError. */
  timeout?: number;
  /** Items per task. Default 1, as in Python. */
  chunksize?: number;
}

export interface ShutdownOptions {
  /** Wait for pending work and the workers to end. Default true. */
  wait?: boolean;
  /** Cancel the futures that have not started. Default false. */
  cancelFutures?: boolean;
}

class Executor {
  readonly #engine: PoolEngine;
  readonly #api: string;

  protected constructor(kind: WorkerKind, api: string, options: ProcessPoolExecutorOptions | undefined, defaultWorkers: number) {
    this.#api = api;
    const checked = checkPoolOptions(options, 'maxWorkers', defaultWorkers, api);
    const prefix = kind === 'thread' ? `ThreadPoolExecutor-${executorCount++}_` : 'SpawnProcess-';
    let counter = 0;
    this.#engine = new PoolEngine({
      ...checked,
      kind,
      onWorkerDeath: 'break',
      eager: false,
      workerName: () => `${prefix}${kind === 'thread' ? counter++ : ++counter}`,
      api,
    });
  }

  /**
   * Schedules `fn(...args)` and returns its Future. Argument and result
   * types flow through: `submit(add, 1, 2)` is a `Future<number>`.
   *
   * @example
   * ```ts
   * const future = executor.submit(add, 1, 2);
   * console.log(await future.result()); // 3
   * ```
   */
  submit<A extends unknown[], R>(fn: (...args: A) => R, ...args: A): Future<Awaited<R>> {
    return this.#submit(fn, args, {});
  }

  /**
   * `submit` with per-task options: a `timeout` counted from the task's
   * start, and a `signal` that drops the task if pending or fires its
   * `taskSignal()` if running.
   *
   * @example
   * ```ts
   * const future = executor.submitWith({ timeout: 1000 }, crawl, url);
   * ```
   */
  submitWith<A extends unknown[], R>(options: TaskOptions, fn: (...args: A) => R, ...args: A): Future<Awaited<R>> {
    return this.#submit(fn, args, checkTaskOptions(options, this.#api));
  }

  /**
   * `fn` over the iterables zipped together, results in order (Python's
   * `Executor.map`): everything is submitted at once; the iteration throws
   * the first failed task's error, or `TimeoutError` when `timeout` ms from
   * this call pass first. Leaving the loop early cancels what has not run.
   *
   * @example
   * ```ts
   * for await (const sum of executor.map(add, [1, 2], [10, 20])) console.log(sum); // 11, 22
   * ```
   */
  map<R>(fn: (...args: never[]) => R, ...iterablesAndOptions: (Iterable<unknown> | ExecutorMapOptions)[]): AsyncIterableIterator<Awaited<R>> {
    const { iterables, options } = splitMapArguments(iterablesAndOptions, this.#api);
    const chunksize = checkPositiveInteger(options.chunksize, 'chunksize', this.#api) ?? 1;
    const deadline = options.timeout === undefined ? undefined : performance.now() + checkedTimeout(options.timeout, this.#api);
    const argsList = zip(iterables);
    const futures: Future<unknown[]>[] = [];
    for (let start = 0; start < argsList.length; start += chunksize) {
      const chunk = argsList.slice(start, start + chunksize);
      futures.push(this.#submitChunk(fn, chunk));
    }
    return mapResults(futures, deadline, chunksize === 1) as AsyncIterableIterator<Awaited<R>>;
  }

  /**
   * No more submits. `cancelFutures` cancels what has not started; `wait`
   * (default true) resolves once the rest is done and the workers have
   * exited.
   *
   * @example
   * ```ts
   * await executor.shutdown({ cancelFutures: true });
   * ```
   */
  async shutdown(options?: ShutdownOptions): Promise<void> {
    if (options !== undefined && (typeof options !== 'object' || options === null)) throw invalidArg(`${this.#api}: options must be an object`, 'type');
    const wait = options?.wait ?? true;
    this.#engine.close();
    if (options?.cancelFutures === true) this.#engine.cancelQueued();
    if (wait) await this.#engine.joined();
  }

  /** Counts and timings: workers, busy, queued, completed, failed, run/wait-time percentiles. */
  statistics(): PoolStatistics {
    return this.#engine.statistics();
  }

  /** `await using executor = new ThreadPoolExecutor()`: `shutdown({ wait: true })` at the end of the block, as Python's `with`. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.shutdown({ wait: true });
  }

  #submit<R>(fn: Function, args: unknown[], options: TaskOptions): Future<R> {
    const future = new Future<R>();
    if (options.signal?.aborted === true) {
      future[kSetRunningOrNotifyCancel]();
      future[kSetException](asError(options.signal.reason));
      return future;
    }
    this.#engine.submit(fn, args, new FutureOutcome(future), options);
    return future;
  }

  #submitChunk(fn: Function, chunk: unknown[][]): Future<unknown[]> {
    const future = new Future<unknown[]>();
    if (chunk.length === 1) {
      this.#engine.submit(fn, chunk[0], new SingleItemOutcome(future));
    } else {
      this.#engine.submit(fn, [chunk], new FutureOutcome(future), { flags: TaskFlag.Chunk | TaskFlag.Star });
    }
    return future;
  }
}

let executorCount = 0;

/**
 * Runs tasks on worker threads: Python's `concurrent.futures.ThreadPoolExecutor`.
 * A task may be handed, and may return, any weft object — a thread-scope
 * `Lock`, `Event`, `Queue`, `Value`… too, anywhere inside its arguments: both
 * sides have the same object. Other values are copied.
 *
 * @example
 * ```ts
 * import { ThreadPoolExecutor } from 'weft/futures';
 * await using executor = new ThreadPoolExecutor({ maxWorkers: 4 });
 * const future = executor.submit(add, 1, 2);
 * console.log(await future); // 3
 * ```
 */
export class ThreadPoolExecutor extends Executor {
  constructor(options?: ExecutorOptions) {
    super('thread', 'ThreadPoolExecutor', options, Math.min(32, cpus() + 4));
  }
}

/**
 * Runs tasks in worker processes: Python's `concurrent.futures.ProcessPoolExecutor`.
 * Weft objects in arguments, initargs and results must be process-scope
 * (`weft/multiprocessing`); a thread-scope one throws `ERR_WRONG_SCOPE`.
 *
 * @example
 * ```ts
 * import { ProcessPoolExecutor } from 'weft/futures';
 * const executor = new ProcessPoolExecutor({ maxWorkers: 2 });
 * const futures = [1, 2, 3].map((n) => executor.submit(square, n));
 * console.log(await Promise.all(futures)); // [1, 4, 9]
 * await executor.shutdown();
 * ```
 */
export class ProcessPoolExecutor extends Executor {
  constructor(options?: ProcessPoolExecutorOptions) {
    super('process', 'ProcessPoolExecutor', options, cpus());
  }
}

/** A map item sent on its own (chunksize 1): its result arrives bare and is handed on as a one-item chunk. */
class SingleItemOutcome extends FutureOutcome<unknown[]> {
  override settle(ok: boolean, value: unknown): void {
    super.settle(ok, ok ? [value] : value);
  }
}

/** Executor.map's results in order; on timeout or early exit, the futures not yet done are cancelled. */
async function* mapResults(futures: Future<unknown[]>[], deadline: number | undefined, single: boolean): AsyncIterableIterator<unknown> {
  let index = 0;
  try {
    for (; index < futures.length; index++) {
      const timeout = deadline === undefined ? undefined : Math.max(0, deadline - performance.now());
      let values: unknown[];
      try {
        values = await futures[index].result({ timeout });
      } catch (error) {
        throw withAwaitSite(error);
      }
      if (single) yield values[0];
      else yield* values;
    }
  } finally {
    for (let rest = index; rest < futures.length; rest++) futures[rest].cancel();
  }
}

function splitMapArguments(rest: (Iterable<unknown> | ExecutorMapOptions)[], api: string): { iterables: Iterable<unknown>[]; options: ExecutorMapOptions } {
  const last = rest[rest.length - 1];
  const isOptions = rest.length > 1 && typeof last === 'object' && last !== null && typeof (last as Iterable<unknown>)[Symbol.iterator] !== 'function';
  const iterables = (isOptions ? rest.slice(0, -1) : rest) as Iterable<unknown>[];
  if (iterables.length === 0) throw invalidArg(`${api}: map needs at least one iterable`, 'type');
  for (const iterable of iterables) {
    if (iterable === null || typeof (iterable as Iterable<unknown>)?.[Symbol.iterator] !== 'function') throw invalidArg(`${api}: map's arguments must be iterables (then, optionally, an options object)`, 'type');
  }
  return { iterables, options: isOptions ? (last as ExecutorMapOptions) : {} };
}

function checkedTimeout(timeout: number, api: string): number {
  checkTaskOptions({ timeout }, api);
  return timeout;
}

/** Python's zip: as long as the shortest iterable. */
function zip(iterables: Iterable<unknown>[]): unknown[][] {
  const lists = iterables.map((iterable) => [...iterable]);
  const length = Math.min(...lists.map((list) => list.length));
  const rows: unknown[][] = [];
  for (let i = 0; i < length; i++) rows.push(lists.map((list) => list[i]));
  return rows;
}
