/**
 * `connect()` and `RedisScope`: one process's (or thread's) presence in a
 * namespace of a Redis server — what every named object of `weft/redis`
 * is opened on.
 *
 * A scope holds:
 * - a command connection (`@redis/client` pipelines what is sent in one tick);
 * - a blocking connection, reading its own wake list (wake.ts) with `BLMOVE`
 *   into its in-delivery list, so no message is lost before it is delivered;
 * - a lease thread renewing its lease (lease-thread.ts);
 * - its waits in progress (waits.ts), and the local side of the objects
 *   opened on it, by object id (a lock's kept grant lives there).
 *
 * Lifecycle: Open → Closed (`close()`): kept locks are handed on, then the
 * `leave` script reaps the connection at once (locks still held pass on
 * with `ownerDied`, permits come back, queued waits go), then the lease
 * thread and both connections end. Calls after that throw
 * `ERR_CONNECTION_CLOSED`.
 */
import { Worker } from 'node:worker_threads';
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ErrorCode, invalidArg, misuse } from '../../errors.js';
import { bundled } from '../../internal/layout.js';
import { loaderPlan } from '../../runtime/loaders.js';
import { checkName, keyPrefix } from './keys.js';
import { LEAVE, REGISTER } from './lease-lua.js';
import { clock, LeaseShared } from './lease-shared.js';
import type { LeaseSeed } from './lease-thread.js';
import { runScript, type CommandSender, type Script } from './script.js';
import { Waits, type Grant } from './waits.js';
import { WakeLoop } from './wake.js';
import { loadRedisClient } from './redis-client.js';

/** Options of `connect()`. */
export interface ConnectOptions {
  /** The server, e.g. `redis://127.0.0.1:6379` (default: `$WEFT_REDIS_URL`, else that). */
  url?: string;
  /** Objects are shared between connections of the same namespace (default `'weft'`). */
  namespace?: string;
  /** ms a silent connection keeps what it holds before others take it over (default 10 000, at least 100). */
  lease?: number;
}

/** The local side of a named object, kept by its scope (a lock's grant, for instance). */
export interface LocalObject {
  /** A revoke message for this object arrived. */
  revoke?(fence: string): void;
  /** The lease had run out and the server reaped this connection. */
  reaped?(): void;
  /** The scope is closing: hand on what can be handed on cleanly. */
  closing?(): Promise<void>;
}

/** The parts of an `@redis/client` client the scope uses. */
interface Client extends CommandSender {
  connect(): Promise<unknown>;
  duplicate(overrides?: { name?: string }): Client;
  destroy(): void;
  on(event: 'error', listener: (error: unknown) => void): unknown;
}

const DEFAULT_URL = 'redis://127.0.0.1:6379';
const DEFAULT_LEASE_MS = 10_000;

const here = fileURLToPath(import.meta.url);
/** The module the lease thread imports; it exports `runRedisLease`. */
const leaseThreadUrl = bundled ? import.meta.url : new URL(`./lease-thread${extname(here)}`, import.meta.url).href;

// Runs as a CommonJS script in the new worker, as the hub's link does (backends/hub/tree.ts).
const LEASE_ENTRY = `
const { workerData } = require('node:worker_threads');
if (workerData.tsxHooks) require('node:module').register(workerData.tsxHooks, { data: {} });
import(workerData.url).then((weft) => weft.runRedisLease()).catch((error) => {
  process.stderr.write('weft: the redis lease thread failed to start: ' + String(error && error.stack || error) + '\\n');
});
`;

/**
 * Connects to a Redis 7 (or Valkey) server and joins a namespace: the scope
 * every `weft/redis` object is opened on. Close it with `close()` (or
 * `await using`): until then its connections keep the process alive.
 *
 * @example
 * ```ts
 * import { connect, Lock } from 'weft/redis';
 * const redis = await connect({ url: 'redis://127.0.0.1:6379', namespace: 'shop' });
 * const tickets = new Lock('tickets', { redis });
 * await tickets.withLock(() => sell());
 * await redis.close();
 * ```
 */
export async function connect(options: ConnectOptions = {}): Promise<RedisScope> {
  if (typeof options !== 'object' || options === null) throw invalidArg('redis: options must be an object like { url, namespace, lease }', 'type');
  const url = options.url ?? process.env.WEFT_REDIS_URL ?? DEFAULT_URL;
  if (typeof url !== 'string') throw invalidArg('redis: url must be a string', 'type');
  const namespace = checkName(options.namespace ?? 'weft', 'the namespace');
  const lease = options.lease ?? DEFAULT_LEASE_MS;
  if (typeof lease !== 'number' || !Number.isInteger(lease) || lease < 100) {
    throw invalidArg(`redis: lease must be a whole number of ms >= 100, got ${String(lease)}`);
  }
  const { createClient } = await loadRedisClient();
  const commands = createClient({ url }) as unknown as Client;
  // Connection errors also fail the commands in flight, which is where callers see them.
  commands.on('error', () => {});
  await commands.connect();
  const prefix = keyPrefix(namespace);
  const sentAt = clock();
  let id: number;
  let blocking: Client;
  try {
    id = await runScript<number>(commands, REGISTER, `${prefix}procs`, prefix, [lease]);
    // Named, so that CLIENT LIST tells which connection reads which wake list.
    blocking = commands.duplicate({ name: `${prefix}wake:${id}` });
    blocking.on('error', () => {});
    await blocking.connect();
  } catch (error) {
    commands.destroy();
    throw error;
  }
  const shared = new LeaseShared();
  shared.renewed(sentAt, lease);
  return new RedisScope(kCreate, { url, namespace, lease, prefix, id, commands, blocking, shared });
}

const kCreate = Symbol('RedisScope.create');

interface ScopeParts {
  readonly url: string;
  readonly namespace: string;
  readonly lease: number;
  readonly prefix: string;
  readonly id: number;
  readonly commands: Client;
  readonly blocking: Client;
  readonly shared: LeaseShared;
}

/**
 * A connection to a namespace of a Redis server, made by `connect()`: pass
 * it as `{ redis }` to open named objects on it. It is the owner of the
 * locks it takes.
 *
 * @example
 * ```ts
 * await using redis = await connect({ namespace: 'shop' });
 * const open = new Event('open', { redis });
 * await open.wait();
 * ```
 */
export class RedisScope {
  /** The namespace every object opened on this scope lives in. */
  readonly namespace: string;
  /** This connection's number in the namespace: the owner id other processes see in `statistics()`. */
  readonly id: number;
  readonly #prefix: string;
  readonly #commands: Client;
  readonly #blocking: Client;
  readonly #shared: LeaseShared;
  readonly #waits = new Waits();
  readonly #objects = new Map<string, LocalObject>();
  readonly #wake: WakeLoop;
  readonly #leaseThread: Worker;
  #closed: Promise<void> | undefined;
  /** False once the connections are ended (close() still runs scripts while it hands things on). */
  #open = true;

  /** Made by `connect()` (not by users: its token is private). */
  constructor(token: symbol, parts: ScopeParts) {
    if (token !== kCreate) throw misuse(ErrorCode.InvalidState, 'redis: make a RedisScope with `await connect(options)`');
    this.namespace = parts.namespace;
    this.id = parts.id;
    this.#prefix = parts.prefix;
    this.#commands = parts.commands;
    this.#blocking = parts.blocking;
    this.#shared = parts.shared;
    this.#wake = new WakeLoop(parts.blocking, `${parts.prefix}wake:${parts.id}`, `${parts.prefix}inflight:${parts.id}`, (message) => this.#deliver(message));
    this.#wake.start();
    const seed: LeaseSeed = { redisUrl: parts.url, prefix: parts.prefix, id: parts.id, lease: parts.lease, shared: parts.shared.buffer };
    this.#leaseThread = new Worker(LEASE_ENTRY, {
      eval: true,
      workerData: { ...seed, url: leaseThreadUrl, tsxHooks: loaderPlan().tsxHooks },
      name: 'weft redis lease',
    });
    this.#leaseThread.unref();
    this.#leaseThread.on('message', (message) => {
      if (message === 'reaped') this.#reaped();
    });
    this.#leaseThread.on('error', () => {}); // reported by its entry script
  }

  /** Runs a transition script on the object `oid` (`lock:tickets`) of this namespace: its key is the object's hash, its ARGV prefix, oid, ...args. */
  run<T>(script: Script, oid: string, args: ReadonlyArray<string | number>): Promise<T> {
    if (!this.#open) return Promise.reject(closedError());
    return runScript<T>(this.#commands, script, this.#prefix + oid, this.#prefix, [oid, ...args]);
  }

  /** The local side of object `oid`, made by `make` the first time it is opened on this scope. */
  local<O extends LocalObject>(oid: string, make: () => O): O {
    let found = this.#objects.get(oid) as O | undefined;
    if (found === undefined) this.#objects.set(oid, (found = make()));
    return found;
  }

  /** Waits for a grant (waits.ts). */
  wait(steps: Parameters<Waits['wait']>[0], timeout: number | undefined, signal: AbortSignal | undefined): Promise<Grant | undefined> {
    if (this.#closed !== undefined) return Promise.reject(closedError());
    return this.#waits.wait(steps, timeout, signal);
  }

  /** Grows each time this connection was reaped (its lease ran out); grants of an older epoch are lost. */
  get epoch(): number {
    return this.#shared.epoch;
  }

  /** True once the connections are ended: no script can be sent any more. */
  get closed(): boolean {
    return !this.#open;
  }

  /** True while the lease is surely alive on the server (lease-shared.ts). */
  leaseValid(): boolean {
    return this.#shared.valid();
  }

  /** Throws `ERR_CONNECTION_CLOSED` once the scope is closed. */
  checkOpen(): void {
    if (this.#closed !== undefined) throw closedError();
  }

  /**
   * Hands on what this connection keeps, leaves the namespace (whatever it
   * still holds passes on with `ownerDied`), and ends its connections and
   * lease thread. Idempotent.
   */
  close(): Promise<void> {
    return (this.#closed ??= this.#close());
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  async #close(): Promise<void> {
    try {
      for (const object of this.#objects.values()) await object.closing?.();
      const dropDelivered = this.#wake.dropDelivered();
      if (dropDelivered !== undefined) await this.#commands.sendCommand(dropDelivered);
      await runScript(this.#commands, LEAVE, `${this.#prefix}procs`, this.#prefix, [this.id]);
    } finally {
      this.#open = false;
      this.#waits.closeAll();
      this.#wake.stop();
      this.#blocking.destroy();
      this.#commands.destroy();
      // Referenced while it ends: otherwise, with the sockets gone, the event
      // loop could empty and the process exit before close() resolves.
      this.#leaseThread.ref();
      await this.#leaseThread.terminate();
    }
  }

  #deliver(message: string): void {
    const parts = message.split('|');
    if (parts[0] === 'g' || parts[0] === 'n') {
      // A Condition's notification ('n') is a grant without a fence.
      this.#waits.granted(Number(parts[1]), { fence: parts[0] === 'g' ? parts[2]! : '0', died: parts[3] === '1', wanted: parts[4] === '1' });
    } else if (parts[0] === 'i') {
      this.#waits.granted(Number(parts[1]), { fence: '0', died: false, wanted: false, item: parts[3]! });
    } else if (parts[0] === 'x') {
      this.#waits.granted(Number(parts[1]), { fence: '0', died: false, wanted: false, shut: true });
    } else if (parts[0] === 'r') {
      this.#objects.get(parts[1]!)?.revoke?.(parts[2]!);
    }
  }

  #reaped(): void {
    for (const object of this.#objects.values()) object.reaped?.();
    this.#waits.resubmitAll();
  }

  toString(): string {
    return `<RedisScope namespace=${this.namespace} id=${this.id}${this.#closed === undefined ? '' : ' closed'}>`;
  }
}

function closedError(): Error {
  return misuse(ErrorCode.ConnectionClosed, 'redis: this RedisScope was closed; connect() again');
}
