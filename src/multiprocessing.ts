/**
 * `weft/multiprocessing`: Python's `multiprocessing` module for Node —
 * processes, and the process-scope primitives and queues they share through
 * the hub (one broker per process tree, in the root process).
 */
export { Process, type ProcessOptions } from './runner/process.js';
export { currentProcess, parentProcess, activeChildren } from './runner/current-process.js';
export { cpuCount } from './index.js';
export { Queue, type QueueStatistics } from './multiprocessing/queue.js';
export { JoinableQueue } from './multiprocessing/joinable-queue.js';
export { SimpleQueue } from './multiprocessing/simple-queue.js';
export { Lock } from './multiprocessing/lock.js';
export type { ProcessLockStatistics, ProcessThreadRef } from './backends/hub/owned-lock.js';
export { RLock } from './multiprocessing/rlock.js';
export { Condition, type ProcessConditionStatistics } from './multiprocessing/condition.js';
export { Semaphore, BoundedSemaphore, type ProcessSemaphoreStatistics } from './multiprocessing/semaphore.js';
export { Event, type ProcessEventStatistics } from './multiprocessing/event.js';
export { Barrier, type ProcessBarrierStatistics } from './multiprocessing/barrier.js';
export type { BarrierOptions } from './sync/barrier-action.js';
export { Value, type ProcessValueOptions } from './multiprocessing/value.js';
export { SharedArray, type ProcessSharedArrayOptions } from './multiprocessing/shared-array.js';
export { Manager, type ManagerStatistics } from './multiprocessing/manager.js';
export { DictProxy, type DictInit } from './multiprocessing/dict-proxy.js';
export { ListProxy, type SortOptions } from './multiprocessing/list-proxy.js';
export { Namespace } from './multiprocessing/namespace.js';
export type { Typecode } from './runtime/typecodes.js';
export type { WaitOptions, SyncWaitOptions } from './runtime/options.js';
export { Full, Empty, ShutDown, BrokenBarrierError, EOFError, BrokenPipeError } from './errors.js';
export { Pipe, type PipeOptions } from './pipe/pipe.js';
export { Connection, type PollOptions } from './pipe/connection.js';
export { Pool, ThreadPool, type PoolOptions, type MapOptions, type ApplyAsyncOptions, type MapAsyncOptions } from './pool/pool.js';
export { AsyncResult, type AsyncResultCallbacks } from './pool/async-result.js';
export type { TaskOptions } from './pool/pool-options.js';
export type { PoolStatistics, Percentiles } from './pool/statistics.js';
export { taskSignal } from './pool/task-signal.js';
