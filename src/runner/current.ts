/**
 * `currentThread()`, `mainThread()`, `activeThreads()`, `activeCount()`:
 * Python's `threading.current_thread()`, `main_thread()`, `enumerate()` and
 * `active_count()`, over the arena's thread table, so that every thread sees
 * every live thread of the process, whoever started it.
 */
import { runtime } from '../backends/atomics/runtime.js';
import { runnerState } from './registry.js';
import { selfThread, threadFor, type Thread } from './thread.js';

/**
 * The Thread object of the calling thread (in the main thread, `MainThread`).
 *
 * @example
 * ```ts
 * console.log(currentThread().name); // 'Thread-1' inside a thread
 * ```
 */
export function currentThread(): Thread<unknown[]> {
  return selfThread();
}

/**
 * The Thread object of the program's main thread.
 *
 * @example
 * ```ts
 * if (currentThread() === mainThread()) console.log('on the main thread');
 * ```
 */
export function mainThread(): Thread<unknown[]> {
  return threadFor(runtime().arena.rootToken);
}

/**
 * Every live thread of the process — the main thread, daemons, and threads
 * started by other threads (Python's `threading.enumerate()`).
 *
 * @example
 * ```ts
 * for (const t of activeThreads()) console.log(t.name, t.daemon);
 * ```
 */
export function activeThreads(): Thread<unknown[]>[] {
  const live = runtime().arena.liveThreads();
  forgetEnded(new Set(live));
  return live.map(threadFor);
}

/**
 * How many threads are alive: `activeThreads().length`.
 *
 * @example
 * ```ts
 * console.log(`${activeCount()} threads running`); // 1 when only the main thread runs
 * ```
 */
export function activeCount(): number {
  return runtime().arena.liveThreads().length;
}

function forgetEnded(live: Set<number>): void {
  const { proxies } = runnerState();
  for (const token of proxies.keys()) if (!live.has(token)) proxies.delete(token);
}
