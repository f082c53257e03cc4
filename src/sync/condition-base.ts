/**
 * What a `Condition` is, at either scope, written once: argument checks,
 * the lock-held rule (`ERR_LOCK_NOT_HELD`), the wait that takes its lock
 * back however it ends (notified, timed out, aborted), `waitFor`'s single
 * deadline, notify. Where the sleepers live is a core
 * (`backends/cores/condition.ts`): `weft/threading`'s `Condition`
 * (`condition.ts`) picks the atomics core and checks its lock is a
 * thread-scope one, `weft/multiprocessing`'s the hub core and a
 * process-scope lock — each only sets the static `[kCores]` and
 * `[kLockFor]` slots.
 *
 * Threads holding the condition's lock `wait()` until another thread, holding
 * the lock, calls `notify(n)` or `notifyAll()`. `wait` releases the lock
 * completely while it sleeps (every level of an RLock) and takes it back
 * before it returns — also after a timeout or an abort. Notifications go to
 * the longest sleepers first; `notify(n)` wakes exactly `min(n, sleepers)`,
 * and never a sleeper that already gave up. There are no spurious wake-ups.
 */
import type { ConditionCore, ConditionCores, ConditionStatistics, Regained } from '../backends/cores/condition.js';
import { kHubId } from '../backends/hub/hub-id.js';
import { kHandle, type Handle, type Shareable } from '../codec/handles.js';
import { ErrorCode, invalidArg, misuse } from '../errors.js';
import { Deadline } from '../internal/deadline.js';
import { Attached, kCores } from './attach.js';
import type { LockBase } from './lock-base.js';
import { kIsOwned, kLeaving, kLockCore, kRegained, kWaitingWord } from './lock-protocol.js';
import { checkSyncWaitOptions, checkWaitOptions, type SyncWaitOptions, type WaitOptions } from '../runtime/options.js';
import { inspectSymbol } from '../runtime/owner.js';
import { waitingWordOf } from './waiting-word.js';

/** The static slot of a Condition class that checks the lock given to its constructor, or makes the default one. */
export const kLockFor = Symbol('weft.condition.lockFor');

/** Any lock a Condition can use (its statistics do not matter here). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyLock = LockBase<any>;

/** A Condition rebuilt from a handle: its core and its lock, attached. */
export interface AttachedCondition<L extends AnyLock> {
  readonly core: ConditionCore;
  readonly lock: L;
}

interface ConditionClass {
  readonly [kCores]: ConditionCores;
  [kLockFor](lock: unknown): AnyLock;
}

export abstract class ConditionBase<L extends AnyLock> implements Shareable {
  readonly #core: ConditionCore;
  readonly #lock: L;

  constructor(lock?: L | Attached<AttachedCondition<L>>) {
    if (lock instanceof Attached) {
      this.#core = lock.core.core;
      this.#lock = lock.core.lock;
      return;
    }
    const of = new.target as unknown as ConditionClass;
    this.#lock = of[kLockFor](lock) as L;
    this.#core = of[kCores].create(this, this.#lock[kLockCore]);
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
   * called holding the lock (`ERR_LOCK_NOT_HELD`). An aborted wait takes the
   * lock back too, then rejects with the signal's reason.
   */
  async wait(options?: WaitOptions): Promise<boolean> {
    const { timeout, signal } = checkWaitOptions(options);
    signal?.throwIfAborted();
    const core = this.#core;
    const sleeper = this.#leave();
    try {
      await core.sleep(sleeper, timeout, signal);
    } catch (error) {
      this.#regained(await core.regain(sleeper));
      throw error;
    }
    return this.#regained(await core.regain(sleeper));
  }

  /** As `wait`, blocking the calling thread. */
  waitSync(options?: SyncWaitOptions): boolean {
    const { timeout } = checkSyncWaitOptions(options);
    const core = this.#core;
    const sleeper = this.#leave();
    try {
      core.sleepSync(sleeper, timeout);
    } catch (error) {
      this.#regained(core.regainSync(sleeper));
      throw error;
    }
    return this.#regained(core.regainSync(sleeper));
  }

  /** Checks the lock is held, and releases it completely for a wait. */
  #leave(): object {
    this.#requireOwned('wait');
    this.#lock[kLeaving]();
    return this.#core.leave();
  }

  /** The wait holds the lock again. */
  #regained(regained: Regained): boolean {
    this.#lock[kRegained](regained.taken);
    return regained.notified;
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
    this.#core.notify(n);
  }

  /** Wakes every sleeper. Must be called holding the lock. */
  notifyAll(): void {
    this.#requireOwned('notify');
    this.#core.notify(Infinity);
  }

  #requireOwned(what: 'wait' | 'notify'): void {
    if (!this.#lock[kIsOwned]()) {
      throw misuse(ErrorCode.LockNotHeld, `sync: cannot ${what} on a Condition whose lock the calling thread does not hold`);
    }
  }

  statistics(): ConditionStatistics {
    return Object.freeze(this.#core.statistics());
  }

  /** For `waitForWaiters` (thread scope): counts sleepers once they have released the lock, so the waiting test can take it. */
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
    const { waiting, locked } = this.statistics();
    return `<Condition ${locked ? 'locked' : 'unlocked'} waiting=${waiting}>`;
  }

  toString(): string {
    return this[inspectSymbol]();
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
