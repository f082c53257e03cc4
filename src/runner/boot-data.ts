/**
 * What a starting thread hands the new one (its `workerData`), and the
 * start handshake.
 *
 * When weft cannot tell at once that a target is exported
 * (`export-check.ts`), `start()` waits until the new thread has imported it,
 * so that a target that is not exported, or a module that fails to import,
 * throws from `start()` itself. The handshake is one Int32 word:
 *
 * | value    | set by      | meaning                                              |
 * |----------|-------------|------------------------------------------------------|
 * | Booting  | creator     | the new thread is loading                            |
 * | Running  | new thread  | target found; `run()` is about to be called           |
 * | Failed   | new thread  | loading failed; the error is on the control port     |
 * | Detached | creator     | gave up waiting (see `START_WAIT_MS`); a later failure is reported as the thread's error |
 *
 * Booting → Running | Failed by the new thread, Booting → Detached by the
 * creator, each with compare-and-swap, so exactly one side decides how a
 * failure is reported.
 */
import type { MessagePort } from 'node:worker_threads';
import type { EncodedArgs } from '../codec/args.js';
import type { TargetRef } from '../runtime/target.js';

export const StartState = { Booting: 0, Running: 1, Failed: 2, Detached: 3 } as const;

/**
 * How long `start()` blocks for a new thread to load its target before it
 * lets the thread finish loading on its own. Loading takes tens of
 * milliseconds; this only bounds a thread whose module never finishes loading.
 */
export const START_WAIT_MS = 10_000;

/** What every weft worker is created with (its `workerData`). */
export interface WorkerSeed {
  /** URL of `bootstrap`, which the new worker imports first. */
  readonly bootstrap: string;
  /** tsx's ESM hooks, to register before importing anything (see `runtime/loaders.ts`). */
  readonly tsxHooks: string | undefined;
  /** Whether to map stack traces through source maps, as the creator does. */
  readonly sourceMaps: boolean;
  /** The worker's end of the control channel. */
  readonly port: MessagePort;
  /** One Int32 word: `StartState`. */
  readonly start: SharedArrayBuffer;
  /**
   * The thread to run. A warm spare (`spare-workers.ts`) is created without
   * one and receives it later as an `AssignMessage` on `port`.
   */
  readonly assignment: ThreadAssignment | undefined;
}

/** Which thread a worker runs, and everything it is handed. */
export interface ThreadAssignment {
  readonly arena: SharedArrayBuffer;
  readonly token: number;
  readonly name: string;
  readonly daemon: boolean;
  /** The target function, if any. */
  readonly target: TargetRef | undefined;
  /** The Thread subclass to rebuild, if not Thread itself. */
  readonly cls: TargetRef | undefined;
  readonly args: EncodedArgs;
  /** Own fields of the Thread object, copied in. */
  readonly fields: EncodedArgs;
  /** MessagePorts transferred to the thread for weft's own use (`kPorts` in thread.ts). */
  readonly ports?: readonly MessagePort[];
  /** A `Timer`'s wait before `run()` (see `timer.ts`); undefined for a Thread. */
  readonly delay?: ThreadDelay;
}

/** A `Timer`: wait `interval` ms for `finished` (the encoded Event) before running; skip `run()` if it was set. */
export interface ThreadDelay {
  readonly interval: number;
  readonly finished: EncodedArgs;
}

/** Creator → warm spare, on the control channel: run this thread. */
export interface AssignMessage {
  readonly type: 'assign';
  readonly assignment: ThreadAssignment;
}

/** Messages on the control channel, new thread → creator. */
export type ControlMessage =
  | { readonly type: 'error'; readonly error: import('../codec/remote-error.js').EncodedError }
  | { readonly type: 'bootstrap-error'; readonly name: string; readonly message: string; readonly stack: string | undefined };
