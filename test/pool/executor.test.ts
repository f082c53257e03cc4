/**
 * ThreadPoolExecutor and ProcessPoolExecutor: Python's concurrent.futures
 * contract (CPython's test_concurrent_futures, ported where it applies),
 * run over both kinds of worker.
 */
import { afterEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { BrokenPoolError, CancelledError, TimeoutError } from '../../src/index.js';
import { Event, activeChildren } from '../../src/multiprocessing.js';
import {
  FIRST_COMPLETED,
  FIRST_EXCEPTION,
  ProcessPoolExecutor,
  ThreadPoolExecutor,
  asCompleted,
  wait,
  type ProcessPoolExecutorOptions,
} from '../../src/futures.js';
import { Event as ThreadEvent, Lock, Value, activeThreads, currentThread } from '../../src/threading.js';
import { Queue } from '../../src/queue.js';
import * as tasks from '../fixtures/pool-tasks.js';

const T = { timeout: 30_000 };
type AnyExecutor = ThreadPoolExecutor | ProcessPoolExecutor;

const open = new Set<AnyExecutor>();
afterEach(async () => {
  for (const executor of open) await executor.shutdown({ cancelFutures: true });
  open.clear();
  await Promise.all(activeThreads().filter((t) => t !== currentThread()).map((t) => t.join({ timeout: 5000 })));
  assert.deepEqual(activeThreads().filter((t) => t !== currentThread()).map((t) => t.name), [], 'threads left after the test');
  await Promise.all(activeChildren().map((child) => child.join({ timeout: 5000 })));
  assert.deepEqual(activeChildren().map((child) => child.name), [], 'processes left after the test');
});

const kinds: [string, (options?: ProcessPoolExecutorOptions) => AnyExecutor][] = [
  ['ThreadPoolExecutor', (options) => new ThreadPoolExecutor(options)],
  ['ProcessPoolExecutor', (options) => new ProcessPoolExecutor(options)],
];

for (const [kind, make] of kinds) {
  const executor = (options?: ProcessPoolExecutorOptions): AnyExecutor => {
    const made = make({ maxWorkers: 2, ...options });
    open.add(made);
    return made;
  };

  describe(kind, () => {
    test('submit returns a Future: await, result, exception, done, running, callbacks', T, async () => {
      const ex = executor();
      const future = ex.submit(tasks.add, 1, 2);
      const called: unknown[] = [];
      future.addDoneCallback((f) => called.push(f));
      assert.equal(await future, 3);
      assert.equal(await future.result(), 3);
      assert.equal(await future.exception(), undefined);
      assert.equal(future.done(), true);
      assert.equal(future.running(), false);
      assert.equal(future.cancelled(), false);
      assert.deepEqual(called, [future]);
      const failing = ex.submit(tasks.fail, 'nope');
      const error = await failing.exception();
      assert.equal(error?.name, 'TaskError');
      await assert.rejects(failing.result(), { name: 'TaskError', message: 'nope', code: 'E_TASK' });
    });

    test('cancel: a pending future is cancelled, a running one is not', T, async () => {
      const ex = executor({ maxWorkers: 1 });
      const gate = new Event();
      const started = new Event();
      const running = ex.submit(tasks.startThenAfter, started, gate, 'ran');
      // The one worker is kept a few tasks ahead (4 while their length is unknown): fill its window so the last one stays pending in the executor.
      const fillers = Array.from({ length: 8 }, () => ex.submit(tasks.after, gate, 'filler'));
      const pending = ex.submit(tasks.add, 1, 1);
      await started.wait();
      assert.equal(running.running(), true);
      assert.equal(running.cancel(), false);
      assert.equal(pending.cancel(), true);
      assert.equal(pending.cancelled(), true);
      await assert.rejects(pending.result(), CancelledError);
      gate.set();
      assert.equal(await running, 'ran');
      await Promise.all(fillers);
    });

    test('map: results in order over zipped iterables; the first error is thrown when reached', T, async () => {
      const ex = executor();
      const sums: number[] = [];
      for await (const sum of ex.map(tasks.add, [1, 2, 3], [10, 20, 30, 40])) sums.push(sum);
      assert.deepEqual(sums, [11, 22, 33]);
      const squares: number[] = [];
      for await (const square of ex.map(tasks.square, Array.from({ length: 50 }, (_, i) => i), { chunksize: 8 })) squares.push(square);
      assert.deepEqual(squares, Array.from({ length: 50 }, (_, i) => i * i));
      const seen: string[] = [];
      await assert.rejects(async () => {
        for await (const value of ex.map(tasks.echo, ['a', 'b'])) seen.push(value as string);
        for await (const _ of ex.map(tasks.fail, ['boom'])) seen.push('never');
      }, { message: 'boom' });
      assert.deepEqual(seen, ['a', 'b']);
    });

    test('map: timeout counts from the call, then TimeoutError', T, async () => {
      const ex = executor({ maxWorkers: 1 });
      const gate = new Event();
      await assert.rejects(async () => {
        for await (const _ of ex.map(tasks.after, [gate], ['late'], { timeout: 50 })) assert.fail('no result before the gate opens');
      }, TimeoutError);
      gate.set();
    });

    test('wait and asCompleted over real tasks', T, async () => {
      const ex = executor();
      const gate = new Event();
      const slow = ex.submit(tasks.after, gate, 'slow');
      const fast = ex.submit(tasks.add, 2, 2);
      const first = await wait([slow, fast], { returnWhen: FIRST_COMPLETED });
      assert.deepEqual([...first.done], [fast]);
      assert.deepEqual([...first.notDone], [slow]);
      const failing = ex.submit(tasks.fail, 'x');
      const exception = await wait([slow, failing], { returnWhen: FIRST_EXCEPTION });
      assert.ok(exception.done.has(failing));
      const timedOut = await wait([slow], { timeout: 20 });
      assert.equal(timedOut.notDone.size, 1);
      const order: string[] = [];
      for await (const future of asCompleted([slow, fast])) {
        order.push(future === fast ? 'fast' : 'slow');
        gate.set(); // the slow one may finish only once the fast one was yielded
      }
      assert.deepEqual(order, ['fast', 'slow']);
    });

    test('submitWith: timeout from start and AbortSignal', T, async () => {
      const ex = executor({ gracePeriod: 100 });
      await assert.rejects(ex.submitWith({ timeout: 30 }, tasks.spin, 5000).result(), TimeoutError);
      const started = new Event();
      const controller = new AbortController();
      const future = ex.submitWith({ signal: controller.signal }, tasks.untilAborted, started);
      await started.wait();
      controller.abort(new Error('enough'));
      await assert.rejects(future.result(), /enough/);
      assert.equal(await ex.submit(tasks.add, 3, 4), 7, 'the executor is not broken by a timeout or an abort');
    });

    test('a worker that dies breaks the executor: pending futures and later submits get BrokenPoolError', T, async () => {
      const ex = executor({ maxWorkers: 1 });
      const dying = ex.submit(tasks.exitWith, 9);
      const error = await dying.exception();
      assert.ok(error instanceof BrokenPoolError);
      assert.equal(error.exitCode, 9);
      assert.throws(() => ex.submit(tasks.add, 1, 1), BrokenPoolError);
      await ex.shutdown();
    });

    test('an initializer that throws breaks the executor', T, async () => {
      const ex = executor({ maxWorkers: 1, initializer: tasks.failingInitializer });
      const error = await ex.submit(tasks.add, 1, 1).exception();
      assert.ok(error instanceof BrokenPoolError);
      assert.match(String((error.cause as Error)?.message), /initializer refused/);
    });

    test('initializer and initargs run in each worker', T, async () => {
      const ex = executor({ initializer: tasks.initialize, initargs: ['ready'] });
      assert.equal(await ex.submit(tasks.readInitialized), 'ready');
    });

    test('shutdown: no more submits (ERR_POOL_NOT_RUNNING); cancelFutures cancels what has not started', T, async () => {
      const ex = executor({ maxWorkers: 1 });
      const gate = new Event();
      const started = new Event();
      const running = ex.submit(tasks.startThenAfter, started, gate, 'ran');
      const fillers = Array.from({ length: 8 }, () => ex.submit(tasks.after, gate, 'filler'));
      const pending = Array.from({ length: 5 }, (_, i) => ex.submit(tasks.add, i, i));
      await started.wait();
      const ended = ex.shutdown({ cancelFutures: true });
      assert.throws(() => ex.submit(tasks.add, 1, 1), { code: 'ERR_POOL_NOT_RUNNING' });
      for (const future of pending) assert.equal(future.cancelled(), true);
      gate.set();
      await ended;
      assert.equal(await running, 'ran');
      for (const outcome of await Promise.allSettled(fillers.map((f) => f.result()))) {
        if (outcome.status === 'fulfilled') assert.equal(outcome.value, 'filler');
        else assert.ok(outcome.reason instanceof CancelledError, 'a filler either ran or was cancelled');
      }
      assert.equal(ex.statistics().workers, 0);
    });

    test('bad options: ERR_INVALID_ARG', T, async () => {
      for (const bad of [0, -2, 2.5]) assert.throws(() => make({ maxWorkers: bad }), { code: 'ERR_INVALID_ARG' });
      const ex = executor();
      assert.throws(() => ex.submitWith({ timeout: -1 }, tasks.add, 1, 1), { code: 'ERR_INVALID_ARG' });
      assert.throws(() => ex.map(tasks.square, [1], { chunksize: 0 }), { code: 'ERR_INVALID_ARG' });
    });

    test('await using: shutdown waits for the work', T, async () => {
      let future;
      {
        await using ex = make({ maxWorkers: 1 });
        future = ex.submit(tasks.asyncSquare, 6);
      }
      assert.equal(future.done(), true);
      assert.equal(await future, 36);
    });
  });
}

describe('ThreadPoolExecutor: thread-scope weft objects as task arguments and results are shared, not copied', () => {
  const threadExecutor = (maxWorkers = 2): ThreadPoolExecutor => {
    const made = new ThreadPoolExecutor({ maxWorkers });
    open.add(made);
    return made;
  };

  test('submit, submitWith and map: an Event set in a task is set for the caller; a Lock taken there is held here', T, async () => {
    const ex = threadExecutor();
    const events = [new ThreadEvent(), new ThreadEvent(), new ThreadEvent()];
    assert.equal(await ex.submit(tasks.setEvent, events[0]), true);
    const lock = new Lock();
    assert.equal(await ex.submitWith({ timeout: 10_000 }, tasks.tryAcquire, lock), true);
    assert.equal(lock.locked(), true);
    lock.release();
    const results: boolean[] = [];
    for await (const set of ex.map(tasks.setEvent, events.slice(1))) results.push(set);
    assert.deepEqual(results, [true, true]);
    assert.deepEqual(events.map((event) => event.isSet()), [true, true, true]);
  });

  test('a Queue filled by tasks is drained by the caller; Value.add from 2 workers is exact', T, async () => {
    const ex = threadExecutor(2);
    const queue = new Queue<number>();
    assert.equal(await ex.submit(tasks.putItems, queue, 10), 10);
    assert.deepEqual(Array.from({ length: 10 }, () => queue.getSync({ timeout: 5000 })), Array.from({ length: 10 }, (_, i) => i));
    const value = new Value('i', 0);
    await Promise.all(Array.from({ length: 100 }, () => ex.submit(tasks.addTo, value, 2, 50)));
    assert.equal(value.value, 100 * 2 * 50);
  });

  test('results: the same object comes back (nested too), and one made in the worker stays shared with it', T, async () => {
    const ex = threadExecutor(1);
    const value = new Value('i', 5);
    const back = await ex.submit(tasks.echo, { value, list: [value] });
    assert.equal(back.value, back.list[0], 'one object in, one object out');
    back.value.value = 6;
    assert.equal(value.value, 6);
    const made = await ex.submit(tasks.makeEvent);
    made.set();
    assert.equal(await ex.submit(tasks.madeEventIsSet), true);
  });

  test('the same Lock passed to 10,000 tasks guards a counter exactly', T, async () => {
    const ex = threadExecutor(2);
    const lock = new Lock();
    const counter = new Value('i', 0, { lock: false });
    await Promise.all(Array.from({ length: 10_000 }, () => ex.submit(tasks.lockedIncrement, lock, counter)));
    assert.equal(counter.value, 10_000);
  });
});

describe('ProcessPoolExecutor: thread-scope objects cannot reach a worker process', () => {
  test('as an argument: ERR_WRONG_SCOPE from submit; as a result: the future fails with ERR_WRONG_SCOPE', T, async () => {
    const ex = new ProcessPoolExecutor({ maxWorkers: 1 });
    open.add(ex);
    const wrongScope = { code: 'ERR_WRONG_SCOPE', message: /weft\/multiprocessing/ };
    assert.throws(() => ex.submit(tasks.echo, new Lock()), wrongScope);
    assert.throws(() => ex.submit(tasks.echo, { nested: [new ThreadEvent()] }), wrongScope);
    await assert.rejects(ex.submit(tasks.makeEvent).result(), wrongScope);
    assert.equal(await ex.submit(tasks.add, 2, 3), 5, 'the executor still works');
  });
});
