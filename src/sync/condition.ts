/**
 * `Condition`: a condition variable — Python's `threading.Condition`.
 *
 * Threads holding the condition's lock `wait()` until another thread, holding
 * the lock, calls `notify(n)` or `notifyAll()`. `wait` releases the lock
 * completely while it sleeps (every level of an RLock) and takes it back
 * before it returns — also after a timeout or an abort. Notifications go to
 * the longest sleepers first; `notify(n)` wakes exactly `min(n, sleepers)`,
 * and never a sleeper that already gave up. There are no spurious wake-ups,
 * but as in any condition-variable program, check your predicate in a loop
 * (or use `waitFor`): another thread may run between the notify and the wake.
 *
 * The default lock is an RLock, as in Python, and an RLock belongs to a
 * thread: the async calls of one thread all hold it at once. For several
 * async waiters in one thread, give the Condition a `Lock`.
 *
 * The sleeper queue is in `backends/atomics/condition.ts`.
 */
import { ConditionState } from '../backends/atomics/condition.js';
import { runtime, currentToken } from '../backends/atomics/runtime.js';
import { runAsync, runSync } from '../backends/atomics/parking.js';
import { attachHandle, kHandle, registerHandleKind, type Handle, type Shareable } from '../codec/handles.js';
import { Deadline } from '../internal/deadline.js';
import { ErrorCode, invalidArg, misuse } from '../errors.js';
import { checkSyncWaitOptions, checkWaitOptions, type SyncWaitOptions, type WaitOptions } from './options.js';
import { Attached } from './attach.js';
import { inspectSymbol } from './owner.js';
import { kAcquireRestore, kAcquireRestoreSync, kAttach, kIsOwned, kReleaseSave, kWaitingWord } from './lock-protocol.js';
import { Lock } from './lock.js';
import { RLock } from './rlock.js';

export interface ConditionStatistics {
  /** Calls sleeping in wait() and not yet notified. */
  readonly waiting: number;
  /** Whether the condition's lock is held. */
  readonly locked: boolean;
}

interface ConditionHandleData {
  buffer: SharedArrayBuffer;
  lock: Handle;
}

const HANDLE_KIND = 'threading.Condition';

/** A Condition rebuilt from a handle: its state and its lock, attached. */
interface AttachedCondition {
  readonly buffer: SharedArrayBuffer;
  readonly lock: Lock | RLock;
}

/**
 * A condition variable: Python's `threading.Condition`.
 *
 * @example
 * ```ts
 * const cond = new Condition();
 * // consumer
 * await cond.withLock(() => cond.waitFor(() => items.length > 0));
 * // producer
 * await cond.withLock(() => { items.push(x); cond.notify(); });
 * ```
 */
export class Condition implements Shareable {
  readonly #state: ConditionState;
  readonly #lock: Lock | RLock;

  /** Rebuilds a Condition over the state of a handle, its lock already attached (internal: handles only). */
  constructor(attached: Attached<AttachedCondition>);
  /** @param lock the lock to use (default: a new RLock, as in Python). */
  constructor(lock?: Lock | RLock);
  constructor(lock?: Lock | RLock | Attached<AttachedCondition>) {
    if (lock instanceof Attached) {
      this.#lock = lock.core.lock;
      this.#state = new ConditionState(lock.core.buffer, runtime().arena);
      return;
    }
    if (lock !== undefined && !(lock instanceof Lock) && !(lock instanceof RLock)) {
      throw invalidArg('sync: a Condition takes a Lock or RLock from weft/threading', 'type');
    }
    this.#lock = lock ?? new RLock();
    this.#state = new ConditionState(ConditionState.allocate(), runtime().arena);
  }

  acquire(options?: WaitOptions): Promise<boolean> {
    return this.#lock.acquire(options);
  }

  acquireSync(options?: SyncWaitOptions): boolean {
    return this.#lock.acquireSync(options);
  }

  tryAcquire(): boolean {
    return this.#lock.tryAcquire();
  }

  release(): void {
    this.#lock.release();
  }

  withLock<R>(fn: () => R | Promise<R>, options?: WaitOptions): Promise<R> {
    return this.#lock.withLock(fn, options);
  }

  withLockSync<R>(fn: () => R): R {
    return this.#lock.withLockSync(fn);
  }

  /**
   * Releases the lock, sleeps until notified or `timeout` ms pass, and takes
   * the lock back. Resolves true if notified, false on timeout. Must be
   * called holding the lock (`ERR_LOCK_NOT_HELD`).
   */
  async wait(options?: WaitOptions): Promise<boolean> {
    const { timeout, signal } = checkWaitOptions(options);
    signal?.throwIfAborted();
    this.#requireOwned('wait');
    const cell = this.#state.enqueue(currentToken());
    const saved = this.#lock[kReleaseSave]();
    this.#state.markAsleep(cell);
    try {
      return await runAsync(this.#state.sleepSteps(cell, Deadline.after(timeout)), signal);
    } finally {
      await this.#lock[kAcquireRestore](saved);
    }
  }

  /** As `wait`, blocking the calling thread. */
  waitSync(options?: SyncWaitOptions): boolean {
    const { timeout } = checkSyncWaitOptions(options);
    this.#requireOwned('wait');
    const cell = this.#state.enqueue(currentToken());
    const saved = this.#lock[kReleaseSave]();
    this.#state.markAsleep(cell);
    try {
      return runSync(this.#state.sleepSteps(cell, Deadline.after(timeout)));
    } finally {
      this.#lock[kAcquireRestoreSync](saved);
    }
  }

  /**
   * Waits until `predicate()` is truthy and returns its value; with a
   * timeout, returns the last (falsy) value when time runs out. One deadline
   * covers the whole wait, as in Python.
   */
  async waitFor<T>(predicate: () => T, options?: WaitOptions): Promise<T> {
    const { timeout, signal } = checkWaitOptions(options);
    const deadline = Deadline.after(timeout);
    let result = predicate();
    for (let first = true; !result; first = false) {
      const wait = waitTime(deadline, timeout, first);
      if (wait === null) break;
      await this.wait({ timeout: wait, signal });
      result = predicate();
    }
    return result;
  }

  /** As `waitFor`, blocking the calling thread. */
  waitForSync<T>(predicate: () => T, options?: SyncWaitOptions): T {
    const { timeout } = checkSyncWaitOptions(options);
    const deadline = Deadline.after(timeout);
    let result = predicate();
    for (let first = true; !result; first = false) {
      const wait = waitTime(deadline, timeout, first);
      if (wait === null) break;
      this.waitSync({ timeout: wait });
      result = predicate();
    }
    return result;
  }

  /** Wakes up to `n` sleepers (default 1; `Infinity` wakes all). Must be called holding the lock. */
  notify(n = 1): void {
    if (!(Number.isInteger(n) || n === Infinity) || n < 0) {
      throw invalidArg(`sync: notify(n) needs a whole number n >= 0 (or Infinity), got ${String(n)}`);
    }
    this.#requireOwned('notify');
    this.#state.notify(n);
  }

  /** Wakes every sleeper. Must be called holding the lock. */
  notifyAll(): void {
    this.#requireOwned('notify');
    this.#state.notify(Infinity);
  }

  #requireOwned(what: 'wait' | 'notify'): void {
    if (!this.#lock[kIsOwned]()) {
      throw misuse(ErrorCode.LockNotHeld, `sync: cannot ${what} on a Condition whose lock the calling thread does not hold`);
    }
  }

  statistics(): ConditionStatistics {
    return Object.freeze({ waiting: this.#state.waiting(), locked: this.#lock.locked() });
  }

  /** For `waitForWaiters`: counts sleepers once they have released the lock, so the waiting test can take it. */
  get [kWaitingWord](): [Int32Array, number] {
    return [this.#state.words, this.#state.asleepWord];
  }

  [kHandle](): Handle {
    const data: ConditionHandleData = { buffer: this.#state.words.buffer as SharedArrayBuffer, lock: this.#lock[kHandle]() };
    return { kind: HANDLE_KIND, scope: 'thread', data };
  }

  [inspectSymbol](): string {
    const { waiting, locked } = this.statistics();
    return `<Condition ${locked ? 'locked' : 'unlocked'} waiting=${waiting}>`;
  }

  toString(): string {
    return this[inspectSymbol]();
  }

  static [kAttach](data: ConditionHandleData): Condition {
    // The lock is attached first: if that throws, no Condition was begun.
    const lock = attachHandle(data.lock) as Lock | RLock;
    return new this(new Attached({ buffer: data.buffer, lock }));
  }
}

/**
 * The timeout of the next wait in a `waitFor` loop: CPython's, where the
 * first wait gets the whole timeout and later ones what is left, stopping
 * (null) once nothing is.
 */
function waitTime(deadline: Deadline, timeout: number | undefined, first: boolean): number | undefined | null {
  if (timeout === undefined) return undefined;
  if (first) return timeout;
  const remaining = deadline.remaining();
  return remaining <= 0 ? null : remaining;
}

registerHandleKind<ConditionHandleData>(HANDLE_KIND, (data) => Condition[kAttach](data));
