/**
 * `Event`: a flag that threads wait for — Python's `threading.Event`.
 *
 * `set()` raises the flag and releases every waiter; `clear()` lowers it;
 * `wait()` returns at once while it is raised. A waiter released by `set()`
 * returns true even if `clear()` ran before it was scheduled.
 *
 * The state is in `backends/atomics/event.ts`.
 */
import { EventState } from '../backends/atomics/event.js';
import { runtime, currentToken } from '../backends/atomics/runtime.js';
import { runAsync, runSync } from '../backends/atomics/parking.js';
import { kHandle, registerHandleKind, type Handle, type Shareable } from '../codec/handles.js';
import { Deadline } from '../internal/deadline.js';
import { checkSyncWaitOptions, checkWaitOptions, type SyncWaitOptions, type WaitOptions } from './options.js';
import { inspectSymbol } from './owner.js';
import { kAttach, kWaitingWord } from './lock-protocol.js';

export interface EventStatistics {
  readonly set: boolean;
  readonly waiting: number;
}

const HANDLE_KIND = 'threading.Event';
let attaching: SharedArrayBuffer | undefined;

/**
 * A flag threads can wait for: Python's `threading.Event`.
 *
 * @example
 * ```ts
 * const ready = new Event();
 * // in a worker thread: await ready.wait();
 * ready.set(); // releases every waiter
 * ```
 */
export class Event implements Shareable {
  readonly #state: EventState;

  constructor() {
    const buffer = attaching ?? EventState.allocate();
    attaching = undefined;
    this.#state = new EventState(buffer, runtime().arena);
  }

  isSet(): boolean {
    return this.#state.isSet();
  }

  /** Raises the flag and releases every waiter. */
  set(): void {
    this.#state.set();
  }

  /** Lowers the flag. */
  clear(): void {
    this.#state.clear();
  }

  /** Resolves true once the flag is raised, or false if `timeout` ms pass first. */
  async wait(options?: WaitOptions): Promise<boolean> {
    const { timeout, signal } = checkWaitOptions(options);
    signal?.throwIfAborted();
    if (this.#state.isSet()) return true;
    if (timeout === 0) return false;
    return runAsync(this.#state.waitSteps(currentToken(), Deadline.after(timeout)), signal);
  }

  /** As `wait`, blocking the calling thread. */
  waitSync(options?: SyncWaitOptions): boolean {
    const { timeout } = checkSyncWaitOptions(options);
    if (this.#state.isSet()) return true;
    if (timeout === 0) return false;
    return runSync(this.#state.waitSteps(currentToken(), Deadline.after(timeout)));
  }

  statistics(): EventStatistics {
    return Object.freeze({ set: this.#state.isSet(), waiting: this.#state.waiting() });
  }

  get [kWaitingWord](): [Int32Array, number] {
    return [this.#state.words, this.#state.waitingWord];
  }

  [kHandle](): Handle {
    return { kind: HANDLE_KIND, scope: 'thread', data: this.#state.words.buffer };
  }

  [inspectSymbol](): string {
    const { set, waiting } = this.statistics();
    return `<Event ${set ? 'set' : 'unset'} waiting=${waiting}>`;
  }

  toString(): string {
    return this[inspectSymbol]();
  }

  static [kAttach](buffer: SharedArrayBuffer): Event {
    attaching = buffer;
    return new this();
  }
}

registerHandleKind<SharedArrayBuffer>(HANDLE_KIND, (buffer) => Event[kAttach](buffer));
