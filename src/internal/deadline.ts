/**
 * The one deadline loop of weft. A timed wait computes its deadline once,
 * from a monotonic clock (`performance.now()`, never `Date.now()`, so wall
 * clock jumps do not shorten or stretch a wait), and asks for the remaining
 * time on every turn of its loop — the `endtime`/`remaining` pattern of
 * CPython's `queue.py`.
 *
 * Timeouts are milliseconds. `undefined` means "wait forever"; `0` means "do
 * not wait". A negative, NaN or infinite number is `ERR_INVALID_ARG`
 * everywhere (Python is inconsistent here; weft is not) and is rejected
 * before any shared state is touched.
 */
import { invalidArg } from '../errors.js';

export const now: () => number = () => performance.now();

/** Throws `ERR_INVALID_ARG` unless `timeout` is undefined or a finite number >= 0. */
export function checkTimeout(timeout: unknown, name = 'timeout'): asserts timeout is number | undefined {
  if (timeout === undefined) return;
  if (typeof timeout !== 'number') {
    throw invalidArg(`${name} must be a number of milliseconds or undefined, got ${typeof timeout}`, 'type');
  }
  if (!Number.isFinite(timeout) || timeout < 0) {
    throw invalidArg(`${name} must be a finite, non-negative number of milliseconds (omit it to wait forever), got ${timeout}`);
  }
}

export class Deadline {
  /** Absolute time on the `now()` clock; `Infinity` for a wait without timeout. */
  readonly at: number;

  private constructor(at: number) {
    this.at = at;
  }

  static never(): Deadline {
    return new Deadline(Infinity);
  }

  /** A deadline `timeout` ms from now, or none. The timeout must already be checked. */
  static after(timeout: number | undefined): Deadline {
    return timeout === undefined ? Deadline.never() : new Deadline(now() + timeout);
  }

  get infinite(): boolean {
    return this.at === Infinity;
  }

  /** Milliseconds left (0 once passed), or `Infinity`. */
  remaining(): number {
    if (this.at === Infinity) return Infinity;
    return Math.max(0, this.at - now());
  }

  expired(): boolean {
    return this.at !== Infinity && now() >= this.at;
  }
}
