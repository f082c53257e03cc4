/**
 * A program run as the tour runs it: its lines recorded in order, and a run
 * that will not end stopped at its time limit together with its children
 * (its process group), so a hung program hangs neither the tour nor the suite.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { startProgram } from '../../src/cli/run-program.ts';

const T = { timeout: 15_000 };

test('lines come in order on each stream, the last one without its newline too', T, async () => {
  const run = startProgram([process.execPath, '-e', 'console.log("a"); console.error("b"); setTimeout(() => process.stdout.write("c"), 50)'], { cwd: process.cwd() });
  const exit = await run.exit;
  const lines = [];
  for await (const line of run.lines()) lines.push(line);
  // Two pipes: the order between them is the operating system's; within each it is the program's.
  assert.deepEqual(lines.filter((l) => l.stream === 'stdout').map((l) => l.text), ['a', 'c']);
  assert.deepEqual(lines.filter((l) => l.stream === 'stderr').map((l) => l.text), ['b']);
  assert.equal(exit.code, 0);
  assert.equal(exit.timedOut, false);
});

test('a program past its time limit is stopped with its children', T, async () => {
  // The program starts a child that would outlive it, says the child's pid, and hangs.
  const program = `
    const { spawn } = require('node:child_process');
    const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    console.log(child.pid);
    setInterval(() => {}, 1000);`;
  const run = startProgram([process.execPath, '-e', program], { cwd: process.cwd(), timeoutMs: 1_000 });
  const exit = await run.exit;
  assert.equal(exit.timedOut, true);
  assert.equal(exit.signal, 'SIGTERM');
  let grandchild: number | undefined;
  for await (const line of run.lines()) grandchild ??= Number(line.text);
  assert.ok(grandchild !== undefined && grandchild > 0);
  assert.equal(await gone(grandchild), true, `the program's child ${grandchild} is still running`);
});

/** Whether `pid` has ended (exited or a zombie) within two seconds. */
async function gone(pid: number): Promise<boolean> {
  for (let tries = 0; tries < 40; tries++) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      if (/^[ZX]$/.test(stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3))) return true;
    } catch {
      return true;
    }
    await sleep(50);
  }
  return false;
}
