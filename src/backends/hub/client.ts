/**
 * Calling the hub from any thread of any process of the tree.
 * (Transport being written: signatures are the contract; see call.ts for the hub side.)
 */
import type { WaitOptions } from '../../sync/options.js';

/** Creates an object of `kind` in the hub (blocking the calling thread briefly); returns its id. */
export function hubCreate(kind: string, args: readonly unknown[]): number {
  throw new Error(`hub transport not written yet (${kind} ${args.length})`);
}

/**
 * Calls `op` on object `id` and blocks the calling thread until the hub answers.
 * Returns the answer, or `TIMED_OUT` when `timeout` ran out; throws what the
 * object failed the call with (`fail` → RuntimeError with code, `raise` → Full/Empty/…),
 * or `ERR_HUB_LOST` if the hub is gone.
 */
export function hubCallSync(id: number, op: string, args: readonly unknown[] = [], timeout?: number): unknown {
  throw new Error(`hub transport not written yet (${id} ${op} ${args.length} ${timeout})`);
}

/**
 * As `hubCallSync`, without blocking. On abort: if the hub had not answered,
 * the call is withdrawn (the object runs its `whenAbandoned` cleanup) and the
 * promise rejects with `signal.reason`; if the answer was already on its way,
 * the promise resolves with it (the call completed before the abort took effect).
 */
export function hubCall(id: number, op: string, args: readonly unknown[] = [], options: WaitOptions = {}): Promise<unknown> {
  return Promise.reject(new Error(`hub transport not written yet (${id} ${op} ${args.length} ${String(options.timeout)})`));
}

/**
 * Sends `op` without waiting for an answer (a release, a set, an unbounded put).
 * Ordered after every earlier call and send of this thread. Delivered even if
 * the process exits right after (the process waits for its link to flush).
 * A failure of a sent op is reported on stderr, since no caller waits for it.
 */
export function hubSend(id: number, op: string, args: readonly unknown[] = []): void {
  throw new Error(`hub transport not written yet (${id} ${op} ${args.length})`);
}
