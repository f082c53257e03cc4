/**
 * `weft timeline` and the CLI's trace helpers: the subcommand writes the
 * page of a trace, next to it by default; `--trace` becomes `WEFT_TRACE`;
 * a traced run of a program leaves a trace and its timeline.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { addTimelineCommand, defaultPage, traceEnvironment, tracedRun } from '../../src/cli/timeline-command.js';
import { renderTimeline } from '../../src/trace/timeline.js';
import { runProgram } from '../helpers/programs.js';
import { fixture, tempDir } from './helpers.js';

const T = { timeout: 60_000 };

const TRACE = {
  traceEvents: [
    { name: 'process_name', ph: 'M', pid: 10, args: { name: 'MainProcess (pid 10)' } },
    { name: 'thread_name', ph: 'M', pid: 10, tid: 10, args: { name: 'MainThread' } },
    { name: 'thread_name', ph: 'M', pid: 10, tid: 10001, args: { name: 'Thread-1' } },
    { name: 'Lock 1', cat: 'hold', ph: 'X', pid: 10, tid: 10001, ts: 1.7e15, dur: 500, args: { object: 'Lock 1' } },
    { name: 'wait Lock 1', cat: 'wait', ph: 'X', pid: 10, tid: 10, ts: 1.7e15 + 100, dur: 400, args: { object: 'Lock 1', outcome: 'done' } },
    { name: 'Lock 1', cat: 'hold', ph: 'X', pid: 10, tid: 10, ts: 1.7e15 + 500, dur: 200, args: { object: 'Lock 1' } },
    { name: 'put Queue 1', cat: 'queue', ph: 'i', s: 't', pid: 10, tid: 10, ts: 1.7e15 + 800, args: { object: 'Queue 1', depth: 1 } },
    { name: 'Queue 1 depth', cat: 'queue', ph: 'C', pid: 10, ts: 1.7e15 + 800, args: { depth: 1 } },
  ],
};

test('weft timeline writes the page of a trace, beside it by default', T, async () => {
  const dir = tempDir();
  try {
    const trace = join(dir, 'run.json');
    writeFileSync(trace, JSON.stringify(TRACE));
    const logged: string[] = [];
    const log = console.log;
    console.log = (line: string) => logged.push(line);
    try {
      await addTimelineCommand(new Command('weft')).parent!.parseAsync(['node', 'weft', 'timeline', trace]);
      await addTimelineCommand(new Command('weft')).parent!.parseAsync(['node', 'weft', 'timeline', trace, '-o', join(dir, 'other.html')]);
    } finally {
      console.log = log;
    }
    assert.equal(defaultPage(trace), join(dir, 'run.html'));
    for (const page of ['run.html', 'other.html']) {
      const html = readFileSync(join(dir, page), 'utf8');
      assert.equal((html.match(/class="bar hold"/g) ?? []).length, 2);
      assert.equal((html.match(/class="bar wait"/g) ?? []).length, 1);
      assert.equal((html.match(/<g class="lane"/g) ?? []).length, 2);
      assert.equal((html.match(/<g class="counter"/g) ?? []).length, 1);
      assert.doesNotMatch(html, /https?:\/\/(?!www\.w3\.org\/2000\/svg)/, 'nothing fetched from the network');
    }
    assert.match(logged.join('\n'), /timeline written: .*run\.html/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a file that is not a trace is ERR_INVALID_ARG', T, () => {
  assert.throws(() => renderTimeline({ events: [] }), { code: 'ERR_INVALID_ARG' });
  assert.throws(() => renderTimeline(null), { code: 'ERR_INVALID_ARG' });
});

test('--trace sets WEFT_TRACE to an absolute path; a traced run leaves its trace and timeline', T, async () => {
  assert.equal(traceEnvironment('run.json', {}).WEFT_TRACE, join(process.cwd(), 'run.json'));
  const dir = tempDir();
  try {
    const traced = tracedRun('threads-locks-queue.mjs', process.env, dir);
    assert.equal(traced.finish(), undefined, 'no trace yet, no page');
    const result = await runProgram(process.execPath, [fixture('threads-locks-queue.mjs')], { cwd: dir, env: traced.env, timeout: 30_000 });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(traced.finish(), join(dir, 'threads-locks-queue.html'));
    assert.ok(existsSync(traced.tracePath));
    assert.match(readFileSync(traced.timelinePath, 'utf8'), /class="bar hold"/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
