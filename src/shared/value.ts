/**
 * `Value`: one number in shared memory — Python's
 * `multiprocessing.Value`, here shared by threads.
 *
 * Reading or writing `.value` is atomic by itself and never waits. Python's
 * `v.value += 1` reads and writes separately and loses updates when threads
 * race (cpython#106691); weft offers `add`, `compareExchange` and `update`,
 * which do not. `getLock()` returns the value's lock for longer critical
 * sections, as in Python; `.value` itself does not take it, so it never
 * blocks the event loop.
 */
import { kHandle, attachHandle, registerHandleKind, type Handle, type Shareable } from '../codec/handles.js';
import { ErrorCode, invalidArg, misuse } from '../errors.js';
import { checkWaitOptions, type WaitOptions } from '../runtime/options.js';
import { inspectSymbol } from '../runtime/owner.js';
import { kAttach } from '../sync/lock-protocol.js';
import { attach, Attached } from '../sync/attach.js';
import type { Lock } from '../sync/lock.js';
import type { RLock } from '../sync/rlock.js';
import { atomicSlots, updateSlot, type AtomicSlots } from '../runtime/atomic-slots.js';
import { lockFor, type LockOption } from './lock-option.js';
import { checkElement, typeInfo, type BigIntTypecode, type NumberTypecode, type TypeInfo, type Typecode } from '../runtime/typecodes.js';

interface ValueHandleData {
  buffer: SharedArrayBuffer;
  typecode: Typecode;
  lock: Handle | null;
}

const HANDLE_KIND = 'threading.Value';

export interface ValueOptions {
  /** true (default: a new RLock), false (none), or a Lock/RLock to use. */
  lock?: LockOption;
}

/**
 * `new Value(typecode, initial?, options?)`. The type of the value follows
 * the typecode: a `Value<bigint>` for 64-bit integer codes, a
 * `Value<number>` for the others.
 */
export interface ValueConstructor {
  new (typecode: BigIntTypecode, initial?: bigint, options?: ValueOptions): Value<bigint>;
  new (typecode: NumberTypecode, initial?: number, options?: ValueOptions): Value<number>;
  /** With the type given: `new Value<number>(code, 0)`. */
  new <T extends number | bigint>(typecode: Typecode, initial?: T, options?: ValueOptions): Value<T>;
  readonly prototype: Value<number | bigint>;
}

class SharedValue<T extends number | bigint> implements Shareable {
  readonly typecode: Typecode;
  readonly #info: TypeInfo;
  readonly #slots: AtomicSlots<T>;
  readonly #lock: Lock | RLock | null;

  /**
   * @param typecode the number type (see `typecodes.ts`; 64-bit integers hold bigints)
   * @param initial the starting value (default 0)
   * @param options `lock`: true (default: a new RLock), false (none), or a Lock/RLock to use
   */
  constructor(typecode: Typecode, initial?: T, options?: ValueOptions);
  constructor(typecode: Typecode | Attached<ValueHandleData>, initial?: T, options?: ValueOptions) {
    if (typecode instanceof Attached) {
      const data = typecode.core;
      this.typecode = data.typecode;
      this.#info = typeInfo(data.typecode);
      this.#slots = atomicSlots(this.#info, data.buffer, 1);
      this.#lock = data.lock === null ? null : (attachHandle(data.lock) as Lock | RLock);
      return;
    }
    this.#info = typeInfo(typecode);
    this.typecode = typecode;
    if (initial !== undefined) checkElement(this.#info, initial, 'initial value');
    this.#lock = lockFor(options?.lock);
    this.#slots = atomicSlots(this.#info, new SharedArrayBuffer(this.#info.bytes), 1);
    if (initial !== undefined) this.#slots.store(0, initial);
  }

  /** The current value; reading and writing are each atomic. */
  get value(): T {
    return this.#slots.load(0);
  }

  set value(value: T) {
    checkElement(this.#info, value);
    this.#slots.store(0, value);
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
    checkElement(this.#info, delta, 'delta');
    return this.#slots.add(0, delta);
  }

  /** Sets the value to `replacement` if it is `expected`; returns the value found either way. */
  compareExchange(expected: T, replacement: T): T {
    checkElement(this.#info, expected, 'expected value');
    checkElement(this.#info, replacement, 'replacement');
    return this.#slots.compareExchange(0, expected, replacement);
  }

  /**
   * Replaces the value with `fn(value)` and returns it, holding the value's
   * lock (if it has one) so that updaters run one at a time. Taking the lock
   * blocks the calling thread while another thread holds it; in an async
   * main thread, prefer `add`/`compareExchange`, or `withLock` on `getLock()`. A writer that
   * does not take the lock (`.value = …`, `add`) cannot be lost either: the
   * write is a compare-and-swap, and `fn` runs again on the newer value.
   */
  update(fn: (value: T) => T): T {
    const apply = (): T => updateSlot(this.#slots, 0, this.#info, fn);
    return this.#lock === null ? apply() : this.#lock.withLockSync(apply);
  }

  /**
   * As `update`, waiting for the lock with `await` so that it never blocks
   * the event loop; `fn` may be async, and the lock is held until it
   * settles. Rejects with `TimeoutError` if the lock is not acquired within
   * `timeout` ms, and with `signal.reason` if `signal` aborts first (the
   * value untouched either way). Without a lock (`lock: false`), `fn` runs
   * on the current value and the result is stored with a compare-and-swap;
   * if another writer got in meanwhile, `fn` runs again on the newer value.
   *
   * @example
   * ```ts
   * const total = new Value('i', 0);
   * await total.updateAsync(async (n) => n + 1); // waits for the lock without blocking
   * ```
   */
  async updateAsync(fn: (value: T) => T | Promise<T>, options?: WaitOptions): Promise<T> {
    if (typeof fn !== 'function') throw invalidArg('shared: updateAsync needs a function', 'type');
    const { signal } = checkWaitOptions(options);
    signal?.throwIfAborted();
    const apply = async (): Promise<T> => {
      for (;;) {
        const old = this.#slots.load(0);
        const next = await fn(old);
        checkElement(this.#info, next, 'result of updateAsync()');
        if (Object.is(this.#slots.compareExchange(0, old, next), old)) return this.#slots.wrap(next);
        signal?.throwIfAborted();
      }
    };
    return this.#lock === null ? apply() : this.#lock.withLock(apply, options);
  }

  [kHandle](): Handle {
    const data: ValueHandleData = {
      buffer: this.#slots.buffer,
      typecode: this.typecode,
      lock: this.#lock === null ? null : this.#lock[kHandle](),
    };
    return { kind: HANDLE_KIND, scope: 'thread', data };
  }

  [inspectSymbol](): string {
    const shown = typeof this.value === 'bigint' ? `${this.value}n` : String(this.value);
    return `<Value ${this.#info.name} ${shown}>`;
  }

  toString(): string {
    return this[inspectSymbol]();
  }

  static [kAttach](data: ValueHandleData): Value<number | bigint> {
    return attach(this, data);
  }
}
Object.defineProperty(SharedValue, 'name', { value: 'Value' });

/**
 * A number shared between threads: Python's `multiprocessing.Value`.
 *
 * @example
 * ```ts
 * const hits = new Value('i', 0); // Value<number>; new Value('q', 0n) is a Value<bigint>
 * hits.add(1);                    // atomic, returns the new value
 * hits.update((n) => n * 2);      // read-modify-write under the value's lock
 * console.log(hits.value);        // 2
 * ```
 */
export const Value = SharedValue as unknown as ValueConstructor;
export type Value<T extends number | bigint = number> = SharedValue<T>;

registerHandleKind<ValueHandleData>(HANDLE_KIND, (data) => SharedValue[kAttach](data));
