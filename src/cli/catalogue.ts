/**
 * The tutorial's programs as the command sees them: names, variants, and
 * the lookups `weft run` and `weft tour` need. The list itself lives in
 * `examples/programs.ts` (the example tests read it too); a *step* there is
 * one run of one file, and this module names them:
 *
 * - a program's **name** is its file without `.ts` (`tickets.ts` → `tickets`);
 * - its **variants** are the flags its steps pass (`tickets --no-lock`), so a
 *   variant is declared once, by the step that shows it.
 */
import { programs, type TutorialProgram } from '../../examples/programs.js';

/** One step of the tour: one program run with one set of flags. */
export type Step = TutorialProgram;

/** Every step, in the tutorial's order. */
export const steps: readonly Step[] = programs;

/** A program's name: its file in examples/ without the extension. */
export function programName(step: Step): string {
  return step.file.replace(/\.ts$/, '');
}

/** How a step is run from the command line: `tickets --no-lock`. */
export function stepLabel(step: Step): string {
  return [programName(step), ...(step.args ?? [])].join(' ');
}

/** Program names, each once, in the tutorial's order. */
export function programNames(): string[] {
  return [...new Set(steps.map(programName))];
}

/** The flags a program accepts (the union of its steps' flags), in order. */
export function variantsOf(name: string): string[] {
  return [...new Set(steps.filter((s) => programName(s) === name).flatMap((s) => s.args ?? []))];
}

/**
 * A name as a user may type it: `tickets`, `tickets.ts` or
 * `examples/tickets.ts` all name the same program.
 */
export function normaliseName(input: string): string {
  return input.replace(/^(\.\/)?examples\//, '').replace(/\.ts$/, '');
}

/** Whether `name` (already normalised) is one of the tutorial's programs. */
export function isProgram(name: string): boolean {
  return programNames().includes(name);
}

/**
 * The step that runs `name` with exactly `flags` (in any order), if the
 * tutorial has one: it carries the title and what to notice.
 */
export function findStep(name: string, flags: readonly string[]): Step | undefined {
  const wanted = [...flags].sort().join(' ');
  return steps.find((s) => programName(s) === name && [...(s.args ?? [])].sort().join(' ') === wanted);
}

/** The file a program runs, in examples/. */
export function fileOf(name: string): string {
  return `${name}.ts`;
}

/**
 * The steps as an aligned table, one per line: `  tickets --no-lock   Nine
 * processes buy one ticket, no lock`. `weft --help`, `weft run --help` and
 * `weft tour --list` print it; `numbered` adds the step's place in the tour.
 */
export function stepTable(options: { numbered?: boolean; indent?: string; steps?: readonly Step[] } = {}): string {
  const indent = options.indent ?? '  ';
  const shown = options.steps ?? steps;
  const width = Math.max(...shown.map((s) => stepLabel(s).length));
  const places = String(steps.length).length;
  return shown
    .map((step) => {
      const place = options.numbered === true ? `${String(steps.indexOf(step) + 1).padStart(places)}  ` : '';
      return `${indent}${place}${stepLabel(step).padEnd(width)}  ${step.title}`;
    })
    .join('\n');
}
