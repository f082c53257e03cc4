/**
 * The process-scope core of an `Event` (`cores/event.ts`): the flag lives
 * in the hub (`event.ts` beside this file), so `isSet()`, `set()` and
 * `clear()` are round trips (tens of µs) instead of reads and writes of
 * shared memory.
 */
import type { Handle } from '../../codec/handles.js';
import type { EventCore, EventCores, EventStatistics } from '../cores/event.js';
import { hubCall, hubCallSync, hubCreate, TIMED_OUT } from './client.js';
import { hubHandle, type HubHandleData } from './handle.js';
import { hubIdOf, type HubId } from './ops.js';

export const HUB_EVENT_KIND = 'multiprocessing.Event';

export class HubEventCore implements EventCore {
  readonly hubId: HubId<typeof HUB_EVENT_KIND>;
  readonly waitingWord = undefined;

  constructor(id: number) {
    this.hubId = hubIdOf(id, HUB_EVENT_KIND);
  }

  isSet(): boolean {
    return hubCallSync(this.hubId, 'isSet', []);
  }

  set(): void {
    hubCallSync(this.hubId, 'set', []);
  }

  clear(): void {
    hubCallSync(this.hubId, 'clear', []);
  }

  async wait(timeout: number | undefined, signal: AbortSignal | undefined): Promise<boolean> {
    return (await hubCall(this.hubId, 'wait', [], { timeout, signal })) !== TIMED_OUT;
  }

  waitSync(timeout: number | undefined): boolean {
    return hubCallSync(this.hubId, 'wait', [], timeout) !== TIMED_OUT;
  }

  statistics(): EventStatistics {
    return hubCallSync(this.hubId, 'statistics', []);
  }

  trace(): void {
    // Events are not traced.
  }

  handle(): Handle {
    const data: HubHandleData = { id: this.hubId };
    return hubHandle(HUB_EVENT_KIND, data);
  }
}

export const hubEventCores: EventCores = {
  create: (owner) => new HubEventCore(hubCreate(HUB_EVENT_KIND, [], owner)),
};
