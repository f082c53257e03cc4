/**
 * The arena: the one SharedArrayBuffer that all weft threads of a process
 * share. It holds what no single primitive can hold for itself:
 *
 * - the **thread table**, one slot per live thread, so that any thread can ask
 *   "is the thread that holds this lock still alive?" and can join or name a
 *   thread it did not start;
 * - the **wait cells**, one per blocked call, in which a waiter sleeps and
 *   through which exactly that waiter is woken. Primitives keep FIFO queues of
 *   cells (see `wait-queue.ts`); this is the parking lot of WebKit and Rust's
 *   `parking_lot` (https://webkit.org/blog/6161/locking-in-webkit/), with the
 *   global table replaced by one queue per primitive.
 *
 * The root thread creates the arena on first use and hands it to every thread
 * it starts (`workerData`), and they to theirs. The buffer is large but
 * untouched pages cost nothing: the kernel commits memory as cells are used.
 *
 * ## Layout (Int32 words)
 *
 * | words                | name         | written by                 | meaning                                   |
 * |----------------------|--------------|----------------------------|-------------------------------------------|
 * | 0                    | Magic        | creator                    | `ARENA_MAGIC`, a format check              |
 * | 1                    | AllocLock    | anyone (futex mutex)       | guards FreeCell, NextCell and slot reuse (recovery below) |
 * | 2                    | FreeCell     | holder of AllocLock        | first free cell + 1 (0: none)              |
 * | 3                    | NextCell     | holder of AllocLock        | cells [0, NextCell) were handed out once   |
 * | 4                    | ThreadCounter| anyone (Atomics.add)       | the last N of a default `Thread-N` name    |
 * | 5                    | DeathEpoch   | whoever records a death    | bumped (and notified) at every thread end  |
 * | 6                    | SlotCursor   | holder of AllocLock        | where the next slot search starts          |
 * | 7                    | HubLink      | see `backends/hub/tree.ts` | this process's way to the hub: none, starting, ready, lost |
 * | 8                    | Killed       | a dead thread's parent     | threads that ended without recording it themselves (terminated, crashed) |
 * | THREADS_BASE + 24·s  | slot s       | see `Slot`                 | one thread                                 |
 * | CELLS_BASE + 8·c     | cell c       | see `Cell`                 | one blocked call                           |
 *
 * ### Thread slot (`Slot`, 24 words)
 *
 * | word       | who writes                              | meaning                                   |
 * |------------|-----------------------------------------|-------------------------------------------|
 * | State      | starter (→Alive), `endThread` (CAS)     | `gen << 2 \| SlotState`; joiners sleep on this word |
 * | Sections   | the thread (add/sub), a terminator (STOPPING) | sections the thread is in, and bit 30 STOPPING (`futex-mutex.ts`, `safe-stop.ts`) |
 * | ThreadId   | starter                                 | the worker's `threadId` (0: main thread)   |
 * | Parent     | starter                                 | token of the starting thread (0: none)     |
 * | Flags      | starter                                 | bit 0: daemon; bit 1: service (below)      |
 * | NameLength | starter, `Thread.name` setter           | bytes used in Name                         |
 * | Name       | starter, `Thread.name` setter           | 64 bytes of UTF-8                          |
 *
 * State machine of a slot: `Free → Alive` (a thread is started; gen+1),
 * `Alive → Ended` (it ended, or its parent saw it die), `Ended → Alive`
 * (the slot is reused; gen+1). A slot is never freed back to `Free`.
 *
 * The generation and the state share one word, so that "the thread of this
 * token has ended" is one compare-and-swap naming the token's generation:
 * recording a death takes no lock (a death must be recordable while a lock
 * is held by the dead), and cannot end a later thread of the same slot. A
 * starter writes every other field first and publishes the slot with one
 * store of State: a starter that dies before it leaves the slot reusable.
 *
 * ### Tokens
 *
 * A thread is named in shared words by its *token*: `(slot + 1) | gen << 13`
 * with a 15-bit generation, a positive 28-bit integer (never 0, so 0 can
 * mean "nobody"). A token whose gen no longer matches its slot's names a
 * thread that has ended, even after the slot was reused (32768 reuses of one
 * slot later, a token would repeat). Lock words store the holder's token;
 * bits 28–30 are left to them.
 *
 * ### Cell (`Cell`, 8 words)
 *
 * | word     | who writes                                  | meaning                                  |
 * |----------|---------------------------------------------|------------------------------------------|
 * | State    | owner (→Waiting), granter (→Granted), waker (→Woken) | `CellState`; the waiter sleeps while it is Waiting |
 * | Token    | owner                                       | token of the waiting thread              |
 * | Kind     | owner                                       | `CellKind`: lock waiters are woken when any thread dies |
 * | Prev     | holder of the owning queue's lock           | previous cell + 1 in its queue (0: none) |
 * | Next     | holder of the owning queue's lock           | next cell + 1 in its queue (0: none)     |
 * | Value    | granter                                     | what the grant carries (e.g. ownerDied)  |
 * | NextFree | holder of AllocLock                         | next free cell + 1 while on the free list |
 *
 * A cell belongs to one waiter from `allocCell` to `freeCell`; while it waits
 * it is in at most one queue, and only the holder of that queue's lock
 * changes its State, Prev, Next and Value — except that a thread's death
 * moves every Waiting lock-waiter cell to Woken (compare-and-swap), so that
 * a waiter about to sleep on a dead holder does not.
 *
 * Cell states: Free (unowned), Waiting (the waiter sleeps on the word),
 * Granted (released with a grant: the waiter got what it waited for), Woken
 * (released to look again: it re-arms the cell to Waiting before sleeping).
 *
 * ## AllocLock and a holder that dies inside it
 *
 * Its sections: `startThread` (slot fields, then one publishing store of
 * State, then SlotCursor, a mere hint), `#refillLocalCells` (pops the free
 * list — one store of FreeCell per cell — or bumps NextCell — one store per
 * cell) and `#returnLocalCells` (pushes onto the free list: the cell's
 * NextFree, then one store of FreeCell). Every step ends in a single store
 * that commits it, so the words are consistent at any point a holder stops:
 * a reclaimer has nothing to repair. What a dead holder loses is at most the
 * cells it had taken into its own cache (as for any thread killed) and a
 * slot it had published for a thread it never launched — which is recorded
 * ended with it, as its child (`endThread`). See `futex-mutex.ts` for when a
 * lock is reclaimed at all.
 */
import { lockMutex, unlockMutex } from './futex-mutex.js';
import { testHooks } from './test-hooks.js';

export const ARENA_MAGIC = 0x77656674; // "weft"

export const Header = {
  Magic: 0,
  AllocLock: 1,
  FreeCell: 2,
  NextCell: 3,
  ThreadCounter: 4,
  DeathEpoch: 5,
  SlotCursor: 6,
  HubLink: 7,
  Killed: 8,
} as const;
const HEADER_WORDS = 16;

export const MAX_THREADS = 4096;
export const Slot = {
  State: 0,
  Sections: 1,
  ThreadId: 2,
  Parent: 3,
  Flags: 4,
  NameLength: 5,
  Name: 8,
} as const;
const SLOT_WORDS = 24;
const NAME_BYTES = (SLOT_WORDS - Slot.Name) * 4;
export const SlotState = { Free: 0, Alive: 1, Ended: 2 } as const;
const STATE_BITS = 2;
const STATE_MASK = (1 << STATE_BITS) - 1;
/** Bit of `Slot.Sections`: the thread is asked to stop, and must not enter a section (`futex-mutex.ts`). */
export const STOPPING = 1 << 30;
/** Bits of `Slot.Sections` that count the sections the thread is in. */
export const SECTION_COUNT = STOPPING - 1;
const FLAG_DAEMON = 1;
/**
 * A slot that names no user thread: the hub's or link's worker, which holds a
 * process's cached lock grants for an instant while it hands one back
 * (`backends/hub/grant-cell.ts`) and so needs a token that stays alive. Not
 * listed among the live threads (`threading.enumerate()`).
 */
const FLAG_SERVICE = 2;

export const MAX_CELLS = 1 << 18;
export const Cell = {
  State: 0,
  Token: 1,
  Kind: 2,
  Prev: 3,
  Next: 4,
  Value: 5,
  NextFree: 6,
} as const;
const CELL_WORDS = 8;
export const CellState = { Free: 0, Waiting: 1, Granted: 2, Woken: 3 } as const;
export const CellKind = { Plain: 0, LockWaiter: 1 } as const;
export type CellKind = (typeof CellKind)[keyof typeof CellKind];

const THREADS_BASE = HEADER_WORDS;
const CELLS_BASE = THREADS_BASE + MAX_THREADS * SLOT_WORDS;
const ARENA_WORDS = CELLS_BASE + MAX_CELLS * CELL_WORDS;

const SLOT_BITS = 13;
const SLOT_MASK = (1 << SLOT_BITS) - 1;
const GEN_MASK = 0x7fff;
/** Bits of a lock word that hold a token (28); the bits above are the lock's own. */
export const TOKEN_MASK = (1 << 28) - 1;

// A thread keeps a few free cells of its own so that most waits do not touch
// AllocLock. Cells it still caches when it is killed are lost: at most
// LOCAL_CACHE_MAX per abnormal thread death.
const LOCAL_REFILL = 16;
const LOCAL_CACHE_MAX = 64;

const utf8 = new TextEncoder();
const utf8Decoder = new TextDecoder();

export interface ThreadInfo {
  token: number;
  threadId: number;
  name: string;
  daemon: boolean;
  parent: number;
}

export class Arena {
  readonly buffer: SharedArrayBuffer;
  readonly words: Int32Array;
  readonly #bytes: Uint8Array;
  readonly #localFree: number[] = [];

  constructor(buffer: SharedArrayBuffer) {
    this.buffer = buffer;
    this.words = new Int32Array(buffer);
    this.#bytes = new Uint8Array(buffer);
    if (this.words.length !== ARENA_WORDS || Atomics.load(this.words, Header.Magic) !== ARENA_MAGIC) {
      throw new Error('weft: the shared arena handed to this thread has an unknown format (two incompatible copies of weft?)');
    }
  }

  /** A fresh arena whose slot 0 is the calling thread. */
  static create(threadId: number, name: string): Arena {
    const buffer = new SharedArrayBuffer(ARENA_WORDS * 4);
    const words = new Int32Array(buffer);
    words[Header.Magic] = ARENA_MAGIC;
    const arena = new Arena(buffer);
    const base = slotBase(0);
    words[base + Slot.State] = stateWord(0, SlotState.Alive);
    words[base + Slot.ThreadId] = threadId;
    arena.#writeName(0, name);
    words[Header.SlotCursor] = 1;
    return arena;
  }

  // ---- tokens and the thread table ----------------------------------------

  /** The token of slot 0, the thread that created the arena. */
  get rootToken(): number {
    return tokenFor(0, 0);
  }

  isAlive(token: number): boolean {
    return Atomics.load(this.words, slotBase(slotOf(token)) + Slot.State) === stateWord(genOf(token), SlotState.Alive);
  }

  /** Index of the thread's section count (`Slot.Sections`). */
  sectionWordOf(token: number): number {
    return slotBase(slotOf(token)) + Slot.Sections;
  }

  /** Claims a slot for a thread about to start; returns its token. `service`: a worker of weft's own, left out of `liveThreads`. */
  startThread(parent: number, daemon: boolean, name: string, service = false): number {
    const words = this.words;
    lockMutex(words, Header.AllocLock);
    try {
      const slot = this.#findReusableSlot();
      const base = slotBase(slot);
      const gen = ((Atomics.load(words, base + Slot.State) >>> STATE_BITS) + 1) & GEN_MASK;
      Atomics.store(words, base + Slot.ThreadId, -1);
      Atomics.store(words, base + Slot.Parent, parent);
      Atomics.store(words, base + Slot.Flags, (daemon ? FLAG_DAEMON : 0) | (service ? FLAG_SERVICE : 0));
      Atomics.store(words, base + Slot.Sections, 0);
      this.#writeName(slot, name);
      testHooks.allocLocked?.();
      // Published by this one store, after everything else (see the header).
      Atomics.store(words, base + Slot.State, stateWord(gen, SlotState.Alive));
      return tokenFor(slot, gen);
    } finally {
      unlockMutex(words, Header.AllocLock);
    }
  }

  #findReusableSlot(): number {
    const words = this.words;
    const start = words[Header.SlotCursor];
    for (let i = 0; i < MAX_THREADS; i++) {
      const slot = (start + i) % MAX_THREADS;
      if ((Atomics.load(words, slotBase(slot) + Slot.State) & STATE_MASK) !== SlotState.Alive) {
        words[Header.SlotCursor] = (slot + 1) % MAX_THREADS;
        return slot;
      }
    }
    throw new Error(`weft: more than ${MAX_THREADS} threads alive at once in this process`);
  }

  setThreadId(token: number, threadId: number): void {
    Atomics.store(this.words, slotBase(slotOf(token)) + Slot.ThreadId, threadId);
  }

  /** Renames a live thread (as `Thread.name = …` does). */
  setName(token: number, name: string): void {
    if (this.isAlive(token)) this.#writeName(slotOf(token), name);
  }

  /** What the table knows of a thread, or undefined once the token's thread has ended. */
  info(token: number): ThreadInfo | undefined {
    if (!this.isAlive(token)) return undefined;
    const slot = slotOf(token);
    const base = slotBase(slot);
    return {
      token,
      threadId: Atomics.load(this.words, base + Slot.ThreadId),
      name: this.#readName(slot),
      daemon: (Atomics.load(this.words, base + Slot.Flags) & FLAG_DAEMON) !== 0,
      parent: Atomics.load(this.words, base + Slot.Parent),
    };
  }

  /** Tokens of every live thread, in slot order (the root thread first). */
  liveThreads(): number[] {
    const tokens: number[] = [];
    for (let slot = 0; slot < MAX_THREADS; slot++) {
      const state = Atomics.load(this.words, slotBase(slot) + Slot.State);
      if ((state & STATE_MASK) !== SlotState.Alive) continue;
      if ((Atomics.load(this.words, slotBase(slot) + Slot.Flags) & FLAG_SERVICE) === 0) tokens.push(tokenFor(slot, state >>> STATE_BITS));
    }
    return tokens;
  }

  /** Index of the word a joiner of `token` sleeps on (it changes from `aliveValueOf(token)` when the thread ends). */
  stateWordOf(token: number): number {
    return slotBase(slotOf(token)) + Slot.State;
  }

  /** The value of `stateWordOf(token)` while that thread is alive. */
  aliveValueOf(token: number): number {
    return stateWord(genOf(token), SlotState.Alive);
  }

  /** Counts a thread that ended without recording its end itself (see `fifo-items.ts`). */
  countKilled(): void {
    Atomics.add(this.words, Header.Killed, 1);
  }

  /** Threads of this process that ended without recording it themselves, so far. */
  killedCount(): number {
    return Atomics.load(this.words, Header.Killed);
  }

  /** The next default thread number, process-wide (`Thread-1`, `Thread-2`, …). */
  nextThreadNumber(): number {
    return Atomics.add(this.words, Header.ThreadCounter, 1) + 1;
  }

  /**
   * Records that a thread has ended — with the threads it started, which end
   * with it (Node terminates a worker's workers when it exits). Wakes the
   * threads joining them and every thread waiting for a lock, which then
   * checks whether its lock's holder is among the dead (see `lock-state.ts`).
   * Returns false if the thread was already recorded as ended.
   */
  endThread(token: number): boolean {
    const ended = this.#markEnded(token);
    if (ended.length === 0) return false;
    for (const dead of ended) Atomics.notify(this.words, this.stateWordOf(dead));
    Atomics.add(this.words, Header.DeathEpoch, 1);
    // A process's lock grants wait on it for a holder's death (`backends/hub/grants.ts`).
    Atomics.notify(this.words, Header.DeathEpoch);
    this.#wakeLockWaiters();
    return true;
  }

  /**
   * Lock-free: the thread being recorded may have died holding AllocLock
   * (and its recorder may be the thread that would reclaim it). Each end is
   * one CAS naming the token's generation; a child is found by its Parent,
   * which its starter wrote before publishing the slot.
   */
  #markEnded(token: number): number[] {
    const words = this.words;
    const ended: number[] = [];
    const pending = [token];
    while (pending.length > 0) {
      const next = pending.pop()!;
      const alive = stateWord(genOf(next), SlotState.Alive);
      if (Atomics.compareExchange(words, this.stateWordOf(next), alive, stateWord(genOf(next), SlotState.Ended)) !== alive) continue;
      ended.push(next);
      for (const child of this.childrenOf(next)) pending.push(child);
    }
    return ended;
  }

  /** Live threads started by `parent`. */
  childrenOf(parent: number): number[] {
    const children: number[] = [];
    for (const token of this.liveThreads()) {
      if (Atomics.load(this.words, slotBase(slotOf(token)) + Slot.Parent) === parent) children.push(token);
    }
    return children;
  }

  #wakeLockWaiters(): void {
    const words = this.words;
    const used = Atomics.load(words, Header.NextCell);
    for (let cell = 0; cell < used; cell++) {
      const base = cellBase(cell);
      if (Atomics.load(words, base + Cell.Kind) === CellKind.LockWaiter &&
          Atomics.compareExchange(words, base + Cell.State, CellState.Waiting, CellState.Woken) === CellState.Waiting) {
        Atomics.notify(words, base + Cell.State);
      }
    }
  }

  #writeName(slot: number, name: string): void {
    const start = (slotBase(slot) + Slot.Name) * 4;
    const target = this.#bytes.subarray(start, start + NAME_BYTES);
    // encodeInto stops at a whole character, so a long name is cut cleanly.
    const { written } = utf8.encodeInto(name, target);
    Atomics.store(this.words, slotBase(slot) + Slot.NameLength, written);
  }

  #readName(slot: number): string {
    const length = Atomics.load(this.words, slotBase(slot) + Slot.NameLength);
    const start = (slotBase(slot) + Slot.Name) * 4;
    // TextDecoder refuses views of shared memory: copy the few bytes out.
    return utf8Decoder.decode(this.#bytes.slice(start, start + length));
  }

  // ---- cells ----------------------------------------------------------------

  /** A cell for one blocked call by `token`, in state Waiting. */
  allocCell(token: number, kind: CellKind): number {
    if (this.#localFree.length === 0) this.#refillLocalCells();
    const cell = this.#localFree.pop()!;
    const base = cellBase(cell);
    const words = this.words;
    Atomics.store(words, base + Cell.Token, token);
    Atomics.store(words, base + Cell.Kind, kind);
    Atomics.store(words, base + Cell.Prev, 0);
    Atomics.store(words, base + Cell.Next, 0);
    Atomics.store(words, base + Cell.Value, 0);
    Atomics.store(words, base + Cell.State, CellState.Waiting);
    return cell;
  }

  /** Makes a granted or woken cell ready to wait again. */
  rearmCell(cell: number): void {
    const base = cellBase(cell);
    Atomics.store(this.words, base + Cell.Value, 0);
    Atomics.store(this.words, base + Cell.State, CellState.Waiting);
  }

  /** Returns a cell that is in no queue and that nobody will grant any more. */
  freeCell(cell: number): void {
    const base = cellBase(cell);
    Atomics.store(this.words, base + Cell.Kind, CellKind.Plain);
    Atomics.store(this.words, base + Cell.State, CellState.Free);
    this.#localFree.push(cell);
    if (this.#localFree.length > LOCAL_CACHE_MAX) this.#returnLocalCells(LOCAL_CACHE_MAX / 2);
  }

  /** Hands this thread's cached cells back; called when a thread ends normally. */
  releaseLocalCells(): void {
    this.#returnLocalCells(this.#localFree.length);
  }

  #refillLocalCells(): void {
    const words = this.words;
    lockMutex(words, Header.AllocLock);
    try {
      testHooks.allocLocked?.();
      while (this.#localFree.length < LOCAL_REFILL) {
        const head = words[Header.FreeCell];
        if (head !== 0) {
          this.#localFree.push(head - 1);
          words[Header.FreeCell] = words[cellBase(head - 1) + Cell.NextFree];
          continue;
        }
        const fresh = words[Header.NextCell];
        if (fresh === MAX_CELLS) break;
        Atomics.store(words, Header.NextCell, fresh + 1);
        this.#localFree.push(fresh);
      }
    } finally {
      unlockMutex(words, Header.AllocLock);
    }
    if (this.#localFree.length === 0) {
      throw new Error(`weft: more than ${MAX_CELLS} waits in flight at once in this process`);
    }
  }

  #returnLocalCells(count: number): void {
    if (count === 0) return;
    const words = this.words;
    lockMutex(words, Header.AllocLock);
    try {
      for (let i = 0; i < count; i++) {
        const cell = this.#localFree.pop()!;
        words[cellBase(cell) + Cell.NextFree] = words[Header.FreeCell];
        words[Header.FreeCell] = cell + 1;
      }
    } finally {
      unlockMutex(words, Header.AllocLock);
    }
  }

  /** Word index of `field` of `cell`. */
  cellWord(cell: number, field: number): number {
    return cellBase(cell) + field;
  }
}

function slotBase(slot: number): number {
  return THREADS_BASE + slot * SLOT_WORDS;
}

function cellBase(cell: number): number {
  return CELLS_BASE + cell * CELL_WORDS;
}

function tokenFor(slot: number, gen: number): number {
  return (slot + 1) | (gen << SLOT_BITS);
}

function slotOf(token: number): number {
  return (token & SLOT_MASK) - 1;
}

function genOf(token: number): number {
  return (token >>> SLOT_BITS) & GEN_MASK;
}

function stateWord(gen: number, state: number): number {
  return (gen << STATE_BITS) | state;
}
