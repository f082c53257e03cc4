/**
 * `RLock`: a re-entrant lock — Python's `threading.RLock`. The thread that
 * holds it may acquire it again; it is released when every acquire has been
 * matched by a release. Only the holder may release it.
 *
 * Like `Lock`, waiters are served in arrival order, and an RLock whose holder
 * ends while holding it passes to the next acquirer with `ownerDied === true`
 * and a recursion depth of 1.
 *
 * Its semantics are written once in `lock-base.ts`; its state is a
 * `LockState` plus a depth word (`backends/atomics/rlock.ts`), behind the
 * atomics core (`backends/atomics/lock-core.ts`).
 */
import { AtomicsRLockCore, atomicsRLockCores, RLOCK_HANDLE_KIND, type RLockStatistics } from '../backends/atomics/lock-core.js';
import type { LockCore, LockCores } from '../backends/cores/lock.js';
import { registerHandleKind, type Shareable } from '../codec/handles.js';
import { Attached, kCores } from './attach.js';
import { LockBase } from './lock-base.js';
import { kAttach } from './lock-protocol.js';

export type { RLockStatistics } from '../backends/atomics/lock-core.js';

/**
 * A re-entrant lock: Python's `threading.RLock`.
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
export class RLock extends LockBase<RLockStatistics> implements Shareable {
  /** Where new RLocks of this class keep their state. */
  static [kCores]: LockCores<RLockStatistics> = atomicsRLockCores;

  /** @internal Rebuilds a RLock over the shared state of a handle (internal: handles only). */
  constructor(attached: Attached<LockCore<RLockStatistics>>);
  constructor();
  constructor(attached?: Attached<LockCore<RLockStatistics>>) {
    super(attached);
  }

  static [kAttach](buffer: SharedArrayBuffer): RLock {
    return new this(new Attached(new AtomicsRLockCore(buffer)));
  }
}

registerHandleKind<SharedArrayBuffer>(RLOCK_HANDLE_KIND, (buffer) => RLock[kAttach](buffer));
