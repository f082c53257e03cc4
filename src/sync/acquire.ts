/**
 * What every lock-like primitive does the same way: run a function while
 * holding it (Python's `with`).
 */
import { TimeoutError } from '../errors.js';
import type { SyncWaitOptions, WaitOptions } from '../runtime/options.js';

/** Anything taken with `acquire` and given back with `release`. */
export interface Holdable {
  acquire(options?: WaitOptions): Promise<boolean>;
  acquireSync(options?: SyncWaitOptions): boolean;
  release(): void;
}

/**
 * Runs `fn` holding `lock`, releasing it however `fn` ends. Rejects with
 * `TimeoutError` if the lock could not be taken within `timeout`.
 */
export async function holding<R>(lock: Holdable, fn: () => R | Promise<R>, options: WaitOptions | undefined, what: string): Promise<R> {
  if (!(await lock.acquire(options))) {
    throw new TimeoutError(`sync: could not acquire the ${what} within ${options?.timeout} ms`);
  }
  try {
    return await fn();
  } finally {
    lock.release();
  }
}

/** As `holding`, blocking while it waits for the lock. */
export function holdingSync<R>(lock: Holdable, fn: () => R): R {
  lock.acquireSync();
  try {
    return fn();
  } finally {
    lock.release();
  }
}
