/**
 * A process-scope `Value` owned by one process, in that process's shared
 * memory (`value-ownership.ts` decides who owns it, `value-owner-link.ts`
 * holds it for the process): while the process owns it, its threads read
 * and write the number here with atomics — no message — and the link hands
 * it back to the hub when another process uses it.
 *
 * Two buffers: `words` (the state below) and `slot` (the number, in the
 * typecode's type, `shared/atomic-slots.ts`).
 *
 * | word          | type  | written by                    | read by | meaning                                      |
 * |---------------|-------|-------------------------------|---------|----------------------------------------------|
 * | `Word.State`  | Int32 | link                          | both    | `CellState`: whether the number here is the truth |
 * | `Word.Users`  | Int32 | threads (+1 / −1)             | link    | threads inside an op on the number now       |
 *
 * States (`CellState`):
 *
 * | state   | meaning                                 | transition                                        |
 * |---------|-----------------------------------------|---------------------------------------------------|
 * | Revoked | the hub has the number: ask it          | link, on a grant: number stored, then → Owned     |
 * | Owned   | the number here is the value's          | link, on a recall or exit: → Revoked, then waits for `Users` 0 and reads the number |
 *
 * Why an op cannot be lost in a hand-off: a thread adds itself to `Users`
 * *before* it reads `State`, and the link sets `State` *before* it reads
 * `Users` (sequentially consistent atomics: Dekker's pattern). So either the
 * thread sees Revoked and goes to the hub, or the link sees it in `Users`
 * and waits for it to leave before it reads the number it hands back.
 */
import { atomicSlots, type AtomicSlots } from '../../shared/atomic-slots.js';
import type { TypeInfo } from '../../shared/typecodes.js';

export const Word = { State: 0, Users: 1 } as const;
export const CellState = { Revoked: 0, Owned: 1 } as const;
const WORDS = 2;

type Num = number | bigint;

/** What crosses to a thread: the two buffers. */
export interface ValueCellBuffers {
  readonly words: SharedArrayBuffer;
  readonly slot: SharedArrayBuffer;
}

export interface ValueCell<T extends Num> {
  readonly buffers: ValueCellBuffers;
  readonly words: Int32Array;
  readonly slots: AtomicSlots<T>;
}

export function newValueCell<T extends Num>(info: TypeInfo): ValueCell<T> {
  return valueCellOf<T>(info, { words: new SharedArrayBuffer(WORDS * 4), slot: new SharedArrayBuffer(Math.max(8, info.bytes)) });
}

export function valueCellOf<T extends Num>(info: TypeInfo, buffers: ValueCellBuffers): ValueCell<T> {
  return { buffers, words: new Int32Array(buffers.words), slots: atomicSlots<T>(info, buffers.slot, 1) };
}

/**
 * Runs `op` on the number if this process owns it; answers `NOT_OWNED`
 * (ask the hub) if not. Any thread.
 */
export function withOwnedValue<T extends Num, R>(cell: ValueCell<T>, op: (slots: AtomicSlots<T>) => R): R | typeof NOT_OWNED {
  const words = cell.words;
  Atomics.add(words, Word.Users, 1);
  try {
    if (Atomics.load(words, Word.State) !== CellState.Owned) return NOT_OWNED;
    return op(cell.slots);
  } finally {
    // The last user out tells a link that waits to hand the number back.
    if (Atomics.sub(words, Word.Users, 1) === 1 && Atomics.load(words, Word.State) !== CellState.Owned) Atomics.notify(words, Word.Users);
  }
}

export const NOT_OWNED: unique symbol = Symbol('weft:not-owned');

/** The hub granted the number: store it, then let threads use it. Link only. */
export function ownValue<T extends Num>(cell: ValueCell<T>, value: T): void {
  cell.slots.store(0, value);
  Atomics.store(cell.words, Word.State, CellState.Owned);
}

/** The number as it is now, without taking it from the threads (for the write-through). Link only. */
export function peekValue<T extends Num>(cell: ValueCell<T>): T {
  return cell.slots.load(0);
}

/** Takes the number back from the threads (each op under way finishes first) and answers it. Link only. */
export function revokeValue<T extends Num>(cell: ValueCell<T>): T {
  const words = cell.words;
  Atomics.store(words, Word.State, CellState.Revoked);
  for (;;) {
    const users = Atomics.load(words, Word.Users);
    if (users === 0) break;
    // An op is a few atomics: this wait is short (the timeout is a safety net against a missed notify).
    Atomics.wait(words, Word.Users, users, 10);
  }
  return cell.slots.load(0);
}
