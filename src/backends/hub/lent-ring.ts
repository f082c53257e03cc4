/**
 * Queue items lent to a process, in shared memory: the process's link
 * appends what the hub lends (`LentRingWriter`), any thread of the process
 * takes items without a message (`claimLent`), and the link takes the
 * unclaimed rest back at once when the hub recalls them (`revoke`) —
 * whatever the process's threads are doing, since the link is a thread of
 * its own. Why lend at all: a get from the hub is a round trip (~100 µs,
 * far more on a loaded machine); a claim here is a compare-and-swap and a
 * copy. A claimer that leaves few items rings the doorbell, and the link
 * asks the hub for more while the rest are taken: a steady consumer does
 * not wait for round trips.
 *
 * Layout (byte offsets):
 *
 * | at            | name      | type        | written by                 | read by  | meaning |
 * |---------------|-----------|-------------|----------------------------|----------|---------|
 * | 0             | cursor    | BigInt64    | claimers (CAS), link (CAS) | both     | `end << 32 \| next` (counters mod 2^32): items `[next, end)` are unclaimed |
 * | 8             | doorbell  | Int32       | link (1), claimer (1 → 0)  | both     | 1: the link waits to hear that few items are left |
 * | 12            | lowWater  | Int32       | link                       | claimers | ring the doorbell when a claim leaves this many or fewer |
 * | 16            | asking    | Int32       | link                       | claimers | 1: the link asked the hub for more; a getter that found the ring empty waits for the answer here instead of asking the hub itself (which would recall the ring) |
 * | 20            | slots     | Int32       | link, at creation          | claimers | SLOTS, a power of two: at most this many unclaimed items |
 * | 24            | dataBytes | Int32       | link, at creation          | claimers | the data area's size |
 * | 32            | starts    | Int32[SLOTS]| link                       | claimers | item n's first data byte, in slot `n % SLOTS` |
 * | 32 + 4·SLOTS  | lengths   | Int32[SLOTS]| link                       | claimers | item n's length |
 * | then          | data      | bytes       | link                       | claimers | items' bytes, circular; an item never wraps |
 *
 * The cursor's states and transitions:
 *
 * | state    | condition    | transition                                             |
 * |----------|--------------|--------------------------------------------------------|
 * | lending  | next < end   | claim: next + 1 (CAS); append: end + k (CAS); revoke: end = next (CAS) → revoked |
 * | empty    | next === end | append: end + k → lending; revoke → revoked            |
 * | revoked  | (the link's) | final: the ring is never appended to again; the link makes a new one |
 *
 * Invariants: `next` only grows, by one per claim, never past `end`; an
 * item is claimed exactly once, or unclaimed when revoked — never both. The
 * link writes a slot and its bytes only while they hold no unclaimed item,
 * and publishes them (the append's CAS) after writing, so a claimer copies
 * an item first and takes it after: if the cursor still holds the value it
 * read, the copy is of that item. The cursor never takes a value twice: in a
 * live ring both counters only grow (2^32 claims apart at the least), and a
 * revoked ring is dropped — that is why a revoke ends the ring.
 */

/** Int32 word indexes of the header (the cursor is BigInt64 index 0, over words 0 and 1). */
export const Word = { Doorbell: 2, LowWater: 3, Asking: 4, Slots: 5, DataBytes: 6 } as const;
const HEADER_BYTES = 32;

/**
 * A ring's size: its item slots (a power of two) and data bytes. A process
 * is lent no more than its ring holds, so a ring starts small (a consumer
 * that takes one item from each of many queues holds little) and the link
 * makes a larger one when a lending fills it (`queue-lending.ts`).
 */
export interface RingSize {
  readonly slots: number;
  readonly dataBytes: number;
}

export const SMALLEST_RING: RingSize = { slots: 64, dataBytes: 8 << 10 };
export const LARGEST_RING: RingSize = { slots: 8192, dataBytes: 1 << 19 };

/** The most items, and bytes, one lending answer carries: the largest ring, empty, holds it twice. */
export const LEND_MAX_ITEMS = LARGEST_RING.slots / 2;
export const LEND_MAX_BYTES = LARGEST_RING.dataBytes / 2;

/** The smallest ring, from `at least` up by powers of 4, that holds `items` items of `bytes` bytes twice over. */
export function ringSizeFor(items: number, bytes: number, atLeast: RingSize): RingSize {
  let { slots, dataBytes } = atLeast;
  while (slots < LARGEST_RING.slots && slots < 2 * items) slots *= 4;
  while (dataBytes < LARGEST_RING.dataBytes && dataBytes < 2 * bytes) dataBytes *= 4;
  return { slots: Math.min(slots, LARGEST_RING.slots), dataBytes: Math.min(dataBytes, LARGEST_RING.dataBytes) };
}

const LOW32 = 0xffffffffn;

/** A ring as every thread sees it: views over the one buffer. */
export interface LentRing {
  readonly buffer: SharedArrayBuffer;
  readonly slotMask: number;
  readonly cursor: BigInt64Array;
  readonly words: Int32Array;
  readonly starts: Int32Array;
  readonly lengths: Int32Array;
  readonly data: Uint8Array;
}

export function lentRingOf(buffer: SharedArrayBuffer): LentRing {
  const words = new Int32Array(buffer, 0, HEADER_BYTES / 4);
  const slots = words[Word.Slots];
  return {
    buffer,
    slotMask: slots - 1,
    cursor: new BigInt64Array(buffer, 0, 1),
    words,
    starts: new Int32Array(buffer, HEADER_BYTES, slots),
    lengths: new Int32Array(buffer, HEADER_BYTES + slots * 4, slots),
    data: new Uint8Array(buffer, HEADER_BYTES + slots * 8, words[Word.DataBytes]),
  };
}

function newRing(size: RingSize): LentRing {
  const buffer = new SharedArrayBuffer(HEADER_BYTES + size.slots * 8 + size.dataBytes);
  const words = new Int32Array(buffer, 0, HEADER_BYTES / 4);
  words[Word.Slots] = size.slots;
  words[Word.DataBytes] = size.dataBytes;
  return lentRingOf(buffer);
}

const nextOf = (cursor: bigint): number => Number(cursor & LOW32);
const endOf = (cursor: bigint): number => Number(cursor >> 32n);
const cursorOf = (next: number, end: number): bigint => (BigInt(end >>> 0) << 32n) | BigInt(next >>> 0);
/** Unclaimed items, from the counters (mod 2^32). */
const unclaimed = (next: number, end: number): number => (end - next) | 0;

/** Takes the next unclaimed item (its bytes, copied), or undefined when none is left. Any thread of the process. */
export function claimLent(ring: LentRing): Uint8Array | undefined {
  for (;;) {
    const cursor = Atomics.load(ring.cursor, 0);
    const next = nextOf(cursor);
    const left = unclaimed(next, endOf(cursor));
    if (left <= 0) return undefined;
    const slot = next & ring.slotMask;
    const start = ring.starts[slot];
    const item = ring.data.slice(start, start + ring.lengths[slot]);
    // next + 1, the carry out of the low half dropped: end is untouched.
    const after = next === 0xffffffff ? cursor - LOW32 : cursor + 1n;
    if (Atomics.compareExchange(ring.cursor, 0, cursor, after) !== cursor) continue; // raced: look again
    ringIfLow(ring, left - 1);
    return item;
  }
}

/** Where `claimLentInto` copies an item: `bytes` is replaced by a larger array when an item does not fit. */
export interface ClaimBuffer {
  bytes: Uint8Array;
}

/**
 * As `claimLent`, copying the item into `into.bytes` (no array per item):
 * answers its length, or -1 when none is left.
 */
export function claimLentInto(ring: LentRing, into: ClaimBuffer): number {
  for (;;) {
    const cursor = Atomics.load(ring.cursor, 0);
    const next = nextOf(cursor);
    const left = unclaimed(next, endOf(cursor));
    if (left <= 0) return -1;
    const slot = next & ring.slotMask;
    const start = ring.starts[slot];
    const length = ring.lengths[slot];
    // A torn read (the slot reused after another claimer took it) fails the CAS below: only never overrun.
    if (length < 0 || start < 0 || start + length > ring.data.length) continue;
    if (length > into.bytes.length) into.bytes = new Uint8Array(Math.max(length, 2 * into.bytes.length));
    const to = into.bytes;
    const data = ring.data;
    if (length > 64) to.set(data.subarray(start, start + length));
    else for (let b = 0; b < length; b++) to[b] = data[start + b];
    const after = next === 0xffffffff ? cursor - LOW32 : cursor + 1n;
    if (Atomics.compareExchange(ring.cursor, 0, cursor, after) !== cursor) continue; // raced: look again
    ringIfLow(ring, left - 1);
    return length;
  }
}

function ringIfLow(ring: LentRing, left: number): void {
  if (left <= Atomics.load(ring.words, Word.LowWater) && Atomics.load(ring.words, Word.Doorbell) === 1 && Atomics.compareExchange(ring.words, Word.Doorbell, 1, 0) === 1) {
    Atomics.notify(ring.words, Word.Doorbell);
  }
}

/** Whether the link is asking the hub for more (a getter that found the ring empty may wait for that answer). */
export function lentAsking(ring: LentRing): boolean {
  return Atomics.load(ring.words, Word.Asking) === 1;
}

/** Blocks until the link's ask is answered (or `ms` pass). */
export function awaitLentSync(ring: LentRing, ms: number): void {
  Atomics.wait(ring.words, Word.Asking, 1, ms);
}

/** As `awaitLentSync`, without blocking. */
export async function awaitLent(ring: LentRing, ms: number): Promise<void> {
  const wait = Atomics.waitAsync(ring.words, Word.Asking, 1, ms);
  if (wait.async) await wait.value;
}

/** The link's hold on a ring: the only writer. */
export class LentRingWriter {
  readonly ring: LentRing;
  readonly size: RingSize;
  /** The end counter (only the link moves it) and where the next item's bytes go. */
  #end = 0;
  #dataAt = 0;
  #revoked = false;

  constructor(size: RingSize) {
    this.size = size;
    this.ring = newRing(size);
  }

  get revoked(): boolean {
    return this.#revoked;
  }

  /** Items claimed, ever (mod 2^32). */
  claimed(): number {
    return nextOf(Atomics.load(this.ring.cursor, 0));
  }

  /** What the ring can take now: slots, and bytes that a greedy append is sure to place. */
  room(): { items: number; bytes: number } {
    const next = this.claimed();
    const { slots, dataBytes } = this.size;
    const items = slots - unclaimed(next, this.#end);
    if (unclaimed(next, this.#end) === 0) return { items, bytes: dataBytes };
    const oldest = this.ring.starts[next & this.ring.slotMask];
    // In use: [oldest, dataAt), or wrapped: [oldest, dataBytes) + [0, dataAt).
    if (this.#dataAt > oldest) return { items, bytes: Math.max(dataBytes - this.#dataAt, oldest) };
    return { items, bytes: oldest - this.#dataAt };
  }

  /**
   * Appends the items of a packed buffer (`packed-items.ts`) from item
   * `from` on (no more than `room()` said), and publishes them: no object per item.
   */
  appendPacked(packed: Uint8Array, from: number): void {
    const view = new DataView(packed.buffer, packed.byteOffset, packed.byteLength);
    const n = view.getUint32(0, true);
    if (from >= n) return;
    if (unclaimed(this.claimed(), this.#end) === 0) this.#dataAt = 0;
    let src = 4 + 4 * n;
    for (let i = 0; i < from; i++) src += view.getUint32(4 + 4 * i, true);
    let end = this.#end;
    // The items lie back to back in `packed` and in the ring (but where the ring wraps): copied in blocks.
    let blockSrc = src;
    let blockAt = this.#dataAt;
    for (let i = from; i < n; i++) {
      const length = view.getUint32(4 + 4 * i, true);
      if (this.#dataAt + length > this.size.dataBytes) {
        this.#copyBlock(packed, blockSrc, src, blockAt);
        this.#dataAt = 0;
        blockSrc = src;
        blockAt = 0;
      }
      const slot = end & this.ring.slotMask;
      this.ring.starts[slot] = this.#dataAt;
      this.ring.lengths[slot] = length;
      src += length;
      this.#dataAt += length;
      end = (end + 1) | 0;
    }
    this.#copyBlock(packed, blockSrc, src, blockAt);
    this.#publish(end);
  }

  #copyBlock(packed: Uint8Array, from: number, to: number, at: number): void {
    if (to > from) this.ring.data.set(packed.subarray(from, to), at);
  }

  /** Appends `items` (no more than `room()` said) and publishes them. */
  append(items: readonly Uint8Array[]): void {
    if (items.length === 0) return;
    if (unclaimed(this.claimed(), this.#end) === 0) this.#dataAt = 0;
    let end = this.#end;
    for (const item of items) {
      if (this.#dataAt + item.length > this.size.dataBytes) this.#dataAt = 0;
      const slot = end & this.ring.slotMask;
      this.ring.starts[slot] = this.#dataAt;
      this.ring.lengths[slot] = item.length;
      this.ring.data.set(item, this.#dataAt);
      this.#dataAt += item.length;
      end = (end + 1) | 0;
    }
    this.#publish(end);
  }

  /** Moves the cursor's end to `end`: the items written before are claimable. */
  #publish(end: number): void {
    this.#end = end;
    for (;;) {
      const cursor = Atomics.load(this.ring.cursor, 0);
      if (Atomics.compareExchange(this.ring.cursor, 0, cursor, cursorOf(nextOf(cursor), end)) === cursor) return;
    }
  }

  /** Asks claimers to ring the doorbell once a claim leaves `low` items or fewer. */
  armDoorbell(low: number): Promise<unknown> | undefined {
    Atomics.store(this.ring.words, Word.LowWater, low);
    Atomics.store(this.ring.words, Word.Doorbell, 1);
    const wait = Atomics.waitAsync(this.ring.words, Word.Doorbell, 1);
    return wait.async ? wait.value : undefined;
  }

  /** The link asks the hub for more (true), or has its answer, appended (false): wakes the getters that wait. */
  asking(on: boolean): void {
    Atomics.store(this.ring.words, Word.Asking, on ? 1 : 0);
    if (!on) Atomics.notify(this.ring.words, Word.Asking);
  }

  /** Ends the ring: nothing more can be claimed. Answers the claimed count (mod 2^32); the rest go back. */
  revoke(): number {
    this.#revoked = true;
    this.asking(false);
    // Wake the link's own doorbell wait, so that it does not stay pending on a dead ring.
    Atomics.store(this.ring.words, Word.Doorbell, 0);
    Atomics.notify(this.ring.words, Word.Doorbell);
    for (;;) {
      const cursor = Atomics.load(this.ring.cursor, 0);
      const next = nextOf(cursor);
      if (Atomics.compareExchange(this.ring.cursor, 0, cursor, cursorOf(next, next)) === cursor) return next;
    }
  }
}
