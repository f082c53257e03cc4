/**
 * The process-scope core of a `Lock` / `RLock` (`backends/cores/lock.ts`;
 * the public classes are `sync/lock-base.ts`, picked by `lock.ts` and
 * `rlock.ts` beside this file). The two differ only in their hub kind and
 * in re-entrance.
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
import { ABORTED } from '../atomics/parking.js';
import { runAsync, runSync } from '../atomics/parking.js';
import { currentToken, runtime } from '../atomics/runtime.js';
import { hubCall, hubCallSync, hubCreate, hubGrantCell, hubSend, TIMED_OUT } from './client.js';
import { GrantCell, GrantState } from './grant-cell.js';
import { hubIdOf, type AnswerOf, type HubId } from './ops.js';
import type { AcquireOutcome } from '../atomics/lock.js';
import type { LockCore, LockCores, LockOutcome, NotTaken, Taken } from '../cores/lock.js';
import type { Handle } from '../../codec/handles.js';
import { Deadline } from '../../internal/deadline.js';
import { hubHandle, localHolds, type HubHandleData } from './hub-object.js';
import { traceRemote } from '../../trace/tracing.js';

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

export const HUB_LOCK_KIND = 'multiprocessing.Lock';
export const HUB_RLOCK_KIND = 'multiprocessing.RLock';

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

/** What is left of the caller's timeout for the hub, after a wait in the cell. */
function remaining(timeout: number | undefined, deadline: Deadline): number | undefined {
  return timeout === undefined ? undefined : deadline.remaining();
}

export class HubLockCore implements LockCore<ProcessLockStatistics> {
  readonly hubId: HubId<typeof HUB_LOCK_KIND | typeof HUB_RLOCK_KIND>;
  readonly reentrant: boolean;
  readonly tracedAsRemote = true;
  readonly waitingWord = undefined;
  /** The token of the thread this core lives in (a core never leaves its thread: another thread attaches its own). */
  readonly #me = currentToken();
  #cell: GrantCell | undefined;

  constructor(id: number, reentrant: boolean) {
    this.hubId = hubIdOf(id, reentrant ? HUB_RLOCK_KIND : HUB_LOCK_KIND);
    this.reentrant = reentrant;
  }

  /** Taken in this process's cell (no message), or where the wait goes: the cell (`busy`) or the hub (`remote`: no grant here). */
  tryLocal(): Taken | NotTaken {
    const local = this.#cellOf().tryLocal(this.#me);
    return local === 'no-grant' ? 'remote' : local;
  }

  /**
   * The async acquire that must wait: in the cell behind this process's
   * threads, or in the hub. The first use of the lock in this thread asks
   * this process's link for its cell (a local round trip).
   */
  async acquire(from: NotTaken, timeout: number | undefined, signal: AbortSignal | undefined): Promise<LockOutcome> {
    const deadline = Deadline.after(timeout);
    if (from === 'busy') {
      const waited = await runAsync(this.#cellOf().acquireSteps(this.#me, deadline), signal);
      if (waited !== 'no-grant') return waitedHere(waited);
    }
    return this.#took(await hubCall(this.hubId, 'acquire', ['grant'], { timeout: remaining(timeout, deadline), signal }));
  }

  acquireSync(from: NotTaken, timeout: number | undefined): LockOutcome {
    const deadline = Deadline.after(timeout);
    if (from === 'busy') {
      const waited = runSync(this.#cellOf().acquireSteps(this.#me, deadline));
      if (waited !== 'no-grant') return waitedHere(waited);
    }
    return this.#took(hubCallSync(this.hubId, 'acquire', ['grant'], remaining(timeout, deadline)));
  }

  tryRemote(): LockOutcome {
    return this.#took(hubCallSync(this.hubId, 'acquire', ['grant'], 0));
  }

  #cellOf(): GrantCell {
    return (this.#cell ??= cellOf(this.hubId, this.reentrant));
  }

  /** The hub's answer: a grant to this process (this thread holds it in the cell), a hold through the hub, or a timeout. */
  #took(answer: AnswerOf<typeof HUB_LOCK_KIND, 'acquire'>): LockOutcome {
    if (answer === TIMED_OUT) return 'timed-out';
    if (answer === 'granted') return 'acquired';
    if (answer === 'granted-inherited') return 'inherited';
    localHolds.took(this.hubId, this.reentrant);
    return answer;
  }

  /**
   * Releases the lock (one level of an RLock). In this process's cell when
   * it is held there — no message; if the hub asked for the grant, this
   * process's server sends it back; a hold through the hub (after a Condition's wait) with one
   * message; otherwise (a Lock held by another process) a round trip that
   * throws `ERR_LOCK_NOT_HELD` if the release is not allowed. False: an
   * RLock this thread does not hold.
   */
  release(): boolean {
    if (localHolds.holdsAny() && localHolds.giveBack(this.hubId)) {
      hubSend(this.hubId, 'release', []);
      return true;
    }
    // Given back to the hub (if it asked) by this process's server, woken by the cell.
    if (this.#cellOf().release(this.#me) !== 'not-held') return true;
    if (this.reentrant) return false;
    hubCallSync(this.hubId, 'release', []);
    return true;
  }

  /** Every release is traced (a Lock held by another process may be released from here). */
  releasable(): boolean {
    return true;
  }

  heldLevels(): number {
    return this.isOwned() ? 1 : 0;
  }

  /** A Condition's wait: this thread's hold moves to the hub (where the wait releases it); returns the levels held, 0 if none. */
  pin(): number {
    const me = this.#me;
    const cell = this.#cellOf();
    if (!cell.heldBy(me)) return localHolds.suspend(this.hubId);
    const depth = cell.pin(me);
    hubSend(this.hubId, 'pin', [depth]);
    return depth;
  }

  /** True if this thread holds the lock (in the cell, or through the hub). */
  isOwned(): boolean {
    return this.#cellOf().heldBy(this.#me) || localHolds.holds(this.hubId);
  }

  /** True while a live thread of the tree holds the lock (no message while this process holds the grant). */
  locked(): boolean {
    const cell = this.#cellOf();
    if (cell.state !== GrantState.None) return cell.lock.holder() !== 0;
    return hubCallSync(this.hubId, 'locked', []);
  }

  statistics(): ProcessLockStatistics {
    const answer = hubCallSync(this.hubId, 'statistics', []);
    return { ...answer, owner: answer.owner === null ? null : Object.freeze({ ...answer.owner }) };
  }

  ownerText(owner: ProcessThreadRef): string {
    return `process ${owner.process} thread ${owner.thread}`;
  }

  trace(op: number, cls: number, value: number): void {
    traceRemote(op, cls, this.hubId, value);
  }

  handle(): Handle {
    const data: HubHandleData = { id: this.hubId };
    return hubHandle(this.reentrant ? HUB_RLOCK_KIND : HUB_LOCK_KIND, data);
  }
}

/** A wait in this process's cell that ended there (not sent on to the hub). */
function waitedHere(outcome: AcquireOutcome | typeof ABORTED): LockOutcome {
  return outcome as LockOutcome;
}

export const hubLockCores: LockCores<ProcessLockStatistics> = {
  create: (owner) => new HubLockCore(hubCreate(HUB_LOCK_KIND, [], owner), false),
};

export const hubRLockCores: LockCores<ProcessLockStatistics> = {
  create: (owner) => new HubLockCore(hubCreate(HUB_RLOCK_KIND, [], owner), true),
};
