/**
 * The thread-scope core of a `Condition` (`cores/condition.ts`): the sleeper
 * queue of `condition.ts` in a SharedArrayBuffer, over the thread-scope core
 * of its lock. A wait queues its cell before it releases the lock, so a
 * notify by the next holder cannot miss it.
 */
import type { Handle } from '../../codec/handles.js';
import { Deadline } from '../../internal/deadline.js';
import type { ConditionCore, ConditionCores, ConditionStatistics, Regained, Sleeper } from '../cores/condition.js';
import type { LockCore } from '../cores/lock.js';
import { ConditionState } from './condition.js';
import { AtomicsLockCore, AtomicsRLockCore, type AnyAtomicsLockCore } from './lock-core.js';
import { runAsync, runSync } from './parking.js';
import { currentToken, runtime } from './runtime.js';

export const CONDITION_HANDLE_KIND = 'threading.Condition';

export interface AtomicsConditionData {
  readonly buffer: SharedArrayBuffer;
  readonly lock: Handle;
}

/** A wait: its cell in the queue, the lock depth to restore, and whether it was notified. */
interface AtomicsSleeper {
  readonly cell: number;
  readonly depth: number;
  notified: boolean;
}

export class AtomicsConditionCore implements ConditionCore {
  readonly #state: ConditionState;
  readonly #lock: AnyAtomicsLockCore;
  readonly hubId = undefined;

  constructor(buffer: SharedArrayBuffer, lock: AnyAtomicsLockCore) {
    this.#state = new ConditionState(buffer, runtime().arena);
    this.#lock = lock;
  }

  leave(): Sleeper {
    const cell = this.#state.enqueue(currentToken());
    const depth = this.#lock.releaseAll();
    this.#state.markAsleep(cell);
    return { cell, depth, notified: false } satisfies AtomicsSleeper;
  }

  async sleep(sleeper: Sleeper, timeout: number | undefined, signal: AbortSignal | undefined): Promise<void> {
    const s = sleeper as AtomicsSleeper;
    s.notified = await runAsync(this.#state.sleepSteps(s.cell, Deadline.after(timeout)), signal);
  }

  sleepSync(sleeper: Sleeper, timeout: number | undefined): void {
    const s = sleeper as AtomicsSleeper;
    s.notified = runSync(this.#state.sleepSteps(s.cell, Deadline.after(timeout)));
  }

  async regain(sleeper: Sleeper): Promise<Regained> {
    const s = sleeper as AtomicsSleeper;
    return { notified: s.notified, taken: await this.#lock.acquireRestore(s.depth) };
  }

  regainSync(sleeper: Sleeper): Regained {
    const s = sleeper as AtomicsSleeper;
    return { notified: s.notified, taken: this.#lock.acquireRestoreSync(s.depth) };
  }

  notify(n: number): void {
    this.#state.notify(n);
  }

  statistics(): ConditionStatistics {
    return { waiting: this.#state.waiting(), locked: this.#lock.locked() };
  }

  /** For `waitForWaiters`: counts sleepers once they have released the lock, so the waiting test can take it. */
  get waitingWord(): [Int32Array, number] {
    return [this.#state.words, this.#state.asleepWord];
  }

  trace(): void {
    // A Condition's events are its lock's (traced by the public lock).
  }

  handle(): Handle {
    const data: AtomicsConditionData = { buffer: this.#state.words.buffer as SharedArrayBuffer, lock: this.#lock.handle() };
    return { kind: CONDITION_HANDLE_KIND, scope: 'thread', data };
  }
}

/** The thread-scope lock core of a Condition's lock, or undefined if `lock` is another scope's. */
export function atomicsLockCoreOf(lock: LockCore): AnyAtomicsLockCore | undefined {
  return lock instanceof AtomicsLockCore || lock instanceof AtomicsRLockCore ? lock : undefined;
}

export const atomicsConditionCores: ConditionCores = {
  create: (_owner, lock) => new AtomicsConditionCore(ConditionState.allocate(), atomicsLockCoreOf(lock)!),
};
