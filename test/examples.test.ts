/**
 * The tutorial's programs (examples/) print exactly what the tutorial says
 * they print.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { programs } from '../examples/programs.ts';
import { runProgram } from './helpers/programs.js';

const examples = new URL('../examples/', import.meta.url).pathname;

for (const program of programs) {
  const command = [program.file, ...(program.args ?? [])].join(' ');
  test(`examples/${command} prints the tutorial's output`, { timeout: 60_000 }, async () => {
    const result = await runProgram(process.execPath, ['--import', 'tsx', program.file, ...(program.args ?? [])], { cwd: examples, timeout: 50_000 });
    assert.equal(result.stderr, '');
    assert.equal(result.stdout, readFileSync(examples + program.expected, 'utf8'));
    assert.equal(result.code, 0);
  });
}
