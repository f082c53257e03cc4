/**
 * The `weft` command's trace features:
 *
 * - `weft timeline <trace.json> [-o run.html]`: the timeline page of a trace
 *   (`addTimelineCommand`);
 * - `weft run <program> --trace <file>`: the option's value becomes the
 *   program's `WEFT_TRACE` (`traceEnvironment`);
 * - the tour's picture of the ticket sale: a program run traced into a
 *   temporary folder, then drawn (`tracedRun`).
 *
 * The work is in `src/trace/`; this file only parses and reports.
 */
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, extname, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { TRACE_ENV } from '../trace/switch.js';
import { writeTimeline } from '../trace/timeline.js';

/**
 * Adds `weft timeline <trace> [-o <page>]`. The page defaults to the trace's
 * name with `.html` (`run.json` → `run.html`).
 *
 * @example
 * ```ts
 * addTimelineCommand(new Command('weft')).parseAsync(['node', 'weft', 'timeline', 'run.json', '-o', 'run.html']);
 * ```
 */
export function addTimelineCommand(program: Command): Command {
  return program
    .command('timeline')
    .description('draw a trace (WEFT_TRACE=run.json, or weft run <program> --trace run.json) as a self-contained HTML page: a lane per thread and process, lock holds, waits, queue depth')
    .argument('<trace>', 'the trace file (Chrome Trace Event JSON, as WEFT_TRACE writes it)')
    .option('-o, --output <page>', 'the HTML page to write (default: the trace\'s name with .html)')
    .action((trace: string, options: { output?: string }) => {
      const page = options.output ?? defaultPage(trace);
      writeTimeline(trace, page);
      console.log(`timeline written: ${resolve(page)} (open it in a browser)`);
    });
}

/** `run.json` → `run.html`. */
export function defaultPage(trace: string): string {
  const ext = extname(trace);
  return `${ext === '' ? trace : trace.slice(0, -ext.length)}.html`;
}

/**
 * The environment of a program run with `--trace <file>`: the file, made
 * absolute (the program may run in another folder), in `WEFT_TRACE`.
 *
 * @example
 * ```ts
 * runOne('tickets', [], { env: traceEnvironment('run.json') });
 * ```
 */
export function traceEnvironment(file: string, env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return { ...env, [TRACE_ENV]: resolve(file) };
}

/** A program run to be traced: give it `env`, then `finish()` draws its timeline. */
export interface TracedRun {
  readonly env: NodeJS.ProcessEnv;
  readonly tracePath: string;
  readonly timelinePath: string;
  /** Writes the timeline page; returns its path, or undefined if the run left no trace (it failed early). */
  finish(): string | undefined;
}

/**
 * Prepares a traced run of program `name` with its trace and timeline in
 * `dir` (default: `weft-timelines` in the temporary folder), e.g. for the
 * tour's ticket sale: `tickets.json` and `tickets.html`.
 *
 * @example
 * ```ts
 * const traced = tracedRun('tickets');
 * startProgram(commandLine, { cwd, env: traced.env }); // … when it has ended:
 * const page = traced.finish(); // say where it is
 * ```
 */
export function tracedRun(name: string, env: NodeJS.ProcessEnv = process.env, dir: string = join(tmpdir(), 'weft-timelines')): TracedRun {
  mkdirSync(dir, { recursive: true });
  const stem = basename(name).replace(/\.[cm]?[jt]s$/, '');
  const tracePath = join(dir, `${stem}.json`);
  const timelinePath = join(dir, `${stem}.html`);
  // A trace left by an earlier run must not pass for this one's.
  rmSync(tracePath, { force: true });
  return {
    env: traceEnvironment(tracePath, env),
    tracePath,
    timelinePath,
    finish() {
      if (!existsSync(tracePath)) return undefined;
      writeTimeline(tracePath, timelinePath);
      return timelinePath;
    },
  };
}
