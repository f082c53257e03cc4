/**
 * `Thread`: a thread of control — Python's `threading.Thread`, run on a
 * Node worker thread.
 *
 * Lifetimes are Python's: `start()` returns once the thread runs; a
 * non-daemon thread keeps the program alive until it ends, a daemon thread
 * does not and ends with the program; `daemon` defaults to the creating
 * thread's. An error thrown by `run()` is kept in `error` and handed to the
 * excepthook (`excepthook.ts`), which by default prints it to stderr as
 * Python prints it (`Exception in thread Thread-1:` and the stack), in the
 * starting thread before `join()` resolves; the program goes on. `join()`
 * never rethrows it.
 *
 * Unlike a Python thread, a weft thread has its own copy of every module:
 * it shares with its creator only what is passed to it — the `args`, and
 * the own fields of a Thread subclass — and weft objects among them (locks,
 * events, values…) are the same objects on both sides. Targets are
 * functions (or the Thread subclass itself) exported from a module; see
 * `runtime/target.ts`.
 *
 * The lifecycle, as the object in each thread sees it:
 *
 * | kind     | meaning                                                            |
 * |----------|--------------------------------------------------------------------|
 * | initial  | constructed, not started                                           |
 * | running  | started by this thread; its worker has not exited                  |
 * | ended    | started by this thread; its worker has exited                      |
 * | self     | this object is the calling thread itself                           |
 * | remote   | a thread started by another thread (from `activeThreads()`, or passed in as an argument) |
 */
import type { MessagePort, Worker } from 'node:worker_threads';
import { encodeArgs, encodeFields, type EncodedArgs } from '../codec/args.js';
import { checkThreadCrossing, kHandle, registerHandleKind, type Handle, type Shareable } from '../codec/handles.js';
import type { Arena } from '../backends/atomics/arena.js';
import { runtime } from '../backends/atomics/runtime.js';
import { stopAtSafePoint } from '../backends/atomics/safe-stop.js';
import { Deadline } from '../internal/deadline.js';
import { ErrorCode, invalidArg, misuse } from '../errors.js';
import { checkWaitOptions, type WaitOptions } from '../runtime/options.js';
import { inspectSymbol } from '../runtime/owner.js';
import { callerModule } from './call-site.js';
import type { ThreadDelay } from './boot-data.js';
import { controlError, drainControl, launch } from './launch.js';
import { invokeExcepthook } from './excepthook.js';
import { runnerState } from './registry.js';
import { describeTarget, type TargetRef } from '../runtime/target.js';
import { looksExported } from './export-check.js';
import { checkStartOptions } from './start-options.js';
import { waitFor } from './wait-for.js';

export interface ThreadOptions<A extends unknown[]> {
  /** The function to run: exported from a module; may be async. */
  target?: (...args: A) => unknown;
  /** Arguments for the target; copied, except weft objects, which are shared. */
  args?: A;
  /** Default `Thread-N`. */
  name?: string;
  /** Default: the creating thread's. */
  daemon?: boolean;
  /** The module exporting the target or the subclass, when weft cannot find it. */
  module?: string | URL;
}

type Lifecycle =
  | { readonly kind: 'initial' }
  | { readonly kind: 'running'; readonly token: number; readonly worker: Worker; readonly port: MessagePort; readonly exited: Promise<void> }
  | { readonly kind: 'ended'; readonly token: number }
  | { readonly kind: 'self'; readonly token: number }
  | { readonly kind: 'remote'; readonly token: number };

/** What a new thread rebuilds its Thread object from. */
export interface RestoredThread {
  readonly token: number;
  readonly name: string;
  readonly daemon: boolean;
  readonly ident: number;
  readonly target: Function | undefined;
  readonly args: unknown[];
  readonly fields: Record<string, unknown>;
}

/** Marks weft's Thread class, so a new thread can find it above a user's subclass. */
export const kThreadBase = Symbol.for('weft.Thread');
const kRestore = Symbol.for('weft.Thread.restore');
const kStandIn = Symbol.for('weft.Thread.standIn');
const kTerminate = Symbol.for('weft.Thread.terminate');
/** The worker's exit code once it has exited (pools report it for a worker that died mid-task). */
const kExitCode = Symbol.for('weft.Thread.exitCode');
/** Resolves when the worker has exited, without holding the event loop as `join()` does (for pools' own bookkeeping). */
const kEnded = Symbol.for('weft.Thread.ended');
/**
 * Hands the thread MessagePorts, before start(): they are transferred with
 * it and read there as `runnerState().ports` (`registry.ts`). For weft's own
 * channels: a thread pool worker's shared-buffer port (`pool/shared-buffers.ts`).
 */
const kPorts = Symbol.for('weft.Thread.ports');
/**
 * On a subclass weft itself ships (`Timer`): the new thread rebuilds a plain
 * Thread, as the subclass's behaviour crosses in the assignment (`kDelay`),
 * so the subclass need not be importable by reference.
 */
export const kBuiltInSubclass = Symbol.for('weft.Thread.builtInSubclass');
/** A method a Timer defines: the wait before `run()` that the new thread does (see `boot-data.ts`). */
export const kDelay = Symbol.for('weft.Thread.delay');

// Set while a Thread object is rebuilt or stands in for another thread; the
// constructor takes its state from here instead of from options.
let pending: { life: Lifecycle; name: string; daemon: boolean; ident: number | null; target?: Function; args?: unknown[] } | undefined;

// Targets (and subclasses) that started once, with the module they were
// found in: later starts need not wait for the new thread to confirm it can
// import them.
const verified = new WeakMap<Function, Set<string>>();

/** Whether start() must wait for the new thread to confirm it can import `fn` (see export-check.ts). */
function needsConfirmation(fn: Function, ref: TargetRef): boolean {
  if (verified.get(fn)?.has(ref.module) === true) return false;
  return !looksExported(fn, ref.module);
}

function markVerified(fn: Function, ref: TargetRef): void {
  const modules = verified.get(fn) ?? new Set<string>();
  modules.add(ref.module);
  verified.set(fn, modules);
}

const HANDLE_KIND = 'threading.Thread';

/**
 * How long `kTerminate` waits for a thread to leave weft's internal sections
 * (microseconds, unless it is blocked inside one on a holder that crashed).
 */
const TERMINATE_GRACE_MS = 1000;

/**
 * A thread of control: Python's `threading.Thread`, run on a worker thread.
 *
 * @example
 * ```ts
 * import { Thread } from 'weft/threading';
 * import { isMain } from 'weft';
 *
 * export function greet(name: string) {
 *   console.log(`hello from ${name}`);
 * }
 *
 * if (isMain(import.meta)) {
 *   const t = new Thread({ target: greet, args: ['a thread'] });
 *   t.start();
 *   await t.join();
 * }
 * ```
 */
export class Thread<A extends unknown[] = unknown[]> implements Shareable {
  static readonly [kThreadBase] = true;

  #name: string;
  #daemon: boolean;
  #target: Function | undefined;
  #args: unknown[];
  #module: string | URL | undefined;
  #site: string | undefined;
  #life: Lifecycle;
  #ident: number | null;
  #error: Error | undefined;
  /** Errors the thread reported that the excepthook has not been given yet (it is, when the thread ends). */
  #unreported: Error[] = [];
  #exitCode: number | null = null;
  #ports: readonly MessagePort[] = [];

  constructor(options?: ThreadOptions<A>) {
    if (pending !== undefined) {
      const state = pending;
      pending = undefined;
      this.#life = state.life;
      this.#name = state.name;
      this.#daemon = state.daemon;
      this.#ident = state.ident;
      this.#target = state.target;
      this.#args = state.args ?? [];
      return;
    }
    const checked = checkStartOptions(options, 'threading', 'Thread');
    this.#target = checked.target;
    this.#args = checked.args;
    this.#module = checked.module;
    this.#site = callerModule();
    this.#name = checked.name ?? `Thread-${runtime().arena.nextThreadNumber()}`;
    this.#daemon = checked.daemon ?? runnerState().daemon;
    this.#life = { kind: 'initial' };
    this.#ident = null;
  }

  get name(): string {
    return this.#name;
  }

  set name(name: string) {
    this.#name = String(name);
    const life = this.#life;
    if (life.kind === 'running' || life.kind === 'self' || life.kind === 'remote') runtime().arena.setName(life.token, this.#name);
  }

  get daemon(): boolean {
    return this.#daemon;
  }

  set daemon(daemon: boolean) {
    if (this.#life.kind !== 'initial') {
      throw misuse(ErrorCode.AlreadyStarted, 'threading: cannot set the daemon flag of a thread that has started; set it before start()');
    }
    if (typeof daemon !== 'boolean') throw invalidArg('threading: daemon must be a boolean', 'type');
    this.#daemon = daemon;
  }

  /** The worker's `threadId` once started (0 for the main thread), else null. */
  get ident(): number | null {
    return this.#ident;
  }

  /** What `run()` threw (with the thread's stack), once the thread has ended. */
  get error(): Error | undefined {
    if (this.#life.kind === 'running') this.#readControl(this.#life.port);
    return this.#error;
  }

  /**
   * Starts the thread; from now on `isAlive()` is true until `run()` returns.
   * Throws at once what would stop it from running: `ERR_NOT_SERIALIZABLE`
   * for an argument that cannot cross, `ERR_TARGET_NOT_EXPORTED` for a
   * target its module does not export (when that cannot be seen at once,
   * `start()` waits for the new thread to import it), `ERR_ALREADY_STARTED`
   * the second time.
   */
  start(): void {
    if (this.#life.kind !== 'initial') {
      throw misuse(ErrorCode.AlreadyStarted, 'threading: threads can only be started once');
    }
    const { target, cls, args, fields, unverified } = this.#prepare();
    const delay = (this as { [kDelay]?: () => ThreadDelay })[kDelay]?.();
    const { arena, token: parent } = runtime();
    const token = arena.startThread(parent, this.#daemon, this.#name);
    let launched;
    try {
      const assignment = { arena: arena.buffer, token, name: this.#name, daemon: this.#daemon, target, cls, args, fields, ports: this.#ports, delay };
      launched = launch(assignment, unverified.length > 0);
    } catch (error) {
      arena.endThread(token);
      throw error;
    }
    for (const [fn, ref] of unverified) markVerified(fn, ref);
    const { worker, port } = launched;
    arena.setThreadId(token, worker.threadId);
    this.#ident = worker.threadId;
    const exited = new Promise<void>((resolve) => {
      worker.once('exit', (code) => {
        this.#exitCode = code;
        this.#onExit(arena, token, port);
        resolve();
      });
    });
    worker.on('error', (error) => this.#onWorkerError(error));
    this.#life = { kind: 'running', token, worker, port, exited };
    runnerState().children.set(token, this as Thread<unknown[]>);
  }

  /** Everything the new thread needs, checked before anything is created. */
  #prepare(): { target?: TargetRef; cls?: TargetRef; args: EncodedArgs; fields: EncodedArgs; unverified: [Function, TargetRef][] } {
    const unverified: [Function, TargetRef][] = [];
    const builtIn = Object.hasOwn(this.constructor, kBuiltInSubclass);
    const subclass = !builtIn && this.constructor !== baseOf(this.constructor) ? this.constructor : undefined;
    let cls: TargetRef | undefined;
    if (subclass !== undefined) {
      cls = describeTarget(subclass, 'class', this.#module, this.#site);
      if (needsConfirmation(subclass, cls)) unverified.push([subclass, cls]);
    }
    let target: TargetRef | undefined;
    if (this.#target !== undefined) {
      target = describeTarget(this.#target, 'target', this.#module, this.#site);
      if (needsConfirmation(this.#target, target)) unverified.push([this.#target, target]);
    }
    const args = encodeArgs(this.#args);
    const fields = builtIn ? encodeFields({}) : encodeFields(this);
    checkThreadCrossing(args.handles);
    checkThreadCrossing(fields.handles);
    return { target, cls, args, fields, unverified };
  }

  #onExit(arena: Arena, token: number, port: MessagePort): void {
    this.#readControl(port);
    port.close();
    // No-op when the thread recorded its own end; otherwise it was killed.
    if (arena.endThread(token)) arena.countKilled();
    this.#life = { kind: 'ended', token };
    runnerState().children.delete(token);
    // The excepthook runs here, in the starting thread, before join() resolves.
    for (const error of this.#unreported.splice(0)) invokeExcepthook(this as Thread<unknown[]>, error);
  }

  #readControl(port: MessagePort): void {
    for (const message of drainControl(port)) {
      const error = controlError(message);
      if (error === undefined) continue;
      this.#error ??= error;
      this.#unreported.push(error);
    }
  }

  /** An error the worker could not handle itself (out of memory, a crash while starting). */
  #onWorkerError(error: Error): void {
    if (this.#error !== undefined) return;
    this.#error = error;
    this.#unreported.push(error);
  }

  /**
   * What the thread runs. Calls the target with the args; override it in an
   * exported subclass instead. In a new thread, `this` is a copy of the
   * object that was started, with its own fields copied in.
   */
  run(): unknown {
    if (this.#target !== undefined) return (this.#target as (...args: unknown[]) => unknown)(...this.#args);
    return undefined;
  }

  /**
   * Waits until the thread ends. Resolves true once it has, false if
   * `timeout` ms pass first. Never rethrows the thread's error (see `error`).
   */
  async join(options?: WaitOptions): Promise<boolean> {
    const { timeout, signal } = checkWaitOptions(options);
    signal?.throwIfAborted();
    const life = this.#life;
    switch (life.kind) {
      case 'initial':
        throw misuse(ErrorCode.NotStarted, 'threading: cannot join a thread before it is started');
      case 'self':
        throw misuse(ErrorCode.JoinSelf, 'threading: a thread cannot join itself');
      case 'ended':
        return true;
      case 'running':
        return waitFor(life.exited, Deadline.after(timeout), signal);
      case 'remote':
        return joinRemote(life.token, Deadline.after(timeout), signal);
    }
  }

  /** True from `start()` until `run()` has returned. */
  isAlive(): boolean {
    const life = this.#life;
    switch (life.kind) {
      case 'initial':
      case 'ended':
        return false;
      case 'self':
        return true;
      case 'running':
      case 'remote':
        return runtime().arena.isAlive(life.token);
    }
  }

  [kHandle](): Handle {
    const life = this.#life;
    if (life.kind === 'initial') {
      throw misuse(ErrorCode.NotSerializable, 'threading: a Thread can be passed to another thread only after start()');
    }
    return { kind: HANDLE_KIND, scope: 'thread', data: { token: life.token } };
  }

  /** See `kPorts`. */
  [kPorts](ports: readonly MessagePort[]): void {
    if (this.#life.kind !== 'initial') throw new Error('threading: ports are handed to a thread before start()');
    this.#ports = ports;
  }

  /** The worker's exit code, once it has exited: 0 after a normal end, `n` after `process.exit(n)`, 1 after `terminate`. */
  get [kExitCode](): number | null {
    return this.#exitCode;
  }

  /** The worker's end, without keeping the program alive for it (a pool watching its daemon workers). */
  [kEnded](): Promise<void> {
    return this.#life.kind === 'running' ? this.#life.exited : Promise.resolve();
  }

  /**
   * Ends the worker at once: for daemon threads of a thread that is ending,
   * and pools' workers. First stops it (and the threads it started) outside
   * weft's internal sections, so that no internal lock is left held and no
   * queue slot claimed but unwritten (`safe-stop.ts`); then terminates it.
   * Resolves after its `exit` event, so its end is recorded. `graceMs`:
   * how long to wait for it to leave its sections (tests pass 0 to
   * terminate it wherever it is, as a crash would).
   */
  async [kTerminate](graceMs = TERMINATE_GRACE_MS): Promise<void> {
    const life = this.#life;
    if (life.kind !== 'running') return;
    await stopAtSafePoint(runtime().arena, life.token, graceMs);
    await life.worker.terminate();
    await life.exited;
  }

  [inspectSymbol](): string {
    const life = this.#life;
    const status = life.kind === 'initial' ? 'initial' : this.isAlive() ? 'started' : 'stopped';
    const daemon = this.#daemon && life.kind !== 'initial' ? ' daemon' : '';
    const ident = this.#ident === null ? '' : ` ${this.#ident}`;
    return `<${this.constructor.name}(${this.#name}, ${status}${daemon}${ident})>`;
  }

  toString(): string {
    return this[inspectSymbol]();
  }

  /** Rebuilds, in a new thread, the object that was started there (`bootstrap.ts`). */
  static [kRestore](state: RestoredThread, subclass: Function): Thread<unknown[]> {
    pending = {
      life: { kind: 'self', token: state.token },
      name: state.name,
      daemon: state.daemon,
      ident: state.ident,
      target: state.target,
      args: state.args,
    };
    const thread = Reflect.construct(this, [], subclass) as Thread<unknown[]>;
    Object.assign(thread, state.fields);
    return thread;
  }

  /** A Thread object for a thread this one did not start (or for the calling thread itself). */
  static [kStandIn](token: number, self: boolean): Thread<unknown[]> {
    const info = runtime().arena.info(token);
    pending = {
      life: self ? { kind: 'self', token } : { kind: 'remote', token },
      name: info?.name ?? 'Thread',
      daemon: info?.daemon ?? false,
      ident: info?.threadId ?? null,
    };
    return new this();
  }
}

export { kRestore, kStandIn, kTerminate, kExitCode, kEnded, kPorts };

/** The weft Thread class that `cls` derives from (the copy of weft that defined it). */
export function baseOf(cls: Function): typeof Thread {
  for (let c: Function | null = cls; c !== null && c !== Function.prototype; c = Object.getPrototypeOf(c) as Function | null) {
    if (Object.hasOwn(c, kThreadBase)) return c as typeof Thread;
  }
  return Thread;
}

// A thread started elsewhere is joined through the arena's thread table. Its
// slot may be reused by a new thread between our check and our sleep, which
// would hide the wake-up; sleeping in slices bounds that rare miss.
const REMOTE_JOIN_SLICE_MS = 200;

function joinRemote(token: number, deadline: Deadline, signal: AbortSignal | undefined): Promise<boolean> {
  return waitFor(remoteEnd(token), deadline, signal);
}

const remoteEnds = new Map<number, Promise<void>>();

/** Resolves when the thread behind `token` has ended; one watcher per thread, however many join it. */
function remoteEnd(token: number): Promise<void> {
  let ended = remoteEnds.get(token);
  if (ended === undefined) {
    ended = watchEnd(token).finally(() => remoteEnds.delete(token));
    remoteEnds.set(token, ended);
  }
  return ended;
}

async function watchEnd(token: number): Promise<void> {
  const arena = runtime().arena;
  while (arena.isAlive(token)) {
    const wait = Atomics.waitAsync(arena.words, arena.stateWordOf(token), arena.aliveValueOf(token), REMOTE_JOIN_SLICE_MS);
    if (wait.async) await wait.value;
  }
}

registerHandleKind<{ token: number }>(HANDLE_KIND, ({ token }) => threadFor(token));

/** The Thread object this thread uses for `token`: itself, one it started, or a stand-in. */
export function threadFor(token: number): Thread<unknown[]> {
  const state = runnerState();
  if (token === runtime().token) return selfThread();
  const known = state.children.get(token) ?? state.proxies.get(token);
  if (known !== undefined) return known;
  const proxy = Thread[kStandIn](token, false);
  state.proxies.set(token, proxy);
  return proxy;
}

/** The calling thread's own Thread object. */
export function selfThread(): Thread<unknown[]> {
  const state = runnerState();
  return (state.self ??= Thread[kStandIn](runtime().token, true));
}
