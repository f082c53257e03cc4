/**
 * A thread's side of lent queue items: the ring its process's link holds
 * for a queue (`backends/hub/queue-lending.ts`), as this wrapper last heard
 * of it. A get takes from it first — a compare-and-swap in shared memory,
 * no message — and asks the hub only when it is spent or revoked; the
 * hub's answer names the ring (a new one after a recall).
 *
 * The ring hangs on the wrapper's ref, so it goes with the wrapper; another
 * wrapper of the same queue in this thread learns of it with its own first
 * get (meanwhile that get recalls it: correct, one round trip slower).
 */
import { awaitLent, awaitLentSync, claimLent, lentAsking, lentRingOf, type LentRing } from '../backends/hub/lent-ring.js';
import { linkLost } from '../backends/hub/tree.js';
import type { LentAnswer } from '../backends/hub/queue-lending.js';

/** What a ref keeps of its process's lent items. */
export interface LentHolder {
  lent: LentRing | undefined;
}

/** A safety net: how often a getter waiting on the link's ask looks whether the link is gone. */
const RECHECK_MS = 1000;

/**
 * The next lent item this thread can claim, or undefined (ask the hub).
 * When the ring is empty while the link is asking the hub for more, waits
 * for that answer (a round trip already on its way) rather than asking the
 * hub itself, which would recall the ring; `wait: false` (getNowait) never waits.
 */
export function takeLent(holder: LentHolder, wait: boolean): Uint8Array | undefined {
  const ring = holder.lent;
  if (ring === undefined) return undefined;
  for (;;) {
    const item = claimLent(ring);
    if (item !== undefined || !wait || !lentAsking(ring) || linkLost()) return item;
    awaitLentSync(ring, RECHECK_MS);
  }
}

/** As `takeLent`, waiting without blocking the thread. */
export async function takeLentAsync(holder: LentHolder): Promise<Uint8Array | undefined> {
  const ring = holder.lent;
  if (ring === undefined) return undefined;
  for (;;) {
    const item = claimLent(ring);
    if (item !== undefined || !lentAsking(ring) || linkLost()) return item;
    await awaitLent(ring, RECHECK_MS);
  }
}

/** A get's answer: the item's bytes, keeping the ring it names. */
export function itemOfAnswer(holder: LentHolder, answer: Uint8Array | LentAnswer): Uint8Array {
  if (answer instanceof Uint8Array) return answer;
  if (holder.lent?.buffer !== answer.ring) holder.lent = lentRingOf(answer.ring);
  return answer.item;
}
