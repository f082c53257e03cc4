/**
 * Whole programs, run as subprocesses: TypeScript under tsx, plain
 * JavaScript, CommonJS; isMain; thread lifetimes at program exit; the
 * Python-style report of an error in a thread.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runProgram, tsxBin } from '../helpers/programs.js';

const T = { timeout: 60_000 };
const programs = new URL('../fixtures/programs/', import.meta.url).pathname;

const tsExpected = [
  'main: start',
  'thread: hello typescript',
  'main: joined 24',
  'thread: SUBCLASS',
  'main: error undefined',
].join('\n');

test('a TypeScript program run with `tsx prog.ts` starts threads whose targets live in .ts modules', T, async () => {
  const result = await runProgram(tsxBin, ['ts-program.ts'], { cwd: programs });
  assert.equal(result.stderr, '');
  assert.equal(result.stdout.trim(), tsExpected);
  assert.equal(result.code, 0);
});

test('a TypeScript program run with `node --import tsx prog.ts` does too', T, async () => {
  const result = await runProgram(process.execPath, ['--import', 'tsx', 'ts-program.ts'], { cwd: programs });
  assert.equal(result.stderr, '');
  assert.equal(result.stdout.trim(), tsExpected);
  assert.equal(result.code, 0);
});

test('a plain JavaScript program works with no loader', T, async () => {
  const result = await runProgram(process.execPath, ['js-program.mjs'], { cwd: programs });
  assert.equal(result.stderr, '');
  assert.equal(result.stdout.trim(), 'main: start\nthread: hello javascript\nmain: joined 24');
  assert.equal(result.code, 0);
});

test('a CommonJS program works, with isMain(module)', T, async () => {
  const result = await runProgram(process.execPath, ['cjs-program.cjs'], { cwd: programs });
  assert.equal(result.stderr, '');
  assert.equal(result.stdout.trim(), 'main: start\nthread: hello commonjs\nmain: joined 22');
  assert.equal(result.code, 0);
});

test('isMain is true only for the entry module, in the main thread', T, async () => {
  const result = await runProgram(process.execPath, ['is-main.mjs'], { cwd: programs });
  assert.equal(result.stdout.trim(), [
    'module top level: isMain=true',
    'main: isMain=true helper=false',
    'module top level: isMain=false', // the thread imports the module; its main block stays out
    'thread: isMain=false helper=false',
  ].join('\n'));
  assert.equal(result.code, 0);
});

test('a non-daemon thread keeps the program alive until it ends', T, async () => {
  const result = await runProgram(process.execPath, ['lifetime.mjs', 'nondaemon'], { cwd: programs });
  assert.equal(result.stdout.trim(), 'main: done\nthread: done');
  assert.equal(result.code, 0);
});

test('a daemon thread does not keep the program alive, and ends with it', T, async () => {
  const result = await runProgram(process.execPath, ['lifetime.mjs', 'daemon'], { cwd: programs, timeout: 15_000 });
  assert.equal(result.signal, null, 'the program had to be killed: the daemon thread kept it alive');
  assert.equal(result.code, 0);
  assert.match(result.stdout, /main: done/);
  assert.doesNotMatch(result.stdout, /unreachable/);
});

test('an error thrown in a thread is printed as Python prints it, and the program goes on', T, async () => {
  const result = await runProgram(process.execPath, ['exception.mjs'], { cwd: programs });
  assert.match(result.stderr, /^Exception in thread Thread-1:\nTypeError: bad thing\n\s+at (?:Thread\.)?fails/);
  assert.equal(result.stdout.trim(), 'main: continues (TypeError: bad thing)');
  assert.equal(result.code, 0);
});
