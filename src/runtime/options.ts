/**
 * The options every wait takes, and their checks. Checks run before any
 * shared state is touched, so a bad argument never leaves a trace.
 */
import { checkTimeout } from '../internal/deadline.js';
import { invalidArg } from '../errors.js';

/** Options of an async wait. `timeout` in ms (undefined: forever, 0: do not wait); `signal` cancels the wait. */
export interface WaitOptions {
  timeout?: number;
  signal?: AbortSignal;
}

/** Options of a blocking (`…Sync`) wait, which cannot be cancelled from the blocked thread. */
export interface SyncWaitOptions {
  timeout?: number;
}

/** The options of a call that gave none: one shared frozen object, so the common call allocates nothing. */
const NONE: WaitOptions = Object.freeze({});

export function checkWaitOptions(options: WaitOptions | undefined): WaitOptions {
  if (options === undefined) return NONE;
  if (typeof options !== 'object' || options === null) {
    throw invalidArg(`options must be an object like { timeout, signal }, got ${options === null ? 'null' : typeof options}`, 'type');
  }
  checkTimeout(options.timeout);
  if (options.signal !== undefined && !(options.signal instanceof AbortSignal)) {
    throw invalidArg('signal must be an AbortSignal', 'type');
  }
  return options;
}

export function checkSyncWaitOptions(options: SyncWaitOptions | undefined): SyncWaitOptions {
  if (options === undefined) return NONE;
  if (typeof options !== 'object' || options === null) {
    throw invalidArg(`options must be an object like { timeout }, got ${options === null ? 'null' : typeof options}`, 'type');
  }
  checkTimeout(options.timeout);
  if ('signal' in options && (options as WaitOptions).signal !== undefined) {
    throw invalidArg('a blocking wait cannot take a signal: the thread that could abort it is the one blocked. Use the async form.', 'type');
  }
  return options;
}
