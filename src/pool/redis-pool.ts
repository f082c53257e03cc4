/**
 * `Pool` of the machine scope: Python's `multiprocessing.Pool` (and, with
 * `submit`, a `concurrent.futures` executor) whose workers are `weft
 * worker` processes on any machine that reaches the Redis server. The
 * caller sends a task as a reference — the module's path relative to the
 * project root, the export's name and the module file's SHA-256
 * (pool-task-ref.ts) — and the arguments; a worker whose copy of the
 * module differs refuses it with `ERR_MODULE_MISMATCH`. Server side:
 * backends/redis/pool-lua.ts; the worker: redis-worker.ts.
 *
 * Guarantees: tasks start in submit order (FIFO over all callers); a
 * result or error reaches the caller's promise, Future or AsyncResult,
 * errors rebuilt with their class, `code` and remote stack as the process
 * pool's; a worker whose lease runs out mid-task (killed, frozen past its
 * lease) has its task delivered again, to the head of the queue, up to
 * `maxDeliveries` times in all — then the task fails with
 * `BrokenPoolError`. So a task may run more than once (at least once):
 * make tasks idempotent, as with every queue that survives crashes.
 *
 * Non-guarantees and differences from the process pool: a task's
 * `timeout` counts from submit, not from its start (the caller cannot see
 * a remote start), and a caller that gives up (timeout, abort) drops a
 * pending task but cannot stop a running one: its outcome is discarded. A
 * Future is RUNNING as soon as the server holds the task, so `cancel()`
 * returns false (use a `signal`). No initializer.
 *
 * Arguments and results cross as `v8.serialize` output (structured clone:
 * plain data, Map, Set, Date, BigInt, typed arrays; not functions or weft
 * objects).
 */
import { isAbsolute, resolve } from 'node:path';
import { deserialize, serialize } from 'node:v8';
import { BrokenPoolError, ErrorCode, TimeoutError, invalidArg, misuse } from '../errors.js';
import { decodeError, type EncodedError } from '../codec/remote-error.js';
import { AsyncResult, kSettle, type AsyncResultCallbacks } from './async-result.js';
import { markRemote, withAwaitSite } from './await-site.js';
import { Future, kSetException, kSetResult, kSetRunningOrNotifyCancel } from './future.js';
import { checkPositiveInteger, checkTaskOptions, type TaskOptions } from './pool-options.js';
import { checkName, objectId } from '../backends/redis/keys.js';
import { POOL_CANCEL, POOL_STATE, POOL_SUBMIT } from '../backends/redis/pool-lua.js';
import { taskRef, type TaskRef } from '../backends/redis/pool-task-ref.js';
import type { RedisScope } from '../backends/redis/scope.js';
import { checkScope } from '../backends/redis/scope-option.js';
import type { WaitSteps } from '../backends/redis/waits.js';

/** Options of a machine-scope `Pool`. */
export interface RedisPoolOptions {
  /** The connection, from `connect()`. */
  redis: RedisScope;
  /** The project directory task modules are named relative to; workers run with the same layout (`weft worker --root`). Default `process.cwd()`. */
  root?: string;
  /** Deliveries a task may have in all before it fails with `BrokenPoolError` (a worker died running it each time). Default 3. */
  maxDeliveries?: number;
}

export interface RedisMapOptions extends TaskOptions {
  /** Items per task. Default: about 64 tasks for the whole input, at most 10 000 items each. */
  chunksize?: number;
}

export interface RedisPoolStatistics {
  /** Tasks waiting for a worker, from every caller. */
  readonly pending: number;
  /** Worker slots waiting for a task. */
  readonly idleWorkers: number;
  /** This caller's tasks whose outcome has not arrived. */
  readonly inFlight: number;
}

/** What a task payload holds (v8-serialized, base64). */
export interface TaskPayload {
  readonly ref: TaskRef;
  readonly args: unknown[];
  /** TaskFlags bits. */
  readonly flags: number;
}

/** How a worker calls the function: plain, over a chunk of items, or a chunk of argument lists. */
export const TaskFlags = { Chunk: 1, Star: 2 } as const;

const DEFAULT_MAX_DELIVERIES = 3;
const MAX_AUTO_CHUNK = 10_000;
const API = 'redis Pool';

/**
 * A pool whose workers run on any machine: start them with
 * `npx weft worker --redis URL --namespace NS --root DIR`, then submit
 * exported functions from anywhere.
 *
 * @example
 * ```ts
 * import { connect, Pool } from 'weft/redis';
 * import { square } from '../backends/redis/tasks.js'; // export function square(x: number) { return x * x; }
 *
 * const redis = await connect({ namespace: 'shop' });
 * const pool = new Pool('default', { redis, root: process.cwd() });
 * console.log(await pool.apply(square, [7]));             // 49, computed by a worker
 * console.log(await pool.map(square, [1, 2, 3]));        // [1, 4, 9]
 * console.log(await pool.submit(square, 8).result());    // 64
 * await redis.close();
 * ```
 */
export class Pool {
  /** The pool's name in its namespace: workers serve it with `weft worker --pool <name>`. */
  readonly name: string;
  /** The directory task modules are named relative to. */
  readonly root: string;
  readonly #scope: RedisScope;
  readonly #oid: string;
  readonly #maxDeliveries: number;
  #inFlight = 0;
  #closed = false;

  constructor(name: string, options: RedisPoolOptions) {
    this.name = checkName(name, 'a pool name');
    this.#scope = checkScope(options);
    const root = options.root ?? process.cwd();
    if (typeof root !== 'string' || !isAbsolute(resolve(root))) throw invalidArg(`${API}: root must be a directory path`, 'type');
    this.root = resolve(root);
    this.#maxDeliveries = checkPositiveInteger(options.maxDeliveries, 'maxDeliveries', API) ?? DEFAULT_MAX_DELIVERIES;
    this.#oid = objectId('pool', name);
  }

  /**
   * Runs `fn(...args)` on a worker and resolves with its result.
   *
   * @example
   * ```ts
   * const sum = await pool.apply(add, [1, 2]); // 3
   * ```
   */
  async apply<A extends unknown[], R>(fn: (...args: A) => R, args?: A, options?: TaskOptions): Promise<Awaited<R>> {
    try {
      return (await this.#run(fn, checkArgs(args), 0, checkTaskOptions(options, API))) as Awaited<R>;
    } catch (error) {
      throw withAwaitSite(error);
    }
  }

  /**
   * Starts `fn(...args)` on a worker; the AsyncResult holds its outcome.
   *
   * @example
   * ```ts
   * const result = pool.applyAsync(add, [1, 2], { callback: (sum) => console.log(sum) });
   * await result.wait();
   * ```
   */
  applyAsync<A extends unknown[], R>(fn: (...args: A) => R, args?: A, options?: TaskOptions & AsyncResultCallbacks<Awaited<R>>): AsyncResult<Awaited<R>> {
    const result = new AsyncResult<Awaited<R>>({ callback: options?.callback, errorCallback: options?.errorCallback });
    const done = this.#run(fn, checkArgs(args), 0, checkTaskOptions(options, API));
    done.then(
      (value) => result[kSettle](true, value as Awaited<R>),
      (error: unknown) => result[kSettle](false, error as Error),
    );
    return result;
  }

  /**
   * Schedules `fn(...args)` and returns its Future (`concurrent.futures`' `submit`).
   *
   * @example
   * ```ts
   * const future = pool.submit(add, 1, 2);
   * console.log(await future.result()); // 3
   * ```
   */
  submit<A extends unknown[], R>(fn: (...args: A) => R, ...args: A): Future<Awaited<R>> {
    const future = new Future<Awaited<R>>();
    future[kSetRunningOrNotifyCancel]();
    this.#run(fn, args, 0, {}).then(
      (value) => future[kSetResult](value as Awaited<R>),
      (error: unknown) => future[kSetException](error instanceof Error ? error : new Error(String(error), { cause: error })),
    );
    return future;
  }

  /**
   * `fn` over every item, on the workers, results in input order. Items go
   * in chunks of `chunksize`; the first error rejects the whole call.
   *
   * @example
   * ```ts
   * const squares = await pool.map(square, [1, 2, 3]); // [1, 4, 9]
   * ```
   */
  async map<T, R>(fn: (item: T) => R, items: Iterable<T>, options?: RedisMapOptions): Promise<Awaited<R>[]> {
    try {
      return (await this.#mapAll(fn, items, options, 0)) as Awaited<R>[];
    } catch (error) {
      throw withAwaitSite(error);
    }
  }

  /**
   * `map` as an AsyncResult, with callbacks.
   *
   * @example
   * ```ts
   * const all = pool.mapAsync(square, [1, 2, 3]);
   * console.log(await all.get()); // [1, 4, 9]
   * ```
   */
  mapAsync<T, R>(fn: (item: T) => R, items: Iterable<T>, options?: RedisMapOptions & AsyncResultCallbacks<Awaited<R>[]>): AsyncResult<Awaited<R>[]> {
    const result = new AsyncResult<Awaited<R>[]>({ callback: options?.callback, errorCallback: options?.errorCallback });
    this.#mapAll(fn, items, options, 0).then(
      (values) => result[kSettle](true, values as Awaited<R>[]),
      (error: unknown) => result[kSettle](false, error as Error),
    );
    return result;
  }

  /**
   * Like `map`, with each item an argument list.
   *
   * @example
   * ```ts
   * const sums = await pool.starmap(add, [[1, 2], [3, 4]]); // [3, 7]
   * ```
   */
  async starmap<A extends unknown[], R>(fn: (...args: A) => R, argsList: Iterable<A>, options?: RedisMapOptions): Promise<Awaited<R>[]> {
    try {
      return (await this.#mapAll(fn, argsList, options, TaskFlags.Star)) as Awaited<R>[];
    } catch (error) {
      throw withAwaitSite(error);
    }
  }

  /** The pool as the server sees it, and this caller's tasks in flight. */
  async statistics(): Promise<RedisPoolStatistics> {
    const [pending, idleWorkers] = await this.#scope.run<[number, number]>(POOL_STATE, this.#oid, []);
    return Object.freeze({ pending, idleWorkers, inFlight: this.#inFlight });
  }

  /** No more tasks from this object (`ERR_POOL_NOT_RUNNING`); tasks in flight still get their outcome. Workers and other callers go on. */
  close(): void {
    this.#closed = true;
  }

  toString(): string {
    return `<redis Pool '${this.name}' inFlight=${this.#inFlight}>`;
  }

  async #mapAll(fn: Function, items: Iterable<unknown>, options: RedisMapOptions | undefined, star: number): Promise<unknown[]> {
    const task = checkTaskOptions(options, API);
    if (items === null || typeof (items as Iterable<unknown>)?.[Symbol.iterator] !== 'function') throw invalidArg(`${API}: items must be iterable`, 'type');
    const list = Array.isArray(items) ? items : [...items];
    const chunksize = checkPositiveInteger(options?.chunksize, 'chunksize', API) ?? Math.min(MAX_AUTO_CHUNK, Math.max(1, Math.ceil(list.length / 64)));
    const chunks: Promise<unknown>[] = [];
    for (let start = 0; start < list.length; start += chunksize) {
      chunks.push(this.#run(fn, [list.slice(start, start + chunksize)], TaskFlags.Chunk | star, task));
    }
    // Every chunk is awaited (none is left to reject unhandled); the first error in input order wins.
    const settled = await Promise.allSettled(chunks);
    const values: unknown[] = [];
    for (const outcome of settled) {
      if (outcome.status === 'rejected') throw outcome.reason;
      for (const value of outcome.value as unknown[]) values.push(value);
    }
    return values;
  }

  async #run(fn: Function, args: unknown[], flags: number, options: TaskOptions): Promise<unknown> {
    if (this.#closed) throw misuse(ErrorCode.PoolNotRunning, `${API}: '${this.name}' was closed; make a new Pool to submit more`);
    this.#scope.checkOpen();
    options.signal?.throwIfAborted();
    // Python's rule for a result asked with timeout 0: not ready is a TimeoutError; nothing is sent.
    if (options.timeout === 0) throw new TimeoutError(`${API}: a task with timeout 0 cannot have finished`);
    const payload = encodeValue({ ref: await taskRef(fn, this.root, API), args, flags } satisfies TaskPayload, 'the arguments');
    const id = this.#scope.id;
    const oid = this.#oid;
    const max = this.#maxDeliveries;
    const steps: WaitSteps = {
      enqueue: async (seq) => {
        await this.#scope.run(POOL_SUBMIT, oid, [id, seq, payload, max]);
        return 'queued';
      },
      // 1: the outcome is on its way; 0 (dropped) and 2 (abandoned while running): nothing will come.
      withdraw: async (seq) => ((await this.#scope.run<number>(POOL_CANCEL, oid, [id, seq])) === 1 ? 'take' : undefined),
    };
    this.#inFlight += 1;
    try {
      const grant = await this.#scope.wait(steps, options.timeout, options.signal);
      if (grant === undefined) throw new TimeoutError(`${API}: the task's outcome did not arrive within ${options.timeout} ms (a running task goes on; its outcome is dropped)`);
      return outcome(grant.item!, fn.name);
    } finally {
      this.#inFlight -= 1;
    }
  }
}

/** What a worker sent back: `1<value>`, `0<error>`, or `D<n>` from the server (delivered n times, a worker died each time). */
function outcome(answer: string, name: string): unknown {
  const kind = answer[0];
  if (kind === '1') return deserialize(Buffer.from(answer.slice(1), 'base64'));
  if (kind === '0') throw markRemote(decodeError(deserialize(Buffer.from(answer.slice(1), 'base64')) as EncodedError));
  throw new BrokenPoolError(
    `${API}: the task "${name}" was delivered ${answer.slice(1)} time(s) and each time its worker's lease ran out before it finished (killed, crashed, or frozen): it is not delivered again (maxDeliveries)`,
  );
}

/** `v8.serialize` as base64; a value that cannot cross throws `ERR_NOT_SERIALIZABLE`. */
export function encodeValue(value: unknown, what: string): string {
  try {
    return serialize(value).toString('base64');
  } catch (error) {
    throw misuse(ErrorCode.NotSerializable, `${API}: ${what} cannot cross to another machine (${(error as Error).message}); send plain data`, error);
  }
}

export function decodeValue(encoded: string): unknown {
  return deserialize(Buffer.from(encoded, 'base64'));
}

function checkArgs(args: unknown): unknown[] {
  if (args === undefined) return [];
  if (!Array.isArray(args)) throw invalidArg(`${API}: args must be an array of arguments`, 'type');
  return args;
}
