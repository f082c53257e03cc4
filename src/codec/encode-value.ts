/**
 * The encoding walk of the value codec (format.ts has the format).
 *
 * The walk is ours all the way down, so that a weft object (or a
 * SharedArrayBuffer) anywhere in the value — in an array, an object, a Map
 * key, a Set — is found and sent as a handle. Only leaves that have no
 * children worth walking (RegExp, Error, boxed primitives) go through
 * `v8.serialize`, one call each.
 *
 * What is copied follows structured clone: own enumerable string-keyed
 * properties (getters are read), prototypes dropped (a class instance arrives
 * as a plain object), identity and cycles kept. Known differences, each for
 * speed or because weft has something better:
 *
 * - named properties on a dense array (`arr.extra = 1`, the `index`/`input`
 *   of a RegExp match) are dropped: finding them costs an `Object.keys` over
 *   every index, ~100 ns per element. Sparse arrays keep them.
 * - a typed array or DataView carries only the bytes of its own window, in a
 *   fresh ArrayBuffer (as `v8.serialize` does), not the whole buffer behind
 *   it: sending a 3-byte Buffer does not send Node's 8 KiB pool. Two views
 *   of one ArrayBuffer arrive over two buffers.
 * - a SharedArrayBuffer (and a view of one) crosses as a handle, so it stays
 *   shared, and is rejected by process scope like any thread-scope handle.
 * - a Proxy is read through its traps; the things in unsendable.ts are
 *   rejected, EventEmitters and EventTargets included.
 *
 * Hot-path rules: a switch on `typeof`, no closure per value (Map/Set
 * entries go through module-level callbacks with `this` as the encoder), no
 * `Object.entries`, and path bookkeeping only on failure (see unsendable.ts).
 */
import { deserialize, serialize } from 'node:v8';
import { types } from 'node:util';
import { isShareable, kHandle, type Handle } from './handles.js';
import { DATA_VIEW_KIND, SHARED_ARRAY_BUFFER_KIND, Tag, viewKindByName, type SharedBufferSink } from './format.js';
import { Unsendable, describe, indexStep, keyStep, mapKeyStep, mapValueStep, setMemberStep, unsendablePrimitive, whyUnsendable } from './unsendable.js';
import type { Writer } from './writer.js';

const ObjectPrototype = Object.prototype;
const hasOwn = Object.hasOwn;
const getTime = Date.prototype.getTime;
const mapForEach = Map.prototype.forEach;
const setForEach = Set.prototype.forEach;
const typedArrayTag = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(Uint8Array.prototype), Symbol.toStringTag)!.get!;
const UINT64 = 0xffff_ffff_ffff_ffffn;

/**
 * Prototypes whose instances are known to be ordinary objects (copied as
 * plain objects), so that `whyUnsendable` runs once per class, not once per
 * instance.
 */
const ordinaryPrototypes = new WeakSet<object>();
/** Built-in prototypes that must never be cached as ordinary, even if an impostor (`Object.create(Date.prototype)`) is seen first. */
const specialPrototypes: readonly object[] = [
  Date.prototype, Map.prototype, Set.prototype, ArrayBuffer.prototype, SharedArrayBuffer.prototype, DataView.prototype,
  Object.getPrototypeOf(Uint8Array.prototype) as object, RegExp.prototype, Error.prototype,
  Number.prototype, String.prototype, Boolean.prototype, BigInt.prototype, Symbol.prototype,
];

const SEEN_LIST_MAX = 32;

export class ValueEncoder {
  w!: Writer;
  handles!: Handle[];
  /** Where SharedArrayBuffers go when the bytes travel without them; else they become handles. */
  buffers: SharedBufferSink | undefined;
  // Objects already written, for back-references: the first `#nextId`
  // entries of `#seen`, the object with id i at index i. Most messages hold
  // a handful of objects: a list searched from the end is faster for those
  // than a Map (and a Map's clear() costs more than the whole message); past
  // SEEN_LIST_MAX the Map takes over. The list is kept between messages
  // (emptied, not shortened: setting an array's length is a runtime call).
  readonly #seen: (object | undefined)[] = [];
  #ids: Map<object, number> | undefined;
  #nextId = 0;

  /** Starts a message: ids restart at 0. */
  begin(writer: Writer, handles: Handle[], buffers: SharedBufferSink | undefined): void {
    this.w = writer;
    this.handles = handles;
    this.buffers = buffers;
  }

  /** Ends a message, dropping references to its objects. */
  end(): void {
    const seen = this.#seen;
    const listed = Math.min(this.#nextId, SEEN_LIST_MAX);
    for (let i = 0; i < listed; i++) seen[i] = undefined;
    this.#ids = undefined;
    this.#nextId = 0;
    this.handles = undefined as never;
    this.buffers = undefined;
  }

  write(value: unknown): void {
    switch (typeof value) {
      case 'number':
        return this.#number(value);
      case 'string':
        return this.string(value);
      case 'boolean':
        return this.w.u8(value ? Tag.True : Tag.False);
      case 'undefined':
        return this.w.u8(Tag.Undefined);
      case 'object':
        return value === null ? this.w.u8(Tag.Null) : this.#object(value);
      case 'bigint':
        return this.#bigint(value);
      default:
        // function, symbol
        throw unsendablePrimitive(value);
    }
  }

  /** A string value, tag included; also used for keys. */
  string(s: string): void {
    const w = this.w;
    const n = s.length;
    if (n < 0x80) {
      // Keys and most values: short ASCII, with a one-byte length — one
      // reserve, one loop, straight into the buffer.
      w.reserve(n + 2);
      const bytes = w.bytes;
      const at = w.pos + 2;
      let i = 0;
      for (; i < n; i++) {
        const c = s.charCodeAt(i);
        if (c >= 0x80) break;
        bytes[at + i] = c;
      }
      if (i === n) {
        bytes[at - 2] = Tag.StringAscii;
        bytes[at - 1] = n;
        w.pos = at + n;
        return;
      }
    }
    const start = w.pos;
    if (n >= 0x80) {
      // Long: ASCII if encodeInto says so (short ones were tried above).
      w.u8(Tag.StringAscii);
      w.varint(n);
      if (w.ascii(s)) return;
      w.pos = start;
    }
    w.u8(Tag.StringUtf8);
    if (w.utf8(s)) return;
    w.pos = start;
    w.u8(Tag.StringUtf16);
    w.utf16(s);
  }

  #number(x: number): void {
    // `(x | 0) === x` holds for int32 integers, and for -0, which must stay a float.
    if ((x | 0) === x && (x !== 0 || 1 / x > 0)) {
      this.w.u8(Tag.Int32);
      this.w.i32(x);
    } else {
      this.w.u8(Tag.Float64);
      this.w.f64(x);
    }
  }

  #bigint(b: bigint): void {
    const w = this.w;
    if (BigInt.asIntN(64, b) === b) {
      w.u8(Tag.BigInt64);
      w.i64(b);
      return;
    }
    w.u8(Tag.BigInt);
    w.u8(b < 0n ? 1 : 0);
    let magnitude = b < 0n ? -b : b;
    const words = Math.ceil(magnitude.toString(16).length / 16);
    w.varint(words);
    for (let i = 0; i < words; i++) {
      w.u64(magnitude & UINT64);
      magnitude >>= 64n;
    }
  }

  /** Gives `object` the next id; called as its tag is written, before its contents. */
  #register(object: object): void {
    const id = this.#nextId++;
    if (this.#ids !== undefined) {
      this.#ids.set(object, id);
    } else if (id < SEEN_LIST_MAX) {
      this.#seen[id] = object;
    } else {
      this.#ids = new Map(this.#seen.map((seen, i) => [seen!, i]));
      this.#ids.set(object, id);
    }
  }

  /** The id of an object already written, or undefined. */
  #idOf(object: object): number | undefined {
    if (this.#ids !== undefined) return this.#ids.get(object);
    const seen = this.#seen;
    for (let i = this.#nextId - 1; i >= 0; i--) if (seen[i] === object) return i;
    return undefined;
  }

  #object(value: object): void {
    const id = this.#idOf(value);
    if (id !== undefined) {
      this.w.u8(Tag.BackRef);
      this.w.varint(id);
      return;
    }
    if (Array.isArray(value)) return this.#array(value);
    const proto = Object.getPrototypeOf(value) as object | null;
    if (proto === ObjectPrototype || proto === null) return this.#plain(value);
    this.#special(value, proto);
  }

  /** Own enumerable string keys, in `for…in` order (integer keys first, as everywhere). */
  #plain(object: object): void {
    this.#register(object);
    this.w.u8(Tag.Object);
    let key: string | undefined;
    try {
      for (key in object) {
        if (!hasOwn(object, key)) continue;
        this.string(key);
        this.write((object as Record<string, unknown>)[key]);
      }
    } catch (error) {
      if (error instanceof Unsendable && key !== undefined) error.steps.push(keyStep(key));
      throw error;
    }
    this.w.u8(Tag.End);
  }

  #array(array: unknown[]): void {
    this.#register(array);
    const w = this.w;
    const length = array.length;
    w.u8(Tag.Array);
    w.varint(length);
    let i = 0;
    try {
      for (; i < length; i++) {
        const item = array[i];
        if (item === undefined && !hasOwn(array, i)) break;
        this.write(item);
      }
    } catch (error) {
      if (error instanceof Unsendable) error.steps.push(indexStep(i));
      throw error;
    }
    if (i < length) this.#sparseRest(array, i);
  }

  /** The rest of an array from its first hole: present indices and named properties (`Object.keys` order: indices ascending, then names). */
  #sparseRest(array: unknown[], hole: number): void {
    const w = this.w;
    const keys = Object.keys(array);
    let named = 0;
    while (named < keys.length && isIndexKey(keys[named])) named++;
    let from = 0;
    while (from < named && Number(keys[from]) < hole) from++;
    w.u8(Tag.SparseRest);
    w.varint(named - from);
    let k = from;
    try {
      for (; k < named; k++) {
        const index = Number(keys[k]);
        w.varint(index);
        this.write(array[index]);
      }
      for (; k < keys.length; k++) {
        this.string(keys[k]);
        this.write((array as unknown as Record<string, unknown>)[keys[k]]);
      }
    } catch (error) {
      if (error instanceof Unsendable) error.steps.push(k < named ? indexStep(Number(keys[k])) : keyStep(keys[k]));
      throw error;
    }
    w.u8(Tag.End);
  }

  /** Everything that is not a plain object or an array. */
  #special(value: object, proto: object): void {
    if (isShareable(value)) return this.#handle(value, value[kHandle]());
    if (ordinaryPrototypes.has(proto)) return this.#plain(value);
    if (types.isDate(value)) {
      this.#register(value);
      this.w.u8(Tag.Date);
      this.w.f64(getTime.call(value));
      return;
    }
    if (types.isMap(value)) return this.#map(value);
    if (types.isSet(value)) return this.#set(value);
    if (types.isArrayBufferView(value)) return this.#view(value);
    if (types.isArrayBuffer(value)) return this.#arrayBuffer(value);
    if (types.isSharedArrayBuffer(value)) {
      if (this.buffers !== undefined) return this.#sharedBuffer(value);
      return this.#handle(value, { kind: SHARED_ARRAY_BUFFER_KIND, scope: 'thread', data: value });
    }
    if (types.isRegExp(value) || types.isNativeError(value) || types.isBoxedPrimitive(value)) return this.#v8(value);
    const unsendable = whyUnsendable(value);
    if (unsendable !== undefined) throw unsendable;
    if (!specialPrototypes.some((special) => special === proto || Object.prototype.isPrototypeOf.call(special, proto))) ordinaryPrototypes.add(proto);
    this.#plain(value);
  }

  #handle(object: object, handle: Handle): void {
    this.#register(object);
    this.w.u8(Tag.Handle);
    this.w.varint(this.handles.length);
    this.handles.push(handle);
  }

  #sharedBuffer(buffer: SharedArrayBuffer): void {
    this.#register(buffer);
    const id = this.buffers!.idOf(buffer);
    this.w.u8(Tag.SharedBuffer);
    this.w.varint(id);
  }

  #map(map: Map<unknown, unknown>): void {
    this.#register(map);
    this.w.u8(Tag.Map);
    mapForEach.call(map, writeMapEntry, this);
    this.w.u8(Tag.End);
  }

  #set(set: Set<unknown>): void {
    this.#register(set);
    this.w.u8(Tag.Set);
    setForEach.call(set, writeSetMember, this);
    this.w.u8(Tag.End);
  }

  #view(view: ArrayBufferView): void {
    const kind = types.isDataView(view) ? DATA_VIEW_KIND : viewKindByName.get(typedArrayTag.call(view) as string);
    if (kind === undefined) return this.#v8(view); // a view type newer than this table (Float16Array)
    const w = this.w;
    this.#register(view);
    if (types.isSharedArrayBuffer(view.buffer)) {
      w.u8(Tag.SharedView);
      w.u8(kind);
      this.write(view.buffer);
      w.varint(view.byteOffset);
      w.varint(kind === DATA_VIEW_KIND ? view.byteLength : (view as Uint8Array).length);
      return;
    }
    w.u8(Tag.View);
    w.u8(kind);
    w.varint(view.byteLength);
    w.raw(new Uint8Array(view.buffer, view.byteOffset, view.byteLength));
  }

  #arrayBuffer(buffer: ArrayBuffer): void {
    // A resizable buffer keeps its maxByteLength through v8, as through structured clone.
    if ((buffer as { resizable?: boolean }).resizable === true) return this.#v8(buffer);
    this.#register(buffer);
    this.w.u8(Tag.ArrayBuffer);
    this.w.varint(buffer.byteLength);
    this.w.raw(new Uint8Array(buffer));
  }

  /** A leaf through `v8.serialize`: exactly structured clone's semantics for it. */
  #v8(value: object): void {
    let bytes: Uint8Array;
    try {
      bytes = serialize(value);
      // Node 20's v8 writes an error with a cyclic `cause` chain that it then
      // cannot read ("Unable to deserialize cloned data"; structuredClone
      // fails the same way). Errors are rare as values: check them here, so
      // the failure is the sender's ERR_NOT_SERIALIZABLE, not the receiver's.
      if (types.isNativeError(value)) deserialize(bytes);
    } catch (error) {
      const reason = error instanceof Error ? `: ${error.message}` : '';
      throw new Unsendable(`${describe(value)} that the v8 serializer cannot copy${reason}`);
    }
    this.#register(value);
    this.w.u8(Tag.V8);
    this.w.varint(bytes.length);
    this.w.raw(bytes);
  }
}

function writeMapEntry(this: ValueEncoder, value: unknown, key: unknown): void {
  try {
    this.write(key);
  } catch (error) {
    if (error instanceof Unsendable) error.steps.push(mapKeyStep);
    throw error;
  }
  try {
    this.write(value);
  } catch (error) {
    if (error instanceof Unsendable) error.steps.push(mapValueStep(key));
    throw error;
  }
}

function writeSetMember(this: ValueEncoder, member: unknown): void {
  try {
    this.write(member);
  } catch (error) {
    if (error instanceof Unsendable) error.steps.push(setMemberStep);
    throw error;
  }
}

/** An array index: a canonical decimal string of an integer in [0, 2^32 - 2]. */
function isIndexKey(key: string): boolean {
  const n = Number(key);
  return n >>> 0 === n && n !== 0xffff_ffff && String(n) === key;
}
