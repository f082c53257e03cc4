/**
 * `Event`: a flag that every thread of every process of the tree can wait
 * for — Python's `multiprocessing.Event`, with the API of `weft/threading`'s
 * `Event`.
 *
 * How it differs from its thread-scope twin: the flag lives in the hub
 * (`backends/hub/event.ts`), so `isSet()`, `set()` and `clear()` are round
 * trips (tens of µs) instead of reads and writes of shared memory. As there:
 * `set()` releases every waiter, and a waiter released by `set()` returns
 * true even if `clear()` follows at once.
 */
import { hubCall, hubCallSync, hubCreate, TIMED_OUT } from '../backends/hub/client.js';
import { kHandle, registerHandleKind, type Handle, type Shareable } from '../codec/handles.js';
import { checkSyncWaitOptions, checkWaitOptions, type SyncWaitOptions, type WaitOptions } from '../sync/options.js';
import { inspectSymbol } from '../sync/owner.js';
import { hubHandle, kHubId, type HubBacked, type HubHandleData } from './hub-object.js';

const KIND = 'multiprocessing.Event';

export interface ProcessEventStatistics {
  readonly set: boolean;
  readonly waiting: number;
}

let attachingId: number | undefined;

/**
 * A flag threads and processes can wait for: Python's `multiprocessing.Event`.
 *
 * @example
 * ```ts
 * const ready = new Event();
 * // in a child process: await ready.wait();
 * ready.set(); // releases every waiter, in every process
 * ```
 */
export class Event implements Shareable, HubBacked {
  readonly #id: number;

  constructor() {
    this.#id = attachingId ?? hubCreate(KIND, [], this);
    attachingId = undefined;
  }

  isSet(): boolean {
    return hubCallSync(this.#id, 'isSet') as boolean;
  }

  /** Raises the flag and releases every waiter. */
  set(): void {
    hubCallSync(this.#id, 'set');
  }

  /** Lowers the flag. */
  clear(): void {
    hubCallSync(this.#id, 'clear');
  }

  /** Resolves true once the flag is raised, or false if `timeout` ms pass first. */
  async wait(options?: WaitOptions): Promise<boolean> {
    const { timeout, signal } = checkWaitOptions(options);
    signal?.throwIfAborted();
    return (await hubCall(this.#id, 'wait', [], { timeout, signal })) !== TIMED_OUT;
  }

  /** As `wait`, blocking the calling thread. */
  waitSync(options?: SyncWaitOptions): boolean {
    const { timeout } = checkSyncWaitOptions(options);
    return hubCallSync(this.#id, 'wait', [], timeout) !== TIMED_OUT;
  }

  statistics(): ProcessEventStatistics {
    return Object.freeze(hubCallSync(this.#id, 'statistics') as ProcessEventStatistics);
  }

  get [kHubId](): number {
    return this.#id;
  }

  [kHandle](): Handle {
    const data: HubHandleData = { id: this.#id };
    return hubHandle(KIND, data);
  }

  [inspectSymbol](): string {
    const { set, waiting } = this.statistics();
    return `<Event ${set ? 'set' : 'unset'} waiting=${waiting}>`;
  }

  toString(): string {
    return this[inspectSymbol]();
  }

  static fromHandle(data: HubHandleData): Event {
    attachingId = data.id;
    return new Event();
  }
}

registerHandleKind<HubHandleData>(KIND, (data) => Event.fromHandle(data));
