/**
 * `Event`: a flag that threads wait for — Python's `threading.Event`; with
 * its state in the hub, `weft/multiprocessing`'s `Event` (a subclass that
 * only picks the hub core, as CPython's multiprocessing relocates state).
 *
 * `set()` raises the flag and releases every waiter; `clear()` lowers it;
 * `wait()` returns at once while it is raised. A waiter released by `set()`
 * returns true even if `clear()` ran before it was scheduled (gh-57711).
 *
 * The state is a core (`backends/cores/event.ts`): shared memory at thread
 * scope (`backends/atomics/event.ts`), the hub at process scope
 * (`backends/hub/event.ts`).
 */
import { atomicsEventCores, AtomicsEventCore, EVENT_HANDLE_KIND } from '../backends/atomics/event-core.js';
import type { EventCore, EventCores, EventStatistics } from '../backends/cores/event.js';
import { kHubId } from '../backends/hub/hub-id.js';
import { kHandle, registerHandleKind, type Handle, type Shareable } from '../codec/handles.js';
import { Attached, kCores } from './attach.js';
import { checkSyncWaitOptions, checkWaitOptions, type SyncWaitOptions, type WaitOptions } from '../runtime/options.js';
import { inspectSymbol } from '../runtime/owner.js';
import { kWaitingWord } from './lock-protocol.js';
import { waitingWordOf } from './waiting-word.js';

export type { EventStatistics } from '../backends/cores/event.js';

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
  /** Where new Events of this class keep their flag (overridden by `weft/multiprocessing`'s subclass). */
  static [kCores]: EventCores = atomicsEventCores;

  readonly #core: EventCore;

  /** @internal Rebuilds an Event over the state of a handle (internal: handles only). */
  constructor(attached: Attached<EventCore>);
  constructor();
  constructor(attached?: Attached<EventCore>) {
    this.#core = attached instanceof Attached ? attached.core : (new.target as typeof Event)[kCores].create(this);
  }

  isSet(): boolean {
    return this.#core.isSet();
  }

  /** Raises the flag and releases every waiter. */
  set(): void {
    this.#core.set();
  }

  /** Lowers the flag. */
  clear(): void {
    this.#core.clear();
  }

  /** Resolves true once the flag is raised, or false if `timeout` ms pass first. */
  async wait(options?: WaitOptions): Promise<boolean> {
    const { timeout, signal } = checkWaitOptions(options);
    signal?.throwIfAborted();
    return this.#core.wait(timeout, signal);
  }

  /** As `wait`, blocking the calling thread. */
  waitSync(options?: SyncWaitOptions): boolean {
    const { timeout } = checkSyncWaitOptions(options);
    return this.#core.waitSync(timeout);
  }

  statistics(): EventStatistics {
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
    return this.#core.handle();
  }

  [inspectSymbol](): string {
    const { set, waiting } = this.statistics();
    return `<Event ${set ? 'set' : 'unset'} waiting=${waiting}>`;
  }

  toString(): string {
    return this[inspectSymbol]();
  }
}

registerHandleKind<SharedArrayBuffer>(EVENT_HANDLE_KIND, (buffer) => new Event(new Attached(new AtomicsEventCore(buffer))));
