/**
 * `weft run <name> [flags]`: one tutorial program, its output passed
 * through untouched — exactly what the program prints, so it can be compared
 * with `examples/<name>.expected.txt` — and its exit code returned as the
 * command's.
 */
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { fileOf } from './catalogue.js';
import { prepareLauncher, type LaunchMode } from './launcher.js';

/** What `weft run` was asked for. */
export interface RunOptions {
  /** How the program is started (default `compiled`). */
  readonly mode?: LaunchMode;
  /** The program's environment (default `process.env`): where options such as a trace file become variables. */
  readonly env?: NodeJS.ProcessEnv;
}

/**
 * Runs program `name` (a name from the catalogue) with `flags`, its stdio the
 * command's own; resolves to the exit code to leave with (128 + n when
 * signal n ended it, as a shell reports).
 */
export async function runOne(name: string, flags: readonly string[], options: RunOptions = {}): Promise<number> {
  const file = fileOf(name);
  const launcher = await prepareLauncher(options.mode ?? 'compiled', [file]);
  const [executable, ...args] = launcher.commandLine(file, flags);
  try {
    const child = spawn(executable, args, { cwd: launcher.cwd, env: options.env ?? process.env, stdio: 'inherit' });
    // A Ctrl-C reaches the program from the terminal (same process group):
    // wait for it to end rather than die first and leave the compiled
    // program behind. A SIGTERM or SIGHUP sent to weft alone is passed on.
    const forward = (signal: NodeJS.Signals): void => void child.kill(signal);
    const ignore = (): void => {};
    process.on('SIGINT', ignore).on('SIGTERM', forward).on('SIGHUP', forward);
    try {
      return await new Promise<number>((resolve, reject) => {
        child.on('error', (error) => reject(new Error(`weft: could not start ${executable}: ${error.message}`)));
        child.on('close', (code, signal) => resolve(code ?? 128 + (signal === null ? 0 : constants.signals[signal])));
      });
    } finally {
      process.off('SIGINT', ignore).off('SIGTERM', forward).off('SIGHUP', forward);
    }
  } finally {
    launcher.dispose();
  }
}
