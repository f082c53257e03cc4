/**
 * What the `Manager`'s proxies (`DictProxy`, `ListProxy`, `Namespace`)
 * share — Python's `multiprocessing.managers.BaseProxy`: the id of the
 * referent in the hub, the handle that carries it to other threads and
 * processes, and one way to call it, in an async and a blocking form.
 *
 * A proxy is only a reference: every call is one round trip to the hub,
 * where the referent's state machine runs it atomically
 * (`backends/hub/dict.ts`, `list.ts`). Values are encoded here, in the
 * caller (`hub-value-codec.ts`: a value that cannot cross throws before
 * anything is sent), and answers decoded here, so a caller always holds
 * copies — except of weft objects, which come back live.
 *
 * No call waits for a condition — each is answered as soon as the hub runs
 * it — so none takes a timeout or a signal; the blocking forms block only
 * for the round trip.
 *
 * Errors: the hub answers Python's IndexError / KeyError as misuse codes
 * (`ERR_INDEX_OUT_OF_RANGE`, `ERR_NOT_FOUND`); they are thrown here as
 * `RangeError`s with that `code` (a lookup out of range, JS's closest
 * class). After the manager's shutdown every call throws
 * `ERR_MANAGER_SHUTDOWN`; if the hub is gone, `ERR_HUB_LOST` (the blocking
 * forms check the link while they wait, as every process-scope object's do).
 */
import { inspect } from 'node:util';
import { hubCall, hubCallSync } from '../backends/hub/client.js';
import type { AnswerOf, ArgsOf, HubId, OpName, ProxyKind } from '../backends/hub/ops.js';
import { ErrorCode } from '../errors.js';
import { inspectSymbol } from '../runtime/owner.js';
import { kHandle, type Handle, type Shareable } from '../codec/handles.js';
import { hubHandle, kHubId, type HubBacked } from '../backends/hub/hub-object.js';
import { attach, Attached } from '../sync/attach.js';

/** What a proxy's handle carries: its referent's id in the hub. */
export interface ProxyHandleData {
  readonly id: number;
}

/** Turns an answer into the call's result (decoding values, choosing defaults). */
export type Finish<A, R> = (answer: A) => R;

/** The proxies this thread is showing now (a proxy may hold itself). */
const inspecting = new Set<number>();

/** Rebuilds a proxy of class `Class` over the referent `data` names (a handle kind's attach function). */
export function attachProxy<P>(Class: new () => P, data: ProxyHandleData): P {
  return attach(Class, data.id);
}

/** Makes a proxy of class `Class` over a referent just created in the hub (the Manager's factories). */
export function proxyOver<P>(Class: new () => P, id: number): P {
  return attachProxy(Class, { id });
}

/** `K`: the kind of the referent, whose ops the proxy calls. */
export abstract class BaseProxy<K extends ProxyKind> implements Shareable, HubBacked {
  /** The referent's id in the hub. */
  readonly #id: HubId<K>;

  /** Proxies are made by a `Manager` (`manager.dict()`…) or arrive as handles; never constructed directly. */
  constructor();
  constructor(attached?: Attached<number>) {
    if (!(attached instanceof Attached)) throw new TypeError(`managers: make a ${new.target.name} with a Manager (manager.dict(), manager.list(), manager.Namespace())`);
    this.#id = attached.core as HubId<K>; // the handle kind the proxy was attached by names its referent's kind
  }

  /** The handle kind this class registers. */
  protected abstract get kind(): string;

  /** Calls `op` and resolves with `finish(answer)`; argument errors (thrown by `args`) reject, and nothing is sent. */
  protected async callAsync<O extends OpName<K>, R>(op: O, args: () => readonly unknown[], finish: Finish<AnswerOf<K, O>, R>): Promise<R> {
    // Op names and answers are typed; arguments are built by this file's
    // subclasses from checked values and checked again by the referent.
    const sent = args() as ArgsOf<K, O>;
    let answer: AnswerOf<K, O>;
    try {
      answer = await hubCall(this.#id, op, sent);
    } catch (error) {
      throw lookupError(error);
    }
    return finish(answer);
  }

  /** As `callAsync`, blocking the calling thread until the hub answers. */
  protected callSync<O extends OpName<K>, R>(op: O, args: readonly unknown[], finish: Finish<AnswerOf<K, O>, R>): R {
    let answer: AnswerOf<K, O>;
    try {
      answer = hubCallSync(this.#id, op, args as ArgsOf<K, O>);
    } catch (error) {
      throw lookupError(error);
    }
    return finish(answer);
  }

  get [kHubId](): number {
    return this.#id;
  }

  [kHandle](): Handle {
    const data: ProxyHandleData = { id: this.#id };
    return hubHandle(this.kind, data);
  }

  /** What `console.log` shows: the class and a snapshot of the contents, as Python's `print(d)` shows the dict (one blocking call). */
  [inspectSymbol](): string {
    const name = this.constructor.name;
    // A proxy stored in itself (directly or deeper) is shown by name the second time round.
    if (inspecting.has(this.#id)) return `<${name} #${this.#id}>`;
    inspecting.add(this.#id);
    try {
      return this.format(this.contentsSync());
    } catch (error) {
      if ((error as { code?: string }).code === ErrorCode.ManagerShutdown) return `<${name} #${this.#id} (shut down)>`;
      throw error;
    } finally {
      inspecting.delete(this.#id);
    }
  }

  /** A plain copy of the contents, for inspection. */
  protected abstract contentsSync(): unknown;

  /** How the contents are shown: `DictProxy { a: 1 }`, `ListProxy [ 1, 2 ]`. */
  protected format(contents: unknown): string {
    return `${this.constructor.name} ${inspect(contents, { breakLength: Infinity, depth: 4 })}`;
  }

  toString(): string {
    return this[inspectSymbol]();
  }
}

/** Python's IndexError and KeyError, which the hub answers as misuse codes, as the RangeErrors they are here. */
function lookupError(error: unknown): unknown {
  const code = (error as { code?: unknown } | null)?.code;
  if (code !== ErrorCode.IndexOutOfRange && code !== ErrorCode.NotFound) return error;
  return notFound(code, (error as Error).message);
}

/** A lookup that found nothing (`ERR_NOT_FOUND`) or an index past the end (`ERR_INDEX_OUT_OF_RANGE`), as a RangeError. */
export function notFound(code: typeof ErrorCode.IndexOutOfRange | typeof ErrorCode.NotFound, message: string): RangeError {
  const error = new RangeError(message) as RangeError & { code: string };
  error.code = code;
  return error;
}
