/**
 * The process-scope core of a `Condition` (`cores/condition.ts`): the
 * sleepers live in the hub (`condition.ts` beside this file), over the
 * process-scope core of its lock (`owned-lock.ts`).
 *
 * `leave` hands the thread's hold of the lock to the hub if it was taken in
 * this process's cell (a one-way `pin`: the cell's hold is this process's
 * alone); then `sleep` is one message that releases the lock completely
 * (every RLock level) and enqueues the sleeper in one step; once notified,
 * the sleeper re-takes the lock in the hub, through the lock's FIFO queue,
 * before its `wait` is answered — so `regain` has nothing to do. A wait that
 * timed out or was aborted takes the lock back with a second message
 * (`restore`); one the hub refused (it released nothing) only restores this
 * thread's record of its hold.
 */
import type { Handle } from '../../codec/handles.js';
import { localHolds, nextWaitId } from './hub-object.js';
import { HubLockCore } from './owned-lock.js';
import type { ConditionCore, ConditionCores, ConditionStatistics, Regained, Sleeper } from '../cores/condition.js';
import type { LockCore } from '../cores/lock.js';
import { hubCall, hubCallSync, hubCreate, TIMED_OUT } from './client.js';
import { hubHandle } from './handle.js';
import { hubIdOf, type HubId } from './ops.js';
import type { Grant } from './lock.js';

export const HUB_CONDITION_KIND = 'multiprocessing.Condition';

export interface HubConditionData {
  readonly id: number;
  readonly lock: Handle;
}

/** A wait: its id in the hub, the levels to restore, and the hub's answer (undefined: none yet, or refused). */
interface HubSleeper {
  readonly waitId: number;
  readonly levels: number;
  answer: Grant | typeof TIMED_OUT | undefined;
  /** The hub refused the wait: nothing was released. */
  refused: boolean;
}

export class HubConditionCore implements ConditionCore {
  readonly hubId: HubId<typeof HUB_CONDITION_KIND>;
  readonly #lock: HubLockCore;
  readonly waitingWord = undefined;

  constructor(id: number, lock: HubLockCore) {
    this.hubId = hubIdOf(id, HUB_CONDITION_KIND);
    this.#lock = lock;
  }

  leave(): Sleeper {
    const waitId = nextWaitId();
    return { waitId, levels: this.#lock.pin(), answer: undefined, refused: false } satisfies HubSleeper;
  }

  async sleep(sleeper: Sleeper, timeout: number | undefined, signal: AbortSignal | undefined): Promise<void> {
    const s = sleeper as HubSleeper;
    try {
      s.answer = await hubCall(this.hubId, 'wait', [s.waitId], { timeout, signal });
    } catch (error) {
      // Withdrawn by the abort, the hub kept our depth: `regain` takes the lock back. Otherwise it was refused.
      s.refused = !(signal?.aborted === true && error === signal.reason);
      throw error;
    }
  }

  sleepSync(sleeper: Sleeper, timeout: number | undefined): void {
    const s = sleeper as HubSleeper;
    try {
      s.answer = hubCallSync(this.hubId, 'wait', [s.waitId], timeout);
    } catch (error) {
      s.refused = true;
      throw error;
    }
  }

  async regain(sleeper: Sleeper): Promise<Regained> {
    const s = sleeper as HubSleeper;
    if (s.refused || (s.answer !== undefined && s.answer !== TIMED_OUT)) return this.#woke(s);
    const [notified, grant] = await hubCall(this.hubId, 'restore', [s.waitId]);
    return this.#restored(s, notified, grant);
  }

  regainSync(sleeper: Sleeper): Regained {
    const s = sleeper as HubSleeper;
    if (s.refused || (s.answer !== undefined && s.answer !== TIMED_OUT)) return this.#woke(s);
    const [notified, grant] = hubCallSync(this.hubId, 'restore', [s.waitId]);
    return this.#restored(s, notified, grant);
  }

  /** Notified (the hub re-took the lock for us), or refused (nothing was released): restore this thread's record of its hold. */
  #woke(s: HubSleeper): Regained {
    localHolds.resume(this.#lock.hubId, s.levels);
    return s.refused ? { notified: false, taken: undefined } : { notified: true, taken: s.answer as Grant };
  }

  #restored(s: HubSleeper, notified: boolean, grant: Grant): Regained {
    localHolds.resume(this.#lock.hubId, s.levels);
    return { notified, taken: grant };
  }

  notify(n: number): void {
    hubCallSync(this.hubId, 'notify', [n]);
  }

  statistics(): ConditionStatistics {
    return hubCallSync(this.hubId, 'statistics', []);
  }

  trace(): void {
    // A Condition's events are its lock's.
  }

  handle(): Handle {
    const data: HubConditionData = { id: this.hubId, lock: this.#lock.handle() };
    return hubHandle(HUB_CONDITION_KIND, data);
  }
}

export const hubConditionCores: ConditionCores = {
  create: (owner, lock) => {
    const lockCore = lock as HubLockCore;
    return new HubConditionCore(hubCreate(HUB_CONDITION_KIND, [lockCore.hubId], owner), lockCore);
  },
};
