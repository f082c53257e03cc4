/**
 * The handle of a process-scope object, which lends a reference for the
 * journey (`references.ts`).
 */
import type { Handle } from '../../codec/handles.js';
import { lend } from './wrapper-refs.js';

/** The data of every process-scope handle: where the object lives in the hub. */
export interface HubHandleData {
  readonly id: number;
  /** The reference lent for this handle's journey (`backends/hub/references.ts`); the receiver adopts it. */
  readonly ticket?: string;
}

/**
 * The handle of a process-scope object, for one journey: it carries a
 * reference lent under a fresh ticket, so the object outlives the sender's
 * wrapper until the receiver's wrapper adopts it. Call it once per send.
 */
export function hubHandle<D extends HubHandleData>(kind: string, data: D): Handle {
  return { kind, scope: 'process', data: { ...data, ticket: lend(data.id) } };
}
