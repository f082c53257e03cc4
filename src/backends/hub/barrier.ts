/**
 * The hub's state machine of a process-scope `Barrier`
 * (`multiprocessing.Barrier`): a meeting point for `parties` callers
 * anywhere in the tree.
 *
 * Guarantees: when the last party arrives, every party is answered at once
 * with its index in arrival order (0 first, parties-1 for the last), and the
 * barrier is ready for the next round — in the hub a trip is one step, so
 * CPython's Draining state (released parties still leaving) does not exist
 * here. `abort()` and a timed-out wait break it: current and later waits get
 * `BrokenBarrierError` until `reset()`. `reset()` answers the current waiters
 * `BrokenBarrierError` and leaves it empty. An abandoned wait (cancelled, or
 * its caller gone) withdraws its party as if it had never arrived.
 *
 * Timeouts: the core answers a timed-out wait `TIMED_OUT` and withdraws it
 * like any abandoned call; the caller then sends `timedOut`, which breaks the
 * barrier, as Python's timed-out waiter does. (The core's answer does not say
 * why a call was abandoned, so the break is the caller's second message.)
 *
 * ## State
 *
 * | field     | meaning                                      |
 * |-----------|----------------------------------------------|
 * | `parties` | how many arrivals trip the barrier           |
 * | `broken`  | aborted or timed out, until `reset()`        |
 * | `arrived` | the parties waiting this round, in order     |
 *
 * | state    | wait                                                        | abort / timedOut                  | reset                                |
 * |----------|-------------------------------------------------------------|-----------------------------------|--------------------------------------|
 * | Filling  | queued; the parties-th arrival trips: all answered 0..p-1   | → Broken; waiters BrokenBarrierError | waiters BrokenBarrierError; Filling |
 * | Broken   | BrokenBarrierError                                          | —                                 | → Filling                            |
 *
 * ## Ops
 *
 * | op               | args | answer                                         |
 * |------------------|------|------------------------------------------------|
 * | `wait`           | —    | this party's index (waits)                     |
 * | `timedOut`       | —    | undefined: breaks the barrier (a wait timed out) |
 * | `abort`, `reset` | —    | undefined                                      |
 * | `statistics`     | —    | `{ parties, nWaiting, broken, waiting }`       |
 * | `waitForWaiters` | n    | the waiter count, once it is >= n              |
 */
import { ErrorCode, invalidArg } from '../../errors.js';
import { registerHubKind, type HubCall, type HubObject } from './call.js';
import { WaitQueue, Watchers } from './waiters.js';

const MAX_PARTIES = 2 ** 31 - 1;

export class HubBarrier implements HubObject {
  readonly #parties: number;
  #broken = false;
  // Invariant: arrived.size < parties (the parties-th arrival trips at once), and broken ⇒ arrived is empty.
  readonly #arrived = new WaitQueue<HubCall>();
  readonly #watchers = new Watchers();

  constructor(parties: number) {
    this.#parties = parties;
  }

  call(op: string, call: HubCall): void {
    switch (op) {
      case 'wait': return this.#wait(call);
      case 'timedOut':
        this.#break();
        return call.reply();
      case 'abort':
        this.#break();
        return call.reply();
      case 'reset': return this.#reset(call);
      case 'statistics': return call.reply(this.#statistics());
      case 'waitForWaiters': return this.#watchers.watch(call, this.#arrived.size);
      default: return call.fail(ErrorCode.InvalidArg, `hub: a Barrier has no op '${op}'`);
    }
  }

  #wait(call: HubCall): void {
    if (this.#broken) return call.raise('BrokenBarrierError', 'sync: the barrier is broken');
    this.#arrived.push(call);
    if (this.#arrived.size === this.#parties) return this.#trip();
    call.whenAbandoned(() => this.#arrived.remove(call));
    this.#watchers.changed(this.#arrived.size);
  }

  /** Answers every party its arrival index; the barrier is empty again. */
  #trip(): void {
    let index = 0;
    for (const party of this.#arrived.drain()) party.reply(index++);
  }

  #break(): void {
    this.#broken = true;
    for (const party of this.#arrived.drain()) party.raise('BrokenBarrierError', 'sync: the barrier was broken while this party waited');
  }

  #reset(call: HubCall): void {
    this.#broken = false;
    for (const party of this.#arrived.drain()) party.raise('BrokenBarrierError', 'sync: the barrier was reset while this party waited');
    call.reply();
  }

  #statistics(): { parties: number; nWaiting: number; broken: boolean; waiting: number } {
    const n = this.#arrived.size;
    return { parties: this.#parties, nWaiting: n, broken: this.#broken, waiting: n };
  }

  callerGone(): void {
    // A gone caller's wait is abandoned by the core, which withdraws its party.
  }
}

registerHubKind('multiprocessing.Barrier', (args) => {
  const parties = args[0];
  if (typeof parties !== 'number' || !Number.isInteger(parties) || parties < 1 || parties > MAX_PARTIES) {
    throw invalidArg(`sync: a Barrier needs a whole number of parties >= 1, got ${String(parties)}`);
  }
  return new HubBarrier(parties);
});
