/**
 * A pool's lifetime within its program. Ctrl-C while a pool works (CPython's
 * Pool prints a traceback per worker and often hangs): the program ends
 * promptly with one KeyboardInterrupt error, and no worker is left behind.
 * A pool nobody closes does not keep its program alive.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LiveProgram, allGone, pidsOf } from '../helpers/live-program.js';

const T = { timeout: 40_000 };

for (const kind of ['processes', 'threads']) {
  test(`SIGINT with tasks in flight on a pool of ${kind}: one clean error, workers reaped, no hang`, T, async () => {
    const program = new LiveProgram(['test/fixtures/programs/pool-interrupt.ts', kind], 30_000);
    const [ready] = await program.linesMatching(/^ready \d+$/, 1);
    const [pid] = pidsOf([ready]);
    const before = workerProcesses(pid);
    process.kill(pid, 'SIGINT');
    // A terminal sends SIGINT to the whole foreground group: the workers too.
    for (const worker of before) tryKill(worker, 'SIGINT');
    const exit = await program.exited;
    assert.notEqual(exit.signal, 'SIGKILL', 'the program ended by itself, it was not killed for hanging');
    assert.equal(exit.code, 1);
    assert.equal(program.stderr.match(/^KeyboardInterrupt: /gm)?.length, 1, `one error, not a storm:\n${program.stderr}`);
    assert.ok(!program.lines.includes('not reached: the results never come'));
    assert.equal(before.length, kind === 'processes' ? 2 : 0);
    await allGone(before, 5000);
  });
}

for (const kind of ['processes', 'threads']) {
  test(`a pool of ${kind} that nobody closes does not keep its program alive, and leaves no socket behind`, T, async () => {
    // The program's temporary files go to a directory of its own, which must be empty once it ends.
    const privateTmp = mkdtempSync(join(tmpdir(), 'weft-test-'));
    const savedTmp = process.env.TMPDIR;
    process.env.TMPDIR = privateTmp;
    let program: LiveProgram;
    try {
      program = new LiveProgram(['test/fixtures/programs/pool-forgotten.ts', kind], 20_000);
    } finally {
      if (savedTmp === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = savedTmp;
    }
    const exit = await program.exited;
    assert.deepEqual(exit, { code: 0, signal: null }, program.stderr);
    assert.deepEqual(program.lines, ['3']);
    assert.deepEqual(readdirSync(privateTmp).filter((name) => name.startsWith('weft-')), [], 'no socket directory left');
    rmSync(privateTmp, { recursive: true, force: true });
  });
}

/**
 * The pids of the program's pool workers: its children running this node
 * binary (tsx may have an esbuild service child too, when its cache is
 * cold). Matched on the executable, not the process name: Node 24 names its
 * main thread, and so the process, `MainThread`.
 */
function workerProcesses(parent: number): number[] {
  const children: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const executable = readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0')[0];
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === parent && executable === process.execPath) children.push(Number(name));
    } catch {
      // gone meanwhile
    }
  }
  return children;
}

function tryKill(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}
