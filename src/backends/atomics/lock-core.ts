/**
 * The thread-scope core of a `Lock` / `RLock` (`cores/lock.ts`): the lock
 * word and FIFO of `lock.ts` (an RLock's depth word: `rlock.ts`) in a
 * SharedArrayBuffer, waited on by parking. Everything is local memory:
 * `tryLocal` never answers `remote`.
 */
import type { Handle } from '../../codec/handles.js';
import { Deadline } from '../../internal/deadline.js';
import type { ThreadRef } from '../../runtime/owner.js';
import { record, traceIdOf } from '../../trace/tracing.js';
import type { LockCore, LockCores, LockOutcome, NotTaken, Taken } from '../cores/lock.js';
import { LockState, LockWord } from './lock.js';
import { runAsync, runSync } from './parking.js';
import { RLockState } from './rlock.js';
import { currentToken, runtime, threadRef } from './runtime.js';

export const LOCK_HANDLE_KIND = 'threading.Lock';
export const RLOCK_HANDLE_KIND = 'threading.RLock';

export interface LockStatistics {
  /** True while a live thread holds the lock. */
  readonly locked: boolean;
  /** The holder, or null. */
  readonly owner: ThreadRef | null;
  /** Calls waiting to acquire. */
  readonly waiting: number;
}

export interface RLockStatistics {
  readonly locked: boolean;
  readonly owner: ThreadRef | null;
  /** How many times the owner holds it (0 when unlocked). */
  readonly depth: number;
  readonly waiting: number;
}

/** What the core of a thread-scope Lock and RLock share: the lock word, its waiters, statistics and the handle. */
abstract class AtomicsLockCoreBase<S extends LockStatistics> implements LockCore<S> {
  abstract readonly reentrant: boolean;
  readonly tracedAsRemote = false;
  readonly hubId = undefined;
  /** The lock word (an RLock's too: its depth is one more word in the same buffer). */
  readonly lock: LockState;

  constructor(lock: LockState) {
    this.lock = lock;
  }

  /** `paths`: the state acquires go through (an RLockState re-enters). */
  protected abstract get paths(): LockState | RLockState;

  tryLocal(): Taken | NotTaken {
    return this.paths.tryAcquire(currentToken());
  }

  acquire(_from: NotTaken, timeout: number | undefined, signal: AbortSignal | undefined): Promise<LockOutcome> {
    return runAsync(this.paths.acquireSteps(currentToken(), Deadline.after(timeout)), signal);
  }

  acquireSync(_from: NotTaken, timeout: number | undefined): LockOutcome {
    return runSync(this.paths.acquireSteps(currentToken(), Deadline.after(timeout)));
  }

  tryRemote(): LockOutcome {
    return 'timed-out'; // never asked: tryLocal does not answer 'remote'
  }

  locked(): boolean {
    return this.lock.holder() !== 0;
  }

  abstract release(): boolean;
  abstract releasable(): boolean;
  abstract heldLevels(): number;
  abstract isOwned(): boolean;
  abstract statistics(): S;
  /** Releases every level at once (a Condition's wait); returns the depth to restore. */
  abstract releaseAll(): number;
  /** Takes the lock back after a Condition's wait, at the depth `releaseAll` returned. */
  abstract acquireRestore(depth: number): Promise<Taken>;
  abstract acquireRestoreSync(depth: number): Taken;

  ownerText(owner: ThreadRef): string {
    return owner.name;
  }

  get waitingWord(): [Int32Array, number] {
    return [this.lock.words, this.lock.waitingWord];
  }

  trace(op: number, cls: number, value: number): void {
    record(op, cls, traceIdOf(this.lock.words, LockWord.TraceId), value);
  }

  handle(): Handle {
    return { kind: this.reentrant ? RLOCK_HANDLE_KIND : LOCK_HANDLE_KIND, scope: 'thread', data: this.lock.words.buffer };
  }
}

/** A Lock's core: any thread may release it. */
export class AtomicsLockCore extends AtomicsLockCoreBase<LockStatistics> {
  readonly reentrant = false;

  constructor(buffer: SharedArrayBuffer) {
    super(new LockState(buffer, runtime().arena));
  }

  protected get paths(): LockState {
    return this.lock;
  }

  release(): boolean {
    return this.lock.release();
  }

  releasable(): boolean {
    return this.lock.rawHolder() !== 0;
  }

  heldLevels(): number {
    return this.isOwned() ? 1 : 0;
  }

  isOwned(): boolean {
    return this.lock.rawHolder() === currentToken();
  }

  statistics(): LockStatistics {
    const owner = threadRef(this.lock.holder());
    return { locked: owner !== null, owner, waiting: this.lock.waiting() };
  }

  releaseAll(): number {
    this.lock.release();
    return 1;
  }

  async acquireRestore(): Promise<Taken> {
    return (await this.acquire('busy', undefined, undefined)) as Taken;
  }

  acquireRestoreSync(): Taken {
    return this.acquireSync('busy', undefined) as Taken;
  }
}

/** An RLock's core: owned by a thread, re-entrant. */
export class AtomicsRLockCore extends AtomicsLockCoreBase<RLockStatistics> {
  readonly reentrant = true;
  readonly #state: RLockState;

  constructor(buffer: SharedArrayBuffer) {
    const state = new RLockState(buffer, runtime().arena);
    super(state.lock);
    this.#state = state;
  }

  protected get paths(): RLockState {
    return this.#state;
  }

  release(): boolean {
    return this.#state.release(currentToken());
  }

  releasable(): boolean {
    return this.isOwned();
  }

  heldLevels(): number {
    return this.isOwned() ? this.#state.depth() : 0;
  }

  isOwned(): boolean {
    return this.#state.isOwner(currentToken());
  }

  statistics(): RLockStatistics {
    const owner = threadRef(this.lock.holder());
    return { locked: owner !== null, owner, depth: owner === null ? 0 : this.#state.depth(), waiting: this.lock.waiting() };
  }

  releaseAll(): number {
    return this.#state.releaseAll(currentToken());
  }

  async acquireRestore(depth: number): Promise<Taken> {
    const taken = (await this.acquire('busy', undefined, undefined)) as Taken;
    this.#state.restoreDepth(depth);
    return taken;
  }

  acquireRestoreSync(depth: number): Taken {
    const taken = this.acquireSync('busy', undefined) as Taken;
    this.#state.restoreDepth(depth);
    return taken;
  }
}

export type AnyAtomicsLockCore = AtomicsLockCore | AtomicsRLockCore;

export const atomicsLockCores: LockCores<LockStatistics> = { create: () => new AtomicsLockCore(LockState.allocate()) };
export const atomicsRLockCores: LockCores<RLockStatistics> = { create: () => new AtomicsRLockCore(RLockState.allocate()) };
