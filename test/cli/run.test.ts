/**
 * `weft run <name> [flags]` prints exactly what the program prints (its
 * expected output in examples/) and leaves with its exit code.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { repoRoot } from '../helpers/programs.js';
import { anyOrder, weft } from './weft.ts';

const T = { timeout: 30_000 };
const expected = (file: string): string => readFileSync(`${repoRoot}examples/${file}`, 'utf8');

test('weft run tickets --no-lock gives the no-lock output: nine sales of one ticket', T, async () => {
  const result = await weft(['run', 'tickets', '--no-lock']);
  assert.equal(result.stderr, '');
  assert.equal(anyOrder(result.stdout), anyOrder(expected('tickets.no-lock.expected.txt')));
  assert.equal(result.code, 0);
});

test('weft run takes the program as a file of examples/ too', T, async () => {
  const result = await weft(['run', 'examples/process-isolation.ts']);
  assert.equal(result.stderr, '');
  assert.equal(result.stdout, expected('process-isolation.expected.txt'));
  assert.equal(result.code, 0);
});
