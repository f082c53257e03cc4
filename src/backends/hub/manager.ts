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
 * | `objects` | the objects made through it and not yet shut down                    |
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
 * | `claim`    | —    | undefined; the first caller becomes `creator`    |
 * | `shutdown` | —    | undefined; idempotent                            |
 * | `running`  | —    | boolean                                          |
 * | `stat`     | —    | `{ running, objects }` (how many objects it serves) |
 *
 * Created with []. A kind's factory is not told who called, so the client
 * follows its `create` with a `claim`, which records the caller as the
 * creator.
 */
import { ErrorCode, invalidArg, misuse } from '../../errors.js';
import { hubObject, registerHubKind, type HubCall, type HubObject } from './call.js';

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
  /** The creating process (hub client number), once it has said so; undefined until then. */
  #creator: number | undefined;
  readonly #objects = new Set<ManagedState>();

  call(op: string, call: HubCall): void {
    switch (op) {
      case 'claim':
        // The creator's first call: the hub's `create` does not tell a factory who called.
        this.#creator ??= call.client;
        return call.reply();
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

registerHubKind(MANAGER_KIND, () => new HubManager());

/**
 * The part every managed object shares: it joins its manager when created
 * (creation args[0] is the manager's id), and once the manager shuts down it
 * frees its contents and fails every call. Subclasses state their ops in
 * `serve` and what to drop in `free`.
 */
export abstract class ManagedObject implements HubObject, ManagedState {
  #shutDown = false;

  constructor(managerId: unknown) {
    managerOf(managerId).adopt(this);
  }

  call(op: string, call: HubCall): void {
    if (this.#shutDown) return failShutDown(call);
    this.serve(op, call);
  }

  shutDown(): void {
    this.#shutDown = true;
    this.free();
  }

  /** A managed object holds nothing for a caller: nobody waits on it, nothing is released. */
  callerGone(_client: number, _thread: number | undefined): void {}

  protected abstract serve(op: string, call: HubCall): void;
  protected abstract free(): void;
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
