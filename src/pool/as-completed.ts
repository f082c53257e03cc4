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
import { checkWaitOptions, type WaitOptions } from '../runtime/options.js';
import { type Future, kAddWaiter, waitForWake } from './future.js';
import { uniqueFutures } from './wait.js';

/** Options of `asCompleted()`: `timeout` ms from the call; `signal` aborts the iteration. */
export type AsCompletedOptions = WaitOptions;

/**
 * The type of the futures `asCompleted()` yields: the future, with `then`
 * hidden from the type checker. TypeScript types a `for await` variable as
 * the *awaited* element type (it assumes async iterators never yield
 * thenables), so an iterable of `Future<R>` would type each `f` as `R` while
 * the loop really hands out the future. With `then: never` the checker sees
 * no thenable and types `f` as the future it is; it is still assignable to
 * `F`. (`await f` then types as the future too — use `f.result()`.)
 *
 * @example
 * ```ts
 * for await (const f of asCompleted(futures)) console.log(await f.result());
 * ```
 */
export type CompletedFuture<F> = F & { readonly then: never };

/** What `asCompleted()` returns: a one-shot async iterator; `return()` (what `break` calls) removes its listeners. */
export interface AsCompletedIterator<F> extends AsyncIterableIterator<CompletedFuture<F>, undefined> {
  next(): Promise<IteratorResult<CompletedFuture<F>, undefined>>;
  return(): Promise<IteratorResult<CompletedFuture<F>, undefined>>;
}

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
export function asCompleted<F extends Future<unknown>>(fs: Iterable<F>, options?: AsCompletedOptions): AsCompletedIterator<F> {
  const { timeout, signal } = checkWaitOptions(options);
  const futures = uniqueFutures(fs, 'asCompleted');
  return new AsCompletedIteration(futures, Deadline.after(timeout), timeout, signal);
}

type Phase = 'unstarted' | 'iterating' | 'ended';

class AsCompletedIteration<F extends Future<unknown>> implements AsCompletedIterator<F> {
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
  // next()/return() calls run one after another, as an async generator's do; `#tail` is the last
  // one still in flight. With none in flight a step starts synchronously, so the first next()
  // installs the listeners before it returns.
  #tail: Promise<void> | undefined;

  constructor(futures: Set<F>, deadline: Deadline, timeout: number | undefined, signal: AbortSignal | undefined) {
    this.#futures = futures;
    this.#deadline = deadline;
    this.#timeout = timeout;
    this.#signal = signal;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  next(): Promise<IteratorResult<CompletedFuture<F>, undefined>> {
    return this.#enqueue(() => this.#step());
  }

  return(): Promise<IteratorResult<CompletedFuture<F>, undefined>> {
    return this.#enqueue(async () => {
      this.#end();
      return { done: true, value: undefined };
    });
  }

  #enqueue(run: () => Promise<IteratorResult<CompletedFuture<F>, undefined>>): Promise<IteratorResult<CompletedFuture<F>, undefined>> {
    const step = this.#tail === undefined ? run() : this.#tail.then(run);
    const tail = step.then(noop, noop);
    this.#tail = tail;
    void tail.then(() => {
      if (this.#tail === tail) this.#tail = undefined;
    });
    return step;
  }

  async #step(): Promise<IteratorResult<CompletedFuture<F>, undefined>> {
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
    return { done: false, value: this.#finished.shift() as CompletedFuture<F> };
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

function noop(): void {}
