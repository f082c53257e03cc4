/**
 * Starting and joining the child processes of a test, and checking that
 * none is left running after it (kept in one place for the process-scope tests).
 */
import assert from 'node:assert/strict';
import { Process } from '../../src/runner/process.js';
import { activeChildren } from '../../src/runner/current-process.js';

/** For `afterEach`: kills and reports any child the test left running. */
export function noChildLeft(): void {
  const left = activeChildren();
  for (const child of left) child.kill();
  assert.deepEqual(left.map((c) => c.name), [], 'processes left running after the test');
}

export function startProcess<A extends unknown[]>(target: (...args: A) => unknown, args: A): Process<A> {
  const child = new Process<A>({ target, args });
  child.start();
  return child;
}

/** Joins each child (up to `timeout` ms each) and checks it ended cleanly. */
export async function joinAll(children: Process[], timeout = 120_000): Promise<void> {
  for (const child of children) {
    assert.equal(await child.join({ timeout }), true, `${child.name} did not end`);
    assert.equal(child.error, undefined, `${child.name} threw: ${child.error?.stack}`);
    assert.equal(child.exitcode, 0, `${child.name} exit code`);
  }
}
