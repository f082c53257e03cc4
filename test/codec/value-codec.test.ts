/**
 * The value codec: every tag round-trips and matches structuredClone; identity
 * and cycles survive; what cannot cross fails with ERR_NOT_SERIALIZABLE and
 * the exact path; malformed input is rejected.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Socket } from 'node:net';
import { Readable } from 'node:stream';
import { EventEmitter } from 'node:events';
import { decode, encode, encodeValue, decodeValue } from '../../src/codec/value-codec.js';
import { FORMAT_VERSION, Tag } from '../../src/codec/format.js';
import { Writer } from '../../src/codec/writer.js';
import { Reader } from '../../src/codec/reader.js';

const opts = { timeout: 10_000 };

function roundTrip<T>(value: T): T {
  return decode(encode(value)) as T;
}

/** Decodes, checks against structuredClone, and returns the decoded value. */
function checkClone<T>(value: T): T {
  const back = roundTrip(value);
  assert.deepStrictEqual(back, structuredClone(value));
  return back;
}

/** The tag byte right after the version byte. */
function topTag(value: unknown): number {
  return encode(value)[1];
}

function notSerializable(path: string, what: RegExp | string) {
  return (error: unknown) => {
    const e = error as Error & { code?: string; path?: string; what?: string };
    assert.equal(e.code, 'ERR_NOT_SERIALIZABLE', e.message);
    assert.equal(e.path, path, e.message);
    if (typeof what === 'string') assert.equal(e.what, what);
    else assert.match(e.what ?? '', what);
    assert.ok(e.message.startsWith(`codec: ${path} is ${e.what}`), e.message);
    return true;
  };
}

describe('primitives', opts, () => {
  test('each primitive tag round-trips', opts, () => {
    const cases: [unknown, number][] = [
      [undefined, Tag.Undefined],
      [null, Tag.Null],
      [false, Tag.False],
      [true, Tag.True],
      [0, Tag.Int32],
      [-1, Tag.Int32],
      [2 ** 31 - 1, Tag.Int32],
      [-(2 ** 31), Tag.Int32],
      [2 ** 31, Tag.Float64],
      [0.5, Tag.Float64],
      [-0, Tag.Float64],
      [NaN, Tag.Float64],
      [Infinity, Tag.Float64],
      [-Infinity, Tag.Float64],
      [Number.MAX_VALUE, Tag.Float64],
      [Number.MIN_VALUE, Tag.Float64],
      [0n, Tag.BigInt64],
      [-(2n ** 63n), Tag.BigInt64],
      [2n ** 63n - 1n, Tag.BigInt64],
      [2n ** 63n, Tag.BigInt],
      [-(2n ** 64n), Tag.BigInt],
      [123456789n ** 20n, Tag.BigInt],
      [-(987654321n ** 13n), Tag.BigInt],
      ['', Tag.StringAscii],
      ['ascii', Tag.StringAscii],
      ['héllo', Tag.StringUtf8],
      ['a\ud800b', Tag.StringUtf16],
    ];
    for (const [value, tag] of cases) {
      assert.equal(topTag(value), tag, `tag of ${String(value)}`);
      const back = roundTrip(value);
      assert.ok(Object.is(back, value), `${String(value)} came back as ${String(back)}`);
      assert.ok(Object.is(back, structuredClone(value)));
    }
  });

  test('long and non-ASCII strings', opts, () => {
    const strings = [
      'x'.repeat(1_000_000),
      'naïve café — 日本語 — 👩‍👩‍👧‍👦'.repeat(1000),
      '🎉',
      '\u{10ffff}',
      'a\udc00'.repeat(3000),
      '\ud83d', // half an emoji: structuredClone keeps lone surrogates, so do we
      '\0\x01\x7f',
    ];
    for (const s of strings) assert.equal(checkClone(s), s);
  });
});

describe('objects and arrays', opts, () => {
  test('plain objects, nested; null-prototype objects arrive with Object.prototype', opts, () => {
    checkClone({ a: 1, b: { c: [1, 'two', { d: null }] }, 'key with spaces': true, 42: 'int key', '': 'empty' });
    const bare = Object.assign(Object.create(null) as object, { x: 1, y: { z: 2 } });
    const back = checkClone(bare);
    assert.equal(Object.getPrototypeOf(back), Object.prototype);
  });

  test('an own "__proto__" key stays an own property', opts, () => {
    const value = {};
    Object.defineProperty(value, '__proto__', { value: { polluted: true }, enumerable: true, writable: true, configurable: true });
    const back = checkClone(value) as Record<string, unknown>;
    assert.deepEqual(Object.keys(back), ['__proto__']);
    assert.equal(Object.getPrototypeOf(back), Object.prototype);
    assert.equal(({} as { polluted?: boolean }).polluted, undefined);
  });

  test('class instances become plain objects of their own enumerable properties', opts, () => {
    class Point {
      #secret = 1;
      readonly x: number;
      y: number;
      constructor(x: number, y: number) {
        this.x = x;
        this.y = y;
        Object.defineProperty(this, 'hidden', { value: 3, enumerable: false });
      }
      get length(): number {
        return Math.hypot(this.x, this.y) + this.#secret;
      }
    }
    const back = checkClone({ p: new Point(3, 4) }) as { p: object };
    assert.deepStrictEqual(back.p, { x: 3, y: 4 });
    assert.equal(Object.getPrototypeOf(back.p), Object.prototype);
  });

  test('getters are read; symbol keys and non-enumerables are skipped', opts, () => {
    const value = { get g() { return 'got'; }, [Symbol('s')]: 1 };
    Object.defineProperty(value, 'hidden', { value: 1, enumerable: false });
    assert.deepStrictEqual(checkClone(value), { g: 'got' });
  });

  test('arrays: undefined elements vs holes, sparse arrays with named properties', opts, () => {
    checkClone([1, undefined, 3]);
    const holey = checkClone([1, , 3]);
    assert.equal(1 in holey, false);
    checkClone([, , ,]);
    checkClone([1, 2, , ]);
    const sparse: unknown[] = [];
    sparse[5] = 'five';
    sparse[1_000_000_000] = 'far';
    (sparse as unknown as Record<string, unknown>).named = { deep: true };
    const back = checkClone(sparse);
    assert.equal(back.length, 1_000_000_001);
    assert.deepEqual(Object.keys(back), ['5', '1000000000', 'named']);
  });

  test('large arrays', opts, () => {
    const numbers = Array.from({ length: 200_000 }, (_, i) => (i % 3 === 0 ? i * 0.5 : i));
    checkClone(numbers);
    const objects = Array.from({ length: 50_000 }, (_, i) => ({ i, name: `item-${i}`, tags: ['a', 'b'] }));
    checkClone(objects);
  });

  test('array subclasses arrive as plain arrays', opts, () => {
    class Stack<T> extends Array<T> {}
    const s = Stack.from([1, 2, 3]);
    const back = checkClone(s);
    assert.equal(Object.getPrototypeOf(back), Array.prototype);
  });
});

describe('built-in types', opts, () => {
  test('Date, valid and invalid', opts, () => {
    assert.equal(topTag(new Date()), Tag.Date);
    checkClone(new Date(0));
    checkClone(new Date(8.64e15));
    // Node 20's deepStrictEqual calls two Invalid Dates different (NaN !== NaN), so check by hand.
    const invalid = roundTrip({ d: new Date(NaN) });
    assert.ok(invalid.d instanceof Date && Number.isNaN(invalid.d.getTime()));
  });

  test('Map and Set, with object keys and members, nested weft-style content', opts, () => {
    const key = { id: 1 };
    const map = new Map<unknown, unknown>([[key, { v: 1 }], ['s', [1, 2]], [NaN, -0], [undefined, null]]);
    const set = new Set<unknown>([key, 'x', 1n, map]);
    const back = checkClone({ map, set });
    const [backKey] = back.map.keys();
    assert.ok(back.set.has(backKey), 'the object key of the Map and the Set member are one object');
    assert.ok(back.set.has(back.map));
  });

  test('typed arrays, DataView and ArrayBuffer', opts, () => {
    const buffer = new ArrayBuffer(16);
    new Uint8Array(buffer).set([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const views = [
      new Int8Array([-1, 2]), new Uint8Array([255]), new Uint8ClampedArray([7]), new Int16Array([-300]),
      new Uint16Array([65535]), new Int32Array([-5]), new Uint32Array([2 ** 32 - 1]), new Float32Array([1.5]),
      new Float64Array([NaN, -0]), new BigInt64Array([-1n]), new BigUint64Array([2n ** 64n - 1n]),
      new DataView(buffer, 2, 5), new Uint16Array(buffer, 4, 2), new Float64Array(0),
    ];
    for (const view of views) assert.equal(topTag(view), Tag.View);
    checkClone(views);
    checkClone(buffer);
    checkClone(new ArrayBuffer(0));
  });

  test("a view carries only its own window, at byteOffset 0 of a buffer of its size", opts, () => {
    const pooled = Buffer.from('abc'); // a slice of Node's 8 KiB pool
    const back = roundTrip(pooled);
    assert.deepStrictEqual(back, structuredClone(pooled)); // a Uint8Array [97, 98, 99], as structured clone gives
    assert.equal(back.constructor, Uint8Array);
    assert.equal(back.byteOffset, 0);
    assert.equal(back.buffer.byteLength, 3);
  });

  test('a resizable ArrayBuffer keeps maxByteLength (through v8)', opts, () => {
    const Resizable = ArrayBuffer as unknown as new (n: number, o: { maxByteLength: number }) => ArrayBuffer & { maxByteLength: number; resizable: boolean };
    const buffer = new Resizable(4, { maxByteLength: 64 });
    const back = roundTrip(buffer) as typeof buffer;
    assert.equal(back.resizable, true);
    assert.equal(back.maxByteLength, 64);
  });

  test('v8-path leaves: RegExp, errors, boxed primitives', opts, () => {
    const leaves = [/ab+c/gimsuy, new Error('e'), new RangeError('r'), Object('boxed'), Object(1.5), Object(false), Object(10n)];
    for (const leaf of leaves) assert.equal(topTag(leaf), Tag.V8);
    checkClone(leaves);
    checkClone({ deep: { list: [new TypeError('inside'), /x/] } });
  });

  test('a v8 leaf the serializer refuses is ERR_NOT_SERIALIZABLE with its path', opts, () => {
    assert.throws(() => encode({ a: [Object(Symbol('s'))] }), notSerializable('value.a[0]', /^a Symbol that the v8 serializer cannot copy/));
    const error = new Error('with a bad cause', { cause: () => 1 });
    assert.throws(() => encode({ error }, [], { path: 'item' }), notSerializable('item.error', /^an Error that the v8 serializer cannot copy/));
  });
});

describe('identity', opts, () => {
  test('shared subobjects stay shared, within and across containers', opts, () => {
    const shared = { n: 1 };
    const date = new Date(5);
    const view = new Uint8Array([1]);
    const value = { a: shared, b: [shared, shared], c: new Map([[shared, shared]]), d: new Set([shared]), e: date, f: date, g: view, h: view };
    const back = checkClone(value);
    assert.equal(back.a, back.b[0]);
    assert.equal(back.b[0], back.b[1]);
    assert.equal([...back.c.keys()][0], back.a);
    assert.equal([...back.c.values()][0], back.a);
    assert.equal([...back.d][0], back.a);
    assert.equal(back.e, back.f);
    assert.equal(back.g, back.h);
    assert.equal(topTag(value), Tag.Object);
  });

  test('cycles terminate and keep their shape', opts, () => {
    const a: Record<string, unknown> = { name: 'a' };
    const b: Record<string, unknown> = { name: 'b', a };
    a.b = b;
    a.self = a;
    const list: unknown[] = [a];
    list.push(list);
    const map = new Map<unknown, unknown>();
    map.set(map, map);
    const set = new Set<unknown>();
    set.add(set);
    const back = checkClone({ a, list, map, set });
    const backA = back.a as Record<string, Record<string, unknown>>;
    assert.equal(backA.self, backA);
    assert.equal(backA.b.a, backA);
    assert.equal(back.list[1], back.list);
    assert.equal(back.list[0], backA);
    assert.equal(back.map.get(back.map), back.map);
    assert.ok(back.set.has(back.set));
  });

  test('each encode() is its own message: ids restart', opts, () => {
    const shared = { x: 1 };
    const first = encode([shared, shared]);
    const second = encode([shared, shared]);
    assert.deepEqual(first, second);
  });
});

describe('what cannot cross', opts, () => {
  test('functions name their exact path, through objects, arrays and Maps', opts, () => {
    function onData(): void {}
    const value = new Map<unknown, unknown>([['k', { list: [1, 2, { handler: onData }] }]]);
    assert.throws(() => encode({ lookup: value }, [], { path: 'item' }), notSerializable('item.lookup.<map value of "k">.list[2].handler', 'a function "onData"'));
    assert.throws(() => encode(new Map([[() => 1, 1]])), notSerializable('value.<map key>', 'an anonymous function'));
    assert.throws(() => encode(new Set([1, [async function load() {}]])), notSerializable('value.<set member>[0]', 'an async function "load"'));
    assert.throws(() => encode({ 'odd key': [class Foo {}] }), notSerializable('value["odd key"][0]', 'a class "Foo"'));
    assert.throws(() => encode(onData), notSerializable('value', 'a function "onData"'));
  });

  test('functions in sparse arrays and behind getters', opts, () => {
    const sparse: unknown[] = [1];
    sparse[10] = { f: () => 0 };
    assert.throws(() => encode(sparse), notSerializable('value[10].f', /function/));
    assert.throws(() => encode({ get lazy() { return Symbol('s'); } }), notSerializable('value.lazy', 'a symbol (Symbol(s))'));
  });

  test('a Promise, weak collections, generators, iterators', opts, () => {
    assert.throws(() => encode({ p: Promise.resolve(1) }), notSerializable('value.p', 'a Promise'));
    assert.throws(() => encode([new WeakMap()]), notSerializable('value[0]', 'a WeakMap'));
    assert.throws(() => encode([new WeakSet()]), notSerializable('value[0]', 'a WeakSet'));
    assert.throws(() => encode([new WeakRef({})]), notSerializable('value[0]', 'a WeakRef'));
    assert.throws(() => encode([(function* gen() {})()]), notSerializable('value[0]', 'a generator object'));
    assert.throws(() => encode([new Map().keys()]), notSerializable('value[0]', 'an iterator'));
    assert.throws(() => encode([[1][Symbol.iterator]()]), notSerializable('value[0]', 'an Array Iterator'));
    assert.throws(() => encode([new Intl.Collator()]), notSerializable('value[0]', 'an Intl.Collator'));
  });

  test('sockets, streams, emitters and Node host objects', opts, () => {
    const socket = new Socket();
    assert.throws(() => encode({ socket }, [], { path: 'item' }), notSerializable('item.socket', 'a Socket'));
    assert.throws(() => encode([Readable.from([])]), notSerializable('value[0]', /^a \w*Readable$/));
    assert.throws(() => encode([new EventEmitter()]), notSerializable('value[0]', 'an EventEmitter'));
    assert.throws(() => encode([new AbortController().signal]), notSerializable('value[0]', 'an AbortSignal'));
    assert.throws(() => encode([new Blob(['x'])]), notSerializable('value[0]', 'a Blob'));
    socket.destroy();
  });

  test('a failed encode leaves the writer and handles as they were', opts, () => {
    const writer = new Writer();
    writer.u8(42);
    const handles: never[] = [];
    assert.throws(() => encodeValue({ a: 'long enough to write', f: () => 1 }, writer, handles));
    assert.equal(writer.pos, 1);
    assert.equal(handles.length, 0);
  });
});

describe('framing and malformed input', opts, () => {
  test('encodeValue/decodeValue write bare values that can be framed back to back', opts, () => {
    const writer = new Writer();
    encodeValue({ first: 1 }, writer, []);
    encodeValue(['second'], writer, []);
    const reader = new Reader(writer.subarray());
    assert.deepStrictEqual(decodeValue(reader, []), { first: 1 });
    assert.deepStrictEqual(decodeValue(reader, []), ['second']);
    assert.equal(reader.remaining, 0);
  });

  test('bad version, unknown tags, dangling references and truncation are rejected', opts, () => {
    const good = encode({ a: [1, 2, 3], b: 'text' });
    assert.throws(() => decode(Uint8Array.of(FORMAT_VERSION + 1, Tag.Null)), /format version/);
    assert.throws(() => decode(Uint8Array.of(FORMAT_VERSION, 0x7f)), /unexpected tag 0x7f/);
    assert.throws(() => decode(Uint8Array.of(FORMAT_VERSION, Tag.BackRef, 3)), /back-reference/);
    assert.throws(() => decode(Uint8Array.of(FORMAT_VERSION, Tag.Handle, 0)), /handle 0 of 0/);
    assert.throws(() => decode(Uint8Array.of(FORMAT_VERSION, Tag.Null, Tag.Null)), /after the value/);
    for (let cut = 1; cut < good.length; cut++) {
      assert.throws(() => decode(good.subarray(0, cut)), /malformed data/, `cut at ${cut}`);
    }
  });

  test('a getter that encodes re-entrantly does not disturb the outer message', opts, () => {
    const inner = { deep: [1, 2, 3] };
    let innerBytes: Uint8Array | undefined;
    const outer = {
      before: 'x'.repeat(50),
      get trigger() {
        innerBytes = encode(inner);
        return 'ok';
      },
      after: [4, 5, 6],
    };
    const back = roundTrip(outer);
    assert.deepStrictEqual(back, { before: 'x'.repeat(50), trigger: 'ok', after: [4, 5, 6] });
    assert.deepStrictEqual(decode(innerBytes!), inner);
  });
});

describe('structured clone quirks', opts, () => {
  // Node 20's v8 writes an error with a cyclic cause chain that it cannot
  // read back; Node 22+ round-trips it. Either way the receiver never sees the
  // failure: it arrives whole, or the sender throws ERR_NOT_SERIALIZABLE.
  test('an error with a cyclic cause arrives whole where v8 can read it back, and otherwise fails in the sender', opts, () => {
    const a = new Error('a');
    const b = new Error('b', { cause: a });
    (a as Error & { cause?: unknown }).cause = b;
    let v8CanCopy = true;
    try {
      structuredClone(a);
    } catch (error) {
      assert.match((error as Error).message, /Unable to deserialize cloned data/);
      v8CanCopy = false;
    }
    if (v8CanCopy) {
      const copy = roundTrip({ error: a }).error as Error & { cause: Error & { cause: unknown } };
      assert.equal(copy.message, 'a');
      assert.equal(copy.cause.message, 'b');
      assert.equal(copy.cause.cause, copy);
    } else {
      assert.throws(() => encode({ error: a }), notSerializable('value.error', /^an Error that the v8 serializer cannot copy: Unable to deserialize/));
    }
  });
});
