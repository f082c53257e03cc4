/**
 * Future, wait, asCompleted: Python's concurrent.futures contract
 * (CPython Lib/test/test_concurrent_futures/test_future.py, test_wait.py,
 * test_as_completed.py), driven from the test itself through the executor
 * symbols — no workers, no sleeps except on the timeout paths.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { CancelledError, TimeoutError } from '../../src/errors.js';
import { Future, kSetException, kSetResult, kSetRunningOrNotifyCancel } from '../../src/pool/future.js';
import { ALL_COMPLETED, FIRST_COMPLETED, FIRST_EXCEPTION, wait } from '../../src/pool/wait.js';
import { asCompleted } from '../../src/pool/as-completed.js';

const T = { timeout: 5000 };

// Python never raises an exception nobody asked for: no test here may cause an unhandled rejection.
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
process.on('unhandledRejection', onUnhandled);
after(() => {
  process.off('unhandledRejection', onUnhandled);
  assert.deepEqual(unhandled, [], 'unhandled rejections');
});

/** Lets pending promise jobs and one macrotask turn run (enough for 'unhandledRejection' to be emitted). */
const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Runs `fn` with stderr captured. */
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

function finished<R>(value: R): Future<R> {
  const f = new Future<R>();
  f[kSetResult](value);
  return f;
}

function failed(error: Error): Future<never> {
  const f = new Future<never>();
  f[kSetException](error);
  return f;
}

function cancelled(): Future<never> {
  const f = new Future<never>();
  f.cancel();
  return f;
}

function flags(f: Future<unknown>): { state: string; done: boolean; running: boolean; cancelled: boolean } {
  return { state: f.statistics().state, done: f.done(), running: f.running(), cancelled: f.cancelled() };
}

describe('Future states', () => {
  test('a new future is PENDING: not done, not running, not cancelled', T, () => {
    const f = new Future<number>();
    assert.deepEqual(flags(f), { state: 'PENDING', done: false, running: false, cancelled: false });
    assert.match(String(f), /^<Future #\d+ state=pending>$/);
    assert.equal(inspect(f), String(f));
  });

  test('PENDING → RUNNING → FINISHED with a result', T, async () => {
    const f = new Future<number>();
    assert.equal(f[kSetRunningOrNotifyCancel](), true);
    assert.deepEqual(flags(f), { state: 'RUNNING', done: false, running: true, cancelled: false });
    assert.match(String(f), /state=running>$/);
    f[kSetResult](42);
    assert.deepEqual(flags(f), { state: 'FINISHED', done: true, running: false, cancelled: false });
    assert.match(String(f), /state=finished returned number>$/);
    assert.equal(await f.result(), 42);
    assert.equal(await f.exception(), undefined);
  });

  test('RUNNING → FINISHED with an error: result() rejects with that very error, exception() returns it', T, async () => {
    const f = new Future<number>();
    f[kSetRunningOrNotifyCancel]();
    const error = new TypeError('boom');
    f[kSetException](error);
    assert.deepEqual(flags(f), { state: 'FINISHED', done: true, running: false, cancelled: false });
    assert.match(String(f), /state=finished raised TypeError>$/);
    await assert.rejects(f.result(), (e) => e === error);
    assert.equal(await f.exception(), error);
  });

  test('PENDING → FINISHED directly, as Python allows set_result without set_running', T, async () => {
    assert.equal(await finished('x').result(), 'x');
    assert.match(String(finished([1])), /returned Array>$/);
    assert.match(String(finished(null)), /returned null>$/);
    class Point {}
    assert.match(String(finished(new Point())), /returned Point>$/);
  });

  test('PENDING → CANCELLED: result() and exception() reject with CancelledError', T, async () => {
    const f = new Future<number>();
    assert.equal(f.cancel(), true);
    assert.deepEqual(flags(f), { state: 'CANCELLED', done: true, running: false, cancelled: true });
    assert.match(String(f), /state=cancelled>$/);
    await assert.rejects(f.result(), CancelledError);
    await assert.rejects(f.exception(), CancelledError);
    await assert.rejects(f.result(), { name: 'CancelledError', message: /cancelled/ });
  });

  test('cancel(): true if pending or already cancelled, false if running or finished (test_cancel)', T, () => {
    const pending = new Future();
    assert.equal(pending.cancel(), true);
    assert.equal(pending.cancel(), true);

    const running = new Future();
    running[kSetRunningOrNotifyCancel]();
    assert.equal(running.cancel(), false);
    assert.equal(running.running(), true);

    assert.equal(finished(1).cancel(), false);
    assert.equal(failed(new Error('x')).cancel(), false);
    assert.equal(finished(1).cancelled(), false);
  });

  test('setRunningOrNotifyCancel: false on a cancelled future (the task must not run), then ERR_INVALID_STATE', T, () => {
    const f = cancelled();
    assert.equal(f[kSetRunningOrNotifyCancel](), false);
    assert.equal(f.cancelled(), true);
    assert.throws(() => f[kSetRunningOrNotifyCancel](), { name: 'RuntimeError', code: 'ERR_INVALID_STATE' });
  });

  test('setRunningOrNotifyCancel twice, or after finishing: ERR_INVALID_STATE', T, () => {
    const f = new Future();
    f[kSetRunningOrNotifyCancel]();
    assert.throws(() => f[kSetRunningOrNotifyCancel](), { code: 'ERR_INVALID_STATE', message: /^futures: .*running/ });
    assert.throws(() => finished(1)[kSetRunningOrNotifyCancel](), { code: 'ERR_INVALID_STATE', message: /finished/ });
  });

  test('setResult/setException on a finished or cancelled future: ERR_INVALID_STATE, the first outcome stays (test_multiple_set_result)', T, async () => {
    const f = finished(1);
    assert.throws(() => f[kSetResult](2), { name: 'RuntimeError', code: 'ERR_INVALID_STATE' });
    assert.throws(() => f[kSetException](new Error('late')), { code: 'ERR_INVALID_STATE' });
    assert.equal(await f.result(), 1);

    const e = failed(new Error('first'));
    assert.throws(() => e[kSetResult](2 as never), { code: 'ERR_INVALID_STATE' });
    await assert.rejects(e.result(), { message: 'first' });

    const c = cancelled();
    assert.throws(() => c[kSetResult](1 as never), { code: 'ERR_INVALID_STATE' });
    assert.throws(() => c[kSetException](new Error('x')), { code: 'ERR_INVALID_STATE' });
    assert.equal(c.cancelled(), true);
  });

  test('await future gives the result or throws the error; then() chains like a promise', T, async () => {
    assert.equal(await finished(7), 7);
    await assert.rejects(async () => { await failed(new RangeError('bad')); }, RangeError);
    await assert.rejects(async () => { await cancelled(); }, CancelledError);
    assert.equal(await finished(2).then((v) => v * 10), 20);
    assert.equal(await failed(new Error('e')).then(() => 'no', (e: Error) => e.message), 'e');
    const viaRace = await Promise.race([finished('a'), new Promise(() => {})]);
    assert.equal(viaRace, 'a');
  });

  test('a waiter parked in result() is woken by setResult, and the waiter is removed', T, async () => {
    const f = new Future<string>();
    const got = f.result();
    const exc = f.exception();
    assert.equal(f.statistics().waiting, 2);
    f[kSetRunningOrNotifyCancel]();
    f[kSetResult]('done');
    assert.equal(await got, 'done');
    assert.equal(await exc, undefined);
    assert.equal(f.statistics().waiting, 0);
  });

  test('a waiter parked in result() gets the error or CancelledError', T, async () => {
    const f = new Future<string>();
    const got = f.result();
    f[kSetException](new Error('late failure'));
    await assert.rejects(got, { message: 'late failure' });

    const g = new Future<string>();
    const [r, e] = [g.result(), g.exception()];
    g.cancel();
    await assert.rejects(r, CancelledError);
    await assert.rejects(e, CancelledError);
  });
});

describe('Future.result/exception options', () => {
  test('timeout: TimeoutError saying how long; the future stays pending and usable', T, async () => {
    const f = new Future<number>();
    await assert.rejects(f.result({ timeout: 5 }), (e: Error) => e instanceof TimeoutError && e.name === 'TimeoutError' && /5 ms/.test(e.message));
    await assert.rejects(f.exception({ timeout: 5 }), TimeoutError);
    assert.equal(f.statistics().waiting, 0);
    assert.equal(f.statistics().state, 'PENDING');
    f[kSetResult](1);
    assert.equal(await f.result({ timeout: 5 }), 1);
  });

  test('timeout 0 polls: TimeoutError at once if not done, the outcome if done', T, async () => {
    const f = new Future<number>();
    await assert.rejects(f.result({ timeout: 0 }), { name: 'TimeoutError', message: /0 ms/ });
    assert.equal(f.statistics().waiting, 0);
    assert.equal(await finished(3).result({ timeout: 0 }), 3);
    await assert.rejects(cancelled().result({ timeout: 0 }), CancelledError);
  });

  test('an already-aborted signal rejects with its reason and changes nothing', T, async () => {
    const reason = new Error('stop');
    const signal = AbortSignal.abort(reason);
    const f = new Future<number>();
    await assert.rejects(f.result({ signal }), (e) => e === reason);
    await assert.rejects(f.exception({ signal }), (e) => e === reason);
    assert.deepEqual(f.statistics(), { state: 'PENDING', waiting: 0, callbacks: 0 });
  });

  test('a signal aborted during the wait rejects with its reason; the waiter is removed', T, async () => {
    const controller = new AbortController();
    const f = new Future<number>();
    const got = f.result({ signal: controller.signal });
    assert.equal(f.statistics().waiting, 1);
    controller.abort('why');
    await assert.rejects(got, (e) => e === 'why');
    assert.equal(f.statistics().waiting, 0);
    f[kSetResult](5);
    assert.equal(await f.result({ signal: controller.signal }).catch((e) => e), 'why');
    assert.equal(await f.result(), 5);
  });

  test('invalid options reject with ERR_INVALID_ARG before anything waits', T, async () => {
    const f = new Future();
    await assert.rejects(f.result({ timeout: -1 }), { code: 'ERR_INVALID_ARG' });
    await assert.rejects(f.result({ timeout: NaN }), { code: 'ERR_INVALID_ARG' });
    await assert.rejects(f.exception({ timeout: '5' as never }), { code: 'ERR_INVALID_ARG' });
    await assert.rejects(f.result({ signal: 'x' as never }), { code: 'ERR_INVALID_ARG' });
    await assert.rejects(f.result(5 as never), { code: 'ERR_INVALID_ARG' });
    assert.equal(f.statistics().waiting, 0);
  });
});

describe('Future.addDoneCallback', () => {
  test('callbacks run once each, in the order added, with the future, synchronously in the call that finishes it', T, () => {
    const f = new Future<number>();
    const calls: string[] = [];
    f.addDoneCallback((g) => calls.push(`a:${g === f}:${g.done()}`));
    f.addDoneCallback(() => calls.push('b'));
    f.addDoneCallback(() => calls.push('c'));
    assert.equal(f.statistics().callbacks, 3);
    f[kSetRunningOrNotifyCancel]();
    assert.deepEqual(calls, []);
    f[kSetResult](1);
    assert.deepEqual(calls, ['a:true:true', 'b', 'c']);
    assert.equal(f.statistics().callbacks, 0);
    assert.throws(() => f[kSetResult](2));
    assert.deepEqual(calls, ['a:true:true', 'b', 'c']);
  });

  test('a callback added after the future is done runs at once, in addDoneCallback', T, () => {
    const calls: string[] = [];
    const f = failed(new Error('x'));
    f.addDoneCallback(() => calls.push('late'));
    assert.deepEqual(calls, ['late']);
  });

  test('cancel() runs the callbacks; they see cancelled()', T, () => {
    const f = new Future();
    const seen: boolean[] = [];
    f.addDoneCallback((g) => seen.push(g.cancelled()));
    f.cancel();
    assert.deepEqual(seen, [true]);
    f.cancel();
    assert.deepEqual(seen, [true]);
  });

  test('a callback that throws is reported on stderr like Python\'s logger, and the others still run', T, () => {
    const f = new Future<number>();
    const calls: string[] = [];
    f.addDoneCallback(() => calls.push('first'));
    f.addDoneCallback(() => { throw new Error('callback broke'); });
    f.addDoneCallback(() => calls.push('third'));
    const err = captureStderr(() => f[kSetResult](9));
    assert.deepEqual(calls, ['first', 'third']);
    assert.match(err, /^exception calling callback for <Future #\d+ state=finished returned number>\n/);
    assert.match(err, /Error: callback broke\n\s+at /);

    const late = captureStderr(() => f.addDoneCallback(() => { throw new Error('late broke'); }));
    assert.match(late, /exception calling callback for <Future .*>\n.*late broke/);
  });

  test('a callback that adds a callback: the new one runs at once', T, () => {
    const f = new Future();
    const calls: string[] = [];
    f.addDoneCallback((g) => {
      calls.push('outer');
      g.addDoneCallback(() => calls.push('inner'));
    });
    f.addDoneCallback(() => calls.push('second'));
    f[kSetResult](undefined);
    assert.deepEqual(calls, ['outer', 'inner', 'second']);
  });

  test('a non-function is ERR_INVALID_ARG', T, () => {
    assert.throws(() => new Future().addDoneCallback('x' as never), { name: 'TypeError', code: 'ERR_INVALID_ARG' });
  });
});

describe('no unhandled rejections', () => {
  test('failed and cancelled futures nobody awaits raise nothing', T, async () => {
    failed(new Error('nobody looks at me'));
    cancelled();
    const f = new Future();
    f[kSetRunningOrNotifyCancel]();
    f[kSetException](new Error('nor me'));
    f.addDoneCallback(() => {});
    await turn();
    await turn();
    assert.deepEqual(unhandled, []);
  });

  test('a timed-out result() is the caller\'s rejection, and a later failure does not resurface', T, async () => {
    const f = new Future();
    await assert.rejects(f.result({ timeout: 1 }), TimeoutError);
    f[kSetException](new Error('after the timeout'));
    await turn();
    assert.deepEqual(unhandled, []);
  });
});

describe('wait', () => {
  test('the constants are the strings', T, () => {
    assert.equal(FIRST_COMPLETED, 'FIRST_COMPLETED');
    assert.equal(FIRST_EXCEPTION, 'FIRST_EXCEPTION');
    assert.equal(ALL_COMPLETED, 'ALL_COMPLETED');
  });

  test('ALL_COMPLETED (the default) waits for every future; cancelled ones count as done', T, async () => {
    const [a, b, c] = [new Future<number>(), new Future<number>(), new Future<number>()];
    let settled = false;
    const waiting = wait([a, b, c]).then((r) => { settled = true; return r; });
    a[kSetResult](1);
    b.cancel();
    await turn();
    assert.equal(settled, false);
    c[kSetException](new Error('c'));
    const { done, notDone } = await waiting;
    assert.deepEqual([...done], [a, b, c]);
    assert.equal(notDone.size, 0);
    for (const f of [a, b, c]) assert.equal(f.statistics().waiting, 0);
  });

  test('FIRST_COMPLETED returns when one finishes', T, async () => {
    const [a, b, c] = [new Future(), new Future(), new Future()];
    const waiting = wait([a, b, c], { returnWhen: FIRST_COMPLETED });
    b[kSetResult]('b');
    const { done, notDone } = await waiting;
    assert.deepEqual([...done], [b]);
    assert.deepEqual([...notDone], [a, c]);
    assert.equal(a.statistics().waiting, 0);
    assert.equal(c.statistics().waiting, 0);
  });

  test('FIRST_COMPLETED returns when one is cancelled', T, async () => {
    const [a, b] = [new Future(), new Future()];
    const waiting = wait([a, b], { returnWhen: FIRST_COMPLETED });
    a.cancel();
    assert.deepEqual([...(await waiting).done], [a]);
  });

  test('FIRST_COMPLETED returns at once if one is already done', T, async () => {
    const [a, b] = [new Future(), finished(1)];
    const { done, notDone } = await wait([a, b], { returnWhen: FIRST_COMPLETED });
    assert.deepEqual([...done], [b]);
    assert.deepEqual([...notDone], [a]);
    assert.equal(a.statistics().waiting, 0);
  });

  test('FIRST_EXCEPTION returns when one raises; a success or a cancellation does not count', T, async () => {
    const [ok, gone, bad, slow] = [new Future(), new Future(), new Future(), new Future()];
    let settled = false;
    const waiting = wait([ok, gone, bad, slow], { returnWhen: FIRST_EXCEPTION }).then((r) => { settled = true; return r; });
    ok[kSetResult](1);
    gone.cancel();
    await turn();
    assert.equal(settled, false);
    bad[kSetException](new Error('bad'));
    const { done, notDone } = await waiting;
    assert.deepEqual([...done], [ok, gone, bad]);
    assert.deepEqual([...notDone], [slow]);
    assert.equal(slow.statistics().waiting, 0);
  });

  test('FIRST_EXCEPTION returns at once if one already raised, and when all are done without raising', T, async () => {
    const pending = new Future();
    const r1 = await wait([pending, failed(new Error('x'))], { returnWhen: FIRST_EXCEPTION });
    assert.deepEqual([...r1.notDone], [pending]);

    const [a, b] = [new Future(), new Future()];
    const waiting = wait([a, b, cancelled()], { returnWhen: FIRST_EXCEPTION });
    a[kSetResult](1);
    b[kSetResult](2);
    const r2 = await waiting;
    assert.equal(r2.done.size, 3);
    assert.equal(r2.notDone.size, 0);
  });

  test('a timeout returns the partition as it stands, without error', T, async () => {
    const [a, b] = [finished(1), new Future()];
    const { done, notDone } = await wait([a, b], { timeout: 5 });
    assert.deepEqual([...done], [a]);
    assert.deepEqual([...notDone], [b]);
    assert.equal(b.statistics().waiting, 0);
    const polled = await wait([a, b], { timeout: 0, returnWhen: FIRST_EXCEPTION });
    assert.deepEqual([...polled.notDone], [b]);
  });

  test('duplicates collapse; an empty input returns at once', T, async () => {
    const a = new Future();
    const waiting = wait([a, a, a]);
    assert.equal(a.statistics().waiting, 1);
    a[kSetResult](0);
    const { done } = await waiting;
    assert.deepEqual([...done], [a]);
    const empty = await wait([], { returnWhen: FIRST_COMPLETED });
    assert.equal(empty.done.size + empty.notDone.size, 0);
    const fromSet = await wait(new Set([finished(1)]));
    assert.equal(fromSet.done.size, 1);
  });

  test('an aborted signal rejects with its reason and removes the listeners', T, async () => {
    const [a, b] = [new Future(), new Future()];
    const controller = new AbortController();
    const waiting = wait([a, b], { signal: controller.signal });
    controller.abort(new Error('enough'));
    await assert.rejects(waiting, { message: 'enough' });
    assert.equal(a.statistics().waiting, 0);
    assert.equal(b.statistics().waiting, 0);
    await assert.rejects(wait([finished(1)], { signal: AbortSignal.abort('pre') }), (e) => e === 'pre');
  });

  test('bad arguments reject with ERR_INVALID_ARG', T, async () => {
    await assert.rejects(wait([new Future()], { returnWhen: 'FIRST' as never }), { name: 'RangeError', code: 'ERR_INVALID_ARG', message: /returnWhen/ });
    await assert.rejects(wait([new Future()], { timeout: -5 }), { code: 'ERR_INVALID_ARG' });
    await assert.rejects(wait([Promise.resolve(1)] as never), { name: 'TypeError', code: 'ERR_INVALID_ARG' });
    await assert.rejects(wait(5 as never), { code: 'ERR_INVALID_ARG' });
  });

  test('typing: the sets have the input\'s future type', T, async () => {
    const fs: Future<number>[] = [finished(1), finished(2)];
    const { done, notDone } = await wait(fs);
    const typed: Set<Future<number>> = done;
    const alsoTyped: Set<Future<number>> = notDone;
    let sum = 0;
    for (const f of typed) sum += await f;
    assert.equal(sum, 3);
    assert.equal(alsoTyped.size, 0);
    const mixed = await wait<Future<unknown>>([finished('s'), finished(1)]);
    assert.equal(mixed.done.size, 2);
  });
});

describe('asCompleted', () => {
  async function collect<F>(it: AsyncIterable<F>): Promise<F[]> {
    const out: F[] = [];
    for await (const f of it) out.push(f);
    return out;
  }

  test('yields the futures already done first (input order), then the others as they complete', T, async () => {
    const [p1, d1, p2, d2, p3] = [new Future(), finished(1), new Future(), failed(new Error('x')), new Future()];
    const it = asCompleted([p1, d1, p2, d2, p3]);
    assert.equal(await (await it.next()).value, 1);
    const second = await it.next();
    assert.equal(second.value, d2);
    const third = it.next();
    p3[kSetResult](3);
    p1.cancel();
    assert.equal((await third).value, p3);
    assert.equal((await it.next()).value, p1);
    const last = it.next();
    p2[kSetException](new Error('p2'));
    assert.equal((await last).value, p2);
    assert.deepEqual(await it.next(), { done: true, value: undefined });
    for (const f of [p1, p2, p3]) assert.equal(f.statistics().waiting, 0);
  });

  test('yields futures, not their results (a Future is awaitable; a generator would unwrap it)', T, async () => {
    const bad = failed(new Error('still a future'));
    const [f] = await collect(asCompleted([bad]));
    assert.equal(f, bad);
  });

  test('completion order across waits, including futures that complete while the consumer is busy', T, async () => {
    const [a, b, c, d] = [new Future(), new Future(), new Future(), new Future()];
    const it = asCompleted([a, b, c, d]);
    const first = it.next();
    d[kSetResult](4);
    assert.equal((await first).value, d);
    // the consumer is busy: three complete before it asks again
    c[kSetResult](3);
    a.cancel();
    b[kSetException](new Error('b'));
    assert.deepEqual([(await it.next()).value, (await it.next()).value, (await it.next()).value], [c, a, b]);
    assert.equal((await it.next()).done, true);
  });

  test('each future once, however often it was given', T, async () => {
    const a = finished(1);
    const b = new Future();
    const it = asCompleted([a, b, a, b]);
    const all = collect(it);
    await turn();
    b[kSetResult](2);
    assert.deepEqual(await all, [a, b]);
    assert.deepEqual(await collect(asCompleted([])), []);
  });

  test('the timeout counts from the call and throws TimeoutError naming the unfinished futures; done ones come first', T, async () => {
    const [a, b, c] = [finished(1), new Future(), new Future()];
    const it = asCompleted([a, b, c], { timeout: 10 });
    assert.equal((await it.next()).value, a);
    await assert.rejects(it.next(), (e: Error) => e instanceof TimeoutError && /2 \(of 3\) futures unfinished/.test(e.message));
    assert.equal(b.statistics().waiting, 0);
    assert.equal(c.statistics().waiting, 0);
    assert.deepEqual(await it.next(), { done: true, value: undefined });
  });

  test('timeout 0: the done futures, then TimeoutError', T, async () => {
    const [a, b] = [new Future(), cancelled()];
    const seen: Future[] = [];
    await assert.rejects(async () => { for await (const f of asCompleted([a, b], { timeout: 0 })) seen.push(f); }, /1 \(of 2\) futures unfinished/);
    assert.deepEqual(seen, [b]);
    assert.equal(a.statistics().waiting, 0);
  });

  test('return() (what break calls) while futures are pending removes every listener', T, async () => {
    const [a, b, c] = [new Future(), new Future(), new Future()];
    const it = asCompleted([a, b, c]);
    const first = it.next();
    assert.deepEqual([a, b, c].map((f) => f.statistics().waiting), [1, 1, 1]);
    b[kSetResult](2);
    assert.equal((await first).value, b);
    assert.deepEqual(await it.return(), { done: true, value: undefined });
    assert.deepEqual([a, b, c].map((f) => f.statistics().waiting), [0, 0, 0]);
    assert.deepEqual(await it.next(), { done: true, value: undefined });
    a[kSetResult](1);
  });

  test('for-await with break leaves no listener behind', T, async () => {
    const [a, b, c] = [finished(1), new Future(), new Future()];
    for await (const f of asCompleted([a, b, c])) {
      assert.equal(f, a);
      assert.equal(b.statistics().waiting, 1);
      break;
    }
    // the iterator subscribed b and c at its first step; break removed them
    assert.equal(b.statistics().waiting, 0);
    assert.equal(c.statistics().waiting, 0);
  });

  test('a signal aborts the iteration with its reason and removes the listeners', T, async () => {
    const a = new Future();
    const controller = new AbortController();
    const it = asCompleted([a], { signal: controller.signal });
    const step = it.next();
    controller.abort('stop');
    await assert.rejects(step, (e) => e === 'stop');
    assert.equal(a.statistics().waiting, 0);
    assert.equal((await it.next()).done, true);
  });

  test('typing: a for-await variable is the future (TypeScript would otherwise type it as the awaited result)', T, async () => {
    const fs: Future<number>[] = [finished(1), finished(2)];
    let sum = 0;
    for await (const f of asCompleted(fs)) {
      const same: Future<number> = f;
      sum += await same.result();
      // @ts-expect-error -- f is a Future<number>, not the number it will give
      const wrong: number = f;
      void wrong;
    }
    assert.equal(sum, 3);
  });

  test('bad arguments throw ERR_INVALID_ARG at the call', T, () => {
    assert.throws(() => asCompleted([new Future()], { timeout: -1 }), { code: 'ERR_INVALID_ARG' });
    assert.throws(() => asCompleted([{}] as never), { name: 'TypeError', code: 'ERR_INVALID_ARG' });
    assert.throws(() => asCompleted(null as never), { code: 'ERR_INVALID_ARG' });
  });
});
