/**
 * A queue item's encoded bytes as a view into this thread's writer, for a
 * put whose bytes are copied at once (into the put ring, `ring-puts.ts`):
 * `encodeHubValue` would give each item an array of its own, an allocation
 * and a copy per item that the ring's own copy makes needless. The view is
 * valid until this thread's next encode.
 *
 * Same bytes and errors as `encodeHubValue(item, 'item')` for an item that
 * holds no weft object; one that does answers undefined (encode it the
 * general way: its handles travel in a table the hub reads).
 */
import type { Handle } from '../codec/handles.js';
import { encodeValue } from '../codec/value-codec.js';
import { Writer } from '../codec/writer.js';
import { encodeItem } from '../queue/item-codec.js';

/** This thread's writer (Node's module state is per thread); undefined while in use by an encode. */
let pooled: Writer | undefined = new Writer(4096);
/** Past this, a writer that grew for one huge item is not kept. */
const KEEP_BYTES = 1 << 20;
const ITEM_PATH = { path: 'item' } as const;

export function encodeItemView(item: unknown): Uint8Array | undefined {
  // Numbers and strings: the item codec's own path (its writer, no walk).
  if (item === null || (typeof item !== 'object' && typeof item !== 'function' && typeof item !== 'symbol')) {
    const bytes = encodeItem(item);
    return bytes.bytes.subarray(0, bytes.length);
  }
  const handles: Handle[] = [];
  // A getter run during the walk may encode re-entrantly: it gets a writer of its own.
  const writer = pooled ?? new Writer(256);
  pooled = undefined;
  try {
    writer.reset();
    encodeValue(item, writer, handles, ITEM_PATH);
    return handles.length === 0 ? writer.subarray() : undefined;
  } finally {
    if (writer.capacity <= KEEP_BYTES) pooled = writer;
  }
}
