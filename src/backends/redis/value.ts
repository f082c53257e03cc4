/**
 * `Value` of the machine scope: one named, typed number shared by every
 * connection of a namespace — Python's `multiprocessing.Value`, with the
 * other scopes' methods (`add`, `compareExchange`, `update`, `getLock`),
 * every call async. Server side: value-lua.ts.
 *
 * `get()`/`set()` are each one atomic script. `add` and `compareExchange`
 * are atomic too (integers wrap like the C type, `float32` rounds), so
 * `add(1)` from many machines never loses an update. `update(fn)` is a
 * read-modify-write under the value's lock: a machine-scope RLock named
 * `value:<name>` by default, or the Lock/RLock given; with `lock: false`
 * it stores with compare-and-swap and runs `fn` again if another writer
 * got in first.
 *
 * The type and the first value are set by the first call to reach the
 * server; opening the name with another typecode fails (`ERR_INVALID_ARG`),
 * and `initial` is ignored once the value exists.
 */
import { ErrorCode, invalidArg, misuse, TimeoutError } from '../../errors.js';
import { checkElement, typeInfo, type BigIntTypecode, type NumberTypecode, type TypeInfo, type Typecode } from '../../runtime/typecodes.js';
import { checkWaitOptions, type WaitOptions } from '../../runtime/options.js';
import { checkName, objectId } from './keys.js';
import { Lock, RLock, type RedisObjectOptions } from './lock.js';
import type { RedisScope } from './scope.js';
import { checkScope } from './scope-option.js';
import { VALUE_ADD, VALUE_CAS, VALUE_GET, VALUE_SET } from './value-lua.js';

/** Options of a machine-scope Value. */
export interface RedisValueOptions<T extends number | bigint = number | bigint> extends RedisObjectOptions {
  /** The value it starts with if the name is new (default 0). */
  initial?: T;
  /** true (default: the RLock named `value:<name>`), false (none), or a weft/redis Lock/RLock to use. */
  lock?: boolean | Lock | RLock;
}

/**
 * `new Value(name, typecode, { redis, initial?, lock? })`. The type of the
 * value follows the typecode: a `Value<bigint>` for 64-bit integer codes,
 * a `Value<number>` for the others.
 */
export interface RedisValueConstructor {
  new (name: string, typecode: BigIntTypecode, options: RedisValueOptions<bigint>): Value<bigint>;
  new (name: string, typecode: NumberTypecode, options: RedisValueOptions<number>): Value<number>;
  new <T extends number | bigint>(name: string, typecode: Typecode, options: RedisValueOptions<T>): Value<T>;
  readonly prototype: Value<number | bigint>;
}

const MISMATCH = -1;
const INT_ARRAYS = { int8: Int8Array, uint8: Uint8Array, int16: Int16Array, uint16: Uint16Array, int32: Int32Array, uint32: Uint32Array } as const;

class RedisValue<T extends number | bigint> {
  /** The value's name in its namespace. */
  readonly name: string;
  readonly typecode: Typecode;
  readonly #info: TypeInfo;
  readonly #scope: RedisScope;
  readonly #oid: string;
  readonly #initial: string;
  readonly #lock: Lock | RLock | null;

  constructor(name: string, typecode: Typecode, options: RedisValueOptions<T>) {
    this.name = checkName(name, 'a value name');
    this.#scope = checkScope(options);
    this.#info = typeInfo(typecode);
    this.typecode = typecode;
    const initial = options.initial ?? ((this.#info.kind === 'bigint' ? 0n : 0) as T);
    checkElement(this.#info, initial, 'initial value');
    this.#initial = this.#encode(initial);
    this.#oid = objectId('value', name);
    const lock = options.lock ?? true;
    if (lock === true) this.#lock = new RLock(`value:${name}`, { redis: this.#scope });
    else if (lock === false) this.#lock = null;
    else if (lock instanceof Lock || lock instanceof RLock) this.#lock = lock;
    else throw invalidArg('redis: the lock option must be true, false, or a weft/redis Lock/RLock', 'type');
  }

  /** The current value (one atomic read). */
  async get(): Promise<T> {
    return this.#decode(await this.#run(VALUE_GET, []));
  }

  /** Stores `value` (one atomic write; integers wrap like the C type). */
  async set(value: T): Promise<void> {
    checkElement(this.#info, value);
    await this.#run(VALUE_SET, [this.#encode(value)]);
  }

  /** The lock guarding this value. `ERR_NO_LOCK` if it was created with `lock: false`. */
  getLock(): Lock | RLock {
    if (this.#lock === null) {
      throw misuse(ErrorCode.NoLock, `redis: Value '${this.name}' was created with { lock: false } and has no lock; create it with lock: true or pass a Lock`);
    }
    return this.#lock;
  }

  /** Adds `delta` atomically (wrapping like the C type) and returns the new value. */
  async add(delta: T): Promise<T> {
    checkElement(this.#info, delta, 'delta');
    if (this.#info.kind !== 'bigint') return this.#decode(await this.#run(VALUE_ADD, [this.#encode(delta)]));
    // Lua's numbers are doubles: 64-bit sums are made here and stored by compare-and-swap.
    for (let found = await this.get(); ; ) {
      const next = this.#wrapBig((found as bigint) + (delta as bigint)) as T;
      const seen = await this.compareExchange(found, next);
      if (seen === found) return next;
      found = seen;
    }
  }

  /** Stores `replacement` if the value equals `expected`, atomically; returns the value found. */
  async compareExchange(expected: T, replacement: T): Promise<T> {
    checkElement(this.#info, expected, 'expected value');
    checkElement(this.#info, replacement, 'replacement');
    return this.#decode(await this.#run(VALUE_CAS, [this.#encode(expected), this.#encode(replacement)]));
  }

  /**
   * Replaces the value with `fn(value)` (which may be async) and returns it,
   * holding the value's lock so that updaters on every machine run one at
   * a time. Rejects with `TimeoutError` if the lock is not taken within
   * `timeout` ms, and with `signal.reason` if `signal` aborts first (the
   * value untouched either way). Without a lock (`lock: false`) the result
   * is stored with compare-and-swap and `fn` runs again if another writer
   * got in meanwhile.
   */
  async update(fn: (value: T) => T | Promise<T>, options?: WaitOptions): Promise<T> {
    if (typeof fn !== 'function') throw invalidArg('redis: update needs a function', 'type');
    const checked = checkWaitOptions(options);
    checked.signal?.throwIfAborted();
    if (this.#lock === null) {
      for (let found = await this.get(); ; ) {
        const next = await fn(found);
        checkElement(this.#info, next, 'result of fn');
        const seen = await this.compareExchange(found, next);
        if (seen === found || (Number.isNaN(seen) && Number.isNaN(found))) return this.#decode(this.#encode(next));
        found = seen;
      }
    }
    if (!(await this.#lock.acquire(checked))) {
      throw new TimeoutError(`redis: could not take the lock of Value '${this.name}' within ${checked.timeout} ms`);
    }
    try {
      const next = await fn(await this.get());
      checkElement(this.#info, next, 'result of fn');
      await this.#run(VALUE_SET, [this.#encode(next)]);
      return this.#decode(this.#encode(next));
    } finally {
      await this.#lock.release();
    }
  }

  /** The same as `update` (the other scopes' name for its awaiting form). */
  updateAsync(fn: (value: T) => T | Promise<T>, options?: WaitOptions): Promise<T> {
    return this.update(fn, options);
  }

  toString(): string {
    return `<Value '${this.name}' ${this.#info.name}>`;
  }

  async #run(s: Parameters<RedisScope['run']>[0], args: ReadonlyArray<string>): Promise<string> {
    const answer = await this.#scope.run<string | number>(s, this.#oid, [this.#info.name, this.#initial, ...args]);
    if (answer === MISMATCH) throw invalidArg(`redis: Value '${this.name}' already exists in this namespace with another type than ${this.#info.name}`);
    return String(answer);
  }

  #wrapBig(value: bigint): bigint {
    return this.#info.name === 'bigint64' ? BigInt.asIntN(64, value) : BigInt.asUintN(64, value);
  }

  /** The decimal form the server stores: wrapped or rounded to the type first. */
  #encode(value: T): string {
    const info = this.#info;
    if (info.kind === 'bigint') return this.#wrapBig(value as bigint).toString();
    const x = value as number;
    if (info.kind === 'int') return String(INT_ARRAYS[info.name as keyof typeof INT_ARRAYS].of(x)[0]);
    const y = info.name === 'float32' ? Math.fround(x) : x;
    if (Number.isNaN(y)) return 'nan';
    if (y === Infinity) return 'inf';
    if (y === -Infinity) return '-inf';
    return String(y);
  }

  #decode(text: string): T {
    if (this.#info.kind === 'bigint') return BigInt(text) as T;
    if (text === 'inf') return Infinity as T;
    if (text === '-inf') return -Infinity as T;
    if (text === 'nan' || text === '-nan') return NaN as T;
    return Number(text) as T;
  }
}
Object.defineProperty(RedisValue, 'name', { value: 'Value' });

/**
 * A number shared across machines: Python's `multiprocessing.Value`, named.
 *
 * @example
 * ```ts
 * import { connect, Value } from 'weft/redis';
 * const redis = await connect({ namespace: 'shop' });
 * const sold = new Value('sold', 'i', { redis });   // int32, 0 if new
 * await sold.add(1);                                // atomic across machines
 * await sold.update((n) => Math.min(n, 100));       // read-modify-write under its lock
 * console.log(await sold.get());
 * ```
 */
export const Value = RedisValue as unknown as RedisValueConstructor;
export type Value<T extends number | bigint = number> = RedisValue<T>;
