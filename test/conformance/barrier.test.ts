/**
 * Barrier, within one thread and across threads.
 *
 * Ported from CPython: `Lib/test/lock_tests.py` (BarrierTests) and
 * `Lib/test/_test_multiprocessing.py` (_TestBarrier); each test names its
 * source case. Tweaks: the `action` is an exported function found by
 * reference (its tests, test_action and test_abort's action variant, run
 * over both scopes at the end, with parties in threads and, for the
 * process scope, in a child process); parties are known to be waiting through `waitForWaiters` instead of
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
import * as actions from '../fixtures/barrier-action-targets.js';
import {
  Barrier as ProcessBarrier, Event as ProcessEvent, Process, SharedArray as ProcessSharedArray, Value as ProcessValue,
} from '../../src/multiprocessing.js';
import { Event, Value } from '../../src/threading.js';

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

/** Not exported: a Barrier must refuse it as an action. */
function localAction(): void {}

describe('Barrier action, in both scopes', () => {
  interface Scope {
    readonly name: string;
    barrier(parties: number, options?: ConstructorParameters<typeof Barrier>[1]): Barrier | ProcessBarrier;
    value(): Value<number> | ProcessValue<number>;
    array(n: number): SharedArray<number> | ProcessSharedArray<number>;
    event(): Event | ProcessEvent;
  }
  const SCOPES: Scope[] = [
    { name: 'threading', barrier: (p, o) => new Barrier(p, o), value: () => new Value<number>('i', 0), array: (n) => new SharedArray<number>('i', n), event: () => new Event() },
    {
      name: 'multiprocessing',
      barrier: (p, o) => new ProcessBarrier(p, o),
      value: () => new ProcessValue<number>('i', 0),
      array: (n) => new ProcessSharedArray<number>('i', n),
      event: () => new ProcessEvent(),
    },
  ];
  const { Broken: ACTION_BROKEN, ActionError } = actions.ActionOutcome;

  for (const scope of SCOPES) {
    // lock_tests.BarrierTests.test_action
    test(`${scope.name}: the last to arrive runs the action once per round, before anyone is released`, T, async () => {
      const parties = 3;
      const rounds = 5;
      const tally = scope.value();
      const barrier = scope.barrier(parties, { action: actions.countRound });
      const seen = scope.array(parties * rounds);
      const threads = [0, 1].map((slot) => start(actions.passRounds, [barrier, tally, seen, slot, rounds, slot === 0]));
      await actions.passRounds(barrier, tally, seen, 2, rounds, true);
      await joinAll(threads);
      assert.equal(tally.value, rounds, 'the action did not run exactly once per round');
      const all = seen.toArray();
      for (let round = 0; round < rounds; round++) {
        for (let slot = 0; slot < parties; slot++) {
          assert.equal(all[slot * rounds + round], round + 1, `party ${slot} was released in round ${round} before the action ran (or it ran twice)`);
        }
      }
      assert.equal(barrier.broken, false);
    });

    test(`${scope.name}: Barrier(1) runs its action on every wait, sync or async; an async action is awaited`, T, async () => {
      const tally = scope.value();
      actions.useTally(tally);
      const barrier = scope.barrier(1, { action: actions.countRound });
      assert.equal(barrier.waitSync(), 0);
      assert.equal(await barrier.wait(), 0);
      assert.equal(tally.value, 2);
      const later = scope.barrier(1, { action: actions.countRoundAsync });
      assert.equal(await later.wait(), 0);
      assert.equal(tally.value, 3, 'wait() did not await the async action');
    });

    test(`${scope.name}: waitSync() under an async action breaks the barrier with ERR_INVALID_ARG, without calling it`, T, async () => {
      const tally = scope.value();
      actions.useTally(tally);
      const barrier = scope.barrier(2, { action: actions.countRoundAsync });
      const other = barrier.wait();
      await waitForWaiters(barrier, 1, WAIT);
      assert.throws(() => barrier.waitSync(), (error: Error & { code?: string }) => {
        assert.equal(error.code, 'ERR_INVALID_ARG');
        assert.match(error.message, /countRoundAsync.*use wait\(\)/);
        return true;
      });
      await assert.rejects(other, isBroken);
      assert.equal(barrier.broken, true);
      assert.equal(tally.value, 0);
      barrier.reset();
      assertRound(await Promise.all([barrier.wait(), barrier.wait()]), 2);
      assert.equal(tally.value, 1);
    });

    // lock_tests.BarrierTests.test_abort (the failing action), with the last party here and in a thread
    test(`${scope.name}: an action that throws breaks the barrier: the others get BrokenBarrierError, the last to arrive the action's error`, T, async () => {
      const tally = scope.value();
      actions.useTally(tally);
      const barrier = scope.barrier(3, { action: actions.failingAction });
      const results = scope.array(2);
      const threads = [0, 1].map((slot) => start(actions.partyOutcome, [barrier, tally, results, slot, slot === 1]));
      await waitForWaiters(barrier, 2, WAIT);
      await assert.rejects(barrier.wait(WAIT), /action failed/);
      await joinAll(threads);
      assert.deepEqual(results.toArray(), [ACTION_BROKEN, ACTION_BROKEN]);
      assert.equal(barrier.broken, true);
      assert.equal(tally.value, 1);
      assert.throws(() => barrier.waitSync(), isBroken, 'a later wait must fail too');

      // the last party in a thread (blocking wait): it gets the action's error, the others here are broken
      barrier.reset();
      const mine = [barrier.wait(WAIT), barrier.wait(WAIT)];
      await waitForWaiters(barrier, 2, WAIT);
      const last = start(actions.partyOutcome, [barrier, tally, results, 0, false]);
      for (const wait of mine) await assert.rejects(wait, isBroken);
      await joinAll([last]);
      assert.equal(results.get(0), ActionError);
      assert.equal(tally.value, 2);
    });

    test(`${scope.name}: while the action runs, arrivals wait for the next round and nWaiting counts the waiters; abort() then breaks the round`, T, async () => {
      const tally = scope.value();
      actions.useTally(tally);
      const open = scope.event();
      const entered = scope.event();
      actions.useGate(open, entered);
      const barrier = scope.barrier(2, { action: actions.gatedAction });
      const results = scope.array(2);
      const first = start(actions.partyOutcome, [barrier, tally, results, 0, true]);
      await waitForWaiters(barrier, 1, WAIT);
      const mine = barrier.wait(WAIT); // the last: runs the gated action here
      assert.equal(await entered.wait(WAIT), true);
      assert.equal(barrier.nWaiting, 1, 'the party running the action counted as waiting');
      const early = start(actions.partyOutcome, [barrier, tally, results, 1, false]); // arrives while the action runs
      await waitForWaiters(barrier, 2, WAIT);
      assert.equal(barrier.nWaiting, 1, 'an arrival during the action counted in this round');
      open.set();
      assert.equal(await mine, 1);
      await joinAll([first]);
      assert.equal(results.get(0), 1, 'the first party was not released with index 0');
      assert.equal(tally.value, 1);
      // the early arrival waits in the next round; this thread completes it (the action runs again, at once)
      const again = await barrier.wait(WAIT);
      await joinAll([early]);
      assertRound([again, results.get(1) - 1], 2);
      assert.equal(tally.value, 2, 'the early arrival was released without a round of its own');

      // abort() while the action runs: every party of the round is broken, the acting one too
      open.clear();
      entered.clear();
      const waiter = start(actions.partyOutcome, [barrier, tally, results, 0, false]);
      await waitForWaiters(barrier, 1, WAIT);
      const acting = barrier.wait(WAIT);
      assert.equal(await entered.wait(WAIT), true);
      barrier.abort();
      open.set();
      await assert.rejects(acting, isBroken);
      await joinAll([waiter]);
      assert.equal(results.get(0), ACTION_BROKEN);
      assert.equal(barrier.broken, true);
    });

    test(`${scope.name}: a party whose thread dies while running the action breaks the barrier; the others do not wait for their timeouts`, T, async () => {
      const tally = scope.value();
      actions.useTally(tally);
      const barrier = scope.barrier(2, { action: actions.dyingAction });
      const mine = barrier.wait({ timeout: 60_000 });
      await waitForWaiters(barrier, 1, WAIT);
      const results = scope.array(1);
      const last = start(actions.partyOutcome, [barrier, tally, results, 0, true]); // arrives last: runs the action, and ends
      await assert.rejects(mine, isBroken);
      assert.equal(await last.join(WAIT), true);
      assert.equal(tally.value, 1, 'the action ran once');
      assert.equal(barrier.broken, true);
    });

    test(`${scope.name}: an action that is not exported is ERR_TARGET_NOT_EXPORTED at construction; a non-function is ERR_INVALID_ARG`, T, () => {
      assert.throws(() => scope.barrier(2, { action: localAction }), (error: Error & { code?: string }) => {
        assert.equal(error.code, 'ERR_TARGET_NOT_EXPORTED');
        assert.match(error.message, /the Barrier action "localAction"/);
        assert.match(error.message, /export function localAction/);
        return true;
      });
      assert.throws(() => scope.barrier(2, { action: () => 1 }), { code: 'ERR_TARGET_NOT_EXPORTED' });
      assert.throws(() => scope.barrier(2, { action: 'countRound' as unknown as () => void }), { code: 'ERR_INVALID_ARG' });
    });
  }

  test('multiprocessing: the last party in a child process runs the action there, before this process is released', T, async () => {
    const tally = new ProcessValue<number>('i', 0);
    const barrier = new ProcessBarrier(2, { action: actions.countRound });
    const seen = new ProcessSharedArray<number>('i', 4);
    const mine = actions.passRounds(barrier, tally, seen, 0, 2, true);
    await waitForWaiters(barrier, 1, WAIT);
    const child = new Process({ target: actions.passRounds, args: [barrier, tally, seen, 1, 2, false] });
    child.start();
    await mine;
    assert.equal(await child.join(WAIT), true);
    assert.equal(child.exitcode, 0, String(child.error?.stack));
    assert.deepEqual(seen.toArray(), [1, 2, 1, 2]);
    assert.equal(tally.value, 2);
  });
});
