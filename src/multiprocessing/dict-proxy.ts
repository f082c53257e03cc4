/**
 * `DictProxy`: a dict served by a `Manager` to every thread of every process
 * of the tree — Python's `multiprocessing.managers.DictProxy`
 * (`manager.dict()`). Keys are strings; values are anything the codec
 * carries, copied on every call, and weft objects (other proxies, locks,
 * queues), which stay live.
 *
 * Every method is one atomic op in the hub (`backends/hub/dict.ts`), in two
 * forms: `x()` returns a Promise, `xSync()` blocks the calling thread.
 * Python's semantics, and where they differ:
 * - `get(key)` answers undefined for a missing key (Python's None) or the
 *   default given; `getItem(key)` is Python's `d[key]` and throws
 *   `ERR_NOT_FOUND` (KeyError, as a RangeError);
 * - `pop(key)` without a default and `popitem()` on an empty dict throw
 *   `ERR_NOT_FOUND`, as Python's KeyError;
 * - `delete(key)` answers whether the key was there (as a JS Map does)
 *   where Python's `del d[key]` raises KeyError;
 * - a value read is a copy: `(await d.get('a')).push(1)` does not change the
 *   shared dict; store it back, or store a `ListProxy` (which is shared).
 */
import { DICT_KIND } from '../backends/hub/dict.js';
import { registerHandleKind } from '../codec/handles.js';
import { ErrorCode, invalidArg } from '../errors.js';
import { attachProxy, BaseProxy, notFound, type ProxyHandleData } from './base-proxy.js';
import { decodeHubValue, encodeHubValue } from './hub-value-codec.js';

/** What a dict is made from or updated with: an object's own entries, a Map, [key, value] pairs, or another managed dict. */
export type DictInit<V> = Record<string, V> | Iterable<readonly [string, V]> | DictProxy<V>;

/**
 * A dict shared by every process of the tree, served by a `Manager`:
 * Python's `DictProxy`. Each method is atomic; `x()` is async, `xSync()` blocks.
 *
 * @example
 * ```ts
 * await using manager = new Manager();
 * const scores = manager.dict<number>({ ada: 1 });
 * await scores.set('grace', 2);          // pass `scores` to Processes: the same dict
 * console.log(await scores.get('ada'));  // 1
 * console.log(scores.keysSync());        // ['ada', 'grace']
 * ```
 */
export class DictProxy<V = unknown> extends BaseProxy<'multiprocessing.managers.DictProxy'> implements AsyncIterable<string> {
  protected get kind(): string {
    return DICT_KIND;
  }

  /** The value under `key`, or `fallback` (undefined if not given) when there is none. A copy. */
  get(key: string): Promise<V | undefined>;
  get<D>(key: string, fallback: D): Promise<V | D>;
  get(key: string, fallback?: unknown): Promise<unknown> {
    return this.callAsync('get', () => [checkKey(key)], (answer) => (answer === null ? fallback : decodeHubValue(answer as Uint8Array)));
  }

  /** As `get`, blocking. */
  getSync(key: string): V | undefined;
  getSync<D>(key: string, fallback: D): V | D;
  getSync(key: string, fallback?: unknown): unknown {
    return this.callSync('get', [checkKey(key)], (answer) => (answer === null ? fallback : decodeHubValue(answer as Uint8Array)));
  }

  /** Python's `d[key]`: the value under `key`; throws `ERR_NOT_FOUND` (KeyError) if there is none. */
  getItem(key: string): Promise<V> {
    return this.callAsync('get', () => [checkKey(key)], (answer) => required<V>(answer, key));
  }

  /** As `getItem`, blocking. */
  getItemSync(key: string): V {
    return this.callSync('get', [checkKey(key)], (answer) => required<V>(answer, key));
  }

  /** Stores a copy of `value` under `key` (a weft object is stored as itself). */
  set(key: string, value: V): Promise<void> {
    return this.callAsync('set', () => [checkKey(key), encodeHubValue(value)], done);
  }

  /** As `set`, blocking. */
  setSync(key: string, value: V): void {
    this.callSync('set', [checkKey(key), encodeHubValue(value)], done);
  }

  /** Removes `key`; true if it was there. */
  delete(key: string): Promise<boolean> {
    return this.callAsync('delete', () => [checkKey(key)], asBoolean);
  }

  /** As `delete`, blocking. */
  deleteSync(key: string): boolean {
    return this.callSync('delete', [checkKey(key)], asBoolean);
  }

  /** Python's `key in d`. */
  has(key: string): Promise<boolean> {
    return this.callAsync('has', () => [checkKey(key)], asBoolean);
  }

  /** As `has`, blocking. */
  hasSync(key: string): boolean {
    return this.callSync('has', [checkKey(key)], asBoolean);
  }

  /** The keys now, in insertion order (a snapshot). */
  keys(): Promise<string[]> {
    return this.callAsync('keys', noArgs, asKeys);
  }

  /** As `keys`, blocking. */
  keysSync(): string[] {
    return this.callSync('keys', [], asKeys);
  }

  /** Copies of the values, in insertion order. */
  values(): Promise<V[]> {
    return this.callAsync('values', noArgs, decodeAll<V>);
  }

  /** As `values`, blocking. */
  valuesSync(): V[] {
    return this.callSync('values', [], decodeAll<V>);
  }

  /** `[key, value]` pairs, in insertion order: one consistent snapshot. */
  items(): Promise<[string, V][]> {
    return this.callAsync('items', noArgs, decodeEntries<V>);
  }

  /** As `items`, blocking. */
  itemsSync(): [string, V][] {
    return this.callSync('items', [], decodeEntries<V>);
  }

  /** Python's `len(d)`. */
  size(): Promise<number> {
    return this.callAsync('size', noArgs, asNumber);
  }

  /** As `size`, blocking. */
  sizeSync(): number {
    return this.callSync('size', [], asNumber);
  }

  /** Removes every entry. */
  clear(): Promise<void> {
    return this.callAsync('clear', noArgs, done);
  }

  /** As `clear`, blocking. */
  clearSync(): void {
    this.callSync('clear', [], done);
  }

  /** Sets every entry of `other` in one atomic step (no reader sees half of them); later entries win. */
  update(other: DictInit<V>): Promise<void> {
    return this.callAsync('update', () => [encodeEntries(other)], done);
  }

  /** As `update`, blocking. */
  updateSync(other: DictInit<V>): void {
    this.callSync('update', [encodeEntries(other)], done);
  }

  /** Removes `key` and returns its value; without `fallback`, a missing key throws `ERR_NOT_FOUND` (KeyError). */
  pop(key: string): Promise<V>;
  pop<D>(key: string, fallback: D): Promise<V | D>;
  pop(key: string, ...fallback: unknown[]): Promise<unknown> {
    return this.callAsync('pop', () => [checkKey(key)], (answer) => orFallback(answer, key, fallback));
  }

  /** As `pop`, blocking. */
  popSync(key: string): V;
  popSync<D>(key: string, fallback: D): V | D;
  popSync(key: string, ...fallback: unknown[]): unknown {
    return this.callSync('pop', [checkKey(key)], (answer) => orFallback(answer, key, fallback));
  }

  /** Removes and returns the last inserted entry (LIFO, as Python); an empty dict throws `ERR_NOT_FOUND`. */
  popitem(): Promise<[string, V]> {
    return this.callAsync('popitem', noArgs, decodeLastItem<V>);
  }

  /** As `popitem`, blocking. */
  popitemSync(): [string, V] {
    return this.callSync('popitem', [], decodeLastItem<V>);
  }

  /** The value under `key`; if there is none, stores `fallback` there first and returns it. Atomic. */
  setdefault(key: string, fallback: V): Promise<V> {
    return this.callAsync('setdefault', () => [checkKey(key), encodeHubValue(fallback)], (answer) => decodeHubValue(answer as Uint8Array) as V);
  }

  /** As `setdefault`, blocking. */
  setdefaultSync(key: string, fallback: V): V {
    return this.callSync('setdefault', [checkKey(key), encodeHubValue(fallback)], (answer) => decodeHubValue(answer as Uint8Array) as V);
  }

  /**
   * Adds `delta` to the number under `key` in one atomic step and returns
   * the sum; a missing key counts as 0 (as a `collections.Counter`). Python's
   * `d[k] += 1` through a proxy is a get and a set, and loses updates between
   * processes; this does not. A value that is not a number: `ERR_INVALID_ARG`.
   */
  increment(key: string, delta = 1): Promise<number> {
    return this.callAsync('increment', () => [checkKey(key), checkDelta(delta)], asNumber);
  }

  /** As `increment`, blocking. */
  incrementSync(key: string, delta = 1): number {
    return this.callSync('increment', [checkKey(key), checkDelta(delta)], asNumber);
  }

  /**
   * Replaces the value under `key` with `fn(value)` (`undefined` if absent)
   * and returns what it stored — atomically: `fn` runs here, and the result
   * is stored only if the value did not change meanwhile, else `fn` runs
   * again on the newer value (so it should have no side effects). The way to
   * change a nested plain value in place: `d.modify('log', (log = []) => [...log, entry])`.
   */
  async modify(key: string, fn: (value: V | undefined) => V | Promise<V>): Promise<V> {
    checkKey(key);
    checkFunction(fn);
    for (;;) {
      const found = await this.callAsync('get', () => [key], asStored);
      const next = await fn(found === null ? undefined : (decodeHubValue(found) as V));
      if (await this.callAsync('compareAndSet', () => [key, found, encodeHubValue(next)], asBoolean)) return next;
    }
  }

  /** As `modify`, blocking; `fn` must return the value itself. */
  modifySync(key: string, fn: (value: V | undefined) => V): V {
    checkKey(key);
    checkFunction(fn);
    for (;;) {
      const found = this.callSync('get', [key], asStored);
      const next = fn(found === null ? undefined : (decodeHubValue(found) as V));
      if (this.callSync('compareAndSet', [key, found, encodeHubValue(next)], asBoolean)) return next;
    }
  }

  /** A plain-object copy of the whole dict (Python's `d.copy()`): one consistent snapshot. */
  async toObject(): Promise<Record<string, V>> {
    return Object.fromEntries(await this.items());
  }

  /** As `toObject`, blocking. */
  toObjectSync(): Record<string, V> {
    return Object.fromEntries(this.itemsSync());
  }

  /** Iterates over a snapshot of the keys taken when iteration starts (Python's `for k in d`, without its error on a change). */
  async *[Symbol.asyncIterator](): AsyncGenerator<string, void, undefined> {
    yield* await this.keys();
  }

  /** Iterates over a snapshot of the keys, blocking once to take it. */
  [Symbol.iterator](): Iterator<string> {
    return this.keysSync()[Symbol.iterator]();
  }

  protected contentsSync(): unknown {
    return this.toObjectSync();
  }

  /** @internal */
  static fromHandle(data: ProxyHandleData): DictProxy {
    return attachProxy(DictProxy, data);
  }
}

/** The entries of `init` for the hub: keys checked, values encoded. Shared with `Namespace`. */
export function encodeEntries(init: unknown): [string, Uint8Array][] {
  // Another managed dict: its entries (one blocking call), as Python's d.update(other_proxy) reads other's keys.
  if (init instanceof DictProxy) return encodeEntries(init.itemsSync());
  if (typeof init !== 'object' || init === null) throw invalidArg('managers: expected an object, a Map or an iterable of [key, value] pairs', 'type');
  const pairs: Iterable<unknown> = Symbol.iterator in init ? (init as Iterable<unknown>) : Object.entries(init);
  const entries: [string, Uint8Array][] = [];
  for (const pair of pairs) {
    if (!Array.isArray(pair) || pair.length !== 2) throw invalidArg('managers: expected [key, value] pairs', 'type');
    entries.push([checkKey(pair[0]), encodeHubValue(pair[1])]);
  }
  return entries;
}

export function checkKey(key: unknown): string {
  if (typeof key !== 'string') throw invalidArg(`managers: a key must be a string, got ${typeof key}`, 'type');
  return key;
}

const noArgs = (): readonly unknown[] => [];
const asStored = (answer: unknown): Uint8Array | null => answer as Uint8Array | null;

function checkDelta(delta: unknown): number {
  if (typeof delta !== 'number') throw invalidArg(`managers: increment takes a number, got ${typeof delta}`, 'type');
  return delta;
}

function checkFunction(fn: unknown): void {
  if (typeof fn !== 'function') throw invalidArg('managers: modify takes a function of the old value', 'type');
}
const done = (): void => undefined;
const asBoolean = (answer: unknown): boolean => answer === true;
const asNumber = (answer: unknown): number => answer as number;
const asKeys = (answer: unknown): string[] => answer as string[];

function decodeAll<V>(answer: unknown): V[] {
  return (answer as Uint8Array[]).map((bytes) => decodeHubValue(bytes) as V);
}

function decodeEntries<V>(answer: unknown): [string, V][] {
  return (answer as [string, Uint8Array][]).map(([key, bytes]) => [key, decodeHubValue(bytes) as V]);
}

function decodeLastItem<V>(answer: unknown): [string, V] {
  if (answer === null) throw notFound(ErrorCode.NotFound, 'managers: popitem(): dictionary is empty');
  const [key, bytes] = answer as [string, Uint8Array];
  return [key, decodeHubValue(bytes) as V];
}

function required<V>(answer: unknown, key: string): V {
  if (answer === null) throw notFound(ErrorCode.NotFound, `managers: key ${JSON.stringify(key)} not found`);
  return decodeHubValue(answer as Uint8Array) as V;
}

function orFallback(answer: unknown, key: string, fallback: unknown[]): unknown {
  if (answer !== null) return decodeHubValue(answer as Uint8Array);
  if (fallback.length > 0) return fallback[0];
  throw notFound(ErrorCode.NotFound, `managers: key ${JSON.stringify(key)} not found`);
}

Object.defineProperty(DictProxy, 'name', { value: 'DictProxy' });
registerHandleKind<ProxyHandleData>(DICT_KIND, (data) => DictProxy.fromHandle(data));
