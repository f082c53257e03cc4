/**
 * What the process-scope `Lock` and `RLock` share: acquiring through the hub
 * (`backends/hub/lock.ts`), releasing with one message when this thread
 * took the lock, `withLock`, statistics and the handle. The two classes
 * differ only in their hub kind and in re-entrance.
 */
import { hubCall, hubCallSync, hubCreate, hubSend, TIMED_OUT } from '../backends/hub/client.js';
import type { Grant, LockStatisticsAnswer } from '../backends/hub/lock.js';
import { kHandle, type Handle, type Shareable } from '../codec/handles.js';
import { holding, holdingSync } from '../sync/acquire.js';
import { checkSyncWaitOptions, checkWaitOptions, type SyncWaitOptions, type WaitOptions } from '../sync/options.js';
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

/** Records the id of the object a handle is being attached to (the constructor then joins it instead of creating one). */
let attachingId: number | undefined;

/** Symbol of the method a Condition calls after its wait took the lock back. */
export const kGranted = Symbol('weft.lock.granted');

export abstract class OwnedHubLock implements Shareable, HubBacked {
  readonly #id: number;
  readonly #kind: string;
  readonly #reentrant: boolean;
  #ownerDied = false;

  protected constructor(kind: string, reentrant: boolean) {
    this.#kind = kind;
    this.#reentrant = reentrant;
    this.#id = attachingId ?? hubCreate(kind, [], this);
    attachingId = undefined;
  }

  /**
   * Waits until the lock is free and takes it. Resolves true, or false if
   * `timeout` ms passed first. Never blocks the event loop.
   */
  async acquire(options?: WaitOptions): Promise<boolean> {
    const { timeout, signal } = checkWaitOptions(options);
    signal?.throwIfAborted();
    if (tracing) this.#trace(Op.Request, 0);
    return this.#took(await hubCall(this.#id, 'acquire', [], { timeout, signal }));
  }

  /** As `acquire`, blocking the calling thread while it waits. */
  acquireSync(options?: SyncWaitOptions): boolean {
    const { timeout } = checkSyncWaitOptions(options);
    if (tracing) this.#trace(Op.Request, 0);
    return this.#took(hubCallSync(this.#id, 'acquire', [], timeout));
  }

  /** Takes the lock if it is free; never waits (one round trip to the hub). */
  tryAcquire(): boolean {
    if (tracing) this.#trace(Op.Request, 0);
    return this.#took(hubCallSync(this.#id, 'acquire', [], 0));
  }

  #took(answer: unknown): boolean {
    if (tracing) this.#trace(answer === TIMED_OUT ? Op.TimedOut : Op.Acquired, answer === 'inherited' ? 2 : 1);
    if (answer === TIMED_OUT) return false;
    this[kGranted](answer as Grant);
    localHolds.took(this.#id, this.#reentrant);
    return true;
  }

  [kGranted](grant: Grant): void {
    this.#ownerDied = grant === 'inherited';
  }

  /**
   * Releases the lock (one level of an RLock). From the thread that took it,
   * a one-way message; from another thread, a round trip that throws
   * `ERR_LOCK_NOT_HELD` if the release is not allowed.
   */
  release(): void {
    // Recorded before the hub hears of it: the next holder may record its acquire at once.
    if (tracing) this.#trace(Op.Released, 1);
    if (localHolds.giveBack(this.#id)) hubSend(this.#id, 'release');
    else hubCallSync(this.#id, 'release');
  }

  #trace(op: number, value: number): void {
    traceRemote(op, this.#reentrant ? Cls.RLock : Cls.Lock, this.#id, value);
  }

  /** True while a live thread of the tree holds the lock. */
  locked(): boolean {
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

  /** Builds a wrapper of `Class` over the object with this id in the hub. */
  protected static attach<L extends OwnedHubLock>(Class: new () => L, id: number): L {
    attachingId = id;
    return new Class();
  }
}
