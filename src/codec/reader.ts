/**
 * A reader over bytes written by `Writer` (writer.ts has the table of
 * encodings). It reads `bytes[0, bytes.length)` — a Uint8Array's own window,
 * so a view into a bigger buffer (a frame inside a socket chunk, a slot of a
 * SharedArrayBuffer ring) is read in place, without a copy.
 *
 * Input may come from another process, so every read is bounds-checked and
 * malformed data throws a `RuntimeError` ("codec: malformed data …") instead
 * of returning garbage; nothing here loops on a length before checking that
 * the bytes for it exist.
 */
import { RuntimeError } from '../errors.js';

const decoder = new TextDecoder('utf-8');

/** ASCII runs up to this length are decoded by `String.fromCharCode`; longer ones by TextDecoder, whose native call only pays off for longer runs. */
const SHORT_ASCII = 24;
/** `String.fromCharCode.apply` takes its arguments on the stack; chunks keep it well below any limit. */
const CHUNK = 4096;

export class Reader {
  readonly bytes: Uint8Array;
  readonly view: DataView;
  /** The next byte to read, relative to `bytes`. */
  pos = 0;
  /** Where the message ends, relative to `bytes`: all of it, or less for a reused reader (`rewind`). */
  end: number;

  constructor(bytes: Uint8Array) {
    this.bytes = bytes;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.end = bytes.length;
  }

  /**
   * Reuses this reader for a new message in the first `end` bytes — saves
   * a Reader and a DataView per message for a caller that decodes many
   * messages from one buffer (a queue's getter).
   */
  rewind(end: number): void {
    this.pos = 0;
    this.end = end;
  }

  /** Bytes not read yet. */
  get remaining(): number {
    return this.end - this.pos;
  }

  /** Throws unless `n` more bytes exist. */
  need(n: number): void {
    if (n > this.end - this.pos) throw malformed(`${n} bytes needed at byte ${this.pos}, ${this.end - this.pos} left`);
  }

  u8(): number {
    if (this.pos >= this.end) throw malformed(`unexpected end at byte ${this.pos}`);
    return this.bytes[this.pos++];
  }

  /** Unsigned LEB128, as written by `Writer.varint` (non-minimal forms accepted). */
  varint(): number {
    const bytes = this.bytes;
    let pos = this.pos;
    let result = 0;
    let scale = 1;
    for (let i = 0; i < 8; i++) {
      if (pos >= this.end) throw malformed(`unexpected end in a varint at byte ${pos}`);
      const b = bytes[pos++];
      result += (b & 0x7f) * scale;
      if (b < 0x80) {
        this.pos = pos;
        return result;
      }
      scale *= 0x80;
    }
    throw malformed(`varint longer than 8 bytes at byte ${this.pos}`);
  }

  i32(): number {
    this.need(4);
    const n = this.view.getInt32(this.pos, true);
    this.pos += 4;
    return n;
  }

  f64(): number {
    this.need(8);
    const x = this.view.getFloat64(this.pos, true);
    this.pos += 8;
    return x;
  }

  i64(): bigint {
    this.need(8);
    const b = this.view.getBigInt64(this.pos, true);
    this.pos += 8;
    return b;
  }

  u64(): bigint {
    this.need(8);
    const b = this.view.getBigUint64(this.pos, true);
    this.pos += 8;
    return b;
  }

  /** A copy of the next `n` bytes, in an ArrayBuffer of exactly that size. */
  copy(n: number): Uint8Array {
    this.need(n);
    // Not `this.bytes.slice`: on a Node Buffer that is a view into shared memory, not a copy.
    const out = Uint8Array.prototype.slice.call(this.bytes, this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  /** `n` ASCII bytes as a string. */
  ascii(n: number): string {
    this.need(n);
    const bytes = this.bytes;
    const start = this.pos;
    this.pos = start + n;
    if (n <= 8) return shortAscii(bytes, start, n);
    if (n <= SHORT_ASCII) {
      let s = '';
      for (let i = start; i < start + n; i++) s += String.fromCharCode(bytes[i]);
      return s;
    }
    return decoder.decode(bytes.subarray(start, start + n));
  }

  /**
   * `n` ASCII bytes as a string, through the key cache: object keys repeat
   * (every item of a queue has the same few), and handing V8 the same string
   * again spares building it and internalizing it as a property name.
   */
  asciiKey(n: number): string {
    if (n > KEY_BYTES || n === 0) return this.ascii(n);
    this.need(n);
    const bytes = this.bytes;
    const start = this.pos;
    // The length and three of the bytes pick the slot: keys that share all
    // four share a slot, and the full comparison below tells them apart.
    const hash = Math.imul(n ^ (bytes[start] << 8) ^ (bytes[start + (n >>> 1)] << 16) ^ (bytes[start + n - 1] << 24), 0x9e3779b1);
    const slot = (hash >>> 22) & (KEY_SLOTS - 1);
    const base = slot * KEY_BYTES;
    const cached = keyStrings[slot];
    if (cached !== undefined && keyLengths[slot] === n) {
      let i = 0;
      while (i < n && keyBytes[base + i] === bytes[start + i]) i++;
      if (i === n) {
        this.pos = start + n;
        return cached;
      }
    }
    const key = internalized(this.ascii(n));
    keyStrings[slot] = key;
    keyLengths[slot] = n;
    keyBytes.set(bytes.subarray(start, start + n), base);
    return key;
  }

  /** `n` bytes of UTF-8 as a string. */
  utf8(n: number): string {
    this.need(n);
    const start = this.pos;
    this.pos = start + n;
    return decoder.decode(this.bytes.subarray(start, start + n));
  }

  /**
   * `units` UTF-16LE code units as a string, lone surrogates included —
   * which is why this is not TextDecoder('utf-16le'): that one replaces them
   * with U+FFFD.
   */
  utf16(units: number): string {
    this.need(units * 2);
    const bytes = this.bytes;
    let pos = this.pos;
    let s = '';
    const chunk: number[] = [];
    for (let done = 0; done < units; ) {
      const take = Math.min(CHUNK, units - done);
      chunk.length = take;
      for (let i = 0; i < take; i++, pos += 2) chunk[i] = bytes[pos] | (bytes[pos + 1] << 8);
      s += String.fromCharCode.apply(null, chunk);
      done += take;
    }
    this.pos = pos;
    return s;
  }
}

/** 0 to 8 ASCII bytes as a string, in one call: cheaper than adding up one-char strings. */
function shortAscii(b: Uint8Array, p: number, n: number): string {
  const from = String.fromCharCode;
  switch (n) {
    case 0:
      return '';
    case 1:
      return from(b[p]);
    case 2:
      return from(b[p], b[p + 1]);
    case 3:
      return from(b[p], b[p + 1], b[p + 2]);
    case 4:
      return from(b[p], b[p + 1], b[p + 2], b[p + 3]);
    case 5:
      return from(b[p], b[p + 1], b[p + 2], b[p + 3], b[p + 4]);
    case 6:
      return from(b[p], b[p + 1], b[p + 2], b[p + 3], b[p + 4], b[p + 5]);
    case 7:
      return from(b[p], b[p + 1], b[p + 2], b[p + 3], b[p + 4], b[p + 5], b[p + 6]);
    default:
      return from(b[p], b[p + 1], b[p + 2], b[p + 3], b[p + 4], b[p + 5], b[p + 6], b[p + 7]);
  }
}

// The key cache: a direct-mapped table of short ASCII keys, per thread.
const KEY_SLOTS = 1024;
const KEY_BYTES = 16;
const keyStrings: (string | undefined)[] = new Array<string | undefined>(KEY_SLOTS).fill(undefined);
const keyLengths = new Uint8Array(KEY_SLOTS);
const keyBytes = new Uint8Array(KEY_SLOTS * KEY_BYTES);

/**
 * The same string, as V8's internalized copy: what a property store would
 * look up in the string table on every use of a fresh string.
 */
function internalized(key: string): string {
  const holder: Record<string, number> = {};
  holder[key] = 0;
  return Object.keys(holder)[0] ?? key;
}

export function malformed(detail: string): RuntimeError {
  return new RuntimeError(`codec: malformed data: ${detail}`);
}
