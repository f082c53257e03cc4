/**
 * The state of a thread-scope `Barrier`: CPython's `threading.Barrier`
 * algorithm, with the barrier's own queue lock playing the part of its
 * Condition's lock and the queue that of its waiters.
 *
 * ## Layout (Int32 words of the barrier's own SharedArrayBuffer)
 *
 * | index | name    | written by                | meaning                                   |
 * |-------|---------|---------------------------|-------------------------------------------|
 * | 0     | State   | holder of the queue lock  | `BarrierState`                            |
 * | 1     | Count   | holder of the queue lock  | parties inside `wait()` this cycle        |
 * | 2     | Parties | constructor               | parties needed to trip the barrier        |
 * | 3–6   | queue   | holder of the queue lock  | parties waiting                            |
 * | 7     | Actor   | holder of the queue lock  | token of the party running the action (while Acting) |
 * | 8–9   | Timeout | constructor               | default timeout, float64 ms (NaN: none)    |
 * | 10    | TraceId | first tracer (CAS 0 → id) | its name in traces (`trace/object-id.ts`) |
 *
 * ## States (from CPython's `_state`)
 *
 * | state     | meaning                                                          |
 * |-----------|------------------------------------------------------------------|
 * | Filling   | parties are arriving                                             |
 * | Acting    | all arrived; the last one runs the action, the others still wait |
 * | Draining  | the barrier tripped; released parties are leaving                |
 * | Resetting | `reset()` while parties waited; they leave with BrokenBarrierError |
 * | Broken    | aborted or timed out; every wait fails until `reset()`            |
 *
 * Filling → Draining when the last party arrives (with an action: Filling
 * → Acting, and Acting → Draining when the action returned, or → Broken
 * when it threw); Draining/Resetting → Filling when the last party leaves;
 * Filling/Acting → Broken on `abort()` or a timeout; Broken/Filling/Acting →
 * Resetting (or Filling, if nobody is inside) on `reset()`. New arrivals
 * wait while the barrier is Acting, Draining or Resetting.
 *
 * The action runs outside the queue lock (it may be async, and the lock is
 * held only for short steps), so CPython's "the action runs holding the
 * Condition's lock" becomes the Acting state: arrivals wait, waiters stay
 * asleep. Unlike CPython, a waiter whose timeout runs out (or whose wait is
 * aborted) while the action runs breaks the barrier, as it would while
 * Filling: the process-scope barrier cannot do otherwise, and both scopes
 * behave alike. A party whose thread dies while running the action breaks
 * the barrier, as an action that threw does: parties sleep in cells that a
 * thread's death wakes (`CellKind.LockWaiter`, see `arena.ts`), and a party
 * woken while Acting checks that the Actor is alive.
 */
import { CellKind, type Arena } from './arena.js';
import { ABORTED, type ParkResult, type Steps } from './parking.js';
import { QUEUE_WORDS, WaitQueue } from './wait-queue.js';
import { Deadline } from '../../internal/deadline.js';
import { BrokenBarrierError } from '../../errors.js';

export const BarrierWord = { State: 0, Count: 1, Parties: 2, Queue: 3, Actor: 7, Timeout: 8, TraceId: 10 } as const;
const BARRIER_BYTES = (BarrierWord.TraceId + 1) * 4;

export const BarrierState = { Filling: 0, Draining: 1, Acting: 2, Resetting: -1, Broken: -2 } as const;

/** `waitSteps`' answer to the last party of a barrier with an action: run it, then call `finishAction`. */
import { ACT } from '../cores/barrier.js';

export { ACT };

export class BarrierStateWords {
  readonly words: Int32Array;
  readonly #timeout: Float64Array;
  readonly #arena: Arena;
  readonly #queue: WaitQueue;

  constructor(buffer: SharedArrayBuffer, arena: Arena) {
    this.words = new Int32Array(buffer);
    this.#timeout = new Float64Array(buffer, BarrierWord.Timeout * 4, 1);
    this.#arena = arena;
    this.#queue = new WaitQueue(this.words, BarrierWord.Queue, arena);
  }

  static allocate(parties: number, timeout: number | undefined): SharedArrayBuffer {
    const buffer = new SharedArrayBuffer(BARRIER_BYTES);
    new Int32Array(buffer)[BarrierWord.Parties] = parties;
    new Float64Array(buffer, BarrierWord.Timeout * 4, 1)[0] = timeout ?? NaN;
    return buffer;
  }

  get parties(): number {
    return this.words[BarrierWord.Parties];
  }

  /** The constructor's default timeout, or undefined. */
  get defaultTimeout(): number | undefined {
    const timeout = this.#timeout[0];
    return Number.isNaN(timeout) ? undefined : timeout;
  }

  get state(): number {
    return Atomics.load(this.words, BarrierWord.State);
  }

  nWaiting(): number {
    this.#queue.lock();
    // While Acting, the party running the action is not waiting.
    const n = this.state === BarrierState.Filling ? this.#count : this.state === BarrierState.Acting ? this.#count - 1 : 0;
    this.#queue.unlock();
    return n;
  }

  waiting(): number {
    return this.#queue.length;
  }

  get waitingWord(): number {
    return this.#queue.lengthWord;
  }

  get #count(): number {
    return Atomics.load(this.words, BarrierWord.Count);
  }

  set #count(n: number) {
    Atomics.store(this.words, BarrierWord.Count, n);
  }

  #setState(state: number): void {
    Atomics.store(this.words, BarrierWord.State, state);
  }

  /**
   * `Barrier.wait`: returns this party's arrival index, or throws
   * BrokenBarrierError. An abort before the barrier trips withdraws the
   * party, as if it had never arrived.
   */
  *waitSteps(me: number, deadline: Deadline, hasAction = false): Steps<number> {
    const queue = this.#queue;
    // A death-woken cell: a party must notice the death of the one running the action.
    const cell = this.#arena.allocCell(me, CellKind.LockWaiter);
    queue.lock();
    try {
      // Block while the barrier runs its action, drains or resets (CPython's _enter).
      while (this.state === BarrierState.Acting || this.state === BarrierState.Draining || this.state === BarrierState.Resetting) {
        if ((yield* this.#sleep(cell, Deadline.never())) === 'aborted') return ABORTED;
      }
      if (this.state === BarrierState.Broken) throw new BrokenBarrierError();
      const index = this.#count;
      this.#count = index + 1;
      if (index + 1 === this.parties && hasAction) {
        // The caller runs the action, then finishAction() trips (and this party leaves).
        Atomics.store(this.words, BarrierWord.Actor, me);
        this.#setState(BarrierState.Acting);
        return ACT;
      }
      try {
        if (index + 1 === this.parties) {
          this.#setState(BarrierState.Draining); // trip: release everyone
          return this.#grantIndices();
        }
        return yield* this.#waitForTrip(cell, deadline);
      } finally {
        this.#leave();
      }
    } finally {
      queue.unlock();
      this.#arena.freeCell(cell);
    }
  }

  /**
   * At the trip, hands each waiting party its index in arrival (queue)
   * order, 0 first, and returns the next one, the tripping party's. CPython
   * returns the count a party found on arrival; here a party can withdraw
   * (aborted wait), which lowers the count, so the arrival counts of the
   * parties present could repeat one and skip 0. Numbering them at the trip
   * gives the same indices when nobody withdrew and distinct ones when
   * somebody did. Queue lock held. The count - 1 trip waiters are the first
   * in the queue: while Filling only they are queued, and arrivals that
   * came while Acting queued behind them (they stay for the next round).
   */
  #grantIndices(): number {
    const waiters = this.#count - 1;
    let next = 0;
    while (next < waiters && this.#queue.grantFirst(next)) next += 1;
    return next;
  }

  /** CPython's _wait: sleeps while Filling (or Acting); breaks the barrier on timeout. Queue lock held. */
  *#waitForTrip(cell: number, deadline: Deadline): Steps<number> {
    while (this.state === BarrierState.Filling || this.state === BarrierState.Acting) {
      const parked = yield* this.#sleep(cell, deadline);
      if (this.state !== BarrierState.Filling && this.state !== BarrierState.Acting) break;
      if (parked === 'aborted') {
        // Once all have arrived a party cannot be withdrawn: the trip counts on it. Its abort breaks the barrier.
        if (this.state === BarrierState.Acting) this.#break();
        return ABORTED; // withdrawn: #leave takes our arrival back
      }
      if (parked === 'timed-out') {
        this.#break();
        throw new BrokenBarrierError('sync: a wait on the barrier timed out, breaking it');
      }
    }
    if (this.state === BarrierState.Draining) return this.#queue.grantValue(cell); // the index #grantIndices gave us
    throw new BrokenBarrierError();
  }

  /** CPython's _exit: the last party to leave a drained or reset barrier refills it. Queue lock held. */
  #leave(): void {
    this.#count = this.#count - 1;
    if (this.#count === 0 && (this.state === BarrierState.Resetting || this.state === BarrierState.Draining)) {
      this.#setState(BarrierState.Filling);
      this.#queue.grantAll();
    }
  }

  /** Sleeps on the queue with the queue lock released, like Condition.wait. Queue lock held on entry and exit. */
  *#sleep(cell: number, deadline: Deadline): Generator<{ cell: number; deadline: Deadline }, ParkResult, ParkResult> {
    const queue = this.#queue;
    this.#arena.rearmCell(cell); // it may have been granted in an earlier sleep
    queue.push(cell);
    queue.unlock();
    let parked: ParkResult;
    for (;;) {
      parked = yield { cell, deadline };
      queue.lock();
      if (queue.isGranted(cell) || parked !== 'woken') break;
      this.#breakIfActorDied(); // a thread died: was it the one running the action?
      if (queue.isGranted(cell)) break;
      queue.unlock();
    }
    if (!queue.isGranted(cell)) queue.remove(cell);
    return queue.isGranted(cell) && parked === 'aborted' ? 'woken' : parked;
  }


  /**
   * The last party, after running the action (`ok`: it returned). Trips the
   * barrier and returns this party's index; or, if the action threw, breaks
   * it; or, if the barrier was broken or reset meanwhile, throws
   * BrokenBarrierError. This party leaves the barrier either way.
   */
  finishAction(ok: boolean): number {
    const queue = this.#queue;
    queue.lock();
    try {
      if (this.state !== BarrierState.Acting) throw new BrokenBarrierError('sync: the barrier was broken or reset while its action ran');
      if (!ok) {
        this.#break();
        return -1;
      }
      this.#setState(BarrierState.Draining);
      return this.#grantIndices();
    } finally {
      this.#leave();
      queue.unlock();
    }
  }

  reset(): void {
    this.#queue.lock();
    if (this.#count > 0) {
      if (this.state === BarrierState.Filling || this.state === BarrierState.Broken || this.state === BarrierState.Acting) {
        this.#setState(BarrierState.Resetting);
      }
    } else {
      this.#setState(BarrierState.Filling);
    }
    this.#queue.grantAll();
    this.#queue.unlock();
  }

  abort(): void {
    this.#queue.lock();
    this.#break();
    this.#queue.unlock();
  }

  /**
   * While Acting, the Actor's thread died before `finishAction`: its action
   * will never finish, so the barrier breaks (granting every sleeper), as it
   * does when an action throws. Queue lock held.
   */
  #breakIfActorDied(): void {
    if (this.state !== BarrierState.Acting) return;
    if (this.#arena.isAlive(Atomics.load(this.words, BarrierWord.Actor))) return;
    this.#break();
  }

  #break(): void {
    this.#setState(BarrierState.Broken);
    this.#queue.grantAll();
  }
}
