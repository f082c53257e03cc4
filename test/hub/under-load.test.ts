/**
 * The process tree under load: a child decides that the hub is gone only
 * when something says so, never because the machine is slow. Issue 12's
 * report: 30 daemon children started at once beside two busy loops on a
 * two-core machine all failed with ERR_HUB_LOST while the hub was alive.
 * Also: the link to the parent (fd 3) does not leak into a program a child
 * spawns itself.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { Process } from '../../src/runner/process.js';
import { activeChildren } from '../../src/runner/current-process.js';
import { Queue } from '../../src/multiprocessing/queue.js';
import { SharedArray } from '../../src/multiprocessing/shared-array.js';
import { Value } from '../../src/multiprocessing/value.js';
import * as targets from '../fixtures/hub-load-targets.js';

const busy: ChildProcess[] = [];
after(async () => {
  await Promise.all(busy.map((loop) => new Promise((resolve) => {
    if (loop.exitCode !== null || loop.signalCode !== null) return resolve(undefined);
    loop.once('exit', resolve);
    loop.kill('SIGKILL');
  })));
  for (const child of activeChildren()) child.kill();
});

/** A process that keeps one core busy until it is killed. */
function busyLoop(): ChildProcess {
  const loop = spawn(process.execPath, ['-e', 'for(;;){}'], { stdio: 'ignore' });
  busy.push(loop);
  return loop;
}

test('30 daemon children started at once beside two busy loops all finish their process-scope calls', { timeout: 600_000 }, async () => {
  busyLoop();
  busyLoop();
  const N = 30;
  const pids = new SharedArray('i', N);
  const count = new Value('i', 0);
  const children = Array.from({ length: N }, (_, slot) => new Process({ target: targets.recordPid, args: [pids, count, slot], daemon: true }));
  for (const child of children) child.start();
  for (const child of children) {
    assert.equal(await child.join(), true);
    assert.equal(child.error, undefined, `${child.name} threw: ${child.error?.stack}`);
    assert.equal(child.exitcode, 0, `${child.name} ended with ${child.exitcode}`);
  }
  assert.equal(count.value, N);
  assert.deepEqual(pids.toArray(), children.map((child) => child.pid));
});

test("a child's link to its parent (fd 3) is close-on-exec: a raw spawn from the child does not inherit it", { timeout: 120_000 }, async () => {
  for (const daemon of [false, true]) {
    const report = new Queue<string>();
    const child = new Process({ target: targets.spawnRawGrandchild, args: [report], daemon });
    child.start();
    const seen = JSON.parse(await report.get()) as { link: string; linkFlags: string; grandchild: string[] };
    assert.equal(await child.join(), true);
    assert.equal(child.exitcode, 0);
    // The child's fd 3 is the link, a socket…
    assert.match(seen.link, /^3 socket:\[\d+\]$/);
    // …marked O_CLOEXEC (octal 02000000)…
    assert.notEqual(Number.parseInt(seen.linkFlags, 8) & 0o2000000, 0, `fd 3 flags ${seen.linkFlags}`);
    // …so the grandchild holds no socket at all: not that one under any
    // number, and no other. (Its fd 3 may exist: `sleep` opens its locale
    // file after exec, and that lands on the lowest free number.)
    assert.deepEqual(seen.grandchild.filter((line) => /socket:/.test(line)), [], `daemon=${daemon}: ${seen.grandchild.join(', ')}`);
  }
});
