/**
 * `Manager`: shared `dict`s, `list`s and `Namespace`s for every thread of
 * every process of the tree — Python's `multiprocessing.Manager()` (a
 * started `SyncManager`).
 *
 * Python starts a manager *process* that owns the objects and serves them
 * to proxies over a socket. weft's process tree already has such a server —
 * the hub, a broker thread of the root process — so a `Manager` is a ledger
 * in the hub (`backends/hub/manager.ts`) and its objects are hub state
 * machines (`backends/hub/dict.ts`, `list.ts`, `namespace.ts`). Nothing is
 * started: no process, no thread, no socket of its own.
 *
 * The proxies (`DictProxy`, `ListProxy`, `Namespace`) behave as Python's:
 * every call is one atomic step in the hub; values are copied both ways; a
 * proxy stored in another is stored as a reference and comes back live;
 * proxies cross to Threads, Processes, pool tasks and queue items and
 * reach the same object.
 *
 * Lifetime, as Python's: the objects live until `shutdown()` (also by
 * `await using`, or when the process that made the manager ends, as
 * Python's manager process ends with its parent); afterwards every call on
 * their proxies throws `ERR_MANAGER_SHUTDOWN` at once — never a hang — and
 * the manager makes no more objects. `start()` is for ported code: a
 * manager is served from construction, so it does nothing (Python's
 * `Manager()` also returns a started one).
 *
 * `Lock()`, `Queue()`, `Value()` and the other primitives Python's
 * `SyncManager` also serves return weft's process-scope classes, which the
 * hub already shares across the tree (and which, unlike Python's proxies of
 * them, outlive the manager's shutdown).
 */
import { hubCallSync, hubCreate } from '../backends/hub/client.js';
import { hubIdOf, type HubId } from '../backends/hub/ops.js';
import { trackWrapper } from '../backends/hub/wrapper-refs.js';
import { DICT_KIND } from '../backends/hub/dict.js';
import { LIST_KIND } from '../backends/hub/list.js';
import { MANAGER_KIND } from '../backends/hub/manager.js';
import { NAMESPACE_KIND } from '../backends/hub/namespace.js';
import { kHandle, registerHandleKind, type Handle, type Shareable } from '../codec/handles.js';
import { ErrorCode, invalidArg, misuse } from '../errors.js';
import type { BigIntTypecode, NumberTypecode, Typecode } from '../runtime/typecodes.js';
import { inspectSymbol } from '../runtime/owner.js';
import { Barrier } from './barrier.js';
import { proxyOver, type ProxyHandleData } from './base-proxy.js';
import { Condition } from './condition.js';
import { DictProxy, encodeEntries, type DictInit } from './dict-proxy.js';
import { Event } from './event.js';
import { hubHandle, kHubId, type HubBacked } from '../backends/hub/hub-object.js';
import { attach, Attached } from '../sync/attach.js';
import { JoinableQueue } from './joinable-queue.js';
import { ListProxy, encodeValues } from './list-proxy.js';
import { Lock } from './lock.js';
import { Namespace, withAttributes } from './namespace.js';
import { Queue } from './queue.js';
import { RLock } from './rlock.js';
import { BoundedSemaphore, Semaphore } from './semaphore.js';
import { SharedArray, type ProcessSharedArrayOptions } from './shared-array.js';
import { Value, type ProcessValueOptions } from './value.js';

/** A snapshot of a manager's state in the hub. */
export interface ManagerStatistics {
  /** False once shut down. */
  readonly running: boolean;
  /** How many dicts, lists and namespaces it serves. */
  readonly objects: number;
}

/**
 * Shared dicts, lists and namespaces for every process of the tree:
 * Python's `multiprocessing.Manager()`. Use it with `await using` (Python's
 * `with Manager() as m:`), or call `shutdown()`; the proxies fail with
 * `ERR_MANAGER_SHUTDOWN` after that.
 *
 * @example
 * ```ts
 * import { Manager, Process, type DictProxy, type ListProxy } from 'weft/multiprocessing';
 * export function work(d: DictProxy<number>, l: ListProxy<number>, n: number) {
 *   d.setSync(`k${n}`, n);
 *   l.appendSync(n);
 * }
 * if (isMain(import.meta)) {
 *   await using manager = new Manager();
 *   const d = manager.dict<number>();
 *   const l = manager.list<number>();
 *   const ps = [1, 2, 3].map((n) => new Process({ target: work, args: [d, l, n] }));
 *   ps.forEach((p) => p.start());
 *   for (const p of ps) await p.join();
 *   console.log(await d.toObject(), (await l.toArray()).sort()); // { k1: 1, k2: 2, k3: 3 } [1, 2, 3]
 * }
 * ```
 */
export class Manager implements Shareable, HubBacked, AsyncDisposable, Disposable {
  readonly #id: HubId<typeof MANAGER_KIND>;

  constructor();
  constructor(attached?: Attached<ProxyHandleData>) {
    if (attached instanceof Attached) {
      this.#id = hubIdOf(attached.core.id, MANAGER_KIND);
      return;
    }
    // The hub records this process as the creator (the manager shuts down when it ends) in the create itself.
    this.#id = hubCreate(MANAGER_KIND, []);
  }

  /** For ported code: a manager is served from construction. Returns it; after `shutdown()` throws `ERR_MANAGER_SHUTDOWN`. */
  start(): this {
    this.#requireRunning();
    return this;
  }

  /**
   * A new shared dict (Python's `manager.dict()`), filled from `init`: an
   * object's own entries, a Map, or `[key, value]` pairs. Keys are strings.
   */
  dict<V = unknown>(init?: DictInit<V>): DictProxy<V> {
    const entries = init === undefined ? undefined : encodeEntries(init);
    return tracked(DictProxy, hubCreate(DICT_KIND, [this.#id, entries])) as DictProxy<V>;
  }

  /** A new shared list (Python's `manager.list()`), filled from `init`. */
  list<T = unknown>(init?: Iterable<T>): ListProxy<T> {
    const values = init === undefined ? undefined : encodeValues(init);
    return tracked(ListProxy, hubCreate(LIST_KIND, [this.#id, values])) as ListProxy<T>;
  }

  /** A new shared namespace (Python's `manager.Namespace()`), with `init`'s own entries as its first attributes. */
  // eslint-disable-next-line @typescript-eslint/naming-convention -- Python's name: a factory of Namespaces
  Namespace<A extends object = Record<string, unknown>>(init?: A): Namespace & Partial<A> & Record<string, unknown> {
    const entries = init === undefined ? undefined : encodeEntries(init);
    return withAttributes(tracked(Namespace, hubCreate(NAMESPACE_KIND, [this.#id, entries]))) as Namespace & Partial<A> & Record<string, unknown>;
  }

  /** A process-scope `Lock` (the same class as `new Lock()` from weft/multiprocessing). */
  Lock(): Lock {
    this.#requireRunning();
    return new Lock();
  }

  /** A process-scope `RLock`. */
  RLock(): RLock {
    this.#requireRunning();
    return new RLock();
  }

  /** A process-scope `Semaphore`. */
  Semaphore(value = 1): Semaphore {
    this.#requireRunning();
    return new Semaphore(value);
  }

  /** A process-scope `BoundedSemaphore`. */
  BoundedSemaphore(value = 1): BoundedSemaphore {
    this.#requireRunning();
    return new BoundedSemaphore(value);
  }

  /** A process-scope `Condition`, over `lock` or a new RLock. */
  Condition(lock?: Lock | RLock): Condition {
    this.#requireRunning();
    return new Condition(lock);
  }

  /** A process-scope `Event`. */
  Event(): Event {
    this.#requireRunning();
    return new Event();
  }

  /** A process-scope `Barrier`. */
  Barrier(parties: number, options?: { timeout?: number }): Barrier {
    this.#requireRunning();
    return new Barrier(parties, options);
  }

  /** A process-scope `Queue`. */
  Queue<T = unknown>(maxsize = 0): Queue<T> {
    this.#requireRunning();
    return new Queue<T>(maxsize);
  }

  /** A process-scope `JoinableQueue`. */
  JoinableQueue<T = unknown>(maxsize = 0): JoinableQueue<T> {
    this.#requireRunning();
    return new JoinableQueue<T>(maxsize);
  }

  /** A process-scope `Value` (Python's `manager.Value(typecode, value)`). */
  Value(typecode: BigIntTypecode, initial?: bigint, options?: ProcessValueOptions): Value<bigint>;
  Value(typecode: NumberTypecode, initial?: number, options?: ProcessValueOptions): Value<number>;
  Value(typecode: Typecode, initial?: number | bigint, options?: ProcessValueOptions): Value<number | bigint> {
    this.#requireRunning();
    return new Value(typecode, initial, options);
  }

  /** A process-scope `SharedArray` (Python's `manager.Array(typecode, sequence)`). */
  Array(typecode: BigIntTypecode, sizeOrItems: number | Iterable<bigint>, options?: ProcessSharedArrayOptions): SharedArray<bigint>;
  Array(typecode: NumberTypecode, sizeOrItems: number | Iterable<number>, options?: ProcessSharedArrayOptions): SharedArray<number>;
  Array(typecode: Typecode, sizeOrItems: number | Iterable<number | bigint>, options?: ProcessSharedArrayOptions): SharedArray<number | bigint> {
    this.#requireRunning();
    return new SharedArray(typecode, sizeOrItems as Iterable<number>, options);
  }

  /**
   * Frees every dict, list and namespace this manager made; their proxies,
   * in every process, throw `ERR_MANAGER_SHUTDOWN` from now on. Idempotent;
   * any holder of the manager may call it.
   */
  shutdown(): void {
    hubCallSync(this.#id, 'shutdown', []);
  }

  /** A snapshot of the manager's state in the hub (one round trip). */
  statistics(): ManagerStatistics {
    const { running, objects } = hubCallSync(this.#id, 'stat', []);
    return Object.freeze({ running, objects });
  }

  /** `await using manager = new Manager()`: shut down at the end of the block. */
  async [Symbol.asyncDispose](): Promise<void> {
    this.shutdown();
  }

  /** `using manager = new Manager()`: shut down at the end of the block. */
  [Symbol.dispose](): void {
    this.shutdown();
  }

  get [kHubId](): number {
    return this.#id;
  }

  [kHandle](): Handle {
    const data: ProxyHandleData = { id: this.#id };
    return hubHandle(MANAGER_KIND, data);
  }

  [inspectSymbol](): string {
    const { running, objects } = this.statistics();
    return `<Manager #${this.#id} ${running ? `running objects=${objects}` : 'shut down'}>`;
  }

  toString(): string {
    return this[inspectSymbol]();
  }

  #requireRunning(): void {
    if (hubCallSync(this.#id, 'running', []) !== true) throw misuse(ErrorCode.ManagerShutdown, 'managers: this Manager was shut down; it makes no more objects');
  }

  /** @internal */
  static fromHandle(data: ProxyHandleData): Manager {
    if (typeof data?.id !== 'number') throw invalidArg('managers: a malformed Manager handle');
    return attach(Manager, data);
  }
}

/**
 * A proxy over a referent just created, holding the creator's reference
 * (`backends/hub/references.ts`): released when the proxy is collected, so
 * a dict nobody names any more leaves the hub and its manager's list.
 */
function tracked<P extends object>(Class: new () => P, id: number): P {
  const proxy = proxyOver(Class, id);
  trackWrapper(proxy, id);
  return proxy;
}

registerHandleKind<ProxyHandleData>(MANAGER_KIND, (data) => Manager.fromHandle(data));
