/**
 * `threading.excepthook`: what happens to an error a thread's `run()` throws
 * — Python's `threading.excepthook`, `threading.__excepthook__` and
 * `threading.ExceptHookArgs`.
 *
 * The default (`defaultExcepthook`, Python's `__excepthook__`) prints
 * `Exception in thread <name>:` and the error with its stack to stderr, as
 * Python prints the traceback. `setExcepthook(hook)` replaces it (Python
 * assigns `threading.excepthook = hook`; an ES module's exports cannot be
 * assigned from outside, so weft has a setter); `setExcepthook(null)`
 * restores the default; `getExcepthook()` returns the hook in force.
 *
 * Where the hook runs — the difference from Python: Python calls the hook in
 * the dying thread. A weft thread is a separate worker with its own copy of
 * every module, and a function cannot cross to it, so the hook runs in the
 * thread that owns the `Thread` object (the one that called `start()`),
 * when the thread has ended with an error, before its `join()` resolves;
 * `args.thread` is that Thread object, and `args.excValue` the error as
 * rebuilt there (its class, message, stack and properties; see
 * `codec/remote-error.ts`). The hook in force is the one set in the starting
 * thread (module state is per thread): set it where the threads are started.
 * A starting thread busy in synchronous code runs the hook when its event
 * loop next turns.
 *
 * A hook that throws: Python hands the hook's own exception to
 * `sys.excepthook`, which prints it. weft prints the thread's error with the
 * default hook, then `Exception in threading excepthook:` and the hook's
 * error, so that neither is lost.
 *
 * Processes have no excepthook (neither in Python): a `Process` whose target
 * throws prints the error in the child, as before.
 */
import { threadId } from 'node:worker_threads';
import { inspect } from 'node:util';
import { invalidArg } from '../errors.js';
import type { Thread } from './thread.js';

/** What an excepthook is given: Python's `threading.ExceptHookArgs`. */
export interface ExceptHookArgs {
  /** The error's class name (Python's `exc_type`, here a name: the class object stays in the thread that threw). */
  readonly excType: string;
  /** The error, rebuilt in the thread running the hook. */
  readonly excValue: Error;
  /** Its stack, as the thread that threw saw it. */
  readonly excTraceback: string | undefined;
  /** The Thread object of the thread that ended, or null. */
  readonly thread: Thread | null;
}

/** An excepthook: called with the error a thread ended with. */
export type Excepthook = (args: ExceptHookArgs) => void;

/**
 * Python's `threading.__excepthook__`: prints `Exception in thread <name>:`
 * and the error with its stack to stderr.
 *
 * @example
 * ```ts
 * import { setExcepthook, defaultExcepthook } from 'weft/threading';
 *
 * setExcepthook((args) => {
 *   if (args.excType !== 'AbortError') defaultExcepthook(args); // print all but aborts
 * });
 * ```
 */
export function defaultExcepthook(args: ExceptHookArgs): void {
  const name = args.thread === null ? String(threadId) : args.thread.name;
  process.stderr.write(`Exception in thread ${name}:\n${inspect(args.excValue)}\n`);
}

let hook: Excepthook = defaultExcepthook;

/**
 * Sets what is called when a thread this thread started ends with an error:
 * Python's `threading.excepthook = hook`. `null` restores the default,
 * `defaultExcepthook`. The hook runs in this thread, before the ended
 * thread's `join()` resolves (Python runs it in the dying thread).
 *
 * @example
 * ```ts
 * import { setExcepthook } from 'weft/threading';
 *
 * const failures: string[] = [];
 * setExcepthook(({ thread, excValue }) => failures.push(`${thread?.name}: ${excValue.message}`));
 * ```
 */
export function setExcepthook(newHook: Excepthook | null): void {
  if (newHook !== null && typeof newHook !== 'function') {
    throw invalidArg('threading: the excepthook must be a function, or null for the default', 'type');
  }
  hook = newHook ?? defaultExcepthook;
}

/**
 * The excepthook in force in this thread: Python's `threading.excepthook`.
 *
 * @example
 * ```ts
 * import { getExcepthook, setExcepthook } from 'weft/threading';
 *
 * const previous = getExcepthook();
 * setExcepthook((args) => { console.error('thread failed:', args.excValue.message); previous(args); });
 * ```
 */
export function getExcepthook(): Excepthook {
  return hook;
}

/** Runs the hook for `thread`'s `error` (Python's `_make_invoke_excepthook`). */
export function invokeExcepthook(thread: Thread | null, error: Error): void {
  const cls = (error as { constructor?: { name?: unknown } }).constructor?.name;
  const args: ExceptHookArgs = Object.freeze({
    excType: typeof cls === 'string' && cls !== '' ? cls : error.name,
    excValue: error,
    excTraceback: error.stack,
    thread,
  });
  const hookFailed = (hookError: unknown): void => {
    defaultExcepthook(args);
    process.stderr.write(`Exception in threading excepthook:\n${inspect(hookError)}\n`);
  };
  try {
    const returned = hook(args) as unknown;
    // An async hook: its rejection is reported the same way, not left unhandled.
    if (typeof (returned as PromiseLike<unknown> | undefined)?.then === 'function') {
      (returned as PromiseLike<unknown>).then(undefined, hookFailed);
    }
  } catch (hookError) {
    hookFailed(hookError);
  }
}
