/**
 * `weft/redis`: the machine scope — the same primitives as the other
 * scopes, shared by processes on any number of machines through a Redis 7
 * (or Valkey) server. Objects are named within a namespace; open them on
 * the scope `connect()` returns.
 */
export { connect, RedisScope, type ConnectOptions } from './backends/redis/scope.js';
export { Lock, RLock, type RedisObjectOptions } from './backends/redis/lock.js';
export type { RedisLockStatistics } from './backends/redis/owned-lock.js';
export { Semaphore, BoundedSemaphore, type RedisSemaphoreOptions, type RedisSemaphoreStatistics } from './backends/redis/semaphore.js';
export { Event, type RedisEventStatistics } from './backends/redis/event.js';
export { Condition, type RedisConditionOptions, type RedisConditionStatistics } from './backends/redis/condition.js';
export { Barrier, type RedisBarrierOptions, type RedisBarrierStatistics } from './backends/redis/barrier.js';
export { Value, type RedisValueOptions, type RedisValueConstructor } from './backends/redis/value.js';
export { Queue, JoinableQueue, SimpleQueue, type RedisQueueOptions, type RedisQueueStatistics } from './backends/redis/queue.js';
export { Full, Empty, ShutDown, BrokenBarrierError } from './errors.js';
export type { WaitOptions } from './runtime/options.js';
export { TimeoutError } from './errors.js';
export { Pool, type RedisPoolOptions, type RedisMapOptions, type RedisPoolStatistics } from './pool/redis-pool.js';
export { startWorker, RedisWorker, type RedisWorkerOptions, type RedisWorkerStatistics } from './pool/redis-worker.js';
