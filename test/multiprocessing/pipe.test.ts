/**
 * Pipe and Connection inside one process: the ends in one thread, and
 * passed to threads (shared-memory rings). Directions of a one-way pipe,
 * EOF on close and when the holding thread ends, timeouts and aborts that
 * take nothing, ERR_NOT_SERIALIZABLE, ordering of 10 000 messages through
 * a ring smaller than them, and the misuse codes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Pipe } from '../../src/pipe/pipe.js';
import { Connection } from '../../src/pipe/connection.js';
import { Thread } from '../../src/runner/thread.js';
import { Lock as ThreadLock } from '../../src/sync/lock.js';
import { BrokenPipeError, EOFError, TimeoutError } from '../../src/errors.js';
import { checkNoThreadsLeft } from '../helpers/leaks.js';
import * as targets from '../fixtures/pipe-targets.js';

const T = { timeout: 60_000 };
checkNoThreadsLeft();

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return (error as { code?: string }).code;
  }
  return undefined;
}

test('a duplex pipe carries values both ways, in one thread, with the codec', T, async () => {
  const [a, b] = Pipe();
  a.send({ n: 1, big: 2n ** 70n, when: new Date(0), set: new Set([1, 2]), bytes: new Uint8Array([1, 2, 3]) });
  b.send('back');
  assert.deepEqual(await b.recv(), { n: 1, big: 2n ** 70n, when: new Date(0), set: new Set([1, 2]), bytes: new Uint8Array([1, 2, 3]) });
  assert.equal(a.recvSync(), 'back');
  assert.equal(a.readable && a.writable && b.readable && b.writable, true);
  assert.ok(a instanceof Connection);
});

test('duplex false: the first end only receives, the second only sends (Python order)', T, async () => {
  const [reader, writer] = Pipe<number>({ duplex: false });
  assert.deepEqual([reader.readable, reader.writable, writer.readable, writer.writable], [true, false, false, true]);
  writer.send(5);
  assert.equal(await reader.recv(), 5);
  assert.equal(codeOf(() => reader.send(1)), 'ERR_INVALID_STATE');
  assert.equal(codeOf(() => writer.recvSync()), 'ERR_INVALID_STATE');
  await assert.rejects(writer.recv(), { code: 'ERR_INVALID_STATE', message: /write-only end/ });
  await assert.rejects(writer.poll(), { code: 'ERR_INVALID_STATE' });
});

test('bad options are ERR_INVALID_ARG, before anything is touched', T, async () => {
  assert.equal(codeOf(() => Pipe({ duplex: 'no' as never })), 'ERR_INVALID_ARG');
  const [a, b] = Pipe();
  a.send(1);
  await assert.rejects(b.recv({ timeout: -1 }), { code: 'ERR_INVALID_ARG' });
  assert.equal(codeOf(() => b.recvSync({ timeout: NaN })), 'ERR_INVALID_ARG');
  assert.equal(codeOf(() => b.pollSync(-5)), 'ERR_INVALID_ARG');
  assert.equal(b.recvSync(), 1, 'the message is still there');
  assert.throws(() => new Connection(), TypeError);
});

test('close: the peer reads what was sent, then EOFError every time; sends to it are BrokenPipeError', T, async () => {
  const [a, b] = Pipe();
  a.send('one');
  a.send('two');
  a.close();
  a.close(); // twice is a no-op, as in Python
  assert.equal(a.closed, true);
  assert.equal(await b.recv(), 'one');
  assert.equal(b.recvSync(), 'two');
  await assert.rejects(b.recv(), EOFError);
  assert.throws(() => b.recvSync(), EOFError);
  assert.equal(await b.poll(), true, 'poll is true at EOF: recv would not block');
  assert.throws(() => b.send('x'), BrokenPipeError);
  assert.equal(codeOf(() => a.send('x')), 'ERR_CONNECTION_CLOSED');
  await assert.rejects(a.recv(), { code: 'ERR_CONNECTION_CLOSED' });
});

test('recv wakes at the peer close while it waits (async and in a blocked thread)', T, async () => {
  const [a, b] = Pipe();
  const pending = b.recv();
  a.close();
  await assert.rejects(pending, EOFError);

  const [c, d] = Pipe();
  const thread = new Thread({ target: targets.echoSync, args: [d] });
  thread.start();
  c.send('hi');
  assert.equal(await c.recv(), 'hi');
  c.close(); // the thread is blocked in recvSync: EOF ends its loop
  assert.equal(await thread.join({ timeout: 30_000 }), true);
  assert.equal(thread.error, undefined);
});

test('timeout: recv rejects with TimeoutError, poll answers false, and nothing is taken', T, async () => {
  const [a, b] = Pipe<string>();
  await assert.rejects(b.recv({ timeout: 0 }), TimeoutError);
  await assert.rejects(b.recv({ timeout: 20 }), TimeoutError);
  assert.throws(() => b.recvSync({ timeout: 20 }), TimeoutError);
  assert.equal(await b.poll(), false);
  assert.equal(await b.poll(10), false);
  assert.equal(b.pollSync(10), false);
  a.send('kept');
  assert.equal(await b.poll(), true);
  assert.equal(b.pollSync(), true);
  assert.equal(await b.poll({ timeout: 10 }), true);
  assert.equal(await b.recv(), 'kept', 'polls took nothing');
});

test('abort: recv and poll reject with the reason, and a message sent afterwards is the next recv', T, async () => {
  const [a, b] = Pipe<string>();
  const controller = new AbortController();
  const pendingRecv = b.recv({ signal: controller.signal });
  const pendingPoll = b.poll({ signal: controller.signal });
  controller.abort(new Error('stop'));
  await assert.rejects(pendingRecv, { message: 'stop' });
  await assert.rejects(pendingPoll, { message: 'stop' });
  await assert.rejects(b.recv({ signal: AbortSignal.abort('already') }), (reason) => reason === 'already');
  a.send('after');
  assert.equal(await b.recv(), 'after');
  a.send('second');
  await assert.rejects(b.recv({ signal: AbortSignal.abort() }), { name: 'AbortError' });
  assert.equal(await b.recv(), 'second', 'an already-aborted recv took nothing');
});

test('a value that cannot cross throws ERR_NOT_SERIALIZABLE from send, and nothing is sent', T, async () => {
  const [a, b] = Pipe();
  assert.equal(codeOf(() => a.send({ f: () => 1 })), 'ERR_NOT_SERIALIZABLE');
  assert.equal(codeOf(() => a.send([new ThreadLock()])), 'ERR_NOT_SERIALIZABLE');
  const [c] = Pipe();
  assert.equal(codeOf(() => a.send({ end: c })), 'ERR_NOT_SERIALIZABLE');
  assert.equal(await b.poll(), false, 'nothing was sent');
  a.send('ok');
  assert.equal(await b.recv(), 'ok');
});

test('sendBytes and recvBytes; a send() message is left in place for recv()', T, async () => {
  const [a, b] = Pipe();
  a.sendBytes(new Uint8Array([9, 8, 7, 6]), 1, 2);
  a.send('value');
  assert.deepEqual(await b.recvBytes(), new Uint8Array([8, 7]));
  await assert.rejects(b.recvBytes(), { code: 'ERR_INVALID_STATE' });
  assert.equal(await b.recv(), 'value');
  a.sendBytes(new Uint8Array(0));
  assert.deepEqual(b.recvBytesSync(), new Uint8Array(0));
  assert.equal(codeOf(() => a.sendBytes(new Uint8Array(2), 0, 3)), 'ERR_INVALID_ARG');
});

test('10 000 messages in order, more than the ring holds at once, with nobody reading until the end', T, async () => {
  const [a, b] = Pipe<{ i: number; pad: string }>();
  const pad = 'x'.repeat(100);
  for (let i = 0; i < 10_000; i++) a.send({ i, pad });
  for (let i = 0; i < 10_000; i++) assert.equal((await b.recv()).i, i);
  assert.equal(await b.poll(), false);
});

test('a message larger than the ring crosses whole, to a thread and back', T, async () => {
  const [a, b] = Pipe<Uint8Array>();
  const thread = new Thread({ target: targets.echo, args: [b] });
  thread.start();
  const big = new Uint8Array(1 << 20).map((_, i) => i & 0xff);
  a.send(big);
  assert.deepEqual(await a.recv(), big);
  a.close();
  assert.equal(await thread.join({ timeout: 30_000 }), true);
  assert.equal(thread.error, undefined);
});

test('ping-pong with a thread; 10 000 messages from a thread arrive in order', T, async () => {
  const [a, b] = Pipe<number>();
  const thread = new Thread({ target: targets.echo, args: [b] });
  thread.start();
  for (let i = 0; i < 1000; i++) {
    a.send(i);
    assert.equal(await a.recv(), i);
  }
  a.close();
  assert.equal(await thread.join({ timeout: 30_000 }), true);

  const [r, w] = Pipe<number>({ duplex: false });
  const sender = new Thread({ target: targets.sendRange, args: [w, 10_000, true] });
  sender.start();
  for (let i = 0; i < 10_000; i++) assert.equal(await r.recv(), i);
  await assert.rejects(r.recv(), EOFError);
  assert.equal(await sender.join({ timeout: 30_000 }), true);
});

test('a thread that ends without closing its end closes it: the peer gets EOFError after the messages', T, async () => {
  const [r, w] = Pipe<number>({ duplex: false });
  const sender = new Thread({ target: targets.sendRange, args: [w, 3, false] });
  sender.start();
  assert.equal(await sender.join({ timeout: 30_000 }), true);
  assert.deepEqual([await r.recv(), await r.recv(), await r.recv()], [0, 1, 2]);
  await assert.rejects(r.recv(), EOFError);
  // The end was the thread's: this thread's old wrapper of it is closed too.
  assert.equal(codeOf(() => w.send(3)), 'ERR_CONNECTION_CLOSED');
  assert.equal(w.closed, true);
});

test('an end that comes back to a thread that holds it is the same object', T, async () => {
  const [a, b] = Pipe();
  const thread = new Thread({ target: targets.describeOne, args: [b] });
  thread.start();
  a.send('which');
  assert.deepEqual(await a.recv(), { message: 'which', readable: true, writable: true });
  assert.equal(await thread.join({ timeout: 30_000 }), true);
  // Through the codec within this thread (what a Thread argument does), the end is found again.
  const { encodeArgs, decodeArgs } = await import('../../src/codec/args.js');
  assert.equal(decodeArgs(encodeArgs([a]))[0], a);
  assert.match(String(a), /<Connection end=0 ring readable writable>/);
});

test('an end is not a pool task argument: ERR_NOT_SERIALIZABLE at submit, saying what to do', T, async () => {
  const { ThreadPool } = await import('../../src/pool/pool.js');
  const pool = new ThreadPool({ processes: 1 });
  try {
    const [, b] = Pipe();
    await assert.rejects(pool.apply(targets.sendRange, [b as never, 1, true]), { code: 'ERR_NOT_SERIALIZABLE', message: /pass it to a Thread or Process/ });
  } finally {
    await pool.terminate();
  }
});

test('closing an end while this thread waits on it rejects that recv with ERR_CONNECTION_CLOSED', T, async () => {
  const [a] = Pipe();
  const pending = a.recv();
  a.close();
  await assert.rejects(pending, { code: 'ERR_CONNECTION_CLOSED' });
});
