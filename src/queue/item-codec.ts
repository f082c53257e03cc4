/**
 * Queue items as bytes. An item is encoded in the thread that puts it — so
 * an item that cannot cross (a function, a socket) fails in `put()` with
 * `ERR_NOT_SERIALIZABLE` and nothing is enqueued — into a writer this thread
 * reuses, and copied once into the queue's shared memory. A getter copies
 * the bytes out into a buffer of its own and decodes them there.
 *
 * Queue items carry values, not weft objects: a Lock or Event is shared by
 * its SharedArrayBuffer, which bytes cannot carry. Pass those to threads as
 * arguments.
 */
import { ErrorCode, misuse } from '../errors.js';
import type { Handle } from '../codec/handles.js';
import { decodeValue, encodeValue } from '../codec/value-codec.js';
import { Reader } from '../codec/reader.js';
import { Writer } from '../codec/writer.js';
import { Tag } from '../codec/format.js';

const INITIAL_BYTES = 4096;
// A writer that grew past this for one huge item is not kept for the next.
const KEEP_BYTES = 1 << 20;
let writer = new Writer(INITIAL_BYTES);

/**
 * The encoded bytes of `item`. They live in this thread's writer: valid
 * until the next `encodeItem` here (copy them to keep them across an await).
 */
export function encodeItem(item: unknown): Uint8Array {
  // Small integers, the commonest item, skip the codec's general walk.
  if (typeof item === 'number' && (item | 0) === item && !Object.is(item, -0)) return encodeInt32(item);
  const handles: Handle[] = [];
  writer.reset();
  encodeValue(item, writer, handles, { path: 'item' });
  if (handles.length > 0) throw notSharable(handles[0]);
  const bytes = writer.bytes.subarray(0, writer.pos);
  if (writer.capacity > KEEP_BYTES) writer = new Writer(INITIAL_BYTES); // the bytes keep the big buffer alive only as long as needed
  return bytes;
}

export function decodeItem(bytes: Uint8Array): unknown {
  if (bytes.length === INT32_BYTES && bytes[0] === Tag.Int32) {
    return bytes[1] | (bytes[2] << 8) | (bytes[3] << 16) | (bytes[4] << 24);
  }
  if (bytes.buffer === getScratch.buffer && bytes.byteOffset === 0) {
    scratchReader.rewind(bytes.length);
    return decodeValue(scratchReader, []);
  }
  return decodeValue(new Reader(bytes), []);
}

/** Where this thread's gets copy item bytes to before decoding; longer items get their own array. */
export const getScratch = new Uint8Array(64 * 1024);
const scratchReader = new Reader(getScratch);

// The codec's own encoding of an Int32 (format.ts): the tag, then 4 bytes little-endian.
const INT32_BYTES = 5;
const int32Item = new Uint8Array(INT32_BYTES);

function encodeInt32(n: number): Uint8Array {
  int32Item[0] = Tag.Int32;
  int32Item[1] = n;
  int32Item[2] = n >> 8;
  int32Item[3] = n >> 16;
  int32Item[4] = n >> 24;
  return int32Item;
}

function notSharable(handle: Handle): Error {
  const what = handle.kind === 'SharedArrayBuffer' ? 'a SharedArrayBuffer' : `a ${handle.kind.replace(/^threading\./, '')}`;
  return misuse(
    ErrorCode.NotSerializable,
    `queue: the item holds ${what}, which a queue cannot carry (it is shared, not copied); pass weft objects to threads as arguments, and put plain data in queues`,
  );
}
