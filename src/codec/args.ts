/**
 * Arguments and fields in transit: what `Thread`, `Process` and pools put in
 * `workerData`/`postMessage` to call a target on the other side.
 *
 * `EncodedArgs` is `{ bytes, handles }`: the value codec's bytes plus the
 * handles of the weft objects found in them, a structured-cloneable pair. The
 * arguments are encoded as one array, so an object passed twice arrives as
 * one object, as Python's pickling of an argument tuple keeps it.
 *
 * Errors name the argument the way the caller wrote it — `args[1].socket` and
 * "argument 2" — or, for a Thread subclass's fields, `this.fieldName`.
 */
import type { Handle } from './handles.js';
import { malformed } from './reader.js';
import { decode, encode } from './value-codec.js';

export interface EncodedArgs {
  readonly bytes: Uint8Array;
  readonly handles: Handle[];
}

/** Encodes a target's arguments; a value that cannot cross throws `ERR_NOT_SERIALIZABLE` naming it (`args[1].x`, "argument 2"). */
export function encodeArgs(args: readonly unknown[]): EncodedArgs {
  const handles: Handle[] = [];
  const bytes = encode(args, handles, { path: 'args', elementName: 'argument' });
  return { bytes, handles };
}

/** The arguments, with their weft objects attached in this thread. */
export function decodeArgs(encoded: EncodedArgs): unknown[] {
  const args = decode(encoded.bytes, encoded.handles);
  if (!Array.isArray(args)) throw malformed('arguments are not an array');
  return args;
}

export interface FieldsOptions {
  /** Own fields not to copy (a base class's bookkeeping). */
  readonly skip?: Iterable<string>;
}

/**
 * Encodes the own enumerable fields of `object` (a Thread or Process
 * subclass instance whose `run()` will execute elsewhere). Errors name
 * fields `this.fieldName`.
 */
export function encodeFields(object: object, options?: FieldsOptions): EncodedArgs {
  const skip = new Set(options?.skip);
  const fields: Record<string, unknown> = {};
  for (const key of Object.keys(object)) {
    if (!skip.has(key)) defineField(fields, key, (object as Record<string, unknown>)[key]);
  }
  const handles: Handle[] = [];
  const bytes = encode(fields, handles, { path: 'this' });
  return { bytes, handles };
}

/**
 * The fields as a plain object; or, given `target`, defines them on it as own
 * data properties (as class fields are defined, bypassing setters) and
 * returns it.
 */
export function decodeFields(encoded: EncodedArgs): Record<string, unknown>;
export function decodeFields<T extends object>(encoded: EncodedArgs, target: T): T;
export function decodeFields(encoded: EncodedArgs, target?: object): object {
  const fields = decode(encoded.bytes, encoded.handles);
  if (typeof fields !== 'object' || fields === null || Array.isArray(fields)) throw malformed('fields are not an object');
  if (target === undefined) return fields;
  for (const key of Object.keys(fields)) defineField(target, key, (fields as Record<string, unknown>)[key]);
  return target;
}

function defineField(target: object, key: string, value: unknown): void {
  try {
    Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
  } catch {
    // A non-configurable field the constructor already made: assign instead.
    (target as Record<string, unknown>)[key] = value;
  }
}
