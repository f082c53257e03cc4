/**
 * The process-scope queue's state machine in the hub (backends/hub/queue.ts),
 * driven directly with fake calls: no transport, no processes. Each fake
 * call records its answer; `abandon()` plays the core giving up on a call
 * (timeout, abort, its process gone).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { hubKind, type ConditionName, type HubCall } from '../../src/backends/hub/call.js';
import { QUEUE_KIND, QueueObject } from '../../src/backends/hub/queue.js';
import type { OpName } from '../../src/backends/hub/ops.js';

const T = { timeout: 10_000 };

type Answer = { kind: 'reply'; value: unknown } | { kind: 'fail'; code: string } | { kind: 'raise'; name: ConditionName };

class FakeCall implements HubCall {
  answer: Answer | undefined;
  #abandoned = false;
  #cleanups: (() => void)[] = [];
  constructor(
    readonly args: readonly unknown[] = [],
    readonly client = 1,
    readonly thread = 1,
  ) {}
  get settled(): boolean {
    return this.answer !== undefined || this.#abandoned;
  }
  reply(value?: unknown): void {
    if (!this.settled) this.answer = { kind: 'reply', value };
  }
  undo: (() => void) | undefined;
  replyAcked(value: unknown, undo: () => void): void {
    if (this.settled) return;
    this.answer = { kind: 'reply', value };
    this.undo = undo;
  }
  /** The core: the caller's process died before its link had this answer. */
  lost(): void {
    assert.ok(this.undo, 'the answer handed nothing over');
    this.undo();
  }
  fail(code: string): void {
    if (!this.settled) this.answer = { kind: 'fail', code };
  }
  raise(name: ConditionName): void {
    if (!this.settled) this.answer = { kind: 'raise', name };
  }
  whenAbandoned(cleanup: () => void): void {
    this.#cleanups.push(cleanup);
  }
  /** The core gives up on the call: it is settled, then its cleanups run. */
  abandon(): void {
    assert.equal(this.answer, undefined, 'abandoning an answered call');
    this.#abandoned = true;
    for (const cleanup of this.#cleanups) cleanup();
  }
  get pending(): boolean {
    return !this.settled;
  }
}

const bytes = (n: number) => Uint8Array.of(n);

function put(queue: QueueObject, n: number): FakeCall {
  const call = new FakeCall([bytes(n)]);
  queue.call('put', call);
  return call;
}

function get(queue: QueueObject, client = 1): FakeCall {
  const call = new FakeCall([], client);
  queue.call('get', call);
  return call;
}

function op(queue: QueueObject, name: OpName<'multiprocessing.Queue'>, args: unknown[] = []): FakeCall {
  const call = new FakeCall(args);
  queue.call(name, call);
  return call;
}

/** The number an answered get carries. */
function got(call: FakeCall): number {
  assert.equal(call.answer?.kind, 'reply', `expected an item, got ${JSON.stringify(call.answer)}`);
  return ((call.answer as { value: Uint8Array }).value)[0];
}

function size(queue: QueueObject): number {
  return queue.stat().size;
}

describe('process-scope queue state (hub side)', () => {
  test('registered under its kind; a bad maxsize is ERR_INVALID_ARG', T, () => {
    const ROOT = { client: 0, thread: 0 };
    const create = hubKind(QUEUE_KIND);
    assert.ok(create);
    assert.ok(create([0], ROOT) instanceof QueueObject);
    assert.throws(() => create([-1], ROOT), { code: 'ERR_INVALID_ARG' });
    assert.throws(() => create([1.5], ROOT), { code: 'ERR_INVALID_ARG' });
  });

  test('FIFO, with size counted at once', T, () => {
    const queue = new QueueObject(0);
    for (const n of [111, 33, 222]) assert.deepEqual(put(queue, n).answer, { kind: 'reply', value: undefined });
    assert.equal(size(queue), 3);
    assert.deepEqual([got(get(queue)), got(get(queue)), got(get(queue))], [111, 33, 222]);
    assert.equal(size(queue), 0);
  });

  test('one-way puts (send) enqueue like puts, and are dropped after shutdown', T, () => {
    const queue = new QueueObject(0);
    op(queue, 'send', [bytes(1)]);
    assert.equal(size(queue), 1);
    queue.shutdown(false);
    op(queue, 'send', [bytes(2)]);
    assert.equal(size(queue), 1);
    assert.equal(got(get(queue)), 1);
  });

  test('getters wait in FIFO order and an item goes straight to the first', T, () => {
    const queue = new QueueObject(0);
    const first = get(queue);
    const second = get(queue);
    assert.ok(first.pending && second.pending);
    assert.equal(queue.stat().getters, 2);
    put(queue, 1);
    assert.equal(got(first), 1);
    assert.ok(second.pending);
    assert.equal(size(queue), 0);
    put(queue, 2);
    assert.equal(got(second), 2);
  });

  test('an abandoned get takes nothing: the item goes to the next getter or stays queued', T, () => {
    const queue = new QueueObject(0);
    const dead = get(queue, 7);
    const alive = get(queue, 8);
    dead.abandon();
    assert.equal(queue.stat().getters, 1);
    put(queue, 5);
    assert.equal(dead.answer, undefined);
    assert.equal(got(alive), 5);
    const timedOut = get(queue);
    timedOut.abandon();
    put(queue, 6);
    assert.equal(size(queue), 1);
    assert.equal(got(get(queue)), 6);
  });

  test('an item answered to a process that died before receiving it is given back, first in line', T, () => {
    const queue = new QueueObject(0);
    put(queue, 1);
    put(queue, 2);
    const lostGet = get(queue);
    assert.equal(got(lostGet), 1);
    lostGet.lost();
    assert.equal(size(queue), 2);
    assert.equal(got(get(queue)), 1);
    // A waiting getter gets a given-back item at once (handed over again, with its own undo).
    assert.equal(got(get(queue)), 2);
    const waiting = get(queue);
    const handed = get(queue);
    put(queue, 3);
    assert.equal(got(waiting), 3);
    waiting.lost();
    assert.equal(got(handed), 3);
    assert.equal(size(queue), 0);
  });

  test('a give-back to a full queue goes over the bound; waiting putters wait until it is back under', T, () => {
    const queue = new QueueObject(1);
    put(queue, 1);
    const lostGet = get(queue);
    const putter = put(queue, 2);
    assert.equal(putter.answer?.kind, 'reply', 'the get made room');
    const late = put(queue, 3);
    lostGet.lost();
    assert.equal(size(queue), 2);
    assert.ok(late.pending);
    assert.equal(got(get(queue)), 1);
    assert.ok(late.pending, 'a putter came in over the bound');
    assert.equal(got(get(queue)), 2);
    assert.equal(late.answer?.kind, 'reply');
    assert.equal(got(get(queue)), 3);
  });

  test('a give-back after an immediate shutdown is discarded and counted done', T, () => {
    const queue = new QueueObject(0);
    put(queue, 1);
    const lostGet = get(queue);
    const joiner = op(queue, 'join');
    queue.shutdown(true);
    assert.ok(joiner.pending);
    lostGet.lost();
    assert.deepEqual(joiner.answer, { kind: 'reply', value: true });
    assert.equal(size(queue), 0);
  });

  test('bounded: putters wait when full, in FIFO order; a get makes room for the first', T, () => {
    const queue = new QueueObject(2);
    put(queue, 1);
    put(queue, 2);
    const third = put(queue, 3);
    const fourth = put(queue, 4);
    assert.ok(third.pending && fourth.pending);
    assert.equal(queue.stat().putters, 2);
    assert.equal(size(queue), 2);
    assert.equal(got(get(queue)), 1);
    assert.equal(third.answer?.kind, 'reply');
    assert.ok(fourth.pending);
    assert.equal(size(queue), 2);
    assert.deepEqual([got(get(queue)), got(get(queue)), got(get(queue))], [2, 3, 4]);
    assert.equal(fourth.answer?.kind, 'reply');
  });

  test('an abandoned put adds nothing', T, () => {
    const queue = new QueueObject(1);
    put(queue, 1);
    const gone = put(queue, 2);
    gone.abandon();
    assert.equal(queue.stat().putters, 0);
    assert.equal(got(get(queue)), 1);
    assert.equal(size(queue), 0);
    assert.equal(queue.stat().unfinished, 1, 'the abandoned put was counted as a task');
  });

  test('taskDone and join: join answers true once every task is done; too many is ERR_TASK_DONE_TOO_MANY', T, () => {
    const queue = new QueueObject(0);
    assert.deepEqual(op(queue, 'join').answer, { kind: 'reply', value: true });
    put(queue, 1);
    put(queue, 2);
    const joiner = op(queue, 'join');
    const abandonedJoiner = op(queue, 'join');
    abandonedJoiner.abandon();
    assert.ok(joiner.pending);
    get(queue);
    op(queue, 'taskDone');
    assert.ok(joiner.pending);
    get(queue);
    assert.equal(op(queue, 'taskDone').answer?.kind, 'reply');
    assert.deepEqual(joiner.answer, { kind: 'reply', value: true });
    assert.equal(abandonedJoiner.answer, undefined);
    assert.deepEqual(op(queue, 'taskDone').answer, { kind: 'fail', code: 'ERR_TASK_DONE_TOO_MANY' });
  });

  test('shutdown: puts raise ShutDown (waiting ones too); gets drain, then raise', T, () => {
    const queue = new QueueObject(1);
    put(queue, 1);
    const waitingPut = put(queue, 2);
    queue.shutdown(false);
    assert.deepEqual(waitingPut.answer, { kind: 'raise', name: 'ShutDown' });
    assert.deepEqual(put(queue, 3).answer, { kind: 'raise', name: 'ShutDown' });
    assert.equal(got(get(queue)), 1);
    assert.deepEqual(get(queue).answer, { kind: 'raise', name: 'ShutDown' });
    assert.equal(queue.stat().mode, 'shutdown');
  });

  test('shutdown wakes getters waiting on an empty queue with ShutDown', T, () => {
    const queue = new QueueObject(0);
    const a = get(queue);
    const b = get(queue);
    op(queue, 'shutdown', [false]);
    assert.deepEqual(a.answer, { kind: 'raise', name: 'ShutDown' });
    assert.deepEqual(b.answer, { kind: 'raise', name: 'ShutDown' });
  });

  test('shutdown immediate discards the items, counts them done, and wakes joiners', T, () => {
    const queue = new QueueObject(0);
    put(queue, 1);
    put(queue, 2);
    const joiner = op(queue, 'join');
    op(queue, 'shutdown', [true]);
    assert.equal(size(queue), 0);
    assert.deepEqual(joiner.answer, { kind: 'reply', value: true });
    assert.deepEqual(get(queue).answer, { kind: 'raise', name: 'ShutDown' });
    assert.equal(queue.stat().mode, 'immediate');
    // One way: a later plain shutdown does not reopen gets.
    queue.shutdown(false);
    assert.equal(queue.stat().mode, 'immediate');
  });

  test('an immediate shutdown after gets leaves the unfinished count of items got but not done', T, () => {
    const queue = new QueueObject(0);
    put(queue, 1);
    put(queue, 2);
    get(queue);
    queue.shutdown(true);
    assert.equal(queue.stat().unfinished, 1);
    const joiner = op(queue, 'join');
    assert.ok(joiner.pending);
    op(queue, 'taskDone');
    assert.deepEqual(joiner.answer, { kind: 'reply', value: true });
  });

  test('a dead caller releases nothing: items stay queued', T, () => {
    const queue = new QueueObject(0);
    put(queue, 1);
    queue.callerGone(1, undefined);
    assert.equal(size(queue), 1);
  });

  test('an unknown op fails with ERR_INVALID_ARG', T, () => {
    const queue = new QueueObject(0);
    // Ops arrive from the wire unchecked: the state machine must refuse a name outside its map.
    assert.deepEqual(op(queue, 'frobnicate' as OpName<'multiprocessing.Queue'>).answer, { kind: 'fail', code: 'ERR_INVALID_ARG' });
  });

  test('a long stream stays FIFO across the store\'s compaction', T, () => {
    const queue = new QueueObject(0);
    const out: number[] = [];
    for (let i = 0; i < 5000; i++) {
      put(queue, i & 0xff);
      if (i % 3 === 0) out.push(got(get(queue)));
    }
    while (size(queue) > 0) out.push(got(get(queue)));
    assert.deepEqual(out, Array.from({ length: 5000 }, (_, i) => i & 0xff));
  });
});
