/**
 * Several queue items in one byte array, as a lending answer carries them
 * from the hub to a link (`queue.ts` → `queue-lending.ts`): one copy of the
 * bytes on each side, where an array of arrays costs the serializer and the
 * deserializer work per item.
 *
 * | bytes                | meaning                        |
 * |----------------------|--------------------------------|
 * | 4 (uint32 LE)        | n, the number of items         |
 * | 4·n (uint32 LE each) | each item's length, in order   |
 * | then                 | the items' bytes, back to back |
 */

export function packItems(items: readonly Uint8Array[]): Uint8Array {
  let bytes = 0;
  for (const item of items) bytes += item.length;
  const packed = new Uint8Array(4 + 4 * items.length + bytes);
  const view = new DataView(packed.buffer);
  view.setUint32(0, items.length, true);
  let at = 4 + 4 * items.length;
  for (let i = 0; i < items.length; i++) {
    view.setUint32(4 + 4 * i, items[i].length, true);
    packed.set(items[i], at);
    at += items[i].length;
  }
  return packed;
}

/** The items of `packed`, as views into it (copy one before handing it on by itself). */
export function unpackItems(packed: Uint8Array): Uint8Array[] {
  const view = new DataView(packed.buffer, packed.byteOffset, packed.byteLength);
  const n = view.getUint32(0, true);
  const items: Uint8Array[] = new Array(n);
  let at = 4 + 4 * n;
  for (let i = 0; i < n; i++) {
    const length = view.getUint32(4 + 4 * i, true);
    items[i] = packed.subarray(at, at + length);
    at += length;
  }
  if (at !== packed.length) throw new RangeError('queue: a malformed packed answer');
  return items;
}

/** `item` in an array of its own, if it is a view into a larger one (a serializer would send the whole buffer). */
export function ownBytes(item: Uint8Array): Uint8Array {
  return item.byteOffset === 0 && item.byteLength === item.buffer.byteLength ? item : item.slice();
}

/** A packed buffer's item count, and the bytes of its items from `from` on. */
export function packedExtent(packed: Uint8Array, from: number): { items: number; bytes: number } {
  const view = new DataView(packed.buffer, packed.byteOffset, packed.byteLength);
  const n = view.getUint32(0, true);
  let skipped = 0;
  for (let i = 0; i < Math.min(from, n); i++) skipped += view.getUint32(4 + 4 * i, true);
  return { items: Math.max(0, n - from), bytes: packed.length - 4 - 4 * n - skipped };
}

/** A packed buffer's first item, copied into an array of its own (the buffer holds at least one). */
export function firstPackedItem(packed: Uint8Array): Uint8Array {
  const view = new DataView(packed.buffer, packed.byteOffset, packed.byteLength);
  const n = view.getUint32(0, true);
  const at = 4 + 4 * n;
  return packed.slice(at, at + view.getUint32(4, true));
}
