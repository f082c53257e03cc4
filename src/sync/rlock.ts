/**
 * `RLock`: a re-entrant lock — Python's `threading.RLock`. The thread that
 * holds it may acquire it again; it is released when every acquire has been
 * matched by a release. Only the holder may release it.
 *
 * Like `Lock`, waiters are served in arrival order, and an RLock whose holder
 * ends while holding it passes to the next acquirer with `ownerDied === true`
 * and a recursion depth of 1.
 *
 * The state is a `LockState` plus a depth word (`backends/atomics/rlock.ts`).
 */
import { RLockState } from '../backends/atomics/rlock.js';
import type { AcquireOutcome } from '../backends/atomics/lock.js';
import { runtime, currentToken } from '../backends/atomics/runtime.js';
import { kHandle, registerHandleKind, type Handle, type Shareable } from '../codec/handles.js';
import { ErrorCode, misuse } from '../errors.js';
import { acquireAsync, acquireBlocking, holding, holdingSync, traceAcquire, traceRelease, type TracedAs } from './acquire.js';
import { Cls, Op, tracing } from '../trace/tracing.js';
import type { SyncWaitOptions, WaitOptions } from './options.js';
import { Attached } from './attach.js';
import { inspectSymbol, threadRef, type ThreadRef } from './owner.js';
import { kAcquireRestore, kAcquireRestoreSync, kAttach, kIsOwned, kReleaseSave, kWaitingWord, type ConditionLock } from './lock-protocol.js';

export interface RLockStatistics {
  readonly locked: boolean;
  readonly owner: ThreadRef | null;
  /** How many times the owner holds it (0 when unlocked). */
  readonly depth: number;
  readonly waiting: number;
}

const HANDLE_KIND = 'threading.RLock';

/**
 * A re-entrant lock: Python's `threading.RLock`.
 *
 * @example
 * ```ts
 * const rlock = new RLock();
 * rlock.acquireSync();
 * rlock.acquireSync(); // the owner may take it again
 * rlock.release();
 * rlock.release();     // now it is free
 * ```
 */
export class RLock implements Shareable, ConditionLock {
  readonly #state: RLockState;
  readonly #as: TracedAs;
  #ownerDied = false;

  /** Rebuilds a RLock over the shared state of a handle (internal: handles only). */
  constructor(attached: Attached<SharedArrayBuffer>);
  constructor();
  constructor(attached?: Attached<SharedArrayBuffer>) {
    const buffer = attached instanceof Attached ? attached.core : RLockState.allocate();
    this.#state = new RLockState(buffer, runtime().arena);
    this.#as = { cls: Cls.RLock, words: this.#state.lock.words, sampled: false, skipped: false };
  }

  /** Takes the lock (or one more level of it, for its owner). False on timeout. */
  async acquire(options?: WaitOptions): Promise<boolean> {
    const outcome = acquireAsync(this.#state, options, this.#as);
    return this.#took(typeof outcome === 'string' ? outcome : await outcome);
  }

  /** As `acquire`, blocking the calling thread while it waits. */
  acquireSync(options?: SyncWaitOptions): boolean {
    return this.#took(acquireBlocking(this.#state, options, this.#as));
  }

  tryAcquire(): boolean {
    const taken = this.#state.tryAcquire(currentToken());
    if (taken === 'busy') return false;
    if (tracing) traceAcquire(Op.Acquired, this.#as, taken);
    return this.#took(taken);
  }

  #took(outcome: AcquireOutcome): boolean {
    if (outcome === 'timed-out') return false;
    this.#ownerDied = outcome === 'inherited';
    return true;
  }

  /** Releases one level. Throws `ERR_LOCK_NOT_HELD` unless the calling thread holds it. */
  release(): void {
    // Recorded before the word changes: the next holder may record its acquire at once.
    if (tracing && this.#state.isOwner(currentToken())) traceRelease(this.#as, 1);
    if (!this.#state.release(currentToken())) {
      throw misuse(ErrorCode.LockNotHeld, 'sync: release of an RLock that the calling thread does not hold');
    }
  }

  locked(): boolean {
    return this.#state.lock.holder() !== 0;
  }

  /** True when the last acquire through this object took the lock over from a thread that ended holding it. */
  get ownerDied(): boolean {
    return this.#ownerDied;
  }

  withLock<R>(fn: () => R | Promise<R>, options?: WaitOptions): Promise<R> {
    return holding(this, fn, options, 'RLock');
  }

  withLockSync<R>(fn: () => R): R {
    return holdingSync(this, fn);
  }

  statistics(): RLockStatistics {
    const owner = threadRef(this.#state.lock.holder());
    return Object.freeze({
      locked: owner !== null,
      owner,
      depth: owner === null ? 0 : this.#state.depth(),
      waiting: this.#state.lock.waiting(),
    });
  }

  get [kWaitingWord](): [Int32Array, number] {
    return [this.#state.lock.words, this.#state.lock.waitingWord];
  }

  [kHandle](): Handle {
    return { kind: HANDLE_KIND, scope: 'thread', data: this.#state.lock.words.buffer };
  }

  [kIsOwned](): boolean {
    return this.#state.isOwner(currentToken());
  }

  [kReleaseSave](): number {
    if (tracing && this.#state.isOwner(currentToken())) traceRelease(this.#as, this.#state.depth());
    return this.#state.releaseAll(currentToken());
  }

  async [kAcquireRestore](depth: number): Promise<void> {
    this.#took(await acquireAsync(this.#state, undefined, this.#as));
    this.#state.restoreDepth(depth);
  }

  [kAcquireRestoreSync](depth: number): void {
    this.acquireSync();
    this.#state.restoreDepth(depth);
  }

  [inspectSymbol](): string {
    const { locked, owner, depth, waiting } = this.statistics();
    return `<RLock ${locked ? `locked owner=${owner?.name} depth=${depth}` : 'unlocked'} waiting=${waiting}>`;
  }

  toString(): string {
    return this[inspectSymbol]();
  }

  static [kAttach](buffer: SharedArrayBuffer): RLock {
    return new this(new Attached(buffer));
  }
}

registerHandleKind<SharedArrayBuffer>(HANDLE_KIND, (buffer) => RLock[kAttach](buffer));
