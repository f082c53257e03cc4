/**
 * Lending in the process-scope queue's state machine (backends/hub/queue.ts),
 * driven with fake calls: what a child's get is lent, when lent items are
 * recalled, and where they go when claimed, given back, or their process dies.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { TIMED_OUT } from '../../src/backends/hub/call.js';
import { GetFlag, QueueObject, WatchAnswer, type LentItems } from '../../src/backends/hub/queue.js';
import { unpackItems } from '../../src/backends/hub/packed-items.js';
import { invoke, type FakeCall, type Who } from '../helpers/fake-hub.js';

const T = { timeout: 10_000 };
const ROOT: Who = { client: 0, thread: 1 };
const CHILD: Who = { client: 1, thread: 1 };
const OTHER: Who = { client: 2, thread: 1 };
const LINK = -2;

const queueOf = (...numbers: number[]): QueueObject => {
  const queue = new QueueObject(0);
  for (const n of numbers) invoke(queue, 'send', ROOT, [Uint8Array.of(n)]);
  return queue;
};
const lendingGet = (queue: QueueObject, who: Who, flags: number = GetFlag.Lend): FakeCall => invoke(queue, 'get', who, [flags]);
const lent = (call: FakeCall): LentItems => call.value as LentItems;
const numbers = (packed: Uint8Array): number[] => unpackItems(packed).map((item) => item[0]);
const linkOf = (who: Who): Who => ({ client: who.client, thread: LINK });

describe('lent queue items (hub side)', () => {
  test("a child's get is lent every queued item; they still count in qsize until claimed", T, () => {
    const queue = queueOf(1, 2, 3);
    const answer = lent(lendingGet(queue, CHILD));
    assert.deepEqual(numbers(answer.items), [1, 2, 3]);
    assert.equal(queue.stat().size, 3);
    invoke(queue, 'claimed', linkOf(CHILD), [answer.lending, 2]);
    assert.equal(queue.stat().size, 1);
  });

  test("the root's gets, and a plain get, take one item and are never lent", T, () => {
    const queue = queueOf(1, 2);
    assert.deepEqual(lendingGet(queue, ROOT).value, Uint8Array.of(1));
    assert.deepEqual(invoke(queue, 'get', CHILD).value, Uint8Array.of(2));
  });

  test('another getter recalls what was lent and not claimed, and gets it first, in order', T, () => {
    const queue = queueOf(1, 2, 3, 4);
    const answer = lent(lendingGet(queue, CHILD));
    const watch = invoke(queue, 'lendWatch', linkOf(CHILD), [answer.lending]);
    assert.equal(watch.answer, undefined, 'a watch waits');
    invoke(queue, 'send', ROOT, [Uint8Array.of(5)]);
    const waiting = lendingGet(queue, OTHER);
    assert.equal(waiting.answer, undefined, 'served only once the lent items are back');
    assert.equal(watch.value, WatchAnswer.Recall);
    // The child's threads took 1 and 2; 3 and 4 come back to the head, before 5.
    invoke(queue, 'returned', linkOf(CHILD), [answer.lending, 2]);
    assert.deepEqual(numbers(lent(waiting).items), [3, 4, 5]);
  });

  test("a dead consumer's unclaimed items go back to the head, in order", T, () => {
    const queue = queueOf(1, 2, 3);
    const answer = lent(lendingGet(queue, CHILD));
    invoke(queue, 'claimed', linkOf(CHILD), [answer.lending, 1]);
    invoke(queue, 'send', ROOT, [Uint8Array.of(4)]);
    queue.callerGone(CHILD.client, undefined);
    assert.equal(queue.stat().size, 3);
    assert.deepEqual([2, 3, 4].map(() => (lendingGet(queue, ROOT).value as Uint8Array)[0]), [2, 3, 4]);
  });

  test('a late message about an earlier lending changes nothing', T, () => {
    const queue = queueOf(1, 2);
    const first = lent(lendingGet(queue, CHILD));
    invoke(queue, 'claimed', linkOf(CHILD), [first.lending, 2]);
    invoke(queue, 'send', ROOT, [Uint8Array.of(3)]);
    const second = lent(lendingGet(queue, CHILD));
    invoke(queue, 'returned', linkOf(CHILD), [first.lending, 0]);
    assert.equal(queue.stat().size, 1, 'the second lending is still out');
    invoke(queue, 'returned', linkOf(CHILD), [second.lending, 0]);
    assert.deepEqual(lendingGet(queue, ROOT).value, Uint8Array.of(3));
  });

  test('lendMore extends the lending while nobody else waits, within the room the link has', T, () => {
    const queue = queueOf(1, 2, 3, 4, 5);
    const answer = lent(lendingGet(queue, CHILD));
    invoke(queue, 'claimed', linkOf(CHILD), [answer.lending, 5]);
    for (const n of [6, 7, 8]) invoke(queue, 'send', ROOT, [Uint8Array.of(n)]);
    const more = lent(invoke(queue, 'lendMore', linkOf(CHILD), [answer.lending, 0, 2, 1 << 20]));
    assert.deepEqual(numbers(more.items), [6, 7]);
    assert.equal(queue.stat().size, 3);
  });

  test("a getter waiting for a recall is served when the link's lendMore reports the last lent items claimed", T, () => {
    const queue = queueOf(1, 2);
    const answer = lent(lendingGet(queue, CHILD));
    invoke(queue, 'send', ROOT, [Uint8Array.of(3)]);
    const waiting = lendingGet(queue, OTHER);
    assert.equal(waiting.answer, undefined);
    const more = lent(invoke(queue, 'lendMore', linkOf(CHILD), [answer.lending, 2, 64, 1 << 20]));
    assert.deepEqual(numbers(more.items), [], 'nothing more is lent while another getter waits');
    assert.deepEqual(numbers(lent(waiting).items), [3]);
  });

  test('getNowait recalls lent items before it says Empty', T, () => {
    const queue = queueOf(1, 2);
    const answer = lent(lendingGet(queue, CHILD));
    const nowait = lendingGet(queue, OTHER, GetFlag.Lend | GetFlag.Nowait);
    assert.equal(nowait.answer, undefined);
    invoke(queue, 'returned', linkOf(CHILD), [answer.lending, 1]);
    const second = lent(nowait);
    assert.deepEqual(numbers(second.items), [2]);
    invoke(queue, 'claimed', linkOf(OTHER), [second.lending, 1]);
    const empty = lendingGet(queue, OTHER, GetFlag.Lend | GetFlag.Nowait);
    assert.equal(empty.value, TIMED_OUT);
  });

  test('shutdown: getters waiting for a recall are told ShutDown once it comes back empty', T, () => {
    const queue = queueOf(1);
    const answer = lent(lendingGet(queue, CHILD));
    const waiting = lendingGet(queue, OTHER);
    queue.shutdown(false);
    assert.equal(waiting.answer, undefined);
    invoke(queue, 'returned', linkOf(CHILD), [answer.lending, 1]);
    assert.deepEqual(waiting.answer, { raised: 'ShutDown', message: 'queue: get from a queue that was shut down and is empty' });
  });
});
