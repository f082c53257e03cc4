/**
 * `weft tour`: a heading, the concept, the program's output indented, what
 * to notice. Off a terminal: no progress line, no carriage returns, and no
 * colour unless FORCE_COLOR asks for it and NO_COLOR does not forbid it.
 * On a terminal (a pseudo-terminal from `script`): the progress line.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { programs } from '../../examples/programs.ts';
import { repoRoot, runProgram } from '../helpers/programs.js';
import { ESCAPE, SGR, weft } from './weft.ts';

const T = { timeout: 30_000 };
// The quickest program: the tour's shape without its wait.
const isolation = programs.find((p) => p.file === 'process-isolation.ts')!;

test('the tour shows heading, concept, indented output and notice, plainly in a pipe', T, async () => {
  const result = await weft(['tour', 'process-isolation']);
  assert.equal(result.code, 0);
  assert.equal(result.stderr, '');
  assert.doesNotMatch(result.stdout, ESCAPE);
  assert.ok(!result.stdout.includes('\r'), 'no carriage return in a pipe');
  const lines = result.stdout.split('\n');
  const heading = lines.indexOf(`[1/1] ${isolation.title}  weft run process-isolation`);
  assert.ok(heading >= 0, result.stdout);
  assert.deepEqual(lines.slice(heading + 1, heading + 6), [isolation.concept, '', '    func1:10', '    func2:100', '    Main process:0']);
  assert.match(lines[heading + 6], /^ {4}\(\d+\.\d s\)$/);
  assert.equal(lines[heading + 7], `Notice: ${isolation.notice}`);
  assert.match(result.stdout, /^1 program in \d+\.\d s\.$/m);
});

test('FORCE_COLOR colours a pipe, NO_COLOR wins over it', T, async () => {
  const forced = await weft(['tour', 'process-isolation'], { env: { NO_COLOR: undefined, FORCE_COLOR: '1' } });
  assert.equal(forced.code, 0);
  assert.match(forced.stdout, SGR, 'FORCE_COLOR=1 colours');
  assert.ok(!forced.stdout.includes('\r'), 'colour, but still no progress line off a terminal');
  const both = await weft(['tour', 'process-isolation'], { env: { NO_COLOR: '1', FORCE_COLOR: '1' } });
  assert.equal(both.code, 0);
  assert.doesNotMatch(both.stdout, ESCAPE);
});

// `script` (util-linux) runs the command on a pseudo-terminal.
const script = spawnSync('script', ['--version'], { encoding: 'utf8' });
const noScript = script.error !== undefined || script.status !== 0 ? 'needs `script` (util-linux) for a pseudo-terminal' : false;

test('on a terminal: a progress line and colour; with NO_COLOR the line but no colour', { ...T, skip: noScript }, async () => {
  const command = `${JSON.stringify(process.execPath)} --import tsx src/cli/bin.ts tour process-isolation`;
  const onTty = (env: NodeJS.ProcessEnv) => runProgram('script', ['-qfec', command, '/dev/null'], { cwd: repoRoot, env, timeout: 25_000 });
  const coloured = await onTty({ NO_COLOR: undefined, FORCE_COLOR: undefined, TERM: 'xterm' });
  assert.equal(coloured.code, 0, coloured.stdout);
  assert.match(coloured.stdout, /\r\x1b\[2K(\x1b\[2m)?\[1\/1\] process-isolation · \d+\.\d s/);
  assert.match(coloured.stdout, /\x1b\[1m\[1\/1\] Data is isolated/);
  const plain = await onTty({ NO_COLOR: '1', FORCE_COLOR: undefined, TERM: 'xterm' });
  assert.equal(plain.code, 0, plain.stdout);
  assert.match(plain.stdout, /\r\x1b\[2K\[1\/1\] process-isolation · \d+\.\d s/);
  assert.doesNotMatch(plain.stdout, SGR);
});
