/**
 * `Lock` and `RLock` of the machine scope: named locks shared by every
 * connection (`RedisScope`) of a namespace, on any machine — the API of the
 * other scopes' locks, with every call that may ask the server async.
 *
 * Guarantees: one holder at a time among live connections; waiters are
 * served in arrival order (FIFO hand-off); a connection whose lease runs
 * out holding it (killed, frozen) has it passed to the next waiter, who
 * sees `ownerDied`; every grant to a new owner carries a larger `fence`.
 * The owner is the connection: only it may release (`ERR_LOCK_NOT_HELD`).
 *
 * Not guaranteed: exclusion for a holder paused past its lease (it cannot
 * know it lost the lock until its next call on it, `ERR_LOCK_LOST`); guard
 * writes with `fence`. See owned-lock.ts for the kept grant.
 */
import { TimeoutError } from '../../errors.js';
import type { WaitOptions } from '../../runtime/options.js';
import { checkName, objectId } from './keys.js';
import { OwnedLock, type RedisLockStatistics } from './owned-lock.js';
import type { RedisScope } from './scope.js';
import { checkScope } from './scope-option.js';

/** Options of every named object: the scope it is opened on. */
export interface RedisObjectOptions {
  /** The connection made by `connect()`. */
  redis: RedisScope;
}

/** @internal The connection-side state of a Lock or RLock (a Condition waits with it). */
export let ownedLockOf: (lock: Lock | RLock) => OwnedLock;

abstract class NamedLock {
  static {
    ownedLockOf = (lock) => lock.#local;
  }

  /** The lock's name in its namespace. */
  readonly name: string;
  readonly #local: OwnedLock;

  protected constructor(name: string, options: RedisObjectOptions, reentrant: boolean) {
    this.name = checkName(name, 'a lock name');
    const scope = checkScope(options);
    const oid = objectId(reentrant ? 'rlock' : 'lock', name);
    this.#local = scope.local(oid, () => new OwnedLock(scope, oid, reentrant));
  }

  /**
   * Waits until the lock is free and takes it (FIFO). Resolves true, or false
   * if `timeout` ms passed first; an aborted `signal` rejects with its reason.
   * The wait leaves the queue cleanly either way.
   */
  acquire(options?: WaitOptions): Promise<boolean> {
    return this.#local.acquire(options, false);
  }

  /** Takes the lock if it is free now; never waits (one round trip, none for a kept grant). */
  tryAcquire(): Promise<boolean> {
    return this.#local.acquire(undefined, true);
  }

  /**
   * Releases the lock (one level of an RLock). `ERR_LOCK_NOT_HELD` if this
   * connection does not hold it; `ERR_LOCK_LOST` if its lease ran out and
   * the lock went to another connection meanwhile.
   */
  release(): Promise<void> {
    return this.#local.release();
  }

  /** True while some connection holds it (one kept by another connection counts). */
  locked(): Promise<boolean> {
    return this.#local.locked();
  }

  /** True when this grant took the lock from a connection whose lease ran out holding it. */
  get ownerDied(): boolean {
    return this.#local.ownerDied;
  }

  /** The fencing token of the current (or last) grant: larger for every new owner. Hand it to the resource you write to. */
  get fence(): bigint {
    return this.#local.fence;
  }

  /** Runs `fn` holding the lock and releases it however `fn` ends; `TimeoutError` if it could not be taken within `timeout`. */
  async withLock<R>(fn: () => R | Promise<R>, options?: WaitOptions): Promise<R> {
    if (!(await this.acquire(options))) {
      throw new TimeoutError(`sync: could not acquire the ${this.constructor.name} '${this.name}' within ${options?.timeout} ms`);
    }
    let result: R;
    try {
      result = await fn();
    } catch (error) {
      await this.release();
      throw error;
    }
    await this.release();
    return result;
  }

  /** The lock as the server sees it. */
  statistics(): Promise<RedisLockStatistics> {
    return this.#local.statistics();
  }

  toString(): string {
    return `<${this.constructor.name} '${this.name}'>`;
  }
}

/**
 * A mutual-exclusion lock shared by every connection of a namespace, on
 * any machine: FIFO, with dead-holder hand-over (`ownerDied`) and a fencing
 * token (`fence`).
 *
 * @example
 * ```ts
 * import { connect, Lock } from 'weft/redis';
 * const redis = await connect({ namespace: 'shop' });
 * const lock = new Lock('tickets', { redis });
 * await lock.withLock(async () => {
 *   await db.write({ fence: lock.fence }); // the database refuses older fences
 * });
 * ```
 */
export class Lock extends NamedLock {
  constructor(name: string, options: RedisObjectOptions) {
    super(name, options, false);
  }
}

/**
 * A re-entrant lock shared by every connection of a namespace: the
 * connection holding it may take it again, and must release it as many times.
 *
 * @example
 * ```ts
 * const rlock = new RLock('ledger', { redis });
 * await rlock.acquire();
 * await rlock.acquire(); // the owner may take it again
 * await rlock.release();
 * await rlock.release(); // now others may have it
 * ```
 */
export class RLock extends NamedLock {
  constructor(name: string, options: RedisObjectOptions) {
    super(name, options, true);
  }
}
