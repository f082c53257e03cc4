/**
 * `Lock`: a mutual-exclusion lock shared by every thread it is passed to —
 * Python's `threading.Lock`.
 *
 * Guarantees: one holder at a time; waiters sleep (no CPU) and get the lock
 * in arrival order (FIFO hand-off, so none starves); any thread may release
 * it, as in Python; if the holder's thread ends while holding it, the lock is
 * released for it and the next acquirer sees `ownerDied === true` — Python
 * leaves such a lock locked forever. Not re-entrant: a second acquire by the
 * holder waits (use `RLock`).
 *
 * Its semantics are written once in `lock-base.ts`; its state is the atomics
 * core (`backends/atomics/lock-core.ts`), whose state machine and layout are
 * in `backends/atomics/lock.ts`.
 */
import type { Acquired } from '../backends/atomics/lock.js';
import { AtomicsLockCore, atomicsLockCores, LOCK_HANDLE_KIND, type LockStatistics } from '../backends/atomics/lock-core.js';
import type { LockCore, LockCores } from '../backends/cores/lock.js';
import { registerHandleKind, type Shareable } from '../codec/handles.js';
import { Attached, kCores } from './attach.js';
import { LockBase } from './lock-base.js';
import { kAttach } from './lock-protocol.js';

export type { LockStatistics } from '../backends/atomics/lock-core.js';

/**
 * A mutual-exclusion lock: Python's `threading.Lock`, shared by every thread
 * it is passed to.
 *
 * @example
 * ```ts
 * const lock = new Lock();
 * await lock.withLock(async () => {
 *   // one thread at a time in here
 * });
 * ```
 */
export class Lock extends LockBase<LockStatistics> implements Shareable {
  /** Where new locks of this class keep their state. */
  static [kCores]: LockCores<LockStatistics> = atomicsLockCores;

  /** @internal Rebuilds a Lock over the shared state of a handle (internal: handles only). */
  constructor(attached: Attached<LockCore<LockStatistics>>);
  constructor();
  constructor(attached?: Attached<LockCore<LockStatistics>>) {
    super(attached);
  }

  /** Rebuilds a Lock over the shared state of a handle. */
  static [kAttach](buffer: SharedArrayBuffer): Lock {
    return new this(new Attached(new AtomicsLockCore(buffer)));
  }
}

registerHandleKind<SharedArrayBuffer>(LOCK_HANDLE_KIND, (buffer) => Lock[kAttach](buffer));

export type { Acquired };
