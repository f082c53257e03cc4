/**
 * A child thread's one-way puts, through its ring to the link
 * (`backends/hub/put-ring.ts`) instead of one message each. Not used in the
 * root process (its threads talk to the hub without a link), for items that
 * carry weft objects (the tickets they lend must reach the hub first, in
 * the thread's next message), or for items too big for the ring: those are
 * sent as before, and stay in order with the ring's records (see there).
 */
import { hubAttachPutRing, hubPostCount } from '../backends/hub/client.js';
import { newPutRing, RING_ITEM_MAX, writeRecord, type PutRing } from '../backends/hub/put-ring.js';
import { WITH_HANDLES } from '../backends/hub/stored-values.js';
import { hubLost, isRoot, linkLost, linkReady } from '../backends/hub/tree.js';

/** This thread's ring, once it has one (Node's module state is per thread). */
let ring: PutRing | undefined;
const inChild = !isRoot();

const linkAlive = (): boolean => !linkLost();

/** Puts `bytes` on queue `id` through the ring; false if this put must be sent as a message. */
export function putThroughRing(id: number, bytes: Uint8Array): boolean {
  if (!ringTakes(bytes)) return false;
  return writeThroughRing(id, bytes);
}

/** Whether an item may go through the ring (the size and handles rule above). */
function ringTakes(bytes: Uint8Array): boolean {
  return bytes.length <= RING_ITEM_MAX && (bytes.length === 0 || bytes[0] !== WITH_HANDLES);
}

/**
 * A bounded queue's put on credit (`backends/hub/queue-credits.ts`): if the
 * item may go through the ring and `take()` takes a unit of the process's
 * credit, it is written there (the room is reserved in the hub); false
 * (nothing taken) if it must be a round trip.
 */
export function putOnCredit(id: number, bytes: Uint8Array, take: () => boolean): boolean {
  if (!inChild || !ringTakes(bytes) || !linkReady() || !take()) return false;
  return writeThroughRing(id, bytes);
}

/** Whether this thread's puts may be granted credit: a child's (its calls go through its link, which holds the credit). */
export function mayHoldCredit(): boolean {
  return inChild;
}

/** A one-way `taskDone` on queue `id` through the ring; false if it must be sent as a message. */
export function taskDoneThroughRing(id: number): boolean {
  return writeThroughRing(id, undefined);
}

function writeThroughRing(id: number, bytes: Uint8Array | undefined): boolean {
  if (!inChild) return false;
  if (ring === undefined) {
    if (!linkReady()) return false;
    ring = newPutRing();
    hubAttachPutRing(ring.buffer);
  }
  writeRecord(ring, id, hubPostCount(), bytes, linkAlive, hubLost);
  return true;
}
