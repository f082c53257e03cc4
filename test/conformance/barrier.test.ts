/**
 * Barrier, within one thread and across threads.
 *
 * Ported from CPython: `Lib/test/lock_tests.py` (BarrierTests) and
 * `Lib/test/_test_multiprocessing.py` (_TestBarrier); each test names its
 * source case. Tweaks: Python's `action` callback is not offered (see
 * `src/sync/barrier.ts`), so test_action and its relatives are left out;
 * parties are known to be waiting through `waitForWaiters` instead of
 * CPython's sleeps; `Barrier(0)` and negative timeouts are ERR_INVALID_ARG
 * (Python: ValueError, or accepted); weft adds cancellation through an
 * AbortSignal, which withdraws the party.
 *
 * The CPython tests ported here are © Python Software Foundation, under the
 * PSF License Agreement (https://docs.python.org/3/license.html); these are
 * rewrites against weft's API, not copies.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Barrier, BrokenBarrierError, SharedArray, Thread } from '../../src/threading.js';
import { RuntimeError } from '../../src/errors.js';
import { waitForWaiters } from '../../src/testing/index.js';
import { checkNoThreadsLeft } from '../helpers/leaks.js';
import { joinAll, start } from '../helpers/threads.js';
import * as targets from '../fixtures/sync-targets.js';

const T = { timeout: 60_000 };
const WAIT = { timeout: 20_000 };
const { Broken } = targets.Outcome;
checkNoThreadsLeft();


const isBroken = (error: unknown): boolean => error instanceof BrokenBarrierError;

/** The indices one round handed out must be 0..n-1, each once. */
function assertRound(indices: number[], parties: number, round?: number): void {
  const where = round === undefined ? '' : ` in round ${round}`;
  assert.deepEqual([...indices].sort((a, b) => a - b), Array.from({ length: parties }, (_, i) => i), `indices ${indices.join(',')}${where}`);
}

describe('Barrier within one thread', () => {
  // lock_tests.BarrierTests.test_single_thread
  test('Barrier(1).wait() never blocks and always returns 0', T, async () => {
    const barrier = new Barrier(1);
    for (let i = 0; i < 3; i++) {
      assert.equal(barrier.waitSync(), 0);
      assert.equal(await barrier.wait(), 0);
      assert.equal(barrier.waitSync({ timeout: 0 }), 0);
    }
    assert.equal(barrier.nWaiting, 0);
    assert.equal(barrier.broken, false);
  });

  // lock_tests.BarrierTests.test_constructor; _test_multiprocessing accepts Barrier(0), weft does not
  test('parties must be a whole number >= 1, and timeouts finite and >= 0', T, async () => {
    for (const bad of [0, -1, 1.5, NaN, Infinity]) {
      assert.throws(() => new Barrier(bad), { code: 'ERR_INVALID_ARG' }, `Barrier(${bad})`);
    }
    for (const timeout of [-1, NaN, Infinity]) {
      assert.throws(() => new Barrier(2, { timeout }), { code: 'ERR_INVALID_ARG' }, `Barrier(2, { timeout: ${timeout} })`);
    }
    const barrier = new Barrier(2);
    for (const timeout of [-1, -0.5, NaN]) {
      await assert.rejects(barrier.wait({ timeout }), { code: 'ERR_INVALID_ARG' });
      assert.throws(() => barrier.waitSync({ timeout }), { code: 'ERR_INVALID_ARG' });
    }
    assert.equal(barrier.nWaiting, 0, 'a refused wait counted as a party');
    assert.equal(barrier.broken, false, 'a refused wait broke the barrier');
  });

  // lock_tests.BarrierTests.test_repr, and the parties / n_waiting / broken properties
  test('parties, nWaiting, broken, statistics() and toString()', T, async () => {
    const barrier = new Barrier(3);
    assert.equal(barrier.parties, 3);
    assert.equal(barrier.nWaiting, 0);
    assert.equal(barrier.broken, false);
    assert.equal(String(barrier), '<Barrier parties=3 waiting=0>');
    const first = barrier.wait();
    const second = barrier.wait();
    assert.equal(barrier.nWaiting, 2);
    assert.deepEqual({ ...barrier.statistics() }, { parties: 3, nWaiting: 2, broken: false, waiting: 2 });
    assert.equal(String(barrier), '<Barrier parties=3 waiting=2>');
    barrier.abort();
    assert.equal(barrier.broken, true);
    assert.equal(String(barrier), '<Barrier parties=3 waiting=0 broken>');
    await assert.rejects(first, isBroken);
    await assert.rejects(second, isBroken);
    assert.ok(Object.isFrozen(barrier.statistics()));
  });

  test('BrokenBarrierError is a RuntimeError named BrokenBarrierError', T, async () => {
    const barrier = new Barrier(2);
    barrier.abort();
    await assert.rejects(barrier.wait(), (error: unknown) => {
      assert.ok(error instanceof BrokenBarrierError);
      assert.ok(error instanceof RuntimeError);
      assert.equal((error as Error).name, 'BrokenBarrierError');
      return true;
    });
  });

  // lock_tests.BarrierTests.test_wait_return and test_barrier (cyclic), with async parties
  test('each round hands out 0..parties-1, the first arrival getting 0, over several rounds', T, async () => {
    const barrier = new Barrier(3);
    for (let round = 0; round < 4; round++) {
      const waits = [barrier.wait(), barrier.wait(), barrier.wait()];
      assert.deepEqual(await Promise.all(waits), [0, 1, 2], `round ${round}`);
      assert.equal(barrier.nWaiting, 0);
    }
    assert.equal(barrier.broken, false);
  });

  // lock_tests.BarrierTests.test_abort
  test('abort() breaks the barrier for the parties waiting and for later waits', T, async () => {
    const barrier = new Barrier(3);
    const waits = [barrier.wait(), barrier.wait()];
    barrier.abort();
    for (const wait of waits) await assert.rejects(wait, isBroken);
    assert.equal(barrier.broken, true);
    assert.equal(barrier.nWaiting, 0);
    await assert.rejects(barrier.wait(), isBroken);
    assert.throws(() => barrier.waitSync(), isBroken);
    assert.equal(barrier.broken, true);
    // lock_tests.BarrierTests.test_abort_and_reset: reset() makes it usable again
    barrier.reset();
    assert.equal(barrier.broken, false);
    assertRound(await Promise.all([barrier.wait(), barrier.wait(), barrier.wait()]), 3);
  });

  // lock_tests.BarrierTests.test_reset
  test('reset() while parties wait breaks their waits; then the barrier works again', T, async () => {
    const barrier = new Barrier(3);
    const waits = [barrier.wait(), barrier.wait()];
    assert.equal(barrier.nWaiting, 2);
    barrier.reset();
    for (const wait of waits) await assert.rejects(wait, isBroken);
    assert.equal(barrier.broken, false, 'reset() left the barrier broken');
    assert.equal(barrier.nWaiting, 0);
    assertRound(await Promise.all([barrier.wait(), barrier.wait(), barrier.wait()]), 3);
    // reset() with nobody waiting is harmless
    barrier.reset();
    assertRound(await Promise.all([barrier.wait(), barrier.wait(), barrier.wait()]), 3);
  });

  // lock_tests.BarrierTests.test_timeout
  test('a wait that times out breaks the barrier for everyone', T, async () => {
    const barrier = new Barrier(3);
    const patient = barrier.wait();
    let started = performance.now();
    await assert.rejects(barrier.wait({ timeout: 100 }), isBroken);
    assert.ok(performance.now() - started >= 60, 'the async wait timed out too early');
    await assert.rejects(patient, isBroken);
    assert.equal(barrier.broken, true);

    barrier.reset();
    const patient2 = barrier.wait();
    started = performance.now();
    assert.throws(() => barrier.waitSync({ timeout: 100 }), isBroken);
    assert.ok(performance.now() - started >= 60, 'the blocking wait timed out too early');
    await assert.rejects(patient2, isBroken);
    assert.equal(barrier.broken, true);

    // Python: a wait(0) that does not trip the barrier breaks it at once.
    barrier.reset();
    await assert.rejects(barrier.wait({ timeout: 0 }), isBroken);
    assert.equal(barrier.broken, true);
  });

  // lock_tests.BarrierTests.test_default_timeout
  test('the constructor\'s default timeout breaks the barrier; a wait\'s own timeout overrides it', T, async () => {
    const barrier = new Barrier(2, { timeout: 100 });
    const started = performance.now();
    assert.throws(() => barrier.waitSync(), isBroken);
    assert.ok(performance.now() - started >= 60, 'the default timeout ran out too early');
    assert.equal(barrier.broken, true);
    barrier.reset();
    // A longer timeout of its own keeps a wait beyond the default.
    const patient = barrier.wait({ timeout: 10_000 });
    const companion = new Promise<number>((resolve, reject) => {
      setTimeout(() => barrier.wait().then(resolve, reject), 300);
    });
    assertRound(await Promise.all([patient, companion]), 2);
    assert.equal(barrier.broken, false);
  });

  test('an aborted wait rejects with the reason and withdraws its party', T, async () => {
    const barrier = new Barrier(3);
    const controller = new AbortController();
    const withdrawn = barrier.wait({ signal: controller.signal });
    const staying = barrier.wait();
    assert.equal(barrier.nWaiting, 2);
    const reason = new Error('not coming');
    controller.abort(reason);
    await assert.rejects(withdrawn, (error: unknown) => error === reason);
    assert.equal(barrier.nWaiting, 1, 'the aborted party still counts');
    assert.equal(barrier.broken, false, 'an abort broke the barrier');
    const late = [barrier.wait(), barrier.wait()];
    assert.equal(barrier.nWaiting, 0, 'the barrier did not trip with the right number of parties');
    assertRound(await Promise.all([staying, ...late]), 3);
    // An already aborted signal rejects without arriving.
    await assert.rejects(barrier.wait({ signal: AbortSignal.abort(reason) }), (error: unknown) => error === reason);
    assert.equal(barrier.nWaiting, 0);
  });
});

describe('Barrier across threads', () => {
  // lock_tests.BarrierTests.test_barrier / test_wait_return, _TestBarrier.test_thousand (scaled down)
  test('threads and this thread pass it together round after round, with distinct indices', T, async () => {
    const parties = 4;
    const rounds = 10;
    const barrier = new Barrier(parties);
    const indices = new SharedArray('i', parties * rounds);
    const threads = [0, 1, 2].map((slot) => start(targets.passBarrier, [barrier, indices, slot, rounds, slot === 1]));
    await targets.passBarrier(barrier, indices, 3, rounds, true);
    await joinAll(threads);
    const all = indices.toArray();
    for (let round = 0; round < rounds; round++) {
      assertRound([0, 1, 2, 3].map((slot) => all[slot * rounds + round]), parties, round);
    }
    assert.equal(barrier.nWaiting, 0);
    assert.equal(barrier.broken, false);
  });

  test('nWaiting counts the threads waiting', T, async () => {
    const barrier = new Barrier(3);
    const results = new SharedArray('i', 2);
    const threads = [
      start(targets.waitBarrierOutcome, [barrier, results, 0, false]),
      start(targets.waitBarrierOutcome, [barrier, results, 1, true]),
    ];
    await waitForWaiters(barrier, 2, WAIT);
    assert.equal(barrier.nWaiting, 2);
    assert.equal(await barrier.wait(WAIT), 2, 'the last to arrive gets parties - 1');
    await joinAll(threads);
    assert.deepEqual([...results.toArray()].sort(), [10, 11]);
  });

  // lock_tests.BarrierTests.test_abort, test_abort_and_reset
  test('abort() breaks the waits of blocked threads; after reset() the threads pass it', T, async () => {
    const barrier = new Barrier(3);
    const results = new SharedArray('i', 2);
    let threads = [
      start(targets.waitBarrierOutcome, [barrier, results, 0, false]),
      start(targets.waitBarrierOutcome, [barrier, results, 1, true]),
    ];
    await waitForWaiters(barrier, 2, WAIT);
    barrier.abort();
    await joinAll(threads);
    assert.deepEqual(results.toArray(), [Broken, Broken]);
    assert.throws(() => barrier.waitSync(), isBroken, 'a later wait must fail too');

    barrier.reset();
    threads = [
      start(targets.waitBarrierOutcome, [barrier, results, 0, true]),
      start(targets.waitBarrierOutcome, [barrier, results, 1, false]),
    ];
    await waitForWaiters(barrier, 2, WAIT);
    const mine = await barrier.wait(WAIT);
    await joinAll(threads);
    assertRound([mine, ...results.toArray().map((r) => r - 10)], 3);
  });

  // lock_tests.BarrierTests.test_reset
  test('reset() while threads wait breaks their waits; the next round passes', T, async () => {
    const barrier = new Barrier(3);
    const results = new SharedArray('i', 2);
    let threads = [
      start(targets.waitBarrierOutcome, [barrier, results, 0, true]),
      start(targets.waitBarrierOutcome, [barrier, results, 1, false]),
    ];
    await waitForWaiters(barrier, 2, WAIT);
    barrier.reset();
    await joinAll(threads);
    assert.deepEqual(results.toArray(), [Broken, Broken]);
    assert.equal(barrier.broken, false);

    threads = [
      start(targets.waitBarrierOutcome, [barrier, results, 0, true]),
      start(targets.waitBarrierOutcome, [barrier, results, 1, false]),
    ];
    await waitForWaiters(barrier, 2, WAIT);
    const mine = barrier.waitSync(WAIT);
    await joinAll(threads);
    assertRound([mine, ...results.toArray().map((r) => r - 10)], 3);
  });

  // lock_tests.BarrierTests.test_timeout
  test('a wait that times out in one thread breaks the waits of the others', T, async () => {
    const barrier = new Barrier(4);
    const results = new SharedArray('i', 3);
    const threads = [
      start(targets.waitBarrierOutcome, [barrier, results, 0, false]),
      start(targets.waitBarrierOutcome, [barrier, results, 1, true]),
    ];
    await waitForWaiters(barrier, 2, WAIT);
    threads.push(start(targets.waitBarrierOutcome, [barrier, results, 2, false, 100]));
    await joinAll(threads);
    assert.deepEqual(results.toArray(), [Broken, Broken, Broken]);
    assert.equal(barrier.broken, true);
  });

  // lock_tests.BarrierTests.test_default_timeout
  test('the default timeout breaks the barrier for threads waiting without a timeout of their own', T, async () => {
    const barrier = new Barrier(3, { timeout: 150 });
    const results = new SharedArray('i', 2);
    const threads = [
      start(targets.waitBarrierOutcome, [barrier, results, 0, false, 'default']),
      start(targets.waitBarrierOutcome, [barrier, results, 1, true, 'default']),
    ];
    await joinAll(threads);
    assert.deepEqual(results.toArray(), [Broken, Broken]);
    assert.equal(barrier.broken, true);
  });

  test('an aborted wait in this thread withdraws its party; the threads trip it with the right count', T, async () => {
    const barrier = new Barrier(3);
    const results = new SharedArray('i', 2);
    const controller = new AbortController();
    const withdrawn = barrier.wait({ signal: controller.signal }); // arrives first: index 0
    const first = start(targets.waitBarrierOutcome, [barrier, results, 0, false]);
    await waitForWaiters(barrier, 2, WAIT);
    assert.equal(barrier.nWaiting, 2);
    const reason = new Error('withdrawn');
    controller.abort(reason);
    await assert.rejects(withdrawn, (error: unknown) => error === reason);
    assert.equal(barrier.nWaiting, 1);
    assert.equal(barrier.broken, false);

    const second = start(targets.waitBarrierOutcome, [barrier, results, 1, true]);
    await waitForWaiters(barrier, 2, WAIT);
    assert.equal(barrier.nWaiting, 2);
    const mine = await barrier.wait(WAIT);
    await joinAll([first, second]);
    assertRound([mine, ...results.toArray().map((r) => r - 10)], 3);
    assert.equal(barrier.nWaiting, 0);
  });
});
