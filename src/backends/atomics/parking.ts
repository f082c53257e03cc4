/**
 * Parking: putting the calling thread or async call to sleep on its wait
 * cell until the cell is granted, the deadline passes, or the signal aborts.
 *
 * Each slow path of a primitive is written once, as a generator that yields a
 * `Park` request whenever it must sleep and receives what ended the sleep.
 * `runSync` drives it with `Atomics.wait` (the `…Sync` forms, which block the
 * thread); `runAsync` drives it with `Atomics.waitAsync` (the async forms,
 * which never block the event loop). So the sync and async forms of every
 * wait share one algorithm, and the algorithm decides — holding its queue's
 * lock — what a timeout or an abort undoes.
 *
 * A generator that undid its call because of an abort returns `ABORTED`;
 * `runAsync` then rejects with `signal.reason`.
 *
 * Wake-ups are not proof of a grant: a thread death wakes every lock waiter
 * (so it can check its lock's holder), and the algorithm re-checks under its
 * queue lock after every `'woken'`.
 */
import { Cell, CellState } from './arena.js';
import { runtime } from './runtime.js';
import type { Deadline } from '../../internal/deadline.js';
import { holdEventLoop, releaseEventLoop } from '../../internal/keepalive.js';

export interface Park {
  readonly cell: number;
  readonly deadline: Deadline;
}

export type ParkResult = 'woken' | 'timed-out' | 'aborted';

export const ABORTED: unique symbol = Symbol('aborted');

export type Steps<T> = Generator<Park, T | typeof ABORTED, ParkResult>;

export function runSync<T>(steps: Steps<T>): T {
  let step = steps.next();
  while (!step.done) step = steps.next(parkSync(step.value));
  if (step.value === ABORTED) throw new Error('weft internal error: a blocking wait reported an abort');
  return step.value;
}

export async function runAsync<T>(steps: Steps<T>, signal?: AbortSignal): Promise<T> {
  holdEventLoop();
  try {
    let step = steps.next();
    while (!step.done) {
      const parked = parkAsync(step.value, signal);
      step = steps.next(typeof parked === 'string' ? parked : await parked);
    }
    if (step.value === ABORTED) throw signal!.reason;
    return step.value;
  } finally {
    releaseEventLoop();
  }
}

function parkSync(park: Park): ParkResult {
  const remaining = park.deadline.remaining();
  if (remaining === 0) return 'timed-out';
  const { arena } = runtime();
  const outcome = Atomics.wait(arena.words, arena.cellWord(park.cell, Cell.State), CellState.Waiting, remaining);
  return outcome === 'timed-out' ? 'timed-out' : 'woken';
}

function parkAsync(park: Park, signal: AbortSignal | undefined): ParkResult | Promise<ParkResult> {
  if (signal?.aborted) return 'aborted';
  const remaining = park.deadline.remaining();
  if (remaining === 0) return 'timed-out';
  const { arena } = runtime();
  const words = arena.words;
  const index = arena.cellWord(park.cell, Cell.State);
  const wait = Atomics.waitAsync(words, index, CellState.Waiting, remaining);
  if (!wait.async) return wait.value === 'timed-out' ? 'timed-out' : 'woken';
  if (signal === undefined) return wait.value.then(toParkResult);
  return new Promise<ParkResult>((resolve) => {
    const onAbort = (): void => {
      // Wake our own pending waitAsync so that nothing stays registered on
      // the cell after it is reused by another waiter.
      Atomics.notify(words, index);
      resolve('aborted');
    };
    signal.addEventListener('abort', onAbort, { once: true });
    wait.value.then((outcome) => {
      signal.removeEventListener('abort', onAbort);
      resolve(toParkResult(outcome));
    });
  });
}

function toParkResult(outcome: 'ok' | 'timed-out'): ParkResult {
  return outcome === 'timed-out' ? 'timed-out' : 'woken';
}
