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
 * ## Grants
 *
 * An `acquire` with the argument `'grant'` (every acquire of the client
 * classes) is granted to the caller's *process*: the hub tells the process's
 * server (`grant`, just before the answer), which marks the calling thread
 * holder in the process's cell (`grant-cell.ts`); from then on the process's
 * threads take and release the lock there, in shared memory, without a
 * message, until the hub asks for it back. When anyone else asks (an acquire
 * queues), the hub sends one `revoke`; the process gives the grant back
 * (`return`) at once if the lock is free there, else at its holder's release
 * — which is the message a release sent before grants, so a hand-off costs
 * no more messages. While revoking, the process's own new acquirers ask the
 * hub too and queue behind the waiter (FIFO between processes holds). A
 * process that ends holding a grant gives the next owner `'inherited'`: the
 * hub cannot see whether a thread held it there. A Condition's wait first
 * `pin`s the hold (the grant becomes the thread's plain ownership in the
 * hub), then waits as before; its re-take is a plain (thread) grant.
 * `locked`, `statistics` and another process's `release` of a granted lock
 * ask the holding process (`revoke` with a probe), which `report`s.
 *
 * ## State
 *
 * | field        | meaning                                                            |
 * |--------------|--------------------------------------------------------------------|
 * | `owner`      | the (client, thread) holding it through the hub, or null           |
 * | `depth`      | how many times the owner holds it (1 for a Lock; 0 when free)      |
 * | `grantee`    | the process holding it as a grant, or null (never both: `held`)    |
 * | `revoking`   | a `revoke` was sent to the grantee                                 |
 * | `ownerDied`  | the last holder ended holding it; the next grant is `'inherited'`  |
 * | `queue`      | kept calls waiting to take it, FIFO                                |
 * | `probes`     | calls waiting for the grantee's `report`, by reference             |
 *
 * | state        | condition                       | acquire                 | release by holder / any          | holder ends                     |
 * |--------------|---------------------------------|-------------------------|----------------------------------|---------------------------------|
 * | Free         | not held, queue empty           | → Held (or Granted), answer at once | `ERR_LOCK_NOT_HELD`  | —                               |
 * | Held         | owner set, queue empty          | queued → Contended      | → Free                           | → Free, ownerDied               |
 * | Contended    | owner set, queue not empty      | queued                  | head becomes owner (hand-off)    | head becomes owner, 'inherited' |
 * | Granted      | grantee set, queue empty        | queued, `revoke` → Revoking | (in the process's cell)      | process ends: → Free, ownerDied |
 * | Revoking     | grantee set, queue not empty    | queued                  | `return`: head gets it (hand-off) | process ends: head, 'inherited' |
 *
 * ## Ops
 *
 * | op               | args            | answer                                              |
 * |------------------|-----------------|-----------------------------------------------------|
 * | `acquire`        | [`'grant'`]     | `'granted'`/`'granted-inherited'` (a process grant) or `'acquired'`/`'inherited'` (waits; FIFO) |
 * | `release`        | —               | undefined; `ERR_LOCK_NOT_HELD` if not held          |
 * | `locked`         | —               | boolean                                             |
 * | `statistics`     | —               | `{ locked, owner: { process, thread } | null, depth, waiting }` |
 * | `waitForWaiters` | n               | the waiter count (the hub's queue and the grantee's cell), once it is >= n |
 * | `return`         | [died]          | (sent) the grantee gives the grant back             |
 * | `pin`            | [depth]         | (sent) the grantee's thread holds it through the hub now |
 * | `report`         | [holder, depth, waiting, released, ref] | (sent) the grantee's answer to a probe; `ref` -1: its cell's waiter count changed (`probe: 'watch'`) |
 *
 * Owner bookkeeping is one place (`#grant`, `#free`).
 */
import { ErrorCode } from '../../errors.js';
import { registerHubKind, type Caller, type HubCall, type HubObject } from './call.js';
import { tellClient, WATCH } from './notices.js';
import { isGone, sameCaller, WaitQueue, Watchers } from './waiters.js';
import type { OpName } from './ops.js';

/** How an acquire ended: a plain grant, or one that took the lock over from a holder that ended. */
export type Grant = 'acquired' | 'inherited';
/** How an acquire granted to the caller's process ended (the thread holds it in the process's cell). */
export type ProcessGrant = 'granted' | 'granted-inherited';

/**
 * A call waiting in a lock's queue: an `acquire`, or a Condition's waiter
 * re-taking the lock after a notify (with its saved depth and its own answer).
 */
export interface LockWaiter extends Caller {
  readonly call: HubCall;
  /** The depth the waiter holds the lock at once granted (an RLock's restored levels). */
  readonly depth: number;
  /** What to answer the call with once the lock is granted (to the thread). */
  readonly answer: (grant: Grant) => unknown;
  /** Grant it to the caller's process (answered with a `ProcessGrant`), not to the thread alone. */
  readonly toProcess?: boolean;
}

export interface LockStatisticsAnswer {
  readonly locked: boolean;
  readonly owner: { readonly process: number; readonly thread: number } | null;
  readonly depth: number;
  readonly waiting: number;
}

type ProbeOp = 'locked' | 'statistics' | 'release';


interface Probe {
  readonly call: HubCall;
  readonly op: ProbeOp;
}

export class HubLock implements HubObject {
  protected owner: Caller | null = null;
  protected depth = 0;
  #grantee: number | null = null;
  #revoking = false;
  /** Threads waiting in the grantee's cell, as it last reported (while `waitForWaiters` calls watch). */
  #waitingThere = 0;
  #ownerDied = false;
  /** Counts process grants: names the one an unreceived-grant undo is for. */
  #grants = 0;
  #id = 0;
  // Invariant: not held ⇒ queue is empty. Every release hands the lock
  // straight to the head of the queue, so a free lock has nobody waiting.
  readonly #queue = new WaitQueue<LockWaiter>();
  readonly #watchers = new Watchers();
  readonly #probes = new Map<number, Probe>();
  #nextProbe = 0;

  identify(id: number): void {
    this.#id = id;
  }

  call(op: OpName<'multiprocessing.Lock'>, call: HubCall): void {
    switch (op) {
      case 'acquire': return this.acquire(call);
      case 'release': return this.release(call);
      case 'locked': return this.#ask(call, 'locked');
      case 'statistics': return this.#ask(call, 'statistics');
      case 'waitForWaiters': return this.#watchWaiters(call);
      case 'return': return this.#returned(call);
      case 'pin': return this.#pin(call);
      case 'report': return this.#reported(call);
      default: return call.fail(ErrorCode.InvalidArg, `hub: a ${this.kindName} has no op '${op}'`);
    }
  }

  protected get kindName(): string {
    return 'Lock';
  }

  /** True while a thread or a process's grant holds it. */
  get #held(): boolean {
    return this.owner !== null || this.#grantee !== null;
  }

  protected acquire(call: HubCall): void {
    this.enqueue({ call, client: call.client, thread: call.thread, depth: 1, answer: (grant) => grant, toProcess: call.args[0] === 'grant' });
  }

  /** A Lock may be released by anyone, as in Python. */
  protected release(call: HubCall): void {
    if (this.#grantee !== null) {
      // The grantee's threads release in its cell: one that asks here found nothing held there.
      if (call.client === this.#grantee) return call.fail(ErrorCode.LockNotHeld, 'sync: release of an unlocked Lock');
      return this.#probe(call, 'release');
    }
    if (this.owner === null) return call.fail(ErrorCode.LockNotHeld, 'sync: release of an unlocked Lock');
    this.#free(false);
    call.reply();
  }

  /**
   * The hub's own view, for a Condition's `statistics`: a granted lock
   * counts as locked (whether a thread of the grantee holds it is known
   * there only; `locked`/`statistics` calls ask it).
   */
  statistics(): LockStatisticsAnswer {
    const owner = this.owner === null ? null : { process: this.owner.client, thread: this.owner.thread };
    return { locked: this.#held, owner, depth: this.depth, waiting: this.#queue.size };
  }

  /**
   * True if `caller` holds the lock (a Condition's check before wait/notify).
   * A grant's holder thread is known in its process only: the client
   * classes check it there, and `pin` the hold before a wait.
   */
  isOwner(caller: Caller): boolean {
    return this.holdsAsThread(caller) || this.#grantee === caller.client;
  }

  /** True if `caller`'s thread holds the lock through the hub (not as a process grant). */
  protected holdsAsThread(caller: Caller): boolean {
    return this.owner !== null && sameCaller(this.owner, caller);
  }

  /**
   * Takes the lock for `waiter` now if it is free, or queues it (FIFO).
   * `withCleanup: false` when the caller registered the call's abandon
   * cleanup itself (a Condition's sleeper: one cleanup per call).
   */
  enqueue(waiter: LockWaiter, withCleanup = true): void {
    if (!this.#held) return this.#grant(waiter);
    this.#queue.push(waiter);
    if (withCleanup) waiter.call.whenAbandoned(() => this.#queue.remove(waiter));
    // Revoked before watchers hear of the waiter: the root's grant is revoked at once, so
    // one who learns the waiter is queued and then releases in the root gives the lock to it.
    if (this.#grantee !== null) this.#revoke();
    this.#watchers.changed(this.#waiting);
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
    // A process gone with a grant: whether a thread held it there is unknown, so the next owner is told.
    if (thread === undefined && this.#grantee === client) this.#takeBack(true);
  }

  /** Makes `waiter` the owner (or its process the grantee) and answers it. */
  #grant(waiter: LockWaiter): void {
    const inherited = this.#ownerDied;
    this.#ownerDied = false;
    if (waiter.toProcess === true) {
      this.#grantee = waiter.client;
      // Someone already waits behind: the grant is lent for this one hold.
      this.#revoking = this.#queue.size > 0;
      tellClient(waiter.client, { t: 'grant', id: this.#id, thread: waiter.thread, depth: waiter.depth, revoking: this.#revoking, reentrant: this.kindName === 'RLock' });
      if (this.#watchers.watching) tellClient(waiter.client, { t: 'revoke', id: this.#id, probe: 'watch' });
      // Acknowledged by the process's server before the thread hears of it:
      // a process that dies before that never held it (`#unreceived`).
      const serial = ++this.#grants;
      waiter.call.replyAcked(inherited ? 'granted-inherited' : 'granted', () => this.#unreceived(waiter.client, serial, inherited));
      return;
    }
    this.owner = { client: waiter.client, thread: waiter.thread };
    this.depth = waiter.depth;
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

  // ---- grants ------------------------------------------------------------------

  /** Asks the grantee for the lock back, once: its answer is a `return`, now or at its holder's release. */
  #revoke(): void {
    if (this.#revoking) return;
    this.#revoking = true;
    tellClient(this.#grantee!, { t: 'revoke', id: this.#id });
  }

  /** The grant is back (`died`: its holder thread ended holding it): the next waiter gets the lock. */
  #takeBack(died: boolean): void {
    this.#grantee = null;
    this.#revoking = false;
    // The threads that waited there come to the hub's queue now.
    this.#waitingThere = 0;
    this.#free(died);
  }

  /** Calls waiting for the lock: in the hub's queue, and in the grantee's cell. */
  get #waiting(): number {
    return this.#queue.size + this.#waitingThere;
  }

  /** `waitForWaiters`: counts the grantee's waiting threads too, which it reports as they change. */
  #watchWaiters(call: HubCall): void {
    const first = !this.#watchers.watching;
    this.#watchers.watch(call, this.#waiting);
    if (first && this.#watchers.watching && this.#grantee !== null) tellClient(this.#grantee, { t: 'revoke', id: this.#id, probe: 'watch' });
  }

  /**
   * The grantee died before its server acknowledged grant `serial`: no
   * thread of it ever held the lock, so it passes on as it came (`inherited`
   * only if the grant was).
   */
  #unreceived(client: number, serial: number, inherited: boolean): void {
    if (this.#grantee === client && this.#grants === serial) this.#takeBack(inherited);
  }

  #returned(call: HubCall): void {
    if (this.#grantee === call.client) this.#takeBack(call.args[0] === true);
  }

  /** A Condition's wait: the grantee's thread now holds it through the hub, at its depth. */
  #pin(call: HubCall): void {
    if (this.#grantee !== call.client) return;
    this.#grantee = null;
    this.#revoking = false;
    this.#waitingThere = 0;
    this.owner = { client: call.client, thread: call.thread };
    this.depth = typeof call.args[0] === 'number' ? call.args[0] : 1;
  }

  /** `locked`/`statistics`: from the hub's state, or from the grantee's. */
  #ask(call: HubCall, op: 'locked' | 'statistics'): void {
    if (this.#grantee !== null) return this.#probe(call, op);
    const answer = this.statistics();
    call.reply(op === 'locked' ? answer.locked : answer);
  }

  #probe(call: HubCall, op: ProbeOp): void {
    const ref = ++this.#nextProbe;
    this.#probes.set(ref, { call, op });
    call.whenAbandoned(() => this.#probes.delete(ref));
    tellClient(this.#grantee!, { t: 'revoke', id: this.#id, probe: op === 'release' ? 'release' : 'state', ref });
  }

  /** The grantee answered a probe: its local holder and waiters, and whether it released the lock for the caller. */
  #reported(report: HubCall): void {
    const [holder, depth, waiting, released, ref] = report.args as [number, number, number, boolean, number];
    if (ref === WATCH) {
      // A change in the grantee's cell, while watchers watch.
      if (this.#grantee !== report.client) return;
      this.#waitingThere = waiting;
      return this.#watchers.changed(this.#waiting);
    }
    const probe = this.#probes.get(ref);
    if (probe === undefined) return;
    this.#probes.delete(ref);
    const { call, op } = probe;
    if (this.#grantee !== report.client) {
      // The grant went back before the probe arrived: the hub's state answers now.
      return op === 'release' ? this.release(call) : this.#ask(call, op);
    }
    if (op === 'release') return released ? call.reply() : call.fail(ErrorCode.LockNotHeld, 'sync: release of an unlocked Lock');
    const locked = holder !== 0;
    if (op === 'locked') return call.reply(locked);
    const owner = locked ? { process: report.client, thread: holder } : null;
    call.reply({ locked, owner, depth: locked ? depth : 0, waiting: this.#queue.size + waiting } satisfies LockStatisticsAnswer);
  }
}

registerHubKind('multiprocessing.Lock', () => new HubLock());
