/**
 * `Barrier`: a meeting point for a fixed number of callers anywhere in the
 * tree — Python's `multiprocessing.Barrier`: `weft/threading`'s `Barrier`
 * (`sync/barrier.ts`, where its semantics and action are written) over the
 * hub core (`backends/hub/barrier-core.ts`), as CPython's subclasses
 * `threading.Barrier` and relocates its counters.
 *
 * How it differs from its thread-scope twin: the arrivals are counted in the
 * hub (`backends/hub/barrier.ts`), each `wait` is one round trip, and
 * `nWaiting` and `broken` ask the hub (`parties` never changes). Unlike
 * Python's multiprocessing Barrier, `parties` is checked (>= 1). The action
 * runs in the process of the last party to arrive.
 */
import type { BarrierCores, BarrierStatistics } from '../backends/cores/barrier.js';
import { HUB_BARRIER_KIND, HubBarrierCore, hubBarrierCores, type HubBarrierData } from '../backends/hub/barrier-core.js';
import { kHubId } from '../backends/hub/hub-id.js';
import { registerHandleKind } from '../codec/handles.js';
import type { TargetRef } from '../runtime/target.js';
import { Attached, kCores } from '../sync/attach.js';
import { attachAction, Barrier as ThreadBarrier } from '../sync/barrier.js';
import type { HubBacked } from '../backends/hub/hub-object.js';

export type ProcessBarrierStatistics = BarrierStatistics;

interface BarrierHandleData extends HubBarrierData {
  readonly action: TargetRef | undefined;
}

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
export class Barrier extends ThreadBarrier implements HubBacked {
  static override [kCores]: BarrierCores = hubBarrierCores;

  override get [kHubId](): number {
    return super[kHubId]!;
  }

  /** Rebuilds a Barrier over the hub object of a handle. */
  static fromHandle(data: BarrierHandleData): Barrier {
    return new Barrier(new Attached({ core: new HubBarrierCore(data.id, data.parties, data.timeout), action: attachAction(data) }));
  }
}

registerHandleKind<BarrierHandleData>(HUB_BARRIER_KIND, (data) => Barrier.fromHandle(data));
