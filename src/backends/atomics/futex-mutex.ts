/**
 * A tiny internal mutex on one Int32 word: the "mutex 3" of Ulrich Drepper's
 * *Futexes Are Tricky* (https://akkadia.org/drepper/futex.pdf), built on
 * `Atomics.wait`/`Atomics.notify` instead of the futex syscall.
 *
 * weft uses it only to guard its own short critical sections — a wait queue
 * being linked or unlinked, a cell being allocated — never user code. The
 * section is a few dozen instructions, so a short spin usually wins; if it
 * does not, the thread sleeps in the kernel instead of burning a core.
 * Sleeping here is allowed on the main thread too: the holder is guaranteed
 * to leave within microseconds, it never waits for anything while holding.
 *
 * | value | state                                     |
 * |-------|-------------------------------------------|
 * | 0     | unlocked                                  |
 * | 1     | locked, nobody sleeping on it             |
 * | 2     | locked, maybe someone sleeping (wake one) |
 *
 * Transitions: lock 0→1 (fast) or any→2 then sleep while 2; unlock: 1→0
 * (nobody to wake) or 2→0 and wake one sleeper.
 */

export const MutexState = { Unlocked: 0, Locked: 1, Contended: 2 } as const;

// Spins before sleeping. The guarded sections are short; a few turns cover
// a holder that is running, and anything longer means it was descheduled.
const SPIN_LIMIT = 64;

export function lockMutex(words: Int32Array, index: number): void {
  if (Atomics.compareExchange(words, index, MutexState.Unlocked, MutexState.Locked) === MutexState.Unlocked) return;
  lockMutexSlow(words, index);
}

function lockMutexSlow(words: Int32Array, index: number): void {
  for (let spin = 0; spin < SPIN_LIMIT; spin++) {
    if (Atomics.load(words, index) === MutexState.Unlocked &&
        Atomics.compareExchange(words, index, MutexState.Unlocked, MutexState.Locked) === MutexState.Unlocked) {
      return;
    }
  }
  // Announce a sleeper by moving to Contended; whoever unlocks will wake us.
  // If the exchange finds it Unlocked we own it (as Contended, which only
  // costs one spare wake-up later).
  while (Atomics.exchange(words, index, MutexState.Contended) !== MutexState.Unlocked) {
    Atomics.wait(words, index, MutexState.Contended);
  }
}

export function unlockMutex(words: Int32Array, index: number): void {
  if (Atomics.exchange(words, index, MutexState.Unlocked) === MutexState.Contended) {
    Atomics.notify(words, index, 1);
  }
}
