/**
 * The link's side of room credit (`queue-credits.ts` grants it,
 * `credit-cell.ts` holds it): a child process's link keeps, per bounded
 * queue, the cell of room its threads may fill with one-way puts; it adds
 * what a put's answer grants, watches for the hub's recall, and gives the
 * rest back when recalled or when the process exits.
 *
 * The link is the right holder for the same reason as for lent items
 * (`queue-lending.ts`): it is a thread of its own, so a recall is answered
 * at once even while the producer's threads are busy or blocked.
 *
 * Per queue: the cell, and `credit` — the hub's number for the credit now
 * held (0: none, or given back). A grant with a new number starts a watch;
 * a recall (or the exit flush) empties the cell and sends `creditBack`
 * with what was left; `done` forgets the number.
 */
import { PendingCalls } from './pending-calls.js';
import type { Answer, Request } from './protocol.js';
import { CreditAnswer, type CreditGrant } from './queue-credits.js';
import { addCredit, newCreditCell, takeAllCredit } from './credit-cell.js';

/** The thread number of the link's own credit calls (threads' tokens are positive; lending's calls use -2). */
export const CREDIT_THREAD = -3;

/** What a thread receives for a put that was granted credit: its process's cell for the queue. */
export interface CreditCellAnswer {
  readonly creditCell: SharedArrayBuffer;
}

interface Held {
  readonly cell: Int32Array;
  credit: number;
}

export class QueueCreditLink {
  readonly #send: (request: Request) => void;
  readonly #held = new Map<number, Held>();
  /** Puts forwarded and not yet answered: `thread:seq` → queue id. */
  readonly #puts = new PendingCalls<number>();
  /** The link's own watch calls, by seq: which queue and credit. */
  readonly #watches = new Map<number, { id: number; credit: number }>();
  #seq = 0;

  constructor(send: (request: Request) => void) {
    this.#send = send;
  }

  /** A thread's request is about to go to the hub: a put is remembered; at exit, every credit goes back. */
  beforeRequest(request: Request): void {
    if (request.t === 'flush') return this.#giveBackAll();
    if (request.t === 'thread-ended') this.#puts.dropThread(request.thread);
    if (request.t === 'call' && request.op === 'put') this.#puts.add(request.thread, request.seq, request.id);
  }

  /** An answer for a thread: a granting put's credit goes into the cell, and the thread is given the cell. */
  toThread(answer: Answer): Answer {
    const id = this.#puts.take(answer.thread, answer.seq);
    if (id === undefined) return answer;
    if (!('ok' in answer) || !isGrant(answer.ok)) return answer;
    const { creditGrant, credit } = answer.ok;
    let held = this.#held.get(id);
    if (held === undefined) this.#held.set(id, (held = { cell: newCreditCell(), credit: 0 }));
    addCredit(held.cell, credit);
    if (held.credit !== creditGrant) {
      held.credit = creditGrant;
      const seq = ++this.#seq;
      this.#watches.set(seq, { id, credit: creditGrant });
      this.#send({ t: 'call', thread: CREDIT_THREAD, seq, id, op: 'creditWatch', args: [creditGrant] });
    }
    const ok: CreditCellAnswer = { creditCell: held.cell.buffer as SharedArrayBuffer };
    return { t: 'answer', thread: answer.thread, seq: answer.seq, ok };
  }

  /** An answer to one of the link's watches. */
  fromHub(answer: Answer): void {
    const watch = this.#watches.get(answer.seq);
    if (watch === undefined) return;
    this.#watches.delete(answer.seq);
    const held = this.#held.get(watch.id);
    if (held === undefined || held.credit !== watch.credit || !('ok' in answer)) return;
    if (answer.ok === CreditAnswer.Recall) return this.#giveBack(watch.id, held);
    // `done`: the hub ended it (all of it arrived as items).
    held.credit = 0;
  }

  #giveBack(id: number, held: Held): void {
    const left = takeAllCredit(held.cell);
    this.#send({ t: 'send', thread: CREDIT_THREAD, id, op: 'creditBack', args: [held.credit, left] });
    held.credit = 0;
  }

  /** The process is exiting: every credit goes back before its last message is handled. */
  #giveBackAll(): void {
    for (const [id, held] of this.#held) if (held.credit !== 0) this.#giveBack(id, held);
  }
}

function isGrant(value: unknown): value is CreditGrant {
  return typeof value === 'object' && value !== null && typeof (value as CreditGrant).creditGrant === 'number' && typeof (value as CreditGrant).credit === 'number';
}
