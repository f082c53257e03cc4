/**
 * `wait`: waiting for some or all of a set of futures — Python's
 * `concurrent.futures.wait`, with its `FIRST_COMPLETED`, `FIRST_EXCEPTION`
 * and `ALL_COMPLETED` conditions.
 *
 * Guarantees, as CPython's `_base.py`: duplicates collapse; a cancelled
 * future counts as done but not as having raised; a timeout is not an error
 * (the partition is returned as it stands); with nothing to wait for it
 * returns at once. Unlike CPython, a future cancelled before its executor
 * saw it counts as done at once (see `future.ts`).
 *
 * The algorithm is CPython's waiter: one removable listener per unfinished
 * future, counting completions, so a wait over n futures costs O(n) in all,
 * and every listener is removed when the wait ends, however it ends.
 */
import { invalidArg } from '../errors.js';
import { Deadline } from '../internal/deadline.js';
import { checkWaitOptions, type WaitOptions } from '../runtime/options.js';
import { Future, kAddWaiter, kRaised, waitForWake } from './future.js';

/**
 * `wait()` returns when any future finishes or is cancelled.
 * @example `await wait(futures, { returnWhen: FIRST_COMPLETED })`
 */
export const FIRST_COMPLETED = 'FIRST_COMPLETED';
/**
 * `wait()` returns when any future finishes by raising, or when all are done.
 * @example `await wait(futures, { returnWhen: FIRST_EXCEPTION })`
 */
export const FIRST_EXCEPTION = 'FIRST_EXCEPTION';
/**
 * `wait()` returns when every future is done (the default).
 * @example `await wait(futures, { returnWhen: ALL_COMPLETED })`
 */
export const ALL_COMPLETED = 'ALL_COMPLETED';

/** When `wait()` returns. */
export type ReturnWhen = typeof FIRST_COMPLETED | typeof FIRST_EXCEPTION | typeof ALL_COMPLETED;

/** Options of `wait()`: `WaitOptions` plus the condition. */
export interface FuturesWaitOptions extends WaitOptions {
  returnWhen?: ReturnWhen;
}

/** What `wait()` resolves with: Python's `DoneAndNotDoneFutures`. Both sets keep the input order. */
export interface DoneAndNotDoneFutures<F> {
  done: Set<F>;
  notDone: Set<F>;
}

const RETURN_WHEN: readonly string[] = [FIRST_COMPLETED, FIRST_EXCEPTION, ALL_COMPLETED];

/**
 * Waits until `returnWhen` holds for the futures (default: all done), or
 * `timeout` ms pass, and resolves with the futures split into done and not
 * done. An aborted `signal` rejects with its reason.
 *
 * @example
 * ```ts
 * const { done, notDone } = await wait(futures, { timeout: 1000, returnWhen: FIRST_EXCEPTION });
 * for (const f of done) console.log(await f.exception());
 * ```
 */
export async function wait<F extends Future<unknown>>(fs: Iterable<F>, options?: FuturesWaitOptions): Promise<DoneAndNotDoneFutures<F>> {
  const { timeout, signal } = checkWaitOptions(options);
  const returnWhen = options?.returnWhen ?? ALL_COMPLETED;
  if (!RETURN_WHEN.includes(returnWhen)) {
    throw invalidArg(`futures: returnWhen must be 'FIRST_COMPLETED', 'FIRST_EXCEPTION' or 'ALL_COMPLETED', got ${inspectArg(returnWhen)}`);
  }
  const futures = uniqueFutures(fs, 'wait');
  signal?.throwIfAborted();

  let pending = 0;
  let raised = false;
  for (const f of futures) {
    if (!f.done()) pending += 1;
    else if (f[kRaised]()) raised = true;
  }
  // Each completion updates the counts; the condition is then O(1).
  const satisfied = (): boolean =>
    pending === 0 ||
    (returnWhen === FIRST_COMPLETED && pending < futures.size) ||
    (returnWhen === FIRST_EXCEPTION && raised);

  if (!satisfied() && timeout !== 0) {
    await waitForWake((wake) => {
      const removers: (() => void)[] = [];
      for (const f of futures) {
        if (f.done()) continue;
        removers.push(f[kAddWaiter](() => {
          pending -= 1;
          if (f[kRaised]()) raised = true;
          if (satisfied()) wake();
        }));
      }
      return () => { for (const remove of removers) remove(); };
    }, Deadline.after(timeout), signal);
  }

  const done = new Set<F>();
  const notDone = new Set<F>();
  for (const f of futures) (f.done() ? done : notDone).add(f);
  return { done, notDone };
}

/** The distinct futures of `fs`, in first-seen order; anything else is `ERR_INVALID_ARG`. */
export function uniqueFutures<F extends Future<unknown>>(fs: Iterable<F>, caller: string): Set<F> {
  if (fs === null || typeof (fs as { [Symbol.iterator]?: unknown })?.[Symbol.iterator] !== 'function') {
    throw invalidArg(`futures: ${caller}() takes an iterable of futures, got ${inspectArg(fs)}`, 'type');
  }
  const futures = new Set<F>();
  for (const f of fs) {
    if (!(f instanceof Future)) throw invalidArg(`futures: ${caller}() takes futures only, got ${inspectArg(f)}`, 'type');
    futures.add(f);
  }
  return futures;
}

function inspectArg(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'object' || typeof value === 'function') return typeof value === 'function' ? 'a function' : `an object (${Object.prototype.toString.call(value)})`;
  return `${typeof value} ${String(value)}`;
}
