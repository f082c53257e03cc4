/**
 * The value codec's binary format: one tag byte per value, then its payload.
 * Numbers are little-endian; "varint" is unsigned LEB128; "string" is a
 * whole String* value (tag included). writer.ts has the primitive encodings.
 *
 * | tag  | name          | payload                                                                      |
 * |------|---------------|------------------------------------------------------------------------------|
 * | 0x00 | End           | none — ends the entries of an Object, Map, Set, or the named part of an Array |
 * | 0x01 | Undefined     | none                                                                         |
 * | 0x02 | Null          | none                                                                         |
 * | 0x03 | False         | none                                                                         |
 * | 0x04 | True          | none                                                                         |
 * | 0x05 | Int32         | int32 — a number that is an integer in int32 range and not -0                 |
 * | 0x06 | Float64       | float64 — every other number (NaN, ±Infinity, -0 exactly)                    |
 * | 0x07 | BigInt64      | int64 — a bigint in int64 range                                              |
 * | 0x08 | BigInt        | u8 sign (0 +, 1 −), varint n, n × uint64 magnitude words, least significant first |
 * | 0x09 | StringAscii   | varint length, one byte per char                                             |
 * | 0x0a | StringUtf8    | varint byte length (may be non-minimal), UTF-8 bytes                          |
 * | 0x0b | StringUtf16   | varint units, 2 bytes per UTF-16 unit — only strings with lone surrogates     |
 * | 0x10 | Object        | (key string, value)* End — own enumerable string keys, in `for…in` order      |
 * | 0x11 | Array         | varint length, then one value per index; a SparseRest ends the dense run early |
 * | 0x12 | SparseRest    | (only as an Array element) varint n, n × (varint index, value), then (key string, value)* End for named properties |
 * | 0x13 | Date          | float64 time value                                                           |
 * | 0x14 | Map           | (key value, value)* End                                                      |
 * | 0x15 | Set           | value* End                                                                   |
 * | 0x16 | ArrayBuffer   | varint byte length, bytes                                                    |
 * | 0x17 | View          | u8 ViewKind, varint byte length, bytes — a copy of the view's own window      |
 * | 0x18 | SharedView    | u8 ViewKind, value (its SharedArrayBuffer: a Handle or BackRef), varint byteOffset, varint length (elements; bytes for DataView) |
 * | 0x19 | V8            | varint n, n bytes of `v8.serialize(value)` — RegExp, Error, boxed primitives, resizable ArrayBuffer |
 * | 0x1a | Handle        | varint index into the message's handles — a weft object, or a SharedArrayBuffer |
 * | 0x1b | BackRef       | varint id of an object already in this message                              |
 * | 0x1c | SharedBuffer  | varint id in the channel's shared-buffer table — a SharedArrayBuffer that travels beside the bytes (only where the writer was given a table: a thread pool's channel, `src/pool/shared-buffers.ts`) |
 *
 * Object ids. Every value that is an object — Object, Array, Date, Map, Set,
 * ArrayBuffer, View, SharedView, V8, Handle, SharedBuffer — gets the next id (0, 1, 2…)
 * when its tag is written, *before* its contents, and the decoder numbers
 * objects the same way as it creates them. A second occurrence of the same
 * object is a BackRef, so shared subobjects keep their identity and cycles
 * terminate.
 *
 * `encode()`/`decode()` put one byte, `FORMAT_VERSION`, before the value, so
 * that weft processes of different versions (hub, Redis) detect a mismatch
 * instead of misreading each other.
 */

export const FORMAT_VERSION = 1;

export const Tag = {
  End: 0x00,
  Undefined: 0x01,
  Null: 0x02,
  False: 0x03,
  True: 0x04,
  Int32: 0x05,
  Float64: 0x06,
  BigInt64: 0x07,
  BigInt: 0x08,
  StringAscii: 0x09,
  StringUtf8: 0x0a,
  StringUtf16: 0x0b,
  Object: 0x10,
  Array: 0x11,
  SparseRest: 0x12,
  Date: 0x13,
  Map: 0x14,
  Set: 0x15,
  ArrayBuffer: 0x16,
  View: 0x17,
  SharedView: 0x18,
  V8: 0x19,
  Handle: 0x1a,
  BackRef: 0x1b,
  SharedBuffer: 0x1c,
} as const;
export type Tag = (typeof Tag)[keyof typeof Tag];

/**
 * The kind byte of View and SharedView, one per ArrayBufferView constructor.
 * A Buffer is a Uint8Array (structured clone also turns it into one).
 */
export type ViewConstructor = new (buffer: ArrayBufferLike, byteOffset?: number, length?: number) => ArrayBufferView;

export const viewConstructors: readonly ViewConstructor[] = [
  Int8Array,
  Uint8Array,
  Uint8ClampedArray,
  Int16Array,
  Uint16Array,
  Int32Array,
  Uint32Array,
  Float32Array,
  Float64Array,
  BigInt64Array,
  BigUint64Array,
  DataView,
];
export const DATA_VIEW_KIND = viewConstructors.length - 1;

/** `Symbol.toStringTag` of a typed array (its intrinsic name, also for Buffer and subclasses) → kind byte. */
export const viewKindByName: ReadonlyMap<string, number> = new Map(viewConstructors.map((ctor, kind) => [ctor.name, kind]));

/** The handle kind under which a raw SharedArrayBuffer crosses (its memory is shared, as with structured clone). */
export const SHARED_ARRAY_BUFFER_KIND = 'SharedArrayBuffer';

/**
 * Where a writer puts the SharedArrayBuffers it meets, when bytes alone
 * must carry a value (a thread pool's rings): each buffer gets a number,
 * and the buffer itself travels beside the bytes (`src/pool/shared-buffers.ts`).
 */
export interface SharedBufferSink {
  /** The buffer's number in this channel; a buffer met for the first time is sent to the reader before this returns. */
  idOf(buffer: SharedArrayBuffer): number;
}

/** The reading side of a `SharedBufferSink`. */
export interface SharedBufferSource {
  /** The buffer numbered `id`; throws "codec: malformed data" for a number never sent. */
  bufferOf(id: number): SharedArrayBuffer;
}
