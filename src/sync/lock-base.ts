/**
 * What a `Lock` and an `RLock` are, at either scope, written once: argument
 * checks, the fast path, `ownerDied`, errors, `withLock`, tracing, and what
 * a `Condition` needs from its lock. Where the lock's state lives is a core
 * (`backends/cores/lock.ts`): `weft/threading`'s `Lock`/`RLock` (`lock.ts`,
 * `rlock.ts`) pick the atomics cores, `weft/multiprocessing`'s the hub's —
 * each only sets the static `[kCores]` slot. The scopes keep separate
 * classes (a process-scope Lock is not an `instanceof` the thread-scope
 * one), as their statistics differ.
 *
 * Fast path: `acquire()` is not an async function. When the core takes the
 * lock at once it returns one shared settled promise — no async frame, no
 * allocation — and only a call that must wait enters `#acquireWaiting`.
 *
 * Traced (`tracing`): an acquire that takes the lock at once is one
 * `Acquired` event; one that must wait is `Request`, then `Acquired` or
 * `TimedOut` (an abort too). `Acquired` carries 0 (at once), 1 (after a
 * wait, or any answer of a remote core) or 2 (inherited from a dead holder).
 * A thread-scope Lock's uncontended holds may be sampled away during a burst
 * (`recorder.ts`): one hold at a time, so one flag pairs its two ends.
 */
import type { LockCore, LockCores, LockOutcome, LockStatisticsShape, NotTaken, Taken } from '../backends/cores/lock.js';
import { kHubId } from '../backends/hub/hub-id.js';
import { kHandle, type Handle, type Shareable } from '../codec/handles.js';
import { ErrorCode, misuse } from '../errors.js';
import { admitHold, Cls, Op, tracing } from '../trace/tracing.js';
import { holding, holdingSync } from './acquire.js';
import { Attached, kCores } from './attach.js';
import { kIsOwned, kLeaving, kLockCore, kRegained, kWaitingWord } from './lock-protocol.js';
import { checkSyncWaitOptions, checkWaitOptions, type SyncWaitOptions, type WaitOptions } from '../runtime/options.js';
import { inspectSymbol } from '../runtime/owner.js';
import { waitingWordOf } from './waiting-word.js';

/** What an acquire taken at once resolves with: one shared settled promise. */
const TAKEN: Promise<boolean> = Promise.resolve(true);

/** A class of lock: its cores, in the static `[kCores]` slot. */
interface LockClass<S extends LockStatisticsShape> {
  readonly [kCores]: LockCores<S>;
}

export abstract class LockBase<S extends LockStatisticsShape> implements Shareable {
  readonly #core: LockCore<S>;
  #ownerDied = false;
  /** Tracing: this thread's current hold was sampled away; so will its release be. */
  #skipped = false;

  /** `attached`: a core made from a handle, which this object wraps instead of creating state. */
  constructor(attached?: Attached<LockCore<S>>) {
    this.#core = attached instanceof Attached ? attached.core : (new.target as unknown as LockClass<S>)[kCores].create(this);
  }

  /**
   * Waits until the lock is free and takes it. Resolves true, or false if
   * `timeout` ms passed first. Never blocks the event loop.
   */
  acquire(options?: WaitOptions): Promise<boolean> {
    try {
      const { timeout, signal } = checkWaitOptions(options);
      signal?.throwIfAborted();
      const local = this.#core.tryLocal();
      if (local === 'acquired' || local === 'inherited') {
        this.#tookAtOnce(local);
        return TAKEN;
      }
      return this.#acquireWaiting(local, timeout, signal);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** The async acquire that must wait (its request traced). */
  async #acquireWaiting(from: NotTaken, timeout: number | undefined, signal: AbortSignal | undefined): Promise<boolean> {
    if (tracing) this.#trace(Op.Request, 0);
    if (from === 'busy' && timeout === 0) return this.#took('timed-out');
    if (!tracing) return this.#took(await this.#core.acquire(from, timeout, signal));
    let outcome: LockOutcome | undefined;
    try {
      outcome = await this.#core.acquire(from, timeout, signal);
    } finally {
      if (outcome === undefined) this.#traceOutcome('timed-out'); // aborted
    }
    return this.#took(outcome);
  }

  /** As `acquire`, blocking the calling thread while it waits. */
  acquireSync(options?: SyncWaitOptions): boolean {
    const timeout = options === undefined ? undefined : checkSyncWaitOptions(options).timeout;
    const local = this.#core.tryLocal();
    if (local === 'acquired' || local === 'inherited') return this.#tookAtOnce(local);
    if (tracing) this.#trace(Op.Request, 0);
    if (local === 'busy' && timeout === 0) return this.#took('timed-out');
    return this.#took(this.#core.acquireSync(local, timeout));
  }

  /** Takes the lock if it is free; never waits (a round trip to the hub when only the hub can say). */
  tryAcquire(): boolean {
    const local = this.#core.tryLocal();
    if (local === 'busy') return false;
    if (local !== 'remote') return this.#tookAtOnce(local);
    // A remote try is a request answered at once: traced as one, like every remote acquire.
    if (tracing) this.#trace(Op.Request, 0);
    return this.#took(this.#core.tryRemote());
  }

  #tookAtOnce(taken: Taken): true {
    if (tracing) this.#traceTaken(taken);
    this.#ownerDied = taken === 'inherited';
    return true;
  }

  /** The outcome of a request (a wait, or a call answered by the hub). */
  #took(outcome: LockOutcome): boolean {
    if (tracing) this.#traceOutcome(outcome);
    if (outcome === 'timed-out') return false;
    this.#ownerDied = outcome === 'inherited';
    return true;
  }

  /** Records an acquire taken at once — unless it is one of the uncontended holds a burst samples away. */
  #traceTaken(taken: Taken): void {
    const core = this.#core;
    if (taken === 'acquired' && !core.reentrant && !core.tracedAsRemote && !admitHold()) {
      this.#skipped = true;
      return;
    }
    this.#trace(Op.Acquired, taken === 'inherited' ? 2 : core.tracedAsRemote ? 1 : 0);
  }

  #traceOutcome(outcome: LockOutcome): void {
    const remote = this.#core.tracedAsRemote;
    if (outcome === 'timed-out') this.#trace(Op.TimedOut, remote ? 1 : 0);
    else this.#trace(Op.Acquired, outcome === 'inherited' ? 2 : 1);
  }

  #trace(op: number, value: number): void {
    this.#skipped = false;
    this.#core.trace(op, this.#core.reentrant ? Cls.RLock : Cls.Lock, value);
  }

  /** Records a release of `levels` — unless its hold was sampled away. */
  #traceRelease(levels: number): void {
    if (this.#skipped) {
      this.#skipped = false;
      return;
    }
    this.#core.trace(Op.Released, this.#core.reentrant ? Cls.RLock : Cls.Lock, levels);
  }

  /**
   * Releases the lock (one level of an RLock). Throws `ERR_LOCK_NOT_HELD`
   * if it is not locked — an RLock: unless the calling thread holds it.
   */
  release(): void {
    const core = this.#core;
    // Recorded before the lock changes: the next holder may record its acquire at once.
    if (tracing && (this.#skipped || core.releasable())) this.#traceRelease(1);
    if (core.release()) return;
    throw misuse(
      ErrorCode.LockNotHeld,
      core.reentrant ? 'sync: release of an RLock that the calling thread does not hold' : 'sync: release of an unlocked Lock',
    );
  }

  /** True while a live thread holds the lock. */
  locked(): boolean {
    return this.#core.locked();
  }

  /**
   * True when the last acquire through this object took the lock over from a
   * thread (or process) that ended while holding it: what it protected may be
   * half-updated.
   */
  get ownerDied(): boolean {
    return this.#ownerDied;
  }

  /**
   * Runs `fn` holding the lock and releases it however `fn` ends. Rejects
   * with `TimeoutError` if the lock could not be taken within `timeout`.
   */
  withLock<R>(fn: () => R | Promise<R>, options?: WaitOptions): Promise<R> {
    return holding(this, fn, options, this.constructor.name);
  }

  /** Runs `fn` holding the lock, blocking while it waits for it. */
  withLockSync<R>(fn: () => R): R {
    return holdingSync(this, fn);
  }

  statistics(): S {
    return Object.freeze(this.#core.statistics());
  }

  /** Index and array of the word that changes as waiters come and go (thread scope, weft/testing). */
  get [kWaitingWord](): [Int32Array, number] {
    return waitingWordOf(this.#core);
  }

  /** The object's id in the hub at process scope; undefined at thread scope. */
  get [kHubId](): number | undefined {
    return this.#core.hubId;
  }

  [kHandle](): Handle {
    return this.#core.handle();
  }

  get [kLockCore](): LockCore<S> {
    return this.#core;
  }

  /** True if the calling thread holds the lock (a Condition's check). */
  [kIsOwned](): boolean {
    return this.#core.isOwned();
  }

  [kLeaving](): void {
    const core = this.#core;
    if (tracing && !core.tracedAsRemote && (this.#skipped || core.heldLevels() > 0)) this.#traceRelease(core.heldLevels());
  }

  [kRegained](taken: Taken | undefined): void {
    if (taken === undefined) return;
    if (tracing && !this.#core.tracedAsRemote) this.#traceTaken(taken);
    this.#ownerDied = taken === 'inherited';
  }

  [inspectSymbol](): string {
    const stats = this.statistics();
    const depth = this.#core.reentrant ? ` depth=${(stats as unknown as { depth: number }).depth}` : '';
    const owner = stats.owner === null ? 'undefined' : this.#core.ownerText(stats.owner as NonNullable<S['owner']>);
    const shown = stats.locked ? `locked owner=${owner}${depth}` : 'unlocked';
    return `<${this.constructor.name} ${shown} waiting=${stats.waiting}>`;
  }

  toString(): string {
    return this[inspectSymbol]();
  }
}
