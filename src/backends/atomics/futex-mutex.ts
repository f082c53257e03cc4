/**
 * A tiny internal mutex on one Int32 word: the "mutex 3" of Ulrich Drepper's
 * *Futexes Are Tricky* (https://akkadia.org/drepper/futex.pdf), built on
 * `Atomics.wait`/`Atomics.notify` instead of the futex syscall, that names
 * its holder so that a holder's death does not leave it locked forever.
 *
 * weft uses it only to guard its own short critical sections — a wait queue
 * being linked or unlinked, a cell being allocated, a heap block carved —
 * never user code. The section is a few dozen instructions, so a short spin
 * usually wins; if it does not, the thread sleeps in the kernel instead of
 * burning a core. Sleeping here is allowed on the main thread too: the
 * holder leaves within microseconds, it never waits for anything but another
 * of these mutexes while holding.
 *
 * ## Word
 *
 * | bits  | meaning                                                  |
 * |-------|----------------------------------------------------------|
 * | 0–27  | token of the holder (`arena.ts`), 0: unlocked            |
 * | 29    | CONTENDED: maybe someone sleeps on the word (wake one)   |
 *
 * | value              | state                                     |
 * |--------------------|-------------------------------------------|
 * | 0                  | unlocked                                  |
 * | token              | locked, nobody sleeping on it             |
 * | token \| CONTENDED | locked, maybe someone sleeping            |
 *
 * Transitions: lock 0 → token (fast) or 0 → token | CONTENDED after marking
 * the word contended and sleeping; unlock: → 0, waking one sleeper if it was
 * CONTENDED; a dead holder's word → the reclaimer's token | CONTENDED (CAS).
 *
 * ## A holder that dies
 *
 * Two mechanisms, for two kinds of death:
 *
 * 1. **weft's own terminations never land inside a section.** Every lock
 *    held is a *section* counted in the thread's slot of the arena
 *    (`Slot.Sections`; `enterSection`/`leaveSection` also mark a few
 *    multi-step lock-free updates, such as a queue's put). Before weft
 *    terminates a thread (`Thread[kTerminate]`: daemon threads of an ending
 *    thread, a pool's workers) it sets the slot's `STOPPING` bit and waits
 *    until the count is 0; a thread that finds `STOPPING` set when it would
 *    enter its outermost section parks there instead, holding nothing,
 *    until the termination lands (it interrupts `Atomics.wait`). Only the
 *    outermost entry parks, so a thread inside a section always finishes
 *    it — including sections nested in it — and the wait is microseconds.
 *    The terminator then terminates, and the data every section guards is
 *    whole. See `safe-stop.ts`.
 * 2. **Any other death** (a worker that runs out of memory, or one that
 *    stays inside a section past the terminator's grace period) may leave a
 *    word naming a dead holder. A waiter sleeps in slices of `SLICE_MS`;
 *    after each it asks the arena whether the holder is alive, and once its
 *    death is recorded (its parent's `exit` event, `Thread#onExit`) takes
 *    the mutex over by a CAS, and `lockMutex` returns true: the caller runs
 *    the lock's recovery, since the dead holder may have stopped halfway.
 *    What each lock's section mutates, and how it recovers, is documented
 *    next to each lock (arena AllocLock, shared-heap, wait-queue, LIFO,
 *    priority items). A waiter that is itself the only thread able to
 *    record the death (the holder's parent, blocked here so its `exit` event
 *    cannot run) stays blocked: that is why weft's own terminations take
 *    path 1, which needs no event loop at all.
 */
import { TOKEN_MASK, SECTION_COUNT, STOPPING } from './arena.js';
import { NOT_LOADED, runtime, section } from './runtime.js';

/** Someone may sleep on the word. */
export const CONTENDED = 1 << 29;

// Spins before sleeping. The guarded sections are short; a few turns cover
// a holder that is running, and anything longer means it was descheduled.
const SPIN_LIMIT = 64;

/** How long a waiter sleeps before it checks that the holder is alive. */
const SLICE_MS = 50;

/**
 * Takes the mutex. Returns true if it was taken over from a holder that
 * died inside its section: the caller must repair what the section guards.
 */
export function lockMutex(words: Int32Array, index: number): boolean {
  const me = enterSection();
  if (Atomics.compareExchange(words, index, 0, me) === 0) return false;
  return lockMutexSlow(words, index, me);
}

function lockMutexSlow(words: Int32Array, index: number, me: number): boolean {
  for (let spin = 0; spin < SPIN_LIMIT; spin++) {
    if (Atomics.load(words, index) === 0 && Atomics.compareExchange(words, index, 0, me) === 0) return false;
  }
  for (;;) {
    let seen = Atomics.load(words, index);
    if (seen === 0) {
      // Taken as contended: whoever else sleeps here is woken by our unlock
      // (at worst one spare wake-up).
      if (Atomics.compareExchange(words, index, 0, me | CONTENDED) === 0) return false;
      continue;
    }
    if ((seen & CONTENDED) === 0) {
      // Announce a sleeper; whoever unlocks will wake us.
      if (Atomics.compareExchange(words, index, seen, seen | CONTENDED) !== seen) continue;
      seen |= CONTENDED;
    }
    if (Atomics.wait(words, index, seen, SLICE_MS) !== 'timed-out') continue;
    const holder = seen & TOKEN_MASK;
    if (!runtime().arena.isAlive(holder) && Atomics.compareExchange(words, index, seen, me | CONTENDED) === seen) {
      return true;
    }
  }
}

export function unlockMutex(words: Int32Array, index: number): void {
  if ((Atomics.exchange(words, index, 0) & CONTENDED) !== 0) Atomics.notify(words, index, 1);
  leaveSection();
}

/** Token of the holder written in the word (dead or alive), 0 if unlocked. */
export function mutexHolder(words: Int32Array, index: number): number {
  return Atomics.load(words, index) & TOKEN_MASK;
}

// ---- sections ------------------------------------------------------------------

// How long a thread asked to stop parks between looks at its STOPPING bit
// (which a terminator that gives up clears; the termination itself
// interrupts the wait).
const PARK_SLICE_MS = 1000;

/**
 * Marks the calling thread as inside a section that a termination must not
 * split; returns its token. If the thread has been asked to stop and is in
 * no section, it never starts one: it parks until it is terminated.
 * Pair with `leaveSection`.
 */
export function enterSection(): number {
  if (section.index === NOT_LOADED) runtime();
  const sections = section.index;
  if (sections < 0) return section.token;
  const words = section.words;
  for (;;) {
    const before = Atomics.add(words, sections, 1);
    if ((before & STOPPING) === 0 || (before & SECTION_COUNT) !== 0) return section.token;
    // Asked to stop, and holding nothing: step back out and wait for the end.
    Atomics.sub(words, sections, 1);
    Atomics.notify(words, sections);
    const now = Atomics.load(words, sections);
    if ((now & STOPPING) !== 0) Atomics.wait(words, sections, now, PARK_SLICE_MS);
  }
}

export function leaveSection(): void {
  const sections = section.index;
  if (sections < 0) return;
  const words = section.words;
  const before = Atomics.sub(words, sections, 1);
  // A terminator waits for the count to reach 0.
  if ((before & STOPPING) !== 0 && (before & SECTION_COUNT) === 1) Atomics.notify(words, sections);
}
