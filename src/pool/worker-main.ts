/**
 * The worker side of a pool: `runPoolWorker` is the target of every pool
 * worker, a daemon `Thread` (ThreadPool, ThreadPoolExecutor) or a daemon
 * `Process` (Pool, ProcessPoolExecutor), so workers get the runner's whole
 * life for free: TypeScript loaders, fresh module state, names, the hub.
 *
 * A worker runs its tasks in the order the pool sent them. A synchronous
 * task runs to its end before the next starts; an async one runs until its
 * first `await`, then the next starts while it waits. Before each task
 * starts, the worker publishes `Started` (see `messages.ts` for why and
 * what it costs).
 *
 * While it has nothing to do, a thread worker blocks on its ring in short
 * slices (the fastest wake-up there is), letting its event loop turn between
 * slices so timers a task left behind still fire; with async tasks in
 * flight, or over a socket, it waits with its event loop running.
 */
import type { MessagePort } from 'node:worker_threads';
import { holdEventLoop, releaseEventLoop } from '../internal/keepalive.js';
import { runnerState } from '../runner/registry.js';
import { loadTarget, type TargetRef } from '../runtime/target.js';
import {
  MessageType,
  TaskFlag,
  RecordReader,
  type TaskMessage,
  type ToWorker,
} from './messages.js';
import { connectWorkerSocket, type SocketAddress } from './process-channel.js';
import { runWithSignal } from './task-signal.js';
import { RingWorkerChannel, type RingPair, type WorkerChannel } from './worker-channel.js';

/** What a pool hands each worker it starts (the worker target's one argument). */
export interface PoolWorkerConfig {
  readonly transport: { readonly kind: 'ring'; readonly rings: RingPair } | { readonly kind: 'socket'; readonly address: SocketAddress };
  readonly initializer: TargetRef | undefined;
  readonly initargs: unknown[];
}

/** The task id a worker reports its initializer's failure under. */
export const INITIALIZER_TASK_ID = 0;

const IDLE_SLICE_MS = 50;

/**
 * Serves a pool until it says stop. Not for direct use: pools start it.
 */
export async function runPoolWorker(config: PoolWorkerConfig): Promise<void> {
  const channel: WorkerChannel =
    config.transport.kind === 'ring' ? new RingWorkerChannel(config.transport.rings, sharedBufferPort()) : await connectWorkerSocket(config.transport.address);
  if (config.transport.kind === 'socket') ignoreInterrupts();
  if (!(await runInitializer(channel, config))) {
    await channel.close();
    return;
  }
  channel.out.ready();
  channel.publishResults();
  await new WorkerLoop(channel).serve();
  await channel.close();
}

/** A thread worker's end of its shared-buffer port: the one port its pool handed the thread (`WorkerSlot`). */
function sharedBufferPort(): MessagePort {
  const [port] = runnerState().ports;
  if (port === undefined) throw new Error('pool: a thread worker started without its shared-buffer port (a pool bug)');
  return port;
}

/**
 * Ctrl-C reaches every process of the terminal's foreground group. The pool
 * in the root handles it once for everyone; a worker that died of it too
 * would turn one interrupt into a storm of broken tasks (CPython's Pool).
 */
function ignoreInterrupts(): void {
  process.on('SIGINT', () => {});
}

/** Runs the initializer; on failure tells the pool why and returns false. */
async function runInitializer(channel: WorkerChannel, config: PoolWorkerConfig): Promise<boolean> {
  if (config.initializer === undefined) return true;
  const began = performance.now();
  try {
    const initializer = (await loadTarget(config.initializer)) as (...args: unknown[]) => unknown;
    await initializer(...config.initargs);
    return true;
  } catch (error) {
    channel.out.result(INITIALIZER_TASK_ID, false, elapsedMicros(began), error);
    channel.publishResults();
    return false;
  }
}

type Loaded = Function | Error;

class WorkerLoop {
  readonly #channel: WorkerChannel;
  readonly #functions = new Map<number, Loaded>();
  /** Async tasks in flight, with their abort controllers (if they have one). */
  readonly #running = new Map<number, AbortController | undefined>();
  #stopping = false;
  #whenIdle: (() => void) | undefined;

  constructor(channel: WorkerChannel) {
    this.#channel = channel;
  }

  async serve(): Promise<void> {
    for (;;) {
      const record = this.#channel.next();
      if (record !== undefined) {
        const reader = new RecordReader(record, this.#channel.sharedIn);
        while (!reader.done) {
          const pending = this.#handle(reader.toWorker());
          if (pending !== undefined) await pending;
        }
        continue;
      }
      this.#channel.publishResults();
      if (this.#stopping) return this.#drainRunning();
      await this.#waitForWork();
    }
  }

  async #waitForWork(): Promise<void> {
    if (this.#running.size > 0 || !this.#channel.canWaitSync) {
      // An async wait on shared memory does not keep a thread's event loop alive; the pool's work must.
      holdEventLoop();
      try {
        await this.#channel.waitAsync();
      } finally {
        releaseEventLoop();
      }
      return;
    }
    if (this.#channel.waitSync(IDLE_SLICE_MS)) return;
    // A quiet slice: let timers and I/O a task left behind run.
    await new Promise<void>((resolve) => setImmediate(resolve));
  }

  /** Handles one message; returns a promise only when the loop must wait (loading a function). */
  #handle(message: ToWorker): Promise<void> | undefined {
    switch (message.type) {
      case MessageType.Define:
        return this.#define(message.fnId, message.target);
      case MessageType.Task:
        return this.#start(message);
      case MessageType.Abort:
        this.#running.get(message.taskId)?.abort(new Error('pool: the task was aborted'));
        return undefined;
      case MessageType.Stop:
        this.#stopping = true;
        return undefined;
      case MessageType.Halt:
        // Ends the thread or process through its usual exit path (arena, hub and parent are told).
        process.exit(0);
    }
  }

  async #define(fnId: number, target: TargetRef): Promise<void> {
    try {
      this.#functions.set(fnId, await loadTarget(target));
    } catch (error) {
      // Every task of this function fails with why it cannot be loaded.
      this.#functions.set(fnId, error instanceof Error ? error : new Error(String(error)));
    }
  }

  #start(task: TaskMessage): Promise<void> | undefined {
    this.#channel.out.started(task.taskId);
    // A task with a timeout needs the pool to see its start at once; others only need it to survive a crash.
    const hasSignal = (task.flags & TaskFlag.Signal) !== 0;
    this.#channel.publishStart(hasSignal);
    const backlog = this.#channel.backlog();
    if (backlog !== undefined) return backlog.then(() => this.#run(task, hasSignal));
    this.#run(task, hasSignal);
    return undefined;
  }

  #run(task: TaskMessage, hasSignal: boolean): void {
    const { taskId, flags } = task;
    const controller = hasSignal ? new AbortController() : undefined;
    const began = performance.now();
    let returned: unknown;
    try {
      const fn = this.#functions.get(task.fnId);
      if (fn === undefined) throw new Error(`pool: task of unknown function #${task.fnId} (a pool bug)`);
      if (fn instanceof Error) throw fn;
      const args = task.args;
      const weftPoolTask = (): unknown => ((flags & TaskFlag.Chunk) !== 0 ? runChunk(fn, args, (flags & TaskFlag.Star) !== 0) : fn(...args));
      returned = controller === undefined ? weftPoolTask() : runWithSignal(controller, weftPoolTask);
    } catch (error) {
      this.#finish(taskId, false, error, began);
      return;
    }
    if (!isThenable(returned)) {
      this.#finish(taskId, true, returned, began);
      return;
    }
    this.#running.set(taskId, controller);
    returned.then(
      (value) => this.#finishAsync(taskId, true, value, began),
      (error: unknown) => this.#finishAsync(taskId, false, error, began),
    );
  }

  #finish(taskId: number, ok: boolean, value: unknown, began: number): void {
    if (!ok) trimPoolFrames(value);
    this.#channel.out.result(taskId, ok, elapsedMicros(began), value);
    this.#channel.publishResults();
  }

  #finishAsync(taskId: number, ok: boolean, value: unknown, began: number): void {
    this.#running.delete(taskId);
    this.#finish(taskId, ok, value, began);
    if (this.#running.size > 0) return;
    this.#whenIdle?.();
    // Back to the quicker synchronous wait.
    this.#channel.interrupt();
  }

  /** After Stop: the async tasks still in flight end before the worker does. */
  async #drainRunning(): Promise<void> {
    if (this.#running.size === 0) return;
    await new Promise<void>((resolve) => (this.#whenIdle = resolve));
  }
}

/** A map chunk: fn over each item (or each argument list, for starmap); async items are awaited together. */
function runChunk(fn: Function, args: unknown[], star: boolean): unknown {
  const items = args[0] as unknown[];
  const results = new Array<unknown>(items.length);
  let anyAsync = false;
  for (let i = 0; i < items.length; i++) {
    const result = star ? fn(...(items[i] as unknown[])) : fn(items[i]);
    if (isThenable(result)) anyAsync = true;
    results[i] = result;
  }
  return anyAsync ? Promise.all(results) : results;
}

/** The worker's own frames below the task (`weftPoolTask` and what called it) say nothing to the user. */
function trimPoolFrames(error: unknown): void {
  if (!(error instanceof Error) || typeof error.stack !== 'string') return;
  const lines = error.stack.split('\n');
  const cut = lines.findIndex((line) => line.includes('weftPoolTask'));
  if (cut > 0) error.stack = lines.slice(0, cut).join('\n');
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (typeof value === 'object' || typeof value === 'function') && value !== null && typeof (value as PromiseLike<unknown>).then === 'function';
}

function elapsedMicros(since: number): number {
  return Math.max(0, Math.round((performance.now() - since) * 1000));
}
