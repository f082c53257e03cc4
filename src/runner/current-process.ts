/**
 * `currentProcess()`, `parentProcess()`, `activeChildren()`: Python's
 * `multiprocessing.current_process()`, `parent_process()` and
 * `active_children()`.
 */
import { Process, kSelf } from './process.js';
import { processState } from './process-state.js';

/**
 * The Process object of the calling process: `MainProcess` in the root, the
 * started object (a copy, with its own fields) in a child.
 *
 * @example
 * ```ts
 * const { name, pid, daemon } = currentProcess();
 * console.log(`${name} (${pid})`); // 'MainProcess (4242)' in the root
 * ```
 */
export function currentProcess(): Process<unknown[]> {
  const state = processState();
  return (state.self ??= Process[kSelf](state.me.name, state.me.daemon));
}

/**
 * The process that started the calling one, or null in the root.
 *
 * @example
 * ```ts
 * const parent = parentProcess();
 * console.log(parent === null ? 'the root' : `child of ${parent.name} (${parent.pid})`);
 * ```
 */
export function parentProcess(): { readonly name: string; readonly pid: number } | null {
  const { parent } = processState().me;
  return parent === null ? null : { name: parent.name, pid: parent.pid };
}

/**
 * The children started from the calling thread that are still running.
 * (Python's also reaps finished ones; weft reaps every child the moment it
 * ends, so there is nothing left to reap.)
 *
 * @example
 * ```ts
 * for (const child of activeChildren()) child.terminate();
 * ```
 */
export function activeChildren(): Process<unknown[]>[] {
  return [...processState().children].filter((child) => child.isAlive());
}
