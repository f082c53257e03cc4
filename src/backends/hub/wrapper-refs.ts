/**
 * The client side of the hub's reference counts (`references.ts`, whose
 * header states the protocol and its invariants): what a thread tells the
 * hub about its wrappers of process-scope objects, one-way and batched
 * (`queueRefOp` in `client.ts`).
 *
 * - A wrapper the thread creates holds the creator's reference; one
 *   rebuilt from a handle adopts the handle's ticket (the codec tells us,
 *   for every process-scope handle it attaches: `observeAttach`). Either
 *   way the wrapper is watched by a `FinalizationRegistry`, and its
 *   reference is released when the garbage collector takes it.
 * - Making a handle lends a reference under a fresh ticket (`lend`, from
 *   `hubHandle()`), so the object outlives the sender's wrapper while the
 *   handle travels.
 * - A carrier that ended without delivering (a Process that exited) drops
 *   the tickets of the handles it carried (`dropHandles`).
 *
 * The wrapper is what the garbage collector watches, so anything that
 * goes on naming the object after the caller dropped the wrapper (an async
 * iterator over a queue) must hold the wrapper (see `QueueRef.owner`).
 * A call waiting in the hub needs nothing: the hub never removes an object
 * a call waits on.
 *
 * Any process-scope class whose `[kHandle]()` goes through `hubHandle()`,
 * whose handle data has a numeric `id`, and which passes itself to
 * `hubCreate(kind, args, this)`, is counted without more code.
 */
import { observeAttach, type Handle } from '../../codec/handles.js';
import { currentToken } from '../atomics/runtime.js';
import { queueRefOp, setWrapperTracker } from './client.js';

const collected = new FinalizationRegistry<number>((id) => queueRefOp(['release', id]));

/** Releases the reference of `wrapper` (to object `id`) once it is collected. */
export function trackWrapper(wrapper: object, id: number): void {
  collected.register(wrapper, id);
}

setWrapperTracker(trackWrapper);

let tickets = 0;

/** Lends one reference to object `id` for a handle about to travel; returns its ticket (unique in the tree). */
export function lend(id: number): string {
  const ticket = `${process.pid}:${currentToken()}:${++tickets}`;
  queueRefOp(['lend', id, ticket]);
  return ticket;
}

observeAttach('process', (wrapper, handle) => {
  const data = handle.data as { id?: unknown; ticket?: unknown } | null;
  if (typeof data?.id !== 'number') return;
  queueRefOp(typeof data.ticket === 'string' ? ['adopt', data.id, data.ticket] : ['retain', data.id]);
  trackWrapper(wrapper, data.id);
});

/** Drops the tickets of process-scope handles (nested ones included) whose carrier will never deliver them. */
export function dropHandles(handles: readonly Handle[]): void {
  for (const handle of handles) dropIn(handle);
}

function dropIn(value: unknown): void {
  if (typeof value !== 'object' || value === null) return;
  const handle = value as Partial<Handle>;
  if (handle.scope === 'process' && typeof handle.data === 'object' && handle.data !== null) {
    const data = handle.data as Record<string, unknown>;
    if (typeof data.id === 'number' && typeof data.ticket === 'string') queueRefOp(['drop', data.id, data.ticket]);
    for (const inner of Object.values(data)) dropIn(inner);
  }
}
