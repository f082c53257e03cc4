/**
 * Handles: how a weft object (a Lock, an Event, a Value, a Thread…) crosses to
 * another thread as *the same object*, not a copy.
 *
 * A shareable object implements `[kHandle]()`, returning a small description
 * of where its state lives (for the thread scope, the SharedArrayBuffer that
 * holds its words). The codec sends that description instead of the object,
 * and the receiving side calls `attachHandle()`, which finds the attach
 * function registered for the handle's `kind` and builds a new wrapper over
 * the same shared state. Wrappers are cheap; the state is what is shared.
 *
 * A handle's `data` must survive structured clone (numbers, strings, plain
 * objects, SharedArrayBuffers — which clone as *shared* — and nested handles).
 *
 * `scope` records the reach of the state (ARCHITECTURE.md, decision 4): a
 * `'thread'` handle only makes sense inside one process, so `Process.start()`
 * rejects it with `ERR_WRONG_SCOPE`.
 */

/** The method a shareable weft object implements. `Symbol.for` so that two copies of weft in one thread agree. */
export const kHandle: unique symbol = Symbol.for('weft.handle') as never;

export type Scope = 'thread' | 'process' | 'machine';

export interface Handle {
  /** Registered kind, e.g. `'threading.Lock'`. */
  readonly kind: string;
  readonly scope: Scope;
  /** Structured-cloneable description of the shared state. */
  readonly data: unknown;
}

export interface Shareable {
  [kHandle](): Handle;
}

type Attach = (data: never) => object;

const registryKey = Symbol.for('weft.handleKinds');
type GlobalWithRegistry = typeof globalThis & { [registryKey]?: Map<string, Attach> };

/**
 * The kind registry lives on `globalThis` so that two copies of weft loaded in
 * one thread (an ESM and a CommonJS copy, or `src/` and `dist/`) attach each
 * other's handles. The last registration of a kind wins; all copies build
 * wrappers over the same shared state, so any of them will do.
 */
function registry(): Map<string, Attach> {
  const g = globalThis as GlobalWithRegistry;
  return (g[registryKey] ??= new Map());
}

/** Registers the function that rebuilds objects of `kind` from their handle data. */
export function registerHandleKind<D>(kind: string, attach: (data: D) => object): void {
  registry().set(kind, attach as Attach);
}

type AttachObserver = (object: object, handle: Handle) => void;

const observers = new Map<Scope, AttachObserver>();

/**
 * Calls `observer` for every object of `scope` this copy of weft attaches
 * from a handle: the hub's reference counts hear of each process-scope
 * wrapper rebuilt here (`backends/hub/wrapper-refs.ts`).
 */
export function observeAttach(scope: Scope, observer: AttachObserver): void {
  observers.set(scope, observer);
}

/** Rebuilds the object a handle stands for, in the calling thread. */
export function attachHandle(handle: Handle): object {
  const attach = registry().get(handle.kind);
  if (attach === undefined) {
    throw new Error(`codec: no weft object of kind "${handle.kind}" is known in this thread; import the weft module that defines it`);
  }
  const object = attach(handle.data as never);
  observers.get(handle.scope)?.(object, handle);
  return object;
}

export function isShareable(value: unknown): value is Shareable {
  return typeof value === 'object' && value !== null && typeof (value as Partial<Shareable>)[kHandle] === 'function';
}

export function isHandle(value: unknown): value is Handle {
  return typeof value === 'object' && value !== null && typeof (value as Handle).kind === 'string' && typeof (value as Handle).scope === 'string' && 'data' in value;
}
