/**
 * Errors that cross threads and processes: what a target threw, rebuilt in
 * the thread that joins it, as Python's `concurrent.futures` re-raises a
 * worker's exception in the caller.
 *
 * Structured clone keeps too little of an error (message and stack; the class
 * only for the seven built-ins; no `code`, no own properties, no
 * AggregateError `errors`). An `EncodedError` keeps:
 *
 * | field       | what                                                                            |
 * |-------------|---------------------------------------------------------------------------------|
 * | `name`      | `err.name` as the thrower saw it                                                |
 * | `lineage`   | constructor names from the error's class up to `Error`, e.g. `['HttpError', 'Error']` |
 * | `message`   | `err.message`                                                                   |
 * | `stack`     | the remote stack string                                                         |
 * | `code`      | `err.code`, when it is not an own enumerable property (a getter on the class)   |
 * | `props`     | own enumerable properties, by the value codec; one it cannot encode becomes a string saying why |
 * | `cause`     | a `Reason`: another error, a plain value, or a reference to an error seen earlier (cycles) |
 * | `errors`    | an AggregateError's `errors`, as Reasons                                         |
 *
 * Rebuilding picks the class by the first name in `lineage` this thread
 * knows: a built-in error class or one of weft's (`conditionClasses`). If the
 * error's own class is unknown here, a subclass of that known class is
 * synthesized under the original name (one per name and base, cached), so
 * `err.constructor.name` is the remote class name, `err instanceof Error`
 * holds, and so does `instanceof TypeError` for a remote subclass of
 * TypeError. Instances are made by `Reflect.construct(Error, [message],
 * Class)`: a genuine error object with the class's prototype, without running
 * the class's constructor (weft's classes take required arguments).
 *
 * A thrown non-Error (`throw 'boom'`, `throw { status: 500 }`) becomes an
 * Error whose message shows the value and whose `value` property holds it.
 * Encoding never throws: it is the last thing a dying worker does.
 */
import { inspect, types } from 'node:util';
import { conditionClasses } from '../errors.js';
import type { EncodedArgs } from './args.js';
import type { Handle } from './handles.js';
import { decode, encode } from './value-codec.js';
import { describe, type NotSerializableError } from './unsendable.js';

export interface EncodedError {
  readonly name: string;
  readonly lineage: readonly string[];
  readonly message: string;
  readonly stack?: string;
  readonly code?: string | number;
  readonly props?: EncodedArgs;
  readonly cause?: Reason;
  readonly errors?: readonly Reason[];
}

/** A cause or an AggregateError member: an error, any other value, or an error met earlier in the same tree (by visit order). */
export type Reason =
  | { readonly kind: 'error'; readonly error: EncodedError }
  | { readonly kind: 'value'; readonly value: EncodedArgs }
  | { readonly kind: 'ref'; readonly index: number };

const builtinClasses: Readonly<Record<string, ErrorConstructor | AggregateErrorConstructor>> = Object.freeze({
  Error, TypeError, RangeError, SyntaxError, ReferenceError, EvalError, URIError, AggregateError,
});

/** Longer prototype chains are cut: the first known class is what matters. */
const MAX_LINEAGE = 16;

// ---- encoding ---------------------------------------------------------------

/** Errors of one tree by visit order, so that a repeated or cyclic error becomes a `ref`. */
interface Visit {
  readonly seen: Map<object, number>;
  count: number;
}

/** Encodes what was thrown, Error or not, into a structured-cloneable object. Never throws. */
export function encodeError(thrown: unknown): EncodedError {
  try {
    const visit: Visit = { seen: new Map(), count: 0 };
    return isError(thrown) ? encodeNode(thrown, 'error', visit) : encodeNonError(thrown, visit);
  } catch (error) {
    // Only a pathological error (say, a Proxy whose traps throw) gets here.
    return { name: 'Error', lineage: ['Error'], message: `weft: the thrown error could not be encoded: ${safeString(error)}` };
  }
}

function encodeNode(error: Error, path: string, visit: Visit): EncodedError {
  visit.seen.set(error, visit.count++);
  const name = safeString(read(error, 'name'), 'Error');
  const message = safeString(read(error, 'message'), '');
  const stack = read(error, 'stack');
  const hasCause = Object.hasOwn(error, 'cause');
  const members = error instanceof AggregateError ? read(error, 'errors') : undefined;
  // `cause` and `errors` travel as Reasons (errors by our rules, not the value codec's), so not as props.
  const keys = safeKeys(error).filter((key) => !(key === 'cause' && hasCause) && !(key === 'errors' && Array.isArray(members)));
  const code = read(error, 'code');
  const cause = hasCause ? encodeReason(read(error, 'cause'), `${path}.cause`, visit) : undefined;
  const errors = Array.isArray(members) ? members.map((member, i) => encodeReason(member, `${path}.errors[${i}]`, visit)) : undefined;
  return {
    name,
    lineage: lineageOf(error),
    message,
    ...(typeof stack === 'string' ? { stack } : {}),
    ...((typeof code === 'string' || typeof code === 'number') && !keys.includes('code') ? { code } : {}),
    ...(keys.length > 0 ? { props: encodeProps(error, keys, path) } : {}),
    ...(cause !== undefined ? { cause } : {}),
    ...(errors !== undefined ? { errors } : {}),
  };
}

function encodeNonError(thrown: unknown, visit: Visit): EncodedError {
  visit.count++;
  const message = `a non-Error value was thrown: ${preview(thrown)}`;
  const props: Record<string, unknown> = { value: thrown };
  return { name: 'Error', lineage: ['Error'], message, stack: `Error: ${message}`, props: encodeProps(props, ['value'], 'error') };
}

function encodeReason(reason: unknown, path: string, visit: Visit): Reason {
  if (!isError(reason)) return { kind: 'value', value: encodeLoose(reason, path) };
  const index = visit.seen.get(reason);
  return index !== undefined ? { kind: 'ref', index } : { kind: 'error', error: encodeNode(reason, path, visit) };
}

/** The own enumerable properties as one object; those the codec rejects are replaced by a string saying why. */
function encodeProps(source: object, keys: readonly string[], path: string): EncodedArgs {
  const props = collect(source, keys);
  const handles: Handle[] = [];
  try {
    return { bytes: encode(props, handles, { path }), handles };
  } catch (error) {
    if (!isNotSerializable(error)) throw error;
  }
  // Find the culprits one by one; the rest keeps its values.
  for (const key of keys) {
    try {
      encode(props[key], [], { path: `${path}.${key}` });
    } catch (error) {
      if (!isNotSerializable(error)) throw error;
      props[key] = `[not serializable: ${error.what} at ${error.path}]`;
    }
  }
  return { bytes: encode(props, handles, { path }), handles };
}

/** A value by the codec, or a string describing it if the codec rejects it. */
function encodeLoose(value: unknown, path: string): EncodedArgs {
  const handles: Handle[] = [];
  try {
    return { bytes: encode(value, handles, { path }), handles };
  } catch (error) {
    if (!isNotSerializable(error)) throw error;
    return { bytes: encode(`[not serializable: ${error.what} at ${error.path}]`), handles: [] };
  }
}

function collect(source: object, keys: readonly string[]): Record<string, unknown> {
  const props: Record<string, unknown> = {};
  for (const key of keys) {
    Object.defineProperty(props, key, { value: read(source, key), writable: true, enumerable: true, configurable: true });
  }
  return props;
}

/** Constructor names from the error's class up to Error (or Object, for an impostor). */
function lineageOf(error: Error): string[] {
  const names: string[] = [];
  let proto = safeProto(error);
  while (proto !== null && proto !== Object.prototype && names.length < MAX_LINEAGE) {
    const ctor = Object.hasOwn(proto, 'constructor') ? read(proto, 'constructor') : undefined;
    const name = typeof ctor === 'function' ? ctor.name : '';
    if (name !== '') names.push(name);
    if (name === 'Error') break;
    proto = safeProto(proto);
  }
  if (names.length === 0) names.push('Error');
  return names;
}

// ---- decoding ---------------------------------------------------------------

/** Rebuilds an error encoded by `encodeError`, its causes and members included. */
export function decodeError(encoded: EncodedError): Error {
  return decodeNode(encoded, []);
}

function decodeNode(encoded: EncodedError, built: Error[]): Error {
  const error = instantiate(classFor(encoded.lineage), encoded.message);
  built.push(error);
  if (error.name !== encoded.name) defineHidden(error, 'name', encoded.name);
  defineHidden(error, 'stack', encoded.stack ?? `${encoded.name}: ${encoded.message}`);
  if (encoded.code !== undefined) defineHidden(error, 'code', encoded.code);
  if (encoded.props !== undefined) {
    const props = decode(encoded.props.bytes, encoded.props.handles) as Record<string, unknown>;
    for (const key of Object.keys(props)) {
      Object.defineProperty(error, key, { value: props[key], writable: true, enumerable: true, configurable: true });
    }
  }
  if (encoded.cause !== undefined) defineHidden(error, 'cause', decodeReason(encoded.cause, built));
  if (encoded.errors !== undefined) defineHidden(error, 'errors', encoded.errors.map((member) => decodeReason(member, built)));
  return error;
}

function decodeReason(reason: Reason, built: Error[]): unknown {
  switch (reason.kind) {
    case 'error':
      return decodeNode(reason.error, built);
    case 'value':
      return decode(reason.value.bytes, reason.value.handles);
    case 'ref':
      return built[reason.index];
    default:
      return assertNever(reason);
  }
}

type ErrorClass = new (...args: never[]) => Error;

/** The first class of the lineage known here; if it is not the error's own class, a synthesized subclass of it under the original name. */
function classFor(lineage: readonly string[]): ErrorClass {
  for (let i = 0; i < lineage.length; i++) {
    const known = builtinClasses[lineage[i]] ?? conditionClasses[lineage[i]];
    if (known === undefined) continue;
    return i === 0 ? known : synthesized(lineage[0], known);
  }
  return synthesized(lineage[0] ?? 'Error', Error);
}

const synthesizedClasses = new Map<ErrorClass, Map<string, ErrorClass>>();

function synthesized(name: string, base: ErrorClass): ErrorClass {
  let byName = synthesizedClasses.get(base);
  if (byName === undefined) synthesizedClasses.set(base, (byName = new Map()));
  let Class = byName.get(name);
  if (Class === undefined) {
    // A computed key names the class: `Class.name === name`.
    Class = { [name]: class extends (base as new () => Error) {} }[name];
    Object.defineProperty(Class.prototype, 'name', { value: name, writable: true, configurable: true });
    byName.set(name, Class);
  }
  return Class;
}

/** A real error object (internal error slot, so `types.isNativeError` holds) with `Class`'s prototype, without running `Class`'s constructor. */
function instantiate(Class: ErrorClass, message: string): Error {
  // The stack is replaced by the remote one at once; do not pay for capturing a local one.
  const limit = Error.stackTraceLimit;
  trySetStackTraceLimit(0);
  try {
    return Reflect.construct(Error, [message], Class) as Error;
  } finally {
    trySetStackTraceLimit(limit);
  }
}

// ---- the local submit site -------------------------------------------------

/**
 * Appends the frames of `localStack` (an `Error().stack` taken where the work
 * was submitted) to a decoded error's remote stack, under a separator line, so
 * the trace shows both where it failed and who asked for it:
 *
 *     HttpError: not found
 *         at fetchOne (file:///app/worker.js:10:11)
 *         --- submitted from ---
 *         at main (file:///app/main.js:5:20)
 */
export function appendLocalStack(error: Error, localStack: string | undefined): void {
  if (localStack === undefined) return;
  const frames = localStack.split('\n').filter((line) => /^\s+at /.test(line));
  if (frames.length === 0) return;
  const remote = typeof error.stack === 'string' ? error.stack : `${error.name}: ${error.message}`;
  defineHidden(error, 'stack', `${remote}\n    --- submitted from ---\n${frames.join('\n')}`);
}

// ---- helpers ----------------------------------------------------------------

export function isError(value: unknown): value is Error {
  return types.isNativeError(value) || value instanceof Error;
}

function isNotSerializable(error: unknown): error is NotSerializableError {
  return error instanceof Error && (error as { code?: unknown }).code === 'ERR_NOT_SERIALIZABLE';
}

/** Own, non-enumerable, writable — how the engine defines `message`, `stack` and `cause`. */
function defineHidden(target: object, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, writable: true, enumerable: false, configurable: true });
}

/** A property read that a throwing getter or Proxy trap cannot break. */
function read(target: object, key: string): unknown {
  try {
    return (target as Record<string, unknown>)[key];
  } catch {
    return undefined;
  }
}

function safeKeys(target: object): string[] {
  try {
    return Object.keys(target);
  } catch {
    return [];
  }
}

function safeProto(target: object): object | null {
  try {
    return Object.getPrototypeOf(target) as object | null;
  } catch {
    return null;
  }
}

function safeString(value: unknown, fallback = ''): string {
  if (value === undefined || value === null) return fallback;
  try {
    return String(value);
  } catch {
    return fallback;
  }
}

/** `'boom'`, `{ status: 500 }`: how the value reads in a message. */
function preview(value: unknown): string {
  try {
    return inspect(value, { depth: 2, breakLength: Infinity, maxArrayLength: 10, maxStringLength: 200 });
  } catch {
    return describe(value);
  }
}

function trySetStackTraceLimit(limit: number): void {
  try {
    Error.stackTraceLimit = limit;
  } catch {
    // A frozen Error: keep whatever limit it has.
  }
}

function assertNever(value: never): never {
  throw new TypeError(`codec: unexpected reason ${JSON.stringify(value)}`);
}
