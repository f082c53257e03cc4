/**
 * `asCompleted`: the futures of a set, one by one as they complete —
 * Python's `concurrent.futures.as_completed`, as an async iterable.
 *
 * Guarantees, as CPython's `_base.py`: futures already done are yielded
 * first (here in input order), then the others in the order they finish or
 * are cancelled; each future once, however often it was given; the timeout
 * counts from the call, and when it passes with futures still unfinished the
 * iteration throws `TimeoutError` ("2 (of 5) futures unfinished"). Futures
 * that are done are always yielded before a timeout is reported.
 *
 * It is a hand-written iterator, not an `async function*`: an async
 * generator awaits what it yields, and a `Future` is awaitable, so a
 * generator would hand out results instead of futures. Listeners are added
 * at the first `next()` (as CPython's generator does) and removed when the
 * iteration ends — exhausted, thrown, or left early by `break` (`return()`).
 */
import { TimeoutError } from '../errors.js';
import { Deadline } from '../internal/deadline.js';
import { checkWaitOptions, type WaitOptions } from '../sync/options.js';
import { type Future, kAddWaiter, waitForWake } from './future.js';
import { uniqueFutures } from './wait.js';

/** Options of `asCompleted()`: `timeout` ms from the call; `signal` aborts the iteration. */
export type AsCompletedOptions = WaitOptions;

/**
 * Yields the futures as they complete: those already done first, then the
 * others as they finish or are cancelled. Throws `TimeoutError` if `timeout`
 * ms (from this call) pass before all were yielded; once `signal` aborts,
 * the next step throws its reason. Bad arguments throw here, at the call.
 *
 * @example
 * ```ts
 * for await (const future of asCompleted(futures, { timeout: 10_000 })) {
 *   console.log(await future.result());
 * }
 * ```
 */
export function asCompleted<F extends Future<unknown>>(fs: Iterable<F>, options?: AsCompletedOptions): AsyncIterableIterator<F> {
  const { timeout, signal } = checkWaitOptions(options);
  const futures = uniqueFutures(fs, 'asCompleted');
  return new AsCompletedIterator(futures, Deadline.after(timeout), timeout, signal);
}

type Phase = 'unstarted' | 'iterating' | 'ended';

class AsCompletedIterator<F extends Future<unknown>> implements AsyncIterableIterator<F> {
  readonly #futures: Set<F>;
  readonly #deadline: Deadline;
  readonly #timeout: number | undefined;
  readonly #signal: AbortSignal | undefined;
  #phase: Phase = 'unstarted';
  // Done but not yet yielded, in completion order; `#pending` is everything not yet done.
  readonly #finished: F[] = [];
  readonly #pending = new Set<F>();
  #removers: (() => void)[] = [];
  #wake: (() => void) | undefined;
  // next() calls run one after another, as an async generator's do.
  #queue: Promise<unknown> = Promise.resolve();

  constructor(futures: Set<F>, deadline: Deadline, timeout: number | undefined, signal: AbortSignal | undefined) {
    this.#futures = futures;
    this.#deadline = deadline;
    this.#timeout = timeout;
    this.#signal = signal;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  next(): Promise<IteratorResult<F, undefined>> {
    const step = this.#queue.then(() => this.#step());
    this.#queue = step.catch(() => {});
    return step;
  }

  return(): Promise<IteratorResult<F, undefined>> {
    const step = this.#queue.then(() => {
      this.#end();
      return { done: true as const, value: undefined };
    });
    this.#queue = step.catch(() => {});
    return step;
  }

  async #step(): Promise<IteratorResult<F, undefined>> {
    if (this.#phase === 'ended') return { done: true, value: undefined };
    if (this.#phase === 'unstarted') this.#start();
    try {
      // Once the signal aborts, the iteration throws its reason, even with futures ready to yield.
      this.#signal?.throwIfAborted();
      while (this.#finished.length === 0) {
        if (this.#pending.size === 0) {
          this.#end();
          return { done: true, value: undefined };
        }
        if (this.#deadline.expired()) {
          throw new TimeoutError(`futures: ${this.#pending.size} (of ${this.#futures.size}) futures unfinished after ${this.#timeout} ms`);
        }
        await waitForWake((wake) => {
          this.#wake = wake;
          return () => { this.#wake = undefined; };
        }, this.#deadline, this.#signal);
      }
    } catch (error) {
      this.#end();
      throw error;
    }
    return { done: false, value: this.#finished.shift() as F };
  }

  #start(): void {
    this.#phase = 'iterating';
    for (const f of this.#futures) {
      if (f.done()) {
        this.#finished.push(f);
        continue;
      }
      this.#pending.add(f);
      this.#removers.push(f[kAddWaiter](() => {
        this.#pending.delete(f);
        this.#finished.push(f);
        this.#wake?.();
      }));
    }
  }

  /** Ends the iteration: removes every listener still installed, so an early `break` leaks nothing. */
  #end(): void {
    this.#phase = 'ended';
    for (const remove of this.#removers) remove();
    this.#removers = [];
    this.#finished.length = 0;
    this.#pending.clear();
  }
}
