/**
 * `Condition`: a condition variable shared by every thread of every process
 * of the tree — Python's `multiprocessing.Condition`, with the API of
 * `weft/threading`'s `Condition`, over a process-scope `Lock` or `RLock`
 * (default: a new RLock, as in Python). Its semantics are written once
 * (`sync/condition-base.ts`); this class picks the hub core
 * (`backends/hub/condition-core.ts`) and a process-scope lock.
 *
 * How it differs from its thread-scope twin: the sleepers live in the hub
 * (`backends/hub/condition.ts`). A wait first hands the thread's hold of the
 * lock to the hub if it was taken in this process's cell; then `wait` is one
 * message that releases the lock completely (every RLock level) and enqueues
 * the sleeper in one step; once notified, the sleeper re-takes the lock in
 * the hub, through the lock's FIFO queue, before its `wait` is answered.
 * Each call costs a round trip (tens of µs). A wait that times out or is
 * aborted takes the lock back with a second message before it returns, as
 * Python's does.
 *
 * Guarantees, as at thread scope: `notify(n)` wakes exactly
 * `min(n, sleepers)`, longest sleepers first, never one that gave up; no
 * spurious wake-ups; wait/notify without the lock are `ERR_LOCK_NOT_HELD`.
 */
import type { ConditionCores, ConditionStatistics } from '../backends/cores/condition.js';
import { HUB_CONDITION_KIND, HubConditionCore, hubConditionCores, type HubConditionData } from '../backends/hub/condition-core.js';
import { attachHandle, registerHandleKind, type Shareable } from '../codec/handles.js';
import { invalidArg } from '../errors.js';
import { Attached, kCores } from '../sync/attach.js';
import { ConditionBase, kLockFor, type AttachedCondition } from '../sync/condition-base.js';
import { kLockCore } from '../sync/lock-protocol.js';
import { kHubId, requireProcessScope, type HubBacked } from '../backends/hub/hub-object.js';
import { Lock } from './lock.js';
import type { HubLockCore } from '../backends/hub/owned-lock.js';
import { RLock } from './rlock.js';

export type ProcessConditionStatistics = ConditionStatistics;

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
export class Condition extends ConditionBase<Lock | RLock> implements Shareable, HubBacked {
  /** Where new Conditions of this class keep their sleepers: the hub. */
  static [kCores]: ConditionCores = hubConditionCores;

  /** The lock of a new Condition: a process-scope Lock or RLock (default: a new RLock, as in Python). */
  static [kLockFor](lock: unknown): Lock | RLock {
    if (lock === undefined) return new RLock();
    requireProcessScope(lock, 'the lock of a process-scope Condition');
    if (!(lock instanceof Lock) && !(lock instanceof RLock)) throw invalidArg('multiprocessing: a Condition takes a Lock or RLock', 'type');
    return lock;
  }

  /** @internal Rebuilds a Condition over the hub object of a handle, its lock already attached (internal: handles only). */
  constructor(attached: Attached<AttachedCondition<Lock | RLock>>);
  /** @param lock a Lock or RLock from weft/multiprocessing (default: a new RLock, as in Python). */
  constructor(lock?: Lock | RLock);
  constructor(lock?: Lock | RLock | Attached<AttachedCondition<Lock | RLock>>) {
    super(lock);
  }

  override get [kHubId](): number {
    return super[kHubId]!;
  }

  static fromHandle(data: HubConditionData): Condition {
    // The lock is attached first: if that throws, no Condition was begun.
    const lock = attachHandle(data.lock) as Lock | RLock;
    const core = new HubConditionCore(data.id, lock[kLockCore] as HubLockCore);
    return new Condition(new Attached({ core, lock }));
  }
}

registerHandleKind<HubConditionData>(HUB_CONDITION_KIND, (data) => Condition.fromHandle(data));
