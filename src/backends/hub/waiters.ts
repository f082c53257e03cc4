/**
 * Two pieces every process-scope state machine in the hub uses:
 *
 * - `WaitQueue`: the calls kept waiting, in arrival order (FIFO), from which
 *   any entry can be removed in O(1) when its call is abandoned (timeout,
 *   cancellation, the caller's death). A `Set` keeps insertion order, which
 *   is all a FIFO with removal needs.
 * - `Watchers`: calls of `weft/testing`'s `waitForWaiters(primitive, n)`,
 *   answered the moment the object's waiter count reaches `n` — no polling.
 *   The object calls `changed(count)` whenever its count grows.
 */
import { ErrorCode } from '../../errors.js';
import type { Caller, HubCall } from './call.js';

export class WaitQueue<E> {
  readonly #entries = new Set<E>();

  get size(): number {
    return this.#entries.size;
  }

  push(entry: E): void {
    this.#entries.add(entry);
  }

  /** Removes `entry` if it is still queued; false if it was not. Idempotent, so cleanups may run late. */
  remove(entry: E): boolean {
    return this.#entries.delete(entry);
  }

  /** Takes the longest waiter, or undefined. */
  shift(): E | undefined {
    for (const entry of this.#entries) {
      this.#entries.delete(entry);
      return entry;
    }
    return undefined;
  }

  /** Removes and returns every entry matching `test`, in order. */
  removeWhere(test: (entry: E) => boolean): E[] {
    const removed: E[] = [];
    for (const entry of this.#entries) {
      if (test(entry)) {
        this.#entries.delete(entry);
        removed.push(entry);
      }
    }
    return removed;
  }

  /** Empties the queue, returning the entries in arrival order. */
  drain(): E[] {
    const all = [...this.#entries];
    this.#entries.clear();
    return all;
  }

  [Symbol.iterator](): IterableIterator<E> {
    return this.#entries.values();
  }
}

interface Watcher {
  readonly call: HubCall;
  readonly n: number;
}

export class Watchers {
  readonly #watchers = new Set<Watcher>();

  /** The `waitForWaiters` op: answers at once if `count >= n`, else when `changed` sees it. */
  watch(call: HubCall, count: number): void {
    const n = call.args[0];
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) {
      call.fail(ErrorCode.InvalidArg, `testing: the waiter count must be a whole number >= 0, got ${String(n)}`);
      return;
    }
    if (count >= n) {
      call.reply(count);
      return;
    }
    const watcher: Watcher = { call, n };
    this.#watchers.add(watcher);
    call.whenAbandoned(() => this.#watchers.delete(watcher));
  }

  /** True while some `waitForWaiters` call waits here. */
  get watching(): boolean {
    return this.#watchers.size > 0;
  }

  /** The waiter count is now `count`: answers every watcher it satisfies. */
  changed(count: number): void {
    if (this.#watchers.size === 0) return;
    for (const watcher of this.#watchers) {
      if (count >= watcher.n) {
        this.#watchers.delete(watcher);
        watcher.call.reply(count);
      }
    }
  }
}

/** True if `caller` is the thread `client`/`thread` names, or any thread of `client` when `thread` is undefined. */
export function isGone(caller: Caller, client: number, thread: number | undefined): boolean {
  return caller.client === client && (thread === undefined || caller.thread === thread);
}

export function sameCaller(a: Caller, b: Caller): boolean {
  return a.client === b.client && a.thread === b.thread;
}

/** The key of a caller-chosen id (a Condition's wait, for instance), unique across the tree. */
export function callerKey(caller: Caller, id: unknown): string {
  return `${caller.client}:${caller.thread}:${String(id)}`;
}
