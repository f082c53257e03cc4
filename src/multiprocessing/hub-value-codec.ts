/**
 * Values that travel to the hub and stay there — a managed dict's or list's
 * values, a process-scope queue's items — as one `Uint8Array` each: the
 * value codec's bytes, plus the process-scope weft objects found in the
 * value (a `DictProxy` inside a list, a `Lock` in a queue item), carried as
 * their handles.
 *
 * Why bytes: the hub keeps them opaque (it never decodes a user's value),
 * and two equal values have equal bytes, which is how a managed list finds
 * a value (`index`, `remove`). Why handles inside: Python pickles a proxy
 * as a reference to its referent, so a proxy stored in a proxy comes back
 * as a live proxy; a process-scope handle is plain data naming a hub
 * object, valid in every process of the tree. A thread-scope object (its
 * state is one process's shared memory) cannot be stored: `ERR_WRONG_SCOPE`,
 * in the caller, before anything is sent.
 *
 * | layout                                   | when                      |
 * |------------------------------------------|---------------------------|
 * | the value's codec bytes (first byte: a codec tag, < 0x80) | no weft object inside (the common case: exactly what `codec/item-codec.ts` writes) |
 * | `0xff`, varint n, n bytes of `v8.serialize(handles)`, then the value's codec bytes | weft objects inside |
 *
 * The first byte tells the two apart: codec tags are all below 0x80
 * (`codec/format.ts`).
 *
 * References (`backends/hub/references.ts`): each handle carries a ticket
 * lent for its trip. A container in the hub adopts the tickets of what it
 * stores and keeps the value without them; a value read from it comes back
 * with fresh tickets the hub lent for the reader, which the decode here
 * adopts. A queue item keeps its tickets until its getter's decode adopts
 * them.
 */
import { deserialize, serialize } from 'node:v8';
import type { Handle } from '../codec/handles.js';
import { Reader, malformed } from '../codec/reader.js';
import { decodeValue, encodeValue } from '../codec/value-codec.js';
import { Writer } from '../codec/writer.js';
import { ErrorCode, misuse } from '../errors.js';
import { decodeItemBytes, encodeItemToOwnBytes } from '../codec/item-codec.js';
// The first byte of a value that carries handles (the hub reads the table there).
import { WITH_HANDLES } from '../backends/hub/stored-values.js';


/**
 * The bytes of `value`, in an array of their own. `what` names the value in
 * errors (`'item'`, `'value'`): a value that cannot cross throws
 * `ERR_NOT_SERIALIZABLE` naming the path to the offending part, a
 * thread-scope weft object `ERR_WRONG_SCOPE`.
 */
export function encodeHubValue(value: unknown, what = 'value'): Uint8Array {
  // Numbers and strings, the commonest values, hold no weft object: the queue's fast path.
  // (Functions and symbols go the general way, for an error that names the value as `what`.)
  if (value === null || (typeof value !== 'object' && typeof value !== 'function' && typeof value !== 'symbol')) return encodeItemToOwnBytes(value);
  const handles: Handle[] = [];
  // A getter run during the walk may encode re-entrantly: it gets a writer of its own.
  const writer = pooled ?? new Writer(256);
  pooled = undefined;
  try {
    writer.reset();
    encodeValue(value, writer, handles, { path: what });
    return handles.length === 0 ? writer.toBytes() : withHandles(writer, handles, what);
  } finally {
    // A writer that grew for one huge value is not kept for the next.
    if (writer.capacity <= KEEP_BYTES) pooled = writer;
  }
}

/** This thread's writer, reused value after value (Node's module state is per thread). */
let pooled: Writer | undefined = new Writer(4096);
const KEEP_BYTES = 1 << 20;

/** `writer`'s bytes framed with their handle table, in an array of their own (checks each handle's scope). */
export function withHandles(writer: Writer, handles: Handle[], what: string): Uint8Array {
  for (const handle of handles) checkProcessScope(handle, what);
  const table = serialize(handles);
  const framed = new Writer(writer.pos + table.length + 8);
  framed.u8(WITH_HANDLES);
  framed.varint(table.length);
  framed.reserve(table.length + writer.pos);
  framed.bytes.set(table, framed.pos);
  framed.pos += table.length;
  framed.bytes.set(writer.subarray(), framed.pos);
  framed.pos += writer.pos;
  return framed.toBytes();
}

/** The value in `bytes` (from `encodeHubValue`), with its weft objects attached in this thread. */
export function decodeHubValue(bytes: Uint8Array): unknown {
  if (bytes.length === 0 || bytes[0] !== WITH_HANDLES) return decodeItemBytes(bytes);
  const reader = new Reader(bytes);
  reader.u8();
  const length = reader.varint();
  const start = reader.pos;
  if (start + length > bytes.length) throw malformed('a stored value whose handle table runs past its end');
  const handles = deserialize(bytes.subarray(start, start + length)) as Handle[];
  if (!Array.isArray(handles)) throw malformed('a stored value whose handle table is not an array');
  return decodeValue(new Reader(bytes.subarray(start + length)), handles);
}

function checkProcessScope(handle: Handle, what: string): void {
  if (handle.scope !== 'thread') return;
  const name = handle.kind === 'SharedArrayBuffer' ? 'a SharedArrayBuffer' : `a ${handle.kind.replace(/^threading\./, '')} from weft/threading`;
  throw misuse(
    ErrorCode.WrongScope,
    `multiprocessing: the ${what} holds ${name}, which only the threads of one process share; use the one from weft/multiprocessing to share it through the hub`,
  );
}
