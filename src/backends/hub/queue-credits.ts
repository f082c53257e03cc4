/**
 * Room credit of a bounded process-scope queue, in the hub: room reserved
 * for a producer process, so that its threads' puts are one-way records in
 * their put rings (`put-ring.ts`), not a round trip each. Python's
 * `multiprocessing.Queue` reserves room the same way — its putter takes the
 * bounded semaphore before the feeder thread sends the item — but per item;
 * here a round trip reserves a batch.
 *
 * Why it keeps `maxsize`: a credit is room the hub counts as taken
 * (`queue.ts`'s full test adds `total` to the items), so the items, the
 * lent items and the reserved room together never pass `maxsize`. An item
 * that arrives on credit takes its room from the credit, not from the
 * queue; credit given back frees room, which goes to the waiting putters
 * first (FIFO), then to whoever asks.
 *
 * Why credit comes back: a put that finds no room while credit is out
 * *recalls* every credit (the producer's link answers at once, whatever its
 * threads do, like a recall of lent items); so does a `putNowait` (answered
 * once the recall is over, so `Full` is the truth) and a shutdown. A
 * producer process that exits gives its credit back with its last flush;
 * one that dies gives it back through `gone`. No credit is granted while a
 * putter waits or to a process whose credit is being recalled: a local put
 * can never overtake a putter that waits in the hub for longer than the
 * recall takes to reach the link.
 *
 * Per producer process (`Credit`):
 *
 * | field       | meaning                                                                 |
 * |-------------|-------------------------------------------------------------------------|
 * | id          | names this credit in the link's messages: a late message about an earlier one changes nothing |
 * | outstanding | room reserved and not yet used by an item that arrived, nor given back  |
 * | watch       | the link's standing `creditWatch` call, answered `recall` to ask for it back |
 * | recalled    | a recall was asked for: no more grants until this credit ends           |
 *
 * States: `held` (granted, not recalled) → `recalled` (watch answered;
 * items already in flight and the link's `creditBack` still arrive) →
 * ended (`outstanding` 0 while recalled, or the process gone: deleted).
 * Invariant: `total` is the sum of `outstanding`; `outstanding` never goes
 * below 0, because the link gives back exactly what its threads did not
 * take (`Atomics.exchange` on its cell, `queue-credit-link.ts`) and every
 * item they took is an item that arrives.
 */
import type { HubCall } from './call.js';

/** What a credit-granting put answers (instead of `undefined`): `credit` more puts may be one-way. */
export interface CreditGrant {
  readonly creditGrant: number;
  readonly credit: number;
}

/** What `creditWatch` answers. */
export const CreditAnswer = { Recall: 'recall', Done: 'done' } as const;

/** The most room one grant reserves. */
export const CREDIT_MAX = 256;

interface Credit {
  readonly id: number;
  outstanding: number;
  watch: HubCall | undefined;
  recalled: boolean;
}

export class QueueCredits {
  readonly #credits = new Map<number, Credit>();
  #total = 0;
  #next = 1;

  /** Room reserved by every producer, not yet used. */
  get total(): number {
    return this.#total;
  }

  /** Producers holding (or giving back) credit. */
  get holders(): number {
    return this.#credits.size;
  }

  /** Whether `client` may be granted more now (it holds none, or holds some not being recalled). */
  mayGrant(client: number): boolean {
    return this.#credits.get(client)?.recalled !== true;
  }

  /** Reserves `n` more for `client`: what its put answers. */
  grant(client: number, n: number): CreditGrant {
    let credit = this.#credits.get(client);
    if (credit === undefined) {
      credit = { id: this.#next++, outstanding: 0, watch: undefined, recalled: false };
      this.#credits.set(client, credit);
    }
    credit.outstanding += n;
    this.#total += n;
    return { creditGrant: credit.id, credit: n };
  }

  /**
   * An item of `client` arrived on credit: its room was reserved. Answers
   * false if `client` held none (it cannot happen: a link writes an item on
   * credit only after the hub granted it, and credit ends only once the items
   * it covered arrived or the process is gone; the item is kept all the same).
   */
  use(client: number): boolean {
    const credit = this.#credits.get(client);
    if (credit === undefined || credit.outstanding === 0) return false;
    credit.outstanding--;
    this.#total--;
    this.#endIfDone(client, credit);
    return true;
  }

  /** The link of `client` gives back `n` of credit `id` (recalled, or its process is exiting). */
  returned(client: number, id: unknown, n: unknown): void {
    const credit = this.#credits.get(client);
    if (credit === undefined || credit.id !== id || typeof n !== 'number' || !Number.isInteger(n) || n < 0) return;
    const back = Math.min(n, credit.outstanding);
    credit.outstanding -= back;
    this.#total -= back;
    // Given back unasked (an exit): it is over as a recall would have made it.
    credit.recalled = true;
    this.#endIfDone(client, credit);
  }

  /** Asks every producer for its credit back. */
  recallAll(): void {
    for (const [client, credit] of this.#credits) {
      if (credit.recalled) continue;
      credit.recalled = true;
      credit.watch?.reply(CreditAnswer.Recall);
      credit.watch = undefined;
      this.#endIfDone(client, credit);
    }
  }

  /** The link's standing call for credit `args[0]`. */
  watch(call: HubCall): void {
    const credit = this.#credits.get(call.client);
    if (credit === undefined || credit.id !== call.args[0]) return call.reply(CreditAnswer.Done);
    if (credit.recalled) return call.reply(CreditAnswer.Recall);
    credit.watch?.reply(CreditAnswer.Done);
    credit.watch = call;
    call.whenAbandoned(() => {
      if (credit.watch === call) credit.watch = undefined;
    });
  }

  /** `client`'s process is gone: what it had reserved is free (what it wrote and its link never sent died with it). */
  gone(client: number): void {
    const credit = this.#credits.get(client);
    if (credit === undefined) return;
    this.#total -= credit.outstanding;
    credit.outstanding = 0;
    this.#end(client, credit);
  }

  #endIfDone(client: number, credit: Credit): void {
    if (credit.recalled && credit.outstanding === 0) this.#end(client, credit);
  }

  #end(client: number, credit: Credit): void {
    this.#credits.delete(client);
    credit.watch?.reply(CreditAnswer.Done);
    credit.watch = undefined;
  }
}
