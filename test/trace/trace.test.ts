/**
 * Tracing (`WEFT_TRACE`, `trace.start()/stop()`): the file is Chrome Trace
 * Event JSON, has one lane per thread and process, shows every lock hold
 * and queue operation of a run — those of child processes too — and is not
 * written at all when tracing is off.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { checkChromeFormat, checkHoldsExclusive, checkLanesMonotonic, metadataNames, readTrace, runTraced, tempDir } from './helpers.js';

const T = { timeout: 60_000 };

test('threads, a Lock and a bounded Queue: every hold, wait, put and get, one lane per thread', T, async () => {
  const dir = tempDir();
  try {
    const path = join(dir, 'run.json');
    const expected = await runTraced('threads-locks-queue.mjs', path, dir);
    const trace = readTrace(path);
    checkChromeFormat(trace);
    checkLanesMonotonic(trace);

    assert.deepEqual(metadataNames(trace, 'thread_name').sort(), ['MainThread', 'Thread-1', 'Thread-2', 'Thread-3']);
    assert.equal(metadataNames(trace, 'process_name').length, 1);
    const holds = checkHoldsExclusive(trace, 'Lock 1');
    assert.equal(holds.length, expected.holds);
    for (const hold of holds) assert.ok(hold.dur! >= 1500, `each hold lasts the 2 ms pause: ${hold.dur} µs`);
    const mainTid = trace.traceEvents.find((e) => e.ph === 'M' && e.name === 'thread_name' && e.args!.name === 'MainThread')!.tid;
    assert.ok(holds.every((h) => h.tid !== mainTid), 'held by the threads, not the main thread');

    const puts = trace.traceEvents.filter((e) => e.ph === 'i' && e.name === 'put Queue 1');
    const gets = trace.traceEvents.filter((e) => e.ph === 'i' && e.name === 'get Queue 1');
    assert.equal(puts.length, expected.puts);
    assert.equal(gets.length, expected.gets);
    const depths = trace.traceEvents.filter((e) => e.ph === 'C' && e.name === 'Queue 1 depth').map((e) => e.args!.depth as number);
    assert.equal(depths.length, puts.length + gets.length);
    assert.ok(depths.every((d) => d >= 0 && d <= (expected.maxsize as number) + 0), `depths within maxsize: ${depths}`);
    // 3 threads contend for one lock, and a 2-place queue fills: waits are recorded.
    assert.ok(trace.traceEvents.some((e) => e.ph === 'X' && e.cat === 'wait'), 'some waits');
    const exits = trace.traceEvents.filter((e) => e.name === 'thread exit');
    assert.equal(exits.length, 3);
    assert.ok(exits.every((e) => e.args!.exitCode === 0));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('processes and a process-scope Lock: the children\'s events reach the root, one lane per process', T, async () => {
  const dir = tempDir();
  try {
    const path = join(dir, 'run.json');
    const expected = await runTraced('processes-lock.mjs', path, dir);
    const trace = readTrace(path);
    checkChromeFormat(trace);
    checkLanesMonotonic(trace);

    const childPids = expected.pids as number[];
    const processNames = metadataNames(trace, 'process_name');
    assert.equal(processNames.length, 1 + childPids.length);
    assert.ok(processNames[0]!.startsWith('MainProcess'), 'the root first');
    for (const [n, pid] of childPids.entries()) assert.ok(processNames.includes(`Process-${n + 1} (pid ${pid})`), `a lane for Process-${n + 1}`);

    const holds = checkHoldsExclusive(trace, 'mp.Lock 1');
    assert.equal(holds.length, expected.holds);
    assert.deepEqual(new Set(holds.map((h) => h.pid)), new Set(childPids), 'each child\'s holds are in its own lane');
    for (const hold of holds) assert.ok(hold.dur! >= 4000, `each hold lasts the 5 ms pause: ${hold.dur} µs`);
    // Each child says it exited, and so does its parent when it reaps it.
    for (const pid of childPids) {
      assert.ok(trace.traceEvents.some((e) => e.pid === pid && e.name === 'process exit' && e.args!.exitCode === 0), `process ${pid} exit`);
      assert.ok(trace.traceEvents.some((e) => e.name === `child ${pid} exited` && e.args!.exitCode === 0), `parent saw ${pid} exit`);
    }
    assert.equal(trace.traceEvents.filter((e) => e.name === 'put mp.Queue 1').length, childPids.length);
    assert.equal(trace.traceEvents.filter((e) => e.name === 'get mp.Queue 1').length, childPids.length);
    // The depth of a process-scope queue is the hub's to know: it records it, in the root's "weft hub" lane.
    const depths = trace.traceEvents.filter((e) => e.ph === 'C' && e.name === 'mp.Queue 1 depth');
    assert.ok(depths.length >= 2, 'the queue grew and shrank');
    assert.ok(depths.every((e) => (e.args!.depth as number) >= 0 && (e.args!.depth as number) <= childPids.length));
    assert.equal(depths[depths.length - 1]!.args!.depth, 0, 'drained at the end');
    assert.ok(metadataNames(trace, 'thread_name').includes('weft hub'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('tracing off writes nothing', T, async () => {
  const dir = tempDir();
  try {
    await runTraced('threads-locks-queue.mjs', undefined, dir);
    assert.deepEqual(readdirSync(dir), []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('trace.start() and stop() record part of a program', T, async () => {
  const dir = tempDir();
  try {
    const path = join(dir, 'part.json');
    const result = await runTraced('start-stop.mjs', path, dir);
    assert.equal(result.written, path);
    assert.ok(existsSync(path));
    const trace = readTrace(path);
    checkChromeFormat(trace);
    const holds = checkHoldsExclusive(trace, 'Lock 1');
    assert.equal(holds.length, result.holds, 'the holds between start() and stop(), not those before or after');
    assert.deepEqual(metadataNames(trace, 'thread_name').sort(), ['MainThread', 'Thread-1']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
