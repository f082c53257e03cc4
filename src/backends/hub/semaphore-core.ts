/**
 * The process-scope core of a `Semaphore` / `BoundedSemaphore`
 * (`cores/semaphore.ts`): the count lives in the hub (`semaphore.ts` beside
 * this file) and every call is a round trip to it (tens of µs).
 */
import type { Handle } from '../../codec/handles.js';
import { traceRemote } from '../../trace/tracing.js';
import type { ReleaseOutcome, SemaphoreCore, SemaphoreCores, SemaphoreStatistics } from '../cores/semaphore.js';
import { hubCall, hubCallSync, hubCreate, TIMED_OUT } from './client.js';
import { hubHandle, type HubHandleData } from './handle.js';
import { hubIdOf, type HubId } from './ops.js';

export const HUB_SEMAPHORE_KIND = 'multiprocessing.Semaphore';
export const HUB_BOUNDED_SEMAPHORE_KIND = 'multiprocessing.BoundedSemaphore';

export class HubSemaphoreCore implements SemaphoreCore {
  readonly hubId: HubId<typeof HUB_SEMAPHORE_KIND | typeof HUB_BOUNDED_SEMAPHORE_KIND>;
  readonly bounded: boolean;
  /** Every call is a round trip: the wait tries first by itself. */
  readonly localFastPath = false;
  readonly waitingWord = undefined;

  constructor(id: number, bounded: boolean) {
    this.hubId = hubIdOf(id, bounded ? HUB_BOUNDED_SEMAPHORE_KIND : HUB_SEMAPHORE_KIND);
    this.bounded = bounded;
  }

  tryAcquire(): boolean {
    return hubCallSync(this.hubId, 'acquire', [], 0) !== TIMED_OUT;
  }

  async acquire(timeout: number | undefined, signal: AbortSignal | undefined): Promise<boolean> {
    return (await hubCall(this.hubId, 'acquire', [], { timeout, signal })) !== TIMED_OUT;
  }

  acquireSync(timeout: number | undefined): boolean {
    return hubCallSync(this.hubId, 'acquire', [], timeout) !== TIMED_OUT;
  }

  release(n: number): ReleaseOutcome {
    return hubCallSync(this.hubId, 'release', [n]);
  }

  statistics(): SemaphoreStatistics {
    return hubCallSync(this.hubId, 'statistics', []);
  }

  trace(op: number, cls: number, value: number): void {
    traceRemote(op, cls, this.hubId, value);
  }

  handle(): Handle {
    const data: HubHandleData = { id: this.hubId };
    return hubHandle(this.bounded ? HUB_BOUNDED_SEMAPHORE_KIND : HUB_SEMAPHORE_KIND, data);
  }
}

export const hubSemaphoreCores: SemaphoreCores = {
  create: (owner, value, bounded) => new HubSemaphoreCore(hubCreate(bounded ? HUB_BOUNDED_SEMAPHORE_KIND : HUB_SEMAPHORE_KIND, [value], owner), bounded),
};
