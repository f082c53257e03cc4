/**
 * The link's record of a thread's calls forwarded to the hub and not yet
 * answered, for a link-side helper that must rewrite the answer (credit of a
 * put, the lent cell of a Value). Keyed by `thread:seq`, the pair every
 * answer carries. A thread that ends drops its unanswered calls: their
 * answers will never be read.
 */
export class PendingCalls<T> {
  readonly #calls = new Map<string, T>();

  /** Remembers a call of `thread` numbered `seq`. */
  add(thread: number, seq: number, call: T): void {
    this.#calls.set(`${thread}:${seq}`, call);
  }

  /** The call this answer is for, removed from the record; undefined if it was not remembered. */
  take(thread: number, seq: number): T | undefined {
    if (this.#calls.size === 0) return undefined;
    const key = `${thread}:${seq}`;
    const call = this.#calls.get(key);
    if (call !== undefined) this.#calls.delete(key);
    return call;
  }

  /** Forgets the calls of a thread that ended. */
  dropThread(thread: number): void {
    if (this.#calls.size === 0) return;
    const prefix = `${thread}:`;
    for (const key of this.#calls.keys()) if (key.startsWith(prefix)) this.#calls.delete(key);
  }
}
