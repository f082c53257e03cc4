/**
 * Calling the hub from any thread of any process of the tree.
 *
 * A thread posts requests on its process's request channel, served by the
 * link (in the root, by the hub itself), and reads answers from its own
 * reply channel: a `…Sync` call blocks in `Atomics.wait` on the thread's
 * wake word, which the server bumps after each answer (`local-threads.ts`),
 * and collects its answer with `receiveMessageOnPort`; an async call's
 * answer arrives as a message event.
 *
 * Calls are named `(thread token, seq)`; answers to other calls that
 * arrive while a thread waits for one are kept for their callers.
 */
import { BroadcastChannel, receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import { conditionClasses, ErrorCode, invalidArg, misuse } from '../../errors.js';
import { currentToken } from '../atomics/runtime.js';
import { holdEventLoop, releaseEventLoop } from '../../internal/keepalive.js';
import type { WaitOptions } from '../../runtime/options.js';
import { TIMED_OUT } from './call.js';
import { replyChannelName, requestChannelName, type Answer, type HubAddress, type HubCensus, type Request, type WireError } from './protocol.js';
import type { RefOp } from './references.js';
import { Deadline } from '../../internal/deadline.js';
import type { AnswerOf, ArgsOf, HubId, HubKindName, OpName } from './ops.js';
import { awaitLink, awaitLinkAsync, hubLost, linkLost, linkReady, setAddressQuery, setFlush } from './tree.js';

export { TIMED_OUT };

/**
 * A safety net, not a clock that fails anything: a blocked thread looks at
 * the link's state this often, in case the link's thread died without
 * answering (its calls are then answered by nobody). Only the state Lost —
 * a fact — ends the wait.
 */
const RECHECK_MS = 1000;

interface Pending {
  resolve(value: unknown): void;
  reject(error: unknown): void;
  readonly signal: AbortSignal | undefined;
}

/** This thread's end of the hub. */
class ThreadClient {
  readonly #token = currentToken();
  readonly #requests = new BroadcastChannel(requestChannelName(process.pid));
  readonly #replies = new BroadcastChannel(replyChannelName(process.pid, this.#token));
  readonly #wake = new Int32Array(new SharedArrayBuffer(4));
  readonly #pending = new Map<number, Pending>();
  /** Answers to sync calls that arrived while waiting for another. */
  readonly #early = new Map<number, Answer>();
  #seq = 0;

  constructor() {
    // Answers reach an idle thread as events, and a blocked one through
    // receiveMessageOnPort. Both are needed: a BroadcastChannel delivers what
    // its event loop reads to its listener, so without one those answers would
    // be lost to a thread that only polls.
    this.#replies.onmessage = (event) => this.#accept((event as { data: Answer }).data);
    this.#requests.unref();
    this.#replies.unref();
    this.#post({ t: 'register', thread: this.#token, wake: this.#wake.buffer as SharedArrayBuffer });
  }

  get token(): number {
    return this.#token;
  }

  nextSeq(): number {
    return ++this.#seq;
  }

  #post(request: Request): void {
    if (request.t !== 'register') this.posts++;
    this.#requests.postMessage(request);
  }

  /** Requests posted to the link (its `register` aside): the epoch of this thread's put-ring records (`put-ring.ts`). */
  posts = 0;

  /** Posts a request, after this thread's reference operations still batched (so they stay in order with its calls). */
  post(request: Request): void {
    if (pendingRefs.length > 0) this.postRefs();
    this.#post(request);
  }

  /** Posts the batched reference operations now, in one message. */
  postRefs(): void {
    const ops = pendingRefs;
    pendingRefs = [];
    this.#post({ t: 'refs', thread: this.#token, ops });
  }

  /** Blocks until call `seq` is answered. */
  waitFor(seq: number): Answer {
    for (;;) {
      const seen = Atomics.load(this.#wake, 0);
      this.#drain();
      const answer = this.#early.get(seq);
      if (answer !== undefined) {
        this.#early.delete(seq);
        return answer;
      }
      if (Atomics.wait(this.#wake, 0, seen, RECHECK_MS) === 'timed-out' && linkLost()) throw hubLost();
    }
  }

  /** Resolves when call `seq` is answered. */
  answerOf(seq: number, signal: AbortSignal | undefined): Promise<unknown> {
    return new Promise((resolve, reject) => {
      this.#pending.set(seq, { resolve, reject, signal });
      holdEventLoop();
    });
  }

  /** Reads the answers already delivered, without waiting. */
  #drain(): void {
    const replies = this.#replies as unknown as MessagePort;
    for (let received = receiveMessageOnPort(replies); received !== undefined; received = receiveMessageOnPort(replies)) {
      this.#accept(received.message as Answer);
    }
  }

  /** Settles the async call an answer is for, or keeps it for the sync call waiting for it. */
  #accept(answer: Answer): void {
    const pending = this.#pending.get(answer.seq);
    if (pending === undefined) {
      this.#early.set(answer.seq, answer);
      return;
    }
    this.#pending.delete(answer.seq);
    releaseEventLoop();
    if ('cancelled' in answer) pending.reject(pending.signal?.reason);
    else if ('err' in answer) pending.reject(rebuildError(answer.err));
    else pending.resolve(answer.ok);
  }
}

let client: ThreadClient | undefined;

/** This thread's reference operations not yet posted (`references.ts`): they ride with its next message. */
let pendingRefs: RefOp[] = [];
let flushQueued = false;

/**
 * Queues a reference operation, one-way: posted before this thread's next
 * message to the hub, or at the end of the current turn of its event loop,
 * whichever comes first. Never waits: if the link is not up yet, it waits
 * for the thread's first call.
 */
export function queueRefOp(op: RefOp): void {
  pendingRefs.push(op);
  if (flushQueued) return;
  flushQueued = true;
  queueMicrotask(flushRefs);
}

/** Posts the batched reference operations if the link is up. */
function flushRefs(): void {
  flushQueued = false;
  if (pendingRefs.length === 0) return;
  if (client === undefined) {
    if (!linkReady()) return;
    client = new ThreadClient();
  }
  client.postRefs();
}

/** This thread's client, once the link is up; waits for it as long as it takes (see `tree.ts`). */
function threadClient(): ThreadClient {
  if (client !== undefined) return client;
  awaitLink();
  return (client = new ThreadClient());
}

/** As `threadClient`, giving up at the caller's deadline (undefined then). */
function threadClientBy(deadline: Deadline): ThreadClient | undefined {
  if (client !== undefined) return client;
  return awaitLink(deadline) ? (client = new ThreadClient()) : undefined;
}

/** As `threadClientBy`, without blocking the thread while the link comes up. */
async function threadClientAsync(deadline: Deadline, signal: AbortSignal | undefined): Promise<ThreadClient | undefined> {
  if (client !== undefined) return client;
  if (!(await awaitLinkAsync(deadline, signal))) return undefined;
  return (client ??= new ThreadClient());
}

/**
 * The caller's timeout as a deadline for waiting on the link: a call with
 * `timeout: 0` is not a wait on the link (see `tree.ts`), so it has none.
 */
function linkDeadline(timeout: number | undefined): Deadline {
  return timeout === undefined || timeout === 0 ? Deadline.never() : Deadline.after(timeout);
}

/** What is left of `timeout` once the link is up. */
function remainingOf(timeout: number | undefined, deadline: Deadline): number | undefined {
  return timeout === undefined || timeout === 0 ? timeout : deadline.remaining();
}

/** The value of a sync answer, or the error it carries. */
function settle(answer: Answer): unknown {
  if ('err' in answer) throw rebuildError(answer.err);
  if ('cancelled' in answer) throw new Error('hub: a blocking call was cancelled');
  return answer.ok;
}

let track: ((wrapper: object, id: number) => void) | undefined;

/** Set by `wrapper-refs.ts`: how a new wrapper's reference is released when it is collected. */
export function setWrapperTracker(tracker: (wrapper: object, id: number) => void): void {
  track = tracker;
}

/**
 * Creates an object of `kind` in the hub (blocking the calling thread
 * briefly); returns its id. The calling thread holds its first reference
 * (`references.ts`); pass the new wrapper as `owner` so that it is released
 * when the wrapper is collected (without one it lasts until the thread ends).
 */
export function hubCreate<K extends HubKindName>(kind: K, args: readonly unknown[], owner?: object): HubId<K> {
  const self = threadClient();
  const seq = self.nextSeq();
  self.post({ t: 'create', thread: self.token, seq, kind, args });
  const id = settle(self.waitFor(seq)) as HubId<K>;
  if (owner !== undefined) track?.(owner, id);
  return id;
}

/** The hub's counts of objects and references, and its heap: for `weft/testing`'s `hubStatistics()`. */
export async function hubCensus(collect = false): Promise<HubCensus> {
  const self = client ?? (await threadClientAsync(Deadline.never(), undefined))!;
  const seq = self.nextSeq();
  self.post({ t: 'census', thread: self.token, seq, collect });
  return (await self.answerOf(seq, undefined)) as HubCensus;
}

/**
 * Calls `op` on object `id` and blocks the calling thread until the hub answers.
 * Returns the answer, or `TIMED_OUT` when `timeout` ran out; throws what the
 * object failed the call with (`fail` → RuntimeError with code, `raise` → Full/Empty/…),
 * or `ERR_HUB_LOST` if the hub is gone.
 */
export function hubCallSync<K extends HubKindName, O extends OpName<K>>(id: HubId<K>, op: O, args: ArgsOf<K, O>, timeout?: number): AnswerOf<K, O> {
  const deadline = linkDeadline(timeout);
  const self = threadClientBy(deadline);
  // Only a call that may wait has a timeout, and its answer type says TIMED_OUT.
  if (self === undefined) return TIMED_OUT as AnswerOf<K, O>;
  const seq = self.nextSeq();
  self.post({ t: 'call', thread: self.token, seq, id, op, args, timeout: remainingOf(timeout, deadline) });
  return settle(self.waitFor(seq)) as AnswerOf<K, O>;
}

/**
 * As `hubCallSync`, without blocking. On abort: if the hub had not answered,
 * the call is withdrawn (the object runs its `whenAbandoned` cleanup) and the
 * promise rejects with `signal.reason`; if the answer was already on its way,
 * the promise resolves with it (the call completed before the abort took effect).
 */
export async function hubCall<K extends HubKindName, O extends OpName<K>>(id: HubId<K>, op: O, args: ArgsOf<K, O>, options: WaitOptions = {}): Promise<AnswerOf<K, O>> {
  const { signal, timeout } = options;
  signal?.throwIfAborted();
  const deadline = linkDeadline(timeout);
  // With the link up, the client is made at once, so this call is posted before the caller's next one.
  const self = client ?? (linkReady() ? threadClient() : await threadClientAsync(deadline, signal));
  if (self === undefined) return TIMED_OUT as AnswerOf<K, O>;
  signal?.throwIfAborted();
  const seq = self.nextSeq();
  self.post({ t: 'call', thread: self.token, seq, id, op, args, timeout: remainingOf(timeout, deadline) });
  if (signal === undefined) return self.answerOf(seq, undefined) as Promise<AnswerOf<K, O>>;
  const cancel = (): void => self.post({ t: 'cancel', thread: self.token, seq });
  signal.addEventListener('abort', cancel, { once: true });
  try {
    return (await self.answerOf(seq, signal)) as AnswerOf<K, O>;
  } finally {
    signal.removeEventListener('abort', cancel);
  }
}

/**
 * Sends `op` without waiting for an answer (a release, a set, an unbounded put).
 * Ordered after every earlier call and send of this thread. Delivered even if
 * the process exits right after (the process waits for its link to flush).
 * A failure of a sent op is reported on stderr, since no caller waits for it.
 */
export function hubSend<K extends HubKindName, O extends OpName<K>>(id: HubId<K>, op: O, args: ArgsOf<K, O>): void {
  const self = threadClient();
  self.post({ t: 'send', thread: self.token, id, op, args });
}

/**
 * This process's cell of lock `id`, where its threads take the lock while
 * the process holds a grant (`grants.ts`): asked once per thread and lock
 * of the thread's server (its link, or the root's hub), not of the hub.
 */
export function hubGrantCell(id: number, reentrant: boolean): SharedArrayBuffer {
  const self = threadClient();
  const seq = self.nextSeq();
  self.post({ t: 'grant-cell', thread: self.token, seq, id, reentrant });
  return settle(self.waitFor(seq)) as SharedArrayBuffer;
}

/** How many requests this thread has posted to its link (`put-ring.ts`); 0 before its first. */
export function hubPostCount(): number {
  return client?.posts ?? 0;
}

/** Hands this thread's ring of one-way puts to its process's link (a child's: the root has none). */
export function hubAttachPutRing(ring: SharedArrayBuffer): void {
  threadClient().post({ t: 'put-ring', thread: client!.token, ring });
}

/** Tells the hub this thread ended, if it ever used the hub: what it held is released. */
export function hubThreadEnded(): void {
  // Lends and drops of this thread matter after it: send them first.
  flushRefs();
  if (client === undefined || !linkReady()) return;
  client.post({ t: 'thread-ended', thread: client.token });
}

/** Blocks until the hub has handled everything this process sent it (or the link is lost: an exit must not hang on a dead hub). */
export function hubFlush(): void {
  flushRefs();
  if (client === undefined || !linkReady()) return;
  const seq = client.nextSeq();
  client.post({ t: 'flush', thread: client.token, seq });
  try {
    client.waitFor(seq);
  } catch {
    // The link died meanwhile: there is nothing left to flush to.
  }
}

setFlush(hubFlush);
setAddressQuery(() => {
  const self = threadClient();
  const seq = self.nextSeq();
  self.post({ t: 'address', thread: self.token, seq });
  return settle(self.waitFor(seq)) as HubAddress;
});

/** An error from the hub, as the class the caller expects. */
function rebuildError(wire: WireError): Error {
  if (wire.code === ErrorCode.InvalidArg) return invalidArg(wire.message, wire.name === 'TypeError' ? 'type' : 'range');
  if (wire.code !== undefined) return misuse(wire.code as ErrorCode, wire.message);
  const Condition = conditionClasses[wire.name] as (new (message?: string) => Error) | undefined;
  if (Condition !== undefined && wire.name !== 'Full') return new Condition(wire.message);
  if (wire.name === 'Full') return new conditionClasses.Full(undefined as never, wire.message as never);
  const error = new Error(wire.message);
  error.name = wire.name;
  return error;
}
