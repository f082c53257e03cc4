/**
 * The engine under every pool and executor: one queue of tasks, a set of
 * workers (threads or processes — only the channel differs), and the rules
 * that move tasks between them.
 *
 * Dispatch. Tasks wait in one FIFO queue in the pool. A worker is kept
 * `window` tasks ahead, so it never waits for the pool between two short
 * tasks; the window adapts to how long its tasks run (many tiny tasks: up
 * to MAX_WINDOW in flight; long ones: two, so work stays balanced between
 * workers). Dispatch runs once per turn of the event loop, so a burst of
 * submits becomes one write and one wake-up per worker.
 *
 * Pool states:
 *
 * | state      | submit | workers                                           |
 * |------------|--------|---------------------------------------------------|
 * | running    | yes    | kept at `size`, replaced when they die or retire  |
 * | closing    | no     | finish the queue, then are told to stop          |
 * | terminated | no     | killed; everything pending failed with CancelledError |
 * | broken     | no     | killed; everything pending failed with BrokenPoolError |
 *
 * running → closing (close/shutdown) → (workers gone) ; running|closing →
 * terminated (terminate) ; running|closing → broken (an executor's worker
 * died, or an initializer failed).
 *
 * Invariants:
 * - Every submitted task is settled exactly once: by its result, its
 *   timeout, its signal, its worker's death (BrokenPoolError if it had
 *   started — it goes back to the queue if it had not), or the pool's end.
 *   `#outstanding` counts the unsettled ones; while it is above zero the
 *   event loop is held, so a program awaiting a result does not just exit.
 * - A worker starts its tasks in the order they were sent; `Started` tells
 *   which ones it began (see `messages.ts`).
 */
import { encodeArgs } from '../codec/args.js';
import { bytesRefusal, type Handle } from '../codec/handles.js';
import { BrokenPoolError, CancelledError, ErrorCode, KeyboardInterrupt, TimeoutError, misuse } from '../errors.js';
import { holdEventLoop, releaseEventLoop } from '../internal/keepalive.js';
import { callerModule } from '../runner/call-site.js';
import { describeTarget, type TargetRef } from '../runtime/target.js';
import { unwatchInterrupts, watchInterrupts, type Interruptible } from './interrupts.js';
import { MessageType, RecordReader, TaskFlag, type ResultMessage, type TaskArgs } from './messages.js';
import { PoolTask, type TaskOutcome } from './pool-task.js';
import { WorkerSocketServer } from './process-channel.js';
import { TaskStatistics, type PoolStatistics } from './statistics.js';
import { INITIALIZER_TASK_ID } from './worker-main.js';
import { WorkerSlot, type WorkerExit, type WorkerKind } from './worker-slot.js';

export interface EngineOptions {
  readonly kind: WorkerKind;
  readonly size: number;
  readonly initializer: Function | undefined;
  readonly initargs: unknown[];
  readonly maxTasksPerChild: number | undefined;
  /** How long a task told to abort may take to stop before its worker is replaced. */
  readonly gracePeriod: number;
  /**
   * 'replace': a worker that dies fails the tasks it was running and is
   * replaced (Pool). 'break': the pool breaks, as Python's executors do.
   */
  readonly onWorkerDeath: 'replace' | 'break';
  /** Start every worker at once (Pool) or as work arrives (executors). */
  readonly eager: boolean;
  readonly workerName: (n: number) => string;
  /** Names the API in messages: 'multiprocessing.Pool', 'ThreadPoolExecutor'… */
  readonly api: string;
}

export interface SubmitOptions {
  readonly flags?: number;
  readonly timeout?: number;
  readonly signal?: AbortSignal;
}

const MIN_WINDOW = 2;
const MAX_WINDOW = 1024;
// Keep about this much work queued on each worker.
const WINDOW_TARGET_MICROS = 2000;

type EngineState = 'running' | 'closing' | 'terminated' | 'broken';

export class PoolEngine implements Interruptible {
  readonly #options: EngineOptions;
  #state: EngineState = 'running';
  #queue: PoolTask[] = [];
  #queueHead = 0;
  readonly #workers = new Set<WorkerSlot>();
  readonly #functions = new WeakMap<Function, number>();
  readonly #targets: TargetRef[] = [];
  readonly #initializer: TargetRef | undefined;
  readonly #server: WorkerSocketServer | undefined;
  readonly #stats = new TaskStatistics();
  #nextTaskId = INITIALIZER_TASK_ID + 1;
  #spawned = 0;
  #outstanding = 0;
  #dispatchScheduled = false;
  #brokenBy: Error | undefined;
  #whenAllExited: (() => void) | undefined;
  readonly #allExited: Promise<void>;

  constructor(options: EngineOptions) {
    this.#options = options;
    this.#initializer = options.initializer === undefined ? undefined : describeTarget(options.initializer, 'target', undefined, callerModule());
    this.#server = options.kind === 'process' ? new WorkerSocketServer() : undefined;
    this.#allExited = new Promise((resolve) => (this.#whenAllExited = resolve));
    watchInterrupts(this);
    if (options.eager) this.#replenish();
  }

  get state(): EngineState {
    return this.#state;
  }

  get size(): number {
    return this.#options.size;
  }

  /**
   * Queues `fn(...args)`; `outcome.settle` gets its result. Throws at once
   * what stops the task from ever running: the pool is not running, `fn` is
   * not an exported function, an argument cannot cross.
   */
  submit(fn: Function, args: readonly unknown[], outcome: TaskOutcome, options: SubmitOptions = {}): PoolTask {
    this.#checkRunning();
    const fnId = this.#functionId(fn);
    const taskArgs = this.#taskArgs(args);
    let flags = options.flags ?? 0;
    if (options.timeout !== undefined || options.signal !== undefined) flags |= TaskFlag.Signal;
    const task = new PoolTask(this.#nextTaskId++, fnId, flags, taskArgs, options.timeout, options.signal, outcome);
    if (this.#outstanding++ === 0) holdEventLoop();
    options.signal?.addEventListener('abort', () => this.#abort(task, options.signal?.reason), { once: true });
    this.#queue.push(task);
    this.#adjustForWork();
    this.#scheduleDispatch();
    return task;
  }

  /** No more tasks; workers stop once the queue is done. */
  close(): void {
    if (this.#state !== 'running') return;
    this.#state = 'closing';
    this.#stopIdleWorkers();
    this.#checkAllExited();
  }

  /** Cancels every task still queued (shutdown's cancelFutures): each leaves the pool and its caller is told. */
  cancelQueued(): void {
    const queued = this.#queue.slice(this.#queueHead);
    this.#queue = [];
    this.#queueHead = 0;
    for (const task of queued) {
      if (task.settled) continue;
      this.#forget(task);
      task.outcome.cancel?.();
    }
    this.#stopIdleWorkers();
  }

  /**
   * Resolves once every worker has exited (after close, terminate, or
   * breaking). The event loop is held meanwhile: the workers are daemons
   * and do not keep the program alive by themselves, but a caller awaiting
   * their end must see it.
   */
  async joined(): Promise<void> {
    this.#checkAllExited();
    holdEventLoop();
    try {
      await this.#allExited;
    } finally {
      releaseEventLoop();
    }
  }

  /** Kills the workers; every task not done fails with CancelledError. */
  terminate(): Promise<void> {
    if (this.#state === 'running' || this.#state === 'closing') {
      this.#end('terminated', () => new CancelledError(`${this.#options.api}: the pool was terminated before this task finished`));
    }
    return this.joined();
  }

  interrupt(): boolean {
    if (this.#outstanding === 0) return false;
    this.#end('terminated', () => new KeyboardInterrupt());
    return true;
  }

  statistics(): PoolStatistics {
    let busy = 0;
    for (const worker of this.#workers) if (worker.busy) busy += 1;
    return this.#stats.snapshot(this.#workers.size, busy, this.#queue.length - this.#queueHead);
  }

  // ---- submitting ----------------------------------------------------------

  #checkRunning(): void {
    if (this.#state === 'running') return;
    if (this.#state === 'broken') {
      throw new BrokenPoolError(`${this.#options.api}: the pool is broken (${this.#brokenBy?.message ?? 'a worker died'}); make a new one`, {
        cause: this.#brokenBy,
      });
    }
    throw misuse(ErrorCode.PoolNotRunning, `${this.#options.api}: cannot submit work after close(), shutdown() or terminate(); make a new pool`);
  }

  #functionId(fn: Function): number {
    if (typeof fn !== 'function') throw new TypeError(`${this.#options.api}: the task must be a function exported from a module, got ${typeof fn}`);
    let id = this.#functions.get(fn);
    if (id === undefined) {
      const target = describeTarget(fn, 'target', undefined, callerModule());
      id = this.#targets.push(target) - 1;
      this.#functions.set(fn, id);
    }
    return id;
  }

  /**
   * Arguments that cannot fail to cross (numbers, strings, booleans…) are
   * encoded on their way to the worker, straight into its record; others
   * now, so that one that cannot cross throws from the submitting call.
   */
  #taskArgs(args: readonly unknown[]): TaskArgs {
    if (args.every(isPrimitive)) return args;
    const encoded = encodeArgs(args);
    checkBytesRefusals(encoded.handles, this.#options.api);
    if (this.#options.kind === 'process') checkProcessScope(encoded.handles, this.#options.api);
    return encoded;
  }

  // ---- dispatch --------------------------------------------------------------

  #scheduleDispatch(): void {
    if (this.#dispatchScheduled) return;
    this.#dispatchScheduled = true;
    queueMicrotask(() => this.#dispatch());
  }

  #dispatch(): void {
    this.#dispatchScheduled = false;
    const refilled = this.#refillable();
    while (this.#queueHead < this.#queue.length) {
      const worker = leastLoaded(refilled);
      if (worker === undefined) break;
      const task = this.#queue[this.#queueHead];
      this.#queueHead += 1;
      if (task.settled) continue;
      if (task.outcome.claim !== undefined && !task.outcome.claim()) {
        this.#forget(task);
        continue;
      }
      this.#send(worker, task);
    }
    if (this.#queueHead === this.#queue.length) {
      this.#queue = [];
      this.#queueHead = 0;
    }
    for (const worker of refilled) worker.channel.flush();
    this.#stopIdleWorkers();
  }

  /**
   * The serving workers down to half their window or less. Topping a worker
   * up only then, and to its full window, turns a stream of results into a
   * few large refills — one record and one wake-up each — instead of a task
   * per result.
   */
  #refillable(): WorkerSlot[] {
    const workers: WorkerSlot[] = [];
    for (const worker of this.#workers) {
      if (worker.state === 'serving' && worker.inFlight.size <= worker.window / 2) workers.push(worker);
    }
    return workers;
  }

  #send(worker: WorkerSlot, task: PoolTask): void {
    if (!worker.known.has(task.fnId)) {
      worker.channel.out.define(task.fnId, this.#targets[task.fnId]);
      worker.known.add(task.fnId);
    }
    worker.channel.out.task(task.id, task.fnId, task.flags, task.args);
    worker.inFlight.set(task.id, task);
    task.state = 'sent';
    worker.sent += 1;
    const max = this.#options.maxTasksPerChild;
    if (max !== undefined && worker.sent >= max) this.#retire(worker);
  }

  /** Tells a worker to stop after what it has, and starts its replacement if there is work. */
  #retire(worker: WorkerSlot): void {
    if (worker.state !== 'serving') return;
    worker.state = 'retiring';
    worker.channel.out.stop();
    worker.channel.flush();
    this.#replenish();
  }

  /** Once closing and out of work, every worker is told to stop. */
  #stopIdleWorkers(): void {
    if (this.#state !== 'closing' || this.#queueHead < this.#queue.length) return;
    for (const worker of this.#workers) this.#retire(worker);
  }

  // ---- workers ---------------------------------------------------------------

  /** Starts workers until `size` serve (executors: only as many as there is work for). */
  #replenish(): void {
    if (this.#state !== 'running' && !(this.#state === 'closing' && this.#queueHead < this.#queue.length)) return;
    let serving = 0;
    for (const worker of this.#workers) if (worker.state === 'serving') serving += 1;
    const wanted = this.#options.eager ? this.#options.size : Math.min(this.#options.size, serving + this.#unassigned());
    while (serving < wanted) {
      this.#spawn();
      serving += 1;
    }
  }

  /** Executors start a worker per task until `size`, when every worker already has work. */
  #adjustForWork(): void {
    if (this.#options.eager) return;
    for (const worker of this.#workers) if (worker.state === 'serving' && !worker.busy) return;
    this.#replenish();
  }

  #unassigned(): number {
    return this.#queue.length - this.#queueHead;
  }

  #spawn(): void {
    this.#spawned += 1;
    const worker = new WorkerSlot({
      kind: this.#options.kind,
      name: this.#options.workerName(this.#spawned),
      initializer: this.#initializer,
      initargs: this.#options.initargs,
      server: this.#server,
    });
    this.#workers.add(worker);
    worker.channel.listen((bytes) => this.#receive(worker, bytes));
    void worker.exited.then((exit) => this.#onExit(worker, exit));
  }

  #receive(worker: WorkerSlot, record: Uint8Array): void {
    const reader = new RecordReader(record, worker.channel.sharedIn);
    while (!reader.done) {
      const message = reader.fromWorker();
      switch (message.type) {
        case MessageType.Started:
          this.#started(worker, message.taskId);
          break;
        case MessageType.Result:
          this.#result(worker, message);
          break;
        case MessageType.Ready:
          break;
      }
    }
  }

  #started(worker: WorkerSlot, taskId: number): void {
    const task = worker.inFlight.get(taskId);
    if (task === undefined || task.state !== 'sent') return;
    task.state = 'started';
    task.startedAt = performance.now();
    this.#stats.recordWait(task.startedAt - task.submittedAt);
    if (task.timeout !== undefined) task.timer = setTimeout(() => this.#timedOut(worker, task), task.timeout);
  }

  #result(worker: WorkerSlot, message: ResultMessage): void {
    if (message.taskId === INITIALIZER_TASK_ID) {
      const cause = message.value as Error;
      this.#break(new BrokenPoolError(`${this.#options.api}: a worker's initializer failed: ${cause?.message}`, { cause }));
      return;
    }
    const task = worker.inFlight.get(message.taskId);
    if (task === undefined) return;
    worker.inFlight.delete(message.taskId);
    this.#adaptWindow(worker, message.runMicros);
    this.#stats.recordRun(message.runMicros);
    if (task.settled) {
      // It timed out or was aborted, and has now stopped: no need to replace its worker.
      clearTimeout(task.timer);
    } else {
      this.#settle(task, message.ok, message.value);
    }
    this.#scheduleDispatch();
  }

  /** Few tasks in flight when they are long (balance), many when they are tiny (throughput). */
  #adaptWindow(worker: WorkerSlot, runMicros: number): void {
    worker.meanRunMicros = worker.meanRunMicros === 0 ? runMicros : worker.meanRunMicros * 0.8 + runMicros * 0.2;
    const window = Math.round(WINDOW_TARGET_MICROS / Math.max(1, worker.meanRunMicros));
    worker.window = Math.min(MAX_WINDOW, Math.max(MIN_WINDOW, window));
  }

  async #onExit(worker: WorkerSlot, exit: WorkerExit): Promise<void> {
    await worker.channel.drained();
    worker.channel.close();
    this.#server?.forget(worker.number);
    const expected = worker.state === 'retiring' && exit.exitCode === 0;
    worker.state = 'exited';
    this.#workers.delete(worker);
    const orphans = [...worker.inFlight.values()];
    worker.inFlight.clear();
    const requeue: PoolTask[] = [];
    for (const task of orphans) {
      if (task.settled) clearTimeout(task.timer);
      else if (task.state === 'started') this.#settle(task, false, workerDied(this.#options.api, worker.name, exit));
      else requeue.push(task);
    }
    for (const task of requeue) task.state = 'queued';
    this.#queue.splice(this.#queueHead, 0, ...requeue);
    const died = !expected && !worker.killedOnPurpose;
    if (died && this.#options.onWorkerDeath === 'break' && (this.#state === 'running' || this.#state === 'closing')) {
      this.#break(workerDied(this.#options.api, worker.name, exit));
    } else {
      this.#replenish();
      this.#scheduleDispatch();
    }
    this.#checkAllExited();
  }

  // ---- ending tasks -------------------------------------------------------------

  #timedOut(worker: WorkerSlot, task: PoolTask): void {
    if (task.settled) return;
    this.#settle(task, false, new TimeoutError(`${this.#options.api}: the task ran longer than its timeout of ${task.timeout} ms`));
    this.#stopTask(worker, task);
  }

  /** The caller's signal fired: a queued task is dropped, a running one told to stop. */
  #abort(task: PoolTask, reason: unknown): void {
    if (task.settled) return;
    const state = task.state;
    this.#settle(task, false, reason);
    if (state === 'queued') return;
    const worker = this.#workerOf(task);
    if (worker !== undefined) this.#stopTask(worker, task);
  }

  /** Fires the task's signal in its worker; if the task has not stopped after the grace period, the worker is replaced. */
  #stopTask(worker: WorkerSlot, task: PoolTask): void {
    worker.channel.out.abort(task.id);
    worker.channel.flush();
    task.timer = setTimeout(() => {
      if (!worker.inFlight.has(task.id) || worker.state === 'exited') return;
      worker.killedOnPurpose = true;
      if (worker.state === 'serving') worker.state = 'retiring';
      worker.kill();
      this.#replenish();
    }, this.#options.gracePeriod);
    task.timer.unref();
  }

  #workerOf(task: PoolTask): WorkerSlot | undefined {
    for (const worker of this.#workers) if (worker.inFlight.get(task.id) === task) return worker;
    return undefined;
  }

  #settle(task: PoolTask, ok: boolean, value: unknown): void {
    if (task.settled) return;
    clearTimeout(task.timer);
    task.timer = undefined;
    task.state = 'settled';
    if (ok) this.#stats.completed += 1;
    else this.#stats.failed += 1;
    this.#forget(task);
    task.outcome.settle(ok, value);
  }

  /** A task leaves the pool's count of unsettled work. */
  #forget(task: PoolTask): void {
    task.state = 'settled';
    if (--this.#outstanding === 0) {
      releaseEventLoop();
      this.#checkAllExited();
    }
  }

  #break(error: BrokenPoolError): void {
    if (this.#state === 'broken' || this.#state === 'terminated') return;
    this.#brokenBy = error;
    this.#end('broken', () => error);
  }

  /** Ends the pool: every unsettled task fails with `failure()`, every worker is killed. */
  #end(state: 'terminated' | 'broken', failure: () => Error): void {
    this.#state = state;
    unwatchInterrupts(this);
    const pending: PoolTask[] = this.#queue.slice(this.#queueHead);
    this.#queue = [];
    this.#queueHead = 0;
    for (const worker of this.#workers) {
      pending.push(...worker.inFlight.values());
      worker.state = 'retiring';
      worker.killedOnPurpose = true;
      worker.kill();
    }
    for (const task of pending) this.#settle(task, false, failure());
    this.#checkAllExited();
  }

  #checkAllExited(): void {
    if (this.#state === 'running' || this.#workers.size > 0) return;
    if (this.#state === 'closing' && this.#outstanding > 0) return;
    unwatchInterrupts(this);
    this.#server?.close();
    this.#whenAllExited?.();
  }
}

/** The worker with the fewest tasks in flight, if one has room in its window (dispatch spreads tasks evenly). */
function leastLoaded(workers: readonly WorkerSlot[]): WorkerSlot | undefined {
  let best: WorkerSlot | undefined;
  for (const worker of workers) {
    if (worker.state !== 'serving' || worker.inFlight.size >= worker.window) continue;
    if (best === undefined || worker.inFlight.size < best.inFlight.size) best = worker;
  }
  return best;
}

function isPrimitive(value: unknown): boolean {
  const type = typeof value;
  return type === 'number' || type === 'string' || type === 'boolean' || type === 'bigint' || value === undefined || value === null;
}

/** Kinds that cannot travel inside task bytes at all (a `Pipe` end: see `registerBytesRefusal`). */
function checkBytesRefusals(handles: readonly Handle[], api: string): void {
  for (const handle of handles) {
    const refusal = bytesRefusal(handle);
    if (refusal !== undefined) throw misuse(ErrorCode.NotSerializable, `${api}: a task argument is a ${handle.kind.replace(/^\w+\./, '')}: ${refusal}`);
  }
}

/**
 * A thread-scope object lives in one process's shared memory: a worker
 * process cannot have it, as Python cannot pickle a `threading.Lock`. (Thread
 * workers take it as it is: its buffers travel beside the task, see
 * `shared-buffers.ts`.)
 */
function checkProcessScope(handles: readonly Handle[], api: string): void {
  const local = handles.find((handle) => handle.scope === 'thread');
  if (local === undefined) return;
  throw misuse(
    ErrorCode.WrongScope,
    `${api}: a task argument is a thread-scope weft object (${local.kind}), which cannot reach a worker process. ` +
      'Use the process-scope one: import it from weft/multiprocessing.',
  );
}

function workerDied(api: string, name: string, exit: WorkerExit): BrokenPoolError {
  const how = exit.signal !== null ? `was killed by ${exit.signal}` : `exited with code ${exit.exitCode}`;
  return new BrokenPoolError(`${api}: worker ${name} ${how} while running this task`, { exitCode: exit.exitCode, signal: exit.signal });
}
