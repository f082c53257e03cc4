/**
 * Pipe ends passed to child processes: the ends then talk over a direct
 * Unix socket. Ping-pong, both directions of a one-way pipe, 10 000
 * messages in order each way, messages sent before the move, EOF when the
 * child closes, returns, is SIGKILLed or never starts its target; timeout
 * and abort without losing a message; the misuse errors; and nothing left
 * behind by a whole program.
 */
import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Process } from '../../src/runner/process.js';
import { Thread } from '../../src/runner/thread.js';
import { activeChildren } from '../../src/runner/current-process.js';
import { Pipe } from '../../src/pipe/pipe.js';
import { BrokenPipeError, EOFError, TimeoutError } from '../../src/errors.js';
import { Lock } from '../../src/multiprocessing/lock.js';
import { runProgram, tsxBin } from '../helpers/programs.js';
import { checkNoThreadsLeft } from '../helpers/leaks.js';
import * as targets from '../fixtures/pipe-targets.js';

const T = { timeout: 120_000 };
const WAIT = { timeout: 60_000 };
checkNoThreadsLeft();
afterEach(() => {
  const left = activeChildren();
  for (const child of left) child.kill();
  assert.deepEqual(left.map((c) => c.name), [], 'processes left running after the test');
});

function startProcess<A extends unknown[]>(target: (...args: A) => unknown, args: A): Process<A> {
  const child = new Process<A>({ target, args });
  child.start();
  return child;
}

async function joinOk(child: Process): Promise<void> {
  assert.equal(await child.join(WAIT), true, `${child.name} did not end`);
  assert.equal(child.error, undefined, `${child.name} threw: ${child.error?.stack}`);
  assert.equal(child.exitcode, 0);
}

test('ping-pong with a child process; what was sent before start arrives first; EOF ends the child', T, async () => {
  const [a, b] = Pipe<unknown>();
  a.send('sent before start');
  const child = startProcess(targets.echo, [b]);
  assert.equal(b.closed, true, 'the end that went to the child is closed here');
  assert.equal(await a.recv(WAIT), 'sent before start');
  for (let i = 0; i < 500; i++) {
    a.send({ i, text: `message ${i}` });
    assert.deepEqual(await a.recv(WAIT), { i, text: `message ${i}` });
  }
  const lock = new Lock();
  a.send(lock); // a process-scope weft object crosses as a handle
  assert.equal(typeof (await a.recv(WAIT)), 'object');
  a.close();
  await joinOk(child);
});

test('duplex false across processes: 10 000 messages in order each way, then EOF', T, async () => {
  const [r, w] = Pipe<number>({ duplex: false });
  const sender = startProcess(targets.sendRange, [w, 10_000, true]);
  for (let i = 0; i < 10_000; i++) assert.equal(await r.recv(WAIT), i);
  await assert.rejects(r.recv(WAIT), EOFError);
  await joinOk(sender);

  const [a, b] = Pipe<number | { count: number; inOrder: boolean }>();
  const counter = startProcess(targets.countInOrder, [b]);
  for (let i = 0; i < 10_000; i++) a.send(i);
  assert.deepEqual(await a.recv(WAIT), { count: 10_000, inOrder: true });
  await joinOk(counter);
});

test('the child end keeps its one-way direction', T, async () => {
  const [r, w] = Pipe<string>({ duplex: false });
  const child = startProcess(targets.describeOne, [r]);
  w.send('to the reader');
  // describeOne answers on its end, which cannot send: the child fails with ERR_INVALID_STATE.
  assert.equal(await child.join(WAIT), true);
  assert.equal(child.exitcode, 1);
  assert.match(String(child.error?.message), /read-only end/);
});

test('a child that returns without closing: EOF after its messages; sends to it are BrokenPipeError', T, async () => {
  const [r, w] = Pipe<number>({ duplex: false });
  const child = startProcess(targets.sendRange, [w, 3, false]);
  await joinOk(child);
  assert.deepEqual([await r.recv(WAIT), await r.recv(WAIT), await r.recv(WAIT)], [0, 1, 2]);
  await assert.rejects(r.recv(WAIT), EOFError);

  const [a, b] = Pipe<number>();
  const quiet = startProcess(targets.sendRange, [b, 0, true]);
  await assert.rejects(a.recv(WAIT), EOFError);
  assert.throws(() => a.send(1), BrokenPipeError);
  await joinOk(quiet);
});

test('a child killed with SIGKILL: the parent reads what it sent, then EOFError, never hangs', T, async () => {
  const [a, b] = Pipe<string>();
  const child = startProcess(targets.sendThenHang, [b, 'last words']);
  assert.equal(await a.recv(WAIT), 'last words');
  child.kill();
  assert.equal(await child.join(WAIT), true);
  await assert.rejects(a.recv(WAIT), EOFError);
});

test('a child that dies before it takes its end: EOFError, not a hang', T, async () => {
  const [a, b] = Pipe<string>();
  const child = new Process({ target: targets.sendThenHang, args: [b, 'never'], module: 'file:///nonexistent/module.js' });
  child.start();
  assert.equal(await child.join(WAIT), true);
  assert.notEqual(child.exitcode, 0);
  await assert.rejects(a.recv(WAIT), EOFError);
});

test('timeout and abort on recv and poll across processes take nothing', T, async () => {
  const [a, b] = Pipe<string>();
  const child = startProcess(targets.echo, [b]);
  await assert.rejects(a.recv({ timeout: 30 }), TimeoutError);
  assert.equal(await a.poll(30), false);
  const controller = new AbortController();
  const pending = a.recv({ signal: controller.signal });
  controller.abort(new Error('changed my mind'));
  await assert.rejects(pending, { message: 'changed my mind' });
  a.send('kept');
  assert.equal(await a.poll(WAIT), true);
  assert.equal(await a.recv(WAIT), 'kept');
  a.close();
  await joinOk(child);
});

test('blocking forms with the peer in another process return what has arrived, and refuse to wait', T, async () => {
  const [a, b] = Pipe<string>();
  const child = startProcess(targets.echo, [b]);
  assert.throws(() => a.recvSync({ timeout: 10 }), { code: 'ERR_INVALID_STATE', message: /await recv\(\)/ });
  assert.equal(a.pollSync(), false);
  a.send('x');
  assert.equal(await a.poll(WAIT), true);
  assert.equal(a.pollSync(), true);
  assert.equal(a.recvSync(), 'x');
  a.close();
  await joinOk(child);
});

test('misuse: a socket-mode end to a thread, a closed end, a stale end of another thread', T, async () => {
  const [a, b] = Pipe();
  const child = startProcess(targets.echo, [b]);
  assert.throws(() => new Thread({ target: targets.echo, args: [a] }).start(), { code: 'ERR_INVALID_STATE', message: /stays on this thread/ });
  assert.throws(() => new Process({ target: targets.echo, args: [b] }).start(), { code: 'ERR_CONNECTION_CLOSED' });
  a.close();
  await joinOk(child);
});

test('both ends to two child processes: they talk through the parent, and EOF follows either end', T, async () => {
  const [c, d] = Pipe<number>();
  c.send(-1); // in the ring when c moves: stays for d
  const echoer = startProcess(targets.echo, [c]);
  d.send(-2);
  d.send(-3);
  assert.equal(await d.poll(WAIT), true); // the echo of -2 (at least) has arrived and is unread
  const pinger = startProcess(targets.pingPeer, [d, 300, [-1, -2, -3]]);
  await joinOk(pinger);
  await joinOk(echoer); // the pinger closed its end: the echoer saw EOF through the relay
});

test('a program that uses and forgets pipes ends by itself and leaves nothing in TMPDIR', T, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pipe-lifetime-'));
  try {
    const result = await runProgram(tsxBin, ['test/fixtures/programs/pipe-lifetime.ts'], { env: { TMPDIR: dir }, timeout: 60_000 });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, 'hello\ndone\n');
    assert.deepEqual(readdirSync(dir).filter((name) => name.startsWith('weft-pipe-')), []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('closing an end that talks to a process while this thread waits on it rejects that recv', T, async () => {
  const [a, b] = Pipe();
  const child = startProcess(targets.echo, [b]);
  const pending = a.recv();
  a.close();
  await assert.rejects(pending, { code: 'ERR_CONNECTION_CLOSED' });
  await joinOk(child);
});
