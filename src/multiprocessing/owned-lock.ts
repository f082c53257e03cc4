/**
 * What the process-scope `Lock` and `RLock` share: acquiring and releasing,
 * `withLock`, statistics and the handle. The two classes differ only in
 * their hub kind and in re-entrance.
 *
 * Where an acquire goes: while this process holds the lock's grant
 * (`backends/hub/lock.ts`, "Grants"), to the process's cell
 * (`backends/hub/grant-cell.ts`) — a compare-and-swap, or a wait in the
 * cell's queue behind this process's other threads; otherwise to the hub,
 * which grants the lock to the process (its server marks this thread the
 * holder in the cell before the answer arrives). A release goes to the cell
 * too, and gives the grant back — one message — if the hub asked for it.
 * The one hold that lives in the hub is a Condition's: its wait `pin`s the
 * hold there, and the thread then releases with a message, as before grants.
 */
import { ABORTED } from '../backends/atomics/parking.js';
import { runAsync, runSync } from '../backends/atomics/parking.js';
import { currentToken, runtime } from '../backends/atomics/runtime.js';
import { hubCall, hubCallSync, hubCreate, hubGrantCell, hubSend, TIMED_OUT } from '../backends/hub/client.js';
import { GrantCell, GrantState } from '../backends/hub/grant-cell.js';
import type { Grant, LockStatisticsAnswer, ProcessGrant } from '../backends/hub/lock.js';
import type { AcquireOutcome } from '../backends/atomics/lock.js';
import { kHandle, type Handle, type Shareable } from '../codec/handles.js';
import { ErrorCode, misuse } from '../errors.js';
import { Deadline } from '../internal/deadline.js';
import { holding, holdingSync } from '../sync/acquire.js';
import { checkSyncWaitOptions, checkWaitOptions, type SyncWaitOptions, type WaitOptions } from '../sync/options.js';
import { Attached } from '../sync/attach.js';
import { inspectSymbol } from '../sync/owner.js';
import { hubHandle, kHubId, localHolds, type HubBacked, type HubHandleData } from './hub-object.js';
import { Cls, Op, traceRemote, tracing } from '../trace/tracing.js';

/** Who holds a process-scope lock: the process (its number in the tree; the root is 0) and its thread. */
export interface ProcessThreadRef {
  readonly process: number;
  readonly thread: number;
}

export interface ProcessLockStatistics {
  /** True while a live thread of the tree holds the lock. */
  readonly locked: boolean;
  readonly owner: ProcessThreadRef | null;
  /** How many times the owner holds it (1 for a Lock; 0 when unlocked). */
  readonly depth: number;
  /** Calls waiting to acquire. */
  readonly waiting: number;
}

/** Symbol of the method a Condition calls after its wait took the lock back. */
export const kGranted = Symbol('weft.lock.granted');
/** Symbol of the method a Condition calls before its wait: hands this thread's hold to the hub; returns its levels (0: not held). */
export const kPin = Symbol('weft.lock.pin');
/** Symbol of the method a Condition calls before a notify: whether this thread holds the lock. */
export const kHeldHere = Symbol('weft.lock.heldHere');

/** This thread's view of each lock's cell in this process, by hub id. */
const cells = new Map<number, GrantCell>();

function cellOf(id: number, reentrant: boolean): GrantCell {
  let cell = cells.get(id);
  if (cell === undefined) {
    cell = new GrantCell(hubGrantCell(id, reentrant), runtime().arena, reentrant);
    cells.set(id, cell);
  }
  return cell;
}

/** What an acquire taken at once resolves with. */
const TAKEN = Promise.resolve(true);

/** What is left of the caller's timeout for the hub, after a wait in the cell. */
function remaining(timeout: number | undefined, deadline: Deadline): number | undefined {
  return timeout === undefined ? undefined : deadline.remaining();
}

export abstract class OwnedHubLock implements Shareable, HubBacked {
  readonly #id: number;
  readonly #kind: string;
  readonly #reentrant: boolean;
  #ownerDied = false;
  #cell: GrantCell | undefined;

  /** `attached`: the id of the hub object of a handle, which this wrapper joins instead of creating one. */
  protected constructor(kind: string, reentrant: boolean, attached?: Attached<number>) {
    this.#kind = kind;
    this.#reentrant = reentrant;
    this.#id = attached instanceof Attached ? attached.core : hubCreate(kind, [], this);
  }

  /**
   * Waits until the lock is free and takes it. Resolves true, or false if
   * `timeout` ms passed first. Never blocks the event loop (but for the first
   * use of the lock in this thread, which asks this process's link for its
   * cell: a local round trip).
   */
  acquire(options?: WaitOptions): Promise<boolean> {
    try {
      const { timeout, signal } = checkWaitOptions(options);
      signal?.throwIfAborted();
      const me = currentToken();
      const cell = this.#cellOf();
      const local = cell.tryLocal(me);
      // Taken in the cell: one shared settled promise, no allocation (the uncontended case).
      if (local === 'acquired' || local === 'inherited') {
        this.#tookHere(local);
        return TAKEN;
      }
      return this.#acquireWaiting(cell, me, local, timeout, signal);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** The async acquire that must wait: in the cell behind this process's threads, or in the hub. */
  async #acquireWaiting(cell: GrantCell, me: number, local: 'busy' | 'no-grant', timeout: number | undefined, signal: AbortSignal | undefined): Promise<boolean> {
    if (tracing) this.#trace(Op.Request, 0);
    const deadline = Deadline.after(timeout);
    if (local === 'busy') {
      if (timeout === 0) return this.#took(TIMED_OUT);
      const waited = await runAsync(cell.acquireSteps(me, deadline), signal);
      if (waited !== 'no-grant') return this.#tookAfterWait(waited);
    }
    return this.#took(await hubCall(this.#id, 'acquire', ['grant'], { timeout: remaining(timeout, deadline), signal }));
  }

  /** As `acquire`, blocking the calling thread while it waits. */
  acquireSync(options?: SyncWaitOptions): boolean {
    const timeout = options === undefined ? undefined : checkSyncWaitOptions(options).timeout;
    const me = currentToken();
    const cell = this.#cellOf();
    const local = cell.tryLocal(me);
    if (local === 'acquired' || local === 'inherited') return this.#tookHere(local);
    if (tracing) this.#trace(Op.Request, 0);
    const deadline = Deadline.after(timeout);
    if (local === 'busy') {
      if (timeout === 0) return this.#took(TIMED_OUT);
      const waited = runSync(cell.acquireSteps(me, deadline));
      if (waited !== 'no-grant') return this.#tookAfterWait(waited);
    }
    return this.#took(hubCallSync(this.#id, 'acquire', ['grant'], remaining(timeout, deadline)));
  }

  /** Takes the lock if it is free; never waits (a round trip to the hub unless this process holds the grant). */
  tryAcquire(): boolean {
    const local = this.#cellOf().tryLocal(currentToken());
    if (local === 'acquired' || local === 'inherited') return this.#tookHere(local);
    if (local === 'busy') return false;
    if (tracing) this.#trace(Op.Request, 0);
    return this.#took(hubCallSync(this.#id, 'acquire', ['grant'], 0));
  }

  #cellOf(): GrantCell {
    return (this.#cell ??= cellOf(this.#id, this.#reentrant));
  }

  /** Taken in this process's cell, at once. */
  #tookHere(outcome: 'acquired' | 'inherited'): true {
    if (tracing) this.#trace(Op.Acquired, outcome === 'inherited' ? 2 : 1);
    this.#ownerDied = outcome === 'inherited';
    return true;
  }

  #tookAfterWait(outcome: AcquireOutcome | typeof ABORTED): boolean {
    if (outcome === 'timed-out') return this.#took(TIMED_OUT);
    return this.#tookHere(outcome as 'acquired' | 'inherited');
  }

  /** The hub's answer: a grant to this process (this thread holds it in the cell), a hold through the hub, or a timeout. */
  #took(answer: unknown): boolean {
    if (tracing) this.#trace(answer === TIMED_OUT ? Op.TimedOut : Op.Acquired, answer === 'inherited' || answer === 'granted-inherited' ? 2 : 1);
    if (answer === TIMED_OUT) return false;
    if (answer === 'granted' || answer === 'granted-inherited') {
      this.#ownerDied = (answer as ProcessGrant) === 'granted-inherited';
      return true;
    }
    this[kGranted](answer as Grant);
    localHolds.took(this.#id, this.#reentrant);
    return true;
  }

  [kGranted](grant: Grant): void {
    this.#ownerDied = grant === 'inherited';
  }

  /**
   * Releases the lock (one level of an RLock). In this process's cell when
   * it is held there — no message; if the hub asked for the grant, this
   * process's server sends it back; a hold through the hub (after a Condition's wait) with one
   * message; otherwise (a Lock held by another process) a round trip that
   * throws `ERR_LOCK_NOT_HELD` if the release is not allowed.
   */
  release(): void {
    // Recorded before the hub hears of it: the next holder may record its acquire at once.
    if (tracing) this.#trace(Op.Released, 1);
    if (localHolds.holdsAny() && localHolds.giveBack(this.#id)) return hubSend(this.#id, 'release');
    // Given back to the hub (if it asked) by this process's server, woken by the cell.
    if (this.#cellOf().release(currentToken()) !== 'not-held') return;
    if (this.#reentrant) throw misuse(ErrorCode.LockNotHeld, 'sync: release of an RLock that the calling thread does not hold');
    hubCallSync(this.#id, 'release');
  }

  /** A Condition's wait: this thread's hold moves to the hub (where the wait releases it); returns the levels held, 0 if none. */
  [kPin](): number {
    const me = currentToken();
    const cell = this.#cellOf();
    if (!cell.heldBy(me)) return localHolds.suspend(this.#id);
    const depth = cell.pin(me);
    hubSend(this.#id, 'pin', [depth]);
    return depth;
  }

  /** True if this thread holds the lock (in the cell, or through the hub). */
  [kHeldHere](): boolean {
    return this.#cellOf().heldBy(currentToken()) || localHolds.holds(this.#id);
  }

  #trace(op: number, value: number): void {
    traceRemote(op, this.#reentrant ? Cls.RLock : Cls.Lock, this.#id, value);
  }

  /** True while a live thread of the tree holds the lock (no message while this process holds the grant). */
  locked(): boolean {
    const cell = this.#cellOf();
    if (cell.state !== GrantState.None) return cell.lock.holder() !== 0;
    return hubCallSync(this.#id, 'locked') as boolean;
  }

  /**
   * True when the last acquire through this object took the lock over from a
   * thread or process that ended while holding it: what it protected may be
   * half-updated.
   */
  get ownerDied(): boolean {
    return this.#ownerDied;
  }

  /** Runs `fn` holding the lock and releases it however `fn` ends; `TimeoutError` if it could not be taken within `timeout`. */
  withLock<R>(fn: () => R | Promise<R>, options?: WaitOptions): Promise<R> {
    return holding(this, fn, options, this.constructor.name);
  }

  /** Runs `fn` holding the lock, blocking while it waits for it. */
  withLockSync<R>(fn: () => R): R {
    return holdingSync(this, fn);
  }

  statistics(): ProcessLockStatistics {
    const answer = hubCallSync(this.#id, 'statistics') as LockStatisticsAnswer;
    return Object.freeze({ ...answer, owner: answer.owner === null ? null : Object.freeze({ ...answer.owner }) });
  }

  get [kHubId](): number {
    return this.#id;
  }

  [kHandle](): Handle {
    const data: HubHandleData = { id: this.#id };
    return hubHandle(this.#kind, data);
  }

  [inspectSymbol](): string {
    const { locked, owner, depth, waiting } = this.statistics();
    const held = this.#reentrant ? ` depth=${depth}` : '';
    const shown = locked ? `locked owner=process ${owner?.process} thread ${owner?.thread}${held}` : 'unlocked';
    return `<${this.constructor.name} ${shown} waiting=${waiting}>`;
  }

  toString(): string {
    return this[inspectSymbol]();
  }
}
