/**
 * `Event` of the machine scope: a named flag shared by every connection of
 * a namespace — the other scopes' API, every call async. Server side:
 * event-lua.ts. `set()` wakes every waiter through its connection's wake
 * list (no polling); a wait that times out leaves the queue.
 */
import { checkWaitOptions, type WaitOptions } from '../../runtime/options.js';
import { checkName, objectId } from './keys.js';
import type { RedisObjectOptions } from './lock.js';
import type { RedisScope } from './scope.js';
import { checkScope } from './scope-option.js';
import { EVENT_CLEAR, EVENT_SET, EVENT_STATE, EVENT_WAIT, EVENT_WITHDRAW } from './event-lua.js';
import type { WaitSteps } from './waits.js';

export interface RedisEventStatistics {
  readonly set: boolean;
  /** Waits queued for the next `set()`. */
  readonly waiting: number;
}

const WOKEN = { fence: '0', died: false, wanted: false };

/**
 * A flag that processes on any machine wait for: Python's `Event`, named.
 *
 * @example
 * ```ts
 * import { connect, Event } from 'weft/redis';
 * const redis = await connect({ namespace: 'shop' });
 * const open = new Event('doors-open', { redis });
 * await open.wait();        // on every till, until…
 * await open.set();         // …the manager's process says so
 * ```
 */
export class Event {
  /** The event's name in its namespace. */
  readonly name: string;
  readonly #scope: RedisScope;
  readonly #oid: string;
  readonly #steps: WaitSteps;

  constructor(name: string, options: RedisObjectOptions) {
    this.name = checkName(name, 'an event name');
    this.#scope = checkScope(options);
    this.#oid = objectId('event', name);
    const id = this.#scope.id;
    this.#steps = {
      enqueue: async (seq) => ((await this.#scope.run<number>(EVENT_WAIT, this.#oid, [id, seq])) === 1 ? WOKEN : 'queued'),
      withdraw: async (seq) => ((await this.#scope.run<number>(EVENT_WITHDRAW, this.#oid, [id, seq])) === 1 ? WOKEN : undefined),
    };
  }

  /** True while the flag is set. */
  async isSet(): Promise<boolean> {
    return (await this.statistics()).set;
  }

  /** Sets the flag and wakes every waiter. */
  async set(): Promise<void> {
    await this.#scope.run(EVENT_SET, this.#oid, []);
  }

  /** Clears the flag: later waits wait again. */
  async clear(): Promise<void> {
    await this.#scope.run(EVENT_CLEAR, this.#oid, []);
  }

  /** Waits until the flag is set. Resolves true, or false after `timeout` ms; an aborted `signal` rejects. */
  async wait(options?: WaitOptions): Promise<boolean> {
    const { timeout, signal } = checkWaitOptions(options);
    signal?.throwIfAborted();
    if (timeout === 0) return this.isSet();
    return (await this.#scope.wait(this.#steps, timeout, signal)) !== undefined;
  }

  /** The event as the server sees it. */
  async statistics(): Promise<RedisEventStatistics> {
    const [flag, waiting] = await this.#scope.run<[number, number]>(EVENT_STATE, this.#oid, []);
    return Object.freeze({ set: flag === 1, waiting });
  }

  toString(): string {
    return `<Event '${this.name}'>`;
  }
}
