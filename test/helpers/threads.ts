/**
 * Starting and joining threads in tests: every test joins what it starts,
 * and a thread that threw fails the test that started it.
 */
import assert from 'node:assert/strict';
import { Thread } from '../../src/threading.js';

// Generous: a loaded 2-core machine can take many seconds to run a thread that is
// quick when quiet; a thread that really hangs still fails its test (each test bounds its own time).
const JOIN = { timeout: 60_000 };

/** Starts a thread running `target(...args)`. */
export function start<A extends unknown[]>(target: (...args: A) => unknown, args: A): Thread<A> {
  const thread = new Thread<A>({ target, args });
  thread.start();
  return thread;
}

/** Joins every thread, failing if one does not end or ended by throwing. */
export async function joinAll(threads: Thread[]): Promise<void> {
  for (const thread of threads) {
    assert.equal(await thread.join(JOIN), true, `${thread.name} did not end`);
    assert.equal(thread.error, undefined, `${thread.name} threw: ${thread.error?.stack}`);
  }
}
