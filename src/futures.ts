/**
 * `weft/futures`: Python's `concurrent.futures` for Node — executors over
 * worker threads and worker processes, futures, `wait` and `asCompleted`.
 */
export {
  ThreadPoolExecutor,
  ProcessPoolExecutor,
  type ExecutorOptions,
  type ProcessPoolExecutorOptions,
  type ExecutorMapOptions,
  type ShutdownOptions,
} from './pool/executor.js';
export { Future, type FutureStateName, type FutureStatistics } from './pool/future.js';
export { wait, FIRST_COMPLETED, FIRST_EXCEPTION, ALL_COMPLETED, type ReturnWhen, type FuturesWaitOptions, type DoneAndNotDoneFutures } from './pool/wait.js';
export { asCompleted, type AsCompletedOptions, type CompletedFuture, type AsCompletedIterator } from './pool/as-completed.js';
export type { TaskOptions } from './pool/pool-options.js';
export type { PoolStatistics, Percentiles } from './pool/statistics.js';
export { taskSignal } from './pool/task-signal.js';
export { TimeoutError, CancelledError, BrokenPoolError, KeyboardInterrupt } from './errors.js';
