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
 * Python's `action`: given `{ action }`, the last party to arrive calls it
 * (awaited by `wait()`), in its own thread, before any party is released;
 * if it throws, the barrier breaks — every other party gets
 * `BrokenBarrierError` — and that party's wait throws the action's error.
 * The action crosses to the other threads by reference, as a Thread's
 * target, so it must be exported from its module (`barrier-action.ts`).
 * While it runs, a waiter whose timeout runs out (or whose wait is aborted)
 * breaks the barrier (in CPython, waiters cannot time out then).
 *
 * The algorithm, CPython's, is in `backends/atomics/barrier.ts`.
 */
import { ACT, BarrierState, BarrierStateWords, BarrierWord } from '../backends/atomics/barrier.js';
import { BarrierAction, type BarrierOptions } from './barrier-action.js';
import type { TargetRef } from '../runner/target.js';
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

interface BarrierHandleData {
  readonly buffer: SharedArrayBuffer;
  readonly action: TargetRef | undefined;
}

let attaching: BarrierHandleData | undefined;

/**
 * A barrier for `parties` threads: Python's `threading.Barrier`.
 *
 * @example
 * ```ts
 * const start = new Barrier(3);
 * // in each of 3 threads:
 * const index = await start.wait(); // returns when all 3 have arrived
 *
 * // with an action, exported from its module: the last to arrive calls it, before anyone is released
 * export function roundDone() { console.log('all arrived'); }
 * const rounds = new Barrier(3, { action: roundDone });
 * ```
 */
export class Barrier implements Shareable {
  readonly #state: BarrierStateWords;
  readonly #action: BarrierAction | undefined;

  /**
   * @param parties how many waits trip the barrier (>= 1)
   * @param options `timeout`: default ms for each wait; `action`: an exported function the last party calls before any is released; `module`: where `action` is exported, if weft cannot find it
   */
  constructor(parties: number, options?: BarrierOptions) {
    if (attaching !== undefined) {
      const data = attaching;
      attaching = undefined;
      this.#state = new BarrierStateWords(data.buffer, runtime().arena);
      this.#action = data.action === undefined ? undefined : BarrierAction.attach(data.action);
      return;
    }
    if (!Number.isInteger(parties) || parties < 1 || parties > MAX_PARTIES) {
      throw invalidArg(`sync: a Barrier needs a whole number of parties >= 1, got ${String(parties)}`);
    }
    checkTimeout(options?.timeout);
    this.#action = BarrierAction.fromOptions(options);
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
    if (!tracing) return this.#waitAsync(deadline, signal);
    this.#trace(Op.WaitBegin, 0);
    let broken = 1;
    try {
      const index = await this.#waitAsync(deadline, signal);
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
    if (!tracing) return this.#waitSync(deadline);
    this.#trace(Op.WaitBegin, 0);
    let broken = 1;
    try {
      const index = this.#waitSync(deadline);
      broken = 0;
      return index;
    } finally {
      this.#trace(Op.WaitEnd, broken);
    }
  }

  async #waitAsync(deadline: Deadline, signal: AbortSignal | undefined): Promise<number> {
    const index = await runAsync(this.#state.waitSteps(currentToken(), deadline, this.#action !== undefined), signal);
    if (index !== ACT) return index;
    // The last to arrive: run the action, then release the others (or break the barrier).
    try {
      await this.#action!.run();
    } catch (error) {
      this.#actionFailed();
      throw error;
    }
    return this.#state.finishAction(true);
  }

  #waitSync(deadline: Deadline): number {
    const index = runSync(this.#state.waitSteps(currentToken(), deadline, this.#action !== undefined));
    if (index !== ACT) return index;
    try {
      this.#action!.runSync();
    } catch (error) {
      this.#actionFailed();
      throw error;
    }
    return this.#state.finishAction(true);
  }

  /** The action threw: break the barrier (if a reset or abort did not end the round already); the action's error is what the caller throws. */
  #actionFailed(): void {
    try {
      this.#state.finishAction(false);
    } catch {
      // broken or reset while the action ran: the waiters have their answer
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
    const data: BarrierHandleData = { buffer: this.#state.words.buffer as SharedArrayBuffer, action: this.#action?.ref };
    return { kind: HANDLE_KIND, scope: 'thread', data };
  }

  [inspectSymbol](): string {
    const { parties, nWaiting, broken } = this.statistics();
    return `<Barrier parties=${parties} waiting=${nWaiting}${broken ? ' broken' : ''}>`;
  }

  toString(): string {
    return this[inspectSymbol]();
  }

  static [kAttach](data: BarrierHandleData): Barrier {
    attaching = data;
    return new this(1);
  }
}

registerHandleKind<BarrierHandleData>(HANDLE_KIND, (data) => Barrier[kAttach](data));
