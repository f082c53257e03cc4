/**
 * `Condition`: a condition variable — Python's `threading.Condition`, its
 * semantics written once in `condition-base.ts`, its sleeper queue the
 * atomics core (`backends/atomics/condition-core.ts`, over
 * `backends/atomics/condition.ts`).
 *
 * As in any condition-variable program, check your predicate in a loop (or
 * use `waitFor`): another thread may run between the notify and the wake.
 *
 * The default lock is an RLock, as in Python, and an RLock belongs to a
 * thread: the async calls of one thread all hold it at once. For several
 * async waiters in one thread, give the Condition a `Lock`.
 */
import { AtomicsConditionCore, atomicsConditionCores, atomicsLockCoreOf, CONDITION_HANDLE_KIND, type AtomicsConditionData } from '../backends/atomics/condition-core.js';
import type { ConditionCores } from '../backends/cores/condition.js';
import { attachHandle, registerHandleKind, type Shareable } from '../codec/handles.js';
import { invalidArg } from '../errors.js';
import { Attached, kCores } from './attach.js';
import { ConditionBase, kLockFor, type AttachedCondition } from './condition-base.js';
import { Lock } from './lock.js';
import { kAttach, kLockCore } from './lock-protocol.js';
import { RLock } from './rlock.js';

export type { ConditionStatistics } from '../backends/cores/condition.js';

/**
 * A condition variable: Python's `threading.Condition`.
 *
 * @example
 * ```ts
 * const cond = new Condition();
 * // consumer
 * await cond.withLock(() => cond.waitFor(() => items.length > 0));
 * // producer
 * await cond.withLock(() => { items.push(x); cond.notify(); });
 * ```
 */
export class Condition extends ConditionBase<Lock | RLock> implements Shareable {
  /** Where new Conditions of this class keep their sleepers. */
  static [kCores]: ConditionCores = atomicsConditionCores;

  /** The lock of a new Condition: a thread-scope Lock or RLock (default: a new RLock, as in Python). */
  static [kLockFor](lock: unknown): Lock | RLock {
    if (lock === undefined) return new RLock();
    if (lock instanceof Lock || lock instanceof RLock) return lock;
    throw invalidArg('sync: a Condition takes a Lock or RLock from weft/threading', 'type');
  }

  /** @internal Rebuilds a Condition over the state of a handle, its lock already attached (internal: handles only). */
  constructor(attached: Attached<AttachedCondition<Lock | RLock>>);
  /** @param lock the lock to use (default: a new RLock, as in Python). */
  constructor(lock?: Lock | RLock);
  constructor(lock?: Lock | RLock | Attached<AttachedCondition<Lock | RLock>>) {
    super(lock);
  }

  static [kAttach](data: AtomicsConditionData): Condition {
    // The lock is attached first: if that throws, no Condition was begun.
    const lock = attachHandle(data.lock) as Lock | RLock;
    const core = new AtomicsConditionCore(data.buffer, atomicsLockCoreOf(lock[kLockCore])!);
    return new this(new Attached({ core, lock }));
  }
}

registerHandleKind<AtomicsConditionData>(CONDITION_HANDLE_KIND, (data) => Condition[kAttach](data));
