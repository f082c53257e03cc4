/**
 * `Semaphore` and `BoundedSemaphore` of the machine scope: a named count of
 * permits shared by every connection of a namespace — the other scopes'
 * API (with `release(n)`), every call async. Server side: semaphore-lua.ts.
 *
 * As elsewhere: waiters are served in arrival order and a release hands its
 * permits straight to them; a BoundedSemaphore refuses a release above its
 * initial value (`ERR_SEMAPHORE_OVER_RELEASE`), changing nothing. Unlike
 * the process scope, permits remember who took them: a connection whose
 * lease runs out gives its permits back (up to the initial value).
 *
 * The initial value is set by the first call to reach the server; opening
 * the same name with another value fails with `ERR_INVALID_ARG`.
 */
import { ErrorCode, invalidArg, misuse, TimeoutError } from '../../errors.js';
import { checkWaitOptions, type WaitOptions } from '../../runtime/options.js';
import { checkName, objectId } from './keys.js';
import type { RedisObjectOptions } from './lock.js';
import type { RedisScope } from './scope.js';
import { checkScope } from './scope-option.js';
import { SEM_ACQUIRE, SEM_RELEASE, SEM_STATE, SEM_WITHDRAW } from './semaphore-lua.js';
import type { WaitSteps } from './waits.js';

/** Options of a machine-scope semaphore. */
export interface RedisSemaphoreOptions extends RedisObjectOptions {
  /** Permits it starts with (default 1). */
  value?: number;
}

export interface RedisSemaphoreStatistics {
  /** Permits free now. */
  readonly value: number;
  /** The value it was created with (a BoundedSemaphore's bound). */
  readonly initial: number;
  /** Waits queued for a permit. */
  readonly waiting: number;
}

const MISMATCH = -1;
const OVER = -2;
const GRANTED = { fence: '0', died: false, wanted: false };

/**
 * A count of permits shared across machines: Python's `Semaphore`, named.
 *
 * @example
 * ```ts
 * import { connect, Semaphore } from 'weft/redis';
 * const redis = await connect({ namespace: 'crawl' });
 * const slots = new Semaphore('api-slots', { redis, value: 4 }); // 4 requests at once, across machines
 * await slots.withLock(() => fetch(url));
 * ```
 */
export class Semaphore {
  /** The semaphore's name in its namespace. */
  readonly name: string;
  readonly #scope: RedisScope;
  readonly #oid: string;
  readonly #initial: number;
  readonly #steps: WaitSteps;

  constructor(name: string, options: RedisSemaphoreOptions) {
    this.name = checkName(name, 'a semaphore name');
    this.#scope = checkScope(options);
    const value = options.value ?? 1;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
      throw invalidArg(`sync: a semaphore's value must be a whole number >= 0, got ${String(value)}`);
    }
    this.#initial = value;
    this.#oid = objectId(this.bounded ? 'bsem' : 'sem', name);
    const id = this.#scope.id;
    this.#steps = {
      enqueue: async (seq, tryOnly) => {
        const answer = this.#check(await this.#run<number>(SEM_ACQUIRE, [id, seq, tryOnly ? 1 : 0]));
        return answer === 1 ? GRANTED : 'queued';
      },
      withdraw: async (seq) => {
        this.#check(await this.#run<number>(SEM_WITHDRAW, [id, seq]));
        return undefined; // granted meanwhile: the script gave the permit back
      },
    };
  }

  /** True for a BoundedSemaphore. */
  protected get bounded(): boolean {
    return false;
  }

  /** Waits for a permit and takes it (FIFO). Resolves true, or false after `timeout` ms; an aborted `signal` rejects. */
  async acquire(options?: WaitOptions): Promise<boolean> {
    const { timeout, signal } = checkWaitOptions(options);
    signal?.throwIfAborted();
    return (await this.#scope.wait(this.#steps, timeout, signal)) !== undefined;
  }

  /** Takes a permit if one is free now; never waits. */
  async tryAcquire(): Promise<boolean> {
    return (await this.#scope.wait(this.#steps, 0, undefined)) !== undefined;
  }

  /** Gives `n` permits back, to waiters first. A BoundedSemaphore refuses to go above its initial value (`ERR_SEMAPHORE_OVER_RELEASE`). */
  async release(n = 1): Promise<void> {
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 1) throw invalidArg(`sync: release(n) takes a whole number >= 1, got ${String(n)}`);
    const answer = this.#check(await this.#run<number>(SEM_RELEASE, [this.#scope.id, n, this.bounded ? 1 : 0]));
    if (answer === OVER) {
      throw misuse(ErrorCode.SemaphoreOverRelease, `sync: BoundedSemaphore '${this.name}' released above its initial value ${this.#initial}`);
    }
  }

  /** Runs `fn` holding a permit and gives it back however `fn` ends; `TimeoutError` if none came within `timeout`. */
  async withLock<R>(fn: () => R | Promise<R>, options?: WaitOptions): Promise<R> {
    if (!(await this.acquire(options))) {
      throw new TimeoutError(`sync: could not acquire a ${this.constructor.name} '${this.name}' permit within ${options?.timeout} ms`);
    }
    try {
      return await fn();
    } finally {
      await this.release();
    }
  }

  /** The semaphore as the server sees it. */
  async statistics(): Promise<RedisSemaphoreStatistics> {
    const [value, initial, waiting] = await this.#run<[number, number, number]>(SEM_STATE, []).then((answer) => {
      this.#check(answer as unknown as number);
      return answer;
    });
    return Object.freeze({ value, initial, waiting });
  }

  toString(): string {
    return `<${this.constructor.name} '${this.name}'>`;
  }

  #run<T>(script: Parameters<RedisScope['run']>[0], args: ReadonlyArray<string | number>): Promise<T> {
    return this.#scope.run<T>(script, this.#oid, [this.#initial, ...args]);
  }

  /** Throws if the name exists with another initial value; else passes the answer on. */
  #check<T>(answer: T): T {
    if (answer === MISMATCH) {
      throw invalidArg(`redis: ${this.constructor.name} '${this.name}' already exists in this namespace with another initial value than ${this.#initial}`);
    }
    return answer;
  }
}

/**
 * A Semaphore that refuses a release above its initial value
 * (`ERR_SEMAPHORE_OVER_RELEASE`): Python's `BoundedSemaphore`, named.
 *
 * @example
 * ```ts
 * const pool = new BoundedSemaphore('db-connections', { redis, value: 10 });
 * await pool.acquire();
 * await pool.release();
 * await pool.release(); // throws: ERR_SEMAPHORE_OVER_RELEASE
 * ```
 */
export class BoundedSemaphore extends Semaphore {
  protected override get bounded(): boolean {
    return true;
  }
}
