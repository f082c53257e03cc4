/**
 * A process's room credit for one bounded queue, in shared memory
 * (`queue-credits.ts` grants it, `queue-credit-link.ts` holds it): the
 * process's link adds what the hub grants, any thread of the process takes
 * one unit per put (a compare-and-swap, no message) and then writes the
 * item to its put ring, and the link takes the rest back at once when the
 * hub recalls it.
 *
 * Layout:
 *
 * | word          | type  | written by                     | read by | meaning                     |
 * |---------------|-------|--------------------------------|---------|-----------------------------|
 * | `Cell.Credit` | Int32 | link (add, exchange), threads (CAS −1) | both | room units left to this process |
 *
 * Invariant: a unit is taken exactly once — by one thread's CAS, or by the
 * link's exchange that gives the rest back — so the hub's count of what the
 * process holds (`outstanding`) is exactly the units left here plus the
 * items taken and not yet arrived.
 */

export const Cell = { Credit: 0 } as const;
const WORDS = 1;

export function newCreditCell(): Int32Array {
  return new Int32Array(new SharedArrayBuffer(WORDS * 4));
}

export function creditCellOf(buffer: SharedArrayBuffer): Int32Array {
  return new Int32Array(buffer);
}

/** Takes one unit; false if none is left (put with a round trip instead). Any thread. */
export function takeCredit(cell: Int32Array): boolean {
  for (;;) {
    const left = Atomics.load(cell, Cell.Credit);
    if (left <= 0) return false;
    if (Atomics.compareExchange(cell, Cell.Credit, left, left - 1) === left) return true;
  }
}

/** Adds `n` units the hub granted. Link only. */
export function addCredit(cell: Int32Array, n: number): void {
  Atomics.add(cell, Cell.Credit, n);
}

/** Takes every unit left, to give back. Link only. */
export function takeAllCredit(cell: Int32Array): number {
  return Atomics.exchange(cell, Cell.Credit, 0);
}
