/**
 * A process-scope `Value` or `SharedArray` whose numbers migrate to the
 * process using them (the hub's side; `value-cell.ts` is the owner's shared
 * memory, `value-owner-link.ts` its link's part). While one child process
 * alone uses the value, the hub lends it the numbers (all of them, an
 * array of at most `LEND_MAX` elements; a larger one stays in the hub): its
 * threads read, write and add in their own shared memory, no message. When another process (or the
 * root) calls, the hub *recalls* it: the owner's link hands the number back
 * at once (whatever its threads do), the calls that waited are served in
 * order, and the next child caller may be granted it in turn — one hand-off
 * each time the user changes, as a cached lock grant (`grants.ts`) does.
 *
 * State: `numbers` (the hub's copy, the truth while nobody owns it),
 * `owner` (the child process lent it, its lending's number, its link's
 * watch, whether recalled), `waiting` (calls that came while it was lent, in
 * order). States: free → lent (a `local` call from a child, answered with
 * the number) → recalled (a call from anyone else; watch answered
 * `recall`) → free (`ownBack` with the number; the waiting calls run).
 *
 * A process killed (SIGKILL) while it owns the number: processes share no
 * memory, so the hub keeps the number as the owner's link last wrote it
 * through (`ownSync`, sent ahead of every write of the link to the hub,
 * `value-owner-link.ts`). Kept: every change the owner's threads made
 * before any message of its process that reached the hub — so every change
 * another process could have learned of through weft (an Event set after
 * the adds, a Queue put, a lock released, any call). Lost: changes made
 * after the process's last message reached the hub (nobody outside could
 * have seen them through weft; a pipe, a file or stdout is not watched). A
 * process that exits gives the number back with its last flush.
 *
 * Ops: those of `shared-array.ts`, and
 *
 * | op         | args                 | answer                                                          |
 * |------------|----------------------|-----------------------------------------------------------------|
 * | `local`    | [typecode, op, ...args] | (a child's) `{ result }`, or `{ result, own, values }`: the numbers are lent to its process as lending `own` |
 * | `ownWatch` | [own]                | (the link's) `'recall'` when the hub wants it back, `'done'` if it is over |
 * | `ownBack`  | [own, values]        | (the link's, one-way) the numbers, handed back                    |
 * | `ownSync`  | [own, values]        | (the link's, one-way) the numbers now, still lent: the hub's copy if the owner dies |
 */
import { ErrorCode } from '../../errors.js';
import type { HubCall, HubObject } from './call.js';
import { NUMBER_OPS, type HubNumbers } from './shared-array.js';
import type { OpName } from './ops.js';

/** The root's client number: its threads have no link to hold the number. */
const ROOT_CLIENT = 0;

/** What `local` answers. */
export interface LocalAnswer {
  readonly result: unknown;
  /** Set if the numbers are lent to the caller's process: the lending's number, and the numbers. */
  readonly own?: number;
  readonly values?: readonly (number | bigint)[];
}

/** The largest array lent: each hand-off and each write-through carries every element. */
export const LEND_MAX = 4096;

export const OwnAnswer = { Recall: 'recall', Done: 'done' } as const;

interface Owner {
  readonly client: number;
  readonly id: number;
  watch: HubCall | undefined;
  recalled: boolean;
}

interface Waiting {
  readonly op: string;
  readonly call: HubCall;
}

export class OwnedNumbers implements HubObject {
  readonly #numbers: HubNumbers;
  #owner: Owner | undefined;
  readonly #waiting: Waiting[] = [];
  #next = 1;

  constructor(numbers: HubNumbers) {
    this.#numbers = numbers;
  }

  call(op: OpName<'multiprocessing.Value'>, call: HubCall): void {
    switch (op) {
      case 'ownWatch':
        return this.#watch(call);
      case 'ownBack':
        return this.#back(call.client, call.args[0], call.args[1]);
      case 'ownSync':
        return this.#sync(call.client, call.args[0], call.args[1]);
      default:
        if (op !== 'local' && !NUMBER_OPS.has(op)) return call.fail(ErrorCode.InvalidArg, `hub: a Value or SharedArray has no op '${op}'`);
        if (this.#owner !== undefined || this.#waiting.length > 0) return this.#wait(op, call);
        this.#serve(op, call);
    }
  }

  callerGone(client: number, thread: number | undefined): void {
    if (thread !== undefined || this.#owner?.client !== client) return;
    // Its changes since its last write-through died with it: the hub's copy (synced) stands.
    this.#owner = undefined;
    this.#runWaiting();
  }

  /** While the number is lent, a call waits for it to come back (recalled now), in order. */
  #wait(op: string, call: HubCall): void {
    const waiting: Waiting = { op, call };
    this.#waiting.push(waiting);
    call.whenAbandoned(() => {
      const at = this.#waiting.indexOf(waiting);
      if (at >= 0) this.#waiting.splice(at, 1);
    });
    this.#recall();
  }

  #recall(): void {
    const owner = this.#owner;
    if (owner === undefined || owner.recalled) return;
    owner.recalled = true;
    owner.watch?.reply(OwnAnswer.Recall);
    owner.watch = undefined;
  }

  #serve(op: string, call: HubCall): void {
    let answer: unknown;
    try {
      if (op !== 'local') answer = this.#numbers.apply(op, call.args);
      else answer = this.#local(call);
    } catch (error) {
      return call.fail(ErrorCode.InvalidArg, (error as Error).message);
    }
    call.reply(answer);
  }

  /** A child's op that may take the number along: lent when nobody waits for it. */
  #local(call: HubCall): LocalAnswer {
    // args[0] is the typecode, for the link that makes the cell.
    const [, op, ...args] = call.args as [unknown, string, ...unknown[]];
    if (op === 'local' || !NUMBER_OPS.has(op)) throw new RangeError(`hub: a Value or SharedArray has no op '${String(op)}'`);
    const result = this.#numbers.apply(op, args);
    if (call.client === ROOT_CLIENT || this.#waiting.length > 0 || this.#numbers.length > LEND_MAX || this.#numbers.length === 0) return { result };
    this.#owner = { client: call.client, id: this.#next++, watch: undefined, recalled: false };
    return { result, own: this.#owner.id, values: this.#numbers.apply('toArray', []) as (number | bigint)[] };
  }

  #watch(call: HubCall): void {
    const owner = this.#owner;
    if (owner === undefined || owner.client !== call.client || owner.id !== call.args[0]) return call.reply(OwnAnswer.Done);
    if (owner.recalled) return call.reply(OwnAnswer.Recall);
    owner.watch?.reply(OwnAnswer.Done);
    owner.watch = call;
    call.whenAbandoned(() => {
      if (owner.watch === call) owner.watch = undefined;
    });
  }

  /** The owner's link writes the number through; the owner keeps it. */
  #sync(client: number, id: unknown, value: unknown): void {
    if (this.#isOwner(client, id)) this.#store(value);
  }

  #isOwner(client: number, id: unknown): boolean {
    return this.#owner !== undefined && this.#owner.client === client && this.#owner.id === id;
  }

  /** Stores the numbers a link sent. */
  #store(values: unknown): void {
    if (!Array.isArray(values) || values.length !== this.#numbers.length) return;
    try {
      values.forEach((value, i) => this.#numbers.apply('set', [i, value]));
    } catch {
      // A malformed number from a link: the hub's copy stands (from it on).
    }
  }

  /** The owner's link hands the number back. */
  #back(client: number, id: unknown, value: unknown): void {
    const owner = this.#owner;
    if (owner === undefined || !this.#isOwner(client, id)) return;
    this.#store(value);
    this.#owner = undefined;
    owner.watch?.reply(OwnAnswer.Done);
    this.#runWaiting();
  }

  /** The number is back: the calls that waited run in order (the first child caller among them may be lent it; the rest then wait again). */
  #runWaiting(): void {
    while (this.#waiting.length > 0 && this.#owner === undefined) {
      const { op, call } = this.#waiting.shift()!;
      this.#serve(op, call);
    }
    if (this.#waiting.length > 0) this.#recall();
  }
}
