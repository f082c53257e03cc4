/**
 * Putting and getting, as every queue class does it: encode in the caller,
 * take the fast path, wait (async or blocking) only if the queue is full or
 * empty, and turn what happened into Python's outcomes — `Full` (carrying
 * the item), `Empty`, `ShutDown`.
 */
import { QueueWord, type QueueState, type PutOutcome, type GetOutcome } from '../backends/atomics/queue.js';
import { Cls, Op, record, traceIdOf, tracing } from '../trace/tracing.js';
import type { Priority } from '../backends/atomics/priority-items.js';
import { runAsync, runSync } from '../backends/atomics/parking.js';
import { currentToken } from '../backends/atomics/runtime.js';
import { Deadline } from '../internal/deadline.js';
import { Empty, Full, ShutDown } from '../errors.js';
import { checkSyncWaitOptions, checkWaitOptions, type SyncWaitOptions, type WaitOptions } from '../runtime/options.js';
import { decodeItem, encodeItem, received } from '../codec/item-codec.js';
import { itemBytes, ownCopy, type ItemBytes } from '../codec/item-bytes.js';

/** How an item's priority is found (PriorityQueue); undefined for other queues. */
export type PriorityOf = ((item: unknown) => Priority) | undefined;

export async function putItem(state: QueueState, item: unknown, priorityOf: PriorityOf, options: WaitOptions | undefined): Promise<void> {
  const { timeout, signal } = checkWaitOptions(options);
  signal?.throwIfAborted();
  const priority = priorityOf?.(item);
  const bytes = encodeItem(item);
  let outcome = timeout === 0 ? state.tryPut(bytes, priority) : state.spinPut(bytes, priority);
  if (outcome === 'full' && timeout !== 0) {
    if (tracing) traceQueue(Op.WaitBegin, state, 1);
    try {
      // The encoded bytes must outlive this thread's writer across the wait.
      outcome = await runAsync(state.putSteps(currentToken(), ownCopy(bytes), priority, Deadline.after(timeout)), signal);
    } finally {
      if (tracing) traceQueue(Op.WaitEnd, state, outcome === 'put' ? 0 : 1);
    }
  }
  settlePut(outcome, item);
  if (tracing) traceQueue(Op.Put, state, state.size());
}

export function putItemSync(state: QueueState, item: unknown, priorityOf: PriorityOf, options: SyncWaitOptions | undefined): void {
  const { timeout } = checkSyncWaitOptions(options);
  const priority = priorityOf?.(item);
  const bytes = encodeItem(item);
  let outcome = timeout === 0 ? state.tryPut(bytes, priority) : state.spinPut(bytes, priority);
  if (outcome === 'full' && timeout !== 0) {
    if (tracing) traceQueue(Op.WaitBegin, state, 1);
    outcome = runSync(state.putSteps(currentToken(), bytes, priority, Deadline.after(timeout)));
    if (tracing) traceQueue(Op.WaitEnd, state, outcome === 'put' ? 0 : 1);
  }
  settlePut(outcome, item);
  if (tracing) traceQueue(Op.Put, state, state.size());
}

export function putItemNowait(state: QueueState, item: unknown, priorityOf: PriorityOf): void {
  settlePut(state.tryPut(encodeItem(item), priorityOf?.(item)), item);
  if (tracing) traceQueue(Op.Put, state, state.size());
}

export async function getItem(state: QueueState, options: WaitOptions | undefined): Promise<unknown> {
  const { timeout, signal } = checkWaitOptions(options);
  signal?.throwIfAborted();
  const outcome = timeout === 0 ? state.tryGet(received) : state.spinGet(received);
  if (outcome !== 'empty' || timeout === 0) return settleGet(outcome, received, state);
  // While this get waits, other gets of this thread use `received`: take
  // the bytes into an array of this get's own.
  const own = itemBytes(64);
  if (!tracing) return settleGet(await runAsync(state.getSteps(currentToken(), own, Deadline.after(timeout)), signal), own, state);
  traceQueue(Op.WaitBegin, state, 2);
  let waited: GetOutcome = 'empty';
  try {
    waited = await runAsync(state.getSteps(currentToken(), own, Deadline.after(timeout)), signal);
  } finally {
    traceQueue(Op.WaitEnd, state, waited === 'item' ? 0 : 1);
  }
  return settleGet(waited, own, state);
}

export function getItemSync(state: QueueState, options: SyncWaitOptions | undefined): unknown {
  const { timeout } = checkSyncWaitOptions(options);
  const outcome = timeout === 0 ? state.tryGet(received) : state.spinGet(received);
  if (outcome !== 'empty' || timeout === 0) return settleGet(outcome, received, state);
  if (tracing) traceQueue(Op.WaitBegin, state, 2);
  const waited = runSync(state.getSteps(currentToken(), received, Deadline.after(timeout)));
  if (tracing) traceQueue(Op.WaitEnd, state, waited === 'item' ? 0 : 1);
  return settleGet(waited, received, state);
}

export function getItemNowait(state: QueueState): unknown {
  return settleGet(state.tryGet(received), received, state);
}

function settlePut(outcome: PutOutcome, item: unknown): void {
  if (outcome === 'full') throw new Full(item);
  if (outcome === 'shutdown') throw new ShutDown();
}

function settleGet(outcome: GetOutcome, into: ItemBytes, state: QueueState): unknown {
  if (outcome === 'empty') throw new Empty();
  if (outcome === 'shutdown') throw new ShutDown();
  if (tracing) traceQueue(Op.Get, state, state.size());
  return decodeItem(into);
}

/** Records a queue event: a put or get with the depth after it, or a wait's begin (1 put, 2 get) or end (1: gave up). */
function traceQueue(op: number, state: QueueState, value: number): void {
  record(op, Cls.Queue - 1 + state.kind, traceIdOf(state.words, QueueWord.TraceId), value);
}
