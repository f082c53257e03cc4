/**
 * `Process`: a process of the tree — Python's `multiprocessing.Process`,
 * with the spawn start method, run in a new Node process.
 *
 * The child imports the module that exports the target (or the Process
 * subclass) — the user's `isMain(import.meta)` guard keeps the program's main
 * block from running again, as `if __name__ == '__main__':` does — and calls
 * it with copies of the `args` (and of a subclass's own fields). Module
 * globals are the child's own. weft objects of the process scope
 * (`weft/multiprocessing`) cross as handles; thread-scope ones cannot, and
 * `start()` says which module to import instead.
 *
 * Lifetimes are Python's, without the leaks: a child is reaped the moment it
 * ends (Node's child-process handle waits for it), joined or not; a
 * non-daemon child keeps its parent's event loop alive, so a program's
 * normal end waits for it; a daemon child ends with its parent, however the
 * parent ends (`parent-watch.ts`), and cannot have children of its own.
 * Non-daemon children of a parent killed with SIGKILL run on as orphans.
 *
 * `exitcode` is null while the child runs, 0 when the target returned (or
 * its promise resolved), 1 when it threw (the child prints
 * `Process Process-1:` and the stack to its stderr, and `error` holds it
 * here), `n` after `process.exit(n)`, `-N` when signal N ended it.
 *
 * The lifecycle, as a Process object sees it:
 *
 * | kind     | meaning                                                          |
 * |----------|------------------------------------------------------------------|
 * | initial  | constructed, not started                                         |
 * | running  | started; the child has not exited, or its last frames are still on the way |
 * | ended    | the child exited and its link is drained: `exitcode`, `error` are final |
 * | closed   | `close()` released it; only `name` and `daemon` remain readable  |
 * | self     | the calling process itself (`currentProcess()`)                  |
 *
 * initial → running (`start()`) → ended (child exit + `bye` or end-of-file)
 * → closed (`close()`); initial → closed too. `self` never changes.
 */
import type { ChildProcess } from 'node:child_process';
import { constants } from 'node:os';
import type { Socket } from 'node:net';
import { inspect } from 'node:util';
import { encodeArgs, encodeFields, type EncodedArgs } from '../codec/args.js';
import { crossToProcess, type Handle } from '../codec/handles.js';
import { decodeError } from '../codec/remote-error.js';
import { Deadline } from '../internal/deadline.js';
import { ErrorCode, invalidArg, misuse } from '../errors.js';
import { checkWaitOptions, type WaitOptions } from '../runtime/options.js';
import { inspectSymbol } from '../runtime/owner.js';
import { callerModule } from './call-site.js';
import { FrameReader, frame, type ChildFrame, type ProcessBoot } from './process-link.js';
import { spawnChild, type SpawnedChild } from './process-spawn.js';
import { dropHandles } from '../backends/hub/wrapper-refs.js';
import { processState } from './process-state.js';
import { describeTarget, type TargetRef } from '../runtime/target.js';
import { checkStartOptions, type StartOptions } from './start-options.js';
import { waitFor } from './wait-for.js';
import { tracing } from '../trace/tracing.js';
import { traceChildExit } from './lifecycle.js';

export interface ProcessOptions<A extends unknown[]> {
  /** The function to run: exported from a module; may be async. */
  target?: (...args: A) => unknown;
  /** Arguments for the target; copied, except process-scope weft objects, which are shared. */
  args?: A;
  /** Default `Process-N` (`Process-N:M` in a child: Python's numbering). */
  name?: string;
  /** Default: the creating process's (false in the root). */
  daemon?: boolean;
  /** The module exporting the target or the subclass, when weft cannot find it. */
  module?: string | URL;
  /**
   * Milliseconds a daemon child, whose parent has ended, is given to end on
   * SIGTERM before it is killed with SIGKILL. Default 1000.
   */
  gracePeriod?: number;
}

const DEFAULT_GRACE_PERIOD_MS = 1000;

type Lifecycle =
  | { readonly kind: 'initial' }
  | { readonly kind: 'running'; readonly child: ChildProcess; readonly link: Socket; readonly exited: Promise<void> }
  | { readonly kind: 'ended'; readonly exitcode: number }
  | { readonly kind: 'closed' }
  | { readonly kind: 'self' };

/** What a new process rebuilds its Process object from. */
export interface RestoredProcess {
  readonly name: string;
  readonly daemon: boolean;
  readonly target: Function | undefined;
  readonly args: unknown[];
  readonly fields: Record<string, unknown>;
}

/** Marks weft's Process class, so a new process can find it above a user's subclass. */
export const kProcessBase = Symbol.for('weft.Process');
const kRestore = Symbol.for('weft.Process.restore');
const kSelf = Symbol.for('weft.Process.self');
const kEndAsDaemon = Symbol.for('weft.Process.endAsDaemon');
/** Resolves when the child has ended, without holding the event loop as `join()` does (for pools' own bookkeeping). */
const kEnded = Symbol.for('weft.Process.ended');

// Set while a Process object is rebuilt in its child or stands for the
// calling process; the constructor takes its state from here instead of options.
let pending: { name: string; daemon: boolean; target?: Function; args?: unknown[] } | undefined;

/**
 * A process: Python's `multiprocessing.Process`, run as a new Node process.
 *
 * @example
 * ```ts
 * import { Process } from 'weft/multiprocessing';
 * import { isMain } from 'weft';
 *
 * export function greet(name: string) {
 *   console.log(`hello from ${name}, pid ${process.pid}`);
 * }
 *
 * if (isMain(import.meta)) {
 *   const p = new Process({ target: greet, args: ['a child'] });
 *   p.start();
 *   await p.join();
 *   console.log(p.exitcode); // 0
 * }
 * ```
 */
export class Process<A extends unknown[] = unknown[]> {
  static readonly [kProcessBase] = true;

  #name: string;
  #daemon: boolean;
  #target: Function | undefined;
  #args: unknown[];
  #module: string | URL | undefined;
  #site: string | undefined;
  /** Told when the child ends: handles that crossed to it (a Connection end waiting for it to connect). */
  #childExits: Array<() => void> = [];
  #gracePeriod: number;
  #life: Lifecycle;
  #pid: number | null;
  /** Python's `_identity`: this process's number under each ancestor. */
  #identity: readonly number[] = [];
  #exitcode: number | null = null;
  #error: Error | undefined;

  constructor(options?: ProcessOptions<A>) {
    if (pending !== undefined) {
      const state = pending;
      pending = undefined;
      this.#life = { kind: 'self' };
      this.#name = state.name;
      this.#daemon = state.daemon;
      this.#pid = process.pid;
      this.#target = state.target;
      this.#args = state.args ?? [];
      this.#gracePeriod = DEFAULT_GRACE_PERIOD_MS;
      return;
    }
    const checked = checkOptions(options);
    const state = processState();
    this.#target = checked.target;
    this.#args = checked.args;
    this.#module = checked.module;
    this.#site = callerModule();
    state.started += 1;
    this.#identity = [...state.me.identity, state.started];
    this.#name = checked.name ?? `Process-${this.#identity.join(':')}`;
    this.#daemon = checked.daemon ?? state.me.daemon;
    this.#gracePeriod = checked.gracePeriod ?? DEFAULT_GRACE_PERIOD_MS;
    this.#life = { kind: 'initial' };
    this.#pid = null;
  }

  get name(): string {
    return this.#name;
  }

  set name(name: string) {
    this.#name = String(name);
  }

  get daemon(): boolean {
    return this.#daemon;
  }

  set daemon(daemon: boolean) {
    if (this.#life.kind !== 'initial') {
      throw misuse(ErrorCode.AlreadyStarted, 'multiprocessing: cannot set the daemon flag of a process that has started; set it before start()');
    }
    if (typeof daemon !== 'boolean') throw invalidArg('multiprocessing: daemon must be a boolean', 'type');
    this.#daemon = daemon;
  }

  /** The OS process id once started, else null. */
  get pid(): number | null {
    this.#checkOpen();
    return this.#pid;
  }

  /** null while running; 0 returned; 1 threw; n from `process.exit(n)`; -N when signal N ended it. */
  get exitcode(): number | null {
    this.#checkOpen();
    return this.#exitcode;
  }

  /** What the target threw (with the child's stack), once the process has ended. */
  get error(): Error | undefined {
    return this.#error;
  }

  /**
   * Starts the child process; from now on `isAlive()` is true until it
   * exits. Throws at once what would stop it from starting:
   * `ERR_NOT_SERIALIZABLE` for an argument that cannot cross,
   * `ERR_WRONG_SCOPE` for a thread-scope weft object among them,
   * `ERR_DAEMON_CHILDREN` in a daemon process, `ERR_ALREADY_STARTED` the
   * second time. A target that its module does not export makes the child
   * fail with `ERR_TARGET_NOT_EXPORTED` (its `error`, exit code 1), as
   * Python's spawned child fails to unpickle it.
   */
  start(): void {
    this.#checkOpen();
    if (this.#life.kind !== 'initial') throw misuse(ErrorCode.AlreadyStarted, 'multiprocessing: a process can only be started once; create a new Process');
    const state = processState();
    if (state.me.daemon) {
      throw misuse(ErrorCode.DaemonChildren, 'multiprocessing: daemonic processes are not allowed to have children; start the process from a non-daemon process');
    }
    const boot = this.#prepare();
    // The process-scope objects among the arguments travel with a lent
    // reference each (backends/hub/references.ts): once the child has ended,
    // whatever it did not adopt is dropped, so they are not kept forever.
    const carried = [...boot.args.handles, ...boot.fields.handles];
    let spawned: SpawnedChild;
    try {
      spawned = spawnChild(this.#daemon);
    } catch (error) {
      dropHandles(carried);
      throw error;
    }
    const { child, link } = spawned;
    link.write(frame(boot));
    this.#pid = child.pid ?? null;
    const exited = this.#watch(child, link);
    if (carried.length > 0) void exited.then(() => dropHandles(carried));
    if (this.#daemon) child.unref();
    link.unref();
    this.#life = { kind: 'running', child, link, exited };
    // Python drops its references to the target and arguments once started (bpo-30775).
    this.#target = undefined;
    this.#args = [];
    state.children.add(this as Process<unknown[]>);
    endDaemonsAtExit();
  }

  /** Everything the child needs, checked before anything is created. */
  #prepare(): ProcessBoot {
    const subclass = this.constructor !== baseOf(this.constructor) ? this.constructor : undefined;
    const cls = subclass === undefined ? undefined : describeTarget(subclass, 'class', this.#module, this.#site);
    const target = this.#target === undefined ? undefined : describeTarget(this.#target, 'target', this.#module, this.#site);
    const args = encodeArgs(this.#args);
    const fields = encodeFields(this);
    rejectThreadScope(args.handles, 'args');
    rejectThreadScope(fields.handles, 'this');
    const { me } = processState();
    // Last, once nothing else can fail: crossing moves a Connection end to the child.
    const exits: Array<() => void> = [];
    const crossedArgs = { bytes: args.bytes, handles: crossToProcess(args.handles, exits) };
    const crossedFields = { bytes: fields.bytes, handles: crossToProcess(fields.handles, exits) };
    this.#childExits = exits;
    return {
      type: 'boot',
      name: this.#name,
      daemon: this.#daemon,
      identity: this.#identity,
      parent: { name: me.name, pid: process.pid },
      target,
      cls,
      args: crossedArgs,
      fields: crossedFields,
      gracePeriod: this.#gracePeriod,
    } satisfies ProcessBoot as ProcessBoot;
  }

  /** Follows the child to its end: reads its frames, records its exit, settles `exited` once both are in. */
  #watch(child: ChildProcess, link: Socket): Promise<void> {
    return new Promise((resolve) => {
      const reader = new FrameReader();
      let byeOrEof = false;
      let exitcode: number | null = null;
      const settle = (): void => {
        if (exitcode === null || !byeOrEof) return;
        link.destroy();
        if (this.#life.kind === 'running') this.#life = { kind: 'ended', exitcode };
        processState().children.delete(this as Process<unknown[]>);
        resolve();
      };
      link.on('data', (chunk: Buffer) => {
        for (const message of reader.push(chunk)) {
          if (this.#receive(message)) byeOrEof = true;
        }
        settle();
      });
      link.on('end', () => ((byeOrEof = true), settle()));
      link.on('close', () => ((byeOrEof = true), settle()));
      link.on('error', () => {}); // a reset link is the child dying: its exit tells the rest
      child.on('exit', (code, signal) => {
        exitcode = this.#exitcode = code ?? -(constants.signals[signal as NodeJS.Signals] ?? 0);
        for (const childExited of this.#childExits.splice(0)) childExited();
        if (tracing) traceChildExit(child.pid ?? 0, exitcode);
        // Killed by a signal, the child said nothing more: do not wait for its link to drain.
        if (code === null) byeOrEof = true;
        settle();
      });
    });
  }

  /** Takes one frame from the child; true when it was its last. */
  #receive(message: ChildFrame): boolean {
    switch (message.type) {
      case 'error':
        this.#error ??= decodeError(message.error);
        return false;
      case 'bye':
        return true;
    }
  }

  /**
   * What the process runs. Calls the target with the args; override it in an
   * exported subclass instead. In the child, `this` is a copy of the object
   * that was started, with its own fields copied in.
   */
  run(): unknown {
    if (this.#target !== undefined) return (this.#target as (...args: unknown[]) => unknown)(...this.#args);
    return undefined;
  }

  /**
   * Waits until the process ends. Resolves true once it has (its `exitcode`
   * and `error` are then final), false if `timeout` ms pass first.
   */
  async join(options?: WaitOptions): Promise<boolean> {
    const { timeout, signal } = checkWaitOptions(options);
    this.#checkOpen();
    signal?.throwIfAborted();
    const life = this.#life;
    switch (life.kind) {
      case 'initial':
        throw misuse(ErrorCode.NotStarted, 'multiprocessing: can only join a started process; call start() first');
      case 'self':
        throw misuse(ErrorCode.JoinSelf, 'multiprocessing: a process cannot join itself');
      case 'ended':
        return true;
      case 'running':
        return waitFor(life.exited, Deadline.after(timeout), signal);
      case 'closed':
        throw closedError();
    }
  }

  /** The child's end, without keeping the program alive for it (a pool watching its daemon workers). */
  [kEnded](): Promise<void> {
    return this.#life.kind === 'running' ? this.#life.exited : Promise.resolve();
  }

  /** True from `start()` until the child exits; true for `currentProcess()`. */
  isAlive(): boolean {
    this.#checkOpen();
    const life = this.#life;
    if (life.kind === 'self') return true;
    return life.kind === 'running' && this.#exitcode === null;
  }

  /** Sends SIGTERM (Python's `terminate()`); nothing once the process has ended. */
  terminate(): void {
    this.#signal('SIGTERM');
  }

  /** Sends SIGKILL (Python's `kill()`); nothing once the process has ended. */
  kill(): void {
    this.#signal('SIGKILL');
  }

  #signal(signal: NodeJS.Signals): void {
    this.#checkOpen();
    const life = this.#life;
    if (life.kind === 'initial' || life.kind === 'self') {
      throw misuse(ErrorCode.NotStarted, `multiprocessing: can only ${signal === 'SIGTERM' ? 'terminate' : 'kill'} a started child process`);
    }
    if (life.kind === 'running' && this.#exitcode === null) life.child.kill(signal);
  }

  /**
   * Releases what the Process object holds. Throws `ERR_STILL_RUNNING` while
   * the child runs; afterwards `pid`, `exitcode`, `join()`, `isAlive()`,
   * `terminate()`, `kill()` and `start()` throw. Closing twice is fine.
   */
  close(): void {
    const life = this.#life;
    if (life.kind === 'closed') return;
    if (life.kind === 'self') throw misuse(ErrorCode.StillRunning, 'multiprocessing: the current process cannot close itself');
    if (life.kind === 'running') {
      if (this.#exitcode === null) {
        throw misuse(ErrorCode.StillRunning, 'multiprocessing: cannot close a process while it is still running; call join() or terminate() first');
      }
      life.link.destroy();
      processState().children.delete(this as Process<unknown[]>);
    }
    this.#life = { kind: 'closed' };
  }

  #checkOpen(): void {
    if (this.#life.kind === 'closed') throw closedError();
  }

  /** Sends the signal to a running daemon child: its parent is ending. */
  [kEndAsDaemon](): void {
    const life = this.#life;
    if (this.#daemon && life.kind === 'running' && this.#exitcode === null) life.child.kill('SIGTERM');
  }

  [inspectSymbol](): string {
    return `<${this.constructor.name}(${this.#name}, ${this.#status()}${this.#daemon ? ' daemon' : ''})>`;
  }

  #status(): string {
    const life = this.#life;
    switch (life.kind) {
      case 'initial':
        return 'initial';
      case 'closed':
        return 'closed';
      case 'self':
        return 'started';
      case 'running':
      case 'ended':
        return this.#exitcode === null ? 'started' : `stopped[${exitcodeName(this.#exitcode)}]`;
    }
  }

  toString(): string {
    return this[inspectSymbol]();
  }

  /** Rebuilds, in the child, the object that was started there (`process-bootstrap.ts`). */
  static [kRestore](state: RestoredProcess, subclass: Function): Process<unknown[]> {
    pending = { name: state.name, daemon: state.daemon, target: state.target, args: state.args };
    const restored = Reflect.construct(this, [], subclass) as Process<unknown[]>;
    Object.assign(restored, state.fields);
    return restored;
  }

  /** The Process object standing for the calling process. */
  static [kSelf](name: string, daemon: boolean): Process<unknown[]> {
    pending = { name, daemon };
    return new this();
  }
}

export { kRestore, kSelf, kEndAsDaemon, kEnded };

/** The weft Process class that `cls` derives from (the copy of weft that defined it). */
export function baseOf(cls: Function): typeof Process {
  for (let c: Function | null = cls; c !== null && c !== Function.prototype; c = Object.getPrototypeOf(c) as Function | null) {
    if (Object.hasOwn(c, kProcessBase)) return c as typeof Process;
  }
  return Process;
}

function closedError(): Error {
  return misuse(ErrorCode.ProcessClosed, 'multiprocessing: process object is closed; create a new Process');
}

/** `SIGTERM` for -15, the number otherwise (CPython's repr). */
function exitcodeName(exitcode: number): string {
  if (exitcode >= 0) return exitcode === 0 ? '0' : `exitcode=${exitcode}`;
  const name = Object.entries(constants.signals).find(([, n]) => n === -exitcode)?.[0];
  return name ?? `signal ${-exitcode}`;
}

/** A thread-scope weft object cannot reach another process: say which module has the process-scope one. */
function rejectThreadScope(handles: readonly Handle[], path: string): void {
  for (const handle of allHandles(handles)) {
    if (handle.scope !== 'thread') continue;
    const [module, className] = splitKind(handle.kind);
    throw misuse(
      ErrorCode.WrongScope,
      `multiprocessing: a ${className} from 'weft/${module}' (in ${path}) is shared only by the threads of one process and cannot be passed to a Process. Create it from 'weft/multiprocessing' instead: import { ${className} } from 'weft/multiprocessing'.`,
    );
  }
}

/** The handles and the handles nested in their data. */
function* allHandles(handles: readonly Handle[]): Generator<Handle> {
  const stack: unknown[] = [...handles];
  const seen = new Set<unknown>();
  while (stack.length > 0) {
    const value = stack.pop();
    if (typeof value !== 'object' || value === null || seen.has(value) || ArrayBuffer.isView(value) || value instanceof SharedArrayBuffer) continue;
    seen.add(value);
    if (isHandleLike(value)) yield value;
    stack.push(...Object.values(value));
  }
}

function isHandleLike(value: object): value is Handle {
  return typeof (value as Handle).kind === 'string' && typeof (value as Handle).scope === 'string' && 'data' in value;
}

function splitKind(kind: string): [string, string] {
  const dot = kind.indexOf('.');
  return dot < 0 ? ['threading', kind] : [kind.slice(0, dot), kind.slice(dot + 1)];
}

let exitHookInstalled = false;

/**
 * Python's `_exit_function` terminates the daemon children of a process
 * that ends. Their own watch (`parent-watch.ts`) would end them anyway once
 * this process is gone; this makes it immediate.
 */
function endDaemonsAtExit(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const child of processState().children) child[kEndAsDaemon]();
  });
}

/** The options Thread has too, and `gracePeriod`. */
function checkOptions(options: unknown): StartOptions & { gracePeriod?: number } {
  const checked = checkStartOptions(options, 'multiprocessing', 'Process');
  const gracePeriod = (options as { gracePeriod?: unknown } | undefined)?.gracePeriod;
  if (gracePeriod === undefined) return checked;
  if (typeof gracePeriod !== 'number' || !Number.isFinite(gracePeriod) || gracePeriod < 0) {
    throw invalidArg('multiprocessing: gracePeriod must be a finite, non-negative number of milliseconds');
  }
  return { ...checked, gracePeriod };
}

/** Python's output for an error that ended a process. */
export function printProcessException(name: string, error: unknown): void {
  process.stderr.write(`Process ${name}:\n${inspect(error)}\n`);
}
