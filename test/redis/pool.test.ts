/**
 * weft/redis Pool with `weft worker` processes started from the CLI:
 * results and remote errors come back (apply, applyAsync, submit, map in
 * chunks, starmap), a module whose copy differs on the worker is refused
 * (ERR_MODULE_MISMATCH), a worker killed mid-task has its task delivered
 * once more to another worker (and, past maxDeliveries, the task fails
 * with BrokenPoolError), and SIGTERM lets the running task finish — or,
 * past the grace period, gives it back without counting the delivery.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, appendFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BrokenPoolError, ErrorCode } from '../../src/errors.js';
import { Event, Pool, startWorker, type RedisScope } from '../../src/redis.js';
import { repoRoot } from '../helpers/programs.js';
import { redisUrl, withScopes } from './helpers.js';
import { startCliWorker, stopAll, type CliWorker } from './pool-workers.js';
import { add, crash, fail, holdUntilReleased, runningPid, square, whoRuns } from './fixtures/pool-tasks.js';

const T = { timeout: 120_000 };

/** Runs `body` with one connection, a pool on it and the workers it starts; every worker is ended afterwards. */
async function withPool(body: (pool: Pool, workers: CliWorker[], namespace: string, scope: RedisScope) => Promise<void>, options: { maxDeliveries?: number } = {}): Promise<void> {
  await withScopes(1, async ([scope], namespace) => {
    const workers: CliWorker[] = [];
    try {
      await body(new Pool('default', { redis: scope!, root: repoRoot, ...options }), workers, namespace, scope!);
    } finally {
      await stopAll(workers);
    }
  });
}

/** Waits for the Event `name` of the namespace to be set (a task's signal). */
async function eventSet(scope: RedisScope, name: string): Promise<void> {
  assert.equal(await new Event(name, { redis: scope }).wait({ timeout: 60_000 }), true, `${name} was never set`);
}

test('results and remote errors come back from a worker started with `weft worker`', T, async () => {
  await withPool(async (pool, workers, namespace) => {
    await startCliWorker(namespace, workers, { processes: 2 });
    assert.equal(await pool.apply(square, [7]), 49);
    assert.equal(await pool.submit(add, 1, 2).result(), 3);
    assert.equal(await pool.applyAsync(add, [2, 3]).get(), 5);
    const items = Array.from({ length: 1000 }, (_, i) => i);
    assert.deepEqual(await pool.map(square, items, { chunksize: 64 }), items.map((i) => i * i));
    assert.deepEqual(await pool.mapAsync(square, [1, 2, 3]).get(), [1, 4, 9]);
    assert.deepEqual(await pool.starmap(add, [[1, 2], [3, 4]]), [3, 7]);
    assert.deepEqual(await pool.map(square, []), []);
    await assert.rejects(pool.apply(fail, ['boom']), (error: Error & { code?: string; detail?: unknown }) => {
      assert.equal(error.constructor.name, 'TaskError');
      assert.ok(error instanceof RangeError);
      assert.equal(error.message, 'boom');
      assert.equal(error.code, 'E_TASK');
      assert.deepEqual(error.detail, { n: 1 });
      assert.match(error.stack!, /pool-tasks\.ts/);
      return true;
    });
    await assert.rejects(pool.map(fail, ['a', 'b'], { chunksize: 1 }), { message: 'a' });
    const future = pool.submit(fail, 'in a future');
    assert.equal((await future.exception())?.message, 'in a future');
    // Tasks run in the worker's own processes, children of the `weft worker` process.
    assert.equal(await pool.apply(whoRuns), workers[0]!.child.pid);
    const stats = await pool.statistics();
    assert.equal(stats.inFlight, 0);
    assert.equal(stats.pending, 0);
  });
});

test('`weft worker --threads`: tasks run in threads of the worker process; a task that ends its thread fails alone', T, async () => {
  await withPool(async (pool, workers, namespace) => {
    const worker = await startCliWorker(namespace, workers, { threads: 2 });
    assert.match(worker.firstLine, /2 thread\(s\)/);
    assert.equal(await pool.apply(square, [9]), 81);
    const items = Array.from({ length: 500 }, (_, i) => i);
    assert.deepEqual(await pool.map(square, items, { chunksize: 50 }), items.map((i) => i * i));
    await assert.rejects(pool.apply(fail, ['in a thread']), { message: 'in a thread', code: 'E_TASK' });
    assert.equal(await pool.apply(runningPid), worker.child.pid);
    await assert.rejects(pool.apply(crash), BrokenPoolError);
    // The worker lives on: its thread was replaced.
    assert.equal(await pool.apply(add, [20, 22]), 42);
    assert.equal(worker.child.exitCode, null);
  });
});

test('a worker refuses processes and threads together', T, async () => {
  await assert.rejects(startWorker({ processes: 1, threads: 1 }), { code: ErrorCode.InvalidArg, message: /processes or threads/ });
  await assert.rejects(startWorker({ threads: 0 }), { code: ErrorCode.InvalidArg });
});

test('bad tasks are refused before they leave: not exported, outside the root, arguments that cannot cross', T, async () => {
  await withPool(async (pool, _workers, _namespace, scope) => {
    const local = (x: number): number => x;
    await assert.rejects(pool.apply(local, [1]), { code: ErrorCode.TargetNotExported });
    const elsewhere = new Pool('default', { redis: scope, root: join(repoRoot, 'src') });
    await assert.rejects(elsewhere.apply(square, [1]), { code: ErrorCode.InvalidArg, message: /outside the pool's root/ });
    await assert.rejects(pool.apply(square, [(() => 1) as unknown as number]), { code: ErrorCode.NotSerializable });
    assert.throws(() => new Pool('bad name!', { redis: scope }), { code: ErrorCode.InvalidArg });
    assert.throws(() => new Pool('p', { redis: scope, maxDeliveries: 0 }), { code: ErrorCode.InvalidArg });
    pool.close();
    await assert.rejects(pool.apply(square, [1]), { code: ErrorCode.PoolNotRunning });
  });
});

test('a worker whose copy of the module differs refuses the task: ERR_MODULE_MISMATCH reaches the caller', T, async () => {
  const otherRoot = mkdtempSync(join(tmpdir(), 'weft-pool-root-'));
  try {
    cpSync(join(repoRoot, 'test/redis/fixtures/pool-tasks.ts'), join(otherRoot, 'test/redis/fixtures/pool-tasks.ts'));
    appendFileSync(join(otherRoot, 'test/redis/fixtures/pool-tasks.ts'), '\n// another version\n');
    await withPool(async (pool, workers, namespace) => {
      await startCliWorker(namespace, workers, { root: otherRoot });
      await assert.rejects(pool.apply(square, [3]), (error: Error & { code?: string }) => {
        assert.equal(error.code, ErrorCode.ModuleMismatch);
        assert.match(error.message, /another version of test\/redis\/fixtures\/pool-tasks\.ts/);
        return true;
      });
      await assert.rejects(pool.submit(square, 3).result(), { code: ErrorCode.ModuleMismatch });
    });
  } finally {
    rmSync(otherRoot, { recursive: true, force: true });
  }
});

test('kill -9 of a worker mid-task: the task is delivered once more, to another worker', T, async () => {
  await withPool(async (pool, workers, namespace, scope) => {
    const first = await startCliWorker(namespace, workers);
    const result = pool.apply(holdUntilReleased, [redisUrl, namespace, 'k']);
    await eventSet(scope, 'started-k');
    first.child.kill('SIGKILL');
    assert.equal(await first.exited(), 'SIGKILL');
    await startCliWorker(namespace, workers);
    assert.equal(await result, 'again');
    assert.equal((await pool.statistics()).pending, 0);
  });
});

test('a task whose worker dies at every delivery fails with BrokenPoolError after maxDeliveries', T, async () => {
  await withPool(async (pool, workers, namespace, scope) => {
    const first = await startCliWorker(namespace, workers);
    const result = pool.apply(holdUntilReleased, [redisUrl, namespace, 'p']);
    await eventSet(scope, 'started-p');
    first.child.kill('SIGKILL');
    await assert.rejects(result, (error: Error) => {
      assert.ok(error instanceof BrokenPoolError);
      assert.match(error.message, /delivered 1 time\(s\)/);
      return true;
    });
    // Nothing was left to deliver: a new worker finds no task.
    const second = await startCliWorker(namespace, workers);
    assert.equal((await pool.statistics()).pending, 0);
    second.child.kill('SIGTERM');
    assert.equal(await second.exited(), 0);
  }, { maxDeliveries: 1 });
});

test('SIGTERM: the worker lets its running task finish, answers it, and exits 0', T, async () => {
  await withPool(async (pool, workers, namespace, scope) => {
    const worker = await startCliWorker(namespace, workers, { grace: 60_000 });
    const result = pool.apply(holdUntilReleased, [redisUrl, namespace, 't']);
    await eventSet(scope, 'started-t');
    worker.child.kill('SIGTERM');
    await new Event('release-t', { redis: scope }).set();
    assert.equal(await result, 'first');
    assert.equal(await worker.exited(), 0);
  });
});

test('SIGTERM past the grace period: the task is given back (not counted as a delivery) and another worker runs it', T, async () => {
  await withPool(async (pool, workers, namespace, scope) => {
    const worker = await startCliWorker(namespace, workers, { grace: 200 });
    const result = pool.apply(holdUntilReleased, [redisUrl, namespace, 'g']);
    await eventSet(scope, 'started-g');
    worker.child.kill('SIGTERM');
    assert.equal(await worker.exited(), 0);
    assert.equal((await pool.statistics()).pending, 1);
    await startCliWorker(namespace, workers);
    assert.equal(await result, 'again');
  }, { maxDeliveries: 1 });
});
