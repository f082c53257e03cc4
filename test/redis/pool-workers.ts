/**
 * `weft worker` processes for the weft/redis Pool tests: started with the
 * CLI from the sources (under tsx), as a user would with `npx weft worker`,
 * and always ended (SIGKILL if need be) by `stopAll`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { repoRoot } from '../helpers/programs.js';
import { redisUrl } from './helpers.js';

export interface CliWorker {
  readonly child: ChildProcess;
  /** The line it printed when it started serving. */
  firstLine: string;
  /** The next line the worker prints on stdout. */
  nextLine(): Promise<string>;
  /** Resolves with the exit code (or the signal) once the process ended. */
  exited(): Promise<number | string>;
}

export interface WorkerFlags {
  root?: string;
  processes?: number;
  /** Run tasks in this many threads of the worker (`--threads`) instead of processes. */
  threads?: number;
  lease?: number;
  grace?: number;
}

/** Starts `weft worker` for `namespace` and waits for its "serving" line. */
export async function startCliWorker(namespace: string, started: CliWorker[], flags: WorkerFlags = {}): Promise<CliWorker> {
  const args = ['--import', 'tsx', 'src/cli/bin.ts', 'worker', '--redis', redisUrl, '--namespace', namespace, '--root', flags.root ?? repoRoot];
  if (flags.threads === undefined) args.push('--processes', String(flags.processes ?? 1));
  else args.push('--threads', String(flags.threads));
  args.push('--lease', String(flags.lease ?? 1000));
  if (flags.grace !== undefined) args.push('--grace', String(flags.grace));
  const child = spawn(process.execPath, args, { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stderr!.resume();
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  const ended = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? -1)));
  const worker: CliWorker = {
    child,
    firstLine: '',
    nextLine: async () => {
      const next = await lines.next();
      if (next.done === true) throw new Error(`weft worker ${child.pid} ended (${String(await ended)}) without printing a line`);
      return next.value;
    },
    exited: () => ended,
  };
  started.push(worker);
  worker.firstLine = await worker.nextLine();
  if (!worker.firstLine.includes('serving')) throw new Error(`weft worker said: ${worker.firstLine}`);
  return worker;
}

/** Ends every worker still running (SIGKILL) and waits for each to exit. */
export async function stopAll(workers: readonly CliWorker[]): Promise<void> {
  for (const { child } of workers) {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await once(child, 'exit');
    }
  }
}
