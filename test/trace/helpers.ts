/**
 * What the trace tests share: running a fixture under `WEFT_TRACE`, reading
 * the file back, and checks that hold for every trace weft writes.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot, runProgram } from '../helpers/programs.js';
import type { ChromeTrace, TraceEvent } from '../../src/trace/chrome.js';

export const fixture = (name: string): string => join(repoRoot, 'test/fixtures/trace', name);

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'weft-trace-test-'));
}

/** Runs a fixture with `WEFT_TRACE` set (or not), returns its printed summary line. */
export async function runTraced(name: string, tracePath: string | undefined, cwd: string): Promise<Record<string, unknown>> {
  const env: NodeJS.ProcessEnv = { WEFT_TRACE: tracePath ?? '' };
  const result = await runProgram(process.execPath, [fixture(name)], { cwd, env, timeout: 30_000 });
  assert.equal(result.code, 0, `${name} failed:\n${result.stderr}`);
  assert.equal(result.stderr, '', 'nothing on stderr (a lost trace is reported there)');
  return JSON.parse(result.stdout.trim().split('\n').pop()!) as Record<string, unknown>;
}

export function readTrace(path: string): ChromeTrace {
  return JSON.parse(readFileSync(path, 'utf8')) as ChromeTrace;
}

/** The trace is well-formed Chrome Trace Event JSON, as Perfetto and chrome://tracing read it. */
export function checkChromeFormat(trace: ChromeTrace): void {
  assert.ok(Array.isArray(trace.traceEvents), 'traceEvents is an array');
  for (const e of trace.traceEvents) {
    assert.ok(['X', 'i', 'C', 'M'].includes(e.ph), `known phase: ${JSON.stringify(e)}`);
    assert.equal(typeof e.name, 'string');
    assert.ok(Number.isInteger(e.pid), `integer pid: ${JSON.stringify(e)}`);
    if (e.ph === 'M') continue;
    assert.ok(Number.isFinite(e.ts) && e.ts! > 1e15, `ts in µs since the epoch: ${JSON.stringify(e)}`);
    if (e.ph !== 'C') assert.ok(Number.isInteger(e.tid), `integer tid: ${JSON.stringify(e)}`);
    if (e.ph === 'X') assert.ok(e.dur! >= 0, `non-negative duration: ${JSON.stringify(e)}`);
    if (e.ph === 'i') assert.ok(['t', 'p', 'g'].includes(e.s!), 'instant scope');
  }
}

/** Within each lane, a thread's events start in order and its start comes before its exit. */
export function checkLanesMonotonic(trace: ChromeTrace): void {
  const byLane = new Map<string, TraceEvent[]>();
  for (const e of trace.traceEvents) {
    if (e.ph === 'M' || e.ph === 'C') continue;
    const key = `${e.pid}/${e.tid}`;
    byLane.set(key, [...(byLane.get(key) ?? []), e]);
  }
  for (const [lane, events] of byLane) {
    for (let k = 1; k < events.length; k++) assert.ok(events[k].ts! >= events[k - 1].ts!, `lane ${lane}: times go forward`);
    const start = events.find((e) => e.name === 'thread start' || e.name === 'process start');
    const exit = events.find((e) => e.name === 'thread exit' || e.name === 'process exit');
    if (start !== undefined && exit !== undefined) assert.ok(start.ts! <= exit.ts!, `lane ${lane}: starts before it exits`);
    for (const e of events) {
      if (start !== undefined) assert.ok(e.ts! >= start.ts!, `lane ${lane}: ${e.name} after the thread started`);
      if (exit !== undefined && e.ph !== 'X') assert.ok(e.ts! <= exit.ts!, `lane ${lane}: ${e.name} before the thread exited`);
    }
  }
}

/** Holds of one lock never overlap: the trace shows the mutual exclusion. */
export function checkHoldsExclusive(trace: ChromeTrace, object: string): TraceEvent[] {
  const holds = trace.traceEvents.filter((e) => e.ph === 'X' && e.cat === 'hold' && e.name === object).sort((a, b) => a.ts! - b.ts!);
  for (let k = 1; k < holds.length; k++) {
    // µs rounding, and clocks of different threads: a microsecond of slack.
    assert.ok(holds[k].ts! >= holds[k - 1].ts! + holds[k - 1].dur! - 1, `${object}: hold ${k} starts after hold ${k - 1} ends`);
  }
  return holds;
}

export function metadataNames(trace: ChromeTrace, kind: 'process_name' | 'thread_name'): string[] {
  return trace.traceEvents.filter((e) => e.ph === 'M' && e.name === kind).map((e) => String(e.args!.name));
}
