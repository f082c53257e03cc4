/**
 * `Semaphore` and `BoundedSemaphore`: a counter of permits — Python's
 * `threading.Semaphore` and `threading.BoundedSemaphore`.
 *
 * `acquire` takes one permit, waiting while there is none; `release(n)` adds
 * n. Waiters are served in arrival order, and a release hands its permits
 * straight to them. A `BoundedSemaphore` refuses a release that would take it
 * above its initial value (`ERR_SEMAPHORE_OVER_RELEASE`), changing nothing.
 * Semaphores have no owner: a thread that ends holding permits keeps them.
 *
 * The state machine is in `backends/atomics/semaphore.ts`.
 */
import { MAX_SEMAPHORE_VALUE, SemaphoreState, SemaphoreWord } from '../backends/atomics/semaphore.js';
import { runtime, currentToken } from '../backends/atomics/runtime.js';
import { runAsync, runSync } from '../backends/atomics/parking.js';
import { kHandle, registerHandleKind, type Handle, type Shareable } from '../codec/handles.js';
import { Deadline } from '../internal/deadline.js';
import { ErrorCode, invalidArg, misuse } from '../errors.js';
import { holding, holdingSync } from './acquire.js';
import { Cls, Op, record, traceIdOf, tracing } from '../trace/tracing.js';
import { checkSyncWaitOptions, checkWaitOptions, type SyncWaitOptions, type WaitOptions } from './options.js';
import { inspectSymbol } from './owner.js';
import { kAttach, kWaitingWord } from './lock-protocol.js';

export interface SemaphoreStatistics {
  /** Permits available now. */
  readonly value: number;
  /** The value the semaphore was created with (a BoundedSemaphore's bound). */
  readonly initial: number;
  readonly waiting: number;
}

let attaching: SharedArrayBuffer | undefined;

/**
 * A counting semaphore: Python's `threading.Semaphore`.
 *
 * @example
 * ```ts
 * const slots = new Semaphore(3); // at most 3 downloads at once
 * await slots.withLock(() => download(url));
 * ```
 */
export class Semaphore implements Shareable {
  readonly #state: SemaphoreState;

  constructor(value = 1) {
    if (!Number.isInteger(value) || value < 0 || value > MAX_SEMAPHORE_VALUE) {
      throw invalidArg(`sync: a semaphore's initial value must be an integer from 0 to ${MAX_SEMAPHORE_VALUE}, got ${String(value)}`);
    }
    const buffer = attaching ?? SemaphoreState.allocate(value);
    attaching = undefined;
    this.#state = new SemaphoreState(buffer, runtime().arena);
  }

  /** Takes a permit, waiting while there is none. False on timeout. */
  async acquire(options?: WaitOptions): Promise<boolean> {
    const { timeout, signal } = checkWaitOptions(options);
    signal?.throwIfAborted();
    if (this.#state.tryAcquire()) {
      if (tracing) this.#trace(Op.Acquired, 0);
      return true;
    }
    if (tracing) this.#trace(Op.Request, 0);
    if (timeout === 0) return this.#timedOut();
    if (!tracing) return runAsync(this.#state.acquireSteps(currentToken(), Deadline.after(timeout)), signal);
    let took = false;
    try {
      return (took = await runAsync(this.#state.acquireSteps(currentToken(), Deadline.after(timeout)), signal));
    } finally {
      this.#trace(took ? Op.Acquired : Op.TimedOut, took ? 1 : 0);
    }
  }

  /** As `acquire`, blocking the calling thread while it waits. */
  acquireSync(options?: SyncWaitOptions): boolean {
    const { timeout } = checkSyncWaitOptions(options);
    if (this.#state.tryAcquire()) {
      if (tracing) this.#trace(Op.Acquired, 0);
      return true;
    }
    if (tracing) this.#trace(Op.Request, 0);
    if (timeout === 0) return this.#timedOut();
    const took = runSync(this.#state.acquireSteps(currentToken(), Deadline.after(timeout)));
    if (tracing) this.#trace(took ? Op.Acquired : Op.TimedOut, took ? 1 : 0);
    return took;
  }

  /** Takes a permit if one is available; never waits. */
  tryAcquire(): boolean {
    const took = this.#state.tryAcquire();
    if (tracing && took) this.#trace(Op.Acquired, 0);
    return took;
  }

  #timedOut(): false {
    if (tracing) this.#trace(Op.TimedOut, 0);
    return false;
  }

  #trace(op: number, value: number): void {
    record(op, this instanceof BoundedSemaphore ? Cls.BoundedSemaphore : Cls.Semaphore, traceIdOf(this.#state.words, SemaphoreWord.TraceId), value);
  }

  /** Adds `n` permits (default 1), waking up to `n` waiters. */
  release(n = 1): void {
    if (!Number.isInteger(n) || n < 1) {
      throw invalidArg(`sync: release(n) needs a whole number n >= 1, got ${String(n)}`);
    }
    const outcome = this.#state.release(n, this.#bound());
    if (outcome === 'over-bound') {
      throw misuse(ErrorCode.SemaphoreOverRelease, `sync: BoundedSemaphore released too many times (its bound is ${this.#state.initial})`);
    }
    if (outcome === 'overflow') {
      throw invalidArg(`sync: a semaphore cannot count above ${MAX_SEMAPHORE_VALUE}`);
    }
    if (tracing) this.#trace(Op.Released, n);
  }

  /** The bound a release may not exceed; none for a plain Semaphore. */
  #bound(): number | undefined {
    return this instanceof BoundedSemaphore ? this.#state.initial : undefined;
  }

  /** Runs `fn` holding one permit. Rejects with `TimeoutError` if none came within `timeout`. */
  withLock<R>(fn: () => R | Promise<R>, options?: WaitOptions): Promise<R> {
    return holding(this, fn, options, `${this.constructor.name} permit`);
  }

  withLockSync<R>(fn: () => R): R {
    return holdingSync(this, fn);
  }

  statistics(): SemaphoreStatistics {
    return Object.freeze({ value: this.#state.value(), initial: this.#state.initial, waiting: this.#state.waiting() });
  }

  get [kWaitingWord](): [Int32Array, number] {
    return [this.#state.words, this.#state.waitingWord];
  }

  [kHandle](): Handle {
    const kind = this instanceof BoundedSemaphore ? 'threading.BoundedSemaphore' : 'threading.Semaphore';
    return { kind, scope: 'thread', data: this.#state.words.buffer };
  }

  [inspectSymbol](): string {
    const { value, initial, waiting } = this.statistics();
    const shown = this instanceof BoundedSemaphore ? `value=${value}/${initial}` : `value=${value}`;
    return `<${this.constructor.name} ${shown} waiting=${waiting}>`;
  }

  toString(): string {
    return this[inspectSymbol]();
  }

  static [kAttach](buffer: SharedArrayBuffer): Semaphore {
    attaching = buffer;
    return new this();
  }
}

/**
 * A semaphore that may not be released above its initial value: Python's
 * `threading.BoundedSemaphore`. Over-releasing is almost always a bug, so it
 * throws `ERR_SEMAPHORE_OVER_RELEASE` instead of silently growing.
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

registerHandleKind<SharedArrayBuffer>('threading.Semaphore', (buffer) => Semaphore[kAttach](buffer));
registerHandleKind<SharedArrayBuffer>('threading.BoundedSemaphore', (buffer) => BoundedSemaphore[kAttach](buffer));
