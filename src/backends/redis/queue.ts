/**
 * `Queue`, `JoinableQueue` and `SimpleQueue` of the machine scope: named
 * FIFO queues shared by every connection of a namespace — the other
 * scopes' API, every call async. Server side: queue-lua.ts.
 *
 * Items cross machines as `v8.serialize` output (structured clone: plain
 * data, Map, Set, Date, BigInt, typed arrays…; not functions or weft
 * objects), base64 in Redis.
 *
 * Delivery: a put hands its item straight to the longest-waiting get; a
 * plain Queue's item belongs to the getter once `get` returned (at most
 * once, as in Python). A JoinableQueue's item belongs to its consumer
 * until that consumer's `taskDone()`: if the consumer's lease runs out
 * first, the item goes back to the head of the queue (at least once).
 */
import { deserialize, serialize } from 'node:v8';
import { Empty, ErrorCode, Full, invalidArg, misuse, ShutDown } from '../../errors.js';
import { checkWaitOptions, type WaitOptions } from '../../runtime/options.js';
import { checkName, objectId, type ObjectKind } from './keys.js';
import type { RedisObjectOptions } from './lock.js';
import {
  QUEUE_GET,
  QUEUE_JOIN,
  QUEUE_PUT,
  QUEUE_SHUTDOWN,
  QUEUE_STATE,
  QUEUE_TASK_DONE,
  QUEUE_WITHDRAW_GET,
  QUEUE_WITHDRAW_JOIN,
  QUEUE_WITHDRAW_PUT,
} from './queue-lua.js';
import type { RedisScope } from './scope.js';
import { checkScope } from './scope-option.js';
import type { Script } from './script.js';
import type { Grant, WaitSteps } from './waits.js';

/** Options of a machine-scope queue. */
export interface RedisQueueOptions extends RedisObjectOptions {
  /** At most this many items (0, the default: unbounded). */
  maxsize?: number;
}

export interface RedisQueueStatistics {
  /** Items in the queue now. */
  readonly size: number;
  readonly maxsize: number;
  /** JoinableQueue: items put and not yet marked done (0 for the others). */
  readonly unfinished: number;
  /** Gets waiting for an item. */
  readonly getters: number;
  readonly shutDown: boolean;
}

const MISMATCH = -1;
const SHUT = -2;
const TOO_MANY = -3;
const DONE: Grant = { fence: '0', died: false, wanted: false };

/** The common machinery of the three queues. */
abstract class NamedQueue<T> {
  /** The queue's name in its namespace. */
  readonly name: string;
  readonly #scope: RedisScope;
  readonly #oid: string;
  readonly #maxsize: number;
  #closed = false;

  protected constructor(kind: ObjectKind, name: string, options: RedisQueueOptions) {
    this.name = checkName(name, 'a queue name');
    this.#scope = checkScope(options);
    const maxsize = options.maxsize ?? 0;
    if (typeof maxsize !== 'number' || !Number.isInteger(maxsize) || maxsize < 0) {
      throw invalidArg(`queue: maxsize must be a whole number >= 0, got ${String(maxsize)}`);
    }
    this.#maxsize = maxsize;
    this.#oid = objectId(kind, name);
  }

  protected get scopeId(): number {
    return this.#scope.id;
  }

  protected run<R>(script: Script, args: ReadonlyArray<string | number>): Promise<R> {
    return this.#scope.run<R>(script, this.#oid, [this.#maxsize, ...args]).then((answer) => {
      if (answer === MISMATCH) {
        throw invalidArg(`redis: ${this.constructor.name} '${this.name}' already exists in this namespace with another maxsize than ${this.#maxsize}`);
      }
      return answer;
    });
  }

  protected wait(steps: WaitSteps, timeout: number | undefined, signal: AbortSignal | undefined): Promise<Grant | undefined> {
    return this.#scope.wait(steps, timeout, signal);
  }

  protected get maxsizeValue(): number {
    return this.#maxsize;
  }

  /** Puts `item` at the tail, waiting for room in a bounded queue. `Full` after `timeout` ms; `ShutDown` after `shutdown()`. */
  protected async putItem(item: T, options: WaitOptions | undefined, nowait: boolean): Promise<void> {
    const { timeout, signal } = checkWaitOptions(options);
    signal?.throwIfAborted();
    if (this.#closed) throw misuse(ErrorCode.QueueClosed, `queue: put on ${this.constructor.name} '${this.name}' after close()`);
    const encoded = encode(item);
    const id = this.scopeId;
    const steps: WaitSteps = {
      enqueue: async (seq, tryOnly) => {
        const answer = await this.run<number>(QUEUE_PUT, [id, seq, encoded, tryOnly ? 1 : 0]);
        if (answer === SHUT) throw new ShutDown();
        return answer === 1 ? DONE : 'queued';
      },
      withdraw: async (seq) => ((await this.run<number>(QUEUE_WITHDRAW_PUT, [id, seq])) === 1 ? DONE : undefined),
    };
    const grant = await this.wait(steps, nowait ? 0 : timeout, signal);
    if (grant === undefined) throw new Full(item);
    if (grant.shut === true) throw new ShutDown();
  }

  /** Takes the item at the head, waiting for one. `Empty` after `timeout` ms; `ShutDown` once shut down and drained. */
  protected async getItem(options: WaitOptions | undefined, nowait: boolean): Promise<T> {
    const { timeout, signal } = checkWaitOptions(options);
    signal?.throwIfAborted();
    const id = this.scopeId;
    const steps: WaitSteps = {
      enqueue: async (seq, tryOnly) => {
        const [answer, item] = await this.run<[number, string?]>(QUEUE_GET, [id, seq, tryOnly ? 1 : 0]);
        if (answer === SHUT) throw new ShutDown();
        return answer === 1 ? { ...DONE, item: item! } : 'queued';
      },
      withdraw: async (seq) => ((await this.run<number>(QUEUE_WITHDRAW_GET, [id, seq])) === 1 ? 'take' : undefined),
    };
    const grant = await this.wait(steps, nowait ? 0 : timeout, signal);
    if (grant === undefined) throw new Empty();
    if (grant.shut === true) throw new ShutDown();
    return decode(grant.item!) as T;
  }

  /** How many items the queue holds now. */
  async qsize(): Promise<number> {
    return (await this.statistics()).size;
  }

  /** True if the queue holds no item now. */
  async empty(): Promise<boolean> {
    return (await this.qsize()) === 0;
  }

  /** After `close()`, puts through this object throw `ERR_QUEUE_CLOSED`; the queue itself and other connections go on. */
  close(): void {
    this.#closed = true;
  }

  /** The queue as the server sees it. */
  async statistics(): Promise<RedisQueueStatistics> {
    const [size, maxsize, unfinished, shut, getters] = await this.run<[number, number, number, number, number]>(QUEUE_STATE, []);
    return Object.freeze({ size, maxsize, unfinished, getters, shutDown: shut === 1 });
  }

  toString(): string {
    return `<${this.constructor.name} '${this.name}'>`;
  }
}

/**
 * A FIFO queue shared across machines: Python's `multiprocessing.Queue`, named.
 *
 * @example
 * ```ts
 * import { connect, Queue } from 'weft/redis';
 * const redis = await connect({ namespace: 'jobs' });
 * const jobs = new Queue<{ url: string }>('crawl', { redis, maxsize: 1000 });
 * await jobs.put({ url: 'https://example.com' }); // on one machine
 * const job = await jobs.get();                    // on another
 * ```
 */
export class Queue<T = unknown> extends NamedQueue<T> {
  /** The kind in keys: a JoinableQueue of the same name is another queue. */
  protected static readonly kind: ObjectKind = 'queue';

  constructor(name: string, options: RedisQueueOptions) {
    super((new.target as unknown as { kind: ObjectKind }).kind, name, options);
  }

  /** The bound given at creation (0: unbounded). */
  get maxsize(): number {
    return this.maxsizeValue;
  }

  /** Puts `item` at the tail, waiting for room; `Full` after `timeout` ms, `ShutDown` after `shutdown()`. */
  put(item: T, options?: WaitOptions): Promise<void> {
    return this.putItem(item, options, false);
  }

  /** Puts `item` if there is room now, else throws `Full` (carrying the item). */
  putNowait(item: T): Promise<void> {
    return this.putItem(item, undefined, true);
  }

  /** Takes the head item, waiting for one; `Empty` after `timeout` ms, `ShutDown` once shut down and drained. */
  get(options?: WaitOptions): Promise<T> {
    return this.getItem(options, false);
  }

  /** Takes the head item if there is one now, else throws `Empty`. */
  getNowait(): Promise<T> {
    return this.getItem(undefined, true);
  }

  /** True if a bounded queue holds `maxsize` items now. */
  async full(): Promise<boolean> {
    return this.maxsize > 0 && (await this.qsize()) >= this.maxsize;
  }

  /** Shuts the queue down for every connection: puts throw `ShutDown`, gets drain it first (or not: `immediate`). */
  async shutdown(options?: { immediate?: boolean }): Promise<void> {
    await this.run(QUEUE_SHUTDOWN, [options?.immediate === true ? 1 : 0]);
  }
}

/**
 * A Queue whose consumers mark each item done; `join()` waits for all of
 * them. An item a consumer took and did not mark done comes back to the
 * head if that consumer's lease runs out.
 *
 * @example
 * ```ts
 * const work = new JoinableQueue<number>('batch', { redis });
 * for (const n of [1, 2, 3]) await work.put(n);
 * // consumers, anywhere: const n = await work.get(); handle(n); await work.taskDone();
 * await work.join(); // every item handled
 * ```
 */
export class JoinableQueue<T = unknown> extends Queue<T> {
  protected static override readonly kind: ObjectKind = 'jqueue';

  constructor(name: string, options: RedisQueueOptions) {
    super(name, options);
  }

  /** Marks one item this connection took as done. `ERR_TASK_DONE_TOO_MANY` if more are marked than were put. */
  async taskDone(): Promise<void> {
    if ((await this.run<number>(QUEUE_TASK_DONE, [this.scopeId])) === TOO_MANY) {
      throw misuse(ErrorCode.TaskDoneTooMany, `queue: taskDone() called more times than items were put in '${this.name}'`);
    }
  }

  /** Waits until every item put has been marked done. Resolves true, or false after `timeout` ms. */
  async join(options?: WaitOptions): Promise<boolean> {
    const { timeout, signal } = checkWaitOptions(options);
    signal?.throwIfAborted();
    const id = this.scopeId;
    const steps: WaitSteps = {
      enqueue: async (seq) => ((await this.run<number>(QUEUE_JOIN, [id, seq])) === 1 ? DONE : 'queued'),
      withdraw: async (seq) => ((await this.run<number>(QUEUE_WITHDRAW_JOIN, [id, seq])) === 1 ? DONE : undefined),
    };
    if (timeout === 0) return (await this.statistics()).unfinished === 0;
    return (await this.wait(steps, timeout, signal)) !== undefined;
  }
}

/**
 * An unbounded FIFO queue with the short API: Python's `multiprocessing.SimpleQueue`, named.
 *
 * @example
 * ```ts
 * const results = new SimpleQueue<string>('results', { redis });
 * await results.put('done');
 * console.log(await results.get()); // 'done'
 * ```
 */
export class SimpleQueue<T = unknown> extends NamedQueue<T> {
  constructor(name: string, options: RedisObjectOptions) {
    super('squeue', name, { redis: options?.redis, maxsize: 0 });
  }

  /** Puts `item` at the tail (never waits: unbounded). */
  put(item: T): Promise<void> {
    return this.putItem(item, undefined, false);
  }

  /** Takes the head item, waiting for one; `Empty` after `timeout` ms. */
  get(options?: WaitOptions): Promise<T> {
    return this.getItem(options, false);
  }
}

function encode(item: unknown): string {
  try {
    return serialize(item).toString('base64');
  } catch (error) {
    throw misuse(ErrorCode.NotSerializable, `queue: the item cannot cross to another machine (${(error as Error).message}); send plain data`, error);
  }
}

function decode(encoded: string): unknown {
  return deserialize(Buffer.from(encoded, 'base64'));
}
