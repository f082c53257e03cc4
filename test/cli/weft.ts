/**
 * Runs the `weft` command as a user would, for the CLI tests: from source
 * (`node --import tsx src/cli/bin.ts`) or from the build (`node dist/cli.js`),
 * with stdout and stderr as pipes (not a terminal) and NO_COLOR set unless a
 * test says otherwise.
 */
import { existsSync } from 'node:fs';
import { runProgram, repoRoot, type ProgramResult } from '../helpers/programs.js';

export const builtCli = `${repoRoot}dist/cli.js`;

/** `weft <args>` from source. */
export function weft(args: string[], options: { env?: NodeJS.ProcessEnv; timeout?: number } = {}): Promise<ProgramResult> {
  return runProgram(process.execPath, ['--import', 'tsx', `${repoRoot}src/cli/bin.ts`, ...args], { timeout: 20_000, ...options });
}

/** `node dist/cli.js <args>`: the bin as the package ships it, plain node. */
export function builtWeft(args: string[], options: { env?: NodeJS.ProcessEnv } = {}): Promise<ProgramResult> {
  if (!existsSync(builtCli)) throw new Error(`${builtCli} is missing: run \`npm run build\` first`);
  return runProgram(process.execPath, [builtCli, ...args], { timeout: 20_000, ...options });
}

/** The output with the lines between the first and the last sorted (as test/examples.test.ts compares concurrent programs). */
export function anyOrder(output: string): string {
  const lines = output.split('\n');
  if (lines.length < 4) return output;
  return [lines[0], ...lines.slice(1, -2).sort(), ...lines.slice(-2)].join('\n');
}

/** Any ANSI escape sequence (colour or cursor). */
export const ESCAPE = /\x1b\[/;
/** A colour or style (SGR) escape sequence. */
export const SGR = /\x1b\[[0-9;]*m/;
