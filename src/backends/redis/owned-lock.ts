/**
 * The holding connection's side of a machine-scope lock: re-entrance (an
 * RLock's depth), the fencing token, and the **kept grant** — a connection
 * that releases a lock nobody waits for keeps it, so its next acquire makes
 * no Redis call. The server side is lock-lua.ts.
 *
 * ## States (one per lock name per scope; every Lock object of that name on
 * the scope shares it)
 *
 * | state | meaning                                                   |
 * |-------|-----------------------------------------------------------|
 * | Idle  | the server does not know this connection as the owner    |
 * | Held  | owner on the server, and a caller here holds it           |
 * | Kept  | owner on the server, nobody here holds it                 |
 *
 * | event                        | Idle                     | Held                                   | Kept                          |
 * |------------------------------|--------------------------|----------------------------------------|-------------------------------|
 * | acquire                      | `acquire` script / wait  | RLock: depth + 1; Lock: queue behind it | → Held (lease valid), else `retake` |
 * | release                      | `ERR_LOCK_NOT_HELD`      | nobody asked, the grant came without a wait, lease valid: → Kept; else `release` script → Idle (not awaited while the lease is valid) | `ERR_LOCK_NOT_HELD` |
 * | revoke (someone queued)      | ignored (stale)          | wanted: the release will hand it on    | `release` script → Idle       |
 * | reaped (lease ran out)       | —                        | stays; its release says `ERR_LOCK_LOST`| → Idle                        |
 *
 * Revokes and grants carry the fence they are about: a revoke for an older
 * fence is stale and ignored; one for a grant not yet taken in is kept
 * until that grant is (`#earlyRevoke`). Scripts go out on one connection in order, so
 * a release sent before an acquire reaches the server first.
 */
import { ErrorCode, misuse } from '../../errors.js';
import { checkWaitOptions, type WaitOptions } from '../../runtime/options.js';
import { LOCK_ACQUIRE, LOCK_RELEASE, LOCK_RETAKE, LOCK_STATE, LOCK_WITHDRAW } from './lock-lua.js';
import type { LocalObject, RedisScope } from './scope.js';
import { isDisconnected } from './script.js';
import type { Grant, WaitSteps } from './waits.js';

type State = 'idle' | 'held' | 'kept';

/** ms between two tries of a release the server refused. */
const RETRY_MS = 100;

export interface RedisLockStatistics {
  /** True while some connection holds the lock or keeps it (a kept grant counts as locked). */
  readonly locked: boolean;
  /** The id (`RedisScope.id`) of the connection holding or keeping it. */
  readonly owner: number | null;
  /** The fencing token of the last grant. */
  readonly fence: bigint;
  /** Waits queued for it. */
  readonly waiting: number;
}

export class OwnedLock implements LocalObject {
  readonly #scope: RedisScope;
  readonly #oid: string;
  readonly #reentrant: boolean;
  readonly #steps: WaitSteps;
  #state: State = 'idle';
  #depth = 0;
  #fence = '0';
  #ownerDied = false;
  /** Someone waits behind the current grant: the release goes to the server. */
  #wanted = false;
  /** The scope's epoch when the current grant was made. */
  #epoch = 0;
  /**
   * The fence of a revoke that came before its grant was taken in: the wake
   * loop delivers a grant and the revoke right behind it in one turn, and
   * the grant's waiter runs only after both.
   */
  #earlyRevoke = '';

  constructor(scope: RedisScope, oid: string, reentrant: boolean) {
    this.#scope = scope;
    this.#oid = oid;
    this.#reentrant = reentrant;
    const id = scope.id;
    this.#steps = {
      enqueue: async (seq, tryOnly) => {
        const [granted, fence, died] = await scope.run<[number, number?, number?]>(LOCK_ACQUIRE, oid, [id, seq, tryOnly ? 1 : 0]);
        return granted === 1 ? { fence: String(fence), died: died === 1, wanted: false } : 'queued';
      },
      withdraw: async (seq) => {
        await scope.run(LOCK_WITHDRAW, oid, [id, seq]);
        return undefined; // granted meanwhile: the script passed it on
      },
    };
  }

  get fence(): bigint {
    return BigInt(this.#fence);
  }

  get ownerDied(): boolean {
    return this.#ownerDied;
  }

  async acquire(options: WaitOptions | undefined, tryOnly: boolean): Promise<boolean> {
    const { timeout, signal } = checkWaitOptions(options);
    signal?.throwIfAborted();
    this.#scope.checkOpen();
    if (this.#state === 'held' && this.#reentrant) {
      this.#depth += 1;
      return true;
    }
    if (this.#state === 'kept' && (await this.#retake())) return true;
    const grant = await this.#scope.wait(this.#steps, tryOnly ? 0 : timeout, signal);
    if (grant === undefined) return false;
    this.#granted(grant);
    return true;
  }

  /** Takes a kept grant back: at once while the lease is surely alive, else after asking the server. */
  async #retake(): Promise<boolean> {
    const scope = this.#scope;
    // A loop of acquire/release on a kept grant runs on promises alone and
    // would never let the event loop read a revoke. Each re-take first lets
    // the loop turn once (through its poll phase): a revoke already on the
    // socket is handled before the grant is re-taken, so a kept grant goes
    // to a waiter as soon as it queued — at most the re-take in progress
    // runs after the revoke arrived (fairness: equal shares under contention).
    await new Promise((resolve) => setImmediate(resolve));
    if (this.#state !== 'kept') return false;
    if (scope.epoch === this.#epoch && scope.leaseValid()) {
      this.#take(false);
      return true;
    }
    const fence = this.#fence;
    const still = await scope.run<number>(LOCK_RETAKE, this.#oid, [scope.id, fence]);
    if (this.#state !== 'kept' || this.#fence !== fence) return false; // revoked meanwhile
    if (still === 1) {
      this.#epoch = scope.epoch;
      this.#take(false);
      return true;
    }
    this.#state = 'idle'; // the lease had run out: it went to another connection
    return false;
  }

  #granted(grant: Grant): void {
    this.#fence = grant.fence;
    // A grant that had to wait was contended: it goes back through Redis,
    // straight to the next waiter, instead of being kept (a kept grant under
    // contention costs the next owner a revoke's round trip).
    this.#wanted = grant.wanted || grant.waited === true || grant.fence === this.#earlyRevoke;
    this.#epoch = this.#scope.epoch;
    this.#take(grant.died);
  }

  #take(ownerDied: boolean): void {
    this.#state = 'held';
    this.#depth = 1;
    this.#ownerDied = ownerDied;
  }

  async release(): Promise<void> {
    if (this.#state !== 'held') throw misuse(ErrorCode.LockNotHeld, `sync: release of a ${this.#what()} this connection does not hold`);
    if (this.#depth > 1) {
      this.#depth -= 1;
      return;
    }
    this.#depth = 0;
    const scope = this.#scope;
    if (scope.epoch !== this.#epoch) {
      this.#state = 'idle';
      throw lockLost(this.#what());
    }
    if (!this.#wanted && scope.leaseValid()) {
      this.#state = 'kept';
      return;
    }
    this.#state = 'idle';
    if (scope.leaseValid()) {
      // Not lost (lease surely alive, no reap since the grant): the script
      // can only answer 1, so the call returns without its reply. The
      // caller's next call in this tick (a contended loop's acquire) goes
      // out in the same write, and behind it on the connection: the server
      // runs the release first. Others may see the lock held a moment
      // longer, as they see a kept grant.
      this.#handBack(this.#fence);
      return;
    }
    let released: number;
    try {
      released = await scope.run<number>(LOCK_RELEASE, this.#oid, [scope.id, this.#fence]);
    } catch (error) {
      if (!isDisconnected(error)) throw error;
      // The release may or may not have run: sent again after the reconnection
      // (the fence makes it idempotent), so the lock is never left stuck on a
      // connection that thinks it let go. 0 then means the first one ran.
      await scope.run<number>(LOCK_RELEASE, this.#oid, [scope.id, this.#fence]);
      return;
    }
    if (released !== 1) throw lockLost(this.#what());
  }

  /**
   * Sends a release nobody waits for the answer of. It is sent until the
   * server has run it: again after a reconnection (the fence makes that
   * idempotent), or after a pause if the server refused it (out of memory,
   * busy): until then the lock stays with this connection, and this
   * connection's later calls meet the same refusal. Ends when the scope is
   * closed (its `leave` passes the lock on).
   */
  #handBack(fence: string): void {
    const scope = this.#scope;
    const send = (): void => {
      scope.run<number>(LOCK_RELEASE, this.#oid, [scope.id, fence]).then(
        () => {}, // 0: it had already gone (a reap after all): nothing to hand on
        (error: unknown) => {
          if (scope.closed) return;
          if (isDisconnected(error)) send(); // queued until the client has reconnected
          else setTimeout(send, RETRY_MS);
        },
      );
    };
    send();
  }

  /** True while a caller on this connection holds it (a Condition's wait and notify need that). */
  held(): boolean {
    return this.#state === 'held';
  }

  /**
   * For a Condition's wait: releases the lock completely (every level of an
   * RLock) and returns the depth to restore. Errors as `release`.
   */
  async releaseSave(): Promise<number> {
    if (this.#state !== 'held') throw misuse(ErrorCode.LockNotHeld, `sync: release of a ${this.#what()} this connection does not hold`);
    const depth = this.#depth;
    this.#depth = 1;
    await this.release();
    return depth;
  }

  /** After a Condition's wait: takes the lock back (waiting as long as it takes, as Python does) at `depth` levels. */
  async acquireRestore(depth: number): Promise<void> {
    await this.acquire(undefined, false);
    this.#depth = depth;
  }

  /** True if a caller here holds it; else asks the server (a lock kept here is free). */
  async locked(): Promise<boolean> {
    if (this.#state !== 'idle') return this.#state === 'held';
    return (await this.statistics()).locked;
  }

  async statistics(): Promise<RedisLockStatistics> {
    const [owner, fence, waiting] = await this.#scope.run<[string, string, number]>(LOCK_STATE, this.#oid, []);
    return Object.freeze({ locked: owner !== '', owner: owner === '' ? null : Number(owner), fence: BigInt(fence), waiting });
  }

  revoke(fence: string): void {
    if (fence !== this.#fence) {
      this.#earlyRevoke = fence; // a later grant's (fences only grow), or a stale one that never matches again
      return;
    }
    if (this.#state === 'held') this.#wanted = true;
    else if (this.#state === 'kept') this.#handOn();
  }

  reaped(): void {
    if (this.#state === 'kept') this.#state = 'idle';
  }

  async closing(): Promise<void> {
    if (this.#state === 'kept') await this.#handOn();
  }

  /** Gives a kept grant back to the server, which hands it to the head waiter. */
  #handOn(): Promise<void> {
    this.#state = 'idle';
    // 0 means it had already gone (lease ran out): nothing to hand on, nobody to tell.
    return this.#scope.run(LOCK_RELEASE, this.#oid, [this.#scope.id, this.#fence]).then(
      () => {},
      () => {},
    );
  }

  #what(): string {
    return this.#reentrant ? 'RLock' : 'Lock';
  }
}

function lockLost(what: string): Error {
  return misuse(
    ErrorCode.LockLost,
    `redis: this ${what} was lost: the connection's lease ran out (the process was paused or cut off longer than its lease) and the lock went to another process; guard writes with lock.fence`,
  );
}
