/**
 * A thread's side of lent queue items: the batch its process's link holds
 * for a queue (`backends/hub/queue-lending.ts`), as this wrapper last heard
 * of it. A get takes from it first — a compare-and-swap in shared memory,
 * no message — and asks the hub only when it is spent or revoked; the
 * hub's answer may carry the next batch.
 *
 * The batch hangs on the wrapper's ref, so it goes with the wrapper; another
 * wrapper of the same queue in this thread learns of it with its own first
 * get (meanwhile that get recalls it: correct, one round trip slower).
 */
import { claimLent, lentBatchOf, type LentBatch } from '../backends/hub/lent-batch.js';
import type { LentAnswer } from '../backends/hub/queue-lending.js';

/** What a ref keeps of its process's lent items. */
export interface LentHolder {
  lent: LentBatch | undefined;
}

/** The next lent item this thread can claim, or undefined (ask the hub). */
export function takeLent(holder: LentHolder): Uint8Array | undefined {
  return holder.lent === undefined ? undefined : claimLent(holder.lent);
}

/** A get's answer: the item's bytes, keeping the batch that came with it, if any. */
export function itemOfAnswer(holder: LentHolder, answer: Uint8Array | LentAnswer): Uint8Array {
  if (answer instanceof Uint8Array) return answer;
  holder.lent = answer.batch === undefined ? undefined : lentBatchOf(answer.batch);
  return answer.item;
}
