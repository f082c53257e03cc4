/**
 * Waiting for something to end, as `join()` does for a Thread or a Process:
 * until a promise settles, a deadline passes, or a signal aborts. The event
 * loop is held meanwhile, so that a program awaiting `join()` of something
 * that does not itself keep the loop alive (a daemon) does not simply exit.
 */
import type { Deadline } from '../internal/deadline.js';
import { holdEventLoop, releaseEventLoop } from '../internal/keepalive.js';

/** Resolves true when `done` settles, false at the deadline; rejects with `signal.reason` on abort. */
export async function waitFor(done: Promise<void>, deadline: Deadline, signal: AbortSignal | undefined): Promise<boolean> {
  if (deadline.remaining() === 0) return false;
  holdEventLoop();
  let timer: ReturnType<typeof setTimeout> | undefined;
  let onAbort: (() => void) | undefined;
  try {
    const racers: Promise<boolean>[] = [done.then(() => true)];
    if (!deadline.infinite) racers.push(new Promise((resolve) => (timer = setTimeout(resolve, deadline.remaining(), false))));
    if (signal !== undefined) {
      racers.push(new Promise((_, reject) => {
        onAbort = () => reject(signal.reason);
        signal.addEventListener('abort', onAbort, { once: true });
      }));
    }
    return await Promise.race(racers);
  } finally {
    if (timer !== undefined) clearTimeout(timer);
    if (onAbort !== undefined) signal?.removeEventListener('abort', onAbort);
    releaseEventLoop();
  }
}
