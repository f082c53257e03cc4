/**
 * The shape every soak scenario exports (`soak/<name>.ts`), and what it
 * reports. The runner (`soak/run.ts`) finds scenarios by their file, runs
 * each in a process of its own until its deadline, and prints the reports.
 *
 * A scenario file exports `scenario: Scenario` and nothing that runs at
 * import: its module is imported again by every thread and process it
 * starts (their targets are exported from it).
 */
export interface Scenario {
  /** Short, unique; the runner's `--only` option selects by it. */
  readonly name: string;
  /** One line: what is stressed and what is checked. */
  readonly description: string;
  /**
   * Runs rounds until `deadline` (a `performance.now()` time), then returns
   * what ran and what went wrong. Must return (or throw) soon after the
   * deadline: the runner reports a scenario still running a minute after it
   * as hung, and kills it.
   */
  run(deadline: number): Promise<SoakReport>;
}

export interface SoakReport {
  /** Rounds completed. */
  readonly rounds: number;
  /** Counters worth reporting: operations done, processes killed… */
  readonly counts: Readonly<Record<string, number>>;
  /** Every violation seen (an item lost or doubled, a stuck lock…); empty when all held. */
  readonly failures: readonly string[];
}

/** A random integer in [0, n). */
export function randomBelow(n: number): number {
  return Math.floor(Math.random() * n);
}
