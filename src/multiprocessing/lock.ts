/**
 * `Lock`: a mutual-exclusion lock shared by every thread of every process
 * of the tree — Python's `multiprocessing.Lock`, with the API of
 * `weft/threading`'s `Lock`.
 *
 * How it differs from its thread-scope twin: its state lives in the hub
 * (the tree's broker thread; `backends/hub/lock.ts`), and every operation is
 * a message to it — an acquire is a round trip of tens of µs, not a
 * compare-and-swap of nanoseconds. A release by the thread that took the
 * lock is one-way. `locked()` and `statistics()` are round trips too.
 *
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
import { registerHandleKind } from '../codec/handles.js';
import type { HubHandleData } from './hub-object.js';
import { OwnedHubLock } from './owned-lock.js';

const KIND = 'multiprocessing.Lock';

/**
 * A mutual-exclusion lock for threads and processes: Python's `multiprocessing.Lock`.
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
export class Lock extends OwnedHubLock {
  constructor() {
    super(KIND, false);
  }

  /** Rebuilds a Lock over the hub object of a handle. */
  static fromHandle(data: HubHandleData): Lock {
    return OwnedHubLock.attach(Lock, data.id);
  }
}

registerHandleKind<HubHandleData>(KIND, (data) => Lock.fromHandle(data));
