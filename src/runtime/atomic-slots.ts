/**
 * Atomic access to the elements of a shared numeric buffer, for every
 * typecode. Integer types use `Atomics` on their own typed array. Floats have
 * no `Atomics`, so their *bits* are read and written through an integer view
 * of the same bytes (Int32 for float32, BigInt64 for float64) and converted
 * through a scratch buffer: a read or write is never torn, and add /
 * compare-exchange are compare-and-swap loops on the bits.
 *
 * Integer arithmetic wraps to the type, as typed arrays and ctypes do.
 */
import { checkElement, type TypeInfo } from './typecodes.js';

type Num = number | bigint;

export interface AtomicSlots<T extends Num> {
  readonly length: number;
  readonly buffer: SharedArrayBuffer;
  /** `value` as the element type stores it (wrapped, or rounded to float32). */
  wrap(value: T): T;
  load(i: number): T;
  store(i: number, value: T): void;
  /** Adds atomically; returns the new value. */
  add(i: number, delta: T): T;
  /** Replaces the element if it equals `expected`; returns the value found. */
  compareExchange(i: number, expected: T, replacement: T): T;
}

type IntArray = Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Uint32Array;
type BigArray = BigInt64Array | BigUint64Array;

export function atomicSlots<T extends Num>(info: TypeInfo, buffer: SharedArrayBuffer, length: number): AtomicSlots<T> {
  switch (info.name) {
    case 'int8': return new IntegerSlots<T>(new Int8Array(buffer, 0, length));
    case 'uint8': return new IntegerSlots<T>(new Uint8Array(buffer, 0, length));
    case 'int16': return new IntegerSlots<T>(new Int16Array(buffer, 0, length));
    case 'uint16': return new IntegerSlots<T>(new Uint16Array(buffer, 0, length));
    case 'int32': return new IntegerSlots<T>(new Int32Array(buffer, 0, length));
    case 'uint32': return new IntegerSlots<T>(new Uint32Array(buffer, 0, length));
    case 'bigint64': return new IntegerSlots<T>(new BigInt64Array(buffer, 0, length));
    case 'biguint64': return new IntegerSlots<T>(new BigUint64Array(buffer, 0, length));
    case 'float32': return new FloatSlots<number>(new Int32Array(buffer, 0, length), new Float32Array(1)) as never;
    case 'float64': return new FloatSlots<bigint>(new BigInt64Array(buffer, 0, length), new Float64Array(1)) as never;
  }
}

/** Integer elements: `Atomics` works on them directly (number or bigint alike). */
class IntegerSlots<T extends Num> implements AtomicSlots<T> {
  // Atomics' overloads do not accept a union of array types; these views
  // are one integer array, whose element type is T.
  readonly #array: Int32Array;
  readonly #scratch: Int32Array;

  constructor(array: IntArray | BigArray) {
    this.#array = array as unknown as Int32Array;
    this.#scratch = new (array.constructor as new (n: number) => Int32Array)(1);
  }

  get length(): number {
    return this.#array.length;
  }

  get buffer(): SharedArrayBuffer {
    return this.#array.buffer as SharedArrayBuffer;
  }

  wrap(value: T): T {
    this.#scratch[0] = value as number;
    return this.#scratch[0] as T;
  }

  load(i: number): T {
    return Atomics.load(this.#array, i) as T;
  }

  store(i: number, value: T): void {
    Atomics.store(this.#array, i, value as number);
  }

  add(i: number, delta: T): T {
    const old = Atomics.add(this.#array, i, delta as number) as T;
    return this.wrap(((old as number) + (delta as number)) as T); // wraps to the type
  }

  compareExchange(i: number, expected: T, replacement: T): T {
    return Atomics.compareExchange(this.#array, i, expected as number, replacement as number) as T;
  }
}

/**
 * Float elements, read and written as the bits of an integer view of the
 * same bytes (`bits`), converted through a scratch pair of views of one
 * 8-byte buffer.
 */
class FloatSlots<B extends number | bigint> implements AtomicSlots<number> {
  // As in IntegerSlots: one integer view whose element type is B.
  readonly #bits: Int32Array;
  readonly #float: Float32Array | Float64Array;
  readonly #int: Int32Array;

  constructor(bits: Int32Array | BigInt64Array, float: Float32Array | Float64Array) {
    this.#bits = bits as unknown as Int32Array;
    this.#float = float;
    this.#int = new (bits.constructor as new (buffer: ArrayBuffer) => Int32Array)(float.buffer as ArrayBuffer);
  }

  get length(): number {
    return this.#bits.length;
  }

  get buffer(): SharedArrayBuffer {
    return this.#bits.buffer as SharedArrayBuffer;
  }

  wrap(value: number): number {
    this.#float[0] = value; // rounds to float32 where the elements are float32
    return this.#float[0];
  }

  #toBits(value: number): B {
    this.#float[0] = value;
    return this.#int[0] as B;
  }

  #fromBits(bits: B): number {
    this.#int[0] = bits as number;
    return this.#float[0];
  }

  load(i: number): number {
    return this.#fromBits(Atomics.load(this.#bits, i) as B);
  }

  store(i: number, value: number): void {
    Atomics.store(this.#bits, i, this.#toBits(value) as number);
  }

  add(i: number, delta: number): number {
    for (;;) {
      const old = Atomics.load(this.#bits, i) as B;
      const next = this.#toBits(this.#fromBits(old) + delta);
      if (Atomics.compareExchange(this.#bits, i, old as number, next as number) === (old as number)) return this.#fromBits(next);
    }
  }

  compareExchange(i: number, expected: number, replacement: number): number {
    const found = Atomics.compareExchange(this.#bits, i, this.#toBits(expected) as number, this.#toBits(replacement) as number) as B;
    return this.#fromBits(found);
  }
}

/**
 * Replaces element `i` with `fn(element)` by compare-and-swap, calling `fn`
 * again if another thread wrote in between. Returns the value stored.
 */
export function updateSlot<T extends Num>(slots: AtomicSlots<T>, i: number, info: TypeInfo, fn: (value: T) => T): T {
  for (;;) {
    const old = slots.load(i);
    const next = fn(old);
    checkElement(info, next, 'result of update()');
    if (Object.is(slots.compareExchange(i, old, next), old)) return slots.wrap(next);
  }
}
