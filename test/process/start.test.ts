/**
 * How a child starts (issue 11, part 5): it starts its link to the hub only
 * when it needs it, loads weft's bundle from V8's code cache and turns on
 * Node's compile cache where Node has one, and may be a spare made ahead of
 * time — with Python's semantics kept: a fresh process per Process, fresh
 * module globals, the environment and working directory of the moment of
 * `start()`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, symlinkSync } from 'node:fs';
import * as nodeModule from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Lock } from '../../src/multiprocessing.js';
import { Process } from '../../src/runner/process.js';
import { spareProcesses } from '../../src/runner/spare-processes.js';
import { compileCacheDir, privateCacheDir } from '../../src/internal/compile-cache.js';
import { LiveProgram, allGone, pidsOf } from '../helpers/live-program.js';
import { repoRoot, runProgram } from '../helpers/programs.js';
import { checkNoProcessesLeft, reportFiles } from '../helpers/processes.js';
import * as targets from '../fixtures/start-targets.js';
import { noop } from '../fixtures/process-targets.js';

const T = { timeout: 60_000 };
const { out, read } = reportFiles('weft-start-');
const ENV = 'WEFT_START_TEST';
checkNoProcessesLeft();

async function run(p: Process<any>): Promise<Process<any>> {
  p.start();
  assert.equal(await p.join({ timeout: 30_000 }), true, `${p.name} did not end`);
  assert.equal(p.exitcode, 0, `${p.name} failed: ${String(p.error?.stack)}`);
  return p;
}

/** Lets the turn of the event loop that started a process end: the spare is made then. */
const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

test('a child whose target touches no process-scope object starts no link to the hub, and ends cleanly', T, async () => {
  const path = out();
  await run(new Process({ target: targets.reportStart, args: [path, ENV] }));
  assert.equal(read(path).link, 'None');
});

test('a child given a process-scope Lock has its link on the way before its target runs, and uses the lock at once', T, async () => {
  const lock = new Lock();
  const path = out();
  await run(new Process({ target: targets.useLockAtOnce, args: [path, lock] }));
  const seen = read(path);
  assert.notEqual(seen.link, 'None');
  assert.equal(seen.acquired, true);
  assert.equal(lock.acquireSync({ timeout: 0 }), true, 'the child released the lock');
  lock.release();
});

test("a child's link is started by its main thread as it starts a thread, so it outlives that thread", T, async () => {
  const path = out();
  await run(new Process({ target: targets.hubFromAThread, args: [path] }));
  const seen = read(path);
  assert.notEqual(seen.linkAfterStart, 'None');
  assert.equal(seen.inThread, 42);
  assert.equal(seen.afterThread, 2, 'the hub still answers once the thread that used it first has ended');
});

test("the compile cache is the user's private directory where Node has one, and nothing where it has not", T, async () => {
  const path = out();
  await run(new Process({ target: targets.reportStart, args: [path, ENV] }));
  const cache = compileCacheDir();
  if (typeof (nodeModule as { enableCompileCache?: unknown }).enableCompileCache !== 'function') {
    assert.equal(cache, undefined);
    return;
  }
  assert.ok(cache !== undefined);
  const stat = lstatSync(cache);
  assert.equal(stat.mode & 0o777, 0o700);
  const reported = read(path).compileCache;
  // Node ≥ 22.8 says which directory the child uses.
  if (reported !== null) assert.ok(String(reported).startsWith(cache), `${String(reported)} is not in ${cache}`);
});

test('a compile-cache directory that others could use, or that is not a directory of ours, is not used', T, () => {
  const base = mkdtempSync(join(tmpdir(), 'weft-cache-base-'));
  try {
    const made = privateCacheDir(base);
    assert.ok(made !== undefined);
    assert.equal(lstatSync(made).mode & 0o777, 0o700);
    assert.equal(privateCacheDir(base), made, 'an existing private directory is used again');

    const open = mkdtempSync(join(tmpdir(), 'weft-cache-open-'));
    mkdirSync(join(open, `.weft-compile-cache-${process.getuid!()}`), { mode: 0o755 });
    assert.equal(privateCacheDir(open), undefined);

    const linked = mkdtempSync(join(tmpdir(), 'weft-cache-link-'));
    symlinkSync(made, join(linked, `.weft-compile-cache-${process.getuid!()}`));
    assert.equal(privateCacheDir(linked), undefined);
    rmSync(open, { recursive: true, force: true });
    rmSync(linked, { recursive: true, force: true });
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
});

test('a spare child runs the next Process as a fresh process, with the environment and directory of that moment', T, async () => {
  process.env[ENV] = 'one';
  try {
    // Two starts make starting a habit; the spare made after each is for the environment now.
    await run(new Process({ target: noop }));
    await turn();
    await run(new Process({ target: noop }));
    await turn();
    const spare = spareProcesses.pid;
    assert.equal(typeof spare, 'number', 'a spare waits');

    const path = out();
    const p = await run(new Process({ target: targets.reportStart, args: [path, ENV] }));
    assert.equal(p.pid, spare, 'the spare ran it');
    const seen = read(path);
    assert.equal(seen.env, 'one');
    assert.equal(seen.cwd, process.cwd());
    assert.equal(seen.imports, 1, "the target's module is imported once, after the spare was taken");
    assert.equal(seen.link, 'None');
  } finally {
    delete process.env[ENV];
  }
});

test('a spare made before the environment or working directory changed is not used; it ends', T, async () => {
  await run(new Process({ target: noop }));
  await turn();
  const before = spareProcesses.pid;
  assert.equal(typeof before, 'number');
  process.env[ENV] = 'changed';
  try {
    const path = out();
    const p = await run(new Process({ target: targets.reportStart, args: [path, ENV] }));
    assert.notEqual(p.pid, before);
    assert.equal(read(path).env, 'changed');
    await allGone([before!], 20_000);
  } finally {
    delete process.env[ENV];
  }

  await turn();
  const spare = spareProcesses.pid;
  assert.equal(typeof spare, 'number');
  // Inside the repository, where the child's `--import tsx` still resolves.
  const elsewhere = join(repoRoot, 'test', 'fixtures');
  const home = process.cwd();
  process.chdir(elsewhere);
  try {
    const path = out();
    const p = await run(new Process({ target: targets.reportStart, args: [path, ENV] }));
    assert.notEqual(p.pid, spare);
    assert.equal(read(path).cwd, elsewhere);
    await allGone([spare!], 20_000);
  } finally {
    process.chdir(home);
  }
});

for (const end of ['exit', 'sigkill'] as const) {
  test(`a spare nobody used ends with its parent (${end})`, T, async () => {
    const program = new LiveProgram(['test/fixtures/programs/spare-lifetime.ts', end], 60_000);
    const [line] = await program.linesMatching(/^spare \d+$/, 1);
    const [spare] = pidsOf([line]);
    const { code, signal } = await program.exited;
    assert.equal(end === 'exit' ? code : signal, end === 'exit' ? 0 : 'SIGKILL', program.stderr);
    await allGone([spare], 20_000);
    assert.equal(program.stderr, '', 'the spare said nothing');
  });
}

/** Runs the bundle's process program with its own temporary directory; the bundle caches under it. */
async function runBundleProgram(tmp: string, env: NodeJS.ProcessEnv = {}): Promise<void> {
  const result = await runProgram(process.execPath, ['test/fixtures/programs/process-bundle.mjs'], { timeout: 50_000, env: { TMPDIR: tmp, ...env } });
  assert.equal(result.stderr, '');
  assert.equal(result.stdout, 'hello from Process-1, bundle\nexitcode 0\n');
}

const bundleCaches = (tmp: string): string[] => {
  const cache = join(tmp, `.weft-compile-cache-${process.getuid!()}`);
  return existsSync(cache) ? readdirSync(cache).filter((name) => name.startsWith('weft-body-')).map((name) => join(cache, name)) : [];
};

test("the bundle's compiled code is cached by the first processes that load it, and used by the next", T, async (t) => {
  if (!existsSync(`${repoRoot}dist/weft.js`)) return t.skip('dist/ is not built (npm run build)');
  const tmp = mkdtempSync(join(tmpdir(), 'weft-bundle-cache-'));
  try {
    await runBundleProgram(tmp);
    const written = bundleCaches(tmp);
    // The program and its child run with different flags (the child's -e script): a cache each.
    assert.equal(written.length, 2, String(written));
    for (const file of written) assert.equal(statSync(file).mode & 0o777, 0o600);
    const before = written.map((file) => statSync(file).mtimeMs);
    await runBundleProgram(tmp);
    assert.deepEqual(bundleCaches(tmp), written, 'no new cache');
    assert.deepEqual(written.map((file) => statSync(file).mtimeMs), before, 'the caches were taken, not refused and written again');
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});

test('a child loads no built-in that only some programs use (node:crypto, node:net, the ESM facade of node:fs) before its target', T, async (t) => {
  if (!existsSync(`${repoRoot}dist/weft.js`)) return t.skip('dist/ is not built (npm run build)');
  const result = await runProgram(process.execPath, ['test/fixtures/programs/child-builtins.mjs'], { timeout: 50_000 });
  assert.equal(result.stderr, '');
  assert.equal(result.stdout, 'loaded: none\nexitcode 0\n');
});

test('NODE_DISABLE_COMPILE_CACHE: the bundle runs without a cache and writes none', T, async (t) => {
  if (!existsSync(`${repoRoot}dist/weft.js`)) return t.skip('dist/ is not built (npm run build)');
  const tmp = mkdtempSync(join(tmpdir(), 'weft-bundle-cache-'));
  try {
    await runBundleProgram(tmp, { NODE_DISABLE_COMPILE_CACHE: '1' });
    assert.deepEqual(bundleCaches(tmp), []);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});
