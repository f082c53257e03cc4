/**
 * `weft tour`: the tutorial's programs one after another, in the tutorial's
 * order, each under a heading, with one sentence on the concept, the
 * program's own output (indented) and one line on what to notice.
 *
 * Most of a program's time is sleeping (a thread holds a lock for a second,
 * a buyer waits for the "network"), so the tour may start the next programs
 * while one is on screen (`jobs`): their output waits and is shown in order,
 * each program's lines exactly as it printed them. Every program is still
 * its own process.
 */
import { palette, type Palette } from './colour.js';
import { prepareLauncher, type LaunchMode, type Launcher } from './launcher.js';
import { Progress, type Terminal } from './progress.js';
import { startProgram, type Exit, type ProgramRun } from './run-program.js';
import { stepLabel, steps as allSteps, type Step } from './catalogue.js';
import { tracedRun, type TracedRun } from './timeline-command.js';

/** What `weft tour` was asked for. */
export interface TourOptions {
  /** The steps to show, in order (default: all of them). */
  readonly steps?: readonly Step[];
  /** How programs are started (default `compiled`). */
  readonly mode?: LaunchMode;
  /** How many programs may run at once: the one on screen and `jobs - 1` ahead (default 1). */
  readonly jobs?: number;
  /** Where the tour writes (default `process.stdout`). */
  readonly out?: Terminal;
  /** Whether to colour (decided by the caller: see `colourEnabled`). */
  readonly colour?: boolean;
  /** The programs' environment (default `process.env`). */
  readonly env?: NodeJS.ProcessEnv;
}

/** Lines of prose are wrapped to the terminal, but never wider than this: long lines are hard to read. */
const MAX_PROSE_WIDTH = 100;
/** A program still running after this long is stopped: the slowest takes about 11 s, and a hung one must not hang the tour. */
const PROGRAM_TIMEOUT_MS = 60_000;

/**
 * Runs the tour; resolves to the exit code: 0 when every program succeeded,
 * 1 when one failed, 130/143 when a SIGINT/SIGTERM cut it short (the
 * programs started are ended first), 0 when the reader closed the output
 * (`weft tour | head`).
 */
export async function tour(options: TourOptions = {}): Promise<number> {
  const steps = options.steps ?? allSteps;
  const out = options.out ?? process.stdout;
  const style = palette(options.colour ?? false);
  const progress = new Progress(out, { style: style.dim });
  const launcher = await prepareLauncher(options.mode ?? 'compiled', steps.map((s) => s.file));
  const runs = new Scheduler(steps, launcher, Math.max(1, options.jobs ?? 1), options.env);
  const stop = new Stop(out, () => runs.killAll());
  const print = (text = ''): void => {
    if (!stop.outputClosed) progress.write(text + '\n');
  };
  // A pseudo-terminal may report 0 columns (no size set): take the usual 80.
  const width = out.isTTY === true ? Math.min(out.columns || 80, MAX_PROSE_WIDTH) : Infinity;

  const failed: string[] = [];
  let shown = 0;
  try {
    for (const [index, step] of steps.entries()) {
      if (stop.code !== undefined) break;
      const place = `[${index + 1}/${steps.length}]`;
      progress.update(`${place} ${stepLabel(step)}`);
      print();
      print(`${style.bold(`${place} ${step.title}`)}  ${style.dim(`weft run ${stepLabel(step)}`)}`);
      print(wrap(step.concept, width));
      print();
      const exit = await show(runs.start(index), print, style);
      print(`    ${exitNote(exit, style)}`);
      if (stop.code !== undefined) break;
      const timeline = runs.timeline(index);
      if (timeline !== undefined) print(`    ${style.cyan('Timeline:')} ${timeline} ${style.dim('(open it in a browser: a lane per process, the lock holds and waits)')}`);
      print(wrap(`${style.cyan('Notice:')} ${step.notice}`, width, 'Notice: '.length));
      shown += 1;
      if (!succeeded(exit)) failed.push(stepLabel(step));
    }
  } finally {
    runs.killAll();
    launcher.dispose();
    stop.dispose();
    progress.stop();
  }
  const time = progress.elapsed();
  print();
  if (stop.code !== undefined) {
    print(style.red(`Stopped after ${shown} of ${steps.length} programs (${time}).`));
    return stop.code;
  }
  print(
    failed.length === 0
      ? style.green(`${steps.length} program${steps.length === 1 ? '' : 's'} in ${time}.`)
      : style.red(`${steps.length} programs in ${time}; ${failed.length} failed: ${failed.join(', ')}.`),
  );
  print(style.dim('Run one again with `weft run <name>`; list them with `weft tour --list`.'));
  return failed.length === 0 ? 0 : 1;
}

/**
 * Why the tour stopped early, if it did: SIGINT, SIGTERM, or its output
 * closed (EPIPE). Each calls `halt` (which ends the programs, so the tour's
 * wait for the one on screen ends too) and the tour leaves at its next step.
 * Listens once per signal: a second Ctrl-C ends weft at once, as usual.
 */
class Stop {
  /** The exit code to leave with, once stopped. */
  code: number | undefined;
  /** Whether the output is gone (nothing more may be written). */
  outputClosed = false;
  readonly #dispose: Array<() => void> = [];

  constructor(out: Terminal, halt: () => void) {
    const stopWith = (code: number): void => {
      this.code ??= code;
      halt();
    };
    for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
      const handler = (): void => stopWith(code);
      process.once(signal, handler);
      this.#dispose.push(() => process.off(signal, handler));
    }
    const onError = (error: NodeJS.ErrnoException): void => {
      // The reader went away (`weft tour | head`): stop quietly. Any other
      // write error is one nobody can be told about either.
      this.outputClosed = true;
      stopWith(error.code === 'EPIPE' ? 0 : 1);
    };
    out.on?.('error', onError);
    this.#dispose.push(() => out.off?.('error', onError));
  }

  dispose(): void {
    for (const undo of this.#dispose) undo();
  }
}

/** Prints a run's output, indented, as it comes; resolves to how it ended. */
async function show(run: ProgramRun, print: (text: string) => void, style: Palette): Promise<Exit> {
  for await (const line of run.lines()) print(`    ${line.stream === 'stderr' ? style.red(line.text) : line.text}`);
  return run.exit;
}

function succeeded(exit: Exit): boolean {
  return exit.code === 0;
}

/** `(1.3 s)` under a program's output, or what went wrong. */
function exitNote(exit: Exit, style: Palette): string {
  const time = `${(exit.ms / 1000).toFixed(1)} s`;
  if (exit.timedOut) return style.red(`(stopped after ${time}: the program did not end)`);
  if (exit.signal !== null) return style.red(`(ended by ${exit.signal} after ${time})`);
  if (exit.code !== 0) return style.red(`(exit code ${exit.code ?? 'unknown'} after ${time})`);
  return style.dim(`(${time})`);
}

/**
 * Starts programs in order, at most `jobs` at a time counted from the one on
 * screen: starting step i also starts the next `jobs - 1`.
 */
class Scheduler {
  readonly #runs: ProgramRun[] = [];
  /** The traced runs (the ticket sale with its lock), by index. */
  readonly #traced: (TracedRun | undefined)[] = [];

  constructor(
    private readonly steps: readonly Step[],
    private readonly launcher: Launcher,
    private readonly jobs: number,
    private readonly env: NodeJS.ProcessEnv | undefined,
  ) {}

  /** The run of step `index`, started (with the ones after it) if it was not yet. */
  start(index: number): ProgramRun {
    for (let i = this.#runs.length; i < Math.min(index + this.jobs, this.steps.length); i++) {
      const step = this.steps[i];
      // The ticket sale with its lock is traced, and its timeline drawn once it ends.
      const traced = step.file === 'tickets.ts' && (step.args ?? []).length === 0 ? tracedRun('tickets', this.env) : undefined;
      this.#traced.push(traced);
      const commandLine = this.launcher.commandLine(step.file, step.args ?? []);
      this.#runs.push(startProgram(commandLine, { cwd: this.launcher.cwd, env: traced?.env ?? this.env, timeoutMs: PROGRAM_TIMEOUT_MS }));
    }
    return this.#runs[index];
  }

  /** Draws the timeline of step `index` if it was traced (call once it has ended); its path. */
  timeline(index: number): string | undefined {
    return this.#traced[index]?.finish();
  }

  killAll(): void {
    for (const run of this.#runs) run.kill();
  }
}

/**
 * `text` broken into lines of at most `width` visible characters, lines after
 * the first indented by `hang` spaces. Escape codes are not counted.
 */
export function wrap(text: string, width: number, hang = 0): string {
  if (!Number.isFinite(width)) return text;
  const visible = (s: string): number => s.replace(/\x1b\[[0-9;]*m/g, '').length;
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    const candidate = line === '' ? word : `${line} ${word}`;
    if (line !== '' && visible(candidate) > width) {
      lines.push(line);
      line = ' '.repeat(hang) + word;
    } else {
      line = candidate;
    }
  }
  lines.push(line);
  return lines.join('\n');
}
