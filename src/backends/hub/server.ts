/**
 * The hub's worker thread: `runHub()` is its entry. It serves
 *
 * - the root's own threads (client 0), through `LocalThreads`, without a socket;
 * - every other process of the tree, each through one connection on a Unix
 *   socket in a private directory (mode 0700, made by `tree.ts`).
 *
 * A connection must open with a `hello` carrying the tree's random token
 * (compared in constant time); until then its frames are limited to
 * `HELLO_FRAME_BYTES`, and it is not a client: a connection that fails the
 * hello is told `refused` and closed, and has changed nothing. A malformed
 * or oversized frame after the hello closes its own connection only; the
 * hub then cleans up after that process as after any death.
 *
 * The one clock here is `HELLO_TIMEOUT_MS`, for connections that have not
 * said hello: it bounds what a stray same-user program (nobody else can
 * enter the socket's directory) can hold — a file descriptor and 1 KiB —
 * by connecting and saying nothing. It cannot hurt a legitimate client,
 * however slow: the link sends its hello the moment it connects, and a link
 * whose connection is closed before the welcome without `refused` simply
 * connects again (`link.ts`). Once welcomed, a client is never timed out:
 * only facts (its connection closing, a bad frame) end it.
 *
 * Answers to one connection are gathered and written once per turn of the
 * event loop, so a burst of calls costs one write, not one per answer.
 */
import type { Server, Socket } from 'node:net';
import { nodeCrypto, nodeNet } from '../../internal/builtins.js';
import { workerData } from 'node:worker_threads';
import { Header } from '../atomics/arena.js';
import { encodeFrame, FrameError, FrameReader, HELLO_FRAME_BYTES, MAX_FRAME_BYTES } from './frames.js';
import { Grants } from './grants.js';
import { Hub } from './hub.js';
import { LocalThreads } from './local-threads.js';
import { checkHello, checkHubRequest, type HubAddress, type Request } from './protocol.js';
import { LinkState } from './link-state.js';
import { Outbox } from './outbox.js';
import './kinds.js';
import { nameLane } from '../../trace/recorder.js';

/** What the root hands the hub's worker. */
export interface HubSeed extends HubAddress {
  /** The root's arena: the hub marks the root's link word ready there. */
  readonly arena: SharedArrayBuffer;
}

const HELLO_TIMEOUT_MS = 60_000;
const ROOT_CLIENT = 0;

/** Entry point of the hub's worker thread. */
export function runHub(): void {
  const seed = workerData as HubSeed;
  nameLane({ thread: 'weft hub' });
  const hub = new Hub();
  // The root's lock grants are kept here, on the hub's thread; what they send the hub is handled after the current message.
  const grants = new Grants(seed.arena, (request) => queueMicrotask(() => hub.handle(ROOT_CLIENT, request)));
  const root = new LocalThreads((request) => serveRootThread(hub, root, grants, seed, request));
  hub.open(ROOT_CLIENT, (answer) => (answer.t === 'grant' || answer.t === 'revoke' ? grants.notice(answer) : root.deliver(answer.thread, answer)));
  const server = listen(hub, seed);
  server.on('listening', () => LinkState.set(new Int32Array(seed.arena), Header.HubLink, LinkState.Ready));
  server.on('error', (error) => {
    process.stderr.write(`weft: the hub could not listen on ${seed.path}: ${error.message}\n`);
    LinkState.set(new Int32Array(seed.arena), Header.HubLink, LinkState.Lost);
  });
}

/** A request from one of the root's threads. */
function serveRootThread(hub: Hub, root: LocalThreads, grants: Grants, seed: HubSeed, request: Exclude<Request, { t: 'register' }>): void {
  switch (request.t) {
    case 'grant-cell':
      return root.deliver(request.thread, { t: 'answer', thread: request.thread, seq: request.seq, ok: grants.cellBuffer(request.id, request.reentrant) });
    case 'flush':
      return root.deliver(request.thread, { t: 'answer', thread: request.thread, seq: request.seq, ok: true });
    case 'address':
      return root.deliver(request.thread, { t: 'answer', thread: request.thread, seq: request.seq, ok: { path: seed.path, token: seed.token } });
    case 'thread-ended':
      hub.handle(ROOT_CLIENT, request);
      return root.forget(request.thread);
    case 'put-ring':
      // Only a child's threads have put rings (their link drains them); the root's puts are messages.
      return;
    default:
      return hub.handle(ROOT_CLIENT, request);
  }
}

function listen(hub: Hub, seed: HubSeed): Server {
  const expected = Buffer.from(seed.token);
  let nextClient = ROOT_CLIENT + 1;
  const server = nodeNet().createServer((socket) => serveConnection(hub, socket, expected, () => nextClient++));
  server.listen(seed.path);
  return server;
}

function serveConnection(hub: Hub, socket: Socket, expected: Buffer, newClient: () => number): void {
  const reader = new FrameReader(HELLO_FRAME_BYTES);
  const outbox = new Outbox(socket);
  let client: number | undefined;
  const helloTimer = setTimeout(() => socket.destroy(), HELLO_TIMEOUT_MS);
  helloTimer.unref();

  let refused = false;
  socket.on('data', (chunk: Buffer) => {
    if (refused) return;
    try {
      for (const message of reader.push(chunk)) {
        if (client !== undefined) {
          hub.handle(client, checkHubRequest(message));
          continue;
        }
        if (!tokenMatches(checkHello(message).token, expected)) throw new FrameError('a connection with a wrong token');
        clearTimeout(helloTimer);
        client = newClient();
        reader.limit = MAX_FRAME_BYTES;
        hub.open(client, (answer) => outbox.add(answer));
        outbox.add({ t: 'welcome', client });
      }
    } catch (error) {
      if (!(error instanceof FrameError)) throw error;
      if (client !== undefined) return void socket.destroy();
      // Say why before closing, so that the other side does not connect again.
      clearTimeout(helloTimer);
      refused = true;
      socket.end(encodeFrame({ t: 'refused', reason: error.message }));
    }
  });
  socket.on('error', () => socket.destroy());
  socket.on('close', () => {
    clearTimeout(helloTimer);
    if (client !== undefined) hub.close(client);
  });
}

function tokenMatches(token: string, expected: Buffer): boolean {
  const given = Buffer.from(token);
  return given.length === expected.length && nodeCrypto().timingSafeEqual(given, expected);
}
