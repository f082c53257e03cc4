/**
 * A queue item's encoded bytes as a view into this thread's writer, for a
 * put whose bytes are copied at once (into the put ring, `ring-puts.ts`):
 * `encodeHubValue` would give each item an array of its own, an allocation
 * and a copy per item that the ring's own copy makes needless. The view is
 * valid until this thread's next encode.
 *
 * Same bytes and errors as `encodeHubValue(item, 'item')`. An item that
 * holds weft objects comes back `framed`: its bytes (an array of their own)
 * carry the handle table the hub reads, and it must travel as a message.
 * It is never encoded twice: each encode of a weft object lends a ticket
 * for its trip (`hub/handle.ts`), and a second one would never be adopted.
 */
import type { Handle } from '../codec/handles.js';
import { encodeValue } from '../codec/value-codec.js';
import { withHandles } from './hub-value-codec.js';
import { Writer } from '../codec/writer.js';
import { encodeItem } from '../codec/item-codec.js';

/** This thread's writer (Node's module state is per thread); undefined while in use by an encode. */
let pooled: Writer | undefined = new Writer(4096);
/** Past this, a writer that grew for one huge item is not kept. */
const KEEP_BYTES = 1 << 20;
const ITEM_PATH = { path: 'item' } as const;

/** What `encodeItemView` answers; one object, reused (valid until this thread's next encode, as the view). */
export interface ItemView {
  bytes: Uint8Array;
  /** The bytes carry weft objects' handles (an array of their own): send them as a message. */
  framed: boolean;
}
const answer: ItemView = { bytes: new Uint8Array(0), framed: false };

function answerWith(bytes: Uint8Array, framed: boolean): ItemView {
  answer.bytes = bytes;
  answer.framed = framed;
  return answer;
}

export function encodeItemView(item: unknown): ItemView {
  // Numbers and strings: the item codec's own path (its writer, no walk).
  if (item === null || (typeof item !== 'object' && typeof item !== 'function' && typeof item !== 'symbol')) {
    const bytes = encodeItem(item);
    return answerWith(bytes.bytes.subarray(0, bytes.length), false);
  }
  const handles: Handle[] = [];
  // A getter run during the walk may encode re-entrantly: it gets a writer of its own.
  const writer = pooled ?? new Writer(256);
  pooled = undefined;
  try {
    writer.reset();
    encodeValue(item, writer, handles, ITEM_PATH);
    return handles.length === 0 ? answerWith(writer.subarray(), false) : answerWith(withHandles(writer, handles, 'item'), true);
  } finally {
    if (writer.capacity <= KEEP_BYTES) pooled = writer;
  }
}
