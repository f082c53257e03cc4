/**
 * `weft/threading`: Python's `threading` module for Node — threads on
 * worker threads, and the primitives they share through SharedArrayBuffer.
 */
export { Thread, type ThreadOptions } from './runner/thread.js';
export { Timer, type TimerOptions } from './runner/timer.js';
export { setExcepthook, getExcepthook, defaultExcepthook, type ExceptHookArgs, type Excepthook } from './runner/excepthook.js';
export { currentThread, mainThread, activeThreads, activeCount } from './runner/current.js';
export { Lock, type LockStatistics } from './sync/lock.js';
export { RLock, type RLockStatistics } from './sync/rlock.js';
export { Condition, type ConditionStatistics } from './sync/condition.js';
export { Semaphore, BoundedSemaphore, type SemaphoreStatistics } from './sync/semaphore.js';
export { Event, type EventStatistics } from './sync/event.js';
export { Barrier, type BarrierStatistics } from './sync/barrier.js';
export type { BarrierOptions } from './sync/barrier-action.js';
export { Value } from './shared/value.js';
export { SharedArray } from './shared/shared-array.js';
export type { Typecode } from './runtime/typecodes.js';
export type { WaitOptions, SyncWaitOptions } from './runtime/options.js';
export type { ThreadRef } from './runtime/owner.js';
export { BrokenBarrierError } from './errors.js';
