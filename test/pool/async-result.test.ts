/**
 * AsyncResult: Python's multiprocessing.pool.AsyncResult contract
 * (CPython Lib/test/_test_multiprocessing.py, _TestPool async tests),
 * settled from the test itself through kSettle — no pool, no workers.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { TimeoutError } from '../../src/errors.js';
import { AsyncResult, kSettle } from '../../src/pool/async-result.js';

const T = { timeout: 5000 };

const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
process.on('unhandledRejection', onUnhandled);
after(() => {
  process.off('unhandledRejection', onUnhandled);
  assert.deepEqual(unhandled, [], 'unhandled rejections');
});

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function captureStderr(fn: () => void): string {
  const write = process.stderr.write;
  let out = '';
  process.stderr.write = ((chunk: string | Uint8Array) => {
    out += String(chunk);
    return true;
  }) as typeof process.stderr.write;
  try {
    fn();
  } finally {
    process.stderr.write = write;
  }
  return out;
}

test('pending: not ready; successful() is ERR_NOT_READY (Python\'s ValueError)', T, () => {
  const r = new AsyncResult<number>();
  assert.equal(r.ready(), false);
  assert.throws(() => r.successful(), { name: 'RuntimeError', code: 'ERR_NOT_READY', message: /^pool: / });
  assert.deepEqual(r.statistics(), { ready: false, waiting: 0 });
  assert.equal(String(r), '<AsyncResult pending>');
  assert.equal(inspect(r), '<AsyncResult pending>');
});

test('settled with a value: ready, successful, get() gives it, wait() returns; callback runs once, synchronously, already ready', T, async () => {
  const calls: unknown[] = [];
  const r: AsyncResult<number> = new AsyncResult<number>({
    callback: (v) => calls.push(['callback', v, r.ready()]),
    errorCallback: (e) => calls.push(['errorCallback', e]),
  });
  r[kSettle](true, 49);
  assert.deepEqual(calls, [['callback', 49, true]]);
  assert.equal(r.ready(), true);
  assert.equal(r.successful(), true);
  assert.equal(await r.get(), 49);
  assert.equal(await r.wait(), undefined);
  assert.equal(String(r), '<AsyncResult ready successful>');
  assert.deepEqual(calls.length, 1);
});

test('settled with an error: get() rejects with that very error, wait() does not; errorCallback runs once', T, async () => {
  const calls: unknown[] = [];
  const r = new AsyncResult<number>({
    callback: (v) => calls.push(['callback', v]),
    errorCallback: (e) => calls.push(['errorCallback', e.message]),
  });
  const error = new RangeError('task failed');
  r[kSettle](false, error);
  assert.deepEqual(calls, [['errorCallback', 'task failed']]);
  assert.equal(r.ready(), true);
  assert.equal(r.successful(), false);
  await assert.rejects(r.get(), (e) => e === error);
  await r.wait();
  await r.wait({ timeout: 0 });
  assert.equal(String(r), '<AsyncResult ready failed RangeError>');
});

test('waiters parked in get() and wait() are woken by the settle, after the callback, and removed', T, async () => {
  const order: string[] = [];
  const r = new AsyncResult<string>({ callback: () => order.push('callback') });
  const got = r.get().then((v) => { order.push(`get ${v}`); });
  const waited = r.wait().then(() => { order.push('wait'); });
  assert.equal(r.statistics().waiting, 2);
  r[kSettle](true, 'x');
  await Promise.all([got, waited]);
  assert.deepEqual(order, ['callback', 'get x', 'wait']);
  assert.equal(r.statistics().waiting, 0);

  const f = new AsyncResult();
  const failing = f.get();
  const waiting = f.wait();
  f[kSettle](false, new Error('late'));
  await assert.rejects(failing, { message: 'late' });
  assert.equal(await waiting, undefined);
});

test('get() timeout: TimeoutError saying how long; wait() timeout just returns; nothing is left waiting', T, async () => {
  const r = new AsyncResult<number>();
  await assert.rejects(r.get({ timeout: 5 }), (e: Error) => e instanceof TimeoutError && /5 ms/.test(e.message));
  await assert.rejects(r.get({ timeout: 0 }), TimeoutError);
  assert.equal(await r.wait({ timeout: 5 }), undefined);
  assert.equal(await r.wait({ timeout: 0 }), undefined);
  assert.equal(r.ready(), false);
  assert.equal(r.statistics().waiting, 0);
  r[kSettle](true, 1);
  assert.equal(await r.get({ timeout: 0 }), 1);
});

test('an aborted signal rejects get() and wait() with its reason and changes nothing', T, async () => {
  const r = new AsyncResult<number>();
  await assert.rejects(r.get({ signal: AbortSignal.abort('pre') }), (e) => e === 'pre');
  await assert.rejects(r.wait({ signal: AbortSignal.abort('pre') }), (e) => e === 'pre');

  const controller = new AbortController();
  const got = r.get({ signal: controller.signal });
  const waited = r.wait({ signal: controller.signal });
  assert.equal(r.statistics().waiting, 2);
  const reason = new Error('stop');
  controller.abort(reason);
  await assert.rejects(got, (e) => e === reason);
  await assert.rejects(waited, (e) => e === reason);
  assert.deepEqual(r.statistics(), { ready: false, waiting: 0 });
  r[kSettle](true, 2);
  assert.equal(await r.get(), 2);
});

test('settling twice is ERR_INVALID_STATE; the callbacks do not run again and the first outcome stays', T, async () => {
  let calls = 0;
  const r = new AsyncResult<number>({ callback: () => void calls++, errorCallback: () => void calls++ });
  r[kSettle](true, 1);
  assert.throws(() => r[kSettle](true, 2), { name: 'RuntimeError', code: 'ERR_INVALID_STATE' });
  assert.throws(() => r[kSettle](false, new Error('x')), { code: 'ERR_INVALID_STATE' });
  assert.equal(calls, 1);
  assert.equal(await r.get(), 1);
});

test('a callback that throws is reported on stderr and never breaks the settle', T, async () => {
  const ok = new AsyncResult<number>({ callback: () => { throw new Error('callback broke'); } });
  const out = captureStderr(() => ok[kSettle](true, 3));
  assert.match(out, /^exception calling callback for <AsyncResult ready successful>\n/);
  assert.match(out, /Error: callback broke\n\s+at /);
  assert.equal(await ok.get(), 3);

  const bad = new AsyncResult<number>({ errorCallback: () => { throw new TypeError('errorCallback broke'); } });
  const out2 = captureStderr(() => bad[kSettle](false, new Error('task')));
  assert.match(out2, /^exception calling errorCallback for <AsyncResult ready failed Error>\n.*errorCallback broke/);
  await assert.rejects(bad.get(), { message: 'task' });
});

test('bad arguments are ERR_INVALID_ARG', T, async () => {
  assert.throws(() => new AsyncResult({ callback: 5 as never }), { name: 'TypeError', code: 'ERR_INVALID_ARG' });
  assert.throws(() => new AsyncResult({ errorCallback: 'x' as never }), { code: 'ERR_INVALID_ARG' });
  assert.throws(() => new AsyncResult(null as never), { code: 'ERR_INVALID_ARG' });
  const r = new AsyncResult();
  await assert.rejects(r.get({ timeout: -1 }), { code: 'ERR_INVALID_ARG' });
  await assert.rejects(r.wait({ timeout: Infinity }), { code: 'ERR_INVALID_ARG' });
  await assert.rejects(r.wait({ signal: {} as never }), { code: 'ERR_INVALID_ARG' });
  assert.equal(r.statistics().waiting, 0);
});

test('a failed result nobody asks for is not an unhandled rejection', T, async () => {
  new AsyncResult()[kSettle](false, new Error('nobody looks'));
  new AsyncResult({ callback: () => {} })[kSettle](false, new Error('no errorCallback either'));
  const r = new AsyncResult();
  await r.wait({ timeout: 1 });
  r[kSettle](false, new Error('after a timed-out wait'));
  await turn();
  await turn();
  assert.deepEqual(unhandled, []);
});

test('typing: AsyncResult<number> is an AsyncResult<unknown>; get() gives R', T, async () => {
  const r = new AsyncResult<number[]>({ callback: (v) => void v.length });
  r[kSettle](true, [1, 2]);
  const list: AsyncResult<unknown>[] = [r];
  const values: number[] = await r.get();
  assert.equal(list.length, 1);
  assert.deepEqual(values, [1, 2]);
});
