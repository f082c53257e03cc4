/**
 * The root's trace session: where the trace goes, and writing it. A session
 * starts with the process when the root's environment has `WEFT_TRACE`, or
 * with `trace.start()`; the file is written when the root exits, or by
 * `trace.stop()`. Only the main thread of the root process writes: every
 * other thread and process sends its events there (`recorder.ts`,
 * `runner/forward.ts`).
 *
 * The session lives on `globalThis`, so that two copies of weft in one
 * thread write one file.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { resolve } from 'node:path';
import { isMainThread } from 'node:worker_threads';
import { toChromeTrace } from './chrome.js';
import { collector } from './collector.js';
import { Cls, Op } from './events.js';
import { flushRecorder, record } from './recorder.js';
import { tracePathFromEnv, tracing } from './switch.js';

interface Session {
  path: string | undefined;
  exitHook: boolean;
  /** Run before writing: fetches what other threads still buffer (set by `runner/forward.ts`: the hub's events). */
  beforeWrite?: () => void;
}

const key = Symbol.for('weft.trace.session');
type GlobalWithSession = typeof globalThis & { [key]?: Session };

/** True in the main thread of the root process (the one started without the hub's address). */
export function isRootMain(): boolean {
  return isMainThread && process.env.WEFT_HUB === undefined;
}

/** This thread's session (in the root's main thread; elsewhere it never has a path). */
export function session(): Session {
  return ((globalThis as GlobalWithSession)[key] ??= { path: undefined, exitHook: false });
}

/** Starts writing to `path` (the caller has turned tracing on). */
export function openSession(path: string): void {
  const s = session();
  s.path = resolve(path);
  collector().listen();
  record(Op.ProcessStart, Cls.None, process.pid, 0);
  if (!s.exitHook) {
    s.exitHook = true;
    process.once('exit', (code) => {
      if (s.path === undefined) return;
      record(Op.ProcessExit, Cls.None, process.pid, code);
      writeTrace(s.path);
    });
  }
}

/** Writes every event collected so far to `path` and forgets them. Returns how many trace events were written. */
export function writeTrace(path: string): number {
  session().beforeWrite?.();
  flushRecorder();
  const c = collector();
  const { traceEvents, ...rest } = toChromeTrace(c.take(), c.dropped);
  // Written a slice at a time: a long run's JSON would not fit in one string.
  const fd = openSync(path, 'w');
  try {
    writeSync(fd, '{"traceEvents":[\n');
    const SLICE = 10_000;
    for (let i = 0; i < traceEvents.length; i += SLICE) {
      const part = traceEvents.slice(i, i + SLICE).map((e) => JSON.stringify(e)).join(',\n');
      writeSync(fd, (i === 0 ? '' : ',\n') + part);
    }
    writeSync(fd, `\n],${JSON.stringify(rest).slice(1)}\n`);
  } finally {
    closeSync(fd);
  }
  return traceEvents.length;
}

// The environment asked for a trace: the root records from the start.
if (tracing && isRootMain()) openSession(tracePathFromEnv()!);
