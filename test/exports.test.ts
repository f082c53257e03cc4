/**
 * The public export list of each entry point, as a user imports it from the
 * built package. A change here is a change to the contract (API.md).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';

const T = { timeout: 10_000 };

test('weft exports the guard, helpers and error classes', T, async () => {
  const weft = await import('weft');
  assert.deepEqual(Object.keys(weft).sort(), [
    'BrokenBarrierError', 'BrokenPipeError', 'BrokenPoolError', 'CancelledError', 'EOFError', 'Empty', 'ErrorCode', 'Full', 'KeyboardInterrupt', 'RuntimeError',
    'ShutDown', 'TimeoutError', 'cpuCount', 'isMain', 'taskSignal', 'trace', 'withModule',
  ]);
  assert.equal(typeof weft.cpuCount(), 'number');
  assert.ok(weft.cpuCount() >= 1);
});

test('weft/threading exports threads and the thread-scope primitives', T, async () => {
  const threading = await import('weft/threading');
  assert.deepEqual(Object.keys(threading).sort(), [
    'Barrier', 'BoundedSemaphore', 'BrokenBarrierError', 'Condition', 'Event', 'Lock', 'RLock', 'Semaphore',
    'SharedArray', 'Thread', 'Timer', 'Value', 'activeCount', 'activeThreads', 'currentThread', 'defaultExcepthook',
    'getExcepthook', 'mainThread', 'setExcepthook',
  ]);
});

test('weft/queue exports the four queues and their conditions', T, async () => {
  const queue = await import('weft/queue');
  assert.deepEqual(Object.keys(queue).sort(), ['Empty', 'Full', 'LifoQueue', 'PriorityQueue', 'Queue', 'ShutDown', 'SimpleQueue']);
  const weft = await import('weft');
  assert.equal(queue.Full, weft.Full, 'one Full class whichever entry point it is imported from');
  assert.equal(queue.Empty, weft.Empty);
  assert.equal(queue.ShutDown, weft.ShutDown);
});

test('weft/futures exports the executors, Future, wait and asCompleted', T, async () => {
  const futures = await import('weft/futures');
  assert.deepEqual(Object.keys(futures).sort(), [
    'ALL_COMPLETED', 'BrokenPoolError', 'CancelledError', 'FIRST_COMPLETED', 'FIRST_EXCEPTION', 'Future', 'KeyboardInterrupt',
    'ProcessPoolExecutor', 'ThreadPoolExecutor', 'TimeoutError', 'asCompleted', 'taskSignal', 'wait',
  ]);
  const weft = await import('weft');
  assert.equal(futures.BrokenPoolError, weft.BrokenPoolError);
  assert.equal(futures.taskSignal, weft.taskSignal);
});

test('weft/multiprocessing exports the pools', T, async () => {
  const multiprocessing = await import('weft/multiprocessing');
  for (const name of ['Pool', 'ThreadPool', 'AsyncResult', 'taskSignal']) assert.equal(typeof (multiprocessing as Record<string, unknown>)[name], 'function', name);
});

test('weft/multiprocessing exports the Manager and its proxies', T, async () => {
  const multiprocessing = await import('weft/multiprocessing');
  for (const name of ['Manager', 'DictProxy', 'ListProxy', 'Namespace']) assert.equal(typeof (multiprocessing as Record<string, unknown>)[name], 'function', name);
  const { ErrorCode } = await import('weft');
  assert.equal(ErrorCode.ManagerShutdown, 'ERR_MANAGER_SHUTDOWN');
  assert.equal(ErrorCode.IndexOutOfRange, 'ERR_INDEX_OUT_OF_RANGE');
  assert.equal(ErrorCode.NotFound, 'ERR_NOT_FOUND');
});

test('weft/multiprocessing exports Pipe, Connection and their conditions, the same classes as weft\'s', T, async () => {
  const multiprocessing = await import('weft/multiprocessing');
  const weft = await import('weft');
  for (const name of ['Pipe', 'Connection', 'EOFError', 'BrokenPipeError']) assert.equal(typeof (multiprocessing as Record<string, unknown>)[name], 'function', name);
  assert.equal(multiprocessing.EOFError, weft.EOFError);
  assert.equal(multiprocessing.BrokenPipeError, weft.BrokenPipeError);
  assert.equal(new weft.EOFError().name, 'EOFError');
  assert.equal(new weft.BrokenPipeError().name, 'BrokenPipeError');
  const [a, b] = multiprocessing.Pipe<string>();
  a.send('through the bundle');
  assert.equal(await b.recv(), 'through the bundle');
  assert.ok(a instanceof multiprocessing.Connection);
});

test('weft/testing exports the test helpers', T, async () => {
  const testing = await import('weft/testing');
  assert.deepEqual(Object.keys(testing).sort(), ['Sequencer', 'hubStatistics', 'waitForWaiters', 'waitForWaitersSync']);
});

test('one error class whichever entry point it is imported from', T, async () => {
  const weft = await import('weft');
  const threading = await import('weft/threading');
  assert.equal(weft.BrokenBarrierError, threading.BrokenBarrierError);
});

test('error classes carry their Python names', T, async () => {
  const { Full, Empty, ShutDown, BrokenBarrierError, TimeoutError, CancelledError, BrokenPoolError, RuntimeError } = await import('weft');
  assert.equal(new Full(1).name, 'Full');
  assert.equal(new Full('x').item, 'x');
  assert.equal(new Empty().name, 'Empty');
  assert.equal(new ShutDown().name, 'ShutDown');
  assert.equal(new TimeoutError().name, 'TimeoutError');
  assert.equal(new CancelledError().name, 'CancelledError');
  assert.equal(new BrokenPoolError().name, 'BrokenPoolError');
  const broken = new BrokenBarrierError();
  assert.equal(broken.name, 'BrokenBarrierError');
  assert.ok(broken instanceof RuntimeError, 'BrokenBarrierError is a RuntimeError, as in Python');
});
