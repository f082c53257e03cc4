/**
 * The hub's state machine of a process-scope `Lock` (`multiprocessing.Lock`):
 * one holder at a time among every thread of every process in the tree.
 * `rlock.ts` extends it with re-entrance; `condition.ts` reaches into it to
 * release and re-acquire around a wait.
 *
 * Guarantees: waiters are served in arrival order (FIFO hand-off: a release
 * gives the lock straight to the longest waiter, so nobody barges past it);
 * any caller may release a Lock, as in Python; a holder that ends
 * (`callerGone`) has the lock released for it and the next owner is told
 * `'inherited'` — Python leaves it held forever (cpython#88304, #96062). An
 * abandoned waiter (timed out, cancelled, dead) leaves no trace: it is
 * removed from the queue and is never granted later.
 *
 * ## State
 *
 * | field        | meaning                                                            |
 * |--------------|--------------------------------------------------------------------|
 * | `owner`      | the (client, thread) holding it, or null                           |
 * | `depth`      | how many times the owner holds it (1 for a Lock; 0 when free)      |
 * | `ownerDied`  | the last holder ended holding it; the next grant is `'inherited'`  |
 * | `queue`      | kept calls waiting to take it, FIFO                                |
 *
 * | state        | condition                       | acquire                 | release by holder / any          | holder ends                     |
 * |--------------|---------------------------------|-------------------------|----------------------------------|---------------------------------|
 * | Free         | owner null, queue empty         | → Held, answer at once  | `ERR_LOCK_NOT_HELD`              | —                               |
 * | Held         | owner set, queue empty          | queued → Contended      | → Free                           | → Free, ownerDied               |
 * | Contended    | owner set, queue not empty      | queued                  | head becomes owner (hand-off)    | head becomes owner, 'inherited' |
 *
 * ## Ops
 *
 * | op               | args  | answer                                              |
 * |------------------|-------|-----------------------------------------------------|
 * | `acquire`        | —     | `'acquired'` or `'inherited'` (waits; FIFO)         |
 * | `release`        | —     | undefined; `ERR_LOCK_NOT_HELD` if not held          |
 * | `locked`         | —     | boolean                                             |
 * | `statistics`     | —     | `{ locked, owner: { process, thread } | null, depth, waiting }` |
 * | `waitForWaiters` | n     | the waiter count, once it is >= n                   |
 *
 * Owner bookkeeping is one place (`#grant`, `#free`), so that a later cached
 * grant (a process re-taking a lock it last held without asking) can hook
 * in there.
 */
import { ErrorCode } from '../../errors.js';
import { registerHubKind, type Caller, type HubCall, type HubObject } from './call.js';
import { isGone, sameCaller, WaitQueue, Watchers } from './waiters.js';

/** How an acquire ended: a plain grant, or one that took the lock over from a holder that ended. */
export type Grant = 'acquired' | 'inherited';

/**
 * A call waiting in a lock's queue: an `acquire`, or a Condition's waiter
 * re-taking the lock after a notify (with its saved depth and its own answer).
 */
export interface LockWaiter extends Caller {
  readonly call: HubCall;
  /** The depth the waiter holds the lock at once granted (an RLock's restored levels). */
  readonly depth: number;
  /** What to answer the call with once the lock is granted. */
  readonly answer: (grant: Grant) => unknown;
}

export interface LockStatisticsAnswer {
  readonly locked: boolean;
  readonly owner: { readonly process: number; readonly thread: number } | null;
  readonly depth: number;
  readonly waiting: number;
}

export class HubLock implements HubObject {
  protected owner: Caller | null = null;
  protected depth = 0;
  #ownerDied = false;
  // Invariant: owner === null ⇒ queue is empty. Every release hands the lock
  // straight to the head of the queue, so a free lock has nobody waiting.
  readonly #queue = new WaitQueue<LockWaiter>();
  readonly #watchers = new Watchers();

  call(op: string, call: HubCall): void {
    switch (op) {
      case 'acquire': return this.acquire(call);
      case 'release': return this.release(call);
      case 'locked': return call.reply(this.owner !== null);
      case 'statistics': return call.reply(this.statistics());
      case 'waitForWaiters': return this.#watchers.watch(call, this.#queue.size);
      default: return call.fail(ErrorCode.InvalidArg, `hub: a ${this.kindName} has no op '${op}'`);
    }
  }

  protected get kindName(): string {
    return 'Lock';
  }

  protected acquire(call: HubCall): void {
    this.enqueue({ call, client: call.client, thread: call.thread, depth: 1, answer: (grant) => grant });
  }

  /** A Lock may be released by anyone, as in Python. */
  protected release(call: HubCall): void {
    if (this.owner === null) return call.fail(ErrorCode.LockNotHeld, 'sync: release of an unlocked Lock');
    this.#free(false);
    call.reply();
  }

  statistics(): LockStatisticsAnswer {
    const owner = this.owner === null ? null : { process: this.owner.client, thread: this.owner.thread };
    return { locked: owner !== null, owner, depth: this.depth, waiting: this.#queue.size };
  }

  /** True if `caller` holds the lock (a Condition's check before wait/notify). */
  isOwner(caller: Caller): boolean {
    return this.owner !== null && sameCaller(this.owner, caller);
  }

  /**
   * Takes the lock for `waiter` now if it is free, or queues it (FIFO).
   * `withCleanup: false` when the caller registered the call's abandon
   * cleanup itself (a Condition's sleeper: one cleanup per call).
   */
  enqueue(waiter: LockWaiter, withCleanup = true): void {
    if (this.owner === null) return this.#grant(waiter);
    this.#queue.push(waiter);
    if (withCleanup) waiter.call.whenAbandoned(() => this.#queue.remove(waiter));
    this.#watchers.changed(this.#queue.size);
  }

  /** Withdraws a queued waiter (a Condition waiter abandoned while re-taking the lock). */
  withdraw(waiter: LockWaiter): void {
    this.#queue.remove(waiter);
  }

  /** Releases every level the owner holds (a Condition's wait); returns that depth. The caller must be the owner. */
  releaseAll(): number {
    const depth = this.depth;
    this.#free(false);
    return depth;
  }

  callerGone(client: number, thread: number | undefined): void {
    // Drop the gone caller's waiters first, so the lock is never handed to
    // them below (the core abandons their calls too; removal is idempotent).
    this.#queue.removeWhere((waiter) => isGone(waiter, client, thread));
    if (this.owner !== null && isGone(this.owner, client, thread)) this.#free(true);
  }

  /** Makes `waiter` the owner and answers it. */
  #grant(waiter: LockWaiter): void {
    const inherited = this.#ownerDied;
    this.owner = { client: waiter.client, thread: waiter.thread };
    this.depth = waiter.depth;
    this.#ownerDied = false;
    waiter.call.reply(waiter.answer(inherited ? 'inherited' : 'acquired'));
  }

  /** The holder lets go (or ended, `died`): hands the lock to the longest waiter, or leaves it free. */
  #free(died: boolean): void {
    this.owner = null;
    this.depth = 0;
    if (died) this.#ownerDied = true;
    // Every queued call is still waiting: an abandoned one left the queue in its cleanup (call.ts).
    const next = this.#queue.shift();
    if (next !== undefined) this.#grant(next);
  }
}

registerHubKind('multiprocessing.Lock', () => new HubLock());
