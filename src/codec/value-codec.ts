/**
 * The value codec: how an argument, a queue item or a result crosses to
 * another thread or process (ARCHITECTURE.md, decision 6). Values are
 * copied; weft objects (anything with a `[kHandle]()` method) and
 * SharedArrayBuffers travel as handles and are re-attached on the other side,
 * so a Lock sent to ten threads is one lock.
 *
 * `decode(encode(x))` deep-equals `structuredClone(x)` for what structured
 * clone supports, with the differences listed in encode-value.ts; what it
 * rejects (functions, symbols, Promises, sockets…, see unsendable.ts) fails
 * here, in the sender, with `ERR_NOT_SERIALIZABLE` and the path of the
 * offending value: `codec: item.tags[3] is a function "onData", …`.
 *
 * The binary format — one tag byte per value, then its payload — is the
 * table at the top of format.ts:
 *
 *   Undefined Null False True Int32 Float64 BigInt64 BigInt StringAscii
 *   StringUtf8 StringUtf16 Object Array(+SparseRest) Date Map Set ArrayBuffer
 *   View SharedView V8 Handle BackRef SharedBuffer, and End to close entry lists.
 *
 * `encode()` prefixes one FORMAT_VERSION byte; `encodeValue()` writes the
 * bare value into a caller's Writer (for framing of its own).
 */
import type { Handle } from './handles.js';
import { FORMAT_VERSION, type SharedBufferSink, type SharedBufferSource } from './format.js';
import { ValueEncoder } from './encode-value.js';
import { ValueDecoder } from './decode-value.js';
import { Reader, malformed } from './reader.js';
import { Unsendable, notSerializable } from './unsendable.js';
import { Writer } from './writer.js';

export interface EncodeOptions {
  /** How the top value is named in error paths: `'item'` gives `item.tags[3]`. Default `'value'`. */
  readonly path?: string;
  /**
   * For a top-level array whose elements are separate things (arguments):
   * their name in messages, 1-based — `'argument'` gives "argument 2 cannot
   * be sent: args[1].socket is a Socket…".
   */
  readonly elementName?: string;
  /**
   * Where SharedArrayBuffers go, for bytes that travel without them (a
   * thread pool's rings): each is written as its number in this table
   * (Tag.SharedBuffer). Without one, a SharedArrayBuffer is a handle.
   */
  readonly buffers?: SharedBufferSink;
}

/** A pooled writer larger than this is dropped after use rather than kept for the next message. */
const KEEP_WRITER_BYTES = 1 << 20;

// One encoder and one writer are reused across messages. A getter run during
// a walk could encode something else re-entrantly; it then gets fresh ones.
let pooledEncoder: ValueEncoder | undefined = new ValueEncoder();
let pooledWriter: Writer | undefined = new Writer(1024);

/**
 * Writes `value` to `writer`, pushing the handles of the weft objects in it
 * onto `handles`. On failure nothing is left behind: the writer and
 * `handles` are as they were.
 */
export function encodeValue(value: unknown, writer: Writer, handles: Handle[], options?: EncodeOptions): void {
  const encoder = pooledEncoder ?? new ValueEncoder();
  pooledEncoder = undefined;
  const start = writer.pos;
  const handleCount = handles.length;
  encoder.begin(writer, handles, options?.buffers);
  try {
    encoder.write(value);
  } catch (error) {
    writer.pos = start;
    handles.length = handleCount;
    if (error instanceof Unsendable) throw notSerializable(error, options?.path ?? 'value', subjectOf(error, options));
    throw error;
  } finally {
    encoder.end();
    pooledEncoder = encoder;
  }
}

let pooledDecoder: ValueDecoder | undefined = new ValueDecoder();

/**
 * Reads one value written by `encodeValue`, attaching its handles in this
 * thread; `buffers` resolves the shared buffers of a writer given a
 * `SharedBufferSink`.
 */
export function decodeValue(reader: Reader, handles: readonly Handle[], buffers?: SharedBufferSource): unknown {
  // Attaching a handle runs a constructor, which may decode re-entrantly: it gets a fresh decoder.
  const decoder = pooledDecoder ?? new ValueDecoder();
  pooledDecoder = undefined;
  decoder.begin(reader, handles, buffers);
  try {
    return decoder.read();
  } finally {
    decoder.end();
    pooledDecoder = decoder;
  }
}

/** `value` as a new Uint8Array (version byte + value). Handles of weft objects in it are pushed onto `handles`. */
export function encode(value: unknown, handles: Handle[] = [], options?: EncodeOptions): Uint8Array {
  const writer = pooledWriter ?? new Writer(1024);
  pooledWriter = undefined;
  try {
    writer.reset();
    writer.u8(FORMAT_VERSION);
    encodeValue(value, writer, handles, options);
    return writer.toBytes();
  } finally {
    if (writer.capacity <= KEEP_WRITER_BYTES) pooledWriter = writer;
  }
}

/** The value in `bytes` (as made by `encode`), with `handles` attached in this thread. */
export function decode(bytes: Uint8Array, handles: readonly Handle[] = []): unknown {
  const reader = new Reader(bytes);
  const version = reader.u8();
  if (version !== FORMAT_VERSION) {
    throw malformed(`format version ${version}, this weft reads version ${FORMAT_VERSION} (are two weft versions talking?)`);
  }
  const value = decodeValue(reader, handles);
  if (reader.remaining !== 0) throw malformed(`${reader.remaining} bytes after the value`);
  return value;
}

/** "argument 2" when the failure is inside element 1 of a top-level array and the caller named its elements. */
function subjectOf(error: Unsendable, options: EncodeOptions | undefined): string | undefined {
  if (options?.elementName === undefined) return undefined;
  const outermost = /^\[(\d+)\]$/.exec(error.steps[error.steps.length - 1] ?? '');
  return outermost === null ? undefined : `${options.elementName} ${Number(outermost[1]) + 1}`;
}
