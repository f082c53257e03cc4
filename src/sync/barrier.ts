/**
 * `Barrier`: a meeting point for a fixed number of threads — Python's
 * `threading.Barrier`; with its counters in the hub, `weft/multiprocessing`'s
 * `Barrier` (a subclass that only picks the hub core, as CPython's
 * `multiprocessing.synchronize.Barrier` subclasses `threading.Barrier`).
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
 * The state is a core (`backends/cores/barrier.ts`): CPython's algorithm in
 * shared memory at thread scope (`backends/atomics/barrier.ts`), the hub's
 * state machine at process scope (`backends/hub/barrier.ts`).
 */
import { AtomicsBarrierCore, atomicsBarrierCores, BARRIER_HANDLE_KIND, type AtomicsBarrierData } from '../backends/atomics/barrier-core.js';
import { ACT, type BarrierCore, type BarrierCores, type BarrierStatistics } from '../backends/cores/barrier.js';
import { kHubId } from '../backends/hub/hub-id.js';
import { kHandle, registerHandleKind, type Handle, type Shareable } from '../codec/handles.js';
import { invalidArg } from '../errors.js';
import { checkTimeout } from '../internal/deadline.js';
import type { TargetRef } from '../runtime/target.js';
import { Cls, Op, tracing } from '../trace/tracing.js';
import { Attached, kCores } from './attach.js';
import { BarrierAction, type BarrierOptions } from './barrier-action.js';
import { checkSyncWaitOptions, checkWaitOptions, type SyncWaitOptions, type WaitOptions } from '../runtime/options.js';
import { inspectSymbol } from '../runtime/owner.js';
import { kAttach, kWaitingWord } from './lock-protocol.js';
import { waitingWordOf } from './waiting-word.js';

export type { BarrierStatistics } from '../backends/cores/barrier.js';

const MAX_PARTIES = 2 ** 31 - 1;

/** What every Barrier handle carries besides its core's data: the action's reference. */
interface WithAction {
  readonly action: TargetRef | undefined;
}

/** A Barrier rebuilt from a handle: its core, and its action attached. */
export interface AttachedBarrier {
  readonly core: BarrierCore;
  readonly action: BarrierAction | undefined;
}

/** The action of a handle, attached (undefined for a barrier without one). */
export function attachAction(data: WithAction): BarrierAction | undefined {
  return data.action === undefined ? undefined : BarrierAction.attach(data.action);
}

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
  /** Where new barriers of this class count arrivals (overridden by `weft/multiprocessing`'s subclass). */
  static [kCores]: BarrierCores = atomicsBarrierCores;

  readonly #core: BarrierCore;
  readonly #action: BarrierAction | undefined;

  /** @internal Rebuilds a Barrier over the state of a handle (internal: handles only). */
  constructor(attached: Attached<AttachedBarrier>);
  /**
   * @param parties how many waits trip the barrier (>= 1)
   * @param options `timeout`: default ms for each wait; `action`: an exported function the last party calls before any is released; `module`: where `action` is exported, if weft cannot find it
   */
  constructor(parties: number, options?: BarrierOptions);
  constructor(parties: number | Attached<AttachedBarrier>, options?: BarrierOptions) {
    if (parties instanceof Attached) {
      ({ core: this.#core, action: this.#action } = parties.core);
      return;
    }
    if (!Number.isInteger(parties) || parties < 1 || parties > MAX_PARTIES) {
      throw invalidArg(`sync: a Barrier needs a whole number of parties >= 1, got ${String(parties)}`);
    }
    checkTimeout(options?.timeout);
    this.#action = BarrierAction.fromOptions(options);
    this.#core = (new.target as typeof Barrier)[kCores].create(this, parties, options?.timeout, this.#action !== undefined);
  }

  /**
   * Waits until all parties have arrived; resolves this party's index.
   * Rejects with `BrokenBarrierError` if the barrier is or becomes broken.
   */
  async wait(options?: WaitOptions): Promise<number> {
    const { timeout, signal } = checkWaitOptions(options);
    signal?.throwIfAborted();
    const wait = timeout ?? this.#core.defaultTimeout;
    if (!tracing) return this.#waitAsync(wait, signal);
    this.#trace(Op.WaitBegin, 0);
    let broken = 1;
    try {
      const index = await this.#waitAsync(wait, signal);
      broken = 0;
      return index;
    } finally {
      this.#trace(Op.WaitEnd, broken);
    }
  }

  /** As `wait`, blocking the calling thread. */
  waitSync(options?: SyncWaitOptions): number {
    const { timeout } = checkSyncWaitOptions(options);
    const wait = timeout ?? this.#core.defaultTimeout;
    if (!tracing) return this.#waitSync(wait);
    this.#trace(Op.WaitBegin, 0);
    let broken = 1;
    try {
      const index = this.#waitSync(wait);
      broken = 0;
      return index;
    } finally {
      this.#trace(Op.WaitEnd, broken);
    }
  }

  async #waitAsync(timeout: number | undefined, signal: AbortSignal | undefined): Promise<number> {
    const index = await this.#core.wait(timeout, signal, this.#action !== undefined);
    if (index !== ACT) return index;
    // The last to arrive: run the action, then release the others (or break the barrier).
    try {
      await this.#action!.run();
    } catch (error) {
      await this.#core.finishAction(false).catch(actionEnded);
      throw error;
    }
    return this.#core.finishAction(true);
  }

  #waitSync(timeout: number | undefined): number {
    const index = this.#core.waitSync(timeout, this.#action !== undefined);
    if (index !== ACT) return index;
    try {
      this.#action!.runSync();
    } catch (error) {
      try {
        this.#core.finishActionSync(false);
      } catch (ended) {
        actionEnded(ended);
      }
      throw error;
    }
    return this.#core.finishActionSync(true);
  }

  /** Records a wait's begin or end (value 1: it ended broken). */
  #trace(op: number, value: number): void {
    this.#core.trace(op, Cls.Barrier, value);
  }

  /** Returns the barrier to its empty state; parties waiting now get `BrokenBarrierError`. */
  reset(): void {
    this.#core.reset();
  }

  /** Breaks the barrier: current and future waits throw `BrokenBarrierError` until `reset()`. */
  abort(): void {
    this.#core.abort();
  }

  get parties(): number {
    return this.#core.parties;
  }

  /** Parties waiting for the barrier to trip. */
  get nWaiting(): number {
    return this.#core.statistics().nWaiting;
  }

  get broken(): boolean {
    return this.#core.statistics().broken;
  }

  statistics(): BarrierStatistics {
    return Object.freeze(this.#core.statistics());
  }

  get [kWaitingWord](): [Int32Array, number] {
    return waitingWordOf(this.#core);
  }

  /** The object's id in the hub at process scope; undefined at thread scope. */
  get [kHubId](): number | undefined {
    return this.#core.hubId;
  }

  [kHandle](): Handle {
    const handle = this.#core.handle();
    const data: WithAction = { ...(handle.data as object), action: this.#action?.ref };
    return { ...handle, data };
  }

  [inspectSymbol](): string {
    const { parties, nWaiting, broken } = this.statistics();
    return `<Barrier parties=${parties} waiting=${nWaiting}${broken ? ' broken' : ''}>`;
  }

  toString(): string {
    return this[inspectSymbol]();
  }

  static [kAttach](data: AtomicsBarrierData & WithAction): Barrier {
    return new this(new Attached({ core: new AtomicsBarrierCore(data.buffer), action: attachAction(data) }));
  }
}

/**
 * The action threw, and telling the core failed too: the barrier was broken
 * or reset while the action ran, so the waiters have their answer already;
 * the action's error is what the caller throws.
 */
function actionEnded(_error: unknown): void {}

registerHandleKind<AtomicsBarrierData & WithAction>(BARRIER_HANDLE_KIND, (data) => Barrier[kAttach](data));
