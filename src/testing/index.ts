/**
 * `weft/testing`: helpers for testing concurrent code without sleeping and
 * hoping.
 *
 * - `waitForWaiters(primitive, n)` resolves once `n` calls are waiting on a
 *   Lock, RLock, Semaphore, Event, Condition or Barrier — the moment to
 *   release, notify or set in a test (Trio's `wait_all_tasks_blocked`, made
 *   exact). It sleeps on the primitive's own waiter count; no polling. For a
 *   Condition, a sleeper counts once it has released the condition's lock.
 *   A process-scope primitive (weft/multiprocessing) is asked in the hub,
 *   which answers the moment the count reaches `n`.
 * - `Sequencer` puts steps running in different threads in a fixed order.
 * - `hubStatistics()` counts the process-scope objects the hub holds, to
 *   check that a program frees what it no longer uses.
 */
import { kHandle, registerHandleKind, type Handle, type Shareable } from '../codec/handles.js';
import { Deadline } from '../internal/deadline.js';
import { holdEventLoop, releaseEventLoop } from '../internal/keepalive.js';
import { TimeoutError, invalidArg } from '../errors.js';
import { kAttach, kWaitingWord } from '../sync/lock-protocol.js';
import { attach, Attached } from '../sync/attach.js';
import { checkSyncWaitOptions, checkWaitOptions, type SyncWaitOptions, type WaitOptions } from '../runtime/options.js';
import { hubCall, hubCallSync, hubCensus, TIMED_OUT } from '../backends/hub/client.js';
import { isHubBacked, kHubId, type HubBacked } from '../backends/hub/hub-object.js';
import type { HubId, WaitableKind } from '../backends/hub/ops.js';

/** Any weft primitive that can make callers wait: thread scope (a waiter word) or process scope (in the hub). */
export type Waitable = { readonly [kWaitingWord]: [Int32Array, number] } | HubBacked;

/**
 * Resolves once at least `n` calls wait on `primitive`. Rejects with
 * `TimeoutError` after `timeout` ms.
 *
 * @example
 * ```ts
 * const t = new Thread({ target: takesLock, args: [lock] });
 * t.start();
 * await waitForWaiters(lock, 1); // the thread is now blocked on the lock
 * lock.release();
 * ```
 */
export async function waitForWaiters(primitive: Waitable, n: number, options?: WaitOptions): Promise<void> {
  checkCount(n);
  const { timeout, signal } = checkWaitOptions(options);
  if (isHubBacked(primitive)) {
    const answer = await hubCall(waitableId(primitive), 'waitForWaiters', [n], { timeout, signal });
    if (answer === TIMED_OUT) throw new TimeoutError(`testing: ${n} waiter(s) expected, fewer waiting after ${timeout} ms`);
    return;
  }
  const [words, index] = primitive[kWaitingWord];
  const deadline = Deadline.after(timeout);
  holdEventLoop();
  try {
    for (;;) {
      signal?.throwIfAborted();
      const seen = Atomics.load(words, index);
      if (seen >= n) return;
      const remaining = deadline.remaining();
      if (remaining === 0) throw new TimeoutError(`testing: ${n} waiter(s) expected, ${seen} waiting after ${timeout} ms`);
      // Slices let an abort be noticed while nothing changes.
      const wait = Atomics.waitAsync(words, index, seen, Math.min(remaining, 50));
      if (wait.async) await wait.value;
    }
  } finally {
    releaseEventLoop();
  }
}

/**
 * As `waitForWaiters`, blocking the calling thread.
 *
 * @example
 * ```ts
 * new Thread({ target: takesLock, args: [lock] }).start();
 * waitForWaitersSync(lock, 1, { timeout: 5000 }); // the thread is now blocked on the lock
 * lock.release();
 * ```
 */
export function waitForWaitersSync(primitive: Waitable, n: number, options?: SyncWaitOptions): void {
  checkCount(n);
  const { timeout } = checkSyncWaitOptions(options);
  if (isHubBacked(primitive)) {
    const answer = hubCallSync(waitableId(primitive), 'waitForWaiters', [n], timeout);
    if (answer === TIMED_OUT) throw new TimeoutError(`testing: ${n} waiter(s) expected, fewer waiting after ${timeout} ms`);
    return;
  }
  const [words, index] = primitive[kWaitingWord];
  const deadline = Deadline.after(timeout);
  for (;;) {
    const seen = Atomics.load(words, index);
    if (seen >= n) return;
    const remaining = deadline.remaining();
    if (remaining === 0) throw new TimeoutError(`testing: ${n} waiter(s) expected, ${seen} waiting after ${timeout} ms`);
    Atomics.wait(words, index, seen, remaining);
  }
}

/** What the hub of this process tree holds now (`hubStatistics()`). */
export interface HubStatistics {
  /** Process-scope objects alive in the hub. */
  readonly objects: number;
  /** References held by wrappers, in every thread of every process. */
  readonly references: number;
  /** Handles on their way to a thread or process that has not attached them yet. */
  readonly ticketsInFlight: number;
  /** Bytes of the hub thread's JavaScript heap in use. */
  readonly heapUsed: number;
}

/**
 * Asks the hub of this process tree what it holds: how many process-scope
 * objects, how many references to them. An object leaves the hub once no
 * wrapper in any thread or process, and no handle on its way, names it.
 * Starts the hub if it is not running. With `collectGarbage: true`, and a
 * process started with `node --expose-gc`, the hub's thread collects its
 * garbage first, so `heapUsed` counts only what is alive.
 *
 * @example
 * ```ts
 * const before = (await hubStatistics()).objects;
 * await serveRequests(); // makes and drops a Queue per request
 * globalThis.gc?.();     // with node --expose-gc
 * console.log((await hubStatistics()).objects - before); // 0 once the wrappers are collected
 * ```
 */
export async function hubStatistics(options?: { collectGarbage?: boolean }): Promise<HubStatistics> {
  const { objects, references, ticketsInFlight, heapUsed } = await hubCensus(options?.collectGarbage === true);
  return Object.freeze({ objects, references, ticketsInFlight, heapUsed });
}

/** A process-scope primitive's id, as a kind that answers `waitForWaiters` (the hub fails the call with ERR_INVALID_ARG for one that does not). */
function waitableId(primitive: HubBacked): HubId<WaitableKind> {
  return primitive[kHubId] as HubId<WaitableKind>;
}

function checkCount(n: number): void {
  if (!Number.isInteger(n) || n < 0) throw invalidArg(`testing: the waiter count must be a whole number >= 0, got ${String(n)}`);
}

/**
 * Orders steps across threads: `step(k)` waits until steps 0…k-1 have been
 * taken, then takes step k. Shareable with threads like any weft object.
 *
 * @example
 * ```ts
 * // thread A:                     // thread B:
 * first();                         await seq.step(1); // after A's step 0
 * await seq.step(0);               second();
 * ```
 */
export class Sequencer implements Shareable {
  readonly #turn: Int32Array;

  constructor();
  constructor(attached?: Attached<SharedArrayBuffer>) {
    this.#turn = new Int32Array(attached instanceof Attached ? attached.core : new SharedArrayBuffer(4));
  }

  /** The next step to be taken. */
  get next(): number {
    return Atomics.load(this.#turn, 0);
  }

  /** Waits for steps 0…k-1, then takes step k. Rejects with TimeoutError after `timeout` ms. */
  async step(k: number, options?: WaitOptions): Promise<void> {
    checkCount(k);
    const { timeout, signal } = checkWaitOptions(options);
    const deadline = Deadline.after(timeout);
    holdEventLoop();
    try {
      for (;;) {
        signal?.throwIfAborted();
        const turn = Atomics.load(this.#turn, 0);
        if (turn === k) return this.#advance(k);
        if (turn > k) throw invalidArg(`testing: step ${k} was already taken`);
        const remaining = deadline.remaining();
        if (remaining === 0) throw new TimeoutError(`testing: step ${k} still waits for step ${turn} after ${timeout} ms`);
        const wait = Atomics.waitAsync(this.#turn, 0, turn, Math.min(remaining, 50));
        if (wait.async) await wait.value;
      }
    } finally {
      releaseEventLoop();
    }
  }

  /** As `step`, blocking the calling thread. */
  stepSync(k: number, options?: SyncWaitOptions): void {
    checkCount(k);
    const { timeout } = checkSyncWaitOptions(options);
    const deadline = Deadline.after(timeout);
    for (;;) {
      const turn = Atomics.load(this.#turn, 0);
      if (turn === k) return this.#advance(k);
      if (turn > k) throw invalidArg(`testing: step ${k} was already taken`);
      const remaining = deadline.remaining();
      if (remaining === 0) throw new TimeoutError(`testing: step ${k} still waits for step ${turn} after ${timeout} ms`);
      Atomics.wait(this.#turn, 0, turn, remaining);
    }
  }

  #advance(k: number): void {
    Atomics.store(this.#turn, 0, k + 1);
    Atomics.notify(this.#turn, 0);
  }

  [kHandle](): Handle {
    return { kind: 'testing.Sequencer', scope: 'thread', data: this.#turn.buffer };
  }

  static [kAttach](buffer: SharedArrayBuffer): Sequencer {
    return attach(this, buffer);
  }
}

registerHandleKind<SharedArrayBuffer>('testing.Sequencer', (buffer) => Sequencer[kAttach](buffer));
