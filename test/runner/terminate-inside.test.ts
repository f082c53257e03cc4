/**
 * Threads terminated inside weft's own critical sections: weft's
 * terminations wait for a thread to leave them (`safe-stop.ts`), and a
 * holder killed inside one anyway (grace 0, as a crash would) is reclaimed by
 * the next thread that needs the lock once its death is recorded
 * (`futex-mutex.ts`). Each thread is stopped at an exact place by an internal
 * test hook and reports through a raw shared word: no sleeps.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Thread } from '../../src/threading.js';
import { Queue } from '../../src/queue.js';
import { kTerminate } from '../../src/runner/thread.js';
import { runtime } from '../../src/backends/atomics/runtime.js';
import { Header } from '../../src/backends/atomics/arena.js';
import { mutexHolder } from '../../src/backends/atomics/futex-mutex.js';
import { isStopping } from '../../src/backends/atomics/safe-stop.js';
import { checkNoThreadsLeft } from '../helpers/leaks.js';
import { joinAll, start } from '../helpers/threads.js';
import * as targets from '../fixtures/terminate-targets.js';

const { Sig } = targets;
const T = { timeout: 60_000 };
checkNoThreadsLeft();

function signals(): { buffer: SharedArrayBuffer; sig: Int32Array } {
  const buffer = new SharedArrayBuffer(16);
  return { buffer, sig: new Int32Array(buffer) };
}

/** Resolves once `sig[index]` is no longer 0 (without blocking the event loop). */
async function until(sig: Int32Array, index: number): Promise<number> {
  for (;;) {
    const value = Atomics.load(sig, index);
    if (value !== 0) return value;
    const wait = Atomics.waitAsync(sig, index, 0, 1000);
    if (wait.async) await wait.value;
  }
}

function set(sig: Int32Array, index: number, value = 1): void {
  Atomics.store(sig, index, value);
  Atomics.notify(sig, index);
}

/** The arena token of a thread this thread started. */
function tokenOf(thread: Thread): number {
  const { arena } = runtime();
  const token = arena.liveThreads().find((t) => arena.info(t)?.threadId === thread.ident);
  assert.ok(token !== undefined, `${thread.name} is in the thread table`);
  return token;
}

/** Starts and joins a thread: proof that the allocation lock works for the main thread and a new one. */
async function roundTrip(): Promise<void> {
  const { buffer, sig } = signals();
  set(sig, Sig.Ready);
  const thread = start(targets.allocateWhenReady, [buffer]);
  await joinAll([thread]);
  assert.equal(Atomics.load(sig, Sig.Done), 1);
}

test('weft terminates a thread holding the allocation lock only after it has left it', T, async () => {
  const { buffer, sig } = signals();
  const thread = start(targets.stopInsideAllocLock, [buffer]);
  await until(sig, Sig.Inside);
  const token = tokenOf(thread);
  const { arena } = runtime();
  assert.equal(mutexHolder(arena.words, Header.AllocLock), token, 'the thread holds the allocation lock');

  const terminated = thread[kTerminate]();
  assert.ok(isStopping(arena, token), 'the thread is asked to stop');
  // The terminator waits for the section to end: the thread is still there, still holding.
  await new Promise<void>((resolve) => setImmediate(resolve));
  assert.equal(thread.isAlive(), true);
  assert.equal(mutexHolder(arena.words, Header.AllocLock), token);

  set(sig, Sig.Go);
  await terminated;
  assert.equal(thread.isAlive(), false);
  // Killed inside, it would still be named the holder (as in the next test).
  assert.equal(mutexHolder(arena.words, Header.AllocLock), 0, 'the thread finished its section: nobody holds the allocation lock');
  await roundTrip();
});

test('a thread killed inside the allocation lock: a waiter in another thread reclaims it once the death is recorded', T, async () => {
  const held = signals();
  const waiter = signals();
  // The waiter is started first: starting a thread needs the allocation lock.
  const waiting = start(targets.allocateWhenReady, [waiter.buffer]);
  const holder = start(targets.stopInsideAllocLock, [held.buffer]);
  await until(held.sig, Sig.Inside);
  const token = tokenOf(holder);
  set(waiter.sig, Sig.Ready); // it now blocks on the lock the holder keeps
  await holder[kTerminate](0); // no grace: killed inside its section, as a crash would
  const { arena } = runtime();
  assert.equal(arena.isAlive(token), false, 'the death is recorded');
  assert.equal(Atomics.load(held.sig, Sig.Done), 0, 'the holder never left its section');
  await until(waiter.sig, Sig.Done);
  await joinAll([waiting]);
  await roundTrip();
  assert.equal(mutexHolder(arena.words, Header.AllocLock), 0);
});

test('the main thread reclaims the allocation lock of a thread killed inside it', T, async () => {
  const held = signals();
  const holder = start(targets.stopInsideAllocLock, [held.buffer]);
  await until(held.sig, Sig.Inside);
  await holder[kTerminate](0);
  // Starting a thread takes the allocation lock in the main thread: it waits one slice, sees the holder dead, and takes it over.
  await roundTrip();
});

test('weft terminates a producer only after it has written the slot it claimed; the queue goes on', T, async () => {
  const { buffer, sig } = signals();
  const queue = new Queue<number>();
  const producer = start(targets.stopInsideFifoPut, [buffer, queue, 100]);
  await until(sig, Sig.Inside);
  assert.equal(queue.getSync(), 100);
  const terminated = producer[kTerminate]();
  set(sig, Sig.Go);
  await terminated;
  // The claimed slot was written before the end; nothing after it was claimed.
  assert.equal(queue.getSync({ timeout: 10_000 }), 101);
  assert.equal(queue.qsize(), 0);
  for (let i = 0; i < 100; i++) queue.putSync(i);
  for (let i = 0; i < 100; i++) assert.equal(queue.getSync({ timeout: 10_000 }), i);
});

test('weft terminates a consumer only after it has read the slot it claimed; no item is lost or doubled', T, async () => {
  const { buffer, sig } = signals();
  const queue = new Queue<number>();
  const consumer = start(targets.stopInsideFifoGet, [buffer, queue]);
  queue.putSync(7);
  await until(sig, Sig.Inside);
  const terminated = consumer[kTerminate]();
  set(sig, Sig.Go);
  await terminated;
  assert.equal(Atomics.load(sig, Sig.Done), 7, 'the consumer read the item it had claimed');
  for (let i = 1; i <= 100; i++) queue.putSync(i);
  for (let i = 1; i <= 100; i++) assert.equal(queue.getSync({ timeout: 10_000 }), i);
  assert.equal(queue.qsize(), 0);
});

test('a producer killed between claiming a slot and writing it: consumers skip the slot and get the next items', T, async () => {
  const { buffer, sig } = signals();
  const queue = new Queue<number>();
  const producer = start(targets.stopInsideFifoPut, [buffer, queue, 100]);
  await until(sig, Sig.Inside);
  await producer[kTerminate](0); // no grace: killed with slot 101 claimed and unwritten
  assert.ok(runtime().arena.killedCount() > 0);
  assert.equal(queue.getSync({ timeout: 10_000 }), 100);
  for (let i = 200; i < 300; i++) queue.putSync(i);
  // The first get waits a moment on the dead producer's slot, then skips it.
  for (let i = 200; i < 300; i++) assert.equal(queue.getSync({ timeout: 10_000 }), i);
  assert.equal(queue.qsize(), 0);
});

test('a slot skipped under a producer that was only slow: it puts its item again, none lost or doubled', T, async () => {
  // Skipping is armed once a thread of the process has been killed.
  const idle = signals();
  const killed = start(targets.stopInsideAllocLock, [idle.buffer]);
  await until(idle.sig, Sig.Inside);
  await killed[kTerminate](0);
  assert.ok(runtime().arena.killedCount() > 0);

  const { buffer, sig } = signals();
  const queue = new Queue<number>();
  const producer = start(targets.stopInsideFifoPut, [buffer, queue, 100]);
  await until(sig, Sig.Inside);
  assert.equal(queue.getSync({ timeout: 10_000 }), 100);
  // Waits on slot 101 (claimed, unwritten), skips it, then waits for an item.
  const next = queue.get({ timeout: 20_000 });
  set(sig, Sig.Go); // the producer writes its slot, finds it skipped, and puts 101 again
  assert.equal(await next, 101);
  for (let i = 102; i < 150; i++) assert.equal(queue.getSync({ timeout: 10_000 }), i);
  await producer[kTerminate]();
  // Whatever it put before it stopped follows in order, once each.
  let expected = 150;
  while (queue.qsize() > 0) assert.equal(queue.getSync({ timeout: 10_000 }), expected++);
});
