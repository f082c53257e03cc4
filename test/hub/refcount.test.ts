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
import { HUB, IN_CALL, References, type RefOp } from '../../src/backends/hub/references.js';
import { Manager } from '../../src/multiprocessing/manager.js';
import type { DictProxy } from '../../src/multiprocessing/dict-proxy.js';
import { Lock } from '../../src/multiprocessing/lock.js';
import { Queue } from '../../src/multiprocessing/queue.js';
import { Value } from '../../src/multiprocessing/value.js';
import { Process } from '../../src/runner/process.js';
import { Thread } from '../../src/runner/thread.js';
import { hubStatistics } from '../../src/testing/index.js';
import { hubCall } from '../../src/backends/hub/client.js';
import type { HubId, HubKindName } from '../../src/backends/hub/ops.js';
import { SharedArray } from '../../src/multiprocessing/shared-array.js';
import { kHubId } from '../../src/backends/hub/hub-object.js';
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
    // Any kind, an op none has: the answer says whether the object is still there.
    await hubCall(id as HubId<HubKindName>, 'no-such-op' as never, [] as never);
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

test('references: a container holds what it stores; a reader gets a hub-lent ticket, not the stored one', { timeout: 10_000 }, () => {
  const { refs, removed, apply } = model();
  refs.created(5, 1, 1); // a lock, made by thread 1 of process 1
  refs.created(9, 1, 1); // a dict
  // The setter lends a ticket for the value; the dict's `set` adopts it for the call and stores the lock.
  apply(1, 1, ['lend', 5, 't1']);
  apply(HUB, IN_CALL, ['adopt', 5, 't1']);
  assert.equal(refs.store(9, 5), true);
  refs.gone(HUB, IN_CALL);
  // The setter's wrapper is collected: the dict's reference keeps the lock.
  apply(1, 1, ['release', 5]);
  assert.deepEqual(removed, []);
  // Two readers, each with its own ticket, each collected later.
  const first = refs.lendFromHub(5)!;
  const second = refs.lendFromHub(5)!;
  assert.notEqual(first, second);
  apply(2, 1, ['adopt', 5, first], ['release', 5]);
  apply(3, 1, ['adopt', 5, second], ['release', 5]);
  assert.deepEqual(removed, []);
  // Overwritten: the dict lets go, and nothing else names the lock.
  refs.unstore(9, 5);
  assert.deepEqual(removed, [5]);
  assert.equal(refs.store(9, 5), false, 'a gone object cannot be stored');
  // A value only compared (taken in, never stored) leaves nothing behind when the call ends.
  refs.created(6, 1, 1);
  apply(1, 1, ['lend', 6, 't2'], ['release', 6]);
  apply(HUB, IN_CALL, ['adopt', 6, 't2']);
  refs.gone(HUB, IN_CALL);
  assert.deepEqual(removed, [5, 6]);
});

test("a Lock stored in a managed dict outlives its creator's wrapper, serves two later readers, and goes when overwritten or deleted", { timeout: 120_000 }, async () => {
  await using manager = new Manager();
  const d = manager.dict<unknown>();
  const baseline = (await hubStatistics({ collectGarbage: true })).objects;
  const storeLock = (key: string): number => {
    const lock = new Lock();
    d.setSync(key, { lock });
    return lock[kHubId];
  };
  const id = storeLock('a');
  for (let i = 0; i < 5; i++) {
    gc();
    await turn();
  }
  assert.equal(await alive(id), true, 'the dict holds the lock');
  // Two readers, one after the other, each wrapper collected before the next reads.
  for (let reader = 0; reader < 2; reader++) {
    await (async () => {
      const { lock } = (await d.get('a')) as { lock: Lock };
      assert.equal(lock[kHubId], id);
      assert.equal(await lock.acquire(), true);
      lock.release();
    })();
    for (let i = 0; i < 5; i++) {
      gc();
      await turn();
    }
    assert.equal(await alive(id), true, `the lock is still there after reader ${reader + 1}`);
  }
  // Overwritten: the lock goes.
  d.setSync('a', 0);
  await settleGone([id]);
  // Deleted, and popped (the popper's wrapper then collected): likewise.
  const deleted = storeLock('b');
  assert.equal(d.deleteSync('b'), true);
  await settleGone([deleted]);
  const popped = storeLock('c');
  await (async () => {
    const { lock } = d.popSync('c') as { lock: Lock };
    assert.equal(lock.tryAcquire(), true, 'the popped lock is live');
    lock.release();
  })();
  await settleGone([popped]);
  // Cleared and shut down free what they held.
  const cleared = storeLock('d');
  d.clearSync();
  await settleGone([cleared]);
  const kept = storeLock('e');
  manager.shutdown();
  await settleGone([kept]);
  // Back to where it began (or lower: objects of earlier tests may go meanwhile); never getting there times the test out.
  await settleTo(baseline);
});

test('managed dicts nobody names leave the hub and their manager, nested ones too', { timeout: 300_000 }, async () => {
  await using manager = new Manager();
  const baseline = (await hubStatistics({ collectGarbage: true })).objects;
  for (let i = 0; i < 10_000; i++) manager.dict({ i }).setSync('x', i);
  // Never getting back to the baseline times the test out.
  await settleTo(baseline);
  assert.equal(manager.statistics().objects, 0, "the manager's list let them go");
  // A list holding a dict holding a Lock: dropping the list's proxy frees all three.
  const ids = ((): number[] => {
    const outer = manager.list<DictProxy>();
    const inner = manager.dict<Lock>();
    const lock = new Lock();
    inner.setSync('lock', lock);
    outer.appendSync(inner);
    return [outer, inner, lock].map((object) => object[kHubId]);
  })();
  await settleGone(ids);
  assert.equal(manager.statistics().objects, 0);
});

test('a Lock in a process-scope Queue item stays until got; discarded items free theirs', { timeout: 120_000 }, async () => {
  const baseline = (await hubStatistics({ collectGarbage: true })).objects;
  const queue = new Queue<{ lock: Lock }>();
  const put = (): number => {
    const lock = new Lock();
    queue.putSync({ lock });
    return lock[kHubId];
  };
  const id = put();
  for (let i = 0; i < 5; i++) {
    gc();
    await turn();
  }
  assert.equal(await alive(id), true, 'the queued item keeps the lock');
  await (async () => {
    const { lock } = await queue.get();
    assert.equal(lock[kHubId], id);
    assert.equal(lock.tryAcquire(), true);
    lock.release();
  })();
  await settleGone([id]);
  // Discarded by an immediate shutdown: the lock goes with the item.
  const discarded = put();
  queue.shutdown({ immediate: true });
  await settleGone([discarded]);
  // A queue nobody names, with an item in it: both go.
  const both = ((): number[] => {
    const dropped = new Queue<{ lock: Lock }>();
    const lock = new Lock();
    dropped.putSync({ lock });
    return [(dropped as unknown as { ref: { id: number } }).ref.id, lock[kHubId]];
  })();
  await settleGone(both);
  // Only the queue this test still holds is left of what it made.
  await settleTo(baseline + 1);
});
