/**
 * The hub's core: every process-scope object of the tree, and the calls
 * waiting on them. Single-threaded — it runs on the hub's worker thread
 * only — so no state here needs a lock.
 *
 * Clients are the processes of the tree (the root is client 0, served
 * without a socket). For each client the core keeps its calls that still
 * wait, so that it can
 *
 * - answer `TIMED_OUT` when a call's timeout runs out (objects never run timers),
 * - withdraw a call its caller cancelled (an AbortSignal),
 * - withdraw every call of a thread or process that ended, then tell every
 *   object (`callerGone`), which releases what the dead caller held.
 *
 * A withdrawn call runs its object's `whenAbandoned` cleanups first and is
 * then settled, so the object can never answer it afterwards — an item is
 * never handed to a caller that is gone, a lock never granted to one.
 *
 * The core also counts every object's references (`references.ts`): the
 * creator's, each wrapper's, each handle's in flight; an object nobody can
 * name any more, with no call waiting on it, leaves the registry.
 */
import { getHeapStatistics } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { ErrorCode } from '../../errors.js';
import { addHubObject, allHubObjects, hubKind, hubObject, removeHubObject, TIMED_OUT, type ConditionName, type HubCall, type HubObject } from './call.js';
import type { Answer, GrantNotice, HubRequest, WireError } from './protocol.js';
import { setNoticeSink } from './notices.js';
import { References } from './references.js';
import { endCall, useReferences } from './stored-values.js';

/** Where a client's answers go (its socket, or the root's reply channels). */
export type Deliver = (answer: Answer | { t: 'send-failed'; thread: number; message: string } | GrantNotice) => void;

interface Client {
  readonly deliver: Deliver;
  /** Calls still waiting, by `thread:seq`. */
  readonly waiting: Map<string, Call>;
  /** Answers that hand something over, sent and not yet acknowledged by the client's link: what to undo if it dies. */
  readonly unacked: Map<string, () => void>;
}

const key = (thread: number, seq: number): string => `${thread}:${seq}`;
const ROOT_CLIENT = 0;

/**
 * One call in the hub. A call the caller waits for belongs to its client's
 * state (`home`): kept in `waiting` until settled, and, if it hands
 * something over, in `unacked` until the client's link has it. A one-way
 * `send` has no home: nobody waits for its answer.
 */
class Call implements HubCall {
  readonly client: number;
  readonly thread: number;
  readonly seq: number;
  readonly args: readonly unknown[];
  #settled = false;
  #cleanups: (() => void)[] | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  readonly #home: Client | undefined;
  readonly #answer: (answer: Answer) => void;
  /** Set while the call waits on an object: told when it stops, so the object is not removed under it. */
  #stopWaiting: (() => void) | undefined;

  constructor(client: number, thread: number, seq: number, args: readonly unknown[], home: Client | undefined, answer: (answer: Answer) => void) {
    this.client = client;
    this.thread = thread;
    this.seq = seq;
    this.args = args;
    this.#home = home;
    this.#answer = answer;
  }

  get settled(): boolean {
    return this.#settled;
  }

  reply(value?: unknown): void {
    this.#finish({ t: 'answer', thread: this.thread, seq: this.seq, ok: value });
  }

  replyAcked(value: unknown, undo: () => void): void {
    // The root's threads cannot die without the hub: nothing to acknowledge.
    if (this.client === ROOT_CLIENT || this.#home === undefined) return this.reply(value);
    if (this.#settled) return;
    this.#home.unacked.set(key(this.thread, this.seq), undo);
    this.#finish({ t: 'answer', thread: this.thread, seq: this.seq, ok: value, ack: true });
  }

  fail(code: ErrorCode, message: string): void {
    this.#finish({ t: 'answer', thread: this.thread, seq: this.seq, err: { name: code === ErrorCode.InvalidArg ? 'RangeError' : 'RuntimeError', code, message } });
  }

  raise(name: ConditionName, message: string): void {
    this.#finish({ t: 'answer', thread: this.thread, seq: this.seq, err: { name, message } });
  }

  whenAbandoned(cleanup: () => void): void {
    (this.#cleanups ??= []).push(cleanup);
  }

  /** Runs the object's cleanups, then answers `answer` (or nothing, for a dead caller). */
  abandon(answer: Answer | undefined): void {
    if (this.#settled) return;
    for (const cleanup of this.#cleanups ?? []) cleanup();
    if (answer === undefined) this.#settle();
    else this.#finish(answer);
  }

  /** The call waits on its object: `stop` runs once it is settled. */
  countWaiting(stop: () => void): void {
    this.#stopWaiting = stop;
  }

  startTimer(timeout: number): void {
    this.#timer = setTimeout(() => this.abandon({ t: 'answer', thread: this.thread, seq: this.seq, ok: TIMED_OUT }), timeout);
  }

  #finish(answer: Answer): void {
    if (this.#settled) return;
    this.#settle();
    this.#answer(answer);
  }

  #settle(): void {
    this.#settled = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#cleanups = undefined;
    // However it is settled, the hub forgets it as a waiting call.
    this.#home?.waiting.delete(key(this.thread, this.seq));
    const stop = this.#stopWaiting;
    this.#stopWaiting = undefined;
    stop?.();
  }
}

export class Hub {
  readonly #clients = new Map<number, Client>();
  readonly #references = new References((id) => this.#remove(id));
  #nextObject = 1;
  /** Objects removed and not yet told (`freed`): a freed container may free others, told in turn, not recursively. */
  readonly #freeing: HubObject[] = [];

  constructor() {
    useReferences(this.#references);
    setNoticeSink((client, notice) => this.#clients.get(client)?.deliver(notice));
  }

  #remove(id: number): void {
    const object = removeHubObject(id);
    if (object?.freed === undefined) return;
    this.#freeing.push(object);
    if (this.#freeing.length > 1) return; // an outer #remove is telling them
    while (this.#freeing.length > 0) {
      try {
        this.#freeing[0].freed!();
      } catch (error) {
        process.stderr.write(`weft: the hub failed to free an object: ${(error as Error)?.stack ?? String(error)}\n`);
      }
      this.#freeing.shift();
    }
  }

  /** A process joined the tree. */
  open(client: number, deliver: Deliver): void {
    this.#clients.set(client, { deliver, waiting: new Map(), unacked: new Map() });
  }

  /** A process left the tree (its connection closed): withdraw its calls, release what it held. */
  close(client: number): void {
    const state = this.#clients.get(client);
    if (state === undefined) return;
    for (const call of [...state.waiting.values()]) call.abandon(undefined);
    // Handed over, never received: back where it came from.
    for (const undo of state.unacked.values()) undo();
    this.#clients.delete(client);
    tellEveryObject(client, undefined);
    this.#references.gone(client, undefined);
  }

  handle(client: number, request: HubRequest): void {
    const state = this.#clients.get(client);
    if (state === undefined) return;
    switch (request.t) {
      case 'create':
        return this.#create(client, state, request);
      case 'refs':
        for (const op of request.ops) this.#references.apply(client, request.thread, op);
        return;
      case 'census':
        if (request.collect === true) collectGarbage();
        return state.deliver({ t: 'answer', thread: request.thread, seq: request.seq, ok: { ...this.#references.statistics(), heapUsed: getHeapStatistics().used_heap_size } });
      case 'call':
        return this.#call(client, state, request);
      case 'send':
        return this.#send(client, state, request);
      case 'cancel':
        return state.waiting.get(key(request.thread, request.seq))?.abandon({ t: 'answer', thread: request.thread, seq: request.seq, cancelled: true });
      case 'thread-ended':
        return this.#threadEnded(client, state, request.thread);
      case 'ack':
        state.unacked.delete(key(request.thread, request.seq));
        return;
      case 'flush':
        // A client's frames are handled in order: all it sent before this one has taken effect.
        return state.deliver({ t: 'answer', thread: request.thread, seq: request.seq, ok: true });
    }
  }

  #create(client: number, state: Client, request: Extract<HubRequest, { t: 'create' }>): void {
    const { thread, seq } = request;
    const make = hubKind(request.kind);
    if (make === undefined) {
      state.deliver({ t: 'answer', thread, seq, err: { name: 'Error', message: `hub: no process-scope object of kind "${request.kind}" is known to the hub` } });
      return;
    }
    try {
      const id = this.#nextObject++;
      const object = make(request.args, { client, thread });
      object.identify?.(id);
      addHubObject(id, object);
      this.#references.created(id, client, thread);
      state.deliver({ t: 'answer', thread, seq, ok: id });
    } catch (error) {
      state.deliver({ t: 'answer', thread, seq, err: wireError(error) });
    } finally {
      // Values a failed creation took in (`stored-values.ts`) are released with it.
      endCall();
    }
  }

  #call(client: number, state: Client, request: Extract<HubRequest, { t: 'call' }>): void {
    const { thread, seq } = request;
    const call = new Call(client, thread, seq, request.args, state, state.deliver);
    const object = hubObject(request.id);
    if (object === undefined) {
      state.deliver({ t: 'answer', thread, seq, err: { name: 'Error', message: `hub: no object ${request.id} in this process tree` } });
      return;
    }
    state.waiting.set(key(thread, seq), call);
    try {
      object.call(request.op, call);
    } catch (error) {
      call.abandon({ t: 'answer', thread, seq, err: wireError(error) });
      return;
    }
    if (call.settled) return;
    if (request.timeout === 0) return call.abandon({ t: 'answer', thread, seq, ok: TIMED_OUT });
    const id = request.id;
    this.#references.waiting(id, true);
    call.countWaiting(() => this.#references.waiting(id, false));
    if (request.timeout !== undefined) call.startTimer(request.timeout);
  }

  /** A call nobody waits for: its answer is dropped, a failure is reported to the sender's stderr. */
  #send(client: number, state: Client, request: Extract<HubRequest, { t: 'send' }>): void {
    const { thread } = request;
    const report = (answer: Answer): void => {
      if ('err' in answer) state.deliver({ t: 'send-failed', thread, message: `${answer.err.name}: ${answer.err.message}` });
    };
    const call = new Call(client, thread, -1, request.args, undefined, report);
    const object = hubObject(request.id);
    if (object === undefined) return report({ t: 'answer', thread, seq: -1, err: { name: 'Error', message: `hub: no object ${request.id}` } });
    try {
      object.call(request.op, call);
    } catch (error) {
      report({ t: 'answer', thread, seq: -1, err: wireError(error) });
    }
  }

  #threadEnded(client: number, state: Client, thread: number): void {
    for (const call of [...state.waiting.values()]) {
      if (call.thread === thread) call.abandon(undefined);
    }
    tellEveryObject(client, thread);
    this.#references.gone(client, thread);
  }
}

/**
 * Tells every object that a caller is gone. One object's failure must not
 * stop the others' cleanup, nor end the hub: it is reported and skipped.
 */
function tellEveryObject(client: number, thread: number | undefined): void {
  for (const object of allHubObjects()) {
    try {
      object.callerGone(client, thread);
    } catch (error) {
      process.stderr.write(`weft: the hub failed to clean up after a finished ${thread === undefined ? 'process' : 'thread'}: ${(error as Error)?.stack ?? String(error)}\n`);
    }
  }
}

/** A full garbage collection of the hub's thread, when the process runs with --expose-gc (for measurements only). */
function collectGarbage(): void {
  const gc = (globalThis as { gc?: () => void }).gc ?? (runInNewContext('typeof gc === "function" ? gc : undefined') as (() => void) | undefined);
  gc?.();
}

/** An error thrown inside the hub (a bad argument to a constructor), as it crosses back. */
function wireError(error: unknown): WireError {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return { name: error.name, message: error.message, ...(typeof code === 'string' ? { code } : {}) };
  }
  return { name: 'Error', message: String(error) };
}

