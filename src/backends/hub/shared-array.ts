/**
 * The hub's state machine of a process-scope `SharedArray`
 * (`multiprocessing.Array`), and of a `Value` (`value.ts`), which is the
 * same thing with one element: numbers of one typecode, kept in the hub.
 *
 * Every op is one step of the hub, so each is atomic with respect to every
 * other caller in the tree; `add` and `compareExchange` are atomic
 * read-modify-writes (Python's `v.value += 1` is not). Elements are stored in
 * a typed array of the typecode's type (`runtime/atomic-slots.ts`), so values
 * wrap or round exactly as the thread-scope twin's do (a 300 stored in a
 * `'b'` element reads back 44). Arguments are checked by the caller; the hub
 * checks them again, so a bad call cannot corrupt the state.
 *
 * State: `slots` (the elements). No waits, no owners: nothing to release
 * when a caller ends. (The hub object of both kinds wraps this one in
 * `OwnedNumbers`, `value-ownership.ts`, which lends the elements to a
 * child process using them alone.)
 *
 * ## Ops
 *
 * | op                | args                          | answer                         |
 * |-------------------|-------------------------------|--------------------------------|
 * | `get`             | i                             | element i                      |
 * | `set`             | i, value                      | undefined                      |
 * | `add`             | i, delta                      | the new element (wrapped)      |
 * | `compareExchange` | i, expected, replacement      | the element found              |
 * | `toArray`         | —                             | every element                  |
 */
import { ErrorCode, invalidArg } from '../../errors.js';
import { atomicSlots, type AtomicSlots } from '../../runtime/atomic-slots.js';
import { checkElement, typeInfo, type TypeInfo } from '../../runtime/typecodes.js';
import { registerHubKind, type HubCall, type HubObject } from './call.js';
import { OwnedNumbers } from './value-ownership.js';
import type { OpName } from './ops.js';

type Num = number | bigint;

/** The ops of the table above. */
export const NUMBER_OPS: ReadonlySet<string> = new Set(['get', 'set', 'add', 'compareExchange', 'toArray']);

export class HubNumbers implements HubObject {
  readonly #info: TypeInfo;
  readonly #slots: AtomicSlots<Num>;

  get length(): number {
    return this.#slots.length;
  }

  constructor(info: TypeInfo, items: number | readonly Num[]) {
    this.#info = info;
    const length = typeof items === 'number' ? items : items.length;
    this.#slots = atomicSlots<Num>(info, new SharedArrayBuffer(Math.max(1, length) * info.bytes), length);
    if (typeof items !== 'number') items.forEach((item, i) => this.#slots.store(i, item));
  }

  call(op: OpName<'multiprocessing.SharedArray'>, call: HubCall): void {
    try {
      this.#answer(op, call);
    } catch (error) {
      call.fail(ErrorCode.InvalidArg, (error as Error).message);
    }
  }

  #answer(op: string, call: HubCall): void {
    if (!NUMBER_OPS.has(op)) return call.fail(ErrorCode.InvalidArg, `hub: a SharedArray has no op '${op}'`);
    call.reply(this.apply(op, call.args));
  }

  /** Runs one of `NUMBER_OPS`; answers its result. Throws `ERR_INVALID_ARG` for a bad argument. */
  apply(op: string, args: readonly unknown[]): unknown {
    switch (op) {
      case 'get': return this.#slots.load(this.#index(args[0]));
      case 'set': {
        const i = this.#index(args[0]);
        checkElement(this.#info, args[1]);
        this.#slots.store(i, args[1] as Num);
        return undefined;
      }
      case 'add': {
        const i = this.#index(args[0]);
        checkElement(this.#info, args[1], 'delta');
        return this.#slots.add(i, args[1] as Num);
      }
      case 'compareExchange': {
        const i = this.#index(args[0]);
        checkElement(this.#info, args[1], 'expected value');
        checkElement(this.#info, args[2], 'replacement');
        return this.#slots.compareExchange(i, args[1] as Num, args[2] as Num);
      }
      default: {
        const out: Num[] = [];
        for (let i = 0; i < this.#slots.length; i++) out.push(this.#slots.load(i));
        return out;
      }
    }
  }

  #index(index: unknown): number {
    const length = this.#slots.length;
    if (typeof index !== 'number' || !Number.isInteger(index) || index >= length || index < -length) {
      throw invalidArg(`shared: index ${String(index)} is out of range for a SharedArray of length ${length}`);
    }
    return index < 0 ? index + length : index;
  }

  callerGone(): void {
    // Nothing is held or waited for.
  }
}

/** Builds the state from the creator's [typecode, size or items]; throws `ERR_INVALID_ARG` for bad ones. */
export function createNumbers(args: readonly unknown[]): HubNumbers {
  const info = typeInfo(args[0]);
  const items = args[1];
  if (typeof items === 'number') {
    if (!Number.isInteger(items) || items < 0) throw invalidArg(`shared: a SharedArray's size must be a whole number, got ${items}`);
    return new HubNumbers(info, items);
  }
  if (!Array.isArray(items)) throw invalidArg('shared: a SharedArray takes a size or an array of initial elements', 'type');
  items.forEach((item, i) => checkElement(info, item, `element ${i}`));
  return new HubNumbers(info, items as Num[]);
}

// Its numbers migrate to the child process using them (`value-ownership.ts`).
registerHubKind('multiprocessing.SharedArray', (args) => new OwnedNumbers(createNumbers(args)));
