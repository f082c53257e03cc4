/**
 * The hub's state machine of a process-scope `Event` (`multiprocessing.Event`):
 * a flag every thread of every process in the tree can wait for.
 *
 * Guarantees: `set()` answers every waiter true at once, so a waiter woken by
 * `set()` returns true even if `clear()` follows before it runs (gh-57711);
 * an abandoned waiter leaves no trace.
 *
 * ## State
 *
 * | field   | meaning                          |
 * |---------|----------------------------------|
 * | `flag`  | raised by `set`, lowered by `clear` |
 * | `queue` | kept `wait` calls                |
 *
 * Invariant: `flag` ⇒ `queue` is empty.
 *
 * | state | wait              | set                          | clear     |
 * |-------|-------------------|------------------------------|-----------|
 * | Unset | queued            | → Set; every waiter → true   | —         |
 * | Set   | true, at once     | —                            | → Unset   |
 *
 * ## Ops
 *
 * | op               | args | answer                           |
 * |------------------|------|----------------------------------|
 * | `wait`           | —    | true (waits)                     |
 * | `set`, `clear`   | —    | undefined                        |
 * | `isSet`          | —    | boolean                          |
 * | `statistics`     | —    | `{ set, waiting }`               |
 * | `waitForWaiters` | n    | the waiter count, once it is >= n |
 */
import { ErrorCode } from '../../errors.js';
import { registerHubKind, type HubCall, type HubObject } from './call.js';
import { WaitQueue, Watchers } from './waiters.js';
import type { OpName } from './ops.js';

export class HubEvent implements HubObject {
  #flag = false;
  readonly #queue = new WaitQueue<HubCall>();
  readonly #watchers = new Watchers();

  call(op: OpName<'multiprocessing.Event'>, call: HubCall): void {
    switch (op) {
      case 'wait': return this.#wait(call);
      case 'set': return this.#set(call);
      case 'clear':
        this.#flag = false;
        return call.reply();
      case 'isSet': return call.reply(this.#flag);
      case 'statistics': return call.reply({ set: this.#flag, waiting: this.#queue.size });
      case 'waitForWaiters': return this.#watchers.watch(call, this.#queue.size);
      default: return call.fail(ErrorCode.InvalidArg, `hub: an Event has no op '${op}'`);
    }
  }

  #wait(call: HubCall): void {
    if (this.#flag) return call.reply(true);
    this.#queue.push(call);
    call.whenAbandoned(() => this.#queue.remove(call));
    this.#watchers.changed(this.#queue.size);
  }

  #set(call: HubCall): void {
    this.#flag = true;
    for (const waiter of this.#queue.drain()) waiter.reply(true);
    call.reply();
  }

  callerGone(): void {
    // Nothing is held; the gone caller's waits are abandoned by the core.
  }
}

registerHubKind('multiprocessing.Event', () => new HubEvent());
