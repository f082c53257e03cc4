/**
 * `ListProxy`: a list served by a `Manager` to every thread of every process
 * of the tree — Python's `multiprocessing.managers.ListProxy`
 * (`manager.list()`). Values are anything the codec carries, copied on
 * every call, and weft objects (other proxies, locks, queues), which stay live.
 *
 * Every method is one atomic op in the hub (`backends/hub/list.ts`), in two
 * forms: `x()` returns a Promise, `xSync()` blocks the calling thread. So
 * `append` from any number of processes loses nothing. Python's semantics:
 * - negative indices count from the end; `get`/`set`/`pop` past either end
 *   throw `ERR_INDEX_OUT_OF_RANGE` (IndexError, as a RangeError); `insert`
 *   and `slice` clamp, as Python's do;
 * - `index`/`remove` of a value not in the list throw `ERR_NOT_FOUND`
 *   (Python's ValueError). Values compare equal when their encodings are:
 *   same structure, same primitives, object keys in the same order (the hub
 *   cannot run `==` on a user's values);
 * - `sort` takes Python's `{ key, reverse }` (or a JS comparator as
 *   `compare`); without either it orders as Python's `<` does — numbers and
 *   bigints by value, strings by code unit — and mixing them is a TypeError,
 *   not JS's string order. It runs here and writes back only if the list did
 *   not change meanwhile (else it sorts again): atomic, like every op;
 * - a value read is a copy: `(await l.get(0)).x = 1` does not change the
 *   shared list; `set` it back, or store a `DictProxy` (which is shared).
 */
import { LIST_KIND, type ListSnapshot } from '../backends/hub/list.js';
import { registerHandleKind } from '../codec/handles.js';
import { invalidArg } from '../errors.js';
import { attachProxy, BaseProxy, type ProxyHandleData } from './base-proxy.js';
import { decodeHubValue, encodeHubValue } from './hub-value-codec.js';

/** How `sort` orders: Python's `key` and `reverse`, or a JS comparator. */
export interface SortOptions<T> {
  /** Sort by `key(value)` (Python's `key=`), compared as Python's `<` does. */
  key?: (value: T) => unknown;
  /** A JS comparator instead (negative: a first), used as given; `key` then must be absent. */
  compare?: (a: T, b: T) => number;
  /** Largest first; equal values keep their order (Python's `reverse=True`). */
  reverse?: boolean;
}

/**
 * A list shared by every process of the tree, served by a `Manager`:
 * Python's `ListProxy`. Each method is atomic; `x()` is async, `xSync()` blocks.
 *
 * @example
 * ```ts
 * await using manager = new Manager();
 * const results = manager.list<number>([3, 1]);
 * await results.append(2);        // from any Process or Thread it is passed to
 * await results.sort();
 * console.log(await results.toArray()); // [1, 2, 3]
 * console.log(results.getSync(-1));     // 3
 * ```
 */
export class ListProxy<T = unknown> extends BaseProxy<'multiprocessing.managers.ListProxy'> implements AsyncIterable<T> {
  protected get kind(): string {
    return LIST_KIND;
  }

  /** Python's `len(l)`. */
  length(): Promise<number> {
    return this.callAsync('length', noArgs, asNumber);
  }

  /** As `length`, blocking. */
  lengthSync(): number {
    return this.callSync('length', [], asNumber);
  }

  /** Python's `l[i]` (negative from the end): a copy; `ERR_INDEX_OUT_OF_RANGE` past either end. */
  get(i: number): Promise<T> {
    return this.callAsync('get', () => [checkIndex(i)], decodeOne<T>);
  }

  /** As `get`, blocking. */
  getSync(i: number): T {
    return this.callSync('get', [checkIndex(i)], decodeOne<T>);
  }

  /** Python's `l[i] = value`; `ERR_INDEX_OUT_OF_RANGE` past either end. */
  set(i: number, value: T): Promise<void> {
    return this.callAsync('set', () => [checkIndex(i), encodeHubValue(value)], done);
  }

  /** As `set`, blocking. */
  setSync(i: number, value: T): void {
    this.callSync('set', [checkIndex(i), encodeHubValue(value)], done);
  }

  /** Adds a copy of `value` at the end (a weft object is stored as itself). */
  append(value: T): Promise<void> {
    return this.callAsync('append', () => [encodeHubValue(value)], done);
  }

  /** As `append`, blocking. */
  appendSync(value: T): void {
    this.callSync('append', [encodeHubValue(value)], done);
  }

  /** Adds every value of `values` at the end, in one atomic step. */
  extend(values: Iterable<T>): Promise<void> {
    return this.callAsync('extend', () => [encodeValues(values)], done);
  }

  /** As `extend`, blocking. */
  extendSync(values: Iterable<T>): void {
    this.callSync('extend', [encodeValues(values)], done);
  }

  /** Inserts before index `i` (negative from the end; clamped to the ends, as Python). */
  insert(i: number, value: T): Promise<void> {
    return this.callAsync('insert', () => [checkIndex(i), encodeHubValue(value)], done);
  }

  /** As `insert`, blocking. */
  insertSync(i: number, value: T): void {
    this.callSync('insert', [checkIndex(i), encodeHubValue(value)], done);
  }

  /** Removes and returns the value at `i` (default: the last); `ERR_INDEX_OUT_OF_RANGE` if there is none. */
  pop(i = -1): Promise<T> {
    return this.callAsync('pop', () => [checkIndex(i)], decodeOne<T>);
  }

  /** As `pop`, blocking. */
  popSync(i = -1): T {
    return this.callSync('pop', [checkIndex(i)], decodeOne<T>);
  }

  /** Removes the first value equal to `value`; `ERR_NOT_FOUND` if there is none. */
  remove(value: T): Promise<void> {
    return this.callAsync('remove', () => [encodeHubValue(value)], done);
  }

  /** As `remove`, blocking. */
  removeSync(value: T): void {
    this.callSync('remove', [encodeHubValue(value)], done);
  }

  /** The index of the first value equal to `value` in `[start, stop)`; `ERR_NOT_FOUND` if there is none. */
  index(value: T, start?: number, stop?: number): Promise<number> {
    return this.callAsync('index', () => indexArgs(value, start, stop), asNumber);
  }

  /** As `index`, blocking. */
  indexSync(value: T, start?: number, stop?: number): number {
    return this.callSync('index', indexArgs(value, start, stop), asNumber);
  }

  /** How many values are equal to `value`. */
  count(value: T): Promise<number> {
    return this.callAsync('count', () => [encodeHubValue(value)], asNumber);
  }

  /** As `count`, blocking. */
  countSync(value: T): number {
    return this.callSync('count', [encodeHubValue(value)], asNumber);
  }

  /** Python's `l[start:stop]`: copies of those values (negative from the end, clamped). */
  slice(start?: number, stop?: number): Promise<T[]> {
    return this.callAsync('slice', () => sliceArgs(start, stop), decodeAll<T>);
  }

  /** As `slice`, blocking. */
  sliceSync(start?: number, stop?: number): T[] {
    return this.callSync('slice', sliceArgs(start, stop), decodeAll<T>);
  }

  /** A copy of the whole list (Python's `l[:]`): one consistent snapshot. */
  toArray(): Promise<T[]> {
    return this.callAsync('toArray', noArgs, decodeAll<T>);
  }

  /** As `toArray`, blocking. */
  toArraySync(): T[] {
    return this.callSync('toArray', [], decodeAll<T>);
  }

  /** Reverses the list in place. */
  reverse(): Promise<void> {
    return this.callAsync('reverse', noArgs, done);
  }

  /** As `reverse`, blocking. */
  reverseSync(): void {
    this.callSync('reverse', [], done);
  }

  /** Removes every value. */
  clear(): Promise<void> {
    return this.callAsync('clear', noArgs, done);
  }

  /** As `clear`, blocking. */
  clearSync(): void {
    this.callSync('clear', [], done);
  }

  /**
   * Sorts the list in place, stably (see the header for the order). Atomic:
   * if another call changes the list while this one sorts, it sorts the new
   * contents again, so no update is lost.
   */
  async sort(options?: SortOptions<T>): Promise<void> {
    const order = comparator(options);
    for (;;) {
      const snapshot = await this.callAsync('snapshot', noArgs, (answer) => answer as ListSnapshot);
      const sorted = sortedOrder(snapshot.items, order);
      if (await this.callAsync('reorderIf', () => [snapshot.version, sorted], asBoolean)) return;
    }
  }

  /** As `sort`, blocking. */
  sortSync(options?: SortOptions<T>): void {
    const order = comparator(options);
    for (;;) {
      const snapshot = this.callSync('snapshot', [], (answer) => answer as ListSnapshot);
      if (this.callSync('reorderIf', [snapshot.version, sortedOrder(snapshot.items, order)], asBoolean)) return;
    }
  }

  /** Iterates over a snapshot of the values taken when iteration starts. */
  async *[Symbol.asyncIterator](): AsyncGenerator<T, void, undefined> {
    yield* await this.toArray();
  }

  /** Iterates over a snapshot of the values, blocking once to take it. */
  [Symbol.iterator](): Iterator<T> {
    return this.toArraySync()[Symbol.iterator]();
  }

  protected contentsSync(): unknown {
    return this.toArraySync();
  }

  /** @internal */
  static fromHandle(data: ProxyHandleData): ListProxy {
    return attachProxy(ListProxy, data);
  }
}

/** The values of `values` for the hub, encoded. Shared with the Manager's `list(init)`. */
export function encodeValues(values: unknown): Uint8Array[] {
  if (typeof values !== 'object' || values === null || !(Symbol.iterator in values)) throw invalidArg('managers: expected an iterable of values', 'type');
  return Array.from(values as Iterable<unknown>, (value) => encodeHubValue(value));
}

function checkIndex(i: unknown): number {
  if (!Number.isSafeInteger(i)) throw invalidArg(`managers: a list index must be an integer, got ${String(i)}`, 'type');
  return i as number;
}

function indexArgs(value: unknown, start: number | undefined, stop: number | undefined): unknown[] {
  return [encodeHubValue(value), start === undefined ? undefined : checkIndex(start), stop === undefined ? undefined : checkIndex(stop)];
}

function sliceArgs(start: number | undefined, stop: number | undefined): unknown[] {
  return [start === undefined ? undefined : checkIndex(start), stop === undefined ? undefined : checkIndex(stop)];
}

type Order = (a: unknown, b: unknown) => number;

function comparator<T>(options: SortOptions<T> | undefined): Order {
  if (options !== undefined && (typeof options !== 'object' || options === null)) throw invalidArg('managers: sort takes { key?, compare?, reverse? }', 'type');
  const { key, compare, reverse } = options ?? {};
  if (key !== undefined && typeof key !== 'function') throw invalidArg('managers: sort key must be a function', 'type');
  if (compare !== undefined && typeof compare !== 'function') throw invalidArg('managers: sort compare must be a function', 'type');
  if (key !== undefined && compare !== undefined) throw invalidArg('managers: sort takes key or compare, not both', 'type');
  const base: Order = compare !== undefined ? (compare as Order) : key !== undefined ? (a, b) => pythonLess(key(a as T), key(b as T)) : pythonLess;
  // Reversed by negating: the sort stays stable, so equal values keep their order, as Python's reverse=True.
  return reverse === true ? (a, b) => base(b, a) : base;
}

/** Python's `<` for the values it orders without a key: numbers and bigints together, strings together; else a TypeError. */
function pythonLess(a: unknown, b: unknown): number {
  const numeric = (v: unknown): boolean => typeof v === 'number' || typeof v === 'bigint';
  if ((numeric(a) && numeric(b)) || (typeof a === 'string' && typeof b === 'string')) {
    return (a as number) < (b as number) ? -1 : (a as number) > (b as number) ? 1 : 0;
  }
  throw invalidArg(`managers: sort cannot order ${describe(a)} and ${describe(b)} (as Python's '<'); pass { key } or { compare }`, 'type');
}

function describe(value: unknown): string {
  return value === null ? 'null' : typeof value;
}

/** The sorted order of the stored values, as the indices the hub permutes them by (the values stay in the hub as they are). */
function sortedOrder(items: Uint8Array[], order: Order): number[] {
  const decoded = items.map((bytes, i) => ({ value: decodeHubValue(bytes), i }));
  decoded.sort((a, b) => order(a.value, b.value));
  return decoded.map(({ i }) => i);
}

const noArgs = (): readonly unknown[] => [];
const done = (): void => undefined;
const asBoolean = (answer: unknown): boolean => answer === true;
const asNumber = (answer: unknown): number => answer as number;

function decodeOne<T>(answer: unknown): T {
  return decodeHubValue(answer as Uint8Array) as T;
}

function decodeAll<T>(answer: unknown): T[] {
  return (answer as Uint8Array[]).map((bytes) => decodeHubValue(bytes) as T);
}

Object.defineProperty(ListProxy, 'name', { value: 'ListProxy' });
registerHandleKind<ProxyHandleData>(LIST_KIND, (data) => ListProxy.fromHandle(data));
