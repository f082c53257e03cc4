/**
 * A process's cached grant of one process-scope `Lock`/`RLock`: while the
 * hub has granted the lock to this process, every thread of the process
 * takes and releases it here, in shared memory, with no message to the hub
 * — the thread-scope lock (`atomics/lock.ts`, `atomics/rlock.ts`: FIFO
 * queue, robustness when a holder thread ends) plus one word saying whether
 * the process may use it.
 *
 * One cell per (process, lock), kept by the thread that serves the process
 * (`grants.ts`: the link in a child, the hub's thread in the root) and
 * shared with every thread of the process that uses the lock.
 *
 * ## Layout (Int32 words)
 *
 * | index            | meaning                                                     |
 * |------------------|-------------------------------------------------------------|
 * | 0 … LOCK_WORDS-1 | the local lock (`LockState`; `Recursion` is an RLock's depth) |
 * | LOCK_WORDS       | `Grant`: the grant state (below)                             |
 *
 * ## Grant word
 *
 * | state      | meaning                                                             |
 * |------------|---------------------------------------------------------------------|
 * | `None`     | the process holds no grant: an acquirer asks the hub                |
 * | `Granted`  | the process holds the grant: threads take the local lock            |
 * | `Revoking` | another caller waits in the hub: new acquirers ask the hub (behind it); the local lock's holder gives the grant back at its release |
 * | `Returning`, `ReturningDied` | a thread gave the grant back (its holder had ended holding it: `…Died`); the server, waiting on this word, tells the hub |
 *
 * | transition             | by                                                                  |
 * |------------------------|---------------------------------------------------------------------|
 * | None → Granted/Revoking| the server, installing a grant: it first takes the local lock for the thread the hub answered |
 * | Granted → Revoking     | the server, told by the hub that someone waits                      |
 * | Revoking → Returning   | the holder at its release (or a releasing thread that took the free lock back to give it), then it notifies the word |
 * | Returning → None       | the server (`claimReturn`), which then sends the hub `return`       |
 * | Revoking → None        | the server, having taken the free local lock to give the grant back itself |
 * | Granted/Revoking → None| a thread's `pin` (a Condition's wait hands its hold to the hub)     |
 *
 * A thread does not send the give-back itself: the server waits on the word
 * (`Atomics.waitAsync`) while a revoke is pending and sends it the moment
 * the word turns Returning — one hop (thread → server message) less on the
 * way of a hand-off, and at exit the server sends what is still Returning.
 *
 * Invariant: the grant goes back (→ Returning/None) only by a thread holding the local
 * lock, so no thread can hold it locally once the hub may give the lock to
 * someone else. An acquirer checks the word before taking the local lock
 * and again after: one that took it as the grant went back lets go and asks
 * the hub. A revoke that finds the local lock held leaves it Revoking; the
 * holder's release sees that — or, if the release freed the lock just
 * before the revoke looked, it looks again after freeing (store then load on
 * both sides: one of them sees the other) and gives the grant back itself.
 * At most one acquirer that read `Granted` just before the revoke takes the
 * lock ahead of the waiter in the hub; every later one queues behind it.
 */
import type { Arena } from '../atomics/arena.js';
import { LOCK_WORDS, LockState, type Acquired, type AcquireOutcome } from '../atomics/lock.js';
import { ABORTED, type Steps } from '../atomics/parking.js';
import { RLockState } from '../atomics/rlock.js';
import { enterSection, leaveSection } from '../atomics/futex-mutex.js';
import type { Deadline } from '../../internal/deadline.js';

export const GrantState = { None: 0, Granted: 1, Revoking: 2, Returning: 3, ReturningDied: 4 } as const;
/** Index of the grant word (the server waits on it while a revoke is pending). */
export const GRANT = LOCK_WORDS;
const CELL_WORDS = LOCK_WORDS + 1;

/** A grant given back: plainly, or taken from a holder thread that ended holding it (the hub's next owner is told). */
export type Returned = 'returned' | 'returned-died';
/** What a release did: kept the grant, gave it back, or found nothing to release. */
export type Released = 'kept' | Returned | 'not-held';

export class GrantCell {
  readonly words: Int32Array;
  readonly lock: LockState;
  readonly #rlock: RLockState | undefined;

  constructor(buffer: SharedArrayBuffer, arena: Arena, reentrant: boolean) {
    this.words = new Int32Array(buffer);
    if (reentrant) {
      this.#rlock = new RLockState(buffer, arena);
      this.lock = this.#rlock.lock;
    } else {
      this.lock = new LockState(buffer, arena);
    }
  }

  static allocate(): SharedArrayBuffer {
    return new SharedArrayBuffer(CELL_WORDS * 4);
  }

  get state(): number {
    return Atomics.load(this.words, GRANT);
  }

  get reentrant(): boolean {
    return this.#rlock !== undefined;
  }

  /** True if `me` holds the local lock (an RLock: and has taken it up, `atomics/rlock.ts`). */
  heldBy(me: number): boolean {
    return this.#rlock?.isOwner(me) ?? this.lock.rawHolder() === me;
  }

  // ---- the process's threads ------------------------------------------------------

  /** Takes the lock locally if the process holds the grant and it is free (or re-enters an owned RLock). */
  tryLocal(me: number): Acquired | 'busy' | 'no-grant' {
    const rlock = this.#rlock;
    if (rlock !== undefined && rlock.isOwner(me)) return rlock.tryAcquire(me);
    if (Atomics.load(this.words, GRANT) !== GrantState.Granted) return 'no-grant';
    const taken = (rlock ?? this.lock).tryAcquire(me);
    return taken === 'busy' ? taken : this.#confirm(me, taken);
  }

  /** The local slow path: waits in the local queue, then checks the grant is still here. */
  *acquireSteps(me: number, deadline: Deadline): Steps<AcquireOutcome | 'no-grant'> {
    const outcome = yield* this.#paths.acquireSteps(me, deadline);
    if (outcome === ABORTED || outcome === 'timed-out') return outcome;
    return this.#confirm(me, outcome);
  }

  /** Just took the local lock: keep it unless the grant went back meanwhile. */
  #confirm(me: number, taken: Acquired): Acquired | 'no-grant' {
    const state = Atomics.load(this.words, GRANT);
    if (state === GrantState.Granted || state === GrantState.Revoking) return taken;
    this.#free(me);
    return 'no-grant';
  }

  /**
   * One level down (a Lock: released, whoever held it). At the last level,
   * gives the grant back if it is being revoked (→ Returning, and the
   * server is woken to tell the hub).
   */
  release(me: number): Released {
    const rlock = this.#rlock;
    if (rlock !== undefined) {
      if (!rlock.isOwner(me)) return 'not-held';
      const depth = rlock.depth();
      if (depth > 1) {
        rlock.restoreDepth(depth - 1);
        return 'kept';
      }
    }
    if (Atomics.load(this.words, GRANT) === GrantState.Revoking) return this.#releaseRevoked(me);
    if (rlock !== undefined) rlock.releaseAll(me);
    else if (!this.lock.release()) return 'not-held';
    // A revoke that looked while we held it left the grant to us: give it back now if nobody took the lock since.
    if (Atomics.load(this.words, GRANT) !== GrantState.Revoking) return 'kept';
    return this.#section(() => this.#returnIfFree(me, true)) ?? 'kept';
  }

  /** The last level of a hold whose grant is being revoked: lets go and gives the grant back. */
  #releaseRevoked(me: number): Released {
    if (this.#rlock === undefined && this.lock.rawHolder() === 0) return 'not-held';
    return this.#section(() => {
      const returned = Atomics.compareExchange(this.words, GRANT, GrantState.Revoking, GrantState.Returning) === GrantState.Revoking;
      this.#free(me);
      return returned ? 'returned' : undefined;
    }) ?? 'kept';
  }

  /**
   * Runs a give-back as a section, and wakes the server if it gave the grant
   * back: a thread is never terminated between the two.
   */
  #section(giveBack: () => Returned | undefined): Returned | undefined {
    enterSection();
    try {
      const returned = giveBack();
      if (returned !== undefined) Atomics.notify(this.words, GRANT);
      return returned;
    } finally {
      leaveSection();
    }
  }

  /** A Condition's wait: the hold passes to the hub (the caller tells it); returns the depth held. The caller holds the lock. */
  pin(me: number): number {
    const depth = this.#rlock?.depth() ?? 1;
    Atomics.store(this.words, GRANT, GrantState.None);
    if (this.#rlock !== undefined) this.#rlock.restoreDepth(1);
    this.#free(me);
    Atomics.notify(this.words, GRANT); // a server waiting for a give-back: there will be none
    return depth;
  }

  // ---- the serving thread ------------------------------------------------------

  /**
   * A grant from the hub for `thread`: takes the local lock for it (at
   * `depth`), then opens the grant. The lock is free but for an instant
   * (a thread letting go of it on seeing no grant), so this spins.
   */
  install(thread: number, depth: number, revoking: boolean): void {
    while (this.lock.tryAcquire(thread) === 'busy') Atomics.wait(this.words, GRANT, Atomics.load(this.words, GRANT), 0.05);
    if (this.#rlock !== undefined) this.#rlock.restoreDepth(depth);
    Atomics.store(this.words, GRANT, revoking ? GrantState.Revoking : GrantState.Granted);
  }

  /** Someone waits in the hub: gives the grant back now if the local lock is free (`service` takes it for the instant), else leaves it to the holder. */
  revoke(service: number): Returned | 'pending' | 'none' {
    for (;;) {
      const state = Atomics.load(this.words, GRANT);
      if (state === GrantState.None) return 'none';
      if (state === GrantState.Returning || state === GrantState.ReturningDied) return this.claimReturn() ?? 'none';
      if (state === GrantState.Revoking || Atomics.compareExchange(this.words, GRANT, GrantState.Granted, GrantState.Revoking) === GrantState.Granted) break;
    }
    return this.#returnIfFree(service) ?? 'pending';
  }

  /** What `statistics()` needs of the local side: [holder token or 0, depth, local waiters]. */
  report(): [number, number, number] {
    const holder = this.lock.holder();
    const depth = holder === 0 ? 0 : (this.#rlock?.depth() ?? 1);
    return [holder, depth, this.lock.waiting()];
  }

  /** A thread gave the grant back: takes that over (→ None) to tell the hub; undefined if there is nothing to tell. */
  claimReturn(): Returned | undefined {
    for (;;) {
      const state = Atomics.load(this.words, GRANT);
      if (state !== GrantState.Returning && state !== GrantState.ReturningDied) return undefined;
      if (Atomics.compareExchange(this.words, GRANT, state, GrantState.None) === state) return state === GrantState.ReturningDied ? 'returned-died' : 'returned';
    }
  }

  /**
   * Takes the free local lock as `me` and gives the grant back (→ None for
   * the server, which tells the hub itself; → Returning for a thread);
   * undefined if the lock is held (or the grant already went back).
   */
  #returnIfFree(me: number, byThread = false): Returned | undefined {
    const taken = this.lock.tryAcquire(me);
    if (taken === 'busy') return undefined;
    if (this.#rlock !== undefined) this.#rlock.restoreDepth(1);
    const died = taken === 'inherited';
    const to = byThread ? (died ? GrantState.ReturningDied : GrantState.Returning) : GrantState.None;
    const returned = Atomics.compareExchange(this.words, GRANT, GrantState.Revoking, to) === GrantState.Revoking;
    this.#free(me);
    if (!returned) return undefined;
    return died ? 'returned-died' : 'returned';
  }

  /** Lets go of the local lock held by `me` (every level of an RLock). */
  #free(me: number): void {
    if (this.#rlock !== undefined) this.#rlock.releaseAll(me);
    else this.lock.release();
  }

  get #paths(): LockState | RLockState {
    return this.#rlock ?? this.lock;
  }
}
