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
import { awaitLent, awaitLentSync, claimLentInto, lentAsking, lentRingOf, type ClaimBuffer, type LentRing } from '../backends/hub/lent-ring.js';
import { WITH_HANDLES } from '../backends/hub/stored-values.js';
import { Tag } from '../codec/format.js';
import { Reader } from '../codec/reader.js';
import { decodeValue } from '../codec/value-codec.js';
import { decodeHubValue } from './hub-value-codec.js';
import { linkLost } from '../backends/hub/tree.js';
import type { LentAnswer } from '../backends/hub/queue-lending.js';

/** What a ref keeps of its process's lent items. */
export interface LentHolder {
  lent: LentRing | undefined;
}

/** A safety net: how often a getter waiting on the link's ask looks whether the link is gone. */
const RECHECK_MS = 1000;

/** What `takeLent` answers when there is no item to claim (ask the hub). */
export const NOTHING: unique symbol = Symbol('nothing lent');

/**
 * Where this thread copies a claimed item and decodes it from (Node's
 * module state is per thread): no array and no reader per item. The codec
 * copies what it decodes out of its input, so the buffer is free again once
 * the item is decoded.
 */
const claimed: ClaimBuffer = { bytes: new Uint8Array(4096) };
let reader = new Reader(claimed.bytes);
const noHandles: never[] = [];

/** Claims the next item of `ring` and decodes it; NOTHING if none is left. */
function claimValue(ring: LentRing): unknown {
  const length = claimLentInto(ring, claimed);
  if (length < 0) return NOTHING;
  const bytes = claimed.bytes;
  // The commonest item, a small integer (the codec's Int32: the tag, then 4 bytes little-endian).
  if (length === 5 && bytes[0] === Tag.Int32) return bytes[1] | (bytes[2] << 8) | (bytes[3] << 16) | (bytes[4] << 24);
  if (length > 0 && bytes[0] === WITH_HANDLES) return decodeHubValue(bytes.slice(0, length));
  if (reader.bytes !== bytes) reader = new Reader(bytes);
  reader.rewind(length);
  return decodeValue(reader, noHandles);
}

/**
 * The next lent item this thread can claim, decoded, or NOTHING (ask the hub).
 * When the ring is empty while the link is asking the hub for more, waits
 * for that answer (a round trip already on its way) rather than asking the
 * hub itself, which would recall the ring; `wait: false` (getNowait) never waits.
 */
export function takeLent(holder: LentHolder, wait: boolean): unknown {
  const ring = holder.lent;
  if (ring === undefined) return NOTHING;
  for (;;) {
    const item = claimValue(ring);
    if (item !== NOTHING || !wait || !lentAsking(ring) || linkLost()) return item;
    awaitLentSync(ring, RECHECK_MS);
  }
}

/** As `takeLent`, waiting without blocking the thread. */
export async function takeLentAsync(holder: LentHolder): Promise<unknown> {
  const ring = holder.lent;
  if (ring === undefined) return NOTHING;
  for (;;) {
    const item = claimValue(ring);
    if (item !== NOTHING || !lentAsking(ring) || linkLost()) return item;
    await awaitLent(ring, RECHECK_MS);
  }
}

/** A get's answer: the item's bytes, keeping the ring it names. */
export function itemOfAnswer(holder: LentHolder, answer: Uint8Array | LentAnswer): Uint8Array {
  if (answer instanceof Uint8Array) return answer;
  if (holder.lent?.buffer !== answer.ring) holder.lent = lentRingOf(answer.ring);
  return answer.item;
}
