/**
 * Running one test over both kinds of worker: the same target started as a
 * Thread and as a Process, joined with its error checked.
 */
import assert from 'node:assert/strict';
import { Thread } from '../../src/threading.js';
import { Process } from '../../src/runner/process.js';

export interface Runner {
  start<A extends unknown[]>(target: (...args: A) => unknown, args: A): Thread | Process;
}

export const runners: [string, Runner][] = [
  ['threads', { start: (target, args) => { const t = new Thread({ target, args }); t.start(); return t; } }],
  ['processes', { start: (target, args) => { const p = new Process({ target, args }); p.start(); return p; } }],
];

/** Joins every worker, failing if one does not end in time or ended by throwing. */
export async function joinAll(workers: (Thread | Process)[], wait = { timeout: 60_000 }): Promise<void> {
  for (const worker of workers) {
    assert.equal(await worker.join(wait), true, `${worker.name} did not end`);
    assert.equal(worker.error, undefined, `${worker.name} threw: ${worker.error?.stack}`);
  }
}
