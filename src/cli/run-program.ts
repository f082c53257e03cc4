/**
 * One run of one tutorial program as a child process, its output kept as
 * lines in the order they arrived.
 *
 * The tour may start a program before the one on screen has finished (see
 * `tour.ts`), so a run does not print: it records. Whoever shows it reads
 * `lines()`, which yields what was recorded so far and then each new line as
 * it comes — live for the program on screen, all at once for one that ran
 * ahead.
 *
 * Each program runs in a process group of its own, so that stopping it
 * stops its children too: a program's non-daemon children outlive it by
 * design (the tutorial's orphans), and a tour cut short must not leave them
 * running. The same group keeps a Ctrl-C at the terminal away from the
 * programs; the tour receives it and ends them itself.
 */
import { spawn, type ChildProcess } from 'node:child_process';

/** One line a program printed, without its newline. */
export interface OutputLine {
  readonly stream: 'stdout' | 'stderr';
  readonly text: string;
}

/** How a program ended. */
export interface Exit {
  /** Exit code, or null when a signal ended it. */
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** Wall time from start to exit, in milliseconds. */
  readonly ms: number;
  /** Whether the run was stopped for taking longer than its time limit. */
  readonly timedOut: boolean;
}

/** A started program. */
export interface ProgramRun {
  /** Every line so far, then each new one, until the program has ended and its pipes are drained (one reader at a time). */
  lines(): AsyncIterable<OutputLine>;
  /** Settles when the program has ended and its output is all recorded. */
  readonly exit: Promise<Exit>;
  /** Ends the program and its process group (SIGTERM, then SIGKILL if it lingers). */
  kill(): void;
}

/** How long a program that ignores SIGTERM gets before SIGKILL. */
const KILL_GRACE_MS = 2_000;

/**
 * Starts `commandLine` (`[executable, ...args]`) in `cwd`, recording its
 * output; a run still going after `timeoutMs` is killed (a program that hangs
 * must not hang the tour).
 */
export function startProgram(commandLine: readonly string[], options: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs?: number }): ProgramRun {
  const [executable, ...args] = commandLine;
  const started = performance.now();
  const recorded: OutputLine[] = [];
  let ended = false;
  let wake: (() => void) | undefined;
  const notify = (): void => {
    wake?.();
    wake = undefined;
  };

  // detached: the program leads a new process group (see above).
  const child = spawn(executable, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let timedOut = false;
  const kill = (): void => {
    if (ended) return;
    signalGroup(child, 'SIGTERM');
    setTimeout(() => ended || signalGroup(child, 'SIGKILL'), KILL_GRACE_MS).unref();
  };
  const limit =
    options.timeoutMs === undefined
      ? undefined
      : setTimeout(() => {
          timedOut = true;
          kill();
        }, options.timeoutMs).unref();
  const flushStdout = splitLines(child, 'stdout', (line) => (recorded.push(line), notify()));
  const flushStderr = splitLines(child, 'stderr', (line) => (recorded.push(line), notify()));

  const exit = new Promise<Exit>((resolve) => {
    // 'close', not 'exit': only then are both pipes drained.
    child.on('close', (code, signal) => {
      clearTimeout(limit);
      flushStdout();
      flushStderr();
      ended = true;
      notify();
      resolve({ code, signal, ms: performance.now() - started, timedOut });
    });
    child.on('error', (error) => {
      clearTimeout(limit);
      recorded.push({ stream: 'stderr', text: `weft: could not start ${executable}: ${error.message}` });
      ended = true;
      notify();
      resolve({ code: null, signal: null, ms: performance.now() - started, timedOut });
    });
  });

  return {
    exit,
    kill,
    async *lines() {
      for (let next = 0; ; ) {
        while (next < recorded.length) yield recorded[next++];
        if (ended) return;
        await new Promise<void>((resolve) => (wake = resolve));
      }
    },
  };
}

/**
 * Calls `onLine` for each whole line of the child's `name` stream; the
 * returned function passes on a last line that had no newline.
 */
function splitLines(child: ChildProcess, name: 'stdout' | 'stderr', onLine: (line: OutputLine) => void): () => void {
  let pending = '';
  const stream = child[name];
  stream?.setEncoding('utf8');
  stream?.on('data', (chunk: string) => {
    const parts = (pending + chunk).split('\n');
    pending = parts.pop() ?? '';
    for (const text of parts) onLine({ stream: name, text });
  });
  return () => {
    if (pending !== '') onLine({ stream: name, text: pending });
    pending = '';
  };
}

/** Sends `signal` to the process group `child` leads; a group already gone is no error. */
function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // ESRCH: every process of the group has ended.
  }
}
