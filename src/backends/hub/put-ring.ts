/**
 * One thread's one-way queue puts on their way to its process's link, in
 * shared memory: Python's `multiprocessing.Queue` feeder thread, with the
 * link as the feeder. A put to an unbounded queue writes a record here (a
 * copy, no message); the link drains whatever has gathered into one `puts`
 * message per queue and run (`queue.ts` splits it), so a burst of puts costs
 * a few messages, not one each. The link is a thread of its own and always
 * drains, so a full ring only makes the putter wait a moment.
 *
 * Single producer (the thread), single consumer (the link). Layout:
 *
 * | word           | type  | written by | read by | meaning                                        |
 * |----------------|-------|------------|---------|------------------------------------------------|
 * | `Word.Write`   | Int32 | thread     | link    | bytes written, ever (wraps at 2^32)            |
 * | `Word.Read`    | Int32 | link       | thread  | bytes drained, ever: `[Read, Write)` is the link's to read |
 * | `Word.Asleep`  | Int32 | both       | both    | 1: the link waits on `Write` and wants a notify |
 * | data           | bytes | thread     | link    | `RING_BYTES` bytes of records, circular         |
 *
 * A record: `[queue id, epoch, length]` (Int32 each), then the item's bytes,
 * padded to 4; length `TASK_DONE` (no bytes) is a JoinableQueue `taskDone`. A record never wraps: one that would is preceded by a `PAD`
 * record (queue id `PAD`) filling the rest of the ring.
 *
 * Order. Records are drained in order; everything a thread sent *before* a
 * put reaches the hub first, because the link drains every ring before it
 * forwards any request. Everything the thread sent *after* (a release, a
 * `qsize()`) must not be overtaken by the put either, and a record could be
 * drained early: so each record carries its epoch — how many requests the
 * thread had posted when it wrote it (`hubPostCount`) — and the link holds a
 * record back until it has forwarded that many of the thread's requests.
 * Items carrying weft objects (their tickets must be lent first) do not
 * come here: they are sent as before.
 */

/** Word indexes (Int32) of the header. */
export const Word = { Write: 0, Read: 1, Asleep: 2 } as const;
const HEADER_BYTES = 16;
/** The ring's data bytes (a power of two, so positions wrap with a mask). */
export const RING_BYTES = 1 << 20;
const MASK = RING_BYTES - 1;
/** A record's header: queue id, epoch, length. */
export const RECORD_HEADER = 12;
/** The queue id of a record that only fills the ring's end. */
export const PAD = -1;
/** The length of a record that is a `taskDone`, not an item. */
export const TASK_DONE = -1;
/** The largest item that goes through the ring; bigger ones are sent as messages. */
export const RING_ITEM_MAX = RING_BYTES >> 3;

const pad4 = (n: number): number => (n + 3) & ~3;

export interface PutRing {
  readonly buffer: SharedArrayBuffer;
  readonly words: Int32Array;
  readonly data: Uint8Array;
  readonly ints: Int32Array;
}

export function putRingOf(buffer: SharedArrayBuffer): PutRing {
  return { buffer, words: new Int32Array(buffer, 0, 4), data: new Uint8Array(buffer, HEADER_BYTES), ints: new Int32Array(buffer, HEADER_BYTES) };
}

export function newPutRing(): PutRing {
  return putRingOf(new SharedArrayBuffer(HEADER_BYTES + RING_BYTES));
}

/**
 * Writes one record (`item` undefined: a `taskDone`); waits (blocking the thread) while the ring is full.
 * `stillThere()` is asked each time a wait runs long: false (the link is
 * gone) makes the put throw what `gone()` makes. Thread only.
 */
export function writeRecord(ring: PutRing, id: number, epoch: number, item: Uint8Array | undefined, stillThere: () => boolean, gone: () => Error): void {
  const need = RECORD_HEADER + pad4(item?.length ?? 0);
  let write = Atomics.load(ring.words, Word.Write);
  const at = write & MASK;
  const fill = at + need > RING_BYTES ? RING_BYTES - at : 0;
  waitForRoom(ring, write, fill + need, stillThere, gone);
  if (fill > 0) {
    ring.ints[at >> 2] = PAD;
    ring.ints[(at >> 2) + 2] = fill - RECORD_HEADER;
    write = (write + fill) | 0;
  }
  const start = write & MASK;
  const word = start >> 2;
  ring.ints[word] = id;
  ring.ints[word + 1] = epoch;
  ring.ints[word + 2] = item?.length ?? TASK_DONE;
  if (item !== undefined) ring.data.set(item, start + RECORD_HEADER);
  Atomics.store(ring.words, Word.Write, (write + need) | 0);
  // The link sleeps only after seeing the ring empty: wake it if it said so.
  if (Atomics.load(ring.words, Word.Asleep) === 1 && Atomics.exchange(ring.words, Word.Asleep, 0) === 1) Atomics.notify(ring.words, Word.Write);
}

/** A PAD fills at most the ring's end; a record never needs more than a quarter of it (`RING_ITEM_MAX`). */
function waitForRoom(ring: PutRing, write: number, bytes: number, stillThere: () => boolean, gone: () => Error): void {
  for (;;) {
    const read = Atomics.load(ring.words, Word.Read);
    if (RING_BYTES - ((write - read) | 0) >= bytes) return;
    if (Atomics.wait(ring.words, Word.Read, read, 1000) === 'timed-out' && !stillThere()) throw gone();
  }
}

/** One run of records for one queue, as the link found them. */
export interface Run {
  readonly thread: number;
  readonly id: number;
  /** Whole records (headers included), copied out of the ring. */
  readonly records: Uint8Array;
}

/**
 * Drains records whose epoch is at most `handled`, in runs of one queue
 * each; frees their room and wakes a waiting putter. Answers true if it
 * stopped at a record held back by its epoch. Link only.
 */
export function drainRing(ring: PutRing, thread: number, handled: number, emit: (run: Run) => void): boolean {
  const write = Atomics.load(ring.words, Word.Write);
  let read = Atomics.load(ring.words, Word.Read);
  const start = read;
  let held = false;
  let runId = PAD;
  let runStart = 0;
  let runEnd = 0;
  const flush = (): void => {
    if (runId !== PAD) emit({ thread, id: runId, records: ring.data.slice(runStart, runEnd) });
    runId = PAD;
  };
  while (read !== write) {
    const at = read & MASK;
    const word = at >> 2;
    const id = ring.ints[word];
    const size = RECORD_HEADER + pad4(Math.max(0, ring.ints[word + 2]));
    if (id === PAD) {
      flush();
      read = (read + size) | 0;
      continue;
    }
    // Epochs only grow, and wrap like the post count: compare by difference.
    if (((ring.ints[word + 1] - handled) | 0) > 0) {
      held = true;
      break;
    }
    if (id !== runId || at !== runEnd) {
      flush();
      runId = id;
      runStart = at;
    }
    runEnd = at + size;
    read = (read + size) | 0;
  }
  flush();
  if (read !== start) {
    Atomics.store(ring.words, Word.Read, read);
    Atomics.notify(ring.words, Word.Read);
  }
  return held;
}

/**
 * The items of a run's records (for the hub), as views into it: they travel
 * on packed or copied (`packed-items.ts`); undefined for a `taskDone`.
 */
export function itemsOfRun(records: Uint8Array): (Uint8Array | undefined)[] {
  const view = new DataView(records.buffer, records.byteOffset, records.byteLength);
  const items: (Uint8Array | undefined)[] = [];
  for (let at = 0; at + RECORD_HEADER <= records.length; ) {
    const length = view.getInt32(at + 8, true);
    if (length === TASK_DONE) {
      items.push(undefined);
      at += RECORD_HEADER;
      continue;
    }
    if (length < 0 || at + RECORD_HEADER + length > records.length) throw new RangeError('queue: a malformed run of puts');
    items.push(records.subarray(at + RECORD_HEADER, at + RECORD_HEADER + length));
    at += RECORD_HEADER + pad4(length);
  }
  return items;
}

/**
 * Says the link is about to sleep: answers the write position to wait on
 * (`Atomics.waitAsync` on `Word.Write`), or undefined if records came
 * meanwhile (drain again instead). A putter that writes after this sees
 * `Asleep` and notifies; one that wrote before changed `Write`, so the wait
 * returns at once. Link only.
 */
export function goingToSleep(ring: PutRing): number | undefined {
  Atomics.store(ring.words, Word.Asleep, 1);
  const write = Atomics.load(ring.words, Word.Write);
  if (write === Atomics.load(ring.words, Word.Read)) return write;
  Atomics.store(ring.words, Word.Asleep, 0);
  return undefined;
}
