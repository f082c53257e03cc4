/**
 * The client side shared by the process-scope `Value` and `SharedArray`:
 * calls on the hub's numbers (`backends/hub/shared-array.ts`), checked
 * here first so that a bad argument throws before any message is sent, and
 * `update(fn)`, which runs `fn` here.
 */
import { hubCall, hubCallSync } from '../backends/hub/client.js';
import type { WaitOptions } from '../runtime/options.js';
import { atomicSlots, type AtomicSlots } from '../runtime/atomic-slots.js';
import { checkElement, type TypeInfo } from '../runtime/typecodes.js';
import type { Lock } from './lock.js';
import type { RLock } from './rlock.js';
import { isRoot } from '../backends/hub/tree.js';
import { NOT_OWNED, readNumbers, valueCellOf, withOwnedValue, type ValueCell } from '../backends/hub/value-cell.js';
import type { HubId } from '../backends/hub/ops.js';

type Num = number | bigint;

/** The hub kinds served here: the same numbers object (`OwnedNumbers`) under two names. */
type NumbersKind = 'multiprocessing.Value' | 'multiprocessing.SharedArray';

/** The ops a child's `local` call carries (`value-ownership.ts`). */
type LocalOp = 'get' | 'set' | 'add' | 'compareExchange' | 'toArray';

export class HubNumbersClient<T extends Num> {
  readonly id: HubId<NumbersKind>;
  readonly #info: TypeInfo;
  /** A one-element local array of the type, to wrap values as the hub stores them. */
  readonly #scratch: AtomicSlots<T>;
  /**
   * A `Value` or `SharedArray` in a child process: its typecode, sent with
   * `local` calls so that the numbers may be lent to this process
   * (`backends/hub/value-ownership.ts`).
   */
  readonly #ownable: string | undefined;
  /** The process's cell of the numbers, once a `local` call was lent them. */
  #cell: ValueCell<T> | undefined;

  /** `ownable`: the typecode of a `Value` or `SharedArray` whose numbers may migrate to this process (a child's only). */
  constructor(id: number, info: TypeInfo, ownable?: string) {
    // A Value's or a SharedArray's: the two kinds answer the same ops.
    this.id = id as HubId<NumbersKind>;
    this.#info = info;
    this.#scratch = atomicSlots<T>(info, new SharedArrayBuffer(info.bytes), 1);
    this.#ownable = ownable !== undefined && !isRoot() ? ownable : undefined;
  }

  get(i: number): T {
    if (this.#ownable !== undefined) {
      const local = this.#cell === undefined ? NOT_OWNED : withOwnedValue(this.#cell, (slots) => slots.load(i), false);
      return local !== NOT_OWNED ? local : (this.#local('get', [i]) as T);
    }
    return hubCallSync(this.id, 'get', [i]) as T;
  }

  set(i: number, value: T): void {
    checkElement(this.#info, value);
    if (this.#ownable !== undefined) {
      const local = this.#cell === undefined ? NOT_OWNED : withOwnedValue(this.#cell, (slots) => slots.store(i, value), true);
      if (local === NOT_OWNED) this.#local('set', [i, value]);
      return;
    }
    hubCallSync(this.id, 'set', [i, value]);
  }

  add(i: number, delta: T): T {
    checkElement(this.#info, delta, 'delta');
    if (this.#ownable !== undefined) {
      const local = this.#cell === undefined ? NOT_OWNED : withOwnedValue(this.#cell, (slots) => slots.add(i, delta), true);
      return local !== NOT_OWNED ? local : (this.#local('add', [i, delta]) as T);
    }
    return hubCallSync(this.id, 'add', [i, delta]) as T;
  }

  compareExchange(i: number, expected: T, replacement: T): T {
    checkElement(this.#info, expected, 'expected value');
    checkElement(this.#info, replacement, 'replacement');
    if (this.#ownable !== undefined) {
      const local = this.#cell === undefined ? NOT_OWNED : withOwnedValue(this.#cell, (slots) => slots.compareExchange(i, expected, replacement), true);
      return local !== NOT_OWNED ? local : (this.#local('compareExchange', [i, expected, replacement]) as T);
    }
    return hubCallSync(this.id, 'compareExchange', [i, expected, replacement]) as T;
  }

  /** The op in the hub, which may lend this process the number with its answer (the link then answers the cell). */
  #local(op: LocalOp, args: readonly Num[]): unknown {
    const answer = hubCallSync(this.id, 'local', [this.#ownable!, op, ...args]);
    if ('cell' in answer && this.#cell?.buffers.words !== answer.cell.words) this.#cell = valueCellOf<T>(this.#info, answer.cell);
    return answer.result;
  }

  toArray(): T[] {
    if (this.#ownable !== undefined) {
      const local = this.#cell === undefined ? NOT_OWNED : withOwnedValue(this.#cell, readNumbers, false);
      return local !== NOT_OWNED ? local : (this.#local('toArray', []) as T[]);
    }
    return hubCallSync(this.id, 'toArray', []) as T[];
  }

  /**
   * Replaces element `i` with `fn(element)`, holding `lock` if there is one.
   * The write is a compare-and-swap, so a writer that does not take the lock
   * (`set`, `add` from elsewhere) is not lost either: `fn` runs again on the
   * newer value. Returns the value stored (wrapped to the type).
   */
  update(i: number, fn: (value: T) => T, lock: Lock | RLock | null): T {
    const apply = (): T => {
      for (;;) {
        const old = this.get(i);
        const next = fn(old);
        checkElement(this.#info, next, 'result of update()');
        if (Object.is(this.compareExchange(i, old, next), old)) return this.#scratch.wrap(next);
      }
    };
    return lock === null ? apply() : lock.withLockSync(apply);
  }

  /**
   * As `update`, with every hub call awaited (never blocking the event
   * loop) and `fn` allowed to be async; the lock, if any, is held until
   * `fn` settles. `options` bound the wait for the lock (`TimeoutError`) and
   * can abort it (`signal.reason`).
   */
  updateAsync(i: number, fn: (value: T) => T | Promise<T>, lock: Lock | RLock | null, options: WaitOptions): Promise<T> {
    const apply = async (): Promise<T> => {
      for (;;) {
        const old = (await hubCall(this.id, 'get', [i])) as T;
        const next = await fn(old);
        checkElement(this.#info, next, 'result of updateAsync()');
        const found = (await hubCall(this.id, 'compareExchange', [i, old, next])) as T;
        if (Object.is(found, old)) return this.#scratch.wrap(next);
        options.signal?.throwIfAborted();
      }
    };
    return lock === null ? apply() : lock.withLock(apply, options);
  }
}
