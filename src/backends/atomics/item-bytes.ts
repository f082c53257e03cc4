/**
 * An item's encoded bytes on their way into or out of a queue's item store:
 * the first `length` bytes of `bytes`.
 *
 * Each thread reuses one for every item it puts and one for every item it
 * gets, so that moving an item allocates nothing. A store handing out an
 * item longer than `bytes` puts a new array there (`roomFor`); the owner
 * decides whether to keep it.
 */
export interface ItemBytes {
  bytes: Uint8Array;
  length: number;
}

/** Makes `into` hold `length` bytes, growing its array if needed; returns the array to write them to. */
export function roomFor(into: ItemBytes, length: number): Uint8Array {
  if (into.bytes.length < length) into.bytes = new Uint8Array(length);
  into.length = length;
  return into.bytes;
}

/** A copy of `item` in arrays of its own: for a put that waits, during which its thread's writer is reused. */
export function ownCopy(item: ItemBytes): ItemBytes {
  return { bytes: item.bytes.slice(0, item.length), length: item.length };
}
