/**
 * The link's side of lent queue items (`queue.ts` lends, `lent-batch.ts`
 * holds them): a child process's link keeps, per queue, the one batch the
 * hub lent its process, tells the hub which items its threads claimed, and
 * gives the rest back when the hub recalls them or the process exits.
 *
 * The link is the right holder: it is a thread of its own, always
 * responsive, so a recall is answered at once even while every other
 * thread of the process is busy or blocked — a consumer that stops getting
 * strands nothing.
 *
 * Per queue, the link's state:
 *
 * | field    | meaning                                                           |
 * |----------|-------------------------------------------------------------------|
 * | lending  | the hub's number for the batch now held (`LentItems.lending`)     |
 * | batch    | its shared buffer, the items after the first (the first went straight to the getter) |
 * | pending  | items claimed and not yet reported: the first one, plus `batch` claims past `reported` |
 * | reported | how many of `batch`'s items the hub was told of                   |
 *
 * Transitions: a lending get's answer replaces a spent batch with a new one
 * (the hub lends to a process only when nothing is lent out, so the old one
 * is spent and reported); claims are reported before any request of the
 * process goes to the hub (so whatever a thread did after taking an item —
 * a put, a release, `qsize()` — reaches the hub after the hub knows it was
 * taken) and right after a lending get's answer; a recall, or the exit
 * flush, revokes the batch and reports the claims with `returned`, which
 * ends the lending in the hub.
 *
 * Not exact on a kill: an item a thread claimed in the last instant before
 * its process was killed (SIGKILL), before the link reported it, is given
 * back to the queue and may be delivered again. Any effect the thread had
 * through the hub is ordered after the report, so only effects outside the
 * tree can see it twice.
 */
import type { Answer, Request } from './protocol.js';
import { claimedLent, revokeLent, writeLentBatch, type LentBatch } from './lent-batch.js';
import { WatchAnswer, type LentItems } from './queue.js';

/** The thread number of the link's own calls and sends (threads' tokens are positive; the hub uses -1 for itself). */
export const LINK_THREAD = -2;

/** What a thread receives for a lending get: its item, and the process's batch to take the next ones from. */
export interface LentAnswer {
  readonly item: Uint8Array;
  readonly batch: SharedArrayBuffer | undefined;
}

interface Held {
  lending: number;
  batch: LentBatch | undefined;
  pending: number;
  reported: number;
  /** The seq of this lending's `lendWatch` call. */
  watch: number;
}

export class QueueLending {
  readonly #send: (request: Request) => void;
  readonly #held = new Map<number, Held>();
  /** Gets forwarded and not yet answered: `thread:seq` → queue id. */
  readonly #gets = new Map<string, number>();
  /** The link's watch calls: seq → queue id. */
  readonly #watches = new Map<number, number>();
  #seq = 0;
  #reportQueued = false;

  /** `send` posts a request to the hub, in order with the link's other traffic. */
  constructor(send: (request: Request) => void) {
    this.#send = send;
  }

  /** A thread's request is about to go to the hub: claims first; at exit, every batch goes back. */
  beforeRequest(request: Request): void {
    if (request.t === 'flush') this.#giveBackAll();
    else this.reportClaims();
    if (request.t === 'call' && request.op === 'get') this.#gets.set(`${request.thread}:${request.seq}`, request.id);
  }

  /** An answer for a thread: a lending get's is unpacked (the first item for the thread, the rest held here). */
  toThread(answer: Answer): Answer {
    if (this.#gets.size === 0) return answer;
    const key = `${answer.thread}:${answer.seq}`;
    const id = this.#gets.get(key);
    if (id === undefined) return answer;
    this.#gets.delete(key);
    if (!('ok' in answer) || !isLentItems(answer.ok)) return answer;
    const { lending, items } = answer.ok;
    const held = this.#hold(id, lending, items);
    const ok: LentAnswer = { item: items[0], batch: held.batch?.buffer };
    return { t: 'answer', thread: answer.thread, seq: answer.seq, ok };
  }

  /** An answer to one of the link's own calls: a watch, answered `recall` or `done`. */
  fromHub(answer: Answer): void {
    const id = this.#watches.get(answer.seq);
    if (id === undefined) return;
    this.#watches.delete(answer.seq);
    const held = this.#held.get(id);
    if (held === undefined || held.watch !== answer.seq) return;
    // `done`: the hub has been told of every claim, the lending is over.
    if ('ok' in answer && answer.ok === WatchAnswer.Recall) this.#giveBack(id, held);
    else this.#held.delete(id);
  }

  /** Tells the hub of every claim not yet reported. */
  reportClaims(): void {
    for (const [id, held] of this.#held) {
      const claimed = held.batch === undefined ? 0 : claimedLent(held.batch);
      const n = held.pending + claimed - held.reported;
      if (n === 0) continue;
      held.pending = 0;
      held.reported = claimed;
      this.#send({ t: 'send', thread: LINK_THREAD, id, op: 'claimed', args: [held.lending, n] });
    }
  }

  /** Takes in a new lending: the first item is claimed by the getter it answers; the others go into a new batch. */
  #hold(id: number, lending: number, items: Uint8Array[]): Held {
    const old = this.#held.get(id);
    // Invariant: the old batch is spent and reported (the hub lent anew only once nothing was lent out).
    if (old !== undefined) this.reportClaims();
    const batch = items.length > 1 ? writeLentBatch(items.slice(1)) : undefined;
    const held: Held = { lending, batch, pending: 1, reported: 0, watch: ++this.#seq };
    this.#held.set(id, held);
    this.#watches.set(held.watch, id);
    this.#send({ t: 'call', thread: LINK_THREAD, seq: held.watch, id, op: 'lendWatch', args: [lending] });
    // The first item is the getter's at once: say so soon, so that another process's get need not recall it.
    if (!this.#reportQueued) {
      this.#reportQueued = true;
      queueMicrotask(() => {
        this.#reportQueued = false;
        this.reportClaims();
      });
    }
    return held;
  }

  /** Revokes queue `id`'s batch and ends its lending: claims reported, the rest back in the hub. */
  #giveBack(id: number, held: Held): void {
    const claimed = held.batch === undefined ? 0 : revokeLent(held.batch);
    this.#send({ t: 'send', thread: LINK_THREAD, id, op: 'returned', args: [held.lending, held.pending + claimed - held.reported] });
    this.#held.delete(id);
  }

  /** The process is exiting: every batch goes back before its last message is handled. */
  #giveBackAll(): void {
    for (const [id, held] of this.#held) this.#giveBack(id, held);
  }
}

function isLentItems(value: unknown): value is LentItems {
  return typeof value === 'object' && value !== null && Array.isArray((value as LentItems).items);
}
