/**
 * The thread-scope core of a `Barrier` (`cores/barrier.ts`): CPython's
 * algorithm over the words of `barrier.ts`, waited on by parking.
 */
import type { Handle } from '../../codec/handles.js';
import { Deadline } from '../../internal/deadline.js';
import { record, traceIdOf } from '../../trace/tracing.js';
import type { BarrierCore, BarrierCores, BarrierStatistics } from '../cores/barrier.js';
import { BarrierState, BarrierStateWords, BarrierWord } from './barrier.js';
import { runAsync, runSync } from './parking.js';
import { currentToken, runtime } from './runtime.js';

export const BARRIER_HANDLE_KIND = 'threading.Barrier';

/** The data of a thread-scope Barrier's handle (the public class adds its action). */
export interface AtomicsBarrierData {
  readonly buffer: SharedArrayBuffer;
}

export class AtomicsBarrierCore implements BarrierCore {
  readonly #state: BarrierStateWords;
  readonly hubId = undefined;

  constructor(buffer: SharedArrayBuffer) {
    this.#state = new BarrierStateWords(buffer, runtime().arena);
  }

  get parties(): number {
    return this.#state.parties;
  }

  get defaultTimeout(): number | undefined {
    return this.#state.defaultTimeout;
  }

  wait(timeout: number | undefined, signal: AbortSignal | undefined, withAction: boolean): Promise<number> {
    return runAsync(this.#state.waitSteps(currentToken(), Deadline.after(timeout), withAction), signal);
  }

  waitSync(timeout: number | undefined, withAction: boolean): number {
    return runSync(this.#state.waitSteps(currentToken(), Deadline.after(timeout), withAction));
  }

  async finishAction(ok: boolean): Promise<number> {
    return this.#state.finishAction(ok);
  }

  finishActionSync(ok: boolean): number {
    return this.#state.finishAction(ok);
  }

  reset(): void {
    this.#state.reset();
  }

  abort(): void {
    this.#state.abort();
  }

  statistics(): BarrierStatistics {
    const state = this.#state;
    return { parties: state.parties, nWaiting: state.nWaiting(), broken: state.state === BarrierState.Broken, waiting: state.waiting() };
  }

  get waitingWord(): [Int32Array, number] {
    return [this.#state.words, this.#state.waitingWord];
  }

  trace(op: number, cls: number, value: number): void {
    record(op, cls, traceIdOf(this.#state.words, BarrierWord.TraceId), value);
  }

  handle(): Handle {
    const data: AtomicsBarrierData = { buffer: this.#state.words.buffer as SharedArrayBuffer };
    return { kind: BARRIER_HANDLE_KIND, scope: 'thread', data };
  }
}

export const atomicsBarrierCores: BarrierCores = {
  create: (_owner, parties, timeout) => new AtomicsBarrierCore(BarrierStateWords.allocate(parties, timeout)),
};
