/**
 * `Value`: one number shared by every thread of every process of the tree —
 * Python's `multiprocessing.Value`, with the API of `weft/threading`'s `Value`.
 *
 * How it differs from its thread-scope twin: the number lives in the hub
 * (`backends/hub/value.ts`), not in shared memory, so reading or writing
 * `.value` is a blocking round trip to it (tens of µs, not ns). `add` and
 * `compareExchange` are atomic in the hub — Python's `v.value += 1` loses
 * updates between processes (cpython#106691); these do not. `update(fn)`
 * runs `fn` in the caller, under `getLock()` (a process-scope RLock by
 * default), and writes by compare-and-swap. Values wrap to the typecode as
 * the thread-scope twin's do (a 300 stored in a `'b'` Value reads 44).
 */
import { hubCreate } from '../backends/hub/client.js';
import { attachHandle, kHandle, registerHandleKind, type Handle, type Shareable } from '../codec/handles.js';
import { ErrorCode, invalidArg, misuse } from '../errors.js';
import { checkWaitOptions, type WaitOptions } from '../runtime/options.js';
import { inspectSymbol } from '../runtime/owner.js';
import { checkElement, typeInfo, type BigIntTypecode, type NumberTypecode, type TypeInfo, type Typecode } from '../runtime/typecodes.js';
import { hubHandle, kHubId, type HubBacked } from '../backends/hub/hub-object.js';
import { attach, Attached } from '../sync/attach.js';
import type { Lock } from './lock.js';
import { processLockFor, type ProcessLockOption } from './lock-option.js';
import { HubNumbersClient } from './numbers-client.js';
import type { RLock } from './rlock.js';

const KIND = 'multiprocessing.Value';

interface ValueHandleData {
  readonly id: number;
  readonly typecode: Typecode;
  readonly lock: Handle | null;
}

export interface ProcessValueOptions {
  /** true (default: a new process-scope RLock), false (none), or a process-scope Lock/RLock to use. */
  lock?: ProcessLockOption;
}

/** `new Value(typecode, initial?, options?)`: a `Value<bigint>` for 64-bit integer codes, a `Value<number>` for the others. */
export interface ProcessValueConstructor {
  new (typecode: BigIntTypecode, initial?: bigint, options?: ProcessValueOptions): Value<bigint>;
  new (typecode: NumberTypecode, initial?: number, options?: ProcessValueOptions): Value<number>;
  new <T extends number | bigint>(typecode: Typecode, initial?: T, options?: ProcessValueOptions): Value<T>;
  readonly prototype: Value<number | bigint>;
}

class HubValue<T extends number | bigint> implements Shareable, HubBacked {
  readonly typecode: Typecode;
  readonly #info: TypeInfo;
  readonly #numbers: HubNumbersClient<T>;
  readonly #lock: Lock | RLock | null;

  constructor(typecode: Typecode, initial?: T, options?: ProcessValueOptions);
  constructor(typecode: Typecode | Attached<ValueHandleData>, initial?: T, options?: ProcessValueOptions) {
    if (typecode instanceof Attached) {
      const data = typecode.core;
      this.typecode = data.typecode;
      this.#info = typeInfo(data.typecode);
      this.#numbers = new HubNumbersClient<T>(data.id, this.#info, data.typecode);
      this.#lock = data.lock === null ? null : (attachHandle(data.lock) as Lock | RLock);
      return;
    }
    this.#info = typeInfo(typecode);
    this.typecode = typecode;
    if (initial !== undefined) checkElement(this.#info, initial, 'initial value');
    this.#lock = processLockFor(options?.lock);
    this.#numbers = new HubNumbersClient<T>(hubCreate(KIND, [typecode, initial], this), this.#info, typecode);
  }

  /** The current value: a round trip to the hub, reading or writing. */
  get value(): T {
    return this.#numbers.get(0);
  }

  set value(value: T) {
    this.#numbers.set(0, value);
  }

  /** The lock guarding this value. `ERR_NO_LOCK` if it was created with `lock: false`. */
  getLock(): Lock | RLock {
    if (this.#lock === null) {
      throw misuse(ErrorCode.NoLock, 'shared: this Value was created with { lock: false } and has no lock; create it with lock: true or pass a Lock');
    }
    return this.#lock;
  }

  /** Adds `delta` atomically (wrapping like the C type) and returns the new value. */
  add(delta: T): T {
    return this.#numbers.add(0, delta);
  }

  /** Sets the value to `replacement` if it is `expected`; returns the value found either way. */
  compareExchange(expected: T, replacement: T): T {
    return this.#numbers.compareExchange(0, expected, replacement);
  }

  /**
   * Replaces the value with `fn(value)` and returns it, holding the value's
   * lock (if it has one), so that updaters run one at a time. Blocks the
   * calling thread while it waits for the lock.
   */
  update(fn: (value: T) => T): T {
    return this.#numbers.update(0, fn, this.#lock);
  }

  /**
   * As `update`, waiting for the lock with `await` so that it never blocks
   * the event loop; `fn` may be async, and the lock is held until it
   * settles. Rejects with `TimeoutError` if the lock is not acquired within
   * `timeout` ms, and with `signal.reason` if `signal` aborts first (the
   * value untouched either way). Without a lock (`lock: false`), the result
   * is stored with a compare-and-swap and `fn` runs again if another writer
   * got in meanwhile.
   */
  async updateAsync(fn: (value: T) => T | Promise<T>, options?: WaitOptions): Promise<T> {
    if (typeof fn !== 'function') throw invalidArg('shared: updateAsync needs a function', 'type');
    const checked = checkWaitOptions(options);
    checked.signal?.throwIfAborted();
    return this.#numbers.updateAsync(0, fn, this.#lock, checked);
  }

  get [kHubId](): number {
    return this.#numbers.id;
  }

  [kHandle](): Handle {
    const data: ValueHandleData = { id: this.#numbers.id, typecode: this.typecode, lock: this.#lock === null ? null : this.#lock[kHandle]() };
    return hubHandle(KIND, data);
  }

  [inspectSymbol](): string {
    const value = this.value;
    return `<Value ${this.#info.name} ${typeof value === 'bigint' ? `${value}n` : String(value)}>`;
  }

  toString(): string {
    return this[inspectSymbol]();
  }

  static fromHandle(data: ValueHandleData): HubValue<number | bigint> {
    return attach(HubValue, data);
  }
}
Object.defineProperty(HubValue, 'name', { value: 'Value' });

/**
 * A number shared by threads and processes: Python's `multiprocessing.Value`.
 *
 * @example
 * ```ts
 * const hits = new Value('i', 0);  // in the hub; pass it to Processes
 * hits.add(1);                     // atomic across processes
 * hits.update((n) => n * 2);       // read-modify-write under the value's lock
 * console.log(hits.value);         // 2
 * ```
 */
export const Value = HubValue as unknown as ProcessValueConstructor;
export type Value<T extends number | bigint = number> = HubValue<T>;

registerHandleKind<ValueHandleData>(KIND, (data) => HubValue.fromHandle(data));
