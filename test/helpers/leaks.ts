/**
 * Installs, in the calling test file, a check after every test that no
 * thread it started is still alive: every test must join what it starts.
 */
import { afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { activeThreads, currentThread } from '../../src/threading.js';

export function checkNoThreadsLeft(): void {
  afterEach(() => {
    const left = activeThreads().filter((t) => t !== currentThread());
    assert.deepEqual(left.map((t) => t.name), [], 'threads left running after the test');
  });
}
