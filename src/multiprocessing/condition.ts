/**
 * `Condition`: a condition variable shared by every thread of every process
 * of the tree — Python's `multiprocessing.Condition`, with the API of
 * `weft/threading`'s `Condition`, over a process-scope `Lock` or `RLock`
 * (default: a new RLock, as in Python).
 *
 * How it differs from its thread-scope twin: the sleepers live in the hub
 * (`backends/hub/condition.ts`). A wait first hands the thread's hold of the
 * lock to the hub if it was taken in this process's cell (a one-way `pin`:
 * the cell's hold is this process's alone, `owned-lock.ts`); then `wait` is one message that releases
 * the lock completely (every RLock level) and enqueues the sleeper in one
 * step; once notified, the sleeper re-takes the lock in the hub, through the
 * lock's FIFO queue, before its `wait` is answered. Each call costs a round
 * trip (tens of µs). A wait that times out or is aborted takes the lock back
 * with a second message before it returns, as Python's does.
 *
 * Guarantees, as at thread scope: `notify(n)` wakes exactly
 * `min(n, sleepers)`, longest sleepers first, never one that gave up; no
 * spurious wake-ups; wait/notify without the lock are `ERR_LOCK_NOT_HELD`.
 */
import { hubCall, hubCallSync, hubCreate, TIMED_OUT } from '../backends/hub/client.js';
import type { Grant } from '../backends/hub/lock.js';
import { attachHandle, kHandle, registerHandleKind, type Handle, type Shareable } from '../codec/handles.js';
import { Deadline } from '../internal/deadline.js';
import { ErrorCode, invalidArg, misuse } from '../errors.js';
import { checkSyncWaitOptions, checkWaitOptions, type SyncWaitOptions, type WaitOptions } from '../sync/options.js';
import { inspectSymbol } from '../sync/owner.js';
import { hubHandle, kHubId, localHolds, nextWaitId, requireProcessScope, type HubBacked } from './hub-object.js';
import { Lock } from './lock.js';
import { kGranted, kHeldHere, kPin } from './owned-lock.js';
import { RLock } from './rlock.js';
import { Attached } from '../sync/attach.js';

const KIND = 'multiprocessing.Condition';

/** A Condition rebuilt from a handle: its hub object and its lock, attached. */
interface AttachedCondition {
  readonly id: number;
  readonly lock: Lock | RLock;
}

interface ConditionHandleData {
  readonly id: number;
  readonly lock: Handle;
}

export interface ProcessConditionStatistics {
  /** Calls sleeping in wait() and not yet notified. */
  readonly waiting: number;
  /** Whether the condition's lock is held. */
  readonly locked: boolean;
}


/**
 * A condition variable for threads and processes: Python's `multiprocessing.Condition`.
 *
 * @example
 * ```ts
 * const cond = new Condition();
 * // consumer, in any process:
 * cond.withLockSync(() => cond.waitForSync(() => stock.value > 0));
 * // producer:
 * cond.withLockSync(() => { stock.add(1); cond.notify(); });
 * ```
 */
export class Condition implements Shareable, HubBacked {
  readonly #id: number;
  readonly #lock: Lock | RLock;

  /** Rebuilds a Condition over the hub object of a handle, its lock already attached (internal: handles only). */
  constructor(attached: Attached<AttachedCondition>);
  /** @param lock a Lock or RLock from weft/multiprocessing (default: a new RLock, as in Python). */
  constructor(lock?: Lock | RLock);
  constructor(lock?: Lock | RLock | Attached<AttachedCondition>) {
    if (lock instanceof Attached) {
      this.#id = lock.core.id;
      this.#lock = lock.core.lock;
      return;
    }
    if (lock !== undefined) {
      requireProcessScope(lock, 'the lock of a process-scope Condition');
      if (!(lock instanceof Lock) && !(lock instanceof RLock)) throw invalidArg('multiprocessing: a Condition takes a Lock or RLock', 'type');
    }
    this.#lock = lock ?? new RLock();
    this.#id = hubCreate(KIND, [this.#lock[kHubId]], this);
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
    const lockId = this.#lock[kHubId];
    const waitId = nextWaitId();
    const levels = this.#pin();
    let answer: unknown;
    try {
      answer = await hubCall(this.#id, 'wait', [waitId], { timeout, signal });
    } catch (error) {
      // Withdrawn by the abort: the hub kept our depth; take the lock back first.
      if (signal?.aborted === true && error === signal.reason) await this.#restore(waitId, levels);
      else localHolds.resume(lockId, levels); // refused (ERR_LOCK_NOT_HELD): nothing was released
      throw error;
    }
    if (answer === TIMED_OUT) return this.#restore(waitId, levels);
    return this.#woke(answer as Grant, levels);
  }

  /** As `wait`, blocking the calling thread. */
  waitSync(options?: SyncWaitOptions): boolean {
    const { timeout } = checkSyncWaitOptions(options);
    const lockId = this.#lock[kHubId];
    const waitId = nextWaitId();
    const levels = this.#pin();
    let answer: unknown;
    try {
      answer = hubCallSync(this.#id, 'wait', [waitId], timeout);
    } catch (error) {
      localHolds.resume(lockId, levels);
      throw error;
    }
    if (answer === TIMED_OUT) {
      const [notified, grant] = hubCallSync(this.#id, 'restore', [waitId]) as [boolean, Grant];
      this.#woke(grant, levels);
      return notified;
    }
    return this.#woke(answer as Grant, levels);
  }

  /**
   * Before a wait: this thread's hold of the lock moves to the hub, where the
   * wait releases it (a hold in this process's cell is unknown there);
   * returns its levels. A thread that does not hold it is refused here: the
   * hub could not tell it from the thread of its process that does.
   */
  #pin(): number {
    const levels = this.#lock[kPin]();
    if (levels === 0) throw misuse(ErrorCode.LockNotHeld, 'sync: cannot wait on a Condition whose lock the calling thread does not hold');
    return levels;
  }

  #requireHeld(): void {
    if (!this.#lock[kHeldHere]()) throw misuse(ErrorCode.LockNotHeld, 'sync: cannot notify on a Condition whose lock the calling thread does not hold');
  }

  /** Takes the lock back for a wait the hub withdrew (timed out or aborted); resolves whether it had been notified. */
  async #restore(waitId: number, levels: number): Promise<boolean> {
    const [notified, grant] = (await hubCall(this.#id, 'restore', [waitId])) as [boolean, Grant];
    this.#woke(grant, levels);
    return notified;
  }

  /** The wait holds the lock again: restore this thread's record of it. */
  #woke(grant: Grant, levels: number): true {
    localHolds.resume(this.#lock[kHubId], levels);
    this.#lock[kGranted](grant);
    return true;
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
    this.#requireHeld();
    hubCallSync(this.#id, 'notify', [n]);
  }

  /** Wakes every sleeper. Must be called holding the lock. */
  notifyAll(): void {
    this.#requireHeld();
    hubCallSync(this.#id, 'notify', [Infinity]);
  }

  statistics(): ProcessConditionStatistics {
    return Object.freeze(hubCallSync(this.#id, 'statistics') as ProcessConditionStatistics);
  }

  get [kHubId](): number {
    return this.#id;
  }

  [kHandle](): Handle {
    const data: ConditionHandleData = { id: this.#id, lock: this.#lock[kHandle]() };
    return hubHandle(KIND, data);
  }

  [inspectSymbol](): string {
    const { waiting, locked } = this.statistics();
    return `<Condition ${locked ? 'locked' : 'unlocked'} waiting=${waiting}>`;
  }

  toString(): string {
    return this[inspectSymbol]();
  }

  static fromHandle(data: ConditionHandleData): Condition {
    // The lock is attached first: if that throws, no Condition was begun.
    const lock = attachHandle(data.lock) as Lock | RLock;
    return new Condition(new Attached({ id: data.id, lock }));
  }
}

/** The timeout of the next wait of a `waitFor` loop: the whole timeout first, then what is left; null once nothing is. */
function waitTime(deadline: Deadline, timeout: number | undefined, first: boolean): number | undefined | null {
  if (timeout === undefined) return undefined;
  if (first) return timeout;
  const remaining = deadline.remaining();
  return remaining <= 0 ? null : remaining;
}

registerHandleKind<ConditionHandleData>(KIND, (data) => Condition.fromHandle(data));
