/**
 * Pool and ThreadPool: Python's multiprocessing.Pool contract, and what
 * weft adds (worker death, per-task timeout from start, AbortSignal,
 * statistics) — one suite, run over worker processes and worker threads.
 * Tasks block on process-scope Events the test sets, never on sleeps.
 */
import { after as afterAll, afterEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { BrokenPoolError, CancelledError, TimeoutError } from '../../src/index.js';
import { Event, Pool, ThreadPool, activeChildren, type PoolOptions } from '../../src/multiprocessing.js';
import {
  Barrier,
  Condition,
  Event as ThreadEvent,
  Lock,
  RLock,
  Semaphore,
  SharedArray,
  Value,
  activeThreads,
  currentThread,
} from '../../src/threading.js';
import { LifoQueue, PriorityQueue, Queue, SimpleQueue } from '../../src/queue.js';
import * as tasks from '../fixtures/pool-tasks.js';

const T = { timeout: 30_000 };

type AnyPool = Pool | ThreadPool;
const kinds: [string, (options?: PoolOptions) => AnyPool, 'pid' | 'threadId'][] = [
  ['ThreadPool', (options) => new ThreadPool(options), 'threadId'],
  ['Pool', (options) => new Pool(options), 'pid'],
];

const open = new Set<AnyPool>();
afterEach(async () => {
  for (const pool of open) await pool.terminate();
  open.clear();
  const threads = activeThreads().filter((t) => t !== currentThread());
  await Promise.all(threads.map((t) => t.join({ timeout: 5000 })));
  assert.deepEqual(activeThreads().filter((t) => t !== currentThread()).map((t) => t.name), [], 'threads left after the test');
  const children = activeChildren();
  await Promise.all(children.map((child) => child.join({ timeout: 5000 })));
  assert.deepEqual(activeChildren().map((child) => child.name), [], 'processes left after the test');
});

for (const [kind, make, idKey] of kinds) {
  const pool = (options?: PoolOptions): AnyPool => {
    const made = make({ processes: 2, ...options });
    open.add(made);
    return made;
  };

  describe(kind, () => {
    test('apply, applyAsync with callback, map in order, starmap, mapAsync', T, async () => {
      const p = pool();
      assert.equal(await p.apply(tasks.add, [1, 2]), 3);
      const seen: number[] = [];
      const result = p.applyAsync(tasks.square, [7], { callback: (value) => seen.push(value) });
      assert.equal(await result.get(), 49);
      assert.equal(result.ready(), true);
      assert.equal(result.successful(), true);
      assert.deepEqual(seen, [49]);
      const items = Array.from({ length: 100 }, (_, i) => i);
      assert.deepEqual(await p.map(tasks.square, items), items.map((x) => x * x));
      assert.deepEqual(await p.map(tasks.square, items, { chunksize: 7 }), items.map((x) => x * x));
      assert.deepEqual(await p.map(tasks.asyncSquare, [1, 2, 3], { chunksize: 2 }), [1, 4, 9]);
      assert.deepEqual(await p.map(tasks.square, []), []);
      assert.deepEqual(await p.starmap(tasks.add, [[1, 2], [3, 4], [5, 6]], { chunksize: 2 }), [3, 7, 11]);
      let all: number[] | undefined;
      await p.mapAsync(tasks.square, new Set([2, 3]), { callback: (values) => (all = values) }).wait();
      assert.deepEqual(all, [4, 9]);
    });

    test('a burst of 5,000 tasks submitted at once all complete, in any interleaving', T, async () => {
      const p = pool();
      const results = await Promise.all(Array.from({ length: 5000 }, (_, i) => p.applyAsync(tasks.add, [i, 1]).get()));
      assert.deepEqual(results, Array.from({ length: 5000 }, (_, i) => i + 1));
      assert.equal(p.statistics().completed, 5000);
    });

    test('values cross by copy: objects, Maps, typed arrays, bigint', T, async () => {
      const p = pool();
      const value = { a: [1, 'two', { three: 3n }], m: new Map([[1, new Set(['x'])]]), bytes: new Uint8Array([1, 2, 3]), when: new Date(0) };
      assert.deepEqual(await p.apply(tasks.echo, [value]), value);
      const big = 'x'.repeat(3 << 20);
      assert.equal(await p.apply(tasks.echo, [big]), big, 'a result larger than the channel passes through');
    });

    test('imap yields in input order, imapUnordered in completion order', T, async () => {
      const p = pool();
      const gate = new Event();
      const order: string[] = [];
      for await (const value of p.imapUnordered(tasks.gated, [[gate, 'slow'], [null, 'fast']])) {
        order.push(value);
        gate.set();
      }
      assert.deepEqual(order, ['fast', 'slow']);

      const ordered: number[] = [];
      for await (const value of p.imap(tasks.asyncSquare, [3, 1, 2])) ordered.push(value);
      assert.deepEqual(ordered, [9, 1, 4]);
      const chunked: number[] = [];
      for await (const value of p.imap(tasks.square, [1, 2, 3, 4, 5], { chunksize: 2 })) chunked.push(value);
      assert.deepEqual(chunked, [1, 4, 9, 16, 25]);
    });

    test('imap reads an endless input lazily and stops reading when the loop stops', T, async () => {
      const p = pool();
      let pulled = 0;
      function* naturals(): Generator<number> {
        for (let n = 0; ; n++) {
          pulled += 1;
          yield n;
        }
      }
      const got: number[] = [];
      for await (const value of p.imap(tasks.square, naturals())) {
        got.push(value);
        if (got.length === 10) break;
      }
      assert.deepEqual(got, [0, 1, 4, 9, 16, 25, 36, 49, 64, 81]);
      assert.ok(pulled < 100, `read ${pulled} items ahead: the read-ahead must be bounded`);
    });

    test('a task error keeps its class name, message, code, cause, own properties and both stacks', T, async () => {
      const p = pool();
      let error = new Error('no error') as Error & { code: string; extra: unknown };
      try {
        await p.apply(tasks.fail, ['it broke']);
      } catch (thrown) {
        error = thrown as typeof error;
      }
      assert.equal(error.name, 'TaskError');
      assert.ok(error instanceof RangeError, 'the nearest built-in class survives');
      assert.equal(error.message, 'it broke');
      assert.equal(error.code, 'E_TASK');
      assert.deepEqual(error.extra, { detail: [1, 2] });
      assert.equal((error.cause as Error).message, 'the root cause');
      assert.match(error.stack ?? '', /at fail .*pool-tasks\.ts/, 'the worker\'s frames');
      assert.match(error.stack ?? '', /awaited in the submitting thread[\s\S]*pool\.test\.ts/, 'the caller\'s frames');
      assert.doesNotMatch(error.stack ?? '', /worker-main/, 'not weft\'s own worker frames');
      const viaMap = await p.map(tasks.fail, ['in map']).catch((e: Error) => e);
      assert.equal((viaMap as Error).message, 'in map');
    });

    test('a task that is not exported fails with ERR_TARGET_NOT_EXPORTED; a bound function at once', T, async () => {
      const p = pool();
      await assert.rejects(p.apply(tasks.hidden.notExported), { code: 'ERR_TARGET_NOT_EXPORTED' });
      assert.throws(() => p.applyAsync(tasks.add.bind(null, 1) as never), { code: 'ERR_TARGET_NOT_EXPORTED' });
      assert.equal(await p.apply(tasks.add, [2, 2]), 4, 'the pool goes on');
    });

    test('a worker that exits mid-task fails exactly that task with BrokenPoolError, and is replaced', T, async () => {
      const p = pool({ processes: 1 });
      // All three reach the one worker together: the first ends, the second kills it, the third has not started.
      const first = p.apply(tasks.add, [1, 1]);
      const dying = p.apply(tasks.exitWith, [3]).then(() => assert.fail('no error'), (e: unknown) => e as BrokenPoolError);
      const queued = p.apply(tasks.add, [20, 22]);
      assert.equal(await first, 2);
      const error = await dying;
      assert.ok(error instanceof BrokenPoolError);
      assert.equal(error.exitCode, 3);
      assert.match(error.message, /exited with code 3/);
      assert.equal(await queued, 42, 'the task queued behind it ran on the replacement');
      assert.equal(p.statistics().workers, 1);
    });

    if (kind === 'Pool') {
      test('a worker killed by a signal: BrokenPoolError with the signal name', T, async () => {
        const p = pool({ processes: 1 });
        const error = await p.apply(tasks.killSelf).then(() => assert.fail('no error'), (e: unknown) => e as BrokenPoolError);
        assert.ok(error instanceof BrokenPoolError);
        assert.equal(error.signal, 'SIGKILL');
        assert.equal(error.exitCode, null);
        assert.equal(await p.apply(tasks.add, [1, 1]), 2);
      });
    }

    test('timeout counts from the task\'s start, not from submit', T, async () => {
      const p = pool({ processes: 1 });
      const gate = new Event();
      const blocker = p.apply(tasks.after, [gate, 'done']);
      // Queued behind the blocker for longer than its timeout: it must still succeed.
      const patient = p.apply(tasks.square, [5], { timeout: 200 });
      await new Promise((resolve) => setTimeout(resolve, 400));
      gate.set();
      assert.equal(await blocker, 'done');
      assert.equal(await patient, 25);
    });

    test('a task past its timeout rejects with TimeoutError; a stuck worker is replaced after the grace period', T, async () => {
      const p = pool({ processes: 1, gracePeriod: 100 });
      // The task spins for longer than this test may run (T): the test ends in
      // time only if the caller did not wait for the task and the pool's one
      // worker, stuck in it, was replaced by a fresh one that serves.
      await assert.rejects(p.apply(tasks.spin, [10 * 60_000], { timeout: 50 }), (error: unknown) => {
        assert.ok(error instanceof TimeoutError);
        assert.match((error as Error).message, /timeout of 50 ms/);
        return true;
      });
      assert.equal(await p.apply(tasks.add, [1, 2]), 3, 'a fresh worker serves');
    });

    test('a running task sees its AbortSignal; a pending one is dropped and never runs', T, async () => {
      const p = pool({ processes: 1 });
      const started = new Event();
      const controller = new AbortController();
      const running = p.apply(tasks.untilAborted, [started], { signal: controller.signal });
      const ran = new Event();
      const pendingController = new AbortController();
      const pending = p.apply(tasks.markRan, [ran], { signal: pendingController.signal });
      pendingController.abort(new Error('not wanted'));
      await assert.rejects(pending, /not wanted/);
      await started.wait();
      controller.abort(new Error('stop now'));
      await assert.rejects(running, /stop now/);
      assert.equal(await p.apply(tasks.add, [2, 3]), 5);
      assert.equal(ran.isSet(), false, 'the dropped task never ran');
      const already = AbortSignal.abort(new Error('too late'));
      await assert.rejects(p.apply(tasks.add, [1, 1], { signal: already }), /too late/);
    });

    test('initializer runs once per worker with initargs; a failing one breaks the pool with BrokenPoolError', T, async () => {
      const p = pool({ initializer: tasks.initialize, initargs: [{ configured: true }] });
      assert.deepEqual(await p.apply(tasks.readInitialized), { configured: true });
      const broken = pool({ processes: 1, initializer: tasks.failingInitializer });
      const error = await broken.apply(tasks.add, [1, 1]).then(() => assert.fail('no error'), (e: unknown) => e as BrokenPoolError);
      assert.ok(error instanceof BrokenPoolError);
      assert.match((error.cause as Error).message, /initializer refused/);
      assert.throws(() => broken.applyAsync(tasks.add, [1, 1]), BrokenPoolError);
    });

    test('maxTasksPerChild replaces each worker after that many tasks', T, async () => {
      const p = pool({ processes: 1, maxTasksPerChild: 2 });
      const reports = [];
      for (let i = 0; i < 6; i++) reports.push(await p.apply(tasks.countCalls));
      assert.deepEqual(reports.map((r) => r.calls), [1, 2, 1, 2, 1, 2]);
      assert.equal(new Set(reports.map((r) => r[idKey])).size, 3, 'three workers served');
    });

    test('workers have Python\'s names', T, async () => {
      const p = pool({ processes: 1 });
      const me = await p.apply(tasks.whoAmI);
      if (kind === 'Pool') assert.match(me.process, /^SpawnPoolWorker-\d+$/);
      else assert.match(me.thread, /^Thread-\d+ \(worker\)$/);
    });

    test('close, join, and misuse: ERR_POOL_NOT_RUNNING, ERR_STILL_RUNNING, ERR_INVALID_ARG', T, async () => {
      for (const bad of [0, -1, 1.5, '2']) assert.throws(() => make({ processes: bad as number }), { code: 'ERR_INVALID_ARG' });
      assert.throws(() => make({ maxTasksPerChild: 0 }), { code: 'ERR_INVALID_ARG' });
      const p = pool();
      await assert.rejects(p.map(tasks.square, [1], { chunksize: 0 }), { code: 'ERR_INVALID_ARG' });
      await assert.rejects(p.apply(tasks.add, [1, 1], { timeout: -1 }), { code: 'ERR_INVALID_ARG' });
      await assert.rejects(p.join(), { code: 'ERR_STILL_RUNNING' });
      const last = p.apply(tasks.add, [1, 1]);
      p.close();
      assert.throws(() => p.applyAsync(tasks.add, [1, 1]), { code: 'ERR_POOL_NOT_RUNNING' });
      await assert.rejects(p.map(tasks.square, [1]), { code: 'ERR_POOL_NOT_RUNNING' });
      assert.equal(await last, 2, 'work submitted before close() finishes');
      await p.join();
      assert.equal(p.statistics().workers, 0);
    });

    test('a function cannot be a task argument: ERR_NOT_SERIALIZABLE from the submitting call', T, async () => {
      const p = pool();
      assert.throws(() => p.applyAsync(tasks.echo, [() => 1]), { code: 'ERR_NOT_SERIALIZABLE' });
      assert.throws(() => p.applyAsync(tasks.echo, [{ nested: [Symbol('x')] }]), { code: 'ERR_NOT_SERIALIZABLE' });
    });

    test('terminate fails pending work with CancelledError; asyncDispose terminates', T, async () => {
      const p = pool({ processes: 1 });
      const gate = new Event();
      const running = p.apply(tasks.after, [gate, 'never']).catch((error: unknown) => error);
      const queued = p.apply(tasks.add, [1, 1]).catch((error: unknown) => error);
      await p.terminate();
      assert.ok((await running) instanceof CancelledError);
      assert.ok((await queued) instanceof CancelledError);
      assert.equal(p.statistics().workers, 0);
      {
        await using disposable = make({ processes: 1 });
        assert.equal(await disposable.apply(tasks.add, [2, 2]), 4);
      }
    });

    test('statistics: workers, busy, queued, completed, failed, run and wait percentiles', T, async () => {
      const p = pool({ processes: 2 });
      await p.map(tasks.square, [1, 2, 3, 4], { chunksize: 1 });
      await p.apply(tasks.fail, ['x']).catch(() => {});
      const stats = p.statistics();
      assert.equal(stats.workers, 2);
      assert.equal(stats.busy, 0);
      assert.equal(stats.queued, 0);
      assert.equal(stats.completed, 4);
      assert.equal(stats.failed, 1);
      for (const percentiles of [stats.runTime, stats.waitTime]) {
        assert.ok(percentiles.p50 >= 0 && percentiles.p50 <= percentiles.p90 && percentiles.p90 <= percentiles.p99 && percentiles.p99 <= percentiles.max);
      }
    });
  });
}

test('ThreadPool: a thread-scope Lock through initargs is one lock for every worker', T, async () => {
  const lock = new Lock();
  const p = new ThreadPool({ processes: 2, initializer: tasks.initialize, initargs: [lock] });
  open.add(p);
  lock.acquireSync();
  assert.deepEqual(await p.map(tasks.initializedLockHeld, [0, 1], { chunksize: 1 }), [true, true], 'the workers see the lock held here');
  lock.release();
  assert.equal(await p.apply(tasks.initializedLockHeld), false);
  const back = (await p.apply(tasks.returnInitialized)) as Lock;
  assert.ok(back instanceof Lock, 'the initargs lock comes back as a Lock');
  lock.acquireSync();
  assert.equal(back.locked(), true, 'and it is the same lock');
  lock.release();
});

describe('ThreadPool: thread-scope weft objects as task arguments and results are shared, not copied', () => {
  const threadPool = (processes = 2): ThreadPool => {
    const made = new ThreadPool({ processes });
    open.add(made);
    return made;
  };

  test('an Event set inside a task is seen set by the caller, through every way of submitting', T, async () => {
    const p = threadPool();
    const events = Array.from({ length: 9 }, () => new ThreadEvent());
    assert.equal(await p.apply(tasks.setEvent, [events[0]]), true);
    assert.equal(await p.applyAsync(tasks.setEvent, [events[1]]).get(), true);
    assert.deepEqual(await p.map(tasks.setEvent, [events[2], events[3]], { chunksize: 1 }), [true, true]);
    assert.deepEqual(await p.mapAsync(tasks.setEvent, [events[4]]).get(), [true]);
    assert.deepEqual(await p.starmap(tasks.setEvent, [[events[5]], [events[6]]]), [true, true]);
    for await (const set of p.imap(tasks.setEvent, [events[7]])) assert.equal(set, true);
    for await (const set of p.imapUnordered(tasks.setEvent, [events[8]])) assert.equal(set, true);
    assert.deepEqual(events.map((event) => event.isSet()), events.map(() => true));
  });

  test('a Lock acquired in a task is held for the caller, who may release it (any thread may release a Lock)', T, async () => {
    const p = threadPool();
    const lock = new Lock();
    assert.equal(await p.apply(tasks.tryAcquire, [lock]), true);
    assert.equal(lock.locked(), true, 'held after the task ended');
    assert.equal(lock.tryAcquire(), false);
    assert.equal(await p.apply(tasks.tryAcquire, [lock]), false, 'a task sees it held too');
    lock.release();
    assert.equal(lock.locked(), false);
    assert.equal(await p.apply(tasks.tryAcquire, [lock]), true, 'free again for the worker');
    lock.release();
  });

  test('a Queue passed to a task: the caller gets what the task put, in order', T, async () => {
    const p = threadPool();
    const queue = new Queue<number>();
    assert.equal(await p.apply(tasks.putItems, [queue, 100]), 100);
    const got = Array.from({ length: 100 }, () => queue.getSync({ timeout: 5000 }));
    assert.deepEqual(got, Array.from({ length: 100 }, (_, i) => i));
    assert.equal(queue.empty(), true);
  });

  test('Value.add from 2 workers × 200 tasks gives the exact total', T, async () => {
    const p = threadPool(2);
    const value = new Value('i', 0);
    await p.starmap(tasks.addTo, Array.from({ length: 200 }, (): [Value<number>, number, number] => [value, 1, 50]), { chunksize: 1 });
    assert.equal(value.value, 200 * 50);
  });

  test('a thread-scope object returned as a result is the same object: mutate through it, see it in the caller', T, async () => {
    const p = threadPool();
    const value = new Value('i', 1);
    const back = await p.apply(tasks.echo, [value]);
    back.value = 42;
    assert.equal(value.value, 42);
    value.add(1);
    assert.equal(back.value, 43);
    const buffer = new SharedArrayBuffer(8);
    const bufferBack = await p.apply(tasks.echo, [buffer]);
    new Int32Array(bufferBack)[1] = 7;
    assert.equal(new Int32Array(buffer)[1], 7, 'a raw SharedArrayBuffer stays shared both ways');
    const view = new Int32Array(buffer, 4, 1);
    const viewBack = await p.apply(tasks.echo, [view]);
    viewBack[0] = 8;
    assert.equal(view[0], 8, 'so does a view of one, with its offset');
  });

  test('an object made in a worker and returned is shared with that worker', T, async () => {
    const p = threadPool(1);
    const made = await p.apply(tasks.makeEvent);
    assert.ok(made instanceof ThreadEvent);
    assert.equal(await p.apply(tasks.madeEventIsSet), false);
    made.set();
    assert.equal(await p.apply(tasks.madeEventIsSet), true, 'the worker sees the caller set its Event');
  });

  test('a worker that retires right after returning one (maxTasksPerChild: 1) still delivers it whole', { timeout: 60_000 }, async () => {
    const p = new ThreadPool({ processes: 2, maxTasksPerChild: 1 });
    open.add(p);
    // Few tasks: each one starts a worker thread.
    const made = await Promise.all(Array.from({ length: 4 }, () => p.apply(tasks.makeEvent)));
    for (const event of made) {
      assert.ok(event instanceof ThreadEvent);
      event.set();
      assert.equal(event.isSet(), true);
    }
    const value = new Value('i', 0);
    await p.starmap(tasks.addTo, Array.from({ length: 4 }, (): [Value<number>, number, number] => [value, 1, 5]), { chunksize: 1 });
    assert.equal(value.value, 20, 'each new worker gets the value anew');
  });

  test('every thread-scope kind crosses as itself', T, async () => {
    const p = threadPool();
    const objects = [
      new Lock(), new RLock(), new Semaphore(2), new Condition(), new Barrier(2), new ThreadEvent(),
      new Queue(), new LifoQueue(), new PriorityQueue(), new SimpleQueue(), new Value('d', 1.5), new SharedArray('i', 4),
    ] as const;
    const back = await p.apply(tasks.echo, [objects]);
    assert.deepEqual(back.map((object) => object.constructor), objects.map((object) => object.constructor));
    const [, , semaphore, , , , , , , simple, , array] = back;
    assert.equal(semaphore.tryAcquire() && semaphore.tryAcquire(), true);
    assert.equal(objects[2].tryAcquire(), false, 'the semaphore came back with its count, shared');
    simple.put('x');
    assert.equal(objects[9].getNowait(), 'x');
    array.set(3, 9);
    assert.equal(objects[11].get(3), 9);
  });

  test('the same Lock passed to 10,000 tasks guards a counter: the count is exact', T, async () => {
    const p = threadPool(2);
    const lock = new Lock();
    const counter = new Value('i', 0, { lock: false });
    await Promise.all(Array.from({ length: 10_000 }, () => p.applyAsync(tasks.lockedIncrement, [lock, counter]).get()));
    assert.equal(counter.value, 10_000);
    assert.equal(lock.locked(), false);
  });

  test('objects nested in objects and arrays, and the same object twice in one message', T, async () => {
    const p = threadPool();
    const lock = new Lock();
    const queues = [new Queue<string>(), new Queue<string>()];
    const nested = { lock, items: queues, label: 'plain data' };
    const back = await p.apply(tasks.useNested, [nested]);
    assert.equal(lock.locked(), true, 'the task took the nested lock');
    assert.deepEqual(queues.map((queue) => queue.getSync({ timeout: 5000 })), ['from the task', 'from the task']);
    assert.equal(back.label, 'plain data');
    assert.equal(back.lock.locked(), true);
    back.lock.release();
    assert.equal(lock.locked(), false);
    const [first, second] = await p.apply(tasks.echo, [[lock, lock]]);
    assert.equal(first, second, 'one object in, one object out');
  });
});

describe('Pool: thread-scope objects cannot reach a worker process', () => {
  test('as an argument, anywhere in it: ERR_WRONG_SCOPE naming weft/multiprocessing, from the submitting call', T, async () => {
    const p = new Pool({ processes: 1 });
    open.add(p);
    const wrongScope = { code: 'ERR_WRONG_SCOPE', message: /weft\/multiprocessing/ };
    assert.throws(() => p.applyAsync(tasks.echo, [new Lock()]), wrongScope);
    assert.throws(() => p.applyAsync(tasks.echo, [{ deep: [new ThreadEvent()] }]), wrongScope);
    await assert.rejects(p.map(tasks.setEvent, [new ThreadEvent()]), wrongScope);
    await assert.rejects(p.apply(tasks.echo, [new SharedArrayBuffer(4)]), wrongScope);
    assert.equal(await p.apply(tasks.add, [1, 2]), 3, 'the pool still works');
  });

  test('as a result: the task fails with ERR_WRONG_SCOPE', T, async () => {
    const p = new Pool({ processes: 1 });
    open.add(p);
    await assert.rejects(p.apply(tasks.makeEvent), { code: 'ERR_WRONG_SCOPE', message: /weft\/multiprocessing/ });
  });
});

afterAll(() => {
  for (const pool of open) void pool.terminate();
});
