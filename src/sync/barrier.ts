/**
 * `Barrier`: a meeting point for a fixed number of threads — Python's
 * `threading.Barrier`.
 *
 * Each of `parties` threads calls `wait()`; the last to arrive releases them
 * all, each with a distinct index in `0..parties-1` (the first to arrive gets
 * 0), and the barrier is ready for the next round. A timeout (the `wait`'s or
 * the constructor's default) or `abort()` breaks it: current and later waits
 * throw `BrokenBarrierError` until `reset()`. An aborted (`AbortSignal`) wait
 * withdraws its party as if it had never arrived.
 *
 * Python's `action` callback is not offered: a function cannot be handed to
 * whichever thread happens to arrive last.
 *
 * The algorithm, CPython's, is in `backends/atomics/barrier.ts`.
 */
import { BarrierState, BarrierStateWords, BarrierWord } from '../backends/atomics/barrier.js';
import { Cls, Op, record, traceIdOf, tracing } from '../trace/tracing.js';
import { runtime, currentToken } from '../backends/atomics/runtime.js';
import { runAsync, runSync } from '../backends/atomics/parking.js';
import { kHandle, registerHandleKind, type Handle, type Shareable } from '../codec/handles.js';
import { Deadline, checkTimeout } from '../internal/deadline.js';
import { invalidArg } from '../errors.js';
import { checkSyncWaitOptions, checkWaitOptions, type SyncWaitOptions, type WaitOptions } from './options.js';
import { inspectSymbol } from './owner.js';
import { kAttach, kWaitingWord } from './lock-protocol.js';

export interface BarrierStatistics {
  readonly parties: number;
  readonly nWaiting: number;
  readonly broken: boolean;
  /** Calls sleeping inside `wait()`, including arrivals held back while the barrier drains. */
  readonly waiting: number;
}

const HANDLE_KIND = 'threading.Barrier';
const MAX_PARTIES = 2 ** 31 - 1;
let attaching: SharedArrayBuffer | undefined;

/**
 * A barrier for `parties` threads: Python's `threading.Barrier`.
 *
 * @example
 * ```ts
 * const start = new Barrier(3);
 * // in each of 3 threads:
 * const index = await start.wait(); // returns when all 3 have arrived
 * ```
 */
export class Barrier implements Shareable {
  readonly #state: BarrierStateWords;

  constructor(parties: number, options?: { timeout?: number }) {
    if (attaching !== undefined) {
      this.#state = new BarrierStateWords(attaching, runtime().arena);
      attaching = undefined;
      return;
    }
    if (!Number.isInteger(parties) || parties < 1 || parties > MAX_PARTIES) {
      throw invalidArg(`sync: a Barrier needs a whole number of parties >= 1, got ${String(parties)}`);
    }
    checkTimeout(options?.timeout);
    this.#state = new BarrierStateWords(BarrierStateWords.allocate(parties, options?.timeout), runtime().arena);
  }

  /**
   * Waits until all parties have arrived; resolves this party's index.
   * Rejects with `BrokenBarrierError` if the barrier is or becomes broken.
   */
  async wait(options?: WaitOptions): Promise<number> {
    const { timeout, signal } = checkWaitOptions(options);
    signal?.throwIfAborted();
    const deadline = Deadline.after(timeout ?? this.#state.defaultTimeout);
    if (!tracing) return runAsync(this.#state.waitSteps(currentToken(), deadline), signal);
    this.#trace(Op.WaitBegin, 0);
    let broken = 1;
    try {
      const index = await runAsync(this.#state.waitSteps(currentToken(), deadline), signal);
      broken = 0;
      return index;
    } finally {
      this.#trace(Op.WaitEnd, broken);
    }
  }

  /** As `wait`, blocking the calling thread. */
  waitSync(options?: SyncWaitOptions): number {
    const { timeout } = checkSyncWaitOptions(options);
    const deadline = Deadline.after(timeout ?? this.#state.defaultTimeout);
    if (!tracing) return runSync(this.#state.waitSteps(currentToken(), deadline));
    this.#trace(Op.WaitBegin, 0);
    let broken = 1;
    try {
      const index = runSync(this.#state.waitSteps(currentToken(), deadline));
      broken = 0;
      return index;
    } finally {
      this.#trace(Op.WaitEnd, broken);
    }
  }

  /** Records a wait's begin or end (value 1: it ended broken). */
  #trace(op: number, value: number): void {
    record(op, Cls.Barrier, traceIdOf(this.#state.words, BarrierWord.TraceId), value);
  }

  /** Returns the barrier to its empty state; parties waiting now get `BrokenBarrierError`. */
  reset(): void {
    this.#state.reset();
  }

  /** Breaks the barrier: current and future waits throw `BrokenBarrierError` until `reset()`. */
  abort(): void {
    this.#state.abort();
  }

  get parties(): number {
    return this.#state.parties;
  }

  /** Parties waiting for the barrier to trip. */
  get nWaiting(): number {
    return this.#state.nWaiting();
  }

  get broken(): boolean {
    return this.#state.state === BarrierState.Broken;
  }

  statistics(): BarrierStatistics {
    return Object.freeze({ parties: this.parties, nWaiting: this.nWaiting, broken: this.broken, waiting: this.#state.waiting() });
  }

  get [kWaitingWord](): [Int32Array, number] {
    return [this.#state.words, this.#state.waitingWord];
  }

  [kHandle](): Handle {
    return { kind: HANDLE_KIND, scope: 'thread', data: this.#state.words.buffer };
  }

  [inspectSymbol](): string {
    const { parties, nWaiting, broken } = this.statistics();
    return `<Barrier parties=${parties} waiting=${nWaiting}${broken ? ' broken' : ''}>`;
  }

  toString(): string {
    return this[inspectSymbol]();
  }

  static [kAttach](buffer: SharedArrayBuffer): Barrier {
    attaching = buffer;
    return new this(1);
  }
}

registerHandleKind<SharedArrayBuffer>(HANDLE_KIND, (buffer) => Barrier[kAttach](buffer));
