/**
 * One Connection message as bytes: the same record travels in a ring
 * (threads of one process) and in a socket frame (between processes).
 *
 * | byte 0      | then                                                         |
 * |-------------|--------------------------------------------------------------|
 * | `Kind.Value`   | the value codec's bytes (`encode()`, version byte first)  |
 * | `Kind.Handles` | u32 LE length n, n codec bytes, then `v8.serialize(handles)` of the process-scope weft objects in the value |
 * | `Kind.Bytes`   | the raw bytes of a `sendBytes()`                          |
 * | `Kind.Eof`     | nothing: the sender closed (rings only; a socket ends instead) |
 *
 * The value is encoded in the sender, so something that cannot cross throws
 * `ERR_NOT_SERIALIZABLE` from `send()` and nothing is sent. weft objects
 * cross as handles, as they do in a Process's arguments — only process-scope
 * ones (a thread-scope Lock cannot reach another process, and a message may
 * end up there), and not Connection ends (pass those as arguments).
 */
import { deserialize, serialize } from 'node:v8';
import type { Handle } from '../codec/handles.js';
import { decode, encodeValue } from '../codec/value-codec.js';
import { FORMAT_VERSION } from '../codec/format.js';
import { Writer } from '../codec/writer.js';
import { ErrorCode, misuse } from '../errors.js';

export const Kind = { Value: 0, Handles: 1, Bytes: 2, Eof: 3 } as const;

export const CONNECTION_KIND = 'multiprocessing.Connection';

const MESSAGE_PATH = { path: 'message' } as const;

/**
 * A record in its socket frame: `frame[0, 4)` holds the record's length
 * (u32 LE), the record follows. A ring takes `recordOf(frame)`; a socket
 * writes the frame as it is. One copy from the codec's writer, none after.
 */
export type Frame = Uint8Array;

export const FRAME_HEADER_BYTES = 4;

/** The record inside `frame`. */
export function recordOf(frame: Frame): Uint8Array {
  return frame.subarray(FRAME_HEADER_BYTES);
}

// Reused across sends; a getter that sends re-entrantly while a value is encoded gets a fresh one.
let pooledWriter: Writer | undefined = new Writer(1024);
const KEEP_WRITER_BYTES = 1 << 20;

/** The frame of `value`; throws `ERR_NOT_SERIALIZABLE` (nothing sent) for what cannot cross. */
export function encodeMessage(value: unknown): Frame {
  const writer = pooledWriter ?? new Writer(1024);
  pooledWriter = undefined;
  const handles: Handle[] = [];
  try {
    writer.reset();
    writer.i32(0); // the length, filled in below
    writer.u8(Kind.Value);
    writer.u8(FORMAT_VERSION);
    encodeValue(value, writer, handles, MESSAGE_PATH);
    if (handles.length > 0) return withHandles(writer.bytes.subarray(FRAME_HEADER_BYTES + 1, writer.pos), handles);
    const frame = writer.toBytes();
    new DataView(frame.buffer).setUint32(0, frame.length - FRAME_HEADER_BYTES, true);
    return frame;
  } finally {
    if (writer.capacity <= KEEP_WRITER_BYTES) pooledWriter = writer;
  }
}

function withHandles(bytes: Uint8Array, handles: Handle[]): Frame {
  for (const handle of handles) {
    if (handle.kind === CONNECTION_KIND) {
      throw misuse(ErrorCode.NotSerializable, 'connection: a message cannot carry a Connection end; pass the end as an argument of a Thread or Process instead');
    }
    if (handle.scope === 'thread') {
      throw misuse(
        ErrorCode.NotSerializable,
        `connection: the message holds a ${handle.kind.replace(/^\w+\./, '')} from weft/threading, which cannot leave its process; send plain data, or use the weft/multiprocessing one`,
      );
    }
  }
  const tail = serialize(handles);
  const frame = new Uint8Array(FRAME_HEADER_BYTES + 5 + bytes.length + tail.length);
  const view = new DataView(frame.buffer);
  view.setUint32(0, frame.length - FRAME_HEADER_BYTES, true);
  frame[FRAME_HEADER_BYTES] = Kind.Handles;
  view.setUint32(FRAME_HEADER_BYTES + 1, bytes.length, true);
  frame.set(bytes, FRAME_HEADER_BYTES + 5);
  frame.set(tail, FRAME_HEADER_BYTES + 5 + bytes.length);
  return frame;
}

/** The frame of a `sendBytes()`. */
export function encodeBytes(bytes: Uint8Array): Frame {
  const frame = new Uint8Array(FRAME_HEADER_BYTES + 1 + bytes.length);
  new DataView(frame.buffer).setUint32(0, 1 + bytes.length, true);
  frame[FRAME_HEADER_BYTES] = Kind.Bytes;
  frame.set(bytes, FRAME_HEADER_BYTES + 1);
  return frame;
}

/** The value a record carries (a `Uint8Array` for a `sendBytes()` record), weft objects attached in this thread. */
export function decodeMessage(record: Uint8Array): unknown {
  switch (record[0]) {
    case Kind.Value:
      return decode(record.subarray(1));
    case Kind.Handles: {
      const view = new DataView(record.buffer, record.byteOffset, record.byteLength);
      const length = view.getUint32(1, true);
      const handles = deserialize(record.subarray(5 + length)) as Handle[];
      return decode(record.subarray(5, 5 + length), handles);
    }
    case Kind.Bytes:
      return record.slice(1);
    default:
      throw new Error(`connection: malformed message (kind ${record[0]}); are two weft versions talking?`);
  }
}

/** The raw bytes of a `sendBytes()` record; another record is `ERR_INVALID_STATE` (it was sent with `send()`). */
export function decodeBytes(record: Uint8Array): Uint8Array {
  if (record[0] !== Kind.Bytes) {
    throw misuse(ErrorCode.InvalidState, 'connection: recvBytes() found a message sent with send(); receive it with recv()');
  }
  return record.slice(1);
}
