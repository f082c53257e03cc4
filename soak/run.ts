/**
 * `npm run soak [-- --minutes 10] [--only name,…]`: runs every soak
 * scenario (`soak/<name>.ts`, each exporting `scenario`, see
 * `scenario.ts`) for a share of the time, each in a process of its own, and
 * reports what ran. Not part of `npm test`: it is long by design.
 *
 * Per scenario the runner checks, beyond what the scenario reports:
 * - no hang: the scenario returns within a minute of its deadline, or it
 *   is killed and reported hung;
 * - no process left: once it has returned, no process carrying its mark
 *   (an environment entry inherited by everything it starts) is alive.
 *
 * Exit code 0 only when every scenario held.
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SoakReport } from './scenario.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const NOT_SCENARIOS = new Set(['run.ts', 'scenario.ts', 'child.ts']);
const HANG_GRACE_MS = 60_000;

function argument(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? undefined : process.argv[i + 1];
}

const minutes = Number(argument('minutes') ?? (argument('seconds') !== undefined ? Number(argument('seconds')) / 60 : 10));
if (!Number.isFinite(minutes) || minutes <= 0) {
  console.error('soak: --minutes must be a positive number');
  process.exit(2);
}
const only = argument('only')?.split(',');
const files = readdirSync(here).filter((f) => f.endsWith('.ts') && !NOT_SCENARIOS.has(f)).sort();
const chosen = files.filter((f) => only === undefined || only.includes(basename(f, '.ts')));
if (chosen.length === 0) {
  console.error(`soak: no scenario matches; there are: ${files.map((f) => basename(f, '.ts')).join(', ')}`);
  process.exit(2);
}

const share = (minutes * 60_000) / chosen.length;
console.log(`soak: ${chosen.length} scenario(s), ${(share / 60_000).toFixed(1)} min each: ${chosen.map((f) => basename(f, '.ts')).join(', ')}`);
let failed = false;
for (const file of chosen) {
  const outcome = await runScenario(join(here, file), share);
  const name = basename(file, '.ts');
  const problems = [...outcome.failures];
  const left = leftovers(outcome.mark);
  if (left.length > 0) problems.push(`${left.length} process(es) left running: ${left.join('; ')}`);
  failed ||= problems.length > 0;
  console.log(`\n== ${name}: ${problems.length === 0 ? 'held' : 'FAILED'} (${(outcome.ms / 60_000).toFixed(1)} min, ${outcome.report?.rounds ?? 0} rounds)`);
  for (const [key, value] of Object.entries(outcome.report?.counts ?? {})) console.log(`   ${key}: ${value}`);
  for (const problem of problems.slice(0, 20)) console.log(`   ! ${problem}`);
  if (problems.length > 20) console.log(`   ! …and ${problems.length - 20} more`);
}
process.exitCode = failed ? 1 : 0;

interface Outcome {
  readonly report: SoakReport | undefined;
  readonly failures: string[];
  readonly mark: string;
  readonly ms: number;
}

/** Runs one scenario in a child until `ms` have passed; kills it if it hangs. */
function runScenario(path: string, ms: number): Promise<Outcome> {
  const mark = `${process.pid}-${basename(path, '.ts')}-${Date.now()}`;
  const started = performance.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', join(here, 'child.ts'), path, String(ms)], {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, WEFT_SOAK_RUN: mark },
    });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    let hung = false;
    const watchdog = setTimeout(() => {
      hung = true;
      killMarked(mark);
      child.kill('SIGKILL');
    }, ms + HANG_GRACE_MS);
    child.on('close', (code, signal) => {
      clearTimeout(watchdog);
      const failures: string[] = [];
      const line = stdout.split('\n').reverse().find((l) => l.startsWith('SOAK-REPORT '));
      const report = line === undefined ? undefined : (JSON.parse(line.slice('SOAK-REPORT '.length)) as SoakReport);
      if (hung) failures.push(`hung: still running ${HANG_GRACE_MS / 1000} s after its deadline`);
      else if (code !== 0) failures.push(`the scenario's process ended with ${code ?? signal}`);
      if (report === undefined && !hung) failures.push('no report');
      failures.push(...(report?.failures ?? []));
      resolve({ report, failures, mark, ms: performance.now() - started });
    });
  });
}

/** Live processes carrying `mark` in their environment (zombies excluded). */
function leftovers(mark: string): string[] {
  const found: string[] = [];
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name)).map(Number)) {
    if (pid === process.pid) continue;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
      if (state === 'Z' || state === 'X') continue;
      if (!readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').includes(`WEFT_SOAK_RUN=${mark}`)) continue;
      found.push(`pid ${pid}: ${readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim().slice(0, 120)}`);
    } catch {
      // gone, or not ours
    }
  }
  return found;
}

function killMarked(mark: string): void {
  for (const entry of leftovers(mark)) {
    try {
      process.kill(Number(/^pid (\d+)/.exec(entry)![1]), 'SIGKILL');
    } catch {
      // already gone
    }
  }
}
