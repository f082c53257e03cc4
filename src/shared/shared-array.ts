/**
 * `SharedArray`: a fixed-length array of numbers in shared memory —
 * Python's `multiprocessing.Array`, here shared by threads.
 *
 * Each element read or write is atomic by itself; `add`, `compareExchange`
 * and `update` are atomic read-modify-writes of one element. For anything
 * spanning several elements, hold `getLock()`. Indices may be negative, as
 * in Python (`get(-1)` is the last element).
 */
import { kHandle, attachHandle, registerHandleKind, type Handle, type Shareable } from '../codec/handles.js';
import { ErrorCode, invalidArg, misuse } from '../errors.js';
import { inspectSymbol } from '../runtime/owner.js';
import { kAttach } from '../sync/lock-protocol.js';
import { attach, Attached } from '../sync/attach.js';
import type { Lock } from '../sync/lock.js';
import type { RLock } from '../sync/rlock.js';
import { atomicSlots, updateSlot, type AtomicSlots } from '../runtime/atomic-slots.js';
import { lockFor, type LockOption } from './lock-option.js';
import { checkElement, typeInfo, type BigIntTypecode, type NumberTypecode, type TypeInfo, type Typecode } from '../runtime/typecodes.js';

interface SharedArrayHandleData {
  buffer: SharedArrayBuffer;
  typecode: Typecode;
  length: number;
  lock: Handle | null;
}

const HANDLE_KIND = 'threading.SharedArray';
const MAX_LENGTH = 2 ** 30;

export interface SharedArrayOptions {
  /** true (default: a new RLock), false (none), or a Lock/RLock to use. */
  lock?: LockOption;
}

/**
 * `new SharedArray(typecode, sizeOrItems, options?)`. The element type
 * follows the typecode: bigints for 64-bit integer codes, numbers otherwise.
 */
export interface SharedArrayConstructor {
  new (typecode: BigIntTypecode, sizeOrItems: number | Iterable<bigint>, options?: SharedArrayOptions): SharedArray<bigint>;
  new (typecode: NumberTypecode, sizeOrItems: number | Iterable<number>, options?: SharedArrayOptions): SharedArray<number>;
  /** With the type given: `new SharedArray<bigint>(code, 4)`. */
  new <T extends number | bigint>(typecode: Typecode, sizeOrItems: number | Iterable<T>, options?: SharedArrayOptions): SharedArray<T>;
  readonly prototype: SharedArray<number | bigint>;
}

class SharedNumbers<T extends number | bigint> implements Shareable, Iterable<T> {
  readonly typecode: Typecode;
  readonly #info: TypeInfo;
  readonly #slots: AtomicSlots<T>;
  readonly #lock: Lock | RLock | null;

  /**
   * @param typecode the element type
   * @param sizeOrItems a length (zero-filled) or the initial elements
   * @param options `lock`: true (default: a new RLock), false (none), or a Lock/RLock to use
   */
  constructor(typecode: Typecode, sizeOrItems: number | Iterable<T>, options?: SharedArrayOptions);
  constructor(typecode: Typecode | Attached<SharedArrayHandleData>, sizeOrItems: number | Iterable<T>, options?: SharedArrayOptions) {
    if (typecode instanceof Attached) {
      const data = typecode.core;
      this.typecode = data.typecode;
      this.#info = typeInfo(data.typecode);
      this.#slots = atomicSlots(this.#info, data.buffer, data.length);
      this.#lock = data.lock === null ? null : (attachHandle(data.lock) as Lock | RLock);
      return;
    }
    this.#info = typeInfo(typecode);
    this.typecode = typecode;
    const items = initialItems(this.#info, sizeOrItems);
    const length = typeof items === 'number' ? items : items.length;
    this.#lock = lockFor(options?.lock);
    this.#slots = atomicSlots(this.#info, new SharedArrayBuffer(length * this.#info.bytes), length);
    if (typeof items !== 'number') items.forEach((item, i) => this.#slots.store(i, item));
  }

  get length(): number {
    return this.#slots.length;
  }

  get(index: number): T {
    return this.#slots.load(this.#index(index));
  }

  set(index: number, value: T): void {
    const i = this.#index(index);
    checkElement(this.#info, value);
    this.#slots.store(i, value);
  }

  /** Adds `delta` to one element atomically; returns its new value. */
  add(index: number, delta: T): T {
    const i = this.#index(index);
    checkElement(this.#info, delta, 'delta');
    return this.#slots.add(i, delta);
  }

  /** Sets one element to `replacement` if it is `expected`; returns the value found. */
  compareExchange(index: number, expected: T, replacement: T): T {
    const i = this.#index(index);
    checkElement(this.#info, expected, 'expected value');
    checkElement(this.#info, replacement, 'replacement');
    return this.#slots.compareExchange(i, expected, replacement);
  }

  /** Replaces one element with `fn(element)` under the array's lock (if any); returns the new value. */
  update(index: number, fn: (value: T) => T): T {
    const i = this.#index(index);
    const apply = (): T => updateSlot(this.#slots, i, this.#info, fn);
    return this.#lock === null ? apply() : this.#lock.withLockSync(apply);
  }

  /** A copy of the elements (each read atomically; hold the lock for a consistent snapshot). */
  toArray(): T[] {
    const out: T[] = [];
    for (let i = 0; i < this.#slots.length; i++) out.push(this.#slots.load(i));
    return out;
  }

  *[Symbol.iterator](): Iterator<T> {
    for (let i = 0; i < this.#slots.length; i++) yield this.#slots.load(i);
  }

  /** The lock guarding this array. `ERR_NO_LOCK` if it was created with `lock: false`. */
  getLock(): Lock | RLock {
    if (this.#lock === null) {
      throw misuse(ErrorCode.NoLock, 'shared: this SharedArray was created with { lock: false } and has no lock; create it with lock: true or pass a Lock');
    }
    return this.#lock;
  }

  #index(index: number): number {
    const length = this.#slots.length;
    if (!Number.isInteger(index) || index >= length || index < -length) {
      throw invalidArg(`shared: index ${String(index)} is out of range for a SharedArray of length ${length}`);
    }
    return index < 0 ? index + length : index;
  }

  [kHandle](): Handle {
    const data: SharedArrayHandleData = {
      buffer: this.#slots.buffer,
      typecode: this.typecode,
      length: this.#slots.length,
      lock: this.#lock === null ? null : this.#lock[kHandle](),
    };
    return { kind: HANDLE_KIND, scope: 'thread', data };
  }

  [inspectSymbol](): string {
    const shown = this.toArray().slice(0, 20).map((v) => (typeof v === 'bigint' ? `${v}n` : String(v)));
    const more = this.length > 20 ? `, … ${this.length - 20} more` : '';
    return `<SharedArray ${this.#info.name}[${this.length}] [${shown.join(', ')}${more}]>`;
  }

  toString(): string {
    return this[inspectSymbol]();
  }

  static [kAttach](data: SharedArrayHandleData): SharedArray<number | bigint> {
    return attach(this, data);
  }
}
Object.defineProperty(SharedNumbers, 'name', { value: 'SharedArray' });

/**
 * A fixed-length numeric array shared between threads: Python's `multiprocessing.Array`.
 *
 * @example
 * ```ts
 * const histogram = new SharedArray('i', 10);   // ten zeros: a SharedArray<number>
 * histogram.add(3, 1);                          // atomic increment of element 3
 * console.log(histogram.toArray());
 * ```
 */
export const SharedArray = SharedNumbers as unknown as SharedArrayConstructor;
export type SharedArray<T extends number | bigint = number> = SharedNumbers<T>;

/** A SharedArray's length, or its checked initial elements (shared with the process-scope SharedArray). */
export function initialItems<T>(info: TypeInfo, sizeOrItems: number | Iterable<T>): number | T[] {
  if (typeof sizeOrItems === 'number') {
    if (!Number.isInteger(sizeOrItems) || sizeOrItems < 0 || sizeOrItems > MAX_LENGTH) {
      throw invalidArg(`shared: a SharedArray's size must be a whole number from 0 to ${MAX_LENGTH}, got ${sizeOrItems}`);
    }
    return sizeOrItems;
  }
  if (sizeOrItems === null || typeof (sizeOrItems as Partial<Iterable<T>>)?.[Symbol.iterator] !== 'function') {
    throw invalidArg('shared: a SharedArray takes a size or an iterable of initial elements', 'type');
  }
  const items = Array.from(sizeOrItems);
  items.forEach((item, i) => checkElement(info, item, `element ${i}`));
  return items;
}

registerHandleKind<SharedArrayHandleData>(HANDLE_KIND, (data) => SharedNumbers[kAttach](data));
