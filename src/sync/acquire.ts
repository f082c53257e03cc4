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
import { LockWord } from '../backends/atomics/lock.js';
import { admitHold, Op, record, traceIdOf, tracing } from '../trace/tracing.js';

/** The two paths of an owned lock's state (`LockState`, `RLockState`). */
export interface LockPaths {
  tryAcquire(me: number): Acquired | 'busy';
  acquireSteps(me: number, deadline: Deadline): Steps<AcquireOutcome>;
}

/**
 * Who an acquire is traced as: the class code and the lock's words (whose
 * `LockWord.TraceId` names it). Read only while tracing.
 */
export interface TracedAs {
  readonly cls: number;
  readonly words: Int32Array;
  /** Uncontended holds may be sampled during a burst (a Lock's: one hold at a time, so one flag pairs its ends). */
  readonly sampled: boolean;
  /** This thread's current hold was not recorded: neither will its release be. */
  skipped: boolean;
}

/**
 * The async acquire. Returns the outcome itself when no wait was needed, a
 * promise only when it was — an extra promise per uncontended acquire would
 * halve its speed. Callers are `async` and `await` it either way.
 *
 * Traced (`tracing`): an acquire that takes the lock at once is one
 * `Acquired` event; one that must wait is `Request`, then `Acquired` or
 * `TimedOut` — so the uncontended case pays for one clock read, not two.
 */
export function acquireAsync(state: LockPaths, options: WaitOptions | undefined, as: TracedAs): AcquireOutcome | Promise<AcquireOutcome> {
  const { timeout, signal } = checkWaitOptions(options);
  signal?.throwIfAborted();
  const me = currentToken();
  const decided = withoutWaiting(state, me, timeout, as);
  if (decided !== undefined) return decided;
  const waited = runAsync(state.acquireSteps(me, Deadline.after(timeout)), signal);
  return tracing ? traceWaited(waited, as) : waited;
}

export function acquireBlocking(state: LockPaths, options: SyncWaitOptions | undefined, as: TracedAs): AcquireOutcome {
  const { timeout } = checkSyncWaitOptions(options);
  const me = currentToken();
  const decided = withoutWaiting(state, me, timeout, as);
  if (decided !== undefined) return decided;
  const outcome = runSync(state.acquireSteps(me, Deadline.after(timeout)));
  if (tracing) traceAcquire(outcome === 'timed-out' ? Op.TimedOut : Op.Acquired, as, outcome);
  return outcome;
}

/** The outcome when no wait is needed — the lock was free, or `timeout` is 0 — else undefined (a wait follows, its request traced). */
function withoutWaiting(state: LockPaths, me: number, timeout: number | undefined, as: TracedAs): AcquireOutcome | undefined {
  const taken = state.tryAcquire(me);
  if (taken !== 'busy') {
    if (tracing) traceTaken(as, taken);
    return taken;
  }
  if (tracing) traceAcquire(Op.Request, as, 'busy');
  if (timeout !== 0) return undefined;
  if (tracing) traceAcquire(Op.TimedOut, as, 'timed-out');
  return 'timed-out';
}

/** Records an acquire that took the lock at once — unless it is one of the uncontended holds a burst samples away (`recorder.ts`). */
export function traceTaken(as: TracedAs, taken: AcquireOutcome): void {
  if (as.sampled && taken === 'acquired' && !admitHold()) {
    as.skipped = true;
    return;
  }
  traceAcquire(Op.Acquired, as, taken);
}

/** Records one step of an acquire: `Acquired` carries 0 (at once), 1 (after a wait) or 2 (inherited from a dead holder). */
export function traceAcquire(op: number, as: TracedAs, outcome: AcquireOutcome | 'busy' | 'waited'): void {
  const value = outcome === 'inherited' ? 2 : outcome === 'waited' ? 1 : 0;
  as.skipped = false;
  record(op, as.cls, traceIdOf(as.words, LockWord.TraceId), value);
}

/** Records how a traced wait for a lock ended (an abort ends it as a timeout). */
async function traceWaited(waited: Promise<AcquireOutcome>, as: TracedAs): Promise<AcquireOutcome> {
  let outcome: AcquireOutcome = 'timed-out';
  try {
    outcome = await waited;
    return outcome;
  } finally {
    traceAcquire(outcome === 'timed-out' ? Op.TimedOut : Op.Acquired, as, outcome === 'acquired' ? 'waited' : outcome);
  }
}

/** Records a release of a lock-like object. */
export function traceRelease(as: TracedAs, n: number): void {
  if (as.skipped) {
    as.skipped = false;
    return;
  }
  record(Op.Released, as.cls, traceIdOf(as.words, LockWord.TraceId), n);
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
