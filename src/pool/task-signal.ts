/**
 * `taskSignal()`: the AbortSignal of the pool task that is running.
 *
 * A task with a `timeout` or a `signal` runs inside an AsyncLocalStorage
 * scope holding its own AbortController, so `taskSignal()` finds the right
 * signal even across `await`s, with several async tasks interleaved in one
 * worker. The pool fires it when the task times out or the caller aborts;
 * a task that does not stop within the grace period has its worker
 * replaced. Tasks without either get a signal that never fires (no scope is
 * made for them: it costs nothing).
 */
import { AsyncLocalStorage } from 'node:async_hooks';

// Made on first use: every process and thread loads weft, few run pool
// tasks, and making these at load cost a new process ~1.5 ms on Node 24
// (the AsyncLocalStorage getter loads its implementation).
let scope: AsyncLocalStorage<AbortController> | undefined;
let never: AbortSignal | undefined;

/**
 * The AbortSignal of the pool task that calls it: aborted when the task's
 * `timeout` runs out or the caller's `signal` aborts. Outside a task (or in a
 * task submitted without either), a signal that never aborts.
 *
 * @example
 * ```ts
 * import { taskSignal } from 'weft';
 *
 * export async function crawl(url: string) {
 *   const response = await fetch(url, { signal: taskSignal() });
 *   return response.status;
 * }
 * // await pool.apply(crawl, ['https://example.com'], { timeout: 5000 });
 * ```
 */
export function taskSignal(): AbortSignal {
  return scope?.getStore()?.signal ?? (never ??= new AbortController().signal);
}

/** Runs `call` with `controller` as the task's signal. */
export function runWithSignal<R>(controller: AbortController, call: () => R): R {
  return (scope ??= new AsyncLocalStorage<AbortController>()).run(controller, call);
}
