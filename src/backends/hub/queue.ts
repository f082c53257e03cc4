/**
 * The state of a process-scope `Queue`, `JoinableQueue` or `SimpleQueue`,
 * in the hub (`multiprocessing.Queue`'s pipe, feeder thread and semaphores,
 * replaced by one single-threaded state machine that every process talks to).
 *
 * Guarantees: FIFO delivery of each item exactly once to a caller that is
 * still waiting for it (an item answered to a process that dies before its
 * link has the answer is given back, to the head of the queue); getters and putters that wait are served in the
 * order they started waiting; an abandoned call (timeout, abort, its
 * process or thread gone) leaves no trace — an abandoned get took nothing,
 * an abandoned put added nothing. Items outlive the process that put them,
 * and a dead getter's items stay queued.
 *
 * Throughput: a get is one round trip (thread → link → hub → link →
 * thread, ~90 µs here: ~11 k items/s from one consumer); puts to an
 * unbounded queue are one-way and batched by the outbox. Handing a consumer
 * items in advance is only safe where the hub can take unclaimed ones back
 * from a live consumer that stops getting (else another getter waits on
 * items a busy process hoards): that needs the link (always responsive) to
 * hold the lent batch, serve its process's gets from it, and answer the
 * hub's recall — a transport feature, not this state machine's.
 *
 * Items are opaque bytes (`Uint8Array`), encoded by the putter with
 * `queue/item-codec.ts`, so the hub never decodes a user's value.
 *
 * State:
 *
 * | field      | meaning                                                              |
 * |------------|----------------------------------------------------------------------|
 * | items      | queued items, oldest first                                           |
 * | maxsize    | bound on `items` (0: none); waiting putters' items are not counted   |
 * | unfinished | JoinableQueue: items put and not yet marked done (`taskDone`)        |
 * | mode       | `open` → `shutdown` (puts refused, gets drain) → `immediate` (gets refused); one way |
 * | getters    | gets waiting for an item, in arrival order                           |
 * | putters    | puts waiting for room, with their items, in arrival order            |
 * | joiners    | JoinableQueue `join` calls waiting for `unfinished` to reach 0       |
 *
 * Invariants, kept by every op before it returns:
 * - getters nonempty ⇒ items empty (an item arriving goes straight to the first getter);
 * - putters nonempty ⇒ items.length >= maxsize (room made is filled at once
 *   from putters; an item given back by a dead getter may make it maxsize + 1);
 * - mode !== open ⇒ putters empty; mode === immediate ⇒ items and getters empty;
 * - joiners nonempty ⇒ unfinished > 0.
 *
 * Ops (args → answer; "raise X" is the condition class rebuilt in the caller):
 *
 * | op         | args                    | answer                                                   |
 * |------------|-------------------------|----------------------------------------------------------|
 * | `put`      | [item: Uint8Array]      | undefined; waits while full; raise ShutDown              |
 * | `send`     | [item: Uint8Array]      | (one-way put of an unbounded queue) dropped after shutdown |
 * | `get`      | []                      | the item's bytes; waits while empty; raise ShutDown once drained |
 * | `stat`     | []                      | `QueueStat` (a snapshot)                                 |
 * | `taskDone` | []                      | undefined; fail ERR_TASK_DONE_TOO_MANY                   |
 * | `join`     | []                      | true once unfinished is 0; waits (the core answers TIMED_OUT) |
 * | `shutdown` | [immediate: boolean]    | undefined                                                |
 */
import { ErrorCode, invalidArg } from '../../errors.js';
import { registerHubKind, type HubCall, type HubObject } from './call.js';
import { WaitQueue } from './waiters.js';
import { dropTickets } from './stored-values.js';
import { Cls, Op, traceRemote, tracing } from '../../trace/tracing.js';

export const QUEUE_KIND = 'multiprocessing.Queue';

export type QueueMode = 'open' | 'shutdown' | 'immediate';

/** What `stat` answers. */
export interface QueueStat {
  readonly size: number;
  readonly maxsize: number;
  readonly unfinished: number;
  readonly getters: number;
  readonly putters: number;
  readonly joiners: number;
  readonly mode: QueueMode;
}

/** An array used as a FIFO: O(1) amortised shift without Array#shift's copying. */
class Fifo<T> {
  #array: (T | undefined)[] = [];
  #head = 0;

  get length(): number {
    return this.#array.length - this.#head;
  }

  push(value: T): void {
    this.#array.push(value);
  }

  /** Puts `value` back at the head (an item given back by a process that never received it). */
  unshift(value: T): void {
    if (this.#head > 0) this.#array[--this.#head] = value;
    else this.#array.unshift(value);
  }

  shift(): T {
    const value = this.#array[this.#head] as T;
    this.#array[this.#head++] = undefined;
    // Compact once the consumed prefix is most of the array: amortised O(1).
    if (this.#head > 1024 && this.#head * 2 > this.#array.length) {
      this.#array = this.#array.slice(this.#head);
      this.#head = 0;
    }
    return value;
  }

  clear(): void {
    this.#array = [];
    this.#head = 0;
  }
}

/** A put waiting for room, and the item it brings. */
interface WaitingPut {
  readonly call: HubCall;
  readonly item: Uint8Array;
}

export class QueueObject implements HubObject {
  readonly #maxsize: number;
  readonly #items = new Fifo<Uint8Array>();
  #unfinished = 0;
  #mode: QueueMode = 'open';
  // Waiting calls, oldest first. The core runs an abandoned call's cleanup
  // (which removes it here) before settling it, so every call in these
  // queues is still waiting: an item never goes to a caller that is gone.
  readonly #getters = new WaitQueue<HubCall>();
  readonly #putters = new WaitQueue<WaitingPut>();
  readonly #joiners = new WaitQueue<HubCall>();

  /** Its id in the hub, and the depth last traced (the hub records a process-scope queue's depth: only it knows it). */
  #id = 0;
  #tracedDepth = 0;

  constructor(maxsize: number) {
    this.#maxsize = maxsize;
  }

  identify(id: number): void {
    this.#id = id;
  }

  call(op: string, call: HubCall): void {
    this.#dispatch(op, call);
    if (tracing && this.#items.length !== this.#tracedDepth) {
      this.#tracedDepth = this.#items.length;
      traceRemote(Op.Depth, Cls.Queue, this.#id, this.#tracedDepth);
    }
  }

  #dispatch(op: string, call: HubCall): void {
    switch (op) {
      case 'put':
        return this.#put(call, call.args[0] as Uint8Array);
      case 'send':
        return this.#send(call.args[0] as Uint8Array);
      case 'get':
        return this.#get(call);
      case 'stat':
        return call.reply(this.stat());
      case 'taskDone':
        return this.#taskDone(call);
      case 'join':
        return this.#join(call);
      case 'shutdown':
        this.shutdown(call.args[0] === true);
        return call.reply();
      default:
        return call.fail(ErrorCode.InvalidArg, `queue: no operation "${op}"`);
    }
  }

  /** A queue releases nothing when a caller dies: its waiting calls are abandoned by the core, and items stay queued. */
  callerGone(_client: number, _thread: number | undefined): void {}

  stat(): QueueStat {
    return {
      size: this.#items.length,
      maxsize: this.#maxsize,
      unfinished: this.#unfinished,
      getters: this.#getters.size,
      putters: this.#putters.size,
      joiners: this.#joiners.size,
      mode: this.#mode,
    };
  }

  #put(call: HubCall, item: Uint8Array): void {
    if (this.#mode !== 'open') {
      dropTickets(item);
      return call.raise('ShutDown', 'queue: put on a queue that was shut down');
    }
    if (!this.#isFull()) {
      this.#accept(item);
      return call.reply();
    }
    // Full: wait for room. Abandoned, the item was never counted: nothing to undo but the entry.
    const waiting: WaitingPut = { call, item };
    this.#putters.push(waiting);
    call.whenAbandoned(() => this.#putters.remove(waiting));
  }

  /** A one-way put (unbounded queues): no caller to tell of a shutdown, so the item is dropped, as `immediate` would. */
  #send(item: Uint8Array): void {
    if (this.#mode !== 'open') return dropTickets(item);
    this.#accept(item);
  }

  #get(call: HubCall): void {
    if (this.#items.length > 0) return this.#handOver(call, this.#take());
    if (this.#mode !== 'open') return call.raise('ShutDown', 'queue: get from a queue that was shut down and is empty');
    // Empty: wait. Abandoned, it took nothing (items go only to unsettled getters).
    this.#getters.push(call);
    call.whenAbandoned(() => this.#getters.remove(call));
  }

  #taskDone(call: HubCall): void {
    if (this.#unfinished === 0) return call.fail(ErrorCode.TaskDoneTooMany, 'queue: taskDone() called more times than items were put');
    this.#unfinished--;
    if (this.#unfinished === 0) this.#wakeJoiners();
    call.reply();
  }

  #join(call: HubCall): void {
    if (this.#unfinished === 0) return call.reply(true);
    this.#joiners.push(call);
    call.whenAbandoned(() => this.#joiners.remove(call));
  }

  /** Python 3.13's `shutdown`: refuse puts from now on; with `immediate`, discard what is queued (counting it done). */
  shutdown(immediate: boolean): void {
    if (this.#mode === 'immediate' || (this.#mode === 'shutdown' && !immediate)) return;
    this.#mode = immediate ? 'immediate' : 'shutdown';
    for (const putter of this.#putters.drain()) {
      dropTickets(putter.item);
      putter.call.raise('ShutDown', 'queue: put on a queue that was shut down');
    }
    if (immediate) {
      this.#unfinished = Math.max(0, this.#unfinished - this.#items.length);
      // Discarded: the tickets their putters lent will never be adopted (`references.ts`, a queued item).
      this.#discardItems();
      if (this.#unfinished === 0) this.#wakeJoiners();
    }
    // Getters wait only on an empty queue (invariant), so every one of them is done for.
    for (const getter of this.#getters.drain()) getter.raise('ShutDown', 'queue: get from a queue that was shut down and is empty');
  }

  /** Nobody names the queue any more (`references.ts`): its items' lent tickets go with it. */
  freed(): void {
    this.#discardItems();
  }

  #discardItems(): void {
    while (this.#items.length > 0) dropTickets(this.#items.shift());
    this.#items.clear();
  }

  #isFull(): boolean {
    return this.#maxsize > 0 && this.#items.length >= this.#maxsize;
  }

  /** An item joins the queue: counted unfinished, handed to the first waiting getter if there is one. */
  #accept(item: Uint8Array): void {
    this.#unfinished++;
    const getter = this.#getters.shift();
    if (getter === undefined) {
      this.#items.push(item);
      return;
    }
    // getters nonempty ⇒ items empty, so handing it over keeps FIFO order.
    this.#handOver(getter, item);
  }

  /**
   * Answers a get with `item`. If the getter's process dies before its link
   * has the answer, the core gives the item back: a dead process takes
   * nothing it never received.
   */
  #handOver(getter: HubCall, item: Uint8Array): void {
    getter.replyAcked(item, () => this.#giveBack(item));
  }

  /** An item handed to a process that died before receiving it: first in line again. */
  #giveBack(item: Uint8Array): void {
    if (this.#mode === 'immediate') {
      // Discarded, as the shutdown discarded the others: counted done.
      dropTickets(item);
      this.#unfinished = Math.max(0, this.#unfinished - 1);
      if (this.#unfinished === 0) this.#wakeJoiners();
      return;
    }
    const getter = this.#getters.shift();
    if (getter === undefined) {
      // May hold maxsize + 1 for a while: putters wait until it is back under.
      this.#items.unshift(item);
      return;
    }
    this.#handOver(getter, item);
  }

  /** Takes the oldest item; the room it leaves goes to the first waiting putter. */
  #take(): Uint8Array {
    const item = this.#items.shift();
    if (this.#isFull()) return item; // over the bound after a give-back
    const putter = this.#putters.shift();
    if (putter !== undefined) {
      this.#items.push(putter.item);
      this.#unfinished++;
      putter.call.reply();
    }
    return item;
  }

  #wakeJoiners(): void {
    for (const joiner of this.#joiners.drain()) joiner.reply(true);
  }
}

registerHubKind(QUEUE_KIND, (args) => new QueueObject(checkMaxsize(args[0])));

function checkMaxsize(maxsize: unknown): number {
  if (maxsize === undefined) return 0;
  if (typeof maxsize !== 'number' || !Number.isInteger(maxsize) || maxsize < 0) throw invalidArg(`queue: maxsize must be a whole number, 0 for no limit; got ${String(maxsize)}`);
  return maxsize;
}
