/**
 * The decoding side of the value codec (format.ts has the format).
 *
 * Objects are numbered in the order they are created, which is the order the
 * encoder wrote their tags, so a BackRef id is an index into `objects`.
 * A handle index seen twice attaches once: one message never holds two
 * wrappers for the same handle.
 *
 * Data may come from another process, so a bad tag, id, index or length
 * throws "codec: malformed data" (reader.ts) rather than building a wrong
 * value.
 */
import { deserialize } from 'node:v8';
import { attachHandle, registerHandleKind, type Handle } from './handles.js';
import { DATA_VIEW_KIND, SHARED_ARRAY_BUFFER_KIND, Tag, viewConstructors, type SharedBufferSource } from './format.js';
import { malformed, type Reader } from './reader.js';

// A raw SharedArrayBuffer crosses as a handle whose data is the buffer itself
// (postMessage shares its memory); attaching it is taking it as it is.
registerHandleKind(SHARED_ARRAY_BUFFER_KIND, (buffer: SharedArrayBuffer) => buffer);

/** The longest array length JavaScript allows. */
const MAX_ARRAY_LENGTH = 0xffff_ffff;

export class ValueDecoder {
  #r!: Reader;
  #handles!: readonly Handle[];
  #buffers: SharedBufferSource | undefined;
  // Objects in creation order (BackRef ids); `#objectCount` of them belong
  // to this message. Kept between messages, so that decoding one costs no
  // array allocation.
  readonly #objects: unknown[] = [];
  #objectCount = 0;
  #attached: (object | undefined)[] | undefined;

  /** Starts a message read from `reader`, with the handles (and shared buffers, if any) sent beside it. */
  begin(reader: Reader, handles: readonly Handle[], buffers: SharedBufferSource | undefined): void {
    this.#r = reader;
    this.#handles = handles;
    this.#buffers = buffers;
  }

  /** Ends a message, dropping its objects (the decoder is reused). */
  end(): void {
    const objects = this.#objects;
    for (let i = 0; i < this.#objectCount; i++) objects[i] = undefined;
    this.#objectCount = 0;
    this.#attached = undefined;
    this.#r = undefined as never;
    this.#handles = undefined as never;
    this.#buffers = undefined;
  }

  read(): unknown {
    return this.#byTag(this.#r.u8());
  }

  #byTag(tag: number): unknown {
    const r = this.#r;
    switch (tag) {
      case Tag.Undefined:
        return undefined;
      case Tag.Null:
        return null;
      case Tag.False:
        return false;
      case Tag.True:
        return true;
      case Tag.Int32:
        return r.i32();
      case Tag.Float64:
        return r.f64();
      case Tag.BigInt64:
        return r.i64();
      case Tag.BigInt:
        return this.#bigint();
      case Tag.StringAscii:
        return r.ascii(r.varint());
      case Tag.StringUtf8:
        return r.utf8(r.varint());
      case Tag.StringUtf16:
        return r.utf16(r.varint());
      case Tag.Object:
        return this.#object();
      case Tag.Array:
        return this.#array();
      case Tag.Date:
        return this.#register(new Date(r.f64()));
      case Tag.Map:
        return this.#map();
      case Tag.Set:
        return this.#set();
      case Tag.ArrayBuffer:
        return this.#register(r.copy(r.varint()).buffer);
      case Tag.View:
        return this.#view();
      case Tag.SharedView:
        return this.#sharedView();
      case Tag.V8:
        return this.#v8();
      case Tag.Handle:
        return this.#handle();
      case Tag.BackRef:
        return this.#backRef();
      case Tag.SharedBuffer:
        return this.#sharedBuffer();
      default:
        throw malformed(`unexpected tag 0x${tag.toString(16)} at byte ${r.pos - 1}`);
    }
  }

  #register<T>(object: T): T {
    this.#objects[this.#objectCount++] = object;
    return object;
  }

  #bigint(): bigint {
    const r = this.#r;
    const negative = r.u8() === 1;
    const words = r.varint();
    r.need(words * 8);
    let magnitude = 0n;
    const start = r.pos;
    for (let i = words - 1; i >= 0; i--) {
      r.pos = start + i * 8;
      magnitude = (magnitude << 64n) | r.u64();
    }
    r.pos = start + words * 8;
    return negative ? -magnitude : magnitude;
  }

  /** A key: any String* value. */
  #key(tag: number): string {
    const r = this.#r;
    switch (tag) {
      case Tag.StringAscii:
        return r.asciiKey(r.varint());
      case Tag.StringUtf8:
        return r.utf8(r.varint());
      case Tag.StringUtf16:
        return r.utf16(r.varint());
      default:
        throw malformed(`expected a key, found tag 0x${tag.toString(16)} at byte ${r.pos - 1}`);
    }
  }

  #object(): Record<string, unknown> {
    const object = this.#register<Record<string, unknown>>({});
    this.#entries(object);
    return object;
  }

  /** (key, value)* End into `target`. */
  #entries(target: Record<string, unknown>): void {
    const r = this.#r;
    for (let tag = r.u8(); tag !== Tag.End; tag = r.u8()) {
      const key = this.#key(tag);
      const value = this.read();
      if (key === '__proto__') {
        // An own property named __proto__, as structured clone makes it — not a prototype change.
        Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
      } else {
        target[key] = value;
      }
    }
  }

  #array(): unknown[] {
    const r = this.#r;
    const length = r.varint();
    if (length > MAX_ARRAY_LENGTH) throw malformed(`array length ${length}`);
    const array = this.#register<unknown[]>([]);
    for (let i = 0; i < length; i++) {
      const tag = r.u8();
      if (tag === Tag.SparseRest) {
        this.#sparseRest(array, i, length);
        break;
      }
      array.push(this.#byTag(tag));
    }
    return array;
  }

  /** Indices from `hole` on are absent unless listed. */
  #sparseRest(array: unknown[], hole: number, length: number): void {
    const r = this.#r;
    array.length = length;
    const count = r.varint();
    for (let i = 0; i < count; i++) {
      const index = r.varint();
      if (index < hole || index >= length) throw malformed(`sparse index ${index} outside [${hole}, ${length})`);
      array[index] = this.read();
    }
    this.#entries(array as unknown as Record<string, unknown>);
  }

  #map(): Map<unknown, unknown> {
    const r = this.#r;
    const map = this.#register(new Map<unknown, unknown>());
    for (let tag = r.u8(); tag !== Tag.End; tag = r.u8()) {
      const key = this.#byTag(tag);
      map.set(key, this.read());
    }
    return map;
  }

  #set(): Set<unknown> {
    const r = this.#r;
    const set = this.#register(new Set<unknown>());
    for (let tag = r.u8(); tag !== Tag.End; tag = r.u8()) set.add(this.#byTag(tag));
    return set;
  }

  #view(): ArrayBufferView {
    const r = this.#r;
    const kind = r.u8();
    const Ctor = viewConstructors[kind];
    if (Ctor === undefined) throw malformed(`view kind ${kind}`);
    const buffer = r.copy(r.varint()).buffer;
    if (kind !== DATA_VIEW_KIND && buffer.byteLength % (Ctor as Uint8ArrayConstructor).BYTES_PER_ELEMENT !== 0) {
      throw malformed(`${Ctor.name} of ${buffer.byteLength} bytes`);
    }
    return this.#register(new Ctor(buffer));
  }

  #sharedView(): ArrayBufferView {
    const r = this.#r;
    // The view's id comes before its buffer's: reserve it.
    const id = this.#objectCount++;
    this.#objects[id] = undefined;
    const kind = r.u8();
    const Ctor = viewConstructors[kind];
    if (Ctor === undefined) throw malformed(`view kind ${kind}`);
    const buffer = this.read();
    if (!(buffer instanceof SharedArrayBuffer)) throw malformed('a shared view without a SharedArrayBuffer');
    const byteOffset = r.varint();
    const length = r.varint();
    let view: ArrayBufferView;
    try {
      view = new Ctor(buffer, byteOffset, length);
    } catch (error) {
      throw malformed(`${Ctor.name}(${byteOffset}, ${length}) over ${buffer.byteLength} bytes: ${(error as Error).message}`);
    }
    this.#objects[id] = view;
    return view;
  }

  #v8(): unknown {
    const r = this.#r;
    const bytes = r.copy(r.varint());
    let value: unknown;
    try {
      value = deserialize(bytes);
    } catch (error) {
      throw malformed(`v8 leaf: ${(error as Error).message}`);
    }
    return this.#register(value);
  }

  #handle(): object {
    const index = this.#r.varint();
    if (index >= this.#handles.length) throw malformed(`handle ${index} of ${this.#handles.length}`);
    const attached = (this.#attached ??= []);
    const object = (attached[index] ??= attachHandle(this.#handles[index]));
    return this.#register(object);
  }

  #sharedBuffer(): SharedArrayBuffer {
    const id = this.#r.varint();
    if (this.#buffers === undefined) throw malformed(`shared buffer ${id} where no shared buffers travel`);
    return this.#register(this.#buffers.bufferOf(id));
  }

  #backRef(): unknown {
    const id = this.#r.varint();
    if (id >= this.#objectCount) throw malformed(`back-reference to object ${id} of ${this.#objectCount}`);
    return this.#objects[id];
  }
}
