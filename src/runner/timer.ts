/**
 * `Timer`: a thread that runs a function after a delay, unless cancelled
 * first — Python's `threading.Timer`.
 *
 * A Timer is a `Thread` (start, join, isAlive, name, daemon, error are
 * Thread's); `start()` starts the thread at once, and the thread waits
 * `interval` ms on the timer's `finished` Event before it calls
 * `fn(...args)`. `cancel()` sets that Event: the waiting thread wakes at
 * once (it sleeps on the Event, no polling) and returns without calling
 * `fn`. As in CPython's `Timer.run`:
 *
 * ```text
 * finished.wait(interval); if (!finished.isSet()) fn(...args); finished.set()
 * ```
 *
 * so a `cancel()` that lands after the wait ended but before the check still
 * prevents the call, a `cancel()` after the call is harmless, and `finished`
 * is set once the timer is done either way.
 *
 * `fn` is a target like a Thread's (exported from a module, found by
 * reference; see `runtime/target.ts`), checked by `start()` the same way. Python
 * names a Timer `Thread-N` (no function name: `Timer.__init__` passes no
 * target to `Thread.__init__`); so does weft. Python's `kwargs` has no
 * counterpart: pass an options object among `args`.
 *
 * How it crosses: the new thread rebuilds a plain Thread whose target is
 * `fn`, and the bootstrap does the wait before `run()` (`ThreadDelay` in
 * `boot-data.ts`). So, in the timer's own thread, `currentThread()` is a
 * Thread, not a Timer.
 */
import { encodeArgs } from '../codec/args.js';
import { invalidArg } from '../errors.js';
import { Event } from '../sync/event.js';
import type { ThreadDelay } from './boot-data.js';
import { Thread, kBuiltInSubclass, kDelay } from './thread.js';

/** Options of a `Timer`: a Thread's, without `target` and `args` (given as arguments). */
export interface TimerOptions {
  /** Default `Thread-N`. */
  name?: string;
  /** Default: the creating thread's. */
  daemon?: boolean;
  /** The module exporting `fn`, when weft cannot find it. */
  module?: string | URL;
}

/**
 * A thread that calls `fn(...args)` after `interval` ms unless `cancel()`
 * is called first: Python's `threading.Timer`.
 *
 * @example
 * ```ts
 * import { Timer } from 'weft/threading';
 * import { isMain } from 'weft';
 *
 * export function hello() {
 *   console.log('hello, world');
 * }
 *
 * if (isMain(import.meta)) {
 *   const t = new Timer(30, hello);
 *   t.start(); // after 30 ms, "hello, world" will be printed
 *   await t.join();
 * }
 * ```
 */
export class Timer<A extends unknown[] = unknown[]> extends Thread<A> {
  static readonly [kBuiltInSubclass] = true;

  readonly #interval: number;
  readonly #finished: Event;

  /**
   * @param interval ms to wait before calling `fn`: a finite number >= 0
   * @param fn the function to call, exported from a module (as a Thread's target); may be async
   * @param args its arguments, copied (weft objects among them are shared)
   * @param options `name`, `daemon`, `module`, as for a Thread
   */
  constructor(interval: number, fn: (...args: A) => unknown, args?: A, options?: TimerOptions) {
    if (typeof interval !== 'number' || !Number.isFinite(interval) || interval < 0) {
      throw invalidArg(`threading: a Timer's interval must be a finite number of ms >= 0, got ${String(interval)}`);
    }
    if (typeof fn !== 'function') throw invalidArg('threading: a Timer needs a function to call', 'type');
    if (options !== undefined && (typeof options !== 'object' || options === null)) {
      throw invalidArg('threading: Timer options must be an object', 'type');
    }
    super({ name: options?.name, daemon: options?.daemon, module: options?.module, target: fn, args: args ?? ([] as unknown[] as A) });
    this.#interval = interval;
    this.#finished = new Event();
  }

  /** The delay before `fn` is called, in ms. */
  get interval(): number {
    return this.#interval;
  }

  /** Set by `cancel()`, and by the timer's thread once it is done (called `fn` or not). */
  get finished(): Event {
    return this.#finished;
  }

  /**
   * Stops the timer if it is still waiting: `fn` will not be called. Harmless
   * once `fn` has been called, or before `start()` (the timer then never
   * calls `fn`).
   */
  cancel(): void {
    this.#finished.set();
  }

  /** The wait the new thread does before `run()` (read by `Thread.start`). */
  [kDelay](): ThreadDelay {
    return { interval: this.#interval, finished: encodeArgs([this.#finished]) };
  }
}
