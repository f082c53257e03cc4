/**
 * `Semaphore` and `BoundedSemaphore`: a counter of permits shared by every
 * thread of every process of the tree — Python's `multiprocessing.Semaphore`
 * and `BoundedSemaphore`: `weft/threading`'s classes (`sync/semaphore.ts`,
 * where their semantics are written) over the hub core
 * (`backends/hub/semaphore-core.ts`).
 *
 * How they differ from their thread-scope twins: the count lives in the hub
 * and every call is a round trip to it (tens of µs).
 */
import type { SemaphoreCores, SemaphoreStatistics } from '../backends/cores/semaphore.js';
import { kHubId } from '../backends/hub/hub-id.js';
import { HUB_BOUNDED_SEMAPHORE_KIND, HUB_SEMAPHORE_KIND, HubSemaphoreCore, hubSemaphoreCores } from '../backends/hub/semaphore-core.js';
import { registerHandleKind } from '../codec/handles.js';
import { Attached, kCores } from '../sync/attach.js';
import { kBounded, Semaphore as ThreadSemaphore } from '../sync/semaphore.js';
import type { HubBacked, HubHandleData } from '../backends/hub/hub-object.js';

export type ProcessSemaphoreStatistics = SemaphoreStatistics;

/**
 * A counting semaphore for threads and processes: Python's `multiprocessing.Semaphore`.
 *
 * @example
 * ```ts
 * const slots = new Semaphore(3); // at most 3 processes download at once
 * // in each process:
 * await slots.withLock(() => download(url));
 * ```
 */
export class Semaphore extends ThreadSemaphore implements HubBacked {
  static override [kCores]: SemaphoreCores = hubSemaphoreCores;

  override get [kHubId](): number {
    return super[kHubId]!;
  }

  /** Rebuilds a semaphore of this class over the hub object of a handle. */
  static fromHandle<S extends Semaphore>(this: new (attached: Attached<HubSemaphoreCore>) => S, data: HubHandleData): S {
    return new this(new Attached(new HubSemaphoreCore(data.id, (this as unknown as typeof Semaphore)[kBounded])));
  }
}

/**
 * A semaphore that may not be released above its initial value: Python's
 * `multiprocessing.BoundedSemaphore`.
 *
 * @example
 * ```ts
 * const pool = new BoundedSemaphore(2);
 * pool.acquireSync();
 * pool.release();
 * pool.release(); // throws ERR_SEMAPHORE_OVER_RELEASE
 * ```
 */
export class BoundedSemaphore extends Semaphore {
  static override [kBounded] = true;
}

registerHandleKind<HubHandleData>(HUB_SEMAPHORE_KIND, (data) => Semaphore.fromHandle(data));
registerHandleKind<HubHandleData>(HUB_BOUNDED_SEMAPHORE_KIND, (data) => BoundedSemaphore.fromHandle(data));
