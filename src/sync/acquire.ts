/**
 * What every lock-like primitive does the same way: acquire through the
 * state's fast path, then its slow path — async or blocking — with the
 * caller's options; and run a function while holding it (Python's `with`).
 */
import type { AcquireOutcome, Acquired } from '../backends/atomics/lock.js';
import type { Steps } from '../backends/atomics/parking.js';
import { runAsync, runSync } from '../backends/atomics/parking.js';
import { currentToken } from '../backends/atomics/runtime.js';
import { Deadline } from '../internal/deadline.js';
import { TimeoutError } from '../errors.js';
import { checkSyncWaitOptions, checkWaitOptions, type SyncWaitOptions, type WaitOptions } from './options.js';

/** The two paths of an owned lock's state (`LockState`, `RLockState`). */
export interface LockPaths {
  tryAcquire(me: number): Acquired | 'busy';
  acquireSteps(me: number, deadline: Deadline): Steps<AcquireOutcome>;
}

/**
 * The async acquire. Returns the outcome itself when no wait was needed, a
 * promise only when it was — an extra promise per uncontended acquire would
 * halve its speed. Callers are `async` and `await` it either way.
 */
export function acquireAsync(state: LockPaths, options: WaitOptions | undefined): AcquireOutcome | Promise<AcquireOutcome> {
  const { timeout, signal } = checkWaitOptions(options);
  signal?.throwIfAborted();
  const me = currentToken();
  const taken = state.tryAcquire(me);
  if (taken !== 'busy') return taken;
  if (timeout === 0) return 'timed-out';
  return runAsync(state.acquireSteps(me, Deadline.after(timeout)), signal);
}

export function acquireBlocking(state: LockPaths, options: SyncWaitOptions | undefined): AcquireOutcome {
  const { timeout } = checkSyncWaitOptions(options);
  const me = currentToken();
  const taken = state.tryAcquire(me);
  if (taken !== 'busy') return taken;
  if (timeout === 0) return 'timed-out';
  return runSync(state.acquireSteps(me, Deadline.after(timeout)));
}

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
