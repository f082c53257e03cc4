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
 * With an action (created with `hasAction`): the parties-th arrival is
 * answered `ACT` instead, and the barrier is Acting: the others stay
 * queued, new arrivals wait in `early` (they belong to the next round), and
 * the acting party runs the action in its own process, then sends
 * `actionDone(ok)`: ok trips the barrier (the others are answered 0..p-2,
 * `actionDone` itself p-1); not ok breaks it (the acting party throws the
 * action's error). While Acting, an abandoned wait (timed out, cancelled,
 * its caller gone) breaks the barrier instead of withdrawing — all have
 * arrived, the trip counts on it — and so does the death of the acting
 * party. Then `early` arrivals are taken in order, as new waits.
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
 * | `actor`   | Acting: the caller running the action        |
 * | `early`   | Acting: arrivals for the next round          |
 *
 * | state    | wait                                                        | abort / timedOut                  | reset                                | actionDone(ok)                     |
 * |----------|-------------------------------------------------------------|-----------------------------------|--------------------------------------|------------------------------------|
 * | Filling  | queued; the parties-th arrival trips: all answered 0..p-1 (with an action: it is answered ACT, → Acting) | → Broken; waiters BrokenBarrierError | waiters BrokenBarrierError; Filling | BrokenBarrierError |
 * | Acting   | into `early`                                                | → Broken (as Filling)             | as Filling                           | ok: trip, → Filling; else → Broken |
 * | Broken   | BrokenBarrierError                                          | —                                 | → Filling                            | BrokenBarrierError                 |
 *
 * ## Ops
 *
 * | op               | args | answer                                         |
 * |------------------|------|------------------------------------------------|
 * | `wait`           | —    | this party's index (waits)                     |
 * | `timedOut`       | —    | undefined: breaks the barrier (a wait timed out) |
 * | `actionDone`     | ok   | the acting party's index (ok), undefined (not ok); BrokenBarrierError if the round ended meanwhile |
 * | `abort`, `reset` | —    | undefined                                      |
 * | `statistics`     | —    | `{ parties, nWaiting, broken, waiting }`       |
 * | `waitForWaiters` | n    | the waiter count (arrivals held back while Acting too), once it is >= n |
 */
import { ErrorCode, invalidArg } from '../../errors.js';
import { registerHubKind, type Caller, type HubCall, type HubObject } from './call.js';
import { WaitQueue, Watchers } from './waiters.js';

const MAX_PARTIES = 2 ** 31 - 1;

/** The answer to the last arrival at a barrier with an action: run it, then send `actionDone`. */
import { ACT } from '../cores/barrier.js';
import type { OpName } from './ops.js';

export { ACT };

export class HubBarrier implements HubObject {
  readonly #parties: number;
  readonly #hasAction: boolean;
  #broken = false;
  // Invariant: arrived.size < parties (the parties-th arrival trips at once, or starts the action),
  // broken ⇒ arrived is empty, and actor === undefined ⇒ early is empty.
  readonly #arrived = new WaitQueue<HubCall>();
  readonly #watchers = new Watchers();
  #actor: Caller | undefined;
  readonly #early = new WaitQueue<HubCall>();

  constructor(parties: number, hasAction: boolean) {
    this.#parties = parties;
    this.#hasAction = hasAction;
  }

  call(op: OpName<'multiprocessing.Barrier'>, call: HubCall): void {
    switch (op) {
      case 'wait': return this.#wait(call);
      case 'timedOut':
        this.#break();
        return call.reply();
      case 'abort':
        this.#break();
        return call.reply();
      case 'reset': return this.#reset(call);
      case 'actionDone': return this.#actionDone(call);
      case 'statistics': return call.reply(this.#statistics());
      case 'waitForWaiters': return this.#watchers.watch(call, this.#arrived.size + this.#early.size);
      default: return call.fail(ErrorCode.InvalidArg, `hub: a Barrier has no op '${op}'`);
    }
  }

  #wait(call: HubCall): void {
    if (this.#actor !== undefined) {
      // The action of this round runs: the arrival counts for the next one.
      this.#early.push(call);
      call.whenAbandoned(() => this.#early.remove(call));
      this.#watchers.changed(this.#arrived.size + this.#early.size);
      return;
    }
    if (this.#broken) return call.raise('BrokenBarrierError', 'sync: the barrier is broken');
    if (this.#arrived.size + 1 === this.#parties) {
      if (!this.#hasAction) {
        this.#arrived.push(call);
        return this.#trip(undefined);
      }
      this.#actor = { client: call.client, thread: call.thread };
      return call.reply(ACT);
    }
    this.#arrived.push(call);
    call.whenAbandoned(() => {
      this.#arrived.remove(call);
      // All have arrived and the action runs: the trip counts on this party, so its leaving breaks the barrier.
      if (this.#actor !== undefined) this.#break();
    });
    this.#watchers.changed(this.#arrived.size + this.#early.size);
  }

  /** Answers every party its arrival index (the acting party's call, if any, the last); the barrier is empty again. */
  #trip(actor: HubCall | undefined): void {
    let index = 0;
    for (const party of this.#arrived.drain()) party.reply(index++);
    actor?.reply(index);
    this.#endAct();
  }

  #actionDone(call: HubCall): void {
    const actor = this.#actor;
    if (actor === undefined || actor.client !== call.client || actor.thread !== call.thread) {
      return call.raise('BrokenBarrierError', 'sync: the barrier was broken or reset while its action ran');
    }
    if (call.args[0] === true) return this.#trip(call);
    this.#break();
    call.reply();
  }

  #break(): void {
    this.#broken = true;
    for (const party of this.#arrived.drain()) party.raise('BrokenBarrierError', 'sync: the barrier was broken while this party waited');
    this.#endAct();
  }

  #reset(call: HubCall): void {
    this.#broken = false;
    for (const party of this.#arrived.drain()) party.raise('BrokenBarrierError', 'sync: the barrier was reset while this party waited');
    this.#endAct();
    call.reply();
  }

  /** The round's action is over (or abandoned): arrivals held back meanwhile arrive now, in order. */
  #endAct(): void {
    if (this.#actor === undefined) return;
    this.#actor = undefined;
    for (const call of this.#early.drain()) this.#wait(call);
  }

  #statistics(): { parties: number; nWaiting: number; broken: boolean; waiting: number } {
    const n = this.#arrived.size;
    return { parties: this.#parties, nWaiting: n, broken: this.#broken, waiting: n + this.#early.size };
  }

  callerGone(client: number, thread: number | undefined): void {
    // A gone caller's wait is abandoned by the core (see #wait). The acting party gone: nobody will finish the round.
    const actor = this.#actor;
    if (actor !== undefined && actor.client === client && (thread === undefined || thread === actor.thread)) this.#break();
  }
}

registerHubKind('multiprocessing.Barrier', (args) => {
  const parties = args[0];
  if (typeof parties !== 'number' || !Number.isInteger(parties) || parties < 1 || parties > MAX_PARTIES) {
    throw invalidArg(`sync: a Barrier needs a whole number of parties >= 1, got ${String(parties)}`);
  }
  return new HubBarrier(parties, args[1] === true);
});
