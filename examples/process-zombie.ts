/**
 * The tutorial's zombie process: a child that has ended, but whose parent
 * has not waited for it (reaped it), keeps its process id — `/proc` shows
 * it in state Z — until the parent waits for it or itself ends.
 *
 * In Python, a `Process` that has ended stays a zombie until the parent
 * calls `join()` (or `is_alive()`, `active_children()`, another `start()`,
 * which reap as a side effect). A weft `Process` is reaped the moment it
 * ends, join or no join: Node waits for every child as soon as the kernel
 * says it ended. So this program shows both facts from `/proc`:
 *
 * 1. a real zombie, made by a tiny shell program:
 *    `sh -c 'sleep 0 & echo $!; exec cat >/dev/null'` starts `sleep 0` in
 *    the background, prints its pid, and replaces itself by `cat`, which
 *    never waits for children. `sleep 0` ends at once, and stays a zombie.
 *    We know it has ended when its end of our stdout pipe closes (`cat`
 *    writes to /dev/null, so `sleep` was the pipe's last writer).
 * 2. a weft `Process` that has ended, never joined: `/proc/<pid>` is gone
 *    and its `exitcode` is known.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { isMain } from 'weft';
import { Event, Process } from 'weft/multiprocessing';

/** Bounds the wait for the kernel to finish a process's end (`/proc` changes within milliseconds). */
const PROC_WAIT_MS = 5000;

export function task(started: Event): void {
  console.log('child: running, and about to end');
  started.set();
}

/** State and parent pid of a process, from `/proc/<pid>/stat` (state is the field after the command's closing parenthesis). */
function procStat(pid: number): { state: string; ppid: number } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { state, ppid: Number(ppid) };
  } catch {
    return undefined; // no such process: it has been reaped
  }
}

/** Waits (bounded) until `check` holds: the kernel's side of a process's end, which no event reports. */
async function until(check: () => boolean): Promise<boolean> {
  const deadline = performance.now() + PROC_WAIT_MS;
  while (!check()) {
    if (performance.now() > deadline) return false;
    await sleep(10);
  }
  return true;
}

if (isMain(import.meta)) {
  // 1. A zombie: a child that ended, whose parent never waits for it.
  const shell = spawn('sh', ['-c', 'sleep 0 & echo $!; exec cat >/dev/null'], { stdio: ['pipe', 'pipe', 'inherit'] });
  let output = '';
  shell.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  await once(shell.stdout, 'end'); // sleep 0 has ended: it held the pipe's last write end
  const zombie = Number(output.trim());
  await until(() => procStat(zombie)?.state === 'Z');
  const stat = procStat(zombie);
  const parent = stat === undefined ? '?' : readFileSync(`/proc/${stat.ppid}/comm`, 'utf8').trim();
  console.log(`sh: its background child has ended; its parent is now ${parent}, which never waits for children`);
  console.log(`/proc/<child>/stat: state ${stat?.state ?? 'gone'}${stat?.state === 'Z' ? ' (zombie): ended, not reaped, its pid still taken' : ''}`);
  shell.stdin.end(); // cat ends; the orphaned zombie is handed to init, which reaps it
  await once(shell, 'exit');

  // 2. A weft Process that ended, never joined.
  const started = new Event();
  const child = new Process({ target: task, args: [started] });
  child.start();
  const pid = child.pid!;
  await started.wait();
  const reaped = await until(() => procStat(pid) === undefined);
  console.log(`weft: the child ended and nobody called join(); /proc/<pid>: ${reaped ? 'gone, already reaped' : 'still there'}`);
  console.log(`weft: its exitcode is known without join(): ${child.exitcode}`);
  console.log('End main process');
}
