/**
 * The state of a thread-scope queue (`Queue`, `LifoQueue`, `PriorityQueue`,
 * `SimpleQueue`): one growable SharedArrayBuffer holding the counters, the
 * waiters, and a heap for the items, which one of three item stores keeps in
 * order (`fifo-items.ts`, lock-free; `lifo-items.ts`; `priority-items.ts`).
 *
 * Items are encoded bytes: the public class encodes in the caller (so a bad
 * item fails there, before anything changes) and decodes in the getter.
 *
 * ## Header (Int32 words at the start of the buffer)
 *
 * | words   | name          | written by                     | meaning                                   |
 * |---------|---------------|--------------------------------|-------------------------------------------|
 * | 0       | Magic         | creator                        | `QUEUE_MAGIC`                              |
 * | 1       | Kind          | creator                        | `QueueKind`                                |
 * | 2       | Maxsize       | creator                        | 0: unbounded                               |
 * | 3       | State         | `shutdown`                     | `QueueState` (one way: Open → ShutDown → Drop) |
 * | 4       | Control       | anyone (futex mutex)           | guards the three waiter queues             |
 * | 5       | TraceId       | first tracer (CAS 0 → id)      | its name in traces (`trace/object-id.ts`)  |
 * | 8–19    | queues        | holder of Control              | waiter queues (`wait-queue.ts`): Get, Put, Join; their Length words count the registered sleepers |
 * | 20      | Waiting       | holder of Control              | the three Lengths together; notified on change |
 * | 32      | PutCount      | producers (add)                | items ever put                             |
 * | 33      | DoneCount     | `taskDone` (CAS), `shutdown`   | tasks done; unfinished = PutCount − DoneCount |
 * | 34      | Permits       | producers (take), consumers (give) | free places in a bounded queue         |
 * | 48–81   | heap          | see `shared-heap.ts`           |                                           |
 * | 96–127  | items         | see the item store             | FIFO: tail words 96…, head words 112…     |
 *
 * Items live from byte `HEAP_START` on.
 *
 * ## Waiting without a lock on the fast path
 *
 * A getter that finds the queue empty registers (Control held: its cell
 * queued, which counts it in the getters' Length), looks again, and only
 * then sleeps; a producer that puts an item then reads that Length and, if
 * not 0, wakes one sleeping getter. With sequentially consistent atomics one of the two always sees
 * the other — the getter the item, or the producer the sleeper — so no item
 * waits while a getter sleeps, and a producer pays nothing when nobody
 * sleeps. Putters on a full queue and consumers that free a place do the
 * same with the putters' Length and Permits. A sleeper whose thread died is
 * dropped from its queue, and so from the count, the next time a waker
 * walks the queue. A woken waiter stays queued while it
 * looks again; a waiter that gives up after being woken passes the wake-up
 * on, so that none is lost.
 *
 * Before it registers, a getter keeps trying for some microseconds
 * (`spinGet`), pausing between looks so as not to keep pulling in the cache
 * lines the producer is writing; a putter on a full queue does the same.
 *
 * ## Shutdown
 *
 * `shutdown()` sets State, then closes the item store: from then on a push
 * is refused inside the store, by the same atomic step that would have
 * added it (for the FIFO, a bit in the tail index every push CASes), so a
 * put racing with shutdown either lands before the close or fails with
 * ShutDown, and an immediate shutdown's discarding sees every item that
 * landed. Puts read State without an atomic first only to refuse quickly.
 *
 * ## Threads that die
 *
 * `tryPut`, `tryGet`, `taskDone` and `shutdown` are sections
 * (`futex-mutex.ts`): weft never terminates a thread inside one, so a permit
 * taken is given back or used, a slot claimed is written or read, a sleeper
 * owed a wake-up is woken. A thread that dies otherwise (a crash): the
 * Control lock is reclaimed and its three wait queues rebuilt
 * (`wait-queue.ts`); a claimed, unwritten FIFO slot is skipped
 * (`fifo-items.ts`); LIFO and priority stores repair themselves under their
 * lock (their headers say how far). An item a consumer has taken dies with
 * it, as in Python.
 */
import { CellKind, type Arena } from './arena.js';
import { enterSection, leaveSection, lockMutex, unlockMutex } from './futex-mutex.js';
import { ABORTED, type Steps } from './parking.js';
import { QUEUE_WORDS, WaitQueue } from './wait-queue.js';
import { GrowingViews } from './growing-views.js';
import { SharedHeap, HEAP_WORDS } from './shared-heap.js';
import { FifoItems, FIFO_WORDS } from './fifo-items.js';
import { LifoItems, LIFO_WORDS } from './lifo-items.js';
import { PriorityItems, PRIORITY_WORDS, type Priority } from './priority-items.js';
import { itemBytes, type ItemBytes } from '../../codec/item-bytes.js';
import type { Deadline } from '../../internal/deadline.js';

export const QUEUE_MAGIC = 0x71756575; // "queu"

export const QueueKind = { Fifo: 1, Lifo: 2, Priority: 3 } as const;
export type QueueKind = (typeof QueueKind)[keyof typeof QueueKind];

/** Open; ShutDown: puts refused, gets drain; Drop: shut down with the items discarded (immediate). */
export const QueueMode = { Open: 0, ShutDown: 1, Drop: 2 } as const;

export const QueueWord = {
  Magic: 0,
  Kind: 1,
  Maxsize: 2,
  State: 3,
  Control: 4,
  TraceId: 5,
  GetQueue: 8,
  PutQueue: 8 + QUEUE_WORDS,
  JoinQueue: 8 + 2 * QUEUE_WORDS,
  Waiting: 20,
  PutCount: 32,
  DoneCount: 33,
  Permits: 34,
  Heap: 48,
  Items: 96,
} as const;

const HEAP_START = 1024;
const INITIAL_BYTES = 64 * 1024;
const MAX_BYTES = 2 ** 32;

// Turns a getter (or a putter on a full queue) retries before it sleeps: a
// stream's next item is usually a few hundred nanoseconds away, and a sleep
// and wake-up cost tens of microseconds. Between turns it pauses (`pause`),
// up to 2^PAUSE_MAX_SHIFT rounds of a local loop: some ten microseconds of
// trying in all.
const SPIN_TURNS = 200;
const PAUSE_MAX_SHIFT = 5;

/** What a store of item bytes offers, whatever its order. */
interface ItemStore {
  /** Adds an item; false (adding nothing) once closed. */
  push(item: ItemBytes, priority: Priority | undefined): boolean;
  /** Refuses every push from now on: a push either lands before the close or returns false. */
  close(): void;
  /** Takes the next item into `into`; false if there is none. */
  pop(into: ItemBytes): boolean;
  size(): number;
}

export type PutOutcome = 'put' | 'full' | 'shutdown';
/** 'item': the item's bytes are in the `into` the get was given. */
export type GetOutcome = 'item' | 'empty' | 'shutdown';

export class QueueState {
  readonly buffer: SharedArrayBuffer;
  readonly words: Int32Array;
  readonly kind: QueueKind;
  readonly maxsize: number;
  readonly #arena: Arena;
  readonly #items: ItemStore;
  readonly #getters: WaitQueue;
  readonly #putters: WaitQueue;
  readonly #joiners: WaitQueue;

  constructor(buffer: SharedArrayBuffer, arena: Arena) {
    this.buffer = buffer;
    // The header never moves: a fixed-length view of it is the fast one.
    this.words = new Int32Array(buffer, 0, HEAP_START / 4);
    if (Atomics.load(this.words, QueueWord.Magic) !== QUEUE_MAGIC) throw new Error('weft: not a queue buffer');
    this.kind = Atomics.load(this.words, QueueWord.Kind) as QueueKind;
    this.maxsize = Atomics.load(this.words, QueueWord.Maxsize);
    this.#arena = arena;
    const memory = new GrowingViews(buffer);
    const heap = new SharedHeap(this.words, QueueWord.Heap, memory);
    this.#items = itemStore(this.kind, this.words, memory, heap);
    this.#getters = new WaitQueue(this.words, QueueWord.GetQueue, arena, QueueWord.Waiting);
    this.#putters = new WaitQueue(this.words, QueueWord.PutQueue, arena, QueueWord.Waiting);
    this.#joiners = new WaitQueue(this.words, QueueWord.JoinQueue, arena, QueueWord.Waiting);
  }

  static allocate(kind: QueueKind, maxsize: number): SharedArrayBuffer {
    const buffer = new SharedArrayBuffer(INITIAL_BYTES, { maxByteLength: MAX_BYTES });
    const words = new Int32Array(buffer, 0, HEAP_START / 4);
    words[QueueWord.Kind] = kind;
    words[QueueWord.Maxsize] = maxsize;
    words[QueueWord.Permits] = maxsize;
    SharedHeap.format(words, QueueWord.Heap, HEAP_START);
    Atomics.store(words, QueueWord.Magic, QUEUE_MAGIC);
    return buffer;
  }

  // ---- counts --------------------------------------------------------------

  size(): number {
    return this.#items.size();
  }

  unfinished(): number {
    return (Atomics.load(this.words, QueueWord.PutCount) - Atomics.load(this.words, QueueWord.DoneCount)) | 0;
  }

  get mode(): number {
    return Atomics.load(this.words, QueueWord.State);
  }

  /**
   * The mode by a plain read, for the fast paths: a put or get that races
   * with `shutdown()` may see either mode, as if it ran just before or just
   * after; one that starts after `shutdown()` returned is ordered after it
   * and sees the new mode.
   */
  get #modeNow(): number {
    return this.words[QueueWord.State];
  }

  sleepers(): { getters: number; putters: number; joiners: number } {
    return { getters: this.#getters.length, putters: this.#putters.length, joiners: this.#joiners.length };
  }

  // ---- put -------------------------------------------------------------------

  /**
   * Puts an item if there is room; never waits. A section (`futex-mutex.ts`):
   * weft never terminates a thread between taking a permit, claiming a slot,
   * writing it and waking a getter, so none of them is left half done.
   */
  tryPut(item: ItemBytes, priority: Priority | undefined): PutOutcome {
    enterSection();
    try {
      return this.#tryPut(item, priority);
    } finally {
      leaveSection();
    }
  }

  #tryPut(item: ItemBytes, priority: Priority | undefined): PutOutcome {
    // A quick refusal after shutdown; the store's own closed mark decides a put that races with it.
    if (this.#modeNow !== QueueMode.Open) return 'shutdown';
    if (this.maxsize > 0 && !this.#takePermit()) return 'full';
    Atomics.add(this.words, QueueWord.PutCount, 1); // before the item is visible: a taskDone for it must find it counted
    let pushed = false;
    try {
      pushed = this.#items.push(item, priority);
    } finally {
      if (!pushed) this.#undoPut();
    }
    if (!pushed) return 'shutdown';
    if (this.#getters.length > 0) this.#wake(this.#getters);
    return 'put';
  }

  /** Takes back the count and the permit of a put that added nothing. */
  #undoPut(): void {
    const unfinished = (Atomics.sub(this.words, QueueWord.PutCount, 1) - 1 - Atomics.load(this.words, QueueWord.DoneCount)) | 0;
    if (this.maxsize > 0) this.#givePermit();
    // A join that looked while this put was counted went to sleep on it.
    if (unfinished === 0) this.#wakeJoiners();
  }

  /** `tryPut`, tried again for a few microseconds while the queue is full. */
  spinPut(item: ItemBytes, priority: Priority | undefined): PutOutcome {
    for (let turn = 0; ; turn++) {
      const outcome = this.tryPut(item, priority);
      if (outcome !== 'full' || turn === SPIN_TURNS) return outcome;
      pause(turn);
    }
  }

  /** Waits for room (call after `spinPut` found none). */
  *putSteps(me: number, item: ItemBytes, priority: Priority | undefined, deadline: Deadline): Steps<PutOutcome> {
    return yield* this.#sleepUntil<PutOutcome>(me, this.#putters, deadline, () => {
      const outcome = this.tryPut(item, priority);
      return outcome === 'full' ? undefined : outcome;
    }, 'full');
  }

  // ---- get -------------------------------------------------------------------

  /**
   * Takes the next item's bytes into `into`, if there is one; never waits.
   * A section, as `tryPut` is: claiming a slot, reading it and giving back
   * its permit are never split by weft's terminations. (An item a thread has
   * taken is lost if the thread then dies before its caller sees it, as in
   * Python.)
   */
  tryGet(into: ItemBytes): GetOutcome {
    enterSection();
    try {
      return this.#tryGet(into);
    } finally {
      leaveSection();
    }
  }

  #tryGet(into: ItemBytes): GetOutcome {
    const mode = this.#modeNow;
    if (mode === QueueMode.Drop) return 'shutdown';
    if (!this.#items.pop(into)) return mode === QueueMode.Open ? 'empty' : 'shutdown';
    if (this.maxsize > 0) this.#givePermit();
    return 'item';
  }

  /** `tryGet`, tried again for a few microseconds while the queue is empty. */
  spinGet(into: ItemBytes): GetOutcome {
    for (let turn = 0; ; turn++) {
      const outcome = this.tryGet(into);
      if (outcome !== 'empty' || turn === SPIN_TURNS) return outcome;
      pause(turn);
    }
  }

  /** Waits for an item (call after `spinGet` found none). */
  *getSteps(me: number, into: ItemBytes, deadline: Deadline): Steps<GetOutcome> {
    return yield* this.#sleepUntil<GetOutcome>(me, this.#getters, deadline, () => {
      const outcome = this.tryGet(into);
      return outcome === 'empty' ? undefined : outcome;
    }, 'empty');
  }

  // ---- tasks -----------------------------------------------------------------

  /** Counts one task done; 'too-many' (changing nothing) if every task already was. */
  taskDone(): 'done' | 'too-many' {
    enterSection(); // the count and the joiners' wake-up are not split
    try {
      return this.#taskDone();
    } finally {
      leaveSection();
    }
  }

  #taskDone(): 'done' | 'too-many' {
    const words = this.words;
    for (;;) {
      const done = Atomics.load(words, QueueWord.DoneCount);
      const put = Atomics.load(words, QueueWord.PutCount);
      if (((put - done) | 0) <= 0) return 'too-many';
      if (Atomics.compareExchange(words, QueueWord.DoneCount, done, (done + 1) | 0) !== done) continue;
      if (((put - done - 1) | 0) === 0) this.#wakeJoiners();
      return 'done';
    }
  }

  *joinSteps(me: number, deadline: Deadline): Steps<boolean> {
    if (this.unfinished() === 0) return true;
    const joined = yield* this.#sleepUntil(me, this.#joiners, deadline, () => (this.unfinished() === 0 ? true : undefined), false);
    return joined;
  }

  // ---- shutdown ----------------------------------------------------------------

  /**
   * Python 3.13's `shutdown`: puts fail from now on; gets drain what is left
   * and then fail, or, `immediate`, fail at once, the items discarded and
   * counted as done. Every sleeper is woken to see it.
   */
  shutdown(immediate: boolean): void {
    enterSection(); // closing, discarding and waking are not split
    try {
      this.#shutdown(immediate);
    } finally {
      leaveSection();
    }
  }

  #shutdown(immediate: boolean): void {
    const mode = immediate ? QueueMode.Drop : QueueMode.ShutDown;
    const words = this.words;
    for (;;) {
      const current = Atomics.load(words, QueueWord.State);
      if (current >= mode || Atomics.compareExchange(words, QueueWord.State, current, mode) === current) break;
    }
    // From here on no put adds an item; every one added before is in the
    // store (or being written to it, which a pop waits for).
    this.#items.close();
    if (immediate) this.#discardAll();
    this.#lockControl();
    this.#getters.wakeAll();
    this.#putters.wakeAll();
    if (this.unfinished() === 0) this.#joiners.wakeAll();
    this.#unlockControl();
  }

  #discardAll(): void {
    const scratch = itemBytes(256);
    let discarded = 0;
    while (this.#items.pop(scratch)) {
      discarded += 1;
      if (this.maxsize > 0) this.#givePermit();
    }
    if (discarded > 0) Atomics.add(this.words, QueueWord.DoneCount, discarded);
  }

  // ---- waiting -----------------------------------------------------------------

  /**
   * Registers to sleep on `queue`, then alternates `attempt()` and sleeping
   * until it returns something, the deadline passes (`onTimeout`), or the
   * call is aborted. The cell stays queued throughout; see the header on how
   * wake-ups are neither missed nor lost.
   */
  *#sleepUntil<T>(me: number, queue: WaitQueue, deadline: Deadline, attempt: () => T | undefined, onTimeout: T): Steps<T> {
    const cell = this.#arena.allocCell(me, CellKind.Plain);
    this.#lockControl();
    queue.push(cell);
    this.#unlockControl();
    let queued = true;
    try {
      for (;;) {
        const result = attempt();
        if (result !== undefined) return result;
        const parked = yield { cell, deadline };
        this.#lockControl();
        if (parked === 'woken') {
          this.#arena.rearmCell(cell);
          this.#unlockControl();
          continue;
        }
        // Giving up. A wake-up meant for us goes to the next sleeper.
        const woken = queue.isWoken(cell);
        queue.remove(cell);
        queued = false;
        if (woken) queue.wakeFirstSleeper();
        this.#unlockControl();
        if (parked === 'aborted') return ABORTED;
        return attempt() ?? onTimeout; // one last look, as CPython's timed get does
      }
    } finally {
      this.#lockControl();
      if (queued) queue.remove(cell);
      this.#unlockControl();
      this.#arena.freeCell(cell);
    }
  }

  #wake(queue: WaitQueue): void {
    this.#lockControl();
    queue.wakeFirstSleeper();
    this.#unlockControl();
  }

  #wakeJoiners(): void {
    if (this.#joiners.length === 0) return;
    this.#lockControl();
    this.#joiners.wakeAll();
    this.#unlockControl();
  }

  #takePermit(): boolean {
    const words = this.words;
    for (;;) {
      const permits = Atomics.load(words, QueueWord.Permits);
      if (permits <= 0) return false;
      if (Atomics.compareExchange(words, QueueWord.Permits, permits, permits - 1) === permits) return true;
    }
  }

  #givePermit(): void {
    Atomics.add(this.words, QueueWord.Permits, 1);
    if (this.#putters.length > 0) this.#wake(this.#putters);
  }

  #lockControl(): void {
    // Taken over from a holder that crashed inside (never one weft
    // terminated: `safe-stop.ts`): the three queues it guards are rebuilt
    // from their forward chains (`wait-queue.ts`).
    if (lockMutex(this.words, QueueWord.Control)) {
      this.#getters.repair();
      this.#putters.repair();
      this.#joiners.repair();
    }
  }

  #unlockControl(): void {
    unlockMutex(this.words, QueueWord.Control);
  }

  /** The word counting every registered sleeper, notified on change (weft/testing's waitForWaiters). */
  get waitingWord(): number {
    return QueueWord.Waiting;
  }
}

let paused = 0;

/**
 * Lets some time pass without touching shared memory, longer with each
 * turn: a getter that re-read an empty queue at once would keep pulling the
 * cache lines the producer is writing, slowing the very put it waits for.
 */
function pause(turn: number): void {
  const rounds = 1 << Math.min(turn, PAUSE_MAX_SHIFT);
  for (let i = 0; i < rounds; i++) paused = (paused + i) | 0;
}

function itemStore(kind: QueueKind, header: Int32Array, memory: GrowingViews, heap: SharedHeap): ItemStore {
  switch (kind) {
    case QueueKind.Fifo:
      return new FifoItems(header, QueueWord.Items, memory, heap);
    case QueueKind.Lifo:
      return new LifoItems(header, QueueWord.Items, memory, heap);
    case QueueKind.Priority:
      return new PriorityItems(header, QueueWord.Items, memory, heap);
  }
}

// Layout invariant: each region of the header ends before the next begins.
const ITEM_WORDS = Math.max(FIFO_WORDS, LIFO_WORDS, PRIORITY_WORDS);
if (QueueWord.Heap + HEAP_WORDS > QueueWord.Items || QueueWord.Items + ITEM_WORDS > HEAP_START / 4) {
  throw new Error('weft internal error: the regions of the queue header overlap');
}
