/**
 * `Future`: the eventual outcome of a task submitted to an executor —
 * Python's `concurrent.futures.Future`, awaitable.
 *
 * Guarantees: a future settles at most once; `cancel()` succeeds only while
 * the task has not started; done callbacks run exactly once each, in the
 * order they were added, synchronously in the call that finishes or cancels
 * the future (or at once in `addDoneCallback` if it is already done); a
 * callback that throws is reported on stderr, as Python logs it, and the
 * others still run. Non-guarantees: nothing about *when* an executor starts a
 * task, and `running()` is a snapshot.
 *
 * A failed future nobody looks at is not an unhandled rejection: Python never
 * raises an exception nobody asked for, so the outcome lives in plain fields
 * and a promise is made only when `result()`, `exception()` or `then()` asks.
 *
 * The state machine, after CPython's `Lib/concurrent/futures/_base.py`
 * (https://github.com/python/cpython/blob/3.13/Lib/concurrent/futures/_base.py):
 *
 * | state       | entered by                                   | done | running | cancelled | may become                  |
 * |-------------|----------------------------------------------|------|---------|-----------|-----------------------------|
 * | `PENDING`   | the constructor                              | no   | no      | no        | RUNNING, CANCELLED, FINISHED |
 * | `RUNNING`   | `[kSetRunningOrNotifyCancel]()` → true       | no   | yes     | no        | FINISHED                    |
 * | `CANCELLED` | `cancel()` while PENDING                     | yes  | no      | yes       | — (final)                   |
 * | `FINISHED`  | `[kSetResult]` / `[kSetException]`           | yes  | no      | no        | — (final)                   |
 *
 * One deliberate difference from CPython: there, `wait()` and `as_completed()`
 * learn of a cancellation only when the executor later calls
 * `set_running_or_notify_cancel()` (state `CANCELLED_AND_NOTIFIED`), so a
 * future cancelled by `shutdown(cancel_futures=True)` can leave them waiting
 * forever. Here every waiter is woken by `cancel()` itself, and
 * `[kSetRunningOrNotifyCancel]()` only reports it.
 *
 * The executor drives a future through the `k…` symbols below, which are not
 * part of the public API (they are not re-exported from `weft/futures`).
 */
import { inspect } from 'node:util';
import { CancelledError, ErrorCode, TimeoutError, invalidArg, misuse } from '../errors.js';
import { Deadline } from '../internal/deadline.js';
import { holdEventLoop, releaseEventLoop } from '../internal/keepalive.js';
import { checkWaitOptions, type WaitOptions } from '../runtime/options.js';

/** Executor only: Python's `set_running_or_notify_cancel()`. */
export const kSetRunningOrNotifyCancel = Symbol('Future.setRunningOrNotifyCancel');
/** Executor only: Python's `set_result()`. */
export const kSetResult = Symbol('Future.setResult');
/** Executor only: Python's `set_exception()`. */
export const kSetException = Symbol('Future.setException');
/** `wait`/`asCompleted` only: a removable, internal done listener (Python's `_waiters`). */
export const kAddWaiter = Symbol('Future.addWaiter');
/** `wait` only: true once the future finished by raising (not cancelled). */
export const kRaised = Symbol('Future.raised');

const inspectSymbol = Symbol.for('nodejs.util.inspect.custom');

/** Python's names for the states of a future. */
export type FutureStateName = 'PENDING' | 'RUNNING' | 'CANCELLED' | 'FINISHED';

/** What `Future.statistics()` returns. */
export interface FutureStatistics {
  readonly state: FutureStateName;
  readonly waiting: number;
  readonly callbacks: number;
}

/** The heap state of a future: a discriminated union, so the outcome only exists once finished. */
type State<R> =
  | { readonly kind: 'PENDING' }
  | { readonly kind: 'RUNNING' }
  // `notified`: the executor has been told (kSetRunningOrNotifyCancel), so a second call is a bug.
  | { readonly kind: 'CANCELLED'; notified: boolean }
  | { readonly kind: 'FINISHED'; readonly ok: true; readonly value: R }
  | { readonly kind: 'FINISHED'; readonly ok: false; readonly error: Error };

/**
 * A stored done callback. Method syntax makes its parameter bivariant, so
 * that `Future<number>` stays assignable to `Future<unknown>` (a function-typed
 * field would make `Future` invariant in `R`).
 */
type DoneCallback<R> = { call(future: Future<R>): void }['call'];

let nextId = 1;

/**
 * The eventual outcome of a task: Python's `concurrent.futures.Future`.
 * `await future` gives the result or throws the task's error.
 *
 * @example
 * ```ts
 * const future = executor.submit(add, 1, 2);   // Future<number>
 * future.addDoneCallback((f) => console.log('done', f));
 * console.log(await future);                   // 3 (or: await future.result({ timeout: 1000 }))
 * ```
 */
export class Future<R = unknown> implements PromiseLike<R> {
  #state: State<R> = { kind: 'PENDING' };
  // Public callbacks run once, in order; internal waiters can be removed (wait/asCompleted give up on them).
  #callbacks: DoneCallback<R>[] = [];
  #waiters = new Set<{ readonly wake: () => void }>();
  readonly #id = nextId++;
  #settled: Promise<R> | undefined;

  /** A pending future. Executors make them; a test may make one and settle it through the executor symbols. */
  constructor() {}

  /**
   * Resolves with the task's result; rejects with the task's error, with
   * `CancelledError` if the future was cancelled, or with `TimeoutError` if
   * `timeout` ms pass first. An aborted `signal` rejects with its reason.
   *
   * @example
   * ```ts
   * const value = await future.result({ timeout: 5000 });
   * ```
   */
  result(options?: WaitOptions): Promise<R> {
    // No timeout or signal: the one outcome promise `await future` uses too.
    if (options === undefined) return this.#outcome();
    return this.#resultWithin(options);
  }

  async #resultWithin(options: WaitOptions): Promise<R> {
    await this.#waitDone(options);
    const state = this.#state;
    if (state.kind === 'CANCELLED') throw cancelledError();
    if (state.kind !== 'FINISHED') throw new Error('unreachable: a future waited for is done');
    if (!state.ok) throw state.error;
    return state.value;
  }

  /**
   * Resolves with the task's error, or `undefined` if it succeeded; rejects
   * with `CancelledError` if the future was cancelled, and as `result()` on
   * timeout or abort.
   *
   * @example
   * ```ts
   * const error = await future.exception();
   * if (error !== undefined) console.error('task failed:', error);
   * ```
   */
  async exception(options?: WaitOptions): Promise<Error | undefined> {
    await this.#waitDone(options);
    const state = this.#state;
    if (state.kind === 'CANCELLED') throw cancelledError();
    if (state.kind !== 'FINISHED') throw new Error('unreachable: a future waited for is done');
    return state.ok ? undefined : state.error;
  }

  /**
   * Cancels the task if it has not started: true if the future is (now)
   * cancelled, false if it is running or finished. Cancelling wakes every
   * waiter (they get `CancelledError`) and runs the done callbacks.
   *
   * @example
   * ```ts
   * if (future.cancel()) console.log('the task will never run');
   * ```
   */
  cancel(): boolean {
    const state = this.#state;
    switch (state.kind) {
      case 'RUNNING':
      case 'FINISHED':
        return false;
      case 'CANCELLED':
        return true;
      case 'PENDING':
        this.#finish({ kind: 'CANCELLED', notified: false });
        return true;
      default:
        return assertNever(state);
    }
  }

  /** True once `cancel()` succeeded. @example `if (future.cancelled()) …` */
  cancelled(): boolean {
    return this.#state.kind === 'CANCELLED';
  }

  /** True while the task runs. @example `if (future.running()) …` */
  running(): boolean {
    return this.#state.kind === 'RUNNING';
  }

  /** True once finished or cancelled. @example `if (future.done()) console.log(await future)` */
  done(): boolean {
    return this.#state.kind === 'CANCELLED' || this.#state.kind === 'FINISHED';
  }

  /**
   * Calls `fn(future)` once the future is done — at once, synchronously, if
   * it already is. Callbacks run in the order they were added, in the call
   * that finishes or cancels the future. One that throws is reported on
   * stderr (`exception calling callback for <Future …>`) and the others run.
   *
   * @example
   * ```ts
   * future.addDoneCallback((f) => console.log(f.cancelled() ? 'cancelled' : 'finished'));
   * ```
   */
  addDoneCallback(fn: (future: Future<R>) => void): void {
    if (typeof fn !== 'function') throw invalidArg(`futures: addDoneCallback() takes a function, got ${typeof fn}`, 'type');
    if (this.done()) this.#invoke(fn);
    else this.#callbacks.push(fn);
  }

  /**
   * Makes the future awaitable: `await future` is `await future.result()`.
   *
   * @example
   * ```ts
   * const value = await future;
   * ```
   */
  then<T1 = R, T2 = never>(
    onfulfilled?: ((value: R) => T1 | PromiseLike<T1>) | null,
    // `any`, not `unknown`: PromiseLike's own signature, so a Future is assignable to PromiseLike<R>.
    onrejected?: ((reason: any) => T2 | PromiseLike<T2>) | null,
  ): Promise<T1 | T2> {
    return this.#outcome().then(onfulfilled, onrejected);
  }

  /**
   * One promise of the outcome, made when first awaited — `await future` is
   * the hot path of an executor, and `result()` with its options costs a
   * timer-capable wait per call. A pending future holds the event loop until
   * it settles, as `result()` does.
   */
  #outcome(): Promise<R> {
    if (this.#settled !== undefined) return this.#settled;
    if (this.done()) {
      this.#settled = this.#settledPromise();
      return this.#settled;
    }
    holdEventLoop();
    this.#settled = new Promise<void>((resolve) => this[kAddWaiter](resolve)).then(() => {
      releaseEventLoop();
      return this.#settledPromise();
    });
    return this.#settled;
  }

  #settledPromise(): Promise<R> {
    const state = this.#state;
    if (state.kind === 'CANCELLED') return Promise.reject(cancelledError());
    if (state.kind !== 'FINISHED') return Promise.reject(new Error('unreachable: a settled future is done'));
    return state.ok ? Promise.resolve(state.value) : Promise.reject(state.error);
  }

  /**
   * Executor only. Python's `set_running_or_notify_cancel()`: false if the
   * future was cancelled (the task must then not run); otherwise the future
   * becomes RUNNING (it can no longer be cancelled) and the result is true.
   * Called twice, or on a finished future: `ERR_INVALID_STATE`.
   */
  [kSetRunningOrNotifyCancel](): boolean {
    const state = this.#state;
    if (state.kind === 'PENDING') {
      this.#state = { kind: 'RUNNING' };
      return true;
    }
    if (state.kind === 'CANCELLED' && !state.notified) {
      state.notified = true;
      return false;
    }
    throw misuse(ErrorCode.InvalidState, `futures: setRunningOrNotifyCancel() on a future that is already ${describeState(state)}: ${this}`);
  }

  /** Executor only. Python's `set_result()`: finishes the future with `value`. Done or cancelled: `ERR_INVALID_STATE`. */
  [kSetResult](value: R): void {
    this.#checkSettable('setResult');
    this.#finish({ kind: 'FINISHED', ok: true, value });
  }

  /** Executor only. Python's `set_exception()`: finishes the future with `error`. Done or cancelled: `ERR_INVALID_STATE`. */
  [kSetException](error: Error): void {
    this.#checkSettable('setException');
    this.#finish({ kind: 'FINISHED', ok: false, error });
  }

  /**
   * A snapshot of the future: its state, the calls waiting for it
   * (`result()`, `exception()`, `wait()`, `asCompleted()`) and the done
   * callbacks not yet run. Tests use `waiting` to know a waiter is parked.
   *
   * @example
   * ```ts
   * future.statistics(); // { state: 'RUNNING', waiting: 1, callbacks: 0 }
   * ```
   */
  statistics(): FutureStatistics {
    return Object.freeze({ state: this.#state.kind, waiting: this.#waiters.size, callbacks: this.#callbacks.length });
  }

  /** Internal: calls `wake` once when the future is done (never synchronously here); returns a remover. */
  [kAddWaiter](wake: () => void): () => void {
    const entry = { wake };
    this.#waiters.add(entry);
    return () => this.#waiters.delete(entry);
  }

  /** Internal: finished by raising (for `FIRST_EXCEPTION`). */
  [kRaised](): boolean {
    return this.#state.kind === 'FINISHED' && !this.#state.ok;
  }

  /** `<Future #3 state=finished returned number>`, after Python's repr. */
  [inspectSymbol](): string {
    const state = this.#state;
    const head = `<Future #${this.#id} state=${state.kind.toLowerCase()}`;
    if (state.kind !== 'FINISHED') return `${head}>`;
    return state.ok ? `${head} returned ${typeName(state.value)}>` : `${head} raised ${errorName(state.error)}>`;
  }

  toString(): string {
    return this[inspectSymbol]();
  }

  #checkSettable(what: string): void {
    if (this.#state.kind === 'CANCELLED' || this.#state.kind === 'FINISHED') {
      throw misuse(ErrorCode.InvalidState, `futures: ${what}() on a future that is already ${describeState(this.#state)}: ${this}`);
    }
  }

  /** Enters a final state, then wakes the waiters and runs the callbacks, as CPython does (waiters first). */
  #finish(state: State<R>): void {
    this.#state = state;
    const waiters = [...this.#waiters];
    this.#waiters.clear();
    for (const { wake } of waiters) wake();
    const callbacks = this.#callbacks;
    this.#callbacks = [];
    for (const fn of callbacks) this.#invoke(fn);
  }

  #invoke(fn: DoneCallback<R>): void {
    try {
      fn(this);
    } catch (error) {
      // Python: LOGGER.exception('exception calling callback for %r', self). A callback never breaks the executor.
      process.stderr.write(`exception calling callback for ${this}\n${inspect(error)}\n`);
    }
  }

  /** Returns once the future is done; throws TimeoutError when `timeout` ms pass first, `signal.reason` on abort. */
  async #waitDone(options: WaitOptions | undefined): Promise<void> {
    const { timeout, signal } = checkWaitOptions(options);
    signal?.throwIfAborted();
    if (this.done()) return;
    if (timeout !== 0) await waitForWake((wake) => this[kAddWaiter](wake), Deadline.after(timeout), signal);
    // Re-check rather than trust the wait's answer, as CPython does after its condition wait.
    if (!this.done()) throw new TimeoutError(`futures: the future did not finish within ${timeout} ms`);
  }
}

/**
 * Internal: waits until `subscribe`'s wake function is called (true), the
 * deadline passes (false), or `signal` aborts (rejects with its reason).
 * The listener is removed on every path, and the event loop is held while
 * waiting — as `join()` holds it — so awaiting a future keeps the program
 * alive, as Python's blocking `result()` does, even if the workers are unref'd.
 */
export function waitForWake(subscribe: (wake: () => void) => () => void, deadline: Deadline, signal: AbortSignal | undefined): Promise<boolean> {
  return new Promise<boolean>((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    if (deadline.expired()) return resolve(false);
    let settled = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let unsubscribe: (() => void) | undefined;
    const onAbort = (): void => finish(() => reject(signal?.reason));
    const finish = (settle: () => void): void => {
      if (settled) return;
      settled = true;
      if (timer !== undefined) clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      unsubscribe?.();
      releaseEventLoop();
      settle();
    };
    holdEventLoop();
    unsubscribe = subscribe(() => finish(() => resolve(true)));
    // A subscriber that woke us synchronously: finish() ran before the remover existed.
    if (settled) return void unsubscribe();
    if (!deadline.infinite) timer = setTimeout(() => finish(() => resolve(false)), deadline.remaining());
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function cancelledError(): CancelledError {
  return new CancelledError('futures: the future was cancelled');
}

function describeState(state: State<unknown>): string {
  return state.kind === 'CANCELLED' ? 'cancelled' : state.kind === 'FINISHED' ? 'finished' : state.kind.toLowerCase();
}

/** Python's `type(result).__name__`: the class name of an object, `typeof` of a primitive. */
function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value !== 'object' && typeof value !== 'function') return typeof value;
  const name = (Object.getPrototypeOf(value) as { constructor?: { name?: unknown } } | null)?.constructor?.name;
  return typeof name === 'string' && name !== '' ? name : 'Object';
}

function errorName(error: unknown): string {
  const name = (error as { name?: unknown } | null)?.name;
  return typeof name === 'string' ? name : typeName(error);
}

function assertNever(value: never): never {
  throw new Error(`unreachable: ${String(value)}`);
}
