/**
 * The hub's state machine of a process-scope `Semaphore` and
 * `BoundedSemaphore` (`multiprocessing.Semaphore` / `BoundedSemaphore`): a
 * counter of permits shared by every thread of every process in the tree.
 *
 * Guarantees: waiters are served in arrival order, and a release hands its
 * permits straight to them (nobody barges past a waiter); `release(n)` wakes
 * up to n waiters; a BoundedSemaphore refuses a release above its initial
 * value and changes nothing. Semaphores have no owner: a process that ends
 * holding permits keeps them, as in Python. An abandoned waiter leaves no trace.
 *
 * ## State
 *
 * | field     | meaning                                                      |
 * |-----------|--------------------------------------------------------------|
 * | `value`   | permits free now                                             |
 * | `initial` | the constructor's value: a BoundedSemaphore's bound          |
 * | `queue`   | kept `acquire` calls, FIFO                                   |
 *
 * Invariant: `value > 0` ⇒ `queue` is empty (a release serves waiters first).
 *
 * | state    | condition            | acquire              | release(n)                                        |
 * |----------|----------------------|----------------------|---------------------------------------------------|
 * | Open     | value > 0            | value-1, at once     | value+n (bounded: over the bound → error)         |
 * | Empty    | value 0, no queue    | queued → Waited      | value+n                                           |
 * | Waited   | value 0, queue       | queued               | the first min(n, queue) waiters get a permit; the rest adds to value |
 *
 * ## Ops
 *
 * | op               | args | answer                                                     |
 * |------------------|------|------------------------------------------------------------|
 * | `acquire`        | —    | true (waits; FIFO)                                         |
 * | `release`        | n    | `'released'`, or `'over-bound'` / `'overflow'` (nothing changed) |
 * | `statistics`     | —    | `{ value, initial, waiting }`                              |
 * | `waitForWaiters` | n    | the waiter count, once it is >= n                          |
 */
import { MAX_SEMAPHORE_VALUE } from '../atomics/semaphore.js';
import { ErrorCode, invalidArg } from '../../errors.js';
import { registerHubKind, type HubCall, type HubObject } from './call.js';
import { WaitQueue, Watchers } from './waiters.js';
import type { OpName } from './ops.js';

export class HubSemaphore implements HubObject {
  #value: number;
  readonly #initial: number;
  readonly #bounded: boolean;
  readonly #queue = new WaitQueue<HubCall>();
  readonly #watchers = new Watchers();

  constructor(initial: number, bounded: boolean) {
    this.#value = initial;
    this.#initial = initial;
    this.#bounded = bounded;
  }

  call(op: OpName<'multiprocessing.Semaphore'>, call: HubCall): void {
    switch (op) {
      case 'acquire': return this.#acquire(call);
      case 'release': return this.#release(call);
      case 'statistics': return call.reply({ value: this.#value, initial: this.#initial, waiting: this.#queue.size });
      case 'waitForWaiters': return this.#watchers.watch(call, this.#queue.size);
      default: return call.fail(ErrorCode.InvalidArg, `hub: a Semaphore has no op '${op}'`);
    }
  }

  #acquire(call: HubCall): void {
    if (this.#value > 0) {
      this.#value -= 1;
      call.reply(true);
      return;
    }
    this.#queue.push(call);
    call.whenAbandoned(() => this.#queue.remove(call));
    this.#watchers.changed(this.#queue.size);
  }

  #release(call: HubCall): void {
    const n = call.args[0] ?? 1;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 1) {
      return call.fail(ErrorCode.InvalidArg, `sync: release(n) needs a whole number n >= 1, got ${String(n)}`);
    }
    // A refused release changes nothing and answers why; the public class (`sync/semaphore.ts`) throws.
    if (this.#bounded && this.#value + n > this.#initial) return call.reply('over-bound');
    if (this.#value + n > MAX_SEMAPHORE_VALUE) return call.reply('overflow');
    let left = n;
    while (left > 0) {
      const waiter = this.#queue.shift();
      if (waiter === undefined) break;
      waiter.reply(true);
      left -= 1;
    }
    this.#value += left;
    call.reply('released');
  }

  callerGone(): void {
    // No owner: permits taken by a caller that ended stay taken, as in Python.
    // Its waiting calls are abandoned by the core, which runs their cleanup.
  }
}

function create(bounded: boolean) {
  return (args: readonly unknown[]): HubObject => {
    const initial = args[0] ?? 1;
    if (typeof initial !== 'number' || !Number.isInteger(initial) || initial < 0 || initial > MAX_SEMAPHORE_VALUE) {
      throw invalidArg(`sync: a semaphore's initial value must be an integer from 0 to ${MAX_SEMAPHORE_VALUE}, got ${String(initial)}`);
    }
    return new HubSemaphore(initial, bounded);
  };
}

registerHubKind('multiprocessing.Semaphore', create(false));
registerHubKind('multiprocessing.BoundedSemaphore', create(true));
