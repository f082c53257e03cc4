/**
 * Every public error class and code of weft.
 *
 * Conditions a program is expected to handle are classes, named as in Python:
 *
 * | class                | thrown when                                                        | Python            |
 * |----------------------|--------------------------------------------------------------------|-------------------|
 * | `Full`               | a bounded queue has no room (nowait, or the timeout ran out)       | `queue.Full`      |
 * | `Empty`              | a queue has no item (nowait, or the timeout ran out)               | `queue.Empty`     |
 * | `ShutDown`           | a queue was shut down (puts at once, gets once drained)            | `queue.ShutDown`  |
 * | `BrokenBarrierError` | a barrier was aborted, reset, or a wait on it timed out            | same              |
 * | `TimeoutError`       | a result did not arrive in time (futures, pools)                   | same              |
 * | `CancelledError`     | a future or task was cancelled before it ran                       | same              |
 * | `BrokenPoolError`    | a pool worker died while running a task                            | `BrokenProcessPool` |
 * | `KeyboardInterrupt`  | Ctrl-C (SIGINT) stopped a pool's work in flight                    | same              |
 * | `EOFError`           | `recv()` on a Connection whose peer is closed or gone, nothing left | same              |
 * | `BrokenPipeError`    | `send()` on a Connection whose peer is closed or gone              | same (an OSError) |
 *
 * Misuse — a rule of the API broken by the caller — throws a `RuntimeError`
 * (or, for bad arguments, a `TypeError`/`RangeError`) whose `code` is one of:
 *
 * | code                         | rule broken                                                 |
 * |------------------------------|-------------------------------------------------------------|
 * | `ERR_INVALID_ARG`            | a bad argument: negative timeout, bad typecode, `Barrier(0)`… |
 * | `ERR_ALREADY_STARTED`        | `start()` twice, or `daemon` set after `start()`            |
 * | `ERR_NOT_STARTED`            | `join()` before `start()`                                   |
 * | `ERR_JOIN_SELF`              | a thread joining itself                                     |
 * | `ERR_STILL_RUNNING`          | `close()` of a process that is still running                |
 * | `ERR_PROCESS_CLOSED`         | a `Process` used after `close()` (Python's ValueError)      |
 * | `ERR_LOCK_NOT_HELD`          | release of an unlocked lock, or of an RLock by a non-owner; wait/notify without the lock |
 * | `ERR_SEMAPHORE_OVER_RELEASE` | a `BoundedSemaphore` released above its initial value       |
 * | `ERR_TASK_DONE_TOO_MANY`     | `taskDone()` called more times than items were put          |
 * | `ERR_QUEUE_CLOSED`           | `put` after `close()`                                       |
 * | `ERR_TARGET_NOT_EXPORTED`    | a thread/process/pool target that no module exports         |
 * | `ERR_NOT_SERIALIZABLE`       | an argument or item that cannot cross to another thread     |
 * | `ERR_WRONG_SCOPE`            | an object of a narrower scope handed to a wider one         |
 * | `ERR_DAEMON_CHILDREN`        | a daemon process starting children                          |
 * | `ERR_POOL_NOT_RUNNING`       | work submitted to a pool after `close()`/`shutdown()`       |
 * | `ERR_HUB_LOST`               | the process-tree broker is gone                             |
 * | `ERR_NO_LOCK`                | `getLock()` on a Value/SharedArray made with `lock: false`  |
 * | `ERR_INVALID_STATE`          | a future set or started twice, or set after it was cancelled (Python's InvalidStateError) |
 * | `ERR_NOT_READY`              | `successful()` of an `AsyncResult` that is not ready (Python's ValueError) |
 * | `ERR_MANAGER_SHUTDOWN`       | a `Manager`'s proxy (or the manager) used after `shutdown()` (Python: the manager process is gone) |
 * | `ERR_INDEX_OUT_OF_RANGE`     | a `ListProxy` index past either end, or `pop()` of an empty list (Python's IndexError; a RangeError) |
 * | `ERR_NOT_FOUND`              | a key not in a `DictProxy` (Python's KeyError), a value not in a `ListProxy` (`index`/`remove`'s ValueError); a RangeError |
 * | `ERR_LOCK_LOST`              | a `weft/redis` lock whose holder's lease ran out (a paused process) was given to another process: the holder's next call on it |
 * | `ERR_MODULE_MISMATCH`        | a `weft/redis` pool task whose module is missing or differs (content hash) on the worker that took it |
 * | `ERR_CONNECTION_CLOSED`      | a `Connection` end used after its own `close()`, or after it was sent to another process (Python's OSError "handle is closed") |
 *
 * Messages start with the module that raised them and state the rule, the way
 * Go's `sync: negative WaitGroup counter` does, and say what to do instead.
 */

/**
 * The stable `code` strings of weft's misuse errors (Node's `err.code` convention).
 *
 * @example
 * ```ts
 * try {
 *   lock.release();
 * } catch (error) {
 *   if ((error as { code?: string }).code === ErrorCode.LockNotHeld) console.log('it was not locked');
 * }
 * ```
 */
export const ErrorCode = {
  InvalidArg: 'ERR_INVALID_ARG',
  AlreadyStarted: 'ERR_ALREADY_STARTED',
  NotStarted: 'ERR_NOT_STARTED',
  JoinSelf: 'ERR_JOIN_SELF',
  StillRunning: 'ERR_STILL_RUNNING',
  ProcessClosed: 'ERR_PROCESS_CLOSED',
  LockNotHeld: 'ERR_LOCK_NOT_HELD',
  SemaphoreOverRelease: 'ERR_SEMAPHORE_OVER_RELEASE',
  TaskDoneTooMany: 'ERR_TASK_DONE_TOO_MANY',
  QueueClosed: 'ERR_QUEUE_CLOSED',
  TargetNotExported: 'ERR_TARGET_NOT_EXPORTED',
  NotSerializable: 'ERR_NOT_SERIALIZABLE',
  WrongScope: 'ERR_WRONG_SCOPE',
  DaemonChildren: 'ERR_DAEMON_CHILDREN',
  PoolNotRunning: 'ERR_POOL_NOT_RUNNING',
  HubLost: 'ERR_HUB_LOST',
  NoLock: 'ERR_NO_LOCK',
  InvalidState: 'ERR_INVALID_STATE',
  NotReady: 'ERR_NOT_READY',
  ManagerShutdown: 'ERR_MANAGER_SHUTDOWN',
  IndexOutOfRange: 'ERR_INDEX_OUT_OF_RANGE',
  NotFound: 'ERR_NOT_FOUND',
  ConnectionClosed: 'ERR_CONNECTION_CLOSED',
  LockLost: 'ERR_LOCK_LOST',
  ModuleMismatch: 'ERR_MODULE_MISMATCH',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/**
 * Python's `RuntimeError`: the base of errors that say "this object is in a
 * state where that cannot be done". weft's misuse errors are RuntimeErrors
 * carrying a `code`; `BrokenBarrierError` is one too, as in Python.
 *
 * @example
 * ```ts
 * try {
 *   thread.start(); // a second time
 * } catch (error) {
 *   if (error instanceof RuntimeError) console.log(error.code); // 'ERR_ALREADY_STARTED'
 * }
 * ```
 */
export class RuntimeError extends Error {
  /** A stable `ERR_*` string for misuse errors; absent on condition classes. */
  code?: string;
  constructor(message?: string, options?: { cause?: unknown; code?: string }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    if (options?.code !== undefined) this.code = options.code;
  }
}
Object.defineProperty(RuntimeError.prototype, 'name', { value: 'RuntimeError', writable: true, configurable: true });

/**
 * Thrown by `putNowait()`, or by `put()` when its timeout runs out, on a queue
 * that is at `maxsize`. Carries the item that was not enqueued, as crossbeam's
 * `TrySendError::Full(T)` does, so nothing is lost.
 *
 * @example
 * ```ts
 * try {
 *   queue.putNowait(job);
 * } catch (error) {
 *   if (!(error instanceof Full)) throw error;
 *   backlog.push(error.item); // the job that did not fit
 * }
 * ```
 */
export class Full<T = unknown> extends Error {
  readonly item: T;
  constructor(item: T, message = 'queue: the queue is full') {
    super(message);
    this.item = item;
  }
}
Object.defineProperty(Full.prototype, 'name', { value: 'Full', writable: true, configurable: true });

/**
 * Thrown by `getNowait()`, or by `get()` when its timeout runs out, on an empty queue.
 *
 * @example
 * ```ts
 * try {
 *   const job = await queue.get({ timeout: 100 });
 * } catch (error) {
 *   if (!(error instanceof Empty)) throw error; // nothing came within 100 ms
 * }
 * ```
 */
export class Empty extends Error {
  constructor(message = 'queue: the queue is empty') {
    super(message);
  }
}
Object.defineProperty(Empty.prototype, 'name', { value: 'Empty', writable: true, configurable: true });

/**
 * Thrown by puts on a queue after `shutdown()`, and by gets once a shut-down
 * queue is drained (at once after `shutdown({ immediate: true })`). Unlike
 * `Empty`, it is final: the queue will never yield again.
 *
 * @example
 * ```ts
 * for (;;) {
 *   let job;
 *   try {
 *     job = await queue.get();
 *   } catch (error) {
 *     if (error instanceof ShutDown) break; // shut down and drained
 *     throw error;
 *   }
 *   handle(job);
 * }
 * ```
 */
export class ShutDown extends Error {
  constructor(message = 'queue: the queue was shut down') {
    super(message);
  }
}
Object.defineProperty(ShutDown.prototype, 'name', { value: 'ShutDown', writable: true, configurable: true });

/**
 * Thrown by `Barrier.wait()` when the barrier is broken: it was aborted, reset
 * while the caller waited, or a wait on it timed out. A RuntimeError, as in Python.
 *
 * @example
 * ```ts
 * try {
 *   await barrier.wait({ timeout: 1000 });
 * } catch (error) {
 *   if (error instanceof BrokenBarrierError) console.log('a party never came, or abort() was called');
 * }
 * ```
 */
export class BrokenBarrierError extends RuntimeError {
  constructor(message = 'sync: the barrier is broken') {
    super(message);
  }
}
Object.defineProperty(BrokenBarrierError.prototype, 'name', { value: 'BrokenBarrierError', writable: true, configurable: true });

/**
 * Thrown when a result does not arrive within its timeout (`Future.result`,
 * `AsyncResult.get`). Named `TimeoutError`, the same name the rejections of
 * `AbortSignal.timeout()` carry, so one `err.name === 'TimeoutError'` check
 * covers both. Waits that report a timeout by their return value (`acquire`,
 * `join`, `Event.wait`) never throw it.
 *
 * @example
 * ```ts
 * try {
 *   console.log(await future.result({ timeout: 500 }));
 * } catch (error) {
 *   if (error instanceof TimeoutError) console.log('not done within 500 ms');
 * }
 * ```
 */
export class TimeoutError extends Error {
  constructor(message = 'the operation timed out') {
    super(message);
  }
}
Object.defineProperty(TimeoutError.prototype, 'name', { value: 'TimeoutError', writable: true, configurable: true });

/**
 * Thrown by a future or task that was cancelled before it ran.
 *
 * @example
 * ```ts
 * future.cancel();
 * await future.result().catch((error) => console.log(error instanceof CancelledError)); // true
 * ```
 */
export class CancelledError extends Error {
  constructor(message = 'the task was cancelled') {
    super(message);
  }
}
Object.defineProperty(CancelledError.prototype, 'name', { value: 'CancelledError', writable: true, configurable: true });

/**
 * Thrown for a task whose worker died while running it (killed, exited, out of
 * memory). `exitCode` or `signal` say how the worker ended.
 *
 * @example
 * ```ts
 * try {
 *   await pool.apply(crunch, [input]);
 * } catch (error) {
 *   if (error instanceof BrokenPoolError) console.log(`worker died: ${error.signal ?? error.exitCode}`);
 * }
 * ```
 */
export class BrokenPoolError extends Error {
  readonly exitCode: number | null;
  readonly signal: string | null;
  constructor(message = 'pool: a worker died while running the task', options: { exitCode?: number | null; signal?: string | null; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.exitCode = options.exitCode ?? null;
    this.signal = options.signal ?? null;
  }
}
Object.defineProperty(BrokenPoolError.prototype, 'name', { value: 'BrokenPoolError', writable: true, configurable: true });

/**
 * What a pool's work in flight fails with when Ctrl-C (SIGINT) reaches the
 * root: its workers are stopped and reaped, and each caller gets this one
 * error instead of a traceback from every worker (see `pool/interrupts.ts`).
 *
 * @example
 * ```ts
 * try {
 *   await pool.map(render, frames);
 * } catch (error) {
 *   if (error instanceof KeyboardInterrupt) console.log('stopped by Ctrl-C');
 * }
 * ```
 */
export class KeyboardInterrupt extends Error {
  constructor(message = 'pool: interrupted (Ctrl-C); its workers were stopped') {
    super(message);
  }
}
Object.defineProperty(KeyboardInterrupt.prototype, 'name', { value: 'KeyboardInterrupt', writable: true, configurable: true });

/**
 * Thrown by `Connection.recv()` when the other end is closed — by `close()`,
 * or because the thread or process that held it ended — and every message it
 * sent has been read. Final, like `ShutDown`: nothing more will come.
 *
 * @example
 * ```ts
 * for (;;) {
 *   let message;
 *   try {
 *     message = await conn.recv();
 *   } catch (error) {
 *     if (error instanceof EOFError) break; // the sender is done
 *     throw error;
 *   }
 *   console.log(message);
 * }
 * ```
 */
export class EOFError extends Error {
  constructor(message = 'connection: the other end is closed and nothing is left to read') {
    super(message);
  }
}
Object.defineProperty(EOFError.prototype, 'name', { value: 'EOFError', writable: true, configurable: true });

/**
 * Thrown by `Connection.send()` when the other end is closed or its holder
 * ended: nobody will ever read the message, so it is not sent. Python raises
 * its `BrokenPipeError` (an OSError, EPIPE) in the same place. Unlike
 * `EOFError`, it is the sender's condition.
 *
 * @example
 * ```ts
 * try {
 *   conn.send(result);
 * } catch (error) {
 *   if (error instanceof BrokenPipeError) console.log('the reader is gone');
 * }
 * ```
 */
export class BrokenPipeError extends Error {
  constructor(message = 'connection: the other end is closed; nobody will read this message') {
    super(message);
  }
}
Object.defineProperty(BrokenPipeError.prototype, 'name', { value: 'BrokenPipeError', writable: true, configurable: true });

/** A misuse error: a RuntimeError with a `code`. */
export function misuse(code: ErrorCode, message: string, cause?: unknown): RuntimeError {
  return new RuntimeError(message, { code, cause });
}

/** A bad-argument error (`ERR_INVALID_ARG`): a `RangeError` for bad values, a `TypeError` for bad types. */
export function invalidArg(message: string, kind: 'range' | 'type' = 'range'): RangeError | TypeError {
  const error = kind === 'range' ? new RangeError(message) : new TypeError(message);
  (error as RangeError & { code: string }).code = ErrorCode.InvalidArg;
  return error;
}

/** The condition classes, by name, for rebuilding errors that crossed a thread or process. */
export const conditionClasses: Readonly<Record<string, new (...args: never[]) => Error>> = Object.freeze({
  RuntimeError,
  Full,
  Empty,
  ShutDown,
  BrokenBarrierError,
  TimeoutError,
  CancelledError,
  BrokenPoolError,
  KeyboardInterrupt,
  EOFError,
  BrokenPipeError,
});
