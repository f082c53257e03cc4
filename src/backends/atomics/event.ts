/**
 * The state of a thread-scope `Event`: a flag word and a queue of waiters.
 *
 * `set()` raises the flag and grants every queued waiter under the queue
 * lock, so a waiter released by `set()` returns true even if `clear()` runs
 * before it is scheduled (gh-57711, Python's `test_set_and_clear`).
 *
 * | index | name  | written by                         | meaning              |
 * |-------|-------|------------------------------------|----------------------|
 * | 0     | Flag  | `set` (under the queue lock), `clear` | 0 clear, 1 set     |
 * | 1–4   | queue | holder of the queue lock           | waiters              |
 */
import { CellKind, type Arena } from './arena.js';
import { ABORTED, type Steps } from './parking.js';
import { QUEUE_WORDS, WaitQueue } from './wait-queue.js';
import type { Deadline } from '../../internal/deadline.js';

export const EventWord = { Flag: 0, Queue: 1 } as const;
const EVENT_WORDS = 1 + QUEUE_WORDS;

export class EventState {
  readonly words: Int32Array;
  readonly #arena: Arena;
  readonly #queue: WaitQueue;

  constructor(buffer: SharedArrayBuffer, arena: Arena) {
    this.words = new Int32Array(buffer);
    this.#arena = arena;
    this.#queue = new WaitQueue(this.words, EventWord.Queue, arena);
  }

  static allocate(): SharedArrayBuffer {
    return new SharedArrayBuffer(EVENT_WORDS * 4);
  }

  isSet(): boolean {
    return Atomics.load(this.words, EventWord.Flag) === 1;
  }

  set(): void {
    if (this.isSet()) return;
    this.#queue.lock();
    Atomics.store(this.words, EventWord.Flag, 1);
    this.#queue.grantAll();
    this.#queue.unlock();
  }

  clear(): void {
    Atomics.store(this.words, EventWord.Flag, 0);
  }

  waiting(): number {
    return this.#queue.length;
  }

  get waitingWord(): number {
    return this.#queue.lengthWord;
  }

  /** Parks until the flag is set; true if it was, false on timeout. */
  *waitSteps(me: number, deadline: Deadline): Steps<boolean> {
    const queue = this.#queue;
    queue.lock();
    if (this.isSet()) {
      queue.unlock();
      return true;
    }
    const cell = this.#arena.allocCell(me, CellKind.Plain);
    queue.push(cell);
    queue.unlock();
    try {
      for (;;) {
        const parked = yield { cell, deadline };
        queue.lock();
        if (queue.isGranted(cell)) {
          queue.unlock();
          return parked === 'aborted' ? ABORTED : true;
        }
        if (parked === 'woken') {
          queue.unlock();
          continue;
        }
        queue.remove(cell);
        queue.unlock();
        return parked === 'aborted' ? ABORTED : false;
      }
    } finally {
      this.#arena.freeCell(cell);
    }
  }
}
