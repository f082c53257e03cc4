/**
 * The hub's state machine of a managed `list` (`multiprocessing.Manager().list()`,
 * Python's `ListProxy`): a sequence of values shared by every thread of
 * every process of the tree.
 *
 * Values are opaque here, as in `dict.ts`: each is the bytes its sender
 * encoded, so readers get copies and a stored proxy comes back live. Two
 * values are equal (`index`, `count`, `remove`) when their encodings are:
 * the same structure and the same primitives, keys in the same order — where
 * Python calls `==`, which the hub cannot run on a user's values.
 *
 * Guarantees: every op is atomic (the hub runs one call at a time), so
 * concurrent `append`s from any number of processes lose nothing, and
 * `pop`/`remove`/`insert` are check-and-act in one step. Indices follow
 * Python: negative ones count from the end; `get`/`set`/`pop` past either end
 * fail `ERR_INDEX_OUT_OF_RANGE` (IndexError); `insert` and `slice` clamp.
 * Sorting runs in the client (a user's comparator cannot run here): it reads
 * a `snapshot` and sends back the new order with `reorderIf`, which succeeds
 * only if nothing changed the list in between (`version`), else the client
 * sorts again — atomic all the same. Sending the order, not the values,
 * keeps the stored values (and the references they hold) as they are.
 *
 * Stored values carry no tickets (`stored-values.ts`): equal values naming
 * the same weft objects are equal byte for byte, so `index(proxy)` finds a
 * stored proxy; each value read leaves with fresh tickets. Shutdown is `manager.ts`'s (a `ManagedObject`).
 *
 * ## State
 *
 * | field     | meaning                                                        |
 * |-----------|----------------------------------------------------------------|
 * | `items`   | the encoded values, in order                                   |
 * | `version` | bumped by every op that may change `items` (for `reorderIf`)   |
 *
 * ## Ops
 *
 * | op          | args                      | answer                                               |
 * |-------------|---------------------------|------------------------------------------------------|
 * | `length`    | []                        | number                                               |
 * | `get`       | [i]                       | bytes; IndexError                                    |
 * | `set`       | [i, bytes]                | undefined; IndexError                                |
 * | `append`    | [bytes]                   | undefined                                            |
 * | `extend`    | [bytes[]]                 | undefined                                            |
 * | `insert`    | [i, bytes]                | undefined; i clamped to [0, length] as Python        |
 * | `pop`       | [i]                       | the removed bytes; IndexError (also on an empty list) |
 * | `remove`    | [bytes]                   | undefined; the first equal value; ERR_NOT_FOUND      |
 * | `index`     | [bytes, start?, stop?]    | the first index of an equal value in the slice; ERR_NOT_FOUND |
 * | `count`     | [bytes]                   | number of equal values                               |
 * | `slice`     | [start?, stop?]           | bytes[] (Python's `l[start:stop]`)                   |
 * | `toArray`   | []                        | bytes[]                                              |
 * | `reverse`   | []                        | undefined                                            |
 * | `clear`     | []                        | undefined                                            |
 * | `snapshot`  | []                        | `{ items: bytes[], version }`                        |
 * | `reorderIf` | [version, order: number[]] | true and `items` permuted (new i-th = old `order[i]`) if `version` is current, else false |
 */
import { ErrorCode, invalidArg } from '../../errors.js';
import { registerHubKind, type HubCall } from './call.js';
import { handOut, isStored, ManagedObject, sameBytes } from './manager.js';
import type { OpName } from './ops.js';

export const LIST_KIND = 'multiprocessing.managers.ListProxy';

/** Ops that never change the items: they leave `version` alone. */
const READS = new Set(['length', 'get', 'index', 'count', 'slice', 'toArray', 'snapshot']);

/** What `snapshot` answers. */
export interface ListSnapshot {
  readonly items: Uint8Array[];
  readonly version: number;
}

export class HubList extends ManagedObject {
  #items: Uint8Array[];
  #version = 0;

  constructor(managerId: unknown, init: Uint8Array[]) {
    super(managerId);
    this.#items = init.map((value) => this.takeIn(value, 'a list value'));
  }

  protected created(): void {
    for (const value of this.#items) this.keep(value);
  }

  protected serve(op: OpName<'multiprocessing.managers.ListProxy'>, call: HubCall): void {
    // Bumped before the op: an op that fails changed nothing, and a needless bump only costs a sorter one retry.
    if (!READS.has(op)) this.#version++;
    const args = call.args;
    const items = this.#items;
    switch (op) {
      case 'length':
        return call.reply(items.length);
      case 'get': {
        const i = this.#at(call, args[0], 'list index out of range');
        return i === undefined ? undefined : call.reply(handOut(items[i]));
      }
      case 'set': {
        const value = this.takeIn(args[1], 'a list value');
        const i = this.#at(call, args[0], 'list assignment index out of range');
        if (i === undefined) return;
        this.release(items[i]);
        items[i] = this.keep(value);
        return call.reply();
      }
      case 'append':
        items.push(this.keep(this.takeIn(args[0], 'a list value')));
        return call.reply();
      case 'extend':
        for (const value of this.#takeValues(args[0])) items.push(this.keep(value));
        return call.reply();
      case 'insert': {
        const value = this.takeIn(args[1], 'a list value');
        items.splice(clampIndex(checkIndex(args[0]), items.length), 0, this.keep(value));
        return call.reply();
      }
      case 'pop': {
        if (items.length === 0) return call.fail(ErrorCode.IndexOutOfRange, 'managers: pop from an empty list');
        const i = this.#at(call, args[0] ?? -1, 'pop index out of range');
        if (i === undefined) return;
        // Handed out (fresh tickets lent) before the list's own references go.
        const out = handOut(items[i]);
        this.release(items.splice(i, 1)[0]);
        return call.reply(out);
      }
      case 'remove': {
        const i = this.#find(this.takeIn(args[0], 'a list value'), 0, items.length);
        if (i < 0) return call.fail(ErrorCode.NotFound, 'managers: list.remove(x): x not in list');
        this.release(items.splice(i, 1)[0]);
        return call.reply();
      }
      case 'index': {
        const value = this.takeIn(args[0], 'a list value');
        const start = args[1] === undefined ? 0 : clampIndex(checkIndex(args[1]), items.length);
        const stop = args[2] === undefined ? items.length : clampIndex(checkIndex(args[2]), items.length);
        const i = this.#find(value, start, stop);
        if (i < 0) return call.fail(ErrorCode.NotFound, 'managers: list.index(x): x not in list');
        return call.reply(i);
      }
      case 'count': {
        const value = this.takeIn(args[0], 'a list value');
        let n = 0;
        for (const item of items) if (sameBytes(item, value)) n++;
        return call.reply(n);
      }
      case 'slice': {
        const start = args[0] === undefined ? 0 : clampIndex(checkIndex(args[0]), items.length);
        const stop = args[1] === undefined ? items.length : clampIndex(checkIndex(args[1]), items.length);
        return call.reply(items.slice(start, Math.max(start, stop)).map(handOut));
      }
      case 'toArray':
        return call.reply(items.map(handOut));
      case 'reverse':
        items.reverse();
        return call.reply();
      case 'clear':
        for (const item of items) this.release(item);
        this.#items = [];
        return call.reply();
      case 'snapshot':
        return call.reply({ items: items.map(handOut), version: this.#version } satisfies ListSnapshot);
      case 'reorderIf': {
        const order = checkOrder(args[1], items.length);
        // The bump above counted this call: the version the client read is one behind.
        if (args[0] !== this.#version - 1) return call.reply(false);
        // A permutation of what is stored: the same values, so the same references.
        this.#items = order.map((i) => items[i]);
        return call.reply(true);
      }
      default:
        return call.fail(ErrorCode.InvalidArg, `managers: a list has no op '${op}'`);
    }
  }

  protected free(): void {
    this.#items = [];
  }

  #takeValues(values: unknown): Uint8Array[] {
    if (!Array.isArray(values)) throw invalidArg('managers: list values must arrive encoded', 'type');
    return values.map((value) => this.takeIn(value, 'a list value'));
  }

  /** Python's index: negative counts from the end; past either end fails the call (IndexError) and answers undefined. */
  #at(call: HubCall, index: unknown, message: string): number | undefined {
    const i = checkIndex(index);
    const at = i < 0 ? i + this.#items.length : i;
    if (at < 0 || at >= this.#items.length) {
      call.fail(ErrorCode.IndexOutOfRange, `managers: ${message} (index ${i}, length ${this.#items.length})`);
      return undefined;
    }
    return at;
  }

  #find(value: Uint8Array, start: number, stop: number): number {
    for (let i = start; i < stop; i++) if (sameBytes(this.#items[i], value)) return i;
    return -1;
  }
}

/** A sorter's new order: a permutation of the indices [0, length). */
function checkOrder(order: unknown, length: number): number[] {
  const message = 'managers: a list reorder takes a permutation of its indices';
  if (!Array.isArray(order)) throw invalidArg(message, 'type');
  // A stale order (the list changed length) is answered false by the version check, not refused.
  if (order.length !== length) return order as number[];
  const seen = new Uint8Array(length);
  for (const i of order) {
    if (!Number.isSafeInteger(i) || i < 0 || i >= length || seen[i] === 1) throw invalidArg(message, 'type');
    seen[i] = 1;
  }
  return order as number[];
}

/** Python's slice-bound rule: negative counts from the end, then clamped to [0, length]. */
function clampIndex(i: number, length: number): number {
  if (i < 0) return Math.max(0, i + length);
  return Math.min(i, length);
}

// The client checks every argument before sending; these guard the hub against a client that did not.
function checkIndex(index: unknown): number {
  if (!Number.isSafeInteger(index)) throw invalidArg('managers: a list index must be an integer', 'type');
  return index as number;
}

function checkValues(values: unknown): Uint8Array[] {
  if (!Array.isArray(values) || !values.every(isStored)) throw invalidArg('managers: list values must arrive encoded', 'type');
  return values;
}

registerHubKind(LIST_KIND, (args) => new HubList(args[0], args[1] === undefined ? [] : checkValues(args[1])));
