/**
 * The shared-buffer side channel of a thread pool's channel
 * (src/pool/shared-buffers.ts): numbering, posting once, the reader finding
 * what a record names, the in-band Release, and the value codec's
 * SharedBuffer tag. Both ends live in this thread, over one MessageChannel.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { MessageChannel, receiveMessageOnPort } from 'node:worker_threads';
import { Reader } from '../../src/codec/reader.js';
import { decodeValue, encodeValue } from '../../src/codec/value-codec.js';
import { Writer } from '../../src/codec/writer.js';
import { MessageType, RecordReader, RecordWriter } from '../../src/pool/messages.js';
import { SharedBufferReceiver, SharedBufferSender } from '../../src/pool/shared-buffers.js';

const T = { timeout: 10_000 };

function pair(): { sender: SharedBufferSender; receiver: SharedBufferReceiver; close(): void } {
  const { port1, port2 } = new MessageChannel();
  return {
    sender: new SharedBufferSender(port1),
    receiver: new SharedBufferReceiver(port2),
    close: () => port1.close(),
  };
}

test('a buffer is numbered once and posted once; the reader gets the same memory', T, () => {
  const { port1, port2 } = new MessageChannel();
  const sender = new SharedBufferSender(port1);
  const a = new SharedArrayBuffer(8);
  const b = new SharedArrayBuffer(8);
  const idA = sender.idOf(a);
  assert.equal(sender.idOf(a), idA, 'the same buffer keeps its number');
  const idB = sender.idOf(b);
  assert.notEqual(idB, idA);
  const posted = [receiveMessageOnPort(port2), receiveMessageOnPort(port2), receiveMessageOnPort(port2)];
  assert.equal(posted[2], undefined, 'two buffers, two posts, however often they are named');
  const first = (posted[0]?.message as { id: number; buffer: SharedArrayBuffer });
  assert.equal(first.id, idA);
  new Int32Array(first.buffer)[0] = 5;
  assert.equal(new Int32Array(a)[0], 5, 'what was posted is the same memory');
  port1.close();
});

test('the reader takes buffers off the port as records name them; a number never sent is malformed data', T, () => {
  const { sender, receiver, close } = pair();
  const buffer = new SharedArrayBuffer(4);
  const id = sender.idOf(buffer);
  const got = receiver.bufferOf(id);
  assert.equal(receiver.bufferOf(id), got, 'kept once received');
  Atomics.store(new Int32Array(got), 0, 9);
  assert.equal(Atomics.load(new Int32Array(buffer), 0), 9);
  assert.throws(() => receiver.bufferOf(id + 1), /malformed/);
  close();
});

test('the value codec writes SharedArrayBuffers as numbers in a table, identity kept within a message', T, () => {
  const { sender, receiver, close } = pair();
  const buffer = new SharedArrayBuffer(8);
  const writer = new Writer(64);
  const value = { kind: 'x', data: buffer, again: [buffer], view: new Int32Array(buffer, 4, 1) };
  const handles: never[] = [];
  encodeValue(value, writer, handles, { buffers: sender });
  assert.equal(handles.length, 0, 'no handle: the buffer went to the table');
  const decoded = decodeValue(new Reader(writer.toBytes()), [], receiver) as typeof value;
  assert.equal(decoded.again[0], decoded.data);
  assert.equal(decoded.view.buffer, decoded.data);
  decoded.view[0] = 11;
  assert.equal(new Int32Array(buffer)[1], 11);
  assert.throws(() => decodeValue(new Reader(writer.toBytes()), []), /malformed/, 'a reader without a table refuses the tag');
  close();
});

test('Release travels last in a record and drops the buffers at the reader once the messages before it are read', T, () => {
  const { port1, port2 } = new MessageChannel();
  const sender = new SharedBufferSender(port1);
  const receiver = new SharedBufferReceiver(port2);
  const out = new RecordWriter(sender);
  const buffer = new SharedArrayBuffer(4);
  const released: number[] = [];
  // Stand in for the FinalizationRegistry (tested below): the sender reports this number released.
  const id = sender.idOf(buffer);
  (sender as unknown as { takeReleased(): number[] | undefined }).takeReleased = () => (released.length > 0 ? released.splice(0) : undefined);
  out.task(1, 0, 0, { bytes: new Uint8Array([1, ...encodeArgsBytes()]), handles: [{ kind: 'SharedArrayBuffer', scope: 'thread', data: buffer }] });
  released.push(id);
  const record = out.take();
  assert.deepEqual([...record.subarray(-3)], [MessageType.Release, 1, id], 'Release, 1 number, the number: last in the record');
  const reader = new RecordReader(record, receiver);
  assert.equal(reader.done, false);
  const task = reader.toWorker();
  assert.equal(task.type, MessageType.Task);
  assert.equal((task as { args: unknown[] }).args[0], receiver.bufferOf(id), 'the task read its buffer');
  assert.equal(reader.done, true, 'the Release was applied, unseen');
  assert.throws(() => receiver.bufferOf(id), /malformed/, 'then dropped');
  port1.close();
});

test('the sender learns that a buffer it numbered was collected', T, async () => {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const { sender, close } = pair();
  const keep = new SharedArrayBuffer(4);
  const kept = sender.idOf(keep);
  const dropped = ((): number => sender.idOf(new SharedArrayBuffer(4)))();
  let released: number[] | undefined;
  // Finalization callbacks run as tasks after a collection: collect, let one turn pass, look.
  for (let turn = 0; turn < 100 && released === undefined; turn++) {
    gc();
    await new Promise((resolve) => setImmediate(resolve));
    released = sender.takeReleased();
  }
  assert.deepEqual(released, [dropped]);
  assert.equal(sender.idOf(keep), kept, 'a buffer still alive keeps its number');
  close();
});

/** The codec bytes of the argument list `[<handle 0>]`, without the version byte. */
function encodeArgsBytes(): number[] {
  const writer = new Writer(16);
  const handles = [] as { kind: string; scope: 'thread'; data: unknown }[];
  encodeValue([new SharedArrayBuffer(1)], writer, handles);
  return [...writer.toBytes()];
}
