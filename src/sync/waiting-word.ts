/**
 * The waiter-count word of a thread-scope core, for `weft/testing`'s
 * `waitForWaiters`, which asks the hub instead for a process-scope object
 * (it tests `kHubId` first), so a core without a word is never asked.
 */
import type { Core } from '../backends/cores/core.js';

export function waitingWordOf(core: Core): [Int32Array, number] {
  const word = core.waitingWord;
  if (word === undefined) throw new Error(`weft: a process-scope object has no waiter word; ask the hub (object ${String(core.hubId)})`);
  return word;
}
