/**
 * Mutual exclusion under every way of waiting at once: blocking and async
 * acquires, timeouts, aborts and tryAcquire, from four threads and the main
 * thread. Run several times: a race shows up as a violation, a hang or a
 * lock left held.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Lock, RLock, SharedArray, Thread, Value } from '../../src/threading.js';
import { checkNoThreadsLeft } from '../helpers/leaks.js';
import * as targets from '../fixtures/targets.js';

checkNoThreadsLeft();

for (const [name, make] of [['Lock', () => new Lock()], ['RLock', () => new RLock()]] as const) {
  for (let run = 1; run <= 3; run++) {
    test(`${name} stays exclusive under mixed waits, aborts and timeouts (run ${run})`, { timeout: 120_000 }, async () => {
      const lock = make();
      const inside = new Value('i', 0, { lock: false });
      const stats = new SharedArray('i', 4);
      const rounds = 1500;
      const threads = [1, 2, 3, 4].map((seed) => new Thread({ target: targets.stressLock, args: [lock, inside, stats, rounds, seed * 7919 + run] }));
      threads.forEach((t) => t.start());
      await targets.stressLock(lock, inside, stats, rounds, run);
      await Promise.all(threads.map((t) => t.join()));
      const [violations, entered, timeouts, aborts] = stats.toArray();
      assert.equal(violations, 0, 'two holders at once');
      assert.equal(entered + timeouts + aborts, rounds * 5, `entered ${entered}, timed out ${timeouts}, aborted ${aborts}`);
      assert.ok(entered > rounds, 'the stress mostly acquired');
      assert.equal(lock.locked(), false);
      assert.equal(lock.statistics().waiting, 0);
      assert.equal(lock.tryAcquire(), true);
      lock.release();
      for (const t of threads) assert.equal(t.error, undefined);
    });
  }
}
