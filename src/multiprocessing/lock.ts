/**
 * `Lock`: a mutual-exclusion lock shared by every thread of every process
 * of the tree — Python's `multiprocessing.Lock`, with the API of
 * `weft/threading`'s `Lock`.
 *
 * How it differs from its thread-scope twin: its state lives in the hub
 * (the tree's broker thread; `backends/hub/lock.ts`), which grants it to a
 * *process*: while a process holds the grant, its threads take and release
 * the lock in that process's shared memory at thread-scope speed, with no
 * message (`backends/hub/grant-cell.ts`). When a thread of another process
 * asks, the hub asks for the grant back: it comes back at once if the lock
 * is free there, else with the holder's release — one message, what a
 * release cost before grants — so a hand-off between processes is still a
 * trip through the hub (hundreds of µs on a loaded machine). The first
 * acquire by a thread asks its process's link for the lock's cell (a local
 * round trip). `locked()` is local while this process holds the grant;
 * `statistics()` asks the hub, which asks the holding process.

 * Guarantees (the thread-scope ones, across processes): one holder at a
 * time; waiters are served in arrival order; any thread of any process may
 * release it; if the holder's thread or process ends while holding it —
 * even by `kill()` — the hub releases it and the next acquirer sees
 * `ownerDied === true` (Python leaves it locked forever: cpython#88304). Not
 * re-entrant.
 *
 * Not guaranteed: a one-way release by the holder that crosses another
 * thread's release of the same lock (legal, but a race in the program) fails
 * in the hub and is reported on stderr rather than thrown.
 */
import type { LockCore, LockCores } from '../backends/cores/lock.js';
import { registerHandleKind, type Shareable } from '../codec/handles.js';
import { Attached, kCores } from '../sync/attach.js';
import { LockBase } from '../sync/lock-base.js';
import type { HubBacked, HubHandleData } from '../backends/hub/hub-object.js';
import { kHubId } from '../backends/hub/hub-object.js';
import { HUB_LOCK_KIND as KIND, HubLockCore, hubLockCores, type ProcessLockStatistics } from '../backends/hub/owned-lock.js';

/**
 * A mutual-exclusion lock for threads and processes: Python's
 * `multiprocessing.Lock`. Uncontended, or used by one process at a time, it
 * costs what a thread-scope lock costs; see the module header for hand-offs.
 *
 * @example
 * ```ts
 * import { Lock, Process } from 'weft/multiprocessing';
 * export function buy(lock: Lock) {
 *   lock.withLockSync(() => { ... }); // one process at a time in here
 * }
 * const lock = new Lock();
 * new Process({ target: buy, args: [lock] }).start();
 * ```
 */
export class Lock extends LockBase<ProcessLockStatistics> implements Shareable, HubBacked {
  /** Where new Locks of this class keep their state: the hub. */
  static [kCores]: LockCores<ProcessLockStatistics> = hubLockCores;

  /** @internal Rebuilds a Lock over the hub object of a handle (internal: handles only). */
  constructor(attached: Attached<LockCore<ProcessLockStatistics>>);
  constructor();
  constructor(attached?: Attached<LockCore<ProcessLockStatistics>>) {
    super(attached);
  }

  override get [kHubId](): number {
    return super[kHubId]!;
  }

  /** Rebuilds a Lock over the hub object of a handle. */
  static fromHandle(data: HubHandleData): Lock {
    return new Lock(new Attached(new HubLockCore(data.id, false)));
  }
}

registerHandleKind<HubHandleData>(KIND, (data) => Lock.fromHandle(data));
