/**
 * The messages between the threads of a process, its link, and the hub.
 *
 * A thread posts `Request`s to its process's link (in the root: to the hub
 * itself) on the BroadcastChannel `requestChannelName(pid)`; the link
 * forwards them over the socket as frames, adding nothing. Every call
 * carries `(thread, seq)`: the thread's token and its own counter, which
 * together name the call in the hub and route the answer back to
 * `replyChannelName(pid, thread)`.
 *
 * | request        | answer                                   | meaning                                           |
 * |----------------|------------------------------------------|---------------------------------------------------|
 * | `register`     | none (handled by the link)               | the thread's wake word, first message of a thread |
 * | `create`       | `ok: id`                                 | a new object of `kind`                            |
 * | `call`         | `ok: value` / `err` / `cancelled`        | `op` on object `id`; `timeout` enforced by the hub |
 * | `send`         | none (`send-failed` if it failed)        | `op` on object `id`, nobody waits                 |
 * | `cancel`       | the cancelled call is answered `cancelled` if it still waited | the caller's AbortSignal fired |
 * | `thread-ended` | none                                     | release what the thread held                      |
 * | `ack`          | none (sent by the link, not a thread)    | the link has an answer marked `ack` (a handed-over item) |
 * | `refs`         | none                                     | a batch of reference operations (`references.ts`) |
 * | `census`       | `ok: HubCensus`                          | counts for `weft/testing`'s `hubStatistics()` (`collect`: after a full GC of the hub's thread, if the process allows it) |
 * | `flush`        | `ok` once all earlier messages are written (handled by the link) | process exit |
 * | `address`      | `ok: { path, token }` (handled by the link or the root's hub) | for a child about to start |
 * | `grant-cell`   | `ok: SharedArrayBuffer` (handled by the link or the root's hub) | the process's cell of a Lock/RLock (`grants.ts`) |
 * | `put-ring`     | none (handled by the link)               | the thread's ring of one-way queue puts (`put-ring.ts`) |
 *
 * On the socket, the first frame of a connection is `Hello` (the tree's
 * token); the hub answers `welcome`, or `refused` (a wrong token, a bad
 * first frame) and closes the connection. A connection whose hello does not
 * come within the hub's limit is closed without a word: a slow client
 * connects again (`link.ts`).
 */
import { FrameError } from './frames.js';
import { REF_OPS, type RefOp, type ReferenceStatistics } from './references.js';

/** What `census` answers: the hub's objects and references, and its thread's heap. */
export interface HubCensus extends ReferenceStatistics {
  /** Bytes of the hub thread's JavaScript heap in use. */
  readonly heapUsed: number;
}

export const requestChannelName = (pid: number): string => `weft-hub:${pid}`;
export const replyChannelName = (pid: number, thread: number): string => `weft-hub-reply:${pid}:${thread}`;

export interface Hello {
  readonly t: 'hello';
  readonly token: string;
  readonly pid: number;
}

export type Request =
  | { readonly t: 'register'; readonly thread: number; readonly wake: SharedArrayBuffer }
  | { readonly t: 'create'; readonly thread: number; readonly seq: number; readonly kind: string; readonly args: readonly unknown[] }
  | { readonly t: 'call'; readonly thread: number; readonly seq: number; readonly id: number; readonly op: string; readonly args: readonly unknown[]; readonly timeout?: number }
  | { readonly t: 'send'; readonly thread: number; readonly id: number; readonly op: string; readonly args: readonly unknown[] }
  | { readonly t: 'cancel'; readonly thread: number; readonly seq: number }
  | { readonly t: 'thread-ended'; readonly thread: number }
  | { readonly t: 'ack'; readonly thread: number; readonly seq: number }
  | { readonly t: 'refs'; readonly thread: number; readonly ops: readonly RefOp[] }
  | { readonly t: 'census'; readonly thread: number; readonly seq: number; readonly collect?: boolean }
  | { readonly t: 'flush'; readonly thread: number; readonly seq: number }
  | { readonly t: 'address'; readonly thread: number; readonly seq: number }
  | { readonly t: 'grant-cell'; readonly thread: number; readonly seq: number; readonly id: number; readonly reentrant: boolean }
  | { readonly t: 'put-ring'; readonly thread: number; readonly ring: SharedArrayBuffer };

/** Where the tree's hub listens, and the token it wants: what a child is started with. */
export interface HubAddress {
  readonly path: string;
  readonly token: string;
}

/** The requests that travel to the hub (the others stay in the link). */
export type HubRequest = Exclude<Request, { t: 'register' } | { t: 'address' } | { t: 'grant-cell' } | { t: 'put-ring' }>;

/** How a failed call's error crosses back: rebuilt by `client.ts`. */
export interface WireError {
  readonly name: string;
  readonly message: string;
  readonly code?: string;
}

export type Answer =
  | { readonly t: 'answer'; readonly thread: number; readonly seq: number; readonly ok: unknown; readonly ack?: true }
  | { readonly t: 'answer'; readonly thread: number; readonly seq: number; readonly err: WireError }
  | { readonly t: 'answer'; readonly thread: number; readonly seq: number; readonly cancelled: true };

/** Hub → link messages that are not answers. */
export type Notice =
  | { readonly t: 'welcome'; readonly client: number }
  | { readonly t: 'refused'; readonly reason: string }
  | { readonly t: 'send-failed'; readonly thread: number; readonly message: string }
  | GrantNotice;

/**
 * Hub → the server of a process (its link, or the root's hub thread) about
 * a lock grant the process holds (`grants.ts`): `grant` comes just before
 * the answer of the acquire it grants; `revoke` asks it back, or with
 * `probe` asks the state of the local side, a release on another
 * process's behalf, or (`watch`) a report whenever the number of threads
 * waiting in its cell changes, while it holds the grant.
 */
export type GrantNotice =
  | { readonly t: 'grant'; readonly id: number; readonly thread: number; readonly depth: number; readonly revoking: boolean; readonly reentrant: boolean }
  | { readonly t: 'revoke'; readonly id: number; readonly probe?: 'state' | 'release' | 'watch'; readonly ref?: number };

/** Checks a frame from a client is a request the hub understands; throws `FrameError` if not. */
export function checkHubRequest(message: unknown): HubRequest {
  if (typeof message !== 'object' || message === null) throw new FrameError('a frame that is not a request object');
  const m = message as Record<string, unknown>;
  requireInt(m, 'thread');
  switch (m.t) {
    case 'create':
      requireInt(m, 'seq');
      requireString(m, 'kind');
      requireArray(m, 'args');
      break;
    case 'call':
      requireInt(m, 'seq');
      requireInt(m, 'id');
      requireString(m, 'op');
      requireArray(m, 'args');
      if (m.timeout !== undefined && !(typeof m.timeout === 'number' && m.timeout >= 0)) throw new FrameError('a call with a bad timeout');
      break;
    case 'send':
      requireInt(m, 'id');
      requireString(m, 'op');
      requireArray(m, 'args');
      break;
    case 'cancel':
    case 'ack':
    case 'census':
    case 'flush':
      requireInt(m, 'seq');
      break;
    case 'refs':
      requireArray(m, 'ops');
      for (const op of m.ops as unknown[]) {
        if (!Array.isArray(op) || !REF_OPS.has(op[0]) || !Number.isSafeInteger(op[1]) || (op[0] !== 'retain' && op[0] !== 'release' && typeof op[2] !== 'string')) {
          throw new FrameError('a malformed reference operation');
        }
      }
      break;
    case 'thread-ended':
      break;
    default:
      throw new FrameError(`a request of unknown type ${JSON.stringify(String(m.t)).slice(0, 40)}`);
  }
  return message as HubRequest;
}

/** Checks the first frame of a connection. */
export function checkHello(message: unknown): Hello {
  const m = message as Record<string, unknown> | null;
  if (typeof m !== 'object' || m === null || m.t !== 'hello' || typeof m.token !== 'string' || typeof m.pid !== 'number') {
    throw new FrameError('the first frame of a connection must be a hello');
  }
  return message as Hello;
}

function requireInt(m: Record<string, unknown>, key: string): void {
  if (!Number.isSafeInteger(m[key])) throw new FrameError(`a request without an integer ${key}`);
}

function requireString(m: Record<string, unknown>, key: string): void {
  if (typeof m[key] !== 'string') throw new FrameError(`a request without a string ${key}`);
}

function requireArray(m: Record<string, unknown>, key: string): void {
  if (!Array.isArray(m[key])) throw new FrameError(`a request without an array ${key}`);
}
