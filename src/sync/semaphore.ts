/**
 * `Semaphore` and `BoundedSemaphore`: a counter of permits — Python's
 * `threading.Semaphore` and `threading.BoundedSemaphore`; with the count in
 * the hub, `weft/multiprocessing`'s (subclasses that only pick the hub
 * core). `release(n)` exists at both scopes, though Python's
 * multiprocessing lacks it.
 *
 * `acquire` takes one permit, waiting while there is none; `release(n)` adds
 * n. Waiters are served in arrival order, and a release hands its permits
 * straight to them. A `BoundedSemaphore` refuses a release that would take it
 * above its initial value (`ERR_SEMAPHORE_OVER_RELEASE`), changing nothing.
 * Semaphores have no owner: a thread (or process) that ends holding permits
 * keeps them.
 *
 * The state is a core (`backends/cores/semaphore.ts`): the state machine of
 * `backends/atomics/semaphore.ts` at thread scope, `backends/hub/semaphore.ts`
 * at process scope.
 */
import { MAX_SEMAPHORE_VALUE } from '../backends/atomics/semaphore.js';
import {
  AtomicsSemaphoreCore,
  atomicsSemaphoreCores,
  BOUNDED_SEMAPHORE_HANDLE_KIND,
  SEMAPHORE_HANDLE_KIND,
} from '../backends/atomics/semaphore-core.js';
import type { SemaphoreCore, SemaphoreCores, SemaphoreStatistics } from '../backends/cores/semaphore.js';
import { kHubId } from '../backends/hub/hub-id.js';
import { kHandle, registerHandleKind, type Handle, type Shareable } from '../codec/handles.js';
import { ErrorCode, invalidArg, misuse } from '../errors.js';
import { Cls, Op, tracing } from '../trace/tracing.js';
import { holding, holdingSync } from './acquire.js';
import { Attached, kCores } from './attach.js';
import { checkSyncWaitOptions, checkWaitOptions, type SyncWaitOptions, type WaitOptions } from '../runtime/options.js';
import { inspectSymbol } from '../runtime/owner.js';
import { kWaitingWord } from './lock-protocol.js';
import { waitingWordOf } from './waiting-word.js';

export type { SemaphoreStatistics } from '../backends/cores/semaphore.js';

/** The static slot saying whether a semaphore class is bounded. */
export const kBounded = Symbol('weft.bounded');

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
  /** Where new semaphores of this class keep their count (overridden by `weft/multiprocessing`'s subclasses). */
  static [kCores]: SemaphoreCores = atomicsSemaphoreCores;
  /** True for the BoundedSemaphore classes. */
  static [kBounded] = false;

  readonly #core: SemaphoreCore;

  /** @internal Rebuilds a semaphore over the state of a handle (internal: handles only). */
  constructor(attached: Attached<SemaphoreCore>);
  constructor(value?: number);
  constructor(value: number | Attached<SemaphoreCore> = 1) {
    if (value instanceof Attached) {
      this.#core = value.core;
      return;
    }
    if (!Number.isInteger(value) || value < 0 || value > MAX_SEMAPHORE_VALUE) {
      throw invalidArg(`sync: a semaphore's initial value must be an integer from 0 to ${MAX_SEMAPHORE_VALUE}, got ${String(value)}`);
    }
    const of = new.target as typeof Semaphore;
    this.#core = of[kCores].create(this, value, of[kBounded]);
  }

  /** Takes a permit, waiting while there is none. False on timeout. */
  async acquire(options?: WaitOptions): Promise<boolean> {
    const { timeout, signal } = checkWaitOptions(options);
    signal?.throwIfAborted();
    const core = this.#core;
    if (core.localFastPath && this.#tryLocal()) return true;
    if (tracing) this.#trace(Op.Request, 0);
    if (timeout === 0 && core.localFastPath) return this.#timedOut();
    if (!tracing) return core.acquire(timeout, signal);
    let took = false;
    try {
      return (took = await core.acquire(timeout, signal));
    } finally {
      this.#traceWaited(took);
    }
  }

  /** As `acquire`, blocking the calling thread while it waits. */
  acquireSync(options?: SyncWaitOptions): boolean {
    const { timeout } = checkSyncWaitOptions(options);
    const core = this.#core;
    if (core.localFastPath && this.#tryLocal()) return true;
    if (tracing) this.#trace(Op.Request, 0);
    if (timeout === 0 && core.localFastPath) return this.#timedOut();
    const took = core.acquireSync(timeout);
    if (tracing) this.#traceWaited(took);
    return took;
  }

  /** Takes a permit if one is available; never waits. */
  tryAcquire(): boolean {
    const core = this.#core;
    if (core.localFastPath) return this.#tryLocal();
    // A remote try is a request answered at once: traced as one, like every remote acquire.
    if (tracing) this.#trace(Op.Request, 0);
    const took = core.tryAcquire();
    if (tracing) this.#traceWaited(took);
    return took;
  }

  /** The fast path of a core in local memory: traced only when it takes a permit. */
  #tryLocal(): boolean {
    const took = this.#core.tryAcquire();
    if (tracing && took) this.#trace(Op.Acquired, 0);
    return took;
  }

  #timedOut(): false {
    if (tracing) this.#trace(Op.TimedOut, 0);
    return false;
  }

  #traceWaited(took: boolean): void {
    // A local wait that timed out is traced with 0; a remote answer always with 1 (one round trip).
    this.#trace(took ? Op.Acquired : Op.TimedOut, took || !this.#core.localFastPath ? 1 : 0);
  }

  #trace(op: number, value: number): void {
    this.#core.trace(op, this.#core.bounded ? Cls.BoundedSemaphore : Cls.Semaphore, value);
  }

  /** Adds `n` permits (default 1), waking up to `n` waiters. */
  release(n = 1): void {
    if (!Number.isInteger(n) || n < 1) {
      throw invalidArg(`sync: release(n) needs a whole number n >= 1, got ${String(n)}`);
    }
    const outcome = this.#core.release(n);
    if (outcome === 'over-bound') {
      throw misuse(ErrorCode.SemaphoreOverRelease, `sync: BoundedSemaphore released too many times (its bound is ${this.#core.statistics().initial})`);
    }
    if (outcome === 'overflow') {
      throw invalidArg(`sync: a semaphore cannot count above ${MAX_SEMAPHORE_VALUE}`);
    }
    if (tracing) this.#trace(Op.Released, n);
  }

  /** Runs `fn` holding one permit. Rejects with `TimeoutError` if none came within `timeout`. */
  withLock<R>(fn: () => R | Promise<R>, options?: WaitOptions): Promise<R> {
    return holding(this, fn, options, `${this.constructor.name} permit`);
  }

  withLockSync<R>(fn: () => R): R {
    return holdingSync(this, fn);
  }

  statistics(): SemaphoreStatistics {
    return Object.freeze(this.#core.statistics());
  }

  get [kWaitingWord](): [Int32Array, number] {
    return waitingWordOf(this.#core);
  }

  /** The object's id in the hub at process scope; undefined at thread scope. */
  get [kHubId](): number | undefined {
    return this.#core.hubId;
  }

  [kHandle](): Handle {
    return this.#core.handle();
  }

  [inspectSymbol](): string {
    const { value, initial, waiting } = this.statistics();
    const shown = this.#core.bounded ? `value=${value}/${initial}` : `value=${value}`;
    return `<${this.constructor.name} ${shown} waiting=${waiting}>`;
  }

  toString(): string {
    return this[inspectSymbol]();
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
export class BoundedSemaphore extends Semaphore {
  static override [kBounded] = true;
}

registerHandleKind<SharedArrayBuffer>(SEMAPHORE_HANDLE_KIND, (buffer) => new Semaphore(new Attached(new AtomicsSemaphoreCore(buffer, false))));
registerHandleKind<SharedArrayBuffer>(BOUNDED_SEMAPHORE_HANDLE_KIND, (buffer) => new BoundedSemaphore(new Attached(new AtomicsSemaphoreCore(buffer, true))));
