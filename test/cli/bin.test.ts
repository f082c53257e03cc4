/**
 * The `weft` bin as the package ships it: dist/cli.js, run with plain node
 * (no tsx), and as an executable through its #! line.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { accessSync, constants, readFileSync } from 'node:fs';
import { repoRoot, runProgram } from '../helpers/programs.js';
import { builtCli, builtWeft } from './weft.ts';

const T = { timeout: 30_000 };
const version = (JSON.parse(readFileSync(`${repoRoot}package.json`, 'utf8')) as { version: string }).version;

test('package.json names dist/cli.js as the weft bin, and npm start runs the tour', T, () => {
  const pkg = JSON.parse(readFileSync(`${repoRoot}package.json`, 'utf8')) as { bin: Record<string, string>; scripts: Record<string, string> };
  assert.equal(pkg.bin.weft, 'dist/cli.js');
  assert.match(pkg.scripts.start, /cli\.js tour$/);
});

test('dist/cli.js runs with plain node: --version, --list, a program', T, async () => {
  const versionResult = await builtWeft(['--version']);
  assert.equal(versionResult.stdout, `${version}\n`);
  const list = await builtWeft(['tour', '--list']);
  assert.equal(list.code, 0);
  assert.match(list.stdout, /^ {2}13 {2}tickets --no-lock +Nine processes buy one ticket, no lock$/m);
  const run = await builtWeft(['run', 'process-isolation']);
  assert.equal(run.stderr, '');
  assert.equal(run.stdout, 'func1:10\nfunc2:100\nMain process:0\n');
  assert.equal(run.code, 0);
});

test('dist/cli.js is executable on its own (#!/usr/bin/env node)', T, async () => {
  assert.equal(readFileSync(builtCli, 'utf8').split('\n')[0], '#!/usr/bin/env node');
  accessSync(builtCli, constants.X_OK);
  const result = await runProgram(builtCli, ['--version']);
  assert.equal(result.stdout, `${version}\n`);
});
