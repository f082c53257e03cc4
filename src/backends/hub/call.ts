/**
 * What a process-scope object is, inside the hub: a plain single-threaded
 * state machine (`HubObject`) that answers calls (`HubCall`). The hub's core
 * (`server.ts`) owns everything around the state machines — connections,
 * timeouts, cancellation, a caller's death — so each object only states its
 * own rules:
 *
 * - `call(op, call)`: answer now (`reply`/`fail`), or keep `call` in a
 *   waiter list and answer later. A kept call registers `whenAbandoned`:
 *   the core runs it, and answers the caller itself, when the call times
 *   out (`TIMED_OUT`), is cancelled by the caller's AbortSignal, or its
 *   process ends. The cleanup runs while the call is still unsettled, before
 *   anything else can happen in the hub: so a call an object still keeps in
 *   a waiter list is always one somebody waits for, and an object never
 *   needs to skip settled calls.
 * - `callerGone(client, thread)`: a thread (`thread` set) or a whole process
 *   (`thread` undefined) ended. Release what it held — a lock is released
 *   and its next owner told `inherited: true` (robust-mutex semantics) —
 *   and keep what it did not take (queue items stay queued).
 *
 * An object does nothing about its own lifetime: the core counts its
 * references across the tree and takes it out of the registry once nothing
 * names it and no call waits on it (`references.ts`). An object built over
 * another (a Condition over its lock) keeps that one as a plain reference;
 * the other's id may leave the registry while this one still uses it.
 *
 * A call with `timeout: 0` that the object did not answer synchronously is
 * answered `TIMED_OUT` by the core at once; a call with a timeout is
 * answered `TIMED_OUT` by the core's timer. Objects never run timers.
 *
 * Arguments and answers cross as v8-serialized values: numbers, bigints,
 * strings, booleans, null/undefined, Uint8Array, plain objects and arrays.
 * Queue items arrive already encoded (Uint8Array), by the putter.
 */
import { ErrorCode } from '../../errors.js';

/** The answer the core gives a call whose timeout ran out. */
export const TIMED_OUT = 'weft:timed-out';

/** Who made a call: a process of the tree (`client`) and a thread in it (its atomics token). */
export interface Caller {
  /** The calling process's number in the hub; the root is 0. Stable for the life of the process. */
  readonly client: number;
  /** The calling thread's token (`currentToken()` in that process). */
  readonly thread: number;
}

/** Names of the condition classes a failed call may rebuild in the caller (see `errors.ts`). */
export type ConditionName = 'Full' | 'Empty' | 'ShutDown' | 'BrokenBarrierError';

/** One call waiting in the hub for its answer. */
export interface HubCall extends Caller {
  readonly args: readonly unknown[];
  /** True once answered (or abandoned). */
  readonly settled: boolean;
  /** Answers the call; the caller's promise resolves (or `…Sync` returns) with `value`. */
  reply(value?: unknown): void;
  /**
   * Answers like `reply`, for an answer that hands something over (a queue
   * item): if the caller's process dies before its link has the answer, the
   * core runs `undo` (the queue puts the item back at its head), so nothing
   * is lost with a process that never received it.
   */
  replyAcked(value: unknown, undo: () => void): void;
  /** Fails the call with a misuse error: the caller throws `RuntimeError` with this `code`. */
  fail(code: ErrorCode, message: string): void;
  /** Fails the call with one of the condition classes, rebuilt in the caller. */
  raise(name: ConditionName, message: string): void;
  /** Registers what to undo if the call is abandoned before it is answered (see above). */
  whenAbandoned(cleanup: () => void): void;
}

/** A process-scope object's state, in the hub. */
export interface HubObject {
  call(op: string, call: HubCall): void;
  callerGone(client: number, thread: number | undefined): void;
  /** Told its id once created, if it wants it (a traced queue names its depth by it). */
  identify?(id: number): void;
  /**
   * Told once it left the registry (nothing names it any more,
   * `references.ts`): it releases what its stored values held. Never called
   * inside another object's call chain recursively (`hub.ts` runs them one
   * after the other).
   */
  freed?(): void;
}

/** Builds an object of one kind from the arguments its creator passed (and who it is). Throws `invalidArg` for bad ones. */
export type HubKind = (args: readonly unknown[], creator: Caller) => HubObject;

const kinds = new Map<string, HubKind>();

/** Makes `kind` creatable in the hub. Called at module load by each state machine's file. */
export function registerHubKind(kind: string, create: HubKind): void {
  kinds.set(kind, create);
}

const objects = new Map<number, HubObject>();

/**
 * The live object with this id, for objects built over others (a Condition
 * over its lock, a Value over its lock): they receive the other's id among
 * their creation arguments and look it up here. The hub's core keeps this map.
 */
export function hubObject(id: number): HubObject | undefined {
  return objects.get(id);
}

/** Records a new object under its id. Called by the hub's core only. */
export function addHubObject(id: number, object: HubObject): void {
  objects.set(id, object);
}

/** Takes an object nobody names any more out of the registry (`references.ts`); answers it, for its `freed`. Called by the hub's core only. */
export function removeHubObject(id: number): HubObject | undefined {
  const object = objects.get(id);
  objects.delete(id);
  return object;
}

/** How many objects the hub holds now. */
export function hubObjectCount(): number {
  return objects.size;
}

/** Every live object, for the core's cleanup after a caller's death. */
export function allHubObjects(): IterableIterator<HubObject> {
  return objects.values();
}

/** The factory for `kind`, or undefined. */
export function hubKind(kind: string): HubKind | undefined {
  return kinds.get(kind);
}
