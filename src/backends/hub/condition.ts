/**
 * The hub's state machine of a process-scope `Condition`
 * (`multiprocessing.Condition`) over a process-scope Lock or RLock (a
 * `HubLock`, reached by id).
 *
 * Guarantees: `wait` releases the lock completely (every level of an RLock)
 * and enqueues the sleeper in one step, so no notify can fall between them;
 * `notify(n)` wakes the `min(n, sleepers)` longest sleepers, never one that
 * already gave up; a woken sleeper re-takes the lock through the lock's own
 * FIFO queue (behind whoever was already waiting for it) at its saved depth,
 * and its `wait` is answered only once it holds the lock. wait and notify
 * need the lock (`ERR_LOCK_NOT_HELD`). No spurious wake-ups.
 *
 * A wait that is abandoned (timed out or cancelled) must still give the
 * caller its lock back, as Python's wait does: the cleanup withdraws the
 * sleeper (from the sleepers, or from the lock's queue if it was already
 * notified) and keeps its saved depth under the caller's wait id; the caller,
 * answered `TIMED_OUT` or rejected by its signal, then sends `restore` with
 * that id, which re-takes the lock at that depth and answers whether the
 * sleeper had been notified.
 *
 * ## State
 *
 * | field       | meaning                                                             |
 * |-------------|---------------------------------------------------------------------|
 * | `lock`      | the HubLock / HubRLock                                              |
 * | `sleepers`  | waits not yet notified, FIFO, each with its saved depth             |
 * | `unclaimed` | abandoned waits by (client, thread, wait id): depth, notified      |
 *
 * | a wait's phase | entered by                  | left by                                          |
 * |----------------|-----------------------------|--------------------------------------------------|
 * | Sleeping       | `wait` (lock released)      | `notify` → Re-taking; abandoned → Unclaimed       |
 * | Re-taking      | `notify` (queued at lock)   | lock granted → answered; abandoned → Unclaimed    |
 * | Unclaimed      | its call abandoned          | `restore` (queued at lock); its caller gone      |
 *
 * ## Ops
 *
 * | op               | args    | answer                                                         |
 * |------------------|---------|----------------------------------------------------------------|
 * | `wait`           | waitId  | the lock's grant (`'acquired'`/`'inherited'`) once notified and re-taken |
 * | `restore`        | waitId  | `[notified, grant]` once the abandoned wait's lock is re-taken  |
 * | `notify`         | n       | how many sleepers were woken                                   |
 * | `statistics`     | —       | `{ waiting, locked }`                                          |
 * | `waitForWaiters` | n       | the sleeper count, once it is >= n                             |
 */
import { ErrorCode, invalidArg } from '../../errors.js';
import { hubObject, registerHubKind, type Caller, type HubCall, type HubObject } from './call.js';
import { HubLock, type LockWaiter } from './lock.js';
import { callerKey, isGone, WaitQueue, Watchers } from './waiters.js';
import type { OpName } from './ops.js';

interface Sleeper extends Caller {
  readonly call: HubCall;
  readonly key: string;
  readonly depth: number;
  /** Set once notified: the sleeper's place in the lock's queue. */
  retaking: LockWaiter | undefined;
}

interface Unclaimed extends Caller {
  readonly depth: number;
  readonly notified: boolean;
}

export class HubCondition implements HubObject {
  readonly #lock: HubLock;
  readonly #sleepers = new WaitQueue<Sleeper>();
  readonly #unclaimed = new Map<string, Unclaimed>();
  readonly #watchers = new Watchers();

  constructor(lock: HubLock) {
    this.#lock = lock;
  }

  call(op: OpName<'multiprocessing.Condition'>, call: HubCall): void {
    switch (op) {
      case 'wait': return this.#wait(call);
      case 'restore': return this.#restore(call);
      case 'notify': return this.#notify(call);
      case 'statistics': return call.reply({ waiting: this.#sleepers.size, locked: this.#lock.statistics().locked });
      case 'waitForWaiters': return this.#watchers.watch(call, this.#sleepers.size);
      default: return call.fail(ErrorCode.InvalidArg, `hub: a Condition has no op '${op}'`);
    }
  }

  #wait(call: HubCall): void {
    if (!this.#lock.isOwner(call)) {
      return call.fail(ErrorCode.LockNotHeld, 'sync: cannot wait on a Condition whose lock the calling thread does not hold');
    }
    // Release and enqueue in one step: a notify cannot fall between them.
    const depth = this.#lock.releaseAll();
    const sleeper: Sleeper = { call, client: call.client, thread: call.thread, key: callerKey(call, call.args[0]), depth, retaking: undefined };
    this.#sleepers.push(sleeper);
    call.whenAbandoned(() => this.#abandon(sleeper));
    this.#watchers.changed(this.#sleepers.size);
  }

  #notify(call: HubCall): void {
    const n = call.args[0] ?? 1;
    if (!(typeof n === 'number' && (Number.isInteger(n) || n === Infinity) && n >= 0)) {
      return call.fail(ErrorCode.InvalidArg, `sync: notify(n) needs a whole number n >= 0 (or Infinity), got ${String(n)}`);
    }
    if (!this.#lock.isOwner(call)) {
      return call.fail(ErrorCode.LockNotHeld, 'sync: cannot notify on a Condition whose lock the calling thread does not hold');
    }
    let woken = 0;
    while (woken < n) {
      const sleeper = this.#sleepers.shift();
      if (sleeper === undefined) break;
      this.#retake(sleeper);
      woken += 1;
    }
    call.reply(woken);
  }

  /** Queues a notified sleeper at the lock (the notifier holds it, so it waits there). */
  #retake(sleeper: Sleeper): void {
    const waiter: LockWaiter = { call: sleeper.call, client: sleeper.client, thread: sleeper.thread, depth: sleeper.depth, answer: (grant) => grant };
    sleeper.retaking = waiter;
    this.#lock.enqueue(waiter, false); // the sleeper's cleanup (#abandon) withdraws it
  }

  /** The sleeper's call timed out or was cancelled: withdraw it and keep its depth for `restore`. */
  #abandon(sleeper: Sleeper): void {
    if (sleeper.retaking === undefined) this.#sleepers.remove(sleeper);
    else this.#lock.withdraw(sleeper.retaking);
    const unclaimed = { client: sleeper.client, thread: sleeper.thread, depth: sleeper.depth, notified: sleeper.retaking !== undefined };
    this.#unclaimed.set(sleeper.key, unclaimed);
  }

  /** Re-takes the lock for an abandoned wait, at its saved depth. */
  #restore(call: HubCall): void {
    const key = callerKey(call, call.args[0]);
    const unclaimed = this.#unclaimed.get(key);
    if (unclaimed === undefined) {
      return call.fail(ErrorCode.InvalidArg, `hub: no abandoned Condition wait ${String(call.args[0])} of this thread to restore`);
    }
    this.#unclaimed.delete(key);
    const { notified } = unclaimed;
    this.#lock.enqueue({ call, client: call.client, thread: call.thread, depth: unclaimed.depth, answer: (grant) => [notified, grant] });
  }

  callerGone(client: number, thread: number | undefined): void {
    // The gone caller's waits are abandoned by the core; what they left unclaimed goes too.
    for (const [key, unclaimed] of this.#unclaimed) {
      if (isGone(unclaimed, client, thread)) this.#unclaimed.delete(key);
    }
  }
}

registerHubKind('multiprocessing.Condition', (args) => {
  const lock = typeof args[0] === 'number' ? hubObject(args[0]) : undefined;
  if (!(lock instanceof HubLock)) {
    throw invalidArg('sync: a process-scope Condition takes a Lock or RLock from weft/multiprocessing', 'type');
  }
  return new HubCondition(lock);
});
