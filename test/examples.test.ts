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
  test(`examples/${command} prints the tutorial's output`, { timeout: 150_000 }, async (t) => {
    const result = await runProgram(process.execPath, ['--import', 'tsx', program.file, ...(program.args ?? [])], { cwd: examples, timeout: 140_000 });
    assert.equal(result.stderr, '');
    const expected = readFileSync(examples + program.expected, 'utf8');
    if (program.skippedOutput?.test(result.stdout) === true) {
      assert.equal(result.code, 0);
      t.skip(result.stdout.trim());
      return;
    }
    if (result.stdout !== expected && program.loadedMachineOutput?.test(result.stdout) === true) {
      t.diagnostic(`printed ${JSON.stringify(result.stdout)}: the machine was too loaded to start every thread inside the race's window`);
      assert.equal(result.code, 0);
      return;
    }
    assert.equal(program.anyOrder === true ? anyOrder(result.stdout) : result.stdout, program.anyOrder === true ? anyOrder(expected) : expected);
    assert.equal(result.code, 0);
  });
}

/** The output with the lines between the first and the last sorted: for programs whose processes print concurrently. */
function anyOrder(output: string): string {
  const lines = output.split('\n');
  if (lines.length < 4) return output;
  return [lines[0], ...lines.slice(1, -2).sort(), ...lines.slice(-2)].join('\n');
}
