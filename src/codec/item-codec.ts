/**
 * Queue items as bytes. An item is encoded in the thread that puts it — so
 * an item that cannot cross (a function, a socket) fails in `put()` with
 * `ERR_NOT_SERIALIZABLE` and nothing is enqueued — into a writer this thread
 * reuses, and copied once into the queue's shared memory. A getter copies
 * the bytes out into an array of its own and decodes them there.
 *
 * Neither direction allocates for a small item: `encodeItem` hands back
 * this thread's `ItemBytes` over its writer, and gets land in this thread's
 * `received` bytes, decoded by a reader that is rewound, not rebuilt.
 *
 * Queue items carry values, not weft objects: a Lock or Event is shared by
 * its SharedArrayBuffer, which bytes cannot carry. Pass those to threads as
 * arguments.
 */
import { ErrorCode, misuse } from '../errors.js';
import type { Handle } from './handles.js';
import { decodeValue, encodeValue } from './value-codec.js';
import { Reader } from './reader.js';
import { Writer } from './writer.js';
import { Tag } from './format.js';
import { itemBytes, over, ownCopy, type ItemBytes } from './item-bytes.js';

const INITIAL_BYTES = 4096;
/** Past this, a writer or receiving array that grew for one huge item is not kept for the next. */
const KEEP_BYTES = 1 << 20;
const RECEIVE_BYTES = 64 * 1024;

let writer = new Writer(INITIAL_BYTES);
const encoded: ItemBytes = over(writer.bytes, 0, itemBytes(0));
// Handles found in an item: always none once the item is accepted.
const handles: Handle[] = [];

/**
 * The encoded bytes of `item`. They live in this thread's writer: valid
 * until the next `encodeItem` here (`ownCopy` them to keep them across an await).
 */
export function encodeItem(item: unknown): ItemBytes {
  // Small integers, the commonest item, skip the codec's general walk.
  if (typeof item === 'number' && (item | 0) === item && (item !== 0 || 1 / item > 0)) return encodeInt32(item);
  // A getter on the item may itself put (re-entrantly): it gets a writer of its own.
  if (encoding) return ownCopy(encodeWith(new Writer(INITIAL_BYTES), item));
  if (writer.capacity > KEEP_BYTES) writer = new Writer(INITIAL_BYTES); // the last item's big buffer goes
  encoding = true;
  try {
    return encodeWith(writer, item);
  } finally {
    encoding = false;
  }
}

let encoding = false;
const ITEM_PATH = { path: 'item' } as const;

function encodeWith(into: Writer, item: unknown): ItemBytes {
  into.reset();
  encodeValue(item, into, handles, ITEM_PATH);
  if (handles.length > 0) {
    const found = handles[0];
    handles.length = 0;
    throw notSharable(found);
  }
  return over(into.bytes, into.pos, encoded);
}

/** Where this thread's gets put an item's bytes; `decodeItem` reads them from here. */
export const received: ItemBytes = itemBytes(RECEIVE_BYTES);
let receivedReader = new Reader(received.bytes);

/** The item in `from` (`received`, or bytes of a get's own). */
export function decodeItem(from: ItemBytes): unknown {
  const bytes = from.bytes;
  const length = from.length;
  if (length === INT32_BYTES && bytes[0] === Tag.Int32) {
    return bytes[1] | (bytes[2] << 8) | (bytes[3] << 16) | (bytes[4] << 24);
  }
  if (from !== received) return decodeValue(new Reader(bytes.subarray(0, length)), handles);
  if (bytes !== receivedReader.bytes) {
    // A store grew the array for a long item: read it, and keep it only if not huge.
    if (bytes.length > KEEP_BYTES) {
      const fresh = itemBytes(RECEIVE_BYTES);
      received.bytes = fresh.bytes;
      received.words = fresh.words;
      return decodeValue(new Reader(bytes.subarray(0, length)), handles);
    }
    receivedReader = new Reader(bytes);
  }
  receivedReader.rewind(length);
  return decodeValue(receivedReader, handles);
}

// The codec's own encoding of an Int32 (format.ts): the tag, then 4 bytes little-endian.
const INT32_BYTES = 5;

function encodeInt32(n: number): ItemBytes {
  const bytes = writer.bytes;
  bytes[0] = Tag.Int32;
  bytes[1] = n;
  bytes[2] = n >> 8;
  bytes[3] = n >> 16;
  bytes[4] = n >> 24;
  return over(bytes, INT32_BYTES, encoded);
}

function notSharable(handle: Handle): Error {
  const what = handle.kind === 'SharedArrayBuffer' ? 'a SharedArrayBuffer' : `a ${handle.kind.replace(/^threading\./, '')}`;
  return misuse(
    ErrorCode.NotSerializable,
    `queue: the item holds ${what}, which a queue cannot carry (it is shared, not copied); pass weft objects to threads as arguments, and put plain data in queues`,
  );
}

/**
 * The encoded bytes of `item` in an array of their own, for a queue whose
 * items travel as messages (the process-scope queues): they outlive this
 * thread's writer. Refuses what `encodeItem` refuses, in the caller.
 */
export function encodeItemToOwnBytes(item: unknown): Uint8Array {
  const bytes = encodeItem(item);
  return bytes.bytes.slice(0, bytes.length);
}

/** The item encoded in `bytes` (from `encodeItemToOwnBytes`, after its journey). */
export function decodeItemBytes(bytes: Uint8Array): unknown {
  if (bytes.length === INT32_BYTES && bytes[0] === Tag.Int32) {
    return bytes[1] | (bytes[2] << 8) | (bytes[3] << 16) | (bytes[4] << 24);
  }
  return decodeValue(new Reader(bytes), handles);
}
