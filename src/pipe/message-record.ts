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
import { decode, encode } from '../codec/value-codec.js';
import { ErrorCode, misuse } from '../errors.js';

export const Kind = { Value: 0, Handles: 1, Bytes: 2, Eof: 3 } as const;

export const CONNECTION_KIND = 'multiprocessing.Connection';

const MESSAGE_PATH = { path: 'message' } as const;

/** The record of `value`; throws `ERR_NOT_SERIALIZABLE` (nothing sent) for what cannot cross. */
export function encodeMessage(value: unknown): Uint8Array {
  const handles: Handle[] = [];
  const bytes = encode(value, handles, MESSAGE_PATH);
  if (handles.length === 0) {
    const record = new Uint8Array(1 + bytes.length);
    record[0] = Kind.Value;
    record.set(bytes, 1);
    return record;
  }
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
  const record = new Uint8Array(5 + bytes.length + tail.length);
  record[0] = Kind.Handles;
  new DataView(record.buffer).setUint32(1, bytes.length, true);
  record.set(bytes, 5);
  record.set(tail, 5 + bytes.length);
  return record;
}

/** The record of a `sendBytes()`. */
export function encodeBytes(bytes: Uint8Array): Uint8Array {
  const record = new Uint8Array(1 + bytes.length);
  record[0] = Kind.Bytes;
  record.set(bytes, 1);
  return record;
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
