/**
 * `Barrier` of the machine scope: a named meeting point for a fixed number
 * of parties on any machines — Python's `threading.Barrier`. Server side:
 * barrier-lua.ts.
 *
 * Each party calls `wait()`; the last to arrive releases them all, each
 * with a distinct index in `0..parties-1` (the first to arrive gets 0), and
 * the barrier is ready for the next round. It breaks — current and later
 * waits throw `BrokenBarrierError` until `reset()` — when a wait times out
 * (its own `timeout` or the barrier's), on `abort()`, and when a process
 * whose party is waiting dies (its lease runs out). An aborted
 * (`AbortSignal`) wait withdraws its party as if it had never arrived.
 * Python's `action` is not offered: a function cannot travel between
 * machines; run it after `wait()` in the party whose index is 0.
 */
import { BrokenBarrierError, invalidArg } from '../../errors.js';
import { checkTimeout } from '../../internal/deadline.js';
import { checkWaitOptions, type WaitOptions } from '../../runtime/options.js';
import { BARRIER_ABORT, BARRIER_RESET, BARRIER_STATE, BARRIER_WAIT, BARRIER_WITHDRAW } from './barrier-lua.js';
import { checkName, objectId } from './keys.js';
import type { RedisObjectOptions } from './lock.js';
import type { RedisScope } from './scope.js';
import { checkScope } from './scope-option.js';
import type { Grant, WaitSteps } from './waits.js';

/** Options of a machine-scope Barrier. */
export interface RedisBarrierOptions extends RedisObjectOptions {
  /** How many parties must arrive (a whole number >= 1; every process opening the name must agree). */
  parties: number;
  /** The default timeout of `wait()`, in ms (default: none). */
  timeout?: number;
}

export interface RedisBarrierStatistics {
  readonly parties: number;
  /** Parties waiting in the current round. */
  readonly nWaiting: number;
  readonly broken: boolean;
}

const MISMATCH = -1;
const BROKEN = -2;
const ROUND_ENDED = -3;
const TRY_FAILED = -4;

/**
 * A meeting point for `parties` processes on any machines: Python's
 * `Barrier`, named.
 *
 * @example
 * ```ts
 * import { connect, Barrier } from 'weft/redis';
 * const redis = await connect({ namespace: 'render' });
 * const frame = new Barrier('frame', { redis, parties: 4, timeout: 30_000 });
 * for (;;) {
 *   renderMyTiles();
 *   const index = await frame.wait(); // every machine's tiles are done
 *   if (index === 0) await publishFrame();
 * }
 * ```
 */
export class Barrier {
  /** The barrier's name in its namespace. */
  readonly name: string;
  /** How many parties must arrive. */
  readonly parties: number;
  /** The default timeout of `wait()` (undefined: none). */
  readonly timeout: number | undefined;
  readonly #scope: RedisScope;
  readonly #oid: string;

  constructor(name: string, options: RedisBarrierOptions) {
    this.name = checkName(name, 'a barrier name');
    this.#scope = checkScope(options);
    const { parties, timeout } = options;
    if (typeof parties !== 'number' || !Number.isInteger(parties) || parties < 1) {
      throw invalidArg(`sync: a barrier's parties must be a whole number >= 1, got ${String(parties)}`);
    }
    checkTimeout(timeout);
    this.parties = parties;
    this.timeout = timeout;
    this.#oid = objectId('barrier', name);
  }

  /**
   * Waits until all parties have arrived; resolves this party's index.
   * Rejects with `BrokenBarrierError` if the barrier is or becomes broken,
   * or (breaking it) if `timeout` ms pass first; an aborted `signal`
   * withdraws this party and rejects with its reason.
   */
  async wait(options?: WaitOptions): Promise<number> {
    const checked = checkWaitOptions(options);
    const { signal } = checked;
    const timeout = checked.timeout ?? this.timeout;
    signal?.throwIfAborted();
    const grant = await this.#scope.wait(this.#steps(), timeout, signal);
    if (grant === undefined) throw new BrokenBarrierError(`sync: the wait at Barrier '${this.name}' timed out after ${timeout} ms; the barrier is broken`);
    if (grant.shut === true) throw new BrokenBarrierError(`sync: Barrier '${this.name}' is broken (a wait timed out, abort() was called, or a waiting process died); reset() it`);
    return Number(grant.fence);
  }

  /** One wait's steps: the round it joined is remembered, so a resubmission (lease ran out) never joins a later round. */
  #steps(): WaitSteps {
    const scope = this.#scope;
    let seen = '';
    return {
      enqueue: async (seq, tryOnly) => {
        const answer = this.#check(await this.#run<[number, number?]>(BARRIER_WAIT, [scope.id, seq, seen, tryOnly ? 1 : 0]));
        switch (answer[0]) {
          case 1:
            return released(answer[1]!);
          case 0:
            seen = String(answer[1]);
            return 'queued';
          case TRY_FAILED:
          case BROKEN:
          case ROUND_ENDED:
            return { fence: '0', died: false, wanted: false, shut: true };
          default:
            throw new Error(`redis: unexpected answer from barrier.wait: ${JSON.stringify(answer)}`);
        }
      },
      withdraw: async (seq, why) => ((await this.#run<number>(BARRIER_WITHDRAW, [scope.id, seq, why === 'timeout' ? 1 : 0])) === 1 ? 'take' : undefined),
    };
  }

  /** Breaks the barrier: parties waiting now and later get `BrokenBarrierError` until `reset()`. */
  async abort(): Promise<void> {
    this.#check(await this.#run<number>(BARRIER_ABORT, []));
  }

  /** Back to empty and unbroken; parties waiting now get `BrokenBarrierError`. */
  async reset(): Promise<void> {
    this.#check(await this.#run<number>(BARRIER_RESET, []));
  }

  /** Parties waiting in the current round. */
  async nWaiting(): Promise<number> {
    return (await this.statistics()).nWaiting;
  }

  /** True while the barrier is broken. */
  async broken(): Promise<boolean> {
    return (await this.statistics()).broken;
  }

  /** The barrier as the server sees it. */
  async statistics(): Promise<RedisBarrierStatistics> {
    const [nWaiting, broken] = this.#check(await this.#run<[number, number]>(BARRIER_STATE, []));
    return Object.freeze({ parties: this.parties, nWaiting, broken: broken === 1 });
  }

  toString(): string {
    return `<Barrier '${this.name}' parties=${this.parties}>`;
  }

  #run<T>(s: Parameters<RedisScope['run']>[0], args: ReadonlyArray<string | number>): Promise<T> {
    return this.#scope.run<T>(s, this.#oid, [this.parties, ...args]);
  }

  #check<T>(answer: T): T {
    if ((answer as unknown) === MISMATCH) {
      throw invalidArg(`redis: Barrier '${this.name}' already exists in this namespace with another number of parties than ${this.parties}`);
    }
    return answer;
  }
}

function released(index: number): Grant {
  return { fence: String(index), died: false, wanted: false };
}
