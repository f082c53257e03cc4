/**
 * The byte layer under the value codec: varints, numbers, the three string
 * encodings, growth and reuse of the writer, and a reader that respects its
 * Uint8Array's window and rejects truncated input.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Writer, varintWidth } from '../../src/codec/writer.js';
import { Reader } from '../../src/codec/reader.js';

const opts = { timeout: 10_000 };

function roundTripString(s: string): { kind: 'ascii' | 'utf8' | 'utf16'; back: string } {
  const w = new Writer(16);
  let kind: 'ascii' | 'utf8' | 'utf16';
  const start = w.pos;
  w.varint(s.length);
  if (w.ascii(s)) {
    kind = 'ascii';
  } else {
    w.pos = start;
    if (w.utf8(s)) {
      kind = 'utf8';
    } else {
      w.pos = start;
      w.utf16(s);
      kind = 'utf16';
    }
  }
  const r = new Reader(w.subarray());
  const n = r.varint();
  const back = kind === 'ascii' ? r.ascii(n) : kind === 'utf8' ? r.utf8(n) : r.utf16(n);
  assert.equal(r.remaining, 0);
  return { kind, back };
}

describe('varint', opts, () => {
  test('round-trips values across every width, up to 2^53 - 1', opts, () => {
    const values = [0, 1, 127, 128, 255, 16_383, 16_384, 2 ** 21, 2 ** 28 - 1, 2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1, 2 ** 32, 2 ** 45 + 3, Number.MAX_SAFE_INTEGER];
    const w = new Writer(16);
    for (const v of values) w.varint(v);
    const r = new Reader(w.subarray());
    for (const v of values) assert.equal(r.varint(), v);
    assert.equal(r.remaining, 0);
  });

  test('width matches what is written', opts, () => {
    for (const v of [0, 127, 128, 2 ** 14, 2 ** 35]) {
      const w = new Writer();
      w.varint(v);
      assert.equal(w.pos, varintWidth(v), `width of ${v}`);
    }
  });

  test('a truncated varint is malformed, not garbage', opts, () => {
    const r = new Reader(new Uint8Array([0x80, 0x80]));
    assert.throws(() => r.varint(), /malformed data/);
  });
});

describe('numbers', opts, () => {
  test('int32, float64 and 64-bit bigints round-trip exactly', opts, () => {
    const w = new Writer(4);
    w.i32(-(2 ** 31));
    w.f64(-0);
    w.f64(NaN);
    w.f64(Infinity);
    w.i64(-(2n ** 63n));
    w.u64(2n ** 64n - 1n);
    const r = new Reader(w.subarray());
    assert.equal(r.i32(), -(2 ** 31));
    assert.ok(Object.is(r.f64(), -0));
    assert.ok(Number.isNaN(r.f64()));
    assert.equal(r.f64(), Infinity);
    assert.equal(r.i64(), -(2n ** 63n));
    assert.equal(r.u64(), 2n ** 64n - 1n);
    assert.throws(() => r.f64(), /malformed data/);
  });
});

describe('strings', opts, () => {
  test('ASCII, short and long, takes one byte per char', opts, () => {
    for (const s of ['', 'a', 'hello world', 'x'.repeat(64), 'y'.repeat(65), 'z'.repeat(100_000)]) {
      assert.deepEqual(roundTripString(s), { kind: 'ascii', back: s });
    }
  });

  test('non-ASCII goes UTF-8, short (by hand) and long (encodeInto)', opts, () => {
    for (const s of ['é', 'héllo', '日本語', '👍🏽 emoji', 'a'.repeat(63) + '€', 'ü'.repeat(1000), '😀'.repeat(5000), '\u0080\u07ff\u0800\uffff']) {
      assert.deepEqual(roundTripString(s), { kind: 'utf8', back: s });
    }
  });

  test('strings with lone surrogates go UTF-16 and keep them, as structured clone does', opts, () => {
    for (const s of ['\ud800', 'a\udc00b', '\ud83d', 'x'.repeat(100) + '\udfff', '\ud800'.repeat(10_000), '😀\ud800😀']) {
      const { kind, back } = roundTripString(s);
      assert.equal(kind, 'utf16');
      assert.equal(back, s);
      assert.equal(back, structuredClone(s));
    }
  });

  test('UTF-8 length prefix is padded to the worst case and still reads back', opts, () => {
    const s = 'é'.repeat(50); // worst case 150 bytes (2-byte varint), real 100 bytes (fits in 1)
    const w = new Writer();
    assert.ok(w.utf8(s));
    assert.equal(w.pos, 2 + 100);
    const r = new Reader(w.subarray());
    assert.equal(r.utf8(r.varint()), s);
  });
});

describe('writer buffer', opts, () => {
  test('grows by doubling and keeps what was written', opts, () => {
    const w = new Writer(16);
    for (let i = 0; i < 1000; i++) w.i32(i);
    assert.equal(w.capacity, 4096);
    const r = new Reader(w.subarray());
    for (let i = 0; i < 1000; i++) assert.equal(r.i32(), i);
  });

  test('reset() reuses the buffer without reallocating', opts, () => {
    const w = new Writer(64);
    w.raw(new Uint8Array(40));
    const bytes = w.bytes;
    w.reset();
    w.raw(new Uint8Array(40));
    assert.equal(w.bytes, bytes);
    assert.equal(w.pos, 40);
  });

  test('toBytes() copies, subarray() does not', opts, () => {
    const w = new Writer();
    w.u8(7);
    const copy = w.toBytes();
    const view = w.subarray();
    w.reset();
    w.u8(9);
    assert.deepEqual([...copy], [7]);
    assert.deepEqual([...view], [9]);
    assert.equal(copy.buffer.byteLength, 1);
  });

  test('writes straight into a given region, SharedArrayBuffer-backed included', opts, () => {
    const shared = new Uint8Array(new SharedArrayBuffer(64), 8, 32);
    const w = new Writer(shared);
    w.varint(300);
    w.f64(1.5);
    assert.ok(w.utf8('héllo'));
    assert.equal(w.bytes, shared);
    const r = new Reader(shared.subarray(0, w.pos));
    assert.equal(r.varint(), 300);
    assert.equal(r.f64(), 1.5);
    assert.equal(r.utf8(r.varint()), 'héllo');
  });

  test('a subclass can refuse to grow (a fixed region)', opts, () => {
    class FixedWriter extends Writer {
      protected override grow(minCapacity: number): void {
        throw new RangeError(`needs ${minCapacity} bytes`);
      }
    }
    const w = new FixedWriter(new Uint8Array(8));
    w.f64(1);
    assert.throws(() => w.u8(1), /needs 9 bytes/);
  });
});

describe('reader', opts, () => {
  test('reads only its Uint8Array window of a larger buffer', opts, () => {
    const w = new Writer();
    w.u8(0xaa);
    w.u8(0xbb);
    w.f64(2.25);
    w.u8(0xcc);
    const all = w.toBytes();
    const r = new Reader(all.subarray(2, 10));
    assert.equal(r.f64(), 2.25);
    assert.equal(r.remaining, 0);
    assert.throws(() => r.u8(), /malformed data/);
  });

  test('rejects a length that runs past the end', opts, () => {
    const r = new Reader(new Uint8Array([1, 2, 3]));
    assert.throws(() => r.ascii(10), /malformed data/);
    assert.throws(() => r.utf16(2), /malformed data/);
  });
});
