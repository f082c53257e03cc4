#!/usr/bin/env node
// Runs every test file under test/ with Node's test runner (TypeScript
// through tsx), one file at a time, then checks that the suite left no
// process behind: a leaked child is a lifetime bug, and fails the run.
// (Leaked threads are caught inside each test file: see test/helpers/leaks.ts.)
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

function testFiles(dir) {
  const found = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) found.push(...testFiles(path));
    else if (entry.name.endsWith('.test.ts')) found.push(relative(root, path));
  }
  return found.sort();
}

const filter = process.argv.slice(2);
const files = testFiles(join(root, 'test')).filter((f) => filter.length === 0 || filter.some((part) => f.includes(part)));
// Every process the suite starts inherits this mark in its environment; the
// leak check looks for it, so it never mistakes someone else's process for ours.
const runMark = `${process.pid}-${Date.now()}`;
// --test-force-exit: a test file whose test timed out with a thread still
// blocked must still end, not hang the suite. The suite as a whole is bounded
// too (SUITE_TIMEOUT_MS), so CI never waits forever.
const SUITE_TIMEOUT_MS = 30 * 60_000;
const run = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=1', '--test-force-exit', ...files], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, WEFT_TEST_RUN: runMark },
  timeout: SUITE_TIMEOUT_MS,
  killSignal: 'SIGKILL',
});
if (run.error !== undefined) console.error(`\nthe test run did not finish: ${run.error.message}`);

const leftovers = strayProcesses();
if (leftovers.length > 0) {
  console.error(`\n${leftovers.length} process(es) started by the suite are still running:`);
  for (const p of leftovers) console.error(`  pid ${p.pid}: ${p.cmd}`);
  for (const p of leftovers) {
    try { process.kill(p.pid, 'SIGKILL'); } catch { /* already gone */ }
  }
  process.exitCode = 1;
} else {
  console.log('\nleak check: no process left behind');
}
if (run.status !== 0) process.exitCode = run.status ?? 1;

/** Live processes carrying this run's mark (zombies have already exited and are not counted). */
function strayProcesses() {
  const out = [];
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name)).map(Number)) {
    if (pid === process.pid) continue;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
      if (state === 'Z' || state === 'X') continue;
      const environ = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
      if (!environ.includes(`WEFT_TEST_RUN=${runMark}`)) continue;
      out.push({ pid, cmd: readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim() });
    } catch {
      // gone, or not ours to read
    }
  }
  return out;
}
