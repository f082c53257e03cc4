/**
 * The thread-scope core of an `Event` (`cores/event.ts`): the flag and
 * waiters of `event.ts` in a SharedArrayBuffer, waited on by parking.
 */
import type { Handle } from '../../codec/handles.js';
import { Deadline } from '../../internal/deadline.js';
import type { EventCore, EventCores, EventStatistics } from '../cores/event.js';
import { EventState } from './event.js';
import { runAsync, runSync } from './parking.js';
import { currentToken, runtime } from './runtime.js';

export const EVENT_HANDLE_KIND = 'threading.Event';

export class AtomicsEventCore implements EventCore {
  readonly #state: EventState;
  readonly hubId = undefined;

  constructor(buffer: SharedArrayBuffer) {
    this.#state = new EventState(buffer, runtime().arena);
  }

  isSet(): boolean {
    return this.#state.isSet();
  }

  set(): void {
    this.#state.set();
  }

  clear(): void {
    this.#state.clear();
  }

  async wait(timeout: number | undefined, signal: AbortSignal | undefined): Promise<boolean> {
    if (this.#state.isSet()) return true;
    if (timeout === 0) return false;
    return runAsync(this.#state.waitSteps(currentToken(), Deadline.after(timeout)), signal);
  }

  waitSync(timeout: number | undefined): boolean {
    if (this.#state.isSet()) return true;
    if (timeout === 0) return false;
    return runSync(this.#state.waitSteps(currentToken(), Deadline.after(timeout)));
  }

  statistics(): EventStatistics {
    return { set: this.#state.isSet(), waiting: this.#state.waiting() };
  }

  get waitingWord(): [Int32Array, number] {
    return [this.#state.words, this.#state.waitingWord];
  }

  trace(): void {
    // Events are not traced.
  }

  handle(): Handle {
    return { kind: EVENT_HANDLE_KIND, scope: 'thread', data: this.#state.words.buffer };
  }
}

export const atomicsEventCores: EventCores = {
  create: () => new AtomicsEventCore(EventState.allocate()),
};
