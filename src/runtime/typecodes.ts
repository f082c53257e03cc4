/**
 * Typecodes: which number type a `Value` or `SharedArray` holds. Python's
 * one-letter codes (`array`/`ctypes`) and descriptive names are both
 * accepted. `'l'`/`'L'` are 64-bit, as on Linux; the 64-bit integer types
 * hold `bigint`s.
 *
 * | Python | name        | holds    | bytes |
 * |--------|-------------|----------|-------|
 * | `b`    | `int8`      | number   | 1     |
 * | `B`    | `uint8`     | number   | 1     |
 * | `h`    | `int16`     | number   | 2     |
 * | `H`    | `uint16`    | number   | 2     |
 * | `i`    | `int32`     | number   | 4     |
 * | `I`    | `uint32`    | number   | 4     |
 * | `l` `q`| `bigint64`  | bigint   | 8     |
 * | `L` `Q`| `biguint64` | bigint   | 8     |
 * | `f`    | `float32`   | number   | 4     |
 * | `d`    | `float64`   | number   | 8     |
 */
import { invalidArg } from '../errors.js';

export type NumberTypeName = 'int8' | 'uint8' | 'int16' | 'uint16' | 'int32' | 'uint32' | 'float32' | 'float64';
export type BigIntTypeName = 'bigint64' | 'biguint64';
export type TypeName = NumberTypeName | BigIntTypeName;
export type Typecode = 'b' | 'B' | 'h' | 'H' | 'i' | 'I' | 'l' | 'L' | 'q' | 'Q' | 'f' | 'd' | TypeName;
/** Typecodes whose elements are bigints (64-bit integers). */
export type BigIntTypecode = 'l' | 'L' | 'q' | 'Q' | BigIntTypeName;
/** Typecodes whose elements are numbers. */
export type NumberTypecode = Exclude<Typecode, BigIntTypecode>;

const byCode: Readonly<Record<string, TypeName>> = {
  b: 'int8', B: 'uint8', h: 'int16', H: 'uint16', i: 'int32', I: 'uint32',
  l: 'bigint64', L: 'biguint64', q: 'bigint64', Q: 'biguint64', f: 'float32', d: 'float64',
  int8: 'int8', uint8: 'uint8', int16: 'int16', uint16: 'uint16', int32: 'int32', uint32: 'uint32',
  bigint64: 'bigint64', biguint64: 'biguint64', float32: 'float32', float64: 'float64',
};

export const VALID_TYPECODES = Object.keys(byCode) as readonly Typecode[];

export interface TypeInfo {
  readonly name: TypeName;
  readonly bytes: 1 | 2 | 4 | 8;
  readonly kind: 'int' | 'bigint' | 'float';
}

const infos: Readonly<Record<TypeName, TypeInfo>> = {
  int8: { name: 'int8', bytes: 1, kind: 'int' },
  uint8: { name: 'uint8', bytes: 1, kind: 'int' },
  int16: { name: 'int16', bytes: 2, kind: 'int' },
  uint16: { name: 'uint16', bytes: 2, kind: 'int' },
  int32: { name: 'int32', bytes: 4, kind: 'int' },
  uint32: { name: 'uint32', bytes: 4, kind: 'int' },
  bigint64: { name: 'bigint64', bytes: 8, kind: 'bigint' },
  biguint64: { name: 'biguint64', bytes: 8, kind: 'bigint' },
  float32: { name: 'float32', bytes: 4, kind: 'float' },
  float64: { name: 'float64', bytes: 8, kind: 'float' },
};

/** The type a typecode names; `ERR_INVALID_ARG` listing the valid codes otherwise. */
export function typeInfo(typecode: unknown): TypeInfo {
  const name = typeof typecode === 'string' && Object.hasOwn(byCode, typecode) ? byCode[typecode] : undefined;
  if (name === undefined) {
    throw invalidArg(`shared: unknown typecode ${JSON.stringify(typecode)}; valid typecodes are ${VALID_TYPECODES.map((c) => `'${c}'`).join(' ')}`);
  }
  return infos[name];
}

/** Throws `ERR_INVALID_ARG` unless `value` fits the kind of number the type holds. */
export function checkElement(info: TypeInfo, value: unknown, what = 'value'): void {
  if (info.kind === 'bigint') {
    if (typeof value !== 'bigint') throw invalidArg(`shared: a ${info.name} ${what} must be a bigint, got ${describe(value)}`, 'type');
    return;
  }
  if (typeof value !== 'number') throw invalidArg(`shared: a ${info.name} ${what} must be a number, got ${describe(value)}`, 'type');
  if (info.kind === 'int' && !Number.isInteger(value)) {
    throw invalidArg(`shared: a ${info.name} ${what} must be an integer, got ${value}`);
  }
}

function describe(value: unknown): string {
  return typeof value === 'bigint' ? `${value}n` : typeof value === 'number' ? String(value) : typeof value;
}
