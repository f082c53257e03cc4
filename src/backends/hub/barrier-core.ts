/**
 * The process-scope core of a `Barrier` (`cores/barrier.ts`): the arrivals
 * are counted in the hub (`barrier.ts` beside this file) and each `wait` is
 * one round trip; `parties` and the default timeout never change, so they
 * travel in the handle instead of being asked for.
 */
import type { Handle } from '../../codec/handles.js';
import { BrokenBarrierError } from '../../errors.js';
import { traceRemote } from '../../trace/tracing.js';
import type { BarrierCore, BarrierCores, BarrierStatistics } from '../cores/barrier.js';
import { hubCall, hubCallSync, hubCreate, TIMED_OUT } from './client.js';
import { hubHandle, type HubHandleData } from './handle.js';
import { hubIdOf, type HubId } from './ops.js';

export const HUB_BARRIER_KIND = 'multiprocessing.Barrier';

/** The data of a process-scope Barrier's handle (the public class adds its action). */
export interface HubBarrierData extends HubHandleData {
  readonly parties: number;
  readonly timeout: number | undefined;
}

function timedOutError(): BrokenBarrierError {
  return new BrokenBarrierError('sync: a wait on the barrier timed out, breaking it');
}

export class HubBarrierCore implements BarrierCore {
  readonly hubId: HubId<typeof HUB_BARRIER_KIND>;
  readonly parties: number;
  readonly defaultTimeout: number | undefined;
  readonly waitingWord = undefined;

  constructor(id: number, parties: number, timeout: number | undefined) {
    this.hubId = hubIdOf(id, HUB_BARRIER_KIND);
    this.parties = parties;
    this.defaultTimeout = timeout;
  }

  async wait(timeout: number | undefined, signal: AbortSignal | undefined): Promise<number> {
    const answer = await hubCall(this.hubId, 'wait', [], { timeout, signal });
    if (answer !== TIMED_OUT) return answer;
    // The hub keeps no deadline: the timed-out party breaks the barrier itself.
    await hubCall(this.hubId, 'timedOut', []);
    throw timedOutError();
  }

  waitSync(timeout: number | undefined): number {
    const answer = hubCallSync(this.hubId, 'wait', [], timeout);
    if (answer !== TIMED_OUT) return answer;
    hubCallSync(this.hubId, 'timedOut', []);
    throw timedOutError();
  }

  async finishAction(ok: boolean): Promise<number> {
    return await hubCall(this.hubId, 'actionDone', [ok]);
  }

  finishActionSync(ok: boolean): number {
    return hubCallSync(this.hubId, 'actionDone', [ok]);
  }

  reset(): void {
    hubCallSync(this.hubId, 'reset', []);
  }

  abort(): void {
    hubCallSync(this.hubId, 'abort', []);
  }

  statistics(): BarrierStatistics {
    return hubCallSync(this.hubId, 'statistics', []);
  }

  trace(op: number, cls: number, value: number): void {
    traceRemote(op, cls, this.hubId, value);
  }

  handle(): Handle {
    const data: HubBarrierData = { id: this.hubId, parties: this.parties, timeout: this.defaultTimeout };
    return hubHandle(HUB_BARRIER_KIND, data);
  }
}

export const hubBarrierCores: BarrierCores = {
  create: (owner, parties, timeout, withAction) => new HubBarrierCore(hubCreate(HUB_BARRIER_KIND, [parties, withAction], owner), parties, timeout),
};
