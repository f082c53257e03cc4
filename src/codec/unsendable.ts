/**
 * What cannot cross to another thread or process, and how the codec says so.
 *
 * Structured clone rejects functions, symbols, Promises, weak collections,
 * generators, iterators, Intl objects, proxies and host objects; weft rejects
 * the same, and also EventEmitters and EventTargets (sockets, streams,
 * servers, child processes, workers, MessagePorts, AbortSignals): structured
 * clone would copy their fields into a dead plain object (or fail deep inside
 * on a listener function), which is never what the sender meant. Node's
 * cloneable host objects (Blob, KeyObject, BlockList, SocketAddress,
 * histograms, FileHandle) only travel through `postMessage` itself, not
 * through bytes, so they are rejected too.
 *
 * The error is found deep in the walk but reported with the whole path from
 * the top value (`args[1].socket`, `item.tags[3]`,
 * `value.lookup.<map value of "k">[2]`). To keep the walk free of path
 * bookkeeping, the failing leaf throws an `Unsendable` and each container on
 * the way out adds its own step (`[3]`, `.name`) in a catch — costless until
 * something fails. The top-level entry point turns it into the public
 * `ERR_NOT_SERIALIZABLE` error.
 */
import { EventEmitter } from 'node:events';
import { types } from 'node:util';
import { ErrorCode, misuse, type RuntimeError } from '../errors.js';

/** Internal: thrown inside the walk, never out of the codec. */
export class Unsendable extends Error {
  /** What the offending value is, e.g. `a function "onData"`. */
  readonly what: string;
  /** Path steps, innermost first (containers append as the error unwinds). */
  readonly steps: string[] = [];
  readonly hint: string;

  constructor(what: string, hint = '') {
    super(what);
    this.what = what;
    this.hint = hint;
  }

  /** The path from `root`, e.g. `args[1].socket`. */
  path(root: string): string {
    let path = root;
    for (let i = this.steps.length - 1; i >= 0; i--) path += this.steps[i];
    return path;
  }
}

/**
 * The public ERR_NOT_SERIALIZABLE error thrown by codec entry points: `path`
 * is where the offending value sits (`args[1].socket`), `what` is what it is
 * (`a Socket`).
 */
export type NotSerializableError = RuntimeError & { path: string; what: string };

/**
 * Turns an `Unsendable` into the public error. `subject` is how the message
 * names the top value when it is not the path itself (`argument 2`).
 */
export function notSerializable(u: Unsendable, root: string, subject?: string): NotSerializableError {
  const path = u.path(root);
  const lead = subject === undefined ? '' : `${subject} cannot be sent: `;
  const error = misuse(
    ErrorCode.NotSerializable,
    `codec: ${lead}${path} is ${u.what}, which cannot be copied to another thread or process${u.hint}`,
  ) as NotSerializableError;
  error.path = path;
  error.what = u.what;
  return error;
}

// ---- path steps -----------------------------------------------------------

const identifier = /^[A-Za-z_$][\w$]*$/;

/** `.name` for identifier keys, `["some key"]` otherwise. */
export function keyStep(key: string): string {
  return identifier.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
}

export function indexStep(index: number): string {
  return `[${index}]`;
}

export const mapKeyStep = '.<map key>';
export const setMemberStep = '.<set member>';

/** `.<map value of "k">`, naming the key when it is a primitive. */
export function mapValueStep(key: unknown): string {
  return `.<map value of ${describeKey(key)}>`;
}

function describeKey(key: unknown): string {
  switch (typeof key) {
    case 'string':
      return JSON.stringify(key.length > 40 ? `${key.slice(0, 40)}…` : key);
    case 'number':
    case 'boolean':
    case 'undefined':
      return String(key);
    case 'bigint':
      return `${key}n`;
    case 'symbol':
      return key.toString();
    default:
      return key === null ? 'null' : describe(key);
  }
}

// ---- descriptions ---------------------------------------------------------

/** A short description of any value: `a function "onData"`, `a Promise`, `a Socket`. */
export function describe(value: unknown): string {
  switch (typeof value) {
    case 'function':
      return describeFunction(value as (...args: never[]) => unknown);
    case 'symbol':
      return `a symbol (${value.toString()})`;
    case 'object':
      return value === null ? 'null' : withArticle(className(value));
    default:
      return `a ${typeof value}`;
  }
}

function describeFunction(fn: (...args: never[]) => unknown): string {
  const name = typeof fn.name === 'string' && fn.name !== '' ? ` "${fn.name}"` : '';
  let source = '';
  try {
    source = Function.prototype.toString.call(fn);
  } catch {
    // A revoked proxy or similar: describe it as a plain function.
  }
  if (source.startsWith('class')) return `a class${name}`;
  if (types.isAsyncFunction(fn)) return name === '' ? 'an anonymous async function' : `an async function${name}`;
  return name === '' ? 'an anonymous function' : `a function${name}`;
}

/** The constructor name of an object (`Socket`), or `Object`. */
export function className(value: object): string {
  try {
    const proto = Object.getPrototypeOf(value) as { constructor?: { name?: unknown } } | null;
    const name = proto?.constructor?.name;
    if (typeof name === 'string' && name !== '') return name;
  } catch {
    // A proxy whose trap throws: fall through.
  }
  return 'Object';
}

function withArticle(noun: string): string {
  return /^[AEIOU]/i.test(noun) ? `an ${noun}` : `a ${noun}`;
}

/** Hints appended to the message for the common cases. */
const functionHint = '; send data, and look functions up on the other side (targets are passed by their exported name)';
const liveObjectHint = '; it is a live object bound to this thread — send the data it carries instead';

/** The `Unsendable` for a function or symbol at the current position. */
export function unsendablePrimitive(value: unknown): Unsendable {
  return new Unsendable(describe(value), typeof value === 'function' ? functionHint : '');
}

// ---- objects that cannot be copied ---------------------------------------

/** Built-ins that structured clone rejects and that only show by their tag. */
const rejectedTag = /Iterator|^Intl\.|^Segments$|^Generator$|^AsyncGenerator$|^WeakRef$|^FinalizationRegistry$/;

/**
 * Why an object that is none of the types the codec copies cannot be
 * copied, or `undefined` if it is an ordinary object (a class instance, which
 * is copied as a plain object of its own enumerable properties, as structured
 * clone does). Called once per prototype by the encoder, which caches the
 * ordinary ones.
 */
export function whyUnsendable(value: object): Unsendable | undefined {
  if (types.isPromise(value)) return new Unsendable('a Promise', '; await it and send the result');
  if (types.isWeakMap(value) || types.isWeakSet(value)) return new Unsendable(withArticle(weakName(value)));
  if (types.isGeneratorObject(value)) return new Unsendable('a generator object', '; send the values it yields');
  if (types.isMapIterator(value) || types.isSetIterator(value)) return new Unsendable('an iterator', '; send the values it yields');
  if (types.isModuleNamespaceObject(value)) return new Unsendable('a module namespace object');
  if (types.isExternal(value)) return new Unsendable('a native external value');
  if (types.isKeyObject(value) || types.isCryptoKey(value)) return new Unsendable(withArticle(className(value)), '; export the key and send its bytes');
  if (value instanceof EventEmitter || value instanceof EventTarget) return new Unsendable(withArticle(className(value)), liveObjectHint);
  if (isNodeHostObject(value)) return new Unsendable(withArticle(className(value)), '; it is a Node.js host object — send its contents instead');
  const tag = Object.prototype.toString.call(value).slice(8, -1);
  if (rejectedTag.test(tag)) return new Unsendable(withArticle(tag));
  return undefined;
}

function weakName(value: object): string {
  return types.isWeakMap(value) ? 'WeakMap' : 'WeakSet';
}

/**
 * Node's cloneable/transferable host objects carry methods keyed by the
 * internal `messaging_clone_symbol` / `messaging_transfer_symbol`. Those
 * symbols are not reachable from user code, but their descriptions are.
 */
function isNodeHostObject(value: object): boolean {
  for (let proto = Object.getPrototypeOf(value) as object | null; proto !== null && proto !== Object.prototype; proto = Object.getPrototypeOf(proto) as object | null) {
    for (const symbol of Object.getOwnPropertySymbols(proto)) {
      const description = symbol.description;
      if (description === 'messaging_clone_symbol' || description === 'messaging_transfer_symbol') return true;
    }
  }
  return false;
}
