/**
 * The `weft` command: its subcommands and options, wired with commander.
 * Each subcommand is added by one function below and only parses and checks
 * its arguments; the work is in its own module (`tour.ts`, `run.ts`).
 *
 * To add a subcommand, write an `addXCommand(program)` like the ones below
 * and call it from `buildProgram()`; to add an option to `run` (a trace
 * file, say), declare it in `addRunCommand` and turn it into `RunOptions`
 * (`env`, for a variable the program reads) in its action.
 *
 * Exit codes: 0 success, 1 a program failed, 2 a usage error (unknown
 * program, flag or option), as shells and most CLIs use them.
 */
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { colourEnabled } from './colour.js';
import { isProgram, normaliseName, programName, programNames, stepTable, steps, variantsOf } from './catalogue.js';
import { packageJson } from './paths.js';
import { runOne } from './run.js';
import { tour } from './tour.js';
import { addTimelineCommand, traceEnvironment } from './timeline-command.js';
import { addWorkerCommand } from './worker-command.js';

/** Exit code of a usage error. */
export const USAGE_ERROR = 2;

/** Builds the `weft` command with every subcommand. */
export function buildProgram(): Command {
  const program = new Command('weft')
    .description("weft: Python's concurrency model for TypeScript on Node.js. This command runs the concurrency tutorial's programs and says what each one shows.")
    .version(packageJson().version ?? '0.0.0', '-V, --version')
    // Throw instead of exiting, so that main() maps every usage error to
    // exit code 2; set before the subcommands, which inherit it.
    .exitOverride()
    .showHelpAfterError('(run `weft --help` for the commands and programs)')
    .addHelpText('after', `\nPrograms, in the tutorial's order (weft run <program> [flags]):\n${stepTable()}`);
  addTourCommand(program);
  addRunCommand(program);
  addTimelineCommand(program);
  addWorkerCommand(program);
  return program;
}

/** `weft tour [program...] [--list] [--tsx] [--jobs <n>]`. */
export function addTourCommand(program: Command): Command {
  return program
    .command('tour')
    .description("walk through the tutorial's programs: what each shows, its output, what to notice (npm start)")
    .argument('[program...]', 'show only these programs (default: all, in order)')
    .option('-l, --list', 'list the programs and their flags instead of running them')
    .option('--tsx', 'run each program with `node --import tsx`, as by hand (slower)')
    .option('-j, --jobs <n>', 'programs run at once: the one shown and n-1 ahead', positiveInteger, 2)
    .addHelpText('after', `\nPrograms:\n${stepTable({ numbered: true })}`)
    .action(async function (this: Command, names: string[], options: { list?: boolean; tsx?: boolean; jobs: number }) {
      const wanted = names.map(normaliseName);
      for (const name of wanted) checkProgram(this, name);
      const selected = wanted.length === 0 ? steps : steps.filter((s) => wanted.includes(programName(s)));
      if (options.list === true) {
        console.log(stepTable({ numbered: true, steps: selected }));
        return;
      }
      const colour = colourEnabled(process.stdout);
      process.exitCode = await tour({ steps: selected, mode: options.tsx === true ? 'tsx' : 'compiled', jobs: options.jobs, colour });
    });
}

/** `weft run <program> [flags...] [--tsx]`. */
export function addRunCommand(program: Command): Command {
  return program
    .command('run')
    .description('run one of the tutorial\'s programs, with its flags (e.g. `weft run tickets --no-lock`)')
    .argument('<program>', "the program's name (listed below)")
    .argument('[flags...]', "the program's own flags (see below)")
    // A program's flags (--no-lock) are its own, not weft's: let them through
    // to the action, which checks them against the program's variants.
    .allowUnknownOption()
    .option('--tsx', 'run the program with `node --import tsx`, as by hand (slower)')
    .option('--trace <file>', 'record the run in <file> (Chrome Trace Event JSON, for ui.perfetto.dev or `weft timeline <file>`)')
    .addHelpText('after', `\nPrograms and their flags:\n${stepTable()}`)
    .action(async function (this: Command, input: string, flags: string[], options: { tsx?: boolean; trace?: string }) {
      const name = normaliseName(input);
      checkProgram(this, name);
      const variants = variantsOf(name);
      for (const flag of flags) {
        if (!variants.includes(flag)) {
          const accepted = variants.length === 0 ? `${name} takes no flags` : `the flags of ${name}: ${variants.join(' ')}`;
          this.error(`error: unknown flag "${flag}" for ${name}; ${accepted}`, { exitCode: USAGE_ERROR, code: 'weft.unknownFlag' });
        }
      }
      const env = options.trace === undefined ? undefined : traceEnvironment(options.trace);
      process.exitCode = await runOne(name, flags, { mode: options.tsx === true ? 'tsx' : 'compiled', env });
      if (options.trace !== undefined) console.log(`trace written: ${env!.WEFT_TRACE} (draw it: weft timeline ${options.trace})`);
    });
}

/**
 * Runs the command on `argv` (as `process.argv`: node, script, then
 * arguments); resolves to the exit code.
 */
export async function main(argv: readonly string[] = process.argv): Promise<number> {
  process.exitCode = 0;
  try {
    await buildProgram().parseAsync([...argv]);
    return Number(process.exitCode ?? 0);
  } catch (error) {
    // commander has already printed its message (or the help).
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : USAGE_ERROR;
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}

/** Fails with a usage error listing the programs when `name` is not one. */
function checkProgram(command: Command, name: string): void {
  if (isProgram(name)) return;
  command.error(`error: unknown program "${name}"; the programs are: ${programNames().join(', ')}`, {
    exitCode: USAGE_ERROR,
    code: 'weft.unknownProgram',
  });
}

function positiveInteger(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a whole number of at least 1');
  return n;
}
