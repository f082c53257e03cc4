/**
 * Rebuilding a weft object from a handle cannot leak into the next
 * constructor. The object is built with `attach(Class, data)` (sync/attach.ts),
 * which hands the handle's data to that one constructor call; a module-global
 * "attaching" flag, as before, stayed set when the constructor threw before
 * clearing it, and the next plain `new Queue()` attached to the failed
 * handle's memory (here: threw the same error again).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { attachHandle, kHandle, type Handle } from '../../src/codec/handles.js';
import { Queue } from '../../src/queue/queue.js';
import { LifoQueue } from '../../src/queue/lifo-queue.js';
import { SimpleQueue } from '../../src/queue/simple-queue.js';
import { Value } from '../../src/shared/value.js';
import { SharedArray } from '../../src/shared/shared-array.js';
import { Sequencer } from '../../src/testing/index.js';

const T = { timeout: 10_000 };

/** Attaches a handle that must fail; returns what it threw. */
function failedAttach(kind: string, data: unknown): unknown {
  try {
    attachHandle({ kind, scope: 'thread', data } satisfies Handle);
  } catch (error) {
    return error;
  }
  assert.fail(`attaching a ${kind} over bad data did not throw`);
}

test('a Queue handle whose memory is unusable leaves the next new Queue() fresh', T, async () => {
  failedAttach('queue.Queue', new SharedArrayBuffer(8)); // too short for a queue's header
  const queue = new Queue<number>(3);
  assert.equal(queue.maxsize, 3);
  queue.putNowait(1);
  assert.equal(queue.qsize(), 1);
  const lifo = new LifoQueue<number>();
  assert.equal(lifo.qsize(), 0);
});

test('a Sequencer handle whose memory is unusable leaves the next new Sequencer() fresh', T, async () => {
  failedAttach('testing.Sequencer', new SharedArrayBuffer(3)); // not a whole Int32
  const sequencer = new Sequencer();
  assert.equal(sequencer.next, 0);
  await sequencer.step(0);
  assert.equal(sequencer.next, 1);
});

test('failed Value, SharedArray and SimpleQueue attaches leave their next constructors fresh', T, () => {
  failedAttach('threading.Value', { typecode: 'not a typecode', buffer: new SharedArrayBuffer(8), lock: null });
  assert.equal(new Value('i', 7).value, 7);
  failedAttach('threading.SharedArray', { typecode: 'not a typecode', buffer: new SharedArrayBuffer(8), length: 2, lock: null });
  assert.deepEqual([...new SharedArray('i', [4, 5])], [4, 5]);
  failedAttach('queue.SimpleQueue', new SharedArrayBuffer(8));
  assert.equal(new SimpleQueue().qsize(), 0);
});

test('an attach that works still yields the same object on the other side', T, () => {
  const queue = new Queue<string>();
  const again = attachHandle(queue[kHandle]()) as Queue<string>;
  assert.notEqual(again, queue);
  queue.putNowait('crossed');
  assert.equal(again.getNowait(), 'crossed');
  const sequencer = new Sequencer();
  const other = attachHandle(sequencer[kHandle]()) as Sequencer;
  sequencer.stepSync(0);
  assert.equal(other.next, 1);
});
