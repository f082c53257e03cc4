/**
 * A batch of queue items lent to a process, in shared memory: the process's
 * link writes it once (`writeLentBatch`), any thread of the process takes
 * items from it without a message (`claimLent`), and the link takes the
 * unclaimed rest back at once when the hub recalls them (`revokeLent`) —
 * whatever the process's threads are doing, since the link is a thread of
 * its own. Why lend at all: a get from the hub is a round trip (~100 µs);
 * a claim here is a compare-and-swap and a copy.
 *
 * One buffer holds one batch, written before it is published and never
 * changed after: a new batch is a new buffer. So a claimer may copy an item
 * first and take it after (the compare-and-swap), and a copy it loses the
 * race for is simply dropped — no generation count, no ABA.
 *
 * Layout (byte offsets):
 *
 * | at               | name    | type    | written by              | read by  | meaning                                  |
 * |------------------|---------|---------|-------------------------|----------|------------------------------------------|
 * | `Word.Cursor`    | cursor  | Int32   | claimers (CAS), the link (revoke) | both | `end << 16 \| next`: items `[next, end)` are unclaimed |
 * | `Word.Count`     | count   | Int32   | the link, before publishing | claimers | items in the batch                     |
 * | `OFFSETS_AT`     | offsets | Int32[count + 1] | the link, before publishing | claimers | item i is data bytes `[offsets[i], offsets[i+1])` |
 * | after offsets    | data    | bytes   | the link, before publishing | claimers | the items' encoded bytes, back to back |
 *
 * States of the cursor (next, end), and transitions:
 *
 * | state       | condition       | transition                                       |
 * |-------------|-----------------|--------------------------------------------------|
 * | lending     | next < end      | a claim: next + 1 (CAS); a revoke: end = next (CAS) |
 * | spent       | next === end    | final: nothing to claim or revoke                |
 *
 * Invariants: `end` only shrinks (to `next`, by the link's revoke); `next`
 * only grows, by one per claim, never past `end`; so every item is either
 * claimed exactly once, or unclaimed when revoked — never both. Items in
 * `[0, next)` are claimed, `[next, end at revoke)` go back to the hub.
 */

/** Word indexes (Int32) of the header. */
export const Word = { Cursor: 0, Count: 1 } as const;
const HEADER_WORDS = 2;
const OFFSETS_AT = HEADER_WORDS * 4;

/** The most items one batch holds (16 bits of the cursor each for `next` and `end`). */
export const LEND_MAX_ITEMS = 4096;
/** The most data bytes one batch holds: the hub stops a batch before it would pass this. */
export const LEND_MAX_BYTES = 1 << 20;

const NEXT_MASK = 0xffff;
const END_SHIFT = 16;

const cursorOf = (next: number, end: number): number => (end << END_SHIFT) | next;
const nextOf = (cursor: number): number => cursor & NEXT_MASK;
const endOf = (cursor: number): number => cursor >>> END_SHIFT;

/** A batch as a claimer sees it: views over the one buffer. */
export interface LentBatch {
  readonly buffer: SharedArrayBuffer;
  readonly words: Int32Array;
  readonly offsets: Int32Array;
  readonly data: Uint8Array;
}

/** Views over a batch's buffer (the link's, or one a thread received). */
export function lentBatchOf(buffer: SharedArrayBuffer): LentBatch {
  const words = new Int32Array(buffer, 0, HEADER_WORDS);
  const count = Atomics.load(words, Word.Count);
  const offsets = new Int32Array(buffer, OFFSETS_AT, count + 1);
  return { buffer, words, offsets, data: new Uint8Array(buffer, OFFSETS_AT + (count + 1) * 4) };
}

/** Writes `items` into a new buffer and publishes them, all unclaimed. Link only. */
export function writeLentBatch(items: readonly Uint8Array[]): LentBatch {
  if (items.length > LEND_MAX_ITEMS) throw new RangeError(`lent batch of ${items.length} items, over ${LEND_MAX_ITEMS}`);
  let bytes = 0;
  for (const item of items) bytes += item.length;
  // Rounded up to a multiple of 4: nothing follows the data, but buffer sizes stay aligned.
  const buffer = new SharedArrayBuffer(OFFSETS_AT + (items.length + 1) * 4 + ((bytes + 3) & ~3));
  const words = new Int32Array(buffer, 0, HEADER_WORDS);
  words[Word.Count] = items.length;
  const batch = lentBatchOf(buffer);
  let at = 0;
  for (let i = 0; i < items.length; i++) {
    batch.offsets[i] = at;
    batch.data.set(items[i], at);
    at += items[i].length;
  }
  batch.offsets[items.length] = at;
  // Publish last: a claimer that sees the cursor sees every byte written before it.
  Atomics.store(words, Word.Cursor, cursorOf(0, items.length));
  return batch;
}

/** Takes the next unclaimed item (its bytes, copied), or undefined when none is left. Any thread. */
export function claimLent(batch: LentBatch): Uint8Array | undefined {
  for (;;) {
    const cursor = Atomics.load(batch.words, Word.Cursor);
    const next = nextOf(cursor);
    if (next >= endOf(cursor)) return undefined;
    // Copy first: the bytes never change once published, so the copy is right if the claim succeeds.
    const item = batch.data.slice(batch.offsets[next], batch.offsets[next + 1]);
    if (Atomics.compareExchange(batch.words, Word.Cursor, cursor, cursor + 1) === cursor) return item;
    // Another thread claimed it, or the link revoked the rest: look again.
  }
}

/** How many items are claimed so far. */
export function claimedLent(batch: LentBatch): number {
  return nextOf(Atomics.load(batch.words, Word.Cursor));
}

/** Ends the batch: nothing more can be claimed. Answers how many items were claimed (the rest go back). Link only. */
export function revokeLent(batch: LentBatch): number {
  for (;;) {
    const cursor = Atomics.load(batch.words, Word.Cursor);
    const next = nextOf(cursor);
    if (next === endOf(cursor)) return next;
    if (Atomics.compareExchange(batch.words, Word.Cursor, cursor, cursorOf(next, next)) === cursor) return next;
  }
}
