/**
 * Internal points where a test can stop a thread at an exact place inside
 * weft's own code — inside the arena's allocation lock, between claiming a
 * queue slot and writing it — so that what happens when the thread is
 * terminated there can be reproduced deterministically, with events instead
 * of sleeps (`test/runner/terminate-inside.test.ts`). Not exported from any
 * entry point; each hook is one property read where it is called.
 */
export interface TestHooks {
  /** Called holding the arena's AllocLock (startThread, cell refill). */
  allocLocked?: () => void;
  /** Called by a FIFO push between claiming its slot and writing it. */
  fifoClaimed?: () => void;
  /** Called by a FIFO pop between claiming its slot and reading it. */
  fifoTaken?: () => void;
}

const key = Symbol.for('weft.atomics.testHooks');
type GlobalWithHooks = typeof globalThis & { [key]?: TestHooks };

/** Shared by every copy of weft in the thread, as the runtime is. */
export const testHooks: TestHooks = ((globalThis as GlobalWithHooks)[key] ??= {});
