/**
 * The thread-scope core of a `Semaphore` / `BoundedSemaphore`
 * (`cores/semaphore.ts`): the counter and FIFO of `semaphore.ts` in a
 * SharedArrayBuffer, waited on by parking.
 */
import type { Handle } from '../../codec/handles.js';
import { Deadline } from '../../internal/deadline.js';
import { record, traceIdOf } from '../../trace/tracing.js';
import type { ReleaseOutcome, SemaphoreCore, SemaphoreCores, SemaphoreStatistics } from '../cores/semaphore.js';
import { runAsync, runSync } from './parking.js';
import { currentToken, runtime } from './runtime.js';
import { SemaphoreState, SemaphoreWord } from './semaphore.js';

export const SEMAPHORE_HANDLE_KIND = 'threading.Semaphore';
export const BOUNDED_SEMAPHORE_HANDLE_KIND = 'threading.BoundedSemaphore';

export class AtomicsSemaphoreCore implements SemaphoreCore {
  readonly #state: SemaphoreState;
  readonly bounded: boolean;
  readonly localFastPath = true;
  readonly hubId = undefined;

  constructor(buffer: SharedArrayBuffer, bounded: boolean) {
    this.#state = new SemaphoreState(buffer, runtime().arena);
    this.bounded = bounded;
  }

  tryAcquire(): boolean {
    return this.#state.tryAcquire();
  }

  acquire(timeout: number | undefined, signal: AbortSignal | undefined): Promise<boolean> {
    return runAsync(this.#state.acquireSteps(currentToken(), Deadline.after(timeout)), signal);
  }

  acquireSync(timeout: number | undefined): boolean {
    return runSync(this.#state.acquireSteps(currentToken(), Deadline.after(timeout)));
  }

  release(n: number): ReleaseOutcome {
    return this.#state.release(n, this.bounded ? this.#state.initial : undefined);
  }

  statistics(): SemaphoreStatistics {
    return { value: this.#state.value(), initial: this.#state.initial, waiting: this.#state.waiting() };
  }

  get waitingWord(): [Int32Array, number] {
    return [this.#state.words, this.#state.waitingWord];
  }

  trace(op: number, cls: number, value: number): void {
    record(op, cls, traceIdOf(this.#state.words, SemaphoreWord.TraceId), value);
  }

  handle(): Handle {
    return { kind: this.bounded ? BOUNDED_SEMAPHORE_HANDLE_KIND : SEMAPHORE_HANDLE_KIND, scope: 'thread', data: this.#state.words.buffer };
  }
}

export const atomicsSemaphoreCores: SemaphoreCores = {
  create: (_owner, value, bounded) => new AtomicsSemaphoreCore(SemaphoreState.allocate(value), bounded),
};
