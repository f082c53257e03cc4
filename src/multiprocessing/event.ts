/**
 * `Event`: a flag that every thread of every process of the tree can wait
 * for — Python's `multiprocessing.Event`: `weft/threading`'s `Event`
 * (`sync/event.ts`, where its semantics are written) over the hub core
 * (`backends/hub/event-core.ts`).
 *
 * How it differs from its thread-scope twin: the flag lives in the hub, so
 * `isSet()`, `set()` and `clear()` are round trips (tens of µs) instead of
 * reads and writes of shared memory.
 */
import type { EventCores, EventStatistics } from '../backends/cores/event.js';
import { HUB_EVENT_KIND, HubEventCore, hubEventCores } from '../backends/hub/event-core.js';
import type { HubBacked, HubHandleData } from '../backends/hub/hub-object.js';
import { kHubId } from '../backends/hub/hub-id.js';
import { registerHandleKind } from '../codec/handles.js';
import { Attached, kCores } from '../sync/attach.js';
import { Event as ThreadEvent } from '../sync/event.js';

export type ProcessEventStatistics = EventStatistics;

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
export class Event extends ThreadEvent implements HubBacked {
  static override [kCores]: EventCores = hubEventCores;

  override get [kHubId](): number {
    return super[kHubId]!;
  }

  /** Rebuilds an Event over the hub object of a handle. */
  static fromHandle(data: HubHandleData): Event {
    return new Event(new Attached(new HubEventCore(data.id)));
  }
}

registerHandleKind<HubHandleData>(HUB_EVENT_KIND, (data) => Event.fromHandle(data));
