/**
 * Putting and getting on a process-scope queue, as every such class does it:
 * encode in the caller (an item that cannot cross throws here, and nothing
 * is sent; process-scope weft objects in it — a Lock, a Manager's proxy —
 * travel as handles and arrive live, `hub-value-codec.ts`), send one message to the queue's state in the hub
 * (`backends/hub/queue.ts`), and turn its answer into Python's outcomes —
 * `Full` (carrying the item), `Empty`, `ShutDown`.
 *
 * A put on an unbounded queue cannot fail for want of room, so it is sent
 * one-way (`hubSend`): no round trip, ordered after this thread's earlier
 * calls, and delivered even if the process exits right after.
 */
import { hubCall, hubCallSync, hubSend } from '../backends/hub/client.js';
import { TIMED_OUT } from '../backends/hub/call.js';
import { GetFlag, PutFlag, QUEUE_KIND, type QueueStat } from '../backends/hub/queue.js';
import { hubIdOf, type HubId } from '../backends/hub/ops.js';
import type { CreditCellAnswer } from '../backends/hub/queue-credit-link.js';
import { creditCellOf, takeCredit } from '../backends/hub/credit-cell.js';
import type { LentAnswer } from '../backends/hub/queue-lending.js';
import { itemOfAnswer, NOTHING, takeLent, takeLentAsync, type LentHolder } from './lent-items.js';
import { mayHoldCredit, putOnCredit, putThroughRing, taskDoneThroughRing } from './ring-puts.js';
import { Empty, ErrorCode, Full, ShutDown, misuse } from '../errors.js';
import { decodeHubValue, encodeHubValue } from './hub-value-codec.js';
import { encodeItemView } from './item-view.js';
import { checkSyncWaitOptions, checkWaitOptions, type SyncWaitOptions, type WaitOptions } from '../runtime/options.js';
import { Cls, Op, traceRemote, tracing } from '../trace/tracing.js';

/** What a wrapper knows about its queue: which one it is, and what this process learnt of it. */
export interface QueueRef extends LentHolder {
  readonly id: HubId<typeof QUEUE_KIND>;
  readonly maxsize: number;
  /** `close()` was called on this wrapper: puts (and gets) refused. */
  closed: boolean;
  /** This wrapper saw the queue shut down (its own `shutdown()` or a `ShutDown` answer). */
  shutDown: boolean;
  /** Items this wrapper got and has not marked done (`JoinableQueue.taskDone`, sent one-way while there are some). */
  owed: number;
  /** A bounded queue: its process's room credit (`backends/hub/credit-cell.ts`), once a put was granted some. */
  credit: Int32Array | undefined;
  /**
   * The wrapper, so that whatever holds the ref (an async iterator the
   * caller keeps, when it dropped the queue itself) keeps the wrapper — and
   * so the wrapper's reference in the hub — alive (`backends/hub/references.ts`).
   */
  owner: object | undefined;
}

export function newRef(id: number, maxsize: number): QueueRef {
  return { id: hubIdOf(id, QUEUE_KIND), maxsize, closed: false, shutDown: false, owner: undefined, lent: undefined, owed: 0, credit: undefined };
}

export async function putRemote(ref: QueueRef, item: unknown, options: WaitOptions | undefined): Promise<void> {
  const { timeout, signal } = checkWaitOptions(options);
  signal?.throwIfAborted();
  if (ref.maxsize === 0) return sendPut(ref, item);
  const bytes = encodeForPut(ref, item);
  if (putWithCredit(ref, bytes)) return;
  settlePut(await learnShutdown(ref, hubCall(ref.id, 'put', [bytes, putFlags(timeout)], { timeout: hubTimeout(timeout), signal })), item, ref);
}

export function putRemoteSync(ref: QueueRef, item: unknown, options: SyncWaitOptions | undefined): void {
  const { timeout } = checkSyncWaitOptions(options);
  if (ref.maxsize === 0) return sendPut(ref, item);
  const bytes = encodeForPut(ref, item);
  if (putWithCredit(ref, bytes)) return;
  settlePut(learnShutdownSync(ref, () => hubCallSync(ref.id, 'put', [bytes, putFlags(timeout)], hubTimeout(timeout))), item, ref);
}

/** A bounded queue's put on its process's credit: one-way, its room already reserved. False: ask the hub. */
function putWithCredit(ref: QueueRef, bytes: Uint8Array): boolean {
  const cell = ref.credit;
  if (cell === undefined || !putOnCredit(ref.id, bytes, () => takeCredit(cell))) return false;
  if (tracing) traceRemote(Op.Put, Cls.Queue, ref.id, -1);
  return true;
}

/**
 * A child may be granted credit; a `timeout: 0` put is answered by the
 * queue itself (`Nowait`), not the hub's core, so that credit out elsewhere
 * comes back before it says Full.
 */
function putFlags(timeout: number | undefined): number {
  return (mayHoldCredit() ? PutFlag.Credit : 0) | (timeout === 0 ? PutFlag.Nowait : 0);
}

/**
 * A put to an unbounded queue: one-way. The item is encoded into this
 * thread's writer and copied from there into the put ring: no array of its
 * own, unless it must travel as a message.
 */
function sendPut(ref: QueueRef, item: unknown): void {
  checkPutOpen(ref);
  const { bytes, framed } = encodeItemView(item);
  if (framed || !putThroughRing(ref.id, bytes)) hubSend(ref.id, 'send', [framed ? bytes : bytes.slice()]);
  // The depth is the hub's to know: -1, not known here.
  if (tracing) traceRemote(Op.Put, Cls.Queue, ref.id, -1);
}

/**
 * `JoinableQueue.taskDone`. For an item this wrapper got and has not marked
 * done, one-way (through the put ring in a child): that task is unfinished
 * in the hub until this arrives, so `join()` anywhere cannot return before
 * it, and it cannot be one too many. Otherwise a round trip, so that one
 * too many throws `ERR_TASK_DONE_TOO_MANY` here.
 */
export function taskDoneRemote(ref: QueueRef): void {
  if (ref.owed === 0) {
    hubCallSync(ref.id, 'taskDone', []);
    return;
  }
  ref.owed--;
  if (!taskDoneThroughRing(ref.id)) hubSend(ref.id, 'taskDone', []);
}

export function putRemoteNowait(ref: QueueRef, item: unknown): void {
  putRemoteSync(ref, item, { timeout: 0 });
}

export async function getRemote(ref: QueueRef, options: WaitOptions | undefined): Promise<unknown> {
  const { timeout, signal } = checkWaitOptions(options);
  signal?.throwIfAborted();
  checkOpen(ref);
  const lent = timeout === 0 ? takeLent(ref, false) : await takeLentAsync(ref);
  if (lent !== NOTHING) return settleLent(lent, ref);
  return settleGet(await learnShutdown(ref, hubCall(ref.id, 'get', [getFlags(timeout)], { timeout: hubTimeout(timeout), signal })), ref);
}

export function getRemoteSync(ref: QueueRef, options: SyncWaitOptions | undefined): unknown {
  const { timeout } = checkSyncWaitOptions(options);
  checkOpen(ref);
  const lent = takeLent(ref, timeout !== 0);
  if (lent !== NOTHING) return settleLent(lent, ref);
  return settleGet(learnShutdownSync(ref, () => hubCallSync(ref.id, 'get', [getFlags(timeout)], hubTimeout(timeout))), ref);
}

/**
 * A get may be lent a batch (the hub lends only to a child's link); a
 * `timeout: 0` get is answered by the queue itself (`Nowait`), not the hub's
 * core, so that items lent elsewhere are recalled before it says Empty.
 */
function getFlags(timeout: number | undefined): number {
  return timeout === 0 ? GetFlag.Lend | GetFlag.Nowait : GetFlag.Lend;
}

function hubTimeout(timeout: number | undefined): number | undefined {
  return timeout === 0 ? undefined : timeout;
}

export function getRemoteNowait(ref: QueueRef): unknown {
  return getRemoteSync(ref, { timeout: 0 });
}

/** A snapshot of the queue's state in the hub (one round trip). */
export function statRemote(ref: QueueRef): QueueStat {
  return hubCallSync(ref.id, 'stat', []);
}

export function shutdownRemote(ref: QueueRef, options: { immediate?: boolean } | undefined): void {
  if (options !== undefined && (typeof options !== 'object' || options === null)) {
    throw new TypeError('queue: shutdown takes { immediate?: boolean }');
  }
  ref.shutDown = true;
  hubCallSync(ref.id, 'shutdown', [options?.immediate === true]);
}

/** Yields items until the queue is shut down and drained. */
export async function* iterateRemote<T>(ref: QueueRef): AsyncGenerator<T, void, undefined> {
  for (;;) {
    let item: T;
    try {
      item = (await getRemote(ref, undefined)) as T;
    } catch (error) {
      if (error instanceof ShutDown) return;
      throw error;
    }
    yield item;
  }
}

function encodeForPut(ref: QueueRef, item: unknown): Uint8Array {
  checkPutOpen(ref);
  return encodeHubValue(item, 'item');
}

function checkPutOpen(ref: QueueRef): void {
  checkOpen(ref);
  // A one-way put (unbounded, or on credit) cannot hear of a shutdown; refuse here what this process knows of.
  if (ref.shutDown) throw new ShutDown('queue: put on a queue that was shut down');
}

function checkOpen(ref: QueueRef): void {
  if (ref.closed) throw misuse(ErrorCode.QueueClosed, 'queue: the queue was closed in this process (close()); a closed queue cannot be used here again');
}

async function learnShutdown(ref: QueueRef, answer: Promise<unknown>): Promise<unknown> {
  try {
    return await answer;
  } catch (error) {
    if (error instanceof ShutDown) ref.shutDown = true;
    throw error;
  }
}

function learnShutdownSync(ref: QueueRef, call: () => unknown): unknown {
  try {
    return call();
  } catch (error) {
    if (error instanceof ShutDown) ref.shutDown = true;
    throw error;
  }
}

function settlePut(answer: unknown, item: unknown, ref: QueueRef): void {
  if (answer === TIMED_OUT) throw new Full(item);
  // Granted credit: the link answers with its cell, where this process's next puts take room.
  if (isCreditCell(answer) && ref.credit?.buffer !== answer.creditCell) ref.credit = creditCellOf(answer.creditCell);
  if (tracing) traceRemote(Op.Put, Cls.Queue, ref.id, -1);
}

function isCreditCell(answer: unknown): answer is CreditCellAnswer {
  return typeof answer === 'object' && answer !== null && (answer as CreditCellAnswer).creditCell instanceof SharedArrayBuffer;
}

/** A lent item this thread claimed (decoded as it was claimed): got. */
function settleLent(item: unknown, ref: QueueRef): unknown {
  if (tracing) traceRemote(Op.Get, Cls.Queue, ref.id, -1);
  ref.owed++;
  return item;
}

function settleGet(answer: unknown, ref: QueueRef): unknown {
  if (answer === TIMED_OUT) throw new Empty();
  if (tracing) traceRemote(Op.Get, Cls.Queue, ref.id, -1);
  ref.owed++;
  return decodeHubValue(itemOfAnswer(ref, answer as Uint8Array | LentAnswer));
}
