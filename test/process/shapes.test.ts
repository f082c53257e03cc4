/**
 * Processes start from both shapes of weft: from source through tsx (a
 * `.ts` target, in a module that only resolves because tsx is loaded), and
 * from the bundle in a plain `node` program (`npm run build` first; the
 * suite's `pretest` does it).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { repoRoot, runProgram } from '../helpers/programs.js';

const T = { timeout: 60_000 };

test('from source: a .ts program run with --import tsx starts a .ts target', T, async () => {
  const result = await runProgram(process.execPath, ['--import', 'tsx', 'test/fixtures/programs/process-tree.ts', 'wait'], { timeout: 50_000 });
  assert.equal(result.stderr, '');
  assert.equal(result.stdout, 'main: done\nchild: done\n');
  assert.equal(result.code, 0);
});

test('from the bundle: a plain node program importing dist/ starts processes', T, async (t) => {
  if (!existsSync(`${repoRoot}dist/weft.js`)) return t.skip('dist/ is not built (npm run build)');
  const result = await runProgram(process.execPath, ['test/fixtures/programs/process-bundle.mjs'], { timeout: 50_000 });
  assert.equal(result.stderr, '');
  assert.equal(result.stdout, 'hello from Process-1, bundle\nexitcode 0\n');
  assert.equal(result.code, 0);
});
