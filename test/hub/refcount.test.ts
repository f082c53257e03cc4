/**
 * Reference counts of the hub's objects (backends/hub/references.ts): an
 * object nobody can name any more leaves the hub — wrappers collected,
 * threads and processes ended — and one whose only name is a handle on its
 * way to another process survives until that process has it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { References, type RefOp } from '../../src/backends/hub/references.js';
import { Lock } from '../../src/multiprocessing/lock.js';
import { Queue } from '../../src/multiprocessing/queue.js';
import { Value } from '../../src/multiprocessing/value.js';
import { Process } from '../../src/runner/process.js';
import { Thread } from '../../src/runner/thread.js';
import { hubStatistics } from '../../src/testing/index.js';
import { hubCall } from '../../src/backends/hub/client.js';
import { SharedArray } from '../../src/multiprocessing/shared-array.js';
import { kHubId } from '../../src/multiprocessing/hub-object.js';
import { checkNoThreadsLeft } from '../helpers/leaks.js';
import * as targets from '../fixtures/hub-load-targets.js';

checkNoThreadsLeft();
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Collects garbage until the hub holds `objects` objects or fewer: finalisers run on later turns, and the hub hears of deaths on its own time. */
async function settleTo(objects: number): Promise<number> {
  for (;;) {
    gc();
    await turn();
    const now = (await hubStatistics()).objects;
    if (now <= objects) return now;
  }
}

/** True while the hub still has object `id` (a call on a removed one is answered "no object"). */
async function alive(id: number): Promise<boolean> {
  try {
    await hubCall(id, 'no-such-op');
  } catch (error) {
    return !/no object/.test((error as Error).message);
  }
  return true;
}

/** Collects garbage until the hub has let go of every object in `ids`. */
async function settleGone(ids: readonly number[]): Promise<void> {
  for (;;) {
    gc();
    await turn();
    let any = false;
    for (const id of ids) if (await alive(id)) any = true;
    if (!any) return;
  }
}

/** A References over a fake registry, recording what it removes. */
function model(): { refs: References; removed: number[]; apply(client: number, thread: number, ...ops: RefOp[]): void } {
  const removed: number[] = [];
  const refs = new References((id) => removed.push(id));
  return { refs, removed, apply: (client, thread, ...ops) => ops.forEach((op) => refs.apply(client, thread, op)) };
}

test('references: the creator holds the first; the object goes with the last release', { timeout: 10_000 }, () => {
  const { refs, removed, apply } = model();
  refs.created(7, 0, 1);
  apply(1, 5, ['retain', 7]);
  apply(0, 1, ['release', 7]);
  assert.deepEqual(removed, []);
  apply(1, 5, ['release', 7]);
  assert.deepEqual(removed, [7]);
  // Anything later about a removed object is ignored.
  apply(1, 5, ['retain', 7]);
  assert.equal(refs.statistics().objects, 0);
});

test('references: a lent handle keeps the object after its sender released, until adopted and released', { timeout: 10_000 }, () => {
  const { refs, removed, apply } = model();
  refs.created(1, 0, 1);
  apply(0, 1, ['lend', 1, 't1'], ['release', 1]);
  assert.deepEqual(removed, []);
  assert.equal(refs.statistics().ticketsInFlight, 1);
  apply(2, 9, ['adopt', 1, 't1']);
  assert.deepEqual(refs.statistics(), { objects: 1, references: 1, ticketsInFlight: 0 });
  apply(2, 9, ['release', 1]);
  assert.deepEqual(removed, [1]);
});

test('references: an adopt that overtakes its lend pins the object until the lend arrives', { timeout: 10_000 }, () => {
  const { refs, removed, apply } = model();
  refs.created(1, 0, 1);
  apply(2, 9, ['adopt', 1, 't1'], ['release', 1]); // the receiver was quick
  apply(0, 1, ['lend', 1, 't1']);
  assert.deepEqual(removed, [], 'the sender still holds it');
  apply(0, 1, ['release', 1]);
  assert.deepEqual(removed, [1]);
});

test('references: an early adopt alone never frees the object under its sender', { timeout: 10_000 }, () => {
  const { refs, removed, apply } = model();
  refs.created(1, 0, 1);
  apply(2, 9, ['adopt', 1, 't1'], ['release', 1]);
  // The sender's wrapper is still alive (its lend and release are still on the way).
  assert.deepEqual(removed, []);
});

test('references: dropping a ticket never adopted releases it; a late adopt after the drop is harmless', { timeout: 10_000 }, () => {
  const { refs, removed, apply } = model();
  refs.created(1, 0, 1);
  refs.created(2, 0, 1);
  apply(0, 1, ['lend', 1, 'a'], ['lend', 2, 'b'], ['release', 1], ['release', 2]);
  apply(0, 1, ['drop', 1, 'a']);
  assert.deepEqual(removed, [1]);
  apply(0, 1, ['drop', 2, 'b']);
  assert.deepEqual(removed, [1, 2]);
  // A late adopt of a dropped ticket on a live object: counted for the adopter, whose end releases it.
  const second = model();
  second.refs.created(3, 0, 1);
  second.apply(0, 1, ['lend', 3, 'c'], ['drop', 3, 'c']);
  second.apply(4, 2, ['adopt', 3, 'c']);
  second.apply(0, 1, ['release', 3]);
  assert.deepEqual(second.removed, []);
  second.refs.gone(4, undefined);
  assert.deepEqual(second.removed, [3]);
});

test('references: a thread or process that ends releases its wrappers, not its handles in flight; waiting calls pin', { timeout: 10_000 }, () => {
  const { refs, removed, apply } = model();
  refs.created(1, 3, 1);
  refs.created(2, 3, 2);
  apply(3, 1, ['lend', 2, 'x']);
  refs.gone(3, 1);
  assert.deepEqual(removed, [1]);
  refs.waiting(2, true);
  refs.gone(3, undefined);
  assert.deepEqual(removed, [1], 'lent and waited on');
  apply(5, 1, ['adopt', 2, 'x'], ['release', 2]);
  assert.deepEqual(removed, [1], 'a call still waits');
  refs.waiting(2, false);
  assert.deepEqual(removed, [1, 2]);
});

test('100,000 process-scope Queues and Locks made and dropped: the hub returns to its baseline', { timeout: 600_000 }, async (t) => {
  const keep = new Lock(); // the hub is up, and one object stays
  const baseline = await settleTo(Infinity);
  const before = await hubStatistics({ collectGarbage: true });
  const N = 100_000;
  const heaps: number[] = [];
  let peakObjects = 0;
  for (let i = 1; i <= N; i++) {
    new Queue();
    new Lock();
    if (i % 10_000 === 0) {
      gc();
      await turn();
      const now = await hubStatistics();
      heaps.push(now.heapUsed);
      peakObjects = Math.max(peakObjects, now.objects);
    }
  }
  const after = await settleTo(baseline);
  assert.ok(after <= baseline);
  const end = await hubStatistics({ collectGarbage: true });
  assert.equal(end.references, before.references);
  assert.equal(end.ticketsInFlight, 0);
  const mb = (bytes: number): string => (bytes / 2 ** 20).toFixed(1);
  t.diagnostic(`objects: baseline ${baseline}, peak seen ${peakObjects}, end ${after}; hub heap MiB: start ${mb(before.heapUsed)}, every 10k pairs ${heaps.map(mb).join(' ')}, end ${mb(end.heapUsed)}`);
  // Once collected, the hub's heap is back near where it started (200,000 objects kept would be tens of MiB).
  assert.ok(end.heapUsed - before.heapUsed < 4 * 2 ** 20, `hub heap ${mb(before.heapUsed)} MiB before, ${mb(end.heapUsed)} MiB after`);
  assert.ok(peakObjects < N, `the hub held ${peakObjects} objects at once`);
  keep.release.length; // keep `keep` alive to here
});

test("an object named only by a handle in a Process's arguments survives until the child has used it, then goes", { timeout: 120_000 }, async () => {
  const sum = new Value('i', 0);
  let id = 0;
  const child = ((): Process => {
    // The parent's only wrapper of the queue lives in this scope.
    const queue = new Queue<number>();
    id = (queue as unknown as { ref: { id: number } }).ref.id;
    const p = new Process({ target: targets.useHandedQueue, args: [queue, sum] });
    p.start();
    return p;
  })();
  gc();
  await turn();
  assert.equal(await child.join(), true);
  assert.equal(child.exitcode, 0, String(child.error?.stack));
  assert.equal(sum.value, 55);
  // The child ended; the parent dropped the handles it carried, and its own wrapper is collected.
  await settleGone([id]);
  assert.equal(await alive(sum[kHubId]), true, 'what the parent still holds stays');
});

test('a thread that ends, and a process that is killed, release the objects they held', { timeout: 120_000 }, async () => {
  const made = new Value('i', 0);
  const ids = new SharedArray('i', 20);
  const thread = new Thread({ target: targets.holdLocks, args: [20, made, ids] });
  thread.start();
  assert.equal(await thread.join(), true);
  assert.equal(made.value, 20);
  await settleGone(ids.toArray());

  const child = new Process({ target: targets.holdLocksUntilKilled, args: [20, made, ids] });
  child.start();
  while (made.value < 40) await turn();
  const held = ids.toArray();
  for (const id of held) assert.equal(await alive(id), true);
  child.kill();
  assert.equal(await child.join(), true);
  await settleGone(held);
});

test('a queue named only by an async iterator over it stays until the iteration ends', { timeout: 120_000 }, async () => {
  let id = 0;
  const iterate = async (): Promise<number[]> => {
    const iterator = await (async () => {
      const queue = new Queue<number>();
      id = (queue as unknown as { ref: { id: number } }).ref.id;
      const thread = new Thread({ target: targets.putThenShutdown, args: [queue, 3] });
      thread.start();
      assert.equal(await thread.join(), true);
      return queue[Symbol.asyncIterator]();
    })();
    // The wrapper is out of reach of this code, and the thread that put has ended.
    for (let i = 0; i < 5; i++) {
      gc();
      await turn();
    }
    const got: number[] = [];
    for (let next = await iterator.next(); next.done !== true; next = await iterator.next()) got.push(next.value);
    return got;
  };
  assert.deepEqual(await iterate(), [1, 2, 3]);
  // Iteration over, nothing names the queue: it goes.
  await settleGone([id]);
});
