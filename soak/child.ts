/**
 * Runs one soak scenario in this process (started by `soak/run.ts`):
 * `child.ts <scenario file> <ms>`. Prints its report as one line,
 * `SOAK-REPORT {json}`, then exits.
 */
import { pathToFileURL } from 'node:url';
import type { Scenario } from './scenario.js';

const [file, ms] = process.argv.slice(2);
const deadline = performance.now() + Number(ms);
const { scenario } = (await import(pathToFileURL(file).href)) as { scenario: Scenario };
try {
  const report = await scenario.run(deadline);
  process.stdout.write(`SOAK-REPORT ${JSON.stringify(report)}\n`);
  process.exit(0);
} catch (error) {
  process.stdout.write(`SOAK-REPORT ${JSON.stringify({ rounds: 0, counts: {}, failures: [`threw: ${(error as Error)?.stack ?? String(error)}`] })}\n`);
  process.exit(1);
}
