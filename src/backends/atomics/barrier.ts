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
 * | 8–9   | Timeout | constructor               | default timeout, float64 ms (NaN: none)    |
 * | 10    | TraceId | first tracer (CAS 0 → id) | its name in traces (`trace/object-id.ts`) |
 *
 * ## States (from CPython's `_state`)
 *
 * | state     | meaning                                                          |
 * |-----------|------------------------------------------------------------------|
 * | Filling   | parties are arriving                                             |
 * | Draining  | the barrier tripped; released parties are leaving                |
 * | Resetting | `reset()` while parties waited; they leave with BrokenBarrierError |
 * | Broken    | aborted or timed out; every wait fails until `reset()`            |
 *
 * Filling → Draining when the last party arrives; Draining/Resetting →
 * Filling when the last party leaves; Filling → Broken on `abort()` or a
 * timeout; Broken/Filling → Resetting (or Filling, if nobody is inside) on
 * `reset()`. New arrivals wait while the barrier is Draining or Resetting.
 */
import { CellKind, type Arena } from './arena.js';
import { ABORTED, type ParkResult, type Steps } from './parking.js';
import { QUEUE_WORDS, WaitQueue } from './wait-queue.js';
import { Deadline } from '../../internal/deadline.js';
import { BrokenBarrierError } from '../../errors.js';

export const BarrierWord = { State: 0, Count: 1, Parties: 2, Queue: 3, Timeout: 8, TraceId: 10 } as const;
const BARRIER_BYTES = (BarrierWord.TraceId + 1) * 4;

export const BarrierState = { Filling: 0, Draining: 1, Resetting: -1, Broken: -2 } as const;

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
    const n = this.state === BarrierState.Filling ? this.#count : 0;
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
  *waitSteps(me: number, deadline: Deadline): Steps<number> {
    const queue = this.#queue;
    const cell = this.#arena.allocCell(me, CellKind.Plain);
    queue.lock();
    try {
      // Block while the barrier drains or resets (CPython's _enter).
      while (this.state === BarrierState.Draining || this.state === BarrierState.Resetting) {
        if ((yield* this.#sleep(cell, Deadline.never())) === 'aborted') return ABORTED;
      }
      if (this.state === BarrierState.Broken) throw new BrokenBarrierError();
      const index = this.#count;
      this.#count = index + 1;
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
   * somebody did. Queue lock held; only trip waiters are queued while Filling.
   */
  #grantIndices(): number {
    let next = 0;
    while (this.#queue.grantFirst(next)) next += 1;
    return next;
  }

  /** CPython's _wait: sleeps while Filling; breaks the barrier on timeout. Queue lock held. */
  *#waitForTrip(cell: number, deadline: Deadline): Steps<number> {
    while (this.state === BarrierState.Filling) {
      const parked = yield* this.#sleep(cell, deadline);
      if (this.state !== BarrierState.Filling) break;
      if (parked === 'aborted') return ABORTED; // withdrawn: #leave takes our arrival back
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
      queue.unlock();
    }
    if (!queue.isGranted(cell)) queue.remove(cell);
    return queue.isGranted(cell) && parked === 'aborted' ? 'woken' : parked;
  }


  reset(): void {
    this.#queue.lock();
    if (this.#count > 0) {
      if (this.state === BarrierState.Filling || this.state === BarrierState.Broken) this.#setState(BarrierState.Resetting);
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

  #break(): void {
    this.#setState(BarrierState.Broken);
    this.#queue.grantAll();
  }
}
