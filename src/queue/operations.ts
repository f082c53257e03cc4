/**
 * Putting and getting, as every queue class does it: encode in the caller,
 * take the fast path, wait (async or blocking) only if the queue is full or
 * empty, and turn what happened into Python's outcomes — `Full` (carrying
 * the item), `Empty`, `ShutDown`.
 */
import type { QueueState, PutOutcome, GetOutcome } from '../backends/atomics/queue.js';
import type { Priority } from '../backends/atomics/priority-items.js';
import { runAsync, runSync } from '../backends/atomics/parking.js';
import { currentToken } from '../backends/atomics/runtime.js';
import { Deadline } from '../internal/deadline.js';
import { Empty, Full, ShutDown } from '../errors.js';
import { checkSyncWaitOptions, checkWaitOptions, type SyncWaitOptions, type WaitOptions } from '../sync/options.js';
import { decodeItem, encodeItem, getScratch } from './item-codec.js';

/** How an item's priority is found (PriorityQueue); undefined for other queues. */
export type PriorityOf = ((item: unknown) => Priority) | undefined;

export async function putItem(state: QueueState, item: unknown, priorityOf: PriorityOf, options: WaitOptions | undefined): Promise<void> {
  const { timeout, signal } = checkWaitOptions(options);
  signal?.throwIfAborted();
  const priority = priorityOf?.(item);
  const bytes = encodeItem(item);
  let outcome = state.tryPut(bytes, priority);
  if (outcome === 'full' && timeout !== 0) {
    // The encoded bytes must outlive this thread's writer across the wait.
    outcome = await runAsync(state.putSteps(currentToken(), bytes.slice(), priority, Deadline.after(timeout)), signal);
  }
  settlePut(outcome, item);
}

export function putItemSync(state: QueueState, item: unknown, priorityOf: PriorityOf, options: SyncWaitOptions | undefined): void {
  const { timeout } = checkSyncWaitOptions(options);
  const priority = priorityOf?.(item);
  const bytes = encodeItem(item);
  let outcome = state.tryPut(bytes, priority);
  if (outcome === 'full' && timeout !== 0) outcome = runSync(state.putSteps(currentToken(), bytes, priority, Deadline.after(timeout)));
  settlePut(outcome, item);
}

export function putItemNowait(state: QueueState, item: unknown, priorityOf: PriorityOf): void {
  settlePut(state.tryPut(encodeItem(item), priorityOf?.(item)), item);
}

export async function getItem(state: QueueState, options: WaitOptions | undefined): Promise<unknown> {
  const { timeout, signal } = checkWaitOptions(options);
  signal?.throwIfAborted();
  const outcome = state.tryGet(getScratch);
  if (outcome !== 'empty' || timeout === 0) return settleGet(outcome);
  // After a wait, another get of this thread may have used the scratch
  // buffer before this one resumes: take the bytes into an array of their own.
  return settleGet(await runAsync(state.getSteps(currentToken(), new Uint8Array(0), Deadline.after(timeout)), signal));
}

export function getItemSync(state: QueueState, options: SyncWaitOptions | undefined): unknown {
  const { timeout } = checkSyncWaitOptions(options);
  const outcome = state.tryGet(getScratch);
  if (outcome !== 'empty' || timeout === 0) return settleGet(outcome);
  return settleGet(runSync(state.getSteps(currentToken(), getScratch, Deadline.after(timeout))));
}

export function getItemNowait(state: QueueState): unknown {
  return settleGet(state.tryGet(getScratch));
}

function settlePut(outcome: PutOutcome, item: unknown): void {
  if (outcome === 'full') throw new Full(item);
  if (outcome === 'shutdown') throw new ShutDown();
}

function settleGet(outcome: GetOutcome): unknown {
  if (outcome === 'empty') throw new Empty();
  if (outcome === 'shutdown') throw new ShutDown();
  return decodeItem(outcome);
}
