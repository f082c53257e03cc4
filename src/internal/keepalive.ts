/**
 * Keeps the calling thread's event loop alive while it has async waits in
 * flight.
 *
 * `Atomics.waitAsync` does not hold a reference on the event loop
 * (nodejs/node#44729): a thread whose only pending work is an async wait on a
 * lock would simply exit, and a program awaiting `lock.acquire()` in its main
 * thread would end with the await unresolved. Every async wait therefore
 * holds this counted reference, which keeps one long interval timer ref'd
 * while the count is above zero. One timer per thread, whatever the number of
 * waits.
 */
let holders = 0;
let timer: ReturnType<typeof setInterval> | undefined;

// Longest delay setInterval accepts; the callback never does anything.
const FOREVER_MS = 2 ** 31 - 1;

export function holdEventLoop(): void {
  holders += 1;
  if (holders === 1) timer = setInterval(noop, FOREVER_MS);
}

export function releaseEventLoop(): void {
  holders -= 1;
  if (holders === 0 && timer !== undefined) {
    clearInterval(timer);
    timer = undefined;
  }
}

function noop(): void {}
