/**
 * `Condition` of the machine scope: a named condition variable over a
 * machine-scope `Lock` or `RLock` — Python's `threading.Condition`, shared
 * by every connection of a namespace. Server side: condition-lua.ts.
 *
 * `wait()` joins the sleepers *before* it lets go of the lock (both go out
 * on the command connection in that order, so a notify by the next holder
 * cannot slip in between), releases the lock completely (every level of an
 * RLock), sleeps until notified, and takes the lock back before it returns
 * — also after a timeout or an abort. `notify(n)` wakes the `n` longest
 * sleepers; a sleeper that gives up (timeout, abort) or whose process's
 * lease runs out is dropped, and a notification it had not yet read goes
 * to the next sleeper. In the one race where a sleeper had already read its
 * notification when its timeout fired, `wait` reports it as notified (true).
 *
 * States of one `wait()`: Queued (in `:q`, still holding the lock) →
 * Sleeping (lock released) → Notified (left `:q`, message on its wake list)
 * or Withdrawn (timeout, abort) → Re-acquiring → returned.
 */
import { ErrorCode, invalidArg, misuse } from '../../errors.js';
import { Deadline } from '../../internal/deadline.js';
import { checkWaitOptions, type WaitOptions } from '../../runtime/options.js';
import { COND_NOTIFY, COND_STATE, COND_WAIT, COND_WITHDRAW } from './condition-lua.js';
import { checkName, objectId } from './keys.js';
import { Lock, ownedLockOf, RLock, type RedisObjectOptions } from './lock.js';
import type { OwnedLock } from './owned-lock.js';
import type { RedisScope } from './scope.js';
import { checkScope } from './scope-option.js';
import type { WaitSteps } from './waits.js';

/** Options of a machine-scope Condition. */
export interface RedisConditionOptions extends RedisObjectOptions {
  /** The lock it uses: a weft/redis Lock or RLock on the same scope (default: the RLock named `cond:<name>`). */
  lock?: Lock | RLock;
}

export interface RedisConditionStatistics {
  /** Sleepers not yet notified. */
  readonly waiting: number;
  /** Whether a caller on this connection holds the condition's lock. */
  readonly locked: boolean;
}

const NOTIFIED = { fence: '0', died: false, wanted: false };

/**
 * A condition variable shared across machines: Python's `Condition`, named.
 * Every call that may ask the server is async; `wait` and `notify` need the
 * condition's lock held by this connection (`ERR_LOCK_NOT_HELD`).
 *
 * @example
 * ```ts
 * import { connect, Condition, Value } from 'weft/redis';
 * const redis = await connect({ namespace: 'shop' });
 * const stock = new Value('stock', 'i', { redis });
 * const restocked = new Condition('restocked', { redis });
 * await restocked.withLock(async () => {
 *   await restocked.waitFor(async () => (await stock.get()) > 0, { timeout: 5000 });
 * });
 * // elsewhere, on any machine:
 * await restocked.withLock(async () => { await stock.add(10); await restocked.notifyAll(); });
 * ```
 */
export class Condition {
  /** The condition's name in its namespace. */
  readonly name: string;
  readonly #lock: Lock | RLock;
  readonly #owned: OwnedLock;
  readonly #scope: RedisScope;
  readonly #oid: string;

  constructor(name: string, options: RedisConditionOptions) {
    this.name = checkName(name, 'a condition name');
    this.#scope = checkScope(options);
    const lock = options.lock ?? new RLock(`cond:${name}`, { redis: this.#scope });
    if (!(lock instanceof Lock || lock instanceof RLock)) {
      throw invalidArg('redis: a Condition takes a weft/redis Lock or RLock as { lock }', 'type');
    }
    this.#lock = lock;
    this.#owned = ownedLockOf(lock);
    this.#oid = objectId('cond', name);
  }

  /** Takes the condition's lock (see `Lock.acquire`). */
  acquire(options?: WaitOptions): Promise<boolean> {
    return this.#lock.acquire(options);
  }

  tryAcquire(): Promise<boolean> {
    return this.#lock.tryAcquire();
  }

  release(): Promise<void> {
    return this.#lock.release();
  }

  locked(): Promise<boolean> {
    return this.#lock.locked();
  }

  /** Runs `fn` holding the condition's lock; `TimeoutError` if it could not be taken in time. */
  withLock<R>(fn: () => R | Promise<R>, options?: WaitOptions): Promise<R> {
    return this.#lock.withLock(fn, options);
  }

  /**
   * Releases the lock, sleeps until notified or `timeout` ms pass, and takes
   * the lock back. Resolves true if notified, false on timeout; an aborted
   * `signal` rejects with its reason (the lock taken back first).
   */
  async wait(options?: WaitOptions): Promise<boolean> {
    const { timeout, signal } = checkWaitOptions(options);
    signal?.throwIfAborted();
    this.#requireHeld('wait');
    let depth: number | undefined;
    const scope = this.#scope;
    const id = scope.id;
    const steps: WaitSteps = {
      enqueue: async (seq) => {
        await scope.run(COND_WAIT, this.#oid, [id, seq]);
        // A resubmission (the lease ran out meanwhile) only queues again: the lock was let go the first time.
        if (depth === undefined) {
          try {
            depth = await this.#owned.releaseSave();
          } catch (error) {
            await scope.run(COND_WITHDRAW, this.#oid, [id, seq]);
            throw error;
          }
        }
        return 'queued';
      },
      // Not queued and not sleeping yet (the lock still held here): it cannot have been notified.
      withdraw: async (seq) => ((await scope.run<number>(COND_WITHDRAW, this.#oid, [id, seq])) === 2 && depth !== undefined ? NOTIFIED : undefined),
    };
    try {
      return (await scope.wait(steps, timeout, signal)) !== undefined;
    } finally {
      if (depth !== undefined) await this.#owned.acquireRestore(depth);
    }
  }

  /**
   * Waits until `predicate()` (which may be async) is truthy and returns its
   * value; with a timeout, returns the last (falsy) value when time runs
   * out. One deadline covers the whole wait, as in Python.
   */
  async waitFor<T>(predicate: () => T | Promise<T>, options?: WaitOptions): Promise<T> {
    const { timeout, signal } = checkWaitOptions(options);
    if (typeof predicate !== 'function') throw invalidArg('redis: waitFor needs a predicate function', 'type');
    const deadline = Deadline.after(timeout);
    let result = await predicate();
    for (let first = true; !result; first = false) {
      let wait: number | undefined;
      if (timeout !== undefined) {
        wait = first ? timeout : deadline.remaining();
        if (wait <= 0 && !first) break;
      }
      await this.wait({ timeout: wait, signal });
      result = await predicate();
    }
    return result;
  }

  /** Wakes up to `n` sleepers, longest sleeping first (default 1; `Infinity` wakes all). Needs the lock held. Resolves how many it woke. */
  async notify(n = 1): Promise<number> {
    if (!(Number.isInteger(n) || n === Infinity) || n < 0) {
      throw invalidArg(`sync: notify(n) needs a whole number n >= 0 (or Infinity), got ${String(n)}`);
    }
    this.#requireHeld('notify');
    if (n === 0) return 0;
    return this.#scope.run<number>(COND_NOTIFY, this.#oid, [n === Infinity ? -1 : n]);
  }

  /** Wakes every sleeper. Needs the lock held. */
  notifyAll(): Promise<number> {
    return this.notify(Infinity);
  }

  /** The condition as the server sees it (and whether this connection holds its lock). */
  async statistics(): Promise<RedisConditionStatistics> {
    const waiting = await this.#scope.run<number>(COND_STATE, this.#oid, []);
    return Object.freeze({ waiting, locked: this.#owned.held() });
  }

  toString(): string {
    return `<Condition '${this.name}'>`;
  }

  #requireHeld(what: 'wait' | 'notify'): void {
    this.#scope.checkOpen();
    if (!this.#owned.held()) {
      throw misuse(ErrorCode.LockNotHeld, `sync: cannot ${what} on Condition '${this.name}' whose lock this connection does not hold; take it with acquire() or withLock() first`);
    }
  }
}


