/**
 * The link's side of lent queue items (`queue.ts` lends, `lent-ring.ts`
 * holds them): a child process's link keeps, per queue, a ring of the items
 * the hub lent its process, asks for more when its threads have taken most
 * of them, tells the hub which items they claimed, and gives the rest back
 * when the hub recalls them or the process exits.
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
 * | lending  | the hub's number for the lending now held (0: none)               |
 * | ring     | the shared ring of lent items (the first of a get's answer goes straight to its getter) |
 * | pending  | items claimed and not yet reported that are not in the ring (those first items) |
 * | reported | the ring's claim count the hub was told of                        |
 * | asking   | a `lendMore` is on its way                                        |
 *
 * Transitions: a lending get's answer starts a lending (the hub lends anew
 * only when nothing is lent out, so the ring is empty then); a claimer that
 * leaves few items rings the doorbell and the link asks `lendMore`, whose
 * answer is appended; claims are reported before any request of the process
 * goes to the hub (so whatever a thread did after taking an item — a put, a
 * release, `qsize()` — reaches the hub after the hub knows it was taken)
 * and right after a lending get's answer; `done` from the hub (all claimed)
 * ends the lending and keeps the ring; a recall, or the exit flush, revokes
 * the ring (a revoked ring is dropped) and reports the claims with
 * `returned`, which ends the lending in the hub.
 *
 * Not exact on a kill: an item a thread claimed in the last instant before
 * its process was killed (SIGKILL), before the link reported it, is given
 * back to the queue and may be delivered again. Any effect the thread had
 * through the hub is ordered after the report, so only effects outside the
 * tree can see it twice.
 */
import type { Answer, Request } from './protocol.js';
import { LARGEST_RING, LentRingWriter, ringSizeFor, SMALLEST_RING, type RingSize } from './lent-ring.js';
import { WatchAnswer, type LentItems } from './queue.js';
import { firstPackedItem, packedExtent } from './packed-items.js';

/** The thread number of the link's own calls and sends (threads' tokens are positive; the hub uses -1 for itself). */
export const LINK_THREAD = -2;

/** What a thread receives for a lending get: its item, and the process's ring to take the next ones from. */
export interface LentAnswer {
  readonly item: Uint8Array;
  readonly ring: SharedArrayBuffer;
}

interface Held {
  lending: number;
  ring: LentRingWriter;
  pending: number;
  reported: number;
  asking: boolean;
  /** The least size of this queue's next ring: grows when a lending fills one. */
  grow: RingSize;
}

/** What a link's own call is for. */
type OwnCall = { readonly kind: 'watch' | 'more'; readonly id: number; readonly lending: number; readonly room?: { items: number; bytes: number } };

export class QueueLending {
  readonly #send: (request: Request) => void;
  readonly #held = new Map<number, Held>();
  /** Gets forwarded and not yet answered: `thread:seq` → queue id. */
  readonly #gets = new Map<string, number>();
  /** The link's own calls (watches, lendMore), by seq. */
  readonly #calls = new Map<number, OwnCall>();
  #seq = 0;
  #reportQueued = false;

  /** `send` posts a request to the hub, in order with the link's other traffic. */
  constructor(send: (request: Request) => void) {
    this.#send = send;
  }

  /** A thread's request is about to go to the hub: claims first; at exit, every ring goes back. */
  beforeRequest(request: Request): void {
    if (request.t === 'flush') this.#giveBackAll();
    else this.reportClaims();
    // A thread that ended gets no answers: forget its gets.
    if (request.t === 'thread-ended') for (const key of this.#gets.keys()) if (key.startsWith(`${request.thread}:`)) this.#gets.delete(key);
    if (request.t === 'call' && request.op === 'get') this.#gets.set(`${request.thread}:${request.seq}`, request.id);
  }

  /** An answer for a thread: a lending get's is unpacked (the first item for the thread, the rest into the ring). */
  toThread(answer: Answer): Answer {
    if (this.#gets.size === 0) return answer;
    const key = `${answer.thread}:${answer.seq}`;
    const id = this.#gets.get(key);
    if (id === undefined) return answer;
    this.#gets.delete(key);
    if (!('ok' in answer) || !isLentItems(answer.ok)) return answer;
    const lending = answer.ok.lending;
    const packed = answer.ok.items;
    const held = this.#heldFor(id, packedExtent(packed, 1));
    held.pending++;
    this.#take(id, held, lending, packed, 1);
    // The first item is the getter's at once: say so soon, so that another process's get need not recall it.
    this.#reportSoon();
    const ok: LentAnswer = { item: firstPackedItem(packed), ring: held.ring.ring.buffer };
    return { t: 'answer', thread: answer.thread, seq: answer.seq, ok };
  }

  /** An answer to one of the link's own calls. */
  fromHub(answer: Answer): void {
    const call = this.#calls.get(answer.seq);
    if (call === undefined) return;
    this.#calls.delete(answer.seq);
    const held = this.#held.get(call.id);
    if (held === undefined || !('ok' in answer)) return;
    if (call.kind === 'more') {
      held.asking = false;
      // After the append below: a waiting getter then finds the items.
      queueMicrotask(() => held.ring.asking(false));
      // Items lent to a ring revoked meanwhile were given back with it (the hub counts them in the lending it ended).
      // None lent: the consumer's next get, when the ring is spent, asks the hub itself (no doorbell, or it would ring per claim).
      if (!isLentItems(answer.ok)) return;
      const extent = packedExtent(answer.ok.items, 0);
      if (extent.items === 0 || held.ring.revoked) return;
      this.#take(call.id, held, answer.ok.lending, answer.ok.items, 0);
      if (held.ring.size !== LARGEST_RING && cramped(extent, call.room!)) {
        // The hub had more than the ring could take: give this ring back; the next get starts a larger one.
        held.grow = ringSizeFor(held.ring.size.slots * 2, held.ring.size.dataBytes * 2, held.ring.size);
        this.#giveBack(call.id, held);
      }
      return;
    }
    if (held.lending !== call.lending) return; // a watch of an earlier lending
    if (answer.ok === WatchAnswer.Recall) return this.#giveBack(call.id, held);
    // `done`: the hub has been told of every claim; the ring stays, empty, for the next lending.
    held.lending = 0;
  }

  /** Tells the hub of every claim not yet reported. */
  reportClaims(): void {
    for (const [id, held] of this.#held) {
      const n = this.#claimsToReport(held);
      if (n !== 0) this.#send({ t: 'send', thread: LINK_THREAD, id, op: 'claimed', args: [held.lending, n] });
    }
  }

  #claimsToReport(held: Held): number {
    if (held.lending === 0) return 0;
    const claimed = held.ring.claimed();
    const n = held.pending + ((claimed - held.reported) | 0);
    held.pending = 0;
    held.reported = claimed;
    return n;
  }

  #reportSoon(): void {
    if (this.#reportQueued) return;
    this.#reportQueued = true;
    queueMicrotask(() => {
      this.#reportQueued = false;
      this.reportClaims();
    });
  }

  /**
   * The held state of queue `id`, with a live ring that takes `items` (a
   * revoked ring is replaced: its cursor must never come back; so is one too
   * small — it is empty then, since the hub lends anew only once nothing is lent out).
   */
  #heldFor(id: number, { items, bytes }: { items: number; bytes: number }): Held {
    const held = this.#held.get(id);
    const room = held?.ring.revoked === false ? held.ring.room() : undefined;
    if (held !== undefined && room !== undefined && room.items >= items && room.bytes >= bytes) return held;
    const size = ringSizeFor(items, bytes, held?.grow ?? SMALLEST_RING);
    held?.ring.revoke();
    const fresh: Held = { lending: held?.lending ?? 0, ring: new LentRingWriter(size), pending: held?.pending ?? 0, reported: 0, asking: false, grow: size };
    this.#held.set(id, fresh);
    return fresh;
  }

  /** Items the hub lent under `lending` (`packed`, from item `from` on): into the ring; a new lending gets a watch, and the doorbell is armed. */
  #take(id: number, held: Held, lending: number, packed: Uint8Array, from: number): void {
    held.ring.appendPacked(packed, from);
    if (held.lending !== lending) {
      held.lending = lending;
      const seq = ++this.#seq;
      this.#calls.set(seq, { kind: 'watch', id, lending });
      this.#send({ t: 'call', thread: LINK_THREAD, seq, id, op: 'lendWatch', args: [lending] });
    }
    // Ask for more once half the ring is free, while the rest are taken: a round trip on a loaded machine lasts milliseconds.
    if (packedExtent(packed, from).items > 0) this.#armDoorbell(id, held, held.ring.size.slots >> 1);
  }

  #armDoorbell(id: number, held: Held, low: number): void {
    const rung = held.ring.armDoorbell(low);
    if (rung === undefined) return this.#askMore(id, held);
    void rung.then(() => this.#askMore(id, held));
  }

  /** Claimers took most of the ring: ask the hub for more, reporting the claims on the way. */
  #askMore(id: number, held: Held): void {
    if (held.asking || held.ring.revoked || this.#held.get(id) !== held || held.lending === 0) return;
    held.asking = true;
    held.ring.asking(true);
    const lending = held.lending;
    const n = this.#claimsToReport(held);
    const room = held.ring.room();
    const seq = ++this.#seq;
    this.#calls.set(seq, { kind: 'more', id, lending, room });
    this.#send({ t: 'call', thread: LINK_THREAD, seq, id, op: 'lendMore', args: [lending, n, room.items, room.bytes] });
  }

  /** Revokes queue `id`'s ring and ends its lending: claims reported, the rest back in the hub. */
  #giveBack(id: number, held: Held): void {
    const claimed = held.ring.revoke();
    if (held.lending !== 0) this.#send({ t: 'send', thread: LINK_THREAD, id, op: 'returned', args: [held.lending, held.pending + ((claimed - held.reported) | 0)] });
    held.lending = 0;
    held.pending = 0;
  }

  /** The process is exiting: every ring goes back before its last message is handled. */
  #giveBackAll(): void {
    for (const [id, held] of this.#held) if (held.lending !== 0) this.#giveBack(id, held);
  }
}

/** A lendMore answer that filled what the ring had room for: the hub likely had more. */
function cramped(lent: { items: number; bytes: number }, room: { items: number; bytes: number }): boolean {
  return lent.items >= room.items || 2 * lent.bytes >= room.bytes;
}

function isLentItems(value: unknown): value is LentItems {
  return typeof value === 'object' && value !== null && (value as LentItems).items instanceof Uint8Array;
}
