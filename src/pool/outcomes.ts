/**
 * Where a task's outcome goes: an AsyncResult, a Future, or a promise's
 * resolve/reject. Small classes rather than closures, because one is made
 * per task and a burst makes a hundred thousand of them.
 */
import { AsyncResult, kSettle } from './async-result.js';
import { Future, kSetException, kSetResult, kSetRunningOrNotifyCancel } from './future.js';
import type { TaskOutcome } from './pool-task.js';

export class AsyncResultOutcome implements TaskOutcome {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  constructor(private readonly result: AsyncResult<any>) {}

  settle(ok: boolean, value: unknown): void {
    if (ok) this.result[kSettle](true, value);
    else this.result[kSettle](false, value as Error);
  }
}

export class PromiseOutcome<R> implements TaskOutcome {
  constructor(
    private readonly resolve: (value: R) => void,
    private readonly reject: (error: unknown) => void,
  ) {}

  settle(ok: boolean, value: unknown): void {
    if (ok) this.resolve(value as R);
    else this.reject(value);
  }
}

/** A Future is claimed (RUNNING) when a worker is given its task, then gets its result or error. */
export class FutureOutcome<R> implements TaskOutcome {
  constructor(private readonly future: Future<R>) {}

  claim(): boolean {
    return this.future[kSetRunningOrNotifyCancel]();
  }

  settle(ok: boolean, value: unknown): void {
    if (this.future.done()) return;
    if (ok) this.future[kSetResult](value as R);
    else this.future[kSetException](asError(value));
  }

  cancel(): void {
    this.future.cancel();
  }
}

/** Futures hold Errors; anything else a task threw is wrapped, the original kept as `cause`. */
export function asError(value: unknown): Error {
  return value instanceof Error ? value : new Error(String(value), { cause: value });
}
