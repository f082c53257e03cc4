/**
 * `SharedArray`: a fixed-length array of numbers shared by every thread of
 * every process of the tree — Python's `multiprocessing.Array`, with the API
 * of `weft/threading`'s `SharedArray`.
 *
 * How it differs from its thread-scope twin: the elements live in the hub
 * (`backends/hub/shared-array.ts`), so each `get`/`set`/`add` is a blocking
 * round trip (tens of µs); `toArray()` and iteration fetch every element in
 * one round trip, as one consistent snapshot. `add` and `compareExchange`
 * are atomic in the hub; `update` runs `fn` in the caller under
 * `getLock()`. Negative indices count from the end, as in Python.
 */
import { hubCreate } from '../backends/hub/client.js';
import { attachHandle, kHandle, registerHandleKind, type Handle, type Shareable } from '../codec/handles.js';
import { ErrorCode, invalidArg, misuse } from '../errors.js';
import { inspectSymbol } from '../runtime/owner.js';
import { initialItems } from '../shared/shared-array.js';
import { typeInfo, type BigIntTypecode, type NumberTypecode, type TypeInfo, type Typecode } from '../runtime/typecodes.js';
import { hubHandle, kHubId, type HubBacked } from '../backends/hub/hub-object.js';
import type { Lock } from './lock.js';
import { processLockFor, type ProcessLockOption } from './lock-option.js';
import { HubNumbersClient } from './numbers-client.js';
import { attach, Attached } from '../sync/attach.js';
import type { RLock } from './rlock.js';

const KIND = 'multiprocessing.SharedArray';

interface SharedArrayHandleData {
  readonly id: number;
  readonly typecode: Typecode;
  readonly length: number;
  readonly lock: Handle | null;
}

export interface ProcessSharedArrayOptions {
  /** true (default: a new process-scope RLock), false (none), or a process-scope Lock/RLock to use. */
  lock?: ProcessLockOption;
}

/** `new SharedArray(typecode, sizeOrItems, options?)`: bigints for 64-bit integer codes, numbers otherwise. */
export interface ProcessSharedArrayConstructor {
  new (typecode: BigIntTypecode, sizeOrItems: number | Iterable<bigint>, options?: ProcessSharedArrayOptions): SharedArray<bigint>;
  new (typecode: NumberTypecode, sizeOrItems: number | Iterable<number>, options?: ProcessSharedArrayOptions): SharedArray<number>;
  new <T extends number | bigint>(typecode: Typecode, sizeOrItems: number | Iterable<T>, options?: ProcessSharedArrayOptions): SharedArray<T>;
  readonly prototype: SharedArray<number | bigint>;
}

class HubArray<T extends number | bigint> implements Shareable, HubBacked, Iterable<T> {
  readonly typecode: Typecode;
  readonly length: number;
  readonly #info: TypeInfo;
  readonly #numbers: HubNumbersClient<T>;
  readonly #lock: Lock | RLock | null;

  constructor(typecode: Typecode, sizeOrItems: number | Iterable<T>, options?: ProcessSharedArrayOptions);
  constructor(typecode: Typecode | Attached<SharedArrayHandleData>, sizeOrItems: number | Iterable<T>, options?: ProcessSharedArrayOptions) {
    if (typecode instanceof Attached) {
      const data = typecode.core;
      this.typecode = data.typecode;
      this.length = data.length;
      this.#info = typeInfo(data.typecode);
      this.#numbers = new HubNumbersClient<T>(data.id, this.#info, data.typecode);
      this.#lock = data.lock === null ? null : (attachHandle(data.lock) as Lock | RLock);
      return;
    }
    this.#info = typeInfo(typecode);
    this.typecode = typecode;
    const items = initialItems(this.#info, sizeOrItems);
    this.length = typeof items === 'number' ? items : items.length;
    this.#lock = processLockFor(options?.lock);
    this.#numbers = new HubNumbersClient<T>(hubCreate(KIND, [typecode, items], this), this.#info, typecode);
  }

  get(index: number): T {
    return this.#numbers.get(this.#index(index));
  }

  set(index: number, value: T): void {
    this.#numbers.set(this.#index(index), value);
  }

  /** Adds `delta` to one element atomically; returns its new value. */
  add(index: number, delta: T): T {
    return this.#numbers.add(this.#index(index), delta);
  }

  /** Sets one element to `replacement` if it is `expected`; returns the value found. */
  compareExchange(index: number, expected: T, replacement: T): T {
    return this.#numbers.compareExchange(this.#index(index), expected, replacement);
  }

  /** Replaces one element with `fn(element)` under the array's lock (if any); returns the new value. */
  update(index: number, fn: (value: T) => T): T {
    return this.#numbers.update(this.#index(index), fn, this.#lock);
  }

  /** A copy of the elements, taken in one step of the hub (a consistent snapshot). */
  toArray(): T[] {
    return this.#numbers.toArray();
  }

  [Symbol.iterator](): Iterator<T> {
    return this.toArray()[Symbol.iterator]();
  }

  /** The lock guarding this array. `ERR_NO_LOCK` if it was created with `lock: false`. */
  getLock(): Lock | RLock {
    if (this.#lock === null) {
      throw misuse(ErrorCode.NoLock, 'shared: this SharedArray was created with { lock: false } and has no lock; create it with lock: true or pass a Lock');
    }
    return this.#lock;
  }

  #index(index: number): number {
    if (!Number.isInteger(index) || index >= this.length || index < -this.length) {
      throw invalidArg(`shared: index ${String(index)} is out of range for a SharedArray of length ${this.length}`);
    }
    return index < 0 ? index + this.length : index;
  }

  get [kHubId](): number {
    return this.#numbers.id;
  }

  [kHandle](): Handle {
    const data: SharedArrayHandleData = {
      id: this.#numbers.id, typecode: this.typecode, length: this.length, lock: this.#lock === null ? null : this.#lock[kHandle](),
    };
    return hubHandle(KIND, data);
  }

  [inspectSymbol](): string {
    const shown = this.toArray().slice(0, 20).map((v) => (typeof v === 'bigint' ? `${v}n` : String(v)));
    const more = this.length > 20 ? `, … ${this.length - 20} more` : '';
    return `<SharedArray ${this.#info.name}[${this.length}] [${shown.join(', ')}${more}]>`;
  }

  toString(): string {
    return this[inspectSymbol]();
  }

  static fromHandle(data: SharedArrayHandleData): HubArray<number | bigint> {
    return attach(HubArray, data);
  }
}
Object.defineProperty(HubArray, 'name', { value: 'SharedArray' });

/**
 * A fixed-length numeric array shared by threads and processes: Python's `multiprocessing.Array`.
 *
 * @example
 * ```ts
 * const histogram = new SharedArray('i', 10);   // ten zeros, in the hub
 * histogram.add(3, 1);                          // atomic across processes
 * console.log(histogram.toArray());
 * ```
 */
export const SharedArray = HubArray as unknown as ProcessSharedArrayConstructor;
export type SharedArray<T extends number | bigint = number> = HubArray<T>;

registerHandleKind<SharedArrayHandleData>(KIND, (data) => HubArray.fromHandle(data));
