/**
 * Process: Python's multiprocessing.Process contract (CPython
 * _test_multiprocessing's _TestProcess), observed from the parent. Children
 * report what they saw by writing JSON to a file the test names.
 */
import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Lock } from '../../src/threading.js';
import { Queue } from '../../src/queue.js';
import { Process } from '../../src/runner/process.js';
import { activeChildren, currentProcess, parentProcess } from '../../src/runner/current-process.js';
import { childExecArgv } from '../../src/runner/process-spawn.js';
import * as targets from '../fixtures/process-targets.js';

const T = { timeout: 30_000 };
const dir = mkdtempSync(join(tmpdir(), 'weft-process-'));
let files = 0;
const out = (): string => join(dir, `${++files}.json`);
const read = (path: string): Record<string, unknown> => JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;

afterEach(async () => {
  const left = activeChildren();
  for (const child of left) child.kill();
  await Promise.all(left.map((child) => child.join()));
  assert.deepEqual(left.map((child) => child.name), [], 'processes left running after the test');
});
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

async function run(p: Process<any>): Promise<Process<any>> {
  p.start();
  assert.equal(await p.join({ timeout: 20_000 }), true, `${p.name} did not end`);
  return p;
}

test('start, pid, isAlive, join, exitcode 0: the target runs in a child with copies of its arguments', T, async () => {
  const path = out();
  const p = new Process({ target: targets.report, args: [path, 1, 'two', { three: [3] }] });
  assert.equal(p.pid, null);
  assert.equal(p.exitcode, null);
  assert.equal(p.isAlive(), false);
  p.start();
  assert.equal(typeof p.pid, 'number');
  assert.equal(p.isAlive(), true);
  assert.equal(p.exitcode, null);
  assert.equal(await p.join(), true);
  assert.equal(p.isAlive(), false);
  assert.equal(p.exitcode, 0);
  assert.equal(p.error, undefined);
  const seen = read(path);
  assert.equal(seen.pid, p.pid);
  assert.equal(seen.ppid, process.pid);
  assert.equal(seen.name, p.name);
  assert.equal(seen.daemon, false);
  assert.deepEqual(seen.parent, { name: 'MainProcess', pid: process.pid });
  assert.equal(seen.isMain, false, "isMain() is false in the child's copy of the module");
  assert.equal(seen.argv1, null, "argv[1] of the child is not the user's module");
  assert.deepEqual(seen.args, [1, 'two', { three: [3] }]);
});

test('an async target: exit code 0 once its promise resolves', T, async () => {
  const p = await run(new Process({ target: targets.sleepThenReturn, args: [50] }));
  assert.equal(p.exitcode, 0);
});

test('module globals are fresh in every process', T, async () => {
  const first = out();
  const second = out();
  await run(new Process({ target: targets.bump, args: [first, 10] }));
  await run(new Process({ target: targets.bump, args: [second, 100] }));
  assert.deepEqual(read(first), { counter: 10 });
  assert.deepEqual(read(second), { counter: 100 });
  assert.equal(targets.counter, 0);
});

test('a thrown error: exit code 1, the error in the parent with name, message, stack, cause, code', T, async () => {
  const p = await run(new Process({ target: targets.throws, args: ['boom'] }));
  assert.equal(p.exitcode, 1);
  const error = p.error as Error & { code?: string };
  assert.ok(error instanceof Error);
  assert.equal(error.name, 'CodedError');
  assert.equal(error.message, 'boom');
  assert.equal(error.code, 'E_CODED');
  assert.match(error.stack ?? '', /process-targets\.ts/);
  assert.ok(error.cause instanceof RangeError);
  assert.equal((error.cause as Error).message, 'the cause');
});

test('a rejected promise: exit code 1 and the error', T, async () => {
  const p = await run(new Process({ target: targets.rejects, args: ['nope'] }));
  assert.equal(p.exitcode, 1);
  assert.ok(p.error instanceof TypeError);
  assert.equal(p.error.message, 'nope');
});

test('process.exit(n) in the target: exit code n, also after an await', T, async () => {
  assert.equal((await run(new Process({ target: targets.exitWith, args: [7] }))).exitcode, 7);
  assert.equal((await run(new Process({ target: targets.exitWithAfterAwait, args: [0] }))).exitcode, 0);
  assert.equal((await run(new Process({ target: targets.exitWithAfterAwait, args: [4] }))).exitcode, 4);
});

test('terminate() and kill(): exit code -15 and -9', T, async () => {
  const a = new Process({ target: targets.busy, args: [60_000] });
  const b = new Process({ target: targets.busy, args: [60_000] });
  a.start();
  b.start();
  a.terminate();
  b.kill();
  assert.equal(await a.join(), true);
  assert.equal(await b.join(), true);
  assert.equal(a.exitcode, -15);
  assert.equal(b.exitcode, -9);
  assert.match(String(a), /stopped\[SIGTERM\]/);
  a.terminate(); // no-op once ended
});

test('join with a timeout is false while running; an aborted signal rejects', T, async () => {
  const p = new Process({ target: targets.busy, args: [60_000] });
  p.start();
  assert.equal(await p.join({ timeout: 0 }), false);
  assert.equal(await p.join({ timeout: 30 }), false);
  const reason = new Error('enough');
  await assert.rejects(p.join({ signal: AbortSignal.abort(reason) }), (e: unknown) => e === reason);
  p.kill();
  assert.equal(await p.join(), true);
});

test('misuse: start twice, join before start, daemon after start, close while running, use after close', T, async () => {
  const p = new Process({ target: targets.busy, args: [60_000] });
  await assert.rejects(p.join(), { code: 'ERR_NOT_STARTED' });
  p.start();
  assert.throws(() => p.start(), { code: 'ERR_ALREADY_STARTED' });
  assert.throws(() => { p.daemon = true; }, { code: 'ERR_ALREADY_STARTED' });
  assert.throws(() => p.close(), { code: 'ERR_STILL_RUNNING', message: /join\(\) or terminate\(\)/ });
  p.kill();
  await p.join();
  p.close();
  p.close();
  assert.throws(() => p.pid, { code: 'ERR_PROCESS_CLOSED', message: /process object is closed/ });
  assert.throws(() => p.exitcode, { code: 'ERR_PROCESS_CLOSED' });
  assert.throws(() => p.isAlive(), { code: 'ERR_PROCESS_CLOSED' });
  assert.throws(() => p.terminate(), { code: 'ERR_PROCESS_CLOSED' });
  assert.throws(() => p.start(), { code: 'ERR_PROCESS_CLOSED' });
  await assert.rejects(p.join(), { code: 'ERR_PROCESS_CLOSED' });
  assert.equal(p.name.startsWith('Process-'), true);
});

test('currentProcess(), parentProcess() in the root; joining itself is ERR_JOIN_SELF', T, async () => {
  const me = currentProcess();
  assert.equal(me.name, 'MainProcess');
  assert.equal(me.pid, process.pid);
  assert.equal(me.daemon, false);
  assert.equal(me.isAlive(), true);
  assert.equal(currentProcess(), me);
  assert.equal(parentProcess(), null);
  await assert.rejects(me.join(), { code: 'ERR_JOIN_SELF' });
});

test('default names are Process-N; a child names its children Process-N:M', T, async () => {
  const a = new Process({ target: targets.noop });
  const b = new Process({ target: targets.noop });
  const na = Number(/^Process-(\d+)$/.exec(a.name)?.[1]);
  assert.equal(b.name, `Process-${na + 1}`);
  const path = out();
  const parent = await run(new Process({ target: targets.startGrandchild, args: [path] }));
  assert.equal(parent.exitcode, 0);
  const seen = read(path);
  assert.equal(seen.name, `${parent.name}:1`);
  assert.deepEqual(seen.parent, { name: parent.name, pid: parent.pid });
});

test('activeChildren() lists running children only', T, async () => {
  const p = new Process({ target: targets.busy, args: [60_000] });
  assert.deepEqual(activeChildren(), []);
  p.start();
  assert.deepEqual(activeChildren(), [p]);
  p.kill();
  await p.join();
  assert.deepEqual(activeChildren(), []);
});

test('a Process subclass overriding run(): its fields are copied in', T, async () => {
  const path = out();
  const p = new targets.ReportingProcess({ name: 'reporter' });
  Object.assign(p, { out: path, count: 5 });
  await run(p);
  assert.equal(p.exitcode, 0, String(p.error?.stack));
  assert.deepEqual(read(path), { greeting: 'hello', count: 5, name: 'reporter', self: true });
});

test('a daemon process cannot start children: ERR_DAEMON_CHILDREN', T, async () => {
  const path = out();
  const p = await run(new Process({ target: targets.tryToStartChild, args: [path], daemon: true }));
  assert.equal(p.exitcode, 0);
  assert.deepEqual(read(path), { code: 'ERR_DAEMON_CHILDREN' });
});

test('thread-scope weft objects fail at start() with ERR_WRONG_SCOPE, naming weft/multiprocessing', T, () => {
  assert.throws(() => new Process<unknown[]>({ target: targets.noop as (...args: unknown[]) => void, args: [new Lock()] }).start(), {
    code: 'ERR_WRONG_SCOPE',
    message: /Lock from 'weft\/threading'.*args.*import \{ Lock \} from 'weft\/multiprocessing'/s,
  });
  assert.throws(() => new Process<unknown[]>({ target: targets.noop as (...args: unknown[]) => void, args: [{ nested: [new Queue()] }] }).start(), {
    code: 'ERR_WRONG_SCOPE',
    message: /weft\/multiprocessing/,
  });
  const p = new targets.ReportingProcess();
  Object.assign(p, { lock: new Lock() });
  assert.throws(() => p.start(), { code: 'ERR_WRONG_SCOPE', message: /in this/ });
  assert.deepEqual(activeChildren(), []);
});

test('unserialisable arguments fail at start() with ERR_NOT_SERIALIZABLE', T, () => {
  assert.throws(() => new Process<unknown[]>({ target: targets.noop as (...args: unknown[]) => void, args: [() => 1] }).start(), { code: 'ERR_NOT_SERIALIZABLE' });
  assert.deepEqual(activeChildren(), []);
});

test('a target that is not exported: the child fails with ERR_TARGET_NOT_EXPORTED', T, async () => {
  const p = await run(new Process({ target: function hidden() {} }));
  assert.equal(p.exitcode, 1);
  assert.equal((p.error as { code?: string }).code, 'ERR_TARGET_NOT_EXPORTED');
});

test('no zombies: 30 children that are never joined are reaped as they end', { timeout: 120_000 }, async () => {
  const children = Array.from({ length: 30 }, () => new Process({ target: targets.noop }));
  for (const child of children) child.start();
  // Their exit codes are set by the exit event, which Node's reaping (waitpid) raises.
  while (children.some((child) => child.exitcode === null)) await new Promise((resolve) => setTimeout(resolve, 10));
  assert.deepEqual(children.map((child) => child.exitcode), children.map(() => 0));
  assert.deepEqual(zombieChildren(), []);
});

test("the child's execArgv: the parent's loaders, without its script or test-runner flags", T, () => {
  assert.deepEqual(
    childExecArgv(['--import', 'tsx', '--test', '--test-reporter=spec', '-e', 'code', '--enable-source-maps', '--inspect=9229', '--max-old-space-size=100']),
    ['--import', 'tsx', '--enable-source-maps', '--max-old-space-size=100'],
  );
  // A test-runner flag's value as the next word goes with it (else the child runs it as its script).
  assert.deepEqual(childExecArgv(['--test-name-pattern', 'MPMC', '--test-concurrency', '1', '--stack-size=2000']), ['--stack-size=2000']);
});

function zombieChildren(): number[] {
  const found: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (fields[0] === 'Z' && Number(fields[1]) === process.pid) found.push(Number(name));
    } catch {
      // gone
    }
  }
  return found;
}
