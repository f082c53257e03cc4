/**
 * What the runner knows in each thread: the calling thread's own `Thread`
 * object, the threads it started and has not seen end, and proxies for
 * threads started elsewhere. Kept on `globalThis` so that two copies of weft
 * in one thread agree on `currentThread()`.
 */
import type { MessagePort } from 'node:worker_threads';
import type { Thread } from './thread.js';

export interface RunnerState {
  /** This thread's own Thread object, once made. */
  self: Thread<unknown[]> | undefined;
  /** This thread's daemon flag: the default for the threads it starts. */
  daemon: boolean;
  /** Threads started by this thread that have not exited, by token. */
  readonly children: Map<number, Thread<unknown[]>>;
  /** Thread objects standing for threads started elsewhere, by token. */
  readonly proxies: Map<number, Thread<unknown[]>>;
  /** MessagePorts this thread was handed by its creator (`kPorts` in thread.ts). */
  ports: readonly MessagePort[];
}

const key = Symbol.for('weft.runner');
type GlobalWithRunner = typeof globalThis & { [key]?: RunnerState };

export function runnerState(): RunnerState {
  const g = globalThis as GlobalWithRunner;
  return (g[key] ??= { self: undefined, daemon: false, children: new Map(), proxies: new Map(), ports: [] });
}
