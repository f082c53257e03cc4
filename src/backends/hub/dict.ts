/**
 * The hub's state machine of a managed `dict` (`multiprocessing.Manager().dict()`,
 * Python's `DictProxy`): string keys to values, in insertion order, shared by
 * every thread of every process of the tree. `namespace.ts` serves a
 * `Namespace`'s attributes with the same machine.
 *
 * Values are opaque here: each is the bytes its sender encoded
 * (`multiprocessing/hub-value-codec.ts`), so the hub never decodes a user's
 * value, and a reader gets a copy (Python's proxies copy on every call too).
 * A proxy stored as a value is a handle inside those bytes and comes back live.
 *
 * Guarantees: every op is atomic (the hub runs one call at a time), so
 * `update` sets all its entries with no reader seeing half of them, and
 * `setdefault`/`pop`/`popitem` are check-and-act in one step. Iteration order
 * is insertion order, as Python's dict; `popitem` takes the last inserted
 * (LIFO), as Python's. Shutdown is `manager.ts`'s (a `ManagedObject`).
 *
 * ## State
 *
 * | field     | meaning                                        |
 * |-----------|------------------------------------------------|
 * | `entries` | key → encoded value, in insertion order (a Map) |
 *
 * ## Ops
 *
 * | op           | args                     | answer                                             |
 * |--------------|--------------------------|----------------------------------------------------|
 * | `get`        | [key]                    | the value's bytes, or null if absent               |
 * | `set`        | [key, bytes]             | undefined                                          |
 * | `delete`     | [key]                    | true if it was there                               |
 * | `has`        | [key]                    | boolean                                            |
 * | `keys`       | []                       | string[] (a snapshot)                              |
 * | `values`     | []                       | bytes[]                                            |
 * | `items`      | []                       | [key, bytes][]                                     |
 * | `size`       | []                       | number                                             |
 * | `clear`      | []                       | undefined                                          |
 * | `update`     | [[key, bytes][]]         | undefined; all entries at once, later ones win     |
 * | `pop`        | [key]                    | the removed value's bytes, or null if absent       |
 * | `popitem`    | []                       | [key, bytes] of the last inserted, or null if empty |
 * | `setdefault` | [key, bytes]             | the value now under key (the old one, or `bytes`, stored) |
 * | `increment`  | [key, delta: number]     | the new number; a missing key counts as 0; ERR_INVALID_ARG (TypeError) if the value is not a number |
 * | `compareAndSet` | [key, expected: bytes or null, bytes] | true and stored if the value is `expected` (byte for byte; null: absent), else false |
 *
 * `increment` is the one op that reads a value: a number is the codec's
 * Int32 or Float64 encoding, decoded and re-encoded with the codec itself.
 * `compareAndSet` is the step of the client's `modify(key, fn)` loop, which
 * runs `fn` in the caller (a user's function cannot run here).
 *
 * Absence is answered null (a stored value is never null: always bytes), and
 * the client decides between a default and Python's KeyError.
 */
import { ErrorCode, invalidArg } from '../../errors.js';
import { Tag } from '../../codec/format.js';
import { decodeItemBytes, encodeItemToOwnBytes } from '../../codec/item-codec.js';
import { registerHubKind, type HubCall } from './call.js';
import { handOut, isStored, ManagedObject, sameBytes, strip } from './manager.js';
import type { OpName } from './ops.js';

export const DICT_KIND = 'multiprocessing.managers.DictProxy';

export class HubDict extends ManagedObject {
  #entries = new Map<string, Uint8Array>();
  #init: [string, Uint8Array][] | undefined;

  /** `init`: the entries to start with, checked before the manager adopts the object (a failed create leaves nothing). */
  constructor(managerId: unknown, init: readonly (readonly [string, Uint8Array])[]) {
    super(managerId);
    this.#init = init.map(([key, value]) => [key, this.takeIn(value, 'a dict value')]);
  }

  protected created(): void {
    this.#update(this.#init ?? []);
    this.#init = undefined;
  }

  protected serve(op: OpName<'multiprocessing.managers.DictProxy'>, call: HubCall): void {
    const args = call.args;
    switch (op) {
      case 'get':
        return call.reply(this.#out(this.#entries.get(checkKey(args[0]))));
      case 'set':
        this.#set(checkKey(args[0]), this.takeIn(args[1], 'a dict value'));
        return call.reply();
      case 'delete': {
        const key = checkKey(args[0]);
        this.release(this.#entries.get(key));
        return call.reply(this.#entries.delete(key));
      }
      case 'has':
        return call.reply(this.#entries.has(checkKey(args[0])));
      case 'keys':
        return call.reply([...this.#entries.keys()]);
      case 'values':
        return call.reply(Array.from(this.#entries.values(), handOut));
      case 'items':
        return call.reply(Array.from(this.#entries, ([key, value]) => [key, handOut(value)]));
      case 'size':
        return call.reply(this.#entries.size);
      case 'clear':
        for (const value of this.#entries.values()) this.release(value);
        this.#entries.clear();
        return call.reply();
      case 'update':
        this.#update(this.#takeEntries(args[0]));
        return call.reply();
      case 'pop':
        return call.reply(this.#pop(checkKey(args[0])));
      case 'popitem':
        return call.reply(this.#popitem());
      case 'setdefault':
        return call.reply(this.#setdefault(checkKey(args[0]), this.takeIn(args[1], 'a dict value')));
      case 'increment':
        return this.#increment(call, checkKey(args[0]), args[1]);
      case 'compareAndSet':
        // `expected` is what the caller read here: its tickets were the reader's to adopt, so it is only stripped.
        return call.reply(this.#compareAndSet(checkKey(args[0]), args[1] === null ? null : strip(checkValue(args[1])), this.takeIn(args[2], 'a dict value')));
      default:
        return call.fail(ErrorCode.InvalidArg, `managers: a dict has no op '${op}'`);
    }
  }

  protected free(): void {
    this.#entries = new Map();
  }

  /** A stored value (or none) as it leaves to the caller: null for none, else with fresh tickets. */
  #out(value: Uint8Array | undefined): Uint8Array | null {
    return value === undefined ? null : handOut(value);
  }

  #set(key: string, value: Uint8Array): void {
    this.release(this.#entries.get(key));
    this.#entries.set(key, this.keep(value));
  }

  #takeEntries(entries: unknown): [string, Uint8Array][] {
    return checkEntries(entries).map(([key, value]) => [key, this.takeIn(value, 'a dict value')]);
  }

  #update(entries: readonly (readonly [string, Uint8Array])[]): void {
    for (const [key, value] of entries) this.#set(key, value);
  }

  #pop(key: string): Uint8Array | null {
    const value = this.#entries.get(key);
    if (value === undefined) return null;
    // Handed out (fresh tickets lent) before the dict's own references go: the object cannot be freed in between.
    const out = handOut(value);
    this.#entries.delete(key);
    this.release(value);
    return out;
  }

  /** The last inserted entry: a Map iterates oldest first, so this walks to the end (O(n), as rare as Python's popitem). */
  #popitem(): [string, Uint8Array] | null {
    let last: [string, Uint8Array] | null = null;
    for (const entry of this.#entries) last = entry;
    if (last === null) return null;
    return [last[0], this.#pop(last[0])!];
  }

  #increment(call: HubCall, key: string, delta: unknown): void {
    if (typeof delta !== 'number') throw invalidArg('managers: increment takes a number', 'type');
    const stored = this.#entries.get(key);
    const current = stored === undefined ? 0 : storedNumber(stored);
    // Thrown, not failed: the core sends a thrown error's class, and this is a TypeError, as Python's `'x' + 1`.
    if (current === undefined) throw invalidArg(`managers: increment of ${JSON.stringify(key)}, whose value is not a number`, 'type');
    const next = current + delta;
    this.#entries.set(key, encodeItemToOwnBytes(next));
    call.reply(next);
  }

  #compareAndSet(key: string, expected: Uint8Array | null, value: Uint8Array): boolean {
    const found = this.#entries.get(key);
    if (expected === null ? found !== undefined : found === undefined || !sameBytes(found, expected)) return false;
    this.#set(key, value);
    return true;
  }

  #setdefault(key: string, value: Uint8Array): Uint8Array {
    const found = this.#entries.get(key);
    if (found !== undefined) return handOut(found);
    this.#entries.set(key, this.keep(value));
    return handOut(value);
  }
}

/** The number a stored value encodes, or undefined if it is not a number (codec/format.ts: Int32, Float64). */
function storedNumber(bytes: Uint8Array): number | undefined {
  if (bytes[0] !== Tag.Int32 && bytes[0] !== Tag.Float64) return undefined;
  return decodeItemBytes(bytes) as number;
}

// The client checks every argument before sending; these guard the hub against a client that did not.
function checkKey(key: unknown): string {
  if (typeof key !== 'string') throw invalidArg('managers: a dict key must be a string', 'type');
  return key;
}

function checkValue(value: unknown): Uint8Array {
  if (!isStored(value)) throw invalidArg('managers: a dict value must arrive encoded', 'type');
  return value;
}

export function checkEntries(entries: unknown): [string, Uint8Array][] {
  if (!Array.isArray(entries)) throw invalidArg('managers: dict entries must be an array of [key, value] pairs', 'type');
  for (const entry of entries) {
    if (!Array.isArray(entry) || entry.length !== 2) throw invalidArg('managers: dict entries must be an array of [key, value] pairs', 'type');
    checkKey(entry[0]);
    checkValue(entry[1]);
  }
  return entries as [string, Uint8Array][];
}

registerHubKind(DICT_KIND, (args) => new HubDict(args[0], args[1] === undefined ? [] : checkEntries(args[1])));
