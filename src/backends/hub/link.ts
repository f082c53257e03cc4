/**
 * A child process's link to the hub: `runLink()` is the entry of a worker
 * thread that the child's main thread starts at boot (`tree.ts`). It holds
 * the process's one connection to the hub and relays: requests from the
 * process's threads (`LocalThreads`) go out as frames, unchanged; answers
 * come back and are handed to the thread that asked.
 *
 * Because the link is a thread of its own, a thread blocked in a `…Sync`
 * call is answered, and the hub learns nothing of how busy the process's
 * main thread is.
 *
 * The link keeps the calls it forwarded until they are answered: if the
 * connection drops, each is answered `ERR_HUB_LOST`, and so is every later
 * request — no caller waits forever for a hub that is gone.
 *
 * When the hub is gone is decided by facts only (`tree.ts`):
 *
 * | event, before the welcome                 | meaning                          | the link       |
 * |-------------------------------------------|----------------------------------|----------------|
 * | ENOENT, ENOTDIR, ECONNREFUSED, EACCES     | no hub listens at the address    | Lost           |
 * | `refused` from the hub                    | the hub does not take our token  | Lost           |
 * | EAGAIN (backlog full) or another error    | the hub is alive but busy        | connects again |
 * | closed without a word                     | the hub's hello limit ran out while we were slow | connects again |
 *
 * After the welcome, a closed connection is the hub gone (or it closed us
 * for a bad frame): Lost. Nothing is sent before the welcome but the hello,
 * so connecting again is always safe.
 */
import type { Socket } from 'node:net';
import { nodeNet } from '../../internal/builtins.js';
import { workerData } from 'node:worker_threads';
import { ErrorCode } from '../../errors.js';
import { Header } from '../atomics/arena.js';
import { FrameReader, MAX_FRAME_BYTES } from './frames.js';
import { Grants } from './grants.js';
import { LinkState } from './link-state.js';
import { LocalThreads } from './local-threads.js';
import type { Answer, HubAddress, Notice, Request } from './protocol.js';
import { Outbox } from './outbox.js';
import { LINK_THREAD, QueueLending } from './queue-lending.js';
import { LinkPutRings } from './link-put-rings.js';
import { CREDIT_THREAD, QueueCreditLink } from './queue-credit-link.js';
import { VALUE_THREAD, ValueOwnerLink } from './value-owner-link.js';

export interface LinkSeed extends HubAddress {
  readonly arena: SharedArrayBuffer;
}

/** Connection errors that say no hub listens at the address: a fact, not a load. */
const NO_HUB = new Set(['ENOENT', 'ENOTDIR', 'ECONNREFUSED', 'EACCES']);

/** The pause before connecting again after a transient failure, doubling up to the last. */
const RETRY_MS = [5, 10, 20, 50, 100, 200, 500, 1000];

const HUB_LOST = { name: 'RuntimeError', code: ErrorCode.HubLost, message: 'multiprocessing: the hub of this process tree is gone (its root process ended?); process-scope objects no longer work here' };

/** Entry point of the link's worker thread. */
export function runLink(): void {
  new Link(workerData as LinkSeed).start();
}

class Link {
  readonly #seed: LinkSeed;
  readonly #state: Int32Array;
  #socket!: Socket;
  #outbox!: Outbox;
  #reader = new FrameReader(MAX_FRAME_BYTES);
  /** Calls forwarded and not yet answered, by thread. */
  readonly #unanswered = new Map<number, Set<number>>();
  #threads: LocalThreads | undefined;
  /** This process's lock grants (`grants.ts`), once welcomed. */
  #grants: Grants | undefined;
  #welcomed = false;
  #refused = false;
  #lost = false;
  #attempts = 0;
  /** Queue items lent to this process (`queue-lending.ts`). */
  readonly #lending = new QueueLending((request) => this.#outbox.add(request));
  /** Room credit of bounded queues this process puts to (`queue-credit-link.ts`). */
  readonly #credit = new QueueCreditLink((request) => this.#outbox.add(request));
  /** Values lent to this process (`value-owner-link.ts`). */
  readonly #values = new ValueOwnerLink((request) => this.#outbox.add(request));
  /** The threads' rings of one-way puts (`link-put-rings.ts`). */
  readonly #putRings = new LinkPutRings((request) => {
    // A put drained here may tell of items taken (a consumer's report): the hub hears of the claims first.
    this.#lending.reportClaims();
    this.#outbox.add(request);
  });

  constructor(seed: LinkSeed) {
    this.#seed = seed;
    this.#state = new Int32Array(seed.arena);
  }

  start(): void {
    this.#connect();
  }

  /** One attempt to connect and say hello; its failures are sorted by the table in the header. */
  #connect(): void {
    const socket = nodeNet().connect(this.#seed.path);
    this.#socket = socket;
    // Every write to the hub carries first the numbers of the Values this process changed (kept if it is killed).
    this.#outbox = new Outbox(socket, () => this.#values.changes());
    this.#reader = new FrameReader(MAX_FRAME_BYTES);
    let error: string | undefined;
    socket.on('connect', () => this.#outbox.add({ t: 'hello', token: this.#seed.token, pid: process.pid }));
    socket.on('data', (chunk: Buffer) => {
      for (const message of this.#reader.push(chunk)) this.#fromHub(message as Answer | Notice);
    });
    socket.on('error', (e: NodeJS.ErrnoException) => (error = e.code ?? 'EIO'));
    socket.on('close', () => {
      if (this.#welcomed || this.#refused || (error !== undefined && NO_HUB.has(error))) return this.#lose();
      // The hub is there but did not take us yet: busy (EAGAIN), or it
      // dropped a hello that came too late. Try again.
      const pause = RETRY_MS[Math.min(this.#attempts++, RETRY_MS.length - 1)];
      setTimeout(() => this.#connect(), pause);
    });
  }

  #fromHub(message: Answer | Notice): void {
    switch (message.t) {
      case 'welcome':
        this.#welcomed = true;
        this.#grants = new Grants(this.#seed.arena, (request) => this.#outbox.add(request));
        this.#threads = new LocalThreads((request) => this.#fromThread(request));
        LinkState.set(this.#state, Header.HubLink, LinkState.Ready);
        return;
      case 'refused':
        this.#refused = true;
        process.stderr.write(`weft: the hub refused this process: ${message.reason}\n`);
        return;
      case 'send-failed':
        process.stderr.write(`weft: a process-scope operation nobody waited for failed: ${message.message}\n`);
        return;
      case 'grant':
      case 'revoke':
        return this.#grants?.notice(message);
      case 'answer':
        if (message.thread === LINK_THREAD) return this.#lending.fromHub(message);
        if (message.thread === CREDIT_THREAD) return this.#credit.fromHub(message);
        if (message.thread === VALUE_THREAD) return this.#values.fromHub(message);
        this.#unanswered.get(message.thread)?.delete(message.seq);
        // What the hub handed over is ours now; until it hears so, it would take it back if we died.
        // Written at the end of this read, microseconds after the thread is
        // woken and before it can have run much: writing it before waking the
        // thread would put a write on every grant's critical path (a fifth of
        // the contended lock's rate, measured), to close a window of microseconds.
        if ('ok' in message && message.ack === true) this.#outbox.add({ t: 'ack', thread: message.thread, seq: message.seq });
        this.#threads?.deliver(message.thread, this.#values.toThread(this.#credit.toThread(this.#lending.toThread(message))));
    }
  }

  #fromThread(request: Exclude<Request, { t: 'register' }>): void {
    if (!this.#lost) {
      this.#putRings.before();
      this.#lending.beforeRequest(request);
      this.#credit.beforeRequest(request);
      this.#values.beforeRequest(request);
    }
    this.#forward(request);
    this.#putRings.after(request);
  }

  #forward(request: Exclude<Request, { t: 'register' }>): void {
    const threads = this.#threads!;
    switch (request.t) {
      case 'address':
        return threads.deliver(request.thread, this.#answer(request, { path: this.#seed.path, token: this.#seed.token }));
      case 'flush':
        return this.#flush(request);
      case 'grant-cell':
        return threads.deliver(request.thread, this.#answer(request, this.#grants!.cellBuffer(request.id, request.reentrant)));
      case 'put-ring':
        return;
      case 'create':
      case 'call':
      case 'census':
        if (this.#lost) return threads.deliver(request.thread, { t: 'answer', thread: request.thread, seq: request.seq, err: HUB_LOST });
        this.#remember(request.thread, request.seq);
        return this.#outbox.add(request);
      case 'thread-ended':
        threads.forget(request.thread);
        this.#unanswered.delete(request.thread);
        if (!this.#lost) this.#outbox.add(request);
        return;
      default:
        if (!this.#lost) this.#outbox.add(request);
    }
  }

  /**
   * Answers once the hub has handled everything posted before it. Written
   * to the socket is not enough: the parent hears this process exit and its
   * `join()` returns while the hub may not have read our last one-way puts
   * yet, and a `qsize()` or `getNowait()` right after would miss them.
   */
  #flush(request: Extract<Request, { t: 'flush' }>): void {
    if (this.#lost) return this.#threads!.deliver(request.thread, this.#answer(request, true));
    // Grants whose lock is free go back now; one still held goes back as a death when the hub sees us gone.
    this.#grants?.returnAll();
    this.#remember(request.thread, request.seq);
    this.#outbox.add(request);
  }

  #answer(request: { thread: number; seq: number }, ok: unknown): Answer {
    return { t: 'answer', thread: request.thread, seq: request.seq, ok };
  }

  #remember(thread: number, seq: number): void {
    let calls = this.#unanswered.get(thread);
    if (calls === undefined) this.#unanswered.set(thread, (calls = new Set()));
    calls.add(seq);
  }

  /** The connection is gone: every call still waiting is answered `ERR_HUB_LOST`, and so is every later one. */
  #lose(): void {
    if (this.#lost) return;
    this.#lost = true;
    LinkState.set(this.#state, Header.HubLink, LinkState.Lost);
    for (const [thread, calls] of this.#unanswered) {
      for (const seq of calls) this.#threads?.deliver(thread, { t: 'answer', thread, seq, err: HUB_LOST });
    }
    // Threads with a client already post without looking at the link's
    // state: `#fromThread` answers them ERR_HUB_LOST from now on.
    this.#unanswered.clear();
  }
}
