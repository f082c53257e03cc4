/**
 * The numbers of a process-scope `Value` or `SharedArray` owned by one
 * process, in that process's shared memory (`value-ownership.ts` decides
 * who owns them, `value-owner-link.ts` holds them for the process): while
 * the process owns them, its threads read and write them here with atomics
 * — no message — and the link hands them back to the hub when another
 * process uses them.
 *
 * Two buffers: `words` (the state below) and `slot` (the numbers, in the
 * typecode's type, `runtime/atomic-slots.ts`; a Value has one).
 *
 * | word           | type  | written by                    | read by | meaning                                      |
 * |----------------|-------|-------------------------------|---------|----------------------------------------------|
 * | `Word.State`   | Int32 | link                          | both    | `CellState`: whether the numbers here are the truth |
 * | `Word.Users`   | Int32 | threads (+1 / −1)             | link    | threads inside an op on the numbers now      |
 * | `Word.Changed` | Int32 | threads (→ 1), link (→ 0)     | both    | 1: a thread wrote since the link last wrote the numbers through to the hub |
 *
 * States (`CellState`):
 *
 * | state   | meaning                                 | transition                                        |
 * |---------|-----------------------------------------|---------------------------------------------------|
 * | Revoked | the hub has the numbers: ask it         | link, on a grant: numbers stored, then → Owned     |
 * | Owned   | the numbers here are the truth          | link, on a recall or exit: → Revoked, then waits for `Users` 0 and reads the numbers |
 *
 * Why an op cannot be lost in a hand-off: a thread adds itself to `Users`
 * *before* it reads `State`, and the link sets `State` *before* it reads
 * `Users` (sequentially consistent atomics: Dekker's pattern). So either the
 * thread sees Revoked and goes to the hub, or the link sees it in `Users`
 * and waits for it to leave before it reads the numbers it hands back.
 *
 * Why a write-through misses no write that came before a message: a writer
 * sets `Changed` *after* its write, and the link clears it (exchange)
 * *before* it reads the numbers. A write whose `Changed` the link cleared is
 * in what it reads; a later one leaves `Changed` set for the next time.
 */
import { atomicSlots, type AtomicSlots } from '../../runtime/atomic-slots.js';
import type { TypeInfo } from '../../runtime/typecodes.js';

export const Word = { State: 0, Users: 1, Changed: 2 } as const;
export const CellState = { Revoked: 0, Owned: 1 } as const;
const WORDS = 3;

type Num = number | bigint;

/** What crosses to a thread: the two buffers. */
export interface ValueCellBuffers {
  readonly words: SharedArrayBuffer;
  readonly slot: SharedArrayBuffer;
  /** How many numbers `slot` holds. */
  readonly length: number;
}

export interface ValueCell<T extends Num> {
  readonly buffers: ValueCellBuffers;
  readonly words: Int32Array;
  readonly slots: AtomicSlots<T>;
}

export function newValueCell<T extends Num>(info: TypeInfo, length: number): ValueCell<T> {
  return valueCellOf<T>(info, { words: new SharedArrayBuffer(WORDS * 4), slot: new SharedArrayBuffer(Math.max(8, length * info.bytes)), length });
}

export function valueCellOf<T extends Num>(info: TypeInfo, buffers: ValueCellBuffers): ValueCell<T> {
  return { buffers, words: new Int32Array(buffers.words), slots: atomicSlots<T>(info, buffers.slot, buffers.length) };
}

/**
 * Runs `op` on the numbers if this process owns them; answers `NOT_OWNED`
 * (ask the hub) if not. `writes`: `op` may change them. Any thread.
 */
export function withOwnedValue<T extends Num, R>(cell: ValueCell<T>, op: (slots: AtomicSlots<T>) => R, writes: boolean): R | typeof NOT_OWNED {
  const words = cell.words;
  Atomics.add(words, Word.Users, 1);
  try {
    if (Atomics.load(words, Word.State) !== CellState.Owned) return NOT_OWNED;
    const result = op(cell.slots);
    // After the write (header): the link's next write-through carries it.
    if (writes && Atomics.load(words, Word.Changed) === 0) Atomics.store(words, Word.Changed, 1);
    return result;
  } finally {
    // The last user out tells a link that waits to hand the number back.
    if (Atomics.sub(words, Word.Users, 1) === 1 && Atomics.load(words, Word.State) !== CellState.Owned) Atomics.notify(words, Word.Users);
  }
}

export const NOT_OWNED: unique symbol = Symbol('weft:not-owned');

/** The hub granted the numbers: store them, then let threads use them. Link only. */
export function ownValue<T extends Num>(cell: ValueCell<T>, values: readonly T[]): void {
  values.forEach((value, i) => cell.slots.store(i, value));
  Atomics.store(cell.words, Word.Changed, 0);
  Atomics.store(cell.words, Word.State, CellState.Owned);
}

/** The numbers now if a thread wrote since the last call, without taking them from the threads (the write-through); undefined if none did. Link only. */
export function takeChanges<T extends Num>(cell: ValueCell<T>): T[] | undefined {
  if (Atomics.exchange(cell.words, Word.Changed, 0) === 0) return undefined;
  return readNumbers(cell.slots);
}

/** Every number of `slots`, in order. */
export function readNumbers<T extends Num>(slots: AtomicSlots<T>): T[] {
  const values: T[] = [];
  for (let i = 0; i < slots.length; i++) values.push(slots.load(i));
  return values;
}

/** Takes the numbers back from the threads (each op under way finishes first) and answers them. Link only. */
export function revokeValue<T extends Num>(cell: ValueCell<T>): T[] {
  const words = cell.words;
  Atomics.store(words, Word.State, CellState.Revoked);
  for (;;) {
    const users = Atomics.load(words, Word.Users);
    if (users === 0) break;
    // An op is a few atomics: this wait is short (the timeout is a safety net against a missed notify).
    Atomics.wait(words, Word.Users, users, 10);
  }
  return readNumbers(cell.slots);
}
