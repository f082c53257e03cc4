/**
 * The hub as a server: its socket is private, strangers and bad frames are
 * shut out without disturbing anyone else, it serves children while the
 * root's main thread is busy, it cleans up after a dead client, and it
 * leaves nothing behind.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { encodeFrame, FrameReader, MAX_FRAME_BYTES } from '../../src/backends/hub/frames.js';
import { hubEnvironment } from '../../src/backends/hub/tree.js';
import { Queue } from '../../src/multiprocessing/queue.js';
import { Lock } from '../../src/multiprocessing/lock.js';
import { Process } from '../../src/runner/process.js';
import { runProgram, tsxBin } from '../helpers/programs.js';
import * as programs from '../fixtures/hub-programs.js';

const T = { timeout: 30_000 };
const scratch = mkdtempSync(join(tmpdir(), 'weft-hub-test-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

/** A raw connection to the hub, reading its frames. */
class RawClient {
  readonly socket: Socket;
  readonly #reader = new FrameReader(MAX_FRAME_BYTES);
  readonly #messages: unknown[] = [];
  #wake: (() => void) | undefined;
  readonly closed: Promise<void>;

  constructor(path: string) {
    this.socket = connect(path);
    this.socket.on('data', (chunk: Buffer) => {
      this.#messages.push(...this.#reader.push(chunk));
      this.#wake?.();
    });
    this.socket.on('error', () => {});
    this.closed = new Promise((resolve) => this.socket.on('close', () => resolve()));
  }

  send(message: unknown): void {
    this.socket.write(encodeFrame(message));
  }

  async next(): Promise<Record<string, unknown>> {
    while (this.#messages.length === 0) await new Promise<void>((resolve) => (this.#wake = resolve));
    return this.#messages.shift() as Record<string, unknown>;
  }
}

function address(): { path: string; token: string } {
  const env = hubEnvironment();
  return { path: env.WEFT_HUB, token: env.WEFT_HUB_TOKEN };
}

async function authenticated(): Promise<RawClient> {
  const { path, token } = address();
  const client = new RawClient(path);
  client.send({ t: 'hello', token, pid: process.pid });
  assert.equal((await client.next()).t, 'welcome');
  return client;
}

/** True if the hub serves `client`: a create of an unknown kind is answered (with an error). */
async function served(client: RawClient, seq: number): Promise<boolean> {
  client.send({ t: 'create', thread: 1, seq, kind: 'no-such-kind', args: [] });
  const answer = await client.next();
  return answer.seq === seq && typeof (answer.err as { message?: string }).message === 'string';
}

test('the socket lives in a directory only this user can enter', T, () => {
  const { path, token } = address();
  assert.equal(statSync(dirname(path)).mode & 0o777, 0o700);
  assert.ok(statSync(path).isSocket());
  assert.match(token, /^[0-9a-f]{48}$/);
});

test('a connection with a wrong token, or no hello, is closed and changes nothing', T, async () => {
  const { path } = address();
  const wrong = new RawClient(path);
  wrong.send({ t: 'hello', token: 'guess', pid: 1 });
  await wrong.closed;
  const rude = new RawClient(path);
  rude.send({ t: 'create', thread: 1, seq: 1, kind: 'multiprocessing.Queue', args: [0] });
  await rude.closed;
  const flood = new RawClient(path);
  flood.socket.write(Buffer.alloc(64 * 1024, 0xff));
  await flood.closed;
  const queue = new Queue<number>();
  queue.putSync(1);
  assert.equal(queue.getSync(), 1);
});

test('a malformed or oversized frame closes its own connection only', T, async () => {
  const good = await authenticated();
  const bad = await authenticated();
  assert.equal(await served(good, 1), true);
  bad.socket.write(Buffer.from([3, 0, 0, 0, 0xde, 0xad, 0xbe]));
  await bad.closed;
  const huge = await authenticated();
  const header = Buffer.alloc(4);
  header.writeUInt32LE(MAX_FRAME_BYTES + 1, 0);
  huge.socket.write(header);
  await huge.closed;
  const strange = await authenticated();
  strange.send({ t: 'launch-missiles', thread: 1 });
  await strange.closed;
  assert.equal(await served(good, 2), true);
  good.socket.destroy();
  await good.closed;
});

test('a client that dies while waiting in get takes nothing: the item stays for the next getter', T, async () => {
  const queue = new Queue<number>();
  const ready = new Queue<string>();
  const waiter = new Process({ target: programs.waitForever, args: [queue, ready] });
  waiter.start();
  assert.equal(await ready.get({ timeout: 20_000 }), 'waiting');
  waiter.kill();
  await waiter.join();
  queue.putSync(42);
  assert.equal(queue.getSync({ timeout: 5_000 }), 42);
});

test("a child's lock and queue work is served while the root's main thread never yields", { timeout: 90_000 }, async () => {
  const lock = new Lock();
  const queue = new Queue<number>();
  const done = join(scratch, 'busy-root-done');
  const child = new Process({ target: programs.busyRootWorker, args: [lock, queue, 100, done] });
  child.start();
  // The main thread spins without ever returning to its event loop until the
  // child says it is done: only the hub's own thread can serve the child. The
  // cap only keeps a broken hub from spinning forever; a loaded machine just
  // takes longer.
  const giveUpAt = Date.now() + 60_000;
  while (!existsSync(done) && Date.now() < giveUpAt) {
    // the main thread never yields to its event loop here
  }
  assert.ok(existsSync(done), 'the child finished its lock and queue work while the root never yielded');
  assert.equal(await child.join({ timeout: 20_000 }), true);
  let sum = 0;
  for (let i = 0; i < 100; i++) sum += queue.getSync();
  assert.equal(sum, 4950);
});

test('the hub leaves no socket or directory behind when the root exits', T, async () => {
  const result = await runProgram(tsxBin, ['test/fixtures/hub-programs.ts']);
  assert.equal(result.code, 0, result.stderr);
  const path = result.stdout.trim();
  assert.match(path, /hub\.sock$/);
  assert.equal(existsSync(path), false);
  assert.equal(existsSync(dirname(path)), false);
});
