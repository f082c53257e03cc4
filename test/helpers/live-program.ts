/**
 * A program run as a real subprocess that a test talks to while it runs:
 * waits for the lines it prints (the only synchronisation lifetime tests
 * use), writes to its stdin, signals it. Killed with SIGKILL if it outlives
 * its timeout, so a hang fails the test instead of the suite.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { repoRoot } from './programs.js';

export class LiveProgram {
  readonly child: ChildProcess;
  readonly lines: string[] = [];
  stderr = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  #waiters: (() => void)[] = [];

  constructor(args: string[], timeout = 20_000) {
    this.child = spawn(process.execPath, ['--import', 'tsx', ...args], { cwd: repoRoot, stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
    let pending = '';
    this.child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      pending += chunk;
      const parts = pending.split('\n');
      pending = parts.pop() ?? '';
      this.lines.push(...parts);
      for (const wake of this.#waiters.splice(0)) wake();
    });
    this.child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (this.stderr += chunk));
    const timer = setTimeout(() => this.child.kill('SIGKILL'), timeout);
    this.exited = new Promise((resolve) => {
      this.child.on('exit', (code, signal) => {
        clearTimeout(timer);
        for (const wake of this.#waiters.splice(0)) wake();
        resolve({ code, signal });
      });
    });
  }

  /** Resolves with the first `count` lines matching `pattern`, once printed; rejects if the program exits first. */
  async linesMatching(pattern: RegExp, count: number): Promise<string[]> {
    for (;;) {
      const found = this.lines.filter((line) => pattern.test(line));
      if (found.length >= count) return found.slice(0, count);
      if (this.child.exitCode !== null || this.child.signalCode !== null) {
        throw new Error(`program exited before printing ${count} lines like ${pattern}; stdout: ${JSON.stringify(this.lines)}; stderr: ${this.stderr}`);
      }
      await new Promise<void>((resolve) => this.#waiters.push(resolve));
    }
  }
}

/** The pids in lines like `ready 1234`. */
export function pidsOf(lines: string[]): number[] {
  return lines.map((line) => Number(/(\d+)\s*$/.exec(line)?.[1]));
}

/** True if `pid` is a live process (a zombie has already ended). */
export function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

/**
 * Waits until none of `pids` runs; resolves with how long that took, or
 * rejects after `limitMs`. Processes that are not our children cannot be
 * waited for with an event, so this looks every few milliseconds.
 */
export async function allGone(pids: number[], limitMs: number): Promise<number> {
  const start = performance.now();
  while (pids.some(running)) {
    if (performance.now() - start > limitMs) throw new Error(`still running after ${limitMs} ms: ${pids.filter(running).join(', ')}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return performance.now() - start;
}

/** Kills `pids` (orphans a test made) and waits until they are gone. */
export async function killAll(pids: number[]): Promise<void> {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  await allGone(pids, 10_000);
}
