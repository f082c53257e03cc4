/**
 * Checks of the options pools and executors take, before anything starts.
 * Python raises ValueError for a bad size; weft's code is ERR_INVALID_ARG.
 */
import { availableParallelism } from 'node:os';
import { checkTimeout } from '../internal/deadline.js';
import { invalidArg } from '../errors.js';
import { checkWaitOptions } from '../runtime/options.js';

/** Per-task options of `apply`, `map`, `imap`… and the executors' `submitWith`. */
export interface TaskOptions {
  /** Milliseconds the task may run, counted from when a worker starts it (not from submit). */
  timeout?: number;
  /** Aborting drops the task if it has not started, or fires its `taskSignal()` if it has. */
  signal?: AbortSignal;
}

export function checkPositiveInteger(value: unknown, name: string, api: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw invalidArg(`${api}: ${name} must be a positive integer, got ${String(value)}`, typeof value === 'number' ? 'range' : 'type');
  }
  return value;
}

function checkInitializer(initializer: unknown, initargs: unknown, api: string): { initializer: Function | undefined; initargs: unknown[] } {
  if (initializer !== undefined && typeof initializer !== 'function') {
    throw invalidArg(`${api}: initializer must be a function exported from a module, got ${typeof initializer}`, 'type');
  }
  if (initargs !== undefined && !Array.isArray(initargs)) throw invalidArg(`${api}: initargs must be an array`, 'type');
  return { initializer: initializer as Function | undefined, initargs: (initargs as unknown[] | undefined) ?? [] };
}

const NO_TASK_OPTIONS: TaskOptions = Object.freeze({});

export function checkTaskOptions(options: TaskOptions | undefined, api: string): TaskOptions {
  if (options === undefined) return NO_TASK_OPTIONS;
  if (typeof options !== 'object' || options === null) throw invalidArg(`${api}: options must be an object`, 'type');
  checkWaitOptions({ timeout: options.timeout, signal: options.signal });
  return options;
}

function checkGracePeriod(value: unknown, api: string): number {
  checkTimeout(value, `${api}: gracePeriod`);
  return (value as number | undefined) ?? DEFAULT_GRACE_PERIOD_MS;
}

/** How long an aborted task may take to stop before its worker is replaced. */
export const DEFAULT_GRACE_PERIOD_MS = 1000;

/** What pools and executors share: their options, checked, with `sizeName`'s default filled in. */
export interface CheckedPoolOptions {
  readonly size: number;
  readonly initializer: Function | undefined;
  readonly initargs: unknown[];
  readonly maxTasksPerChild: number | undefined;
  readonly gracePeriod: number;
}

export function checkPoolOptions(
  options: { initializer?: Function; initargs?: unknown[]; maxTasksPerChild?: number; gracePeriod?: number } | undefined,
  sizeName: 'processes' | 'maxWorkers',
  defaultSize: number,
  api: string,
): CheckedPoolOptions {
  if (options !== undefined && (typeof options !== 'object' || options === null)) throw invalidArg(`${api}: options must be an object`, 'type');
  const size = checkPositiveInteger((options as Record<string, unknown> | undefined)?.[sizeName], sizeName, api) ?? defaultSize;
  const { initializer, initargs } = checkInitializer(options?.initializer, options?.initargs, api);
  const maxTasksPerChild = checkPositiveInteger(options?.maxTasksPerChild, 'maxTasksPerChild', api);
  const gracePeriod = checkGracePeriod(options?.gracePeriod, api);
  return { size, initializer, initargs, maxTasksPerChild, gracePeriod };
}

export function cpus(): number {
  return availableParallelism();
}
