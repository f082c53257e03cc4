/**
 * `AsyncResult`: the eventual result of `Pool.applyAsync()` / `mapAsync()` —
 * Python's `multiprocessing.pool.AsyncResult` (`ApplyResult`).
 *
 * Guarantees: it settles once; `callback(value)` or `errorCallback(error)`
 * runs exactly once, synchronously in the pool's call that settles it, after
 * the state is set (so `ready()` is already true inside it — in CPython it is
 * still false there) and before any `get()`/`wait()` resumes; a callback that
 * throws is reported on stderr and never breaks the pool (CPython's would
 * kill its result-handler thread). `get()` rejects with the task's own error;
 * `wait()` never does.
 *
 * As for futures, a failed result nobody asks for is not an unhandled
 * rejection: the outcome lives in plain fields and promises are made on
 * demand.
 *
 * | state     | ready() | successful()       | get()            |
 * |-----------|---------|--------------------|------------------|
 * | `pending` | false   | `ERR_NOT_READY`    | waits            |
 * | `ok`      | true    | true               | the value        |
 * | `failed`  | true    | false              | rejects with the error |
 */
import { inspect } from 'node:util';
import { ErrorCode, TimeoutError, invalidArg, misuse } from '../errors.js';
import { Deadline } from '../internal/deadline.js';
import { holdEventLoop, releaseEventLoop } from '../internal/keepalive.js';
import { checkWaitOptions, type WaitOptions } from '../runtime/options.js';
import { waitForWake } from './future.js';

/** Pool only: settles the result — `[kSettle](true, value)` or `[kSettle](false, error)`. */
export const kSettle = Symbol('AsyncResult.settle');

const inspectSymbol = Symbol.for('nodejs.util.inspect.custom');

/** The callbacks `applyAsync`/`mapAsync` take: Python's `callback` and `error_callback`. */
export interface AsyncResultCallbacks<R> {
  callback?: (value: R) => void;
  errorCallback?: (error: Error) => void;
}

/** What `AsyncResult.statistics()` returns. */
export interface AsyncResultStatistics {
  readonly ready: boolean;
  readonly waiting: number;
}

type State<R> =
  | { readonly kind: 'pending' }
  | { readonly kind: 'ok'; readonly value: R }
  | { readonly kind: 'failed'; readonly error: Error };

/**
 * A pool task's eventual result: Python's `multiprocessing.pool.AsyncResult`.
 *
 * @example
 * ```ts
 * const result = pool.applyAsync(square, [7], { callback: (v) => console.log('got', v) });
 * await result.wait();
 * if (result.successful()) console.log(await result.get()); // 49
 * ```
 */
export class AsyncResult<R = unknown> {
  #state: State<R> = { kind: 'pending' };
  #promised: Promise<R> | undefined;
  #settleOutcome: ((ok: boolean, value: unknown) => void) | undefined;
  // Method syntax: bivariant, so AsyncResult<number> stays assignable to AsyncResult<unknown>.
  #callbacks: { callback?(value: R): void; errorCallback?(error: Error): void } | undefined;
  // Made on the first timed wait: most results are only ever awaited with a plain get().
  #waiters: Set<{ readonly wake: () => void }> | undefined;

  /** Made by the pool; `callbacks` run once when it settles. */
  constructor(callbacks?: AsyncResultCallbacks<R>) {
    if (callbacks === undefined) return;
    if (typeof callbacks !== 'object' || callbacks === null) {
      throw invalidArg(`pool: options must be an object like { callback, errorCallback }, got ${callbacks === null ? 'null' : typeof callbacks}`, 'type');
    }
    for (const name of ['callback', 'errorCallback'] as const) {
      const fn = callbacks[name];
      if (fn !== undefined && typeof fn !== 'function') throw invalidArg(`pool: ${name} must be a function, got ${typeof fn}`, 'type');
    }
    this.#callbacks = { callback: callbacks.callback, errorCallback: callbacks.errorCallback };
  }

  /**
   * Resolves with the result, or rejects with the task's error; rejects with
   * `TimeoutError` if `timeout` ms pass first, with `signal.reason` on abort.
   *
   * @example
   * ```ts
   * const value = await result.get({ timeout: 5000 });
   * ```
   */
  get(options?: WaitOptions): Promise<R> {
    // The common call, no timeout or signal, is the hot path of a burst: one promise, no timed wait.
    if (options === undefined) return this.#outcome();
    return this.#getWithin(options);
  }

  async #getWithin(options: WaitOptions): Promise<R> {
    const { timeout } = checkWaitOptions(options);
    await this.#waitReady(options);
    const state = this.#state;
    if (state.kind === 'pending') throw new TimeoutError(`pool: the result was not ready within ${timeout} ms`);
    if (state.kind === 'failed') throw state.error;
    return state.value;
  }

  /**
   * Resolves once the result is ready, or when `timeout` ms pass — never
   * with the task's error. An aborted `signal` rejects with its reason.
   *
   * @example
   * ```ts
   * await result.wait({ timeout: 1000 });
   * console.log(result.ready());
   * ```
   */
  async wait(options?: WaitOptions): Promise<void> {
    checkWaitOptions(options);
    await this.#waitReady(options);
  }

  /** True once the task has finished (either way). @example `if (result.ready()) …` */
  ready(): boolean {
    return this.#state.kind !== 'pending';
  }

  /**
   * True if the task returned, false if it threw; not ready yet:
   * `ERR_NOT_READY` (Python's ValueError).
   *
   * @example
   * ```ts
   * await result.wait();
   * console.log(result.successful() ? 'ok' : 'failed');
   * ```
   */
  successful(): boolean {
    if (this.#state.kind === 'pending') throw misuse(ErrorCode.NotReady, `pool: successful() of an AsyncResult that is not ready; await wait() first`);
    return this.#state.kind === 'ok';
  }

  /**
   * A snapshot: whether the result is ready and how many `get()`/`wait()`
   * calls wait for it.
   *
   * @example
   * ```ts
   * result.statistics(); // { ready: false, waiting: 2 }
   * ```
   */
  statistics(): AsyncResultStatistics {
    // Plain get() calls share one promise: they count as one waiter.
    const outcomeWaiting = this.#settleOutcome === undefined ? 0 : 1;
    return Object.freeze({ ready: this.ready(), waiting: (this.#waiters?.size ?? 0) + outcomeWaiting });
  }

  /**
   * Pool only: settles with `value` (ok) or `error` (failed), runs the
   * matching callback, wakes the waiters. Twice: `ERR_INVALID_STATE`.
   */
  [kSettle](ok: true, value: R): void;
  [kSettle](ok: false, error: Error): void;
  [kSettle](ok: boolean, outcome: R | Error): void {
    if (this.#state.kind !== 'pending') throw misuse(ErrorCode.InvalidState, `pool: an AsyncResult settled twice: ${this}`);
    this.#state = ok ? { kind: 'ok', value: outcome as R } : { kind: 'failed', error: outcome as Error };
    const callbacks = this.#callbacks;
    this.#callbacks = undefined;
    if (callbacks !== undefined) this.#runCallback(ok, outcome, callbacks);
    const waiters = this.#waiters;
    this.#waiters = undefined;
    if (waiters !== undefined) for (const { wake } of waiters) wake();
    if (this.#settleOutcome !== undefined) {
      this.#settleOutcome(ok, outcome);
      this.#settleOutcome = undefined;
      releaseEventLoop();
    }
  }

  /** Python's callback/error_callback; one that throws is reported and never breaks the pool. */
  #runCallback(ok: boolean, outcome: unknown, callbacks: { callback?(value: R): void; errorCallback?(error: Error): void }): void {
    try {
      if (ok) callbacks.callback?.(outcome as R);
      else callbacks.errorCallback?.(outcome as Error);
    } catch (error) {
      process.stderr.write(`exception calling ${ok ? 'callback' : 'errorCallback'} for ${this}\n${inspect(error)}\n`);
    }
  }

  /** One promise of the result, made on the first plain `get()`; a pending one holds the event loop until it settles. */
  #outcome(): Promise<R> {
    if (this.#promised !== undefined) return this.#promised;
    const state = this.#state;
    if (state.kind === 'ok') this.#promised = Promise.resolve(state.value);
    else if (state.kind === 'failed') this.#promised = Promise.reject(state.error);
    else {
      holdEventLoop();
      this.#promised = new Promise<R>((resolve, reject) => {
        this.#settleOutcome = (ok, value) => (ok ? resolve(value as R) : reject(value));
      });
    }
    return this.#promised;
  }

  /** `<AsyncResult pending>`, `<AsyncResult ready successful>`, `<AsyncResult ready failed Error>`. */
  [inspectSymbol](): string {
    const state = this.#state;
    switch (state.kind) {
      case 'pending':
        return '<AsyncResult pending>';
      case 'ok':
        return '<AsyncResult ready successful>';
      case 'failed':
        return `<AsyncResult ready failed ${(state.error as { name?: unknown } | null)?.name ?? typeof state.error}>`;
      default:
        return assertNever(state);
    }
  }

  toString(): string {
    return this[inspectSymbol]();
  }

  /** Returns when ready or at the timeout (the caller looks at the state); rejects on abort. */
  async #waitReady(options: WaitOptions | undefined): Promise<void> {
    const { timeout, signal } = options ?? {};
    signal?.throwIfAborted();
    if (this.ready() || timeout === 0) return;
    await waitForWake((wake) => {
      const entry = { wake };
      const waiters = (this.#waiters ??= new Set());
      waiters.add(entry);
      return () => waiters.delete(entry);
    }, Deadline.after(timeout), signal);
  }
}

function assertNever(value: never): never {
  throw new Error(`unreachable: ${String(value)}`);
}
