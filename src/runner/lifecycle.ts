/**
 * Thread and process starts and ends, as the runner reports them. Each is
 * called under `if (tracing)` by the bootstraps (`runner/bootstrap.ts`,
 * `runner/process-bootstrap.ts`) and by `Process` when it reaps a child.
 */
import { Cls, Op } from '../trace/events.js';
import { forwardToHub } from './forward.js';
import { flushRecorder, nameLane, record } from '../trace/recorder.js';

/** A weft thread starts: its lane is named after it. */
export function traceThreadStart(name: string): void {
  nameLane({ thread: name });
  record(Op.ThreadStart, Cls.None, 0, 0);
}

let ended = false;

/** A weft thread ends: its last batch leaves now, before joiners can see it ended. Once: a thread's end is reported on two paths. */
export function traceThreadEnd(exitCode: number): void {
  if (ended) return;
  ended = true;
  record(Op.ThreadExit, Cls.None, 0, exitCode);
  flushRecorder();
}

/** A child process starts, under the name its parent gave it. */
export function traceProcessStart(name: string): void {
  nameLane({ process: name });
  record(Op.ProcessStart, Cls.None, process.pid, 0);
}

/** A child process exits: its events (those of all its threads) go to the root before it does. */
export function traceProcessEnd(exitCode: number): void {
  record(Op.ProcessExit, Cls.None, process.pid, exitCode);
  flushRecorder();
  forwardToHub();
}

/** A parent saw a child end (also one that was killed and recorded nothing itself). */
export function traceChildExit(pid: number, exitCode: number): void {
  record(Op.ProcessExit, Cls.None, pid, exitCode);
}
