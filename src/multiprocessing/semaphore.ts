/**
 * `Semaphore` and `BoundedSemaphore`: a counter of permits shared by every
 * thread of every process of the tree — Python's `multiprocessing.Semaphore`
 * and `BoundedSemaphore`, with the API of `weft/threading`'s (including
 * `release(n)`, which Python's multiprocessing lacks).
 *
 * How they differ from their thread-scope twins: the count lives in the hub
 * (`backends/hub/semaphore.ts`) and every call is a round trip to it (tens
 * of µs). As there: waiters are served in arrival order and a release hands
 * its permits straight to them; a BoundedSemaphore refuses a release above
 * its initial value (`ERR_SEMAPHORE_OVER_RELEASE`), changing nothing;
 * permits have no owner, so a process that ends holding some keeps them.
 */
import { MAX_SEMAPHORE_VALUE } from '../backends/atomics/semaphore.js';
import { hubCall, hubCallSync, hubCreate, TIMED_OUT } from '../backends/hub/client.js';
import { kHandle, registerHandleKind, type Handle, type Shareable } from '../codec/handles.js';
import { invalidArg } from '../errors.js';
import { holding, holdingSync } from '../sync/acquire.js';
import { checkSyncWaitOptions, checkWaitOptions, type SyncWaitOptions, type WaitOptions } from '../sync/options.js';
import { inspectSymbol } from '../sync/owner.js';
import { hubHandle, kHubId, type HubBacked, type HubHandleData } from './hub-object.js';
import { Cls, Op, traceRemote, tracing } from '../trace/tracing.js';

export interface ProcessSemaphoreStatistics {
  /** Permits available now. */
  readonly value: number;
  /** The value the semaphore was created with (a BoundedSemaphore's bound). */
  readonly initial: number;
  readonly waiting: number;
}

let attachingId: number | undefined;

/**
 * A counting semaphore for threads and processes: Python's `multiprocessing.Semaphore`.
 *
 * @example
 * ```ts
 * const slots = new Semaphore(3); // at most 3 processes download at once
 * // in each process:
 * await slots.withLock(() => download(url));
 * ```
 */
export class Semaphore implements Shareable, HubBacked {
  readonly #id: number;

  constructor(value = 1) {
    if (attachingId !== undefined) {
      this.#id = attachingId;
      attachingId = undefined;
      return;
    }
    if (!Number.isInteger(value) || value < 0 || value > MAX_SEMAPHORE_VALUE) {
      throw invalidArg(`sync: a semaphore's initial value must be an integer from 0 to ${MAX_SEMAPHORE_VALUE}, got ${String(value)}`);
    }
    this.#id = hubCreate(this.#kind, [value], this);
  }

  get #kind(): string {
    return this instanceof BoundedSemaphore ? 'multiprocessing.BoundedSemaphore' : 'multiprocessing.Semaphore';
  }

  /** Takes a permit, waiting while there is none. False on timeout. */
  async acquire(options?: WaitOptions): Promise<boolean> {
    const { timeout, signal } = checkWaitOptions(options);
    signal?.throwIfAborted();
    if (tracing) this.#trace(Op.Request, 0);
    return this.#took(await hubCall(this.#id, 'acquire', [], { timeout, signal }));
  }

  /** As `acquire`, blocking the calling thread while it waits. */
  acquireSync(options?: SyncWaitOptions): boolean {
    const { timeout } = checkSyncWaitOptions(options);
    if (tracing) this.#trace(Op.Request, 0);
    return this.#took(hubCallSync(this.#id, 'acquire', [], timeout));
  }

  /** Takes a permit if one is available; never waits. */
  tryAcquire(): boolean {
    if (tracing) this.#trace(Op.Request, 0);
    return this.#took(hubCallSync(this.#id, 'acquire', [], 0));
  }

  #took(answer: unknown): boolean {
    if (tracing) this.#trace(answer === TIMED_OUT ? Op.TimedOut : Op.Acquired, 1);
    return answer !== TIMED_OUT;
  }

  #trace(op: number, value: number): void {
    traceRemote(op, this instanceof BoundedSemaphore ? Cls.BoundedSemaphore : Cls.Semaphore, this.#id, value);
  }

  /** Adds `n` permits (default 1), waking up to `n` waiters. */
  release(n = 1): void {
    if (!Number.isInteger(n) || n < 1) {
      throw invalidArg(`sync: release(n) needs a whole number n >= 1, got ${String(n)}`);
    }
    hubCallSync(this.#id, 'release', [n]);
    if (tracing) this.#trace(Op.Released, n);
  }

  /** Runs `fn` holding one permit. Rejects with `TimeoutError` if none came within `timeout`. */
  withLock<R>(fn: () => R | Promise<R>, options?: WaitOptions): Promise<R> {
    return holding(this, fn, options, `${this.constructor.name} permit`);
  }

  withLockSync<R>(fn: () => R): R {
    return holdingSync(this, fn);
  }

  statistics(): ProcessSemaphoreStatistics {
    return Object.freeze(hubCallSync(this.#id, 'statistics') as ProcessSemaphoreStatistics);
  }

  get [kHubId](): number {
    return this.#id;
  }

  [kHandle](): Handle {
    const data: HubHandleData = { id: this.#id };
    return hubHandle(this.#kind, data);
  }

  [inspectSymbol](): string {
    const { value, initial, waiting } = this.statistics();
    const shown = this instanceof BoundedSemaphore ? `value=${value}/${initial}` : `value=${value}`;
    return `<${this.constructor.name} ${shown} waiting=${waiting}>`;
  }

  toString(): string {
    return this[inspectSymbol]();
  }

  /** Rebuilds a semaphore of this class over the hub object of a handle. */
  static fromHandle<S extends Semaphore>(this: new () => S, data: HubHandleData): S {
    attachingId = data.id;
    return new this();
  }
}

/**
 * A semaphore that may not be released above its initial value: Python's
 * `multiprocessing.BoundedSemaphore`.
 *
 * @example
 * ```ts
 * const pool = new BoundedSemaphore(2);
 * pool.acquireSync();
 * pool.release();
 * pool.release(); // throws ERR_SEMAPHORE_OVER_RELEASE
 * ```
 */
export class BoundedSemaphore extends Semaphore {}

registerHandleKind<HubHandleData>('multiprocessing.Semaphore', (data) => Semaphore.fromHandle(data));
registerHandleKind<HubHandleData>('multiprocessing.BoundedSemaphore', (data) => BoundedSemaphore.fromHandle(data));
