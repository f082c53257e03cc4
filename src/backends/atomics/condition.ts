/**
 * The state of a thread-scope `Condition`: a FIFO queue of sleepers. The
 * condition's lock is a separate `Lock` or `RLock`; the public class
 * (`sync/condition.ts`) releases and re-acquires it around the sleep.
 *
 * A waiter queues its cell *before* it releases the lock, and `notify`
 * requires the lock, so no notification can fall between the two. `notify(n)`
 * grants exactly the n oldest sleepers (CPython's `test_notify`: notify(3)
 * wakes exactly 3); a sleeper that timed out or was aborted has unlinked
 * itself under the queue lock, so it never swallows a notification — unlike
 * CPython, where a waiter that times out just as `notify` runs is counted as
 * notified. An aborted sleeper that was notified in the same instant passes
 * the notification on to the next sleeper.
 *
 * | index | name   | written by               | meaning                                        |
 * |-------|--------|--------------------------|------------------------------------------------|
 * | 0–3   | queue  | holder of the queue lock | sleepers                                       |
 * | 4     | Asleep | holder of the queue lock | sleepers that have released the lock and are not yet notified; notified on change, for `waitForWaiters` |
 */
import { CellKind, type Arena } from './arena.js';
import { ABORTED, type Steps } from './parking.js';
import { QUEUE_WORDS, WaitQueue } from './wait-queue.js';
import type { Deadline } from '../../internal/deadline.js';

const ASLEEP = QUEUE_WORDS;
const CONDITION_WORDS = ASLEEP + 1;
/** A queued cell's Value while it is counted in Asleep. */
const COUNTED = 1;

export class ConditionState {
  readonly words: Int32Array;
  readonly #arena: Arena;
  readonly #queue: WaitQueue;

  constructor(buffer: SharedArrayBuffer, arena: Arena) {
    this.words = new Int32Array(buffer);
    this.#arena = arena;
    this.#queue = new WaitQueue(this.words, 0, arena);
  }

  static allocate(): SharedArrayBuffer {
    return new SharedArrayBuffer(CONDITION_WORDS * 4);
  }

  /** Sleepers not yet notified. */
  waiting(): number {
    return this.#queue.length;
  }

  /** The word `waitForWaiters` watches: sleepers that have released the lock. */
  get asleepWord(): number {
    return ASLEEP;
  }

  /**
   * Counts a queued sleeper in Asleep once it has released the lock — so a
   * test that sees it asleep can take the lock — unless it was notified
   * already. The cell's Value marks it counted until its grant or removal
   * uncounts it (under the queue lock, so each sleeper counts at most once).
   */
  markAsleep(cell: number): void {
    const queue = this.#queue;
    queue.lock();
    if (!queue.isGranted(cell)) {
      queue.setValue(cell, COUNTED);
      this.#countAsleep(1);
    }
    queue.unlock();
  }

  #countAsleep(delta: 1 | -1): void {
    Atomics.add(this.words, ASLEEP, delta);
    Atomics.notify(this.words, ASLEEP);
  }

  /** Queue lock held: takes a cell out of Asleep if it was counted in. */
  #uncount(cell: number): void {
    if (this.#queue.grantValue(cell) === COUNTED) this.#countAsleep(-1);
  }

  /** Queue lock held: notifies the oldest sleeper; false if there is none. */
  #notifyFirst(): boolean {
    const cell = this.#queue.shift();
    if (cell < 0) return false;
    this.#uncount(cell);
    this.#queue.grant(cell);
    return true;
  }

  /** Queues a sleeper; call while holding the condition's lock, before releasing it. */
  enqueue(me: number): number {
    const cell = this.#arena.allocCell(me, CellKind.Plain);
    this.#queue.lock();
    this.#queue.push(cell);
    this.#queue.unlock();
    return cell;
  }

  /** Parks a queued sleeper until notified (true) or the deadline passes (false). Frees the cell. */
  *sleepSteps(cell: number, deadline: Deadline): Steps<boolean> {
    const queue = this.#queue;
    try {
      for (;;) {
        const parked = yield { cell, deadline };
        queue.lock();
        if (queue.isGranted(cell)) {
          if (parked === 'aborted') this.#notifyFirst(); // hand the notification on
          queue.unlock();
          return parked === 'aborted' ? ABORTED : true;
        }
        if (parked === 'woken') {
          queue.unlock();
          continue;
        }
        queue.remove(cell);
        this.#uncount(cell);
        queue.unlock();
        return parked === 'aborted' ? ABORTED : false;
      }
    } finally {
      this.#arena.freeCell(cell);
    }
  }

  /** Wakes up to `n` sleepers, oldest first; returns how many. Call holding the condition's lock. */
  notify(n: number): number {
    const queue = this.#queue;
    let woken = 0;
    // n may be Infinity (notifyAll).
    queue.lock();
    while (woken < n && this.#notifyFirst()) woken += 1;
    queue.unlock();
    return woken;
  }
}
