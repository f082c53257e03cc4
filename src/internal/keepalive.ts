/**
 * Keeps the calling thread's event loop alive while it has async waits in
 * flight.
 *
 * `Atomics.waitAsync` does not hold a reference on the event loop
 * (nodejs/node#44729): a thread whose only pending work is an async wait on a
 * lock would simply exit, and a program awaiting `lock.acquire()` in its main
 * thread would end with the await unresolved. Every async wait therefore
 * holds this counted reference. One long interval timer per thread stands for
 * all of them: it is ref'd while the count is above zero and unref'd at zero,
 * which is cheaper than creating and clearing a timer per wait.
 */
let holders = 0;
let timer: ReturnType<typeof setInterval> | undefined;

// Longest delay setInterval accepts; the callback never does anything.
const FOREVER_MS = 2 ** 31 - 1;

export function holdEventLoop(): void {
  holders += 1;
  if (holders !== 1) return;
  timer ??= setInterval(noop, FOREVER_MS);
  timer.ref();
}

export function releaseEventLoop(): void {
  holders -= 1;
  if (holders === 0) timer?.unref();
}

function noop(): void {}
