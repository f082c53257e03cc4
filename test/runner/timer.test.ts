/**
 * Timer: Python's `threading.Timer` — a Thread that calls its function after
 * an interval unless cancelled first.
 *
 * Ported in spirit from CPython's `Lib/test/test_threading.py` (TimerTests:
 * test_init_immutable_default_args, and the documented cancel/fire
 * behaviour). Tweaks: the interval is in ms; "waits before it fires" is not
 * checked with the clock (no timed assertions): a cancel is made while the
 * timer's thread is known to sleep on `finished` (waitForWaiters), with an
 * interval far longer than the test, so the call can only be prevented by the
 * cancel itself.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Thread, Timer, Value } from '../../src/threading.js';
import { waitForWaiters } from '../../src/testing/index.js';
import { checkNoThreadsLeft } from '../helpers/leaks.js';
import * as targets from '../fixtures/targets.js';
import * as hidden from '../fixtures/not-exported.js';

const T = { timeout: 60_000 };
const JOIN = { timeout: 20_000 };
const LONG_MS = 10 * 60_000; // never reached: these timers are cancelled
checkNoThreadsLeft();

test('a Timer is a Thread that calls fn(...args) once its interval has passed', T, async () => {
  const count = new Value<number>('i', 0);
  const timer = new Timer(20, targets.timerFired, [count, 5]);
  assert.ok(timer instanceof Thread);
  assert.match(timer.name, /^Thread-\d+$/, 'Python names a Timer Thread-N');
  assert.equal(timer.interval, 20);
  assert.equal(timer.isAlive(), false);
  timer.start();
  assert.equal(await timer.join(JOIN), true);
  assert.equal(count.value, 5, 'fn was not called');
  assert.equal(timer.error, undefined);
  assert.equal(timer.isAlive(), false);
  assert.equal(timer.finished.isSet(), true, 'finished is set once the timer is done');
  // cancel() after it fired is harmless
  timer.cancel();
  assert.equal(count.value, 5);
  assert.throws(() => timer.start(), { code: 'ERR_ALREADY_STARTED' });
});

test('cancel() while the timer waits wakes its thread at once, and fn is not called', T, async () => {
  const count = new Value<number>('i', 0);
  const timer = new Timer(LONG_MS, targets.timerFired, [count, 1]);
  timer.start();
  assert.equal(timer.isAlive(), true);
  await waitForWaiters(timer.finished, 1, JOIN); // the timer's thread sleeps on finished
  timer.cancel();
  assert.equal(await timer.join(JOIN), true, 'the cancelled timer did not end');
  assert.equal(count.value, 0, 'a cancelled timer called fn');
  assert.equal(timer.error, undefined);
});

test('cancel() before start(): the thread runs and ends without calling fn', T, async () => {
  const count = new Value<number>('i', 0);
  const timer = new Timer(0, targets.timerFired, [count, 1]);
  timer.cancel();
  timer.start();
  assert.equal(await timer.join(JOIN), true);
  assert.equal(count.value, 0);
});

test('join() with a timeout returns false while the timer waits; options name and daemon are a Thread\'s', T, async () => {
  const count = new Value<number>('i', 0);
  const timer = new Timer(LONG_MS, targets.timerFired, [count, 1], { name: 'alarm', daemon: true });
  assert.equal(timer.name, 'alarm');
  assert.equal(timer.daemon, true);
  timer.start();
  assert.equal(await timer.join({ timeout: 0 }), false);
  timer.cancel();
  assert.equal(await timer.join(JOIN), true);
  assert.equal(count.value, 0);
});

test('an fn that throws is the timer thread\'s error, as a Thread target\'s', T, async () => {
  const timer = new Timer(0, targets.timerThrows, ['ring']);
  const written: string[] = [];
  const write = process.stderr.write;
  process.stderr.write = ((chunk: string) => { written.push(String(chunk)); return true; }) as typeof process.stderr.write;
  try {
    timer.start();
    assert.equal(await timer.join(JOIN), true);
  } finally {
    process.stderr.write = write;
  }
  assert.match(String(timer.error?.message), /ring/);
  assert.equal(timer.finished.isSet(), true);
});

test('bad arguments are ERR_INVALID_ARG; an fn that is not exported fails at start()', T, () => {
  for (const bad of [-1, NaN, Infinity, '10', undefined]) {
    assert.throws(() => new Timer(bad as number, targets.noop), { code: 'ERR_INVALID_ARG' }, `interval ${String(bad)}`);
  }
  assert.throws(() => new Timer(1, 'noop' as unknown as () => void), { code: 'ERR_INVALID_ARG' });
  assert.throws(() => new Timer(1, targets.noop, [], null as unknown as undefined), { code: 'ERR_INVALID_ARG' });
  const timer = hidden.timerOfHidden();
  assert.throws(() => timer.start(), (error: Error & { code?: string }) => {
    assert.equal(error.code, 'ERR_TARGET_NOT_EXPORTED');
    assert.match(error.message, /"local"/);
    return true;
  });
  assert.equal(timer.isAlive(), false);
});
