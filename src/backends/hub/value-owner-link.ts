/**
 * The link's side of a process-scope `Value` or `SharedArray` lent to its process
 * (`value-ownership.ts` lends it, `value-cell.ts` holds it): the link keeps,
 * per value, the cell its threads use while the process owns the number; it
 * fills the cell when a `local` call's answer lends the number, watches for
 * the hub's recall, and hands the number back when recalled or when the
 * process exits. A thread of its own, it answers a recall at once, whatever
 * the process's other threads do.
 *
 * Write-through, so that a SIGKILL loses nothing anyone could have seen:
 * the number lives in this process's memory (processes share no memory),
 * so before each write to the hub the link sends, ahead of the gathered
 * messages, the numbers of every value it holds that a thread wrote since
 * it last told the hub (`changes()`, `ownSync`). Whatever a thread of this
 * process did before any message of the process reaches the hub (an Event
 * set, a Queue put, a lock given back, a call) reaches the hub first. A
 * burst of adds costs nothing more: one word read per held value per write
 * to the socket, one message if it changed.
 */
import { typeInfo } from '../../runtime/typecodes.js';
import { PendingCalls } from './pending-calls.js';
import type { Answer, Request } from './protocol.js';
import { newValueCell, ownValue, revokeValue, takeChanges, type ValueCell, type ValueCellBuffers } from './value-cell.js';
import { OwnAnswer, type LocalAnswer } from './value-ownership.js';

/** The thread number of the link's own value calls (lending uses -2, credit -3). */
export const VALUE_THREAD = -4;

/** What a thread receives for a `local` call that lent its process the number. */
export interface OwnedAnswer {
  readonly result: unknown;
  readonly cell: ValueCellBuffers;
}

interface Held {
  readonly cell: ValueCell<number | bigint>;
  /** The hub's number of the lending held now (0: none). */
  own: number;
}

const NONE: Request[] = [];

export class ValueOwnerLink {
  readonly #send: (request: Request) => void;
  readonly #held = new Map<number, Held>();
  /** `local` calls forwarded and not yet answered: `thread:seq` → value id and typecode. */
  readonly #calls = new PendingCalls<{ id: number; typecode: unknown }>();
  readonly #watches = new Map<number, { id: number; own: number }>();
  #seq = 0;

  constructor(send: (request: Request) => void) {
    this.#send = send;
  }

  beforeRequest(request: Request): void {
    if (request.t === 'flush') return this.#giveBackAll();
    if (request.t === 'thread-ended') this.#calls.dropThread(request.thread);
    if (request.t === 'call' && request.op === 'local') this.#calls.add(request.thread, request.seq, { id: request.id, typecode: request.args[0] });
  }

  toThread(answer: Answer): Answer {
    const call = this.#calls.take(answer.thread, answer.seq);
    if (call === undefined) return answer;
    if (!('ok' in answer)) return answer;
    const local = answer.ok as LocalAnswer;
    if (typeof local !== 'object' || local === null || typeof local.own !== 'number' || !Array.isArray(local.values)) return answer;
    let held = this.#held.get(call.id);
    if (held === undefined || held.cell.slots.length !== local.values.length) {
      this.#held.set(call.id, (held = { cell: newValueCell(typeInfo(call.typecode), local.values.length), own: 0 }));
    }
    ownValue(held.cell, local.values);
    held.own = local.own;
    const seq = ++this.#seq;
    this.#watches.set(seq, { id: call.id, own: local.own });
    this.#send({ t: 'call', thread: VALUE_THREAD, seq, id: call.id, op: 'ownWatch', args: [local.own] });
    const ok: OwnedAnswer = { result: local.result, cell: held.cell.buffers };
    return { t: 'answer', thread: answer.thread, seq: answer.seq, ok };
  }

  fromHub(answer: Answer): void {
    const watch = this.#watches.get(answer.seq);
    if (watch === undefined) return;
    this.#watches.delete(answer.seq);
    const held = this.#held.get(watch.id);
    if (held === undefined || held.own !== watch.own) return;
    // `recall`, or `done` (the hub no longer counts it lent): either way the threads stop using it.
    this.#giveBack(watch.id, held);
  }

  /**
   * For the outbox, at each write to the hub: an `ownSync` for every value
   * held that a thread wrote since the hub last heard of it, to go before
   * the gathered messages. A value given back is not held (`own` 0).
   */
  changes(): Request[] {
    if (this.#held.size === 0) return NONE;
    let changes: Request[] | undefined;
    for (const [id, held] of this.#held) {
      if (held.own === 0) continue;
      // The numbers may change while we read: what any message gathered now follows is in them.
      const values = takeChanges(held.cell);
      if (values !== undefined) (changes ??= []).push({ t: 'send', thread: VALUE_THREAD, id, op: 'ownSync', args: [held.own, values] });
    }
    return changes ?? NONE;
  }

  #giveBack(id: number, held: Held): void {
    const values = revokeValue(held.cell);
    this.#send({ t: 'send', thread: VALUE_THREAD, id, op: 'ownBack', args: [held.own, values] });
    held.own = 0;
  }

  /** The process is exiting: every number goes back before its last message is handled. */
  #giveBackAll(): void {
    for (const [id, held] of this.#held) if (held.own !== 0) this.#giveBack(id, held);
  }
}
