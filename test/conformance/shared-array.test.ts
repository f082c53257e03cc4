/**
 * SharedArray: a fixed-length shared array of numbers, within one thread
 * and across threads.
 *
 * Ported from CPython's `Lib/test/_test_multiprocessing.py` (_TestArray:
 * test_array, test_array_from_size, test_rawarray, test_getobj_getlock_obj),
 * each test naming its source case. Tweaks: weft's SharedArray has no
 * slicing ('c' arrays, `.value`/`.raw` and slice assignment are not
 * offered); out-of-range indices are ERR_INVALID_ARG instead of
 * IndexError; per-element atomic `add`/`compareExchange`/`update` are weft
 * additions; `lock: false` arrays have getLock() → ERR_NO_LOCK.
 *
 * The CPython tests ported here are © Python Software Foundation, under the
 * PSF License Agreement (https://docs.python.org/3/license.html); these are
 * rewrites against weft's API, not copies.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Lock, RLock, SharedArray, Thread, type Typecode } from '../../src/threading.js';
import { waitForWaiters } from '../../src/testing/index.js';
import { checkNoThreadsLeft } from '../helpers/leaks.js';
import { joinAll, start } from '../helpers/threads.js';
import * as targets from '../fixtures/sync-targets.js';

const T = { timeout: 60_000 };
const WAIT = { timeout: 20_000 };
checkNoThreadsLeft();


/** Every typecode, its other spelling, and elements it must store exactly. */
const CASES: [Typecode, Typecode, (number | bigint)[]][] = [
  ['b', 'int8', [0, 1, -1, 127, -128]],
  ['B', 'uint8', [0, 1, 255]],
  ['h', 'int16', [0, -1, 32767, -32768]],
  ['H', 'uint16', [0, 1, 65535]],
  ['i', 'int32', [0, -1, 2 ** 31 - 1, -(2 ** 31)]],
  ['I', 'uint32', [0, 1, 2 ** 32 - 1]],
  ['q', 'bigint64', [0n, -1n, 2n ** 63n - 1n, -(2n ** 63n)]],
  ['l', 'bigint64', [0n, -1n, 2n ** 63n - 1n, -(2n ** 63n)]],
  ['Q', 'biguint64', [0n, 1n, 2n ** 64n - 1n]],
  ['L', 'biguint64', [0n, 1n, 2n ** 64n - 1n]],
  ['f', 'float32', [0, -0, 1.5, Math.fround(0.1), Infinity, NaN]],
  ['d', 'float64', [0, -0, 0.1, -1e300, Number.MIN_VALUE, -Infinity, NaN]],
];

const isBigCode = (code: Typecode): boolean => /^[qQlL]$|^big/.test(code);

describe('SharedArray within one thread', () => {
  // _TestArray.test_array (its seq of values), for every typecode and both spellings
  test('every typecode round-trips its kind of number, from an iterable and through set()', T, () => {
    for (const [letter, name, values] of CASES) {
      for (const code of [letter, name]) {
        const fromItems = new SharedArray<number | bigint>(code, values);
        assert.equal(fromItems.length, values.length);
        assert.equal(fromItems.typecode, code);
        assert.deepEqual(fromItems.toArray(), values, `SharedArray('${code}', [...])`);
        const sized = new SharedArray<number | bigint>(code, values.length);
        values.forEach((v, i) => sized.set(i, v));
        values.forEach((v, i) => assert.equal(sized.get(i), v, `SharedArray('${code}').set(${i}, ${String(v)})`));
      }
    }
  });

  // _TestArray.test_array_from_size (issue #11675: zero-filled)
  test('a size gives a zero-filled array (0n for 64-bit integers); an iterable gives its items', T, () => {
    assert.deepEqual(new SharedArray('i', 4).toArray(), [0, 0, 0, 0]);
    assert.deepEqual(new SharedArray('d', 2).toArray(), [0, 0]);
    assert.deepEqual(new SharedArray('q', 3).toArray(), [0n, 0n, 0n]);
    assert.equal(new SharedArray('i', 0).length, 0);
    assert.deepEqual(new SharedArray('i', []).toArray(), []);
    assert.deepEqual(new SharedArray('h', new Set([3, 1, 2])).toArray(), [3, 1, 2]);
    function* gen(): Generator<bigint> { yield 5n; yield 6n; }
    assert.deepEqual(new SharedArray('Q', gen()).toArray(), [5n, 6n]);
    assert.deepEqual(new SharedArray('B', Uint8Array.of(1, 2, 255)).toArray(), [1, 2, 255]);
  });

  test('bad sizes, non-iterables and elements of the wrong kind are ERR_INVALID_ARG', T, () => {
    for (const size of [-1, 1.5, NaN, Infinity, 2 ** 30 + 1]) {
      assert.throws(() => new SharedArray('i', size), { code: 'ERR_INVALID_ARG' }, `size ${size}`);
    }
    for (const bad of [{}, null, undefined, true]) {
      assert.throws(() => new SharedArray('i', bad as unknown as number), { code: 'ERR_INVALID_ARG' });
    }
    assert.throws(() => new SharedArray('i', [1, 2.5]), (error: Error & { code?: string }) => {
      assert.equal(error.code, 'ERR_INVALID_ARG');
      assert.match(error.message, /element 1/);
      return true;
    });
    assert.throws(() => new SharedArray('q', [1n, 2 as unknown as bigint]), { code: 'ERR_INVALID_ARG' }, 'a number for bigint64');
    assert.throws(() => new SharedArray('i', [1n as unknown as number]), { code: 'ERR_INVALID_ARG' }, 'a bigint for int32');
    assert.throws(() => new SharedArray('zz' as Typecode, 3), (error: Error & { code?: string }) => {
      assert.equal(error.code, 'ERR_INVALID_ARG');
      assert.match(error.message, /'b' 'B' 'h' 'H' 'i' 'I' 'l' 'L' 'q' 'Q' 'f' 'd'/);
      assert.match(error.message, /'float64'/);
      return true;
    });
  });

  test('set() and add() check and wrap each element like the C type', T, () => {
    const bytes = new SharedArray<number>('b', 3);
    bytes.set(0, 200);
    assert.equal(bytes.get(0), -56);
    assert.equal(bytes.add(1, 128), -128);
    assert.throws(() => bytes.set(2, 1.5), { code: 'ERR_INVALID_ARG' });
    assert.throws(() => bytes.add(2, 0.5), { code: 'ERR_INVALID_ARG' });
    assert.equal(bytes.get(2), 0);
    const big = new SharedArray<bigint>('Q', 1);
    assert.equal(big.add(0, -1n), 2n ** 64n - 1n);
    assert.throws(() => big.set(0, 1 as unknown as bigint), { code: 'ERR_INVALID_ARG' });
    assert.equal(big.get(0), 2n ** 64n - 1n);
  });

  // Python's negative indexing (arr[-1])
  test('negative indices count from the end; out-of-range indices are ERR_INVALID_ARG', T, () => {
    const array = new SharedArray<number>('i', [10, 20, 30]);
    assert.equal(array.get(-1), 30);
    assert.equal(array.get(-3), 10);
    array.set(-1, 33);
    assert.equal(array.get(2), 33);
    assert.equal(array.add(-2, 2), 22);
    assert.equal(array.compareExchange(-3, 10, 11), 10);
    assert.equal(array.update(-3, (v) => v + 1), 12);
    assert.deepEqual(array.toArray(), [12, 22, 33]);
    for (const index of [3, -4, 1.5, NaN, Infinity, 2 ** 40]) {
      assert.throws(() => array.get(index), { code: 'ERR_INVALID_ARG' }, `get(${index})`);
      assert.throws(() => array.set(index, 0), { code: 'ERR_INVALID_ARG' }, `set(${index})`);
      assert.throws(() => array.add(index, 1), { code: 'ERR_INVALID_ARG' }, `add(${index})`);
      assert.throws(() => array.update(index, (v) => v), { code: 'ERR_INVALID_ARG' }, `update(${index})`);
    }
    assert.deepEqual(array.toArray(), [12, 22, 33], 'a refused access changed the array');
    assert.throws(() => new SharedArray('i', 0).get(0), { code: 'ERR_INVALID_ARG' });
    assert.throws(() => new SharedArray('i', 0).get(-1), { code: 'ERR_INVALID_ARG' });
  });

  // _TestArray.test_array: len, iteration, list(arr)
  test('toArray() copies; the iterator, spread and for…of read every element', T, () => {
    const array = new SharedArray<number>('d', [0.5, 1.5, 2.5]);
    const copy = array.toArray();
    copy[0] = 99;
    assert.equal(array.get(0), 0.5, 'toArray() returned a live view');
    assert.deepEqual([...array], [0.5, 1.5, 2.5]);
    const seen: number[] = [];
    for (const v of array) seen.push(v);
    assert.deepEqual(seen, [0.5, 1.5, 2.5]);
    assert.deepEqual(Array.from(new SharedArray('q', [1n, 2n])), [1n, 2n]);
    assert.deepEqual([...new SharedArray('i', 0)], []);
  });

  test('compareExchange and update work per element', T, () => {
    const array = new SharedArray<number>('i', [1, 2, 3]);
    assert.equal(array.compareExchange(1, 2, 20), 2);
    assert.equal(array.compareExchange(1, 2, 200), 20);
    assert.equal(array.update(2, (v) => v * 10), 30);
    assert.deepEqual(array.toArray(), [1, 20, 30]);
    const floats = new SharedArray<number>('f', [0.1]);
    assert.equal(floats.compareExchange(0, 0.1, 0.5), Math.fround(0.1));
    assert.equal(floats.get(0), 0.5);
    const lock = array.getLock() as RLock;
    array.update(0, (v) => { assert.equal(lock.statistics().depth, 1, 'update runs holding the lock'); return v; });
    assert.equal(lock.locked(), false);
  });

  // _TestArray.test_getobj_getlock_obj
  test('getLock(): a new RLock by default, the lock given, or ERR_NO_LOCK with lock: false', T, () => {
    const a = new SharedArray('i', 2);
    assert.ok(a.getLock() instanceof RLock);
    assert.notEqual(a.getLock(), new SharedArray('i', 2).getLock());
    assert.ok(new SharedArray('i', 2, { lock: true }).getLock() instanceof RLock);
    const lock = new Lock();
    assert.equal(new SharedArray('i', 2, { lock }).getLock(), lock);
    const rlock = new RLock();
    assert.equal(new SharedArray('d', [1], { lock: rlock }).getLock(), rlock);
    const bare = new SharedArray<number>('i', [4], { lock: false });
    assert.throws(() => bare.getLock(), { code: 'ERR_NO_LOCK' });
    assert.equal(bare.update(0, (v) => v + 1), 5);
    assert.throws(() => new SharedArray('i', 2, { lock: 'yes' as unknown as boolean }), { code: 'ERR_INVALID_ARG' });
  });

  test('toString() shows the type, the length and (the first 20) elements', T, () => {
    assert.equal(String(new SharedArray('i', [1, 2, 3])), '<SharedArray int32[3] [1, 2, 3]>');
    assert.equal(String(new SharedArray('Q', [7n])), '<SharedArray biguint64[1] [7n]>');
    const long = String(new SharedArray('B', 25));
    assert.equal(long, `<SharedArray uint8[25] [${Array(20).fill('0').join(', ')}, … 5 more]>`);
  });
});

describe('SharedArray across threads', () => {
  for (const [code, one, total] of [['i', 1, 10_000], ['q', 1n, 10_000n], ['d', 1, 10_000]] as const) {
    test(`per-element add is atomic: 4 threads × 2 500 adds to each element of a '${code}' array`, T, async () => {
      const array = new SharedArray(code, 8) as SharedArray<number> | SharedArray<bigint>;
      const threads = [0, 1, 2, 3].map(() => start(targets.addToEveryElement, [array, 2_500, one]));
      await joinAll(threads);
      assert.deepEqual((array as SharedArray<number | bigint>).toArray(), Array(8).fill(total));
    });
  }

  // _TestArray.test_array: the child's writes are the parent's
  test('a SharedArray passed to a thread is the same memory, both ways', T, async () => {
    const array = new SharedArray<number>('i', [1, 2, 3]);
    const seen = new SharedArray<number>('i', 3);
    await joinAll([start(targets.swapArray, [array, seen, [7, 8, 9]])]);
    assert.deepEqual(seen.toArray(), [1, 2, 3], 'the thread did not see what this thread wrote');
    assert.deepEqual(array.toArray(), [7, 8, 9], 'this thread does not see what the thread wrote');
    assert.equal(array.length, 3);
  });

  test('a SharedArray passed to a thread keeps its lock', T, async () => {
    const lock = new Lock();
    const array = new SharedArray<number>('i', 1, { lock });
    const counter = new SharedArray<number>('i', 1);
    // The thread takes array.getLock() to add to counter; it must wait for us.
    await lock.acquire();
    const thread = start(targets.addUnderArrayLock, [array, counter, 3]);
    await waitForWaiters(lock, 1, WAIT);
    assert.equal(counter.get(0), 0, 'the thread ran under a lock this thread holds');
    lock.release();
    await joinAll([thread]);
    assert.equal(counter.get(0), 3);
  });
});
