/**
 * Lifetimes of child processes, with real process trees
 * (test/fixtures/programs/process-tree.ts): a program's normal end waits for
 * its non-daemon children; daemon children end with their parent however it
 * ends (SIGKILL too), within the grace period; non-daemon children of a
 * killed parent run on as orphans (and the test kills them). Every step
 * synchronises on lines the programs print.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LiveProgram, allGone, killAll, pidsOf, running } from '../helpers/live-program.js';

const T = { timeout: 60_000 };
const PROGRAM = 'test/fixtures/programs/process-tree.ts';
/** Daemons must be gone within 1 s of their parent; the margin is for a loaded machine. */
const GONE_MS = 3_000;

async function startTree(mode: string, ending: string, sync = false): Promise<{ program: LiveProgram; children: number[] }> {
  const program = new LiveProgram([PROGRAM, mode, ending, ...(sync ? ['sync'] : [])]);
  await program.linesMatching(/^parent \d+$/, 1);
  const children = pidsOf(await program.linesMatching(/^ready \d+$/, 2));
  assert.ok(children.every(running), 'children run');
  return { program, children };
}

for (const ending of ['normal', 'throw', 'exit', 'SIGTERM', 'SIGKILL']) {
  test(`daemon children end when their parent ends: ${ending}`, T, async () => {
    const { program, children } = await startTree('daemons', ending);
    try {
      if (ending.startsWith('SIG')) program.child.kill(ending as NodeJS.Signals);
      else program.child.stdin!.write('go\n');
      const { code, signal } = await program.exited;
      const expected = { normal: [0, null], throw: [1, null], exit: [3, null], SIGTERM: [null, 'SIGTERM'], SIGKILL: [null, 'SIGKILL'] }[ending];
      assert.deepEqual([code, signal], expected, program.stderr);
      await allGone(children, GONE_MS);
    } finally {
      await killAll(children);
    }
  });
}

test('a daemon busy in synchronous code still ends when its parent is killed', T, async () => {
  const { program, children } = await startTree('daemons', 'SIGKILL', true);
  try {
    program.child.kill('SIGKILL');
    await program.exited;
    await allGone(children, GONE_MS);
  } finally {
    await killAll(children);
  }
});

test('non-daemon children of a parent killed with SIGKILL run on as orphans', T, async () => {
  const { program, children } = await startTree('orphans', 'SIGKILL');
  try {
    program.child.kill('SIGKILL');
    await program.exited;
    assert.ok(children.every(running), 'the orphans still run');
  } finally {
    await killAll(children);
  }
});

test("a program's normal end waits for its non-daemon children", T, async () => {
  const program = new LiveProgram([PROGRAM, 'wait']);
  const { code } = await program.exited;
  assert.equal(code, 0, program.stderr);
  assert.deepEqual(program.lines, ['main: done', 'child: done']);
});
