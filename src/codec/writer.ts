/**
 * A growable byte writer: the sink every weft codec writes into.
 *
 * Encodings (all little-endian):
 *
 * | write           | bytes                                                                 |
 * |-----------------|-----------------------------------------------------------------------|
 * | `u8(b)`         | 1                                                                     |
 * | `varint(n)`     | unsigned LEB128, 7 bits a byte, low group first; `n` in [0, 2^53)      |
 * | `i32(n)`        | 4, two's complement                                                   |
 * | `f64(x)`        | 8, IEEE 754 (NaN, ±Infinity and -0 survive exactly)                    |
 * | `i64(b)`/`u64(b)` | 8, a bigint in the 64-bit range                                     |
 * | `raw(bytes)`    | the bytes as they are                                                 |
 * | `ascii(s)`      | one byte per char, if all chars are < 0x80 (else writes nothing, returns false) |
 * | `utf8(s)`       | a varint byte length, then UTF-8 (returns false at a lone surrogate)  |
 * | `utf16(s)`      | a varint count, then two bytes per UTF-16 code unit — lone surrogates kept |
 *
 * Buffer-access surface. Every write goes through three fields and one
 * method, so a subclass can point the writer at other memory (a region of a
 * SharedArrayBuffer, for a queue that encodes straight into its ring):
 *
 * - `bytes` / `view`: the Uint8Array and a DataView over *exactly* the same
 *   bytes (`view` is built from `bytes.buffer/byteOffset/byteLength`);
 * - `pos`: the next byte to write, relative to `bytes`;
 * - `grow(minCapacity)`: the only place that replaces `bytes`/`view`. It is
 *   called by `reserve(n)` when fewer than `n` bytes are left. The default
 *   doubles into a fresh ArrayBuffer; a fixed region overrides it to throw
 *   (or to spill elsewhere).
 *
 * Callers may write through the same surface — `reserve(n)`, then
 * `bytes[pos, pos + n)`, then advance `pos` — as the value encoder does for
 * short ASCII strings.
 *
 * Writes never allocate on the fast path: numbers go through `view` (no
 * scratch Float64Array needed), ASCII strings through a plain loop, and
 * `reset()` keeps the buffer for the next message.
 */

const encoder = new TextEncoder();

/** Strings up to this many UTF-16 units are encoded by hand; longer ones by `TextEncoder.encodeInto`, whose native call only pays off for longer runs. */
const SHORT_STRING = 64;

export class Writer {
  /** The bytes written so far are `bytes[0, pos)`. Replaced (never resized in place) by `grow()`. */
  bytes: Uint8Array;
  /** A DataView over exactly `bytes`. */
  view: DataView;
  pos = 0;

  /** Starts with a fresh buffer of `initial` bytes, or over the given bytes (writing from their start). */
  constructor(initial: number | Uint8Array = 256) {
    this.bytes = typeof initial === 'number' ? new Uint8Array(Math.max(16, initial)) : initial;
    this.view = viewOf(this.bytes);
  }

  /** Forgets what was written, keeping the buffer for the next message. */
  reset(): void {
    this.pos = 0;
  }

  /** The bytes written, as a view that is only valid until the next write or `reset()`. */
  subarray(): Uint8Array {
    return this.bytes.subarray(0, this.pos);
  }

  /** A copy of the bytes written, in a buffer of its own (exactly sized). */
  toBytes(): Uint8Array {
    return this.bytes.slice(0, this.pos);
  }

  /** The capacity of the current buffer. */
  get capacity(): number {
    return this.bytes.length;
  }

  /** Makes room for `n` more bytes. */
  reserve(n: number): void {
    if (this.pos + n > this.bytes.length) this.grow(this.pos + n);
  }

  /** Replaces `bytes`/`view` with a buffer of at least `minCapacity` bytes, keeping `bytes[0, pos)`. */
  protected grow(minCapacity: number): void {
    let capacity = Math.max(16, this.bytes.length * 2);
    while (capacity < minCapacity) capacity *= 2;
    const next = new Uint8Array(capacity);
    next.set(this.bytes.subarray(0, this.pos));
    this.bytes = next;
    this.view = viewOf(next);
  }

  u8(b: number): void {
    this.reserve(1);
    this.bytes[this.pos++] = b;
  }

  /** Unsigned LEB128. `n` must be an integer in [0, 2^53). */
  varint(n: number): void {
    this.reserve(8);
    const bytes = this.bytes;
    let pos = this.pos;
    if (n < 0x80) {
      bytes[pos++] = n;
    } else if (n <= 0x7fffffff) {
      // Bitwise ops are exact below 2^31.
      while (n >= 0x80) {
        bytes[pos++] = (n & 0x7f) | 0x80;
        n >>>= 7;
      }
      bytes[pos++] = n;
    } else {
      while (n >= 0x80) {
        bytes[pos++] = (n % 0x80) | 0x80;
        n = Math.floor(n / 0x80);
      }
      bytes[pos++] = n;
    }
    this.pos = pos;
  }

  i32(n: number): void {
    this.reserve(4);
    this.view.setInt32(this.pos, n, true);
    this.pos += 4;
  }

  f64(x: number): void {
    this.reserve(8);
    this.view.setFloat64(this.pos, x, true);
    this.pos += 8;
  }

  i64(b: bigint): void {
    this.reserve(8);
    this.view.setBigInt64(this.pos, b, true);
    this.pos += 8;
  }

  u64(b: bigint): void {
    this.reserve(8);
    this.view.setBigUint64(this.pos, b, true);
    this.pos += 8;
  }

  raw(src: Uint8Array): void {
    this.reserve(src.length);
    this.bytes.set(src, this.pos);
    this.pos += src.length;
  }

  /**
   * Writes `s` one byte per char if every char is ASCII and returns true;
   * otherwise writes nothing and returns false. Short strings are checked
   * and copied in one loop; long ones are handed to `encodeInto`, which is
   * ASCII exactly when it writes one byte per char.
   */
  ascii(s: string): boolean {
    const n = s.length;
    this.reserve(n);
    const bytes = this.bytes;
    const start = this.pos;
    if (n > SHORT_STRING) {
      // Every non-ASCII char takes >= 2 bytes, so n units fit in n bytes only if all are ASCII.
      if (encoder.encodeInto(s, bytes.subarray(start, start + n)).read !== n) return false;
      this.pos = start + n;
      return true;
    }
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) return false;
      bytes[start + i] = c;
    }
    this.pos = start + n;
    return true;
  }

  /**
   * Writes a varint byte length and the UTF-8 of `s`, and returns true; or,
   * if `s` holds a lone surrogate (which UTF-8 cannot carry: TextEncoder
   * would turn it into U+FFFD, while structured clone keeps it), writes
   * nothing and returns false.
   *
   * The byte length is only known after encoding, so the length prefix is
   * written in the width the worst case (3 bytes per UTF-16 unit) needs,
   * padded with zero continuation groups when the real length is shorter —
   * LEB128 readers accept such non-minimal forms, and it saves moving the
   * encoded bytes.
   */
  utf8(s: string): boolean {
    const n = s.length;
    const max = n * 3;
    const width = varintWidth(max);
    this.reserve(width + max);
    const start = this.pos + width;
    const written = n > SHORT_STRING ? this.#encodeLong(s, start, max) : this.#encodeShort(s, start);
    if (written < 0) return false;
    writePaddedVarint(this.bytes, this.pos, written, width);
    this.pos = start + written;
    return true;
  }

  /** Two bytes (little-endian) per UTF-16 code unit, after a varint count of units. */
  utf16(s: string): void {
    const n = s.length;
    this.varint(n);
    this.reserve(n * 2);
    const bytes = this.bytes;
    let pos = this.pos;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      bytes[pos++] = c & 0xff;
      bytes[pos++] = c >>> 8;
    }
    this.pos = pos;
  }

  /** UTF-8 by hand; returns the byte count, or -1 at a lone surrogate. */
  #encodeShort(s: string, start: number): number {
    const bytes = this.bytes;
    const n = s.length;
    let pos = start;
    for (let i = 0; i < n; i++) {
      let c = s.charCodeAt(i);
      if (c < 0x80) {
        bytes[pos++] = c;
      } else if (c < 0x800) {
        bytes[pos++] = 0xc0 | (c >>> 6);
        bytes[pos++] = 0x80 | (c & 0x3f);
      } else if (c < 0xd800 || c > 0xdfff) {
        bytes[pos++] = 0xe0 | (c >>> 12);
        bytes[pos++] = 0x80 | ((c >>> 6) & 0x3f);
        bytes[pos++] = 0x80 | (c & 0x3f);
      } else {
        // A surrogate: valid only as a high one followed by a low one.
        const low = i + 1 < n ? s.charCodeAt(i + 1) : 0;
        if (c > 0xdbff || low < 0xdc00 || low > 0xdfff) return -1;
        i++;
        c = 0x10000 + ((c - 0xd800) << 10) + (low - 0xdc00);
        bytes[pos++] = 0xf0 | (c >>> 18);
        bytes[pos++] = 0x80 | ((c >>> 12) & 0x3f);
        bytes[pos++] = 0x80 | ((c >>> 6) & 0x3f);
        bytes[pos++] = 0x80 | (c & 0x3f);
      }
    }
    return pos - start;
  }

  /** UTF-8 by `encodeInto`; returns the byte count, or -1 if `s` is not well-formed UTF-16. */
  #encodeLong(s: string, start: number, max: number): number {
    if (!isWellFormed(s)) return -1;
    return encoder.encodeInto(s, this.bytes.subarray(start, start + max)).written;
  }
}

const stringProto = String.prototype as unknown as { isWellFormed?: (this: string) => boolean };
const loneSurrogate = /\p{Surrogate}/u;
/** `String.prototype.isWellFormed` (Node >= 20), with a regex fallback. */
function isWellFormed(s: string): boolean {
  return stringProto.isWellFormed !== undefined ? stringProto.isWellFormed.call(s) : !loneSurrogate.test(s);
}

/** The number of LEB128 bytes `n` takes. */
export function varintWidth(n: number): number {
  let width = 1;
  while (n >= 0x80) {
    n = Math.floor(n / 0x80);
    width++;
  }
  return width;
}

/** Writes `n` as exactly `width` LEB128 bytes (padding with empty continuation groups). */
function writePaddedVarint(bytes: Uint8Array, pos: number, n: number, width: number): void {
  for (let i = 0; i < width - 1; i++) {
    bytes[pos++] = (n % 0x80) | 0x80;
    n = Math.floor(n / 0x80);
  }
  bytes[pos] = n;
}

function viewOf(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
