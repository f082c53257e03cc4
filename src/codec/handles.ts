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

/**
 * What a handle becomes on its way to another process, for the kinds whose
 * thread-scope form cannot cross (a Connection end carries
 * SharedArrayBuffers between threads, a socket address between processes).
 * `childExited` is called when the child the handle went to has ended.
 */
export interface ProcessCrossing {
  readonly handle: Handle;
  readonly childExited?: () => void;
}

const crossingKey = Symbol.for('weft.processCrossings');
type GlobalWithCrossings = typeof globalThis & { [crossingKey]?: Map<string, (handle: Handle) => ProcessCrossing> };

function crossings(): Map<string, (handle: Handle) => ProcessCrossing> {
  const g = globalThis as GlobalWithCrossings;
  return (g[crossingKey] ??= new Map());
}

/** Registers how handles of `kind` are prepared for a child process (`Process.start()` calls it). */
export function registerProcessCrossing(kind: string, cross: (handle: Handle) => ProcessCrossing): void {
  crossings().set(kind, cross);
}

/**
 * The top-level `handles` as they go to a child process: each of a kind with
 * a registered crossing is replaced by what it returns; `exits` collects
 * the calls to make when that child ends.
 */
export function crossToProcess(handles: readonly Handle[], exits: Array<() => void>): Handle[] {
  const registered = crossings();
  if (registered.size === 0) return handles as Handle[];
  return handles.map((handle) => {
    const cross = registered.get(handle.kind);
    if (cross === undefined) return handle;
    const crossed = cross(handle);
    if (crossed.childExited !== undefined) exits.push(crossed.childExited);
    return crossed.handle;
  });
}

const threadCheckKey = Symbol.for('weft.threadCrossingChecks');
type GlobalWithThreadChecks = typeof globalThis & { [threadCheckKey]?: Map<string, (handle: Handle) => void> };

function threadChecks(): Map<string, (handle: Handle) => void> {
  const g = globalThis as GlobalWithThreadChecks;
  return (g[threadCheckKey] ??= new Map());
}

/** Registers a check that handles of `kind` may go to another thread of this process (`Thread.start()` calls it; it throws if not). */
export function registerThreadCrossing(kind: string, check: (handle: Handle) => void): void {
  threadChecks().set(kind, check);
}

/** Runs the registered thread-crossing checks over the top-level `handles`. */
export function checkThreadCrossing(handles: readonly Handle[]): void {
  const registered = threadChecks();
  if (registered.size === 0) return;
  for (const handle of handles) registered.get(handle.kind)?.(handle);
}

const bytesRefusalKey = Symbol.for('weft.bytesRefusals');
type GlobalWithRefusals = typeof globalThis & { [bytesRefusalKey]?: Map<string, string> };

function bytesRefusals(): Map<string, string> {
  const g = globalThis as GlobalWithRefusals;
  return (g[bytesRefusalKey] ??= new Map());
}

/**
 * Says that handles of `kind` cannot travel inside task bytes (a pool's
 * task arguments), and why: `reason` ends the error message.
 */
export function registerBytesRefusal(kind: string, reason: string): void {
  bytesRefusals().set(kind, reason);
}

/** Why `handle` cannot travel inside task bytes, or undefined if it can. */
export function bytesRefusal(handle: Handle): string | undefined {
  return bytesRefusals().get(handle.kind);
}
