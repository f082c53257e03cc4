/**
 * threading.excepthook: what is done with the error a thread ends with.
 *
 * Ported from CPython's `Lib/test/test_threading.py` (ExceptHookTests:
 * test_excepthook, test_custom_excepthook, test_custom_excepthook_fail,
 * test_original_excepthook). Tweaks: the hook is set with setExcepthook()
 * (ES module exports cannot be assigned); it runs in the thread that
 * started the failing thread, before join() resolves, not in the dying
 * thread; excType is the class name; a failing hook prints the thread's
 * error too, not only the hook's. Output is captured by replacing
 * process.stderr.write for the duration of the test.
 */
import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { threadId } from 'node:worker_threads';
import { Thread, defaultExcepthook, getExcepthook, setExcepthook, type ExceptHookArgs } from '../../src/threading.js';
import { checkNoThreadsLeft } from '../helpers/leaks.js';
import * as targets from '../fixtures/targets.js';

const T = { timeout: 60_000 };
const JOIN = { timeout: 20_000 };
checkNoThreadsLeft();
afterEach(() => setExcepthook(null));

/** Runs `fn` with stderr captured; returns what was written. */
async function capturingStderr(fn: () => Promise<void>): Promise<string> {
  const written: string[] = [];
  const write = process.stderr.write;
  process.stderr.write = ((chunk: string | Uint8Array) => {
    written.push(String(chunk));
    return true;
  }) as typeof process.stderr.write;
  try {
    await fn();
  } finally {
    process.stderr.write = write;
  }
  return written.join('');
}

async function runFailing(target: () => unknown, name?: string): Promise<Thread> {
  const thread = new Thread({ target, name });
  thread.start();
  assert.equal(await thread.join(JOIN), true);
  return thread;
}

// ExceptHookTests.test_excepthook
test('by default a thread\'s error is printed as Python prints it: "Exception in thread <name>:" and the stack', T, async () => {
  assert.equal(getExcepthook(), defaultExcepthook);
  let thread: Thread | undefined;
  const output = await capturingStderr(async () => {
    thread = await runFailing(targets.rejectsAsync, 'failing');
  });
  assert.match(output, /^Exception in thread failing:\nRangeError: async failure\n\s+at (?:Thread\.)?rejectsAsync/);
  assert.equal(thread?.error?.message, 'async failure');
});

// ExceptHookTests.test_custom_excepthook
test('setExcepthook(hook): the hook gets the error, its class name, stack and Thread object, before join() resolves; nothing is printed', T, async () => {
  const calls: ExceptHookArgs[] = [];
  setExcepthook((args) => calls.push(args));
  assert.notEqual(getExcepthook(), defaultExcepthook);
  let joinedAfterHook = false;
  const output = await capturingStderr(async () => {
    const thread = new Thread({ target: targets.throwsCustom, name: 'quota' });
    thread.start();
    await thread.join(JOIN).then(() => { joinedAfterHook = calls.length === 1; });
    assert.equal(calls.length, 1);
    const [args] = calls;
    assert.equal(args.thread, thread, 'args.thread is not the Thread object that was started');
    assert.equal(args.excType, 'QuotaError');
    assert.equal(args.excValue, thread.error);
    assert.equal(args.excValue.message, 'quota exceeded');
    assert.equal((args.excValue as Error & { code?: string }).code, 'E_QUOTA');
    assert.match(String(args.excTraceback), /at (?:Thread\.)?throwsCustom/);
    assert.ok(Object.isFrozen(args));
  });
  assert.equal(joinedAfterHook, true, 'join() resolved before the hook ran');
  assert.equal(output, '', 'the default hook printed although a hook was set');
});

// ExceptHookTests.test_custom_excepthook_fail
test('a hook that throws: the thread\'s error and the hook\'s are both printed', T, async () => {
  setExcepthook(() => {
    throw new Error('the hook failed');
  });
  const output = await capturingStderr(async () => {
    await runFailing(targets.rejectsAsync, 'doomed');
  });
  assert.match(output, /^Exception in thread doomed:\nRangeError: async failure\n/);
  assert.match(output, /\nException in threading excepthook:\nError: the hook failed\n/);
});

test('an async hook that rejects is reported the same way, not left unhandled', T, async () => {
  let rejected!: () => void;
  const settled = new Promise<void>((resolve) => { rejected = resolve; });
  setExcepthook(async () => {
    queueMicrotask(rejected);
    throw new Error('async hook failed');
  });
  const output = await capturingStderr(async () => {
    await runFailing(targets.rejectsAsync, 'doomed');
    await settled;
    await new Promise((resolve) => setImmediate(resolve));
  });
  assert.match(output, /Exception in thread doomed:\nRangeError: async failure\n/);
  assert.match(output, /Exception in threading excepthook:\nError: async hook failed\n/);
});

// ExceptHookTests.test_original_excepthook
test('setExcepthook(null) restores the default; defaultExcepthook can be called by a hook; bad hooks are ERR_INVALID_ARG', T, async () => {
  const seen: string[] = [];
  setExcepthook((args) => {
    seen.push(args.excType);
    defaultExcepthook(args);
  });
  const output = await capturingStderr(async () => {
    await runFailing(targets.rejectsAsync, 'chained');
  });
  assert.deepEqual(seen, ['RangeError']);
  assert.match(output, /^Exception in thread chained:\nRangeError: async failure/);
  setExcepthook(null);
  assert.equal(getExcepthook(), defaultExcepthook);
  for (const bad of ['print', 1, {}, undefined]) {
    assert.throws(() => setExcepthook(bad as unknown as null), { code: 'ERR_INVALID_ARG' });
  }
  assert.equal(getExcepthook(), defaultExcepthook);
  // without a thread, the default names the calling thread by its ident (Python: get_ident())
  const bare = await capturingStderr(async () => {
    defaultExcepthook({ excType: 'Error', excValue: new Error('x'), excTraceback: undefined, thread: null });
  });
  assert.match(bare, new RegExp(`^Exception in thread ${threadId}:\\nError: x`));
});

test('a thread that ends normally does not call the hook', T, async () => {
  const calls: ExceptHookArgs[] = [];
  setExcepthook((args) => calls.push(args));
  const thread = new Thread({ target: targets.noop });
  thread.start();
  await thread.join(JOIN);
  assert.deepEqual(calls, []);
});
