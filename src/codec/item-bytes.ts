/**
 * An item's encoded bytes on their way into or out of a queue's item store:
 * the first `length` bytes of `bytes`, which `words` views as Int32s.
 *
 * Each thread reuses one for every item it puts and one for every item it
 * gets, so that moving an item allocates nothing. A store handing out an
 * item longer than `bytes` puts a new array there (`roomFor`); the owner
 * decides whether to keep it.
 *
 * `bytes` always starts at offset 0 of its own buffer, whose length is a
 * multiple of 4: a short item is copied a word at a time, reading (and
 * writing) up to 3 bytes past `length`, which are ignored.
 */
export interface ItemBytes {
  bytes: Uint8Array;
  words: Int32Array;
  length: number;
}

/** An ItemBytes with room for `capacity` bytes. */
export function itemBytes(capacity: number): ItemBytes {
  const bytes = new Uint8Array(roundUpToWord(capacity));
  return { bytes, words: new Int32Array(bytes.buffer), length: 0 };
}

/** The ItemBytes over a writer's buffer (a fresh Uint8Array whose length is a multiple of 4). */
export function over(bytes: Uint8Array, length: number, reuse: ItemBytes): ItemBytes {
  if (reuse.bytes !== bytes) {
    reuse.bytes = bytes;
    reuse.words = new Int32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength >>> 2);
  }
  reuse.length = length;
  return reuse;
}

/** Makes `into` hold `length` bytes, growing its array if needed; returns the array to write them to. */
export function roomFor(into: ItemBytes, length: number): Uint8Array {
  if (into.bytes.length < length) {
    const bytes = new Uint8Array(roundUpToWord(length));
    into.bytes = bytes;
    into.words = new Int32Array(bytes.buffer);
  }
  into.length = length;
  return into.bytes;
}

/** A copy of `item` in arrays of its own: for a put that waits, during which its thread's writer is reused. */
export function ownCopy(item: ItemBytes): ItemBytes {
  const copy = itemBytes(item.length);
  copy.bytes.set(item.bytes.subarray(0, item.length));
  copy.length = item.length;
  return copy;
}

function roundUpToWord(n: number): number {
  return (Math.max(n, 4) + 3) & ~3;
}
