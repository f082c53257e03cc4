/**
 * `Lock`: a mutual-exclusion lock shared by every thread it is passed to —
 * Python's `threading.Lock`.
 *
 * Guarantees: one holder at a time; waiters sleep (no CPU) and get the lock
 * in arrival order (FIFO hand-off, so none starves); any thread may release
 * it, as in Python; if the holder's thread ends while holding it, the lock is
 * released for it and the next acquirer sees `ownerDied === true` — Python
 * leaves such a lock locked forever. Not re-entrant: a second acquire by the
 * holder waits (use `RLock`).
 *
 * The state machine and layout are in `backends/atomics/lock.ts`.
 */
import { LockState, type Acquired, type AcquireOutcome } from '../backends/atomics/lock.js';
import { runtime, currentToken } from '../backends/atomics/runtime.js';
import { kHandle, registerHandleKind, type Handle, type Shareable } from '../codec/handles.js';
import { ErrorCode, misuse } from '../errors.js';
import { acquireAsync, acquireBlocking, holding, holdingSync, traceRelease, traceTaken, type TracedAs } from './acquire.js';
import { Cls, tracing } from '../trace/tracing.js';
import type { SyncWaitOptions, WaitOptions } from './options.js';
import { Attached } from './attach.js';
import { inspectSymbol, threadRef, type ThreadRef } from './owner.js';
import { kAcquireRestore, kAcquireRestoreSync, kAttach, kIsOwned, kReleaseSave, kWaitingWord, type ConditionLock } from './lock-protocol.js';

export interface LockStatistics {
  /** True while a live thread holds the lock. */
  readonly locked: boolean;
  /** The holder, or null. */
  readonly owner: ThreadRef | null;
  /** Calls waiting to acquire. */
  readonly waiting: number;
}

const HANDLE_KIND = 'threading.Lock';

/**
 * A mutual-exclusion lock: Python's `threading.Lock`, shared by every thread
 * it is passed to.
 *
 * @example
 * ```ts
 * const lock = new Lock();
 * await lock.withLock(async () => {
 *   // one thread at a time in here
 * });
 * ```
 */
export class Lock implements Shareable, ConditionLock {
  readonly #state: LockState;
  readonly #as: TracedAs;
  #ownerDied = false;

  /** Rebuilds a Lock over the shared state of a handle (internal: handles only). */
  constructor(attached: Attached<SharedArrayBuffer>);
  constructor();
  constructor(attached?: Attached<SharedArrayBuffer>) {
    const buffer = attached instanceof Attached ? attached.core : LockState.allocate();
    this.#state = new LockState(buffer, runtime().arena);
    this.#as = { cls: Cls.Lock, words: this.#state.words, sampled: true, skipped: false };
  }

  /**
   * Waits until the lock is free and takes it. Resolves true, or false if
   * `timeout` ms passed first. Never blocks the event loop.
   */
  async acquire(options?: WaitOptions): Promise<boolean> {
    const outcome = acquireAsync(this.#state, options, this.#as);
    return this.#took(typeof outcome === 'string' ? outcome : await outcome);
  }

  /** As `acquire`, blocking the calling thread while it waits. */
  acquireSync(options?: SyncWaitOptions): boolean {
    return this.#took(acquireBlocking(this.#state, options, this.#as));
  }

  /** Takes the lock if it is free; never waits. */
  tryAcquire(): boolean {
    const taken = this.#state.tryAcquire(currentToken());
    if (taken === 'busy') return false;
    if (tracing) traceTaken(this.#as, taken);
    return this.#took(taken);
  }

  #took(outcome: AcquireOutcome): boolean {
    if (outcome === 'timed-out') return false;
    this.#ownerDied = outcome === 'inherited';
    return true;
  }

  /** Releases the lock (any thread may). Throws `ERR_LOCK_NOT_HELD` if it is not locked. */
  release(): void {
    // Recorded before the word changes: the next holder may record its acquire at once.
    if (tracing && (this.#as.skipped || this.#state.rawHolder() !== 0)) traceRelease(this.#as, 1);
    if (!this.#state.release()) {
      throw misuse(ErrorCode.LockNotHeld, 'sync: release of an unlocked Lock');
    }
  }

  /** True while a live thread holds the lock. */
  locked(): boolean {
    return this.#state.holder() !== 0;
  }

  /**
   * True when the last acquire through this object took the lock over from a
   * thread that ended while holding it: what that thread protected may be
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
    return holding(this, fn, options, 'Lock');
  }

  /** Runs `fn` holding the lock, blocking while it waits for it. */
  withLockSync<R>(fn: () => R): R {
    return holdingSync(this, fn);
  }

  statistics(): LockStatistics {
    const owner = threadRef(this.#state.holder());
    return Object.freeze({ locked: owner !== null, owner, waiting: this.#state.waiting() });
  }

  /** Index and array of the word that changes as waiters come and go (weft/testing). */
  get [kWaitingWord](): [Int32Array, number] {
    return [this.#state.words, this.#state.waitingWord];
  }

  [kHandle](): Handle {
    return { kind: HANDLE_KIND, scope: 'thread', data: this.#state.words.buffer };
  }

  [kIsOwned](): boolean {
    return this.#state.rawHolder() === currentToken();
  }

  [kReleaseSave](): number {
    this.release();
    return 1;
  }

  async [kAcquireRestore](): Promise<void> {
    this.#took(await acquireAsync(this.#state, undefined, this.#as));
  }

  [kAcquireRestoreSync](): void {
    this.acquireSync();
  }

  [inspectSymbol](): string {
    const { locked, owner, waiting } = this.statistics();
    return `<Lock ${locked ? `locked owner=${owner?.name}` : 'unlocked'} waiting=${waiting}>`;
  }

  toString(): string {
    return this[inspectSymbol]();
  }

  /** Rebuilds a Lock over the shared state of a handle. */
  static [kAttach](buffer: SharedArrayBuffer): Lock {
    return new this(new Attached(buffer));
  }
}

registerHandleKind<SharedArrayBuffer>(HANDLE_KIND, (buffer) => Lock[kAttach](buffer));

export type { Acquired };
