/**
 * For test files that start processes: a check after every test that no
 * child is left running (they are killed, then the test fails), and a
 * scratch directory where children write what they saw, as JSON.
 */
import { afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { activeChildren } from '../../src/runner/current-process.js';

export function checkNoProcessesLeft(): void {
  afterEach(async () => {
    const left = activeChildren();
    for (const child of left) child.kill();
    await Promise.all(left.map((child) => child.join()));
    assert.deepEqual(left.map((child) => child.name), [], 'processes left running after the test');
  });
}

/** A directory removed when the test file ends; `out()` names a new file in it, `read()` parses one. */
export function reportFiles(prefix: string): { out: () => string; read: (path: string) => Record<string, unknown> } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  let files = 0;
  return {
    out: () => join(dir, `${++files}.json`),
    read: (path) => JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>,
  };
}
