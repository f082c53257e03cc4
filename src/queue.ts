/**
 * `weft/queue`: Python's `queue` module for threads — FIFO, LIFO, priority
 * and simple queues in shared memory, and the conditions they raise.
 */
export { Queue, type QueueStatistics } from './queue/queue.js';
export { LifoQueue } from './queue/lifo-queue.js';
export { PriorityQueue } from './queue/priority-queue.js';
export { SimpleQueue } from './queue/simple-queue.js';
export { Full, Empty, ShutDown } from './errors.js';
export type { WaitOptions, SyncWaitOptions } from './runtime/options.js';
