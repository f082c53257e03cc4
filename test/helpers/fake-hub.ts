/**
 * Driving the hub's state machines directly, without the transport: a fake
 * `HubCall` that records its answer, and the core's part — timeouts,
 * cancellation, a caller's death — done by hand (`abandon`, `gone`).
 */
import { addHubObject, hubKind, TIMED_OUT, type HubCall, type HubObject, type ConditionName } from '../../src/backends/hub/call.js';
import '../../src/backends/hub/kinds.js';

export type Answer = { ok: unknown } | { code: string; message: string } | { raised: ConditionName; message: string };

export class FakeCall implements HubCall {
  readonly client: number;
  readonly thread: number;
  readonly args: readonly unknown[];
  answer: Answer | undefined;
  #settled = false;
  #cleanups: (() => void)[] = [];

  constructor(client: number, thread: number, args: readonly unknown[]) {
    this.client = client;
    this.thread = thread;
    this.args = args;
  }

  get settled(): boolean {
    return this.#settled;
  }

  reply(value?: unknown): void {
    this.#settle({ ok: value });
  }

  /** The undo of the last `replyAcked` answer: what the core runs if the caller dies before it receives it. */
  undo: (() => void) | undefined;

  replyAcked(value: unknown, undo: () => void): void {
    if (this.#settled) return;
    this.undo = undo;
    this.#settle({ ok: value });
  }

  fail(code: string, message: string): void {
    this.#settle({ code, message });
  }

  raise(name: ConditionName, message: string): void {
    this.#settle({ raised: name, message });
  }

  whenAbandoned(cleanup: () => void): void {
    this.#cleanups.push(cleanup);
  }

  /** What the core does on a timeout, a cancellation or the caller's death: cleanups, then TIMED_OUT. */
  abandon(): void {
    if (this.#settled) return;
    for (const cleanup of this.#cleanups) cleanup();
    this.#settle({ ok: TIMED_OUT });
  }

  /** The value answered; throws if the call is unanswered or failed. */
  get value(): unknown {
    if (this.answer === undefined) throw new Error('the call is not answered');
    if (!('ok' in this.answer)) throw new Error(`the call failed: ${JSON.stringify(this.answer)}`);
    return this.answer.ok;
  }

  #settle(answer: Answer): void {
    if (this.#settled) return;
    this.#settled = true;
    this.answer = answer;
  }
}

let nextId = 1_000_000;

/** Creates an object of `kind` as the hub's core would; returns it and its id. */
export function create(kind: string, args: readonly unknown[] = []): { object: HubObject; id: number } {
  const make = hubKind(kind);
  if (make === undefined) throw new Error(`no hub kind ${kind}`);
  const object = make(args, { client: 0, thread: 0 });
  const id = nextId++;
  object.identify?.(id);
  addHubObject(id, object);
  return { object, id };
}

/** A caller: process `client`, thread `thread`. */
export interface Who {
  client: number;
  thread: number;
}

export const A: Who = { client: 0, thread: 1 };
export const B: Who = { client: 1, thread: 1 };
export const C: Who = { client: 2, thread: 1 };
export const A2: Who = { client: 0, thread: 2 };

/** Calls `op`; with `timeout: 0`, abandons the call if it was not answered at once (as the core does). */
export function invoke(object: HubObject, op: string, who: Who, args: readonly unknown[] = [], timeout?: number): FakeCall {
  const call = new FakeCall(who.client, who.thread, args);
  object.call(op, call);
  if (timeout === 0) call.abandon();
  return call;
}

/** A caller's process (or, with `thread`, one thread) ended: the core abandons its calls, then tells every object. */
export function gone(objects: HubObject[], calls: FakeCall[], client: number, thread?: number): void {
  for (const call of calls) {
    if (call.client === client && (thread === undefined || call.thread === thread)) call.abandon();
  }
  for (const object of objects) object.callerGone(client, thread);
}
