/**
 * Value: one shared number, within one thread and across threads.
 *
 * Ported from CPython's `Lib/test/_test_multiprocessing.py` (_TestValue:
 * test_value, test_rawvalue, test_getobj_getlock; and the gh-106691 race
 * that `v.value += 1` has), each test naming its source case. Tweaks:
 * weft's typecodes are numeric only (no 'c'/'u'); 'l'/'L' are 64-bit
 * bigints as on Linux; weft adds the atomic `add`, `compareExchange` and
 * `update`; `lock: false` still gives a Value, whose getLock() is
 * ERR_NO_LOCK (Python returns a raw ctypes object without get_lock);
 * errors are ERR_* codes instead of TypeError/AttributeError.
 *
 * The CPython tests ported here are © Python Software Foundation, under the
 * PSF License Agreement (https://docs.python.org/3/license.html); these are
 * rewrites against weft's API, not copies.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Lock, RLock, Thread, Value, type Typecode } from '../../src/threading.js';
import { Lock as ProcessLock, Value as ProcessValue } from '../../src/multiprocessing.js';
import { waitForWaiters } from '../../src/testing/index.js';
import { checkNoThreadsLeft } from '../helpers/leaks.js';
import { joinAll, start } from '../helpers/threads.js';
import * as targets from '../fixtures/sync-targets.js';

const T = { timeout: 60_000 };
const WAIT = { timeout: 20_000 };
checkNoThreadsLeft();


/** Every typecode, its other spelling, and values it must store exactly. */
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
  ['f', 'float32', [0, -0, 1.5, -0.25, Math.fround(0.1), 3.4028234663852886e38, Infinity, -Infinity, NaN]],
  ['d', 'float64', [0, -0, 0.1, -1e300, Number.MAX_VALUE, Number.MIN_VALUE, Infinity, NaN]],
];

const isBigCode = (code: Typecode): boolean => /^[qQlL]$|^big/.test(code);

describe('Value within one thread', () => {
  // _TestValue.test_value (codes_values), for every typecode and both spellings
  test('every typecode round-trips its kind of number, through the constructor and .value', T, () => {
    for (const [letter, name, values] of CASES) {
      for (const code of [letter, name]) {
        const zero = new Value(code);
        assert.equal(zero.value, isBigCode(code) ? 0n : 0, `Value('${code}') starts at 0`);
        assert.equal(zero.typecode, code);
        for (const v of values) {
          assert.equal(new Value(code, v).value, v, `Value('${code}', ${String(v)})`);
          const value = new Value<number | bigint>(code, isBigCode(code) ? 0n : 0);
          value.value = v;
          assert.equal(value.value, v, `Value('${code}').value = ${String(v)}`);
        }
      }
    }
  });

  test('float32 stores the nearest float32', T, () => {
    const value = new Value<number>('f', 0.1);
    assert.equal(value.value, Math.fround(0.1));
    value.value = 1e40;
    assert.equal(value.value, Infinity);
    assert.equal(value.add(0.1), Infinity);
  });

  // ctypes' integer types wrap (c_byte(200).value == -56)
  test('integers wrap around like the C type, on write and on add', T, () => {
    const cases: [Typecode, number | bigint, number | bigint][] = [
      ['b', 200, -56],
      ['b', -129, 127],
      ['B', 256, 0],
      ['B', -1, 255],
      ['h', 40000, -25536],
      ['H', -1, 65535],
      ['i', 2 ** 31, -(2 ** 31)],
      ['I', -1, 2 ** 32 - 1],
      ['I', 2 ** 32, 0],
      ['q', 2n ** 63n, -(2n ** 63n)],
      ['Q', -1n, 2n ** 64n - 1n],
      ['Q', 2n ** 64n + 5n, 5n],
    ];
    for (const [code, written, read] of cases) {
      assert.equal(new Value(code, written).value, read, `Value('${code}', ${written})`);
      const value = new Value<number | bigint>(code, typeof written === 'bigint' ? 0n : 0);
      value.value = written;
      assert.equal(value.value, read, `Value('${code}').value = ${written}`);
    }
    const byte = new Value<number>('B', 255);
    assert.equal(byte.add(1), 0, 'add returns the wrapped value');
    assert.equal(byte.value, 0);
    assert.equal(byte.add(-1), 255);
    const int = new Value<number>('i', 2 ** 31 - 1);
    assert.equal(int.add(1), -(2 ** 31));
    const big = new Value<bigint>('Q', 2n ** 64n - 1n);
    assert.equal(big.add(2n), 1n);
    const tiny = new Value<number>('b', 0);
    assert.equal(tiny.update(() => 200), -56, 'update returns the value as stored');
    assert.equal(tiny.value, -56);
  });

  test('a number of the wrong kind is ERR_INVALID_ARG and changes nothing', T, () => {
    // non-integer for an integer type
    for (const code of ['b', 'B', 'h', 'H', 'i', 'I'] as Typecode[]) {
      for (const bad of [1.5, NaN, Infinity]) {
        assert.throws(() => new Value(code, bad), { code: 'ERR_INVALID_ARG' }, `Value('${code}', ${bad})`);
      }
    }
    const int = new Value<number>('i', 7);
    assert.throws(() => { int.value = 0.5; }, { code: 'ERR_INVALID_ARG' });
    assert.throws(() => int.add(0.5), { code: 'ERR_INVALID_ARG' });
    assert.throws(() => int.compareExchange(7, 7.5), { code: 'ERR_INVALID_ARG' });
    assert.throws(() => int.update(() => 7.5), { code: 'ERR_INVALID_ARG' });
    assert.throws(() => new Value<number>('i', 1n as unknown as number), { code: 'ERR_INVALID_ARG' }, 'a bigint for int32');
    assert.throws(() => new Value<number>('d', '1' as unknown as number), { code: 'ERR_INVALID_ARG' }, 'a string for float64');
    assert.equal(int.value, 7);

    // a number for a 64-bit integer type
    for (const code of ['q', 'Q', 'l', 'L', 'bigint64', 'biguint64'] as Typecode[]) {
      assert.throws(() => new Value(code, 1 as unknown as bigint), { code: 'ERR_INVALID_ARG' }, `Value('${code}', 1)`);
    }
    const big = new Value<bigint>('q', 3n);
    assert.throws(() => { (big as Value<number | bigint>).value = 3; }, { code: 'ERR_INVALID_ARG' });
    assert.throws(() => (big as Value<number | bigint>).add(1), { code: 'ERR_INVALID_ARG' });
    assert.throws(() => big.update(() => 4 as unknown as bigint), { code: 'ERR_INVALID_ARG' });
    assert.equal(big.value, 3n);
  });

  test('an unknown typecode is ERR_INVALID_ARG naming every valid code', T, () => {
    const valid = ['b', 'B', 'h', 'H', 'i', 'I', 'l', 'L', 'q', 'Q', 'f', 'd',
      'int8', 'uint8', 'int16', 'uint16', 'int32', 'uint32', 'bigint64', 'biguint64', 'float32', 'float64'];
    for (const bad of ['x', 'c', 'u', 'int64', 'Int32', '', undefined, 1]) {
      assert.throws(() => new Value(bad as Typecode), (error: Error & { code?: string }) => {
        assert.equal(error.code, 'ERR_INVALID_ARG');
        for (const code of valid) assert.ok(error.message.includes(`'${code}'`), `the message does not list '${code}': ${error.message}`);
        return true;
      });
    }
  });

  test('add returns the new value; float64 and bigint adds too', T, () => {
    const int = new Value<number>('i', 5);
    assert.equal(int.add(3), 8);
    assert.equal(int.add(-10), -2);
    assert.equal(int.value, -2);
    const dbl = new Value<number>('d', 0.5);
    assert.equal(dbl.add(0.25), 0.75);
    assert.equal(dbl.add(-1), -0.25);
    const big = new Value<bigint>('bigint64', 2n ** 62n);
    assert.equal(big.add(2n ** 62n - 1n), 2n ** 63n - 1n);
  });

  test('compareExchange swaps only when the value is as expected, and returns the value found', T, () => {
    const int = new Value<number>('i', 5);
    assert.equal(int.compareExchange(5, 9), 5);
    assert.equal(int.value, 9);
    assert.equal(int.compareExchange(5, 1), 9);
    assert.equal(int.value, 9, 'a failed compareExchange wrote');
    const big = new Value<bigint>('Q', 10n);
    assert.equal(big.compareExchange(10n, 2n ** 64n - 1n), 10n);
    assert.equal(big.compareExchange(10n, 0n), 2n ** 64n - 1n);
    assert.equal(big.value, 2n ** 64n - 1n);
    const dbl = new Value<number>('d', 0.1);
    assert.equal(dbl.compareExchange(0.1, 0.2), 0.1);
    assert.equal(dbl.value, 0.2);
    assert.equal(dbl.compareExchange(0.1, 0.3), 0.2);
    const flt = new Value<number>('f', 0.1); // stored as fround(0.1); 0.1 compares equal as a float32
    assert.equal(flt.compareExchange(0.1, 2.5), Math.fround(0.1));
    assert.equal(flt.value, 2.5);
  });

  test('update(fn) applies fn to the current value under the value\'s lock, and returns the result', T, () => {
    const value = new Value<number>('i', 20);
    const lock = value.getLock() as RLock;
    const seen: number[] = [];
    assert.equal(value.update((v) => { seen.push(v); assert.equal(lock.statistics().depth, 1, 'fn runs holding the lock'); return v * 2; }), 40);
    assert.deepEqual(seen, [20]);
    assert.equal(value.value, 40);
    assert.equal(lock.locked(), false, 'update left the lock held');
    // the lock is an RLock: update inside a critical section of the same thread
    lock.withLockSync(() => assert.equal(value.update((v) => v + 1), 41));
    // an fn that throws changes nothing and releases the lock
    assert.throws(() => value.update(() => { throw new Error('nope'); }), /nope/);
    assert.equal(value.value, 41);
    assert.equal(lock.locked(), false);
    // without a lock, update still works (a compare-and-swap loop)
    const bare = new Value<number>('d', 1.5, { lock: false });
    assert.equal(bare.update((v) => v * 3), 4.5);
  });

  // _TestValue.test_getobj_getlock
  test('getLock(): a new RLock by default, the lock given, or ERR_NO_LOCK with lock: false', T, () => {
    const a = new Value<number>('i', 0);
    const b = new Value<number>('i', 0, { lock: true });
    assert.ok(a.getLock() instanceof RLock);
    assert.ok(b.getLock() instanceof RLock);
    assert.notEqual(a.getLock(), b.getLock(), 'two Values share a default lock');
    assert.equal(a.getLock(), a.getLock());
    const lock = new Lock();
    assert.equal(new Value<number>('i', 0, { lock }).getLock(), lock);
    const rlock = new RLock();
    assert.equal(new Value<bigint>('q', 0n, { lock: rlock }).getLock(), rlock);
    const bare = new Value<number>('i', 3, { lock: false });
    assert.throws(() => bare.getLock(), { code: 'ERR_NO_LOCK' });
    assert.equal(bare.value, 3);
    for (const bad of ['lock', {}, 1, null]) {
      assert.throws(() => new Value<number>('i', 0, { lock: bad as unknown as boolean }), { code: 'ERR_INVALID_ARG' });
    }
  });

  test('toString() shows the type and the value', T, () => {
    assert.equal(String(new Value<number>('i', 5)), '<Value int32 5>');
    assert.equal(String(new Value<bigint>('Q', 7n)), '<Value biguint64 7n>');
    assert.equal(String(new Value<number>('d', 0.5)), '<Value float64 0.5>');
  });
});

describe('Value across threads', () => {
  // gh-106691 / _TestValue: Python's `v.value += 1` loses updates; add does not
  for (const [code, one, total] of [['i', 1, 40_000], ['q', 1n, 40_000n], ['d', 1, 40_000], ['H', 1, 40_000]] as const) {
    test(`add is atomic: 4 threads × 10 000 adds to a '${code}' Value lose nothing`, T, async () => {
      const value = new Value(code, typeof one === 'bigint' ? 0n : 0) as Value<number> | Value<bigint>;
      const threads = [0, 1, 2, 3].map(() => start(targets.addRepeatedly, [value, 10_000, one]));
      await joinAll(threads);
      assert.equal(value.value, total);
    });
  }

  test('compareExchange loops in 4 threads lose no increment', T, async () => {
    const value = new Value<number>('i', 0);
    const threads = [0, 1, 2, 3].map(() => start(targets.casIncrementRepeatedly, [value, 5_000]));
    await joinAll(threads);
    assert.equal(value.value, 20_000);
  });

  test('update(fn) in 4 threads (with the default lock, and without one) loses nothing', T, async () => {
    for (const lock of [true, false]) {
      const value = new Value<number>('i', 0, { lock });
      const threads = [0, 1, 2, 3].map(() => start(targets.updateRepeatedly, [value, 2_000]));
      await joinAll(threads);
      assert.equal(value.value, 8_000, `lock: ${lock}`);
    }
  });

  // _TestValue + the docs' `with counter.get_lock(): counter.value += 1`
  test('read-modify-write of .value holding getLock() in threads (async and blocking) loses nothing', T, async () => {
    const value = new Value<number>('i', 0);
    const threads = [0, 1, 2].map((i) => start(targets.incrementUnderLock, [value, 2_000, i === 1]));
    await targets.incrementUnderLock(value, 2_000, true);
    await joinAll(threads);
    assert.equal(value.value, 8_000);
  });

  // _TestValue.test_value: the child's writes are the parent's
  test('a Value passed to a thread is the same memory, both ways', T, async () => {
    const value = new Value<number>('i', 5);
    const seen = new Value<number>('i', 0);
    await joinAll([start(targets.swapValue, [value, seen, 7])]);
    assert.equal(seen.value, 5, 'the thread did not see what this thread wrote');
    assert.equal(value.value, 7, 'this thread does not see what the thread wrote');
    const big = new Value<bigint>('Q', 2n ** 64n - 2n);
    const bigSeen = new Value<bigint>('Q', 0n);
    await joinAll([start(targets.swapValue, [big, bigSeen, 3n])]);
    assert.equal(bigSeen.value, 2n ** 64n - 2n);
    assert.equal(big.value, 3n);
  });

  test('a Value passed to a thread keeps its lock: update() there waits while this thread holds it', T, async () => {
    const value = new Value<number>('i', 10);
    const lock = value.getLock();
    await lock.acquire();
    const thread = start(targets.updateRepeatedly, [value, 1]);
    await waitForWaiters(lock, 1, WAIT);
    assert.equal(value.value, 10, 'update ran although this thread held the lock');
    lock.release();
    await joinAll([thread]);
    assert.equal(value.value, 11);
  });
});

describe('Value.updateAsync, in both scopes', () => {
  const SCOPES = [
    ['threading', (initial: number, lock: boolean | 'plain') => new Value<number>('i', initial, { lock: lock === 'plain' ? new Lock() : lock })],
    ['multiprocessing', (initial: number, lock: boolean | 'plain') => new ProcessValue<number>('i', initial, { lock: lock === 'plain' ? new ProcessLock() : lock })],
  ] as const;

  for (const [scope, make] of SCOPES) {
    test(`${scope}: updateAsync(fn) runs an async fn holding the lock, and returns the value stored`, T, async () => {
      const value = make(20, true);
      const lock = value.getLock();
      let heldInside = false;
      const result = await value.updateAsync(async (v) => {
        await new Promise((resolve) => setImmediate(resolve));
        heldInside = lock.locked();
        return v * 2;
      });
      assert.equal(result, 40);
      assert.equal(heldInside, true, 'fn ran without the lock held');
      assert.equal(value.value, 40);
      assert.equal(lock.locked(), false, 'updateAsync left the lock held');
      // a sync fn is fine too, and the result is stored as the type stores it
      const tiny = scope === 'threading' ? new Value<number>('b', 0) : new ProcessValue<number>('b', 0);
      assert.equal(await tiny.updateAsync(() => 200), -56);
      // an fn that rejects changes nothing and releases the lock
      await assert.rejects(value.updateAsync(async () => { throw new Error('nope'); }), /nope/);
      assert.equal(value.value, 40);
      assert.equal(lock.locked(), false);
      await assert.rejects(value.updateAsync(() => 1.5), { code: 'ERR_INVALID_ARG' });
      await assert.rejects(value.updateAsync(undefined as unknown as (v: number) => number), { code: 'ERR_INVALID_ARG' });
      await assert.rejects(value.updateAsync((v) => v, { timeout: -1 }), { code: 'ERR_INVALID_ARG' });
      assert.equal(value.value, 40);
    });

    test(`${scope}: updateAsync waits for the lock without blocking, honours timeout and signal`, T, async () => {
      const value = make(1, 'plain'); // a Lock, not the default RLock, which this thread could re-enter
      const lock = value.getLock();
      await lock.acquire();
      await assert.rejects(value.updateAsync((v) => v + 1, { timeout: 0 }), { name: 'TimeoutError' });
      const reason = new Error('gave up');
      await assert.rejects(value.updateAsync((v) => v + 1, { signal: AbortSignal.abort(reason) }), (e: unknown) => e === reason);
      const controller = new AbortController();
      const aborted = value.updateAsync((v) => v + 100, { signal: controller.signal });
      const waiting = value.updateAsync((v) => v + 1);
      controller.abort(reason);
      await assert.rejects(aborted, (e: unknown) => e === reason);
      assert.equal(value.value, 1, 'an update ran while this thread held the lock');
      lock.release();
      assert.equal(await waiting, 2);
      assert.equal(value.value, 2);
    });

    test(`${scope}: concurrent updateAsync (here and in 3 threads) and update loses nothing, with and without a lock`, T, async () => {
      for (const lock of [true, false]) {
        const value = make(0, lock);
        const threads = [
          start(targets.updateAsyncRepeatedly, [value, 200]),
          start(targets.updateAsyncRepeatedly, [value, 200]),
          start(targets.updateRepeatedly, [value as Value<number>, 200]),
        ];
        await Promise.all([targets.updateAsyncRepeatedly(value, 200), targets.updateAsyncRepeatedly(value, 200)]);
        await joinAll(threads);
        assert.equal(value.value, 1_000, `lock: ${lock}`);
      }
    });
  }

  test('without a lock, getLock() is still ERR_NO_LOCK and updateAsync retries on a changed value', T, async () => {
    const value = new Value<number>('i', 0, { lock: false });
    assert.throws(() => value.getLock(), { code: 'ERR_NO_LOCK' });
    let calls = 0;
    const result = await value.updateAsync(async (v) => {
      calls += 1;
      if (calls === 1) value.value = 10; // another writer gets in while fn runs
      return v + 1;
    });
    assert.equal(result, 11);
    assert.equal(calls, 2, 'fn did not run again on the newer value');
  });
});
