/**
 * Weft objects in values: sent as handles, re-attached on decode, found
 * anywhere in the value; the same handle decodes to one object per message.
 * SharedArrayBuffers cross the same way and stay shared.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { MessageChannel, receiveMessageOnPort } from 'node:worker_threads';
import { kHandle, registerHandleKind, type Handle } from '../../src/codec/handles.js';
import { decode, encode } from '../../src/codec/value-codec.js';
import { decodeArgs, encodeArgs, type EncodedArgs } from '../../src/codec/args.js';
import { FORMAT_VERSION, Tag } from '../../src/codec/format.js';

const opts = { timeout: 10_000 };

/** A stand-in for a weft Lock: its state is one shared word. */
class FakeLock {
  static attached = 0;
  readonly state: Int32Array;
  constructor(state: Int32Array = new Int32Array(new SharedArrayBuffer(4))) {
    this.state = state;
  }
  [kHandle](): Handle {
    return { kind: 'test.FakeLock', scope: 'thread', data: { buffer: this.state.buffer } };
  }
}
registerHandleKind('test.FakeLock', (data: { buffer: SharedArrayBuffer }) => {
  FakeLock.attached++;
  return new FakeLock(new Int32Array(data.buffer));
});

/** What postMessage does to a payload, done synchronously. */
function overPostMessage<T>(payload: T): T {
  const { port1, port2 } = new MessageChannel();
  try {
    port1.postMessage(payload);
    return receiveMessageOnPort(port2)!.message as T;
  } finally {
    port1.close();
  }
}

describe('handles', opts, () => {
  test('a weft object round-trips to an attached object over the same state', opts, () => {
    const lock = new FakeLock();
    const handles: Handle[] = [];
    const bytes = encode({ lock }, handles);
    assert.equal(handles.length, 1);
    assert.equal(handles[0].kind, 'test.FakeLock');
    const back = decode(bytes, handles) as { lock: FakeLock };
    assert.ok(back.lock instanceof FakeLock);
    assert.notEqual(back.lock, lock);
    Atomics.store(back.lock.state, 0, 42);
    assert.equal(Atomics.load(lock.state, 0), 42, 'the attached wrapper shares the state');
  });

  test('found anywhere: arrays, class instances, Map keys and values, Sets, sparse arrays', opts, () => {
    class Job {
      constructor(readonly lock: FakeLock) {}
    }
    const lock = new FakeLock();
    const sparse: unknown[] = [];
    sparse[7] = lock;
    const value = { list: [1, [lock]], job: new Job(lock), map: new Map([[lock, lock]]), set: new Set([lock]), sparse };
    const handles: Handle[] = [];
    const back = decode(encode(value, handles), handles) as typeof value;
    assert.equal(handles.length, 1, 'one object, one handle');
    const attached = (back.list[1] as FakeLock[])[0];
    assert.ok(attached instanceof FakeLock);
    assert.equal(back.job.lock, attached);
    assert.equal([...back.map.keys()][0], attached);
    assert.equal(back.map.get(attached), attached);
    assert.ok(back.set.has(attached));
    assert.equal(back.sparse[7], attached);
  });

  test('the same handle index decoded twice attaches once', opts, () => {
    const handle = new FakeLock()[kHandle]();
    const bytes = Uint8Array.of(FORMAT_VERSION, Tag.Array, 2, Tag.Handle, 0, Tag.Handle, 0);
    const before = FakeLock.attached;
    const [a, b] = decode(bytes, [handle]) as FakeLock[];
    assert.equal(FakeLock.attached - before, 1);
    assert.equal(a, b);
  });

  test('two wrappers of one state are two handles and two objects, over the same state', opts, () => {
    const first = new FakeLock();
    const second = new FakeLock(first.state);
    const handles: Handle[] = [];
    const [a, b] = decode(encode([first, second], handles), handles) as FakeLock[];
    assert.equal(handles.length, 2);
    assert.notEqual(a, b);
    assert.equal(a.state.buffer, b.state.buffer);
  });

  test('an unknown handle kind fails on decode with a message naming it', opts, () => {
    const handle: Handle = { kind: 'test.Unknown', scope: 'thread', data: null };
    assert.throws(() => decode(Uint8Array.of(FORMAT_VERSION, Tag.Handle, 0), [handle]), /no weft object of kind "test.Unknown"/);
  });

  test('a payload survives postMessage, and the state is still shared', opts, () => {
    const lock = new FakeLock();
    const encoded = overPostMessage<EncodedArgs>(encodeArgs([lock, { again: lock }]));
    const [back, { again }] = decodeArgs(encoded) as [FakeLock, { again: FakeLock }];
    assert.equal(back, again);
    Atomics.add(back.state, 0, 5);
    assert.equal(Atomics.load(lock.state, 0), 5);
  });
});

describe('SharedArrayBuffer', opts, () => {
  test('a raw SharedArrayBuffer crosses as a thread-scope handle and stays shared', opts, () => {
    const buffer = new SharedArrayBuffer(8);
    const handles: Handle[] = [];
    const bytes = encode({ buffer }, handles);
    assert.deepEqual(handles.map((h) => [h.kind, h.scope]), [['SharedArrayBuffer', 'thread']]);
    const back = overPostMessage({ bytes, handles });
    const { buffer: received } = decode(back.bytes, back.handles) as { buffer: SharedArrayBuffer };
    new Int32Array(received)[1] = 7;
    assert.equal(new Int32Array(buffer)[1], 7);
  });

  test('views over shared memory keep their offset, length and kind, and share the buffer', opts, () => {
    const buffer = new SharedArrayBuffer(32);
    const words = new Int32Array(buffer, 8, 4);
    const bytesView = new Uint8Array(buffer);
    const data = new DataView(buffer, 4, 8);
    const handles: Handle[] = [];
    const back = decode(encode({ words, bytesView, data, buffer }, handles), handles) as { words: Int32Array; bytesView: Uint8Array; data: DataView; buffer: SharedArrayBuffer };
    assert.equal(handles.length, 1, 'one buffer, one handle');
    assert.equal(back.words.byteOffset, 8);
    assert.equal(back.words.length, 4);
    assert.equal(back.data.byteOffset, 4);
    assert.equal(back.data.byteLength, 8);
    assert.equal(back.words.buffer, back.buffer);
    assert.equal(back.bytesView.buffer, back.buffer);
    back.words[0] = -1;
    assert.equal(words[0], -1);
  });
});
