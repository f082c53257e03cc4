/**
 * `Barrier`: a meeting point for a fixed number of callers anywhere in the
 * tree — Python's `multiprocessing.Barrier`, with the API of
 * `weft/threading`'s `Barrier`.
 *
 * How it differs from its thread-scope twin: the arrivals are counted in the
 * hub (`backends/hub/barrier.ts`), each `wait` is one round trip, and
 * `parties`, `nWaiting`, `broken` ask the hub (except `parties`, which never
 * changes). As there: each party gets a distinct index in `0..parties-1` in
 * arrival order; a timeout (the wait's, or the constructor's default) or
 * `abort()` breaks the barrier, so current and later waits throw
 * `BrokenBarrierError` until `reset()`; an aborted (`AbortSignal`) wait
 * withdraws its party. Unlike Python's multiprocessing Barrier, `parties`
 * is checked (>= 1).
 *
 * Python's `action`: given `{ action }`, the last party to arrive — in any
 * process — calls it, before any party is released; if it throws, the
 * barrier breaks and that party's wait throws the action's error. It
 * crosses by reference, as a Process's target, so it must be exported from
 * its module (`sync/barrier-action.ts`; the hub's side is in
 * `backends/hub/barrier.ts`).
 */
import { hubCall, hubCallSync, hubCreate, TIMED_OUT } from '../backends/hub/client.js';
import { kHandle, registerHandleKind, type Handle, type Shareable } from '../codec/handles.js';
import { checkTimeout } from '../internal/deadline.js';
import { BrokenBarrierError, invalidArg } from '../errors.js';
import { checkSyncWaitOptions, checkWaitOptions, type SyncWaitOptions, type WaitOptions } from '../sync/options.js';
import { inspectSymbol } from '../sync/owner.js';
import { hubHandle, kHubId, type HubBacked } from './hub-object.js';
import { ACT } from '../backends/hub/barrier.js';
import { BarrierAction, type BarrierOptions } from '../sync/barrier-action.js';
import type { TargetRef } from '../runner/target.js';
import { Cls, Op, traceRemote, tracing } from '../trace/tracing.js';

const KIND = 'multiprocessing.Barrier';
const MAX_PARTIES = 2 ** 31 - 1;

interface BarrierHandleData {
  readonly id: number;
  readonly parties: number;
  readonly timeout: number | undefined;
  readonly action: TargetRef | undefined;
}

export interface ProcessBarrierStatistics {
  readonly parties: number;
  readonly nWaiting: number;
  readonly broken: boolean;
  /** Calls waiting inside `wait()` (the same as nWaiting: in the hub a trip releases everyone at once). */
  readonly waiting: number;
}

let attaching: BarrierHandleData | undefined;

/**
 * A barrier for `parties` threads or processes: Python's `multiprocessing.Barrier`.
 *
 * @example
 * ```ts
 * const start = new Barrier(3);
 * // in each of 3 processes:
 * const index = start.waitSync(); // returns when all 3 have arrived
 *
 * // with an action, exported from its module: the last to arrive calls it, before anyone is released
 * export function roundDone() { console.log('all arrived'); }
 * const rounds = new Barrier(3, { action: roundDone });
 * ```
 */
export class Barrier implements Shareable, HubBacked {
  readonly #id: number;
  readonly #parties: number;
  readonly #timeout: number | undefined;
  readonly #action: BarrierAction | undefined;

  /**
   * @param parties how many waits trip the barrier (>= 1)
   * @param options `timeout`: default ms for each wait; `action`: an exported function the last party calls before any is released; `module`: where `action` is exported, if weft cannot find it
   */
  constructor(parties: number, options?: BarrierOptions) {
    if (attaching !== undefined) {
      const data = attaching;
      attaching = undefined;
      ({ id: this.#id, parties: this.#parties, timeout: this.#timeout } = data);
      this.#action = data.action === undefined ? undefined : BarrierAction.attach(data.action);
      return;
    }
    if (!Number.isInteger(parties) || parties < 1 || parties > MAX_PARTIES) {
      throw invalidArg(`sync: a Barrier needs a whole number of parties >= 1, got ${String(parties)}`);
    }
    checkTimeout(options?.timeout);
    this.#action = BarrierAction.fromOptions(options);
    this.#parties = parties;
    this.#timeout = options?.timeout;
    this.#id = hubCreate(KIND, [parties, this.#action !== undefined], this);
  }

  /**
   * Waits until all parties have arrived; resolves this party's index.
   * Rejects with `BrokenBarrierError` if the barrier is or becomes broken.
   */
  async wait(options?: WaitOptions): Promise<number> {
    const { timeout, signal } = checkWaitOptions(options);
    signal?.throwIfAborted();
    if (tracing) traceRemote(Op.WaitBegin, Cls.Barrier, this.#id, 0);
    const answer = await hubCall(this.#id, 'wait', [], { timeout: timeout ?? this.#timeout, signal });
    if (tracing) traceRemote(Op.WaitEnd, Cls.Barrier, this.#id, answer === TIMED_OUT ? 1 : 0);
    if (answer === TIMED_OUT) {
      await hubCall(this.#id, 'timedOut');
      throw timedOutError();
    }
    if (answer !== ACT) return answer as number;
    // The last to arrive: run the action, then tell the hub to release the others (or break the barrier).
    try {
      await this.#action!.run();
    } catch (error) {
      await hubCall(this.#id, 'actionDone', [false]).catch(() => {});
      throw error;
    }
    return (await hubCall(this.#id, 'actionDone', [true])) as number;
  }

  /** As `wait`, blocking the calling thread. */
  waitSync(options?: SyncWaitOptions): number {
    const { timeout } = checkSyncWaitOptions(options);
    if (tracing) traceRemote(Op.WaitBegin, Cls.Barrier, this.#id, 0);
    const answer = hubCallSync(this.#id, 'wait', [], timeout ?? this.#timeout);
    if (tracing) traceRemote(Op.WaitEnd, Cls.Barrier, this.#id, answer === TIMED_OUT ? 1 : 0);
    if (answer === TIMED_OUT) {
      hubCallSync(this.#id, 'timedOut');
      throw timedOutError();
    }
    if (answer !== ACT) return answer as number;
    try {
      this.#action!.runSync();
    } catch (error) {
      try {
        hubCallSync(this.#id, 'actionDone', [false]);
      } catch {
        // broken or reset while the action ran: the waiters have their answer
      }
      throw error;
    }
    return hubCallSync(this.#id, 'actionDone', [true]) as number;
  }

  /** Returns the barrier to its empty state; parties waiting now get `BrokenBarrierError`. */
  reset(): void {
    hubCallSync(this.#id, 'reset');
  }

  /** Breaks the barrier: current and future waits throw `BrokenBarrierError` until `reset()`. */
  abort(): void {
    hubCallSync(this.#id, 'abort');
  }

  get parties(): number {
    return this.#parties;
  }

  /** Parties waiting for the barrier to trip. */
  get nWaiting(): number {
    return this.statistics().nWaiting;
  }

  get broken(): boolean {
    return this.statistics().broken;
  }

  statistics(): ProcessBarrierStatistics {
    return Object.freeze(hubCallSync(this.#id, 'statistics') as ProcessBarrierStatistics);
  }

  get [kHubId](): number {
    return this.#id;
  }

  [kHandle](): Handle {
    const data: BarrierHandleData = { id: this.#id, parties: this.#parties, timeout: this.#timeout, action: this.#action?.ref };
    return hubHandle(KIND, data);
  }

  [inspectSymbol](): string {
    const { parties, nWaiting, broken } = this.statistics();
    return `<Barrier parties=${parties} waiting=${nWaiting}${broken ? ' broken' : ''}>`;
  }

  toString(): string {
    return this[inspectSymbol]();
  }

  static fromHandle(data: BarrierHandleData): Barrier {
    attaching = data;
    return new Barrier(1);
  }
}

function timedOutError(): BrokenBarrierError {
  return new BrokenBarrierError('sync: a wait on the barrier timed out, breaking it');
}

registerHandleKind<BarrierHandleData>(KIND, (data) => Barrier.fromHandle(data));
