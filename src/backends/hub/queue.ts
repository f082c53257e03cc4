/**
 * The state of a process-scope `Queue`, `JoinableQueue` or `SimpleQueue`,
 * in the hub (`multiprocessing.Queue`'s pipe, feeder thread and semaphores,
 * replaced by one single-threaded state machine that every process talks to).
 *
 * Guarantees: FIFO delivery of each item exactly once to a caller that is
 * still waiting for it (an item answered to a process that dies before its
 * link has the answer is given back, to the head of the queue, and so are
 * items lent to it that its link had not reported taken); getters and putters that wait are served in the
 * order they started waiting; an abandoned call (timeout, abort, its
 * process or thread gone) leaves no trace — an abandoned get took nothing,
 * an abandoned put added nothing. Items outlive the process that put them,
 * and a dead getter's items stay queued.
 *
 * Throughput: a get is one round trip (thread → link → hub → link →
 * thread, ~90 µs here), so a child's get is answered with a batch: the
 * first item for the caller, the rest *lent* to its process, whose threads
 * then take them from shared memory without a message (`lent-ring.ts`,
 * the link's side in `queue-lending.ts`). Lent items are still in the
 * queue (counted by `qsize`, given back if the process dies) until the
 * link reports them claimed. Lent items are older than every queued one, so
 * while any are out, a get from anyone — another process, or a thread of
 * the same one that missed them — *recalls* them first (the link answers
 * at once, whatever its threads do) and is served from the head once they
 * are back: FIFO holds, and a consumer that stops getting strands nothing.
 *
 * A bounded queue's producers in child processes get *room credit*
 * (`queue-credits.ts`): a put that finds room is answered with a batch of
 * reserved room, and its process's next puts are one-way records in their
 * put rings until it is spent; credit out elsewhere is recalled as soon as a
 * put finds no room, so `maxsize` holds and waiting putters are served in order.
 *
 * Items are opaque bytes (`Uint8Array`), encoded by the putter with
 * `codec/item-codec.ts`, so the hub never decodes a user's value.
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
 * | credits    | per child process: room reserved for its one-way puts (`queue-credits.ts`) |
 * | lent       | per child process: the items lent to it and not yet claimed, oldest first; its watch (the link's call answered to recall them) |
 *
 * Invariants, kept by every op before it returns:
 * - getters nonempty ⇒ items empty, or items are lent out and recalled (a
 *   getter is served from the head only once nothing is lent: lent items are older);
 * - at most one lending per process, and a new one only when nothing is lent
 *   out anywhere: so the link holds one batch per queue, spent before the next;
 * - putters nonempty ⇒ items + lent + credit >= maxsize (room made is filled at once
 *   from putters; an item given back by a dead getter may make it maxsize + 1),
 *   and every credit is being recalled (no grant while a putter waits);
 * - items + lent + credit <= maxsize, but for that give-back;
 * - mode !== open ⇒ putters empty; mode === immediate ⇒ items and getters empty;
 * - joiners nonempty ⇒ unfinished > 0.
 *
 * Ops (args → answer; "raise X" is the condition class rebuilt in the caller):
 *
 * | op         | args                    | answer                                                   |
 * |------------|-------------------------|----------------------------------------------------------|
 * | `put`      | [item: Uint8Array, flags?: PutFlag] | undefined, or (`Credit`, room to spare) a `CreditGrant`; waits while full (`Nowait`: TIMED_OUT once no credit is out); raise ShutDown |
 * | `send`     | [item: Uint8Array]      | (one-way put of an unbounded queue) dropped after shutdown |
 * | `puts`     | [records: Uint8Array]   | (one-way, from a link) a run of `send`s (a bounded queue's: on credit), and one-way `taskDone`s, drained from a thread's put ring (`put-ring.ts`) |
 * | `creditWatch` | [credit]             | (the link's) `'recall'` when the hub wants the credit back, `'done'` once it ended |
 * | `creditBack`  | [credit, n]          | (the link's, one-way) n of the credit were not used: given back |
 * | `get`      | [flags?: GetFlag]       | the item's bytes, or (`Lend`, a child) `{ lending, items }`: the first for the caller, the rest lent; waits while empty (`Nowait`: TIMED_OUT); raise ShutDown once drained |
 * | `lendWatch`| [lending]               | (the link's) `'recall'` when the hub wants the lent items back, `'done'` once none is left |
 * | `lendMore` | [lending, n, items, bytes] | (the link's) n more were claimed; `{ lending, items }`: more lent, as many as nobody else wants and the link's ring has room for (none: `items` empty) |
 * | `claimed`  | [lending, n]            | (the link's, one-way) n more lent items were taken by the process's threads |
 * | `returned` | [lending, n]            | (the link's, one-way) n more were taken; the batch is revoked, the rest come back to the head |
 * | `stat`     | []                      | `QueueStat` (a snapshot)                                 |
 * | `taskDone` | []                      | undefined; fail ERR_TASK_DONE_TOO_MANY (sent one-way, for an item its caller got: counted if any task is unfinished) |
 * | `join`     | []                      | true once unfinished is 0; waits (the core answers TIMED_OUT) |
 * | `shutdown` | [immediate: boolean]    | undefined                                                |
 */
import { ErrorCode, invalidArg } from '../../errors.js';
import { registerHubKind, type HubCall, type HubObject } from './call.js';
import { WaitQueue } from './waiters.js';
import { dropTickets } from './stored-values.js';
import { Cls, Op, traceRemote, tracing } from '../../trace/tracing.js';
import { TIMED_OUT } from './call.js';
import { LEND_MAX_BYTES, LEND_MAX_ITEMS } from './lent-ring.js';
import { itemsOfRun } from './put-ring.js';
import { ownBytes, packItems } from './packed-items.js';
import { ItemStore, segmentOfPacked, segmentOfRecords } from './item-store.js';
import { CREDIT_MAX, QueueCredits, type CreditGrant } from './queue-credits.js';
import type { OpName } from './ops.js';

export const QUEUE_KIND = 'multiprocessing.Queue';

export type QueueMode = 'open' | 'shutdown' | 'immediate';

/** Bits of a `get`'s argument. */
export const GetFlag = {
  /** The caller's process has a link that can hold a lent batch (every child's thread sets it; the root's gets are never lent). */
  Lend: 1,
  /** `getNowait`: answer TIMED_OUT if nothing is queued or lent (lent items are recalled first: they are in the queue). */
  Nowait: 2,
} as const;

/** Bits of a bounded queue's `put` argument. */
export const PutFlag = {
  /** The caller's process has a link that can hold room credit (`queue-credits.ts`): the answer may grant some. */
  Credit: 1,
  /** `putNowait`: answer TIMED_OUT if there is no room once credit out elsewhere has come back. */
  Nowait: 2,
} as const;

/** What a lending get answers: the first item is the caller's, the rest are lent to its process under `lending`. */
export interface LentItems {
  readonly lending: number;
  /** The items, `packed-items.ts`. */
  readonly items: Uint8Array;
}

/** What `lendWatch` answers. */
export const WatchAnswer = { Recall: 'recall', Done: 'done' } as const;

/** The root process's client number: its threads talk to the hub without a link, so nothing is lent to it. */
const ROOT_CLIENT = 0;

/** What `stat` answers. */
export interface QueueStat {
  readonly size: number;
  readonly maxsize: number;
  readonly unfinished: number;
  readonly getters: number;
  readonly putters: number;
  readonly joiners: number;
  readonly mode: QueueMode;
  /** Room reserved for producers' one-way puts (`queue-credits.ts`), not counted in `size`. */
  readonly credit: number;
  /** The most items (queued and lent) the queue ever held: a bounded queue's never passes `maxsize` (but for a dead getter's item given back). */
  readonly peak: number;
}

/** A put waiting for room, and the item it brings. */
interface WaitingPut {
  readonly call: HubCall;
  readonly item: Uint8Array;
}

function putFlags(call: HubCall): number {
  return typeof call.args[1] === 'number' ? call.args[1] : 0;
}

/** The items lent to one process, not yet claimed by its threads. */
interface Lending {
  /** Names this lending in the link's messages: a late message about an earlier one changes nothing. */
  readonly id: number;
  readonly items: ItemStore;
  /** The link's `lendWatch` call, answered to recall the items (or `done`). */
  watch: HubCall | undefined;
  /** A recall was asked for: the link's `returned` is on its way. */
  recalled: boolean;
}

export class QueueObject implements HubObject {
  readonly #maxsize: number;
  readonly #items = new ItemStore();
  #unfinished = 0;
  #mode: QueueMode = 'open';
  // Waiting calls, oldest first. The core runs an abandoned call's cleanup
  // (which removes it here) before settling it, so every call in these
  // queues is still waiting: an item never goes to a caller that is gone.
  readonly #getters = new WaitQueue<HubCall>();
  readonly #putters = new WaitQueue<WaitingPut>();
  readonly #joiners = new WaitQueue<HubCall>();
  /** Lent items by process, and their total (they count in the queue's size). */
  readonly #lent = new Map<number, Lending>();
  #lentCount = 0;
  #nextLending = 1;
  /** Room reserved for producer processes (bounded queues only). */
  readonly #credits = new QueueCredits();
  #peak = 0;

  /** Its id in the hub, and the depth last traced (the hub records a process-scope queue's depth: only it knows it). */
  #id = 0;
  #tracedDepth = 0;

  constructor(maxsize: number) {
    this.#maxsize = maxsize;
  }

  identify(id: number): void {
    this.#id = id;
  }

  call(op: OpName<'multiprocessing.Queue'>, call: HubCall): void {
    this.#dispatch(op, call);
    if (tracing && this.#items.length !== this.#tracedDepth) {
      this.#tracedDepth = this.#items.length;
      traceRemote(Op.Depth, Cls.Queue, this.#id, this.#tracedDepth);
    }
  }

  #dispatch(op: OpName<'multiprocessing.Queue'>, call: HubCall): void {
    switch (op) {
      case 'put':
        return this.#put(call, call.args[0] as Uint8Array);
      case 'send':
        return this.#send(call.args[0] as Uint8Array);
      case 'puts':
        if (this.#maxsize === 0 && this.#mode === 'open') return this.#acceptRun(call.args[0] as Uint8Array);
        for (const item of itemsOfRun(call.args[0] as Uint8Array)) {
          if (item === undefined) this.#countDone(1);
          else if (this.#maxsize > 0) this.#sendOnCredit(call.client, item);
          else this.#send(item);
        }
        // A recalled credit may have ended with the last of its items: a `putNowait` waiting for that hears now.
        if (this.#maxsize > 0) this.#admitPutters();
        return;
      case 'creditWatch':
        return this.#credits.watch(call);
      case 'creditBack':
        this.#credits.returned(call.client, call.args[0], call.args[1]);
        return this.#admitPutters();
      case 'get':
        return this.#get(call);
      case 'lendWatch':
        return this.#watch(call);
      case 'lendMore':
        return this.#lendMore(call);
      case 'claimed':
        return this.#claimed(call.client, call.args[0], call.args[1]);
      case 'returned':
        return this.#returned(call.client, call.args[0], call.args[1]);
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

  /**
   * A caller died: its waiting calls are abandoned by the core, and items
   * stay queued. A process that died with lent items its threads had not
   * claimed (as far as its link reported) gives them back, to the head, in order.
   */
  callerGone(client: number, thread: number | undefined): void {
    if (thread !== undefined) return;
    if (this.#credits.holders > 0) {
      this.#credits.gone(client);
      this.#admitPutters();
    }
    const lending = this.#lent.get(client);
    if (lending === undefined) return;
    this.#giveBackLent(client, lending, 0);
  }

  stat(): QueueStat {
    return {
      size: this.#items.length + this.#lentCount,
      maxsize: this.#maxsize,
      unfinished: this.#unfinished,
      getters: this.#getters.size,
      putters: this.#putters.size,
      joiners: this.#joiners.size,
      mode: this.#mode,
      credit: this.#credits.total,
      peak: this.#peak,
    };
  }

  #put(call: HubCall, item: Uint8Array): void {
    if (this.#mode !== 'open') {
      dropTickets(item);
      return call.raise('ShutDown', 'queue: put on a queue that was shut down');
    }
    if (this.#putters.size === 0 && !this.#isFull()) {
      this.#accept(item);
      return call.reply(this.#grantFor(call));
    }
    // No room: the credit other producers (or the caller's own process) hold comes back first; FIFO behind earlier putters.
    this.#credits.recallAll();
    if (this.#putters.size === 0 && !this.#isFull()) {
      this.#accept(item);
      return call.reply();
    }
    if ((putFlags(call) & PutFlag.Nowait) !== 0 && this.#credits.holders === 0) return call.reply(TIMED_OUT);
    // Full: wait for room. Abandoned, the item was never counted: nothing to undo but the entry.
    const waiting: WaitingPut = { call, item };
    this.#putters.push(waiting);
    call.whenAbandoned(() => this.#putters.remove(waiting));
  }

  /**
   * Credit for a child's put that found room with nobody waiting: half the
   * room left (other producers find the rest), at most `CREDIT_MAX`.
   */
  #grantFor(call: HubCall): CreditGrant | undefined {
    if ((putFlags(call) & PutFlag.Credit) === 0 || call.client === ROOT_CLIENT || this.#mode !== 'open') return undefined;
    if (this.#putters.size > 0 || !this.#credits.mayGrant(call.client)) return undefined;
    const free = this.#maxsize - this.#items.length - this.#lentCount - this.#credits.total;
    const n = Math.min(CREDIT_MAX, Math.floor(free / 2));
    return n >= 1 ? this.#credits.grant(call.client, n) : undefined;
  }

  /**
   * An item put on credit (a run of `puts` to a bounded queue): its room was
   * reserved, so it is queued without a test. After a shutdown it is dropped,
   * as an unbounded queue's one-way put is; its room is freed all the same.
   */
  #sendOnCredit(client: number, item: Uint8Array): void {
    this.#credits.use(client);
    if (this.#mode !== 'open') return dropTickets(item);
    this.#accept(item);
  }

  /**
   * Room was freed (credit given back, a producer gone): waiting putters
   * take it, oldest first. Once no credit is out any more, the `putNowait`s
   * that waited for it and still find no room are answered (`Full`).
   */
  #admitPutters(): void {
    while (this.#putters.size > 0 && !this.#isFull()) {
      const putter = this.#putters.shift()!;
      this.#accept(putter.item);
      putter.call.reply();
    }
    if (this.#credits.holders > 0 || this.#putters.size === 0) return;
    for (const putter of this.#putters.removeWhere((p) => (putFlags(p.call) & PutFlag.Nowait) !== 0)) putter.call.reply(TIMED_OUT);
  }

  /** A one-way put (unbounded queues): no caller to tell of a shutdown, so the item is dropped, as `immediate` would. */
  #send(item: Uint8Array): void {
    if (this.#mode !== 'open') return dropTickets(item);
    this.#accept(item);
  }

  #get(call: HubCall): void {
    if (this.#mode === 'immediate') return call.raise('ShutDown', 'queue: get from a queue that was shut down and is empty');
    if (this.#lentCount > 0) {
      // Lent items are older than every queued one: they come back first, then the getters are served in order.
      this.#recallAll();
      return this.#wait(call);
    }
    if (this.#items.length > 0) return this.#handOut(call);
    if (this.#mode !== 'open') return call.raise('ShutDown', 'queue: get from a queue that was shut down and is empty');
    if (isNowait(call)) return call.reply(TIMED_OUT);
    this.#wait(call);
  }

  /** The getter waits. Abandoned, it took nothing (items go only to unsettled getters). */
  #wait(call: HubCall): void {
    this.#getters.push(call);
    call.whenAbandoned(() => this.#getters.remove(call));
  }

  /** Serves a getter from the head: a batch for a child's get that nobody else waits beside, else one item. */
  #handOut(call: HubCall): void {
    const lend = ((call.args[0] as number) & GetFlag.Lend) !== 0 && call.client !== ROOT_CLIENT && this.#maxsize === 0 && this.#getters.size === 0;
    if (!lend) return this.#handOver(call, this.#take());
    // Lending is for unbounded queues only: no putter waits for the room the items leave.
    const packed = this.#items.takePacked(LEND_MAX_ITEMS + 1, LEND_MAX_BYTES);
    // All of it, the caller's first item too, is the process's only once its link says it is claimed (a dead process gives it back).
    const lending: Lending = { id: this.#nextLending++, items: new ItemStore(), watch: undefined, recalled: false };
    this.#lend(lending, packed);
    this.#lent.set(call.client, lending);
    const answer: LentItems = { lending: lending.id, items: packed };
    call.reply(answer);
  }

  /**
   * The link's ring runs low: lend its process more while nobody else
   * waits and nothing is lent elsewhere (FIFO, as for a get), and the queue
   * has items. Appended to its lending (a new one if it had ended).
   */
  #lendMore(call: HubCall): void {
    const [id, n, maxItems, maxBytes] = call.args as [number, number, number, number];
    let lending = this.#lent.get(call.client);
    if (lending !== undefined && lending.id === id) this.#dropClaimed(lending, n);
    const own = lending?.items.length ?? 0;
    const more = this.#mode === 'open' && this.#maxsize === 0 && this.#getters.size === 0 && this.#lentCount === own && lending?.recalled !== true && this.#items.length > 0;
    if (!more) {
      const none: LentItems = { lending: lending?.id ?? 0, items: packItems([]) };
      call.reply(none);
      if (lending === undefined || lending.items.length > 0) return;
      // The claims it brought were the last lent items: getters waiting for them to be back are served now.
      this.#endLending(call.client, lending);
      return this.#serveGetters();
    }
    if (lending === undefined) {
      lending = { id: this.#nextLending++, items: new ItemStore(), watch: undefined, recalled: false };
      this.#lent.set(call.client, lending);
    }
    const itemLimit = Math.min(maxItems, LEND_MAX_ITEMS);
    const byteLimit = Math.min(maxBytes, LEND_MAX_BYTES);
    // The ring may have no room at all, or not for the oldest item: lend nothing then.
    const packed = itemLimit < 1 || this.#items.peekLength() > byteLimit ? packItems([]) : this.#items.takePacked(itemLimit, byteLimit);
    this.#lend(lending, packed);
    const answer: LentItems = { lending: lending.id, items: packed };
    call.reply(answer);
  }

  /** Items packed for a lending: kept, as the packed buffer, until claimed or given back. */
  #lend(lending: Lending, packed: Uint8Array): void {
    const segment = segmentOfPacked(packed);
    lending.items.pushSegment(segment);
    this.#lentCount += segment.count;
    if (this.#items.length + this.#lentCount > this.#peak) this.#peak = this.#items.length + this.#lentCount;
  }

  /** The first `n` of a lending's items were claimed: they leave the queue. */
  #dropClaimed(lending: Lending, n: unknown): void {
    if (typeof n !== 'number') return;
    const count = Math.min(n, lending.items.length);
    lending.items.drop(count);
    this.#lentCount -= count;
  }

  /** Asks every process holding lent items to give back what its threads have not claimed. */
  #recallAll(): void {
    for (const lending of this.#lent.values()) {
      if (lending.recalled) continue;
      lending.recalled = true;
      lending.watch?.reply(WatchAnswer.Recall);
      lending.watch = undefined;
    }
  }

  /** The link's standing call for lending `args[0]`: answered to recall it, or once it is over. */
  #watch(call: HubCall): void {
    const lending = this.#lent.get(call.client);
    if (lending === undefined || lending.id !== call.args[0]) return call.reply(WatchAnswer.Done);
    if (lending.recalled) return call.reply(WatchAnswer.Recall);
    lending.watch?.reply(WatchAnswer.Done);
    lending.watch = call;
    call.whenAbandoned(() => {
      if (lending.watch === call) lending.watch = undefined;
    });
  }

  /** The link says its threads took `n` more items of lending `id`. */
  #claimed(client: number, id: unknown, n: unknown): void {
    const lending = this.#lent.get(client);
    if (lending === undefined || lending.id !== id) return;
    this.#dropClaimed(lending, n);
    if (lending.items.length > 0) return;
    this.#endLending(client, lending);
    this.#serveGetters();
  }

  /** The link revoked lending `id` (recalled, or its process is exiting): `n` more were claimed, the rest are back. */
  #returned(client: number, id: unknown, n: unknown): void {
    const lending = this.#lent.get(client);
    if (lending === undefined || lending.id !== id || typeof n !== 'number') return;
    this.#giveBackLent(client, lending, n);
  }

  /** Ends a lending: its first `claimed` items were taken; the others go back to the head, oldest first. */
  #giveBackLent(client: number, lending: Lending, claimed: number): void {
    const count = Math.min(claimed, lending.items.length);
    lending.items.drop(count);
    const backCount = lending.items.length;
    const back = lending.items.takeAll();
    this.#lentCount -= count + backCount;
    this.#endLending(client, lending);
    if (this.#mode === 'immediate') {
      // Discarded, as the shutdown discarded the queued ones: counted done.
      const discard = new ItemStore();
      for (const segment of back) discard.pushSegment(segment);
      while (discard.length > 0) dropTickets(discard.shift());
      this.#countDone(backCount);
    } else {
      for (let i = back.length - 1; i >= 0; i--) this.#items.unshiftSegment(back[i]);
    }
    this.#serveGetters();
  }

  #endLending(client: number, lending: Lending): void {
    this.#lent.delete(client);
    lending.watch?.reply(WatchAnswer.Done);
    lending.watch = undefined;
  }

  /**
   * Serves waiting getters from the head, once nothing is lent out; then,
   * with nothing queued or lent, answers the `getNowait`s that waited for a
   * recall (TIMED_OUT) and, after a shutdown, every getter (ShutDown).
   */
  #serveGetters(): void {
    if (this.#lentCount > 0) return;
    while (this.#items.length > 0) {
      const getter = this.#getters.shift();
      if (getter === undefined) return;
      this.#handOut(getter);
    }
    if (this.#lentCount > 0) return;
    for (const getter of this.#getters.removeWhere((g) => this.#mode !== 'open' || isNowait(g))) {
      if (this.#mode !== 'open') getter.raise('ShutDown', 'queue: get from a queue that was shut down and is empty');
      else getter.reply(TIMED_OUT);
    }
  }

  #taskDone(call: HubCall): void {
    if (this.#unfinished === 0) return call.fail(ErrorCode.TaskDoneTooMany, 'queue: taskDone() called more times than items were put');
    this.#countDone(1);
    call.reply();
  }

  /** `n` tasks are done (marked, or their items discarded). */
  #countDone(n: number): void {
    if (n === 0 || this.#unfinished === 0) return;
    this.#unfinished = Math.max(0, this.#unfinished - n);
    if (this.#unfinished === 0) this.#wakeJoiners();
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
    // Credit out: room no put will use now (items already on their way are dropped as they come).
    this.#credits.recallAll();
    if (!immediate) {
      // Getters wait on an empty queue, or for a recall: done for now, or once it has come back empty.
      return this.#serveGetters();
    }
    const discarded = this.#items.length;
    // Discarded: the tickets their putters lent will never be adopted (`references.ts`, a queued item).
    this.#discardItems();
    this.#countDone(discarded);
    // Lent items are discarded as they come back (`#giveBackLent`); those claimed meanwhile were got before the shutdown reached their process.
    this.#recallAll();
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

  /** Room reserved as credit counts as taken: items, lent items and credit together never pass `maxsize`. */
  #isFull(): boolean {
    return this.#maxsize > 0 && this.#items.length + this.#lentCount + this.#credits.total >= this.#maxsize;
  }

  /**
   * A run of puts (and `taskDone`s) to an open unbounded queue, kept as the
   * run's bytes (`item-store.ts`): counted in order, then handed to waiting getters.
   */
  #acceptRun(records: Uint8Array): void {
    let counted = 0;
    const segment = segmentOfRecords(records, (before) => {
      this.#unfinished += before - counted;
      counted = before;
      this.#countDone(1);
    });
    this.#unfinished += segment.count - counted;
    this.#items.pushSegment(segment);
    if (this.#items.length + this.#lentCount > this.#peak) this.#peak = this.#items.length + this.#lentCount;
    if (this.#getters.size > 0) this.#serveGetters();
  }

  /** An item joins the queue: counted unfinished, handed to the first waiting getter if there is one. */
  #accept(item: Uint8Array): void {
    this.#unfinished++;
    this.#items.push(item);
    if (this.#items.length + this.#lentCount > this.#peak) this.#peak = this.#items.length + this.#lentCount;
    // getters nonempty ⇒ items were empty or lent out: serving from the head keeps FIFO order.
    if (this.#getters.size > 0) this.#serveGetters();
  }

  /**
   * Answers a get with `item`. If the getter's process dies before its link
   * has the answer, the core gives the item back: a dead process takes
   * nothing it never received.
   */
  #handOver(getter: HubCall, item: Uint8Array): void {
    getter.replyAcked(ownBytes(item), () => this.#giveBack(item));
  }

  /** An item handed to a process that died before receiving it: first in line again. */
  #giveBack(item: Uint8Array): void {
    if (this.#mode === 'immediate') {
      // Discarded, as the shutdown discarded the others: counted done.
      dropTickets(item);
      this.#countDone(1);
      return;
    }
    // May hold maxsize + 1 for a while: putters wait until it is back under.
    this.#items.unshift(item);
    this.#serveGetters();
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

function isNowait(call: HubCall): boolean {
  return ((call.args[0] as number) & GetFlag.Nowait) !== 0;
}

function checkMaxsize(maxsize: unknown): number {
  if (maxsize === undefined) return 0;
  if (typeof maxsize !== 'number' || !Number.isInteger(maxsize) || maxsize < 0) throw invalidArg(`queue: maxsize must be a whole number, 0 for no limit; got ${String(maxsize)}`);
  return maxsize;
}
