/**
 * `npm run bench`: runs every benchmark program in a fresh process several
 * times, takes medians, and reports each weft measurement as a ratio against
 * the anchors measured in the same run — never against numbers from another
 * day or machine. Writes everything to bench/results.json.
 *
 * Within a suite the runs take turns (weft, anchor, weft, anchor…): this
 * machine's speed drifts by tens of percent over minutes, and turns spread
 * the drift over both sides of a ratio instead of onto one.
 *
 *   npm run bench                 all suites, 5 runs each
 *   npm run bench -- lock         suites whose id contains "lock"
 *   BENCH_RUNS=9 npm run bench    more runs (the machine is noisy: prefer more)
 *
 * Each program prints one JSON line `{ "value": number, "unit": string }`.
 * Programs are plain JavaScript importing the built package (`dist/`), as a
 * user's program would; `npm run bench` builds first.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { suites, type Measurement, type Suite } from './suites.ts';

const here = fileURLToPath(new URL('.', import.meta.url));
const runs = Number(process.env.BENCH_RUNS ?? 5);
const filter = process.argv.slice(2);

interface Sample {
  readonly value: number;
  readonly unit: string;
}

interface Result {
  readonly id: string;
  readonly title: string;
  readonly unit: string;
  readonly better: 'higher' | 'lower';
  readonly samples: number[];
  readonly median: number;
  readonly skipped?: string;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function runOnce(measurement: Measurement): Sample | string {
  const [command, ...args] = measurement.command;
  const child = spawnSync(command, args, { cwd: here, encoding: 'utf8', timeout: 120_000 });
  if (child.error !== undefined) return `could not run ${command}: ${child.error.message}`;
  if (child.status !== 0) return `exited with ${child.status}: ${child.stderr.trim().split('\n').slice(-3).join(' | ')}`;
  const line = child.stdout.trim().split('\n').pop() ?? '';
  return JSON.parse(line) as Sample;
}

/** Runs the measurements of one suite in turns, `runs` times each; one that fails is skipped from then on. */
function measureInTurns(measurements: readonly Measurement[]): Result[] {
  const samples = measurements.map((): number[] => []);
  const units = measurements.map((m) => m.unit);
  const skipped: (string | undefined)[] = measurements.map(() => undefined);
  for (let i = 0; i < runs; i++) {
    measurements.forEach((measurement, m) => {
      if (skipped[m] !== undefined) return;
      const sample = runOnce(measurement);
      if (typeof sample === 'string') {
        skipped[m] = sample;
        return;
      }
      samples[m].push(sample.value);
      units[m] = sample.unit;
    });
  }
  return measurements.map((measurement, m) => ({
    id: measurement.id,
    title: measurement.title,
    unit: units[m],
    better: measurement.better,
    samples: samples[m],
    median: skipped[m] === undefined ? median(samples[m]) : NaN,
    ...(skipped[m] === undefined ? {} : { skipped: skipped[m] }),
  }));
}

function format(value: number, unit: string): string {
  if (!Number.isFinite(value)) return 'n/a';
  if (unit === 'ops/s' || unit === 'items/s') {
    if (value >= 1e6) return `${(value / 1e6).toFixed(2)} M ${unit}`;
    if (value >= 1e3) return `${(value / 1e3).toFixed(1)} k ${unit}`;
    return `${value.toFixed(0)} ${unit}`;
  }
  return `${value.toFixed(value < 10 ? 2 : 1)} ${unit}`;
}

/** How many times better the subject is than the anchor (>1: the subject wins). */
function advantage(subject: Result, anchor: Result): number {
  return subject.better === 'higher' ? subject.median / anchor.median : anchor.median / subject.median;
}

function spread(result: Result): string {
  if (result.samples.length === 0) return '';
  const lo = Math.min(...result.samples);
  const hi = Math.max(...result.samples);
  return `(${format(lo, result.unit)} … ${format(hi, result.unit)})`;
}

const selected = suites.filter((s) => filter.length === 0 || filter.some((f) => s.id.includes(f)));
const report: { suite: Suite; results: Record<string, Result>; ratios: { subject: string; anchor: string; advantage: number }[] }[] = [];

console.log(`weft benchmarks: ${runs} fresh-process runs per measurement, medians; Node ${process.version}, ${cpus().length} CPUs (${cpus()[0]?.model ?? 'unknown'})\n`);
for (const suite of selected) {
  console.log(`■ ${suite.title}`);
  const results: Record<string, Result> = {};
  const measurements = [suite.subject, ...suite.anchors];
  const measured = measureInTurns(measurements);
  measurements.forEach((measurement, m) => {
    const result = measured[m];
    results[measurement.id] = result;
    const role = measurement === suite.subject ? 'weft  ' : 'anchor';
    const shown = result.skipped !== undefined ? `skipped: ${result.skipped}` : `${format(result.median, result.unit)}  ${spread(result)}`;
    console.log(`  ${role} ${measurement.title.padEnd(48)} ${shown}`);
  });
  const subject = results[suite.subject.id];
  const ratios = [];
  for (const anchor of suite.anchors) {
    const other = results[anchor.id];
    if (subject.skipped !== undefined || other.skipped !== undefined) continue;
    const times = advantage(subject, other);
    ratios.push({ subject: subject.id, anchor: anchor.id, advantage: times });
    const verdict = times >= 1 ? `${times.toFixed(2)}× better than` : `${(1 / times).toFixed(2)}× worse than`;
    console.log(`  → weft is ${verdict} ${anchor.title}`);
  }
  if (suite.goal !== undefined) console.log(`  goal: ${suite.goal}`);
  console.log('');
  report.push({ suite, results, ratios });
}

// A filtered run replaces its suites' entries and keeps the others' last results (each entry has its date).
const resultsFile = new URL('./results.json', import.meta.url);
const date = new Date().toISOString();
const fresh = report.map(({ suite, results, ratios }) => ({ id: suite.id, title: suite.title, goal: suite.goal, date, runs, results, ratios }));
const kept = filter.length === 0 ? [] : previousSuites().filter((old) => !fresh.some((suite) => suite.id === old.id));
const out = {
  date,
  node: process.version,
  cpus: cpus().length,
  cpu: cpus()[0]?.model,
  runs,
  suites: [...fresh, ...kept].sort((a, b) => suiteOrder(a.id) - suiteOrder(b.id)),
};
writeFileSync(resultsFile, `${JSON.stringify(out, null, 2)}\n`);
console.log('written: bench/results.json');

function previousSuites(): { id: string }[] {
  if (!existsSync(resultsFile)) return [];
  return (JSON.parse(readFileSync(resultsFile, 'utf8')) as { suites?: { id: string }[] }).suites ?? [];
}

function suiteOrder(id: string): number {
  const index = suites.findIndex((suite) => suite.id === id);
  return index === -1 ? suites.length : index;
}
