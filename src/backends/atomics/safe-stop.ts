/**
 * Stopping a thread at a safe point before weft terminates it.
 *
 * `worker.terminate()` stops a thread wherever it is. Inside one of weft's
 * internal sections — holding a wait queue's mutex or the arena's allocation
 * lock, between claiming a queue slot and writing it — that would leave the
 * mutex held by a dead thread and its data half-updated; and the thread that
 * could record the death (the parent, on the worker's `exit` event) may be
 * the very thread that then blocks on that mutex, which never lets its event
 * loop run: a deadlock. So weft never terminates a thread that is inside a
 * section:
 *
 * 1. set the thread's `STOPPING` bit (`Slot.Sections` in `arena.ts`); from
 *    now on the thread parks when it would enter its outermost section
 *    (`enterSection` in `futex-mutex.ts`), holding nothing;
 * 2. wait (asynchronously: the terminator's event loop keeps running) until
 *    its section count is 0 — sections are microseconds long;
 * 3. do the same for every thread it started, which Node terminates with
 *    it — after step 2, so that it can start no new one meanwhile;
 * 4. the caller terminates it.
 *
 * The one word is read and written only by atomic read-modify-writes, so the
 * thread either counted itself in before the bit was set (and the terminator
 * waits for it to leave) or sees the bit (and parks): no instant is missed,
 * and no event loop is needed on either side.
 *
 * A thread that stays inside a section longer than the grace period (blocked
 * on a mutex whose holder crashed, say) is terminated anyway; its mutexes are
 * then reclaimed the other way (`futex-mutex.ts`, "A holder that dies").
 */
import { SECTION_COUNT, STOPPING, type Arena } from './arena.js';

/**
 * Asks the thread of `token`, and every thread it started, to stop at a
 * safe point; resolves true once none of them is inside a section, false if
 * `graceMs` passed first.
 */
export async function stopAtSafePoint(arena: Arena, token: number, graceMs: number): Promise<boolean> {
  const words = arena.words;
  const deadline = performance.now() + graceMs;
  const pending = [token];
  let whole = true;
  while (pending.length > 0) {
    const thread = pending.pop()!;
    const word = arena.sectionWordOf(thread);
    const before = Atomics.or(words, word, STOPPING);
    if (!arena.isAlive(thread)) {
      // It ended meanwhile, and its slot may already belong to a new thread
      // (which starts with the word cleared): take back a bit only we set.
      if ((before & STOPPING) === 0) {
        Atomics.and(words, word, ~STOPPING);
        Atomics.notify(words, word);
      }
      continue;
    }
    for (;;) {
      const seen = Atomics.load(words, word);
      if ((seen & SECTION_COUNT) === 0 || !arena.isAlive(thread)) break;
      const left = deadline - performance.now();
      if (left <= 0) {
        whole = false;
        break;
      }
      const wait = Atomics.waitAsync(words, word, seen, Math.min(left, 50));
      if (wait.async) await wait.value;
    }
    for (const child of arena.childrenOf(thread)) pending.push(child);
  }
  return whole;
}

/** Whether the thread of `token` has been asked to stop (for tests and traces). */
export function isStopping(arena: Arena, token: number): boolean {
  return (Atomics.load(arena.words, arena.sectionWordOf(token)) & STOPPING) !== 0;
}
