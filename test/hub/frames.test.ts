/**
 * The hub's frame reader and request checks, against bad input: whatever
 * bytes a peer sends, the reader either yields messages or throws
 * `FrameError` (which closes that one connection) — never another error,
 * never a hang, never a buffer larger than the declared limit.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { encodeFrame, FrameError, FrameReader, HELLO_FRAME_BYTES } from '../../src/backends/hub/frames.js';
import { checkHello, checkHubRequest } from '../../src/backends/hub/protocol.js';

const T = { timeout: 60_000 };

const requests = fc.oneof(
  fc.record({ t: fc.constant('call'), thread: fc.nat(), seq: fc.nat(), id: fc.nat(), op: fc.string(), args: fc.array(fc.jsonValue()), timeout: fc.option(fc.nat(), { nil: undefined }) }),
  fc.record({ t: fc.constant('create'), thread: fc.nat(), seq: fc.nat(), kind: fc.string(), args: fc.array(fc.jsonValue()) }),
  fc.record({ t: fc.constant('send'), thread: fc.nat(), id: fc.nat(), op: fc.string(), args: fc.array(fc.uint8Array()) }),
  fc.record({ t: fc.constant('cancel'), thread: fc.nat(), seq: fc.nat() }),
  fc.record({ t: fc.constant('thread-ended'), thread: fc.nat() }),
);

/** Feeds `bytes` in the given chunk sizes; returns the messages, checked, or the FrameError. */
function feed(bytes: Uint8Array, cuts: number[], limit = 1 << 20): unknown[] | FrameError {
  const reader = new FrameReader(limit);
  const messages: unknown[] = [];
  let at = 0;
  try {
    for (const cut of [...cuts, bytes.length]) {
      const end = Math.min(bytes.length, at + cut);
      for (const message of reader.push(Buffer.from(bytes.subarray(at, end)))) messages.push(checkHubRequest(message));
      at = end;
    }
    return messages;
  } catch (error) {
    if (error instanceof FrameError) return error;
    throw error;
  }
}

test('valid frames, cut anywhere, come out whole and in order', T, () => {
  fc.assert(
    fc.property(fc.array(requests, { maxLength: 8 }), fc.array(fc.integer({ min: 1, max: 40 })), (sent, cuts) => {
      const bytes = Buffer.concat(sent.map((message) => encodeFrame(message)));
      assert.deepEqual(feed(bytes, cuts), structuredClone(sent));
    }),
  );
});

test('random bytes give messages or a FrameError, nothing else', T, () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 300 }), fc.array(fc.integer({ min: 1, max: 50 })), (bytes, cuts) => {
      feed(bytes, cuts);
    }),
    { numRuns: 3000 },
  );
});

test('valid frames with bytes flipped give messages or a FrameError, nothing else', T, () => {
  fc.assert(
    fc.property(requests, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 }), (message, flips) => {
      const bytes = Uint8Array.from(encodeFrame(message));
      for (const [at, value] of flips) bytes[at % bytes.length] = value;
      feed(bytes, []);
    }),
    { numRuns: 3000 },
  );
});

test('a frame over the limit is refused from its header, before its body arrives', T, () => {
  const reader = new FrameReader(HELLO_FRAME_BYTES);
  const header = Buffer.alloc(4);
  header.writeUInt32LE(HELLO_FRAME_BYTES + 1, 0);
  assert.throws(() => reader.push(header), FrameError);
});

test('an empty frame, and a frame that is not a request, are FrameErrors', T, () => {
  assert.ok(feed(Buffer.alloc(4), []) instanceof FrameError);
  assert.ok(feed(encodeFrame({ t: 'call', thread: 1 }), []) instanceof FrameError);
  assert.ok(feed(encodeFrame('hello'), []) instanceof FrameError);
  assert.throws(() => checkHello({ t: 'hello', token: 7, pid: 1 }), FrameError);
});
