/**
 * The hub's state machine of a `Manager` (`multiprocessing.Manager()`, a
 * `SyncManager`): the owner of the shared `dict`s, `list`s and `Namespace`s
 * made through it (`dict.ts`, `list.ts`, `namespace.ts`), and of their
 * lifetime.
 *
 * Python serves these objects from a manager *process*; when it ends
 * (`shutdown()`, or its parent ends) every proxy fails with an error. weft
 * serves them from the hub, which already serves every process of the tree,
 * so the manager is only this ledger: which objects it made, and whether it
 * still runs. A shutdown frees their contents at once and leaves each object
 * failing every later call with `ERR_MANAGER_SHUTDOWN` (a clear error, never
 * a hang); the empty shell stays registered like every hub object, so that
 * the hub's own freeing of unreferenced objects applies to it as to the
 * others.
 *
 * Guarantees: a call on a managed object is answered entirely before the
 * next one starts (the hub is single-threaded), so every op is atomic; a
 * shutdown is ordered with the calls: a call that reached the hub before it
 * is served, every one after it fails.
 *
 * ## State
 *
 * | field     | meaning                                                              |
 * |-----------|----------------------------------------------------------------------|
 * | `creator` | the process that made the manager; its end shuts the manager down (Python: the manager process is the child of its creator) |
 * | `running` | true until `shutdown`; one way                                       |
 * | `objects` | the objects made through it, not yet shut down nor freed             |
 *
 * | state    | create object              | `shutdown`                          | creator process ends |
 * |----------|----------------------------|-------------------------------------|----------------------|
 * | Running  | added to `objects`         | → ShutDown; every object shut down  | → ShutDown, likewise |
 * | ShutDown | `ERR_MANAGER_SHUTDOWN`     | nothing (idempotent)                | —                    |
 *
 * ## Ops
 *
 * | op         | args | answer                                           |
 * |------------|------|--------------------------------------------------|
 * | `shutdown` | —    | undefined; idempotent                            |
 * | `running`  | —    | boolean                                          |
 * | `stat`     | —    | `{ running, objects }` (how many objects it serves) |
 *
 * Created with []; the core tells the factory who created it (`creator`).
 * An object made through the manager and freed by the hub (nobody names
 * it, `references.ts`) leaves `objects`: a program that makes and drops
 * many dicts does not grow the manager.
 */
import { ErrorCode, invalidArg, misuse } from '../../errors.js';
import { hubObject, registerHubKind, type HubCall, type HubObject } from './call.js';
import { endCall, keep, release, releaseAll, takeIn } from './stored-values.js';
import type { OpName } from './ops.js';
export { handOut, strip } from './stored-values.js';

export const MANAGER_KIND = 'multiprocessing.managers.SyncManager';

/** What every object a manager serves does when the manager shuts down. */
export interface ManagedState {
  /** Frees the contents; every later call fails `ERR_MANAGER_SHUTDOWN`. */
  shutDown(): void;
}

/** The answer of `stat`. */
export interface ManagerStat {
  readonly running: boolean;
  readonly objects: number;
}

const SHUT_DOWN_MESSAGE = 'managers: the Manager serving this object was shut down; its dicts, lists and namespaces are gone';

/** Fails `call` with the error every managed object answers after its manager's shutdown. */
export function failShutDown(call: HubCall): void {
  call.fail(ErrorCode.ManagerShutdown, SHUT_DOWN_MESSAGE);
}

export class HubManager implements HubObject {
  #running = true;
  /** The creating process (hub client number): told by the core at `create`, so no window leaves it unset. */
  readonly #creator: number;
  readonly #objects = new Set<ManagedState>();

  constructor(creator: number) {
    this.#creator = creator;
  }

  call(op: OpName<'multiprocessing.managers.SyncManager'>, call: HubCall): void {
    switch (op) {
      case 'shutdown':
        this.shutDown();
        return call.reply();
      case 'running':
        return call.reply(this.#running);
      case 'stat':
        return call.reply({ running: this.#running, objects: this.#objects.size } satisfies ManagerStat);
      default:
        return call.fail(ErrorCode.InvalidArg, `managers: a Manager has no op '${op}'`);
    }
  }

  /** Registers an object made through this manager. Throws `ERR_MANAGER_SHUTDOWN` once shut down (the `create` fails). */
  adopt(object: ManagedState): void {
    if (!this.#running) throw misuse(ErrorCode.ManagerShutdown, 'managers: this Manager was shut down; it makes no more objects');
    this.#objects.add(object);
  }

  /** An object of this manager left the hub (nobody names it): the manager no longer serves it. */
  forget(object: ManagedState): void {
    this.#objects.delete(object);
  }

  shutDown(): void {
    if (!this.#running) return;
    this.#running = false;
    for (const object of this.#objects) object.shutDown();
    this.#objects.clear();
  }

  /** The creating process ended: as Python's manager process ends with its parent, the objects go. */
  callerGone(client: number, thread: number | undefined): void {
    if (thread === undefined && client === this.#creator) this.shutDown();
  }
}

/** The manager a managed object's creation arguments name (`args[0]`), for the object to join it. */
export function managerOf(id: unknown): HubManager {
  const manager = typeof id === 'number' ? hubObject(id) : undefined;
  if (!(manager instanceof HubManager)) throw invalidArg(`managers: no Manager ${String(id)} in this process tree`);
  return manager;
}

registerHubKind(MANAGER_KIND, (_args, creator) => new HubManager(creator.client));

/**
 * The part every managed object shares: it joins its manager when created
 * (creation args[0] is the manager's id), and once the manager shuts down it
 * frees its contents and fails every call. Subclasses state their ops in
 * `serve` and what to drop in `free`.
 *
 * References (`references.ts`, invariants 5 and 6; `stored-values.ts`): a
 * subclass takes every value a call sends through `takeIn` (its tickets are
 * adopted for the call), stores it with `keep`, lets go of a stored one with
 * `release`, and sends a stored one back through `handOut`; whatever the
 * call took in and did not keep is released when it ends. Shutting down or
 * being freed releases everything stored, and a freed object leaves its
 * manager's list.
 */
export abstract class ManagedObject implements HubObject, ManagedState {
  #shutDown = false;
  readonly #manager: HubManager;
  /** Our id in the hub, the holder of our stored values' references (0 until `identify`). */
  protected id = 0;

  constructor(managerId: unknown) {
    this.#manager = managerOf(managerId);
    this.#manager.adopt(this);
  }

  identify(id: number): void {
    this.id = id;
    // The creation's values were taken in by the constructor: keep them now that they have a holder.
    try {
      this.created();
    } finally {
      endCall();
    }
  }

  call(op: string, call: HubCall): void {
    if (this.#shutDown) return failShutDown(call);
    try {
      this.serve(op, call);
    } finally {
      endCall();
    }
  }

  shutDown(): void {
    this.#shutDown = true;
    this.free();
    releaseAll(this.id);
  }

  freed(): void {
    this.#manager.forget(this);
    if (this.#shutDown) return;
    this.#shutDown = true;
    this.free();
    releaseAll(this.id);
  }

  /** A managed object holds nothing for a caller: nobody waits on it, nothing is released. */
  callerGone(_client: number, _thread: number | undefined): void {}

  /** The values taken in at creation are stored (`keep`) here. */
  protected abstract created(): void;
  protected abstract serve(op: string, call: HubCall): void;
  /** Drops the contents (their references are released by the caller). */
  protected abstract free(): void;

  /** A value sent by the caller, checked, in its stored form (`stored-values.ts`). */
  protected takeIn(value: unknown, what: string): Uint8Array {
    if (!isStored(value)) throw invalidArg(`managers: ${what} must arrive encoded`, 'type');
    return takeIn(value);
  }

  protected keep(bytes: Uint8Array): Uint8Array {
    keep(this.id, bytes);
    return bytes;
  }

  protected release(bytes: Uint8Array | undefined): void {
    if (bytes !== undefined) release(this.id, bytes);
  }
}

/** Checks a stored value is what clients send: the encoded bytes of one value (`multiprocessing/hub-value-codec.ts`). */
export function isStored(value: unknown): value is Uint8Array {
  return value instanceof Uint8Array;
}

/** Two stored values are equal when their encodings are (a managed list's `index`, a dict's `compareAndSet`). */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
