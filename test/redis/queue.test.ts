/**
 * weft/redis Queue, JoinableQueue and SimpleQueue between connections: FIFO
 * put → get with hand-off to waiting gets, maxsize with waiting puts,
 * Full/Empty/ShutDown, taskDone/join, and a JoinableQueue consumer killed
 * mid-item (its item is delivered again, once).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { Empty, Full, JoinableQueue, Queue, ShutDown, SimpleQueue } from '../../src/redis.js';
import { ErrorCode } from '../../src/errors.js';
import { repoRoot } from '../helpers/programs.js';
import { until, withScopes } from './helpers.js';

const T = { timeout: 60_000 };

test('items come out in the order they went in, across connections; waiting gets are served in order', T, async () => {
  await withScopes(3, async ([a, b, c]) => {
    const qa = new Queue<unknown>('fifo', { redis: a! });
    const qb = new Queue<unknown>('fifo', { redis: b! });
    const items = [1, 'two', { three: [3n] }, new Map([[4, 'four']])];
    for (const item of items) await qa.put(item);
    assert.equal(await qb.qsize(), 4);
    for (const item of items) assert.deepEqual(await qb.get(), item);
    await assert.rejects(qb.getNowait(), Empty);
    await assert.rejects(qb.get({ timeout: 10 }), Empty);
    const first = qb.get();
    await until(async () => (await qa.statistics()).getters === 1, 'b waiting');
    const second = new Queue<unknown>('fifo', { redis: c! }).get();
    await until(async () => (await qa.statistics()).getters === 2, 'c waiting');
    await qa.put('x');
    await qa.put('y');
    assert.deepEqual([await first, await second], ['x', 'y']);
    assert.equal(await qa.empty(), true);
  });
});

test('a bounded queue: putNowait says Full with the item; a waiting put goes in when a get makes room', T, async () => {
  await withScopes(2, async ([a, b]) => {
    const qa = new Queue<string>('bounded', { redis: a!, maxsize: 2 });
    const qb = new Queue<string>('bounded', { redis: b!, maxsize: 2 });
    await qa.put('1');
    await qa.put('2');
    assert.equal(await qa.full(), true);
    await assert.rejects(qa.putNowait('3'), (error: unknown) => error instanceof Full && error.item === '3');
    await assert.rejects(qa.put('3', { timeout: 10 }), Full);
    const waiting = qa.put('3');
    assert.equal(await qb.get(), '1');
    await waiting;
    assert.deepEqual([await qb.get(), await qb.get()], ['2', '3']);
    await assert.rejects(new Queue('bounded', { redis: b!, maxsize: 5 }).qsize(), { code: ErrorCode.InvalidArg });
    assert.throws(() => new Queue('bad', { redis: a!, maxsize: -1 }), { code: ErrorCode.InvalidArg });
    await assert.rejects(qa.put((() => 1) as unknown as string), { code: ErrorCode.NotSerializable });
    qa.close();
    await assert.rejects(qa.put('4'), { code: ErrorCode.QueueClosed });
  });
});

test('shutdown: waiting gets hear ShutDown; gets drain what is left; immediate drops it', T, async () => {
  await withScopes(2, async ([a, b]) => {
    const qa = new Queue<number>('shut', { redis: a! });
    const qb = new Queue<number>('shut', { redis: b! });
    const waiting = assert.rejects(qb.get(), ShutDown); // handled at once: it may reject before shutdown() returns
    await until(async () => (await qa.statistics()).getters === 1, 'b waiting');
    await qa.shutdown();
    await waiting;
    await assert.rejects(qa.put(1), ShutDown);
    const other = new Queue<number>('shut2', { redis: a! });
    await other.put(1);
    await other.put(2);
    await other.shutdown();
    assert.equal(await new Queue<number>('shut2', { redis: b! }).get(), 1);
    await new Queue<number>('shut2', { redis: b! }).shutdown({ immediate: true });
    await assert.rejects(other.get(), ShutDown);
  });
});

test('JoinableQueue: join waits for every taskDone; one too many says ERR_TASK_DONE_TOO_MANY', T, async () => {
  await withScopes(2, async ([a, b]) => {
    const producer = new JoinableQueue<number>('work', { redis: a! });
    const consumer = new JoinableQueue<number>('work', { redis: b! });
    for (const n of [1, 2, 3]) await producer.put(n);
    assert.equal(await producer.join({ timeout: 10 }), false);
    const joined = producer.join();
    for (let i = 0; i < 3; i++) {
      await consumer.get();
      await consumer.taskDone();
    }
    assert.equal(await joined, true);
    await assert.rejects(consumer.taskDone(), { code: ErrorCode.TaskDoneTooMany });
    assert.equal((await producer.statistics()).unfinished, 0);
  });
});

test('SimpleQueue: put and get across connections', T, async () => {
  await withScopes(2, async ([a, b]) => {
    const sa = new SimpleQueue<string>('simple', { redis: a! });
    const sb = new SimpleQueue<string>('simple', { redis: b! });
    const got = sb.get();
    await sa.put('hello');
    assert.equal(await got, 'hello');
    assert.equal(await sa.empty(), true);
  });
});

test('a JoinableQueue consumer killed mid-item: the item is delivered again, once', { timeout: 120_000 }, async () => {
  await withScopes(1, async ([scope], namespace) => {
    const queue = new JoinableQueue<string>('jobs', { redis: scope! });
    await queue.put('job-1');
    await queue.put('job-2');
    const child = spawn(process.execPath, ['--import', 'tsx', `${repoRoot}test/redis/fixtures/consumer.ts`, namespace, 'jobs', '1000'], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    try {
      const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
      assert.equal((await lines.next()).value, 'took job-1');
      assert.equal(await queue.qsize(), 1);
      child.kill('SIGKILL');
      // job-2 is there now; job-1 comes back (to the head) once the consumer's lease ran out.
      const got = [await queue.get(), await queue.get()].sort();
      assert.deepEqual(got, ['job-1', 'job-2']);
      await assert.rejects(queue.getNowait(), Empty, 'delivered again once, not twice');
      await queue.taskDone();
      await queue.taskDone();
      assert.equal(await queue.join({ timeout: 30_000 }), true);
    } finally {
      child.kill('SIGKILL');
      if (child.exitCode === null && child.signalCode === null) await once(child, 'exit');
    }
  });
});
