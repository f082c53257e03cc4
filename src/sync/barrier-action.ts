/**
 * A Barrier's `action` — Python's `Barrier(parties, action=…)`: a function
 * that one party, the last to arrive, calls when the barrier trips, before
 * any party is released. Shared by both scopes' Barriers (thread scope in
 * `barrier.ts`, process scope in `multiprocessing/barrier.ts`).
 *
 * The last party to arrive may be any thread or process holding the
 * barrier, so the action crosses as a target does (`runtime/target.ts`): by
 * reference, as "the export of module M that is this function". It must be
 * exported; the constructor throws `ERR_TARGET_NOT_EXPORTED` when it can
 * see that the module does not export it (`runner/export-check.ts`); when it
 * cannot tell, a party that cannot import it fails at the trip, breaking the
 * barrier. In the constructing thread the function itself is called; a
 * thread or process that receives the barrier starts importing the action's
 * module at once (`preloadTarget`), and a Thread's or Process's bootstrap
 * waits for that before `run()`.
 *
 * The action is called with no arguments, as in Python. `wait()` awaits it,
 * so it may be async. `waitSync()` cannot wait for a promise without
 * blocking the event loop that would settle it: an async action (an
 * `async function`, or one that returns a promise) under `waitSync()` breaks
 * the barrier and throws `ERR_INVALID_ARG` ("use wait()"); so does a
 * `waitSync()` trip in a thread that has not finished importing the action
 * (a barrier received through a queue and used at once).
 */
import { ErrorCode, invalidArg, misuse } from '../errors.js';
import { callerModule } from '../runner/call-site.js';
import { looksExported } from '../runner/export-check.js';
import { describeTarget, notExported, preloadTarget, type Preload, type TargetRef } from '../runtime/target.js';

export interface BarrierOptions {
  /** Default timeout of `wait()`/`waitSync()`, in ms (Python's `timeout`). */
  timeout?: number;
  /**
   * Called by the last party to arrive, before any party is released
   * (Python's `action`). Exported from a module, as a Thread's target. If it
   * throws, the barrier breaks and that party's wait throws the error.
   */
  action?: () => unknown;
  /** The module exporting `action`, when weft cannot find it. */
  module?: string | URL;
}

export class BarrierAction {
  readonly ref: TargetRef;
  /** The function, in the constructing thread. */
  readonly #local: Function | undefined;
  /** Elsewhere: the import of the function, started when the barrier arrived. */
  readonly #preload: Preload | undefined;

  private constructor(ref: TargetRef, local: Function | undefined, preload: Preload | undefined) {
    this.ref = ref;
    this.#local = local;
    this.#preload = preload;
  }

  /** From a constructor's options: undefined without an action; throws for one that cannot cross. */
  static fromOptions(options: BarrierOptions | undefined): BarrierAction | undefined {
    const action = options?.action;
    if (action === undefined || action === null) return undefined;
    if (typeof action !== 'function') throw invalidArg('sync: a Barrier action must be a function', 'type');
    const module = options?.module;
    if (module !== undefined && typeof module !== 'string' && !(module instanceof URL)) {
      throw invalidArg('sync: module must be a URL or a string', 'type');
    }
    const site = callerModule();
    const ref = describeTarget(action, 'action', module, site);
    if (!looksExported(action, ref.module) && (site === undefined || !looksExported(action, site))) throw notExported(ref);
    return new BarrierAction(ref, action, undefined);
  }

  /** In a thread or process that received the barrier: starts importing the action. */
  static attach(ref: TargetRef): BarrierAction {
    return new BarrierAction(ref, undefined, preloadTarget(ref));
  }

  /** Calls the action, awaiting it; throws what it throws. */
  async run(): Promise<void> {
    const fn = this.#local ?? (await this.#preload!.promise);
    await (fn as () => unknown)();
  }

  /** Calls the action without waiting for anything; throws what it throws, or ERR_INVALID_ARG (see the header). */
  runSync(): void {
    const fn = this.#local ?? this.#loaded();
    if (fn.constructor.name === 'AsyncFunction') throw asyncUnderSync(this.ref.name);
    const result = (fn as () => unknown)() as PromiseLike<unknown> | undefined;
    if (typeof result?.then === 'function') {
      result.then(undefined, () => {}); // its outcome has nowhere to go; the barrier is broken already
      throw asyncUnderSync(this.ref.name);
    }
  }

  #loaded(): Function {
    const preload = this.#preload!;
    if (preload.error !== undefined) throw preload.error;
    if (preload.value === undefined) {
      throw misuse(
        ErrorCode.InvalidArg,
        `sync: the Barrier action "${this.ref.name}" is still being imported in this thread, and waitSync() cannot wait for it; use wait()`,
      );
    }
    return preload.value;
  }
}

function asyncUnderSync(name: string): Error {
  return invalidArg(`sync: the Barrier action "${name}" is async, and waitSync() cannot wait for it; use wait()`, 'type');
}
