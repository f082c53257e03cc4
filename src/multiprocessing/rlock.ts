/**
 * `RLock`: a re-entrant lock shared by every thread of every process of the
 * tree — Python's `multiprocessing.RLock`, with the API of `weft/threading`'s
 * `RLock`. Its owner is a (process, thread) pair: that thread may take it
 * again, and only it may release it (`ERR_LOCK_NOT_HELD` otherwise).
 *
 * How it differs from its thread-scope twin: the state lives in the hub
 * (`backends/hub/rlock.ts`), which grants it to a process; while the process
 * holds the grant, its threads take, re-enter and release it in the
 * process's shared memory, with no message (see `lock.ts` for how the grant
 * comes back when another process asks).
 * As there, waiters are served in arrival order, and an RLock whose owner
 * ends holding it passes to the next acquirer at depth 1 with
 * `ownerDied === true`.
 */
import type { LockCore, LockCores } from '../backends/cores/lock.js';
import { registerHandleKind, type Shareable } from '../codec/handles.js';
import { Attached, kCores } from '../sync/attach.js';
import { LockBase } from '../sync/lock-base.js';
import type { HubBacked, HubHandleData } from '../backends/hub/hub-object.js';
import { kHubId } from '../backends/hub/hub-object.js';
import { HUB_RLOCK_KIND as KIND, HubLockCore, hubRLockCores, type ProcessLockStatistics } from '../backends/hub/owned-lock.js';

/**
 * A re-entrant lock for threads and processes: Python's `multiprocessing.RLock`.
 *
 * @example
 * ```ts
 * const rlock = new RLock();
 * rlock.acquireSync();
 * rlock.acquireSync(); // the owner may take it again
 * rlock.release();
 * rlock.release();     // now it is free
 * ```
 */
export class RLock extends LockBase<ProcessLockStatistics> implements Shareable, HubBacked {
  /** Where new RLocks of this class keep their state: the hub. */
  static [kCores]: LockCores<ProcessLockStatistics> = hubRLockCores;

  /** @internal Rebuilds an RLock over the hub object of a handle (internal: handles only). */
  constructor(attached: Attached<LockCore<ProcessLockStatistics>>);
  constructor();
  constructor(attached?: Attached<LockCore<ProcessLockStatistics>>) {
    super(attached);
  }

  override get [kHubId](): number {
    return super[kHubId]!;
  }

  /** Rebuilds an RLock over the hub object of a handle. */
  static fromHandle(data: HubHandleData): RLock {
    return new RLock(new Attached(new HubLockCore(data.id, true)));
  }
}

registerHandleKind<HubHandleData>(KIND, (data) => RLock.fromHandle(data));
